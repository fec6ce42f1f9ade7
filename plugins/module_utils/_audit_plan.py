# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan of a parallel audit read: how the time range is cut into slices, which slice sends the next request, what
becomes of each answer, and which pages can be handed on in order.

Internal use only: this module is not part of the collection's public interface and may change in any release. No
Ansible imports, no threads, no I/O: :class:`ReadPlan` is a state machine driven by ``next_request()``,
``take_answer()`` and ``take_ready()``; ``_audit_slices`` runs it with worker threads, and the unit tests drive it with
plain lists of events.

**Slices.** The range ``[from, to]``, resolved once to whole milliseconds (:func:`resolve_range`), is a range of
*keys* (the millisecond for oldest first, minus it for newest first; see ``_audit_page``), so a slice is always read
up its keys and slices follow each other in output order. Each slice owns whole keys, touching the next without
overlap, and its search runs from its first key (one key before it, see ``_audit_page``) to the range's end: its reader
stops at the first event past its own last key, so only the last slice needs Datadog's final empty page. The
concatenation of the slices' events is the sequential read's, each event once.

**Without a limit**, each worker starts with one slice of equal width. Uneven data (most events in a short burst) is
handled by splitting: a worker without work takes over the unread rest of the busiest slice (estimated at the density
of its last page), leaving its reader a few pages, and the new slice can be split again at once; so a burst is handed
out in chunks of a few pages as soon as a reader is in it, and no worker reads it alone.

**With a limit**, slice *s* may send a second page only when every slice before it is complete (until then its events
might not be needed), so each slice sends at most one request more than its share of the result needs, and the read
stops as soon as the first ``limit`` events in output order are known. To read in parallel all the same, the first
slice's first page tells the density and the rest of the range is cut into chunks of less than a page, ahead of the
readers and only as far as the limit probably reaches: a chunk's single page normally completes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ansible_collections.ddops.datadog.plugins.module_utils._audit import event_ids, format_ms, resolve_time
from ansible_collections.ddops.datadog.plugins.module_utils._audit_page import PageError, check_page

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


class RepeatedPage(PageError):
    """A page starting with an event its slice already had: the slice's cursor did not advance."""


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


