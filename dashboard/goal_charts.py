"""A goal's trend for the goals page (and the council report, if it wants it): DataFrame in,
Altair chart out. No Streamlit and no SQL here; texts through the caller's Translator
(keys ``goals.chart.*``), numbers and dates in its language (``chart_base``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from dashboard import chart_base as base
from dashboard.i18n import Translator
from warehouse.pages.activity_figures import MAX_CHART_POINTS

SOURCES = ("observed", "reconstructed", "now")
_SOURCE_COLOURS = {"observed": "#0072B2", "reconstructed": "#999999", "now": "#D55E00"}
_SOURCE_SHAPES = {"observed": "circle", "reconstructed": "diamond", "now": "square"}


def value_format(unit: str) -> str:
    """The d3 format of a goal metric's values: shares as percentages, anything else as a number."""
    return ".0%" if unit == "share" else ",.2~f"


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def trend_points(history: pd.DataFrame, goal: Mapping[str, Any]) -> pd.DataFrame:
    """The points to draw: stored snapshots before today (observed or reconstructed), then the
    value now. Columns: date (Timestamp), value, source (observed | reconstructed | now)."""
    as_of = pd.Timestamp(goal["as_of"])
    pts = history.loc[history["value"].notna(), ["snapshot_date", "value", "source"]].copy()
    pts["date"] = pd.to_datetime(pts["snapshot_date"])
    pts = pts[pts["date"] < as_of]
    pts["source"] = pts["source"].where(pts["source"].isin(SOURCES[:2]), "observed")
    pts = pts[["date", "value", "source"]].sort_values("date").tail(MAX_CHART_POINTS - 10)
    if not _missing(goal.get("value")):
        pts = pd.concat([pts, pd.DataFrame({"date": [as_of], "value": [float(goal["value"])], "source": ["now"]})],
                        ignore_index=True)
    return pts.reset_index(drop=True)


def goal_trend(history: pd.DataFrame, goal: Mapping[str, Any], t: Translator) -> alt.LayerChart:
    """One goal: its history (observed and reconstructed points told apart), the value now, the
    trend projected to the deadline (dashed), the target (horizontal rule) and the deadline
    (vertical rule), with tooltips.

    ``history``: ``warehouse.goals.goal_history`` rows of the goal's entity and metric
    (snapshot_date, value, source). ``goal``: a row of ``warehouse.goals.goal_progress`` (metric,
    unit, target, deadline, as_of, value, trend_per_month, projected).
    """
    unit = str(goal.get("unit") or "count")
    fmt = value_format(unit)
    pts = trend_points(history, goal)
    pts["source_label"] = pts["source"].map(lambda s: t(f"goals.chart.source_{s}"))
    target = float(goal["target"])
    deadline = pd.Timestamp(goal["deadline"])
    as_of = pd.Timestamp(goal["as_of"])
    shown_sources = [s for s in SOURCES if s in set(pts["source"])]
    source_scale = {"domain": [t(f"goals.chart.source_{s}") for s in shown_sources]}
    date_title = t("goals.chart.date")
    date_format = base.date_format(t)
    value_title = t("goals.chart.value")
    x_dates = [d for d in [*pts["date"], deadline, as_of] if not pd.isna(d)]
    x_scale = alt.Scale(domain=[min(x_dates).isoformat(), (max(x_dates) + pd.Timedelta(days=20)).isoformat()])
    values = [v for v in [*pts["value"], target, goal.get("projected")] if not _missing(v)]
    if unit == "share":
        y_scale = alt.Scale(domain=[0, 1])
    elif unit == "score":
        y_scale = alt.Scale(domain=[0, 100])
    else:
        y_scale = alt.Scale(domain=[0, max(values) * 1.1 if values and max(values) > 0 else 1], nice=True)
    x = alt.X("date:T", title=date_title, scale=x_scale, axis=alt.Axis(format="%b %Y"))
    y = alt.Y("value:Q", title=value_title, scale=y_scale, axis=alt.Axis(format=fmt))
    point_tooltip = [
        alt.Tooltip("date:T", title=date_title, format=date_format),
        alt.Tooltip("value:Q", title=value_title, format=fmt),
        alt.Tooltip("source_label:N", title=t("goals.chart.source")),
    ]
    layers = []
    if len(pts):
        layers.append(alt.Chart(pts).mark_line(color="#8aa4bf", strokeWidth=1.5).encode(x=x, y=y))
        layers.append(
            alt.Chart(pts).mark_point(filled=True, size=70, opacity=0.95).encode(
                x=x, y=y,
                color=alt.Color("source_label:N", title=t("goals.chart.source"),
                                scale=alt.Scale(**source_scale, range=[_SOURCE_COLOURS[s] for s in shown_sources]),
                                legend=base.legend(source_scale["domain"], t("goals.chart.source"))),
                shape=alt.Shape("source_label:N", title=t("goals.chart.source"),
                                scale=alt.Scale(**source_scale, range=[_SOURCE_SHAPES[s] for s in shown_sources])),
                tooltip=point_tooltip,
            )
        )
    projected = goal.get("projected")
    if not _missing(goal.get("trend_per_month")) and not _missing(projected) and not _missing(goal.get("value")) \
            and deadline > as_of:
        line = pd.DataFrame({"date": [as_of, deadline], "value": [float(goal["value"]), float(projected)],
                             "label": [t("goals.chart.trend")] * 2})
        layers.append(
            alt.Chart(line).mark_line(strokeDash=[6, 4], color="#D55E00", opacity=0.8).encode(
                x=x, y=y,
                tooltip=[alt.Tooltip("label:N", title=t("goals.chart.line")),
                         alt.Tooltip("date:T", title=date_title, format=date_format),
                         alt.Tooltip("value:Q", title=value_title, format=fmt)],
            )
        )
    rule_target = pd.DataFrame({"value": [target], "label": [t("goals.chart.target")]})
    layers.append(
        alt.Chart(rule_target).mark_rule(color="#009E73", strokeDash=[4, 3], strokeWidth=2).encode(
            y=y, tooltip=[alt.Tooltip("label:N", title=t("goals.chart.line")),
                          alt.Tooltip("value:Q", title=value_title, format=fmt)],
        )
    )
    rule_deadline = pd.DataFrame({"date": [deadline], "label": [t("goals.chart.deadline")]})
    layers.append(
        alt.Chart(rule_deadline).mark_rule(color="#444444", strokeWidth=2).encode(
            x=x, tooltip=[alt.Tooltip("label:N", title=t("goals.chart.line")),
                          alt.Tooltip("date:T", title=date_title, format=date_format)],
        )
    )
    # "target" above the start of its line, "deadline" just left of its rule near the top.
    top = float(y_scale.domain[1])
    layers.append(
        alt.Chart(pd.DataFrame({"date": [min(x_dates)], "value": [target], "text": [t("goals.chart.target")]}))
        .mark_text(align="left", dy=-7, color="#009E73", fontSize=11).encode(x=x, y=y, text="text:N")
    )
    layers.append(
        alt.Chart(pd.DataFrame({"date": [deadline], "value": [top], "text": [t("goals.chart.deadline")]}))
        .mark_text(align="right", dx=-4, dy=8, color="#444444", fontSize=11).encode(x=x, y=y, text="text:N")
    )
    title = t("goals.chart.title", metric=t.label("goal_metric", goal["metric"]))
    # Title, size and locale passed to the constructor: .properties() and .configure() would each
    # deep-copy every layer again.
    return alt.LayerChart(layer=layers, title=title, height=340, config=base.config(t))
