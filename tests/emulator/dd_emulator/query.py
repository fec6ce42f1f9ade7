# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit search syntax subset, parsed by ``luqum`` and compiled once into a predicate.

Supported (see README.md): free-text terms and quoted phrases (case-insensitive, searched in ``message``),
``@attr.path:value`` on the event's nested ``attributes``, the reserved attributes ``service``, ``host``, ``status``
and ``source`` without ``@``, any other ``key:value`` against the event's ``tags``, ``*`` and ``?`` wildcards, ``AND``,
``OR``, ``NOT``/``-``, implicit ``AND`` between terms, parentheses and ``field:(a OR b)``. ``*`` matches everything.
Field values match case-sensitively, like Datadog's attribute search.

A predicate takes an event's ``attributes`` object (``{"message", "service", "tags", "attributes": {...}}``) and the
lower-cased message, so free-text search does not lower-case every event again.
"""

from __future__ import annotations

import functools
import re

from luqum import tree
from luqum.exceptions import ParseError
from luqum.thread import parse

RESERVED_ATTRIBUTES = ("service", "host", "status", "source")

_ESCAPED = re.compile(r"\\(.)")


class QueryError(ValueError):
    """The query cannot be parsed or uses syntax the emulator does not support."""


@functools.lru_cache(maxsize=256)
def compile_query(text):
    """A predicate ``(attributes, message_lower) -> bool`` for the query ``text`` (cached per text)."""
    text = (text or "").strip()
    if text in ("", "*"):
        return _always
    try:
        node = parse(text)
    except ParseError as error:
        raise QueryError("invalid query %r: %s" % (text, error)) from None
    return _compile(node, None)


def _always(_attributes, _message):
    return True


def _compile(node, field):
    """Compile ``node``; ``field`` is the enclosing ``field:`` name inside a field group, else ``None``."""
    if isinstance(node, (tree.AndOperation, tree.UnknownOperation)):
        parts = [_compile(child, field) for child in node.children]
        return lambda attributes, message: all(part(attributes, message) for part in parts)
    if isinstance(node, tree.OrOperation):
        parts = [_compile(child, field) for child in node.children]
        return lambda attributes, message: any(part(attributes, message) for part in parts)
    if isinstance(node, (tree.Not, tree.Prohibit)):
        inner = _compile(node.a, field)
        return lambda attributes, message: not inner(attributes, message)
    if isinstance(node, tree.Plus):
        return _compile(node.a, field)
    if isinstance(node, (tree.Group, tree.FieldGroup)):
        return _compile(node.expr, field)
    if isinstance(node, tree.SearchField):
        if field is not None:
            raise QueryError("nested fields are not supported: %s:%s" % (field, node))
        return _compile(node.expr, node.name)
    if isinstance(node, (tree.Word, tree.Phrase)) and not isinstance(node, tree.Regex):
        return _free_text(node) if field is None else _field_match(field, _value_matcher(node))
    raise QueryError("unsupported query syntax: %s (%s)" % (str(node).strip(), type(node).__name__))


def _term_text(node):
    """The term's literal text: quotes of a phrase removed, backslash escapes resolved."""
    value = node.value[1:-1] if isinstance(node, tree.Phrase) else node.value
    return _ESCAPED.sub(r"\1", value)


def _wildcard_pattern(node, any_char, any_run):
    """Regex source for a term whose ``*``/``?`` (not escaped, not in a phrase) are wildcards."""
    if isinstance(node, tree.Phrase) or not node.has_wildcard():
        return re.escape(_term_text(node))
    pieces = []
    for piece in node.split_wildcards():
        if piece == "*":
            pieces.append(any_run)
        elif piece == "?":
            pieces.append(any_char)
        else:
            pieces.append(re.escape(_ESCAPED.sub(r"\1", piece)))
    return "".join(pieces)


def _free_text(node):
    """A free-text term: a case-insensitive search of the message (wildcards stay within one word)."""
    if isinstance(node, tree.Word) and node.is_wildcard():
        return _always
    if isinstance(node, tree.Word) and node.has_wildcard():
        pattern = re.compile(_wildcard_pattern(node, r"\S", r"\S*"), re.IGNORECASE)
        return lambda _attributes, message: pattern.search(message) is not None
    needle = _term_text(node).lower()
    return lambda _attributes, message: needle in message


def _value_matcher(node):
    """A test of one attribute or tag value (a string) against the term."""
    if isinstance(node, tree.Word) and node.is_wildcard():
        return lambda _value: True
    if isinstance(node, tree.Word) and node.has_wildcard():
        pattern = re.compile(_wildcard_pattern(node, ".", ".*"), re.DOTALL)
        return lambda value: pattern.fullmatch(value) is not None
    expected = _term_text(node)
    return lambda value: value == expected


def _field_match(field, matches):
    if field.startswith("@"):
        path = field[1:].split(".")
        return lambda attributes, _message: any(matches(value) for value in _values_at(attributes.get("attributes"), path))
    if field in RESERVED_ATTRIBUTES:
        def reserved(attributes, _message):
            values = _values_at(attributes, [field]) or _values_at(attributes.get("attributes"), [field])
            return any(matches(value) for value in values or _tag_values(attributes, field))
        return reserved
    return lambda attributes, _message: any(matches(value) for value in _tag_values(attributes, field))


def _values_at(container, path):
    """The scalar values (as text) found at ``path`` in nested dicts; lists fan out."""
    if isinstance(container, list):
        return [value for item in container for value in _values_at(item, path)]
    if not path:
        if isinstance(container, bool):
            return ["true" if container else "false"]
        if isinstance(container, (str, int, float)):
            return [str(container)]
        return []
    if not isinstance(container, dict) or path[0] not in container:
        return []
    return _values_at(container[path[0]], path[1:])


def _tag_values(attributes, key):
    prefix = key + ":"
    return [tag[len(prefix):] for tag in attributes.get("tags") or () if tag.startswith(prefix)]
