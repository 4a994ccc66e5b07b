"""One way through the dashboard, run with Streamlit's AppTest on the collected simulator warehouse:
the sidebar search finds an entity or repository by name and opens its page, link buttons open a
page on the choice they carry, the chosen view is part of the address, and a link asking for what
the data does not have says what is shown instead. (Row selection is driven in a real browser in
tests/test_browser.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("OSSDASH_DB", str(demo_db[0]))

    def start(page: str = "views/overview.py", **params: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        for name, value in params.items():
            at.query_params[name] = value
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return start


def _search(at: AppTest, text: str) -> AppTest:
    at.sidebar.text_input(key="search.text").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _hits(at: AppTest) -> list:
    return [b for b in at.sidebar.button if b.key and b.key.startswith("search.hit.")]


def test_the_search_finds_a_repository_and_opens_its_project_page(app, demo_db):
    _, world = demo_db
    at = _search(app(lang="de", country="DE"), "PARKING")
    german = {a.path for a in world.accounts if next(e for e in world.entities if e.id == a.entity_id).country == "DE"}
    repos = sorted({r.path for r in world.repos if "parking" in r.path and r.account in german})
    hits = _hits(at)
    # within the filters: the German entities' repositories only
    found = [b.label.replace("\\", "").rsplit(" (", 1)[0] for b in hits]
    assert repos and set(found) == set(repos)
    assert len(hits) == len([r for r in world.repos if "parking" in r.path and r.account in german])
    hits[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == Translator("de")("nav.project")
    chosen = at.query_params["repo"]
    assert "parking" in chosen and at.header[0].value.replace("\\", "") in chosen
    # the filters go along; the search box is empty again
    assert (at.query_params["lang"], at.query_params["country"]) == ("de", "DE")
    assert at.sidebar.text_input(key="search.text").value == ""


def test_the_search_finds_an_entity_by_name_and_says_when_nothing_matches(app, demo_db):
    _, world = demo_db
    entity = next(e for e in world.entities if e.id == "landesamt")
    at = _search(app(), entity.name.split()[0].lower())
    hit = next(b for b in _hits(at) if b.label == entity.name)
    hit.click().run()
    assert at.title[0].value == "Entity" and at.query_params["entity"] == "landesamt"
    at = _search(app(), "no such thing anywhere")
    assert not _hits(at) and any("no such thing anywhere" in c.value for c in at.sidebar.caption)


def test_a_link_button_opens_the_goals_page_on_the_entity(app):
    at = app("views/entity.py", entity="civiclab", period="180")
    next(b for b in at.main.button if b.label == "Goals and council report").click().run()
    assert at.title[0].value == "Goals and council report"
    assert (at.query_params["entity"], at.query_params["period"]) == ("civiclab", "180")
    back = app("views/project.py", entity="civiclab")
    next(b for b in back.main.button if b.label.startswith("Back to")).click().run()
    assert back.title[0].value == "Entity" and back.query_params["entity"] == "civiclab"


def test_the_chosen_view_is_part_of_the_address(app):
    at = app(lifecycle_by="archetype", compare_by="country")
    assert (at.query_params["lifecycle_by"], at.query_params["compare_by"]) == ("archetype", "country")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [s["title"] if isinstance(s["title"], str) else s["title"]["text"] for s in specs]
    assert "Health score by country" in titles
    lifecycle = next(d.value for d in at.dataframe if "group_label" in d.value.columns)
    assert "archetype" in lifecycle.columns
    reuse = app("views/reuse.py", view="matrix")
    spec = json.loads(reuse.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"] == "Links between entities" and reuse.query_params["view"] == "matrix"
    default = app("views/reuse.py")
    assert "view" not in default.query_params  # the default view leaves the address alone


def test_a_bad_link_says_what_it_fell_back_to(app):
    at = app("views/entity.py", entity="no-such-entity", lang="de")
    first = at.main.selectbox[0]
    warning = next(w.value for w in at.warning)
    assert "no\\-such\\-entity" in warning and f"„{first.format_func(first.value)}“" in warning.replace("\\", "")
    period = app(period="42")
    shown = next(w.value for w in period.sidebar.warning)
    assert "42" in shown and "“Last 12 months”" in shown
