# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Audit events: recording, deterministic seeding and cursor-paged search.

Paging is built for large result sets: the first request of a search filters and sorts once into a *snapshot*; the
cursor names the snapshot and an offset, so every further page is a list slice. Recorded end-of-results behaviour
is reproduced: the page that finishes the results still carries a cursor, and the request made with that cursor
answers ``{"data": []}`` without ``meta``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import gc
import itertools
import json
import math
import random
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from urllib.parse import urlencode

from dd_emulator.query import QueryError, compile_query
from dd_emulator.timeparse import format_iso, parse_duration, parse_time
from dd_emulator.validation import SchemaError, check_body

DEFAULT_QUERY = "*"
DEFAULT_FROM = "now-15m"
DEFAULT_TO = "now"
DEFAULT_SORT = "-timestamp"
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
SORTS = ("timestamp", "-timestamp")
#: Search snapshots (what a cursor pages through): the last SNAPSHOTS_KEPT are kept; older ones too while they were used
#: in the last SNAPSHOT_IDLE_SECONDS (a parallel read's slice waiting its turn on a busy machine keeps its cursor), up
#: to SNAPSHOTS_MAX in all.
SNAPSHOTS_KEPT = 64
SNAPSHOT_IDLE_SECONDS = 120
SNAPSHOTS_MAX = 1024
CHANGE_SERVICE = "workflow-automation"
CHANGE_EVENT_NAME = "Workflow Automation"
#: ``add_events``: the members an event spec may have, and the defaults of an event added without them.
EVENT_SPEC_KEYS = ("message", "service", "tags", "attributes", "timestamp", "visible_after")
ADDED_EVENT_NAME = "Emulator"
ADDED_EVENT_SERVICE = "emulator"

#: Seeding mix: (evt.name, service, asset type, actions).
SEED_KINDS = (
    ("Authentication", "authentication", "user", ("login", "logout")),
    ("Request", "api", "api_key", ("accessed",)),
    ("Workflow Automation", CHANGE_SERVICE, "action_connection", ("created", "modified", "deleted")),
    ("Dashboard", "dashboards", "dashboard", ("created", "modified", "deleted", "accessed")),
    ("Monitor", "monitors", "monitor", ("created", "modified", "deleted")),
    ("Notebook", "notebooks", "notebook", ("created", "modified", "accessed")),
    ("Logs", "logs", "logs_index", ("modified", "accessed")),
)
SEED_USERS = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson")
SEED_ENVS = ("prod", "staging", "dev")
SEED_TEAMS = ("platform", "sre", "data", "security")
HTTP_METHODS = {"created": "POST", "modified": "PATCH", "deleted": "DELETE", "accessed": "GET", "login": "POST", "logout": "POST"}
HTTP_STATUS = {"POST": 201, "PATCH": 200, "DELETE": 204, "GET": 200}


class AuditError(ValueError):
    """A bad search request; answered as 400 ``{"errors": ["<message>"]}``."""


@dataclass(frozen=True)
class StoredEvent:
    """One event: its answer form plus what search needs without recomputing it."""

    timestamp_ms: float  # a fraction of a millisecond when seeded so (the store keeps finer times than it shows)
    sequence: int
    message_lower: str
    item: dict


def user_record(name, email, user_id):
    """The ``usr`` object of an audit event."""
    return {"id": user_id, "email": email, "name": name, "handle": email}


