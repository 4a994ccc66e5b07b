"""Projects (a mirror set counted once) and mirror pairs, as the dashboard reads them."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from warehouse.sql_frames import read_frame


def mirrors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Mirror pairs: every non-canonical repository of a project with its canonical repository.

    Columns: project_id, canonical_forge, canonical_host, canonical_path, canonical_entity,
    mirror_forge, mirror_host, mirror_path, mirror_entity, root_sha, same_entity.
    """
    return read_frame(
        con,
        """
        SELECT rp.project_id,
               p.forge AS canonical_forge, p.host AS canonical_host, p.path AS canonical_path,
               p.entity_id AS canonical_entity,
               rp.forge AS mirror_forge, rp.host AS mirror_host, rp.path AS mirror_path,
               rp.entity_id AS mirror_entity, rp.mirror_root_sha AS root_sha,
               rp.entity_id = p.entity_id AS same_entity
        FROM repo_project rp JOIN projects p USING (project_id)
        WHERE NOT rp.is_canonical
        ORDER BY rp.project_id, rp.forge, rp.host, rp.path
        """,
    )


def projects(con: duckdb.DuckDBPyConnection, entity_id: str | None = None) -> pd.DataFrame:
    """The ``projects`` view, optionally the projects in which ``entity_id`` holds a repository.

    Columns: project_id, forge, host, path (canonical repository), entity_id (its owner), repos,
    mirrors (list of 'forge:host/path'), mirror_entities, root_sha (NULL unless mirrored).
    """
    sql = "SELECT * FROM projects"
    params: list[Any] = []
    if entity_id is not None:
        sql += " WHERE project_id IN (SELECT project_id FROM repo_project WHERE entity_id = ?)"
        params.append(entity_id)
    return read_frame(con, sql + " ORDER BY project_id", params)
