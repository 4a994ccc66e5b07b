"""Collectors against a misbehaving forge: every wait bounded, unreachable hosts fail at once,
malformed values cost only themselves, and every message says where."""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import pytest

from collectors.base import (
    AccountNotFound,
    CollectorError,
    CollectorOptions,
    DeadlineExceeded,
    HostUnreachable,
    RateLimitExhausted,
    TransientFailure,
    make_collector,
    probe_host,
)
from collectors.records import CommentRecord
from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World

FAST = CollectorOptions(timeout=1.0, max_rate_wait=2.0, retries=3, backoff=0.01)
BAD_TIME = "2013-09-30T13: 46: 02Z"  # as found in real GitLab client fixtures


@pytest.fixture(scope="module")
def rsim():
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def accounts(rsim):
    registry = parse_registry(rsim.registry_toml(), "reliability.toml")
    found = {}
    for entity in registry.entities:
        for account in entity.accounts:
            found.setdefault(account.forge, account)
    return found


@pytest.fixture(autouse=True)
def clean(rsim):
    rsim.faults.clear()
    rsim.reset_counters()
    rsim.reset_budgets()
    yield
    rsim.faults.clear()


def collector(account, options=FAST):
    return make_collector(account, options)


def busy_repo(rsim, account, stream: str):
    """A repository of ``account`` with at least two entries in ``stream`` (and its listing record)."""
    for repo in collector(account).list_repos(None).repos:
        sim_repo = rsim.world.repo(account.forge, repo.path)
        if len(getattr(sim_repo, stream)) >= 2:
            return repo, sim_repo
    pytest.skip(f"no repository of {account.label} with {stream}")


def elapsed(fn):
    start = time.monotonic()
    try:
        fn()
    except CollectorError as exc:
        return time.monotonic() - start, exc
    return time.monotonic() - start, None


def refused_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def api_url(forge: str, root: str) -> str:
    return f"{root}/github/api/v3" if forge == "github" else f"{root}/{forge}"


# -- every wait bounded ---------------------------------------------------------------------


def test_gitlab_5xx_with_rate_limit_reset_an_hour_away_gives_up_within_seconds(rsim, accounts):
    account = accounts["gitlab"]
    rsim.faults.server_error(status=503, reset_in=3600, forge="gitlab")

    seconds, exc = elapsed(lambda: collector(account).list_repos(None))

    assert isinstance(exc, TransientFailure), exc
    assert seconds < 5
    assert str(exc).startswith(f"{account.label}: listing projects: ")
    assert "HTTP 503" in str(exc)
    assert rsim.total_requests("gitlab") == FAST.retries + 1


def test_gitlab_5xx_burst_with_reset_header_is_retried_without_sleeping_until_the_reset(rsim, accounts):
    account = accounts["gitlab"]
    rsim.faults.server_error(status=502, reset_in=3600, forge="gitlab", times=2)

    seconds, exc = elapsed(lambda: collector(account).list_repos(None))

    assert exc is None
    assert seconds < 3
    assert rsim.faults.fired["server_error"] >= 2


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_5xx_with_retry_after_an_hour_stops_at_once(rsim, accounts, forge):
    account = accounts[forge]
    rsim.faults.server_error(status=503, retry_after=3600, forge=forge)

    seconds, exc = elapsed(lambda: collector(account).list_repos(None))

    assert isinstance(exc, TransientFailure), exc
    assert seconds < 3
    assert str(exc).startswith(account.label + ": ")
    assert "3600s" in str(exc) and "resumes next run" in str(exc)
    assert rsim.total_requests(forge) == 1  # no wait started, no retry


