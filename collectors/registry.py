"""The registry: which entities exist, and which forge accounts belong to them.

The registry is one TOML file (default ``cities.toml``). Loading validates it
completely and raises :class:`RegistryError` with every problem found, each one
naming the file, the entity and the field, so that a person can fix the file in
one pass. Tokens are never read from the file: they come from the environment.
"""

from __future__ import annotations

import codecs
import difflib
import fnmatch
import ipaddress
import math
import os
import re
import stat
import tomllib
import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlsplit

from collectors.badge_settings import BadgeSettings, parse_badges

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
# openCoDE's badges as goal metrics (warehouse/goals/badge_metrics.py), repeated for the same reason.
BADGE_GOAL_METRICS = ("maintained_silver_share",)
# The Standard for Public Code's checked criteria as goal metrics, one share per criterion
# (warehouse/goals/public_code_metrics.py, from warehouse.metrics.public_code_criteria's
# CHECKED_CRITERIA), repeated for the same reason.
PUBLIC_CODE_GOAL_METRICS = (
    "public_code_code_in_the_open_share",
    "public_code_reusable_share",
    "public_code_welcome_contributors_share",
    "public_code_contributing_easy_share",
    "public_code_version_control_share",
    "public_code_require_review_share",
    "public_code_continuous_integration_share",
    "public_code_open_licence_share",
    "public_code_findable_share",
    "public_code_codebase_maturity_share",
)
# Goal metrics that are shares (targets 0..1).
SHARE_METRICS = (
    "osi_licence_share", "publiccode_share", "active_share", "acceptance_ratio",
    "inactive_contributor_share", "hygiene_share", "maintained_silver_share",
) + PUBLIC_CODE_GOAL_METRICS
# Goal metrics on a 0-100 scale (targets 0..100); every other one takes any target >= 0.
SCORE_METRICS = ("health_score",)
# Goal metrics where less is better: such a goal is reached when the value falls to the target.
LOWER_IS_BETTER = ("median_first_response_hours", "median_issue_age_days", "inactive_contributor_share")

# Optional [settings.*] tables. Defaults repeat warehouse.metrics' LifecycleThresholds and
# DEFAULT_WEIGHTS (a test keeps them in step): the registry only says what differs.
SETTINGS_SECTIONS = ("lifecycle", "health_weights", "badges")  # badges: collectors/badge_settings.py
DEFAULT_TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN", "opencode": "OPENCODE_TOKEN"}

# Alerts ([[entity.alerts]], docs/alerts.md): where each entity's alerts go, which rules, which language.
ALERT_CHANNELS = ("stdout", "jsonl", "apprise")
ALERT_RULES = ("inactive", "abandoned", "unanswered", "contract", "single_maintainer", "goal", "account")
ALERT_LANGUAGES = ("en", "de")
# Countries whose entities get German alerts unless `language` says otherwise.
GERMAN_COUNTRIES = ("DE", "AT", "CH")
DEFAULT_UNANSWERED_DAYS = 14  # warehouse.metrics.NO_RESPONSE_DAYS, repeated (collectors never import it)

# Limits that keep every accepted value usable downstream (docs/registry.md, "Limits").
MAX_FILE_BYTES = 5 * 1024 * 1024  # a registry of thousands of entities is well under 1 MB
MIN_DAYS, MAX_DAYS = 1, 36_500  # lifecycle thresholds: a day to a century
MAX_DECLINING_RATIO = 10.0
MAX_WEIGHT = 100.0
MAX_TARGET = 1e9  # counts, hours, days per goal; shares and scores have their own ranges
EARLIEST_DATE = date(1970, 1, 1)  # forges hold nothing older, and their APIs reject earlier times
LATEST_DEADLINE = date(2100, 12, 31)
MAX_NAME = 200  # entity and alias names, shown as they are
MAX_TEXT = 255  # owners, patterns, logins, e-mails, bots
MAX_URL = 2048
MAX_LOGO_BYTES = 512 * 1024  # an entity's logo, embedded in every council report
LOGO_KINDS = ("PNG", "JPEG")
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_LIST = 1000  # entries in any one list field
# Variables that hold no token: naming one would send its value to the forge as a credential.
NOT_TOKEN_VARIABLES = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "USERNAME", "SHELL", "PWD", "OLDPWD", "TERM", "LANG",
    "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TEMP", "TMP", "HOSTNAME", "MAIL", "EDITOR",
    "VISUAL", "PAGER", "DISPLAY", "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK", "LD_PRELOAD",
    "LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "HTTP_PROXY", "HTTPS_PROXY",
    "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
})
# Bidirectional formatting characters: they make text read differently from what it holds.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
_OWNER_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_HOST_LABEL_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_URL_PATH_RE = re.compile(r"^(/([A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*)*$")


