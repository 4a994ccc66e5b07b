"""Health metrics (CHAOSS), lifecycle, hygiene, health score and the attention list.

Query functions over the facts of migration 004 (``commit_facts``, ``item_facts``,
``activity_events``, ``repo_hygiene``, ``technical_forks``, ...). Each takes a DuckDB connection
(or cursor; read-only is fine) and keyword parameters, and returns a pandas DataFrame.
Definitions, formulas and caveats: docs/metrics.md.

The three big fact sets are materialised: :func:`refresh_metric_facts` refills them from their
``*_live`` views and belongs in every collection, right after ``rebuild_identities``. While the
stored row counts match, the functions read the tables; otherwise the live views (same answers,
slower). After them, :func:`refresh_metric_results` stores the answers at the collection's moment
with the default parameters (per-repository tables, and ``metric_frames`` for the functions marked
:func:`stored_answers`); a call asking exactly that is answered from them (same frames, fast).

The registry's ``[settings.lifecycle]`` and ``[settings.health_weights]`` reach the warehouse as the
table ``settings``: :func:`stored_thresholds` and :func:`stored_weights` are the defaults of every
``thresholds=`` and ``weights=``.

Parameters shared by the functions:

- ``now``: the moment the metrics are computed at (default: as of the last collection while the
  warehouse is as it left it, :func:`as_of`; else the current time). Everything after ``now`` is
  ignored, so results are reproducible. A naive datetime is UTC.
- ``days``: the window, ``now - days <= t <= now``.
- ``by``: the level of aggregation: ``"repo"`` (key columns forge, host, path; with entity_id
  and html_url), ``"entity"`` (entity_id; with entity_name), ``"archetype"``, ``"country"`` or
  ``"ecosystem"`` (one row, scope = 'ecosystem'). Every group in scope is listed, also those
  without data (counts 0, measures NULL). Above the repository level a commit that sits in several
  repositories of the group (a mirror, a fork) counts once, by SHA.
- Filters (all optional, combined with AND): ``entity_id``, ``archetype``, ``country``, ``forge``
  and ``repo`` = (forge, host, path).

Values reach SQL only as bound parameters; the f-strings below assemble fixed fragments chosen
from the tables in this module. Bots are never people: they are excluded from contributor counts,
from responses and (by default, ``bot_items=False``) issues and change requests opened by bots are
left out of the item metrics.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# --------------------------------------------------------------------------- defaults

WINDOW_DAYS = 365          # absence/elephant factor, TTFR, ratios, releases, health score
INACTIVE_CONTRIBUTOR_DAYS = 365
CONTRACT_EXPIRING_DAYS = 90
NO_RESPONSE_DAYS = 14      # attention list: open items without a response for this long


@dataclass(frozen=True)
class LifecycleThresholds:
    """Lifecycle thresholds (days and ratio). The registry's [settings.lifecycle] sets them for
    every function that is not given any (:func:`stored_thresholds`)."""

    recent_days: int = 90          # "the last 90 days"
    baseline_days: int = 270       # "the 9 months before"
    declining_ratio: float = 0.5   # recent activity under half the baseline's average
    inactive_days: int = 180       # no activity for this long: inactive
    abandoned_days: int = 365      # ... for this long with unanswered items: abandoned


# Health score: weights of the parts (relative; normalised over the parts available).
DEFAULT_WEIGHTS: dict[str, float] = {
    "activity": 0.25,
    "responsiveness": 0.20,
    "sustainability": 0.20,
    "community": 0.15,
    "hygiene": 0.10,
    "release_cadence": 0.10,
}
HEALTH_PARTS = tuple(DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class HealthTargets:
    """What counts as full marks in each part of the health score."""

    periods: int = 12              # activity: 30-day periods looked at
    period_days: int = 30
    response_days: float = 7.0     # responsiveness: handled within this many days
    absence_factor: int = 4        # sustainability: absence factor giving 100
    participants: int = 10         # community: distinct people giving 100 (per window)
    releases_per_year: float = 4.0 # release cadence: releases per year giving 100


LEVELS = ("repo", "entity", "archetype", "country", "ecosystem")
KINDS = ("issue", "change_request")

# Per level: key columns (name, SQL over repos r / entities e) and display columns.
_LEVEL_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "repo": (("forge", "r.forge"), ("host", "r.host"), ("path", "r.path")),
    "entity": (("entity_id", "r.entity_id"),),
    "archetype": (("archetype", "e.archetype"),),
    "country": (("country", "e.country"),),
    "ecosystem": (("scope", "'ecosystem'"),),
}
_LEVEL_EXTRA: dict[str, tuple[tuple[str, str], ...]] = {
    "repo": (("entity_id", "r.entity_id"), ("html_url", "r.html_url")),
    "entity": (("entity_name", "e.name"),),
    "archetype": (),
    "country": (),
    "ecosystem": (),
}

_FILTER = """
    ($entity_id IS NULL OR r.entity_id = $entity_id)
    AND ($archetype IS NULL OR e.archetype = $archetype)
    AND ($country IS NULL OR e.country = $country)
    AND ($forge IS NULL OR r.forge = $forge)
    AND ($repo_path IS NULL OR (r.forge = $repo_forge AND r.host = $repo_host AND r.path = $repo_path))
"""


# --------------------------------------------------------------------------- helpers


def _as_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _month_start(moment: datetime, months_back: int = 0) -> datetime:
    index = moment.year * 12 + (moment.month - 1) - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Scope:
    level: str
    params: dict[str, Any]
    commits: str = "commit_facts"   # the fact sets: materialised tables, or the *_live views
    items: str = "item_facts"
    events: str = "activity_events"

    @property
    def keys(self) -> list[str]:
        return [name for name, _ in _LEVEL_KEYS[self.level]]

    @property
    def columns(self) -> list[str]:
        return self.keys + [name for name, _ in _LEVEL_EXTRA[self.level]]

    def key_list(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + k for k in self.keys)

    def join(self, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{k} = {right}.{k}" for k in self.keys)

    def ctes(self) -> str:
        """``scope`` (one row per repository in scope, with its group keys) and ``groups``."""
        keys = ", ".join(f"{sql} AS {name}" for name, sql in _LEVEL_KEYS[self.level])
        extra = ", ".join(f"{sql} AS {name}" for name, sql in _LEVEL_EXTRA[self.level])
        group_cols = keys + (", " + extra if extra else "")
        return f"""
        scope AS MATERIALIZED (
            SELECT r.forge AS s_forge, r.host AS s_host, r.path AS s_path, r.entity_id AS s_entity,
                   r.archived AS s_archived, {keys}
            FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {_FILTER}
        ),
        groups AS (
            SELECT DISTINCT {group_cols}
            FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {_FILTER}
        )"""

    def on(self, alias: str, entity: bool = True) -> str:
        """Join condition of a fact set (entity_id, forge, host, repo_path) to ``scope s``.

        The entity, forge and repository filters are repeated on the fact set itself, so that a
        materialised table sorted by entity and repository skips the row groups of others.
        """
        return (
            f"{alias}.forge = s.s_forge AND {alias}.host = s.s_host AND {alias}.repo_path = s.s_path"
            + (f" AND ($entity_id IS NULL OR {alias}.entity_id = $entity_id)" if entity else "")
            + f" AND ($forge IS NULL OR {alias}.forge = $forge)"
            f" AND ($repo_path IS NULL OR ({alias}.forge = $repo_forge AND {alias}.host = $repo_host"
            f" AND {alias}.repo_path = $repo_path))"
        )

    def order(self) -> str:
        return ", ".join(f"g.{k}" for k in self.keys)


def _scope(
    con: duckdb.DuckDBPyConnection,
    by: str,
    entity_id: str | None,
    archetype: str | None,
    country: str | None,
    forge: str | None,
    repo: Sequence[str] | None,
) -> _Scope:
    if by not in LEVELS:
        raise ValueError(f"unknown level {by!r}: expected one of {', '.join(LEVELS)}")
    return _Scope(by, _filter_params(entity_id, archetype, country, forge, repo), *_sources(con))


def _filter_params(
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> dict[str, Any]:
    if repo is not None and len(repo) != 3:
        raise ValueError("repo must be (forge, host, path)")
    return {
        "entity_id": entity_id,
        "archetype": archetype,
        "country": country,
        "forge": forge,
        "repo_forge": repo[0] if repo else None,
        "repo_host": repo[1] if repo else None,
        "repo_path": repo[2] if repo else None,
    }


def _window(now: datetime | None, days: float) -> dict[str, datetime]:
    end = _as_utc(now)
    return {"now": end, "since": end - timedelta(days=days)}


_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Run ``sql`` with the parameters it names (DuckDB refuses unused ones); UTC timestamps."""
    used = set(_PARAM_RE.findall(sql))
    df = con.sql(sql, params={k: v for k, v in params.items() if k in used}).to_arrow_table().to_pandas()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.tz_convert("UTC")
    return df


def _int_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for col in columns:
        if col in df.columns:
            df[col] = df[col].fillna(0).astype("int64")
    return df


def _arrow_types(df: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """``df`` with the column types it has when read from DuckDB (:func:`_frame`, through Arrow):
    a frame assembled in pandas and one read back from a stored table then look the same."""
    out = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False).to_pandas()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC")
    return out


# --------------------------------------------------------------------------- materialised facts

_FACT_SETS = (
    # table, live view, sort order (entity first: a query for one entity reads its row groups)
    ("commit_facts", "commit_facts_live", "entity_id, forge, host, repo_path, committed_at"),
    ("item_facts", "item_facts_live", "entity_id, forge, host, repo_path, created_at"),
    ("activity_events", "activity_events_live", "entity_id, forge, host, repo_path, event_at"),
)
def _counts_sql(tables: Sequence[str]) -> str:
    # UNION ALL, not one SELECT of scalar subqueries: DuckDB plans those as a cross product,
    # which costs tens of milliseconds at a dozen tables; this costs one or two.
    return " UNION ALL ".join(f"SELECT {i} AS i, count(*) AS n FROM {t}" for i, t in enumerate(tables))


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    """Row counts of the tables of a :func:`_counts_sql` query, in their order."""
    return tuple(n for _, n in sorted(con.execute(sql).fetchall()))


_COUNTED = ("repos", "commits", "items", "comments", "releases", "persons", "person_identities")
_COUNTS_SQL = _counts_sql(_COUNTED)


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    # Inside one transaction the transaction id stays put; two autocommit statements differ.
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first


