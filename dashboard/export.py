"""CSV downloads of the dashboard's tables."""

from __future__ import annotations

import pandas as pd

# Spreadsheet programs run a cell starting with one of these as a formula (CSV injection);
# a leading apostrophe makes them show it as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as UTF-8 CSV, with forge text that looks like a formula kept as text."""
    safe = df.copy()
    for col in safe.columns:
        if pd.api.types.is_string_dtype(safe[col]) or safe[col].dtype == object:
            safe[col] = safe[col].map(_defuse)
    return safe.to_csv(index=False).encode("utf-8")
