"""A real third-party client collects the simulator unmodified and gets exactly its ground truth.

Perceval (CHAOSS GrimoireLab's collector, a test extra) runs its github backend (categories issue and
pull_request) with GitHub Enterprise's --enterprise-url, and its gitlab backend (issue and
merge_request) with --url, each pointed at the simulator's host: the items and comments it returns
per repository must be the world's, no more, no fewer. The test is skipped, saying why, where
Perceval is not installed.
"""

from __future__ import annotations

import logging

import pytest

from collectors.simulator import ForgeSimulator, World

github_backend = pytest.importorskip("perceval.backends.core.github", reason="Perceval is not installed (pip install -e '.[test]')")
gitlab_backend = pytest.importorskip("perceval.backends.core.gitlab", reason="Perceval is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def sim():
    with ForgeSimulator(World(seed=7)) as s:
        yield s


def _repos(world, forge: str, count: int):
    """Repositories with activity, the busiest first (nested groups included on GitLab)."""
    repos = [r for r in world.repos if r.forge == forge and r.items]
    return sorted(repos, key=lambda r: (-len(r.items), r.path))[:count]


def _github(sim, repo, category: str) -> list[dict]:
    owner, name = repo.path.split("/")
    backend = github_backend.GitHub(owner=owner, repository=name, api_token=["simulated-token"],
                                    base_url=sim.host_url("github"), sleep_for_rate=True)
    return [item["data"] for item in backend.fetch(category=category)]


def _gitlab(sim, repo, category: str) -> list[dict]:
    # Perceval joins owner and name with %2F; a nested group's own slashes are encoded the same way.
    backend = gitlab_backend.GitLab(owner=repo.namespace.replace("/", "%2F"), repository=repo.name,
                                    api_token="simulated-token", base_url=sim.host_url(repo.forge))
    return [item["data"] for item in backend.fetch(category=category)]


@pytest.fixture(autouse=True)
def _quiet(caplog):
    caplog.set_level(logging.WARNING, logger="perceval")


def test_perceval_github_issues_and_pull_requests_match_the_ground_truth(sim):
    checked = 0
    for repo in _repos(sim.world, "github", 6):
        issues = _github(sim, repo, "issue")
        # GitHub's issue listing holds pull requests too, as Perceval's issue category does.
        assert sorted(i["number"] for i in issues) == sorted(i.number for i in repo.items), repo.path
        want_comments = {i.number: sorted(c.id for c in i.comments if c.kind == "comment") for i in repo.items}
        got_comments = {i["number"]: sorted(c["id"] for c in i["comments_data"]) for i in issues}
        assert got_comments == want_comments, repo.path
        assert all(i["user_data"]["login"] == i["user"]["login"] for i in issues)

        pulls = _github(sim, repo, "pull_request")
        changes = [i for i in repo.items if i.kind == "change_request"]
        assert sorted(p["number"] for p in pulls) == sorted(i.number for i in changes), repo.path
        want_reviews = {i.number: sorted(c.id for c in i.comments if c.kind == "review_comment") for i in changes}
        got_reviews = {p["number"]: sorted(c["id"] for c in p["review_comments_data"] or []) for p in pulls}
        assert got_reviews == want_reviews, repo.path
        merged = {i.number for i in changes if i.state == "merged"}
        assert {p["number"] for p in pulls if p["merged"]} == merged
        assert all(p["merged_by_data"]["login"] for p in pulls if p["merged"])
        checked += len(issues)
    assert checked > 50, "too few items to prove anything"


@pytest.mark.parametrize("forge", ["gitlab", "opencode"])
def test_perceval_gitlab_issues_and_merge_requests_match_the_ground_truth(sim, forge):
    repos = _repos(sim.world, forge, 4)
    # A project in a nested group too: its path is how Perceval's owner/name addressing is tried hardest.
    nested = next(r for r in sim.world.repos if r.forge == forge and r.items and "/" in r.namespace)
    checked = 0
    for repo in repos + ([nested] if nested not in repos else []):
        for category, kind in (("issue", "issue"), ("merge_request", "change_request")):
            got = _gitlab(sim, repo, category)
            want = [i for i in repo.items if i.kind == kind]
            assert sorted(i["iid"] for i in got) == sorted(i.number for i in want), f"{repo.path} {category}"
            got_notes = {i["iid"]: sorted(n["id"] for n in i["notes_data"]) for i in got}
            assert got_notes == {i.number: sorted(c.id for c in i.comments) for i in want}, f"{repo.path} {category}"
            if category == "merge_request":
                assert all(len(m["versions_data"]) == 1 and m["versions_data"][0]["commits"] for m in got)
            checked += len(got)
    assert checked > 30, "too few items to prove anything"


def test_perceval_reuses_its_connection(sim):
    sim.reset_counters()
    repo = _repos(sim.world, "github", 1)[0]
    _github(sim, repo, "issue")
    connections = sum(n for agent, n in sim.connections.items() if agent.startswith("Perceval"))
    assert sim.total_requests("github") > 20
    assert connections == 1, sim.connections
