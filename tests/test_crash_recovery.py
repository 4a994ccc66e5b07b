"""A collector killed with SIGKILL at any point resumes with nothing lost or duplicated.

`ossdash collect` runs as a real process against the forge simulator and is killed (SIGKILL: no
handler runs, as with the out-of-memory killer or a power cut) at points spread over a run:
after N requests to the forges (N spread over a clean run's request count), while it rebuilds
identities and metrics after collecting, and right after it starts publishing. Then:

- while it lies dead, the published file is still the last good snapshot: the one from before
  the run, row by row (or, if the kill came after the atomic rename, the complete new one);
- a normal rerun takes over whatever the dead process left (its lock file, ``<db>.work``) and
  yields exactly the warehouse of a clean, uninterrupted run.

Two scenarios: a first collection (nothing published yet) and an incremental one (a snapshot is
published, then the forges get new commits, issues, comments, a release and a fork).

Under ``-m matrix`` the same collections also get Ctrl-C or SIGTERM instead: those publish what
was finished as an 'interrupted' run, which must tell the truth account by account.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from collectors.base import CollectorOptions
from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from tests.reliability_support import (
    COMPARED,
    Collector,
    Figures,
    account_rows,
    differences,
    read_run_log,
    read_warehouse,
)
from warehouse.lock import marker_path
from warehouse.pipeline import collect
from warehouse.publish import work_path

# The CLI's patience in these tests (`--timeout 2 --max-rate-wait 2`), for the in-process runs
# that build the references.
CLI_OPTIONS = CollectorOptions(timeout=2.0, max_rate_wait=2.0)
WITH_RUN_LOG = {**COMPARED, "runs": "*", "run_accounts": "*"}

REBUILDING = "rebuilding identities"
PUBLISHING = "publishing the new snapshot"

# (where, value): after a share of a clean run's requests, or a delay in seconds after a line.
# The default suite kills the cheaper incremental run twice; the matrix covers both scenarios.
DEFAULT_POINTS = {"first": [], "incremental": [("requests", 0.5), ("publishing", 0.0)]}
MATRIX_POINTS = [
    ("requests", 0.03), ("requests", 0.25), ("requests", 0.5), ("requests", 0.75), ("requests", 0.97),
    ("rebuilding", 0.0), ("rebuilding", 0.4), ("rebuilding", 0.9),
    ("publishing", 0.0), ("publishing", 0.005), ("publishing", 0.02), ("publishing", 0.06),
]


@dataclass
class Scenario:
    name: str
    sim: ForgeSimulator
    registry: Path
    base: Path | None  # the snapshot published before the run, if any
    reference: dict  # what a clean, uninterrupted run publishes
    requests: int  # what a clean run asks the forges


def _add_activity(world: World) -> None:
    """A day of work on several repositories of every forge."""
    world.advance(days=1)
    for forge in ("github", "gitlab", "opencode"):
        repos = [r for r in world.repos if r.forge == forge and not r.archived]
        busy, other = repos[0], repos[len(repos) // 2]
        world.add_commits(forge, busy.path, 4)
        number = world.add_item(forge, other.path, "issue")
        world.add_comment(forge, other.path, "issue", number)
        world.add_release(forge, other.path, f"v-test-{forge}")
        world.add_fork(forge, busy.path, "someone-outside")


@pytest.fixture(scope="module")
def figures(request):
    record = Figures("crashes", request.config)
    yield record
    record.write(
        kill_points=len(record.cases),
        kills=sum(c["killed"] for c in record.cases),
        signalled=sum(bool(c.get("signalled")) for c in record.cases),
        finished_before_kill=sum(not c["killed"] and not c.get("signalled") for c in record.cases),
        published_after_kill={s: sum(c["published_after_kill"] == s for c in record.cases)
                              for s in sorted({c["published_after_kill"] for c in record.cases})},
        reruns_equal_to_clean=sum(c["rerun_equal"] for c in record.cases),
        by_scenario={s: sum(c["scenario"] == s for c in record.cases)
                     for s in sorted({c["scenario"] for c in record.cases})},
    )


class _Scenarios:
    """Each scenario built on first use, with its own simulator running until the module ends."""

    def __init__(self, tmp_path_factory, stack: contextlib.ExitStack):
        self.factory = tmp_path_factory
        self.stack = stack
        self.made: dict[str, Scenario] = {}

    def __getitem__(self, name: str) -> Scenario:
        if name not in self.made:
            self.made[name] = self._build(name)
        return self.made[name]

    def _build(self, name: str) -> Scenario:
        sim = self.stack.enter_context(ForgeSimulator(World(seed=7, activity_scale=0.15)))
        folder = self.factory.mktemp(name)
        registry = folder / "simulator.toml"
        registry.write_text(sim.registry_toml(), encoding="utf-8")
        clean = folder / "clean.duckdb"
        base = None
        if name == "incremental":
            base = folder / "base.duckdb"
            assert collect(load_registry(registry), base, options=CLI_OPTIONS).status == "ok"
            _add_activity(sim.world)
            shutil.copyfile(base, clean)
        before = sim.total_requests()
        assert collect(load_registry(registry), clean, options=CLI_OPTIONS).status == "ok"
        return Scenario(name, sim, registry, base, read_warehouse(clean, sim.base_url), sim.total_requests() - before)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    with contextlib.ExitStack() as stack:
        yield _Scenarios(tmp_path_factory, stack)


def _run_started(run: Collector, db: Path, sim: ForgeSimulator) -> int:
    """Wait until the run has begun (its marker exists: the lock is held, the log row written) and
    return the simulator's request count then. The requests before it are the cost estimate that
    `collect` prints first: a stop then ends no run, so kill points are counted from here."""
    deadline = time.monotonic() + 60
    while not marker_path(db).exists():
        assert run.proc.poll() is None, f"the run ended before it began:\n{run.stderr()}"
        assert time.monotonic() < deadline, "the run never began"
        time.sleep(0.0005)
    return sim.total_requests()


def _kill_at(run: Collector, sim: ForgeSimulator, point: tuple[str, float], clean_requests: int,
             requests_before: int) -> dict:
    """Kill ``run`` at ``point``; return what happened."""
    where, value = point

    def asked() -> int:
        return sim.total_requests() - requests_before

    if where == "requests":
        target = max(1, round(value * clean_requests))
        deadline = time.monotonic() + 60
        while asked() < target:
            assert run.proc.poll() is None, f"the run ended after {asked()} requests, before request {target}:\n{run.stderr()}"
            assert time.monotonic() < deadline, "the run never reached its kill point"
            time.sleep(0.0005)
    else:
        seen = run.wait_for(REBUILDING if where == "rebuilding" else PUBLISHING, timeout=90)
        assert seen is not None, f"the run never printed its {where} line:\n{run.stderr()}"
        if value:
            time.sleep(value)
    requests_at_kill = asked()
    code = run.kill()
    return {"killed": code == -signal.SIGKILL, "exit": code, "requests_at_kill": requests_at_kill}


def _published_state(scenario: Scenario, db: Path, before: dict | None) -> str:
    """What the published file holds while the killed run lies dead: 'none', 'old' or 'new'."""
    if not db.exists():
        assert before is None, "the published snapshot disappeared"
        return "none"
    now = read_warehouse(db, scenario.sim.base_url, WITH_RUN_LOG)
    if before is not None and not differences(now, before):
        return "old"
    # Only the atomic rename can have changed it: then it is the whole new snapshot.
    diff = differences(now, scenario.reference, COMPARED)
    assert not diff, "the published file is neither the last snapshot nor a complete new one:\n" + "\n".join(diff)
    return "new"


def kill_then_rerun(scenario: Scenario, point: tuple[str, float], tmp_path: Path, figures: Figures) -> None:
    sim = scenario.sim
    db = tmp_path / "ossdash.duckdb"
    before = None
    if scenario.base is not None:
        shutil.copyfile(scenario.base, db)
        before = read_warehouse(db, sim.base_url, WITH_RUN_LOG)
    runs_before = len(before["runs"][1]) if before else 0
    started = time.monotonic()
    # Many full collections share one simulator: each case starts in a fresh rate-limit hour.
    sim.reset_budgets()

    run = Collector(scenario.registry, db)
    requests_before = _run_started(run, db, sim)
    killed = _kill_at(run, sim, point, scenario.requests, requests_before)

    published = _published_state(scenario, db, before)
    # On a quick machine a run can be past its last step before a delayed kill lands: once it has
    # said it is publishing, either snapshot may be there (the rename is atomic).
    if killed["killed"] and point[0] != "publishing" and PUBLISHING not in run.stderr():
        assert published == ("old" if before else "none"), f"killed at {point}, yet a new snapshot was published"

    sim.reset_budgets()
    rerun = Collector(scenario.registry, db)
    code = rerun.wait(180)
    assert code == 0, f"the rerun after a kill at {point} exited {code}:\n{rerun.stderr()}"

    diff = differences(read_warehouse(db, sim.base_url), scenario.reference)
    assert not diff, f"after a kill at {point} and a rerun the warehouse differs from a clean run:\n" + "\n".join(diff)
    assert not work_path(db).exists(), "the rerun left a working copy behind"
    runs, _ = read_run_log(db)
    assert [r["run_id"] for r in runs] == sorted({r["run_id"] for r in runs}), "a run id appears twice"
    # A truthful log: the killed run is there, as interrupted unless it had published itself.
    logged = runs[runs_before:]
    expected = ["interrupted", "ok"] if killed["killed"] and published != "new" else ["ok", "ok"]
    assert [r["status"] for r in logged] == expected, logged
    if expected[0] == "interrupted":
        assert logged[0]["finished_at"] is None and (logged[0]["note"] or "").strip(), logged[0]
    figures.add(
        scenario=scenario.name, point=f"{point[0]}+{point[1]}", clean_requests=scenario.requests,
        published_after_kill=published, rerun_equal=True, run_log=[r["status"] for r in logged],
        seconds=round(time.monotonic() - started, 1), **killed,
    )


def _cases(points_by_scenario, marks=()):
    return [
        pytest.param(name, point, id=f"{name}-{point[0]}-{point[1]}", marks=marks)
        for name, points in points_by_scenario.items() for point in points
    ]


MATRIX_CASES = _cases(
    {name: [p for p in MATRIX_POINTS if p not in DEFAULT_POINTS[name]] for name in DEFAULT_POINTS},
    marks=pytest.mark.matrix,
)


@pytest.mark.parametrize(("scenario", "point"), _cases(DEFAULT_POINTS) + MATRIX_CASES)
def test_killed_collection_leaves_the_last_snapshot_and_a_rerun_equals_a_clean_run(
    scenario, point, scenarios, tmp_path, figures
):
    kill_then_rerun(scenarios[scenario], point, tmp_path, figures)


# --------------------------------------------------------------------------- Ctrl-C and SIGTERM

SIGNALS = {"SIGINT": (signal.SIGINT, 130), "SIGTERM": (signal.SIGTERM, 143)}


@pytest.mark.matrix
@pytest.mark.parametrize("share", [0.3, 0.7])
@pytest.mark.parametrize("name", sorted(SIGNALS))
@pytest.mark.parametrize("scenario", ["first", "incremental"])
def test_a_signalled_collection_publishes_a_truthful_interrupted_run_and_a_rerun_equals_a_clean_run(
    scenario, name, share, scenarios, tmp_path, figures
):
    """Ctrl-C or SIGTERM (systemd, a container stopping) mid-collection: the run publishes what it
    finished, says 'interrupted', marks every account it did not finish, and an account it calls
    'ok' holds exactly a clean run's rows; a normal rerun then completes the warehouse."""
    case = scenarios[scenario]
    sim = case.sim
    db = tmp_path / "ossdash.duckdb"
    runs_before = 0
    if case.base is not None:
        shutil.copyfile(case.base, db)
        runs_before = len(read_run_log(db)[0])
    sim.reset_budgets()
    sig, expected_exit = SIGNALS[name]
    run = Collector(case.registry, db)
    requests_before = _run_started(run, db, sim)
    target = max(1, round(share * case.requests))
    deadline = time.monotonic() + 60
    while sim.total_requests() - requests_before < target:
        assert run.proc.poll() is None, f"the run ended before request {target}:\n{run.stderr()}"
        assert time.monotonic() < deadline, "the run never reached its signal point"
        time.sleep(0.0005)
    run.proc.send_signal(sig)
    code = run.wait(120)
    assert code == expected_exit, f"{name} at request {target}: exit {code}:\n{run.stderr()}"

    runs, run_accounts = read_run_log(db)
    interrupted = runs[-1]
    assert interrupted["status"] == "interrupted" and (interrupted["note"] or "").strip(), interrupted
    accounts = [a for a in run_accounts if a["run_id"] == interrupted["run_id"]]
    registry = load_registry(case.registry)
    assert sorted((a["forge"], a["owner"]) for a in accounts) == sorted((a.forge, a.owner) for a in registry.accounts)
    unfinished = [a for a in accounts if a["status"] in ("interrupted", "not_reached")]
    assert unfinished, "an interrupted run names no account it did not finish"
    got = read_warehouse(db, sim.base_url)
    for account in accounts:
        label = f"{account['forge']}:{account['owner']}"
        if account["status"] in ("ok", "not_modified"):
            ours = account_rows(got, account["forge"], account["owner"])
            theirs = account_rows(case.reference, account["forge"], account["owner"])
            assert ours == theirs, f"{label} recorded {account['status']!r} after {name} but its rows differ from a clean run"
        else:
            assert (account["error"] or "").strip(), f"{label} is {account['status']} without a reason"

    sim.reset_budgets()
    rerun = Collector(case.registry, db)
    assert rerun.wait(180) == 0, rerun.stderr()
    diff = differences(read_warehouse(db, sim.base_url), case.reference)
    assert not diff, f"after {name} and a rerun the warehouse differs from a clean run:\n" + "\n".join(diff)
    logged = [r["status"] for r in read_run_log(db)[0][runs_before:]]
    assert logged == ["interrupted", "ok"], logged
    figures.add(
        scenario=scenario, point=f"{name}@requests+{share}", clean_requests=case.requests, killed=False,
        signalled=name, exit=code, published_after_kill="interrupted", rerun_equal=True, run_log=logged,
        accounts_unfinished=len(unfinished), requests_at_kill=target,
    )


