# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Datadog Audit Trail search: option validation, request bodies and the cursor paging loop.

Internal use only: this module is not part of the collection's public interface and may change in any
release. There are no Ansible imports here; the ``ddops.datadog.audit_events`` lookup is a thin layer on
top of :func:`validate_search` and :func:`search_all`, and everything below is tested with plain pytest.

What becomes of the events is up to a *collector* (``add(events)`` for each page, in order, then ``result()``): by
default :class:`~._audit_fields.KeepEvents` keeps them whole; ``_audit_fields`` also has the projection (``fields``)
and the counts (``count_by``), which keep only what they need of each page.

Paging follows what Datadog does (see ``POST /api/v2/audit/events/search``): the cursor of the next page is
``meta.page.after``; a short page is *not* the end (the page that finishes the results still carries a
cursor, and the request made with it answers ``{"data": []}``). The loop stops on an empty page, a missing
cursor or once one event more than ``limit`` was read: that one is not returned, it only tells that the limit cut the
read short, which :func:`limit_warning` then says. It never asks for more events than it still needs.
A page that starts with an event already returned means the cursor did not advance: the search fails rather than
page on without end (a repeated cursor stops it with a warning).

:func:`event_time_ms` is the one reading of an event's time, shared by the parallel reader and the event source.
"""

from __future__ import annotations

import math
import re

from datetime import datetime, timedelta, timezone

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError, cyclic_gc_paused, one_line
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, api_failure
from ansible_collections.ddops.datadog.plugins.module_utils._validation import describe, validate_number
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import KeepEvents

SEARCH_PATH = "/api/v2/audit/events/search"

DEFAULT_QUERY = "*"
DEFAULT_FROM = "now-15m"
DEFAULT_TO = "now"
SORTS = ("timestamp", "-timestamp")
DEFAULT_SORT = "-timestamp"
DEFAULT_LIMIT = 1000
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE

TIME_UNITS_MS = {"s": 1000, "m": 60 * 1000, "h": 3600 * 1000, "d": 86400 * 1000, "w": 7 * 86400 * 1000}
# Epoch milliseconds below this (1973-03-03) are almost certainly epoch *seconds* given by mistake.
_EPOCH_MS_FLOOR = 10 ** 11

_DATE_MATH = re.compile(r"^now(?:(?P<sign>[+-])(?P<amount>\d+)(?P<unit>[smhdw]))?(?:/(?P<round>[smhdw]))?$")
_ISO_8601 = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_EPOCH = re.compile(r"^\d+$")
_TIMEZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-:/]{0,63}$")

TIME_HELP = ("date math such as now, now-15m, now-1d or now-7d (units s, m, h, d, w; optional rounding like now/d), "
             "an ISO 8601 time such as 2026-01-31T08:00:00Z, or epoch milliseconds")


class SearchSettings(object):
    """Validated search options, shared by every query of one lookup call. Build with :func:`validate_search`."""

    __slots__ = ("time_from", "time_to", "sort", "limit", "page_size", "timezone", "time_offset")

    def __init__(self, time_from=DEFAULT_FROM, time_to=DEFAULT_TO, sort=DEFAULT_SORT, limit=DEFAULT_LIMIT,
                 page_size=DEFAULT_PAGE_SIZE, timezone=None, time_offset=None):
        self.time_from = time_from
        self.time_to = time_to
        self.sort = sort
        self.limit = limit
        self.page_size = page_size
        self.timezone = timezone
        self.time_offset = time_offset

    def __repr__(self):
        return "SearchSettings(%s)" % ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.__slots__)

    @property
    def wanted(self):
        """Events to read for one query: one more than ``limit`` (it tells whether the limit cut the read short), or
        ``0`` (every event)."""
        return self.limit + 1 if self.limit else 0

    def page_limit(self, already_read):
        """How many events to ask for next: a full page, or what remains of :attr:`wanted` when that is less."""
        if not self.limit:
            return self.page_size
        return min(self.page_size, self.wanted - already_read)

    def body(self, query, page_limit, cursor=None):
        """The ``POST /api/v2/audit/events/search`` body for one page."""
        body = {
            "filter": {"query": query, "from": self.time_from, "to": self.time_to},
            "sort": self.sort,
            "page": {"limit": page_limit},
        }
        if cursor is not None:
            body["page"]["cursor"] = cursor
        if self.timezone is not None:
            body["options"] = {"timezone": self.timezone}
        elif self.time_offset is not None:
            body["options"] = {"time_offset": self.time_offset}
        return body


class SearchResult(object):
    """One query's search: its events in the order Datadog returned them (unless a collector took them), how many
    events were returned, whether more matched than ``limit`` let through, the warnings to show, the requests made."""

    __slots__ = ("query", "events", "read", "cut_short", "warnings", "requests", "timed_out_pages")

    def __init__(self, query):
        self.query = query
        self.events = []
        self.read = 0
        self.cut_short = False
        self.warnings = []
        self.requests = 0
        self.timed_out_pages = []

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)


# -- validation -------------------------------------------------------------------------------------------

def validate_search(time_from=None, time_to=None, sort=None, limit=None, page_size=None, timezone=None, time_offset=None,
                    now=None):
    """Validate raw option values (``None`` = default) into :class:`SearchSettings`.

    Raises :class:`InputError` naming the option and what it allows; nothing is sent before this passes.
    ``now`` (a timezone-aware datetime) anchors date math when ``from`` and ``to`` are compared.
    """
    settings = SearchSettings(
        time_from=validate_time("from", DEFAULT_FROM if time_from is None else time_from),
        time_to=validate_time("to", DEFAULT_TO if time_to is None else time_to),
        sort=validate_sort(sort),
        limit=validate_number("limit", DEFAULT_LIMIT if limit is None else limit, integer=True, minimum=0,
                              allowed="an integer of at least 0 (events per query; 0 means all)"),
        page_size=validate_number("page_size", DEFAULT_PAGE_SIZE if page_size is None else page_size, integer=True,
                                  minimum=1, maximum=MAX_PAGE_SIZE, allowed="an integer from 1 to %d" % MAX_PAGE_SIZE),
    )
    if timezone is not None and timezone != "" and time_offset is not None and time_offset != "":
        raise InputError("timezone and time_offset are mutually exclusive: Datadog accepts only one of them per search, "
                         "got timezone=%r and time_offset=%r" % (timezone, time_offset))
    if timezone is not None and timezone != "":
        settings.timezone = validate_timezone(timezone)
    if time_offset is not None and time_offset != "":
        settings.time_offset = validate_number("time_offset", time_offset, integer=True,
                                               allowed="an integer number of seconds, for example 3600 or -18000")
    check_time_range(settings, now=now)
    return settings


def validate_time(name, value):
    """Return ``value`` as Datadog takes it (a string); refuse what Datadog would not understand."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError("%s must be %s; got %s" % (name, TIME_HELP, describe(value)))
    if isinstance(value, int):
        text = str(value)
    else:
        text = value.strip()
    if _EPOCH.match(text):
        if int(text) < _EPOCH_MS_FLOOR:
            raise InputError("%s=%s is before 1973 when read as epoch milliseconds, which Datadog expects; "
                             "for epoch seconds multiply by 1000 (%s000)" % (name, text, text))
        return text
    compact = re.sub(r"\s*([+/-])\s*", r"\1", text)  # "now - 1h" is sent as "now-1h"
    if _DATE_MATH.match(compact):
        return compact
    if _parse_iso(text) is not None:
        return text
    raise InputError("%s must be %s; got %r" % (name, TIME_HELP, value))


