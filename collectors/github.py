"""GitHub (github.com or GitHub Enterprise) through PyGithub.

Every request goes through PyGithub's requester, so that listings can be made
conditional (If-None-Match): an account where nothing was pushed answers 304 and
costs no rate-limit budget. Answers are read as plain JSON, field by field (see
``Fields``): no PyGithub object is built, so no hidden per-object request is
ever made, and one malformed value costs that value, not the repository.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import github
import requests
from github import Auth, Github, GithubException
from github.Requester import (
    HTTPRequestsConnectionClass,
    HTTPSRequestsConnectionClass,
    Requester,
)
from requests.exceptions import ChunkedEncodingError

from collectors.contract import (
    USER_AGENT,
    Conditional,
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
    MalformedResponse,
    RateLimitExhausted,
    access_denied,
    in_context,
    not_found,
)
from collectors.fields import (
    Fields,
    SkipRecord,
)
from collectors.patience import (
    CollectorOptions,
    Patience,
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
from collectors.reviews import ReviewRecord, github_reviews
from collectors.secrets import scrub
from collectors.sessions import forge_session


def _observe(response, *args, **kwargs):
    stats = current_stats()
    if stats is not None:
        stats.observe(response)
    return response


class _Patient:
    """Every request PyGithub makes, through the account's Patience (retries, waits, deadline).

    PyGithub is given no retries of its own: GithubRetry (urllib3) sleeps any
    Retry-After a 5xx or 403 carries and retries refused connections, and cannot
    see a body cut in the middle. The account is found through the same
    thread-local as the request counter; the collector sets it around each request.
    """

    def getresponse(self):
        stats = current_stats()
        patience = stats.patience if stats is not None else None
        if patience is None:
            return super().getresponse()  # type: ignore[misc]
        attempt = 0
        while True:
            patience.before_request()
            try:
                response = super().getresponse()  # type: ignore[misc]
            except (requests.ConnectionError, requests.Timeout, ChunkedEncodingError) as exc:
                patience.after_failure(exc, attempt)
            else:
                if not patience.after_answer(response.status, response.headers, attempt):
                    return response
            attempt += 1


class _Pooled:
    """PyGithub's connection class on the account's one ``requests.Session``.

    Once its connection classes are swapped, PyGithub builds a connection object (and so a
    session) for every request and closes the last: a new TCP connection, against a real forge
    a TLS handshake, per request. The session the collector keeps, found through the same
    thread-local as the counter, holds the pool instead, and outlives these objects.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        stats = current_stats()
        shared = stats.session if stats is not None else None
        self._shared = shared is not None
        if shared is not None:
            self.session.close()  # type: ignore[has-type]
            self.session = shared
        else:
            self.session.hooks["response"].append(_observe)

    def close(self) -> None:
        if not self._shared:
            super().close()  # type: ignore[misc]


class _CountingHTTP(_Patient, _Pooled, HTTPRequestsConnectionClass):
    pass


class _CountingHTTPS(_Patient, _Pooled, HTTPSRequestsConnectionClass):
    pass


_injected = False


def _count_requests() -> None:
    global _injected
    if not _injected:
        Requester.injectConnectionClasses(_CountingHTTP, _CountingHTTPS)
        _injected = True


# A GitHub App installation: a higher rate limit than a personal token's, and no person's account.
APP_ID_ENV = "OSSDASH_GITHUB_APP_ID"
APP_KEY_FILE_ENV = "OSSDASH_GITHUB_APP_KEY_FILE"
APP_INSTALLATION_ENV = "OSSDASH_GITHUB_APP_INSTALLATION_ID"
APP_VARIABLES = (APP_ID_ENV, APP_KEY_FILE_ENV, APP_INSTALLATION_ENV)


class AppAuthProblem(CollectorError):
    """The GitHub App variables are set but unusable; the message names the variable, never the key."""


def app_configured() -> bool:
    return any(os.environ.get(name, "").strip() for name in APP_VARIABLES)


def app_auth_problems() -> list[str]:
    """One line per unusable GitHub App variable (nothing when none is set)."""
    try:
        app_installation_auth()
    except AppAuthProblem as exc:
        return [str(exc)]
    return []


