"""The contract every forge collector follows: what a request cost, what a listing answers, what a
collector offers (:class:`ForgeCollector`), and the parsing of publiccode.yml into its record.

The forge modules (:mod:`collectors.github`, :mod:`collectors.gitlab`) build on it;
:mod:`collectors.base` names it together with the shared parts and makes the collector
for an account, so nothing here imports a forge module.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import requests

from collectors.patience import Patience
from collectors.records import (
    CommentRecord,
    CommitRecord,
    ItemRecord,
    PubliccodeRecord,
    RepoRecord,
)
from collectors.registry import Account

USER_AGENT = "ossdash-collector"


@dataclass
class RequestStats:
    """What an account's collection cost: filled in by a requests response hook."""

    requests: int = 0
    not_modified: int = 0
    rate_limit: int | None = None
    rate_remaining: int | None = None
    rate_reset: datetime | None = None
    by_status: dict[int, int] = field(default_factory=dict)
    # The retry policy of the account these stats belong to, found by PyGithub's connection class.
    patience: Patience | None = field(default=None, repr=False, compare=False)
    # The account's HTTP session, found the same way: one connection pool for all its requests.
    session: Any = field(default=None, repr=False, compare=False)

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
    """A listing asked for with a stored ETag: ``not_modified``, or its records (fetched lazily).

    ``etag`` is what to ask with next time: None when the answer gave none, or when it took more
    than one page (a 304 on the first page says nothing of the others).
    """

    not_modified: bool
    records: Iterator
    etag: str | None

    def __iter__(self) -> Iterator:
        return iter(self.records)


NOT_MODIFIED_EMPTY: Iterator = iter(())


class ForgeCollector(Protocol):
    account: Account
    stats: RequestStats
    # One message per malformed value met (account, repository, item, field, value); the caller drains it.
    warnings: list[str]

    # Fields a listing entry lacks, which the warehouse keeps from the last detail().
    listing_lacks: tuple[str, ...]

    def list_repos(self, etag: str | None, owner_kind: str | None = None) -> Listing: ...

    def detail(self, repo: RepoRecord) -> RepoRecord: ...

    def commits(self, repo: RepoRecord, since: datetime | None) -> Iterator[CommitRecord]: ...

    # Whether issue activity shows in the listing (GitLab's last_activity_at) or must be asked for per repo.
    items_follow_listing: bool

    def items(self, repo: RepoRecord, since: datetime | None, etag: str | None) -> Conditional: ...

    def comments(self, repo: RepoRecord, since: datetime | None, items: list[ItemRecord]) -> Iterator[CommentRecord]: ...

    # Releases and the root listing are asked for with the ETag of their last answer: a 304 keeps
    # the stored rows. The root listing's records are its one RootFilesRecord, none for an empty repository.
    def releases(self, repo: RepoRecord, etag: str | None = None) -> Conditional: ...

    # Forks asked for with the stored ETag of their first page: unchanged forks cost a 304.
    def forks(self, repo: RepoRecord, etag: str | None) -> Conditional: ...

    def root_files(self, repo: RepoRecord, etag: str | None = None) -> Conditional: ...

    def publiccode(self, repo: RepoRecord, blob_sha: str | None,
                   root_files: tuple[str, ...] | None = None) -> PubliccodeRecord: ...

    def members(self, etag: str | None) -> Conditional: ...

    def close(self) -> None: ...


def publiccode_record(
    forge: str, host: str, repo_path: str, blob_sha: str | None, data: bytes, root_files: tuple[str, ...] | None = None
) -> PubliccodeRecord:
    """Parse a publiccode.yml safely into its record; an invalid file keeps its errors.

    root_files: the file names at the repository's root, where the caller has them; without them the
    checks on files the publiccode.yml names are recorded as not checked.
    """
    import json

    from collectors.publiccode import parse_publiccode

    info = parse_publiccode(data, root_files=root_files)

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
        not_checked=tuple(info.not_checked),
    )