def refresh_metric_facts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Refill the materialised fact tables from their live views; return their row counts.

    Call after every collection, once ``rebuild_identities`` has run, in the writer's
    connection (the caller's transaction if one is open, else one of its own). Records the row
    counts of the source tables in ``metric_facts_state``; until they change, the query functions
    read the tables instead of the (slow) live views.
    """
    own = not _in_transaction(con)
    if own:
        con.execute("BEGIN")
    try:
        rows = {}
        for table, view, order in _FACT_SETS:
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM {view} ORDER BY {order}")
            rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        counts = _counts(con, _COUNTS_SQL)
        con.execute("DELETE FROM metric_facts_state")
        con.execute(
            f"INSERT INTO metric_facts_state (refreshed_at, {', '.join(_COUNTED)})"
            f" VALUES (now(), {', '.join('?' for _ in _COUNTED)})",
            list(counts),
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
    return tuple(state[0]) == tuple(_counts(con, _COUNTS_SQL))


def _sources(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str]:
    """The fact sets to read: the materialised tables when fresh, else the live views."""
    if metric_facts_fresh(con):
        return "commit_facts", "item_facts", "activity_events"
    return "commit_facts_live", "item_facts_live", "activity_events_live"


# --------------------------------------------------------------------------- settings


def stored_thresholds(con: duckdb.DuckDBPyConnection) -> LifecycleThresholds:
    """The lifecycle thresholds of the registry's [settings.lifecycle], as the last collection
    stored them (table ``settings``); the built-in defaults for keys not stored."""
    values = dict(con.execute("SELECT key, value FROM settings WHERE section = 'lifecycle'").fetchall())
    default = LifecycleThresholds()
    kwargs: dict[str, Any] = {}
    for name, value in vars(default).items():
        if name in values:
            kwargs[name] = type(value)(values[name])
    return LifecycleThresholds(**kwargs) if kwargs else default


def stored_weights(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The health score's weights of the registry's [settings.health_weights], as stored; the
    defaults (``DEFAULT_WEIGHTS``) for parts not stored."""
    values = dict(con.execute("SELECT key, value FROM settings WHERE section = 'health_weights'").fetchall())
    return {part: float(values.get(part, w)) for part, w in DEFAULT_WEIGHTS.items()}


def _thresholds(con: duckdb.DuckDBPyConnection, thresholds: LifecycleThresholds | None) -> LifecycleThresholds:
    return stored_thresholds(con) if thresholds is None else thresholds


# --------------------------------------------------------------------------- materialised results

# Tables whose row counts metric_results_state records: the sources of the fact tables, of
# hygiene (root files, publiccode.yml), of the scope (entities), technical forks, affiliations
# (elephant factor) and the settings.
_RESULT_COUNTED = ("repos", "entities", "commits", "items", "comments", "releases", "root_files",
                   "publiccode", "persons", "person_identities", "settings", "forks", "person_affiliations")
_RESULT_COUNTS_SQL = _counts_sql(_RESULT_COUNTED)
_THRESHOLD_FIELDS = ("recent_days", "baseline_days", "declining_ratio", "inactive_days", "abandoned_days")


@dataclass(frozen=True)
class _Results:
    computed_at: datetime
    window_days: float
    thresholds: LifecycleThresholds

    def hold(self, now: datetime, thresholds: LifecycleThresholds, days: float | None = None,
             targets: HealthTargets | None = None) -> bool:
        """Whether these results answer a question with these parameters (None: not a parameter)."""
        return (now == self.computed_at and thresholds == self.thresholds
                and (days is None or float(days) == self.window_days)
                and (targets is None or targets == HealthTargets()))


def _results(con: duckdb.DuckDBPyConnection) -> _Results | None:
    """The materialised results' parameters while they match the warehouse, else None."""
    columns = ("computed_at", "window_days") + _THRESHOLD_FIELDS
    state = con.execute(
        f"SELECT {', '.join(columns + _RESULT_COUNTED)} FROM metric_results_state"
    ).fetchall()
    if len(state) != 1:
        return None
    row = state[0]
    if tuple(row[len(columns):]) != tuple(_counts(con, _RESULT_COUNTS_SQL)):
        return None
    default = LifecycleThresholds()
    thresholds = LifecycleThresholds(**{
        name: type(getattr(default, name))(value) for name, value in zip(_THRESHOLD_FIELDS, row[2:len(columns)])
    })
    return _Results(row[0].astimezone(UTC), float(row[1]), thresholds)


def metric_results_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the materialised results (``refresh_metric_results``) still match the warehouse.

    The same cheap row-count check as :func:`metric_facts_fresh`, over the tables the results
    come from and the settings.
    """
    return _results(con) is not None


def as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The moment the warehouse's metrics are as of: the last collection's, while the warehouse
    is as that collection left it (:func:`metric_results_fresh`); else None."""
    results = _results(con)
    return results.computed_at if results is not None else None


def _now(con: duckdb.DuckDBPyConnection, now: datetime | None) -> datetime:
    """``now``, else the moment of the last collection (:func:`as_of`), else the current time.

    A published warehouse is a snapshot: its metrics are as of the collection that wrote it,
    however much later they are read.
    """
    if now is not None:
        return _as_utc(now)
    return as_of(con) or datetime.now(UTC)


def _resolve(
    con: duckdb.DuckDBPyConnection, now: datetime | None, thresholds: LifecycleThresholds | None
) -> tuple[datetime, LifecycleThresholds, _Results | None]:
    """``now`` (as :func:`_now`), the thresholds in use and the materialised results' state, at once."""
    results = _results(con)
    if now is not None:
        end = _as_utc(now)
    else:
        end = results.computed_at if results is not None else datetime.now(UTC)
    return end, _thresholds(con, thresholds), results


def _write_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> int:
    name = f"_metric_rows_{table}"
    con.register(name, df)
    try:
        cols = ", ".join(df.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)
    return len(df)


def refresh_metric_results(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> dict[str, int]:
    """Compute the per-repository results at ``now`` (default: the current time) and store them.

    Lifecycle (``repo_lifecycle``), health score inputs and part scores (``repo_health_inputs``,
    ``repo_health_parts``) and the attention list (``attention_findings``) of every repository,
    and the answers of the other query functions for every level (``metric_frames``), with the
    default window and targets and the stored settings (:func:`stored_thresholds`). Call after every collection,
    once :func:`refresh_metric_facts` has run, in the writer's connection (the caller's
    transaction if one is open, else one of its own). Until the source tables change, the query
    functions asked for these parameters read the tables, and ``now=None`` means this ``now``
    (:func:`as_of`). Returns the row counts.
    """
    end = _as_utc(now)
    own = not _in_transaction(con)
    if own:
        con.execute("BEGIN")
    try:
        # Without a state row every function below computes live.
        con.execute("DELETE FROM metric_results_state")
        for table in ("repo_lifecycle", "repo_health_inputs", "repo_health_parts", "attention_findings",
                      "metric_frames"):
            con.execute(f"DELETE FROM {table}")
        t = stored_thresholds(con)
        stages = lifecycle(con, thresholds=t, now=end)
        hyg = hygiene(con, now=end)
        inputs = _health_inputs(con, days=WINDOW_DAYS, targets=HealthTargets(), thresholds=t, now=end,
                                filters=_NO_FILTERS, stages=stages, hyg=hyg)
        attention = _attention(con, no_response_days=NO_RESPONSE_DAYS, days=WINDOW_DAYS,
                               expiring_days=CONTRACT_EXPIRING_DAYS, thresholds=t, now=end,
                               filters=_NO_FILTERS, stages=stages, hyg=hyg)
        targets = HealthTargets()
        rows = {
            "repo_lifecycle": _write_frame(con, "repo_lifecycle", stages),
            "repo_health_inputs": _write_frame(
                con, "repo_health_inputs", pd.concat([inputs, _part_frame(inputs, targets, WINDOW_DAYS)], axis=1)),
            "repo_health_parts": _write_frame(
                con, "repo_health_parts", _parts_rows(inputs, targets, WINDOW_DAYS).assign(
                    part_no=lambda d: d["part"].map({p: i for i, p in enumerate(HEALTH_PARTS)}).astype("int32"))),
            "attention_findings": _write_frame(
                con, "attention_findings", attention.assign(position=np.arange(len(attention), dtype="int32"))),
        }
        counts = _counts(con, _RESULT_COUNTS_SQL)
        columns = ("computed_at", "window_days") + _THRESHOLD_FIELDS + _RESULT_COUNTED
        values = [end, float(WINDOW_DAYS)] + [float(getattr(t, f)) for f in _THRESHOLD_FIELDS] + list(counts)
        con.execute(
            f"INSERT INTO metric_results_state ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            values,
        )
        # With the state in place, the answers below build on the tables above (the health score
        # from the stored part scores, ...); an answer not stored yet is computed.
        rows["metric_frames"] = _store_answers(con, end)
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    return rows


_NO_FILTERS: dict[str, Any] = {"entity_id": None, "archetype": None, "country": None, "forge": None, "repo": None}


# _FILTER without archetype and country, on a materialised table's own columns.
_STORED_FILTER = """
    ($entity_id IS NULL OR m.entity_id = $entity_id)
    AND ($forge IS NULL OR m.forge = $forge)
    AND ($repo_path IS NULL OR (m.forge = $repo_forge AND m.host = $repo_host AND m.path = $repo_path))
"""


def _read_results(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str],
                  filters: Mapping[str, Any], order: str) -> pd.DataFrame:
    """Rows of a materialised per-repository table, filtered as the live functions filter."""
    params = _filter_params(**filters)
    if params["archetype"] is None and params["country"] is None:
        # The table holds each repository's entity, forge and path: no join needed.
        sql = f"SELECT {', '.join('m.' + c for c in columns)} FROM {table} AS m WHERE {_STORED_FILTER} ORDER BY {order}"
    else:
        sql = f"""
            SELECT {', '.join('m.' + c for c in columns)}
            FROM {table} AS m
            JOIN repos AS r ON r.forge = m.forge AND r.host = m.host AND r.path = m.path
            JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {_FILTER}
            ORDER BY {order}
        """
    return _frame(con, sql, params)


# --------------------------------------------------------------------------- stored answers

_FILTER_NAMES = ("entity_id", "archetype", "country", "forge", "repo")
# Filters that keep or drop whole groups of a level: a stored answer for every group, filtered,
# equals the answer computed for the filter. (A forge filter, say, changes an entity's value.)
_WHOLE_GROUPS = {
    "repo": set(_FILTER_NAMES),
    "entity": {"entity_id", "archetype", "country"},
    "archetype": {"archetype"},
    "country": {"country"},
    "ecosystem": set(),
    "all": set(),
}
# function name -> (its levels, compute(con, level, now) -> the answer to store); filled by
# @stored_answers and register_answer.
_STORED: dict[str, tuple[tuple[str, ...], Any]] = {}


def register_answer(name: str, levels: Sequence[str], compute) -> None:
    """Store ``compute(con, level, now)`` as the answer of ``name`` at each level after every
    collection (see :func:`refresh_metric_results`); read it back with :func:`read_answer`."""
    _STORED[name] = (tuple(levels), compute)


def stored_answers(*levels: str):
    """Decorator: answer from ``metric_frames`` when the call asks for what was stored.

    That is: the results are fresh (:func:`_results`), ``now`` is None or their moment, every
    other parameter has its default, the level is one of ``levels`` (a function without ``by``
    has one level) and the filters only keep or drop whole groups of it. Otherwise the function
    runs.
    """

    def wrap(fn):
        sig = inspect.signature(fn)
        fixed = {n: p.default for n, p in sig.parameters.items()
                 if n not in ("con", "by", "now", *_FILTER_NAMES)}
        has_by, has_now = "by" in sig.parameters, "now" in sig.parameters

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            given = bound.arguments
            level = given["by"] if has_by else levels[0]
            filters = {k: given[k] for k in _FILTER_NAMES if k in given}
            if (level in levels
                    and all(_same(given[k], default) for k, default in fixed.items())
                    and all(v is None or k in _WHOLE_GROUPS[level] for k, v in filters.items())):
                df = read_answer(given["con"], fn.__name__, level, given.get("now"), filters)
                if df is not None:
                    return df
            return fn(*args, **kwargs)

        def compute(con, level, now):
            return fn(con, **({"by": level} if has_by else {}), **({"now": now} if has_now else {}))

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
                filters: Mapping[str, Any]) -> pd.DataFrame | None:
    """The stored answer of ``name`` at ``level``, filtered, if it answers a call at ``now``
    (None: as of the collection); else None."""
    results = _results(con)
    if results is None or (now is not None and _as_utc(now) != results.computed_at):
        return None
    found = con.execute("SELECT frame FROM metric_frames WHERE function = ? AND level = ?", [name, level]).fetchall()
    if not found:
        return None
    table = pa.ipc.open_stream(pa.py_buffer(found[0][0])).read_all()
    mask = None
    conditions = []
    if filters.get("entity_id") is not None:
        conditions.append(pc.equal(table["entity_id"], filters["entity_id"]))
    for attr in ("archetype", "country"):
        if filters.get(attr) is None:
            continue
        if attr in table.column_names:
            conditions.append(pc.equal(table[attr], filters[attr]))
        else:
            ids = [r[0] for r in con.execute(f"SELECT entity_id FROM entities WHERE {attr} = ?", [filters[attr]]).fetchall()]
            conditions.append(pc.is_in(table["entity_id"], value_set=pa.array(ids, pa.string())))
    if filters.get("forge") is not None:
        conditions.append(pc.equal(table["forge"], filters["forge"]))
    if filters.get("repo") is not None:
        _filter_params(repo=filters["repo"])  # checks its shape
        forge, host, path = filters["repo"]
        conditions += [pc.equal(table["forge"], forge), pc.equal(table["host"], host), pc.equal(table["path"], path)]
    for condition in conditions:
        mask = condition if mask is None else pc.and_(mask, condition)
    if mask is not None:
        table = table.filter(pc.fill_null(mask, False))
    return table.to_pandas()


