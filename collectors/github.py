"""GitHub (github.com or GitHub Enterprise) through PyGithub.

The account listing is fetched with PyGithub's requester so that it can be made
conditional (If-None-Match): an account where nothing was pushed answers 304 and
costs no rate-limit budget. Commits come through PyGithub's PaginatedList with
``since``; only attributes present in the list answer are read, so no hidden
per-object request is ever made.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import github
import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Requester import (
    HTTPRequestsConnectionClass,
    HTTPSRequestsConnectionClass,
    Requester,
)
from requests.exceptions import ChunkedEncodingError

from collectors.base import (
    USER_AGENT,
    CollectorError,
    CollectorOptions,
    Conditional,
    Listing,
    MalformedResponse,
    RateLimitExhausted,
    RequestStats,
    TransientFailure,
    access_denied,
    current_stats,
    not_found,
    parse_time,
    publiccode_record,
    rate_limit_wait,
)
from collectors.records import (
    CommentRecord,
    CommitRecord,
    ForkRecord,
    ItemRecord,
    MemberRecord,
    PubliccodeRecord,
    ReleaseRecord,
    RepoRecord,
    RootFilesRecord,
)
from collectors.registry import Account


def _observe(response, *args, **kwargs):
    stats = current_stats()
    if stats is not None:
        stats.observe(response)
    return response


class _Resilient:
    """Retries and rate-limit waits for every request PyGithub makes.

    GithubRetry (urllib3) retries 5xx answers and GitHub's 403 rate limits; it
    cannot see a connection cut in the middle of a body, and it would sleep on a
    429's Retry-After without bound. Both are handled here, with the account's
    options found through the same thread-local as the request counter.
    """

    def getresponse(self):
        stats = current_stats()
        options = getattr(stats, "options", None) or CollectorOptions()
        attempt = 0
        while True:
            try:
                response = super().getresponse()  # type: ignore[misc]
            except requests.exceptions.RetryError:
                # GithubRetry already spent its attempts on 5xx answers.
                raise TransientFailure(f"the forge kept failing (5xx) after {options.retries} retries") from None
            except (requests.ConnectionError, requests.Timeout, ChunkedEncodingError) as exc:
                if attempt >= options.retries:
                    raise TransientFailure(f"{type(exc).__name__} after {attempt + 1} attempts") from None
                time.sleep(options.backoff_for(attempt))
                attempt += 1
                continue
            wait = rate_limit_wait(response.response)
            if wait is None:
                return response
            if wait > options.max_rate_wait:
                raise RateLimitExhausted(
                    f"rate limit: the forge asks to wait {wait:.0f}s, more than the {options.max_rate_wait:.0f}s allowed",
                    datetime.fromtimestamp(time.time() + wait, tz=UTC),
                )
            if attempt >= options.retries:
                return response
            time.sleep(wait)
            attempt += 1


class _BoundedRetry(GithubRetry):
    """GithubRetry sleeps whatever Retry-After asks, even past max_rate_limit_wait: bound it."""

    def sleep_for_retry(self, response=None) -> bool:
        retry_after = self.get_retry_after(response) if response is not None else None
        if retry_after is not None and self.max_rate_limit_wait is not None and retry_after > self.max_rate_limit_wait:
            raise RateLimitExhausted(
                f"rate limit: the forge asks to wait {retry_after:.0f}s, more than the {self.max_rate_limit_wait:.0f}s allowed",
                datetime.fromtimestamp(time.time() + retry_after, tz=UTC),
            )
        return super().sleep_for_retry(response)


class _CountingHTTP(_Resilient, HTTPRequestsConnectionClass):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session.hooks["response"].append(_observe)


class _CountingHTTPS(_Resilient, HTTPSRequestsConnectionClass):
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
    def __init__(self, account: Account, options: CollectorOptions | None = None, seconds_between_requests: float | None = None):
        _count_requests()
        self.account = account
        self.options = options or CollectorOptions()
        self.stats = RequestStats()
        self.stats.options = self.options
        token = account.token()
        retry = _BoundedRetry(
            total=self.options.retries,
            backoff_factor=self.options.backoff,
            max_rate_limit_wait=self.options.max_rate_wait,
            secondary_rate_wait=min(60.0, self.options.max_rate_wait),
        )
        self.gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=account.url,
            per_page=100,
            timeout=max(1, round(self.options.timeout)),  # PyGithub insists on whole seconds
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

    # Fields a listing entry lacks, which the warehouse keeps from the last detail.
    listing_lacks = ("fork_parent",)

    def detail(self, repo: RepoRecord) -> RepoRecord:
        """Listings name no fork parent; a fork's own page does (one request, forks only)."""
        if not repo.is_fork:
            return repo
        status, _, body = self._get(f"/repos/{repo.path}", None, {})
        self._raise_for(status, body, f"repository {repo.path}")
        parent = body.get("parent") if isinstance(body, dict) else None
        return replace(repo, fork_parent=parent.get("full_name") if isinstance(parent, dict) else None)

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
            kwargs["since"] = since.astimezone(UTC)
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
        except (ValueError, KeyError, TypeError, AttributeError):
            # PyGithub passes on unreadable JSON, or a page that is no list, as these.
            raise MalformedResponse(f"{self.account.label}: commits of {repo.path}: unreadable answer from the forge") from None

    # -- issues, pull requests and their comments ---------------------------

    items_follow_listing = False  # a comment or a new issue does not move pushed_at

    def items(self, repo: RepoRecord, since: datetime | None, etag: str | None) -> Conditional:
        """Issues and pull requests updated since the cursor, if any changed.

        A probe for the most recently updated item carries the stored ETag; it
        changes whenever any item or comment does, and answers 304 (free of
        budget) otherwise. Only then is the listing walked, ascending by update
        time from the cursor, so an interrupted walk resumes where it stopped.
        """
        probe = {"state": "all", "sort": "updated", "direction": "desc", "per_page": 1}
        status, headers, body = self._get(f"/repos/{repo.path}/issues", probe, {"If-None-Match": etag} if etag else {})
        if status == 304:
            return Conditional(True, iter(()), etag)
        if status == 410:
            return Conditional(False, iter(()), None)  # issues are switched off for this repository
        self._raise_for(status, body, f"issues of {repo.path}")
        new_etag = headers.get("etag")
        if not _json_list(body, f"issues of {repo.path}"):
            return Conditional(False, iter(()), new_etag)
        params = {"state": "all", "sort": "updated", "direction": "asc", "per_page": 100}
        if since is not None:
            params["since"] = _iso(since)
        pages = self._pages(f"/repos/{repo.path}/issues", params, None, f"issues of {repo.path}")
        return Conditional(False, (self._item(repo, x) for x in pages.records), new_etag)

    def _item(self, repo: RepoRecord, x: dict) -> ItemRecord:
        try:
            pull = x.get("pull_request")
            merged_at = parse_time(pull.get("merged_at")) if isinstance(pull, dict) else None
            state = "merged" if merged_at else ("open" if x["state"] == "open" else "closed")
            return ItemRecord(
                forge="github", host=self.account.host, repo_path=repo.path, number=int(x["number"]),
                kind="change_request" if pull else "issue", title=x.get("title"), state=state,
                author_login=(x.get("user") or {}).get("login"), created_at=parse_time(x.get("created_at")),
                updated_at=parse_time(x.get("updated_at")), closed_at=parse_time(x.get("closed_at")),
                merged_at=merged_at,
                labels=tuple(sorted(str(label.get("name")) for label in x.get("labels") or () if isinstance(label, dict))),
                comments_count=int(x.get("comments") or 0), draft=bool(x.get("draft")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedResponse(f"{self.account.label}: issue entry in {repo.path} without {exc}") from None

    def comments(self, repo: RepoRecord, since: datetime | None, items: list[ItemRecord]) -> Iterator[CommentRecord]:
        """Repository-level comment listings: one walk for all issues, one for all review comments."""
        params = {"sort": "updated", "direction": "asc", "per_page": 100}
        if since is not None:
            params["since"] = _iso(since)
        kinds = {n.number: n.kind for n in items}
        for path, kind, link in (("issues/comments", "comment", "issue_url"), ("pulls/comments", "review_comment", "pull_request_url")):
            pages = self._pages(f"/repos/{repo.path}/{path}", params, None, f"{kind}s of {repo.path}")
            for x in pages.records:
                try:
                    number = int(str(x[link]).rstrip("/").rsplit("/", 1)[-1])
                    yield CommentRecord(
                        forge="github", host=self.account.host, repo_path=repo.path, comment_id=int(x["id"]),
                        # GitHub numbers issues and pull requests together; an issue comment's
                        # item may be either, and the warehouse settles older ones from its items.
                        item_kind="change_request" if kind == "review_comment" else kinds.get(number, "issue"),
                        item_number=number, kind=kind, author_login=(x.get("user") or {}).get("login"),
                        created_at=parse_time(x.get("created_at")), updated_at=parse_time(x.get("updated_at")),
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    raise MalformedResponse(f"{self.account.label}: comment entry in {repo.path} without {exc}") from None

    # -- releases, forks, files, members ------------------------------------

    def releases(self, repo: RepoRecord) -> Iterator[ReleaseRecord]:
        pages = self._pages(f"/repos/{repo.path}/releases", {"per_page": 100}, None, f"releases of {repo.path}")
        for x in pages.records:
            if x.get("draft") or not x.get("tag_name"):
                continue  # drafts are not public
            yield ReleaseRecord(
                forge="github", host=self.account.host, repo_path=repo.path, tag=str(x["tag_name"]),
                name=x.get("name"), published_at=parse_time(x.get("published_at") or x.get("created_at")),
                prerelease=bool(x.get("prerelease")),
            )

    def forks(self, repo: RepoRecord, etag: str | None) -> Conditional:
        """Forks, asked for with the stored ETag of their first page (a 304 when none changed)."""
        pages = self._pages(f"/repos/{repo.path}/forks", {"sort": "newest", "per_page": 100}, etag, f"forks of {repo.path}")
        if pages.not_modified:
            return pages
        return Conditional(False, (f for x in pages.records if (f := self._fork(repo, x)) is not None), pages.etag)

    def _fork(self, repo: RepoRecord, x: dict) -> ForkRecord | None:
        try:
            return ForkRecord(
                forge="github", host=self.account.host, repo_path=repo.path, fork_path=x["full_name"],
                fork_owner=x["owner"]["login"], created_at=parse_time(x.get("created_at")),
                pushed_at=parse_time(x.get("pushed_at")),
            )
        except (KeyError, TypeError) as exc:
            raise MalformedResponse(f"{self.account.label}: fork entry of {repo.path} without {exc}") from None

    def root_files(self, repo: RepoRecord) -> RootFilesRecord | None:
        status, _, body = self._get(f"/repos/{repo.path}/contents/", None, {})
        if status == 404:
            return None  # an empty repository has no root
        self._raise_for(status, body, f"root files of {repo.path}")
        entries = [(str(x.get("name")), x.get("type"), x.get("sha")) for x in _json_list(body, f"root of {repo.path}")]
        return RootFilesRecord.from_listing("github", self.account.host, repo.path, entries)

    def publiccode(self, repo: RepoRecord, blob_sha: str | None) -> PubliccodeRecord:
        status, _, body = self._get(f"/repos/{repo.path}/contents/publiccode.yml", None, {})
        self._raise_for(status, body, f"publiccode.yml of {repo.path}")
        if not isinstance(body, dict) or body.get("encoding") != "base64":
            raise MalformedResponse(f"{self.account.label}: publiccode.yml of {repo.path} came without base64 content")
        try:
            data = base64.b64decode(body.get("content") or "", validate=False)
        except (ValueError, TypeError):
            raise MalformedResponse(f"{self.account.label}: publiccode.yml of {repo.path} is not valid base64") from None
        return publiccode_record("github", self.account.host, repo.path, body.get("sha") or blob_sha, data)

    def members(self, etag: str | None) -> Conditional:
        owner = self.account.owner
        status, headers, body = self._get(f"/orgs/{owner}/public_members", {"per_page": 100}, {"If-None-Match": etag} if etag else {})
        if status == 404:
            return Conditional(False, iter(()), None)  # a user account has no members
        if status == 304:
            return Conditional(True, iter(()), etag)
        self._raise_for(status, body, f"members of {owner}")
        pages = self._continue(body, headers, f"members of {owner}")
        records = (MemberRecord("github", self.account.host, owner, str(x["login"])) for x in pages if x.get("login"))
        return Conditional(False, records, headers.get("etag"))

    # -- plumbing ---------------------------------------------------------

    def _pages(self, url: str, params: dict, etag: str | None, what: str) -> Conditional:
        """A paginated listing; the first page is asked for conditionally when an ETag is given."""
        status, headers, body = self._get(url, params, {"If-None-Match": etag} if etag else {})
        if status == 304:
            return Conditional(True, iter(()), etag)
        self._raise_for(status, body, what)
        return Conditional(False, self._continue(body, headers, what), headers.get("etag"))

    def _continue(self, body: Any, headers: dict, what: str) -> Iterator[dict]:
        while True:
            yield from _json_list(body, what)
            next_url = _next_link(headers.get("link"))
            if not next_url:
                return
            status, headers, body = self._get(next_url, None, {})
            self._raise_for(status, body, what)

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
            raise not_found(self.account, what)
        if status in (403, 429) and "rate limit" in message.lower():
            raise RateLimitExhausted(f"{label}: {what}: rate limit exhausted", self.stats.rate_reset)
        if status in (401, 403):
            raise access_denied(self.account, what, f"HTTP {status}: {message[:200]}")
        raise CollectorError(f"{label}: {what}: HTTP {status} {message[:200]}")

    def _error(self, exc: GithubException, what: str) -> CollectorError:
        label = self.account.label
        if isinstance(exc, github.RateLimitExceededException) or "rate limit" in str(exc).lower():
            return RateLimitExhausted(f"{label}: {what}: rate limit exhausted", self.stats.rate_reset)
        status = getattr(exc, "status", None)
        message = exc.data.get("message", "") if isinstance(getattr(exc, "data", None), dict) else ""
        if status == 404:
            return not_found(self.account, what)
        if status in (401, 403):
            return access_denied(self.account, what, f"HTTP {status}: {message[:200]}")
        if status is None or status == 200:
            return MalformedResponse(f"{label}: {what}: unreadable answer from the forge")
        return CollectorError(f"{label}: {what}: HTTP {status} {message[:200]}")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
