"""Reuse and collaboration across entities, on a small hand-built warehouse with hand-worked answers.

The world (every expected value below is derived from this picture, not from the code):

- muenchen's project "app": github.com/it-at-m/app (created 2020), mirrored on openCoDE as
  stadt-muenchen/app (created 2021, same commits a1 a2 a3). One project, canonical on GitHub.
- dortmund forks it on GitHub: stadtdortmund/app (is_fork, fork_parent it-at-m/app; also listed in
  it-at-m/app's forks): one fork, seen twice. The fork shares a1 a2 and adds d1.
- a GitHub user outside the registry (random-user) forks it-at-m/app: no edge.
- amsterdam forks the openCoDE mirror into its nested group amsterdam/sub (account: amsterdam).
- dortmund's project "portal": github.com/stadtdortmund/portal (2023, commits p1 p2), mirrored by
  amsterdam on gitlab.com as amsterdam/portal (later, same commits): a mirror across entities.
- roma's project "civic": github.com/comune-roma/civic (commit r1, plus a bot commit b1).
- publiccode.yml: it-at-m/app usedBy "Stadt Dortmund", its mirror usedBy "STADT DORTMUND" (one
  project, counted once); portal usedBy "Stadt München" (core match), "Roma" (the id),
  "Gemeente Amsterdm" (fuzzy match), "Stadt Dortmund" (itself: no edge), "Unknown Town" (no
  match); civic isBasedOn https://github.com/it-at-m/app.git (a collected repo) and
  https://github.com/stadtdortmund/other-thing (a registry namespace, repo not collected).
- people: alice@muenchen.de (a1; r1 in civic), erin@example.org (a2; p1, unaffiliated),
  dave@dortmund.de (a3; d1 in dortmund's own fork), frank@comune.roma.it (p2),
  dependabot[bot] (a bot: b1 in civic, b2 in it-at-m/app).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from collectors.registry import parse_registry
from warehouse import reuse
from warehouse.identities import rebuild_identities
from warehouse.schema import migrate
from warehouse.state import sync_registry

REGISTRY = """\
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

[[entity]]
id = "roma"
name = "Comune di Roma"
country = "IT"
archetype = "local"
email_domains = ["comune.roma.it"]
  [[entity.account]]
  forge = "github"
  owner = "comune-roma"

[[entity]]
id = "amsterdam"
name = "Gemeente Amsterdam"
country = "NL"
archetype = "local"
  [[entity.account]]
  forge = "gitlab"
  owner = "amsterdam"
  [[entity.account]]
  forge = "opencode"
  owner = "amsterdam"
