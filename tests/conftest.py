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
