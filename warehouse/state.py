"""Collection state: cursors and ETags per (scope, stream), and the run log.

Scopes are an account's owner (streams ``repos``, ``members``) or a repository's path (``walk``,
``commits``, ``items``, ``forks``, ``releases``, ``root``); ``releases`` and ``root`` hold only the
ETag of their last answer.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from collectors.records import RepoRecord
from collectors.registry import Registry
from warehouse.loader import TableSpec, upsert

_TS = pa.timestamp("us", tz="UTC")
CURSORS = TableSpec(
    "cursors",
    ("forge", "host", "scope", "stream"),
    pa.schema(
        [
            ("forge", pa.string()), ("host", pa.string()), ("scope", pa.string()), ("stream", pa.string()),
            ("cursor_at", _TS), ("etag", pa.string()), ("marker", pa.string()), ("updated_at", _TS),
        ]
    ),
)


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
    return None if row is None else _cursor(*row)


def _cursor(cursor_at, etag, marker) -> Cursor:
    return Cursor(cursor_at.astimezone(UTC) if cursor_at is not None else None, etag, marker)


class StoredCursors:
    """The stored cursors of some repositories, read in one query before they are walked.

    Three lookups per repository walked (commits, items, the releases' and root's ETags) cost a
    query each before. A repository's cursors change only when that repository is walked, after
    its lookups, so reading them ahead answers the same.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, forge: str, host: str, paths: list[str]):
        self._by: dict[tuple[str, str], Cursor] = {}
        if paths:
            rows = con.execute(
                "SELECT scope, stream, cursor_at, etag, marker FROM cursors WHERE forge = ? AND host = ? "
                "AND scope IN (SELECT unnest(?::VARCHAR[]))",
                [forge, host, paths],
            ).fetchall()
            self._by = {(scope, stream): _cursor(*rest) for scope, stream, *rest in rows}

    def get(self, scope: str, stream: str) -> Cursor | None:
        return self._by.get((scope, stream))

    def etags(self, scope: str, streams: tuple[str, ...]) -> dict[str, str]:
        """The stored ETags of a repository's streams, by stream; streams without one are left out.

        An ETag is stored in the same transaction as the rows of the answer it came with, so a 304
        on it means the stored rows are that answer's.
        """
        found = {stream: self._by.get((scope, stream)) for stream in streams}
        return {stream: c.etag for stream, c in found.items() if c is not None and c.etag is not None}


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


def put_cursors(
    con: duckdb.DuckDBPyConnection, forge: str, host: str, cursors: list[tuple[str, str, Cursor]]
) -> None:
    """Store many cursors with one statement, in the caller's transaction (a batch's flush); the
    last one queued for a (scope, stream) wins."""
    if not cursors:
        return
    now = datetime.now(UTC)
    ts = pa.timestamp("us", tz="UTC")
    table = pa.Table.from_arrays(
        [
            pa.array([forge] * len(cursors), type=pa.string()),
            pa.array([host] * len(cursors), type=pa.string()),
            pa.array([c[0] for c in cursors], type=pa.string()),
            pa.array([c[1] for c in cursors], type=pa.string()),
            pa.array([c[2].cursor_at for c in cursors], type=ts),
            pa.array([c[2].etag for c in cursors], type=pa.string()),
            pa.array([c[2].marker for c in cursors], type=pa.string()),
            pa.array([now] * len(cursors), type=ts),
        ],
        schema=CURSORS.schema,
    )
    upsert(con, CURSORS, table, count_new=False, held=True)


def forget_etag(con: duckdb.DuckDBPyConnection, forge: str, host: str, scope: str, stream: str) -> None:
    """Drop a stream's stored ETag at once, so that its next request is unconditional.

    Safe outside any batch: without an ETag nothing can be skipped, only asked again.
    """
    con.execute(
        "UPDATE cursors SET etag = NULL, updated_at = now() WHERE forge = ? AND host = ? AND scope = ? AND stream = ?",
        [forge, host, scope, stream],
    )


@dataclass(frozen=True)
class StoredRepo:
    repo: RepoRecord
    walk_marker: str | None
    forks_marker: str | None
    items_cursor: bool
    forks_etag: str | None = None


def repo_state(con: duckdb.DuckDBPyConnection, forge: str, host: str, owner: str) -> dict[str, StoredRepo]:
    """An account's stored repositories with the markers seen when each stream was last collected."""
    return {stored.repo.path: stored for _, stored in stored_repos(con, forge, host, owner)}


def stored_repos(con: duckdb.DuckDBPyConnection, forge: str, host: str, owner: str) -> list[tuple[RepoRecord, StoredRepo]]:
    columns = [f.name for f in fields(RepoRecord)]
    select = ", ".join(f"r.{c}" for c in columns)
    rows = con.execute(
        f"SELECT {select}, w.marker, f.marker, i.scope IS NOT NULL, f.etag FROM repos r "
        "LEFT JOIN cursors w ON w.forge = r.forge AND w.host = r.host AND w.scope = r.path AND w.stream = 'walk' "
        "LEFT JOIN cursors f ON f.forge = r.forge AND f.host = r.host AND f.scope = r.path AND f.stream = 'forks' "
        "LEFT JOIN cursors i ON i.forge = r.forge AND i.host = r.host AND i.scope = r.path AND i.stream = 'items' "
        "WHERE r.forge = ? AND r.host = ? AND r.account_owner = ? ORDER BY r.path",
        [forge, host, owner],
    ).fetchall()
    out = []
    for row in rows:
        values = dict(zip(columns, row[: len(columns)]))
        values["topics"] = tuple(values["topics"] or ())
        for key in ("created_at", "pushed_at", "updated_at"):
            if values[key] is not None:
                values[key] = values[key].astimezone(UTC)
        repo = RepoRecord(**values)
        walk, forks, has_items, forks_etag = row[len(columns):]
        out.append((repo, StoredRepo(repo, walk, forks, bool(has_items), forks_etag)))
    return out


