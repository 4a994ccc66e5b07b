"""The ``ossdash`` command line: it only wires the collectors, the warehouse and the dashboard.

Exit codes: 0 success; 1 the run finished but something failed (see the run
log); 2 bad input (registry, arguments, a token that cannot be sent); 3 another
collection holds the database's lock; 4 the warehouse could not be written (disk
full, read-only folder; the last published snapshot is unchanged); 130
interrupted (Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from dashboard.cli_support import (
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_STORAGE,
    EXIT_TERMINATED,
    published,
)
from dashboard.cli_support import load_registry as _load_registry
from warehouse.resources import allocator_environment

# A history horizon before this asks a forge for dates it cannot hold (and some reject the form).
EARLIEST_SINCE = datetime(1970, 1, 1, tzinfo=UTC)

DEFAULT_DB = "ossdash.duckdb"
DEFAULT_REGISTRY = "cities.toml"
DEFAULT_DEMO_DB = "ossdash-demo.duckdb"
# The report's languages (dashboard.i18n.LANGUAGES, repeated so that the CLI starts without
# loading the locale data; a test keeps the two in step) and formats.
REPORT_LANGUAGES = ("en", "de")
REPORT_FORMATS = ("html", "pdf")
# How many entity ids an "unknown entity" error lists.
SHOWN_IDS = 10


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date such as 2020-01-31") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not EARLIEST_SINCE <= moment <= datetime.now(UTC):
        raise click.BadParameter(f"{value!r} must lie between 1970-01-01 and today")
    return moment


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ossdash")
def main() -> None:
    """ossdash: open-source health and reuse of public-sector code on GitHub, GitLab and openCoDE.

    Collect with `ossdash collect`, look with `ossdash serve`, or try everything
    at once on the built-in forge simulator with `ossdash demo`. `ossdash report`
    writes an entity's council report on its goals (HTML or PDF, English or German).

    Exit codes: 0 success, 1 finished with failures (see the run log),
    2 bad input, 3 another collection holds the database, 4 the warehouse
    could not be written, 5 (status) the warehouse failed its integrity check,
    130 interrupted, 143 terminated.
    """
    # Arrow's and DuckDB's allocators keep freed pages: tens of MB more at the peak of a
    # collection (benchmarks/RESULTS.md, "Collection memory"). Both read their settings when
    # first loaded, which no command has done yet; a setting of the caller's wins.
    allocator_environment()


@main.command()
@click.argument("file", default=DEFAULT_REGISTRY, type=click.Path(dir_okay=False))
def validate(file: str) -> None:
    """Check a registry file (default: cities.toml) and report every problem."""
    registry = _load_registry(file)
    forges: dict[str, int] = {}
    for account in registry.accounts:
        forges[account.forge] = forges.get(account.forge, 0) + 1
    countries = {e.country for e in registry.entities}
    archetypes = {e.archetype for e in registry.entities}
    per_forge = ", ".join(f"{n} {forge}" for forge, n in sorted(forges.items()))
    click.echo(
        f"{file}: OK: {len(registry.entities)} entities in {len(countries)} countries "
        f"({len(archetypes)} archetypes), {len(registry.accounts)} accounts ({per_forge})"
    )


@main.command()
@click.option("--config", "config", default=DEFAULT_REGISTRY, show_default=True, type=click.Path(dir_okay=False),
              help="Registry file listing entities and their forge accounts.")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="DuckDB file to publish the collection to.")
@click.option("--since", default=None, help="History horizon for first collections (YYYY-MM-DD); "
              "overrides the registry's [defaults] since.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(1, 600),
              help="Seconds to wait for one answer from a forge.")
@click.option("--max-rate-wait", default=300.0, show_default=True, type=click.FloatRange(0, 86400),
              help="Longest wait for a rate-limit reset, a Retry-After or a retry; beyond it the account "
              "stops and resumes next run.")
@click.option("--account-deadline", default=3600.0, show_default=True, type=click.FloatRange(10, 7 * 86400),
              help="Seconds one account may take in all; past it the account stops and resumes next run.")
@click.option("--alerts", "with_alerts", is_flag=True,
              help="Once the collection is published, run `ossdash alerts` on it; a failed alert is reported "
              "but never changes the exit code.")
@click.option("--dry-run", is_flag=True,
              help="Print what the collection would cost (accounts, a lower bound on requests, the budget "
              "left per token) and stop: no database is written.")
def collect(config: str, db: str, since: str | None, timeout: float, max_rate_wait: float,
            account_deadline: float, with_alerts: bool, dry_run: bool) -> None:
    """Collect every account of the registry into the warehouse, incrementally.

    Tokens come from the environment only: GITHUB_TOKEN, GITLAB_TOKEN,
    OPENCODE_TOKEN, or the variable an account names in `token_env`.
    One collection per database at a time: a second one exits with code 3.
    The cost is printed first (a few cheap requests per account); --dry-run stops there.
    """
    from collectors.base import CollectorOptions

    horizon = _since(since)
    registry = _load_registry(config)
    options = CollectorOptions(timeout=timeout, max_rate_wait=max_rate_wait, account_deadline=account_deadline)
    _refuse_unusable_credentials(registry)
    if not dry_run:
        _refuse_bad_resources()  # before the estimate spends requests on a run that cannot start
        _refuse_if_busy(db)
    _show_budget(registry, db, horizon, options)
    if dry_run:
        sys.exit(EXIT_OK)
    summary = _run_collection(registry, db, horizon, options, late_signals=True)
    if with_alerts and not _signals.get("late"):
        import signal

        from dashboard.commands import alerts

        # Delivery may wait on a channel: Ctrl-C stops it as usual, after which the run stands.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            alerts.run(registry, db)  # reports on standard error itself; the collection's outcome stands
        except KeyboardInterrupt:
            _signals["late"] = signal.SIGTERM if _signals["terminated"] else signal.SIGINT
        finally:
            signal.signal(signal.SIGINT, _note_late_signal)
            signal.signal(signal.SIGTERM, _note_late_signal)
    import signal

    # Published and logged: from here the process only exits, and a signal can no longer change
    # the run. Python gives a signal its default action back while it shuts down, which would
    # kill the exit half-way, so from now on signals are ignored.
    late = _signals.get("late")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if late:
        click.echo(f"interrupted after run {summary.run_id} was published: the run itself is complete "
                   f"({summary.status}).", err=True)
        sys.exit(EXIT_TERMINATED if late == signal.SIGTERM else EXIT_INTERRUPTED)
    sys.exit(EXIT_OK if summary.status == "ok" else EXIT_PARTIAL)


def _refuse_bad_resources() -> None:
    """A bad OSSDASH_MEMORY_LIMIT or OSSDASH_THREADS is bad input: one line, exit 2."""
    from warehouse.resources import ResourceSettingError, collection_resources

    try:
        collection_resources()
    except ResourceSettingError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _refuse_unusable_credentials(registry) -> None:
    """Tokens that cannot be sent, or GitHub App settings that cannot be used: exit 2, naming only variables."""
    from collectors.secrets import check_tokens

    problems = check_tokens(registry.accounts)
    if any(a.forge == "github" and not a.token() for a in registry.accounts):
        from collectors.github import app_auth_problems

        problems += app_auth_problems()
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _refuse_if_busy(db: str) -> None:
    from warehouse.lock import CollectionBusy, ensure_free

    try:
        ensure_free(Path(db))
    except CollectionBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)


def _show_budget(registry, db: str, since: datetime | None, options) -> None:
    """Print the collection's cost on standard error; the estimate only reads the published database."""
    from collectors.secrets import configured_tokens, scrub
    from warehouse.budget import estimate_collection, render
    from warehouse.reader import DatabaseUnreadable

    tokens = configured_tokens(registry.accounts)
    # A few requests per account, each up to --timeout: say so rather than look stuck.
    click.echo(f"estimating the cost: {len(registry.accounts)} accounts, a few requests each...", err=True)
    try:
        report = estimate_collection(registry, db, since=since, options=options)
    except DatabaseUnreadable as exc:
        click.echo(f"budget: not estimated: {scrub(str(exc), tokens)}", err=True)
        return
    except KeyboardInterrupt:
        click.echo("\ninterrupted while estimating: nothing was collected.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    for line in render(report):
        click.echo(scrub(line, tokens), err=True)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (systemd stopping the unit, a container stopping): handled like Ctrl-C."""


_signals = {"terminated": False}


def _on_sigterm(signum, frame) -> None:
    from warehouse import stopping

    _signals["terminated"] = True
    stopping.request()  # kept even if the exception below is lost (see warehouse/stopping.py)
    raise _Terminated()


def _on_sigint(signum, frame) -> None:
    from warehouse import stopping

    stopping.request()
    raise KeyboardInterrupt


def _note_late_signal(signum, frame) -> None:
    """After the run is published: a Ctrl-C or SIGTERM is remembered, not raised, so that it can
    no longer land in the middle of printing the summary or of the process's exit (a traceback,
    or death by the signal); ``collect`` then exits 130 or 143."""
    import signal

    _signals["late"] = signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT


def _run_collection(registry, db: str, since: datetime | None, options=None, fresh: bool = False,
                    late_signals: bool = False):
    import signal

    from collectors.secrets import configured_tokens, scrub
    from dashboard.progress import TerminalProgress
    from warehouse import stopping
    from warehouse.lock import CollectionBusy, WarehouseError
    from warehouse.pipeline import collect as run

    _refuse_unusable_credentials(registry)
    _refuse_bad_resources()
    tokens = configured_tokens(registry.accounts)
    stopping.reset()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    previous_int = signal.signal(signal.SIGINT, _on_sigint)
    started = time.monotonic()
    try:
        summary = run(registry, db, since=since, progress=TerminalProgress(), options=options, fresh=fresh)
    except CollectionBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except WarehouseError as exc:
        click.echo(f"error: {scrub(str(exc), tokens)}", err=True)
        sys.exit(EXIT_STORAGE)
    except KeyboardInterrupt as exc:
        click.echo("\ninterrupted while finishing: nothing of this run was published; the last "
                   "published snapshot is unchanged and the next run collects it again.", err=True)
        sys.exit(EXIT_TERMINATED if isinstance(exc, _Terminated) or _signals["terminated"] else EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one scrubbed line, no traceback
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        click.echo(f"error: the collection stopped on an unexpected {type(exc).__name__}: {scrub(first, tokens)}; "
                   "the last published snapshot is unchanged. Please report this with the command you ran.", err=True)
        sys.exit(EXIT_PARTIAL)
    finally:
        late = _note_late_signal if late_signals else None
        signal.signal(signal.SIGTERM, late or previous)
        signal.signal(signal.SIGINT, late or previous_int)
    took = time.monotonic() - started
    warnings = f", {summary.warning_count} values unreadable" if summary.warning_count else ""
    click.echo(
        f"run {summary.run_id} {summary.status}: {summary.repos_seen} repositories listed, "
        f"{summary.new_commits} new commits, {summary.requests} requests "
        f"({summary.not_modified} answered 304), {summary.error_count} errors{warnings}, {took:.1f}s -> {db}",
        err=True,
    )
    if summary.interrupted:
        click.echo("interrupted: what was finished is published; the next run resumes the rest.", err=True)
        sys.exit(EXIT_TERMINATED if _signals["terminated"] else EXIT_INTERRUPTED)
    return summary


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Published DuckDB file to show (opened read-only).")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535),
              help="Port to serve the dashboard on.")
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves every interface (put a reverse proxy in front).")
def serve(db: str, port: int, address: str) -> None:
    """Start the dashboard on a published database, read-only.

    A busy port exits with 2 before anything is started.
    """
    _serve(db, port, address)


def _serve(db: str, port: int, address: str) -> None:
    from dashboard.serve import PortBusy
    from dashboard.serve import serve as run_server

    try:
        sys.exit(run_server(db, port, address))
    except PortBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Loopback port for the simulator (0 picks a free one).")
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated ecosystem.")
@click.option("--registry-out", default="simulator.toml", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write a registry file that points at the simulator.")
@click.option("--latency-ms", default=0.0, show_default=True, type=click.FloatRange(0, 60_000),
              help="Delay of every answer, and of every new connection again, as a real forge's round trip.")
def simulate(port: int, seed: int, registry_out: str, latency_ms: float) -> None:
    """Run the forge simulator on loopback until interrupted.

    It serves GitHub (REST v3, also at /api/v3 as GitHub Enterprise does), GitLab
    and openCoDE (REST v4, each at the root of its own port, the next two after
    --port) for a seeded public-sector ecosystem. Collect from it with
    `ossdash collect --config simulator.toml --db sim.duckdb`.
    """
    from collectors.simulator import ForgeSimulator, World

    try:
        sim = ForgeSimulator(World(seed=seed), port=port, latency_ms=latency_ms).start()
    except OSError as exc:
        click.echo(f"error: cannot listen on 127.0.0.1:{port} and the next two ports: {exc.strerror or exc}; "
                   "choose another --port (0 picks free ones).", err=True)
        sys.exit(EXIT_BAD_INPUT)
    Path(registry_out).write_text(sim.registry_toml(), encoding="utf-8")
    truth = sim.world.truth()
    click.echo(f"forge simulator on {sim.base_url} (seed {seed})")
    for forge in ("github", "gitlab", "opencode"):
        click.echo(f"  {forge:9} {sim.url(forge)}  (own address: {sim.api_url(forge)})")
    click.echo(f"  ground truth  {sim.base_url}/_sim/truth")
    click.echo(f"  request count {sim.base_url}/_sim/stats")
    click.echo(f"  a day passes  {sim.base_url}/_sim/day (POST)")
    click.echo(f"  faults        {sim.base_url}/_sim/faults (POST a fault as JSON, DELETE to clear)")
    click.echo(
        f"{len(truth['repos'])} repositories, {sum(len(c) for c in truth['commits'].values())} commits; "
        f"registry written to {registry_out}. Ctrl-C stops."
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()
        click.echo("simulator stopped.", err=True)


@main.command()
@click.option("--db", default=DEFAULT_DEMO_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Database for the demo; it is recreated on every run.")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Dashboard port.")
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated ecosystem.")
@click.option("--no-serve", is_flag=True, help="Collect and print the summary, but do not start the dashboard.")
def demo(db: str, port: int, seed: int, no_serve: bool) -> None:
    """Start the forge simulator, collect it for real, and serve the dashboard.

    Nothing leaves this machine: the simulator answers on loopback in the
    shapes of the GitHub and GitLab APIs.
    """
    from collectors.registry import parse_registry
    from collectors.simulator import ForgeSimulator, World

    db_path = Path(db)
    with ForgeSimulator(World(seed=seed)) as sim:
        click.echo(f"forge simulator on {sim.base_url} (seed {seed}); collecting...", err=True)
        registry = parse_registry(sim.registry_toml(goals=True), "<demo registry>")
        summary = _run_collection(registry, str(db_path), None, fresh=True)
        truth = sim.world.truth()
        world = sim.world
    truth_commits = sum(len(c) for c in truth["commits"].values())
    stored, with_goals = _demo_facts(db_path, ("items", "comments", "releases", "forks", "publiccode"))
    expected = {
        "items": sum(len(r.items) for r in world.repos),
        "comments": sum(len(i.comments) for r in world.repos for i in r.items),
        "releases": sum(len(r.releases) for r in world.repos),
        "forks": sum(len(r.forks) for r in world.repos),
        "publiccode": sum(1 for r in world.repos if "publiccode.yml" in r.files and r.commits),
    }
    entities = {v["entity_id"] for v in truth["repos"].values()}
    click.echo("demo summary")
    click.echo(f"  entities:     {len(entities)}")
    click.echo(f"  accounts:     {len(summary.accounts)}")
    click.echo(f"  repositories: {summary.repos_seen} (simulator: {len(truth['repos'])})")
    click.echo(f"  commits:      {summary.new_commits} (simulator: {truth_commits})")
    click.echo(f"  issues, PRs:  {stored['items']} (simulator: {expected['items']})")
    click.echo(f"  comments:     {stored['comments']} (simulator: {expected['comments']})")
    click.echo(f"  releases:     {stored['releases']} (simulator: {expected['releases']})")
    click.echo(f"  forks:        {stored['forks']} (simulator: {expected['forks']})")
    click.echo(f"  publiccode:   {stored['publiccode']} (simulator: {expected['publiccode']})")
    click.echo(f"  requests:     {summary.requests}")
    click.echo(f"  errors:       {summary.error_count}")
    click.echo(f"  database:     {db_path}")
    matches = summary.repos_seen == len(truth["repos"]) and summary.new_commits == truth_commits and stored == expected
    click.echo("  ground truth: " + ("matched" if matches else "MISMATCH"))
    if not matches or summary.status != "ok":
        sys.exit(EXIT_PARTIAL)
    if no_serve:
        example = with_goals or (min(entities) if entities else "ENTITY")
        click.echo("look at the result:")
        click.echo(f"  ossdash serve --db {db_path}")
        click.echo(f"  ossdash report --db {db_path} --entity {example} --format pdf")
        return
    _serve(str(db_path), port, "127.0.0.1")


@main.command()
@click.option("--entity", "entity_id", required=True, help="Entity id, as in the registry (e.g. munich).")
@click.option("--lang", default="en", show_default=True, type=click.Choice(REPORT_LANGUAGES),
              help="Language of the report.")
@click.option("--format", "fmt", default="html", show_default=True, type=click.Choice(REPORT_FORMATS),
              help="html: one self-contained page to open or print; pdf: a printable document.")
@click.option("--db", default=DEFAULT_DB, show_default=True, envvar="OSSDASH_DB", show_envvar=True,
              type=click.Path(dir_okay=False), help="Published DuckDB file to read (opened read-only).")
@click.option("--output", "-o", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write [default: ossdash-report-ENTITY-LANG.FORMAT in the current directory]; "
              "- writes HTML to standard output.")
def report(entity_id: str, lang: str, fmt: str, db: str, output: str | None) -> None:
    """Write the council report of one entity's goals.

    For each goal: target, value now, deadline, trend, the value the trend
    reaches by the deadline, and the status in plain words, with a chart of
    the history; in English or German. The dashboard's goals page offers the
    same report for download. Goals are set in the registry file.
    """
    from dashboard import report as council
    from warehouse.pages import directory

    if output == "-" and fmt == "pdf":
        raise click.BadParameter("a PDF cannot be written to standard output; give a file name",
                                 param_hint="'--output'")
    with published(db) as cur:
        try:
            built = council.build_report(cur, entity_id, lang)
        except council.ReportError as exc:
            ids = list(directory.entities(cur)["entity_id"])
            shown = ", ".join(sorted(ids)[:SHOWN_IDS]) + (f", ... ({len(ids)} in all)" if len(ids) > SHOWN_IDS else "")
            click.echo(f"error: {exc} ({db}); entities there: {shown}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        content = council.render_html(built) if fmt == "html" else council.render_pdf(built)
    goals = f"{len(built.goals)} goal{'' if len(built.goals) == 1 else 's'}"
    if output == "-":
        click.echo(content, nl=False)
        click.echo(f"wrote the report to standard output ({goals})", err=True)
        return
    safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", entity_id)
    target = Path(output or f"ossdash-report-{safe_id}-{lang}.{fmt}")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        target.write_bytes(data)
    except OSError as exc:
        click.echo(f"error: cannot write {target}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"wrote {target} ({goals})", err=True)


def _demo_facts(db_path: Path, tables: tuple[str, ...]) -> tuple[dict[str, int], str | None]:
    """Rows stored per table, and the first entity with council goals (for a report example)."""
    from warehouse.goals import entities_with_goals
    from warehouse.pages.run_log import table_counts

    with published(db_path) as cur:
        with_goals = entities_with_goals(cur)
        return table_counts(cur, tables), (with_goals[0] if with_goals else None)


# Commands that live in their own modules (status, export, alerts) join the group here.
from dashboard.commands import register as _register_commands

_register_commands(main)


if __name__ == "__main__":
    main()
