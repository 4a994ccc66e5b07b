"""Entity view: one city's (or institution's) accounts, repositories with lifecycle and health,
activity over time, reuse by others and contributions to others, and goals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, columns, data, filters
from dashboard.export import csv_bytes
from dashboard.report import change_text
from dashboard.text import md_escape, web_url
from warehouse import goals, metrics, reuse
from warehouse.pages import activity_figures, directory

f = filters.current()
t = f.t
months = columns.months_of(f.days)
REPO_KEYS = ["forge", "host", "path"]

st.title(t("nav.entity"))

# ------------------------------------------------------------------ choose the entity

everyone = data.query(directory.entities)
candidates = data.query(directory.entities_in_scope, **f.keywords())
names = dict(zip(candidates["entity_id"], candidates["name"]))
entity_id = filters.choose(
    "entity", list(names), t("entity.choose"), format_func=lambda i: f"{names.get(i, i)} ({i})"
)
if entity_id is None:
    st.info(t("common.filtered_out"), icon=":material/filter_alt_off:")
    st.stop()
info = data.query(directory.entity, entity_id)
if info is None:  # gone in a snapshot published since the list was read
    st.warning(t("entity.gone"), icon=":material/refresh:")
    st.stop()

st.header(md_escape(info["name"]))
st.caption(t("entity.caption", country=md_escape(info["country"]),
             archetype=md_escape(t.label("archetype", info["archetype"])), id=md_escape(entity_id)))
if f.forge:
    st.caption(t("entity.forge_note", forge=t.label("forge", f.forge)))

narrow = metrics.Scope("entity", entity_id=entity_id, forge=f.forge)  # country and archetype are the entity's own
activity = data.query(activity_figures.period_activity, narrow, days=f.days)
health = data.query(metrics.health_score, narrow, days=f.days)
repos = data.query(directory.repo_list, narrow)

# ------------------------------------------------------------------ headline figures

act = activity.iloc[0] if len(activity) else None
score = health["score"].iloc[0] if len(health) else None
last = pd.concat([repos["pushed_at"], activity["last_commit_at"]]).max() if len(repos) else None
cols = [*st.columns(3), *st.columns(3)]
cols[0].metric(t("entity.fig.repos"), t.number(len(repos)))
cols[1].metric(t("entity.fig.commits", days=f.days), t.number(0 if act is None else act["commits"]))
cols[2].metric(t("entity.fig.contributors", days=f.days), t.number(0 if act is None else act["active_contributors"]),
               help=t("entity.fig.contributors_help"))
cols[3].metric(t("entity.fig.score"), t.number(score), help=t("entity.fig.score_help"))
cols[4].metric(t("entity.fig.last_activity"), t.date(None if last is None or pd.isna(last) else last))

# ------------------------------------------------------------------ accounts

st.subheader(t("entity.accounts.heading"))
accounts = data.query(directory.entity_accounts, entity_id)
if f.forge:
    accounts = accounts[accounts["forge"] == f.forge]
if accounts.empty:
    st.info(t("entity.accounts.empty"), icon=":material/info:")
else:
    shown = accounts.assign(
        forge_label=[t.label("forge", v) for v in accounts["forge"]],
        web_url=accounts["web_url"].map(web_url),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["forge_label", "host", "owner", "repos", "archived_repos", "last_push_at", "web_url"],
        column_config={
            "forge_label": columns.text(t("entity.col.forge")),
            "host": columns.text(t("entity.col.host")),
            "owner": columns.text(t("entity.col.owner")),
            "repos": columns.count(t("entity.col.repos")),
            "archived_repos": columns.count(t("entity.col.archived_repos")),
            "last_push_at": columns.moment(t("entity.col.last_push")),
            "web_url": columns.link(t("entity.col.link"), t),
        },
    )
    st.download_button(
        t("common.download_csv"), csv_bytes(accounts), file_name=f"ossdash-entity-{entity_id}-accounts.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="entity.download.accounts",
    )

# ------------------------------------------------------------------ repositories

st.subheader(t("entity.repos.heading"))
if repos.empty:
    st.info(t("entity.repos.empty"), icon=":material/info:")
else:
    st.caption(t("entity.repos.caption", days=f.days))
    stages = data.query(metrics.lifecycle, narrow)
    scores = data.query(metrics.health_score, narrow.at("repo"), days=f.days)
    busy = data.query(activity_figures.period_activity, narrow.at("repo"), days=f.days)
    table = (
        repos.merge(stages[[*REPO_KEYS, "stage"]], on=REPO_KEYS, how="left")
        .merge(scores[[*REPO_KEYS, "score"]], on=REPO_KEYS, how="left")
        .merge(busy[[*REPO_KEYS, "commits", "active_contributors"]], on=REPO_KEYS, how="left")
    )
    for col in ("commits", "active_contributors"):
        table[col] = table[col].fillna(0).astype("int64")
    order = {s: i for i, s in enumerate(metrics.STAGES)}
    table["_order"] = table["stage"].map(order)
    table = table.sort_values(["_order", "score", "path"], ascending=[True, False, True], na_position="last")
    table = table.drop(columns="_order").reset_index(drop=True)
    table["stage_label"] = [t.label("stage", s) if isinstance(s, str) else t.none() for s in table["stage"]]
    table["forge_label"] = [t.label("forge", v) for v in table["forge"]]
    table["link"] = table["html_url"].map(web_url)
    st.dataframe(
        table,
        hide_index=True,
        column_order=["path", "description", "forge_label", "stage_label", "score", "commits",
                      "active_contributors", "license", "archived", "stars", "link"],
        column_config={
            "path": columns.text(t("entity.col.repo")),
            "description": columns.text(t("entity.col.description"), width="large"),
            "forge_label": columns.text(t("entity.col.forge")),
            "stage_label": columns.text(t("entity.col.stage"), help=t("entity.col.stage_help")),
            "score": columns.score(t("entity.col.score")),
            "commits": columns.count(t("entity.col.commits", days=f.days)),
            "active_contributors": columns.count(t("entity.col.contributors", days=f.days)),
            "license": columns.text(t("entity.col.licence")),
            "archived": columns.flag(t("entity.col.archived")),
            "stars": columns.count(t("entity.col.stars")),
            "link": columns.link(t("entity.col.link"), t),
        },
    )
    st.download_button(
        t("common.download_csv"),
        csv_bytes(table.drop(columns=["stage_label", "forge_label", "link"])),
        file_name=f"ossdash-entity-{entity_id}-repositories.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="entity.download.repos",
    )
    st.page_link("views/project.py", label=t("entity.repos.project_link"), icon=":material/folder_code:")

# ------------------------------------------------------------------ activity over time

st.subheader(t("entity.activity.heading"))
monthly = data.query(metrics.activity_per_month, narrow, months=months)
if monthly.empty or int(monthly["commits"].sum()) == 0:
    st.info(t("entity.activity.empty", months=months), icon=":material/info:")
else:
    left, right = st.columns(2)
    left.altair_chart(charts.monthly_commits(monthly, t), width="stretch")
    right.altair_chart(charts.monthly_contributors(monthly, t), width="stretch")
    table = monthly[["month", "commits", "active_contributors", "new_contributors"]]
    with st.expander(t("entity.activity.table")):
        st.dataframe(
            table.assign(month_label=[t.month(m) for m in table["month"]]),
            hide_index=True,
            column_order=["month_label", "commits", "active_contributors", "new_contributors"],
            column_config={
                "month_label": columns.text(t("entity.col.month")),
                "commits": columns.count(t("entity.col.commits_month")),
                "active_contributors": columns.count(t("entity.col.active_month")),
                "new_contributors": columns.count(t("entity.col.new_month")),
            },
        )
    st.download_button(
        t("common.download_csv"), csv_bytes(table), file_name=f"ossdash-entity-{entity_id}-activity.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="entity.download.activity",
    )

# ------------------------------------------------------------------ reuse and contributions

st.subheader(t("entity.reuse.heading"))
st.caption(t("entity.reuse.caption"))
summary = data.query(reuse.entity_reuse_summary, entity_id)
if len(summary):
    s = summary.iloc[0]
    cols = st.columns(3)
    cols[0].metric(t("entity.reuse.reused"), t.number(s["projects_reused_by_others"]),
                   help=t("entity.reuse.reused_help", entities=t.number(s["reusing_entities"]),
                          projects=t.number(s["projects"])))
    cols[1].metric(t("entity.reuse.reusing"), t.number(s["projects_reused_from_others"]),
                   help=t("entity.reuse.reusing_help"))
    cols[2].metric(t("entity.reuse.contributions"), t.number(s["contributions_to_others"]),
                   help=t("entity.reuse.contributions_help", commits=t.number(s["commits_to_others"]),
                          people=t.number(s["contributors_to_others"])))
    cols = st.columns(3)
    cols[0].metric(t("entity.reuse.reusing_entities"), t.number(s["reusing_entities"]))
    cols[1].metric(t("entity.reuse.external"), t.number(s["external_contributors"]),
                   help=t("entity.reuse.external_help"))
    cols[2].metric(t("entity.reuse.unaffiliated"), t.number(s["unaffiliated_contributors"]),
                   help=t("entity.reuse.unaffiliated_help"))
edges = data.query(reuse.entity_edges, entity_id)
if edges.empty:
    st.info(t("entity.reuse.empty"), icon=":material/info:")
else:
    all_names = dict(zip(everyone["entity_id"], everyone["name"]))
    mine = edges["source"] == entity_id
    shared = edges["kind"] == "shared_contributor"
    edges = edges.assign(
        direction=[t("entity.reuse.dir_shared") if sh else (t("entity.reuse.dir_by_others") if m
                   else t("entity.reuse.dir_to_others")) for m, sh in zip(mine, shared)],
        other=[all_names.get(tg if m else sc, tg if m else sc)
               for m, sc, tg in zip(mine, edges["source"], edges["target"])],
        kind_label=[t.label("edge", k) for k in edges["kind"]],
    )
    st.dataframe(
        edges,
        hide_index=True,
        column_order=["direction", "other", "kind_label", "weight", "evidence"],
        column_config={
            "direction": columns.text(t("entity.col.direction")),
            "other": columns.text(t("entity.col.other")),
            "kind_label": columns.text(t("entity.col.kind")),
            "weight": columns.count(t("entity.col.weight"), help=t("entity.col.weight_help")),
            "evidence": columns.text(t("entity.col.evidence"), width="large"),
        },
    )
    st.download_button(
        t("common.download_csv"), csv_bytes(edges.drop(columns=["kind_label"])),
        file_name=f"ossdash-entity-{entity_id}-reuse.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="entity.download.reuse",
    )

# ------------------------------------------------------------------ goals

st.subheader(t("entity.goals.heading"))
progress = data.query(goals.goal_progress, entity_id=entity_id)


def _value(v, unit: str) -> str:
    return t.percent(v) if unit == "share" else t.number(v, 0 if pd.isna(v) or float(v).is_integer() else 1)


def _trend(v, unit: str) -> str:
    # A share's change is in percentage points, said as the goals page and the report say it.
    return t.none() if pd.isna(v) else change_text(t, v, unit)


if progress.empty:
    st.info(t("entity.goals.empty"), icon=":material/flag:")
else:
    shown = progress.assign(
        metric_label=[t.label("goal_metric", m) for m in progress["metric"]],
        value_text=[_value(v, u) for v, u in zip(progress["value"], progress["unit"])],
        target_text=[_value(v, u) for v, u in zip(progress["target"], progress["unit"])],
        trend_text=[_trend(v, u) for v, u in zip(progress["trend_per_month"], progress["unit"])],
        deadline_text=[t.date(d, "long") for d in progress["deadline"]],
        status_label=[t.label("status", s) for s in progress["status"]],
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["metric_label", "value_text", "target_text", "deadline_text", "trend_text", "status_label"],
        column_config={
            "metric_label": columns.text(t("entity.col.goal")),
            "value_text": columns.text(t("entity.col.goal_value")),
            "target_text": columns.text(t("entity.col.goal_target")),
            "deadline_text": columns.text(t("entity.col.goal_deadline")),
            "trend_text": columns.text(t("entity.col.goal_trend"), help=t("entity.col.goal_trend_help")),
            "status_label": columns.text(t("entity.col.goal_status")),
        },
    )
    st.download_button(
        t("common.download_csv"), csv_bytes(progress), file_name=f"ossdash-entity-{entity_id}-goals.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="entity.download.goals",
    )
st.page_link("views/goals.py", label=t("entity.goals.link"), icon=":material/flag:")
