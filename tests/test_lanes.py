"""Lanes side by side, and a signal that the kernel hands to a lane's thread rather than to the
main one: it must still stop the run at the lanes' next item, not once they have all finished."""

from __future__ import annotations

import signal
import threading
import time

import duckdb
import pytest

from warehouse import stopping
from warehouse.lanes import run_lanes

ITEMS = 100  # per lane, each a short wait: all of them take seconds, a stop takes one item


@pytest.fixture
def sigterm_stops():
    """The command line's handling: a SIGTERM asks for a stop and raises in the main thread."""
    def handler(signum, frame):
        stopping.request()
        raise KeyboardInterrupt

    stopping.reset()
    previous = signal.signal(signal.SIGTERM, handler)
    yield
    signal.signal(signal.SIGTERM, previous)
    stopping.reset()


def test_a_signal_delivered_to_a_lanes_thread_stops_every_lane_at_its_next_item(sigterm_stops):
    con = duckdb.connect()
    done: dict[str, int] = {"a": 0, "b": 0}

    def work(index, item, cursor):
        lane, position = item
        if lane == "a" and position == 2:
            # As the kernel may do with a process's signal: this thread gets it, not the main one.
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        time.sleep(0.03)
        done[lane] += 1

    groups = [[(i, (lane, i)) for i in range(ITEMS)] for lane in done]
    with pytest.raises(KeyboardInterrupt):
        run_lanes(con, groups, work)

    # Waiting on the lanes in one blocking call, the main thread saw the signal only once every
    # item of both lanes had been worked.
    assert done["a"] < ITEMS and done["b"] < ITEMS, done
    assert stopping.requested() == 1, "the signal's stop stands; the lanes' own asks are taken back"


def test_lanes_without_a_stop_work_every_item_in_order():
    con = duckdb.connect()
    seen: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    groups = [[(i, (lane, i)) for i in range(5)] for lane in seen]

    run_lanes(con, groups, lambda index, item, cursor: seen[item[0]].append(item[1]))

    assert seen == {lane: list(range(5)) for lane in seen}


def test_a_failing_lane_stops_the_others_and_its_error_is_raised():
    con = duckdb.connect()
    done = {"a": 0, "b": 0}

    def work(index, item, cursor):
        lane, position = item
        if lane == "a" and position == 3:
            raise ValueError("lane a broke")
        time.sleep(0.03)
        done[lane] += 1

    groups = [[(i, (lane, i)) for i in range(ITEMS)] for lane in done]
    with pytest.raises(ValueError, match="lane a broke"):
        run_lanes(con, groups, work)
    assert done["a"] == 3 and done["b"] < ITEMS
