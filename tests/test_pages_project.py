"""The project page and its warehouse queries on the collected simulator warehouse: releases,
forks, publiccode.yml, mirrors, responses and open issues agree with the simulator's ground truth."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboard import filters
from dashboard.i18n import Translator
from dashboard.text import md_escape
from warehouse import metrics, reader
from warehouse.metrics import Scope
from warehouse.pages import activity_figures, directory, repository

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
COUNTRY, ARCHETYPE, FORGE, PERIOD = range(4)
PARTS_EN = ["Activity", "Responsiveness", "Sustainability", "Community", "Hygiene", "Release cadence"]
PARTS_DE = ["Aktivität", "Reaktionsfähigkeit", "Nachhaltigkeit", "Gemeinschaft", "Projektpflege",
            "Veröffentlichungsrhythmus"]


@pytest.fixture
def con(demo_db):
    connection = reader.open_readonly(demo_db[0])
    yield connection
    connection.close()


@pytest.fixture
def hosts(con):
    """forge -> the host the simulator serves it under (it holds a slash: 127.0.0.1:port/github)."""
    return dict(con.execute("SELECT DISTINCT forge, host FROM repos").fetchall())


@pytest.fixture
def open_project(demo_db, monkeypatch):
    path, _ = demo_db

    def make(**params) -> AppTest:
        monkeypatch.setenv("OSSDASH_DB", str(path))
        at = AppTest.from_file(str(APP), default_timeout=60)
        for name, value in params.items():
            at.query_params[name] = value
        at.switch_page("views/project.py")
        return at

    return make


# --------------------------------------------------------------------------- ground truth


def owner_of(world, forge, path):
    best = None
    for a in world.accounts:
        within = a.forge == forge and (path == a.path or path.startswith(a.path + "/"))
        if within and (best is None or len(a.path) > len(best.path)):
            best = a
    return best.entity_id if best else None


def mirrored(world):
    mirror = next(r for r in world.repos if r.mirror_of)
    forge, _, path = mirror.mirror_of.partition(":")
    original = next(r for r in world.repos if r.forge == forge and r.path == path)
    return original, mirror


def first_response(item):
    answers = [c.created_at for c in item.comments
               if not c.system and not c.author.bot and c.author.login != item.author.login]
    return min(answers) if answers else None


def month_starts(now, months):
    index = now.year * 12 + now.month - 1
    return [datetime((index - k) // 12, (index - k) % 12 + 1, 1, tzinfo=UTC) for k in range(months - 1, -1, -1)]


def ends_of(con, before, after):
    """The moments the app's windows may end at: the clock around the run, and the moment the
    warehouse's metrics are as of (the last collection), when they say so."""
    as_of = getattr(metrics, "as_of", None)
    moment = as_of(con) if as_of is not None else None
    return (before, after) + ((moment,) if moment is not None else ())


def key_of(hosts, repo):
    return filters.repo_key(repo.forge, hosts[repo.forge], repo.path)


# --------------------------------------------------------------------------- helpers


def figures(at):
    return {m.label: m.value for m in at.metric}


def frame(at, *columns):
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with {columns}: {[list(d.value.columns) for d in at.dataframe]}")


