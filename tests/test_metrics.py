"""Health metrics on a small hand-built warehouse, against answers worked out by hand.

Every expected value below is derived in the comments from the rows inserted here, never from the
code under test. The moment of measurement is NOW = 2025-07-15 12:00 UTC, so the default 365-day
window starts at SINCE = 2024-07-15 12:00 UTC. The session time zone is set far from UTC
(Pacific/Auckland) to show that months and windows do not depend on it.

The world:

  alpha (DE, local; e-mail domain alpha.example; GitHub org alpha-org)
    alpha-org/core      busy: 4 people + dependabot, issues, change requests, releases, forks
    alpha-org/solo      one maintainer (hal) and a bot
    alpha-org/botsonly  commits by dependabot only
    alpha-org/empty     nothing at all (no data)
    alpha-org/old       archived
    alpha-org/single    a single commit (2022) and an issue nobody answered
  beta (NL, national; beta.example; GitHub beta-gh, GitLab beta-group)
    beta-gh/core        fork of alpha-org/core with a commit of its own (contributing)
    beta-group/portal   GitLab: system notes, a project bot, an MR merged without closed_at; declining
  gamma (DE, academic; GitHub gamma-lab)
    gamma-lab/core      fork of alpha-org/core with only the parent's commits (non-contributing)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from collectors.registry import parse_registry
from warehouse import metrics as m
from warehouse.identities import rebuild_identities
from warehouse.metrics import Scope
from warehouse.pages import activity_figures as q
from warehouse.reader import open_readonly
from warehouse.schema import migrate
from warehouse.state import sync_registry

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)

REGISTRY = """\
[[entity]]
id = "alpha"
name = "Stadt Alpha"
country = "DE"
archetype = "local"
email_domains = ["alpha.example"]

  [[entity.account]]
  forge = "github"
  owner = "alpha-org"

[[entity]]
id = "beta"
name = "Beta Agency"
country = "NL"
archetype = "national"
email_domains = ["beta.example"]

  [[entity.account]]
  forge = "github"
  owner = "beta-gh"

  [[entity.account]]
  forge = "gitlab"
  owner = "beta-group"

[[entity]]
id = "gamma"
name = "Gamma Lab"
country = "DE"
archetype = "academic"

  [[entity.account]]
  forge = "github"
  owner = "gamma-lab"
