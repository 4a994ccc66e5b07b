"""``ossdash export``: a real collection exported for real, validated as a Frictionless Data Package,
and loaded back into a fresh DuckDB with the same values as the dashboard's query functions."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import frictionless
import pandas as pd
import pyarrow.parquet as pq
import pytest

from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from warehouse import export, metrics
from warehouse.metrics import Scope
from warehouse.pages import run_log
from warehouse.reader import cursor, open_readonly

CLI = [sys.executable, "-m", "dashboard.cli"]


@pytest.fixture(scope="module")
def goal_db(tmp_path_factory):
    """A small collection with the registry's goals, so goals and their history are exported."""
    from warehouse.pipeline import collect

    path = tmp_path_factory.mktemp("export") / "ossdash.duckdb"
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        registry = path.with_name("simulator.toml")
        registry.write_text(sim.registry_toml(goals=True), encoding="utf-8")
        summary = collect(load_registry(registry), path)
    assert summary.status == "ok", summary
    return path


def _export(db: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "export", "--db", str(db), "--out", str(out), *args],
                          check=False, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def exports(goal_db, tmp_path_factory):
    folders = {}
    for fmt in export.FORMATS:
        out = tmp_path_factory.mktemp(f"out-{fmt}")
        done = _export(goal_db, out, "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "resources" in done.stderr and str(out) in done.stderr
        folders[fmt] = out
    return folders


def _descriptor(folder: Path) -> dict:
    return json.loads((folder / export.DESCRIPTOR).read_text(encoding="utf-8"))


def test_csv_export_validates_as_a_data_package_with_its_data(exports):
    report = frictionless.validate(str(exports["csv"] / export.DESCRIPTOR))
    problems = [(t.name, e.message) for t in report.tasks for e in t.errors][:5]
    assert report.valid, (problems, [e.message for e in report.errors][:5])
    assert report.stats["tasks"] == len(_descriptor(exports["csv"])["resources"])
    # Reviews are there, the NONE rows (read, none found) with an empty reviewer.
    reviews = next(r for r in _descriptor(exports["csv"])["resources"] if r["name"] == "reviews")
    assert reviews["rows"] > 0 and "primaryKey" not in reviews["schema"]
    rows = list(csv.DictReader((exports["csv"] / reviews["path"]).open(encoding="utf-8")))
    assert any(r["state"] == "NONE" and r["reviewer_login"] == "" for r in rows)
    assert any(r["state"] == "APPROVED" and r["reviewer_login"] for r in rows)


def test_a_wrong_primary_key_is_caught_by_the_validation(exports, tmp_path):
    # The check above can fail: declare a key that is not unique and the validation says so.
    folder = tmp_path / "broken"
    shutil.copytree(exports["csv"], folder)
    descriptor = _descriptor(folder)
    resource = next(r for r in descriptor["resources"] if r["name"] == "time_to_first_response_by_entity")
    resource["schema"]["primaryKey"] = ["entity_id"]
    (folder / export.DESCRIPTOR).write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(folder / export.DESCRIPTOR))
    assert not report.valid
    assert {e.type for t in report.tasks for e in t.errors} == {"primary-key"}


# frictionless reads Parquet through pandas, which turns lists into numpy arrays and nullable
# integers into floats, so it cannot check Parquet cells; the descriptor is validated by it, and
# the files' own types and keys are checked against the descriptor here.
_ARROW_KINDS = {
    "string": ("string", "large_string"), "integer": ("int8", "int16", "int32", "int64", "uint8", "uint16",
                                                      "uint32", "uint64"),
    "number": ("double", "float", "halffloat"), "boolean": ("bool",), "date": ("date32[day]",),
}


def test_parquet_export_descriptor_validates_and_matches_the_files(exports):
    folder = exports["parquet"]
    descriptor = _descriptor(folder)
    assert frictionless.Package.validate_descriptor(descriptor).valid
    con = duckdb.connect()
    for resource in descriptor["resources"]:
        path = folder / resource["path"]
        schema = pq.read_schema(path)
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == schema.names, resource["name"]
        for spec in fields:
            arrow = str(schema.field(spec["name"]).type)
            kind = spec["type"]
            if kind in _ARROW_KINDS:
                assert arrow in _ARROW_KINDS[kind], (resource["name"], spec, arrow)
            elif kind == "datetime":
                assert arrow.startswith("timestamp"), (resource["name"], spec, arrow)
            elif kind == "array":
                assert arrow.startswith("list"), (resource["name"], spec, arrow)
        assert pq.read_metadata(path).num_rows == resource["rows"]
        key = resource["schema"].get("primaryKey")
        if key:
            cols = ", ".join(f'"{k}"' for k in key)
            dup = con.execute(f"SELECT count(*) - count(DISTINCT ({cols})) , count(*) FILTER "
                              f"(WHERE {' OR '.join(f'{c} IS NULL' for c in cols.split(', '))}) "
                              "FROM read_parquet(?)", [str(path)]).fetchone()
            assert dup == (0, 0), (resource["name"], key)


