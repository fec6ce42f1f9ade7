# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Audit search: validation, request bodies, paging and limit arithmetic, warnings — against a scripted Datadog."""

from __future__ import annotations

import io
import json

from datetime import datetime, timezone

import pytest
import requests
from requests.adapters import BaseAdapter

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._audit import (
    SEARCH_PATH,
    SearchSettings,
    search_all,
    search_events,
    validate_queries,
    validate_search,
    validate_time,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import make_collector

API_KEY = "unit-api-key-5a9c1e7b3d2f"
APP_KEY = "unit-app-key-8e2d4c6a0b1f"
NOW = datetime(2026, 2, 1, 12, 0, 0, tzinfo=timezone.utc)


def make_events(count, prefix="evt"):
    return [{"id": "%s-%05d" % (prefix, number), "type": "audit",
             "attributes": {"timestamp": "2026-01-31T%02d:%02d:%02d.000Z" % (number // 3600 % 24, number // 60 % 60, number % 60),
                            "message": "event %d" % number, "attributes": {"evt": {"name": prefix}}}}
            for number in range(count)]


class AuditAPI(BaseAdapter):
    """A scripted ``POST /api/v2/audit/events/search`` that pages like Datadog (recorded behaviour).

    ``events`` maps a query to its events (``"*"`` is used for any other query). Each page is
    ``data[offset:offset + min(limit, max_page)]``; a non-empty page carries ``meta.page.after`` (also the page that
    finishes the results, unless ``cursor_on_last_page`` is false) and the request made with the cursor after the end
    answers ``{"data": []}`` without ``meta``. ``faults`` maps a request number (1-based) to a ``(status, headers,
    body)`` answer given instead; ``metas`` maps a request number to extra ``meta`` members.
    """

    def __init__(self, events=None, max_page=1000, cursor_on_last_page=True, faults=None, metas=None, cursor=None):
        super().__init__()
        self.events = events if isinstance(events, dict) else {"*": events or []}
        self.max_page = max_page
        self.cursor_on_last_page = cursor_on_last_page
        self.faults = dict(faults or {})
        self.metas = dict(metas or {})
        self.fixed_cursor = cursor
        self.bodies = []
        self.sent = []

    @property
    def limits(self):
        return [body["page"]["limit"] for body in self.bodies]

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append(request)
        number = len(self.sent)
        if number in self.faults:
            status, headers, body = self.faults[number]
            return self._response(request, status, headers, body)
        assert request.method == "POST" and request.path_url == SEARCH_PATH
        assert request.headers["DD-API-KEY"] == API_KEY and request.headers["DD-APPLICATION-KEY"] == APP_KEY
        body = json.loads(request.body)
        self.bodies.append(body)
        query = body["filter"]["query"]
        events = self.events.get(query, self.events.get("*", []))
        cursor = body["page"].get("cursor")
        if cursor and cursor == self.fixed_cursor:
            offset = sum(body["page"]["limit"] for body in self.bodies[:-1])
        else:
            offset = int(cursor.rsplit(":", 1)[1]) if cursor else 0
        if cursor and offset >= len(events):
            return self._response(request, 200, {}, {"data": []})
        page = events[offset:offset + min(body["page"]["limit"], self.max_page)]
        meta = {"elapsed": 3, "request_id": "req-%d" % number, "status": "done"}
        meta.update(self.metas.get(number, {}))
        end = offset + len(page)
        if page and (self.cursor_on_last_page or end < len(events)):
            meta["page"] = {"after": self.fixed_cursor or "%s:%d" % (query, end)}
        return self._response(request, 200, {"Content-Type": "application/json"},
                              {"data": page, "meta": meta, "links": {"next": "https://api.example.test/api/v2/audit/events"}})

    @staticmethod
    def _response(request, status, headers, body):
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers or {})
        response.raw = io.BytesIO(json.dumps(body).encode() if isinstance(body, (dict, list)) else (body or b""))
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        response.reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "")
        return response

    def close(self):
        pass


