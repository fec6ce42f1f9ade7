# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parallel range reads of the Datadog Audit Trail: the time range is cut into slices read at once.

Internal use only: this module is not part of the collection's public interface and may change in any
release. There are no Ansible imports here; the ``parallel`` option of the ``ddops.datadog.audit_events``
lookup calls :func:`search_all_parallel`.

Cursor paging is sequential by nature, so a long read is bound by round trips. Like Elasticsearch's sliced
scroll, the range ``[from, to]`` is cut into time slices, each read with its own cursor by its own thread and
client (a ``requests.Session`` is not shared between threads), and the slices are put back together in order.

Why the result is exactly the sequential read's, same events, same order, each once:

* ``from`` and ``to`` are resolved once, with one ``now``, to epoch milliseconds; every slice is searched with
  absolute times (ends given as ISO 8601 or epoch milliseconds are sent as given). Times that Datadog reads in
  the ``timezone`` option (ISO without offset, rounding such as ``now/d``) and ``time_offset`` are not resolved
  here: such a search is read sequentially, with a warning.
* Datadog's ``from`` and ``to`` are inclusive and event times have millisecond resolution, so slices are
  whole-millisecond ranges ``[low, high]`` that touch without overlapping: an event on a slice edge belongs to
  exactly one slice, and all events of one millisecond are in the same slice, in the order Datadog gives them.
* Slices are kept in output order (oldest first for ``sort=timestamp``, newest first for ``-timestamp``), so
  their concatenation is the sequential order. An event outside the range a slice asked for, or a page out of
  order, fails the read instead of returning something different.

Every slice searches from its own start to the end of the range and owns the keys up to the next slice's start:
its reader stops at the first event past its end, so only the last slice needs Datadog's final empty page.

Without a limit, each worker starts with one slice of equal width. Uneven data (most events in a short burst) is
handled by splitting: a worker without work takes over the unread rest of the busiest slice (estimated at the
density of its last page), leaving its reader a few pages, and the new slice can be split again at once; so a burst
is handed out in chunks of a few pages as soon as a reader is in it, and no worker reads it alone.

With a limit, slice *s* may send a second page only when every slice before it is complete (until then its events
might not be needed), so each slice sends at most one request more than its share of the result needs, and the
read stops as soon as the first ``limit`` events in output order are known. To read in parallel all the same, the
first slice's first page tells the density and the rest of the range is cut into chunks of less than a page, ahead
of the readers and only as far as the limit probably reaches: a chunk's single page normally completes it. A limit
that one page covers is read sequentially (one request).

