"""GitLab REST v4 routes for the simulator (GitLab and openCoDE): listings, filters and per-item endpoints.

Bodies come from :mod:`collectors.simulator.gitlab_bodies`; this module decides
which items an address and its query select, in which order, and how they page.
"""

from __future__ import annotations

import base64

from collectors.simulator import common as server
from collectors.simulator import gitlab_bodies as bodies
from collectors.simulator.gitlab_bodies import Context
from collectors.simulator.model import FOLDER_MARKERS, SimAccount, SimItem, SimRepo

__all__ = ["Context", "route"]


def _not_found(endpoint: str, what: str = "Not found") -> server.ApiError:
    err = server.ApiError(404, {"message": f"404 {what}"})
    err.endpoint = endpoint
    return err


def route(ctx: Context, rest: list[str], query: dict[str, str]):
    n = len(rest)
    if n == 2 and rest[0] == "groups":
        account, path = _group(ctx, rest[1], "/groups/:id")
        return "/groups/:id", server.Page(_group_json(ctx, account, path))
    if n == 3 and rest[0] == "groups" and rest[2] == "projects":
        account, path = _group(ctx, rest[1], "/groups/:id/projects")
        return "/groups/:id/projects", _group_projects(ctx, path, query)
    if n == 3 and rest[0] == "groups" and rest[2] in ("subgroups", "descendant_groups"):
        endpoint = f"/groups/:id/{rest[2]}"
        account, path = _group(ctx, rest[1], endpoint)
        groups = [g for g in ctx.world.group_paths(ctx.forge) if g.startswith(path + "/")]
        if rest[2] == "subgroups":
            groups = [g for g in groups if g.count("/") == path.count("/") + 1]
        page = server.paginate(sorted(groups), query, 20)
        page.body = [_group_json(ctx, account, g) for g in page.body]
        return endpoint, page
    if n >= 2 and rest[0] == "projects":
        repo = _project(ctx, rest[1], "/projects/:id" + ("/" + "/".join(rest[2:]) if n > 2 else ""))
        if n == 2:
            return "/projects/:id", server.Page(project_json(ctx, repo, with_license=query.get("license", "").lower() in ("true", "1")))
        if rest[2:] == ["repository", "commits"]:
            return "/projects/:id/repository/commits", _commits(ctx, repo, query)
        if rest[2:] in (["issues"], ["merge_requests"]):
            kind = "issue" if rest[2] == "issues" else "change_request"
            return f"/projects/:id/{rest[2]}", _items(ctx, repo, kind, query)
        if n >= 4 and rest[2] in ("issues", "merge_requests"):
            return _item_route(ctx, repo, rest[2:], query)
        if rest[2:] == ["releases"]:
            page = server.paginate(repo.releases, query, 20)
            page.body = [bodies.release(ctx, repo, r) for r in page.body]
            return "/projects/:id/releases", page
        if rest[2:] == ["forks"]:
            forks = sorted(repo.forks, key=lambda f: (f.created_at, f.owner), reverse=query.get("sort", "desc") == "desc")
            page = server.paginate(forks, query, 20)
            page.body = [_fork_json(ctx, repo, f) for f in page.body]
            return "/projects/:id/forks", page
        if rest[2:] == ["repository", "tree"]:
            return "/projects/:id/repository/tree", _tree(ctx, repo, query)
        if n == 5 and rest[2:4] == ["repository", "files"]:
            return "/projects/:id/repository/files/:file_path", _file(ctx, repo, rest[4], query)
    if rest[:1] == ["users"] and n <= 2:
        return _users(ctx, rest[1:], query)
    if n == 3 and rest[0] == "groups" and rest[2] == "members":
        account, path = _group(ctx, rest[1], "/groups/:id/members")
        members = account.members if path == account.path else []
        page = server.paginate(members, query, 20)
        page.body = [bodies.member(ctx, _person(ctx, login)) for login in page.body]
        return "/groups/:id/members", page
    raise _not_found("unmatched")


def _items(ctx: Context, repo: SimRepo, kind: str, query: dict[str, str]) -> server.Page:
    items = [i for i in repo.items if i.kind == kind]
    state = query.get("state", "all")
    if state != "all":
        wanted = {"opened": "open", "closed": "closed", "merged": "merged"}.get(state, state)
        items = [i for i in items if i.state == wanted]
    if "updated_after" in query:
        after = server.parse_time(query["updated_after"])
        items = [i for i in items if i.updated_at >= after]
    order_by = query.get("order_by", "created_at")
    keys = {"created_at": lambda i: (i.created_at, i.number), "updated_at": lambda i: (i.updated_at, i.number)}
    if order_by not in keys:
        raise server.ApiError(400, {"error": "order_by does not have a valid value"})
    items = sorted(items, key=keys[order_by], reverse=query.get("sort", "desc") == "desc")
    page = server.paginate(items, query, 20)
    if kind == "issue":
        page.body = [bodies.issue(ctx, repo, i) for i in page.body]
    elif query.get("view") == "simple":
        page.body = [bodies.simple_merge_request(ctx, repo, i) for i in page.body]
    else:
        page.body = [bodies.merge_request(ctx, repo, i) for i in page.body]
    return page


