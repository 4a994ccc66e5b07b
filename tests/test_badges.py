"""openCoDE's badges: known answers on hand-built repositories of a real warehouse, every level of
every badge including 'unknown', their thresholds from the registry, and the settings' errors."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from collectors.badge_settings import BadgeSettings
from collectors.registry import RegistryError, parse_registry
from warehouse.identities import rebuild_identities
from warehouse.metrics import Scope, refresh_metric_facts
from warehouse.metrics.badge_settings import BadgeThresholds, stored_badge_thresholds
from warehouse.metrics.badges import badge_summary, badges
from warehouse.metrics.facts import LIVE, sources
from warehouse.schema import migrate
from warehouse.state import sync_registry

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)
GH = ("github", "github.com")
GL = ("gitlab", "gitlab.com")

REGISTRY = """\
[[entity]]
id = "city"
name = "Stadt Musterstadt"
country = "DE"
archetype = "local"

  [[entity.account]]
  forge = "github"
  owner = "city"

  [[entity.account]]
  forge = "gitlab"
  owner = "city-group"

[[entity]]
id = "other1"
name = "Stadt Other"
country = "DE"
archetype = "local"

  [[entity.account]]
  forge = "github"
  owner = "other1"

[[entity]]
id = "other2"
name = "Land Zwei"
country = "DE"
archetype = "national"

  [[entity.account]]
  forge = "github"
  owner = "other2"
