"""Helpers for the real-browser tests (tests/test_browser.py): the dashboard served by
`ossdash serve`, Debian's Chromium driven by Playwright, and waiting for Streamlit.

Playwright never downloads a browser here: it launches the system's Chromium (Debian's `chromium`
package), which `.ci/run` installs. Without it the browser tests fail with a message saying so.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM = Path("/usr/bin/chromium")
# The only hosts a page of the dashboard may ask anything of.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# Headless without a sandbox (CI runs as root) and without any of Chromium's background traffic:
# on a machine without network access these connections would otherwise stall the browser.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_SECONDS = 60
WAIT_MS = 30_000

# Streamlit's frontend marks its root element with the state of the script run and of the
# connection (see `data-test-script-state` in Streamlit's frontend): "initial" before the first
# run, then "running" / "notRunning". Elements that are still being loaded (lazy components)
# show a skeleton, and elements of a run being replaced are marked stale.
_READY_JS = """
(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stException"]')) return true;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || !h1.getClientRects().length) return false;
  return title === null || h1.innerText.trim() === title;
}
"""

# Streamlit's exception box, error alerts (st.error and the like), and modals: no page opens one
# unasked, and Streamlit's own say what went wrong ("Page not found").
_PROBLEMS_JS = """
() => [
  ...[...document.querySelectorAll('[data-testid="stException"]')].map(e => ['exception', e.innerText]),
  ...[...document.querySelectorAll('[data-testid="stAlertContentError"]')].map(e => ['error', e.innerText]),
  ...[...document.querySelectorAll('[data-testid="stDialog"]')].map(e => ['modal', e.innerText]),
]
"""

_STATE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    script: app && app.getAttribute('data-test-script-state'),
    connection: app && app.getAttribute('data-test-connection-state'),
    headings: [...document.querySelectorAll('[data-testid="stMain"] h1')].map(h => h.innerText.trim()),
    url: location.href,
  };
}
"""


# Goals for every entity, as a council would set them in the registry (the simulator's registry
# sets none): the goals page then has a trend chart to draw for whichever entity it opens with.
GOALS = (
    ("public_repos", 20, date(2028, 6, 30)),
    ("osi_licence_share", 0.9, date(2027, 12, 31)),
)


def warehouse_with_goals(source: Path, world, dest: Path) -> Path:
    """A copy of the collected warehouse ``source`` whose registry gives every entity ``GOALS``,
    with the goals and their snapshots written as a collection run writes them."""
    import duckdb

    from collectors.registry import parse_registry
    from warehouse import goals

    block = "".join(
        f'\n[[entity.goal]]\nmetric = "{metric}"\ntarget = {target}\ndeadline = {deadline.isoformat()}\n'
        for metric, target, deadline in GOALS
    )
    # Each entity's goal tables go at the end of its own block, before the next "[[entity]]".
    text = "[[entity]]".join(part + block if i else part for i, part in
                             enumerate(world.registry_toml("http://127.0.0.1:9").split("[[entity]]")))
    registry = parse_registry(text, "browser-goals.toml")
    assert all(e.goals for e in registry.entities)
    shutil.copy(source, dest)
    with duckdb.connect(str(dest)) as con:
        goals.sync_goals(con, registry)
        goals.write_snapshots(con, registry, refresh=False)
    return dest


