"""Chart builders: DataFrame in, Altair chart out. No Streamlit and no SQL here, so each chart can
be tested and reused (reports, notebooks) on its own.

Every text of a chart (title, axis titles, legend, tooltips, category names) comes from the
caller's :class:`~dashboard.i18n.Translator` (keys ``charts.*``, in ``locales/charts.toml``);
months and dates are formatted by the Translator too, so a German chart reads "Nov. 2026". The data reaching a chart is aggregated by the warehouse
first; the builders cut it to ``MAX_CHART_POINTS`` marks at most.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.i18n import Translator
from warehouse.queries import MAX_CHART_POINTS

# Lifecycle stages in display order (warehouse.metrics.STAGES), each with a colour
# (colour-blind safe, Okabe-Ito, greys for the stages without activity).
STAGE_COLOURS = {
    "active": "#009E73",
    "declining": "#E69F00",
    "inactive": "#999999",
    "abandoned": "#D55E00",
    "archived": "#56B4E9",
    "no_data": "#DDDDDD",
}
_BELOW, _ABOVE = "#D55E00", "#0072B2"
_LABEL_LIMIT = 260  # pixels of a category label (entity names are long) before it is cut
# Number formats of the dashboard's languages for axes and tooltips (d3 locale).
_NUMBER_LOCALE = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
    "de": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]},
}


def _localised(chart: alt.TopLevelMixin, t: Translator) -> alt.TopLevelMixin:
    """The chart with the language's number format (decimal comma and dot groups in German)."""
    return chart.configure(locale={"number": _NUMBER_LOCALE.get(t.lang, _NUMBER_LOCALE["en"])})


def _months(df: pd.DataFrame, t: Translator) -> tuple[pd.DataFrame, list[str]]:
    """``df`` with a ``month_label`` column in the language, and the labels in month order."""
    out = df.copy()
    out["month_label"] = [t.month(m) for m in out["month"]]
    order = list(dict.fromkeys(out.sort_values("month")["month_label"]))
    return out, order


# --------------------------------------------------------------------------- kept from the first pages

_MONTH = alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y"))
_COMMITS = alt.Y("commits:Q", title="Commits", axis=alt.Axis(tickMinStep=1))
_TOOLTIP = [
    alt.Tooltip("entity_name:N", title="Entity"),
    alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
    alt.Tooltip("commits:Q", title="Commits", format=","),
]


def commits_per_month(df: pd.DataFrame, title: str = "Commits per month") -> alt.Chart:
    """Commits per month from ``warehouse.queries.commits_per_month`` output (English only; the
    pages use :func:`monthly_commits`).

    One entity: bars. Several: one line per entity, so entities can be compared month by month.
    """
    data = df[["month", "entity_id", "entity_name", "commits"]]
    base = alt.Chart(data, title=title)
    if data["entity_id"].nunique() <= 1:
        return base.mark_bar().encode(x=_MONTH, y=_COMMITS, tooltip=_TOOLTIP)
    return base.mark_line(point=True).encode(
        x=_MONTH,
        y=_COMMITS,
        color=alt.Color("entity_name:N", title="Entity"),
        detail="entity_id:N",  # two entities sharing a name still get a line each
        tooltip=_TOOLTIP,
    )


# --------------------------------------------------------------------------- activity over time


def monthly_commits(df: pd.DataFrame, t: Translator, title: str | None = None) -> alt.TopLevelMixin:
    """Commits per month as bars, from ``metrics.activity_per_month`` for one group
    (columns month, commits, active_contributors, new_contributors)."""
    data, order = _months(df[["month", "commits"]].tail(MAX_CHART_POINTS), t)
    chart = alt.Chart(data, title=title or t("charts.commits_title")).mark_bar(color="#0072B2").encode(
        x=alt.X("month_label:O", sort=order, title=t("charts.month")),
        y=alt.Y("commits:Q", title=t("charts.commits"), axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.month")),
            alt.Tooltip("commits:Q", title=t("charts.commits"), format=","),
        ],
    )
    return _localised(chart, t)


