"""The cost summary before a collection: a true lower bound, checked against real collections."""

from __future__ import annotations

import os
import subprocess
import sys

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth

from collectors.github import (
    APP_ID_ENV,
    APP_INSTALLATION_ENV,
    APP_KEY_FILE_ENV,
    app_auth_problems,
    app_installation_auth,
)
from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from warehouse.budget import estimate_collection, render
from warehouse.pipeline import collect

# The simulator's small world needs 1.5 times the estimate on a first collection (489 of 327);
# the bound allows for other seeds' busier repositories.
FIRST_FACTOR = 2.5
ESTIMATE_ENDPOINTS = {
    "github GET /rate_limit", "github GET /orgs/{login}/repos", "github GET /users/{login}/repos",
    "gitlab GET /groups/:id/projects", "opencode GET /groups/:id/projects",
}


@pytest.fixture
def small_sim():
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as simulator:
        yield simulator


@pytest.fixture
def small_registry(small_sim, tmp_path):
    path = tmp_path / "simulator.toml"
    path.write_text(small_sim.registry_toml(), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_app(monkeypatch):
    for name in (APP_ID_ENV, APP_KEY_FILE_ENV, APP_INSTALLATION_ENV):
        monkeypatch.delenv(name, raising=False)


def test_estimate_is_a_lower_bound_of_first_and_incremental_collections(small_sim, small_registry, tmp_path):
    registry = load_registry(small_registry)
    db = tmp_path / "ossdash.duckdb"
    first = estimate_collection(registry, db)
    assert not db.exists()
    assert small_sim.total_requests() == first.estimate_requests <= 2 * len(registry.accounts)
    assert set(small_sim.requests) <= ESTIMATE_ENDPOINTS
    assert not any(a.collected or a.error for a in first.accounts)

    small_sim.reset_counters()
    summary = collect(registry, db)
    assert summary.status == "ok"
    real = {a.label: a for a in summary.accounts}
    for cost in first.accounts:
        assert cost.requests <= real[cost.account.label].requests, cost.account.label
        assert cost.repos <= real[cost.account.label].repos_seen, cost.account.label
    assert first.requests <= summary.requests <= FIRST_FACTOR * first.requests

    # Collected before: unchanged listings answer 304 to the estimate too.
    small_sim.reset_counters()
    again = estimate_collection(registry, db)
    assert all(a.collected for a in again.accounts)
    assert small_sim.total_not_modified() >= len(registry.accounts)
    small_sim.reset_counters()
    second = collect(registry, db)
    real = {a.label: a.requests for a in second.accounts}
    for cost in again.accounts:
        assert cost.requests <= real[cost.account.label], cost.account.label
    # An unchanged re-collection is listing plus probes, which is what the estimate counts.
    assert again.requests <= second.requests <= 1.2 * again.requests


def test_budget_left_per_token_is_reported_and_a_short_budget_is_flagged(tmp_path):
    with ForgeSimulator(World(seed=7, activity_scale=0.15), rate_limit=60) as sim:
        path = tmp_path / "simulator.toml"
        path.write_text(sim.registry_toml(), encoding="utf-8")
        report = estimate_collection(load_registry(path), tmp_path / "none.duckdb")
    github = next(t for t in report.tokens if t.variable == "GITHUB_TOKEN")
    assert github.rate_limit == 60
    assert 0 < github.rate_remaining < 60  # the simulator counts the estimate's own requests
    assert github.short  # six GitHub accounts need more than 60 requests
    lines = render(report)
    assert any("GITHUB_TOKEN" in line and "more than is left" in line for line in lines)


def _ossdash(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "dashboard.cli", *args], check=False, capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)


