"""The Standard for Public Code's machine-checkable part on the project and entity pages: per
check its outcome and the evidence that decided it, per criterion how many of an entity's
repositories meet it (docs/public-code.md). Unknown is never counted as failed, and passing the
checks is not compliance: the criteria without a check need a person.

Pages hold no SQL: the rows come from ``warehouse.metrics.public_code`` and
``public_code_summary`` through ``dashboard.data``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import badge_view, columns, data
from dashboard.i18n import Translator
from warehouse import metrics
from warehouse.metrics.public_code_criteria import (
    CHECKED_CRITERIA,
    CHECKS,
    UNCHECKED_CRITERIA,
    UNLISTED_FOLDERS,
)

OUTCOMES = ("met", "not_met", "unknown")
P = "public_code.page"
# The file each file check looks for, as the forges name it.
_FILES = {"contribution_guidelines": "CONTRIBUTING", "governance": "GOVERNANCE", "security_reporting": "SECURITY"}
# An evidence text longer than this is cut (a forge's description can be long).
_QUOTE = 70
ROW = 66  # pixels: a table row of up to three lines (Streamlit wraps text in rows over 64 px)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array is a value
        return False


def _flag(value: Any) -> bool | None:
    """A yes/no column's value: True, False, or None where it is not known."""
    return None if _missing(value) else bool(value)


def _names(value: Any) -> list[str]:
    """A listing column (the root's folders, GitHub's workflows): its names; none when not known."""
    return [] if _missing(value) else [str(v) for v in value]


def _count(value: Any) -> int:
    return 0 if _missing(value) else int(value)


def _listed(t: Translator, names: tuple[str, ...] | list[str], word: str = "or") -> str:
    """".github, docs or .gitlab" (``word``: "or" or "and")."""
    return ", ".join(names[:-1]) + f" {t(f'{P}.{word}')} " + names[-1] if len(names) > 1 else "".join(names)


def _folders_unread(t: Translator, dirs: Any, folders: tuple[str, ...]) -> str:
    """Why a file missing from the root may still be elsewhere: the folders that were not listed."""
    if _missing(dirs):
        return t(f"{P}.evidence.folders_not_recorded")
    there = [d for d in _names(dirs) if d.lower() in folders]
    return t.count(f"{P}.evidence.folders_not_listed", len(there), folders=_listed(t, there, "and"))


def _file(t: Translator, check: str, outcome: str, r: Any) -> str:
    name = _FILES[check]
    if outcome == "met":
        return t(f"{P}.evidence.file_at_root", name=name)
    if outcome == "not_met":
        return t(f"{P}.evidence.file_absent", name=name, folders=_listed(t, UNLISTED_FOLDERS))
    return t(f"{P}.evidence.file_not_at_root", name=name) + "; " + _folders_unread(t, r["dirs"], UNLISTED_FOLDERS)


def _reviews(t: Translator, check: str, r: Any, days: str) -> str:
    merged, known = _count(r["merged_6m"]), _count(r["reviews_known"])
    if merged == 0:
        return t(f"{P}.evidence.no_merges", days=days)
    by_other = _count(r["reviewed_by_other_6m"])
    if check == "reviewed":
        text = t(f"{P}.evidence.reviewed", n=t.number(by_other), merged=t.number(merged))
    else:
        text = t(f"{P}.evidence.prompt", n=t.number(_count(r["prompt_reviews_6m"])), merged=t.number(merged))
        untimed = by_other - _count(r["timed_reviews_6m"])
        if untimed > 0:
            text += "; " + t(f"{P}.evidence.untimed", n=t.number(untimed))
    if known < merged:
        text += "; " + t(f"{P}.evidence.unread", n=t.number(merged - known))
    return text


def _ci(t: Translator, outcome: str, r: Any) -> str:
    found = r["ci_config"]
    if not _missing(found):
        return t(f"{P}.evidence.ci_workflows") if found == "workflows" else t(f"{P}.evidence.ci", name=found)
    if not _flag(r["root_files_collected"]):
        return t(f"{P}.evidence.root_not_listed")
    if outcome == "not_met":
        return t(f"{P}.evidence.ci_none")
    reasons = []
    if r["forge"] == "github" and _missing(r["workflows"]) and ".github" in _names(r["dirs"]):
        reasons.append(t(f"{P}.evidence.workflows_unread"))
    if _missing(r["dirs"]) or ".gitlab" in [d.lower() for d in _names(r["dirs"])]:
        reasons.append(_folders_unread(t, r["dirs"], (".gitlab",)))
    return "; ".join([t(f"{P}.evidence.ci_not_at_root"), *reasons])


