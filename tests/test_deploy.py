"""The recipes in deploy/: systemd units verified by systemd-analyze, every ossdash command they hold
parsed by the real CLI, the collect, status and serve lines run for real against the forge
simulator with the paths moved into a temporary folder, two overlapping scheduled runs refused by
the lock, the cron lines, the CI pipelines and the Containerfile checked for what they run."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import click
import pytest
import yaml

from collectors.simulator import ForgeSimulator, World
from dashboard.cli import main
from warehouse.lock import marker_path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
CRON = DEPLOY / "cron" / "ossdash.cron"
GITLAB = DEPLOY / "ci" / "gitlab-ci.yml"
GITHUB = DEPLOY / "ci" / "github-actions.yml"
CONTAINERFILE = DEPLOY / "Containerfile"
INSTALLED = "/opt/ossdash/.venv/bin/ossdash"
OSSDASH = str(Path(sys.executable).with_name("ossdash"))
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
_COMMAND_RE = re.compile(
    r"(?:\S*/)?ossdash[ \t]+(?:serve|collect|status|export|alerts|report|validate|demo)\b[^;|&>\n]*")


def _parse(argv: list[str]) -> click.Context:
    """Parse an ossdash command line with the real CLI (types and choices checked), without running it."""
    assert argv and Path(argv[0]).name == "ossdash", argv
    name, args = argv[1], argv[2:]
    command = main.get_command(click.Context(main), name)
    assert command is not None, f"no command {name!r}"
    return command.make_context(name, list(args))


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _cron_entries() -> list[tuple[list[str], str, str]]:
    entries = []
    for line in CRON.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        fields = line.split(None, 6)
        entries.append((fields[:5], fields[5], fields[6]))
    return entries


def _ossdash_lines(text: str) -> list[list[str]]:
    """Every ossdash invocation in a shell text: the words from `ossdash` to the end of its command."""
    return [shlex.split(match.group(0)) for match in _COMMAND_RE.finditer(text)]


def _code_blocks(markdown: str) -> str:
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", markdown, flags=re.DOTALL))


# ----------------------------------------------------------------------------- systemd

@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed on this machine")
def test_systemd_units_verify_without_a_warning(tmp_path):
    env = tmp_path / "ossdash.env"
    env.write_text((DEPLOY / "ossdash.env.example").read_text(encoding="utf-8"), encoding="utf-8")
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text(encoding="utf-8").replace(INSTALLED, OSSDASH)
        (tmp_path / unit.name).write_text(text.replace("/etc/ossdash/ossdash.env", str(env)), encoding="utf-8")
    names = sorted(p.name for p in tmp_path.glob("ossdash-*"))
    assert len(names) == 5
    done = subprocess.run([SYSTEMD_ANALYZE, "verify", *names], cwd=tmp_path, check=False, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    for timer in ("ossdash-collect.timer", "ossdash-status.timer"):
        for spec in _unit(timer)["OnCalendar"]:
            calendar = subprocess.run([SYSTEMD_ANALYZE, "calendar", spec], check=False, capture_output=True,
                                      text=True, timeout=30)
            assert calendar.returncode == 0, calendar.stderr


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed on this machine")
def test_systemd_verify_catches_a_broken_unit(tmp_path):
    # The check above can fail: a unit naming a program that is not there is refused.
    broken = tmp_path / "ossdash-broken.service"
    broken.write_text("[Service]\nExecStart=/nonexistent/ossdash serve\n", encoding="utf-8")
    done = subprocess.run([SYSTEMD_ANALYZE, "verify", broken.name], cwd=tmp_path, check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "not executable" in done.stderr


def test_systemd_units_run_what_the_docs_promise():
    collect = _unit("ossdash-collect.service")
    assert collect["Type"] == ["oneshot"] and collect["SuccessExitStatus"] == ["3"]
    assert collect["EnvironmentFile"] == ["/etc/ossdash/ossdash.env"]
    assert _parse(shlex.split(collect["ExecStart"][0])).params["with_alerts"] is True
    serve = _parse(shlex.split(_unit("ossdash-dashboard.service")["ExecStart"][0]))
    assert serve.params["address"] == "127.0.0.1", "the dashboard listens on loopback behind the proxy"
    status = _parse(shlex.split(_unit("ossdash-status.service")["ExecStart"][0]))
    assert status.params["max_age"] == 36
    assert _unit("ossdash-collect.timer")["Unit"] == ["ossdash-collect.service"]
    assert _unit("ossdash-collect.timer")["Persistent"] == ["true"]


# ----------------------------------------------------------------------------- every command line

def test_every_ossdash_command_in_deploy_and_the_docs_parses_with_the_real_cli():
    seen = set()
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8").replace("\\\n#", " ")
        for argv in _ossdash_lines(text):
            _parse(argv)
            seen.add(argv[1])
    assert seen == {"serve", "collect", "status", "export"}
    docs = _code_blocks((ROOT / "docs" / "operations.md").read_text(encoding="utf-8"))
    documented = _ossdash_lines(docs.replace("\\\n", " "))
    for argv in documented:
        _parse(argv)
    assert {argv[1] for argv in documented} >= {"serve", "collect", "status", "export"}


def test_a_wrong_option_is_caught_by_the_parse():
    with pytest.raises(click.UsageError):
        _parse(["ossdash", "status", "--max-age", "soon"])
    with pytest.raises(click.UsageError):
        _parse(["ossdash", "export", "--format", "xlsx", "--out", "x"])


# ----------------------------------------------------------------------------- cron

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _cron_field_ok(field: str, low: int, high: int) -> bool:
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            return False
        if base == "*":
            continue
        first, _, last = base.partition("-")
        numbers = [first, last] if last else [first]
        if not all(n.isdigit() and low <= int(n) <= high for n in numbers):
            return False
    return True


def test_cron_lines_are_valid_and_run_collect_with_alerts_and_a_status_check():
    entries = _cron_entries()
    assert len(entries) == 2
    for fields, user, command in entries:
        assert all(_cron_field_ok(f, lo, hi) for f, (lo, hi) in zip(fields, _RANGES, strict=True)), fields
        assert user == "ossdash"
        assert "%" not in command, "cron turns % into a line break"
    collect, status = (_ossdash_lines(c) for _, _, c in entries)
    assert _parse(collect[0]).params["with_alerts"] and ". /etc/ossdash/ossdash.env" in entries[0][2]
    assert all(_parse(argv).params["max_age"] == 36 for argv in status)
    assert not _cron_field_ok("61", 0, 59) and not _cron_field_ok("*/x", 0, 59)


def _localise(text: str, folder: Path, registry: Path) -> str:
    """A recipe's command with its installed paths moved into ``folder``."""
    return (text.replace(INSTALLED, OSSDASH)
            .replace("/etc/ossdash/cities.toml", str(registry))
            .replace("/etc/ossdash/ossdash.env", str(folder / "ossdash.env"))
            .replace("/var/lib/ossdash", str(folder / "data"))
            .replace("/var/log/ossdash", str(folder / "log")))


