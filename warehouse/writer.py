"""A lane's writes in a thread of their own, so that its next requests need not wait for them.

DuckDB lets go of the interpreter while it runs a statement, so a batch committed in this thread
overlaps the lane's next requests and the parsing of their answers: on a forge that answers fast
a lane spent a quarter of its time committing (benchmarks/RESULTS.md, "Writes beside the
requests"). Jobs run one at a time, in the order queued, on a DuckDB cursor of their own; a job
after one that failed is not run, and the failure is raised in the lane at its next write (or
when the writer closes), so a failed write still fails the run.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import duckdb

Job = Callable[[duckdb.DuckDBPyConnection], None]


class Writer:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._cursor = con.cursor()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")
        self._queued: list[Future] = []
        self._error: BaseException | None = None
        self._reported = False

    def later(self, job: Job) -> None:
        """Queue ``job(cursor)`` after every job queued before it. Raises a failure of an earlier job
        (once); after a failure nothing more is queued."""
        self._raise()
        if self._error is not None:
            return
        self._queued = [f for f in self._queued if not f.done()]
        self._queued.append(self._pool.submit(self._run, job))

    def wait(self) -> None:
        """Return once every queued job has run; raise the first failure among them (once)."""
        wait(self._queued)
        self._queued = []
        self._raise()

    def close(self) -> None:
        """Wait for the queued jobs, even through interrupts (a job mid-write must not outlive the
        connection), then raise what failed: a KeyboardInterrupt that came meanwhile, else a job's error."""
        interrupted = False
        while True:
            try:
                self._pool.shutdown(wait=True)
                break
            except KeyboardInterrupt:
                interrupted = True
        self._queued = []
        self._cursor.close()
        if interrupted:
            raise KeyboardInterrupt
        self._raise()

    def _run(self, job: Job) -> None:
        if self._error is not None:
            return
        try:
            job(self._cursor)
        except BaseException as exc:  # noqa: BLE001 - raised in the lane, which owns the run's failure handling
            self._error = exc

    def _raise(self) -> None:
        if self._error is not None and not self._reported:
            self._reported = True
            raise self._error
