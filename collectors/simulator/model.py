"""What the simulated ecosystem is made of: entities, accounts, people, repositories and their activity.

Plain data, shared by the generators (:mod:`collectors.simulator.world`,
:mod:`collectors.simulator.streams`) and the simulated APIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

FORGE_PREFIX = {"github": "/github", "gitlab": "/gitlab", "opencode": "/opencode"}

# Stages of life and how activity spreads over time in each: (years of history,
# share of commits in the last 90 days, days since last commit).
STAGES = {
    "busy": (5, 0.25, 0),
    "active": (4, 0.10, 3),
    "declining": (4, 0.01, 60),
    "inactive": (5, 0.0, 240),
    "abandoned": (6, 0.0, 500),
    "archived": (6, 0.0, 700),
    "new": (0.3, 0.6, 1),
    "empty": (0, 0.0, 0),
}


@dataclass(frozen=True)
class SimEntity:
    id: str
    name: str
    country: str
    archetype: str
    email_domain: str


@dataclass
class SimAccount:
    forge: str
    path: str  # GitHub org login, or GitLab top-level group path
    entity_id: str
    kind: str  # "org" | "user" | "group"
    id: int
    subgroups: list[str] = field(default_factory=list)  # full paths, GitLab only
    members: list[str] = field(default_factory=list)  # public members' logins


@dataclass(frozen=True)
class SimPerson:
    login: str
    name: str
    email: str
    entities: tuple[str, ...]
    bot: bool = False


@dataclass
class SimCommit:
    sha: str
    author: SimPerson
    committer: SimPerson
    authored_at: datetime
    committed_at: datetime
    message: str


@dataclass
class SimComment:
    id: int
    author: SimPerson
    created_at: datetime
    kind: str = "comment"  # comment | review_comment (GitHub) ; note (GitLab)
    system: bool = False  # GitLab system notes ("changed the description")

    @property
    def updated_at(self) -> datetime:
        return self.created_at


@dataclass
class SimReview:
    """A submitted review of a change request (GitHub), or an approval (GitLab: state APPROVED)."""

    id: int
    author: SimPerson
    submitted_at: datetime
    state: str = "APPROVED"  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED


@dataclass
class SimItem:
    number: int
    kind: str  # issue | change_request
    title: str
    author: SimPerson
    created_at: datetime
    state: str = "open"  # open | closed | merged
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    labels: list[str] = field(default_factory=list)
    comments: list[SimComment] = field(default_factory=list)
    draft: bool = False
    touched_at: datetime | None = None
    reviews: list[SimReview] = field(default_factory=list)  # change requests only, oldest first

    @property
    def updated_at(self) -> datetime:
        moments = [self.created_at, self.closed_at, self.merged_at, self.touched_at]
        moments += [c.created_at for c in self.comments] + [r.submitted_at for r in self.reviews]
        return max(m for m in moments if m is not None)


@dataclass
class SimRelease:
    tag: str
    name: str
    published_at: datetime
    prerelease: bool = False


@dataclass
class SimFork:
    owner: str  # login of the account or user owning the fork
    name: str
    created_at: datetime
    pushed_at: datetime

    @property
    def path(self) -> str:
        return f"{self.owner}/{self.name}"


FOLDER_MARKERS = frozenset({"src"})  # root names that stand for a folder without files of their own


@dataclass
class SimRepo:
    forge: str
    namespace: str  # org login or full group path the repo sits in
    name: str
    account: str  # the registry account (top-level) that owns it
    id: int
    stage: str
    description: str
    license: str | None
    topics: list[str]
    language: str | None
    created_at: datetime
    default_branch: str = "main"
    archived: bool = False
    stars: int = 0
    forks_count: int = 0
    commits: list[SimCommit] = field(default_factory=list)  # newest first
    updated_at: datetime | None = None
    pushed_at: datetime | None = None
    is_fork: bool = False
    parent: str | None = None  # path of the repository this one was forked from
    items: list[SimItem] = field(default_factory=list)
    releases: list[SimRelease] = field(default_factory=list)  # newest first
    forks: list[SimFork] = field(default_factory=list)
    # Files by path from the root ("README.md", ".github/workflows/ci.yml") -> content; a name
    # with the content "" and no file below it, like "src", stands for a folder of source code.
    files: dict[str, str] = field(default_factory=dict)
    mirror_of: str | None = None  # "forge:path" of the repository this one mirrors
    # Issues switched off (GitHub's has_issues): its issue listing answers 410, its pull requests
    # are still there; such a repository holds change requests only.
    has_issues: bool = True

    @property
    def path(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def last_activity_at(self) -> datetime:
        """GitLab's last_activity_at: moves with pushes and with issue, merge request and note activity."""
        moments = [self.pushed_at or self.created_at] + [i.updated_at for i in self.items]
        return max(moments)

    def folder(self, path: str) -> list[tuple[str, str | None]] | None:
        """The entries directly in the folder ``path`` ('' for the root) as (name, content), content
        None for a folder, sorted by name; None when there is no such folder."""
        prefix = f"{path}/" if path else ""
        entries: dict[str, str | None] = {}
        for name, content in self.files.items():
            if not name.startswith(prefix):
                continue
            head, below, _ = name[len(prefix):].partition("/")
            entries[head] = None if below or name in FOLDER_MARKERS else content
        if path and not entries:
            return None
        return sorted(entries.items())

    def item(self, kind: str, number: int) -> SimItem:
        return next(i for i in self.items if i.kind == kind and i.number == number)


def review_comment_review_id(comment_id: int) -> int:
    # Every review comment belongs to a review; the simulated ones hold one comment each.
    return 500_000_000 + comment_id


def github_reviews(item: SimItem) -> list[tuple[int, SimPerson, str, datetime]]:
    """What GitHub lists as a pull request's reviews, oldest first: (id, reviewer, state, submitted_at).
    Each review comment's own review (COMMENTED), and the reviews of ``item.reviews``."""
    rows = [(review_comment_review_id(c.id), c.author, "COMMENTED", c.created_at)
            for c in item.comments if c.kind == "review_comment"]
    rows += [(r.id, r.author, r.state, r.submitted_at) for r in item.reviews]
    return sorted(rows, key=lambda row: (row[3], row[0]))


def gitlab_approvals(item: SimItem) -> list[SimReview]:
    """What GitLab lists as a merge request's approvals: one per approver, in approval order."""
    return [r for r in item.reviews if r.state == "APPROVED"]