def test_github_5xx_with_rate_limit_reset_an_hour_away_retries_with_backoff(rsim, accounts):
    account = accounts["github"]
    rsim.faults.server_error(status=502, reset_in=3600, forge="github")

    seconds, exc = elapsed(lambda: collector(account).list_repos(None))

    assert isinstance(exc, TransientFailure), exc
    assert seconds < 3
    assert str(exc).startswith(f"{account.label}: listing repositories of {account.owner}: ")
    assert rsim.total_requests("github") == FAST.retries + 1


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_rate_limit_beyond_max_rate_wait_stops_the_account(rsim, accounts, forge):
    account = accounts[forge]
    rsim.faults.secondary_limit(retry_after=3600, forge=forge)

    seconds, exc = elapsed(lambda: collector(account).list_repos(None))

    assert isinstance(exc, RateLimitExhausted), exc
    assert seconds < 3
    assert str(exc).startswith(account.label + ": ") and "resumes next run" in str(exc)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_account_deadline_stops_a_slow_account(rsim, accounts, forge):
    account = accounts[forge]
    options = replace(FAST, account_deadline=1.5)
    rsim.faults.slow(delay=0.4, forge=forge)
    c = collector(account, options)

    def walk_everything():
        for _ in range(20):  # bounded: at 0.4 s a request, the deadline comes within the first few
            for repo in c.list_repos(None).repos:
                list(c.commits(repo, None))

    seconds, exc = elapsed(walk_everything)

    assert isinstance(exc, DeadlineExceeded), exc
    assert seconds < options.account_deadline + options.timeout + 0.5
    assert str(exc).startswith(account.label + ": ") and "resumes next run" in str(exc)


def test_a_wait_that_would_cross_the_deadline_is_not_started(rsim, accounts):
    account = accounts["github"]
    options = replace(FAST, max_rate_wait=30.0, account_deadline=2.0)
    rsim.faults.secondary_limit(retry_after=10, forge="github")

    seconds, exc = elapsed(lambda: collector(account, options).list_repos(None))

    assert isinstance(exc, DeadlineExceeded), exc
    assert seconds < 1
    assert "10.0s" in str(exc)


# -- unreachable hosts ----------------------------------------------------------------------


@pytest.mark.parametrize("forge", ["github", "gitlab", "opencode"])
def test_refused_port_fails_at_once_without_retries(accounts, forge):
    port = refused_port()
    base = accounts.get(forge) or accounts["gitlab"]
    account = replace(base, forge=forge, url=api_url(forge, f"http://127.0.0.1:{port}"))
    # A backoff that would show: any retry would take longer than the bound below.
    options = replace(FAST, retries=5, backoff=1.0)

    seconds, exc = elapsed(lambda: collector(account, options).list_repos(None))

    assert isinstance(exc, HostUnreachable), exc
    assert seconds < 2
    assert exc.host == account.host
    assert str(exc).startswith(account.label + ": ")
    assert f"cannot reach 127.0.0.1:{port} (connection refused); check the network or the account's url" in str(exc)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_unresolvable_host_fails_at_once(accounts, forge):
    account = replace(accounts[forge], url=api_url(forge, "http://nonexistent.invalid"))
    options = replace(FAST, retries=5, backoff=1.0)

    seconds, exc = elapsed(lambda: collector(account, options).list_repos(None))

    assert isinstance(exc, HostUnreachable), exc
    assert seconds < 3
    assert exc.host == account.host
    assert "cannot reach nonexistent.invalid:80 (name not resolved)" in str(exc)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_host_going_away_after_the_listing_fails_at_once_naming_the_repository(accounts, forge):
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        account = replace(accounts[forge], url=sim.url(forge))
        c = collector(account, replace(FAST, retries=5, backoff=0.2))
        repo = next(r for r in c.list_repos(None).repos if r.default_branch)
    # The simulator has stopped: its port now refuses connections. Its threads would still
    # answer on kept-alive connections, so the collector lets go of its pooled ones.
    c.close()

    seconds, exc = elapsed(lambda: list(c.commits(repo, None)))

    assert isinstance(exc, HostUnreachable), exc
    assert seconds < 2
    assert str(exc).startswith(f"{account.label}: commits of {repo.path}: cannot reach ")


def test_probe_host(rsim):
    assert probe_host(rsim.base_url, timeout=1.0) is None
    assert probe_host(f"http://127.0.0.1:{refused_port()}/gitlab", timeout=1.0) == "connection refused"
    assert probe_host("http://nonexistent.invalid", timeout=1.0) == "name not resolved"


# -- malformed values cost only themselves ----------------------------------------------------


