"""The council report: each goal of one entity, in plain words, as a printable HTML page or a PDF.

A council reads it on paper, so it says everything in sentences and in the reader's language
(English or German, through :class:`dashboard.i18n.Translator`): the goal, its target and deadline,
the value now, the trend, the value the trend reaches by the deadline, the status and why, a small
chart of the history with the target line, and where the figures come from.

``html_report`` and ``pdf_report`` take a DuckDB connection or cursor (read-only is enough) and
get their data from the warehouse's query functions only:

- ``warehouse.pages.directory.entity`` (name, country, archetype) and ``warehouse.pages.run_log.data_freshness``
  (the last collection);
- ``warehouse.goals.goal_progress`` (one row per goal: value, trend, projection, status) and
  ``warehouse.goals.goal_history`` (the dated snapshots behind the chart);
- ``warehouse.metrics.lifecycle_summary`` and ``warehouse.reuse.entity_reuse_summary`` for a
  few headline figures.

Both formats are built from one :class:`Report` and the same sentences (:func:`goal_texts`), so
they say the same thing. The HTML file is self-contained: inline CSS and an inline SVG chart, no
script, no external resource; every text from the database is escaped. The PDF uses fpdf2's core
fonts (Windows-1252): characters they cannot show are replaced, never an error.

No Streamlit here: the dashboard's goals page and ``ossdash report`` both call this module.
"""

from __future__ import annotations

import base64
import html
import inspect
import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from fpdf import FPDF

from dashboard.i18n import Translator
from warehouse import goals as goals_mod
from warehouse import metrics, reuse
from warehouse.pages import directory, run_log

# Chart points: more than this many snapshots are thinned to the last one of each month.
MAX_CHART_POINTS = 120
# Statuses in the order a council reads them; a status the warehouse adds later comes after.
STATUS_ORDER = goals_mod.STATUSES


class ReportError(LookupError):
    """The report cannot be made (an entity the warehouse does not know)."""


# --------------------------------------------------------------------------- data


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
    )


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


# --------------------------------------------------------------------------- words


# Units whose values read better with their word ("24.0 hours"); others are plain numbers.
UNIT_WORDS = {"hours": "report.unit_hours", "days": "report.unit_days", "per_year": "report.unit_per_year"}


def value_text(t: Translator, value: float | None, unit: str, with_unit: bool = True) -> str:
    """A goal value in the reader's format: shares as percentages, counts as numbers, other
    units with one decimal (hours, days and rates per year with their word). Whole counts and
    whole percentages without decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t.none()
    if unit == "share":
        whole = abs(value * 100 - round(value * 100)) < 0.05
        return t.percent(value, 0 if whole else 1)
    whole = unit == "count" and abs(value - round(value)) < 0.05
    number = t.number(value, 0 if whole else 1)
    if with_unit and unit in UNIT_WORDS:
        return t(UNIT_WORDS[unit], value=number)
    return number


def trend_text(t: Translator, goal: Goal) -> str:
    slope = goal.trend_per_month
    if slope is None:
        return t("report.no_trend")
    amount = slope * 100 if goal.unit == "share" else slope
    decimals = 2 if 0.0005 <= abs(amount) < 0.05 else 1
    if round(amount, decimals) == 0:
        sign, shown = "±", t.number(0, 1)
    else:
        sign, shown = ("+" if amount > 0 else "−"), t.number(abs(amount), decimals)
    key = "report.trend_share" if goal.unit == "share" else "report.trend_other"
    return t(key, value=sign + shown)


def change_text(t: Translator, slope: float, unit: str) -> str:
    """A change of a goal's value, signed: shares in percentage points ("−2.0 pp",
    "−2,0 Prozentpunkte"), never as a percentage, which would read as a share of the value."""
    amount = slope * 100 if unit == "share" else slope
    decimals = 2 if 0.0005 <= abs(amount) < 0.05 else 1
    if round(amount, decimals) == 0:
        shown = "±" + t.number(0, 1)
    else:
        shown = ("+" if amount > 0 else "−") + t.number(abs(amount), decimals)
    return t("report.points_short", value=shown) if unit == "share" else shown


def days_left_text(t: Translator, days: int) -> str:
    if days > 1:
        return t("report.days_left_many", days=t.number(days))
    if days == 1:
        return t("report.days_left_one")
    if days == 0:
        return t("report.days_left_today")
    if days == -1:
        return t("report.days_passed_one")
    return t("report.days_passed_many", days=t.number(-days))


def status_word(t: Translator, status: str) -> str:
    return t.label("status", status)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class GoalTexts:
    """The sentences and figures of one goal, shared by the HTML and the PDF."""

    title: str
    metric_label: str
    words: str
    status: str
    sentence: str
    facts: tuple[tuple[str, str], ...]
    note: str | None


# Statuses whose sentence rests on the trend, and the sentence key of each status.
_TREND_STATUSES = {goals_mod.ACHIEVED, goals_mod.MET_AT_RISK, goals_mod.ON_TRACK, goals_mod.AT_RISK,
                   goals_mod.OFF_TRACK}
_SENTENCES = {
    goals_mod.ACHIEVED: "report.sentence_achieved",
    goals_mod.MET_AT_RISK: "report.sentence_met_at_risk",
    goals_mod.ON_TRACK: "report.sentence_on_track",
    goals_mod.AT_RISK: "report.sentence_at_risk",
    goals_mod.OFF_TRACK: "report.sentence_off_track",
    goals_mod.NOT_ENOUGH_HISTORY: "report.sentence_not_enough_history",
    goals_mod.MET_AT_DEADLINE: "report.sentence_met_at_deadline",
    goals_mod.MISSED_AT_DEADLINE: "report.sentence_missed_at_deadline",
    goals_mod.DEADLINE_PASSED: "report.sentence_deadline_passed",
    goals_mod.NO_DATA: "report.sentence_no_data",
}


def basis_text(t: Translator, goal: Goal) -> str:
    """What the goal's status rests on, as a sentence ("" when there is nothing to say)."""
    day = lambda d: t.date(d, "long")
    if goal.status in (goals_mod.MET_AT_DEADLINE, goals_mod.MISSED_AT_DEADLINE):
        key = {"observed": "report.basis_then_observed", "reconstructed": "report.basis_then_reconstructed",
               "now": "report.basis_then_now"}.get(goal.deadline_value_source or "", "report.basis_then_observed")
        return t(key, when=day(goal.deadline_value_date))
    if goal.status == goals_mod.DEADLINE_PASSED:
        return t("report.basis_then_unknown", days=t.number(goals_mod.DEADLINE_VALUE_DAYS))
    if goal.status == goals_mod.NO_DATA:
        return ""
    if goal.trend_per_month is None:
        if goal.trend_points <= 1:
            return t("report.basis_one_value", when=day(goal.trend_from or goal.deadline),
                     days=t.number(goals_mod.MIN_TREND_SPAN_DAYS))
        return t("report.basis_too_close", points=t.number(goal.trend_points), when=day(goal.trend_from),
                 days=t.number(goals_mod.MIN_TREND_SPAN_DAYS))
    key = "report.basis_trend_reconstructed" if goal.reconstructed else "report.basis_trend"
    return t(key, points=t.number(goal.trend_points), when=day(goal.trend_from),
             months=t.number(round(goals_mod.TREND_DAYS / 30.44)))


