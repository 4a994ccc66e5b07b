"""Alert state and delivery: each alert once per channel, a failing channel retried next run.

The warehouse remembers every alert (``alerts``) and, per channel, whether it was delivered
(``alert_deliveries``). A channel that fails keeps its alerts pending and is tried again next
run; it never holds up another channel. Sending happens in a working copy that is published
afterwards, so a small journal beside the database (``<db>.alerts-sent``) records each delivery
the moment it succeeds: if the run dies before publishing, the next run reads the journal and
does not send those again (docs/alerts.md, "Crashes").
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

import duckdb

from collectors.registry import AlertChannel, Registry
from collectors.secrets import scrub
from warehouse.alert_rules import Condition

# Longest wait for one channel's answer (connect, then each read): a dead webhook or SMTP server
# costs at most this per run, since a channel stops at its first failure.
DELIVERY_TIMEOUT = 10.0
BUNDLE = 25  # alerts in one Apprise message at most
MIN_SECRET = 6  # shortest URL piece (other than the password) scrubbed from messages


@dataclass(frozen=True)
class StoredAlert:
    alert_id: str
    rule: str
    entity_id: str
    subject: str
    facts: dict[str, Any]
    raised_at: datetime


@dataclass(frozen=True)
class Message:
    title: str
    body: str


Render = Callable[[list[StoredAlert], str], Message]  # (alerts of one entity, language) -> one message


class DeliveryFailed(Exception):
    """A channel did not take an alert; the message says why (never a URL or secret)."""


def journal_path(published: Path) -> Path:
    return published.with_name(published.name + ".alerts-sent")


class Journal:
    """Deliveries made since the last publish, one JSON line each, synced as they happen."""

    def __init__(self, published: Path):
        self.path = journal_path(published)

    def record(self, alert_id: str, channel_id: str) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"alert_id": alert_id, "channel_id": channel_id}) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            pass  # the working copy still records it; only a crash before publishing would resend it

    def entries(self) -> list[tuple[str, str]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []
        found = []
        for line in lines:
            try:
                entry = json.loads(line)
                found.append((str(entry["alert_id"]), str(entry["channel_id"])))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut by a crash: its delivery is the one that may repeat
        return found

    def fold(self, con: duckdb.DuckDBPyConnection, now: datetime) -> int:
        """Mark the journal's deliveries delivered in ``con`` and return how many were pending.

        Called under the collection lock, after this pass raised its alerts. The journal is
        then rewritten with only what the published warehouse still lacks (the entries just
        folded), so it never grows past one pass and is never emptied outside the lock.
        """
        folded: list[tuple[str, str]] = []
        for alert_id, channel_id in dict.fromkeys(self.entries()):
            changed = con.execute(
                "UPDATE alert_deliveries SET status = 'delivered', delivered_at = ? "
                "WHERE alert_id = ? AND channel_id = ? AND status = 'pending' RETURNING 1",
                [now, alert_id, channel_id],
            ).fetchall()
            if changed:
                folded.append((alert_id, channel_id))
            # else: delivered in the published warehouse already, or its condition is gone
        if self.path.exists():
            self._rewrite(folded)
        return len(folded)

    def _rewrite(self, entries: list[tuple[str, str]]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.writelines(json.dumps({"alert_id": alert_id, "channel_id": channel_id}) + "\n" for alert_id, channel_id in entries)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)  # the old journal stays: folding it again is harmless


def record_conditions(con: duckdb.DuckDBPyConnection, registry: Registry, conditions: Iterable[Condition],
                      now: datetime) -> tuple[list[str], list[str]]:
    """Raise an alert for each condition not already open, clear open ones that no longer hold.

    A new alert gets a pending delivery for every channel of its entity whose rules name it.
    Returns (raised alert ids, cleared alert ids). The ids are deterministic: the same published
    warehouse and conditions give the same ids, which is what lets the journal match them.
    """
    current = {c.key: c for c in conditions}
    channels = {e.id: e.alerts for e in registry.entities}
    con.execute("BEGIN")
    try:
        open_rows = con.execute("SELECT alert_key, alert_id FROM alerts WHERE cleared_at IS NULL").fetchall()
        opened = dict(open_rows)
        cleared = [alert_id for key, alert_id in open_rows if key not in current]
        for alert_id in cleared:
            con.execute("UPDATE alerts SET cleared_at = ? WHERE alert_id = ?", [now, alert_id])
        raised = []
        for key, condition in current.items():
            if key in opened:
                continue
            occurrence = con.execute(
                "SELECT coalesce(max(occurrence), 0) + 1 FROM alerts WHERE alert_key = ?", [key]
            ).fetchone()[0]
            alert_id = f"{key}|{occurrence}"
            con.execute(
                "INSERT INTO alerts (alert_id, alert_key, occurrence, rule, entity_id, subject, facts, raised_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [alert_id, key, occurrence, condition.rule, condition.entity_id, condition.subject,
                 json.dumps(condition.facts, sort_keys=True, default=str), now],
            )
            for channel in channels.get(condition.entity_id, ()):
                if condition.rule in channel.rules:
                    con.execute(
                        "INSERT INTO alert_deliveries (alert_id, channel_id, status) VALUES (?, ?, 'pending')",
                        [alert_id, channel.channel_id],
                    )
            raised.append(alert_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return raised, cleared


# --- channels ------------------------------------------------------------------------------------


class StdoutSender:
    def __init__(self, out: TextIO):
        self.out = out

    def send(self, alerts: list[StoredAlert], message: Message, language: str) -> None:
        body = "\n".join("  " + line for line in message.body.splitlines())
        try:
            self.out.write(f"{message.title}\n{body}\n")
            self.out.flush()
        except (OSError, ValueError) as exc:
            raise DeliveryFailed(f"cannot write to standard output: {getattr(exc, 'strerror', None) or exc}") from None


class JsonLinesSender:
    """One JSON object per line and alert, appended and synced (a log shipper can tail it)."""

    def __init__(self, path: Path):
        self.path = path

    def send(self, alerts: list[StoredAlert], message: Message, language: str) -> None:
        lines = [json.dumps({
            "alert_id": alert.alert_id, "rule": alert.rule, "entity_id": alert.entity_id,
            "subject": alert.subject, "language": language, "title": message.title, "text": message.body,
            "raised_at": alert.raised_at.isoformat(), "facts": alert.facts,
        }, ensure_ascii=False, sort_keys=True, default=str) + "\n" for alert in alerts]
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.writelines(lines)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise DeliveryFailed(f"cannot append to {self.path}: {exc.strerror or exc}") from None


def _url_secrets(url: str) -> list[str]:
    """The parts of an Apprise URL that may be secret (user, password, path segments, query
    values: Slack and Matrix keep tokens in the path), for scrubbing messages; the host stays."""
    secrets: list[str] = []
    try:
        parts = urlsplit(url)
        password = parts.password
        pieces = [parts.username, *parts.path.split("/"), parts.fragment]
        pieces += [value for pair in parts.query.split("&") for value in pair.split("=", 1)[1:]]
    except ValueError:
        return [url]  # unreadable: scrub it whole
    # Short pieces ("25", a room name) would blank out ordinary words; a password never is kept.
    pieces = [p for p in pieces if p and len(p) >= MIN_SECRET] + ([password] if password else [])
    return secrets + pieces + [unquote(p) for p in pieces]


class AppriseSender:
    """Notification URLs through Apprise (mailto://, json://, matrix://, slack://, msteams:// ...)."""

    def __init__(self, channel: AlertChannel, timeout: float):
        import apprise

        self.variable = channel.url_env
        url = os.environ.get(channel.url_env or "", "").strip()
        if not url:
            raise DeliveryFailed(f"{self.variable} is not set; export the channel's Apprise URL in it")
        self.secrets = _url_secrets(url)
        # Apprise's persistent store would write caches to the home directory: keep it in memory.
        self.apprise = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
        with apprise.LogCapture(level=logging.WARNING) as log:
            added = self.apprise.add(url)
        if not added or len(self.apprise) == 0:
            reason = self._reason(log.getvalue())
            raise DeliveryFailed(f"the URL in {self.variable} is not one Apprise can use"
                                 + (f" ({reason})" if reason else "") + "; see Apprise's list of services")
        for plugin in self.apprise:
            # Every wait bounded: the e-mail plugin's own default is 15 s, the others 4 s.
            plugin.socket_connect_timeout = min(float(plugin.socket_connect_timeout or timeout), timeout)
            plugin.socket_read_timeout = min(float(plugin.socket_read_timeout or timeout), timeout)

    def _reason(self, text: str) -> str:
        lines = [line.split(" - ", 2)[-1].strip() for line in text.splitlines() if line.strip()]
        return scrub(lines[-1], self.secrets)[:300] if lines else ""

    def send(self, alerts: list[StoredAlert], message: Message, language: str) -> None:
        import apprise

        with apprise.LogCapture(level=logging.WARNING) as log:
            try:
                delivered = bool(self.apprise.notify(body=message.body, title=message.title,
                                                     body_format=apprise.NotifyFormat.TEXT))
            except Exception as exc:  # noqa: BLE001 - a plugin's bug must not end the other channels
                delivered = False
                log.write(f"{type(exc).__name__}: {exc}\n")
        if not delivered:
            reason = self._reason(log.getvalue()) or "Apprise reported a failure"
            raise DeliveryFailed(f"{self.variable}: {reason}")


def make_sender(channel: AlertChannel, registry: Registry, out: TextIO, timeout: float):
    if channel.channel == "stdout":
        return StdoutSender(out)
    if channel.channel == "jsonl":
        path = Path(channel.path or "")
        if not path.is_absolute():
            path = Path(registry.path).resolve().parent / path
        return JsonLinesSender(path)
    return AppriseSender(channel, timeout)


@dataclass
class ChannelOutcome:
    channel_id: str
    delivered: int = 0
    pending: int = 0  # still pending after this run (the failed one and those after it)
    orphaned: int = 0  # pending for an entity that no longer configures this channel
    error: str | None = None


def pending_alerts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, StoredAlert]]:
    rows = con.execute(
        "SELECT d.channel_id, a.alert_id, a.rule, a.entity_id, a.subject, a.facts, a.raised_at "
        "FROM alert_deliveries AS d JOIN alerts AS a USING (alert_id) WHERE d.status = 'pending' "
        "ORDER BY d.channel_id, a.entity_id, a.raised_at, a.alert_id"
    ).fetchall()
    return [(channel_id, StoredAlert(alert_id, rule, entity_id, subject, json.loads(facts), raised_at))
            for channel_id, alert_id, rule, entity_id, subject, facts, raised_at in rows]


