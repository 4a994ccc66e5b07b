"""Shapes shared by the simulated APIs: errors, pages, times."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collectors.simulator.model import SimRepo


class ApiError(Exception):
    def __init__(self, status: int, body: dict, headers: dict | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class Page:
    """A JSON answer, possibly one page of a listing."""

    def __init__(self, body, *, total: int | None = None, page: int = 1, per_page: int = 30):
        self.body = body
        self.total = total
        self.page = page
        self.per_page = per_page


def paginate(items: list, query: dict[str, str], default_per_page: int) -> Page:
    try:
        per_page = int(query.get("per_page", default_per_page))
        page = int(query.get("page", 1))
    except ValueError:
        raise ApiError(400, {"message": "per_page and page must be integers"}) from None
    per_page = max(1, min(100, per_page))  # both forges cap at 100
    page = max(1, page)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], total=len(items), page=page, per_page=per_page)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, {"message": f"invalid time {value!r}"}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def commits_in_window(commits: list, query: dict[str, str]) -> list:
    """Both forges filter commits by committer time with inclusive ``since`` and ``until``."""
    if "since" in query:
        since = parse_time(query["since"])
        commits = [c for c in commits if c.committed_at >= since]
    if "until" in query:
        until = parse_time(query["until"])
        commits = [c for c in commits if c.committed_at <= until]
    return commits


def stable_id(*parts: str) -> int:
    """A numeric id derived from names: hash() differs between processes, ids must not."""
    return int(hashlib.sha1("/".join(parts).encode()).hexdigest()[:7], 16)


def blob_sha(content: str) -> str:
    """Git's blob id of a file's content."""
    return hashlib.sha1(f"blob {len(content.encode())}\0{content}".encode()).hexdigest()


def folder_sha(repo: SimRepo, path: str) -> str:
    """A stand-in for a folder's tree id: it changes whenever anything below the folder changes."""
    below = "".join(f"{name}\0{content}" for name, content in sorted(repo.files.items())
                    if name.startswith(f"{path}/"))
    return blob_sha(path + below)
