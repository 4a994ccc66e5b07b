"""Hostile input, end to end: forge text and publiccode.yml files built to break a parser, a page,
a report or a spreadsheet are collected from the simulator, stored, and shown inert; injection
strings through every warehouse query function and every URL parameter change nothing.

One warehouse is collected per module from a small simulator world in which hostile text was
planted first (repository descriptions and topics, issue and release titles, a person's login and
name, an entity's name, and a dozen publiccode.yml files), so the runtime stays small.
"""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import json
import random
import re
import shutil
import sys
import threading
import typing
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import duckdb
import pandas as pd
import pytest
from playwright.sync_api import sync_playwright
from streamlit.testing.v1 import AppTest

from collectors import publiccode
from collectors.base import publiccode_record
from collectors.registry import load_registry
from collectors.simulator import ForgeSimulator, World
from dashboard import export, report
from dashboard.filters import repo_key
from dashboard.text import MAX_SHOWN_CHARS, md_escape
from tests.browser_support import (
    CHROMIUM_ARGS,
    VIEWPORT,
    WAIT_MS,
    DashboardServer,
    Tab,
    injected_elements,
    require_chromium,
)
from warehouse import (
    goals,
    metrics,
    reader,
    reuse,
)
from warehouse.metrics import Scope
from warehouse.pages import activity_figures, directory, repository, run_log
from warehouse.pipeline import collect

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
COLLECT_TIMEOUT_S = 240  # the collection must finish: a parser that hangs fails the test, not the suite

# --------------------------------------------------------------------------- the hostile text

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(document.cookie)"
JS_LINK = f"[click me]({JS_URL})"
MD_IMAGE = "![pixel](https://tracker.invalid/pixel.png)"
MD_LINK = "[the docs](https://phish.invalid/login)"
AUTOLINK = "<https://phish.invalid/auto>"
FORMULA = "=cmd|' /C calc'!A0"
CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f"
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u2067rtl\u2069 \u2068fsi\u2069"
ZERO_WIDTH = "zero\u200bwidth\u200c\u200d\ufeff"
HTML_ENTITY = "&lt;b&gt; &#60;script&#62;"
STREAMLIT_DIRECTIVE = ":red[alarm] :material/warning: $x^2$"

PIECES = (FORMULA, SCRIPT, IMG, JS_LINK, MD_IMAGE, MD_LINK, AUTOLINK, CONTROL, BIDI, ZERO_WIDTH, HTML_ENTITY,
          STREAMLIT_DIRECTIVE)
# Every piece in one line; a CSV formula only works at the start of a cell, so it comes first.
HOSTILE = " ".join(PIECES)
MEGA = SCRIPT + "x" * 1_500_000 + IMG  # a 1.5 MB description
# An entity name comes from the registry, which refuses control and direction characters in it.
ENTITY_NAME = f"{FORMULA} {SCRIPT} {IMG} {JS_LINK} {MD_IMAGE} {STREAMLIT_DIRECTIVE}"
LOGIN = 'evil"><svg onload=alert(1)>'
RELEASE_TAG = "v6.6.6-hostile"

# publiccode.yml files, each planted on its own repository.
_VALID_HEAD = """publiccodeYmlVersion: "0.4"
url: "https://example.org/hostile.git"
platforms: [web]
developmentStatus: stable
softwareType: standalone/web
legal: {license: EUPL-1.2}
maintenance: {type: community, contacts: [{name: "Maintainer"}]}
localisation: {localisationReady: true, availableLanguages: [en]}
"""


def _yaml_text(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar, escapes and all


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    return "\n".join(lines) + "\nname: *j\n"


def _garbage(seed: int, size: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0, 256)) for _ in range(size))


