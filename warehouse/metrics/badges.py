"""openCoDE's badges (Maintained, Security, Reuse) per repository, on every forge, and how many
repositories of each group reach each level.

Definitions, thresholds and what cannot be decided: docs/badges.md. Every criterion reads data a
collection already holds (commits, issues and their first responses, releases, the root listing,
publiccode.yml, forks); none costs a request of its own. A criterion the data cannot decide is
'unknown', never 'not_met': a level is only refused for a criterion that failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from warehouse.metrics.badge_settings import (
    BADGE_LEVELS,
    BadgeThresholds,
    badge_thresholds_in_use,
)
from warehouse.metrics.frames import frame, int_columns
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped, value_counts_per_group
from warehouse.metrics.sustainability import factor_sql

BADGE_COLUMNS = (
    "forge", "host", "path", "entity_id", "html_url", "archived",
    "commits_6m", "commits_outcome",
    "issues_collected", "issues_3m", "mean_response_days", "issue_response_outcome",
    "releases_6m", "release_outcome",
    "bus_factor", "bus_factor_outcome",
    "branch_protection_outcome",
    "has_security", "security_file_outcome",
    "signed_tags_share", "signed_tags_outcome",
    "merged_6m", "reviews_known", "reviewed_6m", "reviewed_share", "code_review_outcome",
    "using_orgs", "used_by_orgs", "fork_orgs", "publiccode_known", "forks_known", "using_organisations_outcome",
    "maintained_bronze", "maintained_silver", "maintained_gold", "maintained_level",
    "security_level_1", "security_level_2", "security_level",
    "reuse_level_1", "reuse_level",
)


def badges(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    thresholds: BadgeThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """openCoDE's badges per repository in scope (its filters only) at ``now``.

    Each criterion has an outcome column ``<criterion>_outcome`` ('met' | 'not_met' | 'unknown')
    beside its evidence; each level of a badge a column ``<badge>_<level>`` (met when it and every
    level below are met; not_met when one of their criteria failed; else unknown); each badge
    ``<badge>_level``: its highest level met, else 'unknown' when its first level is unknown,
    else 'none'. Windows (``window_days``, ``issue_window_days``) end at ``now``.

    Evidence: commits_6m (commits on the default branch, bots included, as in git);
    issues_collected, issues_3m (issues opened by people in the issue window), mean_response_days
    (their mean time to the first response by someone else or their resolution, an issue still
    waiting counted with its age at ``now``); releases_6m; bus_factor (the Contributor Absence
    Factor over the window: :func:`~warehouse.metrics.sustainability.absence_factor`, 0 without
    a commit by a known person); has_security (SECURITY file in the root listing; NULL when the
    listing was not collected); signed_tags_share (NULL: tags not collected); merged_6m, reviews_known,
    reviewed_6m, reviewed_share (change requests merged in the window, their reviews read, reviewed by
    a maintainer; reviewed / read);
    using_orgs (distinct organisations in publiccode.yml ``usedBy`` and registry entities other
    than the owner with a fork), used_by_orgs, fork_orgs; publiccode_known, forks_known (whether a
    usedBy list or a fork could have been missed: the root listing or publiccode.yml was read, the
    forks were listed or there are none).
    """
    t = badge_thresholds_in_use(con, thresholds)
    df = _evidence(con, scope, t, moment(con, now))
    return _decide(df, t)[list(BADGE_COLUMNS)]


def _evidence(con: duckdb.DuckDBPyConnection, scope: Scope, t: BadgeThresholds, end: datetime) -> pd.DataFrame:
    sc = scoped(con, scope.at("repo"))
    keys = sc.key_list()
    params = {
        **sc.params,
        "now": end,
        "since": end - timedelta(days=t.window_days),
        "issue_since": end - timedelta(days=t.issue_window_days),
        "share": 0.5,
    }
    sql = f"""
        WITH {sc.ctes()},
        authors AS (
            -- One pass over the window's commits for both the count and the bus factor.
            SELECT {sc.key_list('s')}, f.person_id, f.is_bot, count(DISTINCT f.sha) AS commits
            FROM {sc.commits} AS f JOIN scope AS s ON {sc.on('f')}
            WHERE f.committed_at > $since AND f.committed_at <= $now
            GROUP BY {sc.key_list('s')}, f.person_id, f.is_bot
        ),
        commits AS (SELECT {keys}, sum(commits) AS commits_6m FROM authors GROUP BY {keys}),
        per_person AS (
            SELECT {keys}, person_id, commits FROM authors WHERE NOT is_bot AND person_id IS NOT NULL
        ),
        factor AS ({factor_sql(keys, 'person_id')}),
        issues AS (
            SELECT {sc.key_list('s')}, count(*) AS issues_3m,
                   avg(seconds_between(i.created_at, least(
                       CASE WHEN i.first_response_at <= $now THEN i.first_response_at END,
                       CASE WHEN i.resolved_at <= $now THEN i.resolved_at END,
                       $now::TIMESTAMPTZ))) / 86400.0 AS mean_response_days
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            WHERE i.kind = 'issue' AND NOT coalesce(i.author_is_bot, false)
              AND i.created_at > $issue_since AND i.created_at <= $now
            GROUP BY {sc.key_list('s')}
        ),
        cr_reviews AS (
            -- The window's merged change requests: reviewed by a maintainer, known, or not read.
            SELECT {sc.key_list('s')}, i.number, count(rv.state) > 0 AS known,
                   coalesce(bool_or(rv.state IN {_REVIEWED} AND rv.reviewer_login <> ''
                                    AND lower(rv.reviewer_login) IS DISTINCT FROM lower(i.author_login)
                                    AND (rv.association IN {_MAINTAINERS}
                                         OR (rv.association IS NULL AND rv.state = 'APPROVED'))), false)
                       AS by_maintainer
            FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
            LEFT JOIN reviews AS rv ON rv.forge = i.forge AND rv.host = i.host AND rv.repo_path = i.repo_path
                                   AND rv.number = i.number
            WHERE i.kind = 'change_request' AND i.state = 'merged'
              AND i.resolved_at > $since AND i.resolved_at <= $now
            GROUP BY {sc.key_list('s')}, i.number
        ),
        reviewed AS (
            SELECT {keys}, count(*) AS merged_6m, count(*) FILTER (WHERE known) AS reviews_known,
                   count(*) FILTER (WHERE by_maintainer) AS reviewed_6m
            FROM cr_reviews GROUP BY {keys}
        ),
        items_seen AS (
            SELECT DISTINCT {sc.key_list('s')} FROM {sc.items} AS i JOIN scope AS s ON {sc.on('i')}
        ),
        rel AS (
            SELECT {sc.key_list('s')}, count(*) AS releases_6m
            FROM releases AS rl JOIN scope AS s ON {sc.on('rl', entity=False)}
            WHERE rl.published_at > $since AND rl.published_at <= $now
            GROUP BY {sc.key_list('s')}
        ),
        mentions AS (
            SELECT {sc.key_list('s')}, s.s_entity, unnest(coalesce(p.used_by, [])) AS text
            FROM publiccode AS p JOIN scope AS s ON {sc.on('p', entity=False)}
        ),
        orgs AS (
            -- usedBy names an organisation: the entity it matched, else the name itself.
            SELECT {sc.key_list('m')}, 'used_by' AS via,
                   CASE WHEN pm.entity_id IS NOT NULL THEN 'entity:' || pm.entity_id
                        ELSE 'name:' || lower(trim(m.text)) END AS org
            FROM mentions AS m LEFT JOIN publiccode_matches AS pm ON pm.text = m.text
            WHERE nullif(trim(m.text), '') IS NOT NULL AND pm.entity_id IS DISTINCT FROM m.s_entity
            UNION ALL
            SELECT {sc.key_list('s')}, 'fork', 'entity:' || fe.target
            FROM fork_evidence AS fe JOIN scope AS s
              ON fe.forge = s.s_forge AND fe.host = s.s_host AND lower(fe.parent_path) = lower(s.s_path)
            WHERE fe.target <> s.s_entity
        ),
        reuse AS (
            SELECT {keys}, count(DISTINCT org) AS using_orgs,
                   count(DISTINCT org) FILTER (WHERE via = 'used_by') AS used_by_orgs,
                   count(DISTINCT org) FILTER (WHERE via = 'fork') AS fork_orgs
            FROM orgs GROUP BY {keys}
        )
        SELECT g.*, r.archived,
               coalesce(c.commits_6m, 0) AS commits_6m,
               (ic.scope IS NOT NULL OR seen.path IS NOT NULL) AS issues_collected,
               coalesce(i.issues_3m, 0) AS issues_3m, i.mean_response_days,
               coalesce(rl.releases_6m, 0) AS releases_6m,
               coalesce(f.factor, 0) AS bus_factor,
               rf.has_security,
               NULL::DOUBLE AS signed_tags_share,
               coalesce(rv.merged_6m, 0) AS merged_6m, coalesce(rv.reviews_known, 0) AS reviews_known,
               coalesce(rv.reviewed_6m, 0) AS reviewed_6m,
               rv.reviewed_6m / nullif(rv.reviews_known, 0) AS reviewed_share,
               coalesce(u.using_orgs, 0) AS using_orgs, coalesce(u.used_by_orgs, 0) AS used_by_orgs,
               coalesce(u.fork_orgs, 0) AS fork_orgs,
               (rf.repo_path IS NOT NULL OR pc.repo_path IS NOT NULL) AS publiccode_known,
               (fc.scope IS NOT NULL OR r.forks_count = 0
                OR EXISTS (SELECT 1 FROM forks AS fk WHERE fk.forge = g.forge AND fk.host = g.host
                           AND fk.repo_path = g.path)) AS forks_known
        FROM groups AS g
        JOIN repos AS r ON r.forge = g.forge AND r.host = g.host AND r.path = g.path
        LEFT JOIN commits AS c ON {sc.join('c', 'g')}
        LEFT JOIN factor AS f ON {sc.join('f', 'g')}
        LEFT JOIN issues AS i ON {sc.join('i', 'g')}
        LEFT JOIN items_seen AS seen ON {sc.join('seen', 'g')}
        LEFT JOIN rel AS rl ON {sc.join('rl', 'g')}
        LEFT JOIN reviewed AS rv ON {sc.join('rv', 'g')}
        LEFT JOIN reuse AS u ON {sc.join('u', 'g')}
        LEFT JOIN root_files AS rf ON rf.forge = g.forge AND rf.host = g.host AND rf.repo_path = g.path
        LEFT JOIN publiccode AS pc ON pc.forge = g.forge AND pc.host = g.host AND pc.repo_path = g.path
        LEFT JOIN cursors AS ic ON ic.forge = g.forge AND ic.host = g.host AND ic.scope = g.path
                               AND ic.stream = 'items'
        LEFT JOIN cursors AS fc ON fc.forge = g.forge AND fc.host = g.host AND fc.scope = g.path
                               AND fc.stream = 'forks'
        ORDER BY {sc.order()}
    """
    df = frame(con, sql, params)
    return int_columns(df, ["commits_6m", "issues_3m", "releases_6m", "bus_factor", "merged_6m", "reviews_known",
                            "reviewed_6m", "using_orgs", "used_by_orgs", "fork_orgs"])


# What counts as a review (collectors.reviews.REVIEWED_STATES; docs/collection.md) and who is a
# maintainer: GitHub's author_association of the reviewer; a GitLab approval (only members with
# the Developer role or above may approve by default).
_REVIEWED = "('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED')"
_MAINTAINERS = "('OWNER', 'MEMBER', 'COLLABORATOR')"


def _outcome(met: pd.Series, unknown: pd.Series | None = None) -> pd.Series:
    """'unknown' where ``unknown``, else 'met' or 'not_met'."""
    out = met.astype(bool).map({True: "met", False: "not_met"}).astype(object)
    return out if unknown is None else out.where(~unknown.astype(bool), "unknown")


def _code_review(df: pd.DataFrame, t: BadgeThresholds) -> pd.Series:
    """Met when the share reviewed holds even if every change request whose reviews were not read
    was unreviewed; not met when it fails even if all of those were reviewed; else unknown (also
    without a merged change request in the window: nothing to judge the process by)."""
    total = df["merged_6m"].astype("float64")
    reviewed = df["reviewed_6m"].astype("float64")
    unread = total - df["reviews_known"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        met = (total > 0) & (reviewed / total >= t.min_reviewed_share)
        failed = (total > 0) & ((reviewed + unread) / total < t.min_reviewed_share)
    return _outcome(met, ~(met | failed))


def _decide(df: pd.DataFrame, t: BadgeThresholds) -> pd.DataFrame:
    """``df`` with each criterion's outcome and each badge's level. The columns are gathered and added at
    once, the levels decided on arrays: added one by one to a frame this wide they cost more."""
    out: dict[str, pd.Series] = {}
    out["commits_outcome"] = _outcome(df["commits_6m"] >= t.min_commits)
    # No issue in the window: nobody waited, so no reaction was slow (docs/badges.md).
    quick = (df["issues_3m"] == 0) | (df["mean_response_days"].fillna(float("inf")) < t.max_response_days)
    out["issue_response_outcome"] = _outcome(quick, ~df["issues_collected"])
    # Tags without a release are not collected: too few releases does not mean too few tags.
    out["release_outcome"] = _outcome(df["releases_6m"] >= t.min_releases, df["releases_6m"] < t.min_releases)
    out["bus_factor_outcome"] = _outcome(df["bus_factor"] >= t.min_bus_factor)
    every = pd.Series(True, index=df.index)
    out["branch_protection_outcome"] = _outcome(every, every)  # needs an administrator's token
    has_security = df["has_security"].astype("boolean")
    out["security_file_outcome"] = _outcome(has_security.fillna(False).astype(bool), has_security.isna())
    out["signed_tags_outcome"] = _outcome(every, every)  # needs the tag objects
    out["code_review_outcome"] = _code_review(df, t)
    enough = df["using_orgs"] >= t.min_using_organisations
    out["using_organisations_outcome"] = _outcome(enough, ~enough & ~(df["publiccode_known"] & df["forks_known"]))
    for badge, levels in BADGE_LEVELS.items():
        below = np.full(len(df), "met", dtype=object)
        reached = np.full(len(df), "none", dtype=object)
        for i, (level, criteria) in enumerate(levels):
            status = below.copy()
            for criterion in criteria:
                outcome = out[f"{criterion}_outcome"].to_numpy(dtype=object)
                status = np.where((outcome == "unknown") & (status == "met"), "unknown", status)
                status = np.where(outcome == "not_met", "not_met", status)
            out[f"{badge}_{level}"] = pd.Series(status, index=df.index, dtype=object)
            reached = np.where(status == "met", level, reached)
            if i == 0:
                reached = np.where(status == "unknown", "unknown", reached)
            below = status
        out[f"{badge}_level"] = pd.Series(reached, index=df.index, dtype=object)
    return pd.concat([df, pd.DataFrame(out, index=df.index)], axis=1)


LEVEL_VALUES: dict[str, tuple[str, ...]] = {
    badge: ("none", "unknown") + tuple(level for level, _ in levels) for badge, levels in BADGE_LEVELS.items()
}


def badge_summary(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope("entity"),
    *,
    thresholds: BadgeThresholds | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Repositories per badge level and group: the level's columns, repos, and per badge one
    column ``<badge>_<value>`` for each value of ``<badge>_level`` (none, unknown, then its
    levels from the lowest), counting each repository once, at the highest level it reached."""
    per_repo = badges(con, scope, thresholds=thresholds, now=now)
    return value_counts_per_group(con, scoped(con, scope), per_repo,
                                  [(f"{badge}_level", badge, values) for badge, values in LEVEL_VALUES.items()])
