"""GitHub REST v3 bodies for the simulator, with the fields GitHub documents for each.

The documented examples (GitHub's OpenAPI description) are the pattern: every key
an example shows is served, with values taken from the world or derived from it
deterministically. Fields GitHub sends only to an organisation's owners or a
repository's admins (billing, security settings) are left out, as GitHub leaves
them out for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.simulator import common as server
from collectors.simulator.model import (
    SimAccount,
    SimComment,
    SimCommit,
    SimItem,
    SimPerson,
    SimRepo,
    review_comment_review_id,
)


@dataclass
class Context:
    world: object  # collectors.simulator.world.World
    forge: str
    api: str  # absolute API root, e.g. http://127.0.0.1:PORT/api/v3
    web: str  # absolute web root
    rate: tuple[int, int, int, int] = (5000, 0, 5000, 0)  # the asking token's budget: limit, used, remaining, reset


REACTIONS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
_LICENSE_NAMES = {
    "EUPL-1.2": "European Union Public License 1.2",
    "MIT": "MIT License",
    "Apache-2.0": "Apache License 2.0",
    "AGPL-3.0-only": "GNU Affero General Public License v3.0",
    "GPL-3.0-or-later": "GNU General Public License v3.0",
    "MPL-2.0": "Mozilla Public License 2.0",
    "NOASSERTION": "Other",
}
# A repository's hypermedia links, as GitHub lists them (URI templates included).
_REPO_LINKS = {
    "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
    "downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks", "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
    "languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags", "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def user(ctx: Context, login: str, uid: int, kind: str | None = None) -> dict:
    """GitHub's simple user: what every author, committer, owner and member is shown as."""
    url = f"{ctx.api}/users/{login}"
    return {
        "login": login, "id": uid, "node_id": f"U_{uid}", "avatar_url": f"{ctx.web}/avatars/u/{uid}",
        "gravatar_id": "", "url": url, "html_url": f"{ctx.web}/{login}", "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}", "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs", "repos_url": f"{url}/repos", "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": kind or ("Bot" if login.endswith("[bot]") else "User"), "user_view_type": "public", "site_admin": False,
    }


def person(ctx: Context, who: SimPerson) -> dict:
    return user(ctx, who.login, ctx.world.person_id(who))


def account_user(ctx: Context, account: SimAccount) -> dict:
    return user(ctx, account.path, account.id, "Organization" if account.kind == "org" else "User")


def org_simple(ctx: Context, account: SimAccount) -> dict:
    """An organisation as ``/users/{login}/orgs`` lists it."""
    url = f"{ctx.api}/orgs/{account.path}"
    return {
        "login": account.path, "id": account.id, "node_id": f"O_{account.id}", "url": url,
        "repos_url": f"{url}/repos", "events_url": f"{url}/events", "hooks_url": f"{url}/hooks",
        "issues_url": f"{url}/issues", "members_url": f"{url}/members{{/member}}",
        "public_members_url": f"{url}/public_members{{/member}}", "avatar_url": f"{ctx.web}/avatars/u/{account.id}",
        "description": _entity(ctx, account).name,
    }


def _entity(ctx: Context, account: SimAccount):
    return next(e for e in ctx.world.entities if e.id == account.entity_id)


def owner_profile(ctx: Context, account: SimAccount) -> dict:
    """``/orgs/{org}`` or ``/users/{login}`` for a registry account (public fields only)."""
    entity = _entity(ctx, account)
    public_repos = len(ctx.world.repos_of("github", account.path))
    common = {
        "name": entity.name, "company": None, "blog": "", "location": None, "email": None, "twitter_username": None,
        "public_repos": public_repos, "public_gists": 0, "followers": 0, "following": 0,
        "created_at": "2012-01-01T00:00:00Z", "updated_at": server.iso(ctx.world.now),
    }
    if account.kind != "org":
        return {**account_user(ctx, account), **common, "hireable": None, "bio": entity.name}
    return {
        **org_simple(ctx, account), **common, "html_url": f"{ctx.web}/{account.path}", "type": "Organization",
        "is_verified": False, "has_organization_projects": True, "has_repository_projects": True,
        "archived_at": None,
    }