def require_chromium() -> str:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Debian's Chromium is not installed ({CHROMIUM} is missing). The browser tests drive it "
            "through Playwright and never download a browser: install it with "
            "`apt-get install --no-install-recommends chromium` (.ci/run does this).",
            pytrace=False,
        )
    return str(CHROMIUM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ossdash() -> str:
    here = Path(sysconfig.get_path("scripts")) / "ossdash"
    if here.is_file():
        return str(here)
    found = shutil.which("ossdash")
    if found is None:
        pytest.fail("the `ossdash` command is not installed: run `pip install -e '.[test]'`", pytrace=False)
    return found


class DashboardServer:
    """`ossdash serve --db DB --port PORT` in its own process group, up until the block ends."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db = db
        self.log_path = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        command = [_ossdash(), "serve", "--db", str(self.db), "--port", str(self.port)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: the Streamlit child can be stopped with it
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"`ossdash serve` exited with code {self.process.returncode} before it answered:\n"
                    + self.log_tail(),
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        pytest.fail(
            f"`ossdash serve` did not answer on {self.url}/_stcore/health within {SERVER_START_SECONDS} s:\n"
            + self.log_tail(),
            pytrace=False,
        )

    def stop(self) -> None:
        """Terminate `ossdash serve` (it stops Streamlit), then kill whatever of its group is left."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the group this test started, and only it
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()


class Tab:
    """One browser page with what it reported: dialogs (dismissed) and uncaught script errors."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.dialogs: list[str] = []
        self.script_errors: list[str] = []
        self.outside: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("request", self._request)

    def _request(self, request) -> None:
        # Public bodies must not hand their visitors' addresses to third parties: no font, icon
        # or script may come from anywhere but the server itself.
        parsed = urlsplit(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            self.outside.append(request.url)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str) -> None:
        """Load ``path`` (with its query string) and wait until the app has finished running."""
        self.page.goto(self.base_url + path)
        self.wait_until_ready()

    def wait_until_ready(self, title: str | None = None) -> None:
        """Wait until the script has run to its end, every element is drawn and the page's
        heading is shown (and reads ``title`` when given: after a page switch, the old page is
        still idle until the new run starts)."""
        try:
            self.page.wait_for_function(_READY_JS, arg=title, timeout=WAIT_MS)
        except PlaywrightTimeout:
            state = self.page.evaluate(_STATE_JS)
            want = f" with the heading {title!r}" if title else ""
            raise AssertionError(f"the app did not finish running{want} within {WAIT_MS} ms: {state}") from None

    def problems(self) -> list[str]:
        """Exceptions and error alerts on the page, modals, dialogs and script errors so far, and
        any element that forge text could have injected."""
        found = [f"{kind}: {text}" for kind, text in self.page.evaluate(_PROBLEMS_JS)]
        found += [f"dialog {text}" for text in self.dialogs]
        found += [f"script error: {text}" for text in self.script_errors]
        found += [f"request outside the server: {url}" for url in self.outside]
        found += [f"injected element: {html}" for html in injected_elements(self.page)]
        return found

    def screenshot(self, name: str) -> Path:
        """The whole page, not just the viewport: Streamlit scrolls its main area and sidebar
        inside a window-high frame, so the viewport is made as tall as their content first."""
        path = ARTIFACTS / f"{name}.png"
        page = self.page
        size = page.viewport_size or VIEWPORT
        height = page.evaluate(
            """() => Math.max(window.innerHeight, ...['stMain', 'stSidebarContent'].map(id => {
                 const e = document.querySelector(`[data-testid="${id}"]`); return e ? e.scrollHeight : 0; }))"""
        )
        page.set_viewport_size({"width": size["width"], "height": min(int(height), 16_000)})
        try:
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.screenshot(path=str(path), full_page=True)
        finally:
            page.set_viewport_size(size)
        return path


# Layout faults a reader sees: a table wider than its frame (its last columns cut off until one
# scrolls), a chart drawn wider than the page, the page itself wider than the window.
_LAYOUT_JS = """
() => {
  const found = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1)
    found.push(`page ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
  document.querySelectorAll('[data-testid="stDataFrame"]').forEach((frame, i) => {
    const scroller = frame.querySelector('.dvn-scroller');
    if (scroller && scroller.scrollWidth > scroller.clientWidth + 1)
      found.push(`table ${i + 1}: ${scroller.scrollWidth}px of columns in ${scroller.clientWidth}px`);
  });
  document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach((chart, i) => {
    const svg = chart.querySelector('svg.marks');
    if (!svg) return;
    const box = svg.getBoundingClientRect(), frame = chart.getBoundingClientRect();
    if (box.right > frame.right + 2 || box.right > width + 2)
      found.push(`chart ${i + 1}: drawn to ${Math.round(box.right)}px, its frame ends at ${Math.round(frame.right)}px`);
  });
  return found;
}
"""


def layout_faults(page, tables: bool = True) -> list[str]:
    """What does not fit: the page, a chart, and (``tables``) a table's columns."""
    faults = page.evaluate(_LAYOUT_JS)
    return faults if tables else [f for f in faults if not f.startswith("table")]


def injected_elements(page) -> list[str]:
    """Elements in any frame that would be forge text interpreted as HTML: an ``onerror``
    handler attribute, the hostile description's image, or a script calling alert()."""
    found: list[str] = []
    for frame in page.frames:
        found += frame.evaluate(
            """() => [
                 ...document.querySelectorAll('[onerror], img[src="x"]'),
                 ...[...document.scripts].filter(s => s.textContent.includes('alert(')),
               ].map(e => e.outerHTML.slice(0, 200))"""
        )
    return found
