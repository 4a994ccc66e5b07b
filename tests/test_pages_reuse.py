"""The reuse and collaboration page on the collected simulator warehouse: the forks across entities
that the simulator generated appear as links with their evidence; the kind choice, the sidebar
filters and both languages work; network and matrix charts are drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def warehouse(demo_db, monkeypatch):
    path, world = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return path, world


def _page(lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("views/reuse.py").run()
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _forks_across_entities(world) -> dict[tuple[str, str], list[str]]:
    """(owner of the forked repository, owner of the fork) -> the fork repositories, from the
    simulator's own records."""
    owner = {(a.forge, a.path): a.entity_id for a in world.accounts}
    by_path = {(r.forge, r.path): r for r in world.repos}
    out: dict[tuple[str, str], list[str]] = {}
    for repo in world.repos:
        if repo.is_fork:
            parent = by_path[(repo.forge, repo.parent)]
            pair = (owner[(parent.forge, parent.account)], owner[(repo.forge, repo.account)])
            if pair[0] != pair[1]:
                out.setdefault(pair, []).append(repo.path)
    return out


def _figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_forks_across_entities_are_links_with_evidence(warehouse, lang):
    _, world = warehouse
    t = Translator(lang)
    at = _page(lang)
    _clean(at)
    assert at.title[0].value == t("nav.reuse")
    edges = at.dataframe[0].value
    forks = edges[edges["kind"] == "fork"]
    want = _forks_across_entities(world)
    assert want, "the simulator forks across entities"
    assert {(r.source, r.target): r.weight for r in forks.itertuples()} == {k: len(v) for k, v in want.items()}
    for row in forks.itertuples():
        assert all(path in row.evidence for path in want[(row.source, row.target)])
    names = {e.id: e.name for e in world.entities}
    assert all(row.source_label == names[row.source] and row.target_label == names[row.target] for row in edges.itertuples())
    assert set(forks["kind_label"]) == {t.label("edge", "fork")}
    figures = _figures(at)
    assert figures[t("reuse.figure.entities")] == t.number(len(world.entities))
    assert figures[t("reuse.figure.links")] == t.number(len(edges))
    # the evidence table, on demand, has one row per fork repository
    assert len(at.dataframe) == 2  # the links and the entities
    at.toggle[0].set_value(True).run()
    _clean(at)
    evidence = at.dataframe[1].value
    fork_rows = evidence[evidence["kind"] == "fork"]
    assert len(fork_rows) == sum(len(v) for v in want.values())
    # the network: nodes sized by projects, edges coloured by kind
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["title"] == t("reuse.chart.network_title")
    kinds_legend = spec["layer"][0]["encoding"]["color"]
    assert kinds_legend["title"] == t("reuse.chart.kind")
    assert t.label("edge", "fork") in kinds_legend["scale"]["domain"]
    assert any(layer["encoding"].get("size", {}).get("title") == t("reuse.chart.projects") for layer in spec["layer"])
    assert len(at.get("download_button")) == 3  # links, evidence, entities


def test_kind_choice_is_kept_in_the_link(warehouse):
    _, world = warehouse
    at = _page("en")
    at.multiselect[0].set_value(["fork"]).run()
    _clean(at)
    edges = at.dataframe[0].value
    assert set(edges["kind"]) == {"fork"}
    assert len(edges) == len(_forks_across_entities(world))
    assert at.query_params["kinds"] == "fork"
    assert _figures(at)["Links"] == str(len(edges))
    # a shared link opens with the same kinds
    shared = _page("de", kinds="fork,used_by")
    _clean(shared)
    assert shared.multiselect[0].value == ["fork", "used_by"]
    assert set(shared.dataframe[0].value["kind"]) <= {"fork", "used_by"}
    assert set(shared.dataframe[0].value["kind_label"]) <= {"Fork", "genutzt von (publiccode.yml)"}
    # no kind at all: a hint, no chart
    at.multiselect[0].set_value([]).run()
    _clean(at)
    assert any("choose at least one" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


def test_country_filter_keeps_links_between_entities_in_scope(warehouse):
    _, world = warehouse
    at = _page("en")
    _clean(at)
    everything = at.dataframe[0].value
    at.sidebar.selectbox[0].set_value("DE").run()
    _clean(at)
    german = {e.id for e in world.entities if e.country == "DE"}
    assert _figures(at)["Entities"] == str(len(german))
    inside = everything[everything["source"].isin(german) & everything["target"].isin(german)]
    assert len(inside) < len(everything)
    if inside.empty:
        assert any("No links of the chosen kinds" in i.value for i in at.info)
        assert len(at.dataframe) == 1  # the per-entity table only
    else:
        edges = at.dataframe[0].value
        assert sorted(zip(edges["source"], edges["target"], edges["kind"])) == \
            sorted(zip(inside["source"], inside["target"], inside["kind"]))
    summary = at.dataframe[-1].value
    assert set(summary["entity_id"]) == german
    assert any(f"{len(german)} entities that match the filters" in c.value for c in at.caption)


def test_the_evidence_listing_shows_its_first_pieces_says_how_many_and_follows_the_scope(warehouse, monkeypatch):
    import duckdb

    from dashboard import reuse_links
    from warehouse.link_evidence import link_evidence

    path, world = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        everything = link_evidence(con)
    german = {e.id for e in world.entities if e.country == "DE"}
    inside = everything[everything["source"].isin(german) & everything["target"].isin(german)]
    assert 3 < len(inside) < len(everything)
    monkeypatch.setattr(reuse_links, "SHOWN_PIECES", 3)
    t = Translator("en")
    at = _page("en")
    at.toggle[0].set_value(True).run()
    _clean(at)
    listed = at.dataframe[1].value
    head = everything.head(3)
    assert list(zip(listed["kind"], listed["source"], listed["target"], listed["person"].fillna(""))) == \
        list(zip(head["kind"], head["source"], head["target"], head["person"].fillna("")))
    captions = [c.value for c in at.caption]
    assert t("reuse.evidence_intro", count=t.number(len(everything))) in captions
    assert t("reuse.evidence_capped", shown="3", total=t.number(len(everything))) in captions
    # The sidebar's country: the pieces between its entities only, counted as such.
    at.sidebar.selectbox[0].set_value("DE").run()
    _clean(at)
    listed = at.dataframe[1].value
    assert len(listed) == 3 and set(listed["source"]) | set(listed["target"]) <= german
    captions = [c.value for c in at.caption]
    assert t("reuse.evidence_capped", shown="3", total=t.number(len(inside))) in captions
    # Everything fits: no word of a cut.
    monkeypatch.setattr(reuse_links, "SHOWN_PIECES", len(inside))
    at.toggle[0].set_value(False).run()
    at.toggle[0].set_value(True).run()
    _clean(at)
    assert len(at.dataframe[1].value) == len(inside)
    cut = t("reuse.evidence_capped", shown="", total="").split("{")[0][:30]
    assert cut and not any(c.value.startswith(cut) for c in at.caption)
    assert t("reuse.evidence_intro", count=t.number(len(inside))) in [c.value for c in at.caption]


def test_matrix_view(warehouse):
    _, world = warehouse
    t = Translator("de")
    at = _page("de")
    at.button_group[0].set_value("matrix").run()
    _clean(at)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["title"] == t("reuse.chart.matrix_title")
    x = spec["layer"][0]["encoding"]["x"]
    assert x["title"] == t("reuse.chart.matrix_x")
    assert sorted(x["scale"]["domain"]) == sorted(e.name for e in world.entities)