class Sleeps(list):
    """Records the waits instead of sleeping (truthy even before the first wait, unlike an empty list)."""

    def __call__(self, seconds):
        self.append(seconds)

    def __bool__(self):
        return True


def make_client(api, sleeps=None, **option_values):
    values = dict(api_key=API_KEY, app_key=APP_KEY, api_url="https://api.example.test")
    values.update(option_values)
    session = requests.Session()
    session.mount("https://", api)
    return DatadogClient(ClientOptions.from_values(**values), session=session, sleep=sleeps if sleeps is not None else Sleeps())


def settings(**values):
    values.setdefault("now", NOW)
    return validate_search(**values)


# -- paging and limit arithmetic ----------------------------------------------------------------------------

def test_limit_2500_at_page_size_1000_makes_exactly_three_requests_of_1000_1000_501():
    events = make_events(25000)
    api = AuditAPI(events)
    result = search_events(make_client(api), "*", settings(limit=2500, page_size=1000))
    assert api.limits == [1000, 1000, 501]  # one event more than the limit: it tells that more events match
    assert result.requests == 3
    assert result.events == events[:2500]
    assert result.cut_short


def test_limit_0_reads_every_event_once_in_order_and_stops_on_the_empty_page():
    events = make_events(2345)
    api = AuditAPI(events)
    result = search_events(make_client(api), "*", settings(limit=0, page_size=1000))
    assert result.events == events
    assert len(set(event["id"] for event in result.events)) == 2345
    # 1000 + 1000 + 345 (still with a cursor, as Datadog does), then the empty page that ends the results.
    assert api.limits == [1000, 1000, 1000, 1000]
    assert [body["page"].get("cursor") for body in api.bodies] == [None, "*:1000", "*:2000", "*:2345"]


def test_a_short_page_is_not_the_end():
    events = make_events(25)
    api = AuditAPI(events, max_page=7)  # the server answers fewer events than asked for
    result = search_events(make_client(api), "*", settings(limit=0, page_size=10))
    assert result.events == events
    assert api.limits == [10] * 5
    assert result.requests == 5


def test_default_limit_is_1000_and_fewer_matches_cost_one_empty_page_more():
    api = AuditAPI(make_events(300))
    result = search_events(make_client(api), "*", settings())
    assert len(result.events) == 300
    assert api.limits == [1000, 701]  # the second request only asks for what remains of the limit, and one more
    assert not result.cut_short


@pytest.mark.parametrize("matching, cut_short", [(2000, False), (2001, True)])
def test_a_limit_reached_with_a_full_page_asks_for_one_event_more_to_tell_whether_more_match(matching, cut_short):
    api = AuditAPI(make_events(matching))
    result = search_events(make_client(api), "*", settings(limit=2000, page_size=1000))
    assert len(result.events) == 2000
    assert api.limits == [1000, 1000, 1]
    assert result.cut_short is cut_short


@pytest.mark.parametrize("matching, limits, cut_short", [(50, [6], True), (6, [6], True), (5, [6, 1], False), (4, [6, 2], False)])
def test_a_limit_smaller_than_the_page_size_asks_for_the_limit_and_one_more_in_one_request(matching, limits, cut_short):
    api = AuditAPI(make_events(matching))
    result = search_events(make_client(api), "*", settings(limit=5))
    assert api.limits == limits  # fewer than asked for: the empty page after it tells the end, as without a limit
    assert len(result.events) == min(matching, 5) and result.cut_short is cut_short


def test_a_missing_cursor_ends_the_results_without_an_empty_page():
    api = AuditAPI(make_events(1500), cursor_on_last_page=False)
    result = search_events(make_client(api), "*", settings(limit=0))
    assert len(result.events) == 1500
    assert api.limits == [1000, 1000]


def test_no_match_is_one_request_and_an_empty_list():
    api = AuditAPI([])
    result = search_events(make_client(api), "@evt.name:Nothing", settings())
    assert result.events == [] and result.requests == 1 and result.warnings == []


