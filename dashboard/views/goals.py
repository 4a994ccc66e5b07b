"""Goals and council report: each goal of one entity with its target, value now, trend, deadline
and status in plain words, and the council report to download."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import chart_base, columns, data, filters, goal_charts, report
from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES
from dashboard.text import md_escape
from warehouse import goals
from warehouse.pages import directory

f = filters.current()
t = f.t

st.title(t("nav.goals"))

listing = data.query(directory.entities)
if f.country:
    listing = listing[listing["country"] == f.country]
if f.archetype:
    listing = listing[listing["archetype"] == f.archetype]
if listing.empty:
    st.info(t("common.filtered_out"), icon=":material/filter_alt_off:")
    st.stop()

names = dict(zip(listing["entity_id"], listing["name"]))
# The page opens on the first entity that has goals: those come first, then the others.
with_goals = set(data.query(goals.entities_with_goals))
order = [e for e in names if e in with_goals] + [e for e in names if e not in with_goals]
entity_id = filters.choose(
    "entity", order, t("goals.entity"),
    format_func=lambda e: names.get(e, e) if e in with_goals else t("goals.entity_without_goals", name=names.get(e, e)),
)
if f.forge:
    st.caption(t("goals.forge_not_applied", forge=t.label("forge", f.forge)))

st.header(md_escape(names[entity_id]))
filters.link(t("goals.entity_link", entity=md_escape(names[entity_id])), "views/entity.py", key="goals.entity_link",
             icon=":material/location_city:", entity=entity_id)

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


def show_date(value: Any) -> str:
    """Every date on this page in the language's one date format (the council report's too)."""
    return t.date(value)


def _cap(text: str) -> str:
    """A status word at the start of a sentence."""
    return text[:1].upper() + text[1:]


def _report_file(render, entity_id: str, lang: str):
    # What the report says is read once per snapshot and language (cached): the second format
    # only renders it.
    return render(data.query(report.build_report, entity_id, lang))


def show_trend(goal: pd.Series) -> str:
    slope = goal["trend_per_month"]
    amount = t("goals.per_month", change=report.change_text(t, float(slope), str(goal["unit"])))
    key = "goals.trend_reconstructed" if bool(goal["reconstructed"]) else "goals.trend"
    return t(key, amount=amount, points=t.number(goal["trend_points"]), since=show_date(goal["trend_from"]))


# Streamlit's boxes by the warehouse's tone of each status.
# (No st.error: an error box on a page means the page failed.)
# The goals table: the goal (its first column, kept in view on a phone), its status, then the figures.
GOAL_COLUMNS = ["metric_label", "status_label", "target_shown", "value_shown", "trend_shown", "projected_shown",
                "deadline_shown", "then_shown"]
_BOX = {"good": st.success, "warning": st.warning, "bad": st.warning, "neutral": st.info}
# No arrows: an off-track goal may be rising too slowly and an on-track one falling towards a
# ceiling; an arrow would tell a council a direction the trend does not have.
_ICON = {
    goals.ACHIEVED: ":material/verified:",
    goals.MET_AT_RISK: ":material/warning:",
    goals.ON_TRACK: ":material/check_circle:",
    goals.AT_RISK: ":material/warning:",
    goals.OFF_TRACK: ":material/report:",
    goals.NOT_ENOUGH_HISTORY: ":material/hourglass_empty:",
    goals.MET_AT_DEADLINE: ":material/event_available:",
    goals.MISSED_AT_DEADLINE: ":material/event_busy:",
    goals.DEADLINE_PASSED: ":material/event:",
    goals.NO_DATA: ":material/help:",
}

if progress.empty:
    st.info(t("goals.no_goals", entity=md_escape(names[entity_id])), icon=":material/flag:")
    st.markdown(t("goals.how_to_set"))
else:
    progress = progress.sort_values("goal_no").reset_index(drop=True)
    as_of = progress["as_of"].iloc[0]
    st.caption(t("goals.intro_one", when=show_date(as_of)) if len(progress) == 1
               else t("goals.intro", count=t.number(len(progress)), when=show_date(as_of)))

    # The count of each status some goal has, in the warehouse's order.
    counts = progress["status"].value_counts()
    present = [s for s in goals.STATUSES if counts.get(s, 0)]
    boxes = st.columns(1 + max(len(present), 3))
    boxes[0].metric(t("goals.figure.goals"), t.number(len(progress)))
    for column, status in zip(boxes[1:], present):
        column.metric(_cap(t.label("status", status)), t.number(int(counts.get(status, 0))))

    for _, goal in progress.iterrows():
        metric = str(goal["metric"])
        unit = str(goal["unit"])
        label = t.label("goal_metric", metric)
        status = str(goal["status"])
        days_left = int(goal["days_left"])
        with st.container(border=True):
            st.subheader(md_escape(label))
            # The deadline is a long date: its box gets the room to show it whole. Past the
            # deadline, the value at it stands beside the value now, in place of the days left.
            if days_left <= 0:
                target_c, then_c, value_c, deadline_c = st.columns([1, 1.3, 1, 1.8])
                then = goal["deadline_value"]
                then_c.metric(t("goals.figure.then"), show_value(then, unit),
                              help=None if _missing(then) else t("goals.figure.then_help",
                                                                 when=show_date(goal["deadline_value_date"])))
            else:
                target_c, value_c, deadline_c, left_c = st.columns([1, 1, 1.8, 1])
                left_c.metric(t("goals.figure.days_left"), t.number(days_left))
            target_c.metric(t("goals.figure.target"), show_value(goal["target"], unit))
            value_c.metric(t("goals.figure.value"), show_value(goal["value"], unit))
            deadline_c.metric(t("goals.figure.deadline"), show_date(goal["deadline"]),
                              help=t("goals.figure.days_past", days=t.count("common.days_since", -days_left)) if days_left < 0 else None)
            shown = report.goal_from_progress(goal.to_dict())
            texts = report.goal_texts(t, shown)
            box = _BOX.get(goals.STATUS_TONE.get(status, "neutral"), st.info)
            box(md_escape(texts.sentence), icon=_ICON.get(status, ":material/flag:"))
            if days_left > 0 and not _missing(goal["trend_per_month"]):
                st.caption(show_trend(goal))
            history = data.query(goals.goal_history, entity_id, metric)
            chart_base.draw(st, goal_charts.goal_trend(history, goal.to_dict(), t))

    st.subheader(t("goals.table_heading"))
    # The value at the deadline only where a deadline has passed (else the column would be all "–").
    shown_columns = [c for c in GOAL_COLUMNS if c != "then_shown" or (progress["days_left"] <= 0).any()]
    table = pd.DataFrame({
        "metric": progress["metric"],
        "metric_label": progress["metric"].map(lambda m: t.label("goal_metric", m)),
        "unit": progress["unit"],
        "target": progress["target"],
        "value": progress["value"],
        "target_shown": [show_value(v, u) for v, u in zip(progress["target"], progress["unit"])],
        "value_shown": [show_value(v, u) for v, u in zip(progress["value"], progress["unit"])],
        "projected_shown": [show_value(v, u) if d > 0 and not _missing(s) else t.none()
                            for v, u, d, s in zip(progress["projected"], progress["unit"], progress["days_left"],
                                                  progress["trend_per_month"])],
        "then_shown": [show_value(v, u) if d <= 0 else t.none()
                       for v, u, d in zip(progress["deadline_value"], progress["unit"], progress["days_left"])],
        "trend_shown": [t.none() if _missing(s) else t("goals.per_month", change=report.change_text(t, float(s), u))
                        for s, u in zip(progress["trend_per_month"], progress["unit"])],
        "deadline": progress["deadline"],
        "deadline_shown": progress["deadline"].map(show_date),
        "days_left": progress["days_left"],
        "status": progress["status"],
        "status_label": progress["status"].map(lambda s: t.label("status", s)),
        "projected": progress["projected"],
        "trend_per_month": progress["trend_per_month"],
        "deadline_value": progress["deadline_value"],
        "deadline_value_date": progress["deadline_value_date"],
    })
    st.dataframe(
        table,
        hide_index=True,
        column_order=shown_columns,
        column_config=columns.fitted(table, order=shown_columns, flexible="metric_label", config={
            "metric_label": st.column_config.TextColumn(t("goals.col.metric")),
            "target_shown": st.column_config.TextColumn(t("goals.col.target")),
            "value_shown": st.column_config.TextColumn(t("goals.col.value")),
            "trend_shown": st.column_config.TextColumn(t("goals.col.trend")),
            "projected_shown": st.column_config.TextColumn(t("goals.col.projected"),
                                                           help=t("goals.col.projected_help")),
            "deadline_shown": st.column_config.TextColumn(t("goals.col.deadline")),
            "then_shown": st.column_config.TextColumn(t("goals.col.then"), help=t("goals.col.then_help")),
            "status_label": st.column_config.TextColumn(t("goals.col.status")),
        }),
    )
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, table.drop(columns=["target_shown", "value_shown", "projected_shown", "then_shown",
                                                 "trend_shown", "deadline_shown"])),
        file_name=f"ossdash-goals-{entity_id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="goals.csv",
    )
    with st.expander(t("goals.method_heading"), icon=":material/rule:"):
        st.markdown("\n".join(f"- {md_escape(rule)}" for rule in report.rules_texts(
            t, [report.goal_from_progress(r) for r in progress.to_dict("records")])))

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
    partial(_report_file, report.render_html, entity_id, report_lang),
    file_name=f"ossdash-report-{entity_id}-{report_lang}.html",
    mime="text/html",
    icon=":material/description:",
    on_click="ignore",
    key="goals.report_html",
)
pdf_col.download_button(
    t("goals.report.pdf"),
    partial(_report_file, report.render_pdf, entity_id, report_lang),
    file_name=f"ossdash-report-{entity_id}-{report_lang}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    key="goals.report_pdf",
)
