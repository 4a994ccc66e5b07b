"""Real `ossdash collect` processes: one collection per database, signals, a full disk, a
read-only folder and bad tokens each end with one clear message, the documented exit code,
a truthful run log and the last published snapshot intact."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from warehouse.budget import token_variable
from warehouse.lanes import lanes
from warehouse.lock import marker_path

CLI = [sys.executable, "-m", "dashboard.cli"]
EXIT_BAD_INPUT, EXIT_BUSY, EXIT_STORAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 2, 3, 4, 130, 143


@pytest.fixture
def slow_sim():
    """A small world whose every commit listing takes a while, so a run can be caught in the middle."""
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        yield sim


def _registry(sim, tmp_path) -> Path:
    path = tmp_path / "sim.toml"
    path.write_text(sim.registry_toml(), encoding="utf-8")
    return path


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(extra)
    return env


def _start(registry: Path, db: Path, *args, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "collect", "--config", str(registry), "--db", str(db), "--timeout", "5", "--max-rate-wait", "2", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or _env(),
    )


def _run(registry: Path, db: Path, *args, env=None, timeout=120) -> subprocess.CompletedProcess:
    process = _start(registry, db, *args, env=env)
    out, err = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _runs(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT run_id, status, finished_at IS NOT NULL, note FROM runs ORDER BY run_id").fetchall()


def _leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name + ".work"))


def test_a_second_collection_on_the_same_database_is_refused_and_nothing_is_lost(slow_sim, tmp_path):
    registry, db = _registry(slow_sim, tmp_path), tmp_path / "w.duckdb"
    slow_sim.faults.slow(delay=0.15, endpoint="/repos/{owner}/{repo}/commits", times=None)
    first = _start(registry, db)
    try:
        _wait_for(lambda: marker_path(db).exists())

        second = _run(registry, db, timeout=60)

        assert second.returncode == EXIT_BUSY, second.stderr
        assert "another collection is writing" in second.stderr and "Traceback" not in second.stderr
        assert "budget:" not in second.stderr, "refused before its cost estimate spent any request"
        _, err = first.communicate(timeout=180)
    finally:
        first.kill()
    assert first.returncode == 0, err
    # The refused run touched nothing: one run logged, every commit of the world stored once.
    assert [r[1] for r in _runs(db)] == ["ok"]
    truth = slow_sim.world.truth()["commits"]
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT count(*), count(DISTINCT (forge, repo_path, sha)) FROM commits").fetchone()
    assert stored == (sum(len(c) for c in truth.values()),) * 2
    assert not marker_path(db).exists() and _leftovers(db) == []


def test_a_killed_collector_leaves_no_lock_and_is_logged_by_the_next_run(slow_sim, tmp_path):
    registry, db = _registry(slow_sim, tmp_path), tmp_path / "w.duckdb"
    assert _run(registry, db).returncode == 0
    published = _digest(db)
    slow_sim.world.advance(1)
    for repo in [r for r in slow_sim.world.repos if r.commits and not r.archived][:6]:
        slow_sim.world.add_commits(repo.forge, repo.path, 2)
    slow_sim.faults.slow(delay=0.3, endpoint="/repos/{owner}/{repo}/commits", times=None)
    victim = _start(registry, db)
    _wait_for(lambda: marker_path(db).exists())
    _wait_for(lambda: slow_sim.requests["github GET /repos/{owner}/{repo}/commits"] > 0)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    assert _digest(db) == published, "the published snapshot is untouched by a killed run"
    slow_sim.faults.clear()

    rerun = _run(registry, db)

    assert rerun.returncode == 0, rerun.stderr
    runs = _runs(db)
    assert [r[1] for r in runs] == ["ok", "interrupted", "ok"]
    assert runs[1][2] is False and "killed" in runs[1][3]
    assert not marker_path(db).exists() and _leftovers(db) == []


def test_sigterm_stops_the_run_publishes_what_was_finished_and_logs_it_interrupted(slow_sim, tmp_path):
    registry, db = _registry(slow_sim, tmp_path), tmp_path / "w.duckdb"
    slow_sim.faults.slow(delay=0.2, endpoint="/repos/{owner}/{repo}/commits", times=None)
    process = _start(registry, db)
    _wait_for(lambda: slow_sim.requests["github GET /repos/{owner}/{repo}/commits"] >= 2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)

    assert process.returncode == EXIT_TERMINATED, err
    assert "Traceback" not in err and "interrupted" in err
    (run,) = _runs(db)
    assert run[1] == "interrupted" and run[2] is True
    with duckdb.connect(str(db), read_only=True) as con:
        status = {(f, h, o): s for f, h, o, s in con.execute("SELECT forge, host, owner, status FROM run_accounts").fetchall()}
    assert "interrupted" in status.values()
    assert len(status) == len(slow_sim.world.accounts), "every account has a row, reached or not"
    # Within each host's lane (its accounts one after another) nothing finished after the stop.
    accounts = load_registry(registry).accounts
    for lane in lanes(accounts, lambda a: (a.host, token_variable(a))):
        statuses = [status[(a.forge, a.host, a.owner)] for _, a in lane]
        stopped = next((i for i, s in enumerate(statuses) if s in ("interrupted", "not_reached")), len(statuses))
        assert set(statuses[stopped:]) <= {"interrupted", "not_reached"}, statuses
    # The next run completes it.
    slow_sim.faults.clear()
    assert _run(registry, db).returncode == 0


@pytest.mark.parametrize("token", ["ghp_SECRETPART1\nSECRETPART2", "ghp_SECRETP\u00c4RT3"])
def test_a_token_that_cannot_be_sent_is_refused_up_front_naming_only_the_variable(slow_sim, tmp_path, token):
    registry, db = _registry(slow_sim, tmp_path), tmp_path / "w.duckdb"

    result = _run(registry, db, env=_env(GITHUB_TOKEN=token))

    assert result.returncode == EXIT_BAD_INPUT
    assert "GITHUB_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert "SECRETP" not in result.stderr + result.stdout
    assert not db.exists() and slow_sim.total_requests() == 0


@pytest.mark.parametrize("since", ["0001-01-01", "2999-01-01"])
def test_a_history_horizon_outside_1970_to_today_is_bad_input(slow_sim, tmp_path, since):
    registry, db = _registry(slow_sim, tmp_path), tmp_path / "w.duckdb"
    result = _run(registry, db, "--since", since)
    assert result.returncode == EXIT_BAD_INPUT and "1970-01-01" in result.stderr


def test_simulate_on_a_busy_port_says_so(tmp_path):
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        port = sim.base_url.rsplit(":", 1)[1]
        result = subprocess.run([*CLI, "simulate", "--port", port, "--registry-out", str(tmp_path / "s.toml")],
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == EXIT_BAD_INPUT
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------ a full disk, a read-only folder

@contextlib.contextmanager
def _tmpfs(path: Path, size_kb: int):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the full-disk cases run in CI as root")
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(scope="module")
def published_db(tmp_path_factory):
    """A collected warehouse and the registry of the simulator it came from (kept running)."""
    folder = tmp_path_factory.mktemp("published")
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        registry = _registry(sim, folder)
        db = folder / "w.duckdb"
        assert _run(registry, db).returncode == 0
        yield sim, registry, db


def test_a_full_disk_on_a_first_collection_fails_cleanly(published_db, tmp_path):
    _, registry, _ = published_db
    with _tmpfs(tmp_path / "small", 512) as disk:
        db = disk / "w.duckdb"

        result = _run(registry, db)

        assert result.returncode == EXIT_STORAGE, result.stderr
        assert "free disk space" in result.stderr and "Traceback" not in result.stderr
        assert not db.exists() and _leftovers(db) == []


def test_a_full_disk_while_copying_leaves_the_snapshot_intact(published_db, tmp_path):
    _, registry, source = published_db
    size_kb = source.stat().st_size // 1024
    with _tmpfs(tmp_path / "small", size_kb + size_kb // 2) as disk:  # room for the file, not a copy
        db = disk / "w.duckdb"
        db.write_bytes(source.read_bytes())
        before = _digest(db)

        result = _run(registry, db)

        assert result.returncode == EXIT_STORAGE, result.stderr
        assert "free disk space" in result.stderr and "unchanged" in result.stderr
        assert _digest(db) == before and _leftovers(db) == []


def test_a_full_disk_during_the_run_keeps_the_snapshot_and_is_logged_next_time(published_db, tmp_path):
    sim, registry, source = published_db
    size_kb = source.stat().st_size // 1024
    with _tmpfs(tmp_path / "small", 2 * size_kb + 64) as disk:  # a copy fits, a run's growth does not
        db = disk / "w.duckdb"
        db.write_bytes(source.read_bytes())
        before = _digest(db)
        sim.world.advance(1)
        for repo in [r for r in sim.world.repos if r.commits][:20]:
            sim.world.add_commits(repo.forge, repo.path, 40)

        result = _run(registry, db)

        if result.returncode == 0:
            pytest.skip("the run's growth fitted in the spare room of this tmpfs")
        assert result.returncode == EXIT_STORAGE, result.stderr
        assert "Traceback" not in result.stderr and "unchanged" in result.stderr
        assert _digest(db) == before and _leftovers(db) == []
        marker = marker_path(db).read_text(encoding="utf-8")
    # Moved where there is room, the next run writes the failed one into the log.
    roomy = tmp_path / "roomy" / "w.duckdb"
    roomy.parent.mkdir()
    roomy.write_bytes(source.read_bytes())
    marker_path(roomy).write_text(marker, encoding="utf-8")

    assert _run(registry, roomy).returncode == 0
    runs = _runs(roomy)
    assert [r[1] for r in runs][-2:] == ["failed", "ok"]
    assert "no space left" in runs[-2][3].lower()


def test_a_read_only_folder_fails_cleanly(published_db, tmp_path):
    _, registry, source = published_db
    with _tmpfs(tmp_path / "ro", 4 * (source.stat().st_size // 1024) + 256) as disk:
        db = disk / "w.duckdb"
        db.write_bytes(source.read_bytes())
        before = _digest(db)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)

        result = _run(registry, db)

        assert result.returncode == EXIT_STORAGE, result.stderr
        assert "writable" in result.stderr and "Traceback" not in result.stderr
        assert _digest(db) == before and _leftovers(db) == []


def test_an_unreachable_host_fails_fast_and_its_other_accounts_are_skipped(tmp_path):
    """Every forge refusing connections: the run ends in seconds, not retries per account."""
    import socket

    from collectors.base import CollectorOptions
    from collectors.registry import parse_registry
    from warehouse.pipeline import collect

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        text = sim.registry_toml().replace(sim.base_url, f"http://127.0.0.1:{port}")
    registry = parse_registry(text, "offline.toml")
    started = time.monotonic()

    summary = collect(registry, tmp_path / "w.duckdb", options=CollectorOptions(timeout=5, retries=5, backoff=1.0))

    assert time.monotonic() - started < 30
    assert summary.status == "failed"
    by_host: dict[str, list] = {}
    for result in summary.accounts:
        by_host.setdefault(result.host, []).append(result)
    for results in by_host.values():
        first, *rest = results
        assert first.status == "failed" and "cannot reach" in first.errors[0] and "connection refused" in first.errors[0]
        assert all(r.status == "skipped" and "could not be reached earlier" in r.errors[0] for r in rest)
        assert all(r.requests == 0 for r in rest)
