"""The sustainability metrics (Contributor Absence Factor, Elephant Factor and its organisation
shares, Inactive Contributors) at every level, for several windows and moments, against a
reference computed in pandas from the collected commits, persons and affiliations
(tests/metrics_reference_support.py).

Interpretations where docs/metrics.md leaves room: a window is ``now - days <= t <= now``; above
the repository level a commit counts once by SHA for a person (or an organisation) and once in the
total, so "the commits of the fewest people" is the union of their SHAs (in this collection no SHA
has two authors or two organisations, which the tests check, so union and sum agree); the most
active organisation among several with the same commits may be any of them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from warehouse import metrics
from warehouse.metrics import Scope

# Mail domains that say nothing about an employer (docs/metrics.md, Elephant Factor: free-mail
# providers and no-reply addresses). The list is the documented heuristic's data.
FREE_MAIL = {
    "gmail.com", "googlemail.com", "outlook.com", "outlook.de", "hotmail.com", "hotmail.de", "live.com",
    "live.de", "msn.com", "yahoo.com", "yahoo.de", "yahoo.fr", "yahoo.it", "icloud.com", "me.com", "mac.com",
    "aol.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "web.de", "freenet.de", "t-online.de",
    "arcor.de", "online.de", "posteo.de", "posteo.net", "mailbox.org", "protonmail.com", "protonmail.ch",
    "proton.me", "pm.me", "tutanota.com", "tutanota.de", "tuta.io", "fastmail.com", "fastmail.fm", "hey.com",
    "zoho.com", "yandex.ru", "yandex.com", "mail.ru", "qq.com", "163.com", "libero.it", "virgilio.it",
    "alice.it", "tiscali.it", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr", "hotmail.fr",
    "hotmail.it", "seznam.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "telenet.be", "skynet.be",
    "ziggo.nl", "kpnmail.nl", "xs4all.nl", "bluewin.ch", "email.com", "mail.com", "users.sourceforge.net",
}
SOURCE_ORDER = {"member": 0, "alias": 1, "email_domain": 2}


def personal(domain) -> bool:
    if not isinstance(domain, str):
        return True
    return ("." not in domain or "noreply" in domain or "no-reply" in domain or domain == "localhost"
            or domain.endswith((".local", ".localdomain")) or domain in FREE_MAIL)


@pytest.fixture(scope="module")
def data(warehouse):
    repos = ref.repos(warehouse)
    commits = ref.commits(warehouse, repos)
    people = commits[~commits["is_bot"] & commits["person_id"].notna()].copy()
    aff = warehouse.execute("SELECT person_id, entity_id, source FROM person_affiliations").df()
    own = set(zip(aff["person_id"], aff["entity_id"]))
    aff["order"] = aff["source"].map(SOURCE_ORDER)
    first = aff.sort_values(["person_id", "order", "entity_id"]).drop_duplicates("person_id")
    first_of = dict(zip(first["person_id"], first["entity_id"]))

    def organisation(row) -> str:
        if (row.person_id, row.entity_id) in own:
            return f"entity:{row.entity_id}"
        if row.person_id in first_of:
            return f"entity:{first_of[row.person_id]}"
        if not personal(row.email_domain):
            return f"domain:{row.email_domain}"
        return f"person:{int(row.person_id)}"

    people["organisation"] = [organisation(r) for r in people.itertuples()]
    return repos, people


def _window(people: pd.DataFrame, days: float, now) -> pd.DataFrame:
    return people[(people["committed_at"] >= now - pd.Timedelta(days=days)) & (people["committed_at"] <= now)]


def _factor(window: pd.DataFrame, keys: list[str], member: str, share: float) -> pd.DataFrame:
    """Per group: commits (distinct SHAs), members, the factor (fewest members, most commits first,
    whose commits together exceed ``share`` of the group's), the most active members and top share.
    A running sum of the members' distinct SHAs is their union because no SHA has two members
    (test_no_commit_has_two_authors_or_two_organisations)."""
    counts = (window.groupby([*keys, member])["sha"].nunique().rename("n").reset_index()
              .sort_values([*keys, "n"], ascending=[True] * len(keys) + [False], kind="stable"))
    counts["running"] = counts.groupby(keys)["n"].cumsum()
    counts["rank"] = counts.groupby(keys).cumcount() + 1
    total = window.groupby(keys)["sha"].nunique()
    counts["total"] = total.reindex(pd.MultiIndex.from_frame(counts[keys]) if len(keys) > 1
                                    else counts[keys[0]]).to_numpy()
    g = counts.groupby(keys)
    top = g["n"].transform("max")
    return pd.DataFrame({
        "commits": total,
        "members": g.size(),
        "factor": counts[counts["running"] > share * counts["total"]].groupby(keys)["rank"].min(),
        "top_share": g["n"].max() / total,
        "top": counts[counts["n"] == top].groupby(keys)[member].agg(set),
    })


def _absence(people, repos, level, days, now, share) -> pd.DataFrame:
    f = _factor(_window(people, days, now), ref.KEYS[level], "person_id", share)
    out = pd.DataFrame({"commits": f.get("commits"), "contributors": f.get("members"),
                        "absence_factor": f.get("factor"), "top_share": f.get("top_share")}, index=f.index)
    out = ref.per_group(out, repos, level)
    out[["commits", "contributors"]] = out[["commits", "contributors"]].fillna(0)
    out["absence_factor"] = out["absence_factor"].astype("Float64")
    return out


def test_no_commit_has_two_authors_or_two_organisations(data):
    _, people = data
    assert people.groupby("sha")["person_id"].nunique().max() == 1
    assert people.groupby("sha")["organisation"].nunique().max() == 1
    # ... while commits do sit in repositories of several entities (mirrors and forks).
    assert people.groupby("sha")["entity_id"].nunique().max() > 1


@pytest.mark.parametrize("level", ref.LEVELS)
def test_absence_factor_equals_the_reference(warehouse, data, level):
    repos, people = data
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            for share in (0.5, 0.75):
                if share != 0.5 and days != 365:
                    continue
                want = _absence(people, repos, level, days, now, share)
                got = metrics.absence_factor(warehouse, Scope(level), days=days, share=share, now=call_now)
                got = ref.engine_frame(got, level, list(want.columns))
                got["absence_factor"] = got["absence_factor"].astype("Float64")
                ref.assert_same(got, want, f"{level}, {days} days, share {share}, {earlier} days earlier, "
                                f"now={call_now}")
    want = _absence(people, repos, level, 365, ref.moments(warehouse)[0][1], 0.5)
    assert want["absence_factor"].max() > 1 and (want["commits"] > 0).any()


@pytest.mark.parametrize("level", ref.LEVELS)
def test_elephant_factor_and_organisation_shares_equal_the_reference(warehouse, data, level):
    repos, people = data
    keys = ref.KEYS[level]
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            what = f"{level}, {days} days, {earlier} days earlier, now={call_now}"
            window = _window(people, days, now)
            f = _factor(window, keys, "organisation", 0.5)
            want = ref.per_group(pd.DataFrame({
                "commits": f.get("commits"), "organisations": f.get("members"),
                "elephant_factor": f.get("factor"), "top_share": f.get("top_share")}, index=f.index), repos, level)
            want[["commits", "organisations"]] = want[["commits", "organisations"]].fillna(0)
            want["elephant_factor"] = want["elephant_factor"].astype("Float64")
            got = ref.engine_frame(metrics.elephant_factor(warehouse, Scope(level), days=days, now=call_now),
                                   level, [*want.columns, "top_organisation"])
            tops = got.pop("top_organisation")
            got["elephant_factor"] = got["elephant_factor"].astype("Float64")
            ref.assert_same(got, want, what)
            for key, top in tops.dropna().items():
                assert top in f.loc[key, "top"], (what, key, top)
            assert tops.isna().sum() == (want["commits"] == 0).sum(), what

            shares = window.groupby([*keys, "organisation"])["sha"].nunique().rename("commits").to_frame()
            shares["share"] = shares["commits"] / window.groupby(keys)["sha"].nunique().reindex(
                shares.index.droplevel("organisation")).to_numpy()
            got = metrics.organisation_shares(warehouse, Scope(level), days=days, now=call_now)
            ref.assert_same(ref.engine_frame(got, level, ["commits", "share"], ("organisation",)),
                            shares.sort_index(), f"shares: {what}")
    # Both kinds of organisation the demo has are in play (nobody without an affiliation writes
    # from a free-mail address there, so no commit is a person's alone).
    orgs = _window(people, 365, ref.moments(warehouse)[0][1])["organisation"]
    assert {o.split(":")[0] for o in orgs} == {"entity", "domain"}


@pytest.mark.parametrize("level", ref.LEVELS)
def test_inactive_contributors_equal_the_reference(warehouse, data, level):
    repos, people = data
    keys = ref.KEYS[level]
    for earlier, now, call_now in ref.moments(warehouse):
        for days in ref.WINDOWS:
            last = people[people["committed_at"] <= now].groupby([*keys, "person_id"])["committed_at"].max()
            since = now - pd.Timedelta(days=days)
            per = last.reset_index()
            per["active"], per["inactive"] = per["committed_at"] >= since, per["committed_at"] < since
            g = per.groupby(keys)
            want = pd.DataFrame({"contributors": g.size(), "active": g["active"].sum(),
                                 "inactive": g["inactive"].sum()})
            want = ref.per_group(want, repos, level).fillna(0)
            want["inactive_share"] = (want["inactive"] / want["contributors"]).where(want["contributors"] > 0)
            got = metrics.inactive_contributors(warehouse, Scope(level), days=days, now=call_now)
            ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want,
                            f"{level}, {days} days, {earlier} days earlier, now={call_now}")
            if level == "ecosystem" and days == 365:
                assert want["inactive"].iloc[0] > 0 and want["active"].iloc[0] > 0


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ref.FILTERS)
def test_sustainability_with_filters_equals_the_reference(warehouse, data, name):
    repos, people = data
    scope = ref.filtered_scope(name, repos)
    level, keys = scope.level, ref.KEYS[scope.level]
    kept = ref.in_scope(repos, scope)
    mine = ref.restrict(people, kept)
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        what = f"{scope}, {earlier} days earlier, now={call_now}"
        want = _absence(mine, kept, level, 365, now, 0.5)
        got = ref.engine_frame(metrics.absence_factor(warehouse, scope, now=call_now), level, list(want.columns))
        got["absence_factor"] = got["absence_factor"].astype("Float64")
        ref.assert_same(got, want, f"absence: {what}")

        window = _window(mine, 365, now)
        f = _factor(window, keys, "organisation", 0.5)
        want = ref.per_group(pd.DataFrame({"commits": f["commits"], "elephant_factor": f["factor"]}), kept, level)
        want["commits"] = want["commits"].fillna(0)
        want["elephant_factor"] = want["elephant_factor"].astype("Float64")
        got = ref.engine_frame(metrics.elephant_factor(warehouse, scope, now=call_now), level, list(want.columns))
        got["elephant_factor"] = got["elephant_factor"].astype("Float64")
        ref.assert_same(got, want, f"elephant: {what}")
        shares = window.groupby([*keys, "organisation"])["sha"].nunique().rename("commits").sort_index()
        got = ref.engine_frame(metrics.organisation_shares(warehouse, scope, now=call_now), level, ["commits"],
                               ("organisation",))
        ref.assert_same(got, shares.to_frame(), f"shares: {what}")

        last = mine[mine["committed_at"] <= now].groupby([*keys, "person_id"])["committed_at"].max().reset_index()
        last["inactive"] = last["committed_at"] < now - pd.Timedelta(days=365)
        want = ref.per_group(pd.DataFrame({"contributors": last.groupby(keys).size(),
                                           "inactive": last.groupby(keys)["inactive"].sum()}), kept, level).fillna(0)
        got = metrics.inactive_contributors(warehouse, scope, now=call_now)
        ref.assert_same(ref.engine_frame(got, level, list(want.columns)), want, f"inactive: {what}")
