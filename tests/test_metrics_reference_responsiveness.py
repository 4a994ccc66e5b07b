"""The responsiveness metrics (time to first response, change request ratios, issue age, issue
resolution duration) at every level, for several windows and moments, against a reference
computed in pandas from the collected items, comments and persons (tests/metrics_reference_support.py).

Interpretations where docs/metrics.md leaves room: a window is ``now - days <= t <= now`` at both
ends; above the repository level every item counts (items are not merged across mirrors, only
commits are); a first response dated after ``now`` is no response yet; an item with no known
author is not a bot's, so it is counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from warehouse import metrics
from warehouse.metrics import Scope


@pytest.fixture(scope="module")
def data(warehouse):
    repos = ref.repos(warehouse)
    items = ref.items(warehouse, repos, ref.comments(warehouse))
    return repos, items


def _groupby(df: pd.DataFrame, by: list[str]):
    return df.groupby(by, dropna=False)


def _ttfr(items: pd.DataFrame, repos: pd.DataFrame, level: str, days: float, now, bot_items: bool,
          combined: bool) -> pd.DataFrame:
    since = now - pd.Timedelta(days=days)
    opened = items[(items["created_at"] >= since) & (items["created_at"] <= now)
                   & (bot_items | ~items["author_is_bot"])].copy()
    opened["kind"] = "all" if combined else opened["kind"]
    answered = opened["first_response_at"] <= now
    opened["hours"] = ((opened["first_response_at"] - opened["created_at"]).dt.total_seconds() / 3600).where(answered)
    by = [*ref.KEYS[level], "kind"]
    g = _groupby(opened, by)["hours"]
    stats = pd.DataFrame({
        "items": g.size(),
        "responded": g.count(),
        "median_hours": g.median(),
        "p90_hours": g.quantile(0.9, interpolation="linear"),  # of the answered ones (NaN skipped)
    })
    kinds = ["all"] if combined else list(metrics.KINDS)
    groups = ref.all_groups(repos, level).to_frame(index=False)
    index = pd.MultiIndex.from_frame(groups.merge(pd.DataFrame({"kind": kinds}), how="cross"))
    out = stats.reindex(index)
    out[["items", "responded"]] = out[["items", "responded"]].fillna(0)
    out["unanswered"] = out["items"] - out["responded"]
    return out[["items", "responded", "unanswered", "median_hours", "p90_hours"]].sort_index()


@pytest.mark.parametrize("level", ref.LEVELS)
def test_time_to_first_response_equals_the_reference(warehouse, data, level):
    repos, items = data
    checked = 0
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            for bot_items, combined in ((False, False), (False, True), (True, False)):
                if (bot_items or combined) and days != 365:
                    continue
                want = _ttfr(items, repos, level, days, now, bot_items, combined)
                got = metrics.time_to_first_response(warehouse, Scope(level), days=days, now=call_now,
                                                     bot_items=bot_items, combined=combined)
                got = ref.engine_frame(got, level, list(want.columns), ("kind",))
                ref.assert_same(got, want, f"{level}, {days} days, {earlier} days earlier, now={call_now}, "
                                f"bot_items={bot_items}, combined={combined}")
                checked += 1
    # The windows hold answered and unanswered items (the comparison is not over empty frames).
    want = _ttfr(items, repos, "ecosystem", 365, ref.moments(warehouse)[0][1], False, False)
    assert (want["responded"] > 0).all() and (want["unanswered"] > 0).all()
    assert checked == 4 * (3 + 2)


def _ratios(items: pd.DataFrame, repos: pd.DataFrame, level: str, days: float, now, bot_items: bool) -> pd.DataFrame:
    since = now - pd.Timedelta(days=days)
    crs = items[(items["kind"] == "change_request") & (bot_items | ~items["author_is_bot"])]
    opened = crs[(crs["created_at"] >= since) & (crs["created_at"] <= now)]
    resolved = crs[(crs["resolved_at"] >= since) & (crs["resolved_at"] <= now)]
    keys = ref.KEYS[level]
    out = pd.DataFrame({
        "opened": _groupby(opened, keys).size(),
        "closed": _groupby(resolved, keys).size(),
        "merged": _groupby(resolved[resolved["state"] == "merged"], keys).size(),
    })
    out = ref.per_group(out, repos, level).fillna(0)
    out["closed_unmerged"] = out["closed"] - out["merged"]
    out["closure_ratio"] = (out["closed"] / out["opened"]).where(out["opened"] > 0)
    out["acceptance_ratio"] = (out["merged"] / out["closed"]).where(out["closed"] > 0)
    return out


@pytest.mark.parametrize("level", ref.LEVELS)
def test_change_request_ratios_equal_the_reference(warehouse, data, level):
    repos, items = data
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            for bot_items in (False, True):
                if bot_items and days != 90:
                    continue
                want = _ratios(items, repos, level, days, now, bot_items)
                got = metrics.change_request_ratios(warehouse, Scope(level), days=days, now=call_now,
                                                    bot_items=bot_items)
                ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                                f"{level}, {days} days, {earlier} days earlier, now={call_now}, bot_items={bot_items}")
    want = _ratios(items, repos, "ecosystem", 365, ref.moments(warehouse)[0][1], False)
    assert want[["opened", "closed", "merged", "closed_unmerged"]].gt(0).all(axis=None)


def _issue_age(items: pd.DataFrame, repos: pd.DataFrame, level: str, now, bot_items: bool) -> pd.DataFrame:
    issues = items[(items["kind"] == "issue") & (items["created_at"] <= now) & (bot_items | ~items["author_is_bot"])]
    open_then = issues[(issues["state"] == "open") | (issues["resolved_at"] > now)].copy()
    open_then["age"] = (pd.Timestamp(now) - open_then["created_at"]).dt.total_seconds() / 86400
    g = _groupby(open_then, ref.KEYS[level])["age"]
    out = pd.DataFrame({"open_issues": g.size(), "median_age_days": g.median(), "mean_age_days": g.mean(),
                        "max_age_days": g.max()})
    out = ref.per_group(out, repos, level)
    out["open_issues"] = out["open_issues"].fillna(0)
    return out


@pytest.mark.parametrize("level", ref.LEVELS)
def test_issue_age_equals_the_reference_at_every_moment(warehouse, data, level):
    repos, items = data
    for earlier, now, call_now in ref.moments(warehouse):
        for bot_items in (False, True):
            want = _issue_age(items, repos, level, now, bot_items)
            got = metrics.issue_age(warehouse, Scope(level), now=call_now, bot_items=bot_items)
            ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                            f"{level}, {earlier} days earlier, now={call_now}, bot_items={bot_items}")
    # Earlier, issues closed since were still open: the state is rebuilt from the dates.
    moments = ref.moments(warehouse)
    then = _issue_age(items, repos, "ecosystem", moments[-1][1], False)
    closed_since = items[(items["kind"] == "issue") & (items["resolved_at"] > moments[-1][1])
                         & (items["created_at"] <= moments[-1][1])]
    assert len(closed_since) > 0 and then["open_issues"].sum() > 0


def _resolution(items: pd.DataFrame, repos: pd.DataFrame, level: str, days: float, now, kind: str,
                bot_items: bool) -> pd.DataFrame:
    since = now - pd.Timedelta(days=days)
    done = items[(items["kind"] == kind) & (items["resolved_at"] >= since) & (items["resolved_at"] <= now)
                 & (bot_items | ~items["author_is_bot"])].copy()
    done["days"] = (done["resolved_at"] - done["created_at"]).dt.total_seconds() / 86400
    g = _groupby(done, ref.KEYS[level])["days"]
    out = pd.DataFrame({"resolved": g.size(), "median_days": g.median(), "mean_days": g.mean(),
                        "p90_days": g.quantile(0.9, interpolation="linear")})
    out = ref.per_group(out, repos, level)
    out["resolved"] = out["resolved"].fillna(0)
    return out


@pytest.mark.parametrize("level", ref.LEVELS)
def test_issue_resolution_duration_equals_the_reference(warehouse, data, level):
    repos, items = data
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            for kind in metrics.KINDS:
                want = _resolution(items, repos, level, days, now, kind, False)
                got = metrics.issue_resolution_duration(warehouse, Scope(level), days=days, kind=kind, now=call_now)
                ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                                f"{level}, {days} days, {kind}, {earlier} days earlier, now={call_now}")
        want = _resolution(items, repos, level, 365, now, "change_request", True)
        got = metrics.issue_resolution_duration(warehouse, Scope(level), kind="change_request", bot_items=True,
                                                now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want, f"{level}, bot items, {earlier}")
    assert np.isfinite(_resolution(items, repos, "ecosystem", 365, ref.moments(warehouse)[0][1], "issue",
                                   False)["p90_days"]).all()


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ref.FILTERS)
def test_responsiveness_with_filters_equals_the_reference(warehouse, data, name):
    repos, items = data
    scope = ref.filtered_scope(name, repos)
    level = scope.level
    kept = ref.in_scope(repos, scope)
    mine = ref.restrict(items, kept)
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        what = f"{scope}, {earlier} days earlier, now={call_now}"
        want = _ttfr(mine, kept, level, 365, now, False, False)
        got = metrics.time_to_first_response(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns), ("kind",)), want, f"TTFR: {what}")
        want = _ratios(mine, kept, level, 365, now, False)
        got = metrics.change_request_ratios(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want, f"ratios: {what}")
        want = _issue_age(mine, kept, level, now, False)
        got = metrics.issue_age(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want, f"issue age: {what}")
        want = _resolution(mine, kept, level, 365, now, "issue", False)
        got = metrics.issue_resolution_duration(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want, f"resolution: {what}")
