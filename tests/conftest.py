"""Shared fixtures: a running forge simulator and a registry file pointing at it."""

from __future__ import annotations

import pytest

from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World


@pytest.fixture
def world() -> World:
    # A third of the demo's activity: every stage of life and forge, at a third of the cost.
    return World(seed=7, activity_scale=0.3)


@pytest.fixture
def sim(world):
    with ForgeSimulator(world) as simulator:
        yield simulator


@pytest.fixture
def registry_path(sim, tmp_path):
    path = tmp_path / "simulator.toml"
    path.write_text(sim.registry_toml(), encoding="utf-8")
    return path


@pytest.fixture
def registry(registry_path):
    return load_registry(registry_path)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "ossdash.duckdb"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A warehouse collected once per test process from the tests' simulator world, for tests
    that only read it (dashboard pages, reports). Returns (path, world); do not write to it."""
    from warehouse.pipeline import collect

    world = World(seed=7, activity_scale=0.3)
    path = tmp_path_factory.mktemp("demo") / "ossdash.duckdb"
    with ForgeSimulator(world) as simulator:
        registry_file = path.with_name("simulator.toml")
        registry_file.write_text(simulator.registry_toml(), encoding="utf-8")
        summary = collect(load_registry(registry_file), path)
    assert summary.status == "ok", summary
    return path, world


@pytest.fixture(scope="module")
def warehouse(demo_db):
    """The demo warehouse opened read-only, as the dashboard opens it: one connection a module."""
    from warehouse.reader import open_readonly

    con = open_readonly(demo_db[0])
    yield con
    con.close()
