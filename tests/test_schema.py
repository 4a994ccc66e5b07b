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
