# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The retry rules on plain values: which answer is retried, for which methods, after how long, and when not."""

from __future__ import annotations

import pytest

from hypothesis import given, strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._errors import RequestCancelled
from ansible_collections.ddops.datadog.plugins.module_utils._retry import (
    GIVE_UP,
    OUTCOME_UNKNOWN,
    RETRY,
    Decision,
    NoAnswer,
    RetryPolicy,
    SharedRateLimit,
)

NOW = 1769860800.0  # 2026-01-31T12:00:00Z


def policy(retries=3, backoff=1.0, max_wait=60.0):
    return RetryPolicy(retries, backoff, max_wait, now=lambda: NOW)


@pytest.mark.parametrize("status, idempotent, expected", [
    (429, True, Decision(RETRY, 1.0, "HTTP 429")),
    (429, False, Decision(RETRY, 1.0, "HTTP 429")),  # Datadog did not process it: a POST is retried too
    (503, True, Decision(RETRY, 1.0, "HTTP 503")),
    (503, False, Decision(GIVE_UP)),  # a POST answered 5xx may have been applied
    (408, True, Decision(RETRY, 1.0, "HTTP 408")),
    (500, True, Decision(RETRY, 1.0, "HTTP 500")),
    (502, True, Decision(RETRY, 1.0, "HTTP 502")),
    (504, True, Decision(RETRY, 1.0, "HTTP 504")),
    (400, True, Decision(GIVE_UP)),
    (401, True, Decision(GIVE_UP)),
    (403, True, Decision(GIVE_UP)),
    (404, True, Decision(GIVE_UP)),
    (409, True, Decision(GIVE_UP)),
    (501, True, Decision(GIVE_UP)),
])
def test_which_statuses_are_retried_for_which_methods(status, idempotent, expected):
    assert policy().after_status(status, {}, idempotent, attempts=1) == expected


def test_the_backoff_doubles_from_retry_backoff_and_is_capped_by_retry_max_wait():
    rules = policy(retries=6, backoff=4, max_wait=10)
    assert [rules.after_status(503, {}, True, attempts).wait for attempts in range(1, 7)] == [4, 8, 10, 10, 10, 10]


def test_no_more_than_retries_retries():
    rules = policy(retries=2)
    assert [rules.after_status(503, {}, True, attempts).action for attempts in (1, 2, 3)] == [RETRY, RETRY, GIVE_UP]
    assert policy(retries=0).after_status(429, {"X-RateLimit-Reset": "1"}, True, 1) == Decision(GIVE_UP)


@pytest.mark.parametrize("headers, wait", [
    ({"X-RateLimit-Reset": "7"}, 7.0),
    ({"X-RateLimit-Reset": "0"}, 0.0),
    ({"X-RateLimit-Reset": "3600"}, 60.0),  # capped by retry_max_wait
    ({"X-RateLimit-Reset": "7", "Retry-After": "30"}, 7.0),  # Datadog's own header first
    ({"Retry-After": "12"}, 12.0),
    ({"Retry-After": "Sat, 31 Jan 2026 12:00:20 GMT"}, 20.0),  # an HTTP date: the seconds until then
    ({"Retry-After": "Sat, 31 Jan 2026 11:00:00 GMT"}, 0.0),  # a date past: no wait
    ({"X-RateLimit-Reset": "soon", "Retry-After": "5"}, 5.0),  # an unreadable value is skipped
    ({"X-RateLimit-Reset": "-3"}, 2.0),  # negative: not a wait, so the backoff (2nd retry)
    ({"X-RateLimit-Reset": "nan"}, 2.0),
    ({"Retry-After": "yesterday"}, 2.0),
    ({"Retry-After": "Sat, 31 Jan 2026 12:00:20 -0000"}, 2.0),  # a date without a known zone: not a wait
    ({"X-RateLimit-Reset": "Sat, 31 Jan 2026 12:00:20 GMT"}, 2.0),  # Datadog's header is seconds, never a date
    ({}, 2.0),
])
def test_the_429_wait_comes_from_the_headers_else_the_backoff(headers, wait):
    assert policy().after_status(429, headers, False, attempts=2) == Decision(RETRY, wait, "HTTP 429")


