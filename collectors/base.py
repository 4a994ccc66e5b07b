"""The small contract every forge collector follows, and what they share.

A collector is built for one registry account. It lists the account's
repositories (conditionally, so an unchanged account costs one cheap request)
and streams each repository's records from a cursor. It never touches storage:
the warehouse hands it cursors and ETags and stores what it yields.
"""

from __future__ import annotations

import copy
import errno
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

import requests
import urllib3.exceptions

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
    account_deadline: float = 3600.0  # seconds from the collector's creation; past it the account stops for this run

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


def not_found(account: Account, what: str, listing: bool = False) -> AccountNotFound:
    """A 404: on the account listing the registry entry is wrong; later, the repository moved or went."""
    if listing:
        return AccountNotFound(
            f"{account.label}: {what}: not found (HTTP 404); check the owner and url of this account in the registry"
        )
    return AccountNotFound(
        f"{account.label}: {what}: not found (HTTP 404); the repository or this part of it is gone "
        "(removed or renamed since the account was listed?)"
    )


class RateLimitExhausted(CollectorError):
    def __init__(self, message: str, reset_at: datetime | None = None):
        super().__init__(message)
        self.reset_at = reset_at


class MalformedResponse(CollectorError):
    pass


class TransientFailure(CollectorError):
    """Timeouts, cut connections or 5xx answers that outlasted every retry."""


class DeadlineExceeded(CollectorError):
    """The account used up its time for this run (CollectorOptions.account_deadline)."""


class HostUnreachable(CollectorError):
    """The forge's host refuses connections or has no address: every account on ``host`` would fail alike."""

    def __init__(self, message: str, host: str = ""):
        super().__init__(message)
        self.host = host


def in_context(exc: CollectorError, label: str, what: str) -> CollectorError:
    """The same failure with the request's place (repository and stream) after the account label.

    Failures raised below the collectors (in a retry loop that sees one request)
    carry a ``detail``; the collector, which knows what it asked for, places them.
    """
    detail = getattr(exc, "detail", None)
    if detail is None:
        return exc
    placed = copy.copy(exc)
    placed.args = (f"{label}: {what}: {detail}",)
    placed.detail = None
    return placed


# Statuses worth asking again (python-gitlab's list): the forge or a proxy in front of it was overloaded.
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504, *range(520, 531)})


def unreachable_reason(exc: BaseException) -> str | None:
    """Why a request never reached the host, when retrying cannot help: refused, unresolvable, no route."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, urllib3.exceptions.NameResolutionError | socket.gaierror):
            return "name not resolved"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable" if e.errno == errno.ENETUNREACH else "host unreachable"
        stack.extend([e.__cause__, e.__context__, getattr(e, "reason", None), *e.args])
    return None


def _connect_timed_out(exc: BaseException) -> bool:
    return isinstance(exc, requests.exceptions.ConnectTimeout)


def _what_failed(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connecting timed out after {timeout:g}s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g}s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off"
    return f"the connection failed ({type(exc).__name__})"


def address_of(url: str) -> tuple[str, int]:
    """The host and port a URL connects to (443 or 80 when it names none)."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def probe_host(url: str, timeout: float) -> str | None:
    """One TCP connect to the URL's host: None when it answers, else a short reason."""
    host, port = address_of(url)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.gaierror:
        return "name not resolved"
    except ConnectionRefusedError:
        return "connection refused"
    except TimeoutError:
        return "timed out"
    except OSError as exc:
        return (exc.strerror or type(exc).__name__).lower()
    return None


