# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parallel range reads: range resolution, slicing, merging, limits, shared rate limiting and failures, against a
scripted Datadog audit search that knows event times (inclusive ``from``/``to``, millisecond events, cursor paging).

Every read is compared with the sequential read of the same settings: same events, same order. No test waits for
real and none asserts a time: concurrency and waits are shown by what was sent and in which order.
"""

from __future__ import annotations

import io
import json
import math
import random
import threading
import time

from datetime import datetime, timedelta, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogClient, RequestCancelled, SharedRateLimit
from ansible_collections.ddops.datadog.plugins.module_utils._audit import (
    SEARCH_PATH,
    event_time_ms,
    format_ms,
    resolve_time,
    search_all,
    validate_search,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit_plan import cut_keys, resolve_range
from ansible_collections.ddops.datadog.plugins.module_utils._audit_slices import (
    MAX_PARALLEL,
    ParallelRead,
    read_pages,
    search_all_parallel,
    validate_parallel,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure

API_KEY = "unit-api-key-5a9c1e7b3d2f"
APP_KEY = "unit-app-key-8e2d4c6a0b1f"
NOW = datetime(2026, 2, 1, 12, 0, 0, 500000, tzinfo=timezone.utc)
NOW_MS = 1769947200500
DAY_MS = 86400000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _ms(moment):
    return (moment - EPOCH) // timedelta(milliseconds=1)


class TimedAuditAPI(BaseAdapter):
    """``POST /api/v2/audit/events/search`` over events with times, paging like Datadog; safe to share between threads.

    ``times`` are the events' epoch milliseconds (ids ``evt-00000``... in that order; events of the same millisecond
    keep it). ``from``/``to`` are inclusive and take epoch ms, ISO 8601 or date math (``now`` is :data:`NOW`). A
    non-empty page carries a cursor, also the last one; the request made with a cursor past the end answers
    ``{"data": []}``. ``fault(body, number)`` may return ``(status, headers, body)`` to answer instead.

    ``microseconds`` (one per event, 0 to 999) places the events inside their millisecond, as a store that keeps finer
    times than the millisecond it shows: the events are sorted by the full time, and ``from``/``to`` given in
    milliseconds mean the instant ``.000`` of that millisecond, so ``to`` leaves out the events later in it.
    """

    def __init__(self, times, fault=None, max_page=1000, rendezvous=0, latency=0.0, microseconds=None):
        super().__init__()
        # Seconds each answer takes, outside the lock (as a network would): lets the workers' requests overlap even on a
        # busy machine, where without it one thread may read a whole burst before another is scheduled.
        self.latency = latency
        # The first `rendezvous` requests of the workers wait for each other inside send(): they pass only when that
        # many are in flight at once (a broken barrier fails the test).
        self.rendezvous = threading.Barrier(rendezvous, timeout=60) if rendezvous else None
        self.events = [{"id": "evt-%05d" % number, "type": "audit", "attributes": {"timestamp": format_ms(epoch_ms), "message": "m"}}
                       for number, epoch_ms in enumerate(times)]
        self.instants = [epoch_ms * 1000 + (microseconds[number] if microseconds else 0) for number, epoch_ms in enumerate(times)]
        self.order = sorted(range(len(times)), key=lambda number: (self.instants[number], number))
        self.times = times
        self.fault = fault
        self.max_page = max_page
        self.lock = threading.Lock()
        self.bodies = []
        self.threads = set()

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        assert request.method == "POST" and request.path_url == SEARCH_PATH
        assert request.headers["DD-API-KEY"] == API_KEY and request.headers["DD-APPLICATION-KEY"] == APP_KEY
        body = json.loads(request.body)
        with self.lock:
            self.bodies.append(body)
            self.threads.add(threading.current_thread().name)
            number = len(self.bodies)
            meet = self.rendezvous is not None and threading.current_thread().name.startswith("ddops-audit-slice")
        if meet and self.rendezvous.n_waiting < self.rendezvous.parties and not getattr(self, "_met", False):
            self.rendezvous.wait()
            self._met = True
        if self.latency:
            time.sleep(self.latency)
        if self.fault is not None:
            answer = self.fault(body, number)
            if answer is not None:
                return _response(request, *answer)
        first, last = (_ms(resolve_time(body["filter"][end], NOW)) for end in ("from", "to"))
        selected = [number for number in self.order if first * 1000 <= self.instants[number] <= last * 1000]
        if body["sort"] == "-timestamp":
            selected.reverse()
        cursor = body["page"].get("cursor")
        offset = int(cursor.rsplit(":", 1)[1]) if cursor else 0
        if cursor and offset >= len(selected):
            return _response(request, 200, {}, {"data": []})
        page = selected[offset:offset + min(body["page"]["limit"], self.max_page)]
        meta = {"status": "done"}
        if page:
            meta["page"] = {"after": "%d:%d:%s:%d" % (first, last, body["sort"], offset + len(page))}
        return _response(request, 200, {"Content-Type": "application/json"}, {"data": [self.events[number] for number in page], "meta": meta})

    def ids(self, first, last, sort):
        """What a correct search answers, all pages: the ids from ``first`` to ``last`` (epoch ms, both included)."""
        selected = [number for number in self.order if first * 1000 <= self.instants[number] <= last * 1000]
        return [self.events[number]["id"] for number in (reversed(selected) if sort == "-timestamp" else selected)]

    def close(self):
        pass


def _response(request, status, headers, body):
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    response.raw = io.BytesIO(json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or b""))
    response.encoding = "utf-8"
    response.url = request.url
    response.request = request
    response.reason = {200: "OK", 400: "Bad Request", 429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "")
    return response


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def make_client(api, sleeps=None, **values):
    options = dict(api_key=API_KEY, app_key=APP_KEY, api_url="https://api.example.test")
    options.update(values)
    session = requests.Session()
    session.mount("https://", api)
    return DatadogClient(ClientOptions.from_values(**options), session=session, sleep=sleeps if sleeps is not None else Sleeps())


class FakeTime(object):
    """A clock that only moves when someone waits: shared waits are then visible without waiting."""

    def __init__(self):
        self.now = 1000.0
        self.pauses = []
        self.lock = threading.Lock()

    def clock(self):
        with self.lock:
            return self.now

    def pause(self, seconds):
        with self.lock:
            self.pauses.append((threading.current_thread().name, seconds))
            self.now += seconds
        return False


def fake_shared():
    fake = FakeTime()
    return SharedRateLimit(clock=fake.clock, pause=fake.pause)


def settings(**values):
    values.setdefault("now", NOW)
    return validate_search(**values)


def spread(count, first, last, seed=1):
    rng = random.Random(seed)
    return [rng.randint(first, last) for _number in range(count)]


def run_parallel(api, parallel, shared_factory=fake_shared, **values):
    """A parallel read and the sequential read of the same settings; returns both results and the client."""
    read_settings = settings(**values)
    client = make_client(api)
    sequential = search_all(make_client(api), ["*"], read_settings)
    result = search_all_parallel(client, ["*"], read_settings, parallel, lambda: make_client(api), now=NOW,
                                 shared_factory=shared_factory)
    return result, sequential, client


def ids(events):
    return [event["id"] for event in events]


def no_slice_threads():
    return not [thread for thread in threading.enumerate() if thread.name.startswith("ddops-audit-slice")]


class Recorder(object):
    """Keeps the ParallelRead objects a read makes, to look at its slices afterwards."""

    def __init__(self, monkeypatch):
        from ansible_collections.ddops.datadog.plugins.module_utils import _audit_slices  # pylint: disable=import-outside-toplevel
        self.reads = []
        original = _audit_slices.ParallelRead.__init__

        def init(read, *args, **kwargs):
            original(read, *args, **kwargs)
            self.reads.append(read)
        monkeypatch.setattr(_audit_slices.ParallelRead, "__init__", init)


def assert_each_slice_within_its_share(read, events):
    """Every slice sent at most one request more than its events need (⌈n / page size⌉), where its events are the
    result's events it owns and those of the millisecond before it, which its search starts with (see _audit_page)."""
    plan = read.plan
    keys = [plan.key(event_time_ms(event)) for event in events]
    for piece in plan.slices:
        first = piece.first_key if piece.starts_range else piece.first_key - 1
        share = sum(1 for key in keys if first <= key <= piece.last_key)
        assert piece.requests <= math.ceil(share / float(plan.page_size)) + 1, (piece, share)
    assert plan.requests == sum(piece.requests for piece in plan.slices)


