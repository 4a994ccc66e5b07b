"""The progress table the pages and the report read: every goal's value now, trend, projection,
value at the deadline and status (:func:`goal_progress`)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from collectors.registry import Registry
from warehouse import metrics as health
from warehouse import reuse
from warehouse.goals.days import _today
from warehouse.goals.definitions import _goals
from warehouse.goals.metric_registry import METRICS, lower_is_better, unit_of
from warehouse.goals.status import goal_status
from warehouse.goals.trend import TREND_DAYS, _clip, fit_trend
from warehouse.goals.values import _reconstruct, reconstruct_history
from warehouse.sql_frames import read_frame

# A goal past its deadline is judged by its value at the deadline: the latest observed snapshot
# of the last this many days up to it, else the value reconstructed for that very day.
DEADLINE_VALUE_DAYS = 45


def _current_values(con, goals: list[tuple[str, int, str, float, date]], day: date) -> dict[tuple[str, str], float | None]:
    """Each goal's (entity, metric) value on ``day``.

    On the day of the last collection, while the warehouse is as it left it, the values its
    snapshot stored (computed then by the same functions at the same moment); else, and for
    pairs the snapshot lacks, computed now for the goals' entities only.
    """
    current: dict[tuple[str, str], float | None] = {}
    moment = health.as_of(con)
    if moment is not None and moment.date() == day and reuse.reuse_fresh(con):
        ids = sorted({g[0] for g in goals})
        names = sorted({g[2] for g in goals})
        for e, m, v in con.execute(
            "SELECT entity_id, metric, value FROM goal_snapshots WHERE snapshot_date = ? AND source = 'observed'"
            " AND list_contains(?, entity_id) AND list_contains(?, metric)",
            [day, ids, names],
        ).fetchall():
            current[(e, m)] = None if v is None else float(v)
    wanted: dict[str, set[str]] = {}
    for e, _, m, _, _ in goals:
        if (e, m) not in current:
            wanted.setdefault(m, set()).add(e)
    for m, entity_ids in wanted.items():
        metric = METRICS.get(m)
        values = metric.fn(con, sorted(entity_ids), day) if metric is not None else {}
        for e in entity_ids:
            v = values.get(e)
            current[(e, m)] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    return current


def _deadline_values(
    con, registry: Registry | None, goals: list[tuple[str, int, str, float, date]], day: date,
    current: dict[tuple[str, str], float | None],
) -> dict[tuple[str, str, date], tuple[float, date, str]]:
    """The value at the deadline of each goal whose deadline is ``day`` or earlier:
    (entity, metric, deadline) -> (value, the day it is of, source).

    In this order: the value now when the deadline is today (source "now"); the latest stored
    snapshot of the DEADLINE_VALUE_DAYS days up to the deadline, observed before reconstructed;
    the value reconstructed for the deadline itself (:func:`reconstruct_history`'s rules). A
    metric with no dated history (licences, publiccode.yml...) and no snapshot then has none.
    """
    past = sorted({(e, m, d) for e, _, m, _, d in goals if d <= day})
    out: dict[tuple[str, str, date], tuple[float, date, str]] = {}
    for e, m, d in past:
        if d == day and current.get((e, m)) is not None:
            out[(e, m, d)] = (float(current[(e, m)]), d, "now")
    rest = [k for k in past if k not in out]
    if rest:
        stored = con.execute(
            "SELECT entity_id, metric, snapshot_date, value, source FROM goal_snapshots"
            " WHERE value IS NOT NULL AND NOT isnan(value) AND list_contains(?, entity_id)"
            " AND list_contains(?, metric) AND snapshot_date BETWEEN ? AND ?",
            [sorted({k[0] for k in rest}), sorted({k[1] for k in rest}),
             min(k[2] for k in rest) - timedelta(days=DEADLINE_VALUE_DAYS), max(k[2] for k in rest)],
        ).fetchall()
        for e, m, d in rest:
            found = [(source == "observed", snap, float(v), source) for se, sm, snap, v, source in stored
                     if se == e and sm == m and d - timedelta(days=DEADLINE_VALUE_DAYS) <= snap <= d]
            if found:
                _, snap, v, source = max(found)
                out[(e, m, d)] = (v, snap, source)
    by_day: dict[date, set[tuple[str, str]]] = {}
    for e, m, d in past:
        if (e, m, d) not in out:
            by_day.setdefault(d, set()).add((e, m))
    for d, pairs in by_day.items():
        rebuilt = _reconstruct(con, registry, sorted({e for e, _ in pairs}), [d], sorted({m for _, m in pairs}))
        for r in rebuilt.itertuples():
            if (r.entity_id, r.metric) in pairs and not pd.isna(r.value):
                out[(r.entity_id, r.metric, d)] = (float(r.value), d, "reconstructed")
    return out


def goal_progress(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None = None,
    entity_id: str | None = None,
    today: date | datetime | None = None,
    trend_days: int = TREND_DAYS,
) -> pd.DataFrame:
    """Progress of every goal (of one entity, if given), from the registry (else the ``goals`` table).

    Columns: entity_id, goal_no, metric, unit (UNITS: share, score, count, ratio, hours, days,
    per_year), target, deadline, as_of (today: default the day of the last collection), value (on that day; NaN: no data), trend_per_month (slope x 30 days; NaN when
    there is no trend), trend_points (history points used, today's value included), trend_from
    (oldest point), reconstructed (whether reconstructed points were used), days_left, projected
    (value at the deadline on the trend, kept within the unit's range: [0, 1] for shares, [0, 100]
    for scores, >= 0 otherwise; the value itself when there is no trend), status (one of
    STATUSES: :func:`goal_status`, turned round for "lower is better"), lower_is_better (whether
    the goal is to bring the value down to the target), deadline_value, deadline_value_date and
    deadline_value_source (observed | reconstructed | now) for a goal whose deadline is today or
    past: its value at the deadline (:func:`_deadline_values`; NaN, None, None when unknown or
    the deadline is still ahead).

    History: stored snapshots of the ``trend_days`` days before today; an (entity, metric) with
    no stored snapshot at all falls back to :func:`reconstruct_history` computed on the fly.
    """
    day = _today(today, con)
    goals = _goals(con, registry, entity_id)
    columns = ["entity_id", "goal_no", "metric", "unit", "target", "deadline", "as_of", "value",
               "trend_per_month", "trend_points", "trend_from", "reconstructed", "days_left",
               "projected", "status", "lower_is_better", "deadline_value", "deadline_value_date",
               "deadline_value_source"]
    if not goals:
        return pd.DataFrame(columns=columns)
    metrics = sorted({g[2] for g in goals})
    ids = sorted({g[0] for g in goals})
    current = _current_values(con, goals, day)
    start = day - timedelta(days=trend_days)
    stored = read_frame(
        con,
        "SELECT snapshot_date, entity_id, metric, value, source FROM goal_snapshots"
        " WHERE snapshot_date >= ? AND snapshot_date < ? AND list_contains(?, entity_id) AND list_contains(?, metric)",
        [start, day, ids, metrics],
    )
    any_stored = {
        (e, m) for e, m in con.execute(
            "SELECT DISTINCT entity_id, metric FROM goal_snapshots"
            " WHERE list_contains(?, entity_id) AND list_contains(?, metric)",
            [ids, metrics],
        ).fetchall()
    }
    history: dict[tuple[str, str], list[tuple[date, float, str]]] = {}
    for r in stored.itertuples():
        if not pd.isna(r.value):
            history.setdefault((r.entity_id, r.metric), []).append((r.snapshot_date, float(r.value), r.source))
    missing = {(e, m) for e, _, m, _, _ in goals} - any_stored
    if missing:
        months = max(1, math.ceil(trend_days / 30.44))
        rebuilt = reconstruct_history(con, registry, months, day, metrics=sorted({m for _, m in missing}))
        for r in rebuilt.itertuples():
            if (r.entity_id, r.metric) in missing and r.snapshot_date >= start:
                history.setdefault((r.entity_id, r.metric), []).append((r.snapshot_date, float(r.value), "reconstructed"))
    at_deadline = _deadline_values(con, registry, goals, day, current)
    rows = []
    for e, n, m, target, deadline in goals:
        value = current.get((e, m))
        unit, lower = unit_of(m), lower_is_better(m)
        pts = [(d, v) for d, v, _ in history.get((e, m), [])]
        used_reconstructed = any(s == "reconstructed" for _, _, s in history.get((e, m), []))
        if value is not None:
            pts.append((day, value))
        trend = fit_trend(pts)
        days_left = (deadline - day).days
        projected = None
        if value is not None:
            projected = value
            if trend.slope_per_day is not None and days_left > 0:
                projected = value + trend.slope_per_day * days_left
            projected = _clip(projected, unit)
        then, then_day, then_source = at_deadline.get((e, m, deadline), (None, None, None))
        status = goal_status(value, target, projected, deadline, day, lower_is_better=lower,
                             trend=trend.slope_per_day is not None, deadline_value=then)
        rows.append((
            e, n, m, unit, target, deadline, day,
            value, None if trend.slope_per_day is None else trend.slope_per_day * 30,
            trend.points, trend.first, used_reconstructed, days_left, projected, status, lower,
            then, then_day, then_source,
        ))
    df = pd.DataFrame(rows, columns=columns)
    for col in ("deadline_value_date", "deadline_value_source"):  # None, never NaN, when unknown
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    for col in ("value", "trend_per_month", "projected", "target", "deadline_value"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df