def test_malformed_timestamp_in_a_listing_entry_is_a_warning(rsim, accounts):
    account = accounts["gitlab"]
    clean = collector(account).list_repos(None).repos
    rsim.faults.bad_field(field="created_at", value=BAD_TIME, endpoint="/groups/:id/projects", times=1)
    c = collector(account)

    repos = c.list_repos(None).repos

    assert [r.path for r in repos] == [r.path for r in clean]
    bad = repos[0]
    assert bad.created_at is None and clean[0].created_at is not None
    assert repos[1:] == clean[1:]
    assert c.warnings == [
        f"{account.label}: project {bad.path}: field created_at: unreadable value {BAD_TIME!r}"
    ]


def test_wrong_json_types_in_a_github_listing_entry_are_warnings(rsim, accounts):
    account = accounts["github"]
    clean = collector(account).list_repos(None).repos
    rsim.faults.bad_field(field="forks_count", value="many", endpoint="/orgs/{login}/repos", times=1)
    c = collector(account)

    repos = c.list_repos(None).repos

    assert len(repos) == len(clean)
    assert repos[0].forks_count == 0  # the warehouse keeps counts NOT NULL
    assert c.warnings == [f"{account.label}: repository {repos[0].path}: field forks_count: unreadable value 'many'"]


@pytest.mark.parametrize(("forge", "field", "value"), [
    ("github", "created_at", BAD_TIME),
    ("github", "labels", 5),
    ("github", "user", "x"),
    ("gitlab", "created_at", BAD_TIME),
    ("gitlab", "author", ["x"]),
])
def test_malformed_value_in_an_issue_costs_only_that_value(rsim, accounts, forge, field, value):
    account = accounts[forge]
    repo, sim_repo = busy_repo(rsim, account, "items")
    endpoint = "/repos/{owner}/{repo}/issues" if forge == "github" else "/projects/:id/issues"
    rsim.faults.bad_field(field=field, value=value, endpoint=endpoint)
    c = collector(account)

    items = list(c.items(repo, None, None).records)

    assert len(items) == len(sim_repo.items)
    assert c.warnings, "the malformed value must be reported"
    assert all(w.startswith(f"{account.label}: ") and repo.path in w and f"field {field}: unreadable value " in w
               for w in c.warnings)
    assert "issue #" in c.warnings[0]
    assert repr(value)[:60] in c.warnings[0]


def test_issue_without_a_readable_number_is_skipped_alone(rsim, accounts):
    account = accounts["github"]
    repo, sim_repo = busy_repo(rsim, account, "items")
    rsim.faults.bad_field(field="number", value="twelve", endpoint="/repos/{owner}/{repo}/issues")
    c = collector(account)

    items = list(c.items(repo, None, None).records)

    assert 0 < len(items) < len(sim_repo.items)
    assert "field number: unreadable value 'twelve'; the record is skipped" in c.warnings[0]


@pytest.mark.parametrize(("forge", "field"), [("github", "commit.author.date"), ("gitlab", "authored_date")])
def test_malformed_timestamp_in_a_commit(rsim, accounts, forge, field):
    account = accounts[forge]
    repo, sim_repo = busy_repo(rsim, account, "commits")
    endpoint = "/repos/{owner}/{repo}/commits" if forge == "github" else "/projects/:id/repository/commits"
    rsim.faults.bad_field(field=field, value=BAD_TIME, endpoint=endpoint, times=1)
    c = collector(account)

    commits = list(c.commits(repo, None))

    assert {x.sha for x in commits} == {x.sha for x in sim_repo.commits}
    assert sum(x.authored_at is None for x in commits) == 1
    (warning,) = c.warnings
    assert warning.startswith(f"{account.label}: ") and repo.path in warning and "commit " in warning
    assert f"field {field.rsplit('.', 1)[-1]}: unreadable value {BAD_TIME!r}" in warning


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_malformed_timestamp_in_a_fork(rsim, accounts, forge):
    account = accounts[forge]
    repos = collector(account).list_repos(None).repos
    repo = next((r for r in repos if r.forks_count), None)
    if repo is None:
        pytest.skip(f"no forked repository of {account.label}")
    endpoint = "/repos/{owner}/{repo}/forks" if forge == "github" else "/projects/:id/forks"
    rsim.faults.bad_field(field="created_at", value=BAD_TIME, endpoint=endpoint, times=1)
    c = collector(account)

    forks = list(c.forks(repo, None).records)

    assert len(forks) == len(rsim.world.repo(forge, repo.path).forks)
    assert forks[0].created_at is None
    kind = "repository" if forge == "github" else "project"
    assert c.warnings == [
        f"{account.label}: {kind} {repo.path}: fork {forks[0].fork_path}: field created_at: unreadable value {BAD_TIME!r}"
    ]


