"""One collection run: registry in, a published DuckDB snapshot out.

The warehouse drives the collectors (never the other way round): for each
account it hands over the stored ETag and cursors, stores the records in
batches, and advances a cursor only once the data it covers is committed. A
repository or account that fails is recorded with its reason and skipped; the
run goes on.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from collectors.base import (
    CollectorError,
    CollectorOptions,
    DeadlineExceeded,
    ForgeCollector,
    HostUnreachable,
    RateLimitExhausted,
    counting,
    make_collector,
)
from collectors.records import RepoRecord
from collectors.registry import Account, Registry
from collectors.secrets import configured_tokens, scrub
from warehouse import changes, loader, state, stopping
from warehouse.batches import WRITES, Pending, rollback
from warehouse.budget import token_variable
from warehouse.goals import sync_goals, write_snapshots
from warehouse.identities import rebuild_identities
from warehouse.lanes import Serialised, lanes, run_lanes
from warehouse.lock import (
    CollectionBusy,
    RunMarker,
    clear_marker,
    read_marker,
    write_marker,
)
from warehouse.metrics import refresh_metric_facts, refresh_metric_results
from warehouse.pages import activity_figures as _page_answers  # noqa: F401 - registers the answers a collection stores
from warehouse.plans import RepoPlan, plan_repos, walk_marker
from warehouse.publish import WorkingCopy, is_storage_failure, storage_error, work_path
from warehouse.reuse import refresh_reuse, reuse_fresh
from warehouse.run_summary import AccountResult, Progress, RunSummary, Silent


def collect(
    registry: Registry,
    db_path: str | Path,
    since: datetime | None = None,
    progress: Progress | None = None,
    collector_factory=make_collector,
    options: CollectorOptions | None = None,
    fresh: bool = False,
) -> RunSummary:
    """Collect every account of the registry into db_path and publish the result.

    Holds the database's lock throughout (CollectionBusy if another collection has it). A
    KeyboardInterrupt stops collecting: what was finished is settled, published and logged
    as an interrupted run; a second one while finishing abandons the run (nothing published).
    Any failure leaves the published snapshot as it was, and the next run logs the failed one.
    """
    progress = progress or Silent()
    horizon = since or registry.since
    published = Path(db_path)
    tokens = configured_tokens(registry.accounts)
    marker: RunMarker | None = None
    stopped_before = 0  # stops already asked for when the run began to finish
    try:
        with WorkingCopy(published, fresh=fresh) as con:
            state.sync_registry(con, registry)
            changes.note_registry(con, registry)
            state.record_unfinished(con, read_marker(published))
            started = datetime.now(UTC)
            run_id = state.start_run(con, registry.path, started)
            marker = RunMarker(run_id, started.isoformat(), os.getpid(), registry.path)
            _leave_marker(published, marker)
            summary = RunSummary(run_id, str(db_path))
            run = _Run(con, summary, progress, collector_factory, options, horizon, tokens)
            try:
                run.accounts(registry.accounts)
                stopping.check()  # a stop whose own exception was lost at the very end
            except KeyboardInterrupt:
                summary.interrupted = True
                summary.note = "interrupted by a signal; what was finished is published, the rest resumes next run"
                run.not_reached(registry.accounts)
                progress.step("interrupted: finishing a consistent snapshot of what was collected "
                              "(interrupt again to abandon it)")
            stopped_before = stopping.requested() or int(summary.interrupted)
            # At scale this takes a minute or more: say so rather than look stuck.
            progress.step("rebuilding identities, metric facts, reuse and goal snapshots")
            _settle(con, registry)
            state.finish_run(con, run_id, summary)
            progress.step("publishing the new snapshot")
    except CollectionBusy:
        raise  # the marker there is the other run's
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt) or stopping.requested():
            # Also DuckDB's own error for a statement a signal interrupted.
            again = "again " if stopped_before else ""
            _leave_marker(published, marker, "interrupted",
                          f"interrupted {again}while finishing; nothing of it was published, the next run collects it")
            raise KeyboardInterrupt from None
        _leave_marker(published, marker, "failed", scrub(_first_line(exc), tokens))
        if is_storage_failure(exc):
            raise storage_error(published, f"write the working copy {work_path(published)}", exc) from None
        raise
    clear_marker(published)
    return summary


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


def _leave_marker(published: Path, marker: RunMarker | None, status: str | None = None, reason: str | None = None) -> None:
    """Keep (or update) the trace of this run for the next one; a full disk may refuse even that."""
    if marker is None:
        return
    if status is not None:
        marker = replace(marker, status=status, reason=reason)
    try:
        write_marker(published, marker)
    except OSError:
        pass  # the next run then logs it as ended without finishing, which is still true


class _Run:
    """The accounts of one run, each recorded in the run log whatever happens to it."""

    def __init__(self, con, summary: RunSummary, progress: Progress, factory, options, horizon, tokens):
        self.con = con
        self.summary = summary
        self.progress = progress
        self.factory = factory
        self.options = options
        self.horizon = horizon
        self.tokens = tokens
        self.unreachable: dict[str, str] = {}  # host -> why, for the accounts after the first that failed on it

    def note(self, result: AccountResult, message: str, warning: bool = False) -> None:
        # Forge text can carry a token (a proxy echoing the request): never store or print one.
        (result.warnings if warning else result.errors).append(scrub(message, self.tokens))

    def accounts(self, accounts: list[Account]) -> None:
        """Every account, those of one host and token in registry order, hosts side by side
        (warehouse.lanes); the run log lists them in registry order."""
        groups = lanes(accounts, lambda a: (a.host, token_variable(a)))
        if len(groups) == 1:
            for index, account in groups[0]:
                stopping.check()
                self._one(index, len(accounts), account, self.con)
            return
        self.progress = Serialised(self.progress)
        order = {(a.forge, a.host, a.owner): i for i, a in enumerate(accounts)}
        try:
            run_lanes(self.con, groups, lambda index, account, con: self._one(index, len(accounts), account, con))
        finally:
            self.summary.accounts.sort(key=lambda r: order.get((r.forge, r.host, r.owner), len(order)))

    def _one(self, index: int, total: int, account: Account, con) -> None:
        self.progress.account_started(index + 1, total, account)
        result = AccountResult(account.forge, account.host, account.owner, account.entity_id)
        self.summary.accounts.append(result)
        if account.host in self.unreachable:
            result.status = "skipped"
            self.note(result, f"{account.label}: skipped: {self.unreachable[account.host]}")
            self._record(account, result, con)
            return
        self.account(account, result, con)

    def account(self, account: Account, result: AccountResult, con=None) -> None:
        con = con or self.con
        collector = None
        try:
            collector = self.factory(account, self.options) if self.options else self.factory(account)
            with counting(collector.stats):
                _collect_account(con, collector, account, self.horizon, result, self.progress, self)
        except HostUnreachable as exc:
            result.status = "failed"
            self.note(result, str(exc))
            self.unreachable[account.host] = f"{exc.host} could not be reached earlier in this run (see {account.label})"
        except (RateLimitExhausted, DeadlineExceeded) as exc:
            result.status = "failed"
            message = str(exc)
            self.note(result, message if "resumes next run" in message else f"{message} (resumes next run)")
        except CollectorError as exc:
            result.status = "failed"
            self.note(result, str(exc))
        except BaseException as exc:
            if not (isinstance(exc, KeyboardInterrupt) or stopping.requested()):
                raise
            # A stop, however it surfaced (its own exception, or DuckDB's for an interrupted statement).
            result.status = "interrupted"
            self.note(result, f"{account.label}: interrupted while collecting this account; the repositories "
                              "finished before are kept, the rest resumes next run")
            raise KeyboardInterrupt from None
        finally:
            if collector is not None:
                collector.close()
                _take_stats(result, collector)
                self.drain(collector, result)
            self._record(account, result, con)

    def drain(self, collector: ForgeCollector, result: AccountResult) -> None:
        for message in _take_warnings(collector):
            self.note(result, message, warning=True)

    def _record(self, account: Account, result: AccountResult, con=None) -> None:
        with WRITES:
            state.record_account(con or self.con, self.summary.run_id, result)
        self.progress.account_finished(account, result)

    def not_reached(self, accounts: list[Account]) -> None:
        """Accounts the run never came to get a row too, so the log says what was left out."""
        seen = {(a.forge, a.host, a.owner) for a in self.summary.accounts}
        for account in accounts:
            if (account.forge, account.host, account.owner) in seen:
                continue
            result = AccountResult(account.forge, account.host, account.owner, account.entity_id, status="not_reached")
            result.errors.append(f"{account.label}: not reached: the run was interrupted before this account; "
                                 "the next run collects it")
            self.summary.accounts.append(result)
            state.record_account(self.con, self.summary.run_id, result)


def _pending_warnings(collector: ForgeCollector) -> list[str]:
    return getattr(collector, "warnings", None) or []


def _take_warnings(collector: ForgeCollector) -> list[str]:
    warnings = getattr(collector, "warnings", None)
    if not warnings:
        return []
    taken = list(warnings)
    warnings.clear()
    return taken


def _settle(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Derived data: comment kinds, identities, metric facts, per-repository results, reuse
    across entities, goals and their dated snapshot. Identities, facts and reuse follow what the
    run noted as changed (warehouse.changes); the notes are emptied with the rest committed."""
    # One moment for everything derived: the published snapshot's metrics are as of it.
    as_of = datetime.now(UTC)
    con.execute("BEGIN")
    try:
        # GitHub numbers issues and pull requests together; an issue comment seen
        # before its pull request was collected gets its kind from the items.
        con.execute(
            "UPDATE comments SET item_kind = 'change_request' WHERE forge = 'github' AND kind = 'comment' "
            "AND item_kind = 'issue' AND EXISTS (SELECT 1 FROM items i WHERE i.forge = comments.forge "
            "AND i.host = comments.host AND i.repo_path = comments.repo_path AND i.number = comments.item_number "
            "AND i.kind = 'change_request')"
        )
        if not changes.pending(con).nothing:
            rebuild_identities(con, registry)  # it adds the repositories of identities it moved
        refresh_metric_facts(con, incremental=True)
        refresh_metric_results(con, as_of)
        # Reuse depends on the data alone, not on the moment: unchanged data, unchanged rows.
        if not changes.pending(con).nothing or not reuse_fresh(con):
            refresh_reuse(con)
        sync_goals(con, registry)
        # A dated row of every entity's goal metrics, so progress has a history.
        write_snapshots(con, registry, today=as_of.date(), refresh=False)
        changes.clear(con)
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def _take_stats(result: AccountResult, collector: ForgeCollector) -> None:
    stats = collector.stats
    result.requests = stats.requests
    result.not_modified = stats.not_modified
    result.rate_remaining = stats.rate_remaining
    result.rate_limit = stats.rate_limit


