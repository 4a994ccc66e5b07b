"""The report's data: what it shows of one entity, and how that is read from the warehouse.

:func:`build_report` gets everything from the warehouse's query functions only:

- ``warehouse.pages.directory.entity`` (name, country, archetype) and ``warehouse.pages.run_log.data_freshness``
  (the last collection);
- ``warehouse.goals.goal_progress`` (one row per goal: value, trend, projection, status) and
  ``warehouse.goals.goal_history`` (the dated snapshots behind the chart);
- ``warehouse.metrics.lifecycle_summary`` and ``warehouse.reuse.entity_reuse_summary`` for a
  few headline figures;
- ``warehouse.metrics.badge_summary`` and ``warehouse.metrics.public_code_summary`` for the maturity
  section (openCoDE's badges, the Standard for Public Code's checked criteria).

:func:`goal_from_progress` reads one goal the way the goals page reads it too.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from dashboard.i18n import Translator
from warehouse import goals as goals_mod
from warehouse import metrics, reuse
from warehouse.metrics.badge_settings import BADGE_LEVELS
from warehouse.metrics.public_code_criteria import CHECKED_CRITERIA
from warehouse.pages import directory, run_log

# Statuses in the order a council reads them; a status the warehouse adds later comes after.
STATUS_ORDER = goals_mod.STATUSES


class ReportError(LookupError):
    """The report cannot be made (an entity the warehouse does not know)."""


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    source: str  # observed | reconstructed | now


@dataclass(frozen=True)
class Goal:
    number: int
    metric: str
    unit: str
    target: float
    deadline: date
    value: float | None
    trend_per_month: float | None
    projected: float | None
    status: str
    days_left: int
    reconstructed: bool
    lower_is_better: bool
    history: tuple[Point, ...]
    # What the status rests on: the trend's points (today's included) and the oldest of them;
    # past the deadline, the value at it, the day it is of and its source (observed |
    # reconstructed | now).
    trend_points: int = 0
    trend_from: date | None = None
    deadline_value: float | None = None
    deadline_value_date: date | None = None
    deadline_value_source: str | None = None


@dataclass(frozen=True)
class Peer:
    name: str
    score: float | None
    rank: int | None
    is_entity: bool


@dataclass(frozen=True)
class Headline:
    repos: int
    stages: dict[str, int]
    projects_reused: int | None = None
    reusing_entities: int | None = None
    contributions_to_others: int | None = None


@dataclass(frozen=True)
class Report:
    entity_id: str
    name: str
    country: str
    archetype: str
    lang: str
    as_of: date
    goals: tuple[Goal, ...]
    last_collection: datetime | None
    headline: Headline | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # The name the report is headed with (the registry's display_name, else name) and its logo.
    display_name: str | None = None
    logo_type: str | None = None
    logo: bytes | None = None
    # The health score over time (observed, reconstructed, now) and the archetype's peers.
    health: tuple[Point, ...] = ()
    peers: tuple[Peer, ...] = ()
    # openCoDE's badges of its repositories: (badge, level, repositories) and how many in all.
    maturity: tuple[tuple[str, str, int], ...] = ()
    maturity_repos: int = 0
    # The Standard for Public Code's checked criteria: (criterion, met, not met, unknown) repositories.
    public_code: tuple[tuple[str, int, int, int], ...] = ()
    public_code_repos: int = 0

    @property
    def heading_name(self) -> str:
        return self.display_name or self.name


def _none(value: Any) -> Any:
    """None for NaN, NaT, pandas NA; the value otherwise."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _day(today: date | datetime | None) -> date:
    if today is None:
        return datetime.now(UTC).date()
    if isinstance(today, datetime):
        return (today if today.tzinfo is None else today.astimezone(UTC)).date()
    return today


def _lower_is_better(row: dict[str, Any]) -> bool:
    """Whether less is better for this goal, as the warehouse says (older warehouses: never)."""
    for column in ("lower_is_better", "lower_better"):
        flag = _none(row.get(column))
        if flag is not None:
            return bool(flag)
    direction = _none(row.get("direction"))
    if isinstance(direction, str):
        return direction.strip().lower().startswith(("lower", "less", "down", "decreas", "min"))
    return False


