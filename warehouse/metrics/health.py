"""Health score 0-100: each part scored from its inputs (:mod:`warehouse.metrics.repo_health`),
the parts shown with their inputs, and the weighted mean of the parts available per group.

A missing part is left out and flagged, never scored as zero.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.metrics.frames import arrow_types
from warehouse.metrics.repo_health import health_inputs
from warehouse.metrics.results import read_results, resolve
from warehouse.metrics.scope import Scope, groups_with_repos, scoped
from warehouse.metrics.settings import (
    DEFAULT_WEIGHTS,
    HEALTH_PARTS,
    WINDOW_DAYS,
    HealthTargets,
    LifecycleThresholds,
    stored_weights,
)

# Why a part is missing, by part.
MISSING_REASONS = {
    "activity": "no data",
    "responsiveness": "no issues or change requests due in the window",
    "sustainability": "no commits by people in the window",
    "community": "no data",
    "hygiene": "root files not collected",
    "release_cadence": "no releases published",
}


def part_scores(inputs: pd.DataFrame, targets: HealthTargets, days: float) -> pd.DataFrame:
    """Each part's score (0-100, NaN when missing) per repository, from :func:`health_inputs`."""
    no_data = (inputs["stage"] == "no_data").to_numpy()
    nan = np.nan
    af = inputs["absence_factor"].astype("float64").to_numpy()
    checks = inputs["checks"].astype("float64").to_numpy()
    passed = inputs["checks_passed"].astype("float64").to_numpy()
    due = inputs["items_due"].to_numpy(dtype="float64")
    release_target = targets.releases_per_year * days / 365.0
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = {
            "activity": np.where(no_data, nan, 100.0 * np.minimum(
                1.0, inputs["active_periods"].to_numpy(dtype="float64")
                / inputs["periods_considered"].to_numpy(dtype="float64"))),
            "responsiveness": np.where(due == 0, nan, 100.0 * inputs["items_handled"].to_numpy(dtype="float64") / due),
            "sustainability": np.where(np.isnan(af), nan,
                                       100.0 * np.minimum(af, targets.absence_factor) / targets.absence_factor),
            "community": np.where(no_data, nan, 100.0 * np.minimum(
                inputs["participants"].to_numpy(dtype="float64"), targets.participants) / targets.participants),
            "hygiene": np.where(np.isnan(checks), nan, 100.0 * passed / checks),
            "release_cadence": np.where(inputs["releases_ever"].to_numpy() == 0, nan, 100.0 * np.minimum(
                1.0, inputs["releases_in_window"].to_numpy(dtype="float64") / release_target)),
        }
    return pd.DataFrame(scores, index=inputs.index)


class _Col(str):
    """A health input column's name, in :func:`_part_spec`."""


def _part_spec(part: str, targets: HealthTargets, days: float) -> dict[str, Any]:
    """The inputs shown with a part (its JSON ``inputs``): name -> an input column, or a target."""
    if part == "activity":
        return {"active_periods": _Col("active_periods"), "periods_considered": _Col("periods_considered"),
                "period_days": targets.period_days}
    if part == "responsiveness":
        return {"items_due": _Col("items_due"), "items_handled": _Col("items_handled"),
                "response_days": targets.response_days, "median_response_hours": _Col("median_response_hours")}
    if part == "sustainability":
        return {"absence_factor": _Col("absence_factor"), "target": targets.absence_factor}
    if part == "community":
        return {"participants": _Col("participants"), "target": targets.participants}
    if part == "hygiene":
        return {"checks_passed": _Col("checks_passed"), "checks": _Col("checks")}
    return {"releases_in_window": _Col("releases_in_window"), "releases_ever": _Col("releases_ever"),
            "target": targets.releases_per_year * days / 365.0}


