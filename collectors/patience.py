"""How patient a collector is: every retry and wait of an account's requests, bounded."""

from __future__ import annotations

import errno
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from collectors.errors import (
    CollectorError,
    DeadlineExceeded,
    HostUnreachable,
    RateLimitExhausted,
    TransientFailure,
)
from collectors.registry import Account

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
