"""The attention rules behind ``ossdash alerts``: which conditions hold in the warehouse now.

Each condition has a stable key, (rule, entity, subject), so the same condition seen run after
run is one alert; what it says (repository, item, days, status) travels in ``facts`` for the
texts. The rules read what the last collection computed (attention_findings, goal progress,
the run log), so evaluating twice on the same snapshot gives the same conditions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from collectors.registry import DEFAULT_UNANSWERED_DAYS, Entity, Registry
from warehouse import goals
from warehouse.metrics import attention_list

# attention_list reasons -> alert rule ("declining" is a trend, not an alert).
FINDING_RULES = {
    "inactive": "inactive",
    "abandoned": "abandoned",
    "unanswered_issue": "unanswered",
    "unanswered_change_request": "unanswered",
    "contract_expired": "contract",
    "contract_expiring": "contract",
    "single_maintainer": "single_maintainer",
}
# Goal statuses that alert: short of the target and not heading there (or slipping from it).
GOAL_ALERT_STATUSES = frozenset({goals.AT_RISK, goals.OFF_TRACK, "met at risk"})
# Account statuses that count as a failed run of that account.
FAILED_ACCOUNT_STATUSES = ("failed", "skipped")
RUNS_IN_A_ROW = 2


@dataclass(frozen=True)
class Condition:
    rule: str
    entity_id: str
    subject: str
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.rule}|{self.entity_id}|{self.subject}"


def evaluate(con: duckdb.DuckDBPyConnection, registry: Registry) -> list[Condition]:
    """Every condition of the entities that have alert channels, rules filtered per entity."""
    entities = [e for e in registry.entities if e.alerts]
    if not entities:
        return []
    wanted = {e.id: {rule for c in e.alerts for rule in c.rules} for e in entities}
    found: list[Condition] = []
    found += _findings(con, entities)
    found += _goals(con, registry, {e.id for e in entities})
    found += _accounts(con, {e.id for e in entities})
    names = {e.id: e.name for e in entities}
    unique: dict[str, Condition] = {}
    for condition in found:
        if condition.rule in wanted.get(condition.entity_id, ()):
            condition.facts["entity_name"] = names[condition.entity_id]
            unique.setdefault(condition.key, condition)
    return list(unique.values())


def _value(value: Any) -> Any:
    """A JSON-ready value: NaN/NaT/NA become None, timestamps ISO text, numpy scalars Python."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _repo(forge: str, host: str, path: str) -> str:
    return f"{forge}:{host}/{path}"


def _findings(con: duckdb.DuckDBPyConnection, entities: Iterable[Entity]) -> list[Condition]:
    by_days: dict[int, set[str]] = {}
    for e in entities:
        by_days.setdefault(e.alert_unanswered_days, set()).add(e.id)
    out: list[Condition] = []
    for days, ids in sorted(by_days.items()):
        # The default threshold reads the findings the collection stored; another computes live
        # at the same moment (the last collection's), so the answer does not drift between runs.
        frame = attention_list(con) if days == DEFAULT_UNANSWERED_DAYS else attention_list(con, no_response_days=days)
        frame = frame[frame["entity_id"].isin(ids)]
        for row in frame.itertuples(index=False):
            rule = FINDING_RULES.get(row.reason)
            if rule is None:
                continue
            repo = _repo(row.forge, row.host, row.path)
            subject = repo
            if rule == "unanswered":
                subject = f"{repo}#{row.item_kind}:{int(row.item_number)}"
            elif rule == "contract":
                # expiring then expired are two alerts; a renewed contract ending again is a new one
                subject = f"{repo}@{row.reason.removeprefix('contract_')}:{(_value(row.since) or '')[:10]}"
            facts = {
                "reason": row.reason, "forge": row.forge, "host": row.host, "repo": row.path,
                "url": _value(row.item_url) or _value(row.html_url), "days": _value(row.days),
                "since": _value(row.since), "item_kind": _value(row.item_kind),
                "item_number": _value(row.item_number), "detail": _value(row.detail),
            }
            out.append(Condition(rule, row.entity_id, subject, facts))
    return out


def _goals(con: duckdb.DuckDBPyConnection, registry: Registry, ids: set[str]) -> list[Condition]:
    out: list[Condition] = []
    has_goals = any(e.goals for e in registry.entities if e.id in ids)
    if not has_goals:
        return out
    progress = goals.goal_progress(con, registry)
    for row in progress[progress["entity_id"].isin(ids)].itertuples(index=False):
        if row.status not in GOAL_ALERT_STATUSES:
            continue
        subject = f"{row.metric}@{row.deadline}:{row.status.replace(' ', '_')}"
        facts = {
            "metric": row.metric, "target": _value(row.target), "deadline": _value(row.deadline),
            "value": _value(row.value), "projected": _value(row.projected), "status": row.status,
            "unit": row.unit, "goal_no": _value(row.goal_no),
        }
        out.append(Condition("goal", row.entity_id, subject, facts))
    return out


def _accounts(con: duckdb.DuckDBPyConnection, ids: set[str]) -> list[Condition]:
    """Accounts whose last RUNS_IN_A_ROW runs (those that included them) all failed."""
    rows = con.execute(
        """
        WITH ranked AS (
            SELECT ra.*, row_number() OVER (PARTITION BY forge, host, owner ORDER BY run_id DESC) AS n
            FROM run_accounts AS ra WHERE list_contains(?, ra.entity_id)
        )
        SELECT forge, host, owner, arg_max(entity_id, run_id), count(*), max(run_id), min(run_id),
               arg_max(error, run_id)
        FROM ranked WHERE n <= ? GROUP BY forge, host, owner
        HAVING count(*) = ? AND bool_and(list_contains(?, status))
        ORDER BY forge, host, owner
        """,
        [sorted(ids), RUNS_IN_A_ROW, RUNS_IN_A_ROW, list(FAILED_ACCOUNT_STATUSES)],
    ).fetchall()
    out = []
    for forge, host, owner, entity_id, runs, last_run, first_run, error in rows:
        first_line = (error or "").strip().splitlines()
        facts = {"forge": forge, "host": host, "owner": owner, "runs": runs, "first_run": first_run,
                 "last_run": last_run, "error": first_line[0][:300] if first_line else None}
        out.append(Condition("account", entity_id, f"{forge}:{host}/{owner}", facts))
    return out
