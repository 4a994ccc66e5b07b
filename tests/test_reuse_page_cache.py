"""The reuse page keeps its links in words and its network's layout: a rerun of the page (a click,
the evidence toggle) or a second visit does not work them out again, another choice of kinds or
language does; the same entities and links always give the same picture."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import network_charts, reuse_links
from warehouse import reuse

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def warehouse(demo_db, monkeypatch):
    path, world = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return path, world


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("views/reuse.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _worked_out(caplog) -> list[str]:
    said = [r.getMessage() for r in caplog.records if r.name == reuse_links.__name__]
    caplog.clear()
    return [m.split(":")[0] for m in said]


def test_a_rerun_reuses_the_links_and_the_layout(warehouse, caplog):
    caplog.set_level(logging.DEBUG, logger=reuse_links.__name__)
    st.cache_data.clear()
    at = _page()
    assert _worked_out(caplog) == ["reuse links said", "network layout"]
    spec = at.get("vega_lite_chart")[0].proto.spec
    links = at.dataframe[0].value

    at.toggle[0].set_value(True).run()  # the evidence table: a rerun
    assert not at.exception
    at.run()
    assert _worked_out(caplog) == []
    assert at.get("vega_lite_chart")[0].proto.spec == spec
    pd.testing.assert_frame_equal(at.dataframe[0].value, links)

    again = _page()  # a new session on the same snapshot
    assert _worked_out(caplog) == []
    assert again.get("vega_lite_chart")[0].proto.spec == spec

    # other kinds: other links, drawn anew; back to all kinds: kept
    at.multiselect[0].set_value(["fork"]).run()
    assert not at.exception
    assert _worked_out(caplog) == ["reuse links said", "network layout"]
    assert set(at.dataframe[0].value["kind"]) == {"fork"}
    at.multiselect[0].set_value(list(reuse.EDGE_KINDS)).run()
    assert _worked_out(caplog) == []
    # only the kinds there are links of: another choice, the same links, so the same picture
    present = [k for k in reuse.EDGE_KINDS if k in set(links["kind"])]
    assert len(present) < len(reuse.EDGE_KINDS)
    at.multiselect[0].set_value(present).run()
    assert _worked_out(caplog) == ["reuse links said"]
    assert at.get("vega_lite_chart")[0].proto.spec == spec

    # another language: the links are said again, the picture is the same one
    german = _page("de")
    assert _worked_out(caplog) == ["reuse links said"]
    assert set(german.dataframe[0].value["evidence_text"]) != set(links["evidence_text"])


def test_the_same_entities_and_links_give_the_same_layout():
    ids = [f"e{i:03d}" for i in range(40)]
    edges = pd.DataFrame({"source": ids[:-1], "target": ids[1:], "weight": range(1, 40)})
    first = network_charts.spring_layout(ids, zip(edges["source"], edges["target"], edges["weight"]))
    second = network_charts.spring_layout(list(ids), list(zip(edges["source"], edges["target"], edges["weight"])))
    pd.testing.assert_frame_equal(first, second)
    # through the page's cache, the same picture
    pd.testing.assert_frame_equal(reuse_links.layout(ids, edges), first)
    # another link, another picture
    other = network_charts.spring_layout(ids, [*zip(edges["source"], edges["target"], edges["weight"]),
                                               ("e000", "e020", 5.0)])
    assert not first[["x", "y"]].equals(other[["x", "y"]])
