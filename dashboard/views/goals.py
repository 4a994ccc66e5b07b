"""Goals and council report: each goal of one entity with its target, value now, trend, deadline
and status in plain words, and the council report to download."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, filters, goal_charts, report
from dashboard.export import csv_bytes
from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES
from dashboard.text import md_escape
from warehouse import goals, queries

f = filters.current()
t = f.t

st.title(t("nav.goals"))

listing = data.query(queries.entities)
if f.country:
    listing = listing[listing["country"] == f.country]
if f.archetype:
    listing = listing[listing["archetype"] == f.archetype]
if listing.empty:
    st.info(t("common.filtered_out"), icon=":material/filter_alt_off:")
    st.stop()

names = dict(zip(listing["entity_id"], listing["name"]))
entity_id = filters.choose("entity", list(names), t("goals.entity"), format_func=lambda e: names.get(e, e))
if f.forge:
    st.caption(t("goals.forge_not_applied", forge=t.label("forge", f.forge)))

st.header(md_escape(names[entity_id]))

progress = data.query(goals.goal_progress, entity_id=entity_id)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def show_value(value: Any, unit: str) -> str:
    """A goal metric's value as the council report writes it: shares as percentages, counts as
    numbers, hours, days and rates per year with their word."""
    return report.value_text(t, None if _missing(value) else float(value), unit)


def _cap(text: str) -> str:
    """A status word at the start of a sentence."""
    return text[:1].upper() + text[1:]


def show_trend(goal: pd.Series) -> str:
    slope = goal["trend_per_month"]
    if _missing(slope):
        return t("goals.trend_none", days=t.number(goals.MIN_TREND_SPAN_DAYS))
    if goal["unit"] == "share":
        amount = t("goals.points_per_month", points=t.number(slope * 100, 1))
    else:
        amount = t("goals.count_per_month", count=t.number(slope, 1))
    key = "goals.trend_reconstructed" if bool(goal["reconstructed"]) else "goals.trend"
    return t(key, amount=amount, points=t.number(goal["trend_points"]), since=t.date(goal["trend_from"]))


def status_sentence(goal: pd.Series) -> str:
    """The goal's status in plain words: what the trend says about the deadline."""
    unit = goal["unit"]
    values = dict(
        status=_cap(t.label("status", goal["status"])),
        value=show_value(goal["value"], unit),
        target=show_value(goal["target"], unit),
        projected=show_value(goal["projected"], unit),
        deadline=t.date(goal["deadline"]),
    )
    status = str(goal["status"]).replace(" ", "_")
    if status == "no_data":
        return t("goals.sentence.no_data", **values)
    if status == "achieved":
        return t("goals.sentence.achieved", **values)
    if int(goal["days_left"]) <= 0:
        return t("goals.sentence.deadline_passed", **values)
    lower = "_lower" if bool(goal.get("lower_is_better", False)) else ""
    if _missing(goal["trend_per_month"]):
        return t(f"goals.sentence.no_trend{lower}", **values)
    if t.has(f"goals.sentence.{status}{lower}"):
        return t(f"goals.sentence.{status}{lower}", **values)
    if t.has(f"goals.sentence.{status}"):
        return t(f"goals.sentence.{status}", **values)
    return t("goals.sentence.other", **values)


_BOX = {"achieved": st.success, "on_track": st.success, "at_risk": st.warning, "off_track": st.warning}
_ICON = {
    "achieved": ":material/verified:",
    "on_track": ":material/trending_up:",
    "at_risk": ":material/warning:",
    "off_track": ":material/trending_down:",
    "no_data": ":material/help:",
}

if progress.empty:
    st.info(t("goals.no_goals", entity=md_escape(names[entity_id])), icon=":material/flag:")
    st.markdown(t("goals.how_to_set"))
    st.code('[[entity.goal]]\nmetric = "osi_licence_share"\ntarget = 0.9\ndeadline = 2027-12-31', language="toml")
