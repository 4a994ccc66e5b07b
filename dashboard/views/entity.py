"""Entity view: one city's (or institution's) accounts, repositories with lifecycle and health (each
opening its project page; a mirrored repository shown once, its mirror noted), activity over time,
reuse by others and contributions to others, and goals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import (
    badge_view,
    chart_base,
    charts,
    columns,
    data,
    evidence_text,
    filters,
    public_code_view,
)
from dashboard.report import change_text
from dashboard.text import licence_text, md_escape, web_url
from warehouse import goals, link_evidence, metrics, reuse
from warehouse.pages import activity_figures, directory

f = filters.current()
t = f.t
months = columns.months_of(f.days)
REPO_KEYS = ["forge", "host", "path"]

st.title(t("nav.entity"))
filters.link(t("common.back_to_overview"), "views/overview.py", key="entity.back", icon=":material/arrow_back:")

# ------------------------------------------------------------------ choose the entity

everyone = data.query(directory.entities)
candidates = data.query(directory.entities_in_scope, **f.keywords())
names = dict(zip(candidates["entity_id"], candidates["name"]))
entity_id = filters.choose("entity", list(names), t("entity.choose"), format_func=lambda i: names.get(i, i))
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
as_of = data.query(metrics.as_of)
activity = data.query(activity_figures.period_activity, narrow, days=f.days)
health = data.query(metrics.health_score, narrow, days=f.days)
repos = data.query(directory.repo_list, narrow.at("repo"))
summary = data.query(reuse.entity_reuse_summary, entity_id)
pairs = data.query(reuse.mirrors)

# ------------------------------------------------------------------ headline figures

act = activity.iloc[0] if len(activity) else None
score = health["score"].iloc[0] if len(health) else None
last = pd.concat([repos["pushed_at"], activity["last_commit_at"]]).max() if len(repos) else None
projects = int(summary["projects"].iloc[0]) if len(summary) and not f.forge else None
cols = [*st.columns(3), *st.columns(3)]
cols[0].metric(t("entity.fig.repos"), t.number(len(repos)), help=t("entity.fig.repos_help"))
cols[1].metric(t("entity.fig.projects"), t.number(projects), help=t("entity.fig.projects_help"))
cols[2].metric(t("entity.fig.score"), t.number(score), help=t("entity.fig.score_help"))
cols[3].metric(t("entity.fig.commits", days=f.days), t.number(0 if act is None else act["commits"]))
cols[4].metric(t("entity.fig.contributors", days=f.days), t.number(0 if act is None else act["active_contributors"]),
               help=t("entity.fig.contributors_help"))
cols[5].metric(t("entity.fig.last_activity"), t.date(None if last is None or pd.isna(last) else last))

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
        last_push_text=columns.days(t, accounts["last_push_at"]),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["owner", "forge_label", "repos", "archived_repos", "last_push_text", "host", "web_url"],
        column_config=columns.fitted(
            shown, order=["owner", "forge_label", "repos", "archived_repos", "last_push_text", "host", "web_url"],
            flexible="host", config={
            "forge_label": columns.text(t("entity.col.forge")),
            "host": columns.text(t("entity.col.host")),
            "owner": columns.text(t("entity.col.owner")),
            "repos": columns.count(t, t("entity.col.repos")),
            "archived_repos": columns.count(t, t("entity.col.archived_repos")),
            "last_push_text": columns.day(t("entity.col.last_push")),
            "web_url": columns.link(t("entity.col.link"), t),
        }),
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, accounts), file_name=f"ossdash-entity-{entity_id}-accounts.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="entity.download.accounts",
    )

# ------------------------------------------------------------------ repositories


def _mirror_notes(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The repositories of the table, each project once: a mirror of one of the entity's own
    repositories is folded into it ("also on ..."); a mirror of, or by, another entity is said so.
    Returns the table and how many mirror rows were folded."""
    keys = {tuple(r) for r in table[REPO_KEYS].itertuples(index=False)}
    notes: dict[tuple, list[str]] = {}
    folded: set[tuple] = set()
    for p in pairs.itertuples():
        canonical = (p.canonical_forge, p.canonical_host, p.canonical_path)
        mirror = (p.mirror_forge, p.mirror_host, p.mirror_path)
        where = f"{p.mirror_path} ({t.label('forge', p.mirror_forge)})"
        if canonical in keys and mirror in keys:
            notes.setdefault(canonical, []).append(t("entity.repos.also_on", where=where))
            folded.add(mirror)
        elif canonical in keys:
            other = everyone.set_index("entity_id")["name"].get(p.mirror_entity, p.mirror_entity)
            notes.setdefault(canonical, []).append(t("entity.repos.mirrored_by", where=where, entity=other))
        elif mirror in keys:
            other = everyone.set_index("entity_id")["name"].get(p.canonical_entity, p.canonical_entity)
            notes.setdefault(mirror, []).append(t("entity.repos.mirror_of", entity=other, where=(
                f"{p.canonical_path} ({t.label('forge', p.canonical_forge)})")))
    kept = table[[tuple(r) not in folded for r in table[REPO_KEYS].itertuples(index=False)]].copy()
    kept["mirror_note"] = ["; ".join(notes.get(tuple(r), [])) for r in kept[REPO_KEYS].itertuples(index=False)]
    return kept, len(folded)


