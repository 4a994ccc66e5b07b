"""GitHub (github.com or GitHub Enterprise) through PyGithub.

The account listing is fetched with PyGithub's requester so that it can be made
conditional (If-None-Match): an account where nothing was pushed answers 304 and
costs no rate-limit budget. Commits come through PyGithub's PaginatedList with
``since``; only attributes present in the list answer are read, so no hidden
per-object request is ever made.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

import github
from github import Auth, Github, GithubException, GithubRetry
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester

from collectors.base import (
    TIMEOUT_SECONDS,
    USER_AGENT,
    AccessDenied,
    AccountNotFound,
    CollectorError,
    Listing,
    MalformedResponse,
    RateLimitExhausted,
    RequestStats,
    current_stats,
    parse_time,
)
from collectors.records import CommitRecord, RepoRecord
from collectors.registry import Account

# Longest wait for a rate-limit reset before the account is stopped for this run.
DEFAULT_MAX_RATE_WAIT = 300.0


def _observe(response, *args, **kwargs):
    stats = current_stats()
    if stats is not None:
        stats.observe(response)
    return response


class _CountingHTTP(HTTPRequestsConnectionClass):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session.hooks["response"].append(_observe)


class _CountingHTTPS(HTTPSRequestsConnectionClass):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session.hooks["response"].append(_observe)


_injected = False


def _count_requests() -> None:
    global _injected
    if not _injected:
        Requester.injectConnectionClasses(_CountingHTTP, _CountingHTTPS)
        _injected = True


class GitHubCollector:
    def __init__(self, account: Account, max_rate_wait: float = DEFAULT_MAX_RATE_WAIT, seconds_between_requests: float | None = None):
        _count_requests()
        self.account = account
        self.stats = RequestStats()
        token = account.token()
        retry = GithubRetry(total=5, backoff_factor=0.5, max_rate_limit_wait=max_rate_wait)
        self.gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=account.url,
            per_page=100,
            timeout=TIMEOUT_SECONDS,
            retry=retry,
            user_agent=USER_AGENT,
            seconds_between_requests=seconds_between_requests,
            lazy=True,
        )

    def close(self) -> None:
        self.gh.close()

    # -- repositories -----------------------------------------------------

    def list_repos(self, etag: str | None, owner_kind: str | None = None) -> Listing:
        owner = self.account.owner
        # Newest push first: a push anywhere changes the first page, so a 304 on it
        # means nothing was pushed in the whole account.
        params = {"per_page": 100, "sort": "pushed", "direction": "desc"}
        headers = {"If-None-Match": etag} if etag else {}
        kinds = ["users", "orgs"] if owner_kind == "users" else ["orgs", "users"]
        for kind in kinds:
            scope = {"type": "public"} if kind == "orgs" else {"type": "owner"}
            status, resp_headers, body = self._get(f"/{kind}/{owner}/repos", {**params, **scope}, headers)
            if status != 404:
                break
        if status == 304:
            return Listing(True, [], etag, kind)
        self._raise_for(status, body, f"listing repositories of {owner}")
        new_etag = resp_headers.get("etag")
        repos: list[RepoRecord] = []
        while True:
            for item in _json_list(body, f"repositories of {owner}"):
                if item.get("private"):
                    continue
                if not self.account.wants(item.get("name", "")):
                    continue
                repos.append(self._repo_record(item))
            next_url = _next_link(resp_headers.get("link"))
            if not next_url:
                break
            status, resp_headers, body = self._get(next_url, None, {})
            self._raise_for(status, body, f"listing repositories of {owner}")
        return Listing(False, repos, new_etag, kind)

    def detail(self, repo: RepoRecord) -> RepoRecord:
        """The listing already carries every field GitHub has for a repository."""
        return repo

    @property
    def listing_has_license(self) -> bool:
        return True

    def _repo_record(self, item: dict) -> RepoRecord:
        try:
            license_info = item.get("license") or {}
            parent = item.get("parent") or {}
            return RepoRecord(
                forge="github",
                host=self.account.host,
                path=item["full_name"],
                entity_id=self.account.entity_id,
                account_owner=self.account.owner,
                name=item["name"],
                description=item.get("description"),
                html_url=item.get("html_url"),
                default_branch=item.get("default_branch"),
                license_spdx=license_info.get("spdx_id"),
                topics=tuple(item.get("topics") or ()),
                language=item.get("language"),
                archived=bool(item.get("archived")),
                is_fork=bool(item.get("fork")),
                fork_parent=parent.get("full_name"),
                stars=int(item.get("stargazers_count") or 0),
                forks_count=int(item.get("forks_count") or 0),
                open_issues=int(item.get("open_issues_count") or 0),
                created_at=parse_time(item.get("created_at")),
                pushed_at=parse_time(item.get("pushed_at")),
                updated_at=parse_time(item.get("updated_at")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"repository entry without {exc} in the listing of {self.account.owner}") from None

    # -- commits ----------------------------------------------------------

    def commits(self, repo: RepoRecord, since: datetime | None) -> Iterator[CommitRecord]:
        gh_repo = self.gh.get_repo(repo.path)  # lazy: the client is lazy, so no request
        kwargs: dict[str, Any] = {}
        if repo.default_branch:
            kwargs["sha"] = repo.default_branch
        if since is not None:
            kwargs["since"] = since.astimezone(timezone.utc)
        try:
            for c in gh_repo.get_commits(**kwargs):
                git = c.commit
                author, committer = git.author, git.committer
                yield CommitRecord(
                    forge="github",
                    host=self.account.host,
                    repo_path=repo.path,
                    sha=c.sha,
                    author_name=author.name if author else None,
                    author_email=author.email if author else None,
                    author_login=c.author.login if c.author else None,
                    authored_at=parse_time(author.date) if author else None,
                    committer_name=committer.name if committer else None,
                    committer_email=committer.email if committer else None,
                    committer_login=c.committer.login if c.committer else None,
                    committed_at=parse_time(committer.date) if committer else None,
                    message=git.message,
                )
        except GithubException as exc:
            if exc.status == 409:  # "Git Repository is empty."
                return
            raise self._error(exc, f"commits of {repo.path}") from None
        except github.RateLimitExceededException as exc:  # pragma: no cover - subclass of GithubException
            raise self._error(exc, f"commits of {repo.path}") from None

    # -- plumbing ---------------------------------------------------------

    def _get(self, url: str, params: dict | None, headers: dict) -> tuple[int, dict, Any]:
        try:
            status, resp_headers, text = self.gh.requester.requestJson("GET", url, params, headers)
        except GithubException as exc:
            raise self._error(exc, url) from None
        body: Any = None
        if status != 304 and text:
            try:
                body = json.loads(text)
            except ValueError:
                raise MalformedResponse(f"{self.account.label}: the forge answered {url} with malformed JSON (HTTP {status})") from None
        return status, {k.lower(): v for k, v in resp_headers.items()}, body

    def _raise_for(self, status: int, body: Any, what: str) -> None:
        if status < 400:
            return
        message = body.get("message", "") if isinstance(body, dict) else ""
        label = self.account.label
        if status == 404:
            raise AccountNotFound(f"{label}: {what}: not found (HTTP 404)")
        if status in (403, 429) and "rate limit" in message.lower():
            raise RateLimitExhausted(f"{label}: {what}: rate limit exhausted", self.stats.rate_reset)
        if status in (401, 403):
            raise AccessDenied(f"{label}: {what}: access denied (HTTP {status}: {message[:200]})")
        raise CollectorError(f"{label}: {what}: HTTP {status} {message[:200]}")

    def _error(self, exc: GithubException, what: str) -> CollectorError:
        label = self.account.label
        if isinstance(exc, github.RateLimitExceededException) or "rate limit" in str(exc).lower():
            return RateLimitExhausted(f"{label}: {what}: rate limit exhausted", self.stats.rate_reset)
        status = getattr(exc, "status", None)
        message = exc.data.get("message", "") if isinstance(getattr(exc, "data", None), dict) else ""
        if status == 404:
            return AccountNotFound(f"{label}: {what}: not found (HTTP 404)")
        if status in (401, 403):
            return AccessDenied(f"{label}: {what}: access denied (HTTP {status}: {message[:200]})")
        if status is None or status == 200:
            return MalformedResponse(f"{label}: {what}: unreadable answer from the forge")
        return CollectorError(f"{label}: {what}: HTTP {status} {message[:200]}")


def _json_list(body: Any, what: str) -> list[dict]:
    if not isinstance(body, list) or not all(isinstance(x, dict) for x in body):
        raise MalformedResponse(f"expected a JSON list for {what}, got {type(body).__name__}")
    return body


def _next_link(link_header: str | None) -> str | None:
    if not link_header:
        return None
    for part in link_header.split(","):
        section = part.split(";")
        if len(section) < 2:
            continue
        url = section[0].strip()
        if any(s.strip() == 'rel="next"' for s in section[1:]) and url.startswith("<") and url.endswith(">"):
            return url[1:-1]
    return None
