"""Chart builders: DataFrame in, Altair chart out. No Streamlit and no SQL here, so each chart can
be tested and reused (reports, notebooks) on its own.

Every text of a chart (title, axis titles, legend, tooltips, category names) comes from the
caller's :class:`~dashboard.i18n.Translator` (keys ``charts.*``, in ``locales/charts.toml``);
months and dates are formatted by the Translator too, so a German chart reads "Nov. 2026". The
data reaching a chart is aggregated by the warehouse first; the builders cut it to
``MAX_CHART_POINTS`` marks at most.

Shared rules (``chart_base``): a chart with nothing to draw is a sentence, not empty axes; the month
in progress is drawn paler (bars) or dashed (lines) and named in the subtitle; horizontal bars carry
their label above them, so long names stay whole on a phone; legends never cut an entry.
"""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

from dashboard import chart_base as base
from dashboard.i18n import Translator
from warehouse.pages.activity_figures import MAX_CHART_POINTS

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
_BLUE = "#0072B2"


def _months(df: pd.DataFrame, t: Translator, as_of: datetime | None = None) -> tuple[pd.DataFrame, list[str]]:
    """``df`` with ``month_label`` in the language and ``partial`` (the month in progress), and the
    labels in month order."""
    out = df.copy()
    out["month_label"] = [t.month(m) for m in out["month"]]
    out["partial"] = base.partial_months(out["month"], as_of) if len(out) else pd.Series(dtype=bool)
    order = list(dict.fromkeys(out.sort_values("month")["month_label"]))
    return out, order


def _title(t: Translator, text: str, data: pd.DataFrame, as_of: datetime | None) -> alt.Title | str:
    """The chart's title, with a subtitle naming the month in progress when the chart has one."""
    if "partial" not in data or not data["partial"].any():
        return text
    month = data.loc[data["partial"], "month_label"].iloc[0]
    return alt.Title(text, subtitle=t("charts.partial_month", month=month, date=t.date(as_of or datetime.now())),
                     subtitleColor="#777777", anchor="start")


def _month_axis(t: Translator, order: list[str], title: str | None = None) -> alt.X:
    return alt.X("month_label:O", sort=order, title=title or t("charts.month"), scale=alt.Scale(domain=order),
                 axis=alt.Axis(labelAngle=-45, labelOverlap=True))


# --------------------------------------------------------------------------- kept from the first pages

_MONTH = alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y"))
_COMMITS = alt.Y("commits:Q", title="Commits", axis=alt.Axis(tickMinStep=1))
_TOOLTIP = [
    alt.Tooltip("entity_name:N", title="Entity"),
    alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
    alt.Tooltip("commits:Q", title="Commits", format=","),
]


def commits_per_month(df: pd.DataFrame, title: str = "Commits per month") -> alt.Chart:
    """Commits per month from ``warehouse.pages.activity_figures.commits_per_month`` output (English only; the
    pages use :func:`monthly_commits`).

    One entity: bars. Several: one line per entity, so entities can be compared month by month.
    """
    data = df[["month", "entity_id", "entity_name", "commits"]]
    chart = alt.Chart(data, title=title)
    if data["entity_id"].nunique() <= 1:
        return chart.mark_bar().encode(x=_MONTH, y=_COMMITS, tooltip=_TOOLTIP)
    return chart.mark_line(point=True).encode(
        x=_MONTH,
        y=_COMMITS,
        color=alt.Color("entity_name:N", title="Entity"),
        detail="entity_id:N",  # two entities sharing a name still get a line each
        tooltip=_TOOLTIP,
    )


# --------------------------------------------------------------------------- activity over time


def monthly_commits(df: pd.DataFrame, t: Translator, as_of: datetime | None = None,
                    title: str | None = None) -> alt.TopLevelMixin:
    """Commits per month as bars, from ``metrics.activity_per_month`` for one group (columns
    month, commits, ...); the month in progress at ``as_of`` is drawn paler."""
    title = title or t("charts.commits_title")
    if base.nothing_to_draw(df.get("commits")):
        return base.message(t, title, t("charts.empty.commits"))
    data, order = _months(df[["month", "commits"]].tail(MAX_CHART_POINTS), t, as_of)
    return alt.Chart(data, title=_title(t, title, data, as_of), config=base.config(t)).mark_bar().encode(
        x=_month_axis(t, order),
        y=alt.Y("commits:Q", title=t("charts.commits"), axis=alt.Axis(tickMinStep=1)),
        color=alt.condition("datum.partial", alt.value(base.PARTIAL_COLOUR), alt.value(_BLUE)),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.month")),
            alt.Tooltip("commits:Q", title=t("charts.commits"), format=","),
        ],
    )


