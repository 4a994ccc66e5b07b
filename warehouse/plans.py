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
    forks_marker: str | None = None  # the fork count stored with the forks ("0": none stored)


def wants_forks(repo: RepoRecord) -> bool:
    # A fork's pushes change its pushed_at without touching the parent's listing entry, so every
    # repository whose listing counts forks is asked each run (a 304 when nothing changed). One
    # that counts none has none to read: forks stored for it go without a request (account_walk),
    # so a run after a failed one stores what a clean run would.
    return repo.forks_count > 0


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
            forks = wants_forks(repo)
            if items or forks or stored.forks_marker != "0":
                plans.append(RepoPlan(repo, walk=False, forks=forks, items=items, forks_etag=stored.forks_etag,
                                      stored=stored.repo, forks_marker=stored.forks_marker))
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
        plans.append(RepoPlan(repo, walk, wants_forks(repo), items, etag,
                              stored.repo if stored is not None else None,
                              stored.forks_marker if stored is not None else None))
    return plans
