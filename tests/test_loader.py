"""The loader and the batch queue on a real DuckDB file: upserts keep the last of repeated keys,
count only new keys, and replaced listings lose exactly the rows of the scopes replaced."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from collectors.records import CommitRecord, MemberRecord, ReleaseRecord
from warehouse import loader
from warehouse.batches import Pending
from warehouse.schema import migrate

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "load.duckdb"))
    migrate(con)
    yield con
    con.close()


def _commit(repo: str, sha: str, message: str = "m") -> CommitRecord:
    return CommitRecord("github", "h", repo, sha, "N", "n@x.example", "n", NOW, "N", "n@x.example", "n", NOW, message)


def _release(repo: str, tag: str) -> ReleaseRecord:
    return ReleaseRecord("github", "h", repo, tag, tag, NOW)


def test_upsert_counts_new_keys_and_keeps_the_last_of_repeated_ones(con):
    assert loader.load(con, [_commit("o/a", "1"), _commit("o/a", "2")], loader.COMMITS) == 2
    # A repeated key inside one batch (a page that moved while paging): the last record wins.
    batch = [_commit("o/a", "2", "first"), _commit("o/a", "3"), _commit("o/a", "2", "last")]
    assert loader.load(con, batch, loader.COMMITS) == 1
    rows = con.execute("SELECT sha, message FROM commits ORDER BY sha").fetchall()
    assert rows == [("1", "m"), ("2", "last"), ("3", "m")]
    # Without repeats, an update of a stored key is no new key.
    assert loader.load(con, [_commit("o/a", "1", "again")], loader.COMMITS) == 0
    assert con.execute("SELECT message FROM commits WHERE sha = '1'").fetchall() == [("again",)]


def test_delete_many_removes_only_the_scopes_named(con):
    loader.load(con, [_release(r, t) for r in ("o/a", "o/b", "o/c") for t in ("v1", "v2")], loader.RELEASES)
    loader.load(con, [ReleaseRecord("gitlab", "h", "o/a", "v1", "v1", NOW)], loader.RELEASES)
    loader.delete_many(con, loader.RELEASES, ("forge", "host", "repo_path"),
                       [("github", "h", "o/a"), ("github", "h", "o/c")])
    assert con.execute("SELECT forge, repo_path, tag FROM releases ORDER BY ALL").fetchall() == [
        ("github", "o/b", "v1"), ("github", "o/b", "v2"), ("gitlab", "o/a", "v1"),
    ]
    # Two columns varying at once: each pair, not every combination of them.
    loader.delete_many(con, loader.RELEASES, ("forge", "repo_path", "tag"),
                       [("github", "o/b", "v1"), ("gitlab", "o/a", "v1")])
    assert con.execute("SELECT forge, repo_path, tag FROM releases").fetchall() == [("github", "o/b", "v2")]
    with pytest.raises(ValueError, match="no column"):
        loader.delete_many(con, loader.RELEASES, ("nope",), [("x",)])


def test_flush_replaces_each_listing_whole_and_keeps_the_others(con):
    first = Pending(con, "github", "h")
    for repo in ("o/a", "o/b"):
        first.replace(loader.RELEASES, {"repo_path": repo}, [_release(repo, "v1"), _release(repo, "v2")])
    first.replace(loader.MEMBERS, {"account_owner": "o"},
                  [MemberRecord("github", "h", "o", login) for login in ("ann", "bob")])
    first.flush()
    # The next run: o/a lost a release, o/b is not walked, the organisation lost a member.
    second = Pending(con, "github", "h")
    second.replace(loader.RELEASES, {"repo_path": "o/a"}, [_release("o/a", "v2")])
    second.replace(loader.MEMBERS, {"account_owner": "o"}, [MemberRecord("github", "h", "o", "bob")])
    second.flush()
    assert con.execute("SELECT repo_path, tag FROM releases ORDER BY ALL").fetchall() == [
        ("o/a", "v2"), ("o/b", "v1"), ("o/b", "v2"),
    ]
    assert con.execute("SELECT login FROM members").fetchall() == [("bob",)]


def test_upsert_replaces_stored_rows_whole_and_counts_only_keys_not_stored(con):
    loader.load(con, [_commit("o/a", str(n), "old") for n in range(3)], loader.COMMITS)
    # Two stored keys and two new ones: the stored rows take the batch's values, nothing else moves.
    batch = [_commit("o/a", "1", "new"), _commit("o/a", "2", "new"), _commit("o/a", "3", "new"), _commit("o/b", "1", "new")]
    assert loader.load(con, batch, loader.COMMITS) == 2
    assert con.execute("SELECT repo_path, sha, message FROM commits ORDER BY ALL").fetchall() == [
        ("o/a", "0", "old"), ("o/a", "1", "new"), ("o/a", "2", "new"), ("o/a", "3", "new"), ("o/b", "1", "new"),
    ]


def test_a_large_batch_with_repeats_keeps_the_last_of_each_key(con):
    # Past the size at which DuckDB counts the batch's keys instead of Python.
    size = loader._KEYS_IN_PYTHON + 500
    loader.load(con, [_commit("o/a", str(n), "stored") for n in range(0, size, 2)], loader.COMMITS)
    batch = [_commit("o/a", str(n), "first") for n in range(size)] + [_commit("o/a", str(n), "last") for n in range(0, size, 5)]
    assert loader.load(con, batch, loader.COMMITS) == size // 2
    counts = dict(con.execute("SELECT message, count(*) FROM commits GROUP BY message").fetchall())
    assert counts == {"first": size - len(range(0, size, 5)), "last": len(range(0, size, 5))}


def test_a_failed_insert_keeps_the_rows_it_would_have_replaced(con):
    loader.load(con, [_commit("o/a", "1", "kept")], loader.COMMITS)
    bad = CommitRecord("github", "h", "o/a", None, "N", "n@x.example", "n", NOW, "N", "n@x.example", "n", NOW, "m")
    with pytest.raises(duckdb.ConstraintException):
        loader.load(con, [_commit("o/a", "1", "lost?"), bad], loader.COMMITS)
    assert con.execute("SELECT message FROM commits").fetchall() == [("kept",)]
    # In the caller's transaction the caller decides: its rollback takes back the delete as well.
    con.execute("BEGIN")
    loader.load(con, [_commit("o/a", "1", "rolled back")], loader.COMMITS)
    con.execute("ROLLBACK")
    assert con.execute("SELECT message FROM commits").fetchall() == [("kept",)]


def test_every_table_the_loader_writes_has_exactly_its_specs_columns(con):
    """A row is replaced whole: a column the spec did not name would lose its value on every load."""
    from warehouse import changes, state

    specs = [*loader.SPECS.values(), state.CURSORS, *(v for v in vars(changes).values() if isinstance(v, loader.TableSpec))]
    assert len(specs) >= 12
    for spec in specs:
        stored = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [spec.table]).fetchall()]
        assert sorted(stored) == sorted(spec.columns), spec.table