def _batches(pending: list[tuple[str, StoredAlert]], configured: dict[tuple[str, str], AlertChannel]):
    """(channel_id, channel or None, entity_id, alerts): one alert at a time for stdout and JSON
    lines, up to BUNDLE in one message for Apprise (whose e-mail plugin waits seconds between
    messages, and nobody wants a hundred mails)."""
    for (channel_id, entity_id), group in groupby(pending, key=lambda p: (p[0], p[1].entity_id)):
        alerts = [alert for _, alert in group]
        channel = configured.get((entity_id, channel_id))
        size = BUNDLE if channel is not None and channel.channel == "apprise" else 1
        for start in range(0, len(alerts), size):
            yield channel_id, channel, entity_id, alerts[start:start + size]


def deliver(con: duckdb.DuckDBPyConnection, registry: Registry, render: Render, journal: Journal,
            out: TextIO, timeout: float = DELIVERY_TIMEOUT) -> list[ChannelOutcome]:
    """Send every pending alert, channel by channel; a channel stops at its first failure.

    A pending delivery whose entity no longer configures that channel stays pending (counted),
    so putting the channel back delivers it.
    """
    configured: dict[tuple[str, str], AlertChannel] = {
        (e.id, c.channel_id): c for e in registry.entities for c in e.alerts
    }
    languages = {e.id: e.alert_language for e in registry.entities}
    outcomes: dict[str, ChannelOutcome] = {}
    senders: dict[str, Any] = {}
    for channel_id, channel, entity_id, alerts in _batches(pending_alerts(con), configured):
        outcome = outcomes.setdefault(channel_id, ChannelOutcome(channel_id))
        if channel is None:
            outcome.orphaned += len(alerts)
            continue
        if outcome.error is not None:
            outcome.pending += len(alerts)
            continue
        language = languages.get(entity_id, "en")
        now = datetime.now(UTC)
        ids = [alert.alert_id for alert in alerts]
        try:
            sender = senders.get(channel_id)
            if sender is None:
                sender = senders[channel_id] = make_sender(channel, registry, out, timeout)
            sender.send(alerts, render(alerts, language), language)
        except DeliveryFailed as exc:
            outcome.error = str(exc)
            outcome.pending += len(alerts)
            con.execute(
                "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, last_attempt_at = ? "
                "WHERE list_contains(?, alert_id) AND channel_id = ?",
                [outcome.error, now, ids, channel_id],
            )
            continue
        for alert_id in ids:
            journal.record(alert_id, channel_id)
        con.execute(
            "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, last_error = NULL, "
            "last_attempt_at = ?, delivered_at = ? WHERE list_contains(?, alert_id) AND channel_id = ?",
            [now, now, ids, channel_id],
        )
        outcome.delivered += len(alerts)
    return list(outcomes.values())
