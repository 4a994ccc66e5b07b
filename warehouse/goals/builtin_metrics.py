"""The six built-in goal metrics over an entity's projects (public_repos, osi_licence_share,
publiccode_share, active_share, contributions_to_others, reused_by_others), registered on import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from warehouse import reuse
from warehouse.goals.days import _day_end
from warehouse.goals.metric_registry import register_metric
from warehouse.sql_frames import read_frame

ACTIVE_DAYS = 90


# One row per (entity, project) over the entity's non-fork repositories; licence and
# publiccode.yml as judged by the health metrics' repo_hygiene view (migration 004).
_ENTITY_PROJECTS = """
    SELECT rp.entity_id, rp.project_id,
           min(r.created_at) AS created_at,
           bool_or(coalesce(h.has_publiccode, false)) AS has_publiccode,
           bool_or(coalesce(h.osi_licence, false)) AS osi_licence
    FROM repo_project rp
    JOIN repos r USING (forge, host, path)
    LEFT JOIN repo_hygiene h ON h.forge = r.forge AND h.host = r.host AND h.repo_path = r.path
    WHERE NOT r.is_fork AND list_contains($entities, rp.entity_id)
    GROUP BY rp.entity_id, rp.project_id
"""


def _entity_projects(con, entity_ids: Sequence[str], day: date) -> pd.DataFrame:
    """The entity's projects existing on ``day``: created by its end, or of unknown creation."""
    return read_frame(
        con,
        f"SELECT * FROM ({_ENTITY_PROJECTS}) WHERE created_at IS NULL OR created_at < $end",
        {"entities": list(entity_ids), "end": _day_end(day)},
    )


def _per_entity(entity_ids: Sequence[str], values: dict[str, float | None], default: float | None) -> dict[str, float | None]:
    return {e: values.get(e, default) for e in entity_ids}


@register_metric("public_repos", description="projects (non-fork repositories, mirrors once)")
def _public_repos(con, entity_ids, day):
    df = _entity_projects(con, entity_ids, day)
    return _per_entity(entity_ids, df.groupby("entity_id").size().astype(float).to_dict(), 0.0)


def _share(df: pd.DataFrame, flag: pd.Series, entity_ids) -> dict[str, float | None]:
    if df.empty:
        return _per_entity(entity_ids, {}, None)
    grouped = flag.groupby(df["entity_id"]).mean()
    return _per_entity(entity_ids, {k: float(v) for k, v in grouped.items()}, None)


@register_metric("osi_licence_share", share=True, description="share of projects with an OSI-approved licence")
def _osi_share(con, entity_ids, day):
    df = _entity_projects(con, entity_ids, day)
    return _share(df, df["osi_licence"].astype(float), entity_ids)


@register_metric("publiccode_share", share=True, description="share of projects with a publiccode.yml")
def _publiccode_share(con, entity_ids, day):
    df = _entity_projects(con, entity_ids, day)
    return _share(df, df["has_publiccode"].astype(float), entity_ids)


def _active_share_at(
    con, entity_ids: Sequence[str], days: Sequence[date], include_undated: bool = True
) -> pd.DataFrame:
    """active_share for several days at once: columns day, entity_id, projects, active.

    Projects of unknown creation date count on every day with ``include_undated`` (today's
    value), on none without (reconstructed history, as for public_repos).
    """
    if not days:
        return pd.DataFrame(columns=["day", "entity_id", "projects", "active"])
    ends = [_day_end(d) for d in days]
    return read_frame(
        con,
        f"""
        WITH ep AS ({_ENTITY_PROJECTS}),
        days AS (SELECT unnest($days) AS day, unnest($ends) AS day_end),
        -- commits of every repository of the project (a mirror's commits are the project's)
        pc AS (
            SELECT rp.project_id, c.committed_at
            FROM commits c
            JOIN repo_project rp ON rp.forge = c.forge AND rp.host = c.host AND rp.path = c.repo_path
            WHERE c.committed_at >= $earliest AND c.committed_at < $latest
              AND rp.project_id IN (SELECT project_id FROM ep)
        ),
        active AS (
            SELECT DISTINCT d.day, pc.project_id
            FROM days d JOIN pc
              ON pc.committed_at < d.day_end AND pc.committed_at >= d.day_end - INTERVAL {ACTIVE_DAYS} DAY
        )
        SELECT d.day, ep.entity_id, count(*) AS projects,
               count(a.project_id) AS active
        FROM days d
        JOIN ep ON (ep.created_at IS NULL AND $undated) OR ep.created_at < d.day_end
        LEFT JOIN active a ON a.day = d.day AND a.project_id = ep.project_id
        GROUP BY d.day, ep.entity_id
        """,
        {
            "entities": list(entity_ids),
            "days": list(days),
            "ends": ends,
            "earliest": min(ends) - timedelta(days=ACTIVE_DAYS),
            "latest": max(ends),
            "undated": include_undated,
        },
    )


@register_metric("active_share", share=True, description=f"share of projects with a commit in {ACTIVE_DAYS} days")
def _active_share(con, entity_ids, day):
    df = _active_share_at(con, entity_ids, [day])
    values = {r.entity_id: r.active / r.projects for r in df.itertuples() if r.projects}
    return _per_entity(entity_ids, values, None)


@register_metric("contributions_to_others", description="other entities' projects with commits by the entity's people")
def _contributions(con, entity_ids, day):
    values = {k: float(v) for k, v in reuse.contributions_to_others(con).items()}
    return _per_entity(entity_ids, values, 0.0)


@register_metric("reused_by_others", description="the entity's projects reused by other entities")
def _reused(con, entity_ids, day):
    values = {k: float(v) for k, v in reuse.projects_reused_by_others(con).items()}
    return _per_entity(entity_ids, values, 0.0)