"""

PEOPLE = {"ann": "ann@firma.example", "bob": "bob@other.example", "dependabot[bot]": "bot@users.noreply.github.com"}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# path, forge, forks_count; "city-group/gold" is on GitLab: the badges do not care which forge.
REPOS = [
    ("city/none", GH, 0), ("city/bronze", GH, 0), ("city/silver", GH, 0), ("city-group/gold", GL, 0),
    ("city/slow", GH, 0), ("city/unknown", GH, 3), ("city/shared", GH, 4),
]


def commits(path: str, forge: tuple[str, str], *authors_days: tuple[str, float]) -> list[tuple]:
    rows = []
    for n, (login, days) in enumerate(authors_days):
        on_gitlab = forge == GL  # GitLab commits carry no login: the e-mail links them
        rows.append((*forge, path, f"{path}-{n}", None if on_gitlab else login, PEOPLE[login], login, ago(days)))
    return rows


COMMITS = (
    commits("city/none", GH, ("ann", 10), ("ann", 20), ("dependabot[bot]", 5), ("dependabot[bot]", 6),
            ("ann", 200), ("ann", 300))  # 4 in the window, bots included; the old ones do not count
    + commits("city/bronze", GH, *[("ann", d) for d in (1, 2, 3, 4, 5)])
    + commits("city/silver", GH, *[("ann", d) for d in (10, 20, 30, 40, 180)])
    + commits("city-group/gold", GL, ("ann", 1), ("ann", 2), ("ann", 3), ("bob", 4), ("bob", 5), ("bob", 6))
    + commits("city/slow", GH, *[("ann", d) for d in (1, 2, 3, 4, 5)])
    + commits("city/unknown", GH, *[("ann", d) for d in (1, 2, 3, 4, 5)])
    + commits("city/shared", GH, ("ann", 400))
)

# forge, host, path, number, state, author, created, closed
ISSUES = [
    (*GH, "city/bronze", 1, "open", "bob", ago(10), None),      # answered after 2 days
    (*GL, "city-group/gold", 1, "closed", "bob", ago(20), ago(19)),  # closed after a day
    (*GL, "city-group/gold", 2, "open", "bob", ago(5), None),        # waiting 5 days at NOW
    (*GL, "city-group/gold", 3, "open", "bob", ago(200), None),      # before the 3 months
    (*GH, "city/slow", 1, "open", "bob", ago(40), None),        # answered after 20 days
    (*GH, "city/slow", 2, "open", "bob", ago(10), None),        # answered after a day
    (*GH, "city/slow", 3, "open", "dependabot[bot]", ago(50), None),  # a bot's: not counted
]
# forge, host, path, comment id, item number, author, created
COMMENTS = [
    (*GH, "city/bronze", 1, 1, "ann", ago(8)),
    (*GH, "city/slow", 2, 1, "ann", ago(20)),
    (*GH, "city/slow", 3, 2, "ann", ago(9)),
    (*GH, "city/slow", 4, 3, "bob", ago(9.5)),  # the author's own comment is no response
    (*GH, "city/slow", 5, 2, "ann", ago(9)),
]
# Items were collected (their cursor written) everywhere but city/unknown.
ITEMS_CURSORS = ["city/none", "city/bronze", "city/silver", "city-group/gold", "city/slow", "city/shared"]
RELEASES = [("city/silver", GH, "v1.0", ago(30)), ("city-group/gold", GL, "v2.0", ago(60)),
            ("city/bronze", GH, "v0.1", ago(400))]  # too old for the window
# path, forge, has_security; city/unknown has no root listing
ROOT_FILES = [("city/none", GH, False), ("city/bronze", GH, True), ("city/silver", GH, True),
              ("city-group/gold", GL, True), ("city/slow", GH, True), ("city/shared", GH, True)]
USED_BY = ["Org 1", "Org 2", "Org 3", "Org 4", "Org 5", "Org 6", "Org 7", "Org 8",
           " org 1 ",        # the same name again
           "Other City",     # matched to the entity other1, which also forked it: one organisation
           "Musterstadt",    # the owner itself: no subsequent use
           ""]
MATCHES = [("Other City", "other1"), ("Musterstadt", "city")]
# fork of city/shared: path, owner (only registry entities other than the owner count)
FORKS = [("other1/shared", "other1"), ("other2/shared", "other2"), ("stranger/shared", "stranger"),
         ("city/shared-fork", "city")]


def _load(con: duckdb.DuckDBPyConnection) -> None:
    for path, forge, forks_count in REPOS:
        con.execute(
            "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, html_url, archived, is_fork,"
            " stars, forks_count, open_issues, created_at) VALUES (?, ?, ?, 'city', ?, ?, ?, false, false, 0, ?, 0, ?)",
            [*forge, path, path.split("/")[0], path.split("/")[1], f"https://{forge[1]}/{path}", forks_count,
             datetime(2020, 1, 1, tzinfo=UTC)])
    con.executemany(
        "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name, committed_at,"
        " authored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*c, c[-1]) for c in COMMITS])
    con.executemany(
        "INSERT INTO items (forge, host, repo_path, number, kind, state, author_login, created_at, closed_at)"
        " VALUES (?, ?, ?, ?, 'issue', ?, ?, ?, ?)", ISSUES)
    con.executemany(
        "INSERT INTO comments (forge, host, repo_path, comment_id, item_kind, item_number, kind, author_login,"
        " created_at) VALUES (?, ?, ?, ?, 'issue', ?, 'comment', ?, ?)", COMMENTS)
    forges = {p: f for p, f, _ in REPOS}
    for path in ITEMS_CURSORS:
        forge = forges[path]
        con.execute("INSERT INTO cursors (forge, host, scope, stream, updated_at) VALUES (?, ?, ?, 'items', ?)",
                    [*forge, path, NOW])
    con.executemany("INSERT INTO releases (forge, host, repo_path, tag, published_at) VALUES (?, ?, ?, ?, ?)",
                    [(*f, p, tag, at) for p, f, tag, at in RELEASES])
    con.executemany(
        "INSERT INTO root_files (forge, host, repo_path, has_readme, has_license, has_contributing,"
        " has_code_of_conduct, has_security, has_publiccode) VALUES (?, ?, ?, true, true, false, false, ?, ?)",
        [(*f, p, sec, p == "city/shared") for p, f, sec in ROOT_FILES])
    con.execute("INSERT INTO publiccode (forge, host, repo_path, valid, used_by) VALUES (?, ?, ?, true, ?)",
                [*GH, "city/shared", USED_BY])
    con.executemany("INSERT INTO publiccode_matches (text, entity_id, method, score) VALUES (?, ?, 'exact', 1)",
                    MATCHES)
    con.executemany("INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner) VALUES (?, ?, ?, ?, ?)",
                    [(*GH, "city/shared", p, o) for p, o in FORKS])
    con.execute("INSERT INTO cursors (forge, host, scope, stream, updated_at) VALUES (?, ?, 'city/shared', 'forks', ?)",
                [*GH, NOW])


@pytest.fixture(scope="module")
def db_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("badges") / "ossdash.duckdb"
    con = duckdb.connect(str(path))
    migrate(con)
    registry = parse_registry(REGISTRY)
    sync_registry(con, registry)
    _load(con)
    rebuild_identities(con, registry)
    refresh_metric_facts(con)
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture(scope="module")
def con(db_file):
    con = duckdb.connect(str(db_file), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def table(con) -> pd.DataFrame:
    return badges(con, now=NOW).set_index("path")


def test_one_row_per_repository_on_every_forge(table):
    assert sorted(table.index) == sorted(p for p, _, _ in REPOS)
    assert table.loc["city-group/gold", "forge"] == "gitlab" and table.loc["city/none", "forge"] == "github"


def test_no_maintained_badge_with_too_few_commits(table):
    r = table.loc["city/none"]
    assert r["commits_6m"] == 4 and r["commits_outcome"] == "not_met"   # two by a bot count, as in git
    assert r["issues_3m"] == 0 and r["issue_response_outcome"] == "met"  # no issue: nobody waited
    assert (r["maintained_bronze"], r["maintained_silver"], r["maintained_gold"]) == ("not_met",) * 3
    assert r["maintained_level"] == "none"


def test_bronze_with_the_next_level_unknown_for_want_of_a_release(table):
    r = table.loc["city/bronze"]
    assert r["commits_6m"] == 5 and r["commits_outcome"] == "met"
    assert r["issues_3m"] == 1 and r["mean_response_days"] == pytest.approx(2.0)
    assert r["releases_6m"] == 0 and r["release_outcome"] == "unknown"   # a tag may exist uncollected
    assert r["bus_factor"] == 1 and r["bus_factor_outcome"] == "not_met"
    assert r["maintained_bronze"] == "met" and r["maintained_silver"] == "unknown"
    assert r["maintained_gold"] == "not_met" and r["maintained_level"] == "bronze"


def test_silver_and_gold(table):
    silver = table.loc["city/silver"]
    assert silver["commits_6m"] == 5 and silver["releases_6m"] == 1 and silver["bus_factor"] == 1
    assert silver["maintained_silver"] == "met" and silver["maintained_gold"] == "not_met"
    assert silver["maintained_level"] == "silver"
    gold = table.loc["city-group/gold"]
    # ann 3, bob 3: no one holds over half of the commits, two people do.
    assert gold["commits_6m"] == 6 and gold["bus_factor"] == 2 and gold["bus_factor_outcome"] == "met"
    # closed after 1 day, waiting 5 days at NOW: (1 + 5) / 2; the issue of 200 days ago is outside
    assert gold["issues_3m"] == 2 and gold["mean_response_days"] == pytest.approx(3.0)
    assert (gold["maintained_bronze"], gold["maintained_silver"], gold["maintained_gold"]) == ("met",) * 3
    assert gold["maintained_level"] == "gold"


def test_a_slow_reaction_fails_bronze_and_security(table):
    r = table.loc["city/slow"]
    # 20 and 1 days; the bot's issue is left out, the author's own comment is no reaction
    assert r["issues_3m"] == 2 and r["mean_response_days"] == pytest.approx(10.5)
    assert r["issue_response_outcome"] == "not_met" and r["maintained_level"] == "none"
    assert r["security_level_1"] == "not_met" and r["security_level"] == "none"


def test_security_is_unknown_while_branch_protection_cannot_be_read(table):
    r = table.loc["city/bronze"]
    assert r["has_security"] and r["security_file_outcome"] == "met"
    assert r["branch_protection_outcome"] == "unknown"
    assert r["security_level_1"] == "unknown" and r["security_level_2"] == "unknown"
    assert r["security_level"] == "unknown"  # never shown as failed
    for outcome in ("signed_tags_outcome", "code_review_outcome"):
        assert set(table[outcome]) == {"unknown"}
    assert table["reviewed_share"].isna().all() and table["signed_tags_share"].isna().all()
    # A missing SECURITY file fails level 1 whatever else is unknown.
    none = table.loc["city/none"]
    assert none["security_file_outcome"] == "not_met" and none["security_level"] == "none"
    assert none["security_level_2"] == "not_met"


def test_what_was_not_collected_is_unknown(table):
    r = table.loc["city/unknown"]
    assert not r["issues_collected"] and r["issue_response_outcome"] == "unknown"
    assert r["commits_outcome"] == "met" and r["maintained_bronze"] == "unknown"
    assert r["maintained_level"] == "unknown"
    assert pd.isna(r["has_security"]) and r["security_file_outcome"] == "unknown"
    # Three forks the forge counts, never listed, and no root listing: reuse cannot be ruled out.
    assert r["using_orgs"] == 0 and r["using_organisations_outcome"] == "unknown" and r["reuse_level"] == "unknown"


def test_reuse_counts_distinct_organisations(con, table):
    r = table.loc["city/shared"]
    # Org 1..8 and other1 (usedBy, 'Other City' matched), other1 and other2 (forks): 10 organisations;
    # the owner's own name and fork, a blank entry and a fork outside the registry do not count.
    assert (r["used_by_orgs"], r["fork_orgs"], r["using_orgs"]) == (9, 2, 10)
    assert r["using_organisations_outcome"] == "met" and r["reuse_level"] == "level_1"
    silver = table.loc["city/silver"]
    assert silver["using_orgs"] == 0 and silver["reuse_level_1"] == "not_met" and silver["reuse_level"] == "none"
    fewer = badges(con, now=NOW, thresholds=BadgeThresholds(min_using_organisations=11)).set_index("path")
    assert fewer.loc["city/shared", "reuse_level"] == "none"


def test_thresholds_change_the_answer(con):
    t = badges(con, now=NOW, thresholds=BadgeThresholds(min_commits=4, max_response_days=11,
                                                         min_bus_factor=1)).set_index("path")
    assert t.loc["city/none", "maintained_bronze"] == "met"
    assert t.loc["city/slow", "maintained_level"] == "bronze"
    assert t.loc["city/silver", "maintained_level"] == "gold"
    # Three days earlier the commits of days 1 and 2 had not happened: bronze lost (3 < 5).
    earlier = badges(con, now=NOW - timedelta(days=3)).set_index("path")
    assert earlier.loc["city/bronze", "commits_6m"] == 3 and earlier.loc["city/bronze", "maintained_level"] == "none"


def test_scope_filters(con):
    one = badges(con, Scope(repo=(*GL, "city-group/gold")), now=NOW)
    assert list(one["path"]) == ["city-group/gold"] and one.loc[0, "maintained_level"] == "gold"
    assert badges(con, Scope(entity_id="other1"), now=NOW).empty
    assert list(badges(con, Scope(forge="gitlab"), now=NOW)["path"]) == ["city-group/gold"]
    # An entity without repositories has no row, and the columns stay.
    empty = badge_summary(con, Scope("entity", entity_id="other1"), now=NOW)
    assert empty.empty and {"repos", "maintained_gold", "security_unknown", "reuse_level_1"} <= set(empty.columns)


def test_summary_per_entity(con):
    s = badge_summary(con, now=NOW)
    city = s[s["entity_id"] == "city"].iloc[0]
    assert city["repos"] == 7 and city["entity_name"] == "Stadt Musterstadt"
    assert (city["maintained_none"], city["maintained_unknown"], city["maintained_bronze"],
            city["maintained_silver"], city["maintained_gold"]) == (3, 1, 1, 1, 1)  # none: none, slow, shared
    assert city["security_none"] == 2 and city["security_unknown"] == 5 and city["security_level_1"] == 0
    assert (city["reuse_none"], city["reuse_unknown"], city["reuse_level_1"]) == (5, 1, 1)
    eco = badge_summary(con, Scope("ecosystem"), now=NOW)
    assert len(eco) == 1 and eco.loc[0, "repos"] == 7 and eco.loc[0, "maintained_gold"] == 1


def test_thresholds_from_the_registry(db_file, tmp_path):
    assert BadgeSettings().as_dict() == asdict(BadgeThresholds())  # the two defaults stay in step
    path = tmp_path / "settings.duckdb"
    path.write_bytes(db_file.read_bytes())
    w = duckdb.connect(str(path))
    assert stored_badge_thresholds(w) == BadgeThresholds()
    sync_registry(w, parse_registry(REGISTRY + "\n[settings.badges]\nmin_commits = 4\nmax_response_days = 11.5\n"))
    assert stored_badge_thresholds(w) == BadgeThresholds(min_commits=4, max_response_days=11.5)
    t = badges(w, now=NOW).set_index("path")
    assert t.loc["city/none", "commits_outcome"] == "met" and t.loc["city/slow", "maintained_level"] == "bronze"
    w.close()


@pytest.mark.parametrize("body, message", [
    ("min_commits = 0", "field 'min_commits': must be a whole number, 1 or more and at most 1000000, got 0"),
    ("window_days = 2.5", "field 'window_days': must be a whole number of days greater than 0 and at most 36500"),
    ("min_reviewed_share = 1.5", "field 'min_reviewed_share': must be a share greater than 0 and at most 1"),
    ("min_signed_tags_share = true", "field 'min_signed_tags_share': must be a share greater than 0 and at most 1"),
    ("max_response_days = 0", "field 'max_response_days': must be a number of days greater than 0"),
    ("min_stars = 3", "[settings.badges]: field 'min_stars': unknown field"),
    ("window_days = 60", "field 'issue_window_days': the issue window (92 days) must not be longer than the badge window"),
])
def test_settings_errors(body, message):
    with pytest.raises(RegistryError) as err:
        parse_registry(REGISTRY + f"\n[settings.badges]\n{body}\n")
    assert message in str(err.value)


def test_badges_section_must_be_a_table():
    with pytest.raises(RegistryError, match=r"\[settings.badges\]: must be a table"):
        parse_registry(REGISTRY + "\n[settings]\nbadges = 3\n")


def test_the_live_views_give_the_same_answer(db_file, table, tmp_path):
    # Without the refresh's record the fact tables are not trusted: the live views are read.
    path = tmp_path / "stale.duckdb"
    path.write_bytes(db_file.read_bytes())
    w = duckdb.connect(str(path))
    w.execute("DELETE FROM metric_facts_state")
    assert sources(w) == LIVE
    pd.testing.assert_frame_equal(badges(w, now=NOW).set_index("path"), table)
    w.close()


# Merged change requests and their reviews: forge, path, number, author, merged days ago, reviews
# (reviewer, state, association; None: the reviews were never read).
CHANGE_REQUESTS = [
    (GH, "city/bronze", 11, "bob", 10, [("ann", "APPROVED", "MEMBER")]),
    (GH, "city/bronze", 12, "bob", 20, [("ann", "CHANGES_REQUESTED", "OWNER"), ("ann", "APPROVED", "OWNER")]),
    (GH, "city/bronze", 13, "bob", 30, [("ann", "COMMENTED", "COLLABORATOR")]),
    (GH, "city/bronze", 14, "bob", 40, [("", "NONE", None)]),            # read: no review
    (GH, "city/bronze", 15, "bob", 300, []),                              # merged before the window
    (GH, "city/silver", 11, "ann", 10, [("bob", "APPROVED", "MEMBER")]),
    (GH, "city/silver", 12, "ann", 10, [("ann", "APPROVED", "OWNER")]),    # the author's own
    (GH, "city/silver", 13, "ann", 10, [("carl", "COMMENTED", "CONTRIBUTOR")]),  # not a maintainer
    (GH, "city/silver", 14, "ann", 10, [("bob", "DISMISSED", "MEMBER")]),  # withdrawn
    (GH, "city/silver", 15, "ann", 10, None),
    (GL, "city-group/gold", 11, "bob", 10, [("ann", "APPROVED", None)]),  # a GitLab approval
    (GL, "city-group/gold", 12, "bob", 10, None),
]


def test_code_review_from_the_collected_reviews(db_file, tmp_path):
    path = tmp_path / "reviews.duckdb"
    path.write_bytes(db_file.read_bytes())
    with duckdb.connect(str(path)) as con:
        for forge, repo, number, author, days, reviews in CHANGE_REQUESTS:
            con.execute(
                "INSERT INTO items (forge, host, repo_path, number, kind, state, author_login, created_at, closed_at,"
                " merged_at) VALUES (?, ?, ?, ?, 'change_request', 'merged', ?, ?, ?, ?)",
                [*forge, repo, number, author, ago(days + 1), ago(days), ago(days)])
            for reviewer, state, association in reviews or []:
                con.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [*forge, repo, number, reviewer, state, ago(days + 0.5), association])
        refresh_metric_facts(con)
        got = badges(con, now=NOW).set_index("path")
    bronze, silver, gold, none = (got.loc[p] for p in ("city/bronze", "city/silver", "city-group/gold", "city/none"))
    # 3 of 4 read and reviewed by a maintainer: 75%, the threshold.
    assert (bronze["merged_6m"], bronze["reviews_known"], bronze["reviewed_6m"]) == (4, 4, 3)
    assert bronze["reviewed_share"] == pytest.approx(0.75) and bronze["code_review_outcome"] == "met"
    # 1 of 5 by a maintainer; even if the unread one was reviewed, 2 of 5 stay under 75%.
    assert (silver["merged_6m"], silver["reviews_known"], silver["reviewed_6m"]) == (5, 4, 1)
    assert silver["code_review_outcome"] == "not_met"
    # One approval, one change request unread: 50% or 100%, nothing decides it.
    assert (gold["merged_6m"], gold["reviewed_6m"], gold["code_review_outcome"]) == (2, 1, "unknown")
    # Nothing merged in the window: no process to judge.
    assert none["merged_6m"] == 0 and pd.isna(none["reviewed_share"]) and none["code_review_outcome"] == "unknown"
    # Security level 2 still waits for the signed tags, whatever the reviews say.
    assert got["security_level_2"].isin(["unknown", "not_met"]).all()
    assert silver["security_level_2"] == "not_met"


def test_the_goal_metric_counts_silver_or_better(db_file):
    # city: Silver (city/silver) and Gold (city-group/gold) of its 7 repositories; the others have none.
    from warehouse import goals

    with duckdb.connect(str(db_file), read_only=True) as con:
        registry = parse_registry(REGISTRY)
        values = goals.goal_values(con, registry, NOW.date(), metrics=["maintained_silver_share"])
    got = dict(zip(values["entity_id"], values["value"]))
    assert got["city"] == pytest.approx(2 / 7)
    assert got["other1"] is None or pd.isna(got["other1"])  # no repository: no data, never 0
