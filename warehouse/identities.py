"""Identity resolution: persons merged across forges, bots flagged, affiliations.

Built from scratch by :func:`rebuild_identities`, which fills ``persons``,
``person_identities`` and ``person_affiliations`` (migration 003), with the identities
counted per repository (``identity_seen``, warehouse.identity_seen) and every person's
merge keys (``identity_keys``, migration 022); after a collection that changed some
repositories, warehouse.identity_update makes only the persons they concern again. The
views ``commit_authors``, ``item_authors`` and ``comment_authors`` map each commit,
issue/change request and comment to its author person.

An *identity* is one distinct (forge, host, login, email, name) seen as a commit
author or committer, an item or comment author (login only) or an organisation
or group member (login and name). GitLab commits carry no login. Identities are
merged into persons with union-find over these links:

1. the registry's aliases: an alias names logins "forge:login" (matched on any
   host of that forge, case-insensitively) and e-mails;
2. the same e-mail (trimmed, case-insensitive) anywhere, except shared addresses
   (``noreply@...``, ``...@localhost``) which never link anyone, and never
   between a bot identity and a human one;
3. the same login (case-insensitive) on the same forge host. A GitHub commit row
   with both a login and an e-mail links the two, and a GitHub private address
   ``ID+login@users.noreply.github.com`` names its github.com login.

Links are transitive, so the order above only documents precedence of intent.
Bots are kept, flagged ``is_bot``: logins ending in ``[bot]``, the registry's
``[defaults] bots``, known service accounts, GitLab project/group bots, and,
where no login is known, bot e-mails and names. When an identity has a login,
the login alone decides whether it is a bot.

Person ids are deterministic and stay put: a person's id is a 64-bit hash of its
smallest identity in the order (forge, host, login, email, name), so a new identity
changes no other person's id (only its own person's, when it sorts first there, or
the merged person's when it joins two). The rebuild compares the old identities with
the new ones and notes the repositories holding commits, items or comments of every
identity whose person, bot flag or display name changed, or whose person's
affiliations changed (warehouse.changes), so that the metric facts, the reuse edges and
the goal history are refreshed for those repositories alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from collectors.registry import Registry
from warehouse import changes, identity_seen
from warehouse.identity_rules import (
    MergeKeys,
    clean,
    is_bot_email,
    is_bot_login,
    is_shared_email,
    key_text,
)
from warehouse.transactions import Transaction


@dataclass(frozen=True, slots=True)
class IdentityStats:
    identities: int    # distinct identities seen
    persons: int       # persons after merging (bots included)
    bots: int          # persons flagged is_bot
    merged: int        # identities folded into another one: identities - persons
    affiliations: int  # rows of person_affiliations


# The affiliations of the persons just made (_ident_persons).
_AFFILIATIONS_SQL = """
INSERT INTO person_affiliations
WITH member_aff AS (
    SELECT DISTINCT pl.person_id, a.entity_id
    FROM members m
    JOIN _ident_accounts a
      ON a.forge = m.forge AND a.host = m.host
     AND (lower(m.account_owner) = a.owner OR starts_with(lower(m.account_owner), a.owner || '/'))
    JOIN person_logins pl
      ON pl.forge = m.forge AND pl.host = m.host AND pl.login_key = lower(trim(m.login))
    WHERE pl.person_id IN (SELECT person_id FROM _ident_persons)
),
emails AS (
    SELECT DISTINCT person_id, 'email_domain' AS source,
           regexp_extract(lower(trim(email)), '@([^@]+)$', 1) AS domain
    FROM person_identities WHERE email IS NOT NULL AND person_id IN (SELECT person_id FROM _ident_persons)
    UNION
    SELECT DISTINCT person_id, 'alias', regexp_extract(lower(trim(email)), '@([^@]+)$', 1)
    FROM _ident_alias_emails
),
domain_aff AS (
    SELECT DISTINCT e.person_id, d.entity_id, e.source
    FROM emails e
    JOIN _ident_domains d ON e.domain = d.domain OR ends_with(e.domain, '.' || d.domain)
    WHERE e.domain <> ''
)
SELECT person_id, entity_id, 'member' FROM member_aff
UNION
SELECT person_id, entity_id, source FROM domain_aff
"""


class _UnionFind:
    """Union-find over 0..n-1 whose root is always the smallest member."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def query_arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    relation = con.sql(sql)
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
    return fetch()


def _best(weights: dict[str, int]) -> str | None:
    """The most frequent value, ties broken by the smallest."""
    if not weights:
        return None
    return min(weights.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _person_id(identity: tuple, taken: set[int]) -> int:
    """A person's id: a signed 64-bit hash of its smallest identity, the same in every run.

    Two persons whose identities hash alike (less than one chance in a billion among
    100,000 persons) are told apart by hashing again with a counter, in the order of their
    smallest identities, so the outcome stays deterministic.
    """
    attempt = 0
    while True:
        text = json.dumps([*identity, attempt] if attempt else list(identity), ensure_ascii=False)
        pid = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)
        if pid not in taken:
            taken.add(pid)
            return pid
        attempt += 1


