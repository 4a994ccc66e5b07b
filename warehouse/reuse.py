"""Reuse and collaboration across entities: who reuses, forks, mirrors and co-develops whose code.

Every function takes a DuckDB connection (read-only is enough) and returns a pandas DataFrame.
Values reach SQL only as bound parameters. Definitions, with their caveats, are in
``docs/reuse-and-goals.md``; in short:

- A *project* is a repository, or a set of mirrors of one repository on different forge hosts
  (non-fork repositories sharing their root commit), counted once everywhere: view ``projects``
  over the table ``repo_project`` (migration 005). The derived tables (``repo_project``,
  ``person_project_commits``, ``publiccode_matches``) are rebuilt by :func:`refresh_reuse` after
  each collection, after identities.
- An *edge* ``source -> target`` of some ``kind`` says that a project of ``source`` is reused by,
  or receives work from, ``target``:

  ============== ==============================================================================
  fork           a repository of ``target`` is a fork of a repository of ``source``
  mirror         a repository of ``target`` mirrors a project whose canonical repo is ``source``'s
  used_by        a publiccode.yml of ``source``'s project names ``target`` in ``usedBy``
  is_based_on    a publiccode.yml of ``target``'s project names a repository (URL), a namespace
                 or the name of ``source`` in ``isBasedOn``
  contribution   a person affiliated with ``target`` (and not with ``source``) authored commits
                 in ``source``'s project
  shared_contributor  a person affiliated with neither authored commits in projects of both;
                 undirected, reported once with ``source < target``
  ============== ==============================================================================

  ``weight`` counts distinct units: fork repositories, mirror repositories, naming projects
  (used_by), reusing projects (is_based_on), persons (contribution, shared_contributor).

Names in publiccode.yml are matched to the registry's entities by :func:`match_entity`: a
normalisation (case, accents, umlauts, punctuation, administrative prefixes such as "Stadt",
"Comune di", "Gemeente") then exact comparison, then ``difflib`` similarity of at least
:data:`NAME_THRESHOLD` with a clear winner (:data:`NAME_MARGIN`).
"""

from __future__ import annotations

import contextlib
import difflib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

import duckdb
import pandas as pd
import pyarrow as pa

# Edge kinds, in display order.
REUSE_KINDS = ("fork", "mirror", "used_by", "is_based_on")
PEOPLE_KINDS = ("contribution", "shared_contributor")
EDGE_KINDS = REUSE_KINDS + PEOPLE_KINDS

# Fuzzy name matching: a candidate must reach this difflib ratio ...
NAME_THRESHOLD = 0.85
# ... and beat every other entity by at least this much, else the name is ambiguous.
NAME_MARGIN = 0.05
# Fuzzy matching needs names (normalised) of at least this many characters: short names are too
# close to each other by ratio ("Rom" and "Roma" already reach 0.86).
NAME_MIN_FUZZY = 6
# At most this many evidence items are spelled out per edge; the rest are counted.
MAX_EVIDENCE = 20

# Words for the kind of body that precede or follow a place name; removed to get a name's core.
# Longest first, so "freie und hansestadt" goes before "hansestadt". Only words for a
# municipality's own administration are removed: "Landkreis X" and "Stadt X" are different bodies
# and keep telling apart by their full names.
_PREFIXES = tuple(
    sorted(
        (
            "landeshauptstadt", "freie und hansestadt", "freie hansestadt", "hansestadt",
            "universitaetsstadt", "kreisfreie stadt", "stadtverwaltung", "stadt", "gemeinde",
            "comune di", "citta di", "citta metropolitana di", "municipio di", "gemeente",
            "city of", "town of", "municipality of", "ville de", "commune de", "mairie de",
            "ayuntamiento de", "ajuntament de", "concello de", "municipio de", "camara municipal de",
            "kommune", "the",
        ),
        key=len,
        reverse=True,
    )
)
_SUFFIXES = tuple(
    sorted(
        ("kommune", "kommun", "kunta", "stad", "gemeente", "city council", "council", "municipality", "city"),
        key=len,
        reverse=True,
    )
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
    # Through Arrow, as in warehouse.metrics.frames: DuckDB's .df() trips pandas 3 deprecations.
    df = con.sql(sql, params=params).to_arrow_table().to_pandas()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.tz_convert("UTC")
    return df


# --------------------------------------------------------------------------- name matching


def normalise_name(text: str) -> str:
    """Lower case, German umlauts spelled out (ü -> ue), other accents dropped, punctuation to spaces."""
    text = (text or "").casefold().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text).strip()


