"""The evidence behind each reuse and collaboration link as structured rows, for pages that say it in
their own language: which repositories, which people, how many commits, which publiccode.yml
entry. (``warehouse.reuse.entity_edges`` gives the links and their weights, with the evidence as one
English sentence; this module gives the same evidence in parts.)

The rows follow the evidence views of migration 005 and ``reuse.publiccode_mentions``, so every link
of ``reuse.entity_edges`` has its rows here, and only those.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from warehouse import reuse

COLUMNS = ("kind", "source", "target", "project_forge", "project_path", "forge", "path", "person", "commits",
           "other_commits", "text", "method")

# Per kind: the owner's project (project_forge, project_path), the other side's repository where
# there is one (forge, path), the person and commits where people make the link. Every part names
# its columns: any one of them may come first in the union.
_SQL = {
    "fork": """
        SELECT 'fork' AS kind, e.source, e.target, p.forge AS project_forge, p.path AS project_path,
               e.forge, e.fork_path AS path, NULL AS person, NULL::BIGINT AS commits,
               NULL::BIGINT AS other_commits
        FROM fork_evidence e LEFT JOIN projects p ON p.project_id = e.source_project""",
    "mirror": """
        SELECT 'mirror' AS kind, e.source, e.target, p.forge AS project_forge, p.path AS project_path,
               e.forge, e.path, NULL AS person, NULL::BIGINT AS commits, NULL::BIGINT AS other_commits
        FROM mirror_evidence e LEFT JOIN projects p ON p.project_id = e.source_project""",
    "contribution": """
        SELECT 'contribution' AS kind, e.source, e.target, p.forge AS project_forge, p.path AS project_path,
               NULL AS forge, NULL AS path, coalesce(s.display_name, '#' || e.person_id) AS person,
               e.commits, NULL::BIGINT AS other_commits
        FROM contribution_evidence e
        LEFT JOIN projects p ON p.project_id = e.source_project
        LEFT JOIN persons s ON s.person_id = e.person_id""",
    "shared_contributor": """
        SELECT 'shared_contributor' AS kind, e.source, e.target, NULL AS project_forge, NULL AS project_path,
               NULL AS forge, NULL AS path, coalesce(s.display_name, '#' || e.person_id) AS person,
               e.source_commits AS commits, e.target_commits AS other_commits
        FROM shared_contributor_evidence e LEFT JOIN persons s ON s.person_id = e.person_id""",
}
_PROJECTS_SQL = "SELECT project_id, forge, path FROM projects"


def link_evidence(con: duckdb.DuckDBPyConnection, kinds: Sequence[str] | None = None, *,
                  entity_id: str | None = None, per_link: int | None = None) -> pd.DataFrame:
    """Every piece of evidence of the links of ``kinds`` (default all), one row each.

    Columns: kind, source, target (entity ids, as in ``reuse.entity_edges``), project_forge and
    project_path (the owner's project), forge and path (the fork or mirror; for ``is_based_on``
    the project whose publiccode.yml names it),
    person and commits (contribution: commits to the project; shared_contributor: commits to the
    source's projects, other_commits to the target's), text and method (the publiccode.yml entry
    and how it was matched to the entity). Rows are deduplicated and sorted.

    ``entity_id``: only the links with that entity on either side. ``per_link``: only the first
    rows of each link (kind, source, target) by commits, most first, with a column ``pieces``
    (the link's rows in all): what a summary of the links shows, without reading every person
    pair of a large ecosystem (hundreds of thousands of rows) into pandas.
    """
    wanted = [k for k in reuse.EDGE_KINDS if kinds is None or k in set(kinds)]
    frames = []
    sql = [_SQL[k] for k in wanted if k in _SQL]
    if sql:
        union = " UNION ".join(sql)  # UNION: deduplicated, as below
        where = "WHERE $entity_id IS NULL OR source = $entity_id OR target = $entity_id"
        if per_link is None:
            query, params = f"SELECT * FROM ({union}) {where}", {"entity_id": entity_id}
        else:
            # Only the rows with at least a link's n-th most commits are ranked: the others cannot be
            # among its first n, and ranking every person pair of an ecosystem costs more than this.
            query = f"""
                WITH pieces AS MATERIALIZED (SELECT * FROM ({union}) {where}),
                links AS (
                    SELECT kind, source, target, count(*) AS pieces,
                           list_min(max(coalesce(commits, 0), $per_link)) AS least
                    FROM pieces GROUP BY kind, source, target
                ),
                near AS (
                    SELECT p.*, l.pieces FROM pieces p JOIN links l USING (kind, source, target)
                    WHERE coalesce(p.commits, 0) >= l.least
                )
                SELECT * EXCLUDE (_rank) FROM (
                    SELECT *, row_number() OVER (PARTITION BY kind, source, target ORDER BY {_BY_WEIGHT}) AS _rank
                    FROM near
                ) WHERE _rank <= $per_link"""
            params = {"entity_id": entity_id, "per_link": int(per_link)}
        frames.append(con.sql(query, params=params).to_df().assign(text=None, method=None))
    if {"used_by", "is_based_on"} & set(wanted):
        mentioned = _publiccode(con, wanted)
        if entity_id is not None:
            mentioned = mentioned[(mentioned["source"] == entity_id) | (mentioned["target"] == entity_id)]
        if per_link is not None:
            mentioned = _first_of_each_link(mentioned.drop_duplicates(), per_link)
        frames.append(mentioned)
    columns = list(COLUMNS) + ([] if per_link is None else ["pieces"])
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    df = pd.concat(frames, ignore_index=True)[columns].drop_duplicates()
    order = {k: i for i, k in enumerate(reuse.EDGE_KINDS)}
    df = df.assign(_order=df["kind"].map(order)).sort_values(
        ["_order", "source", "target", "project_path", "path", "person", "text"], na_position="last", kind="stable")
    df = df.drop(columns="_order").reset_index(drop=True).astype({"commits": "Int64", "other_commits": "Int64"})
    return df if per_link is None else df.astype({"pieces": "int64"})


# The order of a link's rows in its summary: most commits first, then as the rows are sorted.
_BY_WEIGHT = ("coalesce(commits, 0) DESC, project_path NULLS LAST, path NULLS LAST, person NULLS LAST")


def _first_of_each_link(df: pd.DataFrame, per_link: int) -> pd.DataFrame:
    ranked = df.assign(_w=pd.to_numeric(df["commits"], errors="coerce").fillna(0)).sort_values(
        ["kind", "source", "target", "_w", "project_path", "path", "person", "text"],
        ascending=[True, True, True, False, True, True, True, True], na_position="last", kind="stable")
    ranked["pieces"] = ranked.groupby(["kind", "source", "target"])["kind"].transform("size")
    return ranked.groupby(["kind", "source", "target"], sort=False).head(per_link).drop(columns="_w")


def _publiccode(con: duckdb.DuckDBPyConnection, kinds: Sequence[str]) -> pd.DataFrame:
    """usedBy: the project names another entity (owner -> named entity). isBasedOn: another
    entity's project says it builds on this one (the matched project's owner -> the naming one)."""
    mentions = reuse.publiccode_mentions(con)
    mentions = mentions[mentions["entity_id"].notna() & (mentions["entity_id"] != mentions["owner"])]
    projects = con.sql(_PROJECTS_SQL).to_df().set_index("project_id")
    rows = []
    for m in mentions.itertuples():
        own = projects.loc[m.project_id] if m.project_id in projects.index else None
        if m.field == "used_by" and "used_by" in kinds:
            rows.append(("used_by", m.owner, m.entity_id, None if own is None else own["forge"],
                         None if own is None else own["path"], None, None, m.text, m.method))
        elif m.field == "is_based_on" and "is_based_on" in kinds:
            base = projects.loc[m.matched_project] if m.matched_project in projects.index else None
            rows.append(("is_based_on", m.entity_id, m.owner, None if base is None else base["forge"],
                         None if base is None else base["path"], None if own is None else own["forge"],
                         None if own is None else own["path"], m.text, m.method))
    df = pd.DataFrame(rows, columns=["kind", "source", "target", "project_forge", "project_path", "forge", "path",
                                     "text", "method"])
    return df.assign(person=None, commits=pd.NA, other_commits=pd.NA)


__all__ = ["COLUMNS", "link_evidence"]
