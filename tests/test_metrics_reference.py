"""The activity metrics at every level, for several windows and moments, against a straightforward
reference: the collected commits, their authors' persons and bot flags and the repositories'
entities, counted in pandas. It holds whatever the engine computes them from (materialised
facts, stored per-repository results, rollups) and keeps a change of the engine honest."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from warehouse import metrics
from warehouse.metrics import Scope

KEYS = {"repo": ["forge", "host", "path"], "entity": ["entity_id"], "archetype": ["archetype"],
        "country": ["country"], "ecosystem": []}
WINDOWS = (30, 90, 365)
EARLIER = (0, 45, 200)  # days before the collection's moment


@pytest.fixture(scope="module")
def commits(warehouse) -> pd.DataFrame:
    """Every commit with its repository's groups and its author's person (by the exact identity)
    and bot flag, read with nothing but joins."""
    raw = warehouse.execute("""
        SELECT c.forge, c.host, c.repo_path AS path, c.sha, c.committed_at, c.author_login,
               c.author_email, c.author_name, r.entity_id, e.archetype, e.country
        FROM commits c JOIN repos r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
        JOIN entities e ON e.entity_id = r.entity_id
    """).df()
    people = warehouse.execute("""
        SELECT pi.forge, pi.host, pi.login AS author_login, pi.email AS author_email,
               pi.name AS author_name, pi.person_id, p.is_bot
        FROM person_identities pi JOIN persons p USING (person_id)
    """).df()
    on = ["forge", "host", "author_login", "author_email", "author_name"]
    merged = raw.merge(people, how="left", on=on)  # pandas matches missing values with each other
    assert len(merged) == len(raw)
    merged["is_bot"] = merged["is_bot"].astype("boolean").fillna(False).astype(bool)
    return merged


def _reference(commits: pd.DataFrame, level: str, since, now) -> pd.DataFrame:
    keys = KEYS[level]
    upto = commits[commits["committed_at"] <= now]
    grouped = (lambda df: df.groupby(keys)) if keys else (lambda df: df.assign(_all=0).groupby("_all"))
    window = upto[upto["committed_at"] >= since]
    humans = window[~window["is_bot"] & window["person_id"].notna()]
    out = pd.DataFrame({
        "commits": grouped(window)["sha"].nunique(),
        "active_contributors": grouped(humans)["person_id"].nunique(),
    })
    people = upto[~upto["is_bot"] & upto["person_id"].notna()]
    first = people.groupby([*keys, "person_id"])["committed_at"].min().reset_index()
    first = first[first["committed_at"] >= since]
    out["new_contributors"] = grouped(first)["person_id"].nunique() if len(first) else 0
    out = out.fillna(0).astype(int)
    return out[(out != 0).any(axis=1)].sort_index()


def _engine(warehouse, level: str, days: float, now) -> pd.DataFrame:
    got = metrics.activity_totals(warehouse, Scope(level), days=days, now=now)
    keys = KEYS[level] or None
    got = got.set_index(keys) if keys else got.assign(_all=0).set_index("_all")
    got = got[["commits", "active_contributors", "new_contributors"]].astype(int)
    return got[(got != 0).any(axis=1)].sort_index()


@pytest.mark.parametrize("level", list(KEYS))
def test_activity_totals_equal_the_reference_at_every_window_and_moment(warehouse, commits, level):
    as_of = metrics.as_of(warehouse)
    assert as_of is not None, "the demo warehouse's results are fresh"
    checked = 0
    for earlier in EARLIER:
        now = as_of - timedelta(days=earlier)
        for days in WINDOWS:
            want = _reference(commits, level, now - timedelta(days=days), now)
            # At the collection's moment with the default window, the call without a moment too.
            calls = [now] + ([None] if earlier == 0 and days == metrics.WINDOW_DAYS else [])
            for moment in calls:
                got = _engine(warehouse, level, days, moment)
                pd.testing.assert_frame_equal(got, want, check_names=False, check_dtype=False,
                                              obj=f"{level}, {days} days, {earlier} days earlier, now={moment}")
                checked += 1
            assert want["commits"].sum() > 0 or days < 90, (level, days, earlier)
    assert checked == len(EARLIER) * len(WINDOWS) + 1


def _reference_months(commits: pd.DataFrame, level: str, months: int, now) -> pd.DataFrame:
    keys = KEYS[level]
    upto = commits[commits["committed_at"] <= now].copy()
    upto["month"] = upto["committed_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    first_month = (pd.Timestamp(now).tz_convert("UTC").tz_localize(None).to_period("M") - (months - 1)).to_timestamp()
    by = [*keys, "month"]
    window = upto[upto["month"] >= first_month]
    humans = window[~window["is_bot"] & window["person_id"].notna()]
    out = pd.DataFrame({
        "commits": window.groupby(by)["sha"].nunique(),
        "active_contributors": humans.groupby(by)["person_id"].nunique(),
    })
    people = upto[~upto["is_bot"] & upto["person_id"].notna()]
    first = people.groupby([*keys, "person_id"])["month"].min().reset_index()
    first = first[first["month"] >= first_month]
    out["new_contributors"] = first.groupby(by)["person_id"].nunique()
    out = out.fillna(0).astype(int)
    return out[(out != 0).any(axis=1)].sort_index()


@pytest.mark.parametrize("level", ["entity", "archetype", "country", "ecosystem"])
def test_activity_per_month_equals_the_reference_for_several_spans_and_moments(warehouse, commits, level):
    as_of = metrics.as_of(warehouse)
    for earlier in EARLIER:
        now = as_of - timedelta(days=earlier)
        for months in (3, 12):
            want = _reference_months(commits, level, months, now)
            got = metrics.activity_per_month(warehouse, Scope(level), months=months, now=now)
            got = got.set_index([*KEYS[level], "month"])[["commits", "active_contributors", "new_contributors"]]
            got = got.astype(int)
            got = got[(got != 0).any(axis=1)].sort_index()
            pd.testing.assert_frame_equal(got, want, check_names=False, check_dtype=False,
                                          obj=f"{level}, {months} months, {earlier} days earlier")
            assert want["commits"].sum() > 0
