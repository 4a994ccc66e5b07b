"""Every query call the pages make, recorded at the data layer and re-timed, at the design scale.

The query benchmark (bench_queries.py) times a list of calls written by hand, which can miss one
a page makes. This one asks the pages: it runs every page of the dashboard (Streamlit's AppTest,
in this process) on a synthetic warehouse built by bench_queries.py, at every period the sidebar
offers and for the largest and a typical entity, records each call that reaches
``dashboard.data.query`` (the one door from the pages to the warehouse), then replays every
distinct call on a read-only snapshot connection ``--repeat`` times and reports its median and
p95. Calls that take a ``now`` are replayed a second time a day earlier (another moment than the
last collection's). Page run times come along: cold with the query cache cleared (every query
runs), warm the same page again with the cache kept (what a rerun or a return to the page costs).
The reuse page's evidence toggle is timed apart: the run that switches it on, cold and warm.

Run: python benchmarks/bench_page_calls.py [--db PATH [--keep]] [--scale 1.0] [--repeat 20]
                                           [--pages reuse,entity] [--results benchmarks/RESULTS.md]
Numbers, never asserted in unit tests.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_queries
import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from collectors.registry import parse_registry
from dashboard import data
from dashboard.filters import PERIODS
from warehouse.reader import cursor, open_readonly
from warehouse.schema import migrate
from warehouse.state import sync_registry

APP = ROOT / "dashboard" / "app.py"
PAGES = sorted(p.name for p in (ROOT / "dashboard" / "views").glob("*.py") if p.name != "__init__.py")
BAR_MS = 150.0


@dataclass
class Recorder:
    """The distinct calls seen at ``dashboard.data.query``, in the order first seen."""

    calls: dict[str, tuple[Callable[..., Any], tuple, dict]] = field(default_factory=dict)
    pages: dict[str, set[str]] = field(default_factory=dict)
    page: str = ""

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def recording(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            key = f"{fn.__module__}.{fn.__qualname__}({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in sorted(kwargs.items())])})"
            self.calls.setdefault(key, (fn, args, kwargs))
            self.pages.setdefault(key, set()).add(self.page)
            return original(fn, *args, **kwargs)
        return recording


def build(path: Path, scale: float) -> None:
    registry = parse_registry(bench_queries.registry_text(bench_queries.ENTITIES), "bench.toml")
    con = duckdb.connect(str(path))
    try:
        migrate(con)
        sync_registry(con, registry)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        bench_queries.build(con, registry, scale, end)
        con.execute("CHECKPOINT")
        bench_queries.settle(con, registry, datetime.now(UTC))
    finally:
        con.close()


def probe_entities(path: Path) -> tuple[str, str, tuple[str, str, str]]:
    con = open_readonly(path)
    try:
        sizes = con.execute(
            "SELECT entity_id, count(*) AS n FROM repos GROUP BY entity_id ORDER BY n DESC, entity_id"
        ).fetchall()
        big, typical = sizes[0][0], sizes[len(sizes) // 2][0]
        repo = con.execute(
            "SELECT r.forge, r.host, r.path FROM repos r JOIN commits c ON c.forge = r.forge AND c.host = r.host"
            " AND c.repo_path = r.path WHERE r.entity_id = ? GROUP BY ALL ORDER BY count(*) DESC, r.path LIMIT 1",
            [big],
        ).fetchall()[0]
        return big, typical, tuple(repo)
    finally:
        con.close()


def run_page(page: str, params: dict[str, str]) -> float:
    at = AppTest.from_file(str(APP), default_timeout=600)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"views/{page}")
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page} {params}: {at.exception[0].message}")
    return seconds


def run_evidence_listing(params: dict[str, str]) -> float:
    """The reuse page with its evidence toggle switched on: the seconds of the run that lists the
    pieces of evidence (the page itself already run once)."""
    at = AppTest.from_file(str(APP), default_timeout=600)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("views/reuse.py")
    at.run()
    toggle = at.toggle(key="reuse.evidence")
    started = time.perf_counter()
    toggle.set_value(True).run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"reuse evidence {params}: {at.exception[0].message}")
    return seconds


def visits(big: str, typical: str, repo: tuple[str, str, str]) -> list[dict[str, str]]:
    """The query parameters each page is opened with: every period, two entities, one repository."""
    out: list[dict[str, str]] = []
    for period in PERIODS:
        for entity in (big, typical):
            out.append({"period": str(period), "entity": entity})
    out.append({"entity": big, "repo": f"{repo[0]}:{repo[1]}/{repo[2]}"})
    out.append({"lang": "de", "entity": typical})
    return out


def replay(path: Path, recorder: Recorder, repeat: int) -> list[tuple[str, int, float, float]]:
    con = open_readonly(path)
    rows: list[tuple[str, int, float, float]] = []
    try:
        for key, (fn, args, kwargs) in recorder.calls.items():
            cases = [(key, kwargs)]
            params = inspect.signature(fn).parameters
            if "now" in params and kwargs.get("now") is None:
                moment = _as_of(con)
                if moment is not None:
                    cases.append((f"{key} [a day earlier]", {**kwargs, "now": moment - timedelta(days=1)}))
            for label, kw in cases:
                cur = cursor(con)
                try:
                    result = fn(cur, *args, **kw)
                    times = []
                    for _ in range(repeat):
                        started = time.perf_counter()
                        fn(cur, *args, **kw)
                        times.append((time.perf_counter() - started) * 1000)
                finally:
                    cur.close()
                size = len(result) if hasattr(result, "__len__") else 1
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                rows.append((label, size, statistics.median(times), p95))
    finally:
        con.close()
    return rows


def _as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    # The metrics package knows the moment of the last collection; found by name so that this
    # benchmark does not depend on where it lives.
    metrics = importlib.import_module("warehouse.metrics")
    cur = cursor(con)
    try:
        return metrics.as_of(cur)
    finally:
        cur.close()


def _chosen(names: str) -> list[str]:
    wanted = [f"{n.strip().removesuffix('.py')}.py" for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in PAGES]
    if unknown or not wanted:
        raise SystemExit(f"--pages: unknown page(s) {', '.join(n.removesuffix('.py') for n in unknown) or repr(names)}"
                         f" (pages: {', '.join(p.removesuffix('.py') for p in PAGES)})")
    return wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="where to build (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="reuse the warehouse at --db if it exists")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the design scale")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per call")
    parser.add_argument("--pages", help="only these pages, comma-separated (e.g. reuse,entity; default: every page)")
    parser.add_argument("--results", type=Path, help="append the tables to this Markdown file")
    args = parser.parse_args()
    pages = PAGES if args.pages is None else _chosen(args.pages)
    lines: list[str] = []

    def out(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "bench.duckdb"
    try:
        if not (args.keep and args.db.exists()):
            args.db.unlink(missing_ok=True)
            started = time.perf_counter()
            build(args.db, args.scale)
            print(f"built and settled in {time.perf_counter() - started:.0f} s", flush=True)
        os.environ["OSSDASH_DB"] = str(args.db)
        big, typical, repo = probe_entities(args.db)
        recorder = Recorder()
        data.query = recorder.wrap(data.query)
        page_times: dict[str, tuple[list[float], list[float]]] = {}
        for page in pages:
            recorder.page = page
            for params in visits(big, typical, repo):
                st.cache_data.clear()
                cold = run_page(page, params)
                warm = run_page(page, params)
                colds, warms = page_times.setdefault(page, ([], []))
                colds.append(cold)
                warms.append(warm)
            if page == "reuse.py":  # and its listing of every piece of evidence, on demand
                for params in visits(big, typical, repo)[:2] + visits(big, typical, repo)[-1:]:
                    st.cache_data.clear()
                    cold = run_evidence_listing(params)
                    warm = run_evidence_listing(params)
                    colds, warms = page_times.setdefault("reuse.py, evidence toggled on", ([], []))
                    colds.append(cold)
                    warms.append(warm)
        out(f"## Every query call the pages make, at scale {args.scale:g} ({datetime.now(UTC):%Y-%m-%d})")
        out()
        only = "" if args.pages is None else f" --pages {','.join(p.removesuffix('.py') for p in pages)}"
        out(f"`python benchmarks/bench_page_calls.py --scale {args.scale:g} --repeat {args.repeat}{only}`:"
            f" {os.cpu_count()} cores, DuckDB {duckdb.__version__}, load average {os.getloadavg()[0]:.1f}."
            f" Pages opened at every period ({', '.join(map(str, PERIODS))} days) for the largest and a"
            f" typical entity, one repository, and in German: {len(recorder.calls)} distinct calls.")
        out()
        out("| page | runs | cold median s | cold max s | warm median s | warm max s |")
        out("|---|---|---|---|---|---|")
        for page, (colds, warms) in page_times.items():
            out(f"| {page} | {len(colds)} | {statistics.median(colds):.2f} | {max(colds):.2f} |"
                f" {statistics.median(warms):.2f} | {max(warms):.2f} |")
        out()
        rows = replay(args.db, recorder, args.repeat)
        over = [r for r in rows if r[3] >= BAR_MS]
        out(f"{len(rows)} timed calls (with the earlier moments), {len(over)} with p95 at or over {BAR_MS:.0f} ms.")
        out()
        out("| call | rows | median ms | p95 ms |")
        out("|---|---|---|---|")
        for label, size, med, p95 in sorted(rows, key=lambda r: -r[3]):
            shown = label if len(label) <= 160 else label[:157] + "..."
            out(f"| `{shown}` | {size:,} | {med:,.1f} | {p95:,.1f}{'' if p95 < BAR_MS else ' **over**'} |")
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.results is not None:
        with args.results.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
