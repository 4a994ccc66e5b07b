"""Where the dashboard finds the warehouse (no Streamlit import here, so the CLI stays quick)."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "OSSDASH_DB"
DEFAULT_DB = "ossdash.duckdb"


def db_path() -> Path:
    """The published warehouse: ``$OSSDASH_DB``, else ``ossdash.duckdb`` in the cwd."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB).expanduser().resolve()