def test_more_events_than_asked_for_are_cut_to_the_limit():
    class Generous(AuditAPI):
        def send(self, request, **kwargs):
            body = json.loads(request.body)
            body["page"]["limit"] = 1000  # answer a whole page whatever was asked
            request.body = json.dumps(body)
            return super().send(request, **kwargs)

    api = Generous(make_events(3000))
    result = search_events(make_client(api), "*", settings(limit=1500))
    assert len(result.events) == 1500


def test_a_repeated_cursor_stops_paging_with_a_warning():
    api = AuditAPI(make_events(5000), cursor="same-cursor")
    result = search_events(make_client(api), "*", settings(limit=0))
    assert result.requests == 2
    assert len(result.events) == 2000
    assert "cursor it had already sent" in result.warnings[0]


def test_several_queries_are_concatenated_in_order_with_the_limit_per_query():
    first, second = make_events(30, "first"), make_events(20, "second")
    api = AuditAPI({"@evt.name:first": first, "@evt.name:second": second})
    events, warnings, count = search_all(make_client(api), ["@evt.name:second", "@evt.name:first"], settings(limit=25, page_size=10))
    assert events == second + first[:25]
    # second: 10, 10, then 6 asked → empty page (20 < 25); first: 10, 10, 6 (the 26th tells that more match).
    assert api.limits == [10, 10, 6, 10, 10, 6]
    assert count == 6
    assert warnings == ["limit=25 cut the read short: more events match the query '@evt.name:first' than the 25 returned. "
                        "Set a larger limit, or limit=0 to read every matching event"]


def test_one_warning_names_the_limit_and_every_query_it_cut_short():
    api = AuditAPI({"a": make_events(30, "a"), "b": make_events(3, "b"), "c": make_events(11, "c")})
    events, warnings, _count = search_all(make_client(api), ["a", "b", "c"], settings(limit=10, page_size=100))
    assert len(events) == 23
    assert warnings == ["limit=10 cut the read short: more events match the queries 'a', 'c' than the 10 returned for "
                        "each. Set a larger limit, or limit=0 to read every matching event"]


# -- collectors: what becomes of the pages ------------------------------------------------------------------

class Pages(object):
    """A collector that records the pages it is fed."""

    def __init__(self):
        self.pages = []

    def add(self, events):
        self.pages.append(list(events))

    def result(self):
        return [event for page in self.pages for event in page]


@pytest.mark.parametrize("limit, page_size, total, limits", [
    (0, 1000, 2345, [1000, 1000, 1000, 1000]),
    (2500, 1000, 25000, [1000, 1000, 501]),
    (25, 10, 20, [10, 10, 6]),
    (5, 1000, 50, [6]),
])
def test_a_collector_gets_every_page_in_order_and_the_requests_are_those_of_a_whole_read(limit, page_size, total, limits):
    events = make_events(total)
    whole_api, collected_api = AuditAPI(events), AuditAPI(events)
    whole, dummy, whole_requests = search_all(make_client(whole_api), ["*"], settings(limit=limit, page_size=page_size))
    pages = Pages()
    collected, dummy, requests_made = search_all(make_client(collected_api), ["*"], settings(limit=limit, page_size=page_size), pages)
    assert collected == whole
    assert [len(page) for page in pages.pages] == [len(page) for page in pages.pages if page]  # never an empty page
    assert collected_api.limits == whole_api.limits == limits
    assert requests_made == whole_requests == len(limits)


def test_a_cut_page_reaches_the_collector_cut():
    class Generous(AuditAPI):
        def send(self, request, **kwargs):
            body = json.loads(request.body)
            body["page"]["limit"] = 1000
            request.body = json.dumps(body)
            return super().send(request, **kwargs)

    pages = Pages()
    search_all(make_client(Generous(make_events(3000))), ["*"], settings(limit=1500), pages)
    assert [len(page) for page in pages.pages] == [1000, 500]


