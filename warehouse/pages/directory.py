"""Who and what the warehouse holds: entities, the values of the global filters, the registry's
accounts with what was collected from each, and the repositories in a scope."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from warehouse.metrics import Scope
from warehouse.metrics.frames import frame
from warehouse.metrics.scope import FILTER_SQL


def entities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All entities, by name: entity_id, name, country, archetype."""
    return frame(con, "SELECT entity_id, name, country, archetype FROM entities ORDER BY name, entity_id", {})


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values the dashboard's global filters can take: countries and archetypes of the
    entities, forges of the collected repositories (each sorted)."""
    def values(sql: str) -> list[str]:
        return [row[0] for row in con.execute(sql).fetchall() if row[0] is not None]

    return {
        "country": values("SELECT DISTINCT country FROM entities ORDER BY 1"),
        "archetype": values("SELECT DISTINCT archetype FROM entities ORDER BY 1"),
        "forge": values("SELECT DISTINCT forge FROM repos ORDER BY 1"),
    }


def entities_in_scope(
    con: duckdb.DuckDBPyConnection,
    country: str | None = None,
    archetype: str | None = None,
    forge: str | None = None,
) -> pd.DataFrame:
    """The entities the global filters leave, as :func:`entities`. An entity is on a forge
    through its repositories there."""
    return frame(
        con,
        "SELECT entity_id, name, country, archetype FROM entities e"
        " WHERE ($country IS NULL OR e.country = $country)"
        " AND ($archetype IS NULL OR e.archetype = $archetype)"
        " AND ($forge IS NULL OR EXISTS (SELECT 1 FROM repos r WHERE r.entity_id = e.entity_id AND r.forge = $forge))"
        " ORDER BY name, entity_id",
        {"country": country, "archetype": archetype, "forge": forge},
    )


def entity(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, Any] | None:
    """One entity as a dict (entity_id, name, country, archetype, email_domains), or None."""
    df = frame(
        con,
        "SELECT entity_id, name, country, archetype, email_domains"
        " FROM entities WHERE entity_id = $entity_id",
        {"entity_id": entity_id},
    )
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    domains = row["email_domains"]
    row["email_domains"] = [] if domains is None else list(domains)
    return row


def entity_accounts(con: duckdb.DuckDBPyConnection, entity_id: str | None = None) -> pd.DataFrame:
    """The registry's accounts (of one entity, or all), with what was collected from each.

    Columns: entity_id, forge, host, owner (organisation, user or group path), api_url (as in
    the registry), web_url (the account's page, derived from a collected repository's web
    address; NULL when none was collected), repos (collected repositories whose account this is),
    archived_repos, last_push_at (latest push to any of them). Sorted by entity, forge, host, owner.
    """
    sql = """
        WITH per_account AS (
            SELECT r.forge, r.host, r.account_owner AS owner, count(*) AS repos,
                   count(*) FILTER (WHERE r.archived) AS archived_repos,
                   max(r.pushed_at) AS last_push_at,
                   -- https://forge/owner/sub/repo with path owner/sub/repo: keep the part up to
                   -- the owner. Only addresses that end with the path are trusted for this.
                   min(left(r.html_url, length(r.html_url) - length(r.path)) || r.account_owner)
                       FILTER (WHERE r.html_url IS NOT NULL AND ends_with(r.html_url, '/' || r.path))
                       AS web_url
            FROM repos AS r
            WHERE $entity_id IS NULL OR r.entity_id = $entity_id
            GROUP BY ALL
        )
        SELECT a.entity_id, a.forge, a.host, a.owner, a.url AS api_url, p.web_url,
               coalesce(p.repos, 0)::BIGINT AS repos,
               coalesce(p.archived_repos, 0)::BIGINT AS archived_repos,
               p.last_push_at
        FROM accounts AS a
        LEFT JOIN per_account AS p ON p.forge = a.forge AND p.host = a.host AND p.owner = a.owner
        WHERE $entity_id IS NULL OR a.entity_id = $entity_id
        ORDER BY a.entity_id, a.forge, a.host, a.owner
    """
    return frame(con, sql, {"entity_id": entity_id})


def repo_list(con: duckdb.DuckDBPyConnection, scope: Scope = Scope()) -> pd.DataFrame:
    """The repositories in scope (its filters), by entity name then forge, host and path.

    Columns: forge, host, path, entity_id, entity_name, country, archetype, name, description,
    html_url, license (the forge's SPDX id), archived, is_fork, fork_parent, stars, forks_count,
    open_issues, language, created_at, pushed_at.
    """
    sql = f"""
        SELECT r.forge, r.host, r.path, r.entity_id, e.name AS entity_name, e.country, e.archetype,
               r.name, r.description, r.html_url, r.license_spdx AS license, r.archived, r.is_fork,
               r.fork_parent, r.stars, r.forks_count, r.open_issues, r.language, r.created_at,
               r.pushed_at
        FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
        WHERE {FILTER_SQL}
        ORDER BY e.name, r.entity_id, r.forge, r.host, r.path
    """
    return frame(con, sql, scope.params())


def find_repo(con: duckdb.DuckDBPyConnection, *, key: str) -> pd.DataFrame:
    """The repository named by ``key`` = ``forge:host/path``, the dashboard's repository key (a
    host may itself hold a slash, as a forge served under a path does): :func:`repo_list`'s
    columns, one row or none."""
    forge, _, address = str(key).partition(":")
    found = frame(
        con,
        "SELECT forge, host, path FROM repos WHERE forge = $forge AND host || '/' || path = $address"
        " ORDER BY length(host) LIMIT 1",
        {"forge": forge, "address": address},
    )
    if found.empty:
        return repo_list(con, Scope(entity_id="")).iloc[0:0]
    return repo_list(con, Scope(repo=tuple(found.iloc[0])))
