"""openCoDE's badges of one repository on the project page: each badge's level, then every
criterion of every level with its threshold, outcome and evidence (docs/badges.md).

Pages hold no SQL: the rows come from ``warehouse.metrics.badges`` through ``dashboard.data``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import columns, data
from dashboard.i18n import Translator
from warehouse import metrics
from warehouse.metrics.badge_settings import BADGE_LEVELS, BadgeThresholds


def _rule(t: Translator, criterion: str, th: BadgeThresholds) -> str:
    values = {
        "commits": {"n": t.number(th.min_commits), "days": t.number(th.window_days)},
        "issue_response": {"n": t.number(th.max_response_days), "days": t.number(th.issue_window_days)},
        "release": {"n": t.number(th.min_releases), "days": t.number(th.window_days)},
        "bus_factor": {"n": t.number(th.min_bus_factor), "days": t.number(th.window_days)},
        "signed_tags": {"share": t.percent(th.min_signed_tags_share), "days": t.number(th.window_days)},
        "code_review": {"share": t.percent(th.min_reviewed_share), "days": t.number(th.window_days)},
        "using_organisations": {"n": t.number(th.min_using_organisations)},
    }
    return t(f"badges.rule.{criterion}", **values.get(criterion, {}))


def _evidence(t: Translator, criterion: str, r: Any) -> str:
    if criterion == "commits":
        return t("badges.evidence.commits", n=t.number(r["commits_6m"]))
    if criterion == "issue_response":
        if not r["issues_collected"]:
            return t("badges.evidence.issues_not_collected")
        if r["issues_3m"] == 0:
            return t("badges.evidence.no_issues")
        return t("badges.evidence.issues", n=t.number(r["issues_3m"]), days=t.number(r["mean_response_days"], 1))
    if criterion == "release":
        return t("badges.evidence.releases", n=t.number(r["releases_6m"]))
    if criterion == "bus_factor":
        return t("badges.evidence.bus_factor", n=t.number(r["bus_factor"]))
    if criterion == "branch_protection":
        return t("badges.evidence.branch_protection")
    if criterion == "security_file":
        known = r["has_security"]
        if pd.isna(known):
            return t("badges.evidence.security_unknown")
        return t("badges.evidence.security_present" if known else "badges.evidence.security_absent")
    if criterion == "signed_tags":
        return t("badges.evidence.signed_tags")
    if criterion == "code_review":
        if r["merged_6m"] == 0:
            return t("badges.evidence.no_merges")
        return t("badges.evidence.reviews", reviewed=t.number(r["reviewed_6m"]), merged=t.number(r["merged_6m"]),
                 unread=t.number(r["merged_6m"] - r["reviews_known"]))
    return t("badges.evidence.organisations", n=t.number(r["using_orgs"]), used_by=t.number(r["used_by_orgs"]),
             forks=t.number(r["fork_orgs"]))


def criteria_rows(t: Translator, r: Any, th: BadgeThresholds) -> pd.DataFrame:
    """Every criterion of every level of every badge, in the reader's language."""
    rows = []
    for badge, levels in BADGE_LEVELS.items():
        for level, criteria in levels:
            for criterion in criteria:
                rows.append({
                    "badge": t(f"badges.badge.{badge}"), "level": t(f"badges.level.{level}"),
                    "criterion": t(f"badges.criterion.{criterion}"), "rule": _rule(t, criterion, th),
                    "outcome": t(f"badges.outcome.{r[f'{criterion}_outcome']}"),
                    "evidence": _evidence(t, criterion, r),
                })
    return pd.DataFrame(rows)


def show(st: Any, t: Translator, repo: tuple[str, str, str]) -> None:
    st.subheader(t("badges.heading"))
    st.caption(t("badges.intro"))
    found = data.query(metrics.badges, metrics.Scope(repo=repo))
    if found.empty:
        st.info(t("badges.empty"), icon=":material/workspace_premium:")
        return
    r = found.iloc[0]
    figures = st.columns(len(BADGE_LEVELS))
    for figure, badge in zip(figures, BADGE_LEVELS):
        figure.metric(t(f"badges.badge.{badge}"), t(f"badges.level.{r[f'{badge}_level']}"))
    table = criteria_rows(t, r, data.query(metrics.stored_badge_thresholds))
    order = ["badge", "level", "criterion", "rule", "outcome", "evidence"]
    st.dataframe(table, hide_index=True, column_order=order, column_config=columns.fitted(
        table, order=order, flexible="evidence",
        config={name: columns.text(t(f"badges.col.{name}")) for name in order}))


def level_counts(t: Translator, summary: Any) -> pd.DataFrame:
    """One row per badge and level (not reached, unknown, then its levels): repositories and share."""
    rows = []
    total = int(summary["repos"])
    for badge, levels in BADGE_LEVELS.items():
        for value in ("none", "unknown", *(level for level, _ in levels)):
            n = int(summary[f"{badge}_{value}"])
            rows.append({"badge": t(f"badges.badge.{badge}"), "level": t(f"badges.level.{value}"),
                         "repos": t.number(n), "share": t.percent(n / total) if total else t.none()})
    return pd.DataFrame(rows)


def criterion_counts(t: Translator, per_repo: pd.DataFrame) -> pd.DataFrame:
    """One row per criterion of every level of every badge: how many repositories meet it, fail
    it, or leave it undecided (unknown stays apart, never counted as failed)."""
    rows = []
    for badge, levels in BADGE_LEVELS.items():
        for level, criteria in levels:
            for criterion in criteria:
                outcomes = per_repo[f"{criterion}_outcome"].value_counts()
                rows.append({
                    "badge": t(f"badges.badge.{badge}"), "level": t(f"badges.level.{level}"),
                    "criterion": t(f"badges.criterion.{criterion}"),
                    **{value: t.number(int(outcomes.get(value, 0))) for value in ("met", "not_met", "unknown")},
                })
    return pd.DataFrame(rows)


def show_counts(st: Any, t: Translator, entity_id: str) -> None:
    """The entity page's section: its repositories per badge level, then per criterion."""
    found = data.query(metrics.badge_summary, metrics.Scope("entity", entity_id=entity_id))
    if found.empty or int(found.iloc[0]["repos"]) == 0:
        return
    summary = found.iloc[0]
    st.subheader(t("badges.entity_heading"))
    st.caption(t("badges.entity_intro", repos=t.number(summary["repos"])))
    table = level_counts(t, summary)
    order = ["badge", "level", "repos", "share"]
    st.dataframe(table, hide_index=True, column_order=order, column_config=columns.fitted(
        table, order=order, config={name: columns.text(t(f"badges.col.{name}")) for name in order}))
    per_repo = data.query(metrics.badges, metrics.Scope("entity", entity_id=entity_id))
    if per_repo.empty:
        return
    st.caption(t("badges.criteria_intro"))
    table = criterion_counts(t, per_repo)
    order = ["badge", "level", "criterion", "met", "not_met", "unknown"]
    labels = {name: t(f"badges.col.{name}") for name in order[:3]}
    labels.update({name: t(f"badges.outcome.{name}") for name in order[3:]})
    st.dataframe(table, hide_index=True, column_order=order, column_config=columns.fitted(
        table, order=order, config={name: columns.text(label) for name, label in labels.items()}))
