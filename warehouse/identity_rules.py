"""Who is a bot, which e-mail addresses say nothing about a person, and which keys join
identities into one person (:class:`MergeKeys`): the rules the identity rebuild
(warehouse/identities.py) applies to every login, address and name it sees."""

from __future__ import annotations

import re

from collectors.registry import Registry

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


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class MergeKeys:
    """The keys through which identities join into one person, under a registry's aliases and bots.

    Two identities sharing a key are the same person: an alias of the registry (by login on a
    forge, or e-mail), the same e-mail address (trimmed, case-insensitive; never a shared address,
    never between a bot and a human; a GitHub private address names its github.com login), the
    same login on the same forge host.
    """

    def __init__(self, registry: Registry | None):
        self.extra_bots = frozenset(b.strip().lower() for b in (registry.bots if registry else ()) if b.strip())
        self.aliases = registry.aliases if registry else ()
        self.alias_logins: dict[tuple[str, str], list[int]] = {}
        self.alias_emails: dict[str, list[int]] = {}
        for k, alias in enumerate(self.aliases):
            for spec in alias.logins:
                forge, _, login = spec.partition(":")
                login = login.strip().lower()
                if login:
                    self.alias_logins.setdefault((forge.strip().lower(), login), []).append(k)
            for email in alias.emails:
                email = email.strip().lower()
                if email and not is_shared_email(email):
                    self.alias_emails.setdefault(email, []).append(k)

    def of(self, forge: str, host: str, login: str | None, email: str | None,
           name: str | None) -> tuple[bool, list[tuple], list[int]]:
        """An identity's bot flag, its keys, and the aliases it matched (in the registry's order)."""
        login = clean(login)
        login = login.lower() if login else None
        email = clean(email)
        email = email.lower() if email else None
        name = clean(name)
        if login:
            is_bot = is_bot_login(login, self.extra_bots)
        else:
            lname = name.lower() if name else None
            is_bot = bool(
                (email and is_bot_email(email))
                or (lname and (lname.endswith("[bot]") or lname in KNOWN_BOT_NAMES or lname in self.extra_bots))
            )
        keys: list[tuple] = []
        # 1. aliases
        matched: list[int] = []
        if login:
            matched += self.alias_logins.get((forge, login), ())
        if email:
            matched += self.alias_emails.get(email, ())
        keys += [("alias", k) for k in matched]
        # 2. exact e-mail, never through a shared address nor between a bot and a human
        if email and not is_shared_email(email):
            keys.append(("email", is_bot, email))
            noreply = GITHUB_NOREPLY_RE.match(email)
            if noreply:
                keys.append(("login", "github", "github.com", noreply.group(1)))
        # 3. same login on the same host
        if login:
            keys.append(("login", forge, host, login))
        return is_bot, keys, matched


def key_text(key: tuple) -> str:
    """A merge key as stored in ``identity_keys``. Only a key's last part is free text (an
    e-mail address or a login), so joining the parts keeps keys of different kinds apart."""
    return "\x1f".join(map(str, key))