# -- options and the range -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [(None, 1), (1, 1), (8, 8), ("4", 4), (16.0, 16)])
def test_parallel_takes_1_to_16(value, expected):
    assert validate_parallel(value) == expected


@pytest.mark.parametrize("value", [0, 17, -1, "eight", True, 2.5, [4], ""])
def test_parallel_outside_1_to_16_is_refused_naming_the_option(value):
    with pytest.raises(InputError, match=r"^parallel must be an integer from 1 \(one request at a time\) to %d" % MAX_PARALLEL):
        validate_parallel(value)


def test_date_math_is_resolved_once_to_whole_milliseconds():
    time_range, reason = resolve_range(settings(time_from="now-1d", time_to="now"), NOW)
    assert reason is None
    assert (time_range.first, time_range.last) == (NOW_MS - DAY_MS, NOW_MS)
    assert (time_range.first_text, time_range.last_text) == (str(NOW_MS - DAY_MS), str(NOW_MS))


def test_sub_millisecond_ends_keep_only_the_whole_milliseconds_inside_the_range():
    moment = NOW + timedelta(microseconds=250)  # 12:00:00.500250
    time_range, _reason = resolve_range(settings(time_from="now-1h", time_to="now"), moment)
    assert (time_range.first, time_range.last) == (NOW_MS - 3600000 + 1, NOW_MS)