_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def _store_answers(con: duckdb.DuckDBPyConnection, end: datetime) -> int:
    """Compute and store every stored answer at ``end``; return how many were stored."""
    # The first-cut figures register their answers when imported; they import this module.
    from warehouse import queries  # noqa: F401

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


# --------------------------------------------------------------------------- activity


# Not stored per repository: 12 rows for each of them would be the largest answer of all, and one
# repository's months are read quickly from the facts sorted by repository.
@stored_answers("entity", "archetype", "country", "ecosystem")
def activity_per_month(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "entity",
    months: int = 12,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Commits, active contributors and new contributors per UTC calendar month.

    The last ``months`` months up to ``now``, the current (partial) one included; every month is
    present for every group in scope. Columns: the level's columns, month (naive UTC timestamp of
    the month's first day), commits (bots included; distinct SHAs above the repository level),
    active_contributors (distinct non-bot authors with a commit that month), new_contributors
    (non-bot authors whose first commit in the group, ever, falls in that month).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    months = max(1, int(months))
    end = _now(con, now)
    params = {
        **sc.params,
        "now": end,
        "start": _month_start(end, months - 1),
        "first_month": _month_start(end, months - 1).replace(tzinfo=None),
        "last_month": _month_start(end).replace(tzinfo=None),
    }
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        facts AS (
            SELECT {sc.key_list('s')}, f.sha, f.month, f.person_id, f.is_bot, f.committed_at
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at <= $now
        ),
        counts AS (
            SELECT {keys}, month, count(DISTINCT sha) AS commits,
                   count(DISTINCT person_id) FILTER (WHERE NOT is_bot) AS active_contributors
            FROM facts WHERE committed_at >= $start
            GROUP BY {keys}, month
        ),
        firsts AS (
            SELECT {keys}, person_id, min(month) AS month
            FROM facts WHERE NOT is_bot AND person_id IS NOT NULL
            GROUP BY {keys}, person_id
        ),
        newcomers AS (
            SELECT {keys}, month, count(*) AS new_contributors
            FROM firsts WHERE month >= $first_month
            GROUP BY {keys}, month
        ),
        months AS (
            SELECT unnest(generate_series($first_month::TIMESTAMP, $last_month::TIMESTAMP,
                                          INTERVAL 1 MONTH)) AS month
        )
        SELECT g.*, m.month,
               coalesce(c.commits, 0) AS commits,
               coalesce(c.active_contributors, 0) AS active_contributors,
               coalesce(n.new_contributors, 0) AS new_contributors
        FROM groups AS g CROSS JOIN months AS m
        LEFT JOIN counts AS c ON {sc.join('c', 'g')} AND c.month = m.month
        LEFT JOIN newcomers AS n ON {sc.join('n', 'g')} AND n.month = m.month
        ORDER BY {sc.order()}, m.month
    """
    df = _frame(con, sql, params)
    return _int_columns(df, ["commits", "active_contributors", "new_contributors"])


@stored_answers("repo")
def last_activity(
    con: duckdb.DuckDBPyConnection,
    *,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The latest activity of each kind per repository, up to ``now``.

    Columns: forge, host, path, entity_id, html_url, last_commit_at, last_item_at (opened or
    closed), last_comment_at, last_release_at, last_push_at (the forge's pushed_at),
    last_activity_at (latest of all these, bots included), last_human_activity_at (latest commit,
    item opened, comment or release not by a bot; closing and pushes have no known actor and are
    left out), days_since_activity (from last_activity_at).
    """
    sc = _scope(con, "repo", entity_id, archetype, country, forge, repo)
    sql = f"""
        WITH {sc.ctes()},
        ev AS (
            SELECT {sc.key_list('s')},
                   max(a.event_at) FILTER (WHERE a.event = 'commit') AS last_commit_at,
                   max(a.event_at) FILTER (WHERE a.event IN ('item_opened', 'item_closed')) AS last_item_at,
                   max(a.event_at) FILTER (WHERE a.event = 'comment') AS last_comment_at,
                   max(a.event_at) FILTER (WHERE a.event = 'release') AS last_release_at,
                   max(a.event_at) FILTER (WHERE a.is_bot = false) AS last_human_activity_at,
                   max(a.event_at) AS last_event_at
            FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
            WHERE a.event_at <= $now
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.*, ev.last_commit_at, ev.last_item_at, ev.last_comment_at, ev.last_release_at,
               CASE WHEN r.pushed_at <= $now THEN r.pushed_at END AS last_push_at,
               greatest(ev.last_event_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END) AS last_activity_at,
               ev.last_human_activity_at,
               seconds_between(greatest(ev.last_event_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END),
                               $now::TIMESTAMPTZ) / 86400.0 AS days_since_activity
        FROM groups AS g
        JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
        LEFT JOIN ev ON {sc.join('ev', 'g')}
        ORDER BY {sc.order()}
    """
    return _frame(con, sql, {**sc.params, "now": _now(con, now)})


# Stored for the goal metrics (commits, active contributors), which ask per entity.
@stored_answers("entity")
def activity_totals(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "entity",
    days: float = WINDOW_DAYS,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Commits and contributors over the window (not per month).

    Columns: the level's columns, commits (distinct SHAs in the window, bots included),
    active_contributors (non-bot persons with a commit in the window), new_contributors (non-bot
    persons whose first commit in the group, ever, falls in the window).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        facts AS (
            SELECT {sc.key_list('s')}, f.sha, f.person_id, f.is_bot, f.committed_at
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at <= $now
        ),
        counts AS (
            SELECT {keys}, count(DISTINCT sha) AS commits,
                   count(DISTINCT person_id) FILTER (WHERE NOT is_bot) AS active_contributors
            FROM facts WHERE committed_at >= $since
            GROUP BY {keys}
        ),
        firsts AS (
            SELECT {keys}, person_id, min(committed_at) AS first_at
            FROM facts WHERE NOT is_bot AND person_id IS NOT NULL
            GROUP BY {keys}, person_id
        ),
        newcomers AS (
            SELECT {keys}, count(*) AS new_contributors FROM firsts WHERE first_at >= $since GROUP BY {keys}
        )
        SELECT g.*, coalesce(c.commits, 0) AS commits,
               coalesce(c.active_contributors, 0) AS active_contributors,
               coalesce(n.new_contributors, 0) AS new_contributors
        FROM groups AS g
        LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        LEFT JOIN newcomers AS n ON {sc.join('n', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days)})
    return _int_columns(df, ["commits", "active_contributors", "new_contributors"])


# --------------------------------------------------------------------------- concentration


@stored_answers(*LEVELS)
def absence_factor(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    share: float = 0.5,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Contributor Absence Factor (bus factor) per group over the window.

    The fewest people whose commits exceed ``share`` (50%) of the group's commits in the window,
    counting the most active first. Commits by bots and commits without a known author are left
    out of both sides. Columns: the level's columns, commits, contributors, absence_factor (NULL
    when there is no such commit in the window), top_share (the most active person's share).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_person AS (
            SELECT {sc.key_list('s')}, f.person_id, count(DISTINCT f.sha) AS commits
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at >= $since AND f.committed_at <= $now
              AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}, f.person_id
        ),
        factor AS ({_factor_sql(keys, 'person_id')})
        SELECT g.*, coalesce(f.commits, 0) AS commits, coalesce(f.members, 0) AS contributors,
               f.factor AS absence_factor, f.top_share
        FROM groups AS g LEFT JOIN factor AS f ON {sc.join('f', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days), "share": float(share)})
    df = _int_columns(df, ["commits", "contributors"])
    df["absence_factor"] = df["absence_factor"].astype("Int64")
    return df


