"""Page speed in a real browser: every page of `ossdash serve` on the demo database, in headless
Chromium through Playwright (Debian's /usr/bin/chromium; no browser is downloaded).

Run: python benchmarks/bench_pages.py [--db FILE] [--repeat N] [--width PX]

Without --db it builds the demo database first (`ossdash demo --no-serve`, the real pipeline against
the forge simulator). For each page and language it opens the page once to warm the server's caches
and the browser's (the first visit), then N more times, each in a new tab of the same browser (a new
Streamlit session, as a reader opening a link), and times from navigation to the page being finished:
the script run has ended, nothing is drawn stale or as a skeleton, the page's heading and every chart
are drawn. Each visit is split into: connecting (the websocket session), the script run, and drawing
after it. Before that, in one open session, it times the switch to each page through the sidebar's
navigation (the way a reader moves through the dashboard, warm), and first of all two small
Streamlit apps opened in new tabs the same way: a one-line one (the floor any page of any Streamlit
app pays on the machine) and one of a table, a chart and a sidebar choice (what a new tab pays to
start the parts that draw them). Prints Markdown tables (medians and the slowest) to paste into benchmarks/RESULTS.md.
Numbers, never asserted in unit tests: shared machines make timings flaky.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ("/", "/entity", "/project", "/attention", "/reuse", "/goals", "/status", "/glossary")
BAR_SECONDS = 1.5

# Marks the moments of a visit in the page itself (polled every animation frame from the start of
# the navigation): the session connected, the script started, it ended and everything was drawn.
_PROBE_JS = """
() => {
  const marks = {};
  const tick = () => {
    const now = performance.now();
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    if (!marks.connected && app && app.getAttribute('data-test-connection-state') === 'CONNECTED') marks.connected = now;
    if (!marks.running && state === 'running') marks.running = now;
    if (marks.running && state === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) {
      const h1 = document.querySelector('[data-testid="stMain"] h1');
      const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
      const drawn = charts.every(c => c.querySelector('svg.marks, canvas'));
      if (!marks.ran) marks.ran = now;
      if (h1 && h1.getClientRects().length && drawn) { marks.done = now; window.__ossdashMarks = marks; return; }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ossdash() -> str:
    here = Path(sys.executable).with_name("ossdash")
    return str(here) if here.is_file() else (shutil.which("ossdash") or "ossdash")


def build_demo(path: Path) -> None:
    subprocess.run([_ossdash(), "demo", "--no-serve", "--db", str(path)], check=True, stdout=subprocess.DEVNULL)


# The floors: a Streamlit app of one heading and one line, opened the same way, shows what a new
# session costs on the machine before any page of the dashboard does anything; one of a table, a
# chart and a sidebar widget what the browser pays, in every new tab, to start the parts that
# draw them (the dashboard's pages are made of these).
_FLOOR_APPS = {
    "a one-line Streamlit app (the floor)": 'import streamlit as st\nst.title("Floor")\nst.write("One line.")\n',
    "a Streamlit app of one table, one chart and a sidebar choice": (
        "import altair as alt\nimport pandas as pd\nimport streamlit as st\n"
        "st.sidebar.selectbox('Period', ['Last 12 months', 'Last 90 days'])\nst.title('Floor')\n"
        "df = pd.DataFrame({'name': list('abcdefghij'), 'value': range(10)})\n"
        "st.dataframe(df, hide_index=True)\n"
        "st.altair_chart(alt.Chart(df).mark_bar().encode(x='value:Q', y='name:N'))\n"),
}


class Server:
    def __init__(self, db: Path, log: Path, floor: Path | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [_ossdash(), "serve", "--db", str(db), "--port", str(self.port)] if floor is None else [
            sys.executable, "-m", "streamlit", "run", str(floor), "--server.port", str(self.port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        self.process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"ossdash serve did not start (log: {log})")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def visit(context, url: str) -> dict[str, float]:
    """One visit in a new tab: seconds to connect, to the end of the script run, to everything drawn."""
    page = context.new_page()
    try:
        page.add_init_script(f"({_PROBE_JS})()")
        start = time.monotonic()
        page.goto(url)
        page.wait_for_function("() => window.__ossdashMarks !== undefined", timeout=60_000)
        wall = time.monotonic() - start
        marks = page.evaluate("() => window.__ossdashMarks")  # milliseconds since the navigation began
        return {"total": wall, "connect": marks["connected"] / 1000,
                "run": (marks["ran"] - marks["running"]) / 1000, "draw": (marks["done"] - marks["ran"]) / 1000}
    finally:
        page.close()


# Finished after a page switch: the script has run to its end, nothing is stale or a skeleton,
# the heading is the new page's and every chart is drawn.
_SWITCHED_JS = """
(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || h1.innerText.trim() !== title) return false;
  return [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(c => c.querySelector('svg.marks, canvas'));
}
"""


def switches(context, base: str, lang: str, rounds: int) -> dict[str, list[float]]:
    """Seconds from a click on a page's link in the sidebar to the page finished, in one open
    session (the way a reader moves through the dashboard), ``rounds`` times round every page."""
    page = context.new_page()
    times: dict[str, list[float]] = {}
    try:
        page.goto(f"{base}/?lang={lang}")
        page.wait_for_function(_SWITCHED_JS, arg=page.locator("h1").first.inner_text().strip(), timeout=60_000)
        links = page.locator('[data-testid="stSidebarNavLink"]')
        targets = [(links.nth(i).get_attribute("href"), links.nth(i).inner_text().strip().split("\n")[-1])
                   for i in range(links.count())]
        for _ in range(rounds + 1):  # the first round warms the caches of every page
            for href, title in [*targets[1:], targets[0]]:
                start = time.monotonic()
                page.locator(f'[data-testid="stSidebarNavLink"][href="{href}"]').click()
                page.wait_for_function(_SWITCHED_JS, arg=title, timeout=60_000)
                name = urlsplit(href).path.strip("/") or "overview"
                times.setdefault(name, []).append(time.monotonic() - start)
    finally:
        page.close()
    return {name: values[1:] for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a published warehouse (default: build the demo's)")
    parser.add_argument("--repeat", type=int, default=5, help="warm visits per page and language")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--langs", default="en,de")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ossdash-bench-pages-"))
    db = args.db
    if db is None:
        db = work / "demo.duckdb"
        print("building the demo database...", file=sys.stderr)
        build_demo(db)
    floors: dict[str, list[dict[str, float]]] = {}
    for i, (label, code) in enumerate(_FLOOR_APPS.items()):
        floor_app = work / f"floor{i}.py"
        floor_app.write_text(code, encoding="utf-8")
        floor = Server(db, work / f"floor{i}.log", floor=floor_app)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": args.width, "height": 900})
                visit(context, floor.url)
                floors[label] = [visit(context, floor.url) for _ in range(args.repeat)]
                browser.close()
        finally:
            floor.stop()
    server = Server(db, work / "serve.log")
    rows = []
    switched: list[tuple[str, str, float, float]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": args.width, "height": 900})
            for lang in args.langs.split(","):
                for name, values in switches(context, server.url, lang, args.repeat).items():
                    switched.append((name, lang, statistics.median(values), max(values)))
                for path in args.pages.split(","):
                    url = f"{server.url}/{path.strip().lstrip('/')}?lang={lang}"  # "entity" or "/entity"
                    first = visit(context, url)
                    warm = [visit(context, url) for _ in range(args.repeat)]
                    med = {k: statistics.median(v[k] for v in warm) for k in warm[0]}
                    rows.append((path, lang, first["total"], med, max(v["total"] for v in warm)))
                    print(f"{path} {lang}: first {first['total']:.2f} s, warm median {med['total']:.2f} s",
                          file=sys.stderr)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"Page switch in an open session (a click in the sidebar), {args.repeat} rounds after a warming one:\n")
    print(f"| page | language | median (s) | slowest (s) | under {BAR_SECONDS} s |")
    print("|---|---|---|---|---|")
    for name, lang, med, slowest in switched:
        print(f"| {name} | {lang} | {med:.2f} | {slowest:.2f} | {'yes' if med < BAR_SECONDS else '**no**'} |")
    print("\nA new tab (a new session, as a reader opening a link), after a first visit:\n")
    print(f"| page | language | first visit (s) | warm: median (s) | connect | script run | drawing | "
          f"slowest of {args.repeat} (s) | under {BAR_SECONDS} s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, floor_times in floors.items():
        low = {k: statistics.median(v[k] for v in floor_times) for k in floor_times[0]}
        print(f"| {label} | - | - | {low['total']:.2f} | {low['connect']:.2f} | "
              f"{low['run']:.2f} | {low['draw']:.2f} | {max(v['total'] for v in floor_times):.2f} | - |")
    for path, lang, first, med, slowest in rows:
        print(f"| `{path}` | {lang} | {first:.2f} | {med['total']:.2f} | {med['connect']:.2f} | {med['run']:.2f} | "
              f"{med['draw']:.2f} | {slowest:.2f} | {'yes' if med['total'] < BAR_SECONDS else '**no**'} |")


if __name__ == "__main__":
    main()
