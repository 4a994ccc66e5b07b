"""Defaults and settings of the metrics: windows, lifecycle thresholds, health weights and targets.

The registry's ``[settings.lifecycle]`` and ``[settings.health_weights]`` reach the warehouse as
the table ``settings``: :func:`stored_thresholds` and :func:`stored_weights` are the defaults of
every ``thresholds=`` and ``weights=``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

WINDOW_DAYS = 365          # absence/elephant factor, TTFR, ratios, releases, health score
INACTIVE_CONTRIBUTOR_DAYS = 365
CONTRACT_EXPIRING_DAYS = 90
NO_RESPONSE_DAYS = 14      # attention list: open items without a response for this long


@dataclass(frozen=True)
class LifecycleThresholds:
    """Lifecycle thresholds (days and ratio). The registry's [settings.lifecycle] sets them for
    every function that is not given any (:func:`stored_thresholds`)."""

    recent_days: int = 90          # "the last 90 days"
    baseline_days: int = 270       # "the 9 months before"
    declining_ratio: float = 0.5   # recent activity under half the baseline's average
    inactive_days: int = 180       # no activity for this long: inactive
    abandoned_days: int = 365      # ... for this long with unanswered items: abandoned


THRESHOLD_FIELDS = ("recent_days", "baseline_days", "declining_ratio", "inactive_days", "abandoned_days")

# Health score: weights of the parts (relative; normalised over the parts available).
DEFAULT_WEIGHTS: dict[str, float] = {
    "activity": 0.25,
    "responsiveness": 0.20,
    "sustainability": 0.20,
    "community": 0.15,
    "hygiene": 0.10,
    "release_cadence": 0.10,
}
HEALTH_PARTS = tuple(DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class HealthTargets:
    """What counts as full marks in each part of the health score."""

    periods: int = 12              # activity: 30-day periods looked at
    period_days: int = 30
    response_days: float = 7.0     # responsiveness: handled within this many days
    absence_factor: int = 4        # sustainability: absence factor giving 100
    participants: int = 10         # community: distinct people giving 100 (per window)
    releases_per_year: float = 4.0 # release cadence: releases per year giving 100


def stored_thresholds(con: duckdb.DuckDBPyConnection) -> LifecycleThresholds:
    """The lifecycle thresholds of the registry's [settings.lifecycle], as the last collection
    stored them (table ``settings``); the built-in defaults for keys not stored."""
    values = dict(con.execute("SELECT key, value FROM settings WHERE section = 'lifecycle'").fetchall())
    default = LifecycleThresholds()
    kwargs: dict[str, Any] = {}
    for name, value in vars(default).items():
        if name in values:
            kwargs[name] = type(value)(values[name])
    return LifecycleThresholds(**kwargs) if kwargs else default


def stored_weights(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The health score's weights of the registry's [settings.health_weights], as stored; the
    defaults (``DEFAULT_WEIGHTS``) for parts not stored."""
    values = dict(con.execute("SELECT key, value FROM settings WHERE section = 'health_weights'").fetchall())
    return {part: float(values.get(part, w)) for part, w in DEFAULT_WEIGHTS.items()}


def thresholds_in_use(con: duckdb.DuckDBPyConnection, thresholds: LifecycleThresholds | None) -> LifecycleThresholds:
    """``thresholds``, else the registry's (:func:`stored_thresholds`)."""
    return stored_thresholds(con) if thresholds is None else thresholds
