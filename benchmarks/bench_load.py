"""Loading collected batches into a warehouse that already holds a million commits.

Issue 13's bar: 5,000-row batches into a table of 1M rows at no less than 100,000 rows/s. A batch
here is what the pipeline commits for about 25 repositories of 200 new commits each: their
commits, and for each repository the listings that replace what was stored (releases, forks, root
files, publiccode.yml) and the cursors, through ``warehouse.batches.Pending`` as the pipeline
queues them. Timed: the whole commit of a batch (``flush``), and the commits' upsert alone.

    python benchmarks/bench_load.py [--rows 1000000] [--batches 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.records import CommitRecord, ReleaseRecord
from warehouse import loader, state
from warehouse.batches import BATCH_ROWS, Pending
from warehouse.schema import migrate

FORGE, HOST = "github", "github.example"
PER_REPO = 200


def _prefill(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    # 2,000 repositories of 500 commits each, keys in the shape the collectors give them.
    con.execute(
        """
        INSERT INTO commits
        SELECT ?, ?, 'org/old' || (i % 2000), md5(i::VARCHAR) || lpad(i::VARCHAR, 8, '0'),
               'Name ' || (i % 997), 'p' || (i % 997) || '@city.example', 'login' || (i % 997),
               TIMESTAMPTZ '2024-01-01' + to_seconds(i), 'Name ' || (i % 997), 'p' || (i % 997) || '@city.example',
               'login' || (i % 997), TIMESTAMPTZ '2024-01-01' + to_seconds(i), 'a commit message of some length'
        FROM range(?) t(i)
        """,
        [FORGE, HOST, rows],
    )
    con.execute(
        "INSERT INTO releases SELECT ?, ?, 'org/old' || (i % 2000), 'v' || i, 'v' || i, "
        "TIMESTAMPTZ '2024-01-01' + to_seconds(i), false FROM range(20000) t(i)",
        [FORGE, HOST],
    )
    con.execute("CHECKPOINT")


def _batch(start: int, now: datetime) -> tuple[list[str], list[CommitRecord]]:
    repos = [f"org/new{(start // PER_REPO) + k}" for k in range(BATCH_ROWS // PER_REPO)]
    commits = [
        CommitRecord(FORGE, HOST, repo, f"{start + k * PER_REPO + j:040x}", "Name", "a@city.example", "login",
                     now - timedelta(minutes=j), "Name", "a@city.example", "login", now - timedelta(minutes=j),
                     "message")
        for k, repo in enumerate(repos) for j in range(PER_REPO)
    ]
    return repos, commits


def _queue(pending: Pending, repos: list[str], commits: list[CommitRecord], now: datetime) -> None:
    for repo in repos:
        pending.replace(loader.RELEASES, {"repo_path": repo},
                        [ReleaseRecord(FORGE, HOST, repo, "v1", "v1", now)])
        pending.replace(loader.FORKS, {"repo_path": repo}, [])
        pending.replace(loader.ROOT_FILES, {"repo_path": repo}, [])
        pending.replace(loader.PUBLICCODE, {"repo_path": repo}, [])
    pending.add(loader.COMMITS, commits)
    for repo in repos:
        pending.cursor(repo, "commits", state.Cursor(cursor_at=now, marker=None))


def run(rows: int, batches: int) -> dict[str, float]:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "load.duckdb"))
        migrate(con)
        _prefill(con, rows)
        flush_s, upsert_s, loaded = [], [], 0
        for b in range(batches):
            repos, commits = _batch(b * BATCH_ROWS * 2, now)
            pending = Pending(con, FORGE, HOST)
            _queue(pending, repos, commits, now)
            started = time.perf_counter()
            pending.flush()
            flush_s.append(time.perf_counter() - started)
            loaded += len(commits)
            # The upsert alone, on a second set of new keys.
            _, more = _batch(b * BATCH_ROWS * 2 + BATCH_ROWS, now)
            table = loader.to_arrow(more, loader.COMMITS)
            started = time.perf_counter()
            con.execute("BEGIN")
            loader.upsert(con, loader.COMMITS, table)
            con.execute("COMMIT")
            upsert_s.append(time.perf_counter() - started)
        total = con.execute("SELECT count(*) FROM commits").fetchall()[0][0]
        con.close()
    assert total == rows + 2 * loaded, total
    return {
        "flush": BATCH_ROWS / statistics.median(flush_s),
        "upsert": BATCH_ROWS / statistics.median(upsert_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="commits stored before the batches")
    parser.add_argument("--batches", type=int, default=20, help="batches timed per repeat")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rows:,} commits stored; "
          f"{args.batches} batches of {BATCH_ROWS:,} commits in {BATCH_ROWS // PER_REPO} repositories")
    results = [run(args.rows, args.batches) for _ in range(args.repeat)]
    print("| measure | rows/s (median of repeats) | bar |")
    print("|---|---|---|")
    for key, label in (("flush", "a whole batch committed (commits, replaced listings, cursors)"),
                       ("upsert", "the commits' upsert alone")):
        value = statistics.median(r[key] for r in results)
        print(f"| {label} | {value:,.0f} | at least 100,000 |")


if __name__ == "__main__":
    main()
