"""Per entity: :func:`entity_reuse_summary` and its columns alone (reused by others, contributions to others)."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.reuse.evidence import REUSE_KINDS, _with_evidence
from warehouse.reuse.state import reuse_fresh
from warehouse.sql_frames import read_frame


def entity_reuse_summary(con: duckdb.DuckDBPyConnection, entity_id: str | None = None) -> pd.DataFrame:
    """Per entity (all entities, zeros included; or one), sorted by entity_id. Columns:

    - projects: projects among the entity's repositories (a mirror pair counts once), forks included
    - mirrored_projects: of those, projects with a mirror on another forge host
    - projects_reused_by_others: the entity's projects named as the reused project by fork,
      mirror, used_by or is_based_on evidence of another entity
    - reusing_entities: distinct other entities reusing the entity's projects (those four kinds,
      is_based_on by namespace or name included)
    - projects_reused_from_others: other entities' projects this entity reuses (same kinds)
    - contributions_to_others: other entities' projects in which persons affiliated with this
      entity (and not with the project's owner) authored commits
    - commits_to_others: their commits there (a commit in two mirrors counts once)
    - contributors_to_others: those persons
    - external_contributors: non-bot persons who authored commits in the entity's projects and are
      affiliated with another entity but not with this one
    - unaffiliated_contributors: non-bot persons who authored commits in the entity's projects and
      have no affiliation at all
    """
    if reuse_fresh(con):
        return read_frame(
            con,
            "SELECT * FROM entity_reuse_cache WHERE $entity IS NULL OR entity_id = $entity ORDER BY entity_id",
            {"entity": entity_id},
        )
    return _entity_reuse_summary_live(con, entity_id)


def _entity_reuse_summary_live(con: duckdb.DuckDBPyConnection, entity_id: str | None) -> pd.DataFrame:
    return _with_evidence(
        con,
        list(REUSE_KINDS),
        """
        WITH ev AS (SELECT * FROM {evidence} e),
        own AS (
            SELECT rp.entity_id, count(DISTINCT rp.project_id) AS projects,
                   count(DISTINCT rp.project_id) FILTER (WHERE p.repos > 1) AS mirrored_projects
            FROM repo_project rp JOIN projects p USING (project_id)
            GROUP BY rp.entity_id
        ),
        reused AS (
            SELECT source AS entity_id,
                   count(DISTINCT source_project) AS projects_reused_by_others,
                   count(DISTINCT target) AS reusing_entities
            FROM ev GROUP BY source
        ),
        reusing AS (
            SELECT target AS entity_id, count(DISTINCT source_project) AS projects_reused_from_others
            FROM ev GROUP BY target
        ),
        contrib AS (
            SELECT target AS entity_id, count(DISTINCT source_project) AS contributions_to_others,
                   sum(commits) AS commits_to_others, count(DISTINCT person_id) AS contributors_to_others
            FROM contribution_evidence GROUP BY target
        ),
        aff AS (SELECT DISTINCT person_id, entity_id FROM person_affiliations),
        affiliated AS (SELECT DISTINCT person_id FROM aff),
        contributors AS (SELECT DISTINCT owner AS entity_id, person_id FROM person_project_commits),
        people AS (
            SELECT c.entity_id,
                   count(*) FILTER (WHERE a.person_id IS NULL AND f.person_id IS NOT NULL) AS external_contributors,
                   count(*) FILTER (WHERE f.person_id IS NULL) AS unaffiliated_contributors
            FROM contributors c
            LEFT JOIN aff a ON a.person_id = c.person_id AND a.entity_id = c.entity_id
            LEFT JOIN affiliated f ON f.person_id = c.person_id
            GROUP BY c.entity_id
        )
        SELECT e.entity_id, e.name,
               coalesce(own.projects, 0)::BIGINT AS projects,
               coalesce(own.mirrored_projects, 0)::BIGINT AS mirrored_projects,
               coalesce(reused.projects_reused_by_others, 0)::BIGINT AS projects_reused_by_others,
               coalesce(reused.reusing_entities, 0)::BIGINT AS reusing_entities,
               coalesce(reusing.projects_reused_from_others, 0)::BIGINT AS projects_reused_from_others,
               coalesce(contrib.contributions_to_others, 0)::BIGINT AS contributions_to_others,
               coalesce(contrib.commits_to_others, 0)::BIGINT AS commits_to_others,
               coalesce(contrib.contributors_to_others, 0)::BIGINT AS contributors_to_others,
               coalesce(people.external_contributors, 0)::BIGINT AS external_contributors,
               coalesce(people.unaffiliated_contributors, 0)::BIGINT AS unaffiliated_contributors
        FROM entities e
        LEFT JOIN own USING (entity_id)
        LEFT JOIN reused USING (entity_id)
        LEFT JOIN reusing USING (entity_id)
        LEFT JOIN contrib USING (entity_id)
        LEFT JOIN people USING (entity_id)
        WHERE $entity IS NULL OR e.entity_id = $entity
        ORDER BY e.entity_id
        """,
        {"entity": entity_id},
    )


def projects_reused_by_others(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """entity -> its projects reused by another entity (entity_reuse_summary's column, alone)."""
    if reuse_fresh(con):
        rows = con.execute(
            "SELECT entity_id, projects_reused_by_others FROM entity_reuse_cache WHERE projects_reused_by_others > 0"
        ).fetchall()
        return {str(k): int(v) for k, v in rows}
    df = _with_evidence(
        con, list(REUSE_KINDS),
        "SELECT source, count(DISTINCT source_project) AS n FROM {evidence} e GROUP BY source", {},
    )
    return {str(k): int(v) for k, v in zip(df["source"], df["n"])}


def contributions_to_others(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """entity -> other entities' projects its people committed to (entity_reuse_summary's column)."""
    rows = con.execute(
        "SELECT target, count(DISTINCT source_project) FROM contribution_evidence GROUP BY target"
    ).fetchall()
    return {str(k): int(v) for k, v in rows}
