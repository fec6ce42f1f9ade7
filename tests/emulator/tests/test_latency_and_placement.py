# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Answer latency (default and per route), requests answered side by side, and seeding placed in time (30 days,
a burst, exact milliseconds). Concurrency is shown by overlap (requests in flight at once, one answered while
another still waits), never by elapsed time."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests
from emulator_helpers import AUDIT_SEARCH, REGISTRATIONS, start_cli

from dd_emulator.server import Emulator

SEARCH_ROUTE = "POST " + AUDIT_SEARCH
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
END = 1_780_000_000_000  # a fixed end of the seeded span (2026-05-28), so the times are deterministic too
LONG = 60  # seconds: answers that must still be waiting when the test looks; stop() cuts the wait short


def _search(emulator, body, session=None):
    return (session or requests).post(emulator.url + AUDIT_SEARCH, json=body, headers=emulator.headers, timeout=LONG + 30)


def _all_events(emulator, time_from, time_to, sort="timestamp"):
    """Every event from ``time_from`` to ``time_to`` (epoch ms), all pages."""
    session = requests.Session()
    body = {"filter": {"query": "*", "from": str(time_from), "to": str(time_to)}, "sort": sort, "page": {"limit": 1000}}
    events = []
    while True:
        page = _search(emulator, body, session).json()
        if not page["data"]:
            return events
        events += page["data"]
        body["page"]["cursor"] = page["meta"]["page"]["after"]


