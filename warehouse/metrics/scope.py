"""What a question is about: the :class:`Scope` value (a level and filters) and its SQL.

A metric function takes ``scope``: the level it aggregates at and the filters that choose the
repositories. Levels:

- ``"repo"``: one row per repository (key columns forge, host, path; with entity_id, html_url);
- ``"entity"``: per entity (entity_id; with entity_name);
- ``"archetype"``, ``"country"``: per archetype or country of the entities;
- ``"ecosystem"``: one row for everything in scope (scope = 'ecosystem').

Every group in scope is listed, also those without data (counts 0, measures NULL). Above the
repository level a commit that sits in several repositories of the group (a mirror, a fork)
counts once, by SHA. The filters (all optional, combined with AND) are ``entity_id``,
``archetype``, ``country``, ``forge`` and ``repo`` = (forge, host, path). Functions that answer
per repository (lifecycle, hygiene, the health inputs, the attention list, ...) read only the
filters of their scope.

Values reach SQL only as bound parameters (:meth:`Scope.params`); the fragments below are fixed
text chosen from the tables of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from warehouse.metrics.facts import MATERIALISED, sources
from warehouse.metrics.frames import frame

LEVELS = ("repo", "entity", "archetype", "country", "ecosystem")
FILTER_NAMES = ("entity_id", "archetype", "country", "forge", "repo")

# Per level: key columns (name, SQL over repos r / entities e) and display columns.
LEVEL_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "repo": (("forge", "r.forge"), ("host", "r.host"), ("path", "r.path")),
    "entity": (("entity_id", "r.entity_id"),),
    "archetype": (("archetype", "e.archetype"),),
    "country": (("country", "e.country"),),
    "ecosystem": (("scope", "'ecosystem'"),),
}
LEVEL_EXTRA: dict[str, tuple[tuple[str, str], ...]] = {
    "repo": (("entity_id", "r.entity_id"), ("html_url", "r.html_url")),
    "entity": (("entity_name", "e.name"),),
    "archetype": (),
    "country": (),
    "ecosystem": (),
}

# The filters over repos r joined to entities e.
FILTER_SQL = """
    ($entity_id IS NULL OR r.entity_id = $entity_id)
    AND ($archetype IS NULL OR e.archetype = $archetype)
    AND ($country IS NULL OR e.country = $country)
    AND ($forge IS NULL OR r.forge = $forge)
    AND ($repo_path IS NULL OR (r.forge = $repo_forge AND r.host = $repo_host AND r.path = $repo_path))
"""


@dataclass(frozen=True)
class Scope:
    """The level of aggregation and the filters of a question; frozen and hashable, so it can
    key a cache. ``repo`` is (forge, host, path); a list is taken as a tuple."""

    level: str = "repo"
    entity_id: str | None = None
    archetype: str | None = None
    country: str | None = None
    forge: str | None = None
    repo: tuple[str, str, str] | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}: expected one of {', '.join(LEVELS)}")
        for name in ("entity_id", "archetype", "country", "forge"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be text or None, not {type(value).__name__}")
        if self.repo is not None:
            if isinstance(self.repo, str) or not isinstance(self.repo, Sequence) or len(self.repo) != 3:
                raise ValueError("repo must be (forge, host, path)")
            object.__setattr__(self, "repo", tuple(self.repo))

    def at(self, level: str) -> Scope:
        """The same filters at another level."""
        return replace(self, level=level)

    def filters(self) -> dict[str, Any]:
        """The filters by name (None: not filtered)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "level"}

    def params(self) -> dict[str, Any]:
        """The bound SQL parameters of the filters (:data:`FILTER_SQL`)."""
        repo = self.repo
        return {
            "entity_id": self.entity_id,
            "archetype": self.archetype,
            "country": self.country,
            "forge": self.forge,
            "repo_forge": repo[0] if repo else None,
            "repo_host": repo[1] if repo else None,
            "repo_path": repo[2] if repo else None,
        }


