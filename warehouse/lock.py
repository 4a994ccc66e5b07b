"""One collection per database at a time, and a trace of a run that did not finish.

A collection holds an OS file lock on ``<db>.lock`` for as long as it runs. The operating
system releases it when the process ends in any way (a crash, SIGKILL, a reboot), so a lock
left by a dead process never blocks the next run: only a live collection does.

While it runs, a collection also keeps a small marker, ``<db>.run``, saying which run it is.
The marker is removed once the run is published. A marker that the next run finds belongs
to a run that ended without publishing (killed, the machine stopped, a full disk): the next
run writes that run into the run log as interrupted or failed, so the log never omits one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout


class WarehouseError(Exception):
    """The warehouse file cannot be written; the message says what to do."""


class CollectionBusy(WarehouseError):
    """Another live collection holds the database's lock."""


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + ".lock")


def marker_path(published: Path) -> Path:
    return published.with_name(published.name + ".run")


@dataclass(frozen=True)
class RunMarker:
    """What a run in progress leaves behind, read back by the next run if it never finished."""

    run_id: int
    started_at: str  # ISO 8601, UTC
    pid: int
    registry: str | None = None
    status: str = "interrupted"  # interrupted | failed: what the next run records
    reason: str | None = None

    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at).astimezone(UTC)


def _busy(published: Path) -> CollectionBusy:
    holder = read_marker(published)
    by = f" (run {holder.run_id}, process {holder.pid}, started {holder.started_at})" if holder else ""
    return CollectionBusy(
        f"another collection is writing {published}{by}; wait for it to finish "
        "(`ossdash status` shows it) or collect into another --db"
    )


class CollectionLock:
    """``with CollectionLock(db):`` the database's lock, or CollectionBusy at once."""

    def __init__(self, published: Path):
        self.published = published
        self._lock = FileLock(str(lock_path(published)), timeout=0)

    def __enter__(self) -> CollectionLock:  # noqa: PYI034
        try:
            # The lock library reports a file it cannot create as a lock it cannot get: find out first.
            with open(lock_path(self.published), "a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise WarehouseError(
                f"cannot create the lock file {lock_path(self.published)}: {exc.strerror or exc}; "
                "the database's folder must be writable"
            ) from None
        try:
            self._lock.acquire()
        except Timeout:
            raise _busy(self.published) from None
        except OSError as exc:
            raise WarehouseError(
                f"cannot create the lock file {lock_path(self.published)}: {exc.strerror or exc}; "
                "the database's folder must be writable"
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()


def ensure_free(published: Path) -> None:
    """CollectionBusy now if a live collection holds the database; a quick look, not a hold:
    the collection takes the lock itself, so one starting in between is still refused then."""
    if not lock_path(published).exists():
        return
    probe = FileLock(str(lock_path(published)), timeout=0)
    try:
        probe.acquire()
    except Timeout:
        raise _busy(published) from None
    except OSError:
        return  # the collection itself says why the folder cannot be written
    probe.release()


def read_marker(published: Path) -> RunMarker | None:
    """The marker of a run that has not published (yet), or None; an unreadable one is ignored."""
    try:
        data = json.loads(marker_path(published).read_text(encoding="utf-8"))
        return RunMarker(**{k: data[k] for k in RunMarker.__dataclass_fields__ if k in data})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_marker(published: Path, marker: RunMarker) -> None:
    """Write the marker atomically; on a full disk it may fail, which the caller tolerates."""
    target = marker_path(published)
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_text(json.dumps(asdict(marker)), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def clear_marker(published: Path) -> None:
    marker_path(published).unlink(missing_ok=True)