else:
    progress = progress.sort_values("goal_no").reset_index(drop=True)
    as_of = progress["as_of"].iloc[0]
    st.caption(t("goals.intro_one", when=t.date(as_of)) if len(progress) == 1
               else t("goals.intro", count=t.number(len(progress)), when=t.date(as_of)))

    counts = progress["status"].value_counts()
    columns = st.columns(1 + len(goals.STATUSES))
    columns[0].metric(t("goals.figure.goals"), t.number(len(progress)))
    for column, status in zip(columns[1:], goals.STATUSES):
        column.metric(_cap(t.label("status", status)), t.number(int(counts.get(status, 0))))

    for _, goal in progress.iterrows():
        metric = str(goal["metric"])
        unit = str(goal["unit"])
        label = t.label("goal_metric", metric)
        status = str(goal["status"]).replace(" ", "_")
        with st.container(border=True):
            st.subheader(md_escape(label))
            target_c, value_c, deadline_c, left_c = st.columns(4)
            target_c.metric(t("goals.figure.target"), show_value(goal["target"], unit))
            value_c.metric(t("goals.figure.value"), show_value(goal["value"], unit))
            deadline_c.metric(t("goals.figure.deadline"), t.date(goal["deadline"]))
            days_left = int(goal["days_left"])
            if days_left >= 0:
                left_c.metric(t("goals.figure.days_left"), t.number(days_left))
            else:
                left_c.metric(t("goals.figure.days_past"), t.number(-days_left))
            box = _BOX.get(status, st.info)
            box(status_sentence(goal), icon=_ICON.get(status, ":material/flag:"))
            st.caption(show_trend(goal))
            history = data.query(goals.goal_history, entity_id, metric)
            st.altair_chart(goal_charts.goal_trend(history, goal.to_dict(), t), width="stretch")

    st.subheader(t("goals.table_heading"))
    table = pd.DataFrame({
        "metric": progress["metric"],
        "metric_label": progress["metric"].map(lambda m: t.label("goal_metric", m)),
        "unit": progress["unit"],
        "target": progress["target"],
        "value": progress["value"],
        "target_shown": [show_value(v, u) for v, u in zip(progress["target"], progress["unit"])],
        "value_shown": [show_value(v, u) for v, u in zip(progress["value"], progress["unit"])],
        "projected_shown": [show_value(v, u) for v, u in zip(progress["projected"], progress["unit"])],
        "deadline": progress["deadline"],
        "deadline_shown": progress["deadline"].map(t.date),
        "days_left": progress["days_left"],
        "status": progress["status"],
        "status_label": progress["status"].map(lambda s: t.label("status", s)),
        "projected": progress["projected"],
        "trend_per_month": progress["trend_per_month"],
    })
    st.dataframe(
        table,
        hide_index=True,
        column_order=["metric_label", "target_shown", "value_shown", "projected_shown", "deadline_shown", "days_left",
                      "status_label"],
        column_config={
            "metric_label": st.column_config.TextColumn(t("goals.col.metric"), width="large"),
            "target_shown": st.column_config.TextColumn(t("goals.col.target")),
            "value_shown": st.column_config.TextColumn(t("goals.col.value")),
            "projected_shown": st.column_config.TextColumn(t("goals.col.projected"),
                                                           help=t("goals.col.projected_help")),
            "deadline_shown": st.column_config.TextColumn(t("goals.col.deadline")),
            "days_left": st.column_config.NumberColumn(t("goals.col.days_left"), format="%d"),
            "status_label": st.column_config.TextColumn(t("goals.col.status")),
        },
    )
    st.download_button(
        t("common.download_csv"),
        csv_bytes(table.drop(columns=["target_shown", "value_shown", "projected_shown", "deadline_shown"])),
        file_name=f"ossdash-goals-{entity_id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="goals.csv",
    )
    st.caption(t("goals.method", ratio=t.percent(goals.AT_RISK_RATIO), days=t.number(goals.TREND_DAYS)))

# ------------------------------------------------------------------------- council report
st.subheader(t("goals.report.heading"))
st.caption(t("goals.report.intro"))
# The report's language follows the page's until chosen otherwise (the key changes with the page's).
report_lang = st.segmented_control(
    t("goals.report.language"), list(LANGUAGES), default=f.lang, key=f"goals.report_lang.{f.lang}",
    format_func=LANGUAGE_NAMES.get,
) or f.lang
html_col, pdf_col = st.columns(2)
# The files are made when a button is clicked (not on every run of the page): data is a callable.
html_col.download_button(
    t("goals.report.html"),
    partial(data.query, report.html_report, entity_id, report_lang),
    file_name=f"ossdash-report-{entity_id}-{report_lang}.html",
    mime="text/html",
    icon=":material/description:",
    on_click="ignore",
    key="goals.report_html",
)
pdf_col.download_button(
    t("goals.report.pdf"),
    partial(data.query, report.pdf_report, entity_id, report_lang),
    file_name=f"ossdash-report-{entity_id}-{report_lang}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    key="goals.report_pdf",
)