@dataclass(frozen=True, slots=True)
class Resolution:
    """Identities merged into persons (:func:`resolve`)."""

    person_of: list[int]          # each identity's person id
    ids: list[int]                # the persons, in the order of their first identity
    is_bot: list[bool]            # each person's bot flag (same order)
    display: list[str | None]     # each person's display name (same order)
    alias_mails: dict[int, list[str]]  # the alias e-mails of every person an alias matched
    keys: list[list[str]]         # each identity's merge keys (alias, e-mail, login), as text


def resolve(
    forges: list[str],
    hosts: list[str],
    logins: list[str | None],
    emails: list[str | None],
    names: list[str | None],
    counts: list[int],
    registry: Registry | None,
) -> Resolution:
    """Merge identities (given sorted) into persons.

    Two identities sharing a merge key are one person; the keys are returned so that a later
    identity can find the persons it joins (warehouse.identity_update).
    """
    n = len(forges)
    merge = MergeKeys(registry)
    aliases = merge.aliases
    uf = _UnionFind(n)
    first: dict[tuple, int] = {}  # merge key -> first identity holding it
    bot = [False] * n
    alias_of: dict[int, int] = {}  # identity -> first alias it matched
    keys: list[list[str]] = [[] for _ in range(n)]
    for i in range(n):
        bot[i], identity_keys, matched = merge.of(forges[i], hosts[i], logins[i], emails[i], names[i])
        if matched:
            alias_of[i] = matched[0]
        for key in identity_keys:
            keys[i].append(key_text(key))
            j = first.setdefault(key, i)
            if j != i:
                uf.union(i, j)

    # Persons in the order of their smallest identity (roots are the smallest member): index p.
    index_of_root: dict[int, int] = {}
    person_index = [0] * n
    for i in range(n):
        root = uf.find(i)
        p = index_of_root.get(root)
        if p is None:
            p = index_of_root[root] = len(index_of_root)
        person_index[i] = p

    m = len(index_of_root)
    ids: list[int] = [0] * m
    taken: set[int] = set()
    for root, p in index_of_root.items():
        ids[p] = _person_id((forges[root], hosts[root], logins[root], emails[root], names[root]), taken)
    person_bot = [False] * m
    name_weights: list[dict[str, int]] = [{} for _ in range(m)]
    login_weights: list[dict[str, int]] = [{} for _ in range(m)]
    email_weights: list[dict[str, int]] = [{} for _ in range(m)]
    alias_name: list[str | None] = [None] * m
    alias_mails: dict[int, list[str]] = {}
    for i in range(n):
        p = person_index[i]
        if bot[i]:
            person_bot[p] = True
        w = counts[i]
        for store, value in ((name_weights, clean(names[i])), (login_weights, clean(logins[i])), (email_weights, clean(emails[i]))):
            if value:
                store[p][value] = store[p].get(value, 0) + w
        k = alias_of.get(i)
        if k is not None and alias_name[p] is None:
            alias_name[p] = aliases[k].name
            alias_mails[ids[p]] = list(aliases[k].emails)
    display = [
        alias_name[p] or _best(name_weights[p]) or _best(login_weights[p]) or _best(email_weights[p])
        for p in range(m)
    ]
    return Resolution([ids[p] for p in person_index], ids, person_bot, display, alias_mails, keys)


def _registry_tables(registry: Registry | None) -> tuple[pa.Table, pa.Table]:
    acc_rows = [] if registry is None else [
        (a.forge, a.host, a.owner.lower(), a.entity_id) for a in registry.accounts
    ]
    dom_rows = [] if registry is None else [
        (e.id, d.strip().lower()) for e in registry.entities for d in e.email_domains if d.strip()
    ]
    accounts = pa.table(
        {
            "forge": pa.array([r[0] for r in acc_rows], pa.string()),
            "host": pa.array([r[1] for r in acc_rows], pa.string()),
            "owner": pa.array([r[2] for r in acc_rows], pa.string()),
            "entity_id": pa.array([r[3] for r in acc_rows], pa.string()),
        }
    )
    domains = pa.table(
        {
            "entity_id": pa.array([r[0] for r in dom_rows], pa.string()),
            "domain": pa.array([r[1] for r in dom_rows], pa.string()),
        }
    )
    return accounts, domains