class AuditLog:
    """Every audit event of one emulator, plus the search snapshots and queued answer ``meta`` overrides."""

    def __init__(self, clock=time.time):
        self._clock = clock
        self._events = []
        self._sequence = itertools.count()
        self._snapshots = OrderedDict()
        self._snapshot_used = {}  # snapshot id -> when it was last used (the clock's seconds)
        self._meta_overrides = deque()
        self._pending = []  # (visible_ms, StoredEvent): added, not yet indexed (see add_events)
        self._by_time = None  # the events sorted by (timestamp, sequence), rebuilt on the first search after a change
        self._by_time_keys = None
        self._encoded = {}  # event id -> its JSON text, made once (see answer_text)
        self.last_burst = None  # {"from", "to", "events"} (epoch ms, both included) of the last seeding with a burst

    def __len__(self):
        return len(self._events)

    def reset(self):
        """Forget every event, snapshot and queued meta override."""
        self._events.clear()
        self._snapshots.clear()
        self._snapshot_used.clear()
        self._meta_overrides.clear()
        self._pending.clear()
        self._by_time = self._by_time_keys = None
        self._encoded.clear()

    def now_ms(self):
        return int(self._clock() * 1000)

    # -- recording ------------------------------------------------------------------------------------------

    def _add(self, timestamp_ms, message, service, tags, attributes, visible_ms=None):
        sequence = next(self._sequence)
        shown_ms = math.floor(timestamp_ms)  # the millisecond the event shows
        event_id = "AAAAA" + base64.urlsafe_b64encode(shown_ms.to_bytes(8, "big") + sequence.to_bytes(8, "big")).decode().rstrip("=")
        item = {
            "id": event_id,
            "type": "audit",
            "attributes": {
                "timestamp": format_iso(shown_ms),
                "message": message,
                "service": service,
                "tags": tags,
                "attributes": attributes,
            },
        }
        stored = StoredEvent(timestamp_ms, sequence, message.lower(), item)
        if visible_ms is not None and visible_ms > self.now_ms():
            self._pending.append((visible_ms, stored))
        else:
            self._events.append(stored)
            self._by_time = None
        return item

    def record_change(self, action, asset, user, *, method, path, status_code):
        """Record one change accepted through the API (``asset`` = ``{"type", "id", "name"}``; no secrets in it)."""
        message = '%s %s %s "%s" (%s)' % (user["name"], action, asset["type"].replace("_", " "), asset["name"], asset["id"])
        attributes = {
            "evt": {"name": CHANGE_EVENT_NAME, "actor": {"type": "USER"}},
            "action": action,
            "asset": dict(asset),
            "usr": dict(user),
            "http": {"method": method, "url_details": {"path": path}, "status_code": status_code},
            "status": "info",
        }
        tags = ["source:audit", "env:emulator", "asset_type:%s" % asset["type"]]
        return self._add(self.now_ms(), message, CHANGE_SERVICE, tags, attributes)

    def seed(self, count, seed=0, span="7d", burst=0.0, burst_span="1h", end=None, timestamps=None):
        """Add ``count`` synthetic events spread over the past ``span``; same ``seed`` = same events (times aside).

        Placement in time (the events themselves stay the same): ``burst`` (0 to 1) puts that share of them, exactly
        ``round(count * burst)`` picked by ``seed``, in one ``burst_span`` window whose place in the span ``seed`` decides;
        ``end`` (epoch ms) ends the span there instead of now, so the times are deterministic too; ``timestamps``
        (epoch ms) puts them on exactly these milliseconds in turn (for events that share a millisecond). A timestamp
        with a fraction (``1780000000000.25``) puts the event inside its millisecond, as a store that keeps finer times
        than the millisecond it shows: the event shows ``…000Z``, is ordered by its full time, and a search's ``from`` and
        ``to`` (whole milliseconds) mean the instant ``.000``, so ``to`` leaves it out.
        """
        span_ms = parse_duration(span)
        if not isinstance(count, int) or count < 0:
            raise ValueError("count must be a non-negative integer")
        rng = random.Random(seed)
        now = self.now_ms() if end is None else _epoch_ms("end", end)
        placed, self.last_burst = _placements(count, seed, span_ms, now, burst, burst_span, timestamps)
        with _cyclic_gc_paused():
            return self._seed_events(count, rng, now, span_ms, placed)

    def _seed_events(self, count, rng, now, span_ms, placed):
        """The seeding loop; ``placed`` holds each event's time, or is ``None`` for evenly over the span."""
        users = [user_record(name, name.lower().replace(" ", ".") + "@ddops.invalid", str(uuid.UUID(int=rng.getrandbits(128), version=4)))
                 for name in SEED_USERS]
        for number in range(count):
            evt_name, service, asset_type, actions = rng.choice(SEED_KINDS)
            action = rng.choice(actions)
            user = rng.choice(users)
            method = HTTP_METHODS[action]
            status_code = 403 if rng.random() < 0.05 else HTTP_STATUS[method]
            asset_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            asset_name = "%s-%d" % (asset_type, rng.randrange(1000))
            attributes = {
                "evt": {"name": evt_name, "actor": {"type": "USER"}},
                "action": action,
                "asset": {"type": asset_type, "id": asset_id, "name": asset_name},
                "usr": user,
                "http": {"method": method, "url_details": {"path": "/api/v2/%s/%s" % (service, asset_id)}, "status_code": status_code},
                "status": "warn" if status_code >= 400 else "info",
            }
            tags = ["source:audit", "env:" + rng.choice(SEED_ENVS), "team:" + rng.choice(SEED_TEAMS)]
            message = "%s %s %s %s" % (user["name"], action, asset_type.replace("_", " "), asset_name)
            offset = rng.randrange(span_ms)
            self._add(now - offset if placed is None else placed[number], message, service, tags, attributes)
        return count

    def add_events(self, specs):
        """Add events given in full; return ``[{"id", "timestamp", "visible_at"}]`` (ISO times).

        Each spec (a dict, every member optional): ``message``, ``service``, ``tags`` (list of ``key:value``),
        ``attributes`` (the event's own attributes, such as ``{"evt": {"name": ...}, "usr": {...}}``), ``timestamp``
        (date math, ISO 8601 or epoch milliseconds; default now) and ``visible_after`` (seconds from now until search
        sees the event; default 0). An event whose timestamp is earlier than the moment it becomes visible is a
        *late-indexed* event, as Datadog sometimes has: a poller that only searches after its last poll misses it.
        All specs are checked before any is added.
        """
        if not isinstance(specs, list):
            raise ValueError("events must be a list of event objects")
        now = self.now_ms()
        prepared = []
        for position, spec in enumerate(specs, start=1):
            if not isinstance(spec, dict):
                raise ValueError("event %d must be an object, got %r" % (position, spec))
            unknown = sorted(set(spec) - set(EVENT_SPEC_KEYS))
            if unknown:
                raise ValueError("event %d: unknown member(s) %s; known: %s" % (position, ", ".join(unknown), ", ".join(EVENT_SPEC_KEYS)))
            timestamp_ms = parse_time(spec.get("timestamp", "now"), now)
            delay = spec.get("visible_after", 0)
            if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
                raise ValueError("event %d: visible_after must be a number of seconds of at least 0, got %r" % (position, delay))
            tags = spec.get("tags", ["source:audit", "env:emulator"])
            attributes = spec.get("attributes", {"evt": {"name": ADDED_EVENT_NAME}})
            message = spec.get("message", "Emulator test event")
            if not (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)):
                raise ValueError("event %d: tags must be a list of strings" % position)
            if not isinstance(attributes, dict) or not isinstance(message, str):
                raise ValueError("event %d: attributes must be an object and message a string" % position)
            prepared.append((timestamp_ms, message, str(spec.get("service", ADDED_EVENT_SERVICE)), tags, attributes,
                             now + int(delay * 1000)))
        added = []
        for timestamp_ms, message, service, tags, attributes, visible_ms in prepared:
            item = self._add(timestamp_ms, message, service, list(tags), json.loads(json.dumps(attributes)), visible_ms=visible_ms)
            added.append({"id": item["id"], "timestamp": item["attributes"]["timestamp"], "visible_at": format_iso(max(visible_ms, now))})
        return added

    @property
    def pending(self):
        """How many added events search does not see yet."""
        return len(self._pending)

    def _index_due(self):
        """Make the added events whose ``visible_after`` has passed visible to search."""
        if not self._pending:
            return
        now = self.now_ms()
        due = [stored for visible_ms, stored in self._pending if visible_ms <= now]
        if due:
            self._events.extend(due)
            self._by_time = None
        self._pending = [(visible_ms, stored) for visible_ms, stored in self._pending if visible_ms > now]

    # -- search ---------------------------------------------------------------------------------------------

    def queue_meta(self, times=1, status=None, warnings=None):
        """Make the next ``times`` search answers that carry ``meta`` use this ``status`` and/or ``warnings``."""
        if status not in (None, "done", "timeout"):
            raise ValueError("status must be 'done' or 'timeout'")
        if warnings is not None and not (isinstance(warnings, list) and all(isinstance(warning, dict) for warning in warnings)):
            raise ValueError("warnings must be a list of {code, title, detail} objects")
        override = {key: value for key, value in (("status", status), ("warnings", warnings)) if value is not None}
        self._meta_overrides.extend([override] * int(times))
        return len(self._meta_overrides)

    def search_body(self, body, base_url):
        """``POST /api/v2/audit/events/search``: ``body`` is the decoded JSON (or ``None``)."""
        body = {} if body is None else body
        try:
            check_body(body, "AuditLogsSearchEventsRequest")
        except SchemaError as error:
            raise AuditError("Invalid request body: %s" % error) from None
        search_filter = body.get("filter") or {}
        options = body.get("options") or {}
        if "timezone" in options and "time_offset" in options:
            raise AuditError("Specify either options.timezone or options.time_offset, not both")
        page = body.get("page") or {}
        return self._search(base_url, query=search_filter.get("query", DEFAULT_QUERY), time_from=search_filter.get("from", DEFAULT_FROM),
                            time_to=search_filter.get("to", DEFAULT_TO), sort=body.get("sort", DEFAULT_SORT), cursor=page.get("cursor"),
                            limit=page.get("limit", DEFAULT_LIMIT))

    def search_args(self, args, base_url):
        """``GET /api/v2/audit/events``: ``args`` maps query-string names to values."""
        limit = args.get("page[limit]", DEFAULT_LIMIT)
        try:
            limit = int(limit)
        except ValueError:
            raise AuditError("page[limit] must be an integer, got %r" % (limit,)) from None
        return self._search(base_url, query=args.get("filter[query]", DEFAULT_QUERY), time_from=args.get("filter[from]", DEFAULT_FROM),
                            time_to=args.get("filter[to]", DEFAULT_TO), sort=args.get("sort", DEFAULT_SORT), cursor=args.get("page[cursor]"),
                            limit=limit)

    def _search(self, base_url, *, query, time_from, time_to, sort, cursor, limit):
        started = time.perf_counter()
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise AuditError("page[limit] must be between 1 and %d, got %r" % (MAX_LIMIT, limit))
        if sort not in SORTS:
            raise AuditError("sort must be one of %s, got %r" % (", ".join(SORTS), sort))
        if cursor:
            snapshot_id, offset = self._decode_cursor(cursor)
            self._snapshots.move_to_end(snapshot_id)
            self._snapshot_used[snapshot_id] = self._clock()
        else:
            snapshot_id, offset = self._new_snapshot(query, time_from, time_to, sort), 0
        events = self._snapshots[snapshot_id]
        if cursor and offset >= len(events):
            return {"data": []}
        page = events[offset:offset + limit]
        meta = {"elapsed": int((time.perf_counter() - started) * 1000), "request_id": uuid.uuid4().hex, "status": "done"}
        if self._meta_overrides:
            meta.update(self._meta_overrides.popleft())
        answer = {"data": [event.item for event in page], "meta": meta}
        if page:
            after = self._encode_cursor(snapshot_id, offset + len(page))
            meta["page"] = {"after": after}
            answer["links"] = {"next": "%s/api/v2/audit/events?%s" % (base_url, urlencode(
                [("filter[query]", query), ("filter[from]", time_from), ("filter[to]", time_to), ("sort", sort),
                 ("page[cursor]", after), ("page[limit]", limit)]))}
        return answer

    def _new_snapshot(self, query, time_from, time_to, sort):
        self._index_due()
        try:
            matches = compile_query(query)
        except QueryError as error:
            raise AuditError(str(error)) from None
        now = self.now_ms()
        try:
            start, end = parse_time(time_from, now), parse_time(time_to, now)
        except ValueError as error:
            raise AuditError(str(error)) from None
        selected = self._in_range(start, end)  # a new list, sorted by (timestamp, sequence): no sort needed
        if matches is not compile_query(DEFAULT_QUERY):  # "*" matches everything: no test per event
            selected = [event for event in selected if matches(event.item["attributes"], event.message_lower)]
        if sort.startswith("-"):
            selected.reverse()
        snapshot_id = uuid.uuid4().hex
        self._snapshots[snapshot_id] = selected
        now = self._snapshot_used[snapshot_id] = self._clock()
        while len(self._snapshots) > SNAPSHOTS_KEPT:
            oldest = next(iter(self._snapshots))
            if len(self._snapshots) <= SNAPSHOTS_MAX and now - self._snapshot_used[oldest] < SNAPSHOT_IDLE_SECONDS:
                break
            del self._snapshots[oldest]
            del self._snapshot_used[oldest]
        return snapshot_id

    def _in_range(self, start, end):
        """The events from ``start`` to ``end`` (epoch ms, both included), oldest first: a bisection of the time index."""
        if self._by_time is None:
            self._by_time = sorted(self._events, key=lambda event: (event.timestamp_ms, event.sequence))
            self._by_time_keys = [event.timestamp_ms for event in self._by_time]
        return self._by_time[bisect.bisect_left(self._by_time_keys, start):bisect.bisect_right(self._by_time_keys, end)]

    def answer_text(self, answer):
        """The JSON text of a search answer. Each event's JSON is made once and then reused, so that a page of 1,000
        events costs a join rather than an encoding: the emulator's own CPU must not be what a benchmark measures."""
        data = answer.get("data")
        if not data:
            return json.dumps(answer)
        encoded = self._encoded
        parts = []
        for item in data:
            text = encoded.get(item["id"])
            if text is None:
                text = encoded[item["id"]] = json.dumps(item)
            parts.append(text)
        rest = json.dumps(dict((key, value) for key, value in answer.items() if key != "data"))
        return '{"data": [%s]%s' % (", ".join(parts), "}" if rest == "{}" else ", " + rest[1:])

    @staticmethod
    def _encode_cursor(snapshot_id, offset):
        return base64.urlsafe_b64encode(json.dumps({"snapshot": snapshot_id, "after": offset}).encode()).decode()

    def _decode_cursor(self, cursor):
        try:
            decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            snapshot_id, offset = str(decoded["snapshot"]), int(decoded["after"])
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise AuditError("Invalid page cursor %r" % (cursor,)) from None
        if snapshot_id not in self._snapshots:
            raise AuditError("Expired page cursor (the search snapshot is gone); start the search again")
        return snapshot_id, offset


