"""Column formats shared by the dashboard's tables. Labels come in translated (``t("...")``), so
these helpers only fix how a kind of value is shown, in the page's language.

Numbers: Streamlit formats a cell with sprintf in the browser, which knows one decimal point and
no locale; ``%,d`` groups thousands with a comma, ``%'.,d`` with a dot (German). Values with
decimals are therefore shown as text made by the Translator (German needs a decimal comma).
Dates: text in the language's one date format (``Translator.date``), as everywhere else; the
CSV downloads keep the real dates, under headers in the page's language (:func:`csv_bytes`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import export
from dashboard.i18n import Translator

# The width, in pixels, that a table's columns may take at 1440 px beside the sidebar (the row
# selection box included) before the last ones are cut off; tables are laid out to fit it.
PAGE_WIDTH = 922

# sprintf formats of a whole number with the language's thousands separator.
_WHOLE = {"en": "%,d", "de": "%'.,d"}
_ROUNDED = {"en": "%,.0f", "de": "%'.,.0f"}


def score(label: str, help: str | None = None, width: Any = None):
    """A health score (0-100) as a bar with its number."""
    return st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f", help=help, width=width)


def count(t: Translator, label: str, help: str | None = None, width: Any = None):
    """A whole number with the language's thousands separator ("1,750", "1.750")."""
    return st.column_config.NumberColumn(label, format=_WHOLE.get(t.lang, _WHOLE["en"]), help=help, width=width)


def rounded(t: Translator, label: str, help: str | None = None, width: Any = None):
    """A number shown rounded to a whole one (a median, say), grouped like :func:`count`."""
    return st.column_config.NumberColumn(label, format=_ROUNDED.get(t.lang, _ROUNDED["en"]), help=help, width=width)


def text(label: str, help: str | None = None, width: Any = None, pinned: bool | None = None):
    return st.column_config.TextColumn(label, help=help, width=width, pinned=pinned)


def link(label: str, t: Translator, width: Any = None):
    """A web address shown as the word "open"; pass addresses through ``text.web_url`` first."""
    return st.column_config.LinkColumn(label, display_text=t("common.open_link"), width=width)


# sprintf formats of a share in percent (the values 0-100), as the language writes it ("6%", "6 %").
_PERCENT = {"en": "%.0f%%", "de": "%.0f %%"}


def share(t: Translator, label: str, help: str | None = None, width: Any = None):
    """A share as a bar with its whole percent; fill the column with :func:`percents`."""
    return st.column_config.ProgressColumn(label, min_value=0, max_value=100, help=help, width=width,
                                           format=_PERCENT.get(t.lang, _PERCENT["en"]))


def percents(values: pd.Series) -> pd.Series:
    """Shares (0-1) as the percents a :func:`share` column shows."""
    return values.astype("float64") * 100


def day(label: str, help: str | None = None, width: Any = None):
    """A date shown as text (fill the column with :func:`days`)."""
    return st.column_config.TextColumn(label, help=help, width=width)


def days(t: Translator, values: Iterable[Any]) -> list[str]:
    """Dates or moments in the language's one date format ("–" where there is none)."""
    return [t.date(v) for v in values]


def moments(t: Translator, values: Iterable[Any]) -> list[str]:
    """Moments as their day and time of day (UTC, as stored)."""
    return [t.datetime(v.to_pydatetime() if hasattr(v, "to_pydatetime") else v) for v in values]


def flag(label: str, help: str | None = None, width: Any = None):
    return st.column_config.CheckboxColumn(label, help=help, width=width)


# Source Sans at 14 px, the tables' font, in pixels per character (measured on the screenshots):
# a column is made as wide as its header and its longest value need, so that neither is cut.
_NARROW, _WIDE = set("iljtfrI.,;:'!|()[] "), set("mwMW@")
_PAD = 20  # a cell's padding; a header shows its help on hover, with no icon to make room for
# Columns whose cells are drawn, not written: their width does not follow their values.
_DRAWN = {"progress": 110, "area_chart": 105, "line_chart": 105, "bar_chart": 105, "checkbox": 0, "link": 62}