st.subheader(t("entity.repos.heading"))
if repos.empty:
    st.info(t("entity.repos.empty"), icon=":material/info:")
else:
    stages = data.query(metrics.lifecycle, narrow.at("repo"))
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
    table, folded = _mirror_notes(table.drop(columns="_order").reset_index(drop=True))
    table = table.reset_index(drop=True)
    table["stage_label"] = [t.label("stage", s) if isinstance(s, str) else t.none() for s in table["stage"]]
    table["forge_label"] = [t.label("forge", v) for v in table["forge"]]
    table["licence_label"] = [licence_text(t, v) for v in table["license"]]
    table["repo_key"] = [filters.repo_key(r.forge, r.host, r.path) for r in table.itertuples()]
    st.caption(t("entity.repos.caption", days=f.days) + " " + (
        t.count("entity.repos.folded", folded) + " " if folded else "") + t("entity.repos.select"))
    # On a phone the repository stays put and its score is next.
    mirrored = bool(table["mirror_note"].str.len().gt(0).any())
    order = ["path", "score", "stage_label", "commits", "active_contributors", "licence_label", "forge_label",
             *(["mirror_note"] if mirrored else []), "description"]
    chosen = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="entity.repos",
        column_order=order,
        column_config=columns.fitted(table, order=order, flexible="description", least=160, config={
            "path": columns.text(t("entity.col.repo")),
            "score": columns.score(t("entity.col.score")),
            "stage_label": columns.text(t("entity.col.stage"), help=t("entity.col.stage_help")),
            "commits": columns.count(t, t("entity.col.commits"), help=t("entity.col.commits_help", days=f.days)),
            "active_contributors": columns.count(t, t("entity.col.contributors"),
                                                 help=t("entity.col.contributors_help", days=f.days)),
            "licence_label": columns.text(t("entity.col.licence"), help=t("entity.col.licence_help")),
            "forge_label": columns.text(t("entity.col.forge")),
            "mirror_note": columns.text(t("entity.col.mirror"), help=t("entity.col.mirror_help")),
            "description": columns.text(t("entity.col.description")),
        }),
    )
    filters.follow_selection(chosen, table, "views/project.py", entity="entity_id", repo="repo_key")
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, table.drop(columns=["forge_label", "repo_key"])),
        file_name=f"ossdash-entity-{entity_id}-repositories.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="entity.download.repos",
    )

# ------------------------------------------------------------------ openCoDE badges, Standard for Public Code

badge_view.show_counts(st, t, entity_id)
public_code_view.show_counts(st, t, entity_id)

# ------------------------------------------------------------------ activity over time

st.subheader(t("entity.activity.heading"))
monthly = data.query(metrics.activity_per_month, narrow, months=months)
if monthly.empty or int(monthly["commits"].sum()) == 0:
    st.info(t("entity.activity.empty", months=months), icon=":material/info:")
else:
    left, right = st.columns(2)
    chart_base.draw(left, charts.monthly_commits(monthly, t, as_of))
    chart_base.draw(right, charts.monthly_contributors(monthly, t, as_of))
    table = monthly[["month", "commits", "active_contributors", "new_contributors"]]
    with st.expander(t("entity.activity.table")):
        st.dataframe(
            table.assign(month_label=[t.month(m) for m in table["month"]]),
            hide_index=True,
            column_order=["month_label", "commits", "active_contributors", "new_contributors"],
            column_config={
                "month_label": columns.text(t("entity.col.month")),
                "commits": columns.count(t, t("entity.col.commits_month")),
                "active_contributors": columns.count(t, t("entity.col.active_month")),
                "new_contributors": columns.count(t, t("entity.col.new_month")),
            },
        )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, table), file_name=f"ossdash-entity-{entity_id}-activity.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="entity.download.activity",
    )

