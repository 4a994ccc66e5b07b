"""The edge kinds and their evidence: one SQL per kind, united, and :func:`reuse_evidence`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pandas as pd

from warehouse.reuse.publiccode import _PC_ENTRIES, _PC_MENTIONS, _matches
from warehouse.sql_frames import read_frame

# Edge kinds, in display order.
REUSE_KINDS = ("fork", "mirror", "used_by", "is_based_on")
PEOPLE_KINDS = ("contribution", "shared_contributor")
EDGE_KINDS = REUSE_KINDS + PEOPLE_KINDS

# At most this many evidence items are spelled out per edge; the rest are counted.
MAX_EVIDENCE = 20

_EVIDENCE_COLUMNS = ["kind", "source", "target", "source_project", "target_project", "unit", "detail"]

# One SELECT per kind, each giving the evidence columns; assembled with UNION ALL.
_EVIDENCE_SQL = {
    "fork": """
        SELECT 'fork' AS kind, source, target, source_project,
               forge || ':' || host || '/' || fork_path AS target_project,
               forge || ':' || host || '/' || fork_path AS unit,
               host || '/' || parent_path || ' forked as ' || host || '/' || fork_path AS detail
        FROM fork_evidence""",
    "mirror": """
        SELECT 'mirror' AS kind, source, target, source_project, source_project AS target_project,
               forge || ':' || host || '/' || path AS unit,
               source_project || ' mirrored as ' || forge || ':' || host || '/' || path AS detail
        FROM mirror_evidence""",
    "used_by": """
        SELECT DISTINCT 'used_by' AS kind, owner AS source, entity_id AS target,
               project_id AS source_project, NULL::VARCHAR AS target_project, project_id AS unit,
               project_id || ' publiccode.yml usedBy "' || text || '" (' || method || ' '
               || printf('%g', score) || ')' AS detail
        FROM ({mentions}) WHERE field = 'used_by' AND entity_id IS NOT NULL AND entity_id <> owner""",
    "is_based_on": """
        SELECT DISTINCT 'is_based_on' AS kind, entity_id AS source, owner AS target,
               matched_project AS source_project, project_id AS target_project, project_id AS unit,
               project_id || ' publiccode.yml isBasedOn "' || text || '" (' || method || ')' AS detail
        FROM ({mentions}) WHERE field = 'is_based_on' AND entity_id IS NOT NULL AND entity_id <> owner""",
    "contribution": """
        SELECT 'contribution' AS kind, c.source, c.target, c.source_project,
               NULL::VARCHAR AS target_project, c.person_id::VARCHAR AS unit,
               coalesce(p.display_name, 'person ' || c.person_id) || ': ' || c.commits
               || ' commit(s) to ' || c.source_project AS detail
        FROM contribution_evidence c LEFT JOIN persons p USING (person_id)""",
    "shared_contributor": """
        SELECT 'shared_contributor' AS kind, x.source, x.target, NULL::VARCHAR AS source_project,
               NULL::VARCHAR AS target_project, x.person_id::VARCHAR AS unit,
               coalesce(p.display_name, 'person ' || x.person_id) || ': ' || x.source_commits
               || ' commit(s) to projects of ' || x.source || ', ' || x.target_commits
               || ' to projects of ' || x.target AS detail
        FROM shared_contributor_evidence x LEFT JOIN persons p USING (person_id)""",
}


def _kinds(kinds: Sequence[str] | None) -> list[str]:
    unknown = set(kinds or ()) - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)} (expected some of {', '.join(EDGE_KINDS)})")
    return list(EDGE_KINDS) if kinds is None else [k for k in EDGE_KINDS if k in set(kinds)]


def _with_evidence(con, kinds: list[str], sql: str, params: dict[str, Any]) -> pd.DataFrame:
    """Run ``sql`` with ``{evidence}`` replaced by the union of the wanted kinds' evidence.

    Every kind's rows are unique by construction (per fork repository, mirror repository,
    (project, named entity), (person, project, entity), (person, entity pair)).
    """
    with evidence_relation(con, kinds) as evidence:
        return read_frame(con, sql.replace("{evidence}", evidence), params)


@contextlib.contextmanager
def evidence_relation(con, kinds: list[str]) -> Iterator[str]:
    """The union of the wanted kinds' evidence, as SQL text valid while the context lasts."""
    with contextlib.ExitStack() as stack:
        mentions = ""
        if {"used_by", "is_based_on"} & set(kinds):
            matches = stack.enter_context(_matches(con))
            mentions = _PC_MENTIONS.format(entries=_PC_ENTRIES, matches=matches)
        parts = [_EVIDENCE_SQL[k].replace("{mentions}", mentions) for k in kinds]
        yield "(" + " UNION ALL ".join(parts) + ")"


_KIND_ORDER = "list_position([" + ", ".join(f"'{k}'" for k in EDGE_KINDS) + "], kind)"


def reuse_evidence(
    con: duckdb.DuckDBPyConnection,
    entity_id: str | None = None,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every piece of evidence behind the edges, one row each, deduplicated.

    Columns: kind, source, target (entity ids), source_project (the reused project, when known),
    target_project (the reusing project: fork or mirror repository, isBasedOn project), unit (what
    the edge weight counts: the fork or mirror repository, the naming project, the reusing
    project, the person id), detail (a readable sentence). ``entity_id`` keeps rows where it is
    source or target; ``kinds`` keeps those kinds.
    """
    wanted = _kinds(kinds)
    if not wanted:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _EVIDENCE_COLUMNS})
    df = _with_evidence(
        con,
        wanted,
        "SELECT * FROM {evidence} e WHERE $entity IS NULL OR e.source = $entity OR e.target = $entity"
        f" ORDER BY {_KIND_ORDER}, source, target, unit, detail",
        {"entity": entity_id},
    ).astype(object)
    return df.where(df.notna(), None).reset_index(drop=True)
