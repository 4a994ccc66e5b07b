"""Dashboard tests: warehouse query functions with hand-worked answers, the snapshot reader, and the
Streamlit app run headless with AppTest against a real DuckDB file."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts, serve
from dashboard.export import csv_bytes
from dashboard.text import md_escape, web_url
from warehouse import reader, schema
from warehouse.identities import rebuild_identities
from warehouse.pages import activity_figures, directory, run_log

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
APP_TIMEOUT = 30

ENTITIES = [
    ("dortmund", "Stadt Dortmund", "DE", "local", ["dortmund.de"]),
    ("munich", "Landeshauptstadt München", "DE", "local", ["muenchen.de"]),
    ("vng", "VNG Realisatie", "NL", "association", None),  # no repositories
]

# (forge, host, path, entity, description, html_url, archived, licence, stars, pushed days ago)
REPOS = [
    ("github", "github.com", "stadt-dortmund/app", "dortmund",
     "Bürger-App <script>alert(1)</script> **bold**", "https://github.com/stadt-dortmund/app",
     False, "EUPL-1.2", 5, 2),
    ("github", "github.com", "stadt-dortmund/old", "dortmund",
     "=HYPERLINK(\"http://evil\")", "javascript:alert(1)", True, None, 0, 500),
    ("gitlab", "gitlab.opencode.de", "muenchen/web", "munich",
     "Webportal", "https://gitlab.opencode.de/muenchen/web", False, "MIT", 1, 38),
]

# (repo path, sha, author name, author e-mail, author login, days ago)
COMMITS = [
    ("stadt-dortmund/app", "a1", "Alice", "alice@dortmund.de", "alice", 5),
    ("stadt-dortmund/app", "a2", "Alice", "Alice@Dortmund.DE", None, 20),  # same person as a1
    ("stadt-dortmund/app", "a3", "Bob", None, "bob", 30),
    ("stadt-dortmund/app", "a4", "dependabot[bot]",
     "49699333+dependabot[bot]@users.noreply.github.com", "dependabot[bot]", 10),
    ("stadt-dortmund/app", "a5", "Alice", "alice@dortmund.de", "alice", 100),  # outside 90 days
    ("stadt-dortmund/app", "a6", "Carol", "carol@example.org", "carol", 89),
    ("stadt-dortmund/old", "o1", "Dave", "dave@dortmund.de", "dave", 600),
    ("stadt-dortmund/old", "o2", "Alice", "alice@dortmund.de", "alice", 60),
    ("muenchen/web", "m1", "Erin", "erin@muenchen.de", "erin", 40),
    ("muenchen/web", "m2", "Erin", "erin@muenchen.de", "erin", 45),
    ("muenchen/web", "m3", "renovate[bot]", "bot@renovateapp.com", None, 50),
    ("muenchen/web", "m4", "anonymous", None, None, 60),  # a person by name alone
]

# Worked out by hand from the rows above, for a window of 90 days up to "now":
#   dortmund: commits a1 a2 a3 a4 a6 o2 = 6; people alice (a1, a2, o2), bob, carol = 3
#             (dependabot is a bot); last activity = app pushed 2 days ago.
#   munich:   commits m1..m4 = 4; people erin and "anonymous" = 2 (renovate is a bot; m4 names
#             only its author, which the identity rebuild takes as a person, as every metric does);
#             last activity = pushed 38 days ago (latest commit is 40 days ago).
#   vng:      no repositories: zeros, no last activity.
EXPECTED_OVERVIEW = {
    "dortmund": (2, 6, 3, 2),
    "munich": (1, 4, 2, 38),
    "vng": (0, 0, 0, None),
}


def build_warehouse(path: Path, now: datetime) -> None:
    con = duckdb.connect(str(path))
    try:
        schema.migrate(con)
        for row in ENTITIES:
            con.execute("INSERT INTO entities VALUES (?, ?, ?, ?, ?)", list(row))
        for forge, host, rpath, entity, desc, url, archived, licence, stars, pushed in REPOS:
            con.execute(
                "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, description,"
                " html_url, license_spdx, archived, is_fork, stars, forks_count, open_issues,"
                " pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, 0, 0, ?)",
                [forge, host, rpath, entity, rpath.split("/")[0], rpath.split("/")[-1], desc, url,
                 licence, archived, stars, now - timedelta(days=pushed)],
            )
        hosts = {r[2]: (r[0], r[1]) for r in REPOS}
        for rpath, sha, name, email, login, days in COMMITS:
            forge, host = hosts[rpath]
            at = now - timedelta(days=days)
            con.execute(
                "INSERT INTO commits (forge, host, repo_path, sha, author_name, author_email,"
                " author_login, authored_at, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [forge, host, rpath, sha, name, email, login, at, at],
            )
        # As after every collection: persons resolved (the figures count people as the metrics do).
        rebuild_identities(con, None)
        con.execute(
            "INSERT INTO runs (run_id, started_at, finished_at, status) VALUES"
            " (1, ?, ?, 'failed'), (2, ?, ?, 'ok')",
            [now - timedelta(days=2), now - timedelta(days=2), now - timedelta(hours=1), now],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    path = tmp_path / "fixed.duckdb"
    build_warehouse(path, NOW)
    return path


@pytest.fixture
def con(warehouse_file: Path):
    connection = reader.open_readonly(warehouse_file)
    yield connection
    connection.close()


# --- queries ---------------------------------------------------------------------------------


def test_entity_overview_known_answers(con):
    df = activity_figures.entity_overview(con, now=NOW).set_index("entity_id")
    assert list(df.index) == ["munich", "dortmund", "vng"]  # by name: "Landeshauptstadt" first
    for entity_id, (repos, commits, people, days) in EXPECTED_OVERVIEW.items():
        row = df.loc[entity_id]
        assert (row["repos"], row["commits_90d"], row["active_contributors_90d"]) == (
            repos, commits, people,
        ), entity_id
        if days is None:
            assert pd.isna(row["last_activity"])
        else:
            assert row["last_activity"] == NOW - timedelta(days=days)
    assert df.loc["munich", "name"] == "Landeshauptstadt München"


def test_window_moves_with_now(con):
    # 30 days later: a1 (35 d), a4 (40 d), a2 (50 d), a3 (60 d), o2 (90 d) stay; a6 (119 d) drops.
    df = activity_figures.entity_overview(con, now=NOW + timedelta(days=30)).set_index("entity_id")
    assert df.loc["dortmund", "commits_90d"] == 5
    assert df.loc["dortmund", "active_contributors_90d"] == 2  # alice, bob


def test_entity_repos_known_answers(con):
    df = activity_figures.entity_repos(con, "dortmund", now=NOW)
    assert list(df["path"]) == ["stadt-dortmund/app", "stadt-dortmund/old"]  # busiest first
    app, old = df.iloc[0], df.iloc[1]
    assert (app["commits_90d"], app["active_contributors_90d"]) == (5, 3)
    assert app["last_activity"] == NOW - timedelta(days=2)
    assert (app["license"], app["stars"], bool(app["archived"])) == ("EUPL-1.2", 5, False)
    assert (old["commits_90d"], old["active_contributors_90d"]) == (1, 1)
    assert old["last_activity"] == NOW - timedelta(days=60)  # o2 is newer than the last push
    assert bool(old["archived"]) is True
    assert set(df.columns) >= {
        "forge", "host", "path", "description", "html_url", "archived", "license", "stars",
        "commits_90d", "active_contributors_90d", "last_activity",
    }
    assert activity_figures.entity_repos(con, "vng", now=NOW).empty
    assert activity_figures.entity_repos(con, "no-such-entity", now=NOW).empty


def test_commits_per_month_known_answers(con):
    # Months of the commits for NOW = 2025-06-15: a1 Jun 10, a4 Jun 5, a2 May 26, a3 May 16,
    # o2 Apr 16; m1 May 6, m2 May 1, m3 Apr 26, m4 Apr 16. a6 (Mar 18) is before the range.
    df = activity_figures.commits_per_month(con, months=3, now=NOW)
    got = {
        (r.entity_id, r.month.strftime("%Y-%m")): r.commits for r in df.itertuples(index=False)
    }
    assert got == {
        ("dortmund", "2025-04"): 1, ("dortmund", "2025-05"): 2, ("dortmund", "2025-06"): 2,
        ("munich", "2025-04"): 2, ("munich", "2025-05"): 2, ("munich", "2025-06"): 0,
    }
    assert set(df["entity_name"]) == {"Stadt Dortmund", "Landeshauptstadt München"}
    one = activity_figures.commits_per_month(con, "munich", months=3, now=NOW)
    assert list(one["commits"]) == [2, 2, 0]
    assert activity_figures.commits_per_month(con, "vng", months=3, now=NOW).empty


def test_commits_per_month_is_bounded(con, monkeypatch):
    monkeypatch.setattr(activity_figures, "MAX_CHART_POINTS", 3)
    df = activity_figures.commits_per_month(con, months=3, now=NOW)
    assert set(df["entity_id"]) == {"dortmund"}  # the busier entity in the range (5 vs 4)
    assert len(df) == 3
    # Any number of months is clamped to what a chart can hold.
    assert len(activity_figures.commits_per_month(con, months=10_000, now=NOW)) <= 2 * activity_figures.MAX_MONTHS


def test_months_are_utc_calendar_months():
    con = duckdb.connect()
    schema.migrate(con)
    con.execute("INSERT INTO entities VALUES ('x', 'X', 'DE', 'local', NULL)")
    con.execute(
        "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork,"
        " stars, forks_count, open_issues) VALUES ('github', 'github.com', 'x/r', 'x', 'x', 'r',"
        " false, false, 0, 0, 0)"
    )
    # 01:30 on 1 June in Berlin is still 31 May in UTC.
    berlin_summer = timezone(timedelta(hours=2))
    con.execute(
        "INSERT INTO commits (forge, host, repo_path, sha, committed_at) VALUES"
        " ('github', 'github.com', 'x/r', 's', ?)",
        [datetime(2025, 6, 1, 1, 30, tzinfo=berlin_summer)],
    )
    con.execute("SET TimeZone = 'Asia/Tokyo'")  # the session zone must not matter
    df = activity_figures.commits_per_month(con, months=2, now=NOW)
    assert [(m.strftime("%Y-%m"), c) for m, c in zip(df["month"], df["commits"])] == [
        ("2025-05", 1), ("2025-06", 0),
    ]


def test_entity_and_entities(con):
    assert list(directory.entities(con)["entity_id"]) == ["munich", "dortmund", "vng"]
    assert directory.entity(con, "dortmund") == {
        "entity_id": "dortmund", "name": "Stadt Dortmund", "country": "DE",
        "archetype": "local", "email_domains": ["dortmund.de"],
    }
    assert directory.entity(con, "vng")["email_domains"] == []
    assert directory.entity(con, "nope") is None
    # A value that would break string-built SQL is just a value.
    assert directory.entity(con, "x' OR '1'='1") is None


def test_data_freshness_and_has_data(con, tmp_path):
    runs = run_log.data_freshness(con)
    assert len(runs) == 1
    assert (int(runs.iloc[0]["run_id"]), runs.iloc[0]["status"]) == (2, "ok")
    assert run_log.has_data(con)

    empty = tmp_path / "empty.duckdb"
    with duckdb.connect(str(empty)) as w:
        schema.migrate(w)
    fresh = reader.open_readonly(empty)
    assert not run_log.has_data(fresh)
    assert run_log.data_freshness(fresh).empty
    assert activity_figures.entity_overview(fresh).empty
    fresh.close()
    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    assert not run_log.has_data(reader.open_readonly(bare))


# --- reader ----------------------------------------------------------------------------------


def _single_entity_file(path: Path, name: str) -> None:
    with duckdb.connect(str(path)) as w:
        schema.migrate(w)
        w.execute("INSERT INTO entities VALUES ('e', ?, 'DE', 'local', NULL)", [name])


def test_snapshot_key_changes_on_publish_and_reader_follows(tmp_path):
    published = tmp_path / "ossdash.duckdb"
    _single_entity_file(published, "first")
    before = reader.snapshot_key(published)
    old = reader.open_readonly(published)

    work = tmp_path / "ossdash.duckdb.work"
    _single_entity_file(work, "second")
    os.replace(work, published)

    assert reader.snapshot_key(published) != before
    new = reader.open_readonly(published)
    # DuckDB caches database instances by path; the reader must still see the new file...
    assert directory.entity(new, "e")["name"] == "second"
    # ...while a connection opened before keeps a consistent view of the old one.
    assert directory.entity(old, "e")["name"] == "first"
    old.close()
    new.close()


def test_reader_is_read_only_and_errors_are_typed(warehouse_file, tmp_path):
    con = reader.open_readonly(warehouse_file)
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM entities")
    cur = reader.cursor(con)
    assert cur.execute("SELECT count(*) FROM entities").fetchall() == [(3,)]
    cur.close()
    con.close()

    with pytest.raises(reader.DatabaseMissing):
        reader.open_readonly(tmp_path / "missing.duckdb")
    with pytest.raises(reader.DatabaseMissing):
        reader.snapshot_key(tmp_path / "missing.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    with pytest.raises(reader.DatabaseUnreadable):
        reader.open_readonly(junk)


# --- pure helpers ----------------------------------------------------------------------------


def test_chart_has_title_axes_and_tooltips(con):
    spec = charts.commits_per_month(activity_figures.commits_per_month(con, months=3, now=NOW)).to_dict()
    assert spec["title"] == "Commits per month"
    assert spec["encoding"]["x"]["title"] == "Month"
    assert spec["encoding"]["y"]["title"] == "Commits"
    assert spec["encoding"]["color"]["title"] == "Entity"
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Entity", "Month", "Commits"]
    single = charts.commits_per_month(activity_figures.commits_per_month(con, "munich", months=3, now=NOW))
    assert single.to_dict()["mark"]["type"] == "bar"


def test_text_is_made_inert():
    assert md_escape("[x](javascript:alert(1)) <b>**y**</b>\n# h") == (
        r"\[x\]\(javascript\:alert\(1\)\) \<b\>\*\*y\*\*\<\/b\> \# h"
    )
    assert web_url("https://github.com/a/b") == "https://github.com/a/b"
    assert web_url("javascript:alert(1)") is None
    assert web_url(None) is None
    csv = csv_bytes(pd.DataFrame({"d": ["=1+1", "ok", None], "n": [-1, 2, 3]})).decode()
    assert csv.splitlines() == ["d,n", "'=1+1,-1", "ok,2", ",3"]


def test_streamlit_command_and_environment(tmp_path, monkeypatch):
    cmd = serve.streamlit_command(tmp_path / "x.duckdb", 8601)
    assert cmd == [
        sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", "8601",
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
    ]
    assert serve.streamlit_command("x", 1, "0.0.0.0")[8] == "0.0.0.0"
    monkeypatch.chdir(tmp_path)
    env = serve.child_environment("rel.duckdb")
    assert env["OSSDASH_DB"] == str(tmp_path / "rel.duckdb")
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(APP.parent.parent)


# --- the app ---------------------------------------------------------------------------------


@pytest.fixture
def live_db(tmp_path, monkeypatch) -> Path:
    # The app counts against the real clock, so the data is built relative to it.
    path = tmp_path / "ossdash.duckdb"
    build_warehouse(path, datetime.now(UTC))
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return path


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.caption, *at.markdown, *at.info, *at.warning)]
    return "\n".join(str(p) for p in parts)


# Commits in the app's default period (365 days up to now), from the rows above: dortmund
# a1..a6 and o2 = 7 (o1 is 600 days old), munich m1..m4 = 4, vng none.
EXPECTED_PERIOD = {"dortmund": (2, 7), "munich": (1, 4), "vng": (0, 0)}


def test_overview_page_shows_entity_figures(live_db):
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Ecosystem overview"
    table = at.dataframe[0].value.set_index("entity_id")
    for entity_id, (repos, commits) in EXPECTED_PERIOD.items():
        row = table.loc[entity_id]
        assert (row["repos"], row["commits"]) == (repos, commits), entity_id
    assert table.loc["munich", "name"] == "Landeshauptstadt München"
    assert [m.value for m in at.metric][:3] == ["3", "3", "11"]
    assert at.download_button[0].label == "Download CSV"
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert "run 2, ok" in at.sidebar.caption[0].value


def test_entity_page_from_query_param(live_db):
    at = _app().run()
    at.query_params["entity"] = "dortmund"
    at.switch_page("views/entity.py").run()
    assert not at.exception
    repos = next(d.value for d in at.dataframe if "description" in d.value.columns)
    assert sorted(repos["path"]) == ["stadt-dortmund/app", "stadt-dortmund/old"]
    repos = repos.set_index("path")
    assert repos.loc["stadt-dortmund/app", "commits"] == 6 and repos.loc["stadt-dortmund/old", "commits"] == 1
    # No address of the forge is a link in this table (a row opens the project page, whose link
    # button takes only http(s) addresses); the HTML in a description stays text.
    shown = json.loads(next(d.proto.columns for d in at.dataframe if "description" in d.value.columns))
    assert not any(c.get("type_config", {}).get("type") == "link" for c in shown.values())
    assert "<script>" in repos.loc["stadt-dortmund/app", "description"]
    assert at.title[0].value == "Entity"
    assert at.header[0].value == md_escape("Stadt Dortmund")
    figures = {m.label: m.value for m in at.metric}
    assert (figures["Repositories"], figures["Commits, last 365 days"]) == ("2", "7")
    assert at.query_params["entity"] == "dortmund"
    assert at.download_button[0].label == "Download CSV"


def test_entity_page_selectbox(live_db):
    at = _app().run()
    at.switch_page("views/entity.py").run()
    assert not at.exception
    assert at.main.selectbox[0].value == "munich"  # first by name
    at.main.selectbox[0].select("vng").run()
    assert not at.exception
    assert at.query_params["entity"] == "vng"
    assert "No repositories have been collected" in _texts(at)
    assert "No commits in the last 12 months" in _texts(at)


def test_entity_page_unknown_id(live_db):
    at = _app()
    at.query_params["entity"] = "atlantis"
    at.run()
    at.switch_page("views/entity.py").run()
    assert not at.exception
    assert "atlantis" in at.warning[0].value
    assert at.main.selectbox[0].value == "munich"


def test_empty_state_when_database_missing(tmp_path, monkeypatch):
    missing = tmp_path / "nothing-here.duckdb"
    monkeypatch.setenv("OSSDASH_DB", str(missing))
    at = _app().run()
    assert not at.exception
    assert "No warehouse has been published yet" in at.info[0].value
    text = _texts(at)
    # The commands that create exactly the file being served.
    assert f"ossdash demo --no-serve --db {missing}" in text
    assert f"ossdash collect --config cities.toml --db {missing}" in text
    assert not at.dataframe


def test_empty_state_when_database_has_no_data(tmp_path, monkeypatch):
    path = tmp_path / "ossdash.duckdb"
    with duckdb.connect(str(path)) as w:
        schema.migrate(w)
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = _app().run()
    assert not at.exception
    assert "holds no data" in at.info[0].value


def test_app_picks_up_a_newly_published_snapshot(live_db):
    at = _app().run()
    assert len(at.dataframe[0].value) == 3
    work = live_db.with_name("ossdash.duckdb.work")
    build_warehouse(work, datetime.now(UTC))
    with duckdb.connect(str(work)) as w:
        w.execute("INSERT INTO entities VALUES ('oslo', 'Oslo kommune', 'NO', 'local', NULL)")
    os.replace(work, live_db)
    at.run()
    assert not at.exception
    assert "oslo" in set(at.dataframe[0].value["entity_id"])
