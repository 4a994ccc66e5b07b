"""The health score's inputs per repository: the measures each part is scored on.

:func:`health_inputs` reads them from the stored results when they hold, else computes them
(:func:`live_health_inputs`); :mod:`warehouse.metrics.health` scores them. At the stored results'
moment with another window, the inputs no window changes (stage, active periods, hygiene checks)
are read from them and only the window's are computed: counting active periods reads every event
of every repository's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pandas as pd

from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.moments import utc_week, week_start, window
from warehouse.metrics.repo_hygiene import hygiene
from warehouse.metrics.repo_lifecycle import live_lifecycle
from warehouse.metrics.results import read_results, resolve
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import WINDOW_DAYS, HealthTargets, LifecycleThresholds
from warehouse.metrics.sustainability import factor_sql


def health_inputs(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    days: float = WINDOW_DAYS,
    targets: HealthTargets = HealthTargets(),
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Every input of the health score, one row per repository (wide; see :func:`health_parts`).

    Columns: forge, host, path, entity_id, html_url, stage, archived, active_periods,
    periods_considered, items_due, items_handled, median_response_hours, absence_factor,
    participants, releases_ever, releases_in_window, checks_passed, checks.
    """
    end, t, results = resolve(con, now, thresholds)
    if results is not None and results.hold(end, t, days, targets):
        df = read_results(con, "repo_health_inputs", HEALTH_INPUT_COLUMNS, scope, "m.forge, m.host, m.path")
        return health_input_types(df)
    if results is not None and results.hold(end, t) and _periods_as_stored(targets):
        kept = read_results(con, "repo_health_inputs", ("forge", "host", "path", *WINDOW_FREE_COLUMNS), scope,
                            "m.forge, m.host, m.path")
        df = _window_inputs(con, scope, days, targets, end, with_periods=False)
        df = df.merge(kept, on=["forge", "host", "path"], how="left")
        return health_input_types(df[list(HEALTH_INPUT_COLUMNS)])
    return live_health_inputs(con, days=days, targets=targets, thresholds=t, now=end, scope=scope)


HEALTH_INPUT_COLUMNS = ("forge", "host", "path", "entity_id", "html_url", "stage", "archived", "active_periods",
                        "periods_considered", "items_due", "items_handled", "median_response_hours",
                        "absence_factor", "participants", "releases_ever", "releases_in_window",
                        "checks_passed", "checks")


# The inputs that depend on the moment, the thresholds and the targets' periods, not the window.
WINDOW_FREE_COLUMNS = ("stage", "archived", "active_periods", "periods_considered", "checks_passed", "checks")


def _periods_as_stored(targets: HealthTargets) -> bool:
    stored = HealthTargets()
    return targets.period_days == stored.period_days and targets.periods == stored.periods


def health_input_types(df: pd.DataFrame) -> pd.DataFrame:
    df = int_columns(df, ["active_periods", "periods_considered", "items_due", "items_handled",
                           "participants", "releases_ever", "releases_in_window"])
    for col in ("absence_factor", "checks_passed", "checks"):
        df[col] = df[col].astype("Int64")
    return df


