"""Batched upserts of collector records into DuckDB.

Records become one Arrow table per batch; the stored rows with its keys are deleted and
the batch inserted with ``INSERT ... SELECT``. A batch is deduplicated on its natural key
first, keeping the last record seen: a key may be inserted once, and a forge may repeat an
item across pages when data moves while we page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import duckdb
import pyarrow as pa

from collectors.records import (
    CommentRecord,
    CommitRecord,
    ForkRecord,
    ItemRecord,
    MemberRecord,
    PubliccodeRecord,
    ReleaseRecord,
    RepoRecord,
    RootFilesRecord,
)
from collectors.reviews import ReviewRecord
from warehouse.transactions import Transaction

_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    table: str
    keys: tuple[str, ...]
    schema: pa.Schema

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.schema]


_ARROW_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "datetime": _TS,
    "date": pa.date32(),
    "tuple[str, ...]": pa.list_(pa.string()),
}


def spec_for(record_cls: type, table: str, keys: tuple[str, ...]) -> TableSpec:
    """A table's Arrow schema, read off the record dataclass's annotations."""
    columns = []
    for f in fields(record_cls):
        base = str(f.type).replace(" | None", "").strip()
        if base not in _ARROW_TYPES:
            raise TypeError(f"{record_cls.__name__}.{f.name}: no Arrow type for {f.type!r}")
        columns.append((f.name, _ARROW_TYPES[base]))
    return TableSpec(table, keys, pa.schema(columns))


REPOS = spec_for(RepoRecord, "repos", ("forge", "host", "path"))
COMMITS = spec_for(CommitRecord, "commits", ("forge", "host", "repo_path", "sha"))
ITEMS = spec_for(ItemRecord, "items", ("forge", "host", "repo_path", "kind", "number"))
COMMENTS = spec_for(CommentRecord, "comments", ("forge", "host", "repo_path", "kind", "comment_id"))
RELEASES = spec_for(ReleaseRecord, "releases", ("forge", "host", "repo_path", "tag"))
FORKS = spec_for(ForkRecord, "forks", ("forge", "host", "repo_path", "fork_path"))
ROOT_FILES = spec_for(RootFilesRecord, "root_files", ("forge", "host", "repo_path"))
PUBLICCODE = spec_for(PubliccodeRecord, "publiccode", ("forge", "host", "repo_path"))
MEMBERS = spec_for(MemberRecord, "members", ("forge", "host", "account_owner", "login"))
REVIEWS = spec_for(ReviewRecord, "reviews", ("forge", "host", "repo_path", "number", "reviewer_login", "state"))

SPECS = {
    RepoRecord: REPOS, CommitRecord: COMMITS, ItemRecord: ITEMS, CommentRecord: COMMENTS,
    ReleaseRecord: RELEASES, ForkRecord: FORKS, RootFilesRecord: ROOT_FILES,
    PubliccodeRecord: PUBLICCODE, MemberRecord: MEMBERS, ReviewRecord: REVIEWS,
}


def to_arrow(records: Sequence, spec: TableSpec) -> pa.Table:
    """Column-wise conversion: one list comprehension and one Arrow array per column."""
    arrays = []
    for f in spec.schema:
        name = f.name
        if pa.types.is_list(f.type):
            values = [list(v) if v is not None else None for v in (getattr(r, name) for r in records)]
        else:
            values = [getattr(r, name) for r in records]
        arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def upsert(con: duckdb.DuckDBPyConnection, spec: TableSpec, batch: pa.Table, count_new: bool = True,
           held: bool = False) -> int:
    """Insert or replace a batch; return how many natural keys were new to the table (0 unless count_new).

    The stored rows with a key of the batch are deleted and the batch inserted, in the caller's
    transaction or one of its own; ``held`` says the caller holds one (a batch's flush), which
    spares the two queries that would ask. A spec names every column of its table, so a row is replaced
    whole, as ``ON CONFLICT DO UPDATE`` would, at a half to a third of its cost (benchmarks/RESULTS.md,
    "Loading a collection's batches"); a key the table did not hold is one the delete did not find.
    """
    if batch.num_rows == 0:
        return 0
    batch = batch.append_column("_ord", pa.array(range(batch.num_rows), type=pa.int64()))
    view = f"_batch_{spec.table}"
    con.register(view, batch)
    try:
        distinct = _distinct_keys(con, spec, view, batch)
        # The window that keeps the last of repeated keys costs a quarter of the statement:
        # only a batch that repeats a key pays for it.
        dedupe = f" QUALIFY row_number() OVER (PARTITION BY {', '.join(spec.keys)} ORDER BY _ord DESC) = 1" \
            if distinct < batch.num_rows else ""
        same_key = " AND ".join(f"stored.{k} = batch.{k}" for k in spec.keys)
        cols = ", ".join(spec.columns)
        with contextlib.nullcontext() if held else Transaction(con):
            replaced = con.execute(f"DELETE FROM {spec.table} AS stored USING {view} AS batch WHERE {same_key}").fetchall()[0][0]
            con.execute(f"INSERT INTO {spec.table} ({cols}) SELECT {cols} FROM {view}{dedupe}").fetchall()
    except BaseException:
        # In an aborted transaction the unregister fails too: the statement's own error is the one to raise.
        with contextlib.suppress(duckdb.Error):
            con.unregister(view)
        raise
    con.unregister(view)
    return int(distinct - replaced) if count_new else 0


# Below this many rows a Python set of the keys is cheaper than asking DuckDB (0.06 ms against
# 2 ms for five rows); above it DuckDB is (4 ms against 6 ms for 5,000 rows).
_KEYS_IN_PYTHON = 1000


def _distinct_keys(con: duckdb.DuckDBPyConnection, spec: TableSpec, view: str, batch: pa.Table) -> int:
    """How many distinct natural keys a batch holds. (Not Arrow's group-by: that starts a thread
    pool of its own in the collector.)"""
    if batch.num_rows <= _KEYS_IN_PYTHON:
        return len(set(zip(*(batch.column(k).to_pylist() for k in spec.keys))))
    return con.execute(f"SELECT count(DISTINCT ({', '.join(spec.keys)})) FROM {view}").fetchall()[0][0]


def load(con: duckdb.DuckDBPyConnection, records: Iterable, spec: TableSpec, count_new: bool = True,
         held: bool = False) -> int:
    records = list(records)
    if not records:
        return 0
    return upsert(con, spec, to_arrow(records, spec), count_new, held)


def delete(con: duckdb.DuckDBPyConnection, spec: TableSpec, where: dict[str, str]) -> None:
    """Delete the rows matching column = value for every item of ``where``."""
    delete_many(con, spec, list(where), [tuple(where.values())])


def delete_many(con: duckdb.DuckDBPyConnection, spec: TableSpec, columns: Sequence[str],
                values: Sequence[tuple]) -> None:
    """Delete the rows whose ``columns`` equal one of the tuples in ``values``, in one statement:
    a DELETE costs a scan of the table's key columns, so one per repository would cost a scan each."""
    unknown = set(columns) - set(spec.columns)
    if unknown:
        raise ValueError(f"{spec.table} has no column {sorted(unknown)}")
    if not values:
        return
    # Columns with one value for all (forge and host, as a batch has them) become equalities;
    # one other column a list to match (no view to register: that cost more than the DELETE).
    same = [i for i in range(len(columns)) if len({v[i] for v in values}) == 1]
    varying = [i for i in range(len(columns)) if i not in same]
    clauses = [f"{columns[i]} = ?" for i in same]
    params: list = [values[0][i] for i in same]
    if len(varying) == 1:
        clauses.append(f"list_contains(?, {columns[varying[0]]})")
        params.append(sorted({v[varying[0]] for v in values}))
    elif varying:
        # Several columns (a change request's reviews: repository and number): one joined key
        # each, matched by a semi-join; an OR of thousands of tuples took DuckDB half a minute.
        joined = " || chr(31) || ".join(f"CAST({columns[i]} AS VARCHAR)" for i in varying)
        clauses.append(f"({joined}) IN (SELECT unnest(CAST(? AS VARCHAR[])))")
        params.append(sorted({"\x1f".join(str(v[i]) for i in varying) for v in values}))
    con.execute(f"DELETE FROM {spec.table} WHERE {' AND '.join(clauses)}", params).fetchall()
