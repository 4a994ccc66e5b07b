"""The attention list page on the collected simulator warehouse: its figures agree with plain SQL
over the raw tables and with the stages the simulator generated, with filters, in both languages.
It leads with the unanswered issues and change requests (title, age, link), then the other
findings; its chart follows the reason chosen."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"

# Open issues and change requests by a person, opened at least 14 days ago, on a repository that is
# not archived, that nobody else (no bot, no system note) has answered: the raw tables only.
UNANSWERED_SQL = """
    SELECT r.entity_id, i.kind, count(*) AS n, list(i.title ORDER BY i.number) AS titles
    FROM items AS i
    JOIN repos AS r ON r.forge = i.forge AND r.host = i.host AND r.path = i.repo_path
    JOIN entities AS e ON e.entity_id = r.entity_id
    WHERE NOT r.archived AND i.state = 'open'
      AND NOT ends_with(lower(coalesce(i.author_login, '')), '[bot]')
      AND i.created_at <= now() - INTERVAL 14 DAY
      AND (? IS NULL OR e.country = ?)
      AND NOT EXISTS (
          SELECT 1 FROM comments AS c
          WHERE c.forge = i.forge AND c.host = i.host AND c.repo_path = i.repo_path
            AND c.item_kind = i.kind AND c.item_number = i.number AND NOT c.system
            AND NOT ends_with(lower(coalesce(c.author_login, '')), '[bot]')
            AND lower(coalesce(c.author_login, '')) <> lower(coalesce(i.author_login, '')))
    GROUP BY ALL
"""


@pytest.fixture
def warehouse(demo_db, monkeypatch):
    path, world = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    return path, world


def _unanswered(path, country=None) -> dict[tuple[str, str], int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {(e, k): n for e, k, n, _ in con.execute(UNANSWERED_SQL, [country, country]).fetchall()}


def _titles(path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t for *_, titles in con.execute(UNANSWERED_SQL, [None, None]).fetchall() for t in titles}


def _stages(world) -> dict[tuple[str, str], int]:
    """(entity, stage) -> repositories the simulator generated in that stage of life."""
    owner = {(a.forge, a.path): a.entity_id for a in world.accounts}
    out: dict[tuple[str, str], int] = {}
    for repo in world.repos:
        key = (owner[(repo.forge, repo.account)], repo.stage)
        out[key] = out.get(key, 0) + 1
    return out


def _page(lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("views/attention.py").run()
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


QUIET = ("abandoned", "inactive")


def _count(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def _figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at: AppTest, column: str):
    """The page's table that has ``column`` (unanswered items: ``title``; other findings: ``reason``)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    return found[0] if found else None


@pytest.mark.parametrize("lang", ["en", "de"])
def test_unanswered_items_come_first_with_title_age_and_link_then_the_other_findings(warehouse, lang):
    path, world = warehouse
    t = Translator(lang)
    at = _page(lang)
    _clean(at)
    assert at.title[0].value == t("nav.attention")
    figures = _figures(at)
    unanswered = _unanswered(path)
    issues = sum(n for (_, k), n in unanswered.items() if k == "issue")
    changes = sum(n for (_, k), n in unanswered.items() if k == "change_request")
    assert figures[t.label("reason", "unanswered_issue")] == t.number(issues)
    assert figures[t.label("reason", "unanswered_change_request")] == t.number(changes)
    # Repositories that went quiet: the simulator's abandoned and inactive ones. (At a third of the
    # activity some abandoned projects have no unanswered question left and count as inactive.)
    quiet = sum(n for (_, s), n in _stages(world).items() if s in QUIET)
    assert sum(_count(figures.get(t.label("reason", s), "0")) for s in QUIET) == quiet

    # The page leads with the unanswered items: its first heading and first table.
    assert at.main.subheader[0].value == t("attention.unanswered.heading")
    items = at.dataframe[0].value
    assert "title" in items.columns and len(items) == issues + changes
    assert set(items["title"]) == _titles(path)
    assert all(str(u).startswith(str(r).rstrip("/")) for u, r in zip(items["item_link"], items["html_url"]))
    # grouped by repository: each repository's items together
    order = list(dict.fromkeys(items["path"]))
    assert list(items["path"]) == [p for p in order for _ in range((items["path"] == p).sum())]
    listed = at.markdown[0].value if at.markdown else ""
    first = items.iloc[0]
    assert f"**{first['path']}**".replace("-", "\\-").replace("/", "\\/") in listed or first["path"] in listed

    others = _table(at, "reason")
    assert len(others) == sum(_count(v) for k, v in figures.items()
                              if k not in (t.label("reason", "unanswered_issue"),
                                           t.label("reason", "unanswered_change_request")))
    assert not set(others["reason"]) & {"unanswered_issue", "unanswered_change_request"}
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.get("download_button")) == 2


