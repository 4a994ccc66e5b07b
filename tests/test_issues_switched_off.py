"""A GitHub repository with its issues switched off answers its issue listing 410 Gone, and its
pull requests are still there: they are collected from the pull request listing, probed with
their ETag like the issues, and a day's new or merged ones come in on the next run."""

from __future__ import annotations

import duckdb
import pytest

from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from warehouse.pipeline import collect

PULLS = "github GET /repos/{owner}/{repo}/pulls"
ISSUES = "github GET /repos/{owner}/{repo}/issues"


@pytest.fixture
def world() -> World:
    world = World(seed=7, activity_scale=0.3)
    # The busiest GitHub repository with change requests, turned into one without issues.
    repo = max((r for r in world.repos if r.forge == "github" and not r.archived and not r.is_fork
                and sum(i.kind == "change_request" for i in r.items) >= 2),
               key=lambda r: (len(r.items), r.path))
    repo.has_issues = False
    repo.items = [i for i in repo.items if i.kind == "change_request"]
    world.switched_off = repo
    return world


def _items(db_path, path: str) -> dict[int, tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("SELECT number, kind, state, merged_at IS NOT NULL FROM items "
                           "WHERE forge = 'github' AND repo_path = ?", [path]).fetchall()
    return {n: (k, s, m) for n, k, s, m in rows}


def _expected(repo) -> dict[int, tuple]:
    return {i.number: ("change_request", i.state, i.state == "merged") for i in repo.items}


def test_pull_requests_of_a_repository_without_issues_are_collected(world, tmp_path):
    repo = world.switched_off
    db_path = tmp_path / "ossdash.duckdb"
    with ForgeSimulator(world) as sim:
        registry_file = tmp_path / "sim.toml"
        registry_file.write_text(sim.registry_toml(), encoding="utf-8")
        registry = load_registry(registry_file)

        first = collect(registry, db_path)
        assert first.status == "ok", first
        assert first.error_count == 0 and first.warning_count == 0
        assert _items(db_path, repo.path) == _expected(repo)
        assert sim.requests[ISSUES] > 0 and sim.requests[PULLS] > 0
        # The listing says so too: the Standard for Public Code's issue tracker check reads it.
        with duckdb.connect(str(db_path), read_only=True) as con:
            trackers = dict(con.execute("SELECT path, issues_enabled FROM repos WHERE forge = 'github'").fetchall())
        assert trackers.pop(repo.path) is False
        assert set(trackers.values()) == {True}

        # Nothing changed: the pull requests' probe answers 304, and nothing is lost.
        sim.reset_counters()
        assert collect(registry, db_path).status == "ok"
        assert sim.requests[PULLS] == sim.not_modified[PULLS] == 1
        assert _items(db_path, repo.path) == _expected(repo)

        # A day later: one pull request opened, one of the open ones merged.
        world.advance(1)
        opened = world.add_item("github", repo.path, "change_request")
        still_open = [i for i in repo.items if i.state == "open" and i.number != opened]
        if still_open:
            world.close_item("github", repo.path, "change_request", still_open[0].number, merged=True)
        with pytest.raises(ValueError):
            world.add_item("github", repo.path, "issue")
        assert collect(registry, db_path).status == "ok"
        assert _items(db_path, repo.path) == _expected(repo)
        assert _items(db_path, repo.path)[opened] == ("change_request", "open", False)