# -- every message says where ---------------------------------------------------------------


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_exhausted_retries_name_account_and_repository(rsim, accounts, forge):
    account = accounts[forge]
    repo, _ = busy_repo(rsim, account, "commits")
    endpoint = "/repos/{owner}/{repo}/commits" if forge == "github" else "/projects/:id/repository/commits"
    for fault in ("server_error", "cut"):
        rsim.faults.clear()
        getattr(rsim.faults, fault)(endpoint=endpoint)
        _, exc = elapsed(lambda: list(collector(account).commits(repo, None)))
        assert isinstance(exc, TransientFailure), exc
        assert str(exc).startswith(f"{account.label}: commits of {repo.path}: "), str(exc)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_not_found_hint_only_on_the_account_listing(rsim, accounts, forge):
    account = accounts[forge]
    repo, _ = busy_repo(rsim, account, "commits")

    rsim.faults.vanished(repo.path, forge=forge)
    _, gone_repo = elapsed(lambda: list(collector(account).commits(repo, None)))
    rsim.faults.clear()
    rsim.faults.vanished(account.owner, forge=forge)
    _, gone_account = elapsed(lambda: collector(account).list_repos(None))

    assert isinstance(gone_repo, AccountNotFound)
    assert str(gone_repo).startswith(f"{account.label}: commits of {repo.path}: not found")
    assert "removed or renamed" in str(gone_repo) and "registry" not in str(gone_repo)
    assert isinstance(gone_account, AccountNotFound)
    assert str(gone_account).startswith(account.label + ": ")
    assert "check the owner and url of this account in the registry" in str(gone_account)


def test_malformed_values_in_comments_releases_and_members(rsim, accounts):
    github, gitlab = accounts["github"], accounts["gitlab"]
    repo, sim_repo = busy_repo(rsim, github, "releases")
    rsim.faults.bad_field(field="published_at", value=BAD_TIME, endpoint="/repos/{owner}/{repo}/releases", times=1)
    c = collector(github)
    releases = list(c.releases(repo))
    assert len(releases) == len([r for r in sim_repo.releases if not getattr(r, "draft", False)])
    assert f"repository {repo.path}: release {releases[0].tag}: field published_at: unreadable value" in c.warnings[0]

    repo = next(r for r in collector(github).list_repos(None).repos
                if any(c.kind == "comment" for i in rsim.world.repo("github", r.path).items for c in i.comments))
    rsim.faults.bad_field(field="id", value={"x": 1}, endpoint="/repos/{owner}/{repo}/issues/comments", times=1)
    c = collector(github)
    # The walk yields the pull requests' reviews after the comments.
    comments = [x for x in c.comments(repo, None, list(c.items(repo, None, None).records)) if isinstance(x, CommentRecord)]
    expected = sum(x.kind in ("comment", "review_comment") for i in rsim.world.repo("github", repo.path).items for x in i.comments)
    assert len(comments) == expected - 1
    assert c.warnings == [
        f"{github.label}: repository {repo.path}: comment: field id: unreadable value {{'x': 1}}; the record is skipped"
    ]

    rsim.faults.bad_field(field="username", value=7, endpoint="/groups/:id/members", times=1)
    c = collector(gitlab)
    members = list(c.members(None).records)
    assert members, "the other members are still collected"
    assert c.warnings == [f"{gitlab.label}: listing members: member: field username: unreadable value 7; the record is skipped"]