def _dashed_to_partial(data: pd.DataFrame, series: str | None) -> pd.DataFrame:
    """Rows for the last line segment, from the last complete month to the month in progress, so
    that it can be drawn dashed (``segment`` = partial) and the rest solid (``segment`` = full)."""
    groups = [g for _, g in data.groupby(series, sort=False)] if series else [data]
    parts = []
    for g in groups:
        g = g.sort_values("month")
        parts.append(g[~g["partial"]].assign(segment="full"))
        if g["partial"].any():
            tail = g.tail(2) if len(g) > 1 else g
            parts.append(tail.assign(segment="partial"))
    return pd.concat(parts, ignore_index=True) if parts else data.assign(segment=[])


def monthly_contributors(df: pd.DataFrame, t: Translator, as_of: datetime | None = None,
                         title: str | None = None) -> alt.TopLevelMixin:
    """Active and new contributors per month as two lines (same input as :func:`monthly_commits`);
    the line into the month in progress is dashed."""
    title = title or t("charts.contributors.title")
    series = {"active_contributors": t("charts.active_contributors"), "new_contributors": t("charts.new_contributors")}
    if all(base.nothing_to_draw(df.get(c)) for c in series):
        return base.message(t, title, t("charts.empty.contributors"))
    data = df[["month", *series]].tail(MAX_CHART_POINTS // 3).melt(
        id_vars="month", value_vars=list(series), var_name="series", value_name="people")
    data["series"] = data["series"].map(series)
    data, order = _months(data, t, as_of)
    lines = _dashed_to_partial(data, "series")
    x = _month_axis(t, order)
    y = alt.Y("people:Q", title=t("charts.people"), axis=alt.Axis(tickMinStep=1))
    colour = alt.Color("series:N", title=None, sort=list(series.values()),
                       scale=alt.Scale(domain=list(series.values()), range=[_BLUE, "#E69F00"]),
                       legend=base.legend(list(series.values())))
    tooltip = [
        alt.Tooltip("month_label:N", title=t("charts.month")),
        alt.Tooltip("series:N", title=t("charts.series")),
        alt.Tooltip("people:Q", title=t("charts.people"), format=","),
    ]
    line = alt.Chart(lines).mark_line().encode(
        x=x, y=y, color=colour, detail="segment:N",
        strokeDash=alt.condition("datum.segment == 'partial'", alt.value([4, 3]), alt.value([1, 0])))
    points = alt.Chart(data).mark_point(filled=True, size=40).encode(
        x=x, y=y, color=colour, tooltip=tooltip,
        fillOpacity=alt.condition("datum.partial", alt.value(0.0), alt.value(1.0)))
    return alt.LayerChart(layer=[line, points], title=_title(t, title, data, as_of), config=base.config(t))


def monthly_response(df: pd.DataFrame, t: Translator, as_of: datetime | None = None) -> alt.TopLevelMixin:
    """Median time to first response (in days) of the items opened each month, as bars, from
    ``warehouse.pages.repository.repo_item_months``; a month without an answered item has no bar."""
    title = t("charts.ttfr.title")
    if "median_ttfr_hours" not in df or not df["median_ttfr_hours"].notna().any():  # (a median of 0 is data)
        return base.message(t, title, t("charts.empty.responses"))
    data = df[["month", "opened", "responded", "median_ttfr_hours"]].tail(MAX_CHART_POINTS).copy()
    data["days"] = data["median_ttfr_hours"] / 24.0
    data, order = _months(data, t, as_of)
    return alt.Chart(data, title=_title(t, title, data, as_of), config=base.config(t)).mark_bar().encode(
        x=_month_axis(t, order, t("charts.ttfr.month")),
        # A short axis title: a long one, turned on its side, runs past a small chart's top.
        y=alt.Y("days:Q", title=t("charts.ttfr.axis")),
        color=alt.condition("datum.partial", alt.value(base.PARTIAL_COLOUR), alt.value("#CC79A7")),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.ttfr.month")),
            alt.Tooltip("days:Q", title=t("charts.ttfr.days"), format=",.1f"),
            alt.Tooltip("opened:Q", title=t("charts.ttfr.opened"), format=","),
            alt.Tooltip("responded:Q", title=t("charts.ttfr.responded"), format=","),
        ],
    ).transform_filter("isValid(datum.days)")


