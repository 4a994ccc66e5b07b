"""GitLab, openCoDE and any self-managed GitLab, through python-gitlab.

The group listing (with subgroups at any depth, most recent activity first) is
asked for conditionally; on a 304 nothing in the group moved. python-gitlab has
no timeout by default, so one is always set, and its own transient-error retry
and rate-limit handling are switched on.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError, GitlabHttpError

from collectors.base import (
    USER_AGENT,
    AccountNotFound,
    CollectorError,
    CollectorOptions,
    Conditional,
    Listing,
    MalformedResponse,
    RateLimitExhausted,
    RequestStats,
    TransientFailure,
    access_denied,
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


class GitLabCollector:
    def __init__(self, account: Account, options: CollectorOptions | None = None):
        self.account = account
        self.options = options or CollectorOptions()
        self.stats = RequestStats()
        # python-gitlab retries 5xx, timeouts, cut connections and 429 (sleeping
        # Retry-After) per request; the hook below bounds that sleep.
        self.retry = {"max_retries": self.options.retries, "obey_rate_limit": True}
        session = requests.Session()
        session.hooks["response"].append(self.stats.hook)
        session.hooks["response"].append(self._bound_rate_wait)
        self.gl = gitlab.Gitlab(
            url=account.url,
            private_token=account.token(),
            timeout=self.options.timeout,
            retry_transient_errors=True,
            per_page=100,
            user_agent=USER_AGENT,
            session=session,
        )

    def close(self) -> None:
        self.gl.session.close()

    def _bound_rate_wait(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        wait = rate_limit_wait(response)
        if wait is not None and wait > self.options.max_rate_wait:
            # python-gitlab would sleep as long as the forge asks: stop this account instead.
            raise RateLimitExhausted(
                f"{self.account.label}: rate limit: the forge asks to wait {wait:.0f}s, "
                f"more than the {self.options.max_rate_wait:.0f}s allowed",
                datetime.fromtimestamp(time.time() + wait, tz=UTC),
            )
        return response

    # -- repositories -----------------------------------------------------

    def list_repos(self, etag: str | None, owner_kind: str | None = None) -> Listing:
        group = quote(self.account.owner, safe="")
        path = f"/groups/{group}/projects"
        query = {
            "include_subgroups": "true",
            "order_by": "last_activity_at",
            "sort": "desc",
            "per_page": 100,
            "visibility": "public",
        }
        headers = {"If-None-Match": etag} if etag else None
        try:
            first = self.gl.http_request("get", path, query_data=query, extra_headers=headers, **self.retry)
        except GitlabHttpError as exc:
            if exc.response_code == 304:
                return Listing(True, [], etag, "groups")
            raise self._error(exc, "listing projects") from None
        except GitlabError as exc:
            raise self._error(exc, "listing projects") from None
        except requests.RequestException as exc:
            raise self._transient(exc, "listing projects") from None
        repos = [self._repo_record(item) for item in _json_list(first, self.account.owner)]
        next_url = first.links.get("next", {}).get("url")
        if next_url:
            try:
                for item in self.gl.http_list(next_url, iterator=True, **self.retry):
                    repos.append(self._repo_record(item))
            except GitlabError as exc:
                raise self._error(exc, "listing projects") from None
            except requests.RequestException as exc:
                raise self._transient(exc, "listing projects") from None
        repos = [r for r in repos if self.account.wants(r.name)]
        return Listing(False, repos, first.headers.get("ETag"), "groups")

    def detail(self, repo: RepoRecord) -> RepoRecord:
        """Group listings carry no licence; one project request with license=true does."""
        try:
            project = self.gl.projects.get(repo.path, license=True, **self.retry)
        except GitlabError as exc:
            raise self._error(exc, f"project {repo.path}") from None
        except requests.RequestException as exc:
            raise self._transient(exc, f"project {repo.path}") from None
        info = project.attributes.get("license") or {}
        key = info.get("key")
        return replace(repo, license_spdx=_spdx_from_gitlab(key) if key else None)

    # Fields a listing entry lacks, which the warehouse keeps from the last detail.
    listing_lacks = ("license_spdx",)

    def _repo_record(self, item: Any) -> RepoRecord:
        if not isinstance(item, dict):
            raise MalformedResponse(f"{self.account.label}: project entry is not an object")
        try:
            forked = item.get("forked_from_project") or {}
            activity = parse_time(item.get("last_activity_at"))
            return RepoRecord(
                forge=self.account.forge,
                host=self.account.host,
                path=item["path_with_namespace"],
                entity_id=self.account.entity_id,
                account_owner=self.account.owner,
                name=item["path"],
                description=item.get("description"),
                html_url=item.get("web_url"),
                default_branch=item.get("default_branch"),
                license_spdx=None,
                topics=tuple(item.get("topics") or item.get("tag_list") or ()),
                language=item.get("repository_language"),
                archived=bool(item.get("archived")),
                is_fork=bool(forked),
                fork_parent=forked.get("path_with_namespace"),
                stars=int(item.get("star_count") or 0),
                forks_count=int(item.get("forks_count") or 0),
                open_issues=int(item.get("open_issues_count") or 0),
                created_at=parse_time(item.get("created_at")),
                # GitLab has no pushed_at; last_activity_at moves with pushes and more.
                pushed_at=activity,
                updated_at=parse_time(item.get("updated_at")) or activity,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"{self.account.label}: project entry without {exc}") from None

    # -- commits ----------------------------------------------------------

    def commits(self, repo: RepoRecord, since: datetime | None) -> Iterator[CommitRecord]:
        if not repo.default_branch:
            return  # an empty repository has no default branch and no commits
        path = f"/projects/{quote(repo.path, safe='')}/repository/commits"
        query: dict[str, Any] = {"ref_name": repo.default_branch, "per_page": 100}
        if since is not None:
            query["since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            for item in self.gl.http_list(path, query_data=query, iterator=True, **self.retry):
                if not isinstance(item, dict) or "id" not in item:
                    raise MalformedResponse(f"{self.account.label}: commit entry without id in {repo.path}")
                yield CommitRecord(
                    forge=self.account.forge,
                    host=self.account.host,
                    repo_path=repo.path,
                    sha=item["id"],
                    author_name=item.get("author_name"),
                    author_email=item.get("author_email"),
                    author_login=None,  # GitLab's commit list names no account
                    authored_at=parse_time(item.get("authored_date")),
                    committer_name=item.get("committer_name"),
                    committer_email=item.get("committer_email"),
                    committer_login=None,
                    committed_at=parse_time(item.get("committed_date")),
                    message=item.get("message"),
                )
        except GitlabError as exc:
            raise self._error(exc, f"commits of {repo.path}") from None
        except requests.RequestException as exc:
            raise self._transient(exc, f"commits of {repo.path}") from None

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
                for x in self._list(f"/projects/{_enc(repo.path)}/{segment}", query, f"{segment} of {repo.path}"):
                    yield self._item(repo, kind, x)

        return Conditional(False, walk(), None)

    def _item(self, repo: RepoRecord, kind: str, x: Any) -> ItemRecord:
        try:
            state = {"opened": "open", "closed": "closed", "merged": "merged", "locked": "closed"}[x["state"]]
            return ItemRecord(
                forge=self.account.forge, host=self.account.host, repo_path=repo.path, number=int(x["iid"]),
                kind=kind, title=x.get("title"), state=state, author_login=(x.get("author") or {}).get("username"),
                created_at=parse_time(x.get("created_at")), updated_at=parse_time(x.get("updated_at")),
                closed_at=parse_time(x.get("closed_at")), merged_at=parse_time(x.get("merged_at")),
                labels=tuple(sorted(str(label) for label in x.get("labels") or ())),
                comments_count=int(x.get("user_notes_count") or 0), draft=bool(x.get("draft") or x.get("work_in_progress")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedResponse(f"{self.account.label}: {kind} entry in {repo.path} without {exc}") from None

    def comments(self, repo: RepoRecord, since: datetime | None, items: list[ItemRecord]) -> Iterator[CommentRecord]:
        """GitLab has no project-wide notes listing: ask per item, only for items with notes that changed."""
        for item in items:
            if item.comments_count == 0:
                continue
            segment = "issues" if item.kind == "issue" else "merge_requests"
            query = {"sort": "asc", "order_by": "created_at", "per_page": 100}
            path = f"/projects/{_enc(repo.path)}/{segment}/{item.number}/notes"
            for x in self._list(path, query, f"notes of {repo.path}#{item.number}"):
                try:
                    yield CommentRecord(
                        forge=self.account.forge, host=self.account.host, repo_path=repo.path,
                        comment_id=int(x["id"]), item_kind=item.kind, item_number=item.number, kind="note",
                        author_login=(x.get("author") or {}).get("username"),
                        created_at=parse_time(x.get("created_at")), updated_at=parse_time(x.get("updated_at")),
                        system=bool(x.get("system")),
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    raise MalformedResponse(f"{self.account.label}: note in {repo.path} without {exc}") from None

    # -- releases, forks, files, members ------------------------------------

    def releases(self, repo: RepoRecord) -> Iterator[ReleaseRecord]:
        for x in self._list(f"/projects/{_enc(repo.path)}/releases", {"per_page": 100}, f"releases of {repo.path}"):
            if x.get("upcoming_release") or not x.get("tag_name"):
                continue
            yield ReleaseRecord(
                forge=self.account.forge, host=self.account.host, repo_path=repo.path, tag=str(x["tag_name"]),
                name=x.get("name"), published_at=parse_time(x.get("released_at") or x.get("created_at")),
                prerelease=False,  # GitLab has no pre-release flag
            )

    def forks(self, repo: RepoRecord, etag: str | None) -> Conditional:
        """Forks, asked for with the stored ETag of their first page (a 304 when none changed)."""
        what = f"forks of {repo.path}"
        answer = self._conditional(f"/projects/{_enc(repo.path)}/forks", {"per_page": 100}, etag, what)
        if answer.not_modified:
            return answer
        return Conditional(False, (self._fork(repo, x) for x in answer.records), answer.etag)

    def _fork(self, repo: RepoRecord, x: dict) -> ForkRecord:
        try:
            namespace = x.get("namespace") or {}
            return ForkRecord(
                forge=self.account.forge, host=self.account.host, repo_path=repo.path,
                fork_path=x["path_with_namespace"],
                fork_owner=namespace.get("full_path") or x["path_with_namespace"].rsplit("/", 1)[0],
                created_at=parse_time(x.get("created_at")), pushed_at=parse_time(x.get("last_activity_at")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise MalformedResponse(f"{self.account.label}: fork entry of {repo.path} without {exc}") from None

    def root_files(self, repo: RepoRecord) -> RootFilesRecord | None:
        if not repo.default_branch:
            return None
        query = {"ref": repo.default_branch, "per_page": 100}
        try:
            entries = [
                (str(x.get("name")), "dir" if x.get("type") == "tree" else "file", x.get("id"))
                for x in self._list(f"/projects/{_enc(repo.path)}/repository/tree", query, f"root of {repo.path}")
            ]
        except AccountNotFound:
            return None  # no tree yet
        return RootFilesRecord.from_listing(self.account.forge, self.account.host, repo.path, entries)

    def publiccode(self, repo: RepoRecord, blob_sha: str | None) -> PubliccodeRecord:
        path = f"/projects/{_enc(repo.path)}/repository/files/publiccode.yml"
        try:
            body = self.gl.http_get(path, query_data={"ref": repo.default_branch}, **self.retry)
        except GitlabError as exc:
            raise self._error(exc, f"publiccode.yml of {repo.path}") from None
        except requests.RequestException as exc:
            raise self._transient(exc, f"publiccode.yml of {repo.path}") from None
        if not isinstance(body, dict) or body.get("encoding") != "base64":
            raise MalformedResponse(f"{self.account.label}: publiccode.yml of {repo.path} came without base64 content")
        try:
            data = base64.b64decode(body.get("content") or "")
        except (ValueError, TypeError):
            raise MalformedResponse(f"{self.account.label}: publiccode.yml of {repo.path} is not valid base64") from None
        return publiccode_record(self.account.forge, self.account.host, repo.path, body.get("blob_id") or blob_sha, data)

    def members(self, etag: str | None) -> Conditional:
        path = f"/groups/{_enc(self.account.owner)}/members"
        headers = {"If-None-Match": etag} if etag else None
        try:
            first = self.gl.http_request("get", path, query_data={"per_page": 100}, extra_headers=headers, **self.retry)
        except GitlabHttpError as exc:
            if exc.response_code == 304:
                return Conditional(True, iter(()), etag)
            if exc.response_code in (401, 403):
                return Conditional(False, iter(()), None)  # members not public here: no affiliation by membership
            raise self._error(exc, "listing members") from None
        except GitlabError as exc:
            raise self._error(exc, "listing members") from None
        except requests.RequestException as exc:
            raise self._transient(exc, "listing members") from None

        def walk() -> Iterator[MemberRecord]:
            rows = _json_list(first, self.account.owner)
            next_url = first.links.get("next", {}).get("url")
            if next_url:
                rows = [*rows, *self._list(next_url, None, "members")]
            for x in rows:
                if isinstance(x, dict) and x.get("username"):
                    yield MemberRecord(self.account.forge, self.account.host, self.account.owner, str(x["username"]), x.get("name"))

        return Conditional(False, walk(), first.headers.get("ETag"))

    # -- plumbing ---------------------------------------------------------

    def _list(self, path: str, query: dict | None, what: str) -> Iterator[dict]:
        try:
            for x in self.gl.http_list(path, query_data=query or {}, iterator=True, **self.retry):
                if not isinstance(x, dict):
                    raise MalformedResponse(f"{self.account.label}: {what}: an entry is not an object")
                yield x
        except GitlabError as exc:
            raise self._error(exc, what) from None
        except requests.RequestException as exc:
            raise self._transient(exc, what) from None

    def _conditional(self, path: str, query: dict, etag: str | None, what: str) -> Conditional:
        """A paginated listing whose first page is asked for with ``etag``: 304, or every page's entries."""
        headers = {"If-None-Match": etag} if etag else None
        try:
            first = self.gl.http_request("get", path, query_data=query, extra_headers=headers, **self.retry)
        except GitlabHttpError as exc:
            if exc.response_code == 304:
                return Conditional(True, iter(()), etag)
            raise self._error(exc, what) from None
        except GitlabError as exc:
            raise self._error(exc, what) from None
        except requests.RequestException as exc:
            raise self._transient(exc, what) from None

        def walk() -> Iterator[dict]:
            rows = _json_list(first, self.account.owner)
            for x in rows:
                if not isinstance(x, dict):
                    raise MalformedResponse(f"{self.account.label}: {what}: an entry is not an object")
                yield x
            next_url = first.links.get("next", {}).get("url")
            if next_url:
                yield from self._list(next_url, None, what)

        return Conditional(False, walk(), first.headers.get("ETag"))

    def _transient(self, exc: Exception, what: str) -> TransientFailure:
        # python-gitlab has already retried timeouts and cut connections by now.
        return TransientFailure(f"{self.account.label}: {what}: {type(exc).__name__} after {self.options.retries} retries")

    def _error(self, exc: GitlabError, what: str) -> CollectorError:
        label = self.account.label
        code = getattr(exc, "response_code", None)
        if code == 404:
            return not_found(self.account, what)
        if code == 429:
            return RateLimitExhausted(f"{label}: {what}: rate limit exhausted", self.stats.rate_reset)
        if isinstance(exc, GitlabAuthenticationError) or code in (401, 403):
            return access_denied(self.account, what, f"HTTP {code}")
        if code is None:
            return MalformedResponse(f"{label}: {what}: unreadable answer from the forge ({exc.error_message})"[:300])
        return CollectorError(f"{label}: {what}: HTTP {code} {str(exc.error_message)[:200]}")


def _enc(path: str) -> str:
    return quote(path, safe="")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_list(response: requests.Response, owner: str) -> list:
    try:
        body = response.json()
    except ValueError:
        raise MalformedResponse(f"the forge answered the project listing of {owner} with malformed JSON") from None
    if not isinstance(body, list):
        raise MalformedResponse(f"expected a JSON list of projects for {owner}, got {type(body).__name__}")
    return body


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