@dataclass(frozen=True)
class ScopeSql:
    """The SQL of a scope over the fact sets a query reads (:func:`scoped`)."""

    scope: Scope
    commits: str = MATERIALISED.commits
    items: str = MATERIALISED.items
    events: str = MATERIALISED.events
    weeks: str = MATERIALISED.weeks

    @property
    def level(self) -> str:
        return self.scope.level

    @property
    def params(self) -> dict[str, Any]:
        return self.scope.params()

    @property
    def keys(self) -> list[str]:
        return [name for name, _ in LEVEL_KEYS[self.level]]

    @property
    def columns(self) -> list[str]:
        return self.keys + [name for name, _ in LEVEL_EXTRA[self.level]]

    def key_list(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + k for k in self.keys)

    def join(self, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{k} = {right}.{k}" for k in self.keys)

    def ctes(self) -> str:
        """``scope`` (one row per repository in scope, with its group keys) and ``groups``."""
        keys = ", ".join(f"{sql} AS {name}" for name, sql in LEVEL_KEYS[self.level])
        extra = ", ".join(f"{sql} AS {name}" for name, sql in LEVEL_EXTRA[self.level])
        group_cols = keys + (", " + extra if extra else "")
        return f"""
        scope AS MATERIALIZED (
            SELECT r.forge AS s_forge, r.host AS s_host, r.path AS s_path, r.entity_id AS s_entity,
                   r.archived AS s_archived, {keys}
            FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {FILTER_SQL}
        ),
        groups AS (
            SELECT DISTINCT {group_cols}
            FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {FILTER_SQL}
        ){self._entity_scope()}"""

    def _entity_scope(self) -> str:
        """Above the repository level, ``entity_scope``: the entities in scope with their group
        keys, which a fact set joins on its entity alone (see :meth:`facts_join`)."""
        if self.level == "repo":
            return ""
        keys = ", ".join(f"{sql.replace('r.entity_id', 'e.entity_id')} AS {name}"
                         for name, sql in LEVEL_KEYS[self.level])
        return f""",
        entity_scope AS MATERIALIZED (
            SELECT e.entity_id AS s_entity, {keys}
            FROM entities AS e
            WHERE ($entity_id IS NULL OR e.entity_id = $entity_id)
              AND ($archetype IS NULL OR e.archetype = $archetype)
              AND ($country IS NULL OR e.country = $country)
        )"""

    def facts_join(self, alias: str) -> str:
        """``JOIN`` of a fact set (entity_id, forge, host, repo_path) to the scope, as ``s``.

        Above the repository level on the fact's entity (one short key against a few entities)
        with the forge and repository filters on the fact itself: the same rows as joining every
        repository in scope on its three key columns, at a fraction of the cost over millions.
        """
        if self.level == "repo":
            return f"JOIN scope AS s ON {self.on(alias)}"
        return (
            f"JOIN entity_scope AS s ON {alias}.entity_id = s.s_entity"
            f" AND ($forge IS NULL OR {alias}.forge = $forge)"
            f" AND ($repo_path IS NULL OR ({alias}.forge = $repo_forge AND {alias}.host = $repo_host"
            f" AND {alias}.repo_path = $repo_path))"
        )

    def on(self, alias: str, entity: bool = True) -> str:
        """Join condition of a fact set (entity_id, forge, host, repo_path) to ``scope s``.

        The entity, forge and repository filters are repeated on the fact set itself, so that a
        materialised table sorted by entity and repository skips the row groups of others.
        """
        return (
            f"{alias}.forge = s.s_forge AND {alias}.host = s.s_host AND {alias}.repo_path = s.s_path"
            + (f" AND ($entity_id IS NULL OR {alias}.entity_id = $entity_id)" if entity else "")
            + f" AND ($forge IS NULL OR {alias}.forge = $forge)"
            f" AND ($repo_path IS NULL OR ({alias}.forge = $repo_forge AND {alias}.host = $repo_host"
            f" AND {alias}.repo_path = $repo_path))"
        )

    def order(self) -> str:
        return ", ".join(f"g.{k}" for k in self.keys)


def scoped(con: duckdb.DuckDBPyConnection, scope: Scope) -> ScopeSql:
    """The SQL of ``scope`` over the fact sets fresh in ``con`` (:func:`facts.sources`)."""
    if not isinstance(scope, Scope):
        raise TypeError(f"scope must be a Scope, not {type(scope).__name__}")
    return ScopeSql(scope, *sources(con))


def groups_with_repos(con: duckdb.DuckDBPyConnection, sc: ScopeSql, table: str | None = None,
                      columns: Sequence[str] = ()) -> pd.DataFrame:
    """Every repository in scope with its group's columns (as _forge, _host, _path); with
    ``table``, also those ``columns`` of a materialised per-repository table."""
    cols = ", ".join(f"{sql} AS {name}" for name, sql in LEVEL_KEYS[sc.level] + LEVEL_EXTRA[sc.level])
    stored = "".join(f", m.{c}" for c in columns)
    join = (f"JOIN {table} AS m ON m.forge = r.forge AND m.host = r.host AND m.path = r.path" if table else "")
    sql = f"""
        SELECT r.forge AS _forge, r.host AS _host, r.path AS _path, r.archived AS _archived, {cols}{stored}
        FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
        {join}
        WHERE {FILTER_SQL}
        ORDER BY r.forge, r.host, r.path
    """
    return frame(con, sql, sc.params)


def value_counts_per_group(con: duckdb.DuckDBPyConnection, sc: ScopeSql, per_repo: pd.DataFrame,
                           counted: Sequence[tuple[str, str, Sequence[str]]]) -> pd.DataFrame:
    """Repositories per value of per-repository columns, for each group of ``sc``'s level.

    ``per_repo`` has forge, host, path and the counted columns; ``counted`` lists (column,
    prefix, values): the answer has the level's columns, ``repos`` and ``<prefix>_<value>`` for
    every value, each repository counted once (0 where none has the value). A group without
    repositories has no row.
    """
    groups = groups_with_repos(con, sc)
    merged = groups.merge(
        per_repo[["forge", "host", "path", *(c for c, _, _ in counted)]].rename(
            columns={"forge": "_forge", "host": "_host", "path": "_path"}),
        on=["_forge", "_host", "_path"], how="left")
    out = merged[sc.columns].drop_duplicates().reset_index(drop=True)
    # One flag column per (column, value) summed in one group-by: a group-by, unstack and merge per
    # counted column cost a third of a badge or public-code summary.
    flags = {"repos": np.ones(len(merged), dtype="int64")}
    for column, prefix, values in counted:
        held = merged[column].to_numpy(dtype=object)
        for v in values:
            flags[f"{prefix}_{v}"] = (held == v).astype("int64")
    counts = pd.DataFrame(flags, index=merged.index)
    for key in sc.keys:
        counts[key] = merged[key]
    out = out.merge(counts.groupby(sc.keys).sum().reset_index(), on=sc.keys, how="left")
    for name in flags:
        out[name] = out[name].fillna(0).astype("int64")
    return out.sort_values(sc.keys).reset_index(drop=True)
