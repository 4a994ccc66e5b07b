"""ossdash's collectors keep their connections alive: one TCP connection carries an account's requests.

Against a real forge every new connection is a TCP and TLS handshake; the simulator counts the
connections each client opens (by User-Agent), so the count here is what a forge would see.
"""

from __future__ import annotations

import pytest

from collectors.base import USER_AGENT
from collectors.github import GitHubCollector
from collectors.gitlab import GitLabCollector
from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World


@pytest.fixture(scope="module")
def sim():
    with ForgeSimulator(World(seed=7)) as s:
        yield s


def _account(sim, forge: str):
    registry = parse_registry(sim.registry_toml(), "simulator.toml")
    return next(a for e in registry.entities for a in e.accounts if a.forge == forge)


def _walk(collector) -> int:
    """An account's repositories, each one's items and comments: what a first collection asks for."""
    listing = collector.list_repos(None)
    walked = 0
    for repo in listing.repos:
        items = list(collector.items(repo, None, None).records)
        walked += len(items) + len(list(collector.comments(repo, None, items)))
    return walked


@pytest.mark.parametrize("forge", ["github", "gitlab", "opencode"])
def test_one_connection_carries_an_accounts_requests(sim, forge):
    collector_class = GitHubCollector if forge == "github" else GitLabCollector
    collector = collector_class(_account(sim, forge))
    sim.reset_counters()
    try:
        assert _walk(collector) > 0
    finally:
        collector.close()
    requests = sim.total_requests(forge)
    assert requests >= 10, f"too few requests ({requests}) to show anything"
    assert sim.connections[USER_AGENT] == 1, f"{requests} requests over {sim.connections[USER_AGENT]} connections"


def test_every_request_is_still_counted_and_patient(sim):
    """The shared session keeps the collector's counter and its retries: a 5xx burst is retried, each try counted."""
    collector = GitHubCollector(_account(sim, "github"))
    sim.reset_counters()
    sim.faults.server_error(502, forge="github", times=2)
    try:
        listing = collector.list_repos(None)
    finally:
        collector.close()
        sim.faults.clear()
    assert listing.repos
    assert collector.stats.requests == sim.total_requests("github") >= 3
    assert collector.stats.by_status.get(502) == 2
