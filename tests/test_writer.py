"""A lane's writer on a real DuckDB file: batches committed in its thread while the caller goes on,
in order, one at a time, and a failed write raised in the caller and never passed over."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import duckdb
import pytest

from collectors.records import CommitRecord
from warehouse import loader
from warehouse.batches import WRITES, Pending
from warehouse.schema import migrate
from warehouse.writer import Writer

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "write.duckdb"))
    migrate(con)
    yield con
    con.close()


def _commit(sha: str, message: str = "m") -> CommitRecord:
    return CommitRecord("github", "h", "o/a", sha, "N", "n@x.example", "n", NOW, "N", "n@x.example", "n", NOW, message)


def _stored(con) -> list[tuple]:
    return con.cursor().execute("SELECT sha, message FROM commits ORDER BY sha").fetchall()


def test_a_batch_is_committed_in_the_writers_thread_while_the_caller_goes_on(con):
    writer = Writer(con)
    pending = Pending(con, "github", "h", writer)
    called = []
    for sha in ("1", "2", "3"):
        pending.add_commit(_commit(sha))
    with WRITES:  # another lane's write: the writer's commit waits for it, the caller does not
        pending.flush_later(then=lambda: called.append(threading.current_thread().name))
        assert _stored(con) == [] and called == [] and pending.ops == []
    writer.wait()
    assert _stored(con) == [("1", "m"), ("2", "m"), ("3", "m")]
    assert pending.new_commits == 3
    assert called and called[0].startswith("writer")
    writer.close()


def test_batches_land_in_the_order_queued_and_flush_waits_for_the_writer(con):
    writer = Writer(con)
    pending = Pending(con, "github", "h", writer)
    pending.add_commit(_commit("1", "first"))
    pending.flush_later()
    pending.add_commit(_commit("1", "second"))  # the same key again: the later batch must win
    pending.flush()
    assert _stored(con) == [("1", "second")]
    assert pending.new_commits == 1
    writer.close()


def test_one_batch_at_a_time_is_in_the_writers_hands(con):
    writer = Writer(con)
    pending = Pending(con, "github", "h", writer)
    second_queued = threading.Event()

    def queue_two() -> None:
        pending.add_commit(_commit("1"))
        pending.flush_later()
        pending.add_commit(_commit("2"))
        pending.flush_later()  # waits until the first batch is committed
        second_queued.set()

    with WRITES:
        thread = threading.Thread(target=queue_two)
        thread.start()
        assert not second_queued.wait(0.5)
    thread.join(10)
    assert second_queued.is_set()
    writer.close()
    assert _stored(con) == [("1", "m"), ("2", "m")]


def test_a_failed_write_is_raised_once_at_the_next_write_and_nothing_after_it_runs(con):
    writer = Writer(con)
    pending = Pending(con, "github", "h", writer)
    con.execute("DROP TABLE commits")  # the batch below cannot land
    pending.add_commit(_commit("1"))
    pending.flush_later()
    ran = []
    with pytest.raises(duckdb.CatalogException, match="commits"):
        writer.wait()
        writer.later(lambda cursor: ran.append(1))
    writer.later(lambda cursor: ran.append(1))  # after a failure nothing more is queued
    writer.close()  # the failure was raised already: closing does not raise it again
    assert ran == []


def test_closing_raises_a_failure_nobody_waited_for(con):
    writer = Writer(con)

    def fails(cursor) -> None:
        cursor.execute("SELECT * FROM no_such_table")

    writer.later(fails)
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        writer.close()


def test_without_a_writer_a_later_batch_is_committed_at_once(con):
    pending = Pending(con, "github", "h")
    called = []
    pending.add_commit(_commit("1"))
    pending.flush_later(then=lambda: called.append(1))
    assert _stored(con) == [("1", "m")] and called == [1] and pending.new_commits == 1
    assert loader.load(con, [_commit("1")], loader.COMMITS) == 0
