"""The dashboard on a database collected from the forge simulator: figures agree with its ground truth."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from warehouse.pipeline import collect

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def collected(sim, registry, db_path, monkeypatch):
    summary = collect(registry, db_path)
    assert summary.status == "ok"
    monkeypatch.setenv("OSSDASH_DB", str(db_path))
    return sim.world


def _expected(world, entity_id):
    """Figures for one entity worked out from the simulator's own records."""
    accounts = {(a.forge, a.path) for a in world.accounts if a.entity_id == entity_id}
    repos = [r for r in world.repos if (r.forge, r.account) in accounts]
    since = datetime.now(timezone.utc) - timedelta(days=90)
    recent = [c for r in repos for c in r.commits if c.committed_at >= since]
    people = {c.author.email.lower() for c in recent if not c.author.bot}
    return len(repos), len(recent), len(people)


def test_overview_shows_every_entity_with_ground_truth_figures(collected):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Ecosystem overview"
    table = at.dataframe[0].value.set_index("entity_id")
    assert set(table.index) == {e.id for e in collected.entities}
    for entity in collected.entities:
        repos, commits, people = _expected(collected, entity.id)
        row = table.loc[entity.id]
        assert (row["repos"], row["commits_90d"], row["active_contributors_90d"]) == (repos, commits, people), entity.id
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 and "Commits per month" in charts[0].proto.spec


def test_entity_page_lists_the_entitys_repositories(collected):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["entity"] = "neustadt"
    at.switch_page("views/entity.py").run()
    assert not at.exception
    repos, commits, _ = _expected(collected, "neustadt")
    table = at.dataframe[0].value
    expected_paths = {r.path for r in collected.repos if r.account == "stadt-neustadt"}
    assert set(table["path"]) == expected_paths
    assert len(table) == repos
    assert at.metric[0].value == str(repos)
    assert at.metric[1].value == str(commits)
