"""The machine-checkable part of the Standard for Public Code, per repository and per group.

Which requirements are checked and what decides each: docs/public-code.md and
:mod:`~warehouse.metrics.public_code_criteria`. Every check reads data a collection already
holds (the repository's metadata and root listing, publiccode.yml, releases, change requests and
their reviews, forks, openCoDE's badge evidence); a check the data cannot decide is 'unknown',
never 'not_met'. A criterion is met when every check of it is met, not met when one failed, else
unknown; the criteria without a check are not part of the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from warehouse.metrics.badge_settings import badge_thresholds_in_use
from warehouse.metrics.badges import badges
from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.public_code_criteria import (
    CHANGELOG_STEMS,
    CHECKED_CRITERIA,
    CHECKS,
    CI_FILES,
    CI_FOLDERS,
    GOVERNANCE_STEMS,
    MAYBE_CI_FOLDERS,
    UNLISTED_FOLDERS,
    checks_of,
)
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped, value_counts_per_group

MAX_REVIEW_BUSINESS_DAYS = 2
OUTCOMES = ("met", "not_met", "unknown")

EVIDENCE_COLUMNS = (
    "root_files_collected", "has_contributing", "has_governance", "has_security", "has_license",
    "has_changelog", "dirs", "workflows", "ci_config", "issues_enabled", "licence", "licence_status",
    "description", "releases_total", "has_publiccode", "publiccode_valid", "development_status",
    "using_orgs", "merged_6m", "reviews_known", "reviewed_by_other_6m", "maintainer_reviewed_6m",
    "timed_reviews_6m", "prompt_reviews_6m", "committers_6m", "issues_3m", "mean_response_days",
)


def public_code(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The checks of the Standard for Public Code per repository in scope (its filters only).

    Columns: forge, host, path, entity_id, html_url, archived; the evidence
    (:data:`EVIDENCE_COLUMNS`); per check ``check_<id>`` ('met' | 'not_met' | 'unknown'); per
    checked criterion ``criterion_<id>``. The windows are openCoDE's badge windows (the last 6
    months for change requests and commits, 3 months for issues), ending at ``now``.

    Evidence: has_governance, has_changelog (a GOVERNANCE or CHANGELOG/CHANGES/HISTORY/NEWS/RELEASES
    file at the root; NULL when the root was not listed), dirs (the root's folders; NULL when listed
    before folders were kept), workflows (GitHub: the names in .github/workflows; NULL when not
    read), ci_config (the CI configuration found: a file name, a folder, 'workflows'; NULL for
    none), releases_total (ever), merged_6m (change requests merged in the window), reviews_known
    (of them, those whose reviews were read), reviewed_by_other_6m (reviewed by someone who is not
    their author), maintainer_reviewed_6m (by a maintainer, as openCoDE's code review), timed_reviews_6m
    (reviewed by another, the first such review's time known), prompt_reviews_6m (of those, first
    reviewed within two business days of being opened), committers_6m (people with a commit on the
    default branch in the window); issues_3m and mean_response_days as in :func:`badges`.
    """
    end = moment(con, now)
    window = badge_thresholds_in_use(con, None).window_days
    base = badges(con, scope, now=end)[[
        "forge", "host", "path", "entity_id", "html_url", "archived", "using_orgs", "publiccode_known",
        "forks_known", "reviewed_6m", "issues_3m", "mean_response_days",
    ]].rename(columns={"reviewed_6m": "maintainer_reviewed_6m"})
    repo = _repo_evidence(con, scope, end, window)
    reviews = _review_evidence(con, scope, end, window)
    df = base.merge(repo, on=["forge", "host", "path"], how="left").merge(reviews, on=["forge", "host", "path"],
                                                                          how="left")
    df = int_columns(df, ["releases_total", "committers_6m", "merged_6m", "reviews_known", "reviewed_by_other_6m",
                          "timed_reviews_6m", "prompt_reviews_6m"])
    df = _decide(df)
    checks = [f"check_{k.id}" for k in CHECKS]
    criteria = [f"criterion_{c}" for c in CHECKED_CRITERIA]
    return df[["forge", "host", "path", "entity_id", "html_url", "archived", *EVIDENCE_COLUMNS, *checks,
               *criteria]].reset_index(drop=True)


