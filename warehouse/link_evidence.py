"""The evidence behind each reuse and collaboration link as structured rows, for pages that say it in
their own language: which repositories, which people, how many commits, which publiccode.yml
entry. (``warehouse.reuse.entity_edges`` gives the links and their weights, with the evidence as one
English sentence; this module gives the same evidence in parts.)

The rows follow the evidence views of migration 005 and ``reuse.publiccode_mentions``, so every link
of ``reuse.entity_edges`` has its rows here, and only those. Each link's first pieces are stored by
the refresh after a collection (``warehouse.reuse.link_pieces``) and read from there while it is
fresh.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from warehouse import reuse
from warehouse.reuse.link_pieces import (
    COLUMNS,
    FIRST_PIECES,
    Cut,
    count_pieces,
    live_pieces,
    stored_count,
    stored_firsts,
)


def link_evidence(con: duckdb.DuckDBPyConnection, kinds: Sequence[str] | None = None, *,
                  entity_id: str | None = None, per_link: int | None = None,
                  within: Sequence[str] | None = None, limit: int | None = None) -> pd.DataFrame:
    """Every piece of evidence of the links of ``kinds`` (default all), one row each.

    Columns: kind, source, target (entity ids, as in ``reuse.entity_edges``), project_forge and
    project_path (the owner's project), forge and path (the fork or mirror; for ``is_based_on``
    the project whose publiccode.yml names it),
    person and commits (contribution: commits to the project; shared_contributor: commits to the
    source's projects, other_commits to the target's), text and method (the publiccode.yml entry
    and how it was matched to the entity). One row per piece (a fork, a mirror, a naming project, a
    person: two people of one name are two rows), sorted.

    ``entity_id``: only the links with that entity on either side. ``within``: only the links with
    both sides among these entities. ``limit``: only the first rows (in the order returned) -- at a
    hundred entities there are millions of pieces, more than a page can show.

    ``per_link``: only the first rows of each link by commits, most first (then by the row's other
    columns), with a column ``pieces`` (the link's rows in all): what a summary of the links shows,
    without reading every person pair of a large ecosystem into pandas. Up to ``FIRST_PIECES`` per
    link they are read from the stored firsts while the refresh is fresh.
    """
    if per_link is not None and (within is not None or limit is not None):
        raise ValueError("per_link cuts each link; within and limit cut the listing: ask for one or the other")
    wanted = [k for k in reuse.EDGE_KINDS if kinds is None or k in set(kinds)]
    if per_link is not None and 0 < per_link <= FIRST_PIECES and reuse.reuse_fresh(con):
        df = stored_firsts(con, wanted, entity_id, per_link)
    else:
        df = live_pieces(con, wanted, Cut(entities=None if entity_id is None else [entity_id], within=within,
                                          per_link=per_link, limit=limit))
    columns = list(COLUMNS) + ([] if per_link is None else ["pieces"])
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    df = df[columns]
    order = {k: i for i, k in enumerate(reuse.EDGE_KINDS)}
    df = df.assign(_order=df["kind"].map(order)).sort_values(
        ["_order", "source", "target", "project_path", "path", "person", "text"], na_position="last", kind="stable")
    df = df.drop(columns="_order").reset_index(drop=True).astype({"commits": "Int64", "other_commits": "Int64"})
    return df if per_link is None else df.astype({"pieces": "int64"})


def evidence_count(con: duckdb.DuckDBPyConnection, kinds: Sequence[str] | None = None, *,
                   within: Sequence[str] | None = None) -> int:
    """How many rows :func:`link_evidence` gives for ``kinds`` and ``within`` without a limit:
    from the stored firsts' counts while the refresh is fresh, else counted."""
    wanted = [k for k in reuse.EDGE_KINDS if kinds is None or k in set(kinds)]
    if reuse.reuse_fresh(con):
        return stored_count(con, wanted, within)
    return count_pieces(con, wanted, within)


__all__ = ["COLUMNS", "FIRST_PIECES", "evidence_count", "link_evidence"]
