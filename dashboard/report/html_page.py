"""The report as one self-contained HTML page: inline CSS and an inline SVG chart, no script, no
external resource; every text from the database is escaped."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from datetime import date

from dashboard.i18n import Translator
from dashboard.report.charts import Chart, chart, health_chart
from dashboard.report.model import Goal, Report, build_report
from dashboard.report.text import (
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

_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm; }
:root { --ink: #1b1b1b; --muted: #555; --line: #c8c8c8; --history: #1f4e79; --target: #a4262c; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; color: var(--ink);
       max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; font-size: 11pt; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.kicker, .meta { color: var(--muted); margin: 0; }
.asof { font-weight: bold; margin: .3rem 0 0; }
table { border-collapse: collapse; margin: .5rem 0; }
table.goals { width: 100%; }
ul.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
ol.peers li.me { font-weight: bold; }
img.logo { max-height: 4rem; max-width: 14rem; display: block; margin: .4rem 0; }
th, td { text-align: left; padding: .2rem .8rem .2rem 0; vertical-align: top; border-bottom: 1px solid #eee; }
th { font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; }
table.public-code td.num, table.public-code th.num { padding-left: 1.2rem; }
.goal { break-inside: avoid; page-break-inside: avoid; }
.words { font-size: 1.05rem; margin: .2rem 0; }
.status { padding: .4rem .6rem; border-left: .35rem solid var(--line); background: #f6f6f6; }
.badge { display: inline-block; font-weight: bold; padding: 0 .4rem; border: 1px solid currentColor; border-radius: .3rem; }
.tone-good { border-color: #1e7b34; } .tone-good .badge, .badge.tone-good { color: #1e7b34; }
.tone-warning { border-color: #b86e00; } .tone-warning .badge, .badge.tone-warning { color: #8a5300; }
.tone-bad { border-color: #a4262c; } .tone-bad .badge, .badge.tone-bad { color: #a4262c; }
.tone-neutral { border-color: #777; } .tone-neutral .badge, .badge.tone-neutral { color: #555; }
figure { margin: .6rem 0; }
svg.chart { width: 100%; max-width: 40rem; height: auto; display: block; }
svg.chart text { font-family: inherit; font-size: 11px; fill: var(--ink); }
svg.chart .tick text { fill: var(--muted); }
svg.chart .grid { stroke: #e4e4e4; stroke-width: 1; }
svg.chart .axis { stroke: #777; stroke-width: 1; }
svg.chart .history { fill: none; stroke: var(--history); stroke-width: 2; }
svg.chart .projection { stroke: var(--history); stroke-width: 1.5; stroke-dasharray: 2 4; }
svg.chart .target { stroke: var(--target); stroke-width: 1.5; stroke-dasharray: 7 4; }
svg.chart .deadline { stroke: #777; stroke-width: 1; stroke-dasharray: 3 3; }
svg.chart .pt { fill: var(--history); stroke: var(--history); stroke-width: 1.5; }
svg.chart .pt.reconstructed { fill: #fff; }
svg.chart .pt.now { fill: var(--history); stroke: #fff; }
svg.chart .pt.projected { fill: #fff; }
figcaption, .note, .legend { color: var(--muted); font-size: .9rem; }
.legend { list-style: none; padding: 0; margin: .2rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
.sw { display: inline-block; width: 1.6rem; height: 0; vertical-align: middle; margin-right: .35rem; border-top: 2px solid var(--history); }
.sw-target { border-top: 2px dashed var(--target); }
.sw-projection { border-top: 2px dotted var(--history); }
.sw-reconstructed { width: .6rem; height: .6rem; border: 1.5px solid var(--history); border-radius: 50%; }
.note { border-left: .25rem solid var(--line); padding-left: .5rem; }
pre { background: #f4f4f4; padding: .6rem; overflow-x: auto; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); font-size: .9rem; color: var(--muted); }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .goal { page-break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
"""

