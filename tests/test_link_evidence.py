"""warehouse/link_evidence.py on the collected simulator warehouse: the same links as
reuse.entity_edges, each with as many distinct forks, mirrors, projects or people as its weight."""

from __future__ import annotations

import duckdb
import pytest

from warehouse import reuse
from warehouse.link_evidence import COLUMNS, link_evidence

# What a link's weight counts, per kind: distinct values of these evidence columns.
UNITS = {
    "fork": ["forge", "path"],
    "mirror": ["forge", "path"],
    "used_by": ["project_forge", "project_path"],
    "is_based_on": ["forge", "path"],
    "contribution": ["person"],
    "shared_contributor": ["person"],
}


@pytest.fixture(scope="module")
def con(demo_db):
    with duckdb.connect(str(demo_db[0]), read_only=True) as connection:
        yield connection


def test_every_link_has_its_evidence_and_its_weight_in_units(con):
    edges = reuse.entity_edges(con)
    evidence = link_evidence(con)
    assert list(evidence.columns) == list(COLUMNS)
    assert set(edges["kind"]) >= {"fork", "used_by", "contribution", "shared_contributor"}
    links = set(zip(evidence["source"], evidence["target"], evidence["kind"]))
    assert links == set(zip(edges["source"], edges["target"], edges["kind"]))
    for edge in edges.itertuples():
        rows = evidence[(evidence["source"] == edge.source) & (evidence["target"] == edge.target)
                        & (evidence["kind"] == edge.kind)]
        units = rows[UNITS[edge.kind]].astype(str).drop_duplicates()
        assert len(units) == edge.weight, (edge.source, edge.target, edge.kind)
    people = evidence[evidence["kind"].isin(["contribution", "shared_contributor"])]
    assert people["person"].notna().all() and (people["commits"] > 0).all()
    assert evidence.loc[evidence["kind"] == "used_by", "text"].notna().all()


@pytest.mark.parametrize("kind", list(UNITS))
def test_each_kind_alone_gives_its_own_evidence(con, kind):
    alone = link_evidence(con, [kind])
    assert list(alone.columns) == list(COLUMNS)
    everything = link_evidence(con)
    assert len(alone) == (everything["kind"] == kind).sum() and set(alone["kind"]) <= {kind}


def test_no_kind_no_evidence(con):
    assert link_evidence(con, []).empty
