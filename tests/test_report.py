"""The council report (dashboard/report/) and `ossdash report`.

The simulator's registry sets no goals, so most tests use a small hand-built warehouse whose
figures are worked out below; one test adds goals to a copy of the collected demo warehouse.
"Today" is 2025-06-30 for the hand-built one:

- kuestenstadt (GitHub kuestenstadt), four projects:
  r1 created 2024-01-10, MIT, commit 2025-06-01      (active: in the 90 days to 2025-06-30)
  r2 created 2024-03-01, EUPL-1.2, commit 2025-05-15 (active)
  r3 created 2024-09-01, GPL-3.0-or-later, commit 2024-10-01
  r4 created 2025-02-01, NOASSERTION, no commits
  Goals (goals table):
  1 public_repos >= 4 by 2026-12-31: value 4, achieved.
  2 osi_licence_share >= 80 % by 2026-06-30: value 3/4; observed snapshot 2025-01-01 = 50 %, so
    the trend is 25 points in 180 days = 4.2 points a month; 365 days on that reaches 100 %
    (clipped): on track.
  3 active_share >= 60 % by 2025-12-31: value 2/4; observed snapshot 2025-04-01 = 47 %: 3 points
    in 90 days = 1.0 point a month; 184 days on: 50 + 6.13 = 56.1 % >= 90 % of 60 %: at risk.
  4 publiccode_share >= 50 % by 2026-12-31: value 0 %, no history, no trend: not enough history
    (once "off track": a goal is never off track for want of history).
  5 contributions_to_others >= 3 by 2025-01-01: value 0, deadline passed 180 days ago; the value
    reconstructed for 2025-01-01 is 0: missed at deadline (once "off track", whatever the value
    then); its history is reconstructed (twelve month ends of 0).
  6 made_up_metric >= 5 by 2026-01-01: a metric the warehouse does not know: no data.
- ohneziele: no goals.
"""

from __future__ import annotations

import functools
import itertools
import re
import shutil
import tomllib
import zlib
from datetime import date
from html.parser import HTMLParser

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from collectors.registry import parse_registry
from dashboard import cli, i18n, report
from dashboard.i18n import Translator
from warehouse import goals, metrics, reuse
from warehouse.identities import rebuild_identities
from warehouse.metrics import Scope
from warehouse.metrics.badge_settings import BADGE_LEVELS
from warehouse.reader import cursor, open_readonly
from warehouse.schema import migrate
from warehouse.state import sync_registry

TODAY = date(2025, 6, 30)
ENTITY = "kuestenstadt"
NAME = "Stadt Küstenstadt"

REGISTRY = """\
[[entity]]
id = "kuestenstadt"
name = "{name}"
country = "DE"
archetype = "local"
email_domains = ["kuestenstadt.example"]
  [[entity.account]]
  forge = "github"
  owner = "kuestenstadt"

[[entity]]
id = "ohneziele"
name = "Gemeinde Ohneziele"
country = "DE"
archetype = "local"
"""

REPOS = [  # path, licence, created
    ("kuestenstadt/r1", "MIT", "2024-01-10"),
    ("kuestenstadt/r2", "EUPL-1.2", "2024-03-01"),
    ("kuestenstadt/r3", "GPL-3.0-or-later", "2024-09-01"),
    ("kuestenstadt/r4", "NOASSERTION", "2025-02-01"),
]
COMMITS = [  # path, sha, day
    ("kuestenstadt/r1", "c1", "2025-06-01"),
    ("kuestenstadt/r2", "c2", "2025-05-15"),
    ("kuestenstadt/r3", "c3", "2024-10-01"),
]
GOALS = [  # metric, target, deadline
    ("public_repos", 4, date(2026, 12, 31)),
    ("osi_licence_share", 0.8, date(2026, 6, 30)),
    ("active_share", 0.6, date(2025, 12, 31)),
    ("publiccode_share", 0.5, date(2026, 12, 31)),
    ("contributions_to_others", 3, date(2025, 1, 1)),
    ("made_up_metric", 5, date(2026, 1, 1)),
]
SNAPSHOTS = [  # day, metric, value
    (date(2025, 1, 1), "osi_licence_share", 0.5),
    (date(2025, 4, 1), "active_share", 0.47),
]
STATUS = ["achieved", "on track", "at risk", "not enough history", "missed at deadline", "no data"]

