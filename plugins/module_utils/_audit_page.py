# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The page check of a parallel audit read: which events of one answer belong to the time slice that asked, or why
the answer cannot be used.

Internal use only: this module is not part of the collection's public interface and may change in any release. No
Ansible imports, no threads: :func:`check_page` is a pure function of the page and the slice's bounds.

**The order key.** An event's key is its millisecond (:func:`~._audit.event_time_ms`) for oldest first, minus it for
newest first, so that a read always goes up the keys. Events of one millisecond share a key; among them Datadog's own
order is kept.

**The slice edge.** A slice owns whole keys, ``first_key`` to ``last_key``. It never relies on Datadog to cut at its
own first key: a store may keep finer times than the millisecond it shows, or take an end as exclusive, and would then
leave some events of that millisecond out. So a slice that does not start the range searches from one key *before*
its first key, and the events of that key, which belong to the slice before it, are skipped here. The slice before
reads its last key whole, since its search runs on to the range's end and its reader stops only at the first event
past its own last key. So every event of a millisecond is read by exactly one slice.

**The order check.** Every event of the page is checked, not only its ends: keys never go down inside a page nor
from the end of the slice's previous page, and none lies before the key the search started at. A page that breaks
this raises :class:`PageError`; the read then fails rather than cut in the wrong place.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._audit import event_time_ms, format_ms


class PageError(ValueError):
    """What is wrong with a page, as the end of a sentence (``... answered with <this>``)."""


class CheckedPage(object):
    """What :func:`check_page` found: ``kept`` (the events the slice owns, in Datadog's order), ``past_end`` (the page
    reached past the slice's last key: the slice is read to its end), ``last_key`` (the key of the page's last event
    up to that point: where the slice stands) and ``skipped`` (events of the key before the slice, left to the slice
    before it)."""

    __slots__ = ("kept", "past_end", "last_key", "skipped")

    def __init__(self, kept, past_end, last_key, skipped):
        self.kept = kept
        self.past_end = past_end
        self.last_key = last_key
        self.skipped = skipped


def event_keys(events, descending):
    """The order key of every event (see the module docstring); :class:`PageError` for a timestamp that cannot be read.

    Consecutive events with the same timestamp text (a burst) are read once."""
    keys = []
    last_stamp = last_key = None
    sign = -1 if descending else 1
    for event in events:
        attributes = event.get("attributes") if isinstance(event, dict) else None
        stamp = attributes.get("timestamp") if isinstance(attributes, dict) else None
        if stamp is None or stamp != last_stamp or not isinstance(stamp, str):
            epoch_ms = event_time_ms(event)
            if epoch_ms is None:
                raise PageError("an event without a readable attributes.timestamp (%r)" % (stamp,))
            last_stamp, last_key = stamp, sign * epoch_ms
        keys.append(last_key)
    return keys


def check_page(events, descending, first_key, last_key, starts_range=False, ends_range=False, after_key=None):
    """Check one page of a slice owning the keys ``first_key`` to ``last_key``; return a :class:`CheckedPage`.

    ``starts_range``: the slice starts the range, and was searched from the range's start as the user gave it: events
    before ``first_key`` are its own (a sequential read returns them too); otherwise it was searched from
    ``first_key - 1``, whose events are skipped and anything earlier is refused. ``ends_range``: the slice ends the
    range, and events past ``last_key`` are its own too; otherwise the page is cut at the first event past it.
    ``after_key``: the key where the slice's previous page ended (``None`` for its first page).

    Raises :class:`PageError` for an event without a readable time, keys going down anywhere in the page or from
    ``after_key``, and an event before the key the search started at.
    """
    keys = event_keys(events, descending)
    previous = after_key
    for key in keys:
        if previous is not None and key < previous:
            raise PageError("a page whose events are not in time order (an event of %s after one of %s)"
                            % (describe_key(key, descending), describe_key(previous, descending)))
        previous = key
    if not keys:
        return CheckedPage([], False, after_key, 0)
    start = 0
    if not starts_range:
        if keys[0] < first_key - 1:
            raise PageError("an event of %s, before the time range asked for (from %s)"
                            % (describe_key(keys[0], descending), describe_key(first_key - 1, descending)))
        while start < len(keys) and keys[start] < first_key:
            start += 1
    end = len(keys)
    past_end = False
    if not ends_range and keys[-1] > last_key:
        end = _first_above(keys, last_key, start)
        past_end = True
    last_seen = keys[end - 1] if end else after_key
    return CheckedPage(events[start:end], past_end, last_seen, start)


def _first_above(keys, key, low):
    """Index of the first of ``keys`` (never going down, as checked) above ``key``, from ``low`` on."""
    high = len(keys)
    while low < high:
        middle = (low + high) // 2
        if keys[middle] > key:
            high = middle
        else:
            low = middle + 1
    return low


def describe_key(key, descending):
    """``2026-01-31T08:15:02.123Z``: the millisecond of a key."""
    return format_ms(-key if descending else key)