def monthly_contributors(df: pd.DataFrame, t: Translator, title: str | None = None) -> alt.TopLevelMixin:
    """Active and new contributors per month as two lines (same input as :func:`monthly_commits`)."""
    series = {"active_contributors": t("charts.active_contributors"), "new_contributors": t("charts.new_contributors")}
    data = df[["month", *series]].tail(MAX_CHART_POINTS // 2).melt(
        id_vars="month", value_vars=list(series), var_name="series", value_name="people")
    data["series"] = data["series"].map(series)
    data, order = _months(data, t)
    chart = alt.Chart(data, title=title or t("charts.contributors.title")).mark_line(point=True).encode(
        x=alt.X("month_label:O", sort=order, title=t("charts.month")),
        y=alt.Y("people:Q", title=t("charts.people"), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("series:N", title=None, sort=list(series.values()),
                        scale=alt.Scale(range=["#0072B2", "#E69F00"]), legend=alt.Legend(orient="bottom")),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.month")),
            alt.Tooltip("series:N", title=t("charts.series")),
            alt.Tooltip("people:Q", title=t("charts.people"), format=","),
        ],
    )
    return _localised(chart, t)


def monthly_response(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """Median time to first response (in days) of the items opened each month, as bars, from
    ``project_queries.repo_item_months``; a month without an answered item has no bar."""
    data = df[["month", "opened", "responded", "median_ttfr_hours"]].tail(MAX_CHART_POINTS).copy()
    data["days"] = data["median_ttfr_hours"] / 24.0
    data, order = _months(data, t)
    chart = alt.Chart(data, title=t("charts.ttfr.title")).mark_bar(color="#CC79A7").encode(
        x=alt.X("month_label:O", sort=order, title=t("charts.ttfr.month"), scale=alt.Scale(domain=order)),
        y=alt.Y("days:Q", title=t("charts.ttfr.days")),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.ttfr.month")),
            alt.Tooltip("days:Q", title=t("charts.ttfr.days"), format=",.1f"),
            alt.Tooltip("opened:Q", title=t("charts.ttfr.opened"), format=","),
            alt.Tooltip("responded:Q", title=t("charts.ttfr.responded"), format=","),
        ],
    ).transform_filter("isValid(datum.days)")
    return _localised(chart, t)


def open_issue_age(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """Median age of the issues open at each month's end (line), with their number in the
    tooltip, from ``project_queries.repo_item_months``; months without an open issue are gaps."""
    data = df[["month", "open_issues", "median_issue_age_days"]].tail(MAX_CHART_POINTS).copy()
    data, order = _months(data, t)
    base = alt.Chart(data, title=t("charts.issue_age.title")).encode(
        x=alt.X("month_label:O", sort=order, title=t("charts.month"), scale=alt.Scale(domain=order)),
        y=alt.Y("median_issue_age_days:Q", title=t("charts.issue_age.days")),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.month")),
            alt.Tooltip("median_issue_age_days:Q", title=t("charts.issue_age.days"), format=",.0f"),
            alt.Tooltip("open_issues:Q", title=t("charts.issue_age.open"), format=","),
        ],
    )
    chart = base.mark_line(color="#D55E00") + base.mark_point(color="#D55E00", filled=True, size=50).transform_filter(
        "isValid(datum.median_issue_age_days)")
    return _localised(chart, t)


# --------------------------------------------------------------------------- overview


