# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit stream behind the event source: windows, exactly-once delivery, late events, failed polls, validation.

Everything runs against a simulated Datadog with a simulated clock, so hours of polling take milliseconds.
"""

from __future__ import annotations

import json
import os
import random

from datetime import datetime, timezone

import pytest

from hypothesis import given, settings as hypothesis_settings, strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._api import ApiResponse, DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._audit import SEARCH_PATH, event_time_ms
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._audit_stream import (
    AuditStream,
    event_key,
    read_checkpoint,
    validate_stream,
    write_checkpoint,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.audit_model import examples

NOW_MS = 1769860800000  # 2026-01-31T12:00:00Z


def iso(epoch_ms):
    moment = datetime.fromtimestamp(epoch_ms / 1000.0, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (epoch_ms % 1000)


class Clock(object):
    def __init__(self, now_ms=NOW_MS):
        self.now_ms = now_ms

    def __call__(self):
        return self.now_ms / 1000.0

    def advance(self, seconds):
        self.now_ms += int(seconds * 1000)


class SimulatedDatadog(object):
    """A client whose ``request`` answers the audit search from events that become visible at their own moment."""

    options = ClientOptions("simulated-api-key", "simulated-app-key", "https://api.datadoghq.com")

    def __init__(self, clock):
        self.clock = clock
        self.events = []  # (timestamp_ms, visible_ms, sequence, event)
        self.bodies = []
        self.failures = []  # statuses to answer instead, one per request, consumed first

    def add(self, timestamp_ms, visible_ms=None, event_id=None):
        sequence = len(self.events)
        event = {"id": event_id or "evt-%05d" % sequence, "type": "audit",
                 "attributes": {"timestamp": iso(timestamp_ms), "message": "event %d" % sequence, "attributes": {}}}
        self.events.append((timestamp_ms, timestamp_ms if visible_ms is None else visible_ms, sequence, event))
        return event

    @staticmethod
    def scrub(text):
        return text

    def request(self, method, path, body=None, expected=(200,), idempotent=None, params=None):
        assert (method, path, idempotent) == ("POST", SEARCH_PATH, True)
        self.bodies.append(body)
        if self.failures:
            status = self.failures.pop(0)
            raise DatadogAPIError("scripted failure", status=status, method=method, path=path)
        start = int(body["filter"]["from"])
        assert body["filter"]["to"] == "now" and body["sort"] == "timestamp"
        now = self.clock.now_ms
        matches = sorted((entry for entry in self.events if entry[1] <= now and start <= entry[0] <= now),
                         key=lambda entry: (entry[0], entry[2]))
        offset = int(body["page"].get("cursor", 0))
        page = [entry[3] for entry in matches[offset:offset + body["page"]["limit"]]]
        meta = {"status": "done"}
        if page:
            meta["page"] = {"after": str(offset + len(page))}
        return ApiResponse(200, {}, {"data": page, "meta": meta}, method, path)


def make_stream(clock, **values):
    values.setdefault("now_ms", clock.now_ms)
    return AuditStream(validate_stream(**values), clock=clock)


def ids(events):
    return [event["id"] for event in events]


def test_each_event_is_delivered_once_oldest_first_and_events_before_start_never():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    datadog.add(NOW_MS - 5000)  # before start=now
    stream = make_stream(clock)
    assert stream.poll(datadog).events == []
    clock.advance(1)
    second = datadog.add(clock.now_ms - 200)
    first = datadog.add(clock.now_ms - 500)
    assert ids(stream.poll(datadog).events) == [first["id"], second["id"]]
    clock.advance(30)
    third = datadog.add(clock.now_ms)
    assert ids(stream.poll(datadog).events) == [third["id"]]  # the overlap rereads first and second: not delivered again
    assert stream.poll(datadog).events == []


def test_the_window_starts_overlap_before_the_previous_poll_and_never_before_start():
    clock = Clock()
    stream = make_stream(clock, overlap=60, start="now-10s")
    datadog = SimulatedDatadog(clock)
    stream.poll(datadog)
    assert datadog.bodies[-1]["filter"]["from"] == str(NOW_MS - 10000)
    clock.advance(30)
    stream.poll(datadog)
    assert datadog.bodies[-1]["filter"]["from"] == str(NOW_MS - 10000)  # the previous poll minus 60 s is before start
    clock.advance(300)
    stream.poll(datadog)
    clock.advance(10)
    stream.poll(datadog)
    assert datadog.bodies[-1]["filter"]["from"] == str(NOW_MS + 330000 - 60000)
    assert datadog.bodies[-1]["page"] == {"limit": 1000}


def test_a_late_indexed_event_within_the_overlap_is_delivered_and_one_later_than_that_is_not():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = make_stream(clock, overlap=60)
    stream.poll(datadog)
    clock.advance(10)
    within = datadog.add(clock.now_ms - 1000, visible_ms=clock.now_ms + 45000)
    beyond = datadog.add(clock.now_ms - 1000, visible_ms=clock.now_ms + 120000)
    delivered = []
    for _poll in range(20):
        delivered += ids(stream.poll(datadog).events)
        clock.advance(10)
    assert delivered == [within["id"]] and beyond["id"] not in delivered


@pytest.mark.parametrize("seed", range(5))
def test_random_traffic_with_indexing_delays_up_to_the_overlap_is_delivered_exactly_once(seed):
    rng = random.Random(seed)
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = make_stream(clock, overlap=30, interval=5, page_size=7, start="now-1m")
    added = []
    delivered = []
    for _step in range(300):
        for _event in range(rng.randrange(4)):
            timestamp_ms = clock.now_ms - rng.randrange(2000)
            added.append(datadog.add(timestamp_ms, visible_ms=timestamp_ms + rng.randrange(25000))["id"])
        if rng.random() < 0.2:
            datadog.failures.append(rng.choice((429, 500, 503)))
        try:
            delivered += ids(stream.poll(datadog).events)
        except TaskFailure:
            pass  # a failed poll changes nothing: the next one reads the same range
        clock.advance(rng.uniform(0.5, 8))
    for _drain in range(10):
        delivered += ids(stream.poll(datadog).events)
        clock.advance(5)
    assert len(delivered) == len(set(delivered))
    assert sorted(delivered) == sorted(added)
    assert len(stream.remembered) < len(added) / 4  # IDs older than the window are forgotten


def test_a_failed_poll_changes_nothing_so_the_next_one_reads_the_same_range():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = make_stream(clock, overlap=0)
    stream.poll(datadog)
    clock.advance(5)
    event = datadog.add(clock.now_ms - 100)
    datadog.failures.append(503)
    with pytest.raises(TaskFailure, match="HTTP 503"):
        stream.poll(datadog)
    clock.advance(600)
    assert ids(stream.poll(datadog).events) == [event["id"]]
    assert datadog.bodies[-1]["filter"]["from"] == datadog.bodies[-2]["filter"]["from"]


def test_the_remembered_ids_are_capped_with_a_warning():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = AuditStream(validate_stream(now_ms=NOW_MS, page_size=1000), clock=clock, max_remembered=10)
    for number in range(15):
        datadog.add(NOW_MS + number)
    clock.advance(1)
    result = stream.poll(datadog)
    assert len(result.events) == 15 and len(stream.remembered) == 10
    assert any("the 5 oldest were forgotten" in warning for warning in result.warnings)


def test_requests_per_poll_one_when_idle_pages_plus_one_when_the_window_has_events():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = make_stream(clock, page_size=2)
    assert stream.poll(datadog).requests == 1
    for number in range(5):
        datadog.add(NOW_MS + number)
    clock.advance(1)
    assert stream.poll(datadog).requests == 4  # pages of 2, 2, 1, then the empty page after the cursor


def test_event_time_and_key():
    assert event_time_ms({"attributes": {"timestamp": "2026-01-31T12:00:00.250Z"}}) == NOW_MS + 250
    assert event_time_ms({"attributes": {"timestamp": "2026-01-31T13:00:00+01:00"}}) == NOW_MS
    assert event_time_ms({"attributes": {"timestamp": NOW_MS}}) == NOW_MS
    for broken in ({}, {"attributes": None}, {"attributes": {"timestamp": "yesterday"}}, {"attributes": {"timestamp": True}}, "x"):
        assert event_time_ms(broken) is None
    assert event_key({"id": "abc"}) == "abc"
    assert event_key({"message": "no id"}) == event_key({"message": "no id"}) != event_key({"message": "other"})


def test_events_without_a_timestamp_are_remembered_for_one_window():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = make_stream(clock, overlap=10)
    new, dummy = stream.accept([{"id": "no-time"}], clock.now_ms)
    assert ids(new) == ["no-time"]
    assert stream.accept([{"id": "no-time"}], clock.now_ms + 5000)[0] == []
    assert "no-time" in stream.remembered
    stream.poll(datadog)
    clock.advance(60)
    stream.poll(datadog)
    assert "no-time" not in stream.remembered


def test_defaults():
    settings = validate_stream(now_ms=NOW_MS)
    assert (settings.query, settings.interval, settings.start, settings.start_ms, settings.page_size, settings.overlap) == \
        ("*", 30.0, "now", NOW_MS, 1000, 60.0)
    assert validate_stream(query="  ", interval="2.5", overlap="0", page_size="10", now_ms=NOW_MS).query == "*"
    assert validate_stream(start="2026-01-31T11:00:00Z", now_ms=NOW_MS).start_ms == NOW_MS - 3600000
    assert validate_stream(start="now-1h", now_ms=NOW_MS).start_ms == NOW_MS - 3600000
    assert validate_stream(start=str(NOW_MS - 1000), now_ms=NOW_MS).start_ms == NOW_MS - 1000
    assert "StreamSettings(query='*'" in repr(settings)


@pytest.mark.parametrize("values, words", [
    ({"interval": 0}, "interval must be a number of seconds greater than 0, got 0"),
    ({"interval": -1}, "interval must be a number of seconds greater than 0"),
    ({"interval": "soon"}, "interval must be a number of seconds greater than 0, got 'soon'"),
    ({"interval": True}, "interval must be a number of seconds"),
    ({"interval": float("nan")}, "interval must be a number of seconds"),
    ({"overlap": -5}, "overlap must be a number of seconds of at least 0"),
    ({"overlap": [60]}, "overlap must be a number of seconds"),
    ({"page_size": 0}, "page_size must be an integer from 1 to 1000, got 0"),
    ({"page_size": 1001}, "page_size must be an integer from 1 to 1000"),
    ({"page_size": "many"}, "page_size must be an integer from 1 to 1000"),
    ({"start": "yesterday"}, "start must be date math such as now"),
    ({"start": "now+1h"}, "start (now+1h) is in the future"),
    ({"start": 1700000}, "start=1700000 is before 1973"),
    ({"query": 42}, "query must be an Audit Trail search query string"),
])
def test_bad_values_are_refused_naming_the_option(values, words):
    with pytest.raises(InputError) as caught:
        validate_stream(now_ms=NOW_MS, **values)
    assert words in str(caught.value)


# -- events sharing a millisecond, late ones, restarts from a checkpoint (generated) ----------------------------------

def restarted(stream, clock, **values):
    """A new stream as a source started again with the checkpoint ``stream`` would have written (through JSON)."""
    state = json.loads(json.dumps(stream.checkpoint()))
    values.setdefault("now_ms", clock.now_ms)
    return AuditStream(validate_stream(**values), clock=clock, resume=state)


STEPS = st.lists(st.tuples(st.sampled_from(["add", "add", "poll", "poll", "stop mid-poll", "restart"]),
                           st.integers(min_value=0, max_value=3000), st.integers(min_value=1, max_value=6),
                           st.sampled_from(["last delivered millisecond", "now", "a little earlier", "late"]),
                           st.integers(min_value=0, max_value=10 ** 6)),
                 min_size=1, max_size=25)


@hypothesis_settings(max_examples=examples(150))
@given(steps=STEPS, overlap_s=st.sampled_from([1, 5, 60]))
def test_events_sharing_the_millisecond_of_the_last_delivered_one_some_indexed_late_are_delivered_once(steps, overlap_s):
    """However polls, additions and restarts (from the checkpoint, also in the middle of a poll's events) follow each
    other: every event is delivered exactly once, as long as Datadog indexes it within ``overlap`` of its timestamp."""
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    values = {"overlap": overlap_s, "start": "now-10m"}
    again = {"overlap": overlap_s, "start": "now"}  # a source started again: start is now, the checkpoint wins
    stream = make_stream(clock, **values)
    overlap_ms = overlap_s * 1000
    delivered, added = [], []
    last_ms = None
    for action, advance_ms, count, place, pick in steps:
        clock.now_ms += advance_ms
        now = clock.now_ms
        if action == "add":
            for number in range(count):
                if place == "last delivered millisecond" and last_ms is not None and now - last_ms <= overlap_ms:
                    timestamp, visible = last_ms, now
                elif place == "late":  # searchable only later, within the overlap of its timestamp
                    timestamp = now - (pick + number) % (overlap_ms // 2 + 1)
                    visible = timestamp + overlap_ms - (pick % (overlap_ms // 4 + 1))
                elif place == "a little earlier":
                    timestamp, visible = now - (pick + number) % (overlap_ms + 1), now
                else:
                    timestamp, visible = now, now
                added.append(datadog.add(timestamp, visible_ms=visible)["id"])
        elif action == "poll":
            result = stream.poll(datadog)
            delivered += ids(result.events)
        elif action == "stop mid-poll":  # the source stops after handing on some of a poll's events
            result = stream.search(datadog)
            for event in result.events[:pick % (len(result.events) + 1)]:
                stream.delivered(event, result.started_ms)
                delivered.append(event["id"])
            stream = restarted(stream, clock, **again)
        else:
            stream = restarted(stream, clock, **again)
        if delivered:
            last_ms = datadog_time(datadog, delivered[-1])
    for _poll in range(3):  # later, everything is searchable: a few more polls deliver what is left
        clock.now_ms += overlap_ms + 1000
        delivered += ids(stream.poll(datadog).events)
    assert sorted(delivered) == sorted(added)
    assert len(set(delivered)) == len(delivered)


def datadog_time(datadog, event_id):
    return next(entry[0] for entry in datadog.events if entry[3]["id"] == event_id)


# -- checkpoints ---------------------------------------------------------------------------------------------------

def test_a_restarted_stream_goes_on_from_the_checkpoint_whatever_start_says():
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    stream = make_stream(clock, overlap=60)
    clock.advance(1)
    first = datadog.add(clock.now_ms)
    assert ids(stream.poll(datadog).events) == [first["id"]]
    clock.advance(3600)  # stopped for an hour; meanwhile:
    downtime = [datadog.add(clock.now_ms - 1800000), datadog.add(first_ms(first))]  # half an hour ago, and with the first
    resumed = restarted(stream, clock)  # start=now
    assert ids(resumed.poll(datadog).events) == [downtime[1]["id"], downtime[0]["id"]]
    clock.advance(1)
    assert resumed.poll(datadog).events == []
    assert datadog.bodies[-2]["filter"]["from"] == str(NOW_MS)  # where the window was when it stopped (start, here)


def first_ms(event):
    return int(datetime.strptime(event["attributes"]["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
               .replace(tzinfo=timezone.utc).timestamp() * 1000)


def test_the_checkpoint_holds_the_window_and_the_ids_delivered_in_it_and_never_a_key(tmp_path):
    clock = Clock()
    datadog = SimulatedDatadog(clock)
    settings = validate_stream(overlap=60, checkpoint=str(tmp_path / "where.json"), now_ms=clock.now_ms)
    stream = AuditStream(settings, clock=clock)
    clock.advance(1)
    event = datadog.add(clock.now_ms)
    stream.poll(datadog)
    write_checkpoint(settings.checkpoint, stream.checkpoint())
    text = (tmp_path / "where.json").read_text()
    assert json.loads(text) == {"format": 1, "query_sha256": stream.checkpoint()["query_sha256"],
                                "window_start_ms": NOW_MS, "delivered": [[event["id"], NOW_MS + 1000]]}
    for secret in (SimulatedDatadog.options.api_key, SimulatedDatadog.options.app_key):
        assert secret not in text
    assert os.stat(settings.checkpoint).st_mode & 0o077 == 0  # its owner's only
    assert os.listdir(str(tmp_path)) == ["where.json"]  # no temporary file left
    assert read_checkpoint(settings, now_ms=clock.now_ms) == (json.loads(text), None)


def test_a_checkpoint_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    path = str(tmp_path / "where.json")
    write_checkpoint(path, {"format": 1, "n": 1})

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(json, "dump", broken)
    with pytest.raises(OSError):
        write_checkpoint(path, {"format": 1, "n": 2})
    assert json.loads(open(path).read()) == {"format": 1, "n": 1} and os.listdir(str(tmp_path)) == ["where.json"]


@pytest.mark.parametrize("content, words", [
    (None, "no checkpoint at {path} yet; starting from start=now-1h"),
    (b"{not json", "the checkpoint {path} cannot be read (JSONDecodeError); starting from start=now-1h"),
    (b"\xff\xfe", "the checkpoint {path} cannot be read (UnicodeDecodeError)"),
    (b'{"format": 2}', "cannot be used (not a checkpoint of format 1)"),
    (b'{"format": 1, "query_sha256": "x", "window_start_ms": "yesterday", "delivered": []}', "window_start_ms is not epoch"),
    (b'{"format": 1, "query_sha256": "x", "window_start_ms": 99999999999999, "delivered": []}', "starts in the future"),
    (b'{"format": 1, "query_sha256": "x", "window_start_ms": 1, "delivered": [["a"]]}', "delivered is not a list of [id, epoch ms]"),
    (b'{"format": 1, "query_sha256": "x", "window_start_ms": 1, "delivered": []}', "was written for another query"),
])
def test_a_missing_or_unusable_checkpoint_falls_back_to_start_with_a_warning(tmp_path, content, words):
    path = tmp_path / "where.json"
    if content is not None:
        path.write_bytes(content)
    settings = validate_stream(start="now-1h", checkpoint=str(path), now_ms=NOW_MS)
    state, warning = read_checkpoint(settings, now_ms=NOW_MS)
    assert state is None and words.format(path=str(path)) in warning
    assert AuditStream(settings, resume=state).next_from_ms == NOW_MS - 3600000


def test_no_checkpoint_argument_reads_nothing():
    assert read_checkpoint(validate_stream(now_ms=NOW_MS)) == (None, None)