def test_search_events_with_a_collector_counts_what_it_read_and_keeps_nothing():
    pages = Pages()
    result = search_events(make_client(AuditAPI(make_events(2345))), "*", settings(limit=2000), pages)
    assert result.events == [] and result.read == 2000 and result.requests == 3 and result.cut_short
    assert sum(len(page) for page in pages.pages) == 2000


def test_projection_and_counts_of_several_queries_equal_those_of_the_whole_read_under_faults():
    first, second = make_events(1200, "first"), make_events(700, "second")
    queries = ["@evt.name:first", "@evt.name:second"]
    faults = {2: (429, {"X-RateLimit-Reset": "1"}, b""), 5: (503, {}, b""), 6: (502, {}, b"<html>bad gateway</html>")}
    whole, dummy, dummy_count = search_all(make_client(AuditAPI({queries[0]: first, queries[1]: second})), queries,
                                           settings(limit=1100, page_size=500))
    projected, dummy, requests_projected = search_all(
        make_client(AuditAPI({queries[0]: first, queries[1]: second}, faults=faults)), queries,
        settings(limit=1100, page_size=500), make_collector(fields=["id", "timestamp", "@evt.name", "@missing"]))
    counted, dummy, requests_counted = search_all(
        make_client(AuditAPI({queries[0]: first, queries[1]: second}, faults=faults)), queries,
        settings(limit=1100, page_size=500), make_collector(count_by="@evt.name"))
    assert projected == [{"id": event["id"], "timestamp": event["attributes"]["timestamp"],
                          "evt_name": event["attributes"]["attributes"]["evt"]["name"], "missing": None} for event in whole]
    assert counted == [{"evt_name": "first", "count": 1100}, {"evt_name": "second", "count": 700}]
    assert requests_projected == requests_counted == 3 + 3  # 500, 500, 100; 500, 200, the empty page


# -- request bodies ------------------------------------------------------------------------------------------

def test_the_request_body_repeats_the_search_with_the_cursor():
    api = AuditAPI(make_events(3))
    search_events(make_client(api), '@evt.name:"Workflow Automation"', settings(time_from="now-1d", sort="timestamp", page_size=2))
    assert api.bodies[0] == {"filter": {"query": '@evt.name:"Workflow Automation"', "from": "now-1d", "to": "now"},
                             "sort": "timestamp", "page": {"limit": 2}}
    assert api.bodies[1]["page"] == {"limit": 2, "cursor": '@evt.name:"Workflow Automation":2'}
    assert all(body["filter"] == api.bodies[0]["filter"] and body["sort"] == "timestamp" for body in api.bodies)


def test_defaults_are_the_last_15_minutes_newest_first_1000_events():
    value = validate_search(now=NOW)
    assert (value.time_from, value.time_to, value.sort, value.limit, value.page_size) == ("now-15m", "now", "-timestamp", 1000, 1000)
    assert "options" not in value.body("*", 1000)


@pytest.mark.parametrize("values, options", [
    ({"timezone": "Europe/Paris"}, {"timezone": "Europe/Paris"}),
    ({"timezone": "UTC+1"}, {"timezone": "UTC+1"}),
    ({"time_offset": 3600}, {"time_offset": 3600}),
    ({"time_offset": "-18000"}, {"time_offset": -18000}),
])
def test_timezone_or_time_offset_go_into_the_options(values, options):
    assert settings(**values).body("*", 10)["options"] == options


# -- warnings ------------------------------------------------------------------------------------------------

def test_a_timeout_status_becomes_one_warning_naming_the_query():
    api = AuditAPI(make_events(30), metas={1: {"status": "timeout"}, 2: {"status": "timeout"}})
    result = search_events(make_client(api), "@usr.name:Ada", settings(limit=0, page_size=10))
    assert len(result.events) == 30
    assert result.warnings == ["Datadog's audit search for query '@usr.name:Ada' timed out (meta.status: timeout) on pages 1, 2 of 4: "
                               "the results are partial. Narrow the time range (from/to) or the query."]


