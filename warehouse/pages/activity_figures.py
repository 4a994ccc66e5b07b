"""The first-cut activity figures of the overview and entity pages: commits and contributors of
each entity in the last 90 days, of any group in a period, and per month.

Without ``now``, the figures are as of the last collection (``warehouse.metrics.as_of``) while the
warehouse is as it left it, else as of the current time.
Window bounds are computed in Python, in UTC, so results do not depend on the session time zone.

Definitions of the 90-day figures (``entity_overview``, ``entity_repos``):

- Window: the ``ACTIVITY_DAYS`` days up to ``now``: ``now - 90 days <= committed_at <= now``.
- Commits: every collected commit of the entity's repositories (a commit in two of them counts
  twice here; ``period_activity`` counts it once).
- Contributors: persons as the metrics resolve them (the identity rebuild: one person across
  e-mail addresses, logins and aliases), bots left out; a commit without a known author counts
  as a commit, not as a contributor.
- Last activity: the latest commit and push (the forge's ``pushed_at``) up to ``now``.

All read the materialised commit facts (``warehouse.metrics.facts``), as the metrics do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from warehouse import metrics
from warehouse.metrics import Scope
from warehouse.metrics.facts import commit_count, sources
from warehouse.metrics.frames import frame
from warehouse.metrics.moments import month_start
from warehouse.metrics.results import moment
from warehouse.metrics.scope import scoped

ACTIVITY_DAYS = 90
# A chart past a few thousand marks is slow to draw and unreadable; Vega-Lite also embeds every
# point in the page.
MAX_CHART_POINTS = 5000
MAX_MONTHS = 120

_IN_WINDOW = "f.committed_at >= $since AND f.committed_at <= $now"


def _window(end: datetime) -> dict[str, datetime]:
    return {"since": end - timedelta(days=ACTIVITY_DAYS), "now": end}


def entity_overview(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> pd.DataFrame:
    """One row per entity, entities without repositories included with zeros.

    Columns: entity_id, name, country, archetype, repos, commits_90d, active_contributors_90d,
    last_activity (UTC, NaT when nothing is known).
    """
    sql = f"""
        WITH per_entity AS (
            SELECT f.entity_id,
                   count(*) FILTER (WHERE {_IN_WINDOW}) AS commits_90d,
                   count(DISTINCT CASE WHEN {_IN_WINDOW} AND NOT f.is_bot THEN f.person_id END)
                       AS active_contributors_90d,
                   max(f.committed_at) FILTER (WHERE f.committed_at <= $now) AS last_commit_at
            FROM {sources(con).commits} AS f
            GROUP BY f.entity_id
        ),
        repo_counts AS (
            SELECT entity_id, count(*) AS repos,
                   max(pushed_at) FILTER (WHERE pushed_at <= $now) AS last_push_at
            FROM repos GROUP BY entity_id
        )
        SELECT e.entity_id, e.name, e.country, e.archetype,
               coalesce(r.repos, 0)::BIGINT AS repos,
               coalesce(p.commits_90d, 0)::BIGINT AS commits_90d,
               coalesce(p.active_contributors_90d, 0)::BIGINT AS active_contributors_90d,
               greatest(p.last_commit_at, r.last_push_at) AS last_activity
        FROM entities AS e
        LEFT JOIN per_entity AS p USING (entity_id)
        LEFT JOIN repo_counts AS r USING (entity_id)
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
        activity AS (
            SELECT f.forge, f.host, f.repo_path,
                   count(*) FILTER (WHERE {_IN_WINDOW}) AS commits_90d,
                   count(DISTINCT CASE WHEN {_IN_WINDOW} AND NOT f.is_bot THEN f.person_id END)
                       AS active_contributors_90d,
                   max(f.committed_at) FILTER (WHERE f.committed_at <= $now) AS last_commit_at
            FROM {sources(con).commits} AS f
            WHERE f.entity_id = $entity_id
            GROUP BY ALL
        )
        SELECT r.forge, r.host, r.path, r.name, r.description, r.html_url, r.archived,
               r.license_spdx AS license, r.stars,
               coalesce(a.commits_90d, 0)::BIGINT AS commits_90d,
               coalesce(a.active_contributors_90d, 0)::BIGINT AS active_contributors_90d,
               greatest(a.last_commit_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END) AS last_activity
        FROM mine AS r
        LEFT JOIN activity AS a
          ON a.forge = r.forge AND a.host = r.host AND a.repo_path = r.path
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
    sql = f"""
        WITH counts AS (
            SELECT f.entity_id, f.month, count(*) AS commits
            FROM {sources(con).commits} AS f
            WHERE f.committed_at >= $start AND f.committed_at <= $now
              AND ($entity_id IS NULL OR f.entity_id = $entity_id)
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
