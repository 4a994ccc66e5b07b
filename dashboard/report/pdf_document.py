"""The report as a PDF: A4, the same sections and sentences as the HTML page, a goal kept on one
page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from dashboard.i18n import Translator
from dashboard.report.charts import chart, health_chart, health_goal
from dashboard.report.model import Report, build_report
from dashboard.report.pdf_canvas import _PDF, _RGB, wrap
from dashboard.report.pdf_chart import _pdf_chart
from dashboard.report.text import (
    _capital,
    as_of_text,
    goal_texts,
    headline_facts,
    health_sentence,
    maturity_lines,
    peer_lines,
    public_code_header,
    public_code_rows,
    public_code_texts,
    rules_texts,
    source_text,
    subtitle_text,
    summary_counts,
    summary_rows,
    summary_sentence,
    title_text,
)
from warehouse import goals as goals_mod


def render_pdf(report: Report) -> bytes:
    t = Translator(report.lang)
    title = title_text(t, report)
    pdf = _PDF(format="A4", unit="mm")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"{title} ({t.date(report.as_of, 'long')})")
    pdf.set_subject(t("report.kicker"))
    pdf.set_author("ossdash")
    pdf.set_creator("ossdash")
    pdf.set_lang(report.lang)
    pdf.footer_text = f"{t('report.kicker')} · {report.name} · {t.date(report.as_of, 'long')}"
    pdf.page_text = lambda n: t("report.page", page=n, pages="{nb}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = 10, style: str = "", height: float = 5, color: str = "ink",
             indent: float = 0.0) -> None:
        pdf.set_font("helvetica", style=style, size=size)
        pdf.set_text_color(*_RGB[color])
        for line in wrap(pdf, text, width - indent):
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(width - indent, height, line, new_x="LMARGIN", new_y="NEXT")

    def heading(text: str, size: float = 13) -> None:
        pdf.ln(3)
        para(text, size=size, style="B", height=size * 0.5)
        pdf.set_draw_color(*_RGB["line"])
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + width, pdf.get_y() + 0.5)
        pdf.ln(2)

    def rows(items: Sequence[tuple[str, str]], label_w: float = 52, h: float = 4.8) -> None:
        for k, v in items:
            pdf.set_font("helvetica", style="B", size=9)
            labels = wrap(pdf, k, label_w)
            pdf.set_font("helvetica", size=9.5)
            values = wrap(pdf, v, width - label_w)
            if pdf.will_page_break(h * max(len(labels), len(values))):
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_font("helvetica", style="B", size=9)
            pdf.set_text_color(*_RGB["muted"])
            for i, line in enumerate(labels):
                pdf.set_xy(pdf.l_margin, y + i * h)
                pdf.cell(label_w, h, line)
            pdf.set_font("helvetica", size=9.5)
            pdf.set_text_color(*_RGB["ink"])
            for i, line in enumerate(values):
                pdf.set_xy(pdf.l_margin + label_w, y + i * h)
                pdf.cell(width - label_w, h, line)
            pdf.set_xy(pdf.l_margin, y + h * max(len(labels), len(values)))

    def bullet(text: str, mark: str = "\u2022", size: float = 9, height: float = 4.5, style: str = "",
               color: str = "ink") -> None:
        """One item of a list: its mark, then the text wrapped with a hanging indent."""
        pdf.set_font("helvetica", style=style, size=size)
        pdf.set_text_color(*_RGB[color])
        lines = wrap(pdf, text, width - 7)
        if pdf.will_page_break(height * len(lines)):
            pdf.add_page()
        pdf.set_x(pdf.l_margin + 1)
        pdf.cell(6, height, mark)
        for i, line in enumerate(lines):
            pdf.set_x(pdf.l_margin + 7)
            pdf.cell(width - 7, height, line, new_x="LMARGIN", new_y="NEXT")

    def table(header: Sequence[str], body: Sequence[Sequence[str]], widths: Sequence[float],
              tones: Sequence[str] = (), aligns: Sequence[str] = ()) -> None:
        """A table with a bold header row; cells wrap, a row never splits across pages; ``aligns``:
        a column's alignment (L, R), left when not given."""
        h = 4.4

        def row(cells: Sequence[str], style: str, tone: str | None) -> None:
            pdf.set_font("helvetica", style=style, size=8.8)
            wrapped = [wrap(pdf, c, w) for c, w in zip(cells, widths)]
            height = h * max(len(w) for w in wrapped) + 1.6
            if pdf.will_page_break(height):
                pdf.add_page()
            y = pdf.get_y()
            x = pdf.l_margin
            for k, (lines, w) in enumerate(zip(wrapped, widths)):
                colour = tone if (k == 1 and tone) else ("muted" if style == "B" else "ink")
                pdf.set_text_color(*_RGB[colour])
                pdf.set_font("helvetica", style="B" if (style == "B" or (k == 1 and tone)) else "", size=8.8)
                align = aligns[k] if k < len(aligns) else "L"
                for i, line in enumerate(lines):
                    pdf.set_xy(x, y + 0.8 + i * h)
                    pdf.cell(w - (2 if align == "R" else 0), h, line, align=align)
                x += w
            pdf.set_draw_color(*_RGB["line"])
            pdf.set_line_width(0.2)
            pdf.line(pdf.l_margin, y + height, pdf.l_margin + sum(widths), y + height)
            pdf.set_xy(pdf.l_margin, y + height)

        row(header, "B", None)
        for i, cells in enumerate(body):
            row(cells, "", tones[i] if i < len(tones) else None)
        pdf.set_text_color(*_RGB["ink"])

    para(t("report.kicker"), size=9, color="muted")
    if report.logo:
        try:
            pdf.image(io.BytesIO(report.logo), x=pdf.l_margin, y=pdf.get_y() + 1, h=16)
            pdf.ln(19)
        except (OSError, ValueError):  # an image fpdf2 cannot read is left out; the report is still made
            pdf.ln(1)
    para(title, size=18, style="B", height=9)
    subtitle = subtitle_text(t, report)
    if subtitle:
        para(subtitle, size=9.5, color="muted")
    para(as_of_text(t, report), size=11, style="B", height=6)

    heading(t("report.summary_heading"))
    if report.goals:
        para(summary_sentence(t, report))
        pdf.ln(1)
        summary = summary_rows(t, report)
        table([t("report.summary_col_goal"), t("report.summary_col_status"), t("report.summary_col_value"),
               t("report.summary_col_target"), t("report.summary_col_deadline")],
              [(r.goal, r.status, r.value, r.target, r.deadline) for r in summary],
              (50, 38, 32, 22, 32), [goals_mod.STATUS_TONE.get(r.status_code, "neutral") for r in summary])
        pdf.ln(2)
        para(t("report.summary_counts"), size=9.5, style="B")
        for _, word, n in summary_counts(t, report):
            bullet(f"{_capital(word)}: {t.number(n)}")
    else:
        para(t("report.no_goals"), style="B")
        para(t("report.no_goals_how"))
    pdf.ln(2)
    para(t("report.health_heading"), size=10.5, style="B")
    para(health_sentence(t, report), size=9.5, height=4.6)
    hc = health_chart(t, report)
    if hc is not None:
        if pdf.will_page_break(62):
            pdf.add_page()
        pdf.ln(1)
        _pdf_chart(pdf, hc, health_goal(report), t, width, 46)
        para(t("report.health_note"), size=8.5, color="muted", height=4.2)
    peers = peer_lines(t, report)
    if len(peers) > 1:
        pdf.ln(1)
        para(t("report.health_peers"), size=9.5, style="B")
        for name, score, me in peers:
            rank, _, rest = name.partition(" ")
            bullet(f"{rest}: {score}", mark=rank, style="B" if me else "")
    facts = headline_facts(t, report)
    if facts:
        pdf.ln(2)
        para(t("report.headline_heading"), size=10.5, style="B")
        rows(facts, label_w=70)
    maturity = maturity_lines(t, report)
    if maturity:
        pdf.ln(2)
        para(t("report.maturity_heading"), size=10.5, style="B")
        para(t("report.maturity_intro", repos=t.number(report.maturity_repos)), size=9.5, height=4.6)
        for line in maturity:
            bullet(line)
    if report.public_code:
        intro, note = public_code_texts(t, report)
        widths = (99, 25, 25, 25)
        table_rows = public_code_rows(t, report)
        # Heading, sentences and table on one page: the rows' heights as table() draws them.
        pdf.set_font("helvetica", size=8.8)
        cells = sum(4.4 * max(len(wrap(pdf, c, w)) for c, w in zip(r, widths)) + 1.6
                    for r in [public_code_header(t), *table_rows])
        pdf.set_font("helvetica", size=9.5)
        if pdf.will_page_break(9 + 4.6 * (len(wrap(pdf, intro, width)) + len(wrap(pdf, note, width))) + cells):
            pdf.add_page()
        pdf.ln(2)
        para(t("report.public_code_heading"), size=10, style="B")
        para(intro, size=9.5, height=4.6)
        pdf.ln(1)
        table(public_code_header(t), table_rows, widths, aligns=("L", "R", "R", "R"))
        pdf.ln(1)
        para(note, size=9.5, height=4.6)

    for goal in report.goals:
        texts = goal_texts(t, goal)
        c = chart(t, goal, texts)
        # Keep a goal on one page: its height, worked out from the lines its texts take.
        def lines(text: str, size: float, style: str = "", w: float = width) -> int:
            pdf.set_font("helvetica", style=style, size=size)
            return len(wrap(pdf, text, w))

        needed = (12 + 5 * lines(texts.words, 10.5) + 1 + 5 * lines(texts.sentence, 10, "B", width - 3) + 2
                  + 4.8 * len(texts.facts) + 2 + (58 if c is not None else 5)
                  + (4.2 * lines(texts.note, 8.5) + 1 if texts.note else 0))
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        heading(texts.title)
        para(texts.words, size=10.5)
        pdf.ln(1)
        # The status sentence in the status's colour, with a bar beside it.
        colour = goals_mod.STATUS_TONE.get(goal.status, "neutral")
        y = pdf.get_y()
        para(texts.sentence, size=10, style="B", height=5, color=colour, indent=3)
        pdf.set_draw_color(*_RGB[colour])
        pdf.set_line_width(1.0)
        pdf.line(pdf.l_margin + 0.5, y, pdf.l_margin + 0.5, pdf.get_y())
        pdf.set_line_width(0.2)
        pdf.set_text_color(*_RGB["ink"])
        pdf.ln(2)
        rows(texts.facts)
        pdf.ln(2)
        if c is None:
            para(t("report.no_history"), size=9, color="muted")
        else:
            _pdf_chart(pdf, c, goal, t, width, 52)
        if texts.note:
            pdf.ln(1)
            para(texts.note, size=8.5, color="muted", height=4.2)

    if pdf.get_y() + 60 > pdf.page_break_trigger:
        pdf.add_page()
    heading(t("report.about_heading"), size=11)
    para(source_text(t, report), size=9, height=4.5)
    pdf.ln(1)
    para(t("report.about_values"), size=9, height=4.5)
    if report.goals:
        pdf.ln(1)
        para(t("report.rules_heading"), size=9, height=4.5, style="B")
        for rule in rules_texts(t, report.goals):
            bullet(rule)
        pdf.ln(1)
        para(t("report.about_reconstructed"), size=9, height=4.5)
    pdf.ln(1)
    para(t("report.generated", when=t.date(report.as_of, "long")), size=9, height=4.5, color="muted")
    return bytes(pdf.output())


def pdf_report(con, entity_id: str, lang: str = "en", today: date | None = None) -> bytes:
    """The council report of ``entity_id`` as a PDF (bytes)."""
    return render_pdf(build_report(con, entity_id, lang, today))
