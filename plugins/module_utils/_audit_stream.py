# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Datadog Audit Trail as a stream of new events: what the ``ddops.datadog.audit_events`` event source polls.

Internal use only: this module is not part of the collection's public interface and may change in any release.
There are no Ansible (and no asyncio) imports here; the event source runs :meth:`AuditStream.poll` in a worker thread.

Each poll searches ``[from, now]`` oldest first, with ``from`` = the start of the previous successful poll minus the
``overlap`` window (never before ``start``). Datadog sometimes makes an event searchable a little after its timestamp;
such an event is still inside the window of the next poll, as long as it is not later than ``overlap``. The window
also returns events that were already delivered, so the IDs delivered inside it are remembered and skipped: each event
is delivered once. IDs older than the window are forgotten, which bounds the set by the events of one window. A poll
that fails changes nothing, so the next one reads its range again and nothing is lost.
"""

from __future__ import annotations

import json
import time

from datetime import datetime, timezone

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._audit import (
    DEFAULT_QUERY,
    MAX_PAGE_SIZE,
    SearchSettings,
    event_time_ms,
    resolve_time,
    search_events,
    validate_time,
)
from ansible_collections.ddops.datadog.plugins.module_utils._validation import kind_of, validate_number

DEFAULT_INTERVAL = 30.0
DEFAULT_START = "now"
DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE
DEFAULT_OVERLAP = 60.0
#: The most remembered IDs; past it the oldest are forgotten (and could be delivered again), with a warning.
MAX_REMEMBERED = 100000
#: How far in the future ``start`` may be: a little clock skew, not a schedule.
START_TOLERANCE_MS = 5000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class StreamSettings(object):
    """Validated event source options (not the connection ones). Build with :func:`validate_stream`."""

    __slots__ = ("query", "interval", "start", "start_ms", "page_size", "overlap")

    def __init__(self, query, interval, start, start_ms, page_size, overlap):
        self.query = query
        self.interval = interval
        self.start = start
        self.start_ms = start_ms
        self.page_size = page_size
        self.overlap = overlap

    def __repr__(self):
        return "StreamSettings(%s)" % ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.__slots__)


def validate_stream(query=None, interval=None, start=None, page_size=None, overlap=None, now_ms=None):
    """Validate raw option values (``None`` = default) into :class:`StreamSettings`.

    Raises :class:`InputError` naming the option and what it allows. ``start`` is resolved once, here, against
    ``now_ms`` (epoch milliseconds; default the current time).
    """
    now_ms = epoch_ms() if now_ms is None else now_ms
    if query is None:
        query = DEFAULT_QUERY
    if not isinstance(query, str):
        raise InputError("query must be an Audit Trail search query string such as '@evt.name:\"Workflow Automation\"', "
                         "got a %s" % kind_of(query))
    start = validate_time("start", DEFAULT_START if start is None else start)
    moment = resolve_time(start, datetime.fromtimestamp(now_ms / 1000.0, tz=timezone.utc))
    start_ms = int((moment - _EPOCH).total_seconds() * 1000)
    if start_ms > now_ms + START_TOLERANCE_MS:
        raise InputError("start (%s) is in the future; give now, a time in the past (now-1h, an ISO 8601 time) "
                         "or leave it out" % start)
    return StreamSettings(
        query=query.strip() or DEFAULT_QUERY,
        interval=validate_seconds("interval", DEFAULT_INTERVAL if interval is None else interval, positive=True),
        start=start,
        start_ms=start_ms,
        page_size=validate_number("page_size", DEFAULT_PAGE_SIZE if page_size is None else page_size, integer=True,
                                  minimum=1, maximum=MAX_PAGE_SIZE, allowed="an integer from 1 to %d" % MAX_PAGE_SIZE),
        overlap=validate_seconds("overlap", DEFAULT_OVERLAP if overlap is None else overlap, positive=False),
    )


def validate_seconds(name, value, positive):
    """A finite number of seconds from an int, a float or a numeric string; never a bool."""
    return float(validate_number(name, value, minimum=0, exclusive=positive,
                                 allowed="a number of seconds %s" % ("greater than 0" if positive else "of at least 0")))


def epoch_ms(clock=time.time):
    return int(clock() * 1000)


def event_key(event):
    """What identifies an event: its ``id`` (Datadog always sends one), else its whole content."""
    identifier = event.get("id") if isinstance(event, dict) else None
    if isinstance(identifier, str) and identifier:
        return identifier
    return json.dumps(event, sort_keys=True, default=str)


class PollResult(object):
    """The new events of one poll (oldest first), Datadog's warnings, the requests made and the searched range."""

    __slots__ = ("events", "warnings", "requests", "time_from_ms")

    def __init__(self, events, warnings, requests, time_from_ms):
        self.events = events
        self.warnings = warnings
        self.requests = requests
        self.time_from_ms = time_from_ms