def rebuild_identities(con: duckdb.DuckDBPyConnection, registry: Registry | None) -> IdentityStats:
    """Recompute persons, their identities and affiliations from the collected data.

    Deletes and refills ``persons``, ``person_identities`` and ``person_affiliations`` in one
    transaction (the caller's, if one is open), so readers never see a half-built state. Same
    data, same rows. After a collection, :func:`warehouse.identity_update.refresh_identities`
    makes only the persons the changed repositories concern, where it can.
    """
    with Transaction(con):
        return rebuild(con, registry)


def rebuild(con: duckdb.DuckDBPyConnection, registry: Registry | None) -> IdentityStats:
    """The whole rebuild, in the caller's transaction."""
    identity_seen.refill(con)
    ident = query_arrow(con, identity_seen.totals_sql())
    res = resolve_table(ident, registry)
    store(con, registry, ident, res, scope=None)
    return stats(con)


def resolve_table(ident: pa.Table, registry: Registry | None) -> Resolution:
    """:func:`resolve` over a table of identities (forge, host, login, email, name, n) in order."""
    return resolve(*(ident.column(c).to_pylist() for c in ("forge", "host", "login", "email", "name", "n")), registry)


def store(con: duckdb.DuckDBPyConnection, registry: Registry | None, ident: pa.Table, res: Resolution,
          scope: str | None) -> None:
    """Write the persons ``res`` made of ``ident``, their identities, keys and affiliations, and note
    what changed (warehouse.changes). ``scope``: a table of the person ids made again, whose rows
    are replaced (None: every person's)."""
    identities = pa.table({
        "person_id": pa.array(res.person_of, pa.int64()),
        "forge": ident.column("forge"),
        "host": ident.column("host"),
        "login": ident.column("login"),
        "email": ident.column("email"),
        "name": ident.column("name"),
    })
    persons = pa.table({
        "person_id": pa.array(res.ids, pa.int64()),
        "display_name": pa.array(res.display, pa.string()),
        "is_bot": pa.array(res.is_bot, pa.bool_()),
    })
    keys = pa.table({
        "person_id": pa.array([pid for pid, keys in zip(res.person_of, res.keys) for _ in keys], pa.int64()),
        "key": pa.array([key for keys in res.keys for key in keys], pa.string()),
    })
    alias_rows = [(pid, e) for pid, mails in sorted(res.alias_mails.items()) for e in mails]
    alias_emails = pa.table({
        "person_id": pa.array([r[0] for r in alias_rows], pa.int64()),
        "email": pa.array([r[1] for r in alias_rows], pa.string()),
    })
    accounts, domains = _registry_tables(registry)
    views = {
        "_ident_persons": persons,
        "_ident_identities": identities,
        "_ident_keys": keys,
        "_ident_alias_emails": alias_emails,
        "_ident_accounts": accounts,
        "_ident_domains": domains,
    }
    for view, table in views.items():
        con.register(view, table)
    first = scope is None and con.execute("SELECT count(*) FROM persons").fetchall()[0][0] == 0
    where = "" if scope is None else f" WHERE person_id IN (SELECT person_id FROM {scope})"
    try:
        changes.keep_identities(con, scope)
        for table in ("person_affiliations", "person_identities", "persons", "identity_keys"):
            con.execute(f"DELETE FROM {table}{where}")
        con.execute("INSERT INTO persons SELECT person_id, display_name, is_bot FROM _ident_persons")
        con.execute(
            "INSERT INTO person_identities SELECT person_id, forge, host, login, email, name FROM _ident_identities"
        )
        con.execute("INSERT INTO identity_keys SELECT DISTINCT person_id, key FROM _ident_keys")
        con.execute(_AFFILIATIONS_SQL)
        identities_now = con.execute("SELECT count(*) FROM person_identities").fetchall()[0][0]
        changes.note_identity_changes(con, identities_now, "_ident_persons", first)
        con.execute("DELETE FROM identity_state")
        con.execute("INSERT INTO identity_state VALUES (now())")
    finally:
        for view in views:
            # after a failed statement the transaction is aborted and refuses even this;
            # the original error matters more, and the next rebuild re-registers anyway
            with contextlib.suppress(duckdb.Error):
                con.unregister(view)
        with contextlib.suppress(duckdb.Error):
            changes.drop_kept_identities(con)


def stats(con: duckdb.DuckDBPyConnection) -> IdentityStats:
    identities, persons, bots, affiliations = con.execute(
        "SELECT (SELECT count(*) FROM person_identities), (SELECT count(*) FROM persons),"
        " (SELECT count(*) FROM persons WHERE is_bot), (SELECT count(*) FROM person_affiliations)").fetchall()[0]
    return IdentityStats(identities=identities, persons=persons, bots=bots, merged=identities - persons,
                         affiliations=affiliations)


__all__ = ["IdentityStats", "Resolution", "is_bot_email", "is_bot_login", "is_shared_email",
           "rebuild_identities", "resolve", "store"]
