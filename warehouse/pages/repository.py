"""One repository, for the project page: its issues and change requests per month, its releases
and its publiccode.yml. Each function takes ``repo`` = (forge, host, path).

Timestamps are UTC; months are UTC calendar months as naive timestamps of their first day, as in
:mod:`warehouse.metrics`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from warehouse import metrics
from warehouse.metrics import Scope
from warehouse.metrics.frames import frame
from warehouse.metrics.moments import month_start
from warehouse.metrics.results import moment


def _repo_params(repo: Sequence[str]) -> dict[str, Any]:
    return Scope(repo=repo).params()


def _fact_items(con: duckdb.DuckDBPyConnection) -> str:
    """Item facts: the materialised table when fresh, else the live view."""
    return "item_facts" if metrics.metric_facts_fresh(con) else "item_facts_live"


def repo_item_months(
    con: duckdb.DuckDBPyConnection,
    *,
    repo: Sequence[str],
    months: int = 12,
    bot_items: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Issues and change requests of one repository per UTC calendar month, the last ``months``
    months up to ``now`` (the current, partial one included; every month present).

    Columns: month; opened (issues and change requests created that month, by people unless
    ``bot_items``), responded (of those, with a first response by ``now``), median_ttfr_hours
    (median time to first response of the responded ones; NULL when none); open_issues (issues
    open at the month's end, or at ``now`` for the current month), median_issue_age_days (their
    median age then; NULL when none was open).
    """
    params = _repo_params(repo)
    end = moment(con, now)
    months = max(1, int(months))
    items = _fact_items(con)
    params.update({
        "now": end,
        "start": month_start(end, months - 1),
        "first_month": month_start(end, months - 1).replace(tzinfo=None),
        "last_month": month_start(end).replace(tzinfo=None),
        "bot_items": bool(bot_items),
    })
    sql = f"""
        WITH mine AS MATERIALIZED (
            SELECT i.kind, i.created_at, i.resolved_at, i.first_response_at
            FROM {items} AS i
            WHERE i.forge = $repo_forge AND i.host = $repo_host AND i.repo_path = $repo_path
              AND i.created_at <= $now AND ($bot_items OR NOT i.author_is_bot)
        ),
        months AS (
            SELECT m AS month,
                   -- the month's end as an instant (UTC), never after now
                   least(timezone('UTC', m + INTERVAL 1 MONTH), $now::TIMESTAMPTZ) AS at
            FROM (SELECT unnest(generate_series($first_month::TIMESTAMP, $last_month::TIMESTAMP,
                                                INTERVAL 1 MONTH)) AS m)
        ),
        opened AS (
            SELECT utc_month(created_at) AS month, count(*) AS opened,
                   count(*) FILTER (WHERE first_response_at <= $now) AS responded,
                   median(CASE WHEN first_response_at <= $now
                               THEN seconds_between(created_at, first_response_at) / 3600.0 END)
                       AS median_ttfr_hours
            FROM mine WHERE created_at >= $start
            GROUP BY 1
        ),
        open_issues AS (
            SELECT m.month, count(i.created_at) AS open_issues,
                   median(seconds_between(i.created_at, m.at) / 86400.0) AS median_issue_age_days
            FROM months AS m
            JOIN mine AS i
              ON i.kind = 'issue' AND i.created_at < m.at
             AND (i.resolved_at IS NULL OR i.resolved_at >= m.at)
            GROUP BY m.month
        )
        SELECT m.month,
               coalesce(o.opened, 0)::BIGINT AS opened,
               coalesce(o.responded, 0)::BIGINT AS responded,
               o.median_ttfr_hours,
               coalesce(q.open_issues, 0)::BIGINT AS open_issues,
               q.median_issue_age_days
        FROM months AS m
        LEFT JOIN opened AS o ON o.month = m.month
        LEFT JOIN open_issues AS q ON q.month = m.month
        ORDER BY m.month
    """
    return frame(con, sql, params)


def repo_releases(con: duckdb.DuckDBPyConnection, *, repo: Sequence[str]) -> pd.DataFrame:
    """Every release of one repository, newest first (undated ones last).

    Columns: tag, name, published_at, prerelease.
    """
    sql = """
        SELECT tag, name, published_at, prerelease
        FROM releases
        WHERE forge = $repo_forge AND host = $repo_host AND repo_path = $repo_path
        ORDER BY published_at DESC NULLS LAST, tag
    """
    return frame(con, sql, _repo_params(repo))


def _description(raw: str | None, lang: str) -> tuple[str | None, str | None]:
    """publiccode.yml's shortDescription in ``lang``, else English, else the first language."""
    if not isinstance(raw, str) or not raw:
        return None, None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None, None
    texts = doc.get("description") if isinstance(doc, dict) else None
    if not isinstance(texts, dict) or not texts:
        return None, None
    for key in (lang, "en", *sorted(texts)):
        entry = texts.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("shortDescription"), str):
            return entry["shortDescription"], key
    return None, None


def repo_publiccode(
    con: duckdb.DuckDBPyConnection,
    *,
    repo: Sequence[str],
    lang: str = "en",
    expiring_days: int = metrics.CONTRACT_EXPIRING_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The repository's parsed publiccode.yml (table ``publiccode``): one row, or none.

    Columns: name, short_description (in ``lang`` if the file has it, else English, else its
    first language), description_lang, software_version (softwareVersion), publiccode_version
    (publiccodeYmlVersion), development_status, software_type, licence, url, landing_url,
    used_by, is_based_on (lists of text, as written), maintenance_type, maintenance_until (latest
    contractor end), contract_status (as in ``metrics.hygiene``: expired before ``now``'s UTC
    date, expiring within ``expiring_days`` of it, else ok; NULL without a date), contractors
    (list of names), valid, errors (list of text), platforms, categories. Every text is the
    file's own, unchecked.
    """
    sql = """
        SELECT name, raw, json_extract_string(raw, '$.softwareVersion') AS software_version,
               version AS publiccode_version, development_status, software_type,
               license AS licence, url, landing_url, used_by, is_based_on, maintenance_type,
               maintenance_until,
               CASE WHEN maintenance_until IS NULL THEN NULL
                    WHEN maintenance_until < $today THEN 'expired'
                    WHEN maintenance_until <= $today + $expiring_days::INTEGER THEN 'expiring'
                    ELSE 'ok' END AS contract_status,
               contractors, valid, errors, platforms, categories
        FROM publiccode
        WHERE forge = $repo_forge AND host = $repo_host AND repo_path = $repo_path
    """
    params = {**_repo_params(repo), "today": moment(con, now).date(), "expiring_days": int(expiring_days)}
    df = frame(con, sql, params)
    described = [_description(raw, lang) for raw in df["raw"]]
    df.insert(1, "short_description", [d[0] for d in described])
    df.insert(2, "description_lang", [d[1] for d in described])

    def names(text: Any) -> list[str]:
        try:
            entries = json.loads(text) if isinstance(text, str) else []
        except ValueError:
            return []
        return [str(c["name"]) for c in entries if isinstance(c, dict) and c.get("name")]

    df["contractors"] = [names(c) for c in df["contractors"]]
    for col in ("used_by", "is_based_on", "errors", "platforms", "categories"):
        df[col] = [list(v) if v is not None and not isinstance(v, float) else [] for v in df[col]]
    return df.drop(columns="raw").reset_index(drop=True)