def test_dry_run_prints_the_cost_and_collects_nothing(small_sim, small_registry, tmp_path):
    db = tmp_path / "ossdash.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSDASH_GITHUB_APP")}
    done = _ossdash("collect", "--config", str(small_registry), "--db", str(db), "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert "budget: 10 accounts (10 first collections, 0 incremental)" in done.stderr
    assert "GITHUB_TOKEN on" in done.stderr and "of 5000 left" in done.stderr
    assert "repositories listed" not in done.stderr  # no collection summary: nothing ran
    assert not list(tmp_path.glob("ossdash.duckdb*"))
    assert set(small_sim.requests) <= ESTIMATE_ENDPOINTS
    assert small_sim.total_requests() <= 2 * 10


def _private_key_pem() -> tuple[str, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode(), key


def test_github_app_installation_auth_is_built_from_the_environment(monkeypatch, tmp_path):
    assert app_installation_auth() is None  # nothing set: tokens as before
    pem, key = _private_key_pem()
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem)
    monkeypatch.setenv(APP_ID_ENV, "12345")
    monkeypatch.setenv(APP_KEY_FILE_ENV, str(key_file))
    monkeypatch.setenv(APP_INSTALLATION_ENV, "678")
    auth = app_installation_auth()
    assert isinstance(auth, Auth.AppInstallationAuth)
    assert str(auth.app_id) == "12345" and auth.installation_id == 678
    # The JWT PyGithub exchanges for an installation token is signed with the key from the file.
    claims = jwt.decode(auth._app_auth.create_jwt(), key.public_key(), algorithms=["RS256"])
    assert claims["iss"] == "12345"
    assert app_auth_problems() == []


@pytest.mark.parametrize("case", ["missing_variable", "unreadable_file", "not_a_key", "bad_id"])
def test_an_unusable_app_configuration_names_the_variable(case, monkeypatch, tmp_path):
    secret = "-----SECRET-MATERIAL-abcdef0123456789-----"
    key_file = tmp_path / "app.pem"
    key_file.write_text(secret)
    values = {APP_ID_ENV: "12345", APP_KEY_FILE_ENV: str(key_file), APP_INSTALLATION_ENV: "678"}
    expected = APP_KEY_FILE_ENV
    if case == "missing_variable":
        del values[APP_INSTALLATION_ENV]
        expected = APP_INSTALLATION_ENV
    elif case == "unreadable_file":
        values[APP_KEY_FILE_ENV] = str(tmp_path / "missing.pem")
    elif case == "bad_id":
        values[APP_ID_ENV] = "my-app"
        expected = APP_ID_ENV
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    problems = app_auth_problems()
    assert len(problems) == 1 and expected in problems[0] and secret not in problems[0]


def test_collect_exits_2_on_an_unreadable_app_key_without_a_request(small_sim, small_registry, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    env.update({APP_ID_ENV: "12345", APP_KEY_FILE_ENV: str(tmp_path), APP_INSTALLATION_ENV: "678"})
    done = _ossdash("collect", "--config", str(small_registry), "--db", str(tmp_path / "x.duckdb"), env=env)
    assert done.returncode == 2, done.stderr
    assert APP_KEY_FILE_ENV in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert small_sim.total_requests() == 0


def test_github_accounts_without_a_token_use_the_app_installation(monkeypatch, tmp_path, small_sim, small_registry):
    from collectors.github import GitHubCollector

    pem, _ = _private_key_pem()
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem)
    monkeypatch.setenv(APP_ID_ENV, "12345")
    monkeypatch.setenv(APP_KEY_FILE_ENV, str(key_file))
    monkeypatch.setenv(APP_INSTALLATION_ENV, "678")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    registry = load_registry(small_registry)
    account = next(a for a in registry.accounts if a.forge == "github")
    collector = GitHubCollector(account)
    try:
        assert isinstance(collector.gh.requester.auth, Auth.AppInstallationAuth)
    finally:
        collector.close()
    from warehouse.budget import token_variable

    assert APP_INSTALLATION_ENV in token_variable(account)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_personal")
    collector = GitHubCollector(account)
    try:
        assert isinstance(collector.gh.requester.auth, Auth.Token)  # a token set for the account wins
    finally:
        collector.close()
    assert token_variable(account) == "GITHUB_TOKEN"


def test_an_unreachable_host_is_asked_once_and_its_other_accounts_are_skipped(tmp_path):
    from collectors.base import CollectorOptions

    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        path = tmp_path / "simulator.toml"
        path.write_text(sim.registry_toml(), encoding="utf-8")
    registry = load_registry(path)  # the simulator has stopped: its port refuses connections
    report = estimate_collection(registry, tmp_path / "none.duckdb", options=CollectorOptions(timeout=2, retries=1))
    assert all(cost.error for cost in report.accounts)
    asked = [cost for cost in report.accounts if "not asked" not in cost.error]
    assert len(asked) == len({a.host for a in registry.accounts}) == 3
    assert report.requests == 0


def test_collect_prints_the_cost_before_collecting(small_sim, small_registry, tmp_path):
    db = tmp_path / "ossdash.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSDASH_GITHUB_APP")}
    done = _ossdash("collect", "--config", str(small_registry), "--db", str(db), env=env)
    assert done.returncode == 0, done.stderr
    budget = done.stderr.index("budget: 10 accounts")
    assert budget < done.stderr.index("repositories listed")
    assert db.is_file()