def _repo_evidence(con: duckdb.DuckDBPyConnection, scope: Scope, end: datetime, window: int) -> pd.DataFrame:
    sc = scoped(con, scope.at("repo"))
    keys = sc.key_list()
    sql = f"""
        WITH {sc.ctes()},
        people AS (
            SELECT {sc.key_list('s')}, count(DISTINCT f.person_id) AS committers_6m
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at > $since AND f.committed_at <= $now AND NOT f.is_bot AND f.person_id IS NOT NULL
            GROUP BY {sc.key_list('s')}
        ),
        rel AS (
            SELECT {sc.key_list('s')}, count(*) AS releases_total
            FROM releases AS rl JOIN scope AS s ON {sc.on('rl', entity=False)}
            WHERE rl.published_at IS NULL OR rl.published_at <= $now
            GROUP BY {sc.key_list('s')}
        )
        SELECT g.forge, g.host, g.path, rf.repo_path IS NOT NULL AS root_files_collected,
               rf.has_contributing, rf.has_security, rf.has_license, rf.files, rf.dirs, rf.workflows,
               r.issues_enabled, h.licence, h.licence_status, nullif(trim(r.description), '') AS description,
               coalesce(rl.releases_total, 0) AS releases_total, h.has_publiccode, h.publiccode_valid,
               pc.development_status, coalesce(p.committers_6m, 0) AS committers_6m
        FROM groups AS g
        JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
        JOIN repo_hygiene AS h ON h.forge = g.forge AND h.host = g.host AND h.repo_path = g.path
        LEFT JOIN root_files AS rf ON rf.forge = g.forge AND rf.host = g.host AND rf.repo_path = g.path
        LEFT JOIN publiccode AS pc ON pc.forge = g.forge AND pc.host = g.host AND pc.repo_path = g.path
        LEFT JOIN people AS p ON {sc.join('p', 'g')}
        LEFT JOIN rel AS rl ON {sc.join('rl', 'g')}
        ORDER BY {keys}
    """
    params = {**sc.params, "now": end, "since": end - timedelta(days=window)}
    df = frame(con, sql, params)
    df["has_governance"] = _has_stem(df, GOVERNANCE_STEMS)
    df["has_changelog"] = _has_stem(df, CHANGELOG_STEMS)
    df["ci_config"] = [_ci_config(files, dirs, flows) for files, dirs, flows in
                       zip(df["files"], df["dirs"], df["workflows"], strict=True)]
    return df


def _names(value) -> list[str]:
    return [] if value is None or (isinstance(value, float) and np.isnan(value)) else [str(v) for v in value]


def _stem(name: str) -> str:
    lower = name.lower()
    return lower.rsplit(".", 1)[0] if lower.endswith((".md", ".txt", ".rst", ".adoc")) else lower


def _has_stem(df: pd.DataFrame, stems: tuple[str, ...]) -> pd.Series:
    found = [any(_stem(n) in stems for n in _names(files)) for files in df["files"]]
    return pd.Series(found, index=df.index, dtype="boolean").where(df["root_files_collected"].astype(bool), pd.NA)


def _ci_config(files, dirs, workflows) -> str | None:
    """The CI configuration the root listing shows: a file, a folder, or GitHub's workflows."""
    for name in _names(files):
        if name.lower() in CI_FILES:
            return name
    for name in _names(dirs):
        if name.lower() in CI_FOLDERS:
            return name
    if any(n.lower().endswith((".yml", ".yaml")) for n in _names(workflows)):
        return "workflows"
    return None