def validate_sort(value):
    if value is None:
        return DEFAULT_SORT
    if value not in SORTS:
        raise InputError("sort must be timestamp (oldest first) or -timestamp (newest first), got %r" % (value,))
    return value


def validate_timezone(value):
    if not isinstance(value, str) or not _TIMEZONE.match(value.strip()):
        raise InputError("timezone must be UTC, GMT, an offset such as UTC+1 or UTC-05:00, or a tz database name such as "
                         "America/New_York; got %s" % describe(value))
    return value.strip()


def check_time_range(settings, now=None):
    """Refuse a range whose start is after its end, when both ends can be placed without the timezone."""
    now = now or datetime.now(timezone.utc)
    zone_given = settings.timezone is not None or settings.time_offset is not None
    start = resolve_time(settings.time_from, now, zone_given)
    end = resolve_time(settings.time_to, now, zone_given)
    if start is not None and end is not None and start > end:
        raise InputError("from (%s) is later than to (%s): from is the start of the time range, to its end"
                         % (settings.time_from, settings.time_to))


def resolve_time(value, now, zone_given=False):
    """A validated time as an aware datetime, or ``None`` when it depends on the search's timezone option."""
    if _EPOCH.match(value):
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(value))
    match = _DATE_MATH.match(value)
    if match:
        if match.group("round"):
            if zone_given:
                return None
            unit_ms = TIME_UNITS_MS[match.group("round")]
        moment = now
        if match.group("sign"):
            delta = timedelta(milliseconds=int(match.group("amount")) * TIME_UNITS_MS[match.group("unit")])
            moment = moment + delta if match.group("sign") == "+" else moment - delta
        if match.group("round"):
            epoch_ms = int((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) / timedelta(milliseconds=1))
            into_unit = epoch_ms % unit_ms
            if match.group("round") == "w":  # weeks start on Monday; 1970-01-01 was a Thursday
                day_ms = TIME_UNITS_MS["d"]
                into_unit = (epoch_ms // day_ms + 3) % 7 * day_ms + epoch_ms % day_ms
            moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=epoch_ms - into_unit)
        return moment
    moment = _parse_iso(value)
    if moment is None or (moment.tzinfo is None and zone_given):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _parse_iso(text):
    match = _ISO_8601.match(text)
    if not match:
        return None
    parts = match.groupdict()
    fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
    zone = None
    if parts["zone"] in ("Z", "z"):
        zone = timezone.utc
    elif parts["zone"]:
        digits = parts["zone"][1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        zone = timezone(offset if parts["zone"][0] == "+" else -offset)
    try:
        return datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]), int(parts["hour"] or 0),
                        int(parts["minute"] or 0), int(parts["second"] or 0), int(fraction), tzinfo=zone)
    except ValueError:
        return None


