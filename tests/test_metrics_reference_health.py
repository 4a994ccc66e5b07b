"""The health score: its inputs and parts per repository, and the score at every level, for two
windows and several moments, against a reference computed in pandas from the collected tables
by the definitions of docs/metrics.md ("Health score"); the lifecycle stage it needs comes from
the lifecycle reference (tests/test_metrics_reference_lifecycle.py), the absence factor is
counted again here.

Interpretations where docs/metrics.md leaves room: activity counts the 30-day periods ``k``
(``k * 30 days <= now - t < (k + 1) * 30 days``) of the last 12 with an event by a person, and
a young repository is judged on ``ceil(age / 30 days)`` periods (at least 1), its age counted
from its creation (or its first event by a person when the creation is unknown; one period for a
repository that did not exist yet at ``now``); an item is due
when it was opened in the window and at least 7 days before ``now``, and handled when its first
response or its resolution came within 7 days of its opening; the median response time is over
the due items answered by ``now``; hygiene's OSI check looks the licence up in the SPDX list as
written (every licence of this collection is a single identifier, which the test checks).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from tests.test_metrics_reference_lifecycle import REPO, _lifecycle, events_of
from warehouse import metrics
from warehouse.metrics import HealthTargets, Scope

SPDX = Path(metrics.__file__).resolve().parents[1] / "data" / "osi_licenses.json"
PARTS = ("activity", "responsiveness", "sustainability", "community", "hygiene", "release_cadence")
# (moment, window) pairs: the stored results (now=None, the default window) and live ones, each
# moment once and each window twice, and the stored moment at 90 days; a live health score costs about half a second.
WINDOWS = (365, 90, 365, 90)


def cases(con):
    pairs = [(*moment, days) for moment, days in zip(ref.moments(con), WINDOWS)]
    # The stored moment at another window: what no window changes is read from the stored results.
    return pairs + [(0, pairs[0][1], None, 90)]


@pytest.fixture(scope="module")
def tables(warehouse):
    repos, items, events = events_of(warehouse)
    commits = ref.commits(warehouse, repos)
    comments = ref.with_groups(ref.comments(warehouse), repos)
    releases = ref.releases(warehouse, repos)
    # Who took part: commits, items opened and comments by known persons that are no bots.
    people = pd.concat([
        commits.loc[~commits["is_bot"], [*REPO, "committed_at", "person_id"]].rename(columns={"committed_at": "at"}),
        items.loc[~items["author_is_bot"], [*REPO, "created_at", "author_person_id"]].rename(
            columns={"created_at": "at", "author_person_id": "person_id"}),
        comments.loc[~comments["is_bot"], [*REPO, "created_at", "person_id"]].rename(columns={"created_at": "at"}),
    ]).dropna(subset=["person_id"])
    return repos, items, events, commits, releases, people, _hygiene(warehouse, repos)


def _hygiene(con, repos) -> pd.Series:
    """checks_passed per repository (NaN without a root listing): OSI licence, README,
    CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, valid publiccode.yml."""
    osi = {entry["id"]: entry["osi_approved"] for entry in json.loads(SPDX.read_text(encoding="utf-8"))["licenses"]}
    root = con.execute("SELECT forge, host, repo_path AS path, * EXCLUDE (forge, host, repo_path) FROM root_files").df()
    code = con.execute("SELECT forge, host, repo_path AS path, valid, license AS pc_license FROM publiccode").df()
    r = repos[REPO].merge(
        con.execute("SELECT forge, host, path, license_spdx FROM repos").df(), on=REPO)
    r = r.merge(root, on=REPO, how="left").merge(code, on=REPO, how="left")
    stated = r["license_spdx"].where(~r["license_spdx"].isin(["NOASSERTION", "other"]) & r["license_spdx"].notna(),
                                     r["pc_license"])
    single = stated.dropna()
    assert not single.str.contains(r"\s|\(|\)").any(), "a licence expression: the lookup below is too simple"
    passed = (stated.map(lambda x: bool(osi.get(x, False)) if isinstance(x, str) else False).astype(int)
              + r["has_readme"].fillna(False).astype(int) + r["has_contributing"].fillna(False).astype(int)
              + r["has_code_of_conduct"].fillna(False).astype(int) + r["has_security"].fillna(False).astype(int)
              + (r["has_publiccode"].fillna(False) & r["valid"].fillna(False)).astype(int))
    return pd.Series(passed.where(r["has_readme"].notna()).to_numpy(), index=pd.MultiIndex.from_frame(r[REPO]))


def _inputs(tables, warehouse, now, days, t=HealthTargets()) -> pd.DataFrame:
    repos, items, events, commits, releases, people, checks = tables
    now = pd.Timestamp(now)
    since = now - pd.Timedelta(days=days)
    r = repos.set_index(REPO)
    out = pd.DataFrame(index=r.index)
    out["stage"] = _lifecycle(repos, items, events, now, metrics.stored_thresholds(warehouse))["stage"]
    out["archived"] = r["archived"]

    human = events[events["human"] & (events["at"] <= now)].copy()
    period = (now - human["at"]).dt.total_seconds() // (t.period_days * 86400)
    recent = human[period < t.periods].assign(period=period)
    out["active_periods"] = recent.groupby(REPO)["period"].nunique()
    start = r["created_at"].where(r["created_at"] <= now).fillna(human.groupby(REPO)["at"].min())
    age = (now - start).dt.total_seconds() / (t.period_days * 86400)
    # At least one period, also for a repository that did not exist yet at ``now``.
    out["periods_considered"] = np.minimum(t.periods, np.maximum(1, np.ceil(age.fillna(0))))

    due = items[(items["created_at"] >= since) & (items["created_at"] <= now - pd.Timedelta(days=t.response_days))
                & ~items["author_is_bot"]].copy()
    limit = t.response_days * 86400
    respond = (due["first_response_at"] - due["created_at"]).dt.total_seconds()
    resolve = (due["resolved_at"] - due["created_at"]).dt.total_seconds()
    due["handled"] = ((due["first_response_at"] <= now) & (respond <= limit)) | ((due["resolved_at"] <= now)
                                                                               & (resolve <= limit))
    due["hours"] = (respond / 3600).where(due["first_response_at"] <= now)
    g = due.groupby(REPO)
    out["items_due"], out["items_handled"], out["median_response_hours"] = g.size(), g["handled"].sum(), g["hours"].median()

    window = commits[~commits["is_bot"] & commits["person_id"].notna() & (commits["committed_at"] >= since)
                     & (commits["committed_at"] <= now)]
    counts = window.groupby([*REPO, "person_id"])["sha"].nunique().sort_values(ascending=False)
    out["absence_factor"] = counts.groupby(REPO).apply(
        lambda s: int(np.argmax(s.cumsum().to_numpy() > 0.5 * s.sum())) + 1)
    out["participants"] = people[(people["at"] >= since) & (people["at"] <= now)].groupby(REPO)["person_id"].nunique()
    rel = releases[~releases["prerelease"] & (releases["published_at"] <= now)]
    out["releases_ever"] = rel.groupby(REPO).size()
    out["releases_in_window"] = rel[rel["published_at"] >= since].groupby(REPO).size()
    for col in ("active_periods", "items_due", "items_handled", "participants", "releases_ever", "releases_in_window"):
        out[col] = out[col].fillna(0)
    out["checks_passed"] = checks.reindex(out.index)
    out["checks"] = np.where(out["checks_passed"].notna(), 6.0, np.nan)
    return out.sort_index()


def _scores(inputs: pd.DataFrame, days: float, t=HealthTargets()) -> pd.DataFrame:
    no_data = inputs["stage"] == "no_data"
    s = pd.DataFrame(index=inputs.index)
    s["activity"] = (100 * np.minimum(1, inputs["active_periods"] / inputs["periods_considered"])).where(~no_data)
    s["responsiveness"] = (100 * inputs["items_handled"] / inputs["items_due"]).where(inputs["items_due"] > 0)
    s["sustainability"] = 100 * np.minimum(inputs["absence_factor"], t.absence_factor) / t.absence_factor
    s["community"] = (100 * np.minimum(inputs["participants"], t.participants) / t.participants).where(~no_data)
    s["hygiene"] = 100 * inputs["checks_passed"] / 6
    target = t.releases_per_year * days / 365
    s["release_cadence"] = (100 * np.minimum(1, inputs["releases_in_window"] / target)).where(
        inputs["releases_ever"] > 0)
    return s


def _combine(parts: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    def one(row) -> float:
        used = [(weights[p], row[p]) for p in PARTS if not math.isnan(row[p]) and weights[p] > 0]
        total = sum(w for w, _ in used)
        return sum(w * v for w, v in used) / total if total else np.nan
    return parts.apply(one, axis=1)


@pytest.fixture(scope="module")
def expected(tables, warehouse):
    """The reference inputs and part scores per (moment, window), computed once for every level."""
    out = {}
    for earlier, now, _, days in cases(warehouse):
        if (earlier, days) not in out:
            inputs = _inputs(tables, warehouse, now, days)
            out[earlier, days] = inputs, _scores(inputs, days)
    return out


def test_health_inputs_and_parts_equal_the_reference(warehouse, expected):
    columns = ["stage", "archived", "active_periods", "periods_considered", "items_due", "items_handled",
               "median_response_hours", "absence_factor", "participants", "releases_ever",
               "releases_in_window", "checks_passed", "checks"]
    weights = metrics.stored_weights(warehouse)
    for earlier, _, call_now, days in cases(warehouse):
        what = f"{days} days, {earlier} days earlier, now={call_now}"
        inputs, scores = expected[earlier, days]
        got = metrics.health_inputs(warehouse, Scope(), days=days, now=call_now).set_index(REPO)[columns]
        got = got.astype({c: "float64" for c in ("absence_factor", "checks_passed", "checks")})
        ref.assert_same(got.sort_index(), inputs[columns].astype({"absence_factor": "float64"}), what)
        parts = metrics.health_parts(warehouse, Scope(), days=days, now=call_now)
        wide = parts.set_index([*REPO, "part"])["score"].unstack("part")[list(PARTS)]
        ref.assert_same(wide.sort_index(), scores[list(PARTS)], f"parts: {what}")
        assert (parts["missing"] == parts["score"].isna()).all(), what
        assert (parts["weight"] == parts["part"].map(weights)).all(), what
    # Every part is missing somewhere and present somewhere: both ways are compared.
    assert scores.isna().any().all() and scores.notna().any().all()


@pytest.mark.parametrize("period_days, periods", [(5, 8), (7, 8), (11, 8), (7, 127), (7, 128)])
def test_active_periods_of_other_lengths_equal_the_reference(warehouse, tables, period_days, periods):
    # Periods of a week or more are counted from the weekly rollup as one bit mask a repository
    # (127 periods at most), shorter ones and more of them event by event.
    t = HealthTargets(period_days=period_days, periods=periods)
    for earlier, now, call_now in ref.moments(warehouse)[:2]:
        want = _inputs(tables, warehouse, now, 90, t)[["active_periods", "periods_considered"]]
        got = metrics.health_inputs(warehouse, Scope(), days=90, targets=t, now=call_now).set_index(REPO)
        ref.assert_same(got[["active_periods", "periods_considered"]].sort_index(), want,
                        f"{periods} periods of {period_days} days, {earlier} days earlier")


@pytest.mark.parametrize("level", ref.LEVELS)
def test_health_score_equals_the_reference(warehouse, tables, expected, level):
    repos = tables[0]
    keys = ref.KEYS[level]
    stored = metrics.stored_weights(warehouse)
    for earlier, _, call_now, days in cases(warehouse):
        for weights in (None, {"activity": 0.0, "hygiene": 0.5}):
            if weights is not None and earlier != 45:
                continue
            w = {**stored, **(weights or {})}
            inputs, scores = expected[earlier, days]
            data = scores.join(inputs["stage"]).reset_index().merge(repos[[*REPO, *keys]].loc[
                :, ~pd.Index([*REPO, *keys]).duplicated()], on=REPO)
            if level != "repo":
                data = data[~data["stage"].isin(["archived", "no_data"])]
            want = data.groupby(keys)[list(PARTS)].mean()
            want["repos_scored"] = data.groupby(keys).size()
            want = ref.per_group(want, repos, level)
            want["repos_scored"] = want["repos_scored"].fillna(0)
            want.insert(0, "score", _combine(want, w))
            want["parts_used"] = sum((want[p].notna() & (w[p] > 0)).astype(int) for p in PARTS)
            want["parts_missing"] = [",".join(p for p in PARTS if math.isnan(row[p])) for _, row in want.iterrows()]
            got = metrics.health_score(warehouse, Scope(level), days=days, weights=weights, now=call_now)
            ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                            f"{level}, {days} days, weights={weights}, {earlier} days earlier, now={call_now}")


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ref.FILTERS)
def test_health_score_with_filters_equals_the_reference(warehouse, tables, expected, name):
    repos = tables[0]
    scope = ref.filtered_scope(name, repos)
    level, keys = scope.level, ref.KEYS[scope.level]
    kept = ref.in_scope(repos, scope)
    w = metrics.stored_weights(warehouse)
    for earlier, _, call_now, days in cases(warehouse)[::2]:  # the stored results' and one live
        inputs, scores = expected[earlier, days]
        data = scores.join(inputs["stage"]).reset_index().merge(
            kept[[*REPO, *keys]].loc[:, ~pd.Index([*REPO, *keys]).duplicated()], on=REPO)
        if level != "repo":
            data = data[~data["stage"].isin(["archived", "no_data"])]
        want = ref.per_group(data.groupby(keys)[list(PARTS)].mean(), kept, level)
        want.insert(0, "score", _combine(want, w))
        got = metrics.health_score(warehouse, scope, days=days, now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                        f"{scope}, {days} days, {earlier} days earlier, now={call_now}")
