"""One collection run: registry in, a published DuckDB snapshot out.

The warehouse drives the collectors (never the other way round): for each
account it hands over the stored ETag and cursors, stores the records in
batches, and advances a cursor only once the data it covers is committed. A
repository or account that fails is recorded with its reason and skipped; the
run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb

from collectors.base import CollectorError, ForgeCollector, RateLimitExhausted, counting, make_collector
from collectors.records import RepoRecord
from collectors.registry import Account, Registry
from warehouse import loader, state
from warehouse.publish import WorkingCopy

BATCH_ROWS = 5000


@dataclass
class AccountResult:
    forge: str
    host: str
    owner: str
    entity_id: str
    status: str = "ok"  # ok | partial | failed | not_modified
    repos_seen: int = 0
    repos_walked: int = 0
    new_commits: int = 0
    requests: int = 0
    not_modified: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.forge}:{self.owner}"


@dataclass
class RunSummary:
    run_id: int
    db_path: str
    accounts: list[AccountResult] = field(default_factory=list)

    @property
    def repos_seen(self) -> int:
        return sum(a.repos_seen for a in self.accounts)

    @property
    def new_commits(self) -> int:
        return sum(a.new_commits for a in self.accounts)

    @property
    def requests(self) -> int:
        return sum(a.requests for a in self.accounts)

    @property
    def not_modified(self) -> int:
        return sum(a.not_modified for a in self.accounts)

    @property
    def error_count(self) -> int:
        return sum(len(a.errors) for a in self.accounts)

    @property
    def status(self) -> str:
        if any(a.status == "failed" for a in self.accounts) and all(a.status == "failed" for a in self.accounts):
            return "failed"
        if self.error_count:
            return "partial"
        return "ok"


class Progress(Protocol):
    def account_started(self, index: int, total: int, account: Account) -> None: ...

    def repos_listed(self, account: Account, total: int, not_modified: bool) -> None: ...

    def repo_done(self, account: Account, done: int, total: int, result: AccountResult) -> None: ...

    def account_finished(self, account: Account, result: AccountResult) -> None: ...


class _Silent:
    def account_started(self, index, total, account):
        pass

    def repos_listed(self, account, total, not_modified):
        pass

    def repo_done(self, account, done, total, result):
        pass

    def account_finished(self, account, result):
        pass


def collect(
    registry: Registry,
    db_path: str | Path,
    since: datetime | None = None,
    progress: Progress | None = None,
    collector_factory=make_collector,
) -> RunSummary:
    """Collect every account of the registry into db_path and publish the result."""
    progress = progress or _Silent()
    horizon = since or registry.since
    with WorkingCopy(db_path) as con:
        state.sync_registry(con, registry)
        run_id = state.start_run(con, registry.path)
        summary = RunSummary(run_id, str(db_path))
        accounts = registry.accounts
        try:
            for index, account in enumerate(accounts, start=1):
                progress.account_started(index, len(accounts), account)
                result = AccountResult(account.forge, account.host, account.owner, account.entity_id)
                summary.accounts.append(result)
                collector = collector_factory(account)
                try:
                    with counting(collector.stats):
                        _collect_account(con, collector, account, horizon, result, progress)
                except RateLimitExhausted as exc:
                    result.status = "failed"
                    result.errors.append(f"{exc} (resumes next run)")
                except CollectorError as exc:
                    result.status = "failed"
                    result.errors.append(str(exc))
                finally:
                    collector.close()
                    _take_stats(result, collector)
                    state.record_account(con, run_id, result)
                    progress.account_finished(account, result)
        finally:
            state.finish_run(con, run_id, summary)
    return summary


def _take_stats(result: AccountResult, collector: ForgeCollector) -> None:
    stats = collector.stats
    result.requests = stats.requests
    result.not_modified = stats.not_modified
    result.rate_remaining = stats.rate_remaining
    result.rate_limit = stats.rate_limit


def _marker(repo: RepoRecord) -> str | None:
    moment = repo.pushed_at or repo.updated_at
    return moment.isoformat() if moment else None


def _collect_account(
    con: duckdb.DuckDBPyConnection,
    collector: ForgeCollector,
    account: Account,
    horizon: datetime | None,
    result: AccountResult,
    progress: Progress,
) -> None:
    forge, host = account.forge, account.host
    listing_cursor = state.get_cursor(con, forge, host, account.owner, "repos")
    listing = collector.list_repos(
        listing_cursor.etag if listing_cursor else None,
        listing_cursor.marker if listing_cursor else None,
    )
    if listing.not_modified:
        result.status = "not_modified"
        progress.repos_listed(account, 0, True)
        return
    result.repos_seen = len(listing.repos)
    progress.repos_listed(account, len(listing.repos), False)
    known = state.walked_markers(con, forge, host, account.owner)
    to_walk: list[RepoRecord] = []
    records: list[RepoRecord] = []
    for repo in listing.repos:
        marker, stored_license = known.get(repo.path, (None, None))
        if marker is not None and marker == _marker(repo):
            if not collector.listing_has_license:
                repo = replace(repo, license_spdx=stored_license)
            records.append(repo)
        else:
            to_walk.append(repo)
    pending = _Pending(con, forge, host)
    for done, repo in enumerate(to_walk, start=1):
        try:
            detailed = collector.detail(repo)
            pending.repos.append(detailed)
            result.new_commits += _walk_commits(con, collector, detailed, horizon, pending)
            pending.cursors.append((repo.path, "walk", state.Cursor(marker=_marker(repo))))
            result.repos_walked += 1
        except RateLimitExhausted:
            pending.flush()
            raise
        except KeyboardInterrupt:
            # Keep what earlier repositories finished; this one is walked again next run.
            pending.drop_repo(repo.path)
            pending.flush()
            raise
        except CollectorError as exc:
            pending.drop_repo(repo.path)
            result.status = "partial"
            result.errors.append(str(exc))
        progress.repo_done(account, done, len(to_walk), result)
    pending.repos.extend(records)
    # Only a fully walked account may be skipped on its ETag next time.
    if result.status == "ok":
        pending.cursors.append((account.owner, "repos", state.Cursor(etag=listing.etag, marker=listing.owner_kind)))
    result.new_commits += pending.flush()


class _Pending:
    """Rows and cursors waiting to be committed together.

    Batching across repositories saves a transaction per small repository; a
    cursor joins the queue only after all the rows it covers, and both are
    committed in one transaction, so a cursor never runs ahead of its data.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, forge: str, host: str):
        self.con = con
        self.forge = forge
        self.host = host
        self.repos: list[RepoRecord] = []
        self.commits: list = []
        self.cursors: list[tuple[str, str, state.Cursor]] = []

    def add_commit(self, commit) -> int:
        self.commits.append(commit)
        return self.flush() if len(self.commits) >= BATCH_ROWS else 0

    def drop_repo(self, path: str) -> None:
        """Forget a failed repository's queued rows and cursors; it is walked again next run."""
        self.commits = [c for c in self.commits if c.repo_path != path]
        self.cursors = [c for c in self.cursors if c[0] != path]

    def flush(self) -> int:
        """Commit what is queued; return how many commits were new."""
        if not (self.repos or self.commits or self.cursors):
            return 0
        con = self.con
        con.execute("BEGIN")
        try:
            loader.load(con, self.repos, loader.REPOS)
            new = loader.load(con, self.commits, loader.COMMITS)
            for scope, stream, cursor in self.cursors:
                state.put_cursor(con, self.forge, self.host, scope, stream, cursor)
            con.execute("COMMIT")
        except Exception:
            _rollback(con)
            raise
        self.repos, self.commits, self.cursors = [], [], []
        return new


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass  # no transaction was open


def _walk_commits(con, collector: ForgeCollector, repo: RepoRecord, horizon: datetime | None, pending: _Pending) -> int:
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
        pending.cursors.append((repo.path, "commits", state.Cursor(cursor_at=newest)))
    return new
