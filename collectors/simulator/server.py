"""Serve a :class:`World` over loopback HTTP in the shapes of GitHub REST v3 and GitLab REST v4.

Each forge is addressed the way a real one is: GitHub as an Enterprise server,
``http://HOST:PORT/api/v3`` on the main port, and GitLab and openCoDE each at the
root of a port of its own (``http://HOST:GITLAB_PORT/api/v4``), so that a client
that builds its URLs from a host alone works. The main port also answers under
path prefixes, ``/github/api/v3``, ``/gitlab/api/v4`` and ``/opencode/api/v4``,
the addresses ossdash's registries name. It implements what the collectors rely
on and what the real APIs do: Link pagination (plus GitLab's X-* pagination
headers), ``per_page`` capped at 100, ``since`` filters, ETag with 304 answers that
cost no budget, rate-limit headers backed by a real per-token budget, a counter of
requests per endpoint and of TCP connections per client, an optional latency per
request and per new connection, and switchable faults (``sim.faults``, see
:mod:`collectors.simulator.faults`). The control endpoints are in
:mod:`collectors.simulator.control`.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from collectors.simulator import control, github_api, gitlab_api
from collectors.simulator import faults as _faults
from collectors.simulator.common import ApiError, Page
from collectors.simulator.world import World


class Budget:
    """A per-token request budget with an hourly reset, as the forges keep it."""

    def __init__(self, limit: int, window: float = 3600.0):
        self.limit = limit
        self.window = window
        self.used: dict[str, int] = {}
        self.reset_at: dict[str, float] = {}

    def state(self, token: str) -> tuple[int, int, int]:
        now = time.time()
        if self.reset_at.get(token, 0) <= now:
            self.reset_at[token] = now + self.window
            self.used[token] = 0
        used = self.used[token]
        return used, max(0, self.limit - used), math.ceil(self.reset_at[token])

    def spend(self, token: str) -> None:
        self.state(token)
        self.used[token] += 1

    def exhaust(self, token: str | None = None, reset_in: float | None = None) -> None:
        """Spend the whole budget of ``token`` (or of every token seen), optionally until ``reset_in`` seconds from now."""
        for key in [token] if token else list(self.used):
            self.state(key)
            self.used[key] = self.limit
            if reset_in is not None:
                self.reset_at[key] = time.time() + reset_in


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _root(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ForgeSimulator:
    """A running simulator: ``with ForgeSimulator(World()) as sim: sim.base_url``.

    ``latency_ms`` delays every API answer by that much, and every new TCP connection
    by as much again (the handshake's round trip), so that a client opening a
    connection per request pays for it as it would against a real forge.
    ``port`` is the main (GitHub) port; GitLab and openCoDE listen on the next two
    ports when it is given, on free ports when it is 0.
    """

    def __init__(self, world: World | None = None, host: str = "127.0.0.1", port: int = 0, rate_limit: int = 5000,
                 latency_ms: float = 0.0):
        if latency_ms < 0:
            raise ValueError("latency_ms must be 0 or more")
        self.world = world or World()
        self.lock = threading.RLock()
        self.requests: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.connections: Counter[str] = Counter()  # TCP connections per client (its User-Agent)
        self.latency = latency_ms / 1000
        self.budgets = {"github": Budget(rate_limit), "gitlab": Budget(rate_limit), "opencode": Budget(rate_limit)}
        self.faults = _faults.Faults()
        self.servers: dict[str | None, ThreadingHTTPServer] = {}
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        try:
            for offset, forge in enumerate((None, "gitlab", "opencode")):
                handler = type("Handler", (_Handler,), {"sim": self, "own_forge": forge})
                self.servers[forge] = server_class((host, port + offset if port else 0), handler)
                self.servers[forge].daemon_threads = True
        except OSError:
            for server in self.servers.values():
                server.server_close()
            raise
        self.httpd = self.servers[None]
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        return _root(self.httpd)

    def url(self, forge: str) -> str:
        """The URL a registry account uses for a forge of this simulator."""
        return f"{self.base_url}/{forge}" + ("/api/v3" if forge == "github" else "")

    def host_url(self, forge: str) -> str:
        """The forge's own root, as a client that appends ``/api/v3`` or ``/api/v4`` to a host wants it."""
        if forge == "github":
            return self.base_url
        return _root(self.servers[forge])

    def api_url(self, forge: str) -> str:
        """The forge's API root at its own address (``http://HOST:PORT/api/v3`` or ``.../api/v4``)."""
        return self.host_url(forge) + ("/api/v3" if forge == "github" else "/api/v4")

    def start(self) -> ForgeSimulator:
        for forge, server in self.servers.items():
            thread = threading.Thread(target=server.serve_forever, name=f"forge-simulator-{forge or 'main'}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def registry_toml(self, goals: bool = False) -> str:
        return self.world.registry_toml(self.base_url, goals=goals)

    def reset_budgets(self) -> None:
        """Every token's budget back to full, as after its reset time."""
        with self.lock:
            for budget in self.budgets.values():
                budget.used.clear()
                budget.reset_at.clear()

    def reset_counters(self) -> None:
        with self.lock:
            self.requests.clear()
            self.not_modified.clear()
            self.connections.clear()

    def total_requests(self, forge: str | None = None) -> int:
        return sum(n for k, n in self.requests.items() if forge is None or k.startswith(forge + " "))

    def total_not_modified(self, forge: str | None = None) -> int:
        return sum(n for k, n in self.not_modified.items() if forge is None or k.startswith(forge + " "))

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": dict(self.requests),
                "not_modified": dict(self.not_modified),
                "total_requests": self.total_requests(),
                "total_not_modified": self.total_not_modified(),
                "connections": dict(self.connections),
                "faults_fired": dict(self.faults.fired),
            }


class _Handler(BaseHTTPRequestHandler):
    sim: ForgeSimulator
    own_forge: str | None = None  # the GitLab forge this port serves at its root; None: the main port
    protocol_version = "HTTP/1.1"
    server_version = "ossdash-forge-simulator"
    _cut: float | None = None  # set by a ``cut`` fault: send only this share of the body, then close
    _counted = False  # this connection is in sim.connections

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's
        # algorithm meets delayed ACKs and every keep-alive answer waits ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.sim.latency:
            time.sleep(self.sim.latency)  # the handshake of a new connection

    def log_message(self, format: str, *args) -> None:
        return  # keep test and demo output clean

    def _count_connection(self) -> None:
        if not self._counted:
            self._counted = True
            with self.sim.lock:
                self.sim.connections[self.headers.get("User-Agent") or "-"] += 1

    def _api_of(self, segments: list[str]):
        """(forge, API module, the rest of the path, the API's prefix) for a request path, or None."""
        if self.own_forge is not None:
            if segments[:2] == ["api", "v4"]:
                return self.own_forge, gitlab_api, segments[2:], "/api/v4"
            return None
        if segments[:2] == ["api", "v3"]:
            return "github", github_api, segments[2:], "/api/v3"
        forge = segments[0] if segments else ""
        if forge == "github" and segments[1:3] == ["api", "v3"]:
            return forge, github_api, segments[3:], "/github/api/v3"
        if forge in ("gitlab", "opencode") and segments[1:3] == ["api", "v4"]:
            return forge, gitlab_api, segments[3:], f"/{forge}/api/v4"
        return None

    def do_GET(self) -> None:
        self._cut = None
        self._count_connection()
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        # Keep %2F inside segments: GitLab addresses groups and projects by encoded path.
        segments = [unquote(s) for s in split.path.split("/") if s]
        if segments[:1] == ["_sim"]:
            return control.get(self, segments[1:])
        found = self._api_of(segments)
        if found is None:
            return self._send(404, {"message": "Not Found"}, {})
        forge, api, rest, prefix = found
        if self.sim.latency:
            time.sleep(self.sim.latency)
        host, port = self.server.server_address[:2]
        root = f"http://{self.headers.get('Host') or f'{host}:{port}'}"
        if api is github_api:
            budget = self.sim.budgets[forge]
            with self.sim.lock:
                used, remaining, reset = budget.state(self._token())
            ctx = api.Context(self.sim.world, forge, root + prefix, root, (budget.limit, used, remaining, reset))
        else:
            ctx = api.Context(self.sim.world, forge, root + prefix, root)
        with self.sim.lock:
            endpoint, result, extra = self._dispatch(api, ctx, rest, query)
            resource = _faults.resource_path(self.sim.world, forge, rest) if self.sim.faults.has_vanished() else None
        self._answer(forge, endpoint, prefix, split.path, query, result, extra, resource)

    def _token(self) -> str:
        return self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN") or f"anon:{self.client_address[0]}"

    def _dispatch(self, api, ctx, rest, query):
        try:
            endpoint, result = api.route(ctx, rest, query)
            return endpoint, result, {}
        except ApiError as exc:
            return getattr(exc, "endpoint", "unmatched"), exc, exc.headers

    def _answer(self, forge, endpoint, prefix, path, query, result, extra, resource=None) -> None:
        sim = self.sim
        token = self._token()
        budget = sim.budgets[forge]
        key = f"{forge} GET {endpoint}"
        with sim.lock:
            sim.requests[key] += 1
        vanished, fault = sim.faults.take(forge, endpoint, path, resource)
        kind = fault.kind if fault else None
        if vanished:
            result, extra = ApiError(*_faults.not_found(forge, endpoint)), {}
        if kind == "slow":
            time.sleep(fault.params["delay"])
        elif kind == "exhausted_budget":
            with sim.lock:
                budget.exhaust(token, reset_in=fault.params["reset_in"])
        elif kind == "cut":
            self._cut = fault.params["fraction"]
        with sim.lock:
            used, remaining, reset = budget.state(token)
        headers = self._rate_headers(forge, budget.limit, used, remaining, reset)
        if kind in ("server_error", "secondary_limit"):
            return self._send(*_faults.error_answer(fault, forge, headers))
        if kind == "reflect":
            return self._send(*_faults.reflected_answer(fault, forge, self.headers, headers))
        if remaining <= 0:
            body = {"message": "API rate limit exceeded", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}
            if forge == "github":
                return self._send(403, body, headers)
            headers["Retry-After"] = str(max(1, reset - int(time.time())))
            return self._send(429, {"message": "429 Too Many Requests"}, headers)
        if isinstance(result, ApiError):
            with sim.lock:
                budget.spend(token)
            return self._send(result.status, result.body, {**headers, **extra})
        body = result.body
        if kind == "bad_field":
            body = _faults.with_bad_field(fault, json.loads(json.dumps(body)))  # a copy: the world stays as it is
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        etag = f'W/"{hashlib.sha1(payload).hexdigest()}"'
        headers["ETag"] = etag
        headers.update(self._pagination(forge, prefix, path, query, result))
        if kind == "malformed":
            payload, headers = _faults.malformed_answer(fault, payload, headers)
        elif kind != "cut" and etag in {t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")}:
            with sim.lock:
                sim.not_modified[key] += 1
            return self._send(304, None, headers)
        with sim.lock:
            budget.spend(token)
            used, remaining, reset = budget.state(token)
        headers.update(self._rate_headers(forge, budget.limit, used, remaining, reset))
        self._send(200, payload, headers)

    @staticmethod
    def _rate_headers(forge: str, limit: int, used: int, remaining: int, reset: int) -> dict:
        if forge == "github":
            return {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Used": str(used),
                "X-RateLimit-Reset": str(reset),
                "X-RateLimit-Resource": "core",
            }
        return {
            "RateLimit-Limit": str(limit),
            "RateLimit-Observed": str(used),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(reset),
        }

    def _pagination(self, forge, prefix, path, query, result: Page) -> dict:
        if result.total is None:
            return {}
        root = f"http://{self.headers.get('Host')}"
        last = max(1, -(-result.total // result.per_page))

        def link(page: int) -> str:
            q = dict(query, page=str(page), per_page=str(result.per_page))
            return f"{root}{quote(path, safe='/%')}?{urlencode(q)}"

        rels = []
        if result.page < last:
            rels.append(f'<{link(result.page + 1)}>; rel="next"')
            rels.append(f'<{link(last)}>; rel="last"')
        if result.page > 1:
            rels.append(f'<{link(1)}>; rel="first"')
            rels.append(f'<{link(result.page - 1)}>; rel="prev"')
        headers = {"Link": ", ".join(rels)} if rels else {}
        if forge != "github":
            headers.update({
                "X-Page": str(result.page),
                "X-Per-Page": str(result.per_page),
                "X-Next-Page": str(result.page + 1) if result.page < last else "",
                "X-Prev-Page": str(result.page - 1) if result.page > 1 else "",
                "X-Total": str(result.total),
                "X-Total-Pages": str(last),
            })
        return headers

    def do_POST(self) -> None:
        self._cut = None
        self._count_connection()
        control.post(self, urlsplit(self.path).path.rstrip("/"))

    def do_DELETE(self) -> None:
        self._cut = None
        self._count_connection()
        control.delete(self, urlsplit(self.path).path.rstrip("/"))

    def _send(self, status: int, body, headers: dict) -> None:
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        else:
            payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        if status != 304:
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        try:
            self.end_headers()
            if self._cut is not None:
                # A cut connection: the headers promised the whole body, part of it arrives, then EOF.
                self.wfile.write(payload[: min(int(len(payload) * self._cut), max(0, len(payload) - 1))])
                self.close_connection = True
            elif payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. timed out on a slow answer)
