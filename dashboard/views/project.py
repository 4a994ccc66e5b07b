"""Project view: one repository's health part by part, its activity, responses and open issues
over time, releases, forks and their owners, publiccode.yml, and its mirrors on other forges."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import chart_base, charts, columns, data, filters, public_code_view
from dashboard.i18n import Translator
from dashboard.text import licence_text, md_escape, web_url
from warehouse import metrics, reuse
from warehouse.pages import activity_figures, directory, repository

f = filters.current()
t = f.t
months = columns.months_of(f.days)
REPO_KEYS = ["forge", "host", "path"]

st.title(t("nav.project"))

# ------------------------------------------------------------------ choose the repository

everyone = data.query(directory.entities)
candidates = data.query(directory.entities_in_scope, **f.keywords())
names = dict(zip(everyone["entity_id"], everyone["name"]))

# A link that names only a repository opens it with its own entity chosen.
requested = st.query_params.get("repo")
if requested and "entity" not in st.query_params:
    owner = data.query(directory.find_repo, key=str(requested))
    if len(owner):
        st.query_params["entity"] = str(owner["entity_id"].iloc[0])

left, right = st.columns(2)
entity_id = filters.choose(
    "entity", list(candidates["entity_id"]), t("project.choose_entity"),
    format_func=lambda i: names.get(i, i), where=left,
)
if entity_id is None:
    st.info(t("common.filtered_out"), icon=":material/filter_alt_off:")
    st.stop()
filters.link(t("project.back_to_entity", entity=md_escape(names.get(entity_id, entity_id))), "views/entity.py",
             key="project.back", icon=":material/arrow_back:", entity=entity_id)
entity_scope = metrics.Scope(entity_id=entity_id, forge=f.forge)
repos = data.query(directory.repo_list, entity_scope)
# The most active repository first, so that the page opens on it: by lifecycle stage (active
# first, abandoned and archived last), then by commits in the period.
stage_order = {"active": 0, "declining": 1, "inactive": 2, "no_data": 3, "abandoned": 4, "archived": 5}
ranked = repos.merge(data.query(metrics.lifecycle, entity_scope)[[*REPO_KEYS, "stage"]], on=REPO_KEYS, how="left") \
    .merge(data.query(activity_figures.period_activity, entity_scope, days=f.days)[[*REPO_KEYS, "commits"]],
           on=REPO_KEYS, how="left")
ranked["_stage"] = ranked["stage"].map(stage_order).fillna(len(stage_order))
repos = ranked.sort_values(["_stage", "commits", "path"], ascending=[True, False, True], na_position="last") \
    .drop(columns=["_stage", "stage", "commits"]).reset_index(drop=True)
keys = [filters.repo_key(r.forge, r.host, r.path) for r in repos.itertuples()]
labels = {k: f"{r.path} ({t.label('forge', r.forge)})" for k, r in zip(keys, repos.itertuples())}
key = filters.choose("repo", keys, t("project.choose_repo"), format_func=lambda k: labels.get(k, k), where=right,
                     help=t("project.choose_hint"))
if key is None:
    st.info(t("project.no_repos"), icon=":material/info:")
    st.stop()
# The key is looked up rather than parsed: a host may hold a slash (a forge served under a path).
info = repos.iloc[keys.index(key)]
repo = (str(info["forge"]), str(info["host"]), str(info["path"]))

st.header(md_escape(info["path"]))
st.caption(t("project.caption", forge=t.label("forge", info["forge"]), host=md_escape(info["host"]),
             entity=md_escape(names.get(info["entity_id"], info["entity_id"]))))
if isinstance(info["description"], str) and info["description"].strip():
    st.markdown(md_escape(info["description"]))
url = web_url(info["html_url"])
if url:
    st.link_button(t("project.open_on_forge"), url, icon=":material/open_in_new:")
st.caption(t("project.filters_note", days=f.days, months=months))

# ------------------------------------------------------------------ headline figures

as_of = data.query(metrics.as_of)
parts = data.query(metrics.health_parts, metrics.Scope(repo=repo), days=f.days)
stage = data.query(metrics.lifecycle, metrics.Scope(repo=repo))
activity = data.query(activity_figures.period_activity, metrics.Scope("repo", repo=repo), days=f.days)
releases = data.query(repository.repo_releases, repo=repo)
forks = data.query(metrics.technical_fork_list, metrics.Scope(repo=repo))

# The total is the weighted mean of the parts that have data (metrics.health_score at the
# repository level), here from the breakdown itself: one computation of the inputs, not two.
counted = parts[~parts["missing"] & (parts["weight"] > 0)]
score = (counted["score"] * counted["weight"]).sum() / counted["weight"].sum() if len(counted) else None
act = activity.iloc[0] if len(activity) else None
cols = [*st.columns(3), *st.columns(3)]
cols[0].metric(t("project.fig.score"), t.number(score), help=t("project.fig.score_help"))
cols[1].metric(t("project.fig.stage"), t.label("stage", stage["stage"].iloc[0]) if len(stage) else t.none())
cols[2].metric(t("project.fig.commits", days=f.days), t.number(0 if act is None else act["commits"]))
cols[3].metric(t("project.fig.contributors", days=f.days), t.number(0 if act is None else act["active_contributors"]))
cols[4].metric(t("project.fig.releases"), t.number(len(releases)))
cols[5].metric(t("project.fig.forks"), t.number(max(int(info["forks_count"]), len(forks))),
               help=t("project.fig.forks_help", listed=t.number(len(forks))))

# ------------------------------------------------------------------ health, part by part

st.subheader(t("project.health.heading"))

_INPUT_KEYS = {
    "activity": ("active_periods", "periods_considered", "period_days"),
    "responsiveness": ("items_handled", "items_due", "response_days", "median_response_hours"),
    "sustainability": ("absence_factor", "target"),
    "community": ("participants", "target"),
    "hygiene": ("checks_passed", "checks"),
    "release_cadence": ("releases_in_window", "releases_ever", "target"),
}
# Inputs whose noun follows the number ("1 person", "2 people").
_COUNTED = {"participants": "common.people", "releases_in_window": "common.releases"}


def readable_inputs(part: str, raw: Any, tr: Translator) -> str:
    """A part's inputs (JSON from the warehouse) as a sentence in the language."""
    try:
        values = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    names = _INPUT_KEYS.get(part)
    if names is None or not tr.has(f"project.inputs.{part}"):
        return "; ".join(f"{k} = {v}" for k, v in sorted(values.items())) or tr.none()
    shown = {}
    for name in names:
        v = values.get(name)
        if name == "median_response_hours":
            shown[name] = tr.none() if v is None else tr.number(float(v) / 24.0, 1)
        elif name in _COUNTED:
            shown[name] = tr.none() if v is None else tr.count(_COUNTED[name], v)
        else:
            shown[name] = tr.none() if v is None else tr.number(v, 0 if float(v).is_integer() else 1)
    return tr(f"project.inputs.{part}", **shown)


