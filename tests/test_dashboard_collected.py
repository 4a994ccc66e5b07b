"""The dashboard on a database collected from the forge simulator: figures agree with its ground truth."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from warehouse import metrics, reader

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def collected(demo_db, monkeypatch):
    path, world = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return world


def _expected(world, entity_id, now, days=365):
    """Figures for one entity worked out from the simulator's own records: repositories,
    commits in the period (a commit in a mirror or fork once) and the people behind them."""
    accounts = {(a.forge, a.path) for a in world.accounts if a.entity_id == entity_id}
    repos = [r for r in world.repos if (r.forge, r.account) in accounts]
    since = now - timedelta(days=days)
    recent = {c.sha: c for r in repos for c in r.commits if since <= c.committed_at <= now}
    people = {c.author.login for c in recent.values() if not c.author.bot}
    return len(repos), len(recent), len(people)


def test_overview_shows_every_entity_with_ground_truth_figures(collected):
    at = AppTest.from_file(str(APP), default_timeout=60)
    ends = [datetime.now(UTC)]
    at.run()
    ends.append(datetime.now(UTC))
    as_of = getattr(metrics, "as_of", None)  # metrics as of the last collection, when they say so
    if as_of is not None:
        con = reader.open_readonly(os.environ["OSSDASH_DB"])
        moment = as_of(con)
        con.close()
        if moment is not None:
            ends.append(moment)
    assert not at.exception
    assert at.title[0].value == "Ecosystem overview"
    table = at.dataframe[0].value.set_index("entity_id")
    assert set(table.index) == {e.id for e in collected.entities}
    for entity in collected.entities:
        row = table.loc[entity.id]
        got = (row["repos"], row["commits"], row["active_contributors"])
        assert got in {_expected(collected, entity.id, m) for m in ends}, entity.id
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3 and any("Repositories by lifecycle stage" in c.proto.spec for c in charts)


def test_entity_page_lists_the_entitys_repositories(collected):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["entity"] = "neustadt"
    at.switch_page("views/entity.py").run()
    assert not at.exception
    repos, _, _ = _expected(collected, "neustadt", datetime.now(UTC))
    table = next(d.value for d in at.dataframe if "description" in d.value.columns)
    # A mirror of the entity's own repository is shown on its original's row, not on its own.
    own = [r for r in collected.repos if r.account == "stadt-neustadt"]
    expected_paths = {(r.forge, r.path) for r in own if not r.mirror_of}
    assert set(zip(table["forge"], table["path"])) == expected_paths
    assert len(table) == repos - sum(1 for r in own if r.mirror_of)
    assert at.metric[0].value == str(repos)
