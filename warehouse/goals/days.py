"""Days and moments of the goals: which day "today" is, a day's end, the month ends before a day,
and the moment a health metric is taken at for a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb

from warehouse import metrics as health


def _today(today: date | datetime | None, con: duckdb.DuckDBPyConnection | None = None) -> date:
    """``today`` as a UTC date; None: the day of the last collection (:func:`warehouse.metrics.as_of`)
    while the warehouse is as it left it, else the current day."""
    if today is None:
        moment = health.as_of(con) if con is not None else None
        return (moment or datetime.now(UTC)).date()
    if isinstance(today, datetime):
        return (today if today.tzinfo is None else today.astimezone(UTC)).date()
    return today


def _day_end(day: date) -> datetime:
    """The first instant after ``day`` in UTC: windows run up to, not including, it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def _moment(con: duckdb.DuckDBPyConnection, day: date) -> datetime:
    """The moment a health metric is taken at for ``day``: its end, or, if earlier, the moment the
    warehouse is as of (the last collection, else the present): nothing later is known."""
    return min(_day_end(day), health.as_of(con) or datetime.now(UTC))


def _month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months before ``today``'s month, oldest first."""
    out = []
    first = today.replace(day=1)
    for _ in range(months):
        last = first - timedelta(days=1)
        out.append(last)
        first = last.replace(day=1)
    return sorted(out)
