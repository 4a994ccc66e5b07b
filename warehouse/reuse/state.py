"""Whether the derived reuse tables are fresh: the source tables' row counts against reuse_state."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb


def _counts_sql(tables: Sequence[str]) -> str:
    # UNION ALL, not one SELECT of scalar subqueries: DuckDB plans those as a cross product,
    # which costs tens of milliseconds at a dozen tables; this costs one or two.
    return " UNION ALL ".join(f"SELECT {i} AS i, count(*) AS n FROM {t}" for i, t in enumerate(tables))


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    """Row counts of the tables of a :func:`_counts_sql` query, in their order."""
    return tuple(n for _, n in sorted(con.execute(sql).fetchall()))


_STATE_COUNTED = ("repos", "commits", "forks", "publiccode", "accounts", "entities", "persons",
                  "person_identities", "person_affiliations")
_STATE_COUNTS_SQL = _counts_sql(_STATE_COUNTED)


def reuse_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the derived tables were refreshed since the source tables last changed size.

    A cheap check (row counts): it notices a collection that added rows without a refresh, not
    an update in place; a collection refreshes whenever it noted a change (warehouse.changes) and
    skips the refresh only when it noted none and this check holds.
    """
    state = con.execute(f"SELECT {', '.join(_STATE_COUNTED)} FROM reuse_state").fetchall()
    return len(state) == 1 and tuple(state[0]) == tuple(_counts(con, _STATE_COUNTS_SQL))