def _by_metric(history: pd.DataFrame, as_of: date) -> dict[str, list[Point]]:
    """Stored history points before ``as_of`` per metric, oldest first (today's value is added
    live by the caller)."""
    out: dict[str, list[Point]] = {}
    if history.empty:
        return out
    columns = [history[c].tolist() for c in ("metric", "snapshot_date", "value", "source")]
    for metric, day, value, source in zip(*columns):
        v = _none(value)
        day = _as_date(day)
        if v is None or day >= as_of:
            continue
        out.setdefault(str(metric), []).append(Point(day, float(v), str(source)))
    for points in out.values():
        points.sort(key=lambda p: p.day)
    return out


def _points(stored: dict[str, list[Point]], metric: str, as_of: date, value: float | None) -> tuple[Point, ...]:
    points = list(stored.get(metric, ()))
    if value is not None:
        points.append(Point(as_of, float(value), "now"))
    return tuple(points)


def _headline(con, entity_id: str) -> Headline:
    lc = metrics.lifecycle_summary(con, metrics.Scope("entity", entity_id=entity_id))
    stages = {s: 0 for s in metrics.STAGES}
    repos = 0
    if not lc.empty:
        row = lc.iloc[0]
        repos = int(row["repos"])
        stages = {s: int(row[s]) for s in metrics.STAGES if s in lc.columns}
    ru = reuse.entity_reuse_summary(con, entity_id)
    if ru.empty:
        return Headline(repos, stages)
    r = ru.iloc[0]
    return Headline(repos, stages, int(r["projects_reused_by_others"]), int(r["reusing_entities"]),
                    int(r["contributions_to_others"]))


def _last_collection(con) -> datetime | None:
    runs = run_log.data_freshness(con)
    if runs.empty:
        return None
    last = _none(runs.iloc[0].get("finished_at")) or _none(runs.iloc[0].get("started_at"))
    if last is None:
        return None
    moment = pd.Timestamp(last)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return moment.to_pydatetime()


def build_report(con, entity_id: str, lang: str = "en", today: date | datetime | None = None) -> Report:
    """Everything the report shows, read from the warehouse. Raises :class:`ReportError` for an
    unknown entity and ``ValueError`` for an unsupported language."""
    Translator(lang)  # an unsupported language fails here, before any query
    info = directory.entity(con, entity_id)
    if info is None:
        raise ReportError(f"no entity with the id {entity_id!r} in the warehouse")
    # "Today" is the warehouse's to decide when not given (it may take the last collection's day).
    progress = goals_mod.goal_progress(con, entity_id=entity_id, today=today)
    last = _last_collection(con)
    if not progress.empty and "as_of" in progress.columns and _none(progress["as_of"].iloc[0]) is not None:
        as_of = _as_date(progress["as_of"].iloc[0])
    elif today is None and last is not None:
        as_of = last.date()
    else:
        as_of = _day(today)
    history = goals_mod.goal_history(con, entity_id) if not progress.empty else pd.DataFrame()
    # A metric with no stored snapshot at all (a warehouse before its first snapshot) had its
    # trend fitted on history reconstructed on the fly; the chart shows the same points.
    stored = set(history["metric"]) if not history.empty else set()
    rebuilt = {m for m, r in zip(progress.get("metric", []), progress.get("reconstructed", []))
               if m not in stored and bool(_none(r))}
    if rebuilt:
        months = max(1, math.ceil(goals_mod.TREND_DAYS / 30.44))
        # Newer warehouses reconstruct only the metrics asked for (health metrics among them).
        asks = "metrics" in inspect.signature(goals_mod.reconstruct_history).parameters
        extra = goals_mod.reconstruct_history(con, None, months, as_of, **({"metrics": sorted(rebuilt)} if asks else {}))
        extra = extra[(extra["entity_id"] == entity_id) & extra["metric"].isin(rebuilt)]
        history = pd.concat([history, extra.assign(source="reconstructed")], ignore_index=True)
    stored_points = _by_metric(history, as_of)
    built = [goal_from_progress(row, _points(stored_points, str(row["metric"]), as_of, _float(row.get("value"))))
             for row in progress.sort_values("goal_no").to_dict("records")]
    counts = {s: 0 for s in STATUS_ORDER}
    for g in built:
        counts[g.status] = counts.get(g.status, 0) + 1
    shown = goals_mod.entity_report(con, entity_id)
    health = goals_mod.health_history(con, entity_id, today=as_of)
    peers = goals_mod.peer_standing(con, entity_id, today=as_of)
    maturity, maturity_repos = _maturity(con, entity_id)
    public_code, public_code_repos = _public_code(con, entity_id)
    return Report(
        entity_id=entity_id,
        name=str(info["name"]),
        country=str(info.get("country") or ""),
        archetype=str(info.get("archetype") or ""),
        lang=lang,
        as_of=as_of,
        goals=tuple(built),
        last_collection=last,
        headline=_headline(con, entity_id),
        counts=counts,
        display_name=shown["display_name"],
        logo_type=shown["logo_type"],
        logo=shown["logo"],
        health=tuple(Point(_as_date(d), float(v), str(src)) for d, v, src in
                     zip(health["day"], health["score"], health["source"])),
        peers=tuple(Peer(str(r["name"]), _float(r["score"]), None if _none(r["rank"]) is None else int(r["rank"]),
                         bool(r["is_entity"])) for r in peers.to_dict("records")),
        maturity=maturity,
        maturity_repos=maturity_repos,
        public_code=public_code,
        public_code_repos=public_code_repos,
    )


