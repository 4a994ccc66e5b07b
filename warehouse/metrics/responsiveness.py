"""Responsiveness (CHAOSS) of issues and change requests: Time to First Response, Change Request
Closure and Acceptance Ratios, Issue Age, Issue Resolution Duration.

Parameters and levels as in :mod:`warehouse.metrics` (``scope``, ``now``, ``days``). Issues and
change requests opened by bots are left out unless ``bot_items``.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.moments import window
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import WINDOW_DAYS

KINDS = ("issue", "change_request")


def time_to_first_response(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    bot_items: bool = False,
    combined: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Time to First Response of issues and change requests opened in the window.

    One row per group and kind (issue, change_request; with ``combined``, one row of kind 'all'
    over both). Columns: the level's columns, kind, items (opened in the window), responded
    (first response by ``now``), unanswered, median_hours and p90_hours (over responded items;
    linear interpolation; NULL when none).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    kinds = "['all']" if combined else "['issue', 'change_request']"
    sql = f"""
        WITH {sc.ctes()},
        opened AS (
            SELECT {sc.key_list('s')}, {"'all'" if combined else 'i.kind'} AS kind,
                   CASE WHEN i.first_response_at <= $now
                        THEN seconds_between(i.created_at, i.first_response_at) / 3600.0 END AS hours
            FROM {sc.items} AS i {sc.facts_join('i')}
            WHERE i.created_at >= $since AND i.created_at <= $now AND ($bot_items OR NOT i.author_is_bot)
        ),
        stats AS (
            SELECT {keys}, kind, count(*) AS items, count(hours) AS responded,
                   median(hours) AS median_hours, quantile_cont(hours, 0.9) AS p90_hours
            FROM opened GROUP BY {keys}, kind
        ),
        kinds AS (SELECT unnest({kinds}) AS kind)
        SELECT g.*, k.kind, coalesce(t.items, 0) AS items, coalesce(t.responded, 0) AS responded,
               coalesce(t.items, 0) - coalesce(t.responded, 0) AS unanswered,
               t.median_hours, t.p90_hours
        FROM groups AS g CROSS JOIN kinds AS k
        LEFT JOIN stats AS t ON {sc.join('t', 'g')} AND t.kind = k.kind
        ORDER BY {sc.order()}, k.kind DESC
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days), "bot_items": bool(bot_items)})
    return int_columns(df, ["items", "responded", "unanswered"])


def change_request_ratios(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    bot_items: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Change Request Closure Ratio and Acceptance Ratio over the window.

    Columns: the level's columns, opened (change requests created in the window), closed
    (resolved in the window: merged or closed without merging, whenever opened), merged,
    closed_unmerged, closure_ratio (closed / opened; NULL when none opened), acceptance_ratio
    (merged / closed; NULL when none closed).
    """
    sc = scoped(con, scope)
    sql = f"""
        WITH {sc.ctes()},
        counts AS (
            SELECT {sc.key_list('s')},
                   count(*) FILTER (WHERE i.created_at >= $since AND i.created_at <= $now) AS opened,
                   count(*) FILTER (WHERE i.resolved_at >= $since AND i.resolved_at <= $now) AS closed,
                   count(*) FILTER (WHERE i.state = 'merged'
                                      AND i.resolved_at >= $since AND i.resolved_at <= $now) AS merged
            FROM {sc.items} AS i {sc.facts_join('i')}
            WHERE i.kind = 'change_request' AND ($bot_items OR NOT i.author_is_bot)
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.*, coalesce(c.opened, 0) AS opened, coalesce(c.closed, 0) AS closed,
               coalesce(c.merged, 0) AS merged, coalesce(c.closed - c.merged, 0) AS closed_unmerged,
               c.closed / nullif(c.opened, 0) AS closure_ratio,
               c.merged / nullif(c.closed, 0) AS acceptance_ratio
        FROM groups AS g LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days), "bot_items": bool(bot_items)})
    return int_columns(df, ["opened", "closed", "merged", "closed_unmerged"])


def issue_age(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    bot_items: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Issue Age: how long the issues open at ``now`` have been open.

    An issue is open at ``now`` when it was created by then and is open, or was resolved after
    ``now``. Columns: the level's columns, open_issues, median_age_days, mean_age_days,
    max_age_days (NULL without open issues).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        ages AS (
            SELECT {sc.key_list('s')}, seconds_between(i.created_at, $now::TIMESTAMPTZ) / 86400.0 AS age_days
            FROM {sc.items} AS i {sc.facts_join('i')}
            WHERE i.kind = 'issue' AND i.created_at <= $now
              AND (i.state = 'open' OR i.resolved_at > $now)
              AND ($bot_items OR NOT i.author_is_bot)
        ),
        stats AS (
            SELECT {keys}, count(*) AS open_issues, median(age_days) AS median_age_days,
                   avg(age_days) AS mean_age_days, max(age_days) AS max_age_days
            FROM ages GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.open_issues, 0) AS open_issues, t.median_age_days, t.mean_age_days,
               t.max_age_days
        FROM groups AS g LEFT JOIN stats AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, "now": moment(con, now), "bot_items": bool(bot_items)})
    return int_columns(df, ["open_issues"])


def issue_resolution_duration(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    kind: str = "issue",
    bot_items: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Issue Resolution Duration: creation to resolution, for items resolved in the window.

    ``kind`` is 'issue' (default) or 'change_request'. Columns: the level's columns, resolved,
    median_days, mean_days, p90_days (NULL when none resolved).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        durations AS (
            SELECT {sc.key_list('s')}, seconds_between(i.created_at, i.resolved_at) / 86400.0 AS days
            FROM {sc.items} AS i {sc.facts_join('i')}
            WHERE i.kind = $kind AND i.resolved_at >= $since AND i.resolved_at <= $now
              AND ($bot_items OR NOT i.author_is_bot)
        ),
        stats AS (
            SELECT {keys}, count(*) AS resolved, median(days) AS median_days, avg(days) AS mean_days,
                   quantile_cont(days, 0.9) AS p90_days
            FROM durations GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.resolved, 0) AS resolved, t.median_days, t.mean_days, t.p90_days
        FROM groups AS g LEFT JOIN stats AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days), "kind": kind, "bot_items": bool(bot_items)})
    return int_columns(df, ["resolved"])