def open_issue_age(df: pd.DataFrame, t: Translator, as_of: datetime | None = None) -> alt.TopLevelMixin:
    """Median age of the issues open at each month's end (line), with their number in the
    tooltip, from ``warehouse.pages.repository.repo_item_months``; months without an open issue are gaps,
    the month in progress is its value so far (dashed)."""
    title = t("charts.issue_age.title")
    if df.empty or not df["median_issue_age_days"].notna().any():
        return base.message(t, title, t("charts.empty.open_issues"))
    data = df[["month", "open_issues", "median_issue_age_days"]].tail(MAX_CHART_POINTS // 3).copy()
    data, order = _months(data, t, as_of)
    lines = _dashed_to_partial(data[data["median_issue_age_days"].notna()], None)
    x = _month_axis(t, order)
    y = alt.Y("median_issue_age_days:Q", title=t("charts.issue_age.days"))
    line = alt.Chart(lines).mark_line(color="#D55E00").encode(
        x=x, y=y, detail="segment:N",
        strokeDash=alt.condition("datum.segment == 'partial'", alt.value([4, 3]), alt.value([1, 0])))
    points = alt.Chart(data).mark_point(color="#D55E00", filled=True, size=50).encode(
        x=x, y=y,
        fillOpacity=alt.condition("datum.partial", alt.value(0.0), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("month_label:N", title=t("charts.month")),
            alt.Tooltip("median_issue_age_days:Q", title=t("charts.issue_age.days"), format=",.0f"),
            alt.Tooltip("open_issues:Q", title=t("charts.issue_age.open"), format=","),
        ],
    ).transform_filter("isValid(datum.median_issue_age_days)")
    return alt.LayerChart(layer=[line, points], title=_title(t, title, data, as_of), config=base.config(t))


# --------------------------------------------------------------------------- overview


def lifecycle_mix(df: pd.DataFrame, t: Translator, group: str, label: str, title: str) -> alt.TopLevelMixin:
    """Repositories per lifecycle stage, one stacked bar per group with the group's name above
    it, from ``metrics.lifecycle_summary`` (wide: one column per stage). ``group`` is the key
    column, ``label`` the column with the group's display name, ``title`` names the groups."""
    chart_title = t("charts.lifecycle.title")
    stages = [s for s in STAGE_COLOURS if s in df.columns]
    rows = df[[group, label, *stages]].head(MAX_CHART_POINTS // max(1, len(stages) + 1))
    data = rows.melt(id_vars=[group, label], value_vars=stages, var_name="stage", value_name="repos")
    data = data[data["repos"] > 0].copy()
    if data.empty:
        return base.message(t, chart_title, t("charts.empty.repos"))
    names = {s: t.label("stage", s) for s in stages}
    data["stage_label"] = data["stage"].map(names)
    data["order"] = data["stage"].map({s: i for i, s in enumerate(stages)})
    order = list(rows[label])
    shown = [names[s] for s in stages if s in set(data["stage"])]
    bars = alt.Chart(data).mark_bar(size=base.BAR_SIZE).encode(
        y=base.row_axis(label, order),
        x=alt.X("repos:Q", title=t("charts.repos"), stack="zero", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("stage_label:N", title=t("charts.stage"),
                        scale=alt.Scale(domain=shown, range=[STAGE_COLOURS[s] for s in stages if names[s] in shown]),
                        legend=base.legend(shown, t("charts.stage"))),
        order=alt.Order("order:Q"),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=title),
            alt.Tooltip("stage_label:N", title=t("charts.stage")),
            alt.Tooltip("repos:Q", title=t("charts.repos"), format=","),
        ],
    )
    labels = base.labelled_rows(alt.Chart(rows[[label]]), label, order)
    return alt.LayerChart(layer=[bars, labels], title=chart_title, height=alt.Step(base.ROW_STEP),
                          config=base.config(t))


def group_scores(df: pd.DataFrame, t: Translator, label: str, title: str, chart_title: str) -> alt.TopLevelMixin:
    """Health score per group (archetype, country) as bars with the group's name above and the
    score at the end, activity in the tooltip.

    Columns: ``label`` (the group's display name), score, entities, repos, commits,
    active_contributors. Groups without a score get no bar. ``title`` names the groups,
    ``chart_title`` is the chart's."""
    data = df[[label, "score", "entities", "repos", "commits", "active_contributors"]].head(MAX_CHART_POINTS // 3)
    data = data[data["score"].notna()].sort_values("score", ascending=False)
    if data.empty:
        return base.message(t, chart_title, t("charts.empty.scores"))
    order = list(data[label])
    tooltip = [
        alt.Tooltip(f"{label}:N", title=title),
        alt.Tooltip("score:Q", title=t("charts.score"), format=",.0f"),
        alt.Tooltip("entities:Q", title=t("charts.entities"), format=","),
        alt.Tooltip("repos:Q", title=t("charts.repos"), format=","),
        alt.Tooltip("commits:Q", title=t("charts.commits"), format=","),
        alt.Tooltip("active_contributors:Q", title=t("charts.active_contributors"), format=","),
    ]
    chart = alt.Chart(data)
    x = alt.X("score:Q", title=t("charts.score"), scale=alt.Scale(domain=[0, 100]))
    bars = chart.mark_bar(color=_BLUE, size=base.BAR_SIZE).encode(y=base.row_axis(label, order), x=x, tooltip=tooltip)
    values = chart.mark_text(align="left", dx=4, fontSize=11).encode(
        y=base.row_axis(label, order), x=x, text=alt.Text("score:Q", format=",.0f"))
    labels = base.labelled_rows(chart, label, order)
    return alt.LayerChart(layer=[bars, values, labels], title=chart_title, height=alt.Step(base.ROW_STEP),
                          config=base.config(t))


def peer_benchmark(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """Each entity's health score (dot) against the median of its archetype (tick), the entity's
    name above its row.

    Columns: entity_label, archetype_label, score, peer_median, difference, peers."""
    data = df[["entity_label", "archetype_label", "score", "peer_median", "difference", "peers"]].head(
        MAX_CHART_POINTS // 4).copy()
    data = data[data["score"].notna()]
    if data.empty:
        return base.message(t, t("charts.peers.title"), t("charts.empty.scores"))
    sides = [t("charts.peers.above"), t("charts.peers.below"), t("charts.peers.alone")]
    data["side"] = [sides[2] if pd.isna(d) else sides[0] if d >= 0 else sides[1] for d in data["difference"]]
    order = list(data.sort_values("score", ascending=False)["entity_label"])
    tooltip = [
        alt.Tooltip("entity_label:N", title=t("charts.entity")),
        alt.Tooltip("archetype_label:N", title=t("charts.archetype")),
        alt.Tooltip("score:Q", title=t("charts.score"), format=",.0f"),
        alt.Tooltip("peer_median:Q", title=t("charts.peers.median"), format=",.0f"),
        alt.Tooltip("difference:Q", title=t("charts.peers.difference"), format="+,.0f"),
        alt.Tooltip("peers:Q", title=t("charts.peers.count"), format=","),
    ]
    y = base.row_axis("entity_label", order)
    scale = alt.Scale(domain=[0, 100])
    chart = alt.Chart(data)
    rule = chart.mark_rule(color="#BBBBBB").encode(y=y, x=alt.X("peer_median:Q", scale=scale), x2="score:Q")
    tick = chart.mark_tick(color="#333333", thickness=3, size=base.BAR_SIZE).encode(
        y=y, x=alt.X("peer_median:Q", title=t("charts.score"), scale=scale), tooltip=tooltip)
    shown = [s for s in sides if s in set(data["side"])]
    dot = chart.mark_circle(size=110, opacity=1).encode(
        y=y, x=alt.X("score:Q", title=t("charts.score"), scale=scale),
        color=alt.Color("side:N", title=None,
                        scale=alt.Scale(domain=shown, range=[dict(zip(sides, [_ABOVE, _BELOW, "#9E9E9E"]))[s]
                                                             for s in shown]),
                        legend=base.legend(shown)),
        tooltip=tooltip,
    )
    labels = base.labelled_rows(chart, "entity_label", order)
    return alt.LayerChart(layer=[rule, tick, dot, labels], title=t("charts.peers.title"),
                          height=alt.Step(base.ROW_STEP), config=base.config(t))


# --------------------------------------------------------------------------- project


def health_parts(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """The parts of one repository's health score as bars (0-100) with their score written at the
    end (a part scoring 0 reads "0"), from ``metrics.health_parts``; missing parts are listed with
    the word for "missing" instead of a bar."""
    data = df[["part", "score", "weight", "missing"]].head(MAX_CHART_POINTS // 3).copy()
    if data.empty:
        return base.message(t, t("charts.parts.title"), t("charts.empty.parts"))
    data["part_label"] = [t.label("part", p) for p in data["part"]]
    data["shown"] = data["score"].fillna(0.0)
    data["state"] = [t("charts.parts.missing") if m else t("charts.parts.counted") for m in data["missing"]]
    data["value_text"] = [t("charts.parts.missing") if m else t.number(s) for m, s in zip(data["missing"], data["score"])]
    data["weight_pct"] = data["weight"] / data["weight"].sum() if data["weight"].sum() else 0.0
    order = list(data["part_label"])
    tooltip = [
        alt.Tooltip("part_label:N", title=t("charts.parts.part")),
        alt.Tooltip("score:Q", title=t("charts.score"), format=",.0f"),
        alt.Tooltip("weight_pct:Q", title=t("charts.parts.weight"), format=".0%"),
        alt.Tooltip("state:N", title=t("charts.parts.state")),
    ]
    y = base.row_axis("part_label", order)
    x = alt.X("shown:Q", title=t("charts.score"), scale=alt.Scale(domain=[0, 100]))
    chart = alt.Chart(data)
    bars = chart.mark_bar(color=_BLUE, size=base.BAR_SIZE).encode(y=y, x=x, tooltip=tooltip).transform_filter(
        "!datum.missing")
    values = chart.mark_text(align="left", dx=4, fontSize=11, color="#31333F").encode(
        y=y, x=x, text="value_text:N", tooltip=tooltip).transform_filter("!datum.missing")
    missing = chart.mark_text(align="left", dx=4, fontSize=11, color="#777777", fontStyle="italic").encode(
        y=y, x=x, text="value_text:N", tooltip=tooltip).transform_filter("datum.missing")
    labels = base.labelled_rows(chart, "part_label", order)
    return alt.LayerChart(layer=[bars, values, missing, labels], title=t("charts.parts.title"),
                          height=alt.Step(base.ROW_STEP), config=base.config(t))


def releases_timeline(df: pd.DataFrame, t: Translator) -> alt.TopLevelMixin:
    """One repository's releases on a time line (newest ``MAX_CHART_POINTS``), pre-releases on a
    row of their own, from ``warehouse.pages.repository.repo_releases``. The axis runs over whole years, so
    that even releases within one year get a label at each end."""
    title = t("charts.releases.title")
    data = df[df["published_at"].notna()][["tag", "name", "published_at", "prerelease"]].head(MAX_CHART_POINTS).copy()
    if data.empty:
        return base.message(t, title, t("charts.empty.releases"))
    data["published"] = data["published_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    data["date_label"] = [t.date(d) for d in data["published_at"]]
    data["kind_label"] = [t("charts.releases.pre") if p else t("charts.releases.release") for p in data["prerelease"]]
    first, last = data["published"].min().year, data["published"].max().year + 1
    years = last - first
    domain = [pd.Timestamp(year=first, month=1, day=1).isoformat(), pd.Timestamp(year=last, month=1, day=1).isoformat()]
    # Up to three years: every half year labelled with its month; beyond, one label a year.
    axis = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6}, labelOverlap=True) if years <= 3 \
        else alt.Axis(format="%Y", tickCount={"interval": "year", "step": max(1, years // 8)}, labelOverlap=True)
    return alt.Chart(data, title=title, height=alt.Step(36), config=base.config(t)).mark_tick(
        thickness=3, size=24, color="#009E73").encode(
        x=alt.X("published:T", title=t("charts.releases.date"), scale=alt.Scale(domain=domain), axis=axis),
        y=alt.Y("kind_label:N", title=None),
        tooltip=[
            alt.Tooltip("tag:N", title=t("charts.releases.tag")),
            alt.Tooltip("name:N", title=t("charts.releases.name")),
            alt.Tooltip("date_label:N", title=t("charts.releases.date")),
        ],
    )


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
