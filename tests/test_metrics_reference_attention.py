"""The attention list at several moments and under filters, against a reference computed in pandas
from the collected tables by docs/metrics.md ("Attention list"): the lifecycle stages come from the
lifecycle reference (tests/test_metrics_reference_lifecycle.py), the rest is counted here.

Interpretations where docs/metrics.md leaves room: an item is unanswered when it is open at
``now`` (created by then, and open or resolved later), opened by a person (not a bot) at least 14
days before ``now``, and has no first response by ``now``; a contract's end is its ``until`` date at
midnight UTC, expired when before ``now``'s UTC date and expiring within 90 days of it (that day
included); the order is the reasons' order, then the longest-standing first; the detail sentence
is presentation and not compared.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from tests.test_metrics_reference_lifecycle import REPO, _lifecycle, events_of
from warehouse import metrics
from warehouse.metrics import Scope

COLUMNS = ["entity_id", "forge", "host", "path", "reason", "item_kind", "item_number", "item_url", "since", "days"]


@pytest.fixture(scope="module")
def tables(warehouse):
    repos, items, events = events_of(warehouse)
    commits = ref.commits(warehouse, repos)
    urls = warehouse.execute("SELECT forge, host, path, html_url FROM repos").df()
    contracts = warehouse.execute(
        "SELECT forge, host, repo_path AS path, maintenance_until FROM publiccode WHERE maintenance_until IS NOT NULL"
    ).df()
    return repos.merge(urls, on=REPO), items, events, commits, contracts


def _item_url(row) -> str | None:
    if not isinstance(row.html_url, str):
        return None
    base, number = row.html_url.rstrip("/"), int(row.item_number)
    if row.forge == "github":
        return f"{base}/{'pull' if row.item_kind == 'change_request' else 'issues'}/{number}"
    return f"{base}/-/{'merge_requests' if row.item_kind == 'change_request' else 'issues'}/{number}"


def _attention(warehouse, tables, now, kept, days: float = 365, no_response_days: float = 14,
               expiring_days: int = 90) -> pd.DataFrame:
    repos, items, events, commits, contracts = tables
    now = pd.Timestamp(now)
    live = kept[~kept["archived"]].set_index(REPO)
    stages = _lifecycle(repos, items, events, now, metrics.stored_thresholds(warehouse)).reindex(live.index)
    found = []
    st = stages[stages["stage"].isin(["abandoned", "inactive", "declining"])]
    found.append(pd.DataFrame({"reason": st["stage"], "since": st["last_human_activity_at"]}, index=st.index))

    window = commits[~commits["is_bot"] & commits["person_id"].notna() & (commits["committed_at"] <= now)
                     & (commits["committed_at"] >= now - pd.Timedelta(days=days))]
    counts = window.groupby([*REPO, "person_id"])["sha"].nunique()
    single = counts.groupby(REPO).max() > counts.groupby(REPO).sum() / 2
    single = single[single].index.intersection(live.index)
    found.append(pd.DataFrame({"reason": "single_maintainer", "since": pd.NaT}, index=single))

    mine = items.set_index(REPO).loc[lambda d: d.index.isin(live.index)]
    waiting = mine[~mine["author_is_bot"] & (mine["created_at"] <= now - pd.Timedelta(days=no_response_days))
                   & ((mine["state"] == "open") | (mine["resolved_at"] > now)) & ~(mine["first_response_at"] <= now)]
    found.append(pd.DataFrame({"reason": "unanswered_" + waiting["kind"], "since": waiting["created_at"],
                               "item_kind": waiting["kind"], "item_number": waiting["number"]}, index=waiting.index))

    today = now.tz_convert("UTC").normalize()
    c = contracts.set_index(REPO).loc[lambda d: d.index.isin(live.index)].copy()
    c["until"] = pd.to_datetime(c["maintenance_until"].astype(str)).dt.tz_localize("UTC")
    c = c[c["until"] <= today + pd.Timedelta(days=expiring_days)]
    found.append(pd.DataFrame({"reason": ["contract_expired" if u < today else "contract_expiring" for u in c["until"]],
                               "since": c["until"]}, index=c.index))

    found = [f for f in found if len(f)]
    if not found:
        return pd.DataFrame(columns=[*COLUMNS, "html_url"])
    out = pd.concat(found).reset_index()
    out = out.merge(live[["entity_id", "html_url"]].reset_index(), on=REPO)
    out["item_url"] = [_item_url(r) if isinstance(r.item_kind, str) else None for r in out.itertuples()]
    out["days"] = (now - pd.to_datetime(out["since"], utc=True)).dt.total_seconds() / 86400
    out["_order"] = out["reason"].map({r: i for i, r in enumerate(metrics.ATTENTION_REASONS)})
    return out


def _compare(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    if want.empty:
        assert got.empty, what
        return
    keys = [*REPO, "reason", "item_kind", "item_number"]
    g = got.assign(item_kind=got["item_kind"].fillna(""), item_number=got["item_number"].fillna(-1))
    w = want.assign(item_kind=want["item_kind"].fillna(""), item_number=want["item_number"].fillna(-1).astype(int))
    ref.assert_same(g.set_index(keys)[COLUMNS[:1] + ["item_url", "since", "days"]].sort_index(),
                    w.set_index(keys)[COLUMNS[:1] + ["item_url", "since", "days"]].sort_index(), what)
    # Most urgent reason first, then the longest-standing (no date, as a single maintainer: last).
    order = got["reason"].map({r: i for i, r in enumerate(metrics.ATTENTION_REASONS)})
    ranked = pd.DataFrame({"order": order, "days": got["days"].fillna(float("-inf"))})
    assert ranked["order"].is_monotonic_increasing, what
    assert all(grp["days"].is_monotonic_decreasing for _, grp in ranked.groupby("order")), what


def test_attention_list_equals_the_reference_at_every_moment(warehouse, tables):
    reasons = set()
    for earlier, now, call_now in ref.moments(warehouse):
        want = _attention(warehouse, tables, now, tables[0])
        got = metrics.attention_list(warehouse, Scope(), now=call_now)
        _compare(got, want, f"{earlier} days earlier, now={call_now}")
        reasons |= set(want["reason"])
    # Every reason but a contract about to end occurs at some moment.
    assert reasons >= set(metrics.ATTENTION_REASONS) - {"contract_expiring"}, reasons


def test_attention_list_with_other_windows_equals_the_reference(warehouse, tables):
    # An earlier moment, and the stored one (its lifecycle stages read from the stored results).
    for (earlier, now, call_now), (days, no_response_days, expiring_days) in zip(
            [ref.moments(warehouse)[i] for i in (2, 2, 0)], ((90, 30, 180), (730, 7, 30), (90, 14, 90)), strict=True):
        want = _attention(warehouse, tables, now, tables[0], days, no_response_days, expiring_days)
        got = metrics.attention_list(warehouse, Scope(), days=days, no_response_days=no_response_days,
                                     expiring_days=expiring_days, now=call_now)
        _compare(got, want, f"{days} days, {no_response_days} without response, {expiring_days} to expire, "
                 f"{earlier} days earlier")


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ["repo, entity neustadt", "entity, forge github", "entity, one repository"])
def test_attention_list_with_filters_equals_the_reference(warehouse, tables, name):
    scope = ref.filtered_scope(name, tables[0])
    kept = ref.in_scope(tables[0], scope)
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        want = _attention(warehouse, tables, now, kept)
        got = metrics.attention_list(warehouse, scope, now=call_now)
        _compare(got, want, f"{scope}, {earlier} days earlier, now={call_now}")
