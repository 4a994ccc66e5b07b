"""Collection against the forge simulator over loopback HTTP into a real DuckDB file."""

from __future__ import annotations

from datetime import timedelta

import duckdb

from collectors.registry import parse_registry
from warehouse.budget import token_variable
from warehouse.lanes import lanes
from warehouse.pipeline import collect
from warehouse.publish import work_path


def _db_repos(db_path) -> dict:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("SELECT forge, path, entity_id, archived, license_spdx, default_branch FROM repos").fetchall()
    return {(f, p): {"entity_id": e, "archived": a, "license": lic, "default_branch": b} for f, p, e, a, lic, b in rows}


def _db_commits(db_path) -> dict:
    out: dict = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for forge, path, sha in con.execute("SELECT forge, repo_path, sha FROM commits").fetchall():
            out.setdefault((forge, path), set()).add(sha)
    return out



def test_first_collection_matches_ground_truth(sim, registry, db_path):
    summary = collect(registry, db_path)
    truth = sim.world.truth()

    assert summary.status == "ok", [a.errors for a in summary.accounts]
    repos = _db_repos(db_path)
    assert set(repos) == set(truth["repos"])
    for key, expected in truth["repos"].items():
        got = repos[key]
        assert got["entity_id"] == expected["entity_id"], key
        assert got["archived"] == expected["archived"], key
        if key[0] == "github":
            assert got["license"] == expected["license"], key
        else:
            # GitLab knows no NOASSERTION: an unrecognised licence is no licence.
            assert got["license"] == (None if expected["license"] == "NOASSERTION" else expected["license"]), key
    commits = _db_commits(db_path)
    for key, shas in truth["commits"].items():
        assert commits.get(key, set()) == shas, key
    assert summary.new_commits == sum(len(s) for s in truth["commits"].values())
    # Each account's row in the run log is written after its last batch (in its lane's writer):
    # it counts every commit of the account's repositories.
    per_account: dict = {}
    for (forge, path), shas in truth["commits"].items():
        account = next(a for a in registry.accounts if a.forge == forge and path.startswith(a.owner + "/"))
        per_account[(forge, account.owner)] = per_account.get((forge, account.owner), 0) + len(shas)
    with duckdb.connect(str(db_path), read_only=True) as con:
        logged = {(f, o): n for f, o, n in con.execute(
            "SELECT forge, owner, new_commits FROM run_accounts WHERE run_id = ?", [summary.run_id]).fetchall()}
    assert {k: n for k, n in logged.items() if n} == per_account
    # The simulator has every forge, nested openCoDE groups and a user account.
    forges = {f for f, _ in repos}
    assert forges == {"github", "gitlab", "opencode"}
    assert any(p.count("/") >= 3 for f, p in repos if f == "opencode")
    assert not work_path(db_path).exists()


def test_commit_authors_and_times_are_stored(demo_db):
    db_path, world = demo_db  # the session's collection of the same world
    repo = next(r for r in world.repos if r.forge == "github" and r.commits)
    newest = repo.commits[0]
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(
            "SELECT author_name, author_email, author_login, epoch(committed_at), epoch(authored_at) "
            "FROM commits WHERE forge = 'github' AND repo_path = ? AND sha = ?",
            [repo.path, newest.sha],
        ).fetchone()
    assert row[:3] == (newest.author.name, newest.author.email, newest.author.login)
    assert row[3] == newest.committed_at.timestamp()
    assert row[4] == newest.authored_at.timestamp()


def test_unchanged_rerun_is_answered_by_304s(sim, registry, db_path):
    collect(registry, db_path)
    before = _db_commits(db_path)
    sim.reset_counters()

    summary = collect(registry, db_path)

    assert summary.status == "ok"
    assert summary.new_commits == 0
    repos = len(sim.world.repos)
    # Conditional requests only (listings, members, GitHub issue probes): at most
    # two per repository, and at least 95% of them answered 304 (no budget spent).
    assert sim.total_requests() <= 2 * repos
    assert sim.total_not_modified() >= 0.95 * sim.total_requests()
    assert summary.not_modified == sim.total_not_modified()
    assert _db_commits(db_path) == before


