"""Keeping text that comes from forges or the registry inert when shown."""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

# Every ASCII punctuation character may be backslash-escaped in CommonMark, which turns it into
# the literal character: no links, images, emphasis, HTML, LaTeX ($) or Streamlit directives
# (:red[...], :material/...:) can be smuggled in through a name.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Control characters, and the bidirectional formatting characters that would make the page's own
# text around a name read in another order (the registry refuses the same ones in names).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# GitHub-flavoured Markdown makes a link of a bare address (http://, https://, www., an e-mail)
# whatever the escapes; an invisible word joiner inside it keeps it text.
_BARE_ADDRESS = re.compile(r"(?i)(https?:)(?=//)|\b(www)(?=\.)|(@)")
_WORD_JOINER = "\u2060"
# Forge text has no length limit (a description may be megabytes); a heading or paragraph shows
# this much of it, the tables and downloads keep all of it.
MAX_SHOWN_CHARS = 2_000


def md_escape(text: object) -> str:
    """``text`` made safe to pass to any Streamlit element that interprets Markdown."""
    flat = " ".join(str(text).split())  # a newline could start a heading or a list
    flat = _INVISIBLE.sub("", flat)
    if len(flat) > MAX_SHOWN_CHARS:
        flat = flat[: MAX_SHOWN_CHARS - 1].rstrip() + "…"
    flat = _BARE_ADDRESS.sub(lambda m: m.group(0) + _WORD_JOINER, flat)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def web_url(url: object) -> str | None:
    """``url`` if it is an http(s) address, else None: a link column must not run javascript:."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


# SPDX's words for a licence the forge could not name, and what a reader is told instead.
_UNSTATED_LICENCES = {"NOASSERTION": "licence.not_stated", "NONE": "licence.none", "OTHER": "licence.other"}


def licence_text(t, value: object) -> str:
    """A repository's licence for a reader: its SPDX identifier, or words for none, "not stated"
    (SPDX's NOASSERTION: the forge could not tell) and "another licence"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        return t("licence.none")
    key = _UNSTATED_LICENCES.get(str(value).strip().upper())
    return t(key) if key else str(value)
