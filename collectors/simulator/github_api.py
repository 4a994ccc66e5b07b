"""GitHub REST v3 shapes for the simulator (see GitHub's documented examples)."""

from __future__ import annotations

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
    raise _not_found("unmatched")


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
        "pushed": lambda r: (r.last_activity_at, r.id),
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
        "fork": False,
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
    commits = repo.commits
    if "since" in query:
        since = server.parse_time(query["since"])
        commits = [c for c in commits if c.committed_at >= since]
    if "until" in query:
        until = server.parse_time(query["until"])
        commits = [c for c in commits if c.committed_at <= until]
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