def test_absolute_ends_are_sent_as_the_user_gave_them():
    time_range, reason = resolve_range(settings(time_from="2026-01-31T08:00:00.000250+01:00", time_to="1769947200500"), NOW)
    assert reason is None
    assert time_range.first_text == "2026-01-31T08:00:00.000250+01:00" and time_range.last_text == "1769947200500"
    assert (time_range.first, time_range.last) == (_ms(datetime(2026, 1, 31, 7, 0, 0, 1000, tzinfo=timezone.utc)), NOW_MS)


@pytest.mark.parametrize("values, expected", [
    ({"time_from": "now/d", "time_to": "now"}, datetime(2026, 2, 1, tzinfo=timezone.utc)),
    ({"time_from": "now-1d/w", "time_to": "now"}, datetime(2026, 1, 26, tzinfo=timezone.utc)),  # a Monday
    ({"time_from": "now/w", "time_to": "now"}, datetime(2026, 1, 26, tzinfo=timezone.utc)),
    ({"time_from": "now-2h/h", "timezone": "UTC+1", "time_to": "now"}, None),
    ({"time_from": "2026-01-31T08:00:00", "timezone": "Europe/Paris"}, None),
    ({"time_from": "2026-01-31T08:00:00"}, datetime(2026, 1, 31, 8, tzinfo=timezone.utc)),
    ({"time_from": "2026-01-31T08:00:00Z", "timezone": "Europe/Paris"}, datetime(2026, 1, 31, 8, tzinfo=timezone.utc)),
    ({"time_from": "now-1d", "timezone": "Europe/Paris"}, NOW - timedelta(days=1)),
    ({"time_from": "now-1d", "time_offset": 3600}, None),
])
def test_ranges_that_depend_on_the_timezone_are_left_to_datadog(values, expected):
    time_range, reason = resolve_range(settings(**values), NOW)
    if expected is None:
        assert time_range is None and ("timezone" in reason or "time_offset" in reason)
    else:
        assert reason is None and time_range.first == _ms(expected)


@pytest.mark.parametrize("low, high, parts", [(0, 99, 4), (0, 9, 3), (-500, -1, 7), (5, 6, 8), (10, 10, 3), (0, 86399999, 16)])
def test_cut_keys_covers_the_range_with_adjacent_parts_of_nearly_equal_width(low, high, parts):
    pieces = cut_keys(low, high, parts)
    assert pieces[0][0] == low and pieces[-1][1] == high
    assert all(left[1] + 1 == right[0] for left, right in zip(pieces, pieces[1:]))
    widths = [piece_high - piece_low + 1 for piece_low, piece_high in pieces]
    assert len(pieces) == min(parts, high - low + 1) and max(widths) - min(widths) <= 1