@pytest.mark.parametrize("failure, idempotent, expected", [
    (dict(sent=True), False, Decision(OUTCOME_UNKNOWN)),  # a POST that may have arrived is never sent again
    (dict(sent=True, timeout=True), False, Decision(OUTCOME_UNKNOWN)),
    (dict(sent=False), False, Decision(RETRY, 1.0, "connection error")),  # no connection made: nothing arrived
    (dict(sent=True), True, Decision(RETRY, 1.0, "connection error")),
    (dict(sent=True, timeout=True), True, Decision(RETRY, 1.0, "timeout")),
    (dict(sent=False, permanent=True), True, Decision(GIVE_UP)),  # TLS refused: another attempt cannot help
])
def test_attempts_without_an_answer(failure, idempotent, expected):
    assert policy().after_no_answer(NoAnswer(**failure), idempotent, attempts=1) == expected


def test_decisions_are_equal_only_when_action_wait_and_cause_are():
    assert Decision(RETRY, 1.0, "HTTP 429") == Decision(RETRY, 1.0, "HTTP 429")
    for other in (Decision(GIVE_UP), Decision(RETRY, 2.0, "HTTP 429"), Decision(RETRY, 1.0, "HTTP 503"), (RETRY, 1.0, "HTTP 429")):
        assert Decision(RETRY, 1.0, "HTTP 429") != other
    assert repr(Decision(RETRY, 1.5, "timeout")) == "Decision('retry', wait=1.5, cause='timeout')"


def test_attempts_without_an_answer_stop_after_retries():
    assert policy(retries=1).after_no_answer(NoAnswer(sent=True), True, attempts=2) == Decision(GIVE_UP)


@pytest.mark.parametrize("method, idempotent", [("GET", True), ("put", True), ("DELETE", True), ("PATCH", True),
                                                ("POST", False)])
def test_idempotent_methods(method, idempotent):
    assert RetryPolicy.idempotent(method) is idempotent


@given(retries=st.integers(0, 20), backoff=st.floats(0, 100), max_wait=st.floats(0, 3600),
       status=st.sampled_from([408, 429, 500, 502, 503, 504]), reset=st.one_of(st.none(), st.floats(-10, 10 ** 6)))
def test_no_wait_is_ever_longer_than_retry_max_wait_and_no_request_is_tried_more_than_retries_times(
        retries, backoff, max_wait, status, reset):
    rules = RetryPolicy(retries, backoff, max_wait, now=lambda: NOW)
    headers = {} if reset is None else {"X-RateLimit-Reset": repr(reset)}
    decisions = [rules.after_status(status, headers, True, attempts) for attempts in range(1, retries + 3)]
    assert [decision.action for decision in decisions] == [RETRY] * retries + [GIVE_UP] * 2
    assert all(0 <= decision.wait <= max_wait for decision in decisions)


def test_a_shared_rate_limit_waits_out_even_a_short_hold_and_never_a_negative_one():
    now = [0.0]
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        now[0] += seconds
    shared = SharedRateLimit(clock=lambda: now[0], pause=pause)
    shared.hold(-5)  # a reset in the past holds nothing back
    assert shared.wait() == 0.0 and pauses == []
    shared.hold(0.5)
    assert shared.wait() == 0.5 and pauses == [0.5] and shared.waited == 0.5
    shared.sleep(0.25)  # a client's own short wait
    shared.sleep(0)
    assert pauses == [0.5, 0.25]


def test_a_hold_extended_while_waiting_is_waited_out_and_counted_whole():
    now = [0.0]
    shared = SharedRateLimit(clock=lambda: now[0], pause=lambda seconds: now.__setitem__(0, now[0] + seconds))
    extended = []

    def pause(seconds):
        now[0] += seconds
        if not extended:  # another worker's 429 arrives meanwhile
            extended.append(True)
            shared.hold(2)
    shared._pause = pause  # pylint: disable=protected-access
    shared.hold(1)
    assert shared.wait() == 3.0 and shared.waited == 3.0
    shared.hold(1)
    shared.wait()
    assert shared.waited == 4.0


def test_a_shared_rate_limit_says_how_long_each_wait_took_and_stops_on_cancel():
    now = [100.0]
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        now[0] += seconds
    shared = SharedRateLimit(clock=lambda: now[0], pause=pause)
    assert shared.wait() == 0.0
    shared.hold(5)
    shared.hold(3)  # an earlier reset does not shorten a later one
    assert shared.wait() == 5.0 and pauses == [5.0] and shared.waited == 5.0 and shared.holds == 2
    assert shared.wait() == 0.0
    shared.cancel()
    with pytest.raises(RequestCancelled):
        shared.wait()
    with pytest.raises(RequestCancelled):
        shared.sleep(1)
