"""GitLab REST v4 shapes for the simulator (GitLab and openCoDE)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from collectors.simulator import common as server
from collectors.simulator.github_bodies import _LICENSE_NAMES
from collectors.simulator.model import SimAccount, SimRepo
from collectors.simulator.world import World


@dataclass
class Context:
    world: World
    forge: str
    api: str
    web: str


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
        if n == 5 and rest[2] in ("issues", "merge_requests") and rest[4] == "notes":
            kind = "issue" if rest[2] == "issues" else "change_request"
            endpoint = f"/projects/:id/{rest[2]}/:iid/notes"
            try:
                item = repo.item(kind, int(rest[3]))
            except (StopIteration, ValueError):
                raise _not_found(endpoint) from None
            return endpoint, _notes(ctx, item, query)
        if rest[2:] == ["releases"]:
            page = server.paginate(repo.releases, query, 20)
            page.body = [_release_json(ctx, repo, r) for r in page.body]
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
    if n == 3 and rest[0] == "groups" and rest[2] == "members":
        account, path = _group(ctx, rest[1], "/groups/:id/members")
        members = account.members if path == account.path else []
        page = server.paginate(members, query, 20)
        page.body = [_member_json(ctx, login) for login in page.body]
        return "/groups/:id/members", page
    raise _not_found("unmatched")


def _user(ctx: Context, person) -> dict:
    return {
        "id": ctx.world.person_id(person),
        "username": person.login,
        "name": person.name,
        "state": "active",
        "web_url": f"{ctx.web}/{person.login}",
        "bot": person.bot,
    }


def _member_json(ctx: Context, login: str) -> dict:
    person = next(p for p in ctx.world.people if p.login == login)
    return {**_user(ctx, person), "access_level": 30, "created_at": "2020-01-01T00:00:00.000Z"}


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
    page.body = [_item_json(ctx, repo, i) for i in page.body]
    return page


def _gl_time(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def _item_json(ctx: Context, repo: SimRepo, item) -> dict:
    segment = "issues" if item.kind == "issue" else "merge_requests"
    state = {"open": "opened", "closed": "closed", "merged": "merged"}[item.state]
    body = {
        "id": server.stable_id(repo.path, item.kind, str(item.number)),
        "iid": item.number,
        "project_id": repo.id,
        "title": item.title,
        "description": "Details follow.",
        "state": state,
        "created_at": _gl_time(item.created_at),
        "updated_at": _gl_time(item.updated_at),
        "closed_at": _gl_time(item.closed_at),
        "labels": list(item.labels),
        "author": _user(ctx, item.author),
        "user_notes_count": sum(1 for c in item.comments if not c.system),
        "web_url": f"{ctx.web}/{repo.path}/-/{segment}/{item.number}",
    }
    if item.kind == "change_request":
        body["merged_at"] = _gl_time(item.merged_at)
        body["draft"] = item.draft
        body["source_branch"] = f"feature-{item.number}"
        body["target_branch"] = repo.default_branch
    return body


def _notes(ctx: Context, item, query: dict[str, str]) -> server.Page:
    notes = sorted(item.comments, key=lambda c: (c.created_at, c.id), reverse=query.get("sort", "desc") == "desc")
    page = server.paginate(notes, query, 20)
    page.body = [
        {
            "id": c.id,
            "body": "changed the description" if c.system else "Thanks, looking into it.",
            "author": _user(ctx, c.author),
            "created_at": _gl_time(c.created_at),
            "updated_at": _gl_time(c.updated_at),
            "system": c.system,
            "noteable_iid": item.number,
            "noteable_type": "Issue" if item.kind == "issue" else "MergeRequest",
        }
        for c in page.body
    ]
    return page


def _release_json(ctx: Context, repo: SimRepo, release) -> dict:
    return {
        "tag_name": release.tag,
        "name": release.name,
        "description": "",
        "created_at": _gl_time(release.published_at),
        "released_at": _gl_time(release.published_at),
        "upcoming_release": False,
        "_links": {"self": f"{ctx.web}/{repo.path}/-/releases/{release.tag}"},
    }


def _fork_json(ctx: Context, repo: SimRepo, fork) -> dict:
    return {
        "id": server.stable_id(repo.path, fork.owner),
        "name": fork.name,
        "path": fork.name,
        "path_with_namespace": fork.path,
        "namespace": {"full_path": fork.owner, "kind": "user", "path": fork.owner},
        "created_at": _gl_time(fork.created_at),
        "last_activity_at": _gl_time(fork.pushed_at),
        "web_url": f"{ctx.web}/{fork.path}",
        "forked_from_project": {"id": repo.id, "path_with_namespace": repo.path},
    }


def _tree(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    if not repo.commits:
        raise _not_found("/projects/:id/repository/tree", "Tree Not Found")
    entries = [
        {
            "id": server.blob_sha(name if name == "src" else content),
            "name": name,
            "type": "tree" if name == "src" else "blob",
            "path": name,
            "mode": "040000" if name == "src" else "100644",
        }
        for name, content in sorted(repo.files.items())
    ]
    return server.paginate(entries, query, 20)


def _file(ctx: Context, repo: SimRepo, file_path: str, query: dict[str, str]) -> server.Page:
    if file_path not in repo.files or file_path == "src":
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
        "empty_repo": not repo.commits,
        "open_issues_count": 0,
        "repository_language": repo.language,
    }
    if repo.is_fork and repo.parent:
        body["forked_from_project"] = {"id": 0, "path_with_namespace": repo.parent}
    if with_license:
        if repo.license and repo.license != "NOASSERTION":
            body["license_url"] = f"{web}/-/blob/main/LICENSE"
            body["license"] = {
                "key": repo.license.lower(),
                "name": _LICENSE_NAMES[repo.license],
                "nickname": None,
                "html_url": f"https://spdx.org/licenses/{repo.license}.html",
                "source_url": None,
            }
        else:
            body["license_url"] = None
            body["license"] = None
    return body


def _gitlab_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def _commits(ctx: Context, repo: SimRepo, query: dict[str, str]) -> server.Page:
    ref = query.get("ref_name")
    if ref and ref != repo.default_branch:
        return server.paginate([], query, 20)
    commits = server.commits_in_window(repo.commits, query)
    page = server.paginate(commits, query, 20)
    page.body = [
        {
            "id": c.sha,
            "short_id": c.sha[:8],
            "title": c.message.splitlines()[0],
            "message": c.message,
            "author_name": c.author.name,
            "author_email": c.author.email,
            "authored_date": _gitlab_time(c.authored_at),
            "committer_name": c.committer.name,
            "committer_email": c.committer.email,
            "committed_date": _gitlab_time(c.committed_at),
            "created_at": _gitlab_time(c.committed_at),
            "parent_ids": [],
            "web_url": f"{ctx.web}/{repo.path}/-/commit/{c.sha}",
        }
        for c in page.body
    ]
    return page
