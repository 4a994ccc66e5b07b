"""Value formats, judged as the reference parser judges them.

The reference (italia/publiccode-parser-go) checks values with Go's ``net/url``,
go-playground/validator and leodido/go-urn. Where their answer differs from a
plain reading of the RFCs, the answer here follows them, so that a file means the
same to ossdash as to the standard's own validator: URLs are split the way Go's
``url.Parse`` splits them, ``url``-type keys accept any scheme with a host, an
opaque part or a fragment, ``http_url`` keys need http(s) and a host, an e-mail
address must match go-playground's pattern (language tags and lengths: :mod:`.language`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from . import vocabulary

# --------------------------------------------------------------------------- URLs (Go net/url)


@dataclass(frozen=True, slots=True)
class GoURL:
    scheme: str
    opaque: str
    userinfo: str
    host: str
    path: str
    query: str
    fragment: str


_HOST_OK = frozenset("!$&'()*+,;=:[]<>\"-_.~")
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@")
_HEX = frozenset("0123456789abcdefABCDEF")


def _bad_escape(text: str) -> bool:
    i = 0
    while True:
        i = text.find("%", i)
        if i < 0:
            return False
        if len(text) < i + 3 or text[i + 1] not in _HEX or text[i + 2] not in _HEX:
            return True
        i += 3


def _scheme(raw: str) -> tuple[str, str] | None:
    """(scheme, rest) as Go's getScheme splits them; None for "missing protocol scheme"."""
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                return None
            return raw[:i], raw[i + 1:]
        return "", raw
    return "", raw


def _host_ok(host: str) -> bool:
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return False
        rest = host[end + 1:]
        return rest == "" or (rest.startswith(":") and rest[1:].isdigit() or rest == ":")
    colon = host.rfind(":")
    if colon >= 0 and not (host[colon + 1:] == "" or host[colon + 1:].isdigit()):
        return False
    if _bad_escape(host):
        return False
    return all(not c.isascii() or c.isalnum() or c in _HOST_OK or c == "%" for c in host)


def go_parse(raw: str, via_request: bool = False) -> GoURL | None:
    """Go's ``url.Parse`` (or ``url.ParseRequestURI``); None where Go returns an error."""
    fragment = ""
    if not via_request and "#" in raw:
        raw, fragment = raw.split("#", 1)
        if _bad_escape(fragment):
            return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return None
    if raw == "" and via_request:
        return None
    split = _scheme(raw)
    if split is None:
        return None
    scheme, rest = split
    scheme = scheme.lower()
    query = ""
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    elif "?" in rest:
        rest, query = rest.split("?", 1)
    if not rest.startswith("/"):
        if scheme:
            return GoURL(scheme, rest, "", "", "", query, fragment)
        if via_request:
            return None
        if ":" in rest.split("/", 1)[0]:
            return None  # "first path segment in URL cannot contain colon"
    userinfo = host = ""
    if (scheme or not via_request and not rest.startswith("///")) and rest.startswith("//"):
        authority, rest = rest[2:], ""
        if "/" in authority:
            authority, rest = authority.split("/", 1)
            rest = "/" + rest
        if "@" in authority:
            userinfo, host = authority.rsplit("@", 1)
            if not all(not c.isascii() or c.isalnum() or c in _USERINFO_OK for c in userinfo):
                return None
        else:
            host = authority
        if not _host_ok(host):
            return None
    if _bad_escape(rest):
        return None
    return GoURL(scheme, "", userinfo, host, rest, query, fragment)


def is_url(text: str) -> bool:
    """go-playground's ``url``: a scheme, and a host, an opaque part or a fragment (file: a path)."""
    if not text:
        return False
    u = go_parse(text.lower())
    if u is None or not u.scheme:
        return False
    if u.scheme == "file":
        return u.path not in ("", "/")
    return bool(u.host or u.fragment or u.opaque)


def is_http_url(text: str) -> bool:
    """go-playground's ``http_url``: a ``url`` with scheme http or https and a host."""
    if not is_url(text):
        return False
    u = go_parse(text.lower())
    return u is not None and bool(u.host) and u.scheme in ("http", "https")


def request_uri(text: str) -> GoURL | None:
    """Go's ``url.ParseRequestURI``: an absolute URI or an absolute path, else None."""
    return go_parse(text, via_request=True)


def url_path(text: str) -> str:
    """The path part of a URL as Go reads it ("" when Go cannot read one)."""
    u = go_parse(text)
    return "" if u is None else u.path


# --------------------------------------------------------------------------- URNs and URIs

# leodido/go-urn in its RFC 2141 mode: a namespace of 1 to 32 letters, digits and
# dashes (not first, and not "urn" itself), then letters, digits, ()+,-.:=@;$_!*'
# and %-escapes (two letters or digits, as that parser accepts).
_URN_RE = re.compile(
    r"[uU][rR][nN]:(?![uU][rR][nN]:)[A-Za-z0-9][A-Za-z0-9-]{0,31}:"
    r"(?:[A-Za-z0-9()+,\-.:=@;$_!*']|%[A-Za-z0-9]{2})+"
)


