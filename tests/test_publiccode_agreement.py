"""publiccode.yml validation agrees with the reference parser on its own v0 test cases.

The cases are a copy of italia/publiccode-parser-go's testdata/v0 (tests/fixtures/publiccode-parser-go,
with the results its tests assert in expected.json); the measurement is the benchmark's own
(benchmarks/bench_publiccode_agreement.py), so the figures in benchmarks/RESULTS.md and this bar
are the same numbers. Parsing only: no network, no warehouse.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from collectors.publiccode import parse_publiccode

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "fixtures" / "publiccode-parser-go"
BAR = 0.95

# What ossdash cannot decide from a publiccode.yml and the repository's root listing: a logo behind
# a URL the reference fetches (and finds missing), and PNG files in a folder that do not decode.
KNOWN_DISAGREEMENTS = {
    "invalid/logo_missing_url.yml",
    "invalid/no-network/logo_invalid_png.yml",
    "invalid/no-network/monochromeLogo_invalid_png.yml",
}


def _benchmark():
    spec = importlib.util.spec_from_file_location("bench_publiccode_agreement",
                                                  ROOT / "benchmarks" / "bench_publiccode_agreement.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def agreement():
    return _benchmark().measure(parse_publiccode, CASES)


def test_the_cases_are_all_there():
    v0 = CASES / "v0"
    assert len(list((v0 / "valid").rglob("*.yml"))) == 30
    assert len(list((v0 / "valid_with_warnings").rglob("*.yml"))) == 11
    assert len(list((v0 / "invalid").rglob("*.yml"))) == 132
    expected = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))
    # Every invalid case has the reference's asserted errors; every case with warnings, its warnings.
    assert {k for k in expected if k.startswith("invalid/")} == {
        p.relative_to(v0).as_posix() for p in (v0 / "invalid").rglob("*.yml")
    }
    assert all(any(r["type"] == "error" for r in expected[k]) for k in expected if k.startswith("invalid/"))
    assert (CASES / "LICENSE").read_text(encoding="utf-8").startswith("European Union Public Licence")


def test_agreement_reaches_the_bar(agreement):
    assert (agreement.valid, agreement.invalid) == (41, 132)
    assert agreement.valid_share >= BAR, agreement.disagreements
    assert agreement.invalid_share >= BAR, agreement.disagreements
    assert set(agreement.disagreements) == KNOWN_DISAGREEMENTS


def test_invalid_cases_are_rejected_for_the_reference_s_reasons(agreement):
    assert agreement.other_reason == []
    assert agreement.invalid_same_reason == agreement.invalid_agreed


def test_warnings_name_the_keys_the_reference_warns_about():
    expected = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))
    for case, results in expected.items():
        if not case.startswith("valid_with_warnings/"):
            continue
        path = CASES / "v0" / case
        info = parse_publiccode(path.read_bytes(), root_files=[p.name for p in path.parent.iterdir() if p.is_file()])
        assert info.valid, (case, info.errors)
        warned = {w.split(":", 1)[0] for w in info.warnings}
        assert {r["key"] for r in results if r["type"] == "warning"} <= warned, (case, info.warnings)


def test_what_needs_files_or_the_network_is_not_checked_never_passed():
    path = CASES / "v0" / "invalid" / "logo_missing_url.yml"
    info = parse_publiccode(path.read_bytes())
    assert info.valid  # the logo's URL is well formed; whether it answers is not known here
    assert any(n.startswith("logo:") and "network" in n for n in info.not_checked)
    missing = CASES / "v0" / "invalid" / "logo_missing_file.yml"
    without_listing = parse_publiccode(missing.read_bytes())
    assert without_listing.valid and any(n.startswith("logo:") for n in without_listing.not_checked)
    with_listing = parse_publiccode(missing.read_bytes(), root_files=["publiccode.yml", "README.md"])
    assert not with_listing.valid and any(e.startswith("logo:") for e in with_listing.errors)
