"""Edges between entities (:func:`entity_edges`): stored while fresh, else computed live from the evidence."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from warehouse.reuse.evidence import _KIND_ORDER, MAX_EVIDENCE, _kinds, _with_evidence
from warehouse.reuse.state import reuse_fresh
from warehouse.sql_frames import read_frame


def entity_edges(
    con: duckdb.DuckDBPyConnection,
    entity_id: str | None = None,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Edges between entities: ``source``'s projects reused by, or receiving work from, ``target``.

    Columns: source, target, kind, weight (distinct units, see the module doc), evidence (the
    details, sorted, joined with "; ", at most MAX_EVIDENCE then "; ... and N more").
    Sorted by kind (EDGE_KINDS order), then weight descending, source, target.
    """
    wanted = _kinds(kinds)
    if wanted and reuse_fresh(con):
        df = read_frame(
            con,
            "SELECT source, target, kind, weight, evidence FROM entity_edges_cache"
            " WHERE ($entity IS NULL OR source = $entity OR target = $entity) AND list_contains($kinds, kind)"
            " ORDER BY position",
            {"entity": entity_id, "kinds": wanted},
        )
        return _edge_types(df)
    return _entity_edges_live(con, entity_id, wanted)


def _edge_types(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame({"source": pd.Series(dtype=object), "target": pd.Series(dtype=object),
                             "kind": pd.Series(dtype=object), "weight": pd.Series(dtype="int64"),
                             "evidence": pd.Series(dtype=object)})
    df["weight"] = df["weight"].astype("int64")
    return df.astype({"source": object, "target": object, "kind": object, "evidence": object})


# The edges of the evidence {evidence} whose source or target is among $entities (NULL: all).
EDGES_SQL = """
WITH e AS (SELECT * FROM {evidence} e
           WHERE $entities IS NULL OR list_contains($entities, e.source) OR list_contains($entities, e.target)),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY source, target, kind ORDER BY detail) AS rn FROM e
),
agg AS (
    SELECT source, target, kind, count(DISTINCT unit) AS weight, count(*) AS details,
           string_agg(detail, '; ' ORDER BY detail) FILTER (WHERE rn <= $cap) AS shown
    FROM ranked GROUP BY source, target, kind
)
SELECT source, target, kind, weight,
       shown || CASE WHEN details > $cap THEN '; ... and ' || (details - $cap) || ' more' ELSE '' END AS evidence
FROM agg
"""

# The order of entity_edges: by kind, heaviest first.
EDGE_ORDER = f"{_KIND_ORDER}, weight DESC, source, target"


def _entity_edges_live(con: duckdb.DuckDBPyConnection, entity_id: str | None, wanted: list[str]) -> pd.DataFrame:
    if not wanted:
        return _edge_types(pd.DataFrame())
    params = {"entities": None if entity_id is None else [entity_id], "cap": MAX_EVIDENCE}
    return _edge_types(_with_evidence(con, wanted, f"{EDGES_SQL} ORDER BY {EDGE_ORDER}", params))
