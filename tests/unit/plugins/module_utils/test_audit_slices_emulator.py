# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parallel range reads against the local Datadog API emulator (``dd_emulator`` comes with ``make units``): the same
event IDs in the same order as a sequential read for data with many events on the same millisecond at slice edges,
with limits, both sort orders, a burst, and 30 % of the answers faulted. Nothing here is timed."""

from __future__ import annotations

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._audit import limit_warning, search_all, validate_search
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import make_collector
from ansible_collections.ddops.datadog.plugins.module_utils._audit_plan import cut_keys
from ansible_collections.ddops.datadog.plugins.module_utils._audit_slices import search_all_parallel
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.test_audit_slices import Recorder, assert_each_slice_within_its_share

END = 1780000000000  # the seeded span ends here (2026-05-28), so the times are fixed
DAY_MS = 86400000
FIRST, LAST = END - 10 * DAY_MS + 1, END
SEARCH_ROUTE = "/api/v2/audit/events/search"
PER_EDGE = 25  # events on each millisecond at, just before and just after every slice edge


def edge_times(parallel):
    times = []
    for sign in (1, -1):  # the edges of both sort orders
        low, high = sorted((sign * FIRST, sign * LAST))
        for piece_low, _piece_high in cut_keys(low, high, parallel)[1:]:
            times.extend([sign * piece_low - 1, sign * piece_low, sign * piece_low + 1])
    return times + [FIRST, LAST]


EDGES = sorted(set(edge_times(3) + edge_times(8)))
TOTAL = 2000 + PER_EDGE * len(EDGES)


@pytest.fixture(scope="module")
def emulator(dd_emulator_session):
    """2,000 events over 10 days plus 25 on every millisecond at the slice edges of 3 and 8 slices."""
    dd_emulator_session.reset()
    dd_emulator_session.seed_audit(2000, seed=5, span="10d", end=END)
    dd_emulator_session.seed_audit(PER_EDGE * len(EDGES), seed=6, timestamps=EDGES)
    return dd_emulator_session


def client_of(emulator, **values):
    options = dict(api_key=emulator.api_key, app_key=emulator.app_key, api_url=emulator.url)
    options.update(values)
    return DatadogClient(ClientOptions.from_values(**options))


def read_both(emulator, parallel, client_values=None, **values):
    values.setdefault("page_size", 100)
    settings = validate_search(time_from=str(FIRST), time_to=str(LAST), **values)
    sequential = search_all(client_of(emulator), ["*"], settings)
    emulator.reset(counts=True)
    parallel_read = search_all_parallel(client_of(emulator, **(client_values or {})), ["*"], settings, parallel,
                                        lambda: client_of(emulator, **(client_values or {})))
    return parallel_read, sequential


def ids(events):
    return [event["id"] for event in events]


@pytest.mark.parametrize("sort", ["-timestamp", "timestamp"])
@pytest.mark.parametrize("parallel", [3, 8])
@pytest.mark.parametrize("limit", [0, 1, 150, 1234, 5000])
def test_slices_return_the_sequential_ids_in_order_with_many_events_on_each_slice_edge(emulator, sort, parallel, limit, monkeypatch):
    recorder = Recorder(monkeypatch)
    (events, warnings, requests_sent), (expected, _warnings, _requests) = read_both(emulator, parallel, sort=sort, limit=limit)
    assert ids(events) == ids(expected)
    assert len(set(ids(events))) == len(events) == (min(limit, TOTAL) if limit else TOTAL)
    assert warnings == ([limit_warning(limit, ["*"])] if 0 < limit < TOTAL else [])
    assert emulator.counts()["total"] == requests_sent
    for read in recorder.reads:
        assert_each_slice_within_its_share(read, events)


def test_the_requests_of_a_parallel_read_overlap(emulator):
    emulator.latency(routes={"POST " + SEARCH_ROUTE: 0.3})
    try:
        (events, _warnings, _requests), (expected, _warnings2, _requests2) = read_both(emulator, 4, limit=0, page_size=1000)
    finally:
        emulator.latency(routes={})
    assert ids(events) == ids(expected)
    assert emulator.in_flight()["peak"] >= 2


def test_a_burst_is_read_by_many_slices_with_the_sequential_result(dd_emulator, monkeypatch):
    recorder = Recorder(monkeypatch)
    dd_emulator.seed_audit(6000, seed=3, span="10d", end=END, burst=0.8, burst_span="1h")
    (events, _warnings, _requests), (expected, _warnings2, _requests2) = read_both(dd_emulator, 8, limit=0)
    assert ids(events) == ids(expected) and len(events) == 6000
    read = recorder.reads[0]
    assert len([piece for piece in read.slices if piece.events >= 100]) >= 8  # the burst's 48 pages went to many slices
    assert_each_slice_within_its_share(read, events)


FAULTS = [  # about 30 % of the search answers: 1 - 0.88 ** 3
    {"kind": "429", "route": SEARCH_ROUTE, "probability": 0.12, "seed": 1, "reset": 0},
    {"kind": "503", "route": SEARCH_ROUTE, "probability": 0.12, "seed": 2},
    {"kind": "drop", "route": SEARCH_ROUTE, "probability": 0.12, "seed": 3},
]


@pytest.mark.parametrize("sort, limit", [("-timestamp", 0), ("timestamp", 0), ("-timestamp", 1234), ("timestamp", 2500)])
def test_under_30_percent_faults_the_result_is_still_the_sequential_one(emulator, sort, limit):
    settings = validate_search(time_from=str(FIRST), time_to=str(LAST), sort=sort, limit=limit, page_size=100)
    expected = search_all(client_of(emulator), ["*"], settings)[0]
    emulator.add_faults(*FAULTS)
    try:
        retrying = dict(retries=12, retry_backoff=0)
        emulator.reset(counts=True, log=True)
        client = client_of(emulator, **retrying)
        events, _warnings, requests_sent = search_all_parallel(client, ["*"], settings, 8, lambda: client_of(emulator, **retrying))
        injected_by_rule = [rule["injected"] for rule in emulator.faults()]
    finally:
        emulator.clear_faults()
    assert ids(events) == ids(expected)
    assert all(number > 0 for number in injected_by_rule)
    injected = sum(injected_by_rule)
    # Every request the emulator received was answered normally or faulted: none was sent again without a fault.
    answered = sum(1 for entry in emulator.responses_log() if entry["path"] == SEARCH_ROUTE and entry["status"] == 200)
    assert emulator.counts()["routes"]["POST " + SEARCH_ROUTE] == answered + injected
    # Every page the read asked for got its answer, after as many retries as it met faults; only a limited read may
    # have stopped waiting for a page it no longer needed (its retry cancelled once the limit was reached).
    if limit:
        assert answered <= requests_sent <= answered + injected
    else:
        assert answered == requests_sent


PROJECTIONS = [
    {"fields": ["id", "timestamp", "@usr.email", "@action", "@no.such.field"]},
    {"count_by": "@usr.email"},
    {"count_by": ["@action", "@usr.email"]},
]


@pytest.mark.parametrize("sort, limit", [("-timestamp", 0), ("timestamp", 0), ("-timestamp", 1234), ("timestamp", 150)])
def test_fields_and_count_by_read_in_parallel_give_what_the_sequential_read_gives(emulator, sort, limit):
    settings = validate_search(time_from=str(FIRST), time_to=str(LAST), sort=sort, limit=limit, page_size=100)
    whole = search_all(client_of(emulator), ["*"], settings)[0]
    for options in PROJECTIONS:
        sequential = search_all(client_of(emulator), ["*"], settings, make_collector(**options))[0]
        parallel = search_all_parallel(client_of(emulator), ["*"], settings, 8, lambda: client_of(emulator),
                                       collector=make_collector(**options))[0]
        assert parallel == sequential, options
    # ... and what the whole events hold
    rows = search_all_parallel(client_of(emulator), ["*"], settings, 8, lambda: client_of(emulator),
                               collector=make_collector(**PROJECTIONS[0]))[0]
    assert rows == [{"id": item["id"], "timestamp": item["attributes"]["timestamp"],
                     "usr_email": item["attributes"]["attributes"].get("usr", {}).get("email"),
                     "action": item["attributes"]["attributes"].get("action"), "no_such_field": None} for item in whole]
    counts = search_all_parallel(client_of(emulator), ["*"], settings, 8, lambda: client_of(emulator),
                                 collector=make_collector(**PROJECTIONS[1]))[0]
    assert sum(row["count"] for row in counts) == len(whole)


def test_count_by_read_in_parallel_under_30_percent_faults_counts_what_the_sequential_read_counts(emulator):
    settings = validate_search(time_from=str(FIRST), time_to=str(LAST), limit=0, page_size=100)
    expected = search_all(client_of(emulator), ["*"], settings, make_collector(count_by="@usr.email"))[0]
    emulator.add_faults(*FAULTS)
    try:
        retrying = dict(retries=12, retry_backoff=0)
        counts = search_all_parallel(client_of(emulator, **retrying), ["*"], settings, 8, lambda: client_of(emulator, **retrying),
                                     collector=make_collector(count_by="@usr.email"))[0]
        injected = [rule["injected"] for rule in emulator.faults()]
    finally:
        emulator.clear_faults()
    assert counts == expected
    assert all(number > 0 for number in injected)


@pytest.mark.parametrize("parallel", [2, 8, 16])
def test_a_burst_of_4_events_in_every_millisecond_at_different_instants_loses_none_newest_first(dd_emulator, parallel):
    """Regression (issue 20): the emulator seeded as a store that keeps finer times than the millisecond it shows (4
    events in each millisecond of a burst, at .0, .25, .5 and .75 of it). A newest-first slice searched up to its own
    edge, whose instant .000 left the later events of that millisecond out; the slice before it stopped at its own end:
    before the fix the parallel read returned 3 events fewer for every slice edge inside the burst, without a word."""
    burst = [END - DAY_MS + millisecond + fraction for millisecond in range(1000) for fraction in (0, 0.25, 0.5, 0.75)]
    dd_emulator.seed_audit(400, seed=8, span="10d", end=END)
    dd_emulator.seed_audit(len(burst), seed=9, timestamps=burst)
    (events, warnings, _requests), (expected, _warnings, _requests2) = read_both(dd_emulator, parallel, limit=0, sort="-timestamp")
    assert len(expected) == 4400
    assert ids(events) == ids(expected)
    assert warnings == []
