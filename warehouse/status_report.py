"""What ``ossdash status`` reports: freshness per account, the last runs, the rate budget per forge,
and the integrity of the published warehouse.

Everything is read from the published snapshot (read-only) and from the run marker a collection
leaves beside it (``warehouse.lock``); nothing is written and the collection lock is never taken,
so a monitor polling this never delays or refuses a collection.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from warehouse.lock import read_marker
from warehouse.pages import run_log
from warehouse.publish import work_path
from warehouse.reader import DatabaseMissing, DatabaseUnreadable, cursor, open_readonly
from warehouse.schema import latest_version, schema_version

# Tables the dashboard and this report cannot do without.
REQUIRED_TABLES = ("entities", "accounts", "repos", "runs", "run_accounts")


@dataclass
class Integrity:
    opens: bool
    schema_version: int | None = None
    expected_version: int | None = None
    last_publish_complete: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class StatusReport:
    db: str
    checked_at: str
    integrity: Integrity
    running: dict[str, Any] | None = None
    accounts: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    rate_budget: list[dict[str, Any]] = field(default_factory=list)
    max_age_hours: float | None = None
    stale: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["integrity"]["ok"] = self.integrity.ok
        return data


class NoWarehouse(Exception):
    """Nothing to report on: no file, or not a DuckDB warehouse; the message says what to do."""


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: NaN and NaT become None, numpy numbers Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return _iso(value)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a zombie counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _running(db: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The collection running now, or the problem a run that ended without publishing left."""
    marker = read_marker(db)
    if marker is None:
        if work_path(db).exists():
            return None, (f"a working copy {work_path(db).name} is left without a run marker: a collection "
                          "stopped before publishing; the published snapshot is intact and the next "
                          "`ossdash collect` removes it")
        return None, None
    if pid_alive(marker.pid):
        return {"run_id": marker.run_id, "started_at": marker.started_at, "pid": marker.pid}, None
    why = f" ({marker.reason})" if marker.reason else ""
    return None, (f"the last run ({marker.run_id}, started {marker.started_at}, process {marker.pid}) ended "
                  f"without publishing{why}; the published snapshot is the one before it, and the next "
                  "`ossdash collect` records that run and collects again")


def build_report(db: str | os.PathLike[str], max_age_hours: float | None = None, last_runs: int = 5,
                 now: datetime | None = None) -> StatusReport:
    """Read the warehouse at ``db`` and say how it stands; NoWarehouse when there is none."""
    path = Path(db)
    end = now or datetime.now(UTC)
    try:
        con = open_readonly(path)
    except DatabaseMissing:
        running, _ = _running(path)
        if running:
            raise NoWarehouse(f"no warehouse published at {path} yet: the first collection is running now "
                              f"(run {running['run_id']} since {running['started_at']})") from None
        raise NoWarehouse(f"no warehouse at {path}; run `ossdash collect` (or `ossdash demo`) first, "
                          "or name the file with --db or OSSDASH_DB") from None
    except DatabaseUnreadable as exc:
        raise NoWarehouse(f"{str(exc).splitlines()[0]}; is --db the published file?") from None
    running, leftover = _running(path)
    try:
        cur = cursor(con)
        integrity = _integrity(cur, leftover)
        report = StatusReport(str(path), _iso(end), integrity, running=running, max_age_hours=max_age_hours)
        if not any(p.startswith("missing table") for p in integrity.problems):
            _fill(cur, report, end, max_age_hours, last_runs)
    finally:
        con.close()
    return report


