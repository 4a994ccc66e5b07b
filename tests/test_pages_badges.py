"""openCoDE's badges on the project page, on the collected simulator warehouse: the section shows
each badge's level and every criterion with the outcome the warehouse computed, unknown criteria as
unknown, in English and German (Streamlit's AppTest, the real page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator
from dashboard.text import md_escape
from warehouse import metrics
from warehouse.metrics.badge_settings import BADGE_LEVELS

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def project_page(path: Path, monkeypatch, lang: str, repo) -> AppTest:
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["repo"] = f"{repo[0]}:{repo[1]}/{repo[2]}"  # the dashboard's repository key
    at.switch_page("views/project.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == [md_escape(repo[2])], "the page shows another repository"
    return at


@pytest.fixture(scope="module")
def expected(warehouse):
    # The repository with most commits in the window: a badge reached, others not, some unknown.
    table = metrics.badges(warehouse)
    return table.sort_values(["commits_6m", "path"], ascending=[False, True]).iloc[0]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_project_page_shows_the_badges_the_warehouse_computes(demo_db, monkeypatch, expected, lang):
    t = Translator(lang)
    repo = (expected["forge"], expected["host"], expected["path"])
    at = project_page(demo_db[0], monkeypatch, lang, repo)
    assert t("badges.heading") in [s.value for s in at.subheader]
    levels = {m.label: m.value for m in at.metric}
    for badge in BADGE_LEVELS:
        assert levels[t(f"badges.badge.{badge}")] == t(f"badges.level.{expected[f'{badge}_level']}")
    table = next(d.value for d in at.dataframe if "criterion" in d.value.columns)
    criteria = [c for levels_ in BADGE_LEVELS.values() for _, cs in levels_ for c in cs]
    assert len(table) == len(criteria)
    assert list(table["outcome"]) == [t(f"badges.outcome.{expected[f'{c}_outcome']}") for c in criteria]
    # What a reading token cannot see is unknown, never failed.
    unknown = t("badges.outcome.unknown")
    for criterion in ("branch_protection", "signed_tags"):
        assert table.loc[table["criterion"] == t(f"badges.criterion.{criterion}"), "outcome"].tolist() == [unknown]
    assert table["evidence"].str.len().min() > 0 and table["rule"].str.len().min() > 0


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_entity_page_counts_its_repositories_per_badge_level(demo_db, monkeypatch, warehouse, lang):
    t = Translator(lang)
    summary = metrics.badge_summary(warehouse).set_index("entity_id")
    entity = summary["repos"].idxmax()
    monkeypatch.setenv("OSSDASH_DB", str(demo_db[0]))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["entity"] = entity
    at.switch_page("views/entity.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("badges.entity_heading") in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if list(d.value.columns) == ["badge", "level", "repos", "share"])
    shown = {(b, lv): n for b, lv, n in zip(table["badge"], table["level"], table["repos"])}
    row = summary.loc[entity]
    for badge, levels in BADGE_LEVELS.items():
        counted = 0
        for value in ("none", "unknown", *(level for level, _ in levels)):
            n = int(row[f"{badge}_{value}"])
            assert shown[t(f"badges.badge.{badge}"), t(f"badges.level.{value}")] == t.number(n)
            counted += n
        assert counted == row["repos"]  # every repository once, at its highest level
    per_repo = metrics.badges(warehouse, metrics.Scope("entity", entity_id=entity))
    criteria = next(d.value for d in at.dataframe
                    if list(d.value.columns) == ["badge", "level", "criterion", "met", "not_met", "unknown"])
    for criterion in ("commits", "security_file", "signed_tags"):
        shown_row = criteria[criteria["criterion"] == t(f"badges.criterion.{criterion}")].iloc[0]
        outcomes = per_repo[f"{criterion}_outcome"].value_counts()
        for value in ("met", "not_met", "unknown"):
            assert shown_row[value] == t.number(int(outcomes.get(value, 0)))
    # signed tags cannot be read from the forges yet: every repository's outcome is unknown, none failed
    signed = criteria[criteria["criterion"] == t("badges.criterion.signed_tags")].iloc[0]
    assert signed["unknown"] == t.number(len(per_repo)) and signed["not_met"] == t.number(0)
