"""Query functions behind the overview, entity and project pages that no metric function gives.

Each takes a DuckDB connection (or cursor; read-only is enough), a ``warehouse.metrics.Scope``
where it answers for several repositories, and keyword parameters, and returns a pandas DataFrame. Values reach SQL only as bound parameters; the f-strings below only
assemble fixed fragments. Timestamps are UTC; months are UTC calendar months as naive timestamps
of their first day, as in :mod:`warehouse.metrics`.

The scope's filters (all optional, combined with AND) are those of the metrics: ``entity_id``,
``country``, ``archetype``, ``forge`` and ``repo`` = (forge, host, path); one repository's
functions take ``repo`` alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from warehouse import metrics
from warehouse.metrics import Scope
from warehouse.metrics.frames import frame as _frame
from warehouse.metrics.scope import FILTER_SQL as _FILTER
from warehouse.metrics.scope import LEVEL_KEYS as _LEVELS


def _as_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _now(con: duckdb.DuckDBPyConnection, now: datetime | None) -> datetime:
    """``now``, else the moment the warehouse's metrics are as of (the last collection's, when
    :mod:`warehouse.metrics` says so), else the current time: the same windows as the metrics."""
    if now is not None:
        return _as_utc(now)
    moment = metrics.as_of(con)
    return _as_utc(moment) if moment is not None else datetime.now(UTC)


def _month_start(moment: datetime, months_back: int = 0) -> datetime:
    index = moment.year * 12 + (moment.month - 1) - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _repo_params(repo: Sequence[str]) -> dict[str, Any]:
    return Scope(repo=repo).params()


def _fact_sets(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Commit and item facts: the materialised tables when fresh, else the live views."""
    if metrics.metric_facts_fresh(con):
        return "commit_facts", "item_facts"
    return "commit_facts_live", "item_facts_live"


# --------------------------------------------------------------------------- repositories


def repo_list(con: duckdb.DuckDBPyConnection, scope: Scope = Scope()) -> pd.DataFrame:
    """The repositories in scope (its filters), by entity name then forge, host and path.

    Columns: forge, host, path, entity_id, entity_name, country, archetype, name, description,
    html_url, license (the forge's SPDX id), archived, is_fork, fork_parent, stars, forks_count,
    open_issues, language, created_at, pushed_at.
    """
    sql = f"""
        SELECT r.forge, r.host, r.path, r.entity_id, e.name AS entity_name, e.country, e.archetype,
               r.name, r.description, r.html_url, r.license_spdx AS license, r.archived, r.is_fork,
               r.fork_parent, r.stars, r.forks_count, r.open_issues, r.language, r.created_at,
               r.pushed_at
        FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
        WHERE {_FILTER}
        ORDER BY e.name, r.entity_id, r.forge, r.host, r.path
    """
    return _frame(con, sql, scope.params())


def find_repo(con: duckdb.DuckDBPyConnection, *, key: str) -> pd.DataFrame:
    """The repository named by ``key`` = ``forge:host/path``, the dashboard's repository key (a
    host may itself hold a slash, as a forge served under a path does): :func:`repo_list`'s
    columns, one row or none."""
    forge, _, address = str(key).partition(":")
    found = _frame(
        con,
        "SELECT forge, host, path FROM repos WHERE forge = $forge AND host || '/' || path = $address"
        " ORDER BY length(host) LIMIT 1",
        {"forge": forge, "address": address},
    )
    if found.empty:
        return repo_list(con, Scope(entity_id="")).iloc[0:0]
    return repo_list(con, Scope(repo=tuple(found.iloc[0])))


def entity_accounts(con: duckdb.DuckDBPyConnection, entity_id: str | None = None) -> pd.DataFrame:
    """The registry's accounts (of one entity, or all), with what was collected from each.

    Columns: entity_id, forge, host, owner (organisation, user or group path), api_url (as in
    the registry), web_url (the account's page, derived from a collected repository's web
    address; NULL when none was collected), repos (collected repositories whose account this is),
    archived_repos, last_push_at (latest push to any of them). Sorted by entity, forge, host, owner.
    """
    sql = """
        WITH per_account AS (
            SELECT r.forge, r.host, r.account_owner AS owner, count(*) AS repos,
                   count(*) FILTER (WHERE r.archived) AS archived_repos,
                   max(r.pushed_at) AS last_push_at,
                   -- https://forge/owner/sub/repo with path owner/sub/repo: keep the part up to
                   -- the owner. Only addresses that end with the path are trusted for this.
                   min(left(r.html_url, length(r.html_url) - length(r.path)) || r.account_owner)
                       FILTER (WHERE r.html_url IS NOT NULL AND ends_with(r.html_url, '/' || r.path))
                       AS web_url
            FROM repos AS r
            WHERE $entity_id IS NULL OR r.entity_id = $entity_id
            GROUP BY ALL
        )
        SELECT a.entity_id, a.forge, a.host, a.owner, a.url AS api_url, p.web_url,
               coalesce(p.repos, 0)::BIGINT AS repos,
               coalesce(p.archived_repos, 0)::BIGINT AS archived_repos,
               p.last_push_at
        FROM accounts AS a
        LEFT JOIN per_account AS p ON p.forge = a.forge AND p.host = a.host AND p.owner = a.owner
        WHERE $entity_id IS NULL OR a.entity_id = $entity_id
        ORDER BY a.entity_id, a.forge, a.host, a.owner
    """
    return _frame(con, sql, {"entity_id": entity_id})