"""

GH = "'github', 'github.com'"
OC = "'opencode', 'gitlab.opencode.de'"
GL = "'gitlab', 'gitlab.com'"

# forge, host, path, entity, owner, name, is_fork, fork_parent, created_at
REPOS = [
    (GH, "it-at-m/app", "muenchen", "it-at-m", "app", False, None, "2020-01-01"),
    (OC, "stadt-muenchen/app", "muenchen", "stadt-muenchen", "app", False, None, "2021-01-01"),
    (GH, "stadtdortmund/app", "dortmund", "stadtdortmund", "app", True, "it-at-m/app", "2022-01-01"),
    (GH, "stadtdortmund/portal", "dortmund", "stadtdortmund", "portal", False, None, "2023-01-01"),
    (GL, "amsterdam/portal", "amsterdam", "amsterdam", "portal", False, None, "2023-06-01"),
    (GH, "comune-roma/civic", "roma", "comune-roma", "civic", False, None, "2021-05-01"),
]

ALICE = ("alice", "alice@muenchen.de", "Alice")
ERIN = ("erin", "erin@example.org", "Erin")
DAVE = ("dave", "dave@dortmund.de", "Dave")
FRANK = ("frank", "frank@comune.roma.it", "Frank")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", "dependabot[bot]")

# (forge/host, repo, sha, author, committed_at); GitLab rows carry no login.
COMMITS = [
    (GH, "it-at-m/app", "a1", ALICE, "2020-01-02"),
    (GH, "it-at-m/app", "a2", ERIN, "2020-06-01"),
    (GH, "it-at-m/app", "a3", DAVE, "2024-05-01"),
    (GH, "it-at-m/app", "b2", BOT, "2024-05-02"),
    (OC, "stadt-muenchen/app", "a1", ALICE, "2020-01-02"),
    (OC, "stadt-muenchen/app", "a2", ERIN, "2020-06-01"),
    (OC, "stadt-muenchen/app", "a3", DAVE, "2024-05-01"),
    (OC, "stadt-muenchen/app", "b2", BOT, "2024-05-02"),
    (GH, "stadtdortmund/app", "a1", ALICE, "2020-01-02"),
    (GH, "stadtdortmund/app", "a2", ERIN, "2020-06-01"),
    (GH, "stadtdortmund/app", "d1", DAVE, "2022-03-01"),
    (GH, "stadtdortmund/portal", "p1", ERIN, "2023-01-05"),
    (GH, "stadtdortmund/portal", "p2", FRANK, "2023-02-01"),
    (GL, "amsterdam/portal", "p1", ERIN, "2023-01-05"),
    (GL, "amsterdam/portal", "p2", FRANK, "2023-02-01"),
    (GH, "comune-roma/civic", "r1", ALICE, "2021-06-01"),
    (GH, "comune-roma/civic", "b1", BOT, "2021-06-02"),
]

# forge/host, repo forked, fork path, fork owner
FORKS = [
    (GH, "it-at-m/app", "stadtdortmund/app", "stadtdortmund"),
    (GH, "it-at-m/app", "random-user/app", "random-user"),
    (OC, "stadt-muenchen/app", "amsterdam/sub/app", "amsterdam/sub"),
]

# forge/host, repo, used_by, is_based_on
PUBLICCODE = [
    (GH, "it-at-m/app", ["Stadt Dortmund"], []),
    (OC, "stadt-muenchen/app", ["STADT DORTMUND"], []),
    (GH, "stadtdortmund/portal",
     ["Stadt München", "Roma", "Gemeente Amsterdm", "Stadt Dortmund", "Unknown Town"], []),
    (GH, "comune-roma/civic", [],
     ["https://github.com/it-at-m/app.git", "https://github.com/stadtdortmund/other-thing"]),
]


def _sql_str(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def _sql_list(values):
    return "[" + ", ".join(_sql_str(v) for v in values) + "]::VARCHAR[]"


def build(con, repos=REPOS, commits=COMMITS, forks=FORKS, publiccode=PUBLICCODE, registry_text=REGISTRY):
    migrate(con)
    registry = parse_registry(registry_text)
    sync_registry(con, registry)
    for fh, path, entity, owner, name, is_fork, parent, created in repos:
        con.execute(
            "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork, fork_parent,"
            f" stars, forks_count, open_issues, created_at) VALUES ({fh}, {_sql_str(path)}, {_sql_str(entity)},"
            f" {_sql_str(owner)}, {_sql_str(name)}, false, {str(is_fork).lower()}, {_sql_str(parent)}, 0, 0, 0,"
            f" TIMESTAMPTZ '{created} 00:00:00+00')"
        )
    for fh, path, sha, (login, email, name), at in commits:
        gitlab = "github" not in fh
        con.execute(
            "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name,"
            f" committed_at) VALUES ({fh}, {_sql_str(path)}, {_sql_str(sha)},"
            f" {_sql_str(None if gitlab else login)}, {_sql_str(email)}, {_sql_str(name)},"
            f" TIMESTAMPTZ '{at} 12:00:00+00')"
        )
    for fh, path, fork_path, owner in forks:
        con.execute(
            f"INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner) VALUES ({fh}, {_sql_str(path)},"
            f" {_sql_str(fork_path)}, {_sql_str(owner)})"
        )
    for fh, path, used_by, based_on in publiccode:
        con.execute(
            "INSERT INTO publiccode (forge, host, repo_path, valid, used_by, is_based_on) VALUES"
            f" ({fh}, {_sql_str(path)}, true, {_sql_list(used_by)}, {_sql_list(based_on)})"
        )
    rebuild_identities(con, registry)
    reuse.refresh_reuse(con)
    return registry


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "reuse.duckdb"))
    build(con)
    yield con
    con.close()


APP = "github:github.com/it-at-m/app"
PORTAL = "github:github.com/stadtdortmund/portal"


def _edges(df: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    return {(r.kind, r.source, r.target): r.weight for r in df.itertuples()}


# --------------------------------------------------------------------------- projects and mirrors


def test_mirror_pair_is_one_project(con):
    m = reuse.mirrors(con)
    pairs = {(r.project_id, r.mirror_forge, r.mirror_path, r.mirror_entity, r.same_entity) for r in m.itertuples()}
    assert pairs == {
        (APP, "opencode", "stadt-muenchen/app", "muenchen", True),
        (PORTAL, "gitlab", "amsterdam/portal", "amsterdam", False),
    }
    assert set(m["root_sha"]) == {"a1", "p1"}
    projects = reuse.projects(con).set_index("project_id")
    # 6 repos, two mirrors folded in: 4 projects; the fork stays a project of its own.
    assert sorted(projects.index) == sorted([
        APP, PORTAL, "github:github.com/stadtdortmund/app", "github:github.com/comune-roma/civic",
    ])
    assert projects.loc[APP, "repos"] == 2
    assert list(projects.loc[APP, "mirrors"]) == ["opencode:gitlab.opencode.de/stadt-muenchen/app"]
    assert projects.loc[PORTAL, "entity_id"] == "dortmund"
    assert list(projects.loc[PORTAL, "mirror_entities"]) == ["amsterdam"]
    # Only muenchen's projects: the app, counted once.
    assert list(reuse.projects(con, "muenchen")["project_id"]) == [APP]


def test_same_root_on_one_host_is_not_a_mirror(tmp_path):
    # Two non-fork repositories with the same history on github.com (a copy pushed by hand) stay
    # two projects: a mirror needs two forge hosts.
    repos = [
        (GH, "it-at-m/app", "muenchen", "it-at-m", "app", False, None, "2020-01-01"),
        (GH, "it-at-m/app-copy", "muenchen", "it-at-m", "app-copy", False, None, "2020-02-01"),
    ]
    commits = [(GH, "it-at-m/app", "a1", ALICE, "2020-01-02"), (GH, "it-at-m/app-copy", "a1", ALICE, "2020-01-02")]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build(con, repos=repos, commits=commits, forks=[], publiccode=[])
    assert reuse.mirrors(con).empty
    assert len(reuse.projects(con)) == 2
    con.close()


# --------------------------------------------------------------------------- name matching


def test_names_match_tolerant_of_spelling():
    ents = [("muenchen", "Landeshauptstadt München"), ("dortmund", "Stadt Dortmund"),
            ("roma", "Comune di Roma"), ("amsterdam", "Gemeente Amsterdam")]
    expect = {
        "Landeshauptstadt München": ("muenchen", "exact"),
        "LANDESHAUPTSTADT MUENCHEN": ("muenchen", "exact"),   # umlaut spelled out, case
        "Stadt München": ("muenchen", "core"),                # other prefix, same core
        "muenchen": ("muenchen", "exact"),                    # the entity id
        "Munchen": ("muenchen", "fuzzy"),                     # umlaut dropped: 'munchen' vs 'muenchen'
        "Stadt-Dortmund": ("dortmund", "exact"),              # punctuation
        "Dortmund": ("dortmund", "exact"),                    # equals the entity id
        "Stadtverwaltung Dortmund": ("dortmund", "core"),
        "Città di Roma": ("roma", "core"),                    # accent, Italian prefix
        "Roma": ("roma", "exact"),
        "Gemeente Amsterdm": ("amsterdam", "fuzzy"),          # typo
        "Amsterdam Kommune": ("amsterdam", "core"),           # suffix
    }
    for text, (entity, method) in expect.items():
        m = reuse.match_entity(text, ents)
        assert m is not None, text
        assert (m.entity_id, m.method) == (entity, method), text
    # 'munchen' vs 'muenchen': difflib ratio 2*7/15
    assert reuse.match_entity("Munchen", ents).score == pytest.approx(round(14 / 15, 3))
    for text in ("Unknown Town", "", "   ", "Rom", "Amster"):
        assert reuse.match_entity(text, ents) is None, text


def test_ambiguous_core_names_do_not_match():
    ents = [("os-stadt", "Stadt Osnabrück"), ("os-kreis", "Landkreis Osnabrück")]
    assert reuse.match_entity("Landkreis Osnabrueck", ents).entity_id == "os-kreis"
    assert reuse.match_entity("Stadt Osnabrück", ents).entity_id == "os-stadt"
    # "Osnabrück" alone: core of the city ('osnabrueck'); the district keeps 'landkreis'.
    assert reuse.match_entity("Osnabrück", ents).entity_id == "os-stadt"
    # Two entities with the same core name: nobody.
    twins = [("a", "Stadt Neustadt"), ("b", "Gemeinde Neustadt")]
    assert reuse.match_entity("Neustadt", twins) is None


def test_publiccode_mentions(con):
    m = reuse.publiccode_mentions(con)
    got = {(r.repo_path, r.field, r.text): (r.entity_id, r.method) for r in m.itertuples()}
    assert got == {
        ("it-at-m/app", "used_by", "Stadt Dortmund"): ("dortmund", "exact"),
        ("stadt-muenchen/app", "used_by", "STADT DORTMUND"): ("dortmund", "exact"),
        ("stadtdortmund/portal", "used_by", "Stadt München"): ("muenchen", "core"),
        ("stadtdortmund/portal", "used_by", "Roma"): ("roma", "exact"),
        ("stadtdortmund/portal", "used_by", "Gemeente Amsterdm"): ("amsterdam", "fuzzy"),
        ("stadtdortmund/portal", "used_by", "Stadt Dortmund"): ("dortmund", "exact"),
        ("stadtdortmund/portal", "used_by", "Unknown Town"): (None, None),
        ("comune-roma/civic", "is_based_on", "https://github.com/it-at-m/app.git"): ("muenchen", "repo_url"),
        ("comune-roma/civic", "is_based_on", "https://github.com/stadtdortmund/other-thing"): ("dortmund", "account_url"),
    }
    based = m[m["field"] == "is_based_on"].set_index("text")["matched_project"]
    assert based["https://github.com/it-at-m/app.git"] == APP
    assert based["https://github.com/stadtdortmund/other-thing"] is None


# --------------------------------------------------------------------------- edges


def test_entity_edges(con):
    edges = reuse.entity_edges(con)
    assert list(edges.columns) == ["source", "target", "kind", "weight", "evidence"]
    assert _edges(edges) == {
        # stadtdortmund/app: in it-at-m/app's forks and as a fork repo itself: one fork
        ("fork", "muenchen", "dortmund"): 1,
        # amsterdam/sub is a subgroup of the registry group amsterdam on openCoDE
        ("fork", "muenchen", "amsterdam"): 1,
        # random-user is in no registry account: no edge
        ("mirror", "dortmund", "amsterdam"): 1,
        # app and its mirror both name Dortmund: one project
        ("used_by", "muenchen", "dortmund"): 1,
        ("used_by", "dortmund", "muenchen"): 1,
        ("used_by", "dortmund", "roma"): 1,
        ("used_by", "dortmund", "amsterdam"): 1,
        ("is_based_on", "muenchen", "roma"): 1,
        ("is_based_on", "dortmund", "roma"): 1,
        # alice (muenchen) in roma's civic; dave (dortmund) a3 in muenchen's app (in both mirrors:
        # one commit); frank (roma) p2 in dortmund's portal
        ("contribution", "roma", "muenchen"): 1,
        ("contribution", "muenchen", "dortmund"): 1,
        ("contribution", "dortmund", "roma"): 1,
        # erin, unaffiliated: a2 in muenchen's app, p1 in dortmund's portal. Her a2 also sits in
        # dortmund's fork, but a commit belongs to the oldest project holding it.
        ("shared_contributor", "dortmund", "muenchen"): 1,
    }
    ev = edges.set_index(["kind", "source", "target"])["evidence"]
    assert ev[("fork", "muenchen", "dortmund")] == "github.com/it-at-m/app forked as github.com/stadtdortmund/app"
    assert "STADT DORTMUND" in ev[("used_by", "muenchen", "dortmund")]
    assert "Stadt Dortmund" in ev[("used_by", "muenchen", "dortmund")]
    assert ev[("contribution", "muenchen", "dortmund")] == f"Dave: 1 commit(s) to {APP}"
    # The kinds come in order, fork first.
    assert edges["kind"].iloc[0] == "fork" and edges["kind"].iloc[-1] == "shared_contributor"


def test_edges_filters(con):
    only = reuse.entity_edges(con, entity_id="roma")
    assert set(_edges(only)) == {
        ("used_by", "dortmund", "roma"), ("is_based_on", "muenchen", "roma"),
        ("is_based_on", "dortmund", "roma"), ("contribution", "roma", "muenchen"),
        ("contribution", "dortmund", "roma"),
    }
    forks = reuse.entity_edges(con, kinds=["fork"])
    assert set(forks["kind"]) == {"fork"} and len(forks) == 2
    with pytest.raises(ValueError):
        reuse.entity_edges(con, kinds=["stars"])


def test_fork_weight_counts_fork_repositories(tmp_path):
    # A second dortmund fork (listed only in the forks table): weight 2.
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build(con, forks=FORKS + [(GH, "it-at-m/app", "StadtDortmund/app-2", "StadtDortmund")])
    assert _edges(reuse.entity_edges(con, kinds=["fork"]))[("fork", "muenchen", "dortmund")] == 2
    con.close()


def test_bots_make_no_edges(con):
    ev = reuse.reuse_evidence(con, kinds=["contribution", "shared_contributor"])
    assert not ev["detail"].str.contains("dependabot").any()


# --------------------------------------------------------------------------- per entity


def test_entity_reuse_summary(con):
    s = reuse.entity_reuse_summary(con).set_index("entity_id")
    assert list(s.index) == ["amsterdam", "dortmund", "muenchen", "roma"]
    expected = {
        #            projects mirrored reused_by reusing reused_from contrib commits contributors external unaffiliated
        "muenchen": (1, 1, 1, 3, 1, 1, 1, 1, 1, 1),
        "dortmund": (2, 1, 1, 3, 1, 1, 1, 1, 1, 1),
        "roma":     (1, 0, 0, 0, 2, 1, 1, 1, 1, 0),
        "amsterdam": (1, 1, 0, 0, 2, 0, 0, 0, 0, 0),
    }
    cols = ["projects", "mirrored_projects", "projects_reused_by_others", "reusing_entities",
            "projects_reused_from_others", "contributions_to_others", "commits_to_others",
            "contributors_to_others", "external_contributors", "unaffiliated_contributors"]
    for entity, values in expected.items():
        assert tuple(int(s.loc[entity, c]) for c in cols) == values, entity
    one = reuse.entity_reuse_summary(con, "roma")
    assert list(one["entity_id"]) == ["roma"] and one["name"].iloc[0] == "Comune di Roma"


def test_no_data(tmp_path):
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    build(con, repos=[], commits=[], forks=[], publiccode=[])
    assert reuse.entity_edges(con).empty
    assert list(reuse.entity_edges(con).columns) == ["source", "target", "kind", "weight", "evidence"]
    assert reuse.mirrors(con).empty
    assert reuse.publiccode_mentions(con).empty
    s = reuse.entity_reuse_summary(con)
    assert len(s) == 4 and (s.drop(columns=["entity_id", "name"]) == 0).all().all()
    con.close()


def test_readonly_connection(tmp_path):
    path = tmp_path / "ro.duckdb"
    con = duckdb.connect(str(path))
    build(con)
    con.close()
    from warehouse.reader import open_readonly

    ro = open_readonly(path)
    try:
        assert len(reuse.entity_edges(ro)) == 13
        assert len(reuse.entity_reuse_summary(ro)) == 4
    finally:
        ro.close()


def test_refresh_state(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build(con)
    assert reuse.reuse_fresh(con)
    first = con.execute("SELECT * FROM repo_project ORDER BY ALL").fetchall()
    # 6 repositories; persons x home projects: alice (app, civic), erin (app, portal), dave (app,
    # dortmund's fork), frank (portal) = 7; distinct usedBy/isBasedOn texts: 9 entries, "Stadt
    # Dortmund" twice = 8; the 13 edges of test_entity_edges; the summaries of the 4 entities.
    assert reuse.refresh_reuse(con) == {"repo_project": 6, "person_project_commits": 7, "publiccode_matches": 8,
                                        "entity_edges_cache": 13, "entity_reuse_cache": 4}
    assert con.execute("SELECT * FROM repo_project ORDER BY ALL").fetchall() == first  # same data, same rows
    con.execute("DELETE FROM forks WHERE fork_owner = 'random-user'")
    assert not reuse.reuse_fresh(con)
    con.close()


def test_matching_before_refresh_equals_after(tmp_path):
    # Before refresh_reuse has filled publiccode_matches (e.g. an older warehouse), texts are
    # resolved on the fly, with the same result.
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build(con)
    after = reuse.entity_edges(con)
    # An older warehouse has no stored edges either (migration 006 marks its reuse tables stale).
    con.execute("DELETE FROM reuse_state")
    con.execute("DELETE FROM publiccode_matches")
    before = reuse.entity_edges(con)
    pd.testing.assert_frame_equal(before, after)
    con.close()


def test_stored_edges_and_summaries_match_live(tmp_path):
    # refresh_reuse stores every edge and summary; reading them, filtered by entity and kinds, gives
    # exactly what computing them live gives (a warehouse whose reuse_state says "stale").
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build(con)
    stale = duckdb.connect(str(tmp_path / "s.duckdb"))
    build(stale)
    stale.execute("DELETE FROM reuse_state")
    assert reuse.reuse_fresh(con) and not reuse.reuse_fresh(stale)
    for entity in (None, "muenchen", "dortmund", "amsterdam", "roma", "nobody"):
        for kinds in (None, ["fork"], ["used_by", "contribution"], ["shared_contributor", "mirror"], []):
            pd.testing.assert_frame_equal(reuse.entity_edges(con, entity, kinds), reuse.entity_edges(stale, entity, kinds))
        pd.testing.assert_frame_equal(reuse.entity_reuse_summary(con, entity), reuse.entity_reuse_summary(stale, entity))
    con.close()
    stale.close()


def test_simulator_forks_and_mirror_agree_with_ground_truth(sim, registry, db_path):
    from collections import Counter

    from warehouse.pipeline import collect

    collect(registry, db_path)
    world = sim.world
    entity_of = {(a.forge, a.path.lower()): a.entity_id for a in world.accounts}
    expected_forks: Counter = Counter()
    for r in world.repos:
        if r.is_fork and r.parent:
            parent_entity = entity_of.get((r.forge, r.parent.rsplit("/", 1)[0].lower()))
            fork_entity = entity_of[(r.forge, r.account.lower())]
            if parent_entity and parent_entity != fork_entity:
                expected_forks[(parent_entity, fork_entity)] += 1
    expected_mirrors = {(r.forge, r.path, r.mirror_of) for r in world.repos if r.mirror_of}
    assert expected_forks and expected_mirrors  # the simulator makes both
    con = duckdb.connect(str(db_path))
    try:
        reuse.refresh_reuse(con)
        forks = reuse.entity_edges(con, kinds=["fork"])
        assert {(r.source, r.target): r.weight for r in forks.itertuples()} == dict(expected_forks)
        m = reuse.mirrors(con)
        assert {(r.mirror_forge, r.mirror_path, f"{r.canonical_forge}:{r.canonical_path}") for r in m.itertuples()} \
            == expected_mirrors
        # Every usedBy name the simulator wrote is one of the registry's names, some upper-cased.
        names = {e.id: e.name for e in registry.entities}
        mentions = reuse.publiccode_mentions(con)
        used = mentions[mentions["field"] == "used_by"]
        assert len(used) > 0
        assert all(names.get(r.entity_id, "").upper() == r.text.upper() for r in used.itertuples())
    finally:
        con.close()