def app_installation_auth() -> Auth.AppInstallationAuth | None:
    """PyGithub's installation auth from the environment, or None when no App variable is set.

    PyGithub exchanges the App's signed JWT for an installation token on the first
    request (POST /app/installations/{id}/access_tokens) and renews it when it expires.
    """
    values = {name: os.environ.get(name, "").strip() for name in APP_VARIABLES}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise AppAuthProblem(f"GitHub App authentication needs {', '.join(APP_VARIABLES)}; {', '.join(missing)} "
                             "is not set: set it, or unset the others to use a token")
    for name in (APP_ID_ENV, APP_INSTALLATION_ENV):
        if not values[name].isdigit():
            raise AppAuthProblem(f"{name} must be a number (the App's or installation's id as GitHub shows it)")
    path = values[APP_KEY_FILE_ENV]
    try:
        with open(path, encoding="ascii") as handle:
            key = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a text file"
        raise AppAuthProblem(f"{APP_KEY_FILE_ENV}: the App's private key file cannot be read ({reason}); "
                             "point it at the .pem file GitHub generated for the App") from None
    if "-----BEGIN" not in key or "PRIVATE KEY-----" not in key:
        raise AppAuthProblem(f"{APP_KEY_FILE_ENV}: the file holds no PEM private key; "
                             "point it at the .pem file GitHub generated for the App")
    app = Auth.AppAuth(int(values[APP_ID_ENV]), key)
    return Auth.AppInstallationAuth(app, int(values[APP_INSTALLATION_ENV]))


