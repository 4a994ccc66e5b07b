"""The health score for the council report: the entity's score over time (:func:`health_history`)
and its standing among its peers (:func:`peer_standing`)."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from warehouse import metrics as health
from warehouse.goals.days import _day_end, _moment, _month_ends, _today
from warehouse.sql_frames import read_frame


def health_history(
    con: duckdb.DuckDBPyConnection, entity_id: str, months: int = 12, today: date | datetime | None = None,
    every: int = 3,
) -> pd.DataFrame:
    """The entity's health score over time: columns day, score, source.

    One row at the end of every ``every``-th month of the ``months`` months before ``today``'s
    month, counted back from the last (source "reconstructed": the score taken at that moment
    from the collected history; its hygiene part reads today's files, which say nothing of the
    past), then today's score (source "now"). Each past score is computed live, hence a point a
    quarter rather than a month. A stored observed snapshot of the health score (kept when a
    goal names it) replaces the reconstructed value of its day, and older ones come first.
    Moments without a score give no row.
    """
    day = _today(today, con)
    ends = _month_ends(day, months)[::-1][::max(1, every)][::-1]
    stored = {d: float(v) for d, v in con.execute(
        "SELECT snapshot_date, value FROM goal_snapshots WHERE entity_id = ? AND metric = 'health_score'"
        " AND source = 'observed' AND value IS NOT NULL AND snapshot_date < ?", [entity_id, day]).fetchall()}
    rows = [(d, v, "observed") for d, v in stored.items() if d < (ends or [day])[0]]
    for d in ends:
        if d in stored:
            rows.append((d, stored[d], "observed"))
            continue
        df = health.health_score(con, health.Scope("entity", entity_id=entity_id), now=_day_end(d))
        if not df.empty and not pd.isna(df["score"].iloc[0]):
            rows.append((d, float(df["score"].iloc[0]), "reconstructed"))
    df = health.health_score(con, health.Scope("entity", entity_id=entity_id), now=_moment(con, day))
    if not df.empty and not pd.isna(df["score"].iloc[0]):
        rows.append((day, float(df["score"].iloc[0]), "now"))
    out = pd.DataFrame(rows, columns=["day", "score", "source"])
    return out.sort_values("day").reset_index(drop=True)


def peer_standing(
    con: duckdb.DuckDBPyConnection, entity_id: str, today: date | datetime | None = None,
) -> pd.DataFrame:
    """The health scores of the entity and its peers (the entities of its archetype), best first.

    Columns: entity_id, name, score (NaN: no score), rank (1 = best among those with a score;
    NaN without one), is_entity. Empty for an unknown entity.
    """
    columns = ["entity_id", "name", "score", "rank", "is_entity"]
    row = con.execute("SELECT archetype FROM entities WHERE entity_id = ?", [entity_id]).fetchall()
    if not row:
        return pd.DataFrame(columns=columns)
    archetype = row[0][0]
    peers = read_frame(con, "SELECT entity_id, name FROM entities WHERE archetype = $a ORDER BY name",
                       {"a": archetype})
    day = _today(today, con)
    scores = health.health_score(con, health.Scope("entity", archetype=archetype), now=_moment(con, day))
    by_id = {e: (None if pd.isna(v) else float(v)) for e, v in zip(scores["entity_id"], scores["score"])}
    peers["score"] = pd.to_numeric(peers["entity_id"].map(by_id), errors="coerce").astype("float64")
    peers["rank"] = peers["score"].rank(ascending=False, method="min")
    peers["is_entity"] = peers["entity_id"] == entity_id
    peers = peers.sort_values(["score", "name"], ascending=[False, True], na_position="last")
    return peers[columns].reset_index(drop=True)