_W, _H = 640, 260
_ML, _MR, _MT, _MB = 64, 24, 30, 46


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _css_class(status: str) -> str:
    """The status's own class and its tone's (good, warning, bad, neutral: the warehouse's)."""
    tone = goals_mod.STATUS_TONE.get(status, "neutral")
    return "s-" + re.sub(r"[^a-z0-9_]", "_", status.lower().replace(" ", "_")) + f" tone-{tone}"


def _f(v: float) -> str:
    return f"{v:.1f}"


def svg_chart(c: Chart, chart_id: str) -> str:
    """An inline SVG of the chart: axes, grid, target line, history, projection; <title> tips."""
    pw, ph = _W - _ML - _MR, _H - _MT - _MB

    def X(x: float) -> float:
        return _ML + x * pw

    def Y(y: float) -> float:
        return _MT + (1 - y) * ph

    out = [
        (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img"'
         f' aria-labelledby="{chart_id}-title">'),
        f'<title id="{chart_id}-title">{_e(c.title)}</title>',
    ]
    out.append('<g class="tick">')
    for y, label in c.y_ticks:
        out.append(f'<line class="grid" x1="{_f(X(0))}" x2="{_f(X(1))}" y1="{_f(Y(y))}" y2="{_f(Y(y))}"/>')
        out.append(f'<text x="{_f(X(0) - 6)}" y="{_f(Y(y) + 4)}" text-anchor="end">{_e(label)}</text>')
    for x, label in c.x_ticks:
        out.append(f'<line class="axis" x1="{_f(X(x))}" x2="{_f(X(x))}" y1="{_f(Y(0))}" y2="{_f(Y(0) + 4)}"/>')
        out.append(f'<text x="{_f(X(x))}" y="{_f(Y(0) + 17)}" text-anchor="middle">{_e(label)}</text>')
    out.append("</g>")
    out.append(f'<line class="axis" x1="{_f(X(0))}" x2="{_f(X(1))}" y1="{_f(Y(0))}" y2="{_f(Y(0))}"/>')
    out.append(f'<line class="axis" x1="{_f(X(0))}" x2="{_f(X(0))}" y1="{_f(Y(0))}" y2="{_f(Y(1))}"/>')
    out.append(f'<text class="axis-title" x="{_f(X(0.5))}" y="{_H - 6}" text-anchor="middle">{_e(c.x_title)}</text>')
    out.append(f'<text class="axis-title" x="4" y="14">{_e(c.y_title)}</text>')
    if c.deadline_x is not None:
        dx = X(c.deadline_x)
        out.append(f'<line class="deadline" x1="{_f(dx)}" x2="{_f(dx)}" y1="{_f(Y(0))}" y2="{_f(Y(1))}">'
                   f'<title>{_e(c.deadline_label)}</title></line>')
        anchor = "end" if c.deadline_x > 0.5 else "start"
        shift = -4 if anchor == "end" else 4
        out.append(f'<text x="{_f(dx + shift)}" y="{_f(Y(1) + 12)}" text-anchor="{anchor}">{_e(c.deadline_label)}</text>')
    if c.target_y is not None:
        ty = Y(c.target_y)
        out.append(f'<line class="target" x1="{_f(X(0))}" x2="{_f(X(1))}" y1="{_f(ty)}" y2="{_f(ty)}">'
                   f'<title>{_e(c.target_label)}</title></line>')
        label_y = ty - 5 if c.target_y < 0.9 else ty + 14
        out.append(f'<text x="{_f(X(0) + 6)}" y="{_f(label_y)}">{_e(c.target_label)}</text>')
    if len(c.points) > 1:
        coords = " ".join(f"{_f(X(p.x))},{_f(Y(p.y))}" for p in c.points)
        out.append(f'<polyline class="history" points="{coords}"/>')
    if c.projection is not None:
        (x0, y0), (x1, y1) = c.projection
        out.append(f'<line class="projection" x1="{_f(X(x0))}" y1="{_f(Y(y0))}" x2="{_f(X(x1))}" y2="{_f(Y(y1))}"/>')
        out.append(f'<circle class="pt projected" cx="{_f(X(x1))}" cy="{_f(Y(y1))}" r="4">'
                   f'<title>{_e(c.projection_tip)}</title></circle>')
    radius = 3 if len(c.points) <= 40 else 2
    for p in c.points:
        r = radius + 1.5 if p.source == "now" else radius
        out.append(f'<circle class="pt {_e(p.source)}" cx="{_f(X(p.x))}" cy="{_f(Y(p.y))}" r="{r}">'
                   f'<title>{_e(p.tip)}</title></circle>')
    out.append("</svg>")
    return "\n".join(out)


