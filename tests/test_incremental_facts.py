"""Cost follows change after a collection: the metric facts of the repositories a run changed
are refreshed, nothing else is written, and the result is always what a full refill gives.

Real collections of the forge simulator over loopback HTTP into real DuckDB files; the changes
come from the world's own methods (a day of activity, a new person's commits) and from the
registry (an alias that merges two persons)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World, activity
from warehouse import pipeline
from warehouse.metrics import facts, refresh_metric_facts

FACT_TABLES = ("commit_facts", "item_facts", "activity_events", "activity_weeks")


@pytest.fixture(scope="module")
def forge(tmp_path_factory):
    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        db = tmp_path_factory.mktemp("incremental") / "w.duckdb"
        text = sim.registry_toml()
        assert pipeline.collect(parse_registry(text, "sim.toml"), db).status == "ok"
        yield world, text, db


class Refresh:
    """One run's fact refresh, seen from inside its transaction: the repositories noted as changed
    and, per fact table and repository, the row ids before and after. A row deleted and written
    again gets a new row id (the published file cannot tell: its checkpoint may compact them)."""

    def __init__(self, noted, before, after):
        self.noted, self.before, self.after = noted, before, after

    def untouched(self, repo) -> bool:
        return all(self.after[t].get(repo) == ids for t in FACT_TABLES for r, ids in self.before[t].items() if r == repo)

    def rewritten(self) -> set:
        return {r for t in FACT_TABLES for r in set(self.before[t]) | set(self.after[t]) if not self.untouched(r)}


def _rowids(con) -> dict[str, dict[tuple, list[int]]]:
    return {t: {tuple(r[:3]): r[3] for r in con.execute(
        f"SELECT forge, host, repo_path, list(rowid ORDER BY rowid) FROM {t} GROUP BY ALL").fetchall()}
        for t in FACT_TABLES}


@pytest.fixture
def refreshes(monkeypatch):
    runs: list[Refresh] = []
    refresh = pipeline.refresh_metric_facts

    def watched(con, **kwargs):
        noted = set(con.execute("SELECT forge, host, repo_path FROM changed_repos").fetchall())
        before = _rowids(con)
        rows = refresh(con, **kwargs)
        runs.append(Refresh(noted, before, _rowids(con)))
        return rows

    monkeypatch.setattr(pipeline, "refresh_metric_facts", watched)
    return runs


def table_rows(con, table: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def assert_facts_equal_a_full_refill(db, tmp_path) -> None:
    copy = tmp_path / "refilled.duckdb"
    shutil.copyfile(db, copy)
    with duckdb.connect(str(db), read_only=True) as con:
        got = {t: table_rows(con, t) for t in FACT_TABLES}
    with duckdb.connect(str(copy)) as con:
        refresh_metric_facts(con)  # the whole refill
        full = {t: table_rows(con, t) for t in FACT_TABLES}
    for table in FACT_TABLES:
        assert got[table], table
        missing = [r for r in full[table] if r not in got[table]][:3]
        extra = [r for r in got[table] if r not in full[table]][:3]
        assert got[table] == full[table], f"{table}: missing {missing}, extra {extra}"


def person_ids(db) -> dict[tuple[str, str], int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {(forge, login): pid for forge, login, pid in con.execute(
            "SELECT DISTINCT forge, lower(login), person_id FROM person_identities WHERE login IS NOT NULL").fetchall()}


def test_an_unchanged_run_writes_no_fact_row(forge, refreshes):
    _, text, db = forge
    registry = parse_registry(text, "sim.toml")
    pipeline.collect(registry, db)  # whatever the world did before, the warehouse now holds it
    with duckdb.connect(str(db), read_only=True) as con:
        state = con.execute("SELECT * FROM metric_facts_state").fetchall()
        persons = con.execute("SELECT rowid, * FROM persons ORDER BY rowid").fetchall()
        reuse = con.execute("SELECT * FROM reuse_state").fetchall()

    assert pipeline.collect(registry, db).status == "ok"

    refresh = refreshes[-1]
    assert refresh.noted == set()
    assert refresh.before == refresh.after and refresh.rewritten() == set()
    with duckdb.connect(str(db), read_only=True) as con:
        # Not even the refresh's own record moved, and the persons were not rebuilt.
        assert con.execute("SELECT * FROM metric_facts_state").fetchall() == state
        assert con.execute("SELECT rowid, * FROM persons ORDER BY rowid").fetchall() == persons
        # Reuse depends on the data alone: its tables were not rebuilt either.
        assert con.execute("SELECT * FROM reuse_state").fetchall() == reuse and len(reuse) == 1
        assert con.execute("SELECT count(*) FROM changed_repos").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM changed_scopes").fetchone()[0] == 0


def test_incremental_refreshes_equal_a_full_refill(forge, refreshes, monkeypatch, tmp_path):
    world, text, db = forge
    # Keep the small world on the incremental path (it would re-sort whole past a tenth).
    monkeypatch.setattr(facts, "UNSORTED_SHARE", 10.0)
    monkeypatch.setattr(facts, "CHANGED_SHARE", 10.0)
    registry = parse_registry(text, "sim.toml")
    pipeline.collect(registry, db)
    with duckdb.connect(str(db), read_only=True) as con:
        all_repos = set(con.execute("SELECT forge, host, path FROM repos").fetchall())

    def reuse_refreshed_at():
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT refreshed_at FROM reuse_state").fetchall()

    def run(reg) -> set:
        reuse_before = reuse_refreshed_at()
        assert pipeline.collect(reg, db).status == "ok"
        assert reuse_refreshed_at() != reuse_before  # a noted change rebuilds reuse
        assert_facts_equal_a_full_refill(db, tmp_path)
        refresh = refreshes[-1]
        # Only the noted repositories were written, and not all of them were noted.
        assert refresh.rewritten() and refresh.rewritten() <= refresh.noted < all_repos
        return refresh.noted

    # Days of activity, one collection each.
    for _ in range(2):
        activity.add_day(world)
        run(registry)

    # An alias that merges two persons of different entities: their repositories change.
    ids_before = person_ids(db)
    people = [p for p in world.people if not p.bot and ("github", p.login) in ids_before]
    first, second = people[0], next(p for p in people if not set(p.entities) & set(people[0].entities))
    alias = f'\n[[alias]]\nname = "Merged Person"\nlogins = ["github:{first.login}", "github:{second.login}"]\n'
    merged = parse_registry(text + alias, "sim.toml")
    assert ids_before[("github", first.login)] != ids_before[("github", second.login)]
    run(merged)
    ids_after = person_ids(db)
    assert ids_after[("github", first.login)] == ids_after[("github", second.login)]

    # A new identity that sorts first in an existing person (same e-mail, an earlier login):
    # that person's id moves, no one else's does.
    person = next(p for p in people if p not in (first, second))
    newcomer = world.add_person("0" + person.login, person.name, person.email, person.entities[0])
    repo = next(r for r in world.repos if r.forge == "github" and r.commits and not r.archived
                and r.account in {a.path for a in world.accounts if a.entity_id == person.entities[0]})
    world.advance(1)
    world.add_commits(repo.forge, repo.path, 1, author_login=newcomer.login)
    before = person_ids(db)
    run(merged)
    after = person_ids(db)
    assert after[("github", newcomer.login)] == after[("github", person.login)]
    assert after[("github", person.login)] != before[("github", person.login)]
    moved = {login for key, login in before if after.get((key, login)) != before[(key, login)]}
    assert moved == {person.login}


def test_a_sha_in_a_second_repository_is_shared_both_ways(forge, tmp_path, monkeypatch):
    # Above the repository level a commit counts once by SHA; the facts say which SHAs are in
    # more than one repository. A repository refreshed alone must set (and clear) that flag on
    # the other repository's copy too, as a whole refill would.
    _, _, db = forge
    copy = tmp_path / "shared.duckdb"

    def no_refill(con):
        raise AssertionError("one repository changed: refreshed alone, not refilled")

    shutil.copyfile(db, copy)
    with duckdb.connect(str(copy)) as con:
        refresh_metric_facts(con)  # in sort order: what earlier tests appended does not force a refill
        sha, source = con.execute(
            "SELECT sha, repo_path FROM commit_facts WHERE NOT shared ORDER BY sha LIMIT 1").fetchone()
        # The repository with the fewest facts: refreshing it alone is always the cheaper way.
        forge_name, host, other = con.execute(
            "SELECT r.forge, r.host, r.path FROM repos AS r LEFT JOIN commit_facts AS f"
            " ON f.forge = r.forge AND f.host = r.host AND f.repo_path = r.path"
            " WHERE r.path <> ? GROUP BY ALL ORDER BY count(f.sha), r.path LIMIT 1", [source]).fetchone()
        monkeypatch.setattr(facts, "_refill", no_refill)
        con.execute(
            "INSERT INTO commits SELECT forge, host, ? AS repo_path, sha, author_name, author_email, author_login,"
            " authored_at, committer_name, committer_email, committer_login, committed_at, message"
            " FROM commits WHERE sha = ? AND repo_path = ?", [other, sha, source])

        def refresh_other() -> dict[str, bool]:
            con.execute("INSERT INTO changed_repos VALUES (?, ?, ?, 'rows')", [forge_name, host, other])
            refresh_metric_facts(con, incremental=True)
            con.execute("DELETE FROM changed_repos")
            return dict(con.execute("SELECT repo_path, shared FROM commit_facts WHERE sha = ?", [sha]).fetchall())

        assert refresh_other() == {source: True, other: True}
        con.execute("DELETE FROM commits WHERE sha = ? AND repo_path = ?", [sha, other])
        assert refresh_other() == {source: False}
    monkeypatch.undo()
    assert_facts_equal_a_full_refill(copy, tmp_path)
