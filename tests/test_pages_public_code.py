"""The Standard for Public Code on the project and entity pages, on the collected simulator
warehouse: the project page shows every check with the outcome ``metrics.public_code`` computed
and its evidence, the criteria without a check as needing a person; the entity page counts its
repositories per criterion as ``metrics.public_code_summary`` does; in English and German
(Streamlit's AppTest, the real pages)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import Translator
from dashboard.text import md_escape
from warehouse import metrics
from warehouse.metrics.public_code_criteria import (
    CHECKED_CRITERIA,
    CHECKS,
    UNCHECKED_CRITERIA,
)

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
CHECK_COLUMNS = ["criterion", "check", "keyword", "outcome", "evidence"]
COUNT_COLUMNS = ["criterion", "met", "not_met", "unknown"]
# Raw values that must never reach a reader, as whole words ("genannt" holds "nan"), and catalogue keys.
RAW = re.compile(r"\b(None|nan|NaN|NaT|True|False)\b|<NA>|public_code\.")


def page(path: Path, monkeypatch, lang: str, view: str, **params: str) -> AppTest:
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(view)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, columns: list[str]):
    return next(d for d in at.dataframe if list(d.value.columns) == columns)


@pytest.fixture(scope="module")
def expected(warehouse):
    # The repository with the most change requests merged in the window: its review checks are
    # decided, and the rest a mix of met, not met and unknown.
    found = metrics.public_code(warehouse)
    return found.sort_values(["merged_6m", "path"], ascending=[False, True]).iloc[0]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_project_page_shows_every_check_the_warehouse_decides(demo_db, monkeypatch, expected, lang):
    t = Translator(lang)
    repo = (expected["forge"], expected["host"], expected["path"])
    at = page(demo_db[0], monkeypatch, lang, "views/project.py", repo=f"{repo[0]}:{repo[1]}/{repo[2]}")
    assert [h.value for h in at.header] == [md_escape(repo[2])], "the page shows another repository"
    headings = [s.value for s in at.subheader]
    assert t("public_code.standard") in headings
    # after the openCoDE badges, before publiccode.yml
    assert headings.index(t("public_code.standard")) == headings.index(t("badges.heading")) + 1
    assert t("public_code.page.intro") in [c.value for c in at.caption]

    criteria = [expected[f"criterion_{c}"] for c in CHECKED_CRITERIA]
    figures = {m.label: m.value for m in at.metric}
    for outcome in ("met", "not_met", "unknown"):
        assert figures[t(f"public_code.page.fig.{outcome}")] == t(
            "public_code.page.fig.of", n=t.number(criteria.count(outcome)), total=t.number(len(CHECKED_CRITERIA)))

    shown = table(at, CHECK_COLUMNS)
    rows = shown.value
    assert list(rows["check"]) == [t(f"public_code.check.{k.id}") for k in CHECKS]
    assert list(rows["criterion"]) == [t(f"public_code.criterion.{k.criterion}") for k in CHECKS]
    assert list(rows["outcome"]) == [t(f"public_code.outcome.{expected[f'check_{k.id}']}") for k in CHECKS]
    assert list(rows["keyword"]) == [t(f"public_code.page.keyword.{k.keyword}") for k in CHECKS]
    assert rows["evidence"].str.len().min() > 0
    assert not [e for e in rows["evidence"] if RAW.search(e)]
    # The evidence is the warehouse's: the review counts behind the review checks.
    by_check = dict(zip([k.id for k in CHECKS], rows["evidence"]))
    assert expected["merged_6m"] > 0
    assert by_check["reviewed"].startswith(t("public_code.page.evidence.reviewed", n=t.number(
        expected["reviewed_by_other_6m"]), merged=t.number(expected["merged_6m"])))
    assert by_check["prompt_review"].startswith(t("public_code.page.evidence.prompt", n=t.number(
        expected["prompt_reviews_6m"]), merged=t.number(expected["merged_6m"])))
    labels = json.loads(shown.proto.columns)
    assert [labels[c]["label"] for c in CHECK_COLUMNS] == [t(f"public_code.page.col.{c}") for c in CHECK_COLUMNS]

    # The criteria without a check: listed as needing a person, never as met or not met.
    listing = next(m.value for m in at.markdown if t("public_code.outcome.not_checked") in m.value)
    assert [line[2:] for line in listing.splitlines()[1:]] == [
        t(f"public_code.criterion.{c}") for c in UNCHECKED_CRITERIA]
    assert not set(rows["criterion"]) & {t(f"public_code.criterion.{c}") for c in UNCHECKED_CRITERIA}


def test_the_german_page_speaks_german(demo_db, monkeypatch, expected):
    repo = (expected["forge"], expected["host"], expected["path"])
    at = page(demo_db[0], monkeypatch, "de", "views/project.py", repo=f"{repo[0]}:{repo[1]}/{repo[2]}")
    rows = table(at, CHECK_COLUMNS).value
    assert set(rows["keyword"]) == {"MUSS", "SOLLTE"}
    assert set(rows["outcome"]) <= {"erfüllt", "nicht erfüllt", "unbekannt"}
    assert rows.loc[rows["check"] == "Unter Versionsverwaltung", "evidence"].tolist() == [
        f"ein Git-Repositorium auf {Translator('de').label('forge', repo[0])}"]
    assert {m.label for m in at.metric} >= {"Kriterien erfüllt", "Kriterien nicht erfüllt", "Kriterien unbekannt"}
    assert any("braucht menschliche Prüfung" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_entity_page_counts_its_repositories_per_criterion(demo_db, monkeypatch, warehouse, lang):
    t = Translator(lang)
    summary = metrics.public_code_summary(warehouse).set_index("entity_id")
    entity = summary["repos"].idxmax()
    at = page(demo_db[0], monkeypatch, lang, "views/entity.py", entity=entity)
    headings = [s.value for s in at.subheader]
    assert headings.index(t("public_code.page.entity_heading")) == headings.index(t("badges.entity_heading")) + 1
    shown = table(at, COUNT_COLUMNS)
    rows = shown.value.set_index("criterion")
    assert list(rows.index) == [t(f"public_code.criterion.{c}") for c in CHECKED_CRITERIA]
    row = summary.loc[entity]
    unknown_seen = 0
    for criterion in CHECKED_CRITERIA:
        counted = 0
        for outcome in ("met", "not_met", "unknown"):
            n = int(row[f"{criterion}_{outcome}"])
            assert rows.loc[t(f"public_code.criterion.{criterion}"), outcome] == t.number(n)
            counted += n
        assert counted == row["repos"]  # every repository once per criterion, unknown apart
        unknown_seen += int(row[f"{criterion}_unknown"])
    assert unknown_seen > 0, "the world leaves some criterion unknown: the column is not trivially zero"
    labels = json.loads(shown.proto.columns)
    assert [labels[c]["label"] for c in COUNT_COLUMNS] == [
        t("public_code.page.col.criterion"), *(t(f"public_code.outcome.{o}") for o in ("met", "not_met", "unknown"))]
    assert t("public_code.page.entity_intro", repos=t.number(row["repos"])) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_repository_s_evidence_reads_as_words(warehouse, lang):
    # Every repository of the world, every branch of the evidence it reaches: a sentence, no raw value.
    from dashboard.public_code_view import check_rows

    t = Translator(lang)
    found = metrics.public_code(warehouse)
    window = metrics.stored_badge_thresholds(warehouse).window_days
    sentences = set()
    for _, r in found.iterrows():
        rows = check_rows(t, r, window)
        assert list(rows["outcome"]) == [t(f"public_code.outcome.{r[f'check_{k.id}']}") for k in CHECKS]
        sentences.update(rows["evidence"])
    assert all(s.strip() for s in sentences)
    assert not [s for s in sentences if RAW.search(s)]
    assert len(sentences) > len(CHECKS) * 2, "the world should reach many kinds of evidence"
