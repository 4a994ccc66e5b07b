"""Numbered migrations, applied in order and recorded in ``schema_migrations``."""

from __future__ import annotations

from importlib import resources

import duckdb


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("warehouse.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return max(v for v, _, _ in _migrations())


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bring the database to the latest schema; return the names of the migrations applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    pending = [(version, name, sql) for version, name, sql in _migrations() if version not in done]
    if not pending:
        return []
    # All pending migrations in one transaction: a new warehouse costs one commit, not one per
    # migration, and an upgrade lands whole or not at all.
    con.execute("BEGIN")
    try:
        for version, name, sql in pending:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return [name for _, name, _ in pending]


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    try:
        row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None