def test_added_activity_is_picked_up_exactly(sim, world, registry, db_path):
    collect(registry, db_path)
    github_repo = next(r for r in world.repos if r.forge == "github" and r.commits and r.stage == "inactive")
    nested_repo = next(r for r in world.repos if r.forge == "opencode" and r.namespace.count("/") == 2 and r.commits)
    world.advance(1)
    added = set(world.add_commits("github", github_repo.path, 3)) | set(world.add_commits("opencode", nested_repo.path, 2))
    sim.reset_counters()

    summary = collect(registry, db_path)

    assert summary.new_commits == 5
    commits = _db_commits(db_path)
    assert added <= commits[("github", github_repo.path)] | commits[("opencode", nested_repo.path)]
    for key, shas in world.truth()["commits"].items():
        assert commits.get(key, set()) == shas, key
    # Only the two changed repositories were walked, each with one cursor-bounded request.
    assert sim.requests["github GET /repos/{owner}/{repo}/commits"] == 1
    assert sim.requests["opencode GET /projects/:id/repository/commits"] == 1
    # The other GitHub accounts, without activity, still answered 304.
    github_accounts = sum(1 for a in registry.accounts if a.forge == "github")
    assert sim.not_modified["github GET /orgs/{login}/repos"] + sim.not_modified["github GET /users/{login}/repos"] == github_accounts - 1


