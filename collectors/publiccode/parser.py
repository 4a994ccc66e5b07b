"""``parse_publiccode``: bytes in, a :class:`PubliccodeInfo` out, never an exception."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import yaml

from .document import read_document
from .limits import MAX_INPUT_BYTES, MAX_STRING_CHARS
from .report import LimitExceeded, Report, clip, to_plain, type_name
from .result import PubliccodeInfo
from .yaml_safe import LimitError, load_yaml, yaml_error_text


def parse_publiccode(data: bytes | str, root_files: Collection[str] | None = None) -> PubliccodeInfo:
    """Parse and validate a publiccode.yml. Never raises for bad input.

    ``root_files``: the names of the files at the repository's root, where known;
    with them, a logo, screenshot or authors file that would be at the root is
    checked for existence. Without them that check is reported as not checked.
    """
    try:
        return _parse(data, None if root_files is None else frozenset(root_files))
    except Exception as exc:  # noqa: BLE001 (a bug here must not stop a collection run)
        return PubliccodeInfo(
            valid=False,
            errors=(f"internal error while parsing: {type(exc).__name__}: {clip(str(exc), 200)}",),
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
        return None, f"file too large: {len(data)} bytes, over the {MAX_INPUT_BYTES}-byte limit; not parsed"
    raw = bytes(data)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "not UTF-8: the file is UTF-16 (publiccode.yml must be UTF-8)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} (publiccode.yml must be UTF-8)"
    return text.removeprefix("\ufeff"), None


def _parse(data: Any, root_files: frozenset[str] | None) -> PubliccodeInfo:
    text, problem = _decode(data)
    if problem is not None:
        return _invalid(problem)
    assert text is not None
    if not text.strip():
        return _invalid("empty file")

    try:
        document, duplicate_errors = load_yaml(text)
    except LimitError as exc:
        return _invalid(f"YAML refused: {exc}")
    except yaml.YAMLError as exc:
        return _invalid(yaml_error_text(exc))
    except RecursionError:
        return _invalid("YAML refused: nesting too deep")

    if document is None:
        return _invalid("empty document (no content besides comments)")
    if not isinstance(document, dict):
        return _invalid(f"document root: expected a mapping of keys, got {type_name(document)}")

    report = Report()
    report.errors.extend(duplicate_errors)
    try:
        raw = to_plain(document, "", report)
    except LimitExceeded as exc:
        return _invalid(f"YAML refused: {exc}")
    if report.cleaned:
        report.warn("", "control characters removed from text")
    for path in sorted(report.truncated):
        report.warn(path, f"text longer than {MAX_STRING_CHARS} characters; truncated")

    fields = read_document(raw, report, root_files)
    errors = report.capped(report.errors)
    return PubliccodeInfo(
        valid=not errors,
        errors=errors,
        warnings=report.capped(report.warnings),
        not_checked=report.capped(report.not_checked),
        raw=raw,
        **fields,
    )
