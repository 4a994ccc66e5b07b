"""Tokens never reach the warehouse, an exception or a process's output, even when a forge
or a proxy echoes them back; tokens that cannot be sent are named before a run starts."""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
from dataclasses import replace

import duckdb
import pytest

from collectors.base import CollectorError, CollectorOptions, make_collector
from collectors.registry import parse_registry
from collectors.secrets import REDACTED, check_tokens, configured_tokens, scrub
from collectors.simulator import ForgeSimulator, World

FAST = CollectorOptions(timeout=10.0, max_rate_wait=1.0, retries=2, backoff=0.01)
PIECE = 9


def _random(n: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


GITHUB_CANARY = "ghp_CANARY" + _random(30)
GITLAB_CANARY = "glpat-CANARY" + _random(20)
OPENCODE_CANARY = "glpat-CANARYOC" + _random(20)
CANARIES = (GITHUB_CANARY, GITLAB_CANARY, OPENCODE_CANARY)


def leaks(text: str) -> list[str]:
    """Every piece of a canary longer than 8 characters found in ``text``."""
    return sorted({
        canary[i : i + PIECE] for canary in CANARIES for i in range(len(canary) - PIECE + 1) if canary[i : i + PIECE] in text
    })


@pytest.fixture
def canaries(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_CANARY)
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_CANARY)
    monkeypatch.setenv("OPENCODE_TOKEN", OPENCODE_CANARY)


@pytest.fixture(scope="module")
def ssim():
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def clean(ssim):
    ssim.faults.clear()
    ssim.reset_budgets()
    yield
    ssim.faults.clear()


def every_text_in(db_path) -> str:
    """Every value of every column of every table, as text (read generically from the catalogue)."""
    parts = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database()"
        ).fetchall()
        assert columns
        for schema, table, column in columns:
            rows = con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{schema}"."{table}"').fetchall()
            parts.extend(value for (value,) in rows if value is not None)
    return "\n".join(parts)


# -- scrub --------------------------------------------------------------------------------


def test_scrub_removes_the_token_and_every_long_piece_of_it():
    token = GITHUB_CANARY
    text = (
        f"whole {token}; prefix {token[:12]}...; suffix ...{token[-10:]}; middle {token[10:19]}; "
        f"short {token[5:13]} stays"
    )

    cleaned = scrub(text, [token])

    assert leaks(cleaned) == []
    assert token[5:13] in cleaned  # 8 characters are no secret
    assert cleaned.count(REDACTED) == 4


def test_scrub_removes_credentials_in_urls_and_headers():
    text = (
        "GET https://user:hunter2secret@git.example.org/api failed; "
        "Authorization: token abcdef123; PRIVATE-TOKEN: glpat-xyz987; {'Authorization': 'Bearer q1w2e3'}"
    )

    cleaned = scrub(text, [])

    for secret in ("hunter2secret", "abcdef123", "glpat-xyz987", "q1w2e3", "user:"):
        assert secret not in cleaned
    assert "https://[redacted]@git.example.org/api" in cleaned
    assert "Authorization: [redacted]" in cleaned and "PRIVATE-TOKEN: [redacted]" in cleaned
    assert scrub(cleaned, []) == cleaned  # scrubbing twice (collector, then warehouse) changes nothing more


def test_scrub_removes_tokens_in_the_forges_formats_and_private_keys_held_in_no_variable():
    # A GitHub App's installation token is fetched during the run; its private key signs the request.
    installation = "ghs_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    pat = "glpat-" + "x7Yz_9aBcDeFgHiJkLmN"
    fine_grained = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnop"
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
    text = f"echoed {installation}, {pat} and {fine_grained}; key {key} end"
    cleaned = scrub(text, [])
    for secret in (installation, pat, fine_grained, "MIIEpAIBAAKCAQEA7"):
        assert secret not in cleaned
    assert cleaned == f"echoed {REDACTED}, {REDACTED} and {REDACTED}; key {REDACTED} end"
    # A cut-off key (a message clipped in its middle) goes to the end of the text.
    assert scrub("key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN", []) == f"key {REDACTED}"
    # Words that merely start like a prefix stay.
    assert scrub("ghost_town glpat- gho_short", []) == "ghost_town glpat- gho_short"


