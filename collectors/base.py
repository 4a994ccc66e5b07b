"""The small contract every forge collector follows, and what they share.

A collector is built for one registry account. It lists the account's
repositories (conditionally, so an unchanged account costs one cheap request)
and streams each repository's records from a cursor. It never touches storage:
the warehouse hands it cursors and ETags and stores what it yields.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import requests

from collectors.records import (
    CommentRecord,
    CommitRecord,
    ItemRecord,
    PubliccodeRecord,
    ReleaseRecord,
    RepoRecord,
    RootFilesRecord,
)
from collectors.registry import DEFAULT_TOKEN_ENV, Account

USER_AGENT = "ossdash-collector"
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class CollectorOptions:
    """How patient a collector is with a forge."""

    timeout: float = TIMEOUT_SECONDS  # per request; python-gitlab has no default
    max_rate_wait: float = 300.0  # longest sleep for a rate-limit reset or Retry-After; beyond it the account stops for this run
    retries: int = 5  # attempts after a 5xx, a timeout or a cut connection
    backoff: float = 0.5  # first wait between attempts, doubled each time

    def backoff_for(self, attempt: int) -> float:
        return min(30.0, self.backoff * (2**attempt))


def rate_limit_wait(response: requests.Response, now: float | None = None) -> float | None:
    """Seconds a rate-limited answer asks us to wait, or None if it is no rate limit.

    A 403 counts only with Retry-After or a spent budget: GitHub answers 403 for
    plain permission problems too, which no amount of waiting fixes.
    """
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    retry_after = headers.get("Retry-After")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return 60.0  # an HTTP date: rare enough to wait a minute and ask again
    remaining = headers.get("X-RateLimit-Remaining") or headers.get("RateLimit-Remaining")
    reset = headers.get("X-RateLimit-Reset") or headers.get("RateLimit-Reset")
    if remaining == "0" and reset:
        try:
            return max(0.0, float(reset) - (now if now is not None else time.time()))
        except ValueError:
            return None
    if response.status_code == 429:
        return 60.0
    return None


class CollectorError(Exception):
    """A failure that stops one repository or account, with a reason fit for the run log."""


class AccountNotFound(CollectorError):
    pass


class AccessDenied(CollectorError):
    pass


def access_denied(account: Account, what: str, detail: str) -> AccessDenied:
    """Access denied, saying which variable's token to check (never the token itself)."""
    variable = account.token_env or DEFAULT_TOKEN_ENV[account.forge]
    token = "the token in" if account.token() else "no token is set in"
    return AccessDenied(
        f"{account.label}: {what}: access denied ({detail}); {token} {variable}: "
        "set one with read access to public repositories"
    )


def not_found(account: Account, what: str) -> AccountNotFound:
    return AccountNotFound(
        f"{account.label}: {what}: not found (HTTP 404); check the owner and url of this account in the registry"
    )


class RateLimitExhausted(CollectorError):
    def __init__(self, message: str, reset_at: datetime | None = None):
        super().__init__(message)
        self.reset_at = reset_at


class MalformedResponse(CollectorError):
    pass


class TransientFailure(CollectorError):
    """Timeouts, cut connections or 5xx answers that outlasted every retry."""