def test_days_are_counted_one_way_on_a_row(warehouse):
    at = _page("en", reason="inactive")
    _clean(at)
    t = Translator("en")
    others = _table(at, "reason")
    assert len(others) and set(others["reason"]) == {"inactive"}
    for row in others.itertuples():
        assert row.detail_text == t("attention.detail.inactive", days=t.count("common.days_since", round(row.days)))
        assert row.days_shown == t.number(round(row.days))
    assert _table(at, "title") is None  # no unanswered item is asked for


def test_the_chart_follows_the_reason_chosen(warehouse):
    at = _page("de", reason="single_maintainer")
    _clean(at)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == [Translator("de").label("reason", "single_maintainer")]


def test_entity_and_reason_from_the_link_narrow_the_table(warehouse):
    path, world = warehouse
    at = _page("de", entity="codefor", reason="unanswered_issue")
    _clean(at)
    assert at.selectbox[0].value == "codefor" and at.selectbox[1].value == "unanswered_issue"
    items = _table(at, "title")
    want = _unanswered(path)[("codefor", "issue")]
    assert len(items) == want
    assert set(items["entity_id"]) == {"codefor"}
    assert set(items["kind_label"]) == {"Issue"}
    # every row links to the issue itself, on the repository's own site
    assert all(item.startswith(repo.rstrip("/") + "/issues/") for item, repo in zip(items["item_link"], items["html_url"]))
    assert _table(at, "reason") is None
    # the figures on top count every reason of the chosen entity
    figures = _figures(at)
    t = Translator("de")
    quiet = sum(n for (e, s), n in _stages(world).items() if e == "codefor" and s in QUIET)
    assert quiet and sum(_count(figures.get(t.label("reason", s), "0")) for s in QUIET) == quiet
    assert at.query_params["reason"] == "unanswered_issue"


def test_sidebar_country_and_period_filters(warehouse):
    path, world = warehouse
    t = Translator("en")
    at = _page("en")
    at.sidebar.selectbox[0].set_value("DE").run()
    _clean(at)
    german = {e.id for e in world.entities if e.country == "DE"}
    assert set(_table(at, "title")["entity_id"]) <= german and set(_table(at, "reason")["entity_id"]) <= german
    unanswered = _unanswered(path, "DE")
    assert _figures(at)[t.label("reason", "unanswered_issue")] == t.number(
        sum(n for (_, k), n in unanswered.items() if k == "issue"))
    # the entity choice offers only the entities in scope
    assert set(at.selectbox[0].options) == {"All entities", *(e.name for e in world.entities if e.id in german)}
    at.sidebar.selectbox[3].set_value(90).run()
    _clean(at)
    assert "90 days" in at.caption[0].value
    singles = _table(at, "reason").query("reason == 'single_maintainer'")
    assert all("last 90 days" in d for d in singles["detail_text"])


def test_a_reason_without_findings_says_so(warehouse):
    path, _ = warehouse
    assert ("landesamt", "change_request") not in _unanswered(path)
    at = _page("en", entity="landesamt", reason="unanswered_change_request")
    _clean(at)
    assert not at.dataframe, "no table when the chosen reason has no findings"
    infos = [i.value for i in at.info]
    assert any("“unanswered change request”" in i for i in infos), infos
