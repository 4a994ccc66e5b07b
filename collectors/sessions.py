"""An account's HTTP session: one connection pool, no retries of its own, the environment read once.

requests reads the proxy and certificate settings from the environment on every request
(``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``,
``CURL_CA_BUNDLE``): a scan of ``os.environ`` and a parse of ``NO_PROXY`` each time, about 6% of a
lane's time when the forge answers at once. A collection's environment does not change while it
runs, so a :class:`ForgeSession` reads them once per scheme and host, with requests' own
functions and precedence, and answers from that afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Set as the session's auth so that requests never adds a ``.netrc`` login next to the token."""
    return request


class ForgeSession(requests.Session):
    """A ``requests.Session`` that settles the environment's proxies and CA bundle once per origin."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[str, str, str | None], tuple[dict[str, str], str | None]] = {}

    def merge_environment_settings(self, url: str, proxies: dict[str, str] | None, stream: bool | None,
                                   verify: Any, cert: Any) -> dict[str, Any]:
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        no_proxy = proxies.get("no_proxy") if proxies is not None else None
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, no_proxy)
        settled = self._environment.get(key)
        if settled is None:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            settled = self._environment[key] = (get_environ_proxies(url, no_proxy=no_proxy), bundle)
        env_proxies, bundle = settled
        # From here as requests.Session.merge_environment_settings does it.
        if proxies is not None:
            for name, value in env_proxies.items():
                proxies.setdefault(name, value)
        if verify is True or verify is None:
            verify = bundle or verify
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }


def forge_session(*hooks: Callable[..., Any]) -> ForgeSession:
    """An account's session: ``hooks`` see every response; every retry and wait is the account's
    Patience (collectors.patience), so the adapter retries nothing; no ``.netrc``: the token is the
    account's only credential."""
    session = ForgeSession()
    session.auth = _no_netrc
    adapter = HTTPAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.hooks["response"].extend(hooks)
    return session