def publiccode_state(con: duckdb.DuckDBPyConnection, forge: str, host: str,
                     repo_path: str) -> tuple[str | None, tuple[str, ...] | None]:
    """The stored publiccode.yml's blob sha and the root listing stored with it (None, None if none)."""
    row = con.execute(
        "SELECT p.blob_sha, r.files FROM publiccode p LEFT JOIN root_files r USING (forge, host, repo_path) "
        "WHERE p.forge = ? AND p.host = ? AND p.repo_path = ?", [forge, host, repo_path]
    ).fetchone()
    if not row:
        return None, None
    return row[0], None if row[1] is None else tuple(row[1])


def stored_forks(con: duckdb.DuckDBPyConnection, forge: str, host: str,
                 repo_path: str) -> set[tuple[str, str, datetime | None, datetime | None]]:
    """The stored forks of a repository: (fork_path, fork_owner, created_at, pushed_at) each."""
    return set(con.execute(
        "SELECT fork_path, fork_owner, created_at, pushed_at FROM forks "
        "WHERE forge = ? AND host = ? AND repo_path = ?", [forge, host, repo_path]).fetchall())


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
        _sync_settings(con, registry)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _sync_settings(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """The registry's [settings.*] tables, every key (defaults included): the dashboard reads only these."""
    rows = [
        ("lifecycle", key, float(value)) for key, value in registry.lifecycle.as_dict().items()
    ] + [
        ("health_weights", key, float(value)) for key, value in registry.health_weights.as_dict().items()
    ] + [
        ("badges", key, float(value)) for key, value in registry.badges.as_dict().items()
    ]
    con.execute("DELETE FROM settings")
    for row in rows:
        con.execute("INSERT INTO settings (section, key, value) VALUES (?, ?, ?)", list(row))


def start_run(con: duckdb.DuckDBPyConnection, registry_path: str, started_at: datetime | None = None) -> int:
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
    con.execute(
        "INSERT INTO runs (run_id, started_at, status, registry) VALUES (?, ?, 'running', ?)",
        [run_id, started_at or datetime.now(UTC), registry_path],
    )
    return int(run_id)


def record_unfinished(con: duckdb.DuckDBPyConnection, marker) -> bool:
    """Write a run that ended without publishing into the run log, from the marker it left.

    Its own log went with its working copy, so only what the marker says is known: when it
    started, and whether it was interrupted or failed (and why). Returns whether a row was added.
    """
    if marker is None:
        return False
    known = con.execute("SELECT 1 FROM runs WHERE run_id = ?", [marker.run_id]).fetchone()
    if known:
        return False  # published after all: the process ended between publishing and tidying up
    if marker.status == "failed" and marker.reason:
        note = f"failed before publishing: {marker.reason}"
    elif marker.reason:
        note = marker.reason
    else:
        note = (f"ended without finishing (process {marker.pid} was killed or the machine stopped); "
                "nothing it collected was published, the next run collected it again")
    con.execute(
        "INSERT INTO runs (run_id, started_at, finished_at, status, registry, note) VALUES (?, ?, NULL, ?, ?, ?)",
        [marker.run_id, marker.started(), marker.status if marker.status in ("failed", "interrupted") else "interrupted",
         marker.registry, note[:2000]],
    )
    return True


def record_account(con: duckdb.DuckDBPyConnection, run_id: int, result) -> None:
    con.execute(
        "INSERT INTO run_accounts (run_id, forge, host, owner, entity_id, status, repos_seen, repos_walked, "
        "new_commits, requests, not_modified, rate_remaining, rate_limit, error, warnings, finished_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_id, forge, host, owner) DO UPDATE SET status = excluded.status, "
        "repos_seen = excluded.repos_seen, repos_walked = excluded.repos_walked, new_commits = excluded.new_commits, "
        "requests = excluded.requests, not_modified = excluded.not_modified, rate_remaining = excluded.rate_remaining, "
        "rate_limit = excluded.rate_limit, error = excluded.error, warnings = excluded.warnings, "
        "finished_at = excluded.finished_at",
        [
            run_id, result.forge, result.host, result.owner, result.entity_id, result.status,
            result.repos_seen, result.repos_walked, result.new_commits, result.requests,
            result.not_modified, result.rate_remaining, result.rate_limit,
            "\n".join(result.errors) or None, "\n".join(result.warnings) or None, datetime.now(UTC),
        ],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, summary) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, repos_seen = ?, new_commits = ?, requests = ?, "
        "not_modified = ?, errors = ?, warnings = ?, note = ? WHERE run_id = ?",
        [
            datetime.now(UTC), summary.status, summary.repos_seen, summary.new_commits,
            summary.requests, summary.not_modified, summary.error_count, summary.warning_count,
            summary.note, run_id,
        ],
    )
