"""Health metrics (CHAOSS), lifecycle, hygiene, health score and the attention list.

Query functions over the facts of migration 004 (``commit_facts``, ``item_facts``,
``activity_events``, ``repo_hygiene``, ``technical_forks``, ...). Each takes a DuckDB connection
(or cursor; read-only is fine), a :class:`Scope` (the level of aggregation and the filters) and
keyword parameters, and returns a pandas DataFrame: ``metrics.health_score(con,
Scope("entity", country="DE"), days=90)``. Definitions, formulas and caveats: docs/metrics.md.

One module per family:

- :mod:`~warehouse.metrics.scope`: the :class:`Scope` value, the levels and their SQL;
- :mod:`~warehouse.metrics.settings`: windows, lifecycle thresholds, health weights and targets;
- :mod:`~warehouse.metrics.facts`: the materialised fact sets and their freshness;
- :mod:`~warehouse.metrics.results` and :mod:`~warehouse.metrics.refresh`: the per-repository
  results a collection stores, and when they are read back (nothing else is stored);
- :mod:`~warehouse.metrics.activity`, :mod:`~warehouse.metrics.responsiveness`,
  :mod:`~warehouse.metrics.sustainability`, :mod:`~warehouse.metrics.releases_forks`: the CHAOSS
  metrics;
- :mod:`~warehouse.metrics.repo_hygiene`, :mod:`~warehouse.metrics.repo_lifecycle`,
  :mod:`~warehouse.metrics.repo_health` (the health score's inputs), :mod:`~warehouse.metrics.health`
  (its parts and score), :mod:`~warehouse.metrics.attention` (the attention list);
- :mod:`~warehouse.metrics.badges` and :mod:`~warehouse.metrics.badge_settings`: openCoDE's
  badges (docs/badges.md);
- :mod:`~warehouse.metrics.public_code` and :mod:`~warehouse.metrics.public_code_criteria`: the
  Standard for Public Code's machine-checkable part (docs/public-code.md);
- :mod:`~warehouse.metrics.frames` and :mod:`~warehouse.metrics.moments`: shared helpers (frames
  reads through :func:`warehouse.sql_frames.read_frame`, as the rest of the warehouse does).

Parameters shared by the functions:

- ``scope``: see :mod:`warehouse.metrics.scope`.
- ``now``: the moment the metrics are computed at (default: as of the last collection while the
  warehouse is as it left it, :func:`as_of`; else the current time). Everything after ``now`` is
  ignored, so results are reproducible. A naive datetime is UTC.
- ``days``: the window, ``now - days <= t <= now``.

Bots are never people: they are excluded from contributor counts, from responses and (by
default, ``bot_items=False``) issues and change requests opened by bots are left out of the item
metrics.
"""

from warehouse.metrics.activity import (
    activity_per_month,
    activity_totals,
    last_activity,
)
from warehouse.metrics.attention import (
    ATTENTION_COLUMNS,
    ATTENTION_REASONS,
    attention_list,
)
from warehouse.metrics.badge_settings import BadgeThresholds, stored_badge_thresholds
from warehouse.metrics.badges import badge_summary, badges
from warehouse.metrics.facts import metric_facts_fresh, refresh_metric_facts
from warehouse.metrics.health import (
    MISSING_REASONS,
    PART_COLUMNS,
    health_parts,
    health_score,
)
from warehouse.metrics.public_code import public_code, public_code_summary
from warehouse.metrics.refresh import refresh_metric_results
from warehouse.metrics.releases_forks import (
    release_frequency,
    technical_fork_list,
    technical_forks,
)
from warehouse.metrics.repo_health import HEALTH_INPUT_COLUMNS, health_inputs
from warehouse.metrics.repo_hygiene import hygiene
from warehouse.metrics.repo_lifecycle import (
    LIFECYCLE_COLUMNS,
    STAGES,
    lifecycle,
    lifecycle_summary,
)
from warehouse.metrics.responsiveness import (
    KINDS,
    change_request_ratios,
    issue_age,
    issue_resolution_duration,
    time_to_first_response,
)
from warehouse.metrics.results import (
    as_of,
    metric_results_fresh,
)
from warehouse.metrics.scope import LEVELS, Scope
from warehouse.metrics.settings import (
    CONTRACT_EXPIRING_DAYS,
    DEFAULT_WEIGHTS,
    HEALTH_PARTS,
    INACTIVE_CONTRIBUTOR_DAYS,
    NO_RESPONSE_DAYS,
    WINDOW_DAYS,
    HealthTargets,
    LifecycleThresholds,
    stored_thresholds,
    stored_weights,
)
from warehouse.metrics.sustainability import (
    absence_factor,
    elephant_factor,
    inactive_contributors,
    organisation_shares,
)

__all__ = [
    "ATTENTION_COLUMNS",
    "ATTENTION_REASONS",
    "CONTRACT_EXPIRING_DAYS",
    "DEFAULT_WEIGHTS",
    "HEALTH_INPUT_COLUMNS",
    "HEALTH_PARTS",
    "INACTIVE_CONTRIBUTOR_DAYS",
    "KINDS",
    "LEVELS",
    "LIFECYCLE_COLUMNS",
    "MISSING_REASONS",
    "NO_RESPONSE_DAYS",
    "PART_COLUMNS",
    "STAGES",
    "WINDOW_DAYS",
    "BadgeThresholds",
    "HealthTargets",
    "LifecycleThresholds",
    "Scope",
    "absence_factor",
    "activity_per_month",
    "activity_totals",
    "as_of",
    "attention_list",
    "badge_summary",
    "badges",
    "change_request_ratios",
    "elephant_factor",
    "health_inputs",
    "health_parts",
    "health_score",
    "hygiene",
    "inactive_contributors",
    "issue_age",
    "issue_resolution_duration",
    "last_activity",
    "lifecycle",
    "lifecycle_summary",
    "metric_facts_fresh",
    "metric_results_fresh",
    "organisation_shares",
    "public_code",
    "public_code_summary",
    "refresh_metric_facts",
    "refresh_metric_results",
    "release_frequency",
    "stored_badge_thresholds",
    "stored_thresholds",
    "stored_weights",
    "technical_fork_list",
    "technical_forks",
    "time_to_first_response",
]
