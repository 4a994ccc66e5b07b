"""A safe parser for publiccode.yml files that judges them as the reference parser does.

``parse_publiccode(data)`` takes the file's bytes (or text) and always returns a
:class:`PubliccodeInfo`; it never raises for bad input. An invalid file is still
read as far as it can be: its fields come back with the validation errors, so it
can be stored and shown with what is wrong with it.

Validation follows the standard's reference implementation,
italia/publiccode-parser-go (its v0 rules, which apply to every 0.x version, 0.2 to
0.7): required keys, types as Go decodes them, unknown keys (at every level),
enumerations, dates, URLs and URIs (organisation and fundedBy, with iPA codes),
BCP 47 language tags, ISO country codes, MIME types, e-mail addresses, SPDX
expression syntax, lengths in characters, the maintenance rules, file keys (logo
extensions, absolute paths, file: URLs), oEmbed video providers, supports
aliases and the Italian extension. Checks that need the network or the
repository's files are listed in ``not_checked`` (see :mod:`.files`), never
passed. docs/publiccode.md lists every check and where ossdash still differs.

Modules: :mod:`.parser` (the entry point), :mod:`.yaml_safe` (safe YAML with
limits), :mod:`.report` (errors and text helpers), :mod:`.reader` (typed
access), :mod:`.document` and :mod:`.sections` (the standard's keys),
:mod:`.formats` (value formats), :mod:`.language` (language tags, lengths), :mod:`.files` (file keys), :mod:`.vocabulary`
(the standard's lists and registries), :mod:`.result` (what a parse returns),
:mod:`.limits` (the safety limits).

Safety: input over ``MAX_INPUT_BYTES`` is refused unparsed; it must be UTF-8;
YAML tags that build objects are refused; aliases, expanded size and nesting are
bounded; strings are capped and stripped of control characters; nothing here
touches the network or storage.
"""

from .limits import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_ERRORS,
    MAX_EXPANDED_CHARS,
    MAX_INPUT_BYTES,
    MAX_KEY_CHARS,
    MAX_NODES,
    MAX_STRING_CHARS,
)
from .parser import parse_publiccode
from .result import PubliccodeInfo, to_json
from .vocabulary import SUPPORTED_VERSIONS

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_EXPANDED_CHARS",
    "MAX_INPUT_BYTES",
    "MAX_KEY_CHARS",
    "MAX_NODES",
    "MAX_STRING_CHARS",
    "SUPPORTED_VERSIONS",
    "PubliccodeInfo",
    "parse_publiccode",
    "to_json",
]