def _epoch_ms(event):
    from datetime import datetime, timezone  # pylint: disable=import-outside-toplevel
    stamp = datetime.strptime(event["attributes"]["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(stamp.timestamp() * 1000 + 0.5)


def _wait_for(condition, what):
    """Poll until ``condition()`` (a generous deadline only guards against hanging: nothing is timed)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting for " + what
        time.sleep(0.01)


def _in_background(function, *args):
    outcome = {}
    done = threading.Event()

    def run():
        try:
            outcome["answer"] = function(*args)
        finally:
            done.set()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done, outcome


# -- latency -----------------------------------------------------------------------------------------------------

def test_several_slow_answers_wait_side_by_side():
    with Emulator(route_latency={SEARCH_ROUTE: LONG}) as emulator:
        emulator.seed_audit(10, seed=1, span="1h")
        body = {"filter": {"from": "now-2h"}, "page": {"limit": 5}}
        started = [_in_background(_search, emulator, body) for _number in range(4)]
        _wait_for(lambda: emulator.in_flight()["in_flight"] == 4, "4 searches in flight at once")
        assert not any(done.is_set() for _thread, done, _outcome in started)
        emulator.stop()  # ends the waits; each answer is then produced as usual
        for thread, _done, outcome in started:
            thread.join(30)
            assert outcome["answer"].status_code == 200 and len(outcome["answer"].json()["data"]) == 5
        assert emulator.state.in_flight_json() == {"in_flight": 0, "peak": 4}


def test_a_slow_route_does_not_hold_back_another_route():
    with Emulator(route_latency={SEARCH_ROUTE: LONG}) as emulator:
        thread, search_done, outcome = _in_background(_search, emulator, {"page": {"limit": 1}})
        _wait_for(lambda: emulator.in_flight()["in_flight"] == 1, "the search to be in flight")
        quick = requests.get(emulator.url + REGISTRATIONS, headers=emulator.headers, timeout=30)
        assert quick.status_code == 200
        assert not search_done.is_set()  # the registration list was answered while the search still waited
        assert emulator.in_flight() == {"in_flight": 1, "peak": 2}
        emulator.stop()
        thread.join(30)
        assert outcome["answer"].status_code == 200


def test_the_default_latency_applies_to_every_api_route_and_a_route_setting_overrides_it():
    with Emulator(latency=LONG, route_latency={SEARCH_ROUTE: 0}) as emulator:
        _thread, done, _outcome = _in_background(requests.get, emulator.url + REGISTRATIONS)
        _wait_for(lambda: emulator.in_flight()["in_flight"] == 1, "the registration list to wait")
        assert _search(emulator, {"page": {"limit": 1}}).status_code == 200  # its route has no latency
        assert not done.is_set()
        assert emulator.counts()["routes"] == {"GET " + REGISTRATIONS: 1, SEARCH_ROUTE: 1}


def test_control_requests_never_wait():
    with Emulator(latency=LONG) as emulator:
        for path in ("health", "counts", "latency", "in_flight", "faults"):
            assert requests.get(emulator.url + "/_emulator/" + path, timeout=30).status_code == 200
        assert emulator.in_flight() == {"in_flight": 0, "peak": 0}


def test_latency_over_the_control_api(dd_emulator):
    url = dd_emulator.url + "/_emulator/latency"
    assert requests.get(url, timeout=10).json() == {"default": 0.0, "routes": {}}
    answer = requests.post(url, json={"default": 0.15, "routes": {SEARCH_ROUTE: 0.3}}, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"default": 0.15, "routes": {SEARCH_ROUTE: 0.3}}
    assert requests.post(url, json={"default": 0}, timeout=10).json() == {"default": 0.0, "routes": {SEARCH_ROUTE: 0.3}}
    assert dd_emulator.latency(routes={}) == {"default": 0.0, "routes": {}}
    dd_emulator.latency(default=0.2)
    dd_emulator.reset(state=True)  # back to how the emulator started
    assert dd_emulator.latency() == {"default": 0.0, "routes": {}}


@pytest.mark.parametrize("body, message", [
    ({"default": -1}, "latency default must be a number of seconds from 0 to 600"),
    ({"default": "fast"}, "latency default must be a number of seconds"),
    ({"default": True}, "latency default must be a number of seconds"),
    ({"default": 601}, "from 0 to 600"),
    ({"routes": {"/api/v2/audit/events/search": 1}}, "must be a method and an /api/ route template"),
    ({"routes": {SEARCH_ROUTE: -0.5}}, "latency of POST /api/v2/audit/events/search must be a number"),
    ({"routes": [SEARCH_ROUTE]}, "routes must be an object"),
    ({"delay": 1}, "unknown latency member(s) delay"),
])
def test_bad_latency_settings_are_refused_and_change_nothing(dd_emulator, body, message):
    answer = requests.post(dd_emulator.url + "/_emulator/latency", json=body, timeout=10)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert dd_emulator.latency() == {"default": 0.0, "routes": {}}


def test_the_class_refuses_a_bad_start_latency():
    with pytest.raises(ValueError, match="latency must be a number of seconds"):
        Emulator(latency=-0.1)
    with pytest.raises(ValueError, match="route template"):
        Emulator(route_latency={"search": 1})


def test_a_counts_reset_restarts_the_peak_of_requests_in_flight(dd_emulator):
    threads = [_in_background(_search, dd_emulator, {"page": {"limit": 1}}) for _number in range(2)]
    for thread, _done, _outcome in threads:
        thread.join(30)
    assert dd_emulator.in_flight()["in_flight"] == 0 and 1 <= dd_emulator.in_flight()["peak"] <= 2
    dd_emulator.reset(counts=True)
    assert requests.get(dd_emulator.url + "/_emulator/in_flight", timeout=10).json() == {"in_flight": 0, "peak": 0}


def test_the_cli_takes_latencies_and_the_seeding_placement(tmp_path):
    process, url = start_cli(tmp_path, "--latency", "0.05", "--route-latency", "POST /api/v2/audit/events/search=0.25",
                             "--seed-audit", "2000", "--audit-seed", "4", "--audit-span", "30d", "--audit-burst", "0.8")
    try:
        assert requests.get(url + "/_emulator/latency", timeout=10).json() == {"default": 0.05, "routes": {SEARCH_ROUTE: 0.25}}
        assert len(requests.get(url + "/_emulator/state", timeout=10).json()["audit_events"]) == 2000
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert process.returncode == 0


@pytest.mark.parametrize("arguments, message", [
    (["--route-latency", "POST /api/v2/audit/events/search"], "--route-latency takes"),
    (["--latency", "-1"], "latency must be a number of seconds"),
    (["--seed-audit", "10", "--audit-burst", "2"], "burst must be a share from 0 to 1"),
])
def test_the_cli_refuses_bad_latencies_and_placements(arguments, message):
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    result = subprocess.run([sys.executable, "-m", "dd_emulator", "--port", "0", *arguments], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2 and message in result.stderr


# -- seeding placed in time ----------------------------------------------------------------------------------------

def test_100000_events_over_30_days_with_80_percent_in_one_hour_over_the_control_api(dd_emulator):
    answer = requests.post(dd_emulator.url + "/_emulator/audit/seed", timeout=300, json={
        "count": 100_000, "seed": 7, "span": "30d", "burst": 0.8, "burst_span": "1h", "end": END}).json()
    burst = answer.pop("burst")
    assert answer == {"seeded": 100_000, "total": 100_000}
    assert burst["events"] == 80_000 and burst["to"] - burst["from"] == HOUR_MS - 1
    assert END - 30 * DAY_MS < burst["from"] and burst["to"] <= END
    # Cheap looks at the shape (the exact counts are checked at 10,000 events below): a full page in the burst hour,
    # about 28 events (20,000 over 720 hours) in the hour after it.
    in_burst = _search(dd_emulator, {"filter": {"from": str(burst["from"]), "to": str(burst["to"])}, "page": {"limit": 1000}}).json()
    assert len(in_burst["data"]) == 1000 and in_burst["meta"]["page"]["after"]
    after = _all_events(dd_emulator, burst["to"] + 1, burst["to"] + HOUR_MS)
    assert len(after) < 100


def test_a_burst_puts_exactly_its_share_in_one_window_and_the_rest_over_the_span(dd_emulator):
    dd_emulator.seed_audit(10_000, seed=7, span="30d", burst=0.8, burst_span="1h", end=END)
    burst = dd_emulator.state.audit.last_burst
    assert burst["events"] == 8_000 and burst["to"] - burst["from"] == HOUR_MS - 1
    in_burst = _all_events(dd_emulator, burst["from"], burst["to"])
    # 8,000 placed in the hour, plus the few of the other 2,000 (spread over 30 days) that happen to fall in it.
    assert 8_000 <= len(in_burst) < 8_000 + 20
    assert all(burst["from"] <= _epoch_ms(event) <= burst["to"] for event in in_burst)
    assert len(_all_events(dd_emulator, END - 30 * DAY_MS + 1, END)) == 10_000
    assert _all_events(dd_emulator, 0, END - 30 * DAY_MS) == [] and _all_events(dd_emulator, END + 1, END + DAY_MS) == []


def test_even_seeding_over_30_days_has_no_burst_and_is_deterministic_with_an_end(dd_emulator):
    def seeded():
        dd_emulator.reset(audit=True)
        dd_emulator.seed_audit(2_000, seed=3, span="30d", end=END)
        return [(event["attributes"]["timestamp"], event["attributes"]["message"]) for event in _all_events(dd_emulator, 0, END)]

    first = seeded()
    assert first == seeded()
    hours = {}
    for stamp, _message in first:
        hours[stamp[:13]] = hours.get(stamp[:13], 0) + 1
    assert len(first) == 2_000 and max(hours.values()) < 30  # about 3 per hour; no hour holds a burst


def test_a_burst_moves_the_events_but_keeps_them(dd_emulator):
    def messages(**placement):
        dd_emulator.reset(audit=True)
        dd_emulator.seed_audit(300, seed=11, span="30d", end=END, **placement)
        return sorted(event["attributes"]["message"] for event in _all_events(dd_emulator, 0, END))

    assert messages() == messages(burst=0.8)
    assert dd_emulator.state.audit.last_burst["events"] == 240


def test_events_placed_on_exact_milliseconds(dd_emulator):
    edges = [END - 2000, END - 1000, END]
    dd_emulator.seed_audit(30, seed=2, timestamps=edges)
    for edge in edges:
        on_edge = _all_events(dd_emulator, edge, edge)
        assert len(on_edge) == 10 and {_epoch_ms(event) for event in on_edge} == {edge}
    newest_first = _all_events(dd_emulator, edges[0], edges[-1], sort="-timestamp")
    assert [event["id"] for event in newest_first] == [event["id"] for event in reversed(_all_events(dd_emulator, edges[0], edges[-1]))]


@pytest.mark.parametrize("body, message", [
    ({"count": 5, "burst": 1.5}, "burst must be a share from 0 to 1"),
    ({"count": 5, "burst": 0.5, "span": "1h", "burst_span": "2h"}, "must not be longer than span"),
    ({"count": 5, "timestamps": []}, "timestamps must be a non-empty list"),
    ({"count": 5, "timestamps": ["soon"]}, "each of timestamps must be epoch milliseconds"),
    ({"count": 5, "end": -1}, "end must be epoch milliseconds"),
])
def test_bad_placements_are_refused_and_seed_nothing(dd_emulator, body, message):
    answer = requests.post(dd_emulator.url + "/_emulator/audit/seed", json=body, timeout=10)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert len(dd_emulator.state.audit) == 0


def _seeded_order(event):
    """The place of an event in its seeding (the sequence number its ID holds after its millisecond)."""
    import base64  # pylint: disable=import-outside-toplevel
    raw = event["id"][len("AAAAA"):]
    return int.from_bytes(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))[8:], "big")


def test_events_placed_inside_a_millisecond_show_it_sort_by_their_full_time_and_are_left_out_by_to(dd_emulator):
    dd_emulator.seed_audit(4, seed=3, timestamps=[END - 1000 + 0.75, END - 1000, END - 1000 + 0.25, END - 999])
    oldest_first = _all_events(dd_emulator, END - 2000, END)
    assert [_epoch_ms(event) for event in oldest_first] == [END - 1000] * 3 + [END - 999]
    assert [_seeded_order(event) for event in oldest_first] == [1, 2, 0, 3]
    assert [_seeded_order(event) for event in _all_events(dd_emulator, END - 2000, END, sort="-timestamp")] == [3, 0, 2, 1]
    # from/to in whole milliseconds mean the instant .000: `to` leaves the later events of its millisecond out
    assert [_seeded_order(event) for event in _all_events(dd_emulator, END - 1000, END - 1000)] == [1]
    assert [_seeded_order(event) for event in _all_events(dd_emulator, END - 1000, END - 999)] == [1, 2, 0, 3]
