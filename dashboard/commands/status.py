"""``ossdash status``: how the warehouse stands, for people and for monitors.

Exit codes: 0 the warehouse is intact (and, with --max-age, every account fresh); 1 with
--max-age, an account whose last successful collection is older than HOURS, or that was never
collected successfully; 2 bad input or no warehouse at --db; 5 an integrity problem (schema
version not current, a table missing, the last run ended without publishing).
"""

from __future__ import annotations

import json
import sys

import click

EXIT_OK = 0
EXIT_STALE = 1
EXIT_BAD_INPUT = 2
EXIT_INTEGRITY = 5
DEFAULT_DB = "ossdash.duckdb"


@click.command("status")
@click.option("--db", default=DEFAULT_DB, show_default=True, envvar="OSSDASH_DB", show_envvar=True,
              type=click.Path(dir_okay=False), help="Published DuckDB file to check (opened read-only).")
@click.option("--max-age", "max_age", default=None, type=click.FloatRange(min=0, min_open=True),
              metavar="HOURS", help="Exit 1 when any account's last successful collection is older than "
              "HOURS (or never happened).")
@click.option("--runs", "last_runs", default=5, show_default=True, type=click.IntRange(0, 1000),
              help="How many of the latest runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
def command(db: str, max_age: float | None, last_runs: int, as_json: bool) -> None:
    """Freshness per account, the last runs and their errors, the rate budget left per forge,
    and the database's integrity.

    Nothing is written and the collection lock is not taken: a monitor (a systemd timer, cron,
    a CI job, a Nagios-style check) can run it at any time, also during a collection.

    Exit codes: 0 intact (and with --max-age every account fresh); 1 with --max-age an account
    older than HOURS or never collected successfully; 2 no warehouse at --db or bad input;
    5 integrity problem (schema version not current, a table missing, the last run ended
    without publishing).
    """
    from warehouse.status_report import NoWarehouse, build_report

    try:
        report = build_report(db, max_age_hours=max_age, last_runs=last_runs)
    except NoWarehouse as exc:
        if as_json:
            click.echo(json.dumps({"db": db, "error": str(exc)}))
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print(report)
    if not report.integrity.ok:
        sys.exit(EXIT_INTEGRITY)
    if report.stale:
        sys.exit(EXIT_STALE)
    sys.exit(EXIT_OK)


def _age(hours: float | None) -> str:
    if hours is None:
        return "never"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _print(report) -> None:
    out = click.echo
    integrity = report.integrity
    out(f"warehouse {report.db} (checked {report.checked_at})")
    version = f"schema version {integrity.schema_version} (current: {integrity.expected_version})"
    out(f"  integrity: {'ok' if integrity.ok else 'PROBLEM'}; {version}; last publish "
        f"{'complete' if integrity.last_publish_complete else 'INCOMPLETE'}")
    for problem in integrity.problems:
        out(f"  problem: {problem}")
    if report.running:
        r = report.running
        out(f"  a collection is running now (run {r['run_id']} since {r['started_at']}, process {r['pid']})")
    limit = f" (limit {report.max_age_hours:g} h)" if report.max_age_hours is not None else ""
    out(f"accounts{limit}: {len(report.accounts)}, {len(report.stale)} older than the limit" if limit
        else f"accounts: {len(report.accounts)}")
    for a in report.accounts:
        flag = "STALE" if a["stale"] else "ok"
        status = a["last_status"] or "never attempted"
        out(f"  {flag:5} {a['forge']:8} {a['host']} {a['owner']} ({a['entity_id']}): last success "
            f"{a['last_success_at'] or 'never'}, age {_age(a['age_hours'])}, last attempt {status}")
        if a["last_error"] and a["last_status"] not in ("ok", "not_modified"):
            out(f"        error: {a['last_error'].splitlines()[0]}")
    out(f"last runs: {len(report.runs)}")
    for run in report.runs:
        took = f", {run['duration_s']:.0f} s" if run["duration_s"] is not None else ""
        out(f"  run {run['run_id']} {run['status']}: started {run['started_at']}{took}, {run['accounts']} accounts "
            f"({run['accounts_failed']} failed, {run['accounts_unfinished']} unfinished), {run['requests']} requests "
            f"({run['not_modified']} answered 304), {run['errors']} errors, {run['warnings']} warnings")
        if run["note"]:
            out(f"        note: {run['note']}")
        errors = [m for m in run["messages"] if m["severity"] == "error"]
        for m in errors[:5]:
            out(f"        error [{m['category']}] {m['forge']} {m['owner']}: {m['message']}")
        if len(errors) > 5:
            out(f"        ... and {len(errors) - 5} more errors (--json lists them all)")
    out("rate budget left per forge (at the end of the latest run that reported one):")
    if not report.rate_budget:
        out("  none reported")
    for b in report.rate_budget:
        limit = f" of {b['limit']}" if b["limit"] is not None else ""
        out(f"  {b['forge']:8} {b['host']}: {b['remaining']}{limit} (run {b['run_id']})")
