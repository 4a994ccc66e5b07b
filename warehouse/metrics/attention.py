"""The attention list: what maintainers should look at, one row per finding (lifecycle, a single
maintainer, unanswered issues and change requests, maintenance contracts)."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.metrics.frames import arrow_types, frame
from warehouse.metrics.repo_hygiene import hygiene
from warehouse.metrics.repo_lifecycle import lifecycle
from warehouse.metrics.results import read_results, resolve
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import (
    CONTRACT_EXPIRING_DAYS,
    NO_RESPONSE_DAYS,
    WINDOW_DAYS,
    LifecycleThresholds,
)
from warehouse.metrics.sustainability import absence_factor

ATTENTION_REASONS = (
    "abandoned", "inactive", "declining", "single_maintainer",
    "unanswered_change_request", "unanswered_issue", "contract_expired", "contract_expiring",
)


def attention_list(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    no_response_days: float = NO_RESPONSE_DAYS,
    days: float = WINDOW_DAYS,
    expiring_days: int = CONTRACT_EXPIRING_DAYS,
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """What maintainers should look at, one row per finding; archived repositories left out.

    Reasons: abandoned, inactive, declining (lifecycle); single_maintainer (absence factor 1 over
    ``days``); unanswered_change_request / unanswered_issue (open at ``now``, opened by a person
    at least ``no_response_days`` ago, no response by ``now``); contract_expired /
    contract_expiring (publiccode.yml maintenance contract). ``thresholds``: default the
    registry's (:func:`stored_thresholds`).

    Columns: entity_id, forge, host, path, html_url, reason, detail, item_kind, item_number,
    item_url, since (when the condition started: last human activity, item creation, contract
    end), days (since then; negative for a contract still running).
    """
    end, t, results = resolve(con, now, thresholds)
    if (results is not None and results.hold(end, t, days)
            and float(no_response_days) == NO_RESPONSE_DAYS and int(expiring_days) == CONTRACT_EXPIRING_DAYS):
        df = read_results(con, "attention_findings", ATTENTION_COLUMNS, scope, "m.position")
        return _attention_types(df)
    return live_attention(con, no_response_days=no_response_days, days=days, expiring_days=expiring_days,
                      thresholds=t, now=end, scope=scope)


ATTENTION_COLUMNS = ("entity_id", "forge", "host", "path", "html_url", "reason", "detail", "item_kind",
                     "item_number", "item_url", "since", "days")


_ATTENTION_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ATTENTION_COLUMNS[:8]]
    + [("item_number", pa.int32()), ("item_url", pa.string()), ("since", pa.timestamp("us", tz="UTC")),
       ("days", pa.float64())]
)


def _attention_types(df: pd.DataFrame) -> pd.DataFrame:
    """One set of column types, whichever findings there are and however they came."""
    df["item_number"] = df["item_number"].astype("Int64")
    df["days"] = df["days"].astype("float64")
    return df


def live_attention(
    con: duckdb.DuckDBPyConnection,
    *,
    no_response_days: float,
    days: float,
    expiring_days: int,
    thresholds: LifecycleThresholds,
    now: datetime,
    scope: Scope,
    stages: pd.DataFrame | None = None,
    hyg: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """attention_list computed live; ``stages`` and ``hyg``: lifecycle and hygiene already at hand."""
    end = now
    columns = list(ATTENTION_COLUMNS)
    frames: list[pd.DataFrame] = []

    def days_since(since: pd.Series) -> pd.Series:
        return (pd.Timestamp(end) - since).dt.total_seconds() / 86400.0

    if stages is None:
        # Stored at the collection's moment whatever the window: read, not computed, when they hold.
        stages = lifecycle(con, scope, thresholds=thresholds, now=end)
    st = stages[stages["stage"].isin(["abandoned", "inactive", "declining"])].copy()
    if len(st):
        idle = "no activity by people for " + st["idle_days"].fillna(0).astype("int64").astype(str) + " days"
        st["detail"] = np.where(
            st["stage"] == "declining",
            st["recent_events"].astype(str) + f" events in the last {thresholds.recent_days} days, "
            + st["baseline_events"].astype(str) + f" in the {thresholds.baseline_days} days before",
            np.where(st["stage"] == "abandoned",
                     idle + ", " + st["unanswered_open_items"].astype(str)
                     + " open issues or change requests never answered",
                     idle))
        st["reason"] = st["stage"]
        st["since"] = st["last_human_activity_at"]
        st["days"] = days_since(st["since"])
        frames.append(st)
    archived = stages.loc[stages["archived"], ["forge", "host", "path"]]

    af = absence_factor(con, scope.at("repo"), days=days, now=end)
    af = af[af["absence_factor"].eq(1).fillna(False).astype(bool)]
    af = af.merge(archived, on=["forge", "host", "path"], how="left", indicator=True)
    af = af[af["_merge"] == "left_only"].copy()
    if len(af):
        af["reason"] = "single_maintainer"
        af["detail"] = ("one person made all or most of " + af["commits"].astype(str)
                        + f" commits in the last {int(days)} days (" + (af["top_share"] * 100).round().astype("int64").astype(str)
                        + "%, " + af["contributors"].astype(str) + " contributors)")
        frames.append(af)

    sc = scoped(con, scope.at("repo"))
    sql = f"""
        WITH {sc.ctes()}
        SELECT g.entity_id, g.forge, g.host, g.path, g.html_url,
               'unanswered_' || i.kind AS reason,
               CASE i.kind WHEN 'change_request' THEN 'change request' ELSE 'issue' END
                   || ' #' || i.number || ' by ' || coalesce(i.author_login, 'unknown')
                   || ' has had no response' AS detail,
               i.kind AS item_kind, i.number AS item_number,
               CASE WHEN g.html_url IS NULL THEN NULL
                    WHEN g.forge = 'github'
                    THEN rtrim(g.html_url, '/')
                         || CASE i.kind WHEN 'change_request' THEN '/pull/' ELSE '/issues/' END || i.number
                    ELSE rtrim(g.html_url, '/')
                         || CASE i.kind WHEN 'change_request' THEN '/-/merge_requests/' ELSE '/-/issues/' END
                         || i.number END AS item_url,
               i.created_at AS since,
               seconds_between(i.created_at, $now::TIMESTAMPTZ) / 86400.0 AS days
        FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
        JOIN groups AS g ON g.forge = s.s_forge AND g.host = s.s_host AND g.path = s.s_path
        WHERE NOT s.s_archived AND NOT i.author_is_bot
          AND i.created_at <= $due_before
          AND (i.state = 'open' OR i.resolved_at > $now)
          AND (i.first_response_at IS NULL OR i.first_response_at > $now)
    """
    frames.append(frame(con, sql, {**sc.params, "now": end, "due_before": end - timedelta(days=no_response_days)}))

    if hyg is None:
        hyg = hygiene(con, scope, expiring_days=expiring_days, now=end)
    hyg = hyg[hyg["contract_status"].isin(["expired", "expiring"])]
    hyg = hyg.merge(archived, on=["forge", "host", "path"], how="left", indicator=True)
    hyg = hyg[hyg["_merge"] == "left_only"].copy()
    if len(hyg):
        until = pd.to_datetime(hyg["maintenance_until"].astype(str)).dt.tz_localize("UTC")
        hyg["reason"] = "contract_" + hyg["contract_status"]
        hyg["detail"] = ("publiccode.yml maintenance contract "
                         + np.where(hyg["contract_status"] == "expired", "ended", "ends") + " on "
                         + until.dt.strftime("%Y-%m-%d"))
        hyg["since"] = until
        hyg["days"] = days_since(until)
        frames.append(hyg)

    frames = [f.reindex(columns=columns) for f in frames if len(f)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    df["item_number"] = df["item_number"].astype("Int64")
    df["days"] = df["days"].astype("float64")
    df["since"] = pd.to_datetime(df["since"], utc=True)
    df["_order"] = df["reason"].map({r: i for i, r in enumerate(ATTENTION_REASONS)})
    df = df.sort_values(["_order", "days", "forge", "host", "path", "item_number"],
                        ascending=[True, False, True, True, True, True], na_position="last")
    return _attention_types(arrow_types(df.drop(columns="_order"), _ATTENTION_SCHEMA))