class GitHubCollector:
    def __init__(self, account: Account, options: CollectorOptions | None = None, seconds_between_requests: float | None = None):
        _count_requests()
        self.account = account
        self.host = account.host  # in every record's key: parsed from the URL once, not per record
        self.options = options or CollectorOptions()
        self.stats = RequestStats()
        self.stats.patience = Patience(account, self.options)
        self.stats.session = forge_session(_observe)  # counted; retries are _Patient's
        self.warnings: list[str] = []
        self._reviews_refused = False  # a 401 on reviews: not asked for again in this run
        token = account.token()
        self._tokens = [token] if token else []
        # A token set for the account wins; without one, the GitHub App installation if configured.
        auth = Auth.Token(token) if token else app_installation_auth()
        self.gh = Github(
            auth=auth,
            base_url=account.url,
            per_page=100,
            timeout=max(1, round(self.options.timeout)),  # PyGithub insists on whole seconds
            retry=0,  # every retry and wait is the account's Patience (see _Patient)
            user_agent=USER_AGENT,
            seconds_between_requests=seconds_between_requests,
            lazy=True,
        )

    def close(self) -> None:
        self.gh.close()
        self.stats.session.close()

    def _fields(self, record: Any, where: str) -> Fields:
        return Fields(record, self.warnings, f"{self.account.label}: {where}", self._scrubbed)

    def _scrubbed(self, text: str) -> str:
        return scrub(text, self._tokens)

    # -- repositories -----------------------------------------------------

    def listing_first_page(self, etag: str | None, owner_kind: str | None, what: str) -> tuple[int, dict, Any, str, int]:
        """The account listing's first page with ``etag``: (status, headers, body, owner kind, pages asked).

        Newest push first: a push anywhere changes the first page, so a 304 on it means
        nothing was pushed in the whole account. An organisation is tried before a user,
        unless the last run found a user.
        """
        owner = self.account.owner
        params = {"per_page": 100, "sort": "pushed", "direction": "desc"}
        headers = {"If-None-Match": etag} if etag else {}
        asked = 0
        for kind in ["users", "orgs"] if owner_kind == "users" else ["orgs", "users"]:
            scope = {"type": "public"} if kind == "orgs" else {"type": "owner"}
            status, resp_headers, body = self._get(f"/{kind}/{owner}/repos", {**params, **scope}, headers, what)
            asked += 1
            if status != 404:
                break
        return status, resp_headers, body, kind, asked

    def listed(self, item: Any) -> RepoRecord | None:
        """A listing entry as a record, or None when it is private, filtered out or unreadable."""
        if isinstance(item, dict) and (item.get("private") or not self.account.wants(str(item.get("name", "")))):
            return None
        return self._repo_record(item)

    def list_repos(self, etag: str | None, owner_kind: str | None = None) -> Listing:
        what = f"listing repositories of {self.account.owner}"
        status, resp_headers, body, kind, _ = self.listing_first_page(etag, owner_kind, what)
        if status == 304:
            return Listing(True, [], etag, kind)
        self._raise_for(status, body, what, listing=True)
        new_etag = resp_headers.get("etag")
        repos: list[RepoRecord] = []
        while True:
            repos.extend(r for item in _json_list(body, what, self.account.label) if (r := self.listed(item)) is not None)
            next_url = _next_link(resp_headers.get("link"))
            if not next_url:
                break
            status, resp_headers, body = self._get(next_url, None, {}, what)
            self._raise_for(status, body, what, listing=True)
        return Listing(False, repos, new_etag, kind)

    # Fields a listing entry lacks, which the warehouse keeps from the last detail.
    listing_lacks = ("fork_parent",)

    def detail(self, repo: RepoRecord) -> RepoRecord:
        """Listings name no fork parent; a fork's own page does (one request, forks only)."""
        if not repo.is_fork:
            return repo
        what = f"repository {repo.path}"
        status, _, body = self._get(f"/repos/{repo.path}", None, {}, what)
        self._raise_for(status, body, what)
        if not isinstance(body, dict):
            raise MalformedResponse(f"{self.account.label}: {what}: the answer is not a JSON object")
        parent = Fields(body, self.warnings, f"{self.account.label}: {what}", self._scrubbed).obj("parent")
        return replace(repo, fork_parent=parent.get("full_name") if isinstance(parent.get("full_name"), str) else None)

    def _repo_record(self, item: Any) -> RepoRecord | None:
        try:
            f = self._fields(item, f"listing of {self.account.owner}: repository")
            path = f.key("full_name")
            f.where = f"{self.account.label}: repository {path}"
            license_info = f.obj("license")
            parent = f.obj("parent")
            return RepoRecord(
                forge="github",
                host=self.host,
                path=path,
                entity_id=self.account.entity_id,
                account_owner=self.account.owner,
                name=f.key("name"),
                description=f.text("description"),
                html_url=f.text("html_url"),
                default_branch=f.text("default_branch"),
                license_spdx=f.text("spdx_id", license_info),
                topics=tuple(str(t) for t in f.seq("topics")),
                language=f.text("language"),
                archived=f.flag("archived"),
                is_fork=f.flag("fork"),
                fork_parent=f.text("full_name", parent),
                # The warehouse keeps counts NOT NULL: an unreadable count is stored as 0.
                stars=f.int("stargazers_count") or 0,
                forks_count=f.int("forks_count") or 0,
                open_issues=f.int("open_issues_count") or 0,
                created_at=f.time("created_at"),
                pushed_at=f.time("pushed_at"),
                updated_at=f.time("updated_at"),
                issues_enabled=f.flag("has_issues") if "has_issues" in f.record else None,
            )
        except SkipRecord:
            return None

    # -- commits ----------------------------------------------------------

    def commits(self, repo: RepoRecord, since: datetime | None) -> Iterator[CommitRecord]:
        """Commits on the default branch since the cursor, newest first (as the API lists them)."""
        what = f"commits of {repo.path}"
        params: dict[str, Any] = {"per_page": 100}
        if repo.default_branch:
            params["sha"] = repo.default_branch
        if since is not None:
            params["since"] = _iso(since)
        status, headers, body = self._get(f"/repos/{repo.path}/commits", params, {}, what)
        if status == 409:  # "Git Repository is empty."
            return
        self._raise_for(status, body, what)
        for x in self._continue(body, headers, what):
            record = self._commit(repo, x)
            if record is not None:
                yield record

    def _commit(self, repo: RepoRecord, x: Any) -> CommitRecord | None:
        try:
            f = self._fields(x, f"repository {repo.path}: commit")
            sha = f.key("sha")
            f.at(sha[:12])
            git = f.obj("commit")
            author, committer = f.obj("author", git), f.obj("committer", git)
            return CommitRecord(
                forge="github",
                host=self.host,
                repo_path=repo.path,
                sha=sha,
                author_name=f.text("name", author),
                author_email=f.text("email", author),
                author_login=f.text("login", f.obj("author")),
                authored_at=f.time("date", author),
                committer_name=f.text("name", committer),
                committer_email=f.text("email", committer),
                committer_login=f.text("login", f.obj("committer")),
                committed_at=f.time("date", committer),
                message=f.text("message", git),
            )
        except SkipRecord:
            return None

    # -- issues, pull requests and their comments ---------------------------

    items_follow_listing = False  # a comment or a new issue does not move pushed_at

    def items(self, repo: RepoRecord, since: datetime | None, etag: str | None) -> Conditional:
        """Issues and pull requests updated since the cursor, if any changed.

        A probe for the most recently updated item carries the stored ETag; it
        changes whenever any item or comment does, and answers 304 (free of
        budget) otherwise. Only then is the listing walked, ascending by update
        time from the cursor, so an interrupted walk resumes where it stopped.
        """
        what = f"issues of {repo.path}"
        probe = {"state": "all", "sort": "updated", "direction": "desc", "per_page": 1}
        status, headers, body = self._get(f"/repos/{repo.path}/issues", probe, {"If-None-Match": etag} if etag else {}, what)
        if status == 304:
            return Conditional(True, iter(()), etag)
        if status == 410:  # issues are switched off: its pull requests are still there
            return self._pull_requests(repo, since, etag)
        self._raise_for(status, body, what)
        new_etag = headers.get("etag")
        if not _json_list(body, what, self.account.label):
            return Conditional(False, iter(()), new_etag)
        params = {"state": "all", "sort": "updated", "direction": "asc", "per_page": 100}
        if since is not None:
            params["since"] = _iso(since)
        pages = self._pages(f"/repos/{repo.path}/issues", params, None, what)
        return Conditional(False, (r for x in pages.records if (r := self._item(repo, x)) is not None), new_etag)

    def _pull_requests(self, repo: RepoRecord, since: datetime | None, etag: str | None) -> Conditional:
        """The pull requests of a repository whose issues are switched off, probed like the
        issues. Their listing takes no ``since``: it is read newest update first, down to the
        cursor (the caller stores all of them, and the cursor, at once)."""
        what = f"pull requests of {repo.path}"
        probe = {"state": "all", "sort": "updated", "direction": "desc", "per_page": 1}
        status, headers, body = self._get(f"/repos/{repo.path}/pulls", probe, {"If-None-Match": etag} if etag else {}, what)
        if status == 304:
            return Conditional(True, iter(()), etag)
        self._raise_for(status, body, what)
        new_etag = headers.get("etag")
        if not _json_list(body, what, self.account.label):
            return Conditional(False, iter(()), new_etag)
        params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": 100}
        pages = self._pages(f"/repos/{repo.path}/pulls", params, None, what)

        def down_to_the_cursor() -> Iterator[ItemRecord]:
            for x in pages.records:
                record = self._item(repo, x, from_pulls=True)
                if record is None:
                    continue
                if since is not None and record.updated_at is not None and record.updated_at < since:
                    return
                yield record

        return Conditional(False, down_to_the_cursor(), new_etag)

    def _item(self, repo: RepoRecord, x: Any, from_pulls: bool = False) -> ItemRecord | None:
        """An entry of the issue listing, or (``from_pulls``) of the pull request listing, which
        has merged_at at its top and no comment count."""
        try:
            f = self._fields(x, f"repository {repo.path}: {'pull request' if from_pulls else 'issue'}")
            number = f.key("number", int)
            f.at(f"#{number}")
            pull = True if from_pulls else f.obj("pull_request")
            merged_at = f.time("merged_at") if from_pulls else (f.time("merged_at", pull) if pull else None)
            state = f.text("state")
            state = "merged" if merged_at else ("open" if state == "open" else "closed")
            return ItemRecord(
                forge="github", host=self.host, repo_path=repo.path, number=number,
                kind="change_request" if pull else "issue", title=f.text("title"), state=state,
                author_login=f.text("login", f.obj("user")), created_at=f.time("created_at"),
                updated_at=f.time("updated_at"), closed_at=f.time("closed_at"),
                merged_at=merged_at,
                labels=tuple(sorted(str(label.get("name")) for label in f.seq("labels") if isinstance(label, dict))),
                comments_count=0 if from_pulls else (f.int("comments") or 0), draft=f.flag("draft"),
            )
        except SkipRecord:
            return None

    def comments(self, repo: RepoRecord, since: datetime | None,
                 items: list[ItemRecord]) -> Iterator[CommentRecord | ReviewRecord]:
        """Repository-level comment listings: one walk for all issues, one for all review comments;
        then the reviews of the merged pull requests among ``items`` (those new or updated), one listing each."""
        params = {"sort": "updated", "direction": "asc", "per_page": 100}
        if since is not None:
            params["since"] = _iso(since)
        kinds = {n.number: n.kind for n in items}
        for path, kind, link in (("issues/comments", "comment", "issue_url"), ("pulls/comments", "review_comment", "pull_request_url")):
            # With issues switched off, GitHub may answer the issue comments' listing 410: none then.
            pages = self._pages(f"/repos/{repo.path}/{path}", params, None, f"{kind}s of {repo.path}",
                                gone_is_empty=path == "issues/comments")
            for x in pages.records:
                try:
                    f = self._fields(x, f"repository {repo.path}: {kind.replace('_', ' ')}")
                    comment_id = f.key("id", int)
                    f.at(str(comment_id))
                    url = f.key(link)
                    tail = url.rstrip("/").rsplit("/", 1)[-1]
                    if not tail.isdigit():
                        f.skip(link, url)
                    number = int(tail)
                    yield CommentRecord(
                        forge="github", host=self.host, repo_path=repo.path, comment_id=comment_id,
                        # GitHub numbers issues and pull requests together; an issue comment's
                        # item may be either, and the warehouse settles older ones from its items.
                        item_kind="change_request" if kind == "review_comment" else kinds.get(number, "issue"),
                        item_number=number, kind=kind, author_login=f.text("login", f.obj("user")),
                        created_at=f.time("created_at"), updated_at=f.time("updated_at"),
                    )
                except SkipRecord:
                    continue
        yield from self._reviews(repo, items)

    def _reviews(self, repo: RepoRecord, items: list[ItemRecord]) -> Iterator[ReviewRecord]:
        """Each pull request's reviews, whole. A 404 leaves that pull request's unknown (nothing is
        yielded, what is stored stays); a 403 the rest of the repository's, a 401 the rest of the
        account's: they are not asked for again in this run."""
        refused = False
        for item in items:
            if item.kind != "change_request" or item.state != "merged" or refused or self._reviews_refused:
                continue  # only what was accepted is judged by its reviews (collectors.reviews)
            what = f"reviews of {repo.path}#{item.number}"
            status, headers, body = self._get(f"/repos/{repo.path}/pulls/{item.number}/reviews", {"per_page": 100}, {}, what)
            if status in (401, 403, 404):
                try:
                    self._raise_for(status, body, what)  # a rate limit stays one
                except (AccountNotFound, AccessDenied):
                    refused = status == 403
                    self._reviews_refused = status == 401
                    continue
            self._raise_for(status, body, what)
            entries = list(self._continue(body, headers, what))
            yield from github_reviews(self.host, repo.path, item.number, entries, self._fields)

    # -- releases, forks, files, members ------------------------------------

    def releases(self, repo: RepoRecord, etag: str | None = None) -> Conditional:
        """Releases, asked for with the ETag of their last answer (a 304 when none was added or changed)."""
        pages = self._pages(f"/repos/{repo.path}/releases", {"per_page": 100}, etag, f"releases of {repo.path}")
        if pages.not_modified:
            return pages
        return Conditional(False, (r for x in pages.records if (r := self._release(repo, x)) is not None), pages.etag)

    def _release(self, repo: RepoRecord, x: Any) -> ReleaseRecord | None:
        try:
            f = self._fields(x, f"repository {repo.path}: release")
            if f.flag("draft") or not x.get("tag_name"):
                return None  # drafts are not public
            tag = f.key("tag_name")
            f.at(tag)
            return ReleaseRecord(
                forge="github", host=self.host, repo_path=repo.path, tag=tag,
                name=f.text("name"), published_at=f.time("published_at") or f.time("created_at"),
                prerelease=f.flag("prerelease"),
            )
        except SkipRecord:
            return None

    def forks(self, repo: RepoRecord, etag: str | None) -> Conditional:
        """Forks, asked for with the stored ETag of their first page (a 304 when none changed)."""
        pages = self._pages(f"/repos/{repo.path}/forks", {"sort": "newest", "per_page": 100}, etag, f"forks of {repo.path}")
        if pages.not_modified:
            return pages
        return Conditional(False, (f for x in pages.records if (f := self._fork(repo, x)) is not None), pages.etag)

    def _fork(self, repo: RepoRecord, x: Any) -> ForkRecord | None:
        try:
            f = self._fields(x, f"repository {repo.path}: fork")
            fork_path = f.key("full_name")
            f.at(fork_path)
            owner = f.text("login", f.obj("owner")) or fork_path.split("/", 1)[0]
            return ForkRecord(
                forge="github", host=self.host, repo_path=repo.path, fork_path=fork_path,
                fork_owner=owner, created_at=f.time("created_at"), pushed_at=f.time("pushed_at"),
            )
        except SkipRecord:
            return None

    def root_files(self, repo: RepoRecord, etag: str | None = None) -> Conditional:
        """The root listing, asked for with the ETag of its last answer; no record for an empty repository.

        The contents API is not paginated (up to 1,000 entries), so its ETag covers the whole root.
        """
        what = f"root files of {repo.path}"
        status, headers, body = self._get(f"/repos/{repo.path}/contents/", None, {"If-None-Match": etag} if etag else {}, what)
        if status == 304:
            return Conditional(True, iter(()), etag)
        if status == 404:
            return Conditional(False, iter(()), None)  # an empty repository has no root
        self._raise_for(status, body, what)
        entries = [
            (str(x.get("name")), x.get("type"), x.get("sha"))
            for x in _json_list(body, what, self.account.label) if isinstance(x, dict)
        ]
        workflows = self._workflows(repo) if (".github", "dir") in {(n, k) for n, k, _ in entries} else None
        record = RootFilesRecord.from_listing("github", self.host, repo.path, entries, workflows)
        return Conditional(False, iter([record]), headers.get("etag"))

    def _workflows(self, repo: RepoRecord) -> tuple[str, ...]:
        """The file names in .github/workflows (GitHub Actions), none without that folder. Asked for
        only with a changed root, whose ETag changes with any change below it (docs/public-code.md)."""
        what = f"workflows of {repo.path}"
        status, _, body = self._get(f"/repos/{repo.path}/contents/.github/workflows", None, {}, what)
        if status == 404:
            return ()
        self._raise_for(status, body, what)
        return tuple(str(x.get("name")) for x in _json_list(body, what, self.account.label)
                     if isinstance(x, dict) and x.get("type") == "file")

    def publiccode(self, repo: RepoRecord, blob_sha: str | None,
                   root_files: tuple[str, ...] | None = None) -> PubliccodeRecord:
        what = f"publiccode.yml of {repo.path}"
        status, _, body = self._get(f"/repos/{repo.path}/contents/publiccode.yml", None, {}, what)
        self._raise_for(status, body, what)
        if not isinstance(body, dict) or body.get("encoding") != "base64":
            raise MalformedResponse(f"{self.account.label}: {what} came without base64 content")
        try:
            data = base64.b64decode(body.get("content") or "", validate=False)
        except (ValueError, TypeError):
            raise MalformedResponse(f"{self.account.label}: {what} is not valid base64") from None
        sha = body.get("sha") if isinstance(body.get("sha"), str) else None
        return publiccode_record("github", self.host, repo.path, sha or blob_sha, data, root_files)

    def members(self, etag: str | None) -> Conditional:
        owner = self.account.owner
        what = f"members of {owner}"
        status, headers, body = self._get(f"/orgs/{owner}/public_members", {"per_page": 100}, {"If-None-Match": etag} if etag else {}, what)
        if status == 404:
            return Conditional(False, iter(()), None)  # a user account has no members
        if status == 304:
            return Conditional(True, iter(()), etag)
        self._raise_for(status, body, what)

        def walk() -> Iterator[MemberRecord]:
            for x in self._continue(body, headers, what):
                try:
                    login = self._fields(x, f"{what}: member").key("login")
                except SkipRecord:
                    continue
                yield MemberRecord("github", self.host, owner, login)

        # As for any listing but the account's: an ETag only when the members fit on one page (see _pages).
        whole = _next_link(headers.get("link")) is None
        return Conditional(False, walk(), headers.get("etag") if whole else None)

    # -- plumbing ---------------------------------------------------------

    def _pages(self, url: str, params: dict, etag: str | None, what: str,
               gone_is_empty: bool = False) -> Conditional:
        """A paginated listing; the first page is asked for conditionally when an ETag is given.

        Its ETag is kept only when the listing fits on that page: a 304 on the first page says
        nothing of the others (an old fork pushed to, an old release edited). With
        ``gone_is_empty``, a 410 (a feature switched off) is an empty listing, not an error.
        """
        status, headers, body = self._get(url, params, {"If-None-Match": etag} if etag else {}, what)
        if status == 304:
            return Conditional(True, iter(()), etag)
        if status == 410 and gone_is_empty:
            return Conditional(False, iter(()), None)
        self._raise_for(status, body, what)
        whole = _next_link(headers.get("link")) is None
        return Conditional(False, self._continue(body, headers, what), headers.get("etag") if whole else None)

    def _continue(self, body: Any, headers: dict, what: str) -> Iterator[Any]:
        while True:
            yield from _json_list(body, what, self.account.label)
            next_url = _next_link(headers.get("link"))
            if not next_url:
                return
            status, headers, body = self._get(next_url, None, {}, what)
            self._raise_for(status, body, what)

    def _get(self, url: str, params: dict | None, headers: dict, what: str) -> tuple[int, dict, Any]:
        """One GET through PyGithub's requester, under this account's Patience; failures name ``what``."""
        label = self.account.label
        try:
            with counting(self.stats):
                status, resp_headers, text = self.gh.requester.requestJson("GET", url, params, headers)
        except CollectorError as exc:
            raise in_context(exc, label, what) from None
        except GithubException as exc:
            raise self._error(exc, what) from None
        except (requests.RequestException, ValueError) as exc:
            # e.g. a token that cannot go in a header: requests quotes the header in its message.
            raise CollectorError(f"{label}: {what}: the request failed ({self._cut(str(exc))})") from None
        body: Any = None
        if status != 304 and text:
            try:
                body = json.loads(text)
            except ValueError:
                raise MalformedResponse(f"{label}: {what}: the forge answered with malformed JSON (HTTP {status})") from None
        return status, {k.lower(): v for k, v in resp_headers.items()}, body

    def _cut(self, text: str) -> str:
        """Forge text fit for a message: without this account's token, at most 200 characters."""
        return scrub(str(text), self._tokens)[:200]

    def _raise_for(self, status: int, body: Any, what: str, listing: bool = False) -> None:
        if status < 400:
            return
        message = body.get("message", "") if isinstance(body, dict) else ""
        message = self._cut(message if isinstance(message, str) else repr(message))
        label = self.account.label
        if status == 404:
            raise not_found(self.account, what, listing)
        if status in (403, 429) and "rate limit" in message.lower():
            raise RateLimitExhausted(f"{label}: {what}: rate limit exhausted; the account resumes next run", self.stats.rate_reset)
        if status in (401, 403):
            raise access_denied(self.account, what, f"HTTP {status}: {message}")
        raise CollectorError(f"{label}: {what}: HTTP {status} {message}".rstrip())

    def _error(self, exc: GithubException, what: str) -> CollectorError:
        label = self.account.label
        if isinstance(exc, github.RateLimitExceededException) or "rate limit" in str(exc).lower():
            return RateLimitExhausted(f"{label}: {what}: rate limit exhausted; the account resumes next run", self.stats.rate_reset)
        status = getattr(exc, "status", None)
        message = exc.data.get("message", "") if isinstance(getattr(exc, "data", None), dict) else ""
        message = self._cut(message if isinstance(message, str) else repr(message))
        if status == 404:
            return not_found(self.account, what)
        if status in (401, 403):
            return access_denied(self.account, what, f"HTTP {status}: {message}")
        if status is None or status == 200:
            return MalformedResponse(f"{label}: {what}: unreadable answer from the forge")
        return CollectorError(f"{label}: {what}: HTTP {status} {message}".rstrip())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_list(body: Any, what: str, label: str) -> list:
    if not isinstance(body, list):
        raise MalformedResponse(f"{label}: {what}: expected a JSON list, got {type(body).__name__}")
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
