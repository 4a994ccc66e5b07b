"""Goal metrics by name: their units, :class:`GoalMetric`, the ``METRICS`` registry and
:func:`register_metric`, and what a metric's name tells (share, unit, lower is better)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from collectors.registry import SHARE_METRICS

# A metric function: (connection, entity ids, day) -> {entity_id: value or None}.
MetricFn = Callable[[duckdb.DuckDBPyConnection, Sequence[str], date], dict[str, float | None]]


# What a goal metric's values are: share (0..1), score (0..100), count, ratio (>= 0, may exceed 1),
# hours, days, per_year. Projections are kept within the unit's range.
UNITS = ("share", "score", "count", "ratio", "hours", "days", "per_year")


@dataclass(frozen=True, slots=True)
class GoalMetric:
    name: str
    fn: MetricFn
    share: bool  # value in [0, 1]
    description: str = ""
    unit: str = "count"
    lower_is_better: bool = False
    # Reconstructed for past days when not None: the days of history before a day its value
    # needs, checked against the registry's history horizon (0: none).
    history_days: int | None = None


METRICS: dict[str, GoalMetric] = {}


def register_metric(
    name: str,
    *,
    share: bool = False,
    description: str = "",
    unit: str | None = None,
    lower_is_better: bool = False,
    history_days: int | None = None,
) -> Callable[[MetricFn], MetricFn]:
    """Register a goal metric by name (decorator). Replaces a metric of the same name.

    ``unit``: one of UNITS (default: share if ``share``, else count). ``lower_is_better``: the goal
    is reached when the value falls to the target. ``history_days``: reconstruct the metric for
    past days (:func:`reconstruct_history`) when its value on a day needs that many days of
    history before it (checked against the registry's ``since``); None: observed snapshots only.
    """
    unit = unit or ("share" if share else "count")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}: expected one of {', '.join(UNITS)}")

    def wrap(fn: MetricFn) -> MetricFn:
        METRICS[name] = GoalMetric(name, fn, unit == "share", description or (fn.__doc__ or "").strip(),
                                   unit, lower_is_better, history_days)
        return fn

    return wrap


def is_share(metric: str) -> bool:
    m = METRICS.get(metric)
    return m.share if m is not None else metric in SHARE_METRICS


def unit_of(metric: str) -> str:
    """The metric's unit (UNITS); an unknown metric: share or count, as the registry judges it."""
    m = METRICS.get(metric)
    return m.unit if m is not None else ("share" if metric in SHARE_METRICS else "count")


def lower_is_better(metric: str) -> bool:
    m = METRICS.get(metric)
    return m is not None and m.lower_is_better
