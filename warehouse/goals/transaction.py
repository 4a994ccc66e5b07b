"""The goals' writers' transaction: BEGIN/COMMIT unless the caller already holds one."""

from __future__ import annotations

import duckdb


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first


class _Tx:
    """BEGIN/COMMIT unless the caller already holds a transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.own = not _in_transaction(con)

    def __enter__(self):
        if self.own:
            self.con.execute("BEGIN")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        if self.own:
            self.con.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