def test_no_hidden_per_object_requests(sim, registry, db_path):
    collect(registry, db_path)
    github_endpoints = {k for k in sim.requests if k.startswith("github ")}
    # Repository-level listings only: no user, commit, issue or comment fetched one by one.
    assert not any("{number}" in k or "/users/{login}" == k.split(" ")[-1] for k in github_endpoints)
    github_repos = [r for r in sim.world.repos if r.forge == "github"]
    pages = sum(max(1, -(-len(r.commits) // 100)) for r in github_repos)
    assert sim.requests["github GET /repos/{owner}/{repo}/commits"] == pages
    # A repository's own page is fetched only for forks, whose parent the listing does not name.
    assert sim.requests["github GET /repos/{owner}/{repo}"] == sum(1 for r in github_repos if r.is_fork)


def test_history_horizon_bounds_the_first_collection(sim, registry, db_path):
    horizon = sim.world.now - timedelta(days=365)
    collect(registry, db_path, since=horizon)
    commits = _db_commits(db_path)
    for repo in sim.world.repos:
        expected = {c.sha for c in repo.commits if c.committed_at >= horizon}
        assert commits.get((repo.forge, repo.path), set()) == expected, repo.path


def test_failing_account_is_recorded_and_the_run_goes_on(sim, registry_path, db_path):
    text = registry_path.read_text() + (
        "\n[[entity]]\nid = \"ghost\"\nname = \"Vanished City\"\ncountry = \"DE\"\narchetype = \"local\"\n"
        f"  [[entity.account]]\n  forge = \"github\"\n  owner = \"no-such-org\"\n  url = \"{sim.url('github')}\"\n"
    )
    registry = parse_registry(text, "with-ghost.toml")

    summary = collect(registry, db_path)

    assert summary.status == "partial"
    ghost = next(a for a in summary.accounts if a.owner == "no-such-org")
    assert ghost.status == "failed"
    assert "not found" in ghost.errors[0]
    assert all(a.status == "ok" for a in summary.accounts if a.owner != "no-such-org")
    with duckdb.connect(str(db_path), read_only=True) as con:
        status, error = con.execute(
            "SELECT status, error FROM run_accounts WHERE owner = 'no-such-org'"
        ).fetchone()
        run_status = con.execute("SELECT status FROM runs").fetchone()[0]
    assert status == "failed" and "HTTP 404" in error
    assert run_status == "partial"
    assert set(_db_repos(db_path)) == set(sim.world.truth()["repos"])


def test_readers_keep_their_snapshot_while_a_new_one_is_published(sim, world, registry, db_path):
    collect(registry, db_path)
    reader = duckdb.connect(str(db_path), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM commits").fetchone()[0]
        repo = next(r for r in world.repos if r.forge == "gitlab" and r.commits)
        world.advance(1)
        world.add_commits("gitlab", repo.path, 4)

        collect(registry, db_path)

        # The open reader still sees its consistent snapshot; a new reader sees the new one.
        assert reader.execute("SELECT count(*) FROM commits").fetchone()[0] == before
    finally:
        reader.close()
    with duckdb.connect(str(db_path), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM commits").fetchone()[0] == before + 4
        assert fresh.execute("SELECT count(*) FROM runs").fetchone()[0] == 2


def test_a_leftover_working_copy_from_a_killed_run_is_discarded(sim, registry, db_path):
    collect(registry, db_path)
    work_path(db_path).write_bytes(b"half-written by a run that was killed")

    summary = collect(registry, db_path)

    assert summary.status == "ok"
    assert not work_path(db_path).exists()
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2


def test_interrupted_walk_resumes_without_loss_or_duplicates(sim, world, registry, db_path):
    """A run stopped in the middle of an account publishes what it committed; the next one completes it."""
    from tests.collect_support import stopping_at_walk

    # Two repositories of the account are walked, the third is where it stops.
    StopAfterTwoRepos = stopping_at_walk(3, lambda account: account.owner == "stadt-neustadt")

    stopped = collect(registry, db_path, collector_factory=StopAfterTwoRepos)

    # The run log says exactly what happened: never "ok" for an interrupted run.
    assert stopped.status == "interrupted"
    with duckdb.connect(str(db_path), read_only=True) as con:
        run = con.execute("SELECT status, finished_at IS NOT NULL, note FROM runs").fetchall()
        accounts = {(f, o): s for f, o, s in con.execute("SELECT forge, owner, status FROM run_accounts").fetchall()}
    assert run[0][:2] == ("interrupted", True) and "interrupted" in run[0][2]
    owners = [(a.forge, a.owner) for a in registry.accounts]
    assert accounts[next(o for o in owners if o[1] == "stadt-neustadt")] == "interrupted"
    assert set(accounts) == set(owners), "every account of the registry has a row"
    # Its host's accounts are collected one after another: those before it finished, those after
    # were not reached. Other hosts' lanes ran alongside and stopped at their next repository.
    lane = next(g for g in lanes(registry.accounts, lambda a: (a.host, token_variable(a)))
                if any(a.owner == "stadt-neustadt" for _, a in g))
    stop = next(i for i, (_, a) in enumerate(lane) if a.owner == "stadt-neustadt")
    assert all(accounts[(a.forge, a.owner)] == "not_reached" for _, a in lane[stop + 1:])
    assert all(accounts[(a.forge, a.owner)] in ("ok", "not_modified") for _, a in lane[:stop])
    assert set(accounts.values()) <= {"ok", "not_modified", "interrupted", "not_reached"}
    partial = _db_commits(db_path)
    assert 0 < sum(len(s) for s in partial.values()) < sum(len(s) for s in world.truth()["commits"].values())

    summary = collect(registry, db_path)

    assert summary.status == "ok"
    commits = _db_commits(db_path)
    for key, shas in world.truth()["commits"].items():
        assert commits.get(key, set()) == shas, key
    with duckdb.connect(str(db_path), read_only=True) as con:
        dupes = con.execute(
            "SELECT count(*) FROM (SELECT sha FROM commits GROUP BY forge, host, repo_path, sha HAVING count(*) > 1)"
        ).fetchone()[0]
    assert dupes == 0