def is_urn(text: str) -> bool:
    return _URN_RE.fullmatch(text) is not None


def uri_problem(text: str, italian_pa: bool) -> str | None:
    """Why ``text`` is not a URI the reference accepts for organisations (or supports), else None.

    An absolute URL with a host, or an RFC 2141 URN; with ``italian_pa``, a
    ``urn:x-italian-pa:`` URN must name a code of the Italian iPA index.
    """
    u = request_uri(text)
    if u is None:
        return "not a valid URI"
    if u.scheme == "urn":
        if not is_urn(text):
            return "not a valid URI"
        if italian_pa and u.opaque.lower().startswith("x-italian-pa:"):
            code = u.opaque[len("x-italian-pa:"):]
            if code.lower() not in vocabulary.ipa_codes():
                return (
                    "not a valid Italian Public Administration code (iPA) in the form "
                    "urn:x-italian-pa:<codiceIPA>"
                )
        return None
    if not u.scheme or not u.host:
        return "not a valid URI"
    return None


def supports_problem(text: str) -> str | None:
    """Why ``text`` is not a valid ``supports[].id``, else None."""
    if text.startswith("alias:"):
        alias = text[len("alias:"):]
        if alias not in vocabulary.SUPPORTS_ALIASES:
            known = ", ".join(sorted(vocabulary.SUPPORTS_ALIASES))
            return f"unknown alias {alias!r} (known: {known})"
        return None
    if uri_problem(text, italian_pa=False) is not None:
        return "not a known alias ('alias:<name>') nor a valid URI (URL or URN)"
    return None


# --------------------------------------------------------------------------- e-mail, MIME, dates

# An e-mail address as go-playground/validator's ``email`` accepts it: Go's net/mail must read it
# as a bare address and the library's RFC 5322 pattern must match. That pattern is written here as
# a scan, since Python's backtracking matcher takes exponential time on it for some input (Go's
# matcher is linear): a dot-atom or a quoted local part, "@", then dot-separated labels of letters,
# digits, "-" and "~", the last one not starting or ending with a digit or "-".
MAX_EMAIL_CHARS = 320  # local part and domain at their RFC maxima; longer text is not tried
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")


def _wide(c: str) -> bool:
    """The non-ASCII letters the pattern allows (U+00A0-U+D7FF, U+F900-U+FDCF, U+FDF0-U+FFEF)."""
    cp = ord(c)
    return 0xA0 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF


def _local_ok(local: str) -> bool:
    if local.startswith('"'):
        if len(local) < 2 or not local.endswith('"'):
            return False
        body, i = local[1:-1], 0
        while i < len(body):
            c = body[i]
            if c == "\\":  # a quoted pair: a backslash and a printable character or blank
                if i + 1 >= len(body) or not (0x20 <= ord(body[i + 1]) <= 0x7E or body[i + 1] == "\t"):
                    return False
                i += 2
                continue
            if c == '"' or not (c in " \t" or 0x21 <= ord(c) <= 0x7E or _wide(c)):
                return False
            i += 1
        return True
    return all(part and all(c in _ATEXT or _wide(c) for c in part) for part in local.split("."))


def _domain_ok(domain: str) -> bool:
    def alnum(c: str) -> bool:
        return (c.isascii() and c.isalnum()) or _wide(c)

    def letter(c: str) -> bool:
        return (c.isascii() and c.isalpha()) or _wide(c)

    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        return False  # net/mail refuses a leading, trailing or doubled dot
    for label in labels:
        if not all(alnum(c) or c in "-~" for c in label) or not alnum(label[0]) or not alnum(label[-1]):
            return False
    last = labels[-1]
    return letter(last[0]) and letter(last[-1])


def is_email(text: str) -> bool:
    if len(text) > MAX_EMAIL_CHARS or "@" not in text:
        return False
    local, domain = text.rsplit("@", 1)
    return _local_ok(local) and _domain_ok(domain)


_MIME_RE = re.compile(r" *[A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126} *")


def is_mime_type(text: str) -> bool:
    return _MIME_RE.fullmatch(text) is not None


_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> date | None:
    """A YYYY-MM-DD calendar date (Go's time.Parse("2006-01-02")), else None."""
    if _DATE_RE.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --------------------------------------------------------------------------- SPDX expressions

_SPDX_TOKEN_RE = re.compile(r"\s*(\(|\)|[A-Za-z0-9.\-]+(?::[A-Za-z0-9.\-]+)?\+?)")


def is_spdx_expression(expression: str) -> bool:
    """Syntax of an SPDX license expression (identifiers are not looked up)."""
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
    if not tokens or len(tokens) > 1000:
        return False
    index = 0

    def peek() -> str | None:
        return tokens[index] if index < len(tokens) else None

    def simple() -> bool:
        nonlocal index
        if peek() in (None, "(", ")", "AND", "OR", "WITH"):
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