def _epoch_ms(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("%s must be epoch milliseconds (a non-negative integer), got %r" % (name, value))
    return value


def _instant_ms(name, value):
    """Epoch milliseconds, whole or with a fraction of a millisecond."""
    if isinstance(value, float) and math.isfinite(value) and value >= 0:
        return int(value) if value.is_integer() else value
    return _epoch_ms(name, value)


def _placements(count, seed, span_ms, end, burst, burst_span, timestamps):
    """``(times, burst window)``: the time of each seeded event when a placement is asked for, else ``None`` (evenly
    over the span); the burst window ``{"from", "to", "events"}`` when there is one, else ``None``."""
    if timestamps is not None:
        if not isinstance(timestamps, list) or not timestamps:
            raise ValueError("timestamps must be a non-empty list of epoch milliseconds")
        times = [_instant_ms("each of timestamps", value) for value in timestamps]
        return [times[number % len(times)] for number in range(count)], None
    if isinstance(burst, bool) or not isinstance(burst, (int, float)) or not 0 <= burst <= 1:
        raise ValueError("burst must be a share from 0 to 1 (e.g. 0.8), got %r" % (burst,))
    if not burst:
        return None, None
    burst_ms = parse_duration(burst_span)
    if burst_ms > span_ms:
        raise ValueError("burst_span (%s) must not be longer than span" % burst_span)
    rng = random.Random("burst:%s" % seed)  # its own generator: the events are the same as without the burst
    first = end - span_ms + 1  # the span is (end - span, end], as without the burst
    burst_start = first + rng.randrange(span_ms - burst_ms + 1)
    in_burst = set(rng.sample(range(count), int(round(count * burst))))
    times = [burst_start + rng.randrange(burst_ms) if number in in_burst else first + rng.randrange(span_ms)
             for number in range(count)]
    return times, {"from": burst_start, "to": burst_start + burst_ms - 1, "events": len(in_burst)}


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Seeding builds ~10 dicts per event and no reference cycle: the cyclic collector's passes over the growing heap
    cost about as much as the seeding itself at 100,000 events, for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
