"""The trend of a goal's value, a least-squares slope through its dated history
(:func:`fit_trend`), and the range a projection along it is kept within."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# The trend is fitted over the history points of this many days before "today" ...
TREND_DAYS = 365
# ... and needs at least two points at least this many days apart; else the projection is flat.
MIN_TREND_SPAN_DAYS = 14


@dataclass(frozen=True, slots=True)
class Trend:
    slope_per_day: float | None
    points: int
    first: date | None


def fit_trend(points: Sequence[tuple[date, float]]) -> Trend:
    """Least-squares slope (units per day) through dated values; None with fewer than two points
    or when they span less than MIN_TREND_SPAN_DAYS days."""
    pts = [(d, v) for d, v in points if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not pts:
        return Trend(None, 0, None)
    first = min(d for d, _ in pts)
    xs = [(d - first).days for d, _ in pts]
    ys = [float(v) for _, v in pts]
    if len(pts) < 2 or max(xs) - min(xs) < MIN_TREND_SPAN_DAYS:
        return Trend(None, len(pts), first)
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return Trend(sxy / sxx, len(pts), first)


def _clip(value: float, unit: str) -> float:
    if unit == "share":
        return min(max(value, 0.0), 1.0)
    if unit == "score":
        return min(max(value, 0.0), 100.0)
    return max(value, 0.0)