# ------------------------------------------------------------------ reuse and contributions

st.subheader(t("entity.reuse.heading"))
st.caption(t("entity.reuse.caption"))
if len(summary):
    s = summary.iloc[0]
    cols = st.columns(3)
    cols[0].metric(t("entity.reuse.reused"), t.number(s["projects_reused_by_others"]),
                   help=t("entity.reuse.reused_help", entities=t.count("common.entities", s["reusing_entities"]),
                          projects=t.count("common.projects", s["projects"]), repos=t.count("common.repos", len(repos))))
    cols[1].metric(t("entity.reuse.reusing"), t.number(s["projects_reused_from_others"]),
                   help=t("entity.reuse.reusing_help"))
    cols[2].metric(t("entity.reuse.contributions"), t.number(s["contributions_to_others"]),
                   help=t("entity.reuse.contributions_help", commits=t.count("common.commits", s["commits_to_others"]),
                          people=t.count("common.people", s["contributors_to_others"])))
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
    # One entity's links, each with its first pieces of evidence: read in SQL, not every link's.
    evidence = data.query(link_evidence.link_evidence, entity_id=entity_id, per_link=evidence_text.SHOWN_PER_LINK)
    said = evidence_text.link_summaries(t, evidence, all_names)
    edges = edges.merge(said, on=["source", "target", "kind"], how="left")
    mine = edges["source"] == entity_id
    shared = edges["kind"] == "shared_contributor"
    edges = edges.assign(
        direction=[t("entity.reuse.dir_shared") if sh else (t("entity.reuse.dir_by_others") if m
                   else t("entity.reuse.dir_to_others")) for m, sh in zip(mine, shared)],
        other_id=[tg if m else sc for m, sc, tg in zip(mine, edges["source"], edges["target"])],
        kind_label=[t.label("edge", k) for k in edges["kind"]],
    )
    edges["other"] = edges["other_id"].map(lambda e: all_names.get(e, e))
    st.caption(t("entity.reuse.select"))
    chosen = st.dataframe(
        edges,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="entity.edges",
        column_order=["other", "direction", "kind_label", "weight", "evidence_text"],
        column_config=columns.fitted(
            edges, order=["other", "direction", "kind_label", "weight", "evidence_text"],
            flexible="evidence_text", config={
            "direction": columns.text(t("entity.col.direction")),
            "other": columns.text(t("entity.col.other")),
            "kind_label": columns.text(t("entity.col.kind")),
            "weight": columns.count(t, t("entity.col.weight"), help=t("entity.col.weight_help")),
            "evidence_text": columns.text(t("entity.col.evidence")),
        }),
    )
    filters.follow_selection(chosen, edges, "views/entity.py", entity="other_id")
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, edges[["source", "target", "other", "direction", "kind", "kind_label", "weight",
                                    "evidence_text"]].rename(columns={"evidence_text": "evidence"})),
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
        deadline_text=columns.days(t, progress["deadline"]),
        status_label=[t.label("status", s) for s in progress["status"]],
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["metric_label", "status_label", "value_text", "target_text", "deadline_text", "trend_text"],
        column_config=columns.fitted(
            shown, order=["metric_label", "status_label", "value_text", "target_text", "deadline_text", "trend_text"],
            config={
            "metric_label": columns.text(t("entity.col.goal")),
            "value_text": columns.text(t("entity.col.goal_value")),
            "target_text": columns.text(t("entity.col.goal_target")),
            "deadline_text": columns.text(t("entity.col.goal_deadline")),
            "trend_text": columns.text(t("entity.col.goal_trend"), help=t("entity.col.goal_trend_help")),
            "status_label": columns.text(t("entity.col.goal_status")),
        }),
    )
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, shown[["metric", "metric_label", "value", "target", "deadline", "trend_per_month",
                                    "status", "status_label"]]),
        file_name=f"ossdash-entity-{entity_id}-goals.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="entity.download.goals",
    )
filters.link(t("entity.goals.link"), "views/goals.py", key="entity.goals_link", icon=":material/flag:",
             entity=entity_id)
