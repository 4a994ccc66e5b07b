"""The glossary: one text (dashboard/glossary.toml) behind the glossary page and the Glossary section
of docs/metrics.md, complete in English and German."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import glossary
from dashboard.i18n import LANGUAGES, Translator

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
DOC = ROOT / "docs" / "metrics.md"


def test_docs_metrics_shows_the_glossary_file_word_for_word():
    # When this fails, run `python -m dashboard.glossary docs/metrics.md` and commit both files.
    assert glossary.section_in(DOC) == glossary.docs_section()
    for term in glossary.terms():
        assert f"### {term.text('en', 'name')}\n\n{term.text('en', 'plain')}" in DOC.read_text(encoding="utf-8")


def test_every_term_has_every_text_in_both_languages_and_they_differ():
    terms = glossary.terms()
    assert len({t.id for t in terms}) == len(terms) >= 20
    for term in terms:
        for field in glossary.FIELDS:
            texts = [term.text(lang, field) for lang in LANGUAGES]
            assert all(texts), (term.id, field)
        # German is written, not copied: at least the plain-words text differs
        assert term.text("en", "plain") != term.text("de", "plain"), term.id


def test_a_malformed_term_is_refused_with_its_id(tmp_path, monkeypatch):
    bad = tmp_path / "glossary.toml"
    bad.write_text('[[term]]\nid = "x"\ngroup = "activity"\n[term.en]\nname = "X"\nplain = "p"\n'
                   'definition = "d"\ncaveats = "c"\n', encoding="utf-8")
    monkeypatch.setattr(glossary, "SOURCE", bad)
    glossary.terms.cache_clear()
    try:
        with pytest.raises(glossary.GlossaryError, match=r"term 'x' has no de text for name, plain, definition, caveats"):
            glossary.terms()
    finally:
        glossary.terms.cache_clear()


def test_rewrite_puts_the_section_between_the_markers(tmp_path):
    doc = tmp_path / "metrics.md"
    doc.write_text(f"# Metrics\n\n{glossary.START}\nold text\n{glossary.END}\n\n## Next\n", encoding="utf-8")
    assert glossary.rewrite(doc) is True
    text = doc.read_text(encoding="utf-8")
    assert "old text" not in text and text.startswith("# Metrics\n\n") and text.endswith("\n\n## Next\n")
    assert glossary.rewrite(doc) is False


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_glossary_page_shows_every_term_and_finds_one(demo_db, monkeypatch, lang):
    monkeypatch.setenv("OSSDASH_DB", str(demo_db[0]))
    t = Translator(lang)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("views/glossary.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("nav.glossary")
    names = [s.value for s in at.main.subheader]
    assert names == [term.text(lang, "name") for group in glossary.GROUPS
                     for term in glossary.terms() if term.group == group]
    shown = " ".join(m.value for m in at.markdown)
    health = glossary.find("health-score")
    assert health.text(lang, "definition") in shown and health.text(lang, "caveats") in shown

    at.text_input(key="glossary.search").set_value("NOASSERTION").run()
    assert [s.value for s in at.main.subheader] == [glossary.find("licence").text(lang, "name")]
    at.text_input(key="glossary.search").set_value("zzznothing").run()
    assert not at.main.subheader and "zzznothing" in at.info[0].value
