"""A day of activity in a simulated world, as the real forges see one.

Used by ``POST /_sim/day``, the reliability probes and the benchmarks: the clock
moves a day on, then living repositories get commits, new issues and change
requests, comments, closes and merges (most merges approved) and now and then a release, each busier
stage more often. Deterministic: the same world on the same day gets the same work.
"""

from __future__ import annotations

import random
from collections import Counter

# How likely a repository of each stage is to see work on a given day.
_CHANCE = {"busy": 0.9, "active": 0.5, "new": 0.6, "declining": 0.1}


def add_day(world) -> dict[str, int]:
    """Advance ``world`` one day and add that day's work; return how much of each kind was added."""
    world.advance(1)
    rng = random.Random(f"{world.seed}/{world.now.isoformat()}")
    # Reviews from a stream of their own, so the rest of the day's work is what it was without them.
    review_rng = random.Random(f"{world.seed}/{world.now.isoformat()}/reviews")
    added: Counter[str] = Counter()
    shared = set()
    for repo in sorted(world.repos, key=lambda r: (r.forge, r.path)):
        chance = _CHANCE.get(repo.stage, 0.0)
        # A mirror shares its original's history: the original's work reaches it.
        if repo.archived or repo.is_fork or not repo.commits or id(repo.commits) in shared or rng.random() >= chance:
            shared.add(id(repo.commits))
            continue
        shared.add(id(repo.commits))
        n = rng.randint(1, 8 if repo.stage == "busy" else 3)
        world.add_commits(repo.forge, repo.path, n)
        added["commits"] += n
        if rng.random() < 0.4:
            kind = rng.choice(("issue", "change_request"))
            world.add_item(repo.forge, repo.path, kind if repo.has_issues else "change_request")
            added["items"] += 1
        open_items = [i for i in repo.items if i.state == "open"]
        if open_items and rng.random() < 0.5:
            item = rng.choice(open_items)
            world.add_comment(repo.forge, repo.path, item.kind, item.number)
            added["comments"] += 1
        if open_items and rng.random() < 0.2:
            item = rng.choice(open_items)
            world.close_item(repo.forge, repo.path, item.kind, item.number, merged=item.kind == "change_request")
            added["closed"] += 1
            reviewers = [p for p in world.people if not p.bot and p.login != item.author.login
                         and world.account(repo.forge, repo.account).entity_id in p.entities]
            if item.kind == "change_request" and reviewers and review_rng.random() < 0.6:
                # Approved as it is merged: the review moves nothing the merge did not move.
                world.add_review(repo.forge, repo.path, item.number, "APPROVED", review_rng.choice(reviewers).login)
                added["reviews"] += 1
        if rng.random() < 0.05:
            world.add_release(repo.forge, repo.path, f"v{world.now:%Y.%m.%d}")
            added["releases"] += 1
    return dict(added)
