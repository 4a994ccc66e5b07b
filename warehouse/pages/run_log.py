"""The collection run log, for the data status page and ``ossdash status``; and whether the
warehouse holds data at all.

What a collection records (``warehouse.state``): one row per run in ``runs`` (started, finished,
status ok | partial | failed | interrupted | running, totals of repositories, new commits,
requests, requests answered 304 Not Modified, errors, warnings, a note) and one row per account
and run in ``run_accounts`` (status ok | partial | failed | not_modified | interrupted |
not_reached | skipped, repositories listed and walked, new commits, requests, 304 answers, the
rate-limit budget left and its size when the account finished, the error messages and the
warnings, one per line). Waits for a rate limit are not recorded.

Every function takes a DuckDB connection (or cursor) and returns a pandas DataFrame; values
reach SQL only as bound parameters. ``now`` is a parameter so that ages are reproducible.
``country``, ``archetype`` and ``forge`` narrow the per-account results to the accounts of
matching entities and forges; run totals (``runs``) always cover the whole run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from warehouse.sql_frames import read_frame

# An account not collected successfully for longer than this is flagged as stale.
STALE_DAYS = 2.0
# Statuses of an account's collection that leave its data complete and current.
SUCCESS = ("ok", "not_modified")
# Error categories, in display order (see ``_CATEGORY``).
ERROR_CATEGORIES = (
    "interrupted", "unreachable", "rate_limit", "access_denied", "not_found", "transient", "malformed",
    "unreadable_value", "other",
)

# How an error message is classified: the collectors' messages say what happened in fixed words.
_CATEGORY = """
    CASE
        WHEN m.severity = 'warning' THEN 'unreadable_value'
        WHEN contains(lower(m.message), 'interrupted') THEN 'interrupted'
        WHEN contains(lower(m.message), 'cannot reach') OR contains(lower(m.message), 'could not be reached')
             THEN 'unreachable'
        WHEN contains(lower(m.message), 'rate limit') THEN 'rate_limit'
        WHEN contains(lower(m.message), 'access denied') THEN 'access_denied'
        WHEN contains(lower(m.message), 'not found') THEN 'not_found'
        WHEN contains(lower(m.message), 'malformed') OR contains(lower(m.message), 'unreadable')
             OR contains(lower(m.message), 'not valid') OR contains(lower(m.message), ' without ')
             THEN 'malformed'
        WHEN contains(lower(m.message), '5xx') OR regexp_matches(m.message, 'HTTP 5[0-9][0-9]')
             OR contains(lower(m.message), ' retries') OR contains(lower(m.message), ' attempts')
             OR contains(lower(m.message), 'timeout') OR contains(lower(m.message), 'connection')
             THEN 'transient'
        ELSE 'other'
    END
"""

_ACCOUNT_SCOPE = """
    ($country IS NULL OR e.country = $country)
    AND ($archetype IS NULL OR e.archetype = $archetype)
    AND ($forge IS NULL OR a.forge = $forge)
