"""Who is a bot and which e-mail addresses say nothing about a person: the rules the identity
rebuild (warehouse/identities.py) applies to every login, address and name it sees."""

from __future__ import annotations

import re

# Service accounts that are not people (lower-case logins).
KNOWN_BOT_LOGINS = frozenset(
    {
        "dependabot", "dependabot-preview", "renovate", "renovate-bot", "renovatebot",
        "github-actions", "gitlab-bot", "web-flow", "greenkeeper", "greenkeeperio-bot",
        "snyk-bot", "imgbot", "imgbotapp", "pre-commit-ci", "mergify", "allcontributors",
        "semantic-release-bot", "codecov", "gitlab-ci", "weblate",
    }
)
# Display names of service accounts, for identities without a login (GitLab commits).
KNOWN_BOT_NAMES = KNOWN_BOT_LOGINS | {
    "renovate bot", "github action", "github actions", "gitlab bot", "semantic release bot",
}
# Addresses that are bots wherever they appear.
KNOWN_BOT_EMAILS = frozenset(
    {"action@github.com", "bot@renovateapp.com", "support@dependabot.com", "renovate@whitesourcesoftware.com"}
)
# Local parts of shared addresses: never a merge key; a bot when no login is known
# (e.g. "GitHub <noreply@github.com>", the web-flow committer).
NOREPLY_LOCALS = frozenset({"noreply", "no-reply"})
SHARED_LOCALS = NOREPLY_LOCALS | {"donotreply", "do-not-reply", "nobody", "none", "unknown"}

_GITLAB_BOT_RE = re.compile(r"^(project|group)_?\d+_bot")
GITHUB_NOREPLY_RE = re.compile(r"^(?:\d+\+)?([^@+]+)@users\.noreply\.github\.com$")


def _split_email(email: str) -> tuple[str, str]:
    local, _, domain = email.rpartition("@")
    return local, domain


def is_bot_login(login: str, extra: frozenset[str] = frozenset()) -> bool:
    """Whether a (lower-case) login is a bot or service account."""
    return (
        login.endswith("[bot]")
        or login in KNOWN_BOT_LOGINS
        or login in extra
        or _GITLAB_BOT_RE.match(login) is not None
    )


def is_bot_email(email: str, weak: bool = True) -> bool:
    """Whether a (lower-case) address belongs to a bot; ``weak`` also counts noreply@ addresses."""
    if email in KNOWN_BOT_EMAILS:
        return True
    local, _ = _split_email(email)
    local = re.sub(r"^\d+\+", "", local)
    if local.endswith("[bot]") or _GITLAB_BOT_RE.match(local):
        return True
    return weak and local in NOREPLY_LOCALS


def is_shared_email(email: str) -> bool:
    """Addresses many people or machines share: never used to merge identities."""
    local, domain = _split_email(email)
    if not local or not domain or "." not in domain:
        return True
    if domain == "localhost" or domain.endswith((".local", ".localdomain", ".(none)")):
        return True
    return local in SHARED_LOCALS
