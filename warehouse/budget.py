"""What a collection will cost, before it starts: accounts, a lower bound on requests, budget per token.

Each account costs a few cheap requests (collectors.estimate.estimate: GitHub's free
``/rate_limit`` and the first page of every listing). From the listing sizes the
forge reports, and from what the warehouse already holds, a lower bound on the
requests of the coming collection follows:

- an account not collected yet is walked in full: per repository at least one page
  each of commits, releases, root files and (where the listing counts any) forks, the
  issue probe, and (GitHub) one page per 100 open issues and pull requests plus the two
  comment listings when any is open. Commit counts and closed items are listed nowhere without a request per
  repository, so a busy repository costs more than this: the figure is a lower bound. The
  reviews of each change request (one request each) and GitHub's ``.github/workflows``
  listing are left out for the same reason: neither count is listed.
- an account already collected costs about what an unchanged re-collection costs: the
  listing, the members and the per-repository probes (issues on GitHub, forks where
  counted), plus a walk of each repository on the listing's first page that was pushed
  since.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from collectors.base import (
    CollectorError,
    CollectorOptions,
    HostUnreachable,
    TransientFailure,
    make_collector,
)
from collectors.estimate import Estimate, estimate
from collectors.github import APP_INSTALLATION_ENV, app_configured
from collectors.records import RepoRecord
from collectors.registry import DEFAULT_TOKEN_ENV, Account, Registry
from warehouse import reader, state
from warehouse.plans import walk_marker, wants_forks

PAGE = 100


@dataclass(frozen=True)
class AccountCost:
    account: Account
    repos: int  # repositories the collection will see, at least
    repos_exact: bool
    requests: int  # requests the collection will make for this account, at least
    collected: bool  # the warehouse already holds this account: an incremental run
    estimate_requests: int  # what finding this out cost
    rate_limit: int | None = None
    rate_remaining: int | None = None
    error: str | None = None
    unreachable: bool = False  # the host refused, did not resolve or kept failing: its later accounts are skipped


@dataclass(frozen=True)
class TokenBudget:
    variable: str
    host: str
    accounts: int
    requests: int  # the accounts' lower bounds, summed
    rate_limit: int | None
    rate_remaining: int | None

    @property
    def short(self) -> bool:
        return self.rate_remaining is not None and self.requests > self.rate_remaining


@dataclass(frozen=True)
class BudgetReport:
    accounts: tuple[AccountCost, ...]
    tokens: tuple[TokenBudget, ...]

    @property
    def requests(self) -> int:
        return sum(a.requests for a in self.accounts)

    @property
    def estimate_requests(self) -> int:
        return sum(a.estimate_requests for a in self.accounts)


def token_variable(account: Account) -> str:
    """Where the account's credential comes from: its token variable, or the GitHub App installation."""
    if account.forge == "github" and not account.token() and app_configured():
        return f"the GitHub App installation ({APP_INSTALLATION_ENV})"
    return account.token_env or DEFAULT_TOKEN_ENV[account.forge]


