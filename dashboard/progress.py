"""Progress of a collection on the terminal: one live line on a TTY, one line per account otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from collectors.registry import Account


class TerminalProgress:
    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.index = 0
        self.total = 0
        self.indexes: dict[str, int] = {}
        self.started = time.monotonic()
        self._last_draw = 0.0

    def _line(self, account: Account, text: str) -> str:
        # Accounts of different hosts are collected side by side: each line carries its own number.
        index = self.indexes.get(account.label, self.index)
        return f"[{index}/{self.total}] {account.entity_id} {account.label}: {text}"

    def _draw(self, line: str, final: bool = False) -> None:
        if self.live:
            now = time.monotonic()
            if not final and now - self._last_draw < 0.1:
                return  # redrawing faster than the eye reads only costs time
            self._last_draw = now
            width = 119
            self.stream.write("\r" + line[:width].ljust(width) + ("\n" if final else ""))
            self.stream.flush()
        elif final:
            self.stream.write(line + "\n")
            self.stream.flush()

    def account_started(self, index: int, total: int, account: Account) -> None:
        self.index, self.total = index, total
        self.indexes[account.label] = index
        self._draw(self._line(account, "listing repositories"))

    def repos_listed(self, account: Account, total: int, not_modified: bool) -> None:
        text = "unchanged since last run" if not_modified else f"{total} repositories listed"
        self._draw(self._line(account, text))

    def repo_done(self, account: Account, done: int, total: int, result, stats=None) -> None:
        text = f"repos {done}/{total}, {result.new_commits} new commits"
        if stats is not None:
            text += f", {stats.requests} requests"
            if stats.rate_remaining is not None:
                text += f", rate budget {stats.rate_remaining}/{stats.rate_limit}"
        self._draw(self._line(account, text))

    def account_finished(self, account: Account, result) -> None:
        budget = ""
        if result.rate_remaining is not None and result.rate_limit is not None:
            budget = f", rate budget {result.rate_remaining}/{result.rate_limit}"
        status = result.status.replace("_", " ")
        text = (
            f"{status}: {result.repos_seen} repos listed, {result.repos_walked} walked, "
            f"{result.new_commits} new commits, {result.requests} requests ({result.not_modified} answered 304){budget}"
        )
        self._draw(self._line(account, text), final=True)
        for error in result.errors:
            self.stream.write(f"    error: {error}\n")

    def step(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.stream.write(f"[{elapsed:6.1f}s] {text}...\n")
        self.stream.flush()
