"""Release frequency (every level, several windows and moments) and technical forks (every level;
they have no window or moment) against a reference computed in pandas from the collected
releases, forks, repositories and commits (tests/metrics_reference_support.py).

Interpretations where docs/metrics.md leaves room: a window is ``now - days <= t <= now``; above
the repository level every release counts (releases are not merged across mirrors, only commits
are); the gap before a release is to the same repository's previous release of the same kind
(with ``prereleases=False`` pre-releases are not there at all), whenever that was; a collected
repository names its parent by path on its own forge and host.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from warehouse import metrics
from warehouse.metrics import Scope


@pytest.fixture(scope="module")
def data(warehouse):
    repos = ref.repos(warehouse)
    return repos, ref.releases(warehouse, repos)


def _release_frequency(releases, repos, level, days, now, prereleases) -> pd.DataFrame:
    keys = ref.KEYS[level]
    upto = releases[(releases["published_at"] <= now) & (prereleases | ~releases["prerelease"])]
    upto = upto.sort_values(["forge", "host", "repo_path", "published_at"]).copy()
    upto["gap"] = upto.groupby(["forge", "host", "repo_path"])["published_at"].diff().dt.total_seconds() / 86400
    window = upto[upto["published_at"] >= now - pd.Timedelta(days=days)]
    out = pd.DataFrame({
        "releases": window.groupby(keys).size(),
        "median_days_between": window.groupby(keys)["gap"].median(),
        "last_release_at": upto.groupby(keys)["published_at"].max(),
    })
    out = ref.per_group(out, repos, level)
    out["releases"] = out["releases"].fillna(0)
    out["releases_per_year"] = out["releases"] * 365 / days
    out["days_since_last_release"] = (pd.Timestamp(now) - out["last_release_at"]).dt.total_seconds() / 86400
    return out


@pytest.mark.parametrize("level", ref.LEVELS)
def test_release_frequency_equals_the_reference(warehouse, data, level):
    repos, releases = data
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            for prereleases in (False, True):
                if prereleases and days != 365:
                    continue
                want = _release_frequency(releases, repos, level, days, now, prereleases)
                got = metrics.release_frequency(warehouse, Scope(level), days=days, prereleases=prereleases,
                                                now=call_now)
                ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                                f"{level}, {days} days, prereleases={prereleases}, {earlier} days earlier, "
                                f"now={call_now}")
    assert releases["prerelease"].any()
    eco = _release_frequency(releases, repos, "ecosystem", 365, ref.moments(warehouse)[-1][1], False)
    assert eco["releases"].iloc[0] > 0 and eco["median_days_between"].notna().all()


@pytest.fixture(scope="module")
def fork_list(warehouse, data):
    """Every known fork of a collected repository with its classification, by the definition."""
    repos, _ = data
    listed = warehouse.execute("SELECT forge, host, repo_path AS parent, fork_path FROM forks").df()
    named = repos.loc[repos["fork_parent"].notna(), ["forge", "host", "fork_parent", "path"]].rename(
        columns={"fork_parent": "parent", "path": "fork_path"})
    collected = set(zip(repos["forge"], repos["host"], repos["path"]))
    forks = pd.concat([listed, named]).drop_duplicates()
    forks = forks[[(f, h, p) in collected for f, h, p in zip(forks["forge"], forks["host"], forks["parent"])]]
    shas = warehouse.execute("SELECT forge, host, repo_path, sha FROM commits").df()
    by_repo = shas.groupby(["forge", "host", "repo_path"])["sha"].agg(set).to_dict()

    def status(row) -> tuple[bool, int, int, str]:
        key = (row.forge, row.host, row.fork_path)
        own = by_repo.get(key, set())
        if key not in collected or not own:
            return key in collected, len(own), 0, "unknown"
        extra = len(own - by_repo.get((row.forge, row.host, row.parent), set()))
        return True, len(own), extra, "contributing" if extra else "non_contributing"

    forks[["collected", "fork_commits", "commits_not_in_parent", "fork_status"]] = pd.DataFrame(
        [status(r) for r in forks.itertuples()], index=forks.index)
    return forks.rename(columns={"parent": "path"})


def test_technical_fork_list_equals_the_reference(warehouse, fork_list):
    got = metrics.technical_fork_list(warehouse, Scope())
    columns = ["collected", "fork_commits", "commits_not_in_parent", "fork_status"]
    keys = ["forge", "host", "path", "fork_path"]
    want = fork_list.set_index(keys)[columns].sort_index()
    ref.assert_same(got.set_index(keys)[columns].sort_index(), want, "technical fork list")
    assert set(want["fork_status"]) == {"contributing", "non_contributing", "unknown"}
    # Forks found both ways (listed by the parent and collected, naming it) are in the list once.
    assert want.index.is_unique and want["collected"].sum() > 0


def _technical_forks(repos, fork_list, level) -> pd.DataFrame:
    counts = fork_list.groupby(["forge", "host", "path"]).agg(
        listed=("fork_path", "size"),
        contributing=("fork_status", lambda s: (s == "contributing").sum()),
        non_contributing=("fork_status", lambda s: (s == "non_contributing").sum()))
    per_repo = repos.set_index(["forge", "host", "path"]).join(counts).fillna(
        {"listed": 0, "contributing": 0, "non_contributing": 0})
    per_repo["forks"] = per_repo[["forks_count", "listed"]].max(axis=1)
    want = per_repo.groupby(ref.KEYS[level])[["forks", "listed", "contributing", "non_contributing"]].sum()
    want["unknown"] = want["forks"] - want["contributing"] - want["non_contributing"]
    return ref.per_group(want, repos, level)


@pytest.mark.parametrize("level", ref.LEVELS)
def test_technical_forks_equal_the_reference(warehouse, data, fork_list, level):
    repos, _ = data
    want = _technical_forks(repos, fork_list, level)
    got = metrics.technical_forks(warehouse, Scope(level))
    ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want, level)
    assert want["listed"].sum() > 0 and want["contributing"].sum() > 0


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ref.FILTERS)
def test_releases_and_forks_with_filters_equal_the_reference(warehouse, data, fork_list, name):
    repos, releases = data
    scope = ref.filtered_scope(name, repos)
    kept = ref.in_scope(repos, scope)
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        want = _release_frequency(ref.restrict(releases, kept), kept, scope.level, 365, now, False)
        got = metrics.release_frequency(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, scope.level, list(want.columns)), want,
                        f"{scope}, {earlier} days earlier, now={call_now}")
    want = _technical_forks(kept, fork_list, scope.level)
    got = metrics.technical_forks(warehouse, scope)
    ref.assert_same(ref.engine_frame(got, scope.level, list(want.columns)), want, f"forks: {scope}")
