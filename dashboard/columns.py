"""Column formats shared by the dashboard's tables. Labels come in translated (``t("...")``), so
these helpers only fix how a kind of value is shown."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import Translator


def score(label: str, help: str | None = None):
    """A health score (0-100) as a bar with its number."""
    return st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f", help=help)


def count(label: str, help: str | None = None):
    return st.column_config.NumberColumn(label, format="%d", help=help)


def number(label: str, decimals: int = 1, help: str | None = None):
    return st.column_config.NumberColumn(label, format=f"%.{decimals}f", help=help)


def text(label: str, help: str | None = None, width: str | None = None):
    return st.column_config.TextColumn(label, help=help, width=width)


def link(label: str, t: Translator):
    """A web address shown as the word "open"; pass addresses through ``text.web_url`` first."""
    return st.column_config.LinkColumn(label, display_text=t("common.open_link"))


def day(label: str, help: str | None = None):
    return st.column_config.DateColumn(label, format="YYYY-MM-DD", help=help)


def moment(label: str, help: str | None = None):
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD", help=help)


def flag(label: str, help: str | None = None):
    return st.column_config.CheckboxColumn(label, help=help)


def months_of(days: int) -> int:
    """The calendar months that cover a period of ``days`` (90 -> 3, 365 -> 12, 730 -> 24)."""
    return max(1, round(days / 30.44))
