"""Peak memory (RSS) of a collection, in a process of its own, by the size of the world.

Run: python benchmarks/bench_memory.py [--scales 0.7,1,9.5,16.5,33] [--repeat 3] [--steps]

For every scale of the forge simulator's world (seed 7; scale 0.7 gives 43 repositories, 1 the
default world's 63, 9.5, 16.5 and 33 about 550, 1,000 and 2,000) the simulator runs in a child
process of its own, so its world and server threads never count towards the collector's memory.
Each collection (``warehouse.pipeline.collect``) then runs in a fresh Python process: a first
collection into an empty warehouse, then an unchanged re-collection of the same warehouse (every
answer a 304). Its peak RSS is what the kernel reports for that child (``os.wait4``'s
``ru_maxrss``). The floor is a process that imports ``warehouse.pipeline`` and does nothing.
Every child starts Arrow's and DuckDB's allocators as the ``ossdash`` command does
(``warehouse.resources.allocator_environment``), so these are the figures of ``ossdash collect``;
a setting of either in the environment is kept.

With ``--steps``, the collecting process also reports the peak of each part of the run: the
collecting of the accounts, then every step of the settle, measured by resetting the kernel's
high-water mark (``/proc/self/clear_refs``) before each part and reading ``VmHWM`` after it,
together with what DuckDB's own allocator held at its end (``duckdb_memory()``). A reset also
lowers what the kernel reports at exit, so then the process's own running maximum is its peak.

Prints a Markdown table (medians over the repeats) to paste into benchmarks/RESULTS.md. Numbers,
never asserted in unit tests.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse.resources import allocator_environment

DEFAULT_SCALES = (0.7, 1.0, 9.5, 16.5, 33.0)
# The settle's steps, by the name the pipeline calls them; names it lacks are left out.
STEPS = ("rebuild_identities", "refresh_identities", "refresh_metric_facts", "refresh_metric_results", "refresh_reuse",
         "sync_goals", "write_snapshots")


def _serve(scale: float, registry_file: str, ready, stop) -> None:
    """The simulator's process: serve the world until told to stop."""
    sys.path.insert(0, str(ROOT))
    from collectors.simulator import ForgeSimulator, World

    world = World(seed=7, scale=scale)
    with ForgeSimulator(world, rate_limit=10_000_000) as sim:
        Path(registry_file).write_text(sim.registry_toml(), encoding="utf-8")
        ready.put({"repos": len(world.repos), "entities": len(world.entities),
                   "commits": sum(len(r.commits) for r in world.repos)})
        stop.wait()


def _hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_hwm() -> None:
    # Writing 5 resets the peak to the current RSS (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")


def _duckdb_mb(con) -> float:
    try:
        return con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0] / 2**20
    except Exception:  # noqa: BLE001 - a closed or failed connection: nothing to report
        return float("nan")


