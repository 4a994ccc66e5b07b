"""Identity resolution on a small hand-built warehouse, against hand-worked answers."""

from __future__ import annotations

import duckdb
import pytest

from collectors.registry import parse_registry
from warehouse.identities import IdentityStats, rebuild_identities
from warehouse.schema import migrate

REGISTRY = """\
[defaults]
bots = ["Stadt-CI"]

[[entity]]
id = "muenchen"
name = "Landeshauptstadt München"
country = "DE"
archetype = "local"
email_domains = ["muenchen.de"]

  [[entity.account]]
  forge = "github"
  owner = "it-at-m"

  [[entity.account]]
  forge = "opencode"
  owner = "stadt-muenchen"

[[entity]]
id = "dortmund"
name = "Stadt Dortmund"
country = "DE"
archetype = "local"
email_domains = ["dortmund.de"]

  [[entity.account]]
  forge = "github"
  owner = "stadtdortmund"

[[alias]]
name = "Alice Example"
logins = ["github:Alice-GH"]
emails = ["alice@opencode-mail.example"]
"""

GH = "'github', 'github.com'"
OC = "'opencode', 'gitlab.opencode.de'"
GL = "'gitlab', 'gitlab.com'"

# (forge, host, repo, sha, author login/email/name, committer login/email/name)
COMMITS = [
    # alias: a GitHub login ...
    f"({GH}, 'it-at-m/app', 'c1', 'alice-gh', 'alice@private.example', 'Alice', 'web-flow', 'noreply@github.com', 'GitHub')",
    # ... and an openCoDE e-mail (no login on GitLab commits)
    f"({OC}, 'stadt-muenchen/app', 'o1', NULL, 'alice@opencode-mail.example', 'Alice E.', NULL, 'alice@opencode-mail.example', 'Alice E.')",
    # GitHub private address names its github.com login
    f"({OC}, 'stadt-muenchen/app', 'o2', NULL, '12345+alice-gh@users.noreply.github.com', 'alice', NULL, NULL, NULL)",
    # exact e-mail, case-insensitive and trimmed
    f"({GH}, 'it-at-m/app', 'c2', 'bob', ' Bob@Muenchen.DE ', 'Bob', 'bob', ' Bob@Muenchen.DE ', 'Bob')",
    f"({OC}, 'stadt-muenchen/app', 'o3', NULL, 'bob@muenchen.de', 'Bob B.', NULL, 'bob@muenchen.de', 'Bob B.')",
    # subdomain of an entity's e-mail domain
    f"({OC}, 'stadt-muenchen/app', 'o4', NULL, 'carol@it.muenchen.de', 'Carol', NULL, 'carol@it.muenchen.de', 'Carol')",
    # not a subdomain: a domain that merely ends in the same letters
    f"({OC}, 'stadt-muenchen/app', 'o5', NULL, 'mallory@notmuenchen.de', 'Mallory', NULL, 'mallory@notmuenchen.de', 'Mallory')",
    # [bot] login and its noreply address; the same bot seen on openCoDE by e-mail only
    f"({GH}, 'it-at-m/app', 'c3', 'dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com', 'dependabot[bot]', 'web-flow', 'noreply@github.com', 'GitHub')",
    f"({OC}, 'stadt-muenchen/app', 'o6', NULL, '49699333+dependabot[bot]@users.noreply.github.com', 'dependabot[bot]', NULL, NULL, NULL)",
    # noreply guard: a human whose author address is noreply@github.com, next to web-flow
    f"({GH}, 'it-at-m/app', 'c4', 'erin', 'noreply@github.com', 'Erin', 'web-flow', 'noreply@github.com', 'GitHub')",
    # ... and a mirror of a GitHub web commit on openCoDE: GitHub <noreply@github.com>, no login
    f"({OC}, 'stadt-muenchen/app', 'o7', NULL, 'frank@dortmund.de', 'Frank', NULL, 'noreply@github.com', 'GitHub')",
    # a configured bot that uses a person's address must not merge with that person
    f"({GH}, 'stadtdortmund/app', 'c5', 'stadt-ci', 'frank@dortmund.de', 'Stadt CI', 'stadt-ci', 'frank@dortmund.de', 'Stadt CI')",
]

