"""Lifecycle stage per repository (active, declining, inactive, abandoned, archived, no data), and
the repositories per stage of each group.

Thresholds: :class:`~warehouse.metrics.settings.LifecycleThresholds`, by default the registry's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pandas as pd

from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.moments import utc_week, week_start
from warehouse.metrics.results import read_results, resolve
from warehouse.metrics.scope import Scope, groups_with_repos, scoped
from warehouse.metrics.settings import LifecycleThresholds

STAGES = ("active", "declining", "inactive", "abandoned", "archived", "no_data")


def lifecycle(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Lifecycle stage per repository at ``now``.

    First match wins: archived (the forge says so); no_data (no commit and no issue or change
    request up to ``now``); abandoned (idle for ``abandoned_days`` and at least one open issue or
    change request by a person without any response); inactive (idle for ``inactive_days``);
    declining (human events in the last ``recent_days`` under ``declining_ratio`` times the
    baseline's average per ``recent_days``, the baseline being the ``baseline_days`` before);
    active. Idle time runs from the later of the last human activity and the repository's
    creation. ``thresholds``: default the registry's (:func:`stored_thresholds`).

    Columns: forge, host, path, entity_id, html_url, stage, archived, created_at,
    last_activity_at (any event or push, bots included), last_human_activity_at, idle_days,
    recent_events, baseline_events, unanswered_open_items.
    """
    end, t, results = resolve(con, now, thresholds)
    if results is not None and results.hold(end, t):
        df = read_results(con, "repo_lifecycle", LIFECYCLE_COLUMNS, scope, "m.forge, m.host, m.path")
        return int_columns(df, ["recent_events", "baseline_events", "unanswered_open_items"])
    return live_lifecycle(con, t, end, scope)


LIFECYCLE_COLUMNS = ("forge", "host", "path", "entity_id", "html_url", "stage", "archived", "created_at",
                     "last_activity_at", "last_human_activity_at", "idle_days", "recent_events",
                     "baseline_events", "unanswered_open_items")