@pytest.mark.matrix
def test_ctrl_c_while_rebuilding_is_an_interrupted_run(scenarios, tmp_path):
    """One Ctrl-C while the run rebuilds identities and metrics: whatever DuckDB statement it
    lands in, the run is an interrupted one (exit 130, logged 'interrupted'), never a 'failed'
    run with a request to report a bug. Several moments, since it depends on where it lands."""
    case = scenarios["incremental"]
    sim = case.sim
    outcomes = []
    for attempt, delay in enumerate((0.1, 0.3, 0.5, 0.8, 1.1, 1.4)):
        db = tmp_path / f"ossdash-{attempt}.duckdb"
        shutil.copyfile(case.base, db)
        runs_before = len(read_run_log(db)[0])
        sim.reset_budgets()
        run = Collector(case.registry, db)
        assert run.wait_for(REBUILDING, timeout=90) is not None, run.stderr()
        time.sleep(delay)
        run.proc.send_signal(signal.SIGINT)
        code = run.wait(120)
        rerun = Collector(case.registry, db)
        assert rerun.wait(180) == 0, rerun.stderr()
        logged = read_run_log(db)[0][runs_before:]
        outcomes.append((delay, code, logged[0]["status"], logged[0]["note"]))
        assert not differences(read_warehouse(db, sim.base_url), case.reference)
    # Logged 'interrupted' with exit 130 when it landed in the run. A signal that lands once the run
    # is published (a fast machine finishes the rebuild within the longest delay) leaves it logged
    # as what it was, complete: exit 130 before the exit began, 0 after; never death by the signal.
    wrong = [o for o in outcomes if not ((o[1] == 130 and o[2] == "interrupted")
                                         or (o[1] in (0, 130) and o[2] == "ok"))]
    assert not wrong, f"Ctrl-C while rebuilding: {wrong}"
    assert sum(o[2] == "interrupted" for o in outcomes) >= 3, outcomes
