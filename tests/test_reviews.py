"""Reviews of change requests, on the simulator: GitHub's pull request reviews and GitLab's merge
request approvals are collected exactly as the forge serves them, asked for only for the change
requests a run sees new or updated, replaced whole when asked for again, and left unknown (the
run still ok) when the forge refuses them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import duckdb
import pytest

from collectors.reviews import NO_REVIEW, REVIEWED_STATES
from warehouse.pipeline import collect

ENDPOINTS = {
    "github": ("github GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",),
    "gitlab": ("gitlab GET /projects/:id/merge_requests/:iid/approvals",
               "opencode GET /projects/:id/merge_requests/:iid/approvals"),
}
Key = tuple[str, str, int]


@pytest.fixture
def small(registry):
    """The registry cut to the entity with a GitHub organisation and a GitLab group: both forges,
    a quarter of the collection's time."""
    return replace(registry, entities=tuple(e for e in registry.entities if e.id == "digitalagency"))


def asked(sim, forge: str) -> int:
    return sum(sim.requests[e] for e in ENDPOINTS[forge])


def rows(db_path, sql: str, params=()) -> list:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def stored(db_path) -> dict[Key, dict[tuple[str, str], datetime | None]]:
    """Each change request's stored reviews; {} for one read with none; absent: unknown."""
    out: dict[Key, dict] = {}
    for forge, path, number, login, state, moment in rows(
            db_path, "SELECT forge, repo_path, number, reviewer_login, state, submitted_at FROM reviews"):
        seen = out.setdefault((forge, path, number), {})
        if state != NO_REVIEW:
            seen[(login, state)] = moment
    return out


def change_requests(db_path, merged: bool = True) -> set[Key]:
    """The collected change requests: the merged ones (whose reviews are read) by default."""
    only = " AND state = 'merged'" if merged else ""
    return set(rows(db_path, f"SELECT forge, repo_path, number FROM items WHERE kind = 'change_request'{only}"))


def truth(world, keys) -> dict[Key, dict]:
    everything = world.reviews_truth()
    return {k: everything[k] for k in keys}


def reviewed_in_warehouse(db_path) -> dict[Key, bool]:
    """The documented rule (docs/collection.md), in SQL over the stored rows."""
    states = ", ".join(f"'{s}'" for s in REVIEWED_STATES)
    return {(f, p, n): r for f, p, n, r in rows(db_path, f"""
        SELECT i.forge, i.repo_path, i.number,
               bool_or(r.state IN ({states}) AND r.reviewer_login <> coalesce(i.author_login, ''))
        FROM items AS i JOIN reviews AS r USING (forge, host, repo_path, number)
        WHERE i.kind = 'change_request' GROUP BY ALL""")}


def reviewed_in_world(world, keys) -> dict[Key, bool]:
    out = {}
    for forge, path, number in keys:
        author = world.repo(forge, path).item("change_request", number).author.login
        out[(forge, path, number)] = any(state in REVIEWED_STATES and login != author
                                         for login, state in world.reviews_truth()[(forge, path, number)])
    return out


def test_reviews_equal_the_ground_truth_and_an_unchanged_rerun_asks_for_none(sim, world, small, db_path):
    # A merged pull request whose only review is its author's own comment.
    path = next(r.path for a in small.accounts if a.forge == "github" for r in world.repos_of("github", a.owner)
                if not r.archived)
    number = world.add_item("github", path, "change_request")
    author = world.repo("github", path).item("change_request", number).author.login
    world.add_review("github", path, number, "COMMENTED", author)
    world.close_item("github", path, "change_request", number, merged=True)
    summary = collect(small, db_path)
    assert summary.status == "ok" and summary.warning_count == 0, summary
    crs = change_requests(db_path)
    ours = {(r.forge, r.path) for a in small.accounts for r in world.repos_of(a.forge, a.owner)}
    everything = change_requests(db_path, merged=False)
    assert everything == {k for k in world.reviews_truth() if k[:2] in ours}, "every change request collected"
    assert {k[0] for k in crs} == {"github", "gitlab"} and crs < everything
    # Only the merged ones' reviews are read: open and closed ones are judged by nothing.
    assert stored(db_path) == truth(world, crs)
    assert any(v for v in stored(db_path).values()) and any(not v for v in stored(db_path).values())
    # One request a change request (none has more than a page of reviews), for GitLab too.
    for forge in ("github", "gitlab"):
        assert asked(sim, forge) == sum(1 for k in crs if k[0] == forge), forge
    reviewed = reviewed_in_warehouse(db_path)
    assert reviewed == reviewed_in_world(world, crs)
    assert 0 < sum(reviewed.values()) < len(reviewed), "some reviewed, some not"
    # Self-reviews (a GitHub author's comment review, a GitLab self-approval) do not count.
    assert any(not reviewed[k] and v for k, v in stored(db_path).items())

    before = rows(db_path, "SELECT * FROM reviews ORDER BY ALL")
    sim.reset_counters()
    assert collect(small, db_path).status == "ok"
    assert asked(sim, "github") == asked(sim, "gitlab") == 0
    assert rows(db_path, "SELECT * FROM reviews ORDER BY ALL") == before


