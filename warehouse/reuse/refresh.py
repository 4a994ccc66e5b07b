"""The refresh after each collection: derived tables, stored edges and summaries, the freshness state."""

from __future__ import annotations

import contextlib

import duckdb

from warehouse import changes
from warehouse.reuse.edges import EDGE_ORDER, EDGES_SQL
from warehouse.reuse.evidence import (
    EDGE_KINDS,
    MAX_EVIDENCE,
    PEOPLE_KINDS,
    REUSE_KINDS,
    evidence_relation,
)
from warehouse.reuse.link_pieces import store_firsts
from warehouse.reuse.publiccode import _PC_ENTRIES, _resolve_table
from warehouse.reuse.state import _STATE_COUNTED, _STATE_COUNTS_SQL, _counts
from warehouse.reuse.summary import _entity_reuse_summary_live
from warehouse.transactions import Transaction

_PPC_COLUMNS = "person_id, project_id, owner, commits, first_at, last_at"
_PROJECTS = "_reuse_changed_projects"
_SHAS = "_reuse_changed_shas"
_EDGES = "_reuse_edges"


def refresh_reuse(con: duckdb.DuckDBPyConnection, changed_only: bool = False) -> dict[str, int]:
    """Rebuild the derived tables repo_project, person_project_commits and publiccode_matches.

    Call after each collection, after the identities (``refresh_identities``) and the metric facts,
    in the caller's transaction if one is open (else in one of its own). Same data, same rows.
    With ``changed_only`` (the run noted which repositories changed, warehouse.changes, and
    nothing that moves repositories between entities), the commits per person and project are
    refreshed for the projects those repositories' commits touch, when the last refresh completed
    and no repository changed project; otherwise everything is rebuilt (and, when ``changed_only``
    was asked, ``everything`` is noted for the steps after this one). Returns row counts.
    """
    with Transaction(con):
        refreshed = con.execute("SELECT count(*) FROM reuse_state").fetchall()[0][0] == 1
        # Without a state row, entity_edges and entity_reuse_summary below compute live.
        con.execute("DELETE FROM reuse_state")
        same = changed_only and refreshed and _same_projects(con)
        concerned = None  # the entities whose edges of people can have changed (None: all)
        if same:
            concerned = _refresh_changed_commits(con)
        else:
            if changed_only:
                # What follows cannot go by the noted repositories alone either.
                changes.mark(con, changes.EVERYTHING,
                             "a repository changed project, or the last reuse refresh did not complete")
            con.execute("DELETE FROM repo_project")
            con.execute("INSERT INTO repo_project SELECT * FROM repo_project_live")
            con.execute("DELETE FROM person_project_commits")
            con.execute(f"INSERT INTO person_project_commits ({_PPC_COLUMNS})"
                        f" SELECT {_PPC_COLUMNS} FROM person_project_commits_live")
        con.execute("DELETE FROM publiccode_matches")
        texts = [r[0] for r in con.sql(f"SELECT DISTINCT text FROM ({_PC_ENTRIES}) ORDER BY text").fetchall()]
        if texts:
            con.register("_reuse_matches", _resolve_table(con, texts))
            try:
                con.execute(
                    "INSERT INTO publiccode_matches"
                    " SELECT text, entity_id, project_id, method, score FROM _reuse_matches"
                )
            finally:
                con.unregister("_reuse_matches")
        _refresh_caches(con, concerned)
        counts = {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            for name in ("repo_project", "person_project_commits", "publiccode_matches",
                         "entity_edges_cache", "entity_reuse_cache")
        }
        sources = _counts(con, _STATE_COUNTS_SQL)
        con.execute(
            f"INSERT INTO reuse_state (refreshed_at, {', '.join(_STATE_COUNTED)})"
            f" VALUES (now(), {', '.join('?' for _ in _STATE_COUNTED)})",
            list(sources),
        )
    return counts


