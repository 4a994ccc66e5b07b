"""Read-only query functions behind the dashboard.

Every function takes a DuckDB connection (or cursor) and returns a pandas DataFrame (or a plain
value where noted). Values only reach SQL as bound parameters (``?``, or ``$name`` where one value
is used several times); the f-strings below only assemble fixed SQL fragments. "now" is a
parameter so that windows are reproducible; window bounds are computed in Python, in UTC, so
results do not depend on the session time zone. Without it, the figures are as of the last
collection (``warehouse.metrics.as_of``) while the warehouse is as it left it, else as of the
current time; at that moment, with the default months, the answers are read from those the
collection stored (``warehouse.metrics.register_answer``).

Definitions shared by the figures below:

- Window: the ``ACTIVITY_DAYS`` days up to ``now``: ``now - 90 days <= committed_at <= now``.
- Contributor identity: ``lower(author_email)`` when present, else ``author_login``. Commits
  with neither are counted as commits but not as a contributor.
- Bots (excluded from contributor counts, not from commit counts): login or name ending in
  ``[bot]``, or an e-mail containing ``[bot]`` (GitHub app commits use
  ``123+name[bot]@users.noreply.github.com``).
- Last activity: the latest of any commit's ``committed_at`` and the repositories' ``pushed_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from warehouse import metrics

ACTIVITY_DAYS = 90
# A chart past a few thousand marks is slow to draw and unreadable; Vega-Lite also embeds every
# point in the page.
MAX_CHART_POINTS = 5000
MAX_MONTHS = 120

_IDENTITY = "coalesce(lower(nullif(c.author_email, '')), nullif(c.author_login, ''))"
_IS_BOT = (
    "(ends_with(lower(coalesce(c.author_login, '')), '[bot]')"
    " OR ends_with(lower(coalesce(c.author_name, '')), '[bot]')"
    " OR contains(lower(coalesce(c.author_email, '')), '[bot]'))"
)
_IN_WINDOW = "c.committed_at >= $since AND c.committed_at <= $now"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(now: datetime | None) -> datetime:
    if now is None:
        return utc_now()
    # A naive datetime is taken as UTC, as everywhere in the warehouse.
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _moment(con: duckdb.DuckDBPyConnection, now: datetime | None) -> datetime:
    """``now``, else the moment of the last collection while the warehouse is as it left it,
    else the current time."""
    if now is not None:
        return _as_utc(now)
    return metrics.as_of(con) or utc_now()


def _window(end: datetime) -> dict[str, datetime]:
    return {"since": end - timedelta(days=ACTIVITY_DAYS), "now": end}


def _frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> pd.DataFrame:
    # Through Arrow: DuckDB's own .df() trips pandas 3 deprecation warnings on timestamp columns.
    df = con.sql(sql, params=params).to_arrow_table().to_pandas()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.tz_convert("UTC")
    return df


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


def entities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All entities, by name: entity_id, name, country, archetype."""
    return _frame(
        con, "SELECT entity_id, name, country, archetype FROM entities ORDER BY name, entity_id"
    )


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values the dashboard's global filters can take: countries and archetypes of the
    entities, forges of the collected repositories (each sorted)."""
    def values(sql: str) -> list[str]:
        return [row[0] for row in con.execute(sql).fetchall() if row[0] is not None]

    return {
        "country": values("SELECT DISTINCT country FROM entities ORDER BY 1"),
        "archetype": values("SELECT DISTINCT archetype FROM entities ORDER BY 1"),
        "forge": values("SELECT DISTINCT forge FROM repos ORDER BY 1"),
    }


def entities_in_scope(
    con: duckdb.DuckDBPyConnection,
    country: str | None = None,
    archetype: str | None = None,
    forge: str | None = None,
) -> pd.DataFrame:
    """The entities the global filters leave, as :func:`entities`. An entity is on a forge
    through its repositories there."""
    return _frame(
        con,
        "SELECT entity_id, name, country, archetype FROM entities e"
        " WHERE ($country IS NULL OR e.country = $country)"
        " AND ($archetype IS NULL OR e.archetype = $archetype)"
        " AND ($forge IS NULL OR EXISTS (SELECT 1 FROM repos r WHERE r.entity_id = e.entity_id AND r.forge = $forge))"
        " ORDER BY name, entity_id",
        {"country": country, "archetype": archetype, "forge": forge},
    )


def entity(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, Any] | None:
    """One entity as a dict (entity_id, name, country, archetype, email_domains), or None."""
    df = _frame(
        con,
        "SELECT entity_id, name, country, archetype, email_domains"
        " FROM entities WHERE entity_id = ?",
        [entity_id],
    )
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    domains = row["email_domains"]
    row["email_domains"] = [] if domains is None else list(domains)
    return row


@metrics.stored_answers("all")
def entity_overview(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> pd.DataFrame:
    """One row per entity, entities without repositories included with zeros.

    Columns: entity_id, name, country, archetype, repos, commits_90d, active_contributors_90d,
    last_activity (UTC, NaT when nothing is known).
    """
    sql = f"""
        WITH repo_commits AS (
            -- The all-time maximum needs every commit: this scan is kept free of string work.
            SELECT c.forge, c.host, c.repo_path,
                   count(*) FILTER (WHERE {_IN_WINDOW}) AS commits_90d,
                   max(c.committed_at) AS last_commit_at
            FROM commits AS c
            GROUP BY ALL
        ),
        per_repo AS (
            SELECT r.entity_id, r.pushed_at, a.commits_90d, a.last_commit_at
            FROM repos AS r
            LEFT JOIN repo_commits AS a
              ON a.forge = r.forge AND a.host = r.host AND a.repo_path = r.path
        ),
        per_entity AS (
            SELECT entity_id, count(*) AS repos, sum(coalesce(commits_90d, 0)) AS commits_90d,
                   greatest(max(last_commit_at), max(pushed_at)) AS last_activity
            FROM per_repo GROUP BY entity_id
        ),
        -- Distinct people per entity cannot be summed from per-repo counts.
        people AS (
            SELECT r.entity_id, count(DISTINCT {_IDENTITY}) AS active_contributors_90d
            FROM commits AS c
            JOIN repos AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
            WHERE {_IN_WINDOW} AND NOT {_IS_BOT}
            GROUP BY r.entity_id
        )
        SELECT e.entity_id, e.name, e.country, e.archetype,
               coalesce(p.repos, 0)::BIGINT AS repos,
               coalesce(p.commits_90d, 0)::BIGINT AS commits_90d,
               coalesce(pp.active_contributors_90d, 0)::BIGINT AS active_contributors_90d,
               p.last_activity
        FROM entities AS e
        LEFT JOIN per_entity AS p USING (entity_id)
        LEFT JOIN people AS pp USING (entity_id)
        ORDER BY e.name, e.entity_id
    """
    return _frame(con, sql, _window(_moment(con, now)))


def entity_repos(
    con: duckdb.DuckDBPyConnection, entity_id: str, now: datetime | None = None
) -> pd.DataFrame:
    """The entity's repositories, busiest first.

    Columns: forge, host, path, name, description, html_url, archived, license, stars,
    commits_90d, active_contributors_90d, last_activity.
    """
    stored = metrics.read_answer(con, "entity_repos", "entities", now, metrics.Scope(entity_id=entity_id))
    if stored is not None:
        return stored.drop(columns="entity_id")
    return _entity_repos(con, entity_id, _moment(con, now)).drop(columns="entity_id")


def _entity_repos(con: duckdb.DuckDBPyConnection, entity_id: str | None, end: datetime) -> pd.DataFrame:
    """entity_repos with an entity_id column first; entity_id None: every entity's, one after the other."""
    sql = f"""
        WITH mine AS (SELECT * FROM repos WHERE $entity_id IS NULL OR entity_id = $entity_id),
        -- Read the entity's commits once; both aggregates below work on this small set.
        mine_commits AS MATERIALIZED (
            SELECT c.forge, c.host, c.repo_path, c.committed_at,
                   c.author_name, c.author_email, c.author_login
            FROM commits AS c
            JOIN mine AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
        ),
        activity AS (
            SELECT c.forge, c.host, c.repo_path,
                   count(*) FILTER (WHERE {_IN_WINDOW}) AS commits_90d,
                   max(c.committed_at) AS last_commit_at
            FROM mine_commits AS c GROUP BY ALL
        ),
        people AS (
            SELECT c.forge, c.host, c.repo_path,
                   count(DISTINCT {_IDENTITY}) AS active_contributors_90d
            FROM mine_commits AS c
            WHERE {_IN_WINDOW} AND NOT {_IS_BOT}
            GROUP BY ALL
        )
        SELECT r.entity_id, r.forge, r.host, r.path, r.name, r.description, r.html_url, r.archived,
               r.license_spdx AS license, r.stars,
               coalesce(a.commits_90d, 0)::BIGINT AS commits_90d,
               coalesce(p.active_contributors_90d, 0)::BIGINT AS active_contributors_90d,
               greatest(a.last_commit_at, r.pushed_at) AS last_activity
        FROM mine AS r
        LEFT JOIN activity AS a
          ON a.forge = r.forge AND a.host = r.host AND a.repo_path = r.path
        LEFT JOIN people AS p
          ON p.forge = r.forge AND p.host = r.host AND p.repo_path = r.path
        ORDER BY r.entity_id, commits_90d DESC, last_activity DESC NULLS LAST, r.forge, r.host, r.path
    """
    return _frame(con, sql, {**_window(end), "entity_id": entity_id})