PUBLICCODE = {
    "hostile_text": _VALID_HEAD
    + f"name: {_yaml_text(HOSTILE)}\n"
    + f"landingURL: {_yaml_text(JS_URL)}\n"
    + f"usedBy: [{_yaml_text(SCRIPT)}, {_yaml_text(FORMULA)}, {_yaml_text(JS_LINK)}, {_yaml_text(BIDI)}]\n"
    + f"isBasedOn: [{_yaml_text(JS_URL)}, {_yaml_text(MD_LINK)}]\n"
    + "description:\n  en:\n"
    + f"    shortDescription: {_yaml_text(SCRIPT + IMG)}\n"
    + f"    longDescription: {_yaml_text((MD_IMAGE + ' ' + JS_LINK + ' ') * 5)}\n"
    + f"    features: [{_yaml_text(IMG)}]\n"
    + f"    documentation: {_yaml_text(JS_URL)}\n",
    "billion_laughs": _billion_laughs(),
    "deep_nesting": "name: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep_mapping": "name: " + "{a: " * 10_000 + "leaf" + "}" * 10_000 + "\n",
    "wrong_types": "publiccodeYmlVersion: 0.4\nname: [1, 2]\nusedBy: 5\nurl: {a: b}\nlegal: x\n"
    "maintenance: [1]\ndescription: 7\nlocalisation: true\nplatforms: 3\n",
    "nulls": "publiccodeYmlVersion: ~\nname: null\nusedBy: [null, ~]\nurl:\ndescription: {en: null}\n"
    "legal: {license: null}\nmaintenance: {type: null, contacts: [null]}\n",
    "megabyte_string": _VALID_HEAD + f"name: {_yaml_text('y' * 400_000)}\n",
    "ten_megabytes": "name: " + "z" * (10 * 1024 * 1024) + "\n",
    "binary_garbage": _garbage(1, 20_000),
    "python_tag": "name: !!python/object/apply:os.system ['echo pwned']\nusedBy: !!binary aGVsbG8=\n",
    "control_keys": f"{_yaml_text(CONTROL + BIDI)}: 1\nname: {_yaml_text(CONTROL + BIDI + ZERO_WIDTH)}\n",
    "recursive_alias": "a: &a [*a]\nname: x\n",
}
# Not served by the simulator (it sends text as UTF-8): checked on the parser and the record.
NON_UTF8 = "name: Stra\xdfe\nusedBy: [M\xfcnchen]\n".encode("latin-1")

INJECTIONS = (
    "x' OR '1'='1",
    "'; DROP TABLE repos; --",
    'x"); SELECT * FROM cursors; --',
)
# The three at once, for the default suite: a single quote that widens a filter then ends the
# statement, a double quote that leaves an identifier; each of the others is tried under -m matrix.
ALL_IN_ONE = "x' OR '1'='1'; DROP TABLE repos; --\"); SELECT * FROM cursors; --"
MORE_INJECTIONS = (
    "' UNION SELECT table_name FROM information_schema.tables --",
    "$entity_id",
    "?",
    "{evidence}",
    "%s%s%s",
    "\\'; DELETE FROM repos; --",
    "github:x/../../etc/passwd",
    "x\x00'; DROP TABLE items; --",
)


# --------------------------------------------------------------------------- the warehouse


def _candidates(world: World, forges: tuple[str, ...]) -> list:
    shared = {r.mirror_of.partition(":")[2] for r in world.repos if r.mirror_of}
    return [r for r in world.repos if r.forge in forges and r.stage not in ("empty",) and not r.mirror_of
            and not r.is_fork and r.path not in shared]


