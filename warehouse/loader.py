"""Batched upserts of collector records into DuckDB.

Records become one Arrow table per batch, inserted with ``INSERT ... SELECT``
and ``ON CONFLICT DO UPDATE``. A batch is deduplicated on its natural key first,
keeping the last record seen: DuckDB refuses to update one row twice in one
statement, and a forge may repeat an item across pages when data moves while
we page.
"""

from __future__ import annotations

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


def upsert(con: duckdb.DuckDBPyConnection, spec: TableSpec, batch: pa.Table, count_new: bool = True) -> int:
    """Insert or update a batch; return how many natural keys were new to the table (0 unless count_new)."""
    if batch.num_rows == 0:
        return 0
    batch = batch.append_column("_ord", pa.array(range(batch.num_rows), type=pa.int64()))
    view = f"_batch_{spec.table}"
    con.register(view, batch)
    try:
        keys = ", ".join(spec.keys)
        cols = ", ".join(spec.columns)
        # An upsert only adds or updates rows, so the growth of the table is the
        # number of new keys; a count(*) is cheap where an anti-join is not.
        before = con.execute(f"SELECT count(*) FROM {spec.table}").fetchall()[0][0] if count_new else 0
        updates = ", ".join(f"{c} = excluded.{c}" for c in spec.columns if c not in spec.keys)
        # The window that keeps the last of repeated keys costs a quarter of the statement:
        # only a batch that repeats a key pays for it.
        # (Asked of DuckDB: Arrow's group-by would start a thread pool of its own in the collector.)
        repeats = con.execute(f"SELECT count(*) > count(DISTINCT ({keys})) FROM {view}").fetchall()[0][0]
        dedupe = f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _ord DESC) = 1 " if repeats else ""
        con.execute(
            f"INSERT INTO {spec.table} ({cols}) "
            f"SELECT {cols} FROM {view} {dedupe}"
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        ).fetchall()  # DuckDB keeps an INSERT's result open until it is read
        new = con.execute(f"SELECT count(*) FROM {spec.table}").fetchall()[0][0] - before if count_new else 0
    finally:
        con.unregister(view)
    return int(new)


def load(con: duckdb.DuckDBPyConnection, records: Iterable, spec: TableSpec, count_new: bool = True) -> int:
    records = list(records)
    if not records:
        return 0
    return upsert(con, spec, to_arrow(records, spec), count_new)


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
