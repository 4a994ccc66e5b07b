"""The results a collection stores, and the stored answers served from them.

After every collection, :func:`warehouse.metrics.refresh.refresh_metric_results` stores at the
collection's moment, with the default parameters, the per-repository results (lifecycle, health
inputs and parts, attention findings: tables ``repo_*`` and ``attention_findings``) and the
answers of the functions marked :func:`stored_answers` or given to :func:`register_answer` (Arrow
frames in ``metric_frames``). While the warehouse is as that collection left it
(:func:`metric_results_fresh`), a call asking exactly that is answered from them (same frames,
fast), and ``now=None`` means the collection's moment (:func:`as_of`).

This module holds the whole stored-answers cache: everything that reads or writes
``metric_frames`` is here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.metrics.frames import counts, counts_sql, frame
from warehouse.metrics.moments import as_utc
from warehouse.metrics.scope import FILTER_NAMES, FILTER_SQL, Scope
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


# --------------------------------------------------------------------------- stored answers

# Filters that keep or drop whole groups of a level: a stored answer for every group, filtered,
# equals the answer computed for the filter. (A forge filter, say, changes an entity's value.)
_WHOLE_GROUPS = {
    "repo": set(FILTER_NAMES),
    "entity": {"entity_id", "archetype", "country"},
    "archetype": {"archetype"},
    "country": {"country"},
    "ecosystem": set(),
    "all": set(),
}
# function name -> (its levels, compute(con, level, now) -> the answer to store); filled by
# @stored_answers and register_answer.
_STORED: dict[str, tuple[tuple[str, ...], Callable[[duckdb.DuckDBPyConnection, str, datetime], pd.DataFrame]]] = {}


def register_answer(name: str, levels: Sequence[str], compute) -> None:
    """Store ``compute(con, level, now)`` as the answer of ``name`` at each level after every
    collection (see ``refresh_metric_results``); read it back with :func:`read_answer`."""
    _STORED[name] = (tuple(levels), compute)


def stored_answer_names() -> list[str]:
    """The names of the answers stored after a collection, as registered so far."""
    return sorted(_STORED)


def stored_answers(*levels: str, per_repository: bool = False):
    """Decorator: answer from ``metric_frames`` when the call asks for what was stored.

    That is: the results are fresh (:func:`stored_results`), ``now`` is None or their moment,
    every other parameter has its default, the scope's level is one of ``levels`` (a function
    without a scope, or ``per_repository``, has the one level given) and its filters only keep
    or drop whole groups of it. Otherwise the function runs.
    """

    def wrap(fn):
        sig = inspect.signature(fn)
        fixed = {n: p.default for n, p in sig.parameters.items() if n not in ("con", "scope", "now")}
        has_scope, has_now = "scope" in sig.parameters, "now" in sig.parameters

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            given = bound.arguments
            scope = given.get("scope", Scope())
            if not isinstance(scope, Scope):
                raise TypeError(f"scope must be a Scope, not {type(scope).__name__}")
            level = scope.level if has_scope and not per_repository else levels[0]
            if (level in levels
                    and all(_same(given[k], default) for k, default in fixed.items())
                    and all(v is None or k in _WHOLE_GROUPS[level] for k, v in scope.filters().items())):
                df = read_answer(given["con"], fn.__name__, level, given.get("now"), scope)
                if df is not None:
                    return df
            return fn(*args, **kwargs)

        def compute(con, level, now):
            return fn(con, **({"scope": Scope(level)} if has_scope else {}), **({"now": now} if has_now else {}))

        register_answer(fn.__name__, levels, compute)
        return call

    return wrap


def _same(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return value is default
    if isinstance(default, (int, float)) and isinstance(value, (int, float)):
        return float(value) == float(default)
    return value == default


def read_answer(con: duckdb.DuckDBPyConnection, name: str, level: str, now: datetime | None,
                scope: Scope = Scope()) -> pd.DataFrame | None:
    """The stored answer of ``name`` at ``level``, with the filters of ``scope``, if it answers
    a call at ``now`` (None: as of the collection); else None."""
    results = stored_results(con)
    if results is None or (now is not None and as_utc(now) != results.computed_at):
        return None
    found = con.execute("SELECT frame FROM metric_frames WHERE function = ? AND level = ?", [name, level]).fetchall()
    if not found:
        return None
    table = pa.ipc.open_stream(pa.py_buffer(found[0][0])).read_all()
    mask = None
    conditions = []
    if scope.entity_id is not None:
        conditions.append(pc.equal(table["entity_id"], scope.entity_id))
    for attr in ("archetype", "country"):
        value = getattr(scope, attr)
        if value is None:
            continue
        if attr in table.column_names:
            conditions.append(pc.equal(table[attr], value))
        else:
            ids = [r[0] for r in con.execute(f"SELECT entity_id FROM entities WHERE {attr} = ?", [value]).fetchall()]
            conditions.append(pc.is_in(table["entity_id"], value_set=pa.array(ids, pa.string())))
    if scope.forge is not None:
        conditions.append(pc.equal(table["forge"], scope.forge))
    if scope.repo is not None:
        forge, host, path = scope.repo
        conditions += [pc.equal(table["forge"], forge), pc.equal(table["host"], host), pc.equal(table["path"], path)]
    for condition in conditions:
        mask = condition if mask is None else pc.and_(mask, condition)
    if mask is not None:
        table = table.filter(pc.fill_null(mask, False))
    return table.to_pandas()


_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def store_answers(con: duckdb.DuckDBPyConnection, end: datetime) -> int:
    """Compute and store every registered answer at ``end``; return how many were stored.

    The page queries (``warehouse.pages``) register theirs when their modules are imported;
    the collection imports them before it stores.
    """
    stored = 0
    for name, (levels, compute) in _STORED.items():
        for level in levels:
            df = compute(con, level, end)
            table = pa.Table.from_pandas(df, preserve_index=False)
            sink = pa.BufferOutputStream()
            # Compressed: DuckDB reads the whole column of frames to find one (about 8 MB at the
            # design scale instead of 80), and zstd undoes a frame faster than it is read.
            with pa.ipc.new_stream(sink, table.schema, options=_IPC_OPTIONS) as writer:
                writer.write_table(table)
            con.execute("INSERT INTO metric_frames (function, level, frame) VALUES (?, ?, ?)",
                        [name, level, sink.getvalue().to_pybytes()])
            stored += 1
    return stored
