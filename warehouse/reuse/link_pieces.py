"""The evidence of each link in parts (which repositories, which people, how many commits, which
publiccode.yml entry), computed from the evidence views, and each link's first pieces as stored by
the refresh (``link_firsts``), so that a summary of thousands of links reads a few rows per link
instead of every person pair of an ecosystem. ``warehouse.link_evidence`` chooses between them.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from warehouse.reuse.evidence import EDGE_KINDS, PEOPLE_KINDS, REUSE_KINDS
from warehouse.reuse.publiccode import publiccode_mentions

COLUMNS = ("kind", "source", "target", "project_forge", "project_path", "forge", "path", "person", "commits",
           "other_commits", "text", "method")

# The first pieces stored per link: a link's summary shows fewer (dashboard.evidence_text).
FIRST_PIECES = 5

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
# Only the links with one of $entities on either side (NULL: every link).
_WHERE = "WHERE $entities IS NULL OR list_contains($entities, source) OR list_contains($entities, target)"

# The order of a link's pieces in its summary: most commits first, then by the rest of the row, so
# that the first n are the same rows however they are asked for.
_BY_WEIGHT = ("coalesce(commits, 0) DESC, project_path NULLS LAST, path NULLS LAST, person NULLS LAST, "
              "other_commits NULLS LAST, project_forge NULLS LAST, forge NULLS LAST")
_PANDAS_ORDER = (["commits", "project_path", "path", "person", "text", "other_commits", "project_forge", "forge",
                  "method"])


def live_pieces(con: duckdb.DuckDBPyConnection, kinds: Sequence[str], entities: Sequence[str] | None = None,
                per_link: int | None = None) -> pd.DataFrame:
    """The evidence of the links of ``kinds`` (EDGE_KINDS order) with one of ``entities`` (None:
    all) on either side, as :data:`COLUMNS`; with ``per_link`` only the first rows of each link
    and the columns ``pieces`` (its rows in all) and ``rank`` (1 for its first). Unsorted."""
    frames = []
    sql = _sql(kinds, per_link)
    if sql:
        params = {"entities": None if entities is None else list(entities)}
        if per_link is not None:
            params["per_link"] = int(per_link)
        frames.append(con.sql(sql, params=params).to_df().assign(text=None, method=None))
    if {"used_by", "is_based_on"} & set(kinds):
        mentioned = _publiccode(con, kinds)
        if entities is not None:
            mentioned = mentioned[mentioned["source"].isin(entities) | mentioned["target"].isin(entities)]
        mentioned = mentioned.drop_duplicates()
        if per_link is not None:
            mentioned = _first_of_each_link(mentioned, per_link)
        frames.append(mentioned)
    columns = list(COLUMNS) + ([] if per_link is None else ["pieces", "rank"])
    frames = [f[columns] for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(frames, ignore_index=True)


def _sql(kinds: Sequence[str], per_link: int | None) -> str | None:
    sql = [_SQL[k] for k in kinds if k in _SQL]
    if not sql:
        return None
    union = " UNION ".join(sql)  # UNION: deduplicated
    if per_link is None:
        return f"SELECT * FROM ({union}) {_WHERE}"
    # Only the rows with at least a link's n-th most commits are ranked: the others cannot be
    # among its first n, and ranking every person pair of an ecosystem costs more than this.
    return f"""
        WITH pieces AS MATERIALIZED (SELECT * FROM ({union}) {_WHERE}),
        links AS (
            SELECT kind, source, target, count(*) AS pieces,
                   list_min(max(coalesce(commits, 0), $per_link)) AS least
            FROM pieces GROUP BY kind, source, target
        ),
        near AS (
            SELECT p.*, l.pieces FROM pieces p JOIN links l USING (kind, source, target)
            WHERE coalesce(p.commits, 0) >= l.least
        )
        SELECT * FROM (
            SELECT *, row_number() OVER (PARTITION BY kind, source, target ORDER BY {_BY_WEIGHT}) AS rank
            FROM near
        ) WHERE rank <= $per_link"""


def _first_of_each_link(df: pd.DataFrame, per_link: int) -> pd.DataFrame:
    keys = ["kind", "source", "target"]
    ranked = df.assign(commits=pd.to_numeric(df["commits"], errors="coerce")).sort_values(
        keys + _PANDAS_ORDER, ascending=[True] * 3 + [False] + [True] * (len(_PANDAS_ORDER) - 1),
        na_position="last", kind="stable")
    ranked["pieces"] = ranked.groupby(keys)["kind"].transform("size")
    ranked["rank"] = ranked.groupby(keys, sort=False).cumcount() + 1
    return ranked[ranked["rank"] <= per_link].astype({"commits": object})


def _publiccode(con: duckdb.DuckDBPyConnection, kinds: Sequence[str]) -> pd.DataFrame:
    """usedBy: the project names another entity (owner -> named entity). isBasedOn: another
    entity's project says it builds on this one (the matched project's owner -> the naming one)."""
    mentions = publiccode_mentions(con)
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


_STORED = ", ".join(COLUMNS) + ", pieces, rank"


def store_firsts(con: duckdb.DuckDBPyConnection, entities: Sequence[str] | None) -> None:
    """Store each link's first :data:`FIRST_PIECES` pieces in ``link_firsts``, in the caller's
    transaction. With ``entities``, as the stored edges (warehouse.reuse.refresh): the links of
    people are made again only where one of them is source or target, the links of reuse whole."""
    if entities is None:
        con.execute("DELETE FROM link_firsts")
        _insert_firsts(con, list(EDGE_KINDS), None)
        return
    con.execute("DELETE FROM link_firsts WHERE NOT list_contains($people, kind) OR list_contains($entities, source)"
                " OR list_contains($entities, target)", {"people": list(PEOPLE_KINDS), "entities": list(entities)})
    _insert_firsts(con, list(REUSE_KINDS), None)
    _insert_firsts(con, list(PEOPLE_KINDS), list(entities))


def _insert_firsts(con: duckdb.DuckDBPyConnection, kinds: list[str], entities: list[str] | None) -> None:
    sql = _sql(kinds, FIRST_PIECES)
    if sql:  # straight from the evidence views into the table: no frame of every link's rows
        con.execute(f"INSERT INTO link_firsts ({_STORED}) SELECT {', '.join(COLUMNS[:10])}, NULL, NULL, pieces, rank"
                    f" FROM ({sql})", {"entities": entities, "per_link": FIRST_PIECES})
    if {"used_by", "is_based_on"} & set(kinds):
        mentioned = live_pieces(con, [k for k in kinds if k not in _SQL], entities, FIRST_PIECES)
        if len(mentioned):
            con.register("_link_firsts_rows", mentioned.astype({"commits": "Int64", "other_commits": "Int64"}))
            try:
                con.execute(f"INSERT INTO link_firsts ({_STORED}) SELECT {_STORED} FROM _link_firsts_rows")
            finally:
                con.unregister("_link_firsts_rows")


def stored_firsts(con: duckdb.DuckDBPyConnection, kinds: Sequence[str], entity_id: str | None,
                  per_link: int) -> pd.DataFrame:
    """The first ``per_link`` (at most :data:`FIRST_PIECES`) stored pieces of each link of
    ``kinds``, as :func:`live_pieces` gives them; valid while ``reuse_fresh`` holds."""
    return con.sql(
        f"SELECT {_STORED} FROM link_firsts WHERE list_contains($kinds, kind) AND rank <= $per_link"
        " AND ($entity IS NULL OR source = $entity OR target = $entity) ORDER BY kind, source, target, rank",
        params={"kinds": list(kinds), "per_link": int(per_link), "entity": entity_id}).to_df()


__all__ = ["COLUMNS", "FIRST_PIECES", "live_pieces", "store_firsts", "stored_firsts"]
