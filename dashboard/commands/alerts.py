"""``ossdash alerts``: deliver each new attention alert once to the channels the registry names.

Exit codes: 0 every channel took its alerts; 1 a channel failed (its alerts stay pending and
are sent next run; the other channels were served); 2 bad input or no collected warehouse at
--db; 3 a collection (or another alerts run) holds the database's lock; 4 the warehouse could
not be written (the last published snapshot is unchanged); 130 interrupted.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import click

EXIT_OK = 0
EXIT_CHANNEL_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_BUSY = 3
EXIT_STORAGE = 4
EXIT_INTERRUPTED = 130
DEFAULT_DB = "ossdash.duckdb"
DEFAULT_REGISTRY = "cities.toml"
# Control and direction characters never reach a terminal, a mail or a chat from forge text.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_FIELD = 300


@click.command("alerts")
@click.option("--config", "config", default=DEFAULT_REGISTRY, show_default=True, type=click.Path(dir_okay=False),
              help="Registry file: entities, their languages and alert channels ([[entity.alerts]]).")
@click.option("--db", default=DEFAULT_DB, show_default=True, envvar="OSSDASH_DB", show_envvar=True,
              type=click.Path(dir_okay=False), help="Collected DuckDB file; the alerts' state is published to it.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 120),
              help="Seconds to wait for one channel's answer; a channel that fails is retried next run.")
def command(config: str, db: str, timeout: float) -> None:
    """Evaluate the attention rules on the last collection and deliver each new alert once.

    Rules: a project newly inactive or abandoned, an issue or change request unanswered for the
    entity's alert_unanswered_days, a publiccode.yml maintenance contract ended or ending within
    90 days, a project now hanging on one person (absence factor 1), a goal turning at risk or
    off track, an account that failed two runs in a row. Channels per entity: stdout, a JSON
    lines file, or an Apprise URL (e-mail, Matrix, Slack, Teams, webhooks...) read from the
    variable that `url_env` names. The state is kept in the warehouse, written through a working
    copy under the collection lock like a collection. `ossdash collect --alerts` runs this at the
    end of a collection. docs/alerts.md has the registry format.

    Exit codes: 0 every channel took its alerts; 1 a channel failed (its alerts are kept and
    sent next run); 2 bad input or no collected warehouse; 3 the database's lock is held;
    4 the warehouse could not be written; 130 interrupted.
    """
    from dashboard.cli_support import load_registry as _load_registry

    registry = _load_registry(config)
    sys.exit(run(registry, db, timeout))


def run(registry, db: str, timeout: float = 10.0) -> int:
    """One alerts pass with its report on standard error; returns the exit code, never raises."""
    from warehouse.alerts import NoWarehouse, run_alerts
    from warehouse.lock import CollectionBusy, WarehouseError

    try:
        result = run_alerts(registry, db, render, sys.stdout, timeout=timeout)
    except NoWarehouse as exc:
        click.echo(f"error: alerts: {exc}", err=True)
        return EXIT_BAD_INPUT
    except CollectionBusy as exc:
        click.echo(f"error: alerts: {exc}", err=True)
        return EXIT_BUSY
    except WarehouseError as exc:
        click.echo(f"error: alerts: {exc}", err=True)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        click.echo("\ninterrupted: nothing of this alerts pass was published; what was already sent is "
                   "remembered and not sent again, the rest is sent next run.", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        click.echo(f"error: alerts stopped on an unexpected {type(exc).__name__}: {first}; nothing of this pass "
                   "was published and every alert not yet sent is sent next run. Please report this.", err=True)
        return EXIT_CHANNEL_FAILED
    recovered = f", {result.recovered} found sent by an unfinished earlier run" if result.recovered else ""
    click.echo(f"alerts: {len(result.raised)} new, {len(result.cleared)} cleared, {result.delivered} delivered"
               f"{recovered} -> {db}", err=True)
    for outcome in result.channels:
        if outcome.error is not None:
            click.echo(f"error: alerts: channel {outcome.channel_id} failed: {outcome.error}; "
                       f"{outcome.pending} alert(s) kept for the next run", err=True)
        if outcome.orphaned:
            click.echo(f"warning: alerts: {outcome.orphaned} alert(s) wait for channel {outcome.channel_id}, "
                       "which their entity no longer configures", err=True)
    return EXIT_OK if result.ok else EXIT_CHANNEL_FAILED


def _plain(value: Any) -> str:
    text = _INVISIBLE.sub(" ", str(value)).strip()
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 1] + "…"


def render(alerts: list, language: str):
    """One message in ``language`` (the entity's) for alerts of one entity, from locales/alerts.toml:
    an alert's own title and text, or for several a count in the title and each alert in turn."""
    from dashboard.i18n import Translator
    from warehouse.alert_delivery import Message

    t = Translator(language if language in ("en", "de") else "en")
    parts = [_render_one(t, alert) for alert in alerts]
    if len(parts) == 1:
        return Message(*parts[0])
    entity = _plain(alerts[0].facts.get("entity_name") or alerts[0].entity_id)
    title = t("alerts.bundle_title", entity=entity, count=t.number(len(parts)))
    return Message(title, "\n\n".join(f"{head}\n{body}" for head, body in parts))


def _render_one(t, alert) -> tuple[str, str]:
    from datetime import datetime

    f = alert.facts
    entity = _plain(f.get("entity_name") or alert.entity_id)
    days = t.number(f.get("days")) if f.get("days") is not None else t.none()

    def day(value: Any) -> str:
        if not value:
            return t.none()
        return t.date(datetime.fromisoformat(str(value)))

    repo = _plain(f.get("repo", ""))
    rule = alert.rule
    if rule in ("inactive", "abandoned"):
        values = {"entity": entity, "repo": repo, "days": days, "since": day(f.get("since"))}
    elif rule == "unanswered":
        kind = t.label("alerts.kind", f.get("item_kind") or "issue")
        values = {"entity": entity, "repo": repo, "days": days, "since": day(f.get("since")), "kind": kind,
                      "number": f.get("item_number")}
    elif rule == "contract":
        rule = f.get("reason") or "contract_expired"
        days = t.number(abs(f.get("days") or 0))
        values = {"entity": entity, "repo": repo, "days": days, "until": day(f.get("since"))}
    elif rule == "single_maintainer":
        values = {"entity": entity, "repo": repo}
    elif rule == "goal":
        unit = f.get("unit")

        def amount(value: Any) -> str:
            if value is None:
                return t.none()
            return t.percent(value) if unit == "share" else t.number(value, 0 if float(value).is_integer() else 1)

        values = {"entity": entity, "metric": t.label("goal_metric", f.get("metric")),
                      "status": t.label("status", f.get("status", "")), "value": amount(f.get("value")),
                      "target": amount(f.get("target")), "deadline": day(f.get("deadline")),
                      "projected": amount(f.get("projected"))}
    else:
        account = _plain(f"{f.get('forge')}:{f.get('owner')}")
        values = {"entity": entity, "account": account, "runs": f.get("runs"),
                      "error": _plain(f.get("error") or t("alerts.no_error"))}
    lines = [t(f"alerts.{rule}.body", **values)]
    url = f.get("url")
    if isinstance(url, str) and re.match(r"^https?://", url):
        lines.append(_plain(url))
    lines.append(t("alerts.raised", moment=t.datetime(alert.raised_at), alert_id=_plain(alert.alert_id)))
    return t(f"alerts.{rule}.title", **values), "\n".join(lines)
