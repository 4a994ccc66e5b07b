"""Read-only access to a published warehouse snapshot.

The collector publishes a new snapshot with ``os.replace``, so the path stays the same while the
file behind it changes. Readers notice through :func:`snapshot_key` and open the new file with
:func:`open_readonly`; connections to the old file keep working on the old (unlinked) inode until
they are closed, so a reader never sees a half-written warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# Alias of the attached snapshot inside the connection's private in-memory database.
SNAPSHOT = "snapshot"


class SnapshotError(Exception):
    """The published warehouse cannot be read."""


class DatabaseMissing(SnapshotError, FileNotFoundError):
    """No warehouse file at the given path (nothing collected or published yet)."""


class DatabaseUnreadable(SnapshotError):
    """The file exists but DuckDB cannot open it (not a DuckDB file, or a newer format)."""


def snapshot_key(path: str | os.PathLike[str]) -> tuple[int, int, int]:
    """Identify the file currently published at ``path``: ``(st_ino, st_mtime_ns, st_size)``.

    The inode changes on every ``os.replace``; mtime and size catch a file rewritten in place.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise DatabaseMissing(f"no warehouse at {os.fspath(path)}") from exc
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def open_readonly(path: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path`` read-only.

    ``duckdb.connect(path)`` would not do: DuckDB keeps one database instance per path in the
    process, so after an ``os.replace`` it would keep handing back the old file. Instead each call
    gets its own in-memory database with the snapshot attached read-only and selected as default.
    Take per-thread cursors with :func:`cursor`, which re-selects the snapshot (a plain
    ``con.cursor()`` starts in the empty in-memory database).
    """
    path = Path(path)
    if not path.is_file():
        raise DatabaseMissing(f"no warehouse at {path}")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH ? AS {SNAPSHOT} (READ_ONLY)", [str(path)])
        _select_snapshot(con)
    except duckdb.IOException as exc:
        con.close()
        if not path.is_file():  # replaced or removed between the check and the attach
            raise DatabaseMissing(f"no warehouse at {path}") from exc
        raise DatabaseUnreadable(f"cannot open {path} as a DuckDB warehouse: {exc}") from exc
    except duckdb.Error as exc:
        con.close()
        raise DatabaseUnreadable(f"cannot open {path} as a DuckDB warehouse: {exc}") from exc
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new cursor on a connection from :func:`open_readonly`, safe to use from its own thread."""
    cur = con.cursor()
    _select_snapshot(cur)
    return cur


def _select_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"USE {SNAPSHOT}")
    # Timestamps come back as UTC whatever the server's local zone.
    con.execute("SET TimeZone = 'UTC'")