def _plant(world: World) -> dict:
    """Plant hostile text everywhere a forge can put text; return where it went."""
    github = _candidates(world, ("github",))
    gitlab = _candidates(world, ("gitlab", "opencode"))
    text_repo, mega_repo = github[0], gitlab[0]
    entity_id = next(a.entity_id for a in world.accounts if (a.forge, a.path) == (text_repo.forge, text_repo.account))
    domain = next(e.email_domain for e in world.entities if e.id == entity_id)

    text_repo.description = HOSTILE
    text_repo.topics = [SCRIPT, FORMULA, JS_URL, BIDI]
    mega_repo.description = MEGA
    world.add_person(LOGIN, HOSTILE, f"evil@{domain}", entity_id)
    world.add_commits(text_repo.forge, text_repo.path, 3, author_login=LOGIN)
    # Opened a month ago and never answered: the attention list shows them.
    issue = text_repo.item("issue", world.add_item(text_repo.forge, text_repo.path, "issue", author_login=LOGIN))
    change = mega_repo.item("change_request", world.add_item(mega_repo.forge, mega_repo.path, "change_request"))
    for item in (issue, change):
        item.title = HOSTILE
        item.created_at = world.now - timedelta(days=30)
    world.add_release(text_repo.forge, text_repo.path, RELEASE_TAG)
    text_repo.releases[0].name = HOSTILE

    files = {}
    pool = [r for r in github[1:] + gitlab[1:]]
    assert len(pool) >= len(PUBLICCODE), "the world has too few repositories for the publiccode cases"
    for (case, content), repo in zip(PUBLICCODE.items(), pool):
        world.set_file(repo.forge, repo.path, "publiccode.yml", content)
        files[case] = repo
    # The repository with hostile text carries the hostile (but parseable) publiccode.yml too.
    world.set_file(text_repo.forge, text_repo.path, "publiccode.yml", PUBLICCODE["hostile_text"])
    return {"text_repo": text_repo, "mega_repo": mega_repo, "entity_id": entity_id, "files": files}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    world = World(seed=7, activity_scale=0.15)
    planted = _plant(world)
    path = tmp_path_factory.mktemp("hostile") / "ossdash.duckdb"
    outcome: dict = {}
    with ForgeSimulator(world) as sim:
        toml = sim.registry_toml(goals=True)
        old = next(e.name for e in world.entities if e.id == planted["entity_id"])
        assert f'name = "{old}"' in toml
        toml = toml.replace(f'name = "{old}"', "name = " + json.dumps(ENTITY_NAME), 1)
        registry_file = path.with_name("hostile.toml")
        registry_file.write_text(toml, encoding="utf-8")

        def run() -> None:
            try:
                outcome["summary"] = collect(load_registry(registry_file), path)
            except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(COLLECT_TIMEOUT_S)
        assert not worker.is_alive(), f"collection still running after {COLLECT_TIMEOUT_S} s"
    if "error" in outcome:
        raise outcome["error"]
    return {**planted, "path": path, "world": world, "summary": outcome["summary"]}


@pytest.fixture(scope="module")
def con(hostile):
    connection = reader.open_readonly(hostile["path"])
    yield reader.cursor(connection)
    connection.close()


def _key(repo, host: str) -> str:
    return repo_key(repo.forge, host, repo.path)


def _host(con, forge: str) -> str:
    return con.execute("SELECT DISTINCT host FROM repos WHERE forge = ?", [forge]).fetchall()[0][0]


# --------------------------------------------------------------------------- collected and stored


def test_the_collection_finishes_and_stores_the_text_verbatim(hostile, con):
    summary = hostile["summary"]
    assert summary.status == "ok", [(a.owner, a.status, a.errors) for a in summary.accounts]
    text_repo, mega_repo = hostile["text_repo"], hostile["mega_repo"]
    # No cap on forge text: it is stored as the forge sent it, control and bidi characters included.
    assert con.execute("SELECT description, topics FROM repos WHERE forge = ? AND path = ?",
                       [text_repo.forge, text_repo.path]).fetchall() == [(HOSTILE, text_repo.topics)]
    assert con.execute("SELECT description FROM repos WHERE forge = ? AND path = ?",
                       [mega_repo.forge, mega_repo.path]).fetchall() == [(MEGA,)]
    assert con.execute("SELECT count(*) FROM items WHERE title = ?", [HOSTILE]).fetchall() == [(2,)]
    assert con.execute("SELECT name FROM releases WHERE tag = ?", [RELEASE_TAG]).fetchall() == [(HOSTILE,)]
    authors = con.execute("SELECT DISTINCT author_name FROM commits WHERE author_login = ?", [LOGIN]).fetchall()
    assert authors == [(HOSTILE,)]
    assert con.execute("SELECT name FROM entities WHERE entity_id = ?", [hostile["entity_id"]]).fetchall() == [
        (ENTITY_NAME,)]


