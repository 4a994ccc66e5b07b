"""The message catalogues and the locale formats of dashboard/i18n.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard import i18n
from dashboard.i18n import CatalogueError, MissingText, Translator


@pytest.fixture
def catalogue_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    yield tmp_path
    i18n.catalogue.cache_clear()


def test_numbers_and_dates_follow_the_language():
    en, de = Translator("en"), Translator("de")
    assert (en.number(1234567.891, 2), de.number(1234567.891, 2)) == ("1,234,567.89", "1.234.567,89")
    assert (en.number(3), de.number(3)) == ("3", "3")
    assert (en.percent(0.4567, 1), de.percent(0.4567, 1)) == ("45.7%", "45,7\xa0%")
    # One date format per language, whatever asks for it: the long date.
    assert (en.date(date(2026, 3, 5)), de.date(date(2026, 3, 5))) == ("5 March 2026", "5. März 2026")
    assert en.date(date(2026, 3, 5), "long") == en.date(date(2026, 3, 5))
    assert de.date(datetime(2026, 3, 5, 23, 0, tzinfo=UTC)) == "5. März 2026"
    assert (en.datetime(datetime(2026, 3, 5, 7, 4, tzinfo=UTC)), de.datetime(datetime(2026, 3, 5, 7, 4, tzinfo=UTC))) \
        == ("5 March 2026, 07:04", "5. März 2026, 07:04")
    assert (en.month(date(2026, 3, 1)), de.month(date(2026, 3, 1))) == ("Mar 2026", "März 2026")
    # Chart axes spell the months as the tables do.
    assert en.month_names()[8] == en.month(date(2026, 9, 1)).split()[0]
    assert de.month_names()[8] == de.month(date(2026, 9, 1)).split()[0]


def test_a_count_chooses_the_singular_for_one():
    en, de = Translator("en"), Translator("de")
    assert [en.count("common.people", n) for n in (0, 1, 2, 1234)] == ["0 people", "1 person", "2 people", "1,234 people"]
    assert [de.count("common.people", n) for n in (1, 2)] == ["1 Person", "2 Personen"]


def test_missing_values_are_shown_as_a_dash_not_nan():
    t = Translator("de")
    assert t.number(float("nan")) == t.percent(None) == t.date(None) == "–"


def test_codes_are_translated_and_unknown_codes_shown_as_they_are():
    de = Translator("de")
    assert de.label("status", "on track") == "im Plan"
    assert de.label("stage", "no_data") == "keine Daten"
    assert de.label("stage", "hibernating") == "hibernating"


def test_a_missing_key_raises_instead_of_showing_the_key():
    with pytest.raises(MissingText):
        Translator("en")("nav.no_such_page")


def test_an_unsupported_language_is_refused_and_a_url_value_falls_back():
    with pytest.raises(ValueError, match="unsupported language"):
        Translator("fr")
    assert i18n.language("DE") == "de"
    assert i18n.language("<script>") == i18n.DEFAULT_LANGUAGE


def test_placeholders_are_filled_in_both_languages():
    assert Translator("en")("filters.period_days", days=90) == "Last 90 days"
    assert Translator("de")("filters.period_days", days=90) == "Letzte 90 Tage"


def test_the_shipped_catalogue_has_every_key_in_both_languages():
    texts = i18n.catalogue()
    assert texts, "no catalogue found"
    for key, by_lang in texts.items():
        assert set(by_lang) == set(i18n.LANGUAGES), key
        assert all(by_lang.values()), key


def test_a_key_without_german_names_the_file_and_key(catalogue_dir):
    (catalogue_dir / "page.toml").write_text('[page.title]\nen = "Title"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"page\.toml: key 'page\.title' has no text for de"):
        i18n.catalogue()


def test_a_key_defined_twice_names_both_files(catalogue_dir):
    body = '[page.title]\nen = "Title"\nde = "Titel"\n'
    (catalogue_dir / "a.toml").write_text(body, encoding="utf-8")
    (catalogue_dir / "b.toml").write_text(body, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"b\.toml: key 'page\.title' is already defined in a\.toml"):
        i18n.catalogue()


def test_placeholders_must_match_across_languages(catalogue_dir):
    (catalogue_dir / "a.toml").write_text('[x.y]\nen = "{n} days"\nde = "{tage} Tage"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="different placeholders"):
        i18n.catalogue()


def test_malformed_toml_names_the_file(catalogue_dir):
    (catalogue_dir / "broken.toml").write_text("[x.y\nen = 1\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.toml"):
        i18n.catalogue()


def test_every_goal_metric_the_registry_accepts_has_a_name_in_both_languages():
    from collectors.registry import (
        BADGE_GOAL_METRICS,
        GOAL_METRICS,
        HEALTH_GOAL_METRICS,
        PUBLIC_CODE_GOAL_METRICS,
    )

    for metric in GOAL_METRICS + HEALTH_GOAL_METRICS + BADGE_GOAL_METRICS + PUBLIC_CODE_GOAL_METRICS:
        assert f"goal_metric.{metric}" in i18n.catalogue(), metric


def test_a_download_has_its_headers_in_the_language_and_no_internal_names():
    import pandas as pd

    from dashboard.columns import csv_bytes

    frame = pd.DataFrame({"entity_id": ["a"], "name": ["Stadt A"], "score": [50.0]})
    assert csv_bytes(Translator("de"), frame).decode("utf-8").splitlines()[0] == "Organisations-ID,Name,Gesundheitswert"
    assert csv_bytes(Translator("en"), frame).decode("utf-8").splitlines()[0] == "Entity ID,Name,Health score"
    with pytest.raises(MissingText):
        csv_bytes(Translator("en"), frame.assign(internal_column=1))
    with pytest.raises(ValueError, match="share a header"):  # "Repository" twice
        csv_bytes(Translator("en"), pd.DataFrame({"path": ["x"], "repo_path": ["x"]}))
