"""English and German text, numbers and dates for the dashboard and the council report.

Every label lives in a message catalogue under ``dashboard/locales/`` (one TOML file per area of
the product, each key with an ``en`` and a ``de`` text); :class:`Translator` looks them up and
formats numbers, percentages and dates in the language's own way (Babel's CLDR data), so a
German page says "1.234,5" and "22. November 2026". No Streamlit here: the CLI's report uses it too.

One date format per language, everywhere (pages, tables, charts, the report): CLDR's long date
("2 December 2026", "2. Dezember 2026"). Counts that change the noun ("1 person", "2 people") are
two keys, ``<key>.one`` and ``<key>.other``, chosen by :meth:`Translator.count`.

A key missing from the catalogue raises :class:`MissingText` rather than showing the key: an
untranslated label is a bug that the tests must catch, not something a council should read.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
# CLDR locales behind each language: British English writes dates day-month-year like the rest of
# the dashboard's readers; German is Germany's.
LOCALES = {"en": "en_GB", "de": "de_DE"}
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
DATE_STYLE = "long"

CATALOGUE_DIR = Path(__file__).resolve().parent / "locales"


class MissingText(KeyError):
    """A key that the catalogue does not have (or not in the language asked for)."""


class CatalogueError(ValueError):
    """A catalogue file that is malformed: named with the file and key."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@lru_cache(maxsize=1)
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """All messages: key -> {language: text}, merged from every file in ``locales/``."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{path.name}: {exc}") from None
        for key, texts in _flatten(raw):
            if key in merged:
                raise CatalogueError(f"{path.name}: key {key!r} is already defined in {origin[key]}")
            missing = [lang for lang in LANGUAGES if not isinstance(texts.get(lang), str) or not texts[lang]]
            if missing:
                raise CatalogueError(f"{path.name}: key {key!r} has no text for {', '.join(missing)}")
            if len({frozenset(_placeholders(texts[lang])) for lang in LANGUAGES}) != 1:
                raise CatalogueError(f"{path.name}: key {key!r} has different placeholders per language")
            merged[key] = {lang: texts[lang] for lang in LANGUAGES}
            origin[key] = path.name
    return merged


def _flatten(raw: Mapping[str, Any], prefix: str = ""):
    """Tables whose values are all strings are messages; other tables are namespaces."""
    for name, value in raw.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise CatalogueError(f"key {key!r} must be a table with 'en' and 'de'")
        if value and all(isinstance(v, str) for v in value.values()):
            yield key, value
        else:
            yield from _flatten(value, f"{key}.")


def language(value: object) -> str:
    """``value`` if it names a supported language, else the default (a URL may say anything)."""
    text = str(value or "").strip().lower()
    return text if text in LANGUAGES else DEFAULT_LANGUAGE


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


@dataclass(frozen=True)
class Translator:
    """Text and formats of one language: ``t = Translator("de"); t("nav.overview")``."""

    lang: str = DEFAULT_LANGUAGE

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"unsupported language {self.lang!r}; choose one of {', '.join(LANGUAGES)}")

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    def __call__(self, key: str, **values: Any) -> str:
        try:
            text = catalogue()[key][self.lang]
        except KeyError:
            raise MissingText(key) from None
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in catalogue()

    def label(self, namespace: str, value: object) -> str:
        """The translated name of a code (``stage``, ``status``...), or the code itself if unknown.

        Codes come from the warehouse; a code the catalogue does not know yet (a new lifecycle
        stage, say) is shown as it is rather than breaking the page.
        """
        key = f"{namespace}.{str(value).replace(' ', '_')}"
        return self(key) if key in catalogue() else str(value)

    # ------------------------------------------------------------------ numbers and dates

    def none(self) -> str:
        return self("common.no_value")

    def number(self, value: Any, decimals: int = 0) -> str:
        if _missing(value):
            return self.none()
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, share: Any, decimals: int = 0) -> str:
        """``share`` (0..1) as a percentage."""
        if _missing(share):
            return self.none()
        # German sets the sign apart by a no-break space, English not at all.
        sign = "%" if self.lang == "en" else "\u00a0%"
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + sign
        return babel_numbers.format_percent(share, format=pattern, locale=self.locale)

    def count(self, key: str, n: Any, **values: Any) -> str:
        """``key.one`` for exactly one, else ``key.other``, with ``{n}`` filled in as a number:
        "1 person", "2 people" (English and German both make the difference at one)."""
        form = "one" if not _missing(n) and float(n) == 1 else "other"
        return self(f"{key}.{form}", n=self.number(n), **values)

    def date(self, value: date | datetime | None, style: str = DATE_STYLE) -> str:
        """A day in the language's one date format (``style`` is CLDR's name of a format)."""
        if value is None or _missing(value) or str(value) == "NaT":
            return self.none()
        day = value.date() if isinstance(value, datetime) else value
        return babel_dates.format_date(day, format=style, locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        """A moment as its day (the one date format) and its time of day, hours and minutes."""
        if value is None or _missing(value) or str(value) == "NaT":
            return self.none()
        clock = babel_dates.format_time(value, format="HH:mm", locale=self.locale, tzinfo=value.tzinfo)
        return self("common.date_time", date=self.date(value), time=clock)

    def month(self, value: date | datetime) -> str:
        return babel_dates.format_date(value, format="MMM yyyy", locale=self.locale)

    def month_names(self) -> list[str]:
        """The twelve months' abbreviated names as :meth:`month` writes them (for chart axes)."""
        names = babel_dates.get_month_names("abbreviated", locale=self.locale)
        return [names[i] for i in range(1, 13)]
