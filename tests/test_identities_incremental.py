"""After a run that changed some repositories, only the persons the change concerns are made
again (warehouse.identity_update), and the identities equal a whole rebuild's: with new commits
by known people (display names follow the counts), a new address that joins a known person, an
address that joins two persons into one, and someone new."""

from __future__ import annotations

import dataclasses
import shutil

import duckdb

from warehouse import identity_update
from warehouse.identities import rebuild_identities
from warehouse.pipeline import collect

TABLES = {
    "persons": "person_id, display_name, is_bot",
    "person_identities": "person_id, forge, host, login, email, name",
    "person_affiliations": "person_id, entity_id, source",
    "identity_keys": "person_id, key",
    "identity_seen": "forge, host, repo_path, login, email, name, n",
}


def _rows(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT {c} FROM {t} ORDER BY ALL").fetchall() for t, c in TABLES.items()}


def _stored_and_whole(db_path, registry, tmp_path) -> tuple[dict, dict]:
    copy = tmp_path / "whole.duckdb"
    shutil.copyfile(db_path, copy)
    with duckdb.connect(str(copy)) as con:
        rebuild_identities(con, registry)
        whole = _rows(con)
    with duckdb.connect(str(db_path), read_only=True) as con:
        return _rows(con), whole


def _person_of(db_path, login: str) -> set[int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {p for (p,) in con.execute("SELECT DISTINCT person_id FROM person_identities WHERE login = ? AND forge = 'github'",
                                          [login]).fetchall()}


def test_identities_follow_the_noted_repositories(sim, world, registry, db_path, monkeypatch):
    tmp_path = db_path.parent
    assert collect(registry, db_path).status == "ok"
    made = []
    real = identity_update._update
    monkeypatch.setattr(identity_update, "_update", lambda con, reg: made.append(real(con, reg)) or made[-1])

    def run() -> None:
        assert collect(registry, db_path).status == "ok"
        assert made and made[-1] is not None, "the persons concerned alone were made again"
        stored, whole = _stored_and_whole(db_path, registry, tmp_path)
        for table in TABLES:
            assert stored[table] == whole[table], table

    # New commits by the people who work there.
    world.advance(1)
    repo = next(r for r in world.repos if r.forge == "github" and r.account == "civic-lab" and r.commits)
    world.add_commits(repo.forge, repo.path, 6)
    run()

    # A known login commits under a new address, in a repository where neither was seen: the
    # address joins that person, found by their login's key alone.
    anna = next(p for p in world.people if p.login == "annadubois")
    world.people.append(dataclasses.replace(anna, email="anna.dubois@civiclab-univ.example"))
    world.advance(1)
    world.add_commits("github", "gemeente-havenstad/council-schools", 2, author_login="annadubois")
    run()
    assert len(_person_of(db_path, "annadubois")) == 1

    # Someone commits with their own login and another person's address: the two become one.
    idaweber = next(p for p in world.people if p.login == "idaweber")
    assert _person_of(db_path, "annadubois") != _person_of(db_path, "idaweber")
    world.people.append(dataclasses.replace(idaweber, email="anna.dubois@civiclab-univ.example"))
    world.advance(1)
    world.add_commits("github", "gemeente-havenstad/events-signals", 2, author_login="idaweber")
    run()
    assert _person_of(db_path, "annadubois") == _person_of(db_path, "idaweber")

    # Someone new.
    world.add_person("newcomer", "New Comer", "newcomer@civiclab-univ.example", "civiclab")
    world.advance(1)
    world.add_commits(repo.forge, repo.path, 1, author_login="newcomer")
    run()
    assert len(_person_of(db_path, "newcomer")) == 1
