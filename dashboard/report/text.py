"""The report's words: every sentence, figure and label that the HTML page and the PDF both show.

Both renderings take their text from here (:func:`goal_texts` for a goal, the ``*_text``,
``summary_*``, ``health_*`` and :func:`rules_texts` functions for the rest), so they say the same
thing, in the reader's language through :class:`dashboard.i18n.Translator`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.i18n import Translator
from dashboard.report.model import STATUS_ORDER, Goal, Report
from warehouse import goals as goals_mod
from warehouse.metrics.public_code_criteria import UNCHECKED_CRITERIA

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


def maturity_lines(t: Translator, report: Report) -> list[str]:
    """One sentence per openCoDE badge: how many of the repositories reach each level."""
    lines = []
    for badge in dict.fromkeys(b for b, _, _ in report.maturity):
        parts = [t("report.maturity_level", level=t(f"badges.level.{value}"), n=t.number(n))
                 for b, value, n in report.maturity if b == badge]
        lines.append(t("report.maturity_line", badge=t(f"badges.badge.{badge}"), levels="; ".join(parts)))
    return lines


def public_code_header(t: Translator) -> list[str]:
    """The columns of the Standard for Public Code's table: criterion, met, not met, unknown."""
    return [t("report.public_code_col_criterion"),
            *(_capital(t(f"public_code.outcome.{o}")) for o in ("met", "not_met", "unknown"))]


def public_code_rows(t: Translator, report: Report) -> list[tuple[str, str, str, str]]:
    """Per checked criterion: its name, and how many repositories meet it, do not, leave it unknown."""
    return [(t(f"public_code.criterion.{c}"), t.number(met), t.number(failed), t.number(unknown))
            for c, met, failed, unknown in report.public_code]


def public_code_texts(t: Translator, report: Report) -> tuple[str, str]:
    """The sentence before the table and the one after it (the criteria that need a person)."""
    intro = t("report.public_code_intro", n=t.number(len(report.public_code)),
              repos=t.number(report.public_code_repos))
    others = ", ".join(t(f"public_code.criterion.{c}") for c in UNCHECKED_CRITERIA)
    return intro, t("report.public_code_note", n=t.number(len(UNCHECKED_CRITERIA)), criteria=others)


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
