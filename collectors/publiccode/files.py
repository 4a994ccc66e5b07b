"""Keys that name files (logo, monochromeLogo, screenshots, legal.authorsFile) and what can be known of them.

The reference parser opens these files (relative to the publiccode.yml, or over
the network for URLs). A parse has only the file's text, and at most the listing
of the repository's root: what the text tells (absolute paths, file: URLs, file
extensions) is checked; whether a file exists is decided from the root listing
when the file would be at the root; everything else (files in folders, anything
behind a URL, whether a PNG decodes) is reported as not checked, never as passed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection

from . import formats
from .report import Report, show

LOGO = "logo"
SCREENSHOT = "screenshot"
AUTHORS = "authors"

_EXTENSIONS = {LOGO: (".svg", ".svgz", ".png"), SCREENSHOT: (".jpg", ".png")}
_WHAT = {LOGO: "an image", SCREENSHOT: "an image", AUTHORS: "a file"}


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def check_file(report: Report, key: str, value: str, kind: str, root_files: Collection[str] | None) -> None:
    """Check the file named at ``key``; ``root_files`` is the repository root's file names, if known."""
    if value.startswith("/"):
        report.error(key, "is an absolute path; only relative paths or http(s) URLs are allowed")
        return
    if value.startswith("file:"):
        report.error(key, "is a file:// URL; only relative paths or http(s) URLs are allowed")
        return
    absolute = formats.request_uri(value) is not None
    allowed = _EXTENSIONS.get(kind)
    if allowed is not None:
        ext = _extension(formats.url_path(value) if absolute else value)
        if ext not in allowed:
            found = f"{ext!r}" if ext else "none"
            report.error(key, f"file extension {found} not allowed (use one of {', '.join(allowed)}): {show(value)}")
            return
    if absolute:
        report.unchecked(key, f"whether {show(value)} can be fetched and is {_WHAT[kind]} (needs the network)")
        return
    clean = posixpath.normpath(value)
    if clean == ".." or clean.startswith("../"):
        report.error(key, f"points outside the repository: {show(value)}")
        return
    if root_files is None:
        report.unchecked(key, f"whether {show(value)} is in the repository (needs the repository's files)")
        return
    if "/" not in clean:
        if clean not in root_files:
            report.error(key, f"no such file in the repository: {show(value)}")
        elif kind == LOGO and _extension(clean) == ".png":
            report.unchecked(key, f"whether {show(value)} is a readable PNG image (needs the file itself)")
        return
    folder = clean.split("/", 1)[0]
    if folder in root_files:
        report.error(key, f"no such file in the repository: {show(value)} ({folder!r} is a file, not a folder)")
        return
    report.unchecked(
        key, f"whether {show(value)} is in the repository (only the repository's root is listed)"
    )
