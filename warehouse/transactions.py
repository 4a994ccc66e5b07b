"""A writer's transaction: the caller's if one is open, else one of its own."""

from __future__ import annotations

import duckdb


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the caller holds an open transaction on this connection.

    DuckDB offers no flag for it, and a failed BEGIN would abort the caller's transaction; but
    inside one transaction the transaction id stays put, while two autocommit statements each
    get a new one.
    """
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first


class Transaction:
    """``with Transaction(con):`` BEGIN and COMMIT (ROLLBACK on an error) unless the caller holds one."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.own = not in_transaction(con)

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        if self.own:
            self.con.execute("BEGIN")
        return self.con

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.own:
            self.con.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
