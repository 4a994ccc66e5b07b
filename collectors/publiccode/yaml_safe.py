"""Reading YAML safely: plain data only, aliases and nesting bounded, scalars as written.

The standard asks for YAML 1.2, so plain scalars resolve the 1.2 way: only
``true``/``false`` (core-schema spellings) are booleans (``yes``, ``no``, ``on``,
``off`` stay text, as the reference parser reads them), and dates stay the text
written. Plain numbers are kept as their text too (``softwareVersion: 1.10`` stays
"1.10", ``phone: +39...`` keeps its ``+``), but marked (:class:`PlainNumber`), since
the reference treats an unquoted number differently in a few keys (a version must
be a quoted string; an enumeration sees Go's rendering of the number).
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .limits import MAX_ALIASES, MAX_DEPTH, MAX_EXPANDED_CHARS, MAX_NODES
from .report import clip, join, key_text


class LimitError(Exception):
    """The document exceeds one of the safety limits."""


class PlainNumber(str):
    """An unquoted scalar the YAML 1.2 core schema reads as a number, kept as its text."""

    __slots__ = ()

    def go_text(self) -> str:
        """The text Go's YAML decoder makes of this number in a string key (1.0 gives "1")."""
        text = str(self).replace("_", "")
        try:
            if re.fullmatch(r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)", text):
                sign = -1 if text.startswith("-") else 1
                digits = text.lstrip("+-")
                base = 8 if digits.startswith("0o") else 16 if digits.startswith("0x") else 10
                return str(sign * int(digits[2:] if base != 10 else digits, base))
            value = float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                          .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
        except ValueError:
            return str(self)
        if math.isnan(value):
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "+Inf" if value > 0 else "-Inf"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)


_TAG = "tag:yaml.org,2002:"
_NUMBER_TAG = "tag:ossdash,2024:plain-number"
_ALLOWED_CONSTRUCTORS = ("null", "bool", "int", "float", "timestamp", "str", "seq", "map")
_NUMBER_RE = re.compile(
    r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class SafeLoader(yaml.SafeLoader):
    """SafeLoader, restricted further: plain YAML data only, limits on aliases and depth."""

    # Constructors: only plain data types. `!!binary`, `!!set`, `!!omap`, `!!pairs`
    # and any other tag (notably `!!python/...`) fall through to construct_undefined.
    yaml_constructors: ClassVar[dict] = {
        tag: fn
        for tag, fn in yaml.SafeLoader.yaml_constructors.items()
        if tag is None or tag in {_TAG + t for t in _ALLOWED_CONSTRUCTORS}
    }
    yaml_multi_constructors: ClassVar[dict] = {}

    # Implicit resolvers, YAML 1.2 style: keep null and merge keys; drop YAML 1.1
    # booleans, timestamps, numbers, `=` and the odd `!`/`&`/`*` resolvers; core-schema
    # booleans and marked numbers are added below.
    yaml_implicit_resolvers: ClassVar[dict] = {
        first: [(tag, rx) for tag, rx in resolvers if tag in (_TAG + "null", _TAG + "merge")]
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
                raise LimitError(
                    f"more than {MAX_ALIASES} aliases (line {event.start_mark.line + 1}); "
                    "refused (alias expansion limit)"
                )
            return super().compose_node(parent, index)
        self._composed += 1
        if self._composed > MAX_NODES:
            raise LimitError(f"more than {MAX_NODES} nodes; refused")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise LimitError(f"nesting deeper than {MAX_DEPTH} levels (line {event.start_mark.line + 1}); refused")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    # -- constructing
    def construct_undefined(self, node):
        tag = clip(str(node.tag).replace(_TAG, "!!", 1), 80)
        raise ConstructorError(None, None, f"tag {tag!r} is not allowed in publiccode.yml", node.start_mark)

    def construct_plain_number(self, node):
        return PlainNumber(self.construct_scalar(node))

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
                        f"{join(where, key_text(key))}: duplicate key "
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
            raise ConstructorError(None, None, f"not an integer: {clip(text, 40)!r}", node.start_mark) from None

    def construct_yaml_float(self, node):
        try:
            return super().construct_yaml_float(node)
        except ValueError:
            raise ConstructorError(None, None, f"not a number: {clip(str(node.value), 40)!r}", node.start_mark) from None

    def construct_yaml_timestamp(self, node):
        # Only an explicit !!timestamp gets here; an impossible date stays text.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, TypeError, AttributeError, OverflowError):
            return str(node.value)


SafeLoader.add_constructor(_TAG + "int", SafeLoader.construct_yaml_int)
SafeLoader.add_constructor(_TAG + "float", SafeLoader.construct_yaml_float)
SafeLoader.add_constructor(_TAG + "timestamp", SafeLoader.construct_yaml_timestamp)
SafeLoader.add_constructor(_NUMBER_TAG, SafeLoader.construct_plain_number)
SafeLoader.add_constructor(None, SafeLoader.construct_undefined)
SafeLoader.add_implicit_resolver(_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
SafeLoader.add_implicit_resolver(_NUMBER_TAG, _NUMBER_RE, list("-+.0123456789"))


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
                raise LimitError(f"expands to more than {MAX_NODES} nodes through aliases; refused (alias expansion limit)")
            if chars > MAX_EXPANDED_CHARS:
                raise LimitError(
                    f"expands to more than {MAX_EXPANDED_CHARS} characters through aliases; refused "
                    "(alias expansion limit)"
                )
            cost[nid] = (nodes, chars)
            continue
        if nid in cost:
            continue
        if nid in on_path:
            raise LimitError(f"{path or 'document'}: recursive alias; refused")
        on_path.add(nid)
        paths.setdefault(nid, path)
        stack.append((node, True, path))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.tag == _TAG + "merge":
                    child_path = path
                elif isinstance(key_node, ScalarNode):
                    child_path = join(path, clip(key_node.value, 60))
                else:
                    child_path = join(path, "?")
                for child, child_p in ((key_node, join(path, "(key)")), (value_node, child_path)):
                    if id(child) not in cost:
                        stack.append((child, False, child_p))
        elif isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                if id(child) not in cost:
                    stack.append((child, False, f"{path}[{i}]"))


def load_yaml(text: str) -> tuple[Any, list[str]]:
    """Parse one YAML document safely. Returns (data, duplicate-key errors)."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        _check_expansion(node, loader.node_paths)
        data = loader.construct_document(node)
        return data, list(loader.duplicate_errors)
    finally:
        loader.dispose()


def yaml_error_text(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None:
            return f"YAML error at line {mark.line + 1}, column {mark.column + 1}: {clip(problem, 200)}"
        return f"YAML error: {clip(problem, 200)}"
    if isinstance(exc, yaml.reader.ReaderError):
        return f"not a text file: unacceptable character #x{exc.character:04x} at position {exc.position}"
    return f"YAML error: {clip(str(exc), 200)}"
