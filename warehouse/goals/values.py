"""The values a goal measures: every entity's goal metrics on a day (:func:`goal_values`), and
the same reconstructed from the collected history for past month ends (:func:`reconstruct_history`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from collectors.registry import GOAL_METRICS, Registry
from warehouse.goals.builtin_metrics import (
    _ENTITY_PROJECTS,
    ACTIVE_DAYS,
    _active_share_at,
)
from warehouse.goals.days import _day_end, _month_ends, _today
from warehouse.goals.metric_registry import METRICS
from warehouse.sql_frames import read_frame

# The reconstructed metric that moves with other entities' data (see reconstruct_history).
CONTRIBUTIONS = "contributions_to_others"


def _entity_ids(con, registry: Registry | None) -> list[str]:
    if registry is not None:
        return [e.id for e in registry.entities]
    return [r[0] for r in con.execute("SELECT entity_id FROM entities ORDER BY entity_id").fetchall()]


def _metric_names(registry: Registry | None, metrics: Sequence[str] | None) -> list[str]:
    if metrics is not None:
        return list(metrics)
    names = list(GOAL_METRICS)
    for e in registry.entities if registry else ():
        for g in e.goals:
            if g.metric not in names and g.metric in METRICS:
                names.append(g.metric)
    return names


def goal_values(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None = None,
    today: date | datetime | None = None,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every entity's goal metrics on ``today``: columns entity_id, metric, value (None: no data).

    Entities from the registry (else the ``entities`` table); metrics: ``metrics``, else every
    built-in goal metric plus registered metrics the registry's goals name. An unknown metric
    name gives None values.
    """
    day = _today(today, con)
    ids = _entity_ids(con, registry)
    rows = []
    for name in _metric_names(registry, metrics):
        metric = METRICS.get(name)
        values = metric.fn(con, ids, day) if metric is not None and ids else {}
        for e in ids:
            v = values.get(e)
            rows.append((e, name, None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)))
    return pd.DataFrame(rows, columns=["entity_id", "metric", "value"]).astype({"value": "float64"})


def reconstruct_history(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None,
    months: int = 24,
    today: date | datetime | None = None,
    metrics: Sequence[str] | None = None,
    only: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Goal metrics at the end of each of the ``months`` months before ``today``'s month, from history.

    Columns: snapshot_date, entity_id, metric, value. Only what the data can tell:

    - public_repos: projects whose earliest repository was created by the day (repositories of
      unknown creation date are left out of the past);
    - active_share: as defined, on that day, for days whose 90-day window starts on or after the
      registry's history horizon (``[defaults] since``) when one is set; days with no project
      give no row;
    - contributions_to_others: other entities' projects in which the entity's people had authored
      a commit by the day (today's affiliations and project mapping applied to the past).

    Registered metrics with ``history_days`` (the health metrics but the health score and
    hygiene) are the metric itself taken at the end of each day, for days whose history of
    ``history_days`` days starts on or after the horizon: those ``metrics``, else those the
    registry's goals name. The other metrics (licences, publiccode.yml, reuse, health score,
    hygiene) have no dated history and are left out.

    With ``only`` (entity ids), the rows of those entities alone, and contributions_to_others of
    every entity: that metric moves with the other entities' data, the rest with the entity's own
    repositories and the projects they are in.
    """
    day = _today(today, con)
    days = _month_ends(day, months) if months > 0 else []
    return _reconstruct(con, registry, _entity_ids(con, registry), days, metrics, only)


def _reconstruct(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None,
    ids: Sequence[str],
    days: Sequence[date],
    metrics: Sequence[str] | None,
    only: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`reconstruct_history`'s rows for the given entities and days (``only``: see there)."""
    ids = list(ids)
    wanted = None if only is None else set(only)
    own = ids if wanted is None else [e for e in ids if e in wanted]
    columns = ["snapshot_date", "entity_id", "metric", "value"]
    if not ids or not days:
        return pd.DataFrame(columns=columns)
    rows: list[tuple] = []
    ends = [_day_end(d) for d in days]
    created = read_frame(
        con,
        f"SELECT entity_id, project_id, created_at FROM ({_ENTITY_PROJECTS}) WHERE created_at IS NOT NULL",
        {"entities": own},
    )
    for d, end in zip(days, ends):
        counts = created[created["created_at"] < pd.Timestamp(end)].groupby("entity_id").size()
        for e in own:
            rows.append((d, e, "public_repos", float(counts.get(e, 0))))
    since = registry.since if registry is not None else None
    active_days = [d for d, end in zip(days, ends) if since is None or end - timedelta(days=ACTIVE_DAYS) >= since]
    for r in _active_share_at(con, own, active_days, include_undated=False).itertuples() if own else ():
        if r.projects:
            rows.append((r.day, r.entity_id, "active_share", r.active / r.projects))
    firsts = read_frame(
        con,
        "SELECT target AS entity_id, source_project, min(first_at) AS first_at"
        " FROM contribution_evidence GROUP BY target, source_project",
    )
    for d, end in zip(days, ends):
        counts = firsts[firsts["first_at"] < pd.Timestamp(end)].groupby("entity_id").size()
        for e in ids:
            rows.append((d, e, CONTRIBUTIONS, float(counts.get(e, 0))))
    # A metric function asked for one entity reads that entity's facts alone, for several every
    # entity's: a few entities are asked one at a time.
    groups = [own] if only is None else [[e] for e in own]
    for name in _history_metrics(registry, metrics):
        metric = METRICS[name]
        for d, end in zip(days, ends):
            if since is not None and end - timedelta(days=metric.history_days) < since:
                continue
            for group in groups:
                for e, v in metric.fn(con, group, d).items():
                    if v is not None and not (isinstance(v, float) and math.isnan(v)):
                        rows.append((d, e, name, float(v)))
    df = pd.DataFrame(rows, columns=columns)
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"]).dt.date
    return df.sort_values(["entity_id", "metric", "snapshot_date"]).reset_index(drop=True)


def _history_metrics(registry: Registry | None, metrics: Sequence[str] | None) -> list[str]:
    """Registered metrics beyond the built-in six that can be reconstructed: ``metrics``, else
    those the registry's goals name."""
    names = metrics if metrics is not None else _metric_names(registry, None)
    return [n for n in dict.fromkeys(names)
            if n not in GOAL_METRICS and n in METRICS and METRICS[n].history_days is not None]
