"""The activity metrics (tests/test_metrics_reference.py) under filters: totals and months at every
level, under filters that keep whole groups and filters that change them, at the collection's moment
and an earlier one, against the same pandas reference over the filtered repositories' commits.
A forge or repository filter changes a group's value: a mirror's commits elsewhere no longer count.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from tests.test_metrics_reference import _reference, _reference_months
from warehouse import metrics

COLUMNS = ["commits", "active_contributors", "new_contributors"]


@pytest.fixture(scope="module")
def data(warehouse):
    repos = ref.repos(warehouse)
    return repos, ref.commits(warehouse, repos)


def _indexed(got: pd.DataFrame, level: str, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    # The activity reference keys the ecosystem by a constant, not by the scope column.
    got = got.set_index([*ref.KEYS[level], *extra]) if level != "ecosystem" else got.assign(_all=0).set_index(
        ["_all", *extra])
    got = got[COLUMNS].astype(int)
    return got[(got != 0).any(axis=1)].sort_index()


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ref.FILTERS)
def test_activity_with_filters_equals_the_reference(warehouse, data, name):
    repos, commits = data
    scope = ref.filtered_scope(name, repos)
    mine = ref.restrict(commits, ref.in_scope(repos, scope))
    checked = 0
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        what = f"{scope}, {earlier} days earlier, now={call_now}"
        for days in (90, 365):
            want = _reference(mine, scope.level, now - pd.Timedelta(days=days), now)
            got = _indexed(metrics.activity_totals(warehouse, scope, days=days, now=call_now), scope.level)
            pd.testing.assert_frame_equal(got, want, check_names=False, check_dtype=False, obj=f"{what}, {days} days")
            checked += int(want["commits"].sum() > 0)
        # Per repository too: the months are not stored per repository, but computed.
        want = _reference_months(mine, scope.level, 12, now)
        got = _indexed(metrics.activity_per_month(warehouse, scope, now=call_now), scope.level, ("month",))
        if scope.level == "ecosystem":
            got = got.droplevel("_all")
        pd.testing.assert_frame_equal(got, want, check_names=False, check_dtype=False, obj=f"months: {what}")
    assert checked > 0
