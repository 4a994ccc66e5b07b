"""One collection run: registry in, a published DuckDB snapshot out.

The warehouse drives the collectors (never the other way round): for each
account it hands over the stored ETag and cursors, stores the records in
batches, and advances a cursor only once the data it covers is committed. A
repository or account that fails is recorded with its reason and skipped; the
run goes on.
"""

from __future__ import annotations

import os
import threading
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
from collectors.registry import Account, Registry
from collectors.secrets import configured_tokens, scrub
from warehouse import changes, state, stopping
from warehouse.account_walk import collect_account
from warehouse.batches import WRITES, rollback
from warehouse.budget import token_variable
from warehouse.goals import sync_goals, write_snapshots
from warehouse.goals.snapshots import concerned_entities, history_fresh
from warehouse.identity_update import refresh_identities
from warehouse.lanes import Serialised, lanes, run_lanes
from warehouse.lock import (
    CollectionBusy,
    RunMarker,
    clear_marker,
    read_marker,
    write_marker,
)
from warehouse.metrics import refresh_metric_facts, refresh_metric_results
from warehouse.publish import WorkingCopy, is_storage_failure, storage_error, work_path
from warehouse.reuse import refresh_reuse, reuse_fresh
from warehouse.run_summary import AccountResult, Progress, RunSummary, Silent
from warehouse.writer import Writer


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
            _settle(con, registry, progress)
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
        self._lane = threading.local()  # each lane's writer
        self._writers: list[Writer] = []

    def note(self, result: AccountResult, message: str, warning: bool = False) -> None:
        # Forge text can carry a token (a proxy echoing the request): never store or print one.
        (result.warnings if warning else result.errors).append(scrub(message, self.tokens))

    def accounts(self, accounts: list[Account]) -> None:
        """Every account, those of one host and token in registry order, hosts side by side
        (warehouse.lanes); the run log lists them in registry order."""
        groups = lanes(accounts, lambda a: (a.host, token_variable(a)))
        # Each lane's writer reports accounts finished from its own thread.
        self.progress = Serialised(self.progress)
        order = {(a.forge, a.host, a.owner): i for i, a in enumerate(accounts)}
        try:
            if len(groups) == 1:
                for index, account in groups[0]:
                    stopping.check()
                    self._one(index, len(accounts), account, self.con)
            else:
                run_lanes(self.con, groups, lambda index, account, con: self._one(index, len(accounts), account, con))
        finally:
            self._close_writers()
            self.summary.accounts.sort(key=lambda r: order.get((r.forge, r.host, r.owner), len(order)))

    def _writer(self) -> Writer:
        """This lane's writer (one per lane thread). Its cursor is one of the run's connection, not
        of the lane's cursor: a lane closes that as it ends, with every cursor made from it."""
        writer = getattr(self._lane, "writer", None)
        if writer is None:
            writer = self._lane.writer = Writer(self.con)
            self._writers.append(writer)
        return writer

    def _close_writers(self) -> None:
        """Wait for every lane's writes; raise the first failure among them (an interrupt first)."""
        failures: list[BaseException] = []
        for writer in self._writers:
            try:
                writer.close()
            except BaseException as exc:  # noqa: BLE001 - every writer is waited for; the first failure is raised
                failures.append(exc)
        self._writers = []
        if failures:
            raise next((e for e in failures if isinstance(e, KeyboardInterrupt)), failures[0])

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
                collect_account(con, collector, account, self.horizon, result, self.progress, self, self._writer())
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
        """The account's row in the run log, after its last batch: in the lane's writer if it has one."""
        writer = getattr(self._lane, "writer", None)

        def record(cursor) -> None:
            with WRITES:
                state.record_account(cursor, self.summary.run_id, result)
            self.progress.account_finished(account, result)

        if writer is None:
            record(con or self.con)
        else:
            writer.later(record)

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


def _take_warnings(collector: ForgeCollector) -> list[str]:
    warnings = getattr(collector, "warnings", None)
    if not warnings:
        return []
    taken = list(warnings)
    warnings.clear()
    return taken


def _settle(con: duckdb.DuckDBPyConnection, registry: Registry, progress: Progress | None = None) -> None:
    """Derived data: comment kinds, identities, metric facts, per-repository results, reuse
    across entities, goals and their dated snapshot. Identities, facts, reuse and the goal history
    follow what the run noted as changed (warehouse.changes); the notes are emptied with the rest
    committed. ``progress`` is told of each part: at scale a whole settle takes minutes."""
    progress = progress or Silent()
    # One moment for everything derived: the published snapshot's metrics are as of it.
    as_of = datetime.now(UTC)
    con.execute("BEGIN")
    try:
        unchanged = changes.pending(con).nothing
        if not unchanged:
            # GitHub numbers issues and pull requests together; an issue comment seen before its
            # pull request was collected gets its kind from the items. A run that wrote no
            # comment or item (nothing noted) leaves none to fix.
            con.execute(
                "UPDATE comments SET item_kind = 'change_request' WHERE forge = 'github' AND kind = 'comment' "
                "AND item_kind = 'issue' AND EXISTS (SELECT 1 FROM items i WHERE i.forge = comments.forge "
                "AND i.host = comments.host AND i.repo_path = comments.repo_path AND i.number = comments.item_number "
                "AND i.kind = 'change_request')"
            )
            refresh_identities(con, registry)  # it adds the repositories of identities it moved
        refresh_metric_facts(con, incremental=True)
        progress.step("per-repository results as of now")
        refresh_metric_results(con, as_of)
        # Reuse depends on the data alone, not on the moment: unchanged data, unchanged rows.
        noted = changes.pending(con)
        stale_reuse = noted.nothing and not reuse_fresh(con)
        if not noted.nothing or stale_reuse:
            unchanged = False
            progress.step("reuse across entities")
            # Noted repositories alone (nothing moved between entities): their projects' commits.
            refresh_reuse(con, changed_only=not noted.nothing and not noted.everything)
        sync_goals(con, registry)
        # A dated row of every entity's goal metrics, so progress has a history. The history
        # reconstructed from the data depends on the data, the month and the registry alone:
        # kept when none changed, redone for the entities a change concerns.
        fresh = history_fresh(con, registry, as_of.date())
        keep = unchanged and fresh
        progress.step("goal snapshot" if keep else "goal snapshot and history")
        write_snapshots(con, registry, today=as_of.date(), refresh=False, reconstruct=not keep,
                        only=concerned_entities(con, registry) if fresh and not keep and not stale_reuse else None)
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