ITEMS = [
    # (forge, host, repo, number, kind, state, author_login)
    f"({GH}, 'stadtdortmund/app', 1, 'issue', 'open', 'dave')",
    f"({GH}, 'stadtdortmund/app', 2, 'change_request', 'merged', 'renovate-bot')",
    f"({GL}, 'other/app', 1, 'issue', 'open', 'dave')",           # same login, other host
    f"({OC}, 'stadt-muenchen/app', 1, 'issue', 'open', 'dave')",  # and another
    f"({GH}, 'it-at-m/app', 3, 'issue', 'closed', NULL)",         # author unknown
]

COMMENTS = [
    # (forge, host, repo, comment_id, item_kind, item_number, kind, author_login)
    f"({GH}, 'stadtdortmund/app', 10, 'issue', 1, 'comment', 'Dave')",
    f"({GH}, 'stadtdortmund/app', 11, 'issue', 1, 'comment', 'Stadt-CI')",
    f"({OC}, 'stadt-muenchen/app', 12, 'issue', 1, 'note', 'project_42_bot_1a2b3c')",
    f"({GH}, 'it-at-m/app', 13, 'issue', 3, 'comment', 'alice-gh')",
]

MEMBERS = [
    # (forge, host, account_owner, login, name)
    f"({GH}, 'stadtdortmund', 'dave', 'Dave D.')",
    f"({GH}, 'it-at-m', 'Alice-GH', NULL)",
    f"({GH}, 'someone-else', 'bob', 'Bob')",                  # not a registry account
    f"({OC}, 'stadt-muenchen/city-app', 'grace', 'Grace')",   # subgroup of a registry group
]


def _insert(con: duckdb.DuckDBPyConnection, reverse: bool = False) -> None:
    def rows(values: list[str]) -> str:
        return ", ".join(reversed(values) if reverse else values)

    con.execute(
        "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name,"
        " committer_login, committer_email, committer_name) VALUES " + rows(COMMITS)
    )
    con.execute(
        "INSERT INTO items (forge, host, repo_path, number, kind, state, author_login) VALUES " + rows(ITEMS)
    )
    con.execute(
        "INSERT INTO comments (forge, host, repo_path, comment_id, item_kind, item_number, kind, author_login)"
        " VALUES " + rows(COMMENTS)
    )
    con.execute("INSERT INTO members (forge, host, account_owner, login, name) VALUES " + rows(MEMBERS))


@pytest.fixture
def registry():
    return parse_registry(REGISTRY)