def user_profile(ctx: Context, who: SimPerson) -> dict:
    """``/users/{login}`` for a person (bots included)."""
    email = None if who.bot else who.email
    return {
        **person(ctx, who), "name": who.name, "company": None, "blog": "", "location": None, "email": email,
        "hireable": None, "bio": None, "twitter_username": None, "public_repos": 0, "public_gists": 0,
        "followers": 0, "following": 0, "created_at": "2015-03-01T09:00:00Z", "updated_at": server.iso(ctx.world.now),
    }


def association(ctx: Context, repo: SimRepo, who: SimPerson) -> str:
    account = ctx.world.account("github", repo.account)
    if account is not None and who.login in account.members:
        return "MEMBER"
    if not who.bot and account is not None and account.entity_id in who.entities:
        return "CONTRIBUTOR"
    return "NONE"


def reactions(url: str) -> dict:
    # The world holds no reactions: every summary counts none (and the reaction listings are empty).
    return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(REACTIONS, 0)}


def license_json(ctx: Context, r: SimRepo, full: bool = False) -> dict | None:
    """The licence as listings show it; ``full`` (a repository's own page) adds where its file is."""
    spdx = r.license
    if not spdx:
        return None
    body = {
        "key": spdx.lower(), "name": _LICENSE_NAMES[spdx], "spdx_id": spdx,
        "url": None if spdx == "NOASSERTION" else f"{ctx.api}/licenses/{spdx.lower()}", "node_id": f"L_{spdx}",
    }
    if full:
        body["html_url"] = f"{ctx.web}/{r.path}/blob/{r.default_branch}/LICENSE"
    return body


# How a repository merges, shown wherever GitHub shows a whole repository (its page, a pull request's head and base).
MERGE_SETTINGS = {
    "temp_clone_token": None, "allow_rebase_merge": True, "allow_squash_merge": True, "allow_merge_commit": True,
    "allow_auto_merge": False, "delete_branch_on_merge": False,
}


def repo(ctx: Context, r: SimRepo, full: bool = False, nested: bool = False) -> dict:
    """A repository as listings show it, or (``full``) as its own page does; ``nested``: as the
    parent or source inside a fork's page (whole, without parents of its own)."""
    owner = ctx.world.account("github", r.account)
    url = f"{ctx.api}/repos/{r.path}"
    host = ctx.web.split("//", 1)[-1]
    open_items = sum(1 for i in r.items if i.state == "open")
    body = {
        "id": r.id, "node_id": f"R_{r.id}", "name": r.name, "full_name": r.path, "owner": account_user(ctx, owner),
        "private": False, "html_url": f"{ctx.web}/{r.path}", "description": r.description, "fork": r.is_fork,
        "url": url, **{k: url + v for k, v in _REPO_LINKS.items()},
        "git_url": f"git://{host}/{r.path}.git", "ssh_url": f"git@{host}:{r.path}.git",
        "clone_url": f"{ctx.web}/{r.path}.git", "svn_url": f"{ctx.web}/{r.path}", "mirror_url": None,
        "homepage": None, "language": r.language, "forks_count": r.forks_count, "forks": r.forks_count,
        "stargazers_count": r.stars, "watchers_count": r.stars, "watchers": r.stars, "size": 100 + len(r.commits),
        "default_branch": r.default_branch, "open_issues_count": open_items, "open_issues": open_items,
        "is_template": False, "topics": list(r.topics), "has_issues": r.has_issues, "has_projects": True, "has_wiki": False,
        "has_pages": False, "has_downloads": True, "has_discussions": False, "archived": r.archived,
        "disabled": False, "visibility": "public", "pushed_at": server.iso(r.pushed_at),
        "created_at": server.iso(r.created_at), "updated_at": server.iso(r.updated_at),
        "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
        "license": license_json(ctx, r, full), "allow_forking": True, "web_commit_signoff_required": False,
    }
    if full:
        body.update({"network_count": r.forks_count, "subscribers_count": 0, **MERGE_SETTINGS})
        if nested:
            return body
        body["template_repository"] = None
        if owner.kind == "org":
            body["organization"] = account_user(ctx, owner)
        if r.is_fork and r.parent:
            body["parent"] = repo(ctx, ctx.world.repo("github", r.parent), full=True, nested=True)
            body["source"] = body["parent"]
    return body


