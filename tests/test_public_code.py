"""The Standard for Public Code's machine-checkable part: known answers on hand-built repositories
of a real warehouse, every check met, not met and unknown, the criteria they make up, and the
counts per entity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from collectors.registry import parse_registry
from warehouse.identities import rebuild_identities
from warehouse.metrics import Scope, refresh_metric_facts
from warehouse.metrics.public_code import OUTCOMES, public_code, public_code_summary
from warehouse.metrics.public_code_criteria import (
    CHECKED_CRITERIA,
    CHECKS,
    CRITERIA,
    UNCHECKED_CRITERIA,
)
from warehouse.schema import migrate
from warehouse.state import sync_registry

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)  # a Tuesday
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
"""


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 7, day, hour, tzinfo=UTC)


# path, forge, description, licence, issues enabled, forks_count
REPOS = [
    ("city/model", GH, "Appointments for citizens", "EUPL-1.2", True, 0),
    ("city/bare", GH, None, None, False, 0),
    ("city/unknown", GH, "  ", "CC0-1.0", None, 3),
    ("city/folders", GH, "Maps", "MIT", True, 0),
    ("city/old", GH, "Forms", "MIT", True, 0),
    ("city-group/gitlab", GL, "Waste collection", None, True, 0),  # a licence file the forge did not name
]
# path, forge, has_license, has_contributing, has_security, files, dirs, workflows
ROOTS = [
    ("city/model", GH, True, True, True,
     ["CHANGELOG.md", "CONTRIBUTING.md", "GOVERNANCE.md", "LICENSE", "SECURITY.md", "publiccode.yml"],
     [".github", "src"], ["ci.yml"]),
    ("city/bare", GH, False, False, False, ["README.md"], ["src"], None),
    ("city/folders", GH, False, False, False, ["README.md"], [".github", "LICENSES", "docs"], None),
    ("city/old", GH, True, False, False, ["LICENSE", "README.md"], None, None),  # folders not kept then
    ("city-group/gitlab", GL, True, True, True, [".gitlab-ci.yml", "CONTRIBUTING.md", "LICENSE", "SECURITY.md"],
     [".gitlab"], None),
]
# path, forge, committed (days before NOW); the bot's commit makes no committer
COMMITS = [("city/model", GH, 5), ("city/bare", GH, 400), ("city/unknown", GH, 3), ("city/folders", GH, 2),
           ("city-group/gitlab", GL, 4)]
RELEASES = [("city/model", GH, "v1.0", at(1)), ("city-group/gitlab", GL, "v2.0", at(2))]
# forge, host, path, number, author, created, merged
CHANGE_REQUESTS = [
    (*GH, "city/model", 10, "bob", at(7, 9), at(9)),        # Monday, reviewed Tuesday
    (*GH, "city/model", 11, "bob", at(4, 17), at(9)),       # Friday evening, reviewed Tuesday morning
    (*GH, "city/bare", 1, "bob", at(7), at(8)),             # read: no review
    (*GH, "city/bare", 2, "bob", at(7), at(8)),             # reviewed by its own author only
    (*GH, "city/unknown", 1, "bob", at(7), at(8)),          # reviews not read
    (*GH, "city/folders", 1, "bob", at(7, 9), at(11, 18)),  # Monday, first reviewed Friday
    (*GL, "city-group/gitlab", 1, "bob", at(7), at(8)),     # approved, time unknown
    (*GH, "city/model", 3, "bob", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 3, tzinfo=UTC)),  # old
]
# forge, host, path, number, reviewer, state, submitted, association
REVIEWS = [
    (*GH, "city/model", 10, "ann", "APPROVED", at(8, 10), "MEMBER"),
    (*GH, "city/model", 11, "ann", "COMMENTED", at(8, 9), "MEMBER"),
    (*GH, "city/model", 11, "carl", "APPROVED", at(10), "CONTRIBUTOR"),
    (*GH, "city/bare", 1, "", "NONE", None, None),
    (*GH, "city/bare", 2, "bob", "APPROVED", at(7, 13), "CONTRIBUTOR"),
    (*GH, "city/folders", 1, "carl", "COMMENTED", at(11, 9), "CONTRIBUTOR"),
    (*GL, "city-group/gitlab", 1, "ann", "APPROVED", None, None),
]


