"""Releases and root listings asked for with the ETag of their last answer, on the simulator.

A repository pushed to without a new release or root file must cost no body for either (the
simulator answers 304 as a real forge does); a new release, a new root file and a changed
publiccode.yml must still be collected; a 304 keeps the stored rows; the ETags survive an
interrupted run; and an ETag is stored only with the rows of its own answer.
"""

from __future__ import annotations

import duckdb

from collectors.base import make_collector
from collectors.simulator import activity
from collectors.simulator.common import blob_sha
from tests.collect_support import stopping_at_walk
from warehouse import changes
from warehouse.pipeline import collect

RELEASES = ("github GET /repos/{owner}/{repo}/releases", "gitlab GET /projects/:id/releases",
            "opencode GET /projects/:id/releases")
ROOTS = ("github GET /repos/{owner}/{repo}/contents/{path}", "gitlab GET /projects/:id/repository/tree",
         "opencode GET /projects/:id/repository/tree")


def asked(sim, endpoints) -> tuple[int, int]:
    """(requests, 304 answers) on these endpoints since the counters were reset."""
    return sum(sim.requests[e] for e in endpoints), sum(sim.not_modified[e] for e in endpoints)


def stored(db_path, sql: str) -> list:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(db_path) -> tuple[list, list, list]:
    return (
        stored(db_path, "SELECT * FROM releases ORDER BY ALL"),
        stored(db_path, "SELECT * FROM root_files ORDER BY ALL"),
        stored(db_path, "SELECT forge, repo_path, blob_sha, valid FROM publiccode ORDER BY ALL"),
    )


def walked_repos(world):
    """Repositories a push reaches: not archived, with a history (mirrors share their original's)."""
    seen, out = set(), []
    for repo in world.repos:
        if repo.archived or not repo.commits or id(repo.commits) in seen:
            continue
        seen.add(id(repo.commits))
        out.append(repo)
    return out


def push_everywhere(world) -> None:
    world.advance(1)
    for repo in walked_repos(world):
        world.add_commits(repo.forge, repo.path, 1)


def test_pushes_without_new_releases_or_files_cost_no_bodies(sim, world, registry, db_path):
    assert collect(registry, db_path).status == "ok"
    first = snapshot(db_path)
    etags = stored(db_path, "SELECT forge, stream, count(*) FROM cursors WHERE stream IN ('releases', 'root') "
                            "AND etag IS NOT NULL GROUP BY ALL ORDER BY ALL")
    assert {(f, s) for f, s, _ in etags} == {(f, s) for f in ("github", "gitlab", "opencode") for s in ("releases", "root")}

    sim.reset_counters()
    assert collect(registry, db_path).status == "ok"
    assert asked(sim, RELEASES + ROOTS) == (0, 0), "an unchanged account walks nothing"

    push_everywhere(world)
    sim.reset_counters()
    summary = collect(registry, db_path)
    assert summary.status == "ok" and summary.new_commits >= len(walked_repos(world))
    for endpoints in (RELEASES, ROOTS):
        requests, not_modified = asked(sim, endpoints)
        assert requests >= len(walked_repos(world)) * 2 // 3, (endpoints, requests)
        assert not_modified == requests, f"{endpoints}: {requests - not_modified} answers with a body"
    assert sim.requests["github GET /repos/{owner}/{repo}/contents/{path}"] > 0
    assert sim.requests["gitlab GET /projects/:id/repository/tree"] > 0
    assert not any("publiccode.yml" in key for key in sim.requests), "an unchanged root asks for no publiccode.yml"
    # The collector's own count agrees with the simulator's, and a 304 lost no row.
    assert summary.not_modified == sim.total_not_modified()
    assert snapshot(db_path) == first


def test_new_release_root_file_and_publiccode_after_a_day_are_collected(sim, world, registry, db_path):
    assert collect(registry, db_path).status == "ok"
    activity.add_day(world)
    changed = {}
    for forge in ("github", "gitlab"):
        repo = next(r for r in walked_repos(world) if r.forge == forge and r.releases and "SECURITY.md" not in r.files)
        world.add_release(forge, repo.path, "v99.0.0")
        world.set_file(forge, repo.path, "SECURITY.md", "Report issues to security@example.org\n")
        with_code = next(r for r in walked_repos(world) if r.forge == forge and "publiccode.yml" in r.files)
        world.set_file(forge, with_code.path, "publiccode.yml", with_code.files["publiccode.yml"] + "# edited\n")
        changed[forge] = (repo, with_code)

    sim.reset_counters()
    assert collect(registry, db_path).status == "ok"
    releases = {(f, p, t) for f, p, t in stored(db_path, "SELECT forge, repo_path, tag FROM releases")}
    files = {(f, p): (security, tuple(names), tuple(dirs), flows) for f, p, security, names, dirs, flows in
             stored(db_path, "SELECT forge, repo_path, has_security, files, dirs, workflows FROM root_files")}
    blobs = {(f, p): sha for f, p, sha in stored(db_path, "SELECT forge, repo_path, blob_sha FROM publiccode")}
    for forge, (repo, with_code) in changed.items():
        assert (forge, repo.path, "v99.0.0") in releases
        assert files[(forge, repo.path)][0] is True and "SECURITY.md" in files[(forge, repo.path)][1]
        assert blobs[(forge, with_code.path)] == blob_sha(with_code.files["publiccode.yml"])
    # Every repository's releases and root files are the world's, after a day of 304s and 200s.
    for repo in world.repos:
        if repo.commits and not repo.is_fork:
            want = {r.tag for r in repo.releases}
            assert {t for f, p, t in releases if (f, p) == (repo.forge, repo.path)} == want, repo.path
            root = repo.folder("")
            _, names, dirs, flows = files[(repo.forge, repo.path)]
            assert names == tuple(n for n, content in root if content is not None), repo.path
            assert dirs == tuple(n for n, content in root if content is None), repo.path
            listed = repo.forge == "github" and ".github" in dirs
            want_flows = [n for n, _ in repo.folder(".github/workflows") or []] if listed else None
            assert flows == want_flows, repo.path