@pytest.mark.parametrize("stamp, expected", [
    ("2026-01-31T08:15:02.123Z", 1769847302123),
    ("2026-01-31T08:15:02Z", 1769847302000),
    ("2026-01-31T09:15:02.123+01:00", 1769847302123),
    ("2026-01-31T08:15:02.123999Z", 1769847302123),
    ("1769847302123", 1769847302123),
    ("yesterday", None),
    (None, None),
])
def test_event_times_are_read_to_the_millisecond(stamp, expected):
    assert event_time_ms({"attributes": {"timestamp": stamp}}) == expected
    assert format_ms(1769847302123) == "2026-01-31T08:15:02.123Z"


# -- same events, same order ------------------------------------------------------------------------------------------

FIRST, LAST = NOW_MS - 10 * DAY_MS, NOW_MS


def edge_heavy_times(parallel, count_per_edge=30):
    """Events spread over the range plus many on the same millisecond at, just before and just after every initial
    slice edge, for both sort orders."""
    times = spread(1500, FIRST, LAST)
    for sort_sign in (1, -1):
        low, high = sorted((sort_sign * FIRST, sort_sign * LAST))
        for piece_low, _piece_high in cut_keys(low, high, parallel)[1:]:
            edge = sort_sign * piece_low
            for offset in (-1, 0, 1):
                times.extend([edge + offset] * count_per_edge)
    times.extend([FIRST] * 10 + [LAST] * 10)  # on the outer ends too
    return times


@pytest.mark.parametrize("sort", ["-timestamp", "timestamp"])
@pytest.mark.parametrize("parallel", [2, 3, 8, 16])
def test_slices_return_the_sequential_events_in_the_same_order_with_many_events_on_slice_edges(sort, parallel, monkeypatch):
    recorder = Recorder(monkeypatch)
    api = TimedAuditAPI(edge_heavy_times(parallel))
    (events, warnings, requests_sent), sequential, _client = run_parallel(
        api, parallel, time_from=str(FIRST), time_to=str(LAST), sort=sort, limit=0, page_size=50)
    assert ids(events) == ids(sequential[0]) == api.ids(FIRST, LAST, sort)
    assert len(set(ids(events))) == len(events) == len(api.times)
    assert warnings == []
    read = recorder.reads[0]
    assert len(read.slices) >= parallel and requests_sent == read.requests == len(api.bodies) - sequential[2]
    assert_each_slice_within_its_share(read, events)
    assert no_slice_threads()


@pytest.mark.parametrize("sort", ["-timestamp", "timestamp"])
@pytest.mark.parametrize("parallel", [2, 4, 8])
def test_events_sharing_the_millisecond_of_a_slice_edge_are_all_read_whatever_datadog_does_inside_it(sort, parallel):
    """Regression (issue 20): the events of a millisecond on a slice edge, at different instants inside it.

    A store that keeps finer times than the millisecond it shows answers ``to=<ms>`` with the events up to ``<ms>.000``
    only. A newest-first slice searched up to its own edge then missed the later events of that millisecond, which the
    slice before it (stopping at its own end) did not read either: 3 of the 4 events of each inner edge were lost,
    silently. Every event must be read, once, in the sequential order."""
    times, microseconds = spread(400, FIRST, LAST), [0] * 400
    for sort_sign in (1, -1):
        low, high = sorted((sort_sign * FIRST, sort_sign * LAST))
        for piece_low, _piece_high in cut_keys(low, high, parallel)[1:]:
            times.extend([sort_sign * piece_low] * 4)
            microseconds.extend([0, 250, 500, 750])
    api = TimedAuditAPI(times, microseconds=microseconds)
    (events, warnings, _requests), sequential, _client = run_parallel(
        api, parallel, time_from=str(FIRST), time_to=str(LAST), sort=sort, limit=0, page_size=50)
    assert ids(sequential[0]) == api.ids(FIRST, LAST, sort) and len(sequential[0]) == len(times)
    assert ids(events) == ids(sequential[0])
    assert warnings == []


@pytest.mark.parametrize("sort", ["-timestamp", "timestamp"])
@pytest.mark.parametrize("limit", [1, 49, 50, 51, 120, 777, 1500, 1999, 2000, 2500])
def test_a_limit_returns_the_sequential_first_events_and_each_slice_sends_at_most_one_request_more(sort, limit, monkeypatch):
    recorder = Recorder(monkeypatch)
    api = TimedAuditAPI(edge_heavy_times(8, count_per_edge=10)[:2000])
    (events, _warnings, requests_sent), sequential, _client = run_parallel(
        api, 8, time_from=str(FIRST), time_to=str(LAST), sort=sort, limit=limit, page_size=50)
    assert ids(events) == ids(sequential[0]) == api.ids(FIRST, LAST, sort)[:limit]
    for read in recorder.reads:
        assert_each_slice_within_its_share(read, events)
    if recorder.reads:
        assert requests_sent == recorder.reads[0].requests
    assert no_slice_threads()


