"""Shared pieces of the reliability tests (fault matrix, crash recovery, reading while collecting):
reading a warehouse row by row with the simulator's port masked, comparing it with a clean run,
running `ossdash collect` as a real process, and recording the figures docs/reliability.md quotes.

The compared tables and the fast collector options are test_resilience's, so every reliability
test holds the warehouse to the same definition of "exactly the warehouse of a clean run".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.test_resilience import COMPARED, FAST
from warehouse import reader

__all__ = [
    "ACCOUNT_SCOPED", "ARTIFACTS", "COMPARED", "FAST", "Collector", "Figures", "account_rows",
    "differences", "read_run_log", "read_warehouse", "tokens_in_warehouse",
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "reliability"

# The column naming the account (or the account's repository) each per-account table's rows
# belong to; the row's forge is always its first column.
ACCOUNT_SCOPED = {
    "repos": "path",
    "commits": "repo_path",
    "items": "repo_path",
    "comments": "repo_path",
    "releases": "repo_path",
    "forks": "repo_path",
    "root_files": "repo_path",
    "publiccode": "repo_path",
    "members": "account_owner",
    "cursors": "scope",
}


def _mask(value, netloc: str):
    return value.replace(netloc, "SIMULATOR") if isinstance(value, str) else value


def read_warehouse(db_path, base_url: str, tables: dict[str, str] = COMPARED) -> dict[str, tuple[list[str], list]]:
    """Every row of ``tables`` as ``{table: (columns, sorted rows)}``, the simulator's address
    masked (two simulators listen on different ports and the warehouse keys carry the host).

    Opened as the dashboard opens it (read-only, its own instance), so it also works while a
    collection is publishing next to it."""
    netloc = base_url.split("//", 1)[1]
    con = reader.open_readonly(db_path)
    try:
        out = {}
        for table, cols in tables.items():
            cur = con.execute(f"SELECT {cols} FROM {table}")
            columns = [d[0] for d in cur.description]
            rows = [tuple(_mask(v, netloc) for v in row) for row in cur.fetchall()]
            out[table] = (columns, sorted(rows, key=repr))
        return out
    finally:
        con.close()


def differences(got: dict, want: dict, tables=None, sample: int = 3) -> list[str]:
    """One line per table whose rows differ: how many rows each side lacks, with a few of them.
    Rows are compared as sorted lists, so a duplicated row is a difference too."""
    out = []
    for table in tables or want:
        got_rows, want_rows = got[table][1], want[table][1]
        if got_rows == want_rows:
            continue
        extra = _minus(got_rows, want_rows)
        missing = _minus(want_rows, got_rows)
        out.append(
            f"{table}: {len(missing)} rows missing, {len(extra)} extra "
            f"(missing e.g. {missing[:sample]!r}; extra e.g. {extra[:sample]!r})"
        )
    return out


def _minus(rows: list, other: list) -> list:
    # A multiset difference: duplicates count.
    left = {}
    for row in other:
        left[repr(row)] = left.get(repr(row), 0) + 1
    out = []
    for row in rows:
        key = repr(row)
        if left.get(key):
            left[key] -= 1
        else:
            out.append(row)
    return out


def account_rows(warehouse: dict, forge: str, owner: str) -> dict[str, list]:
    """The rows of the per-account tables that belong to one registry account."""
    owner = owner.strip("/").lower()
    out = {}
    for table, column in ACCOUNT_SCOPED.items():
        if table not in warehouse:
            continue
        columns, rows = warehouse[table]
        at = columns.index(column)
        out[table] = [
            row for row in rows
            if row[0] == forge and isinstance(row[at], str)
            and (row[at].lower() == owner or row[at].lower().startswith(owner + "/"))
        ]
    return out


def read_run_log(db_path) -> tuple[list[dict], list[dict]]:
    """(runs, run_accounts) of a warehouse, as dicts, oldest first."""
    con = reader.open_readonly(db_path)
    try:
        def rows(sql):
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

        return (
            rows("SELECT * FROM runs ORDER BY run_id"),
            rows("SELECT * FROM run_accounts ORDER BY run_id, forge, owner"),
        )
    finally:
        con.close()


def tokens_in_warehouse(db_path, tokens) -> list[str]:
    """The tables of a warehouse in which any of ``tokens`` appears, in any column."""
    tokens = [t for t in tokens if t]
    con = reader.open_readonly(db_path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
        ).fetchall()]
        found = []
        for table in tables:
            text = repr(con.execute(f'SELECT * FROM "{table}"').fetchall())
            if any(token in text for token in tokens):
                found.append(table)
        return found
    finally:
        con.close()


# --------------------------------------------------------------------------- the real CLI


def cli_env() -> dict[str, str]:
    """The environment of `ossdash` run from this virtualenv, without any forge token."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def collect_command(registry: Path, db: Path, timeout: float = 2, max_rate_wait: float = 2) -> list[str]:
    return [
        sys.executable, "-m", "dashboard.cli", "collect", "--config", str(registry), "--db", str(db),
        "--timeout", str(timeout), "--max-rate-wait", str(max_rate_wait),
    ]


class Collector:
    """``ossdash collect`` as a child process whose stderr lines are read as they come.

    ``wait_for(text)`` returns once a line containing ``text`` was printed (or the process
    ended); ``kill()`` sends SIGKILL, as an out-of-memory killer or a power cut would."""

    def __init__(self, registry: Path, db: Path, **options):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            collect_command(registry, db, **options), cwd=ROOT, env=cli_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1,
        )
        self.lines: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def seen(self, text: str) -> float | None:
        """When a line containing ``text`` was read, if one was."""
        with self._changed:
            return next((at for at, line in self.lines if text in line), None)

    def wait_for(self, text: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                at = next((at for at, line in self.lines if text in line), None)
                if at is not None or not self._reader.is_alive() or time.monotonic() >= deadline:
                    return at
                self._changed.wait(min(0.05, max(0.0, deadline - time.monotonic())))

    def kill(self) -> int:
        self.proc.kill()
        return self.wait(10)

    def wait(self, timeout: float) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def stderr(self) -> str:
        with self._changed:
            return "\n".join(line for _, line in self.lines)


# --------------------------------------------------------------------------- figures for the docs


class Figures:
    """Figures of one test module, printed (visible with ``-s``) and written as JSON to
    test-artifacts/reliability/<name>.json (``<name>-matrix.json`` under ``-m matrix``) when the
    module's tests are done; they cover the tests that ran and passed their checks."""

    def __init__(self, name: str, config=None):
        # The default suite and `-m matrix` write separate files, so neither hides the other's.
        matrix = config is not None and "matrix" in (config.getoption("markexpr", "") or "").replace("not matrix", "")
        self.name = name + ("-matrix" if matrix else "")
        self.cases: list[dict] = []
        self.started = time.monotonic()

    def add(self, **case) -> None:
        self.cases.append(case)
        print(f"[{self.name}] " + json.dumps(case, default=str, sort_keys=True))

    def write(self, **totals) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}.json"
        body = {
            "suite": self.name,
            "cases": len(self.cases),
            "seconds": round(time.monotonic() - self.started, 1),
            **totals,
            "details": self.cases,
        }
        path.write_text(json.dumps(body, indent=2, default=str, sort_keys=True) + "\n", encoding="utf-8")
        print(f"[{self.name}] totals " + json.dumps(totals, default=str, sort_keys=True))
        return path
