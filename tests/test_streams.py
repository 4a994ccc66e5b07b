"""Every stream collected from the simulator matches its ground truth, and added activity of each
kind is picked up exactly once by the next incremental run."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.pipeline import collect


def rows(db_path, sql, params=()):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture
def collected(sim, registry, db_path):
    """A collection of its own, for the tests that add activity and collect again."""
    summary = collect(registry, db_path)
    assert summary.status == "ok", [a.errors for a in summary.accounts]
    return sim.world


def test_items_match_ground_truth(demo_db):
    db_path, collected = demo_db  # the session's collection of the same world
    got = {(f, p, k, n): (s, m is not None) for f, p, k, n, s, m in rows(
        db_path, "SELECT forge, repo_path, kind, number, state, merged_at FROM items")}
    want = {
        (r.forge, r.path, i.kind, i.number): (i.state, i.merged_at is not None)
        for r in collected.repos for i in r.items
    }
    assert got == want
    assert {k for _, _, k, _ in got} == {"issue", "change_request"}


def test_comments_match_ground_truth_with_their_items(demo_db):
    db_path, collected = demo_db  # the session's collection of the same world
    got = {(f, p, cid): (kind, ik, n, author, system) for f, p, cid, kind, ik, n, author, system in rows(
        db_path,
        "SELECT forge, repo_path, comment_id, kind, item_kind, item_number, author_login, system FROM comments")}
    want = {
        (r.forge, r.path, c.id): (c.kind, i.kind, i.number, c.author.login, c.system)
        for r in collected.repos for i in r.items for c in i.comments
    }
    assert got == want
    # Pull request conversation comments on GitHub are issue comments, yet belong to change requests.
    assert any(v[0] == "comment" and v[1] == "change_request" for (f, _, _), v in got.items() if f == "github")
    assert any(v[4] for v in got.values()), "GitLab system notes are kept, flagged"


def test_releases_forks_and_members_match(demo_db):
    db_path, collected = demo_db  # the session's collection of the same world
    releases = {(f, p, t, pre) for f, p, t, pre in rows(db_path, "SELECT forge, repo_path, tag, prerelease FROM releases")}
    assert releases == {
        (r.forge, r.path, rel.tag, rel.prerelease if r.forge == "github" else False)
        for r in collected.repos for rel in r.releases
    }
    forks = {(f, p, fp, o) for f, p, fp, o in rows(db_path, "SELECT forge, repo_path, fork_path, fork_owner FROM forks")}
    assert forks == {(r.forge, r.path, fk.path, fk.owner) for r in collected.repos for fk in r.forks}
    members = {(f, o, login) for f, o, login in rows(db_path, "SELECT forge, account_owner, login FROM members")}
    assert members == {(a.forge, a.path, m) for a in collected.accounts for m in a.members}


def test_forks_across_entities_name_their_parent(demo_db):
    db_path, collected = demo_db  # the session's collection of the same world
    parents = dict(rows(db_path, "SELECT path, fork_parent FROM repos WHERE forge = 'github' AND is_fork"))
    want = {r.path: r.parent for r in collected.repos if r.is_fork}
    assert want and parents == want


def test_root_files_and_publiccode(demo_db):
    db_path, collected = demo_db  # the session's collection of the same world
    got = {
        (f, p): flags for f, p, *flags in rows(
            db_path,
            "SELECT forge, repo_path, has_readme, has_license, has_contributing, has_code_of_conduct, "
            "has_security, has_publiccode FROM root_files")
    }
    want = {}
    for r in collected.repos:
        if not r.commits:
            continue  # an empty repository has no root to list
        names = set(r.files)
        want[(r.forge, r.path)] = [
            "README.md" in names, "LICENSE" in names, "CONTRIBUTING.md" in names,
            "CODE_OF_CONDUCT.md" in names, "SECURITY.md" in names, "publiccode.yml" in names,
        ]
    assert got == want
    parsed = {(f, p): (valid, used_by, errors) for f, p, valid, used_by, errors in rows(
        db_path, "SELECT forge, repo_path, valid, used_by, errors FROM publiccode")}
    with_file = {(r.forge, r.path): r for r in collected.repos if "publiccode.yml" in r.files and r.commits}
    assert set(parsed) == set(with_file)
    invalid = [key for key, (valid, _, _) in parsed.items() if not valid]
    assert len(invalid) == 1 and parsed[invalid[0]][2], "the broken file is stored with its errors"
    assert any(used_by for _, used_by, _ in parsed.values()), "usedBy names other entities"


def test_hostile_description_is_stored_verbatim(demo_db):
    from collectors.simulator.streams import HOSTILE_DESCRIPTION

    db_path, _ = demo_db
    assert rows(db_path, "SELECT count(*) FROM repos WHERE description = ?", [HOSTILE_DESCRIPTION]) == [(1,)]


def test_mirror_is_collected_on_both_forges(demo_db):
    db_path, collected = demo_db  # the session's collection of the same world
    mirror = next(r for r in collected.repos if r.mirror_of)
    original_forge, original_path = mirror.mirror_of.split(":", 1)
    shas = rows(db_path, "SELECT forge, count(*) FROM commits WHERE repo_path IN (?, ?) GROUP BY forge ORDER BY forge",
                [mirror.path, original_path])
    assert shas == [(original_forge, len(mirror.commits)), ("opencode", len(mirror.commits))]


def test_identities_merge_and_flag_bots(demo_db):
    db_path, _ = demo_db
    bots = rows(db_path, "SELECT display_name FROM persons WHERE is_bot")
    assert any("dependabot" in name for (name,) in bots)
    # A person committing on GitHub (login + e-mail) and on openCoDE (e-mail only) is one person.
    multi = rows(
        db_path,
        "SELECT person_id FROM person_identities GROUP BY person_id "
        "HAVING count(DISTINCT forge) > 1 AND bool_or(forge = 'github') AND bool_or(forge <> 'github')")
    assert multi
    affiliated = rows(db_path, "SELECT DISTINCT source FROM person_affiliations")
    assert {s for (s,) in affiliated} >= {"member", "email_domain"}


def _counts(db_path):
    return {t: rows(db_path, f"SELECT count(*) FROM {t}")[0][0] for t in ("commits", "items", "comments", "releases", "forks")}


@pytest.mark.parametrize("forge", ["github", "opencode"])
def test_each_kind_of_added_activity_is_picked_up_exactly_once(forge, collected, world, registry, db_path):
    mirrored = {id(r.commits) for r in world.repos if r.mirror_of}
    repo = next(
        r for r in world.repos
        if r.forge == forge and r.commits and r.items and not r.archived and id(r.commits) not in mirrored
    )
    issue = next(i for i in repo.items if i.kind == "issue")
    before = _counts(db_path)
    world.advance(1)
    world.add_commits(forge, repo.path, 2)
    number = world.add_item(forge, repo.path, "issue")
    world.add_comment(forge, repo.path, "issue", issue.number)
    world.add_release(forge, repo.path, "v99.0.0")
    world.add_fork(forge, repo.path, "someone-else")
    world.set_file(forge, repo.path, "publiccode.yml", "publiccodeYmlVersion: '0.4'\nname: renamed\n")

    first = collect(registry, db_path)
    second = collect(registry, db_path)

    assert first.status == second.status == "ok"
    after = _counts(db_path)
    # Two commits plus the one that changed publiccode.yml; the second run adds nothing.
    assert after["commits"] == before["commits"] + 3
    assert after["items"] == before["items"] + 1
    assert after["comments"] == before["comments"] + 1
    assert after["releases"] == before["releases"] + 1
    assert after["forks"] == before["forks"] + 1
    assert second.new_commits == 0
    assert rows(db_path, "SELECT state FROM items WHERE repo_path = ? AND number = ? AND kind = 'issue'",
                [repo.path, number]) == [("open",)]
    assert rows(db_path, "SELECT name FROM publiccode WHERE repo_path = ?", [repo.path]) == [("renamed",)]


def test_closing_an_issue_updates_it(collected, world, registry, db_path):
    repo = next(r for r in world.repos if r.forge == "github" and any(i.state == "open" and i.kind == "issue" for i in r.items))
    item = next(i for i in repo.items if i.state == "open" and i.kind == "issue")
    world.advance(1)
    world.close_item("github", repo.path, "issue", item.number)

    collect(registry, db_path)

    assert rows(db_path, "SELECT state, closed_at IS NOT NULL FROM items WHERE forge = 'github' AND repo_path = ? "
                "AND number = ?", [repo.path, item.number]) == [("closed", True)]
