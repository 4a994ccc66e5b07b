"""The materialised fact sets (``commit_facts``, ``item_facts``, ``activity_events`` and its
per-week rollup ``activity_weeks``) and their freshness.

:func:`refresh_metric_facts` fills them from the table macros ``*_of(scope)`` of migration 013
(the ``*_live`` views are the same macros over every repository) and belongs in every
collection, right after ``rebuild_identities``. A collection refreshes only the repositories it
changed (``warehouse.changes``). While the stored row counts match, the metric functions read the
tables (:func:`sources`); otherwise the live views (same answers, slower).
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from warehouse import changes
from warehouse.metrics.frames import counts, counts_sql, in_transaction
from warehouse.schema import schema_version

_FACT_SETS = (
    # table, macro, sort order (entity first: a query for one entity reads its row groups)
    ("commit_facts", "commit_facts_of", "entity_id, forge, host, repo_path, committed_at"),
    ("item_facts", "item_facts_of", "entity_id, forge, host, repo_path, created_at"),
    ("activity_events", "activity_events_of", "entity_id, forge, host, repo_path, event_at"),
    # Rolled up from activity_events, refreshed just before: it must come after it.
    ("activity_weeks", "activity_weeks_in", "entity_id, forge, host, repo_path, week"),
)
_COUNTED = ("repos", "commits", "items", "comments", "releases", "persons", "person_identities")
_COUNTS_SQL = counts_sql(_COUNTED)
# The tables whose rows only reach the warehouse through a collection that notes its changes:
# if one of them moved while nothing was noted, something else wrote and everything is refilled.
_DATA = 5  # the first five of _COUNTED
# Refill whole (in sort order) when the rows appended out of order would pass this share.
UNSORTED_SHARE = 0.1
# Refill whole when the changed repositories are at least this share of all: one pass is cheaper.
CHANGED_SHARE = 0.5
_SCOPE = "_fact_scope"
_SHAS = "_fact_shas"
_EVENTS = "_fact_events"


class FactSources(NamedTuple):
    """The fact sets a query reads: the materialised tables, or the live views."""

    commits: str
    items: str
    events: str
    weeks: str


MATERIALISED = FactSources("commit_facts", "item_facts", "activity_events", "activity_weeks")
LIVE = FactSources("commit_facts_live", "item_facts_live", "activity_events_live", "activity_weeks_live")


class _State(NamedTuple):
    counts: tuple[int, ...]
    schema_version: int | None
    unsorted_rows: int


def _state(con: duckdb.DuckDBPyConnection) -> _State | None:
    rows = con.execute(
        f"SELECT {', '.join(_COUNTED)}, schema_version, coalesce(unsorted_rows, 0) FROM metric_facts_state"
    ).fetchall()
    if len(rows) != 1:
        return None
    row = rows[0]
    return _State(tuple(row[: len(_COUNTED)]), row[len(_COUNTED)], int(row[-1]))


def _plan(con: duckdb.DuckDBPyConnection, incremental: bool, state: _State | None,
          now_counts: tuple[int, ...]) -> str:
    """How to refresh: 'all' (refill whole), 'repos' (the changed repositories) or 'none'."""
    if not incremental or state is None or state.schema_version != schema_version(con):
        return "all"
    noted = changes.pending(con)
    if noted.everything:
        return "all"
    if noted.repos == 0:
        return "none" if state.counts[:_DATA] == now_counts[:_DATA] else "all"
    if noted.repos >= CHANGED_SHARE * max(1, now_counts[0]):
        return "all"
    return "repos"


def refresh_metric_facts(con: duckdb.DuckDBPyConnection, incremental: bool = False) -> dict[str, int]:
    """Refresh the materialised fact tables; return their row counts.

    ``incremental=False`` refills them whole, in their sort order. With ``incremental`` (a
    collection's call) only the repositories noted in ``changed_repos`` are refreshed: their
    rows deleted and computed again, the repository set pushed into every source table's scan.
    Everything is refilled when the facts were never filled or were filled under another schema
    version, when the registry changed (``changed_scopes``), when the changed repositories are
    half of all, when the rows appended out of sort order would pass a tenth of the facts, or when
    source rows changed without a note. Nothing is written when nothing changed.

    Call after every collection, once ``rebuild_identities`` has run, in the writer's
    connection (the caller's transaction if one is open, else one of its own). Records the row
    counts of the source tables in ``metric_facts_state``; until they change, the query functions
    read the tables instead of the (slow) live views.
    """
    own = not in_transaction(con)
    if own:
        con.execute("BEGIN")
    try:
        state = _state(con)
        now_counts = counts(con, _COUNTS_SQL)
        plan = _plan(con, incremental, state, now_counts)
        unsorted = state.unsorted_rows if state else 0
        if plan == "repos" and unsorted + _noted_rows(con) > UNSORTED_SHARE * _fact_rows(con):
            plan = "all"  # appending them would leave too much out of sort order: re-sort now
        if plan == "repos":
            unsorted += _refresh_repos(con)
        if plan == "all":
            _refill(con)
            unsorted = 0
        if plan != "none" or state is None or state.counts != now_counts:
            _write_state(con, now_counts, unsorted)
        rows = {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table, _, _ in _FACT_SETS}
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    return rows


def _rows_of(table: str, macro: str, scope: str, whole: bool) -> str:
    """The SELECT of a fact table's rows over the repositories of ``scope``."""
    if table == "activity_weeks":
        # From the events just refreshed: over a few repositories, their events only (_refresh_repos).
        return f"SELECT * FROM {macro}('{'activity_events' if whole else _EVENTS}')"
    if table != "commit_facts":
        return f"SELECT * FROM {macro}('{scope}')"
    # Over every repository the window tells which SHAs are shared; over a few, _mark_shared does.
    shared = "count(*) OVER (PARTITION BY sha) > 1" if whole else "false"
    return f"SELECT *, {shared} AS shared FROM {macro}('{scope}')"


def _refill(con: duckdb.DuckDBPyConnection) -> None:
    for table, macro, order in _FACT_SETS:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} {_rows_of(table, macro, 'repos', True)} ORDER BY {order}")


def _refresh_repos(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the facts of the repositories in ``changed_repos``; return the rows written."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SCOPE} AS "
        "SELECT r.forge, r.host, r.path, r.entity_id FROM repos r "
        "JOIN changed_repos c ON c.forge = r.forge AND c.host = r.host AND c.repo_path = r.path"
    )
    # The SHAs of the changed repositories, before and after: only theirs can change sharing.
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_SHAS} AS SELECT DISTINCT f.sha FROM commit_facts AS f "
                "JOIN changed_repos c ON f.forge = c.forge AND f.host = c.host AND f.repo_path = c.repo_path")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_EVENTS} AS SELECT a.* FROM activity_events AS a "
                f"JOIN {_SCOPE} AS s ON s.forge = a.forge AND s.host = a.host AND s.path = a.repo_path")
    written = 0
    try:
        for table, macro, order in _FACT_SETS:
            con.execute(
                f"DELETE FROM {table} USING changed_repos c "
                f"WHERE {table}.forge = c.forge AND {table}.host = c.host AND {table}.repo_path = c.repo_path"
            )
            written += con.execute(
                f"INSERT INTO {table} {_rows_of(table, macro, _SCOPE, False)} ORDER BY {order}"
            ).fetchall()[0][0]
        _mark_shared(con)
    finally:
        con.execute(f"DROP VIEW IF EXISTS {_EVENTS}")
        con.execute(f"DROP TABLE IF EXISTS {_SCOPE}")
        con.execute(f"DROP TABLE IF EXISTS {_SHAS}")
    return written