def status_sentence(t: Translator, goal: Goal) -> str:
    """The goal's status in words, from the warehouse's status: what it means for this goal."""
    fmt = lambda v: value_text(t, v, goal.unit)
    target = fmt(goal.target)
    if goal.lower_is_better:
        target = t("report.at_most", target=target)
    values = {"status": _capital(status_word(t, goal.status)), "value": fmt(goal.value), "target": target,
              "deadline": t.date(goal.deadline, "long"), "projected": fmt(goal.projected),
              "then": fmt(goal.deadline_value)}
    key = _SENTENCES.get(goal.status, "report.sentence_other")
    if goal.status == goals_mod.ACHIEVED and goal.trend_per_month is None:
        key = "report.sentence_achieved_no_trend"
    return t(key, **values)


def goal_texts(t: Translator, goal: Goal) -> GoalTexts:
    label = t.label("goal_metric", goal.metric)
    fmt = lambda v: value_text(t, v, goal.unit)
    deadline = t.date(goal.deadline, "long")
    target = fmt(goal.target)
    words = t("report.goal_at_most" if goal.lower_is_better else "report.goal_at_least",
              target=target, deadline=deadline)
    status = status_word(t, goal.status)
    basis = basis_text(t, goal)
    sentence = status_sentence(t, goal) + (" " + t("report.rests_on", basis=basis) if basis else "")
    facts = [
        (t("report.fact_target"), (t("report.at_most", target=target) if goal.lower_is_better else target)),
        (t("report.fact_value"), fmt(goal.value) if goal.value is not None else t("report.no_value")),
        (t("report.fact_deadline"), deadline),
        (t("report.fact_days_left"), days_left_text(t, goal.days_left)),
    ]
    if goal.days_left <= 0:
        then = (t("report.then_value", value=fmt(goal.deadline_value), when=t.date(goal.deadline_value_date, "long"))
                if goal.deadline_value is not None else t("report.then_unknown"))
        facts.append((t("report.fact_then"), then))
    else:
        facts.append((t("report.fact_trend"), trend_text(t, goal)))
        facts.append((t("report.fact_projected"),
                      fmt(goal.projected) if goal.trend_per_month is not None and goal.value is not None
                      else t("report.projection_none")))
    facts.append((t("report.fact_status"), status))
    note = t("report.note_reconstructed") if goal.reconstructed else None
    return GoalTexts(f"{goal.number}. {label}", label, words, status, sentence, tuple(facts), note)


def summary_counts(t: Translator, report: Report) -> list[tuple[str, str, int]]:
    """(status code, status word, number of goals) for every status some goal has, in the
    warehouse's order."""
    order = list(STATUS_ORDER) + [s for s in report.counts if s not in STATUS_ORDER]
    return [(s, status_word(t, s), report.counts[s]) for s in order if report.counts.get(s)]


def summary_lines(t: Translator, report: Report) -> list[tuple[str, int]]:
    """(status word, number of goals) for every status some goal has."""
    return [(word, n) for _, word, n in summary_counts(t, report)]


@dataclass(frozen=True)
class SummaryRow:
    goal: str
    status_code: str
    status: str
    value: str
    target: str
    deadline: str


def summary_rows(t: Translator, report: Report) -> list[SummaryRow]:
    """One line per goal for the first page: the goal, its status, its value (past the
    deadline: the value then and now), the target and the deadline."""
    rows = []
    for g in report.goals:
        fmt = lambda v, g=g: value_text(t, v, g.unit)
        value = fmt(g.value)
        if g.days_left <= 0 and g.deadline_value is not None:
            value = t("report.summary_then_now", then=fmt(g.deadline_value), value=value)
        target = t("report.at_most", target=fmt(g.target)) if g.lower_is_better else fmt(g.target)
        rows.append(SummaryRow(f"{g.number}. {t.label('goal_metric', g.metric)}", g.status,
                               _capital(status_word(t, g.status)), value, target, t.date(g.deadline, "long")))
    return rows


def summary_sentence(t: Translator, report: Report) -> str:
    n = len(report.goals)
    if n == 1:
        return t("report.summary_one")
    return t("report.summary_many", goals=t.number(n))


def headline_facts(t: Translator, report: Report) -> list[tuple[str, str]]:
    h = report.headline
    if h is None:
        return []
    stages = " · ".join(
        f"{t.label('stage', s)} {t.number(n)}" for s, n in h.stages.items() if n
    ) or t.none()
    facts = [(t("report.headline_repos"), t.number(h.repos)), (t("report.headline_stages"), stages)]
    if h.projects_reused is not None:
        facts.append((t("report.headline_reused"), t.number(h.projects_reused)))
        facts.append((t("report.headline_reusing"), t.number(h.reusing_entities)))
        facts.append((t("report.headline_contributions"), t.number(h.contributions_to_others)))
    return facts


def health_sentence(t: Translator, report: Report) -> str:
    """The health score now, a year before, and the entity's place among its archetype's peers."""
    now = next((p for p in reversed(report.health) if p.source == "now"), None)
    if now is None:
        return t("report.health_none")
    first = report.health[0] if report.health and report.health[0].source != "now" else None
    text = t("report.health_now", score=t.number(now.value), when=t.date(now.day, "long"))
    if first is not None:
        text += " " + t("report.health_then", score=t.number(first.value), when=t.date(first.day, "long"))
    scored = [p for p in report.peers if p.score is not None]
    me = next((p for p in report.peers if p.is_entity), None)
    group = t.label("archetype", report.archetype)
    if me is not None and me.rank is not None and len(scored) > 1:
        scores = sorted(p.score for p in scored)
        middle = len(scores) // 2
        median = scores[middle] if len(scores) % 2 else (scores[middle - 1] + scores[middle]) / 2
        text += " " + t("report.health_rank", rank=t.number(me.rank), peers=t.number(len(scored)), group=group,
                        median=t.number(median))
    elif me is not None and me.rank is not None:
        text += " " + t("report.health_alone", group=group)
    return text


def peer_lines(t: Translator, report: Report) -> list[tuple[str, str, bool]]:
    """(rank and name, score, is the entity) of each peer with a score, best first."""
    return [(f"{t.number(p.rank)}. {p.name}", t.number(p.score), p.is_entity)
            for p in report.peers if p.score is not None and p.rank is not None]


