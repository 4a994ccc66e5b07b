"""Migrations: a new warehouse gets every one, an upgrade lands whole or not at all."""

from __future__ import annotations

import duckdb
import pytest

from warehouse import schema


def test_a_new_warehouse_gets_every_migration_once(tmp_path):
    con = duckdb.connect(str(tmp_path / "new.duckdb"))
    applied = schema.migrate(con)
    assert applied == [name for _, name, _ in schema._migrations()]
    assert schema.schema_version(con) == schema.latest_version()
    assert schema.migrate(con) == []  # nothing left to apply
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(applied)


def test_an_upgrade_that_fails_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    schema.migrate(con)
    con.execute("INSERT INTO entities VALUES ('x', 'X', 'DE', 'city', [])")
    real = schema._migrations()
    latest = schema.latest_version()
    upgrade = [
        (latest + 1, f"{latest + 1:03d}_good.sql", "CREATE TABLE added_by_upgrade (a INTEGER); DELETE FROM entities;"),
        (latest + 2, f"{latest + 2:03d}_broken.sql", "ALTER TABLE no_such_table ADD COLUMN b INTEGER;"),
    ]
    monkeypatch.setattr(schema, "_migrations", lambda: real + upgrade)
    with pytest.raises(duckdb.CatalogException):
        schema.migrate(con)
    con.close()

    con = duckdb.connect(str(path))
    assert schema.schema_version(con) == latest
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'added_by_upgrade'"
                       ).fetchone()[0] == 0
    assert con.execute("SELECT entity_id FROM entities").fetchall() == [("x",)]


_STREAMS = ("commits", "items", "comments", "reviews")


def _columns(con, table):
    return con.execute(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()


def test_the_streams_lose_their_primary_keys_and_keep_their_rows_and_columns(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from collectors.records import CommitRecord
    from warehouse import loader

    path = tmp_path / "at_022.duckdb"
    con = duckdb.connect(str(path))
    real = schema._migrations()
    monkeypatch.setattr(schema, "_migrations", lambda: [m for m in real if m[0] < 23])
    schema.migrate(con)
    before = {t: _columns(con, t) for t in _STREAMS}
    con.execute("INSERT INTO commits VALUES ('github', 'h', 'o/a', '1', 'N', 'n@x', 'n', "
                "'2026-01-01 00:00+00', 'N', 'n@x', 'n', '2026-01-01 00:00+00', 'kept')")
    con.execute("INSERT INTO items (forge, host, repo_path, number, kind, state) "
                "VALUES ('github', 'h', 'o/a', 7, 'issue', 'open')")
    con.execute("INSERT INTO comments (forge, host, repo_path, comment_id, item_kind, item_number, kind) "
                "VALUES ('github', 'h', 'o/a', 70, 'issue', 7, 'issue')")
    con.execute("INSERT INTO reviews VALUES ('github', 'h', 'o/a', 8, 'r', 'APPROVED', NULL, 'MEMBER')")
    keyed = con.execute("SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
                        "AND table_name IN ? ORDER BY 1", [list(_STREAMS)]).fetchall()
    assert keyed == [(t,) for t in sorted(_STREAMS)]  # the upgrade below has something to do

    monkeypatch.setattr(schema, "_migrations", lambda: real)
    assert schema.migrate(con) == [name for version, name, _ in real if version >= 23]
    assert {t: _columns(con, t) for t in _STREAMS} == before
    assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
                       "AND table_name IN ?", [list(_STREAMS)]).fetchone()[0] == 0
    assert con.execute("SELECT message FROM commits").fetchall() == [("kept",)]
    assert con.execute("SELECT number, kind, comments_count, draft FROM items").fetchall() == [(7, "issue", 0, False)]
    assert con.execute("SELECT comment_id, system FROM comments").fetchall() == [(70, False)]
    assert con.execute("SELECT reviewer_login, association FROM reviews").fetchall() == [("r", "MEMBER")]

    # The loader keeps each key once without the index.
    now = datetime(2026, 2, 1, tzinfo=UTC)
    again = CommitRecord("github", "h", "o/a", "1", "N", "n@x", "n", now, "N", "n@x", "n", now, "replaced")
    for _ in range(2):
        loader.load(con, [again, again], loader.COMMITS)
    assert con.execute("SELECT sha, message FROM commits").fetchall() == [("1", "replaced")]
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO commits (forge, host, repo_path, sha) VALUES ('github', 'h', 'o/a', NULL)")


def test_an_upgrade_rolls_the_stored_events_up_by_week(tmp_path, monkeypatch):
    # A warehouse at 025 with events stored: after the upgrade its weeks are there at once, since
    # its facts stay fresh (the row counts of their sources did not move) and are read as they are.
    from datetime import UTC, datetime

    con = duckdb.connect(str(tmp_path / "at_025.duckdb"))
    real = schema._migrations()
    monkeypatch.setattr(schema, "_migrations", lambda: [m for m in real if m[0] <= 25])
    schema.migrate(con)
    thursday = datetime(2026, 11, 26, tzinfo=UTC)  # a week starts: week 2,969 counted from the epoch
    events = [  # repo, at, event, is_bot
        ("a", thursday.replace(hour=9), "commit", False),
        ("a", thursday.replace(day=28), "comment", True),
        ("a", thursday.replace(day=25, hour=23), "item_opened", False),  # the week before
        ("b", thursday.replace(day=30), "comment", None),
    ]
    for repo, at, event, is_bot in events:
        con.execute("INSERT INTO activity_events VALUES ('e', 'github', 'github.com', ?, ?, ?, ?, 1)",
                    [repo, at, event, is_bot])
    monkeypatch.setattr(schema, "_migrations", lambda: real)
    assert "026_activity_weeks.sql" in schema.migrate(con)
    rows = con.execute("SELECT repo_path, week, data_events, human_events, first_human_at, last_human_at, last_at"
                       " FROM activity_weeks ORDER BY repo_path, week").fetchall()
    at = [e[1] for e in events]
    assert rows == [
        ("a", 2968, 1, 1, at[2], at[2], at[2]),
        ("a", 2969, 1, 1, at[0], at[0], at[1]),
        ("b", 2969, 0, 0, None, None, at[3]),
    ]
