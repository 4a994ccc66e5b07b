"""The dashboard in a real browser: `ossdash serve` on a collected warehouse, driven through Debian's
Chromium (headless, through Playwright; never a downloaded browser).

Every page in both languages must finish its run with its heading, no exception or error, and a
drawn chart where the page has one; a shared link with filters opens that view and keeps it across a
page switch; a table downloads as CSV; a repository description with HTML in it stays text.
Screenshots of every page at 1440×900 and at a phone's 390×844 land in
test-artifacts/browser/<page>-<lang>-<width>.png; at 1440 px no table may need scrolling sideways and no
chart may be drawn wider than its frame, on a phone no chart nor the page itself.

All tests share one server and one browser (module-scoped fixtures): the suite runs with
`--dist loadscope`, which keeps a module's tests on one xdist worker. (`--dist loadgroup` with
`xdist_group` marks would say the same, but with pytest 9.2 and pytest-xdist 3.8 it silently
distributes marked tests like `load`: pytest-dev/pytest-xdist#1386.)
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import quote, urlsplit

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

from collectors.simulator.streams import HOSTILE_DESCRIPTION
from dashboard.filters import repo_key
from dashboard.i18n import LANGUAGES, Translator
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    GOALS,
    PHONE,
    VIEWPORT,
    WAIT_MS,
    DashboardServer,
    Tab,
    injected_elements,
    layout_faults,
    require_chromium,
    warehouse_with_goals,
)

# page -> (URL path, whether the page draws at least one chart)
PAGES = {
    "overview": ("/", True),
    "entity": ("/entity", True),
    "project": ("/project", True),
    "attention": ("/attention", True),
    "reuse": ("/reuse", True),
    "goals": ("/goals", True),
    "status": ("/status", True),
    "glossary": ("/glossary", False),
}
CHART = '[data-testid="stVegaLiteChart"]'
DRAWN_CHART = f"{CHART} svg.marks, {CHART} canvas"
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'


def _pages_and_languages(offset: int) -> list:
    """(page, language) for every page in every language. The default suite takes one language a
    page, alternating, and the desktop and phone tests take opposite ones (``offset``), so each page
    is seen in both languages and both sizes; the other half runs under ``-m matrix``."""
    return [pytest.param(name, lang, id=f"{name}-{lang}",
                         marks=() if (i + offset) % len(LANGUAGES) == j else pytest.mark.matrix)
            for i, name in enumerate(PAGES) for j, lang in enumerate(LANGUAGES)]


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    source, world = demo_db
    db = warehouse_with_goals(source, world, tmp_path_factory.mktemp("browser") / "ossdash.duckdb")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # files of a former run are overwritten
    with DashboardServer(db, ARTIFACTS / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser):
    # One context for the module keeps the app's scripts in its cache; each test opens its own
    # tab, and with it its own Streamlit session.
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def phone_context(browser):
    context = browser.new_context(viewport=PHONE, accept_downloads=True, is_mobile=True, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def tab(server, context):
    page = context.new_page()
    try:
        yield Tab(page, server.url)
    finally:
        page.close()


@pytest.fixture
def phone(server, phone_context):
    page = phone_context.new_page()
    try:
        yield Tab(page, server.url)
    finally:
        page.close()


def _assert_query(tab: Tab, wanted: dict[str, str]) -> None:
    """The page's URL carries ``wanted`` in its query string (Streamlit writes it during the run)."""
    try:
        tab.page.wait_for_function(
            "(wanted) => { const q = new URLSearchParams(location.search);"
            " return Object.entries(wanted).every(([k, v]) => q.get(k) === v); }",
            arg=wanted,
            timeout=5_000,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"the URL {tab.page.url} does not carry {wanted}") from None


def _main_choices(tab: Tab) -> list[str]:
    return [box.input_value() for box in tab.page.locator(f'{MAIN} input[role="combobox"]').all()]


def _sidebar_choice(tab: Tab, label: str):
    return tab.page.locator(SIDEBAR).get_by_role("combobox", name=label, exact=True)


