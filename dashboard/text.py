"""Keeping text that comes from forges or the registry inert when shown."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Every ASCII punctuation character may be backslash-escaped in CommonMark, which turns it into
# the literal character: no links, images, emphasis, HTML, LaTeX ($) or Streamlit directives
# (:red[...], :material/...:) can be smuggled in through a name.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: object) -> str:
    """``text`` made safe to pass to any Streamlit element that interprets Markdown."""
    flat = " ".join(str(text).split())  # a newline could start a heading or a list
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