def _same_projects(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every repository is in the project it was in at the last refresh."""
    return con.execute(
        "SELECT count(*) FROM ((SELECT * FROM repo_project_live EXCEPT ALL SELECT * FROM repo_project)"
        " UNION ALL (SELECT * FROM repo_project EXCEPT ALL SELECT * FROM repo_project_live))"
    ).fetchall()[0][0] == 0


def _refresh_changed_commits(con: duckdb.DuckDBPyConnection) -> list[str]:
    """person_project_commits of the projects a changed repository's commits touch; returns the
    entities owning them or a changed repository.

    A commit counts for its SHA's home project (commit_home: the earliest created repository
    holding it). Only a SHA a changed repository holds can change home or author, and it can
    only leave or join the projects of the repositories holding it: those projects are refreshed,
    from every SHA their repositories hold. The identity rebuild notes the repositories of every
    identity it moved (warehouse.changes), so a changed person, bot flag, display name or
    affiliation is among them.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_PROJECTS} AS
        WITH shas AS (
            SELECT DISTINCT c.sha FROM commits c
            JOIN changed_repos x ON x.forge = c.forge AND x.host = c.host AND x.repo_path = c.repo_path
        ),
        holders AS (
            SELECT c.forge, c.host, c.repo_path FROM commits c WHERE c.sha IN (SELECT sha FROM shas)
            UNION SELECT forge, host, repo_path FROM changed_repos
        )
        SELECT DISTINCT rp.project_id FROM repo_project rp
        JOIN holders h ON h.forge = rp.forge AND h.host = rp.host AND h.repo_path = rp.path
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_SHAS} AS
        SELECT DISTINCT c.sha FROM commits c
        JOIN repo_project rp ON rp.forge = c.forge AND rp.host = c.host AND rp.path = c.repo_path
        WHERE rp.project_id IN (SELECT project_id FROM {_PROJECTS})
    """)
    try:
        con.execute(f"DELETE FROM person_project_commits WHERE project_id IN (SELECT project_id FROM {_PROJECTS})")
        # As person_project_commits_live (migration 005), over the home of these SHAs only.
        con.execute(f"""
            INSERT INTO person_project_commits ({_PPC_COLUMNS})
            SELECT h.person_id, h.project_id, p.entity_id AS owner, count(*) AS commits,
                   min(h.committed_at) AS first_at, max(h.committed_at) AS last_at
            FROM commit_home_of('{_SHAS}') h
            JOIN projects p ON p.project_id = h.project_id
            WHERE h.person_id IS NOT NULL AND NOT h.is_bot
              AND h.project_id IN (SELECT project_id FROM {_PROJECTS})
            GROUP BY h.person_id, h.project_id, p.entity_id
        """)
        return [e for (e,) in con.execute(f"""
            SELECT entity_id FROM projects WHERE project_id IN (SELECT project_id FROM {_PROJECTS})
            UNION
            SELECT r.entity_id FROM repos r
            JOIN changed_repos x ON x.forge = r.forge AND x.host = r.host AND x.repo_path = r.path
            ORDER BY 1
        """).fetchall()]
    finally:
        _drop(con, _PROJECTS, _SHAS)


def _refresh_caches(con: duckdb.DuckDBPyConnection, entities: list[str] | None) -> None:
    """Every edge, each link's first pieces of evidence (``link_firsts``) and every entity's
    summary, stored for reading while reuse_fresh holds.

    With ``entities`` (those a change concerns: :func:`_refresh_changed_commits`), the edges of
    people between two entities are computed again only where one of those is source or target;
    the rest of theirs stay. The edges of reuse (forks, mirrors, publiccode.yml) are few and are
    computed again whole. Positions follow the edges' order (EDGE_ORDER) over all of them.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_EDGES} AS SELECT source, target, kind, weight, evidence"
                " FROM entity_edges_cache WHERE false")
    try:
        if entities is None:
            _add_edges(con, list(EDGE_KINDS), None)
        else:
            con.execute(f"INSERT INTO {_EDGES} SELECT source, target, kind, weight, evidence FROM entity_edges_cache"
                        " WHERE list_contains($people, kind) AND NOT list_contains($entities, source)"
                        " AND NOT list_contains($entities, target)",
                        {"people": list(PEOPLE_KINDS), "entities": entities})
            _add_edges(con, list(REUSE_KINDS), None)
            _add_edges(con, list(PEOPLE_KINDS), entities)
        con.execute("DELETE FROM entity_edges_cache")
        con.execute("INSERT INTO entity_edges_cache (position, source, target, kind, weight, evidence)"
                    f" SELECT (row_number() OVER (ORDER BY {EDGE_ORDER}) - 1)::INTEGER, source, target, kind, weight,"
                    f" evidence FROM {_EDGES}")
    finally:
        _drop(con, _EDGES)
    store_firsts(con, entities)
    con.execute("DELETE FROM entity_reuse_cache")
    summary = _entity_reuse_summary_live(con, None)
    if not summary.empty:
        con.register("_reuse_rows_summary", summary)
        try:
            cols = ", ".join(summary.columns)
            con.execute(f"INSERT INTO entity_reuse_cache ({cols}) SELECT {cols} FROM _reuse_rows_summary")
        finally:
            con.unregister("_reuse_rows_summary")


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for table in tables:
        # After a failed statement the transaction refuses even this; the error matters more.
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _add_edges(con: duckdb.DuckDBPyConnection, kinds: list[str], entities: list[str] | None) -> None:
    with evidence_relation(con, kinds) as evidence:
        con.execute(f"INSERT INTO {_EDGES} {EDGES_SQL.replace('{evidence}', evidence)}",
                    {"entities": entities, "cap": MAX_EVIDENCE})
