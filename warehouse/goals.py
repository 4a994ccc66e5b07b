"""Goals for councils: goal metrics per entity, dated snapshots, reconstructed history, progress.

Definitions, with their caveats, are in ``docs/reuse-and-goals.md``. In short, over an entity's
*projects* (its non-fork repositories, a mirror pair counted once: see warehouse.reuse):

=========================  =====================================================================
public_repos               projects (archived included)
osi_licence_share          projects with an OSI-approved licence (any of the entity's repos of the
                           project) / projects
publiccode_share           projects with a publiccode.yml (any repo) / projects
active_share               projects with a commit in the 90 days ending on the day / projects
contributions_to_others    other entities' projects with commits by this entity's people
reused_by_others           this entity's projects reused by another entity (fork, mirror, usedBy,
                           isBasedOn)
=========================  =====================================================================

The health metrics of ``warehouse.metrics`` are goal metrics too, one value per entity (health
score, absence and elephant factor, median time to first response, change request closure and
acceptance ratio, median issue age, releases per year, inactive contributor share, hygiene checks
share, commits, active contributors: see ``HEALTH_GOAL_METRICS`` below); some are "lower is
better". Other metrics can be added by name with :func:`register_metric`. Shares of zero projects
are ``None`` (no data), never 0.

Write side (the pipeline, after each collection): :func:`sync_goals`, :func:`write_snapshots`
(which refreshes the derived reuse tables first). Read side (the dashboard, read-only): :func:`goal_values`,
:func:`reconstruct_history`, :func:`goal_history`, :func:`goal_progress`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pandas as pd
import pyarrow as pa

from collectors.registry import GOAL_METRICS, MAX_LOGO_BYTES, SHARE_METRICS, Registry
from warehouse import metrics as health
from warehouse import reuse

ACTIVE_DAYS = 90
# A goal whose projected value reaches this fraction of its target (but not the target) is at risk.
AT_RISK_RATIO = 0.9
# The trend is fitted over the history points of this many days before "today" ...
TREND_DAYS = 365
# ... and needs at least two points at least this many days apart; else the projection is flat.
MIN_TREND_SPAN_DAYS = 14

# A goal past its deadline is judged by its value at the deadline: the latest observed snapshot
# of the last this many days up to it, else the value reconstructed for that very day.
DEADLINE_VALUE_DAYS = 45

# The statuses, in the order a council reads them. Before the deadline:
ACHIEVED = "achieved"  # the value meets the target, and the trend (if any) keeps it there
MET_AT_RISK = "met at risk"  # the value meets the target now, but the trend leaves it short by the deadline
ON_TRACK = "on track"  # short now; the trend reaches the target by the deadline
AT_RISK = "at risk"  # short now; the trend reaches at least AT_RISK_RATIO of the target
OFF_TRACK = "off track"  # short now; the trend falls further short
NOT_ENOUGH_HISTORY = "not enough history"  # short now, and too little history for a trend
# On or after the deadline (never "off track"):
MET_AT_DEADLINE = "met at deadline"  # the value at the deadline met the target
MISSED_AT_DEADLINE = "missed at deadline"  # the value at the deadline fell short
DEADLINE_PASSED = "deadline passed"  # passed, and no value at the deadline is known
# Either side:
NO_DATA = "no data"  # no value now (and, past the deadline, none at it)
STATUSES = (ACHIEVED, MET_AT_RISK, ON_TRACK, AT_RISK, OFF_TRACK, NOT_ENOUGH_HISTORY,
            MET_AT_DEADLINE, MISSED_AT_DEADLINE, DEADLINE_PASSED, NO_DATA)
# How each status reads at a glance: good (met or heading there), warning, bad, neutral (the
# data cannot tell). The page's boxes and the report's colours follow it.
STATUS_TONE = {
    ACHIEVED: "good", MET_AT_RISK: "warning", ON_TRACK: "good", AT_RISK: "warning", OFF_TRACK: "bad",
    NOT_ENOUGH_HISTORY: "neutral", MET_AT_DEADLINE: "good", MISSED_AT_DEADLINE: "bad",
    DEADLINE_PASSED: "neutral", NO_DATA: "neutral",
}

# A metric function: (connection, entity ids, day) -> {entity_id: value or None}.
MetricFn = Callable[[duckdb.DuckDBPyConnection, Sequence[str], date], dict[str, float | None]]


# What a goal metric's values are: share (0..1), score (0..100), count, ratio (>= 0, may exceed 1),
# hours, days, per_year. Projections are kept within the unit's range.
UNITS = ("share", "score", "count", "ratio", "hours", "days", "per_year")


@dataclass(frozen=True, slots=True)
class GoalMetric:
    name: str
    fn: MetricFn
    share: bool  # value in [0, 1]
    description: str = ""
    unit: str = "count"
    lower_is_better: bool = False
    # Reconstructed for past days when not None: the days of history before a day its value
    # needs, checked against the registry's history horizon (0: none).
    history_days: int | None = None


METRICS: dict[str, GoalMetric] = {}


def register_metric(
    name: str,
    *,
    share: bool = False,
    description: str = "",
    unit: str | None = None,
    lower_is_better: bool = False,
    history_days: int | None = None,
) -> Callable[[MetricFn], MetricFn]:
    """Register a goal metric by name (decorator). Replaces a metric of the same name.

    ``unit``: one of UNITS (default: share if ``share``, else count). ``lower_is_better``: the goal
    is reached when the value falls to the target. ``history_days``: reconstruct the metric for
    past days (:func:`reconstruct_history`) when its value on a day needs that many days of
    history before it (checked against the registry's ``since``); None: observed snapshots only.
    """
    unit = unit or ("share" if share else "count")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}: expected one of {', '.join(UNITS)}")

    def wrap(fn: MetricFn) -> MetricFn:
        METRICS[name] = GoalMetric(name, fn, unit == "share", description or (fn.__doc__ or "").strip(),
                                   unit, lower_is_better, history_days)
        return fn

    return wrap


def _today(today: date | datetime | None, con: duckdb.DuckDBPyConnection | None = None) -> date:
    """``today`` as a UTC date; None: the day of the last collection (:func:`warehouse.metrics.as_of`)
    while the warehouse is as it left it, else the current day."""
    if today is None:
        moment = health.as_of(con) if con is not None else None
        return (moment or datetime.now(UTC)).date()
    if isinstance(today, datetime):
        return (today if today.tzinfo is None else today.astimezone(UTC)).date()
    return today


def _day_end(day: date) -> datetime:
    """The first instant after ``day`` in UTC: windows run up to, not including, it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def _moment(con: duckdb.DuckDBPyConnection, day: date) -> datetime:
    """The moment a health metric is taken at for ``day``: its end, or, if earlier, the moment the
    warehouse is as of (the last collection, else the present): nothing later is known."""
    return min(_day_end(day), health.as_of(con) or datetime.now(UTC))


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return con.execute("SELECT txid_current()").fetchall()[0][0] == first


class _Tx:
    """BEGIN/COMMIT unless the caller already holds a transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.own = not _in_transaction(con)

    def __enter__(self):
        if self.own:
            self.con.execute("BEGIN")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        if self.own:
            self.con.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


# --------------------------------------------------------------------------- built-in metrics

# One row per (entity, project) over the entity's non-fork repositories; licence and
# publiccode.yml as judged by the health metrics' repo_hygiene view (migration 004).
_ENTITY_PROJECTS = """
    SELECT rp.entity_id, rp.project_id,
           min(r.created_at) AS created_at,
           bool_or(coalesce(h.has_publiccode, false)) AS has_publiccode,
           bool_or(coalesce(h.osi_licence, false)) AS osi_licence
    FROM repo_project rp
    JOIN repos r USING (forge, host, path)
    LEFT JOIN repo_hygiene h ON h.forge = r.forge AND h.host = r.host AND h.repo_path = r.path
    WHERE NOT r.is_fork AND list_contains($entities, rp.entity_id)
    GROUP BY rp.entity_id, rp.project_id
"""


def _entity_projects(con, entity_ids: Sequence[str], day: date) -> pd.DataFrame:
    """The entity's projects existing on ``day``: created by its end, or of unknown creation."""
    return reuse._frame(
        con,
        f"SELECT * FROM ({_ENTITY_PROJECTS}) WHERE created_at IS NULL OR created_at < $end",
        {"entities": list(entity_ids), "end": _day_end(day)},
    )


def _per_entity(entity_ids: Sequence[str], values: dict[str, float | None], default: float | None) -> dict[str, float | None]:
    return {e: values.get(e, default) for e in entity_ids}


@register_metric("public_repos", description="projects (non-fork repositories, mirrors once)")
def _public_repos(con, entity_ids, day):
    df = _entity_projects(con, entity_ids, day)
    return _per_entity(entity_ids, df.groupby("entity_id").size().astype(float).to_dict(), 0.0)


def _share(df: pd.DataFrame, flag: pd.Series, entity_ids) -> dict[str, float | None]:
    if df.empty:
        return _per_entity(entity_ids, {}, None)
    grouped = flag.groupby(df["entity_id"]).mean()
    return _per_entity(entity_ids, {k: float(v) for k, v in grouped.items()}, None)


@register_metric("osi_licence_share", share=True, description="share of projects with an OSI-approved licence")
def _osi_share(con, entity_ids, day):
    df = _entity_projects(con, entity_ids, day)
    return _share(df, df["osi_licence"].astype(float), entity_ids)


@register_metric("publiccode_share", share=True, description="share of projects with a publiccode.yml")
def _publiccode_share(con, entity_ids, day):
    df = _entity_projects(con, entity_ids, day)
    return _share(df, df["has_publiccode"].astype(float), entity_ids)


def _active_share_at(
    con, entity_ids: Sequence[str], days: Sequence[date], include_undated: bool = True
) -> pd.DataFrame:
    """active_share for several days at once: columns day, entity_id, projects, active.

    Projects of unknown creation date count on every day with ``include_undated`` (today's
    value), on none without (reconstructed history, as for public_repos).
    """
    if not days:
        return pd.DataFrame(columns=["day", "entity_id", "projects", "active"])
    ends = [_day_end(d) for d in days]
    return reuse._frame(
        con,
        f"""
        WITH ep AS ({_ENTITY_PROJECTS}),
        days AS (SELECT unnest($days) AS day, unnest($ends) AS day_end),
        -- commits of every repository of the project (a mirror's commits are the project's)
        pc AS (
            SELECT rp.project_id, c.committed_at
            FROM commits c
            JOIN repo_project rp ON rp.forge = c.forge AND rp.host = c.host AND rp.path = c.repo_path
            WHERE c.committed_at >= $earliest AND c.committed_at < $latest
              AND rp.project_id IN (SELECT project_id FROM ep)
        ),
        active AS (
            SELECT DISTINCT d.day, pc.project_id
            FROM days d JOIN pc
              ON pc.committed_at < d.day_end AND pc.committed_at >= d.day_end - INTERVAL {ACTIVE_DAYS} DAY
        )
        SELECT d.day, ep.entity_id, count(*) AS projects,
               count(a.project_id) AS active
        FROM days d
        JOIN ep ON (ep.created_at IS NULL AND $undated) OR ep.created_at < d.day_end
        LEFT JOIN active a ON a.day = d.day AND a.project_id = ep.project_id
        GROUP BY d.day, ep.entity_id
        """,
        {
            "entities": list(entity_ids),
            "days": list(days),
            "ends": ends,
            "earliest": min(ends) - timedelta(days=ACTIVE_DAYS),
            "latest": max(ends),
            "undated": include_undated,
        },
    )


@register_metric("active_share", share=True, description=f"share of projects with a commit in {ACTIVE_DAYS} days")
def _active_share(con, entity_ids, day):
    df = _active_share_at(con, entity_ids, [day])
    values = {r.entity_id: r.active / r.projects for r in df.itertuples() if r.projects}
    return _per_entity(entity_ids, values, None)


@register_metric("contributions_to_others", description="other entities' projects with commits by the entity's people")
def _contributions(con, entity_ids, day):
    values = {k: float(v) for k, v in reuse.contributions_to_others(con).items()}
    return _per_entity(entity_ids, values, 0.0)


@register_metric("reused_by_others", description="the entity's projects reused by other entities")
def _reused(con, entity_ids, day):
    values = {k: float(v) for k, v in reuse.projects_reused_by_others(con).items()}
    return _per_entity(entity_ids, values, 0.0)


# --------------------------------------------------------------------------- health metrics by name

WINDOW = int(health.WINDOW_DAYS)


def _entity_metric(fn: Callable[..., pd.DataFrame], column: str, scale: float = 1.0, **kwargs) -> MetricFn:
    """A goal metric from a warehouse.metrics function at the entity level, taken at :func:`_moment`."""

    def compute(con, entity_ids, day):
        # One entity: filter (its row groups only); several: every entity at once.
        one = entity_ids[0] if len(entity_ids) == 1 else None
        df = fn(con, health.Scope("entity", entity_id=one), now=_moment(con, day), **kwargs)
        values = {e: (None if pd.isna(v) else float(v) * scale) for e, v in zip(df["entity_id"], df[column])}
        return _per_entity(entity_ids, values, None)

    compute.__doc__ = f"warehouse.metrics.{fn.__name__}(Scope('entity')).{column}"
    return compute


# name: (function, column, scale, unit, lower is better, history days, keyword arguments, description)
HEALTH_GOAL_METRICS: dict[str, tuple] = {
    "health_score": (health.health_score, "score", 1.0, "score", False, None, {},
                     "the entity's health score (0-100)"),
    "absence_factor": (health.absence_factor, "absence_factor", 1.0, "count", False, WINDOW, {},
                       "Contributor Absence Factor over the last 365 days"),
    "elephant_factor": (health.elephant_factor, "elephant_factor", 1.0, "count", False, WINDOW, {},
                        "Elephant Factor over the last 365 days"),
    "median_first_response_hours": (health.time_to_first_response, "median_hours", 1.0, "hours", True, WINDOW,
                                    {"combined": True},
                                    "median time to first response of issues and change requests opened in the last 365 days"),
    "closure_ratio": (health.change_request_ratios, "closure_ratio", 1.0, "ratio", False, WINDOW, {},
                      "change requests closed / opened in the last 365 days"),
    "acceptance_ratio": (health.change_request_ratios, "acceptance_ratio", 1.0, "share", False, WINDOW, {},
                         "change requests merged / closed in the last 365 days"),
    "median_issue_age_days": (health.issue_age, "median_age_days", 1.0, "days", True, 0, {},
                              "median age of the open issues"),
    # Releases are collected whole, whatever the history horizon.
    "releases_per_year": (health.release_frequency, "releases_per_year", 1.0, "per_year", False, 0, {},
                          "releases in the last 365 days"),
    "inactive_contributor_share": (health.inactive_contributors, "inactive_share", 1.0, "share", True, WINDOW, {},
                                   "share of contributors without a commit in the last 365 days"),
    "hygiene_share": (health.health_score, "hygiene", 0.01, "share", False, None, {},
                      "the health score's hygiene part / 100: share of hygiene checks passed"),
    "commits": (health.activity_totals, "commits", 1.0, "count", False, WINDOW, {},
                "commits in the last 365 days"),
    "active_contributors": (health.activity_totals, "active_contributors", 1.0, "count", False, WINDOW, {},
                            "people with a commit in the last 365 days"),
}



def _register_health_metrics() -> None:
    for name, (fn, column, scale, unit, lower, history, kwargs, text) in HEALTH_GOAL_METRICS.items():
        register_metric(name, unit=unit, lower_is_better=lower, history_days=history, description=text)(
            _entity_metric(fn, column, scale, **kwargs))


_register_health_metrics()


# --------------------------------------------------------------------------- values and snapshots


def _entity_ids(con, registry: Registry | None) -> list[str]:
    if registry is not None:
        return [e.id for e in registry.entities]
    return [r[0] for r in con.execute("SELECT entity_id FROM entities ORDER BY entity_id").fetchall()]


def _metric_names(registry: Registry | None, metrics: Sequence[str] | None) -> list[str]:
    if metrics is not None:
        return list(metrics)
    names = list(GOAL_METRICS)
    for e in registry.entities if registry else ():
        for g in e.goals:
            if g.metric not in names and g.metric in METRICS:
                names.append(g.metric)
    return names


def is_share(metric: str) -> bool:
    m = METRICS.get(metric)
    return m.share if m is not None else metric in SHARE_METRICS


def unit_of(metric: str) -> str:
    """The metric's unit (UNITS); an unknown metric: share or count, as the registry judges it."""
    m = METRICS.get(metric)
    return m.unit if m is not None else ("share" if metric in SHARE_METRICS else "count")


def lower_is_better(metric: str) -> bool:
    m = METRICS.get(metric)
    return m is not None and m.lower_is_better


def _clip(value: float, unit: str) -> float:
    if unit == "share":
        return min(max(value, 0.0), 1.0)
    if unit == "score":
        return min(max(value, 0.0), 100.0)
    return max(value, 0.0)


def goal_values(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None = None,
    today: date | datetime | None = None,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every entity's goal metrics on ``today``: columns entity_id, metric, value (None: no data).

    Entities from the registry (else the ``entities`` table); metrics: ``metrics``, else every
    built-in goal metric plus registered metrics the registry's goals name. An unknown metric
    name gives None values.
    """
    day = _today(today, con)
    ids = _entity_ids(con, registry)
    rows = []
    for name in _metric_names(registry, metrics):
        metric = METRICS.get(name)
        values = metric.fn(con, ids, day) if metric is not None and ids else {}
        for e in ids:
            v = values.get(e)
            rows.append((e, name, None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)))
    return pd.DataFrame(rows, columns=["entity_id", "metric", "value"]).astype({"value": "float64"})


def _month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months before ``today``'s month, oldest first."""
    out = []
    first = today.replace(day=1)
    for _ in range(months):
        last = first - timedelta(days=1)
        out.append(last)
        first = last.replace(day=1)
    return sorted(out)


def reconstruct_history(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None,
    months: int = 24,
    today: date | datetime | None = None,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Goal metrics at the end of each of the ``months`` months before ``today``'s month, from history.

    Columns: snapshot_date, entity_id, metric, value. Only what the data can tell:

    - public_repos: projects whose earliest repository was created by the day (repositories of
      unknown creation date are left out of the past);
    - active_share: as defined, on that day, for days whose 90-day window starts on or after the
      registry's history horizon (``[defaults] since``) when one is set; days with no project
      give no row;
    - contributions_to_others: other entities' projects in which the entity's people had authored
      a commit by the day (today's affiliations and project mapping applied to the past).

    Registered metrics with ``history_days`` (the health metrics but the health score and
    hygiene) are the metric itself taken at the end of each day, for days whose history of
    ``history_days`` days starts on or after the horizon: those ``metrics``, else those the
    registry's goals name. The other metrics (licences, publiccode.yml, reuse, health score,
    hygiene) have no dated history and are left out.
    """
    day = _today(today, con)
    days = _month_ends(day, months) if months > 0 else []
    return _reconstruct(con, registry, _entity_ids(con, registry), days, metrics)


def _reconstruct(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None,
    ids: Sequence[str],
    days: Sequence[date],
    metrics: Sequence[str] | None,
) -> pd.DataFrame:
    """:func:`reconstruct_history`'s rows for the given entities and days."""
    ids = list(ids)
    columns = ["snapshot_date", "entity_id", "metric", "value"]
    if not ids or not days:
        return pd.DataFrame(columns=columns)
    rows: list[tuple] = []
    ends = [_day_end(d) for d in days]
    created = reuse._frame(
        con,
        f"SELECT entity_id, project_id, created_at FROM ({_ENTITY_PROJECTS}) WHERE created_at IS NOT NULL",
        {"entities": ids},
    )
    for d, end in zip(days, ends):
        counts = created[created["created_at"] < pd.Timestamp(end)].groupby("entity_id").size()
        for e in ids:
            rows.append((d, e, "public_repos", float(counts.get(e, 0))))
    since = registry.since if registry is not None else None
    active_days = [d for d, end in zip(days, ends) if since is None or end - timedelta(days=ACTIVE_DAYS) >= since]
    for r in _active_share_at(con, ids, active_days, include_undated=False).itertuples():
        if r.projects:
            rows.append((r.day, r.entity_id, "active_share", r.active / r.projects))
    firsts = reuse._frame(
        con,
        "SELECT target AS entity_id, source_project, min(first_at) AS first_at"
        " FROM contribution_evidence GROUP BY target, source_project",
    )
    for d, end in zip(days, ends):
        counts = firsts[firsts["first_at"] < pd.Timestamp(end)].groupby("entity_id").size()
        for e in ids:
            rows.append((d, e, "contributions_to_others", float(counts.get(e, 0))))
    for name in _history_metrics(registry, metrics):
        metric = METRICS[name]
        for d, end in zip(days, ends):
            if since is not None and end - timedelta(days=metric.history_days) < since:
                continue
            for e, v in metric.fn(con, ids, d).items():
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    rows.append((d, e, name, float(v)))
    df = pd.DataFrame(rows, columns=columns)
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"]).dt.date
    return df.sort_values(["entity_id", "metric", "snapshot_date"]).reset_index(drop=True)


def _history_metrics(registry: Registry | None, metrics: Sequence[str] | None) -> list[str]:
    """Registered metrics beyond the built-in six that can be reconstructed: ``metrics``, else
    those the registry's goals name."""
    names = metrics if metrics is not None else _metric_names(registry, None)
    return [n for n in dict.fromkeys(names)
            if n not in GOAL_METRICS and n in METRICS and METRICS[n].history_days is not None]


def write_snapshots(
    con: duckdb.DuckDBPyConnection,
    registry: Registry,
    today: date | datetime | None = None,
    reconstruct: bool = True,
    months: int = 24,
    refresh: bool = True,
) -> int:
    """Store today's goal metrics of every entity; return the number of observed rows written.

    With ``refresh`` (the default), the derived reuse tables are rebuilt first
    (:func:`warehouse.reuse.refresh_reuse`), so the values reflect the data as collected; call it
    after identities have been rebuilt.

    One row per (day, entity, metric): run twice the same day, the later values replace the
    earlier ones, so the table holds one snapshot a day. With ``reconstruct``, the reconstructed
    history (:func:`reconstruct_history`) is refreshed too: its rows are replaced, and kept only
    for days before the entity's first observed snapshot of that metric.
    """
    day = _today(today, con)
    if refresh:
        reuse.refresh_reuse(con)
    values = goal_values(con, registry, day)
    values.insert(0, "snapshot_date", day)
    values["source"] = "observed"
    frames = [values]
    if reconstruct:
        frames.append(reconstruct_history(con, registry, months, day).assign(source="reconstructed"))
    table = pa.Table.from_pandas(
        pd.concat(frames, ignore_index=True)[["snapshot_date", "entity_id", "metric", "value", "source"]],
        schema=pa.schema([("snapshot_date", pa.date32()), ("entity_id", pa.string()), ("metric", pa.string()),
                          ("value", pa.float64()), ("source", pa.string())]),
        preserve_index=False,
    )
    with _Tx(con):
        con.register("_goal_rows", table)
        try:
            con.execute(
                "INSERT INTO goal_snapshots (snapshot_date, entity_id, metric, value, source)"
                " SELECT snapshot_date, entity_id, metric, value, source FROM _goal_rows WHERE source = 'observed'"
                " ON CONFLICT (snapshot_date, entity_id, metric)"
                " DO UPDATE SET value = excluded.value, source = excluded.source"
            )
            if reconstruct:
                con.execute("DELETE FROM goal_snapshots WHERE source = 'reconstructed'")
                con.execute(
                    """
                    INSERT INTO goal_snapshots (snapshot_date, entity_id, metric, value, source)
                    SELECT g.snapshot_date, g.entity_id, g.metric, g.value, g.source
                    FROM _goal_rows g
                    WHERE g.source = 'reconstructed'
                      AND g.snapshot_date < (SELECT min(s.snapshot_date) FROM goal_snapshots s
                                             WHERE s.entity_id = g.entity_id AND s.metric = g.metric
                                               AND s.source = 'observed')
                    """
                )
        finally:
            con.unregister("_goal_rows")
    return len(values)


def sync_goals(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Mirror the registry's goals into ``goals``, and each entity's report name and logo into
    ``entity_report`` (:func:`logo_image`); return how many goals there are."""
    rows = [
        (e.id, n, g.metric, float(g.target), g.deadline)
        for e in registry.entities
        for n, g in enumerate(e.goals, start=1)
    ]
    shown = []
    for e in registry.entities:
        kind, data = logo_image(e.logo)
        if e.display_name or data:
            shown.append((e.id, e.display_name, kind, data))
    with _Tx(con):
        con.execute("DELETE FROM goals")
        for row in rows:
            con.execute("INSERT INTO goals VALUES (?, ?, ?, ?, ?)", list(row))
        con.execute("DELETE FROM entity_report")
        for row in shown:
            con.execute("INSERT INTO entity_report VALUES (?, ?, ?, ?)", list(row))
    return len(rows)


_IMAGE_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def logo_image(path: str | None) -> tuple[str | None, bytes | None]:
    """(media type, bytes) of a logo file that is a PNG or JPEG by its content, within the
    registry's size limit; (None, None) otherwise. The registry checked the file when it was
    read; one that changed since is left out rather than stop a collection."""
    if not path:
        return None, None
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except OSError:
        return None, None
    kind = next((k for signature, k in _IMAGE_SIGNATURES if data.startswith(signature)), None)
    if kind is None or len(data) > MAX_LOGO_BYTES:
        return None, None
    return kind, data


def entity_report(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, object]:
    """The report's name and logo of an entity: display_name (None: use its name), logo_type and
    logo (None: none set)."""
    # A warehouse made before migration 010 has no such table (and the dashboard never migrates).
    has_table = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'entity_report'"
                            " AND schema_name = current_schema()").fetchall()[0][0]
    found = con.execute("SELECT display_name, logo_type, logo FROM main.entity_report WHERE entity_id = ?",
                        [entity_id]).fetchall() if has_table else []
    name, kind, data = found[0] if found else (None, None, None)
    return {"display_name": name, "logo_type": kind, "logo": None if data is None else bytes(data)}


def entities_with_goals(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The entities the ``goals`` table gives at least one goal, by id."""
    return [r[0] for r in con.execute("SELECT DISTINCT entity_id FROM goals ORDER BY entity_id").fetchall()]


def goal_history(
    con: duckdb.DuckDBPyConnection, entity_id: str | None = None, metric: str | None = None
) -> pd.DataFrame:
    """Stored snapshots (observed and reconstructed): snapshot_date, entity_id, metric, value, source."""
    return reuse._frame(
        con,
        "SELECT snapshot_date, entity_id, metric, value, source FROM goal_snapshots"
        " WHERE ($entity IS NULL OR entity_id = $entity) AND ($metric IS NULL OR metric = $metric)"
        " ORDER BY entity_id, metric, snapshot_date",
        {"entity": entity_id, "metric": metric},
    )


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True, slots=True)
class Trend:
    slope_per_day: float | None
    points: int
    first: date | None


def fit_trend(points: Sequence[tuple[date, float]]) -> Trend:
    """Least-squares slope (units per day) through dated values; None with fewer than two points
    or when they span less than MIN_TREND_SPAN_DAYS days."""
    pts = [(d, v) for d, v in points if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not pts:
        return Trend(None, 0, None)
    first = min(d for d, _ in pts)
    xs = [(d - first).days for d, _ in pts]
    ys = [float(v) for _, v in pts]
    if len(pts) < 2 or max(xs) - min(xs) < MIN_TREND_SPAN_DAYS:
        return Trend(None, len(pts), first)
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return Trend(sxy / sxx, len(pts), first)


def _meets(value: float, target: float, lower_is_better: bool) -> bool:
    return value <= target if lower_is_better else value >= target


def goal_status(
    value: float | None,
    target: float,
    projected: float | None,
    deadline: date,
    today: date,
    lower_is_better: bool = False,
    *,
    trend: bool = True,
    deadline_value: float | None = None,
) -> str:
    """The goal's status (one of STATUSES).

    Before the deadline, from the value now and ``projected``, the value the trend reaches by
    the deadline (``trend``: whether there is a trend at all; without one ``projected`` says
    nothing):

    - the value meets the target: achieved, unless a trend leaves it short by the deadline: met
      at risk;
    - short of it and no trend: not enough history (never off track for want of history);
    - else on track (projection meets the target), at risk (reaches AT_RISK_RATIO of it), off
      track.

    On or after the deadline, from ``deadline_value`` (the value at the deadline): met at
    deadline or missed at deadline; none known: deadline passed (no data if there is no value
    now either). A goal past its deadline is never on, at or off track.

    ``lower_is_better`` turns the comparisons round: the target is met when the value is at most
    the target, at risk when the projection is at most target / AT_RISK_RATIO.
    """
    if deadline <= today:
        if deadline_value is not None:
            return MET_AT_DEADLINE if _meets(deadline_value, target, lower_is_better) else MISSED_AT_DEADLINE
        return NO_DATA if value is None else DEADLINE_PASSED
    if value is None:
        return NO_DATA
    has_trend = trend and projected is not None
    if _meets(value, target, lower_is_better):
        return MET_AT_RISK if has_trend and not _meets(projected, target, lower_is_better) else ACHIEVED
    if not has_trend:
        return NOT_ENOUGH_HISTORY
    if _meets(projected, target, lower_is_better):
        return ON_TRACK
    close = target / AT_RISK_RATIO if lower_is_better else AT_RISK_RATIO * target
    if _meets(projected, close, lower_is_better):
        return AT_RISK
    return OFF_TRACK


def _goals(con, registry: Registry | None, entity_id: str | None) -> list[tuple[str, int, str, float, date]]:
    if registry is not None:
        goals = [(e.id, n, g.metric, float(g.target), g.deadline)
                 for e in registry.entities for n, g in enumerate(e.goals, start=1)]
    else:
        goals = [tuple(r) for r in con.execute(
            "SELECT entity_id, goal_no, metric, target, deadline FROM goals ORDER BY entity_id, goal_no"
        ).fetchall()]
    return [g for g in goals if entity_id is None or g[0] == entity_id]


def _current_values(con, goals: list[tuple[str, int, str, float, date]], day: date) -> dict[tuple[str, str], float | None]:
    """Each goal's (entity, metric) value on ``day``.

    On the day of the last collection, while the warehouse is as it left it, the values its
    snapshot stored (computed then by the same functions at the same moment); else, and for
    pairs the snapshot lacks, computed now for the goals' entities only.
    """
    current: dict[tuple[str, str], float | None] = {}
    moment = health.as_of(con)
    if moment is not None and moment.date() == day and reuse.reuse_fresh(con):
        ids = sorted({g[0] for g in goals})
        names = sorted({g[2] for g in goals})
        for e, m, v in con.execute(
            "SELECT entity_id, metric, value FROM goal_snapshots WHERE snapshot_date = ? AND source = 'observed'"
            " AND list_contains(?, entity_id) AND list_contains(?, metric)",
            [day, ids, names],
        ).fetchall():
            current[(e, m)] = None if v is None else float(v)
    wanted: dict[str, set[str]] = {}
    for e, _, m, _, _ in goals:
        if (e, m) not in current:
            wanted.setdefault(m, set()).add(e)
    for m, entity_ids in wanted.items():
        metric = METRICS.get(m)
        values = metric.fn(con, sorted(entity_ids), day) if metric is not None else {}
        for e in entity_ids:
            v = values.get(e)
            current[(e, m)] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    return current


def _deadline_values(
    con, registry: Registry | None, goals: list[tuple[str, int, str, float, date]], day: date,
    current: dict[tuple[str, str], float | None],
) -> dict[tuple[str, str, date], tuple[float, date, str]]:
    """The value at the deadline of each goal whose deadline is ``day`` or earlier:
    (entity, metric, deadline) -> (value, the day it is of, source).

    In this order: the value now when the deadline is today (source "now"); the latest stored
    snapshot of the DEADLINE_VALUE_DAYS days up to the deadline, observed before reconstructed;
    the value reconstructed for the deadline itself (:func:`reconstruct_history`'s rules). A
    metric with no dated history (licences, publiccode.yml...) and no snapshot then has none.
    """
    past = sorted({(e, m, d) for e, _, m, _, d in goals if d <= day})
    out: dict[tuple[str, str, date], tuple[float, date, str]] = {}
    for e, m, d in past:
        if d == day and current.get((e, m)) is not None:
            out[(e, m, d)] = (float(current[(e, m)]), d, "now")
    rest = [k for k in past if k not in out]
    if rest:
        stored = con.execute(
            "SELECT entity_id, metric, snapshot_date, value, source FROM goal_snapshots"
            " WHERE value IS NOT NULL AND NOT isnan(value) AND list_contains(?, entity_id)"
            " AND list_contains(?, metric) AND snapshot_date BETWEEN ? AND ?",
            [sorted({k[0] for k in rest}), sorted({k[1] for k in rest}),
             min(k[2] for k in rest) - timedelta(days=DEADLINE_VALUE_DAYS), max(k[2] for k in rest)],
        ).fetchall()
        for e, m, d in rest:
            found = [(source == "observed", snap, float(v), source) for se, sm, snap, v, source in stored
                     if se == e and sm == m and d - timedelta(days=DEADLINE_VALUE_DAYS) <= snap <= d]
            if found:
                _, snap, v, source = max(found)
                out[(e, m, d)] = (v, snap, source)
    by_day: dict[date, set[tuple[str, str]]] = {}
    for e, m, d in past:
        if (e, m, d) not in out:
            by_day.setdefault(d, set()).add((e, m))
    for d, pairs in by_day.items():
        rebuilt = _reconstruct(con, registry, sorted({e for e, _ in pairs}), [d], sorted({m for _, m in pairs}))
        for r in rebuilt.itertuples():
            if (r.entity_id, r.metric) in pairs and not pd.isna(r.value):
                out[(r.entity_id, r.metric, d)] = (float(r.value), d, "reconstructed")
    return out


def goal_progress(
    con: duckdb.DuckDBPyConnection,
    registry: Registry | None = None,
    entity_id: str | None = None,
    today: date | datetime | None = None,
    trend_days: int = TREND_DAYS,
) -> pd.DataFrame:
    """Progress of every goal (of one entity, if given), from the registry (else the ``goals`` table).

    Columns: entity_id, goal_no, metric, unit (UNITS: share, score, count, ratio, hours, days,
    per_year), target, deadline, as_of (today: default the day of the last collection), value (on that day; NaN: no data), trend_per_month (slope x 30 days; NaN when
    there is no trend), trend_points (history points used, today's value included), trend_from
    (oldest point), reconstructed (whether reconstructed points were used), days_left, projected
    (value at the deadline on the trend, kept within the unit's range: [0, 1] for shares, [0, 100]
    for scores, >= 0 otherwise; the value itself when there is no trend), status (one of
    STATUSES: :func:`goal_status`, turned round for "lower is better"), lower_is_better (whether
    the goal is to bring the value down to the target), deadline_value, deadline_value_date and
    deadline_value_source (observed | reconstructed | now) for a goal whose deadline is today or
    past: its value at the deadline (:func:`_deadline_values`; NaN, None, None when unknown or
    the deadline is still ahead).

    History: stored snapshots of the ``trend_days`` days before today; an (entity, metric) with
    no stored snapshot at all falls back to :func:`reconstruct_history` computed on the fly.
    """
    day = _today(today, con)
    goals = _goals(con, registry, entity_id)
    columns = ["entity_id", "goal_no", "metric", "unit", "target", "deadline", "as_of", "value",
               "trend_per_month", "trend_points", "trend_from", "reconstructed", "days_left",
               "projected", "status", "lower_is_better", "deadline_value", "deadline_value_date",
               "deadline_value_source"]
    if not goals:
        return pd.DataFrame(columns=columns)
    metrics = sorted({g[2] for g in goals})
    ids = sorted({g[0] for g in goals})
    current = _current_values(con, goals, day)
    start = day - timedelta(days=trend_days)
    stored = reuse._frame(
        con,
        "SELECT snapshot_date, entity_id, metric, value, source FROM goal_snapshots"
        " WHERE snapshot_date >= ? AND snapshot_date < ? AND list_contains(?, entity_id) AND list_contains(?, metric)",
        [start, day, ids, metrics],
    )
    any_stored = {
        (e, m) for e, m in con.execute(
            "SELECT DISTINCT entity_id, metric FROM goal_snapshots"
            " WHERE list_contains(?, entity_id) AND list_contains(?, metric)",
            [ids, metrics],
        ).fetchall()
    }
    history: dict[tuple[str, str], list[tuple[date, float, str]]] = {}
    for r in stored.itertuples():
        if not pd.isna(r.value):
            history.setdefault((r.entity_id, r.metric), []).append((r.snapshot_date, float(r.value), r.source))
    missing = {(e, m) for e, _, m, _, _ in goals} - any_stored
    if missing:
        months = max(1, math.ceil(trend_days / 30.44))
        rebuilt = reconstruct_history(con, registry, months, day, metrics=sorted({m for _, m in missing}))
        for r in rebuilt.itertuples():
            if (r.entity_id, r.metric) in missing and r.snapshot_date >= start:
                history.setdefault((r.entity_id, r.metric), []).append((r.snapshot_date, float(r.value), "reconstructed"))
    at_deadline = _deadline_values(con, registry, goals, day, current)
    rows = []
    for e, n, m, target, deadline in goals:
        value = current.get((e, m))
        unit, lower = unit_of(m), lower_is_better(m)
        pts = [(d, v) for d, v, _ in history.get((e, m), [])]
        used_reconstructed = any(s == "reconstructed" for _, _, s in history.get((e, m), []))
        if value is not None:
            pts.append((day, value))
        trend = fit_trend(pts)
        days_left = (deadline - day).days
        projected = None
        if value is not None:
            projected = value
            if trend.slope_per_day is not None and days_left > 0:
                projected = value + trend.slope_per_day * days_left
            projected = _clip(projected, unit)
        then, then_day, then_source = at_deadline.get((e, m, deadline), (None, None, None))
        status = goal_status(value, target, projected, deadline, day, lower_is_better=lower,
                             trend=trend.slope_per_day is not None, deadline_value=then)
        rows.append((
            e, n, m, unit, target, deadline, day,
            value, None if trend.slope_per_day is None else trend.slope_per_day * 30,
            trend.points, trend.first, used_reconstructed, days_left, projected, status, lower,
            then, then_day, then_source,
        ))
    df = pd.DataFrame(rows, columns=columns)
    for col in ("deadline_value_date", "deadline_value_source"):  # None, never NaN, when unknown
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    for col in ("value", "trend_per_month", "projected", "target", "deadline_value"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


# --------------------------------------------------------------------------- health score for the report


def health_history(
    con: duckdb.DuckDBPyConnection, entity_id: str, months: int = 12, today: date | datetime | None = None,
    every: int = 3,
) -> pd.DataFrame:
    """The entity's health score over time: columns day, score, source.

    One row at the end of every ``every``-th month of the ``months`` months before ``today``'s
    month, counted back from the last (source "reconstructed": the score taken at that moment
    from the collected history; its hygiene part reads today's files, which say nothing of the
    past), then today's score (source "now"). Each past score is computed live, hence a point a
    quarter rather than a month. A stored observed snapshot of the health score (kept when a
    goal names it) replaces the reconstructed value of its day, and older ones come first.
    Moments without a score give no row.
    """
    day = _today(today, con)
    ends = _month_ends(day, months)[::-1][::max(1, every)][::-1]
    stored = {d: float(v) for d, v in con.execute(
        "SELECT snapshot_date, value FROM goal_snapshots WHERE entity_id = ? AND metric = 'health_score'"
        " AND source = 'observed' AND value IS NOT NULL AND snapshot_date < ?", [entity_id, day]).fetchall()}
    rows = [(d, v, "observed") for d, v in stored.items() if d < (ends or [day])[0]]
    for d in ends:
        if d in stored:
            rows.append((d, stored[d], "observed"))
            continue
        df = health.health_score(con, health.Scope("entity", entity_id=entity_id), now=_day_end(d))
        if not df.empty and not pd.isna(df["score"].iloc[0]):
            rows.append((d, float(df["score"].iloc[0]), "reconstructed"))
    df = health.health_score(con, health.Scope("entity", entity_id=entity_id), now=_moment(con, day))
    if not df.empty and not pd.isna(df["score"].iloc[0]):
        rows.append((day, float(df["score"].iloc[0]), "now"))
    out = pd.DataFrame(rows, columns=["day", "score", "source"])
    return out.sort_values("day").reset_index(drop=True)


def peer_standing(
    con: duckdb.DuckDBPyConnection, entity_id: str, today: date | datetime | None = None,
) -> pd.DataFrame:
    """The health scores of the entity and its peers (the entities of its archetype), best first.

    Columns: entity_id, name, score (NaN: no score), rank (1 = best among those with a score;
    NaN without one), is_entity. Empty for an unknown entity.
    """
    columns = ["entity_id", "name", "score", "rank", "is_entity"]
    row = con.execute("SELECT archetype FROM entities WHERE entity_id = ?", [entity_id]).fetchall()
    if not row:
        return pd.DataFrame(columns=columns)
    archetype = row[0][0]
    peers = reuse._frame(con, "SELECT entity_id, name FROM entities WHERE archetype = $a ORDER BY name",
                         {"a": archetype})
    day = _today(today, con)
    scores = health.health_score(con, health.Scope("entity", archetype=archetype), now=_moment(con, day))
    by_id = {e: (None if pd.isna(v) else float(v)) for e, v in zip(scores["entity_id"], scores["score"])}
    peers["score"] = pd.to_numeric(peers["entity_id"].map(by_id), errors="coerce").astype("float64")
    peers["rank"] = peers["score"].rank(ascending=False, method="min")
    peers["is_entity"] = peers["entity_id"] == entity_id
    peers = peers.sort_values(["score", "name"], ascending=[False, True], na_position="last")
    return peers[columns].reset_index(drop=True)


__all__ = [
    "ACHIEVED",
    "ACTIVE_DAYS",
    "AT_RISK",
    "AT_RISK_RATIO",
    "DEADLINE_PASSED",
    "DEADLINE_VALUE_DAYS",
    "HEALTH_GOAL_METRICS",
    "METRICS",
    "MET_AT_DEADLINE",
    "MET_AT_RISK",
    "MIN_TREND_SPAN_DAYS",
    "MISSED_AT_DEADLINE",
    "NOT_ENOUGH_HISTORY",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "STATUSES",
    "STATUS_TONE",
    "TREND_DAYS",
    "UNITS",
    "GoalMetric",
    "Trend",
    "entities_with_goals",
    "entity_report",
    "fit_trend",
    "goal_history",
    "goal_progress",
    "goal_status",
    "goal_values",
    "health_history",
    "is_share",
    "logo_image",
    "lower_is_better",
    "peer_standing",
    "reconstruct_history",
    "register_metric",
    "sync_goals",
    "unit_of",
    "write_snapshots",
]