def _stored_publiccode(con, repo) -> dict:
    cur = con.execute("SELECT * FROM publiccode WHERE forge = ? AND repo_path = ?", [repo.forge, repo.path])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (repo.path, rows)
    return dict(zip(names, rows[0]))


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("billion_laughs", "alias"),
        ("deep_nesting", "nesting deeper"),
        ("deep_mapping", "nesting deeper"),
        ("wrong_types", "name: expected a string, got a list"),
        ("nulls", "name: required key missing"),
        ("ten_megabytes", "too large"),
        ("binary_garbage", "not a text file"),
        ("python_tag", "not allowed"),
        ("recursive_alias", "recursive alias"),
        ("control_keys", "required key missing"),
    ],
)
def test_a_hostile_publiccode_file_is_recorded_invalid_with_its_errors(hostile, con, case, error):
    stored = _stored_publiccode(con, hostile["files"][case])
    assert stored["valid"] is False
    assert stored["errors"], case
    assert any(error in e for e in stored["errors"]), stored["errors"]
    assert len(stored["errors"]) <= publiccode.MAX_ERRORS
    assert all(len(e) < 2_000 for e in stored["errors"])  # errors quote the input only in part
    assert len(stored["raw"] or "") <= 2 * publiccode.MAX_STRING_CHARS + 10_000
    # What was parsed holds no control character but tab, newline and carriage return (JSON escapes).
    assert not re.search(r"\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])", stored["raw"] or ""), case
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", stored["raw"] or ""), case


def test_hostile_publiccode_text_is_kept_as_text_and_long_strings_are_capped(hostile, con):
    stored = _stored_publiccode(con, hostile["text_repo"])
    # Control characters other than tab, newline and carriage return are removed; the rest stays.
    kept = HOSTILE.replace(CONTROL, "\t\n\r")
    assert "\x00" not in stored["raw"] and "\\u0000" not in stored["raw"]
    assert stored["name"] == kept
    assert stored["used_by"] == [SCRIPT, FORMULA, JS_LINK, BIDI]
    assert any("landingURL" in e for e in stored["errors"])  # a javascript: URL is not a valid URL
    long = _stored_publiccode(con, hostile["files"]["megabyte_string"])
    assert long["name"] == "y" * publiccode.MAX_STRING_CHARS  # the documented cap per string
    assert not long["valid"]


def test_non_utf8_and_oversized_input_is_refused_without_parsing():
    info = publiccode.parse_publiccode(NON_UTF8)
    assert not info.valid and info.name is None and info.errors
    record = publiccode_record("github", "127.0.0.1", "x/y", None, NON_UTF8)
    assert record.valid is False and record.errors == info.errors
    big = b"name: " + b"z" * (publiccode.MAX_INPUT_BYTES + 1)
    assert any("too large" in e for e in publiccode.parse_publiccode(big).errors)
    assert publiccode.parse_publiccode(b"\xff\xfe\x00\x00garbage").valid is False


# --------------------------------------------------------------------------- shown inert