class Patience:
    """Every retry and wait of one account's requests, bounded by its options and deadline.

    Both collectors run each request through this (GitHub's connection class and
    GitLab's client ask the libraries for no retries of their own), because the
    libraries sleep as long as a forge asks: python-gitlab until RateLimit-Reset
    even on a 5xx, urllib3 for any Retry-After, both retrying refused connections.
    """

    def __init__(self, account: Account, options: CollectorOptions):
        self.label = account.label
        self.host = account.host
        host, port = address_of(account.url)
        self.address = f"{host}:{port}"
        self.options = options
        self.deadline = time.monotonic() + options.account_deadline

    def _fail(self, kind: type[CollectorError], detail: str, **attrs: Any) -> CollectorError:
        exc = kind(f"{self.label}: {detail}", **attrs)
        exc.detail = detail
        return exc

    def before_request(self) -> None:
        if time.monotonic() >= self.deadline:
            raise self._fail(
                DeadlineExceeded,
                f"stopped at the account deadline ({self.options.account_deadline:g}s); the account resumes next run",
            )

    def wait(self, seconds: float, why: str) -> None:
        """Sleep, unless the sleep would pass the account deadline (then stop at once)."""
        if time.monotonic() + seconds > self.deadline:
            raise self._fail(
                DeadlineExceeded,
                f"{why}: waiting {seconds:.1f}s would pass the account deadline "
                f"({self.options.account_deadline:g}s); the account resumes next run",
            )
        time.sleep(seconds)

    def after_failure(self, exc: BaseException, attempt: int) -> None:
        """A request that got no answer: wait and return (ask again), or raise."""
        reason = unreachable_reason(exc)
        if reason is not None:
            raise self._fail(
                HostUnreachable,
                f"cannot reach {self.address} ({reason}); check the network or the account's url",
                host=self.host,
            )
        what = _what_failed(exc, self.options.timeout)
        if attempt >= self.options.retries:
            if _connect_timed_out(exc):
                raise self._fail(
                    HostUnreachable,
                    f"cannot reach {self.address} (timed out); check the network or the account's url",
                    host=self.host,
                )
            raise self._fail(TransientFailure, f"{what}, {attempt + 1} attempts")
        self.wait(self.options.backoff_for(attempt), what)

    def after_answer(self, status: int, headers: Any, attempt: int) -> bool:
        """An answer: True after waiting to ask again, False to hand it back, or raise.

        Rate limits wait their Retry-After or reset (up to max_rate_wait). A 5xx
        waits the backoff, or its Retry-After when it has one; the rate-limit
        reset it may carry describes the budget, not the outage, and is ignored.
        """
        options = self.options
        probe = requests.Response()
        probe.status_code = status
        probe.headers = requests.structures.CaseInsensitiveDict(headers or {})
        limit_wait = rate_limit_wait(probe)
        if limit_wait is not None:
            if limit_wait > options.max_rate_wait:
                raise self._fail(
                    RateLimitExhausted,
                    f"rate limit: the forge asks to wait {limit_wait:.0f}s, more than the "
                    f"{options.max_rate_wait:g}s allowed; the account resumes next run",
                    reset_at=datetime.fromtimestamp(time.time() + limit_wait, tz=UTC),
                )
            if attempt >= options.retries:
                return False
            self.wait(limit_wait, f"rate limit (HTTP {status})")
            return True
        if status not in RETRYABLE_STATUSES:
            return False
        asked = _retry_after(probe.headers.get("Retry-After"))
        if asked is not None and asked > options.max_rate_wait:
            raise self._fail(
                TransientFailure,
                f"the forge answered HTTP {status} and asks to wait {asked:.0f}s, more than the "
                f"{options.max_rate_wait:g}s allowed; the account resumes next run",
            )
        if attempt >= options.retries:
            raise self._fail(TransientFailure, f"the forge kept answering HTTP {status}, {attempt + 1} attempts")
        self.wait(max(asked or 0.0, options.backoff_for(attempt)), f"HTTP {status}")
        return True


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0  # an HTTP date: as rate_limit_wait reads it


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


@dataclass(frozen=True)
class Estimate:
    """What a few cheap requests tell about an account before collecting it.

    ``first_page`` holds the listing's first page (every field the forge lists, such as
    open issue and fork counts); ``repos_total`` is the count the forge reports for the
    whole listing, or a lower bound on it from the pagination (``repos_exact`` says which).
    """

    listing_pages: int  # pages the listing walk asks for (a user account's failed organisation probe included)
    repos_total: int
    repos_exact: bool
    first_page: tuple[RepoRecord, ...]
    owner_kind: str | None
    requests: int  # what the estimate itself cost
    not_modified: bool = False  # the stored listing ETag still holds: nothing was pushed in the account
    rate_limit: int | None = None
    rate_remaining: int | None = None
    rate_reset: datetime | None = None


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