def test_a_limit_that_one_page_covers_is_one_request_as_in_a_sequential_read():
    api = TimedAuditAPI(spread(500, FIRST, LAST))
    (events, _warnings, requests_sent), sequential, _client = run_parallel(
        api, 8, time_from=str(FIRST), time_to=str(LAST), limit=20, page_size=50)
    assert ids(events) == ids(sequential[0]) and requests_sent == sequential[2] == 1


def test_a_burst_is_split_among_the_workers(monkeypatch):
    recorder = Recorder(monkeypatch)
    burst_start = FIRST + 3 * DAY_MS
    times = spread(400, FIRST, LAST) + spread(4000, burst_start, burst_start + 3600000, seed=2)
    api = TimedAuditAPI(times, latency=0.02)
    (events, _warnings, _requests), sequential, _client = run_parallel(api, 4, time_from=str(FIRST), time_to=str(LAST), limit=0,
                                                                       page_size=100)
    assert ids(events) == ids(sequential[0])
    read = recorder.reads[0]
    in_burst = [piece for piece in read.slices if piece.events >= 100]
    assert len(in_burst) >= 4  # not one slice reading the 40 pages of the burst alone
    assert max(piece.events for piece in read.slices) < 2000
    assert_each_slice_within_its_share(read, events)


@pytest.mark.parametrize("values", [
    {"time_from": "now-10d", "time_to": "now"},
    {"time_from": "2026-01-22T12:00:00.5Z", "time_to": "2026-02-01T12:00:00.500Z"},
    {"time_from": "now-10d", "time_to": "now", "timezone": "Europe/Paris"},
])
def test_every_slice_searches_instants_resolved_once(values):
    api = TimedAuditAPI(spread(600, FIRST, LAST) + [FIRST, LAST])
    (events, _warnings, _requests), sequential, _client = run_parallel(api, 4, limit=0, page_size=100, **values)
    assert ids(events) == ids(sequential[0])
    parallel_bodies = api.bodies[sequential[2]:]
    ends = set(body["filter"]["from"] for body in parallel_bodies) | set(body["filter"]["to"] for body in parallel_bodies)
    outer = (values["time_from"], values["time_to"]) if values["time_from"][0] == "2" else (str(FIRST), str(LAST))
    assert set(outer) <= ends
    assert all(end in outer or end.isdigit() for end in ends)  # inner edges: epoch milliseconds
    if "timezone" in values:
        assert all(body["options"] == {"timezone": "Europe/Paris"} for body in parallel_bodies)


@pytest.mark.parametrize("values, reason", [
    ({"time_from": "2026-01-25T00:00:00", "time_to": "now", "timezone": "Europe/Paris"}, "in the timezone option (Europe/Paris)"),
    ({"time_from": "now-10d", "time_to": "now", "time_offset": 3600}, "Datadog applies time_offset to the times itself"),
])
def test_a_range_datadog_places_in_a_timezone_is_read_sequentially_with_a_warning(values, reason):
    api = TimedAuditAPI(spread(300, FIRST, LAST))
    (events, warnings, requests_sent), sequential, _client = run_parallel(api, 8, limit=0, page_size=100, **values)
    assert ids(events) == ids(sequential[0]) and requests_sent == sequential[2]
    assert len(warnings) == 1 and warnings[0].startswith("parallel=8 was not used and the search was read sequentially: ")
    assert reason in warnings[0]
    assert api.bodies[sequential[2]:] == api.bodies[:sequential[2]]  # exactly the sequential requests


def test_several_queries_are_each_read_in_parallel_and_concatenated_in_order():
    api = TimedAuditAPI(spread(700, FIRST, LAST))
    read_settings = settings(time_from=str(FIRST), time_to=str(LAST), limit=0, page_size=100)
    client = make_client(api)
    events, _warnings, requests_sent = search_all_parallel(client, ["first", "second"], read_settings, 4, lambda: make_client(api),
                                                           now=NOW, shared_factory=fake_shared)
    assert ids(events) == api.ids(FIRST, LAST, "-timestamp") * 2
    assert requests_sent == len(api.bodies)
    assert [body["filter"]["query"] for body in api.bodies].index("second") >= requests_sent // 2 - 4


