"""Attention list: what maintainers act on. First the issues and change requests nobody answered,
each with its title, age and a link to it on the forge, grouped by repository; then the lifecycle
and other findings, one row per finding with its reason and a readable detail. Rows open the
repository's project page."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import chart_base, columns, data, filters, page_charts
from dashboard.text import md_escape, web_url
from warehouse import metrics, unanswered
from warehouse.pages import directory

ALL = "*"  # the "all" option of the entity and reason choices
PROJECT_PAGE = "views/project.py"
# Repositories spelled out in the grouped list; the table below holds every item.
LISTED_REPOS = 15

f = filters.current()
t = f.t

st.title(t("nav.attention"))
st.caption(t("attention.intro", days=t.number(f.days)))

scope = f.scope()
rows = data.query(metrics.attention_list, scope, days=f.days)
listing = data.query(directory.entities)
names = dict(zip(listing["entity_id"], listing["name"]))

if f.country:
    listing = listing[listing["country"] == f.country]
if f.archetype:
    listing = listing[listing["archetype"] == f.archetype]
entity_ids = [ALL, *listing["entity_id"]]
left, right = st.columns(2)
entity = filters.choose(
    "entity", entity_ids, t("attention.entity"),
    format_func=lambda e: t("attention.all_entities") if e == ALL else names.get(e, e), where=left,
)
if entity and entity != ALL:
    rows = rows[rows["entity_id"] == entity]

known = list(metrics.ATTENTION_REASONS)
present = [r for r in known if r in set(rows["reason"])] + sorted(set(rows["reason"]) - set(known))
reason = filters.choose(
    "reason", [ALL, *known, *[r for r in present if r not in known]], t("attention.reason"),
    format_func=lambda r: t("attention.all_reasons") if r == ALL else t.label("reason", r), where=right,
)

if rows.empty:
    if f.narrowed() or entity != ALL:
        st.info(t("attention.none_in_scope"), icon=":material/filter_alt_off:")
    else:
        st.success(t("attention.none"), icon=":material/check_circle:")
    st.stop()

# Counts per reason for everything in scope (the reason choice narrows what follows).
counts = rows["reason"].value_counts()
shown = [r for r in present if counts.get(r, 0)]
# Four to a row at 1440 px leave a label about 190 px beside its help icon; a longer one would be cut.
per_row = 4 if max((columns.text_width(t.label("reason", r)) for r in shown), default=0) < 190 else 3
for start in range(0, len(shown), per_row):
    boxes = st.columns(per_row)
    for box, code in zip(boxes, shown[start:start + per_row]):
        box.metric(t.label("reason", code), t.number(int(counts[code])), help=t(f"attention.help.{code}")
                   if t.has(f"attention.help.{code}") else None)

wanted = rows if reason in (None, ALL) else rows[rows["reason"] == reason]
if wanted.empty:
    st.info(t("attention.none_for_reason", reason=t.label("reason", reason)), icon=":material/filter_alt_off:")
    st.stop()


def _whole(value: Any) -> str:
    return t.none() if pd.isna(value) else t.number(round(float(value)))


def _days(value: Any) -> str:
    """Days after "for" / "seit" (German takes the dative there: "seit 5 Tagen")."""
    return t.none() if pd.isna(value) else t.count("common.days_since", round(float(value)))


# ---------------------------------------------------------------- unanswered issues and change requests

asked = [r for r in unanswered.UNANSWERED_REASONS if reason in (None, ALL, r)]
if asked:
    items = data.query(unanswered.unanswered_items, scope)
    if entity and entity != ALL:
        items = items[items["entity_id"] == entity]
    items = items[items["item_kind"].isin([r.removeprefix("unanswered_") for r in asked])].reset_index(drop=True)
    st.subheader(t("attention.unanswered.heading"))
    if items.empty:
        st.success(t("attention.unanswered.none"), icon=":material/check_circle:")
    else:
        groups = items.groupby(["forge", "host", "path"], sort=False)
        st.caption(t("attention.unanswered.caption", items=t.number(len(items)),
                     repos=t.count("common.repos", groups.ngroups)))
        lines: list[str] = []
        for n, ((forge, _, path), group) in enumerate(groups):
            if n == LISTED_REPOS:
                lines.append(t.count("attention.unanswered.more_repos", groups.ngroups - LISTED_REPOS))
                break
            first = group.iloc[0]
            lines.append(t("attention.unanswered.repo", repo=md_escape(path), forge=t.label("forge", forge),
                           entity=md_escape(names.get(first["entity_id"], first["entity_id"])),
                           count=t.count("attention.unanswered.waiting", len(group)),
                           oldest=_days(first["repo_oldest_days"])))
            for item in group.itertuples():
                title = md_escape(item.title) if isinstance(item.title, str) and item.title.strip() else t.none()
                label = t(f"attention.unanswered.{item.item_kind}", number=int(item.item_number))
                url = web_url(item.item_url)
                where = f" · [{t('attention.unanswered.open')}]({url})" if url else ""
                lines.append(f"    - {label}: “{title}” · {t('attention.unanswered.age', days=_days(item.days))}"
                             f" · {t('attention.unanswered.by', author=md_escape(item.author_login or t.none()))}"
                             + where)
        st.markdown("\n".join(f"- {line}" if not line.startswith("    ") else line for line in lines))
        items["kind_label"] = [t(f"attention.unanswered.kind.{k}") for k in items["item_kind"]]
        items["days_whole"] = items["days"].round().astype("int64")
        items["opened_text"] = columns.days(t, items["opened_at"])
        items["item_link"] = items["item_url"].map(web_url)
        items["repo_key"] = [filters.repo_key(r.forge, r.host, r.path) for r in items.itertuples()]
        st.caption(t("attention.unanswered.table_caption"))
        chosen = st.dataframe(
            items,
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            key="attention.unanswered",
            column_order=["path", "title", "days_whole", "kind_label", "item_number", "author_login", "opened_text",
                          "item_link"],
            column_config=columns.fitted(
                items, order=["path", "title", "days_whole", "kind_label", "item_number", "author_login",
                              "opened_text", "item_link"],
                flexible="title", config={
                "path": columns.text(t("attention.col.repository")),
                "title": columns.text(t("attention.col.title")),
                "days_whole": columns.count(t, t("attention.col.waiting"), help=t("attention.col.waiting_help")),
                "kind_label": columns.text(t("attention.col.kind")),
                "item_number": columns.count(t, t("attention.col.number")),
                "author_login": columns.text(t("attention.col.author")),
                "opened_text": columns.day(t("attention.col.opened")),
                "item_link": columns.link(t("attention.col.item_link"), t),
            }),
        )
        filters.follow_selection(chosen, items, PROJECT_PAGE, entity="entity_id", repo="repo_key")
        st.download_button(
            t("common.download_csv"),
            columns.csv_bytes(t, items[["entity_id", "forge", "host", "path", "item_kind", "item_number", "title",
                                        "author_login", "opened_at", "days", "item_url"]]),
            file_name="ossdash-attention-unanswered.csv", mime="text/csv", icon=":material/download:",
            on_click="ignore", key="attention.unanswered_csv",
        )

# ---------------------------------------------------------------- lifecycle and other findings


def _stage_inputs() -> pd.DataFrame:
    """Lifecycle inputs per repository (recent and baseline events, unanswered items)."""
    stages = data.query(metrics.lifecycle, scope)
    return stages[["forge", "host", "path", "recent_events", "baseline_events", "unanswered_open_items"]]


def _factor_inputs() -> pd.DataFrame:
    """Commits, contributors and the top person's share per repository over the period."""
    factors = data.query(metrics.absence_factor, scope, days=f.days)
    return factors[["forge", "host", "path", "commits", "contributors", "top_share"]]


