"""The identity rebuild after a run that changed some repositories: the persons those
repositories' identities belong to, or that a new identity joins, are made again, the rest stay.

Identities join into persons through keys (:class:`warehouse.identity_rules.MergeKeys`), and two
persons never share one. So the persons whose identities were seen in a changed repository
(before or after the run), with every person sharing a key with an identity never seen before,
hold every identity the change can move: those persons' identities, counted again, and the new
ones are merged into persons as a whole rebuild would merge them (same ids, bot flags and display
names), and replace those persons' rows. The counts come from ``identity_seen``
(warehouse.identity_seen), refreshed for the changed repositories; the keys from ``identity_keys``.

Whole instead (:func:`update_identities` returns None) when the notes name more than
repositories (``everything``, or ``identities``: members, aliases or bots changed), when the
tables were never built, when a quarter of the repositories changed (a whole rebuild is then
about as cheap), or when a new person's id is held by a person outside (a hash collision, which
the whole rebuild resolves in its order).
"""

from __future__ import annotations

import contextlib

import duckdb
import pyarrow as pa

from collectors.registry import Registry
from warehouse import changes, identity_seen
from warehouse.identities import (
    IdentityStats,
    query_arrow,
    rebuild,
    resolve_table,
    stats,
    store,
)
from warehouse.identity_rules import MergeKeys, key_text
from warehouse.transactions import Transaction

# Past this share of the repositories changed, the identities are rebuilt whole.
WHOLE_SHARE = 0.25

_TOUCHED = "_upd_touched"    # identities seen in a changed repository, before or after
_NEW = "_upd_new"            # of those, identities no person holds yet
_NEW_KEYS = "_upd_new_keys"  # their keys
_SCOPE = "_upd_scope"        # the persons made again
_SUBSET = "_upd_subset"      # their identities and the new ones

_IDENTITY = "forge, host, login, email, name"
_SEEN_IN_CHANGED = (f"SELECT DISTINCT {_IDENTITY} FROM identity_seen c SEMI JOIN changed_repos x"
                    " ON x.forge = c.forge AND x.host = c.host AND x.repo_path = c.repo_path")


def refresh_identities(con: duckdb.DuckDBPyConnection, registry: Registry | None) -> IdentityStats:
    """After a collection: the persons the noted repositories concern made again, or every person
    (:func:`warehouse.identities.rebuild_identities`) when the notes do not allow it; in one
    transaction (the caller's, if one is open). Same rows as a whole rebuild."""
    with Transaction(con):
        updated = update_identities(con, registry)
        return updated if updated is not None else rebuild(con, registry)


def update_identities(con: duckdb.DuckDBPyConnection, registry: Registry | None) -> IdentityStats | None:
    """Make again the persons the noted repositories concern (see the module); None when the
    identities must be rebuilt whole. Call inside the rebuild's transaction."""
    noted = changes.pending(con)
    if noted.everything or noted.identities or not con.execute("SELECT count(*) FROM identity_state").fetchall()[0][0]:
        return None
    repos = con.execute("SELECT count(*) FROM repos").fetchall()[0][0]
    if noted.repos > WHOLE_SHARE * repos:
        return None
    try:
        return _update(con, registry)
    finally:
        for table in (_TOUCHED, _NEW, _SCOPE, _SUBSET):
            # After a failed statement the transaction refuses even this; the error matters more.
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        with contextlib.suppress(duckdb.Error):
            con.unregister(_NEW_KEYS)


def _update(con: duckdb.DuckDBPyConnection, registry: Registry | None) -> IdentityStats | None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_TOUCHED} AS {_SEEN_IN_CHANGED}")
    identity_seen.refresh(con, "changed_repos")
    con.execute(f"INSERT INTO {_TOUCHED} {_SEEN_IN_CHANGED}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_NEW} AS
        SELECT DISTINCT {_IDENTITY} FROM ({identity_seen.totals_sql(_TOUCHED)}) t
        WHERE NOT EXISTS (SELECT 1 FROM person_identities pi WHERE {identity_seen.same_identity('pi', 't')})
    """)
    merge = MergeKeys(registry)
    new_keys = sorted({key_text(k) for row in con.execute(f"SELECT {_IDENTITY} FROM {_NEW}").fetchall()
                       for k in merge.of(*row)[1]})
    con.register(_NEW_KEYS, pa.table({"key": pa.array(new_keys, pa.string())}))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_SCOPE} AS
        SELECT DISTINCT pi.person_id FROM person_identities pi SEMI JOIN {_TOUCHED} t ON {identity_seen.same_identity('pi', 't')}
        UNION
        SELECT DISTINCT k.person_id FROM identity_keys k SEMI JOIN {_NEW_KEYS} n ON n.key = k.key
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_SUBSET} AS
        SELECT {_IDENTITY} FROM person_identities WHERE person_id IN (SELECT person_id FROM {_SCOPE})
        UNION
        SELECT {_IDENTITY} FROM {_NEW}
    """)
    # Vanished identities (seen nowhere any more) drop out here: they have no count.
    ident = query_arrow(con, identity_seen.totals_sql(_SUBSET))
    res = resolve_table(ident, registry)
    if res.ids:
        clash = con.execute(
            f"SELECT count(*) FROM persons WHERE person_id IN (SELECT unnest($ids)) "
            f"AND person_id NOT IN (SELECT person_id FROM {_SCOPE})", {"ids": res.ids}).fetchall()[0][0]
        if clash:
            return None
    store(con, registry, ident, res, scope=_SCOPE)
    return stats(con)
