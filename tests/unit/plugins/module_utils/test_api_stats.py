# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a client did, as data: the counters, their plain-data form for a module result, the warning line, merging,
and counting from many threads at once."""

from __future__ import annotations

import json
import threading

from ansible_collections.ddops.datadog.plugins.module_utils._api_stats import ApiStats


def test_a_fresh_client_did_nothing():
    stats = ApiStats()
    assert stats.as_result() == {"requests": {"total": 0}, "retries": {"total": 0}, "waited": 0.0, "outcome_polls": 0,
                                 "reconciliations": []}
    assert stats.summary() is None


def test_requests_by_method_retries_by_cause_waits_polls_and_reconciliations_as_plain_data():
    stats = ApiStats()
    for method in ("GET", "GET", "POST", "PATCH", "GET"):
        stats.request(method)
    stats.retry("HTTP 429", 2.0)
    stats.retry("HTTP 503", 0.5)
    stats.retry("HTTP 429", 1.25)
    stats.retry("connection error")
    stats.wait(0.1234)  # a shared rate limit's hold
    stats.outcome_poll()
    stats.outcome_poll()
    record = {"operation": "create", "name": "Prod AWS", "outcome": "adopted", "id": "c-1"}
    stats.reconciled(record)
    record["outcome"] = "changed afterwards"  # the stats keep what was recorded
    result = stats.as_result()
    assert result == {
        "requests": {"total": 5, "GET": 3, "PATCH": 1, "POST": 1},
        "retries": {"total": 4, "HTTP 429": 2, "HTTP 503": 1, "connection error": 1},
        "waited": 3.873,
        "outcome_polls": 2,
        "reconciliations": [{"operation": "create", "name": "Prod AWS", "outcome": "adopted", "id": "c-1"}],
    }
    assert list(result["requests"]) == ["total", "GET", "PATCH", "POST"]  # total first, then by name
    assert json.loads(json.dumps(result)) == result  # plain data, as a module result must be
    assert (stats.request_count, stats.retry_count, stats.outcome_polls) == (5, 4, 2)
    assert repr(stats) == "ApiStats(%r)" % (result,)
    assert stats.waited == 2.0 + 0.5 + 1.25 + 0.1234


def test_a_reconciliation_record_is_kept_as_it_was_recorded():
    stats = ApiStats()
    record = {"operation": "delete", "detail": {"ids": ["a"]}}
    stats.reconciled(record)
    record["detail"]["ids"].append("b")  # the caller changes its record afterwards
    stats.as_result()["reconciliations"][0]["detail"]["ids"].append("c")  # or a reader its copy
    assert stats.as_result()["reconciliations"] == [{"operation": "delete", "detail": {"ids": ["a"]}}]


def test_the_summary_line_keeps_the_wording_warnings_have_always_had():
    stats = ApiStats()
    stats.retry("HTTP 429", 7.0)
    assert stats.summary() == "Datadog API: 1 retry (HTTP 429 x1), waited 7.0 s in total"
    stats.retry("HTTP 503", 0.5)
    stats.retry("connection error", 1.0)
    assert stats.summary() == ("Datadog API: 3 retries (HTTP 429 x1, HTTP 503 x1, connection error x1), "
                               "waited 8.5 s in total")
    stats.outcome_poll()
    assert stats.summary().endswith("waited 8.5 s in total, 1 read to learn the outcome of a write")
    stats.outcome_poll()
    assert stats.summary().endswith("waited 8.5 s in total, 2 reads to learn the outcome of a write")


def test_outcome_polls_and_shared_waits_are_not_retries():
    stats = ApiStats()
    stats.outcome_poll()
    stats.wait(0.25)
    assert stats.retry_count == 0
    assert stats.summary() == "Datadog API: waited 0.2 s in total, 1 read to learn the outcome of a write"
    assert ApiStats().summary() is None
    stats = ApiStats()
    stats.wait(0)
    stats.wait(-1)
    assert stats.summary() is None and stats.waited == 0.0


def test_merging_adds_every_counter():
    first, second = ApiStats(), ApiStats()
    first.request("GET")
    first.retry("HTTP 429", 1.0)
    first.outcome_poll()
    first.reconciled({"operation": "create", "name": "a", "outcome": "adopted"})
    second.request("GET")
    second.request("DELETE")
    second.retry("HTTP 429", 2.0)
    second.retry("timeout", 0.5)
    second.outcome_poll()
    second.wait(0.5)
    second.reconciled({"operation": "delete", "name": "b", "outcome": "gone"})
    first.merge(second)
    first.merge(first)  # merging itself changes nothing
    assert first.as_result() == {
        "requests": {"total": 3, "DELETE": 1, "GET": 2}, "retries": {"total": 3, "HTTP 429": 2, "timeout": 1},
        "waited": 4.0, "outcome_polls": 2,
        "reconciliations": [{"operation": "create", "name": "a", "outcome": "adopted"},
                            {"operation": "delete", "name": "b", "outcome": "gone"}]}
    assert second.request_count == 2  # the merged one is left as it was


def test_workers_sharing_one_stats_object_lose_no_count():
    stats = ApiStats()
    merged = ApiStats()
    threads_count, rounds = 8, 2000

    def work(index):
        own = ApiStats()
        for number in range(rounds):
            stats.request("GET" if number % 2 else "POST")
            stats.retry("HTTP 429" if number % 3 else "timeout", 0.001)
            stats.outcome_poll()
            own.request("GET")
        stats.reconciled({"worker": index})
        merged.merge(own)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = stats.as_result()
    assert result["requests"] == {"total": threads_count * rounds, "GET": threads_count * rounds // 2,
                                  "POST": threads_count * rounds // 2}
    assert result["retries"]["total"] == threads_count * rounds
    assert result["outcome_polls"] == threads_count * rounds
    assert sorted(record["worker"] for record in result["reconciliations"]) == list(range(threads_count))
    assert round(stats.waited, 6) == round(threads_count * rounds * 0.001, 6)
    assert merged.request_count == threads_count * rounds
