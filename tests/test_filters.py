"""The dashboard's frame: language switch and global filters, kept across pages and in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.text import md_escape

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
FILTERS = ("country", "archetype", "forge", "period")


@pytest.fixture
def app(demo_db, monkeypatch):
    path, _ = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return AppTest.from_file(str(APP), default_timeout=60)


def _sidebar(at: AppTest) -> dict[str, object]:
    return {name: box.value for name, box in zip(FILTERS, at.sidebar.selectbox)}


def test_defaults_keep_the_url_clean(app):
    at = app.run()
    assert not at.exception
    assert _sidebar(at) == {"country": None, "archetype": None, "forge": None, "period": 365}
    assert dict(at.query_params) == {}


def test_a_shared_link_opens_with_its_filters_and_language(app, demo_db):
    _, world = demo_db
    country = min({e.country for e in world.entities})
    for name, value in {"lang": "de", "country": country, "forge": "gitlab", "period": "90"}.items():
        app.query_params[name] = value
    at = app.run()
    assert not at.exception
    assert _sidebar(at) == {"country": country, "archetype": None, "forge": "gitlab", "period": 90}
    assert [box.label for box in at.sidebar.selectbox] == ["Land", "Typ", "Plattform", "Zeitraum"]
    assert dict(at.query_params) == {"lang": "de", "country": country, "forge": "gitlab", "period": "90"}


def test_filters_and_language_survive_a_page_switch(app):
    at = app.run()
    at.sidebar.selectbox[2].set_value("github").run()
    at.sidebar.selectbox[3].set_value(180).run()
    assert dict(at.query_params) == {"forge": "github", "period": "180"}
    at.switch_page("views/status.py").run()
    assert not at.exception
    assert _sidebar(at)["forge"] == "github" and _sidebar(at)["period"] == 180
    assert dict(at.query_params) == {"forge": "github", "period": "180"}
    at.sidebar.selectbox[2].set_value(None).run()
    assert dict(at.query_params) == {"period": "180"}


def test_a_value_the_data_does_not_have_is_reported_as_text_and_ignored(app):
    app.query_params["country"] = "**XX** [x](javascript:alert(1))"
    app.query_params["period"] = "7"
    at = app.run()
    assert not at.exception
    assert _sidebar(at)["country"] is None and _sidebar(at)["period"] == 365
    warnings = [w.value for w in at.sidebar.warning]
    # Shown as the literal text: every Markdown character escaped.
    assert any(md_escape("**XX** [x](javascript:alert(1))") in w for w in warnings), warnings
    assert any("“7”" in w for w in warnings), warnings
    assert "country" not in at.query_params


def test_an_unknown_language_falls_back_to_english(app):
    app.query_params["lang"] = "xx"
    at = app.run()
    assert not at.exception
    assert at.sidebar.selectbox[0].label == "Country"
    assert "lang" not in at.query_params


def test_a_warehouse_from_an_older_version_asks_for_a_collection(demo_db, tmp_path, monkeypatch):
    import shutil

    import duckdb

    from warehouse import schema

    path, _ = demo_db
    old = tmp_path / "old.duckdb"
    shutil.copy(path, old)
    con = duckdb.connect(str(old))
    con.execute("DELETE FROM schema_migrations WHERE version = ?", [schema.latest_version()])
    con.close()
    monkeypatch.setenv("OSSDASH_DB", str(old))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "older version of ossdash" in at.info[0].value
    assert not at.sidebar.selectbox  # no page ran