class SkipRecord(Exception):
    """A record without a value it cannot exist without (an issue number, a commit sha): skip it."""


def shown(value: Any) -> str:
    """A forge value for a message: its repr, cut to 60 characters."""
    return repr(value[:60]) if isinstance(value, str) else repr(value)[:60]


class Fields:
    """Reads one forge record leniently: a malformed value is reported in ``warnings`` and read as missing.

    ``where`` names the record for the message (account, repository, item), e.g.
    ``gitlab:stadt-x: project stadt-x/app: issue #12``. A value the record cannot
    exist without is read with :meth:`key`, which raises SkipRecord instead.
    """

    def __init__(self, record: Any, warnings: list[str], where: str, scrubbed: Any = None):
        self.record = record if isinstance(record, dict) else {}
        self.warnings = warnings
        self.where = where
        self._scrub = scrubbed or (lambda text: text)
        if not isinstance(record, dict):
            self.warnings.append(self._scrub(f"{where}: unreadable entry {shown(record)}; the record is skipped"))
            raise SkipRecord

    def _warn(self, name: str, value: Any, consequence: str = "") -> None:
        self.warnings.append(self._scrub(f"{self.where}: field {name}: unreadable value {shown(value)}{consequence}"))

    def skip(self, name: str, value: Any) -> None:
        """Report a value the record cannot exist without as unreadable, and skip the record."""
        self._warn(name, value, "; the record is skipped")
        raise SkipRecord

    def at(self, suffix: str) -> Fields:
        """The same reader, its record named more precisely once its key is known."""
        self.where = f"{self.where} {suffix}"
        return self

    def key(self, name: str, kind: type = str) -> Any:
        value = self.record.get(name)
        if kind is int and isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, kind) and not isinstance(value, bool) and value != "":
            return value
        self._warn(name, value, "; the record is skipped")
        raise SkipRecord

    def time(self, name: str, record: Any = None) -> datetime | None:
        value = (self.record if record is None else record).get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return parse_time(value)
            except MalformedResponse:
                pass
        self._warn(name, value)
        return None

    def int(self, name: str, default: int | None = 0) -> int | None:
        value = self.record.get(name)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        self._warn(name, value)
        return default

    def text(self, name: str, record: Any = None) -> str | None:
        value = (self.record if record is None else record).get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self._warn(name, value)
        return None

    def flag(self, name: str) -> bool:
        value = self.record.get(name)
        if value is None or isinstance(value, bool | int):
            return bool(value)
        self._warn(name, value)
        return False

    def obj(self, name: str, record: Any = None) -> dict:
        value = (self.record if record is None else record).get(name)
        if value is None or isinstance(value, dict):
            return value or {}
        self._warn(name, value)
        return {}

    def seq(self, name: str) -> list:
        value = self.record.get(name)
        if value is None or isinstance(value, list):
            return value or []
        self._warn(name, value)
        return []


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


def estimate(collector: Any, owner_kind: str | None = None, etag: str | None = None) -> Estimate:
    """A few cheap requests through ``collector``'s own plumbing (retries, timeouts, scrubbing apply).

    With the stored listing ``etag`` an unchanged account answers 304, which GitHub does not count.
    """
    if collector.account.forge == "github":
        return _estimate_github(collector, owner_kind, etag)
    return _estimate_gitlab(collector, etag)


def _unchanged(collector: Any, before: int, owner_kind: str | None) -> Estimate:
    stats = collector.stats
    return Estimate(1, 0, False, (), owner_kind, stats.requests - before, True,
                    stats.rate_limit, stats.rate_remaining, stats.rate_reset)