def _factor_sql(keys: str, member: str) -> str:
    """Fewest members (most commits first) whose commits exceed $share of the total, per group."""
    return f"""
        SELECT {keys}, count(*) AS members, sum(commits) AS commits,
               min(rank) FILTER (WHERE running > $share * total) AS factor,
               max(commits) / any_value(total) AS top_share,
               arg_min({member}, rank) AS top_member
        FROM (
            SELECT {keys}, {member}, commits,
                   row_number() OVER w AS rank,
                   sum(commits) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
                   sum(commits) OVER (PARTITION BY {keys}) AS total
            FROM per_person
            WINDOW w AS (PARTITION BY {keys} ORDER BY commits DESC, {member})
        )
        GROUP BY {keys}
    """


# Organisation of a commit: the repository's own entity if the author is affiliated to it, else
# the author's first affiliation (member before alias before e-mail domain, then by entity id),
# else the author's e-mail domain unless it is a personal one, else the person alone.
_ORGANISATION_SQL = """
    CASE WHEN own.entity_id IS NOT NULL THEN 'entity:' || own.entity_id
         WHEN pref.entity_id IS NOT NULL THEN 'entity:' || pref.entity_id
         WHEN NOT personal_mail_domain(f.email_domain) THEN 'domain:' || f.email_domain
         ELSE 'person:' || f.person_id END
"""
_ORGANISATION_JOINS = """
    LEFT JOIN (SELECT DISTINCT person_id, entity_id FROM person_affiliations) AS own
           ON own.person_id = f.person_id AND own.entity_id = s.s_entity
    LEFT JOIN (
        SELECT person_id,
               arg_min(entity_id, CASE source WHEN 'member' THEN '0' WHEN 'alias' THEN '1' ELSE '2' END
                                  || entity_id) AS entity_id
        FROM person_affiliations GROUP BY person_id
    ) AS pref ON pref.person_id = f.person_id
"""


@stored_answers(*LEVELS)
def elephant_factor(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    share: float = 0.5,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Elephant Factor per group over the window: the absence factor over organisations.

    A commit's organisation: the repository's entity if its author is affiliated to it (registry
    e-mail domain, org membership or alias), else the author's first affiliation, else
    ``domain:<author e-mail domain>`` unless that is a free-mail or no-reply domain, else the
    author alone (``person:<id>``). Bots and unknown authors are left out. Columns: the level's
    columns, commits, organisations, elephant_factor, top_organisation, top_share.
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_person AS (
            SELECT {keys}, organisation, count(DISTINCT sha) AS commits
            FROM (
                SELECT {sc.key_list('s')}, f.sha, {_ORGANISATION_SQL} AS organisation
                FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
                {_ORGANISATION_JOINS}
                WHERE f.committed_at >= $since AND f.committed_at <= $now
                  AND NOT f.is_bot AND f.person_id IS NOT NULL
            )
            GROUP BY {keys}, organisation
        ),
        factor AS ({_factor_sql(keys, 'organisation')})
        SELECT g.*, coalesce(f.commits, 0) AS commits, coalesce(f.members, 0) AS organisations,
               f.factor AS elephant_factor, f.top_member AS top_organisation, f.top_share
        FROM groups AS g LEFT JOIN factor AS f ON {sc.join('f', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days), "share": float(share)})
    df = _int_columns(df, ["commits", "organisations"])
    df["elephant_factor"] = df["elephant_factor"].astype("Int64")
    return df


def organisation_shares(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The Elephant Factor's inputs: commits per organisation and group in the window.

    Columns: the level's key columns, organisation (entity:<id>, domain:<domain> or
    person:<id>), commits, share; largest first.
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_org AS (
            SELECT {keys}, organisation, count(DISTINCT sha) AS commits
            FROM (
                SELECT {sc.key_list('s')}, f.sha, {_ORGANISATION_SQL} AS organisation
                FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
                {_ORGANISATION_JOINS}
                WHERE f.committed_at >= $since AND f.committed_at <= $now
                  AND NOT f.is_bot AND f.person_id IS NOT NULL
            )
            GROUP BY {keys}, organisation
        )
        SELECT {keys}, organisation, commits,
               commits / sum(commits) OVER (PARTITION BY {keys}) AS share
        FROM per_org
        ORDER BY {keys}, commits DESC, organisation
    """
    return _frame(con, sql, {**sc.params, **_window(_now(con, now), days)})


@stored_answers(*LEVELS)
def inactive_contributors(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = INACTIVE_CONTRIBUTOR_DAYS,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Inactive Contributors: people with commits before the window and none in it.

    Columns: the level's columns, contributors (non-bot authors with a commit up to ``now``),
    active (with a commit in the window), inactive (last commit before the window),
    inactive_share (inactive / contributors; NULL without contributors).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_person AS (
            SELECT {sc.key_list('s')}, f.person_id, max(f.committed_at) AS last_at
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at <= $now AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}, f.person_id
        ),
        counts AS (
            SELECT {keys}, count(*) AS contributors,
                   count(*) FILTER (WHERE last_at >= $since) AS active,
                   count(*) FILTER (WHERE last_at < $since) AS inactive
            FROM per_person GROUP BY {keys}
        )
        SELECT g.*, coalesce(c.contributors, 0) AS contributors, coalesce(c.active, 0) AS active,
               coalesce(c.inactive, 0) AS inactive, c.inactive / nullif(c.contributors, 0) AS inactive_share
        FROM groups AS g LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days)})
    return _int_columns(df, ["contributors", "active", "inactive"])


# --------------------------------------------------------------------------- issues and change requests


@stored_answers(*LEVELS)
def time_to_first_response(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    bot_items: bool = False,
    combined: bool = False,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Time to First Response of issues and change requests opened in the window.

    One row per group and kind (issue, change_request; with ``combined``, one row of kind 'all'
    over both). Columns: the level's columns, kind, items (opened in the window), responded
    (first response by ``now``), unanswered, median_hours and p90_hours (over responded items;
    linear interpolation; NULL when none).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    kinds = "['all']" if combined else "['issue', 'change_request']"
    sql = f"""
        WITH {sc.ctes()},
        opened AS (
            SELECT {sc.key_list('s')}, {"'all'" if combined else 'i.kind'} AS kind,
                   CASE WHEN i.first_response_at <= $now
                        THEN seconds_between(i.created_at, i.first_response_at) / 3600.0 END AS hours
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.created_at >= $since AND i.created_at <= $now AND ($bot_items OR NOT i.author_is_bot)
        ),
        stats AS (
            SELECT {keys}, kind, count(*) AS items, count(hours) AS responded,
                   median(hours) AS median_hours, quantile_cont(hours, 0.9) AS p90_hours
            FROM opened GROUP BY {keys}, kind
        ),
        kinds AS (SELECT unnest({kinds}) AS kind)
        SELECT g.*, k.kind, coalesce(t.items, 0) AS items, coalesce(t.responded, 0) AS responded,
               coalesce(t.items, 0) - coalesce(t.responded, 0) AS unanswered,
               t.median_hours, t.p90_hours
        FROM groups AS g CROSS JOIN kinds AS k
        LEFT JOIN stats AS t ON {sc.join('t', 'g')} AND t.kind = k.kind
        ORDER BY {sc.order()}, k.kind DESC
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days), "bot_items": bool(bot_items)})
    return _int_columns(df, ["items", "responded", "unanswered"])


