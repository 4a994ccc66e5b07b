"""Ecosystem overview: headline figures, entities ranked by health with their activity, the
lifecycle mix, comparison by archetype and country, and each entity against its peers. Every
entity row opens its entity page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import chart_base, charts, columns, data, filters
from warehouse import metrics, reuse
from warehouse.pages import activity_figures, directory

ENTITY_PAGE = "views/entity.py"

f = filters.current()
t = f.t
scope = f.scope()
months = columns.months_of(f.days)

st.title(t("nav.overview"))
st.caption(t("overview.scope", days=f.days, months=months))

# ------------------------------------------------------------------ who is in scope

everyone = data.query(directory.entities)
repos = data.query(directory.repo_list, scope)
keep = pd.Series(True, index=everyone.index)
if f.country:
    keep &= everyone["country"] == f.country
if f.archetype:
    keep &= everyone["archetype"] == f.archetype
in_scope = everyone[keep]
if f.forge:  # an entity is on a forge through its repositories there
    in_scope = in_scope[in_scope["entity_id"].isin(repos["entity_id"])]
if in_scope.empty:
    st.info(t("common.filtered_out"), icon=":material/filter_alt_off:")
    st.stop()

as_of = data.query(metrics.as_of)
health = data.query(metrics.health_score, scope.at("entity"), days=f.days)
life = data.query(metrics.lifecycle_summary, scope.at("entity"))
activity = data.query(activity_figures.period_activity, scope.at("entity"), days=f.days)
ecosystem = data.query(activity_figures.period_activity, scope.at("ecosystem"), days=f.days)
# One month more than the period covers: the month in progress is left out of the sparklines.
monthly = chart_base.complete_months(
    data.query(metrics.activity_per_month, scope.at("entity"), months=months + 1), as_of)
projects = data.query(reuse.entity_reuse_summary)

# ------------------------------------------------------------------ headline figures

eco = ecosystem.iloc[0] if len(ecosystem) else None
total_repos = int(life["repos"].sum()) if len(life) else 0
active_repos = int(life["active"].sum()) if len(life) else 0
total_projects = int(projects.loc[projects["entity_id"].isin(in_scope["entity_id"]), "projects"].sum()) \
    if not f.forge else None
scores = health["score"].dropna()

row1 = st.columns(3)
row2 = st.columns(3)
row1[0].metric(t("overview.fig.entities"), t.number(len(in_scope)), help=t("overview.fig.entities_help"))
row1[1].metric(t("overview.fig.repos"), t.number(total_repos),
               help=t("overview.fig.repos_help") + ("" if total_projects is None else " " + t(
                   "overview.fig.repos_projects", projects=t.count("common.projects", total_projects))))
row1[2].metric(t("overview.fig.commits", days=f.days), t.number(0 if eco is None else eco["commits"]),
               help=t("overview.fig.commits_help"))
row2[0].metric(t("overview.fig.contributors", days=f.days), t.number(0 if eco is None else eco["active_contributors"]),
               help=t("overview.fig.contributors_help"))
row2[1].metric(t("overview.fig.active_share"), t.percent(active_repos / total_repos if total_repos else None),
               help=t("overview.fig.active_share_help", active=t.number(active_repos), repos=t.number(total_repos)))
row2[2].metric(t("overview.fig.median_score"), t.number(scores.median() if len(scores) else None),
               help=t("overview.fig.median_score_help"))

# ------------------------------------------------------------------ entities ranked by health

st.subheader(t("overview.ranking.heading"))
st.caption(t("overview.ranking.caption", months=months) + " " + t("common.select_row"))
spark = (
    monthly.sort_values("month").groupby("entity_id")["commits"].agg(list).rename("activity")
    if len(monthly) else pd.Series(name="activity", dtype=object)
)
ranking = (
    in_scope[["entity_id", "name", "country", "archetype"]]
    .merge(health[["entity_id", "score", "repos_scored"]], on="entity_id", how="left")
    .merge(activity[["entity_id", "repos", "commits", "active_contributors"]], on="entity_id", how="left")
    .merge(life[["entity_id", "active"]].rename(columns={"active": "active_repos"}), on="entity_id", how="left")
    .merge(spark, left_on="entity_id", right_index=True, how="left")
)
for col in ("repos", "commits", "active_contributors", "active_repos", "repos_scored"):
    ranking[col] = ranking[col].fillna(0).astype("int64")
ranking["activity"] = [v if isinstance(v, list) else [0] * months for v in ranking["activity"]]
ranking["archetype_label"] = [t.label("archetype", a) for a in ranking["archetype"]]
ranking = ranking.sort_values(["score", "name"], ascending=[False, True], na_position="last").reset_index(drop=True)
ranking.insert(0, "rank", range(1, len(ranking) + 1))
# On a phone the entity stays put and the score comes next, so the two read together while the
# rest scrolls.
RANKING_COLUMNS = ["name", "score", "activity", "archetype_label", "country", "repos", "active_repos", "commits",
                   "active_contributors"]
chosen = st.dataframe(
    ranking,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="overview.ranking",
    column_order=RANKING_COLUMNS,
    column_config=columns.fitted(ranking, order=RANKING_COLUMNS, flexible="name", config={
        "name": columns.text(t("overview.col.entity")),
        "country": columns.text(t("overview.col.country")),
        "archetype_label": columns.text(t("overview.col.archetype")),
        "score": columns.score(t("overview.col.score"), help=t("overview.col.score_help")),
        "repos": columns.count(t, t("overview.col.repos"), help=t("overview.col.repos_help")),
        "active_repos": columns.count(t, t("overview.col.active_repos"), help=t("overview.col.active_repos_help")),
        "commits": columns.count(t, t("overview.col.commits"), help=t("overview.col.commits_help", days=f.days)),
        "active_contributors": columns.count(t, t("overview.col.contributors"),
                                             help=t("overview.col.contributors_help", days=f.days)),
        "activity": st.column_config.AreaChartColumn(
            t("overview.col.activity", months=months), y_min=0,
            help=t("overview.col.activity_help", months=months)),
    }),
)
filters.follow_selection(chosen, ranking, ENTITY_PAGE, entity="entity_id")
st.download_button(
    t("common.download_csv"),
    columns.csv_bytes(t, ranking.drop(columns=["activity"])),
    file_name="ossdash-overview-entities.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="overview.download.entities",
)

# ------------------------------------------------------------------ lifecycle mix

st.subheader(t("overview.lifecycle.heading"))
levels = {"entity": t("overview.lifecycle.by_entity"), "archetype": t("overview.lifecycle.by_archetype")}
level = filters.view("lifecycle_by", list(levels), "entity", t("overview.lifecycle.by"), format_func=levels.get)
if level == "entity":
    mix = life.merge(in_scope[["entity_id", "name"]], on="entity_id", how="inner")
    mix["group_label"] = mix["name"]
    key_col, title = "entity_id", t("overview.col.entity")
else:
    mix = data.query(metrics.lifecycle_summary, scope.at("archetype"))
    mix["group_label"] = [t.label("archetype", a) for a in mix["archetype"]]
    key_col, title = "archetype", t("overview.col.archetype")
if mix.empty or int(mix["repos"].sum()) == 0:
    st.info(t("overview.lifecycle.empty"), icon=":material/info:")
else:
    mix = mix.sort_values(["active", "repos"], ascending=False).reset_index(drop=True)
    chart_base.draw(st, charts.lifecycle_mix(mix, t, key_col, "group_label", title))
    stage_cols = [s for s in metrics.STAGES if s in mix.columns]
    table = mix[[key_col, "group_label", "repos", *stage_cols]]
    chosen = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun" if level == "entity" else "ignore",
        selection_mode="single-row",
        key=f"overview.lifecycle.{level}",
        column_order=["group_label", "repos", *stage_cols],
        column_config={
            "group_label": columns.text(title, pinned=True),
            "repos": columns.count(t, t("overview.col.repos")),
            **{s: columns.count(t, t.label("stage", s)) for s in stage_cols},
        },
    )
    if level == "entity":
        filters.follow_selection(chosen, table, ENTITY_PAGE, entity="entity_id")
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, table.drop(columns="group_label")),
        file_name=f"ossdash-overview-lifecycle-{level}.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="overview.download.lifecycle",
    )

# ------------------------------------------------------------------ by archetype and by country

st.subheader(t("overview.compare.heading"))
st.caption(t("overview.compare.caption", days=f.days))
# One level at a time: each is a health score over every repository in scope.
groupings = {"archetype": t("overview.compare.by_archetype"), "country": t("overview.compare.by_country")}
group = filters.view("compare_by", list(groupings), "archetype", t("overview.compare.by"), format_func=groupings.get)
scored = data.query(metrics.health_score, scope.at(group), days=f.days)
busy = data.query(activity_figures.period_activity, scope.at(group), days=f.days)
counted = in_scope.groupby(group).size().rename("entities").reset_index()
table = (
    counted.merge(scored[[group, "score"]], on=group, how="left")
    .merge(busy[[group, "repos", "commits", "active_contributors"]], on=group, how="left")
)
for col in ("repos", "commits", "active_contributors"):
    table[col] = table[col].fillna(0).astype("int64")
table["label"] = [t.label("archetype", v) if group == "archetype" else str(v) for v in table[group]]
table = table.sort_values(["score", "label"], ascending=[False, True], na_position="last")
title = t(f"overview.col.{group}")
chart_base.draw(st, charts.group_scores(table, t, "label", title, t(f"overview.compare.chart_{group}")))
st.dataframe(
    table,
    hide_index=True,
    column_order=["label", "score", "entities", "repos", "commits", "active_contributors"],
    column_config={
        "label": columns.text(title, pinned=True),
        "entities": columns.count(t, t("overview.col.entities")),
        "repos": columns.count(t, t("overview.col.repos"), help=t("overview.col.repos_help")),
        "score": columns.score(t("overview.col.score"), help=t("overview.col.group_score_help")),
        "commits": columns.count(t, t("overview.col.commits"), help=t("overview.col.commits_help", days=f.days)),
        "active_contributors": columns.count(t, t("overview.col.contributors"),
                                             help=t("overview.col.contributors_help", days=f.days)),
    },
)
st.download_button(
    t("common.download_csv"), columns.csv_bytes(t, table.drop(columns="label")),
    file_name=f"ossdash-overview-by-{group}.csv", mime="text/csv",
    icon=":material/download:", on_click="ignore", key="overview.download.by_group",
)

# ------------------------------------------------------------------ peer benchmarks

st.subheader(t("overview.peers.heading"))
st.caption(t("overview.peers.caption") + " " + t("common.select_row"))
# Peers are the archetype's entities in every country (the forge filter and the period apply).
all_scores = data.query(metrics.health_score, metrics.Scope("entity", forge=f.forge), days=f.days)
peers = all_scores.merge(everyone[["entity_id", "archetype"]], on="entity_id", how="inner")
peers = peers[peers["score"].notna()]
medians = peers.groupby("archetype")["score"].agg(peer_median="median", peers="size").reset_index()
bench = ranking[ranking["score"].notna()][["entity_id", "name", "archetype", "archetype_label", "score"]].merge(
    medians, on="archetype", how="left")
if bench.empty:
    st.info(t("overview.peers.empty"), icon=":material/info:")
else:
    bench["peers"] = bench["peers"].astype("int64")
    # An entity alone in its archetype has no peer to be compared with: "+0" would pretend it has.
    alone = bench["peers"] < 2
    bench["difference"] = (bench["score"] - bench["peer_median"]).where(~alone)
    bench["difference_text"] = [
        t("overview.peers.no_peers") if pd.isna(d) else ("+" if round(d) > 0 else "" if round(d) == 0 else "−")
        + t.number(abs(round(d))) for d in bench["difference"]]
    bench["peer_median_text"] = [t.number(m) for m in bench["peer_median"]]
    bench["entity_label"] = bench["name"]
    if alone.any():
        st.caption(t.count("overview.peers.alone_note", int(alone.sum())))
    chart_base.draw(st, charts.peer_benchmark(bench, t))
    chosen = st.dataframe(
        bench,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="overview.peers",
        column_order=["name", "score", "peer_median_text", "difference_text", "archetype_label", "peers"],
        column_config=columns.fitted(bench, order=["name", "score", "peer_median_text", "difference_text",
                                                   "archetype_label", "peers"], config={
            "name": columns.text(t("overview.col.entity")),
            "archetype_label": columns.text(t("overview.col.archetype")),
            "score": columns.score(t("overview.col.score")),
            "peer_median_text": columns.text(t("overview.col.peer_median")),
            "difference_text": columns.text(t("overview.col.difference"), help=t("overview.col.difference_help")),
            "peers": columns.count(t, t("overview.col.peers")),
        }),
    )
    filters.follow_selection(chosen, bench, ENTITY_PAGE, entity="entity_id")
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, bench[["entity_id", "name", "archetype", "score", "peer_median", "difference", "peers"]]),
        file_name="ossdash-overview-peers.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="overview.download.peers",
    )
st.page_link("views/glossary.py", label=t("glossary.link"), icon=":material/menu_book:")