"""


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _since(now: datetime, days: float | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def runs(con: duckdb.DuckDBPyConnection, days: float | None = None, now: datetime | None = None) -> pd.DataFrame:
    """Collection runs, newest first; with ``days``, those started in the ``days`` before ``now``.

    Columns: run_id, started_at, finished_at (NaT while running, and for a run that ended without
    finishing), status (ok | partial | failed | interrupted | running), duration_s (seconds; NaN
    without finished_at), accounts (accounts recorded), accounts_failed (failed, or skipped because
    their host could not be reached), accounts_unfinished (interrupted, or not reached by an
    interrupted run), accounts_with_errors, repos_seen, new_commits, requests, not_modified (requests answered 304),
    not_modified_share (of requests; NaN without requests), errors, warnings (values that could not
    be read), note (what is known of an interrupted or failed run).
    """
    end = _utc(now)
    sql = """
        WITH acc AS (
            SELECT run_id, count(*) AS accounts,
                   count(*) FILTER (WHERE status IN ('failed', 'skipped')) AS accounts_failed,
                   count(*) FILTER (WHERE status IN ('interrupted', 'not_reached')) AS accounts_unfinished,
                   count(*) FILTER (WHERE error IS NOT NULL) AS accounts_with_errors
            FROM run_accounts GROUP BY run_id
        )
        SELECT r.run_id, r.started_at, r.finished_at, r.status,
               epoch(r.finished_at) - epoch(r.started_at) AS duration_s,
               coalesce(acc.accounts, 0)::BIGINT AS accounts,
               coalesce(acc.accounts_failed, 0)::BIGINT AS accounts_failed,
               coalesce(acc.accounts_unfinished, 0)::BIGINT AS accounts_unfinished,
               coalesce(acc.accounts_with_errors, 0)::BIGINT AS accounts_with_errors,
               r.repos_seen::BIGINT AS repos_seen, r.new_commits::BIGINT AS new_commits,
               r.requests::BIGINT AS requests, r.not_modified::BIGINT AS not_modified,
               r.not_modified / nullif(r.requests, 0) AS not_modified_share,
               r.errors::BIGINT AS errors, coalesce(r.warnings, 0)::BIGINT AS warnings, r.note
        FROM runs AS r LEFT JOIN acc USING (run_id)
        WHERE $since IS NULL OR r.started_at >= $since
        ORDER BY r.started_at DESC, r.run_id DESC
    """
    df = read_frame(con, sql, {"since": _since(end, days)})
    df["duration_s"] = df["duration_s"].astype("float64")
    df["not_modified_share"] = df["not_modified_share"].astype("float64")
    return df


def account_freshness(
    con: duckdb.DuckDBPyConnection,
    stale_days: float = STALE_DAYS,
    now: datetime | None = None,
    country: str | None = None,
    archetype: str | None = None,
    forge: str | None = None,
) -> pd.DataFrame:
    """Every account of the registry (as last synchronised) with its latest collection.

    Columns: forge, host, owner, entity_id, entity_name, last_success_at (the latest run in which
    the account finished ok or unchanged (304), NaT if never), last_success_run, age_days (from
    last_success_at to ``now``; NaN if never), last_attempt_at, last_run_id, last_status
    (ok | partial | failed | not_modified; None if never attempted), last_error (the last
    attempt's messages, one per line), stale (never collected successfully, or longer ago than
    ``stale_days``). Sorted stale first, then oldest success first.
    """
    end = _utc(now)
    sql = f"""
        WITH ra AS (
            SELECT ra.*, coalesce(ra.finished_at, r.finished_at, r.started_at) AS seen_at
            FROM run_accounts AS ra JOIN runs AS r USING (run_id)
        ),
        success AS (
            SELECT forge, host, owner, max(seen_at) AS last_success_at, arg_max(run_id, seen_at) AS last_success_run
            FROM ra WHERE list_contains($success, status) GROUP BY forge, host, owner
        ),
        attempt AS (
            SELECT forge, host, owner, max(seen_at) AS last_attempt_at, arg_max(run_id, seen_at) AS last_run_id,
                   arg_max(status, seen_at) AS last_status, arg_max(error, seen_at) AS last_error
            FROM ra GROUP BY forge, host, owner
        )
        SELECT a.forge, a.host, a.owner, a.entity_id, e.name AS entity_name,
               s.last_success_at, s.last_success_run,
               (epoch($now::TIMESTAMPTZ) - epoch(s.last_success_at)) / 86400.0 AS age_days,
               t.last_attempt_at, t.last_run_id, t.last_status, t.last_error,
               s.last_success_at IS NULL
                   OR s.last_success_at < $now::TIMESTAMPTZ - to_seconds($stale_s) AS stale
        FROM accounts AS a
        JOIN entities AS e ON e.entity_id = a.entity_id
        LEFT JOIN success AS s ON s.forge = a.forge AND s.host = a.host AND s.owner = a.owner
        LEFT JOIN attempt AS t ON t.forge = a.forge AND t.host = a.host AND t.owner = a.owner
        WHERE {_ACCOUNT_SCOPE}
        ORDER BY stale DESC, s.last_success_at ASC NULLS FIRST, a.forge, a.host, a.owner
    """
    params = {"now": end, "stale_s": float(stale_days) * 86400.0, "success": list(SUCCESS),
              "country": country, "archetype": archetype, "forge": forge}
    df = read_frame(con, sql, params)
    df["age_days"] = df["age_days"].astype("float64")
    df["stale"] = df["stale"].astype(bool)
    for col in ("last_success_run", "last_run_id"):
        df[col] = df[col].astype("Int64")
    return df


def run_errors(
    con: duckdb.DuckDBPyConnection,
    days: float | None = None,
    now: datetime | None = None,
    country: str | None = None,
    archetype: str | None = None,
    forge: str | None = None,
    warnings: bool = True,
) -> pd.DataFrame:
    """Every error (and, with ``warnings``, every warning) recorded for an account in a run, one
    row per message, newest run first.

    Columns: run_id, run_started_at, forge, host, owner, entity_id, entity_name, account_status
    (the account's status in that run), severity (error | warning: a value the forge sent that
    could not be read, stored as NULL or its one record left out), repo_path (the account's repository the message names,
    the longest match; None when it names none, e.g. a failure of the whole account), category
    (one of ERROR_CATEGORIES: interrupted, unreachable, rate_limit, access_denied, not_found,
    transient, malformed, unreadable_value (every warning), other),
    message. With ``days``, only runs started in the ``days`` before ``now``.
    """
    end = _utc(now)
    sql = f"""
        WITH texts AS (
            SELECT ra.*, 'error' AS severity, ra.error AS text FROM run_accounts AS ra WHERE ra.error IS NOT NULL
            UNION ALL
            SELECT ra.*, 'warning' AS severity, ra.warnings AS text FROM run_accounts AS ra
            WHERE ra.warnings IS NOT NULL AND $warnings
        ),
        lines AS (
            SELECT ra.run_id, r.started_at AS run_started_at, ra.forge, ra.host, ra.owner,
                   ra.entity_id, ra.status AS account_status, ra.severity,
                   string_split(ra.text, chr(10)) AS messages
            FROM texts AS ra JOIN runs AS r USING (run_id)
            WHERE $since IS NULL OR r.started_at >= $since
        ),
        m AS (
            SELECT l.* EXCLUDE (messages), u.message, u.position
            FROM lines AS l,
                 LATERAL (SELECT unnest(l.messages) AS message,
                                 generate_subscripts(l.messages, 1) AS position) AS u
            WHERE trim(u.message) <> ''
        ),
        named AS (
            SELECT m.run_id, m.forge, m.host, m.owner, m.severity, m.position,
                   arg_max(rp.path, length(rp.path)) AS repo_path
            FROM m JOIN repos AS rp
              ON rp.forge = m.forge AND rp.host = m.host AND rp.account_owner = m.owner
             AND contains(m.message, rp.path)
            GROUP BY ALL
        )
        SELECT m.run_id, m.run_started_at, m.forge, m.host, m.owner, m.entity_id,
               e.name AS entity_name, m.account_status, m.severity, n.repo_path, {_CATEGORY} AS category, m.message
        FROM m AS m
        LEFT JOIN named AS n USING (run_id, forge, host, owner, severity, position)
        LEFT JOIN entities AS e ON e.entity_id = m.entity_id
        WHERE ($country IS NULL OR e.country = $country)
          AND ($archetype IS NULL OR e.archetype = $archetype)
          AND ($forge IS NULL OR m.forge = $forge)
        ORDER BY m.run_started_at DESC, m.run_id DESC, m.forge, m.host, m.owner, m.severity, m.position
    """
    params = {"since": _since(end, days), "country": country, "archetype": archetype, "forge": forge,
              "warnings": bool(warnings)}
    return read_frame(con, sql, params)


def rate_limit_use(
    con: duckdb.DuckDBPyConnection,
    days: float | None = None,
    now: datetime | None = None,
    country: str | None = None,
    archetype: str | None = None,
    forge: str | None = None,
) -> pd.DataFrame:
    """Requests and rate-limit budget per run and account, newest run first.

    Columns: run_id, run_started_at, forge, host, owner, entity_id, entity_name, status,
    repos_seen, repos_walked, new_commits, requests, not_modified (answered 304, which GitHub does
    not count against the budget), not_modified_share (of requests; NaN without requests),
    rate_limit (the budget's size, as the forge reported it; NaN if it reported none),
    rate_remaining (the budget left when the account finished), budget_used_share (1 -
    remaining / limit: how much of the token's budget was spent at that moment, by this account
    and by any other work on the same token since the budget last reset), errors (messages).
    With ``days``, only runs started in the ``days`` before ``now``.
    """
    end = _utc(now)
    sql = """
        SELECT ra.run_id, r.started_at AS run_started_at, ra.forge, ra.host, ra.owner, ra.entity_id,
               e.name AS entity_name, ra.status, ra.repos_seen::BIGINT AS repos_seen,
               ra.repos_walked::BIGINT AS repos_walked, ra.new_commits::BIGINT AS new_commits,
               ra.requests::BIGINT AS requests, ra.not_modified::BIGINT AS not_modified,
               ra.not_modified / nullif(ra.requests, 0) AS not_modified_share,
               ra.rate_limit::DOUBLE AS rate_limit, ra.rate_remaining::DOUBLE AS rate_remaining,
               1 - ra.rate_remaining / nullif(ra.rate_limit, 0) AS budget_used_share,
               CASE WHEN ra.error IS NULL THEN 0
                    ELSE len(list_filter(string_split(ra.error, chr(10)), lambda x: trim(x) <> '')) END::BIGINT AS errors
        FROM run_accounts AS ra
        JOIN runs AS r USING (run_id)
        LEFT JOIN entities AS e ON e.entity_id = ra.entity_id
        WHERE ($since IS NULL OR r.started_at >= $since)
          AND ($country IS NULL OR e.country = $country)
          AND ($archetype IS NULL OR e.archetype = $archetype)
          AND ($forge IS NULL OR ra.forge = $forge)
        ORDER BY r.started_at DESC, ra.run_id DESC, ra.forge, ra.host, ra.owner
    """
    params = {"since": _since(end, days), "country": country, "archetype": archetype, "forge": forge}
    df = read_frame(con, sql, params)
    for col in ("not_modified_share", "rate_limit", "rate_remaining", "budget_used_share"):
        df[col] = df[col].astype("float64")
    return df


__all__ = [
    "ERROR_CATEGORIES",
    "STALE_DAYS",
    "SUCCESS",
    "account_freshness",
    "rate_limit_use",
    "run_errors",
    "runs",
]


# Tables whose size the demo reports; names reach SQL only from this list.
COUNTED_TABLES = ("items", "comments", "releases", "forks", "publiccode")


def table_counts(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = COUNTED_TABLES) -> dict[str, int]:
    """Rows per table, for tables of COUNTED_TABLES."""
    unknown = set(tables) - set(COUNTED_TABLES)
    if unknown:
        raise ValueError(f"not a counted table: {', '.join(sorted(unknown))}")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has its schema and at least one entity."""
    tables = con.execute(
        "SELECT count(*) FROM duckdb_tables()"
        " WHERE database_name = current_database() AND schema_name = current_schema()"
        " AND table_name = ?",
        ["entities"],
    ).fetchall()[0][0]
    if not tables:
        return False
    return con.execute("SELECT EXISTS (SELECT 1 FROM entities)").fetchall()[0][0]


def data_freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest collection run (all columns of ``runs``); empty before the first run."""
    return read_frame(con, "SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1", {})