def title_text(t: Translator, report: Report) -> str:
    return t("report.title", name=report.heading_name)


def subtitle_text(t: Translator, report: Report) -> str:
    parts = [p for p in (report.country, t.label("archetype", report.archetype) if report.archetype else "") if p]
    if report.display_name and report.display_name != report.name:
        parts.insert(0, report.name)
    return " · ".join(parts)


def as_of_text(t: Translator, report: Report) -> str:
    return t("common.as_of", when=t.date(report.as_of, "long"))


def source_text(t: Translator, report: Report) -> str:
    if report.last_collection is None:
        return t("report.source_no_run")
    return t("report.source", when=t.date(report.last_collection, "long"))


def rules_texts(t: Translator, goals: Sequence[Goal]) -> list[str]:
    """How each status is decided, one sentence each (and how "at most" goals are read, when
    ``goals`` has one)."""
    months = round(goals_mod.TREND_DAYS / 30.44)
    word = lambda s: _capital(status_word(t, s))
    rules = [
        t("report.rule_achieved", status=word(goals_mod.ACHIEVED)),
        t("report.rule_met_at_risk", status=word(goals_mod.MET_AT_RISK)),
        t("report.rule_on_track", status=word(goals_mod.ON_TRACK), months=t.number(months)),
        t("report.rule_at_risk", status=word(goals_mod.AT_RISK), ratio=t.percent(goals_mod.AT_RISK_RATIO)),
        t("report.rule_off_track", status=word(goals_mod.OFF_TRACK)),
        t("report.rule_not_enough_history", status=word(goals_mod.NOT_ENOUGH_HISTORY),
          days=t.number(goals_mod.MIN_TREND_SPAN_DAYS)),
        t("report.rule_at_deadline", met=word(goals_mod.MET_AT_DEADLINE), missed=word(goals_mod.MISSED_AT_DEADLINE),
          days=t.number(goals_mod.DEADLINE_VALUE_DAYS)),
        t("report.rule_deadline_passed", status=word(goals_mod.DEADLINE_PASSED)),
        t("report.rule_no_data", status=word(goals_mod.NO_DATA)),
    ]
    if any(g.lower_is_better for g in goals):
        rules.append(t("report.rule_lower", margin=t.percent(1 / goals_mod.AT_RISK_RATIO - 1)))
    return rules


# --------------------------------------------------------------------------- chart geometry


@dataclass(frozen=True)
class ChartPoint:
    x: float  # 0..1 across the plot
    y: float  # 0..1 up the plot
    source: str
    tip: str


@dataclass(frozen=True)
class Chart:
    """A goal's chart in plot coordinates (0..1 both ways), labels translated."""

    title: str
    x_title: str
    y_title: str
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    points: tuple[ChartPoint, ...]
    target_y: float | None  # None: no target line (the health score's chart)
    target_label: str
    deadline_x: float | None
    deadline_label: str
    projection: tuple[tuple[float, float], tuple[float, float]] | None
    projection_tip: str | None


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def tick_text(t: Translator, value: float, unit: str, step: float) -> str:
    """An axis label: as many decimals as the step between ticks needs, no unit word."""
    if unit == "share":
        return t.percent(value, next(d for d in range(4) if abs(round(step * 100, d) - step * 100) < 1e-9))
    decimals = next((d for d in range(5) if abs(round(step, d) - step) < 1e-9), 4)
    return t.number(value, decimals)


def _month_starts(first: date, last: date, most: int = 6) -> list[date]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = max(1, math.ceil(months / most))
    y, m = first.year, first.month
    if first.day != 1:
        m += 1
    out = []
    while True:
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
        d = date(y, m, 1)
        if d > last:
            break
        out.append(d)
        m += step
    return out


def thin(points: Sequence[Point], most: int = MAX_CHART_POINTS) -> list[Point]:
    """At most ``most`` points (and today's): beyond that, the last point of each month, then
    every n-th of those, the newest kept."""
    past = [p for p in points if p.source != "now"]
    now = [p for p in points if p.source == "now"]
    if len(past) > most:
        monthly: dict[tuple[int, int], Point] = {}
        for p in past:
            monthly[(p.day.year, p.day.month)] = p
        past = list(monthly.values())
        step = math.ceil(len(past) / most)
        past = past[::-1][::step][::-1]
    return past + now


def chart(t: Translator, goal: Goal, texts: GoalTexts, show_deadline: bool = True) -> Chart | None:
    """The chart of a goal's history, or None when there is nothing to draw. A goal whose
    target is None gets no target line; ``show_deadline`` False: no deadline rule."""
    history = thin(goal.history)
    if not history:
        return None
    fmt = lambda v: value_text(t, v, goal.unit)
    days = [p.day for p in history]
    now = history[-1]
    x_first = min(days + [goal.deadline])
    x_last = max(days + [goal.deadline])
    if (x_last - x_first).days < 30:
        x_first = date.fromordinal(x_last.toordinal() - 30)
    span = (x_last - x_first).days

    def nx(d: date) -> float:
        return (d - x_first).days / span

    projection = None
    projection_tip = None
    if now.source == "now" and goal.projected is not None and goal.trend_per_month is not None and goal.days_left > 0:
        projection = ((nx(now.day), now.value), (nx(goal.deadline), goal.projected))
        projection_tip = t("report.tip_projected", deadline=t.date(goal.deadline, "long"),
                           value=fmt(goal.projected))
    values = [p.value for p in history] + ([goal.target] if goal.target is not None else [])
    if projection is not None:
        values.append(goal.projected)
    if goal.unit == "share":
        low, high, step = 0.0, 1.0, 0.25
    elif goal.unit == "score" and 0 <= min(values) and max(values) <= 100:
        low, high, step = 0.0, 100.0, 25.0
    else:
        low = min(0.0, min(values))
        top = max(values) * 1.1 if max(values) > 0 else 1.0
        step = _nice_step(top - low)
        if goal.unit == "count":
            step = float(max(1, math.ceil(step)))
        low = math.floor(low / step) * step
        high = math.ceil(top / step) * step
        if high <= low:
            high = low + step

    def ny(v: float) -> float:
        return (v - low) / (high - low)

    y_ticks = []
    k = 0
    while low + k * step <= high + 1e-9:
        v = low + k * step
        y_ticks.append((ny(v), tick_text(t, v, goal.unit, step)))
        k += 1
    x_ticks = tuple((nx(d), t.month(d)) for d in _month_starts(x_first, x_last))
    tips = {"observed": "report.tip_observed", "reconstructed": "report.tip_reconstructed", "now": "report.tip_now"}
    points = tuple(
        ChartPoint(nx(p.day), ny(p.value), p.source,
                   t(tips.get(p.source, "report.tip_observed"), when=t.date(p.day, "long"), value=fmt(p.value)))
        for p in history
    )
    if projection is not None:
        (x0, v0), (x1, v1) = projection
        projection = ((x0, ny(v0)), (x1, ny(v1)))
    return Chart(
        title=t("report.chart_title", metric=texts.metric_label),
        x_title=t("report.axis_date"),
        y_title=texts.metric_label,
        x_ticks=x_ticks,
        y_ticks=tuple(y_ticks),
        points=points,
        target_y=None if goal.target is None else ny(goal.target),
        target_label="" if goal.target is None else t("report.chart_target", target=fmt(goal.target)),
        deadline_x=nx(goal.deadline) if show_deadline else None,
        deadline_label=t("report.chart_deadline"),
        projection=projection,
        projection_tip=projection_tip,
    )


