"""The refresh after each collection: derived tables, stored edges and summaries, the freshness state."""

from __future__ import annotations

import duckdb

from warehouse.reuse.edges import _entity_edges_live
from warehouse.reuse.evidence import EDGE_KINDS
from warehouse.reuse.publiccode import _PC_ENTRIES, _resolve_table
from warehouse.reuse.state import _STATE_COUNTED, _STATE_COUNTS_SQL, _counts
from warehouse.reuse.summary import _entity_reuse_summary_live
from warehouse.transactions import Transaction


def refresh_reuse(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild the derived tables repo_project, person_project_commits and publiccode_matches.

    Call after each collection, after identities (``rebuild_identities``), in the caller's
    transaction if one is open (else in one of its own). Same data, same rows. Returns row counts.
    """
    with Transaction(con):
        # Without a state row, entity_edges and entity_reuse_summary below compute live.
        con.execute("DELETE FROM reuse_state")
        con.execute("DELETE FROM repo_project")
        con.execute("INSERT INTO repo_project SELECT * FROM repo_project_live")
        con.execute("DELETE FROM person_project_commits")
        con.execute(
            "INSERT INTO person_project_commits (person_id, project_id, owner, commits, first_at, last_at)"
            " SELECT person_id, project_id, owner, commits, first_at, last_at FROM person_project_commits_live"
        )
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
        _refresh_caches(con)
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


def _refresh_caches(con: duckdb.DuckDBPyConnection) -> None:
    """Every edge and every entity's summary, stored for reading while reuse_fresh holds."""
    con.execute("DELETE FROM entity_edges_cache")
    con.execute("DELETE FROM entity_reuse_cache")
    edges = _entity_edges_live(con, None, list(EDGE_KINDS))
    summary = _entity_reuse_summary_live(con, None)
    for table, df in (("entity_edges_cache", edges.assign(position=range(len(edges)))),
                      ("entity_reuse_cache", summary)):
        if df.empty:
            continue
        name = f"_reuse_rows_{table}"
        con.register(name, df)
        try:
            cols = ", ".join(df.columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
        finally:
            con.unregister(name)
