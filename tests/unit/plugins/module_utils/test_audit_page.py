# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The page check of a parallel read on plain lists: which events of a page a slice keeps, and which pages fail."""

from __future__ import annotations

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._audit import event_time_ms, format_ms
from ansible_collections.ddops.datadog.plugins.module_utils._audit_page import PageError, check_page, event_keys

BASE = 1769847302000  # 2026-01-31T08:15:02.000Z


def page(*offsets):
    """Events at BASE + offset milliseconds, ids ``o<offset>-<n>``."""
    return [{"id": "o%d-%d" % (offset, number), "attributes": {"timestamp": format_ms(BASE + offset)}}
            for number, offset in enumerate(offsets)]


def ids(events):
    return [event["id"] for event in events]


def test_a_slice_skips_the_millisecond_before_its_own_first_and_keeps_the_rest_up_to_its_last():
    events = page(9, 9, 10, 10, 11, 20, 20)
    checked = check_page(events, False, BASE + 10, BASE + 20)
    assert ids(checked.kept) == ids(events[2:]) and checked.skipped == 2
    assert not checked.past_end and checked.last_key == BASE + 20


def test_a_page_past_the_last_key_is_cut_at_the_first_event_past_it_and_ends_the_slice():
    events = page(10, 15, 15, 16, 16, 30)
    checked = check_page(events, False, BASE + 10, BASE + 15)
    assert ids(checked.kept) == ids(events[:3]) and checked.past_end and checked.last_key == BASE + 15


def test_a_page_wholly_past_the_end_keeps_nothing_and_the_slice_stays_where_it_was():
    checked = check_page(page(16, 17), False, BASE + 10, BASE + 15, after_key=BASE + 12)
    assert checked.kept == [] and checked.past_end and checked.last_key == BASE + 12


def test_newest_first_keys_are_minus_the_milliseconds():
    events = page(11, 10, 10, 9)  # newest first
    checked = check_page(events, True, -(BASE + 10), -(BASE + 9))
    assert ids(checked.kept) == ids(events[1:]) and checked.skipped == 1  # the millisecond after it, newer, is skipped
    assert checked.last_key == -(BASE + 9)


def test_the_range_start_and_end_keep_what_datadog_returned_around_them():
    """The outer ends are searched as the user gave them: what Datadog returns there, a sequential read returns too."""
    events = page(5, 9, 10, 40)
    assert ids(check_page(events, False, BASE + 10, BASE + 20, starts_range=True, ends_range=True).kept) == ids(events)


@pytest.mark.parametrize("offsets, where", [
    ((10, 12, 11, 13), "an event of 2026-01-31T08:15:02.011Z after one of 2026-01-31T08:15:02.012Z"),  # in the middle
    ((10, 10, 10, 9), "an event of 2026-01-31T08:15:02.009Z after one of 2026-01-31T08:15:02.010Z"),  # at the end
    ((14, 15, 13, 20), "not in time order"),  # the events past the end are checked too: a cut in the wrong place
])
def test_a_page_out_of_order_anywhere_fails(offsets, where):
    with pytest.raises(PageError) as error:
        check_page(page(*offsets), False, BASE + 10, BASE + 15)
    assert where in str(error.value)


def test_a_page_that_goes_back_from_where_the_previous_one_ended_fails():
    with pytest.raises(PageError, match="not in time order"):
        check_page(page(12, 13), False, BASE + 10, BASE + 20, after_key=BASE + 14)
    assert ids(check_page(page(14, 15), False, BASE + 10, BASE + 20, after_key=BASE + 14).kept) == ["o14-0", "o15-1"]


def test_an_event_before_the_search_start_fails():
    with pytest.raises(PageError, match=r"an event of 2026-01-31T08:15:02.008Z, before the time range asked for \(from "
                                        r"2026-01-31T08:15:02.009Z\)"):
        check_page(page(8, 10), False, BASE + 10, BASE + 20)


@pytest.mark.parametrize("stamp", ["soon", None, True, float("nan"), {"ms": 1}])
def test_an_event_without_a_readable_time_fails(stamp):
    events = page(10) + [{"id": "x", "attributes": {"timestamp": stamp}}]
    with pytest.raises(PageError, match="without a readable attributes.timestamp"):
        check_page(events, False, BASE + 10, BASE + 20)


def test_keys_of_a_burst_are_read_once_per_timestamp_text_and_equal_the_one_reading_of_event_times():
    events = page(3, 3, 3, 4) + [{"id": "n", "attributes": {"timestamp": BASE + 4}},
                                 {"id": "iso", "attributes": {"timestamp": "2026-01-31T09:15:02.005+01:00"}}]
    assert event_keys(events, False) == [event_time_ms(event) for event in events] == [BASE + 3] * 3 + [BASE + 4] * 2 + [BASE + 5]
    assert event_keys(events, True) == [-key for key in event_keys(events, False)]


@pytest.mark.parametrize("stamp, expected", [
    ("2026-01-31T08:15:02.123Z", 1769847302123),
    ("2026-01-31T08:15:02Z", 1769847302000),
    ("2026-01-31T09:15:02.123+01:00", 1769847302123),
    ("2026-01-31T08:15:02.123999Z", 1769847302123),
    ("2026-01-31T08:15:02.123", 1769847302123),  # no offset: UTC
    ("1769847302123", 1769847302123),
    (" 1769847302123 ", 1769847302123),
    (1769847302123, 1769847302123),
    (1769847302123.9, 1769847302123),  # a fraction of a millisecond: the millisecond it is in
    ("now", None),  # date math is a time to search, not an event's time
    ("yesterday", None),
    (None, None),
    (True, None),
    (float("inf"), None),
])
def test_event_times_are_read_to_the_millisecond_by_one_rule_for_text_and_numbers(stamp, expected):
    assert event_time_ms({"attributes": {"timestamp": stamp}}) == expected
