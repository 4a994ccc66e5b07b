"""What every chart of the dashboard shares: the language's number and date formats, the message
shown in place of a chart with nothing to draw, legends that fit a phone's width, bars labelled
above rather than beside (long names stay readable on any screen), and the month in progress.

No Streamlit and no SQL here. The chart modules (``charts``, ``page_charts``, ``network_charts``,
``goal_charts``) build on it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd

from dashboard.i18n import Translator

# d3's own locale definitions (number and time formats) for the dashboard's languages: axis labels
# and tooltips then read "1.234,5" and "März 2026" on a German page. Month names come from the
# same CLDR data as the Translator's, so an axis and a table never spell a month two ways.
_NUMBERS: dict[str, dict[str, Any]] = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
    "de": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u202f%"},
}
_TIMES: dict[str, dict[str, Any]] = {
    "en": {"dateTime": "%a %e %b %X %Y", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
           "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
           "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
           "months": ["January", "February", "March", "April", "May", "June", "July", "August",
                      "September", "October", "November", "December"]},
    "de": {"dateTime": "%A, der %e. %B %Y, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
           "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
           "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
           "months": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                      "September", "Oktober", "November", "Dezember"]},
}
# The Translator's long date ("2 December 2026", "2. Dezember 2026") as a d3 time format.
DATE_FORMATS = {"en": "%-d %B %Y", "de": "%-d. %B %Y"}

# A phone's chart is about this wide (390 px screen, page margins); legends are laid out to fit it.
NARROW_WIDTH = 330
_CHAR_PX = 6.6            # average width of a legend character at 11 px
_SYMBOL_PX = 28           # a legend entry's symbol and gaps
ROW_STEP = 42             # height of one labelled bar: its label above, the bar, a gap
BAR_SIZE = 16

PARTIAL_COLOUR = "#A8C6E0"  # the month in progress: the colour of the others, paler

# Altair's theme is global to the process; sessions draw charts from several threads.
_THEME_LOCK = threading.Lock()


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite specification, without validating it against the schema again and
    without Altair's default theme (sizes come from the page). The builders are tested to make
    valid specifications (tests/test_dashboard_charts.py validates them); checking every one on
    every run of a page cost a quarter of the overview's run."""
    with _THEME_LOCK, alt.theme.enable("none"):
        return chart.to_dict(validate=False)


def draw(where: Any, chart: alt.TopLevelMixin) -> None:
    """Show ``chart`` across the width of ``where`` (``st``, a column, a container)."""
    where.vega_lite_chart(spec(chart), width="stretch")


def locale(t: Translator) -> dict[str, Any]:
    """Vega-Lite ``config.locale`` for the Translator's language (English if unknown)."""
    lang = t.lang if t.lang in _NUMBERS else "en"
    return {"number": _NUMBERS[lang], "time": {**_TIMES[lang], "shortMonths": t.month_names()}}


def config(t: Translator, **extra: Any) -> alt.Config:
    """The chart configuration of every dashboard chart: the locale, no frame around the plot.
    Passed to a chart's constructor (``.configure()`` would deep-copy the whole chart again)."""
    return alt.Config(locale=locale(t), view=alt.ViewConfig(strokeWidth=0), **extra)


def date_format(t: Translator) -> str:
    return DATE_FORMATS.get(t.lang, DATE_FORMATS["en"])


def message(t: Translator, title: str, text: str, height: int = 110) -> alt.Chart:
    """A chart with nothing to draw: its title and a sentence saying why, no empty axes (an empty
    quantitative axis reads "0.000000")."""
    return alt.Chart(pd.DataFrame({"text": [text]}), title=title, height=height, config=config(t)).mark_text(
        align="center", baseline="middle", fontSize=13, color="#666666", fontStyle="italic",
    ).encode(text="text:N")


def nothing_to_draw(values: pd.Series | None) -> bool:
    """True when a chart's measure has no value other than none or zero."""
    if values is None or len(values) == 0:
        return True
    present = pd.to_numeric(values, errors="coerce").dropna()
    return present.empty or bool((present == 0).all())


def legend(labels: Sequence[str], title: str | None = None, **kwargs: Any) -> alt.Legend:
    """A legend below the chart whose entries are never cut: one row when they fit a phone's
    width, else two columns, else one entry a line."""
    widths = [len(str(label)) * _CHAR_PX + _SYMBOL_PX for label in labels] or [0]
    if sum(widths) <= NARROW_WIDTH:
        columns = len(widths)
    elif 2 * max(widths) <= NARROW_WIDTH:
        columns = 2
    else:
        columns = 1
    return alt.Legend(orient="bottom", title=title, columns=columns, labelLimit=0, direction="horizontal",
                      **kwargs)


def month_start(moment: datetime | pd.Timestamp | None) -> pd.Timestamp:
    """The first instant of the UTC month of ``moment`` (now when None), without a time zone."""
    stamp = pd.Timestamp(moment if moment is not None else datetime.now(UTC))
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize().replace(day=1)


def partial_months(months: pd.Series, as_of: datetime | pd.Timestamp | None) -> pd.Series:
    """True for the month still in progress at ``as_of`` (the figures' moment): its counts are
    only those of its first days, and drawn like the others it would look like a plunge."""
    start = month_start(as_of)
    stamps = pd.to_datetime(months)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return pd.Series(stamps.dt.normalize().values == start.to_datetime64(), index=months.index)


def complete_months(df: pd.DataFrame, as_of: datetime | pd.Timestamp | None, column: str = "month") -> pd.DataFrame:
    """``df`` without the month in progress (for sparklines, which cannot mark it)."""
    if df.empty:
        return df
    return df[~partial_months(df[column], as_of)]


def labelled_rows(base: alt.Chart, label: str, order: Sequence[str], x: alt.X | alt.XDatum | None = None) -> alt.Chart:
    """The category labels of a horizontal bar chart, written above each bar at its left end
    (``base`` encodes y with :func:`row_axis`)."""
    return base.mark_text(align="left", baseline="bottom", dy=-(BAR_SIZE // 2 + 2), fontSize=12,
                          color="#31333F").encode(
        y=row_axis(label, order), x=x if x is not None else alt.datum(0), text=f"{label}:N")


def row_axis(label: str, order: Sequence[str]) -> alt.Y:
    """The y channel of a chart whose rows are labelled by :func:`labelled_rows` (no axis)."""
    return alt.Y(f"{label}:N", sort=list(order), axis=None, scale=alt.Scale(domain=list(order)), title=None)
