"""ossdash and Perceval side by side: the same 50 repositories from the same simulator, in one run each.

Run: python benchmarks/bench_perceval.py [--latency-ms 0 100] [--repos 50] [--repeat 1]. Prints a Markdown table
to paste into benchmarks/RESULTS.md.

Each client runs in a process of its own (wall time and peak RSS are that process's): ossdash's
pipeline (warehouse.pipeline.collect: every stream, then the warehouse built and published, with
the allocators ``ossdash collect`` sets: ``warehouse.resources.allocator_environment``);
Perceval's command line, one process per repository and category as GrimoireLab runs it (github:
issue and pull_request; gitlab: issue and merge_request); and Perceval in one process, the same
fetches in a loop. Perceval is installed in a virtual environment of its own (created on first run,
``--perceval-venv``), so ossdash never depends on it. The simulator serves in this process with the
given latency per request and per new connection. Requests are counted by the simulator; "issue/PR
requests" are those of the issue, pull/merge request, comment, note, review, emoji and version
endpoints, the part of the work both clients share.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collectors.simulator import ForgeSimulator, World
from warehouse.resources import allocator_environment

PERCEVAL = "perceval==1.6.1"
ROOT = Path(__file__).resolve().parent.parent
ITEM_WORDS = ("/issues", "/pulls", "/merge_requests", "/notes", "/reviews", "/reactions", "/award_emoji", "/versions")


def perceval_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing {PERCEVAL} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PERCEVAL], check=True)
    return python


def chosen(world: World, count: int) -> list:
    """The repositories with most issues and change requests, spread over every forge."""
    repos = sorted((r for r in world.repos if r.items and not r.mirror_of), key=lambda r: (-len(r.items), r.forge, r.path))
    return sorted(repos[:count], key=lambda r: (r.forge, r.path))


def registry(sim: ForgeSimulator, repos: list) -> str:
    """A registry of the accounts holding the chosen repositories, each limited to them by ``include``."""
    lines = []
    world = sim.world
    for entity in world.entities:
        accounts = [a for a in world.accounts if a.entity_id == entity.id and any(r.account == a.path and r.forge == a.forge for r in repos)]
        if not accounts:
            continue
        lines += ["[[entity]]", f'id = "{entity.id}"', f'name = "{entity.name}"', f'country = "{entity.country}"',
                  f'archetype = "{entity.archetype}"', ""]
        for a in accounts:
            names = sorted({r.name for r in repos if r.account == a.path and r.forge == a.forge})
            lines += ["  [[entity.account]]", f'  forge = "{a.forge}"', f'  owner = "{a.path}"', f'  url = "{sim.url(a.forge)}"',
                      f"  include = {json.dumps(names)}", ""]
    return "\n".join(lines)


def jobs(sim: ForgeSimulator, repos: list) -> list[tuple[str, str, str, str]]:
    """(forge, owner, name, category) for every Perceval fetch."""
    out = []
    for r in repos:
        categories = ("issue", "pull_request") if r.forge == "github" else ("issue", "merge_request")
        owner = r.namespace if r.forge == "github" else r.namespace.replace("/", "%2F")
        out += [(r.forge, owner, r.name, c) for c in categories]
    return out


def cli_args(sim: ForgeSimulator, job: tuple[str, str, str, str], out: str) -> list[str]:
    forge, owner, name, category = job
    if forge == "github":
        return ["github", owner, name, "--category", category, "-t", "bench-token", "--enterprise-url",
                sim.host_url("github"), "--sleep-for-rate", "-o", out]
    return ["gitlab", owner, name, "--category", category, "-t", "bench-token", "--url", sim.host_url(forge), "-o", out]


IN_PROCESS = """
import json, sys
from perceval.backends.core.github import GitHub
from perceval.backends.core.gitlab import GitLab
hosts, jobs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
count = 0
for forge, owner, name, category in jobs:
    if forge == "github":
        backend = GitHub(owner=owner, repository=name, api_token=["bench-token"], base_url=hosts[forge], sleep_for_rate=True)
    else:
        backend = GitLab(owner=owner, repository=name, api_token="bench-token", base_url=hosts[forge])
    count += sum(1 for _ in backend.fetch(category=category))