def _load(con: duckdb.DuckDBPyConnection) -> None:
    for path, forge, description, licence, issues, forks_count in REPOS:
        con.execute(
            "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, description, html_url,"
            " license_spdx, archived, is_fork, stars, forks_count, open_issues, created_at, issues_enabled)"
            " VALUES (?, ?, ?, 'city', ?, ?, ?, ?, ?, false, false, 0, ?, 0, ?, ?)",
            [*forge, path, path.split("/")[0], path.split("/")[1], description, f"https://{forge[1]}/{path}",
             licence, forks_count, datetime(2020, 1, 1, tzinfo=UTC), issues])
    con.executemany(
        "INSERT INTO root_files (forge, host, repo_path, has_readme, has_license, has_contributing,"
        " has_code_of_conduct, has_security, has_publiccode, files, dirs, workflows)"
        " VALUES (?, ?, ?, true, ?, ?, false, ?, ?, ?, ?, ?)",
        [(*f, p, lic, contrib, sec, "publiccode.yml" in files, files, dirs, flows)
         for p, f, lic, contrib, sec, files, dirs, flows in ROOTS])
    con.execute("INSERT INTO publiccode (forge, host, repo_path, valid, development_status, used_by)"
                " VALUES (?, ?, ?, true, 'stable', ['Other City'])", [*GH, "city/model"])
    con.execute("INSERT INTO publiccode_matches (text, entity_id, method, score) VALUES ('Other City', 'other1',"
                " 'exact', 1)")
    con.executemany(
        "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name, committed_at,"
        " authored_at) VALUES (?, ?, ?, ?, 'ann', 'ann@city.example', 'Ann', ?, ?)",
        [(*f, p, f"{p}-{d}", NOW - pd.Timedelta(days=d), NOW - pd.Timedelta(days=d)) for p, f, d in COMMITS])
    con.executemany(
        "INSERT INTO items (forge, host, repo_path, number, kind, state, author_login, created_at, closed_at,"
        " merged_at) VALUES (?, ?, ?, ?, 'change_request', 'merged', ?, ?, ?, ?)",
        [(*cr, cr[-1]) for cr in CHANGE_REQUESTS])
    con.executemany("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)", REVIEWS)
    con.executemany("INSERT INTO releases (forge, host, repo_path, tag, published_at) VALUES (?, ?, ?, ?, ?)",
                    [(*f, p, tag, when) for p, f, tag, when in RELEASES])


@pytest.fixture(scope="module")
def db_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("public_code") / "ossdash.duckdb"
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
    return public_code(con, now=NOW).set_index("path")


def checks(table: pd.DataFrame, path: str) -> dict[str, str]:
    return {k.id: table.loc[path, f"check_{k.id}"] for k in CHECKS}


def test_the_criteria_are_the_standards_sixteen_and_every_check_belongs_to_one():
    assert len(CRITERIA) == 16 and len(CHECKED_CRITERIA) + len(UNCHECKED_CRITERIA) == 16
    assert {k.criterion for k in CHECKS} == set(CHECKED_CRITERIA)
    assert all(k.keyword in ("MUST", "SHOULD") and k.keyword in k.requirement for k in CHECKS)
    assert set(UNCHECKED_CRITERIA) == {"bundle_policy", "document_objectives", "document_code", "plain_english",
                                       "open_standards", "coherent_style"}


def test_a_model_repository_meets_every_check(table):
    assert set(checks(table, "city/model").values()) == {"met"}
    assert {table.loc["city/model", f"criterion_{c}"] for c in CHECKED_CRITERIA} == {"met"}
    r = table.loc["city/model"]
    assert r["ci_config"] == "workflows" and r["using_orgs"] == 1 and r["releases_total"] == 1
    # The change request of 2024 is outside the window; the Friday evening one was first reviewed
    # on Tuesday morning: Friday and Monday are two business days.
    assert (r["merged_6m"], r["reviewed_by_other_6m"], r["timed_reviews_6m"], r["prompt_reviews_6m"]) == (2, 2, 2, 2)
    assert r["maintainer_reviewed_6m"] == 2 and r["committers_6m"] == 1