def test_meta_warnings_become_warnings_with_code_title_and_detail():
    warning = {"code": "unknown_index", "title": "One or several indexes are missing or invalid", "detail": "indexes: foo"}
    api = AuditAPI(make_events(3), metas={1: {"warnings": [warning, "plain text"]}, 2: {"warnings": [warning]}})
    result = search_events(make_client(api), "*", settings(page_size=2))
    assert result.warnings == [
        "Datadog warned about the audit search for query '*' (results may be partial): unknown_index: "
        "One or several indexes are missing or invalid: indexes: foo",
        "Datadog warned about the audit search for query '*' (results may be partial): plain text",
    ]


def test_meta_warnings_are_scrubbed_of_every_known_secret_before_they_are_shown():
    leaking = {"code": "echo", "title": "query by key %s" % API_KEY, "detail": "app key\n%s\n" % APP_KEY}
    api = AuditAPI(make_events(3), metas={1: {"warnings": [leaking, "plain %s" % json.dumps(API_KEY)]}})
    _events, warnings, _requests = search_all(make_client(api), ["*"], settings(limit=0))
    text = " ".join(warnings)
    assert "query by key ********" in text and "app key ********" in text and 'plain "********"' in text
    assert API_KEY not in text and APP_KEY not in text


# -- errors and retries ----------------------------------------------------------------------------------------

def test_a_429_midway_waits_x_ratelimit_reset_and_returns_the_complete_list():
    events = make_events(2500)
    api = AuditAPI(events, faults={2: (429, {"X-RateLimit-Reset": "2", "X-RateLimit-Name": "audit_search"}, b"")})
    sleeps = Sleeps()
    client = make_client(api, sleeps)
    result = search_events(client, "*", settings(limit=0))
    assert result.events == events
    assert sleeps == [2.0]
    assert client.stats.retry_count == 1
    assert api.limits == [1000, 1000, 1000, 1000]  # the request refused with 429 was sent again with the same cursor
    assert [body["page"].get("cursor") for body in api.bodies] == [None, "*:1000", "*:2000", "*:2500"]


def test_a_5xx_midway_is_retried_because_a_search_changes_nothing():
    api = AuditAPI(make_events(1500), faults={2: (503, {}, {"errors": ["Service Unavailable"]})})
    sleeps = Sleeps()
    result = search_events(make_client(api, sleeps, retry_backoff=0.5), "*", settings(limit=0))
    assert len(result.events) == 1500
    assert sleeps == [0.5]


def test_an_api_error_names_the_query_the_page_and_the_answer_but_no_key():
    api = AuditAPI(make_events(1500), faults={2: (400, {}, {"errors": ["Bad Request"]})})
    with pytest.raises(TaskFailure) as error:
        search_events(make_client(api), "@evt.name:(", settings(limit=0))
    message = str(error.value)
    assert message == ("Failed to search audit events for query '@evt.name:(' (page 2): HTTP 400: Bad Request "
                       "(POST /api/v2/audit/events/search)")
    assert API_KEY not in message and APP_KEY not in message


def test_a_forbidden_answer_is_reported_once_without_retrying():
    api = AuditAPI([], faults={1: (403, {}, {"errors": ["Forbidden"]})})
    with pytest.raises(TaskFailure) as error:
        search_events(make_client(api), "*", settings())
    assert "HTTP 403: Forbidden" in str(error.value)
    assert len(api.sent) == 1


def test_an_answer_without_a_data_list_is_an_error():
    api = AuditAPI([], faults={1: (200, {}, {"data": {"id": "x"}})})
    with pytest.raises(TaskFailure) as error:
        search_events(make_client(api), "*", settings())
    assert "'data' member is not a list" in str(error.value)


