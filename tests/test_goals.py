"""Goals for councils on a small hand-built warehouse, against hand-worked answers.

"Today" is 2025-06-30 throughout. The world:

- dortmund (GitHub stadtdortmund, openCoDE stadt-dortmund):
  r1  github stadtdortmund/r1, created 2024-01-10, MIT, has publiccode.yml; commits c1 2024-01-15,
      c2 2025-05-01 (dave@dortmund.de)
  r1m opencode stadt-dortmund/r1, created 2024-03-01, no licence detected, same commits: a mirror
  r2  github stadtdortmund/r2, created 2024-07-15, NOASSERTION; commit c3 2024-08-01 by
      alice@muenchen.de (a contribution by muenchen)
  r3  github stadtdortmund/r3, created 2025-02-01, GPL-3.0-or-later, no commits
  r4  github stadtdortmund/r4, a fork (left out of every goal metric), MIT
  it-at-m forks r1 (listed in r1's forks): dortmund's r1 is reused by muenchen.
- muenchen (GitHub it-at-m): m1 created 2023-01-01, EUPL-1.2, commit c9 2023-01-02 (alice).
- empty: no repositories.

Commits are at 12:00 UTC.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from collectors.registry import parse_registry
from warehouse import goals, reuse
from warehouse.identities import rebuild_identities
from warehouse.schema import migrate
from warehouse.state import sync_registry

TODAY = date(2025, 6, 30)

ENTITIES = """\
[[entity]]
id = "dortmund"
name = "Stadt Dortmund"
country = "DE"
archetype = "local"
email_domains = ["dortmund.de"]
  [[entity.account]]
  forge = "github"
  owner = "stadtdortmund"
  [[entity.account]]
  forge = "opencode"
  owner = "stadt-dortmund"
{dortmund_goals}

[[entity]]
id = "muenchen"
name = "Landeshauptstadt München"
country = "DE"
archetype = "local"
email_domains = ["muenchen.de"]
  [[entity.account]]
  forge = "github"
  owner = "it-at-m"
{muenchen_goals}