class AuditStream(object):
    """The state between polls: where the next search starts and which IDs it must not deliver again.

    ``clock`` returns seconds since the epoch (injectable so tests control time).
    """

    def __init__(self, settings, clock=time.time, max_remembered=MAX_REMEMBERED):
        self.settings = settings
        self.clock = clock
        self.max_remembered = max_remembered
        self.next_from_ms = settings.start_ms
        self.remembered = {}  # event key -> timestamp (ms); dicts keep insertion order, which is roughly time order
        self.polls = 0

    def search_settings(self):
        """The search of the next poll: ``[next_from, now]``, oldest first, every page."""
        return SearchSettings(time_from=str(self.next_from_ms), time_to="now", sort="timestamp", limit=0,
                              page_size=self.settings.page_size)

    def poll(self, client):
        """Search once (blocking) and return a :class:`PollResult` with the events not delivered before.

        Raises :class:`ddops.datadog.plugins.module_utils._errors.TaskFailure` when the search fails; the state is
        then unchanged, so the next poll searches the same range again.
        """
        started_ms = epoch_ms(self.clock)
        time_from_ms = self.next_from_ms
        result = search_events(client, self.settings.query, self.search_settings())
        events, warnings = self.accept(result.events, started_ms)
        return PollResult(events, result.warnings + warnings, result.requests, time_from_ms)

    def accept(self, events, started_ms):
        """Keep the events not delivered before (in the order given), remember them, and move the window on.

        ``started_ms`` is when the poll that read ``events`` started; the next poll starts ``overlap`` before it.
        Returns ``(new events, warnings)``.
        """
        new_events = []
        for event in events:
            key = event_key(event)
            if key in self.remembered:
                continue
            timestamp_ms = event_time_ms(event)
            self.remembered[key] = started_ms if timestamp_ms is None else timestamp_ms
            new_events.append(event)
        self.polls += 1
        self.next_from_ms = max(self.settings.start_ms, started_ms - int(self.settings.overlap * 1000))
        return new_events, self._forget()

    def _forget(self):
        """Forget the IDs the next search cannot return again (older than its start), then any beyond the cap."""
        cutoff = self.next_from_ms
        if any(timestamp_ms < cutoff for timestamp_ms in self.remembered.values()):
            self.remembered = dict((key, timestamp_ms) for key, timestamp_ms in self.remembered.items() if timestamp_ms >= cutoff)
        excess = len(self.remembered) - self.max_remembered
        if excess <= 0:
            return []
        oldest = sorted(self.remembered.items(), key=lambda item: item[1])[:excess]
        for key, dummy in oldest:
            del self.remembered[key]
        return ["more than %d audit events fell inside the overlap window of %s seconds; the %d oldest were forgotten "
                "and may be delivered again. Narrow the query or lower overlap." % (self.max_remembered, _number(self.settings.overlap), excess)]


def _number(value):
    return ("%d" % value) if float(value).is_integer() else ("%s" % value)