# -- validation --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, sent", [
    ("now", "now"), ("now-15m", "now-15m"), ("now-1d", "now-1d"), ("now-7d", "now-7d"), ("now-30s", "now-30s"),
    ("now-2h", "now-2h"), ("now-1w", "now-1w"), ("now+1h", "now+1h"), ("now/d", "now/d"), ("now-1d/d", "now-1d/d"),
    (" now - 1h ", "now-1h"),
    ("2026-01-31", "2026-01-31"), ("2026-01-31T08:00:00Z", "2026-01-31T08:00:00Z"), ("2026-01-31T08:00Z", "2026-01-31T08:00Z"),
    ("2026-01-31T08:00:00.123Z", "2026-01-31T08:00:00.123Z"), ("2026-01-31T08:00:00+02:00", "2026-01-31T08:00:00+02:00"),
    ("2026-01-31T08:00:00-0500", "2026-01-31T08:00:00-0500"), ("2026-01-31T08:00:00", "2026-01-31T08:00:00"),
    (1769846400000, "1769846400000"), ("1769846400000", "1769846400000"),
])
def test_times_datadog_accepts_are_sent_as_strings(value, sent):
    assert validate_time("from", value) == sent


@pytest.mark.parametrize("value", [
    "yesterday", "now-15min", "15m", "now-1y", "now-1M", "now-", "now-1d-1h", "-15m", "", "   ", "2026-13-01", "2026-02-30T00:00:00Z",
    "2026-01-31T25:00:00Z", "31/01/2026", "now()", -1, True, 1.5, [], {"from": "now"},
])
def test_times_datadog_would_not_understand_are_refused_naming_the_option_and_the_forms(value):
    with pytest.raises(InputError) as error:
        validate_time("from", value)
    message = str(error.value)
    assert message.startswith("from must be date math such as now, now-15m")
    assert "ISO 8601" in message and "epoch milliseconds" in message


def test_epoch_seconds_are_refused_with_the_millisecond_value():
    with pytest.raises(InputError) as error:
        validate_time("to", 1769846400)
    assert str(error.value) == ("to=1769846400 is before 1973 when read as epoch milliseconds, which Datadog expects; "
                                "for epoch seconds multiply by 1000 (1769846400000)")


@pytest.mark.parametrize("values, message", [
    ({"sort": "desc"}, "sort must be timestamp (oldest first) or -timestamp (newest first), got 'desc'"),
    ({"sort": "-Timestamp"}, "sort must be timestamp (oldest first) or -timestamp (newest first), got '-Timestamp'"),
    ({"page_size": 1001}, "page_size must be an integer from 1 to 1000, got 1001"),
    ({"page_size": 0}, "page_size must be an integer from 1 to 1000, got 0"),
    ({"page_size": "many"}, "page_size must be an integer from 1 to 1000, got 'many'"),
    ({"page_size": True}, "page_size must be an integer from 1 to 1000, got True"),
    ({"limit": -1}, "limit must be an integer of at least 0 (events per query; 0 means all), got -1"),
    ({"limit": 2.5}, "limit must be an integer of at least 0 (events per query; 0 means all), got 2.5"),
    ({"limit": "ten"}, "limit must be an integer of at least 0 (events per query; 0 means all), got 'ten'"),
    ({"limit": [10]}, "limit must be an integer of at least 0 (events per query; 0 means all), got a list"),
    ({"time_offset": "1h"}, "time_offset must be an integer number of seconds, for example 3600 or -18000, got '1h'"),
    ({"timezone": "Europe Paris"}, "timezone must be UTC, GMT, an offset such as UTC+1 or UTC-05:00, or a tz database name "
                                   "such as America/New_York; got 'Europe Paris'"),
    ({"timezone": "UTC", "time_offset": 3600}, "timezone and time_offset are mutually exclusive: Datadog accepts only one "
                                               "of them per search, got timezone='UTC' and time_offset=3600"),
    ({"time_from": "now", "time_to": "now-1h"}, "from (now) is later than to (now-1h): from is the start of the time range, "
                                                "to its end"),
    ({"time_from": "2026-02-01T00:00:00Z", "time_to": "1769817600000"},
     "from (2026-02-01T00:00:00Z) is later than to (1769817600000): from is the start of the time range, to its end"),
])
def test_bad_options_are_refused_before_any_request_with_what_is_allowed(values, message):
    with pytest.raises(InputError) as error:
        settings(**values)
    assert str(error.value) == message


