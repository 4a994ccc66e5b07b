"""Streamlit entrypoint: ``ossdash serve``, or ``streamlit run dashboard/app.py`` with the warehouse
path in ``OSSDASH_DB`` (default ``ossdash.duckdb``).

This file is the frame around every page: the language switch, the navigation, the global
filters (kept across pages and in the URL, see ``filters.py``), and the check that a published
warehouse with data exists. Then it runs the page chosen in the navigation. It only reads.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, filters
from warehouse import reader, schema
from warehouse.pages import directory

FAVICON = Path(__file__).with_name("favicon.png")
# (file, key of the title, icon, URL path); the first is the default page.
PAGES = (
    ("views/overview.py", "nav.overview", ":material/public:", "overview"),
    ("views/entity.py", "nav.entity", ":material/location_city:", "entity"),
    ("views/project.py", "nav.project", ":material/folder_code:", "project"),
    ("views/attention.py", "nav.attention", ":material/notification_important:", "attention"),
    ("views/reuse.py", "nav.reuse", ":material/hub:", "reuse"),
    ("views/goals.py", "nav.goals", ":material/flag:", "goals"),
    ("views/status.py", "nav.status", ":material/monitor_heart:", "status"),
    ("views/glossary.py", "nav.glossary", ":material/menu_book:", "glossary"),
)

# The icon ships with ossdash and is served by the dashboard itself: a material icon as favicon
# would be fetched from a third party, telling it who visits a city's dashboard.
st.set_page_config(page_title="ossdash", page_icon=str(FAVICON), layout="wide")

t = filters.choose_language()
page = st.navigation(
    [
        st.Page(file, title=t(title), icon=icon, url_path=url, default=(i == 0))
        for i, (file, title, icon, url) in enumerate(PAGES)
    ]
)


def _empty_state(headline: str, detail: str | None = None) -> None:
    st.title(t("app.name"))
    st.info(headline, icon=":material/database:")
    if detail:
        st.text(detail)  # DuckDB's message may quote the path: shown as plain text
    # The path goes inside code spans, where Markdown is not interpreted.
    st.markdown(t("empty.what_to_do", path=str(data.db_path()).replace("`", "")))
    st.code(str(data.db_path()), language=None)


def _last_run_caption(runs: pd.DataFrame) -> str:
    if runs.empty:
        return t("common.no_run")
    run = runs.iloc[0]
    when = run["finished_at"] if pd.notna(run["finished_at"]) else run["started_at"]
    return t("common.last_run", run_id=int(run["run_id"]), status=t.label("status.run", run["status"]),
             when=t.datetime(when.to_pydatetime() if hasattr(when, "to_pydatetime") else when) + " UTC")


try:
    snapshot = data.current_snapshot()
    ready = data.has_data(snapshot)
except reader.DatabaseMissing:
    _empty_state(t("empty.no_warehouse"))
except reader.DatabaseUnreadable as exc:
    _empty_state(t("empty.unreadable"), str(exc))
else:
    if ready and (data.query(schema.schema_version) or 0) < schema.latest_version():
        # Written by an older ossdash: its tables lack what the pages read. The next
        # collection migrates it; until then say so rather than fail on a missing column.
        _empty_state(t("empty.outdated"))
    elif ready:
        filters.sidebar(t, data.query(directory.filter_options))
        filters.search(t, data.query(directory.entities), data.query(directory.repo_list))
        st.sidebar.caption(_last_run_caption(data.freshness(snapshot)))
        filters.follow_pending()
        page.run()
    else:
        _empty_state(t("empty.no_data"))
