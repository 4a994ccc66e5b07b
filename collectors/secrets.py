"""Keeping tokens out of everything ossdash stores or prints.

Tokens live only in environment variables. A forge, or a proxy in front of it,
may still echo one back (an error body quoting the Authorization header, a URL
with credentials in it); :func:`scrub` removes it, and any long enough piece of
it, from a message before the message goes anywhere. :func:`check_tokens` finds
tokens that cannot be sent at all, before a collection starts, naming only the
variable that holds them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from collectors.registry import DEFAULT_TOKEN_ENV, Account

REDACTED = "[redacted]"

# A piece of a token longer than this is treated as the token: short pieces occur in ordinary text.
PIECE = 9

_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")
_HEADER_VALUE = re.compile(
    r"(?i)([\"']?\b(?:authorization|proxy-authorization|private-token|job-token)[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(?:bearer|token|basic)\s+)?+(?!\[redacted\])[^\s\"',;(){}]+"
)

# Tokens in the forges' own formats, whatever variable (or none) they came from: a GitHub App's
# installation token (ghs_) is fetched at run time and is in no variable to scrub by value.
_FORGE_TOKEN = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|gl(?:pat|dt|rt|ptt|cbt|soat|ffct|imt|agent|oas)-[A-Za-z0-9_-]{16,})"
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL)


def token_variables(accounts: Iterable[Account], defaults: bool = True) -> list[str]:
    """The environment variables the accounts read their tokens from (with every default one if ``defaults``)."""
    names = set(DEFAULT_TOKEN_ENV.values()) if defaults else set()
    for account in accounts:
        names.add(account.token_env or DEFAULT_TOKEN_ENV[account.forge])
    return sorted(names)


def configured_tokens(accounts: Iterable[Account]) -> list[str]:
    """The values of every token variable in use (each default one and each account's), non-empty ones."""
    tokens: list[str] = []
    for name in token_variables(accounts):
        value = os.environ.get(name, "")
        for form in (value, value.strip()):  # Account.token() sends the stripped form
            if form and form not in tokens:
                tokens.append(form)
    return tokens


def scrub(text: str, tokens: Iterable[str]) -> str:
    """``text`` with every token, every piece of one longer than 8 characters, URL credentials,
    Authorization/PRIVATE-TOKEN header values, anything in a GitHub or GitLab token's format and
    any PEM private key replaced by ``[redacted]``."""
    if not text:
        return text
    covered: list[tuple[int, int]] = []
    # A message may quote a token as Python shows it (requests' bad-header error does): escaped.
    forms = {form for token in tokens if token for form in (token, repr(token)[1:-1])}
    for token in forms:
        if not token:
            continue
        if len(token) < PIECE:
            start = text.find(token)
            while start != -1:
                covered.append((start, start + len(token)))
                start = text.find(token, start + 1)
            continue
        # Any common substring of at least PIECE characters begins with one of the token's
        # PIECE-character windows, so the union of the windows' occurrences is exactly what
        # must go. str.find runs in C: (len(token) - 8) scans of the text in all.
        for window in {token[i : i + PIECE] for i in range(len(token) - PIECE + 1)}:
            start = text.find(window)
            while start != -1:
                covered.append((start, start + PIECE))
                start = text.find(window, start + 1)
    if covered:
        text = _replace_spans(text, covered)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + "@", text)
    text = _PRIVATE_KEY.sub(REDACTED, _FORGE_TOKEN.sub(REDACTED, text))
    return _HEADER_VALUE.sub(lambda m: m.group(1) + REDACTED, text)


def _replace_spans(text: str, spans: list[tuple[int, int]]) -> str:
    spans.sort()
    parts: list[str] = []
    position = 0
    start, end = spans[0]
    for s, e in spans[1:]:
        if s <= end:
            end = max(end, e)
            continue
        parts += [text[position:start], REDACTED]
        position, (start, end) = end, (s, e)
    parts += [text[position:start], REDACTED, text[end:]]
    return "".join(parts)


def _header_problem(value: str) -> str | None:
    """What in a token keeps it from being sent as an HTTP header value, if anything."""
    for char in value:
        if char in "\r\n":
            return "a line break?"
        if char in " \t":
            return "a space or tab inside it?"
        if ord(char) < 32 or ord(char) == 127:
            return "a control character?"
        if ord(char) > 126:
            # Forge tokens are ASCII; anything else was typed or pasted by mistake (and
            # beyond Latin-1 cannot be encoded in a header at all).
            return "a non-ASCII character such as an umlaut or a typographic quote?"
    return None


def check_tokens(accounts: Iterable[Account]) -> list[str]:
    """One problem per token variable in use whose value cannot be sent; names the variable, never the value."""
    problems = []
    for name in token_variables(accounts, defaults=False):
        value = os.environ.get(name, "").strip()  # as Account.token() reads it
        hint = _header_problem(value)
        if hint is not None:
            problems.append(f"{name} holds a character that cannot be sent in an HTTP header ({hint}); set it again without it")
    return problems