def label(ctx: Context, r: SimRepo, name: str, k: int) -> dict:
    return {
        "id": 1000 + k, "node_id": f"LA_{k}", "url": f"{ctx.api}/repos/{r.path}/labels/{name.replace(' ', '%20')}",
        "name": name, "description": None, "color": "ededed", "default": name in ("bug", "enhancement", "question"),
    }


def _closer(ctx: Context, r: SimRepo, item: SimItem) -> SimPerson:
    """Who closed or merged an item: the repository's maintainer, derived, as the world keeps no such fact."""
    account = ctx.world.account("github", r.account)
    staff = [p for p in ctx.world.people if account.entity_id in p.entities and not p.bot]
    return staff[item.number % len(staff)] if staff else item.author


def requested_reviewers(ctx: Context, r: SimRepo, item: SimItem) -> list[SimPerson]:
    """Open change requests with every third number wait on a review from a member."""
    if item.state != "open" or item.number % 3:
        return []
    account = ctx.world.account("github", r.account)
    members = [p for p in ctx.world.people if p.login in account.members and p.login != item.author.login]
    return members[:1]


def issue(ctx: Context, r: SimRepo, item: SimItem) -> dict:
    url = f"{ctx.api}/repos/{r.path}/issues/{item.number}"
    change = item.kind == "change_request"
    html = f"{ctx.web}/{r.path}/{'pull' if change else 'issues'}/{item.number}"
    body = {
        "id": 900000 + item.number, "node_id": f"I_{r.id}_{item.number}", "url": url,
        "repository_url": f"{ctx.api}/repos/{r.path}", "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments", "events_url": f"{url}/events", "html_url": html,
        "timeline_url": f"{url}/timeline", "number": item.number,
        "state": "open" if item.state == "open" else "closed",
        "state_reason": None if item.state == "open" else "completed", "title": item.title, "body": "Details follow.",
        "user": person(ctx, item.author), "labels": [label(ctx, r, name, k) for k, name in enumerate(item.labels)],
        "assignee": None, "assignees": [], "milestone": None, "locked": False, "active_lock_reason": None,
        "comments": sum(1 for c in item.comments if c.kind == "comment"), "pinned_comment": None,
        "created_at": server.iso(item.created_at), "updated_at": server.iso(item.updated_at),
        "closed_at": server.iso(item.closed_at), "author_association": association(ctx, r, item.author),
        "reactions": reactions(url), "performed_via_github_app": None,
    }
    body["closed_by"] = person(ctx, _closer(ctx, r, item)) if item.closed_at else None
    if change:
        body["draft"] = item.draft
        body["pull_request"] = {
            "url": f"{ctx.api}/repos/{r.path}/pulls/{item.number}", "html_url": html,
            "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "merged_at": server.iso(item.merged_at),
        }
    return body


def pull_commits(r: SimRepo, item: SimItem) -> list[SimCommit]:
    """A change request's own commits (one to three), derived from its number: the world keeps branches' work implicit."""
    count = 1 + server.stable_id(r.path, str(item.number)) % 3
    return [
        SimCommit(server.blob_sha(f"{r.path}#{item.number}/{k}"), item.author, item.author, item.created_at,
                  item.created_at, f"{item.title} (part {k + 1})")
        for k in range(count)
    ]