[[entity]]
id = "empty"
name = "Gemeinde Leer"
country = "DE"
archetype = "local"
{empty_goals}
"""


def goal(metric, target, deadline):
    return f"  [[entity.goal]]\n  metric = \"{metric}\"\n  target = {target}\n  deadline = {deadline}\n"


DORTMUND_GOALS = [
    ("public_repos", 3, "2027-01-01"),      # 1 achieved: 3 >= 3
    ("public_repos", 4.8, "2026-02-25"),    # 2 on track: projected 5 >= 4.8
    ("public_repos", 5.5, "2026-02-25"),    # 3 at risk: 4.95 <= 5 < 5.5
    ("public_repos", 8, "2026-02-25"),      # 4 off track: 5 < 7.2
    ("public_repos", 4, "2025-01-01"),      # 5 off track: deadline passed, 3 < 4
    ("osi_licence_share", 0.6, "2026-12-31"),  # 6 achieved: 2/3
    ("publiccode_share", 0.5, "2026-12-31"),   # 7 off track: flat 1/3 < 0.45
    ("reused_by_others", 1, "2026-12-31"),     # 8 achieved: 1
    ("active_share", 0.3, "2026-12-31"),       # 9 achieved: 1/3
]
MUENCHEN_GOALS = [("contributions_to_others", 10, "2026-06-30")]
EMPTY_GOALS = [("public_repos", 1, "2026-06-30"), ("publiccode_share", 0.5, "2026-06-30")]


def registry_text(since: str | None = None) -> str:
    text = ENTITIES.format(
        dortmund_goals="".join(goal(*g) for g in DORTMUND_GOALS),
        muenchen_goals="".join(goal(*g) for g in MUENCHEN_GOALS),
        empty_goals="".join(goal(*g) for g in EMPTY_GOALS),
    )
    return (f"[defaults]\nsince = {since}\n\n" if since else "") + text


GH = "'github', 'github.com'"
OC = "'opencode', 'gitlab.opencode.de'"


def build(con, since: str | None = None):
    migrate(con)
    registry = parse_registry(registry_text(since))
    sync_registry(con, registry)
    repos = [
        (GH, "stadtdortmund/r1", "dortmund", "stadtdortmund", "'MIT'", False, "2024-01-10"),
        (OC, "stadt-dortmund/r1", "dortmund", "stadt-dortmund", "NULL", False, "2024-03-01"),
        (GH, "stadtdortmund/r2", "dortmund", "stadtdortmund", "'NOASSERTION'", False, "2024-07-15"),
        (GH, "stadtdortmund/r3", "dortmund", "stadtdortmund", "'GPL-3.0-or-later'", False, "2025-02-01"),
        (GH, "stadtdortmund/r4", "dortmund", "stadtdortmund", "'MIT'", True, "2025-03-01"),
        (GH, "it-at-m/m1", "muenchen", "it-at-m", "'EUPL-1.2'", False, "2023-01-01"),
    ]
    for fh, path, entity, owner, lic, fork, created in repos:
        con.execute(
            "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, license_spdx, archived,"
            " is_fork, fork_parent, stars, forks_count, open_issues, created_at) VALUES"
            f" ({fh}, '{path}', '{entity}', '{owner}', '{path.split('/')[-1]}', {lic}, false, {str(fork).lower()},"
            f" {'%s' % (chr(39) + 'someone/x' + chr(39)) if fork else 'NULL'}, 0, 0, 0, TIMESTAMPTZ '{created} 00:00:00+00')"
        )
    commits = [
        (GH, "stadtdortmund/r1", "c1", "dave", "dave@dortmund.de", "2024-01-15"),
        (GH, "stadtdortmund/r1", "c2", "dave", "dave@dortmund.de", "2025-05-01"),
        (OC, "stadt-dortmund/r1", "c1", None, "dave@dortmund.de", "2024-01-15"),
        (OC, "stadt-dortmund/r1", "c2", None, "dave@dortmund.de", "2025-05-01"),
        (GH, "stadtdortmund/r2", "c3", "alice", "alice@muenchen.de", "2024-08-01"),
        (GH, "it-at-m/m1", "c9", "alice", "alice@muenchen.de", "2023-01-02"),
    ]
    for fh, path, sha, login, email, at in commits:
        login_sql = "NULL" if login is None else f"'{login}'"
        con.execute(
            "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name, committed_at)"
            f" VALUES ({fh}, '{path}', '{sha}', {login_sql}, '{email}', '{email.split('@')[0]}',"
            f" TIMESTAMPTZ '{at} 12:00:00+00')"
        )
    con.execute(
        f"INSERT INTO root_files VALUES ({GH}, 'stadtdortmund/r1', true, true, false, false, false, true, 'x',"
        " ['README.md', 'LICENSE', 'publiccode.yml'])"
    )
    con.execute(f"INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner) VALUES ({GH}, 'stadtdortmund/r1', 'it-at-m/r1', 'it-at-m')")
    rebuild_identities(con, registry)
    reuse.refresh_reuse(con)
    return registry


@pytest.fixture
def world(tmp_path):
    con = duckdb.connect(str(tmp_path / "goals.duckdb"))
    registry = build(con)
    yield con, registry
    con.close()


def _values(df: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    return {(r.entity_id, r.metric): (None if pd.isna(r.value) else r.value) for r in df.itertuples()}


# --------------------------------------------------------------------------- licences


def test_osi_share_follows_the_hygiene_judgement(world):
    con, registry = world
    # The health metrics' repo_hygiene judges licences against the SPDX list (migration 004):
    # an expression counts when it evaluates to OSI-approved; publiccode.yml legal.license stands
    # in for a forge that names no licence. r2 (NOASSERTION) gets "MIT OR Apache-2.0" from its
    # publiccode.yml: 3 of 3; then r3 becomes "CC-BY-4.0" (not OSI-approved): 2 of 3.
    con.execute(
        f"INSERT INTO publiccode (forge, host, repo_path, valid, license) VALUES ({GH}, 'stadtdortmund/r2', true,"
        " 'MIT OR Apache-2.0')"
    )
    v = _values(goals.goal_values(con, registry, TODAY, metrics=["osi_licence_share", "publiccode_share"]))
    assert v[("dortmund", "osi_licence_share")] == 1.0
    # r2 now has a publiccode.yml too (a parsed file counts even without a root listing): 2 of 3
    assert v[("dortmund", "publiccode_share")] == pytest.approx(2 / 3)
    con.execute("UPDATE repos SET license_spdx = 'CC-BY-4.0' WHERE path = 'stadtdortmund/r3'")
    v = _values(goals.goal_values(con, registry, TODAY, metrics=["osi_licence_share"]))
    assert v[("dortmund", "osi_licence_share")] == pytest.approx(2 / 3)


# --------------------------------------------------------------------------- values


def test_goal_values(world):
    con, registry = world
    v = _values(goals.goal_values(con, registry, TODAY))
    assert v == {
        # dortmund: projects r1 (+ mirror r1m, once), r2, r3; the fork r4 is left out
        ("dortmund", "public_repos"): 3,
        ("dortmund", "osi_licence_share"): pytest.approx(2 / 3),   # MIT (r1), GPL-3.0-or-later (r3)
        ("dortmund", "publiccode_share"): pytest.approx(1 / 3),    # r1
        ("dortmund", "active_share"): pytest.approx(1 / 3),        # c2 2025-05-01 in r1
        ("dortmund", "contributions_to_others"): 0,
        ("dortmund", "reused_by_others"): 1,                       # r1 forked by it-at-m
        ("muenchen", "public_repos"): 1,
        ("muenchen", "osi_licence_share"): 1.0,                    # EUPL-1.2
        ("muenchen", "publiccode_share"): 0.0,
        ("muenchen", "active_share"): 0.0,                         # last commit 2023
        ("muenchen", "contributions_to_others"): 1,                # alice's c3 in dortmund's r2
        ("muenchen", "reused_by_others"): 0,
        ("empty", "public_repos"): 0,
        ("empty", "osi_licence_share"): None,                      # a share of nothing: no data
        ("empty", "publiccode_share"): None,
        ("empty", "active_share"): None,
        ("empty", "contributions_to_others"): 0,
        ("empty", "reused_by_others"): 0,
    }


def test_values_on_an_earlier_day(world):
    con, registry = world
    # 2024-08-31: r1 and r2 exist; c3 (2024-08-01) lies in the 90 days, c1 (2024-01-15) does not.
    v = _values(goals.goal_values(con, registry, date(2024, 8, 31), metrics=["public_repos", "active_share"]))
    assert v[("dortmund", "public_repos")] == 2
    assert v[("dortmund", "active_share")] == 0.5
    # 2024-07-31 ends before c3 (2024-08-01 12:00): nothing active.
    v = _values(goals.goal_values(con, registry, date(2024, 7, 31), metrics=["active_share"]))
    assert v[("dortmund", "active_share")] == 0.0


# --------------------------------------------------------------------------- reconstruction


def test_reconstruct_history(world):
    con, registry = world
    h = goals.reconstruct_history(con, registry, months=15, today=TODAY)
    ends = [date(2024, m, d) for m, d in ((3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30),
                                          (10, 31), (11, 30), (12, 31))]
    ends += [date(2025, m, d) for m, d in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31))]

    def series(entity, metric):
        s = h[(h["entity_id"] == entity) & (h["metric"] == metric)]
        return dict(zip(s["snapshot_date"], s["value"]))

    # r1's project from 2024-01-10, r2 from 2024-07-15, r3 from 2025-02-01
    assert series("dortmund", "public_repos") == dict(zip(ends, [1] * 4 + [2] * 7 + [3] * 4))
    # 90-day windows end at the end of each day: only c1 (Mar 2024), c3 (Aug, Sep 2024), c2 (May 2025)
    assert series("dortmund", "active_share") == dict(zip(ends, [
        1.0, 0.0, 0.0, 0.0,                    # Mar-Jun 2024: r1 alone
        0.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0,    # Jul 2024-Jan 2025: r1, r2
        0.0, 0.0, 0.0, pytest.approx(1 / 3),  # Feb-May 2025: r1, r2, r3
    ]))
    assert series("muenchen", "public_repos") == dict(zip(ends, [1] * 15))
    assert series("muenchen", "active_share") == dict(zip(ends, [0.0] * 15))
    # alice's first commit in dortmund's r2: 2024-08-01
    assert series("muenchen", "contributions_to_others") == dict(zip(ends, [0] * 5 + [1] * 10))
    assert series("empty", "public_repos") == dict(zip(ends, [0] * 15))
    assert series("empty", "active_share") == {}  # no projects: no data, no row
    assert set(h["metric"]) == {"public_repos", "active_share", "contributions_to_others"}


def test_reconstruction_respects_history_horizon(tmp_path):
    con = duckdb.connect(str(tmp_path / "since.duckdb"))
    registry = build(con, since="2024-06-01")
    h = goals.reconstruct_history(con, registry, months=15, today=TODAY)
    active = h[(h["entity_id"] == "dortmund") & (h["metric"] == "active_share")]
    # A 90-day window must start on or after 2024-06-01: 2024-08-31's starts 2024-06-03,
    # 2024-07-31's starts 2024-05-03.
    assert min(active["snapshot_date"]) == date(2024, 8, 31)
    assert len(active) == 10
    con.close()


# --------------------------------------------------------------------------- snapshots


def test_snapshots_are_idempotent_per_day(world):
    con, registry = world
    assert goals.write_snapshots(con, registry, today=TODAY) == 18  # 3 entities x 6 metrics

    def observed():
        return con.execute(
            "SELECT snapshot_date, entity_id, metric, value FROM goal_snapshots WHERE source = 'observed'"
            " ORDER BY ALL"
        ).fetchall()

    def reconstructed():
        return con.execute("SELECT count(*), max(snapshot_date) FROM goal_snapshots WHERE source = 'reconstructed'").fetchall()[0]

    first = observed()
    assert len(first) == 18
    # 24 month ends 2023-06-30 .. 2025-05-31: public_repos and contributions for 3 entities
    # (2 x 72), active_share for muenchen (24) and dortmund from Jan 2024 (17).
    assert reconstructed() == (185, date(2025, 5, 31))
    goals.write_snapshots(con, registry, today=TODAY)
    assert observed() == first
    assert reconstructed() == (185, date(2025, 5, 31))
    # New data the same day replaces that day's values; still one row per (day, entity, metric).
    con.execute(
        "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork, stars,"
        " forks_count, open_issues, created_at) VALUES ('github', 'github.com', 'stadtdortmund/r5', 'dortmund',"
        " 'stadtdortmund', 'r5', false, false, 0, 0, 0, TIMESTAMPTZ '2025-06-29 00:00:00+00')"
    )
    goals.write_snapshots(con, registry, today=TODAY)
    again = observed()
    assert len(again) == 18
    assert dict(((e, m), v) for _, e, m, v in again)[("dortmund", "public_repos")] == 4
    # Another day adds a snapshot; reconstructed rows stay before the first observed day.
    goals.write_snapshots(con, registry, today=date(2025, 7, 1))
    assert len(observed()) == 36
    # month ends 2023-07-31 .. 2025-06-30, those before 2025-06-30: 23 per entity and metric,
    # dortmund's active_share from Jan 2024: 17; muenchen's: 23.
    assert reconstructed() == (23 * 3 * 2 + 17 + 23, date(2025, 5, 31))
    hist = goals.goal_history(con, "dortmund", "public_repos")
    assert list(hist.columns) == ["snapshot_date", "entity_id", "metric", "value", "source"]
    assert list(hist["value"].iloc[-2:]) == [4.0, 4.0]


def test_sync_goals(world):
    con, registry = world
    assert goals.sync_goals(con, registry) == 12
    assert goals.sync_goals(con, registry) == 12
    rows = con.execute("SELECT entity_id, goal_no, metric, target, deadline FROM goals ORDER BY ALL").fetchall()
    assert len(rows) == 12
    assert rows[0] == ("dortmund", 1, "public_repos", 3.0, date(2027, 1, 1))
    assert ("empty", 2, "publiccode_share", 0.5, date(2026, 6, 30)) in rows


# --------------------------------------------------------------------------- progress


def test_trend_and_status_helpers():
    t = goals.fit_trend([(date(2025, 1, 1), 1.0), (date(2025, 1, 11), 2.0), (date(2025, 1, 21), 3.0)])
    assert t.slope_per_day == pytest.approx(0.1) and t.points == 3 and t.first == date(2025, 1, 1)
    assert goals.fit_trend([(date(2025, 1, 1), 1.0)]).slope_per_day is None
    assert goals.fit_trend([(date(2025, 1, 1), 1.0), (date(2025, 1, 5), 2.0)]).slope_per_day is None  # 4 days
    d, today = date(2026, 1, 1), date(2025, 1, 1)
    assert goals.goal_status(10, 10, 10, d, today) == "achieved"
    assert goals.goal_status(5, 10, 10, d, today) == "on track"
    assert goals.goal_status(5, 10, 9, d, today) == "at risk"
    assert goals.goal_status(5, 10, 8.99, d, today) == "off track"
    assert goals.goal_status(5, 10, 20, today, today) == "off track"  # deadline reached
    assert goals.goal_status(None, 10, None, d, today) == "no data"


def test_goal_progress(world):
    con, registry = world
    # An observed snapshot 120 days before today: public_repos was 2. With today's 3, the trend is
    # 1/120 per day (0.25 a month); 240 days to 2026-02-25 project 3 + 2 = 5.
    con.execute("INSERT INTO goal_snapshots VALUES (DATE '2025-03-02', 'dortmund', 'public_repos', 2, 'observed')")
    p = goals.goal_progress(con, registry, today=TODAY)
    assert list(p.columns) == ["entity_id", "goal_no", "metric", "unit", "target", "deadline", "as_of", "value",
                               "trend_per_month", "trend_points", "trend_from", "reconstructed", "days_left",
                               "projected", "status"]
    d = p[p["entity_id"] == "dortmund"].set_index("goal_no")
    assert list(d["status"]) == ["achieved", "on track", "at risk", "off track", "off track",
                                 "achieved", "off track", "achieved", "achieved"]
    assert d.loc[2, "value"] == 3
    assert d.loc[2, "trend_per_month"] == pytest.approx(0.25)
    assert d.loc[2, "days_left"] == 240
    assert d.loc[2, "projected"] == pytest.approx(5.0)
    assert d.loc[2, "trend_points"] == 2 and d.loc[2, "trend_from"] == date(2025, 3, 2)
    assert not d.loc[2, "reconstructed"]
    assert d.loc[5, "days_left"] == -180
    # publiccode_share: no history stored and none to reconstruct: flat projection of 1/3.
    assert d.loc[7, "trend_points"] == 1 and pd.isna(d.loc[7, "trend_per_month"])
    assert d.loc[7, "projected"] == pytest.approx(1 / 3)
    assert d.loc[7, "unit"] == "share" and d.loc[2, "unit"] == "count"
    # muenchen: nothing stored, so reconstructed history (12 month ends) + today: 0 0 then 1 x 11.
    m = p[p["entity_id"] == "muenchen"].iloc[0]
    assert m["value"] == 1 and m["reconstructed"] and m["trend_points"] == 13
    assert m["trend_per_month"] > 0 and m["projected"] < 9 and m["status"] == "off track"
    # empty: 0 repositories all along: flat at 0, off track; a share of nothing: no data.
    e = p[p["entity_id"] == "empty"].set_index("goal_no")
    assert e.loc[1, "value"] == 0 and e.loc[1, "projected"] == 0 and e.loc[1, "status"] == "off track"
    assert pd.isna(e.loc[2, "value"]) and e.loc[2, "status"] == "no data"
    # One entity only.
    assert set(goals.goal_progress(con, registry, entity_id="empty", today=TODAY)["entity_id"]) == {"empty"}


def test_goal_progress_from_goals_table_and_custom_metric(world):
    con, registry = world
    goals.sync_goals(con, registry)

    @goals.register_metric("repos_with_commits", description="repositories with at least one commit")
    def _with_commits(con, entity_ids, day):
        rows = con.execute(
            "SELECT r.entity_id, count(DISTINCT r.path) FROM repos r JOIN commits c"
            " ON c.forge = r.forge AND c.host = r.host AND c.repo_path = r.path GROUP BY r.entity_id"
        ).fetchall()
        found = dict(rows)
        return {e: float(found.get(e, 0)) for e in entity_ids}

    try:
        con.execute("INSERT INTO goals VALUES ('dortmund', 99, 'repos_with_commits', 3, DATE '2026-01-01')")
        p = goals.goal_progress(con, None, entity_id="dortmund", today=TODAY)
        assert len(p) == 10  # nine from the registry, one added
        row = p[p["goal_no"] == 99].iloc[0]
        # r1, r1m, r2 have commits
        assert row["value"] == 3 and row["status"] == "achieved" and row["unit"] == "count"
    finally:
        goals.METRICS.pop("repos_with_commits", None)


def test_no_goals_and_no_data(tmp_path):
    con = duckdb.connect(str(tmp_path / "none.duckdb"))
    migrate(con)
    registry = parse_registry('[[entity]]\nid = "x"\nname = "X"\ncountry = "DE"\narchetype = "local"\n')
    sync_registry(con, registry)
    assert goals.goal_progress(con, registry, today=TODAY).empty
    v = _values(goals.goal_values(con, registry, TODAY))
    assert v[("x", "public_repos")] == 0 and v[("x", "active_share")] is None
    assert goals.write_snapshots(con, registry, today=TODAY) == 6
    con.close()
