"""Data status: the collection runs, how fresh each account's data is, what went wrong and why,
and how much of the forges' rate-limit budget the collection used."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import chart_base, columns, data, filters, page_charts
from dashboard.text import md_escape
from warehouse.pages import run_log

f = filters.current()
t = f.t
scope = f.keywords()

# The columns of each table a reader needs, sized to fit the page (the downloads have them all).
RUN_COLUMNS = ["run_id", "started_text", "status_label", "duration", "requests", "not_modified_share", "new_commits",
               "accounts", "accounts_failed", "errors", "note"]
FRESH_COLUMNS = ["owner", "state", "entity_name", "forge_label", "last_success_shown", "age", "last_status_label",
                 "host"]
ERROR_COLUMNS = ["owner", "run_id", "entity_name", "forge_label", "repo_shown", "category_label", "status_label",
                 "message"]
RATE_COLUMNS = ["owner", "run_id", "entity_name", "forge_label", "status_label", "repos_seen", "requests",
                "not_modified_share", "budget_used_share"]

st.title(t("nav.status"))
st.caption(t("status.intro", days=t.number(f.days)))

runs = data.query(run_log.runs, days=f.days)
every_run = data.query(run_log.runs)
freshness = data.query(run_log.account_freshness, **scope)
usage = data.query(run_log.rate_limit_use, days=f.days, **scope)
errors = data.query(run_log.run_errors, days=f.days, **scope)


def _when(value) -> str:
    return t.none() if pd.isna(value) else t.datetime(value.to_pydatetime()) + " UTC"


def _stamp(value) -> str:
    """A UTC time as text in the language's date format (the column says UTC); "–" when there is none."""
    return t.none() if pd.isna(value) else t.datetime(value.to_pydatetime())


def _duration(seconds) -> str:
    if pd.isna(seconds):
        return t.none()
    seconds = float(seconds)
    if seconds < 120:
        return t("status.seconds", n=t.number(seconds, 1 if seconds < 10 else 0))
    return t("status.minutes", n=t.number(seconds / 60, 1))


# ------------------------------------------------------------------------- figures
last = every_run.iloc[0] if len(every_run) else None
stale = int(freshness["stale"].sum())
cols = st.columns(5)
cols[0].metric(t("status.figure.runs"), t.number(len(runs)), help=t("status.figure.runs_help", days=t.number(f.days)))
cols[1].metric(t("status.figure.last_run"), t.label("status.run", last["status"]) if last is not None else t.none(),
               help=_when(last["finished_at"] if pd.notna(last["finished_at"]) else last["started_at"])
               if last is not None else None)
cols[2].metric(t("status.figure.requests"), t.number(int(runs["requests"].sum())),
               help=t("status.figure.requests_help"))
share = runs["not_modified"].sum() / runs["requests"].sum() if runs["requests"].sum() else float("nan")
cols[3].metric(t("status.figure.not_modified"), t.percent(share), help=t("status.figure.not_modified_help"))
cols[4].metric(t("status.figure.stale"), t.number(stale),
               help=t("status.figure.stale_help", days=t.number(run_log.STALE_DAYS)))

# The last run's outcome in words first: a monitor's "ok" must never sit beside a run that was not.
if last is not None and last["status"] != "ok":
    outcome = t(f"status.last_run_{last['status']}", run=t.number(int(last["run_id"])),
                failed=t.number(int(last["accounts_with_errors"])), unfinished=t.number(int(last["accounts_unfinished"])),
                errors=t.number(int(last["errors"])))
    note = last["note"] if isinstance(last["note"], str) and last["note"] else None
    text = outcome + (" " + t("status.last_run_note", note=md_escape(note)) if note else "")
    (st.error if last["status"] == "failed" else st.warning)(text, icon=":material/report:")
if stale:
    st.warning(t("status.stale_warning", count=t.number(stale), days=t.number(run_log.STALE_DAYS)),
               icon=":material/schedule:")

# ------------------------------------------------------------------------- runs
st.subheader(t("status.runs_heading"))
if runs.empty:
    st.info(t("status.no_runs", days=t.number(f.days)), icon=":material/history:")
