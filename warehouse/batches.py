"""Rows and cursors queued and committed together, so a cursor never runs ahead of its data."""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb

from collectors.reviews import ReviewRecord
from warehouse import loader, state
from warehouse.writer import Writer

BATCH_ROWS = 5000
# One write transaction at a time: accounts collected side by side (warehouse.lanes) each have
# their own cursor, and two of them noting the same change (changed_scopes) must not conflict.
WRITES = threading.RLock()


class Pending:
    """Rows and cursors waiting to be committed together.

    Batching across repositories saves a transaction per small repository; a
    cursor joins the queue only after all the rows it covers, and both are
    committed in one transaction, so a cursor never runs ahead of its data.
    With a :class:`~warehouse.writer.Writer`, a full batch and :meth:`flush_later` commit in
    its thread while the caller goes on; :meth:`flush` always commits before it returns.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, forge: str, host: str, writer: Writer | None = None):
        self.con = con
        self.forge = forge
        self.host = host
        self.writer = writer
        self.ops: list[tuple] = []  # ("rows", spec, records) | ("replace", spec, where) | ("cursor", scope, stream, cursor)
        self.rows = 0
        self.new_commits = 0  # commits new to the warehouse among those committed so far

    def add(self, spec: loader.TableSpec, records: list) -> None:
        reviews = [r for r in records if isinstance(r, ReviewRecord)]
        if reviews:  # they come with the comments of the change requests they belong to
            records = [r for r in records if not isinstance(r, ReviewRecord)]
            self._reviews(reviews)
        if records:
            self.ops.append(("rows", spec, records))
            self.rows += len(records)

    def _reviews(self, reviews: list[ReviewRecord]) -> None:
        """A change request's reviews are read whole: they replace what is stored for it (a revoked
        GitLab approval, a review dismissed, the NONE record of one without reviews until then)."""
        for repo_path, number in dict.fromkeys((r.repo_path, r.number) for r in reviews):
            self.ops.append(("replace", loader.REVIEWS, {"repo_path": repo_path, "number": number}))
        self.ops.append(("rows", loader.REVIEWS, reviews))
        self.rows += len(reviews)

    def replace(self, spec: loader.TableSpec, where: dict, records: list) -> None:
        """Rows that replace everything stored under ``where`` (a listing that can shrink)."""
        self.ops.append(("replace", spec, where))
        self.add(spec, records)

    def cursor(self, scope: str, stream: str, cursor: state.Cursor) -> None:
        self.ops.append(("cursor", scope, stream, cursor))

    def add_commit(self, commit) -> None:
        if self.ops and self.ops[-1][0] == "rows" and self.ops[-1][1] is loader.COMMITS:
            self.ops[-1][2].append(commit)
            self.rows += 1
        else:
            self.add(loader.COMMITS, [commit])
        if self.rows >= BATCH_ROWS:
            self.flush_later()

    def drop_repo(self, path: str) -> None:
        """Forget a failed repository's queued rows and cursors; it is walked again next run."""
        kept = []
        for op in self.ops:
            if op[0] == "rows":
                records = [r for r in op[2] if getattr(r, "repo_path", getattr(r, "path", None)) != path]
                if records:
                    kept.append(("rows", op[1], records))
            elif op[0] == "replace" and op[2].get("repo_path") == path or op[0] == "cursor" and op[1] == path:
                continue
            else:
                kept.append(op)
        self.ops = kept
        self.rows = sum(len(op[2]) for op in kept if op[0] == "rows")

    def rewind(self, path: str) -> None:
        """A repository that produced unreadable values: keep its rows, but none of its cursors
        moves and no ETag is kept, so the next run reads the same items again."""
        self.ops = [op for op in self.ops if not (op[0] == "cursor" and op[1] == path)]
        if self.writer is not None:
            self.writer.wait()  # the stored cursors read below are those of every batch queued before
        for stream in ("items", "forks"):
            stored = state.get_cursor(self.con, self.forge, self.host, path, stream)
            if stored is not None:
                self.cursor(path, stream, state.Cursor(cursor_at=stored.cursor_at, marker=stored.marker))

    def flush(self) -> None:
        """Commit what is queued in one transaction, after what the writer holds, before returning.

        Deletes of replaced listings go first, then one load per table, then the
        cursors: each (table, scope) is replaced at most once per run and its rows
        are queued after the replace, so this order keeps every replacement whole.
        """
        if self.writer is not None:
            self.writer.wait()
        self._commit(self.con, self.ops)
        self.ops, self.rows = [], 0

    def flush_later(self, then: Callable[[], None] | None = None) -> None:
        """Commit what is queued in the writer's thread and call ``then`` there once it is
        committed (at once, without a writer). One batch at a time is in the writer's hands:
        this waits for the one before, so what is held stays two batches."""
        if self.writer is None:
            self.flush()
            if then is not None:
                then()
            return
        self.writer.wait()
        ops, self.ops, self.rows = self.ops, [], 0

        def job(con: duckdb.DuckDBPyConnection) -> None:
            self._commit(con, ops)
            if then is not None:
                then()

        self.writer.later(job)

    def _commit(self, con: duckdb.DuckDBPyConnection, ops: list[tuple]) -> None:
        if not ops:
            return
        with WRITES:
            self.new_commits += self._flush(con, ops)

    def _flush(self, con: duckdb.DuckDBPyConnection, ops: list[tuple]) -> int:
        new = 0
        rows: dict[str, tuple[loader.TableSpec, list]] = {}
        # (table, the columns a replace names) -> the spec and the values of every replace
        replaced: dict[tuple[str, tuple[str, ...]], tuple[loader.TableSpec, list[tuple]]] = {}
        cursors = []
        con.execute("BEGIN")
        try:
            for op in ops:
                if op[0] == "replace":
                    where = {"forge": self.forge, "host": self.host, **op[2]}
                    replaced.setdefault((op[1].table, tuple(where)), (op[1], []))[1].append(tuple(where.values()))
                elif op[0] == "rows":
                    rows.setdefault(op[1].table, (op[1], []))[1].extend(op[2])
                else:
                    cursors.append((op[1], op[2], op[3]))
            for (_, columns), (spec, values) in replaced.items():
                loader.delete_many(con, spec, columns, values)
            for spec, records in rows.values():
                new += loader.load(con, records, spec, count_new=spec is loader.COMMITS, held=True)
            state.put_cursors(con, self.forge, self.host, cursors)
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        return new


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass  # no transaction was open