# What each goal's section must say, per language (numbers and dates in the language's format).
EXPECTED = {
    "en": [
        ["Public repositories", "achieved", "Goal: at least 4 by 31 December 2026.", "549 days"],
        ["Share with an OSI-approved licence", "on track", "75%", "+4.2 percentage points per month",
         "On track: at the current trend the value reaches 100% by 30 June 2026; the target is 80%.",
         "This rests on a straight line through 2 values since 1 January 2025"],
        ["Share of active projects", "at risk", "50%", "56.1%", "+1.0 percentage points per month", "184 days"],
        ["Share with publiccode.yml", "not enough history yet", "0%", "no trend yet (too little history)",
         "This rests on one value so far, from 30 June 2025"],
        ["Contributions to other entities' projects", "missed at the deadline", "deadline passed 180 days ago",
         "1 January 2025", "reconstructed", ("Missed at the deadline: 0 on 1 January 2025, short of the target of 3;"
         " 0 today.")],
        ["made_up_metric", "no data"],
    ],
    "de": [
        ["Öffentliche Repositorien", "erreicht", "Ziel: mindestens 4 bis zum 31. Dezember 2026.", "549 Tage"],
        ["Anteil mit OSI-anerkannter Lizenz", "im Plan", "75\xa0%", "+4,2 Prozentpunkte pro Monat",
         ("Im Plan: Bei der bisherigen Entwicklung erreicht der Wert 100\xa0% bis zum 30. Juni 2026;"
         " das Ziel ist 80\xa0%.")],
        ["Anteil aktiver Projekte", "gefährdet", "50\xa0%", "56,1\xa0%", "+1,0 Prozentpunkte pro Monat", "184 Tage"],
        ["Anteil mit publiccode.yml", "noch zu wenig Verlauf", "0\xa0%", "noch kein Trend (zu wenig Verlauf)",
         "Das beruht auf einem einzigen Wert bisher, vom 30. Juni 2025"],
        ["Beiträge zu Projekten anderer Organisationen", "zur Frist verfehlt", "Frist vor 180 Tagen abgelaufen",
         "1. Januar 2025", "rekonstruiert", ("Zur Frist verfehlt: 0 am 1. Januar 2025, das Ziel von 3 also verfehlt;"
         " heute 0.")],
        ["made_up_metric", "keine Daten"],
    ],
}

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"


# --------------------------------------------------------------------------- warehouses