def cut_keys(low, high, parts):
    """``parts`` adjacent ``(low, high)`` key ranges of (nearly) equal width covering ``[low, high]``."""
    width = high - low + 1
    parts = max(1, min(parts, width))
    edges = [low + width * number // parts for number in range(parts + 1)]
    return [(edges[number], edges[number + 1] - 1) for number in range(parts)]


# -- slices -------------------------------------------------------------------------------------------------------

class Slice(object):
    """One part of the range: the keys ``first_key`` to ``last_key`` and the state of its reading."""

    __slots__ = ("first_key", "last_key", "starts_range", "ends_range", "is_reserve", "search", "cursor",
                 "cursors_seen", "ids_seen", "requested", "in_flight", "complete", "pages", "events", "last_key_read",
                 "density", "requests")

    def __init__(self, first_key, last_key, starts_range=False, ends_range=False):
        self.first_key = first_key
        self.last_key = last_key  # lowered when its unread rest is split off
        self.starts_range = starts_range  # first_key is the range's start: searched from the start the user gave
        self.ends_range = ends_range  # last_key is the range's end: what Datadog returns past it is this slice's too
        self.is_reserve = False  # with a limit: the unread rest of the range, which chunks are cut from
        self.search = None  # (from, to) texts sent with its first page, and again with every cursor
        self.cursor = None  # the cursor of its next page
        self.cursors_seen = set()
        self.ids_seen = set()  # IDs of the events its pages held: a page starting with one is a cursor that did not advance
        self.requested = False  # a request was sent
        self.in_flight = False  # a worker waits for its next page
        self.complete = False  # no more requests: read to its end, or not needed for the limit
        self.pages = []  # pages accepted and not handed on yet
        self.events = 0  # events accepted
        self.last_key_read = None  # key of the last event its pages held (None before its first page)
        self.density = None  # events per key where it reads: measured by its last page, or guessed (see is_guess)
        self.requests = 0  # requests sent for it

    def __repr__(self):
        return "Slice(%d..%d, %d events%s)" % (self.first_key, self.last_key, self.events, ", complete" if self.complete else "")

    @property
    def is_guess(self):
        """Its density is a guess, copied from the slice it was split from: it has read no page yet."""
        return self.last_key_read is None and self.density is not None

    @property
    def read_up_to(self):
        """The last key read: where its next page starts (the key before its first before its first page)."""
        return self.first_key - 1 if self.last_key_read is None else self.last_key_read

    def unread_estimate(self):
        """Events still to read at the density it knows (``None``: no idea yet)."""
        if self.complete:
            return 0.0
        if self.density is None:
            return None
        return self.density * max(0, self.last_key - self.read_up_to)


class Request(object):
    """One request a worker is to send: the slice, the page limit, its number in the read and the body's ``from``/``to``."""

    __slots__ = ("piece", "page_limit", "number", "span")

    def __init__(self, piece, page_limit, number, span):
        self.piece = piece
        self.page_limit = page_limit
        self.number = number
        self.span = span


class ReadPlan(object):
    """One query's parallel read: slices in output order, the limit, and the pages to hand on.

    ``wanted`` is how many events the read needs in output order (``0``: all of them); the reader asks one more than
    the user's limit, to tell whether the limit cut the read short.
    """

    def __init__(self, time_range, descending, workers, page_size, wanted=0):
        self.range = time_range
        self.descending = descending
        self.workers = workers
        self.page_size = page_size
        self.wanted = wanted
        self.requests = 0
        self.full_pages = 0  # pages that came back as full as asked: only a read this long is worth splitting
        self.handed_on = 0  # events handed on by take_ready()
        self.output_index = 0  # slices before it are complete and handed on
        self.max_slices = MAX_SLICES_PER_WORKER * workers
        if wanted:  # about one chunk per page the limit needs
            self.max_slices += int(wanted / (CHUNK_PAGES * page_size))
        low, high = self.key(time_range.first), self.key(time_range.last)
        if descending:
            low, high = high, low
        # Without a limit, one slice per worker to begin with; with one, a single slice whose first page tells the
        # density, from which the rest is cut into chunks the limit probably needs (see _carve).
        parts = cut_keys(low, high, 1 if wanted else workers)
        self.slices = [Slice(part_low, part_high, starts_range=part_low == low, ends_range=part_high == high)
                       for part_low, part_high in parts]

    # -- keys and searches

    def key(self, epoch_ms):
        return -epoch_ms if self.descending else epoch_ms

    def search_span(self, piece):
        """``(from, to)`` texts of a slice's search: from the key before its first (the range's start if it starts the
        range, as the user gave it) to the range's end."""
        outer = self.range.last_text if self.descending else self.range.first_text
        start = outer if piece.starts_range else str(self.key(piece.first_key - 1))
        end = self.range.first_text if self.descending else self.range.last_text
        return (end, start) if self.descending else (start, end)

    def describe(self, piece):
        """``time slice <start> to <end>``: the part of the range a slice reads (its own keys)."""
        first, last = sorted((self.key(piece.first_key), self.key(piece.last_key)))
        return "time slice %s to %s" % (format_ms(first), format_ms(last))

    # -- what to send next

    def next_request(self):
        """The next :class:`Request` for an idle worker, or ``None`` when there is none now (see :meth:`over`)."""
        if self.over():
            return None
        piece = self._runnable() or (self._carve() if self.wanted else self._split())
        if piece is None:
            return None
        piece.in_flight = piece.requested = True
        piece.is_reserve = False
        if piece.search is None:
            piece.search = self.search_span(piece)
        piece.requests += 1
        self.requests += 1
        return Request(piece, self._page_limit(piece), self.requests, piece.search)

    def over(self):
        """No request is needed any more: every slice is complete, or the pages handed on reached ``wanted``."""
        return (self.wanted and self.handed_on >= self.wanted) or all(piece.complete for piece in self.slices)

    def _runnable(self):
        """The first slice that may send its next request and has no worker."""
        all_before_complete = True
        for piece in self.slices:
            # With a limit, a slice reads past its first page only once every slice before it is complete (until then
            # its events might not be needed), and the reserve only when it is the first incomplete slice.
            allowed = not self.wanted or all_before_complete or not (piece.requested or piece.is_reserve)
            if not piece.complete and not piece.in_flight and allowed:
                return piece
            all_before_complete = all_before_complete and piece.complete
        return None

    def _insert(self, index, piece):
        if index < self.output_index:  # slices before it are handed on: a slice there would never be
            raise RuntimeError("a slice inserted at %d, before the output's %d" % (index, self.output_index))
        self.slices.insert(index, piece)

    def _split(self):
        """Cut the unread rest of the busiest slice in two; return the new second half (``None``: nothing worth it).

        The estimate of a slice's unread events uses the density of its last page, so a burst is seen as soon as a
        reader is in it. The reader keeps the next :data:`SPLIT_KEEP_PAGES` pages' worth at that density (or half the
        rest, if less) and the new slice gets the rest, so that in a burst the work is handed out in chunks of a few
        pages, each starting where the previous one ends.

        Only once two pages came back full (a shorter read is over before a split would pay), and at most half the
        workers work on guessed densities at a time (a guess that was wrong costs a request each, once a burst ends).
        """
        if len(self.slices) >= self.max_slices or self.full_pages < SPLIT_AFTER_FULL_PAGES:
            return None
        guesses = sum(1 for piece in self.slices if piece.is_guess and not piece.complete and piece.density)
        best, best_estimate = None, 0.0
        for piece in self.slices:
            start = piece.read_up_to
            if piece.complete or piece.density is None or piece.last_key - start < 2:
                continue
            if guesses >= max(1, self.workers // 2) and piece.last_key_read is None:
                continue
            estimate = piece.density * (piece.last_key - start)
            if estimate > SPLIT_MIN_PAGES * self.page_size and estimate > best_estimate:
                best, best_estimate = piece, estimate
        if best is None:
            return None
        start = best.read_up_to
        keep = int(SPLIT_KEEP_PAGES * self.page_size / best.density)
        middle = start + max(1, min(keep, (best.last_key - start + 1) // 2))
        return self._split_at(best, middle)

    def _split_at(self, piece, middle):
        """Give the keys ``middle`` to ``piece.last_key`` to a new slice after it, which starts with ``piece``'s density as
        a guess (so that it can be split again at once); return the new slice."""
        second = Slice(middle, piece.last_key, ends_range=piece.ends_range)
        second.density = piece.density
        piece.last_key, piece.ends_range = middle - 1, False
        self._insert(self.slices.index(piece) + 1, second)
        return second

    def _carve(self):
        """With a limit: hand an idle worker the next chunk of the range, ahead of the readers (``None``: none now).

        A slice that has read a page knows the density where it reads; the unread rest of such a slice (past about a
        chunk) becomes a *reserve*, from whose start chunks of about :data:`CHUNK_PAGES` of a page are cut, as long as
        the slices before probably hold fewer events than the limit. A chunk's search reaches to the end of the range,
        so its single page usually runs past the chunk's end and completes it: no chunk waits for the ones before it,
        and a chunk that turns out not to be needed cost one request.
        """
        if len(self.slices) >= self.max_slices:
            return None
        expected = 0.0  # events the slices so far probably hold
        index = 0
        while index < len(self.slices) and expected < self.wanted:
            piece = self.slices[index]
            if piece.is_reserve and not piece.requested and not piece.complete:
                span = self._chunk_span(piece)
                if piece.last_key - piece.first_key < span:  # what is left is one chunk
                    piece.is_reserve = False
                    return piece
                chunk = Slice(piece.first_key, piece.first_key + span - 1, starts_range=piece.starts_range)
                chunk.density = piece.density
                piece.first_key, piece.starts_range = piece.first_key + span, False
                self._insert(index, chunk)
                return chunk
            estimate = piece.unread_estimate()
            if (piece.last_key_read is not None and estimate is not None and estimate > self.page_size
                    and piece.last_key - piece.last_key_read >= 2):
                # Its unread rest, past about a chunk, becomes a reserve (looked at on the next turn of the loop).
                middle = piece.last_key_read + 1 + min(self._chunk_span(piece), (piece.last_key - piece.last_key_read) // 2)
                reserve = self._split_at(piece, middle)
                reserve.is_reserve = True
                estimate = piece.unread_estimate()
            expected += piece.events + (self.page_size if estimate is None else estimate)
            index += 1
        return None

    def _chunk_span(self, piece):
        """Keys holding about :data:`CHUNK_PAGES` of a page at ``piece``'s density."""
        if not piece.density:
            return piece.last_key - piece.first_key + 1
        return max(1, int(CHUNK_PAGES * self.page_size / piece.density))

    def _page_limit(self, piece):
        if not self.wanted:
            return self.page_size
        before = 0
        for other in self.slices:
            if other is piece:
                break
            before += other.events
        return max(1, min(self.page_size, self.wanted - before - piece.events))

    # -- what an answer changes

    def take_answer(self, request, events, cursor):
        """Take the answer to ``request``: its events (Datadog's ``data``) and the cursor of the next page.

        Returns ``True`` when the slice stopped because Datadog sent a cursor it had sent before (the caller warns: the
        slice may be incomplete), else ``False``. Raises :class:`~._audit_page.PageError` (or :class:`RepeatedPage`)
        when the page cannot be used; the plan is then left as it was, apart from the request being over.
        """
        piece = request.piece
        piece.in_flight = False
        if piece.complete or self.over():  # not needed any more (the limit is reached): as if it was never sent
            return False
        if not events:
            piece.complete = True
            if piece.last_key_read is None:  # nothing where a guess saw events: later guesses are wrong too
                piece.density = 0.0
                self._pass_on_density(piece)
            return False
        events = events[:request.page_limit]  # never more than asked for, as the sequential read
        ids = event_ids(events)
        if ids and ids[0] in piece.ids_seen:
            raise RepeatedPage("events it had already returned on an earlier page")
        checked = check_page(events, self.descending, piece.first_key, piece.last_key, piece.starts_range,
                             piece.ends_range, piece.last_key_read)
        piece.ids_seen.update(ids)
        read_from = piece.read_up_to
        if checked.past_end:  # past its last key (the next slice's events, or a rest split off): read to its end
            piece.complete = True
        elif len(events) == request.page_limit:
            self.full_pages += 1
        if checked.kept:
            piece.pages.append(checked.kept)
            piece.events += len(checked.kept)
            # The density of the keys this page covered, from where the previous page ended to its own last event.
            piece.density = len(checked.kept) / float(max(1, checked.last_key - read_from))
        if checked.last_key is not None:
            piece.last_key_read = checked.last_key
        if checked.kept:
            self._pass_on_density(piece)
        repeated = False
        if not piece.complete:
            if cursor is None:
                piece.complete = True
            elif cursor in piece.cursors_seen:
                piece.complete = repeated = True
            else:
                piece.cursors_seen.add(cursor)
                piece.cursor = cursor
        self._apply_limit()
        return repeated

    def abandon(self, request):
        """``request`` failed, but its slice is not needed any more (past the limit): ``True``; else ``False`` (the
        failure fails the read)."""
        request.piece.in_flight = False
        return request.piece.complete or bool(self.over())

    def _pass_on_density(self, piece):
        """The slices after ``piece`` that have not read a page yet hold a guess of their density, copied from the
        slice they were split from: replace it with this newer measurement (once a burst ends, its guess is wrong)."""
        for later in self.slices[self.slices.index(piece) + 1:]:
            if later.last_key_read is not None or later.complete:
                break
            later.density = piece.density

    def _apply_limit(self):
        """Once the slices up to one of them hold ``wanted`` events, that slice and all later ones are complete."""
        if not self.wanted:
            return
        total = 0
        for piece in self.slices:
            if total >= self.wanted:
                piece.complete = True
                continue
            total += piece.events
            if total >= self.wanted:
                piece.complete = True

    # -- what can be handed on

    def take_ready(self):
        """The pages that can be handed on now, in output order (each slice's once every slice before it is complete),
        at most ``wanted`` events in all; they are removed from the plan."""
        ready = []
        while self.output_index < len(self.slices) and not (self.wanted and self.handed_on >= self.wanted):
            piece = self.slices[self.output_index]
            while piece.pages and not (self.wanted and self.handed_on >= self.wanted):
                page = piece.pages.pop(0)
                if self.wanted:
                    page = page[:self.wanted - self.handed_on]
                self.handed_on += len(page)
                ready.append(page)
            if not piece.complete or piece.pages:
                break
            self.output_index += 1
        return ready

    def finished(self):
        """Every page the read will hand on was handed on."""
        return (self.wanted and self.handed_on >= self.wanted) or self.output_index >= len(self.slices)
