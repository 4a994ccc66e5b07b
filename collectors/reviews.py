"""Reviews of change requests: the record, what counts as reviewed, and how each forge's answer reads.

A merged change request's reviews are asked for only when the run sees it new or updated: the
metrics judge what was accepted (openCoDE's code review, the Standard for Public Code's "require
review"), and a change request that is merged later is updated then (GitHub
``GET /repos/{o}/{r}/pulls/{n}/reviews``, GitLab ``GET /projects/:id/merge_requests/:iid/approvals``),
one request a change request, and always answered whole: the records of one change request
replace what is stored for it. A change request read with no review gets one record with the
state ``NONE`` (and no reviewer), so that "no review" and "never read" stay apart: a change
request without any row in ``reviews`` has reviews unknown (not asked for yet, or the forge
refused: a 401, 403 or 404 on reviews is no failure of the run).

What counts as reviewed (docs/collection.md): at least one review in one of REVIEWED_STATES by
someone other than the change request's author. On GitHub those are the submitted reviews; a
dismissed review (``DISMISSED``) is kept but does not count, and pending ones (unsubmitted,
visible to their author alone) are not stored. On GitLab each approval is one ``APPROVED``
review; a revoked approval disappears from the answer, and so from the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collectors.fields import Fields, SkipRecord

REVIEWED_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED")
# The one record of a change request whose reviews were read and held none.
NO_REVIEW = "NONE"


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    forge: str
    host: str
    repo_path: str
    number: int  # the change request's number (GitLab: its iid)
    reviewer_login: str  # '' for NO_REVIEW, and for a reviewer whose account is gone
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | NONE
    submitted_at: datetime | None  # a reviewer's first review in this state; None from a GitLab without approved_at
    association: str | None = None  # GitHub's author_association of the reviewer (OWNER, MEMBER, ...)


def _folded(forge: str, host: str, repo_path: str, number: int, rows: list[tuple]) -> list[ReviewRecord]:
    """One record per reviewer and state (the earliest moment, the latest association), or the
    NO_REVIEW record: the table's key, and all the decision needs."""
    by_key: dict[tuple[str, str], ReviewRecord] = {}
    for login, state, moment, association in rows:
        known = by_key.get((login, state))
        if known is not None and known.submitted_at is not None and (moment is None or known.submitted_at <= moment):
            moment = known.submitted_at
        by_key[(login, state)] = ReviewRecord(forge, host, repo_path, number, login, state, moment,
                                              association or (known.association if known else None))
    if not by_key:
        return [ReviewRecord(forge, host, repo_path, number, "", NO_REVIEW, None)]
    return [by_key[k] for k in sorted(by_key)]


def github_reviews(host: str, repo_path: str, number: int, entries: list,
                   fields: Callable[[Any, str], Fields]) -> list[ReviewRecord]:
    """The records of one pull request's review listing (every page)."""
    rows = []
    for x in entries:
        try:
            f = fields(x, f"repository {repo_path}: #{number}: review")
            state = (f.text("state") or "").upper()
            if not state:
                f.skip("state", x.get("state") if isinstance(x, dict) else x)
            if state == "PENDING":
                continue  # not submitted: only its author sees it
            rows.append((f.text("login", f.obj("user")) or "", state, f.time("submitted_at"), f.text("author_association")))
        except SkipRecord:
            continue
    return _folded("github", host, repo_path, number, rows)


def gitlab_approvals(forge: str, host: str, repo_path: str, number: int, body: Any,
                     fields: Callable[[Any, str], Fields]) -> list[ReviewRecord]:
    """The records of one merge request's approvals (``approved_by``, each with its user)."""
    where = f"project {repo_path}: !{number}: approvals"
    rows = []
    try:
        approvals = fields(body, where).seq("approved_by")
    except SkipRecord:
        return []  # unreadable: nothing replaces what is stored (the warning asks again next run)
    for x in approvals:
        try:
            f = fields(x, f"{where}: approval")
            login = f.text("username", f.obj("user"))
            if not login:
                f.skip("user", x.get("user"))
            rows.append((login, "APPROVED", f.time("approved_at"), None))
        except SkipRecord:
            continue
    return _folded(forge, host, repo_path, number, rows)
