"""The registry: which entities exist, and which forge accounts belong to them.

The registry is one TOML file (default ``cities.toml``). Loading validates it
completely and raises :class:`RegistryError` with every problem found, each one
naming the file, the entity and the field, so that a person can fix the file in
one pass. Tokens are never read from the file: they come from the environment.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import os
import re
import tomllib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

FORGES = ("github", "gitlab", "opencode")
ARCHETYPES = ("national", "institution", "local", "association", "academic", "civil_society")

# Where each forge lives when the account does not name a `url`.
DEFAULT_URLS = {
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com",
    "opencode": "https://gitlab.opencode.de",
}
# The goal metrics snapshotted for every entity after each collection (docs/reuse-and-goals.md).
GOAL_METRICS = (
    "public_repos",
    "osi_licence_share",
    "publiccode_share",
    "active_share",
    "contributions_to_others",
    "reused_by_others",
)
# Health metrics a goal may name as well, one value per entity (docs/reuse-and-goals.md). The
# warehouse registers them (warehouse.goals.METRICS); the names are repeated here because
# collectors never import the warehouse, and a test keeps the two in step.
HEALTH_GOAL_METRICS = (
    "health_score",
    "absence_factor",
    "elephant_factor",
    "median_first_response_hours",
    "closure_ratio",
    "acceptance_ratio",
    "median_issue_age_days",
    "releases_per_year",
    "inactive_contributor_share",
    "hygiene_share",
    "commits",
    "active_contributors",
)
# Goal metrics that are shares (targets 0..1).
SHARE_METRICS = (
    "osi_licence_share", "publiccode_share", "active_share", "acceptance_ratio",
    "inactive_contributor_share", "hygiene_share",
)
# Goal metrics on a 0-100 scale (targets 0..100); every other one takes any target >= 0.
SCORE_METRICS = ("health_score",)
# Goal metrics where less is better: such a goal is reached when the value falls to the target.
LOWER_IS_BETTER = ("median_first_response_hours", "median_issue_age_days", "inactive_contributor_share")

# Optional [settings.*] tables. Defaults repeat warehouse.metrics' LifecycleThresholds and
# DEFAULT_WEIGHTS (a test keeps them in step): the registry only says what differs.
SETTINGS_SECTIONS = ("lifecycle", "health_weights")
DEFAULT_TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN", "opencode": "OPENCODE_TOKEN"}

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
_OWNER_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class RegistryError(ValueError):
    """A registry file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Account:
    entity_id: str
    forge: str
    owner: str
    url: str  # API root for GitHub, instance root for GitLab
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    token_env: str | None = None

    @property
    def host(self) -> str:
        """The instance's identity in natural keys: "github.com", "gitlab.opencode.de", ..."""
        parsed = urlparse(self.url)
        netloc = parsed.netloc.lower()
        path = parsed.path.rstrip("/")
        if self.forge == "github":
            if netloc == "api.github.com":
                return "github.com"
            # GitHub Enterprise serves its API under /api/v3
            path = path.removesuffix("/api/v3")
        return netloc + path

    @property
    def label(self) -> str:
        return f"{self.forge}:{self.owner}"

    def token(self) -> str | None:
        """The account's token from the environment, or None for anonymous access."""
        name = self.token_env or DEFAULT_TOKEN_ENV[self.forge]
        value = os.environ.get(name, "").strip()
        return value or None

    def wants(self, repo_name: str) -> bool:
        """Whether a repository passes the account's include/exclude patterns."""
        if self.include and not any(fnmatch.fnmatchcase(repo_name, p) for p in self.include):
            return False
        return not any(fnmatch.fnmatchcase(repo_name, p) for p in self.exclude)


@dataclass(frozen=True, slots=True)
class Goal:
    metric: str
    target: float
    deadline: date


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    country: str
    archetype: str
    email_domains: tuple[str, ...] = ()
    accounts: tuple[Account, ...] = ()
    goals: tuple[Goal, ...] = ()


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    logins: tuple[str, ...] = ()  # "forge:login"
    emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LifecycleSettings:
    """[settings.lifecycle]: when a repository counts as declining, inactive or abandoned."""

    recent_days: int = 90
    baseline_days: int = 270
    declining_ratio: float = 0.5
    inactive_days: int = 180
    abandoned_days: int = 365

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class HealthWeights:
    """[settings.health_weights]: relative weights of the health score's parts."""

    activity: float = 0.25
    responsiveness: float = 0.20
    sustainability: float = 0.20
    community: float = 0.15
    hygiene: float = 0.10
    release_cadence: float = 0.10

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Registry:
    path: str
    entities: tuple[Entity, ...]
    aliases: tuple[Alias, ...] = ()
    since: datetime | None = None  # history horizon for first collections
    bots: tuple[str, ...] = ()
    lifecycle: LifecycleSettings = LifecycleSettings()
    health_weights: HealthWeights = HealthWeights()

    @property
    def accounts(self) -> list[Account]:
        return [a for e in self.entities for a in e.accounts]

    def entity(self, entity_id: str) -> Entity:
        for e in self.entities:
            if e.id == entity_id:
                return e
        raise KeyError(entity_id)


