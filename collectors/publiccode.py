"""A safe, complete parser for publiccode.yml files (standard versions 0.2 to 0.5).

``parse_publiccode(data)`` takes the file's bytes (or text) and always returns a
:class:`PubliccodeInfo`; it never raises for bad input. An invalid file is still
parsed as far as it can be: its fields are returned together with the validation
errors, so that it can be stored and shown with what is wrong with it.

Safety
------
- Input larger than ``MAX_INPUT_BYTES`` is refused unparsed.
- The input must be UTF-8 (a UTF-8 BOM is accepted); anything else is refused.
- YAML is read with a ``SafeLoader`` subclass: no Python object is ever built
  from a tag (``!!python/...``, ``!!binary``, ``!!set``, local tags...): a
  document using such a tag is refused.
- Aliases are limited: at most ``MAX_ALIASES`` alias uses, and the document as
  expanded (every alias counted as a full copy of its target) may hold at most
  ``MAX_NODES`` nodes and ``MAX_EXPANDED_CHARS`` characters of scalars; recursive
  aliases are refused. This defeats "billion laughs" before anything is built.
- Nesting deeper than ``MAX_DEPTH`` is refused (no recursion blow-up).
- Every string is capped at ``MAX_STRING_CHARS`` characters (keys at
  ``MAX_KEY_CHARS``); NUL and other C0 control characters (tab, newline and
  carriage return excepted), DEL, C1 control characters and lone surrogates
  are removed, so what is returned can be stored as UTF-8 text. Text is otherwise kept as is (``<script>`` stays
  ``<script>``): escaping is the renderer's job.

YAML flavour
------------
The standard asks for YAML 1.2, so the loader resolves plain scalars the 1.2
way where 1.1 would lose information: only ``true``/``false`` (any case form of
the core schema) are booleans, so the country code ``NO`` or the language ``no``
stay strings; plain numbers are kept as the text written (``softwareVersion: 1.10``
stays ``"1.10"``, ``phone: +39...`` keeps its ``+``): publiccode.yml has no
numeric field, and Go's parser reads those scalars as text too. Dates
(``releaseDate: 2021-01-01``) are recognised and turned into ISO strings in
``raw``. Duplicate keys are reported as errors (the last value is used).

Validation
----------
Required keys, types, enumerations (developmentStatus, softwareType,
maintenance.type, categories, intendedAudience.scope), dates, URLs, SPDX
expression syntax, description lengths, and the maintenance rules
(contractors if and only if ``contract``; contacts for ``internal`` and
``community``) are checked against the standard. Version-dependent rules:
``categories`` is mandatory in 0.2 and 0.3, optional from 0.4; the value
``standalone`` for softwareType is only deprecated (a warning) in 0.2.
Non-standard spellings (``organization``, ``localization``, ...) are used as a
fallback and reported; the Italian section is read from ``IT`` or from the legacy
lowercase ``it``. Each error names its key path, e.g.
``maintenance.contractors[0].until: not a date (YYYY-MM-DD): '2021-13-01'``.

Nothing here touches the network or storage.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_EXPANDED_CHARS",
    "MAX_INPUT_BYTES",
    "MAX_KEY_CHARS",
    "MAX_NODES",
    "MAX_STRING_CHARS",
    "PubliccodeInfo",
    "parse_publiccode",
    "to_json",
]

# --------------------------------------------------------------------------- limits

MAX_INPUT_BYTES = 512 * 1024  # real files are a few KiB; larger input is not parsed
MAX_ALIASES = 100  # alias uses (*name) per document
MAX_NODES = 20_000  # nodes of the document with every alias expanded (real files: a few hundred)
MAX_EXPANDED_CHARS = 4 * 1024 * 1024  # scalar characters with every alias expanded
MAX_DEPTH = 50  # nesting of mappings and sequences
MAX_STRING_CHARS = 10_000  # per string value (longDescription's own maximum)
MAX_KEY_CHARS = 256  # per mapping key
MAX_ERRORS = 100  # errors (and warnings) kept per file

# --------------------------------------------------------------------------- the standard

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
PLATFORMS = ("web", "windows", "mac", "linux", "ios", "android")  # others allowed
IT_EXTENSION_VERSIONS = ("0.2", "1.0")

CATEGORIES = frozenset(
    ["accounting", "agile-project-management", "applicant-tracking", "application-development", "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting", "business-intelligence", "business-process-management", "cad", "call-center-management", "cloud-management", "collaboration", "communications", "compliance-management", "contact-management", "content-management", "crm", "customer-service-and-support", "data-analytics", "data-collection", "data-visualization", "design", "design-system", "digital-asset-management", "digital-citizenship", "document-management", "donor-management", "e-commerce", "e-signature", "educational-content", "email-management", "email-marketing", "employee-management", "enterprise-project-management", "enterprise-social-networking", "erp", "event-management", "facility-management", "feedback-and-reviews-management", "financial-reporting", "fleet-management", "fundraising", "gamification", "geographic-information-systems", "grant-management", "graphic-design", "help-desk", "hr", "ide", "identity-management", "instant-messaging", "integrated-library-system", "inventory-management", "it-asset-management", "it-development", "it-management", "it-security", "it-service-management", "knowledge-management", "learning-management-system", "marketing", "mind-mapping", "mobile-marketing", "mobile-payment", "network-management", "office", "online-booking", "online-community", "payment-gateway", "payroll", "predictive-analysis", "procurement", "productivity-suite", "project-collaboration", "project-management", "property-management", "real-estate-management", "regulations-and-directives", "remote-support", "resource-management", "sales-management", "seo", "service-desk", "social-media-management", "survey", "talent-management", "task-management", "taxes-management", "test-management", "time-management", "time-tracking", "translation", "video-conferencing", "video-editing", "visitor-management", "voip", "warehouse-management", "web-collaboration", "web-conferencing", "website-builder", "whistleblowing", "workflow-management", "other"]
)

SCOPES = frozenset(
    ["agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy", "environment", "finance-and-economic-development", "foreign-affairs", "government", "healthcare", "infrastructures", "justice", "local-authorities", "manufacturing", "research", "science-and-technology", "security", "society", "sport", "tourism", "transportation", "welfare"]
)

TOP_LEVEL_KEYS = frozenset(
    ["publiccodeYmlVersion", "name", "applicationSuite", "url", "landingURL", "isBasedOn", "softwareVersion", "releaseDate", "logo", "monochromeLogo", "inputTypes", "outputTypes", "platforms", "categories", "usedBy", "fundedBy", "roadmap", "developmentStatus", "softwareType", "supports", "organisation", "intendedAudience", "description", "legal", "maintenance", "localisation", "dependsOn", "IT", "it"]
)

# Spellings found in the wild that the standard (British English throughout) does not use.
TOP_LEVEL_MISSPELLINGS = {
    "organization": "organisation",
    "localization": "localisation",
    "publiccodeYAMLVersion": "publiccodeYmlVersion",
    "publiccodeYamlVersion": "publiccodeYmlVersion",
    "landingUrl": "landingURL",
}
LOCALISATION_MISSPELLINGS = {"localizationReady": "localisationReady"}
DESCRIPTION_MISSPELLINGS = {"localizedName": "localisedName"}

_VERSION_RE = re.compile(r"^0(?:\.([0-9]{1,4})(?:\.[0-9]{1,9})?)?$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPDX_TOKEN_RE = re.compile(r"\s*(\(|\)|[A-Za-z0-9.\-]+(?::[A-Za-z0-9.\-]+)?\+?)")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class PubliccodeInfo:
    """What a publiccode.yml says, and what is wrong with it.

    ``valid`` is True when ``errors`` is empty. ``warnings`` note deprecated or
    non-standard usage that does not make the file invalid. Dates inside
    ``contractors`` and ``raw`` are ISO strings; ``raw`` is JSON-serialisable.
    """

    valid: bool = False
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    version: str | None = None  # publiccodeYmlVersion
    name: str | None = None
    url: str | None = None
    landing_url: str | None = None
    development_status: str | None = None
    software_type: str | None = None
    license: str | None = None  # legal.license (SPDX expression)
    main_copyright_owner: str | None = None  # legal.mainCopyrightOwner
    used_by: tuple[str, ...] = ()
    is_based_on: tuple[str, ...] = ()
    maintenance_type: str | None = None
    maintenance_until: date | None = None  # the latest contractor `until`
    contractors: tuple[dict, ...] = field(default=(), hash=False)  # {name, until, website, email}
    contacts: tuple[dict, ...] = field(default=(), hash=False)  # {name, email, affiliation, phone}
    platforms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    it_section: dict | None = field(default=None, hash=False)  # `IT:` (or legacy `it:`)
    raw: dict = field(default_factory=dict, hash=False)
    # Extras, handy for the dashboard.
    software_version: str | None = None
    release_date: date | None = None
    application_suite: str | None = None
    organisation_uri: str | None = None  # organisation.uri (0.5)
    organisation_name: str | None = None  # organisation.name, else legal.repoOwner
    description_languages: tuple[str, ...] = ()
    short_description: str | None = None  # English if present, else the first language

    def to_dict(self) -> dict:
        """A JSON-ready dict of every field (dates as ISO strings)."""
        return json.loads(to_json(self))


def to_json(obj: Any, **kwargs: Any) -> str:
    """JSON text of a PubliccodeInfo, or of any part of one (dates become ISO strings)."""
    kwargs.setdefault("ensure_ascii", False)
    kwargs.setdefault("allow_nan", False)
    return json.dumps(obj, default=_json_default, **kwargs)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if isinstance(obj, (bytes, bytearray)):
        return obj.decode("utf-8", "replace")
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


# --------------------------------------------------------------------------- the YAML loader


class _LimitError(Exception):
    """The document exceeds one of the safety limits."""


_TAG = "tag:yaml.org,2002:"
_ALLOWED_CONSTRUCTORS = ("null", "bool", "int", "float", "timestamp", "str", "seq", "map")


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader, restricted further: plain YAML data only, limits on aliases and depth."""

    # Constructors: only plain data types. `!!binary`, `!!set`, `!!omap`, `!!pairs`
    # and any other tag (notably `!!python/...`) fall through to construct_undefined.
    yaml_constructors: ClassVar[dict] = {
        tag: fn
        for tag, fn in yaml.SafeLoader.yaml_constructors.items()
        if tag is None or tag in {_TAG + t for t in _ALLOWED_CONSTRUCTORS}
    }
    yaml_multi_constructors: ClassVar[dict] = {}

    # Implicit resolvers, YAML 1.2 style: keep null, timestamps and merge keys,
    # drop YAML 1.1 booleans (yes/no/on/off), numbers (kept as text), `=` and the
    # odd `!`/`&`/`*` resolvers; add core-schema booleans below.
    yaml_implicit_resolvers: ClassVar[dict] = {
        first: [
            (tag, rx)
            for tag, rx in resolvers
            if tag in (_TAG + "null", _TAG + "timestamp", _TAG + "merge")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        self._aliases = 0
        self._depth = 0
        self._composed = 0
        self.duplicate_errors: list[str] = []
        self.node_paths: dict[int, str] = {}
        super().__init__(stream)

    # -- composing: count aliases, nodes and depth as the tree is built
    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                event = self.peek_event()
                raise _LimitError(
                    f"more than {MAX_ALIASES} aliases (line {event.start_mark.line + 1}); "
                    "refused (alias expansion limit)"
                )
            return super().compose_node(parent, index)
        self._composed += 1
        if self._composed > MAX_NODES:
            raise _LimitError(f"more than {MAX_NODES} nodes; refused")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise _LimitError(
                f"nesting deeper than {MAX_DEPTH} levels (line {event.start_mark.line + 1}); refused"
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    # -- constructing
    def construct_undefined(self, node):
        tag = _clip(str(node.tag).replace(_TAG, "!!", 1), 80)
        raise ConstructorError(
            None, None, f"tag {tag!r} is not allowed in publiccode.yml", node.start_mark
        )

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == _TAG + "merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:  # unhashable keys: the base class reports them
                    continue
                if key in seen:
                    where = self.node_paths.get(id(node), "")
                    self.duplicate_errors.append(
                        f"{_join(where, _key_text(key))}: duplicate key "
                        f"(line {key_node.start_mark.line + 1}); the last value is used"
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        text = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-").lower()
        try:
            if digits[:2] in ("0x", "0o", "0b"):
                return sign * int(digits, 0)  # the prefix names the base
            return sign * int(digits, 10)
        except ValueError:
            raise ConstructorError(
                None, None, f"not an integer: {_clip(text, 40)!r}", node.start_mark
            ) from None

    def construct_yaml_float(self, node):
        try:
            return super().construct_yaml_float(node)
        except ValueError:
            raise ConstructorError(
                None, None, f"not a number: {_clip(str(node.value), 40)!r}", node.start_mark
            ) from None

    def construct_yaml_timestamp(self, node):
        # An impossible date such as 2021-02-30 stays a string (and fails validation
        # where a date is expected) instead of failing the whole document.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, TypeError, AttributeError, OverflowError):
            return str(node.value)


_SafeLoader.add_constructor(_TAG + "int", _SafeLoader.construct_yaml_int)
_SafeLoader.add_constructor(_TAG + "float", _SafeLoader.construct_yaml_float)
_SafeLoader.add_constructor(_TAG + "timestamp", _SafeLoader.construct_yaml_timestamp)
_SafeLoader.add_constructor(None, _SafeLoader.construct_undefined)
_SafeLoader.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _children(node) -> list:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root, paths: dict[int, str]) -> None:
    """Measure the document as if every alias were expanded; refuse it if too big.

    Memoised on node identity, so it costs one visit per distinct node even when
    the expansion is astronomically large. Also records, for each mapping node,
    the key path where it is first met (used in duplicate-key errors).
    """
    cost: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool, str]] = [(root, False, "")]
    while stack:
        node, done, path = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            nodes = 1
            chars = len(node.value) if isinstance(node, ScalarNode) else 0
            for child in _children(node):
                child_nodes, child_chars = cost[id(child)]
                nodes += child_nodes
                chars += child_chars
            if nodes > MAX_NODES:
                raise _LimitError(
                    f"expands to more than {MAX_NODES} nodes through aliases; refused "
                    "(alias expansion limit)"
                )
            if chars > MAX_EXPANDED_CHARS:
                raise _LimitError(
                    f"expands to more than {MAX_EXPANDED_CHARS} characters through aliases; "
                    "refused (alias expansion limit)"
                )
            cost[nid] = (nodes, chars)
            continue
        if nid in cost:
            continue
        if nid in on_path:
            raise _LimitError(f"{path or 'document'}: recursive alias; refused")
        on_path.add(nid)
        paths.setdefault(nid, path)
        stack.append((node, True, path))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.tag == _TAG + "merge":
                    child_path = path
                elif isinstance(key_node, ScalarNode):
                    child_path = _join(path, _clip(key_node.value, 60))
                else:
                    child_path = _join(path, "?")
                for child, child_p in ((key_node, _join(path, "(key)")), (value_node, child_path)):
                    if id(child) not in cost:
                        stack.append((child, False, child_p))
        elif isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                if id(child) not in cost:
                    stack.append((child, False, f"{path}[{i}]"))


def _load_yaml(text: str) -> tuple[Any, list[str]]:
    """Parse one YAML document safely. Returns (data, duplicate-key errors)."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        _check_expansion(node, loader.node_paths)
        data = loader.construct_document(node)
        return data, list(loader.duplicate_errors)
    finally:
        loader.dispose()


def _yaml_error_text(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}"
            return f"YAML error at {where}: {_clip(problem, 200)}"
        return f"YAML error: {_clip(problem, 200)}"
    if isinstance(exc, yaml.reader.ReaderError):
        return (
            f"not a text file: unacceptable character #x{exc.character:04x} "
            f"at position {exc.position}"
        )
    return f"YAML error: {_clip(str(exc), 200)}"


# --------------------------------------------------------------------------- helpers


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (date, datetime)):
        return key.isoformat()
    return str(key)


def _show(value: Any) -> str:
    """A short, quoted rendering of a value for an error message."""
    if isinstance(value, str):
        return repr(_clip(value, 80))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return _type_name(value)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class _Report:
    """Errors and warnings collected while reading a document."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.truncated: set[str] = set()
        self.cleaned = False

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}" if path else message)

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path}: {message}" if path else message)

    @staticmethod
    def _capped(items: list[str]) -> tuple[str, ...]:
        unique = list(dict.fromkeys(items))
        if len(unique) > MAX_ERRORS:
            rest = len(unique) - MAX_ERRORS
            unique = unique[:MAX_ERRORS] + [f"... and {rest} more"]
        return tuple(unique)

    def result_errors(self) -> tuple[str, ...]:
        return self._capped(self.errors)

    def result_warnings(self) -> tuple[str, ...]:
        return self._capped(self.warnings)


