"""A collection's DuckDB connection has the configured memory limit and threads; bad values are refused."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from collectors.simulator import ForgeSimulator, World
from warehouse import resources
from warehouse.publish import WorkingCopy
from warehouse.resources import ResourceSettingError


def _settings(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()[0]


def test_the_working_copy_has_jemalloc_purge_in_the_background(clean_env, tmp_path):
    with WorkingCopy(tmp_path / "w.duckdb") as con:
        assert con.execute("SELECT current_setting('allocator_background_threads')").fetchall() == [(True,)]


def test_the_working_copy_draws_no_progress_bar(clean_env, tmp_path):
    with WorkingCopy(tmp_path / "w.duckdb") as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(resources.MEMORY_LIMIT_ENV, raising=False)
    monkeypatch.delenv(resources.THREADS_ENV, raising=False)
    return monkeypatch


def test_the_working_copy_has_the_default_limit_and_threads(clean_env, tmp_path):
    db = tmp_path / "w.duckdb"
    with WorkingCopy(db) as con:
        assert _settings(con) == (f"{resources.DEFAULT_MEMORY_LIMIT_MB}.0 MiB", resources.DEFAULT_THREADS)
        con.execute("CREATE TABLE kept AS SELECT 1 AS x")
    # Published as before: the settings belong to the connection, not to the file.
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT x FROM kept").fetchall() == [(1,)]


@pytest.mark.parametrize(("memory", "threads", "expected"), [
    ("300MiB", "1", ("300.0 MiB", 1)),
    ("1GB", "3", ("953.0 MiB", 3)),  # decimal units, as DuckDB's own, to the whole MiB
    (" 2 GiB ", "4", ("2.0 GiB", 4)),
])
def test_the_environment_sets_the_limit_and_threads(clean_env, tmp_path, memory, threads, expected):
    clean_env.setenv(resources.MEMORY_LIMIT_ENV, memory)
    clean_env.setenv(resources.THREADS_ENV, threads)
    with WorkingCopy(tmp_path / "w.duckdb") as con:
        assert _settings(con) == expected


def test_a_query_past_the_limit_spills_instead_of_growing(clean_env, tmp_path):
    clean_env.setenv(resources.MEMORY_LIMIT_ENV, "128MiB")
    with WorkingCopy(tmp_path / "w.duckdb") as con:
        # A sort of ~400 MB of rows: it only finishes within the limit by spilling to disk.
        got = con.execute("SELECT count(*), max(s) FROM (SELECT repeat('x', 100) || i AS s FROM range(4000000) t(i) "
                          "ORDER BY s)").fetchall()[0]
        assert got[0] == 4_000_000
        assert con.execute("SELECT max(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0] <= 128 * 2**20


@pytest.mark.parametrize(("name", "value", "says"), [
    (resources.MEMORY_LIMIT_ENV, "lots", "not a memory size"),
    (resources.MEMORY_LIMIT_ENV, "512", "not a memory size"),
    (resources.MEMORY_LIMIT_ENV, "512 parsecs", "not a memory size"),
    (resources.MEMORY_LIMIT_ENV, "64MB", "too small"),
    (resources.THREADS_ENV, "0", "not a number of threads"),
    (resources.THREADS_ENV, "two", "not a number of threads"),
    (resources.THREADS_ENV, "-1", "not a number of threads"),
])
def test_a_bad_value_is_refused_in_one_line_before_anything_is_touched(clean_env, tmp_path, name, value, says):
    clean_env.setenv(name, value)
    db = tmp_path / "sub" / "w.duckdb"
    with pytest.raises(ResourceSettingError) as caught:
        WorkingCopy(db).__enter__()
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}={value!r}") and says in message
    assert not db.parent.exists()  # no folder, lock or working copy made


def test_the_collect_command_reports_a_bad_value_as_one_error_line(tmp_path):
    with ForgeSimulator(World(seed=7, scale=0.3)) as sim:
        registry = tmp_path / "sim.toml"
        registry.write_text(sim.registry_toml(), encoding="utf-8")
        db = tmp_path / "w.duckdb"
        env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
        env[resources.THREADS_ENV] = "many"
        result = subprocess.run([sys.executable, "-m", "dashboard.cli", "collect", "--config", str(registry),
                                 "--db", str(db)], check=False, capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        # Bad input, refused before the budget's estimate spends requests and before the warehouse is touched.
        assert result.returncode == 2 and "budget:" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            f"error: {resources.THREADS_ENV}='many' is not a number of threads: give a whole number from 1 to "
            f"{resources.MAX_THREADS} (unset, a collection uses {resources.DEFAULT_THREADS})")
        assert not db.exists()


@pytest.mark.parametrize(("given", "expected"), [
    (None, ("system", resources.ALLOCATOR_CONF)),
    ("mimalloc", ("mimalloc", resources.ALLOCATOR_CONF)),
    ("narenas:4", ("system", "narenas:4")),
])
def test_ossdash_commands_set_the_allocators_unless_told_otherwise(tmp_path, given, expected):
    """Arrow's mimalloc and DuckDB's jemalloc keep freed pages; every ``ossdash`` command starts
    Arrow on the system allocator and DuckDB with one arena and a short purge delay, before
    either is loaded, and a caller's own setting of either is kept."""
    with ForgeSimulator(World(seed=7)) as sim:
        registry = tmp_path / "sim.toml"
        registry.write_text(sim.registry_toml(), encoding="utf-8")
    code = (
        "import os, sys\n"
        "from dashboard.cli import main\n"
        "assert 'pyarrow' not in sys.modules and 'duckdb' not in sys.modules\n"
        f"main(['validate', {str(registry)!r}], standalone_mode=False)\n"
        "import pyarrow\n"
        "print(pyarrow.default_memory_pool().backend_name)\n"
        f"print(os.environ[{resources.ALLOCATOR_ENV!r}])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", resources.ALLOCATOR_ENV)}
    if given and ":" in given:
        env[resources.ALLOCATOR_ENV] = given
    elif given:
        env["ARROW_DEFAULT_MEMORY_POOL"] = given
    done = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert tuple(done.stdout.strip().splitlines()[-2:]) == expected
