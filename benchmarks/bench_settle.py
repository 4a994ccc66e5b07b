"""The warehouse work after a collection, step by step: first, unchanged and one-day runs.

Run: python benchmarks/bench_settle.py [--scales 9.5,16.5,33] [--unchanged 3] [--days 2]
     python benchmarks/bench_settle.py --design 1.0   (the metric facts at the design scale)

For every scale of the forge simulator's world (seed 7; the default scales give about 550,
1,000 and 2,000 repositories) it serves the world on loopback and collects it into a fresh
warehouse, then re-collects it unchanged (every answer a 304) ``--unchanged`` times and after
``--days`` simulated days of activity (``collectors.simulator.activity.add_day``, one
re-collection per day). Each step the pipeline runs after collecting (``_settle``: identities,
metric facts, results, reuse, goals) is timed by wrapping the pipeline's own functions, so the
same script measures any version of the pipeline. DuckDB's and Arrow's allocators start as
``ossdash collect`` starts them. Prints a Markdown table per scale (medians over the runs of each
kind) to paste into benchmarks/RESULTS.md.

With ``--design F`` it instead builds benchmarks/bench_queries.py's synthetic warehouse at F times
the design scale (100 entities, 20,000 repositories, 5M commits at 1.0; minutes to build) and times
``refresh_metric_facts``: refilled whole, after an unchanged run, after one repository changed,
and after a tenth of the repositories changed; a per-entity read of the facts before and after
rows were appended out of sort order; and the whole settle, step by step, with the peak RSS of each
kind, after a run that found nothing new, after one that changed one repository, and after one
that noted everything (as a first collection does). The warehouse is opened with the collector's
memory limit and threads, and DuckDB's and Arrow's allocators start as ``ossdash collect`` starts
them.

Numbers, never asserted in unit tests: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# DuckDB's and Arrow's allocators as `ossdash collect` starts them, before either is loaded.
from warehouse.resources import allocator_environment, collection_resources

allocator_environment()

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World, activity
from warehouse import pipeline

# The steps of the settle, by the name the pipeline calls them; a name the pipeline in use
# does not have is left out of the table.
STEPS = ("note_changes", "rebuild_identities", "refresh_identities", "refresh_metric_facts", "refresh_metric_results", "refresh_reuse",
         "sync_goals", "write_snapshots", "clear_changes")
DEFAULT_SCALES = (9.5, 16.5, 33.0)


class StepTimer:
    """Wraps the pipeline's step functions and its settle; collects seconds per step per run."""

    def __init__(self) -> None:
        self.current: dict[str, float] = {}
        self.wrapped = [name for name in (*STEPS, "_settle") if callable(getattr(pipeline, name, None))]
        for name in self.wrapped:
            setattr(pipeline, name, self._timed(name, getattr(pipeline, name)))
        notes = getattr(pipeline, "changes", None)  # what the run noted as changed, where it notes
        if notes is not None and hasattr(notes, "clear"):
            clear = notes.clear

            def counting_clear(con):
                self.current["repositories noted"] = con.execute("SELECT count(*) FROM changed_repos").fetchall()[0][0]
                clear(con)

            notes.clear = counting_clear

    def _timed(self, name, fn):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.current[name] = self.current.get(name, 0.0) + time.perf_counter() - started
        return timed

    def take(self) -> dict[str, float]:
        taken, self.current = self.current, {}
        return taken


def bench_scale(scale: float, unchanged: int, days: int, timer: StepTimer) -> tuple[str, dict[str, list[dict]]]:
    world = World(seed=7, scale=scale)
    runs: dict[str, list[dict]] = defaultdict(list)
    with ForgeSimulator(world, rate_limit=10_000_000) as sim, tempfile.TemporaryDirectory() as tmp:
        registry = parse_registry(sim.registry_toml(), "bench.toml")
        db = Path(tmp) / "bench.duckdb"

        def run(kind: str) -> None:
            timer.take()
            started = time.perf_counter()
            summary = pipeline.collect(registry, db)
            steps = timer.take()
            steps["whole run"] = time.perf_counter() - started
            steps["commits new"] = summary.new_commits
            runs[kind].append(steps)

        run("first")
        for _ in range(unchanged):
            run("unchanged")
        for _ in range(days):
            activity.add_day(world)
            run("one day")
    commits = sum(len(r.commits) for r in world.repos)
    return f"{len(world.repos):,} repositories, {commits:,} commits", runs