def lifecycle_mix(df: pd.DataFrame, t: Translator, group: str, label: str, title: str) -> alt.TopLevelMixin:
    """Repositories per lifecycle stage, one stacked bar per group, from
    ``metrics.lifecycle_summary`` (wide: one column per stage). ``group`` is the key column,
    ``label`` the column with the group's display name, ``title`` the axis title of the groups."""
    stages = [s for s in STAGE_COLOURS if s in df.columns]
    data = df[[group, label, *stages]].head(MAX_CHART_POINTS // max(1, len(stages))).melt(
        id_vars=[group, label], value_vars=stages, var_name="stage", value_name="repos")
    data = data[data["repos"] > 0].copy()
    names = {s: t.label("stage", s) for s in stages}
    data["stage_label"] = data["stage"].map(names)
    data["order"] = data["stage"].map({s: i for i, s in enumerate(stages)})
    chart = alt.Chart(data, title=t("charts.lifecycle.title")).mark_bar().encode(
        y=alt.Y(f"{label}:N", title=title, sort=list(df[label]), axis=alt.Axis(labelLimit=_LABEL_LIMIT)),
        x=alt.X("repos:Q", title=t("charts.repos"), stack="zero", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("stage_label:N", title=t("charts.stage"),
                        scale=alt.Scale(domain=[names[s] for s in stages], range=[STAGE_COLOURS[s] for s in stages]),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=title),
            alt.Tooltip("stage_label:N", title=t("charts.stage")),
            alt.Tooltip("repos:Q", title=t("charts.repos"), format=","),
        ],
    )
    return _localised(chart.properties(height=alt.Step(24)), t)


def group_scores(df: pd.DataFrame, t: Translator, label: str, title: str, chart_title: str) -> alt.TopLevelMixin:
    """Health score per group (archetype, country) as bars, with activity in the tooltip.

    Columns: ``label`` (the group's display name), score, entities, repos, commits,
    active_contributors. Groups without a score get no bar. ``title`` names the groups (axis),
    ``chart_title`` is the chart's."""
    data = df[[label, "score", "entities", "repos", "commits", "active_contributors"]].head(MAX_CHART_POINTS)
    data = data[data["score"].notna()]
    chart = alt.Chart(data, title=chart_title).mark_bar(color="#0072B2").encode(
        y=alt.Y(f"{label}:N", title=title, sort="-x", axis=alt.Axis(labelLimit=_LABEL_LIMIT)),
        x=alt.X("score:Q", title=t("charts.score"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=title),
            alt.Tooltip("score:Q", title=t("charts.score"), format=",.0f"),
            alt.Tooltip("entities:Q", title=t("charts.entities"), format=","),
            alt.Tooltip("repos:Q", title=t("charts.repos"), format=","),
            alt.Tooltip("commits:Q", title=t("charts.commits"), format=","),
            alt.Tooltip("active_contributors:Q", title=t("charts.active_contributors"), format=","),
        ],
    )
    return _localised(chart.properties(height=alt.Step(24)), t)