if parts.empty:
    st.info(t("project.health.empty"), icon=":material/info:")
else:
    counted_weight = parts.loc[~parts["missing"], "weight"].sum()
    breakdown = parts.assign(
        part_label=[t.label("part", p) for p in parts["part"]],
        share=[w / counted_weight if (not m and counted_weight) else 0.0 for w, m in zip(parts["weight"], parts["missing"])],
        why=[t(f"project.missing.{p}") if m and t.has(f"project.missing.{p}") else (r if m else "")
             for p, m, r in zip(parts["part"], parts["missing"], parts["missing_reason"])],
        inputs_text=[readable_inputs(p, raw, t) for p, raw in zip(parts["part"], parts["inputs"])],
    )
    breakdown["reading"] = [t("project.health.missing_because", why=w) if m else i
                            for m, w, i in zip(breakdown["missing"], breakdown["why"], breakdown["inputs_text"])]
    breakdown["weight_text"] = [t.percent(w) for w in breakdown["weight"]]
    breakdown["share_text"] = [t.percent(v) for v in breakdown["share"]]
    chart_col, total_col = st.columns([3, 2], vertical_alignment="center")
    chart_base.draw(chart_col, charts.health_parts(breakdown, t))
    total_col.markdown(t("project.health.total", score=t.number(score),
                         used=t.number(int((~parts["missing"]).sum())), parts=t.number(len(parts))))
    st.dataframe(
        breakdown,
        hide_index=True,
        # One column says what a part rests on: its inputs, or why it is missing (and not counted).
        column_order=["part_label", "score", "weight_text", "share_text", "reading"],
        column_config=columns.fitted(
            breakdown, order=["part_label", "score", "weight_text", "share_text", "reading"],
            flexible="reading", config={
            "part_label": columns.text(t("project.col.part")),
            "score": columns.score(t("project.col.score")),
            "weight_text": columns.text(t("project.col.weight"), help=t("project.col.weight_help")),
            "share_text": columns.text(t("project.col.share"), help=t("project.col.share_help")),
            "reading": columns.text(t("project.col.inputs"), help=t("project.col.inputs_help")),
        }),
    )
    st.download_button(
        t("common.download_csv"),
        columns.csv_bytes(t, breakdown.drop(columns=["part_label", "inputs_text", "weight_text", "share_text",
                                                     "reading"])),
        file_name="ossdash-project-health.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="project.download.health",
    )

# ------------------------------------------------------------------ over time