def test_descriptor_names_licence_sources_moment_and_keys(exports, goal_db):
    descriptor = _descriptor(exports["csv"])
    assert descriptor["licenses"] == [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                                       "path": "https://creativecommons.org/licenses/by/4.0/"}]
    con = open_readonly(goal_db)
    try:
        cur = cursor(con)
        urls = {r[0] for r in cur.execute("SELECT url FROM accounts").fetchall()}
        finished = cur.execute("SELECT max(finished_at) FROM runs").fetchone()[0]
        keys = {r[0]: list(r[1]) for r in cur.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE database_name = current_database() AND constraint_type = 'PRIMARY KEY'").fetchall()}
    finally:
        con.close()
    assert {s["path"] for s in descriptor["sources"]} <= urls and len(descriptor["sources"]) == 3
    assert descriptor["ossdash"]["last_run_finished_at"] == finished.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "hashed" in descriptor["ossdash"]["personal_data"]
    resources = {r["name"]: r for r in descriptor["resources"]}
    # The results are kept without an index; their key is the export's (and checked unique above).
    keys.update({t.name: list(t.key) for t in export.STORED_TABLES if t.key})
    for table in ("repos", "commits", "items", "goals", "goal_snapshots", "repo_lifecycle", "repo_health_parts",
                  "attention_findings"):
        assert resources[table]["schema"]["primaryKey"] == keys[table], table
    # Every level of every levelled answer, goals with history, reuse with evidence, attention list.
    for level in metrics.LEVELS:
        assert f"health_score_by_{level}" in resources and f"lifecycle_summary_by_{level}" in resources
    for name in ("goal_progress", "goal_snapshots", "reuse_edges", "reuse_evidence", "attention_list",
                 "attention_findings", "entities", "runs"):
        assert resources[name]["rows"] > 0, name
    assert "registry" not in {f["name"] for f in resources["runs"]["schema"]["fields"]}


def _cell(value, kind: str):
    """A Table Schema reader's view of one CSV cell (empty = no value)."""
    if value is None or value == "":
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value == "true"
    if kind in ("array", "object"):
        return json.loads(value)
    if kind == "datetime":
        return pd.Timestamp(value)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def _normal(value):
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).tz_convert("UTC").isoformat() if pd.Timestamp(value).tzinfo else \
            pd.Timestamp(value).isoformat()
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 9)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(df: pd.DataFrame, csv: bool = False) -> list[tuple]:
    # In CSV an empty text and no value are one and the same (Table Schema's missingValues: [""]).
    def cell(v):
        v = _normal(v)
        return None if csv and v == "" else v

    return sorted((tuple(cell(v) for v in row) for row in df.itertuples(index=False)), key=repr)


def _load(folder: Path, resource: dict, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    path = str(folder / resource["path"])
    if resource["format"] == "parquet":
        return con.sql("SELECT * FROM read_parquet($path)", params={"path": path}).to_arrow_table().to_pandas()
    raw = con.execute("SELECT * FROM read_csv(?, all_varchar = true, header = true)", [path]).fetchall()
    fields = resource["schema"]["fields"]
    return pd.DataFrame([[_cell(v, f["type"]) for v, f in zip(row, fields, strict=True)] for row in raw],
                        columns=[f["name"] for f in fields])


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_loaded_into_a_fresh_duckdb_the_export_gives_back_the_same_metric_values(exports, goal_db, fmt):
    folder = exports[fmt]
    resources = {r["name"]: r for r in _descriptor(folder)["resources"]}
    fresh = duckdb.connect()
    con = open_readonly(goal_db)
    try:
        cur = cursor(con)
        for answer in export.answers():
            expected = answer.compute(cur)
            loaded = _load(folder, resources[answer.name], fresh)
            assert list(loaded.columns) == list(expected.columns), answer.name
            assert len(loaded) == len(expected) and _rows(loaded) == _rows(expected, fmt == "csv"), answer.name
        # The stored tables give the same figures as the warehouse, recomputed in the fresh database.
        for name in ("repo_lifecycle", "commits", "repos", "goal_snapshots"):
            fresh.register(f"t_{name}", _load(folder, resources[name], fresh))
        stages = fresh.execute("SELECT entity_id, count(*) FILTER (WHERE stage = 'active'), count(*) "
                               "FROM t_repo_lifecycle GROUP BY ALL ORDER BY 1").fetchall()
        summary = metrics.lifecycle_summary(cur, Scope("entity"))
        want = sorted((r.entity_id, int(r.active), int(r.repos)) for r in summary.itertuples() if r.repos)
        assert stages == want
        per_repo = fresh.execute("SELECT repo_path, count(*) FROM t_commits GROUP BY 1 ORDER BY 1").fetchall()
        assert per_repo == cur.execute("SELECT repo_path, count(*) FROM commits GROUP BY 1 ORDER BY 1").fetchall()
        history = fresh.execute("SELECT entity_id, metric, count(*), round(sum(value), 9) FROM t_goal_snapshots "
                                "GROUP BY ALL ORDER BY ALL").fetchall()
        assert history == cur.execute("SELECT entity_id, metric, count(*), round(sum(value), 9) FROM goal_snapshots "
                                      "GROUP BY ALL ORDER BY ALL").fetchall()
        assert history, "goals have a history"
        assert run_log.has_data(cur)
    finally:
        con.close()


def _addresses(db: Path) -> set[str]:
    con = open_readonly(db)
    try:
        rows = cursor(con).execute(
            "SELECT author_email FROM commits UNION SELECT committer_email FROM commits "
            "UNION SELECT email FROM person_identities").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows if r[0] and "@" in r[0]}


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((folder / "data").iterdir()))


