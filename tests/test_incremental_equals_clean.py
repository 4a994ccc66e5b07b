"""An incremental run leaves exactly the warehouse a clean collection of the same forge state
would: every table, row by row, the run log and the moments of computation aside."""

from __future__ import annotations

import duckdb
import pytest

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World
from warehouse.pipeline import collect

# The run log differs by nature, identity_state holds when the identities were built alone;
# these columns record when something was computed, not what.
NOT_COMPARED_TABLES = {"runs", "run_accounts", "schema_migrations", "identity_state"}
NOT_COMPARED_COLUMNS = {
    ("cursors", "updated_at"),
    ("metric_facts_state", "refreshed_at"),
    # How many fact rows incremental refreshes appended out of sort order: how, not what.
    ("metric_facts_state", "unsorted_rows"),
    ("metric_results_state", "computed_at"),
    ("reuse_state", "refreshed_at"),
    # Days since the last activity, measured at the collection's moment (the real clock).
    ("attention_findings", "days"),
    ("repo_lifecycle", "idle_days"),
}


def warehouse_rows(path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        out = {}
        for table in tables:
            if table in NOT_COMPARED_TABLES:
                continue
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if (table, c) not in NOT_COMPARED_COLUMNS]
            # Names come from the catalogue, never from input.
            select = ", ".join(f'"{c}"' for c in columns)
            out[table] = sorted(con.execute(f'SELECT {select} FROM "{table}"').fetchall(), key=repr)
        return out


def assert_same_warehouse(got_path, clean_path) -> None:
    got, clean = warehouse_rows(got_path), warehouse_rows(clean_path)
    assert set(got) == set(clean)
    for table in clean:
        missing = [r for r in clean[table] if r not in got[table]][:3]
        extra = [r for r in got[table] if r not in clean[table]][:3]
        assert got[table] == clean[table], f"{table}: missing {missing}, extra {extra}"


def _activity(world: World) -> None:
    """A day of every kind of change, including those the parent's listing does not show."""
    world.advance(1)
    forked = [r for r in world.repos if r.forks]
    for repo in forked[:4]:
        world.push_to_fork(repo.forge, repo.path, repo.forks[-1].owner)  # moves only the fork's pushed_at
    github = next(r for r in world.repos if r.forge == "github" and r.commits and not r.archived)
    gitlab = next(r for r in world.repos if r.forge == "opencode" and r.commits and not r.archived)
    world.add_commits(github.forge, github.path, 2)
    world.add_commits(gitlab.forge, gitlab.path, 1)
    number = world.add_item(github.forge, github.path, "issue")
    world.add_comment(github.forge, github.path, "issue", number)
    world.add_release(gitlab.forge, gitlab.path, "v9.9.9")
    world.add_fork(github.forge, github.path, "someone-else")


# Two days cover what one does (the first day's run is the second's starting point): one day runs
# with the long matrices.
@pytest.mark.parametrize("days", [pytest.param(1, marks=pytest.mark.matrix), 2])
def test_incremental_runs_equal_a_clean_collection(tmp_path, days):
    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        registry = parse_registry(sim.registry_toml(), "sim.toml")
        incremental = tmp_path / "incremental.duckdb"
        assert collect(registry, incremental).status == "ok"
        for _ in range(days):
            _activity(world)
            assert collect(registry, incremental).status == "ok"

        clean = tmp_path / "clean.duckdb"
        assert collect(registry, clean).status == "ok"

        assert_same_warehouse(incremental, clean)


def test_a_push_to_a_fork_reaches_the_forks_table(tmp_path):
    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        registry = parse_registry(sim.registry_toml(), "sim.toml")
        db = tmp_path / "w.duckdb"
        repo = next(r for r in world.repos if r.forge == "github" and r.forks)
        world.add_fork(repo.forge, repo.path, "a-user-outside-the-registry")
        fork = repo.forks[0]
        collect(registry, db)
        world.advance(3)
        world.push_to_fork(repo.forge, repo.path, fork.owner)
        sim.reset_counters()

        collect(registry, db)

        with duckdb.connect(str(db), read_only=True) as con:
            pushed = con.execute(
                "SELECT pushed_at FROM forks WHERE forge = 'github' AND repo_path = ? AND fork_owner = ?",
                [repo.path, fork.owner]).fetchone()[0]
        assert pushed == fork.pushed_at
        # Only the changed fork listing is read again; the others answer 304.
        asked = sim.requests["github GET /repos/{owner}/{repo}/forks"]
        unchanged = sim.not_modified["github GET /repos/{owner}/{repo}/forks"]
        assert asked - unchanged == 1
