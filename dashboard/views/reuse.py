"""Reuse and collaboration: the network of entities (who forks, mirrors, uses, builds on or
contributes to whose projects), the same as a matrix, and every link with its evidence in words.
Rows open the entity's page; the chosen view (network or matrix) is part of the address."""

from __future__ import annotations

import functools

import streamlit as st

from dashboard import (
    chart_base,
    columns,
    data,
    filters,
    network_charts,
    reuse_links,
)
from warehouse import reuse
from warehouse.pages import directory

KINDS_PARAM = "kinds"            # the URL parameter of the kind choice: comma-separated codes
_KEPT = "keep.reuse.kinds"       # this session's choice, kept across page switches
_WIDGET = "widget.reuse.kinds"

f = filters.current()
t = f.t

st.title(t("nav.reuse"))
st.caption(t("reuse.intro"))


def choose_kinds() -> tuple[str, ...]:
    """The edge kinds to show: a multiselect kept across pages and in the URL (all by default)."""
    options = list(reuse.EDGE_KINDS)
    if _WIDGET not in st.session_state:
        start = st.session_state.get(_KEPT)
        if start is None:
            asked = st.query_params.get(KINDS_PARAM)
            start = options if asked is None else [k for k in str(asked).split(",") if k in options]
        st.session_state[_WIDGET] = [k for k in options if k in set(start)]
    chosen = st.multiselect(t("reuse.kinds"), options, key=_WIDGET, format_func=lambda k: t.label("edge", k),
                            help=t("reuse.kinds_help"), placeholder=t("reuse.kinds_placeholder"))
    kinds = [k for k in options if k in set(chosen)]
    st.session_state[_KEPT] = kinds
    if kinds == options:
        if KINDS_PARAM in st.query_params:
            del st.query_params[KINDS_PARAM]
    elif st.query_params.get(KINDS_PARAM) != ",".join(kinds):
        st.query_params[KINDS_PARAM] = ",".join(kinds)
    return tuple(kinds)


kinds = choose_kinds()

# Entities in scope: the country and archetype filters apply to both ends of every link.
listing = data.query(directory.entities)
names = dict(zip(listing["entity_id"], listing["name"]))
in_scope = listing
if f.country:
    in_scope = in_scope[in_scope["country"] == f.country]
if f.archetype:
    in_scope = in_scope[in_scope["archetype"] == f.archetype]
scope_ids = list(in_scope["entity_id"])
if f.country or f.archetype:
    st.caption(t("reuse.scope_narrowed", count=t.number(len(scope_ids))))
if f.forge:
    st.caption(t("reuse.forge_not_applied", forge=t.label("forge", f.forge)))
if not scope_ids:
    st.info(t("common.filtered_out"), icon=":material/filter_alt_off:")
    st.stop()

labels = network_charts.unique_labels(scope_ids, names)
summary = data.query(reuse.entity_reuse_summary)
summary = summary[summary["entity_id"].isin(scope_ids)].copy()
# The links in scope with their summaries in words: worked out once per snapshot, language, kinds
# and scope, not on every rerun (tens of thousands of links at a hundred entities).
edges = reuse_links.links(t, kinds, scope_ids, labels)

figures = st.columns(4)
figures[0].metric(t("reuse.figure.entities"), t.number(len(scope_ids)))
figures[1].metric(t("reuse.figure.linked_pairs"), t.number(reuse_links.linked_pairs(edges)),
                  help=t("reuse.figure.linked_pairs_help"))
figures[2].metric(t("reuse.figure.links"), t.number(len(edges)), help=t("reuse.figure.links_help"))
figures[3].metric(t("reuse.figure.reused_projects"), t.number(int(summary["projects_reused_by_others"].sum())),
                  help=t("reuse.figure.reused_projects_help"))

if not kinds:
    st.info(t("reuse.no_kinds"), icon=":material/hub:")
    st.stop()

# One view at a time (charts in hidden tabs are laid out at zero width, and only one is built).
view = filters.view("view", ["network", "matrix"], "network", t("reuse.view"),
                    format_func=lambda v: t(f"reuse.tab.{v}"))

if view == "network":
    drawn = network_charts.legible_edges(edges, len(scope_ids))
    layout = reuse_links.layout(scope_ids, drawn)
    nodes = layout.merge(summary, on="entity_id", how="left").fillna(
        {"projects": 0, "projects_reused_by_others": 0, "reusing_entities": 0, "contributions_to_others": 0})
    nodes["label"] = nodes["entity_id"].map(labels)
    if edges.empty:
        st.info(t("reuse.no_edges"), icon=":material/hub:")
    chart_base.draw(st, network_charts.network_chart(nodes, network_charts.edge_segments(drawn, layout), t))
    st.caption(t("reuse.network_legend"))
    if len(edges) > len(drawn):
        st.caption(t("reuse.capped", shown=t.number(len(drawn)), total=t.number(len(edges)),
                     weight=t.number(int(drawn["weight"].min()))))
    if len(nodes) > network_charts.labelled_nodes(len(nodes)):
        st.caption(t("reuse.names_capped", shown=t.number(network_charts.labelled_nodes(len(nodes)))))
elif edges.empty:
    st.info(t("reuse.no_edges"), icon=":material/grid_on:")