def _estimate_github(collector: Any, owner_kind: str | None, etag: str | None) -> Estimate:
    """``/rate_limit`` (free on GitHub) and the listing's first page, asked as the listing walk asks.

    The page count comes from the first page's ``last`` link; the page carries each
    repository's open issue and fork counts. Commit counts are listed nowhere without
    a request per repository.
    """
    stats = collector.stats
    before = stats.requests
    status, _, body = collector._get("/rate_limit", None, {}, "reading the rate limit")
    resources = body.get("resources") if status == 200 and isinstance(body, dict) else None
    core = resources.get("core") if isinstance(resources, dict) else None
    core = core if isinstance(core, dict) else {}  # GitHub Enterprise answers 404 when rate limiting is off
    account = collector.account
    what = f"estimating repositories of {account.owner}"
    pages = 0
    kind = "orgs"
    for kind in ["users", "orgs"] if owner_kind == "users" else ["orgs", "users"]:
        scope = {"type": "public"} if kind == "orgs" else {"type": "owner"}
        params = {"per_page": 100, "sort": "pushed", "direction": "desc", **scope}
        status, headers, body = collector._get(f"/{kind}/{account.owner}/repos", params,
                                                {"If-None-Match": etag} if etag else {}, what)
        pages += 1
        if status != 404:
            break
    if status == 304:
        return _unchanged(collector, before, kind)
    collector._raise_for(status, body, what, listing=True)
    if not isinstance(body, list):
        raise MalformedResponse(f"{account.label}: {what}: expected a JSON list, got {type(body).__name__}")
    last = _last_page(headers.get("link"))
    first_page = tuple(
        record for item in body
        if isinstance(item, dict) and not item.get("private") and account.wants(str(item.get("name", "")))
        if (record := collector._repo_record(item)) is not None
    )
    # The listing's answer is the newer reading; /rate_limit's body stands in where headers lack.
    remaining = stats.rate_remaining if stats.rate_remaining is not None else core.get("remaining")
    limit = stats.rate_limit if stats.rate_limit is not None else core.get("limit")
    return Estimate(
        listing_pages=pages - 1 + last,
        # Every page before the last is full and the last holds at least one.
        repos_total=len(body) if last == 1 else (last - 1) * 100 + 1,
        repos_exact=last == 1,
        first_page=first_page,
        owner_kind=kind,
        requests=stats.requests - before,
        rate_limit=limit if isinstance(limit, int) else None,
        rate_remaining=remaining if isinstance(remaining, int) else None,
        rate_reset=stats.rate_reset,
    )


def _estimate_gitlab(collector: Any, etag: str | None) -> Estimate:
    """The group listing's first page: the project count (X-Total) and the budget left (RateLimit-Remaining)."""
    stats = collector.stats
    before = stats.requests
    account = collector.account
    group = quote(account.owner, safe="")
    query = {"include_subgroups": "true", "order_by": "last_activity_at", "sort": "desc", "per_page": 100,
             "visibility": "public"}
    what = "estimating projects"
    from gitlab.exceptions import GitlabHttpError

    with collector._calls(what, listing=True):
        try:
            first = collector.gl.http_request("get", f"/groups/{group}/projects", query_data=query,
                                              extra_headers={"If-None-Match": etag} if etag else None)
        except GitlabHttpError as exc:
            if exc.response_code != 304:
                raise
            return _unchanged(collector, before, "groups")
    try:
        rows = first.json()
    except ValueError:
        raise MalformedResponse(f"{account.label}: {what}: the forge answered with malformed JSON") from None
    if not isinstance(rows, list):
        raise MalformedResponse(f"{account.label}: {what}: expected a JSON list, got {type(rows).__name__}")
    reported = first.headers.get("X-Total", "")
    # GitLab leaves X-Total out for very large listings: then only the first page is known.
    total = int(reported) if reported.isdigit() else len(rows)
    records = [r for x in rows if (r := collector._repo_record(x)) is not None]
    return Estimate(
        listing_pages=max(1, -(-total // 100)),
        repos_total=total,
        repos_exact=reported.isdigit(),
        first_page=tuple(r for r in records if account.wants(r.name)),
        owner_kind="groups",
        requests=stats.requests - before,
        not_modified=False,
        rate_limit=stats.rate_limit,
        rate_remaining=stats.rate_remaining,
        rate_reset=stats.rate_reset,
    )


def _last_page(link_header: str | None) -> int:
    """The page number of a Link header's ``last`` link (1 when the listing has one page)."""
    for part in (link_header or "").split(","):
        section = part.split(";")
        if len(section) < 2 or not any(s.strip() == 'rel="last"' for s in section[1:]):
            continue
        page = parse_qs(urlsplit(section[0].strip().strip("<>")).query).get("page", [""])[0]
        if page.isdigit():
            return max(1, int(page))
    return 1