def _licence(t: Translator, r: Any) -> str:
    status, name = r["licence_status"], r["licence"]
    if status == "none" or _missing(status):
        return t(f"{P}.evidence.no_licence_named" if _flag(r["has_license"]) else f"{P}.evidence.no_licence")
    if _missing(name) or str(name).upper() == "NOASSERTION":  # GitHub: a licence file it cannot name
        return t(f"{P}.evidence.licence_unidentified")
    name = str(name)
    if status == "osi_approved":
        return t(f"{P}.evidence.licence_osi", licence=name)
    if status == "not_osi_approved":
        return t(f"{P}.evidence.licence_not_osi", licence=name)
    return t(f"{P}.evidence.licence_unrecognised", licence=name)


def _licence_file(t: Translator, outcome: str, r: Any) -> str:
    if not _flag(r["root_files_collected"]):
        return t(f"{P}.evidence.root_not_listed")
    if _flag(r["has_license"]):
        return t(f"{P}.evidence.licence_file")
    if outcome == "met":
        return t(f"{P}.evidence.licences_folder")
    return t(f"{P}.evidence.no_licence_file")


def _description(t: Translator, r: Any) -> str:
    text = r["description"]
    if _missing(text) or not str(text).strip():
        return t(f"{P}.evidence.no_description")
    text = " ".join(str(text).split())
    return t(f"{P}.evidence.description", text=text if len(text) <= _QUOTE else text[:_QUOTE - 1].rstrip() + "…")


def _metadata(t: Translator, r: Any) -> str:
    has = _flag(r["has_publiccode"])
    if has is None:
        return t(f"{P}.evidence.publiccode_unread")
    if not has:
        return t(f"{P}.evidence.no_publiccode")
    return t(f"{P}.evidence.publiccode_valid" if _flag(r["publiccode_valid"]) else f"{P}.evidence.publiccode_invalid")


def _maturity(t: Translator, outcome: str, r: Any) -> str:
    if outcome == "met":
        return t(f"{P}.evidence.development_status", status=t.label("pc_status", r["development_status"]))
    return t(f"{P}.evidence.no_development_status")


def _changelog(t: Translator, outcome: str, r: Any) -> str:
    if outcome == "met":
        return t(f"{P}.evidence.changelog")
    if not _flag(r["root_files_collected"]):
        return t(f"{P}.evidence.root_not_listed")
    if outcome == "not_met":
        return t(f"{P}.evidence.no_changelog", folders=_listed(t, UNLISTED_FOLDERS))
    reasons = [t(f"{P}.evidence.changelog_not_at_root")]
    releases = _count(r["releases_total"])
    if releases:
        reasons.append(t.count(f"{P}.evidence.release_notes", releases))
    if _missing(r["dirs"]) or any(d.lower() in UNLISTED_FOLDERS for d in _names(r["dirs"])):
        reasons.append(_folders_unread(t, r["dirs"], UNLISTED_FOLDERS))
    return "; ".join(reasons)


def evidence(t: Translator, check: str, r: Any, days: int) -> str:
    """What decided one check for one repository, as a sentence in the reader's language."""
    outcome = r[f"check_{check}"]
    if check == "published":
        return t(f"{P}.evidence.published")
    if check == "version_controlled":
        return t(f"{P}.evidence.version_controlled", forge=t.label("forge", r["forge"]))
    if check == "multiple_parties":
        if outcome == "met":
            return t.count(f"{P}.evidence.using_orgs", _count(r["using_orgs"]))
        return t(f"{P}.evidence.no_using_orgs" if outcome == "not_met" else f"{P}.evidence.using_orgs_unread")
    if check in _FILES:
        if not _flag(r["root_files_collected"]):
            return t(f"{P}.evidence.root_not_listed")
        return _file(t, check, outcome, r)
    if check == "issue_tracker":
        enabled = _flag(r["issues_enabled"])
        return t(f"{P}.evidence." + {True: "issues_open", False: "issues_closed", None: "issues_unknown"}[enabled])
    if check in ("marked_releases", "versioned"):
        releases = _count(r["releases_total"])
        return t.count(f"{P}.evidence.releases", releases) if releases else t(f"{P}.evidence.no_releases")
    if check in ("reviewed", "prompt_review"):
        return _reviews(t, check, r, t.number(days))
    if check == "automated_tests":
        return _ci(t, outcome, r)
    if check == "active_reviewers":
        return t(f"{P}.evidence.active_reviewers", days=t.number(days),
                 people=t.count("common.people", _count(r["committers_6m"])),
                 n=t.number(_count(r["maintainer_reviewed_6m"])))
    if check == "osi_licence":
        return _licence(t, r)
    if check == "licence_file":
        return _licence_file(t, outcome, r)
    if check == "short_description":
        return _description(t, r)
    if check == "metadata":
        return _metadata(t, r)
    if check == "maturity_documented":
        return _maturity(t, outcome, r)
    return _changelog(t, outcome, r)


