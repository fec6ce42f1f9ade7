# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A Datadog audit search in plain Python, a thread-free run of a parallel read plan against it, and the hypothesis
profiles of the audit property tests.

:class:`AuditStore` answers searches over a fixed set of events as Datadog does (cursor paging, a cursor on every
non-empty page, an empty page at the end) with a choice of what a millisecond end means, since the parallel reader
must not depend on it: ``"ms"`` (every event of the millisecond, as the emulator), ``"finer"`` (the store keeps
microseconds and an end means the instant ``.000``) and ``"exclusive-to"`` (``to`` leaves its own millisecond out).

:func:`run_plan` drives a :class:`~._audit_plan.ReadPlan` as the worker threads do, but in one thread, answering the
requests in flight in the order ``choose`` picks: the interleavings threads would produce, chosen by the test.
"""

from __future__ import annotations

import os

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings as hypothesis_settings

from ansible_collections.ddops.datadog.plugins.module_utils._audit import format_ms, resolve_time

# -- hypothesis: bounded and deterministic in CI, larger and random with `make property-tests` ------------------------

hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hypothesis_settings.register_profile("thorough", derandomize=False, database=None, deadline=None, print_blob=True,
                                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("DDOPS_HYPOTHESIS_PROFILE", "ci")
hypothesis_settings.load_profile(PROFILE)
#: ``make property-tests`` runs this many times the examples of a CI run.
THOROUGH_FACTOR = int(os.environ.get("DDOPS_HYPOTHESIS_FACTOR", "25"))


def examples(count):
    """``count`` examples in CI, :data:`THOROUGH_FACTOR` times as many with the thorough profile."""
    return count * THOROUGH_FACTOR if PROFILE == "thorough" else count


# -- the store ----------------------------------------------------------------------------------------------------------

NOW = datetime(2026, 2, 1, 12, 0, 0, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
END_MEANINGS = ("ms", "finer", "exclusive-to")


def epoch_ms(text):
    return (resolve_time(text, NOW) - EPOCH) // timedelta(milliseconds=1)


class AuditStore(object):
    """Events at microsecond instants (``instants``, epoch microseconds), each showing its millisecond; ids ``e00000``...
    in the order given, which also orders the events of one instant."""

    def __init__(self, instants, end_meaning="ms"):
        assert end_meaning in END_MEANINGS
        self.end_meaning = end_meaning
        self.instants = list(instants)
        self.events = [{"id": "e%05d" % number, "type": "audit",
                        "attributes": {"timestamp": format_ms(instant // 1000), "message": "m"}}
                       for number, instant in enumerate(self.instants)]
        self.order = sorted(range(len(self.instants)), key=lambda number: (self.instants[number], number))
        self.searches = 0

    def matching(self, time_from, time_to, sort):
        """The events a search of ``[time_from, time_to]`` (texts) returns over all its pages, in order."""
        first, last = epoch_ms(time_from), epoch_ms(time_to)
        selected = [number for number in self.order if self.inside(self.instants[number], first, last)]
        return selected[::-1] if sort == "-timestamp" else selected

    def inside(self, instant, first, last):
        """Whether a search of the milliseconds ``first`` to ``last`` returns an event at ``instant`` (microseconds)."""
        if self.end_meaning == "ms":
            return first <= instant // 1000 <= last
        if self.end_meaning == "finer":
            return first * 1000 <= instant <= last * 1000
        return first <= instant // 1000 < last

    def search(self, time_from, time_to, sort, limit, cursor=None):
        """``(events, cursor)`` of one page; the cursor is ``None`` after the last (empty) page."""
        self.searches += 1
        selected = self.matching(time_from, time_to, sort)
        offset = int(cursor) if cursor else 0
        page = selected[offset:offset + limit]
        return [self.events[number] for number in page], (str(offset + len(page)) if page else None)

    def ids(self, time_from, time_to, sort):
        return [self.events[number]["id"] for number in self.matching(time_from, time_to, sort)]


# -- a read plan run without threads ---------------------------------------------------------------------------------

class Stuck(AssertionError):
    """The plan had nothing to send, nothing in flight, and was not over: a thread pool would wait forever."""


def run_plan(plan, store, sort, workers, choose):
    """Run ``plan`` against ``store`` with ``workers`` requests in flight at most, answering the one ``choose(n)`` picks
    among the ``n`` in flight. Returns the events handed on, in order."""
    handed, in_flight = [], []
    while True:
        while len(in_flight) < workers:
            request = plan.next_request()
            if request is None:
                break
            in_flight.append((request, request.piece.cursor))
        for page in plan.take_ready():
            handed.extend(page)
        if not in_flight:
            if plan.over() or plan.finished():
                for page in plan.take_ready():
                    handed.extend(page)
                assert plan.finished(), "the plan is over but pages were never handed on"
                return handed
            raise Stuck("nothing to send and nothing in flight: %r" % plan.slices)
        request, cursor = in_flight.pop(choose(len(in_flight)))
        time_from, time_to = request.span
        events, next_cursor = store.search(time_from, time_to, sort, request.page_limit, cursor)
        plan.take_answer(request, events, next_cursor)
