"""``ossdash status`` run for real on collected warehouses: healthy, with a failing account, while a
collection runs, after a collection was killed, and on a database that is not current."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from collectors.simulator import ForgeSimulator, World
from warehouse.lock import marker_path

CLI = [sys.executable, "-m", "dashboard.cli"]
EXIT_OK, EXIT_STALE, EXIT_BAD_INPUT, EXIT_INTEGRITY = 0, 1, 2, 5


def _status(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "status", "--db", str(db), *args], check=False, capture_output=True, text=True,
                          timeout=60)


def _json(db: Path, *args: str) -> tuple[int, dict]:
    done = _status(db, "--json", *args)
    return done.returncode, json.loads(done.stdout)


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}


def _collect(registry: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "collect", "--config", str(registry), "--db", str(db), "--timeout", "5",
                             "--max-rate-wait", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_a_healthy_collection_reports_every_account_fresh_and_exits_0(demo_db):
    db, _world = demo_db
    done = _status(db)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert "integrity: ok" in done.stdout and "last publish complete" in done.stdout
    assert "run 1 ok" in done.stdout and "STALE" not in done.stdout

    code, report = _json(db, "--max-age", "24")
    assert code == EXIT_OK and report["stale"] == []
    with duckdb.connect(str(db), read_only=True) as con:
        accounts = set(con.execute("SELECT forge, host, owner FROM accounts").fetchall())
        budget = {(f, h): r for f, h, r in con.execute(
            "SELECT forge, host, min(rate_remaining) FROM run_accounts GROUP BY ALL").fetchall()}
    assert {(a["forge"], a["host"], a["owner"]) for a in report["accounts"]} == accounts
    assert all(a["last_status"] == "ok" and a["age_hours"] < 24 for a in report["accounts"])
    assert {(b["forge"], b["host"]): b["remaining"] for b in report["rate_budget"]} == budget
    assert len(report["rate_budget"]) == 3 and all(b["limit"] == 5000 for b in report["rate_budget"])
    assert report["integrity"] == {"opens": True, "schema_version": report["integrity"]["expected_version"],
                                   "expected_version": report["integrity"]["expected_version"],
                                   "last_publish_complete": True, "problems": [], "ok": True}
    assert [r["status"] for r in report["runs"]] == ["ok"] and report["running"] is None


def test_max_age_makes_a_monitor_fail_on_accounts_older_than_the_limit(demo_db):
    db, _world = demo_db
    code, report = _json(db, "--max-age", "0.000001")
    assert code == EXIT_STALE
    assert len(report["stale"]) == len(report["accounts"]) > 0
    text = _status(db, "--max-age", "0.000001")
    assert text.returncode == EXIT_STALE and text.stdout.count("STALE") == len(report["accounts"])
    for bad in ("0", "-1", "soon"):
        assert _status(db, "--max-age", bad).returncode == EXIT_BAD_INPUT, bad


@pytest.fixture(scope="module")
def failing_db(tmp_path_factory):
    """Two runs; an extra account names an organisation that the forge does not have."""
    folder = tmp_path_factory.mktemp("failing")
    db = folder / "w.duckdb"
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        registry = folder / "sim.toml"
        registry.write_text(sim.registry_toml() + (
            '\n[[entity]]\nid = "ghosttown"\nname = "Ghost Town"\ncountry = "DE"\narchetype = "local"\n\n'
            f'  [[entity.account]]\n  forge = "github"\n  owner = "no-such-org"\n  url = "{sim.url("github")}"\n'),
            encoding="utf-8")
        for _ in range(2):
            run = _collect(registry, db)
            _out, err = run.communicate(timeout=120)
            assert run.returncode == 1, err
    return db


def test_a_failing_account_is_shown_with_its_error_and_never_fresh(failing_db):
    assert _status(failing_db).returncode == EXIT_OK, "without --max-age only integrity decides"
    code, report = _json(failing_db, "--max-age", "24")
    assert code == EXIT_STALE
    ghost = [a for a in report["accounts"] if a["owner"] == "no-such-org"]
    assert len(ghost) == 1 and ghost[0]["last_status"] == "failed" and ghost[0]["age_hours"] is None
    assert "no-such-org" in ghost[0]["last_error"]
    assert report["stale"] == [f"github {ghost[0]['host']} no-such-org"]
    assert [r["status"] for r in report["runs"]] == ["partial", "partial"]
    messages = report["runs"][0]["messages"]
    assert [m["owner"] for m in messages if m["severity"] == "error"] == ["no-such-org"]
    text = _status(failing_db, "--max-age", "24", "--runs", "1").stdout
    assert "STALE github" in text and "last success never, age never" in text and "run 2 partial" in text
    assert "run 1 " not in text and "error [" in text


def test_a_running_collection_is_shown_and_a_killed_one_is_an_integrity_problem(tmp_path):
    # First run: nothing published yet; second run: shown while it runs, then killed; third: logs it.
    db = tmp_path / "w.duckdb"
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        registry = tmp_path / "sim.toml"
        registry.write_text(sim.registry_toml(), encoding="utf-8")
        slow = sim.faults.slow(delay=0.3, endpoint="/repos/{owner}/{repo}/commits", times=None)
        first = _collect(registry, db)
        try:
            _wait_for(lambda: marker_path(db).exists())
            early = _status(db)
            assert early.returncode == EXIT_BAD_INPUT
            assert "the first collection is running now (run 1 since" in early.stderr
        finally:
            sim.faults.remove(slow)
            assert first.wait(timeout=120) == 0
        # Slow enough that the run is still collecting when it is killed, on a loaded machine too.
        sim.faults.slow(delay=1.0, endpoint="/repos/{owner}/{repo}/commits", times=None)
        sim.world.advance(1)
        for repo in [r for r in sim.world.repos if r.commits and not r.archived][:4]:
            sim.world.add_commits(repo.forge, repo.path, 2)
        victim = _collect(registry, db)
        try:
            _wait_for(lambda: marker_path(db).exists())
            code, report = _json(db)
            assert code == EXIT_OK and report["running"]["run_id"] == 2
            assert report["running"]["pid"] == victim.pid
            assert "a collection is running now (run 2 since" in _status(db).stdout
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
        code, report = _json(db)
        assert code == EXIT_INTEGRITY and report["running"] is None
        assert report["integrity"]["last_publish_complete"] is False
        assert "ended without publishing" in report["integrity"]["problems"][0]
        assert "last publish INCOMPLETE" in _status(db).stdout

        sim.faults.clear()
        rerun = _collect(registry, db)
        assert rerun.wait(timeout=120) == 0
    code, report = _json(db)
    assert code == EXIT_OK
    assert [r["status"] for r in report["runs"]] == ["ok", "interrupted", "ok"]
    assert "killed" in report["runs"][1]["note"]


def test_an_old_schema_version_is_an_integrity_problem(demo_db, tmp_path):
    db = tmp_path / "old.duckdb"
    shutil.copyfile(demo_db[0], db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
    done = _status(db)
    assert done.returncode == EXIT_INTEGRITY
    assert "is older than this ossdash's" in done.stdout and "integrity: PROBLEM" in done.stdout


def test_no_warehouse_or_a_file_that_is_none_is_bad_input(tmp_path):
    missing = _status(tmp_path / "none.duckdb")
    assert missing.returncode == EXIT_BAD_INPUT and missing.stdout == ""
    assert missing.stderr.count("\n") == 1 and "ossdash collect" in missing.stderr
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database", encoding="utf-8")
    code, report = _json(text)
    assert code == EXIT_BAD_INPUT and "cannot open" in report["error"]
    assert "Traceback" not in _status(text).stderr


def test_help_documents_the_exit_codes():
    done = subprocess.run([*CLI, "status", "--help"], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for words in ("--max-age", "--json", "Exit codes: 0", "1 with", "2 no warehouse", "5 integrity"):
        assert words in " ".join(done.stdout.split()), words
