"""What a run changed, so that the work after it follows the change (docs/collection.md).

While collecting, the pipeline queues a note with a repository's rows whenever it stores
something new or different for it (:func:`note_repo`): the note is committed in the same
transaction as the rows, into ``changed_repos`` (migration 013). Changes that are not one
repository's go to ``changed_scopes``: the registry's entities, accounts or settings
(:func:`note_registry`, ``everything``), organisation members or the registry's aliases and bots
(``identities``). The identity rebuild adds the repositories of every identity whose person,
bot flag or display name it changed, and of every person whose affiliations it changed. The
steps after collecting read the notes (:func:`pending`) and empty them in their own transaction
(:func:`clear`), so a published warehouse holds none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import duckdb

from collectors.records import RepoRecord
from collectors.registry import Registry
from warehouse.loader import spec_for

EVERYTHING = "everything"
IDENTITIES = "identities"


@dataclass(frozen=True, slots=True)
class ChangedRepo:
    forge: str
    host: str
    repo_path: str
    reason: str = "rows"  # rows (collected) | identities (an author's person changed)


@dataclass(frozen=True, slots=True)
class ChangedScope:
    scope: str  # EVERYTHING | IDENTITIES
    reason: str


CHANGED_REPOS = spec_for(ChangedRepo, "changed_repos", ("forge", "host", "repo_path"))
CHANGED_SCOPES = spec_for(ChangedScope, "changed_scopes", ("scope",))


@dataclass(frozen=True)
class Changes:
    """The notes of the current run: what the steps after it must refresh."""

    everything: bool
    identities: bool
    repos: int  # repositories noted in changed_repos

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.identities or self.repos)


def note_repo(pending, repo: RepoRecord) -> None:
    """Queue with ``pending`` (a warehouse.batches.Pending) that ``repo`` changed in this run."""
    pending.add(CHANGED_REPOS, [ChangedRepo(repo.forge, repo.host, repo.path)])


def note_scope(pending, scope: str, reason: str) -> None:
    """Queue with ``pending`` a change that is not one repository's."""
    pending.add(CHANGED_SCOPES, [ChangedScope(scope, reason)])


def mark(con: duckdb.DuckDBPyConnection, scope: str, reason: str) -> None:
    """Note a change that is not one repository's directly (outside a batch)."""
    con.execute("INSERT INTO changed_scopes (scope, reason) VALUES (?, ?) ON CONFLICT DO NOTHING", [scope, reason])


# The repositories whose facts name a person through one of the identities in {table}
# (forge, host, login, email, name): commits by their author (exact login, e-mail and name),
# items and comments by login.
_IDENTITY_REPOS_SQL = """
INSERT OR IGNORE INTO changed_repos (forge, host, repo_path, reason)
WITH logins AS (
    SELECT DISTINCT forge, host, lower(trim(login)) AS login_key
    FROM {table} WHERE nullif(trim(login), '') IS NOT NULL
)
SELECT c.forge, c.host, c.repo_path, 'identities'
FROM commits c
JOIN {table} x ON x.forge = c.forge AND x.host = c.host
 AND x.login IS NOT DISTINCT FROM c.author_login AND x.email IS NOT DISTINCT FROM c.author_email
 AND x.name IS NOT DISTINCT FROM c.author_name
UNION
SELECT i.forge, i.host, i.repo_path, 'identities'
FROM items i JOIN logins l ON l.forge = i.forge AND l.host = i.host AND l.login_key = lower(trim(i.author_login))
UNION
SELECT c.forge, c.host, c.repo_path, 'identities'
FROM comments c JOIN logins l ON l.forge = c.forge AND l.host = c.host AND l.login_key = lower(trim(c.author_login))
"""


# Each identity with its person, bot flag and display name before the rebuild, and the
# affiliations, to tell what it changed; {where} keeps the persons made again.
_BEFORE_SQL = """
CREATE OR REPLACE TEMP TABLE _ident_before AS
SELECT pi.forge, pi.host, pi.login, pi.email, pi.name, pi.person_id, p.is_bot, p.display_name
FROM person_identities pi JOIN persons p ON p.person_id = pi.person_id {where};
CREATE OR REPLACE TEMP TABLE _aff_before AS
SELECT person_id, entity_id, source FROM person_affiliations pi {where};
"""


def keep_identities(con: duckdb.DuckDBPyConnection, scope: str | None = None) -> None:
    """Before the identity rebuild: keep each identity's person, bot flag and display name, and
    the affiliations, aside (temporary tables of this connection) for :func:`note_identity_changes`.
    ``scope``: a table of the person ids the rebuild makes again (None: all)."""
    where = "" if scope is None else f"WHERE pi.person_id IN (SELECT person_id FROM {scope})"
    con.execute(_BEFORE_SQL.format(where=where))


def drop_kept_identities(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS _ident_before; DROP TABLE IF EXISTS _aff_before; "
                "DROP TABLE IF EXISTS _ident_changed")


