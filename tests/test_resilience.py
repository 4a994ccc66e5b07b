"""Faults injected into the forge simulator: every run finishes, records what failed, and a
following normal run yields exactly the warehouse of a clean run."""

from __future__ import annotations

import duckdb
import pytest

from collectors.base import CollectorOptions
from collectors.simulator import ForgeSimulator, World
from warehouse.pipeline import collect

# A person's id hashes its smallest identity, host included, and two simulators listen on
# different ports: persons are compared by that identity, which the port mask then evens out.
_PERSON = (
    "(SELECT min(concat_ws('|', x.forge, x.host, x.login, x.email, x.name)) FROM person_identities x "
    "WHERE x.person_id = {table}.person_id) AS person"
)

# Tables whose every row must match a clean collection; the run log, the time a
# cursor was written and ETags (hashes of bodies that carry the simulator's port)
# necessarily differ.
COMPARED = {
    "entities": "*",
    "accounts": "*",
    "repos": "*",
    "commits": "*",
    "items": "*",
    "comments": "*",
    "releases": "*",
    "forks": "*",
    "root_files": "*",
    "publiccode": "*",
    "members": "*",
    "persons": _PERSON.format(table="persons") + ", display_name, is_bot",
    "person_identities": _PERSON.format(table="person_identities") + ", forge, host, login, email, name",
    "person_affiliations": _PERSON.format(table="person_affiliations") + ", entity_id, source",
    "cursors": "forge, host, scope, stream, cursor_at, etag IS NULL, marker",
}

FAST = CollectorOptions(timeout=1.0, max_rate_wait=2.0, retries=3, backoff=0.01)


def snapshot(db_path) -> dict:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: sorted(con.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)
            for table, cols in COMPARED.items()
        }


def _host_free(rows, base_url):
    # Two simulators listen on different ports; the warehouse keys carry the host.
    netloc = base_url.split("//", 1)[1]
    return [tuple(v.replace(netloc, "SIMULATOR") if isinstance(v, str) else v for v in row) for row in rows]


@pytest.fixture(scope="module")
def clean_snapshot(tmp_path_factory):
    """The warehouse a clean run produces, with the simulator's port masked out."""
    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        from collectors.registry import parse_registry

        registry = parse_registry(sim.registry_toml(), "clean.toml")
        db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
        assert collect(registry, db, options=FAST).status == "ok"
        return {t: sorted(_host_free(rows, sim.base_url), key=repr) for t, rows in snapshot(db).items()}


def _same_as_clean(db_path, sim, clean):
    got = {t: sorted(_host_free(rows, sim.base_url), key=repr) for t, rows in snapshot(db_path).items()}
    for table in COMPARED:
        assert got[table] == clean[table], f"{table} differs from a clean run"


FAULTS = {
    "server_error_burst": lambda f: f.server_error(status=502, times=2),
    "server_error_persistent": lambda f: f.server_error(status=503, endpoint="/repos/{owner}/{repo}/issues/comments"),
    "secondary_limit_short": lambda f: f.secondary_limit(retry_after=0.2, forge="github", times=2),
    "secondary_limit_long": lambda f: f.secondary_limit(retry_after=3600, forge="github", endpoint="/repos/{owner}/{repo}/releases"),
    "gitlab_429_short": lambda f: f.secondary_limit(retry_after=0.2, forge="gitlab", times=2),
    "gitlab_429_long": lambda f: f.secondary_limit(retry_after=3600, forge="opencode", endpoint="/projects/:id/forks"),
    "exhausted_budget_short": lambda f: f.exhausted_budget(reset_in=0.3, forge="github", times=1),
    "exhausted_budget_long": lambda f: f.exhausted_budget(reset_in=3600, forge="gitlab", times=None),
    "slow_burst": lambda f: f.slow(delay=1.5, endpoint="/repos/{owner}/{repo}/contents/{path}", times=2),
    "slow_persistent": lambda f: f.slow(delay=1.5, path="stadt-neustadt", forge="opencode", times=None),
    "cut_burst": lambda f: f.cut(fraction=0.5, times=3),
    "cut_persistent": lambda f: f.cut(fraction=0.3, endpoint="/projects/:id/releases", times=None),
    "malformed_json": lambda f: f.malformed(style="truncated", endpoint="/repos/{owner}/{repo}/commits", times=1),
    "malformed_html": lambda f: f.malformed(style="html", forge="opencode", endpoint="/projects/:id/repository/tree", times=1),
    "vanished_account": lambda f: f.vanished("digital-agency", forge="gitlab"),
}


# Three cases in the default suite (a 5xx burst, a long 429 past the allowed wait, a body cut
# short); the rest with the long matrices (`-m matrix`), for the default suite's time.
DEFAULT_CASES = ("server_error_burst", "gitlab_429_long", "malformed_json")


@pytest.mark.parametrize("name", [n if n in DEFAULT_CASES else pytest.param(n, marks=pytest.mark.matrix)
                                  for n in sorted(FAULTS)])
def test_fault_then_normal_run_equals_a_clean_run(name, clean_snapshot, tmp_path):
    from collectors.registry import parse_registry

    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        registry = parse_registry(sim.registry_toml(), "faulty.toml")
        db = tmp_path / "faulty.duckdb"
        FAULTS[name](sim.faults)

        faulty = collect(registry, db, options=FAST)

        assert faulty.status in ("ok", "partial")  # the run always finishes
        fired = sum(sim.faults.fired.values())
        assert fired > 0, "the fault never fired"
        if faulty.status == "partial":
            with duckdb.connect(str(db), read_only=True) as con:
                errors = con.execute("SELECT error FROM run_accounts WHERE error IS NOT NULL").fetchall()
            assert errors and all(e[0] for e in errors)
        sim.faults.clear()
        sim.reset_budgets()  # the next run comes after the reset time

        healed = collect(registry, db, options=FAST)

        assert healed.status == "ok", [a.errors for a in healed.accounts]
        _same_as_clean(db, sim, clean_snapshot)