def core_name(text: str) -> str:
    """A normalised name without administrative prefixes and suffixes ("Stadt", "Comune di", ...).

    Falls back to the normalised name when nothing would be left.
    """
    name = normalise_name(text)
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if name.startswith(prefix + " "):
                name = name[len(prefix) + 1:]
                changed = True
                break
        for suffix in _SUFFIXES:
            if name.endswith(" " + suffix):
                name = name[: -len(suffix) - 1]
                changed = True
                break
    return name or normalise_name(text)


@dataclass(frozen=True, slots=True)
class NameMatch:
    entity_id: str
    score: float  # 1.0 for exact matches of a normalised form
    method: str   # exact | core | fuzzy


@dataclass(frozen=True, slots=True)
class _Forms:
    full: dict[str, frozenset[str]]   # normalised name and id -> entities
    core: dict[str, frozenset[str]]   # cores -> entities
    fuzzy: tuple[tuple[str, str, difflib.SequenceMatcher], ...]  # (entity, form, matcher on form)


@lru_cache(maxsize=16)
def _forms(entities: tuple[tuple[str, str], ...]) -> _Forms:
    full: dict[str, set[str]] = {}
    core: dict[str, set[str]] = {}
    fuzzy = []
    for entity_id, name in entities:
        forms = {normalise_name(name), normalise_name(entity_id.replace("-", " ").replace("_", " "))}
        forms.discard("")
        cores = {core_name(f) for f in forms}
        for f in forms:
            full.setdefault(f, set()).add(entity_id)
        for c in cores:
            core.setdefault(c, set()).add(entity_id)
        for f in sorted(forms | cores):
            if len(f) >= NAME_MIN_FUZZY:
                matcher = difflib.SequenceMatcher(None, autojunk=False)
                matcher.set_seq2(f)  # the entity side is indexed once, texts are compared to it
                fuzzy.append((entity_id, f, matcher))
    return _Forms(
        {k: frozenset(v) for k, v in full.items()},
        {k: frozenset(v) for k, v in core.items()},
        tuple(fuzzy),
    )


@lru_cache(maxsize=65536)
def _match_cached(text: str, entities: tuple[tuple[str, str], ...]) -> NameMatch | None:
    norm = normalise_name(text)
    if not norm:
        return None
    core = core_name(text)
    forms = _forms(entities)
    exact = forms.full.get(norm, frozenset())
    if len(exact) == 1:
        return NameMatch(next(iter(exact)), 1.0, "exact")
    if len(exact) > 1:
        return None
    by_core = forms.core.get(core, frozenset())
    if len(by_core) == 1:
        return NameMatch(next(iter(by_core)), 1.0, "core")
    if len(by_core) > 1:
        return None
    if len(core) < NAME_MIN_FUZZY:
        return None
    best: dict[str, float] = {}
    floor = NAME_THRESHOLD - NAME_MARGIN  # below this a score matters neither as winner nor as runner-up
    for entity_id, _, matcher in forms.fuzzy:
        for candidate in {norm, core}:
            if len(candidate) < NAME_MIN_FUZZY:
                continue
            matcher.set_seq1(candidate)
            have = max(best.get(entity_id, 0.0), floor)
            if matcher.real_quick_ratio() < have or matcher.quick_ratio() < have:
                continue
            ratio = matcher.ratio()
            if ratio >= have:
                best[entity_id] = ratio
    scored = sorted(((v, e) for e, v in best.items()), key=lambda s: (-s[0], s[1]))
    if not scored or scored[0][0] < NAME_THRESHOLD:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < NAME_MARGIN:
        return None
    return NameMatch(scored[0][1], round(scored[0][0], 3), "fuzzy")


def match_entity(text: str, entities: Iterable[tuple[str, str]]) -> NameMatch | None:
    """The entity that ``text`` names, from ``(entity_id, name)`` pairs, or None.

    1. exact: the normalised text equals an entity's normalised name or id (unique);
    2. core: the text's core equals an entity's core (unique; two entities -> ambiguous, None);
    3. fuzzy: the best ``difflib`` ratio between (normalised text, normalised forms) and
       (core, cores), over strings of at least NAME_MIN_FUZZY characters, is at least
       NAME_THRESHOLD and beats the runner-up by NAME_MARGIN.
    """
    return _match_cached(text or "", tuple(sorted((str(e), str(n)) for e, n in entities)))


