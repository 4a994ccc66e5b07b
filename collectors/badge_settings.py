"""The registry's optional ``[settings.badges]``: the thresholds of the openCoDE badges.

Defaults repeat warehouse.metrics' BadgeThresholds (collectors never import the warehouse; a test
keeps them in step): the registry only says what differs. docs/badges.md lists every key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Protocol

MAX_DAYS = 36_500  # a century keeps date arithmetic (now minus the window) within the calendar
MAX_COUNT = 1_000_000

# The kind of value of each key: days (whole, 1..MAX_DAYS), count (whole, 1..MAX_COUNT),
# share (0 < x <= 1) or span (days, any number above 0 and at most MAX_DAYS).
_KINDS = {
    "window_days": "days",
    "issue_window_days": "days",
    "min_commits": "count",
    "max_response_days": "span",
    "min_releases": "count",
    "min_bus_factor": "count",
    "min_signed_tags_share": "share",
    "min_reviewed_share": "share",
    "min_using_organisations": "count",
}


@dataclass(frozen=True, slots=True)
class BadgeSettings:
    """[settings.badges]: openCoDE's documented thresholds unless the registry says otherwise."""

    window_days: int = 183            # "the last 6 months": commits, releases, bus factor, tags, reviews
    issue_window_days: int = 92       # "issues created within the last 3 months"
    min_commits: int = 5
    max_response_days: float = 7.0    # mean reaction time under this
    min_releases: int = 1
    min_bus_factor: int = 2
    min_signed_tags_share: float = 0.8
    min_reviewed_share: float = 0.75
    min_using_organisations: int = 10

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Validator(Protocol):
    def fail(self, where: str, message: str) -> None: ...

    def _section(self, name: str, raw: Any, known: dict[str, float]) -> dict[str, float] | None: ...


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return _whole(value) or (isinstance(value, float) and math.isfinite(value))


def _problem(kind: str, value: Any) -> str | None:
    """Why ``value`` does not fit ``kind``, or None."""
    if kind == "days" and not (_whole(value) and 1 <= value <= MAX_DAYS):
        return f"must be a whole number of days greater than 0 and at most {MAX_DAYS} (100 years)"
    if kind == "count" and not (_whole(value) and 1 <= value <= MAX_COUNT):
        return f"must be a whole number, 1 or more and at most {MAX_COUNT}"
    if kind == "share" and not (_number(value) and 0 < value <= 1):
        return "must be a share greater than 0 and at most 1 (0.8: 80%)"
    if kind == "span" and not (_number(value) and 0 < value <= MAX_DAYS):
        return f"must be a number of days greater than 0 and at most {MAX_DAYS}"
    return None


def parse_badges(validator: _Validator, raw_settings: Any) -> BadgeSettings:
    """The [settings.badges] table of ``raw_settings`` (the registry's [settings]); every problem
    goes to ``validator.fail``, and the defaults are returned then."""
    default = BadgeSettings()
    if not isinstance(raw_settings, dict) or "badges" not in raw_settings:
        return default  # a [settings] that is no table is reported by the registry itself
    given = validator._section("badges", raw_settings["badges"], default.as_dict())
    if not given:
        return default
    where = "[settings.badges]"
    ok = True
    for key, value in given.items():
        problem = _problem(_KINDS[key], value)
        if problem:
            shown = repr(value)
            validator.fail(f"{where}: field '{key}'", f"{problem}, got {shown if len(shown) <= 60 else shown[:57] + '...'}")
            ok = False
    if not ok:
        return default
    settings = BadgeSettings(**{**default.as_dict(), **{k: (float(v) if _KINDS[k] in ("share", "span") else v)
                                                        for k, v in given.items()}})
    if settings.issue_window_days > settings.window_days:
        validator.fail(
            f"{where}: field 'issue_window_days'",
            f"the issue window ({settings.issue_window_days} days) must not be longer than the badge window"
            f" (window_days = {settings.window_days})",
        )
    return settings