@dataclass
class RequestStats:
    """What an account's collection cost: filled in by a requests response hook."""

    requests: int = 0
    not_modified: int = 0
    rate_limit: int | None = None
    rate_remaining: int | None = None
    rate_reset: datetime | None = None
    by_status: dict[int, int] = field(default_factory=dict)

    def observe(self, response: requests.Response) -> None:
        self.requests += 1
        self.by_status[response.status_code] = self.by_status.get(response.status_code, 0) + 1
        if response.status_code == 304:
            self.not_modified += 1
        headers = response.headers
        limit = headers.get("X-RateLimit-Limit") or headers.get("RateLimit-Limit")
        remaining = headers.get("X-RateLimit-Remaining") or headers.get("RateLimit-Remaining")
        reset = headers.get("X-RateLimit-Reset") or headers.get("RateLimit-Reset")
        try:
            if limit is not None:
                self.rate_limit = int(limit)
            if remaining is not None:
                self.rate_remaining = int(remaining)
            if reset is not None:
                self.rate_reset = datetime.fromtimestamp(int(reset), tz=UTC)
        except ValueError:
            pass  # a forge sending nonsense headers does not stop a run

    def hook(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        self.observe(response)
        return response


# PyGithub builds its HTTP sessions itself; the current account's stats are found
# through this thread-local so one injected connection class can serve them all.
_current = threading.local()


def current_stats() -> RequestStats | None:
    return getattr(_current, "stats", None)


class counting:
    """Context manager: requests made in this thread are counted into ``stats``."""

    def __init__(self, stats: RequestStats):
        self.stats = stats

    def __enter__(self) -> RequestStats:
        self.previous = current_stats()
        _current.stats = self.stats
        return self.stats

    def __exit__(self, *exc) -> None:
        _current.stats = self.previous


@dataclass
class Listing:
    """An account's repositories, or ``not_modified`` when the stored ETag still holds."""

    not_modified: bool
    repos: list[RepoRecord]
    etag: str | None
    owner_kind: str | None = None  # remembered so the next run asks the right endpoint first


@dataclass
class Conditional:
    """A listing asked for with a stored ETag: ``not_modified``, or its records (fetched lazily)."""

    not_modified: bool
    records: Iterator
    etag: str | None


NOT_MODIFIED_EMPTY: Iterator = iter(())


class ForgeCollector(Protocol):
    account: Account
    stats: RequestStats

    # Fields a listing entry lacks, which the warehouse keeps from the last detail().
    listing_lacks: tuple[str, ...]

    def list_repos(self, etag: str | None, owner_kind: str | None = None) -> Listing: ...

    def detail(self, repo: RepoRecord) -> RepoRecord: ...

    def commits(self, repo: RepoRecord, since: datetime | None) -> Iterator[CommitRecord]: ...

    # Whether issue activity shows in the listing (GitLab's last_activity_at) or must be asked for per repo.
    items_follow_listing: bool

    def items(self, repo: RepoRecord, since: datetime | None, etag: str | None) -> Conditional: ...

    def comments(self, repo: RepoRecord, since: datetime | None, items: list[ItemRecord]) -> Iterator[CommentRecord]: ...

    def releases(self, repo: RepoRecord) -> Iterator[ReleaseRecord]: ...

    # Forks asked for with the stored ETag of their first page: unchanged forks cost a 304.
    def forks(self, repo: RepoRecord, etag: str | None) -> Conditional: ...

    def root_files(self, repo: RepoRecord) -> RootFilesRecord | None: ...

    def publiccode(self, repo: RepoRecord, blob_sha: str | None) -> PubliccodeRecord: ...

    def members(self, etag: str | None) -> Conditional: ...

    def close(self) -> None: ...


def parse_time(value: str | datetime | None) -> datetime | None:
    """Forge timestamps as aware UTC datetimes; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise MalformedResponse(f"unreadable timestamp {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def publiccode_record(forge: str, host: str, repo_path: str, blob_sha: str | None, data: bytes) -> PubliccodeRecord:
    """Parse a publiccode.yml safely into its record; an invalid file keeps its errors."""
    import json

    from collectors.publiccode import parse_publiccode

    info = parse_publiccode(data)

    def as_json(value) -> str | None:
        return None if value in (None, (), [], {}) else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

    return PubliccodeRecord(
        forge=forge, host=host, repo_path=repo_path, blob_sha=blob_sha, valid=info.valid,
        errors=tuple(info.errors), version=info.version, name=info.name, url=info.url,
        landing_url=info.landing_url, development_status=info.development_status,
        software_type=info.software_type, license=info.license,
        main_copyright_owner=info.main_copyright_owner, used_by=tuple(info.used_by),
        is_based_on=tuple(info.is_based_on), maintenance_type=info.maintenance_type,
        maintenance_until=info.maintenance_until, contractors=as_json(list(info.contractors)),
        contacts=as_json(list(info.contacts)), platforms=tuple(info.platforms),
        categories=tuple(info.categories), it_section=as_json(info.it_section), raw=as_json(info.raw),
    )


def make_collector(account: Account, options: CollectorOptions | None = None) -> ForgeCollector:
    """The collector for an account's forge."""
    options = options or CollectorOptions()
    if account.forge == "github":
        from collectors.github import GitHubCollector

        return GitHubCollector(account, options)
    from collectors.gitlab import GitLabCollector

    return GitLabCollector(account, options)