# --------------------------------------------------------------------------- URL matching


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
        df = _frame(
            con,
            _PC_MENTIONS.format(entries=_PC_ENTRIES, matches=matches)
            + " ORDER BY project_id, forge, host, repo_path, field, text",
        )
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in df.columns})
    df = df.astype(object)
    return df.where(df.notna(), None)


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the caller holds an open transaction (see warehouse.identities)."""
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first


def _counts_sql(tables: Sequence[str]) -> str:
    # UNION ALL, not one SELECT of scalar subqueries: DuckDB plans those as a cross product,
    # which costs tens of milliseconds at a dozen tables; this costs one or two.
    return " UNION ALL ".join(f"SELECT {i} AS i, count(*) AS n FROM {t}" for i, t in enumerate(tables))


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    """Row counts of the tables of a :func:`_counts_sql` query, in their order."""
    return tuple(n for _, n in sorted(con.execute(sql).fetchall()))


_STATE_COUNTED = ("repos", "commits", "forks", "publiccode", "accounts", "entities", "persons",
                  "person_identities", "person_affiliations")
_STATE_COUNTS_SQL = _counts_sql(_STATE_COUNTED)


def reuse_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the derived tables were refreshed since the source tables last changed size.

    A cheap check (row counts): it notices a collection that added rows without a refresh, not
    an update in place; a collection refreshes whenever it noted a change (warehouse.changes) and
    skips the refresh only when it noted none and this check holds.
    """
    state = con.execute(f"SELECT {', '.join(_STATE_COUNTED)} FROM reuse_state").fetchall()
    return len(state) == 1 and tuple(state[0]) == tuple(_counts(con, _STATE_COUNTS_SQL))


