"""The reuse and collaboration network of entities, and its matrix: DataFrames in, Altair charts out.

No Streamlit and no SQL here. The layout is computed in Python, deterministically (the same
entities and edges always give the same picture), with a small force-directed layout in numpy.
Texts come in through the caller's :class:`~dashboard.i18n.Translator` (keys ``reuse.chart.*``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from dashboard import chart_base as base
from dashboard.i18n import Translator
from warehouse.pages.activity_figures import MAX_CHART_POINTS

# Edge kinds (as in warehouse.reuse.EDGE_KINDS) and a colour for each, colour-blind safe (Okabe-Ito).
KIND_COLOURS = {
    "fork": "#0072B2",
    "mirror": "#56B4E9",
    "used_by": "#009E73",
    "is_based_on": "#E69F00",
    "contribution": "#CC79A7",
    "shared_contributor": "#999999",
}
UNDIRECTED = ("shared_contributor",)
# Each edge is drawn as a line and an arrowhead: at most this many edges keep a chart under
# MAX_CHART_POINTS marks.
MAX_EDGES = MAX_CHART_POINTS // 2
# Beyond this many lines a network is a hairball: the strongest links are drawn (all of them are
# in the table below the chart), at least this many, more for larger networks.
LEGIBLE_EDGES = 60
EDGES_PER_ENTITY = 1.5
# Names written on the chart at most; the others are in the tooltips (100 names overlap).
LABELLED_NODES = 24
CROWDED_LABELS = 12     # ... when more than CROWDED entities share the chart
CROWDED = 40
_EXTENT = 1.0           # the layout fills [-1, 1] in both directions
_PARALLEL_GAP = 0.035   # distance between parallel edges of one pair of entities


def legible_edges(edges: pd.DataFrame, entities: int) -> pd.DataFrame:
    """The links a network chart draws: all of them when few, else the heaviest (ties broken by
    kind and ids, so the choice is stable), at most ``max(LEGIBLE_EDGES, EDGES_PER_ENTITY ×
    entities)`` and never more than ``MAX_EDGES``."""
    cap = min(MAX_EDGES, max(LEGIBLE_EDGES, math.ceil(EDGES_PER_ENTITY * entities)))
    ordered = edges.sort_values(["weight", "kind", "source", "target"], ascending=[False, True, True, True])
    return ordered.head(cap)


def labelled_nodes(entities: int) -> int:
    """How many entities are named on a network of ``entities``."""
    return min(entities, CROWDED_LABELS if entities > CROWDED else LABELLED_NODES)


def chart_height(entities: int) -> int:
    """Room for the network: more entities, a taller chart (up to about a screen)."""
    return int(min(1000, 620 + 4 * max(0, entities - 7)))


def spring_layout(
    ids: Sequence[str], edges: Iterable[tuple[str, str, float]], iterations: int = 300, seed: int = 7
) -> pd.DataFrame:
    """Positions for ``ids`` (columns entity_id, x, y within [-1, 1]) from weighted edges.

    Linked entities: Fruchterman-Reingold (every pair repels, linked pairs attract, more the
    heavier the link, damped by a logarithm), scaled to 0.75 of the extent on each axis. Entities without any
    link sit evenly on the outer ring (radius 1), in the order given. Nodes start on a circle in
    the order given, with a little seeded jitter, so the result depends only on the input.
    """
    ids = list(ids)
    index = {e: i for i, e in enumerate(ids)}
    n = len(ids)
    adj = np.zeros((n, n))
    for a, b, w in edges:
        if a in index and b in index and a != b:
            adj[index[a], index[b]] += math.log1p(max(float(w), 0.0))
            adj[index[b], index[a]] += math.log1p(max(float(w), 0.0))
    linked = [i for i in range(n) if adj[i].any()]
    alone = [i for i in range(n) if not adj[i].any()]
    pos = np.zeros((n, 2))
    if alone:
        radius = 1.0 if linked else 0.9
        angle = 2 * np.pi * np.arange(len(alone)) / len(alone) + np.pi / 2
        pos[alone] = radius * np.column_stack([np.cos(angle), np.sin(angle)]) if len(alone) > 1 else \
            ([[0.0, radius]] if linked else [[0.0, 0.0]])
    if linked:
        pos[linked] = _force_layout(adj[np.ix_(linked, linked)], iterations, seed) * (0.75 if alone else 1.0)
    return pd.DataFrame({"entity_id": ids, "x": pos[:, 0], "y": pos[:, 1]})


def _force_layout(adj: np.ndarray, iterations: int, seed: int) -> np.ndarray:
    """Fruchterman-Reingold on a weighted adjacency matrix; positions within [-1, 1] on both axes."""
    n = len(adj)
    if n == 1:
        return np.zeros((1, 2))
    adj = adj / adj.max()
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * np.arange(n) / n
    pos = np.column_stack([np.cos(angle), np.sin(angle)]) + rng.normal(0, 0.01, (n, 2))
    k = 1.0 / math.sqrt(n)
    for step in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = k * k / dist - adj * dist * dist / k
        np.fill_diagonal(force, 0.0)
        move = (delta / dist[:, :, None] * force[:, :, None]).sum(axis=1) - 0.05 * pos
        length = np.maximum(np.linalg.norm(move, axis=1), 1e-9)
        temperature = 0.1 * (1 - step / iterations) + 1e-3
        pos += move / length[:, None] * np.minimum(length, temperature)[:, None]
    pos -= np.median(pos, axis=0)
    # Each axis filled on its own: the chart is wider than tall, and a layout stretched along
    # one direction would otherwise leave the other half empty and its labels crowded. The
    # scale comes from the bulk of the nodes, not the farthest: a few loosely linked ones far
    # out would otherwise squeeze a large network's core into a knot; those are pulled in.
    extent = np.quantile(np.abs(pos), 0.9 if n > 20 else 1.0, axis=0)
    return np.clip(pos / np.where(extent > 0, extent, 1.0), -1.0, 1.0)


def unique_labels(ids: Sequence[str], names: dict[str, str]) -> dict[str, str]:
    """A display label per entity: its name, with the id added where two entities share a name."""
    counts: dict[str, int] = {}
    for e in ids:
        counts[names.get(e, e)] = counts.get(names.get(e, e), 0) + 1
    return {e: names.get(e, e) if counts[names.get(e, e)] == 1 else f"{names.get(e, e)} ({e})" for e in ids}


def _kind_scale(t: Translator, kinds: Sequence[str]) -> alt.Scale:
    shown = [k for k in KIND_COLOURS if k in set(kinds)] + [k for k in kinds if k not in KIND_COLOURS]
    return alt.Scale(
        domain=[t.label("edge", k) for k in shown],
        range=[KIND_COLOURS.get(k, "#333333") for k in shown],
    )


def edge_segments(edges: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """``edges`` (source, target, kind, weight, ...) with x, y, x2, y2 (parallel edges of one pair
    of entities side by side), the arrowhead's position (ax, ay) and angle (degrees clockwise from
    up, pointing at the target)."""
    pos = layout.set_index("entity_id")[["x", "y"]]
    df = edges[edges["source"].isin(pos.index) & edges["target"].isin(pos.index)].copy()
    if df.empty:
        return df.assign(x=[], y=[], x2=[], y2=[], ax=[], ay=[], angle=[])
    df["x"] = df["source"].map(pos["x"])
    df["y"] = df["source"].map(pos["y"])
    df["x2"] = df["target"].map(pos["x"])
    df["y2"] = df["target"].map(pos["y"])
    source, target = df["source"].astype(str), df["target"].astype(str)
    df["_pair"] = np.where(source < target, source + "\x00" + target, target + "\x00" + source)
    df = df.sort_values(["_pair", "kind", "source"]).reset_index(drop=True)
    rank = df.groupby("_pair").cumcount()
    size = df.groupby("_pair")["_pair"].transform("size")
    offset = (rank - (size - 1) / 2) * _PARALLEL_GAP
    # The normal of the pair's direction, taken from the lower id to the higher one so that both
    # directions of a pair share it.
    first = df["_pair"].str.split("\x00").str[0]
    second = df["_pair"].str.split("\x00").str[1]
    lx, ly = first.map(pos["x"]), first.map(pos["y"])
    hx, hy = second.map(pos["x"]), second.map(pos["y"])
    length = np.maximum(np.hypot(hx - lx, hy - ly), 1e-9)
    nx, ny = -(hy - ly) / length, (hx - lx) / length
    for a, b in (("x", "y"), ("x2", "y2")):
        df[a] = df[a] + nx * offset
        df[b] = df[b] + ny * offset
    df["ax"] = df["x"] + 0.62 * (df["x2"] - df["x"])
    df["ay"] = df["y"] + 0.62 * (df["y2"] - df["y"])
    df["angle"] = np.degrees(np.arctan2(df["x2"] - df["x"], df["y2"] - df["y"])) % 360
    return df.drop(columns="_pair")


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, t: Translator) -> alt.LayerChart:
    """The network of entities.

    ``nodes``: entity_id, label (display name), x, y, projects, projects_reused_by_others,
    reusing_entities, contributions_to_others. ``edges``: the output of :func:`edge_segments`
    with source_label, target_label, kind_label, evidence. Node area: projects; edge colour: kind;
    edge width: weight; an arrowhead points from the project's owner to the entity that reuses it
    or contributes to it (none for shared contributors, which have no direction).
    """
    kinds = list(dict.fromkeys(edges["kind"])) if len(edges) else []
    span = [-_EXTENT - 0.2, _EXTENT + 0.2]
    # Wider margins left and right: a name is centred under its circle and may be long.
    x = alt.X("x:Q", scale=alt.Scale(domain=[-_EXTENT - 0.45, _EXTENT + 0.45]), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=span), axis=None)
    layers = []
    if len(edges):
        data = edges.assign(evidence_short=edges["evidence"].fillna("").str.slice(0, 240))
        colour = alt.Color("kind_label:N", scale=_kind_scale(t, kinds), title=t("reuse.chart.kind"),
                           legend=base.legend(_kind_scale(t, kinds).domain, t("reuse.chart.kind")))
        tooltip = [
            alt.Tooltip("source_label:N", title=t("reuse.chart.source")),
            alt.Tooltip("target_label:N", title=t("reuse.chart.target")),
            alt.Tooltip("kind_label:N", title=t("reuse.chart.kind")),
            alt.Tooltip("weight:Q", title=t("reuse.chart.weight"), format=","),
            alt.Tooltip("evidence_short:N", title=t("reuse.chart.evidence")),
        ]
        layers.append(
            alt.Chart(data).mark_rule(opacity=0.75).encode(
                x=x, y=y, x2="x2:Q", y2="y2:Q", color=colour,
                # Width and area are told in the caption under the chart: beside the kinds, two
                # more legends would not fit a phone's width.
                strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(range=[1.5, 7]),
                                            title=t("reuse.chart.weight"), legend=None),
                tooltip=tooltip,
            )
        )
        directed = data[~data["kind"].isin(UNDIRECTED)]
        if len(directed):
            layers.append(
                alt.Chart(directed).mark_point(shape="triangle-up", filled=True, size=90, opacity=0.9).encode(
                    x=alt.X("ax:Q", scale=alt.Scale(domain=[-_EXTENT - 0.45, _EXTENT + 0.45]), axis=None),
                    y=alt.Y("ay:Q", scale=alt.Scale(domain=span), axis=None),
                    angle=alt.Angle("angle:Q", scale=None),
                    color=colour,
                )
            )
    biggest = max(float(nodes["projects"].max()) if len(nodes) else 1.0, 1.0)
    node_data = nodes.assign(label_y=nodes["y"] - 0.07 - 0.08 * np.sqrt(nodes["projects"].clip(lower=0) / biggest))
    node_tooltip = [
        alt.Tooltip("label:N", title=t("reuse.chart.entity")),
        alt.Tooltip("projects:Q", title=t("reuse.chart.projects"), format=","),
        alt.Tooltip("projects_reused_by_others:Q", title=t("reuse.chart.reused_by_others"), format=","),
        alt.Tooltip("reusing_entities:Q", title=t("reuse.chart.reusing_entities"), format=","),
        alt.Tooltip("contributions_to_others:Q", title=t("reuse.chart.contributions_to_others"), format=","),
    ]
    layers.append(
        alt.Chart(node_data).mark_circle(color="#1f3b57", opacity=0.9, stroke="white", strokeWidth=1.5).encode(
            x=x, y=y,
            # Smaller circles the more entities there are, so that they do not cover each other.
            size=alt.Size("projects:Q", scale=alt.Scale(range=[30, max(250, int(1400 * min(1.0, 10 / max(1, len(nodes)))))],
                                                        zero=True),
                          title=t("reuse.chart.projects"), legend=None),
            tooltip=node_tooltip,
        )
    )
    # Names below their circle, on a white halo that hides the lines passing under them; with
    # many entities only the most connected are named (the rest in their tooltips).
    named = node_data.assign(_links=node_data["entity_id"].map(_link_counts(edges)).fillna(0))
    named = named.sort_values(["_links", "projects", "label"], ascending=[False, False, True]).head(
        labelled_nodes(len(nodes)))
    label_y = alt.Y("label_y:Q", scale=alt.Scale(domain=span), axis=None)
    for halo in (True, False):
        layers.append(
            alt.Chart(named[["x", "label_y", "label"]]).mark_text(
                baseline="top", fontSize=12, color="white" if halo else "#1f1f1f",
                **({"stroke": "white", "strokeWidth": 4, "strokeJoin": "round", "opacity": 0.92} if halo else {}),
            ).encode(x=x, y=label_y, text="label:N")
        )
    # Title, size and configuration passed to the constructor: .properties() and .configure()
    # would each deep-copy every layer again.
    return alt.LayerChart(
        layer=layers, title=t("reuse.chart.network_title"), height=chart_height(len(nodes)),
        resolve=alt.Resolve(legend=alt.LegendResolveMap(size="independent", strokeWidth="independent")),
        config=base.config(t),
    )


def _link_counts(edges: pd.DataFrame) -> pd.Series:
    """Links drawn per entity (either end)."""
    if edges.empty:
        return pd.Series(dtype="float64")
    return pd.concat([edges["source"], edges["target"]]).value_counts()


def edge_matrix(edges: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """One cell per (source, target) with weight (summed over kinds) and kinds (a readable list).

    ``edges``: source, target, kind, weight, source_label, target_label. Shared contributors have
    no direction: they fill both cells of their pair.
    """
    if edges.empty:
        return pd.DataFrame(columns=["source", "target", "source_label", "target_label", "weight", "kinds"])
    undirected = edges[edges["kind"].isin(UNDIRECTED)]
    mirrored = undirected.rename(columns={"source": "target", "target": "source",
                                          "source_label": "target_label", "target_label": "source_label"})
    both = pd.concat([edges, mirrored], ignore_index=True)
    order = {k: i for i, k in enumerate(KIND_COLOURS)}
    both = both.assign(_order=both["kind"].map(order).fillna(len(order))).sort_values(["_order", "kind"])
    both["part"] = [f"{t.label('edge', k)}: {t.number(w)}" for k, w in zip(both["kind"], both["weight"])]
    cells = both.groupby(["source", "target", "source_label", "target_label"], as_index=False, sort=True).agg(
        weight=("weight", "sum"), kinds=("part", " · ".join)
    )
    return cells


def matrix_chart(cells: pd.DataFrame, order: Sequence[str], t: Translator) -> alt.LayerChart:
    """A heat map of :func:`edge_matrix`: rows the projects' owners, columns the entities reusing
    or contributing, colour the weight. ``order``: the entity labels, in axis order (entities
    without any link keep their row and column). Cells shrink as entities grow (numbers are
    written in cells big enough for them, always in the tooltip)."""
    data = cells[cells["weight"] > 0]
    cell = 30 if len(order) <= 20 else max(9, 600 // max(1, len(order)))
    font = 11 if cell >= 18 else 8
    x = alt.X("target_label:N", sort=list(order), scale=alt.Scale(domain=list(order)),
              title=t("reuse.chart.matrix_x"),
              axis=alt.Axis(labelAngle=-40, labelLimit=170, labelOverlap=False, labelFontSize=font))
    y = alt.Y("source_label:N", sort=list(order), scale=alt.Scale(domain=list(order)),
              title=t("reuse.chart.matrix_y"),
              # the title above the labels, not beside them, where long names would run into it
              axis=alt.Axis(labelLimit=200, titleAngle=0, titleAlign="left", titleAnchor="end",
                            titleBaseline="bottom", titleX=-200, titleY=-8, labelFontSize=font))
    tooltip = [
        alt.Tooltip("source_label:N", title=t("reuse.chart.source")),
        alt.Tooltip("target_label:N", title=t("reuse.chart.target")),
        alt.Tooltip("weight:Q", title=t("reuse.chart.weight"), format=","),
        alt.Tooltip("kinds:N", title=t("reuse.chart.kinds")),
    ]
    chart = alt.Chart(data)
    layers = [chart.mark_rect(stroke="white").encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("weight:Q", scale=alt.Scale(scheme="blues"), title=t("reuse.chart.weight"),
                        legend=alt.Legend(format="d", tickMinStep=1, orient="bottom", direction="horizontal")),
    )]
    if cell >= 18:
        layers.append(chart.mark_text(fontSize=font).encode(
            x=x, y=y, text=alt.Text("weight:Q", format=","), tooltip=tooltip,
            color=alt.condition(f"datum.weight > {float(data['weight'].max()) / 2 if len(data) else 0}",
                                alt.value("white"), alt.value("#1f1f1f")),
        ))
    # The plot's own height plus room for the slanted column labels, the legend and the title:
    # Streamlit fits the whole chart, axes included, into the height given.
    longest = max((len(label) for label in order), default=10)
    height = cell * len(order) + min(longest, 30) * 6 + 110
    return alt.LayerChart(layer=layers, title=t("reuse.chart.matrix_title"), height=height, config=base.config(t))
