"""Goal definitions: the registry's goals mirrored into ``goals`` with each entity's report name and
logo (:func:`sync_goals`), and read back (the registry's, else the table's)."""

from __future__ import annotations

from datetime import date

import duckdb

from collectors.registry import MAX_LOGO_BYTES, Registry
from warehouse.transactions import Transaction


def _registry_goals(registry: Registry) -> list[tuple[str, int, str, float, date]]:
    """The registry's goals as rows of ``goals``: entity_id, goal_no (from 1 per entity), metric,
    target, deadline."""
    return [(e.id, n, g.metric, float(g.target), g.deadline)
            for e in registry.entities for n, g in enumerate(e.goals, start=1)]


def sync_goals(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Mirror the registry's goals into ``goals``, and each entity's report name and logo into
    ``entity_report`` (:func:`logo_image`); return how many goals there are."""
    rows = _registry_goals(registry)
    shown = []
    for e in registry.entities:
        kind, data = logo_image(e.logo)
        if e.display_name or data:
            shown.append((e.id, e.display_name, kind, data))
    with Transaction(con):
        con.execute("DELETE FROM goals")
        for row in rows:
            con.execute("INSERT INTO goals VALUES (?, ?, ?, ?, ?)", list(row))
        con.execute("DELETE FROM entity_report")
        for row in shown:
            con.execute("INSERT INTO entity_report VALUES (?, ?, ?, ?)", list(row))
    return len(rows)


_IMAGE_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def logo_image(path: str | None) -> tuple[str | None, bytes | None]:
    """(media type, bytes) of a logo file that is a PNG or JPEG by its content, within the
    registry's size limit; (None, None) otherwise. The registry checked the file when it was
    read; one that changed since is left out rather than stop a collection."""
    if not path:
        return None, None
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except OSError:
        return None, None
    kind = next((k for signature, k in _IMAGE_SIGNATURES if data.startswith(signature)), None)
    if kind is None or len(data) > MAX_LOGO_BYTES:
        return None, None
    return kind, data


def entity_report(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, object]:
    """The report's name and logo of an entity: display_name (None: use its name), logo_type and
    logo (None: none set)."""
    # A warehouse made before migration 010 has no such table (and the dashboard never migrates).
    has_table = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'entity_report'"
                            " AND schema_name = current_schema()").fetchall()[0][0]
    found = con.execute("SELECT display_name, logo_type, logo FROM main.entity_report WHERE entity_id = ?",
                        [entity_id]).fetchall() if has_table else []
    name, kind, data = found[0] if found else (None, None, None)
    return {"display_name": name, "logo_type": kind, "logo": None if data is None else bytes(data)}


def entities_with_goals(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The entities the ``goals`` table gives at least one goal, by id."""
    return [r[0] for r in con.execute("SELECT DISTINCT entity_id FROM goals ORDER BY entity_id").fetchall()]


def _goals(con, registry: Registry | None, entity_id: str | None) -> list[tuple[str, int, str, float, date]]:
    if registry is not None:
        goals = _registry_goals(registry)
    else:
        goals = [tuple(r) for r in con.execute(
            "SELECT entity_id, goal_no, metric, target, deadline FROM goals ORDER BY entity_id, goal_no"
        ).fetchall()]
    return [g for g in goals if entity_id is None or g[0] == entity_id]