def _open(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    migrate(con)
    return con


@pytest.fixture
def con(tmp_path):
    con = _open(tmp_path / "ossdash.duckdb")
    _insert(con)
    yield con
    con.close()


@pytest.fixture
def built(con, registry):
    stats = rebuild_identities(con, registry)
    return con, stats


def person(con, forge: str, host: str, login: str | None = None, email: str | None = None) -> int:
    """The one person holding identities with this login and/or e-mail on this host."""
    found = {
        row[0]
        for row in con.execute(
            "SELECT person_id FROM person_identities WHERE forge = ? AND host = ?"
            " AND (? IS NULL OR login = ?) AND (? IS NULL OR email = ?)",
            [forge, host, login, login, email, email],
        ).fetchall()
    }
    assert len(found) == 1, (forge, host, login, email, found)
    return found.pop()


def is_bot(con, pid: int) -> bool:
    return con.execute("SELECT is_bot FROM persons WHERE person_id = ?", [pid]).fetchone()[0]


def affiliations(con, pid: int) -> set[tuple[str, str]]:
    return set(con.execute("SELECT entity_id, source FROM person_affiliations WHERE person_id = ?", [pid]).fetchall())


def test_alias_merges_github_login_with_opencode_email(built):
    con, _ = built
    alice = person(con, "github", "github.com", login="alice-gh")
    assert person(con, "opencode", "gitlab.opencode.de", email="alice@opencode-mail.example") == alice
    # the alias's login is matched case-insensitively, and members/comments by login join in
    assert person(con, "github", "github.com", login="Alice-GH") == alice
    # a GitHub private address names its github.com login
    assert person(con, "opencode", "gitlab.opencode.de", email="12345+alice-gh@users.noreply.github.com") == alice
    assert con.execute("SELECT display_name, is_bot FROM persons WHERE person_id = ?", [alice]).fetchone() == (
        "Alice Example",
        False,
    )


def test_exact_email_merge_is_case_insensitive(built):
    con, _ = built
    bob = person(con, "github", "github.com", login="bob")
    assert person(con, "opencode", "gitlab.opencode.de", email="bob@muenchen.de") == bob
    assert con.execute("SELECT count(*) FROM person_identities WHERE person_id = ?", [bob]).fetchone()[0] == 3


def test_same_login_merges_on_same_host_only(built):
    con, _ = built
    dave = person(con, "github", "github.com", login="dave")
    assert person(con, "github", "github.com", login="Dave") == dave  # comment author, other case
    on_gitlab = person(con, "gitlab", "gitlab.com", login="dave")
    on_opencode = person(con, "opencode", "gitlab.opencode.de", login="dave")
    assert len({dave, on_gitlab, on_opencode}) == 3
    # item_authors and comment_authors resolve by login on the item's host
    authors = dict(
        con.execute("SELECT host, person_id FROM item_authors WHERE number = 1 AND kind = 'issue'").fetchall()
    )
    assert authors == {"github.com": dave, "gitlab.com": on_gitlab, "gitlab.opencode.de": on_opencode}
    assert con.execute("SELECT person_id FROM comment_authors WHERE comment_id = 10").fetchone()[0] == dave
    assert con.execute("SELECT display_name FROM persons WHERE person_id = ?", [dave]).fetchone()[0] == "Dave D."


def test_bots_are_flagged(built):
    con, _ = built
    dependabot = person(con, "github", "github.com", login="dependabot[bot]")
    assert is_bot(con, dependabot)
    # the same bot seen by e-mail only on openCoDE merges with it (bot with bot)
    assert person(con, "opencode", "gitlab.opencode.de", email="49699333+dependabot[bot]@users.noreply.github.com") == dependabot
    for forge, host, login in [
        ("github", "github.com", "stadt-ci"),            # configured in [defaults] bots
        ("github", "github.com", "Stadt-CI"),            # ... case-insensitively
        ("github", "github.com", "renovate-bot"),        # known service account
        ("github", "github.com", "web-flow"),            # GitHub's web committer
        ("opencode", "gitlab.opencode.de", "project_42_bot_1a2b3c"),  # GitLab project bot
    ]:
        assert is_bot(con, person(con, forge, host, login=login)), login
    for login in ["alice-gh", "bob", "dave", "erin"]:
        assert not is_bot(con, person(con, "github", "github.com", login=login)), login
    # the views carry the flag
    assert con.execute("SELECT is_bot FROM commit_authors WHERE sha = 'c3'").fetchone()[0] is True
    assert con.execute("SELECT is_bot FROM item_authors WHERE number = 2").fetchone()[0] is True
    assert con.execute("SELECT is_bot FROM comment_authors WHERE comment_id = 11").fetchone()[0] is True
    assert con.execute("SELECT is_bot FROM comment_authors WHERE comment_id = 12").fetchone()[0] is True


def test_noreply_guard(built):
    con, _ = built
    erin = person(con, "github", "github.com", login="erin")
    web_flow = person(con, "github", "github.com", login="web-flow")
    mirror = person(con, "opencode", "gitlab.opencode.de", email="noreply@github.com")
    assert len({erin, web_flow, mirror}) == 3
    assert not is_bot(con, erin)
    assert is_bot(con, web_flow) and is_bot(con, mirror)
    # a bot using a person's address does not swallow the person
    stadt_ci = person(con, "github", "github.com", login="stadt-ci")
    frank = person(con, "opencode", "gitlab.opencode.de", email="frank@dortmund.de")
    assert stadt_ci != frank
    assert not is_bot(con, frank)
    assert con.execute("SELECT display_name FROM persons WHERE person_id = ?", [frank]).fetchone()[0] == "Frank"


def test_affiliation_by_member_and_email_domain(built):
    con, _ = built
    dave = person(con, "github", "github.com", login="dave")
    assert affiliations(con, dave) == {("dortmund", "member")}
    alice = person(con, "github", "github.com", login="alice-gh")
    assert affiliations(con, alice) == {("muenchen", "member")}
    bob = person(con, "github", "github.com", login="bob")
    assert affiliations(con, bob) == {("muenchen", "email_domain")}  # not a member of a registry account
    carol = person(con, "opencode", "gitlab.opencode.de", email="carol@it.muenchen.de")
    assert affiliations(con, carol) == {("muenchen", "email_domain")}  # subdomain
    mallory = person(con, "opencode", "gitlab.opencode.de", email="mallory@notmuenchen.de")
    assert affiliations(con, mallory) == set()
    grace = person(con, "opencode", "gitlab.opencode.de", login="grace")
    assert affiliations(con, grace) == {("muenchen", "member")}  # member of a subgroup
    frank = person(con, "opencode", "gitlab.opencode.de", email="frank@dortmund.de")
    assert affiliations(con, frank) == {("dortmund", "email_domain")}
    # a person may belong to several entities
    con.execute("INSERT INTO members VALUES ('github', 'github.com', 'it-at-m', 'dave', NULL)")
    rebuild_identities(con, parse_registry(REGISTRY))
    dave = person(con, "github", "github.com", login="dave")
    assert affiliations(con, dave) == {("dortmund", "member"), ("muenchen", "member")}


def test_stats_and_views(built):
    con, stats = built
    identities = con.execute("SELECT count(*) FROM person_identities").fetchone()[0]
    persons, bots = con.execute("SELECT count(*), count(*) FILTER (is_bot) FROM persons").fetchone()
    n_aff = con.execute("SELECT count(*) FROM person_affiliations").fetchone()[0]
    assert stats == IdentityStats(identities, persons, bots, identities - persons, n_aff)
    # persons: alice, bob, carol, mallory, erin, frank, grace, dave x3 hosts;
    # bots: dependabot, web-flow, the openCoDE GitHub mirror committer, stadt-ci, renovate-bot, project bot
    assert (persons, bots) == (16, 6)
    # every commit, item and comment appears once in its view
    for view, table in [("commit_authors", "commits"), ("item_authors", "items"), ("comment_authors", "comments")]:
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone() == con.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert con.execute("SELECT count(*) FROM commit_authors WHERE person_id IS NULL").fetchone()[0] == 0
    # the issue without an author: unknown person, not a bot
    assert con.execute("SELECT person_id, is_bot FROM item_authors WHERE number = 3").fetchone() == (None, False)
    alice = person(con, "github", "github.com", login="alice-gh")
    assert {r[0] for r in con.execute("SELECT sha FROM commit_authors WHERE person_id = ?", [alice]).fetchall()} == {"c1", "o1", "o2"}


TABLES = {
    "persons": "SELECT * FROM persons ORDER BY ALL",
    "person_identities": "SELECT * FROM person_identities ORDER BY ALL",
    "person_affiliations": "SELECT * FROM person_affiliations ORDER BY ALL",
    "commit_authors": "SELECT * FROM commit_authors ORDER BY ALL",
}


def _dump(con) -> dict[str, list[tuple]]:
    return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}


def test_rebuild_is_deterministic(built, registry, tmp_path):
    con, stats = built
    first = _dump(con)
    assert rebuild_identities(con, registry) == stats
    assert _dump(con) == first
    # the same data inserted in another order gives the same person ids
    other = _open(tmp_path / "other.duckdb")
    _insert(other, reverse=True)
    try:
        assert rebuild_identities(other, registry) == stats
        assert _dump(other) == first
    finally:
        other.close()


def test_rebuild_joins_the_callers_transaction(con, registry):
    con.execute("BEGIN")
    rebuild_identities(con, registry)
    assert con.execute("SELECT count(*) FROM persons").fetchone()[0] > 0
    con.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == 0


def test_empty_database(tmp_path, registry):
    con = _open(tmp_path / "empty.duckdb")
    try:
        assert rebuild_identities(con, registry) == IdentityStats(0, 0, 0, 0, 0)
        assert rebuild_identities(con, None) == IdentityStats(0, 0, 0, 0, 0)
        for view in ("commit_authors", "item_authors", "comment_authors"):
            assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] == 0
    finally:
        con.close()
