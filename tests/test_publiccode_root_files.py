"""A collection checks the files a publiccode.yml names at the repository's root against the root's
listing, and checks again when that listing changes although the publiccode.yml did not."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import yaml

from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World
from tests.test_publiccode import doc
from tests.test_resilience import FAST
from warehouse.pipeline import collect


def _row(db, path: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT valid, errors, not_checked FROM publiccode WHERE repo_path = ?", [path]).fetchone()


def test_a_logo_at_the_root_is_checked_against_the_listing_and_again_when_it_changes(tmp_path):
    world = World(seed=7, activity_scale=0.15)
    repo = next(r for r in world.repos if r.files.get("publiccode.yml"))
    repo.files["publiccode.yml"] = yaml.safe_dump(doc(logo="logo.svg"), sort_keys=False)
    db = tmp_path / "root.duckdb"
    with ForgeSimulator(world) as sim:
        registry = parse_registry(sim.registry_toml(), "root.toml")
        assert collect(registry, db, options=FAST).status == "ok"
        valid, errors, not_checked = _row(db, repo.path)
        assert not valid and any(e.startswith("logo:") and "no such file" in e for e in errors), errors
        assert not any(n.startswith("logo:") for n in not_checked)

        # A push that adds the logo and leaves the publiccode.yml as it was.
        repo.files["logo.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>"
        repo.pushed_at = repo.updated_at = datetime.now(UTC).replace(microsecond=0)
        assert collect(registry, db, options=FAST).status == "ok"
        valid, errors, not_checked = _row(db, repo.path)
        assert valid and not errors, errors
        assert not any(n.startswith("logo:") for n in not_checked)