else:
    chart_base.draw(st, page_charts.requests_per_run(runs, t))
    shown = runs.assign(
        started_text=runs["started_at"].map(_stamp),
        status_label=runs["status"].map(lambda s: t.label("status.run", s)),
        duration=runs["duration_s"].map(_duration),
        note=runs["note"].map(lambda n: n if isinstance(n, str) and n else t.none()),
        not_modified_share=columns.percents(runs["not_modified_share"]),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=RUN_COLUMNS,
        column_config=columns.fitted(shown, order=RUN_COLUMNS, flexible="note", config={
            "run_id": columns.count(t, t("status.col.run")),
            "started_text": columns.text(t("status.col.started")),
            "status_label": st.column_config.TextColumn(t("status.col.status")),
            "duration": st.column_config.TextColumn(t("status.col.duration")),
            "accounts": columns.count(t, t("status.col.accounts")),
            "accounts_failed": columns.count(t, t("status.col.accounts_failed"),
                                                             help=t("status.col.accounts_failed_help")),
            "accounts_unfinished": columns.count(t, t("status.col.accounts_unfinished"),
                                                                 help=t("status.col.accounts_unfinished_help")),
            "repos_seen": columns.count(t, t("status.col.repos"),
                                                        help=t("status.col.repos_help")),
            "new_commits": columns.count(t, t("status.col.new_commits")),
            "requests": columns.count(t, t("status.col.requests")),
            "not_modified": columns.count(t, t("status.col.not_modified"),
                                                          help=t("status.col.not_modified_help")),
            "not_modified_share": columns.share(t, t("status.col.not_modified_share")),
            "errors": columns.count(t, t("status.col.errors")),
            "warnings": columns.count(t, t("status.col.warnings"),
                                                      help=t("status.category_help.unreadable_value")),
            "note": st.column_config.TextColumn(t("status.col.note")),
        }),
    )
    st.caption(t("status.runs_note"))
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, runs), file_name="ossdash-status-runs.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="status.runs_csv",
    )

# ------------------------------------------------------------------------- freshness
st.subheader(t("status.freshness_heading"))
if freshness.empty:
    st.info(t("common.filtered_out") if f.narrowed() else t("status.no_accounts"), icon=":material/schedule:")
else:
    fresh = freshness.assign(
        forge_label=freshness["forge"].map(lambda g: t.label("forge", g)),
        last_status_label=freshness["last_status"].map(lambda s: t.none() if pd.isna(s) else t.label("status.account", s)),
        age=freshness["age_days"].map(lambda d: t.none() if pd.isna(d) else t.number(d, 1)),
        last_success_shown=freshness["last_success_at"].map(_stamp),
        last_attempt_shown=freshness["last_attempt_at"].map(_stamp),
        state=freshness["stale"].map(lambda s: t("status.stale") if s else t("status.fresh")),
    )
    st.dataframe(
        fresh,
        hide_index=True,
        column_order=FRESH_COLUMNS,
        column_config=columns.fitted(fresh, order=FRESH_COLUMNS, flexible="host", config={
            "state": st.column_config.TextColumn(t("status.col.state"),
                                                 help=t("status.col.state_help", days=t.number(run_log.STALE_DAYS))),
            "entity_name": st.column_config.TextColumn(t("status.col.entity")),
            "forge_label": st.column_config.TextColumn(t("status.col.forge")),
            "host": st.column_config.TextColumn(t("status.col.host")),
            "owner": st.column_config.TextColumn(t("status.col.account")),
            "last_success_shown": st.column_config.TextColumn(t("status.col.last_success")),
            "age": st.column_config.TextColumn(t("status.col.age"), help=t("status.col.age_help")),
            "last_status_label": st.column_config.TextColumn(t("status.col.last_status")),
            "last_attempt_shown": st.column_config.TextColumn(t("status.col.last_attempt")),
        }),
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, freshness), file_name="ossdash-status-freshness.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="status.freshness_csv",
    )