def _detail(row: pd.Series, limits: Any) -> str:
    code = row["reason"]
    # Idle days are the row's own days (since the last activity by people): one count a row.
    if code == "abandoned" and not pd.isna(row.get("days")):
        return t("attention.detail.abandoned", days=_days(row["days"]),
                 items=t.count("attention.detail.open_items", row["unanswered_open_items"]))
    if code == "inactive" and not pd.isna(row.get("days")):
        return t("attention.detail.inactive", days=_days(row["days"]))
    if code == "declining" and not pd.isna(row.get("recent_events")):
        return t("attention.detail.declining", recent=t.count("common.events", row["recent_events"]),
                 baseline=_whole(row["baseline_events"]),
                 recent_days=_whole(limits.recent_days), baseline_days=_whole(limits.baseline_days))
    if code == "single_maintainer" and not pd.isna(row.get("commits")):
        return t("attention.detail.single_maintainer", commits=t.count("common.commits", row["commits"]),
                 days=t.number(f.days), share=t.percent(row["top_share"]),
                 contributors=t.count("common.people", row["contributors"]))
    if code in ("contract_expired", "contract_expiring") and not pd.isna(row["since"]):
        return t(f"attention.detail.{code}", date=t.date(row["since"]))
    return str(row["detail"])  # a reason this page does not know yet: the warehouse's own words