st.subheader(t("project.time.heading"))
monthly = data.query(metrics.activity_per_month, metrics.Scope("repo", repo=repo), months=months)
items = data.query(repository.repo_item_months, repo=repo, months=months)
if monthly.empty and items.empty:
    st.info(t("project.time.empty"), icon=":material/info:")
else:
    a, b = st.columns(2)
    chart_base.draw(a, charts.monthly_commits(monthly, t, as_of))
    chart_base.draw(b, charts.monthly_contributors(monthly, t, as_of))
    c, d = st.columns(2)
    if items["median_ttfr_hours"].notna().any():
        chart_base.draw(c, charts.monthly_response(items, t, as_of))
    else:
        c.info(t("project.time.no_responses", months=months), icon=":material/forum:")
    if items["median_issue_age_days"].notna().any():
        chart_base.draw(d, charts.open_issue_age(items, t, as_of))
    else:
        d.info(t("project.time.no_open_issues"), icon=":material/task_alt:")
    over_time = monthly[["month", "commits", "active_contributors", "new_contributors"]].merge(
        items, on="month", how="outer").sort_values("month")
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, over_time), file_name="ossdash-project-monthly.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="project.download.monthly",
    )

# ------------------------------------------------------------------ releases

st.subheader(t("project.releases.heading"))
if releases.empty:
    st.info(t("project.releases.empty"), icon=":material/info:")
else:
    chart_base.draw(st, charts.releases_timeline(releases, t))
    st.dataframe(
        releases.assign(published_text=columns.days(t, releases["published_at"])),
        hide_index=True,
        column_order=["tag", "name", "published_text", "prerelease"],
        column_config={
            "tag": columns.text(t("project.col.tag")),
            "name": columns.text(t("project.col.release_name")),
            "published_text": columns.day(t("project.col.published")),
            "prerelease": columns.flag(t("project.col.prerelease")),
        },
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, releases), file_name="ossdash-project-releases.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="project.download.releases",
    )

# ------------------------------------------------------------------ forks and who owns them

st.subheader(t("project.forks.heading"))
if forks.empty:
    st.info(t("project.forks.empty", count=t.number(int(info["forks_count"]))), icon=":material/info:")
else:
    accounts = data.query(directory.entity_accounts)
    owners = {(a.forge, a.host, str(a.owner).lower()): a.entity_id for a in accounts.itertuples()}

    def owning_entity(row) -> str | None:
        if isinstance(row.fork_entity_id, str):
            return row.fork_entity_id
        # A fork in a namespace of a registry account (GitLab groups nest: the longest owner wins).
        parts_ = str(row.fork_path).lower().split("/")[:-1]
        for n in range(len(parts_), 0, -1):
            hit = owners.get((row.forge, row.host, "/".join(parts_[:n])))
            if hit:
                return hit
        return None

    owned = [owning_entity(r) for r in forks.itertuples()]
    shown = forks.assign(
        owner_entity=[names.get(e, e) if e else t.none() for e in owned],
        owner_entity_id=owned,
        status_label=[t(f"project.fork_status.{s}") if t.has(f"project.fork_status.{s}") else str(s)
                      for s in forks["fork_status"]],
        created_text=columns.days(t, forks["created_at"]),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["fork_path", "fork_owner", "owner_entity", "created_text", "status_label",
                      "commits_not_in_parent"],
        column_config=columns.fitted(shown, order=["fork_path", "fork_owner", "owner_entity", "created_text", "status_label",
                      "commits_not_in_parent"], config={
            "fork_path": columns.text(t("project.col.fork")),
            "fork_owner": columns.text(t("project.col.fork_owner")),
            "owner_entity": columns.text(t("project.col.owner_entity"), help=t("project.col.owner_entity_help")),
            "created_text": columns.day(t("project.col.created")),
            "status_label": columns.text(t("project.col.fork_status"), help=t("project.col.fork_status_help")),
            "commits_not_in_parent": columns.count(t, t("project.col.own_commits")),
        }),
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, shown.drop(columns=["status_label", "created_text"])),
        file_name="ossdash-project-forks.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="project.download.forks",
    )

# ------------------------------------------------------------------ openCoDE badges, Standard for Public Code

public_code_view.show_with_badges(st, t, repo)

# ------------------------------------------------------------------ publiccode.yml

st.subheader(t("project.publiccode.heading"))
pc = data.query(repository.repo_publiccode, repo=repo, lang=t.lang)
if pc.empty:
    st.info(t("project.publiccode.empty"), icon=":material/description:")
