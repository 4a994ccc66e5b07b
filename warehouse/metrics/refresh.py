"""After a collection: compute the per-repository results and store them.

See :mod:`warehouse.metrics.results` for what is stored and when it is read back.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from warehouse.metrics.attention import live_attention
from warehouse.metrics.frames import counts, in_transaction
from warehouse.metrics.health import part_scores, parts_rows
from warehouse.metrics.moments import as_utc
from warehouse.metrics.repo_health import live_health_inputs
from warehouse.metrics.repo_hygiene import hygiene
from warehouse.metrics.repo_lifecycle import lifecycle
from warehouse.metrics.results import RESULT_COUNTED, RESULT_COUNTS_SQL
from warehouse.metrics.scope import Scope
from warehouse.metrics.settings import (
    CONTRACT_EXPIRING_DAYS,
    HEALTH_PARTS,
    NO_RESPONSE_DAYS,
    THRESHOLD_FIELDS,
    WINDOW_DAYS,
    HealthTargets,
    stored_thresholds,
)


def _write_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> int:
    name = f"_metric_rows_{table}"
    con.register(name, df)
    try:
        cols = ", ".join(df.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)
    return len(df)


def refresh_metric_results(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> dict[str, int]:
    """Compute the per-repository results at ``now`` (default: the current time) and store them.

    Lifecycle (``repo_lifecycle``), health score inputs and part scores (``repo_health_inputs``,
    ``repo_health_parts``) and the attention list (``attention_findings``) of every repository,
    with the default window and targets and the stored settings (``stored_thresholds``). Call after every collection, once
    ``refresh_metric_facts`` has run, in the writer's connection (the caller's transaction if one
    is open, else one of its own). Until the source tables change, the query functions asked for
    these parameters read the tables, and ``now=None`` means this ``now`` (``as_of``). Returns
    the row counts.
    """
    end = as_utc(now)
    own = not in_transaction(con)
    if own:
        con.execute("BEGIN")
    try:
        # Without a state row every function below computes live.
        con.execute("DELETE FROM metric_results_state")
        for table in ("repo_lifecycle", "repo_health_inputs", "repo_health_parts", "attention_findings"):
            con.execute(f"DELETE FROM {table}")
        t = stored_thresholds(con)
        everything = Scope()
        stages = lifecycle(con, everything, thresholds=t, now=end)
        hyg = hygiene(con, everything, now=end)
        targets = HealthTargets()
        inputs = live_health_inputs(con, days=WINDOW_DAYS, targets=targets, thresholds=t, now=end,
                                    scope=everything, stages=stages, hyg=hyg)
        attention = live_attention(con, no_response_days=NO_RESPONSE_DAYS, days=WINDOW_DAYS,
                                   expiring_days=CONTRACT_EXPIRING_DAYS, thresholds=t, now=end,
                                   scope=everything, stages=stages, hyg=hyg)
        rows = {
            "repo_lifecycle": _write_frame(con, "repo_lifecycle", stages),
            "repo_health_inputs": _write_frame(
                con, "repo_health_inputs", pd.concat([inputs, part_scores(inputs, targets, WINDOW_DAYS)], axis=1)),
            "repo_health_parts": _write_frame(
                con, "repo_health_parts", parts_rows(inputs, targets, WINDOW_DAYS).assign(
                    part_no=lambda d: d["part"].map({p: i for i, p in enumerate(HEALTH_PARTS)}).astype("int32"))),
            "attention_findings": _write_frame(
                con, "attention_findings", attention.assign(position=np.arange(len(attention), dtype="int32"))),
        }
        now_counts = counts(con, RESULT_COUNTS_SQL)
        columns = ("computed_at", "window_days") + THRESHOLD_FIELDS + RESULT_COUNTED
        values = [end, float(WINDOW_DAYS)] + [float(getattr(t, f)) for f in THRESHOLD_FIELDS] + list(now_counts)
        con.execute(
            f"INSERT INTO metric_results_state ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            values,
        )
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    return rows