def _integrity(cur, leftover: str | None) -> Integrity:
    expected = latest_version()
    found = schema_version(cur)
    integrity = Integrity(opens=True, schema_version=found, expected_version=expected)
    if found is None:
        integrity.problems.append("the file has no schema version: it was not written by `ossdash collect`")
    elif found < expected:
        integrity.problems.append(f"schema version {found} is older than this ossdash's {expected}; "
                                  "the next `ossdash collect` migrates it")
    elif found > expected:
        integrity.problems.append(f"schema version {found} is newer than this ossdash's {expected}; "
                                  "upgrade ossdash to read it")
    tables = {r[0] for r in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = current_schema()").fetchall()}
    for table in REQUIRED_TABLES:
        if table not in tables:
            integrity.problems.append(f"missing table {table}")
    if "runs" in tables:
        unsettled = cur.execute("SELECT run_id FROM runs WHERE status = 'running' ORDER BY run_id").fetchall()
        if unsettled:
            integrity.last_publish_complete = False
            ids = ", ".join(str(r[0]) for r in unsettled)
            integrity.problems.append(f"the published snapshot holds run {ids} as still running: it was "
                                      "published unfinished")
    if leftover:
        integrity.last_publish_complete = False
        integrity.problems.append(leftover)
    return integrity


def _fill(cur, report: StatusReport, end: datetime, max_age_hours: float | None, last_runs: int) -> None:
    fresh = run_log.account_freshness(cur, now=end)
    for row in fresh.itertuples(index=False):
        hours = None if pd.isna(row.age_days) else float(row.age_days) * 24.0
        stale = bool(row.stale) if max_age_hours is None else (hours is None or hours > max_age_hours)
        age_hours = None if hours is None else round(hours, 4)
        account = {
            "forge": row.forge, "host": row.host, "owner": row.owner, "entity_id": row.entity_id,
            "last_success_at": _iso(row.last_success_at), "age_hours": age_hours,
            "last_run_id": _plain(row.last_run_id), "last_status": _plain(row.last_status),
            "last_error": _plain(row.last_error), "stale": stale,
        }
        report.accounts.append(account)
        if max_age_hours is not None and stale:
            report.stale.append(f"{row.forge} {row.host} {row.owner}")
    runs = run_log.runs(cur, now=end).head(max(last_runs, 0))
    errors = run_log.run_errors(cur, now=end)
    for row in runs.itertuples(index=False):
        mine = errors[errors["run_id"] == row.run_id]
        report.runs.append({
            "run_id": int(row.run_id), "started_at": _iso(row.started_at), "finished_at": _iso(row.finished_at),
            "status": row.status, "duration_s": _plain(row.duration_s), "accounts": int(row.accounts),
            "accounts_failed": int(row.accounts_failed), "accounts_unfinished": int(row.accounts_unfinished),
            "repos_seen": int(row.repos_seen), "new_commits": int(row.new_commits), "requests": int(row.requests),
            "not_modified": int(row.not_modified), "errors": int(row.errors), "warnings": int(row.warnings),
            "note": _plain(row.note),
            "messages": [
                {"forge": m.forge, "host": m.host, "owner": m.owner, "severity": m.severity,
                 "category": m.category, "message": m.message}
                for m in mine.itertuples(index=False)
            ],
        })
    report.rate_budget = _rate_budget(run_log.rate_limit_use(cur, now=end))


def _rate_budget(use: pd.DataFrame) -> list[dict[str, Any]]:
    """Per forge and host, the budget left when its latest account in the latest run finished."""
    known = use.dropna(subset=["rate_remaining"])
    budget = []
    for (forge, host), rows in known.groupby(["forge", "host"], sort=True):
        latest = rows[rows["run_id"] == rows["run_id"].max()]
        lowest = latest.loc[latest["rate_remaining"].idxmin()]
        budget.append({
            "forge": forge, "host": host, "run_id": int(lowest["run_id"]),
            "remaining": int(lowest["rate_remaining"]),
            "limit": None if pd.isna(lowest["rate_limit"]) else int(lowest["rate_limit"]),
            "used_share": _plain(lowest["budget_used_share"]),
        })
    return budget


__all__ = ["REQUIRED_TABLES", "Integrity", "NoWarehouse", "StatusReport", "build_report", "pid_alive"]
