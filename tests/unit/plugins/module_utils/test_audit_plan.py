# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan of a parallel read, on plain lists and without threads: the slices it cuts, what it sends, what an answer
changes and what it hands on. The requests in flight are answered in an order the test picks (audit_model.run_plan)."""

from __future__ import annotations

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._audit import format_ms
from ansible_collections.ddops.datadog.plugins.module_utils._audit_page import PageError
from ansible_collections.ddops.datadog.plugins.module_utils._audit_plan import (
    SPLIT_KEEP_PAGES,
    ReadPlan,
    RepeatedPage,
    Slice,
    TimeRange,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.audit_model import AuditStore, run_plan

FIRST = 1769000000000
LAST = FIRST + 99


def time_range(first=FIRST, last=LAST):
    return TimeRange(first, last, "2026-01-21T12:53:20Z", str(last))


def plan_of(workers=4, page_size=10, wanted=0, descending=False, first=FIRST, last=LAST):
    return ReadPlan(time_range(first, last), descending, workers, page_size, wanted)


def store_of(milliseconds, per_ms=1, end_meaning="ms"):
    return AuditStore([millisecond * 1000 + 250 * (number % 4) for millisecond in milliseconds for number in range(per_ms)],
                      end_meaning)


def first_in_flight(count):
    return 0


def last_in_flight(count):
    return count - 1


def ids(events):
    return [event["id"] for event in events]


# -- slices and searches --------------------------------------------------------------------------------------------

def test_without_a_limit_each_worker_starts_with_one_slice_of_equal_width_and_the_outer_ones_know_it():
    plan = plan_of(workers=4)
    assert [(piece.first_key - FIRST, piece.last_key - FIRST) for piece in plan.slices] == [(0, 24), (25, 49), (50, 74), (75, 99)]
    assert [(piece.starts_range, piece.ends_range) for piece in plan.slices] == [
        (True, False), (False, False), (False, False), (False, True)]


def test_with_a_limit_one_slice_tells_the_density_first():
    plan = plan_of(workers=4, wanted=31)
    assert len(plan.slices) == 1 and plan.slices[0].starts_range and plan.slices[0].ends_range


@pytest.mark.parametrize("descending, spans", [
    (False, [("2026-01-21T12:53:20Z", str(LAST)), (str(FIRST + 24), str(LAST))]),
    # newest first the keys are minus the times: the first slice holds the newest, searched up to the range's end
    (True, [("2026-01-21T12:53:20Z", str(LAST)), ("2026-01-21T12:53:20Z", str(LAST - 24))]),
])
def test_a_slice_searches_from_the_millisecond_before_its_own_first_to_the_range_end(descending, spans):
    plan = plan_of(workers=4, descending=descending)
    assert [plan.search_span(piece) for piece in plan.slices[:2]] == spans


def test_the_requests_carry_the_search_of_their_slice_and_a_page_limit():
    plan = plan_of(workers=2, page_size=10)
    requests = [plan.next_request(), plan.next_request()]
    assert [request.span for request in requests] == [("2026-01-21T12:53:20Z", str(LAST)), (str(FIRST + 49), str(LAST))]
    assert [request.page_limit for request in requests] == [10, 10] and [request.number for request in requests] == [1, 2]
    assert plan.next_request() is None  # both slices have a request in flight and nothing is worth splitting yet


# -- answers ----------------------------------------------------------------------------------------------------------

def test_the_events_of_the_millisecond_before_a_slice_are_skipped_and_read_by_the_slice_before_it():
    store = store_of([FIRST + 48, FIRST + 49, FIRST + 49, FIRST + 50], per_ms=1)
    plan = plan_of(workers=2, page_size=10)
    handed = run_plan(plan, store, "timestamp", 2, last_in_flight)  # the second slice answers first
    assert ids(handed) == store.ids(str(FIRST), str(LAST), "timestamp")
    first, second = plan.slices
    assert (first.events, second.events) == (3, 1)


@pytest.mark.parametrize("end_meaning", ["ms", "finer", "exclusive-to"])
@pytest.mark.parametrize("sort", ["timestamp", "-timestamp"])
def test_a_millisecond_on_every_slice_edge_is_read_whole_whatever_an_end_means_inside_it(end_meaning, sort):
    edges = [FIRST + 24, FIRST + 25, FIRST + 49, FIRST + 50, FIRST + 74, FIRST + 75]
    store = store_of(edges, per_ms=4, end_meaning=end_meaning)
    plan = plan_of(workers=4, page_size=3, descending=sort == "-timestamp")
    handed = run_plan(plan, store, sort, 4, first_in_flight)
    assert ids(handed) == store.ids(str(FIRST), str(LAST), sort) and len(handed) == 24


def test_pages_are_handed_on_in_slice_order_whichever_slice_answers_first():
    store = store_of(range(FIRST, LAST + 1, 3))
    plan = plan_of(workers=4, page_size=5)
    requests = [plan.next_request() for _number in range(4)]
    for request in reversed(requests):  # the last slice answers first: nothing can be handed on before the first's
        events, cursor = store.search(request.span[0], request.span[1], "timestamp", request.page_limit)
        plan.take_answer(request, events, cursor)
        ready = plan.take_ready()
        assert ready == [] if request is not requests[0] else ids(ready[0]) == store.ids(str(FIRST), str(LAST), "timestamp")[:5]


def test_a_page_starting_with_an_event_the_slice_had_is_a_cursor_that_did_not_advance():
    store = store_of(range(FIRST, FIRST + 30))
    plan = plan_of(workers=1, page_size=5)
    request = plan.next_request()
    events, cursor = store.search(request.span[0], request.span[1], "timestamp", 5)
    plan.take_answer(request, events, cursor)
    again = plan.next_request()
    with pytest.raises(RepeatedPage):
        plan.take_answer(again, events, "fresh")


def test_a_repeated_cursor_ends_the_slice_and_is_reported():
    store = store_of(range(FIRST, FIRST + 30))
    plan = plan_of(workers=1, page_size=5)
    request = plan.next_request()
    events, _cursor = store.search(request.span[0], request.span[1], "timestamp", 5)
    assert plan.take_answer(request, events, "c1") is False
    request = plan.next_request()
    events, _cursor = store.search(request.span[0], request.span[1], "timestamp", 5, "5")
    assert plan.take_answer(request, events, "c1") is True and plan.slices[0].complete


def test_an_unusable_page_raises_and_the_slice_keeps_nothing_of_it():
    plan = plan_of(workers=2, page_size=5)
    plan.next_request()
    request = plan.next_request()  # the second slice, searched from FIRST + 49
    with pytest.raises(PageError):
        plan.take_answer(request, [{"id": "x", "attributes": {"timestamp": format_ms(FIRST + 10)}}], "c")
    assert request.piece.events == 0 and request.piece.pages == [] and not request.piece.in_flight


# -- splitting a burst and carving with a limit ---------------------------------------------------------------------

def test_an_idle_worker_takes_over_the_unread_rest_of_a_burst_after_two_full_pages():
    burst = [FIRST + 10 + number // 4 for number in range(400)]  # 4 events per millisecond over 100 ms
    store = AuditStore([millisecond * 1000 for millisecond in burst])
    plan = ReadPlan(time_range(FIRST, FIRST + 999), False, 2, 10, 0)
    first = plan.next_request()  # the first slice holds the whole burst
    second = plan.next_request()
    for page_number in range(2):
        events, cursor = store.search(first.span[0], first.span[1], "timestamp", 10, first.piece.cursor)
        plan.take_answer(first, events, cursor)
        first = plan.next_request()
    events, cursor = store.search(second.span[0], second.span[1], "timestamp", 10)
    plan.take_answer(second, events, cursor)  # the second slice is empty: complete
    split = plan.next_request()  # the idle worker: a split of the first slice's unread rest
    piece = plan.slices[0]
    # its last page held 10 events over the 2 milliseconds after the previous page's last: 5 per millisecond
    assert split.piece is plan.slices[1] and piece.last_key_read == FIRST + 14 and piece.density == 5.0
    assert split.piece.first_key == piece.last_key_read + int(SPLIT_KEEP_PAGES * 10 / 5.0) == piece.last_key + 1
    assert split.piece.is_guess and split.piece.density == 5.0
    assert split.span == (str(split.piece.first_key - 1), str(FIRST + 999))
    assert [piece.requests for piece in plan.slices] == [3, 1, 1]


def test_with_a_limit_the_rest_is_cut_into_chunks_of_less_than_a_page_ahead_of_the_readers():
    store = store_of(range(FIRST, FIRST + 1000))  # one event per millisecond
    plan = ReadPlan(time_range(FIRST, FIRST + 999), False, 4, 10, 51)
    first = plan.next_request()
    events, cursor = store.search(first.span[0], first.span[1], "timestamp", first.page_limit)
    plan.take_answer(first, events, cursor)
    requests = [plan.next_request() for _number in range(4)]
    # the first slice reads on, keeping about a chunk past where it is; the rest is cut into chunks of 0.8 of a page
    assert requests[0].piece is plan.slices[0] and plan.slices[0].last_key == FIRST + 9 + 8
    assert [(request.piece.first_key - FIRST, request.piece.last_key - FIRST) for request in requests[1:]] == [
        (18, 25), (26, 33), (34, 41)]
    assert plan.slices[-1].is_reserve and plan.slices[-1].first_key == FIRST + 42


def test_a_reserve_no_longer_needed_is_never_carved():
    plan = plan_of(workers=2, wanted=5)
    reserve = Slice(FIRST + 50, LAST, ends_range=True)
    reserve.is_reserve, reserve.complete, reserve.density = True, True, 1.0
    plan.slices[0].last_key = FIRST + 49
    plan.slices[0].ends_range = False
    plan.slices.append(reserve)
    plan.slices[0].events, plan.slices[0].complete = 2, True
    plan.output_index = 1
    assert plan._carve() is None  # pylint: disable=protected-access
    assert len(plan.slices) == 2


def test_no_slice_is_ever_put_before_the_pages_already_handed_on():
    plan = plan_of(workers=2)
    plan.output_index = 1
    with pytest.raises(RuntimeError, match="before the output"):
        plan._insert(0, Slice(FIRST, FIRST))  # pylint: disable=protected-access


@pytest.mark.parametrize("wanted, handed", [(1, 1), (7, 7), (23, 23), (1000, 100)])
def test_a_limit_hands_on_exactly_the_first_events_in_order_and_stops(wanted, handed):
    store = store_of(range(FIRST, LAST + 1))
    plan = plan_of(workers=4, page_size=10, wanted=wanted)
    events = run_plan(plan, store, "timestamp", 4, last_in_flight)
    assert ids(events) == store.ids(str(FIRST), str(LAST), "timestamp")[:handed]
    assert plan.finished() and plan.over()