def test_the_pages_come_in_output_order_and_closing_early_leaves_no_thread():
    api = TimedAuditAPI(spread(1000, FIRST, LAST))
    read_settings = settings(time_from=str(FIRST), time_to=str(LAST), limit=0, page_size=50, sort="timestamp")
    clients = [make_client(api) for _number in range(4)]
    shared = fake_shared()
    read = ParallelRead("*", read_settings, resolve_range(read_settings, NOW)[0], len(clients), shared)
    pages = read_pages(read, clients)
    first = next(pages)
    assert ids(first) == api.ids(FIRST, LAST, "timestamp")[:len(first)]
    pages.close()
    assert no_slice_threads() and shared.cancelled


def test_the_workers_send_at_the_same_time_each_with_its_own_client():
    api = TimedAuditAPI(spread(1000, FIRST, LAST), rendezvous=4)  # passes only with 4 requests in flight at once
    (events, _warnings, _requests), sequential, _client = run_parallel(api, 4, time_from=str(FIRST), time_to=str(LAST), limit=0,
                                                                       page_size=50)
    assert ids(events) == ids(sequential[0])
    assert api.threads >= {"ddops-audit-slice-1", "ddops-audit-slice-2", "ddops-audit-slice-3", "ddops-audit-slice-4"}


# -- rate limits, retries, failures --------------------------------------------------------------------------------

def test_a_429_seen_by_one_client_holds_back_the_next_request_of_every_client():
    fake = FakeTime()
    shared = SharedRateLimit(clock=fake.clock, pause=fake.pause)
    answers = iter([(429, {"X-RateLimit-Reset": "7"}, b"")])

    def fault(_body, _number):
        return next(answers, None)
    api = TimedAuditAPI(spread(10, FIRST, LAST), fault=fault)
    first, second = make_client(api), make_client(api)
    for client in (first, second):
        client.share_rate_limit(shared)
    body = {"filter": {"query": "*", "from": str(FIRST), "to": str(LAST)}, "sort": "timestamp", "page": {"limit": 5}}
    assert len(first.request("POST", SEARCH_PATH, body=body, idempotent=True).data) == 5  # 429, waited 7 s, again
    started = fake.clock()
    fake.now = started - 7  # as if the second client had been about to send while the first one was told to wait
    assert len(second.request("POST", SEARCH_PATH, body=body, idempotent=True).data) == 5
    assert shared.holds == 1
    assert [seconds for _thread, seconds in fake.pauses] == [7.0, 7.0]  # the first client's own wait, then the second's
    assert first.stats.retry_count == 1 and second.stats.retry_count == 0


def test_429s_during_a_parallel_read_are_shared_and_the_result_is_complete(monkeypatch):
    recorder = Recorder(monkeypatch)
    lock = threading.Lock()
    refused = []

    def fault(_body, number):
        with lock:
            if number % 5 == 0 and len(refused) < 6:
                refused.append(number)
                return 429, {"X-RateLimit-Reset": "2"}, b""
        return None
    api = TimedAuditAPI(spread(1500, FIRST, LAST), fault=fault)
    shared = []

    def factory():
        shared.append(fake_shared())
        return shared[-1]
    client = make_client(api, retries=5)
    events, _warnings, _requests = search_all_parallel(
        client, ["*"], settings(time_from=str(FIRST), time_to=str(LAST), limit=0, page_size=100), 4,
        lambda: make_client(api, retries=5), now=NOW, shared_factory=factory)
    assert ids(events) == api.ids(FIRST, LAST, "-timestamp")
    assert len(refused) >= 3 and shared[0].holds == len(refused) == client.stats.as_result()["retries"]["HTTP 429"]
    assert_each_slice_within_its_share(recorder.reads[0], events)