def pull(ctx: Context, r: SimRepo, item: SimItem) -> dict:
    url = f"{ctx.api}/repos/{r.path}/pulls/{item.number}"
    issue_url = f"{ctx.api}/repos/{r.path}/issues/{item.number}"
    html = f"{ctx.web}/{r.path}/pull/{item.number}"
    commits = pull_commits(r, item)
    head_sha = commits[-1].sha
    base_sha = r.commits[0].sha if r.commits else head_sha
    merged = item.state == "merged"
    repo_body = {**repo(ctx, r), **MERGE_SETTINGS}
    issue_body = issue(ctx, r, item)
    return {
        "url": url, "id": 700000 + item.number, "node_id": f"PR_{r.id}_{item.number}", "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": issue_url, "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments", "review_comment_url": f"{ctx.api}/repos/{r.path}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments", "statuses_url": f"{ctx.api}/repos/{r.path}/statuses/{head_sha}",
        "number": item.number, "state": issue_body["state"], "locked": False, "title": item.title,
        "user": issue_body["user"], "body": issue_body["body"], "labels": issue_body["labels"], "milestone": None,
        "active_lock_reason": None, "created_at": issue_body["created_at"], "updated_at": issue_body["updated_at"],
        "closed_at": issue_body["closed_at"], "merged_at": server.iso(item.merged_at),
        "merge_commit_sha": base_sha if merged else None, "assignee": None, "assignees": [],
        "requested_reviewers": [person(ctx, p) for p in requested_reviewers(ctx, r, item)], "requested_teams": [],
        "head": {"label": f"{item.author.login}:feature-{item.number}", "ref": f"feature-{item.number}",
                 "sha": head_sha, "user": issue_body["user"], "repo": repo_body},
        "base": {"label": f"{r.account}:{r.default_branch}", "ref": r.default_branch, "sha": base_sha,
                 "user": repo_body["owner"], "repo": repo_body},
        "_links": {
            "self": {"href": url}, "html": {"href": html}, "issue": {"href": issue_url},
            "comments": {"href": f"{issue_url}/comments"}, "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{ctx.api}/repos/{r.path}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"}, "statuses": {"href": f"{ctx.api}/repos/{r.path}/statuses/{head_sha}"},
        },
        "author_association": issue_body["author_association"], "auto_merge": None, "draft": item.draft,
        "merged": merged, "mergeable": None if item.state != "open" else True, "rebaseable": None if item.state != "open" else True,
        "mergeable_state": "clean" if item.state == "open" else "unknown",
        "merged_by": person(ctx, _closer(ctx, r, item)) if merged else None,
        "comments": issue_body["comments"], "review_comments": sum(1 for c in item.comments if c.kind == "review_comment"),
        "maintainer_can_modify": False, "commits": len(commits), "additions": 3 * len(commits),
        "deletions": len(commits), "changed_files": len(commits),
    }


# What a pull request's own page adds to the listing's entry ("pull-request-simple").
_PULL_PAGE_ONLY = ("merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments",
                   "review_comments", "maintainer_can_modify", "commits", "additions", "deletions", "changed_files")


def pull_simple(ctx: Context, r: SimRepo, item: SimItem) -> dict:
    """A pull request as the repository's pull request listing gives it."""
    body = pull(ctx, r, item)
    for key in _PULL_PAGE_ONLY:
        del body[key]
    # The listing's head and base carry the repository as its own page shows it.
    whole = {**repo(ctx, r, full=True, nested=True), "template_repository": None}
    body["head"] = {**body["head"], "repo": whole}
    body["base"] = {**body["base"], "repo": whole}
    return body


