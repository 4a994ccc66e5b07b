"""Last activity and the lifecycle stages (per repository, and counted per group at every level)
at several moments and with two sets of thresholds, against a reference computed in pandas from
the collected commits, items, comments, releases and repositories (tests/metrics_reference_support.py).

Interpretations where docs/metrics.md leaves room: "the last 90 days" are ``now - 90 days < t <=
now`` and the baseline the 270 days before them, ``now - 360 days < t <= now - 90 days`` (no event
of this collection lies on a boundary, so the other choice of ends gives the same stages); an
item's closing is dated by its resolution (merged: merged_at, closed: closed_at; an open item has
none); a release is a person's event whether or not it is a pre-release; a repository whose
creation lies after ``now`` has no creation date yet; archived is the forge's flag as collected,
also at earlier moments (when a repository was archived is not collected); a repository only bots
touched whose creation is unknown is idle since its last event (this collection has none).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from warehouse import metrics
from warehouse.metrics import LifecycleThresholds, Scope

REPO = ["forge", "host", "path"]
OTHER = LifecycleThresholds(recent_days=60, baseline_days=180, declining_ratio=0.8, inactive_days=120,
                            abandoned_days=240)


@pytest.fixture(scope="module")
def data(warehouse):
    return events_of(warehouse)


def events_of(warehouse):
    """The repositories, their items, and every dated event: (forge, host, path, at, event, human)."""
    repos = ref.repos(warehouse)
    comments = ref.comments(warehouse)
    items = ref.items(warehouse, repos, comments)
    commits = ref.commits(warehouse, repos)
    releases = ref.releases(warehouse, repos)
    comments = ref.with_groups(comments, repos)
    parts = [
        commits.assign(at=commits["committed_at"], event="commit", human=~commits["is_bot"]),
        items.assign(at=items["created_at"], event="opened", human=~items["author_is_bot"]),
        items.assign(at=items["resolved_at"], event="closed", human=False),
        comments.assign(at=comments["created_at"], event="comment", human=~comments["is_bot"]),
        releases.assign(at=releases["published_at"], event="release", human=True),
    ]
    events = pd.concat([p[[*REPO, "at", "event", "human"]] for p in parts], ignore_index=True)
    return repos, items, events[events["at"].notna()]


def _last_activity(repos, events, now) -> pd.DataFrame:
    upto = events[events["at"] <= now]
    by = upto.groupby(REPO)
    out = pd.DataFrame({
        "last_commit_at": upto[upto["event"] == "commit"].groupby(REPO)["at"].max(),
        "last_item_at": upto[upto["event"].isin(["opened", "closed"])].groupby(REPO)["at"].max(),
        "last_comment_at": upto[upto["event"] == "comment"].groupby(REPO)["at"].max(),
        "last_release_at": upto[upto["event"] == "release"].groupby(REPO)["at"].max(),
        "last_event_at": by["at"].max(),
        "last_human_activity_at": upto[upto["human"]].groupby(REPO)["at"].max(),
    })
    r = repos.set_index(REPO)
    out = out.reindex(r.index)
    out["last_push_at"] = r["pushed_at"].where(r["pushed_at"] <= now)
    out["last_activity_at"] = out[["last_event_at", "last_push_at"]].max(axis=1)
    out["days_since_activity"] = (pd.Timestamp(now) - out["last_activity_at"]).dt.total_seconds() / 86400
    return out.drop(columns="last_event_at").sort_index()


def test_last_activity_equals_the_reference_at_every_moment(warehouse, data):
    repos, _, events = data
    for earlier, now, call_now in ref.moments(warehouse):
        want = _last_activity(repos, events, now)
        got = metrics.last_activity(warehouse, Scope(), now=call_now).set_index(REPO)[list(want.columns)]
        ref.assert_same(got.sort_index(), want, f"{earlier} days earlier, now={call_now}")
    # A bot's or a closing's event is the latest of some repositories: the two dates differ.
    assert (want["last_activity_at"] != want["last_human_activity_at"]).any()


def _lifecycle(repos, items, events, now, t: LifecycleThresholds) -> pd.DataFrame:
    now = pd.Timestamp(now)
    last = _last_activity(repos, events, now)
    upto = events[events["at"] <= now]
    human = upto[upto["human"]]
    recent_start = now - pd.Timedelta(days=t.recent_days)
    baseline_start = recent_start - pd.Timedelta(days=t.baseline_days)
    r = repos.set_index(REPO)
    out = pd.DataFrame(index=r.index)
    out["archived"] = r["archived"]
    out["created_at"] = r["created_at"].where(r["created_at"] <= now)
    out["last_activity_at"] = last["last_activity_at"]
    out["last_human_activity_at"] = last["last_human_activity_at"]
    out["recent_events"] = human[human["at"] > recent_start].groupby(REPO).size()
    out["baseline_events"] = human[(human["at"] > baseline_start) & (human["at"] <= recent_start)].groupby(REPO).size()
    data_events = upto[upto["event"].isin(["commit", "opened"])].groupby(REPO).size().reindex(r.index).fillna(0)
    open_then = items[(items["created_at"] <= now) & ((items["state"] == "open") | (items["resolved_at"] > now))
                      & ~items["author_is_bot"] & ~(items["first_response_at"] <= now)]
    out["unanswered_open_items"] = open_then.groupby(REPO).size()
    out[["recent_events", "baseline_events", "unanswered_open_items"]] = out[
        ["recent_events", "baseline_events", "unanswered_open_items"]].fillna(0)
    since = out[["last_human_activity_at", "created_at"]].max(axis=1)
    # Only a bot ever touched it and its creation is unknown: idle since its last event.
    since = since.fillna(last["last_activity_at"])
    idle = (now - since).dt.total_seconds() / 86400
    out["idle_days"] = idle.where(data_events > 0)
    expected = out["baseline_events"] * t.recent_days / t.baseline_days
    out["stage"] = np.select(
        [out["archived"], data_events == 0,
         (idle >= t.abandoned_days) & (out["unanswered_open_items"] > 0),
         idle >= t.inactive_days,
         out["recent_events"] < t.declining_ratio * expected],
        ["archived", "no_data", "abandoned", "inactive", "declining"], "active")
    return out.sort_index()


@pytest.mark.parametrize("thresholds", [None, OTHER], ids=["stored", "other"])
def test_lifecycle_equals_the_reference_at_every_moment(warehouse, data, thresholds):
    repos, items, events = data
    t = thresholds or metrics.stored_thresholds(warehouse)
    stages = set()
    for earlier, now, call_now in ref.moments(warehouse):
        want = _lifecycle(repos, items, events, now, t)
        got = metrics.lifecycle(warehouse, Scope(), thresholds=thresholds, now=call_now).set_index(REPO)
        ref.assert_same(got[list(want.columns)].sort_index(), want, f"{earlier} days earlier, now={call_now}")
        stages |= set(want["stage"])
        ends = [pd.Timestamp(now) - pd.Timedelta(days=d) for d in (t.recent_days, t.recent_days + t.baseline_days)]
        assert not events["at"].isin(ends).any(), "an event on a window's end: the choice of ends matters"
    assert stages == set(metrics.STAGES)


@pytest.mark.parametrize("level", ref.LEVELS)
def test_lifecycle_summary_equals_the_reference(warehouse, data, level):
    repos, items, events = data
    keys = ref.KEYS[level]
    for earlier, now, call_now in ref.moments(warehouse):
        for thresholds in (None, OTHER):
            if thresholds is not None and earlier != 45:
                continue
            t = thresholds or metrics.stored_thresholds(warehouse)
            stages = _lifecycle(repos, items, events, now, t)["stage"].rename("stage").reset_index()
            stages = stages.merge(repos[[*REPO, *keys]].drop_duplicates(), on=REPO) if level != "repo" else \
                stages
            want = stages.groupby([*keys, "stage"]).size().unstack(fill_value=0)
            want = want.reindex(columns=list(metrics.STAGES), fill_value=0)
            want.insert(0, "repos", want.sum(axis=1))
            want = ref.per_group(want, repos, level).fillna(0)
            got = metrics.lifecycle_summary(warehouse, Scope(level), thresholds=thresholds, now=call_now)
            ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                            f"{level}, {earlier} days earlier, now={call_now}, thresholds={thresholds}")


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ref.FILTERS)
def test_lifecycle_with_filters_equals_the_reference(warehouse, data, name):
    repos, items, events = data
    scope = ref.filtered_scope(name, repos)
    keys = ref.KEYS[scope.level]
    kept = ref.in_scope(repos, scope)
    t = metrics.stored_thresholds(warehouse)
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        what = f"{scope}, {earlier} days earlier, now={call_now}"
        stages = _lifecycle(repos, items, events, now, t)
        mine = stages.reindex(pd.MultiIndex.from_frame(kept[REPO])).sort_index()
        got = metrics.lifecycle(warehouse, scope, now=call_now).set_index(REPO)[list(mine.columns)].sort_index()
        ref.assert_same(got, mine, f"lifecycle: {what}")
        per = mine["stage"].rename("stage").reset_index()
        if scope.level != "repo":
            per = per.merge(kept[[*REPO, *keys]], on=REPO)
        want = per.groupby([*keys, "stage"]).size().unstack(fill_value=0).reindex(columns=list(metrics.STAGES),
                                                                                  fill_value=0)
        want.insert(0, "repos", want.sum(axis=1))
        got = metrics.lifecycle_summary(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, scope.level, list(want.columns)), ref.per_group(want, kept, scope.level),
                        f"summary: {what}")