print(count)
"""

OSSDASH = """
import sys
from pathlib import Path
from collectors.registry import parse_registry
from warehouse.pipeline import collect
summary = collect(parse_registry(Path(sys.argv[1]).read_text(), sys.argv[1]), Path(sys.argv[2]))
print(summary.status, summary.requests)
"""


def run(argv: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and standard output of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    out = child.stdout.read().decode() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{argv[:3]}... failed with status {status}")
    return wall, usage.ru_maxrss / 1024, out


def measure(latency_ms: float, count: int, python: Path, repeat: int = 1) -> list[tuple]:
    """One row per client: name, requests, issue/PR requests, wall seconds, peak RSS MB, connections,
    and (ossdash and Perceval in one process) the walls of every repetition.

    ossdash and Perceval in one process run ``repeat`` times, one after the other in turn, so that
    the machine's load falls on both alike; the command line (100 processes) runs once.
    """
    world = World(seed=7)
    repos = chosen(world, count)
    with ForgeSimulator(world, latency_ms=latency_ms, rate_limit=100_000) as sim, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.toml"
        config.write_text(registry(sim, repos), encoding="utf-8")

        def counted() -> tuple[int, int, int]:
            total = sim.total_requests()
            items = sum(n for k, n in sim.requests.items() if any(w in k for w in ITEM_WORDS))
            return total, items, sum(sim.connections.values())

        def fresh() -> None:
            sim.reset_counters()
            sim.reset_budgets()

        # The allocators `ossdash collect` sets for itself, so these are the command's figures.
        env = dict(os.environ)
        allocator_environment(env)
        every = jobs(sim, repos)
        hosts = {f: sim.host_url(f) for f in ("github", "gitlab", "opencode")}
        ours, theirs = [], []
        for k in range(repeat):
            fresh()
            wall, rss, out = run([sys.executable, "-c", OSSDASH, str(config), str(Path(tmp) / f"ossdash{k}.duckdb")], env)
            assert out.startswith("ok"), out
            ours.append((wall, rss, *counted()))
            fresh()
            wall, rss, _ = run([str(python), "-c", IN_PROCESS, json.dumps(hosts), json.dumps(every)])
            theirs.append((wall, rss, *counted()))

        fresh()
        wall = peak = 0.0
        perceval = str(python.parent / "perceval")
        for k, job in enumerate(every):
            w, rss, _ = run([perceval, *cli_args(sim, job, str(Path(tmp) / f"out{k}.json"))])
            wall, peak = wall + w, max(peak, rss)
        cli = counted()

    def row(name: str, runs: list[tuple]) -> tuple:
        wall, rss = statistics.median(r[0] for r in runs), max(r[1] for r in runs)
        return (name, *runs[-1][2:4], wall, rss, runs[-1][4], [r[0] for r in runs])

    return [
        row("ossdash (pipeline: every stream, warehouse built and published)", ours),
        (f"Perceval command line ({len(every)} processes, one per repository and category)", cli[0], cli[1],
         wall, peak, cli[2], [wall]),
        row("Perceval in one process", theirs),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0, 100], help="simulated latencies to measure at")
    parser.add_argument("--repos", type=int, default=50, help="how many repositories both clients collect")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of ossdash and of Perceval in one process, in turn (medians and the median of "
                             "the runs' ratios are printed)")
    parser.add_argument("--perceval-venv", type=Path, default=Path.home() / ".cache" / "ossdash-bench" / "perceval-venv",
                        help="virtual environment Perceval is installed in (created when missing)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    python = perceval_python(args.perceval_venv)
    print("| latency | client | requests (issue/PR ones) | wall time (median) | peak RSS | TCP connections |\n"
          "|---|---|---|---|---|---|")
    for latency in args.latency_ms:
        rows = measure(latency, args.repos, python, args.repeat)
        ours = rows[0]
        for name, total, items, wall, rss, connections, walls in rows:
            ratio = "" if name == ours[0] else f" ({total / ours[1]:.1f}x ossdash; issue/PR {items / max(1, ours[2]):.1f}x)"
            wall_ratio = ""
            if name != ours[0]:
                # Each run against the ossdash run beside it, where there is one.
                pairs = [w / o for w, o in zip(walls, ours[6])] if len(walls) == len(ours[6]) else [wall / ours[3]]
                wall_ratio = f" ({statistics.median(pairs):.2f}x ossdash)"
            spread = f"; runs {', '.join(f'{w:.1f}' for w in walls)}" if len(walls) > 1 else ""
            print(f"| {latency:g} ms | {name} | {total} ({items}){ratio} | {wall:.1f} s{wall_ratio}{spread} | {rss:.0f} MB "
                  f"| {connections} |", flush=True)


if __name__ == "__main__":
    main()
