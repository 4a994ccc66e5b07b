"""One account's walk: its listing, members and the repositories that changed, into batches.

Called by :mod:`warehouse.pipeline` for each account (side by side across hosts:
:mod:`warehouse.lanes`); ``run`` is the pipeline's run, which takes the account's errors and
warnings (``note``, ``drain``). A repository's rows and its cursors are queued together in a
:class:`~warehouse.batches.Pending` and committed together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from collectors.base import (
    CollectorError,
    DeadlineExceeded,
    ForgeCollector,
    HostUnreachable,
    RateLimitExhausted,
)
from collectors.records import RepoRecord
from collectors.registry import Account
from warehouse import changes, loader, state, stopping
from warehouse.batches import Pending
from warehouse.plans import RepoPlan, plan_repos, walk_marker
from warehouse.run_summary import AccountResult, Progress
from warehouse.writer import Writer

# Repositories whose stored cursors are read in one query: few enough that what is held stays small.
CURSOR_CHUNK = 200


def _pending_warnings(collector: ForgeCollector) -> list[str]:
    return getattr(collector, "warnings", None) or []


def collect_account(
    con: duckdb.DuckDBPyConnection,
    collector: ForgeCollector,
    account: Account,
    horizon: datetime | None,
    result: AccountResult,
    progress: Progress,
    run: Any,
    writer: Writer | None = None,
) -> None:
    """Walk one account into batches. With a ``writer`` its last batch is committed in the
    writer's thread: ``result.new_commits`` is complete once that has run (the run records the
    account after it, in the same thread)."""
    forge, host = account.forge, account.host
    listing_cursor = state.get_cursor(con, forge, host, account.owner, "repos")
    listing = collector.list_repos(
        listing_cursor.etag if listing_cursor else None,
        listing_cursor.marker if listing_cursor else None,
    )
    # Values this run could not read are asked for again next run, never moved past: a
    # listing, stream or repository that produced a warning keeps its old ETag and cursors.
    listing_unreadable = bool(_pending_warnings(collector))
    pending = Pending(con, forge, host, writer)
    if listing.owner_kind != "users":  # a user account has no members
        _collect_members(con, collector, account, pending)
    if listing.not_modified:
        result.status = "not_modified"
        progress.repos_listed(account, 0, True)
        plans = plan_repos(con, collector, account, None)
    else:
        result.repos_seen = len(listing.repos)
        progress.repos_listed(account, len(listing.repos), False)
        plans = plan_repos(con, collector, account, listing.repos)
    run.drain(collector, result)
    failed = False
    cursors = None
    for done, plan in enumerate(plans, start=1):
        if (done - 1) % CURSOR_CHUNK == 0:
            chunk = plans[done - 1:done - 1 + CURSOR_CHUNK]
            cursors = state.StoredCursors(con, forge, host, [p.repo.path for p in chunk if p.walk or p.items])
        try:
            stopping.check()
            warned = len(_pending_warnings(collector))
            _collect_repo(con, collector, plan, horizon, pending, result, cursors)
            if len(_pending_warnings(collector)) > warned:
                pending.rewind(plan.repo.path)
                listing_unreadable = True  # a 304 on the listing next time would skip its walk
        except (RateLimitExhausted, DeadlineExceeded, HostUnreachable, KeyboardInterrupt):
            # The account stops here. Keep what earlier repositories finished; this one is
            # walked again next run.
            pending.drop_repo(plan.repo.path)
            pending.flush()
            result.new_commits = pending.new_commits
            raise
        except CollectorError as exc:
            pending.drop_repo(plan.repo.path)
            failed = True
            run.note(result, str(exc))
        run.drain(collector, result)
        result.new_commits = pending.new_commits  # of the batches committed so far
        progress.repo_done(account, done, len(plans), result, collector.stats)
    if failed:
        result.status = "partial"
    elif not listing.not_modified:
        result.status = "ok"
    if not failed and not listing.not_modified and not listing_unreadable:
        # Only a fully walked account may be skipped on its ETag next time.
        pending.cursor(account.owner, "repos", state.Cursor(etag=listing.etag, marker=listing.owner_kind))

    def counted() -> None:
        result.new_commits = pending.new_commits

    pending.flush_later(then=counted)


def _collect_members(con, collector: ForgeCollector, account: Account, pending: Pending) -> None:
    cursor = state.get_cursor(con, account.forge, account.host, account.owner, "members")
    answer = collector.members(cursor.etag if cursor else None)
    if answer.not_modified:
        return
    warned = len(_pending_warnings(collector))
    pending.replace(loader.MEMBERS, {"account_owner": account.owner}, list(answer.records))
    changes.note_scope(pending, changes.IDENTITIES, f"members of {account.label} changed")
    if len(_pending_warnings(collector)) == warned:
        pending.cursor(account.owner, "members", state.Cursor(etag=answer.etag))


def _collect_repo(con, collector: ForgeCollector, plan: RepoPlan, horizon, pending: Pending, result: AccountResult,
                  cursors: state.StoredCursors) -> None:
    repo = plan.repo
    if plan.walk:
        repo = collector.detail(repo)
        result.repos_walked += 1
    pending.add(loader.REPOS, [repo])
    if plan.walk or repo != plan.stored:
        changes.note_repo(pending, repo)
    if plan.walk:
        _walk_commits(collector, repo, horizon, pending, cursors.get(repo.path, "commits"))
        etags = cursors.etags(repo.path, ("releases", "root"))
        _collect_releases(con, collector, repo, pending, etags.get("releases"))
        _collect_files(con, collector, repo, pending, etags.get("root"))
    # The detail of a walked repository may count forks its listing entry did not.
    if plan.forks or repo.forks_count > 0:
        answer = collector.forks(repo, plan.forks_etag)
        forks = list(answer.records) if not answer.not_modified else []
        # A listing of several pages is asked for unconditionally: only different forks are a change.
        if not answer.not_modified and {(f.fork_path, f.fork_owner, f.created_at, f.pushed_at) for f in forks} != (
                state.stored_forks(con, repo.forge, repo.host, repo.path)):
            pending.replace(loader.FORKS, {"repo_path": repo.path}, forks)
            changes.note_repo(pending, repo)
        pending.cursor(repo.path, "forks", state.Cursor(marker=str(repo.forks_count), etag=answer.etag))
    elif plan.forks_marker != "0":
        _no_forks(con, pending, repo, known=plan.stored is not None)
    if plan.items:
        _collect_items(collector, repo, horizon, pending, cursors.get(repo.path, "items"))
    if plan.walk:
        # Last: a repository counts as walked only when every stream above is queued.
        pending.cursor(repo.path, "walk", state.Cursor(marker=walk_marker(plan.repo)))


def _no_forks(con, pending: Pending, repo: RepoRecord, known: bool) -> None:
    """A repository whose count shows no fork: nothing to read, and forks stored for it go, as an
    empty answer would take them."""
    if known and state.stored_forks(con, repo.forge, repo.host, repo.path):
        pending.replace(loader.FORKS, {"repo_path": repo.path}, [])
        changes.note_repo(pending, repo)
    pending.cursor(repo.path, "forks", state.Cursor(marker="0"))


def _keep_etag(con, collector: ForgeCollector, pending: Pending, repo: RepoRecord, stream: str,
               asked_with: str | None, answer, warned: int) -> None:
    """Store a stream's new ETag with its rows; a 304 keeps the stored rows and their ETag.

    The old ETag is dropped at once: until the new one is committed with the new rows, neither
    describes what is stored (the repository may yet fail or be rewound, taking its queued cursors
    with it). An answer with unreadable values gets no ETag, so it is read again next run.
    """
    if answer.not_modified:
        return
    if asked_with is not None:
        state.forget_etag(con, repo.forge, repo.host, repo.path, stream)
    if answer.etag and len(_pending_warnings(collector)) == warned:
        pending.cursor(repo.path, stream, state.Cursor(etag=answer.etag))


def _collect_releases(con, collector: ForgeCollector, repo: RepoRecord, pending: Pending, etag: str | None) -> None:
    warned = len(_pending_warnings(collector))
    answer = collector.releases(repo, etag)
    if not answer.not_modified:
        pending.replace(loader.RELEASES, {"repo_path": repo.path}, list(answer.records))
    _keep_etag(con, collector, pending, repo, "releases", etag, answer, warned)


def _collect_files(con, collector: ForgeCollector, repo: RepoRecord, pending: Pending, etag: str | None) -> None:
    warned = len(_pending_warnings(collector))
    answer = collector.root_files(repo, etag)
    if answer.not_modified:
        # The root is as stored, and with it the blob id of its publiccode.yml: nothing to ask for.
        return
    root = next(iter(answer.records), None)
    _keep_etag(con, collector, pending, repo, "root", etag, answer, warned)
    if root is None:
        pending.replace(loader.ROOT_FILES, {"repo_path": repo.path}, [])
        pending.replace(loader.PUBLICCODE, {"repo_path": repo.path}, [])
        return
    pending.add(loader.ROOT_FILES, [root])
    if not root.has_publiccode:
        pending.replace(loader.PUBLICCODE, {"repo_path": repo.path}, [])
        return
    stored_sha, stored_files = state.publiccode_state(con, repo.forge, repo.host, repo.path)
    # The checks of the files a publiccode.yml names (logo, screenshots) read the root's listing:
    # a changed listing checks the same file again.
    if stored_sha is None or stored_sha != root.publiccode_sha or stored_files != root.files:
        pending.add(loader.PUBLICCODE, [collector.publiccode(repo, root.publiccode_sha, root.files)])


def _collect_items(collector: ForgeCollector, repo: RepoRecord, horizon, pending: Pending,
                   cursor: state.Cursor | None) -> None:
    since = cursor.cursor_at if cursor and cursor.cursor_at else horizon
    answer = collector.items(repo, since, cursor.etag if cursor else None)
    if answer.not_modified:
        return
    items = list(answer.records)
    comments = list(collector.comments(repo, since, items))
    if items or comments:
        changes.note_repo(pending, repo)
    newest = cursor.cursor_at if cursor else None
    for item in items:
        if item.updated_at and (newest is None or item.updated_at > newest):
            newest = item.updated_at
    pending.add(loader.ITEMS, items)
    pending.add(loader.COMMENTS, comments)
    pending.cursor(repo.path, "items", state.Cursor(cursor_at=newest, etag=answer.etag))


def _walk_commits(collector: ForgeCollector, repo: RepoRecord, horizon: datetime | None, pending: Pending,
                  cursor: state.Cursor | None) -> None:
    """Queue a repository's commits since its cursor, then the advanced cursor (the batch counts
    which were new as it is committed)."""
    since = cursor.cursor_at if cursor and cursor.cursor_at else horizon
    newest = cursor.cursor_at if cursor else None
    for commit in collector.commits(repo, since):
        if commit.committed_at and (newest is None or commit.committed_at > newest):
            newest = commit.committed_at
        pending.add_commit(commit)
    # Commits arrive newest first, so the cursor may only move once the walk is complete.
    if newest is not None:
        pending.cursor(repo.path, "commits", state.Cursor(cursor_at=newest))
