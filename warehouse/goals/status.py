"""A goal's status: the statuses in the order a council reads them, their tone, and the decision
(:func:`goal_status`) from the value now, the projection and the value at the deadline."""

from __future__ import annotations

from datetime import date

# A goal whose projected value reaches this fraction of its target (but not the target) is at risk.
AT_RISK_RATIO = 0.9

# The statuses, in the order a council reads them. Before the deadline:
ACHIEVED = "achieved"  # the value meets the target, and the trend (if any) keeps it there
MET_AT_RISK = "met at risk"  # the value meets the target now, but the trend leaves it short by the deadline
ON_TRACK = "on track"  # short now; the trend reaches the target by the deadline
AT_RISK = "at risk"  # short now; the trend reaches at least AT_RISK_RATIO of the target
OFF_TRACK = "off track"  # short now; the trend falls further short
NOT_ENOUGH_HISTORY = "not enough history"  # short now, and too little history for a trend
# On or after the deadline (never "off track"):
MET_AT_DEADLINE = "met at deadline"  # the value at the deadline met the target
MISSED_AT_DEADLINE = "missed at deadline"  # the value at the deadline fell short
DEADLINE_PASSED = "deadline passed"  # passed, and no value at the deadline is known
# Either side:
NO_DATA = "no data"  # no value now (and, past the deadline, none at it)
STATUSES = (ACHIEVED, MET_AT_RISK, ON_TRACK, AT_RISK, OFF_TRACK, NOT_ENOUGH_HISTORY,
            MET_AT_DEADLINE, MISSED_AT_DEADLINE, DEADLINE_PASSED, NO_DATA)
# How each status reads at a glance: good (met or heading there), warning, bad, neutral (the
# data cannot tell). The page's boxes and the report's colours follow it.
STATUS_TONE = {
    ACHIEVED: "good", MET_AT_RISK: "warning", ON_TRACK: "good", AT_RISK: "warning", OFF_TRACK: "bad",
    NOT_ENOUGH_HISTORY: "neutral", MET_AT_DEADLINE: "good", MISSED_AT_DEADLINE: "bad",
    DEADLINE_PASSED: "neutral", NO_DATA: "neutral",
}


def _meets(value: float, target: float, lower_is_better: bool) -> bool:
    return value <= target if lower_is_better else value >= target


def goal_status(
    value: float | None,
    target: float,
    projected: float | None,
    deadline: date,
    today: date,
    lower_is_better: bool = False,
    *,
    trend: bool = True,
    deadline_value: float | None = None,
) -> str:
    """The goal's status (one of STATUSES).

    Before the deadline, from the value now and ``projected``, the value the trend reaches by
    the deadline (``trend``: whether there is a trend at all; without one ``projected`` says
    nothing):

    - the value meets the target: achieved, unless a trend leaves it short by the deadline: met
      at risk;
    - short of it and no trend: not enough history (never off track for want of history);
    - else on track (projection meets the target), at risk (reaches AT_RISK_RATIO of it), off
      track.

    On or after the deadline, from ``deadline_value`` (the value at the deadline): met at
    deadline or missed at deadline; none known: deadline passed (no data if there is no value
    now either). A goal past its deadline is never on, at or off track.

    ``lower_is_better`` turns the comparisons round: the target is met when the value is at most
    the target, at risk when the projection is at most target / AT_RISK_RATIO.
    """
    if deadline <= today:
        if deadline_value is not None:
            return MET_AT_DEADLINE if _meets(deadline_value, target, lower_is_better) else MISSED_AT_DEADLINE
        return NO_DATA if value is None else DEADLINE_PASSED
    if value is None:
        return NO_DATA
    has_trend = trend and projected is not None
    if _meets(value, target, lower_is_better):
        return MET_AT_RISK if has_trend and not _meets(projected, target, lower_is_better) else ACHIEVED
    if not has_trend:
        return NOT_ENOUGH_HISTORY
    if _meets(projected, target, lower_is_better):
        return ON_TRACK
    close = target / AT_RISK_RATIO if lower_is_better else AT_RISK_RATIO * target
    if _meets(projected, close, lower_is_better):
        return AT_RISK
    return OFF_TRACK
