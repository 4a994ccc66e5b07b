"""GitLab, openCoDE and any self-managed GitLab, through python-gitlab.

The group listing (with subgroups at any depth, most recent activity first) is
asked for conditionally; on a 304 nothing in the group moved. python-gitlab has
no timeout by default, so one is always set, and its own transient-error retry
and rate-limit handling are switched on.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError, GitlabHttpError

from collectors.contract import (
    USER_AGENT,
    Conditional,
    Listing,
    RequestStats,
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
from collectors.reviews import ReviewRecord, gitlab_approvals
from collectors.secrets import scrub
from collectors.sessions import forge_session


class _PatientGitlab(gitlab.Gitlab):
    """python-gitlab with every request under the account's Patience.

    python-gitlab's own retry sleeps until RateLimit-Reset on any 5xx that carries
    it (GitLab sends it on every answer: up to an hour) and retries refused
    connections; so it is asked for no retries, and this loop does them instead.
    Every request of the client (pages of lists included) passes through here.
    """

    patience: Patience
    last_answer: threading.local

    def http_request(self, verb: str, path: str, *args: Any, **kwargs: Any) -> requests.Response:
        for name in ("obey_rate_limit", "retry_transient_errors", "max_retries"):
            kwargs.pop(name, None)
        attempt = 0
        while True:
            self.patience.before_request()
            try:
                return super().http_request(
                    verb, path, *args, obey_rate_limit=False, retry_transient_errors=False, max_retries=0, **kwargs
                )
            except GitlabHttpError as exc:
                answer = getattr(self.last_answer, "response", None)
                headers = answer.headers if answer is not None else {}
                if not self.patience.after_answer(exc.response_code or 0, headers, attempt):
                    raise
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                self.patience.after_failure(exc, attempt)
            attempt += 1


# The group listing: subgroups at any depth, most recent activity first, so a 304 on its first
# page means nothing in the group moved.
PROJECTS_QUERY = {
    "include_subgroups": "true",
    "order_by": "last_activity_at",
    "sort": "desc",
    "per_page": 100,
    "visibility": "public",
}


class GitLabCollector:
    def __init__(self, account: Account, options: CollectorOptions | None = None):
        self.account = account
        self.host = account.host  # in every record's key: parsed from the URL once, not per record
        self.options = options or CollectorOptions()
        self.stats = RequestStats()
        self.stats.patience = Patience(account, self.options)
        self.warnings: list[str] = []
        self._approvals_refused = False  # a 401 on approvals: not asked for again in this run
        token = account.token()
        self._tokens = [token] if token else []
        self._last = threading.local()
        session = forge_session(self.stats.hook, self._remember)
        self.gl = _PatientGitlab(
            url=account.url,
            private_token=token,
            timeout=self.options.timeout,
            retry_transient_errors=False,  # see _PatientGitlab
            per_page=100,
            user_agent=USER_AGENT,
            session=session,
        )
        self.gl.patience = self.stats.patience
        self.gl.last_answer = self._last

    def close(self) -> None:
        self.gl.session.close()

    def _remember(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        # python-gitlab's errors carry no headers; the retry loop reads them from here.
        self._last.response = response
        return response

    def _fields(self, record: Any, where: str) -> Fields:
        return Fields(record, self.warnings, f"{self.account.label}: {where}", self._scrubbed)

    def _scrubbed(self, text: str) -> str:
        return scrub(text, self._tokens)

    # -- repositories -----------------------------------------------------

    def projects_path(self) -> str:
        return f"/groups/{quote(self.account.owner, safe='')}/projects"

    def list_repos(self, etag: str | None, owner_kind: str | None = None) -> Listing:
        answer = self._conditional(self.projects_path(), PROJECTS_QUERY, etag, "listing projects", listing=True)
        if answer.not_modified:
            return Listing(True, [], etag, "groups")
        repos = [r for x in answer.records if (r := self._repo_record(x)) is not None]
        repos = [r for r in repos if self.account.wants(r.name)]
        return Listing(False, repos, answer.etag, "groups")

    def detail(self, repo: RepoRecord) -> RepoRecord:
        """Group listings carry no licence; one project request with license=true does."""
        what = f"project {repo.path}"
        with self._calls(what):
            project = self.gl.projects.get(repo.path, license=True)
        f = self._fields(project.attributes, what)
        key = f.text("key", f.obj("license"))
        return replace(repo, license_spdx=_spdx_from_gitlab(key) if key else None)

    # Fields a listing entry lacks, which the warehouse keeps from the last detail.
    listing_lacks = ("license_spdx",)

    def _repo_record(self, item: Any) -> RepoRecord | None:
        try:
            f = self._fields(item, "listing projects: project")
            path = f.key("path_with_namespace")
            f.where = f"{self.account.label}: project {path}"
            forked = f.obj("forked_from_project")
            activity = f.time("last_activity_at")
            topics = f.seq("topics") or f.seq("tag_list")
            return RepoRecord(
                forge=self.account.forge,
                host=self.host,
                path=path,
                entity_id=self.account.entity_id,
                account_owner=self.account.owner,
                name=f.key("path"),
                description=f.text("description"),
                html_url=f.text("web_url"),
                default_branch=f.text("default_branch"),
                license_spdx=None,
                topics=tuple(str(t) for t in topics),
                language=f.text("repository_language"),
                archived=f.flag("archived"),
                is_fork=bool(forked),
                fork_parent=f.text("path_with_namespace", forked),
                # The warehouse keeps counts NOT NULL: an unreadable count is stored as 0.
                stars=f.int("star_count") or 0,
                forks_count=f.int("forks_count") or 0,
                open_issues=f.int("open_issues_count") or 0,
                created_at=f.time("created_at"),
                # GitLab has no pushed_at; last_activity_at moves with pushes and more.
                pushed_at=activity,
                updated_at=f.time("updated_at") or activity,
                issues_enabled=_issues_enabled(f.record),
            )
        except SkipRecord:
            return None

    # -- commits ----------------------------------------------------------

    def commits(self, repo: RepoRecord, since: datetime | None) -> Iterator[CommitRecord]:
        if not repo.default_branch:
            return  # an empty repository has no default branch and no commits
        query: dict[str, Any] = {"ref_name": repo.default_branch, "per_page": 100}
        if since is not None:
            query["since"] = _iso(since)
        for x in self._list(f"/projects/{_enc(repo.path)}/repository/commits", query, f"commits of {repo.path}"):
            try:
                f = self._fields(x, f"project {repo.path}: commit")
                sha = f.key("id")
                f.at(sha[:12])
                yield CommitRecord(
                    forge=self.account.forge,
                    host=self.host,
                    repo_path=repo.path,
                    sha=sha,
                    author_name=f.text("author_name"),
                    author_email=f.text("author_email"),
                    author_login=None,  # GitLab's commit list names no account
                    authored_at=f.time("authored_date"),
                    committer_name=f.text("committer_name"),
                    committer_email=f.text("committer_email"),
                    committer_login=None,
                    committed_at=f.time("committed_date"),
                    message=f.text("message"),
                )
            except SkipRecord:
                continue

    # -- issues, merge requests and notes -----------------------------------

    # A project's last_activity_at moves with issue, merge request and note activity
    # too, so an unchanged listing entry means no new items.
    items_follow_listing = True

    def items(self, repo: RepoRecord, since: datetime | None, etag: str | None) -> Conditional:
        def walk() -> Iterator[ItemRecord]:
            for kind, segment in (("issue", "issues"), ("change_request", "merge_requests")):
                query: dict[str, Any] = {"order_by": "updated_at", "sort": "asc", "per_page": 100, "scope": "all", "state": "all"}
                if since is not None:
                    query["updated_after"] = _iso(since)
                for x in self._list(f"/projects/{_enc(repo.path)}/{segment}", query, f"{segment.replace('_', ' ')} of {repo.path}"):
                    record = self._item(repo, kind, x)
                    if record is not None:
                        yield record

        return Conditional(False, walk(), None)

    def _item(self, repo: RepoRecord, kind: str, x: Any) -> ItemRecord | None:
        try:
            f = self._fields(x, f"project {repo.path}: {'issue' if kind == 'issue' else 'merge request'}")
            number = f.key("iid", int)
            f.at(f"#{number}" if kind == "issue" else f"!{number}")
            state = {"opened": "open", "closed": "closed", "merged": "merged", "locked": "closed"}.get(f.text("state") or "")
            if state is None:
                f.skip("state", x.get("state"))
            return ItemRecord(
                forge=self.account.forge, host=self.host, repo_path=repo.path, number=number,
                kind=kind, title=f.text("title"), state=state, author_login=f.text("username", f.obj("author")),
                created_at=f.time("created_at"), updated_at=f.time("updated_at"),
                closed_at=f.time("closed_at"), merged_at=f.time("merged_at"),
                labels=tuple(sorted(str(label) for label in f.seq("labels"))),
                comments_count=f.int("user_notes_count") or 0, draft=f.flag("draft") or f.flag("work_in_progress"),
            )
        except SkipRecord:
            return None

    def comments(self, repo: RepoRecord, since: datetime | None,
                 items: list[ItemRecord]) -> Iterator[CommentRecord | ReviewRecord]:
        """GitLab has no project-wide notes listing: ask per item, only for items with notes that changed;
        then the approvals of the merged merge requests among ``items`` (those new or updated), one request each."""
        for item in items:
            if item.comments_count == 0:
                continue
            segment = "issues" if item.kind == "issue" else "merge_requests"
            mark = "#" if item.kind == "issue" else "!"
            query = {"sort": "asc", "order_by": "created_at", "per_page": 100}
            path = f"/projects/{_enc(repo.path)}/{segment}/{item.number}/notes"
            for x in self._list(path, query, f"notes of {repo.path}{mark}{item.number}"):
                try:
                    f = self._fields(x, f"project {repo.path}: {mark}{item.number}: note")
                    note_id = f.key("id", int)
                    f.at(str(note_id))
                    yield CommentRecord(
                        forge=self.account.forge, host=self.host, repo_path=repo.path,
                        comment_id=note_id, item_kind=item.kind, item_number=item.number, kind="note",
                        author_login=f.text("username", f.obj("author")),
                        created_at=f.time("created_at"), updated_at=f.time("updated_at"),
                        system=f.flag("system"),
                    )
                except SkipRecord:
                    continue
        yield from self._approvals(repo, items)

    def _approvals(self, repo: RepoRecord, items: list[ItemRecord]) -> Iterator[ReviewRecord]:
        """Each merge request's approvals. A 404 leaves that merge request's unknown (nothing is
        yielded, what is stored stays); a 403 the rest of the project's, a 401 (the API asks for a
        token, which a registry may not give) the rest of the account's: not asked for again in this run."""
        refused = False
        for item in items:
            if item.kind != "change_request" or item.state != "merged" or refused or self._approvals_refused:
                continue  # only what was accepted is judged by its approvals (collectors.reviews)
            what = f"approvals of {repo.path}!{item.number}"
            with self._calls(what):
                try:
                    body = self.gl.http_get(f"/projects/{_enc(repo.path)}/merge_requests/{item.number}/approvals")
                except GitlabAuthenticationError:
                    self._approvals_refused = True
                    continue
                except GitlabHttpError as exc:
                    if exc.response_code not in (403, 404):
                        raise
                    refused = exc.response_code == 403
                    continue
            yield from gitlab_approvals(self.account.forge, self.host, repo.path, item.number, body, self._fields)

    # -- releases, forks, files, members ------------------------------------

    def releases(self, repo: RepoRecord, etag: str | None = None) -> Conditional:
        """Releases, asked for with the ETag of their last answer (a 304 when none was added or changed)."""
        answer = self._conditional(f"/projects/{_enc(repo.path)}/releases", {"per_page": 100}, etag,
                                   f"releases of {repo.path}", whole=True)
        if answer.not_modified:
            return answer
        return Conditional(False, (r for x in answer.records if (r := self._release(repo, x)) is not None), answer.etag)

    def _release(self, repo: RepoRecord, x: Any) -> ReleaseRecord | None:
        try:
            f = self._fields(x, f"project {repo.path}: release")
            if f.flag("upcoming_release") or not x.get("tag_name"):
                return None
            tag = f.key("tag_name")
            f.at(tag)
            return ReleaseRecord(
                forge=self.account.forge, host=self.host, repo_path=repo.path, tag=tag,
                name=f.text("name"), published_at=f.time("released_at") or f.time("created_at"),
                prerelease=False,  # GitLab has no pre-release flag
            )
        except SkipRecord:
            return None

    def forks(self, repo: RepoRecord, etag: str | None) -> Conditional:
        """Forks, asked for with the stored ETag of their first page (a 304 when none changed)."""
        answer = self._conditional(f"/projects/{_enc(repo.path)}/forks", {"per_page": 100}, etag, f"forks of {repo.path}",
                                   whole=True)
        if answer.not_modified:
            return answer
        return Conditional(False, (r for x in answer.records if (r := self._fork(repo, x)) is not None), answer.etag)

    def _fork(self, repo: RepoRecord, x: Any) -> ForkRecord | None:
        try:
            f = self._fields(x, f"project {repo.path}: fork")
            fork_path = f.key("path_with_namespace")
            f.at(fork_path)
            owner = f.text("full_path", f.obj("namespace")) or fork_path.rsplit("/", 1)[0]
            return ForkRecord(
                forge=self.account.forge, host=self.host, repo_path=repo.path, fork_path=fork_path,
                fork_owner=owner, created_at=f.time("created_at"), pushed_at=f.time("last_activity_at"),
            )
        except SkipRecord:
            return None

    def root_files(self, repo: RepoRecord, etag: str | None = None) -> Conditional:
        """The root's tree on the default branch, asked for with the ETag of its last answer.

        No record for a project without a default branch or tree. The tree is paginated: a root of
        more than 100 entries is asked for whole every time (see _conditional).
        """
        if not repo.default_branch:
            return Conditional(False, iter(()), None)
        query = {"ref": repo.default_branch, "per_page": 100}
        try:
            answer = self._conditional(f"/projects/{_enc(repo.path)}/repository/tree", query, etag,
                                       f"root of {repo.path}", whole=True)
            if answer.not_modified:
                return answer
            entries = [
                (str(x.get("name")), "dir" if x.get("type") == "tree" else "file", x.get("id"))
                for x in answer.records if isinstance(x, dict)
            ]
        except AccountNotFound:
            return Conditional(False, iter(()), None)  # no tree yet
        record = RootFilesRecord.from_listing(self.account.forge, self.host, repo.path, entries)
        return Conditional(False, iter([record]), answer.etag)

    def publiccode(self, repo: RepoRecord, blob_sha: str | None,
                   root_files: tuple[str, ...] | None = None) -> PubliccodeRecord:
        what = f"publiccode.yml of {repo.path}"
        with self._calls(what):
            body = self.gl.http_get(f"/projects/{_enc(repo.path)}/repository/files/publiccode.yml", query_data={"ref": repo.default_branch})
        if not isinstance(body, dict) or body.get("encoding") != "base64":
            raise MalformedResponse(f"{self.account.label}: {what} came without base64 content")
        try:
            data = base64.b64decode(body.get("content") or "")
        except (ValueError, TypeError):
            raise MalformedResponse(f"{self.account.label}: {what} is not valid base64") from None
        blob = body.get("blob_id") if isinstance(body.get("blob_id"), str) else None
        return publiccode_record(self.account.forge, self.host, repo.path, blob or blob_sha, data, root_files)

    def members(self, etag: str | None) -> Conditional:
        what = "listing members"
        try:
            answer = self._conditional(f"/groups/{_enc(self.account.owner)}/members", {"per_page": 100}, etag, what,
                                       whole=True)
        except AccessDenied:
            return Conditional(False, iter(()), None)  # members not public here: no affiliation by membership
        if answer.not_modified:
            return answer

        def walk() -> Iterator[MemberRecord]:
            for x in answer.records:
                try:
                    f = self._fields(x, f"{what}: member")
                    login = f.key("username")
                    name = f.text("name")
                except SkipRecord:
                    continue
                yield MemberRecord(self.account.forge, self.host, self.account.owner, login, name)

        return Conditional(False, walk(), answer.etag)

    # -- plumbing ---------------------------------------------------------

    @contextmanager
    def _calls(self, what: str, listing: bool = False) -> Iterator[None]:
        """Requests made inside fail as CollectorErrors that name the account and ``what``."""
        try:
            yield
        except CollectorError as exc:
            raise in_context(exc, self.account.label, what) from None
        except GitlabError as exc:
            raise self._error(exc, what, listing) from None
        except (requests.RequestException, ValueError) as exc:
            # e.g. a token that cannot go in a header: requests quotes the header in its message.
            raise CollectorError(f"{self.account.label}: {what}: the request failed ({self._cut(str(exc))})") from None

    def _list(self, path: str, query: dict | None, what: str) -> Iterator[Any]:
        with self._calls(what):
            yield from self.gl.http_list(path, query_data=query or {}, iterator=True)

    def _first_page(self, path: str, query: dict, etag: str | None, what: str,
                    listing: bool = False) -> tuple[requests.Response, list] | None:
        """A listing's first page asked for with ``etag``: None on a 304, else the answer and its entries."""
        headers = {"If-None-Match": etag} if etag else None
        with self._calls(what, listing):
            try:
                first = self.gl.http_request("get", path, query_data=query, extra_headers=headers)
            except GitlabHttpError as exc:
                if exc.response_code != 304:
                    raise
                return None
        try:
            rows = first.json()
        except ValueError:
            raise MalformedResponse(f"{self.account.label}: {what}: the forge answered with malformed JSON") from None
        if not isinstance(rows, list):
            raise MalformedResponse(f"{self.account.label}: {what}: expected a JSON list, got {type(rows).__name__}")
        return first, rows

    def _conditional(self, path: str, query: dict, etag: str | None, what: str, listing: bool = False,
                     whole: bool = False) -> Conditional:
        """A paginated listing whose first page is asked for with ``etag``: 304, or every page's entries.

        ``whole``: the ETag is kept only when the listing fits on its first page, since a 304 on that
        page says nothing of the others (an old release edited, a member added on page two). Without
        it the first page decides: only the group listing, newest activity first, where any change
        moves a project onto it.
        """
        page = self._first_page(path, query, etag, what, listing)
        if page is None:
            return Conditional(True, iter(()), etag)
        first, rows = page
        next_url = first.links.get("next", {}).get("url")

        def walk() -> Iterator[Any]:
            yield from rows
            if next_url:
                yield from self._list(next_url, None, what)

        return Conditional(False, walk(), None if whole and next_url else first.headers.get("ETag"))

    def _cut(self, text: str) -> str:
        """Forge text fit for a message: without this account's token, at most 200 characters."""
        return scrub(str(text), self._tokens)[:200]

    def _error(self, exc: GitlabError, what: str, listing: bool = False) -> CollectorError:
        label = self.account.label
        code = getattr(exc, "response_code", None)
        message = exc.error_message
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        message = self._cut(message if isinstance(message, str) else repr(message))
        if code == 404:
            return not_found(self.account, what, listing)
        if code == 429:
            return RateLimitExhausted(f"{label}: {what}: rate limit exhausted; the account resumes next run", self.stats.rate_reset)
        if isinstance(exc, GitlabAuthenticationError) or code in (401, 403):
            return access_denied(self.account, what, f"HTTP {code}: {message}")
        if code is None:
            return MalformedResponse(f"{label}: {what}: unreadable answer from the forge ({message})")
        return CollectorError(f"{label}: {what}: HTTP {code} {message}".rstrip())