def test_scrub_leaves_ordinary_text_alone():
    text = "gitlab:stadt-x: project stadt-x/app: issue #12: field created_at: unreadable value '2013'"
    assert scrub(text, [GITHUB_CANARY, GITLAB_CANARY]) == text


def test_scrub_on_a_long_text_with_many_matches():
    token = GITLAB_CANARY
    text = ("x" * 997 + token[3:15]) * 200

    cleaned = scrub(text, [token, GITHUB_CANARY])

    assert leaks(cleaned) == []
    assert cleaned.count(REDACTED) == 200


# -- tokens that cannot be sent ------------------------------------------------------------


@pytest.mark.parametrize(("value", "hint"), [("ghp_abc\ndef0123456789", "line break"), ("glpat-grün0123456789", "non-ASCII")])
def test_check_tokens_names_only_the_variable(monkeypatch, ssim, value, hint):
    registry = parse_registry(ssim.registry_toml(), "check.toml")
    accounts = [a for e in registry.entities for a in e.accounts]
    monkeypatch.setenv("GITHUB_TOKEN", value)
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-fine0123456789")

    problems = check_tokens(accounts)

    assert len(problems) == 1
    (problem,) = problems
    assert problem.startswith("GITHUB_TOKEN holds a character that cannot be sent in an HTTP header (")
    assert hint in problem and problem.endswith("; set it again without it")
    assert not any(value[i : i + 5] in problem for i in range(len(value) - 4))


def test_configured_tokens_reads_every_variable_in_use(monkeypatch, ssim):
    registry = parse_registry(ssim.registry_toml(), "check.toml")
    accounts = [a for e in registry.entities for a in e.accounts]
    monkeypatch.setenv("GITHUB_TOKEN", " ghp_padded0123456789 ")
    monkeypatch.setenv("GITLAB_TOKEN", "")
    monkeypatch.delenv("OPENCODE_TOKEN", raising=False)

    tokens = configured_tokens(accounts)

    assert tokens == [" ghp_padded0123456789 ", "ghp_padded0123456789"]


# -- collections against a forge that echoes the token ------------------------------------------


def _accounts(sim):
    registry = parse_registry(sim.registry_toml(), "secrets.toml")
    return registry, [a for e in registry.entities for a in e.accounts]


@pytest.mark.parametrize("status", [401, 403, 500, 502])
def test_collector_errors_carry_no_token(canaries, ssim, status):
    _, accounts = _accounts(ssim)
    messages = []
    for forge in ("github", "gitlab", "opencode"):
        account = next(a for a in accounts if a.forge == forge)
        ssim.faults.reflect(status=status, forge=forge, times=1 if status < 500 else None)
        with pytest.raises(CollectorError) as caught:
            make_collector(account, FAST).list_repos(None)
        messages.append(str(caught.value))
        ssim.faults.clear()

    assert leaks("\n".join(messages)) == []
    assert all(m.startswith(("github:", "gitlab:", "opencode:")) for m in messages)
    if status in (401, 403):
        assert all("access denied" in m and REDACTED in m for m in messages), messages


def test_a_refused_url_with_credentials_names_no_credentials(canaries):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    _, accounts = _accounts_offline()
    for account in accounts:
        url = f"http://user:{GITLAB_CANARY}@127.0.0.1:{port}/" + ("github/api/v3" if account.forge == "github" else account.forge)
        with pytest.raises(CollectorError) as caught:
            make_collector(replace(account, url=url), FAST).list_repos(None)
        assert leaks(str(caught.value)) == [], str(caught.value)
        assert f"127.0.0.1:{port}" in str(caught.value)


def _accounts_offline():
    world = World(seed=7, activity_scale=0.15)
    registry = parse_registry(world.registry_toml("http://127.0.0.1:9"), "offline.toml")
    seen = {}
    for entity in registry.entities:
        for account in entity.accounts:
            seen.setdefault(account.forge, account)
    return registry, list(seen.values())


def test_collection_with_echoed_tokens_stores_none(canaries, ssim, tmp_path):
    from warehouse.pipeline import collect

    registry, _ = _accounts(ssim)
    ssim.faults.reflect(status=401, forge="github", times=2)
    ssim.faults.reflect(status=403, forge="gitlab", times=2)
    ssim.faults.reflect(status=502, forge="opencode", endpoint="/projects/:id/repository/commits", times=4)
    ssim.faults.reflect(status=403, forge="github", endpoint="/repos/{owner}/{repo}/commits", times=2)
    db = tmp_path / "secrets.duckdb"

    summary = collect(registry, db, options=FAST)

    stored = every_text_in(db)
    assert leaks(stored) == []
    assert leaks(repr(summary)) == []
    assert REDACTED in stored  # the echoed tokens did reach the run log, scrubbed
    assert ssim.faults.fired["reflect"] >= 6


