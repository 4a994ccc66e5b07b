"""What the ``ossdash`` commands share: exit codes, loading the registry, opening the published
warehouse. Apart from ``dashboard.cli`` so that the commands in ``dashboard.commands`` import it
without importing the command line that registers them."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_BAD_INPUT = 2
EXIT_BUSY = 3
EXIT_STORAGE = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def load_registry(path: str):
    """The registry at ``path``, or every problem in it on standard error and exit 2."""
    from collectors.registry import RegistryError
    from collectors.registry import load_registry as read

    try:
        return read(path)
    except RegistryError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_BAD_INPUT)


@contextlib.contextmanager
def published(db: str | Path, require_data: bool = True):
    """``with published(db) as cur``: a read-only cursor on the published warehouse, or one
    line saying what to run and exit 2 (no file, not a warehouse, nothing collected yet)."""
    from warehouse.pages import run_log
    from warehouse.reader import (
        DatabaseMissing,
        DatabaseUnreadable,
        cursor,
        open_readonly,
    )

    try:
        con = open_readonly(db)
    except DatabaseMissing:
        click.echo(f"error: no warehouse at {db}; run `ossdash demo` or `ossdash collect` first "
                   "(or name the file with --db or OSSDASH_DB).", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except DatabaseUnreadable as exc:
        click.echo(f"error: {str(exc).splitlines()[0]}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    try:
        cur = cursor(con)
        if require_data and not run_log.has_data(cur):
            click.echo(f"error: {db} holds no data yet; run `ossdash demo` or `ossdash collect` first.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        yield cur
    finally:
        con.close()
