"""The collectors' sessions read the proxy and certificate settings once per host, as requests would.

Against requests' own ``merge_environment_settings`` for any mix of the variables it reads, and a
real collection through a real forwarding proxy on loopback: ``HTTP_PROXY`` sends every request
through it, ``NO_PROXY`` naming the forge sends none.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import threading
import typing
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.github import GitHubCollector
from collectors.gitlab import GitLabCollector
from collectors.registry import parse_registry
from collectors.sessions import ForgeSession, forge_session
from collectors.simulator import ForgeSimulator, World

VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "no_proxy",
             "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
VALUES = {
    "HTTP_PROXY": ("http://proxy.example:3128",), "http_proxy": ("http://lower.example:8080",),
    "HTTPS_PROXY": ("http://secure-proxy.example:3128", "socks5://socks.example:1080"),
    "ALL_PROXY": ("http://all.example:3128",),
    "NO_PROXY": ("forge.example", ".example.org,127.0.0.1", "*", "10.0.0.0/8"),
    "no_proxy": ("other.example",),
    "REQUESTS_CA_BUNDLE": ("/etc/city/ca.pem",), "CURL_CA_BUNDLE": ("/etc/curl/ca.pem",),
}
URLS = ("https://forge.example/api/v4/projects", "http://forge.example:8080/x", "https://api.github.com/orgs/x",
        "https://git.example.org/a", "http://127.0.0.1:5000/repos", "http://10.1.2.3/y")


@contextlib.contextmanager
def environment(values: dict[str, str]):
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.upper() in {v.upper() for v in VARIABLES}}
    os.environ.update(values)
    try:
        yield
    finally:
        for k in values:
            os.environ.pop(k, None)
        os.environ.update(saved)


@settings(max_examples=300, deadline=None)
@given(
    env=st.fixed_dictionaries({}, optional={k: st.sampled_from(VALUES[k]) for k in VARIABLES}),
    url=st.sampled_from(URLS),
    proxies=st.sampled_from([None, {}, {"no_proxy": "forge.example"}, {"https": "http://mine.example:1"}]),
    verify=st.sampled_from([True, None, False, "/my/ca.pem"]),
    stream=st.sampled_from([None, False, True]),
)
def test_the_settings_are_requests_own(env, url, proxies, verify, stream):
    with environment(env):
        ours = ForgeSession().merge_environment_settings(url, None if proxies is None else dict(proxies), stream, verify, None)
        theirs = requests.Session().merge_environment_settings(url, None if proxies is None else dict(proxies), stream, verify, None)
    assert ours == theirs


def test_the_environment_is_read_once_per_host():
    session = ForgeSession()
    with environment({"HTTPS_PROXY": "http://first.example:3128"}):
        first = session.merge_environment_settings("https://forge.example/a", {}, None, True, None)
    with environment({"HTTPS_PROXY": "http://second.example:3128"}):
        again = session.merge_environment_settings("https://forge.example/b", {}, None, True, None)
        other = session.merge_environment_settings("https://other.example/b", {}, None, True, None)
    assert first["proxies"]["https"] == again["proxies"]["https"] == "http://first.example:3128"
    assert other["proxies"]["https"] == "http://second.example:3128"
    # Without trust_env the environment is not read at all, as in requests.
    session.trust_env = False
    with environment({"HTTPS_PROXY": "http://third.example:3128"}):
        assert session.merge_environment_settings("https://new.example/", {}, None, True, None)["proxies"] == {}


def test_no_netrc_login_is_added(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine forge.example login someone password secret\n")
    with environment({"NETRC": str(netrc)}):
        prepared = forge_session().prepare_request(requests.Request("GET", "https://forge.example/api"))
        plain = requests.Session().prepare_request(requests.Request("GET", "https://forge.example/api"))
    assert "Authorization" not in prepared.headers
    assert plain.headers["Authorization"].startswith("Basic")  # what requests alone would have sent


class _Proxy(BaseHTTPRequestHandler):
    """A forwarding HTTP proxy: absolute-form requests are passed on to their host and counted."""

    protocol_version = "HTTP/1.1"
    seen: typing.ClassVar[Counter] = Counter()

    def do_GET(self):
        target = urlsplit(self.path)
        self.seen[target.netloc] += 1
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxy():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sim():
    with ForgeSimulator(World(seed=7)) as s:
        yield s


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_a_collection_goes_through_the_proxy_unless_no_proxy_names_the_forge(sim, proxy, forge):
    registry = parse_registry(sim.registry_toml(), "simulator.toml")
    account = next(a for e in registry.entities for a in e.accounts if a.forge == forge)
    collector_class = GitHubCollector if forge == "github" else GitLabCollector
    forge_host = urlsplit(account.url).netloc
    for no_proxy, through in (("", True), ("127.0.0.1", False)):
        _Proxy.seen.clear()
        sim.reset_counters()
        with environment({"HTTP_PROXY": proxy, **({"NO_PROXY": no_proxy} if no_proxy else {})}):
            collector = collector_class(account)
            try:
                repos = collector.list_repos(None).repos
                items = list(collector.items(repos[0], None, None).records)
            finally:
                collector.close()
        assert repos and items is not None
        asked = sim.total_requests(forge)
        assert asked >= 2
        assert _Proxy.seen[forge_host] == (asked if through else 0), (no_proxy, _Proxy.seen, asked)