def _item_route(ctx: Context, repo: SimRepo, rest: list[str], query: dict[str, str]):
    """``/issues/:iid`` and ``/merge_requests/:iid``, with their notes, award emoji and (merge requests) versions
    and approvals."""
    section, ident, tail = rest[0], rest[1], rest[2:]
    kind = "issue" if section == "issues" else "change_request"
    endpoint = f"/projects/:id/{section}/:iid" + "".join("/" + (":id" if t.isdigit() else t) for t in tail)
    try:
        item = repo.item(kind, int(ident))
    except (StopIteration, ValueError):
        raise _not_found(endpoint) from None
    if not tail:
        single = bodies.issue(ctx, repo, item, single=True) if kind == "issue" else bodies.merge_request(ctx, repo, item, single=True)
        return endpoint, server.Page(single)
    if tail == ["notes"]:
        return endpoint, _notes(ctx, repo, item, query)
    if tail == ["award_emoji"]:
        return endpoint, server.paginate([], query, 20)  # the world holds no reactions
    if len(tail) == 3 and tail[0] == "notes" and tail[2] == "award_emoji":
        if not any(str(c.id) == tail[1] for c in item.comments):
            raise _not_found(endpoint, "Note Not Found")
        return endpoint, server.paginate([], query, 20)
    if kind == "change_request" and tail == ["approvals"]:
        return endpoint, server.Page(bodies.approvals(ctx, repo, item))
    if kind == "change_request" and tail == ["versions"]:
        page = server.paginate([item], query, 20)
        page.body = [bodies.version(ctx, repo, i) for i in page.body]
        return endpoint, page
    if kind == "change_request" and len(tail) == 2 and tail[0] == "versions":
        if tail[1] != str(bodies.version_id(repo, item)):
            raise _not_found(endpoint)
        return endpoint, server.Page(bodies.version(ctx, repo, item, single=True))
    raise _not_found(endpoint)


def _notes(ctx: Context, repo: SimRepo, item: SimItem, query: dict[str, str]) -> server.Page:
    # Notes are never edited in the world: created_at and updated_at order them alike.
    notes = sorted(item.comments, key=lambda c: (c.created_at, c.id), reverse=query.get("sort", "desc") == "desc")
    page = server.paginate(notes, query, 20)
    page.body = [bodies.note(ctx, repo, item, c) for c in page.body]
    return page


def _person(ctx: Context, login: str):
    return next(p for p in ctx.world.people if p.login == login)


def _users(ctx: Context, rest: list[str], query: dict[str, str]):
    """``/users/:id``, and ``/users?username=`` (the only way GitLab looks a login up)."""
    if rest:
        who = next((p for p in ctx.world.people if rest[0].isdigit() and ctx.world.person_id(p) == int(rest[0])), None)
        if who is None:
            raise _not_found("/users/:id", "User Not Found")
        return "/users/:id", server.Page(bodies.user_profile(ctx, who))
    login = query.get("username", "").lower()
    found = [p for p in ctx.world.people if p.login.lower() == login] if login else []
    page = server.paginate(found, query, 20)
    page.body = [bodies.user(ctx, p) for p in page.body]
    return "/users", page


def _fork_json(ctx: Context, repo: SimRepo, fork) -> dict:
    return {
        "id": server.stable_id(repo.path, fork.owner),
        "name": fork.name,
        "path": fork.name,
        "path_with_namespace": fork.path,
        "namespace": {"full_path": fork.owner, "kind": "user", "path": fork.owner},
        "created_at": bodies.gl_time(fork.created_at),
        "last_activity_at": bodies.gl_time(fork.pushed_at),
        "web_url": f"{ctx.web}/{fork.path}",
        "forked_from_project": {"id": repo.id, "path_with_namespace": repo.path},
    }


