"""Batched upserts of collector records into DuckDB.

Records become one Arrow table per batch, inserted with ``INSERT ... SELECT``
and ``ON CONFLICT DO UPDATE``. A batch is deduplicated on its natural key first,
keeping the last record seen: DuckDB refuses to update one row twice in one
statement, and a forge may repeat an item across pages when data moves while
we page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import duckdb
import pyarrow as pa

from collectors.records import CommitRecord, RepoRecord

_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    table: str
    keys: tuple[str, ...]
    schema: pa.Schema

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.schema]


REPOS = TableSpec(
    "repos",
    ("forge", "host", "path"),
    pa.schema(
        [
            ("forge", pa.string()), ("host", pa.string()), ("path", pa.string()), ("entity_id", pa.string()),
            ("account_owner", pa.string()), ("name", pa.string()), ("description", pa.string()),
            ("html_url", pa.string()), ("default_branch", pa.string()), ("license_spdx", pa.string()),
            ("topics", pa.list_(pa.string())), ("language", pa.string()), ("archived", pa.bool_()),
            ("is_fork", pa.bool_()), ("fork_parent", pa.string()), ("stars", pa.int32()),
            ("forks_count", pa.int32()), ("open_issues", pa.int32()), ("created_at", _TS),
            ("pushed_at", _TS), ("updated_at", _TS),
        ]
    ),
)

COMMITS = TableSpec(
    "commits",
    ("forge", "host", "repo_path", "sha"),
    pa.schema(
        [
            ("forge", pa.string()), ("host", pa.string()), ("repo_path", pa.string()), ("sha", pa.string()),
            ("author_name", pa.string()), ("author_email", pa.string()), ("author_login", pa.string()),
            ("authored_at", _TS), ("committer_name", pa.string()), ("committer_email", pa.string()),
            ("committer_login", pa.string()), ("committed_at", _TS), ("message", pa.string()),
        ]
    ),
)

SPECS = {RepoRecord: REPOS, CommitRecord: COMMITS}


def to_arrow(records: Sequence, spec: TableSpec) -> pa.Table:
    """Column-wise conversion: one Python list per column, then one Arrow array each."""
    names = spec.columns
    columns: dict[str, list] = {n: [] for n in names}
    for record in records:
        for name in names:
            value = getattr(record, name)
            columns[name].append(list(value) if isinstance(value, tuple) else value)
    arrays = [pa.array(columns[f.name], type=f.type) for f in spec.schema]
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def upsert(con: duckdb.DuckDBPyConnection, spec: TableSpec, batch: pa.Table) -> int:
    """Insert or update a batch; return how many natural keys were new to the table."""
    if batch.num_rows == 0:
        return 0
    batch = batch.append_column("_ord", pa.array(range(batch.num_rows), type=pa.int64()))
    view = f"_batch_{spec.table}"
    con.register(view, batch)
    try:
        keys = ", ".join(spec.keys)
        cols = ", ".join(spec.columns)
        join = " AND ".join(f"t.{k} = b.{k}" for k in spec.keys)
        new = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {view}) b "
            f"WHERE NOT EXISTS (SELECT 1 FROM {spec.table} t WHERE {join})"
        ).fetchone()[0]
        updates = ", ".join(f"{c} = excluded.{c}" for c in spec.columns if c not in spec.keys)
        con.execute(
            f"INSERT INTO {spec.table} ({cols}) "
            f"SELECT {cols} FROM {view} "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _ord DESC) = 1 "
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        )
    finally:
        con.unregister(view)
    return int(new)


def load(con: duckdb.DuckDBPyConnection, records: Iterable, spec: TableSpec) -> int:
    records = list(records)
    if not records:
        return 0
    return upsert(con, spec, to_arrow(records, spec))