def table(title: str, runs: dict[str, list[dict]], wrapped: list[str]) -> str:
    kinds = list(runs)
    lines = [f"{title}; seconds, median of the runs of each kind (runs: "
             + ", ".join(f"{k} {len(runs[k])}" for k in kinds) + ")", "",
             "| step | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    names = [n for n in (*STEPS, "_settle", "whole run") if n in wrapped or n == "whole run"]
    for name in names:
        label = "settle (all steps after collecting)" if name == "_settle" else name
        cells = [f"{statistics.median(r.get(name, 0.0) for r in runs[k]):.3f}" for k in kinds]
        if name == "_settle":
            cells = [f"**{c}**" for c in cells]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if any("repositories noted" in r for k in kinds for r in runs[k]):
        lines.append("| repositories noted as changed (median) | " + " | ".join(
            f"{statistics.median(r.get('repositories noted', 0) for r in runs[k]):.0f}" for k in kinds) + " |")
    lines.append("| new commits (median) | " + " | ".join(
        f"{statistics.median(r['commits new'] for r in runs[k]):.0f}" for k in kinds) + " |")
    return "\n".join(lines)


def _reset_peak() -> None:
    # Writing 5 resets the kernel's high-water mark to the current RSS (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _one_more_commit(con, repo: tuple[str, str, str], suffix: str) -> None:
    """A copy of one of the repository's commits under a new SHA, noted as a change, as a collection would."""
    con.execute("INSERT INTO commits SELECT forge, host, repo_path, sha || ?, author_name, author_email, "
                "author_login, authored_at, committer_name, committer_email, committer_login, committed_at, "
                "message FROM commits WHERE forge = ? AND host = ? AND repo_path = ? LIMIT 1", [suffix, *repo])
    con.execute("INSERT OR IGNORE INTO changed_repos VALUES (?, ?, ?, 'rows')", list(repo))


def bench_design(scale: float, repeat: int = 3) -> str:
    """refresh_metric_facts on the synthetic warehouse of bench_queries.py, by what changed."""
    from datetime import UTC, datetime, timedelta

    import duckdb

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_queries  # the synthetic warehouse builder

    from warehouse.identities import rebuild_identities
    from warehouse.metrics import facts, refresh_metric_facts
    from warehouse.schema import migrate
    from warehouse.state import sync_registry

    registry = parse_registry(bench_queries.registry_text(bench_queries.ENTITIES), "bench.toml")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "design.duckdb")
        con = duckdb.connect(path)  # building it takes more than a collector's memory limit
        migrate(con)
        sync_registry(con, registry)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        bench_queries.build(con, registry, scale, end)
        rebuild_identities(con, registry)
        con.execute("DELETE FROM changed_repos; DELETE FROM changed_scopes")
        con.close()
        # From here on the collector's memory limit and threads, as the pipeline opens its working copy.
        con = duckdb.connect(path, config=collection_resources().duckdb_config())
        size = con.execute("SELECT (SELECT count(*) FROM repos), (SELECT count(*) FROM commits), "
                           "(SELECT count(*) FROM items)").fetchall()[0]
        rows.append(("refilled whole", [_timed(lambda: refresh_metric_facts(con)) for _ in range(repeat)]))
        rows.append(("nothing changed (incremental)",
                     [_timed(lambda: refresh_metric_facts(con, incremental=True)) for _ in range(repeat)]))
        # A repository of typical size (the median by commits) gets a new commit.
        repo = con.execute(
            "SELECT forge, host, repo_path FROM (SELECT forge, host, repo_path, count(*) n FROM commits GROUP BY ALL) "
            "ORDER BY n, repo_path LIMIT 1 OFFSET (SELECT count(DISTINCT repo_path) / 2 FROM commits)").fetchall()[0]
        one = []
        for k in range(repeat):
            _one_more_commit(con, repo, f"-{k}")
            one.append(_timed(lambda: refresh_metric_facts(con, incremental=True)))
            con.execute("DELETE FROM changed_repos")
        rows.append((f"one repository changed ({repo[2]})", one))
        entity = con.execute("SELECT entity_id FROM repos ORDER BY entity_id LIMIT 1 OFFSET 5").fetchall()[0][0]
        read = ("SELECT month, count(*), count(DISTINCT person_id) FROM commit_facts WHERE entity_id = ? "
                "AND NOT is_bot GROUP BY month")
        sorted_read = sorted(_timed(lambda: con.execute(read, [entity]).fetchall()) for _ in range(7))[3]
        # A tenth of the repositories changed, refreshed incrementally (the re-sort held off).
        con.execute("INSERT INTO changed_repos SELECT forge, host, path, 'rows' FROM repos USING SAMPLE 10 PERCENT "
                    "(reservoir, 7)")
        facts.UNSORTED_SHARE = 10.0
        rows.append(("a tenth of the repositories changed (incremental, no re-sort)",
                     [_timed(lambda: refresh_metric_facts(con, incremental=True))]))
        con.execute("DELETE FROM changed_repos")
        appended_read = sorted(_timed(lambda: con.execute(read, [entity]).fetchall()) for _ in range(7))[3]
        # The whole settle of a collection: one that found nothing new, one that changed one
        # repository; each step timed as in the simulator runs.
        refresh_metric_facts(con)
        timer = StepTimer()
        steps: dict[str, list[dict]] = defaultdict(list)
        peaks: dict[str, int] = {}

        def settle_once(kind: str, new: int) -> float:
            timer.take()
            _reset_peak()
            seconds = _timed(lambda: pipeline._settle(con, registry))
            peaks[kind] = max(peaks.get(kind, 0), _peak_mb())
            steps[kind].append({**timer.take(), "commits new": new})
            return seconds

        rows.append(("whole settle (`_settle`): nothing changed",
                     [settle_once("nothing changed", 0) for _ in range(repeat)]))
        settle = []
        for k in range(repeat):
            _one_more_commit(con, repo, f"-s{k}")
            settle.append(settle_once("one repository changed", 1))
        rows.append(("whole settle (`_settle`): one repository changed", settle))
        # What a first collection's settle does: everything made again from the data.
        con.execute("INSERT INTO changed_scopes VALUES ('everything', 'benchmark') ON CONFLICT DO NOTHING")
        rows.append(("whole settle (`_settle`): everything noted", [settle_once("everything noted", 0)]))
        con.close()
    lines = [(f"Design scale x{scale:g} ({size[0]:,} repositories, {size[1]:,} commits, {size[2]:,} items): "
             "`refresh_metric_facts` and the whole settle, seconds (median of the runs)"), "",
             "| what changed | runs | seconds |", "|---|---|---|"]
    lines += [f"| {name} | {len(t)} | {statistics.median(t):.3f} |" for name, t in rows]
    lines += ["", (f"Per-entity read of commit_facts (months, commits, people of {entity}), median of 7: "
              f"{sorted_read * 1000:.1f} ms in sort order, {appended_read * 1000:.1f} ms after a tenth of the "
              "repositories were appended out of order."), "",
              table("The whole settle step by step", steps, timer.wrapped), "",
              "Peak RSS of this process during each kind of settle (high-water mark reset before each): "
              + ", ".join(f"{kind} {mb:,} MB" for kind, mb in peaks.items()) + "."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default=",".join(str(s) for s in DEFAULT_SCALES),
                        help="comma-separated scales of the simulated world (repositories per account)")
    parser.add_argument("--unchanged", type=int, default=3, help="unchanged re-collections per scale")
    parser.add_argument("--days", type=int, default=2, help="one-day re-collections per scale")
    parser.add_argument("--design", type=float, help="time the metric facts on the synthetic warehouse instead")
    args = parser.parse_args()
    if args.design:
        print(bench_design(args.design), flush=True)
        return
    timer = StepTimer()
    for scale in (float(s) for s in args.scales.split(",")):
        title, runs = bench_scale(scale, args.unchanged, args.days, timer)
        print(table(f"Scale {scale:g} ({title})", runs, timer.wrapped) + "\n", flush=True)


if __name__ == "__main__":
    main()
