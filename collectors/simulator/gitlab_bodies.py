"""GitLab REST v4 bodies for the simulator (GitLab and openCoDE), with the fields GitLab documents.

GitLab's API documentation (doc/api/issues.md, merge_requests.md, notes.md,
emoji_reactions.md, users.md, projects.md) is the pattern: every key its examples
show for the free tier is served, with values from the world or derived from it
deterministically. Fields of the paid tiers (weight, epic, approval rules) are left out,
as a free instance leaves them out; a merge request's approvals are answered as a free
instance answers them (lib/api/entities/merge_request_approvals.rb and approvals.rb).
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.simulator import common as server
from collectors.simulator.github_bodies import _LICENSE_NAMES
from collectors.simulator.model import (
    SimComment,
    SimCommit,
    SimItem,
    SimPerson,
    SimRepo,
    gitlab_approvals,
)


@dataclass
class Context:
    world: object  # collectors.simulator.world.World
    forge: str
    api: str  # absolute API root, e.g. http://127.0.0.1:PORT/api/v4
    web: str  # absolute web root


def gl_time(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def git_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def user(ctx: Context, who: SimPerson) -> dict:
    """The basic user every author, assignee and member is shown as."""
    uid = ctx.world.person_id(who)
    return {
        "id": uid, "username": who.login, "public_email": None, "name": who.name, "state": "active", "locked": False,
        "avatar_url": f"{ctx.web}/uploads/-/system/user/avatar/{uid}/avatar.png", "web_url": f"{ctx.web}/{who.login}",
    }


def user_profile(ctx: Context, who: SimPerson) -> dict:
    """``/users/:id`` as anyone but an administrator sees it."""
    return {
        **user(ctx, who), "created_at": "2019-03-01T10:00:00.000Z", "bio": "", "location": "", "linkedin": "",
        "twitter": "", "discord": "", "website_url": "", "github": "", "job_title": "", "pronouns": None,
        "organization": "", "bot": who.bot, "work_information": None, "skype": "", "followers": 0, "following": 0,
        "is_followed": False, "local_time": None,
    }


def member(ctx: Context, who: SimPerson) -> dict:
    return {**user(ctx, who), "bot": who.bot, "access_level": 30, "created_at": "2020-01-01T00:00:00.000Z",
            "created_by": None, "expires_at": None, "group_saml_identity": None, "membership_state": "active"}


def _closer(ctx: Context, r: SimRepo, item: SimItem) -> SimPerson:
    """Who closed or merged an item: a maintainer, derived, as the world keeps no such fact."""
    account = ctx.world.account(r.forge, r.account)
    staff = [p for p in ctx.world.people if account.entity_id in p.entities and not p.bot]
    return staff[item.number % len(staff)] if staff else item.author


def _segment(item: SimItem) -> str:
    return "issues" if item.kind == "issue" else "merge_requests"


def _item_common(ctx: Context, r: SimRepo, item: SimItem) -> dict:
    state = {"open": "opened", "closed": "closed", "merged": "merged"}[item.state]
    sign = "#" if item.kind == "issue" else "!"
    return {
        "id": item_id(r, item), "iid": item.number, "project_id": r.id, "title": item.title,
        "description": "Details follow.", "state": state, "created_at": gl_time(item.created_at),
        "updated_at": gl_time(item.updated_at), "web_url": f"{ctx.web}/{r.path}/-/{_segment(item)}/{item.number}",
        "closed_at": gl_time(item.closed_at if item.state == "closed" else None),
        "closed_by": user(ctx, _closer(ctx, r, item)) if item.state == "closed" else None,
        "labels": list(item.labels), "milestone": None, "author": user(ctx, item.author), "assignee": None,
        "assignees": [], "upvotes": 0, "downvotes": 0, "discussion_locked": None,
        "user_notes_count": sum(1 for c in item.comments if not c.system),
        "references": {"short": f"{sign}{item.number}", "relative": f"{sign}{item.number}", "full": f"{r.path}{sign}{item.number}"},
        "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None, "human_total_time_spent": None},
        "task_completion_status": {"count": 0, "completed_count": 0}, "imported": False, "imported_from": "none",
    }


def item_id(r: SimRepo, item: SimItem) -> int:
    return server.stable_id(r.path, item.kind, str(item.number))


def issue(ctx: Context, r: SimRepo, item: SimItem, single: bool = False) -> dict:
    base = f"{ctx.api}/projects/{r.id}"
    body = {
        **_item_common(ctx, r, item), "type": "ISSUE", "issue_type": "issue", "merge_requests_count": 0,
        "due_date": None, "confidential": False, "has_tasks": False, "task_status": "", "severity": "UNKNOWN",
        "moved_to_id": None, "service_desk_reply_to": None,
        "_links": {"self": f"{base}/issues/{item.number}", "notes": f"{base}/issues/{item.number}/notes",
                   "award_emoji": f"{base}/issues/{item.number}/award_emoji", "project": base,
                   "closed_as_duplicate_of": None},
    }
    if single:
        body["subscribed"] = False
    return body


def merge_request(ctx: Context, r: SimRepo, item: SimItem, single: bool = False) -> dict:
    commits = change_commits(r, item)
    merged = item.state == "merged"
    merger = user(ctx, _closer(ctx, r, item)) if merged else None
    body = {
        **_item_common(ctx, r, item), "merged_by": merger, "merge_user": merger, "merged_at": gl_time(item.merged_at),
        "merge_after": None, "prepared_at": gl_time(item.created_at), "target_branch": r.default_branch,
        "source_branch": f"feature-{item.number}", "reviewers": [], "source_project_id": r.id,
        "target_project_id": r.id, "draft": item.draft, "work_in_progress": item.draft,
        "merge_when_pipeline_succeeds": False, "merge_status": "can_be_merged" if item.state == "open" else "unchecked",
        "detailed_merge_status": "mergeable" if item.state == "open" else "not_open", "sha": commits[-1].sha,
        "merge_commit_sha": r.commits[0].sha if merged and r.commits else None, "squash_commit_sha": None,
        "should_remove_source_branch": None, "force_remove_source_branch": True, "allow_collaboration": False,
        "allow_maintainer_to_push": False, "squash": False, "squash_on_merge": False, "has_conflicts": False,
        "blocking_discussions_resolved": True,
    }
    if single:
        base_sha = r.commits[0].sha if r.commits else commits[0].sha
        body.update({
            "subscribed": False, "changes_count": str(len(commits)), "latest_build_started_at": None,
            "latest_build_finished_at": None, "first_deployed_to_production_at": None, "pipeline": None,
            "head_pipeline": None, "diff_refs": {"base_sha": base_sha, "head_sha": commits[-1].sha, "start_sha": base_sha},
            "merge_error": None, "first_contribution": False, "user": {"can_merge": False}, "rebase_in_progress": False,
        })
    return body


def simple_merge_request(ctx: Context, r: SimRepo, item: SimItem) -> dict:
    """A merge request as ``view=simple`` lists it."""
    full = merge_request(ctx, r, item)
    return {k: full[k] for k in ("id", "iid", "project_id", "title", "description", "state", "created_at", "updated_at", "web_url")}


def change_commits(r: SimRepo, item: SimItem) -> list[SimCommit]:
    """A merge request's own commits (one to three), derived from its number, oldest first."""
    count = 1 + server.stable_id(r.path, "mr", str(item.number)) % 3
    return [
        SimCommit(server.blob_sha(f"{r.path}!{item.number}/{k}"), item.author, item.author, item.created_at,
                  item.created_at, f"{item.title} (part {k + 1})")
        for k in range(count)
    ]


