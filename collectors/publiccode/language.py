"""Language tags and lengths, judged as the reference parser judges them.

A language tag (a ``description`` key, an ``availableLanguages`` entry) must be
strict BCP 47 with every subtag in the IANA registry, as go-playground/validator's
``bcp47_strict_language_tag`` requires; a length counts user-perceived
characters (grapheme clusters), as the reference's ``umin``/``umax`` do with uniseg.
"""

from __future__ import annotations

import re
import unicodedata

from . import vocabulary

# --------------------------------------------------------------------------- BCP 47

_IRREGULAR_TAGS = (
    "en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao "
    "i-tay i-tsu sgn-be-fr sgn-be-nl sgn-ch-de art-lojban cel-gaulish no-bok no-nyn zh-guoyu "
    "zh-hakka zh-min zh-min-nan zh-xiang"
)
_IRREGULAR = frozenset(_IRREGULAR_TAGS.split())
_LANGTAG_RE = re.compile(
    r"((?:[a-z]{2,3}(?:-[a-z]{3}){0,3})|[a-z]{4}|[a-z]{5,8})"
    r"(?:-([a-z]{4}))?"
    r"(?:-([a-z]{2}|[0-9]{3}))?"
    r"(?:-((?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3})(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*))?"
    r"(?:-((?:[a-wyz0-9](?:-[a-z0-9]{2,8})+)(?:-(?:[a-wyz0-9](?:-[a-z0-9]{2,8})+))*))?"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"
)


def is_bcp47(tag: str) -> bool:
    """Strict BCP 47 (go-playground's ``bcp47_strict_language_tag``), case-insensitive.

    The language must be its shortest registered form ("it", not "ita"), and the
    script, region and variants must be registered subtags.
    """
    lower = tag.lower()
    if lower in _IRREGULAR or re.fullmatch(r"x-[a-z0-9]{1,8}", lower):
        return True
    m = _LANGTAG_RE.fullmatch(lower)
    if m is None:
        return False
    lang, script, region, variant = m.group(1), m.group(2), m.group(3), m.group(4)
    reg = vocabulary.subtags()
    parts = lang.split("-")
    if len(parts[0]) > 3 or parts[0] not in reg.languages:
        return False  # 4 to 8 letters: reserved or unregistered
    for extlang in parts[1:]:
        prefixes = reg.extlangs.get(extlang)
        if prefixes is None:
            return False
        if prefixes and not any((lower + "-").startswith(p + "-") for p in prefixes):
            return False
    if script and script not in reg.scripts:
        return False
    if region and region not in reg.regions:
        return False
    return not variant or all(v in reg.variants for v in variant.split("-"))


# --------------------------------------------------------------------------- length in characters

_EXTEND_CATEGORIES = frozenset(("Mn", "Me", "Mc"))


def _extends(c: str) -> bool:
    cp = ord(c)
    return (
        unicodedata.category(c) in _EXTEND_CATEGORIES
        or cp == 0x200D  # zero-width joiner
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= cp <= 0xE007F  # emoji tag characters
        or 0xE0100 <= cp <= 0xE01EF
    )


def _hangul(c: str) -> str:
    cp = ord(c)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


_HANGUL_JOINS = {("L", "L"), ("L", "V"), ("L", "LV"), ("L", "LVT"), ("LV", "V"), ("LV", "T"),
                 ("V", "V"), ("V", "T"), ("LVT", "T"), ("T", "T")}


def char_count(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, as Go's uniseg counts them).

    Covers what publiccode.yml text holds: combining marks, CR LF, Hangul jamo,
    emoji joined by ZWJ, skin tones, variation selectors and flag pairs.
    """
    count = 0
    prev = ""
    prev_hangul = ""
    after_zwj = False
    regional_run = 0
    for c in text:
        cp = ord(c)
        hangul = _hangul(c)
        regional = 0x1F1E6 <= cp <= 0x1F1FF
        joins = (
            count > 0
            and (
                (prev == "\r" and c == "\n")
                or _extends(c)
                or (after_zwj and unicodedata.category(c) == "So")
                or (prev_hangul, hangul) in _HANGUL_JOINS
                or (regional and regional_run % 2 == 1)
            )
        )
        if not joins:
            count += 1
        regional_run = regional_run + 1 if regional else 0
        after_zwj = cp == 0x200D
        prev_hangul = hangul
        prev = c
    return count
