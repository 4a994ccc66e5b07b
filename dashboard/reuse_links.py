"""The reuse page's links, labelled and said in the reader's language, and its network's layout:
each computed once and kept in Streamlit's data cache, so that a rerun of the page (a click in a
table, the evidence toggle, the view switch) or a return to it does not redo them.

The links are kept per published snapshot (its key is part of the cache key), language, kinds and
entities in scope; the layout per entities and drawn links (the same ones always give the same
picture, whatever snapshot they come from). The evidence toggle's listing (:func:`pieces`) is cut to
its first rows in the warehouse and said in words on each run. No SQL here: the links and pieces
come through ``dashboard.data.query``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard import data, evidence_text, network_charts
from dashboard.i18n import Translator
from warehouse import link_evidence, reuse

log = logging.getLogger(__name__)

# Kept at most: sets of links (languages × kinds × scopes read lately; all links of a hundred
# entities, 16k with their evidence, are about 16 MB) and layouts (a few kB each).
KEPT_LINKS = 4
KEPT_LAYOUTS = 32
# Pieces of evidence listed at most (a hundred entities have about a million; a reader scrolls
# through a few thousand, and saying each in words costs some microseconds).
SHOWN_PIECES = 10_000


def links(t: Translator, kinds: Sequence[str], scope_ids: Sequence[str], labels: dict[str, str]) -> pd.DataFrame:
    """Links between entities in scope (``reuse.entity_edges`` columns) with source_label,
    target_label, kind_label and evidence_text (the link's first pieces of evidence in words and
    a count of the rest, ``evidence_text.link_summaries``), in ``entity_edges``' order."""
    snap = data.current_snapshot()
    return _links(snap.path, snap.key, t.lang, tuple(kinds), tuple(scope_ids), dict(labels))


@st.cache_data(max_entries=KEPT_LINKS, show_spinner=False)
def _links(path: str, key: tuple[int, int, int], lang: str, kinds: tuple[str, ...], scope: tuple[str, ...],
           labels: dict[str, str]) -> pd.DataFrame:
    # ``path`` and ``key`` name the snapshot in the cache key; the queries read the current one.
    t = Translator(lang)
    inside = set(scope)
    edges = data.query(reuse.entity_edges, kinds=kinds)
    edges = edges[edges["source"].isin(inside) & edges["target"].isin(inside)].copy()
    edges["source_label"] = edges["source"].map(labels)
    edges["target_label"] = edges["target"].map(labels)
    edges["kind_label"] = edges["kind"].map({k: t.label("edge", k) for k in set(edges["kind"])})
    # A link's summary needs its first pieces of evidence; every piece is read only when asked for.
    firsts = data.query(link_evidence.link_evidence, kinds, per_link=evidence_text.SHOWN_PER_LINK)
    firsts = firsts[firsts["source"].isin(inside) & firsts["target"].isin(inside)]
    said = evidence_text.link_summaries(t, firsts, labels)
    log.debug("reuse links said: %d links of %s among %d entities, in %s", len(edges), ",".join(kinds),
              len(scope), lang)
    return edges.merge(said, on=["source", "target", "kind"], how="left")


def pieces(t: Translator, kinds: Sequence[str], within: Sequence[str] | None, labels: dict[str, str]
           ) -> tuple[pd.DataFrame, int]:
    """The first :data:`SHOWN_PIECES` pieces of evidence of the links of ``kinds`` with both sides
    among ``within`` (None: every entity), by kind and link, each with labels and a sentence
    (``link_evidence`` columns, source_label, target_label, kind_label, sentence); and how many
    there are in all."""
    within = None if within is None else tuple(within)
    total = data.query(link_evidence.evidence_count, tuple(kinds), within=within)
    listed = data.query(link_evidence.link_evidence, tuple(kinds), within=within, limit=SHOWN_PIECES)
    said = listed.assign(
        source_label=listed["source"].map(labels),
        target_label=listed["target"].map(labels),
        kind_label=listed["kind"].map(lambda k: t.label("edge", k)),
        sentence=evidence_text.sentences(t, listed, labels),
    )
    return said, total


def linked_pairs(edges: pd.DataFrame) -> int:
    """Pairs of entities with at least one link (either direction, any kind)."""
    if edges.empty:
        return 0
    source, target = edges["source"].astype(str), edges["target"].astype(str)
    return int(pd.Series(list(zip(source.where(source < target, target), target.where(source < target, source))))
               .nunique())


def layout(ids: Sequence[str], drawn: pd.DataFrame) -> pd.DataFrame:
    """``network_charts.spring_layout`` of ``ids`` and the drawn links (source, target, weight),
    computed once per entities and links."""
    edges = tuple((str(a), str(b), float(w)) for a, b, w in zip(drawn["source"], drawn["target"], drawn["weight"]))
    return _layout(tuple(str(e) for e in ids), edges)


@st.cache_data(max_entries=KEPT_LAYOUTS, show_spinner=False)
def _layout(ids: tuple[str, ...], edges: tuple[tuple[str, str, float], ...]) -> pd.DataFrame:
    log.debug("network layout: %d entities, %d links", len(ids), len(edges))
    return network_charts.spring_layout(ids, edges)
