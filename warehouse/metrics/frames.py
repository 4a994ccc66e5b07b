"""Reading SQL answers into pandas frames with one set of column types, and counting rows.

Shared by every module of the package; nothing here knows a metric.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.sql_frames import arrow_frame, read_frame

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Run ``sql`` with the parameters it names (DuckDB refuses unused ones); UTC timestamps."""
    used = set(_PARAM_RE.findall(sql))
    return read_frame(con, sql, {k: v for k, v in params.items() if k in used})


def int_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for col in columns:
        if col in df.columns:
            df[col] = df[col].fillna(0).astype("int64")
    return df


def arrow_types(df: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """``df`` with the column types it has when read from DuckDB (:func:`frame`, through Arrow):
    a frame assembled in pandas and one read back from a stored table then look the same."""
    return arrow_frame(pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False))


def counts_sql(tables: Sequence[str]) -> str:
    # UNION ALL, not one SELECT of scalar subqueries: DuckDB plans those as a cross product,
    # which costs tens of milliseconds at a dozen tables; this costs one or two.
    return " UNION ALL ".join(f"SELECT {i} AS i, count(*) AS n FROM {t}" for i, t in enumerate(tables))


def counts(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    """Row counts of the tables of a :func:`counts_sql` query, in their order."""
    return tuple(n for _, n in sorted(con.execute(sql).fetchall()))


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    # Inside one transaction the transaction id stays put; two autocommit statements differ.
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first
