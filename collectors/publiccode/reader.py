"""Typed access to the parsed document, with the reference parser's idea of types.

The reference decodes the file into Go structs, so a key's type is what Go
accepts: any scalar reads as text where text is expected (``name: 42`` is the name
"42"), only ``true``/``false`` as a boolean, a list only where a list is declared
(``platforms: web`` is an error), and a missing or null value is empty. Each
problem is reported under its key path.
"""

from __future__ import annotations

from typing import Any

from . import formats, vocabulary
from .report import Report, join, show, type_name

_YAML11_BOOLEANS = ("yes", "no", "on", "off", "y", "n")


class Reader:
    def __init__(self, report: Report) -> None:
        self.r = report

    def known_keys(self, mapping: dict, path: str, allowed: frozenset[str]) -> None:
        """Every key of ``mapping`` not in ``allowed`` is an error, as in the reference parser."""
        for key in mapping:
            if key in allowed:
                continue
            right = vocabulary.MISSPELLINGS.get(key)
            if right in allowed:
                self.r.error(join(path, key), f"unknown key; the standard spells it {right!r}")
            elif key.lower() in {k.lower() for k in allowed}:
                spelt = next(k for k in allowed if k.lower() == key.lower())
                self.r.error(join(path, key), f"unknown key; keys are case-sensitive (the standard key is {spelt!r})")
            else:
                self.r.error(join(path, key), "unknown key")

    def mapping(self, value: Any, path: str) -> dict | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.r.error(path, f"expected a mapping, got {type_name(value)}")
            return None
        return value

    def text(self, value: Any, path: str) -> str | None:
        """The value as text, as written (not stripped); None when missing, null or not a scalar."""
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            self.r.error(path, f"expected a string, got {type_name(value)}")
            return None
        return value

    def required_text(self, value: Any, path: str) -> str | None:
        if value is None:
            self.r.error(path, "required key missing")
            return None
        text = self.text(value, path)
        if text == "":
            self.r.error(path, "must not be empty")
            return None
        return text

    def go_text(self, text: str, path: str) -> str:
        """What Go's decoder made of the scalar at ``path`` (an unquoted 1.0 is "1")."""
        return self.r.numbers.get(path, text)

    def enum(self, value: Any, path: str, allowed: tuple[str, ...], required: bool = True) -> str | None:
        text = self.required_text(value, path) if required else self.text(value, path)
        if text is not None and self.go_text(text, path) not in allowed:
            self.r.error(path, f"{show(text)} is not one of: {', '.join(allowed)}")
        return text

    def boolean(self, value: Any, path: str, required: bool = False) -> bool | None:
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _YAML11_BOOLEANS:
            self.r.error(path, f"expected true or false, got {show(value)} (a YAML 1.1 boolean, text in YAML 1.2)")
        else:
            self.r.error(path, f"expected true or false, got {show(value)}")
        return None

    def string_list(self, value: Any, path: str) -> list[tuple[str, str]]:
        """A list of (path, text). A lone scalar is an error, but its text is still returned."""
        if value is None:
            return []
        if isinstance(value, (str, int, float, bool)):
            self.r.error(path, "expected a list, got a single value")
            text = self.text(value, path)
            return [(path, text)] if text and text.strip() else []
        if not isinstance(value, list):
            self.r.error(path, f"expected a list of strings, got {type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            text = self.text(item, f"{path}[{i}]")
            if text is not None:
                out.append((f"{path}[{i}]", text))
        return out

    def mapping_list(self, value: Any, path: str) -> list[tuple[str, dict]]:
        """A list of (path, mapping); a null entry reads as an empty mapping, as Go's zero value."""
        if value is None:
            return []
        if isinstance(value, dict):
            self.r.error(path, "expected a list, got a mapping")
            return [(f"{path}[0]", value)]
        if not isinstance(value, list):
            self.r.error(path, f"expected a list, got {type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            if item is None:
                out.append((item_path, {}))
            elif isinstance(item, dict):
                out.append((item_path, item))
            else:
                self.r.error(item_path, f"expected a mapping, got {type_name(item)}")
        return out

    def url(
        self, value: Any, path: str, http_only: bool = False, required: bool = False, unchecked: str | None = None
    ) -> str | None:
        """A URL key: ``url`` type (any scheme) or ``http_url`` type (http/https with a host).

        ``unchecked``: what the reference would also check of a well-formed URL over the network,
        recorded as not checked.
        """
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return None
        text = self.text(value, path)
        if text is None:
            return None
        if formats.go_parse(text) is None:
            self.r.error(path, f"not a URL: {show(text)}")
        elif http_only and not formats.is_http_url(text):
            self.r.error(path, f"not an http(s) URL: {show(text)}")
        elif not http_only and not formats.is_url(text):
            self.r.error(path, f"not a URL: {show(text)}")
        elif unchecked is not None:
            self.r.unchecked(path, unchecked)
        return text

    def date(self, value: Any, path: str, required: bool = False):
        """A YYYY-MM-DD date; an empty or malformed one is an error."""
        if value is None:
            if required:
                self.r.error(path, "required key missing")
            return None
        text = self.text(value, path)
        if text is None:
            return None
        if text == "" and required:
            self.r.error(path, "required key missing")
            return None
        day = formats.parse_date(text)
        if day is None:
            self.r.error(path, f"not a date (YYYY-MM-DD): {show(text)}")
        return day