_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[<\[\]!`*_$:]")


def _live_markup(text: str) -> list[str]:
    """Pieces of ``text`` that Markdown would turn into HTML, links, images or directives.

    Forge text reaches Markdown elements through ``md_escape``, which backslash-escapes every
    punctuation character; so any planted markup character left unescaped is live."""
    live = []
    for piece in ("<script", "<img", "<svg", "onerror=", "onload=", "](javascript", "](https://phish",
                  "](https://tracker", "<https://phish", ":red[", ":material/warning"):
        start = text.find(piece)
        while start != -1:
            # A piece is inert when its first markup character is backslash-escaped.
            first = next(i for i in range(start, start + len(piece)) if not text[i].isalnum())
            escapes = len(text[:first]) - len(text[:first].rstrip("\\"))
            if escapes % 2 == 0:
                live.append(text[max(0, start - 20):start + 40])
            start = text.find(piece, start + 1)
    return live


def test_the_markup_check_sees_live_markup_and_passes_escaped_text():
    live = _live_markup(HOSTILE)
    for piece in ("<script", "<img", "](javascript", "](https://phish", "](https://tracker", ":red["):
        assert any(piece in found for found in live), piece
    assert _live_markup("\\" + SCRIPT) == [] and _live_markup("\\\\" + SCRIPT) != []
    assert _live_markup(md_escape(HOSTILE)) == []
    assert _live_markup(md_escape(ENTITY_NAME)) == []


def _markdown_values(at: AppTest) -> list[str]:
    values = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                 "latex"):
        values += [str(e.value) for e in getattr(at, kind)]
    for widget in ("selectbox", "multiselect", "button", "checkbox", "radio", "metric", "expander", "tabs"):
        for e in getattr(at, widget):
            values.append(str(getattr(e, "label", "")))
            values.append(str(getattr(e, "help", "") or ""))
    return values


BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _assert_inert(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    for value in _markdown_values(at):
        assert _live_markup(value) == [], value[:300]
        # A bidi override in a heading or paragraph would reorder the page's own text around it.
        assert not BIDI_CONTROLS.search(value), value[:300]
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value), value[:300]


def _open(hostile, monkeypatch, page: str, **params) -> AppTest:
    monkeypatch.setenv("OSSDASH_DB", str(hostile["path"]))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"views/{page}.py")
    return at


PAGES = ("overview", "entity", "project", "attention", "reuse", "goals", "status")


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_hostile_forge_text_inert(hostile, con, monkeypatch, page):
    text_repo = hostile["text_repo"]
    params = {"entity": hostile["entity_id"], "lang": "en"}
    if page == "project":
        params["repo"] = _key(text_repo, _host(con, text_repo.forge))
    at = _open(hostile, monkeypatch, page, **params)
    at.run()
    _assert_inert(at)
    shown = [df.value for df in at.dataframe]
    cells = {str(v) for df in shown for col in df.columns for v in df[col] if isinstance(v, str)}
    if page == "entity":
        assert HOSTILE in cells  # a table cell is plain text: the description shown as stored
    if page == "project":
        assert md_escape(HOSTILE) in [m.value for m in at.markdown]
        assert HOSTILE in cells  # the release name
    if page in ("entity", "goals"):
        assert any(md_escape(ENTITY_NAME) in h.value for h in at.header)
    # Link columns only ever hold http(s) addresses (other columns are plain text).
    links = _link_cells(at)
    assert all(v is None or re.match(r"^https?://[^\s]+$", v) for v in links), [v for v in links if v][:5]
    if page in ("entity", "attention"):
        assert links, f"{page}: no link column to check"


def _link_cells(at: AppTest) -> list[str | None]:
    cells = []
    for df in at.dataframe:
        config = json.loads(df.proto.columns or "{}")
        for col, spec in config.items():
            if spec.get("type_config", {}).get("type") == "link" and col in df.value.columns:
                cells += [v if isinstance(v, str) else None for v in df.value[col]]
    return cells


def test_a_megabyte_description_is_shown_cut_and_kept_whole_in_the_table(hostile, con, monkeypatch):
    mega_repo = hostile["mega_repo"]
    owner = next(a.entity_id for a in hostile["world"].accounts
                 if (a.forge, a.path) == (mega_repo.forge, mega_repo.account))
    at = _open(hostile, monkeypatch, "project", entity=owner, repo=_key(mega_repo, _host(con, mega_repo.forge)),
               lang="en")
    at.run()
    _assert_inert(at)
    shown = [m.value for m in at.markdown if m.value.startswith(md_escape(SCRIPT))]
    assert len(shown) == 1, [m.value[:80] for m in at.markdown]
    assert shown[0].endswith("…") and len(shown[0].replace("\\", "")) == MAX_SHOWN_CHARS
    entity_page = _open(hostile, monkeypatch, "entity", entity=owner, lang="en")
    entity_page.run()
    _assert_inert(entity_page)
    cells = {v for df in entity_page.dataframe for col in df.value.columns for v in df.value[col]
             if isinstance(v, str)}
    assert MEGA in cells


def test_attention_page_lists_the_hostile_issue_as_text(hostile, monkeypatch):
    at = _open(hostile, monkeypatch, "attention", entity=hostile["entity_id"], lang="en")
    at.run()
    _assert_inert(at)
    cells = {v for df in at.dataframe for col in df.value.columns for v in df.value[col] if isinstance(v, str)}
    assert any(HOSTILE in c or LOGIN in c for c in cells), "the hostile issue or its author is not listed"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_council_report_shows_the_hostile_entity_name_inert(hostile, con, lang):
    built = report.build_report(con, hostile["entity_id"], lang)
    page = report.render_html(built)
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg onload" not in lowered
    assert "onerror=" not in lowered.replace("onerror=alert(1)&gt;", "")
    parsed = _Tags()
    parsed.feed(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "img", "iframe", "object", "embed"), (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text")), (tag, attrs)
    text = "".join(parsed.text)
    assert SCRIPT in text and IMG in text  # shown, as text
    assert not BIDI_CONTROLS.search(page), "a bidi override would reorder the report's own text"
    pdf = report.render_pdf(built)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1_000


def test_csv_downloads_keep_formulas_as_text(hostile, con):
    text_repo = hostile["text_repo"]
    host = _host(con, text_repo.forge)
    frames = [
        activity_figures.entity_repos(con, hostile["entity_id"]),
        repository.repo_releases(con, repo=(text_repo.forge, host, text_repo.path)),
        metrics.attention_list(con, Scope(entity_id=hostile["entity_id"])),
        directory.entities(con),
        repository.repo_publiccode(con, repo=(text_repo.forge, host, text_repo.path)),
    ]
    formula_cells = 0
    csv.field_size_limit(sys.maxsize)  # the 1.5 MB description is one cell
    for df in frames:
        rows = list(csv.reader(io.StringIO(export.csv_bytes(df).decode("utf-8"))))
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _number(cell), cell[:80]
                formula_cells += cell.startswith("'=")
    assert formula_cells >= 3  # the description, the release name and the entity name at least


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- SQL injection


MODULES = (directory, activity_figures, repository, run_log, metrics, reuse, goals)
# Functions that write (the collector's steps) or take no connection are not query functions.
_WRITERS = re.compile(r"^(refresh_|write_|sync_|register_|reconstruct_)")
FILTERS = {"entity_id", "country", "archetype", "forge", "repo", "key", "metric"}


def query_functions() -> list[tuple[str, typing.Callable]]:
    found = []
    for module in MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            # A package's functions live in its modules (warehouse.metrics.health, ...).
            own = fn.__module__ == module.__name__ or fn.__module__.startswith(module.__name__ + ".")
            if not own or name.startswith("_") or _WRITERS.match(name):
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "con":
                found.append((f"{module.__name__.rsplit('.', 1)[1]}.{name}", fn))
    return found


def _string_params(fn) -> dict[str, str]:
    """name -> 'str' or 'seq' for every parameter that takes text."""
    out = {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:
        note = str(param.annotation)
        if note == "Scope":
            out[name] = "scope"
        elif "Mapping[str, Any]" in note:
            out[name] = "filters"
        elif "Sequence[str]" in note:
            out[name] = "seq"
        elif re.search(r"\bstr\b", note) and "datetime" not in note:
            out[name] = "str"
    return out


def _required(fn) -> dict:
    """Values for required parameters that are not text (a required ``now``)."""
    out = {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:
        if param.default is inspect.Parameter.empty and name == "now":
            out[name] = None
    return out


def _baseline(fn, con):
    args = _required(fn)
    strings = _string_params(fn)
    for name, kind in strings.items():
        param = inspect.signature(fn).parameters[name]
        if param.default is inspect.Parameter.empty:
            args[name] = {"str": "", "seq": ("", "", ""), "filters": {}}[kind]
    return args


def _shape(result):
    if isinstance(result, pd.DataFrame):
        return ("frame", tuple(result.columns))
    if isinstance(result, dict):
        return ("dict",)
    return (type(result).__name__,)


def _empty(result) -> bool:
    """Whether an answer holds nothing: no rows, or only a calendar of zeros (months with no activity)."""
    if result is None:
        return True
    if isinstance(result, pd.DataFrame):
        values = result.select_dtypes(exclude=["datetime", "datetimetz"])
        return result.empty or bool(values.apply(lambda c: c.isna() | (c == 0)).all().all())
    if isinstance(result, dict):
        return not result or all(not v for v in result.values())
    return not result


def _fingerprint(con) -> dict:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "ORDER BY table_name").fetchall()]
    return {t: con.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{t}"').fetchall()[0] for t in tables}


# A scope's text: every filter of it in turn.
SCOPE_FILTERS = ("entity_id", "archetype", "country", "forge", "repo")


def _calls(fn, con, strings: tuple[str, ...]):
    """(parameter, injection, kwargs) for each text parameter of ``fn`` and each injection."""
    base = _baseline(fn, con)
    for name, kind in _string_params(fn).items():
        for bad in strings:
            if kind == "scope":
                # At the function's own level, so that the answer has the baseline's shape.
                default = inspect.signature(fn).parameters[name].default
                level = default.level if isinstance(default, Scope) else "repo"
                for field in SCOPE_FILTERS:
                    kwargs = dict(base)
                    kwargs[name] = Scope(level, **{field: (bad, bad, bad) if field == "repo" else bad})
                    yield field, bad, kwargs
                continue
            kwargs = dict(base)
            kwargs[name] = {"str": bad, "seq": (bad, bad, bad), "filters": {"entity_id": bad}}[kind]
            yield name, bad, kwargs


def _inject(con, strings: tuple[str, ...]) -> dict:
    """Call every query function with every injection in every text parameter; return counts."""
    counts = {"functions": 0, "calls": 0, "refused": 0}
    problems = []
    for label, fn in query_functions():
        counts["functions"] += 1
        base = _baseline(fn, con)
        baseline = fn(con, **base)
        for name, bad, kwargs in _calls(fn, con, strings):
            counts["calls"] += 1
            try:
                result = fn(con, **kwargs)
            except ValueError as exc:  # a clear refusal of a value outside a fixed list
                counts["refused"] += 1
                if isinstance(exc, duckdb.Error) or not str(exc):
                    problems.append(f"{label}({name}={bad!r}): {type(exc).__name__}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - any other error is a finding, listed below
                problems.append(f"{label}({name}={bad!r}): {type(exc).__name__}: {str(exc)[:200]}")
                continue
            optional = "None" in str(inspect.signature(fn).return_annotation)
            if result is None and optional:
                continue  # "no such row", e.g. an entity that does not exist
            if _shape(result) != _shape(baseline):
                problems.append(f"{label}({name}={bad!r}): shape {_shape(result)} != {_shape(baseline)}")
            elif name in FILTERS and not _empty(result):
                problems.append(f"{label}({name}={bad!r}): rows matched an injection string")
    assert problems == [], "\n".join(problems)
    return counts


@pytest.fixture(scope="module")
def warehouse_copy(hostile, tmp_path_factory):
    copy = tmp_path_factory.mktemp("injection") / "copy.duckdb"
    shutil.copy(hostile["path"], copy)
    return copy


def test_every_query_function_is_enumerated():
    names = {label for label, _ in query_functions()}
    # A sample the dashboard relies on; the enumeration itself guarantees the rest.
    assert {"activity_figures.entity_repos", "directory.find_repo", "metrics.health_score", "reuse.entity_edges",
            "goals.goal_progress", "run_log.run_errors"} <= names
    # Those that take no text at all have nothing to inject into; they are few and read no filter.
    untexted = {label for label, fn in query_functions() if not _string_params(fn)}
    assert len(untexted) < len(names) / 3, untexted


def test_injection_strings_through_every_query_function_change_nothing(warehouse_copy):
    before = hashlib.sha256(warehouse_copy.read_bytes()).hexdigest()
    connection = reader.open_readonly(warehouse_copy)
    try:
        con = reader.cursor(connection)
        fingerprint = _fingerprint(con)
        counts = _inject(con, (ALL_IN_ONE,))
        assert _fingerprint(con) == fingerprint
    finally:
        connection.close()
    assert hashlib.sha256(warehouse_copy.read_bytes()).hexdigest() == before
    assert counts["functions"] >= 40 and counts["calls"] >= 100, counts


@pytest.mark.matrix  # the read-only run above already fails on any statement an injection smuggles in
def test_injection_on_a_writable_connection_drops_nothing(warehouse_copy, tmp_path):
    # A read-only connection would refuse a smuggled DROP; a writable one would run it.
    path = tmp_path / "writable.duckdb"
    shutil.copy(warehouse_copy, path)
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        fingerprint = _fingerprint(con)
        _inject(con, ("x'); DROP TABLE repos; DELETE FROM cursors; --",))
        assert _fingerprint(con) == fingerprint


@pytest.mark.matrix
def test_more_injection_strings_through_every_query_function(warehouse_copy):
    connection = reader.open_readonly(warehouse_copy)
    try:
        con = reader.cursor(connection)
        fingerprint = _fingerprint(con)
        _inject(con, INJECTIONS + MORE_INJECTIONS + (HOSTILE, MEGA[:100_000]))
        assert _fingerprint(con) == fingerprint
    finally:
        connection.close()


# --------------------------------------------------------------------------- URL parameters

URL_PARAMS = ("entity", "repo", "reason", "kinds", "country", "archetype", "forge", "period", "lang")


@pytest.mark.parametrize("page", PAGES)
def test_hostile_url_parameters_are_reported_as_text_and_ignored(hostile, monkeypatch, page):
    bad = INJECTIONS[0] + " " + SCRIPT + " " + JS_LINK + " " + BIDI
    at = _open(hostile, monkeypatch, page, **{name: bad for name in URL_PARAMS})
    at.run()
    _assert_inert(at)
    warnings = [w.value for w in (*at.warning, *at.sidebar.warning)]
    assert any(md_escape(bad) in w for w in warnings), warnings  # reported, literally
    # Ignored: the filters fall back to all, the period to its default, a choice to its first
    # option, and the URL is rewritten with what is shown.
    chosen = {"entity": ("entity", "project", "attention", "goals"), "repo": ("project",),
              "reason": ("attention",), "kinds": ("reuse",)}
    for name in URL_PARAMS:
        if name in chosen and page not in chosen[name]:
            continue  # a page that does not read it leaves it alone
        assert at.query_params.get(name) != bad, name


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser_tab(hostile, tmp_path_factory):
    executable = require_chromium()
    log = tmp_path_factory.mktemp("hostile-browser") / "server.log"
    with DashboardServer(hostile["path"], log) as server, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(viewport=VIEWPORT)
            context.set_default_timeout(WAIT_MS)
            yield Tab(context.new_page(), server.url)
        finally:
            chromium.close()


_LIVE_LINKS_JS = """() => [...document.querySelectorAll('a[href], img[src], iframe, object, embed, svg[onload]')]
    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.outerHTML.slice(0, 120))
    .filter(u => /^(javascript|data|vbscript):|phish\\.invalid|tracker\\.invalid|^x$/i.test(u.trim()))"""


def test_in_the_browser_hostile_text_makes_no_element_link_or_dialog(hostile, con, browser_tab):
    tab, page = browser_tab, browser_tab.page
    text_repo = hostile["text_repo"]
    key = quote(_key(text_repo, _host(con, text_repo.forge)), safe="")
    bad = quote(INJECTIONS[0] + " " + SCRIPT + " " + JS_LINK, safe="")
    for path in (f"/project?entity={hostile['entity_id']}&repo={key}&lang=en",
                 f"/entity?entity={hostile['entity_id']}&lang=en",
                 f"/attention?entity={hostile['entity_id']}&lang=en",
                 f"/reuse?kinds={bad}&country={bad}&lang=en",
                 f"/goals?entity={bad}&forge={bad}&lang=en"):
        tab.open(path)
        page.wait_for_timeout(300)  # time for a broken image to fire its onerror, had one been made
        assert injected_elements(page) == [], path
        assert page.evaluate(_LIVE_LINKS_JS) == [], path
        assert tab.problems() == [], path
        if path.startswith("/project"):
            # The description, literally: its Markdown links and image are text on screen (a bare
            # address holds an invisible word joiner, which keeps it from becoming a link).
            shown = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
            for piece in (SCRIPT, IMG, JS_LINK, MD_IMAGE, MD_LINK, AUTOLINK, FORMULA, STREAMLIT_DIRECTIVE):
                assert piece in shown, piece
