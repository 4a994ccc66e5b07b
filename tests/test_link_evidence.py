"""warehouse/link_evidence.py on the collected simulator warehouse: the same links as
reuse.entity_edges, each with as many distinct forks, mirrors, projects or people as its weight."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from dashboard import evidence_text
from dashboard.i18n import Translator
from warehouse import reuse
from warehouse.link_evidence import COLUMNS, link_evidence
from warehouse.link_evidence import evidence_count as link_evidence_count
from warehouse.reuse import link_pieces

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


def test_one_entity_and_the_first_pieces_of_each_link_are_the_whole_evidence_cut(con):
    # What the pages show (a link's first pieces, one entity's links) is cut in SQL, not from
    # every row in pandas: it must be exactly that cut of the whole.
    everything = link_evidence(con)
    keys = ["kind", "source", "target"]
    for entity in sorted(set(everything["source"]) | set(everything["target"]))[:4]:
        mine = everything[(everything["source"] == entity) | (everything["target"] == entity)].reset_index(drop=True)
        pd.testing.assert_frame_equal(_plain(link_evidence(con, entity_id=entity)), _plain(mine))
    firsts = link_evidence(con, per_link=2)
    weight = pd.to_numeric(everything["commits"], errors="coerce").fillna(0)
    expected = (everything.assign(_w=weight).sort_values(keys + ["_w"], ascending=[True, True, True, False],
                                                          kind="stable")
                .groupby(keys, sort=False).head(2).drop(columns="_w"))
    sizes = everything.groupby(keys).size().rename("pieces").reset_index()
    expected = expected.merge(sizes, on=keys, how="left")
    order = ["kind", "source", "target", "project_path", "path", "person", "text"]
    got = firsts.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
    want = expected.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(_plain(got), _plain(want))
    assert (firsts.groupby(keys).size() <= 2).all() and firsts["pieces"].max() > 2
    # ... and a summary of the links says the same from either.
    t = Translator("en")
    names = {e: e for e in set(everything["source"]) | set(everything["target"])}
    shown = link_evidence(con, per_link=evidence_text.SHOWN_PER_LINK)
    pd.testing.assert_frame_equal(evidence_text.link_summaries(t, shown, names),
                                  evidence_text.link_summaries(t, everything, names))


def test_the_stored_first_pieces_are_those_the_evidence_views_give(con):
    # The collection's refresh stored each link's first pieces; the pages read them from there.
    assert reuse.reuse_fresh(con)
    stored = con.execute("SELECT count(*), max(rank), max(pieces) FROM link_firsts").fetchall()[0]
    assert stored[0] > 0 and stored[1] == link_pieces.FIRST_PIECES and stored[2] > link_pieces.FIRST_PIECES
    everything = link_evidence(con)
    entities = sorted(set(everything["source"]) | set(everything["target"]))
    for kinds in (list(UNITS), ["contribution"], ["fork", "used_by", "shared_contributor"]):
        for entity in [None, *entities[:3]]:
            for n in range(1, link_pieces.FIRST_PIECES + 1):
                read = link_evidence(con, kinds, entity_id=entity, per_link=n)
                cut = link_pieces.Cut(entities=None if entity is None else [entity], per_link=n)
                live = link_pieces.live_pieces(con, [k for k in reuse.EDGE_KINDS if k in kinds], cut)
                assert list(read.columns) == [*COLUMNS, "pieces"]
                live = live.drop(columns="rank").astype({"commits": "Int64", "other_commits": "Int64"})
                assert _rows(read) == _rows(live), (kinds, entity, n)
    # Past what is stored, or with the refresh not fresh, the views answer: the same rows.
    more = link_evidence(con, per_link=link_pieces.FIRST_PIECES + 1)
    assert more.groupby(["kind", "source", "target"]).size().max() == link_pieces.FIRST_PIECES + 1


def test_a_listing_within_some_entities_is_cut_after_its_first_rows_and_counted(con):
    # The reuse page lists every piece of the links in scope: millions at a hundred entities, so it
    # shows the first ones and says how many there are.
    everything = link_evidence(con)
    entities = sorted(set(everything["source"]) | set(everything["target"]))
    assert link_evidence_count(con) == len(everything)
    for within in (entities, entities[: len(entities) // 2 + 1], entities[1:3]):
        inside = everything[everything["source"].isin(within) & everything["target"].isin(within)]
        inside = inside.reset_index(drop=True)
        assert link_evidence_count(con, within=within) == len(inside)
        pd.testing.assert_frame_equal(_plain(link_evidence(con, within=within)), _plain(inside))
        for limit in (1, 7, len(inside) + 1):
            pd.testing.assert_frame_equal(_plain(link_evidence(con, within=within, limit=limit)),
                                          _plain(inside.head(limit)))
    kinds = ["fork", "contribution"]
    assert link_evidence_count(con, kinds) == int(everything["kind"].isin(kinds).sum())
    # Counted from the stored firsts while fresh, from the views otherwise: the same.
    assert link_pieces.count_pieces(con, list(reuse.EDGE_KINDS), entities[1:3]) == \
        link_evidence_count(con, within=entities[1:3])
    with pytest.raises(ValueError, match="per_link"):
        link_evidence(con, per_link=2, limit=10)


def _rows(df: pd.DataFrame) -> list[tuple]:
    return sorted(tuple("" if v is None else str(v) for v in row) for row in _plain(df).itertuples(index=False))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, every missing one None (NaN and None differ by where a row came from)."""
    return df.astype(object).where(df.notna(), None)