def refresh_reuse(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild the derived tables repo_project, person_project_commits and publiccode_matches.

    Call after each collection, after identities (``rebuild_identities``), in the caller's
    transaction if one is open (else in one of its own). Same data, same rows. Returns row counts.
    """
    own = not _in_transaction(con)
    if own:
        con.execute("BEGIN")
    try:
        # Without a state row, entity_edges and entity_reuse_summary below compute live.
        con.execute("DELETE FROM reuse_state")
        con.execute("DELETE FROM repo_project")
        con.execute("INSERT INTO repo_project SELECT * FROM repo_project_live")
        con.execute("DELETE FROM person_project_commits")
        con.execute(
            "INSERT INTO person_project_commits (person_id, project_id, owner, commits, first_at, last_at)"
            " SELECT person_id, project_id, owner, commits, first_at, last_at FROM person_project_commits_live"
        )
        con.execute("DELETE FROM publiccode_matches")
        texts = [r[0] for r in con.sql(f"SELECT DISTINCT text FROM ({_PC_ENTRIES}) ORDER BY text").fetchall()]
        if texts:
            con.register("_reuse_matches", _resolve_table(con, texts))
            try:
                con.execute(
                    "INSERT INTO publiccode_matches"
                    " SELECT text, entity_id, project_id, method, score FROM _reuse_matches"
                )
            finally:
                con.unregister("_reuse_matches")
        _refresh_caches(con)
        counts = {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            for name in ("repo_project", "person_project_commits", "publiccode_matches",
                         "entity_edges_cache", "entity_reuse_cache")
        }
        sources = _counts(con, _STATE_COUNTS_SQL)
        con.execute(
            f"INSERT INTO reuse_state (refreshed_at, {', '.join(_STATE_COUNTED)})"
            f" VALUES (now(), {', '.join('?' for _ in _STATE_COUNTED)})",
            list(sources),
        )
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    return counts


def _refresh_caches(con: duckdb.DuckDBPyConnection) -> None:
    """Every edge and every entity's summary, stored for reading while reuse_fresh holds."""
    con.execute("DELETE FROM entity_edges_cache")
    con.execute("DELETE FROM entity_reuse_cache")
    edges = _entity_edges_live(con, None, list(EDGE_KINDS))
    summary = _entity_reuse_summary_live(con, None)
    for table, df in (("entity_edges_cache", edges.assign(position=range(len(edges)))),
                      ("entity_reuse_cache", summary)):
        if df.empty:
            continue
        name = f"_reuse_rows_{table}"
        con.register(name, df)
        try:
            cols = ", ".join(df.columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
        finally:
            con.unregister(name)


# --------------------------------------------------------------------------- evidence and edges

_EVIDENCE_COLUMNS = ["kind", "source", "target", "source_project", "target_project", "unit", "detail"]

# One SELECT per kind, each giving the evidence columns; assembled with UNION ALL.
_EVIDENCE_SQL = {
    "fork": """
        SELECT 'fork' AS kind, source, target, source_project,
               forge || ':' || host || '/' || fork_path AS target_project,
               forge || ':' || host || '/' || fork_path AS unit,
               host || '/' || parent_path || ' forked as ' || host || '/' || fork_path AS detail
        FROM fork_evidence""",
    "mirror": """
        SELECT 'mirror' AS kind, source, target, source_project, source_project AS target_project,
               forge || ':' || host || '/' || path AS unit,
               source_project || ' mirrored as ' || forge || ':' || host || '/' || path AS detail
        FROM mirror_evidence""",
    "used_by": """
        SELECT DISTINCT 'used_by' AS kind, owner AS source, entity_id AS target,
               project_id AS source_project, NULL::VARCHAR AS target_project, project_id AS unit,
               project_id || ' publiccode.yml usedBy "' || text || '" (' || method || ' '
               || printf('%g', score) || ')' AS detail
        FROM ({mentions}) WHERE field = 'used_by' AND entity_id IS NOT NULL AND entity_id <> owner""",
    "is_based_on": """
        SELECT DISTINCT 'is_based_on' AS kind, entity_id AS source, owner AS target,
               matched_project AS source_project, project_id AS target_project, project_id AS unit,
               project_id || ' publiccode.yml isBasedOn "' || text || '" (' || method || ')' AS detail
        FROM ({mentions}) WHERE field = 'is_based_on' AND entity_id IS NOT NULL AND entity_id <> owner""",
    "contribution": """
        SELECT 'contribution' AS kind, c.source, c.target, c.source_project,
               NULL::VARCHAR AS target_project, c.person_id::VARCHAR AS unit,
               coalesce(p.display_name, 'person ' || c.person_id) || ': ' || c.commits
               || ' commit(s) to ' || c.source_project AS detail
        FROM contribution_evidence c LEFT JOIN persons p USING (person_id)""",
    "shared_contributor": """
        SELECT 'shared_contributor' AS kind, x.source, x.target, NULL::VARCHAR AS source_project,
               NULL::VARCHAR AS target_project, x.person_id::VARCHAR AS unit,
               coalesce(p.display_name, 'person ' || x.person_id) || ': ' || x.source_commits
               || ' commit(s) to projects of ' || x.source || ', ' || x.target_commits
               || ' to projects of ' || x.target AS detail
        FROM shared_contributor_evidence x LEFT JOIN persons p USING (person_id)""",
}


def _kinds(kinds: Sequence[str] | None) -> list[str]:
    unknown = set(kinds or ()) - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)} (expected some of {', '.join(EDGE_KINDS)})")
    return list(EDGE_KINDS) if kinds is None else [k for k in EDGE_KINDS if k in set(kinds)]


def _with_evidence(con, kinds: list[str], sql: str, params: dict[str, Any]) -> pd.DataFrame:
    """Run ``sql`` with ``{evidence}`` replaced by the union of the wanted kinds' evidence.

    Every kind's rows are unique by construction (per fork repository, mirror repository,
    (project, named entity), (person, project, entity), (person, entity pair)).
    """
    with contextlib.ExitStack() as stack:
        mentions = ""
        if {"used_by", "is_based_on"} & set(kinds):
            matches = stack.enter_context(_matches(con))
            mentions = _PC_MENTIONS.format(entries=_PC_ENTRIES, matches=matches)
        parts = [_EVIDENCE_SQL[k].replace("{mentions}", mentions) for k in kinds]
        evidence = "(" + " UNION ALL ".join(parts) + ")"
        return _frame(con, sql.replace("{evidence}", evidence), params)


_KIND_ORDER = "list_position([" + ", ".join(f"'{k}'" for k in EDGE_KINDS) + "], kind)"