@pytest.mark.parametrize("name, lang", _pages_and_languages(0))
def test_page_renders_in_the_browser(tab, name, lang):
    path, has_chart = PAGES[name]
    t = Translator(lang)
    tab.open(f"{path}?lang={lang}")
    # Before the assertions, so that a failing page leaves its picture too.
    tab.screenshot(f"{name}-{lang}-{VIEWPORT['width']}")
    page = tab.page

    assert tab.problems() == []
    expect(page.locator(f"{MAIN} h1").first).to_have_text(t(f"nav.{name}"))
    # The frame around the page is in the same language: navigation and filters.
    # (A link's text starts with its icon's name: only its end is compared.)
    titles = [re.compile(re.escape(t(f"nav.{p}")) + "$") for p in PAGES]
    expect(page.locator('[data-testid="stSidebarNavLink"]')).to_have_text(titles)
    expect(_sidebar_choice(tab, t("filters.country"))).to_be_visible()
    if lang != "en":
        _assert_query(tab, {"lang": lang})
    if has_chart:
        # (Charts in tabs not chosen are hidden: the first visible one counts.)
        drawn = page.locator(DRAWN_CHART).filter(visible=True).first
        expect(drawn).to_be_visible()
        box = drawn.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, box
    # A reader's dashboard: no "Deploy" button, no developer menu (client.toolbarMode = viewer).
    expect(page.locator('[data-testid="stAppDeployButton"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    assert tab.problems() == []  # among them: any request to a host other than the server
    # Every table's columns fit at 1440 px, every chart in its frame.
    assert layout_faults(page) == []


@pytest.mark.parametrize("name, lang", _pages_and_languages(1))
def test_page_on_a_phone(phone, name, lang):
    path, has_chart = PAGES[name]
    phone.open(f"{path}?lang={lang}")
    phone.screenshot(f"{name}-{lang}-{PHONE['width']}")
    assert phone.problems() == []
    expect(phone.page.locator(f"{MAIN} h1").first).to_have_text(Translator(lang)(f"nav.{name}"))
    if has_chart:
        expect(phone.page.locator(DRAWN_CHART).filter(visible=True).first).to_be_visible()
    # Tables may scroll sideways on a phone (their first column stays put); the page and charts not.
    assert layout_faults(phone.page, tables=False) == []


def test_a_shared_link_opens_the_view_and_keeps_its_filters_across_pages(tab, demo_db):
    _, world = demo_db
    t = Translator("de")
    country, _ = Counter(e.country for e in world.entities).most_common(1)[0]
    in_country = sorted((e for e in world.entities if e.country == country), key=lambda e: e.id)
    assert len(in_country) >= 2, "the test world needs two entities in one country"

    # Choose an entity that the page does not show unasked, so a link that is ignored shows up.
    tab.open(f"/entity?country={country}&lang=de")
    shown_unasked = " ".join(_main_choices(tab))
    entity = next(e for e in in_country if e.name not in shown_unasked)

    tab.open(f"/entity?entity={entity.id}&country={country}&period=180&lang=de")
    page = tab.page
    assert tab.problems() == []
    expect(page.locator(f"{MAIN} h1").first).to_have_text(t("nav.entity"))
    assert any(entity.name in choice for choice in _main_choices(tab)), (entity.name, _main_choices(tab))
    expect(_sidebar_choice(tab, t("filters.country"))).to_have_value(country)
    expect(_sidebar_choice(tab, t("filters.period"))).to_have_value(t("filters.period_days", days=180))
    wanted = {"entity": entity.id, "country": country, "period": "180", "lang": "de"}
    _assert_query(tab, wanted)

    # Switch page through the sidebar's navigation: the filters and the entity go along.
    page.locator('[data-testid="stSidebarNavLink"][href$="/goals"]').click()
    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/goals"))
    tab.wait_until_ready(t("nav.goals"))
    tab.screenshot("shared-link-goals-de")
    assert tab.problems() == []
    _assert_query(tab, wanted)
    expect(_sidebar_choice(tab, t("filters.country"))).to_have_value(country)
    expect(_sidebar_choice(tab, t("filters.period"))).to_have_value(t("filters.period_days", days=180))
    assert any(entity.name in choice for choice in _main_choices(tab)), (entity.name, _main_choices(tab))


@pytest.mark.parametrize(
    "lang, country",
    [("en", None), ("de", "DE")],
    ids=["all-en", "filtered-de"],
)
def test_the_overview_table_downloads_as_csv(tab, demo_db, lang, country):
    _, world = demo_db
    t = Translator(lang)
    query = f"lang={lang}" + (f"&country={country}" if country else "")
    tab.open(f"/?{query}")
    page = tab.page
    expect(page.locator(f"{MAIN} h1").first).to_have_text(t("nav.overview"))

    buttons = page.locator(f'{MAIN} [data-testid="stDownloadButton"]').filter(has_text=t("common.download_csv"))
    button = buttons.filter(visible=True).first
    with page.expect_download() as started:
        button.click()
    download = started.value
    assert download.failure() is None
    saved = ARTIFACTS / f"{lang}-{download.suggested_filename}"
    download.save_as(saved)
    assert saved.suffix == ".csv", download.suggested_filename

    table = csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8")))
    rows = list(table)
    # The headers are in the page's language.
    id_, name, land, kind = (t(f"csv.{c}") for c in ("entity_id", "name", "country", "archetype"))
    assert {id_, name, land, kind} <= set(table.fieldnames or ()), table.fieldnames
    # One row per entity of the world, or of the chosen country, with its own name and codes.
    expected = {e.id: (e.name, e.country, e.archetype) for e in world.entities if country in (None, e.country)}
    assert sorted(row[id_] for row in rows) == sorted(expected)
    assert {row[id_]: (row[name], row[land], row[kind]) for row in rows} == expected
    assert tab.problems() == []


def test_the_council_report_downloads_as_html_and_pdf(tab, demo_db):
    _, world = demo_db
    t = Translator("de")
    tab.open("/goals?lang=de")
    page = tab.page
    chosen = next(e for e in world.entities if any(e.name in choice for choice in _main_choices(tab)))
    files = {}
    # The PDF first, then the HTML from the same reading of the warehouse (the page caches it).
    for label, suffix in ((t("goals.report.pdf"), ".pdf"), (t("goals.report.html"), ".html")):
        button = page.locator(f'{MAIN} [data-testid="stDownloadButton"]').filter(has_text=label).first
        with page.expect_download() as started:
            button.click()
        download = started.value
        assert download.failure() is None
        assert download.suggested_filename == f"ossdash-report-{chosen.id}-de{suffix}"
        saved = ARTIFACTS / download.suggested_filename
        download.save_as(saved)
        files[suffix] = saved.read_bytes()
    assert files[".pdf"].startswith(b"%PDF-")
    html = files[".html"].decode("utf-8")
    assert f"<h1>{t('report.title', name=chosen.name)}</h1>" in html
    assert html.count('<section class="goal"') == len(GOALS)
    assert tab.problems() == []


def test_a_hostile_repository_description_is_shown_as_text(tab, server, demo_db):
    _, world = demo_db
    repo = next(r for r in world.repos if r.description == HOSTILE_DESCRIPTION)
    entity_id = next(a.entity_id for a in world.accounts if (a.forge, a.path) == (repo.forge, repo.account))
    with duckdb.connect(str(server.db), read_only=True) as con:
        rows = con.execute("SELECT forge, host, path FROM repos WHERE description = ?", [HOSTILE_DESCRIPTION]).fetchall()
    assert len(rows) == 1, rows
    forge, host, path = rows[0]
    page = tab.page

    # The project page shows the description as a paragraph: literally, on screen.
    tab.open(f"/project?entity={entity_id}&repo={quote(repo_key(forge, host, path), safe='')}&lang=en")
    expect(page.locator(f"{MAIN} h1").first).to_have_text(Translator("en")("nav.project"))
    expect(page.locator(MAIN).get_by_text(HOSTILE_DESCRIPTION, exact=True)).to_be_visible()
    page.wait_for_timeout(300)  # time for a broken image to fire its onerror, had one been made
    tab.screenshot("hostile-description-project-en")
    assert injected_elements(page) == []
    assert tab.problems() == []

    # The entity page lists it in its repository table. st.dataframe paints its cells on a canvas,
    # and keeps an accessible table of the same cells in the DOM (what a screen reader reads): the
    # description must be there as the cell's text. (That table is not on screen: "attached".)
    tab.open(f"/entity?entity={entity_id}&lang=en")
    grid = page.locator(f'{MAIN} [data-testid="stDataFrame"]')
    expect(grid.first).to_be_visible()
    described = grid.locator('[role="gridcell"]').filter(has_text="Bürgerportal")
    expect(described.first).to_be_attached()
    assert set(described.all_text_contents()) == {HOSTILE_DESCRIPTION}
    row = described.first.locator("xpath=..")
    assert path in (row.text_content() or ""), row.text_content()
    # Never markup: no element made from it, no dialog from its script or image, on either page.
    page.wait_for_timeout(300)
    tab.screenshot("hostile-description-entity-en")
    assert injected_elements(page) == []
    assert tab.dialogs == []
    assert tab.problems() == []


def test_selecting_a_row_opens_the_entity_page_with_the_filters(tab):
    tab.open("/?lang=de&period=180")
    page = tab.page
    grid = page.locator(f'{MAIN} [data-testid="stDataFrame"]').first
    expect(grid).to_be_visible()
    first_row = grid.locator('[role="row"]').nth(1).text_content() or ""
    box = grid.bounding_box()
    assert box
    # The selection box of the first row: the grid's first column, below its header row.
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/entity"), timeout=WAIT_MS)
    t = Translator("de")
    tab.wait_until_ready(t("nav.entity"))
    assert tab.problems() == []
    header = page.locator(f"{MAIN} h2").first.inner_text().strip()
    assert header and header in first_row, (header, first_row)
    _assert_query(tab, {"lang": "de", "period": "180"})
    # ... and back
    page.locator(MAIN).get_by_role("button", name=t("common.back_to_overview")).click()
    page.wait_for_url(lambda url: urlsplit(url).path in ("", "/"), timeout=WAIT_MS)
    tab.wait_until_ready(t("nav.overview"))
    assert tab.problems() == []