def child(registry_file: str, db: str, steps: bool) -> None:
    """The collecting process: one collection, then its parts' peaks as JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    from collectors.registry import parse_registry
    from warehouse import pipeline

    parts: dict[str, dict] = {}
    if steps:
        def measured(name, fn):
            def wrapper(*args, **kwargs):
                # A reset also lowers what the kernel reports at exit: keep the peak so far.
                parts["_before"] = max(parts.get("_before", 0), _hwm_kb() / 1024)
                _reset_hwm()
                started = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    parts[name] = {"peak_mb": _hwm_kb() / 1024, "s": time.perf_counter() - started,
                                   "duckdb_mb": _duckdb_mb(args[0]) if args else float("nan")}
            return wrapper

        settle = pipeline._settle

        def settled(con, *args, **kwargs):
            # Everything before the settle is the accounts' collection (and opening the copy).
            parts["collecting"] = {"peak_mb": _hwm_kb() / 1024, "s": time.perf_counter() - began,
                                   "duckdb_mb": _duckdb_mb(con)}
            return measured("settle (whole)", settle)(con, *args, **kwargs)

        for name in STEPS:
            if callable(getattr(pipeline, name, None)):
                setattr(pipeline, name, measured(name, getattr(pipeline, name)))
        pipeline._settle = settled
    registry = parse_registry(Path(registry_file).read_text(encoding="utf-8"), registry_file)
    if steps:
        _reset_hwm()
    began = time.perf_counter()
    summary = pipeline.collect(registry, db)
    peak = max(parts.pop("_before", 0), _hwm_kb() / 1024)
    if "settle (whole)" in parts:  # its steps reset the mark: the settle's peak is the largest of theirs
        parts["settle (whole)"]["peak_mb"] = max(p["peak_mb"] for n, p in parts.items() if n != "collecting")
    print(json.dumps({"peak_mb": peak, "parts": parts, "repos_seen": summary.repos_seen, "new_commits": summary.new_commits,
                      "s": time.perf_counter() - began}))


def _run_child(args: list[str]) -> tuple[float, dict]:
    """Run a Python child to its end; its peak RSS in MB and what it printed."""
    with tempfile.TemporaryFile() as err:
        # Waited for with wait4 (not Popen.wait) to get this child's own resource usage.
        env = dict(os.environ)
        allocator_environment(env)
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=err, env=env)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise RuntimeError(f"child {args[:3]} failed ({code}): {err.read().decode()[-2000:]}")
    text = out.decode().strip().splitlines()
    return usage.ru_maxrss / 1024, json.loads(text[-1]) if text else {}


def import_floor() -> float:
    peak, _ = _run_child(["-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); import warehouse.pipeline"])
    return peak


def bench_scale(scale: float, repeat: int, steps: bool) -> tuple[dict, dict[str, list]]:
    ctx = multiprocessing.get_context("spawn")
    runs: dict[str, list] = {"first": [], "unchanged": []}
    with tempfile.TemporaryDirectory() as tmp:
        registry_file = str(Path(tmp) / "bench.toml")
        ready, stop = ctx.Queue(), ctx.Event()
        server = ctx.Process(target=_serve, args=(scale, registry_file, ready, stop), daemon=True)
        server.start()
        try:
            world = ready.get(timeout=600)
            for k in range(repeat):
                db = str(Path(tmp) / f"run{k}.duckdb")
                for kind in ("first", "unchanged"):
                    cmd = [__file__, "--child", registry_file, db] + (["--steps"] if steps else [])
                    peak, report = _run_child(cmd)
                    # With --steps the child's own account of its peak is the whole one (see child).
                    peak = max(peak, report.pop("peak_mb", 0))
                    runs[kind].append({"peak_mb": peak, **report})
                    print(f"  scale {scale:g} run {k + 1} {kind}: {peak:.0f} MB, {report.get('s', 0):.1f} s",
                          file=sys.stderr, flush=True)
        finally:
            stop.set()
            server.join(30)
    return world, runs


def _median(values) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def tables(results: list[tuple[float, dict, dict]], floor: float, steps: bool) -> str:
    lines = [(f"Peak RSS of the collecting process, MB (median of the repeats); importing "
              f"`warehouse.pipeline` alone: {floor:.0f} MB"), "",
             "| scale | repositories | commits | first collection | unchanged re-collection | first: seconds |",
             "|---|---|---|---|---|---|"]
    for scale, world, runs in results:
        lines.append(f"| {scale:g} | {world['repos']:,} | {world['commits']:,} | "
                     f"{_median(r['peak_mb'] for r in runs['first']):.0f} | "
                     f"{_median(r['peak_mb'] for r in runs['unchanged']):.0f} | "
                     f"{_median(r['s'] for r in runs['first']):.1f} |")
    if not steps:
        return "\n".join(lines)
    for scale, world, runs in results:
        for kind in ("first", "unchanged"):
            names = [n for n in ("collecting", *STEPS, "settle (whole)") if any(n in r["parts"] for r in runs[kind])]
            lines += ["", (f"Scale {scale:g} ({world['repos']:,} repositories), {kind}: peak RSS of each part "
                       "(high-water mark reset before it), DuckDB's allocator at its end, seconds"), "",
                      "| part | peak RSS MB | duckdb_memory() MB | seconds |", "|---|---|---|---|"]
            for name in names:
                got = [r["parts"][name] for r in runs[kind] if name in r["parts"]]
                lines.append(f"| {name} | {_median(p['peak_mb'] for p in got):.0f} | "
                             f"{_median(p['duckdb_mb'] for p in got):.0f} | {_median(p['s'] for p in got):.2f} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], "--steps" in sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default=",".join(str(s) for s in DEFAULT_SCALES),
                        help="comma-separated scales of the simulated world (repositories per account)")
    parser.add_argument("--repeat", type=int, default=3, help="first and unchanged collections per scale")
    parser.add_argument("--steps", action="store_true", help="also the peak of each part of the run")
    args = parser.parse_args()
    floor = _median(import_floor() for _ in range(args.repeat))
    results = []
    for scale in (float(s) for s in args.scales.split(",")):
        world, runs = bench_scale(scale, args.repeat, args.steps)
        results.append((scale, world, runs))
    print(tables(results, floor, args.steps), flush=True)


if __name__ == "__main__":
    main()
