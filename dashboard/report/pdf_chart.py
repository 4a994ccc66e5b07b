"""A chart (:class:`dashboard.report.charts.Chart`) drawn on a PDF page, with its legend."""

from __future__ import annotations

from fpdf import FPDF

from dashboard.i18n import Translator
from dashboard.report.charts import Chart
from dashboard.report.model import Goal
from dashboard.report.pdf_canvas import _RGB


def _pdf_chart(pdf: FPDF, c: Chart, goal: Goal, t: Translator, width: float, height: float) -> None:
    x0, y0 = pdf.l_margin, pdf.get_y()
    ml, mr, mt, mb = 16.0, 4.0, 7.0, 11.0
    pw, ph = width - ml - mr, height - mt - mb

    def X(x: float) -> float:
        return x0 + ml + x * pw

    def Y(y: float) -> float:
        return y0 + mt + (1 - y) * ph

    pdf.set_font("helvetica", size=7)
    pdf.set_text_color(*_RGB["muted"])
    pdf.set_line_width(0.2)
    for y, label in c.y_ticks:
        pdf.set_draw_color(*_RGB["grid"])
        pdf.line(X(0), Y(y), X(1), Y(y))
        w = pdf.get_string_width(label)
        pdf.text(X(0) - 1.5 - w, Y(y) + 1.2, label)
    pdf.set_draw_color(*_RGB["axis"])
    for x, label in c.x_ticks:
        pdf.line(X(x), Y(0), X(x), Y(0) + 1.2)
        w = pdf.get_string_width(label)
        pdf.text(X(x) - w / 2, Y(0) + 4.5, label)
    pdf.line(X(0), Y(0), X(1), Y(0))
    pdf.line(X(0), Y(0), X(0), Y(1))
    pdf.set_text_color(*_RGB["ink"])
    pdf.text(x0, y0 + 3.5, c.y_title)
    w = pdf.get_string_width(c.x_title)
    pdf.text(X(0.5) - w / 2, y0 + height - 1.5, c.x_title)
    if c.deadline_x is not None:
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(X(c.deadline_x), Y(0), X(c.deadline_x), Y(1))
        w = pdf.get_string_width(c.deadline_label)
        dx = X(c.deadline_x) - w - 1 if c.deadline_x > 0.5 else X(c.deadline_x) + 1
        pdf.text(dx, Y(1) + 3, c.deadline_label)
    if c.target_y is not None:
        pdf.set_draw_color(*_RGB["target"])
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=2.2, gap=1.2)
        pdf.line(X(0), Y(c.target_y), X(1), Y(c.target_y))
        pdf.set_text_color(*_RGB["target"])
        ty = Y(c.target_y) - 1.2 if c.target_y < 0.9 else Y(c.target_y) + 3.2
        pdf.text(X(0) + 2, ty, c.target_label)
        pdf.set_dash_pattern()
    pdf.set_draw_color(*_RGB["history"])
    pdf.set_fill_color(*_RGB["history"])
    pdf.set_line_width(0.5)
    if len(c.points) > 1:
        pdf.polyline([(X(p.x), Y(p.y)) for p in c.points])
    if c.projection is not None:
        (px0, py0), (px1, py1) = c.projection
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=0.6, gap=1.0)
        pdf.line(X(px0), Y(py0), X(px1), Y(py1))
        pdf.set_dash_pattern()
        pdf.set_fill_color(255, 255, 255)
        pdf.ellipse(X(px1) - 1.2, Y(py1) - 1.2, 2.4, 2.4, style="DF")
    pdf.set_line_width(0.3)
    r = 0.9 if len(c.points) <= 40 else 0.6
    for p in c.points:
        rr = r * 1.5 if p.source == "now" else r
        if p.source == "reconstructed":
            pdf.set_fill_color(255, 255, 255)
        else:
            pdf.set_fill_color(*_RGB["history"])
        pdf.ellipse(X(p.x) - rr, Y(p.y) - rr, 2 * rr, 2 * rr, style="DF")
    # legend
    items = [("history", t("report.legend_history"))]
    if c.target_y is not None:
        items.append(("target", t("report.legend_target")))
    if c.projection is not None:
        items.append(("projection", t("report.legend_projection")))
    if any(p.source == "reconstructed" for p in goal.history):
        items.append(("reconstructed", t("report.legend_reconstructed")))
    lx, ly = x0, y0 + height + 3
    pdf.set_text_color(*_RGB["muted"])
    pdf.set_font("helvetica", size=7.5)
    for kind, label in items:
        pdf.set_line_width(0.45)
        if kind == "reconstructed":
            pdf.set_draw_color(*_RGB["history"])
            pdf.set_fill_color(255, 255, 255)
            pdf.ellipse(lx + 2, ly - 1.9, 2, 2, style="DF")
        else:
            pdf.set_draw_color(*_RGB["target" if kind == "target" else "history"])
            if kind == "target":
                pdf.set_dash_pattern(dash=2.2, gap=1.2)
            elif kind == "projection":
                pdf.set_dash_pattern(dash=0.6, gap=1.0)
            pdf.line(lx, ly - 0.9, lx + 6, ly - 0.9)
            pdf.set_dash_pattern()
        pdf.text(lx + 7.5, ly, label)
        lx += 7.5 + pdf.get_string_width(label) + 6
    pdf.set_draw_color(*_RGB["ink"])
    pdf.set_text_color(*_RGB["ink"])
    pdf.set_line_width(0.2)
    pdf.set_y(ly + 3)