def health_parts(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    weights: Mapping[str, float] | None = None,
    targets: HealthTargets = HealthTargets(),
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The health score's breakdown: one row per repository and part.

    Columns: forge, host, path, entity_id, html_url, stage, part, score (0-100, NULL when
    missing), weight, missing (bool), missing_reason, inputs (JSON object of the part's inputs).
    """
    w = _weights(weights, con)
    end, t, results = resolve(con, now, thresholds)
    if results is not None and results.hold(end, t, days, targets):
        # Read through Arrow, the rows have the types _parts_types gives the live ones.
        df = read_results(con, "repo_health_parts", PART_COLUMNS, scope, "m.forge, m.host, m.path, m.part_no")
        df.insert(PART_COLUMNS.index("score") + 1, "weight", df["part"].map(w).astype("float64"))
        return df
    inputs = health_inputs(con, scope, days=days, targets=targets, thresholds=t, now=end)
    df = parts_rows(inputs, targets, days)
    df.insert(PART_COLUMNS.index("score") + 1, "weight", df["part"].map(w).astype("float64"))
    return _parts_types(df)


PART_COLUMNS = ("forge", "host", "path", "entity_id", "html_url", "stage", "part", "score", "missing",
                "missing_reason", "inputs")


_PARTS_SCHEMA = pa.schema([
    ("forge", pa.string()), ("host", pa.string()), ("path", pa.string()), ("entity_id", pa.string()),
    ("html_url", pa.string()), ("stage", pa.string()), ("part", pa.string()), ("score", pa.float64()),
    ("weight", pa.float64()), ("missing", pa.bool_()), ("missing_reason", pa.string()), ("inputs", pa.string()),
])


def _parts_types(df: pd.DataFrame) -> pd.DataFrame:
    """The column types of :func:`health_parts`, whichever way the rows came."""
    return arrow_types(df, _PARTS_SCHEMA)


def parts_rows(inputs: pd.DataFrame, targets: HealthTargets, days: float) -> pd.DataFrame:
    """health_parts' rows (without the weights) from :func:`health_inputs`: each repository's six
    parts in HEALTH_PARTS order. Built column by column (every repository at once after a
    collection)."""
    n, k = len(inputs), len(HEALTH_PARTS)
    scores = part_scores(inputs, targets, days)[list(HEALTH_PARTS)].to_numpy(dtype="float64").ravel()
    missing = np.isnan(scores)
    texts = np.empty((n, k), dtype=object)
    for j, part in enumerate(HEALTH_PARTS):
        texts[:, j] = _part_json(inputs, part, targets, days)
    df = pd.DataFrame({
        **{c: np.repeat(inputs[c].to_numpy(dtype=object), k) for c in ("forge", "host", "path", "entity_id",
                                                                     "html_url", "stage")},
        "part": np.tile(np.array(HEALTH_PARTS, dtype=object), n),
        "score": scores,
        "missing": missing,
        "missing_reason": np.where(missing, np.tile(np.array([MISSING_REASONS[p] for p in HEALTH_PARTS], dtype=object), n),
                                   None),
        "inputs": texts.ravel(),
    }, columns=list(PART_COLUMNS))
    return df


def _part_json(inputs: pd.DataFrame, part: str, targets: HealthTargets, days: float) -> list[str]:
    """Each row's part inputs as a JSON object, keys sorted: a column's value as a whole number
    when it is one (null when missing), a target as it is."""
    fields = []
    for key, source in sorted(_part_spec(part, targets, days).items()):
        if isinstance(source, _Col):
            values = inputs[str(source)].astype("float64").to_numpy().tolist()
            fields.append([f'"{key}": ' + ("null" if math.isnan(v) else str(int(v)) if v.is_integer() else repr(v))
                           for v in values])
        else:
            fields.append([f'"{key}": {json.dumps(source)}'] * len(inputs))
    return ["{" + ", ".join(row) + "}" for row in zip(*fields)]


def _weights(weights: Mapping[str, float] | None, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, float]:
    """The registry's weights (stored settings, else DEFAULT_WEIGHTS), with ``weights`` over them."""
    w = stored_weights(con) if con is not None else dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown health parts {sorted(unknown)}: expected {', '.join(HEALTH_PARTS)}")
        w.update({k: float(v) for k, v in weights.items()})
    if any(v < 0 or not math.isfinite(v) for v in w.values()):
        raise ValueError("health weights must be finite and not negative")
    return w


def _combine(scores: pd.DataFrame, w: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Weighted mean of the available parts per row: (score, parts used, parts missing)."""
    values = scores[list(HEALTH_PARTS)].to_numpy(dtype="float64")
    weight = np.array([w[p] for p in HEALTH_PARTS])
    present = ~np.isnan(values)
    used = present & (weight > 0)
    total = (used * weight).sum(axis=1)
    weighted = np.where(used, values * weight, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(total > 0, weighted / total, np.nan)
    missing = [",".join(p for p, ok in zip(HEALTH_PARTS, row) if not ok) for row in present]
    return score, used.sum(axis=1), missing


def health_score(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    weights: Mapping[str, float] | None = None,
    targets: HealthTargets = HealthTargets(),
    thresholds: LifecycleThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Health score 0-100 per group: the weighted mean of the parts available.

    At the repository level the parts are the repository's (see :func:`health_parts`). Above it,
    each part is the mean of that part over the group's repositories that have it, archived
    repositories and those without data left out. A missing part is left out and its weight
    shared among the others; with no part at all the score is NULL.

    Columns: the level's columns, score, one column per part (activity, responsiveness,
    sustainability, community, hygiene, release_cadence), parts_used, parts_missing
    (comma-separated part names), repos_scored.
    """
    w = _weights(weights, con)
    sc = scoped(con, scope)
    end, t, results = resolve(con, now, thresholds)
    if results is not None and results.hold(end, t, days, targets):
        # The stored part scores, joined in SQL: the same rows in the same order as the merge below.
        data = groups_with_repos(con, sc, "repo_health_inputs", ("stage",) + HEALTH_PARTS)
        groups = data
    else:
        inputs = health_inputs(con, scope, days=days, targets=targets, thresholds=t, now=end)
        per_repo = pd.concat([inputs[["forge", "host", "path", "stage"]], part_scores(inputs, targets, days)], axis=1)
        groups = groups_with_repos(con, sc)
        data = groups.merge(per_repo.rename(columns={"forge": "_forge", "host": "_host", "path": "_path"}),
                            on=["_forge", "_host", "_path"], how="inner")
    base = groups[sc.columns].drop_duplicates()
    if scope.level == "repo" and len(data) == len(base):
        # Each repository is its own group, in the same order: its parts are the group's (a mean
        # of one value is that value), without grouping and joining on three text columns.
        out = base.reset_index(drop=True)
        for part in HEALTH_PARTS:
            out[part] = data[part].to_numpy(dtype="float64")
        out["repos_scored"] = 1
    else:
        if scope.level != "repo":
            data = data[~data["stage"].isin(["archived", "no_data"])]
        parts = data.groupby(sc.keys, dropna=False)[list(HEALTH_PARTS)].mean()
        parts["repos_scored"] = data.groupby(sc.keys, dropna=False).size()
        out = base.merge(parts.reset_index(), on=sc.keys, how="left")
    out["repos_scored"] = out["repos_scored"].fillna(0).astype("int64")
    score, used, missing = _combine(out, w)
    out.insert(len(sc.columns), "score", score)
    out["parts_used"] = used.astype("int64")
    out["parts_missing"] = missing
    columns = sc.columns + ["score", *HEALTH_PARTS, "parts_used", "parts_missing", "repos_scored"]
    return out[columns].sort_values(sc.keys).reset_index(drop=True)
