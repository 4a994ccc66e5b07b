"""Accounts collected side by side: one lane per forge host and token, each lane in order.

GitHub asks integrators to make requests one after another, not concurrently, to stay clear of
its secondary rate limits; the same courtesy serves any forge. So the accounts of one host and
token stay in one lane, in registry order, and only lanes run side by side: a city on GitHub and
openCoDE waits on both servers at once, while no token makes more than one request at a time (a
host whose accounts share one token sees one request at a time). Everything tied to a host (its rate budget, "unreachable earlier in this run") stays
within one lane.

Each lane has its own DuckDB cursor, and its batches are committed by a writer thread of its own
(:mod:`warehouse.writer`, made by the pipeline); writes go one at a time across lanes
(:data:`warehouse.batches.WRITES`), the waits on the forges overlap. A stop (a signal) is seen by every lane at its next repository
or account (:mod:`warehouse.stopping`); a lane that fails stops the others at their next account.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

import duckdb

from warehouse import stopping

MAX_LANES = 4  # threads; more lanes than this queue behind them
# The kernel may hand a signal to any thread; Python runs its handler only when the main thread
# next runs Python code, and a thread blocked waiting on a lock runs none. So it waits in steps.
SIGNAL_POLL = 0.1  # seconds

T = TypeVar("T")


def lanes(items: Sequence[T], key: Callable[[T], Hashable]) -> list[list[tuple[int, T]]]:
    """``items`` (with their position) grouped by ``key``, each group in order, the groups in
    the order of their first item."""
    groups: dict[Hashable, list[tuple[int, T]]] = {}
    for index, item in enumerate(items):
        groups.setdefault(key(item), []).append((index, item))
    return list(groups.values())


class _Stop(Exception):
    """Another lane failed: this one ends at its next item."""


def run_lanes(con: duckdb.DuckDBPyConnection, groups: list[list[tuple[int, T]]],
              work: Callable[[int, T, duckdb.DuckDBPyConnection], None]) -> None:
    """Run ``work(index, item, cursor)`` for every item, the groups side by side, each group's
    items one after another in a thread with its own cursor of ``con``; return when all are done.

    A KeyboardInterrupt in the waiting thread (a signal lands there) is passed on to every lane
    and raised once they have stopped, as is a lane's own KeyboardInterrupt; otherwise the first
    other exception of a lane is raised once the others have stopped at their next item.
    """
    failed = threading.Event()
    asked = []  # the stops this function asked for itself, taken back once every lane has stopped

    def ask() -> None:
        asked.append(1)
        stopping.request()

    def lane(group: list[tuple[int, T]]) -> None:
        cursor = con.cursor()
        try:
            for index, item in group:
                if failed.is_set():
                    raise _Stop
                stopping.check()
                work(index, item, cursor)
        except KeyboardInterrupt:
            ask()  # a stop in one lane (DuckDB's interruption, a test's) stops them all
            failed.set()
            raise
        except BaseException:
            failed.set()
            raise
        finally:
            cursor.close()

    try:
        with ThreadPoolExecutor(max_workers=min(MAX_LANES, len(groups)), thread_name_prefix="lane") as pool:
            futures = [pool.submit(lane, group) for group in groups]
            try:
                _wait_in_steps(futures)  # a failed lane stops the others itself (``failed``)
            except KeyboardInterrupt:
                ask()  # the lanes see it at their next repository
                failed.set()
                _wait_out(futures)
                raise
        _raise_first(futures)
    finally:
        for _ in asked:
            stopping.withdraw()


def _wait_in_steps(futures: list[Future]) -> None:
    """``wait(futures)``, waking every SIGNAL_POLL so that a signal delivered to a lane's thread is
    raised here within that time, not once every lane has finished."""
    while wait(futures, timeout=SIGNAL_POLL).not_done:
        pass


def _wait_out(futures: list[Future]) -> None:
    """Wait for the lanes to stop, even through further interrupts (a lane mid-write must not be
    left behind by the thread that publishes)."""
    while True:
        try:
            _wait_in_steps(futures)
            return
        except KeyboardInterrupt:
            continue


def _raise_first(futures: list[Future]) -> None:
    errors: list[BaseException] = [e for f in futures if (e := f.exception()) is not None and not isinstance(e, _Stop)]
    interrupts = [e for e in errors if isinstance(e, KeyboardInterrupt)]
    others = [e for e in errors if not isinstance(e, KeyboardInterrupt)]
    if others:
        raise others[0]
    if interrupts:
        raise KeyboardInterrupt


class Serialised:
    """A progress reporter whose calls from several lanes come one at a time."""

    def __init__(self, inner: Any):
        self._inner = inner
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return target(*args, **kwargs)

        return call