else:
    p = pc.iloc[0]
    contract = p["contract_status"]

    def words(values: Any) -> str:
        return "; ".join(str(v) for v in values) if isinstance(values, list) and values else t.none()

    def plain(value: Any) -> str:
        return t.none() if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

    def standard_word(namespace: str, value: Any) -> str:
        """The standard's word in the page's language; in German with the file's own word after it."""
        shown = plain(value)
        if shown == t.none() or not t.has(f"{namespace}.{shown}"):
            return shown
        word = t.label(namespace, shown)
        return word if word == shown else f"{word} ({shown})"

    until = p["maintenance_until"]
    until_text = t.none() if until is None or pd.isna(until) else t.date(pd.Timestamp(until).date())
    if isinstance(contract, str) and t.has(f"project.contract.{contract}"):
        until_text = f"{until_text} ({t(f'project.contract.{contract}')})"
    fields = [
        ("name", plain(p["name"])),
        ("description", plain(p["short_description"])),
        ("software_version", plain(p["software_version"])),
        ("development_status", standard_word("pc_status", p["development_status"])),
        ("licence", licence_text(t, p["licence"]) if not pd.isna(p["licence"]) else t.none()),
        ("used_by", words(p["used_by"])),
        ("is_based_on", words(p["is_based_on"])),
        ("maintenance_type", standard_word("pc_maintenance", p["maintenance_type"])),
        ("maintenance_until", until_text),
        ("contractors", words(p["contractors"])),
        ("publiccode_version", plain(p["publiccode_version"])),
        ("valid", t("common.yes") if bool(p["valid"]) else t("common.no")),
        ("errors", words(p["errors"])),
    ]
    summary = pd.DataFrame({"field": [t(f"project.pc.{k}") for k, _ in fields], "value": [v for _, v in fields],
                            "key": [k for k, _ in fields]})
    if not bool(p["valid"]):
        st.warning(t("project.publiccode.invalid"), icon=":material/rule:")
    st.dataframe(
        summary,
        hide_index=True,
        height=35 * (len(summary) + 1) + 3,  # every field in view, no scrolling
        column_order=["field", "value"],
        column_config={
            "field": columns.text(t("project.col.field")),
            "value": columns.text(t("project.col.value"), width="large"),
        },
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, summary[["key", "value"]]), file_name="ossdash-project-publiccode.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="project.download.publiccode",
    )

# ------------------------------------------------------------------ the same project elsewhere

st.subheader(t("project.mirrors.heading"))
pairs = data.query(reuse.mirrors)
is_canonical = (pairs["canonical_forge"] == repo[0]) & (pairs["canonical_host"] == repo[1]) & (
    pairs["canonical_path"] == repo[2])
is_mirror = (pairs["mirror_forge"] == repo[0]) & (pairs["mirror_host"] == repo[1]) & (pairs["mirror_path"] == repo[2])
project_ids = set(pairs.loc[is_canonical | is_mirror, "project_id"])
copies = []
for pr in pairs[pairs["project_id"].isin(project_ids)].itertuples():
    for role, fg, hs, pt, ent in (("canonical", pr.canonical_forge, pr.canonical_host, pr.canonical_path,
                                   pr.canonical_entity),
                                  ("mirror", pr.mirror_forge, pr.mirror_host, pr.mirror_path, pr.mirror_entity)):
        if (fg, hs, pt) != tuple(repo):
            copies.append({"role": role, "forge": fg, "host": hs, "path": pt, "entity_id": ent})
copies_df = pd.DataFrame(copies, columns=["role", "forge", "host", "path", "entity_id"]).drop_duplicates(
    subset=REPO_KEYS)
if copies_df.empty:
    st.info(t("project.mirrors.empty"), icon=":material/info:")
else:
    links = []
    for c in copies_df.itertuples():
        found = data.query(directory.repo_list, metrics.Scope(repo=(c.forge, c.host, c.path)))
        links.append(web_url(found["html_url"].iloc[0]) if len(found) else None)
    copies_df = copies_df.assign(
        role_label=[t(f"project.mirrors.{r}") for r in copies_df["role"]],
        forge_label=[t.label("forge", v) for v in copies_df["forge"]],
        entity=[names.get(e, e) for e in copies_df["entity_id"]],
        link=links,
    )
    st.caption(t("project.mirrors.caption"))
    st.dataframe(
        copies_df,
        hide_index=True,
        column_order=["role_label", "forge_label", "host", "path", "entity", "link"],
        column_config=columns.fitted(
            copies_df, order=["role_label", "forge_label", "host", "path", "entity", "link"],
            flexible="path", config={
            "role_label": columns.text(t("project.col.role")),
            "forge_label": columns.text(t("project.col.forge")),
            "host": columns.text(t("project.col.host")),
            "path": columns.text(t("project.col.repo")),
            "entity": columns.text(t("project.col.entity")),
            "link": columns.link(t("project.col.link"), t),
        }),
    )
    st.download_button(
        t("common.download_csv"), columns.csv_bytes(t, copies_df.drop(columns=["role_label", "forge_label"])),
        file_name="ossdash-project-mirrors.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore", key="project.download.mirrors",
    )