def _review_evidence(con: duckdb.DuckDBPyConnection, scope: Scope, end: datetime, window: int) -> pd.DataFrame:
    """Per repository, its change requests merged in the window and how they were reviewed."""
    sc = scoped(con, scope.at("repo"))
    sql = f"""
        WITH {sc.ctes()}
        SELECT g.forge, g.host, g.path, i.number, i.created_at, count(rv.state) > 0 AS known,
               coalesce(bool_or({_BY_OTHER}), false) AS by_other,
               min(rv.submitted_at) FILTER (WHERE {_BY_OTHER}) AS first_review_at,
               coalesce(bool_or({_BY_OTHER} AND rv.submitted_at IS NULL), false) AS untimed
        FROM groups AS g
        JOIN {sc.items} AS i ON i.forge = g.forge AND i.host = g.host AND i.repo_path = g.path
        LEFT JOIN reviews AS rv ON rv.forge = i.forge AND rv.host = i.host AND rv.repo_path = i.repo_path
                               AND rv.number = i.number
        WHERE i.kind = 'change_request' AND i.state = 'merged'
          AND i.resolved_at > $since AND i.resolved_at <= $now
        GROUP BY g.forge, g.host, g.path, i.number, i.created_at
    """
    params = {**sc.params, "now": end, "since": end - timedelta(days=window)}
    cr = frame(con, sql, params)
    keys = ["forge", "host", "path"]
    if cr.empty:
        return pd.DataFrame(columns=keys + ["merged_6m", "reviews_known", "reviewed_by_other_6m",
                                            "timed_reviews_6m", "prompt_reviews_6m"])
    timed = cr["by_other"] & ~cr["untimed"] & cr["first_review_at"].notna()
    opened = cr["created_at"].dt.tz_convert("UTC").dt.date.to_numpy(dtype="datetime64[D]")
    first = cr["first_review_at"].dt.tz_convert("UTC").dt.date
    days = np.zeros(len(cr), dtype="int64")
    if timed.any():
        days[timed.to_numpy()] = np.busday_count(opened[timed.to_numpy()],
                                                 first[timed].to_numpy(dtype="datetime64[D]"))
    cr["timed"] = timed
    cr["prompt"] = timed & (days <= MAX_REVIEW_BUSINESS_DAYS)
    return cr.groupby(keys, as_index=False).agg(
        merged_6m=("number", "size"), reviews_known=("known", "sum"), reviewed_by_other_6m=("by_other", "sum"),
        timed_reviews_6m=("timed", "sum"), prompt_reviews_6m=("prompt", "sum"))


# A review by someone other than the change request's author (collectors.reviews.REVIEWED_STATES).
_BY_OTHER = ("(rv.state IN ('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED') AND rv.reviewer_login <> '' "
             "AND lower(rv.reviewer_login) IS DISTINCT FROM lower(i.author_login))")


def _outcome(met, failed) -> pd.Series:
    """'met' where ``met``, else 'not_met' where ``failed``, else 'unknown'."""
    met = pd.Series(met).fillna(False).astype(bool)
    failed = pd.Series(failed, index=met.index).fillna(False).astype(bool)
    return pd.Series(np.select([met, failed], ["met", "not_met"], "unknown"), index=met.index, dtype=object)


def _maybe_elsewhere(df: pd.DataFrame, folders: tuple[str, ...]) -> pd.Series:
    """The file may be in a folder that was not listed: the root has one of ``folders``, or its
    folders were not kept."""
    return pd.Series([dirs is None or (isinstance(dirs, float) and np.isnan(dirs))
                      or any(d.lower() in folders for d in _names(dirs)) for dirs in df["dirs"]], index=df.index)


def _file_check(df: pd.DataFrame, present: pd.Series, folders: tuple[str, ...] = UNLISTED_FOLDERS) -> pd.Series:
    listed = df["root_files_collected"].astype(bool)
    found = present.astype("boolean").fillna(False).astype(bool) & listed
    return _outcome(found, listed & ~found & ~_maybe_elsewhere(df, folders))