def test_a_change_request_updated_in_a_new_day_gets_its_reviews_asked_for_again(sim, world, small, db_path):
    assert collect(small, db_path).status == "ok"
    world.advance(1)
    github = next(r for a in small.accounts if a.forge == "github" for r in world.repos_of("github", a.owner)
                  if not r.archived and any(i.kind == "change_request" and i.state == "open" for i in r.items))
    pull = next(i for i in github.items if i.kind == "change_request" and i.state == "open")
    reviewer = next(p for p in world.people if not p.bot and p.login != pull.author.login)
    world.add_review("github", github.path, pull.number, "CHANGES_REQUESTED", reviewer.login)
    world.close_item("github", github.path, "change_request", pull.number, merged=True)  # reviewed, then merged
    gitlab = next(r for a in small.accounts if a.forge == "gitlab" for r in world.repos_of("gitlab", a.owner)
                  if not r.archived and any(i.kind == "change_request" and i.reviews and i.state == "merged"
                                            for i in r.items))
    approved = next(i for i in gitlab.items if i.kind == "change_request" and i.reviews and i.state == "merged")
    revoked = approved.reviews[0].author.login
    world.revoke_approval("gitlab", gitlab.path, approved.number, revoked)
    # What a run asks for again: the change requests updated since each repository's cursor.
    again = {}
    for repo in (github, gitlab):
        ((cursor,),) = rows(db_path, "SELECT cursor_at FROM cursors WHERE forge = ? AND scope = ? AND stream = 'items'",
                            (repo.forge, repo.path))
        again[repo.forge] = sum(1 for i in repo.items if i.kind == "change_request" and i.state == "merged"
                                and i.updated_at >= cursor)

    sim.reset_counters()
    assert collect(small, db_path).status == "ok"
    assert asked(sim, "github") == again["github"] >= 1
    assert asked(sim, "gitlab") == again["gitlab"] >= 1
    got = stored(db_path)
    assert got == truth(world, change_requests(db_path))
    assert got[("github", github.path, pull.number)][(reviewer.login, "CHANGES_REQUESTED")] == world.now
    assert (revoked, "APPROVED") not in got[("gitlab", gitlab.path, approved.number)], "a revoked approval leaves"


def test_reviews_the_forge_refuses_are_unknown_and_the_run_stays_ok(sim, world, small, db_path):
    # One GitHub repository's reviews answer 404; every approval on the GitLab answers 403.
    hidden = next(r for a in small.accounts if a.forge == "github" for r in world.repos_of("github", a.owner)
                  if sum(i.kind == "change_request" and i.state == "merged" for i in r.items) >= 2)
    sim.faults.vanished(hidden.path, forge="github", endpoint=ENDPOINTS["github"][0].split(" ", 2)[2])
    sim.faults.reflect(status=403, forge="gitlab", endpoint=ENDPOINTS["gitlab"][0].split(" ", 2)[2])
    summary = collect(small, db_path)
    assert summary.status == "ok" and summary.error_count == 0, summary
    # A 404 is one pull request's; a 403 the rest of its project's: asked for once a project.
    assert sim.faults.fired["vanished"] == sum(i.kind == "change_request" and i.state == "merged" for i in hidden.items)
    merged = [k for k in change_requests(db_path) if k[0] == "gitlab"]
    projects = {k[1] for k in merged}
    assert sim.faults.fired["reflect"] == asked(sim, "gitlab") == len(projects) >= 1 and len(merged) > len(projects)
    got = stored(db_path)
    crs = change_requests(db_path)
    refused = {k for k in crs if k[:2] == ("github", hidden.path) or k[0] == "gitlab"}
    assert any(k[0] == "gitlab" for k in refused) and any(k[0] == "github" for k in refused)
    assert not refused & set(got), "refused reviews are unknown: no row, not 'none'"
    assert got == truth(world, crs - refused)
    items = rows(db_path, "SELECT count(*) FROM items WHERE forge = 'github' AND repo_path = ?", (hidden.path,))
    assert items[0][0] == len(hidden.items), "the change requests themselves are collected"


def test_a_401_on_reviews_asks_no_more_of_the_account_in_the_run(sim, world, small):
    """GitLab asks for a token to show approvals; a registry may give none: one refusal, not one a
    merge request, and no failure."""
    from collectors.base import make_collector
    from collectors.records import CommentRecord

    for forge in ("github", "gitlab"):
        sim.faults.reflect(status=401, forge=forge, endpoint=ENDPOINTS[forge][0].split(" ", 2)[2])
        collector = make_collector(next(a for a in small.accounts if a.forge == forge))
        sim.reset_counters()
        walked = 0
        for repo in collector.list_repos(None).repos:
            items = list(collector.items(repo, None, None).records)
            walked += sum(i.kind == "change_request" and i.state == "merged" for i in items)
            assert all(isinstance(x, CommentRecord) for x in collector.comments(repo, None, items))
        assert walked >= 2 and asked(sim, forge) == 1, forge
        collector.close()
        sim.faults.clear()
