"""The ossdash command line, run as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path

import duckdb
import pytest

from collectors.simulator import World

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["demo", "collect", "serve", "validate", "simulate", "report", "status", "export", "alerts"]


def ossdash(*args: str, cwd: Path | None = None, timeout: float = 180, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # the exit code is what the tests look at
        [sys.executable, "-m", "dashboard.cli", *args], check=False,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_console_script_is_installed_as_ossdash():
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("ossdash") == "dashboard.cli:main"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = ossdash(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: " in result.stdout and command in result.stdout


def test_top_level_help_lists_every_command_and_exit_codes():
    result = ossdash("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
    assert "Exit codes" in result.stdout


def test_validate_accepts_the_shipped_registry():
    result = ossdash("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cities.toml: OK")


def test_validate_reports_file_entity_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[entity]]\nid = "x"\nname = "X"\ncountry = "DE"\narchetype = "city"\n'
        '  [[entity.account]]\n  forge = "sourceforge"\n  owner = "x"\n'
    )
    result = ossdash("validate", str(bad))
    assert result.returncode == 2
    assert f"{bad}: entity 'x': field 'archetype'" in result.stderr
    assert "field 'forge'" in result.stderr and "sourceforge" in result.stderr


def test_validate_names_the_line_of_malformed_toml(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('[[entity]]\nid = "x"\nname = "unterminated\n')
    result = ossdash("validate", str(bad))
    assert result.returncode == 2
    assert "malformed TOML" in result.stderr and "line 3" in result.stderr


def test_demo_without_serving_matches_the_ground_truth(tmp_path):
    truth = World(seed=7).truth()
    db = tmp_path / "demo.duckdb"

    result = ossdash("demo", "--no-serve", "--db", str(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    commits = sum(len(c) for c in truth["commits"].values())
    assert f"repositories: {len(truth['repos'])} (simulator: {len(truth['repos'])})" in result.stdout
    assert f"commits:      {commits} (simulator: {commits})" in result.stdout
    assert "ground truth: matched" in result.stdout
    world = World(seed=7)
    items = sum(len(r.items) for r in world.repos)
    assert f"issues, PRs:  {items} (simulator: {items})" in result.stdout
    # Progress went to stderr, one line per account.
    assert result.stderr.count("repos listed") == 10
    # It ends with the commands to look at the result, and the report's works as printed.
    assert f"  ossdash serve --db {db}" in result.stdout
    report_line = next(line.strip() for line in result.stdout.splitlines() if "ossdash report" in line)
    report = ossdash(*report_line.split()[1:], "--output", str(tmp_path / "r.pdf"), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF") and "goal" in report.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM commits").fetchone()[0] == commits


def test_collect_exit_codes_and_the_token_is_never_printed_or_stored(sim, registry_path, tmp_path):
    db = tmp_path / "c.duckdb"
    secret = "fake-token-for-tests-only-0123"
    ok = ossdash("collect", "--config", str(registry_path), "--db", str(db),
                 env={"GITHUB_TOKEN": secret, "GITLAB_TOKEN": secret, "OPENCODE_TOKEN": secret})
    assert ok.returncode == 0, ok.stderr
    assert "run 1 ok" in ok.stderr
    assert secret not in ok.stdout + ok.stderr
    assert secret.encode() not in db.read_bytes()

    ghost = tmp_path / "ghost.toml"
    ghost.write_text(
        registry_path.read_text()
        + f'\n[[entity]]\nid = "ghost"\nname = "Gone"\ncountry = "DE"\narchetype = "local"\n'
        f'  [[entity.account]]\n  forge = "github"\n  owner = "no-such-org"\n  url = "{sim.url("github")}"\n'
    )
    partial = ossdash("collect", "--config", str(ghost), "--db", str(db))
    assert partial.returncode == 1
    assert "github:no-such-org" in partial.stderr and "not found" in partial.stderr

    missing = ossdash("collect", "--config", str(tmp_path / "nope.toml"), "--db", str(db))
    assert missing.returncode == 2
    assert "file not found" in missing.stderr


def test_serve_starts_streamlit_and_stops_on_terminate(demo_db):
    db, _ = demo_db  # the dashboard only reads it
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        healthy = False
        while time.monotonic() < deadline and not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    healthy = r.status == 200
            except OSError:
                time.sleep(0.5)
        assert healthy, "the dashboard did not come up"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out


def test_serve_on_a_busy_port_says_so_before_printing_a_url(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ossdash("serve", "--db", str(tmp_path / "x.duckdb"), "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "http://" not in result.stdout and "Traceback" not in result.stderr


def test_simulate_serves_the_apis_and_writes_a_registry(tmp_path):
    import json
    import re

    registry = tmp_path / "sim.toml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "simulate", "--port", "0", "--registry-out", str(registry)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL,
    )
    try:
        first = proc.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", first).group(0)
        with urllib.request.urlopen(f"{base}/_sim/truth", timeout=5) as r:
            truth = json.load(r)
        assert len(truth["repos"]) == len(World(seed=7).truth()["repos"])
        with urllib.request.urlopen(f"{base}/github/api/v3/orgs/stadt-neustadt/repos?per_page=2", timeout=5) as r:
            assert len(json.load(r)) == 2
            assert 'rel="next"' in r.headers["Link"]
        deadline = time.monotonic() + 10
        while not registry.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ossdash("validate", str(registry)).returncode == 0
        assert base in registry.read_text()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_the_demo_registry_gives_council_goals_that_validate(sim):
    from collectors.registry import parse_registry

    registry = parse_registry(sim.registry_toml(goals=True), "<demo registry>")
    with_goals = {e.id: [g.metric for g in e.goals] for e in registry.entities if e.goals}
    archetypes = {e.id: e.archetype for e in sim.world.entities}
    assert with_goals and all(archetypes[i] in sim.world.DEMO_GOALS for i in with_goals)
    assert {m for ms in with_goals.values() for m in ms} >= {"osi_licence_share", "median_first_response_hours"}
    # The tests' own registry stays without goals.
    assert not any(e.goals for e in parse_registry(sim.registry_toml(), "<tests>").entities)