def test_ossdash_collect_prints_and_stores_no_token(ssim, tmp_path):
    registry_file = tmp_path / "cities.toml"
    registry_file.write_text(ssim.registry_toml(), encoding="utf-8")
    db = tmp_path / "ossdash.duckdb"
    ssim.faults.reflect(status=401, forge="github")
    ssim.faults.reflect(status=403, forge="gitlab")
    ssim.faults.reflect(status=401, forge="opencode", times=1)
    env = {**os.environ, "GITHUB_TOKEN": GITHUB_CANARY, "GITLAB_TOKEN": GITLAB_CANARY, "OPENCODE_TOKEN": OPENCODE_CANARY}
    bad_url = tmp_path / "credentials.toml"
    bad_url.write_text(
        ssim.registry_toml().replace(ssim.base_url, ssim.base_url.replace("http://", f"http://user:{GITHUB_CANARY}@"), 1),
        encoding="utf-8",
    )

    runs = [
        subprocess.run(
            [sys.executable, "-m", "dashboard.cli", "collect", "--config", str(path), "--db", str(db),
             "--timeout", "10", "--max-rate-wait", "1"],
            check=False, capture_output=True, text=True, timeout=300, env=env, stdin=subprocess.DEVNULL,
        )
        for path in (registry_file, bad_url)
    ]

    for run in runs:
        assert leaks(run.stdout + run.stderr) == [], run.stdout + run.stderr
        assert "Traceback" not in run.stderr
    first = runs[0].stdout + runs[0].stderr
    assert "access denied" in first and REDACTED in first  # the echoed tokens reached the output, scrubbed
    assert runs[1].returncode != 0  # a url with credentials is refused by validation
    assert ssim.faults.fired["reflect"] > 0
    assert leaks(every_text_in(db)) == []


def test_a_token_that_cannot_be_sent_is_not_quoted_by_the_error(monkeypatch, ssim):
    _, accounts = _accounts(ssim)
    broken = GITHUB_CANARY[:14] + "\n" + GITHUB_CANARY[14:]
    messages = []
    for forge, variable in (("github", "GITHUB_TOKEN"), ("gitlab", "GITLAB_TOKEN")):
        monkeypatch.setenv(variable, broken)
        with pytest.raises(CollectorError) as caught:
            make_collector(next(a for a in accounts if a.forge == forge), FAST).list_repos(None)
        messages.append(str(caught.value))

    assert leaks("\n".join(messages)) == [], messages
    assert all(REDACTED in m for m in messages)


def test_pages_and_reports_show_no_token(canaries, ssim, tmp_path, monkeypatch):
    """After a collection whose forge echoed every token: the status page (where errors are
    shown), every other page and the council report, in both languages, hold none of it."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from dashboard import report
    from warehouse.pipeline import collect
    from warehouse.reader import cursor, open_readonly

    registry, _ = _accounts(ssim)
    ssim.faults.reflect(status=401, forge="github", times=2)
    ssim.faults.reflect(status=502, forge="gitlab", times=4)
    db = tmp_path / "secrets.duckdb"
    collect(registry, db, options=FAST)
    monkeypatch.setenv("OSSDASH_DB", str(db))
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    shown = []
    for page in ("views/status.py", "views/overview.py", "views/attention.py"):
        for lang in ("en", "de"):
            at = AppTest.from_file(str(app), default_timeout=60)
            at.query_params["lang"] = lang
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
            shown.append(repr(at))
            shown.extend(d.value.to_csv() for d in at.dataframe)
    con = open_readonly(db)
    try:
        cur = cursor(con)
        for lang in ("en", "de"):
            built = report.build_report(cur, registry.entities[0].id, lang)
            shown.append(report.render_html(built))
            shown.append(bytes(report.render_pdf(built)).decode("latin-1"))
    finally:
        con.close()
    assert "[redacted]" in "\n".join(shown)  # the echoed errors are on the status page, scrubbed
    assert leaks("\n".join(shown)) == []
