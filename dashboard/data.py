"""Cached access to the published warehouse for the Streamlit pages.

Pages call these helpers and never touch SQL or connections. Every cache key includes the snapshot
key of the file, so a snapshot published by the collector is picked up on the next rerun without
a restart, and results of an old snapshot are never served for a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from dashboard.config import db_path
from warehouse import reader
from warehouse.pages import run_log

QUERY_TTL_SECONDS = 60

T = TypeVar("T")


class Snapshot(NamedTuple):
    path: str
    key: tuple[int, int, int]


def current_snapshot() -> Snapshot:
    """The snapshot published now; raises ``reader.DatabaseMissing`` when there is none."""
    path = db_path()
    return Snapshot(str(path), reader.snapshot_key(path))


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


# Two entries: the current snapshot, and the previous one for sessions still finishing a run
# on it. Older connections are closed, which releases the replaced file.
@st.cache_resource(max_entries=2, on_release=_close, show_spinner=False)
def _connection(path: str, key: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    # ``key`` is unused in the body on purpose: it makes a new snapshot a new cache entry.
    return reader.open_readonly(path)


def _run(snap: Snapshot, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # One cursor per query: a DuckDB connection is not safe to share between the threads that
    # serve concurrent sessions, its cursors are.
    cur = reader.cursor(_connection(snap.path, snap.key))
    try:
        return query(cur, *args, **kwargs)
    finally:
        cur.close()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _has_data(path: str, key: tuple[int, int, int]) -> bool:
    return _run(Snapshot(path, key), run_log.has_data)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _freshness(path: str, key: tuple[int, int, int]) -> pd.DataFrame:
    return _run(Snapshot(path, key), run_log.data_freshness)


def has_data(snap: Snapshot) -> bool:
    return _has_data(snap.path, snap.key)


def freshness(snap: Snapshot) -> pd.DataFrame:
    return _freshness(snap.path, snap.key)


# --------------------------------------------------------------------------- any query function


def _qualified(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _query(path: str, key: tuple[int, int, int], name: str, _fn: Callable[..., T], args: tuple, kwargs: tuple) -> T:
    # ``_fn`` is not hashed (leading underscore): ``name`` stands for it in the cache key.
    return _run(Snapshot(path, key), _fn, *args, **dict(kwargs))


def query(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(cursor, *args, **kwargs)`` on the current snapshot, cached per snapshot and arguments.

    ``fn`` is a warehouse query function (``warehouse.metrics.health_score``, ...): pages pass
    the function and its parameters and never see a connection. Arguments must be hashable
    values (strings, numbers, tuples, dates).
    """
    snap = current_snapshot()
    return _query(snap.path, snap.key, _qualified(fn), fn, args, tuple(sorted(kwargs.items())))