def peer_benchmark(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """Each entity's health score (dot) against the median of its archetype (tick).

    Columns: entity_label, archetype_label, score, peer_median, difference, peers."""
    data = df[["entity_label", "archetype_label", "score", "peer_median", "difference", "peers"]].head(
        MAX_CHART_POINTS // 2).copy()
    data = data[data["score"].notna()]
    data["side"] = [t("charts.peers.alone") if pd.isna(d) else t("charts.peers.above") if d >= 0
                    else t("charts.peers.below") for d in data["difference"]]
    order = list(data.sort_values("score", ascending=False)["entity_label"])
    tooltip = [
        alt.Tooltip("entity_label:N", title=t("charts.entity")),
        alt.Tooltip("archetype_label:N", title=t("charts.archetype")),
        alt.Tooltip("score:Q", title=t("charts.score"), format=",.0f"),
        alt.Tooltip("peer_median:Q", title=t("charts.peers.median"), format=",.0f"),
        alt.Tooltip("difference:Q", title=t("charts.peers.difference"), format="+,.0f"),
        alt.Tooltip("peers:Q", title=t("charts.peers.count"), format=","),
    ]
    y = alt.Y("entity_label:N", title=t("charts.entity"), sort=order, axis=alt.Axis(labelLimit=_LABEL_LIMIT))
    scale = alt.Scale(domain=[0, 100])
    base = alt.Chart(data, title=t("charts.peers.title"))
    rule = base.mark_rule(color="#BBBBBB").encode(y=y, x=alt.X("peer_median:Q", scale=scale), x2="score:Q")
    tick = base.mark_tick(color="#333333", thickness=3, size=22).encode(
        y=y, x=alt.X("peer_median:Q", title=t("charts.score"), scale=scale), tooltip=tooltip)
    dot = base.mark_circle(size=120, opacity=1).encode(
        y=y, x=alt.X("score:Q", title=t("charts.score"), scale=scale),
        color=alt.Color("side:N", title=None,
                        scale=alt.Scale(domain=[t("charts.peers.above"), t("charts.peers.below"),
                                                t("charts.peers.alone")],
                                        range=[_ABOVE, _BELOW, "#9E9E9E"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=tooltip,
    )
    return _localised(alt.layer(rule, tick, dot).properties(height=alt.Step(28)), t)


# --------------------------------------------------------------------------- project


def health_parts(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """The parts of one repository's health score as bars (0-100), from ``metrics.health_parts``;
    missing parts are listed with the word for "missing" instead of a bar."""
    data = df[["part", "score", "weight", "missing"]].head(MAX_CHART_POINTS).copy()
    data["part_label"] = [t.label("part", p) for p in data["part"]]
    data["shown"] = data["score"].fillna(0.0)
    data["state"] = [t("charts.parts.missing") if m else t("charts.parts.counted") for m in data["missing"]]
    data["weight_pct"] = data["weight"] / data["weight"].sum() if data["weight"].sum() else 0.0
    order = list(data["part_label"])
    tooltip = [
        alt.Tooltip("part_label:N", title=t("charts.parts.part")),
        alt.Tooltip("score:Q", title=t("charts.score"), format=",.0f"),
        alt.Tooltip("weight_pct:Q", title=t("charts.parts.weight"), format=".0%"),
        alt.Tooltip("state:N", title=t("charts.parts.state")),
    ]
    y = alt.Y("part_label:N", title=t("charts.parts.part"), sort=order, axis=alt.Axis(labelLimit=_LABEL_LIMIT))
    base = alt.Chart(data, title=t("charts.parts.title"))
    bars = base.mark_bar(color="#0072B2").encode(
        y=y, x=alt.X("shown:Q", title=t("charts.score"), scale=alt.Scale(domain=[0, 100])), tooltip=tooltip,
    ).transform_filter("!datum.missing")
    words = base.mark_text(align="left", dx=4, color="#777777", fontStyle="italic").encode(
        y=y, x=alt.datum(0), text="state:N", tooltip=tooltip,
    ).transform_filter("datum.missing")
    return _localised((bars + words).properties(height=alt.Step(28)), t)


def releases_timeline(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """One repository's releases on a time line (newest ``MAX_CHART_POINTS``), pre-releases on a
    row of their own, from ``project_queries.repo_releases``."""
    data = df[df["published_at"].notna()][["tag", "name", "published_at", "prerelease"]].head(MAX_CHART_POINTS).copy()
    data["published"] = data["published_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    data["date_label"] = [t.date(d) for d in data["published_at"]]
    data["kind_label"] = [t("charts.releases.pre") if p else t("charts.releases.release") for p in data["prerelease"]]
    chart = alt.Chart(data, title=t("charts.releases.title")).mark_tick(thickness=3, size=24, color="#009E73").encode(
        x=alt.X("published:T", title=t("charts.releases.date"), axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y("kind_label:N", title=None),
        tooltip=[
            alt.Tooltip("tag:N", title=t("charts.releases.tag")),
            alt.Tooltip("name:N", title=t("charts.releases.name")),
            alt.Tooltip("date_label:N", title=t("charts.releases.date")),
        ],
    )
    return _localised(chart, t)


__all__ = [
    "STAGE_COLOURS",
    "commits_per_month",
    "group_scores",
    "health_parts",
    "lifecycle_mix",
    "monthly_commits",
    "monthly_contributors",
    "monthly_response",
    "open_issue_age",
    "peer_benchmark",
    "releases_timeline",
]
