"""Hygiene per repository (licence and its OSI status, root files, publiccode.yml and its
maintenance contract, the six checks) at several moments, against a reference computed in pandas
from the collected repositories, root listings and parsed publiccode.yml files, and the SPDX
License List's OSI flags (docs/metrics.md, "Hygiene").

Interpretations where docs/metrics.md leaves room: when the forge says ``NOASSERTION`` or
``other`` and publiccode.yml names no licence, the forge's word stays (source forge, status
unrecognised, as the table's status column lists it); with no licence from either source the
source is empty too; ``publiccode_valid`` is the parsed file's verdict, empty without a parsed file; the
contract's days are counted between UTC dates. The reference evaluates single SPDX identifiers
only (``id+`` looked up as written, then without the ``+``): every licence of this collection is
one, which the test checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests import metrics_reference_support as ref
from warehouse import metrics
from warehouse.metrics import Scope

REPO = ["forge", "host", "path"]
SPDX = Path(metrics.__file__).resolve().parents[1] / "data" / "osi_licenses.json"
FILES = ["has_readme", "has_license", "has_contributing", "has_code_of_conduct", "has_security", "has_publiccode"]


@pytest.fixture(scope="module")
def table(warehouse) -> pd.DataFrame:
    repos = warehouse.execute("SELECT forge, host, path, entity_id, license_spdx FROM repos").df()
    root = warehouse.execute(f"SELECT forge, host, repo_path AS path, {', '.join(FILES)} FROM root_files").df()
    code = warehouse.execute("""
        SELECT forge, host, repo_path AS path, valid AS publiccode_valid, license AS pc_license,
               maintenance_type, maintenance_until
        FROM publiccode
    """).df()
    t = repos.merge(root, on=REPO, how="left", indicator="root").merge(code, on=REPO, how="left")
    t["root_files_collected"] = t.pop("root") == "both"
    osi = {e["id"]: e["osi_approved"] for e in json.loads(SPDX.read_text(encoding="utf-8"))["licenses"]}
    names_one = t["license_spdx"].notna() & ~t["license_spdx"].isin(["NOASSERTION", "other"])
    from_code = ~names_one & t["pc_license"].notna()
    t["licence"] = t["pc_license"].where(from_code, t["license_spdx"])
    t["licence_source"] = pd.Series("publiccode", index=t.index).where(
        from_code, pd.Series("forge", index=t.index).where(t["license_spdx"].notna()))

    def status(licence) -> str:
        if not isinstance(licence, str):
            return "none"
        assert not any(c in licence for c in " ()"), f"{licence}: an expression, beyond this reference"
        flag = osi.get(licence, osi.get(licence.removesuffix("+")))
        return "unrecognised" if flag is None else "osi_approved" if flag else "not_osi_approved"

    t["licence_status"] = t["licence"].map(status)
    t["osi_licence"] = t["licence_status"] == "osi_approved"
    return t


def _reference(t: pd.DataFrame, now) -> pd.DataFrame:
    out = t.copy()
    today = pd.Timestamp(now).tz_convert("UTC").tz_localize(None).normalize()
    until = pd.to_datetime(out["maintenance_until"])
    days = (until - today).dt.days
    out["contract_status"] = [None if pd.isna(d) else "expired" if d < 0 else "expiring" if d <= 90 else "ok"
                              for d in days]
    out["days_to_contract_end"] = days.astype("Float64")
    passed = (out["osi_licence"].astype(int) + sum(out[c].fillna(False).astype(int) for c in FILES[:5] if c != "has_license")
              + out["publiccode_valid"].fillna(False).astype(int))
    out["checks_passed"] = passed.where(out["root_files_collected"]).astype("Float64")
    out["checks"] = pd.Series(6.0, index=out.index).where(out["root_files_collected"]).astype("Float64")
    return out.set_index(REPO).sort_index()


# has_publiccode apart: test_has_publiccode_is_unknown_without_a_root_listing.
COLUMNS = ["entity_id", "licence", "licence_source", "licence_status", "osi_licence", "root_files_collected",
           *FILES[:-1], "publiccode_valid", "maintenance_type", "contract_status", "days_to_contract_end",
           "checks_passed", "checks"]


def _engine(got: pd.DataFrame) -> pd.DataFrame:
    got = got.set_index(REPO)[COLUMNS].sort_index().astype(
        {"days_to_contract_end": "Float64", "checks_passed": "Float64", "checks": "Float64"})
    return got


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    # Missing values of any kind (None, NaN, NA) as one, booleans as booleans.
    return df.astype(object).where(df.notna(), None)


def test_hygiene_equals_the_reference_at_every_moment(warehouse, table):
    statuses = set()
    for earlier, now, call_now in ref.moments(warehouse):
        want = _reference(table, now)[COLUMNS]
        got = _engine(metrics.hygiene(warehouse, Scope(), now=call_now))
        pd.testing.assert_frame_equal(_comparable(got), _comparable(want), check_dtype=False,
                                      obj=f"{earlier} days earlier, now={call_now}")
        statuses |= set(want["contract_status"].dropna())
    assert statuses == {"expired", "expiring", "ok"}
    assert set(table["licence_status"]) >= {"osi_approved", "none", "unrecognised"}
    assert ((table["licence"] == "NOASSERTION") & (table["licence_source"] == "forge")).any()
    assert (table["licence_source"] == "publiccode").any() and not table["root_files_collected"].all()


@pytest.mark.matrix  # every family under every filter: with the long matrices
@pytest.mark.parametrize("name", ["repo, entity neustadt", "entity, forge github", "entity, one repository"])
def test_hygiene_with_filters_equals_the_reference(warehouse, table, name):
    repos = ref.repos(warehouse)
    scope = ref.filtered_scope(name, repos)
    kept = ref.in_scope(repos, scope).set_index(REPO).index
    for earlier, now, call_now in ref.filtered_moments(warehouse):
        want = _reference(table, now)[COLUMNS]
        got = _engine(metrics.hygiene(warehouse, scope, now=call_now))
        pd.testing.assert_frame_equal(_comparable(got), _comparable(want.loc[want.index.isin(kept)]),
                                      check_dtype=False, obj=f"{scope}, {earlier} days earlier")


def test_has_publiccode_follows_the_root_listing(warehouse, table):
    got = metrics.hygiene(warehouse, Scope()).set_index(REPO)["has_publiccode"]
    listed = table.set_index(REPO)
    listed = listed.loc[listed["root_files_collected"], "has_publiccode"]
    assert len(listed) and listed.any() and not listed.all()
    pd.testing.assert_series_equal(got.reindex(listed.index).astype(bool), listed.astype(bool), check_names=False)


def test_has_publiccode_is_unknown_without_a_root_listing(warehouse, table):
    """docs/metrics.md (Hygiene): like the other has_* columns, NULL when the root listing was not
    collected (migration 014; before it, such a repository read "no publiccode.yml")."""
    t = table.set_index(REPO)
    unlisted = t.index[~t["root_files_collected"]]
    assert len(unlisted) > 0
    # Nothing else says these have a publiccode.yml (no parsed file either).
    assert t.loc[unlisted, "publiccode_valid"].isna().all()
    got = metrics.hygiene(warehouse, Scope()).set_index(REPO).loc[unlisted]
    assert got[list(FILES[:-1])].isna().all(axis=None), "the other root files are unknown"
    assert got["has_publiccode"].isna().all(), got["has_publiccode"].to_dict()
