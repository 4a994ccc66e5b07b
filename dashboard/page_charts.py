"""Charts of the attention list and data status pages: DataFrames in, Altair charts out.

No Streamlit and no SQL here. Texts through the caller's Translator (keys ``attention.chart.*``
and ``status.chart.*``); numbers and dates in its language (``chart_base.config``).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import chart_base as base
from dashboard.i18n import Translator
from warehouse.metrics import ATTENTION_REASONS
from warehouse.pages.activity_figures import MAX_CHART_POINTS

# One colour per attention reason (Okabe-Ito, then greys for reasons added later).
_REASON_COLOURS = {
    "abandoned": "#D55E00",
    "inactive": "#E69F00",
    "declining": "#F0E442",
    "single_maintainer": "#CC79A7",
    "unanswered_change_request": "#0072B2",
    "unanswered_issue": "#56B4E9",
    "contract_expired": "#000000",
    "contract_expiring": "#999999",
}


def attention_by_entity(rows: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """Findings per entity, stacked by reason, the entity's name above its bar. ``rows``:
    attention list rows with entity_name (already narrowed to the reasons the page shows)."""
    title = t("attention.chart.title")
    if rows.empty:
        return base.message(t, title, t("attention.chart.empty"))
    counts = rows.groupby(["entity_name", "reason"], as_index=False).size().rename(columns={"size": "findings"})
    counts = counts.head(MAX_CHART_POINTS // 2)
    reasons = [r for r in ATTENTION_REASONS if r in set(counts["reason"])]
    reasons += sorted(set(counts["reason"]) - set(reasons))
    counts["reason_label"] = counts["reason"].map(lambda r: t.label("reason", r))
    counts["order"] = counts["reason"].map({r: i for i, r in enumerate(reasons)})
    totals = counts.groupby("entity_name")["findings"].sum().sort_values(ascending=False)
    order = list(totals.index)
    labels = [t.label("reason", r) for r in reasons]
    colour = alt.Color(
        "reason_label:N",
        title=t("attention.chart.reason"),
        scale=alt.Scale(domain=labels, range=[_REASON_COLOURS.get(r, "#bbbbbb") for r in reasons]),
        legend=base.legend(labels, t("attention.chart.reason")),
    )
    bars = alt.Chart(counts).mark_bar(size=base.BAR_SIZE).encode(
        y=base.row_axis("entity_name", order),
        x=alt.X("findings:Q", title=t("attention.chart.findings"), axis=alt.Axis(tickMinStep=1)),
        color=colour,
        order=alt.Order("order:Q"),
        tooltip=[
            alt.Tooltip("entity_name:N", title=t("attention.chart.entity")),
            alt.Tooltip("reason_label:N", title=t("attention.chart.reason")),
            alt.Tooltip("findings:Q", title=t("attention.chart.findings"), format=","),
        ],
    )
    names = base.labelled_rows(alt.Chart(pd.DataFrame({"entity_name": order})), "entity_name", order)
    # Size and locale passed to the constructor (.properties() and .configure() copy the chart).
    return alt.LayerChart(layer=[bars, names], title=title, height=alt.Step(base.ROW_STEP), config=base.config(t))


def requests_per_run(runs: pd.DataFrame, t: Translator) -> alt.Chart:
    """Requests per collection run, split into answers with data and 304 Not Modified.

    ``runs``: ``warehouse.pages.run_log.runs`` rows (run_id, started_at, requests, not_modified)."""
    recent = runs.sort_values("started_at").tail(MAX_CHART_POINTS // 2)
    long = pd.concat([
        pd.DataFrame({"run_id": recent["run_id"], "started_at": recent["started_at"], "part": "full",
                      "requests": recent["requests"] - recent["not_modified"]}),
        pd.DataFrame({"run_id": recent["run_id"], "started_at": recent["started_at"], "part": "not_modified",
                      "requests": recent["not_modified"]}),
    ], ignore_index=True)
    long["part_label"] = long["part"].map(lambda p: t(f"status.chart.{p}"))
    long["run"] = long["run_id"].astype(str)
    long["when"] = long["started_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    order = [str(r) for r in recent["run_id"]]
    labels = [t("status.chart.full"), t("status.chart.not_modified")]
    return alt.Chart(long, title=t("status.chart.title"), height=300, config=base.config(t)).mark_bar(size=36).encode(
        x=alt.X("run:N", sort=order, title=t("status.chart.run"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("requests:Q", title=t("status.chart.requests"), stack=True),
        color=alt.Color("part_label:N", title=t("status.chart.answer"),
                        scale=alt.Scale(domain=labels, range=["#0072B2", "#009E73"]),
                        legend=base.legend(labels, t("status.chart.answer"))),
        tooltip=[
            alt.Tooltip("run:N", title=t("status.chart.run")),
            alt.Tooltip("when:T", title=t("status.chart.started"), format=base.date_format(t) + ", %H:%M"),
            alt.Tooltip("part_label:N", title=t("status.chart.answer")),
            alt.Tooltip("requests:Q", title=t("status.chart.requests"), format=","),
        ],
    )
