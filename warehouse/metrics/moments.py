"""Moments and windows: every metric is computed at a moment ``now`` (UTC) over a window before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def as_utc(now: datetime | None) -> datetime:
    """``now`` in UTC (a naive datetime is UTC); None: the current time."""
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def month_start(moment: datetime, months_back: int = 0) -> datetime:
    """First instant (UTC) of the month ``months_back`` months before ``moment``'s month."""
    index = moment.year * 12 + (moment.month - 1) - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def window(now: datetime | None, days: float) -> dict[str, datetime]:
    """The bound parameters ``now`` and ``since`` of the window ``now - days <= t <= now``."""
    end = as_utc(now)
    return {"now": end, "since": end - timedelta(days=days)}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WEEK_US = 7 * 86_400_000_000


def utc_week(moment: datetime) -> int:
    """The week ``moment`` falls in, numbered as migration 026's SQL macro ``utc_week`` numbers
    them (weeks of 7 days from the Unix epoch), in whole microseconds as DuckDB keeps a moment."""
    return ((as_utc(moment) - _EPOCH) // timedelta(microseconds=1)) // _WEEK_US


def week_start(week: int) -> datetime:
    """The first moment of the week numbered ``week`` (:func:`utc_week`)."""
    return _EPOCH + timedelta(microseconds=week * _WEEK_US)
