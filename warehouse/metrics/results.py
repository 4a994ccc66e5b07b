"""The per-repository results a collection stores, and the moment the metrics are as of.

After every collection, :func:`warehouse.metrics.refresh.refresh_metric_results` stores at the
collection's moment, with the default window and the registry's settings, the per-repository
results (lifecycle, health inputs and parts, attention findings: tables ``repo_*`` and
``attention_findings``). While the warehouse is as that collection left it
(:func:`metric_results_fresh`), a call asking for those parameters reads them, and ``now=None``
means the collection's moment (:func:`as_of`). Every other answer, at any level, is a query over
the fact tables (:mod:`warehouse.metrics.facts`); nothing else is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from warehouse.metrics.frames import counts, counts_sql, frame
from warehouse.metrics.moments import as_utc
from warehouse.metrics.scope import FILTER_SQL, Scope
from warehouse.metrics.settings import (
    THRESHOLD_FIELDS,
    HealthTargets,
    LifecycleThresholds,
    thresholds_in_use,
)

# Tables whose row counts metric_results_state records: the sources of the fact tables, of
# hygiene (root files, publiccode.yml), of the scope (entities), technical forks, affiliations
# (elephant factor) and the settings.
RESULT_COUNTED = ("repos", "entities", "commits", "items", "comments", "releases", "root_files",
                  "publiccode", "persons", "person_identities", "settings", "forks", "person_affiliations")
RESULT_COUNTS_SQL = counts_sql(RESULT_COUNTED)


@dataclass(frozen=True)
class Results:
    """The parameters the stored results were computed with."""

    computed_at: datetime
    window_days: float
    thresholds: LifecycleThresholds

    def hold(self, now: datetime, thresholds: LifecycleThresholds, days: float | None = None,
             targets: HealthTargets | None = None) -> bool:
        """Whether these results answer a question with these parameters (None: not a parameter)."""
        return (now == self.computed_at and thresholds == self.thresholds
                and (days is None or float(days) == self.window_days)
                and (targets is None or targets == HealthTargets()))


def stored_results(con: duckdb.DuckDBPyConnection) -> Results | None:
    """The stored results' parameters while they match the warehouse, else None."""
    columns = ("computed_at", "window_days") + THRESHOLD_FIELDS
    state = con.execute(
        f"SELECT {', '.join(columns + RESULT_COUNTED)} FROM metric_results_state"
    ).fetchall()
    if len(state) != 1:
        return None
    row = state[0]
    if tuple(row[len(columns):]) != tuple(counts(con, RESULT_COUNTS_SQL)):
        return None
    default = LifecycleThresholds()
    thresholds = LifecycleThresholds(**{
        name: type(getattr(default, name))(value) for name, value in zip(THRESHOLD_FIELDS, row[2:len(columns)])
    })
    return Results(row[0].astimezone(UTC), float(row[1]), thresholds)


def metric_results_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the stored results (``refresh_metric_results``) still match the warehouse.

    The same cheap row-count check as ``metric_facts_fresh``, over the tables the results come
    from and the settings.
    """
    return stored_results(con) is not None


def as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The moment the warehouse's metrics are as of: the last collection's, while the warehouse
    is as that collection left it (:func:`metric_results_fresh`); else None."""
    results = stored_results(con)
    return results.computed_at if results is not None else None


def moment(con: duckdb.DuckDBPyConnection, now: datetime | None) -> datetime:
    """``now``, else the moment of the last collection (:func:`as_of`), else the current time.

    A published warehouse is a snapshot: its metrics are as of the collection that wrote it,
    however much later they are read.
    """
    if now is not None:
        return as_utc(now)
    return as_of(con) or datetime.now(UTC)


def resolve(
    con: duckdb.DuckDBPyConnection, now: datetime | None, thresholds: LifecycleThresholds | None
) -> tuple[datetime, LifecycleThresholds, Results | None]:
    """``now`` (as :func:`moment`), the thresholds in use and the stored results' state, at once."""
    results = stored_results(con)
    if now is not None:
        end = as_utc(now)
    else:
        end = results.computed_at if results is not None else datetime.now(UTC)
    return end, thresholds_in_use(con, thresholds), results


# FILTER_SQL without archetype and country, on a stored table's own columns.
_STORED_FILTER = """
    ($entity_id IS NULL OR m.entity_id = $entity_id)
    AND ($forge IS NULL OR m.forge = $forge)
    AND ($repo_path IS NULL OR (m.forge = $repo_forge AND m.host = $repo_host AND m.path = $repo_path))
"""


def read_results(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str],
                 scope: Scope, order: str) -> pd.DataFrame:
    """Rows of a stored per-repository table, filtered as the live functions filter."""
    if not isinstance(scope, Scope):
        raise TypeError(f"scope must be a Scope, not {type(scope).__name__}")
    params = scope.params()
    if scope.archetype is None and scope.country is None:
        # The table holds each repository's entity, forge and path: no join needed.
        sql = f"SELECT {', '.join('m.' + c for c in columns)} FROM {table} AS m WHERE {_STORED_FILTER} ORDER BY {order}"
    else:
        sql = f"""
            SELECT {', '.join('m.' + c for c in columns)}
            FROM {table} AS m
            JOIN repos AS r ON r.forge = m.forge AND r.host = m.host AND r.path = m.path
            JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {FILTER_SQL}
            ORDER BY {order}
        """
    return frame(con, sql, params)
