"""Ecosystem overview: every entity's activity at a glance."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.columns import ACTIVITY
from dashboard.export import csv_bytes
from warehouse.queries import MAX_CHART_POINTS

MONTHS = 36

snapshot = data.current_snapshot()
overview = data.overview(snapshot)

st.title("Ecosystem overview")

total, repos, commits, active = st.columns(4)
total.metric("Entities", len(overview))
repos.metric("Repositories", int(overview["repos"].sum()))
commits.metric("Commits, last 90 days", int(overview["commits_90d"].sum()))
# People are not summed across entities: one person may contribute to several.
active.metric("Entities with commits, last 90 days", int((overview["commits_90d"] > 0).sum()))

st.subheader("Entities")
st.dataframe(
    overview,
    hide_index=True,
    column_order=[
        "name",
        "entity_id",
        "country",
        "archetype",
        "repos",
        "commits_90d",
        "active_contributors_90d",
        "last_activity",
    ],
    column_config={
        "name": st.column_config.TextColumn("Entity"),
        "entity_id": st.column_config.TextColumn("ID"),
        "country": st.column_config.TextColumn("Country"),
        "archetype": st.column_config.TextColumn("Archetype"),
        **ACTIVITY,
    },
)
st.download_button(
    "Download CSV",
    csv_bytes(overview),
    file_name="ossdash-entities.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)

st.subheader("Commits per month")
monthly = data.commits_per_month(snapshot, months=MONTHS)
if monthly.empty:
    st.info(f"No commits in the last {MONTHS} months.")
else:
    title = f"Commits per month by entity, last {MONTHS} months"
    st.altair_chart(charts.commits_per_month(monthly, title=title), width="stretch")
    shown = monthly["entity_id"].nunique()
    if shown >= MAX_CHART_POINTS // MONTHS:
        st.caption(f"The {shown} entities with the most commits in the period are shown.")