metrics.register_answer("entity_repos", ["entities"], lambda con, level, end: _entity_repos(con, None, end))


def month_start(moment: datetime, months_back: int = 0) -> datetime:
    """First instant (UTC) of the month ``months_back`` months before ``moment``'s month."""
    index = moment.year * 12 + (moment.month - 1) - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def commits_per_month(
    con: duckdb.DuckDBPyConnection,
    entity_id: str | None = None,
    months: int = 36,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Commits per calendar month (UTC) for the last ``months`` months, the current one included.

    Columns: month (naive timestamp of the month's first day, UTC), entity_id, entity_name,
    commits. Every month of the range is present for each entity shown (zeros included), so a
    line never skips a quiet month. Only entities with commits in the range are shown; for all
    entities, the busiest ones are kept so that the result stays under ``MAX_CHART_POINTS`` rows.
    """
    if months == 36:
        # One entity: its rows of the answer for every entity; all: the answer as shown.
        stored = (metrics.read_answer(con, "commits_per_month", "all", now) if entity_id is None else
                  metrics.read_answer(con, "commits_per_month", "entities", now, metrics.Scope(entity_id=entity_id)))
        if stored is not None:
            return stored
    return _commits_per_month(con, entity_id, months, _moment(con, now))


def _commits_per_month(
    con: duckdb.DuckDBPyConnection, entity_id: str | None, months: int, end: datetime, limit: bool = True
) -> pd.DataFrame:
    """commits_per_month at ``end``; without ``limit``, every entity with commits, however many."""
    months = max(1, min(int(months), MAX_MONTHS))
    params: dict[str, Any] = {
        "start": month_start(end, months - 1),
        "now": end,
        "first_month": month_start(end, months - 1).replace(tzinfo=None),
        "last_month": month_start(end).replace(tzinfo=None),
        "max_entities": MAX_CHART_POINTS // months if limit else None,
        "entity_id": entity_id,
    }
    sql = """
        WITH counts AS (
            SELECT r.entity_id,
                   date_trunc('month', c.committed_at AT TIME ZONE 'UTC') AS month,
                   count(*) AS commits
            FROM commits AS c
            JOIN repos AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
            WHERE c.committed_at >= $start AND c.committed_at <= $now
              AND ($entity_id IS NULL OR r.entity_id = $entity_id)
            GROUP BY ALL
        ),
        shown AS (
            SELECT entity_id FROM counts GROUP BY entity_id
            ORDER BY sum(commits) DESC, entity_id LIMIT $max_entities
        ),
        months AS (
            SELECT unnest(generate_series($first_month::TIMESTAMP, $last_month::TIMESTAMP,
                                          INTERVAL 1 MONTH)) AS month
        )
        SELECT m.month, s.entity_id, e.name AS entity_name,
               coalesce(n.commits, 0)::BIGINT AS commits
        FROM shown AS s
        CROSS JOIN months AS m
        JOIN entities AS e ON e.entity_id = s.entity_id
        LEFT JOIN counts AS n ON n.entity_id = s.entity_id AND n.month = m.month
        ORDER BY e.name, s.entity_id, m.month
    """
    return _frame(con, sql, params)


def _stored_commits_per_month(con: duckdb.DuckDBPyConnection, level: str, end: datetime) -> pd.DataFrame:
    return _commits_per_month(con, None, 36, end, limit=level == "all")


metrics.register_answer("commits_per_month", ["all", "entities"], _stored_commits_per_month)


def data_freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest collection run (all columns of ``runs``); empty before the first run."""
    return _frame(con, "SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1")
