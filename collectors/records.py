"""Typed records the collectors yield.

Records are plain frozen dataclasses so that the collectors stay ignorant of
storage: the warehouse turns batches of them into Arrow tables. Every record
carries its natural key (forge, host, repo path, item id). Times are timezone-
aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RepoRecord:
    forge: str  # github | gitlab | opencode
    host: str  # instance the repo lives on, e.g. "github.com" or "gitlab.opencode.de"
    path: str  # owner/name; GitLab paths may nest: group/sub/name
    entity_id: str
    account_owner: str
    name: str
    description: str | None
    html_url: str | None
    default_branch: str | None
    license_spdx: str | None
    topics: tuple[str, ...] = field(default_factory=tuple)
    language: str | None = None
    archived: bool = False
    is_fork: bool = False
    fork_parent: str | None = None
    stars: int = 0
    forks_count: int = 0
    open_issues: int = 0
    created_at: datetime | None = None
    pushed_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CommitRecord:
    forge: str
    host: str
    repo_path: str
    sha: str
    author_name: str | None
    author_email: str | None
    author_login: str | None
    authored_at: datetime | None
    committer_name: str | None
    committer_email: str | None
    committer_login: str | None
    committed_at: datetime | None
    message: str | None = None


Record = RepoRecord | CommitRecord
