"""Collection state: cursors and ETags per (scope, stream), and the run log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from collectors.registry import Registry


@dataclass(frozen=True)
class Cursor:
    cursor_at: datetime | None = None
    etag: str | None = None
    marker: str | None = None


def get_cursor(con: duckdb.DuckDBPyConnection, forge: str, host: str, scope: str, stream: str) -> Cursor | None:
    row = con.execute(
        "SELECT cursor_at, etag, marker FROM cursors WHERE forge = ? AND host = ? AND scope = ? AND stream = ?",
        [forge, host, scope, stream],
    ).fetchone()
    if row is None:
        return None
    cursor_at = row[0].astimezone(timezone.utc) if row[0] is not None else None
    return Cursor(cursor_at, row[1], row[2])


def put_cursor(
    con: duckdb.DuckDBPyConnection, forge: str, host: str, scope: str, stream: str, cursor: Cursor
) -> None:
    con.execute(
        "INSERT INTO cursors (forge, host, scope, stream, cursor_at, etag, marker, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, now()) "
        "ON CONFLICT (forge, host, scope, stream) DO UPDATE SET cursor_at = excluded.cursor_at, "
        "etag = excluded.etag, marker = excluded.marker, updated_at = excluded.updated_at",
        [forge, host, scope, stream, cursor.cursor_at, cursor.etag, cursor.marker],
    )


def walked_markers(con: duckdb.DuckDBPyConnection, forge: str, host: str, owner: str) -> dict[str, tuple[str | None, str | None]]:
    """For an account's repositories: the activity marker seen when each was last walked, and its licence."""
    rows = con.execute(
        "SELECT r.path, c.marker, r.license_spdx FROM repos r "
        "LEFT JOIN cursors c ON c.forge = r.forge AND c.host = r.host AND c.scope = r.path AND c.stream = 'walk' "
        "WHERE r.forge = ? AND r.host = ? AND r.account_owner = ?",
        [forge, host, owner],
    ).fetchall()
    return {path: (marker, license) for path, marker, license in rows}


def sync_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Mirror the registry's entities and accounts; the warehouse is what the dashboard reads."""
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM accounts")
        con.execute("DELETE FROM entities")
        for e in registry.entities:
            con.execute(
                "INSERT INTO entities VALUES (?, ?, ?, ?, ?)",
                [e.id, e.name, e.country, e.archetype, list(e.email_domains)],
            )
            for a in e.accounts:
                con.execute(
                    "INSERT INTO accounts VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [a.forge, a.host, a.owner, e.id, a.url],
                )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def start_run(con: duckdb.DuckDBPyConnection, registry_path: str) -> int:
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, registry) VALUES (?, ?, 'running', ?)",
        [run_id, datetime.now(timezone.utc), registry_path],
    )
    return int(run_id)


def record_account(con: duckdb.DuckDBPyConnection, run_id: int, result) -> None:
    con.execute(
        "INSERT INTO run_accounts (run_id, forge, host, owner, entity_id, status, repos_seen, repos_walked, "
        "new_commits, requests, not_modified, rate_remaining, rate_limit, error, finished_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_id, forge, host, owner) DO UPDATE SET status = excluded.status, "
        "repos_seen = excluded.repos_seen, repos_walked = excluded.repos_walked, new_commits = excluded.new_commits, "
        "requests = excluded.requests, not_modified = excluded.not_modified, rate_remaining = excluded.rate_remaining, "
        "rate_limit = excluded.rate_limit, error = excluded.error, finished_at = excluded.finished_at",
        [
            run_id, result.forge, result.host, result.owner, result.entity_id, result.status,
            result.repos_seen, result.repos_walked, result.new_commits, result.requests,
            result.not_modified, result.rate_remaining, result.rate_limit,
            "\n".join(result.errors) or None, datetime.now(timezone.utc),
        ],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, summary) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, repos_seen = ?, new_commits = ?, requests = ?, "
        "not_modified = ?, errors = ? WHERE run_id = ?",
        [
            datetime.now(timezone.utc), summary.status, summary.repos_seen, summary.new_commits,
            summary.requests, summary.not_modified, summary.error_count, run_id,
        ],
    )
