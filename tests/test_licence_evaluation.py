"""The licence evaluation (`licence_evaluation`, migration 027) against a plain Python evaluator
of SPDX expressions over the shipped SPDX License List, for expressions of every shape: operators
and ids in any case, chains of any length, parentheses balanced or not, exceptions, deprecated
ids with +, unknown ids, dangling operators."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.schema import migrate

SPDX = Path(__file__).resolve().parent.parent / "warehouse" / "data" / "osi_licenses.json"
OSI = {e["id"].lower(): e["osi_approved"] for e in json.loads(SPDX.read_text(encoding="utf-8"))["licenses"]}


def _flag(token: str) -> bool | None:
    """An id's OSI flag as written, else without a trailing +; None for an unknown id."""
    for key in (token.lower(), token.lower().removesuffix("+")):
        if key in OSI:
            return OSI[key]
    return None


def reference_status(licence: str | None) -> str:
    """docs/metrics.md, Hygiene: `licence_status` of one licence, by recursive descent."""
    if licence is None or licence.strip().upper() == "NONE":
        return "none"
    text = re.sub(r"\s+(WITH|with)\s+[^\s()]+", "", licence)
    tokens = [t for t in re.split(r"\s+", re.sub(r"([()])", r" \1 ", text).strip()) if t]
    if not tokens:
        return "unrecognised"
    known = all(t.upper() in ("AND", "OR") or t in "()" or _flag(t) is not None for t in tokens)
    position = 0

    def atom() -> bool:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("an operand is missing")
        token = tokens[position]
        position += 1
        if token == "(":
            value = disjunction()
            if position >= len(tokens) or tokens[position] != ")":
                raise ValueError("a parenthesis is not closed")
            position += 1
            return value
        if token == ")" or token.upper() in ("AND", "OR"):
            raise ValueError("an operator where an operand belongs")
        return bool(_flag(token))

    def chain(operand, operator: str) -> bool:
        """Operands joined by ``operator`` (AND: all true; OR: any true)."""
        nonlocal position
        values = [operand()]
        while position < len(tokens) and tokens[position].upper() == operator:
            position += 1
            values.append(operand())
        return all(values) if operator == "AND" else any(values)

    def disjunction() -> bool:
        return chain(lambda: chain(atom, "AND"), "OR")

    try:
        value = disjunction()
        if position != len(tokens):
            raise ValueError("tokens after the expression")
    except ValueError:
        return "unrecognised"
    if value:
        return "osi_approved"
    return "not_osi_approved" if known else "unrecognised"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = duckdb.connect(str(tmp_path_factory.mktemp("licences") / "w.duckdb"))
    migrate(connection)
    connection.execute("INSERT INTO entities VALUES ('e', 'E', 'DE', 'local', [])")
    yield connection
    connection.close()


def _statuses(con, licences: list[str]) -> dict[str, str]:
    """licence -> licence_status as repo_hygiene reads it, each licence on a repository of its own."""
    con.execute("DELETE FROM repos")
    con.executemany(
        "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork,"
        " stars, forks_count, open_issues, license_spdx) VALUES"
        " ('github', 'github.com', ?, 'e', 'o', 'r', false, false, 0, 0, 0, ?)",
        [[f"o/r{n}", licence] for n, licence in enumerate(licences)],
    )
    rows = con.execute("SELECT licence, licence_status, osi_licence FROM repo_hygiene WHERE licence IS NOT NULL")
    got = {}
    for licence, status, osi in rows.fetchall():
        assert osi is (status == "osi_approved"), (licence, status, osi)
        got[licence] = status
    return got


IDS = ["MIT", "mit", "Apache-2.0", "EUPL-1.2", "GPL-2.0+", "GPL-2.0-or-later", "LGPL-2.1+", "CC0-1.0",
       "CC-BY-4.0", "cc-by-sa-4.0", "WTFPL", "LicenseRef-inhouse", "NOASSERTION", "unknown-1.0"]
TOKENS = st.one_of(
    st.sampled_from(IDS),
    st.sampled_from(["AND", "OR", "and", "or", "And", "(", ")", "WITH Classpath-exception-2.0"]),
)
# Mostly well-formed: operands joined by operators, some in parentheses; and any token soup.
OPERAND = st.recursive(
    st.sampled_from(IDS),
    lambda inner: st.tuples(inner, st.sampled_from([" AND ", " OR ", " and ", " or "]), inner).map(
        lambda t: f"({t[0]}{t[1]}{t[2]})" if len(t[0]) % 3 == 0 else f"{t[0]}{t[1]}{t[2]}"),
    max_leaves=12,
)
EXPRESSION = st.one_of(OPERAND, st.lists(TOKENS, min_size=1, max_size=12).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(EXPRESSION, min_size=1, max_size=8, unique=True))
def test_every_expression_gets_the_status_of_the_reference(con, licences):
    got = _statuses(con, licences)
    assert got == {licence: reference_status(licence) for licence in licences}


def test_chains_of_three_or_more_are_evaluated_right(con):
    cases = {
        "MIT AND Apache-2.0 AND BSD-3-Clause": "osi_approved",  # read not OSI-approved before 027
        "CC-BY-4.0 OR CC-BY-SA-4.0 OR WTFPL": "not_osi_approved",  # read OSI-approved before 027
        "MIT AND Apache-2.0 AND WTFPL": "not_osi_approved",
        "WTFPL OR CC0-1.0 OR MIT": "osi_approved",
        " AND ".join(["MIT"] * 200): "osi_approved",
        " OR ".join(["WTFPL"] * 60 + ["MIT"]): "osi_approved",
        "(MIT OR CC0-1.0) AND WTFPL": "not_osi_approved",
        "CC0-1.0 OR MIT AND (CC0-1.0 OR WTFPL)": "not_osi_approved",
        "(((((((((((MIT)))))))))))": "osi_approved",
        "(MIT": "unrecognised",
        "MIT OR": "unrecognised",
        "MIT MIT": "unrecognised",
    }
    assert _statuses(con, list(cases)) == cases
    assert {licence: reference_status(licence) for licence in cases} == cases