@stored_answers(*LEVELS)
def change_request_ratios(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    bot_items: bool = False,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Change Request Closure Ratio and Acceptance Ratio over the window.

    Columns: the level's columns, opened (change requests created in the window), closed
    (resolved in the window: merged or closed without merging, whenever opened), merged,
    closed_unmerged, closure_ratio (closed / opened; NULL when none opened), acceptance_ratio
    (merged / closed; NULL when none closed).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    sql = f"""
        WITH {sc.ctes()},
        counts AS (
            SELECT {sc.key_list('s')},
                   count(*) FILTER (WHERE i.created_at >= $since AND i.created_at <= $now) AS opened,
                   count(*) FILTER (WHERE i.resolved_at >= $since AND i.resolved_at <= $now) AS closed,
                   count(*) FILTER (WHERE i.state = 'merged'
                                      AND i.resolved_at >= $since AND i.resolved_at <= $now) AS merged
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.kind = 'change_request' AND ($bot_items OR NOT i.author_is_bot)
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.*, coalesce(c.opened, 0) AS opened, coalesce(c.closed, 0) AS closed,
               coalesce(c.merged, 0) AS merged, coalesce(c.closed - c.merged, 0) AS closed_unmerged,
               c.closed / nullif(c.opened, 0) AS closure_ratio,
               c.merged / nullif(c.closed, 0) AS acceptance_ratio
        FROM groups AS g LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days), "bot_items": bool(bot_items)})
    return _int_columns(df, ["opened", "closed", "merged", "closed_unmerged"])


@stored_answers(*LEVELS)
def issue_age(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    bot_items: bool = False,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Issue Age: how long the issues open at ``now`` have been open.

    An issue is open at ``now`` when it was created by then and is open, or was resolved after
    ``now``. Columns: the level's columns, open_issues, median_age_days, mean_age_days,
    max_age_days (NULL without open issues).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        ages AS (
            SELECT {sc.key_list('s')}, seconds_between(i.created_at, $now::TIMESTAMPTZ) / 86400.0 AS age_days
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.kind = 'issue' AND i.created_at <= $now
              AND (i.state = 'open' OR i.resolved_at > $now)
              AND ($bot_items OR NOT i.author_is_bot)
        ),
        stats AS (
            SELECT {keys}, count(*) AS open_issues, median(age_days) AS median_age_days,
                   avg(age_days) AS mean_age_days, max(age_days) AS max_age_days
            FROM ages GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.open_issues, 0) AS open_issues, t.median_age_days, t.mean_age_days,
               t.max_age_days
        FROM groups AS g LEFT JOIN stats AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, "now": _now(con, now), "bot_items": bool(bot_items)})
    return _int_columns(df, ["open_issues"])


@stored_answers(*LEVELS)
def issue_resolution_duration(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    kind: str = "issue",
    bot_items: bool = False,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Issue Resolution Duration: creation to resolution, for items resolved in the window.

    ``kind`` is 'issue' (default) or 'change_request'. Columns: the level's columns, resolved,
    median_days, mean_days, p90_days (NULL when none resolved).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        durations AS (
            SELECT {sc.key_list('s')}, seconds_between(i.created_at, i.resolved_at) / 86400.0 AS days
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.kind = $kind AND i.resolved_at >= $since AND i.resolved_at <= $now
              AND ($bot_items OR NOT i.author_is_bot)
        ),
        stats AS (
            SELECT {keys}, count(*) AS resolved, median(days) AS median_days, avg(days) AS mean_days,
                   quantile_cont(days, 0.9) AS p90_days
            FROM durations GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.resolved, 0) AS resolved, t.median_days, t.mean_days, t.p90_days
        FROM groups AS g LEFT JOIN stats AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, {**sc.params, **_window(_now(con, now), days), "kind": kind, "bot_items": bool(bot_items)})
    return _int_columns(df, ["resolved"])


# --------------------------------------------------------------------------- releases and forks


@stored_answers(*LEVELS)
def release_frequency(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    prereleases: bool = False,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Release Frequency and days since the last release.

    Pre-releases are left out unless ``prereleases``. Columns: the level's columns, releases
    (published in the window), releases_per_year (releases * 365 / days),
    median_days_between (median gap between a release in the window and the same repository's
    previous release), last_release_at and days_since_last_release (latest release up to
    ``now``, whenever; NULL if none).
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        rel AS (
            SELECT {sc.key_list('s')}, r.published_at,
                   seconds_between(lag(r.published_at) OVER (PARTITION BY r.forge, r.host, r.repo_path
                                                              ORDER BY r.published_at),
                                   r.published_at) / 86400.0 AS gap_days
            FROM releases AS r JOIN scope AS s ON {sc.on('r', entity=False)}
            WHERE r.published_at <= $now AND ($prereleases OR NOT r.prerelease)
        ),
        stats AS (
            SELECT {keys}, count(*) FILTER (WHERE published_at >= $since) AS releases,
                   median(gap_days) FILTER (WHERE published_at >= $since) AS median_days_between,
                   max(published_at) AS last_release_at
            FROM rel GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.releases, 0) AS releases,
               coalesce(t.releases, 0) * 365.0 / $days AS releases_per_year,
               t.median_days_between, t.last_release_at,
               seconds_between(t.last_release_at, $now::TIMESTAMPTZ) / 86400.0 AS days_since_last_release
        FROM groups AS g LEFT JOIN stats AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    params = {**sc.params, **_window(_now(con, now), days), "days": float(days), "prereleases": bool(prereleases)}
    df = _frame(con, sql, params)
    return _int_columns(df, ["releases"])


@stored_answers(*LEVELS)
def technical_forks(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Technical Forks of the repositories in scope (as collected; no window).

    Columns: the level's columns, forks (the forge's fork count, or the forks known if more),
    listed (forks known by path), contributing, non_contributing, unknown (forks - contributing -
    non_contributing). See the ``technical_forks`` view for the classification.
    """
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_parent AS (
            SELECT t.forge, t.host, t.parent_path, count(*) AS listed,
                   count(*) FILTER (WHERE t.fork_status = 'contributing') AS contributing,
                   count(*) FILTER (WHERE t.fork_status = 'non_contributing') AS non_contributing
            FROM technical_forks AS t GROUP BY ALL
        ),
        per_repo AS (
            SELECT {sc.key_list('s')},
                   greatest(r.forks_count, coalesce(p.listed, 0)) AS forks,
                   coalesce(p.listed, 0) AS listed, coalesce(p.contributing, 0) AS contributing,
                   coalesce(p.non_contributing, 0) AS non_contributing
            FROM scope AS s
            JOIN repos AS r ON r.forge = s.s_forge AND r.host = s.s_host AND r.path = s.s_path
            LEFT JOIN per_parent AS p
                   ON p.forge = s.s_forge AND p.host = s.s_host AND p.parent_path = s.s_path
        ),
        sums AS (
            SELECT {keys}, sum(forks) AS forks, sum(listed) AS listed, sum(contributing) AS contributing,
                   sum(non_contributing) AS non_contributing
            FROM per_repo GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.forks, 0) AS forks, coalesce(t.listed, 0) AS listed,
               coalesce(t.contributing, 0) AS contributing,
               coalesce(t.non_contributing, 0) AS non_contributing,
               coalesce(t.forks - t.contributing - t.non_contributing, 0) AS unknown
        FROM groups AS g LEFT JOIN sums AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, sc.params)
    return _int_columns(df, ["forks", "listed", "contributing", "non_contributing", "unknown"])