@pytest.mark.parametrize("values, expected", [
    ({"limit": "0"}, 0), ({"limit": 2500.0}, 2500), ({"limit": " 7 "}, 7), ({"page_size": 1000}, 1000), ({"page_size": "1"}, 1),
])
def test_integers_arrive_as_numbers_or_strings(values, expected):
    value = settings(**values)
    assert getattr(value, list(values)[0]) == expected


@pytest.mark.parametrize("values", [
    {"time_from": "now-1d", "time_to": "now"},
    {"time_from": "now/d", "time_to": "now"},
    {"time_from": "2026-02-01T10:00:00", "time_to": "2026-02-01T09:00:00Z", "timezone": "America/New_York"},  # placed by Datadog
    {"time_from": "now-1d/d", "time_to": "now-1d/d", "time_offset": 3600},
    {"time_from": "2026-01-31T08:00:00+02:00", "time_to": "2026-01-31T07:00:00Z"},
])
def test_consistent_or_timezone_dependent_ranges_are_accepted(values):
    settings(**values)


def test_queries_default_to_everything_and_must_be_strings():
    assert validate_queries([]) == ["*"]
    assert validate_queries(None) == ["*"]
    assert validate_queries(["", " @evt.name:Monitor "]) == ["*", "@evt.name:Monitor"]
    with pytest.raises(InputError) as error:
        validate_queries(["*", 42])
    assert str(error.value) == "term 2 must be a search query string such as '@evt.name:Authentication', got 42"


def test_settings_repr_names_every_option():
    assert repr(SearchSettings()) == ("SearchSettings(time_from='now-15m', time_to='now', sort='-timestamp', limit=1000, "
                                      "page_size=1000, timezone=None, time_offset=None)")


# -- a cursor that does not advance -------------------------------------------------------------------------------

class FreshCursors(AuditAPI):
    """Ignores the cursor it is sent (answers the page the cursor-less search starts with, or ``restart_at``'s page
    every other time) and always sends a cursor never seen before: a server a seen-cursor check alone would page
    without end."""

    def __init__(self, events, cycle=1, **kwargs):
        super().__init__(events, **kwargs)
        self.cycle = cycle
        self.answered = 0

    def send(self, request, **kwargs):
        body = json.loads(request.body)
        cursor = "*:%d" % (self.answered % self.cycle * body["page"]["limit"]) if self.answered % self.cycle else None
        body["page"].pop("cursor", None)
        if cursor:
            body["page"]["cursor"] = cursor
        request.body = json.dumps(body)
        response = super().send(request, **kwargs)
        answer = json.loads(response.raw.getvalue())
        self.answered += 1
        if answer.get("data"):
            answer["meta"]["page"] = {"after": "fresh-%d" % self.answered}
        response.raw = io.BytesIO(json.dumps(answer).encode())
        return response


@pytest.mark.parametrize("cycle, requests_sent", [(1, 2), (2, 3)], ids=["the same page again", "two pages in turn"])
def test_a_page_of_events_already_returned_fails_the_search_within_a_few_requests(cycle, requests_sent):
    api = FreshCursors(make_events(50), cycle=cycle)
    with pytest.raises(TaskFailure) as error:
        search_events(make_client(api), "*", settings(limit=0, page_size=20 if cycle > 1 else 1000))
    assert len(api.sent) == requests_sent
    assert str(error.value) == (
        "Datadog answered the audit search for query '*' (page %d) with events it had already returned on an earlier "
        "page, so its cursor (meta.page.after) did not advance; stopped after %d requests instead of paging without end"
        % (requests_sent, requests_sent))
    assert error.value.result == {"status": 200, "request_id": "req-%d" % requests_sent}


def test_events_without_ids_never_count_as_repeated():
    events = make_events(30)
    for item in events:
        del item["id"]
    result = search_events(make_client(AuditAPI(events)), "*", settings(limit=0, page_size=10))
    assert len(result.events) == 30 and result.requests == 4
