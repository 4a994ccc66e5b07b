"""Column formats shared by the dashboard's tables. Labels come in translated (``t("...")``), so
these helpers only fix how a kind of value is shown, in the page's language.

Numbers: Streamlit formats a cell with sprintf in the browser, which knows one decimal point and
no locale; ``%,d`` groups thousands with a comma, ``%'.,d`` with a dot (German). Values with
decimals are therefore shown as text made by the Translator (German needs a decimal comma).
Dates: text in the language's one date format (``Translator.date``), as everywhere else; the
CSV downloads keep the real dates, under headers in the page's language (:func:`csv_bytes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import export
from dashboard.i18n import Translator

# The width, in pixels, that a table's columns may take at 1440 px beside the sidebar (the row
# selection box included) before the last ones are cut off; tables are laid out to fit it.
PAGE_WIDTH = 895

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


def sized(config: dict[str, Any], order: list[str], widths: dict[str, int], flexible: str) -> dict[str, Any]:
    """``config`` (a table's column_config) with the ``widths`` of the columns in ``order`` set,
    the ``flexible`` one taking what is left of :data:`PAGE_WIDTH`, and the first column pinned."""
    shown = {name: widths[name] for name in order if name in widths and name != flexible}
    for name, width in shown.items():
        config[name] = {**config[name], "width": width}
    config[flexible] = {**config[flexible], "width": rest(*shown.values())}
    config[order[0]] = {**config[order[0]], "pinned": True}
    return config


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