def health_chart(t: Translator, report: Report) -> Chart | None:
    """The health score's history as a chart (no target, no deadline), or None with fewer than
    two points."""
    if len(report.health) < 2:
        return None
    label = t("report.health_chart")
    now = report.health[-1]
    goal = Goal(number=0, metric="health_score", unit="score", target=None, deadline=now.day, value=now.value,
                trend_per_month=None, projected=None, status="", days_left=0,
                reconstructed=any(p.source == "reconstructed" for p in report.health), lower_is_better=False,
                history=report.health)
    return chart(t, goal, GoalTexts(label, label, "", "", "", (), None), show_deadline=False)


def health_goal(report: Report) -> Goal:
    """The health history as a :class:`Goal` for the chart's legend."""
    now = report.health[-1]
    return Goal(0, "health_score", "score", None, now.day, now.value, None, None, "", 0,
                any(p.source == "reconstructed" for p in report.health), False, report.health)


# --------------------------------------------------------------------------- HTML

_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm; }
:root { --ink: #1b1b1b; --muted: #555; --line: #c8c8c8; --history: #1f4e79; --target: #a4262c; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; color: var(--ink);
       max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; font-size: 11pt; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.kicker, .meta { color: var(--muted); margin: 0; }
.asof { font-weight: bold; margin: .3rem 0 0; }
table { border-collapse: collapse; margin: .5rem 0; }
table.goals { width: 100%; }
ul.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
ol.peers li.me { font-weight: bold; }
img.logo { max-height: 4rem; max-width: 14rem; display: block; margin: .4rem 0; }
th, td { text-align: left; padding: .2rem .8rem .2rem 0; vertical-align: top; border-bottom: 1px solid #eee; }
th { font-weight: 600; color: var(--muted); }
td.num { text-align: right; }
.goal { break-inside: avoid; page-break-inside: avoid; }
.words { font-size: 1.05rem; margin: .2rem 0; }
.status { padding: .4rem .6rem; border-left: .35rem solid var(--line); background: #f6f6f6; }
.badge { display: inline-block; font-weight: bold; padding: 0 .4rem; border: 1px solid currentColor; border-radius: .3rem; }
.tone-good { border-color: #1e7b34; } .tone-good .badge, .badge.tone-good { color: #1e7b34; }
.tone-warning { border-color: #b86e00; } .tone-warning .badge, .badge.tone-warning { color: #8a5300; }
.tone-bad { border-color: #a4262c; } .tone-bad .badge, .badge.tone-bad { color: #a4262c; }
.tone-neutral { border-color: #777; } .tone-neutral .badge, .badge.tone-neutral { color: #555; }
figure { margin: .6rem 0; }
svg.chart { width: 100%; max-width: 40rem; height: auto; display: block; }
svg.chart text { font-family: inherit; font-size: 11px; fill: var(--ink); }
svg.chart .tick text { fill: var(--muted); }
svg.chart .grid { stroke: #e4e4e4; stroke-width: 1; }
svg.chart .axis { stroke: #777; stroke-width: 1; }
svg.chart .history { fill: none; stroke: var(--history); stroke-width: 2; }
svg.chart .projection { stroke: var(--history); stroke-width: 1.5; stroke-dasharray: 2 4; }
svg.chart .target { stroke: var(--target); stroke-width: 1.5; stroke-dasharray: 7 4; }
svg.chart .deadline { stroke: #777; stroke-width: 1; stroke-dasharray: 3 3; }
svg.chart .pt { fill: var(--history); stroke: var(--history); stroke-width: 1.5; }
svg.chart .pt.reconstructed { fill: #fff; }
svg.chart .pt.now { fill: var(--history); stroke: #fff; }
svg.chart .pt.projected { fill: #fff; }
figcaption, .note, .legend { color: var(--muted); font-size: .9rem; }
.legend { list-style: none; padding: 0; margin: .2rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
.sw { display: inline-block; width: 1.6rem; height: 0; vertical-align: middle; margin-right: .35rem; border-top: 2px solid var(--history); }
.sw-target { border-top: 2px dashed var(--target); }
.sw-projection { border-top: 2px dotted var(--history); }
.sw-reconstructed { width: .6rem; height: .6rem; border: 1.5px solid var(--history); border-radius: 50%; }
.note { border-left: .25rem solid var(--line); padding-left: .5rem; }
pre { background: #f4f4f4; padding: .6rem; overflow-x: auto; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); font-size: .9rem; color: var(--muted); }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .goal { page-break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
"""

_W, _H = 640, 260
_ML, _MR, _MT, _MB = 64, 24, 30, 46


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _css_class(status: str) -> str:
    """The status's own class and its tone's (good, warning, bad, neutral: the warehouse's)."""
    tone = goals_mod.STATUS_TONE.get(status, "neutral")
    return "s-" + re.sub(r"[^a-z0-9_]", "_", status.lower().replace(" ", "_")) + f" tone-{tone}"


def _f(v: float) -> str:
    return f"{v:.1f}"


def svg_chart(c: Chart, chart_id: str) -> str:
    """An inline SVG of the chart: axes, grid, target line, history, projection; <title> tips."""
    pw, ph = _W - _ML - _MR, _H - _MT - _MB

    def X(x: float) -> float:
        return _ML + x * pw

    def Y(y: float) -> float:
        return _MT + (1 - y) * ph

    out = [
        (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img"'
         f' aria-labelledby="{chart_id}-title">'),
        f'<title id="{chart_id}-title">{_e(c.title)}</title>',
    ]
    out.append('<g class="tick">')
    for y, label in c.y_ticks:
        out.append(f'<line class="grid" x1="{_f(X(0))}" x2="{_f(X(1))}" y1="{_f(Y(y))}" y2="{_f(Y(y))}"/>')
        out.append(f'<text x="{_f(X(0) - 6)}" y="{_f(Y(y) + 4)}" text-anchor="end">{_e(label)}</text>')
    for x, label in c.x_ticks:
        out.append(f'<line class="axis" x1="{_f(X(x))}" x2="{_f(X(x))}" y1="{_f(Y(0))}" y2="{_f(Y(0) + 4)}"/>')
        out.append(f'<text x="{_f(X(x))}" y="{_f(Y(0) + 17)}" text-anchor="middle">{_e(label)}</text>')
    out.append("</g>")
    out.append(f'<line class="axis" x1="{_f(X(0))}" x2="{_f(X(1))}" y1="{_f(Y(0))}" y2="{_f(Y(0))}"/>')
    out.append(f'<line class="axis" x1="{_f(X(0))}" x2="{_f(X(0))}" y1="{_f(Y(0))}" y2="{_f(Y(1))}"/>')
    out.append(f'<text class="axis-title" x="{_f(X(0.5))}" y="{_H - 6}" text-anchor="middle">{_e(c.x_title)}</text>')
    out.append(f'<text class="axis-title" x="4" y="14">{_e(c.y_title)}</text>')
    if c.deadline_x is not None:
        dx = X(c.deadline_x)
        out.append(f'<line class="deadline" x1="{_f(dx)}" x2="{_f(dx)}" y1="{_f(Y(0))}" y2="{_f(Y(1))}">'
                   f'<title>{_e(c.deadline_label)}</title></line>')
        anchor = "end" if c.deadline_x > 0.5 else "start"
        shift = -4 if anchor == "end" else 4
        out.append(f'<text x="{_f(dx + shift)}" y="{_f(Y(1) + 12)}" text-anchor="{anchor}">{_e(c.deadline_label)}</text>')
    if c.target_y is not None:
        ty = Y(c.target_y)
        out.append(f'<line class="target" x1="{_f(X(0))}" x2="{_f(X(1))}" y1="{_f(ty)}" y2="{_f(ty)}">'
                   f'<title>{_e(c.target_label)}</title></line>')
        label_y = ty - 5 if c.target_y < 0.9 else ty + 14
        out.append(f'<text x="{_f(X(0) + 6)}" y="{_f(label_y)}">{_e(c.target_label)}</text>')
    if len(c.points) > 1:
        coords = " ".join(f"{_f(X(p.x))},{_f(Y(p.y))}" for p in c.points)
        out.append(f'<polyline class="history" points="{coords}"/>')
    if c.projection is not None:
        (x0, y0), (x1, y1) = c.projection
        out.append(f'<line class="projection" x1="{_f(X(x0))}" y1="{_f(Y(y0))}" x2="{_f(X(x1))}" y2="{_f(Y(y1))}"/>')
        out.append(f'<circle class="pt projected" cx="{_f(X(x1))}" cy="{_f(Y(y1))}" r="4">'
                   f'<title>{_e(c.projection_tip)}</title></circle>')
    radius = 3 if len(c.points) <= 40 else 2
    for p in c.points:
        r = radius + 1.5 if p.source == "now" else radius
        out.append(f'<circle class="pt {_e(p.source)}" cx="{_f(X(p.x))}" cy="{_f(Y(p.y))}" r="{r}">'
                   f'<title>{_e(p.tip)}</title></circle>')
    out.append("</svg>")
    return "\n".join(out)


def _legend_html(t: Translator, c: Chart, goal: Goal) -> str:
    items = [("sw", t("report.legend_history"))]
    if c.target_y is not None:
        items.append(("sw sw-target", t("report.legend_target")))
    if c.projection is not None:
        items.append(("sw sw-projection", t("report.legend_projection")))
    if any(p.source == "reconstructed" for p in goal.history):
        items.append(("sw sw-reconstructed", t("report.legend_reconstructed")))
    return '<ul class="legend">' + "".join(
        f'<li><span class="{cls}"></span>{_e(label)}</li>' for cls, label in items) + "</ul>"


def _table(rows: Sequence[tuple[str, str]], cls: str) -> str:
    body = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="{cls}">{body}</table>'


def _logo_html(t: Translator, report: Report) -> str:
    """The entity's logo embedded in the page (a data address: the page stays self-contained)."""
    data = base64.b64encode(report.logo or b"").decode("ascii")
    return (f'<img class="logo" src="data:{_e(report.logo_type)};base64,{data}"'
            f' alt="{_e(t("report.logo_alt", name=report.heading_name))}">')


def render_html(report: Report) -> str:
    t = Translator(report.lang)
    title = title_text(t, report)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(report.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="ossdash">',
        f"<title>{_e(title)} ({_e(t.date(report.as_of, 'long'))})</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="kicker">{_e(t("report.kicker"))}</p>',
        *([_logo_html(t, report)] if report.logo else []),
        f"<h1>{_e(title)}</h1>",
        *([f'<p class="meta">{_e(subtitle_text(t, report))}</p>'] if subtitle_text(t, report) else []),
        f'<p class="asof">{_e(as_of_text(t, report))}</p>',
        "</header>",
        "<main>",
        '<section class="summary">',
        f"<h2>{_e(t('report.summary_heading'))}</h2>",
    ]
    if report.goals:
        parts.append(f"<p>{_e(summary_sentence(t, report))}</p>")
        head = "".join(f'<th scope="col">{_e(t(k))}</th>' for k in (
            "report.summary_col_goal", "report.summary_col_status", "report.summary_col_value",
            "report.summary_col_target", "report.summary_col_deadline"))
        body = "".join(
            f'<tr><th scope="row">{_e(r.goal)}</th><td><span class="badge {_css_class(r.status_code)}">'
            f"{_e(r.status)}</span></td><td>{_e(r.value)}</td><td>{_e(r.target)}</td><td>{_e(r.deadline)}</td></tr>"
            for r in summary_rows(t, report)
        )
        parts.append(f'<table class="goals"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        parts.append(f"<p>{_e(t('report.summary_counts'))}</p>")
        parts.append('<ul class="counts">' + "".join(
            f'<li><span class="badge {_css_class(code)}">{_e(word)}</span> <span class="num">{_e(t.number(n))}</span></li>'
            for code, word, n in summary_counts(t, report)) + "</ul>")
    else:
        parts.append(f'<p class="no-goals">{_e(t("report.no_goals"))}</p>')
        parts.append(f"<p>{_e(t('report.no_goals_how'))}</p>")
    parts.append(f"<h3>{_e(t('report.health_heading'))}</h3>")
    parts.append(f"<p>{_e(health_sentence(t, report))}</p>")
    hc = health_chart(t, report)
    if hc is not None:
        parts.append("<figure>")
        parts.append(svg_chart(hc, "chart-health"))
        parts.append(f'<figcaption>{_e(t("report.health_note"))}</figcaption>')
        parts.append("</figure>")
    peers = peer_lines(t, report)
    if len(peers) > 1:
        parts.append(f"<p>{_e(t('report.health_peers'))}</p>")
        parts.append('<ol class="peers">' + "".join(
            ('<li class="me">' if me else "<li>") + f"{_e(name.partition(' ')[2])}: {_e(score)}</li>"
            for name, score, me in peers) + "</ol>")
    facts = headline_facts(t, report)
    if facts:
        parts.append(f"<h3>{_e(t('report.headline_heading'))}</h3>")
        parts.append(_table(facts, "headline"))
    parts.append("</section>")
    for goal in report.goals:
        texts = goal_texts(t, goal)
        cls = _css_class(goal.status)
        parts.append(
            f'<section class="goal" id="goal-{goal.number}" data-metric="{_e(goal.metric)}"'
            f' data-status="{_e(goal.status)}">'
        )
        parts.append(f"<h2>{_e(texts.title)}</h2>")
        parts.append(f'<p class="words">{_e(texts.words)}</p>')
        parts.append(f'<p class="status {cls}">{_e(texts.sentence)}</p>')
        parts.append(_table(texts.facts, "facts"))
        c = chart(t, goal, texts)
        if c is None:
            parts.append(f'<p class="note">{_e(t("report.no_history"))}</p>')
        else:
            parts.append("<figure>")
            parts.append(svg_chart(c, f"chart-{goal.number}"))
            parts.append(_legend_html(t, c, goal))
            parts.append(f"<figcaption>{_e(t('report.chart_caption'))}</figcaption>")
            parts.append("</figure>")
        if texts.note:
            parts.append(f'<p class="note">{_e(texts.note)}</p>')
        parts.append("</section>")
    parts.append("</main>")
    parts.append("<footer>")
    parts.append(f"<h2>{_e(t('report.about_heading'))}</h2>")
    parts.append(f"<p>{_e(source_text(t, report))}</p>")
    parts.append(f"<p>{_e(t('report.about_values'))}</p>")
    if report.goals:
        parts.append(f"<p>{_e(t('report.rules_heading'))}</p>")
        parts.append("<ul>" + "".join(f"<li>{_e(r)}</li>" for r in rules_texts(t, report.goals)) + "</ul>")
        parts.append(f"<p>{_e(t('report.about_reconstructed'))}</p>")
    parts.append(f"<p>{_e(t('report.generated', when=t.date(report.as_of, 'long')))}</p>")
    parts.append("</footer>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- PDF

# What the core fonts' Windows-1252 cannot show, mapped to what it can; anything else left over
# after Unicode decomposition becomes "?".
_PDF_FALLBACK = {
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2015": "-",
    "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u2060": "",
    "\u2264": "<=", "\u2265": ">=", "\u2192": "->", "\u2190": "<-", "\u00b1": "\u00b1",
    "\u2032": "'", "\u2033": '"', "\u201b": "'", "\u201f": '"', "\u2044": "/",
    # letters without a Unicode decomposition
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i", "\u0127": "h", "\u0126": "H",
}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")


def pdf_safe(text: str) -> str:
    """``text`` with every character the core fonts (Windows-1252) cannot show replaced."""
    text = str(text)
    if not _CONTROL.search(text):
        try:
            text.encode("cp1252")
            return text
        except UnicodeEncodeError:
            pass
    out = []
    for ch in str(text):
        if ch in ("\n", "\t"):
            out.append(ch)
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _PDF_FALLBACK:
            out.append(_PDF_FALLBACK[ch])
            continue
        if unicodedata.category(ch).startswith("Z"):
            out.append(" ")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base if base else "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


_RGB = {
    "ink": (27, 27, 27), "muted": (85, 85, 85), "line": (200, 200, 200), "grid": (228, 228, 228),
    "history": (31, 78, 121), "target": (164, 38, 44), "axis": (119, 119, 119),
    "good": (30, 123, 52), "warning": (138, 83, 0), "bad": (164, 38, 44), "neutral": (85, 85, 85),
}


class _PDF(FPDF):
    footer_text = ""
    page_text: Callable[[int], str] = staticmethod(lambda n: str(n))

    def normalize_text(self, text: str) -> str:
        # Every piece of text passes here before the font encodes it.
        return super().normalize_text(pdf_safe(text))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(*_RGB["muted"])
        room = self.w - self.l_margin - self.r_margin - 35  # the page number's place on the right
        text = self.footer_text
        if self.get_string_width(text) > room:
            while text and self.get_string_width(text + " …") > room:
                text = text[:-1]
            text = text.rstrip() + " …"
        self.cell(0, 5, text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, self.page_text(self.page_no()), align="R")


def _pdf_chart(pdf: FPDF, c: Chart, goal: Goal, t: Translator, width: float, height: float) -> None:
    x0, y0 = pdf.l_margin, pdf.get_y()
    ml, mr, mt, mb = 16.0, 4.0, 7.0, 11.0
    pw, ph = width - ml - mr, height - mt - mb

    def X(x: float) -> float:
        return x0 + ml + x * pw

    def Y(y: float) -> float:
        return y0 + mt + (1 - y) * ph

    pdf.set_font("helvetica", size=7)
    pdf.set_text_color(*_RGB["muted"])
    pdf.set_line_width(0.2)
    for y, label in c.y_ticks:
        pdf.set_draw_color(*_RGB["grid"])
        pdf.line(X(0), Y(y), X(1), Y(y))
        w = pdf.get_string_width(label)
        pdf.text(X(0) - 1.5 - w, Y(y) + 1.2, label)
    pdf.set_draw_color(*_RGB["axis"])
    for x, label in c.x_ticks:
        pdf.line(X(x), Y(0), X(x), Y(0) + 1.2)
        w = pdf.get_string_width(label)
        pdf.text(X(x) - w / 2, Y(0) + 4.5, label)
    pdf.line(X(0), Y(0), X(1), Y(0))
    pdf.line(X(0), Y(0), X(0), Y(1))
    pdf.set_text_color(*_RGB["ink"])
    pdf.text(x0, y0 + 3.5, c.y_title)
    w = pdf.get_string_width(c.x_title)
    pdf.text(X(0.5) - w / 2, y0 + height - 1.5, c.x_title)
    if c.deadline_x is not None:
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(X(c.deadline_x), Y(0), X(c.deadline_x), Y(1))
        w = pdf.get_string_width(c.deadline_label)
        dx = X(c.deadline_x) - w - 1 if c.deadline_x > 0.5 else X(c.deadline_x) + 1
        pdf.text(dx, Y(1) + 3, c.deadline_label)
    if c.target_y is not None:
        pdf.set_draw_color(*_RGB["target"])
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=2.2, gap=1.2)
        pdf.line(X(0), Y(c.target_y), X(1), Y(c.target_y))
        pdf.set_text_color(*_RGB["target"])
        ty = Y(c.target_y) - 1.2 if c.target_y < 0.9 else Y(c.target_y) + 3.2
        pdf.text(X(0) + 2, ty, c.target_label)
        pdf.set_dash_pattern()
    pdf.set_draw_color(*_RGB["history"])
    pdf.set_fill_color(*_RGB["history"])
    pdf.set_line_width(0.5)
    if len(c.points) > 1:
        pdf.polyline([(X(p.x), Y(p.y)) for p in c.points])
    if c.projection is not None:
        (px0, py0), (px1, py1) = c.projection
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=0.6, gap=1.0)
        pdf.line(X(px0), Y(py0), X(px1), Y(py1))
        pdf.set_dash_pattern()
        pdf.set_fill_color(255, 255, 255)
        pdf.ellipse(X(px1) - 1.2, Y(py1) - 1.2, 2.4, 2.4, style="DF")
    pdf.set_line_width(0.3)
    r = 0.9 if len(c.points) <= 40 else 0.6
    for p in c.points:
        rr = r * 1.5 if p.source == "now" else r
        if p.source == "reconstructed":
            pdf.set_fill_color(255, 255, 255)
        else:
            pdf.set_fill_color(*_RGB["history"])
        pdf.ellipse(X(p.x) - rr, Y(p.y) - rr, 2 * rr, 2 * rr, style="DF")
    # legend
    items = [("history", t("report.legend_history"))]
    if c.target_y is not None:
        items.append(("target", t("report.legend_target")))
    if c.projection is not None:
        items.append(("projection", t("report.legend_projection")))
    if any(p.source == "reconstructed" for p in goal.history):
        items.append(("reconstructed", t("report.legend_reconstructed")))
    lx, ly = x0, y0 + height + 3
    pdf.set_text_color(*_RGB["muted"])
    pdf.set_font("helvetica", size=7.5)
    for kind, label in items:
        pdf.set_line_width(0.45)
        if kind == "reconstructed":
            pdf.set_draw_color(*_RGB["history"])
            pdf.set_fill_color(255, 255, 255)
            pdf.ellipse(lx + 2, ly - 1.9, 2, 2, style="DF")
        else:
            pdf.set_draw_color(*_RGB["target" if kind == "target" else "history"])
            if kind == "target":
                pdf.set_dash_pattern(dash=2.2, gap=1.2)
            elif kind == "projection":
                pdf.set_dash_pattern(dash=0.6, gap=1.0)
            pdf.line(lx, ly - 0.9, lx + 6, ly - 0.9)
            pdf.set_dash_pattern()
        pdf.text(lx + 7.5, ly, label)
        lx += 7.5 + pdf.get_string_width(label) + 6
    pdf.set_draw_color(*_RGB["ink"])
    pdf.set_text_color(*_RGB["ink"])
    pdf.set_line_width(0.2)
    pdf.set_y(ly + 3)


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` in the current font (greedy, at spaces; a
    word wider than a line is broken between characters). Much faster than fpdf2's multi_cell,
    which measures every line again for every character."""
    room = width - 2 * pdf.c_margin
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):
            w = pdf.get_string_width(word)
            if line and used + space + w <= room:
                line, used = f"{line} {word}", used + space + w
                continue
            if line:
                lines.append(line)
            while w > room and len(word) > 1:  # no space to break at: break between characters
                cut = len(word) - 1
                while cut > 1 and pdf.get_string_width(word[:cut]) > room:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                w = pdf.get_string_width(word)
            line, used = word, w
        lines.append(line)
    return lines


def render_pdf(report: Report) -> bytes:
    t = Translator(report.lang)
    title = title_text(t, report)
    pdf = _PDF(format="A4", unit="mm")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"{title} ({t.date(report.as_of, 'long')})")
    pdf.set_subject(t("report.kicker"))
    pdf.set_author("ossdash")
    pdf.set_creator("ossdash")
    pdf.set_lang(report.lang)
    pdf.footer_text = f"{t('report.kicker')} · {report.name} · {t.date(report.as_of, 'long')}"
    pdf.page_text = lambda n: t("report.page", page=n, pages="{nb}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = 10, style: str = "", height: float = 5, color: str = "ink",
             indent: float = 0.0) -> None:
        pdf.set_font("helvetica", style=style, size=size)
        pdf.set_text_color(*_RGB[color])
        for line in wrap(pdf, text, width - indent):
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(width - indent, height, line, new_x="LMARGIN", new_y="NEXT")

    def heading(text: str, size: float = 13) -> None:
        pdf.ln(3)
        para(text, size=size, style="B", height=size * 0.5)
        pdf.set_draw_color(*_RGB["line"])
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + width, pdf.get_y() + 0.5)
        pdf.ln(2)

    def rows(items: Sequence[tuple[str, str]], label_w: float = 52, h: float = 4.8) -> None:
        for k, v in items:
            pdf.set_font("helvetica", style="B", size=9)
            labels = wrap(pdf, k, label_w)
            pdf.set_font("helvetica", size=9.5)
            values = wrap(pdf, v, width - label_w)
            if pdf.will_page_break(h * max(len(labels), len(values))):
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_font("helvetica", style="B", size=9)
            pdf.set_text_color(*_RGB["muted"])
            for i, line in enumerate(labels):
                pdf.set_xy(pdf.l_margin, y + i * h)
                pdf.cell(label_w, h, line)
            pdf.set_font("helvetica", size=9.5)
            pdf.set_text_color(*_RGB["ink"])
            for i, line in enumerate(values):
                pdf.set_xy(pdf.l_margin + label_w, y + i * h)
                pdf.cell(width - label_w, h, line)
            pdf.set_xy(pdf.l_margin, y + h * max(len(labels), len(values)))

    def bullet(text: str, mark: str = "\u2022", size: float = 9, height: float = 4.5, style: str = "",
               color: str = "ink") -> None:
        """One item of a list: its mark, then the text wrapped with a hanging indent."""
        pdf.set_font("helvetica", style=style, size=size)
        pdf.set_text_color(*_RGB[color])
        lines = wrap(pdf, text, width - 7)
        if pdf.will_page_break(height * len(lines)):
            pdf.add_page()
        pdf.set_x(pdf.l_margin + 1)
        pdf.cell(6, height, mark)
        for i, line in enumerate(lines):
            pdf.set_x(pdf.l_margin + 7)
            pdf.cell(width - 7, height, line, new_x="LMARGIN", new_y="NEXT")

    def table(header: Sequence[str], body: Sequence[Sequence[str]], widths: Sequence[float],
              tones: Sequence[str] = ()) -> None:
        """A table with a bold header row; cells wrap, a row never splits across pages."""
        h = 4.4

        def row(cells: Sequence[str], style: str, tone: str | None) -> None:
            pdf.set_font("helvetica", style=style, size=8.8)
            wrapped = [wrap(pdf, c, w) for c, w in zip(cells, widths)]
            height = h * max(len(w) for w in wrapped) + 1.6
            if pdf.will_page_break(height):
                pdf.add_page()
            y = pdf.get_y()
            x = pdf.l_margin
            for k, (lines, w) in enumerate(zip(wrapped, widths)):
                colour = tone if (k == 1 and tone) else ("muted" if style == "B" else "ink")
                pdf.set_text_color(*_RGB[colour])
                pdf.set_font("helvetica", style="B" if (style == "B" or (k == 1 and tone)) else "", size=8.8)
                for i, line in enumerate(lines):
                    pdf.set_xy(x, y + 0.8 + i * h)
                    pdf.cell(w, h, line)
                x += w
            pdf.set_draw_color(*_RGB["line"])
            pdf.set_line_width(0.2)
            pdf.line(pdf.l_margin, y + height, pdf.l_margin + sum(widths), y + height)
            pdf.set_xy(pdf.l_margin, y + height)

        row(header, "B", None)
        for i, cells in enumerate(body):
            row(cells, "", tones[i] if i < len(tones) else None)
        pdf.set_text_color(*_RGB["ink"])

    para(t("report.kicker"), size=9, color="muted")
    if report.logo:
        try:
            pdf.image(io.BytesIO(report.logo), x=pdf.l_margin, y=pdf.get_y() + 1, h=16)
            pdf.ln(19)
        except (OSError, ValueError):  # an image fpdf2 cannot read is left out; the report is still made
            pdf.ln(1)
    para(title, size=18, style="B", height=9)
    subtitle = subtitle_text(t, report)
    if subtitle:
        para(subtitle, size=9.5, color="muted")
    para(as_of_text(t, report), size=11, style="B", height=6)

    heading(t("report.summary_heading"))
    if report.goals:
        para(summary_sentence(t, report))
        pdf.ln(1)
        summary = summary_rows(t, report)
        table([t("report.summary_col_goal"), t("report.summary_col_status"), t("report.summary_col_value"),
               t("report.summary_col_target"), t("report.summary_col_deadline")],
              [(r.goal, r.status, r.value, r.target, r.deadline) for r in summary],
              (50, 38, 32, 22, 32), [goals_mod.STATUS_TONE.get(r.status_code, "neutral") for r in summary])
        pdf.ln(2)
        para(t("report.summary_counts"), size=9.5, style="B")
        for _, word, n in summary_counts(t, report):
            bullet(f"{_capital(word)}: {t.number(n)}")
    else:
        para(t("report.no_goals"), style="B")
        para(t("report.no_goals_how"))
    pdf.ln(2)
    para(t("report.health_heading"), size=10.5, style="B")
    para(health_sentence(t, report), size=9.5, height=4.6)
    hc = health_chart(t, report)
    if hc is not None:
        if pdf.will_page_break(62):
            pdf.add_page()
        pdf.ln(1)
        _pdf_chart(pdf, hc, health_goal(report), t, width, 46)
        para(t("report.health_note"), size=8.5, color="muted", height=4.2)
    peers = peer_lines(t, report)
    if len(peers) > 1:
        pdf.ln(1)
        para(t("report.health_peers"), size=9.5, style="B")
        for name, score, me in peers:
            rank, _, rest = name.partition(" ")
            bullet(f"{rest}: {score}", mark=rank, style="B" if me else "")
    facts = headline_facts(t, report)
    if facts:
        pdf.ln(2)
        para(t("report.headline_heading"), size=10.5, style="B")
        rows(facts, label_w=70)

    for goal in report.goals:
        texts = goal_texts(t, goal)
        c = chart(t, goal, texts)
        # Keep a goal on one page: its height, worked out from the lines its texts take.
        def lines(text: str, size: float, style: str = "", w: float = width) -> int:
            pdf.set_font("helvetica", style=style, size=size)
            return len(wrap(pdf, text, w))

        needed = (12 + 5 * lines(texts.words, 10.5) + 1 + 5 * lines(texts.sentence, 10, "B", width - 3) + 2
                  + 4.8 * len(texts.facts) + 2 + (58 if c is not None else 5)
                  + (4.2 * lines(texts.note, 8.5) + 1 if texts.note else 0))
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        heading(texts.title)
        para(texts.words, size=10.5)
        pdf.ln(1)
        # The status sentence in the status's colour, with a bar beside it.
        colour = goals_mod.STATUS_TONE.get(goal.status, "neutral")
        y = pdf.get_y()
        para(texts.sentence, size=10, style="B", height=5, color=colour, indent=3)
        pdf.set_draw_color(*_RGB[colour])
        pdf.set_line_width(1.0)
        pdf.line(pdf.l_margin + 0.5, y, pdf.l_margin + 0.5, pdf.get_y())
        pdf.set_line_width(0.2)
        pdf.set_text_color(*_RGB["ink"])
        pdf.ln(2)
        rows(texts.facts)
        pdf.ln(2)
        if c is None:
            para(t("report.no_history"), size=9, color="muted")
        else:
            _pdf_chart(pdf, c, goal, t, width, 52)
        if texts.note:
            pdf.ln(1)
            para(texts.note, size=8.5, color="muted", height=4.2)

    if pdf.get_y() + 60 > pdf.page_break_trigger:
        pdf.add_page()
    heading(t("report.about_heading"), size=11)
    para(source_text(t, report), size=9, height=4.5)
    pdf.ln(1)
    para(t("report.about_values"), size=9, height=4.5)
    if report.goals:
        pdf.ln(1)
        para(t("report.rules_heading"), size=9, height=4.5, style="B")
        for rule in rules_texts(t, report.goals):
            bullet(rule)
        pdf.ln(1)
        para(t("report.about_reconstructed"), size=9, height=4.5)
    pdf.ln(1)
    para(t("report.generated", when=t.date(report.as_of, "long")), size=9, height=4.5, color="muted")
    return bytes(pdf.output())


# --------------------------------------------------------------------------- entry points


def html_report(con, entity_id: str, lang: str = "en", today: date | None = None) -> str:
    """The council report of ``entity_id`` as one self-contained HTML page (str)."""
    return render_html(build_report(con, entity_id, lang, today))


def pdf_report(con, entity_id: str, lang: str = "en", today: date | None = None) -> bytes:
    """The council report of ``entity_id`` as a PDF (bytes)."""
    return render_pdf(build_report(con, entity_id, lang, today))


__all__ = [
    "Goal",
    "Headline",
    "Point",
    "Report",
    "ReportError",
    "build_report",
    "goal_texts",
    "html_report",
    "pdf_report",
    "pdf_safe",
    "render_html",
    "render_pdf",
    "value_text",
]
