# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Datadog Audit Trail as a stream of new events: what the ``ddops.datadog.audit_events`` event source polls.

Internal use only: this module is not part of the collection's public interface and may change in any release.
There are no Ansible (and no asyncio) imports here; the event source runs :meth:`AuditStream.search` in a worker thread.

Each poll searches ``[from, now]`` oldest first, with ``from`` = the start of the previous successful poll minus the
``overlap`` window (never before ``start``). Datadog sometimes makes an event searchable a little after its timestamp;
such an event is still inside the window of the next poll, as long as it is not later than ``overlap``. The window
also returns events that were already delivered, so the IDs delivered inside it are remembered and skipped: each event
is delivered once. IDs older than the window are forgotten, which bounds the set by the events of one window. A poll
that fails changes nothing, so the next one reads its range again and nothing is lost.

A poll changes nothing by itself either: each event is remembered when it is handed on (:meth:`AuditStream.delivered`),
and the window moves only once all the events of the poll were (:meth:`AuditStream.finish_poll`). So the state is
always "these events were delivered, and everything before the window's start": :meth:`AuditStream.checkpoint` saves it
(:func:`write_checkpoint`, a file replaced atomically, holding the window's start and the IDs delivered inside the
window, never a key), and a source started again with that file (:func:`read_checkpoint`) goes on where the other one
stopped, even in the middle of a poll's events: each event is delivered once across restarts.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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
#: How far in the future ``start`` (or a checkpoint's window) may be: a little clock skew, not a schedule.
START_TOLERANCE_MS = 5000
#: The format of a checkpoint file; another one is not read (the source then starts from ``start``).
CHECKPOINT_FORMAT = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class StreamSettings(object):
    """Validated event source options (not the connection ones). Build with :func:`validate_stream`."""

    __slots__ = ("query", "interval", "start", "start_ms", "page_size", "overlap", "checkpoint")

    def __init__(self, query, interval, start, start_ms, page_size, overlap, checkpoint=None):
        self.query = query
        self.interval = interval
        self.start = start
        self.start_ms = start_ms
        self.page_size = page_size
        self.overlap = overlap
        self.checkpoint = checkpoint  # the path of the checkpoint file, or None

    def __repr__(self):
        return "StreamSettings(%s)" % ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.__slots__)


def validate_stream(query=None, interval=None, start=None, page_size=None, overlap=None, checkpoint=None, now_ms=None):
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
        checkpoint=validate_checkpoint_path(checkpoint),
    )


def validate_checkpoint_path(value):
    """The ``checkpoint`` argument: ``None`` (or empty), or a file path whose directory exists and can be written."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError("checkpoint must be the path of a file where the source records where it is (such as "
                         "/var/lib/eda/audit-events.json), got %s" % ("a %s" % kind_of(value) if not isinstance(value, str) else "blanks"))
    path = os.path.abspath(os.path.expanduser(value.strip()))
    directory = os.path.dirname(path)
    if os.path.isdir(path):
        raise InputError("checkpoint must be the path of a file, but %s is a directory" % path)
    if not os.path.isdir(directory):
        raise InputError("checkpoint: the directory %s does not exist; create it or give another path" % directory)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError("checkpoint: the directory %s cannot be written by this process; the source must be able to "
                         "replace the file there" % directory)
    return path


def validate_seconds(name, value, positive):
    """A finite number of seconds from an int, a float or a numeric string; never a bool."""
    return float(validate_number(name, value, minimum=0, exclusive=positive,
                                 allowed="a number of seconds %s" % ("greater than 0" if positive else "of at least 0")))


def epoch_ms(clock=time.time):
    return int(clock() * 1000)


def event_key(event):
    """What identifies an event: its ``id`` (Datadog always sends one), else a digest of its whole content."""
    identifier = event.get("id") if isinstance(event, dict) else None
    if isinstance(identifier, str) and identifier:
        return identifier
    return "sha256:" + hashlib.sha256(json.dumps(event, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def query_digest(query):
    """What a checkpoint records of the query it was written for (the query itself stays in the rulebook)."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PollResult(object):
    """The new events of one poll (oldest first), Datadog's warnings, the requests made, the searched range and when
    the poll started."""

    __slots__ = ("events", "warnings", "requests", "time_from_ms", "started_ms")

    def __init__(self, events, warnings, requests, time_from_ms, started_ms=None):
        self.events = events
        self.warnings = warnings
        self.requests = requests
        self.time_from_ms = time_from_ms
        self.started_ms = started_ms


