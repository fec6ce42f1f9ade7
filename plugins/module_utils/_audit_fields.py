# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Audit events reduced to what a play needs: a few fields per event (``fields``) or counts per value (``count_by``).

Internal use only: this module is not part of the collection's public interface and may change in any release.
There are no Ansible imports here: the ``ddops.datadog.audit_events`` lookup uses it, anything else that reads audit
events can (an event source projects one event at a time with :meth:`Projection.project`), and it is tested with
plain pytest.

**Paths.** A path names one value of an audit event ``{"id", "type", "attributes": {"timestamp", "message",
"service", "tags", "attributes": {...}}}``:

- ``@a.b.c`` is the event's own attribute ``a.b.c``, written as in Datadog search queries and facets
  (``@usr.email`` is ``event["attributes"]["attributes"]["usr"]["email"]``);
- ``id``, ``timestamp``, ``message``, ``service`` and ``tags`` are the event's standard members.

Segments are made of letters, digits, ``_`` and ``-``, separated by single dots.

**Values.** A path that matches nothing (a missing key, or a step into something that is not an object) gives
``None``. A value that is an object or a list is returned as it is. A list met *before* the last segment fans out,
as Datadog facets do: the rest of the path is followed in every element and the values found are gathered into
one flat list (missing and null values left out; ``None`` when nothing is found).