# ------------------------------------------------------------------------- errors
st.subheader(t("status.errors_heading"))
error_count = int((errors["severity"] == "error").sum())
if errors.empty and stale:
    st.info(t("status.no_errors_but_stale", days=t.number(f.days), count=t.number(stale)), icon=":material/info:")
elif errors.empty:
    st.success(t("status.no_errors", days=t.number(f.days)), icon=":material/check_circle:")
else:
    if not error_count:
        st.info(t("status.only_warnings", count=t.number(len(errors))), icon=":material/info:")
    counts = errors["category"].value_counts()
    present = [c for c in run_log.ERROR_CATEGORIES if counts.get(c, 0)]
    boxes = st.columns(max(len(present), 1))
    for column, code in zip(boxes, present):
        column.metric(t.label("status.category", code), t.number(int(counts[code])),
                      help=t(f"status.category_help.{code}"))
    shown = errors.assign(
        category_label=errors["category"].map(lambda c: t.label("status.category", c)),
        repo_shown=errors["repo_path"].fillna(t.none()),
        forge_label=errors["forge"].map(lambda g: t.label("forge", g)),
        status_label=errors["account_status"].map(lambda s: t.label("status.account", s)),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=ERROR_COLUMNS,
        column_config=columns.fitted(shown, order=ERROR_COLUMNS, flexible="message", config={
            "run_id": columns.count(t, t("status.col.run")),
            "entity_name": st.column_config.TextColumn(t("status.col.entity")),
            "forge_label": st.column_config.TextColumn(t("status.col.forge")),
            "owner": st.column_config.TextColumn(t("status.col.account")),
            "repo_shown": st.column_config.TextColumn(t("status.col.repository"), help=t("status.col.repository_help")),
            "category_label": st.column_config.TextColumn(t("status.col.category")),
            "status_label": st.column_config.TextColumn(t("status.col.account_status")),
            "message": st.column_config.TextColumn(t("status.col.message"),
                                                   help=t("status.col.message_help")),
        }),
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, errors), file_name="ossdash-status-errors.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="status.errors_csv",
    )

# ------------------------------------------------------------------------- rate limits
st.subheader(t("status.rate_heading"))
if usage.empty:
    st.info(t("status.no_runs", days=t.number(f.days)), icon=":material/speed:")
else:
    st.caption(t("status.rate_intro"))
    shown = usage.assign(
        forge_label=usage["forge"].map(lambda g: t.label("forge", g)),
        status_label=usage["status"].map(lambda s: t.label("status.account", s)),
        not_modified_share=columns.percents(usage["not_modified_share"]),
        budget_used_share=columns.percents(usage["budget_used_share"]),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=RATE_COLUMNS,
        column_config=columns.fitted(shown, order=RATE_COLUMNS, flexible="entity_name", config={
            "run_id": columns.count(t, t("status.col.run")),
            "entity_name": st.column_config.TextColumn(t("status.col.entity")),
            "forge_label": st.column_config.TextColumn(t("status.col.forge")),
            "host": st.column_config.TextColumn(t("status.col.host")),
            "owner": st.column_config.TextColumn(t("status.col.account")),
            "status_label": st.column_config.TextColumn(t("status.col.account_status")),
            "repos_seen": columns.count(t, t("status.col.repos"),
                                                        help=t("status.col.repos_help")),
            "repos_walked": columns.count(t, t("status.col.repos_walked"),
                                                          help=t("status.col.repos_walked_help")),
            "requests": columns.count(t, t("status.col.requests")),
            "not_modified": columns.count(t, t("status.col.not_modified"),
                                                          help=t("status.col.not_modified_help")),
            "not_modified_share": columns.share(t, t("status.col.not_modified_share")),
            "rate_remaining": columns.count(t, t("status.col.rate_remaining"),
                                                            help=t("status.col.rate_remaining_help")),
            "rate_limit": columns.count(t, t("status.col.rate_limit")),
            "budget_used_share": columns.share(t, t("status.col.budget_used"), help=t("status.col.budget_used_help")),
            "errors": columns.count(t, t("status.col.errors")),
        }),
    )
    st.caption(t("status.waits_not_recorded"))
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, usage), file_name="ossdash-status-requests.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="status.requests_csv",
    )
