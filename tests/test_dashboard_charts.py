"""The chart builders (dashboard/charts.py and friends) on hand-made frames: the month in progress is
marked, empty charts say so in words, a part scoring 0 reads 0, the release strip has labels at both
ends, legends fit a phone, and the reuse network stays legible at 7 and at 100 entities."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from dashboard import chart_base, charts, network_charts, page_charts
from dashboard.i18n import Translator

AS_OF = datetime(2026, 12, 2, 7, 14, tzinfo=UTC)


def _spec(chart) -> dict:
    return chart.to_dict()


def _text(chart) -> str:
    return json.dumps(_spec(chart), ensure_ascii=False, default=str)


def _months(n: int = 12, commits=None) -> pd.DataFrame:
    months = pd.date_range(end="2026-12-01", periods=n, freq="MS")
    commits = list(range(10, 10 + n)) if commits is None else commits
    return pd.DataFrame({"month": months, "commits": commits, "active_contributors": [3] * n,
                         "new_contributors": [1] * n})


def _dataset(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_month_in_progress_is_drawn_paler_and_named(lang):
    t = Translator(lang)
    spec = _spec(charts.monthly_commits(_months(), t, AS_OF))
    rows = _dataset(spec)
    assert [r["partial"] for r in rows] == [False] * 11 + [True]
    assert spec["encoding"]["color"]["condition"]["test"] == "datum.partial"
    assert spec["title"]["subtitle"] == t("charts.partial_month", month=t.month(AS_OF), date=t.date(AS_OF))
    # A month that is over is not marked: the figures of 1 January cover December whole.
    spec = _spec(charts.monthly_commits(_months(), t, datetime(2027, 1, 1, 0, 5, tzinfo=UTC)))
    assert not any(r["partial"] for r in _dataset(spec)) and spec["title"] == t("charts.commits_title")


def test_lines_into_the_month_in_progress_are_dashed():
    t = Translator("en")
    spec = _spec(charts.monthly_contributors(_months(), t, AS_OF))
    line = spec["layer"][0]
    rows = next(v for k, v in spec["datasets"].items() if any(r.get("segment") for r in v))
    dashed = [r for r in rows if r["segment"] == "partial"]
    # per series: the last complete month and the month in progress
    assert len(dashed) == 4 and {r["partial"] for r in dashed} == {False, True}
    assert line["encoding"]["strokeDash"]["condition"]["test"] == "datum.segment == 'partial'"


def test_a_sparkline_leaves_the_month_in_progress_out():
    df = _months()
    kept = chart_base.complete_months(df, AS_OF)
    assert len(kept) == 11 and kept["month"].max() == pd.Timestamp("2026-11-01")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_chart_with_nothing_to_draw_is_a_sentence_not_empty_axes(lang):
    t = Translator(lang)
    empty = _months(commits=[0] * 12).assign(active_contributors=0, new_contributors=0)
    for chart, key in ((charts.monthly_commits(empty, t, AS_OF), "charts.empty.commits"),
                       (charts.monthly_contributors(empty, t, AS_OF), "charts.empty.contributors")):
        spec = _spec(chart)
        assert spec["mark"]["type"] == "text" and "axis" not in _text(chart)
        assert _dataset(spec) == [{"text": t(key)}]
    items = pd.DataFrame({"month": _months()["month"], "opened": 0, "responded": 0, "median_ttfr_hours": np.nan,
                          "open_issues": 0, "median_issue_age_days": np.nan})
    assert _dataset(_spec(charts.monthly_response(items, t, AS_OF))) == [{"text": t("charts.empty.responses")}]
    assert _dataset(_spec(charts.open_issue_age(items, t, AS_OF))) == [{"text": t("charts.empty.open_issues")}]
    assert _dataset(_spec(page_charts.attention_by_entity(pd.DataFrame(columns=["entity_name", "reason"]), t))) \
        == [{"text": t("attention.chart.empty")}]


def test_a_median_response_of_zero_hours_is_drawn():
    t = Translator("en")
    items = pd.DataFrame({"month": _months(3)["month"], "opened": [2, 0, 1], "responded": [2, 0, 1],
                          "median_ttfr_hours": [0.0, np.nan, 5.0]})
    assert _spec(charts.monthly_response(items, t, AS_OF))["mark"]["type"] == "bar"


def test_a_part_scoring_zero_reads_zero_and_a_missing_part_says_so():
    t = Translator("de")
    parts = pd.DataFrame({"part": ["activity", "responsiveness", "hygiene"], "score": [0.0, np.nan, 50.0],
                          "weight": [0.25, 0.2, 0.1], "missing": [False, True, False]})
    spec = _spec(charts.health_parts(parts, t))
    rows = _dataset(spec)
    assert [r["value_text"] for r in rows] == ["0", t("charts.parts.missing"), "50"]
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert {layer["encoding"]["text"]["field"] for layer in texts} >= {"value_text", "part_label"}
    # the part's name is written above its bar, not on an axis beside it
    assert all(layer["encoding"]["y"]["axis"] is None for layer in spec["layer"])


def test_the_release_strip_spans_whole_years():
    t = Translator("en")
    releases = pd.DataFrame({"tag": ["v1", "v2"], "name": ["One", "Two"], "prerelease": [False, False],
                             "published_at": pd.to_datetime(["2023-03-01", "2023-08-04"], utc=True)})
    spec = _spec(charts.releases_timeline(releases, t))
    domain = spec["encoding"]["x"]["scale"]["domain"]
    assert domain[0].startswith("2023-01-01") and domain[1].startswith("2024-01-01")
    assert spec["encoding"]["x"]["axis"]["tickCount"] == {"interval": "month", "step": 6}


@pytest.mark.parametrize("labels, columns", [
    (["Active contributors", "New contributors"], 2),
    (["abandoned", "inactive", "declining", "one person maintains it", "unanswered change request",
      "unanswered issue", "maintenance contract expired", "maintenance contract expiring"], 1),
    (["fork", "mirror", "contribution", "shared contributor", "used by", "based on"], 2),
])
def test_legends_fit_a_phone_and_never_cut_an_entry(labels, columns):
    legend = chart_base.legend(labels).to_dict()
    assert legend["columns"] == columns and legend["labelLimit"] == 0
    widest = max(len(label) for label in labels) * chart_base._CHAR_PX + chart_base._SYMBOL_PX
    assert columns * widest <= chart_base.NARROW_WIDTH or columns == 1


def test_the_attention_chart_names_each_entity_above_its_bar_in_german():
    t = Translator("de")
    rows = pd.DataFrame({"entity_name": ["National Digital Agency"] * 3, "reason": [
        "contract_expired", "contract_expiring", "unanswered_change_request"]})
    spec = _spec(page_charts.attention_by_entity(rows, t))
    assert spec["height"] == {"step": chart_base.ROW_STEP}
    names = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert names and names[0]["encoding"]["text"]["field"] == "entity_name"
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == [t.label("reason", r) for r in
                                         ("unanswered_change_request", "contract_expired", "contract_expiring")]
    assert colour["legend"]["labelLimit"] == 0


def _network(entities: int, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"e{i:03d}" for i in range(entities)]
    pairs = {(a, b) for a, b in rng.choice(ids, size=(entities * 6, 2)) if a != b}
    edges = pd.DataFrame(sorted(pairs), columns=["source", "target"])
    edges["kind"] = rng.choice(list(network_charts.KIND_COLOURS), size=len(edges))
    edges["weight"] = rng.integers(1, 20, size=len(edges))
    edges["evidence"] = "x"
    for end in ("source", "target"):
        edges[f"{end}_label"] = edges[end].map(lambda e: f"Entity {e}")
    edges["kind_label"] = edges["kind"]
    return pd.DataFrame({"entity_id": ids, "label": [f"Entity {e}" for e in ids]}), edges


@pytest.mark.parametrize("entities", [7, 100])
def test_the_network_stays_legible(entities):
    t = Translator("en")
    nodes, edges = _network(entities)
    drawn = network_charts.legible_edges(edges, entities)
    assert len(drawn) <= max(network_charts.LEGIBLE_EDGES, network_charts.EDGES_PER_ENTITY * entities)
    # the heaviest links are the ones kept
    assert drawn["weight"].min() >= edges["weight"].sort_values(ascending=False).iloc[len(drawn) - 1]
    layout = network_charts.spring_layout(nodes["entity_id"], zip(drawn["source"], drawn["target"], drawn["weight"]))
    nodes = layout.merge(nodes, on="entity_id").assign(
        projects=3, projects_reused_by_others=0, reusing_entities=0, contributions_to_others=0)
    spec = _spec(network_charts.network_chart(nodes, network_charts.edge_segments(drawn, layout), t))
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    halo, names = texts
    assert halo["mark"]["stroke"] == "white" and halo["mark"]["strokeWidth"] >= 3
    assert names["mark"]["color"] != "white" and names["encoding"]["text"]["field"] == "label"
    named = next(v for k, v in spec["datasets"].items() if v and "label_y" in v[0] and "projects" not in v[0])
    assert len(named) == network_charts.labelled_nodes(entities) <= network_charts.LABELLED_NODES
    # the bulk of the nodes spreads over the chart, not a knot in its middle
    assert (layout["x"].abs() > 0.4).mean() > 0.3 and (layout["y"].abs() > 0.4).mean() > 0.3
    assert spec["height"] == network_charts.chart_height(entities)


def test_every_builder_makes_a_valid_specification_and_pages_get_it_without_a_theme():
    # The pages skip Altair's validation (chart_base.spec); the builders must therefore be valid.
    t = Translator("de")
    wide = pd.DataFrame({"entity_id": ["a", "b"], "label": ["A", "B"], "active": [2, 0], "inactive": [1, 3],
                         "no_data": [0, 1], "repos": [3, 4]})
    groups = pd.DataFrame({"label": ["x", "y"], "score": [50.0, None], "entities": [1, 2], "repos": [3, 4],
                           "commits": [5, 6], "active_contributors": [1, 2]})
    peers = pd.DataFrame({"entity_label": ["A", "B"], "archetype_label": ["k", "k"], "score": [50.0, 60.0],
                          "peer_median": [55.0, 55.0], "difference": [-5.0, 5.0], "peers": [2, 2]})
    runs = pd.DataFrame({"run_id": [1, 2], "started_at": pd.to_datetime(["2026-11-01", "2026-12-01"], utc=True),
                         "requests": [700, 40], "not_modified": [0, 38]})
    cells = pd.DataFrame({"source": ["a"], "target": ["b"], "source_label": ["A"], "target_label": ["B"],
                          "weight": [2], "kinds": ["fork: 2"]})
    built = [charts.lifecycle_mix(wide, t, "entity_id", "label", "Entity"),
             charts.group_scores(groups, t, "label", "Typ", "Titel"), charts.peer_benchmark(peers, t),
             page_charts.requests_per_run(runs, t), network_charts.matrix_chart(cells, ["A", "B"], t)]
    for chart in built:
        chart.to_dict()  # validates against the Vega-Lite schema; raises when not valid
        spec = chart_base.spec(chart)
        assert "continuousWidth" not in json.dumps(spec.get("config", {}).get("view", {}))
        assert spec["config"]["locale"]["number"]["decimal"] == ","