def test_a_failing_slice_fails_the_read_with_its_message_and_leaves_no_thread():
    failing_from = []

    def fault(body, _number):
        # Newest first, so a slice's search runs from the range's start to the slice's own newest end ("to").
        if body["page"].get("cursor") and body["filter"]["to"] != str(LAST):
            if not failing_from:
                failing_from.append(body["filter"]["to"])
            if body["filter"]["to"] == failing_from[0]:
                return 400, {}, {"errors": ["Bad Request"]}
        return None
    api = TimedAuditAPI(spread(1000, FIRST, LAST), fault=fault)
    client = make_client(api)
    with pytest.raises(TaskFailure) as error:
        search_all_parallel(client, ["*"], settings(time_from=str(FIRST), time_to=str(LAST), limit=0, page_size=50), 4,
                            lambda: make_client(api), now=NOW, shared_factory=fake_shared)
    message = str(error.value)
    assert message.startswith("Failed to search audit events for query '*' (time slice ")
    assert "page 2): HTTP 400: Bad Request (POST /api/v2/audit/events/search)" in message
    assert format_ms(int(failing_from[0]) - 1) in message  # the slice searched one millisecond past its own end
    assert API_KEY not in message and APP_KEY not in message
    assert no_slice_threads()


def test_a_failure_ends_the_long_wait_of_another_slice_at_once():
    """One slice waits out a 429 of 600 s while another fails: the read fails without waiting for it.

    Newest first: every slice searches from the range's start to its own newest end, the first slice's is the range's."""
    second_seen = threading.Event()

    def fault(body, _number):
        if body["filter"]["to"] == str(LAST):  # newest first: the first slice
            second_seen.wait(30)
            return 429, {"X-RateLimit-Reset": "600"}, b""
        second_seen.set()
        return 400, {}, {"errors": ["Bad Request"]}
    api = TimedAuditAPI(spread(100, FIRST, LAST), fault=fault)
    outcome = {}

    def read():
        try:
            search_all_parallel(make_client(api, retry_max_wait=600), ["*"],
                                settings(time_from=str(FIRST), time_to=str(LAST), limit=0), 2,
                                lambda: make_client(api, retry_max_wait=600), now=NOW)  # the real SharedRateLimit
        except TaskFailure as exc:
            outcome["error"] = str(exc)
    thread = threading.Thread(target=read)
    thread.start()
    thread.join(120)  # only guards against a hang; nothing is timed
    assert not thread.is_alive(), "the 600 s wait was not cut short"
    assert "HTTP 400" in outcome["error"] and no_slice_threads()


def test_a_cancelled_shared_wait_raises_and_a_cancelled_client_sends_nothing():
    shared = SharedRateLimit()
    shared.hold(600)
    shared.cancel()
    with pytest.raises(RequestCancelled):
        shared.wait()
    with pytest.raises(RequestCancelled):
        shared.sleep(600)
    api = TimedAuditAPI([FIRST])
    client = make_client(api)
    client.share_rate_limit(shared)
    with pytest.raises(RequestCancelled):
        client.request("POST", SEARCH_PATH, body={}, idempotent=True)
    assert api.bodies == []
    client.share_rate_limit(None)
    body = {"filter": {"query": "*", "from": str(FIRST), "to": str(LAST)}, "sort": "timestamp", "page": {"limit": 5}}
    assert len(client.request("POST", SEARCH_PATH, body=body, idempotent=True).data) == 1


def test_the_workers_statistics_are_added_to_the_first_client():
    answers = iter([(503, {}, {"errors": ["Service Unavailable"]})] * 3)
    lock = threading.Lock()

    def fault(_body, number):
        with lock:
            return next(answers, None) if number > 2 else None
    api = TimedAuditAPI(spread(800, FIRST, LAST), fault=fault)
    client = make_client(api, retry_backoff=0)
    events, _warnings, requests_sent = search_all_parallel(
        client, ["*"], settings(time_from=str(FIRST), time_to=str(LAST), limit=0, page_size=100), 4,
        lambda: make_client(api, retry_backoff=0), now=NOW, shared_factory=fake_shared)
    assert ids(events) == api.ids(FIRST, LAST, "-timestamp")
    assert client.stats.as_result()["retries"] == {"total": 3, "HTTP 503": 3}
    assert client.stats.request_count == requests_sent + 3 == len(api.bodies)
    assert client.rate_limit is None  # back to a client of its own