A 429 seen by any worker holds back every worker's next request for the reset Datadog asked for
(:class:`SharedRateLimit`); a failure in one slice stops the others (their waits are cut short) and fails the read
with that slice's message, once every thread has ended.
"""

from __future__ import annotations

import threading

from datetime import datetime, timedelta, timezone

from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    DatadogAPIError,
    RequestCancelled,
    SharedRateLimit,
    cyclic_gc_paused,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit import (
    SEARCH_PATH,
    SearchResult,
    collect_warnings,
    event_ids,
    next_cursor,
    repeated_page_message,
    resolve_time,
    search_events,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import KeepEvents
from ansible_collections.ddops.datadog.plugins.module_utils._errors import TaskFailure, api_failure
from ansible_collections.ddops.datadog.plugins.module_utils._validation import validate_number

DEFAULT_PARALLEL = 1
MAX_PARALLEL = 16
#: A slice is split only when its unread rest is estimated at more than this many pages.
SPLIT_MIN_PAGES = 8
#: No split before this many pages came back full (a read that short is over before a split would pay).
SPLIT_AFTER_FULL_PAGES = 2
#: When a slice is split, its reader keeps about this many pages (at the density of its last page): a little under 4,
#: so that its last page is a little short rather than a fifth request for a few events.
SPLIT_KEEP_PAGES = 3.8
#: With a limit, the chunks cut ahead of the readers hold about this share of a page at the density measured, so that
#: one request usually completes a chunk.
CHUNK_PAGES = 0.8
#: At most this many slices per worker (initial and split), which bounds the requests a read adds.
MAX_SLICES_PER_WORKER = 16

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def validate_parallel(value):
    """``parallel`` as an int from 1 to :data:`MAX_PARALLEL` (``None``: the default); :class:`InputError` otherwise."""
    return validate_number("parallel", DEFAULT_PARALLEL if value is None else value, integer=True, minimum=1,
                           maximum=MAX_PARALLEL,
                           allowed="an integer from 1 (one request at a time) to %d (time slices read at once)" % MAX_PARALLEL)


# -- the range, resolved once ------------------------------------------------------------------------------------

class TimeRange(object):
    """``[first, last]`` in epoch milliseconds (both included), with the text to send for each outer end."""

    __slots__ = ("first", "last", "first_text", "last_text")

    def __init__(self, first, last, first_text, last_text):
        self.first = first
        self.last = last
        self.first_text = first_text
        self.last_text = last_text

    def __repr__(self):
        return "TimeRange(%s .. %s)" % (format_ms(self.first), format_ms(self.last))


def resolve_range(settings, now):
    """``(TimeRange, None)`` for a range every slice can share, or ``(None, reason)`` when it must be read sequentially.

    Date math is resolved against ``now`` (one instant for the whole lookup call); ISO 8601 and epoch millisecond ends
    are absolute and are sent as given, so the outer ends mean exactly what they mean to a sequential read.
    """
    if settings.time_offset is not None:
        return None, "Datadog applies time_offset to the times itself"
    zone_given = settings.timezone is not None
    ends = []
    for name, value in (("from", settings.time_from), ("to", settings.time_to)):
        moment = resolve_time(value, now, zone_given)
        if moment is None:
            return None, ("Datadog reads %s=%s in the timezone option (%s); give it with an offset such as Z, as "
                          "date math without rounding, or as epoch milliseconds to read in parallel"
                          % (name, value, settings.timezone))
        microseconds = (moment - _EPOCH) // _MICROSECOND
        absolute = not value.startswith("now")
        ends.append((microseconds, value if absolute else None))
    (first_us, first_text), (last_us, last_text) = ends
    first = -(-first_us // 1000)  # events have whole milliseconds: the first one at or after `from`
    last = last_us // 1000  # and the last one at or before `to`
    return TimeRange(first, last, first_text or str(first), last_text or str(last)), None


def format_ms(epoch_ms):
    """``2026-01-31T08:15:02.000Z``."""
    moment = _EPOCH + timedelta(milliseconds=epoch_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (epoch_ms % 1000)


def event_time_ms(event):
    """Epoch milliseconds of an event's ``attributes.timestamp``, or ``None`` when it has none that can be read."""
    attributes = event.get("attributes") if isinstance(event, dict) else None
    stamp = attributes.get("timestamp") if isinstance(attributes, dict) else None
    if not isinstance(stamp, str):
        return None
    moment = None
    if stamp.endswith("Z"):  # Datadog's form, 2026-01-31T08:15:02.000Z: the fast parser
        try:
            moment = datetime.fromisoformat(stamp[:-1]).replace(tzinfo=timezone.utc)
        except ValueError:
            moment = None
    if moment is None:
        moment = resolve_time(stamp.strip(), _EPOCH)  # any other ISO 8601 form (or epoch ms); None for the rest
    if moment is None:
        return None
    return ((moment - _EPOCH) // _MICROSECOND) // 1000


# -- slices -------------------------------------------------------------------------------------------------------

class Slice(object):
    """One part of the range, as a range of *keys*: the time for oldest first, minus the time for newest first, so
    that a slice is always read from ``low`` up and slices follow each other in output order.

    A slice owns the keys ``low`` to ``high``; its search may reach further (``search_high``): then its reader stops
    at the first event past ``high`` and needs no final empty page, and the events past it belong to the next slice.
    """

    __slots__ = ("low", "high", "search_high", "outer_low", "outer_search_high", "reserve", "sent", "cursor",
                 "seen_cursors", "returned", "started", "assigned", "done", "pages", "count", "position", "recent",
                 "requests")

    def __init__(self, low, high, outer_low=False, search_high=None, outer_search_high=False):
        self.low = low
        self.high = high  # lowered when the unread rest is split off
        self.search_high = high if search_high is None else search_high  # Datadog returns nothing past it
        self.outer_low = outer_low  # low / search_high are the range's own ends (sent as the user gave them)
        self.outer_search_high = outer_search_high
        self.reserve = False  # with a limit: the rest of the range, cut into chunks ahead of the readers
        self.sent = None  # (from, to) as sent with the first page, repeated with every cursor
        self.cursor = None
        self.seen_cursors = set()
        self.returned = set()  # IDs of the events accepted: a page starting with one is a cursor that did not advance
        self.started = False  # a request was sent
        self.assigned = False  # a worker is waiting for this slice's next page
        self.done = False  # no more requests: read to its end, or enough events before and in it for the limit
        self.pages = []  # pages read and not yet handed on
        self.count = 0  # events accepted
        self.position = None  # key of the last event accepted
        self.recent = None  # events per key (millisecond) where it reads, measured by its last page or guessed
        self.requests = 0

    def __repr__(self):
        return "Slice(%d..%d, %d events%s)" % (self.low, self.high, self.count, ", done" if self.done else "")

    def unread_estimate(self):
        """Events still to read at the density it knows (``None``: no idea yet)."""
        if self.done:
            return 0.0
        if self.recent is None:
            return None
        start = self.low - 1 if self.position is None else self.position
        return self.recent * max(0, self.high - start)


def cut_keys(low, high, parts):
    """``parts`` adjacent ``(low, high)`` key ranges of (nearly) equal width covering ``[low, high]``."""
    width = high - low + 1
    parts = max(1, min(parts, width))
    edges = [low + width * number // parts for number in range(parts + 1)]
    return [(edges[number], edges[number + 1] - 1) for number in range(parts)]


class ParallelRead(object):
    """The shared state of one query's parallel read: slices in output order, the limit, the first failure.

    Its methods are called with :attr:`condition` held (:meth:`pages` takes it itself); workers and the reader of
    the pages wait on it.
    """

    def __init__(self, query, settings, time_range, workers, shared):
        self.query = query
        self.settings = settings
        self.range = time_range
        self.descending = settings.sort.startswith("-")
        self.limit = settings.limit
        self.page_size = settings.page_size
        self.shared = shared
        self.condition = threading.Condition()
        self.result = SearchResult(query)
        self.error = None
        self.stopped = False
        self.requests = 0
        self.workers = workers
        self.full_pages = 0  # pages that came back as full as asked: only a read this long is worth splitting
        self.max_slices = MAX_SLICES_PER_WORKER * workers
        if self.limit:  # about one chunk per page the limit needs
            self.max_slices += int(self.limit / (CHUNK_PAGES * self.page_size))
        low, high = self.key(time_range.first), self.key(time_range.last)
        if self.descending:
            low, high = high, low
        # Without a limit, one slice per worker to begin with; with one, a single slice whose first page tells the
        # density, from which the rest is cut into chunks the limit probably needs (see _carve).
        # Every slice searches to the end of the range: its reader stops at the first event of the next slice, which
        # saves the final empty page every slice but the last would need.
        parts = 1 if self.limit else workers
        self.slices = [Slice(part_low, part_high, outer_low=part_low == low, search_high=high, outer_search_high=True)
                       for part_low, part_high in cut_keys(low, high, parts)]

    # -- keys and bodies

    def key(self, epoch_ms):
        return -epoch_ms if self.descending else epoch_ms

    def time_span(self, piece):
        """``(from, to)`` texts of a slice's search."""
        first, last = sorted((self.key(piece.low), self.key(piece.search_high)))
        first_outer, last_outer = piece.outer_low, piece.outer_search_high
        if self.descending:
            first_outer, last_outer = last_outer, first_outer
        return (self.range.first_text if first_outer else str(first), self.range.last_text if last_outer else str(last))

    def body(self, piece, page_limit):
        body = self.settings.body(self.query, page_limit, piece.cursor)
        body["filter"]["from"], body["filter"]["to"] = piece.sent
        return body

    def describe(self, piece, searched=False):
        """``time slice <start> to <end>``: the part the slice reads, or (``searched``) the range its search covers."""
        first, last = sorted((self.key(piece.low), self.key(piece.search_high if searched else piece.high)))
        return "time slice %s to %s" % (format_ms(first), format_ms(last))

    # -- scheduling (condition held)

    def next_task(self):
        """``(slice, page limit, request number)`` for a worker, or ``None`` when there is nothing more to do."""
        while True:
            if self.stopped or self.error is not None:
                return None
            piece = self._runnable() or (self._carve() if self.limit else self._split())
            if piece is not None:
                piece.assigned = piece.started = True
                piece.reserve = False
                if piece.sent is None:
                    piece.sent = self.time_span(piece)
                piece.requests += 1
                self.requests += 1
                return piece, self._page_limit(piece), self.requests
            if all(piece.done for piece in self.slices):
                return None
            self.condition.wait()

    def _runnable(self):
        """The first slice that may send its next request and has no worker."""
        all_before_done = True
        for piece in self.slices:
            # With a limit, a slice reads past its first page only once every slice before it is complete (until then
            # its events might not be needed), and the reserve only when it is the first incomplete slice.
            allowed = not self.limit or all_before_done or not (piece.started or piece.reserve)
            if not piece.done and not piece.assigned and allowed:
                return piece
            all_before_done = all_before_done and piece.done
        return None

    def _split(self):
        """Cut the unread rest of the busiest slice in two; return the new second half (``None``: nothing worth it).

        The estimate of a slice's unread events uses the density of its last page, so a burst is seen as soon as a
        reader is in it. The reader keeps the next :data:`SPLIT_KEEP_PAGES` pages' worth at that density (or half the
        rest, if less) and the new slice gets the rest, so that in a burst the work is handed out in chunks of a few
        pages, each starting where the previous one ends: none of them needs a request more (the reader stops at the
        first event past its new end, and the new slice's first page is full).

        Only once two pages came back full (a shorter read is over before a split would pay), and at most half the
        workers work on guessed densities at a time. Without a limit (see :meth:`_carve` for reads with one).
        """
        if len(self.slices) >= self.max_slices or self.full_pages < SPLIT_AFTER_FULL_PAGES:
            return None
        # Slices that have not read a page yet go by a guess of their density; at most half the workers may work on
        # such guesses (a guess that was wrong costs a request each, once a burst ends).
        guesses = sum(1 for piece in self.slices if piece.position is None and not piece.done and piece.recent)
        best, best_start, best_estimate = None, None, 0.0
        for piece in self.slices:
            start = piece.low - 1 if piece.position is None else piece.position  # the last key read
            if piece.done or piece.recent is None or piece.high - start < 2:
                continue
            if guesses >= max(1, self.workers // 2) and piece.position is None:
                continue
            estimate = piece.recent * (piece.high - start)
            if estimate > SPLIT_MIN_PAGES * self.page_size and estimate > best_estimate:
                best, best_start, best_estimate = piece, start, estimate
        if best is None:
            return None
        keep = int(SPLIT_KEEP_PAGES * self.page_size / best.recent)
        middle = best_start + max(1, min(keep, (best.high - best_start + 1) // 2))
        second = Slice(middle, best.high, search_high=best.search_high, outer_search_high=best.outer_search_high)
        second.recent = best.recent  # a guess until its own first page: so that it can be split again at once
        best.high = middle - 1
        self.slices.insert(self.slices.index(best) + 1, second)
        return second

    def _carve(self):
        """With a limit: hand an idle worker the next chunk of the range, ahead of the readers (``None``: none now).

        A slice that has read a page knows the density where it reads; the unread rest of such a slice (past about a
        chunk) becomes a *reserve*, from whose start chunks of about :data:`CHUNK_PAGES` of a page are cut, as long as
        the slices before probably hold fewer events than the limit. A chunk's search reaches to the end of the
        reserve's, so its single page usually runs past the chunk's end and completes it: no chunk waits for the ones
        before it, and a chunk that turns out not to be needed cost one request.
        """
        if len(self.slices) >= self.max_slices:
            return None
        expected = 0.0  # events the slices so far probably hold
        index = 0
        while index < len(self.slices) and expected < self.limit:
            piece = self.slices[index]
            if piece.reserve and not piece.started:
                span = self._chunk_span(piece)
                if piece.high - piece.low < span:  # what is left is one chunk
                    piece.reserve = False
                    return piece
                chunk = Slice(piece.low, piece.low + span - 1, outer_low=piece.outer_low, search_high=piece.search_high,
                              outer_search_high=piece.outer_search_high)
                chunk.recent = piece.recent
                piece.low, piece.outer_low = piece.low + span, False
                self.slices.insert(index, chunk)
                return chunk
            estimate = piece.unread_estimate()
            if piece.position is not None and estimate is not None and estimate > self.page_size and piece.high - piece.position >= 2:
                # Its unread rest, past about a chunk, becomes a reserve (looked at on the next turn of the loop).
                middle = piece.position + 1 + min(self._chunk_span(piece), (piece.high - piece.position) // 2)
                reserve = Slice(middle, piece.high, search_high=piece.search_high, outer_search_high=piece.outer_search_high)
                reserve.reserve, reserve.recent = True, piece.recent
                piece.high = middle - 1
                self.slices.insert(index + 1, reserve)
                estimate = piece.unread_estimate()
            expected += piece.count + (self.page_size if estimate is None else estimate)
            index += 1
        return None

    def _chunk_span(self, piece):
        """Keys holding about :data:`CHUNK_PAGES` of a page at ``piece``'s density."""
        if not piece.recent:
            return piece.high - piece.low + 1
        return max(1, int(CHUNK_PAGES * self.page_size / piece.recent))

    def _pass_on_density(self, piece):
        """The slices after ``piece`` that have not read a page yet hold a guess of their density, copied from the
        slice they were split from: replace it with this newer measurement (once a burst ends, its guess is wrong)."""
        for later in self.slices[self.slices.index(piece) + 1:]:
            if later.position is not None or later.done:
                break
            later.recent = piece.recent

    def _page_limit(self, piece):
        if not self.limit:
            return self.page_size
        before = 0
        for other in self.slices:
            if other is piece:
                break
            before += other.count
        return max(1, min(self.page_size, self.limit - before - piece.count))

    # -- results (condition held)

    def accept(self, piece, events, meta, page_limit, request_number):
        """Take one page of ``piece``; raises :class:`TaskFailure` when the page breaks the slicing's promises or repeats
        events the slice already returned (a cursor that did not advance)."""
        piece.assigned = False
        if self.stopped or piece.done:  # past the limit meanwhile, or the read failed: not needed
            return
        collect_warnings(self.result, meta, request_number)
        if not events:
            piece.done = True
            if piece.position is None:  # nothing where a guess saw events: later guesses are wrong too
                piece.recent = 0.0
                self._pass_on_density(piece)
            return
        events = events[:page_limit]  # never more than asked for, as the sequential read
        ids = event_ids(events)
        if ids and ids[0] in piece.returned:
            raise TaskFailure(repeated_page_message(self.query, "%s, page %d" % (self.describe(piece), piece.requests),
                                                    self.requests))
        keys = [self._event_key(piece, events[0]), self._event_key(piece, events[-1])]
        if keys[0] > keys[1] or (piece.position is not None and keys[0] < piece.position):
            raise self._broken(piece, "a page whose events are not in %s order" % self.settings.sort)
        if (keys[0] < piece.low and not piece.outer_low) or (keys[1] > piece.search_high and not piece.outer_search_high):
            raise self._broken(piece, "an event outside the time range asked for (%s)" % self.describe(piece, searched=True))
        if keys[1] > piece.high:  # past this slice's end (the next slice's events, or a rest split off): stop there
            events = events[:self._first_past(piece, events)]
            piece.done = True
        elif len(events) == page_limit:
            self.full_pages += 1
        if events:
            read_from = piece.low - 1 if piece.position is None else piece.position
            piece.pages.append(events)
            piece.returned.update(event_ids(events))
            piece.count += len(events)
            piece.position = self._event_key(piece, events[-1])
            # The density of the keys this page covered, from the previous page's last key to its own.
            piece.recent = len(events) / float(max(1, piece.position - read_from))
            self._pass_on_density(piece)
        if not piece.done:
            cursor = next_cursor(meta)
            if cursor is None:
                piece.done = True
            elif cursor in piece.seen_cursors:
                self.result.warn("Datadog answered the audit search for query %r with a cursor it had already sent (%s); "
                                 "stopped paging it to avoid a loop, so the results may be incomplete"
                                 % (self.query, self.describe(piece)))
                piece.done = True
            else:
                piece.seen_cursors.add(cursor)
                piece.cursor = cursor
        self._apply_limit()

    def _apply_limit(self):
        """Once the slices up to one of them hold ``limit`` events, that slice and all later ones are complete."""
        if not self.limit:
            return
        total = 0
        for piece in self.slices:
            if total >= self.limit:
                piece.done = True
                continue
            total += piece.count
            if total >= self.limit:
                piece.done = True

    def _event_key(self, piece, event):
        epoch_ms = event_time_ms(event)
        if epoch_ms is None:
            raise self._broken(piece, "an event without a readable attributes.timestamp (%r)"
                               % ((event.get("attributes") or {}).get("timestamp") if isinstance(event, dict) else event,))
        return self.key(epoch_ms)

    def _first_past(self, piece, events):
        """Index of the first event past ``piece.high`` (the events are in key order): a bisection, ~10 times read."""
        low, high = 0, len(events)
        while low < high:
            middle = (low + high) // 2
            if self._event_key(piece, events[middle]) > piece.high:
                high = middle
            else:
                low = middle + 1
        return low

    def _broken(self, piece, what):
        return TaskFailure("Datadog answered the audit search for query %r (%s, page %d) with %s, so a parallel read "
                           "could not return the same events as a sequential one; read with parallel=1"
                           % (self.query, self.describe(piece), piece.requests, what))

    def fail(self, error):
        """The first failure ends the read: every thread stops and the reader of the pages raises it."""
        if self.error is None and not self.stopped:
            self.error = error
        self.stop()

    def stop(self):
        self.stopped = True
        self.shared.cancel()
        self.condition.notify_all()

    # -- output

    def pages(self):
        """Yield the pages in output order, as soon as every slice before theirs is complete; stop at ``limit``."""
        index = emitted = 0
        while True:
            with self.condition:
                while True:
                    if self.error is not None:
                        raise self.error
                    if index >= len(self.slices):
                        return
                    piece = self.slices[index]
                    if piece.pages:
                        page = piece.pages.pop(0)
                        break
                    if piece.done:  # a request still out for it is not needed (past the limit) and is ignored
                        index += 1
                        continue
                    self.condition.wait()
            if self.limit:
                page = page[:self.limit - emitted]
            emitted += len(page)
            if page:
                yield page
            if self.limit and emitted >= self.limit:
                return


def _work(read, client):
    """One worker: take a slice's next page, send it, hand the answer back; until there is nothing left or it stops."""
    try:
        while True:
            with read.condition:
                task = read.next_task()
                if task is None:
                    return
                piece, page_limit, number = task
                body = read.body(piece, page_limit)
            try:
                response = client.request("POST", SEARCH_PATH, body=body, expected=(200,), idempotent=True)
                events = response.data
                if not isinstance(events, list):
                    raise DatadogAPIError("the answer's 'data' member is not a list", status=response.status,
                                          method="POST", path=SEARCH_PATH, request_id=response.request_id)
            except RequestCancelled:
                return
            except DatadogAPIError as exc:
                with read.condition:
                    piece.assigned = False
                    if piece.done:  # past the limit meanwhile: the sequential read would not have sent it
                        read.condition.notify_all()
                        continue
                    read.fail(api_failure(exc, "search audit events for query %r (%s, page %d)"
                                          % (read.query, read.describe(piece), piece.requests)))
                return
            meta = response.body.get("meta") if isinstance(response.body, dict) else None
            with read.condition:
                read.accept(piece, events, meta if isinstance(meta, dict) else {}, page_limit, number)
                read.condition.notify_all()
    except BaseException as exc:  # pylint: disable=broad-exception-caught  # raised by the reader of the pages
        with read.condition:
            read.fail(exc)


def read_pages(read, clients):
    """Run ``read`` (a :class:`ParallelRead`) with one thread per client; yield its pages in output order.

    Every thread has ended when the generator finishes, fails or is closed early; then ``read.requests`` is the
    number of requests sent and ``read.result.warnings`` the warnings to show.
    """
    threads = [threading.Thread(target=_work, args=(read, client), name="ddops-audit-slice-%d" % number, daemon=True)
               for number, client in enumerate(clients, start=1)]
    for thread in threads:
        thread.start()
    try:
        yield from read.pages()
    finally:
        with read.condition:
            read.stop()
        for thread in threads:
            thread.join()
    result = read.result
    if result.timed_out_pages:
        result.warnings.insert(0, "Datadog's audit search for query %r timed out (meta.status: timeout) on page%s %s of %d: "
                                  "the results are partial. Narrow the time range (from/to) or the query."
                               % (read.query, "s" if len(result.timed_out_pages) > 1 else "",
                                  ", ".join(str(page) for page in sorted(result.timed_out_pages)), read.requests))


def search_all_parallel(client, queries, settings, parallel, new_client, now=None, shared_factory=SharedRateLimit,
                        collector=None):
    """Search every query in order, each one's time range in ``parallel`` slices at once.

    Returns ``(collector.result(), warnings, requests)`` like :func:`~._audit.search_all`: the pages go to
    ``collector`` (default: a :class:`~._audit_fields.KeepEvents`) in output order, the same pages in the same order as
    a sequential read, so ``fields`` and ``count_by`` give what they give sequentially. ``client`` is used by the first
    worker; ``new_client()`` makes the others' (one ``requests`` session per thread), closed at the end. Their request
    statistics are added to ``client.stats``, so its retry summary covers the whole read.
    """
    collector = KeepEvents() if collector is None else collector
    now = now or datetime.now(timezone.utc)
    time_range, reason = resolve_range(settings, now)
    single_page = bool(settings.limit) and settings.limit <= settings.page_size
    warnings, requests = [], 0
    if reason is not None:
        warnings.append("parallel=%d was not used and the search was read sequentially: %s" % (parallel, reason))
    workers = [client]
    try:
        with cyclic_gc_paused():
            for query in queries:
                if time_range is None or single_page or time_range.last - time_range.first < 1:
                    result = search_events(client, query, settings, collector)
                    query_warnings, query_requests = result.warnings, result.requests
                else:
                    while len(workers) < parallel:
                        workers.append(new_client())
                    shared = shared_factory()
                    read = ParallelRead(query, settings, time_range, len(workers), shared)
                    for worker in workers:
                        worker.share_rate_limit(shared)
                    try:
                        for page in read_pages(read, workers):
                            collector.add(page)
                    finally:
                        for worker in workers:
                            worker.share_rate_limit(None)
                    query_warnings, query_requests = read.result.warnings, read.requests
                warnings.extend(warning for warning in query_warnings if warning not in warnings)
                requests += query_requests
            output = collector.result()
    finally:
        for worker in workers[1:]:
            client.stats.merge(worker.stats)
            worker.close()
    return output, warnings, requests