def _mark_shared(con: duckdb.DuckDBPyConnection) -> None:
    """Set ``shared`` of every commit whose SHA a changed repository had or has."""
    con.execute(f"INSERT INTO {_SHAS} SELECT DISTINCT f.sha FROM commit_facts AS f "
                "JOIN changed_repos c ON f.forge = c.forge AND f.host = c.host AND f.repo_path = c.repo_path")
    con.execute(f"""
        UPDATE commit_facts SET shared = n.copies > 1
        FROM (SELECT f.sha, count(*) AS copies FROM commit_facts AS f
              WHERE f.sha IN (SELECT sha FROM {_SHAS}) GROUP BY f.sha) AS n
        WHERE commit_facts.sha = n.sha AND commit_facts.shared <> (n.copies > 1)
    """)


def _noted_rows(con: duckdb.DuckDBPyConnection) -> int:
    """The fact rows the noted repositories hold now: about what refreshing them appends."""
    return sum(con.execute(
        f"SELECT count(*) FROM {table} JOIN changed_repos c ON c.forge = {table}.forge "
        f"AND c.host = {table}.host AND c.repo_path = {table}.repo_path").fetchall()[0][0]
        for table, _, _ in _FACT_SETS)


def _fact_rows(con: duckdb.DuckDBPyConnection) -> int:
    return sum(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table, _, _ in _FACT_SETS)


def _write_state(con: duckdb.DuckDBPyConnection, now_counts: tuple[int, ...], unsorted: int) -> None:
    con.execute("DELETE FROM metric_facts_state")
    con.execute(
        f"INSERT INTO metric_facts_state (refreshed_at, {', '.join(_COUNTED)}, schema_version, unsorted_rows)"
        f" VALUES (now(), {', '.join('?' for _ in _COUNTED)}, ?, ?)",
        [*now_counts, schema_version(con), unsorted],
    )


def commit_count(condition: str = "true", alias: str = "") -> str:
    """SQL: the commits (distinct SHAs) of the rows meeting ``condition``, over rows that carry
    ``sha`` and ``shared`` (named ``alias.sha`` with an alias).

    A SHA in one repository only is one row, so only the shared ones are counted by SHA. The
    CASE, not a FILTER: DuckDB groups a DISTINCT aggregate by every value before filtering, and
    the CASE leaves it one NULL per group for the rows left out.
    """
    p = f"{alias}." if alias else ""
    return (f"(count(*) FILTER (WHERE ({condition}) AND NOT {p}shared)"
            f" + count(DISTINCT CASE WHEN ({condition}) AND {p}shared THEN {p}sha END))")


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
