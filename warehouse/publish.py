"""Atomic publishing: the collector never writes the file the dashboard reads.

DuckDB allows one writing process or many reading ones, never both. A
collection therefore works on its own copy (``<db>.work``) and, once done,
checkpoints, closes and renames it over the published file with os.replace,
which readers see as a new file (new inode) holding a consistent snapshot.

Whatever goes wrong (an exception, a second Ctrl-C, a full disk, a read-only
folder), the published file is left as it was and the working copy and its
write-ahead log are removed, so a failed run never keeps the disk full.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import duckdb

from warehouse.lock import CollectionLock, WarehouseError
from warehouse.resources import Resources, collection_resources
from warehouse.schema import migrate

# Errors of the file system that a person fixes (space, permissions), not a bug.
_SPACE = (errno.ENOSPC, errno.EDQUOT)


def work_path(published: Path) -> Path:
    return published.with_name(published.name + ".work")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a read-only folder: nothing could have been written there either


def is_storage_failure(exc: BaseException) -> bool:
    """A failed write of the file system (space, permissions) rather than a bug or a forge's fault."""
    if isinstance(exc, duckdb.IOException):
        return True
    text = str(exc).lower()
    if isinstance(exc, duckdb.Error) and ("no space left" in text or "disk quota" in text):
        return True
    return isinstance(exc, OSError) and getattr(exc, "errno", None) in (*_SPACE, errno.EACCES, errno.EPERM, errno.EROFS)


def storage_error(published: Path, what: str, exc: BaseException) -> WarehouseError:
    """One sentence for a failed write, saying what to do; the published file is untouched."""
    detail = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code in _SPACE or "no space left" in text or "disk quota" in text:
        advice = f"free disk space in {published.parent} (the working copy needs about twice the database's size)"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or "permission denied" in text or "read-only" in text:
        advice = f"make {published.parent} writable for this user, or choose another --db"
    else:
        advice = "check the disk and the folder, then run again"
    return WarehouseError(
        f"cannot {what}: {detail}; {advice}. The last published snapshot {published} is unchanged."
    )


class WorkingCopy:
    """``with WorkingCopy(db) as con``: a migrated writable copy, published on success.

    Holds the database's collection lock from start to publish. With ``fresh``, the
    published file is removed once the lock is held, so the run starts from nothing. The
    connection has the memory limit and threads of warehouse.resources.
    """

    def __init__(self, published: str | Path, fresh: bool = False):
        self.published = Path(published)
        self.work = work_path(self.published)
        self.fresh = fresh
        self.con: duckdb.DuckDBPyConnection | None = None
        self.lock: CollectionLock | None = None
        self.resources: Resources | None = None

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        # A bad setting is refused before anything is locked, copied or removed.
        self.resources = collection_resources()
        try:
            self.published.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(self.published, f"create the folder {self.published.parent}", exc) from None
        self.lock = CollectionLock(self.published)
        self.lock.__enter__()
        try:
            # A copy left by a run that was killed holds nothing the published file
            # lacks in committed form: cursors only advance with their data.
            _remove(self.work)
            if self.fresh:
                _remove(self.published)
            self.con = self._open()
        except BaseException:
            self._release()
            raise
        return self.con

    def _open(self) -> duckdb.DuckDBPyConnection:
        try:
            if self.published.exists():
                shutil.copyfile(self.published, self.work)
            con = duckdb.connect(str(self.work), config=self.resources.duckdb_config())
            # DuckDB draws a progress bar for a query over two seconds (a first collection's facts, an
            # upgrade) even into a pipe: a nightly run's log would fill with it.
            con.execute("SET enable_progress_bar = false")
        except (OSError, duckdb.IOException) as exc:
            _remove(self.work)
            raise storage_error(self.published, f"make a working copy {self.work}", exc) from None
        try:
            migrate(con)
        except duckdb.IOException as exc:
            con.close()
            _remove(self.work)
            raise storage_error(self.published, f"prepare the working copy {self.work}", exc) from None
        except BaseException:
            con.close()
            _remove(self.work)
            raise
        return con

    def __exit__(self, exc_type, exc, tb) -> None:
        con, self.con = self.con, None
        try:
            if con is None:
                return
            if exc_type is not None:
                # A run that cannot finish publishes nothing: the reader keeps the last
                # good snapshot. (An interrupted run that did finish returns normally.)
                _close_quietly(con)
                _remove(self.work)
                return
            try:
                con.execute("CHECKPOINT")
                con.close()
                publish(self.work, self.published)
            except (OSError, duckdb.Error) as err:
                _close_quietly(con)
                _remove(self.work)
                raise storage_error(self.published, f"write the new snapshot to {self.work}", err) from None
        finally:
            self._release()

    def _release(self) -> None:
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.__exit__(None, None, None)


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass  # closing after a failed write may fail again; the file is removed next


def publish(work: Path, published: Path) -> None:
    with open(work, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(work, published)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