@pytest.mark.parametrize("page, what", [
    ([{"id": "x", "attributes": {"timestamp": "soon"}}], "an event without a readable attributes.timestamp ('soon')"),
    ([{"id": "x", "attributes": {"timestamp": format_ms(FIRST - DAY_MS)}}], "before the time range asked for"),
])
def test_an_answer_that_breaks_the_slicing_fails_the_read_rather_than_return_something_else(page, what):
    def fault(body, _number):
        # Oldest first: every slice searches from its own start to the range's end; all but the first start inside.
        if body["filter"]["from"] != str(FIRST):
            return 200, {}, {"data": page, "meta": {"page": {"after": "c"}}}
        return None
    api = TimedAuditAPI(spread(100, FIRST, LAST), fault=fault)
    with pytest.raises(TaskFailure) as error:
        search_all_parallel(make_client(api), ["*"], settings(time_from=str(FIRST), time_to=str(LAST), limit=0, sort="timestamp"), 4,
                            lambda: make_client(api), now=NOW, shared_factory=fake_shared)
    assert what in str(error.value) and "read with parallel=1" in str(error.value)
    assert no_slice_threads()


def test_a_timeout_status_of_any_slice_becomes_one_warning():
    api = TimedAuditAPI(spread(300, FIRST, LAST))
    original = api.send

    def send(request, **kwargs):
        response = original(request, **kwargs)
        body = json.loads(response.raw.getvalue() or b"{}")
        if body.get("data") and json.loads(request.body)["filter"]["to"] != str(LAST):  # all slices but the newest
            body["meta"]["status"] = "timeout"
            response.raw = io.BytesIO(json.dumps(body).encode())
        return response
    api.send = send
    (events, warnings, requests_sent), _sequential, _client = run_parallel(api, 4, time_from=str(FIRST), time_to=str(LAST), limit=0)
    assert len(events) == 300
    assert len(warnings) == 1 and warnings[0].startswith("Datadog's audit search for query '*' timed out (meta.status: timeout) on pages ")
    assert warnings[0].endswith("of %d: the results are partial. Narrow the time range (from/to) or the query." % requests_sent)


def test_meta_warnings_of_any_slice_are_scrubbed_of_every_known_secret():
    api = TimedAuditAPI(spread(300, FIRST, LAST))
    original = api.send

    def send(request, **kwargs):
        response = original(request, **kwargs)
        body = json.loads(response.raw.getvalue() or b"{}")
        if body.get("data"):
            body["meta"]["warnings"] = [{"code": "echo", "title": "key %s" % API_KEY, "detail": "app key\n%s" % APP_KEY}]
            response.raw = io.BytesIO(json.dumps(body).encode())
        return response
    api.send = send
    (_events, warnings, _requests), _sequential, _client = run_parallel(api, 4, time_from=str(FIRST), time_to=str(LAST), limit=0)
    assert warnings == ["Datadog warned about the audit search for query '*' (results may be partial): echo: key ********: "
                        "app key ********"]


# -- a cursor that does not advance -------------------------------------------------------------------------------------

class FreshCursors(TimedAuditAPI):
    """Ignores every cursor (answers the first page of the search again) and sends a new cursor every time."""

    def __init__(self, times):
        super().__init__(times)
        self.fresh = 0

    def send(self, request, **kwargs):
        body = json.loads(request.body)
        body["page"].pop("cursor", None)
        request.body = json.dumps(body)
        response = super().send(request, **kwargs)
        answer = json.loads(response.raw.getvalue())
        with self.lock:
            self.fresh += 1
            if answer.get("data"):
                answer["meta"]["page"] = {"after": "fresh-%d" % self.fresh}
        response.raw = io.BytesIO(json.dumps(answer).encode())
        return response


@pytest.mark.parametrize("limit", [0, 2500])
def test_a_slice_answered_its_first_page_again_fails_the_read_and_leaves_no_thread(limit):
    api = FreshCursors(spread(3000, FIRST, LAST))
    with pytest.raises(TaskFailure) as error:
        search_all_parallel(make_client(api), ["*"], settings(time_from=str(FIRST), time_to=str(LAST), limit=limit, page_size=100),
                            4, lambda: make_client(api), now=NOW, shared_factory=fake_shared)
    message = str(error.value)
    assert message.startswith("Datadog answered the audit search for query '*' (time slice ")
    assert "with events it had already returned on an earlier page, so its cursor (meta.page.after) did not advance" in message
    # Each slice's second request repeats its first page: at most two requests per slice (and carved chunks) before the
    # failure stops every worker.
    assert len(api.bodies) <= 2 * MAX_PARALLEL
    assert no_slice_threads()
