"""Activity (CHAOSS): commits, active and new contributors per month or over a window; last activity.

Parameters and levels as in :mod:`warehouse.metrics` (``scope``, ``now``, ``days``).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.metrics.facts import commit_count
from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.moments import month_start, window
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import WINDOW_DAYS


def activity_per_month(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("entity"),
    *,
    months: int = 12,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Commits, active contributors and new contributors per UTC calendar month.

    The last ``months`` months up to ``now``, the current (partial) one included; every month is
    present for every group in scope. Columns: the level's columns, month (naive UTC timestamp of
    the month's first day), commits (bots included; distinct SHAs above the repository level),
    active_contributors (distinct non-bot authors with a commit that month), new_contributors
    (non-bot authors whose first commit in the group, ever, falls in that month).
    """
    sc = scoped(con, scope)
    months = max(1, int(months))
    end = moment(con, now)
    params = {
        **sc.params,
        "now": end,
        "start": month_start(end, months - 1),
        "first_month": month_start(end, months - 1).replace(tzinfo=None),
        "last_month": month_start(end).replace(tzinfo=None),
    }
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        facts AS (
            SELECT {sc.key_list('s')}, f.sha, f.shared, f.month, f.person_id, f.is_bot, f.committed_at
            FROM {sc.commits} AS f {sc.facts_join('f')}
            WHERE f.committed_at <= $now
        ),
        counts AS (
            SELECT {keys}, month, {commit_count()} AS commits,
                   count(DISTINCT person_id) FILTER (WHERE NOT is_bot) AS active_contributors
            FROM facts WHERE committed_at >= $start
            GROUP BY {keys}, month
        ),
        firsts AS (
            SELECT {keys}, person_id, min(month) AS month
            FROM facts WHERE NOT is_bot AND person_id IS NOT NULL
            GROUP BY {keys}, person_id
        ),
        newcomers AS (
            SELECT {keys}, month, count(*) AS new_contributors
            FROM firsts WHERE month >= $first_month
            GROUP BY {keys}, month
        ),
        months AS (
            SELECT unnest(generate_series($first_month::TIMESTAMP, $last_month::TIMESTAMP,
                                          INTERVAL 1 MONTH)) AS month
        )
        SELECT g.*, m.month,
               coalesce(c.commits, 0) AS commits,
               coalesce(c.active_contributors, 0) AS active_contributors,
               coalesce(n.new_contributors, 0) AS new_contributors
        FROM groups AS g CROSS JOIN months AS m
        LEFT JOIN counts AS c ON {sc.join('c', 'g')} AND c.month = m.month
        LEFT JOIN newcomers AS n ON {sc.join('n', 'g')} AND n.month = m.month
        ORDER BY {sc.order()}, m.month
    """
    df = frame(con, sql, params)
    return int_columns(df, ["commits", "active_contributors", "new_contributors"])


def last_activity(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The latest activity of each kind per repository, up to ``now``.

    Columns: forge, host, path, entity_id, html_url, last_commit_at, last_item_at (opened or
    closed), last_comment_at, last_release_at, last_push_at (the forge's pushed_at),
    last_activity_at (latest of all these, bots included), last_human_activity_at (latest commit,
    item opened, comment or release not by a bot; closing and pushes have no known actor and are
    left out), days_since_activity (from last_activity_at).
    """
    sc = scoped(con, scope.at("repo"))
    sql = f"""
        WITH {sc.ctes()},
        ev AS (
            SELECT {sc.key_list('s')},
                   max(a.event_at) FILTER (WHERE a.event = 'commit') AS last_commit_at,
                   max(a.event_at) FILTER (WHERE a.event IN ('item_opened', 'item_closed')) AS last_item_at,
                   max(a.event_at) FILTER (WHERE a.event = 'comment') AS last_comment_at,
                   max(a.event_at) FILTER (WHERE a.event = 'release') AS last_release_at,
                   max(a.event_at) FILTER (WHERE a.is_bot = false) AS last_human_activity_at,
                   max(a.event_at) AS last_event_at
            FROM {sc.events} AS a {sc.facts_join('a')}
            WHERE a.event_at <= $now
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.*, ev.last_commit_at, ev.last_item_at, ev.last_comment_at, ev.last_release_at,
               CASE WHEN r.pushed_at <= $now THEN r.pushed_at END AS last_push_at,
               greatest(ev.last_event_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END) AS last_activity_at,
               ev.last_human_activity_at,
               seconds_between(greatest(ev.last_event_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END),
                               $now::TIMESTAMPTZ) / 86400.0 AS days_since_activity
        FROM groups AS g
        JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
        LEFT JOIN ev ON {sc.join('ev', 'g')}
        ORDER BY {sc.order()}
    """
    return frame(con, sql, {**sc.params, "now": moment(con, now)})


def activity_totals(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("entity"),
    *,
    days: float = WINDOW_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Commits and contributors over the window (not per month).

    Columns: the level's columns, commits (distinct SHAs in the window, bots included),
    active_contributors (non-bot persons with a commit in the window), new_contributors (non-bot
    persons whose first commit in the group, ever, falls in the window).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        facts AS (
            SELECT {sc.key_list('s')}, f.sha, f.shared, f.person_id, f.is_bot, f.committed_at
            FROM {sc.commits} AS f {sc.facts_join('f')}
            WHERE f.committed_at <= $now
        ),
        counts AS (
            SELECT {keys}, {commit_count()} AS commits,
                   count(DISTINCT person_id) FILTER (WHERE NOT is_bot) AS active_contributors
            FROM facts WHERE committed_at >= $since
            GROUP BY {keys}
        ),
        firsts AS (
            SELECT {keys}, person_id, min(committed_at) AS first_at
            FROM facts WHERE NOT is_bot AND person_id IS NOT NULL
            GROUP BY {keys}, person_id
        ),
        newcomers AS (
            SELECT {keys}, count(*) AS new_contributors FROM firsts WHERE first_at >= $since GROUP BY {keys}
        )
        SELECT g.*, coalesce(c.commits, 0) AS commits,
               coalesce(c.active_contributors, 0) AS active_contributors,
               coalesce(n.new_contributors, 0) AS new_contributors
        FROM groups AS g
        LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        LEFT JOIN newcomers AS n ON {sc.join('n', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days)})
    return int_columns(df, ["commits", "active_contributors", "new_contributors"])
