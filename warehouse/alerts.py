"""``ossdash alerts``: evaluate the attention rules on the published warehouse and deliver each
new alert once to the channels the registry configures per entity.

It writes like a collection does: under the database's collection lock, in a working copy
that is published atomically (warehouse.publish.WorkingCopy), so the dashboard never reads a
file being written and the delivery state survives publishing. Order within one pass:

1. evaluate the rules on the copy (the same snapshot the dashboard shows);
2. raise new alerts and clear those whose condition is gone, with a pending delivery per
   channel (one transaction);
3. fold in the journal (``<db>.alerts-sent``) of a previous pass that delivered but never
   published, keeping in it only what the published file still lacks;
4. deliver, recording each success in the journal (synced at once) and in the copy;
5. publish.

A crash before 4 loses nothing (the published file still lacks those alerts, so the next pass
raises them again with the same ids); a crash during 4 or 5 is repaired from the journal. Only
an alert sent in the instant between the channel accepting it and the journal's sync can be
sent twice: no channel (SMTP, a webhook) offers more than at-least-once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from collectors.registry import Registry
from warehouse.alert_delivery import (
    DELIVERY_TIMEOUT,
    ChannelOutcome,
    Journal,
    Render,
    deliver,
    record_conditions,
)
from warehouse.alert_rules import evaluate
from warehouse.lock import WarehouseError
from warehouse.publish import WorkingCopy


class NoWarehouse(WarehouseError):
    """There is no collected warehouse to evaluate yet."""


@dataclass
class AlertRun:
    raised: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    recovered: int = 0  # deliveries a pass that never published had made (from the journal)
    channels: list[ChannelOutcome] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return sum(c.delivered for c in self.channels)

    @property
    def pending(self) -> int:
        return sum(c.pending for c in self.channels)

    @property
    def failed(self) -> list[ChannelOutcome]:
        return [c for c in self.channels if c.error is not None]

    @property
    def ok(self) -> bool:
        return not self.failed


def _has_collection(con) -> bool:
    return con.execute("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[0] > 0


def run_alerts(registry: Registry, db_path: str | Path, render: Render, out: TextIO,
               timeout: float = DELIVERY_TIMEOUT) -> AlertRun:
    """One pass of evaluation and delivery on the warehouse ``db_path`` (see the module's text).

    Raises NoWarehouse if nothing was collected there yet, CollectionBusy while a collection
    (or another alerts pass) holds the lock, WarehouseError if the copy cannot be written.
    """
    published = Path(db_path)
    if not published.is_file():
        raise NoWarehouse(f"no warehouse at {published}; run `ossdash collect` first (or name the file with --db)")
    journal = Journal(published)
    result = AlertRun()
    with WorkingCopy(published) as con:
        if not _has_collection(con):
            raise NoWarehouse(f"{published} holds no finished collection yet; run `ossdash collect` first")
        now = datetime.now(UTC)
        conditions = evaluate(con, registry)
        result.raised, result.cleared = record_conditions(con, registry, conditions, now)
        result.recovered = journal.fold(con, now)
        result.channels = deliver(con, registry, render, journal, out, timeout)
    return result