def comment(ctx: Context, r: SimRepo, item: SimItem, c: SimComment) -> dict:
    """An issue comment, or a pull request review comment."""
    common = {
        "id": c.id, "user": person(ctx, c.author), "created_at": server.iso(c.created_at),
        "updated_at": server.iso(c.updated_at), "author_association": association(ctx, r, c.author),
        "body": "Thanks, looking into it.",
    }
    if c.kind == "comment":
        url = f"{ctx.api}/repos/{r.path}/issues/comments/{c.id}"
        return {
            **common, "node_id": f"IC_{c.id}", "url": url,
            "html_url": f"{ctx.web}/{r.path}/issues/{item.number}#issuecomment-{c.id}",
            "issue_url": f"{ctx.api}/repos/{r.path}/issues/{item.number}", "reactions": reactions(url),
            "performed_via_github_app": None, "minimized": None,
        }
    url = f"{ctx.api}/repos/{r.path}/pulls/comments/{c.id}"
    html = f"{ctx.web}/{r.path}/pull/{item.number}#discussion_r{c.id}"
    pull_url = f"{ctx.api}/repos/{r.path}/pulls/{item.number}"
    sha = pull_commits(r, item)[-1].sha
    return {
        **common, "node_id": f"PRRC_{c.id}", "url": url, "html_url": html, "pull_request_url": pull_url,
        "pull_request_review_id": review_id(c), "diff_hunk": "@@ -1 +1 @@", "path": "src/app.py", "position": 1,
        "original_position": 1, "commit_id": sha, "original_commit_id": sha, "start_line": None,
        "original_start_line": None, "start_side": None, "line": 1, "original_line": 1, "side": "RIGHT",
        "subject_type": "line", "reactions": reactions(url),
        "_links": {"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull_url}},
    }


def review_id(c: SimComment) -> int:
    return review_comment_review_id(c.id)


def review(ctx: Context, r: SimRepo, item: SimItem, rid: int, who: SimPerson, state: str, submitted_at) -> dict:
    html = f"{ctx.web}/{r.path}/pull/{item.number}#pullrequestreview-{rid}"
    pull_url = f"{ctx.api}/repos/{r.path}/pulls/{item.number}"
    return {
        "id": rid, "node_id": f"PRR_{rid}", "user": person(ctx, who), "body": "", "state": state,
        "html_url": html, "pull_request_url": pull_url, "author_association": association(ctx, r, who),
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        "submitted_at": server.iso(submitted_at), "commit_id": pull_commits(r, item)[-1].sha,
    }


def commit(ctx: Context, r: SimRepo, c: SimCommit) -> dict:
    url = f"{ctx.api}/repos/{r.path}/commits/{c.sha}"
    return {
        "url": url, "sha": c.sha, "node_id": f"C_{c.sha[:12]}", "html_url": f"{ctx.web}/{r.path}/commit/{c.sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{ctx.api}/repos/{r.path}/git/commits/{c.sha}",
            "author": {"name": c.author.name, "email": c.author.email, "date": server.iso(c.authored_at)},
            "committer": {"name": c.committer.name, "email": c.committer.email, "date": server.iso(c.committed_at)},
            "message": c.message, "tree": {"url": f"{ctx.api}/repos/{r.path}/git/trees/{c.sha}", "sha": c.sha},
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None},
        },
        "author": person(ctx, c.author), "committer": person(ctx, c.committer), "parents": [],
    }


def release(ctx: Context, r: SimRepo, rel) -> dict:
    rid = server.stable_id(r.path, rel.tag)
    url = f"{ctx.api}/repos/{r.path}/releases/{rid}"
    return {
        "url": url, "html_url": f"{ctx.web}/{r.path}/releases/tag/{rel.tag}", "assets_url": f"{url}/assets",
        "upload_url": f"{ctx.api}/repos/{r.path}/releases/{rid}/assets{{?name,label}}",
        "tarball_url": f"{ctx.api}/repos/{r.path}/tarball/{rel.tag}",
        "zipball_url": f"{ctx.api}/repos/{r.path}/zipball/{rel.tag}", "id": rid, "node_id": f"RE_{rid}",
        "tag_name": rel.tag, "target_commitish": r.default_branch, "name": rel.name, "body": "", "draft": False,
        "prerelease": rel.prerelease, "immutable": False, "created_at": server.iso(rel.published_at),
        "published_at": server.iso(rel.published_at), "updated_at": server.iso(rel.published_at),
        "author": user(ctx, "release-bot[bot]", 4999), "assets": [],
    }


def rate_limit(limit: int, used: int, remaining: int, reset: int) -> dict:
    """``/rate_limit``: the core budget is the token's real one; the other resources are GitHub's defaults."""
    def bucket(n: int, spent: int = 0) -> dict:
        return {"limit": n, "used": spent, "remaining": n - spent, "reset": reset}

    core = {"limit": limit, "used": used, "remaining": remaining, "reset": reset}
    return {
        "resources": {
            "core": core, "search": bucket(30), "graphql": bucket(5000), "integration_manifest": bucket(5000),
            "source_import": bucket(100), "actions_runner_registration": bucket(10000),
            "scim": bucket(15000), "dependency_snapshots": bucket(100), "code_search": bucket(10),
            "code_scanning_autofix": bucket(10),
        },
        "rate": core,
    }