def live_health_inputs(
    con: duckdb.DuckDBPyConnection,
    *,
    days: float,
    targets: HealthTargets,
    thresholds: LifecycleThresholds,
    now: datetime,
    scope: Scope,
    stages: pd.DataFrame | None = None,
    hyg: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """health_inputs computed live; ``stages`` and ``hyg``: lifecycle and hygiene already at hand."""
    df = _window_inputs(con, scope, days, targets, now, with_periods=True)
    if stages is None:
        stages = live_lifecycle(con, thresholds, now, scope)
    if hyg is None:
        hyg = hygiene(con, scope, now=now)
    df = df.merge(stages[["forge", "host", "path", "stage", "archived"]], on=["forge", "host", "path"], how="left")
    df = df.merge(hyg[["forge", "host", "path", "checks_passed", "checks"]], on=["forge", "host", "path"], how="left")
    return health_input_types(df[list(HEALTH_INPUT_COLUMNS)])


# The most periods whose set fits one HUGEINT bit mask (1 << 126 is its highest bit below the sign).
_MASK_PERIODS = 127


def _period_bit(moment: str) -> str:
    """SQL: the bit of the period ``moment`` falls in (0 the latest), 0 outside the periods looked at."""
    secs = f"seconds_between({moment}, $now::TIMESTAMPTZ)"
    return f"CASE WHEN {secs} < $periods * $period_s THEN 1::HUGEINT << floor({secs} / $period_s)::INTEGER ELSE 0 END"


def _periods_sql(sc, targets: HealthTargets) -> str:
    """The CTE ``periods``: per repository the 30-day periods counted back from now (0 the latest)
    with an event by a person among the last ``periods``, and its first such event."""
    if targets.period_days >= 7 and targets.periods <= _MASK_PERIODS:
        # The weeks before now's: the periods their first and last human event fall in (a week
        # meets at most two), as bits of one mask per week; now's week event by event. The masks'
        # union counts the distinct periods in one pass, without a row per moment.
        return f"""
        periods AS (
            SELECT {sc.key_list()}, bit_count(bit_or(bits))::BIGINT AS active_periods,
                   min(moment) AS first_event_at
            FROM (
                SELECT {sc.key_list('s')}, w.first_human_at AS moment,
                       {_period_bit('w.first_human_at')} | {_period_bit('w.last_human_at')} AS bits
                FROM {sc.weeks} AS w JOIN scope AS s ON {sc.on('w')}
                WHERE w.week < $now_week AND w.human_events > 0
                UNION ALL
                SELECT {sc.key_list('s')}, a.event_at, {_period_bit('a.event_at')}
                FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
                WHERE a.event_at <= $now AND a.is_bot = false AND a.event_at >= $now_week_from
            )
            GROUP BY {sc.key_list()}
        ),"""
    counted = "count(DISTINCT floor(secs / $period_s)) FILTER (WHERE secs < $periods * $period_s)"
    # Periods shorter than a week (a week may meet more periods than its two ends fall in), or
    # more periods than a mask holds: every event.
    return f"""
        periods AS (
            SELECT {sc.key_list()}, {counted} AS active_periods, min(moment) AS first_event_at
            FROM (SELECT {sc.key_list('s')}, a.event_at AS moment, seconds_between(a.event_at, $now::TIMESTAMPTZ) AS secs
                  FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
                  WHERE a.event_at <= $now AND a.is_bot = false)
            GROUP BY {sc.key_list()}
        ),"""


def _window_inputs(con: duckdb.DuckDBPyConnection, scope: Scope, days: float, targets: HealthTargets,
                   end: datetime, *, with_periods: bool) -> pd.DataFrame:
    """The inputs computed from the facts, per repository in scope: active_periods and
    periods_considered only ``with_periods``."""
    sc = scoped(con, scope.at("repo"))
    params = {
        **sc.params,
        **window(end, days),
        "period_s": float(targets.period_days) * 86400.0,
        "periods": int(targets.periods),
        "due_before": end - timedelta(days=targets.response_days),
        "response_s": float(targets.response_days) * 86400.0,
        "share": 0.5,
        "now_week": utc_week(end),
        "now_week_from": week_start(utc_week(end)),
    }
    periods_cte = periods_columns = periods_join = ""
    if with_periods:
        periods_cte = _periods_sql(sc, targets)
        periods_columns = """coalesce(p.active_periods, 0) AS active_periods,
               -- A young repository is judged on the periods it has existed for.
               least($periods, greatest(1, ceil(seconds_between(
                   coalesce(CASE WHEN r.created_at <= $now THEN r.created_at END, p.first_event_at),
                   $now::TIMESTAMPTZ) / $period_s)))::INTEGER AS periods_considered,"""
        periods_join = f"LEFT JOIN periods AS p ON {sc.join('p', 'g')}"
    sql = f"""
        WITH {sc.ctes()},{periods_cte}
        responsiveness AS (
            SELECT {sc.key_list('s')},
                   count(*) AS items_due,
                   count(*) FILTER (WHERE
                       (i.first_response_at <= $now
                        AND seconds_between(i.created_at, i.first_response_at) <= $response_s)
                       OR (i.resolved_at <= $now
                           AND seconds_between(i.created_at, i.resolved_at) <= $response_s)) AS items_handled,
                   median(CASE WHEN i.first_response_at <= $now
                               THEN seconds_between(i.created_at, i.first_response_at) / 3600.0 END)
                       AS median_response_hours
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.created_at >= $since AND i.created_at <= $due_before AND NOT i.author_is_bot
            GROUP BY {sc.key_list('s')}
        ),
        per_person AS (
            SELECT {sc.key_list('s')}, f.person_id, count(*) AS commits
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at >= $since AND f.committed_at <= $now
              AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}, f.person_id
        ),
        sustainability AS ({factor_sql('forge, host, path', 'person_id')}),
        community AS (
            SELECT {sc.key_list('s')}, count(DISTINCT a.person_id) AS participants
            FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
            WHERE a.event_at >= $since AND a.event_at <= $now AND a.is_bot = false AND a.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}
        ),
        rel AS (
            SELECT {sc.key_list('s')}, count(*) AS releases_ever,
                   count(*) FILTER (WHERE r.published_at >= $since) AS releases_in_window
            FROM releases AS r JOIN scope AS s ON {sc.on('r', entity=False)}
            WHERE r.published_at <= $now AND NOT r.prerelease
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.*, {periods_columns}
               coalesce(q.items_due, 0) AS items_due, coalesce(q.items_handled, 0) AS items_handled,
               q.median_response_hours,
               su.factor AS absence_factor,
               coalesce(c.participants, 0) AS participants,
               coalesce(rl.releases_ever, 0) AS releases_ever,
               coalesce(rl.releases_in_window, 0) AS releases_in_window
        FROM groups AS g
        JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
        {periods_join}
        LEFT JOIN responsiveness AS q ON {sc.join('q', 'g')}
        LEFT JOIN sustainability AS su ON {sc.join('su', 'g')}
        LEFT JOIN community AS c ON {sc.join('c', 'g')}
        LEFT JOIN rel AS rl ON {sc.join('rl', 'g')}
        ORDER BY {sc.order()}
    """
    return frame(con, sql, params)
