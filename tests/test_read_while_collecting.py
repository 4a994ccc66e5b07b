"""The dashboard keeps serving consistent data while collections publish new snapshots.

Collections run as real `ossdash collect` processes, one after another, each after a day of new
activity on the forges, so each publishes a new snapshot over the same path. Meanwhile threads
read the warehouse the three ways the product does:

- raw read-only opens (``warehouse.reader.open_readonly``) with warehouse query functions run on
  the connection, and one long-lived connection held across publishes;
- the dashboard's data layer (``dashboard.data.query``, the cached per-snapshot connection the
  pages use), calling warehouse query functions;
- whole pages run by Streamlit's AppTest.

Every answer must come from exactly one published snapshot: each read takes ``max(run_id)`` from
``runs`` and the number of commits in one go, and that pair must be one of the pairs recorded
from the snapshots as they were published, never a mix. No read may fail.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from dashboard import data
from dashboard.i18n import Translator
from tests.reliability_support import FAST, Collector, Figures
from warehouse import reader
from warehouse.pages import activity_figures, directory, run_log
from warehouse.pipeline import collect

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PUBLISHING = "publishing the new snapshot"
PAIR_SQL = "SELECT (SELECT max(run_id) FROM runs), (SELECT count(*) FROM commits)"
PAGES = ("views/status.py", "views/overview.py")


def snapshot_pair(con) -> tuple[int, int]:
    """(newest run, commits) of the snapshot ``con`` reads, checked against the run log that a
    warehouse query function reads on the same connection."""
    ((run_id, commits),) = con.execute(PAIR_SQL).fetchall()
    runs = run_log.runs(con)
    assert int(runs["run_id"].max()) == run_id, "two queries on one connection saw different snapshots"
    return int(run_id), int(commits)


@dataclass
class Reads:
    """Every read's (started, ended, kind, pair), the errors, and the published snapshots."""

    published: dict[tuple, tuple[int, int]] = field(default_factory=dict)  # snapshot key -> pair
    observed: list[tuple[float, float, str, tuple[int, int]]] = field(default_factory=list)
    keyed: list[tuple[tuple, tuple[int, int]]] = field(default_factory=list)  # data layer: key -> pair
    errors: list[str] = field(default_factory=list)
    windows: list[tuple[float, float]] = field(default_factory=list)  # publishing line -> process end
    pages: list[tuple[str, str]] = field(default_factory=list)  # (page, runs figure or "")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, started: float, kind: str, pair: tuple[int, int]) -> None:
        with self.lock:
            self.observed.append((started, time.monotonic(), kind, pair))

    def fail(self, kind: str, exc: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")

    def record_published(self, db: Path) -> None:
        key = reader.snapshot_key(db)
        con = reader.open_readonly(db)
        try:
            pair = snapshot_pair(reader.cursor(con))
        finally:
            con.close()
        assert reader.snapshot_key(db) == key, "the file changed while its snapshot was being recorded"
        self.published[key] = pair


def _add_activity(world: World, day: int) -> None:
    world.advance(days=1)
    for forge in ("github", "gitlab", "opencode"):
        repos = [r for r in world.repos if r.forge == forge and not r.archived]
        repo = repos[day % len(repos)]
        world.add_commits(forge, repo.path, 3)
        world.add_item(forge, repo.path, "issue")


def _raw_reader(db: Path, reads: Reads, stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            con = reader.open_readonly(db)
            try:
                cur = reader.cursor(con)
                pair = snapshot_pair(cur)
                overview = activity_figures.entity_overview(cur)
                assert len(overview) > 0, "the entity overview came back empty"
                assert snapshot_pair(cur) == pair, "one connection answered from two snapshots"
            finally:
                con.close()
            reads.note(started, "raw", pair)
        except Exception as exc:  # noqa: BLE001 - every failed read is counted and reported
            reads.fail("raw", exc)
        # Pauses: the simulator serving the collection shares this process.
        time.sleep(0.02)


def _long_reader(db: Path, reads: Reads, stop: threading.Event) -> None:
    # One connection held while publishes happen: it keeps reading the file it opened.
    while not stop.is_set():
        started = time.monotonic()
        try:
            con = reader.open_readonly(db)
            try:
                first = snapshot_pair(reader.cursor(con))
                stop.wait(0.5)
                again = snapshot_pair(reader.cursor(con))
                assert again == first, f"a held connection moved from {first} to {again}"
            finally:
                con.close()
            reads.note(started, "held", first)
        except Exception as exc:  # noqa: BLE001
            reads.fail("held", exc)


def _data_layer_reader(reads: Reads, stop: threading.Event) -> None:
    # The pages' way: data.query picks the current snapshot and its cached connection.
    while not stop.is_set():
        started = time.monotonic()
        try:
            before = data.current_snapshot().key
            pair = data.query(snapshot_pair)
            after = data.current_snapshot().key
            assert data.query(directory.entities).shape[0] > 0
            assert data.query(run_log.account_freshness).shape[0] > 0
            reads.note(started, "data", pair)
            if before == after:
                with reads.lock:
                    reads.keyed.append((before, pair))
        except Exception as exc:  # noqa: BLE001
            reads.fail("data", exc)
        time.sleep(0.05)


def _collections(registry: Path, db: Path, sim: ForgeSimulator, rounds: int, reads: Reads) -> None:
    try:
        for day in range(1, rounds + 1):
            with sim.lock:
                _add_activity(sim.world, day)
            run = Collector(registry, db)
            code = run.wait(180)
            ended = time.monotonic()
            assert code == 0, f"collection {day} exited {code}:\n{run.stderr()}"
            publishing = run.seen(PUBLISHING)
            assert publishing is not None, run.stderr()
            with reads.lock:
                reads.windows.append((publishing, ended))
            reads.record_published(db)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        reads.fail("collection", exc)


def _run_page(page: str, reads: Reads) -> None:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["lang"] = "en"
    at.switch_page(page).run()
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    if problems:
        reads.fail(f"page {page}", AssertionError(problems))
        return
    figure = ""
    if page == "views/status.py":
        figure = {m.label: m.value for m in at.metric}[Translator("en")("status.figure.runs")]
    with reads.lock:
        reads.pages.append((page, figure))


@pytest.fixture(scope="module")
def figures(request):
    record = Figures("reads", request.config)
    yield record
    record.write(**(record.cases[-1] if record.cases else {}))


@pytest.mark.parametrize("rounds", [3, pytest.param(5, marks=pytest.mark.matrix)])
def test_readers_see_whole_snapshots_while_collections_publish(rounds, tmp_path, monkeypatch, figures):
    db = tmp_path / "ossdash.duckdb"
    monkeypatch.setenv("OSSDASH_DB", str(db))
    reads = Reads()
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        registry = tmp_path / "simulator.toml"
        registry.write_text(sim.registry_toml(), encoding="utf-8")
        assert collect(load_registry(registry), db, options=FAST).status == "ok"
        reads.record_published(db)

        stop = threading.Event()
        readers = [threading.Thread(target=_raw_reader, args=(db, reads, stop), daemon=True) for _ in range(2)]
        readers.append(threading.Thread(target=_long_reader, args=(db, reads, stop), daemon=True))
        readers.append(threading.Thread(target=_data_layer_reader, args=(reads, stop), daemon=True))
        coordinator = threading.Thread(target=_collections, args=(registry, db, sim, rounds, reads), daemon=True)
        started = time.monotonic()
        for thread in readers:
            thread.start()
        coordinator.start()
        pages = 0
        deadline = started + 120 * rounds
        # Two page runs per publish, spread out: a page costs a second or two of the CPU the
        # collection it watches needs too.
        while coordinator.is_alive() and time.monotonic() < deadline and pages < 2 * rounds:
            _run_page(PAGES[pages % len(PAGES)], reads)  # the pages run here, in the test's thread
            pages += 1
            stop.wait(2.0)
        coordinator.join(max(0.0, deadline - time.monotonic()))
        assert not coordinator.is_alive(), "the collections did not finish in time"
        time.sleep(0.3)  # a last round of reads on the final snapshot
        stop.set()
        for thread in readers:
            thread.join(10)
        assert not any(t.is_alive() for t in readers), "a reader hung"
        took = time.monotonic() - started

    assert not reads.errors, f"{len(reads.errors)} reads failed, e.g. {reads.errors[:5]}"
    pairs = set(reads.published.values())
    assert len(pairs) == rounds + 1, f"expected {rounds + 1} distinct snapshots, recorded {sorted(pairs)}"
    mixed = [o for o in reads.observed if o[3] not in pairs]
    assert not mixed, f"{len(mixed)} reads match no published snapshot, e.g. {mixed[:3]}; published {sorted(pairs)}"
    wrong_key = [(k, p) for k, p in reads.keyed if reads.published.get(k) != p]
    assert not wrong_key, f"the data layer answered for snapshot key {wrong_key[0][0]} from another snapshot"
    runs_figures = {Translator("en").number(run_id) for run_id, _ in pairs}
    assert all(figure in runs_figures for page, figure in reads.pages if figure), (reads.pages, runs_figures)

    by_kind = {kind: sum(o[2] == kind for o in reads.observed) for kind in ("raw", "held", "data")}
    during = sum(any(s <= end and e >= start for start, end in reads.windows) for s, e, _, _ in reads.observed)
    seen = {o[3] for o in reads.observed if o[2] == "raw"}
    assert all(by_kind.values()), by_kind
    assert pages >= 1, "no page ran while collections published"
    assert during > 0, "no read overlapped a publish"
    assert len(seen) >= rounds, f"the readers saw only {len(seen)} of {rounds + 1} snapshots"
    figures.add(
        publishes=rounds, snapshots_seen_by_raw_readers=len(seen), reads=len(reads.observed), reads_by_kind=by_kind,
        reads_during_publishing=during, page_runs=len(reads.pages), errors=len(reads.errors),
        mixed_answers=len(mixed), seconds=round(took, 1),
    )
