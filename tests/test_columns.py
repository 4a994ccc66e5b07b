"""Table column widths (``dashboard.columns.fitted``): every header readable, the longest value
given its width when there is room, the widest values giving way first when there is not, and
never more than the page's width at 1440 px (the browser tests check the drawn tables)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from hypothesis import given, settings
from hypothesis import strategies as s

from dashboard import columns


def _config(labels: dict[str, str]) -> dict:
    return {name: st.column_config.TextColumn(label) for name, label in labels.items()}


def test_a_table_that_fits_gets_what_its_values_need_and_the_flexible_column_the_rest():
    df = pd.DataFrame({"name": ["Kommuneforbund (municipal association)", "Stadt"], "n": [1, 22],
                       "note": ["short", "x"]})
    config = columns.fitted(df, _config({"name": "Entity", "n": "N", "note": "Note"}), ["name", "n", "note"])
    name, n, note = (config[c]["width"] for c in ("name", "n", "note"))
    assert name >= columns.text_width("Kommuneforbund (municipal association)") + 10
    assert n < 60  # a short header and two digits
    assert name + n + note == columns.PAGE_WIDTH
    assert config["name"]["pinned"] is True


def test_when_values_do_not_fit_the_widest_give_way_and_every_header_stays_whole():
    long = "x" * 80
    labels = {"a": "Repository", "b": "Kind of link", "e": "Licence", "c": "Reusing or contributing entity",
              "d": "Evidence"}
    df = pd.DataFrame({"a": ["x" * 35], "b": [long], "e": [long], "c": ["Stadt"], "d": [long * 3]})
    config = columns.fitted(df, _config(labels), list(labels), flexible="d")
    widths = {c: config[c]["width"] for c in labels}
    assert sum(widths.values()) <= columns.PAGE_WIDTH
    for c, label in labels.items():
        assert widths[c] >= columns.text_width(label), (c, widths)
    assert widths["b"] == widths["e"] < columns.text_width(long)  # both cut to one common width
    assert widths["a"] >= columns.text_width("x" * 35) + 10  # the row's name is cut last
    assert widths["d"] >= 240  # the flexible column keeps room for what it has to say


@settings(max_examples=200, deadline=None)
@given(s.lists(s.tuples(s.text(min_size=1, max_size=30), s.text(max_size=120)), min_size=1, max_size=12))
def test_a_table_never_needs_more_than_the_page(spec):
    labels = {f"c{i}": label for i, (label, _) in enumerate(spec)}
    df = pd.DataFrame({f"c{i}": [value] for i, (_, value) in enumerate(spec)})
    config = columns.fitted(df, _config(labels), list(labels))
    widths = [config[c]["width"] for c in labels]
    # The flexible column never gets less than rest()'s least; otherwise the page's width is kept.
    assert sum(widths[:-1]) <= columns.PAGE_WIDTH
    assert all(w > 0 for w in widths)
    assert sum(widths) <= max(columns.PAGE_WIDTH, sum(widths[:-1]) + 80)
