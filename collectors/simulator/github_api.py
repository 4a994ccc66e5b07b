"""GitHub REST v3 shapes for the simulator (see GitHub's documented examples)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from collectors.simulator import common as server
from collectors.simulator.world import SimAccount, SimRepo, World


@dataclass
class Context:
    world: World
    forge: str
    api: str  # absolute API root, e.g. http://127.0.0.1:PORT/github/api/v3
    web: str  # absolute web root


def _not_found(endpoint: str) -> server.ApiError:
    err = server.ApiError(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
    err.endpoint = endpoint
    return err


def route(ctx: Context, rest: list[str], query: dict[str, str]):
    n = len(rest)
    if rest == ["rate_limit"]:
        return "/rate_limit", server.Page({"resources": {}, "rate": {}})
    if n == 2 and rest[0] in ("orgs", "users"):
        endpoint = f"/{rest[0]}/{{login}}"
        account = _account(ctx, rest[1], rest[0], endpoint)
        return endpoint, server.Page(_owner_json(ctx, account))
    if n == 3 and rest[0] in ("orgs", "users") and rest[2] == "repos":
        endpoint = f"/{rest[0]}/{{login}}/repos"
        account = _account(ctx, rest[1], rest[0], endpoint)
        repos = _sorted(ctx.world.repos_of("github", account.path), query)
        page = server.paginate(repos, query, 30)
        page.body = [repo_json(ctx, r) for r in page.body]
        return endpoint, page
    if n >= 3 and rest[0] == "repos":
        repo = _repo(ctx, rest[1], rest[2], "/repos/{owner}/{repo}" + ("/" + "/".join(rest[3:]) if n > 3 else ""))
        if n == 3:
            return "/repos/{owner}/{repo}", server.Page(repo_json(ctx, repo, full=True))
        if rest[3:] == ["commits"]:
            return "/repos/{owner}/{repo}/commits", _commits(ctx, repo, query)
        if rest[3:] == ["issues"]:
            return "/repos/{owner}/{repo}/issues", _issues(ctx, repo, query)
        if rest[3:] == ["issues", "comments"]:
            return "/repos/{owner}/{repo}/issues/comments", _comments(ctx, repo, query, "comment")
        if rest[3:] == ["pulls", "comments"]:
            return "/repos/{owner}/{repo}/pulls/comments", _comments(ctx, repo, query, "review_comment")
        if rest[3:] == ["releases"]:
            page = server.paginate(repo.releases, query, 30)
            page.body = [_release_json(ctx, repo, r) for r in page.body]
            return "/repos/{owner}/{repo}/releases", page
        if rest[3:] == ["forks"]:
            return "/repos/{owner}/{repo}/forks", _forks(ctx, repo, query)
        if rest[3:4] == ["contents"] and len(rest) <= 5:
            return "/repos/{owner}/{repo}/contents/{path}", _contents(ctx, repo, rest[4] if len(rest) == 5 else "")
    if n == 3 and rest[0] == "orgs" and rest[2] == "public_members":
        account = _account(ctx, rest[1], "orgs", "/orgs/{org}/public_members")
        page = server.paginate(account.members, query, 30)
        page.body = [_user_json(ctx, login, ctx.world.person_id(_person(ctx, login))) for login in page.body]
        return "/orgs/{org}/public_members", page
    raise _not_found("unmatched")


def _person(ctx: Context, login: str):
    return next(p for p in ctx.world.people if p.login == login)


def _direction(query: dict[str, str], default: str) -> bool:
    return query.get("direction", default) == "desc"


def _issues(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    state = query.get("state", "open")
    items = [i for i in repo.items if state == "all" or (i.state == "open") == (state == "open")]
    if "since" in query:
        since = server.parse_time(query["since"])
        items = [i for i in items if i.updated_at >= since]
    sort = query.get("sort", "created")
    keys = {"created": lambda i: (i.created_at, i.number), "updated": lambda i: (i.updated_at, i.number),
            "comments": lambda i: (len(i.comments), i.number)}
    if sort not in keys:
        raise server.ApiError(422, {"message": "Validation Failed"})
    items = sorted(items, key=keys[sort], reverse=_direction(query, "desc"))
    page = server.paginate(items, query, 30)
    page.body = [_issue_json(ctx, repo, i) for i in page.body]
    return page


def _issue_json(ctx: Context, repo: SimRepo, item) -> dict:
    url = f"{ctx.api}/repos/{repo.path}/issues/{item.number}"
    body = {
        "id": 900000 + item.number,
        "node_id": f"I_{repo.id}_{item.number}",
        "url": url,
        "repository_url": f"{ctx.api}/repos/{repo.path}",
        "comments_url": f"{url}/comments",
        "html_url": f"{ctx.web}/{repo.path}/{'pull' if item.kind == 'change_request' else 'issues'}/{item.number}",
        "number": item.number,
        "state": "open" if item.state == "open" else "closed",
        "state_reason": None if item.state == "open" else "completed",
        "title": item.title,
        "body": "Details follow.",
        "user": _user_json(ctx, item.author.login, ctx.world.person_id(item.author)),
        "labels": [{"id": 1000 + k, "name": name, "color": "ededed", "default": False} for k, name in enumerate(item.labels)],
        "assignee": None,
        "assignees": [],
        "locked": False,
        "comments": sum(1 for c in item.comments if c.kind == "comment"),
        "created_at": server.iso(item.created_at),
        "updated_at": server.iso(item.updated_at),
        "closed_at": server.iso(item.closed_at),
        "author_association": "MEMBER",
    }
    if item.kind == "change_request":
        body["draft"] = item.draft
        body["pull_request"] = {
            "url": f"{ctx.api}/repos/{repo.path}/pulls/{item.number}",
            "html_url": f"{ctx.web}/{repo.path}/pull/{item.number}",
            "merged_at": server.iso(item.merged_at),
        }
    return body


def _comments(ctx: Context, repo: SimRepo, query: dict[str, str], kind: str) -> server.Page:
    rows = [(item, c) for item in repo.items for c in item.comments if c.kind == kind]
    if "since" in query:
        since = server.parse_time(query["since"])
        rows = [(i, c) for i, c in rows if c.updated_at >= since]
    sort = query.get("sort")
    if sort in ("created", "updated"):
        rows.sort(key=lambda r: (r[1].updated_at, r[1].id), reverse=_direction(query, "asc"))
    else:
        rows.sort(key=lambda r: r[1].id)
    page = server.paginate(rows, query, 30)
    page.body = [_comment_json(ctx, repo, item, c) for item, c in page.body]
    return page


def _comment_json(ctx: Context, repo: SimRepo, item, c) -> dict:
    body = {
        "id": c.id,
        "node_id": f"IC_{c.id}",
        "user": _user_json(ctx, c.author.login, ctx.world.person_id(c.author)),
        "created_at": server.iso(c.created_at),
        "updated_at": server.iso(c.updated_at),
        "author_association": "CONTRIBUTOR",
        "body": "Thanks, looking into it.",
    }
    if c.kind == "comment":
        body["url"] = f"{ctx.api}/repos/{repo.path}/issues/comments/{c.id}"
        body["html_url"] = f"{ctx.web}/{repo.path}/issues/{item.number}#issuecomment-{c.id}"
        body["issue_url"] = f"{ctx.api}/repos/{repo.path}/issues/{item.number}"
    else:
        body["url"] = f"{ctx.api}/repos/{repo.path}/pulls/comments/{c.id}"
        body["pull_request_url"] = f"{ctx.api}/repos/{repo.path}/pulls/{item.number}"
        body["path"] = "src/app.py"
        body["diff_hunk"] = "@@ -1 +1 @@"
    return body


def _release_json(ctx: Context, repo: SimRepo, release) -> dict:
    rid = server.stable_id(repo.path, release.tag)
    return {
        "url": f"{ctx.api}/repos/{repo.path}/releases/{rid}",
        "html_url": f"{ctx.web}/{repo.path}/releases/tag/{release.tag}",
        "id": rid,
        "tag_name": release.tag,
        "target_commitish": repo.default_branch,
        "name": release.name,
        "draft": False,
        "prerelease": release.prerelease,
        "created_at": server.iso(release.published_at),
        "published_at": server.iso(release.published_at),
        "author": _user_json(ctx, "release-bot[bot]", 4999),
        "assets": [],
    }


def _forks(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    sort = query.get("sort", "newest")
    forks = sorted(repo.forks, key=lambda f: (f.created_at, f.owner), reverse=sort != "oldest")
    page = server.paginate(forks, query, 30)
    body = []
    for fork in page.body:
        try:
            known = ctx.world.repo("github", fork.path)
            item = repo_json(ctx, known)
        except KeyError:
            item = {
                "id": server.stable_id(fork.path),
                "name": fork.name,
                "full_name": fork.path,
                "owner": _user_json(ctx, fork.owner, server.stable_id(fork.owner)),
                "private": False,
                "html_url": f"{ctx.web}/{fork.path}",
                "url": f"{ctx.api}/repos/{fork.path}",
                "fork": True,
                "created_at": server.iso(fork.created_at),
                "updated_at": server.iso(fork.pushed_at),
                "pushed_at": server.iso(fork.pushed_at),
                "default_branch": repo.default_branch,
                "stargazers_count": 0,
                "forks_count": 0,
                "archived": False,
            }
        body.append(item)
    page.body = body
    return page


def _contents(ctx: Context, repo: SimRepo, path: str):
    blob_sha = server.blob_sha
    if not repo.commits:
        raise _not_found("/repos/{owner}/{repo}/contents/{path}")
    if path == "":
        listing = []
        for name, content in sorted(repo.files.items()):
            is_dir = name == "src"
            listing.append({
                "type": "dir" if is_dir else "file",
                "name": name,
                "path": name,
                "sha": blob_sha(name if is_dir else content),
                "size": 0 if is_dir else len(content.encode()),
                "url": f"{ctx.api}/repos/{repo.path}/contents/{name}",
                "html_url": f"{ctx.web}/{repo.path}/blob/{repo.default_branch}/{name}",
                "download_url": None,
            })
        return server.Page(listing)
    if path not in repo.files or path == "src":
        raise _not_found("/repos/{owner}/{repo}/contents/{path}")
    content = repo.files[path]
    return server.Page({
        "type": "file",
        "encoding": "base64",
        "size": len(content.encode()),
        "name": path,
        "path": path,
        "content": base64.b64encode(content.encode()).decode(),
        "sha": blob_sha(content),
        "url": f"{ctx.api}/repos/{repo.path}/contents/{path}",
        "html_url": f"{ctx.web}/{repo.path}/blob/{repo.default_branch}/{path}",
    })


def _account(ctx: Context, login: str, kind: str, endpoint: str) -> SimAccount:
    account = ctx.world.account("github", login)
    if account is None or (kind == "orgs" and account.kind != "org"):
        raise _not_found(endpoint)
    return account


def _repo(ctx: Context, owner: str, name: str, endpoint: str) -> SimRepo:
    try:
        return ctx.world.repo("github", f"{owner}/{name}")
    except KeyError:
        raise _not_found(endpoint) from None


def _sorted(repos: list[SimRepo], query: dict[str, str]) -> list[SimRepo]:
    sort = query.get("sort", "full_name")
    keys = {
        "created": lambda r: (r.created_at, r.id),
        "updated": lambda r: (r.updated_at, r.id),
        "pushed": lambda r: (r.pushed_at or r.created_at, r.id),
        "full_name": lambda r: (r.path.lower(), r.id),
    }
    if sort not in keys:
        raise server.ApiError(422, {"message": "Validation Failed", "errors": [{"field": "sort", "code": "invalid"}]})
    default_direction = "asc" if sort == "full_name" else "desc"
    reverse = query.get("direction", default_direction) == "desc"
    return sorted(repos, key=keys[sort], reverse=reverse)


def _owner_json(ctx: Context, account: SimAccount) -> dict:
    entity = next(e for e in ctx.world.entities if e.id == account.entity_id)
    kind = "Organization" if account.kind == "org" else "User"
    section = "orgs" if account.kind == "org" else "users"
    return {
        "login": account.path,
        "id": account.id,
        "node_id": f"O_{account.id}",
        "url": f"{ctx.api}/{section}/{account.path}",
        "repos_url": f"{ctx.api}/{section}/{account.path}/repos",
        "html_url": f"{ctx.web}/{account.path}",
        "avatar_url": f"{ctx.web}/avatars/{account.id}",
        "name": entity.name,
        "type": kind,
        "public_repos": len(ctx.world.repos_of("github", account.path)),
        "created_at": "2012-01-01T00:00:00Z",
        "updated_at": server.iso(ctx.world.now),
    }


def _user_json(ctx: Context, login: str, uid: int) -> dict:
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "url": f"{ctx.api}/users/{login}",
        "html_url": f"{ctx.web}/{login}",
        "type": "Bot" if login.endswith("[bot]") else "User",
        "site_admin": False,
    }


_LICENSE_NAMES = {
    "EUPL-1.2": "European Union Public License 1.2",
    "MIT": "MIT License",
    "Apache-2.0": "Apache License 2.0",
    "AGPL-3.0-only": "GNU Affero General Public License v3.0",
    "GPL-3.0-or-later": "GNU General Public License v3.0",
    "MPL-2.0": "Mozilla Public License 2.0",
    "NOASSERTION": "Other",
}


def repo_json(ctx: Context, repo: SimRepo, full: bool = False) -> dict:
    owner = ctx.world.account("github", repo.account)
    url = f"{ctx.api}/repos/{repo.path}"
    license_json = None
    if repo.license:
        license_json = {
            "key": repo.license.lower(),
            "name": _LICENSE_NAMES[repo.license],
            "spdx_id": repo.license,
            "url": None if repo.license == "NOASSERTION" else f"{ctx.api}/licenses/{repo.license.lower()}",
            "node_id": "MDc6TGljZW5zZW1pdA==",
        }
    body = {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.path,
        "owner": {**_user_json(ctx, owner.path, owner.id), "type": "Organization" if owner.kind == "org" else "User"},
        "private": False,
        "html_url": f"{ctx.web}/{repo.path}",
        "description": repo.description,
        "fork": repo.is_fork,
        "url": url,
        "commits_url": f"{url}/commits{{/sha}}",
        "homepage": None,
        "language": repo.language,
        "forks_count": repo.forks_count,
        "forks": repo.forks_count,
        "stargazers_count": repo.stars,
        "watchers_count": repo.stars,
        "watchers": repo.stars,
        "size": 100 + len(repo.commits),
        "default_branch": repo.default_branch,
        "open_issues_count": 0,
        "open_issues": 0,
        "is_template": False,
        "topics": list(repo.topics),
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "archived": repo.archived,
        "disabled": False,
        "visibility": "public",
        "pushed_at": server.iso(repo.pushed_at),
        "created_at": server.iso(repo.created_at),
        "updated_at": server.iso(repo.updated_at),
        "license": license_json,
        "allow_forking": True,
    }
    if full:
        body["network_count"] = repo.forks_count
        body["subscribers_count"] = 0
        if repo.is_fork and repo.parent:
            parent = ctx.world.repo("github", repo.parent)
            body["parent"] = repo_json(ctx, parent)
            body["source"] = body["parent"]
    return body


def _commits(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    if not repo.commits:
        # GitHub answers 409 "Git Repository is empty." for a repository without commits.
        err = server.ApiError(409, {"message": "Git Repository is empty.", "status": "409"})
        err.endpoint = "/repos/{owner}/{repo}/commits"
        raise err
    sha = query.get("sha")
    if sha and sha != repo.default_branch:
        err = server.ApiError(404, {"message": "No commit found for SHA: " + sha, "status": "404"})
        err.endpoint = "/repos/{owner}/{repo}/commits"
        raise err
    commits = server.commits_in_window(repo.commits, query)
    page = server.paginate(commits, query, 30)
    page.body = [_commit_json(ctx, repo, c) for c in page.body]
    return page


def _commit_json(ctx: Context, repo: SimRepo, c) -> dict:
    url = f"{ctx.api}/repos/{repo.path}/commits/{c.sha}"
    author_id = ctx.world.person_id(c.author)
    committer_id = ctx.world.person_id(c.committer)
    return {
        "url": url,
        "sha": c.sha,
        "node_id": f"C_{c.sha[:12]}",
        "html_url": f"{ctx.web}/{repo.path}/commit/{c.sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{ctx.api}/repos/{repo.path}/git/commits/{c.sha}",
            "author": {"name": c.author.name, "email": c.author.email, "date": server.iso(c.authored_at)},
            "committer": {"name": c.committer.name, "email": c.committer.email, "date": server.iso(c.committed_at)},
            "message": c.message,
            "tree": {"url": f"{ctx.api}/repos/{repo.path}/git/trees/{c.sha}", "sha": c.sha},
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None},
        },
        "author": _user_json(ctx, c.author.login, author_id),
        "committer": _user_json(ctx, c.committer.login, committer_id),
        "parents": [],
    }
