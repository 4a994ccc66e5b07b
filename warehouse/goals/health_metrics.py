"""The health metrics of :mod:`warehouse.metrics` as goal metrics, one value per entity
(``HEALTH_GOAL_METRICS``), registered on import."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from warehouse import metrics as health
from warehouse.goals.builtin_metrics import _per_entity
from warehouse.goals.days import _moment
from warehouse.goals.metric_registry import MetricFn, register_metric

WINDOW = int(health.WINDOW_DAYS)


def _entity_metric(fn: Callable[..., pd.DataFrame], column: str, scale: float = 1.0, **kwargs) -> MetricFn:
    """A goal metric from a warehouse.metrics function at the entity level, taken at :func:`_moment`."""

    def compute(con, entity_ids, day):
        # One entity: filter (its row groups only); several: every entity at once.
        one = entity_ids[0] if len(entity_ids) == 1 else None
        df = fn(con, health.Scope("entity", entity_id=one), now=_moment(con, day), **kwargs)
        values = {e: (None if pd.isna(v) else float(v) * scale) for e, v in zip(df["entity_id"], df[column])}
        return _per_entity(entity_ids, values, None)

    compute.__doc__ = f"warehouse.metrics.{fn.__name__}(Scope('entity')).{column}"
    return compute


# name: (function, column, scale, unit, lower is better, history days, keyword arguments, description)
HEALTH_GOAL_METRICS: dict[str, tuple] = {
    "health_score": (health.health_score, "score", 1.0, "score", False, None, {},
                     "the entity's health score (0-100)"),
    "absence_factor": (health.absence_factor, "absence_factor", 1.0, "count", False, WINDOW, {},
                       "Contributor Absence Factor over the last 365 days"),
    "elephant_factor": (health.elephant_factor, "elephant_factor", 1.0, "count", False, WINDOW, {},
                        "Elephant Factor over the last 365 days"),
    "median_first_response_hours": (health.time_to_first_response, "median_hours", 1.0, "hours", True, WINDOW,
                                    {"combined": True},
                                    "median time to first response of issues and change requests opened in the last 365 days"),
    "closure_ratio": (health.change_request_ratios, "closure_ratio", 1.0, "ratio", False, WINDOW, {},
                      "change requests closed / opened in the last 365 days"),
    "acceptance_ratio": (health.change_request_ratios, "acceptance_ratio", 1.0, "share", False, WINDOW, {},
                         "change requests merged / closed in the last 365 days"),
    "median_issue_age_days": (health.issue_age, "median_age_days", 1.0, "days", True, 0, {},
                              "median age of the open issues"),
    # Releases are collected whole, whatever the history horizon.
    "releases_per_year": (health.release_frequency, "releases_per_year", 1.0, "per_year", False, 0, {},
                          "releases in the last 365 days"),
    "inactive_contributor_share": (health.inactive_contributors, "inactive_share", 1.0, "share", True, WINDOW, {},
                                   "share of contributors without a commit in the last 365 days"),
    "hygiene_share": (health.health_score, "hygiene", 0.01, "share", False, None, {},
                      "the health score's hygiene part / 100: share of hygiene checks passed"),
    "commits": (health.activity_totals, "commits", 1.0, "count", False, WINDOW, {},
                "commits in the last 365 days"),
    "active_contributors": (health.activity_totals, "active_contributors", 1.0, "count", False, WINDOW, {},
                            "people with a commit in the last 365 days"),
}


def _register_health_metrics() -> None:
    for name, (fn, column, scale, unit, lower, history, kwargs, text) in HEALTH_GOAL_METRICS.items():
        register_metric(name, unit=unit, lower_is_better=lower, history_days=history, description=text)(
            _entity_metric(fn, column, scale, **kwargs))


_register_health_metrics()
