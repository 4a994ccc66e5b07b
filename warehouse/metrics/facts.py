"""The materialised fact sets (``commit_facts``, ``item_facts``, ``activity_events``) and their freshness.

:func:`refresh_metric_facts` refills them from their ``*_live`` views (migration 004) and belongs
in every collection, right after ``rebuild_identities``. While the stored row counts match, the
metric functions read the tables (:func:`sources`); otherwise the live views (same answers,
slower).
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from warehouse.metrics.frames import counts, counts_sql, in_transaction

_FACT_SETS = (
    # table, live view, sort order (entity first: a query for one entity reads its row groups)
    ("commit_facts", "commit_facts_live", "entity_id, forge, host, repo_path, committed_at"),
    ("item_facts", "item_facts_live", "entity_id, forge, host, repo_path, created_at"),
    ("activity_events", "activity_events_live", "entity_id, forge, host, repo_path, event_at"),
)
_COUNTED = ("repos", "commits", "items", "comments", "releases", "persons", "person_identities")
_COUNTS_SQL = counts_sql(_COUNTED)


class FactSources(NamedTuple):
    """The fact sets a query reads: the materialised tables, or the live views."""

    commits: str
    items: str
    events: str


MATERIALISED = FactSources("commit_facts", "item_facts", "activity_events")
LIVE = FactSources("commit_facts_live", "item_facts_live", "activity_events_live")


def refresh_metric_facts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Refill the materialised fact tables from their live views; return their row counts.

    Call after every collection, once ``rebuild_identities`` has run, in the writer's
    connection (the caller's transaction if one is open, else one of its own). Records the row
    counts of the source tables in ``metric_facts_state``; until they change, the query functions
    read the tables instead of the (slow) live views.
    """
    own = not in_transaction(con)
    if own:
        con.execute("BEGIN")
    try:
        rows = {}
        for table, view, order in _FACT_SETS:
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM {view} ORDER BY {order}")
            rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        now_counts = counts(con, _COUNTS_SQL)
        con.execute("DELETE FROM metric_facts_state")
        con.execute(
            f"INSERT INTO metric_facts_state (refreshed_at, {', '.join(_COUNTED)})"
            f" VALUES (now(), {', '.join('?' for _ in _COUNTED)})",
            list(now_counts),
        )
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    return rows


def metric_facts_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the materialised facts match the current row counts of their sources.

    A cheap check (DuckDB keeps row counts): it notices a collection that added rows and no
    refresh, not an update in place (an issue closed), which is why the refresh belongs in every
    collection.
    """
    state = con.execute(f"SELECT {', '.join(_COUNTED)} FROM metric_facts_state").fetchall()
    if len(state) != 1:
        return False
    return tuple(state[0]) == tuple(counts(con, _COUNTS_SQL))


def sources(con: duckdb.DuckDBPyConnection) -> FactSources:
    """The fact sets to read: the materialised tables when fresh, else the live views."""
    return MATERIALISED if metric_facts_fresh(con) else LIVE