def _tree(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    if not repo.commits:
        raise _not_found("/projects/:id/repository/tree", "Tree Not Found")
    entries = [
        {
            "id": server.folder_sha(repo, name) if content is None else server.blob_sha(content),
            "name": name,
            "type": "tree" if content is None else "blob",
            "path": name,
            "mode": "040000" if content is None else "100644",
        }
        for name, content in repo.folder("")
    ]
    return server.paginate(entries, query, 20)


def _file(ctx: Context, repo: SimRepo, file_path: str, query: dict[str, str]) -> server.Page:
    if file_path not in repo.files or file_path in FOLDER_MARKERS:
        raise _not_found("/projects/:id/repository/files/:file_path", "File Not Found")
    content = repo.files[file_path]
    return server.Page({
        "file_name": file_path.rsplit("/", 1)[-1],
        "file_path": file_path,
        "size": len(content.encode()),
        "encoding": "base64",
        "content": base64.b64encode(content.encode()).decode(),
        "ref": query.get("ref", repo.default_branch),
        "blob_id": server.blob_sha(content),
        "commit_id": repo.commits[0].sha,
        "last_commit_id": repo.commits[0].sha,
    })


def _group_id(ctx: Context, path: str) -> int:
    # Stable ids for nested groups, derived from the top-level account's id.
    account = ctx.world.group_paths(ctx.forge)[path]
    if path == account.path:
        return account.id
    return account.id * 100 + 1 + account.subgroups.index(path)


def _group(ctx: Context, ident: str, endpoint: str) -> tuple[SimAccount, str]:
    groups = ctx.world.group_paths(ctx.forge)
    for path, account in groups.items():
        if ident.lower() == path.lower() or (ident.isdigit() and int(ident) == _group_id(ctx, path)):
            return account, path
    raise _not_found(endpoint, "Group Not Found")


def _project(ctx: Context, ident: str, endpoint: str) -> SimRepo:
    try:
        if ident.isdigit():
            return ctx.world.repo_by_id(ctx.forge, int(ident))
        return ctx.world.repo(ctx.forge, ident)
    except KeyError:
        raise _not_found(endpoint, "Project Not Found") from None


def _group_json(ctx: Context, account: SimAccount, path: str) -> dict:
    parent = path.rsplit("/", 1)[0] if "/" in path else None
    return {
        "id": _group_id(ctx, path),
        "name": path.rsplit("/", 1)[-1],
        "path": path.rsplit("/", 1)[-1],
        "full_path": path,
        "full_name": " / ".join(path.split("/")),
        "description": "",
        "visibility": "public",
        "web_url": f"{ctx.web}/groups/{path}",
        "parent_id": _group_id(ctx, parent) if parent else None,
        "created_at": "2019-03-01T10:00:00.000Z",
    }


_ORDER = {
    "id": lambda r: (r.id,),
    "name": lambda r: (r.name.lower(), r.id),
    "path": lambda r: (r.path.lower(), r.id),
    "created_at": lambda r: (r.created_at, r.id),
    "updated_at": lambda r: (r.updated_at, r.id),
    "last_activity_at": lambda r: (r.last_activity_at, r.id),
}


def _group_projects(ctx: Context, path: str, query: dict[str, str]) -> server.Page:
    include_subgroups = query.get("include_subgroups") == "true"
    repos = [
        r
        for r in ctx.world.repos
        if r.forge == ctx.forge and (r.namespace == path or (include_subgroups and r.namespace.startswith(path + "/")))
    ]
    if query.get("archived") in ("true", "false"):
        want = query["archived"] == "true"
        repos = [r for r in repos if r.archived == want]
    order_by = query.get("order_by", "created_at")
    if order_by not in _ORDER:
        raise server.ApiError(400, {"error": "order_by does not have a valid value"})
    repos = sorted(repos, key=_ORDER[order_by], reverse=query.get("sort", "desc") == "desc")
    page = server.paginate(repos, query, 20)
    page.body = [project_json(ctx, r) for r in page.body]
    return page


def project_json(ctx: Context, repo: SimRepo, with_license: bool = False) -> dict:
    web = f"{ctx.web}/{repo.path}"
    namespace_path = repo.namespace
    body = {
        "id": repo.id,
        "description": repo.description,
        "name": repo.name,
        "name_with_namespace": " / ".join(repo.path.split("/")),
        "path": repo.name,
        "path_with_namespace": repo.path,
        "created_at": repo.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "updated_at": (repo.updated_at or repo.created_at).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "default_branch": repo.default_branch if repo.commits else None,
        "tag_list": list(repo.topics),
        "topics": list(repo.topics),
        "ssh_url_to_repo": f"git@{ctx.web.split('//', 1)[1]}:{repo.path}.git",
        "http_url_to_repo": f"{web}.git",
        "web_url": web,
        "readme_url": f"{web}/-/blob/main/README.md",
        "forks_count": repo.forks_count,
        "star_count": repo.stars,
        "last_activity_at": repo.last_activity_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "namespace": {
            "id": _group_id(ctx, namespace_path),
            "name": namespace_path.rsplit("/", 1)[-1],
            "path": namespace_path.rsplit("/", 1)[-1],
            "kind": "group",
            "full_path": namespace_path,
            "parent_id": None,
            "web_url": f"{ctx.web}/groups/{namespace_path}",
        },
        "archived": repo.archived,
        "visibility": "public",
        "issues_enabled": repo.has_issues,
        "issues_access_level": "enabled" if repo.has_issues else "disabled",
        "empty_repo": not repo.commits,
        "open_issues_count": 0,
        "repository_language": repo.language,
    }
    if repo.is_fork and repo.parent:
        body["forked_from_project"] = {"id": 0, "path_with_namespace": repo.parent}
    if with_license:
        if repo.license and repo.license != "NOASSERTION":
            body["license_url"] = f"{web}/-/blob/main/LICENSE"
            body["license"] = bodies.license_json(repo.license)
        else:
            body["license_url"] = None
            body["license"] = None
    return body


def _commits(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    ref = query.get("ref_name")
    if ref and ref != repo.default_branch:
        return server.paginate([], query, 20)
    commits = server.commits_in_window(repo.commits, query)
    page = server.paginate(commits, query, 20)
    page.body = [bodies.commit(ctx, repo, c) for c in page.body]
    return page
