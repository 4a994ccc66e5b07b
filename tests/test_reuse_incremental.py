"""After a run that changed some repositories, the commits per person and project
(person_project_commits) are refreshed for the projects those repositories' commits touch only,
and equal a whole rebuild's: also when a commit's home moves to another project."""

from __future__ import annotations

import dataclasses
import shutil

import duckdb

from warehouse.pipeline import collect
from warehouse.reuse import refresh


def _stored_and_live(db_path) -> tuple[list, list]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        columns = "person_id, project_id, owner, commits, first_at, last_at"
        stored = con.execute(f"SELECT {columns} FROM person_project_commits ORDER BY ALL").fetchall()
        live = con.execute(f"SELECT {columns} FROM person_project_commits_live ORDER BY ALL").fetchall()
    return stored, live


def _home(db_path, sha: str) -> str:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("SELECT project_id FROM commit_home WHERE sha = ?", [sha]).fetchall()[0][0]


def test_commits_per_person_and_project_follow_the_noted_repositories(sim, world, registry, db_path, monkeypatch):
    assert collect(registry, db_path).status == "ok"
    fork = next(r for r in world.repos if r.is_fork and r.forge == "github")
    parent = world.repo(fork.forge, fork.parent)
    assert parent.created_at < fork.created_at and parent.commits is not fork.commits

    # Commits made in the fork first, by someone of a third entity: their home is the fork's
    # project, and they are that entity's contribution to the fork's owner.
    world.advance(1)
    shas = world.add_commits(fork.forge, fork.path, 3, author_login="idaweber")
    assert collect(registry, db_path).status == "ok"
    assert _home(db_path, shas[0]).endswith(fork.path)

    # Then merged into the older parent: their home moves there. Only the parent is pushed to,
    # so only the parent is noted as changed; the fork's project loses the commits, and its
    # owner the contribution (an edge between two entities neither of which was noted).
    partial = []
    real = refresh._refresh_changed_commits
    monkeypatch.setattr(refresh, "_refresh_changed_commits", lambda con: partial.append(1) or real(con))
    world.advance(1)
    merged = [c for c in fork.commits if c.sha in shas]
    parent.commits[0:0] = merged
    parent.pushed_at = parent.updated_at = world.now
    assert collect(registry, db_path).status == "ok"
    assert partial, "the refresh took the path for noted repositories"
    assert _home(db_path, shas[0]).endswith(parent.path)
    stored, live = _stored_and_live(db_path)
    assert stored == live
    edges, whole = _stored_and_whole_edges(db_path)
    assert edges == whole

    # A day of commits in a dozen repositories: the rows of a whole rebuild.
    world.advance(1)
    for repo in [r for r in world.repos if r.commits and not r.archived][:12]:
        world.add_commits(repo.forge, repo.path, 2)
    assert collect(registry, db_path).status == "ok"
    assert len(partial) == 2
    stored, live = _stored_and_live(db_path)
    assert stored and stored == live



def _edges(con) -> list[tuple]:
    return con.execute("SELECT position, source, target, kind, weight, evidence FROM entity_edges_cache"
                       " ORDER BY position").fetchall()


def _firsts(con) -> list[tuple]:
    return con.execute("SELECT * FROM link_firsts ORDER BY ALL").fetchall()


def _stored_and_whole_edges(db_path) -> tuple[list, list]:
    """The stored edges and those a whole refresh makes; each link's stored first pieces of
    evidence are compared with a whole refresh's on the way."""
    copy = db_path.with_name("whole.duckdb")
    shutil.copyfile(db_path, copy)
    with duckdb.connect(str(copy)) as con:
        refresh._refresh_caches(con, None)
        whole, whole_firsts = _edges(con), _firsts(con)
    with duckdb.connect(str(db_path), read_only=True) as con:
        firsts = _firsts(con)
        assert firsts and firsts == whole_firsts
        return _edges(con), whole


def test_edges_follow_the_entities_a_change_concerns(sim, world, registry, db_path, monkeypatch):
    assert collect(registry, db_path).status == "ok"
    partial = []
    real = refresh._refresh_caches
    monkeypatch.setattr(refresh, "_refresh_caches", lambda con, entities: partial.append(entities) or real(con, entities))

    # Commits in the lab's repositories: the edges of people touching the lab are made again.
    world.advance(1)
    lab = [r for r in world.repos if r.forge == "github" and r.account == "civic-lab" and r.commits]
    world.add_commits(lab[0].forge, lab[0].path, 3)
    assert collect(registry, db_path).status == "ok"
    assert partial[-1] is not None and "civiclab" in partial[-1]
    stored, whole = _stored_and_whole_edges(db_path)
    assert stored and stored == whole

    # Someone of neustadt's who also committed to landesamt's repositories commits to one of the
    # association's on GitLab (no login there: only the address joins them), so often under
    # another spelling of their name that it becomes their display name. The evidence of their
    # work for landesamt names them anew, though none of landesamt's or neustadt's repositories
    # changed and no new identity of theirs was seen there.
    hugo = next(p for p in world.people if p.login == "hugoschmidt")
    world.people[world.people.index(hugo)] = dataclasses.replace(hugo, name="Hugo F. Schmidt")
    world.advance(1)
    assoc = next(r for r in world.repos if r.forge == "gitlab" and r.account == "kommuneforbund" and r.commits)
    world.add_commits(assoc.forge, assoc.path, 60, author_login="hugoschmidt")
    assert collect(registry, db_path).status == "ok"
    assert partial[-1] is not None and len(set(partial[-1])) < len(registry.entities)
    stored, whole = _stored_and_whole_edges(db_path)
    assert stored == whole
    assert any("Hugo F. Schmidt" in e for _, s, t, _, _, e in stored if (s, t) == ("landesamt", "neustadt"))


def test_an_upgraded_warehouse_gets_its_first_pieces_at_the_next_collection(sim, registry, db_path):
    # A warehouse collected before link_firsts existed (migration 024), its stored edges fresh:
    # after the upgrade, even a collection that finds nothing new stores the first pieces.
    assert collect(registry, db_path).status == "ok"
    with duckdb.connect(str(db_path)) as con:
        con.execute("DROP TABLE link_firsts")
        con.execute("DELETE FROM schema_migrations WHERE version = 24")
        assert con.execute("SELECT count(*) FROM reuse_state").fetchall() == [(1,)]
    summary = collect(registry, db_path)
    assert summary.status == "ok" and summary.new_commits == 0
    with duckdb.connect(str(db_path), read_only=True) as con:
        firsts = _firsts(con)
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0] >= 24
    stored, whole = _stored_and_whole_edges(db_path)
    assert firsts and stored == whole
