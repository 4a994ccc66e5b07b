"""The Scope value: validation, its SQL parameters, and its use as a cache key of the dashboard."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import duckdb
import pytest
import streamlit as st

from warehouse import metrics
from warehouse.metrics import LEVELS, Scope
from warehouse.schema import migrate


def test_levels_and_filters_are_checked_with_clear_errors():
    assert Scope().level == "repo" and all(Scope(level).level == level for level in LEVELS)
    with pytest.raises(ValueError, match="unknown level 'planet': expected one of repo, entity"):
        Scope("planet")
    with pytest.raises(ValueError, match=r"repo must be \(forge, host, path\)"):
        Scope(repo=("github", "github.com"))
    with pytest.raises(ValueError, match=r"repo must be \(forge, host, path\)"):
        Scope(repo="github:github.com/o/r")
    with pytest.raises(ValueError, match="entity_id must be text or None, not int"):
        Scope(entity_id=7)


def test_a_list_is_taken_as_a_tuple_and_at_keeps_the_filters():
    scope = Scope("entity", country="DE", repo=["github", "github.com", "o/r"])
    assert scope.repo == ("github", "github.com", "o/r")
    assert scope.at("ecosystem") == Scope("ecosystem", country="DE", repo=("github", "github.com", "o/r"))
    assert scope.at("ecosystem").at("entity") == scope
    assert scope.filters() == {"entity_id": None, "archetype": None, "country": "DE", "forge": None,
                               "repo": ("github", "github.com", "o/r")}
    assert scope.params() == {"entity_id": None, "archetype": None, "country": "DE", "forge": None,
                              "repo_forge": "github", "repo_host": "github.com", "repo_path": "o/r"}
    with pytest.raises(AttributeError):
        scope.level = "repo"  # frozen


def test_equal_scopes_are_one_key_and_survive_pickling():
    a = Scope("entity", entity_id="alpha", forge="gitlab")
    b = Scope("entity", forge="gitlab", entity_id="alpha")
    assert a == b and hash(a) == hash(b) and len({a, b, a.at("repo")}) == 2
    assert pickle.loads(pickle.dumps(a)) == a


def test_a_function_wants_a_scope_not_a_level():
    with pytest.raises(TypeError, match="scope must be a Scope, not str"):
        metrics.absence_factor(None, "entity")
    # Also where the answer is read from the results a collection stored.
    con = duckdb.connect()
    migrate(con)
    metrics.refresh_metric_results(con, datetime(2025, 7, 15, tzinfo=UTC))
    assert metrics.metric_results_fresh(con) and metrics.lifecycle(con).empty
    with pytest.raises(TypeError, match="scope must be a Scope, not dict"):
        metrics.lifecycle(con, {"entity_id": "alpha"})


def test_streamlit_caches_one_answer_per_scope():
    # dashboard.data caches every query call with st.cache_data, the scope among its arguments:
    # an equal scope is served from the cache, another one is computed.
    computed = []

    @st.cache_data(show_spinner=False)
    def answer(scope: Scope, days: int) -> str:
        computed.append(scope)
        return f"{scope.level}/{scope.entity_id}/{days}"

    answer.clear()
    assert answer(Scope("entity", entity_id="alpha"), 90) == "entity/alpha/90"
    assert answer(Scope("entity", entity_id="alpha"), 90) == "entity/alpha/90"
    assert answer(Scope("repo", entity_id="alpha"), 90) == "repo/alpha/90"
    assert answer(Scope("entity", entity_id="beta"), 90) == "entity/beta/90"
    assert answer(Scope("entity", entity_id="alpha", repo=["f", "h", "p"]), 90) == "entity/alpha/90"
    assert computed == [Scope("entity", entity_id="alpha"), Scope("repo", entity_id="alpha"),
                        Scope("entity", entity_id="beta"), Scope("entity", entity_id="alpha", repo=("f", "h", "p"))]