def _enc(path: str) -> str:
    return quote(path, safe="")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# GitLab names licences by its own lower-case keys; these map to SPDX ids.
_GITLAB_LICENSE_KEYS = {
    "mit": "MIT",
    "apache-2.0": "Apache-2.0",
    "eupl-1.2": "EUPL-1.2",
    "eupl-1.1": "EUPL-1.1",
    "agpl-3.0": "AGPL-3.0",
    "agpl-3.0-only": "AGPL-3.0-only",
    "gpl-2.0": "GPL-2.0",
    "gpl-3.0": "GPL-3.0",
    "gpl-3.0-or-later": "GPL-3.0-or-later",
    "lgpl-2.1": "LGPL-2.1",
    "lgpl-3.0": "LGPL-3.0",
    "mpl-2.0": "MPL-2.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "unlicense": "Unlicense",
    "cc0-1.0": "CC0-1.0",
    "isc": "ISC",
}


def _spdx_from_gitlab(key: str) -> str:
    return _GITLAB_LICENSE_KEYS.get(key.lower(), key)


def _issues_enabled(project: dict) -> bool | None:
    """Anyone can open an issue: issues_access_level 'enabled' ('private' keeps them to members);
    older GitLabs send only issues_enabled; None when neither is there."""
    level = project.get("issues_access_level")
    if isinstance(level, str):
        return level == "enabled"
    flag = project.get("issues_enabled")
    return flag if isinstance(flag, bool) else None