**Collectors.** The searcher feeds pages of events, in their final order, to a collector with ``add(events)`` and
reads ``result()`` at the end: :class:`KeepEvents` (whole events), :class:`Projection` (one flat dict per event) or
:class:`Counts` (one dict per distinct value, with its ``count``). :func:`make_collector` builds the right one from the
lookup's options.
"""

from __future__ import annotations

import itertools
import json
import re

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._validation import describe

#: The standard members of an audit event, by the name a path uses for them, and where they are.
STANDARD_FIELDS = {
    "id": ("id",),
    "timestamp": ("attributes", "timestamp"),
    "message": ("attributes", "message"),
    "service": ("attributes", "service"),
    "tags": ("attributes", "tags"),
}
#: Where ``@...`` paths start: the event's own attributes.
OWN_ATTRIBUTES = ("attributes", "attributes")
#: The member of a ``count_by`` result dict that holds the number of events.
COUNT_KEY = "count"

_SEGMENT = r"[\w-]+"
_PATH = re.compile(r"^@%s(?:\.%s)*$" % (_SEGMENT, _SEGMENT))
_MISSING = object()

PATH_HELP = ("@ followed by the attribute path, as in Datadog queries (@usr.email, @evt.name, @action; segments of "
             "letters, digits, _ and - separated by dots), or one of %s" % ", ".join(STANDARD_FIELDS))


class FieldPath(object):
    """One validated path: ``text`` as given, ``key`` (its name in results) and ``steps`` (keys from the event's top)."""

    __slots__ = ("text", "key", "steps", "resolve")

    def __init__(self, text):
        self.text = text
        if text in STANDARD_FIELDS:
            self.key = text
            self.steps = STANDARD_FIELDS[text]
        else:
            segments = tuple(text[1:].split("."))
            self.key = "_".join(segments)
            self.steps = OWN_ATTRIBUTES + segments
        self.resolve = _resolver(self.steps)

    def __repr__(self):
        return "FieldPath(%r)" % (self.text,)


def _resolver(steps):
    """``resolve(event)``: the value at ``steps``; plain indexing first (the common case), the full rules otherwise."""

    def resolve(event):
        value = event
        try:
            for step in steps:
                value = value[step]
        except KeyError:  # only dicts raise KeyError for a str key: the path is simply absent
            return None
        except (TypeError, IndexError):  # a list to fan out, or a scalar in the way
            return walk(event, steps)
        return value
    return resolve


def walk(value, steps):
    """The value at ``steps`` under the rules of the module docstring (missing → ``None``, lists fan out)."""
    for position, step in enumerate(steps):
        if isinstance(value, dict):
            value = value.get(step, _MISSING)
            if value is _MISSING:
                return None
        elif isinstance(value, list):
            return _fan_out(value, steps[position:])
        else:
            return None
    return value


def _fan_out(items, steps):
    gathered = []
    for item in items:
        value = walk(item, steps)
        if value is None:
            continue
        if isinstance(value, list):
            gathered.extend(value)
        else:
            gathered.append(value)
    return gathered or None


# -- validation -------------------------------------------------------------------------------------------------

def parse_paths(value, option):
    """Validate the value of a path option (a path, a comma-separated string of paths, or a list of paths).

    Returns a list of :class:`FieldPath`, or ``None`` when the option is not set (``None``). Raises
    :class:`InputError` naming ``option``, the bad entry and what is allowed; results would need distinct names, so
    two paths giving the same result key are refused too.
    """
    if value is None:
        return None
    if isinstance(value, str):
        entries = [entry.strip() for entry in value.split(",")] if value.strip() else []
    elif isinstance(value, (list, tuple)):
        entries = list(value)
    else:
        raise InputError("%s must be a path or a list of paths (%s); got %s" % (option, PATH_HELP, describe(value)))
    if not entries:
        raise InputError("%s must name at least one path (%s); got an empty value" % (option, PATH_HELP))
    paths = []
    by_key = {}
    for position, entry in enumerate(entries, start=1):
        where = "%s item %d" % (option, position) if len(entries) > 1 or not isinstance(value, str) else option
        if not isinstance(entry, str):
            raise InputError("%s must be a path string (%s); got %s" % (where, PATH_HELP, describe(entry)))
        text = entry.strip()
        if text not in STANDARD_FIELDS and not _PATH.match(text):
            raise InputError("%s is not a path: %r%s. A path is %s" % (where, entry, _hint(text), PATH_HELP))
        path = FieldPath(text)
        if path.key in by_key:
            same = by_key[path.key].text == path.text
            raise InputError("%s %r %s; every path must give a distinct result key"
                             % (where, entry, "is given twice" if same else "gives the result key %r, as %r does already"
                                % (path.key, by_key[path.key].text)))
        by_key[path.key] = path
        paths.append(path)
    return paths


def _hint(text):
    """A short suggestion for the usual mistakes, or ''."""
    if ":" in text:
        return " (a path names a field; a filter such as @action:deleted belongs in the search query, the lookup's terms)"
    if any(character in text for character in "*?"):
        return " (wildcards are not supported in paths)"
    if text.startswith("attributes.attributes.") and _PATH.match("@" + text[len("attributes.attributes."):]):
        return " (did you mean %r?)" % ("@" + text[len("attributes.attributes."):])
    if text.startswith("attributes.") and text[len("attributes."):] in STANDARD_FIELDS:
        return " (did you mean %r?)" % text[len("attributes."):]
    if not text.startswith("@") and _PATH.match("@" + text):
        return " (did you mean %r?)" % ("@" + text)
    return ""


def make_collector(fields=None, count_by=None):
    """The collector for the options ``fields`` and ``count_by`` (raw values; ``None`` = not set). Nothing is sent before
    this passes, so call it before the first request. Both at once are refused: they shape the result differently."""
    field_paths = parse_paths(fields, "fields")
    count_paths = parse_paths(count_by, "count_by")
    if field_paths is not None and count_paths is not None:
        raise InputError("fields and count_by cannot be used together: fields returns one dict per event, count_by one "
                         "dict per distinct value with its count. To count by several paths give count_by a list, "
                         "for example count_by=['@usr.email', '@action']")
    if count_paths is not None:
        for path in count_paths:
            if path.key == COUNT_KEY:
                raise InputError("count_by %r gives the result key %r, which holds the number of events; count by "
                                 "another path" % (path.text, COUNT_KEY))
        return Counts(count_paths)
    if field_paths is not None:
        return Projection(field_paths)
    return KeepEvents()


# -- collectors ----------------------------------------------------------------------------------------------------

class KeepEvents(object):
    """Keeps every event as Datadog returned it, in order."""

    __slots__ = ("events",)

    def __init__(self):
        self.events = []

    def add(self, events):
        self.events.extend(events)

    def result(self):
        return self.events


class Projection(object):
    """One flat dict per event, holding the value of each path under the path's key, in the order of the paths.

    The values are those of the event (an object or list value is not copied). Rows hold plain ``dict``, ``list``,
    ``str``, numbers, booleans and ``None`` only: the exact types for which ansible-core takes its fast paths.
    """

    __slots__ = ("paths", "rows", "project")

    def __init__(self, paths):
        self.paths = list(paths)
        self.rows = []
        self.project = _projector(self.paths)

    def add(self, events):
        self.rows.extend(map(self.project, events))

    def result(self):
        return self.rows


def _projector(paths):
    """``project(event)`` → ``{key: value, ...}``; a dict display over the resolvers, without a loop per event."""
    pairs = [(path.key, path.resolve) for path in paths]
    if len(pairs) == 1:
        (key, resolve), = pairs
        return lambda event: {key: resolve(event)}

    def project(event):
        return {key: resolve(event) for key, resolve in pairs}
    return project


class Counts(object):
    """How many events hold each distinct value (or combination of values, for several paths).

    An event counts once under each distinct value it holds: a list value (``tags``, or a fanned-out path) counts the
    event under each of its distinct elements, an empty list or a missing value under ``None``. With several paths
    the event counts under each combination. ``result()`` is a list of dicts ``{<key of each path>: value, "count": n}``
    sorted by count, largest first; equal counts are ordered by their values (see :func:`value_order`).
    """

    __slots__ = ("paths", "counts", "values", "_resolve")

    def __init__(self, paths):
        self.paths = list(paths)
        self.counts = {}
        self.values = {}  # group key -> the values, for groups whose key is not the value itself
        resolvers = [path.resolve for path in self.paths]
        if len(resolvers) == 1:
            self._resolve = resolvers[0]
        else:
            self._resolve = lambda event: tuple(resolve(event) for resolve in resolvers)

    def add(self, events):
        counts = self.counts
        resolve = self._resolve
        if len(self.paths) > 1:
            for event in events:
                self._add_other(resolve(event), single=False)
            return
        for event in events:
            value = resolve(event)
            # the common case first, and fast: text or nothing
            if value is None or type(value) is str:  # pylint: disable=unidiomatic-typecheck
                counts[value] = counts.get(value, 0) + 1
            else:
                self._add_other(value, single=True)

    def _add_other(self, value, single):
        if single:
            combinations = ((element,) for element in _distinct(value))
        else:
            combinations = itertools.product(*(_distinct(element) for element in value))
        for combination in combinations:
            key = tuple(_group_key(element) for element in combination)
            if single:
                key = key[0]
                if key is not None and type(key) is not str:  # pylint: disable=unidiomatic-typecheck
                    self.values.setdefault(key, combination[0])
            else:
                self.values.setdefault(key, combination)
            self.counts[key] = self.counts.get(key, 0) + 1

    def result(self):
        keys = [path.key for path in self.paths]
        rows = []
        for group, count in self.counts.items():
            if len(keys) > 1:
                values = self.values[group]
            elif group is None or type(group) is str:  # pylint: disable=unidiomatic-typecheck
                values = (group,)
            else:
                values = (self.values[group],)
            row = dict(zip(keys, values))
            row[COUNT_KEY] = count
            rows.append(row)
        rows.sort(key=lambda row: (-row[COUNT_KEY], [value_order(row[key]) for key in keys]))
        return rows


def _distinct(value):
    """The values an event counts under for one path: the distinct elements of a list, else the value itself."""
    if not isinstance(value, list):
        return (value,)
    if not value:
        return (None,)
    seen = set()
    distinct = []
    for element in value:
        key = _group_key(element)
        if key not in seen:
            seen.add(key)
            distinct.append(element)
    return distinct


def _group_key(value):
    """A hashable key that tells values apart as JSON does (``1``, ``1.0``, ``true`` and ``"1"`` are different)."""
    if value is None or type(value) is str:  # pylint: disable=unidiomatic-typecheck
        return value
    return (type(value).__name__, json.dumps(value, sort_keys=True, default=str))


def value_order(value):
    """Sort key for the values of equal counts: numbers ascending (a float before an equal integer), then text, then
    false and true, then lists and objects (by their JSON text), then null. Total over the values ``Counts`` tells
    apart, so the order never depends on the order the events were read in."""
    if value is None:
        return (5, 0, "")
    if isinstance(value, bool):
        return (3, int(value), "")
    if isinstance(value, (int, float)):
        return (1, value, type(value).__name__)
    if isinstance(value, str):
        return (2, 0, value)
    return (4, 0, json.dumps(value, sort_keys=True, default=str))
