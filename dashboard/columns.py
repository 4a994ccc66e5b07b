"""Column labels and formats shared by the dashboard's tables."""

from __future__ import annotations

import streamlit as st

ACTIVITY = {
    "repos": st.column_config.NumberColumn("Repositories", format="%d"),
    "commits_90d": st.column_config.NumberColumn(
        "Commits (90 days)", format="%d", help="Commits on the default branch in the last 90 days"
    ),
    "active_contributors_90d": st.column_config.NumberColumn(
        "Active contributors (90 days)",
        format="%d",
        help="Distinct commit authors in the last 90 days, bots excluded",
    ),
    "last_activity": st.column_config.DatetimeColumn(
        "Last activity", format="YYYY-MM-DD", help="Latest commit or push (UTC)"
    ),
}
