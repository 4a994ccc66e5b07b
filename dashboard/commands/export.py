"""``ossdash export``: the published warehouse as a Frictionless Data Package for open-data portals."""

from __future__ import annotations

import sys

import click

FORMATS = ("parquet", "csv")  # warehouse.export.FORMATS, repeated so that the CLI starts fast
EMAIL_MODES = ("hash", "omit", "include")
DEFAULT_DB = "ossdash.duckdb"


@click.command("export")
@click.option("--format", "fmt", default="parquet", show_default=True, type=click.Choice(FORMATS),
              help="File format of the data files.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write datapackage.json and data/ into (created if missing; an earlier "
              "export there is replaced).")
@click.option("--db", default=DEFAULT_DB, show_default=True, envvar="OSSDASH_DB", show_envvar=True,
              type=click.Path(dir_okay=False), help="Published DuckDB file to export (opened read-only).")
@click.option("--emails", default="hash", show_default=True, type=click.Choice(EMAIL_MODES),
              help="E-mail addresses of persons: hash (SHA-256 of the lower-case address), omit the "
              "columns, or include them as collected (personal data). Except with include, addresses "
              "in free text are replaced by [e-mail withheld].")
@click.option("--include-emails", is_flag=True, help="Same as --emails include.")
@click.option("--licence", "--license", "licence", default="CC-BY-4.0", show_default=True,
              help="Licence of the data, as an SPDX-style id (CC-BY-4.0, CC0-1.0, ODbL-1.0, dl-de-by-2.0, "
              "dl-de-zero-2.0 get a link to their text).")
@click.option("--title", default=None, help="Title of the data package.")
def command(fmt: str, out: str, db: str, emails: str, include_emails: bool, licence: str, title: str | None) -> None:
    """Write every table and every metric the dashboard shows as a Frictionless Data Package.

    One file per resource under OUT/data/ (the warehouse's tables, and the answers of the
    dashboard's query functions per repository, entity, archetype, country and ecosystem,
    goals with their history, reuse edges with evidence, the attention list), described by
    OUT/datapackage.json: fields, types, primary keys, licence, sources and the moment of the
    collection. The folder can be published on an open-data portal as it is.

    Exit codes: 0 written; 2 no warehouse at --db, or bad input; 4 the folder cannot be written.
    """
    from dashboard.cli_support import EXIT_STORAGE, published
    from warehouse.export import ExportError, export_package

    if include_emails:
        emails = "include"
    if not licence.strip() or any(c.isspace() or not c.isprintable() for c in licence):
        raise click.BadParameter("give the licence as an id without spaces, such as CC-BY-4.0",
                                 param_hint="'--licence'")
    with published(db) as cur:
        try:
            summary = export_package(cur, out, fmt=fmt, emails=emails, licence=licence, title=title)
        except ExportError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_STORAGE)
    click.echo(f"wrote {len(summary.resources)} resources ({summary.rows} rows, {fmt}, e-mail addresses: "
               f"{emails}) and datapackage.json to {summary.out}", err=True)
