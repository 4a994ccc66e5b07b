"""What a reading of one document found (errors, warnings, checks not made), and the text helpers it uses."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from .limits import MAX_DEPTH, MAX_ERRORS, MAX_KEY_CHARS, MAX_STRING_CHARS

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (date, datetime)):
        return key.isoformat()
    return str(key)


def show(value: Any) -> str:
    """A short, quoted rendering of a value for an error message."""
    if isinstance(value, str):
        return repr(clip(value, 80))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return type_name(value)


def type_name(value: Any) -> str:
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


class Report:
    """Errors, warnings and checks not made, collected while reading a document."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.not_checked: list[str] = []
        self.truncated: set[str] = set()
        self.numbers: dict[str, str] = {}  # key path of an unquoted number -> Go's text of it
        self.cleaned = False

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}" if path else message)

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path}: {message}" if path else message)

    def unchecked(self, path: str, message: str) -> None:
        self.not_checked.append(f"{path}: {message}" if path else message)

    @staticmethod
    def capped(items: list[str]) -> tuple[str, ...]:
        unique = list(dict.fromkeys(items))
        if len(unique) > MAX_ERRORS:
            rest = len(unique) - MAX_ERRORS
            unique = [*unique[:MAX_ERRORS], f"... and {rest} more"]
        return tuple(unique)


class LimitExceeded(Exception):
    """Nesting too deep to turn into plain data (reachable only through aliases)."""


def clean_text(text: str, limit: int, path: str, report: Report) -> str:
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
        report.cleaned = True
    if len(text) > limit:
        report.truncated.add(path)
        text = text[:limit]
    return text


def to_plain(value: Any, path: str, report: Report, depth: int = 0) -> Any:
    """The parsed document as plain JSON data: keys to strings, strings cleaned and capped,
    unquoted numbers to their text (their paths noted in the report)."""
    if depth > MAX_DEPTH * 2:
        raise LimitExceeded(f"{path}: nesting too deep through aliases; refused")
    if isinstance(value, str):
        go_text = getattr(value, "go_text", None)
        if go_text is not None:
            report.numbers[path] = go_text()
        return clean_text(str(value), MAX_STRING_CHARS, path, report)
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
                report.warn(join(path, key_text(key)), "key is not a string; read as text")
            text = clean_text(key_text(key), MAX_KEY_CHARS, join(path, "(key)"), report)
            out[text] = to_plain(item, join(path, text), report, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [to_plain(item, f"{path}[{i}]", report, depth + 1) for i, item in enumerate(value)]
    # Not reachable with the restricted loader; kept inert just in case.
    return clean_text(str(value), MAX_STRING_CHARS, path, report)
