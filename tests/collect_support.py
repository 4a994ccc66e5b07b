"""Collectors for tests that stop a collection part-way through, as Ctrl-C would."""

from __future__ import annotations

from collections.abc import Callable

from collectors.base import make_collector
from collectors.registry import Account


def stopping_at_walk(walk: int, stops: Callable[[Account], bool]):
    """A ``collector_factory`` whose collectors raise KeyboardInterrupt when they start the
    ``walk``-th repository walk (its commits) of an account for which ``stops`` is true; the
    repositories walked before it are finished, as an interrupted run leaves them."""

    class Stopping:
        def __init__(self, account: Account):
            self.inner = make_collector(account)
            self.walked = 0

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def commits(self, repo, since):
            self.walked += 1
            if stops(self.inner.account) and self.walked == walk:
                raise KeyboardInterrupt
            yield from self.inner.commits(repo, since)

    return Stopping
