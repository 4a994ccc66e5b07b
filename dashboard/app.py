"""Streamlit entrypoint: ``ossdash serve``, or ``streamlit run dashboard/app.py`` with the warehouse
path in ``OSSDASH_DB`` (default ``ossdash.duckdb``).

This file is the frame around every page: it checks that a published warehouse with data exists,
shows where the data comes from, and runs the page chosen in the navigation. It only reads.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from warehouse import reader

st.set_page_config(page_title="ossdash", page_icon=":material/monitoring:", layout="wide")

page = st.navigation(
    [
        st.Page(
            "pages/overview.py",
            title="Ecosystem overview",
            icon=":material/public:",
            url_path="overview",
            default=True,
        ),
        st.Page(
            "pages/entity.py",
            title="Entity",
            icon=":material/location_city:",
            url_path="entity",
        ),
    ]
)


def _empty_state(headline: str, detail: str | None = None) -> None:
    st.title("ossdash")
    st.info(headline, icon=":material/database:")
    if detail:
        st.text(detail)  # DuckDB's message may quote the path: shown as plain text
    st.markdown(
        "To fill the dashboard:\n\n"
        "- `ossdash demo` collects from the built-in forge simulator, no token needed;\n"
        "- `ossdash collect` collects the accounts listed in `cities.toml` "
        "(set `GITHUB_TOKEN` / `GITLAB_TOKEN` first).\n\n"
        "Then reload this page. The dashboard reads this file:"
    )
    st.code(str(data.db_path()), language=None)


def _last_run_caption(runs: pd.DataFrame) -> str:
    if runs.empty:
        return "No collection run recorded."
    run = runs.iloc[0]
    when = run["finished_at"] if pd.notna(run["finished_at"]) else run["started_at"]
    return f"Last collection: run {int(run['run_id'])}, {run['status']}, {when:%Y-%m-%d %H:%M} UTC"


try:
    snapshot = data.current_snapshot()
    ready = data.has_data(snapshot)
except reader.DatabaseMissing:
    _empty_state("No warehouse has been published yet.")
except reader.DatabaseUnreadable as exc:
    _empty_state("The warehouse file cannot be read.", str(exc))
else:
    if ready:
        st.sidebar.caption(_last_run_caption(data.freshness(snapshot)))
        page.run()
    else:
        _empty_state("The warehouse holds no data yet.")
