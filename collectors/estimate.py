"""What an account's next collection will cost, found out with a few cheap requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors.errors import MalformedResponse
from collectors.records import RepoRecord


@dataclass(frozen=True)
class Estimate:
    """What a few cheap requests tell about an account before collecting it.

    ``first_page`` holds the listing's first page (every field the forge lists, such as
    open issue and fork counts); ``repos_total`` is the count the forge reports for the
    whole listing, or a lower bound on it from the pagination (``repos_exact`` says which).
    """

    listing_pages: int  # pages the listing walk asks for (a user account's failed organisation probe included)
    repos_total: int
    repos_exact: bool
    first_page: tuple[RepoRecord, ...]
    owner_kind: str | None
    requests: int  # what the estimate itself cost
    not_modified: bool = False  # the stored listing ETag still holds: nothing was pushed in the account
    rate_limit: int | None = None
    rate_remaining: int | None = None
    rate_reset: datetime | None = None


def estimate(collector: Any, owner_kind: str | None = None, etag: str | None = None) -> Estimate:
    """A few cheap requests through ``collector``'s own plumbing (retries, timeouts, scrubbing apply).

    With the stored listing ``etag`` an unchanged account answers 304, which GitHub does not count.
    """
    if collector.account.forge == "github":
        return _estimate_github(collector, owner_kind, etag)
    return _estimate_gitlab(collector, etag)


def _unchanged(collector: Any, before: int, owner_kind: str | None) -> Estimate:
    stats = collector.stats
    return Estimate(1, 0, False, (), owner_kind, stats.requests - before, True,
                    stats.rate_limit, stats.rate_remaining, stats.rate_reset)


def _estimate_github(collector: Any, owner_kind: str | None, etag: str | None) -> Estimate:
    """``/rate_limit`` (free on GitHub) and the listing's first page, asked as the listing walk asks.

    The page count comes from the first page's ``last`` link; the page carries each
    repository's open issue and fork counts. Commit counts are listed nowhere without
    a request per repository.
    """
    stats = collector.stats
    before = stats.requests
    status, _, body = collector._get("/rate_limit", None, {}, "reading the rate limit")
    resources = body.get("resources") if status == 200 and isinstance(body, dict) else None
    core = resources.get("core") if isinstance(resources, dict) else None
    core = core if isinstance(core, dict) else {}  # GitHub Enterprise answers 404 when rate limiting is off
    account = collector.account
    what = f"estimating repositories of {account.owner}"
    status, headers, body, kind, pages = collector.listing_first_page(etag, owner_kind, what)
    if status == 304:
        return _unchanged(collector, before, kind)
    collector._raise_for(status, body, what, listing=True)
    if not isinstance(body, list):
        raise MalformedResponse(f"{account.label}: {what}: expected a JSON list, got {type(body).__name__}")
    last = _last_page(headers.get("link"))
    first_page = tuple(record for item in body if (record := collector.listed(item)) is not None)
    # The listing's answer is the newer reading; /rate_limit's body stands in where headers lack.
    remaining = stats.rate_remaining if stats.rate_remaining is not None else core.get("remaining")
    limit = stats.rate_limit if stats.rate_limit is not None else core.get("limit")
    return Estimate(
        listing_pages=pages - 1 + last,
        # Every page before the last is full and the last holds at least one.
        repos_total=len(body) if last == 1 else (last - 1) * 100 + 1,
        repos_exact=last == 1,
        first_page=first_page,
        owner_kind=kind,
        requests=stats.requests - before,
        rate_limit=limit if isinstance(limit, int) else None,
        rate_remaining=remaining if isinstance(remaining, int) else None,
        rate_reset=stats.rate_reset,
    )


def _estimate_gitlab(collector: Any, etag: str | None) -> Estimate:
    """The group listing's first page: the project count (X-Total) and the budget left (RateLimit-Remaining)."""
    stats = collector.stats
    before = stats.requests
    account = collector.account
    from collectors.gitlab import PROJECTS_QUERY

    page = collector._first_page(collector.projects_path(), PROJECTS_QUERY, etag, "estimating projects", listing=True)
    if page is None:
        return _unchanged(collector, before, "groups")
    first, rows = page
    reported = first.headers.get("X-Total", "")
    # GitLab leaves X-Total out for very large listings: then only the first page is known.
    total = int(reported) if reported.isdigit() else len(rows)
    records = [r for x in rows if (r := collector._repo_record(x)) is not None]
    return Estimate(
        listing_pages=max(1, -(-total // 100)),
        repos_total=total,
        repos_exact=reported.isdigit(),
        first_page=tuple(r for r in records if account.wants(r.name)),
        owner_kind="groups",
        requests=stats.requests - before,
        not_modified=False,
        rate_limit=stats.rate_limit,
        rate_remaining=stats.rate_remaining,
        rate_reset=stats.rate_reset,
    )


def _last_page(link_header: str | None) -> int:
    """The page number of a Link header's ``last`` link (1 when the listing has one page)."""
    for part in (link_header or "").split(","):
        section = part.split(";")
        if len(section) < 2 or not any(s.strip() == 'rel="last"' for s in section[1:]):
            continue
        page = parse_qs(urlsplit(section[0].strip().strip("<>")).query).get("page", [""])[0]
        if page.isdigit():
            return max(1, int(page))
    return 1
