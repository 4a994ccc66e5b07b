"""Sustainability (CHAOSS): Contributor Absence Factor, Elephant Factor and its organisation
shares, Inactive Contributors.

Parameters and levels as in :mod:`warehouse.metrics` (``scope``, ``now``, ``days``).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.metrics.facts import commit_count
from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.moments import window
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import INACTIVE_CONTRIBUTOR_DAYS, WINDOW_DAYS


def absence_factor(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    share: float = 0.5,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Contributor Absence Factor (bus factor) per group over the window.

    The fewest people whose commits exceed ``share`` (50%) of the group's commits in the window,
    counting the most active first. Commits by bots and commits without a known author are left
    out of both sides. Columns: the level's columns, commits, contributors, absence_factor (NULL
    when there is no such commit in the window), top_share (the most active person's share).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_person AS (
            SELECT {sc.key_list('s')}, f.person_id, {commit_count(alias='f')} AS commits
            FROM {sc.commits} AS f {sc.facts_join('f')}
            WHERE f.committed_at >= $since AND f.committed_at <= $now
              AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}, f.person_id
        ),
        factor AS ({factor_sql(keys, 'person_id')})
        SELECT g.*, coalesce(f.commits, 0) AS commits, coalesce(f.members, 0) AS contributors,
               f.factor AS absence_factor, f.top_share
        FROM groups AS g LEFT JOIN factor AS f ON {sc.join('f', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days), "share": float(share)})
    df = int_columns(df, ["commits", "contributors"])
    df["absence_factor"] = df["absence_factor"].astype("Int64")
    return df


def factor_sql(keys: str, member: str) -> str:
    """Fewest members (most commits first) whose commits exceed $share of the total, per group."""
    return f"""
        SELECT {keys}, count(*) AS members, sum(commits) AS commits,
               min(rank) FILTER (WHERE running > $share * total) AS factor,
               max(commits) / any_value(total) AS top_share,
               arg_min({member}, rank) AS top_member
        FROM (
            SELECT {keys}, {member}, commits,
                   row_number() OVER w AS rank,
                   sum(commits) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
                   sum(commits) OVER (PARTITION BY {keys}) AS total
            FROM per_person
            WINDOW w AS (PARTITION BY {keys} ORDER BY commits DESC, {member})
        )
        GROUP BY {keys}
    """


# Organisation of a commit: the repository's own entity if the author is affiliated to it, else
# the author's first affiliation (member before alias before e-mail domain, then by entity id),
# else the author's e-mail domain unless it is a personal one, else the person alone.
ORGANISATION_SQL = """
    CASE WHEN own.entity_id IS NOT NULL THEN 'entity:' || own.entity_id
         WHEN pref.entity_id IS NOT NULL THEN 'entity:' || pref.entity_id
         WHEN NOT personal_mail_domain(f.email_domain) THEN 'domain:' || f.email_domain
         ELSE 'person:' || f.person_id END
"""


ORGANISATION_JOINS = """
    LEFT JOIN (SELECT DISTINCT person_id, entity_id FROM person_affiliations) AS own
           ON own.person_id = f.person_id AND own.entity_id = s.s_entity
    LEFT JOIN (
        SELECT person_id,
               arg_min(entity_id, CASE source WHEN 'member' THEN '0' WHEN 'alias' THEN '1' ELSE '2' END
                                  || entity_id) AS entity_id
        FROM person_affiliations GROUP BY person_id
    ) AS pref ON pref.person_id = f.person_id
"""


def elephant_factor(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    share: float = 0.5,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Elephant Factor per group over the window: the absence factor over organisations.

    A commit's organisation: the repository's entity if its author is affiliated to it (registry
    e-mail domain, org membership or alias), else the author's first affiliation, else
    ``domain:<author e-mail domain>`` unless that is a free-mail or no-reply domain, else the
    author alone (``person:<id>``). Bots and unknown authors are left out. Columns: the level's
    columns, commits, organisations, elephant_factor, top_organisation, top_share.
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_person AS (
            SELECT {keys}, organisation, {commit_count()} AS commits
            FROM (
                SELECT {sc.key_list('s')}, f.sha, f.shared, {ORGANISATION_SQL} AS organisation
                FROM {sc.commits} AS f {sc.facts_join('f')}
                {ORGANISATION_JOINS}
                WHERE f.committed_at >= $since AND f.committed_at <= $now
                  AND NOT f.is_bot AND f.person_id IS NOT NULL
            )
            GROUP BY {keys}, organisation
        ),
        factor AS ({factor_sql(keys, 'organisation')})
        SELECT g.*, coalesce(f.commits, 0) AS commits, coalesce(f.members, 0) AS organisations,
               f.factor AS elephant_factor, f.top_member AS top_organisation, f.top_share
        FROM groups AS g LEFT JOIN factor AS f ON {sc.join('f', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days), "share": float(share)})
    df = int_columns(df, ["commits", "organisations"])
    df["elephant_factor"] = df["elephant_factor"].astype("Int64")
    return df


def organisation_shares(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = WINDOW_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The Elephant Factor's inputs: commits per organisation and group in the window.

    Columns: the level's key columns, organisation (entity:<id>, domain:<domain> or
    person:<id>), commits, share; largest first.
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_org AS (
            SELECT {keys}, organisation, {commit_count()} AS commits
            FROM (
                SELECT {sc.key_list('s')}, f.sha, f.shared, {ORGANISATION_SQL} AS organisation
                FROM {sc.commits} AS f {sc.facts_join('f')}
                {ORGANISATION_JOINS}
                WHERE f.committed_at >= $since AND f.committed_at <= $now
                  AND NOT f.is_bot AND f.person_id IS NOT NULL
            )
            GROUP BY {keys}, organisation
        )
        SELECT {keys}, organisation, commits,
               commits / sum(commits) OVER (PARTITION BY {keys}) AS share
        FROM per_org
        ORDER BY {keys}, commits DESC, organisation
    """
    return frame(con, sql, {**sc.params, **window(moment(con, now), days)})


def inactive_contributors(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("repo"),
    *,
    days: float = INACTIVE_CONTRIBUTOR_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Inactive Contributors: people with commits before the window and none in it.

    Columns: the level's columns, contributors (non-bot authors with a commit up to ``now``),
    active (with a commit in the window), inactive (last commit before the window),
    inactive_share (inactive / contributors; NULL without contributors).
    """
    sc = scoped(con, scope)
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        per_person AS (
            SELECT {sc.key_list('s')}, f.person_id, max(f.committed_at) AS last_at
            FROM {sc.commits} AS f {sc.facts_join('f')}
            WHERE f.committed_at <= $now AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}, f.person_id
        ),
        counts AS (
            SELECT {keys}, count(*) AS contributors,
                   count(*) FILTER (WHERE last_at >= $since) AS active,
                   count(*) FILTER (WHERE last_at < $since) AS inactive
            FROM per_person GROUP BY {keys}
        )
        SELECT g.*, coalesce(c.contributors, 0) AS contributors, coalesce(c.active, 0) AS active,
               coalesce(c.inactive, 0) AS inactive, c.inactive / nullif(c.contributors, 0) AS inactive_share
        FROM groups AS g LEFT JOIN counts AS c ON {sc.join('c', 'g')}
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, {**sc.params, **window(moment(con, now), days)})
    return int_columns(df, ["contributors", "active", "inactive"])