def version_id(r: SimRepo, item: SimItem) -> int:
    # One diff version per merge request: the world does not keep force pushes.
    return server.stable_id(r.path, "version", str(item.number))


def version(ctx: Context, r: SimRepo, item: SimItem, single: bool = False) -> dict:
    commits = change_commits(r, item)
    base_sha = r.commits[0].sha if r.commits else commits[0].sha
    body = {
        "id": version_id(r, item), "head_commit_sha": commits[-1].sha, "base_commit_sha": base_sha,
        "start_commit_sha": base_sha, "created_at": gl_time(item.created_at), "merge_request_id": item_id(r, item),
        "state": "collected", "real_size": str(len(commits)), "patch_id_sha": server.blob_sha(f"patch {commits[-1].sha}"),
    }
    if single:
        body["commits"] = [commit(ctx, r, c) for c in reversed(commits)]
        body["diffs"] = [{"old_path": "src/app.py", "new_path": "src/app.py", "a_mode": "100644", "b_mode": "100644",
                          "diff": "@@ -1 +1 @@\n-old\n+new\n", "new_file": False, "renamed_file": False,
                          "deleted_file": False, "generated_file": False}]
    return body


def note(ctx: Context, r: SimRepo, item: SimItem, c: SimComment) -> dict:
    return {
        "id": c.id, "type": None, "body": "changed the description" if c.system else "Thanks, looking into it.",
        "author": user(ctx, c.author), "created_at": gl_time(c.created_at), "updated_at": gl_time(c.updated_at),
        "system": c.system, "noteable_id": item_id(r, item), "noteable_type": "Issue" if item.kind == "issue" else "MergeRequest",
        "project_id": r.id, "resolvable": False, "confidential": False, "internal": False, "imported": False,
        "imported_from": "none", "noteable_iid": item.number, "commands_changes": {},
    }


def approvals(ctx: Context, r: SimRepo, item: SimItem) -> dict:
    """A merge request's approvals as a free GitLab answers them to a token that cannot approve."""
    approved = gitlab_approvals(item)
    return {
        "user_has_approved": False, "user_can_approve": False, "approved": bool(approved),
        "approved_by": [{"user": user(ctx, a.author), "approved_at": gl_time(a.submitted_at)} for a in approved],
    }


def commit(ctx: Context, r: SimRepo, c: SimCommit) -> dict:
    return {
        "id": c.sha, "short_id": c.sha[:8], "created_at": git_time(c.committed_at), "parent_ids": [],
        "title": c.message.splitlines()[0], "message": c.message, "author_name": c.author.name,
        "author_email": c.author.email, "authored_date": git_time(c.authored_at), "committer_name": c.committer.name,
        "committer_email": c.committer.email, "committed_date": git_time(c.committed_at), "trailers": {},
        "extended_trailers": {}, "web_url": f"{ctx.web}/{r.path}/-/commit/{c.sha}",
    }


def release(ctx: Context, r: SimRepo, rel) -> dict:
    return {
        "tag_name": rel.tag, "name": rel.name, "description": "", "created_at": gl_time(rel.published_at),
        "released_at": gl_time(rel.published_at), "upcoming_release": False,
        "_links": {"self": f"{ctx.web}/{r.path}/-/releases/{rel.tag}"},
    }


def license_json(spdx: str) -> dict:
    return {"key": spdx.lower(), "name": _LICENSE_NAMES[spdx], "nickname": None,
            "html_url": f"https://spdx.org/licenses/{spdx}.html", "source_url": None}