def _collect_account(
    con: duckdb.DuckDBPyConnection,
    collector: ForgeCollector,
    account: Account,
    horizon: datetime | None,
    result: AccountResult,
    progress: Progress,
    run: _Run,
) -> None:
    forge, host = account.forge, account.host
    listing_cursor = state.get_cursor(con, forge, host, account.owner, "repos")
    listing = collector.list_repos(
        listing_cursor.etag if listing_cursor else None,
        listing_cursor.marker if listing_cursor else None,
    )
    # Values this run could not read are asked for again next run, never moved past: a
    # listing, stream or repository that produced a warning keeps its old ETag and cursors.
    listing_unreadable = bool(_pending_warnings(collector))
    pending = Pending(con, forge, host)
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
    for done, plan in enumerate(plans, start=1):
        try:
            stopping.check()
            warned = len(_pending_warnings(collector))
            _collect_repo(con, collector, plan, horizon, pending, result)
            if len(_pending_warnings(collector)) > warned:
                pending.rewind(plan.repo.path)
                listing_unreadable = True  # a 304 on the listing next time would skip its walk
        except (RateLimitExhausted, DeadlineExceeded, HostUnreachable, KeyboardInterrupt):
            # The account stops here. Keep what earlier repositories finished; this one is
            # walked again next run.
            pending.drop_repo(plan.repo.path)
            pending.flush()
            raise
        except CollectorError as exc:
            pending.drop_repo(plan.repo.path)
            failed = True
            run.note(result, str(exc))
        run.drain(collector, result)
        progress.repo_done(account, done, len(plans), result, collector.stats)
    if failed:
        result.status = "partial"
    elif not listing.not_modified:
        result.status = "ok"
    if not failed and not listing.not_modified and not listing_unreadable:
        # Only a fully walked account may be skipped on its ETag next time.
        pending.cursor(account.owner, "repos", state.Cursor(etag=listing.etag, marker=listing.owner_kind))
    result.new_commits += pending.flush()


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


