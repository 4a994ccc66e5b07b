"""Metrics on a collection of the forge simulator agree with what the simulator generated."""

from __future__ import annotations

import duckdb
import pytest

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World
from warehouse import metrics
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


@pytest.fixture(scope="module")
def con(world, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("metrics") / "sim.duckdb"
    with ForgeSimulator(world) as sim:
        assert collect(parse_registry(sim.registry_toml(), "sim.toml"), db_path).status == "ok"
    connection = duckdb.connect(str(db_path), read_only=True)
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