# --------------------------------------------------------------------------- activity in the period


def period_activity(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("ecosystem"),
    *,
    days: float = metrics.WINDOW_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Commits and active contributors in the window ``now - days <= committed_at <= now``.

    ``scope``'s level: repo, entity, archetype, country or ecosystem (one row, scope = 'ecosystem'). Every
    group with a repository in scope is listed, zeros included. Columns: the level's key
    columns (forge, host, path | entity_id | archetype | country | scope), repos (in scope),
    commits (distinct SHAs, bots included: a commit in two repositories of the group, a mirror
    or a fork, counts once), active_contributors (distinct people who are not bots with a commit
    in the window, as resolved by the identity rebuild), last_commit_at (latest commit up to
    ``now``, whenever).
    """
    keys = _LEVELS[scope.level]
    names = [name for name, _ in keys]
    select_keys = ", ".join(f"{sql} AS {name}" for name, sql in keys)
    key_list = ", ".join(names)
    join = " AND ".join(f"c.{k} = g.{k}" for k in names)
    commits, _ = _fact_sets(con)
    end = _now(con, now)
    sql = f"""
        WITH scope AS MATERIALIZED (
            SELECT r.forge AS s_forge, r.host AS s_host, r.path AS s_path, {select_keys}
            FROM repos AS r JOIN entities AS e ON e.entity_id = r.entity_id
            WHERE {_FILTER}
        ),
        groups AS (SELECT {key_list}, count(*) AS repos FROM scope GROUP BY {key_list}),
        facts AS (
            SELECT s.{', s.'.join(names)}, f.sha, f.person_id, f.is_bot, f.committed_at
            FROM {commits} AS f
            JOIN scope AS s ON f.forge = s.s_forge AND f.host = s.s_host AND f.repo_path = s.s_path
            WHERE f.committed_at <= $now
              AND ($entity_id IS NULL OR f.entity_id = $entity_id)
              AND ($forge IS NULL OR f.forge = $forge)
        ),
        counts AS (
            SELECT {key_list},
                   count(DISTINCT sha) FILTER (WHERE committed_at >= $since) AS commits,
                   count(DISTINCT person_id) FILTER (WHERE committed_at >= $since AND NOT is_bot)
                       AS active_contributors,
                   max(committed_at) AS last_commit_at
            FROM facts GROUP BY {key_list}
        )
        SELECT g.{', g.'.join(names)}, g.repos::BIGINT AS repos,
               coalesce(c.commits, 0)::BIGINT AS commits,
               coalesce(c.active_contributors, 0)::BIGINT AS active_contributors,
               c.last_commit_at
        FROM groups AS g LEFT JOIN counts AS c ON {join}
        ORDER BY g.{', g.'.join(names)}
    """
    params = {
        **scope.params(),
        "now": end,
        "since": end - timedelta(days=float(days)),
    }
    return _frame(con, sql, params)


# --------------------------------------------------------------------------- one repository


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
    end = _now(con, now)
    months = max(1, int(months))
    _, items = _fact_sets(con)
    params.update({
        "now": end,
        "start": _month_start(end, months - 1),
        "first_month": _month_start(end, months - 1).replace(tzinfo=None),
        "last_month": _month_start(end).replace(tzinfo=None),
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
    return _frame(con, sql, params)


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
    return _frame(con, sql, _repo_params(repo))


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
    params = {**_repo_params(repo), "today": _now(con, now).date(), "expiring_days": int(expiring_days)}
    df = _frame(con, sql, params)
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


__all__ = [
    "entity_accounts",
    "find_repo",
    "period_activity",
    "repo_item_months",
    "repo_list",
    "repo_publiccode",
    "repo_releases",
]