def test_etags_of_finished_repositories_survive_an_interrupted_run(sim, world, registry, db_path):
    stop_at_third_walk = stopping_at_walk(3, lambda account: account.forge == "github")
    assert collect(registry, db_path, collector_factory=stop_at_third_walk).status == "interrupted"
    with_etag = {p for (p,) in stored(db_path, "SELECT scope FROM cursors WHERE forge = 'github' "
                                               "AND stream = 'releases' AND etag IS NOT NULL")}
    walked = {p for (p,) in stored(db_path, "SELECT scope FROM cursors WHERE forge = 'github' AND stream = 'walk'")}
    assert len(with_etag) >= 2 and with_etag <= walked, "an ETag is published only with its repository's rows"

    # The finished repositories are pushed to: their releases and root are asked for with those ETags.
    world.advance(1)
    for path in sorted(with_etag):
        world.add_commits("github", path, 1)
    sim.reset_counters()
    assert collect(registry, db_path).status == "ok"
    github = (RELEASES[0], ROOTS[0])
    requests, not_modified = asked(sim, github)
    assert not_modified >= 2 * len(with_etag), (requests, not_modified)
    for path in with_etag:
        want = {r.tag for r in world.repo("github", path).releases}
        assert {t for (t,) in stored(db_path, f"SELECT tag FROM releases WHERE forge = 'github' AND repo_path = '{path}'")} == want


def test_an_answer_with_unreadable_values_keeps_no_etag(sim, world, registry, db_path):
    assert collect(registry, db_path).status == "ok"
    repo = next(r for r in walked_repos(world) if r.forge == "github" and r.releases)
    world.advance(1)
    world.add_release("github", repo.path, "v98.0.0")
    sim.faults.bad_field(field="published_at", value="2013-09-30T13: 46: 02Z", endpoint="/repos/{owner}/{repo}/releases",
                         times=1)
    summary = collect(registry, db_path)
    assert summary.status == "ok" and summary.warning_count >= 1
    etag = stored(db_path, f"SELECT etag FROM cursors WHERE forge = 'github' AND stream = 'releases' AND scope = '{repo.path}'")
    assert etag in ([], [(None,)]), "the ETag of an answer read in part is not kept"

    world.advance(1)
    world.add_commits("github", repo.path, 1)
    sim.reset_counters()
    assert collect(registry, db_path).status == "ok"
    assert asked(sim, RELEASES[:1]) == (1, 0), "asked again in full"
    published = stored(db_path, f"SELECT published_at IS NOT NULL FROM releases WHERE forge = 'github' AND repo_path = '{repo.path}' "
                                "AND tag = 'v98.0.0'")
    assert published == [(True,)]


def test_a_listing_of_more_than_one_page_keeps_no_etag(sim, world, registry):
    for forge in ("github", "gitlab"):
        account = next(a for a in registry.accounts if a.forge == forge and any(
            r in walked_repos(world) for r in world.repos_of(forge, a.owner)))
        repo = next(r for r in world.repos_of(forge, account.owner) if r in walked_repos(world))
        collector = make_collector(account)
        listed = next(r for r in collector.list_repos(None).repos if r.path == repo.path)
        one_page = collector.releases(listed)
        assert [r.tag for r in one_page] == [r.tag for r in repo.releases]
        assert one_page.etag and collector.releases(listed, one_page.etag).not_modified
        for n in range(101 - len(repo.releases)):
            world.add_release(forge, repo.path, f"v0.0.{n}")
        two_pages = collector.releases(listed, one_page.etag)
        assert not two_pages.not_modified and [r.tag for r in two_pages] == [r.tag for r in repo.releases]
        assert two_pages.etag is None, "a 304 on the first page would say nothing of the second"
        collector.close()


