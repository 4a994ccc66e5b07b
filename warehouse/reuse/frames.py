"""The reuse queries' one way to read a DataFrame from DuckDB (also used by warehouse.goals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
    # Through Arrow, as in warehouse.metrics.frames: DuckDB's .df() trips pandas 3 deprecations.
    df = con.sql(sql, params=params).to_arrow_table().to_pandas()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.tz_convert("UTC")
    return df
