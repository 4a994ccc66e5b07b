"""Releases and forks (CHAOSS): Release Frequency, Technical Forks and the list of known forks.

Parameters and levels as in :mod:`warehouse.metrics` (``scope``, ``now``, ``days``).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.moments import window
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import WINDOW_DAYS


def release_frequency(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    prereleases: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Release Frequency and days since the last release.

    Pre-releases are left out unless ``prereleases``. Columns: the level's columns, releases
    (published in the window), releases_per_year (releases * 365 / days),
    median_days_between (median gap between a release in the window and the same repository's
    previous release), last_release_at and days_since_last_release (latest release up to
    ``now``, whenever; NULL if none).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        rel AS (
            SELECT {sc.key_list('s')}, r.published_at,
                   seconds_between(lag(r.published_at) OVER (PARTITION BY r.forge, r.host, r.repo_path
                                                              ORDER BY r.published_at),
                                   r.published_at) / 86400.0 AS gap_days
            FROM releases AS r JOIN scope AS s ON {sc.on('r', entity=False)}
            WHERE r.published_at <= $now AND ($prereleases OR NOT r.prerelease)
        ),
        stats AS (
            SELECT {keys}, count(*) FILTER (WHERE published_at >= $since) AS releases,
                   median(gap_days) FILTER (WHERE published_at >= $since) AS median_days_between,
                   max(published_at) AS last_release_at
            FROM rel GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.releases, 0) AS releases,
               coalesce(t.releases, 0) * 365.0 / $days AS releases_per_year,
               t.median_days_between, t.last_release_at,
               seconds_between(t.last_release_at, $now::TIMESTAMPTZ) / 86400.0 AS days_since_last_release
        FROM groups AS g LEFT JOIN stats AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    params = {**sc.params, **window(moment(con, now), days), "days": float(days), "prereleases": bool(prereleases)}
    df = frame(con, sql, params)
    return int_columns(df, ["releases"])


def technical_forks(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
) -> pd.DataFrame:
    """Technical Forks of the repositories in scope (as collected; no window).

    Columns: the level's columns, forks (the forge's fork count, or the forks known if more),
    listed (forks known by path), contributing, non_contributing, unknown (forks - contributing -
    non_contributing). See the ``technical_forks`` view for the classification.
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_parent AS (
            SELECT t.forge, t.host, t.parent_path, count(*) AS listed,
                   count(*) FILTER (WHERE t.fork_status = 'contributing') AS contributing,
                   count(*) FILTER (WHERE t.fork_status = 'non_contributing') AS non_contributing
            FROM technical_forks AS t GROUP BY ALL
        ),
        per_repo AS (
            SELECT {sc.key_list('s')},
                   greatest(r.forks_count, coalesce(p.listed, 0)) AS forks,
                   coalesce(p.listed, 0) AS listed, coalesce(p.contributing, 0) AS contributing,
                   coalesce(p.non_contributing, 0) AS non_contributing
            FROM scope AS s
            JOIN repos AS r ON r.forge = s.s_forge AND r.host = s.s_host AND r.path = s.s_path
            LEFT JOIN per_parent AS p
                   ON p.forge = s.s_forge AND p.host = s.s_host AND p.parent_path = s.s_path
        ),
        sums AS (
            SELECT {keys}, sum(forks) AS forks, sum(listed) AS listed, sum(contributing) AS contributing,
                   sum(non_contributing) AS non_contributing
            FROM per_repo GROUP BY {keys}
        )
        SELECT g.*, coalesce(t.forks, 0) AS forks, coalesce(t.listed, 0) AS listed,
               coalesce(t.contributing, 0) AS contributing,
               coalesce(t.non_contributing, 0) AS non_contributing,
               coalesce(t.forks - t.contributing - t.non_contributing, 0) AS unknown
        FROM groups AS g LEFT JOIN sums AS t ON {sc.join('t', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, sc.params)
    return int_columns(df, ["forks", "listed", "contributing", "non_contributing", "unknown"])


def technical_fork_list(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
) -> pd.DataFrame:
    """Every known fork of the repositories in scope, with its classification.

    Columns: forge, host, path (the parent), entity_id, fork_path, fork_owner, created_at,
    collected, fork_entity_id, fork_commits, commits_not_in_parent, fork_status.
    """
    sc = scoped(con, scope.at("repo"))
    sql = f"""
        WITH {sc.ctes()}
        SELECT s.forge, s.host, s.path, s.s_entity AS entity_id, t.fork_path, t.fork_owner, t.created_at,
               t.collected, t.fork_entity_id, t.fork_commits, t.commits_not_in_parent, t.fork_status
        FROM technical_forks AS t
        JOIN scope AS s ON t.forge = s.s_forge AND t.host = s.s_host AND t.parent_path = s.s_path
        ORDER BY s.forge, s.host, s.path, t.fork_path
    """
    return frame(con, sql, sc.params)
