"""Typed records the collectors yield.

Records are plain frozen dataclasses so that the collectors stay ignorant of
storage: the warehouse turns batches of them into Arrow tables. Every record
carries its natural key (forge, host, repo path, item id). Times are timezone-
aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


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
    # Whether anyone can open an issue: GitHub's has_issues, GitLab's issues_access_level
    # 'enabled' (issues kept to members or switched off: False); None when the forge did not say.
    issues_enabled: bool | None = None


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


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """An issue or a pull/merge request ("change request")."""

    forge: str
    host: str
    repo_path: str
    number: int
    kind: str  # issue | change_request
    title: str | None
    state: str  # open | closed | merged
    author_login: str | None
    created_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None
    merged_at: datetime | None
    labels: tuple[str, ...] = ()
    comments_count: int = 0
    draft: bool = False


@dataclass(frozen=True, slots=True)
class CommentRecord:
    forge: str
    host: str
    repo_path: str
    comment_id: int
    item_kind: str  # issue | change_request
    item_number: int
    kind: str  # comment | review_comment | note
    author_login: str | None
    created_at: datetime | None
    updated_at: datetime | None
    system: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    forge: str
    host: str
    repo_path: str
    tag: str
    name: str | None
    published_at: datetime | None
    prerelease: bool = False


@dataclass(frozen=True, slots=True)
class ForkRecord:
    forge: str
    host: str
    repo_path: str
    fork_path: str
    fork_owner: str
    created_at: datetime | None
    pushed_at: datetime | None


ROOT_FILE_KINDS = {
    "readme": ("readme",),
    "license": ("license", "licence", "copying", "license-mit", "license-apache"),
    "contributing": ("contributing",),
    "code_of_conduct": ("code_of_conduct", "code-of-conduct"),
    "security": ("security",),
}


@dataclass(frozen=True, slots=True)
class RootFilesRecord:
    forge: str
    host: str
    repo_path: str
    has_readme: bool
    has_license: bool
    has_contributing: bool
    has_code_of_conduct: bool
    has_security: bool
    has_publiccode: bool
    publiccode_sha: str | None
    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    workflows: tuple[str, ...] | None = None  # the names in .github/workflows, where it was read

    @classmethod
    def from_listing(cls, forge: str, host: str, repo_path: str, entries: list[tuple[str, str, str | None]],
                     workflows: tuple[str, ...] | None = None) -> RootFilesRecord:
        """entries: (name, type "file"/"dir", blob sha) from one listing of the repository root."""
        files = [name for name, kind, _ in entries if kind == "file"]
        dirs = sorted(name for name, kind, _ in entries if kind == "dir")
        stems = {name.lower().rsplit(".", 1)[0] if name.lower().endswith((".md", ".txt", ".rst", ".adoc")) else name.lower() for name in files}

        def has(kind: str) -> bool:
            return any(stem in stems for stem in ROOT_FILE_KINDS[kind])

        publiccode = [sha for name, kind, sha in entries if kind == "file" and name in ("publiccode.yml", "publiccode.yaml")]
        return cls(
            forge, host, repo_path,
            has_readme=has("readme"), has_license=has("license"), has_contributing=has("contributing"),
            has_code_of_conduct=has("code_of_conduct"), has_security=has("security"),
            has_publiccode=bool(publiccode), publiccode_sha=publiccode[0] if publiccode else None, files=tuple(sorted(files)),
            dirs=tuple(dirs), workflows=None if workflows is None else tuple(sorted(workflows)),
        )


@dataclass(frozen=True, slots=True)
class PubliccodeRecord:
    forge: str
    host: str
    repo_path: str
    blob_sha: str | None
    valid: bool
    errors: tuple[str, ...]
    version: str | None
    name: str | None
    url: str | None
    landing_url: str | None
    development_status: str | None
    software_type: str | None
    license: str | None
    main_copyright_owner: str | None
    used_by: tuple[str, ...]
    is_based_on: tuple[str, ...]
    maintenance_type: str | None
    maintenance_until: date | None
    contractors: str | None  # JSON
    contacts: str | None  # JSON
    platforms: tuple[str, ...]
    categories: tuple[str, ...]
    it_section: str | None  # JSON
    raw: str | None  # JSON
    not_checked: tuple[str, ...] = ()  # checks that need the network or the repository's files


@dataclass(frozen=True, slots=True)
class MemberRecord:
    forge: str
    host: str
    account_owner: str
    login: str
    name: str | None = None


Record = (
    RepoRecord | CommitRecord | ItemRecord | CommentRecord | ReleaseRecord | ForkRecord
    | RootFilesRecord | PubliccodeRecord | MemberRecord
)