def test_email_addresses_are_hashed_by_default_left_out_or_included_on_request(exports, goal_db, tmp_path):
    addresses = _addresses(goal_db)
    assert len(addresses) > 10
    hashed = _all_bytes(exports["csv"])
    assert not [a for a in addresses if a.encode() in hashed]
    some = min(addresses)
    assert hashlib.sha256(some.lower().encode()).hexdigest().encode() in hashed

    omitted = tmp_path / "omit"
    assert _export(goal_db, omitted, "--format", "csv", "--emails", "omit").returncode == 0
    resources = {r["name"]: r for r in _descriptor(omitted)["resources"]}
    assert "author_email" not in {f["name"] for f in resources["commits"]["schema"]["fields"]}
    assert "email" not in {f["name"] for f in resources["person_identities"]["schema"]["fields"]}
    assert b"author_email" not in (omitted / "data" / "commits.csv").read_bytes()
    assert "left out" in _descriptor(omitted)["ossdash"]["personal_data"]

    included = tmp_path / "include"
    assert _export(goal_db, included, "--format", "csv", "--include-emails").returncode == 0
    data = _all_bytes(included)
    assert all(a.encode() in data for a in addresses)
    assert _descriptor(included)["ossdash"]["emails"] == "include"
    assert "personal data" in _descriptor(included)["ossdash"]["personal_data"]


def test_addresses_in_free_text_are_withheld_unless_included(goal_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(goal_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE commits SET message = message || chr(10) || 'Signed-off-by: A. Person <a.person@example.org>'"
                    " WHERE sha = (SELECT min(sha) FROM commits)")
    # The text is cleaned in the query both formats are written from; one format shows it.
    out = tmp_path / "omitted"
    assert _export(db, out, "--format", "parquet", "--emails", "omit").returncode == 0
    text = duckdb.connect().execute("SELECT string_agg(message, ' ') FROM read_parquet(?)",
                                    [str(out / "data" / "commits.parquet")]).fetchall()[0][0]
    assert "a.person@example.org" not in text and export.WITHHELD in text
    out = tmp_path / "included"
    assert _export(db, out, "--format", "csv", "--emails", "include").returncode == 0
    assert b"a.person@example.org" in (out / "data" / "commits.csv").read_bytes()


def test_exporting_again_replaces_the_earlier_export(goal_db, tmp_path):
    out = tmp_path / "portal"
    assert _export(goal_db, out, "--format", "parquet").returncode == 0
    (out / "README.txt").write_text("kept", encoding="utf-8")
    assert _export(goal_db, out, "--format", "csv").returncode == 0
    files = {p.suffix for p in (out / "data").iterdir()}
    assert files == {".csv"}
    assert (out / "README.txt").read_text(encoding="utf-8") == "kept"
    assert not (out / ".ossdash-export.partial").exists()


def test_bad_input_and_unwritable_folders_say_what_to_do(goal_db, tmp_path):
    missing = _export(tmp_path / "none.duckdb", tmp_path / "out")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "ossdash collect" in missing.stderr
    not_db = tmp_path / "text.duckdb"
    not_db.write_text("hello", encoding="utf-8")
    bad = _export(not_db, tmp_path / "out")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    unwritable = _export(goal_db, blocked / "out")
    assert unwritable.returncode == 4 and "--out" in unwritable.stderr and "Traceback" not in unwritable.stderr
    wrong = _export(goal_db, tmp_path / "out", "--format", "xlsx")
    assert wrong.returncode == 2


def test_help_names_formats_and_the_email_flag():
    done = subprocess.run([*CLI, "export", "--help"], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for word in ("parquet|csv", "--out", "--include-emails", "--emails", "datapackage.json", "--licence"):
        assert word in done.stdout, word
