"""The charts' geometry: a goal's history (or the health score's) in plot coordinates, with its
axis labels, target line, deadline rule and projection, translated; drawn by the HTML page as
SVG and by the PDF with fpdf2."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dashboard.i18n import Translator
from dashboard.report.model import Goal, Point, Report
from dashboard.report.text import GoalTexts, value_text

# Chart points: more than this many snapshots are thinned to the last one of each month.
MAX_CHART_POINTS = 120


@dataclass(frozen=True)
class ChartPoint:
    x: float  # 0..1 across the plot
    y: float  # 0..1 up the plot
    source: str
    tip: str


@dataclass(frozen=True)
class Chart:
    """A goal's chart in plot coordinates (0..1 both ways), labels translated."""

    title: str
    x_title: str
    y_title: str
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    points: tuple[ChartPoint, ...]
    target_y: float | None  # None: no target line (the health score's chart)
    target_label: str
    deadline_x: float | None
    deadline_label: str
    projection: tuple[tuple[float, float], tuple[float, float]] | None
    projection_tip: str | None


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def tick_text(t: Translator, value: float, unit: str, step: float) -> str:
    """An axis label: as many decimals as the step between ticks needs, no unit word."""
    if unit == "share":
        return t.percent(value, next(d for d in range(4) if abs(round(step * 100, d) - step * 100) < 1e-9))
    decimals = next((d for d in range(5) if abs(round(step, d) - step) < 1e-9), 4)
    return t.number(value, decimals)


def _month_starts(first: date, last: date, most: int = 6) -> list[date]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = max(1, math.ceil(months / most))
    y, m = first.year, first.month
    if first.day != 1:
        m += 1
    out = []
    while True:
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
        d = date(y, m, 1)
        if d > last:
            break
        out.append(d)
        m += step
    return out


def thin(points: Sequence[Point], most: int = MAX_CHART_POINTS) -> list[Point]:
    """At most ``most`` points (and today's): beyond that, the last point of each month, then
    every n-th of those, the newest kept."""
    past = [p for p in points if p.source != "now"]
    now = [p for p in points if p.source == "now"]
    if len(past) > most:
        monthly: dict[tuple[int, int], Point] = {}
        for p in past:
            monthly[(p.day.year, p.day.month)] = p
        past = list(monthly.values())
        step = math.ceil(len(past) / most)
        past = past[::-1][::step][::-1]
    return past + now


def chart(t: Translator, goal: Goal, texts: GoalTexts, show_deadline: bool = True) -> Chart | None:
    """The chart of a goal's history, or None when there is nothing to draw. A goal whose
    target is None gets no target line; ``show_deadline`` False: no deadline rule."""
    history = thin(goal.history)
    if not history:
        return None
    fmt = lambda v: value_text(t, v, goal.unit)
    days = [p.day for p in history]
    now = history[-1]
    x_first = min(days + [goal.deadline])
    x_last = max(days + [goal.deadline])
    if (x_last - x_first).days < 30:
        x_first = date.fromordinal(x_last.toordinal() - 30)
    span = (x_last - x_first).days

    def nx(d: date) -> float:
        return (d - x_first).days / span

    projection = None
    projection_tip = None
    if now.source == "now" and goal.projected is not None and goal.trend_per_month is not None and goal.days_left > 0:
        projection = ((nx(now.day), now.value), (nx(goal.deadline), goal.projected))
        projection_tip = t("report.tip_projected", deadline=t.date(goal.deadline, "long"),
                           value=fmt(goal.projected))
    values = [p.value for p in history] + ([goal.target] if goal.target is not None else [])
    if projection is not None:
        values.append(goal.projected)
    if goal.unit == "share":
        low, high, step = 0.0, 1.0, 0.25
    elif goal.unit == "score" and 0 <= min(values) and max(values) <= 100:
        low, high, step = 0.0, 100.0, 25.0
    else:
        low = min(0.0, min(values))
        top = max(values) * 1.1 if max(values) > 0 else 1.0
        step = _nice_step(top - low)
        if goal.unit == "count":
            step = float(max(1, math.ceil(step)))
        low = math.floor(low / step) * step
        high = math.ceil(top / step) * step
        if high <= low:
            high = low + step

    def ny(v: float) -> float:
        return (v - low) / (high - low)

    y_ticks = []
    k = 0
    while low + k * step <= high + 1e-9:
        v = low + k * step
        y_ticks.append((ny(v), tick_text(t, v, goal.unit, step)))
        k += 1
    x_ticks = tuple((nx(d), t.month(d)) for d in _month_starts(x_first, x_last))
    tips = {"observed": "report.tip_observed", "reconstructed": "report.tip_reconstructed", "now": "report.tip_now"}
    points = tuple(
        ChartPoint(nx(p.day), ny(p.value), p.source,
                   t(tips.get(p.source, "report.tip_observed"), when=t.date(p.day, "long"), value=fmt(p.value)))
        for p in history
    )
    if projection is not None:
        (x0, v0), (x1, v1) = projection
        projection = ((x0, ny(v0)), (x1, ny(v1)))
    return Chart(
        title=t("report.chart_title", metric=texts.metric_label),
        x_title=t("report.axis_date"),
        y_title=texts.metric_label,
        x_ticks=x_ticks,
        y_ticks=tuple(y_ticks),
        points=points,
        target_y=None if goal.target is None else ny(goal.target),
        target_label="" if goal.target is None else t("report.chart_target", target=fmt(goal.target)),
        deadline_x=nx(goal.deadline) if show_deadline else None,
        deadline_label=t("report.chart_deadline"),
        projection=projection,
        projection_tip=projection_tip,
    )


def health_chart(t: Translator, report: Report) -> Chart | None:
    """The health score's history as a chart (no target, no deadline), or None with fewer than
    two points."""
    if len(report.health) < 2:
        return None
    label = t("report.health_chart")
    now = report.health[-1]
    goal = Goal(number=0, metric="health_score", unit="score", target=None, deadline=now.day, value=now.value,
                trend_per_month=None, projected=None, status="", days_left=0,
                reconstructed=any(p.source == "reconstructed" for p in report.health), lower_is_better=False,
                history=report.health)
    return chart(t, goal, GoalTexts(label, label, "", "", "", (), None), show_deadline=False)


def health_goal(report: Report) -> Goal:
    """The health history as a :class:`Goal` for the chart's legend."""
    now = report.health[-1]
    return Goal(0, "health_score", "score", None, now.day, now.value, None, None, "", 0,
                any(p.source == "reconstructed" for p in report.health), False, report.health)
