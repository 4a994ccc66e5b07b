"""The simulator's bodies carry the keys the real APIs document, and nothing they do not; every moment
the world holds lies at or before its clock; each forge answers at the address a real one has.

GitHub: tests/fixtures/github-openapi/operations.json (GitHub's OpenAPI description: example bodies
and the documented property tree). GitLab: tests/fixtures/gitlab-api/documented.json (the keys of
GitLab's documented examples). Both READMEs there say where they come from.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from collectors.simulator import ForgeSimulator, World, activity

FIXTURES = Path(__file__).parent / "fixtures"
GITHUB = json.loads((FIXTURES / "github-openapi" / "operations.json").read_text(encoding="utf-8"))["operations"]
GITLAB = json.loads((FIXTURES / "gitlab-api" / "documented.json").read_text(encoding="utf-8"))

# Keys GitHub's examples show that it sends only to an organisation's owners, a repository's admins or
# the user themself (plans, billing, private counts, security settings): an anonymous or outside
# token, as a collector's is, never sees them.
PRIVILEGED = {
    "/orgs/{org}": {
        "advanced_security_enabled_for_new_repositories", "billing_email", "collaborators", "default_repository_branch",
        "default_repository_permission", "dependabot_alerts_enabled_for_new_repositories",
        "dependabot_security_updates_enabled_for_new_repositories", "dependency_graph_enabled_for_new_repositories",
        "deploy_keys_enabled_for_repositories", "disk_usage", "display_commenter_full_name_setting_enabled",
        "members_allowed_repository_creation_type", "members_can_change_repo_visibility",
        "members_can_create_internal_repositories", "members_can_create_pages", "members_can_create_private_pages",
        "members_can_create_private_repositories", "members_can_create_public_pages",
        "members_can_create_public_repositories", "members_can_create_repositories", "members_can_create_teams",
        "members_can_delete_issues", "members_can_delete_repositories", "members_can_fork_private_repositories",
        "members_can_invite_outside_collaborators", "members_can_view_dependency_insights", "owned_private_repos",
        "plan", "private_gists", "readers_can_create_discussions", "secret_scanning_enabled_for_new_repositories",
        "secret_scanning_push_protection_custom_link", "secret_scanning_push_protection_custom_link_enabled",
        "secret_scanning_push_protection_enabled_for_new_repositories", "total_private_repos",
        "two_factor_requirement_enabled", "web_commit_signoff_required",
    },
    "repository": {"security_and_analysis"},
}
# Keys an example shows that GitHub sends only for some items: an issue's ``pull_request`` when the
# issue is a pull request (the address serves a plain issue), ``in_reply_to_id`` on a reply (the
# simulated review comments start threads).
CONDITIONAL = {"pull_request", "in_reply_to_id"}


@pytest.fixture(scope="module")
def sim():
    with ForgeSimulator(World(seed=7)) as s:
        yield s


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def _missing(example, served, path: str = "") -> list[str]:
    """Keys the example shows that the served body lacks (recursively, lists by their first element)."""
    if isinstance(example, dict) and isinstance(served, dict):
        out = []
        for key, value in example.items():
            if key not in served:
                out.append(path + key)
            else:
                out += _missing(value, served[key], f"{path}{key}.")
        return out
    if isinstance(example, list) and isinstance(served, list) and example and served:
        return _missing(example[0], served[0], path + "[].")
    return []


def _documented(props, example):
    """The property tree with the example's keys added: GitHub's examples show a few keys its schema omits."""
    if isinstance(example, list):
        return _documented(props, example[0]) if example else props
    if not isinstance(example, dict):
        return props
    tree = dict(props) if isinstance(props, dict) else {}
    for key, value in example.items():
        tree[key] = _documented(tree.get(key), value)
    return tree


def _undocumented(props, served, path: str = "") -> list[str]:
    """Keys served that the documented property tree does not have."""
    if isinstance(served, list):
        return [k for item in served[:3] for k in _undocumented(props, item, path + "[].")]
    if not isinstance(served, dict) or not isinstance(props, dict) or not props:
        return []
    out = []
    for key, value in served.items():
        if key not in props:
            out.append(path + key)
        else:
            out += _undocumented(props[key], value, f"{path}{key}.")
    return out


def _github_addresses(sim) -> dict[str, str]:
    """A concrete address with a non-empty answer for every documented operation."""
    world = sim.world
    repos = [r for r in world.repos if r.forge == "github"]

    def has(pred):
        return next(r for r in repos if pred(r))

    busy = has(lambda r: any(c.kind == "comment" for i in r.items for c in i.comments)
               and any(c.kind == "review_comment" for i in r.items for c in i.comments) and r.releases and r.forks)
    org = world.account("github", busy.account)
    member = org.members[0]
    issue = next(i for i in busy.items if i.state != "open" and any(c.kind == "comment" for c in i.comments))
    pull = next(i for i in busy.items if i.kind == "change_request" and any(c.kind == "review_comment" for c in i.comments))
    comment = next(c for c in issue.comments if c.kind == "comment")
    review = next(c for c in pull.comments if c.kind == "review_comment")
    fork = has(lambda r: r.is_fork and r.parent)
    user_account = next((a for a in world.accounts if a.forge == "github" and a.kind == "user"), org)
    with_file = has(lambda r: "README.md" in r.files and r.commits)
    api, repo = sim.api_url("github"), f"{sim.api_url('github')}/repos/{busy.path}"
    return {
        "/rate_limit": f"{api}/rate_limit",
        "/orgs/{org}": f"{api}/orgs/{org.path}",
        "/orgs/{org}/repos": f"{api}/orgs/{org.path}/repos",
        "/orgs/{org}/public_members": f"{api}/orgs/{org.path}/public_members",
        "/users/{username}": f"{api}/users/{member}",
        "/users/{username}/repos": f"{api}/users/{user_account.path}/repos",
        "/users/{username}/orgs": f"{api}/users/{member}/orgs",
        "/repos/{owner}/{repo}": f"{api}/repos/{fork.path}",
        "/repos/{owner}/{repo}/commits": f"{repo}/commits",
        "/repos/{owner}/{repo}/issues": f"{repo}/issues?state=all",
        "/repos/{owner}/{repo}/issues/{issue_number}": f"{repo}/issues/{issue.number}",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments": f"{repo}/issues/{issue.number}/comments",
        "/repos/{owner}/{repo}/issues/comments": f"{repo}/issues/comments",
        "/repos/{owner}/{repo}/issues/{issue_number}/reactions": f"{repo}/issues/{issue.number}/reactions",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": f"{repo}/issues/comments/{comment.id}/reactions",
        "/repos/{owner}/{repo}/pulls": f"{repo}/pulls?state=all",
        "/repos/{owner}/{repo}/pulls/{pull_number}": f"{repo}/pulls/{pull.number}",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews": f"{repo}/pulls/{pull.number}/reviews",
        "/repos/{owner}/{repo}/pulls/{pull_number}/commits": f"{repo}/pulls/{pull.number}/commits",
        "/repos/{owner}/{repo}/pulls/{pull_number}/comments": f"{repo}/pulls/{pull.number}/comments",
        "/repos/{owner}/{repo}/pulls/comments": f"{repo}/pulls/comments",
        "/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions": f"{repo}/pulls/comments/{review.id}/reactions",
        "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers": f"{repo}/pulls/{pull.number}/requested_reviewers",
        "/repos/{owner}/{repo}/releases": f"{repo}/releases",
        "/repos/{owner}/{repo}/forks": f"{repo}/forks",
        "/repos/{owner}/{repo}/contents/{path}": f"{api}/repos/{with_file.path}/contents/README.md",
    }


def test_every_documented_github_operation_is_served(sim):
    assert set(_github_addresses(sim)) == set(GITHUB)


@pytest.mark.parametrize("operation", sorted(GITHUB))
def test_github_bodies_have_the_documented_keys(sim, operation):
    served = _get(_github_addresses(sim)[operation])
    documented = GITHUB[operation]
    allowed = PRIVILEGED.get(operation, set()) | PRIVILEGED["repository"] | CONDITIONAL
    examples = list(documented["examples"].values())
    if operation.endswith("/contents/{path}"):
        examples = examples[:1]  # the file example: the others show a directory, symlink or submodule
    if operation == "/users/{username}":
        examples = examples[:1]  # the other example is the user's own view, with their plan
    missing = set()
    for example in examples:
        if isinstance(example, list) and not (isinstance(served, list) and served):
            continue  # an empty listing (reactions: the world holds none) has no body to compare
        missing |= {m for m in _missing(example, served) if m.rsplit(".", 1)[-1] not in allowed}
    assert not missing, f"{operation}: documented keys not served: {sorted(missing)}"
    tree = documented["properties"]
    for example in documented["examples"].values():
        tree = _documented(tree, example)
    extra = _undocumented(tree, served)
    assert not extra, f"{operation}: served keys GitHub does not document: {sorted(set(extra))}"


def _gitlab_expected(endpoint: str) -> tuple[set[str], dict]:
    spec = GITLAB[endpoint]
    if "like" in spec:
        keys, nested = _gitlab_expected(spec["like"])
        return keys | set(spec.get("plus", [])), {**nested, **spec.get("nested", {})}
    return set(spec["keys"]), spec.get("nested", {})


def _gitlab_addresses(sim, forge: str) -> dict[str, str]:
    world = sim.world
    repo = next(r for r in world.repos if r.forge == forge
                and any(i.kind == "issue" and i.comments for i in r.items)
                and any(i.kind == "change_request" and i.state == "merged" and i.comments for i in r.items))
    issue = next(i for i in repo.items if i.kind == "issue" and i.comments)
    merged = next(i for i in repo.items if i.kind == "change_request" and i.state == "merged" and i.comments)
    approved = next(i for i in repo.items if i.kind == "change_request" and i.reviews)
    api, base = sim.api_url(forge), f"{sim.api_url(forge)}/projects/{repo.id}"
    from collectors.simulator.gitlab_bodies import version_id

    account = world.account(forge, repo.account)
    person = world.people[0]
    return {
        "/users/:id": f"{api}/users/{world.person_id(person)}",
        "/groups/:id/members": f"{api}/groups/{account.path}/members",
        "/projects/:id/issues": f"{base}/issues?state=all",
        "/projects/:id/issues/:iid": f"{base}/issues/{issue.number}",
        "/projects/:id/merge_requests": f"{base}/merge_requests?state=merged",
        "/projects/:id/merge_requests?view=simple": f"{base}/merge_requests?state=all&view=simple",
        "/projects/:id/merge_requests/:iid": f"{base}/merge_requests/{merged.number}",
        "/projects/:id/merge_requests/:iid/approvals": f"{base}/merge_requests/{approved.number}/approvals",
        "/projects/:id/merge_requests/:iid/versions": f"{base}/merge_requests/{merged.number}/versions",
        "/projects/:id/merge_requests/:iid/versions/:id":
            f"{base}/merge_requests/{merged.number}/versions/{version_id(repo, merged)}",
        "/projects/:id/issues/:iid/notes": f"{base}/issues/{issue.number}/notes",
        "/projects/:id/merge_requests/:iid/notes": f"{base}/merge_requests/{merged.number}/notes",
        "/projects/:id/repository/commits": f"{base}/repository/commits",
    }


@pytest.mark.parametrize("forge", ["gitlab", "opencode"])
def test_gitlab_bodies_have_exactly_the_documented_keys(sim, forge):
    user_keys = set(GITLAB["user"])
    problems = []
    for endpoint, url in _gitlab_addresses(sim, forge).items():
        served = _get(url)
        bodies = served if isinstance(served, list) else [served]
        assert bodies, f"{endpoint}: empty answer, nothing to compare"
        keys, nested = _gitlab_expected(endpoint)
        for body in bodies[:5]:
            if set(body) != keys:
                problems.append(f"{endpoint}: missing {sorted(keys - set(body))}, undocumented {sorted(set(body) - keys)}")
            for name, want in nested.items():
                value = body.get(name)
                value = value[0] if isinstance(value, list) and value else value
                if isinstance(value, dict):
                    want = user_keys if want == "user" else set(want)
                    if set(value) != want:
                        problems.append(f"{endpoint} {name}: missing {sorted(want - set(value))}, undocumented {sorted(set(value) - want)}")
    assert not problems, "\n".join(sorted(set(problems)))


def _moments(world):
    for r in world.repos:
        yield f"{r.forge}:{r.path} created", r.created_at
        for name in ("pushed_at", "updated_at"):
            if getattr(r, name):
                yield f"{r.forge}:{r.path} {name}", getattr(r, name)
        yield f"{r.forge}:{r.path} last_activity_at", r.last_activity_at
        for c in r.commits:
            yield f"{r.forge}:{r.path} commit {c.sha[:8]}", max(c.authored_at, c.committed_at)
        for i in r.items:
            for name in ("created_at", "closed_at", "merged_at", "touched_at", "updated_at"):
                if getattr(i, name):
                    yield f"{r.forge}:{r.path}#{i.number} {name}", getattr(i, name)
            for c in i.comments:
                yield f"{r.forge}:{r.path}#{i.number} comment {c.id}", c.created_at
            for v in i.reviews:
                yield f"{r.forge}:{r.path}#{i.number} review {v.id}", v.submitted_at
        for rel in r.releases:
            yield f"{r.forge}:{r.path} release {rel.tag}", rel.published_at
        for f in r.forks:
            yield f"{r.forge}:{r.path} fork {f.owner}", max(f.created_at, f.pushed_at)


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_no_moment_lies_after_the_clock(seed):
    world = World(seed=seed)
    for day in range(3):
        late = [(what, moment) for what, moment in _moments(world) if moment > world.now]
        assert not late, f"seed {seed}, day {day}: after the clock {world.now}: {late[:5]}"
        added = activity.add_day(world)
        assert added.get("commits", 0) > 0, "a day of activity added no commits"


def test_each_forge_answers_at_its_own_address_and_at_the_registry_prefix(sim):
    org = next(a for a in sim.world.accounts if a.forge == "github" and a.kind == "org")
    own = _get(f"{sim.host_url('github')}/api/v3/orgs/{org.path}")
    prefixed = _get(f"{sim.url('github')}/orgs/{org.path}")
    assert own["url"] == f"{sim.host_url('github')}/api/v3/orgs/{org.path}"
    assert prefixed["url"] == f"{sim.url('github')}/orgs/{org.path}"
    for forge in ("gitlab", "opencode"):
        group = next(a for a in sim.world.accounts if a.forge == forge and a.kind == "group")
        at_root = _get(f"{sim.host_url(forge)}/api/v4/groups/{group.path}")
        assert at_root["full_path"] == group.path
        assert at_root["web_url"].startswith(sim.host_url(forge) + "/")
        assert _get(f"{sim.url(forge)}/api/v4/groups/{group.path}")["id"] == at_root["id"]


def test_a_day_of_activity_is_added_through_the_control_endpoint(sim):
    before = sim.world.now
    commits = sum(len(r.commits) for r in sim.world.repos)
    request = urllib.request.Request(f"{sim.base_url}/_sim/day", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = json.loads(answer.read())
    assert (sim.world.now - before).days == 1
    assert body["added"]["commits"] > 0
    assert sum(len(r.commits) for r in sim.world.repos) >= commits + body["added"]["commits"]
