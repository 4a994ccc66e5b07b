"""Atomic publishing: the collector never writes the file the dashboard reads.

DuckDB allows one writing process or many reading ones, never both. A
collection therefore works on its own copy (``<db>.work``) and, once done,
checkpoints, closes and renames it over the published file with os.replace,
which readers see as a new file (new inode) holding a consistent snapshot.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.schema import migrate


def work_path(published: Path) -> Path:
    return published.with_name(published.name + ".work")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


class WorkingCopy:
    """``with WorkingCopy(db) as con``: a migrated writable copy, published on success."""

    def __init__(self, published: str | Path):
        self.published = Path(published)
        self.work = work_path(self.published)
        self.con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.published.parent.mkdir(parents=True, exist_ok=True)
        # A copy left by a run that was killed holds nothing the published file
        # lacks in committed form: cursors only advance with their data.
        _remove(self.work)
        if self.published.exists():
            shutil.copyfile(self.published, self.work)
        self.con = duckdb.connect(str(self.work))
        migrate(self.con)
        return self.con

    def __exit__(self, exc_type, exc, tb) -> None:
        con, self.con = self.con, None
        if con is None:
            return
        if exc_type is not None and not issubclass(exc_type, KeyboardInterrupt):
            con.close()
            _remove(self.work)
            return
        # Interrupted runs are published too: every committed batch is consistent
        # with its cursors, so the next run resumes where this one stopped.
        con.execute("CHECKPOINT")
        con.close()
        publish(self.work, self.published)


def publish(work: Path, published: Path) -> None:
    with open(work, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(work, published)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
