"""Agreement of ossdash's publiccode.yml validation with the reference parser, on its own test cases.

Run: python benchmarks/bench_publiccode_agreement.py [--parser FILE] [--no-listing]

The cases are tests/fixtures/publiccode-parser-go/v0 (italia/publiccode-parser-go's v0 test
data): a case under valid/ or valid_with_warnings/ is valid for the reference, a case under
invalid/ is not. Each file is parsed as a repository's root publiccode.yml whose root listing is
the files of the case's folder (what ossdash knows of a repository's files), unless --no-listing.
Prints a Markdown table for benchmarks/RESULTS.md: the share of valid cases judged valid, of
invalid cases judged invalid, overall, and of invalid cases rejected for a reason the reference
gives too (an error under one of the top-level keys the reference's tests assert). --parser
measures another implementation: a Python file defining parse_publiccode(data).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "fixtures" / "publiccode-parser-go"


@dataclass
class Agreement:
    valid: int = 0
    valid_agreed: int = 0
    invalid: int = 0
    invalid_agreed: int = 0
    invalid_same_reason: int = 0
    disagreements: list[str] = field(default_factory=list)  # case paths, relative to v0/
    other_reason: list[str] = field(default_factory=list)  # judged invalid, but for another key

    @property
    def valid_share(self) -> float:
        return self.valid_agreed / self.valid

    @property
    def invalid_share(self) -> float:
        return self.invalid_agreed / self.invalid

    @property
    def overall_share(self) -> float:
        return (self.valid_agreed + self.invalid_agreed) / (self.valid + self.invalid)


def _top_key(key_path: str) -> str:
    """The top-level key an error is reported under ("" for errors about the whole file)."""
    m = re.match(r"([A-Za-z][A-Za-z0-9_\-]*)(?=[.\[:]|$)", key_path)
    return m.group(1) if m else ""


def measure(parse: Callable, cases: Path = CASES, with_listing: bool = True) -> Agreement:
    expected = json.loads((cases / "expected.json").read_text(encoding="utf-8"))
    takes_listing = "root_files" in inspect.signature(parse).parameters
    result = Agreement()
    v0 = cases / "v0"
    for path in sorted(v0.rglob("*.yml")):
        case = path.relative_to(v0).as_posix()
        listing = sorted(p.name for p in path.parent.iterdir() if p.is_file())
        if takes_listing and with_listing:
            info = parse(path.read_bytes(), root_files=listing)
        else:
            info = parse(path.read_bytes())
        if case.startswith("invalid/"):
            result.invalid += 1
            if info.valid:
                result.disagreements.append(case)
                continue
            result.invalid_agreed += 1
            reference = {_top_key(r["key"]) for r in expected[case] if r["type"] == "error"}
            if reference & {_top_key(e) for e in info.errors}:
                result.invalid_same_reason += 1
            else:
                result.other_reason.append(case)
        else:
            result.valid += 1
            if info.valid:
                result.valid_agreed += 1
            else:
                result.disagreements.append(case)
    return result


def _load_parser(path: str | None) -> Callable:
    if path is None:
        sys.path.insert(0, str(ROOT))
        from collectors.publiccode import parse_publiccode

        return parse_publiccode
    spec = importlib.util.spec_from_file_location("other_publiccode", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module.parse_publiccode


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--parser", help="a Python file defining parse_publiccode(data) to measure instead")
    args.add_argument("--no-listing", action="store_true", help="parse without the root listing")
    opts = args.parse_args()
    a = measure(_load_parser(opts.parser), with_listing=not opts.no_listing)
    print("| class | cases | agreeing | share |")
    print("|---|---:|---:|---:|")
    print(f"| valid (valid/ and valid_with_warnings/) | {a.valid} | {a.valid_agreed} | {a.valid_share:.1%} |")
    print(f"| invalid (invalid/) | {a.invalid} | {a.invalid_agreed} | {a.invalid_share:.1%} |")
    print(f"| overall | {a.valid + a.invalid} | {a.valid_agreed + a.invalid_agreed} | {a.overall_share:.1%} |")
    print(f"| invalid, rejected for a reason the reference gives | {a.invalid} | {a.invalid_same_reason} | "
          f"{a.invalid_same_reason / a.invalid:.1%} |")
    print()
    print("Disagreements:", ", ".join(a.disagreements) or "none")
    if a.other_reason:
        print("Rejected for another reason:", ", ".join(a.other_reason))


if __name__ == "__main__":
    main()
