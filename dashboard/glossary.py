"""The glossary of the dashboard's figures: read from ``glossary.toml`` (English and German), shown
by the glossary page, and written into the "Glossary" section of ``docs/metrics.md``, so that the
page and the documentation say the same thing from one text.

``python -m dashboard.glossary docs/metrics.md`` rewrites that section from the data file (between
its two marker comments); ``tests/test_dashboard_glossary.py`` fails when they differ.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.i18n import LANGUAGES

SOURCE = Path(__file__).resolve().with_name("glossary.toml")
FIELDS = ("name", "plain", "definition", "caveats")
GROUPS = ("activity", "health", "responsiveness", "releases", "hygiene", "reuse", "goals")
START = "<!-- glossary:start (made from dashboard/glossary.toml by `python -m dashboard.glossary docs/metrics.md`) -->"
END = "<!-- glossary:end -->"


class GlossaryError(ValueError):
    """The glossary file is malformed: named with the term and field."""


@dataclass(frozen=True)
class Term:
    id: str
    group: str
    texts: dict[str, dict[str, str]]  # language -> field -> text

    def text(self, lang: str, field: str) -> str:
        return self.texts[lang][field]


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    """Every term, in the file's order."""
    raw = tomllib.loads(SOURCE.read_text(encoding="utf-8"))
    out: list[Term] = []
    seen: set[str] = set()
    for entry in raw.get("term", []):
        term_id = str(entry.get("id", ""))
        if not term_id or term_id in seen:
            raise GlossaryError(f"{SOURCE.name}: term id {term_id!r} is missing or defined twice")
        if entry.get("group") not in GROUPS:
            raise GlossaryError(f"{SOURCE.name}: term {term_id!r} has group {entry.get('group')!r}, "
                                f"expected one of {', '.join(GROUPS)}")
        texts: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            fields = entry.get(lang) or {}
            missing = [f for f in FIELDS if not isinstance(fields.get(f), str) or not fields[f].strip()]
            if missing:
                raise GlossaryError(f"{SOURCE.name}: term {term_id!r} has no {lang} text for {', '.join(missing)}")
            texts[lang] = {f: " ".join(fields[f].split()) for f in FIELDS}
        seen.add(term_id)
        out.append(Term(term_id, str(entry["group"]), texts))
    if not out:
        raise GlossaryError(f"{SOURCE.name}: no terms")
    return tuple(out)


def find(term_id: str) -> Term:
    for term in terms():
        if term.id == term_id:
            return term
    raise KeyError(term_id)


def markdown(lang: str = "en", labels: dict[str, str] | None = None, heading: str = "###") -> str:
    """The glossary in ``lang`` as Markdown: a heading per term, then its three paragraphs.
    ``labels`` names the paragraphs (``definition``, ``caveats``) in the language."""
    labels = labels or {"definition": "Definition", "caveats": "Caveats"}
    blocks = []
    for term in terms():
        blocks.append(
            f"{heading} {term.text(lang, 'name')}\n\n{term.text(lang, 'plain')}\n\n"
            f"*{labels['definition']}:* {term.text(lang, 'definition')}\n\n"
            f"*{labels['caveats']}:* {term.text(lang, 'caveats')}"
        )
    return "\n\n".join(blocks)


def docs_section() -> str:
    """What lies between the markers in docs/metrics.md."""
    intro = ("The dashboard's glossary page shows these explanations in English and German; they are "
             "kept in `dashboard/glossary.toml`, and this section is made from its English text.")
    return f"{START}\n{intro}\n\n{markdown('en')}\n{END}"


def rewrite(doc: Path) -> bool:
    """Put :func:`docs_section` between the markers of ``doc``; True when the file changed."""
    text = doc.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise GlossaryError(f"{doc}: the glossary markers are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = head + docs_section() + tail
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


def section_in(doc: Path) -> str:
    """The glossary section as it stands in ``doc`` (markers included)."""
    text = doc.read_text(encoding="utf-8")
    start = text.index(START)
    return text[start:text.index(END, start) + len(END)]


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/metrics.md")
    print(f"{target}: {'rewritten' if rewrite(target) else 'already up to date'}")
