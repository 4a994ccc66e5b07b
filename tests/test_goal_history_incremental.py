"""After a run that changed some repositories, the goal history reconstructed from the data is
redone for the entities the change concerns alone, and equals a whole reconstruction: also when
someone joins an organisation, which moves who a commit's organisation is (the Elephant Factor)
in every entity the person works in."""

from __future__ import annotations

import shutil

import duckdb

from collectors.registry import load_registry
from warehouse.goals import snapshots, values
from warehouse.pipeline import collect

# A goal on a metric that reads affiliations, for every entity: its history is reconstructed.
_ELEPHANT_GOAL = '\n  [[entity.goal]]\n  metric = "elephant_factor"\n  target = 3\n  deadline = 2027-12-31\n'


def _registry(sim, tmp_path):
    entities = sim.registry_toml(goals=True).split("\n[[entity]]")
    path = tmp_path / "goals.toml"
    path.write_text("\n[[entity]]".join([entities[0], *(e + _ELEPHANT_GOAL for e in entities[1:])]), encoding="utf-8")
    return load_registry(path)


def _reconstructed(con) -> list[tuple]:
    return con.execute("SELECT snapshot_date, entity_id, metric, value FROM goal_snapshots"
                       " WHERE source = 'reconstructed' ORDER BY ALL").fetchall()


def _whole(db_path, registry, tmp_path) -> list[tuple]:
    """The reconstructed rows a whole reconstruction gives, on a copy of the warehouse."""
    copy = tmp_path / "whole.duckdb"
    shutil.copyfile(db_path, copy)
    with duckdb.connect(str(copy)) as con:
        day = con.execute("SELECT max(snapshot_date) FROM goal_snapshots WHERE source = 'observed'").fetchall()[0][0]
        snapshots.write_snapshots(con, registry, today=day, refresh=False, reconstruct=True)
        return _reconstructed(con)


def _stored(db_path) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return _reconstructed(con)


def test_goal_history_is_redone_for_the_entities_a_change_concerns(sim, world, tmp_path, db_path, monkeypatch):
    registry = _registry(sim, tmp_path)
    assert collect(registry, db_path).status == "ok"
    stored = _stored(db_path)
    assert {m for _, _, m, _ in stored} >= {"public_repos", "active_share", "contributions_to_others",
                                            "elephant_factor"}

    asked = []
    real = values.reconstruct_history
    monkeypatch.setattr(snapshots, "reconstruct_history",
                        lambda *a, **k: asked.append(k.get("only")) or real(*a, **k))

    # A day of commits in one entity's repositories: that entity alone.
    world.advance(1)
    for repo in [r for r in world.repos if r.forge == "github" and r.account == "codefor-rivertown"][:2]:
        world.add_commits(repo.forge, repo.path, 3)
    assert collect(registry, db_path).status == "ok"
    assert asked[-1] == ["codefor"]
    assert _stored(db_path) == _whole(db_path, registry, tmp_path)

    # Someone who works for the lab, and also commits to havenstad's repositories, joins
    # havenstad's organisation: now affiliated there too, so their earlier commits in havenstad's
    # repositories count for havenstad itself. No repository changed, no identity is new (their
    # login is a member of the lab already): only the new affiliation tells.
    monkeypatch.setattr(snapshots, "WHOLE_SHARE", 1.0)  # a few entities of seven: still scoped
    assert "femkemueller" in world.account("github", "civic-lab").members
    world.account("github", "gemeente-havenstad").members.append("femkemueller")
    world.advance(1)
    before = _stored(db_path)
    assert collect(registry, db_path).status == "ok"
    assert "havenstad" in asked[-1] and len(asked[-1]) < len(registry.entities)
    after = _stored(db_path)
    assert ("havenstad", "elephant_factor") in {(e, m) for _, e, m, _ in set(after) ^ set(before)}
    assert after == _whole(db_path, registry, tmp_path)

    # An unchanged run reconstructs nothing.
    asked.clear()
    assert collect(registry, db_path).status in ("ok", "not_modified")
    assert asked == []
