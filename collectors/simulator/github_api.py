"""GitHub REST v3 routes for the simulator: listings, filters and per-item endpoints.

Bodies come from :mod:`collectors.simulator.github_bodies`; this module decides
which items an address and its query select, in which order, and how they page.
"""

from __future__ import annotations

import base64

from collectors.simulator import common as server
from collectors.simulator import github_bodies as bodies
from collectors.simulator.github_bodies import Context
from collectors.simulator.model import (
    FOLDER_MARKERS,
    SimAccount,
    SimItem,
    SimRepo,
    github_reviews,
)

__all__ = ["Context", "route"]


def _not_found(endpoint: str) -> server.ApiError:
    err = server.ApiError(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
    err.endpoint = endpoint
    return err


def route(ctx: Context, rest: list[str], query: dict[str, str]):
    n = len(rest)
    if rest == ["rate_limit"]:
        return "/rate_limit", server.Page(bodies.rate_limit(*ctx.rate))
    if n == 2 and rest[0] in ("orgs", "users"):
        return _profile(ctx, rest[0], rest[1])
    if n == 3 and rest[0] in ("orgs", "users") and rest[2] == "repos":
        endpoint = f"/{rest[0]}/{{login}}/repos"
        account = _account(ctx, rest[1], rest[0], endpoint)
        page = server.paginate(_sorted(ctx.world.repos_of("github", account.path), query), query, 30)
        page.body = [bodies.repo(ctx, r) for r in page.body]
        return endpoint, page
    if n == 3 and rest[0] == "users" and rest[2] == "orgs":
        endpoint = "/users/{username}/orgs"
        if _known_login(ctx, rest[1]) is None:
            raise _not_found(endpoint)
        orgs = [a for a in ctx.world.accounts if a.forge == "github" and a.kind == "org" and rest[1] in a.members]
        page = server.paginate(orgs, query, 30)
        page.body = [bodies.org_simple(ctx, a) for a in page.body]
        return endpoint, page
    if n == 3 and rest[0] == "orgs" and rest[2] == "public_members":
        account = _account(ctx, rest[1], "orgs", "/orgs/{org}/public_members")
        page = server.paginate(account.members, query, 30)
        page.body = [bodies.person(ctx, _person(ctx, login)) for login in page.body]
        return "/orgs/{org}/public_members", page
    if n >= 3 and rest[0] == "repos":
        repo = _repo(ctx, rest[1], rest[2], "/repos/{owner}/{repo}" + ("/" + "/".join(rest[3:]) if n > 3 else ""))
        return _repo_route(ctx, repo, rest[3:], query)
    raise _not_found("unmatched")


def _repo_route(ctx: Context, repo: SimRepo, rest: list[str], query: dict[str, str]):
    base = "/repos/{owner}/{repo}"
    if not rest:
        return base, server.Page(bodies.repo(ctx, repo, full=True))
    if rest == ["commits"]:
        return base + "/commits", _commits(ctx, repo, query)
    if rest == ["issues"]:
        if not repo.has_issues:
            raise server.ApiError(410, {"message": "Issues are disabled for this repo",
                                        "documentation_url": "https://docs.github.com/v3/issues/"})
        return base + "/issues", _issues(ctx, repo, query)
    if rest == ["pulls"]:
        return base + "/pulls", _pulls(ctx, repo, query)
    if rest == ["issues", "comments"]:
        return base + "/issues/comments", _comments(ctx, repo, repo.items, query, "comment")
    if rest == ["pulls", "comments"]:
        return base + "/pulls/comments", _comments(ctx, repo, repo.items, query, "review_comment")
    if len(rest) == 4 and rest[:2] in (["issues", "comments"], ["pulls", "comments"]) and rest[3] == "reactions":
        endpoint = f"{base}/{rest[0]}/comments/{{comment_id}}/reactions"
        kind = "comment" if rest[0] == "issues" else "review_comment"
        if not any(str(c.id) == rest[2] and c.kind == kind for i in repo.items for c in i.comments):
            raise _not_found(endpoint)
        return endpoint, server.paginate([], query, 30)
    if len(rest) >= 2 and rest[0] in ("issues", "pulls") and rest[1].isdigit():
        return _item_route(ctx, repo, rest, query)
    if rest == ["releases"]:
        page = server.paginate(repo.releases, query, 30)
        page.body = [bodies.release(ctx, repo, r) for r in page.body]
        return base + "/releases", page
    if rest == ["forks"]:
        return base + "/forks", _forks(ctx, repo, query)
    if rest[:1] == ["contents"]:
        return base + "/contents/{path}", _contents(ctx, repo, "/".join(x for x in rest[1:] if x))
    raise _not_found(base + "/" + "/".join(rest))


def _item_route(ctx: Context, repo: SimRepo, rest: list[str], query: dict[str, str]):
    """``/issues/{number}[/comments|/reactions]`` and ``/pulls/{number}[/reviews|/commits|/comments|/requested_reviewers]``."""
    section, number, tail = rest[0], int(rest[1]), rest[2:]
    endpoint = "/repos/{owner}/{repo}/" + ("issues/{issue_number}" if section == "issues" else "pulls/{pull_number}")
    endpoint += "".join("/" + t for t in tail)
    item = next((i for i in repo.items if i.number == number), None)
    if item is None or (section == "pulls" and item.kind != "change_request") or len(tail) > 1:
        raise _not_found(endpoint)
    if section == "issues":
        if not tail:
            return endpoint, server.Page(bodies.issue(ctx, repo, item))
        if tail == ["comments"]:
            return endpoint, _comments(ctx, repo, [item], query, "comment")
        if tail == ["reactions"]:
            return endpoint, server.paginate([], query, 30)
        raise _not_found(endpoint)
    if not tail:
        return endpoint, server.Page(bodies.pull(ctx, repo, item))
    if tail == ["comments"]:
        return endpoint, _comments(ctx, repo, [item], query, "review_comment")
    if tail == ["reviews"]:
        page = server.paginate(github_reviews(item), query, 30)
        page.body = [bodies.review(ctx, repo, item, *row) for row in page.body]
        return endpoint, page
    if tail == ["commits"]:
        page = server.paginate(bodies.pull_commits(repo, item), query, 30)
        page.body = [bodies.commit(ctx, repo, c) for c in page.body]
        return endpoint, page
    if tail == ["requested_reviewers"]:
        users = [bodies.person(ctx, p) for p in bodies.requested_reviewers(ctx, repo, item)]
        return endpoint, server.Page({"users": users, "teams": []})
    raise _not_found(endpoint)


def _profile(ctx: Context, section: str, login: str):
    endpoint = f"/{section}/{{login}}"
    account = ctx.world.account("github", login)
    if account is not None and (section == "users" or account.kind == "org"):
        return endpoint, server.Page(bodies.owner_profile(ctx, account))
    who = _known_login(ctx, login) if section == "users" else None
    if who is None:
        raise _not_found(endpoint)
    return endpoint, server.Page(bodies.user_profile(ctx, who))


def _known_login(ctx: Context, login: str):
    """The person behind a login, if the forge knows one (accounts are answered as owners)."""
    return next((p for p in ctx.world.people if p.login.lower() == login.lower()), None)


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
    page.body = [bodies.issue(ctx, repo, i) for i in page.body]
    return page


def _pulls(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    """The pull request listing: ``state`` open (default), closed or all; ``sort`` created
    (default), updated, popularity or long-running; descending by default only when sorted by
    creation, as GitHub documents it."""
    state = query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise server.ApiError(422, {"message": "Validation Failed"})
    items = [i for i in repo.items if i.kind == "change_request"
             and (state == "all" or (i.state == "open") == (state == "open"))]
    sort = query.get("sort", "created")
    keys = {"created": lambda i: (i.created_at, i.number), "updated": lambda i: (i.updated_at, i.number),
            "popularity": lambda i: (len(i.comments), i.number), "long-running": lambda i: (i.created_at, i.number)}
    if sort not in keys:
        raise server.ApiError(422, {"message": "Validation Failed"})
    items = sorted(items, key=keys[sort], reverse=_direction(query, "desc" if sort == "created" else "asc"))
    page = server.paginate(items, query, 30)
    page.body = [bodies.pull_simple(ctx, repo, i) for i in page.body]
    return page


def _comments(ctx: Context, repo: SimRepo, items: list[SimItem], query: dict[str, str], kind: str) -> server.Page:
    rows = [(item, c) for item in items for c in item.comments if c.kind == kind]
    if "since" in query:
        since = server.parse_time(query["since"])
        rows = [(i, c) for i, c in rows if c.updated_at >= since]
    sort = query.get("sort")
    if sort in ("created", "updated"):
        rows.sort(key=lambda r: (r[1].updated_at, r[1].id), reverse=_direction(query, "asc"))
    else:
        rows.sort(key=lambda r: r[1].id)
    page = server.paginate(rows, query, 30)
    page.body = [bodies.comment(ctx, repo, item, c) for item, c in page.body]
    return page


def _forks(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    sort = query.get("sort", "newest")
    forks = sorted(repo.forks, key=lambda f: (f.created_at, f.owner), reverse=sort != "oldest")
    page = server.paginate(forks, query, 30)
    body = []
    for fork in page.body:
        # The forks listing shows a little more of each repository than other listings do.
        listed = {"network_count": 0, "subscribers_count": 0, "temp_clone_token": None, "delete_branch_on_merge": False}
        try:
            body.append({**bodies.repo(ctx, ctx.world.repo("github", fork.path)), **listed})
            continue
        except KeyError:
            pass
        # A fork outside the registry: the parent's shape, with the fork's own names and moments.
        item = bodies.repo(ctx, repo)
        url = f"{ctx.api}/repos/{fork.path}"
        item.update({k: v.replace(item["url"], url) for k, v in item.items() if k.endswith("_url") and isinstance(v, str)})
        item.update({
            "id": server.stable_id(fork.path), "node_id": f"R_{server.stable_id(fork.path)}", "name": fork.name,
            "full_name": fork.path, "owner": bodies.user(ctx, fork.owner, server.stable_id(fork.owner)),
            "html_url": f"{ctx.web}/{fork.path}", "url": url, "fork": True, "description": repo.description,
            "created_at": server.iso(fork.created_at), "updated_at": server.iso(fork.pushed_at),
            "pushed_at": server.iso(fork.pushed_at), "stargazers_count": 0, "watchers_count": 0, "watchers": 0,
            "forks_count": 0, "forks": 0, "open_issues_count": 0, "open_issues": 0, "archived": False,
            "clone_url": f"{ctx.web}/{fork.path}.git", "svn_url": f"{ctx.web}/{fork.path}", **listed,
        })
        body.append(item)
    page.body = body
    return page


def _contents(ctx: Context, repo: SimRepo, path: str):
    if not repo.commits:
        raise _not_found("/repos/{owner}/{repo}/contents/{path}")

    def entry(name: str, content: str | None) -> dict:
        is_dir = content is None
        full = f"{path}/{name}" if path else name
        url = f"{ctx.api}/repos/{repo.path}/contents/{full}"
        sha = server.folder_sha(repo, full) if is_dir else server.blob_sha(content)
        git_url = f"{ctx.api}/repos/{repo.path}/git/{'trees' if is_dir else 'blobs'}/{sha}"
        html_url = f"{ctx.web}/{repo.path}/{'tree' if is_dir else 'blob'}/{repo.default_branch}/{full}"
        return {
            "type": "dir" if is_dir else "file", "size": 0 if is_dir else len(content.encode()), "name": name,
            "path": full, "sha": sha, "url": url, "git_url": git_url, "html_url": html_url,
            "download_url": None if is_dir else f"{ctx.web}/{repo.path}/raw/{repo.default_branch}/{full}",
            "_links": {"self": url, "git": git_url, "html": html_url},
        }

    listing = repo.folder(path)
    if listing is not None:
        return server.Page([entry(name, content) for name, content in listing])
    if path not in repo.files or path in FOLDER_MARKERS:
        raise _not_found("/repos/{owner}/{repo}/contents/{path}")
    content = repo.files[path]
    folder, _, name = path.rpartition("/")
    path = folder
    return server.Page({**entry(name, content), "encoding": "base64",
                        "content": base64.b64encode(content.encode()).decode()})


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
    page.body = [bodies.commit(ctx, repo, c) for c in page.body]
    return page
