"""Attention list: what maintainers should look at, one row per finding, with the reason, a
readable detail and links to the repository and the unanswered issue or change request."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, filters, page_charts
from dashboard.export import csv_bytes
from dashboard.text import web_url
from warehouse import metrics
from warehouse.pages import directory

ALL = "*"  # the "all" option of the entity and reason choices

f = filters.current()
t = f.t

st.title(t("nav.attention"))
st.caption(t("attention.intro", days=t.number(f.days)))

scope = f.scope()
rows = data.query(metrics.attention_list, scope, days=f.days)
listing = data.query(directory.entities)
names = dict(zip(listing["entity_id"], listing["name"]))

if f.country:
    listing = listing[listing["country"] == f.country]
if f.archetype:
    listing = listing[listing["archetype"] == f.archetype]
entity_ids = [ALL, *listing["entity_id"]]
entity = filters.choose(
    "entity", entity_ids, t("attention.entity"),
    format_func=lambda e: t("attention.all_entities") if e == ALL else names.get(e, e),
)
if entity and entity != ALL:
    rows = rows[rows["entity_id"] == entity]

known = list(metrics.ATTENTION_REASONS)
present = [r for r in known if r in set(rows["reason"])] + sorted(set(rows["reason"]) - set(known))
reason = filters.choose(
    "reason", [ALL, *known, *[r for r in present if r not in known]], t("attention.reason"),
    format_func=lambda r: t("attention.all_reasons") if r == ALL else t.label("reason", r),
)

if rows.empty:
    if f.narrowed() or entity != ALL:
        st.info(t("attention.none_in_scope"), icon=":material/filter_alt_off:")
    else:
        st.success(t("attention.none"), icon=":material/check_circle:")
    st.stop()

# Counts per reason for everything in scope (the reason choice narrows the table only).
counts = rows["reason"].value_counts()
shown = [r for r in present if counts.get(r, 0)]
per_row = 4
for start in range(0, len(shown), per_row):
    columns = st.columns(per_row)
    for column, code in zip(columns, shown[start:start + per_row]):
        column.metric(t.label("reason", code), t.number(int(counts[code])), help=t(f"attention.help.{code}")
                      if t.has(f"attention.help.{code}") else None)


# ---------------------------------------------------------------- readable details in the page's language

def _stage_inputs() -> pd.DataFrame:
    """Lifecycle inputs per repository (idle days, recent and baseline events, unanswered items)."""
    stages = data.query(metrics.lifecycle, scope)
    return stages[["forge", "host", "path", "idle_days", "recent_events", "baseline_events",
                   "unanswered_open_items"]]


def _factor_inputs() -> pd.DataFrame:
    """Commits, contributors and the top person's share per repository over the period."""
    factors = data.query(metrics.absence_factor, scope.at("repo"), days=f.days)
    return factors[["forge", "host", "path", "commits", "contributors", "top_share"]]


def _thresholds() -> Any:
    stored = getattr(metrics, "stored_thresholds", None)
    return data.query(stored) if stored is not None else metrics.LifecycleThresholds()


def _whole(value: Any) -> str:
    return t.none() if pd.isna(value) else t.number(round(float(value)))


def _detail(row: pd.Series, limits: Any) -> str:
    code = row["reason"]
    if code in ("abandoned", "inactive") and not pd.isna(row.get("idle_days")):
        if code == "abandoned":
            return t("attention.detail.abandoned", days=_whole(row["idle_days"]),
                     items=_whole(row["unanswered_open_items"]))
        return t("attention.detail.inactive", days=_whole(row["idle_days"]))
    if code == "declining" and not pd.isna(row.get("recent_events")):
        return t("attention.detail.declining", recent=_whole(row["recent_events"]),
                 baseline=_whole(row["baseline_events"]),
                 recent_days=_whole(limits.recent_days), baseline_days=_whole(limits.baseline_days))
    if code == "single_maintainer" and not pd.isna(row.get("commits")):
        return t("attention.detail.single_maintainer", commits=_whole(row["commits"]), days=t.number(f.days),
                 share=t.percent(row["top_share"]), contributors=_whole(row["contributors"]))
    if code in ("unanswered_issue", "unanswered_change_request") and not pd.isna(row["item_number"]):
        return t(f"attention.detail.{code}", number=int(row["item_number"]), days=_whole(row["days"]))
    if code in ("contract_expired", "contract_expiring") and not pd.isna(row["since"]):
        return t(f"attention.detail.{code}", date=t.date(row["since"]))
    return str(row["detail"])  # a reason this page does not know yet: the warehouse's own words


codes = set(rows["reason"])
table = rows.copy()
if codes & {"abandoned", "inactive", "declining"}:
    table = table.merge(_stage_inputs(), on=["forge", "host", "path"], how="left")
if "single_maintainer" in codes:
    table = table.merge(_factor_inputs(), on=["forge", "host", "path"], how="left")
limits = _thresholds()
table["reason_label"] = table["reason"].map(lambda r: t.label("reason", r))
table["detail_text"] = table.apply(lambda r: _detail(r, limits), axis=1)
table["entity_name"] = table["entity_id"].map(lambda e: names.get(e, e))
table["forge_label"] = table["forge"].map(lambda g: t.label("forge", g))
table["repo_url"] = table["html_url"].map(web_url)
table["item_link"] = table["item_url"].map(web_url)
# Shown as text: a missing value reads "–" in either language, not Streamlit's "None".
table["since_shown"] = table["since"].map(t.date)
table["days_shown"] = table["days"].map(lambda d: t.none() if pd.isna(d) else t.number(round(d)))

st.subheader(t("attention.chart_heading"))
st.altair_chart(page_charts.attention_by_entity(table, t), width="stretch")

st.subheader(t("attention.table_heading"))
if reason and reason != ALL:
    table = table[table["reason"] == reason]
if table.empty:
    st.info(t("attention.none_for_reason", reason=t.label("reason", reason)), icon=":material/filter_alt_off:")
    st.stop()
st.caption(t("attention.rows", count=t.number(len(table))))
st.dataframe(
    table,
    hide_index=True,
    column_order=["reason_label", "entity_name", "path", "detail_text", "since_shown", "days_shown", "repo_url",
                  "item_link", "forge_label"],
    column_config={
        "reason_label": st.column_config.TextColumn(t("attention.col.reason")),
        "entity_name": st.column_config.TextColumn(t("attention.col.entity")),
        "path": st.column_config.TextColumn(t("attention.col.repository")),
        "forge_label": st.column_config.TextColumn(t("attention.col.forge")),
        "detail_text": st.column_config.TextColumn(t("attention.col.detail"), width="medium"),
        "since_shown": st.column_config.TextColumn(t("attention.col.since"), help=t("attention.col.since_help")),
        "days_shown": st.column_config.TextColumn(t("attention.col.days"), help=t("attention.col.days_help")),
        "repo_url": st.column_config.LinkColumn(t("attention.col.repo_link"), display_text=t("common.open_link")),
        "item_link": st.column_config.LinkColumn(t("attention.col.item_link"), display_text=t("common.open_link")),
    },
)
export = table[["entity_id", "entity_name", "forge", "host", "path", "reason", "reason_label", "detail_text",
                "item_kind", "item_number", "since", "days", "repo_url", "item_link"]].rename(
    columns={"detail_text": "detail", "repo_url": "html_url", "item_link": "item_url"})
st.download_button(
    t("common.download_csv"),
    csv_bytes(export),
    file_name="ossdash-attention.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="attention.csv",
)
