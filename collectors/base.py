"""The small contract every forge collector follows, and what they share.

A collector is built for one registry account. It lists the account's
repositories (conditionally, so an unchanged account costs one cheap request)
and streams each repository's records from a cursor. It never touches storage:
the warehouse hands it cursors and ETags and stores what it yields.

The shared parts live in their own modules and are named here too, so that a
collector or the warehouse imports the whole contract from one place:
``collectors.contract`` (the contract itself), ``collectors.errors`` (the
failures), ``collectors.patience`` (options, retries and waits),
``collectors.fields`` (lenient reading of forge values). The forge modules build
on those parts, never on this one, so :func:`make_collector` imports them freely.
"""

from __future__ import annotations

from collectors.contract import (
    USER_AGENT,
    Conditional,
    ForgeCollector,
    Listing,
    RequestStats,
    counting,
    current_stats,
    publiccode_record,
)
from collectors.errors import (
    AccessDenied,
    AccountNotFound,
    CollectorError,
    DeadlineExceeded,
    HostUnreachable,
    MalformedResponse,
    RateLimitExhausted,
    TransientFailure,
    access_denied,
    in_context,
    not_found,
)
from collectors.fields import Fields, SkipRecord, parse_time, shown
from collectors.github import GitHubCollector
from collectors.gitlab import GitLabCollector
from collectors.patience import (
    RETRYABLE_STATUSES,
    TIMEOUT_SECONDS,
    CollectorOptions,
    Patience,
    address_of,
    probe_host,
    rate_limit_wait,
    unreachable_reason,
)
from collectors.registry import Account

__all__ = [
    "RETRYABLE_STATUSES", "TIMEOUT_SECONDS", "USER_AGENT", "AccessDenied", "AccountNotFound", "CollectorError",
    "CollectorOptions", "Conditional", "DeadlineExceeded", "Fields", "ForgeCollector", "HostUnreachable", "Listing",
    "MalformedResponse", "Patience", "RateLimitExhausted", "RequestStats", "SkipRecord", "TransientFailure",
    "access_denied", "address_of", "counting", "current_stats", "in_context", "make_collector", "not_found",
    "parse_time", "probe_host", "publiccode_record", "rate_limit_wait", "shown", "unreachable_reason",
]


def make_collector(account: Account, options: CollectorOptions | None = None) -> ForgeCollector:
    """The collector for an account's forge."""
    options = options or CollectorOptions()
    if account.forge == "github":
        return GitHubCollector(account, options)
    return GitLabCollector(account, options)


