"""The Standard for Public Code's checked criteria as goal metrics (warehouse/goals/public_code_metrics.py):
known answers on the hand-built repositories of tests/test_public_code.py, in a real warehouse file.

city has six repositories (tests/test_public_code.py: REPOS); other1 has none. A criterion the data
cannot decide counts as not met, as for maintained_silver_share: the share is of all six.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from collectors.registry import PUBLIC_CODE_GOAL_METRICS, parse_registry
from tests.test_public_code import NOW, REGISTRY, db_file  # noqa: F401 - db_file is the warehouse fixture
from warehouse import goals
from warehouse.metrics import Scope, public_code_summary
from warehouse.metrics.public_code_criteria import CHECKED_CRITERIA


def _values(con, registry, metrics=PUBLIC_CODE_GOAL_METRICS) -> dict[tuple[str, str], float | None]:
    found = goals.goal_values(con, registry, NOW.date(), metrics=list(metrics))
    return {(e, m): None if pd.isna(v) else v for e, m, v in zip(found["entity_id"], found["metric"], found["value"])}


def test_each_share_is_the_criterion_met_over_all_repositories(db_file):  # noqa: F811
    registry = parse_registry(REGISTRY)
    with duckdb.connect(str(db_file), read_only=True) as con:
        got = _values(con, registry)
        summary = public_code_summary(con, Scope("entity", entity_id="city"), now=NOW).iloc[0]
        # One entity asked alone reads only its repositories, and gets the same answers.
        alone = {name: goals.METRICS[name].fn(con, ["city"], NOW.date()) for name in PUBLIC_CODE_GOAL_METRICS}
    # Always met: every collected repository is public.
    assert got[("city", "public_code_code_in_the_open_share")] == 1.0
    # city/model names another entity in usedBy; city/unknown has forks whose owners are not known
    # (unknown, not met): 1 of 6, not 2.
    assert got[("city", "public_code_reusable_share")] == pytest.approx(1 / 6)
    # Releases on city/model and city-group/gitlab; the four others have none and may have tags
    # (unknown): 2 of 6, not 2 of 2.
    assert got[("city", "public_code_version_control_share")] == pytest.approx(2 / 6)
    # An OSI licence and a licence file (or a LICENSES folder): model, folders, old; bare has none,
    # unknown's CC0-1.0 is not OSI-approved (it may be on the FSF's list: unknown), gitlab's licence
    # file names no licence the forge read (unknown).
    assert got[("city", "public_code_open_licence_share")] == pytest.approx(3 / 6)
    # Versioned, readiness documented in publiccode.yml and a CHANGELOG: city/model alone.
    assert got[("city", "public_code_codebase_maturity_share")] == pytest.approx(1 / 6)
    for criterion in CHECKED_CRITERIA:
        name = f"public_code_{criterion}_share"
        assert got[("city", name)] == pytest.approx(summary[f"{criterion}_met"] / summary["repos"]), name
        assert alone[name] == {"city": got[("city", name)]}, name
        assert got[("other1", name)] is None  # no repository: no data, never 0


def test_the_shares_are_shares_for_the_registry_and_the_goals():
    for name in PUBLIC_CODE_GOAL_METRICS:
        assert goals.is_share(name) and goals.unit_of(name) == "share" and not goals.lower_is_better(name)
        assert goals.METRICS[name].history_days is None  # snapshots only, like the badges