def _decide(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a column per check and per criterion. The columns are gathered and added at once:
    added one by one to a frame this wide they cost more than deciding them."""
    out: dict[str, pd.Series] = {}
    every = pd.Series(True, index=df.index)
    listed = df["root_files_collected"].astype(bool)
    # Collectors read public repositories only (GitHub's listing entries marked private are left
    # out, GitLab is asked for visibility=public), and every one is a git repository.
    out["check_published"] = _outcome(every, ~every)
    out["check_version_controlled"] = _outcome(every, ~every)
    reuse_known = df["publiccode_known"].astype(bool) & df["forks_known"].astype(bool)
    out["check_multiple_parties"] = _outcome(df["using_orgs"] >= 1, reuse_known)
    out["check_contribution_guidelines"] = _file_check(df, df["has_contributing"])
    out["check_governance"] = _file_check(df, df["has_governance"])
    out["check_security_reporting"] = _file_check(df, df["has_security"])
    enabled = df["issues_enabled"].astype("boolean")
    out["check_issue_tracker"] = _outcome(enabled.fillna(False), enabled.notna() & ~enabled.fillna(True))
    # Tags that are not releases are not collected: no release does not mean no version mark.
    released = df["releases_total"] > 0
    out["check_marked_releases"] = _outcome(released, ~every)
    out["check_versioned"] = _outcome(released, ~every)
    merged, known = df["merged_6m"], df["reviews_known"]
    by_other = df["reviewed_by_other_6m"]
    out["check_reviewed"] = _outcome((merged > 0) & (by_other == merged), by_other < known)
    # A change request merged without a review was not reviewed within two business days either.
    timed, prompt = df["timed_reviews_6m"], df["prompt_reviews_6m"]
    out["check_prompt_review"] = _outcome((merged > 0) & (prompt == merged), (prompt < timed) | (by_other < known))
    has_ci = df["ci_config"].notna()
    github_unread = (df["forge"] == "github") & df["workflows"].isna() & pd.Series(
        [".github" in _names(d) for d in df["dirs"]], index=df.index)
    unsure = _maybe_elsewhere(df, MAYBE_CI_FOLDERS) | github_unread
    out["check_automated_tests"] = _outcome(listed & has_ci, listed & ~has_ci & ~unsure)
    out["check_active_reviewers"] = _outcome(df["maintainer_reviewed_6m"] > 0, df["committers_6m"] == 0)
    reuse_folder = pd.Series(["LICENSES" in _names(d) for d in df["dirs"]], index=df.index)
    licence_file = listed & (df["has_license"].fillna(False).astype(bool) | reuse_folder)
    out["check_licence_file"] = _outcome(licence_file, listed & ~licence_file)
    # Without the FSF's list, a licence that is not OSI-approved may still be Free/Libre (CC0-1.0);
    # a licence file the forge did not name (GitLab names none in its listing) may hold any licence.
    status = df["licence_status"]
    out["check_osi_licence"] = _outcome(status == "osi_approved", (status == "none") & listed & ~licence_file)
    out["check_short_description"] = _outcome(df["description"].notna(), df["description"].isna())
    has_code = df["has_publiccode"].astype("boolean")
    valid = df["publiccode_valid"].astype("boolean").fillna(False).astype(bool)
    out["check_metadata"] = _outcome(valid, has_code.notna() & ~valid)
    out["check_maturity_documented"] = _outcome(valid & df["development_status"].notna(), ~every)
    no_log = listed & ~df["has_changelog"].fillna(False).astype(bool)
    out["check_changelog"] = _outcome(listed & df["has_changelog"].fillna(False).astype(bool),
                                     no_log & ~released & ~_maybe_elsewhere(df, UNLISTED_FOLDERS))
    for criterion in CHECKED_CRITERIA:
        outcomes = np.vstack([out[f"check_{k.id}"].to_numpy() for k in checks_of(criterion)])
        out[f"criterion_{criterion}"] = pd.Series(np.select(
            [(outcomes == "not_met").any(axis=0), (outcomes == "met").all(axis=0)], ["not_met", "met"], "unknown"),
            index=df.index, dtype=object)
    return pd.concat([df, pd.DataFrame(out, index=df.index)], axis=1)


def public_code_summary(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("entity"),
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Repositories per criterion outcome and group: the level's columns, repos, and per checked
    criterion ``<criterion>_met``, ``<criterion>_not_met``, ``<criterion>_unknown``."""
    per_repo = public_code(con, scope, now=now)
    return value_counts_per_group(con, scoped(con, scope), per_repo,
                                  [(f"criterion_{c}", c, OUTCOMES) for c in CHECKED_CRITERIA])
