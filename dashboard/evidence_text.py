"""The evidence of reuse and collaboration links in the reader's language: one sentence per piece of
evidence (``warehouse.link_evidence`` rows) and a short summary per link, naming repositories by their
path (and forge, where a mirror makes the path ambiguous) instead of internal keys.

No Streamlit and no SQL here. Forge text (names, paths, publiccode.yml entries) goes into table
cells, which Streamlit shows as text.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard.i18n import Translator

SHOWN_PER_LINK = 3  # sentences of a link's summary; the rest are counted


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _repo(t: Translator, forge: Any, path: Any, with_forge: bool = False) -> str:
    if _missing(path):
        return t("reuse.evidence.unknown_project")
    return f"{path} ({t.label('forge', forge)})" if with_forge and not _missing(forge) else str(path)


def sentence(t: Translator, row: Any, names: dict[str, str], count: Callable[[str, Any], str] | None = None) -> str:
    """One piece of evidence (a ``link_evidence`` row) as a sentence. ``count``: ``t.count``, or a
    remembering stand-in for it when many rows are said at once (formatting a number is the
    slowest part of a sentence)."""
    count = count or t.count
    kind = row.kind
    project = _repo(t, row.project_forge, row.project_path, with_forge=kind == "mirror")
    if kind == "fork":
        return t("reuse.evidence.fork", fork=_repo(t, row.forge, row.path), project=project)
    if kind == "mirror":
        return t("reuse.evidence.mirror", mirror=_repo(t, row.forge, row.path, with_forge=True), project=project)
    if kind == "used_by":
        return t("reuse.evidence.used_by", project=project, text=str(row.text))
    if kind == "is_based_on":
        other = _repo(t, row.forge, row.path)
        if _missing(row.project_path):
            return t("reuse.evidence.is_based_on_name", other=other, text=str(row.text))
        return t("reuse.evidence.is_based_on", other=other, project=project, text=str(row.text))
    if kind == "contribution":
        return t("reuse.evidence.contribution", person=str(row.person),
                 commits=count("common.commits", row.commits), project=project)
    if kind == "shared_contributor":
        return t("reuse.evidence.shared", person=str(row.person),
                 source_commits=count("common.commits", row.commits),
                 target_commits=count("common.commits", row.other_commits),
                 source=names.get(row.source, row.source), target=names.get(row.target, row.target))
    return t("reuse.evidence.other", kind=str(kind))


def _remembered_count(t: Translator) -> Callable[[str, Any], str]:
    said: dict[tuple[str, Any], str] = {}

    def count(key: str, n: Any) -> str:
        if (key, n) not in said:
            said[(key, n)] = t.count(key, n)
        return said[(key, n)]
    return count


def sentences(t: Translator, evidence: pd.DataFrame, names: dict[str, str],
              count: Callable[[str, Any], str] | None = None) -> list[str]:
    count = count or _remembered_count(t)
    # Plain Python values: iterating Arrow-backed columns row by row is slow.
    return [sentence(t, row, names, count) for row in evidence.astype(object).itertuples()]


_LINK = ["source", "target", "kind"]


def link_summaries(t: Translator, evidence: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Per link (source, target, kind): its first sentences (people by commits, most first) and how
    many more there are. ``evidence``: every row of each link, or its first ones with the column
    ``pieces`` (``link_evidence(..., per_link=SHOWN_PER_LINK)``). Columns: source, target, kind,
    evidence_text; sorted by source, target, kind.

    Only the rows shown are said, all at once, and joined per link (a large ecosystem has tens of
    thousands of links: one small frame per link would take seconds)."""
    if evidence.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*_LINK, "evidence_text")})
    ranked = evidence.assign(_weight=pd.to_numeric(evidence["commits"], errors="coerce").fillna(0)).sort_values(
        ["source", "target", "kind", "_weight"], ascending=[True, True, True, False], kind="stable")
    groups = ranked.groupby(_LINK, sort=False)
    counted = groups["pieces"].first() if "pieces" in ranked else groups.size()
    pieces = dict(zip(counted.index, counted.tolist()))
    shown = ranked[groups.cumcount() < SHOWN_PER_LINK]
    links = list(zip(*(shown[c].tolist() for c in _LINK)))
    count = _remembered_count(t)
    rows = []
    for link, said in itertools.groupby(zip(links, sentences(t, shown, names, count)), key=operator.itemgetter(0)):
        said = [text for _, text in said]
        more = int(pieces[link]) - len(said)
        rows.append((*link, "; ".join(said) + (count("reuse.evidence.more", more) if more > 0 else "")))
    return pd.DataFrame(rows, columns=[*_LINK, "evidence_text"])