def _show(value: Any, limit: int = 60) -> str:
    """A value for an error message: repr (control characters escaped), cut to a readable length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _field(key: Any) -> str:
    """A field name for an error message, quoted as the messages do."""
    text = key if isinstance(key, str) and key.isprintable() and len(key) <= 60 else _show(key)[1:-1]
    return f"field '{text}'"


def _odd_character(text: str, spaces: bool) -> str | None:
    """The first control, bidi, private-use or line-breaking character, as U+XXXX; with ``spaces``
    False also any whitespace, invisible formatting or unassigned character (identifiers have none)."""
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _BIDI_CONTROLS or category in ("Cc", "Cs", "Co", "Zl", "Zp") or (
            # a name may hold characters newer than this Python's Unicode tables; an identifier not
            not spaces and (ch.isspace() or category in ("Cf", "Cn"))
        ):
            return f"U+{ord(ch):04X}"
    return None


def _mask_credentials(url: str) -> str:
    """The url with anything before an '@' in its authority shown as ***."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}"


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
class AlertChannel:
    """One [[entity.alerts]] table: a channel and the rules it hears. An Apprise URL holds
    secrets, so only the name of the variable that holds it is in the file."""

    channel: str  # ALERT_CHANNELS
    url_env: str | None = None  # apprise: the variable holding the Apprise URL
    path: str | None = None  # jsonl: the file, relative to the registry's folder
    rules: tuple[str, ...] = ALERT_RULES

    @property
    def channel_id(self) -> str:
        """Stable name of the channel in the warehouse's delivery state (never the URL itself)."""
        if self.channel == "apprise":
            return f"apprise:{self.url_env}"
        if self.channel == "jsonl":
            return f"jsonl:{self.path}"
        return self.channel


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    country: str
    archetype: str
    email_domains: tuple[str, ...] = ()
    accounts: tuple[Account, ...] = ()
    goals: tuple[Goal, ...] = ()
    language: str | None = None  # en | de; None: from the country (GERMAN_COUNTRIES speak German)
    alerts: tuple[AlertChannel, ...] = ()
    alert_unanswered_days: int = DEFAULT_UNANSWERED_DAYS
    # For the council report: the name it is headed with (default: name), and a PNG or JPEG
    # logo file, relative to the registry's folder (never a URL: the report fetches nothing).
    display_name: str | None = None
    logo: str | None = None

    @property
    def alert_language(self) -> str:
        if self.language in ALERT_LANGUAGES:
            return self.language
        return "de" if self.country in GERMAN_COUNTRIES else "en"


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
    badges: BadgeSettings = BadgeSettings()  # noqa: RUF009 (frozen: one value shared is safe)

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
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise RegistryError(path, [f"{path}: is a directory; give the registry file itself (such as cities.toml)"])
        if not stat.S_ISREG(info.st_mode):
            raise RegistryError(path, [f"{path}: is not a regular file; give the registry file itself (such as cities.toml)"])
        with path.open("rb") as handle:
            # read at most one byte past the limit: the file may grow between stat and read
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise RegistryError(path, [f"{path}: file not found; check the path, or start from the shipped cities.toml"]) from None
    except PermissionError:
        raise RegistryError(path, [f"{path}: cannot read: permission denied; make the file readable for this user"]) from None
    except OSError as exc:
        raise RegistryError(path, [f"{path}: cannot read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise RegistryError(path, [_too_big(path)])
    # a byte-order mark, as some editors write it, is not part of the text
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start  # in the file, as a hex editor shows it
        raise RegistryError(path, [
            f"{path}: is not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset}); save the file as UTF-8"
        ]) from None
    return parse_registry(text, path)


def _too_big(path: str | Path) -> str:
    return f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, too large for a registry; is it the right file?"


def parse_registry(text: str, path: str | Path = "<registry>") -> Registry:
    if len(text) > MAX_FILE_BYTES:
        raise RegistryError(path, [_too_big(path)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line N, column M)"
        raise RegistryError(path, [f"{path}: malformed TOML: {exc}"]) from None
    except RecursionError:
        raise RegistryError(path, [f"{path}: malformed TOML: arrays or tables nested too deeply; a registry needs only a few levels"]) from None
    except (ValueError, OverflowError) as exc:
        # e.g. an integer of more than 4300 digits (Python's limit on int conversion)
        reason = str(exc).split("; use sys.")[0]
        raise RegistryError(path, [f"{path}: malformed TOML: {reason}; registry numbers are a few digits long"]) from None
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
                self.fail(f"{where}: {_field(key)}", f"unknown field (expected one of {', '.join(sorted(known))})")

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
            bots = self._identifiers("[defaults]", "bots", defaults.get("bots", []), "a login")
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
        badges = parse_badges(self, data.get("settings", {}))
        if self.problems:
            raise RegistryError(self.path, self.problems)
        return Registry(self.path, tuple(entities), tuple(aliases), since, bots, lifecycle, weights, badges)

    # --- settings --------------------------------------------------------------------------------

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
                if not _is_number(value) or not 0 < value <= MAX_DECLINING_RATIO:
                    self.fail(
                        f"{where}: field '{key}'",
                        f"must be a number greater than 0 and at most {MAX_DECLINING_RATIO:g}"
                        f" (0.5: under half the baseline), got {_show(value)}",
                    )
                    ok = False
            elif isinstance(value, bool) or not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
                # the upper bound keeps date arithmetic (now minus the window) within the calendar
                self.fail(
                    f"{where}: field '{key}'",
                    f"must be a whole number of days greater than 0 and at most {MAX_DAYS} (100 years), got {_show(value)}",
                )
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
            if not _is_number(value) or not 0 <= value <= MAX_WEIGHT:
                self.fail(f"{where}: field '{key}'", f"must be a number, 0 or more and at most {MAX_WEIGHT:g}, got {_show(value)}")
                ok = False
        if not ok:
            return default
        weights = HealthWeights(**{**default.as_dict(), **{k: float(v) for k, v in given.items()}})
        if sum(weights.as_dict().values()) <= 0:
            self.fail(where, "the weights add up to 0: at least one part needs a weight above 0")
        return weights

    # --- dates and strings -----------------------------------------------------------------------

    def _since(self, value: Any) -> datetime | None:
        where = "[defaults]: field 'since'"
        if value is None:
            return None
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
        else:
            self.fail(where, f"must be a TOML date such as 2018-01-01, got {_show(value)}")
            return None
        earliest = datetime(EARLIEST_DATE.year, EARLIEST_DATE.month, EARLIEST_DATE.day, tzinfo=UTC)
        try:
            too_early = moment < earliest
            in_future = moment > datetime.now(UTC)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 lies before the first representable moment
            too_early, in_future = moment.year < 1970, moment.year > 1970
        if too_early:
            self.fail(where, f"{value} is before {EARLIEST_DATE}; forges hold no older history, give a later date")
            return None
        if in_future:
            self.fail(where, f"{value} is in the future; the history horizon must be a day that has passed")
            return None
        return moment

    def _list(self, where: str, name: str, value: Any) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}: field '{name}'", "must be a list of strings")
            return None
        if len(value) > MAX_LIST:
            self.fail(f"{where}: field '{name}'", f"has {len(value)} entries; at most {MAX_LIST} are allowed")
            return None
        return value

    def _identifiers(self, where: str, name: str, value: Any, what: str) -> tuple[str, ...]:
        """A list of strings that name things (logins, patterns, e-mails): short, no spaces or controls."""
        items = self._list(where, name, value)
        if items is None:
            return ()
        ok = True
        for item in items:
            problem = self._identifier_problem(item, what)
            if problem:
                self.fail(f"{where}: field '{name}'", problem)
                ok = False
        return tuple(items) if ok else ()

    @staticmethod
    def _identifier_problem(item: str, what: str) -> str | None:
        if not item:
            return f"an empty string is not {what}"
        if len(item) > MAX_TEXT:
            return f"{_show(item)} is longer than {MAX_TEXT} characters"
        odd = _odd_character(item, spaces=False)
        if odd:
            return f"{_show(item)} contains {odd} (a space, control or direction character); {what} has none"
        return None

    def _display_name(self, where: str, value: Any, field: str = "name") -> str | None:
        """A name shown as written: any printable text, cut at MAX_NAME characters."""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}: field '{field}'", "required, a non-empty string" if field == "name"
                      else "must be a non-empty string")
            return None
        if len(value) > MAX_NAME:
            self.fail(f"{where}: field '{field}'", f"is {len(value)} characters long; at most {MAX_NAME} are allowed")
            return None
        odd = _odd_character(value, spaces=True)
        if odd:
            self.fail(f"{where}: field '{field}'", f"contains {odd} (a line break, control or direction character); remove it")
            return None
        return value

    def _logo(self, where: str, value: Any) -> str | None:
        """An entity's logo for the council report: a PNG or JPEG file named relative to the
        registry's folder (checked to exist when the registry is a file)."""
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT or _odd_character(value, spaces=True):
            self.fail(f"{where}: field 'logo'", f"must be a file name of at most {MAX_TEXT} characters, such as 'logo.png'")
            return None
        if "://" in value:
            self.fail(f"{where}: field 'logo'", f"{_show(value)} is an address; the report fetches nothing, give a local file")
            return None
        if not value.lower().endswith(LOGO_SUFFIXES):
            self.fail(f"{where}: field 'logo'", f"{_show(value)} is not a {' or '.join(LOGO_KINDS)} file ({', '.join(LOGO_SUFFIXES)})")
            return None
        folder = Path(str(self.path)).parent
        if Path(str(self.path)).is_file():
            target = folder / value
            if not target.is_file():
                self.fail(f"{where}: field 'logo'", f"{_show(value)} not found next to the registry ({target}); check the path")
                return None
            if target.stat().st_size > MAX_LOGO_BYTES:
                self.fail(f"{where}: field 'logo'", f"{_show(value)} is larger than {MAX_LOGO_BYTES // 1024} KB; use a smaller image")
                return None
            return str(target)
        return value

    # --- entities, accounts, goals, aliases ------------------------------------------------------

    def entity(self, index: int, raw: Any) -> Entity | None:
        label = f"entity #{index + 1}"
        if not isinstance(raw, dict):
            self.fail(label, "must be a table ([[entity]])")
            return None
        eid = raw.get("id")
        id_ok = isinstance(eid, str) and bool(_ID_RE.match(eid))
        if isinstance(eid, str) and eid:
            label = f"entity '{eid}'" if id_ok else f"entity {_show(eid, 40)} (entity #{index + 1})"
        self._keys(label, raw, {"id", "name", "country", "archetype", "email_domains", "account", "goal",
                                "language", "alerts", "alert_unanswered_days", "display_name", "logo"})
        if not id_ok:
            self.fail(f"{label}: field 'id'", "required; lower-case letters, digits, '-' or '_' (at most 64)")
        name = self._display_name(label, raw.get("name"))
        display_name = None if raw.get("display_name") is None else \
            self._display_name(label, raw.get("display_name"), "display_name")
        logo = self._logo(label, raw.get("logo"))
        country = raw.get("country")
        if not isinstance(country, str) or not _COUNTRY_RE.match(country):
            self.fail(f"{label}: field 'country'", f"must be a two-letter upper-case code such as DE, got {_show(country)}")
        archetype = raw.get("archetype")
        if not isinstance(archetype, str) or archetype not in ARCHETYPES:
            self.fail(f"{label}: field 'archetype'", f"{_show(archetype)} is not one of {', '.join(ARCHETYPES)}")
        domains = tuple(self._list(label, "email_domains", raw.get("email_domains", [])) or ())
        for d in domains:
            if not _DOMAIN_RE.match(d):
                self.fail(f"{label}: field 'email_domains'", f"{_show(d)} is not a lower-case domain name")
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
        language, alerts, unanswered_days = self.alerts(label, raw)
        if not id_ok:
            return None
        return Entity(
            id=eid,
            name=name or "",
            country=country if isinstance(country, str) else "",
            archetype=archetype if isinstance(archetype, str) else "",
            email_domains=domains,
            accounts=tuple(accounts),
            goals=tuple(goals),
            language=language,
            alerts=alerts,
            alert_unanswered_days=unanswered_days,
            display_name=display_name,
            logo=logo,
        )

    def alerts(self, label: str, raw: dict[str, Any]) -> tuple[str | None, tuple[AlertChannel, ...], int]:
        """An entity's language, [[entity.alerts]] channels and alert_unanswered_days."""
        language = raw.get("language")
        if language is not None and language not in ALERT_LANGUAGES:
            self.fail(f"{label}: field 'language'", f"{_show(language)} is not one of {', '.join(ALERT_LANGUAGES)}")
            language = None
        days = raw.get("alert_unanswered_days", DEFAULT_UNANSWERED_DAYS)
        if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
            self.fail(f"{label}: field 'alert_unanswered_days'",
                      f"must be a whole number of days greater than 0 and at most {MAX_DAYS}, got {_show(days)}")
            days = DEFAULT_UNANSWERED_DAYS
        raw_channels = raw.get("alerts", [])
        if not isinstance(raw_channels, list):
            self.fail(f"{label}: field 'alerts'", "must be an array of tables ([[entity.alerts]])")
            raw_channels = []
        channels: list[AlertChannel] = []
        for j, item in enumerate(raw_channels):
            channel = self._alert_channel(f"{label}: alerts #{j + 1}", item)
            if channel is None:
                continue
            if any(c.channel_id == channel.channel_id for c in channels):
                self.fail(f"{label}: alerts #{j + 1}", f"channel {channel.channel_id} is already listed for this entity")
                continue
            channels.append(channel)
        return language, tuple(channels), days

    def _alert_channel(self, where: str, raw: Any) -> AlertChannel | None:
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
            return None
        if "url" in raw:
            self.fail(f"{where}: field 'url'", "alert URLs carry secrets and never go in the registry; put the URL "
                      "in an environment variable and name it with 'url_env'")
        self._keys(where, {k: v for k, v in raw.items() if k != "url"}, {"channel", "url_env", "path", "rules"})
        kind = raw.get("channel")
        if kind not in ALERT_CHANNELS:
            self.fail(f"{where}: field 'channel'", f"{_show(kind)} is not one of {', '.join(ALERT_CHANNELS)}")
            return None
        ok = "url" not in raw
        url_env = raw.get("url_env")
        if kind == "apprise":
            if not isinstance(url_env, str) or not _ENV_RE.match(url_env):
                self.fail(f"{where}: field 'url_env'", "required for an apprise channel: the name of the environment "
                          "variable holding the Apprise URL (letters, digits and '_', not starting with a digit)")
                ok = False
            elif url_env in NOT_TOKEN_VARIABLES:
                self.fail(f"{where}: field 'url_env'", f"{url_env} holds no Apprise URL; name the variable that does")
                ok = False
        elif url_env is not None:
            self.fail(f"{where}: field 'url_env'", f"only an apprise channel reads a URL, not {kind}")
            ok = False
        path = raw.get("path")
        if kind == "jsonl":
            problem = None
            if not isinstance(path, str) or not path.strip():
                problem = "required for a jsonl channel: the file to append alerts to, such as 'alerts.jsonl'"
            elif len(path) > MAX_TEXT or _odd_character(path, spaces=True):
                problem = f"{_show(path)} must be a file name of at most {MAX_TEXT} characters without control characters"
            if problem:
                self.fail(f"{where}: field 'path'", problem)
                ok = False
        elif path is not None:
            self.fail(f"{where}: field 'path'", f"only a jsonl channel writes a file, not {kind}")
            ok = False
        rules = raw.get("rules", list(ALERT_RULES))
        names = self._list(where, "rules", rules)
        if names is None:
            ok = False
        else:
            unknown = [r for r in names if r not in ALERT_RULES]
            if unknown or not names:
                shown = f"{_show(unknown[0])} is not an alert rule; " if unknown else "needs at least one rule; "
                self.fail(f"{where}: field 'rules'", f"{shown}expected some of {', '.join(ALERT_RULES)}")
                ok = False
        if not ok:
            return None
        return AlertChannel(kind, url_env, path, tuple(dict.fromkeys(names)))

    def account(self, label: str, entity_id: str, index: int, raw: Any) -> Account | None:
        where = f"{label}: account #{index + 1}"
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
            return None
        self._keys(where, raw, {"forge", "owner", "url", "include", "exclude", "token_env"})
        forge = raw.get("forge")
        ok = True
        if not isinstance(forge, str) or forge not in FORGES:
            self.fail(f"{where}: field 'forge'", f"unknown forge {_show(forge)} (expected one of {', '.join(FORGES)})")
            ok = False
        owner = raw.get("owner")
        if (
            not isinstance(owner, str) or len(owner) > MAX_TEXT or not _OWNER_RE.match(owner)
            or any(part in (".", "..") for part in owner.split("/"))
        ):
            self.fail(
                f"{where}: field 'owner'",
                "required: an organisation, user or group path such as 'it-at-m' or 'stadt-soest/city-app'"
                f" (letters, digits, '_', '.', '-', at most {MAX_TEXT} characters), got {_show(owner)}",
            )
            ok = False
        elif forge == "github" and "/" in owner:
            self.fail(f"{where}: field 'owner'", f"a GitHub owner is one organisation or user, not a path, got {_show(owner)} (use 'include' to pick repositories)")
            ok = False
        url = raw.get("url")
        if url is not None:
            problem = _url_problem(url, forge)
            if problem:
                self.fail(f"{where}: field 'url'", problem)
                ok = False
        token_env = raw.get("token_env")
        if token_env is not None:
            if not isinstance(token_env, str) or not _ENV_RE.match(token_env):
                self.fail(
                    f"{where}: field 'token_env'",
                    "must be the name of an environment variable (letters, digits and '_', not starting with a digit, at most 128)",
                )
                ok = False
            elif token_env in NOT_TOKEN_VARIABLES:
                self.fail(
                    f"{where}: field 'token_env'",
                    f"{token_env} holds no token, and its value would be sent to the forge; name the variable that holds this account's token",
                )
                ok = False
        include = self._identifiers(where, "include", raw.get("include", []), "a repository name pattern")
        exclude = self._identifiers(where, "exclude", raw.get("exclude", []), "a repository name pattern")
        if not ok:
            return None
        return Account(
            entity_id=entity_id,
            forge=forge,
            owner=owner.strip("/"),
            url=_normal_url(url or DEFAULT_URLS[forge]),
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
        names = GOAL_METRICS + HEALTH_GOAL_METRICS + BADGE_GOAL_METRICS + PUBLIC_CODE_GOAL_METRICS
        if not isinstance(metric, str) or metric not in names:
            close = difflib.get_close_matches(metric, names, n=1) if isinstance(metric, str) and len(metric) <= 100 else []
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.fail(f"{where}: field 'metric'", f"{_show(metric)} is not a goal metric; {hint}expected one of {', '.join(names)}")
            ok = False
        if not _is_number(target):
            self.fail(f"{where}: field 'target'", f"must be a number, got {_show(target)}")
            ok = False
        elif metric in SHARE_METRICS and not 0 <= target <= 1:
            self.fail(f"{where}: field 'target'", f"{metric} is a share: the target must lie between 0 and 1 (0.8 for 80%), got {_show(target)}")
            ok = False
        elif metric in SCORE_METRICS and not 0 <= target <= 100:
            self.fail(f"{where}: field 'target'", f"{metric} is a score: the target must lie between 0 and 100, got {_show(target)}")
            ok = False
        elif target < 0:
            self.fail(f"{where}: field 'target'", f"must not be negative, got {_show(target)}")
            ok = False
        elif target > MAX_TARGET:
            self.fail(f"{where}: field 'target'", f"must be at most {MAX_TARGET:,.0f}, got {_show(target)}")
            ok = False
        if isinstance(deadline, datetime):
            deadline = deadline.date()
        if not isinstance(deadline, date):
            self.fail(f"{where}: field 'deadline'", f"must be a TOML date such as 2027-12-31, got {_show(deadline)}")
            ok = False
        elif not EARLIEST_DATE <= deadline <= LATEST_DEADLINE:
            self.fail(f"{where}: field 'deadline'", f"{deadline} must lie between {EARLIEST_DATE} and {LATEST_DEADLINE}")
            ok = False
        return Goal(metric, float(target), deadline) if ok else None

    def alias(self, index: int, raw: Any) -> Alias | None:
        where = f"alias #{index + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            self.fail(where, "must be a table with a 'name'")
            return None
        self._keys(where, raw, {"name", "logins", "emails"})
        name = self._display_name(where, raw["name"])
        logins = self._identifiers(where, "logins", raw.get("logins", []), "a login")
        for login in logins:
            forge, _, user = login.partition(":")
            if forge not in FORGES or not user:
                self.fail(f"{where}: field 'logins'", f"{_show(login)} must read forge:login, forge one of {', '.join(FORGES)}")
        emails = self._identifiers(where, "emails", raw.get("emails", []), "an e-mail address")
        for email in emails:
            if "@" not in email.strip("@"):
                self.fail(f"{where}: field 'emails'", f"{_show(email)} is not an e-mail address (name@domain)")
        return Alias(name or "", logins, tuple(e.lower() for e in emails))


def _is_number(value: Any) -> bool:
    """An int or a finite float; a bool is not a number here. Never converts a huge int to float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _normal_url(url: str) -> str:
    """The url as the collectors get it: scheme in lower case, no trailing slash."""
    scheme, sep, rest = url.partition("://")
    return (scheme.lower() + sep + rest).rstrip("/")


def _url_problem(url: Any, forge: Any) -> str | None:
    """Why a registry url cannot be used, or None. Never repeats credentials."""
    if not isinstance(url, str):
        return f"must be a string such as 'https://git.example.org', got {_show(url)}"
    if "@" in url:
        return (
            f"must not carry credentials ({_show(_mask_credentials(url), 80)}); put the token in an environment"
            " variable and name it with 'token_env'"
        )
    if len(url) > MAX_URL:
        return f"is {len(url)} characters long; at most {MAX_URL} are allowed"
    odd = _odd_character(url, spaces=False)
    if odd:
        return f"{_show(url, 80)} contains {odd} (a space, control or direction character); remove it"
    if "?" in url or "#" in url:
        return f"{_show(url, 80)} must not have a query or a fragment; give the API or instance root only"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"{_show(url, 80)} is not a valid URL ({exc}); write it like https://git.example.org or http://[::1]:8080"
    if parts.scheme not in ("http", "https"):
        return f"must be an http(s) URL such as https://git.example.org, got {_show(url, 80)}"
    if not host:
        return f"{_show(url, 80)} has no host; write it like https://git.example.org"
    if port == 0 or parts.netloc.endswith(":"):
        return f"{_show(url, 80)}: the port must be a number from 1 to 65535"
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"{_show(url, 80)}: {_show(host)} is not an IPv6 address"
        if forge == "github":
            # PyGithub rebuilds request URLs from the bare host name, which breaks on an
            # address literal; a host name that resolves to the address works.
            return f"{_show(url, 80)}: a GitHub account cannot use an IPv6 address literal; use a host name that resolves to it"
    else:
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return f"{_show(url, 80)}: {_show(host)} is not a valid host name"
        labels = ascii_host.removesuffix(".").split(".")
        if len(ascii_host) > 253 or not all(_HOST_LABEL_RE.match(label) for label in labels):
            return f"{_show(url, 80)}: {_show(host)} is not a valid host name"
    if not _URL_PATH_RE.match(parts.path):
        return f"{_show(url, 80)}: the path may hold letters, digits and - . _ ~ / only (and %-escapes)"
    return None
