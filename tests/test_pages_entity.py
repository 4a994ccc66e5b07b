"""The entity page on the collected simulator warehouse: accounts, repositories, activity, reuse
and goals agree with the simulator's ground truth, in both languages, with the filters."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from collectors.simulator.streams import HOSTILE_DESCRIPTION
from dashboard.i18n import Translator
from dashboard.text import md_escape
from warehouse import metrics, reader
from warehouse.goals import STATUSES

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
COUNTRY, ARCHETYPE, FORGE, PERIOD = range(4)
STAGES_EN = {"active", "declining", "inactive", "abandoned", "archived", "no data"}
STAGES_DE = {"aktiv", "rückläufig", "inaktiv", "verwaist", "archiviert", "keine Daten"}


def _app(path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("views/entity.py")
    return at


@pytest.fixture
def open_entity(demo_db, monkeypatch):
    path, _ = demo_db
    return lambda **params: _app(path, monkeypatch, **params)


# --------------------------------------------------------------------------- ground truth


def world_repos(world, entity_id, forge=None):
    accounts = {(a.forge, a.path) for a in world.accounts if a.entity_id == entity_id}
    return [r for r in world.repos if (r.forge, r.account) in accounts and (forge is None or r.forge == forge)]


def window_commits(repos, days, now):
    since = now - timedelta(days=days)
    commits = {c.sha: c for r in repos for c in r.commits if since <= c.committed_at <= now}
    return len(commits), len({c.author.login for c in commits.values() if not c.author.bot})


def owner_of(world, forge, path):
    """The entity whose registry account holds ``path`` (namespaces nest), if any."""
    best = None
    for a in world.accounts:
        within = a.forge == forge and (path == a.path or path.startswith(a.path + "/"))
        if within and (best is None or len(a.path) > len(best.path)):
            best = a
    return best.entity_id if best else None


def used_by(world, repo):
    text = repo.files.get("publiccode.yml")
    try:
        doc = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return []
    return [str(n) for n in (doc or {}).get("usedBy", [])] if isinstance(doc, dict) else []


def entity_named(world, text):
    return next((e.id for e in world.entities if e.name.casefold() == text.casefold()), None)


# --------------------------------------------------------------------------- helpers


def run_timed(at: AppTest) -> tuple[datetime, ...]:
    """Run; return the moments the app's windows may end at: the clock before and after the run,
    and the moment the warehouse's metrics are as of (the last collection), when they say so."""
    before = datetime.now(UTC)
    at.run()
    ends = [before, datetime.now(UTC)]
    as_of = getattr(metrics, "as_of", None)
    if as_of is not None:
        con = reader.open_readonly(os.environ["OSSDASH_DB"])
        try:
            moment = as_of(con)
        finally:
            con.close()
        if moment is not None:
            ends.append(moment)
    return tuple(ends)


def figures(at):
    return {m.label: m.value for m in at.metric}


def frame(at, *columns):
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with {columns}")