else:
    cells = network_charts.edge_matrix(edges, t)
    # Many entities: only those with a link get a row and a column (the others would be empty).
    linked = set(edges["source"]) | set(edges["target"])
    shown_ids = scope_ids if len(scope_ids) <= 20 else [e for e in scope_ids if e in linked]
    order = [labels[e] for e in sorted(shown_ids, key=lambda e: (labels[e].casefold(), e))]
    chart_base.draw(st, network_charts.matrix_chart(cells, order, t))
    st.caption(t("reuse.matrix_legend"))
    if len(shown_ids) < len(scope_ids):
        st.caption(t.count("reuse.matrix_unlinked", len(scope_ids) - len(shown_ids)))

st.subheader(t("reuse.edges_heading"))
if edges.empty:
    st.info(t("reuse.no_edges"), icon=":material/table:")
else:
    edges = edges.reset_index(drop=True)
    st.caption(t("reuse.select"))
    chosen = st.dataframe(
        edges,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="reuse.edges",
        column_order=["source_label", "target_label", "kind_label", "weight", "evidence_text"],
        column_config=columns.fitted(
            edges, order=["source_label", "target_label", "kind_label", "weight", "evidence_text"],
            flexible="evidence_text", config={
            "source_label": columns.text(t("reuse.col.source"), help=t("reuse.col.source_help")),
            "target_label": columns.text(t("reuse.col.target"), help=t("reuse.col.target_help")),
            "kind_label": columns.text(t("reuse.col.kind")),
            "weight": columns.count(t, t("reuse.col.weight"), help=t("reuse.col.weight_help")),
            "evidence_text": columns.text(t("reuse.col.evidence")),
        }),
    )
    filters.follow_selection(chosen, edges, "views/entity.py", entity="source")
    # Made when the reader clicks (tens of thousands of links are a tenth of a second on every rerun).
    st.download_button(
        t("common.download_csv"),
        functools.partial(columns.csv_bytes, t, edges[["source", "source_label", "target", "target_label", "kind",
                                                       "kind_label", "weight", "evidence_text"]].rename(
            columns={"evidence_text": "evidence"})),
        file_name="ossdash-reuse-edges.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="reuse.edges_csv",
    )

    # Every piece of evidence, on demand: one row each, in words.
    if st.toggle(t("reuse.evidence_heading"), key="reuse.evidence"):
        pieces, total = reuse_links.pieces(t, kinds, scope_ids if len(scope_ids) < len(listing) else None, labels)
        st.caption(t("reuse.evidence_intro", count=t.number(total)))
        if total > len(pieces):
            st.caption(t("reuse.evidence_capped", shown=t.number(len(pieces)), total=t.number(total)))
        st.dataframe(
            pieces,
            hide_index=True,
            column_order=["source_label", "target_label", "kind_label", "sentence"],
            column_config=columns.fitted(
                pieces, order=["source_label", "target_label", "kind_label", "sentence"],
                flexible="sentence", config={
                "kind_label": columns.text(t("reuse.col.kind")),
                "source_label": columns.text(t("reuse.col.source")),
                "target_label": columns.text(t("reuse.col.target")),
                "sentence": columns.text(t("reuse.col.detail")),
            }),
        )
        st.download_button(
            t("common.download_csv"),
            functools.partial(columns.csv_bytes, t, pieces[[
                "kind", "kind_label", "source", "source_label", "target", "target_label", "project_forge",
                "project_path", "forge", "path", "person", "commits", "other_commits", "text", "method",
                "sentence"]].rename(columns={"sentence": "detail"})),
            file_name="ossdash-reuse-evidence.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key="reuse.evidence_csv",
        )

st.subheader(t("reuse.entities_heading"))
summary["label"] = summary["entity_id"].map(labels)
summary = summary.reset_index(drop=True)
st.caption(t("reuse.entities_select"))
chosen = st.dataframe(
    summary,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="reuse.entities",
    column_order=["label", "projects", "projects_reused_by_others", "reusing_entities", "projects_reused_from_others",
                  "contributions_to_others", "contributors_to_others", "external_contributors"],
    column_config=columns.fitted(
        summary, order=["label", "projects", "projects_reused_by_others", "reusing_entities",
                        "projects_reused_from_others", "contributions_to_others", "contributors_to_others",
                        "external_contributors"],
        flexible="label", config={
        "label": columns.text(t("reuse.col.entity")),
        "projects": columns.count(t, t("reuse.col.projects"), help=t("reuse.col.projects_help")),
        "projects_reused_by_others": columns.count(t, t("reuse.col.reused_by_others"),
                                                   help=t("reuse.col.reused_by_others_help")),
        "reusing_entities": columns.count(t, t("reuse.col.reusing_entities"),
                                          help=t("reuse.col.reusing_entities_help")),
        "projects_reused_from_others": columns.count(t, t("reuse.col.reused_from_others"),
                                                     help=t("reuse.col.reused_from_others_help")),
        "contributions_to_others": columns.count(t, t("reuse.col.contributions_to_others"),
                                                 help=t("reuse.col.contributions_to_others_help")),
        "contributors_to_others": columns.count(t, t("reuse.col.contributors_to_others"),
                                                help=t("reuse.col.contributors_to_others_help")),
        "external_contributors": columns.count(t, t("reuse.col.external_contributors"),
                                               help=t("reuse.col.external_contributors_help")),
    }),
)
filters.follow_selection(chosen, summary, "views/entity.py", entity="entity_id")
st.download_button(
    t("common.download_csv"),
    columns.csv_bytes(t, summary.drop(columns=["label"])),
    file_name="ossdash-reuse-entities.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="reuse.entities_csv",
)
