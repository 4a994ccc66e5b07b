"""Which streams of a repository a run asks for, from the listing and what was stored."""

from __future__ import annotations

from dataclasses import dataclass, replace

from collectors.base import ForgeCollector
from collectors.records import RepoRecord
from collectors.registry import Account
from warehouse import state


def walk_marker(repo: RepoRecord) -> str | None:
    moment = repo.pushed_at or repo.updated_at
    return moment.isoformat() if moment else None


@dataclass
class RepoPlan:
    repo: RepoRecord
    walk: bool  # pushed since last walk (GitLab: any activity): commits, releases, files
    forks: bool  # has or had forks: asked for conditionally, since a fork's own pushes move no marker here
    items: bool  # issues and change requests may have changed
    forks_etag: str | None = None
    stored: RepoRecord | None = None  # as last stored: a difference is a change (warehouse.changes)


def wants_forks(repo: RepoRecord, stored: state.StoredRepo | None) -> bool:
    # A fork's pushes change its pushed_at without touching the parent's listing entry, so
    # every repository with forks is asked each run (a 304 when nothing changed); one whose
    # count fell to zero once more, to empty the stored list. A new repository whose listing
    # counts no fork has none to read (account_walk stores its count as if it had asked).
    if stored is None:
        return repo.forks_count > 0
    if stored.forks_marker is None:
        return True
    return repo.forks_count > 0 or stored.forks_marker != "0"


def plan_repos(con, collector: ForgeCollector, account: Account, listing_repos: list[RepoRecord] | None) -> list[RepoPlan]:
    """Decide per repository which streams to ask for, from the listing and what was stored."""
    forge, host = account.forge, account.host
    known = state.repo_state(con, forge, host, account.owner)
    plans = []
    if listing_repos is None:
        # The listing did not change. Issue activity may still have, where the
        # forge does not show it in the listing (GitHub); archived repositories are read-only.
        for repo, stored in state.stored_repos(con, forge, host, account.owner):
            items = not collector.items_follow_listing and not (repo.archived and stored.items_cursor)
            forks = wants_forks(repo, stored)
            if items or forks:
                plans.append(RepoPlan(repo, walk=False, forks=forks, items=items, forks_etag=stored.forks_etag,
                                      stored=stored.repo))
        return plans
    for repo in listing_repos:
        stored = known.get(repo.path)
        walk = stored is None or stored.walk_marker != walk_marker(repo)
        if stored is not None and not walk:
            repo = replace(repo, **{f: getattr(stored.repo, f) for f in collector.listing_lacks})
        items = walk or not collector.items_follow_listing
        if items and not walk and repo.archived and stored is not None and stored.items_cursor:
            items = False
        etag = stored.forks_etag if stored is not None else None
        plans.append(RepoPlan(repo, walk, wants_forks(repo, stored), items, etag,
                              stored.repo if stored is not None else None))
    return plans