def load_registry(path: str | Path) -> Registry:
    """Read and validate a registry file; raise RegistryError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(path, [f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(path, [f"{path}: cannot read: {exc}"]) from None
    return parse_registry(text, path)


def parse_registry(text: str, path: str | Path = "<registry>") -> Registry:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line N, column M)"
        raise RegistryError(path, [f"{path}: malformed TOML: {exc}"]) from None
    return _Validator(str(path)).registry(data)


class _Validator:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.path}: {where}: {message}")

    def _keys(self, where: str, raw: dict[str, Any], known: set[str]) -> None:
        """Report unknown fields; a 'token' field anywhere gets its own message."""
        for key in raw:
            if key == "token":
                self.fail(
                    f"{where}: field 'token'",
                    "tokens never go in the registry; set the environment variable named by 'token_env' instead",
                )
            elif key not in known:
                self.fail(f"{where}: field '{key}'", f"unknown field (expected one of {', '.join(sorted(known))})")

    def registry(self, data: dict[str, Any]) -> Registry:
        self._keys("top level", data, {"entity", "alias", "defaults", "settings"})
        defaults = data.get("defaults", {})
        since = None
        bots: tuple[str, ...] = ()
        if not isinstance(defaults, dict):
            self.fail("[defaults]", "must be a table")
        else:
            self._keys("[defaults]", defaults, {"since", "bots"})
            since = self._since(defaults.get("since"))
            bots = self._strings("[defaults]", "bots", defaults.get("bots", []))
        raw_entities = data.get("entity", [])
        if not isinstance(raw_entities, list) or not raw_entities:
            self.fail("top level: field 'entity'", "the registry needs at least one [[entity]]")
            raw_entities = []
        entities = []
        seen_ids: dict[str, int] = {}
        seen_accounts: dict[tuple[str, str, str], str] = {}
        for i, raw in enumerate(raw_entities):
            entity = self.entity(i, raw)
            if entity is None:
                continue
            if entity.id in seen_ids:
                self.fail(
                    f"entity '{entity.id}' (entity #{i + 1}): field 'id'",
                    f"duplicate id, already used by entity #{seen_ids[entity.id] + 1}",
                )
            seen_ids.setdefault(entity.id, i)
            for acc in entity.accounts:
                key = (acc.forge, acc.host.lower(), acc.owner.lower())
                if key in seen_accounts:
                    self.fail(
                        f"entity '{entity.id}': field 'account.owner'",
                        f"{acc.label} is already listed under entity '{seen_accounts[key]}'",
                    )
                seen_accounts.setdefault(key, entity.id)
            entities.append(entity)
        aliases = []
        raw_aliases = data.get("alias", [])
        if not isinstance(raw_aliases, list):
            self.fail("top level: field 'alias'", "must be an array of tables ([[alias]])")
            raw_aliases = []
        for i, raw in enumerate(raw_aliases):
            alias = self.alias(i, raw)
            if alias is not None:
                aliases.append(alias)
        lifecycle, weights = self.settings(data.get("settings", {}))
        if self.problems:
            raise RegistryError(self.path, self.problems)
        return Registry(self.path, tuple(entities), tuple(aliases), since, bots, lifecycle, weights)

    def settings(self, raw: Any) -> tuple[LifecycleSettings, HealthWeights]:
        if not isinstance(raw, dict):
            self.fail("[settings]", "must be a table")
            return LifecycleSettings(), HealthWeights()
        self._keys("[settings]", raw, set(SETTINGS_SECTIONS))
        return self._lifecycle(raw.get("lifecycle", {})), self._health_weights(raw.get("health_weights", {}))

    def _section(self, name: str, raw: Any, known: dict[str, float]) -> dict[str, float] | None:
        where = f"[settings.{name}]"
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
            return None
        self._keys(where, raw, set(known))
        return {k: v for k, v in raw.items() if k in known}

    def _lifecycle(self, raw: Any) -> LifecycleSettings:
        default = LifecycleSettings()
        given = self._section("lifecycle", raw, default.as_dict())
        if not given:
            return default
        where = "[settings.lifecycle]"
        ok = True
        for key, value in given.items():
            if key == "declining_ratio":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                    self.fail(f"{where}: field '{key}'", f"must be a number greater than 0 (0.5: under half the baseline), got {value!r}")
                    ok = False
            elif isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                self.fail(f"{where}: field '{key}'", f"must be a whole number of days greater than 0, got {value!r}")
                ok = False
        if not ok:
            return default
        settings = LifecycleSettings(**{**default.as_dict(), **given})
        if settings.baseline_days < settings.recent_days:
            self.fail(
                f"{where}: field 'baseline_days'",
                f"the baseline ({settings.baseline_days} days) must not be shorter than the recent window"
                f" (recent_days = {settings.recent_days})",
            )
        if settings.abandoned_days < settings.inactive_days:
            self.fail(
                f"{where}: field 'abandoned_days'",
                f"abandoned ({settings.abandoned_days} days) must not come before inactive"
                f" (inactive_days = {settings.inactive_days})",
            )
        return settings

    def _health_weights(self, raw: Any) -> HealthWeights:
        default = HealthWeights()
        given = self._section("health_weights", raw, default.as_dict())
        if not given:
            return default
        where = "[settings.health_weights]"
        ok = True
        for key, value in given.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                self.fail(f"{where}: field '{key}'", f"must be a number, 0 or more, got {value!r}")
                ok = False
        if not ok:
            return default
        weights = HealthWeights(**{**default.as_dict(), **{k: float(v) for k, v in given.items()}})
        if sum(weights.as_dict().values()) <= 0:
            self.fail(where, "the weights add up to 0: at least one part needs a weight above 0")
        return weights

    def _since(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        self.fail("[defaults]: field 'since'", f"must be a TOML date such as 2018-01-01, got {value!r}")
        return None

    def _strings(self, where: str, name: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}: field '{name}'", "must be a list of strings")
            return ()
        return tuple(value)

    def entity(self, index: int, raw: Any) -> Entity | None:
        label = f"entity #{index + 1}"
        if not isinstance(raw, dict):
            self.fail(label, "must be a table ([[entity]])")
            return None
        eid = raw.get("id")
        if isinstance(eid, str) and eid:
            label = f"entity '{eid}'"
        self._keys(label, raw, {"id", "name", "country", "archetype", "email_domains", "account", "goal"})
        if not isinstance(eid, str) or not _ID_RE.match(eid):
            self.fail(f"{label}: field 'id'", "required; lower-case letters, digits, '-' or '_' (at most 64)")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(f"{label}: field 'name'", "required, a non-empty string")
        country = raw.get("country")
        if not isinstance(country, str) or not _COUNTRY_RE.match(country):
            self.fail(f"{label}: field 'country'", f"must be a two-letter upper-case code such as DE, got {country!r}")
        archetype = raw.get("archetype")
        if archetype not in ARCHETYPES:
            self.fail(f"{label}: field 'archetype'", f"{archetype!r} is not one of {', '.join(ARCHETYPES)}")
        domains = self._strings(label, "email_domains", raw.get("email_domains", []))
        for d in domains:
            if not _DOMAIN_RE.match(d):
                self.fail(f"{label}: field 'email_domains'", f"{d!r} is not a lower-case domain name")
        raw_accounts = raw.get("account", [])
        accounts = []
        if not isinstance(raw_accounts, list):
            self.fail(f"{label}: field 'account'", "must be an array of tables ([[entity.account]])")
            raw_accounts = []
        for j, acc in enumerate(raw_accounts):
            account = self.account(label, str(eid), j, acc)
            if account is not None:
                accounts.append(account)
        raw_goals = raw.get("goal", [])
        goals = []
        if not isinstance(raw_goals, list):
            self.fail(f"{label}: field 'goal'", "must be an array of tables ([[entity.goal]])")
            raw_goals = []
        for j, g in enumerate(raw_goals):
            goal = self.goal(label, j, g)
            if goal is not None:
                goals.append(goal)
        if not isinstance(eid, str):
            return None
        return Entity(
            id=eid,
            name=name if isinstance(name, str) else "",
            country=country if isinstance(country, str) else "",
            archetype=archetype if isinstance(archetype, str) else "",
            email_domains=domains,
            accounts=tuple(accounts),
            goals=tuple(goals),
        )

    def account(self, label: str, entity_id: str, index: int, raw: Any) -> Account | None:
        where = f"{label}: account #{index + 1}"
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
            return None
        self._keys(where, raw, {"forge", "owner", "url", "include", "exclude", "token_env"})
        forge = raw.get("forge")
        ok = True
        if forge not in FORGES:
            self.fail(f"{where}: field 'forge'", f"unknown forge {forge!r} (expected one of {', '.join(FORGES)})")
            ok = False
        owner = raw.get("owner")
        if not isinstance(owner, str) or not _OWNER_RE.match(owner):
            self.fail(f"{where}: field 'owner'", f"required: an organisation, user or group path such as 'it-at-m' or 'stadt-soest/city-app', got {owner!r}")
            ok = False
        elif forge == "github" and "/" in owner:
            self.fail(f"{where}: field 'owner'", f"a GitHub owner is one organisation or user, not a path, got {owner!r} (use 'include' to pick repositories)")
            ok = False
        url = raw.get("url")
        if url is not None:
            parsed = urlparse(url) if isinstance(url, str) else None
            if parsed is not None and (parsed.username is not None or parsed.password is not None or parsed.query or parsed.fragment):
                # never echo the value: it may carry a credential
                self.fail(f"{where}: field 'url'", "must not carry credentials, a query or a fragment; tokens come from the environment")
                ok = False
            elif parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
                self.fail(f"{where}: field 'url'", f"must be an http(s) URL, got {url!r}")
                ok = False
        token_env = raw.get("token_env")
        if token_env is not None and (not isinstance(token_env, str) or not _ENV_RE.match(token_env)):
            self.fail(f"{where}: field 'token_env'", "must be the name of an environment variable")
            ok = False
        include = self._strings(where, "include", raw.get("include", []))
        exclude = self._strings(where, "exclude", raw.get("exclude", []))
        if not ok:
            return None
        return Account(
            entity_id=entity_id,
            forge=forge,
            owner=owner.strip("/"),
            url=(url or DEFAULT_URLS[forge]).rstrip("/"),
            include=include,
            exclude=exclude,
            token_env=token_env,
        )

    def goal(self, label: str, index: int, raw: Any) -> Goal | None:
        where = f"{label}: goal #{index + 1}"
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
            return None
        self._keys(where, raw, {"metric", "target", "deadline"})
        metric = raw.get("metric")
        target = raw.get("target")
        deadline = raw.get("deadline")
        ok = True
        names = GOAL_METRICS + HEALTH_GOAL_METRICS
        if metric not in names:
            close = difflib.get_close_matches(metric, names, n=1) if isinstance(metric, str) else []
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.fail(f"{where}: field 'metric'", f"{metric!r} is not a goal metric; {hint}expected one of {', '.join(names)}")
            ok = False
        if isinstance(target, bool) or not isinstance(target, (int, float)) or not math.isfinite(target):
            self.fail(f"{where}: field 'target'", f"must be a number, got {target!r}")
            ok = False
        elif metric in SHARE_METRICS and not 0 <= target <= 1:
            self.fail(f"{where}: field 'target'", f"{metric} is a share: the target must lie between 0 and 1 (0.8 for 80%), got {target!r}")
            ok = False
        elif metric in SCORE_METRICS and not 0 <= target <= 100:
            self.fail(f"{where}: field 'target'", f"{metric} is a score: the target must lie between 0 and 100, got {target!r}")
            ok = False
        elif target < 0:
            self.fail(f"{where}: field 'target'", f"must not be negative, got {target!r}")
            ok = False
        if isinstance(deadline, datetime):
            deadline = deadline.date()
        if not isinstance(deadline, date):
            self.fail(f"{where}: field 'deadline'", f"must be a TOML date such as 2027-12-31, got {deadline!r}")
            ok = False
        return Goal(metric, float(target), deadline) if ok else None

    def alias(self, index: int, raw: Any) -> Alias | None:
        where = f"alias #{index + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            self.fail(where, "must be a table with a 'name'")
            return None
        self._keys(where, raw, {"name", "logins", "emails"})
        logins = self._strings(where, "logins", raw.get("logins", []))
        for login in logins:
            forge, _, name = login.partition(":")
            if forge not in FORGES or not name:
                self.fail(f"{where}: field 'logins'", f"{login!r} must read forge:login, forge one of {', '.join(FORGES)}")
        emails = self._strings(where, "emails", raw.get("emails", []))
        return Alias(raw["name"], logins, tuple(e.lower() for e in emails))
