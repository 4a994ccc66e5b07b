"""Which entity a fork and its parent belong to when no repository of theirs was collected: the
registry account owning the namespace, that is the account whose owner equals it or a group above
it (GitLab groups nest), case-insensitively, the longest owner winning (``fork_evidence``, migration
025). Checked on generated namespaces against a plain reading of that rule."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.schema import migrate

FORGE, HOST = "opencode", "gitlab.opencode.de"

_segment = st.sampled_from(["a", "b", "A", "ab", "a-b"])
_namespace = st.lists(_segment, min_size=1, max_size=3).map("/".join)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("forks") / "forks.duckdb"))
    migrate(con)
    yield con
    con.close()


def _owner_entity(accounts: dict[str, str], namespace: str) -> str | None:
    ns = namespace.lower()
    owning = [owner for owner in accounts if ns == owner.lower() or ns.startswith(owner.lower() + "/")]
    return accounts[max(owning, key=len)] if owning else None


@settings(max_examples=60, deadline=None)
@given(
    accounts=st.dictionaries(_namespace, st.sampled_from(["e1", "e2", "e3"]), max_size=6),
    forks=st.lists(st.tuples(_namespace, _namespace), max_size=8),
)
def test_a_fork_belongs_to_the_longest_account_owning_its_namespace(con, accounts, forks):
    # Owners differing only in case would make the longest owner ambiguous; the registry has one each.
    accounts = {owner: entity for owner, entity in accounts.items()
                if [o.lower() for o in accounts].count(owner.lower()) == 1}
    con.execute("DELETE FROM accounts; DELETE FROM forks; DELETE FROM repos")
    for owner, entity in accounts.items():
        con.execute("INSERT INTO accounts VALUES (?, ?, ?, ?, ?)", [FORGE, HOST, owner, entity, f"https://{HOST}/{owner}"])
    expected = set()
    for i, (parent_ns, fork_ns) in enumerate(forks):
        parent, fork = f"{parent_ns}/app{i}", f"{fork_ns}/fork{i}"
        con.execute("INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner) VALUES (?, ?, ?, ?, ?)",
                    [FORGE, HOST, parent, fork, fork_ns])
        source, target = _owner_entity(accounts, parent_ns), _owner_entity(accounts, fork_ns)
        if source and target and source != target:
            expected.add((source, target, parent, fork))
    rows = con.execute("SELECT source, target, parent_path, fork_path FROM fork_evidence").fetchall()
    assert len(rows) == len(expected)
    assert set(rows) == expected