def assert_clean(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# --------------------------------------------------------------------------- tests


def test_entity_page_lists_exactly_its_accounts_and_repositories(open_entity, demo_db):
    _, world = demo_db
    at = open_entity(entity="neustadt")
    ends = run_timed(at)
    assert_clean(at)
    assert at.title[0].value == "Entity"
    assert at.header[0].value == md_escape("Stadt Neustadt")
    assert at.query_params["entity"] == "neustadt"

    expected = world_repos(world, "neustadt")
    repos = frame(at, "path", "description", "stage_label", "score")
    # A mirror of one of the entity's own repositories is shown once, on its original's row.
    mirrors = [r for r in expected if r.mirror_of]
    assert mirrors, "the test world gives Neustadt a mirror"
    assert sorted(zip(repos["forge"], repos["path"])) == sorted((r.forge, r.path) for r in expected if not r.mirror_of)
    for mirror in mirrors:
        forge, path = mirror.mirror_of.split(":", 1)
        note = repos.set_index(["forge", "path"]).loc[(forge, path), "mirror_note"]
        assert note == f"also on {mirror.path} ({Translator('en').label('forge', mirror.forge)})"
    assert any("1 mirror of one of these repositories is shown with it" in c.value for c in at.caption)
    assert figures(at)["Repositories"] == str(len(expected))
    assert figures(at)["Projects"] == str(len(expected) - len(mirrors))
    assert set(repos["stage_label"]) <= STAGES_EN
    accounts = frame(at, "owner", "repos", "web_url")
    assert sorted(zip(accounts["forge"], accounts["owner"])) == sorted(
        (a.forge, a.path) for a in world.accounts if a.entity_id == "neustadt")
    per_account = {(r.forge, r.account) for r in expected}
    for row in accounts.itertuples():
        assert row.repos == sum(1 for r in expected if (r.forge, r.account) == (row.forge, row.owner))
    assert len(per_account) == len(accounts)

    shown = figures(at)
    t = Translator("en")
    assert shown["Repositories"] == str(len(expected))
    assert (shown["Commits, last 365 days"], shown["Active contributors, last 365 days"]) in {
        (t.number(c), t.number(p)) for c, p in (window_commits(expected, 365, m) for m in ends)
    }
    assert len(at.get("vega_lite_chart")) == 2  # commits, contributors
    assert "Goals and council report" in [b.label for b in at.button]  # to the goals page, on this entity
    assert [d.label for d in at.download_button][:3] == ["Download CSV"] * 3


def test_forge_and_period_filters_narrow_the_entity_view(open_entity, demo_db):
    _, world = demo_db
    at = open_entity(entity="neustadt", forge="opencode", period="90")
    ends = run_timed(at)
    assert_clean(at)
    assert at.sidebar.selectbox[FORGE].value == "opencode" and at.sidebar.selectbox[PERIOD].value == 90
    expected = world_repos(world, "neustadt", forge="opencode")
    repos = frame(at, "path", "stage_label")
    assert set(repos["forge"]) == {"opencode"}
    assert sorted(repos["path"]) == sorted(r.path for r in expected)
    accounts = frame(at, "owner", "repos")
    assert list(accounts["forge"]) == ["opencode"]
    commits = {window_commits(expected, 90, m)[0] for m in ends}
    assert figures(at)["Commits, last 90 days"] in {Translator("en").number(c) for c in commits}
    assert int(repos["commits"].sum()) >= min(commits)  # per repository; the mirror's commits are its own


def test_hostile_description_is_shown_as_literal_text(open_entity, demo_db):
    _, world = demo_db
    civic = next(r for r in world.repos if r.description == HOSTILE_DESCRIPTION)
    owner = owner_of(world, civic.forge, civic.path)
    at = open_entity(entity=owner)
    at.run()
    assert_clean(at)
    repos = frame(at, "path", "description")
    assert HOSTILE_DESCRIPTION in set(repos["description"])
    # Nothing that Streamlit interprets as Markdown carries the raw markup.
    for element in (*at.markdown, *at.caption, *at.header, *at.subheader, *at.info, *at.warning):
        assert "<script" not in str(element.value) and "onerror=alert" not in str(element.value)


def test_reuse_edges_and_figures_match_the_world(open_entity, demo_db):
    _, world = demo_db
    at = open_entity(entity="civiclab")
    at.run()
    assert_clean(at)
    names = {e.id: e.name for e in world.entities}
    mine = world_repos(world, "civiclab")
    mine_paths = {(r.forge, r.path) for r in mine}

    # Others' forks of civiclab's repositories, held by registry accounts of other entities.
    forked = {(r.forge, r.parent): owner_of(world, r.forge, r.path) for r in world.repos
              if r.is_fork and (r.forge, r.parent) in mine_paths}
    forked = {k: v for k, v in forked.items() if v and v != "civiclab"}
    # Projects whose publiccode.yml names civiclab in usedBy, and civiclab's projects naming others.
    users_of_theirs = {owner_of(world, r.forge, r.path) for r in world.repos
                       if any(entity_named(world, n) == "civiclab" for n in used_by(world, r))} - {"civiclab"}
    reused_mine = {(r.forge, r.path) for r in mine
                   if any(entity_named(world, n) not in (None, "civiclab") for n in used_by(world, r))}
    assert forked or users_of_theirs  # the world gives this entity something to show

    edges = frame(at, "direction", "other", "kind_label", "weight", "evidence")
    ours = edges[edges["direction"] == "others use or contribute to ours"]
    theirs = edges[edges["direction"] == "we use or contribute to theirs"]
    assert set(ours.loc[ours["kind"] == "fork", "other"]) == {names[e] for e in forked.values()}
    assert set(theirs.loc[theirs["kind"] == "used_by", "other"]) == {names[e] for e in users_of_theirs}
    assert set(edges["kind_label"]) <= {"fork", "mirror", "used by (publiccode.yml)", "based on (publiccode.yml)",
                                        "contribution", "shared contributor"}
    shown = figures(at)
    assert shown["Projects reused by others"] == str(len(set(forked) | reused_mine))


@pytest.fixture
def with_goals(demo_db, tmp_path, monkeypatch):
    """A copy of the demo warehouse with two goals for neustadt (the simulator's registry has none)."""
    path, _ = demo_db
    copy = tmp_path / "goals.duckdb"
    shutil.copy(path, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("INSERT INTO goals VALUES ('neustadt', 1, 'public_repos', 20, ?),"
                    " ('neustadt', 2, 'osi_licence_share', 0.9, ?)", [date(2030, 12, 31), date(2028, 6, 30)])
    return lambda **params: _app(copy, monkeypatch, **params)


def test_goals_with_progress_in_both_languages(with_goals, demo_db):
    _, world = demo_db
    # Projects: the entity's non-fork repositories, a mirror counted once.
    projects = [r for r in world_repos(world, "neustadt") if not r.is_fork and not r.mirror_of]
    at = with_goals(entity="neustadt")
    at.run()
    assert_clean(at)
    goals = frame(at, "metric_label", "value_text", "target_text", "status_label")
    assert list(goals["metric_label"]) == ["Public repositories", "Share with an OSI-approved licence"]
    assert goals["value_text"].iloc[0] == str(len(projects))
    assert list(goals["target_text"]) == ["20", "90%"]
    assert list(goals["deadline_text"]) == ["31 December 2030", "30 June 2028"]
    assert set(goals["status_label"]) <= {Translator("en").label("status", s) for s in STATUSES}
    assert all(not text.endswith("%") for text in goals["trend_text"]), "share trends are in points"
    assert "Goals and council report" in [b.label for b in at.button]

    de = with_goals(entity="neustadt", lang="de")
    de.run()
    assert_clean(de)
    goals = frame(de, "metric_label", "status_label")
    assert list(goals["metric_label"]) == ["Öffentliche Repositorien", "Anteil mit OSI-anerkannter Lizenz"]
    assert list(goals["target_text"]) == ["20", "90\u00a0%"]
    assert list(goals["deadline_text"]) == ["31. Dezember 2030", "30. Juni 2028"]
    assert set(goals["status_label"]) <= {Translator("de").label("status", s) for s in STATUSES}


def test_german_entity_page(open_entity):
    at = open_entity(entity="neustadt", lang="de")
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Organisation"
    assert [s.value for s in at.subheader][:7] == [
        "Konten auf den Plattformen", "Repositorien", "openCoDE-Badges der Repositorien",
        "Standard for Public Code in den Repositorien",
        "Aktivität und Beitragende im Zeitverlauf",
        "Nachnutzung durch andere und Beiträge zu anderen", "Ziele",
    ]
    repos = frame(at, "path", "stage_label")
    assert set(repos["stage_label"]) <= STAGES_DE
    labels = json.loads(frame_proto(at, "stage_label").columns)
    assert labels["stage_label"]["label"] == "Lebensphase"
    assert "Noch keine" not in " ".join(i.value for i in at.info)
    assert any(i.value.startswith("Für diese Organisation sind keine Ziele festgelegt") for i in at.info)


def frame_proto(at, column):
    return next(d.proto for d in at.dataframe if column in d.value.columns)


def test_shared_link_with_entity_and_country(open_entity, demo_db):
    _, world = demo_db
    at = open_entity(entity="landesamt", country="DE")
    at.run()
    assert_clean(at)
    assert at.header[0].value == md_escape("Landesamt für IT")
    assert at.sidebar.selectbox[COUNTRY].value == "DE"
    chooser = at.main.selectbox[0]
    assert chooser.value == "landesamt"
    assert sorted(chooser.options) == sorted(e.name for e in world.entities if e.country == "DE")
    assert dict(at.query_params) == {"entity": "landesamt", "country": "DE"}

    # An entity outside the filters: said so (as text), and the first entity in them is shown.
    other = open_entity(entity="civiclab", country="DE")
    other.run()
    assert_clean(other)
    assert any("civiclab" in w.value for w in other.warning)
    assert other.main.selectbox[0].value in {e.id for e in world.entities if e.country == "DE"}


def test_choosing_another_entity(open_entity, demo_db):
    _, world = demo_db
    at = open_entity()
    at.run()
    assert_clean(at)
    at.main.selectbox[0].select("havenstad").run()
    assert_clean(at)
    assert at.query_params["entity"] == "havenstad"
    repos = frame(at, "path", "stage_label")
    assert sorted(repos["path"]) == sorted(r.path for r in world_repos(world, "havenstad"))