def _collect_repo(con, collector: ForgeCollector, plan: RepoPlan, horizon, pending: Pending, result: AccountResult) -> None:
    repo = plan.repo
    if plan.walk:
        repo = collector.detail(repo)
        result.repos_walked += 1
    pending.add(loader.REPOS, [repo])
    if plan.walk or repo != plan.stored:
        changes.note_repo(pending, repo)
    if plan.walk:
        result.new_commits += _walk_commits(con, collector, repo, horizon, pending)
        etags = state.stream_etags(con, repo.forge, repo.host, repo.path, ("releases", "root"))
        _collect_releases(con, collector, repo, pending, etags.get("releases"))
        _collect_files(con, collector, repo, pending, etags.get("root"))
    if plan.forks:
        answer = collector.forks(repo, plan.forks_etag)
        forks = list(answer.records) if not answer.not_modified else []
        # A listing of several pages is asked for unconditionally: only different forks are a change.
        if not answer.not_modified and {(f.fork_path, f.fork_owner, f.created_at, f.pushed_at) for f in forks} != (
                state.stored_forks(con, repo.forge, repo.host, repo.path)):
            pending.replace(loader.FORKS, {"repo_path": repo.path}, forks)
            changes.note_repo(pending, repo)
        pending.cursor(repo.path, "forks", state.Cursor(marker=str(repo.forks_count), etag=answer.etag))
    if plan.items:
        _collect_items(con, collector, repo, horizon, pending)
    if plan.walk:
        # Last: a repository counts as walked only when every stream above is queued.
        pending.cursor(repo.path, "walk", state.Cursor(marker=walk_marker(plan.repo)))


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


def _collect_items(con, collector: ForgeCollector, repo: RepoRecord, horizon, pending: Pending) -> None:
    cursor = state.get_cursor(con, repo.forge, repo.host, repo.path, "items")
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


def _walk_commits(con, collector: ForgeCollector, repo: RepoRecord, horizon: datetime | None, pending: Pending) -> int:
    """Queue a repository's commits since its cursor, then the advanced cursor; return commits found new."""
    cursor = state.get_cursor(con, repo.forge, repo.host, repo.path, "commits")
    since = cursor.cursor_at if cursor and cursor.cursor_at else horizon
    newest = cursor.cursor_at if cursor else None
    new = 0
    for commit in collector.commits(repo, since):
        if commit.committed_at and (newest is None or commit.committed_at > newest):
            newest = commit.committed_at
        new += pending.add_commit(commit)
    # Commits arrive newest first, so the cursor may only move once the walk is complete.
    if newest is not None:
        pending.cursor(repo.path, "commits", state.Cursor(cursor_at=newest))
    return new
