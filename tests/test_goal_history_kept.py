"""An unchanged collection keeps the goal history it reconstructed; a change redoes it.

The reconstructed history (one value per month end, from creation dates and commit history)
depends on the collected data, the month and what the registry says of entities, horizon and
goals. Real collections of the forge simulator over loopback HTTP into real DuckDB files; a
reconstructed row set to an impossible value shows whether a run rewrote the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World, activity
from warehouse import pipeline
from warehouse.goals.snapshots import history_fresh

GOAL = '''
  [[entity.goal]]
  metric = "closure_ratio"
  target = 0.8
  deadline = 2030-12-31
'''


@pytest.fixture(scope="module")
def forge(tmp_path_factory):
    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        db = tmp_path_factory.mktemp("history") / "w.duckdb"
        text = sim.registry_toml()
        assert pipeline.collect(parse_registry(text, "sim.toml"), db).status == "ok"
        yield world, text, db


def _mark_history(db) -> int:
    with duckdb.connect(str(db)) as con:
        return con.execute(
            "UPDATE goal_snapshots SET value = -1 WHERE source = 'reconstructed' AND metric = 'public_repos'"
        ).fetchall()[0][0]


def _marked(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM goal_snapshots WHERE source = 'reconstructed' AND value = -1"
                           ).fetchall()[0][0]


def _reconstructed(db, metric: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM goal_snapshots WHERE source = 'reconstructed' AND metric = ?",
                           [metric]).fetchall()[0][0]


def test_an_unchanged_run_keeps_the_history_and_a_day_of_activity_redoes_it(forge):
    world, text, db = forge
    marked = _mark_history(db)
    assert marked > 0
    summary = pipeline.collect(parse_registry(text, "sim.toml"), db)
    assert summary.status == "ok" and summary.new_commits == 0
    assert _marked(db) == marked  # kept, not reconstructed again
    with duckdb.connect(str(db), read_only=True) as con:
        today = datetime.now(UTC).date()
        assert con.execute("SELECT count(*) FROM goal_snapshots WHERE source = 'observed' AND snapshot_date = ?",
                           [today]).fetchall()[0][0] > 0
    activity.add_day(world)
    assert pipeline.collect(parse_registry(text, "sim.toml"), db).new_commits > 0
    assert _marked(db) == 0


def test_a_new_goal_metric_redoes_the_history_of_unchanged_data(forge):
    _, text, db = forge
    goals = text.replace('email_domains = ["neustadt.example"]\n', 'email_domains = ["neustadt.example"]\n' + GOAL, 1)
    assert goals != text
    pipeline.collect(parse_registry(text, "sim.toml"), db)
    assert _reconstructed(db, "closure_ratio") == 0
    _mark_history(db)
    assert pipeline.collect(parse_registry(goals, "sim.toml"), db).new_commits == 0
    assert _marked(db) == 0
    assert _reconstructed(db, "closure_ratio") > 0


def test_history_is_fresh_only_in_its_month_and_for_its_registry(forge):
    _, text, db = forge
    registry = parse_registry(text, "sim.toml")
    pipeline.collect(registry, db)
    today = datetime.now(UTC).date()
    with duckdb.connect(str(db), read_only=True) as con:
        assert history_fresh(con, registry, today)
        assert not history_fresh(con, registry, today.replace(day=1) + timedelta(days=32))
        horizon = parse_registry("[defaults]\nsince = 2020-01-01\n" + text, "sim.toml")
        assert not history_fresh(con, horizon, today)
        fewer = parse_registry(text[:text.index("[[entity]]", text.index("[[entity]]") + 1)], "sim.toml")
        assert not history_fresh(con, fewer, today)
