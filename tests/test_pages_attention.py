"""The attention list page on the collected simulator warehouse: its figures agree with plain SQL
over the raw tables and with the stages the simulator generated, with filters, in both languages."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"

# Open issues and change requests by a person, opened at least 14 days ago, on a repository that is
# not archived, that nobody else (no bot, no system note) has answered: the raw tables only.
UNANSWERED_SQL = """
    SELECT r.entity_id, i.kind, count(*) AS n
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
        return {(e, k): n for e, k, n in con.execute(UNANSWERED_SQL, [country, country]).fetchall()}


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


@pytest.mark.parametrize("lang", ["en", "de"])
def test_figures_per_reason_match_plain_sql_and_the_simulators_stages(warehouse, lang):
    path, world = warehouse
    t = Translator(lang)
    at = _page(lang)
    _clean(at)
    assert at.title[0].value == t("nav.attention")
    figures = _figures(at)
    unanswered = _unanswered(path)
    assert figures[t.label("reason", "unanswered_issue")] == t.number(
        sum(n for (_, k), n in unanswered.items() if k == "issue"))
    assert figures[t.label("reason", "unanswered_change_request")] == t.number(
        sum(n for (_, k), n in unanswered.items() if k == "change_request"))
    # Repositories that went quiet: the simulator's abandoned and inactive ones. (At a third of the
    # activity some abandoned projects have no unanswered question left and count as inactive.)
    quiet = sum(n for (_, s), n in _stages(world).items() if s in QUIET)
    assert sum(_count(figures.get(t.label("reason", s), "0")) for s in QUIET) == quiet
    table = at.dataframe[0].value
    assert len(table) == sum(_count(v) for v in figures.values())
    assert set(table["reason_label"]) <= {t.label("reason", r) for r in table["reason"]}
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.get("download_button")) == 1


def test_entity_and_reason_from_the_link_narrow_the_table(warehouse):
    path, world = warehouse
    t = Translator("de")
    at = _page("de", entity="codefor", reason="unanswered_issue")
    _clean(at)
    assert at.selectbox[0].value == "codefor" and at.selectbox[1].value == "unanswered_issue"
    table = at.dataframe[0].value
    want = _unanswered(path)[("codefor", "issue")]
    assert len(table) == want
    assert set(table["entity_id"]) == {"codefor"}
    assert set(table["reason_label"]) == {"unbeantwortetes Issue"}
    # every row links to its repository and to the issue itself, on the repository's own site
    assert all(item.startswith(repo.rstrip("/") + "/issues/") for item, repo in zip(table["item_link"], table["repo_url"]))
    assert all(d.startswith("Issue #") and "Tagen keine Antwort" in d for d in table["detail_text"])
    # the figures on top count every reason of the chosen entity
    figures = _figures(at)
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
    table = at.dataframe[0].value
    assert set(table["entity_id"]) <= german and len(table)
    unanswered = _unanswered(path, "DE")
    assert _figures(at)[t.label("reason", "unanswered_issue")] == t.number(
        sum(n for (_, k), n in unanswered.items() if k == "issue"))
    # the entity choice offers only the entities in scope
    assert set(at.selectbox[0].options) == {"All entities", *(e.name for e in world.entities if e.id in german)}
    at.sidebar.selectbox[3].set_value(90).run()
    _clean(at)
    assert "90 days" in at.caption[0].value
    singles = at.dataframe[0].value.query("reason == 'single_maintainer'")
    assert all("last 90 days" in d for d in singles["detail_text"])


def test_a_reason_without_findings_says_so(warehouse):
    path, _ = warehouse
    assert ("landesamt", "change_request") not in _unanswered(path)
    at = _page("en", entity="landesamt", reason="unanswered_change_request")
    _clean(at)
    assert not at.dataframe, "no table when the chosen reason has no findings"
    infos = [i.value for i in at.info]
    assert any("“unanswered change request”" in i for i in infos), infos
