"""Names in publiccode.yml matched to the registry's entities: normalisation, cores, :func:`match_entity`."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Fuzzy name matching: a candidate must reach this difflib ratio ...
NAME_THRESHOLD = 0.85
# ... and beat every other entity by at least this much, else the name is ambiguous.
NAME_MARGIN = 0.05
# Fuzzy matching needs names (normalised) of at least this many characters: short names are too
# close to each other by ratio ("Rom" and "Roma" already reach 0.86).
NAME_MIN_FUZZY = 6

# Words for the kind of body that precede or follow a place name; removed to get a name's core.
# Longest first, so "freie und hansestadt" goes before "hansestadt". Only words for a
# municipality's own administration are removed: "Landkreis X" and "Stadt X" are different bodies
# and keep telling apart by their full names.
_PREFIXES = tuple(
    sorted(
        (
            "landeshauptstadt", "freie und hansestadt", "freie hansestadt", "hansestadt",
            "universitaetsstadt", "kreisfreie stadt", "stadtverwaltung", "stadt", "gemeinde",
            "comune di", "citta di", "citta metropolitana di", "municipio di", "gemeente",
            "city of", "town of", "municipality of", "ville de", "commune de", "mairie de",
            "ayuntamiento de", "ajuntament de", "concello de", "municipio de", "camara municipal de",
            "kommune", "the",
        ),
        key=len,
        reverse=True,
    )
)
_SUFFIXES = tuple(
    sorted(
        ("kommune", "kommun", "kunta", "stad", "gemeente", "city council", "council", "municipality", "city"),
        key=len,
        reverse=True,
    )
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

def normalise_name(text: str) -> str:
    """Lower case, German umlauts spelled out (ü -> ue), other accents dropped, punctuation to spaces."""
    text = (text or "").casefold().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text).strip()


def core_name(text: str) -> str:
    """A normalised name without administrative prefixes and suffixes ("Stadt", "Comune di", ...).

    Falls back to the normalised name when nothing would be left.
    """
    name = normalise_name(text)
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if name.startswith(prefix + " "):
                name = name[len(prefix) + 1:]
                changed = True
                break
        for suffix in _SUFFIXES:
            if name.endswith(" " + suffix):
                name = name[: -len(suffix) - 1]
                changed = True
                break
    return name or normalise_name(text)


@dataclass(frozen=True, slots=True)
class NameMatch:
    entity_id: str
    score: float  # 1.0 for exact matches of a normalised form
    method: str   # exact | core | fuzzy


@dataclass(frozen=True, slots=True)
class _Forms:
    full: dict[str, frozenset[str]]   # normalised name and id -> entities
    core: dict[str, frozenset[str]]   # cores -> entities
    fuzzy: tuple[tuple[str, str, difflib.SequenceMatcher], ...]  # (entity, form, matcher on form)


@lru_cache(maxsize=16)
def _forms(entities: tuple[tuple[str, str], ...]) -> _Forms:
    full: dict[str, set[str]] = {}
    core: dict[str, set[str]] = {}
    fuzzy = []
    for entity_id, name in entities:
        forms = {normalise_name(name), normalise_name(entity_id.replace("-", " ").replace("_", " "))}
        forms.discard("")
        cores = {core_name(f) for f in forms}
        for f in forms:
            full.setdefault(f, set()).add(entity_id)
        for c in cores:
            core.setdefault(c, set()).add(entity_id)
        for f in sorted(forms | cores):
            if len(f) >= NAME_MIN_FUZZY:
                matcher = difflib.SequenceMatcher(None, autojunk=False)
                matcher.set_seq2(f)  # the entity side is indexed once, texts are compared to it
                fuzzy.append((entity_id, f, matcher))
    return _Forms(
        {k: frozenset(v) for k, v in full.items()},
        {k: frozenset(v) for k, v in core.items()},
        tuple(fuzzy),
    )


@lru_cache(maxsize=65536)
def _match_cached(text: str, entities: tuple[tuple[str, str], ...]) -> NameMatch | None:
    norm = normalise_name(text)
    if not norm:
        return None
    core = core_name(text)
    forms = _forms(entities)
    exact = forms.full.get(norm, frozenset())
    if len(exact) == 1:
        return NameMatch(next(iter(exact)), 1.0, "exact")
    if len(exact) > 1:
        return None
    by_core = forms.core.get(core, frozenset())
    if len(by_core) == 1:
        return NameMatch(next(iter(by_core)), 1.0, "core")
    if len(by_core) > 1:
        return None
    if len(core) < NAME_MIN_FUZZY:
        return None
    best: dict[str, float] = {}
    floor = NAME_THRESHOLD - NAME_MARGIN  # below this a score matters neither as winner nor as runner-up
    for entity_id, _, matcher in forms.fuzzy:
        for candidate in {norm, core}:
            if len(candidate) < NAME_MIN_FUZZY:
                continue
            matcher.set_seq1(candidate)
            have = max(best.get(entity_id, 0.0), floor)
            if matcher.real_quick_ratio() < have or matcher.quick_ratio() < have:
                continue
            ratio = matcher.ratio()
            if ratio >= have:
                best[entity_id] = ratio
    scored = sorted(((v, e) for e, v in best.items()), key=lambda s: (-s[0], s[1]))
    if not scored or scored[0][0] < NAME_THRESHOLD:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < NAME_MARGIN:
        return None
    return NameMatch(scored[0][1], round(scored[0][0], 3), "fuzzy")


def match_entity(text: str, entities: Iterable[tuple[str, str]]) -> NameMatch | None:
    """The entity that ``text`` names, from ``(entity_id, name)`` pairs, or None.

    1. exact: the normalised text equals an entity's normalised name or id (unique);
    2. core: the text's core equals an entity's core (unique; two entities -> ambiguous, None);
    3. fuzzy: the best ``difflib`` ratio between (normalised text, normalised forms) and
       (core, cores), over strings of at least NAME_MIN_FUZZY characters, is at least
       NAME_THRESHOLD and beats the runner-up by NAME_MARGIN.
    """
    return _match_cached(text or "", tuple(sorted((str(e), str(n)) for e, n in entities)))