# Identities whose person, bot flag or display name (the reuse evidence names persons) the rebuild
# changed, new and vanished ones included, and the identities of every person whose affiliations
# it changed (an organisation's membership, an e-mail address in an entity's domain): who a
# commit's organisation is (the Elephant Factor) moves with them, in every entity the person
# works in.
_CHANGED_SQL = """
CREATE OR REPLACE TEMP TABLE _ident_changed AS
WITH after AS (
    SELECT pi.forge, pi.host, pi.login, pi.email, pi.name, pi.person_id, p.is_bot, p.display_name
    FROM person_identities pi JOIN persons p ON p.person_id = pi.person_id
    WHERE pi.person_id IN (SELECT person_id FROM {made})
),
aff_after AS (
    SELECT person_id, entity_id, source FROM person_affiliations
    WHERE person_id IN (SELECT person_id FROM {made})
),
affiliations_changed AS (
    SELECT DISTINCT person_id FROM (
        (SELECT * FROM aff_after EXCEPT SELECT * FROM _aff_before)
        UNION ALL
        (SELECT * FROM _aff_before EXCEPT SELECT * FROM aff_after)
    )
)
SELECT DISTINCT forge, host, login, email, name FROM (
    (SELECT * FROM after EXCEPT SELECT * FROM _ident_before)
    UNION ALL
    (SELECT * FROM _ident_before EXCEPT SELECT * FROM after)
    UNION ALL
    SELECT * FROM after WHERE person_id IN (SELECT person_id FROM affiliations_changed)
)
"""


def note_identity_changes(con: duckdb.DuckDBPyConnection, identities: int, made: str, first: bool) -> None:
    """After the identity rebuild (``identities`` in all; ``made``: a table of the person ids it
    made, those kept aside by :func:`keep_identities` made again; ``first``: no person existed
    before): note what the new persons change.

    A first build, or one that moved more than a quarter of the identities, changes everything;
    otherwise the repositories holding commits, items or comments of a changed identity, or of
    a person whose affiliations changed.
    """
    con.execute(_CHANGED_SQL.format(made=made))
    changed = con.execute("SELECT count(*) FROM _ident_changed").fetchall()[0][0]
    if not changed:
        return
    if first or changed * 4 > identities:
        mark(con, EVERYTHING, f"{changed} of {identities} identities changed person, bot flag or affiliation")
        return
    con.execute(_IDENTITY_REPOS_SQL.format(table="_ident_changed"))


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def registry_digests(registry: Registry) -> dict[str, str]:
    """Digests of what the registry decides for the derived data.

    ``structure``: which accounts belong to which entity, the entities' names, countries,
    archetypes and e-mail domains, and the settings. ``identities``: aliases and bots. Goals,
    alerts and report fields are mirrored whole on every run and need no digest.
    """
    structure = {
        "entities": [
            [e.id, e.name, e.country, e.archetype, sorted(e.email_domains),
             sorted([a.forge, a.host, a.owner] for a in e.accounts)]
            for e in sorted(registry.entities, key=lambda e: e.id)
        ],
        "lifecycle": registry.lifecycle.as_dict(),
        "health_weights": registry.health_weights.as_dict(),
    }
    identities = {
        "aliases": [[a.name, list(a.logins), list(a.emails)] for a in registry.aliases],
        "bots": list(registry.bots),
    }
    return {"structure": _digest(structure), "identities": _digest(identities)}


def note_registry(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Compare the registry with the one of the last run and note what its change means.

    A change of entities, accounts or settings moves repositories between entities or changes
    every result: everything is refreshed. A change of aliases or bots rebuilds the identities,
    whose changes then name the repositories concerned.
    """
    stored = dict(con.execute("SELECT part, digest FROM registry_digests").fetchall())
    for part, digest in registry_digests(registry).items():
        if stored.get(part) == digest:
            continue
        if part == "structure":
            mark(con, EVERYTHING, "the registry's entities, accounts or settings changed")
        else:
            mark(con, IDENTITIES, "the registry's aliases or bots changed")
        con.execute("INSERT OR REPLACE INTO registry_digests (part, digest) VALUES (?, ?)", [part, digest])


def pending(con: duckdb.DuckDBPyConnection) -> Changes:
    scopes = {s for (s,) in con.execute("SELECT scope FROM changed_scopes").fetchall()}
    repos = con.execute("SELECT count(*) FROM changed_repos").fetchall()[0][0]
    return Changes(EVERYTHING in scopes, IDENTITIES in scopes, int(repos))


def clear(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the notes once everything derived from them is refreshed (in the same transaction)."""
    con.execute("DELETE FROM changed_repos")
    con.execute("DELETE FROM changed_scopes")


__all__ = [
    "CHANGED_REPOS", "CHANGED_SCOPES", "EVERYTHING", "IDENTITIES", "ChangedRepo", "ChangedScope", "Changes",
    "clear", "drop_kept_identities", "keep_identities", "mark", "note_identity_changes", "note_registry", "note_repo", "note_scope", "pending", "registry_digests",
]
