"""Collection benchmarks on the forge simulator: request cost, 304 share, load speed, memory.

Run: python benchmarks/bench_collection.py [--scale N]. Prints a Markdown table to paste into
benchmarks/RESULTS.md. Numbers, never asserted in unit tests: shared machines make timings flaky.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb

from collectors.records import CommitRecord
from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World, activity
from warehouse import loader
from warehouse.pipeline import collect
from warehouse.schema import migrate


def minimum_requests(world: World) -> int:
    """Fewest requests a complete first collection can make, page by page, at 100 a page."""

    def pages(n: int) -> int:
        return max(1, -(-n // 100))

    total = 0
    for account in world.accounts:
        repos = world.repos_of(account.forge, account.path)
        total += pages(len(repos))  # the listing
        if account.kind != "user":
            total += pages(len(account.members))
        for r in repos:
            github = r.forge == "github"
            if r.commits:
                total += pages(len(r.commits))
            elif github:
                total += 1  # GitHub answers 409 for an empty repository
            if github:
                total += 1 + (pages(len(r.items)) if r.items else 0)  # change probe, then the walk
                comments = [c for i in r.items for c in i.comments]
                total += pages(sum(1 for c in comments if c.kind == "comment"))
                total += pages(sum(1 for c in comments if c.kind == "review_comment"))
                total += 1 if r.is_fork else 0  # the parent is only on the fork's own page
            else:
                total += 1  # the licence is only on the project's own page
                total += pages(sum(1 for i in r.items if i.kind == "issue"))
                total += pages(sum(1 for i in r.items if i.kind == "change_request"))
                total += sum(pages(len(i.comments)) for i in r.items if any(not c.system for c in i.comments))
            total += pages(len(r.releases)) + pages(len(r.forks))
            total += sum(1 for i in r.items if i.kind == "change_request" and i.state == "merged")  # reviews, whole
            total += 1 if (r.commits or github) else 0  # root listing
            root = r.folder("") if r.commits else []
            total += 1 if github and (".github", None) in root else 0  # .github/workflows
            total += 1 if "publiccode.yml" in r.files and r.commits else 0
    return total


def bench_collection(scale: float) -> list[tuple[str, str]]:
    world = World(seed=7, activity_scale=scale)
    rows = []
    with ForgeSimulator(world) as sim, tempfile.TemporaryDirectory() as tmp:
        registry = parse_registry(sim.registry_toml(), "bench.toml")
        db = Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        first = collect(registry, db)
        took = time.perf_counter() - started
        minimum = minimum_requests(world)
        rows.append(("first collection: requests (minimum the APIs allow)", f"{first.requests} ({minimum}, +{(first.requests / minimum - 1) * 100:.1f}%)"))
        rows.append(("first collection: wall time", f"{took:.1f} s for {len(world.repos)} repositories, {first.new_commits} commits"))
        sim.reset_counters()
        second = collect(registry, db)
        per_repo = sim.total_requests() / len(world.repos)
        share = sim.total_not_modified() / max(1, sim.total_requests())
        rows.append(("unchanged re-collection: requests per repository", f"{per_repo:.2f} (bar: at most 0.6)"))
        rows.append(("unchanged re-collection: answered 304", f"{share * 100:.1f}% (bar: at least 95%)"))
        rows.append(("unchanged re-collection: requests by endpoint", _by_endpoint(sim.requests, 8)))
        assert second.new_commits == 0
        before = sum(len(r.commits) for r in world.repos)
        added = activity.add_day(world)
        sim.reset_counters()
        third = collect(registry, db)
        changed = len({(r.forge, r.path) for r in world.repos if r.pushed_at and r.pushed_at >= world.now - timedelta(days=1)})
        rows.append(("one-day re-collection: requests per repository (all; per changed one)",
                     (f"{sim.total_requests() / len(world.repos):.2f}; {sim.total_requests() / max(1, changed):.1f} "
                     f"({changed} of {len(world.repos)} repositories changed: {added.get('commits', 0)} commits, "
                     f"{added.get('items', 0)} items, {added.get('comments', 0)} comments, {added.get('releases', 0)} releases)")))
        rows.append(("one-day re-collection: requests by endpoint (top 6)", _by_endpoint(sim.requests, 6)))
        bodies = sim.total_requests() - sim.total_not_modified()
        rows.append(("one-day re-collection: answered 304; answers with a body",
                     (f"{sim.total_not_modified()} of {sim.total_requests()}; {bodies} "
                      f"({bodies / max(1, changed):.1f} per changed repository)")))
        conditional = [k for k in sim.requests if k.endswith(("/releases", "/contents/{path}", "/repository/tree"))]
        rows.append(("one-day re-collection: releases and root listings answered 304",
                     f"{sum(sim.not_modified[k] for k in conditional)} of {sum(sim.requests[k] for k in conditional)}"))
        rows.append(("connections opened by the collector (first, unchanged and one-day runs: last run)",
                     f"{sum(sim.connections.values())} for {sim.total_requests()} requests"))
        # A mirror shares its original's history: its new commits are counted for it too.
        assert third.new_commits == sum(len(r.commits) for r in world.repos) - before, (third.new_commits, added)
    rows.append(("peak memory of the whole benchmark process (RSS)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    return rows


def _by_endpoint(counter, top: int) -> str:
    """The busiest endpoints, forges folded together (GitLab's and openCoDE's are the same API)."""
    folded: dict[str, int] = {}
    for key, n in counter.items():
        endpoint = key.split(" GET ")[-1]
        folded[endpoint] = folded.get(endpoint, 0) + n
    return ", ".join(f"{k} {n}" for k, n in sorted(folded.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def bench_load(n: int = 200_000) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    records = [
        CommitRecord("github", "github.com", f"org/repo{i % 500}", f"{i:040x}", "Name", "a@b.example", "login",
                     now, "Name", "a@b.example", "login", now, "message")
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "load.duckdb"))
        migrate(con)
        convert = load = 0.0
        for i in range(0, n, 50_000):
            started = time.perf_counter()
            batch = loader.to_arrow(records[i : i + 50_000], loader.COMMITS)
            converted = time.perf_counter()
            con.execute("BEGIN")
            loader.upsert(con, loader.COMMITS, batch)
            con.execute("COMMIT")
            convert += converted - started
            load += time.perf_counter() - converted
        con.close()
    return [
        ("bulk load: Arrow batch to DuckDB upsert (new keys, PK index kept)", f"{n / load:,.0f} rows/s (bar: at least 100,000)"),
        ("bulk load: Python records to Arrow", f"{n / convert:,.0f} rows/s"),
        ("bulk load: end to end, records to committed rows", f"{n / (convert + load):,.0f} rows/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="activity scale of the simulated world")
    args = parser.parse_args()
    rows = bench_collection(args.scale) + bench_load()
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