def assert_clean(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# --------------------------------------------------------------------------- the page


def test_a_link_to_a_repository_opens_it_with_releases_and_its_mirror(open_project, demo_db, hosts):
    _, world = demo_db
    original, mirror = mirrored(world)
    at = open_project(repo=key_of(hosts, original))
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Project"
    assert at.header[0].value == md_escape(original.path)
    entity = owner_of(world, original.forge, original.path)
    assert at.query_params["entity"] == entity and at.query_params["repo"] == key_of(hosts, original)

    shown = figures(at)
    assert shown["Releases"] == str(len(original.releases))
    releases = frame(at, "tag", "published_at", "prerelease")
    assert list(releases["tag"]) == [r.tag for r in original.releases]  # newest first
    assert list(releases["prerelease"]) == [r.prerelease for r in original.releases]

    copies = frame(at, "role_label", "forge", "path")
    assert list(zip(copies["role_label"], copies["forge"], copies["path"])) == [("mirror", mirror.forge, mirror.path)]

    # The mirror's own page names the original.
    other = open_project(repo=key_of(hosts, mirror))
    other.run()
    assert_clean(other)
    copies = frame(other, "role_label", "forge", "path")
    assert list(zip(copies["role_label"], copies["forge"], copies["path"])) == [
        ("original", original.forge, original.path)]
    assert len(at.get("vega_lite_chart")) >= 5  # parts, commits, contributors, responses/ages, releases


def test_forks_and_their_owners(open_project, demo_db, hosts):
    _, world = demo_db
    # The repository with the most forks among those forked by a registry account.
    parents = [r for r in world.repos if any(owner_of(world, r.forge, f"{f.owner}/{f.name}") for f in r.forks)]
    repo = max(parents, key=lambda r: (len(r.forks), r.path))
    at = open_project(repo=key_of(hosts, repo))
    at.run()
    assert_clean(at)
    assert figures(at)["Forks"] == str(len(repo.forks))
    forks = frame(at, "fork_path", "fork_owner", "owner_entity")
    names = {e.id: e.name for e in world.entities}
    expected = {f"{f.owner}/{f.name}": names.get(owner_of(world, repo.forge, f"{f.owner}/{f.name}"))
                for f in repo.forks}
    # A fork outside the registry reads "–", never Streamlit's "None".
    got = {p: (None if e == "–" else e) for p, e in zip(forks["fork_path"], forks["owner_entity"])}
    assert got == expected
    assert not forks["owner_entity"].isna().any()
    assert any(v for v in got.values())


def test_publiccode_summary_and_an_invalid_file(open_project, demo_db, hosts):
    _, world = demo_db
    described = [r for r in world.repos if r.files.get("publiccode.yml")]
    valid = []
    for r in described:
        try:
            doc = yaml.safe_load(r.files["publiccode.yml"])
        except yaml.YAMLError:
            continue
        if isinstance(doc, dict) and doc.get("usedBy"):
            valid.append((r, doc))
    repo, doc = min(valid, key=lambda x: x[0].path)
    at = open_project(repo=key_of(hosts, repo))
    at.run()
    assert_clean(at)
    summary = frame(at, "field", "value", "key").set_index("key")["value"]
    assert summary["name"] == doc["name"]
    assert summary["used_by"] == "; ".join(doc["usedBy"])
    assert summary["description"] == doc["description"]["en"]["shortDescription"]
    assert summary["development_status"] == doc["developmentStatus"]
    assert summary["valid"] == "yes"
    assert not at.warning
    # In German the standard's words are translated, the file's own word kept beside them.
    german = open_project(repo=key_of(hosts, repo), lang="de")
    german.run()
    words = {"concept": "Konzept", "development": "in Entwicklung", "beta": "Beta", "stable": "stabil",
             "obsolete": "veraltet"}
    summary_de = frame(german, "field", "value", "key").set_index("key")["value"]
    assert summary_de["development_status"] == f"{words[doc['developmentStatus']]} ({doc['developmentStatus']})"

    broken = next(r for r in described if r.files["publiccode.yml"].startswith("publiccodeYmlVersion: '0.4'\nname: [unclosed"))
    bad = open_project(repo=key_of(hosts, broken), lang="de")
    bad.run()
    assert_clean(bad)
    summary = frame(bad, "field", "value", "key").set_index("key")["value"]
    assert summary["valid"] == "nein" and "YAML" in summary["errors"]
    assert any("nicht gültig" in w.value for w in bad.warning)


def test_health_breakdown_with_readable_inputs(open_project, demo_db, hosts, con):
    _, world = demo_db
    original, _ = mirrored(world)
    at = open_project(repo=key_of(hosts, original), period="180")
    before = datetime.now(UTC)
    at.run()
    ends = ends_of(con, before, datetime.now(UTC))
    assert_clean(at)
    parts = frame(at, "part_label", "score", "inputs_text", "why")
    assert list(parts["part_label"]) == PARTS_EN
    assert not any("{" in text or "_" in text for text in parts["inputs_text"])
    for row in parts.itertuples():
        assert bool(row.missing) == bool(row.why), row.part
        assert bool(row.missing) == pd.isna(row.score), row.part
    cadence = parts.set_index("part")["inputs_text"]["release_cadence"]
    expected = set()
    for end in ends:
        published = [r for r in original.releases if not r.prerelease and r.published_at <= end]
        recent = [r for r in published if r.published_at >= end - timedelta(days=180)]
        expected.add(f"{Translator('en').count('common.releases', len(recent))} in the period, {len(published)} in all")
    assert any(cadence.startswith(e) for e in expected), (cadence, expected)
    # The total is the repository's health score, as the metric computes it.
    score = metrics.health_score(con, Scope("repo", repo=(original.forge, hosts[original.forge], original.path)), days=180)
    assert figures(at)["Health score"] == Translator("en").number(score["score"].iloc[0])
    total = next(m.value for m in at.markdown if m.value.startswith("**Total:"))
    assert total.startswith(f"**Total: {figures(at)['Health score']}**")
    assert figures(at)["Lifecycle stage"] in {"active", "declining", "inactive", "abandoned", "archived", "no data"}


def test_filters_narrow_the_choice_and_the_period_applies(open_project, demo_db, hosts, con):
    _, world = demo_db
    at = open_project(entity="neustadt", forge="opencode", period="90")
    before = datetime.now(UTC)
    at.run()
    ends = ends_of(con, before, datetime.now(UTC))
    assert_clean(at)
    entity_box, repo_box = at.main.selectbox[0], at.main.selectbox[1]
    assert entity_box.value == "neustadt"
    opencode = [r for r in world.repos if r.forge == "opencode" and owner_of(world, r.forge, r.path) == "neustadt"]
    assert sorted(repo_box.options) == sorted(f"{r.path} (openCoDE)" for r in opencode)
    chosen = next(r for r in opencode if key_of(hosts, r) == repo_box.value)
    counts = {len({c.sha for c in chosen.commits if m - timedelta(days=90) <= c.committed_at <= m})
              for m in ends}
    assert figures(at)["Commits, last 90 days"] in {str(c) for c in counts}

    # The country filter narrows the entities to choose from; none of them on openCoDE: said so.
    at.sidebar.selectbox[COUNTRY].set_value("NL").run()
    assert_clean(at)
    assert not at.main.selectbox and any("Nothing matches the filters" in i.value for i in at.info)
    at.sidebar.selectbox[FORGE].set_value(None).run()
    assert_clean(at)
    assert at.main.selectbox[0].options == [e.name for e in world.entities if e.country == "NL"]


def test_german_project_page(open_project, demo_db, hosts):
    _, world = demo_db
    original, _ = mirrored(world)
    at = open_project(repo=key_of(hosts, original), lang="de")
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Projekt"
    assert [s.value for s in at.subheader][:8] == [
        "Gesundheit nach Teilbereichen", "Commits, Beitragende, Antworten und offene Issues im Zeitverlauf",
        "Veröffentlichungen", "Forks und wem sie gehören", "openCoDE-Badges", "Standard for Public Code",
        "publiccode.yml",
        "Dasselbe Projekt auf anderen Plattformen",
    ]
    assert list(frame(at, "part_label", "inputs_text")["part_label"]) == PARTS_DE
    assert figures(at)["Lebensphase"] in {"aktiv", "rückläufig", "inaktiv", "verwaist", "archiviert", "keine Daten"}
    assert list(frame(at, "role_label", "path")["role_label"]) == ["Spiegel"]
    labels = json.loads(next(d.proto.columns for d in at.dataframe if "tag" in d.value.columns))
    assert labels["published_text"]["label"] == "Veröffentlicht"
    specs = " ".join(json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart"))
    assert "Commits pro Monat" in specs and "Veröffentlichungen im Zeitverlauf" in specs


def test_an_entity_without_repositories_on_the_forge(open_project, demo_db):
    _, world = demo_db
    at = open_project(forge="gitlab")
    at.run()
    assert_clean(at)
    on_gitlab = {a.entity_id for a in world.accounts if a.forge == "gitlab"}
    names = {e.name: e.id for e in world.entities}
    assert {names[o] for o in at.main.selectbox[0].options} == on_gitlab
    assert all(o.endswith("(GitLab)") for o in at.main.selectbox[1].options)


# --------------------------------------------------------------------------- the page's queries


def test_repo_item_months_against_the_world(con, demo_db, hosts):
    _, world = demo_db
    repo = max((r for r in world.repos if r.items), key=lambda r: (len(r.items), r.path))
    now = world.now + timedelta(hours=12)
    months = 24
    df = repository.repo_item_months(con, repo=(repo.forge, hosts[repo.forge], repo.path), months=months, now=now)
    starts = month_starts(now, months)
    assert [m.to_pydatetime().replace(tzinfo=UTC) for m in df["month"]] == starts
    people = [i for i in repo.items if not i.author.bot and i.created_at <= now]
    for row, start, end in zip(df.itertuples(), starts, [*starts[1:], None]):
        opened = [i for i in people if i.created_at >= start and (end is None or i.created_at < end)]
        hours = [(first_response(i) - i.created_at).total_seconds() / 3600 for i in opened
                 if first_response(i) and first_response(i) <= now]
        assert row.opened == len(opened), start
        assert row.responded == len(hours), start
        if hours:
            assert row.median_ttfr_hours == pytest.approx(median(hours)), start
        else:
            assert pd.isna(row.median_ttfr_hours), start
        at = min(end, now) if end else now
        ages = [(at - i.created_at).total_seconds() / 86400 for i in people
                if i.kind == "issue" and i.created_at < at and (i.closed_at is None or i.closed_at >= at)]
        assert row.open_issues == len(ages), start
        if ages:
            assert row.median_issue_age_days == pytest.approx(median(ages)), start


def test_entity_accounts_and_find_repo(con, demo_db, hosts):
    _, world = demo_db
    accounts = directory.entity_accounts(con)
    assert sorted(zip(accounts["entity_id"], accounts["forge"], accounts["owner"])) == sorted(
        (a.entity_id, a.forge, a.path) for a in world.accounts)
    for row in accounts.itertuples():
        assert row.repos == sum(1 for r in world.repos if (r.forge, r.account) == (row.forge, row.owner))
    original, _ = mirrored(world)
    found = directory.find_repo(con, key=key_of(hosts, original))
    assert list(found["path"]) == [original.path]
    assert directory.find_repo(con, key="github:nowhere/x").empty
    assert directory.find_repo(con, key="x' OR '1'='1").empty


def test_period_activity_counts_distinct_commits(con, demo_db):
    _, world = demo_db
    now = world.now + timedelta(hours=1)
    df = activity_figures.period_activity(con, Scope("country"), days=200, now=now).set_index("country")
    for country in {e.country for e in world.entities}:
        members = {e.id for e in world.entities if e.country == country}
        repos = [r for r in world.repos if owner_of(world, r.forge, r.path) in members]
        commits = {c.sha: c for r in repos for c in r.commits if now - timedelta(days=200) <= c.committed_at <= now}
        assert df.loc[country, "repos"] == len(repos)
        assert df.loc[country, "commits"] == len(commits), country
        assert df.loc[country, "active_contributors"] == len(
            {c.author.login for c in commits.values() if not c.author.bot}), country
    with pytest.raises(ValueError):
        activity_figures.period_activity(con, Scope("planet"))
