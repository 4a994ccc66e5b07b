"""The evidence of each link in parts (which repositories, which people, how many commits, which
publiccode.yml entry), computed from the evidence views, and each link's first pieces as stored by
the refresh (``link_firsts``), so that a summary of thousands of links reads a few rows per link
instead of every person pair of an ecosystem. ``warehouse.link_evidence`` chooses between them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from warehouse.reuse.evidence import EDGE_KINDS, PEOPLE_KINDS, REUSE_KINDS
from warehouse.reuse.publiccode import _PC_ENTRIES, _PC_MENTIONS, _matches

COLUMNS = ("kind", "source", "target", "project_forge", "project_path", "forge", "path", "person", "commits",
           "other_commits", "text", "method")

# The first pieces stored per link: a link's summary shows fewer (dashboard.evidence_text).
FIRST_PIECES = 5

# Per kind: the owner's project (project_forge, project_path), the other side's repository where
# there is one (forge, path), the person and commits where people make the link, the publiccode.yml
# entry and how it was matched ({mentions}: reuse.publiccode's mentions); every kind gives
# COLUMNS in their order.
_NO_TEXT = "NULL::VARCHAR AS text, NULL::VARCHAR AS method"
# A project's forge and path, from repo_project: the projects view's aggregates (every mirror,
# their entities) cost memory the pieces do not need.
_PROJECTS = "(SELECT DISTINCT project_id, project_forge AS forge, project_path AS path FROM repo_project)"
_SQL = {
    "fork": f"""
        SELECT 'fork' AS kind, e.source, e.target, p.forge AS project_forge, p.path AS project_path,
               e.forge, e.fork_path AS path, NULL::VARCHAR AS person, NULL::BIGINT AS commits,
               NULL::BIGINT AS other_commits, {_NO_TEXT}
        FROM fork_evidence e LEFT JOIN {_PROJECTS} p ON p.project_id = e.source_project""",
    "mirror": f"""
        SELECT 'mirror' AS kind, e.source, e.target, p.forge AS project_forge, p.path AS project_path,
               e.forge, e.path, NULL::VARCHAR AS person, NULL::BIGINT AS commits, NULL::BIGINT AS other_commits,
               {_NO_TEXT}
        FROM mirror_evidence e LEFT JOIN {_PROJECTS} p ON p.project_id = e.source_project""",
    # usedBy: the project names another entity (owner -> named entity).
    "used_by": f"""
        SELECT DISTINCT 'used_by' AS kind, m.owner AS source, m.entity_id AS target, p.forge AS project_forge,
               p.path AS project_path, NULL::VARCHAR AS forge, NULL::VARCHAR AS path, NULL::VARCHAR AS person,
               NULL::BIGINT AS commits, NULL::BIGINT AS other_commits, m.text, m.method
        FROM ({{mentions}}) m LEFT JOIN {_PROJECTS} p ON p.project_id = m.project_id
        WHERE m.field = 'used_by' AND m.entity_id IS NOT NULL AND m.entity_id <> m.owner""",
    # isBasedOn: another entity's project says it builds on this one (the matched project's owner
    # -> the naming one); forge and path are the naming project's.
    "is_based_on": f"""
        SELECT DISTINCT 'is_based_on' AS kind, m.entity_id AS source, m.owner AS target, b.forge AS project_forge,
               b.path AS project_path, p.forge, p.path, NULL::VARCHAR AS person, NULL::BIGINT AS commits,
               NULL::BIGINT AS other_commits, m.text, m.method
        FROM ({{mentions}}) m
        LEFT JOIN {_PROJECTS} p ON p.project_id = m.project_id
        LEFT JOIN {_PROJECTS} b ON b.project_id = m.matched_project
        WHERE m.field = 'is_based_on' AND m.entity_id IS NOT NULL AND m.entity_id <> m.owner""",
    "contribution": f"""
        SELECT 'contribution' AS kind, e.source, e.target, p.forge AS project_forge, p.path AS project_path,
               NULL::VARCHAR AS forge, NULL::VARCHAR AS path, coalesce(s.display_name, '#' || e.person_id) AS person,
               e.commits, NULL::BIGINT AS other_commits, {_NO_TEXT}
        FROM contribution_evidence e
        LEFT JOIN {_PROJECTS} p ON p.project_id = e.source_project
        LEFT JOIN persons s ON s.person_id = e.person_id""",
    "shared_contributor": f"""
        SELECT 'shared_contributor' AS kind, e.source, e.target, NULL::VARCHAR AS project_forge,
               NULL::VARCHAR AS project_path, NULL::VARCHAR AS forge, NULL::VARCHAR AS path,
               coalesce(s.display_name, '#' || e.person_id) AS person,
               e.source_commits AS commits, e.target_commits AS other_commits, {_NO_TEXT}
        FROM shared_contributor_evidence e LEFT JOIN persons s ON s.person_id = e.person_id""",
}
# Only the links with one of $entities on either side, and with both sides among $within (NULL: every
# link).
_WHERE = ("WHERE ($entities IS NULL OR list_contains($entities, source) OR list_contains($entities, target))"
          " AND ($within IS NULL OR (list_contains($within, source) AND list_contains($within, target)))")

# The order of a link's pieces in its summary: most commits first, then by the rest of the row, so
# that the first n are the same rows however they are asked for.
_BY_WEIGHT = ("coalesce(commits, 0) DESC, project_path NULLS LAST, path NULLS LAST, person NULLS LAST, "
              "text NULLS LAST, method NULLS LAST, other_commits NULLS LAST, project_forge NULLS LAST, "
              "forge NULLS LAST")


# The order of one kind's listing of pieces: by link, then the rest of the row.
_LISTING = ("source, target, project_path NULLS LAST, path NULLS LAST, person NULLS LAST, text NULLS LAST, "
            "method NULLS LAST, commits NULLS LAST, other_commits NULLS LAST, project_forge NULLS LAST, "
            "forge NULLS LAST")


@dataclass(frozen=True)
class Cut:
    """Which pieces: the links with one of ``entities`` on either side, with both sides among
    ``within`` (None: no such condition); ``per_link``: only each link's first rows; ``limit``: only
    the first rows of the listing (kind in EDGE_KINDS order, link, then the row)."""

    entities: Sequence[str] | None = None
    within: Sequence[str] | None = None
    per_link: int | None = None
    limit: int | None = None

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {"entities": None if self.entities is None else list(self.entities),
                                     "within": None if self.within is None else list(self.within)}
        if self.per_link is not None:
            params["per_link"] = int(self.per_link)
        return params


def _each_kind(kinds: Sequence[str]) -> list[str]:
    # One kind at a time: a query over all of them holds every kind's joins at once, which does
    # not fit the collector's memory limit at the design scale; a link has one kind.
    return [k for k in EDGE_KINDS if k in set(kinds)]


def live_pieces(con: duckdb.DuckDBPyConnection, kinds: Sequence[str], cut: Cut = Cut()) -> pd.DataFrame:
    """The evidence of the links of ``kinds`` within ``cut``, as :data:`COLUMNS`; with
    ``cut.per_link`` also the columns ``pieces`` (the link's rows in all) and ``rank`` (1 for its
    first). By kind (EDGE_KINDS order), otherwise unsorted unless ``cut.limit`` takes the first
    rows of the listing."""
    columns = list(COLUMNS) + ([] if cut.per_link is None else ["pieces", "rank"])
    frames = []
    left = cut.limit
    for kind in _each_kind(kinds):
        if left is not None and left <= 0:
            break
        with _evidence_sql(con, kind, cut.per_link) as sql:
            limit = "" if left is None else f" ORDER BY {_LISTING} LIMIT {int(left)}"
            frame = con.sql(f"SELECT {', '.join(columns)} FROM ({sql}){limit}", params=cut.params()).to_df()
        if len(frame):
            frames.append(frame)
            left = None if left is None else left - len(frame)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(frames, ignore_index=True)


def count_pieces(con: duckdb.DuckDBPyConnection, kinds: Sequence[str], within: Sequence[str] | None) -> int:
    """How many pieces the links of ``kinds`` with both sides among ``within`` (None: all) have."""
    total = 0
    for kind in _each_kind(kinds):
        with _evidence_sql(con, kind, None) as sql:
            total += con.execute(f"SELECT count(*) FROM ({sql})", Cut(within=within).params()).fetchall()[0][0]
    return int(total)


def stored_count(con: duckdb.DuckDBPyConnection, kinds: Sequence[str], within: Sequence[str] | None) -> int:
    """:func:`count_pieces` from the stored firsts; valid while ``reuse_fresh`` holds."""
    return int(con.execute(
        "SELECT coalesce(sum(pieces), 0) FROM link_firsts WHERE rank = 1 AND list_contains($kinds, kind)"
        " AND ($within IS NULL OR (list_contains($within, source) AND list_contains($within, target)))",
        {"kinds": list(kinds), "within": None if within is None else list(within)}).fetchall()[0][0])


@contextlib.contextmanager
def _evidence_sql(con: duckdb.DuckDBPyConnection, kind: str, per_link: int | None) -> Iterator[str]:
    """The SQL of one kind's pieces (parameters $entities and $within, and $per_link with
    ``per_link``), valid while the context lasts (the publiccode.yml matches may be a registered
    table). Each kind's rows are its pieces: a fork, a mirror, a naming project (made distinct: a
    project's mirrors carry the same entries), a person."""
    with contextlib.ExitStack() as stack:
        mentions = ""
        if kind in ("used_by", "is_based_on"):
            mentions = _PC_MENTIONS.format(entries=_PC_ENTRIES, matches=stack.enter_context(_matches(con)))
        pieces = _SQL[kind].replace("{mentions}", mentions)
        if per_link is None:
            yield f"SELECT * FROM ({pieces}) {_WHERE}"
            return
        # Only the rows with at least a link's n-th most commits are ranked: the others cannot be
        # among its first n, and ranking every person pair of an ecosystem costs more than this.
        yield f"""
            WITH pieces AS MATERIALIZED (SELECT * FROM ({pieces}) {_WHERE}),
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
    # Straight from the evidence views into the table: no frame of every link's rows.
    for kind in _each_kind(kinds):
        with _evidence_sql(con, kind, FIRST_PIECES) as sql:
            con.execute(f"INSERT INTO link_firsts ({_STORED}) SELECT {_STORED} FROM ({sql})",
                        Cut(entities=entities, per_link=FIRST_PIECES).params())


def stored_firsts(con: duckdb.DuckDBPyConnection, kinds: Sequence[str], entity_id: str | None,
                  per_link: int) -> pd.DataFrame:
    """The first ``per_link`` (at most :data:`FIRST_PIECES`) stored pieces of each link of
    ``kinds``, as :func:`live_pieces` gives them; valid while ``reuse_fresh`` holds."""
    return con.sql(
        f"SELECT {_STORED} FROM link_firsts WHERE list_contains($kinds, kind) AND rank <= $per_link"
        " AND ($entity IS NULL OR source = $entity OR target = $entity) ORDER BY kind, source, target, rank",
        params={"kinds": list(kinds), "per_link": int(per_link), "entity": entity_id}).to_df()


__all__ = ["COLUMNS", "FIRST_PIECES", "Cut", "count_pieces", "live_pieces", "store_firsts", "stored_count",
           "stored_firsts"]
