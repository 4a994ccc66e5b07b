"""The thresholds of the openCoDE badges (docs/badges.md) and the criteria each level needs.

The registry's ``[settings.badges]`` reaches the warehouse as the rows of section ``badges`` of
the table ``settings``: :func:`stored_badge_thresholds` is the default of every ``thresholds=``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import duckdb


@dataclass(frozen=True)
class BadgeThresholds:
    """openCoDE's documented thresholds (badges.opencode.de); collectors.badge_settings repeats
    the defaults for the registry (a test keeps them in step)."""

    window_days: int = 183            # "the last 6 months": commits, releases, bus factor, tags, reviews
    issue_window_days: int = 92       # "issues created within the last 3 months"
    min_commits: int = 5
    max_response_days: float = 7.0    # the mean reaction time must stay under this
    min_releases: int = 1
    min_bus_factor: int = 2
    min_signed_tags_share: float = 0.8
    min_reviewed_share: float = 0.75
    min_using_organisations: int = 10


# Per badge, its levels from the lowest, each with the criteria it adds to the level below.
BADGE_LEVELS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "maintained": (
        ("bronze", ("commits", "issue_response")),
        ("silver", ("release",)),
        ("gold", ("bus_factor",)),
    ),
    "security": (
        ("level_1", ("issue_response", "branch_protection", "security_file")),
        ("level_2", ("signed_tags", "code_review")),
    ),
    "reuse": (
        ("level_1", ("using_organisations",)),
    ),
}
BADGES = tuple(BADGE_LEVELS)
OUTCOMES = ("met", "not_met", "unknown")

# Per criterion: the evidence columns of badges() that decide it.
CRITERIA: dict[str, tuple[str, ...]] = {
    "commits": ("commits_6m",),
    "issue_response": ("issues_3m", "mean_response_days"),
    "release": ("releases_6m",),
    "bus_factor": ("bus_factor",),
    "branch_protection": (),
    "security_file": ("has_security",),
    "signed_tags": ("signed_tags_share",),
    "code_review": ("reviewed_share", "merged_6m", "reviewed_6m"),
    "using_organisations": ("using_orgs", "used_by_orgs", "fork_orgs"),
}


def stored_badge_thresholds(con: duckdb.DuckDBPyConnection) -> BadgeThresholds:
    """The thresholds of the registry's [settings.badges], as the last collection stored them
    (table ``settings``); the built-in defaults for keys not stored."""
    values = dict(con.execute("SELECT key, value FROM settings WHERE section = 'badges'").fetchall())
    default = BadgeThresholds()
    kwargs: dict[str, Any] = {f.name: type(getattr(default, f.name))(values[f.name])
                              for f in fields(default) if f.name in values}
    return BadgeThresholds(**kwargs) if kwargs else default


def badge_thresholds_in_use(con: duckdb.DuckDBPyConnection, thresholds: BadgeThresholds | None) -> BadgeThresholds:
    """``thresholds``, else the registry's (:func:`stored_badge_thresholds`)."""
    return stored_badge_thresholds(con) if thresholds is None else thresholds
