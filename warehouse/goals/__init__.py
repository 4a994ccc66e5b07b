"""Goals for councils: goal metrics per entity, dated snapshots, reconstructed history, progress.

Definitions, with their caveats, are in ``docs/reuse-and-goals.md``. In short, over an entity's
*projects* (its non-fork repositories, a mirror pair counted once: see warehouse.reuse):

=========================  =====================================================================
public_repos               projects (archived included)
osi_licence_share          projects with an OSI-approved licence (any of the entity's repos of the
                           project) / projects
publiccode_share           projects with a publiccode.yml (any repo) / projects
active_share               projects with a commit in the 90 days ending on the day / projects
contributions_to_others    other entities' projects with commits by this entity's people
reused_by_others           this entity's projects reused by another entity (fork, mirror, usedBy,
                           isBasedOn)
=========================  =====================================================================

The health metrics of ``warehouse.metrics`` are goal metrics too, one value per entity (health
score, absence and elephant factor, median time to first response, change request closure and
acceptance ratio, median issue age, releases per year, inactive contributor share, hygiene checks
share, commits, active contributors: see ``HEALTH_GOAL_METRICS`` in
:mod:`~warehouse.goals.health_metrics`); some are "lower is better". So are openCoDE's
``maintained_silver_share`` and, per checked criterion of the Standard for Public Code, the share of
the entity's repositories meeting it (``public_code_<criterion>_share``, unknown counting as not
met: :mod:`~warehouse.goals.public_code_metrics`). Other metrics can be added by name with
:func:`register_metric`. Shares of zero projects are ``None`` (no data), never 0.

Write side (the pipeline, after each collection): :func:`sync_goals`, :func:`write_snapshots`
(which refreshes the derived reuse tables first). Read side (the dashboard, read-only): :func:`goal_values`,
:func:`reconstruct_history`, :func:`goal_history`, :func:`goal_progress`.

One module per concern, each importing only those above it in this list:

- :mod:`~warehouse.goals.days`: which day "today" is, a day's end, month ends, the moment a
  health metric is taken at;
- :mod:`~warehouse.goals.metric_registry`: units, :class:`GoalMetric`, ``METRICS`` and
  :func:`register_metric`, a metric's unit and direction;
- :mod:`~warehouse.goals.trend`: the trend (:func:`fit_trend`) and a projection's range;
- :mod:`~warehouse.goals.status`: the statuses, their tone and :func:`goal_status`;
- :mod:`~warehouse.goals.builtin_metrics`, :mod:`~warehouse.goals.health_metrics`,
  :mod:`~warehouse.goals.badge_metrics` and :mod:`~warehouse.goals.public_code_metrics`: the goal
  metrics, registered when the package is imported;
- :mod:`~warehouse.goals.values`: the values a goal measures, now (:func:`goal_values`) and
  reconstructed from history (:func:`reconstruct_history`);
- :mod:`~warehouse.goals.definitions`: the registry's goals, report names and logos mirrored
  (:func:`sync_goals`) and read back;
- :mod:`~warehouse.goals.snapshots`: :func:`write_snapshots` and :func:`goal_history`
  (the collection's own :func:`~warehouse.goals.snapshots.history_fresh` stays there);
- :mod:`~warehouse.goals.progress`: the progress table (:func:`goal_progress`);
- :mod:`~warehouse.goals.report_health`: the health score for the council report
  (:func:`health_history`, :func:`peer_standing`).
"""

# badge_metrics imports builtin_metrics first: METRICS lists the six built-in metrics, then the
# badge, the Standard for Public Code's and the health metrics.
from warehouse.goals import (  # noqa: F401 - importing them registers their goal metrics
    badge_metrics,
    public_code_metrics,
)
from warehouse.goals.builtin_metrics import ACTIVE_DAYS
from warehouse.goals.definitions import (
    entities_with_goals,
    entity_report,
    logo_image,
    sync_goals,
)
from warehouse.goals.health_metrics import HEALTH_GOAL_METRICS
from warehouse.goals.metric_registry import (
    METRICS,
    UNITS,
    GoalMetric,
    is_share,
    lower_is_better,
    register_metric,
    unit_of,
)
from warehouse.goals.progress import DEADLINE_VALUE_DAYS, goal_progress
from warehouse.goals.report_health import health_history, peer_standing
from warehouse.goals.snapshots import goal_history, write_snapshots
from warehouse.goals.status import (
    ACHIEVED,
    AT_RISK,
    AT_RISK_RATIO,
    DEADLINE_PASSED,
    MET_AT_DEADLINE,
    MET_AT_RISK,
    MISSED_AT_DEADLINE,
    NO_DATA,
    NOT_ENOUGH_HISTORY,
    OFF_TRACK,
    ON_TRACK,
    STATUS_TONE,
    STATUSES,
    goal_status,
)
from warehouse.goals.trend import MIN_TREND_SPAN_DAYS, TREND_DAYS, Trend, fit_trend
from warehouse.goals.values import goal_values, reconstruct_history

__all__ = [
    "ACHIEVED",
    "ACTIVE_DAYS",
    "AT_RISK",
    "AT_RISK_RATIO",
    "DEADLINE_PASSED",
    "DEADLINE_VALUE_DAYS",
    "HEALTH_GOAL_METRICS",
    "METRICS",
    "MET_AT_DEADLINE",
    "MET_AT_RISK",
    "MIN_TREND_SPAN_DAYS",
    "MISSED_AT_DEADLINE",
    "NOT_ENOUGH_HISTORY",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "STATUSES",
    "STATUS_TONE",
    "TREND_DAYS",
    "UNITS",
    "GoalMetric",
    "Trend",
    "entities_with_goals",
    "entity_report",
    "fit_trend",
    "goal_history",
    "goal_progress",
    "goal_status",
    "goal_values",
    "health_history",
    "is_share",
    "logo_image",
    "lower_is_better",
    "peer_standing",
    "reconstruct_history",
    "register_metric",
    "sync_goals",
    "unit_of",
    "write_snapshots",
]