@stored_answers("repo")
def technical_fork_list(
    con: duckdb.DuckDBPyConnection,
    *,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every known fork of the repositories in scope, with its classification.

    Columns: forge, host, path (the parent), entity_id, fork_path, fork_owner, created_at,
    collected, fork_entity_id, fork_commits, commits_not_in_parent, fork_status.
    """
    sc = _scope(con, "repo", entity_id, archetype, country, forge, repo)
    sql = f"""
        WITH {sc.ctes()}
        SELECT s.forge, s.host, s.path, s.s_entity AS entity_id, t.fork_path, t.fork_owner, t.created_at,
               t.collected, t.fork_entity_id, t.fork_commits, t.commits_not_in_parent, t.fork_status
        FROM technical_forks AS t
        JOIN scope AS s ON t.forge = s.s_forge AND t.host = s.s_host AND t.parent_path = s.s_path
        ORDER BY s.forge, s.host, s.path, t.fork_path
    """
    return _frame(con, sql, sc.params)


# --------------------------------------------------------------------------- hygiene


@stored_answers("repo")
def hygiene(
    con: duckdb.DuckDBPyConnection,
    *,
    expiring_days: int = CONTRACT_EXPIRING_DAYS,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Hygiene per repository.

    Columns: forge, host, path, entity_id, html_url, licence, licence_source (forge |
    publiccode), licence_status (osi_approved | not_osi_approved | unrecognised | none),
    osi_licence, root_files_collected, has_readme, has_license, has_contributing,
    has_code_of_conduct, has_security, has_publiccode, publiccode_valid, maintenance_type,
    maintenance_until, contract_status (expired: until before ``now``'s UTC date; expiring: within
    ``expiring_days`` of it; ok; NULL without a date), days_to_contract_end, checks_passed and
    checks (of: OSI licence, README, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, valid publiccode.yml;
    both NULL when the root listing was not collected).
    """
    sc = _scope(con, "repo", entity_id, archetype, country, forge, repo)
    today = _now(con, now).date()
    sql = f"""
        WITH {sc.ctes()}
        SELECT g.*, h.licence, h.licence_source, h.licence_status, h.osi_licence,
               h.root_files_collected, h.has_readme, h.has_license, h.has_contributing,
               h.has_code_of_conduct, h.has_security, h.has_publiccode, h.publiccode_valid,
               h.maintenance_type, h.maintenance_until,
               CASE WHEN h.maintenance_until IS NULL THEN NULL
                    WHEN h.maintenance_until < $today THEN 'expired'
                    WHEN h.maintenance_until <= $today + $expiring_days::INTEGER THEN 'expiring'
                    ELSE 'ok' END AS contract_status,
               date_diff('day', $today, h.maintenance_until) AS days_to_contract_end,
               CASE WHEN h.root_files_collected THEN
                   h.osi_licence::INTEGER + h.has_readme::INTEGER + h.has_contributing::INTEGER
                   + h.has_code_of_conduct::INTEGER + h.has_security::INTEGER
                   + coalesce(h.publiccode_valid, false)::INTEGER END AS checks_passed,
               CASE WHEN h.root_files_collected THEN 6 END AS checks
        FROM groups AS g
        JOIN repo_hygiene AS h ON h.forge = g.forge AND h.host = g.host AND h.repo_path = g.path
        ORDER BY {sc.order()}
    """
    params = {**sc.params, "today": today, "expiring_days": int(expiring_days)}
    df = _frame(con, sql, params)
    df["checks_passed"] = df["checks_passed"].astype("Int64")
    df["checks"] = df["checks"].astype("Int64")
    df["days_to_contract_end"] = df["days_to_contract_end"].astype("Int64")
    return df


# --------------------------------------------------------------------------- lifecycle


STAGES = ("active", "declining", "inactive", "abandoned", "archived", "no_data")


def lifecycle(
    con: duckdb.DuckDBPyConnection,
    *,
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Lifecycle stage per repository at ``now``.

    First match wins: archived (the forge says so); no_data (no commit and no issue or change
    request up to ``now``); abandoned (idle for ``abandoned_days`` and at least one open issue or
    change request by a person without any response); inactive (idle for ``inactive_days``);
    declining (human events in the last ``recent_days`` under ``declining_ratio`` times the
    baseline's average per ``recent_days``, the baseline being the ``baseline_days`` before);
    active. Idle time runs from the later of the last human activity and the repository's
    creation. ``thresholds``: default the registry's (:func:`stored_thresholds`).

    Columns: forge, host, path, entity_id, html_url, stage, archived, created_at,
    last_activity_at (any event or push, bots included), last_human_activity_at, idle_days,
    recent_events, baseline_events, unanswered_open_items.
    """
    end, t, results = _resolve(con, now, thresholds)
    filters = {"entity_id": entity_id, "archetype": archetype, "country": country, "forge": forge, "repo": repo}
    if results is not None and results.hold(end, t):
        df = _read_results(con, "repo_lifecycle", LIFECYCLE_COLUMNS, filters, "m.forge, m.host, m.path")
        return _int_columns(df, ["recent_events", "baseline_events", "unanswered_open_items"])
    return _lifecycle_live(con, t, end, filters)


LIFECYCLE_COLUMNS = ("forge", "host", "path", "entity_id", "html_url", "stage", "archived", "created_at",
                     "last_activity_at", "last_human_activity_at", "idle_days", "recent_events",
                     "baseline_events", "unanswered_open_items")


def _lifecycle_live(con: duckdb.DuckDBPyConnection, t: LifecycleThresholds, end: datetime,
                    filters: Mapping[str, Any]) -> pd.DataFrame:
    sc = _scope(con, "repo", **filters)
    params = {
        **sc.params,
        "now": end,
        "recent_start": end - timedelta(days=t.recent_days),
        "baseline_start": end - timedelta(days=t.recent_days + t.baseline_days),
        "ratio": float(t.declining_ratio) * t.recent_days / t.baseline_days,
        "inactive_days": float(t.inactive_days),
        "abandoned_days": float(t.abandoned_days),
    }
    sql = f"""
        WITH {sc.ctes()},
        ev AS (
            SELECT {sc.key_list('s')},
                   max(a.event_at) AS last_event_at,
                   max(a.event_at) FILTER (WHERE a.is_bot = false) AS last_human_activity_at,
                   count(*) FILTER (WHERE a.is_bot = false AND a.event_at > $recent_start) AS recent_events,
                   count(*) FILTER (WHERE a.is_bot = false AND a.event_at > $baseline_start
                                      AND a.event_at <= $recent_start) AS baseline_events,
                   count(*) FILTER (WHERE a.event IN ('commit', 'item_opened')) AS data_events
            FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
            WHERE a.event_at <= $now
            GROUP BY {sc.key_list('s')}
        ),
        unanswered AS (
            SELECT {sc.key_list('s')}, count(*) AS unanswered_open_items
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.created_at <= $now AND (i.state = 'open' OR i.resolved_at > $now)
              AND NOT i.author_is_bot
              AND (i.first_response_at IS NULL OR i.first_response_at > $now)
            GROUP BY {sc.key_list('s')}
        ),
        facts AS (
            SELECT g.*, r.archived, CASE WHEN r.created_at <= $now THEN r.created_at END AS created_at,
                   greatest(ev.last_event_at, CASE WHEN r.pushed_at <= $now THEN r.pushed_at END) AS last_activity_at,
                   ev.last_human_activity_at,
                   seconds_between(
                       coalesce(greatest(ev.last_human_activity_at,
                                         CASE WHEN r.created_at <= $now THEN r.created_at END),
                                ev.last_event_at),
                       $now::TIMESTAMPTZ) / 86400.0 AS idle_days,
                   coalesce(ev.recent_events, 0) AS recent_events,
                   coalesce(ev.baseline_events, 0) AS baseline_events,
                   coalesce(ev.data_events, 0) AS data_events,
                   coalesce(u.unanswered_open_items, 0) AS unanswered_open_items
            FROM groups AS g
            JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
            LEFT JOIN ev ON {sc.join('ev', 'g')}
            LEFT JOIN unanswered AS u ON {sc.join('u', 'g')}
        )
        SELECT forge, host, path, entity_id, html_url,
               CASE WHEN archived THEN 'archived'
                    WHEN data_events = 0 THEN 'no_data'
                    WHEN idle_days >= $abandoned_days AND unanswered_open_items > 0 THEN 'abandoned'
                    WHEN idle_days >= $inactive_days THEN 'inactive'
                    WHEN recent_events < $ratio * baseline_events THEN 'declining'
                    ELSE 'active' END AS stage,
               archived, created_at, last_activity_at, last_human_activity_at,
               CASE WHEN data_events > 0 THEN idle_days END AS idle_days,
               recent_events, baseline_events, unanswered_open_items
        FROM facts
        ORDER BY forge, host, path
    """
    df = _frame(con, sql, params)
    return _int_columns(df, ["recent_events", "baseline_events", "unanswered_open_items"])


@stored_answers(*LEVELS)
def lifecycle_summary(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "entity",
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Repositories per lifecycle stage and group: the level's columns, repos, one column per stage."""
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    end, t, results = _resolve(con, now, thresholds)
    if results is not None and results.hold(end, t):
        # The stored stages, joined in SQL: the same rows in the same order as the merge below.
        merged = _groups_with_repos(con, sc, "repo_lifecycle", ("stage",))
    else:
        stages = _lifecycle_live(con, t, end, {"entity_id": entity_id, "archetype": archetype, "country": country,
                                                   "forge": forge, "repo": repo})
        groups = _groups_with_repos(con, sc)
        merged = groups.merge(stages[["forge", "host", "path", "stage"]].rename(
            columns={"forge": "_forge", "host": "_host", "path": "_path"}), on=["_forge", "_host", "_path"], how="left")
    counts = (
        merged.dropna(subset=["stage"]).groupby(sc.keys + ["stage"]).size().unstack(fill_value=0)
        .reindex(columns=list(STAGES), fill_value=0).reset_index()
    )
    base = merged[sc.columns].drop_duplicates()
    out = base.merge(counts, on=sc.keys, how="left")
    for stage in STAGES:
        out[stage] = out[stage].fillna(0).astype("int64")
    out.insert(len(sc.columns), "repos", out[list(STAGES)].sum(axis=1).astype("int64"))
    return out.sort_values(sc.keys).reset_index(drop=True)


def _groups_with_repos(con: duckdb.DuckDBPyConnection, sc: _Scope, table: str | None = None,
                       columns: Sequence[str] = ()) -> pd.DataFrame:
    """Every repository in scope with its group's columns (as _forge, _host, _path); with
    ``table``, also those ``columns`` of a materialised per-repository table."""
    cols = ", ".join(f"{sql} AS {name}" for name, sql in _LEVEL_KEYS[sc.level] + _LEVEL_EXTRA[sc.level])
    stored = "".join(f", m.{c}" for c in columns)
    join = (f"JOIN {table} AS m ON m.forge = r.forge AND m.host = r.host AND m.path = r.path" if table else "")
    sql = f"""
        SELECT r.forge AS _forge, r.host AS _host, r.path AS _path, r.archived AS _archived, {cols}{stored}
        FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
        {join}
        WHERE {_FILTER}
        ORDER BY r.forge, r.host, r.path
    """
    return _frame(con, sql, sc.params)


# --------------------------------------------------------------------------- health score


def health_inputs(
    con: duckdb.DuckDBPyConnection,
    *,
    days: float = WINDOW_DAYS,
    targets: HealthTargets = HealthTargets(),
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every input of the health score, one row per repository (wide; see :func:`health_parts`).

    Columns: forge, host, path, entity_id, html_url, stage, archived, active_periods,
    periods_considered, items_due, items_handled, median_response_hours, absence_factor,
    participants, releases_ever, releases_in_window, checks_passed, checks.
    """
    end, t, results = _resolve(con, now, thresholds)
    filters = {"entity_id": entity_id, "archetype": archetype, "country": country, "forge": forge, "repo": repo}
    if results is not None and results.hold(end, t, days, targets):
        df = _read_results(con, "repo_health_inputs", HEALTH_INPUT_COLUMNS, filters, "m.forge, m.host, m.path")
        return _health_input_types(df)
    return _health_inputs(con, days=days, targets=targets, thresholds=t, now=end, filters=filters)


HEALTH_INPUT_COLUMNS = ("forge", "host", "path", "entity_id", "html_url", "stage", "archived", "active_periods",
                        "periods_considered", "items_due", "items_handled", "median_response_hours",
                        "absence_factor", "participants", "releases_ever", "releases_in_window",
                        "checks_passed", "checks")


def _health_input_types(df: pd.DataFrame) -> pd.DataFrame:
    df = _int_columns(df, ["active_periods", "periods_considered", "items_due", "items_handled",
                           "participants", "releases_ever", "releases_in_window"])
    for col in ("absence_factor", "checks_passed", "checks"):
        df[col] = df[col].astype("Int64")
    return df


def _health_inputs(
    con: duckdb.DuckDBPyConnection,
    *,
    days: float,
    targets: HealthTargets,
    thresholds: LifecycleThresholds,
    now: datetime,
    filters: Mapping[str, Any],
    stages: pd.DataFrame | None = None,
    hyg: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """health_inputs computed live; ``stages`` and ``hyg``: lifecycle and hygiene already at hand."""
    end = now
    sc = _scope(con, "repo", **filters)
    params = {
        **sc.params,
        **_window(end, days),
        "period_s": float(targets.period_days) * 86400.0,
        "periods": int(targets.periods),
        "due_before": end - timedelta(days=targets.response_days),
        "response_s": float(targets.response_days) * 86400.0,
        "share": 0.5,
    }
    sql = f"""
        WITH {sc.ctes()},
        periods AS (
            -- 30-day periods counted back from now: 0 is the latest.
            SELECT {sc.key_list('s')},
                   count(DISTINCT floor(seconds_between(a.event_at, $now::TIMESTAMPTZ) / $period_s))
                       FILTER (WHERE seconds_between(a.event_at, $now::TIMESTAMPTZ) < $periods * $period_s)
                       AS active_periods,
                   min(a.event_at) AS first_event_at
            FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
            WHERE a.event_at <= $now AND a.is_bot = false
            GROUP BY {sc.key_list('s')}
        ),
        responsiveness AS (
            SELECT {sc.key_list('s')},
                   count(*) AS items_due,
                   count(*) FILTER (WHERE
                       (i.first_response_at <= $now
                        AND seconds_between(i.created_at, i.first_response_at) <= $response_s)
                       OR (i.resolved_at <= $now
                           AND seconds_between(i.created_at, i.resolved_at) <= $response_s)) AS items_handled,
                   median(CASE WHEN i.first_response_at <= $now
                               THEN seconds_between(i.created_at, i.first_response_at) / 3600.0 END)
                       AS median_response_hours
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.created_at >= $since AND i.created_at <= $due_before AND NOT i.author_is_bot
            GROUP BY {sc.key_list('s')}
        ),
        per_person AS (
            SELECT {sc.key_list('s')}, f.person_id, count(*) AS commits
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at >= $since AND f.committed_at <= $now
              AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}, f.person_id
        ),
        sustainability AS ({_factor_sql('forge, host, path', 'person_id')}),
        community AS (
            SELECT {sc.key_list('s')}, count(DISTINCT a.person_id) AS participants
            FROM {sc.events} AS a JOIN scope AS s ON {sc.on('a')}
            WHERE a.event_at >= $since AND a.event_at <= $now AND a.is_bot = false AND a.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}
        ),
        rel AS (
            SELECT {sc.key_list('s')}, count(*) AS releases_ever,
                   count(*) FILTER (WHERE r.published_at >= $since) AS releases_in_window
            FROM releases AS r JOIN scope AS s ON {sc.on('r', entity=False)}
            WHERE r.published_at <= $now AND NOT r.prerelease
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.*, coalesce(p.active_periods, 0) AS active_periods,
               -- A young repository is judged on the periods it has existed for.
               least($periods, greatest(1, ceil(seconds_between(
                   coalesce(CASE WHEN r.created_at <= $now THEN r.created_at END, p.first_event_at),
                   $now::TIMESTAMPTZ) / $period_s)))::INTEGER AS periods_considered,
               coalesce(q.items_due, 0) AS items_due, coalesce(q.items_handled, 0) AS items_handled,
               q.median_response_hours,
               su.factor AS absence_factor,
               coalesce(c.participants, 0) AS participants,
               coalesce(rl.releases_ever, 0) AS releases_ever,
               coalesce(rl.releases_in_window, 0) AS releases_in_window
        FROM groups AS g
        JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
        LEFT JOIN periods AS p ON {sc.join('p', 'g')}
        LEFT JOIN responsiveness AS q ON {sc.join('q', 'g')}
        LEFT JOIN sustainability AS su ON {sc.join('su', 'g')}
        LEFT JOIN community AS c ON {sc.join('c', 'g')}
        LEFT JOIN rel AS rl ON {sc.join('rl', 'g')}
        ORDER BY {sc.order()}
    """
    df = _frame(con, sql, params)
    if stages is None:
        stages = _lifecycle_live(con, thresholds, end, filters)
    if hyg is None:
        hyg = hygiene(con, now=end, **filters)
    df = df.merge(stages[["forge", "host", "path", "stage", "archived"]], on=["forge", "host", "path"], how="left")
    df = df.merge(hyg[["forge", "host", "path", "checks_passed", "checks"]], on=["forge", "host", "path"], how="left")
    return _health_input_types(df[list(HEALTH_INPUT_COLUMNS)])


# Why a part is missing, by part.
MISSING_REASONS = {
    "activity": "no data",
    "responsiveness": "no issues or change requests due in the window",
    "sustainability": "no commits by people in the window",
    "community": "no data",
    "hygiene": "root files not collected",
    "release_cadence": "no releases published",
}


def _part_frame(inputs: pd.DataFrame, targets: HealthTargets, days: float) -> pd.DataFrame:
    """Each part's score (0-100, NaN when missing) per repository, from :func:`health_inputs`."""
    no_data = (inputs["stage"] == "no_data").to_numpy()
    nan = np.nan
    af = inputs["absence_factor"].astype("float64").to_numpy()
    checks = inputs["checks"].astype("float64").to_numpy()
    passed = inputs["checks_passed"].astype("float64").to_numpy()
    due = inputs["items_due"].to_numpy(dtype="float64")
    release_target = targets.releases_per_year * days / 365.0
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = {
            "activity": np.where(no_data, nan, 100.0 * np.minimum(
                1.0, inputs["active_periods"].to_numpy(dtype="float64")
                / inputs["periods_considered"].to_numpy(dtype="float64"))),
            "responsiveness": np.where(due == 0, nan, 100.0 * inputs["items_handled"].to_numpy(dtype="float64") / due),
            "sustainability": np.where(np.isnan(af), nan,
                                       100.0 * np.minimum(af, targets.absence_factor) / targets.absence_factor),
            "community": np.where(no_data, nan, 100.0 * np.minimum(
                inputs["participants"].to_numpy(dtype="float64"), targets.participants) / targets.participants),
            "hygiene": np.where(np.isnan(checks), nan, 100.0 * passed / checks),
            "release_cadence": np.where(inputs["releases_ever"].to_numpy() == 0, nan, 100.0 * np.minimum(
                1.0, inputs["releases_in_window"].to_numpy(dtype="float64") / release_target)),
        }
    return pd.DataFrame(scores, index=inputs.index)


class _Col(str):
    """A health input column's name, in :func:`_part_spec`."""


def _part_spec(part: str, targets: HealthTargets, days: float) -> dict[str, Any]:
    """The inputs shown with a part (its JSON ``inputs``): name -> an input column, or a target."""
    if part == "activity":
        return {"active_periods": _Col("active_periods"), "periods_considered": _Col("periods_considered"),
                "period_days": targets.period_days}
    if part == "responsiveness":
        return {"items_due": _Col("items_due"), "items_handled": _Col("items_handled"),
                "response_days": targets.response_days, "median_response_hours": _Col("median_response_hours")}
    if part == "sustainability":
        return {"absence_factor": _Col("absence_factor"), "target": targets.absence_factor}
    if part == "community":
        return {"participants": _Col("participants"), "target": targets.participants}
    if part == "hygiene":
        return {"checks_passed": _Col("checks_passed"), "checks": _Col("checks")}
    return {"releases_in_window": _Col("releases_in_window"), "releases_ever": _Col("releases_ever"),
            "target": targets.releases_per_year * days / 365.0}


def health_parts(
    con: duckdb.DuckDBPyConnection,
    *,
    days: float = WINDOW_DAYS,
    weights: Mapping[str, float] | None = None,
    targets: HealthTargets = HealthTargets(),
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The health score's breakdown: one row per repository and part.

    Columns: forge, host, path, entity_id, html_url, stage, part, score (0-100, NULL when
    missing), weight, missing (bool), missing_reason, inputs (JSON object of the part's inputs).
    """
    w = _weights(weights, con)
    end, t, results = _resolve(con, now, thresholds)
    filters = {"entity_id": entity_id, "archetype": archetype, "country": country, "forge": forge, "repo": repo}
    if results is not None and results.hold(end, t, days, targets):
        # Read through Arrow, the rows have the types _parts_types gives the live ones.
        df = _read_results(con, "repo_health_parts", PART_COLUMNS, filters, "m.forge, m.host, m.path, m.part_no")
        df.insert(PART_COLUMNS.index("score") + 1, "weight", df["part"].map(w).astype("float64"))
        return df
    inputs = health_inputs(con, days=days, targets=targets, thresholds=t, now=end, **filters)
    df = _parts_rows(inputs, targets, days)
    df.insert(PART_COLUMNS.index("score") + 1, "weight", df["part"].map(w).astype("float64"))
    return _parts_types(df)


PART_COLUMNS = ("forge", "host", "path", "entity_id", "html_url", "stage", "part", "score", "missing",
                "missing_reason", "inputs")
_PARTS_SCHEMA = pa.schema([
    ("forge", pa.string()), ("host", pa.string()), ("path", pa.string()), ("entity_id", pa.string()),
    ("html_url", pa.string()), ("stage", pa.string()), ("part", pa.string()), ("score", pa.float64()),
    ("weight", pa.float64()), ("missing", pa.bool_()), ("missing_reason", pa.string()), ("inputs", pa.string()),
])


def _parts_types(df: pd.DataFrame) -> pd.DataFrame:
    """The column types of :func:`health_parts`, whichever way the rows came."""
    return _arrow_types(df, _PARTS_SCHEMA)


def _parts_rows(inputs: pd.DataFrame, targets: HealthTargets, days: float) -> pd.DataFrame:
    """health_parts' rows (without the weights) from :func:`health_inputs`: each repository's six
    parts in HEALTH_PARTS order. Built column by column (every repository at once after a
    collection)."""
    n, k = len(inputs), len(HEALTH_PARTS)
    scores = _part_frame(inputs, targets, days)[list(HEALTH_PARTS)].to_numpy(dtype="float64").ravel()
    missing = np.isnan(scores)
    texts = np.empty((n, k), dtype=object)
    for j, part in enumerate(HEALTH_PARTS):
        texts[:, j] = _part_json(inputs, part, targets, days)
    df = pd.DataFrame({
        **{c: np.repeat(inputs[c].to_numpy(dtype=object), k) for c in ("forge", "host", "path", "entity_id",
                                                                     "html_url", "stage")},
        "part": np.tile(np.array(HEALTH_PARTS, dtype=object), n),
        "score": scores,
        "missing": missing,
        "missing_reason": np.where(missing, np.tile(np.array([MISSING_REASONS[p] for p in HEALTH_PARTS], dtype=object), n),
                                   None),
        "inputs": texts.ravel(),
    }, columns=list(PART_COLUMNS))
    return df


def _part_json(inputs: pd.DataFrame, part: str, targets: HealthTargets, days: float) -> list[str]:
    """Each row's part inputs as a JSON object, keys sorted: a column's value as a whole number
    when it is one (null when missing), a target as it is."""
    fields = []
    for key, source in sorted(_part_spec(part, targets, days).items()):
        if isinstance(source, _Col):
            values = inputs[str(source)].astype("float64").to_numpy().tolist()
            fields.append([f'"{key}": ' + ("null" if math.isnan(v) else str(int(v)) if v.is_integer() else repr(v))
                           for v in values])
        else:
            fields.append([f'"{key}": {json.dumps(source)}'] * len(inputs))
    return ["{" + ", ".join(row) + "}" for row in zip(*fields)]


def _weights(weights: Mapping[str, float] | None, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, float]:
    """The registry's weights (stored settings, else DEFAULT_WEIGHTS), with ``weights`` over them."""
    w = stored_weights(con) if con is not None else dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown health parts {sorted(unknown)}: expected {', '.join(HEALTH_PARTS)}")
        w.update({k: float(v) for k, v in weights.items()})
    if any(v < 0 or not math.isfinite(v) for v in w.values()):
        raise ValueError("health weights must be finite and not negative")
    return w


def _combine(scores: pd.DataFrame, w: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Weighted mean of the available parts per row: (score, parts used, parts missing)."""
    values = scores[list(HEALTH_PARTS)].to_numpy(dtype="float64")
    weight = np.array([w[p] for p in HEALTH_PARTS])
    present = ~np.isnan(values)
    used = present & (weight > 0)
    total = (used * weight).sum(axis=1)
    weighted = np.where(used, values * weight, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(total > 0, weighted / total, np.nan)
    missing = [",".join(p for p, ok in zip(HEALTH_PARTS, row) if not ok) for row in present]
    return score, used.sum(axis=1), missing


@stored_answers(*LEVELS)
def health_score(
    con: duckdb.DuckDBPyConnection,
    *,
    by: str = "repo",
    days: float = WINDOW_DAYS,
    weights: Mapping[str, float] | None = None,
    targets: HealthTargets = HealthTargets(),
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Health score 0-100 per group: the weighted mean of the parts available.

    At the repository level the parts are the repository's (see :func:`health_parts`). Above it,
    each part is the mean of that part over the group's repositories that have it, archived
    repositories and those without data left out. A missing part is left out and its weight
    shared among the others; with no part at all the score is NULL.

    Columns: the level's columns, score, one column per part (activity, responsiveness,
    sustainability, community, hygiene, release_cadence), parts_used, parts_missing
    (comma-separated part names), repos_scored.
    """
    w = _weights(weights, con)
    sc = _scope(con, by, entity_id, archetype, country, forge, repo)
    end, t, results = _resolve(con, now, thresholds)
    if results is not None and results.hold(end, t, days, targets):
        # The stored part scores, joined in SQL: the same rows in the same order as the merge below.
        data = _groups_with_repos(con, sc, "repo_health_inputs", ("stage",) + HEALTH_PARTS)
        groups = data
    else:
        inputs = health_inputs(con, days=days, targets=targets, thresholds=t, now=end,
                               entity_id=entity_id, archetype=archetype, country=country, forge=forge, repo=repo)
        per_repo = pd.concat([inputs[["forge", "host", "path", "stage"]], _part_frame(inputs, targets, days)], axis=1)
        groups = _groups_with_repos(con, sc)
        data = groups.merge(per_repo.rename(columns={"forge": "_forge", "host": "_host", "path": "_path"}),
                            on=["_forge", "_host", "_path"], how="inner")
    base = groups[sc.columns].drop_duplicates()
    if by == "repo" and len(data) == len(base):
        # Each repository is its own group, in the same order: its parts are the group's (a mean
        # of one value is that value), without grouping and joining on three text columns.
        out = base.reset_index(drop=True)
        for part in HEALTH_PARTS:
            out[part] = data[part].to_numpy(dtype="float64")
        out["repos_scored"] = 1
    else:
        if by != "repo":
            data = data[~data["stage"].isin(["archived", "no_data"])]
        parts = data.groupby(sc.keys, dropna=False)[list(HEALTH_PARTS)].mean()
        parts["repos_scored"] = data.groupby(sc.keys, dropna=False).size()
        out = base.merge(parts.reset_index(), on=sc.keys, how="left")
    out["repos_scored"] = out["repos_scored"].fillna(0).astype("int64")
    score, used, missing = _combine(out, w)
    out.insert(len(sc.columns), "score", score)
    out["parts_used"] = used.astype("int64")
    out["parts_missing"] = missing
    columns = sc.columns + ["score", *HEALTH_PARTS, "parts_used", "parts_missing", "repos_scored"]
    return out[columns].sort_values(sc.keys).reset_index(drop=True)


# --------------------------------------------------------------------------- attention list


ATTENTION_REASONS = (
    "abandoned", "inactive", "declining", "single_maintainer",
    "unanswered_change_request", "unanswered_issue", "contract_expired", "contract_expiring",
)


def attention_list(
    con: duckdb.DuckDBPyConnection,
    *,
    no_response_days: float = NO_RESPONSE_DAYS,
    days: float = WINDOW_DAYS,
    expiring_days: int = CONTRACT_EXPIRING_DAYS,
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
    entity_id: str | None = None,
    archetype: str | None = None,
    country: str | None = None,
    forge: str | None = None,
    repo: Sequence[str] | None = None,
) -> pd.DataFrame:
    """What maintainers should look at, one row per finding; archived repositories left out.

    Reasons: abandoned, inactive, declining (lifecycle); single_maintainer (absence factor 1 over
    ``days``); unanswered_change_request / unanswered_issue (open at ``now``, opened by a person
    at least ``no_response_days`` ago, no response by ``now``); contract_expired /
    contract_expiring (publiccode.yml maintenance contract). ``thresholds``: default the
    registry's (:func:`stored_thresholds`).

    Columns: entity_id, forge, host, path, html_url, reason, detail, item_kind, item_number,
    item_url, since (when the condition started: last human activity, item creation, contract
    end), days (since then; negative for a contract still running).
    """
    end, t, results = _resolve(con, now, thresholds)
    filters = {"entity_id": entity_id, "archetype": archetype, "country": country, "forge": forge, "repo": repo}
    if (results is not None and results.hold(end, t, days)
            and float(no_response_days) == NO_RESPONSE_DAYS and int(expiring_days) == CONTRACT_EXPIRING_DAYS):
        df = _read_results(con, "attention_findings", ATTENTION_COLUMNS, filters, "m.position")
        return _attention_types(df)
    return _attention(con, no_response_days=no_response_days, days=days, expiring_days=expiring_days,
                      thresholds=t, now=end, filters=filters)


ATTENTION_COLUMNS = ("entity_id", "forge", "host", "path", "html_url", "reason", "detail", "item_kind",
                     "item_number", "item_url", "since", "days")


_ATTENTION_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ATTENTION_COLUMNS[:8]]
    + [("item_number", pa.int32()), ("item_url", pa.string()), ("since", pa.timestamp("us", tz="UTC")),
       ("days", pa.float64())]
)


def _attention_types(df: pd.DataFrame) -> pd.DataFrame:
    """One set of column types, whichever findings there are and however they came."""
    df["item_number"] = df["item_number"].astype("Int64")
    df["days"] = df["days"].astype("float64")
    return df


def _attention(
    con: duckdb.DuckDBPyConnection,
    *,
    no_response_days: float,
    days: float,
    expiring_days: int,
    thresholds: LifecycleThresholds,
    now: datetime,
    filters: Mapping[str, Any],
    stages: pd.DataFrame | None = None,
    hyg: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """attention_list computed live; ``stages`` and ``hyg``: lifecycle and hygiene already at hand."""
    end = now
    columns = list(ATTENTION_COLUMNS)
    frames: list[pd.DataFrame] = []

    def days_since(since: pd.Series) -> pd.Series:
        return (pd.Timestamp(end) - since).dt.total_seconds() / 86400.0

    if stages is None:
        stages = _lifecycle_live(con, thresholds, end, filters)
    st = stages[stages["stage"].isin(["abandoned", "inactive", "declining"])].copy()
    if len(st):
        idle = "no activity by people for " + st["idle_days"].fillna(0).astype("int64").astype(str) + " days"
        st["detail"] = np.where(
            st["stage"] == "declining",
            st["recent_events"].astype(str) + f" events in the last {thresholds.recent_days} days, "
            + st["baseline_events"].astype(str) + f" in the {thresholds.baseline_days} days before",
            np.where(st["stage"] == "abandoned",
                     idle + ", " + st["unanswered_open_items"].astype(str)
                     + " open issues or change requests never answered",
                     idle))
        st["reason"] = st["stage"]
        st["since"] = st["last_human_activity_at"]
        st["days"] = days_since(st["since"])
        frames.append(st)
    archived = stages.loc[stages["archived"], ["forge", "host", "path"]]

    af = absence_factor(con, by="repo", days=days, now=end, **filters)
    af = af[af["absence_factor"].eq(1).fillna(False).astype(bool)]
    af = af.merge(archived, on=["forge", "host", "path"], how="left", indicator=True)
    af = af[af["_merge"] == "left_only"].copy()
    if len(af):
        af["reason"] = "single_maintainer"
        af["detail"] = ("one person made all or most of " + af["commits"].astype(str)
                        + f" commits in the last {int(days)} days (" + (af["top_share"] * 100).round().astype("int64").astype(str)
                        + "%, " + af["contributors"].astype(str) + " contributors)")
        frames.append(af)

    sc = _scope(con, "repo", **filters)
    sql = f"""
        WITH {sc.ctes()}
        SELECT g.entity_id, g.forge, g.host, g.path, g.html_url,
               'unanswered_' || i.kind AS reason,
               CASE i.kind WHEN 'change_request' THEN 'change request' ELSE 'issue' END
                   || ' #' || i.number || ' by ' || coalesce(i.author_login, 'unknown')
                   || ' has had no response' AS detail,
               i.kind AS item_kind, i.number AS item_number,
               CASE WHEN g.html_url IS NULL THEN NULL
                    WHEN g.forge = 'github'
                    THEN rtrim(g.html_url, '/')
                         || CASE i.kind WHEN 'change_request' THEN '/pull/' ELSE '/issues/' END || i.number
                    ELSE rtrim(g.html_url, '/')
                         || CASE i.kind WHEN 'change_request' THEN '/-/merge_requests/' ELSE '/-/issues/' END
                         || i.number END AS item_url,
               i.created_at AS since,
               seconds_between(i.created_at, $now::TIMESTAMPTZ) / 86400.0 AS days
        FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
        JOIN groups AS g ON g.forge = s.s_forge AND g.host = s.s_host AND g.path = s.s_path
        WHERE NOT s.s_archived AND NOT i.author_is_bot
          AND i.created_at <= $due_before
          AND (i.state = 'open' OR i.resolved_at > $now)
          AND (i.first_response_at IS NULL OR i.first_response_at > $now)
    """
    frames.append(_frame(con, sql, {**sc.params, "now": end, "due_before": end - timedelta(days=no_response_days)}))

    if hyg is None:
        hyg = hygiene(con, expiring_days=expiring_days, now=end, **filters)
    hyg = hyg[hyg["contract_status"].isin(["expired", "expiring"])]
    hyg = hyg.merge(archived, on=["forge", "host", "path"], how="left", indicator=True)
    hyg = hyg[hyg["_merge"] == "left_only"].copy()
    if len(hyg):
        until = pd.to_datetime(hyg["maintenance_until"].astype(str)).dt.tz_localize("UTC")
        hyg["reason"] = "contract_" + hyg["contract_status"]
        hyg["detail"] = ("publiccode.yml maintenance contract "
                         + np.where(hyg["contract_status"] == "expired", "ended", "ends") + " on "
                         + until.dt.strftime("%Y-%m-%d"))
        hyg["since"] = until
        hyg["days"] = days_since(until)
        frames.append(hyg)

    frames = [f.reindex(columns=columns) for f in frames if len(f)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    df["item_number"] = df["item_number"].astype("Int64")
    df["days"] = df["days"].astype("float64")
    df["since"] = pd.to_datetime(df["since"], utc=True)
    df["_order"] = df["reason"].map({r: i for i, r in enumerate(ATTENTION_REASONS)})
    df = df.sort_values(["_order", "days", "forge", "host", "path", "item_number"],
                        ascending=[True, False, True, True, True, True], na_position="last")
    return _attention_types(_arrow_types(df.drop(columns="_order"), _ATTENTION_SCHEMA))


__all__ = [
    "ATTENTION_REASONS",
    "DEFAULT_WEIGHTS",
    "HEALTH_PARTS",
    "LEVELS",
    "MISSING_REASONS",
    "STAGES",
    "HealthTargets",
    "LifecycleThresholds",
    "absence_factor",
    "activity_per_month",
    "activity_totals",
    "as_of",
    "attention_list",
    "change_request_ratios",
    "elephant_factor",
    "health_inputs",
    "health_parts",
    "health_score",
    "hygiene",
    "inactive_contributors",
    "issue_age",
    "issue_resolution_duration",
    "last_activity",
    "lifecycle",
    "lifecycle_summary",
    "metric_facts_fresh",
    "metric_results_fresh",
    "organisation_shares",
    "refresh_metric_facts",
    "refresh_metric_results",
    "release_frequency",
    "stored_thresholds",
    "stored_weights",
    "technical_fork_list",
    "technical_forks",
    "time_to_first_response",
]