def live_lifecycle(con: duckdb.DuckDBPyConnection, t: LifecycleThresholds, end: datetime,
                   scope: Scope) -> pd.DataFrame:
    sc = scoped(con, scope.at("repo"))
    params = {
        **sc.params,
        "now": end,
        "recent_start": end - timedelta(days=t.recent_days),
        "baseline_start": end - timedelta(days=t.recent_days + t.baseline_days),
        "ratio": float(t.declining_ratio) * t.recent_days / t.baseline_days,
        "inactive_days": float(t.inactive_days),
        "abandoned_days": float(t.abandoned_days),
    }
    for name, moment in (("now", end), ("recent", params["recent_start"]), ("baseline", params["baseline_start"])):
        week = utc_week(moment)
        params.update({f"{name}_week": week, f"{name}_from": week_start(week), f"{name}_to": week_start(week + 1)})
    sql = f"""
        WITH {sc.ctes()},
        weeks AS (
            -- The weeks before now's that no window boundary falls in, from the rollup.
            SELECT {sc.key_list('s')},
                   max(w.last_at) AS last_event_at,
                   max(w.last_human_at) AS last_human_activity_at,
                   sum(w.human_events) FILTER (WHERE w.week > $recent_week) AS recent_events,
                   sum(w.human_events) FILTER (WHERE w.week > $baseline_week AND w.week < $recent_week)
                       AS baseline_events,
                   sum(w.data_events) AS data_events
            FROM {sc.weeks} AS w JOIN scope AS s ON {sc.on('w')}
            WHERE w.week < $now_week AND w.week <> $recent_week AND w.week <> $baseline_week
            GROUP BY {sc.key_list('s')}
        ),
        edges AS (
            -- The weeks a boundary falls in (now's, the recent and the baseline window's start), event by event.
            SELECT {sc.key_list('s')},
                   max(a.event_at) AS last_event_at,
                   max(a.event_at) FILTER (WHERE a.is_bot = false) AS last_human_activity_at,
                   count(*) FILTER (WHERE a.is_bot = false AND a.event_at > $recent_start) AS recent_events,
                   count(*) FILTER (WHERE a.is_bot = false AND a.event_at > $baseline_start
                                      AND a.event_at <= $recent_start) AS baseline_events,
                   count(*) FILTER (WHERE a.event IN ('commit', 'item_opened')) AS data_events
            FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
            WHERE a.event_at <= $now
              AND ((a.event_at >= $now_from AND a.event_at < $now_to)
                   OR (a.event_at >= $recent_from AND a.event_at < $recent_to)
                   OR (a.event_at >= $baseline_from AND a.event_at < $baseline_to))
            GROUP BY {sc.key_list('s')}
        ),
        ev AS (
            SELECT {sc.key_list()}, max(last_event_at) AS last_event_at,
                   max(last_human_activity_at) AS last_human_activity_at,
                   sum(recent_events) AS recent_events, sum(baseline_events) AS baseline_events,
                   sum(data_events) AS data_events
            FROM (SELECT * FROM weeks UNION ALL BY NAME SELECT * FROM edges)
            GROUP BY {sc.key_list()}
        ),
        unanswered AS (
            SELECT {sc.key_list('s')}, count(*) AS unanswered_open_items
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.created_at <= $now AND (i.state = 'open' OR i.resolved_at > $now)
              AND NOT i.author_is_bot
              AND (i.first_response_at IS NULL OR i.first_response_at > $now)
            GROUP BY {sc.key_list('s')}
        ),
        facts AS (
            SELECT g.*, r.archived, CASE WHEN r.created_at <= $now THEN r.created_at END AS created_at,
                   greatest(ev.last_event_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END) AS last_activity_at,
                   ev.last_human_activity_at,
                   seconds_between(
                       coalesce(greatest(ev.last_human_activity_at,
                                         CASE WHEN r.created_at <= $now THEN r.created_at END),
                                ev.last_event_at),
                       $now::TIMESTAMPTZ) / 86400.0 AS idle_days,
                   coalesce(ev.recent_events, 0) AS recent_events,
                   coalesce(ev.baseline_events, 0) AS baseline_events,
                   coalesce(ev.data_events, 0) AS data_events,
                   coalesce(u.unanswered_open_items, 0) AS unanswered_open_items
            FROM groups AS g
            JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
            LEFT JOIN ev ON {sc.join('ev', 'g')}
            LEFT JOIN unanswered AS u ON {sc.join('u', 'g')}
        )
        SELECT forge, host, path, entity_id, html_url,
               CASE WHEN archived THEN 'archived'
                    WHEN data_events = 0 THEN 'no_data'
                    WHEN idle_days >= $abandoned_days AND unanswered_open_items > 0 THEN 'abandoned'
                    WHEN idle_days >= $inactive_days THEN 'inactive'
                    WHEN recent_events < $ratio * baseline_events THEN 'declining'
                    ELSE 'active' END AS stage,
               archived, created_at, last_activity_at, last_human_activity_at,
               CASE WHEN data_events > 0 THEN idle_days END AS idle_days,
               recent_events, baseline_events, unanswered_open_items
        FROM facts
        ORDER BY forge, host, path
    """
    df = frame(con, sql, params)
    return int_columns(df, ["recent_events", "baseline_events", "unanswered_open_items"])


def lifecycle_summary(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("entity"),
    *,
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Repositories per lifecycle stage and group: the level's columns, repos, one column per stage."""
    sc = scoped(con, scope)
    end, t, results = resolve(con, now, thresholds)
    if results is not None and results.hold(end, t):
        # The stored stages, joined in SQL: the same rows in the same order as the merge below.
        merged = groups_with_repos(con, sc, "repo_lifecycle", ("stage",))
    else:
        stages = live_lifecycle(con, t, end, scope)
        groups = groups_with_repos(con, sc)
        merged = groups.merge(stages[["forge", "host", "path", "stage"]].rename(
            columns={"forge": "_forge", "host": "_host", "path": "_path"}), on=["_forge", "_host", "_path"], how="left")
    counts = (
        merged.dropna(subset=["stage"]).groupby(sc.keys + ["stage"]).size().unstack(fill_value=0)
        .reindex(columns=list(STAGES), fill_value=0).reset_index()
    )
    base = merged[sc.columns].drop_duplicates()
    out = base.merge(counts, on=sc.keys, how="left")
    for stage in STAGES:
        out[stage] = out[stage].fillna(0).astype("int64")
    out.insert(len(sc.columns), "repos", out[list(STAGES)].sum(axis=1).astype("int64"))
    return out.sort_values(sc.keys).reset_index(drop=True)