"""

GH = ("github", "github.com")
GL = ("gitlab", "gitlab.com")

ENTITIES = [
    ("alpha", "Stadt Alpha", "DE", "local", ["alpha.example"]),
    ("beta", "Beta Agency", "NL", "national", ["beta.example"]),
    ("gamma", "Gamma Lab", "DE", "academic", []),
]

# forge, host, path, entity, owner, archived, is_fork, fork_parent, forks_count, license, created, pushed
REPOS = [
    (*GH, "alpha-org/core", "alpha", "alpha-org", False, False, None, 4, "EUPL-1.2", "2020-01-01 00:00:00Z", "2025-07-12 00:00:00Z"),
    (*GH, "alpha-org/solo", "alpha", "alpha-org", False, False, None, 0, "NOASSERTION", "2024-11-01 00:00:00Z", None),
    (*GH, "alpha-org/botsonly", "alpha", "alpha-org", False, False, None, 0, "CC0-1.0", "2023-01-01 00:00:00Z", None),
    (*GH, "alpha-org/empty", "alpha", "alpha-org", False, False, None, 0, "LicenseRef-custom", "2025-01-01 00:00:00Z", None),
    (*GH, "alpha-org/old", "alpha", "alpha-org", True, False, None, 0, "MIT", "2020-06-01 00:00:00Z", None),
    (*GH, "alpha-org/single", "alpha", "alpha-org", False, False, None, 0, None, "2022-05-01 00:00:00Z", None),
    (*GH, "beta-gh/core", "beta", "beta-gh", False, True, "alpha-org/core", 0, "EUPL-1.2", "2024-08-01 00:00:00Z", None),
    (*GL, "beta-group/portal", "beta", "beta-group", False, False, None, 0, "EUPL-1.2", "2024-06-01 00:00:00Z", None),
    (*GH, "gamma-lab/core", "gamma", "gamma-lab", False, True, "alpha-org/core", 0, "EUPL-1.2", "2024-08-15 00:00:00Z", None),
]

# People on GitHub: login -> e-mail (author name = login)
PEOPLE = {
    "ann": "ann@alpha.example",
    "bob": "bob@gmail.com",           # personal domain: an organisation of one
    "cem": "cem@firma.example",       # a company domain outside the registry
    "gus": "gus@alpha.example",
    "fay": "fay@alpha.example",
    "hal": "hal@alpha.example",
    "dia": "dia@beta.example",
    "dependabot[bot]": "49699333+dependabot[bot]@users.noreply.github.com",
}


def gh_commit(repo: str, sha: str, login: str | None, at: str) -> tuple:
    email = PEOPLE[login] if login else None
    return (*GH, repo, sha, login, email, login, at)


def gl_commit(repo: str, sha: str, name: str, email: str, at: str) -> tuple:
    return (*GL, repo, sha, None, email, name, at)


CORE = "alpha-org/core"
COMMITS = [
    # alpha-org/core -------------------------------------------------------------------------
    gh_commit(CORE, "a0", "ann", "2023-03-10 10:00:00Z"),          # before the window
    gh_commit(CORE, "a1", "ann", "2024-09-02 09:00:00Z"),
    gh_commit(CORE, "a2", "ann", "2024-11-05 09:00:00Z"),
    gh_commit(CORE, "a3", "ann", "2025-01-07 09:00:00Z"),
    gh_commit(CORE, "a4", "ann", "2025-03-03 09:00:00Z"),
    gh_commit(CORE, "a5", "ann", "2025-06-10 09:00:00Z"),
    gh_commit(CORE, "a6", "ann", "2025-08-01 09:00:00Z"),          # after NOW: ignored everywhere
    gh_commit(CORE, "b1", "bob", "2024-08-20 12:00:00Z"),          # bob's first commit ever
    gh_commit(CORE, "b2", "bob", "2024-09-15 12:00:00Z"),
    gh_commit(CORE, "b3", "bob", "2025-02-11 12:00:00Z"),
    gh_commit(CORE, "b4", "bob", "2025-06-20 12:00:00Z"),
    # time zones: local times on the other side of a month boundary than UTC
    gh_commit(CORE, "c1", "cem", "2025-05-31 23:30:00-02:00"),     # = 2025-06-01 01:30 UTC: June
    gh_commit(CORE, "c2", "cem", "2025-06-01 01:00:00+02:00"),     # = 2025-05-31 23:00 UTC: May
    gh_commit(CORE, "g1", "gus", "2025-07-01 00:30:00+02:00"),     # = 2025-06-30 22:30 UTC: June
    gh_commit(CORE, "g2", "gus", "2025-07-02 10:00:00Z"),
    gh_commit(CORE, "f1", "fay", "2023-01-05 10:00:00Z"),          # fay: before the window only
    gh_commit(CORE, "f2", "fay", "2023-06-01 10:00:00Z"),
    gh_commit(CORE, "d1", "dependabot[bot]", "2024-10-01 08:00:00Z"),
    gh_commit(CORE, "d2", "dependabot[bot]", "2024-12-01 08:00:00Z"),
    gh_commit(CORE, "d3", "dependabot[bot]", "2025-04-01 08:00:00Z"),
    gh_commit(CORE, "d4", "dependabot[bot]", "2025-07-10 08:00:00Z"),
    gh_commit(CORE, "x1", None, "2025-04-15 10:00:00Z"),           # no author at all
    # alpha-org/solo -------------------------------------------------------------------------
    gh_commit("alpha-org/solo", "h1", "hal", "2024-12-01 10:00:00Z"),
    gh_commit("alpha-org/solo", "h2", "hal", "2025-03-01 10:00:00Z"),
    gh_commit("alpha-org/solo", "h3", "hal", "2025-06-01 10:00:00Z"),
    gh_commit("alpha-org/solo", "d5", "dependabot[bot]", "2025-05-01 08:00:00Z"),
    # alpha-org/botsonly ---------------------------------------------------------------------
    gh_commit("alpha-org/botsonly", "d6", "dependabot[bot]", "2025-06-01 08:00:00Z"),
    gh_commit("alpha-org/botsonly", "d7", "dependabot[bot]", "2025-07-01 08:00:00Z"),
    # alpha-org/old (archived) and alpha-org/single ------------------------------------------
    gh_commit("alpha-org/old", "o1", "fay", "2021-03-01 10:00:00Z"),
    gh_commit("alpha-org/single", "s1", "ann", "2022-05-05 10:00:00Z"),
    # forks: the parent's a0/a1 under the same SHAs, and one commit of beta's own -------------
    gh_commit("beta-gh/core", "a1", "ann", "2024-09-02 09:00:00Z"),
    gh_commit("beta-gh/core", "bf1", "dia", "2025-03-05 10:00:00Z"),
    gh_commit("gamma-lab/core", "a0", "ann", "2023-03-10 10:00:00Z"),
    gh_commit("gamma-lab/core", "a1", "ann", "2024-09-02 09:00:00Z"),
]
# beta-group/portal (GitLab, no logins on commits): Eve commits on the 5th and 15th of each month
# from August 2024 to April 2025 (18 commits), then once on 2025-05-20 (19 in all).
for _month in ["2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]:
    for _day in ("05", "15"):
        COMMITS.append(gl_commit("beta-group/portal", f"e{_month}-{_day}", "Eve", "eve@beta.example",
                                 f"{_month}-{_day} 10:00:00Z"))
COMMITS.append(gl_commit("beta-group/portal", "e-last", "Eve", "eve@beta.example", "2025-05-20 10:00:00Z"))

# forge, host, repo, number, kind, state, author, created, closed, merged
ITEMS = [
    (*GH, CORE, 1, "issue", "closed", "bob", "2024-10-01 10:00:00Z", "2024-10-10 10:00:00Z", None),
    # reopened: state open, closed_at left over from the earlier closing; created at 01:00+01:00
    (*GH, CORE, 2, "issue", "open", "cem", "2025-01-10 01:00:00+01:00", "2025-01-20 00:00:00Z", None),
    (*GH, CORE, 3, "issue", "open", "ann", "2025-03-01 00:00:00Z", None, None),
    (*GH, CORE, 4, "change_request", "merged", "bob", "2025-02-01 00:00:00Z", "2025-02-03 00:00:00Z", "2025-02-03 00:00:00Z"),
    (*GH, CORE, 5, "change_request", "closed", "cem", "2025-04-01 00:00:00Z", "2025-04-05 00:00:00Z", None),
    (*GH, CORE, 6, "change_request", "merged", "dependabot[bot]", "2025-05-01 00:00:00Z", "2025-05-02 00:00:00Z", "2025-05-02 00:00:00Z"),
    (*GH, CORE, 7, "change_request", "open", "bob", "2025-06-01 00:00:00Z", None, None),
    (*GH, CORE, 8, "issue", "open", "fay", "2025-07-10 00:00:00Z", None, None),
    (*GH, CORE, 9, "issue", "closed", "bob", "2024-06-01 00:00:00Z", "2024-08-01 00:00:00Z", None),
    (*GH, CORE, 10, "change_request", "merged", "ann", "2024-05-01 00:00:00Z", "2024-08-01 00:00:00Z", "2024-08-01 00:00:00Z"),
    (*GH, CORE, 11, "issue", "open", "bob", "2025-08-01 00:00:00Z", None, None),   # after NOW
    (*GH, "alpha-org/single", 1, "issue", "open", "bob", "2022-06-01 00:00:00Z", None, None),
    # GitLab numbers issues and merge requests apart: issue #1 and MR !1
    (*GL, "beta-group/portal", 1, "change_request", "merged", "eve", "2024-10-10 10:00:00Z", None, "2024-10-12 10:00:00Z"),
    (*GL, "beta-group/portal", 1, "issue", "open", "dia", "2025-06-01 10:00:00Z", None, None),
]

# forge, host, repo, comment_id, item_kind, item_number, kind, author, created, system
COMMENTS = [
    (*GH, CORE, 101, "issue", 1, "comment", "bob", "2024-10-01 12:00:00Z", False),            # the author
    (*GH, CORE, 102, "issue", 1, "comment", "github-actions", "2024-10-01 11:00:00Z", False),  # a bot
    (*GH, CORE, 103, "issue", 1, "comment", "ann", "2024-10-03 10:00:00Z", False),            # 48 h
    (*GH, CORE, 104, "issue", 2, "comment", "ann", "2025-01-10 06:00:00Z", False),            # 6 h
    (*GH, CORE, 105, "issue", 3, "comment", "Ann", "2025-03-01 01:00:00Z", False),            # author again
    (*GH, CORE, 106, "change_request", 4, "review_comment", "ann", "2025-02-01 12:00:00Z", False),  # 12 h
    (*GH, CORE, 107, "change_request", 5, "comment", "gus", "2025-04-02 00:00:00Z", False),   # 24 h
    (*GL, "beta-group/portal", 201, "change_request", 1, "note", "eve", "2024-10-10 10:05:00Z", True),
    (*GL, "beta-group/portal", 202, "change_request", 1, "note", "dia", "2024-10-11 10:00:00Z", False),  # 24 h
    (*GL, "beta-group/portal", 203, "issue", 1, "note", "project_42_bot_abc", "2025-06-01 11:00:00Z", False),
    (*GL, "beta-group/portal", 204, "issue", 1, "note", "eve", "2025-06-02 10:00:00Z", True),
]

RELEASES = [
    (*GH, CORE, "v1.0", "2024-01-10 00:00:00Z", False),
    (*GH, CORE, "v1.1", "2024-09-10 00:00:00Z", False),
    (*GH, CORE, "v1.2-rc1", "2024-12-01 00:00:00Z", True),
    (*GH, CORE, "v1.2", "2025-01-10 00:00:00Z", False),
    (*GH, CORE, "v1.3", "2025-05-10 00:00:00Z", False),
]

FORKS = [
    (*GH, CORE, "beta-gh/core", "beta-gh", "2024-08-01 00:00:00Z"),
    (*GH, CORE, "gamma-lab/core", "gamma-lab", "2024-08-15 00:00:00Z"),
    (*GH, CORE, "someone/core", "someone", "2025-01-01 00:00:00Z"),    # not collected
]

# repo, readme, license, contributing, code_of_conduct, security, publiccode
ROOT_FILES = [
    (*GH, CORE, True, True, True, True, False, True),
    (*GH, "alpha-org/solo", True, False, False, False, False, True),
    (*GH, "alpha-org/single", False, False, False, False, False, False),
    (*GL, "beta-group/portal", True, True, True, False, False, True),
]

# repo, valid, license, maintenance type, until
PUBLICCODE = [
    (*GH, CORE, True, "EUPL-1.2", "contract", "2025-06-30"),
    (*GH, "alpha-org/solo", True, "MIT OR Apache-2.0", "contract", "2025-09-01"),
    (*GL, "beta-group/portal", False, "EUPL-1.2", "contract", "2026-01-01"),
]


def _insert(con: duckdb.DuckDBPyConnection, sql: str, rows: list[tuple]) -> None:
    for row in rows:
        con.execute(sql, list(row))


def _load(con: duckdb.DuckDBPyConnection) -> None:
    _insert(con, "INSERT INTO entities VALUES (?, ?, ?, ?, ?)", ENTITIES)
    _insert(con, """
        INSERT INTO repos (forge, host, path, entity_id, account_owner, archived, is_fork, fork_parent,
                           forks_count, license_spdx, created_at, pushed_at, name, html_url, stars, open_issues)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
    """, [(*r, r[2].split("/")[1], f"https://{r[1]}/{r[2]}") for r in REPOS])
    _insert(con, """
        INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name,
                             committed_at, authored_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    """, [(*c, c[-1]) for c in COMMITS])
    _insert(con, """
        INSERT INTO items (forge, host, repo_path, number, kind, state, author_login, created_at,
                           closed_at, merged_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    """, ITEMS)
    _insert(con, """
        INSERT INTO comments (forge, host, repo_path, comment_id, item_kind, item_number, kind,
                              author_login, created_at, system)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    """, COMMENTS)
    _insert(con, "INSERT INTO releases (forge, host, repo_path, tag, published_at, prerelease) VALUES (?, ?, ?, ?, ?, ?)", RELEASES)
    _insert(con, "INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner, created_at) VALUES (?, ?, ?, ?, ?, ?)", FORKS)
    _insert(con, """
        INSERT INTO root_files (forge, host, repo_path, has_readme, has_license, has_contributing,
                                has_code_of_conduct, has_security, has_publiccode)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    """, ROOT_FILES)
    _insert(con, """
        INSERT INTO publiccode (forge, host, repo_path, valid, license, maintenance_type, maintenance_until)
        VALUES (?, ?, ?, ?, ?, ?, ?)
    """, PUBLICCODE)


@pytest.fixture(scope="module")
def db_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("metrics") / "ossdash.duckdb"
    con = duckdb.connect(str(path))
    migrate(con)
    _load(con)
    rebuild_identities(con, parse_registry(REGISTRY))
    m.refresh_metric_facts(con)
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture(scope="module")
def con(db_file):
    con = duckdb.connect(str(db_file), read_only=True)
    # Far from UTC, and on the other side of the date line: months must not move.
    con.execute("SET TimeZone = 'Pacific/Auckland'")
    yield con
    con.close()


def row(df: pd.DataFrame, **keys) -> dict:
    sel = df
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"expected one row for {keys}, got {len(sel)}"
    return sel.iloc[0].to_dict()


def repo_key(path: str, forge=GH) -> tuple[str, str, str]:
    return (*forge, path)


# =========================================================================== activity


def test_activity_per_month_core(con):
    df = m.activity_per_month(con, Scope("repo", repo=repo_key(CORE)), months=12, now=NOW)
    # Months August 2024 .. July 2025 (the current month included). By UTC month:
    #   Aug b1                     commits 1, active {bob} 1, new: bob's first commit ever -> 1
    #   Sep a1 b2                  2, {ann, bob} 2, 0 (ann's first commit is a0, 2023-03)
    #   Oct d1                     1, 0 (bot), 0
    #   Nov a2                     1, 1, 0
    #   Dec d2                     1, 0, 0
    #   Jan a3                     1, 1, 0
    #   Feb b3                     1, 1, 0
    #   Mar a4                     1, 1, 0
    #   Apr d3 x1                  2, 0 (a bot and an unknown author), 0
    #   May c2 (23:00 UTC 31 May)  1, {cem} 1, new cem -> 1
    #   Jun a5 b4 c1 g1            4, {ann, bob, cem, gus} 4, new gus -> 1
    #   Jul g2 d4 (a6 is after NOW) 2, {gus} 1, 0
    expected = {
        "2024-08": (1, 1, 1), "2024-09": (2, 2, 0), "2024-10": (1, 0, 0), "2024-11": (1, 1, 0),
        "2024-12": (1, 0, 0), "2025-01": (1, 1, 0), "2025-02": (1, 1, 0), "2025-03": (1, 1, 0),
        "2025-04": (2, 0, 0), "2025-05": (1, 1, 1), "2025-06": (4, 4, 1), "2025-07": (2, 1, 0),
    }
    got = {
        r["month"].strftime("%Y-%m"): (r["commits"], r["active_contributors"], r["new_contributors"])
        for r in df.to_dict("records")
    }
    assert got == expected
    assert set(df["entity_id"]) == {"alpha"}
    assert df["html_url"].iloc[0] == "https://github.com/alpha-org/core"


def test_activity_no_data_and_only_bots(con):
    empty = m.activity_per_month(con, Scope("repo", repo=repo_key("alpha-org/empty")), months=3, now=NOW)
    # May, June, July 2025, all zero: the repository is listed, with nothing in it.
    assert list(empty["month"].dt.strftime("%Y-%m")) == ["2025-05", "2025-06", "2025-07"]
    assert (empty[["commits", "active_contributors", "new_contributors"]] == 0).all().all()

    bots = m.activity_per_month(con, Scope("repo", repo=repo_key("alpha-org/botsonly")), months=2, now=NOW)
    # d6 in June, d7 in July: commits count, people do not.
    assert list(bots["commits"]) == [1, 1]
    assert list(bots["active_contributors"]) == [0, 0]
    assert list(bots["new_contributors"]) == [0, 0]


def test_last_activity(con):
    df = m.last_activity(con, Scope(entity_id="alpha"), now=NOW)
    core = row(df, path=CORE)
    # Latest commit up to NOW: d4 2025-07-10 08:00 (a bot's; a6 is after NOW).
    assert core["last_commit_at"] == pd.Timestamp("2025-07-10 08:00", tz="UTC")
    # Latest item event: #8 opened 2025-07-10 00:00 (#11 is after NOW).
    assert core["last_item_at"] == pd.Timestamp("2025-07-10 00:00", tz="UTC")
    # Latest comment: gus on #5, 2025-04-02.
    assert core["last_comment_at"] == pd.Timestamp("2025-04-02 00:00", tz="UTC")
    assert core["last_release_at"] == pd.Timestamp("2025-05-10 00:00", tz="UTC")
    # The push on 2025-07-12 is the latest of all; the latest human event is #8 opened.
    assert core["last_activity_at"] == pd.Timestamp("2025-07-12 00:00", tz="UTC")
    assert core["last_human_activity_at"] == pd.Timestamp("2025-07-10 00:00", tz="UTC")
    # 2025-07-12 00:00 -> 2025-07-15 12:00 = 3.5 days
    assert core["days_since_activity"] == pytest.approx(3.5)
    empty = row(df, path="alpha-org/empty")
    assert pd.isna(empty["last_activity_at"]) and pd.isna(empty["days_since_activity"])
    bots = row(df, path="alpha-org/botsonly")
    # d7 2025-07-01 08:00 is activity of some kind, but no person's.
    assert bots["last_activity_at"] == pd.Timestamp("2025-07-01 08:00", tz="UTC")
    assert pd.isna(bots["last_human_activity_at"])


# =========================================================================== concentration


def test_absence_factor_per_repo(con):
    df = m.absence_factor(con, Scope("repo"), now=NOW)
    core = row(df, path=CORE)
    # Window 2024-07-15 12:00 .. NOW, people only: ann a1-a5 = 5, bob b1-b4 = 4, cem 2, gus 2
    # (a0, f1, f2 before; a6 after; d* bots; x1 unknown) -> 13 commits, half = 6.5.
    # ann 5 <= 6.5; ann + bob = 9 > 6.5 -> 2. Top share 5/13.
    assert (core["commits"], core["contributors"], core["absence_factor"]) == (13, 4, 2)
    assert core["top_share"] == pytest.approx(5 / 13)
    solo = row(df, path="alpha-org/solo")
    # hal 3 of 3 (the bot's d5 does not count): 3 > 1.5 -> 1
    assert (solo["commits"], solo["contributors"], solo["absence_factor"], solo["top_share"]) == (3, 1, 1, 1.0)
    # Only bots: no person's commit, so no factor (NULL, not 0).
    bots = row(df, path="alpha-org/botsonly")
    assert (bots["commits"], bots["contributors"]) == (0, 0) and pd.isna(bots["absence_factor"])
    # No data at all.
    assert pd.isna(row(df, path="alpha-org/empty")["absence_factor"])
    # The single commit (2022) is outside the window ...
    assert pd.isna(row(df, path="alpha-org/single")["absence_factor"])


def test_absence_factor_single_commit_long_window(con):
    # ... and inside a ten-year window: one commit by one person -> factor 1, share 1.
    df = m.absence_factor(con, Scope("repo", repo=repo_key("alpha-org/single")), days=3650, now=NOW)
    single = df.iloc[0]
    assert (single["commits"], single["contributors"], single["absence_factor"]) == (1, 1, 1)
    assert single["top_share"] == 1.0


def test_absence_factor_per_entity_and_ecosystem(con):
    ent = m.absence_factor(con, Scope("entity"), now=NOW)
    alpha = row(ent, entity_id="alpha")
    # alpha's repositories in the window: ann 5, bob 4, hal 3, cem 2, gus 2 = 16, half 8:
    # 5 <= 8, 5 + 4 = 9 > 8 -> 2
    assert (alpha["commits"], alpha["contributors"], alpha["absence_factor"]) == (16, 5, 2)
    assert alpha["entity_name"] == "Stadt Alpha"
    gamma = row(ent, entity_id="gamma")
    # gamma-lab/core holds a0 (before the window) and a1 (ann, in it): 1 commit, factor 1.
    assert (gamma["commits"], gamma["absence_factor"]) == (1, 1)

    eco = m.absence_factor(con, Scope("ecosystem"), now=NOW)
    assert len(eco) == 1 and eco["scope"].iloc[0] == "ecosystem"
    # Every repository, a commit in several repositories counted once (a1 sits in three):
    # ann 5, bob 4, cem 2, gus 2, hal 3, dia 1 (bf1), eve 19 (portal) = 36, half 18.
    # eve 19 > 18 -> 1. (Counted per repository, ann would have 7 and the total 38: eve's 19
    # would be exactly half, not more, and the factor 2.)
    assert (eco["commits"].iloc[0], eco["contributors"].iloc[0], eco["absence_factor"].iloc[0]) == (36, 7, 1)
    assert eco["top_share"].iloc[0] == pytest.approx(19 / 36)


def test_absence_factor_filters(con):
    # Archetype and country filters pick the groups; entities without a match are not listed.
    df = m.absence_factor(con, Scope("entity", country="DE"), now=NOW)
    assert set(df["entity_id"]) == {"alpha", "gamma"}
    df = m.absence_factor(con, Scope("entity", archetype="national"), now=NOW)
    assert list(df["entity_id"]) == ["beta"]
    df = m.absence_factor(con, Scope("repo", forge="gitlab"), now=NOW)
    assert list(df["path"]) == ["beta-group/portal"]
    # portal: eve's 19 commits, her alone -> 1
    assert df["absence_factor"].iloc[0] == 1
    with pytest.raises(ValueError):
        m.absence_factor(con, Scope("planet"))


def test_elephant_factor(con):
    df = m.elephant_factor(con, Scope("repo"), now=NOW)
    core = row(df, path=CORE)
    # Organisations in core's window: ann 5 + gus 2 (alpha.example, affiliated to alpha, the
    # repository's entity) = entity:alpha 7; bob 4 (gmail.com: personal, an organisation of one);
    # cem 2 (domain:firma.example). 13 commits, half 6.5: alpha's 7 > 6.5 -> 1.
    assert (core["commits"], core["organisations"], core["elephant_factor"]) == (13, 3, 1)
    assert core["top_organisation"] == "entity:alpha"
    assert core["top_share"] == pytest.approx(7 / 13)
    beta_fork = row(df, path="beta-gh/core")
    # a1 by ann (alpha) and bf1 by dia (beta): 1 + 1 of 2, neither more than half -> 2
    assert (beta_fork["commits"], beta_fork["organisations"], beta_fork["elephant_factor"]) == (2, 2, 2)
    bots = row(df, path="alpha-org/botsonly")
    assert bots["organisations"] == 0 and pd.isna(bots["elephant_factor"])

    ent = m.elephant_factor(con, Scope("entity", entity_id="alpha"), now=NOW)
    # alpha overall: entity:alpha = ann 5 + gus 2 + hal 3 = 10 of 16 > 8 -> 1
    assert (ent["commits"].iloc[0], ent["elephant_factor"].iloc[0]) == (16, 1)

    shares = m.organisation_shares(con, Scope("repo", repo=repo_key(CORE)), now=NOW)
    orgs = list(shares["organisation"])
    assert orgs[0] == "entity:alpha" and orgs[1].startswith("person:") and orgs[2] == "domain:firma.example"
    assert list(shares["commits"]) == [7, 4, 2]
    assert shares["share"].sum() == pytest.approx(1.0)


def test_inactive_contributors(con):
    df = m.inactive_contributors(con, Scope("repo", repo=repo_key(CORE)), now=NOW)
    # People with commits up to NOW: ann, bob, cem, gus (all in the window) and fay (last 2023-06-01)
    r = df.iloc[0]
    assert (r["contributors"], r["active"], r["inactive"]) == (5, 4, 1)
    assert r["inactive_share"] == pytest.approx(0.2)
    ent = m.inactive_contributors(con, Scope("entity", entity_id="alpha"), now=NOW)
    # + hal (active) on solo; fay's o1 (2021, archived repo) and ann's s1 (2022) change nothing
    assert (ent["contributors"].iloc[0], ent["active"].iloc[0], ent["inactive"].iloc[0]) == (6, 5, 1)
    bots = m.inactive_contributors(con, Scope("repo", repo=repo_key("alpha-org/botsonly")), now=NOW)
    assert bots["contributors"].iloc[0] == 0 and pd.isna(bots["inactive_share"].iloc[0])


# =========================================================================== issues and change requests


def test_time_to_first_response(con):
    df = m.time_to_first_response(con, Scope("repo", repo=repo_key(CORE)), now=NOW)
    issues = row(df, kind="issue")
    # Issues opened in the window, none by a bot: #1 (ann after 48 h; bob's own comment and the
    # github-actions bot do not count), #2 (ann after 6 h: created 01:00+01:00 = 00:00 UTC),
    # #3 (only its author, as "Ann": no response), #8 (no comment). #9 was opened before the
    # window, #11 after NOW.
    assert (issues["items"], issues["responded"], issues["unanswered"]) == (4, 2, 2)
    # median of [6, 48] = 27; p90 = 6 + 0.9 * (48 - 6) = 43.8
    assert issues["median_hours"] == pytest.approx(27.0)
    assert issues["p90_hours"] == pytest.approx(43.8)
    crs = row(df, kind="change_request")
    # #4 (12 h), #5 (24 h), #7 (none); #6 is dependabot's; #10 was opened before the window.
    assert (crs["items"], crs["responded"], crs["unanswered"]) == (3, 2, 1)
    # median of [12, 24] = 18; p90 = 12 + 0.9 * 12 = 22.8
    assert crs["median_hours"] == pytest.approx(18.0)
    assert crs["p90_hours"] == pytest.approx(22.8)

    with_bots = m.time_to_first_response(con, Scope("repo", repo=repo_key(CORE)), now=NOW, bot_items=True)
    crs = row(with_bots, kind="change_request")
    assert (crs["items"], crs["responded"], crs["unanswered"]) == (4, 2, 2)


def test_time_to_first_response_gitlab_notes(con):
    df = m.time_to_first_response(con, Scope("entity", entity_id="beta"), now=NOW)
    # portal MR !1: eve's system note does not count, dia's note after 24 h does.
    crs = row(df, kind="change_request")
    assert (crs["items"], crs["responded"], crs["median_hours"]) == (1, 1, 24.0)
    # portal issue #1: a project bot's note and a system note by another person: no response.
    issues = row(df, kind="issue")
    assert (issues["items"], issues["responded"], issues["unanswered"]) == (1, 0, 1)
    assert pd.isna(issues["median_hours"])


def test_time_to_first_response_no_data(con):
    df = m.time_to_first_response(con, Scope("repo", repo=repo_key("alpha-org/empty")), now=NOW)
    assert list(df["kind"]) == ["issue", "change_request"]
    assert (df["items"] == 0).all() and df["median_hours"].isna().all()


def test_time_to_first_response_combined(con):
    df = m.time_to_first_response(con, Scope("repo", repo=repo_key(CORE)), now=NOW, combined=True)
    # Issues and change requests together (test_time_to_first_response): 4 + 3 items, answered
    # after [6, 48] and [12, 24] hours: median (12 + 24) / 2 = 18; p90 at rank 0.9 * 3 = 2.7:
    # 24 + 0.7 * (48 - 24) = 40.8.
    assert list(df["kind"]) == ["all"]
    r = df.iloc[0]
    assert (r["items"], r["responded"], r["unanswered"]) == (7, 4, 3)
    assert r["median_hours"] == pytest.approx(18.0) and r["p90_hours"] == pytest.approx(40.8)


def test_activity_totals(con):
    df = m.activity_totals(con, Scope("entity"), now=NOW)
    alpha, beta = row(df, entity_id="alpha"), row(df, entity_id="beta")
    # alpha, window 2024-07-15 12:00 .. NOW: core a1-a5, b1-b4, c1 c2, g1 g2, d1-d4, x1 = 18; solo
    # h1-h3, d5 = 4; botsonly d6 d7 = 2; old (2021) and single (2022) none: 24 commits.
    # People (bots and the unknown x1 aside): ann, bob, cem, gus, hal = 5. New in alpha: bob, cem,
    # gus, hal (ann's first alpha commit, s1, is from 2022) = 4.
    assert (alpha["commits"], alpha["active_contributors"], alpha["new_contributors"]) == (24, 5, 4)
    # beta: beta-gh/core a1 (ann, 2024-09-02) and bf1 (dia), portal's 19 commits by Eve = 21;
    # ann, dia, eve, all new to beta's repositories.
    assert (beta["commits"], beta["active_contributors"], beta["new_contributors"]) == (21, 3, 3)
    eco = m.activity_totals(con, Scope("ecosystem"), now=NOW).iloc[0]
    # Distinct SHAs: alpha's 24, bf1, portal's 19 (a1 in the forks counts once) = 44; people: the
    # five of alpha, dia, eve = 7; new: all but ann = 6.
    assert (eco["commits"], eco["active_contributors"], eco["new_contributors"]) == (44, 7, 6)
    empty = m.activity_totals(con, Scope("repo", repo=repo_key("alpha-org/empty")), now=NOW).iloc[0]
    assert (empty["commits"], empty["active_contributors"], empty["new_contributors"]) == (0, 0, 0)


def test_change_request_ratios(con):
    df = m.change_request_ratios(con, Scope("repo", repo=repo_key(CORE)), now=NOW)
    r = df.iloc[0]
    # Opened in the window: #4, #5, #7 = 3. Resolved in the window: #4 (merged 2025-02-03),
    # #5 (closed 2025-04-05), #10 (opened 2024-05, merged 2024-08-01) = 3, of which merged 2.
    # Closure ratio 3/3 = 1.0; acceptance ratio 2/3.
    assert (r["opened"], r["closed"], r["merged"], r["closed_unmerged"]) == (3, 3, 2, 1)
    assert r["closure_ratio"] == pytest.approx(1.0)
    assert r["acceptance_ratio"] == pytest.approx(2 / 3)
    # With dependabot's #6 (opened and merged in May): 4 opened, 4 closed, 3 merged.
    r = m.change_request_ratios(con, Scope("repo", repo=repo_key(CORE)), now=NOW, bot_items=True).iloc[0]
    assert (r["opened"], r["closed"], r["merged"]) == (4, 4, 3)
    assert r["acceptance_ratio"] == pytest.approx(0.75)
    # GitLab MR merged with merged_at only (no closed_at): resolved 2024-10-12, in the window.
    r = m.change_request_ratios(con, Scope("repo", repo=repo_key("beta-group/portal", GL)), now=NOW).iloc[0]
    assert (r["opened"], r["closed"], r["merged"], r["acceptance_ratio"]) == (1, 1, 1, 1.0)
    # No change requests: ratios NULL, not 0.
    r = m.change_request_ratios(con, Scope("repo", repo=repo_key("alpha-org/empty")), now=NOW).iloc[0]
    assert r["opened"] == 0 and pd.isna(r["closure_ratio"]) and pd.isna(r["acceptance_ratio"])


def test_issue_age_with_reopened_issue(con):
    df = m.issue_age(con, Scope("repo", repo=repo_key(CORE)), now=NOW)
    r = df.iloc[0]
    # Open at NOW: #2 (reopened; its old closed_at ignored) since 2025-01-10 00:00 UTC = 186.5 days,
    # #3 since 2025-03-01 = 136.5 days, #8 since 2025-07-10 = 5.5 days. (#11 is after NOW.)
    # Median 136.5; mean (186.5 + 136.5 + 5.5) / 3 = 109.5; max 186.5.
    assert r["open_issues"] == 3
    assert r["median_age_days"] == pytest.approx(136.5)
    assert r["mean_age_days"] == pytest.approx(109.5)
    assert r["max_age_days"] == pytest.approx(186.5)
    # At an earlier moment the state is rebuilt from the dates: on 2024-09-01 #9 (closed
    # 2024-08-01) is no longer open and #1 is not yet opened: nothing open.
    earlier = m.issue_age(con, Scope("repo", repo=repo_key(CORE)), now=datetime(2024, 9, 1, tzinfo=UTC))
    assert earlier["open_issues"].iloc[0] == 0
    # On 2024-07-01 #9 (opened 2024-06-01) was open: 30 days old.
    earlier = m.issue_age(con, Scope("repo", repo=repo_key(CORE)), now=datetime(2024, 7, 1, tzinfo=UTC))
    assert earlier["open_issues"].iloc[0] == 1 and earlier["median_age_days"].iloc[0] == pytest.approx(30.0)


def test_issue_resolution_duration(con):
    df = m.issue_resolution_duration(con, Scope("repo", repo=repo_key(CORE)), now=NOW)
    r = df.iloc[0]
    # Issues resolved in the window: #1 (2024-10-01 10:00 -> 10-10 10:00 = 9 days) and #9
    # (2024-06-01 -> 2024-08-01 = 61 days). #2's stale closed_at does not count: it is open.
    # Median = mean = 35; p90 = 9 + 0.9 * 52 = 55.8
    assert r["resolved"] == 2
    assert r["median_days"] == pytest.approx(35.0)
    assert r["mean_days"] == pytest.approx(35.0)
    assert r["p90_days"] == pytest.approx(55.8)
    crs = m.issue_resolution_duration(con, Scope("repo", repo=repo_key(CORE)), now=NOW, kind="change_request").iloc[0]
    # #10 2024-05-01 -> 08-01 = 92 days, #4 2 days, #5 4 days: median 4
    assert crs["resolved"] == 3 and crs["median_days"] == pytest.approx(4.0)


# =========================================================================== releases and forks


def test_release_frequency(con):
    r = m.release_frequency(con, Scope("repo", repo=repo_key(CORE)), now=NOW).iloc[0]
    # Releases in the window, pre-releases left out: v1.1 (2024-09-10), v1.2 (2025-01-10),
    # v1.3 (2025-05-10) = 3 -> 3 per year over 365 days.
    # Gaps to the previous release: v1.0 -> v1.1 = 244 days (2024 is a leap year),
    # v1.1 -> v1.2 = 122, v1.2 -> v1.3 = 120: median 122.
    # Since v1.3: 2025-05-10 -> 2025-07-15 12:00 = 21 + 30 + 15.5 = 66.5 days.
    assert r["releases"] == 3
    assert r["releases_per_year"] == pytest.approx(3.0)
    assert r["median_days_between"] == pytest.approx(122.0)
    assert r["last_release_at"] == pd.Timestamp("2025-05-10", tz="UTC")
    assert r["days_since_last_release"] == pytest.approx(66.5)
    r = m.release_frequency(con, Scope("repo", repo=repo_key(CORE)), now=NOW, prereleases=True).iloc[0]
    # With v1.2-rc1 (2024-12-01): gaps 244, 82, 40, 120 -> median (82 + 120) / 2 = 101
    assert r["releases"] == 4 and r["median_days_between"] == pytest.approx(101.0)
    r = m.release_frequency(con, Scope("repo", repo=repo_key("alpha-org/solo")), now=NOW).iloc[0]
    assert r["releases"] == 0 and pd.isna(r["last_release_at"]) and pd.isna(r["days_since_last_release"])


def test_technical_forks(con):
    df = m.technical_forks(con, Scope("repo", entity_id="alpha"))
    core = row(df, path=CORE)
    # Known forks: beta-gh/core (collected, bf1 is not in the parent: contributing),
    # gamma-lab/core (collected, listed twice - forks listing and fork_parent - counted once;
    # a0 and a1 are the parent's: non-contributing), someone/core (not collected: unknown).
    # The forge counts 4 forks: 4 - 1 - 1 = 2 unknown.
    assert (core["forks"], core["listed"], core["contributing"], core["non_contributing"], core["unknown"]) == (4, 3, 1, 1, 2)
    assert row(df, path="alpha-org/solo")["forks"] == 0
    ent = m.technical_forks(con, Scope("entity", entity_id="alpha"))
    assert (ent["forks"].iloc[0], ent["contributing"].iloc[0]) == (4, 1)

    forks = m.technical_fork_list(con, Scope(repo=repo_key(CORE)))
    status = dict(zip(forks["fork_path"], forks["fork_status"]))
    assert status == {"beta-gh/core": "contributing", "gamma-lab/core": "non_contributing", "someone/core": "unknown"}
    beta = row(forks, fork_path="beta-gh/core")
    assert (beta["fork_commits"], beta["commits_not_in_parent"], beta["fork_entity_id"]) == (2, 1, "beta")


# =========================================================================== hygiene


def test_hygiene(con):
    df = m.hygiene(con, Scope(entity_id="alpha"), now=NOW)
    core = row(df, path=CORE)
    # EUPL-1.2 from the forge, OSI-approved; README, CONTRIBUTING, CODE_OF_CONDUCT, a valid
    # publiccode.yml, no SECURITY: 5 of 6. Contract until 2025-06-30 < 2025-07-15: expired.
    assert (core["licence"], core["licence_source"], core["licence_status"]) == ("EUPL-1.2", "forge", "osi_approved")
    assert (core["checks_passed"], core["checks"]) == (5, 6)
    assert core["contract_status"] == "expired" and core["days_to_contract_end"] == -15
    solo = row(df, path="alpha-org/solo")
    # The forge says NOASSERTION: publiccode.yml's "MIT OR Apache-2.0" decides (OSI-approved).
    # README + licence + valid publiccode.yml = 3 of 6. Until 2025-09-01: 16 + 31 + 1 = 48 days
    # away, within 90: expiring.
    assert (solo["licence"], solo["licence_source"], solo["osi_licence"]) == ("MIT OR Apache-2.0", "publiccode", True)
    assert (solo["checks_passed"], solo["contract_status"], solo["days_to_contract_end"]) == (3, "expiring", 48)
    bots = row(df, path="alpha-org/botsonly")
    # CC0-1.0 is on the SPDX list but not OSI-approved; no root listing: no checks at all.
    assert (bots["licence_status"], bots["osi_licence"]) == ("not_osi_approved", False)
    assert pd.isna(bots["checks"]) and pd.isna(bots["checks_passed"]) and pd.isna(bots["contract_status"])
    assert row(df, path="alpha-org/empty")["licence_status"] == "unrecognised"   # LicenseRef-custom
    single = row(df, path="alpha-org/single")
    assert (single["licence_status"], single["checks_passed"], single["checks"]) == ("none", 0, 6)
    portal = m.hygiene(con, Scope(repo=repo_key("beta-group/portal", GL)), now=NOW).iloc[0]
    # An invalid publiccode.yml passes no check; the contract runs until 2026-01-01: ok.
    assert (portal["publiccode_valid"], portal["checks_passed"], portal["contract_status"]) == (False, 3, "ok")


@pytest.mark.parametrize(
    "licence, status",
    [
        ("MIT", "osi_approved"),
        ("EUPL-1.2 OR AGPL-3.0-or-later", "osi_approved"),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", "osi_approved"),
        ("GPL-2.0+", "osi_approved"),                       # a deprecated id, still approved
        ("(MIT OR CC0-1.0) AND WTFPL", "not_osi_approved"),  # AND needs both sides
        ("CC0-1.0 OR MIT AND (CC0-1.0 OR WTFPL)", "not_osi_approved"),  # AND binds tighter
        ("mit and apache-2.0", "osi_approved"),             # ids and operators in any case
        ("MIT OR LicenseRef-inhouse", "osi_approved"),
        ("LicenseRef-inhouse", "unrecognised"),
        ("NOASSERTION", "unrecognised"),
        (None, "none"),
    ],
)
def test_licence_evaluation(tmp_path, licence, status):
    con = duckdb.connect(str(tmp_path / "lic.duckdb"))
    migrate(con)
    con.execute("INSERT INTO entities VALUES ('e', 'E', 'DE', 'local', [])")
    con.execute(
        "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork,"
        " stars, forks_count, open_issues, license_spdx) VALUES"
        " ('github', 'github.com', 'o/r', 'e', 'o', 'r', false, false, 0, 0, 0, ?)",
        [licence],
    )
    got = m.hygiene(con, now=NOW)
    assert got["licence_status"].iloc[0] == status
    assert bool(got["osi_licence"].iloc[0]) is (status == "osi_approved")


def test_spdx_table_matches_shipped_data(con):
    data = json.loads((Path(m.__file__).parent.parent / "data" / "osi_licenses.json").read_text(encoding="utf-8"))
    shipped = {(x["id"], x["osi_approved"], x["deprecated"]) for x in data["licenses"]}
    table = set(con.execute("SELECT spdx_id, osi_approved, deprecated FROM spdx_licenses").fetchall())
    assert table == shipped
    assert ("EUPL-1.2", True, False) in table and ("CC0-1.0", False, False) in table


# =========================================================================== lifecycle


def test_lifecycle(con):
    df = m.lifecycle(con, now=NOW)
    stages = dict(zip(df["path"], df["stage"]))
    assert stages == {
        # core: last human event #8 opened 2025-07-10, 5.5 days ago. Human events in the last
        # 90 days (after 2025-04-16 12:00): c2 c1 a5 b4 g1 g2, #7 and #8 opened, v1.3 = 9.
        # In the 270 days before: 8 commits (b1 a1 b2 a2 a3 b3 a4 and x1, an unknown author,
        # not a bot), 5 items opened (#1-#5), 6 comments (bob, ann on #1; ann on #2, #3 and #4;
        # gus on #5), 3 releases = 22; 9 >= 0.5 * 22 / 3 = 3.67: active.
        CORE: "active",
        # solo: h3 in the last 90 days (1); h1, h2 before (2): 1 >= 0.5 * 2 / 3: active.
        "alpha-org/solo": "active",
        # no person ever: idle since its creation 2023-01-01 (926.5 days), no items: inactive.
        "alpha-org/botsonly": "inactive",
        "alpha-org/empty": "no_data",
        "alpha-org/old": "archived",
        # last human event: bob's issue 2022-06-01, never answered, still open: abandoned.
        "alpha-org/single": "abandoned",
        # bf1 2025-03-05 (132 days ago) and a1: nothing in the last 90 days, 2 before: declining.
        "beta-gh/core": "declining",
        # Last 90 days: e-last (05-20), issue #1 opened by dia, eve's system note (06-02) = 3; the
        # bot's note does not count. The 270 days before: 18 commits, MR !1 opened, eve's system
        # note, dia's note = 21; the merge has no known actor. 3 < 0.5 * 21 / 3 = 3.5: declining.
        "beta-group/portal": "declining",
        # idle since a1 2024-09-02 09:00 (after its creation 2024-08-15): 316.1 days, no items.
        "gamma-lab/core": "inactive",
    }
    portal = row(df, path="beta-group/portal")
    assert (portal["recent_events"], portal["baseline_events"]) == (3, 21)
    core = row(df, path=CORE)
    assert (core["recent_events"], core["baseline_events"]) == (9, 22)
    assert core["idle_days"] == pytest.approx(5.5)
    assert row(df, path="alpha-org/single")["unanswered_open_items"] == 1
    assert pd.isna(row(df, path="alpha-org/empty")["idle_days"])
    assert row(df, path="gamma-lab/core")["idle_days"] == pytest.approx(316.125)


def test_lifecycle_thresholds(con):
    # A stricter declining rule (recent under 3x the baseline average) makes solo declining:
    # 1 < 3 * 2 / 3 = 2. Inactive after 100 days makes beta-gh/core (132 days) inactive.
    t = m.LifecycleThresholds(declining_ratio=3.0, inactive_days=100)
    df = m.lifecycle(con, Scope(entity_id="alpha"), now=NOW, thresholds=t)
    assert row(df, path="alpha-org/solo")["stage"] == "declining"
    df = m.lifecycle(con, Scope(repo=repo_key("beta-gh/core")), now=NOW, thresholds=t)
    assert df["stage"].iloc[0] == "inactive"


def test_lifecycle_summary(con):
    df = m.lifecycle_summary(con, Scope("entity"), now=NOW)
    alpha = row(df, entity_id="alpha")
    assert {s: alpha[s] for s in m.STAGES} == {
        "active": 2, "declining": 0, "inactive": 1, "abandoned": 1, "archived": 1, "no_data": 1,
    }
    assert alpha["repos"] == 6
    assert row(df, entity_id="beta")["declining"] == 2
    assert row(df, entity_id="gamma")["inactive"] == 1


# =========================================================================== health score


def test_health_parts_core(con):
    parts = m.health_parts(con, Scope(repo=repo_key(CORE)), now=NOW)
    got = {r["part"]: r for r in parts.to_dict("records")}
    # activity: human events fall in 11 of the 12 30-day periods before NOW (the oldest,
    # 2024-07-20 12:00 .. 08-19 12:00, holds only the closing of #9 and the merge of #10,
    # which have no known actor): 100 * 11 / 12
    assert got["activity"]["score"] == pytest.approx(100 * 11 / 12)
    assert json.loads(got["activity"]["inputs"]) == {"active_periods": 11, "periods_considered": 12, "period_days": 30}
    # responsiveness: items by people opened from SINCE to 7 days before NOW: #1 #2 #3 #4 #5 #7;
    # answered or resolved within 7 days: #1 (48 h), #2 (6 h), #4 (12 h), #5 (24 h) -> 4 of 6.
    # Median first response of those answered: [48, 6, 12, 24] -> 18 h.
    assert got["responsiveness"]["score"] == pytest.approx(100 * 4 / 6)
    inputs = json.loads(got["responsiveness"]["inputs"])
    assert (inputs["items_due"], inputs["items_handled"], inputs["median_response_hours"]) == (6, 4, 18.0)
    # sustainability: absence factor 2 of 4 -> 50
    assert got["sustainability"]["score"] == pytest.approx(50.0)
    # community: people active in the window: ann, bob, cem, gus (commits) and fay (#8) -> 5 of 10
    assert got["community"]["score"] == pytest.approx(50.0)
    assert json.loads(got["community"]["inputs"])["participants"] == 5
    # hygiene: 5 of 6 checks
    assert got["hygiene"]["score"] == pytest.approx(100 * 5 / 6)
    # release cadence: 3 releases in the window, 4 a year is full marks -> 75
    assert got["release_cadence"]["score"] == pytest.approx(75.0)
    assert not parts["missing"].any()


def test_health_score_repo(con):
    df = m.health_score(con, Scope("repo", entity_id="alpha"), now=NOW)
    core = row(df, path=CORE)
    # 0.25 * 91.667 + 0.20 * 66.667 + 0.20 * 50 + 0.15 * 50 + 0.10 * 83.333 + 0.10 * 75
    # = 22.917 + 13.333 + 10 + 7.5 + 8.333 + 7.5 = 69.583
    expected = 0.25 * 100 * 11 / 12 + 0.2 * 100 * 4 / 6 + 0.2 * 50 + 0.15 * 50 + 0.1 * 100 * 5 / 6 + 0.1 * 75
    assert core["score"] == pytest.approx(expected)
    assert core["score"] == pytest.approx(69.5833, abs=1e-3)
    assert (core["parts_used"], core["parts_missing"]) == (6, "")

    solo = row(df, path="alpha-org/solo")
    # activity: h1 (period 7), h2 (period 4), h3 (period 1) = 3 periods; created 2024-11-01,
    # 256.5 days ago -> ceil(256.5 / 30) = 9 periods considered: 100 * 3 / 9 = 33.33.
    # No items (responsiveness missing), no releases (cadence missing); sustainability 1 of 4
    # = 25; community hal alone = 10; hygiene 3 of 6 = 50.
    # (0.25 * 33.33 + 0.2 * 25 + 0.15 * 10 + 0.1 * 50) / (0.25 + 0.2 + 0.15 + 0.1) = 19.833 / 0.7
    assert solo["activity"] == pytest.approx(100 / 3)
    assert pd.isna(solo["responsiveness"]) and pd.isna(solo["release_cadence"])
    assert solo["score"] == pytest.approx((0.25 * 100 / 3 + 0.2 * 25 + 0.15 * 10 + 0.1 * 50) / 0.7)
    assert solo["parts_missing"] == "responsiveness,release_cadence" and solo["parts_used"] == 4

    empty = row(df, path="alpha-org/empty")
    # No data: every part missing, no score - never a zero.
    assert pd.isna(empty["score"]) and empty["parts_used"] == 0
    assert empty["parts_missing"] == ",".join(m.HEALTH_PARTS)

    bots = row(df, path="alpha-org/botsonly")
    # Only bots: activity 0 of 12 periods and community 0 people are real zeros; the rest missing.
    assert (bots["activity"], bots["community"], bots["score"]) == (0.0, 0.0, 0.0)
    assert bots["parts_missing"] == "responsiveness,sustainability,hygiene,release_cadence"


def test_health_parts_missing_flagged(con):
    parts = m.health_parts(con, Scope(repo=repo_key("alpha-org/empty")), now=NOW)
    assert parts["missing"].all() and parts["score"].isna().all()
    reasons = dict(zip(parts["part"], parts["missing_reason"]))
    assert reasons["hygiene"] == "root files not collected"
    assert reasons["release_cadence"] == "no releases published"


def test_health_score_weights(con):
    # All the weight on activity: the score is the activity part.
    only = {p: 0.0 for p in m.HEALTH_PARTS} | {"activity": 1.0}
    df = m.health_score(con, Scope("repo", repo=repo_key("alpha-org/solo")), now=NOW, weights=only)
    assert df["score"].iloc[0] == pytest.approx(100 / 3)
    # Weight on a missing part only: no score.
    cadence = {p: 0.0 for p in m.HEALTH_PARTS} | {"release_cadence": 1.0}
    df = m.health_score(con, Scope("repo", repo=repo_key("alpha-org/solo")), now=NOW, weights=cadence)
    assert pd.isna(df["score"].iloc[0])
    with pytest.raises(ValueError):
        m.health_score(con, now=NOW, weights={"popularity": 1.0})


def test_health_score_entity(con):
    df = m.health_score(con, Scope("entity", entity_id="alpha"), now=NOW)
    alpha = df.iloc[0]
    # Scored: core, solo, botsonly, single (empty has no data, old is archived).
    # single: activity 0 (nothing since 2022), community 0, hygiene 0 of 6; the rest missing.
    # Part means over the repositories that have the part:
    #   activity        (91.667 + 33.333 + 0 + 0) / 4 = 31.25
    #   responsiveness  core only: 66.667
    #   sustainability  (50 + 25) / 2 = 37.5
    #   community       (50 + 10 + 0 + 0) / 4 = 15
    #   hygiene         (83.333 + 50 + 0) / 3 = 44.444
    #   release cadence core only: 75
    # score = 0.25 * 31.25 + 0.2 * 66.667 + 0.2 * 37.5 + 0.15 * 15 + 0.1 * 44.444 + 0.1 * 75 = 42.840
    assert alpha["repos_scored"] == 4
    assert alpha["activity"] == pytest.approx(31.25)
    assert alpha["sustainability"] == pytest.approx(37.5)
    assert alpha["community"] == pytest.approx(15.0)
    assert alpha["hygiene"] == pytest.approx((100 * 5 / 6 + 50) / 3)
    expected = 0.25 * 31.25 + 0.2 * 100 * 4 / 6 + 0.2 * 37.5 + 0.15 * 15 + 0.1 * (100 * 5 / 6 + 50) / 3 + 0.1 * 75
    assert alpha["score"] == pytest.approx(expected)
    assert alpha["score"] == pytest.approx(42.840, abs=1e-3)


# =========================================================================== attention list


def test_attention_list(con):
    df = m.attention_list(con, now=NOW)
    found = {(r["reason"], r["path"], None if pd.isna(r["item_number"]) else r["item_number"]) for r in df.to_dict("records")}
    assert found == {
        ("abandoned", "alpha-org/single", None),
        ("inactive", "alpha-org/botsonly", None),
        ("inactive", "gamma-lab/core", None),
        ("declining", "beta-gh/core", None),
        ("declining", "beta-group/portal", None),
        # absence factor 1 over the last 365 days (old is archived and left out)
        ("single_maintainer", "alpha-org/solo", None),
        ("single_maintainer", "gamma-lab/core", None),
        ("single_maintainer", "beta-group/portal", None),
        # open, opened by a person at least 14 days ago, no response by NOW: core #7 (44.5 days),
        # core #3 (only its author commented), single #1, portal issue #1. Not core #8 (5.5 days
        # old), not #6 (dependabot's, and merged), not #2 (answered).
        ("unanswered_change_request", CORE, 7),
        ("unanswered_issue", CORE, 3),
        ("unanswered_issue", "alpha-org/single", 1),
        ("unanswered_issue", "beta-group/portal", 1),
        ("contract_expired", CORE, None),
        ("contract_expiring", "alpha-org/solo", None),
    }
    pr = row(df, reason="unanswered_change_request")
    assert pr["item_url"] == "https://github.com/alpha-org/core/pull/7"
    assert pr["html_url"] == "https://github.com/alpha-org/core"
    assert pr["days"] == pytest.approx(44.5)
    gl = row(df, reason="unanswered_issue", path="beta-group/portal")
    assert gl["item_url"] == "https://gitlab.com/beta-group/portal/-/issues/1"
    expired = row(df, reason="contract_expired")
    assert "2025-06-30" in expired["detail"] and expired["days"] == pytest.approx(15.5)
    assert df["html_url"].notna().all()
    # Most urgent first: the reasons in their documented order.
    order = [m.ATTENTION_REASONS.index(r) for r in df["reason"]]
    assert order == sorted(order)


def test_attention_list_no_response_days(con):
    # With a 3-day limit, core #8 (5.5 days old) is due too.
    df = m.attention_list(con, Scope(entity_id="alpha"), now=NOW, no_response_days=3)
    items = set(zip(df["reason"], df["path"], df["item_number"].astype("object")))
    assert ("unanswered_issue", CORE, 8) in items
    assert set(df["entity_id"]) == {"alpha"}


# =========================================================================== snapshot reader


def test_metrics_on_a_read_only_snapshot(db_file):
    # The dashboard reads an attached snapshot: views and macros must resolve there too.
    con = open_readonly(db_file)
    try:
        df = m.lifecycle(con, Scope(repo=repo_key(CORE)), now=NOW)
        assert df["stage"].iloc[0] == "active"
        assert m.absence_factor(con, Scope(repo=repo_key(CORE)), now=NOW)["absence_factor"].iloc[0] == 2
        assert m.hygiene(con, Scope(repo=repo_key(CORE)), now=NOW)["licence_status"].iloc[0] == "osi_approved"
    finally:
        con.close()


# =========================================================================== materialised facts


def test_refreshed_facts_are_read_and_match_the_live_views(db_file, con, tmp_path):
    assert m.metric_facts_fresh(con)
    # The same warehouse without a refresh: the functions fall back to the live views ...
    stale_path = tmp_path / "stale.duckdb"
    stale_path.write_bytes(db_file.read_bytes())
    stale = duckdb.connect(str(stale_path))
    stale.execute("DELETE FROM metric_facts_state")
    assert not m.metric_facts_fresh(stale)
    # ... and give the same answers.
    for fn in (m.lifecycle, m.health_parts, m.attention_list):
        pd.testing.assert_frame_equal(fn(stale, now=NOW), fn(con, now=NOW))
    for fn in (m.absence_factor, m.elephant_factor, m.time_to_first_response, m.activity_per_month,
               m.change_request_ratios, m.issue_age, m.inactive_contributors):
        pd.testing.assert_frame_equal(fn(stale, Scope("entity"), now=NOW), fn(con, Scope("entity"), now=NOW))
    # A collection that adds rows makes the materialised facts stale until the next refresh.
    m.refresh_metric_facts(stale)
    assert m.metric_facts_fresh(stale)
    stale.execute("INSERT INTO commits (forge, host, repo_path, sha, committed_at)"
                  " VALUES ('github', 'github.com', 'alpha-org/core', 'zz', '2025-07-14 00:00:00Z')")
    assert not m.metric_facts_fresh(stale)
    assert m.activity_per_month(stale, Scope("repo", repo=repo_key(CORE)), months=1, now=NOW)["commits"].iloc[0] == 3
    assert m.refresh_metric_facts(stale)["commit_facts"] == len(COMMITS) + 1
    assert m.activity_per_month(stale, Scope("repo", repo=repo_key(CORE)), months=1, now=NOW)["commits"].iloc[0] == 3
    stale.close()


# =========================================================================== materialised results


def test_materialised_results_match_live(db_file, con, tmp_path):
    # refresh_metric_results stores lifecycle, health inputs and the attention list of every
    # repository at NOW; asked for NOW (or nothing: as of the collection) with the default
    # parameters, the functions read them, and must give exactly the live answers.
    path = tmp_path / "results.duckdb"
    path.write_bytes(db_file.read_bytes())
    mat = duckdb.connect(str(path))
    mat.execute("SET TimeZone = 'Pacific/Auckland'")
    assert not m.metric_results_fresh(mat) and m.as_of(mat) is None
    # 9 repositories, 6 parts each, the 14 findings of test_attention_list
    rows = m.refresh_metric_results(mat, NOW)
    assert rows == {
        "repo_lifecycle": 9, "repo_health_inputs": 9, "repo_health_parts": 54, "attention_findings": 14}
    assert m.metric_results_fresh(mat) and m.as_of(mat) == NOW
    scopes = [Scope(), Scope(entity_id="alpha"), Scope(archetype="national", forge="gitlab"), Scope(repo=repo_key(CORE)),
              Scope(entity_id="nobody")]
    for scope in scopes:
        for fn in (m.lifecycle, m.health_inputs, m.health_parts, m.attention_list):
            live = fn(con, scope, now=NOW)
            pd.testing.assert_frame_equal(fn(mat, scope), live)
            pd.testing.assert_frame_equal(fn(mat, scope, now=NOW), live)
    for scope in scopes[:2]:
        for level in m.LEVELS:
            for fn in (m.health_score, m.lifecycle_summary):
                pd.testing.assert_frame_equal(fn(mat, scope.at(level)), fn(con, scope.at(level), now=NOW))
    # Nothing else is stored: every other answer, at every level, is computed from the facts,
    # as of the collection when asked without a moment.
    assert "metric_frames" not in {t for (t,) in mat.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for name in ("absence_factor", "time_to_first_response", "release_frequency", "activity_per_month"):
        fn = getattr(m, name)
        for level in ("entity", "ecosystem"):
            pd.testing.assert_frame_equal(fn(mat, Scope(level)), fn(con, Scope(level), now=NOW), obj=name)
    pd.testing.assert_frame_equal(q.entity_overview(mat), q.entity_overview(con, now=NOW))
    for entity in ("alpha", "nobody"):
        pd.testing.assert_frame_equal(q.entity_repos(mat, entity), q.entity_repos(con, entity, now=NOW))
        pd.testing.assert_frame_equal(q.commits_per_month(mat, entity), q.commits_per_month(con, entity, now=NOW))
    # Weights are applied when reading: any weights use the stored inputs.
    cadence = {p: 0.0 for p in m.HEALTH_PARTS} | {"release_cadence": 1.0, "hygiene": 0.5}
    pd.testing.assert_frame_equal(m.health_score(mat, Scope("entity"), weights=cadence),
                                  m.health_score(con, Scope("entity"), now=NOW, weights=cadence))
    # Other parameters compute live, with the same answers as ever.
    strict = m.LifecycleThresholds(declining_ratio=3.0, inactive_days=100)
    pd.testing.assert_frame_equal(m.lifecycle(mat, thresholds=strict), m.lifecycle(con, now=NOW, thresholds=strict))
    pd.testing.assert_frame_equal(m.attention_list(mat, no_response_days=3), m.attention_list(con, now=NOW, no_response_days=3))
    pd.testing.assert_frame_equal(m.health_parts(mat, days=180), m.health_parts(con, now=NOW, days=180))
    # The other metrics take the same moment: now=None is as of the collection.
    pd.testing.assert_frame_equal(m.absence_factor(mat, Scope("entity")), m.absence_factor(con, Scope("entity"), now=NOW))
    pd.testing.assert_frame_equal(m.activity_per_month(mat), m.activity_per_month(con, now=NOW))
    # The stored rows are what is read: a change to them (never done outside this test) shows.
    mat.execute("UPDATE repo_lifecycle SET stage = 'stored' WHERE path = 'alpha-org/solo'")
    assert row(m.lifecycle(mat), path="alpha-org/solo")["stage"] == "stored"
    assert row(m.lifecycle(mat, now=NOW + pd.Timedelta(seconds=1)), path="alpha-org/solo")["stage"] == "active"
    # New data makes them stale: computed live again, and now=None is the current time again.
    mat.execute("INSERT INTO releases (forge, host, repo_path, tag, published_at) VALUES"
                " ('github', 'github.com', 'alpha-org/solo', 'v9', '2025-07-01 00:00:00Z')")
    assert not m.metric_results_fresh(mat) and m.as_of(mat) is None
    assert row(m.lifecycle(mat, now=NOW), path="alpha-org/solo")["stage"] == "active"
    mat.close()


def test_settings_are_read_from_the_warehouse(db_file, tmp_path):
    # The registry's [settings.*] reach the warehouse (state.sync_registry); functions not given
    # thresholds or weights use them, explicit arguments still win.
    path = tmp_path / "settings.duckdb"
    path.write_bytes(db_file.read_bytes())
    w = duckdb.connect(str(path))
    assert m.stored_thresholds(w) == m.LifecycleThresholds() and m.stored_weights(w) == m.DEFAULT_WEIGHTS
    registry = parse_registry(REGISTRY + "\n[settings.lifecycle]\ndeclining_ratio = 3.0\ninactive_days = 100\n"
                              "\n[settings.health_weights]\nresponsiveness = 0\nrelease_cadence = 0\n")
    sync_registry(w, registry)
    assert m.stored_thresholds(w) == m.LifecycleThresholds(declining_ratio=3.0, inactive_days=100)
    assert m.stored_weights(w) == m.DEFAULT_WEIGHTS | {"responsiveness": 0.0, "release_cadence": 0.0}
    # As in test_lifecycle_thresholds: solo declining (1 < 3 * 2 / 3), beta-gh/core inactive (132 days).
    stages = dict(zip(*[m.lifecycle(w, now=NOW)[c] for c in ("path", "stage")]))
    assert stages["alpha-org/solo"] == "declining" and stages["beta-gh/core"] == "inactive"
    assert dict(zip(*[m.lifecycle(w, now=NOW, thresholds=m.LifecycleThresholds())[c] for c in ("path", "stage")])) \
        ["alpha-org/solo"] == "active"
    # core without responsiveness and release cadence (test_health_score_repo's parts):
    # (0.25 * 91.667 + 0.2 * 50 + 0.15 * 50 + 0.1 * 83.333) / 0.7 = 70.238
    core = row(m.health_score(w, Scope(repo=repo_key(CORE)), now=NOW), path=CORE)
    assert core["score"] == pytest.approx((0.25 * 100 * 11 / 12 + 0.2 * 50 + 0.15 * 50 + 0.1 * 100 * 5 / 6) / 0.7)
    # Explicit weights go over the stored ones: responsiveness back at 0.2 ...
    core = row(m.health_score(w, Scope(repo=repo_key(CORE)), now=NOW, weights={"responsiveness": 0.2}), path=CORE)
    assert core["score"] == pytest.approx(
        (0.25 * 100 * 11 / 12 + 0.2 * 100 * 4 / 6 + 0.2 * 50 + 0.15 * 50 + 0.1 * 100 * 5 / 6) / 0.9)
    # The attention list's wording follows the thresholds in use.
    att = m.attention_list(w, Scope(repo=repo_key("alpha-org/solo")), now=NOW)
    assert list(att["reason"]) == ["declining", "single_maintainer", "contract_expiring"]
    # Materialised with the stored thresholds, and read while they stay.
    m.refresh_metric_results(w, NOW)
    assert row(m.lifecycle(w), path="alpha-org/solo")["stage"] == "declining"
    w.close()


# =========================================================================== a mirror pair


MIRROR_REGISTRY = """\
[[entity]]
id = "delta"
name = "Delta"
country = "DE"
archetype = "local"
email_domains = ["delta.example"]

  [[entity.account]]
  forge = "github"
  owner = "delta"

  [[entity.account]]
  forge = "opencode"
  owner = "delta"
"""


def test_mirror_pair_counts_commits_once(tmp_path):
    """The same history on GitHub and openCoDE: one project's commits at the entity level."""
    con = duckdb.connect(str(tmp_path / "mirror.duckdb"))
    migrate(con)
    con.execute("INSERT INTO entities VALUES ('delta', 'Delta', 'DE', 'local', ['delta.example'])")
    for forge, host in [("github", "github.com"), ("opencode", "gitlab.opencode.de")]:
        con.execute(
            "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork,"
            " stars, forks_count, open_issues, created_at) VALUES"
            " (?, ?, 'delta/app', 'delta', 'delta', 'app', false, false, 0, 0, 0, '2024-01-01 00:00:00Z')",
            [forge, host],
        )
        for sha, person, at in [("m1", "ida", "2025-01-05 10:00:00Z"), ("m2", "ida", "2025-01-20 10:00:00Z"),
                                ("m3", "ida", "2025-02-03 10:00:00Z"), ("m4", "joe", "2025-02-10 10:00:00Z")]:
            # GitHub knows the login; openCoDE (GitLab) commits carry the e-mail only.
            con.execute(
                "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name,"
                " committed_at) VALUES (?, ?, 'delta/app', ?, ?, ?, ?, ?)",
                [forge, host, sha, person if forge == "github" else None, f"{person}@delta.example", person, at],
            )
    rebuild_identities(con, parse_registry(MIRROR_REGISTRY))
    now = datetime(2025, 2, 28, tzinfo=UTC)
    act = m.activity_per_month(con, Scope("entity"), months=2, now=now)
    # January: m1 m2 (ida) - 2 commits, not 4; February: m3 (ida), m4 (joe). ida's two identities
    # (GitHub login + e-mail, openCoDE e-mail) are one person through the shared e-mail.
    assert list(act["commits"]) == [2, 2]
    assert list(act["active_contributors"]) == [1, 2]
    # ida is new in January, joe in February.
    assert list(act["new_contributors"]) == [1, 1]
    repo_level = m.activity_per_month(con, Scope("repo"), months=2, now=now)
    assert list(repo_level["commits"]) == [2, 2, 2, 2]  # each copy on its own counts its commits
    af = m.absence_factor(con, Scope("entity"), now=now).iloc[0]
    # ida 3 of 4 > 2 -> 1
    assert (af["commits"], af["contributors"], af["absence_factor"]) == (4, 2, 1)
    con.close()


def test_unknown_arguments_raise(con):
    with pytest.raises(ValueError):
        m.issue_resolution_duration(con, kind="epic", now=NOW)
    with pytest.raises(ValueError):
        m.absence_factor(con, Scope(repo=("github", "alpha-org/core")), now=NOW)