def build(path, name: str = NAME, extra_goals: tuple[tuple[str, float, date], ...] = ()) -> None:
    con = duckdb.connect(str(path))
    try:
        migrate(con)
        registry = parse_registry(REGISTRY.format(name="placeholder"))
        sync_registry(con, registry)
        con.execute("UPDATE entities SET name = ? WHERE entity_id = ?", [name, ENTITY])
        for repo_path, licence, created in REPOS:
            con.execute(
                "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, license_spdx, archived,"
                " is_fork, stars, forks_count, open_issues, created_at)"
                " VALUES ('github', 'github.com', ?, ?, 'kuestenstadt', ?, ?, false, false, 0, 0, 0, ?)",
                [repo_path, ENTITY, repo_path.split("/")[1], licence, f"{created} 00:00:00+00"],
            )
        for repo_path, sha, day in COMMITS:
            con.execute(
                "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name,"
                " committed_at) VALUES ('github', 'github.com', ?, ?, 'kim', 'kim@kuestenstadt.example', 'Kim', ?)",
                [repo_path, sha, f"{day} 12:00:00+00"],
            )
        for n, (metric, target, deadline) in enumerate(GOALS + list(extra_goals), start=1):
            con.execute("INSERT INTO goals VALUES (?, ?, ?, ?, ?)", [ENTITY, n, metric, target, deadline])
        for day, metric, value in SNAPSHOTS:
            con.execute("INSERT INTO goal_snapshots VALUES (?, ?, ?, ?, 'observed')", [day, ENTITY, metric, value])
        con.execute(
            "INSERT INTO runs (run_id, started_at, finished_at, status) VALUES"
            " (1, TIMESTAMPTZ '2025-06-29 21:00:00+00', TIMESTAMPTZ '2025-06-29 21:10:00+00', 'ok')"
        )
        rebuild_identities(con, registry)
        reuse.refresh_reuse(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "goals.duckdb"
    build(path)
    return path


@pytest.fixture
def cur(warehouse):
    con = open_readonly(warehouse)
    yield cursor(con)
    con.close()


@pytest.fixture(scope="module")
def made(warehouse):
    """The goals entity's reports: made("html" | "pdf", lang), read from the warehouse once a language."""
    con = open_readonly(warehouse)
    cur = cursor(con)

    @functools.cache
    def model(lang: str):
        return report.build_report(cur, ENTITY, lang, today=TODAY)

    def make(kind: str, lang: str):
        # What html_report and pdf_report do, with the reading shared by the two formats.
        return (report.render_html if kind == "html" else report.render_pdf)(model(lang))

    yield make
    con.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    name = f"Stadt {HOSTILE_SCRIPT} {HOSTILE_IMG} “Zitat” 🚀 東京 Łódź"
    build(path, name=name, extra_goals=((HOSTILE_IMG, 1, date(2026, 1, 1)), ("😀 emoji", 1, date(2026, 1, 1))))
    con = open_readonly(path)
    yield cursor(con)
    con.close()


# --------------------------------------------------------------------------- reading the output


def sections(page: str) -> dict[str, str]:
    """metric -> the HTML of its goal section."""
    found = re.findall(r'<section class="goal" id="goal-\d+" data-metric="([^"]*)"[^>]*>(.*?)</section>', page, re.DOTALL)
    return {metric: body for metric, body in found}


class _Nodes(HTMLParser):
    VOID = frozenset({"meta", "link", "br", "img", "hr", "input", "col", "source", "wbr", "area", "base", "embed",
                      "track"})
    SVG_EMPTY = frozenset({"line", "polyline", "circle", "rect", "path"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.texts.append(text)


def parse(page: str) -> _Nodes:
    nodes = _Nodes()
    nodes.feed(page)
    nodes.close()
    return nodes


def _pdf_unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):  # backslash
            nxt = raw[i + 1]
            simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
            elif 0x30 <= nxt <= 0x37:
                m = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


def pdf_lines(data: bytes) -> list[str]:
    """The text shown on the PDF's pages, one entry per text operator (a line or a label)."""
    content = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        body = m.group(1)
        try:
            body = zlib.decompress(body)
        except zlib.error:
            pass
        content.append(body)
    text = b"\n".join(content)
    # fpdf2 writes core-font text as one "(...) Tj" per line or label.
    return [_pdf_unescape(m.group(1)).decode("cp1252")
            for m in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", text, re.DOTALL)]


def pdf_text(data: bytes) -> str:
    """All the PDF's text in one string, spaces (no-break ones included) made single."""
    return re.sub(r"[ \xa0\n]+", " ", " ".join(pdf_lines(data)))


def spaced(text: str) -> str:
    return re.sub(r"[ \xa0]+", " ", text)


def pdf_info(data: bytes, key: str) -> str | None:
    m = re.search(rb"/" + key.encode() + rb"\s*(\((?:\\.|[^\\)])*\)|<[0-9a-fA-F]*>)", data)
    if m is None:
        return None
    value = m.group(1)
    if value.startswith(b"<"):
        raw = bytes.fromhex(value[1:-1].decode())
        return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    raw = _pdf_unescape(value[1:-1])
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("lang", ["en", "de"])
def test_html_has_every_goal_with_its_status_in_the_locale_format(made, lang):
    page = made("html", lang)
    t = Translator(lang)
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page
    found = sections(page)
    assert list(found) == [g[0] for g in GOALS]
    for n, ((metric, _, _), status, expected) in enumerate(zip(GOALS, STATUS, EXPECTED[lang]), start=1):
        body = found[metric]
        assert f'data-status="{status}"' in page
        label, word, *facts = expected
        assert f"<h2>{n}. {label.replace(chr(39), '&#x27;')}</h2>" in body
        assert t.label("status", status) == word
        assert f"<td>{word}</td>" in body, (metric, word)
        for fact in facts:
            assert fact.replace("'", "&#x27;") in body, (lang, metric, fact)
    # Title, date as of, last collection, and the summary's counts.
    title = {"en": "Goals of Stadt Küstenstadt", "de": "Ziele: Stadt Küstenstadt"}[lang]
    assert f"<h1>{title}</h1>" in page
    assert {"en": "As of 30 June 2025", "de": "Stand: 30. Juni 2025"}[lang] in page
    assert {"en": "last collection on 29 June 2025", "de": "letzte Erhebung am 29. Juni 2025"}[lang] in page
    # The summary: one line per goal (status, value, target, deadline), then the statuses' counts.
    summary = re.findall(r'<tr><th scope="row">([^<]+)</th><td><span class="badge [^"]+">([^<]+)</span></td>'
                         r"<td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)
    assert [(goal, status) for goal, status, *_ in summary] == [
        (f"{n}. {e[0]}".replace("'", "&#x27;"), e[1][:1].upper() + e[1][1:]) for n, e in enumerate(EXPECTED[lang], 1)]
    assert summary[1][2:] == (("75%", "80%", "30 June 2026") if lang == "en" else
                               ("75\xa0%", "80\xa0%", "30. Juni 2026"))
    assert summary[4][2] == {"en": "0 at the deadline, 0 today", "de": "0 zur Frist, heute 0"}[lang]
    counts = dict(re.findall(r'<li><span class="badge [^"]+">([^<]+)</span> <span class="num">(\d+)</span></li>', page))
    assert counts == {t.label("status", s): "1" for s in STATUS}
    # No internal id anywhere a reader sees it (it is in the goals' anchors and the file name only).
    assert not any(ENTITY in text for text in parse(page).texts)
    # One chart per goal with history, with axis titles and a tooltip per point.
    # (and the health score's history: scores at the month ends since the repositories have data)
    assert page.count("<svg") == 5 + 1  # every goal but the one without data
    assert 'aria-labelledby="chart-health-title"' in page
    assert '<text class="axis-title"' in page and t("report.axis_date") in page
    contributions = found["contributions_to_others"]
    # twelve reconstructed month ends and today's value
    assert contributions.count('<circle class="pt reconstructed"') == 12
    assert contributions.count('<circle class="pt now"') == 1
    assert t("report.note_reconstructed") in contributions
    assert t("report.chart_target", target="3") in contributions


def test_html_is_self_contained_and_well_formed(made):
    page = made("html", "de")
    nodes = parse(page)
    assert not nodes.problems and nodes.stack == [], (nodes.problems, nodes.stack)
    tags = {tag for tag, _ in nodes.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "form"}
    for tag, attrs in nodes.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    lowered = page.lower()
    assert "@import" not in lowered and "url(" not in lowered and "javascript:" not in lowered
    # The only address in the page is the SVG namespace name, which is never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "@page" in page and "break-inside: avoid" in page
    assert '<meta charset="utf-8">' in page


def test_an_entity_without_goals_gets_no_registry_text(cur):
    for lang, says, how in [("en", "No goals have been set", "agreed by the council"),
                            ("de", "noch keine Ziele", "beschließt der Rat")]:
        page = report.html_report(cur, "ohneziele", lang, today=TODAY)
        assert "<h1>" in page and "Ohneziele" in page
        assert says in page and how in page
        # The registry's syntax belongs to the documentation, not to a council's paper.
        assert "[[entity.goal]]" not in page and "<pre>" not in page and "cities.toml" not in page
        assert sections(page) == {} and "<svg" not in page
        text = pdf_text(report.pdf_report(cur, "ohneziele", lang, today=TODAY))
        assert says in text and how in text and "[[entity.goal]]" not in text and "ohneziele" not in text


def test_an_unknown_entity_is_an_error_naming_it(cur):
    for fn in (report.html_report, report.pdf_report):
        with pytest.raises(report.ReportError, match="no-such-city"):
            fn(cur, "no-such-city", "en")


def test_a_cursor_on_a_plain_connection_works_too(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert len(sections(report.html_report(con, ENTITY, "en", today=TODAY))) == len(GOALS)
    finally:
        con.close()


# --------------------------------------------------------------------------- PDF


@pytest.mark.parametrize("lang", ["en", "de"])
def test_pdf_has_the_same_goals_and_statuses(made, lang):
    data = made("pdf", lang)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    lines = pdf_lines(data)
    t = Translator(lang)
    for n, ((metric, _, _), expected) in enumerate(zip(GOALS, EXPECTED[lang]), start=1):
        label, _word, *facts = expected
        assert f"{n}. {label}" in text, (lang, label)
        for fact in facts:
            assert spaced(fact) in text, (lang, metric, fact)
    # Each goal's status word follows its "Status" label, in the goals' order.
    statuses = [lines[i + 1] for i, line in enumerate(lines) if line == t("report.fact_status")]
    if t("report.summary_col_status") == t("report.fact_status"):  # the summary table's header first
        assert statuses[0] == t("report.summary_col_value")
        statuses = statuses[1:]
    assert statuses == [t.label("status", s) for s in STATUS]
    # The first page's summary lists every goal with its status word, as a table's rows.
    footer = t("report.page", page=1, pages="").strip()
    first = lines[:next(i for i, line in enumerate(lines) if line.strip() == footer)]
    first_text = spaced(" ".join(first))  # a cell's lines, joined
    for n, ((metric, _, _), status) in enumerate(zip(GOALS, STATUS), start=1):
        assert f"{n}. {t.label('goal_metric', metric)}" in first_text
        assert spaced(report._capital(t.label("status", status))) in first_text
    # Lists are lists: each rule of the statuses is an item with its bullet.
    bullets = [i for i, line in enumerate(lines) if line == "\u2022"]
    rules = report.rules_texts(t, [])
    assert len(bullets) >= len(rules) + len(STATUS)  # the counts and the rules
    assert spaced(rules[-1]).startswith(spaced(lines[bullets[-1] + 1]))
    # The same goals as the HTML, in the same order.
    html_titles = re.findall(r"<h2>(\d+\. [^<]+)</h2>", made("html", lang))
    titles = [h.replace("&#x27;", "'") for h in html_titles]
    assert len(titles) == len(GOALS)
    assert [line for line in lines[len(first):] if line in titles] == titles  # after the summary page
    assert pdf_info(data, "Creator") == "ossdash"
    assert pdf_info(data, "Lang") == lang
    assert "Küstenstadt" in pdf_info(data, "Title")
    pages = int(re.search(rb"/Count (\d+)", data).group(1))
    assert pages >= 3 and t("report.page", page=pages, pages=pages) in text


# --------------------------------------------------------------------------- translation


def test_the_german_report_has_no_untranslated_label(cur, monkeypatch):
    used: set[str] = set()
    original = Translator.__call__

    def recording(self, key, **values):
        used.add(key)
        return original(self, key, **values)

    monkeypatch.setattr(Translator, "__call__", recording)
    page = report.html_report(cur, ENTITY, "de", today=TODAY)
    pdf = report.pdf_report(cur, ENTITY, "de", today=TODAY)
    monkeypatch.undo()
    assert {"report.title", "report.sentence_at_risk", "status.at_risk", "goal_metric.public_repos"} <= used
    catalogue = i18n.catalogue()
    exact, patterns = set(), []
    for key in used:
        en, de = catalogue[key]["en"], catalogue[key]["de"]
        if en == de:
            continue
        pieces = re.split(r"\{[a-z_]+\}", en)
        if len(pieces) == 1:
            exact.add(" ".join(en.split()))
        elif sum(ch.isalpha() for ch in "".join(pieces)) >= 3:  # "{when}: {value}" would match anything
            patterns.append(re.compile("^" + ".*".join(re.escape(" ".join(p.split())) for p in pieces) + "$", re.DOTALL))
    nodes = parse(page).texts
    assert "Zusammenfassung" in nodes
    leftovers = [n for n in nodes if n in exact or any(p.match(n) for p in patterns)]
    assert leftovers == []
    pdf_leftovers = [line for line in pdf_lines(pdf) if " ".join(line.split()) in exact]
    assert pdf_leftovers == []


# Texts that are the same in both languages on purpose: names, symbols and units, and English words
# German uses as they are. A text not listed here must differ in German (or be added here,
# deliberately).
SAME_ON_PURPOSE = {
    "ossdash", "GitHub", "GitLab", "openCoDE", "publiccode.yml",
    "national",  # the archetype
    "Commits", "Fork", "Forks", "Tag", "Name", "Host", "Link", "Status", "Version", "Matrix", "Budget",
    "{n} s", "{n} min",
    # German uses these words too ("Issue" as the loanword the German pages use throughout).
    "Person", "Original", "Definition", "Issue #{number}",
    # openCoDE's badge levels and the loanword the German catalogue uses for them.
    "Bronze", "Gold", "Badge",
    # The Standard's own name, which its German readers use as it is, and "CI" as German uses it.
    "Standard for Public Code", "CI: {name}",
}


def _messages(table, prefix=""):
    for name, value in table.items():
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            yield prefix + name, value
        elif isinstance(value, dict):
            yield from _messages(value, f"{prefix}{name}.")


def test_every_catalogue_text_is_really_translated():
    problems = []
    for path in sorted(i18n.CATALOGUE_DIR.glob("*.toml")):
        for key, texts in _messages(tomllib.loads(path.read_text(encoding="utf-8"))):
            en, de = texts.get("en", ""), texts.get("de", "")
            words = re.sub(r"\{[a-z_]+\}", "", en)
            if en == de and en not in SAME_ON_PURPOSE and any(ch.isalpha() for ch in words):
                problems.append(f"{path.name}: {key} = {en!r} in both languages")
            if re.search(r"\b(fuer|ueber|Ueber|koennen|muessen|Aenderung|waehlen|moeglich|groesse)", de):
                problems.append(f"{path.name}: {key} spells umlauts out: {de!r}")
    assert problems == []


def test_report_keys_live_in_the_report_catalogue():
    keys = tomllib.loads((i18n.CATALOGUE_DIR / "report.toml").read_text(encoding="utf-8"))
    assert set(keys) == {"report"}
    package = i18n.CATALOGUE_DIR.parent / "report"
    source = "".join(p.read_text(encoding="utf-8") for p in sorted(package.glob("*.py")))
    for key in re.findall(r't\("(report\.[a-z_]+)"', source):
        assert key[len("report."):] in keys["report"], key


# --------------------------------------------------------------------------- hostile text


def test_hostile_names_are_escaped_in_html_and_harmless_in_pdf(hostile):
    for lang in ("en", "de"):
        built = report.build_report(hostile, ENTITY, lang, today=TODAY)
        page = report.render_html(built)
        lowered = page.lower()
        assert "<script" not in lowered and "<img" not in lowered
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert 'data-metric="&lt;img src=x onerror=alert(1)&gt;"' in page
        nodes = parse(page)
        assert not {"script", "img"} & {tag for tag, _ in nodes.tags}
        assert any(HOSTILE_SCRIPT in n for n in nodes.texts)  # shown as text
        assert "🚀 東京 Łódź" in page
        data = report.render_pdf(built)
        text = pdf_text(data)
        assert HOSTILE_SCRIPT in text and HOSTILE_IMG in text  # inert in a PDF
        assert "“Zitat”" in text and "Lódz" in text  # cp1252 has the quotes and ó, not Ł or ź
        assert "🚀" not in text and "東京" not in text
        assert "🚀 東京" in pdf_info(data, "Title")  # metadata is Unicode


def test_pdf_safe_keeps_cp1252_and_replaces_the_rest():
    assert report.pdf_safe("Grüße „Zitat“ – 5 € ß") == "Grüße „Zitat“ – 5 € ß"
    assert report.pdf_safe("a\u2212b\u202fc\u200bd") == "a-b cd"
    assert report.pdf_safe("🚀東Łódź\x00") == "??Lódz"


# --------------------------------------------------------------------------- pieces


def _goal(**changes):
    base = {"number": 1, "metric": "median_first_response_hours", "unit": "hours", "target": 24.0,
                "deadline": date(2026, 6, 30), "value": 30.25, "trend_per_month": -1.5, "projected": 12.0,
                "status": "on track", "days_left": 365, "reconstructed": False, "lower_is_better": True,
                "history": (report.Point(date(2025, 1, 31), 40.0, "observed"), report.Point(TODAY, 30.25, "now"))}
    base.update(changes)
    return report.Goal(**base)


def test_other_units_lower_is_better_and_unknown_metrics_read_plainly():
    en, de = Translator("en"), Translator("de")
    texts = report.goal_texts(en, _goal(metric="made_up_hours"))
    assert texts.words == "Goal: at most 24.0 hours by 30 June 2026."
    assert dict(texts.facts)["Value now"] in ("30.2 hours", "30.3 hours")
    assert dict(texts.facts)["Target"] == "at most 24.0 hours"
    assert dict(texts.facts)["Trend"] == "−1.5 per month"
    assert texts.title == "1. made_up_hours"  # no label: the code itself
    assert report.goal_texts(de, _goal()).words == "Ziel: höchstens 24,0 Stunden bis zum 30. Juni 2026."
    # Other units: one decimal, no unit word.
    assert report.value_text(en, 0.85, "ratio") == "0.8" or report.value_text(en, 0.85, "ratio") == "0.9"
    assert report.value_text(de, 64.04, "score") == "64,0"
    assert report.value_text(de, 12.0, "count") == "12" and report.value_text(de, 4.96, "count") == "5"
    assert report.value_text(de, 1 / 3, "share") == "33,3\xa0%" and report.value_text(en, 0.8, "share") == "80%"
    # Short without a trend: not enough history, which says what it rests on; no "current trend" claimed.
    flat = report.goal_texts(en, _goal(status="not enough history", trend_per_month=None, projected=30.25,
                                       trend_points=1, trend_from=TODAY))
    assert flat.sentence.startswith("Not enough history yet: the value now, 30.2 hours, does not meet the target"
                                    " of at most 24.0 hours") or flat.sentence.startswith(
        "Not enough history yet: the value now, 30.3 hours, does not meet the target of at most 24.0 hours")
    assert "current trend" not in flat.sentence and "one value so far, from 30 June 2025" in flat.sentence
    # Met now but short by the deadline on the trend, lower is better: "met now, at risk".
    risky = report.goal_texts(en, _goal(status="met at risk", value=20.0, projected=30.0, trend_per_month=1.0,
                                        trend_points=5, trend_from=date(2025, 1, 31)))
    assert risky.sentence.startswith("Met now, at risk: the value now, 20.0 hours, meets the target of at most"
                                     " 24.0 hours, but at the current trend it will be 30.0 hours on 30 June 2026")
    assert "a straight line through 5 values since 31 January 2025" in risky.sentence
    # A share's change is in percentage points, never a percentage.
    assert report.change_text(en, -0.02, "share") == "−2.0 pp"
    assert report.change_text(de, -0.02, "share") == "−2,0 Prozentpunkte"
    assert report.change_text(en, 0.5, "count") == "+0.5"
    page = report.render_html(report.Report(ENTITY, NAME, "DE", "local", "en", TODAY, (_goal(),), None))
    assert "less is better" in page and "by no more than 11%" in page


def test_long_histories_are_thinned_for_the_chart():
    history = tuple(report.Point(date.fromordinal(date(2020, 1, 1).toordinal() + i), 1.0, "observed")
                    for i in range(2000))
    goal = _goal(unit="count", history=history + (report.Point(TODAY, 1.0, "now"),))
    t = Translator("en")
    chart = report.chart(t, goal, report.goal_texts(t, goal))
    assert len(chart.points) <= report.MAX_CHART_POINTS + 1
    assert all(0 <= p.x <= 1 and 0 <= p.y <= 1 for p in chart.points)
    svg = report.svg_chart(chart, "c")
    assert svg.count("<title>") == len(chart.points) + 3  # points, projection, deadline, target


# --------------------------------------------------------------------------- the demo warehouse


@pytest.fixture(scope="module")
def demo_with_goals(demo_db, tmp_path_factory):
    """A copy of the collected demo warehouse with three goals for its first entity."""
    source, world = demo_db
    path = tmp_path_factory.mktemp("demo-goals") / "ossdash.duckdb"
    shutil.copy(source, path)
    entity = world.entities[0].id
    con = duckdb.connect(str(path))
    try:
        for n, (metric, target) in enumerate([("public_repos", 1000), ("active_share", 0.0), ("osi_licence_share", 1.0)], 1):
            con.execute("INSERT INTO goals VALUES (?, ?, ?, ?, DATE '2030-12-31')", [entity, n, metric, target])
    finally:
        con.close()
    return path, world, entity


def test_report_on_the_collected_demo_warehouse(demo_with_goals):
    path, world, entity = demo_with_goals
    con = open_readonly(path)
    try:
        cur = cursor(con)
        progress = goals.goal_progress(cur, entity_id=entity)
        page = report.html_report(cur, entity, "de")
        text = pdf_text(report.pdf_report(cur, entity, "de"))
    finally:
        con.close()
    t = Translator("de")
    found = sections(page)
    assert list(found) == ["public_repos", "active_share", "osi_licence_share"]
    for row in progress.itertuples():
        assert f"<td>{t.label('status', row.status)}</td>" in found[row.metric]
        assert f"{row.goal_no}. {t.label('goal_metric', row.metric)}" in text
    assert found["active_share"].count("erreicht") >= 1  # a target of 0 % is reached by any value
    # The headline's repository count is the simulator's own number for the entity.
    accounts = {(a.forge, a.path) for a in world.accounts if a.entity_id == entity}
    repos = sum(1 for r in world.repos if (r.forge, r.account) in accounts)
    assert f"<th scope=\"row\">Repositorien (einschließlich Forks)</th><td>{t.number(repos)}</td>" in page
    assert world.entities[0].name in page or report._e(world.entities[0].name) in page
    # The maturity section: the entity's repositories per openCoDE badge level, as the warehouse counts them.
    con = open_readonly(path)
    try:
        summary = metrics.badge_summary(cursor(con), metrics.Scope("entity", entity_id=entity)).iloc[0]
    finally:
        con.close()
    assert t("report.maturity_heading") in page and t("report.maturity_heading") in text
    for badge, levels in BADGE_LEVELS.items():
        for value in ("none", "unknown", *(level for level, _ in levels)):
            said = t("report.maturity_level", level=t(f"badges.level.{value}"), n=t.number(summary[f"{badge}_{value}"]))
            assert said in page and said in text, said


def _in_order(lines: list[str], wanted: list[str]) -> bool:
    """Whether ``wanted`` are consecutive entries of ``lines`` (spaces made single)."""
    lines = [spaced(line).strip() for line in lines]
    return any(lines[i:i + len(wanted)] == wanted for i in range(len(lines)))


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_standard_for_public_code_in_the_maturity_section(demo_with_goals, lang):
    # Per checked criterion, the entity's repositories meeting it, not meeting it, and unknown, as
    # public_code_summary counts them: in the page's table and in the PDF's table rows alike.
    from warehouse.metrics.public_code_criteria import (
        CHECKED_CRITERIA,
        UNCHECKED_CRITERIA,
    )

    path, _world, entity = demo_with_goals
    con = open_readonly(path)
    try:
        cur = cursor(con)
        summary = metrics.public_code_summary(cur, metrics.Scope("entity", entity_id=entity)).iloc[0]
        page = report.html_report(cur, entity, lang)
        lines = pdf_lines(report.pdf_report(cur, entity, lang))
    finally:
        con.close()
    t = Translator(lang)
    text = spaced(" ".join(lines))
    section = page.split('<h4 id="public-code">')[1].split("</section>")[0]
    assert t("report.public_code_heading") in section and t("report.public_code_heading") in text
    intro = t("report.public_code_intro", n=t.number(len(CHECKED_CRITERIA)), repos=t.number(summary["repos"]))
    assert report._e(intro) in section and spaced(intro) in text
    header = [t("report.public_code_col_criterion"), t("public_code.outcome.met").capitalize(),
              t("public_code.outcome.not_met").capitalize(), t("public_code.outcome.unknown").capitalize()]
    assert _in_order(lines, header)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>'
                      r'<td class="num">([^<]+)</td></tr>', section)
    assert len(rows) == len(CHECKED_CRITERIA)
    for criterion, row in zip(CHECKED_CRITERIA, rows):
        counts = [summary[f"{criterion}_{o}"] for o in ("met", "not_met", "unknown")]
        assert sum(counts) == summary["repos"], criterion  # unknown apart, every repository once
        want = [t(f"public_code.criterion.{criterion}"), *(t.number(n) for n in counts)]
        assert list(row) == [report._e(want[0]), *want[1:]], criterion
        assert _in_order(lines, want), want
    # The criteria without a check are named as needing a person, never counted.
    for criterion in UNCHECKED_CRITERIA:
        name = t(f"public_code.criterion.{criterion}")
        assert report._e(name) in section and name in text and name not in [r[0] for r in rows]
    note = t("report.public_code_note", n=t.number(len(UNCHECKED_CRITERIA)),
             criteria=", ".join(t(f"public_code.criterion.{c}") for c in UNCHECKED_CRITERIA))
    assert report._e(note) in section and spaced(note) in text


# --------------------------------------------------------------------------- CLI


def test_cli_writes_html_and_pdf(demo_with_goals, tmp_path, monkeypatch):
    path, _world, entity = demo_with_goals
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli.main, ["report", "--entity", entity, "--db", str(path)])
    assert result.exit_code == 0, result.output
    written = tmp_path / f"ossdash-report-{entity}-en.html"
    assert sections(written.read_text(encoding="utf-8")).keys() == {"public_repos", "active_share", "osi_licence_share"}
    assert f"wrote ossdash-report-{entity}-en.html (3 goals)" in result.stderr
    result = runner.invoke(cli.main, ["report", "--entity", entity, "--lang", "de", "--format", "pdf",
                                      "--output", str(tmp_path / "rat.pdf")], env={"OSSDASH_DB": str(path)})
    assert result.exit_code == 0, result.output
    assert "Öffentliche Repositorien" in pdf_text((tmp_path / "rat.pdf").read_bytes())
    assert "(3 goals)" in result.stderr
    result = runner.invoke(cli.main, ["report", "--entity", entity, "--db", str(path), "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")


def test_cli_on_the_demo_warehouse_without_goals(demo_db, tmp_path, monkeypatch):
    path, world = demo_db
    monkeypatch.chdir(tmp_path)
    entity = world.entities[-1].id
    result = CliRunner().invoke(cli.main, ["report", "--entity", entity, "--db", str(path), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert "(0 goals)" in result.stderr
    assert "No goals have been set" in pdf_text((tmp_path / f"ossdash-report-{entity}-en.pdf").read_bytes())


def test_cli_errors_exit_2_with_a_helpful_message(demo_db, tmp_path, monkeypatch):
    path, world = demo_db
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli.main, ["report", "--entity", "atlantis", "--db", str(path)])
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "atlantis" in result.stderr and world.entities[0].id in result.stderr
    result = runner.invoke(cli.main, ["report", "--entity", "x", "--db", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "ossdash demo" in result.stderr and "ossdash collect" in result.stderr
    result = runner.invoke(cli.main, ["report", "--entity", "x", "--lang", "fr", "--db", str(path)])
    assert result.exit_code == cli.EXIT_BAD_INPUT and "fr" in result.output
    result = runner.invoke(cli.main, ["report", "--entity", "x", "--format", "docx", "--db", str(path)])
    assert result.exit_code == cli.EXIT_BAD_INPUT
    result = runner.invoke(cli.main, ["report", "--entity", world.entities[0].id, "--format", "pdf", "-o", "-",
                                      "--db", str(path)])
    assert result.exit_code == cli.EXIT_BAD_INPUT and "standard output" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written on an error


def test_cli_help_and_languages_agree_with_the_catalogue():
    assert cli.REPORT_LANGUAGES == i18n.LANGUAGES
    result = CliRunner().invoke(cli.main, ["--help"])
    assert "report" in result.output
    result = CliRunner().invoke(cli.main, ["report", "--help"])
    assert result.exit_code == 0 and "--entity" in result.output and "OSSDASH_DB" in result.output


# --------------------------------------------------------------------------- name, logo, health and peers


def _png(path, size=(24, 12)) -> bytes:
    from PIL import Image

    Image.new("RGB", size, (31, 78, 121)).save(path, format="PNG")
    return path.read_bytes()


def test_display_name_and_logo_from_the_registry(tmp_path):
    logo = _png(tmp_path / "wappen.png")
    (tmp_path / "fake.png").write_text("not an image", encoding="utf-8")
    text = REGISTRY.format(name=NAME).replace(
        'archetype = "local"\nemail_domains = ["kuestenstadt.example"]',
        'archetype = "local"\nemail_domains = ["kuestenstadt.example"]\n'
        'display_name = "Hansestadt Küstenstadt"\nlogo = "wappen.png"', 1,
    ).replace('name = "Gemeinde Ohneziele"', 'name = "Gemeinde Ohneziele"\nlogo = "fake.png"')
    (tmp_path / "cities.toml").write_text(text, encoding="utf-8")
    from collectors.registry import load_registry

    registry = load_registry(tmp_path / "cities.toml")
    assert registry.entity("kuestenstadt").logo == str(tmp_path / "wappen.png")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        migrate(con)
        sync_registry(con, registry)
        goals.sync_goals(con, registry)
        assert goals.entity_report(con, "kuestenstadt") == {
            "display_name": "Hansestadt Küstenstadt", "logo_type": "image/png", "logo": logo}
        # a file that is no PNG or JPEG, whatever its name, is left out
        assert goals.entity_report(con, "ohneziele")["logo"] is None
        page = report.html_report(con, ENTITY, "de", today=TODAY)
        pdf = report.pdf_report(con, ENTITY, "de", today=TODAY)
    finally:
        con.close()
    assert "<h1>Ziele: Hansestadt Küstenstadt</h1>" in page
    assert f'<p class="meta">{NAME} · DE · Kommune</p>' in page
    images = [attrs for tag, attrs in parse(page).tags if tag == "img"]
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")
    assert images[0]["alt"] == "Logo: Hansestadt Küstenstadt"
    assert re.search(rb"/Subtype\s*/Image", pdf) and "Hansestadt Küstenstadt" in pdf_text(pdf)


def test_health_score_history_and_place_among_peers(demo_with_goals):
    path, world, entity = demo_with_goals
    con = open_readonly(path)
    try:
        cur = cursor(con)
        built = report.build_report(cur, entity, "en")
        page = report.render_html(built)
        text = pdf_text(report.render_pdf(built))
        from warehouse import metrics

        archetype = next(e.archetype for e in world.entities if e.id == entity)
        scores = metrics.health_score(cur, Scope("entity", archetype=archetype))
        now = metrics.health_score(cur, Scope("entity", entity_id=entity))["score"].iloc[0]
    finally:
        con.close()
    peers = {e.id for e in world.entities if e.archetype == archetype}
    scored = sorted(((float(s), e) for e, s in zip(scores["entity_id"], scores["score"]) if not pd.isna(s)),
                    reverse=True)
    assert {e for _, e in scored} <= peers
    t = Translator("en")
    # today's score is the health score now; earlier points are month ends, marked reconstructed
    assert built.health[-1].source == "now" and built.health[-1].value == pytest.approx(now)
    # quarter ends, counted back from the last month end
    assert {p.source for p in built.health[:-1]} <= {"reconstructed", "observed"} and len(built.health) <= 5
    ends = [p.day for p in built.health[:-1]]
    assert all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 3 for a, b in itertools.pairwise(ends))
    assert t("report.health_now", score=t.number(now), when=t.date(built.as_of, "long")) in page
    rank = 1 + sum(1 for s, _ in scored if s > now)
    if len(scored) > 1:
        assert f"ranks {rank} of {len(scored)} with a score" in page
        names = dict(zip((e.id for e in world.entities), (e.name for e in world.entities)))
        listed = re.findall(r"<li(?: class=\"me\")?>([^<]+): [\d.,]+</li>", page.split('<ol class="peers">')[1].split("</ol>")[0])
        assert [report._e(names[e]) for _, e in scored] == listed
    assert t("report.health_heading") in text and t("report.health_note").split(";")[0] in text


def test_a_warehouse_before_the_report_table_still_reports(tmp_path):
    """A warehouse made before migration 010 (no entity_report table): no display name, no logo."""
    path = tmp_path / "old.duckdb"
    build(path)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE entity_report")
    try:
        assert goals.entity_report(con, ENTITY) == {"display_name": None, "logo_type": None, "logo": None}
        assert f"<h1>Goals of {NAME}</h1>" in report.html_report(con, ENTITY, "en", today=TODAY)
    finally:
        con.close()
