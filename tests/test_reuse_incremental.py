"""After a run that changed some repositories, the commits per person and project
(person_project_commits) are refreshed for the projects those repositories' commits touch only,
and equal a whole rebuild's: also when a commit's home moves to another project."""

from __future__ import annotations

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

    # Commits made in the fork first: their home is the fork's project.
    world.advance(1)
    shas = world.add_commits(fork.forge, fork.path, 3)
    assert collect(registry, db_path).status == "ok"
    assert _home(db_path, shas[0]).endswith(fork.path)

    # Then merged into the older parent: their home moves there. Only the parent is pushed to,
    # so only the parent is noted as changed; the fork's project loses the commits.
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

    # A day of commits in a dozen repositories: the rows of a whole rebuild.
    world.advance(1)
    for repo in [r for r in world.repos if r.commits and not r.archived][:12]:
        world.add_commits(repo.forge, repo.path, 2)
    assert collect(registry, db_path).status == "ok"
    assert len(partial) == 2
    stored, live = _stored_and_live(db_path)
    assert stored and stored == live