def repo_first_cost(forge: str, repo: RepoRecord, horizon: datetime | None) -> int:
    """The fewest requests a first walk of one listed repository makes."""
    item_pages = -(-repo.open_issues // PAGE) if horizon is None else min(1, repo.open_issues)
    if forge == "github":
        # fork detail, commits, releases, root files, the issue probe, forks where it counts any
        cost = (1 if repo.is_fork else 0) + 4 + int(wants_forks(repo))
        if repo.open_issues > 0:  # the probe finds an item: the listing and both comment listings follow
            cost += max(1, item_pages) + 2
        return cost
    # detail, releases, issues and merge requests, forks where it counts any; commits and root
    # files need a branch
    return 4 + int(wants_forks(repo)) + (2 if repo.default_branch else 0) + max(0, item_pages - 1)


# A repository past the first page, of which nothing but its existence is known.
UNSEEN_REPO_COST = 5


def first_cost(account: Account, found: Estimate, horizon: datetime | None) -> tuple[int, int]:
    """(requests, repositories) at least, for an account the warehouse does not hold."""
    filtered = bool(account.include or account.exclude)
    unseen = 0 if filtered else max(0, found.repos_total - PAGE)
    members = 1 if found.owner_kind != "users" else 0
    requests = found.listing_pages + members + unseen * UNSEEN_REPO_COST
    requests += sum(repo_first_cost(account.forge, r, horizon) for r in found.first_page)
    return requests, len(found.first_page) + unseen


def incremental_cost(account: Account, found: Estimate, stored: list[state.StoredRepo],
                     horizon: datetime | None) -> tuple[int, int]:
    """(requests, repositories) about, for an account collected before: probes plus walks of what moved."""
    known = {s.repo.path: s for s in stored}
    moved = [r for r in found.first_page if r.path not in known or known[r.path].walk_marker != walk_marker(r)]
    members = 1 if found.owner_kind != "users" else 0
    requests = (found.listing_pages if moved else 1) + members
    items_probe = account.forge == "github"
    for s in stored:
        requests += int(wants_forks(s.repo))
        requests += int(items_probe and not (s.repo.archived and s.items_cursor))
    for repo in moved:
        if repo.path in known:  # a new push: commits since the cursor, releases, root files
            requests += 3 + (1 if account.forge == "gitlab" or repo.is_fork else 0)
        else:
            requests += repo_first_cost(account.forge, repo, horizon)
    return requests, len(stored) if found.not_modified else max(len(stored), len(found.first_page))


def estimate_collection(
    registry: Registry,
    db_path: str | os.PathLike[str],
    since: datetime | None = None,
    options: CollectorOptions | None = None,
    collector_factory: Callable = make_collector,
) -> BudgetReport:
    """Estimate every account of the registry; reads the published warehouse, never writes it."""
    horizon = since or registry.since
    con = reader.open_readonly(db_path) if Path(db_path).is_file() else None
    costs: list[AccountCost] = []
    unreachable: dict[str, str] = {}  # host -> why: its other accounts are not asked (the run says why)
    try:
        for account in registry.accounts:
            if account.host in unreachable:
                costs.append(AccountCost(account, 0, False, 0, False, 0, error=f"{account.label}: {unreachable[account.host]}"))
                continue
            cost = _account_cost(account, con, horizon, options, collector_factory)
            if cost.unreachable:
                unreachable[account.host] = f"not asked: {account.host} did not answer for {cost.account.label}"
            costs.append(cost)
    finally:
        if con is not None:
            con.close()
    return BudgetReport(tuple(costs), _tokens(costs))


def _account_cost(account, con, horizon, options, collector_factory) -> AccountCost:
    listing = state.get_cursor(con, account.forge, account.host, account.owner, "repos") if con else None
    stored = [s for _, s in state.stored_repos(con, account.forge, account.host, account.owner)] if con else []
    collector = collector_factory(account, options)
    try:
        found = estimate(collector, listing.marker if listing else None, listing.etag if listing else None)
    except CollectorError as exc:
        return AccountCost(account, 0, False, 0, listing is not None, collector.stats.requests,
                           collector.stats.rate_limit, collector.stats.rate_remaining, str(exc),
                           unreachable=isinstance(exc, HostUnreachable | TransientFailure))
    finally:
        collector.close()
    if listing is not None:
        requests, repos = incremental_cost(account, found, stored, horizon)
    else:
        requests, repos = first_cost(account, found, horizon)
    return AccountCost(account, repos, found.repos_exact, requests, listing is not None, found.requests,
                       found.rate_limit, found.rate_remaining)


def _tokens(costs: list[AccountCost]) -> tuple[TokenBudget, ...]:
    groups: dict[tuple[str, str], list[AccountCost]] = {}
    for cost in costs:
        groups.setdefault((token_variable(cost.account), cost.account.host), []).append(cost)
    budgets = []
    for (variable, host), group in sorted(groups.items()):
        readings = [c for c in group if c.rate_remaining is not None]
        # The last reading is the newest: each estimate spends a little of the same budget.
        last = readings[-1] if readings else None
        budgets.append(TokenBudget(variable, host, len(group), sum(c.requests for c in group),
                                   last.rate_limit if last else None, last.rate_remaining if last else None))
    return tuple(budgets)


def render(report: BudgetReport) -> list[str]:
    """The cost summary as lines of text: per token, then accounts that could not be estimated."""
    first = sum(1 for a in report.accounts if not a.collected and a.error is None)
    again = sum(1 for a in report.accounts if a.collected and a.error is None)
    repos = sum(a.repos for a in report.accounts)
    lines = [
        (f"budget: {len(report.accounts)} accounts ({first} first collections, {again} incremental), "
         f"at least {repos} repositories, at least {report.requests} requests "
         f"(estimated with {report.estimate_requests} requests)"),
        "  a lower bound: commits, closed issues and comments beyond their first page are not counted",
    ]
    for token in report.tokens:
        if token.rate_remaining is None:
            left = "budget not reported"
        else:
            left = f"{token.rate_remaining} of {token.rate_limit} left" if token.rate_limit else f"{token.rate_remaining} left"
        warn = "; more than is left: the collection waits for the reset or resumes next run" if token.short else ""
        lines.append(f"  {token.variable} on {token.host}: {token.accounts} accounts, "
                     f"at least {token.requests} requests, {left}{warn}")
    for cost in report.accounts:
        if cost.error:
            lines.append(f"  not estimated: {cost.error}")
    return lines
