"""What one collection run did, account by account, and how it reports progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from collectors.registry import Account


@dataclass
class AccountResult:
    forge: str
    host: str
    owner: str
    entity_id: str
    # ok | partial | failed | not_modified | interrupted | not_reached | skipped
    status: str = "ok"
    repos_seen: int = 0
    repos_walked: int = 0
    new_commits: int = 0
    requests: int = 0
    not_modified: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    errors: list[str] = field(default_factory=list)
    # Values the forge sent that could not be read (stored as NULL, or that one record skipped).
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.forge}:{self.owner}"


@dataclass
class RunSummary:
    run_id: int
    db_path: str
    accounts: list[AccountResult] = field(default_factory=list)
    interrupted: bool = False
    note: str | None = None

    @property
    def repos_seen(self) -> int:
        return sum(a.repos_seen for a in self.accounts)

    @property
    def new_commits(self) -> int:
        return sum(a.new_commits for a in self.accounts)

    @property
    def requests(self) -> int:
        return sum(a.requests for a in self.accounts)

    @property
    def not_modified(self) -> int:
        return sum(a.not_modified for a in self.accounts)

    @property
    def error_count(self) -> int:
        return sum(len(a.errors) for a in self.accounts)

    @property
    def warning_count(self) -> int:
        return sum(len(a.warnings) for a in self.accounts)

    @property
    def status(self) -> str:
        """ok | partial | failed | interrupted: what a monitor and the status page believe."""
        if self.interrupted:
            return "interrupted"
        if self.accounts and all(a.status in ("failed", "skipped") for a in self.accounts):
            return "failed"
        if self.error_count or any(a.status != "ok" and a.status != "not_modified" for a in self.accounts):
            return "partial"
        return "ok"


class Progress(Protocol):
    def account_started(self, index: int, total: int, account: Account) -> None: ...

    def repos_listed(self, account: Account, total: int, not_modified: bool) -> None: ...

    def repo_done(self, account: Account, done: int, total: int, result: AccountResult, stats=None) -> None: ...

    def account_finished(self, account: Account, result: AccountResult) -> None: ...

    def step(self, text: str) -> None: ...


class Silent:
    def account_started(self, index, total, account):
        pass

    def repos_listed(self, account, total, not_modified):
        pass

    def repo_done(self, account, done, total, result, stats=None):
        pass

    def account_finished(self, account, result):
        pass

    def step(self, text):
        pass