def validate_queries(terms):
    """The search queries of a lookup call: no terms → ``*``; every term must be a string (empty → ``*``)."""
    queries = []
    for position, term in enumerate(terms or [], start=1):
        if not isinstance(term, str):
            raise InputError("term %d must be a search query string such as '@evt.name:Authentication', got %s"
                             % (position, describe(term)))
        queries.append(term.strip() or DEFAULT_QUERY)
    return queries or [DEFAULT_QUERY]


# -- paging -----------------------------------------------------------------------------------------------

def search_events(client, query, settings, collector=None):
    """Read the events of one query, page by page; returns a :class:`SearchResult`.

    Each page of events goes to ``collector.add()`` as soon as it is read; without a collector the events are kept in
    ``SearchResult.events``. With a ``limit`` it reads one event more than the limit when there is one: that event is
    not returned, it sets ``SearchResult.cut_short``.

    ``client`` is a :class:`DatadogClient`: it waits ``X-RateLimit-Reset`` on 429 and retries 5xx answers and
    dropped connections by itself (the search is sent as idempotent, since it changes nothing).
    Raises :class:`TaskFailure` (``Failed to search audit events for query ... (page N): ...``) when a request fails
    or the answer is not a search answer, and when a page starts with an event an earlier page returned (a cursor that
    does not advance: a server that answers the same events with ever new cursors would otherwise be paged forever).
    """
    result = SearchResult(query)
    add = result.events.extend if collector is None else collector.add
    cursor = None
    seen_cursors = set()
    returned = set()  # IDs of the events returned so far: a page starting with one of them is a cursor that did not advance
    read = 0  # events read, the one past the limit included
    while True:
        page_limit = settings.page_limit(read)
        body = settings.body(query, page_limit, cursor)
        page_number = result.requests + 1
        try:
            # A search changes nothing, so it may be retried like a GET after a 5xx or a dropped connection.
            response = client.request("POST", SEARCH_PATH, body=body, expected=(200,), idempotent=True)
            result.requests += 1
            events = search_page(response)
        except DatadogAPIError as exc:
            raise search_failure(exc, "search audit events for query %r (page %d)" % (query, page_number),
                                 client.options.base_url) from None
        meta = response.body.get("meta") if isinstance(response.body, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        collect_warnings(result, meta, page_number, client.scrub)
        if not events:
            break
        if len(events) > page_limit:  # more than asked for: keep the promise of never returning more than limit
            events = events[:page_limit]
        ids = event_ids(events)
        if ids and ids[0] in returned:
            raise TaskFailure(repeated_page_message(query, "page %d" % page_number, result.requests),
                              status=response.status, request_id=response.request_id)
        returned.update(ids)
        read += len(events)
        if settings.limit and read > settings.limit:
            events = events[:settings.limit - result.read]
            result.cut_short = True
        add(events)
        result.read += len(events)
        if result.cut_short:
            break
        cursor = next_cursor(meta)
        if cursor is None:
            break
        if cursor in seen_cursors:
            result.warn("Datadog answered the audit search for query %r with a cursor it had already sent (page %d); "
                        "stopped paging to avoid a loop, so the results may be incomplete" % (query, page_number))
            break
        seen_cursors.add(cursor)
    if result.timed_out_pages:
        result.warnings.insert(0, timed_out_warning(query, result.timed_out_pages, result.requests))
    return result


def search_all(client, queries, settings, collector=None):
    """Search every query in order, feeding every page to ``collector`` (default: a
    :class:`~._audit_fields.KeepEvents`, which keeps the events concatenated).

    Returns ``(collector.result(), warnings, requests)``; a limit that cut any query's read short is one warning
    (:func:`limit_warning`).
    """
    collector = KeepEvents() if collector is None else collector
    warnings = []
    requests = 0
    cut_short = []
    with cyclic_gc_paused():  # the result can be 100,000s of events; see cyclic_gc_paused
        for query in queries:
            result = search_events(client, query, settings, collector)
            warnings.extend(warning for warning in result.warnings if warning not in warnings)
            requests += result.requests
            if result.cut_short:
                cut_short.append(query)
        if cut_short:
            warnings.append(limit_warning(settings.limit, cut_short))
        return collector.result(), warnings, requests


def search_page(response):
    """The events of a search answer (its ``data`` list); :class:`DatadogAPIError` when it has none."""
    events = response.data
    if not isinstance(events, list):
        raise DatadogAPIError("the answer's 'data' member is not a list", status=response.status,
                              method=response.method, path=response.path, request_id=response.request_id)
    return events


def search_failure(error, wording, base_url):
    """The :class:`TaskFailure` of a failed search request; a refusal (401, 403) says what to check."""
    failure = api_failure(error, wording)
    if error.status not in (401, 403):
        return failure
    return TaskFailure("%s. Check that the API key and the application key are keys of the Datadog organization at %s "
                       "(the site or api_url option), and that the application key has the audit_logs_read permission"
                       % (failure, base_url), cause=error, **failure.result)


def timed_out_warning(query, pages, requests):
    """The warning of a search Datadog answered with ``meta.status: timeout`` (partial results) on ``pages``."""
    return ("Datadog's audit search for query %r timed out (meta.status: timeout) on page%s %s of %d: the results are "
            "partial. Narrow the time range (from/to) or the query."
            % (query, "s" if len(pages) > 1 else "", ", ".join(str(page) for page in sorted(pages)), requests))


def limit_warning(limit, queries):
    """The one warning of a read that ``limit`` cut short: more events matched ``queries`` than were returned."""
    return ("limit=%d cut the read short: more events match %s than the %d returned%s. Set a larger limit, or limit=0 "
            "to read every matching event"
            % (limit, "the query %r" % queries[0] if len(queries) == 1
               else "the queries %s" % ", ".join(repr(query) for query in queries),
               limit, "" if len(queries) == 1 else " for each"))


def event_time_ms(event):
    """Epoch milliseconds of an event's ``attributes.timestamp``, or ``None`` when it has none that can be read.

    The one reading of an event's time: an ISO 8601 text (Datadog's ``2026-01-31T08:15:02.123Z``, any other offset, or
    none for UTC), digits (epoch milliseconds), or a number of epoch milliseconds; a fraction of a millisecond is
    dropped (the event belongs to the millisecond it shows).
    """
    attributes = event.get("attributes") if isinstance(event, dict) else None
    stamp = attributes.get("timestamp") if isinstance(attributes, dict) else None
    if isinstance(stamp, str):
        if len(stamp) == 24 and stamp[-1] == "Z":  # Datadog's own form: the fast parser
            try:
                return (datetime.fromisoformat(stamp[:-1]) - _NAIVE_EPOCH) // _MILLISECOND
            except ValueError:
                pass
        text = stamp.strip()
        if _EPOCH.match(text):
            return int(text)
        moment = _parse_iso(text)
        if moment is None:
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return (moment - _NAIVE_EPOCH) // _MILLISECOND
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        return None
    if isinstance(stamp, float) and not math.isfinite(stamp):
        return None
    return int(math.floor(stamp))


def format_ms(epoch_ms):
    """``2026-01-31T08:15:02.000Z``: epoch milliseconds as Datadog shows an event's time."""
    moment = _NAIVE_EPOCH + timedelta(milliseconds=epoch_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (epoch_ms % 1000)


_NAIVE_EPOCH = datetime(1970, 1, 1)
_MILLISECOND = timedelta(milliseconds=1)


def event_ids(events):
    """The IDs of the events of a page that have one (an answer is not trusted to give every event an ID)."""
    return [event["id"] for event in events if isinstance(event, dict) and isinstance(event.get("id"), str)]


def repeated_page_message(query, where, requests):
    """The failure of a search whose cursor did not advance (``where``: ``page 3``, or a time slice and page)."""
    return ("Datadog answered the audit search for query %r (%s) with events it had already returned on an earlier page, "
            "so its cursor (meta.page.after) did not advance; stopped after %d request%s instead of paging without end"
            % (query, where, requests, "" if requests == 1 else "s"))


def next_cursor(meta):
    page = meta.get("page")
    cursor = page.get("after") if isinstance(page, dict) else None
    return cursor if isinstance(cursor, str) and cursor else None


def collect_warnings(result, meta, page_number, scrub):
    """``meta.status: timeout`` (partial results) and ``meta.warnings[]`` become warnings for the user; ``scrub`` (the
    client's) takes every known secret out of Datadog's texts, before they are put on one line."""
    if meta.get("status") == "timeout":
        result.timed_out_pages.append(page_number)
    warnings = meta.get("warnings")
    if not isinstance(warnings, list):
        return
    for warning in warnings:
        if isinstance(warning, dict):
            parts = [warning.get(key) for key in ("code", "title", "detail")]
        else:
            parts = [warning]
        parts = [one_line(scrub(part if isinstance(part, str) else one_line(part))) for part in parts]
        text = scrub(": ".join(part for part in parts if part))  # a secret split over lines, now joined
        if text:
            result.warn("Datadog warned about the audit search for query %r (results may be partial): %s" % (result.query, text))
