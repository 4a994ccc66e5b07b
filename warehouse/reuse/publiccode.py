"""publiccode.yml usedBy / isBasedOn entries resolved to entities and projects (by URL or by name)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlparse

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.reuse.names import NameMatch, match_entity
from warehouse.sql_frames import read_frame


def _url_key(text: str) -> str | None:
    """'host/path' of a URL, lower case, without scheme, www., .git, trailing slash, /-/ or /tree/ tails."""
    text = (text or "").strip()
    if "://" not in text:
        if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}/\S+$", text, re.IGNORECASE):
            text = "https://" + text
        else:
            return None
    try:
        parsed = urlparse(text)
    except ValueError:
        return None
    host = (parsed.hostname or "").lower()
    if not host:
        return None
    host = host.removeprefix("www.")
    path = parsed.path.lower()
    path = re.split(r"/-/|/(?:tree|blob|commits?|releases)/", path, maxsplit=1)[0]
    path = path.strip("/")
    path = path.removesuffix(".git")
    return f"{host}/{path}" if path else host


class _Resolver:
    """Resolves publiccode.yml references to entities (and projects) of the warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        ents = con.sql("SELECT entity_id, name FROM entities").fetchall()
        self.entities = tuple(sorted((str(e), str(n)) for e, n in ents))
        self.repo_keys: dict[str, tuple[str, str]] = {}  # url key -> (project_id, owner entity)
        rows = con.sql(
            "SELECT rp.host, rp.path, r.html_url, rp.project_id, p.entity_id"
            " FROM repo_project rp JOIN repos r USING (forge, host, path)"
            " JOIN projects p ON p.project_id = rp.project_id"
        ).fetchall()
        for host, path, html_url, project_id, owner in rows:
            for key in (_url_key(f"https://{host}/{path}"), _url_key(html_url or "")):
                if key:
                    self.repo_keys.setdefault(key, (project_id, owner))
        self.account_keys = sorted(
            ((_url_key(f"https://{host}/{owner}") or "", entity_id)
             for host, owner, entity_id in con.sql("SELECT host, owner, entity_id FROM accounts").fetchall()),
            key=lambda kv: -len(kv[0]),
        )

    def url(self, text: str) -> tuple[str, str | None, str] | None:
        """(entity, project or None, how) for a URL naming a collected repo or a registry namespace."""
        key = _url_key(text)
        if key is None:
            return None
        if key in self.repo_keys:
            project_id, owner = self.repo_keys[key]
            return owner, project_id, "repo_url"
        for account_key, entity_id in self.account_keys:
            if account_key and (key == account_key or key.startswith(account_key + "/")):
                return entity_id, None, "account_url"
        return None

    def name(self, text: str) -> NameMatch | None:
        return match_entity(text, self.entities)

    def resolve(self, text: str) -> tuple[str, str | None, str, float] | None:
        """(entity, project or None, method, score) for a URL or a name, or None."""
        if _url_key(text) is not None:
            hit = self.url(text)
            return (hit[0], hit[1], hit[2], 1.0) if hit else None
        m = self.name(text)
        return (m.entity_id, None, m.method, m.score) if m else None


# Every non-blank usedBy / isBasedOn entry, with the repository holding it.
_PC_ENTRIES = """
    SELECT * FROM (
        SELECT forge, host, repo_path, 'used_by' AS field, unnest(coalesce(used_by, [])) AS text FROM publiccode
        UNION ALL
        SELECT forge, host, repo_path, 'is_based_on', unnest(coalesce(is_based_on, [])) FROM publiccode
    ) WHERE nullif(trim(text), '') IS NOT NULL
"""

# Entries with their project, the project's owner and the match ({matches}: a relation with the
# columns of publiccode_matches).
_PC_MENTIONS = """
    SELECT rp.project_id, p.entity_id AS owner, e.forge, e.host, e.repo_path, e.field, e.text,
           pm.entity_id, pm.project_id AS matched_project, pm.method, pm.score
    FROM ({entries}) e
    JOIN repo_project rp ON rp.forge = e.forge AND rp.host = e.host AND rp.path = e.repo_path
    JOIN projects p ON p.project_id = rp.project_id
    LEFT JOIN {matches} pm ON pm.text = e.text
"""


@contextmanager
def _matches(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """A relation (SQL text) resolving every current usedBy/isBasedOn text.

    publiccode_matches as refreshed after the last collection; texts it lacks (e.g. before the
    first refresh) are resolved now and added through a registered Arrow table.
    """
    missing = [
        r[0]
        for r in con.sql(
            f"SELECT DISTINCT text FROM ({_PC_ENTRIES}) e"
            " WHERE NOT EXISTS (SELECT 1 FROM publiccode_matches m WHERE m.text = e.text) ORDER BY text"
        ).fetchall()
    ]
    if not missing:
        yield "publiccode_matches"
        return
    name = f"_reuse_pm_{uuid.uuid4().hex}"
    con.register(name, _resolve_table(con, missing))
    try:
        yield f"(SELECT * FROM publiccode_matches UNION ALL SELECT * FROM {name})"
    finally:
        con.unregister(name)


def _resolve_table(con: duckdb.DuckDBPyConnection, texts: Sequence[str]) -> pa.Table:
    resolver = _Resolver(con)
    rows = []
    for t in texts:
        hit = resolver.resolve(t)
        rows.append((t, *(hit if hit else (None, None, None, None))))
    return pa.table(
        {
            "text": pa.array([r[0] for r in rows], pa.string()),
            "entity_id": pa.array([r[1] for r in rows], pa.string()),
            "project_id": pa.array([r[2] for r in rows], pa.string()),
            "method": pa.array([r[3] for r in rows], pa.string()),
            "score": pa.array([r[4] for r in rows], pa.float64()),
        }
    )


def publiccode_mentions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every usedBy / isBasedOn entry of the collected publiccode.yml files, with what it matched.

    Columns: project_id, owner (entity of the project), forge, host, repo_path, field
    (used_by | is_based_on), text, entity_id (matched, or None), matched_project (isBasedOn URL of a
    collected repository, else None), method (exact | core | fuzzy | repo_url | account_url | None),
    score. A project's mirrors carrying the same file list the entry once per repository.
    """
    with _matches(con) as matches:
        df = read_frame(
            con,
            _PC_MENTIONS.format(entries=_PC_ENTRIES, matches=matches)
            + " ORDER BY project_id, forge, host, repo_path, field, text",
        )
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in df.columns})
    df = df.astype(object)
    return df.where(df.notna(), None)