others = wanted[~wanted["reason"].isin(unanswered.UNANSWERED_REASONS)]
codes = set(others["reason"])
st.subheader(t("attention.table_heading"))
if others.empty:
    st.info(t("attention.no_other_findings"), icon=":material/check_circle:")
else:
    table = others.copy()
    if codes & {"abandoned", "inactive", "declining"}:
        table = table.merge(_stage_inputs(), on=["forge", "host", "path"], how="left")
    if "single_maintainer" in codes:
        table = table.merge(_factor_inputs(), on=["forge", "host", "path"], how="left")
    limits = data.query(metrics.stored_thresholds)
    table["reason_label"] = table["reason"].map(lambda r: t.label("reason", r))
    table["detail_text"] = table.apply(lambda r: _detail(r, limits), axis=1)
    table["entity_name"] = table["entity_id"].map(lambda e: names.get(e, e))
    table["repo_url"] = table["html_url"].map(web_url)
    # Shown as text: a missing value reads "–" in either language, not Streamlit's "None".
    table["since_shown"] = columns.days(t, table["since"])
    table["days_shown"] = table["days"].map(_whole)
    table["repo_key"] = [filters.repo_key(r.forge, r.host, r.path) for r in table.itertuples()]
    table = table.reset_index(drop=True)
    st.caption(t.count("attention.rows", len(table)) + " " + t("attention.select"))
    chosen = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="attention.findings",
        column_order=["path", "reason_label", "detail_text", "days_shown", "since_shown", "entity_name", "repo_url"],
        column_config=columns.fitted(
            table, order=["path", "reason_label", "detail_text", "days_shown", "since_shown", "entity_name",
                        "repo_url"],
            flexible="detail_text", config={
            "path": columns.text(t("attention.col.repository")),
            "reason_label": columns.text(t("attention.col.reason")),
            "detail_text": columns.text(t("attention.col.detail")),
            "days_shown": columns.text(t("attention.col.days"), help=t("attention.col.days_help")),
            "since_shown": columns.text(t("attention.col.since"), help=t("attention.col.since_help")),
            "entity_name": columns.text(t("attention.col.entity")),
            "repo_url": columns.link(t("attention.col.repo_link"), t),
        }),
    )
    filters.follow_selection(chosen, table, PROJECT_PAGE, entity="entity_id", repo="repo_key")
    export = table[["entity_id", "entity_name", "forge", "host", "path", "reason", "reason_label", "detail_text",
                    "since", "days", "repo_url"]].rename(columns={"detail_text": "detail", "repo_url": "html_url"})
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, export),
        file_name="ossdash-attention.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="attention.csv",
    )

# The chart counts what the choices above show (the reason included), per entity.
st.subheader(t("attention.chart_heading"))
chart_base.draw(st, page_charts.attention_by_entity(wanted.assign(entity_name=wanted["entity_id"].map(
    lambda e: names.get(e, e))), t))