def text_width(text: str) -> float:
    """About how many pixels ``text`` takes in a table cell or header (without padding)."""
    return sum(3.8 if c in _NARROW else 11.0 if c in _WIDE else 8.6 if c.isupper() else 6.9 for c in text)


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)


def fitted(df: pd.DataFrame, config: dict[str, Any], order: list[str], flexible: str | None = None,
           most: int = 300, least: int = 240) -> dict[str, Any]:
    """``config`` with every column in ``order`` as wide as its header and its longest value need
    (up to ``most`` pixels), within :data:`PAGE_WIDTH`: when they do not all fit, the values give
    way before the headers do. ``flexible`` (the last column by default) takes what is left, at
    least ``least`` pixels where its values need them (it is the one with the most to say); the
    first column is pinned, so that it stays in view on a phone while the rest scrolls."""
    flexible = flexible or order[-1]
    header: dict[str, float] = {}
    wanted: dict[str, float] = {}
    for name in order:
        column = config[name]
        header[name] = text_width(str(column.get("label") or "")) + _PAD
        kind = (column.get("type_config") or {}).get("type")
        if kind in _DRAWN:
            content = _DRAWN[kind]
        else:
            values = df[name].head(500) if name in df.columns else []
            content = max((text_width(_shown(v)) for v in values), default=0) + _PAD
        wanted[name] = max(header[name], min(float(most), content))
    fixed = [n for n in order if n != flexible]
    room = PAGE_WIDTH - min(wanted[flexible], max(header[flexible], float(least)))
    total = sum(wanted[n] for n in fixed)
    if total > room:
        if sum(header[n] for n in fixed) >= room:  # even the headers do not fit: all give way alike
            scale = room / sum(header[n] for n in fixed)
            wanted.update({n: header[n] * scale for n in fixed})
        else:
            # The first column names the row: the others give way before it does.
            first = order[0] if order[0] != flexible else None
            others = [n for n in fixed if n != first]
            keep = wanted[first] if first else 0.0
            if first and keep + sum(header[n] for n in others) > room:
                others, keep = fixed, 0.0
            _cut_to_fit(wanted, header, others, room - keep)
    widths = {n: int(wanted[n]) for n in fixed}
    for name, width in widths.items():
        config[name] = {**config[name], "width": width}
    config[flexible] = {**config[flexible], "width": rest(*widths.values())}
    config[order[0]] = {**config[order[0]], "pinned": True}
    return config


def _cut_to_fit(wanted: dict[str, float], header: dict[str, float], names: list[str], room: float) -> None:
    """Cut the widest of ``names`` first, to one common width never below a header's, the widest
    such width with which they fit in ``room``."""
    low, high = 0.0, max(wanted[n] for n in names)
    for _ in range(30):
        ceiling = (low + high) / 2
        if sum(max(header[n], min(wanted[n], ceiling)) for n in names) > room:
            high = ceiling
        else:
            low = ceiling
    wanted.update({n: max(header[n], min(wanted[n], low)) for n in names})


def rest(*widths: int, least: int = 80) -> int:
    """The width left for a table's one flexible column once the others have ``widths``."""
    return max(least, PAGE_WIDTH - sum(widths))


def months_of(days: int) -> int:
    """The calendar months that cover a period of ``days`` (90 -> 3, 365 -> 12, 730 -> 24)."""
    return max(1, round(days / 30.44))


def csv_bytes(t: Translator, df: pd.DataFrame) -> bytes:
    """``df`` as CSV with its headers in the page's language (``csv.<column>`` in the catalogue; a
    column without one raises ``MissingText``, so no download keeps an internal name)."""
    headers = [t(f"csv.{column}") for column in df.columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"two columns of one download would share a header: {list(df.columns)}")
    return export.csv_bytes(df.set_axis(headers, axis=1))