def _legend_html(t: Translator, c: Chart, goal: Goal) -> str:
    items = [("sw", t("report.legend_history"))]
    if c.target_y is not None:
        items.append(("sw sw-target", t("report.legend_target")))
    if c.projection is not None:
        items.append(("sw sw-projection", t("report.legend_projection")))
    if any(p.source == "reconstructed" for p in goal.history):
        items.append(("sw sw-reconstructed", t("report.legend_reconstructed")))
    return '<ul class="legend">' + "".join(
        f'<li><span class="{cls}"></span>{_e(label)}</li>' for cls, label in items) + "</ul>"


def _table(rows: Sequence[tuple[str, str]], cls: str) -> str:
    body = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="{cls}">{body}</table>'


def _logo_html(t: Translator, report: Report) -> str:
    """The entity's logo embedded in the page (a data address: the page stays self-contained)."""
    data = base64.b64encode(report.logo or b"").decode("ascii")
    return (f'<img class="logo" src="data:{_e(report.logo_type)};base64,{data}"'
            f' alt="{_e(t("report.logo_alt", name=report.heading_name))}">')


def render_html(report: Report) -> str:
    t = Translator(report.lang)
    title = title_text(t, report)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(report.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="ossdash">',
        f"<title>{_e(title)} ({_e(t.date(report.as_of, 'long'))})</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="kicker">{_e(t("report.kicker"))}</p>',
        *([_logo_html(t, report)] if report.logo else []),
        f"<h1>{_e(title)}</h1>",
        *([f'<p class="meta">{_e(subtitle_text(t, report))}</p>'] if subtitle_text(t, report) else []),
        f'<p class="asof">{_e(as_of_text(t, report))}</p>',
        "</header>",
        "<main>",
        '<section class="summary">',
        f"<h2>{_e(t('report.summary_heading'))}</h2>",
    ]
    if report.goals:
        parts.append(f"<p>{_e(summary_sentence(t, report))}</p>")
        head = "".join(f'<th scope="col">{_e(t(k))}</th>' for k in (
            "report.summary_col_goal", "report.summary_col_status", "report.summary_col_value",
            "report.summary_col_target", "report.summary_col_deadline"))
        body = "".join(
            f'<tr><th scope="row">{_e(r.goal)}</th><td><span class="badge {_css_class(r.status_code)}">'
            f"{_e(r.status)}</span></td><td>{_e(r.value)}</td><td>{_e(r.target)}</td><td>{_e(r.deadline)}</td></tr>"
            for r in summary_rows(t, report)
        )
        parts.append(f'<table class="goals"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        parts.append(f"<p>{_e(t('report.summary_counts'))}</p>")
        parts.append('<ul class="counts">' + "".join(
            f'<li><span class="badge {_css_class(code)}">{_e(word)}</span> <span class="num">{_e(t.number(n))}</span></li>'
            for code, word, n in summary_counts(t, report)) + "</ul>")
    else:
        parts.append(f'<p class="no-goals">{_e(t("report.no_goals"))}</p>')
        parts.append(f"<p>{_e(t('report.no_goals_how'))}</p>")
    parts.append(f"<h3>{_e(t('report.health_heading'))}</h3>")
    parts.append(f"<p>{_e(health_sentence(t, report))}</p>")
    hc = health_chart(t, report)
    if hc is not None:
        parts.append("<figure>")
        parts.append(svg_chart(hc, "chart-health"))
        parts.append(f'<figcaption>{_e(t("report.health_note"))}</figcaption>')
        parts.append("</figure>")
    peers = peer_lines(t, report)
    if len(peers) > 1:
        parts.append(f"<p>{_e(t('report.health_peers'))}</p>")
        parts.append('<ol class="peers">' + "".join(
            ('<li class="me">' if me else "<li>") + f"{_e(name.partition(' ')[2])}: {_e(score)}</li>"
            for name, score, me in peers) + "</ol>")
    facts = headline_facts(t, report)
    if facts:
        parts.append(f"<h3>{_e(t('report.headline_heading'))}</h3>")
        parts.append(_table(facts, "headline"))
    maturity = maturity_lines(t, report)
    if maturity:
        parts.append(f'<h3 id="maturity">{_e(t("report.maturity_heading"))}</h3>')
        parts.append(f"<p>{_e(t('report.maturity_intro', repos=t.number(report.maturity_repos)))}</p>")
        parts.append('<ul class="maturity">' + "".join(f"<li>{_e(line)}</li>" for line in maturity) + "</ul>")
    if report.public_code:
        intro, note = public_code_texts(t, report)
        parts.append(f'<h4 id="public-code">{_e(t("report.public_code_heading"))}</h4>')
        parts.append(f"<p>{_e(intro)}</p>")
        criterion, *outcomes = public_code_header(t)
        head = f'<th scope="col">{_e(criterion)}</th>' + "".join(f'<th scope="col" class="num">{_e(o)}</th>'
                                                                 for o in outcomes)
        body = "".join(f'<tr><th scope="row">{_e(name)}</th>' + "".join(f'<td class="num">{_e(n)}</td>' for n in counts)
                       + "</tr>" for name, *counts in public_code_rows(t, report))
        parts.append(f'<table class="public-code"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        parts.append(f'<p class="note">{_e(note)}</p>')
    parts.append("</section>")
    for goal in report.goals:
        texts = goal_texts(t, goal)
        cls = _css_class(goal.status)
        parts.append(
            f'<section class="goal" id="goal-{goal.number}" data-metric="{_e(goal.metric)}"'
            f' data-status="{_e(goal.status)}">'
        )
        parts.append(f"<h2>{_e(texts.title)}</h2>")
        parts.append(f'<p class="words">{_e(texts.words)}</p>')
        parts.append(f'<p class="status {cls}">{_e(texts.sentence)}</p>')
        parts.append(_table(texts.facts, "facts"))
        c = chart(t, goal, texts)
        if c is None:
            parts.append(f'<p class="note">{_e(t("report.no_history"))}</p>')
        else:
            parts.append("<figure>")
            parts.append(svg_chart(c, f"chart-{goal.number}"))
            parts.append(_legend_html(t, c, goal))
            parts.append(f"<figcaption>{_e(t('report.chart_caption'))}</figcaption>")
            parts.append("</figure>")
        if texts.note:
            parts.append(f'<p class="note">{_e(texts.note)}</p>')
        parts.append("</section>")
    parts.append("</main>")
    parts.append("<footer>")
    parts.append(f"<h2>{_e(t('report.about_heading'))}</h2>")
    parts.append(f"<p>{_e(source_text(t, report))}</p>")
    parts.append(f"<p>{_e(t('report.about_values'))}</p>")
    if report.goals:
        parts.append(f"<p>{_e(t('report.rules_heading'))}</p>")
        parts.append("<ul>" + "".join(f"<li>{_e(r)}</li>" for r in rules_texts(t, report.goals)) + "</ul>")
        parts.append(f"<p>{_e(t('report.about_reconstructed'))}</p>")
    parts.append(f"<p>{_e(t('report.generated', when=t.date(report.as_of, 'long')))}</p>")
    parts.append("</footer>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def html_report(con, entity_id: str, lang: str = "en", today: date | None = None) -> str:
    """The council report of ``entity_id`` as one self-contained HTML page (str)."""
    return render_html(build_report(con, entity_id, lang, today))
