"""Switchable faults for the forge simulator, in the shapes the real APIs fail in.

A :class:`Faults` (``sim.faults``) holds scheduled faults. Each applies to the
requests it matches (by forge, endpoint template, a substring of the URL path),
``times`` times or, with ``times=None``, until cleared::

    sim.faults.server_error(status=502, forge="github", times=2)
    sim.faults.secondary_limit(retry_after=1, endpoint="/repos/{owner}/{repo}/commits")
    sim.faults.exhausted_budget(reset_in=0.5, forge="gitlab")
    sim.faults.slow(delay=2.0, path="stadt-soest")
    sim.faults.cut(fraction=0.5, times=1)
    sim.faults.malformed(style="html", forge="opencode", times=1)
    sim.faults.vanished("city-of-a/app", forge="github")
    sim.faults.server_error(status=503, reset_in=3600, forge="gitlab")  # RateLimit-Reset an hour away
    sim.faults.bad_field(field="created_at", value="2013-09-30T13: 46: 02Z", endpoint="/repos/{owner}/{repo}/issues")
    sim.faults.reflect(status=401, forge="github", times=1)  # echoes the request's token, as a bad proxy
    sim.faults.clear()

Faulted requests are counted in ``sim.requests`` like any other; ``sim.faults.fired``
counts the faults that fired, per kind. Only GET requests to the forge APIs are
faulted, never ``/_sim/*``.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import unquote

KINDS = (
    "server_error", "secondary_limit", "exhausted_budget", "slow", "cut", "malformed", "vanished", "bad_field", "reflect",
)
FORGES = ("github", "gitlab", "opencode")

_GITHUB_RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
)


@dataclass
class Fault:
    """One scheduled fault. ``times`` is how many more requests it will hit (None: until cleared)."""

    kind: str
    forge: str | None = None
    endpoint: str | None = None
    path: str | None = None
    times: int | None = None
    params: dict = field(default_factory=dict)
    id: int = 0
    fired: int = 0

    def matches(self, forge: str, endpoint: str, url_path: str, resource: str | None) -> bool:
        if self.forge is not None and self.forge != forge:
            return False
        if self.endpoint is not None and self.endpoint != endpoint:
            return False
        if self.kind == "vanished":
            # The target is an account or repository path: it and everything under it is gone.
            target = self.params["target"].strip("/").lower()
            res = (resource or "").lower()
            return bool(res) and (res == target or res.startswith(target + "/"))
        return self.path is None or self.path in url_path or self.path in unquote(url_path)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "forge": self.forge,
            "endpoint": self.endpoint,
            "path": self.path,
            "times": self.times,
            "fired": self.fired,
            **self.params,
        }


class Faults:
    """The faults scheduled on one simulator; safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.fired: Counter[str] = Counter()

    # -- scheduling -----------------------------------------------------------------

    def add(self, kind: str, *, forge: str | None = None, endpoint: str | None = None, path: str | None = None,
            times: int | None = None, **params) -> Fault:
        """Schedule a fault of ``kind`` (see KINDS) with the kind's ``params``."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
        if forge is not None and forge not in FORGES:
            raise ValueError(f"unknown forge {forge!r}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None: until cleared)")
        fault = Fault(kind, forge, endpoint, path, times, params)
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def server_error(self, status: int = 502, *, retry_after: int | None = None, reset_in: float | None = None,
                     **filters) -> Fault:
        """Answer ``status`` (5xx) with the forge's JSON error body.

        ``retry_after`` adds a Retry-After header; ``reset_in`` sends the rate-limit
        headers with their reset that many seconds away (as a forge does on every
        answer, errors too), with budget left: the reset says nothing about the outage.
        """
        if not 500 <= status <= 599:
            raise ValueError("server_error needs a 5xx status")
        return self.add("server_error", status=status, retry_after=retry_after, reset_in=reset_in, **filters)

    def secondary_limit(self, retry_after: float = 1, *, status: int | None = None, **filters) -> Fault:
        """GitHub: 403 (or ``status=429``) secondary rate limit with Retry-After; GitLab: 429 throttled."""
        if status not in (None, 403, 429):
            raise ValueError("secondary_limit status is 403 or 429")
        return self.add("secondary_limit", retry_after=retry_after, status=status, **filters)

    def exhausted_budget(self, reset_in: float = 1.0, *, times: int | None = 1, **filters) -> Fault:
        """Spend the requesting token's whole budget until ``reset_in`` seconds from the hit.

        The forge then answers every request with that token (not only matching ones)
        as rate-limited until the reset, and recovers by itself after it. ``times``
        defaults to 1: one exhaustion; ``None`` exhausts again on every matching
        request after each recovery.
        """
        return self.add("exhausted_budget", reset_in=reset_in, times=times, **filters)

    def slow(self, delay: float = 1.0, **filters) -> Fault:
        """Hold the answer ``delay`` seconds before sending anything."""
        return self.add("slow", delay=delay, **filters)

    def cut(self, fraction: float = 0.5, **filters) -> Fault:
        """Send status line, headers (full Content-Length) and ``fraction`` of the body, then close."""
        if not 0 <= fraction < 1:
            raise ValueError("fraction must be in [0, 1)")
        return self.add("cut", fraction=fraction, **filters)

    def malformed(self, style: str = "truncated", **filters) -> Fault:
        """Answer 200 with a body that is not JSON: ``truncated`` JSON or an ``html`` page."""
        if style not in ("truncated", "html"):
            raise ValueError("style is 'truncated' or 'html'")
        return self.add("malformed", style=style, **filters)

    def vanished(self, target: str, *, forge: str | None = None, endpoint: str | None = None,
                 times: int | None = None) -> Fault:
        """The account (org/user/group) or repository at ``target`` and all below it answer 404."""
        if not target.strip("/"):
            raise ValueError("vanished needs an account or repository path")
        return self.add("vanished", forge=forge, endpoint=endpoint, times=times, target=target.strip("/"))

    def bad_field(self, field: str = "created_at", value: object = "2013-09-30T13: 46: 02Z", *, index: int = 0,
                  **filters) -> Fault:
        """Answer as usual, with ``field`` of one JSON object set to ``value``.

        The object is the answer itself, or the ``index``-th entry of a list answer;
        ``field`` may be dotted (``commit.author.date``) to reach into nested objects.
        """
        if not field or not isinstance(field, str):
            raise ValueError("bad_field needs a field name")
        return self.add("bad_field", field=field, value=value, index=index, **filters)

    def reflect(self, status: int = 401, **filters) -> Fault:
        """Answer ``status`` with a JSON ``message`` quoting the request's Authorization or
        PRIVATE-TOKEN header, as a misconfigured proxy does."""
        if status not in (401, 403, 500, 502):
            raise ValueError("reflect status is 401, 403, 500 or 502")
        return self.add("reflect", status=status, **filters)

    def from_json(self, spec: dict) -> Fault:
        """Schedule a fault from a JSON object: ``{"kind": "slow", "delay": 2, "forge": "github"}``."""
        spec = dict(spec)
        kind = spec.pop("kind", None)
        method = getattr(self, kind, None) if kind in KINDS else None
        if method is None:
            raise ValueError(f"unknown fault kind {kind!r}")
        return method(**spec)

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f is not fault]

    def clear(self, kind: str | None = None) -> None:
        """Remove every scheduled fault (or every one of ``kind``). ``fired`` is kept."""
        with self._lock:
            self._faults = [f for f in self._faults if kind is not None and f.kind != kind]

    def reset_fired(self) -> None:
        with self._lock:
            self.fired.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def has_vanished(self) -> bool:
        return any(f.kind == "vanished" for f in self._faults)

    def to_json(self) -> dict:
        with self._lock:
            return {"active": [f.to_json() for f in self._faults], "fired": dict(self.fired)}

    # -- the request path -----------------------------------------------------------

    def take(self, forge: str, endpoint: str, url_path: str, resource: str | None = None
             ) -> tuple[Fault | None, Fault | None]:
        """The faults that fire on one request: (a ``vanished`` one, the first other one).

        Each fault that fires counts down its ``times`` and is dropped at zero.
        """
        if not self._faults:
            return None, None
        with self._lock:
            vanished = other = None
            for fault in self._faults:
                if fault.kind == "vanished":
                    if vanished is None and fault.matches(forge, endpoint, url_path, resource):
                        vanished = fault
                elif other is None and fault.matches(forge, endpoint, url_path, resource):
                    other = fault
            for fault in (vanished, other):
                if fault is None:
                    continue
                fault.fired += 1
                self.fired[fault.kind] += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
            return vanished, other


# -- answers in the forges' shapes ------------------------------------------------------


def resource_path(world, forge: str, rest: list[str]) -> str | None:
    """The account or repository path an API request addresses (decoded), if any."""
    if len(rest) < 2:
        return None
    if forge == "github":
        if rest[0] in ("orgs", "users"):
            return rest[1]
        if rest[0] == "repos" and len(rest) >= 3:
            return f"{rest[1]}/{rest[2]}"
        return None
    ident = rest[1]
    if rest[0] == "projects":
        if not ident.isdigit():
            return ident
        try:
            return world.repo_by_id(forge, int(ident)).path
        except KeyError:
            return None
    if rest[0] == "groups":
        if not ident.isdigit():
            return ident
        try:
            from collectors.simulator.gitlab_api import _group_id

            for path in world.group_paths(forge):
                if _group_id(_Ctx(world, forge), path) == int(ident):
                    return path
        except Exception:  # noqa: BLE001 - a best effort to resolve numeric group ids
            return None
    return None


@dataclass
class _Ctx:
    world: object
    forge: str


def not_found(forge: str, endpoint: str) -> tuple[int, dict]:
    """The 404 a forge answers for a deleted account or repository."""
    if forge == "github":
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}
    what = "Group Not Found" if endpoint.startswith("/groups") else "Project Not Found"
    return 404, {"message": f"404 {what}"}


def _seconds(value: float) -> str:
    return str(max(0, math.ceil(value)))


def error_answer(fault: Fault, forge: str, rate_headers: dict) -> tuple[int, object, dict]:
    """(status, body, headers) for the faults answered without the world: 5xx and secondary limits."""
    p = fault.params
    if fault.kind == "server_error":
        status = p["status"]
        reason = _REASONS.get(status, "Server Error")
        headers = dict(rate_headers)
        if p.get("retry_after") is not None:
            headers["Retry-After"] = _seconds(p["retry_after"])
        if p.get("reset_in") is not None:
            reset = str(math.ceil(time.time() + float(p["reset_in"])))
            headers["X-RateLimit-Reset" if forge == "github" else "RateLimit-Reset"] = reset
        if forge == "github":
            return status, {"message": "Server Error" if status == 500 else reason, "documentation_url": "https://docs.github.com/rest"}, headers
        return status, {"message": f"{status} {reason}"}, headers
    if fault.kind == "secondary_limit":
        retry = _seconds(p["retry_after"])
        if forge == "github":
            # A secondary limit leaves the primary budget alone: X-RateLimit-Remaining stays > 0.
            body = {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                "If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:44444444.",
                "documentation_url": _GITHUB_RATE_DOCS + "#about-secondary-rate-limits",
            }
            return p.get("status") or 403, body, {**rate_headers, "Retry-After": retry}
        # GitLab's Rack::Attack throttle: plain text, RateLimit-* headers describing the throttle.
        reset = time.time() + float(p["retry_after"])
        headers = {
            "Content-Type": "text/plain",
            "Retry-After": retry,
            "RateLimit-Name": "throttle_authenticated_api",
            "RateLimit-Limit": rate_headers.get("RateLimit-Limit", "2000"),
            "RateLimit-Observed": rate_headers.get("RateLimit-Limit", "2000"),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(math.ceil(reset)),
            "RateLimit-ResetTime": formatdate(math.ceil(reset), usegmt=True),
        }
        return 429, b"Retry later\n", headers
    raise ValueError(f"{fault.kind} is not answered by error_answer")


def reflected_answer(fault: Fault, forge: str, request_headers, rate_headers: dict) -> tuple[int, object, dict]:
    """An error whose message quotes the request's credentials header, as a misconfigured proxy sends."""
    status = fault.params["status"]
    quoted = [f"{name}: {request_headers.get(name)}" for name in ("Authorization", "PRIVATE-TOKEN") if request_headers.get(name)]
    echo = "; ".join(quoted) or "no credentials"
    reason = {401: "Unauthorized", 403: "Forbidden"}.get(status) or _REASONS.get(status, "Server Error")
    return status, {"message": f"{status} {reason}: upstream rejected the request ({echo})"}, dict(rate_headers)


def with_bad_field(fault: Fault, body: object) -> object:
    """``body`` (a decoded JSON answer) with the fault's field of one object replaced."""
    p = fault.params
    target = body
    if isinstance(body, list):
        if not body:
            return body
        target = body[min(p["index"], len(body) - 1)]
    *parents, name = p["field"].split(".")
    for part in parents:
        if not isinstance(target, dict) or not isinstance(target.get(part), dict):
            return body
        target = target[part]
    if isinstance(target, dict):
        target[name] = p["value"]
    return body


def malformed_answer(fault: Fault, payload: bytes, headers: dict) -> tuple[bytes, dict]:
    """A 200 body that does not parse as JSON, with the headers to send it with."""
    if fault.params["style"] == "html":
        kept = {k: v for k, v in headers.items() if k.lower().startswith(("x-ratelimit", "ratelimit"))}
        return _HTML, {**kept, "Content-Type": "text/html; charset=utf-8"}
    return payload[: len(payload) // 2] or b"{", headers