def test_the_simulator_answers_if_none_match_as_a_forge_does(sim, world):
    """A 304 with no body and the same ETag; a changed listing a 200 with a new one."""
    import requests

    for forge, template in (("github", "{api}/repos/{path}/releases"), ("gitlab", "{api}/projects/{enc}/releases"),
                            ("github", "{api}/repos/{path}/contents/"), ("gitlab", "{api}/projects/{enc}/repository/tree")):
        repo = next(r for r in walked_repos(world) if r.forge == forge)
        url = template.format(api=sim.api_url(forge), path=repo.path, enc=repo.path.replace("/", "%2F"))
        first = requests.get(url, timeout=10)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and first.content
        again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
        assert (again.status_code, again.content, again.headers.get("ETag")) == (304, b"", etag), url
        if url.endswith("releases"):
            world.add_release(forge, repo.path, "v97.0.0")
        else:
            world.set_file(forge, repo.path, "CHANGELOG.md", "a new root file\n")
        changed = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
        assert changed.status_code == 200 and changed.headers["ETag"] != etag, url


def test_members_of_more_than_one_page_keep_no_etag(sim, world, registry):
    for forge in ("github", "gitlab"):
        account = next(a for a in registry.accounts if a.forge == forge and world.account(forge, a.owner).kind != "user")
        collector = make_collector(account)
        one_page = collector.members(None)
        logins = {m.login for m in one_page}
        assert one_page.etag and collector.members(one_page.etag).not_modified
        owner = world.account(forge, account.owner)
        for n in range(101 - len(owner.members)):
            person = world.add_person(f"member-{n:03d}", f"Member {n}", f"member{n}@example.org", owner.entity_id)
            owner.members.append(person.login)
        two_pages = collector.members(one_page.etag)
        assert not two_pages.not_modified and {m.login for m in two_pages} == set(owner.members) > logins
        assert two_pages.etag is None, "a member added on the second page would go unseen"
        collector.close()


def test_forks_of_more_than_one_page_unchanged_are_no_change(sim, world, registry, db_path, monkeypatch):
    # A fork listing of several pages is asked for unconditionally (a 304 on its first page would
    # say nothing of the others); the same forks again must not count as a change of the
    # repository, or an unchanged run would redo the warehouse work for it.
    repo = next(r for r in walked_repos(world) if r.forge == "gitlab" and not r.is_fork)
    world.advance(1)
    for n in range(101 - len(repo.forks)):
        world.add_fork("gitlab", repo.path, f"forker-{n}")
    assert collect(registry, db_path).status == "ok"
    forks = stored(db_path, f"SELECT count(*) FROM forks WHERE repo_path = '{repo.path}'")
    assert forks == [(len(repo.forks),)] and len(repo.forks) > 100

    noted = []
    real = changes.note_repo

    def spy(pending, record):
        noted.append(record.path)
        real(pending, record)

    monkeypatch.setattr(changes, "note_repo", spy)
    assert collect(registry, db_path).status == "ok"
    assert noted == []
    world.add_fork("gitlab", repo.path, "one-more")
    assert collect(registry, db_path).status == "ok"
    assert set(noted) == {repo.path}
    assert stored(db_path, f"SELECT count(*) FROM forks WHERE repo_path = '{repo.path}'") == [(len(repo.forks),)]


FORKS = ("github GET /repos/{owner}/{repo}/forks", "gitlab GET /projects/:id/forks", "opencode GET /projects/:id/forks")


def test_a_repository_whose_listing_counts_no_fork_is_not_asked_for_them(sim, world, registry, db_path):
    assert collect(registry, db_path).status == "ok"
    with_forks, without = stored(db_path, "SELECT count(*) FILTER (forks_count > 0), count(*) FILTER (forks_count = 0) "
                                          "FROM repos")[0]
    assert with_forks > 0 and without > 0
    assert max(len(r.forks) for r in world.repos) <= 100, "one page of forks per repository"
    assert asked(sim, FORKS)[0] == with_forks

    # Asked once it has a fork, and its listing stays unasked while it has none.
    repo = next(r for r in walked_repos(world) if r.forge == "github" and r.forks_count == 0)
    sim.reset_counters()
    assert collect(registry, db_path).status == "ok"
    assert asked(sim, FORKS)[0] == asked(sim, FORKS)[1] == with_forks, "only the repositories with forks, each a 304"
    world.advance(1)
    world.add_fork("github", repo.path, "a-new-forker")
    assert collect(registry, db_path).status == "ok"
    assert stored(db_path, f"SELECT fork_owner FROM forks WHERE repo_path = '{repo.path}'") == [("a-new-forker",)]

    # The fork is deleted: the listing counts none, so nothing is asked and the stored fork goes.
    world.advance(1)
    world.repo("github", repo.path).forks.clear()
    world.repo("github", repo.path).forks_count = 0
    world.repo("github", repo.path).updated_at = world.now
    sim.reset_counters()
    assert collect(registry, db_path).status == "ok"
    assert asked(sim, FORKS)[0] == with_forks
    assert stored(db_path, f"SELECT count(*) FROM forks WHERE repo_path = '{repo.path}'") == [(0,)]
    assert stored(db_path, f"SELECT marker, etag FROM cursors WHERE scope = '{repo.path}' AND stream = 'forks'"
                  ) == [("0", None)]
