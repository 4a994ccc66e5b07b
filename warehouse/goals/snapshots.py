"""Dated snapshots of every entity's goal metrics: written after each collection, observed and
reconstructed (:func:`write_snapshots`), and read back (:func:`goal_history`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import pandas as pd
import pyarrow as pa

from collectors.registry import Registry
from warehouse import changes, reuse
from warehouse.goals.days import _today
from warehouse.goals.values import (
    CONTRIBUTIONS,
    _entity_ids,
    _history_metrics,
    goal_values,
    reconstruct_history,
)
from warehouse.sql_frames import read_frame
from warehouse.transactions import Transaction


def write_snapshots(
    con: duckdb.DuckDBPyConnection,
    registry: Registry,
    today: date | datetime | None = None,
    reconstruct: bool = True,
    months: int = 24,
    refresh: bool = True,
    only: Sequence[str] | None = None,
) -> int:
    """Store today's goal metrics of every entity; return the number of observed rows written.

    With ``refresh`` (the default), the derived reuse tables are rebuilt first
    (:func:`warehouse.reuse.refresh_reuse`), so the values reflect the data as collected; call it
    after identities have been rebuilt.

    One row per (day, entity, metric): run twice the same day, the later values replace the
    earlier ones, so the table holds one snapshot a day. With ``reconstruct``, the reconstructed
    history (:func:`reconstruct_history`) is refreshed too: its rows are replaced, and kept only
    for days before the entity's first observed snapshot of that metric. With ``only`` (entity
    ids: those whose own data changed since the last reconstruction this month), the
    reconstruction redoes their rows and every entity's contributions_to_others alone
    (:func:`reconstruct_history`); the other rows stay as they were.
    """
    day = _today(today, con)
    if refresh:
        reuse.refresh_reuse(con)
    values = goal_values(con, registry, day)
    values.insert(0, "snapshot_date", day)
    values["source"] = "observed"
    frames = [values]
    if reconstruct:
        frames.append(reconstruct_history(con, registry, months, day, only=only).assign(source="reconstructed"))
    table = pa.Table.from_pandas(
        pd.concat(frames, ignore_index=True)[["snapshot_date", "entity_id", "metric", "value", "source"]],
        schema=pa.schema([("snapshot_date", pa.date32()), ("entity_id", pa.string()), ("metric", pa.string()),
                          ("value", pa.float64()), ("source", pa.string())]),
        preserve_index=False,
    )
    with Transaction(con):
        if reconstruct:
            con.execute("DELETE FROM goal_history_state")
            con.execute("INSERT INTO goal_history_state (month, inputs) VALUES (?, ?)",
                        [day.replace(day=1), _history_inputs(con, registry, months)])
        con.register("_goal_rows", table)
        try:
            con.execute(
                "INSERT INTO goal_snapshots (snapshot_date, entity_id, metric, value, source)"
                " SELECT snapshot_date, entity_id, metric, value, source FROM _goal_rows WHERE source = 'observed'"
                " ON CONFLICT (snapshot_date, entity_id, metric)"
                " DO UPDATE SET value = excluded.value, source = excluded.source"
            )
            if reconstruct:
                con.execute("DELETE FROM goal_snapshots WHERE source = 'reconstructed' AND ($only IS NULL"
                            f" OR list_contains($only, entity_id) OR metric = '{CONTRIBUTIONS}')",
                            {"only": None if only is None else list(only)})
                con.execute(
                    """
                    INSERT INTO goal_snapshots (snapshot_date, entity_id, metric, value, source)
                    SELECT g.snapshot_date, g.entity_id, g.metric, g.value, g.source
                    FROM _goal_rows g
                    WHERE g.source = 'reconstructed'
                      AND g.snapshot_date < (SELECT min(s.snapshot_date) FROM goal_snapshots s
                                             WHERE s.entity_id = g.entity_id AND s.metric = g.metric
                                               AND s.source = 'observed')
                    """
                )
        finally:
            con.unregister("_goal_rows")
    return len(values)


# Past this share of the entities concerned, the history is reconstructed whole.
WHOLE_SHARE = 0.25

# The entities a noted repository concerns: its own, and those of every repository sharing a
# project with it (a mirror's commits are its project's).
_CONCERNED_SQL = """
SELECT r.entity_id FROM changed_repos c
JOIN repos r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
UNION
SELECT other.entity_id FROM changed_repos c
JOIN repo_project rp ON rp.forge = c.forge AND rp.host = c.host AND rp.path = c.repo_path
JOIN repo_project other ON other.project_id = rp.project_id
"""


def concerned_entities(con: duckdb.DuckDBPyConnection, registry: Registry | None) -> list[str] | None:
    """The entities whose reconstructed history the run's noted changes (warehouse.changes) can
    move, for ``write_snapshots(only=...)``; None when that is everything: ``everything`` was
    noted, or more than :data:`WHOLE_SHARE` of the entities are concerned (one pass over all of
    them is then cheaper than one per entity). Call after the reuse refresh, before the notes are
    emptied."""
    if changes.pending(con).everything:
        return None
    ids = _entity_ids(con, registry)
    concerned = {e for (e,) in con.execute(_CONCERNED_SQL).fetchall()}
    chosen = [e for e in ids if e in concerned]
    return None if len(chosen) > WHOLE_SHARE * len(ids) else chosen


def _history_inputs(con: duckdb.DuckDBPyConnection, registry: Registry | None, months: int) -> str:
    """A digest of what the reconstruction reads besides the collected data and the month."""
    inputs = {
        "entities": sorted(_entity_ids(con, registry)),
        "since": registry.since.isoformat() if registry is not None and registry.since else None,
        "metrics": sorted(_history_metrics(registry, None)),
        "months": months,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def history_fresh(con: duckdb.DuckDBPyConnection, registry: Registry | None,
                  today: date | datetime | None = None, months: int = 24) -> bool:
    """Whether the stored reconstruction was made this month from the same registry inputs.

    It says nothing of the collected data: a caller that knows the data unchanged since
    (:mod:`warehouse.changes`) may then skip the reconstruction (``write_snapshots(reconstruct=False)``).
    """
    day = _today(today, con)
    stored = con.execute("SELECT month, inputs FROM goal_history_state").fetchall()
    return stored == [(day.replace(day=1), _history_inputs(con, registry, months))]


def goal_history(
    con: duckdb.DuckDBPyConnection, entity_id: str | None = None, metric: str | None = None
) -> pd.DataFrame:
    """Stored snapshots (observed and reconstructed): snapshot_date, entity_id, metric, value, source."""
    return read_frame(
        con,
        "SELECT snapshot_date, entity_id, metric, value, source FROM goal_snapshots"
        " WHERE ($entity IS NULL OR entity_id = $entity) AND ($metric IS NULL OR metric = $metric)"
        " ORDER BY entity_id, metric, snapshot_date",
        {"entity": entity_id, "metric": metric},
    )