def test_a_bare_repository_fails_what_it_can_fail(table):
    got = checks(table, "city/bare")
    assert {k for k, v in got.items() if v == "not_met"} == {
        "multiple_parties", "contribution_guidelines", "governance", "issue_tracker", "security_reporting",
        "reviewed", "prompt_review", "automated_tests", "active_reviewers", "osi_licence", "licence_file",
        "short_description", "metadata", "changelog"}
    # Without a release a tag may still exist (tags are not collected), and the maturity may be
    # documented elsewhere than in publiccode.yml: unknown, never failed.
    assert {k for k, v in got.items() if v == "unknown"} == {"marked_releases", "versioned", "maturity_documented"}
    r = table.loc["city/bare"]
    # One change request read without reviews, one reviewed by its own author: neither counts.
    assert (r["merged_6m"], r["reviews_known"], r["reviewed_by_other_6m"]) == (2, 2, 0)
    assert r["committers_6m"] == 0 and r["licence_status"] == "none"
    assert table.loc["city/bare", "criterion_version_control"] == "unknown"  # git, but no release seen
    assert table.loc["city/bare", "criterion_findable"] == "not_met"


def test_what_was_not_collected_is_unknown(table):
    got = checks(table, "city/unknown")
    assert {k for k, v in got.items() if v == "met"} == {"published", "version_controlled"}
    # A blank description is known to be blank; everything else is unknown, never failed.
    assert {k for k, v in got.items() if v == "not_met"} == {"short_description"}
    r = table.loc["city/unknown"]
    assert not r["root_files_collected"] and pd.isna(r["description"]) and pd.isna(r["issues_enabled"])
    # CC0-1.0 is not OSI-approved but is on the FSF's list, which ossdash does not read.
    assert r["licence_status"] == "not_osi_approved" and got["osi_licence"] == "unknown"
    # Three forks, none listed: another organisation may use it.
    assert r["using_orgs"] == 0 and got["multiple_parties"] == "unknown"
    assert (r["merged_6m"], r["reviews_known"]) == (1, 0) and got["reviewed"] == "unknown"


def test_a_file_missing_from_the_root_may_be_in_a_folder_that_was_not_listed(table):
    got = checks(table, "city/folders")
    # .github and docs may hold CONTRIBUTING, GOVERNANCE, SECURITY and a changelog; .github's
    # workflows were not read.
    for check in ("contribution_guidelines", "governance", "security_reporting", "changelog", "automated_tests"):
        assert got[check] == "unknown", check
    assert got["licence_file"] == "met"  # REUSE's LICENSES folder
    # Reviewed by another contributor, first on Friday for a Monday change request: four business days.
    assert got["reviewed"] == "met" and got["prompt_review"] == "not_met"
    # Someone commits, but no maintainer reviewed in the window: who could review is not known.
    assert got["active_reviewers"] == "unknown"
    old = checks(table, "city/old")
    assert old["contribution_guidelines"] == "unknown" and old["licence_file"] == "met"  # folders not kept then


def test_a_gitlab_project_with_its_ci_file_and_an_approval_of_unknown_time(table):
    got = checks(table, "city-group/gitlab")
    assert table.loc["city-group/gitlab", "ci_config"] == ".gitlab-ci.yml" and got["automated_tests"] == "met"
    assert got["reviewed"] == "met" and got["prompt_review"] == "unknown"  # GitLab sent no approved_at
    assert got["active_reviewers"] == "met"  # an approval is a maintainer's
    assert got["governance"] == "unknown"  # not at the root, but .gitlab may hold it
    # No licence named, but a LICENSE file at the root: it may hold any licence.
    assert got["licence_file"] == "met" and got["osi_licence"] == "unknown"


def test_a_criterion_is_met_only_when_every_check_is(table):
    for path in table.index:
        for criterion in CHECKED_CRITERIA:
            outcomes = {table.loc[path, f"check_{k.id}"] for k in CHECKS if k.criterion == criterion}
            want = "not_met" if "not_met" in outcomes else "met" if outcomes == {"met"} else "unknown"
            assert table.loc[path, f"criterion_{criterion}"] == want, (path, criterion)


def test_entity_counts_add_up_to_the_repositories(con, table):
    summary = public_code_summary(con, Scope("entity"), now=NOW).set_index("entity_id")
    city = summary.loc["city"]
    assert city["repos"] == len(REPOS)
    for criterion in CHECKED_CRITERIA:
        counts = table[f"criterion_{criterion}"].value_counts()
        for outcome in OUTCOMES:
            assert city[f"{criterion}_{outcome}"] == counts.get(outcome, 0), (criterion, outcome)
    assert "other1" not in summary.index  # an entity without repositories has nothing to count
    assert city["code_in_the_open_met"] == len(REPOS)


def test_a_scope_of_one_repository_answers_for_it_alone(con):
    one = public_code(con, Scope("repo", repo=("github", "github.com", "city/model")), now=NOW)
    assert list(one["path"]) == ["city/model"] and set(one.filter(like="check_").iloc[0]) == {"met"}
