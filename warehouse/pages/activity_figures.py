"""The first-cut activity figures of the overview and entity pages: commits and contributors of
each entity in the last 90 days, of any group in a period, and per month.

Without ``now``, the figures are as of the last collection (``warehouse.metrics.as_of``) while the
warehouse is as it left it, else as of the current time.
Window bounds are computed in Python, in UTC, so results do not depend on the session time zone.

Definitions of the 90-day figures (``entity_overview``, ``entity_repos``):

- Window: the ``ACTIVITY_DAYS`` days up to ``now``: ``now - 90 days <= committed_at <= now``.
- Contributor identity: ``lower(author_email)`` when present, else ``author_login``. Commits
  with neither are counted as commits but not as a contributor.
- Bots (excluded from contributor counts, not from commit counts): login or name ending in
  ``[bot]``, or an e-mail containing ``[bot]`` (GitHub app commits use
  ``123+name[bot]@users.noreply.github.com``).
- Last activity: the latest of any commit's ``committed_at`` and the repositories' ``pushed_at``.

``period_activity`` counts people as the metrics do (persons resolved by the identity rebuild).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from warehouse import metrics
from warehouse.metrics import Scope
from warehouse.metrics.facts import commit_count
from warehouse.metrics.frames import frame
from warehouse.metrics.moments import month_start
from warehouse.metrics.results import moment
from warehouse.metrics.scope import scoped

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


def _window(end: datetime) -> dict[str, datetime]:
    return {"since": end - timedelta(days=ACTIVITY_DAYS), "now": end}


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
    return frame(con, sql, _window(moment(con, now)))


def entity_repos(
    con: duckdb.DuckDBPyConnection, entity_id: str, now: datetime | None = None
) -> pd.DataFrame:
    """The entity's repositories, busiest first.

    Columns: forge, host, path, name, description, html_url, archived, license, stars,
    commits_90d, active_contributors_90d, last_activity.
    """
    sql = f"""
        WITH mine AS (SELECT * FROM repos WHERE entity_id = $entity_id),
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
        SELECT r.forge, r.host, r.path, r.name, r.description, r.html_url, r.archived,
               r.license_spdx AS license, r.stars,
               coalesce(a.commits_90d, 0)::BIGINT AS commits_90d,
               coalesce(p.active_contributors_90d, 0)::BIGINT AS active_contributors_90d,
               greatest(a.last_commit_at, r.pushed_at) AS last_activity
        FROM mine AS r
        LEFT JOIN activity AS a
          ON a.forge = r.forge AND a.host = r.host AND a.repo_path = r.path
        LEFT JOIN people AS p
          ON p.forge = r.forge AND p.host = r.host AND p.repo_path = r.path
        ORDER BY commits_90d DESC, last_activity DESC NULLS LAST, r.forge, r.host, r.path
    """
    return frame(con, sql, {**_window(moment(con, now)), "entity_id": entity_id})


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
    end = moment(con, now)
    months = max(1, min(int(months), MAX_MONTHS))
    params: dict[str, Any] = {
        "start": month_start(end, months - 1),
        "now": end,
        "first_month": month_start(end, months - 1).replace(tzinfo=None),
        "last_month": month_start(end).replace(tzinfo=None),
        "max_entities": MAX_CHART_POINTS // months,
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
    return frame(con, sql, params)


def period_activity(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("ecosystem"),
    *,
    days: float = metrics.WINDOW_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Commits and active contributors in the window ``now - days <= committed_at <= now``.

    ``scope``'s level: repo, entity, archetype, country or ecosystem (one row, scope = 'ecosystem'). Every
    group with a repository in scope is listed, zeros included. Columns: the level's key
    columns (forge, host, path | entity_id | archetype | country | scope), repos (in scope),
    commits (distinct SHAs, bots included: a commit in two repositories of the group, a mirror
    or a fork, counts once), active_contributors (distinct people who are not bots with a commit
    in the window, as resolved by the identity rebuild), last_commit_at (latest commit up to
    ``now``, whenever).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    end = moment(con, now)
    sql = f"""
        WITH {sc.ctes()},
        repo_counts AS (SELECT {keys}, count(*) AS repos FROM scope GROUP BY {keys}),
        facts AS (
            SELECT {sc.key_list('s')}, f.sha, f.shared, f.person_id, f.is_bot, f.committed_at
            FROM {sc.commits} AS f {sc.facts_join('f')}
            WHERE f.committed_at <= $now
        ),
        counts AS (
            SELECT {keys},
                   {commit_count('committed_at >= $since')} AS commits,
                   count(DISTINCT CASE WHEN committed_at >= $since AND NOT is_bot THEN person_id END)
                       AS active_contributors,
                   max(committed_at) AS last_commit_at
            FROM facts GROUP BY {keys}
        )
        SELECT {sc.key_list('g')}, g.repos::BIGINT AS repos,
               coalesce(c.commits, 0)::BIGINT AS commits,
               coalesce(c.active_contributors, 0)::BIGINT AS active_contributors,
               c.last_commit_at
        FROM repo_counts AS g LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        ORDER BY {sc.order()}
    """
    return frame(con, sql, {**sc.params, "now": end, "since": end - timedelta(days=float(days))})
