"""Metrics on a collection of the forge simulator agree with what the simulator generated."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World
from warehouse import goals, metrics, reuse
from warehouse.metrics import Scope
from warehouse.pipeline import collect

# The stage of life a simulated repository was generated in, and the lifecycle it must show.
EXPECTED_STAGE = {
    "busy": "active",
    "active": "active",
    "new": "active",
    "declining": "declining",
    "inactive": "inactive",
    "abandoned": "abandoned",
    "archived": "archived",
    "empty": "no_data",
}


@pytest.fixture(scope="module")
def world():
    # The demo's full-size world: at a fraction of the activity, a "declining" project has too
    # few commits for its decline to be told from noise.
    return World(seed=7)


# Goals for every entity, health metrics among them, so the collection snapshots those too.
GOALS = "".join(
    f'\n  [[entity.goal]]\n  metric = "{m}"\n  target = {t}\n  deadline = 2027-12-31\n'
    for m, t in (("public_repos", 5), ("health_score", 60), ("median_first_response_hours", 48), ("commits", 100))
)


@pytest.fixture(scope="module")
def db_file(world, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("metrics") / "sim.duckdb"
    with ForgeSimulator(world) as sim:
        text = re.sub(r"^(email_domains = .*)$", lambda m: m.group(1) + "\n" + GOALS, sim.registry_toml(), flags=re.MULTILINE)
        assert collect(parse_registry(text, "sim.toml"), db_path).status == "ok"
    return db_path


@pytest.fixture(scope="module")
def con(db_file):
    connection = duckdb.connect(str(db_file), read_only=True)
    yield connection
    connection.close()


def test_lifecycle_matches_the_stages_the_simulator_generated(con, world):
    got = {(r.forge, r.path): r.stage for r in metrics.lifecycle(con).itertuples()}
    want = {(r.forge, r.path): EXPECTED_STAGE[r.stage] for r in world.repos}
    assert got == want
    assert set(want.values()) == set(EXPECTED_STAGE.values()), "every stage is represented"


def test_technical_forks_across_entities_match(con, world):
    forks = metrics.technical_fork_list(con)
    collected = forks[forks["collected"]]
    got = {(r.path, r.fork_path): r.fork_status for r in collected.itertuples()}
    want = {}
    for fork in (r for r in world.repos if r.is_fork):
        parent = world.repo("github", fork.parent)
        own = {c.sha for c in fork.commits} - {c.sha for c in parent.commits}
        want[(fork.parent, fork.path)] = "contributing" if own else "non_contributing"
    assert got == want
    owners = {a.path: a.entity_id for a in world.accounts}
    assert all(r.fork_entity_id == owners[r.fork_owner] for r in collected.itertuples())


def test_materialised_results_equal_live_computation(con, db_file, tmp_path):
    # A collection stores lifecycle, health inputs, the attention list, the edges and summaries at
    # its moment. Read back (now=None: as of the collection) they equal the same functions computed
    # live at that moment, on a copy whose stored results are marked stale.
    as_of = metrics.as_of(con)
    assert as_of is not None and metrics.metric_results_fresh(con) and reuse.reuse_fresh(con)
    copy = tmp_path / "stale.duckdb"
    copy.write_bytes(db_file.read_bytes())
    live = duckdb.connect(str(copy))
    live.execute("DELETE FROM metric_results_state")
    live.execute("DELETE FROM reuse_state")
    assert metrics.as_of(live) is None and not reuse.reuse_fresh(live)
    entities = [r[0] for r in con.execute("SELECT entity_id FROM entities ORDER BY entity_id").fetchall()]
    for scope in [Scope(), Scope(entity_id=entities[0]), Scope(forge="gitlab")]:
        for fn in (metrics.lifecycle, metrics.health_inputs, metrics.health_parts, metrics.attention_list):
            pd.testing.assert_frame_equal(fn(con, scope), fn(live, scope, now=as_of))
        for level in ("repo", "entity", "ecosystem"):
            pd.testing.assert_frame_equal(metrics.health_score(con, scope.at(level)),
                                          metrics.health_score(live, scope.at(level), now=as_of))
            pd.testing.assert_frame_equal(metrics.lifecycle_summary(con, scope.at(level)),
                                          metrics.lifecycle_summary(live, scope.at(level), now=as_of))
    for entity in (None, entities[0], entities[-1]):
        pd.testing.assert_frame_equal(reuse.entity_edges(con, entity), reuse.entity_edges(live, entity))
        pd.testing.assert_frame_equal(reuse.entity_reuse_summary(con, entity), reuse.entity_reuse_summary(live, entity))
    live.close()
    # Goal progress takes today's values from the collection's snapshot; without it, computed at
    # the same moment, they are the same.
    unsnapped = tmp_path / "unsnapped.duckdb"
    unsnapped.write_bytes(db_file.read_bytes())
    computed = duckdb.connect(str(unsnapped))
    computed.execute("DELETE FROM goal_snapshots WHERE source = 'observed' AND snapshot_date = ?", [as_of.date()])
    stored = goals.goal_progress(con)
    assert len(stored) == 4 * len(entities) and set(stored["as_of"]) == {as_of.date()}
    assert stored["value"].notna().sum() > len(entities) * 2
    pd.testing.assert_frame_equal(stored, goals.goal_progress(computed))
    computed.close()