def _clean_text(text: str, limit: int, path: str, report: _Report) -> str:
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
        report.cleaned = True
    if len(text) > limit:
        report.truncated.add(path)
        text = text[:limit]
    return text


def _jsonable(value: Any, path: str, report: _Report, depth: int = 0) -> Any:
    """The parsed document as plain JSON data: dates to ISO strings, keys to strings,
    strings cleaned and capped."""
    if depth > MAX_DEPTH * 2:
        raise _LimitError(f"{path}: nesting too deep through aliases; refused")
    if isinstance(value, str):
        return _clean_text(value, MAX_STRING_CHARS, path, report)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                report.warn(_join(path, _key_text(key)), "key is not a string; read as text")
            key_text = _clean_text(_key_text(key), MAX_KEY_CHARS, _join(path, "(key)"), report)
            child = _join(path, key_text)
            out[key_text] = _jsonable(item, child, report, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, f"{path}[{i}]", report, depth + 1) for i, item in enumerate(value)]
    # Not reachable with the restricted loader; kept inert just in case.
    return _clean_text(str(value), MAX_STRING_CHARS, path, report)


# --------------------------------------------------------------------------- field readers


class _Reader:
    """Typed access to the JSON-safe document, reporting problems by key path."""

    def __init__(self, report: _Report) -> None:
        self.r = report

    def mapping(self, value: Any, path: str, required: bool = False) -> dict | None:
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return None
        if not isinstance(value, dict):
            self.r.error(path, f"expected a mapping, got {_type_name(value)}")
            return None
        return value

    def string(self, value: Any, path: str, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return None
        if isinstance(value, bool):
            self.r.error(path, f"expected a string, got {_type_name(value)}")
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            self.r.error(path, f"expected a string, got {_type_name(value)}")
            return None
        text = value.strip()
        if not text and required:
            self.r.error(path, "must not be empty")
            return None
        return text or None

    def boolean(self, value: Any, path: str, required: bool = False) -> bool | None:
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "no", "on", "off", "y", "n"):
            self.r.warn(path, f"{_show(value)} is a YAML 1.1 boolean; use true or false")
            return value.strip().lower() in ("yes", "on", "y")
        self.r.error(path, f"expected true or false, got {_show(value)}")
        return None

    def string_list(
        self, value: Any, path: str, required: bool = False, single_ok: bool = False
    ) -> list[tuple[str, str]]:
        """A list of (path, text); a lone string is accepted (with an error unless single_ok)."""
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return []
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            if not single_ok:
                self.r.error(path, "expected a list, got a single value")
            text = str(value).strip()
            return [(path, text)] if text else []
        if not isinstance(value, list):
            self.r.error(path, f"expected a list of strings, got {_type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            text = self.string(item, item_path)
            if text is None:
                if item is None:
                    self.r.error(item_path, "empty entry")
                continue
            out.append((item_path, text))
        if required and not out:
            self.r.error(path, "must not be empty")
        return out

    def mapping_list(self, value: Any, path: str) -> list[tuple[str, dict]]:
        if value is None:
            return []
        if isinstance(value, dict):
            self.r.error(path, "expected a list, got a mapping")
            return [(f"{path}[0]", value)]
        if not isinstance(value, list):
            self.r.error(path, f"expected a list, got {_type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            if isinstance(item, dict):
                out.append((item_path, item))
            else:
                self.r.error(item_path, f"expected a mapping, got {_type_name(item)}")
        return out

    def enum(self, value: Any, path: str, allowed: tuple[str, ...], required: bool = True) -> str | None:
        text = self.string(value, path, required=required)
        if text is not None and text not in allowed:
            self.r.error(path, f"{_show(text)} is not one of: {', '.join(allowed)}")
        return text

    def date_value(self, value: Any, path: str, required: bool = False) -> date | None:
        """A YYYY-MM-DD date (already an ISO string in the JSON-safe document)."""
        text = self.string(value, path, required=required)
        if text is None:
            return None
        if _DATE_RE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        self.r.error(path, f"not a date (YYYY-MM-DD): {_show(text)}")
        # A full timestamp still tells the day.
        if len(text) > 10 and _DATE_RE.match(text[:10]) and text[10] in "T ":
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return None
        return None

    def url(self, value: Any, path: str, required: bool = False, http_only: bool = False) -> str | None:
        text = self.string(value, path, required=required)
        if text is not None and not _is_url(text, http_only):
            kind = "an http(s) URL" if http_only else "a URL"
            self.r.error(path, f"not {kind}: {_show(text)}")
        return text


def _is_url(text: str, http_only: bool) -> bool:
    if any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if http_only:
        return scheme in ("http", "https") and bool(parts.netloc)
    if scheme in ("javascript", "data", "vbscript", "file"):
        return False
    # git@host:owner/repo.git (scp-like) is how some files give a repository.
    if not scheme and re.match(r"^[\w.-]+@[\w.-]+:[\w./~-]+$", text):
        return True
    return bool(scheme) and bool(parts.netloc)


def _spdx_ok(expression: str) -> bool:
    """Syntax of an SPDX license expression (the ids themselves are not checked)."""
    tokens: list[str] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        m = _SPDX_TOKEN_RE.match(text, pos)
        if not m:
            return False
        tokens.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        return False

    index = 0

    def peek() -> str | None:
        return tokens[index] if index < len(tokens) else None

    def simple() -> bool:
        nonlocal index
        tok = peek()
        if tok is None or tok in ("(", ")", "AND", "OR", "WITH"):
            return False
        index += 1
        return True

    def term() -> bool:
        nonlocal index
        if peek() == "(":
            index += 1
            if not expr() or peek() != ")":
                return False
            index += 1
            return True
        if not simple():
            return False
        if peek() == "WITH":
            index += 1
            return simple()
        return True

    def expr() -> bool:
        nonlocal index
        if not term():
            return False
        while peek() in ("AND", "OR"):
            index += 1
            if not term():
                return False
        return True

    try:
        return expr() and index == len(tokens)
    except RecursionError:
        return False


def _first(mapping: dict, key: str, misspellings: dict[str, str]) -> tuple[Any, str | None]:
    """mapping[key], falling back on a non-standard spelling of it (reported)."""
    if key in mapping:
        return mapping[key], None
    for wrong, right in misspellings.items():
        if right == key and wrong in mapping:
            return mapping[wrong], wrong
    return None, None


# --------------------------------------------------------------------------- the parser


def parse_publiccode(data: bytes | str) -> PubliccodeInfo:
    """Parse and validate a publiccode.yml. Never raises for bad input."""
    try:
        return _parse(data)
    except Exception as exc:  # noqa: BLE001 (a bug here must not stop a collection run)
        return PubliccodeInfo(
            valid=False,
            errors=(f"internal error while parsing: {type(exc).__name__}: {_clip(str(exc), 200)}",),
        )


def _invalid(message: str) -> PubliccodeInfo:
    return PubliccodeInfo(valid=False, errors=(message,))


def _decode(data: Any) -> tuple[str | None, str | None]:
    """(text, error)."""
    if isinstance(data, str):
        size = len(data.encode("utf-8", "surrogatepass")) if len(data) <= MAX_INPUT_BYTES else len(data)
        if size > MAX_INPUT_BYTES:
            return None, f"file too large: over the {MAX_INPUT_BYTES}-byte limit; not parsed"
        return data.removeprefix("\ufeff"), None
    if isinstance(data, memoryview):
        data = data.tobytes()
    if not isinstance(data, (bytes, bytearray)):
        return None, f"input must be bytes or str, got {type(data).__name__}"
    if len(data) > MAX_INPUT_BYTES:
        return None, (
            f"file too large: {len(data)} bytes, over the {MAX_INPUT_BYTES}-byte limit; not parsed"
        )
    raw = bytes(data)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "not UTF-8: the file is UTF-16 (publiccode.yml must be UTF-8)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, (
            f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            "(publiccode.yml must be UTF-8)"
        )
    return text.removeprefix("\ufeff"), None


def _parse(data: Any) -> PubliccodeInfo:
    text, problem = _decode(data)
    if problem is not None:
        return _invalid(problem)
    assert text is not None
    if not text.strip():
        return _invalid("empty file")

    try:
        document, duplicate_errors = _load_yaml(text)
    except _LimitError as exc:
        return _invalid(f"YAML refused: {exc}")
    except yaml.YAMLError as exc:
        return _invalid(_yaml_error_text(exc))
    except RecursionError:
        return _invalid("YAML refused: nesting too deep")

    if document is None:
        return _invalid("empty document (no content besides comments)")
    if not isinstance(document, dict):
        return _invalid(f"document root: expected a mapping of keys, got {_type_name(document)}")

    report = _Report()
    report.errors.extend(duplicate_errors)
    try:
        raw = _jsonable(document, "", report)
    except _LimitError as exc:
        return _invalid(f"YAML refused: {exc}")
    if report.cleaned:
        report.warn("", "control characters removed from text")
    for path in sorted(report.truncated):
        report.warn(path, f"text longer than {MAX_STRING_CHARS} characters; truncated")

    fields = _read_document(raw, report)
    errors = report.result_errors()
    return PubliccodeInfo(
        valid=not errors,
        errors=errors,
        warnings=report.result_warnings(),
        raw=raw,
        **fields,
    )


def _read_document(doc: dict, report: _Report) -> dict[str, Any]:
    rd = _Reader(report)
    out: dict[str, Any] = {}

    # Unknown and misspelt top-level keys.
    for key in doc:
        if key in TOP_LEVEL_KEYS:
            continue
        if key in TOP_LEVEL_MISSPELLINGS:
            right = TOP_LEVEL_MISSPELLINGS[key]
            if right in doc:
                report.warn(key, f"non-standard key ignored (the standard key is {right!r})")
            else:
                report.warn(key, f"non-standard spelling; the standard key is {right!r} (value used)")
        elif key in ("publiccode-yaml-version", "tags"):
            pass  # 0.1 keys, handled below
        elif _COUNTRY_RE.match(key):
            report.warn(key, "country-specific sections are deprecated")
        else:
            report.warn(key, "unknown key")

    # -- version
    version_value, wrong = _first(doc, "publiccodeYmlVersion", TOP_LEVEL_MISSPELLINGS)
    legacy_version = doc.get("publiccode-yaml-version")
    if version_value is None and legacy_version is not None:
        report.error(
            "publiccodeYmlVersion",
            "required key missing (found the 0.1 key 'publiccode-yaml-version')",
        )
        version = rd.string(legacy_version, "publiccode-yaml-version")
    elif wrong is not None:
        report.error("publiccodeYmlVersion", f"required key missing (found {wrong!r})")
        version = rd.string(version_value, wrong)
    else:
        version = rd.string(version_value, "publiccodeYmlVersion", required=True)
    minor = 5  # rules of the latest version when unknown
    if version is not None:
        m = _VERSION_RE.match(version)
        if m is None or (m.group(1) is not None and not 2 <= int(m.group(1)) <= 5):
            report.error(
                "publiccodeYmlVersion",
                f"unsupported version {_show(version)} (supported: 0.2 to 0.5, or 0)",
            )
            if m is not None and m.group(1) is not None and int(m.group(1)) < 2:
                minor = 2
        elif m.group(1) is not None:
            minor = int(m.group(1))
    out["version"] = version

    # -- identity
    out["name"] = rd.string(doc.get("name"), "name", required=True)
    out["application_suite"] = rd.string(doc.get("applicationSuite"), "applicationSuite")
    out["url"] = rd.url(doc.get("url"), "url", required=True)
    landing, wrong = _first(doc, "landingURL", TOP_LEVEL_MISSPELLINGS)
    out["landing_url"] = rd.url(landing, wrong or "landingURL", http_only=True)
    out["is_based_on"] = tuple(
        text for path, text in rd.string_list(doc.get("isBasedOn"), "isBasedOn", single_ok=True)
        if rd.url(text, path) is not None
    )
    out["software_version"] = rd.string(doc.get("softwareVersion"), "softwareVersion")
    out["release_date"] = rd.date_value(doc.get("releaseDate"), "releaseDate")
    rd.string(doc.get("logo"), "logo")
    if "monochromeLogo" in doc:
        rd.string(doc.get("monochromeLogo"), "monochromeLogo")
        report.warn("monochromeLogo", "deprecated")
    for key in ("inputTypes", "outputTypes"):
        if key in doc:
            rd.string_list(doc.get(key), key)
            report.warn(key, "deprecated")
    rd.url(doc.get("roadmap"), "roadmap", http_only=True)

    # -- platforms, categories, usedBy
    out["platforms"] = tuple(
        t for _, t in rd.string_list(doc.get("platforms"), "platforms", required=True, single_ok=True)
    )
    categories_value = doc.get("categories")
    categories_path = "categories"
    if categories_value is None and doc.get("tags") is not None:
        categories_value, categories_path = doc.get("tags"), "tags"
        report.warn("tags", "0.1 key; the standard key is 'categories' (value used)")
    categories = rd.string_list(categories_value, categories_path, required=minor <= 3)
    for path, text in categories:
        if text not in CATEGORIES:
            report.error(path, f"{_show(text)} is not a category of the standard's list")
    out["categories"] = tuple(t for _, t in categories)
    out["used_by"] = tuple(t for _, t in rd.string_list(doc.get("usedBy"), "usedBy"))

    for path, funder in rd.mapping_list(doc.get("fundedBy"), "fundedBy"):
        rd.string(funder.get("name"), _join(path, "name"), required=True)
        rd.string(funder.get("uri"), _join(path, "uri"))

    # -- enumerations
    out["development_status"] = rd.enum(
        doc.get("developmentStatus"), "developmentStatus", DEVELOPMENT_STATUSES
    )
    software_type = rd.string(doc.get("softwareType"), "softwareType", required=True)
    if software_type is not None and software_type not in SOFTWARE_TYPES:
        if software_type == "standalone" and minor == 2:
            report.warn("softwareType", "'standalone' is deprecated; use one of the standalone/* values")
        else:
            report.error(
                "softwareType",
                f"{_show(software_type)} is not one of: {', '.join(SOFTWARE_TYPES)}",
            )
    out["software_type"] = software_type

    # -- supports (0.5)
    for path, item in rd.mapping_list(doc.get("supports"), "supports"):
        ident = rd.string(item.get("id"), _join(path, "id"), required=True)
        if ident is not None and not ident.startswith("alias:") and not urlsplit(ident).scheme:
            report.error(_join(path, "id"), f"not an alias:<name> or a URI: {_show(ident)}")

    # -- organisation (0.5), or its non-standard spelling
    org_value, wrong = _first(doc, "organisation", TOP_LEVEL_MISSPELLINGS)
    org_path = wrong or "organisation"
    organisation = rd.mapping(org_value, org_path)
    out["organisation_uri"] = out["organisation_name"] = None
    if organisation is not None:
        out["organisation_uri"] = rd.string(
            organisation.get("uri"), _join(org_path, "uri"), required=True
        )
        out["organisation_name"] = rd.string(organisation.get("name"), _join(org_path, "name"))

    # -- intendedAudience
    audience = rd.mapping(doc.get("intendedAudience"), "intendedAudience")
    if audience is not None:
        for key in ("countries", "unsupportedCountries"):
            path = _join("intendedAudience", key)
            for item_path, code in rd.string_list(audience.get(key), path):
                if not _COUNTRY_RE.match(code):
                    report.error(item_path, f"not an ISO 3166-1 alpha-2 country code: {_show(code)}")
                elif code != code.upper():
                    report.warn(
                        item_path,
                        f"lowercase country code {_show(code)} is deprecated; use {code.upper()!r}",
                    )
        for item_path, scope in rd.string_list(audience.get("scope"), "intendedAudience.scope"):
            if scope not in SCOPES:
                report.error(item_path, f"{_show(scope)} is not a scope of the standard's list")

    # -- description
    _read_description(doc.get("description"), rd, report, out)

    # -- legal
    legal_value = doc.get("legal")
    legal = rd.mapping(legal_value, "legal") or {}
    # A missing section is reported by its required key; a mistyped one by its type.
    license_ = rd.string(
        legal.get("license"),
        "legal.license",
        required=legal_value is None or isinstance(legal_value, dict),
    )
    if license_ is not None and not _spdx_ok(license_):
        report.error("legal.license", f"not a valid SPDX license expression: {_show(license_)}")
    out["license"] = license_
    out["main_copyright_owner"] = rd.string(legal.get("mainCopyrightOwner"), "legal.mainCopyrightOwner")
    repo_owner = rd.string(legal.get("repoOwner"), "legal.repoOwner")
    rd.string(legal.get("authorsFile"), "legal.authorsFile")
    if out["organisation_name"] is None and repo_owner is not None:
        out["organisation_name"] = repo_owner

    # -- maintenance
    _read_maintenance(doc.get("maintenance"), rd, report, out)

    # -- localisation
    loc_value, wrong = _first(doc, "localisation", TOP_LEVEL_MISSPELLINGS)
    if loc_value is None:
        report.error("localisation", "required key missing")
    else:
        if wrong is not None:
            report.error(
                "localisation",
                f"required key missing (found {wrong!r}: the standard spells it 'localisation')",
            )
        loc_path = wrong or "localisation"
        localisation = rd.mapping(loc_value, loc_path)
        if localisation is not None:
            ready, wrong_ready = _first(localisation, "localisationReady", LOCALISATION_MISSPELLINGS)
            ready_path = _join(loc_path, wrong_ready or "localisationReady")
            if wrong_ready is not None:
                report.error(
                    _join(loc_path, "localisationReady"),
                    f"required key missing (found {wrong_ready!r})",
                )
            rd.boolean(ready, ready_path, required=wrong_ready is None)
            languages = rd.string_list(
                localisation.get("availableLanguages"),
                _join(loc_path, "availableLanguages"),
                required=True,
            )
            for item_path, lang in languages:
                if not _LANG_RE.match(lang):
                    report.error(item_path, f"not a BCP 47 language tag: {_show(lang)}")

    # -- dependsOn
    depends = rd.mapping(doc.get("dependsOn"), "dependsOn")
    if depends is not None:
        for kind in ("open", "proprietary", "hardware"):
            for path, dep in rd.mapping_list(depends.get(kind), _join("dependsOn", kind)):
                rd.string(dep.get("name"), _join(path, "name"), required=True)
                if "optional" in dep:
                    rd.boolean(dep.get("optional"), _join(path, "optional"))

    # -- the Italian extension: `IT`, or the legacy lowercase `it`
    out["it_section"] = None
    it_key = "IT" if "IT" in doc else ("it" if "it" in doc else None)
    if "IT" in doc and "it" in doc:
        report.warn("it", "both 'IT' and legacy 'it' present; 'IT' used")
    if it_key is not None:
        section = rd.mapping(doc.get(it_key), it_key)
        if section is not None:
            out["it_section"] = copy.deepcopy(section)  # not shared with raw
            ext = rd.string(section.get("countryExtensionVersion"), _join(it_key, "countryExtensionVersion"))
            if ext is not None and ext not in IT_EXTENSION_VERSIONS:
                report.error(
                    _join(it_key, "countryExtensionVersion"),
                    f"{_show(ext)} is not one of: {', '.join(IT_EXTENSION_VERSIONS)}",
                )
            for sub in ("conforme", "piattaforme"):
                block = rd.mapping(section.get(sub), _join(it_key, sub))
                for flag, value in (block or {}).items():
                    rd.boolean(value, _join(_join(it_key, sub), flag))
            riuso = rd.mapping(section.get("riuso"), _join(it_key, "riuso"))
            if riuso is not None:
                rd.string(riuso.get("codiceIPA"), _join(it_key, "riuso.codiceIPA"))
            if it_key == "it" and minor >= 3:
                report.warn("it", "lowercase 'it' is deprecated; use 'IT'")

    return out


def _read_description(value: Any, rd: _Reader, report: _Report, out: dict[str, Any]) -> None:
    out["description_languages"] = ()
    out["short_description"] = None
    description = rd.mapping(value, "description", required=True)
    if description is None:
        return
    if not description:
        report.error("description", "must contain at least one language")
        return
    languages: list[str] = []
    shorts: dict[str, str] = {}
    has_long = has_features = False
    for lang, block in description.items():
        path = _join("description", lang)
        if not _LANG_RE.match(lang):
            report.error(path, "not a BCP 47 language tag")
        languages.append(lang)
        block = rd.mapping(block, path)
        if block is None:
            continue
        short = rd.string(block.get("shortDescription"), _join(path, "shortDescription"), required=True)
        if short is not None:
            shorts[lang] = short
            if len(short) > 150:
                report.error(_join(path, "shortDescription"), f"longer than 150 characters ({len(short)})")
        long_path = _join(path, "longDescription")
        long_ = rd.string(block.get("longDescription"), long_path)
        if long_ is not None:
            has_long = True
            if long_path in report.truncated or len(long_) > 10_000:
                report.error(long_path, "longer than 10000 characters")
            elif len(long_) < 150:
                report.error(long_path, f"shorter than 150 characters ({len(long_)})")
        generic = rd.string(block.get("genericName"), _join(path, "genericName"))
        if generic is not None and len(generic) > 35:
            report.error(_join(path, "genericName"), f"longer than 35 characters ({len(generic)})")
        localised, wrong = _first(block, "localisedName", DESCRIPTION_MISSPELLINGS)
        if wrong is not None:
            report.warn(_join(path, wrong), "non-standard spelling; the standard key is 'localisedName'")
        rd.string(localised, _join(path, wrong or "localisedName"))
        if rd.string_list(block.get("features"), _join(path, "features")):
            has_features = True
        rd.url(block.get("documentation"), _join(path, "documentation"), http_only=True)
        rd.url(block.get("apiDocumentation"), _join(path, "apiDocumentation"), http_only=True)
        rd.string_list(block.get("screenshots"), _join(path, "screenshots"))
        for item_path, video in rd.string_list(block.get("videos"), _join(path, "videos")):
            rd.url(video, item_path, http_only=True)
        rd.string_list(block.get("awards"), _join(path, "awards"))
    if not has_long:
        report.error("description", "no language has a longDescription (required for at least one)")
    if not has_features:
        report.error("description", "no language has features (required for at least one)")
    out["description_languages"] = tuple(languages)
    for preferred in ("en", "en-GB", "en-US"):
        if preferred in shorts:
            out["short_description"] = shorts[preferred]
            break
    else:
        english = [lang for lang in shorts if lang.lower().startswith("en-")]
        if english:
            out["short_description"] = shorts[english[0]]
        elif shorts:
            out["short_description"] = next(iter(shorts.values()))


def _read_maintenance(value: Any, rd: _Reader, report: _Report, out: dict[str, Any]) -> None:
    out["maintenance_type"] = None
    out["maintenance_until"] = None
    out["contractors"] = ()
    out["contacts"] = ()
    if value is None:
        report.error("maintenance.type", "required key missing")
        return
    maintenance = rd.mapping(value, "maintenance")
    if maintenance is None:
        return
    kind = rd.enum(maintenance.get("type"), "maintenance.type", MAINTENANCE_TYPES)
    out["maintenance_type"] = kind

    contractors = []
    until_dates = []
    entries = rd.mapping_list(maintenance.get("contractors"), "maintenance.contractors")
    for path, entry in entries:
        until = rd.date_value(entry.get("until"), _join(path, "until"), required=True)
        if until is not None:
            until_dates.append(until)
        email = rd.string(entry.get("email"), _join(path, "email"))
        if email is not None and not _EMAIL_RE.match(email):
            report.error(_join(path, "email"), f"not an e-mail address: {_show(email)}")
        contractors.append(
            {
                "name": rd.string(entry.get("name"), _join(path, "name"), required=True),
                "until": until.isoformat() if until else None,
                "website": rd.url(entry.get("website"), _join(path, "website"), http_only=True),
                "email": email,
            }
        )
    if kind == "contract" and not entries:
        report.error("maintenance.contractors", "required when maintenance.type is 'contract'")
    if kind is not None and kind != "contract" and "contractors" in maintenance:
        report.error(
            "maintenance.contractors",
            f"must not be present when maintenance.type is {_show(kind)}",
        )

    contacts = []
    contact_entries = rd.mapping_list(maintenance.get("contacts"), "maintenance.contacts")
    for path, entry in contact_entries:
        email = rd.string(entry.get("email"), _join(path, "email"))
        if email is not None and not _EMAIL_RE.match(email):
            report.error(_join(path, "email"), f"not an e-mail address: {_show(email)}")
        contacts.append(
            {
                "name": rd.string(entry.get("name"), _join(path, "name"), required=True),
                "email": email,
                "affiliation": rd.string(entry.get("affiliation"), _join(path, "affiliation")),
                "phone": rd.string(entry.get("phone"), _join(path, "phone")),
            }
        )
    if kind in ("internal", "community") and not contact_entries:
        report.error("maintenance.contacts", f"required when maintenance.type is {_show(kind)}")

    out["contractors"] = tuple(contractors)
    out["contacts"] = tuple(contacts)
    out["maintenance_until"] = max(until_dates) if until_dates else None
