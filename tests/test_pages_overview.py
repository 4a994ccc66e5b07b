"""The ecosystem overview page on the collected simulator warehouse: figures agree with the
simulator's ground truth, the filters narrow them, both languages render."""

from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator
from warehouse import metrics, reader

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
COUNTRY, ARCHETYPE, FORGE, PERIOD = range(4)  # the sidebar's selectboxes, in order


@pytest.fixture
def app(demo_db, monkeypatch):
    path, _ = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return AppTest.from_file(str(APP), default_timeout=60)


# --------------------------------------------------------------------------- ground truth


def world_repos(world, entity_ids):
    accounts = {(a.forge, a.path) for a in world.accounts if a.entity_id in set(entity_ids)}
    return [r for r in world.repos if (r.forge, r.account) in accounts]


def window(world, entity_ids, days, now):
    """(commits, active contributors) of the entities in the window up to ``now``: a commit in a
    mirror or fork counts once (by SHA), people are the non-bot authors."""
    since = now - timedelta(days=days)
    commits = {c.sha: c for r in world_repos(world, entity_ids) for c in r.commits if since <= c.committed_at <= now}
    return len(commits), len({c.author.login for c in commits.values() if not c.author.bot})


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


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table that has these columns."""
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with {columns}: {[list(d.value.columns) for d in at.dataframe]}")


def texts(at: AppTest) -> list[str]:
    return [str(e.value) for e in (*at.title, *at.header, *at.subheader, *at.caption, *at.markdown, *at.info)]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# --------------------------------------------------------------------------- tests


def test_overview_figures_with_country_and_period_filters(app, demo_db):
    _, world = demo_db
    at = app.run()
    assert_clean(at)
    at.sidebar.selectbox[COUNTRY].set_value("DE").run()
    at.sidebar.selectbox[PERIOD].set_value(180)
    ends = run_timed(at)
    assert_clean(at)
    assert at.title[0].value == "Ecosystem overview"
    assert dict(at.query_params) == {"country": "DE", "period": "180"}

    german = sorted(e.id for e in world.entities if e.country == "DE")
    t = Translator("en")
    shown = figures(at)
    assert shown["Entities"] == str(len(german))
    assert shown["Repositories"] == t.number(len(world_repos(world, german)))
    expected = {window(world, german, 180, m) for m in ends}
    assert (shown["Commits, last 180 days"], shown["Active contributors, last 180 days"]) in {
        (t.number(c), t.number(p)) for c, p in expected
    }

    ranking = frame(at, "rank", "entity_id", "score")
    assert sorted(ranking["entity_id"]) == german
    for row in ranking.itertuples():
        assert row.repos == len(world_repos(world, [row.entity_id])), row.entity_id
        assert (row.commits, row.active_contributors) in {window(world, [row.entity_id], 180, m) for m in ends}, \
            row.entity_id
        # The sparkline: commits in each of the 6 calendar months of the period, the current included.
        assert len(row.activity) == 6
    scores = ranking["score"].dropna()
    assert list(ranking["score"].dropna()) == sorted(scores, reverse=True)  # ranked by health
    assert list(ranking["rank"]) == list(range(1, len(ranking) + 1))
    assert shown["Median health score"] == t.number(median(scores))

    # Lifecycle mix: every repository of every entity in one stage.
    mix = frame(at, "group_label", "repos", "active", "abandoned")
    assert dict(zip(mix["entity_id"], mix["repos"])) == {e: len(world_repos(world, [e])) for e in german}
    stages = ["active", "declining", "inactive", "abandoned", "archived", "no_data"]
    assert (mix[stages].sum(axis=1) == mix["repos"]).all()
    active_share = mix["active"].sum() / mix["repos"].sum()
    assert shown["Active repositories"] == t.percent(active_share)


def test_sparkline_counts_commits_per_calendar_month(app, demo_db):
    _, world = demo_db
    app.query_params["period"] = "90"
    ends = run_timed(app)
    at = app
    assert_clean(at)
    ranking = frame(at, "rank", "entity_id", "activity").set_index("entity_id")

    def per_month(entity_id, now):
        # The three complete months before the month in progress (which a sparkline leaves out:
        # its first days drawn as a month would look like a plunge).
        first = datetime(now.year, now.month, 1, tzinfo=UTC)
        starts = []
        for back in (3, 2, 1, 0):
            index = first.year * 12 + first.month - 1 - back
            starts.append(datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC))
        commits = {c.sha: c for r in world_repos(world, [entity_id]) for c in r.commits if c.committed_at <= now}
        return [sum(1 for c in commits.values() if s <= c.committed_at < e) for s, e in itertools.pairwise(starts)]

    for entity in world.entities:
        assert list(ranking.loc[entity.id, "activity"]) in [per_month(entity.id, m) for m in ends]


def test_repositories_per_country_match_the_world(app, demo_db):
    _, world = demo_db
    at = app.run()
    assert_clean(at)
    by_archetype = frame(at, "archetype", "entities", "repos", "score")
    for row in by_archetype.itertuples():
        members = [e.id for e in world.entities if e.archetype == row.archetype]
        assert row.repos == len(world_repos(world, members)), row.archetype
    at.main.button_group[1].set_value("country").run()
    assert_clean(at)
    by_country = frame(at, "country", "entities", "repos", "score")
    countries = sorted({e.country for e in world.entities})
    assert sorted(by_country["country"]) == countries
    for row in by_country.itertuples():
        members = [e.id for e in world.entities if e.country == row.country]
        assert row.entities == len(members), row.country
        assert row.repos == len(world_repos(world, members)), row.country
    assert len(at.get("vega_lite_chart")) >= 3


def test_peer_benchmark_uses_the_archetype_median_in_every_country(app, demo_db):
    _, world = demo_db
    at = app.run()
    assert_clean(at)
    everyone = frame(at, "rank", "entity_id", "score").set_index("entity_id")["score"]
    archetype = {e.id: e.archetype for e in world.entities}
    at.sidebar.selectbox[COUNTRY].set_value("DE").run()
    assert_clean(at)
    peers = frame(at, "peer_median", "difference", "peers")
    assert sorted(peers["entity_id"]) == sorted(e.id for e in world.entities if e.country == "DE")
    for row in peers.itertuples():
        group = [everyone[e] for e in everyone.index if archetype[e] == archetype[row.entity_id]
                 and pd.notna(everyone[e])]
        assert row.peers == len(group)
        assert row.peer_median == pytest.approx(median(group))
        if len(group) < 2:  # alone in its archetype: no difference, said in words
            assert pd.isna(row.difference) and row.difference_text == "no peers"
        else:
            assert row.difference == pytest.approx(everyone[row.entity_id] - median(group))
    local = [e.id for e in world.entities if e.archetype == "local"]
    assert len(local) > 1 and "neustadt" in set(peers["entity_id"])  # a peer group from two countries


def test_forge_filter_narrows_entities_and_repositories(app, demo_db):
    _, world = demo_db
    at = app.run()
    at.sidebar.selectbox[FORGE].set_value("gitlab").run()
    assert_clean(at)
    on_gitlab = sorted({a.entity_id for a in world.accounts if a.forge == "gitlab"})
    ranking = frame(at, "rank", "entity_id", "score")
    assert sorted(ranking["entity_id"]) == on_gitlab
    repos = [r for r in world_repos(world, on_gitlab) if r.forge == "gitlab"]
    assert figures(at)["Repositories"] == str(len(repos))


def test_german_overview_and_shared_link(app, demo_db):
    _, world = demo_db
    for name, value in {"lang": "de", "country": "DE", "period": "90"}.items():
        app.query_params[name] = value
    ends = run_timed(app)
    at = app
    assert_clean(at)
    assert at.title[0].value == "Ökosystem-Überblick"
    assert [s.value for s in at.subheader][:4] == [
        "Organisationen nach Gesundheitswert", "Verteilung der Lebensphasen",
        "Vergleich nach Typ und nach Land", "Vergleich mit ähnlichen Organisationen",
    ]
    assert at.sidebar.selectbox[COUNTRY].value == "DE" and at.sidebar.selectbox[PERIOD].value == 90
    de = Translator("de")
    german = [e.id for e in world.entities if e.country == "DE"]
    shown = figures(at)
    assert shown["Organisationen"] == str(len(german))
    assert shown["Commits, letzte 90 Tage"] in {de.number(window(world, german, 90, m)[0]) for m in ends}
    assert shown["Aktive Repositorien"].endswith("\u00a0%")  # German percent sign
    # Column labels and chart texts are German too; stage names are translated in the chart.
    labels = json.loads(at.dataframe[0].proto.columns)
    assert labels["score"]["label"] == "Gesundheitswert" and labels["archetype_label"]["label"] == "Typ"
    specs = " ".join(json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart"))
    assert "Repositorien nach Lebensphase" in specs and "Gesundheitswert nach Typ" in specs
    assert '"aktiv"' in specs and '"rückläufig"' in specs and '"active"' not in specs
    assert set(frame(at, "rank", "entity_id")["archetype_label"]) <= {"Kommune", "Einrichtung"}


def test_lifecycle_by_archetype_and_empty_filters(app, demo_db):
    _, world = demo_db
    at = app.run()
    at.main.button_group[0].set_value("archetype").run()
    assert_clean(at)
    mix = frame(at, "group_label", "repos", "active")
    assert "archetype" in mix.columns
    for row in mix.itertuples():
        members = [e.id for e in world.entities if e.archetype == row.archetype]
        assert row.repos == len(world_repos(world, members))

    # A combination nothing matches: an explanation, no table, no error.
    at.sidebar.selectbox[COUNTRY].set_value("DK").run()
    at.sidebar.selectbox[ARCHETYPE].set_value("local").run()
    assert_clean(at)
    assert any("Nothing matches the filters" in i.value for i in at.info)
    assert not at.dataframe
