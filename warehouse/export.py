"""The published warehouse as a Frictionless Data Package: a folder an open-data portal can publish.

One file per resource (Parquet or CSV) and a ``datapackage.json`` descriptor naming every
resource with its fields, their types, its primary key, the licence of the data, the forges it
came from and the moment of the collection. Two kinds of resources:

- the warehouse's stored tables (entities, accounts, repositories, commits, issues and change
  requests, comments, releases, forks, root files, publiccode.yml, members, persons, goals and
  their snapshots, the per-repository metric results, the attention list, reuse edges and
  summaries, the run log), copied with DuckDB's ``COPY ... TO``;
- the answers of the query functions the dashboard's pages show, at every level they offer
  (repository, entity, archetype, country, ecosystem), at the collection's moment with their
  default parameters, named ``<function>_by_<level>`` (or ``<function>`` without levels).

Personal data: e-mail addresses of persons (commit authors and committers, identities) are
hashed by default (SHA-256 of the address in lower case: the same person keeps one value, the
address is not shown), or left out (``emails="omit"``), or kept (``emails="include"``). In the
first two modes, e-mail addresses inside free text (commit messages, titles, descriptions,
publiccode.yml contacts) are replaced by ``[e-mail withheld]``. The descriptor says which.
Names and logins of persons are public on the forges and kept.

Only fixed SQL fragments and identifiers read from the catalogue are put into statements; the
output paths are quoted literals (COPY takes no parameters for its target).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

FORMATS = ("parquet", "csv")
EMAIL_MODES = ("hash", "omit", "include")
DESCRIPTOR = "datapackage.json"
DEFAULT_LICENCE = "CC-BY-4.0"
# Licences a city is likely to choose for open data, with where their text is.
KNOWN_LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "dl-de-by-2.0": ("Datenlizenz Deutschland - Namensnennung - Version 2.0", "https://www.govdata.de/dl-de/by-2-0"),
    "dl-de-zero-2.0": ("Datenlizenz Deutschland - Zero - Version 2.0", "https://www.govdata.de/dl-de/zero-2-0"),
}
WITHHELD = "[e-mail withheld]"
# Close to what forges accept as an address; a false match only hides text, never leaks.
_EMAIL_RE = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
_NAME_RE = re.compile(r"^[a-z0-9_]+$")


class ExportError(Exception):
    """The export cannot be written; the message says what to do."""


# ----------------------------------------------------------------------------- stored tables

@dataclass(frozen=True)
class StoredTable:
    name: str
    description: str
    emails: tuple[str, ...] = ()      # columns holding a person's e-mail address
    free_text: tuple[str, ...] = ()   # text columns that may quote an address
    dropped: tuple[str, ...] = ()     # columns that say something about this machine, not the data
    keyed: bool = True                # False: its primary key holds '' (which CSV cannot tell from missing)
    key: tuple[str, ...] = ()         # the key of a table kept without an index (read by scans; the
                                      # loader or the whole write keeps it unique)


STORED_TABLES: tuple[StoredTable, ...] = (
    StoredTable("entities", "Entities of the registry (cities, institutions, associations) as last collected."),
    StoredTable("accounts", "Forge accounts (organisations, users, groups) of each entity, with their API address."),
    StoredTable("repos", "Repositories with their metadata as the forge reported it.", free_text=("description",)),
    StoredTable("commits", "Commits on each repository's default branch.",
                emails=("author_email", "committer_email"), free_text=("message",),
                key=("forge", "host", "repo_path", "sha")),
    StoredTable("items", "Issues and pull/merge requests (kind issue | change_request).", free_text=("title",),
                key=("forge", "host", "repo_path", "kind", "number")),
    StoredTable("comments", "Comments, review comments and notes on issues and change requests.",
                key=("forge", "host", "repo_path", "kind", "comment_id")),
    StoredTable("releases", "Releases and tags published as releases.", free_text=("name",)),
    StoredTable("forks", "Forks of each repository."),
    StoredTable("root_files", "Which of README, LICENSE, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY and "
                "publiccode.yml each repository has at its root; the root's file and folder names, and "
                "on GitHub the names in .github/workflows."),
    StoredTable("publiccode", "publiccode.yml files as parsed, invalid ones with their errors.",
                free_text=("contacts", "raw", "contractors", "main_copyright_owner")),
    StoredTable("reviews", "Reviews of merged change requests: GitHub's submitted reviews, GitLab's approvals; one "
                "row per change request, reviewer and state. A change request whose reviews were read and held none "
                "has one row with state NONE and no reviewer_login; one without any row has its reviews unknown.",
                keyed=False),
    StoredTable("members", "Public members of organisations and groups."),
    StoredTable("persons", "Persons merged across logins and e-mail addresses; bots flagged."),
    StoredTable("person_identities", "Each login, e-mail address and name seen, with the person it belongs to.",
                emails=("email",)),
    StoredTable("person_affiliations", "Persons affiliated to entities, and why (member, email_domain, alias)."),
    StoredTable("goals", "Goals of the registry: metric, target and deadline per entity."),
    StoredTable("goal_snapshots", "History of every entity's goal metrics: one value per day observed after "
                "a collection, earlier values reconstructed from creation dates and commit history."),
    StoredTable("repo_lifecycle", "Lifecycle stage of each repository at the collection's moment.",
                key=("forge", "host", "path")),
    StoredTable("repo_health_inputs", "Inputs and part scores of each repository's health score.",
                key=("forge", "host", "path")),
    StoredTable("repo_health_parts", "Each part of each repository's health score, with its inputs (JSON).",
                key=("forge", "host", "path", "part")),
    StoredTable("attention_findings", "The attention list: inactive repositories, unanswered items, "
                "single maintainers, expiring contracts.", key=("position",)),
    StoredTable("entity_edges_cache", "Reuse and collaboration edges between entities, with evidence."),
    StoredTable("entity_reuse_cache", "Reuse and collaboration per entity."),
    StoredTable("settings", "Lifecycle thresholds and health weights the metrics were computed with."),
    StoredTable("runs", "The collection run log: one row per run, with its outcome.", dropped=("registry",)),
    StoredTable("run_accounts", "Each account's collection in each run: outcome, requests, rate budget, errors."),
)
# Stored-table resources get plainer names where the table's own name says how it is kept.
_RESOURCE_NAMES = {"entity_edges_cache": "reuse_edges", "entity_reuse_cache": "reuse_by_entity"}


# ----------------------------------------------------------------------------- query answers

@dataclass(frozen=True)
class Answer:
    name: str
    description: str
    compute: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]
    primary_key: tuple[str, ...] = ()


_LEVEL_KEYS = {
    "repo": ("forge", "host", "path"),
    "entity": ("entity_id",),
    "archetype": ("archetype",),
    "country": ("country",),
    "ecosystem": ("scope",),
}
# Functions with a scope level, answered at every level, and the columns that, with the
# level's, make a row unique.
_LEVELLED = (
    ("metrics", "health_score", "Health score 0-100 and its parts.", ()),
    ("metrics", "lifecycle_summary", "Repositories per lifecycle stage.", ()),
    ("metrics", "absence_factor", "Contributor Absence Factor (bus factor) over the last 12 months.", ()),
    ("metrics", "elephant_factor", "Elephant Factor: fewest organisations behind half the commits.", ()),
    ("metrics", "inactive_contributors", "Contributors active before the window and not in it.", ()),
    ("metrics", "time_to_first_response", "Median time to first response on issues and change requests.",
     ("kind",)),
    ("metrics", "change_request_ratios", "Change requests opened, closed and merged, and their ratios.", ()),
    ("metrics", "issue_age", "Age of open issues (median and mean).", ()),
    ("metrics", "issue_resolution_duration", "Time from opening to closing of issues.", ()),
    ("metrics", "release_frequency", "Releases in the window and their frequency.", ()),
    ("metrics", "technical_forks", "Technical forks: contributing and non-contributing.", ()),
    ("metrics", "activity_totals", "Commits and contributors in the window.", ()),
    ("metrics", "activity_per_month", "Commits, active and new contributors per month.", ("month",)),
    ("pages.activity_figures", "period_activity", "Commits and active contributors in the window.", ()),
)
# Functions without levels: (module, function, description, primary key).
_SINGLE = (
    ("metrics", "lifecycle", "Lifecycle stage of each repository, with its inputs.", ("forge", "host", "path")),
    ("metrics", "health_parts", "Each part of each repository's health score, weighted.",
     ("forge", "host", "path", "part")),
    ("metrics", "attention_list", "The attention list as the dashboard shows it.", ()),
    ("metrics", "hygiene", "Licence, root files and publiccode.yml checks per repository.", ("forge", "host", "path")),
    ("metrics", "last_activity", "Last activity of each repository by kind.", ("forge", "host", "path")),
    ("metrics", "technical_fork_list", "Every fork with its commits not in the parent.",
     ("forge", "host", "path", "fork_path")),
    ("pages.directory", "repo_list", "Repositories with their entity, country and archetype.",
     ("forge", "host", "path")),
    ("pages.directory", "entity_accounts", "Accounts per entity with what was collected from each.",
     ("entity_id", "forge", "host", "owner")),
    ("pages.activity_figures", "entity_overview", "Entities with repositories, commits and contributors of the last 90 days.",
     ("entity_id",)),
    ("reuse", "entity_edges", "Reuse and collaboration edges between entities.", ("source", "target", "kind")),
    ("reuse", "entity_reuse_summary", "Reuse and collaboration per entity.", ("entity_id",)),
    ("reuse", "reuse_evidence", "Every piece of evidence behind the reuse edges.", ()),
    ("reuse", "mirrors", "Repositories mirrored across forges, counted once.", ()),
    ("reuse", "projects", "Projects: repositories with their mirrors merged.", ("project_id",)),
    ("goals", "goal_progress", "Progress of every goal: value, target, deadline, trend and status.",
     ("entity_id", "goal_no")),
)


def _function(module: str, name: str):
    from importlib import import_module

    return getattr(import_module(f"warehouse.{module}"), name)


def answers() -> list[Answer]:
    """Every query answer the export writes, in order."""
    from warehouse.metrics import LEVELS, Scope

    found = []
    for module, name, description, extra in _LEVELLED:
        fn = _function(module, name)
        for level in LEVELS:
            found.append(Answer(f"{name}_by_{level}", f"{description} Per {level}.",
                                lambda con, fn=fn, level=level: fn(con, Scope(level)),
                                _LEVEL_KEYS[level] + tuple(extra)))
    for module, name, description, key in _SINGLE:
        fn = _function(module, name)
        found.append(Answer(name, description, lambda con, fn=fn: fn(con), tuple(key)))
    return found


def exported_functions() -> set[str]:
    """Names of the query functions whose answers the export writes."""
    return {name for _, name, _, _ in _LEVELLED} | {name for _, name, _, _ in _SINGLE}


# ----------------------------------------------------------------------------- types

def _field_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t.endswith("[]") or t.startswith("LIST") or re.search(r"\[\d+\]$", t):
        return "array"
    if t.startswith(("STRUCT", "MAP", "JSON", "UNION")):
        return "object"
    if t in ("VARCHAR", "UUID", "BLOB", "BIT") or t.startswith(("VARCHAR", "ENUM")):
        return "string"
    if t == "BOOLEAN":
        return "boolean"
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
             "UBIGINT", "UHUGEINT"):
        return "integer"
    if t in ("FLOAT", "DOUBLE", "REAL") or t.startswith("DECIMAL"):
        return "number"
    if t == "DATE":
        return "date"
    if t.startswith("TIME") and not t.startswith("TIMESTAMP"):
        return "time"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t == "INTERVAL":
        return "duration"
    return "any"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_expression(column: str, duck_type: str) -> str:
    """How a column is written to CSV so that a Table Schema reader parses it back as its type."""
    col = _ident(column)
    kind = _field_type(duck_type)
    if kind in ("array", "object"):
        return f"to_json({col})::VARCHAR AS {col}"
    if kind == "datetime":
        if "TIME ZONE" in duck_type.upper():
            # In UTC whatever the session's time zone.
            return f"strftime({col} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS {col}"
        return f"strftime({col}, '%Y-%m-%dT%H:%M:%S.%f') AS {col}"
    if kind == "number":
        # NaN is "no value" in the answers; an empty cell says so in CSV.
        return f"CASE WHEN isnan({col}::DOUBLE) THEN NULL ELSE {col} END AS {col}"
    return col


# ----------------------------------------------------------------------------- writing

@dataclass
class ExportSummary:
    out: Path
    fmt: str
    emails: str
    resources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(r["rows"] for r in self.resources)


def _columns(con: duckdb.DuckDBPyConnection, select_sql: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {select_sql}").fetchall()]


def _stored_select(con: duckdb.DuckDBPyConnection, table: StoredTable, emails: str) -> str | None:
    present = _columns(con, f"SELECT * FROM {_ident(table.name)}")
    if not present:
        return None
    parts = []
    for name, _type in present:
        if name in table.dropped:
            continue
        col = _ident(name)
        if name in table.emails:
            if emails == "omit":
                continue
            if emails == "hash":
                parts.append(f"CASE WHEN nullif(trim({col}), '') IS NULL THEN NULL "
                             f"ELSE sha256(lower(trim({col}))) END AS {col}")
                continue
        if name in table.free_text and emails != "include":
            parts.append(f"regexp_replace({col}::VARCHAR, {_literal(_EMAIL_RE)}, {_literal(WITHHELD)}, 'g') AS {col}")
            continue
        parts.append(col)
    return f"SELECT {', '.join(parts)} FROM {_ident(table.name)}"


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = ?", [name]).fetchall()[0][0])


def _primary_key(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    rows = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [table]).fetchall()
    return tuple(rows[0][0]) if rows else ()


def _write(con: duckdb.DuckDBPyConnection, select_sql: str, target: Path, fmt: str) -> list[tuple[str, str]]:
    columns = _columns(con, select_sql)
    if fmt == "csv":
        body = ", ".join(_csv_expression(n, t) for n, t in columns)
        sql = f"COPY (SELECT {body} FROM ({select_sql})) TO {_literal(str(target))} (FORMAT csv, HEADER true)"
    else:
        sql = f"COPY ({select_sql}) TO {_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
    con.execute(sql)
    return columns


def _resource(name: str, path: str, fmt: str, description: str, columns: Sequence[tuple[str, str]],
              key: Sequence[str], rows: int, notes: dict[str, str]) -> dict[str, Any]:
    fields = []
    for column, duck_type in columns:
        spec: dict[str, Any] = {"name": column, "type": _field_type(duck_type)}
        if column in notes:
            spec["description"] = notes[column]
        if column in key:
            spec["constraints"] = {"required": True}
        fields.append(spec)
    schema: dict[str, Any] = {"fields": fields}
    if key:
        schema["primaryKey"] = list(key)
    resource: dict[str, Any] = {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": fmt,
        "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
        "description": description,
        "schema": schema,
        "rows": rows,
    }
    if fmt == "csv":
        resource["encoding"] = "utf-8"
        resource["dialect"] = {"delimiter": ",", "header": True, "doubleQuote": True}
    return resource


def _email_notes(table: StoredTable, emails: str) -> dict[str, str]:
    notes = {}
    for column in table.emails:
        if emails == "hash":
            notes[column] = "SHA-256 (hex) of the e-mail address in lower case; the address itself is not exported."
        elif emails == "include":
            notes[column] = "A person's e-mail address (personal data), exported on request."
    if emails != "include":
        for column in table.free_text:
            notes[column] = f"E-mail addresses in this text are replaced by {WITHHELD}."
    return notes


def _moment(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    from warehouse import metrics

    row = con.execute("SELECT max(finished_at), max(started_at) FROM runs").fetchone()
    as_of = metrics.as_of(con)
    return {
        "last_run_finished_at": _iso(row[0]) if row else None,
        "metrics_computed_at": _iso(as_of),
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    rows = con.execute("SELECT forge, host, min(url) FROM accounts GROUP BY forge, host ORDER BY forge, host").fetchall()
    return [{"title": f"{forge} ({host})", "path": url} for forge, host, url in rows]


def _licence(licence: str) -> dict[str, str]:
    title, path = KNOWN_LICENCES.get(licence, (licence, None))
    found = {"name": licence, "title": title}
    if path:
        found["path"] = path
    return found


def _personal_data_note(emails: str) -> str:
    if emails == "include":
        return ("E-mail addresses of persons are included (commits.author_email, commits.committer_email, "
                "person_identities.email): this export holds personal data.")
    how = ("hashed (SHA-256 of the address in lower case)" if emails == "hash" else "left out")
    return (f"E-mail addresses of persons are {how} in commits and person_identities, and replaced by "
            f"{WITHHELD} in free text. Names and logins of persons are kept as the forges publish them.")


def export_package(con: duckdb.DuckDBPyConnection, out: str | os.PathLike[str], fmt: str = "parquet",
                   emails: str = "hash", licence: str = DEFAULT_LICENCE, title: str | None = None,
                   progress: Callable[[str], None] | None = None) -> ExportSummary:
    """Write every table and every answer of ``con`` (a read-only warehouse) into the folder ``out``.

    The folder is created; files of an earlier export in it are replaced, other files are left
    alone. Raises ExportError when the folder cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if emails not in EMAIL_MODES:
        raise ValueError(f"emails must be one of {', '.join(EMAIL_MODES)}")
    folder = Path(out)
    staging = folder / ".ossdash-export.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "data").mkdir(parents=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror or exc}; choose a writable --out") from None
    summary = ExportSummary(folder, fmt, emails)
    try:
        _write_all(con, staging, fmt, emails, summary, progress)
        descriptor = {
            "profile": "tabular-data-package",
            "name": "ossdash-export",
            "title": title or "Open-source activity, health and reuse of public-sector code",
            "description": ("Repositories, activity, health, reuse and goals of public-sector entities on "
                            "GitHub, GitLab and openCoDE, collected by ossdash. Metric definitions follow CHAOSS; "
                            "answers are taken at the collection's moment with the dashboard's default parameters."),
            "created": _iso(datetime.now(UTC)),
            "licenses": [_licence(licence)],
            "sources": _sources(con),
            "keywords": ["open source", "public sector", "CHAOSS", "publiccode.yml"],
            "ossdash": {**_moment(con), "emails": emails, "personal_data": _personal_data_note(emails)},
            "resources": summary.resources,
        }
        (staging / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        _move_into(staging, folder)
    except OSError as exc:
        raise ExportError(f"cannot write the export to {folder}: {exc.strerror or exc}; "
                          "free disk space or choose another --out") from None
    except duckdb.IOException as exc:
        raise ExportError(f"cannot write the export to {folder}: {str(exc).splitlines()[0]}; "
                          "free disk space or choose another --out") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _write_all(con, staging: Path, fmt: str, emails: str, summary: ExportSummary, progress) -> None:
    for table in STORED_TABLES:
        if not _table_exists(con, table.name):
            continue
        select_sql = _stored_select(con, table, emails)
        if select_sql is None:
            continue
        name = _RESOURCE_NAMES.get(table.name, table.name)
        _add(con, summary, staging, name, select_sql, fmt, table.description,
             (table.key or _primary_key(con, table.name)) if table.keyed else (),
             _email_notes(table, emails), progress)
    for answer in answers():
        df = answer.compute(con)
        view = f"_ossdash_export_{answer.name}"
        con.register(view, _plain(df))
        try:
            _add(con, summary, staging, answer.name, f"SELECT * FROM {_ident(view)}", fmt, answer.description,
                 answer.primary_key, {}, progress)
        finally:
            con.unregister(view)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns of only None become text, so DuckDB gives every column a type."""
    out = df.reset_index(drop=True).copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].isna().all():
            out[col] = out[col].astype("string")
    return out


def _add(con, summary: ExportSummary, staging: Path, name: str, select_sql: str, fmt: str, description: str,
         key: Sequence[str], notes: dict[str, str], progress) -> None:
    if not _NAME_RE.match(name):
        raise ValueError(f"resource name {name!r} is not a Data Package name")
    relative = f"data/{name}.{fmt}"
    columns = _write(con, select_sql, staging / relative, fmt)
    rows = con.execute(f"SELECT count(*) FROM ({select_sql})").fetchall()[0][0]
    names = {c for c, _ in columns}
    summary.resources.append(_resource(name, relative, fmt, description, columns,
                                       [k for k in key if k in names] if set(key) <= names else [],
                                       rows, notes))
    if progress is not None:
        progress(f"{relative}: {rows} rows")


def _move_into(staging: Path, folder: Path) -> None:
    """Replace the previous export's files with the new ones; the descriptor last, so that a
    reader never finds a descriptor naming files that are not there yet."""
    data = folder / "data"
    data.mkdir(exist_ok=True)
    previous = _described_files(folder)
    written = set()
    for path in sorted((staging / "data").iterdir()):
        os.replace(path, data / path.name)
        written.add(f"data/{path.name}")
    os.replace(staging / DESCRIPTOR, folder / DESCRIPTOR)
    for stale in previous - written:
        (folder / stale).unlink(missing_ok=True)


def _described_files(folder: Path) -> set[str]:
    """The data files an earlier export's descriptor names (only plain names under data/)."""
    try:
        old = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
        paths = {r.get("path") for r in old.get("resources", []) if isinstance(r, dict)}
    except (OSError, ValueError, AttributeError):
        return set()
    return {p for p in paths if isinstance(p, str) and re.fullmatch(r"data/[a-z0-9_]+\.(csv|parquet)", p)}


__all__ = [
    "DEFAULT_LICENCE",
    "DESCRIPTOR",
    "EMAIL_MODES",
    "FORMATS",
    "KNOWN_LICENCES",
    "STORED_TABLES",
    "WITHHELD",
    "Answer",
    "ExportError",
    "ExportSummary",
    "answers",
    "export_package",
    "exported_functions",
]