class AuditStream(object):
    """The state between polls: where the next search starts and which IDs it must not deliver again.

    ``clock`` returns seconds since the epoch (injectable so tests control time). ``resume`` is the state a checkpoint
    holds (:func:`read_checkpoint`): the window's start and the events delivered inside it.
    """

    def __init__(self, settings, clock=time.time, max_remembered=MAX_REMEMBERED, resume=None):
        self.settings = settings
        self.clock = clock
        self.max_remembered = max_remembered
        self.next_from_ms = settings.start_ms
        self.remembered = {}  # event key -> timestamp (ms); dicts keep insertion order, which is roughly time order
        self.polls = 0
        if resume is not None:  # go on where the checkpoint's source stopped, whatever start says
            self.next_from_ms = resume["window_start_ms"]
            self.remembered = dict((key, timestamp_ms) for key, timestamp_ms in resume["delivered"])
        self.floor_ms = self.next_from_ms  # no window starts earlier: events before start (or the checkpoint) are not delivered

    def search_settings(self):
        """The search of the next poll: ``[next_from, now]``, oldest first, every page."""
        return SearchSettings(time_from=str(self.next_from_ms), time_to="now", sort="timestamp", limit=0,
                              page_size=self.settings.page_size)

    def search(self, client):
        """Search once (blocking) and return a :class:`PollResult` with the events not delivered before.

        Changes nothing: hand each event on with :meth:`delivered`, then call :meth:`finish_poll`. Raises
        :class:`ddops.datadog.plugins.module_utils._errors.TaskFailure` when the search fails; the next poll then searches
        the same range again.
        """
        started_ms = epoch_ms(self.clock)
        time_from_ms = self.next_from_ms
        result = search_events(client, self.settings.query, self.search_settings())
        seen = set()
        new_events = []
        for event in result.events:
            key = event_key(event)
            if key not in self.remembered and key not in seen:
                seen.add(key)
                new_events.append(event)
        return PollResult(new_events, result.warnings, result.requests, time_from_ms, started_ms)

    def poll(self, client):
        """:meth:`search`, every new event delivered at once and the poll finished: for a caller that cannot stop in the
        middle of a poll's events."""
        result = self.search(client)
        result.events, warnings = self.accept(result.events, result.started_ms)
        result.warnings = result.warnings + warnings
        return result

    def delivered(self, event, started_ms):
        """``event`` (of the poll that started at ``started_ms``) was handed on: never deliver it again."""
        timestamp_ms = event_time_ms(event)
        self.remembered[event_key(event)] = started_ms if timestamp_ms is None else timestamp_ms

    def finish_poll(self, started_ms):
        """Every event of the poll that started at ``started_ms`` was handed on: the next poll starts ``overlap`` before it.
        Returns warnings (IDs forgotten beyond the cap)."""
        self.polls += 1
        self.next_from_ms = max(self.floor_ms, started_ms - int(self.settings.overlap * 1000))
        return self._forget()

    def accept(self, events, started_ms):
        """Deliver ``events`` of the poll that started at ``started_ms`` at once: those not delivered before, in the
        order given, and finish the poll. Returns ``(new events, warnings)``."""
        new_events = []
        for event in events:
            if event_key(event) in self.remembered:
                continue
            self.delivered(event, started_ms)
            new_events.append(event)
        return new_events, self.finish_poll(started_ms)

    def checkpoint(self):
        """What a checkpoint file holds: the window's start and the events delivered inside it (IDs and times, never
        a key), for the query they were read with."""
        return {"format": CHECKPOINT_FORMAT, "query_sha256": query_digest(self.settings.query),
                "window_start_ms": self.next_from_ms,
                "delivered": [[key, timestamp_ms] for key, timestamp_ms in self.remembered.items()]}

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


def read_checkpoint(settings, now_ms=None):
    """``(state, warning)``: the state of ``settings.checkpoint`` to resume from, or ``(None, why)`` when the source
    starts from ``start`` instead (no file yet, a file that cannot be read or used, or one written for another query).
    ``(None, None)`` without a checkpoint."""
    path = settings.checkpoint
    if path is None:
        return None, None
    now_ms = epoch_ms() if now_ms is None else now_ms
    fallback = "; starting from start=%s" % settings.start
    try:
        with open(path, "rb") as handle:
            state = json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        return None, "no checkpoint at %s yet%s; the file is written once events are delivered" % (path, fallback)
    except (OSError, ValueError) as exc:
        return None, "the checkpoint %s cannot be read (%s)%s" % (path, getattr(exc, "strerror", None) or type(exc).__name__, fallback)
    problem = _checkpoint_problem(state, now_ms)
    if problem is not None:
        return None, "the checkpoint %s cannot be used (%s)%s" % (path, problem, fallback)
    if state["query_sha256"] != query_digest(settings.query):
        return None, "the checkpoint %s was written for another query%s" % (path, fallback)
    return state, None


def _checkpoint_problem(state, now_ms):
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        return "not a checkpoint of format %d" % CHECKPOINT_FORMAT
    start = state.get("window_start_ms")
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        return "window_start_ms is not epoch milliseconds"
    if start > now_ms + START_TOLERANCE_MS:
        return "its window starts in the future"
    if not isinstance(state.get("query_sha256"), str):
        return "query_sha256 is missing"
    delivered = state.get("delivered")
    if not isinstance(delivered, list) or not all(
            isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            and isinstance(entry[1], int) and not isinstance(entry[1], bool) for entry in delivered):
        return "delivered is not a list of [id, epoch ms]"
    return None


def write_checkpoint(path, state):
    """Replace the file ``path`` with ``state`` (JSON) atomically: a reader sees the old file or the new one, never a
    part. The file is readable by its owner only."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w") as output:
            json.dump(state, output, separators=(",", ":"))
            output.flush()
            os.fsync(output.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _number(value):
    return ("%d" % value) if float(value).is_integer() else ("%s" % value)
