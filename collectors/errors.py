"""Failures that stop one repository or account, each with a reason fit for the run log."""

from __future__ import annotations

import copy
from datetime import datetime

from collectors.registry import DEFAULT_TOKEN_ENV, Account


class CollectorError(Exception):
    """A failure that stops one repository or account, with a reason fit for the run log."""


class AccountNotFound(CollectorError):
    pass


class AccessDenied(CollectorError):
    pass


def access_denied(account: Account, what: str, detail: str) -> AccessDenied:
    """Access denied, saying which variable's token to check (never the token itself)."""
    variable = account.token_env or DEFAULT_TOKEN_ENV[account.forge]
    token = "the token in" if account.token() else "no token is set in"
    return AccessDenied(
        f"{account.label}: {what}: access denied ({detail}); {token} {variable}: "
        "set one with read access to public repositories"
    )


def not_found(account: Account, what: str, listing: bool = False) -> AccountNotFound:
    """A 404: on the account listing the registry entry is wrong; later, the repository moved or went."""
    if listing:
        return AccountNotFound(
            f"{account.label}: {what}: not found (HTTP 404); check the owner and url of this account in the registry"
        )
    return AccountNotFound(
        f"{account.label}: {what}: not found (HTTP 404); the repository or this part of it is gone "
        "(removed or renamed since the account was listed?)"
    )


class RateLimitExhausted(CollectorError):
    def __init__(self, message: str, reset_at: datetime | None = None):
        super().__init__(message)
        self.reset_at = reset_at


class MalformedResponse(CollectorError):
    pass


class TransientFailure(CollectorError):
    """Timeouts, cut connections or 5xx answers that outlasted every retry."""


class DeadlineExceeded(CollectorError):
    """The account used up its time for this run (CollectorOptions.account_deadline)."""


class HostUnreachable(CollectorError):
    """The forge's host refuses connections or has no address: every account on ``host`` would fail alike."""

    def __init__(self, message: str, host: str = ""):
        super().__init__(message)
        self.host = host


def in_context(exc: CollectorError, label: str, what: str) -> CollectorError:
    """The same failure with the request's place (repository and stream) after the account label.

    Failures raised below the collectors (in a retry loop that sees one request)
    carry a ``detail``; the collector, which knows what it asked for, places them.
    """
    detail = getattr(exc, "detail", None)
    if detail is None:
        return exc
    placed = copy.copy(exc)
    placed.args = (f"{label}: {what}: {detail}",)
    placed.detail = None
    return placed