def check_rows(t: Translator, r: Any, days: int) -> pd.DataFrame:
    """One row per check of the Standard, in the Standard's order, in the reader's language."""
    return pd.DataFrame([{
        "criterion": t(f"public_code.criterion.{k.criterion}"), "check": t(f"public_code.check.{k.id}"),
        "keyword": t(f"{P}.keyword.{k.keyword}"), "outcome": t(f"public_code.outcome.{r[f'check_{k.id}']}"),
        "evidence": evidence(t, k.id, r, days),
    } for k in CHECKS])


def _unchecked(st: Any, t: Translator) -> None:
    st.markdown(t(f"{P}.unchecked", outcome=t("public_code.outcome.not_checked")) + "\n"
                + "\n".join(f"- {t(f'public_code.criterion.{c}')}" for c in UNCHECKED_CRITERIA))


def show(st: Any, t: Translator, repo: tuple[str, str, str]) -> None:
    """The project page's section: the criteria's outcomes, every check with its evidence, and
    the criteria that need a person's review."""
    st.subheader(t("public_code.standard"))
    st.caption(t(f"{P}.intro"))
    found = data.query(metrics.public_code, metrics.Scope(repo=repo))
    if found.empty:
        st.info(t(f"{P}.empty"), icon=":material/rule:")
        return
    r = found.iloc[0]
    outcomes = [r[f"criterion_{c}"] for c in CHECKED_CRITERIA]
    for figure, outcome in zip(st.columns(len(OUTCOMES)), OUTCOMES):
        figure.metric(t(f"{P}.fig.{outcome}"), t(f"{P}.fig.of", n=t.number(outcomes.count(outcome)),
                                                 total=t.number(len(CHECKED_CRITERIA))))
    window = data.query(metrics.stored_badge_thresholds).window_days
    table = check_rows(t, r, window)
    order = ["criterion", "check", "keyword", "outcome", "evidence"]
    # Every check in view, the texts wrapped rather than cut.
    st.dataframe(table, hide_index=True, column_order=order, row_height=ROW, height=ROW * len(table) + 38,
                 column_config=columns.fitted(table, order=order, flexible="evidence", most=200,
        config={name: columns.text(t(f"{P}.col.{name}")) for name in order}))
    _unchecked(st, t)


def show_with_badges(st: Any, t: Translator, repo: tuple[str, str, str]) -> None:
    """The project page's openCoDE badges, then its Standard for Public Code."""
    badge_view.show(st, t, repo)
    show(st, t, repo)


def criterion_counts(t: Translator, summary: Any) -> pd.DataFrame:
    """One row per checked criterion: how many repositories meet it, fail it, or leave it unknown
    (unknown stays apart, never counted as failed)."""
    return pd.DataFrame([{
        "criterion": t(f"public_code.criterion.{c}"),
        **{o: t.number(int(summary[f"{c}_{o}"])) for o in OUTCOMES},
    } for c in CHECKED_CRITERIA])


def show_counts(st: Any, t: Translator, entity_id: str) -> None:
    """The entity page's section: its repositories per checked criterion and outcome."""
    found = data.query(metrics.public_code_summary, metrics.Scope("entity", entity_id=entity_id))
    if found.empty or int(found.iloc[0]["repos"]) == 0:
        return
    summary = found.iloc[0]
    st.subheader(t(f"{P}.entity_heading"))
    st.caption(t(f"{P}.entity_intro", repos=t.number(summary["repos"])))
    table = criterion_counts(t, summary)
    order = ["criterion", *OUTCOMES]
    labels = {"criterion": t(f"{P}.col.criterion"), **{o: t(f"public_code.outcome.{o}") for o in OUTCOMES}}
    st.dataframe(table, hide_index=True, column_order=order, column_config=columns.fitted(
        table, order=order, flexible="criterion",
        config={name: columns.text(label) for name, label in labels.items()}))
    _unchecked(st, t)
