"""The council report: each goal of one entity, in plain words, as a printable HTML page or a PDF.

A council reads it on paper, so it says everything in sentences and in the reader's language
(English or German, through :class:`dashboard.i18n.Translator`): the goal, its target and deadline,
the value now, the trend, the value the trend reaches by the deadline, the status and why, a small
chart of the history with the target line, and where the figures come from.

``html_report`` and ``pdf_report`` take a DuckDB connection or cursor (read-only is enough) and
get their data from the warehouse's query functions only (the list: :mod:`~dashboard.report.model`).

Both formats are built from one :class:`Report` and the same sentences (:func:`goal_texts`), so
they say the same thing. The HTML file is self-contained: inline CSS and an inline SVG chart, no
script, no external resource; every text from the database is escaped. The PDF uses fpdf2's core
fonts (Windows-1252): characters they cannot show are replaced, never an error.

One module per concern, each importing only those above it in this list:

- :mod:`~dashboard.report.model`: the report's data (:class:`Report`, :class:`Goal`, ...) and how
  :func:`build_report` reads it from the warehouse;
- :mod:`~dashboard.report.text`: the sentences, figures and labels both renderings show;
- :mod:`~dashboard.report.charts`: the charts' geometry and labels;
- :mod:`~dashboard.report.html_page`: the HTML page, its CSS and SVG charts (:func:`render_html`,
  :func:`html_report`);
- :mod:`~dashboard.report.pdf_canvas`: the PDF's fonts and characters (:func:`pdf_safe`), colours,
  page footer and line wrapping;
- :mod:`~dashboard.report.pdf_chart`: a chart drawn in the PDF;
- :mod:`~dashboard.report.pdf_document`: the PDF (:func:`render_pdf`, :func:`pdf_report`).

No Streamlit here: the dashboard's goals page and ``ossdash report`` both call this package.
"""

from dashboard.report.charts import MAX_CHART_POINTS, chart
from dashboard.report.html_page import _e as _e
from dashboard.report.html_page import html_report, render_html, svg_chart
from dashboard.report.model import (
    Goal,
    Headline,
    Point,
    Report,
    ReportError,
    build_report,
    goal_from_progress,
)
from dashboard.report.pdf_canvas import pdf_safe
from dashboard.report.pdf_document import pdf_report, render_pdf
from dashboard.report.text import _capital as _capital
from dashboard.report.text import change_text, goal_texts, rules_texts, value_text

# _e and _capital stay out of __all__: only the tests read them (report._e, report._capital), to
# escape and capitalise as the report does.
__all__ = [
    "MAX_CHART_POINTS",
    "Goal",
    "Headline",
    "Point",
    "Report",
    "ReportError",
    "build_report",
    "change_text",
    "chart",
    "goal_from_progress",
    "goal_texts",
    "html_report",
    "pdf_report",
    "pdf_safe",
    "render_html",
    "render_pdf",
    "rules_texts",
    "svg_chart",
    "value_text",
]