def reuse_evidence(
    con: duckdb.DuckDBPyConnection,
    entity_id: str | None = None,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every piece of evidence behind the edges, one row each, deduplicated.

    Columns: kind, source, target (entity ids), source_project (the reused project, when known),
    target_project (the reusing project: fork or mirror repository, isBasedOn project), unit (what
    the edge weight counts: the fork or mirror repository, the naming project, the reusing
    project, the person id), detail (a readable sentence). ``entity_id`` keeps rows where it is
    source or target; ``kinds`` keeps those kinds.
    """
    wanted = _kinds(kinds)
    if not wanted:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _EVIDENCE_COLUMNS})
    df = _with_evidence(
        con,
        wanted,
        "SELECT * FROM {evidence} e WHERE $entity IS NULL OR e.source = $entity OR e.target = $entity"
        f" ORDER BY {_KIND_ORDER}, source, target, unit, detail",
        {"entity": entity_id},
    ).astype(object)
    return df.where(df.notna(), None).reset_index(drop=True)


def entity_edges(
    con: duckdb.DuckDBPyConnection,
    entity_id: str | None = None,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Edges between entities: ``source``'s projects reused by, or receiving work from, ``target``.

    Columns: source, target, kind, weight (distinct units, see the module doc), evidence (the
    details, sorted, joined with "; ", at most MAX_EVIDENCE then "; ... and N more").
    Sorted by kind (EDGE_KINDS order), then weight descending, source, target.
    """
    wanted = _kinds(kinds)
    if wanted and reuse_fresh(con):
        df = _frame(
            con,
            "SELECT source, target, kind, weight, evidence FROM entity_edges_cache"
            " WHERE ($entity IS NULL OR source = $entity OR target = $entity) AND list_contains($kinds, kind)"
            " ORDER BY position",
            {"entity": entity_id, "kinds": wanted},
        )
        return _edge_types(df)
    return _entity_edges_live(con, entity_id, wanted)


def _edge_types(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame({"source": pd.Series(dtype=object), "target": pd.Series(dtype=object),
                             "kind": pd.Series(dtype=object), "weight": pd.Series(dtype="int64"),
                             "evidence": pd.Series(dtype=object)})
    df["weight"] = df["weight"].astype("int64")
    return df.astype({"source": object, "target": object, "kind": object, "evidence": object})


def _entity_edges_live(con: duckdb.DuckDBPyConnection, entity_id: str | None, wanted: list[str]) -> pd.DataFrame:
    if not wanted:
        return _edge_types(pd.DataFrame())
    df = _with_evidence(
        con,
        wanted,
        f"""
        WITH e AS (SELECT * FROM {{evidence}} e
                   WHERE $entity IS NULL OR e.source = $entity OR e.target = $entity),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY source, target, kind ORDER BY detail) AS rn FROM e
        ),
        agg AS (
            SELECT source, target, kind, count(DISTINCT unit) AS weight, count(*) AS details,
                   string_agg(detail, '; ' ORDER BY detail) FILTER (WHERE rn <= $cap) AS shown
            FROM ranked GROUP BY source, target, kind
        )
        SELECT source, target, kind, weight,
               shown || CASE WHEN details > $cap THEN '; ... and ' || (details - $cap) || ' more' ELSE '' END
               AS evidence
        FROM agg
        ORDER BY {_KIND_ORDER}, weight DESC, source, target
        """,
        {"entity": entity_id, "cap": MAX_EVIDENCE},
    )
    return _edge_types(df)


# --------------------------------------------------------------------------- per entity


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
        return _frame(
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


def mirrors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Mirror pairs: every non-canonical repository of a project with its canonical repository.

    Columns: project_id, canonical_forge, canonical_host, canonical_path, canonical_entity,
    mirror_forge, mirror_host, mirror_path, mirror_entity, root_sha, same_entity.
    """
    return _frame(
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
    return _frame(con, sql + " ORDER BY project_id", params)


__all__ = [
    "EDGE_KINDS",
    "NAME_MARGIN",
    "NAME_THRESHOLD",
    "PEOPLE_KINDS",
    "REUSE_KINDS",
    "NameMatch",
    "contributions_to_others",
    "core_name",
    "entity_edges",
    "entity_reuse_summary",
    "match_entity",
    "mirrors",
    "normalise_name",
    "projects",
    "projects_reused_by_others",
    "publiccode_mentions",
    "refresh_reuse",
    "reuse_evidence",
    "reuse_fresh",
]
