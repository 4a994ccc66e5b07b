"""Entity view: one city's (or institution's) repositories and activity."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.columns import ACTIVITY
from dashboard.export import csv_bytes
from dashboard.text import md_escape, web_url

MONTHS = 36

snapshot = data.current_snapshot()
listing = data.entities(snapshot)
names = dict(zip(listing["entity_id"], listing["name"]))
ids = list(names)

# ?entity=ID makes an entity view linkable; the choice made here is written back to the URL.
requested = st.query_params.get("entity")
if requested is not None and requested not in names:
    st.warning(f"There is no entity with the ID “{md_escape(requested)}”.")
entity_id = st.selectbox(
    "Entity",
    ids,
    index=ids.index(requested) if requested in names else 0,
    format_func=lambda i: f"{names[i]} ({i})",
)
st.query_params["entity"] = entity_id

info = data.entity(snapshot, entity_id)
if info is None:  # vanished in a snapshot published since the list was read
    st.warning("This entity is no longer in the warehouse; reload the page.")
    st.stop()

overview = data.overview(snapshot)
figures = overview.loc[overview["entity_id"] == entity_id].iloc[0]

st.title(md_escape(info["name"]))
st.caption(md_escape(f"{info['country']} · {info['archetype']} · ID {entity_id}"))

repos_m, commits_m, people_m, last_m = st.columns(4)
repos_m.metric("Repositories", int(figures["repos"]))
commits_m.metric("Commits, last 90 days", int(figures["commits_90d"]))
people_m.metric("Active contributors, last 90 days", int(figures["active_contributors_90d"]))
last = figures["last_activity"]
last_m.metric("Last activity", f"{last:%Y-%m-%d}" if pd.notna(last) else "none")

st.subheader("Repositories")
repos = data.entity_repos(snapshot, entity_id)
if repos.empty:
    st.info("No repositories have been collected for this entity.")
else:
    st.dataframe(
        repos.assign(html_url=repos["html_url"].map(web_url)),
        hide_index=True,
        column_order=[
            "path",
            "description",
            "forge",
            "host",
            "archived",
            "license",
            "stars",
            "commits_90d",
            "active_contributors_90d",
            "last_activity",
            "html_url",
        ],
        column_config={
            "path": st.column_config.TextColumn("Repository"),
            "description": st.column_config.TextColumn("Description", width="large"),
            "forge": st.column_config.TextColumn("Forge"),
            "host": st.column_config.TextColumn("Host"),
            "archived": st.column_config.CheckboxColumn("Archived"),
            "license": st.column_config.TextColumn("Licence"),
            "stars": st.column_config.NumberColumn("Stars", format="%d"),
            "html_url": st.column_config.LinkColumn("Link", display_text="open"),
            **ACTIVITY,
        },
    )
    st.download_button(
        "Download CSV",
        csv_bytes(repos),
        file_name=f"ossdash-{entity_id}-repositories.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )

st.subheader("Commits per month")
monthly = data.commits_per_month(snapshot, entity_id, months=MONTHS)
if monthly.empty:
    st.info(f"No commits in the last {MONTHS} months.")
else:
    st.altair_chart(
        charts.commits_per_month(monthly, title=f"Commits per month, last {MONTHS} months"),
        width="stretch",
    )