@pytest.fixture
def recipe_site(tmp_path):
    """The simulator and a folder laid out like the recipes' installation."""
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        registry = tmp_path / "cities.toml"
        registry.write_text(sim.registry_toml(), encoding="utf-8")
        for sub in ("data", "log"):
            (tmp_path / sub).mkdir()
        (tmp_path / "ossdash.env").write_text("SIMULATOR_NOTE=no-token-needed\n", encoding="utf-8")
        yield sim, tmp_path, registry


def _sh(command: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", "-c", command], check=False, capture_output=True, text=True, timeout=timeout)


def test_the_cron_lines_run_for_real_and_two_overlapping_runs_never_collect_at_once(recipe_site):
    sim, folder, registry = recipe_site
    (_, _, collect), (_, _, status) = _cron_entries()
    collect, status = _localise(collect, folder, registry), _localise(status, folder, registry)
    db = folder / "data" / "ossdash.duckdb"
    log = folder / "log" / "collect.log"

    first = _sh(collect)
    assert first.returncode == 0, first.stderr + log.read_text(encoding="utf-8")
    assert "run 1 ok" in log.read_text(encoding="utf-8")
    quiet = _sh(status)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == "", "cron mails nothing when fresh"

    sim.faults.slow(delay=0.3, endpoint="/repos/{owner}/{repo}/commits", times=None)
    sim.world.advance(1)
    for repo in [r for r in sim.world.repos if r.commits and not r.archived][:3]:
        sim.world.add_commits(repo.forge, repo.path, 1)
    running = subprocess.Popen(["/bin/sh", "-c", collect])
    try:
        deadline = time.monotonic() + 60
        while not marker_path(db).exists():
            assert time.monotonic() < deadline and running.poll() is None, "the first run never started"
            time.sleep(0.02)
        second = _sh(collect, timeout=60)
        assert second.returncode == 3
        assert "another collection is writing" in log.read_text(encoding="utf-8")
        sim.faults.clear()
        assert running.wait(timeout=180) == 0
    finally:
        if running.poll() is None:
            running.send_signal(signal.SIGKILL)
            running.wait(timeout=10)
    text = log.read_text(encoding="utf-8")
    assert "run 2 ok" in text and "run 3" not in text, "the refused run never started a run of its own"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_systemd_commands_run_for_real(recipe_site):
    _sim, folder, registry = recipe_site
    collect = _localise(_unit("ossdash-collect.service")["ExecStart"][0], folder, registry)
    ran = _sh(f"set -a; . {folder / 'ossdash.env'}; set +a; {collect}")
    assert ran.returncode == 0, ran.stderr
    status = _localise(_unit("ossdash-status.service")["ExecStart"][0], folder, registry)
    assert _sh(status).returncode == 0
    port = _free_port()
    serve = _localise(_unit("ossdash-dashboard.service")["ExecStart"][0], folder, registry).replace(
        "--port 8501", f"--port {port}")
    server = subprocess.Popen(shlex.split(serve), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, healthy = time.monotonic() + 60, False
        while not healthy and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    healthy = answer.status == 200
            except OSError:
                time.sleep(0.2)
        assert healthy, "the dashboard unit's command did not answer its health check"
    finally:
        server.send_signal(signal.SIGTERM)  # as systemd stops the unit
        code = server.wait(timeout=30)
    assert code in (0, 143), code


# ----------------------------------------------------------------------------- CI pipelines

def _script_lines(lines: list[str]) -> list[list[str]]:
    return [argv for line in lines for argv in _ossdash_lines(line)]


def test_gitlab_pipeline_collects_exports_and_checks_on_a_schedule():
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = pipeline["collect"]
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in job["rules"]
    assert job["resource_group"], "one collection at a time"
    commands = _script_lines(job["script"])
    assert [argv[1] for argv in commands] == ["collect", "export", "status"]
    export = _parse(commands[1])
    assert export.params["out"].rstrip("/") + "/" in job["artifacts"]["paths"]
    assert job["artifacts"]["when"] == "always"
    assert _parse(commands[2]).params["max_age"] == 48
    assert any(p.startswith("warehouse-data") for p in job["cache"]["paths"])
    assert pipeline["pages"]["needs"] == ["collect"]


def test_github_workflow_collects_exports_and_checks_on_a_schedule():
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    (schedule,) = triggers["schedule"]
    assert all(_cron_field_ok(f, lo, hi) for f, (lo, hi) in zip(schedule["cron"].split(), _RANGES, strict=True))
    assert workflow["concurrency"]["cancel-in-progress"] is False
    steps = workflow["jobs"]["collect"]["steps"]
    commands = _script_lines([s["run"] for s in steps if "run" in s])
    assert [argv[1] for argv in commands] == ["collect", "export", "status"]
    collect_step = next(s for s in steps if "run" in s and "ossdash collect" in s["run"])
    assert set(collect_step["env"]) == {"GITHUB_TOKEN", "GITLAB_TOKEN", "OPENCODE_TOKEN"}
    assert all(v.startswith("${{ secrets.") for v in collect_step["env"].values())
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].rstrip("/") == _parse(commands[1]).params["out"]
    assert steps.index(upload) < steps.index(next(s for s in steps if "ossdash status" in s.get("run", "")))


# ----------------------------------------------------------------------------- Containerfile

def _instructions() -> list[tuple[str, str]]:
    text = CONTAINERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_containerfile_installs_every_package_and_collects_and_serves_from_one_image():
    instructions = _instructions()
    assert instructions[0][0] == "FROM" and "python:3.11" in instructions[0][1]
    copied = {source.rstrip("/") for k, rest in instructions if k == "COPY" for source in rest.split()[:-1]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages | {"pyproject.toml", project["project"]["readme"]} <= copied
    assert any(k == "RUN" and "pip install" in rest for k, rest in instructions)
    user = [rest for k, rest in instructions if k == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert ("VOLUME", "/data") in instructions
    entry = yaml.safe_load(dict(instructions)["ENTRYPOINT"])
    cmd = yaml.safe_load(dict(instructions)["CMD"])
    assert entry == ["ossdash"]
    serve = _parse(entry + cmd)
    assert serve.params["db"].startswith("/data/")
    # The header shows how the same image collects onto the same volume.
    header = CONTAINERFILE.read_text(encoding="utf-8").replace("\\\n#", " ")
    collect = [argv for argv in _ossdash_lines(header) if argv[1] == "collect"]
    assert collect and _parse(collect[0]).params["db"] == serve.params["db"]