def _maturity(con, entity_id: str) -> tuple[tuple[tuple[str, str, int], ...], int]:
    """The entity's repositories per level of each openCoDE badge, highest level first."""
    found = metrics.badge_summary(con, metrics.Scope("entity", entity_id=entity_id))
    if found.empty:
        return (), 0
    row = found.iloc[0]
    counts = []
    for badge, levels in BADGE_LEVELS.items():
        for value in (*reversed([level for level, _ in levels]), "unknown", "none"):
            counts.append((badge, value, int(row[f"{badge}_{value}"])))
    return tuple(counts), int(row["repos"])


def _public_code(con, entity_id: str) -> tuple[tuple[tuple[str, int, int, int], ...], int]:
    """The entity's repositories meeting, not meeting, leaving unknown each checked criterion of
    the Standard for Public Code, in the Standard's order."""
    found = metrics.public_code_summary(con, metrics.Scope("entity", entity_id=entity_id))
    if found.empty:
        return (), 0
    row = found.iloc[0]
    return tuple((c, int(row[f"{c}_met"]), int(row[f"{c}_not_met"]), int(row[f"{c}_unknown"]))
                 for c in CHECKED_CRITERIA), int(row["repos"])


def _float(value: Any) -> float | None:
    value = _none(value)
    return None if value is None else float(value)


def goal_from_progress(row: dict[str, Any], history: Sequence[Point] = ()) -> Goal:
    """A :class:`Goal` from a row of ``warehouse.goals.goal_progress`` (and its chart points):
    the goals page and the report read the same goal the same way."""
    trend_from = _none(row.get("trend_from"))
    then_day = _none(row.get("deadline_value_date"))
    return Goal(
        number=int(row["goal_no"]),
        metric=str(row["metric"]),
        unit=str(_none(row.get("unit")) or "count"),
        target=float(row["target"]),
        deadline=_as_date(row["deadline"]),
        value=_float(row.get("value")),
        trend_per_month=_float(row.get("trend_per_month")),
        projected=_float(row.get("projected")),
        status=str(row["status"]),
        days_left=int(row["days_left"]),
        reconstructed=bool(_none(row.get("reconstructed"))) or any(p.source == "reconstructed" for p in history),
        lower_is_better=_lower_is_better(row),
        history=tuple(history),
        trend_points=int(_none(row.get("trend_points")) or 0),
        trend_from=None if trend_from is None else _as_date(trend_from),
        deadline_value=_float(row.get("deadline_value")),
        deadline_value_date=None if then_day is None else _as_date(then_day),
        deadline_value_source=_none(row.get("deadline_value_source")),
    )
