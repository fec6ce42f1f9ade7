# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fault injection: 429 with rate-limit headers, 5xx, dropped connections, slow answers and lost answers."""

from __future__ import annotations

import logging
import time

import pytest
import requests
from emulator_helpers import CONNECTIONS, REGISTRATIONS, connection_body, wait_until

CREATE = "POST /api/v2/actions/connections"


def _connection_count(emulator):
    return len(emulator.dump_state()["connections"])


def test_429_has_rate_limit_headers_an_empty_body_and_is_not_applied(client):
    client.emulator.add_faults({"kind": "429", "method": "POST", "route": CONNECTIONS, "times": 1, "reset": 3})
    limited = client.post(CONNECTIONS, json=connection_body())
    assert limited.status_code == 429
    assert limited.text == ""
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Reset"] == "3"
    assert limited.headers["X-RateLimit-Limit"] == "10" and limited.headers["X-RateLimit-Period"] == "10"
    assert limited.headers["X-RateLimit-Name"] == "actions_connections"
    assert _connection_count(client.emulator) == 0
    assert client.post(CONNECTIONS, json=connection_body()).status_code == 201
    assert client.emulator.counts()["routes"][CREATE] == 2
    assert client.emulator.faults()[0]["injected"] == 1


@pytest.mark.parametrize("kind, content_type", [("500", "application/json"), ("502", "text/html"), ("503", "application/json")])
def test_5xx_answers_are_not_applied(client, kind, content_type):
    client.emulator.add_faults({"kind": kind, "times": 1})
    answer = client.post(CONNECTIONS, json=connection_body())
    assert answer.status_code == int(kind)
    assert answer.headers["Content-Type"].startswith(content_type)
    if kind == "502":
        assert "502 Bad Gateway" in answer.text
    else:
        assert answer.json()["errors"]
    assert _connection_count(client.emulator) == 0


def test_drop_closes_the_connection_without_applying_and_the_server_carries_on(client, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    client.emulator.add_faults({"kind": "drop", "method": "POST", "times": 2})
    for _attempt in range(2):
        with pytest.raises(requests.exceptions.ConnectionError):
            client.post(CONNECTIONS, json=connection_body())
    assert _connection_count(client.emulator) == 0
    assert client.post(CONNECTIONS, json=connection_body()).status_code == 201
    assert client.emulator.counts()["routes"][CREATE] == 3
    assert "Error on request" not in caplog.text


def test_lost_answer_applies_the_request_but_the_client_gets_no_answer(client):
    client.emulator.add_faults({"kind": "lost_answer", "route": CONNECTIONS, "method": "POST", "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.post(CONNECTIONS, json=connection_body(name="applied"))
    assert [item["attributes"]["name"] for item in client.get(CONNECTIONS).json()["data"]] == ["applied"]
    lost = [entry for entry in client.emulator.responses_log() if entry["method"] == "POST"]
    assert [(entry["status"], entry["delivered"]) for entry in lost] == [(201, False)]


def test_slow_answers_late_and_still_applies(client):
    # The delay is ten times the timeout: a client slowed down by a busy machine still gives up before the answer.
    client.emulator.add_faults({"kind": "slow", "delay": 2, "method": "POST", "times": 1})
    sent = time.time()
    with pytest.raises(requests.exceptions.Timeout):
        client.post(CONNECTIONS, json=connection_body(), timeout=0.2)
    # The emulator logs an answer once it has applied the request: wait for that, not for a number of seconds.
    posts = wait_until(lambda: [entry for entry in client.emulator.responses_log() if entry["method"] == "POST"])
    assert [entry["status"] for entry in posts] == [201]
    assert _connection_count(client.emulator) == 1
    assert client.emulator.faults()[0]["injected"] == 1
    assert client.post(CONNECTIONS, json=connection_body()).status_code == 201
    # Each log entry carries the time its request arrived.
    slow, quick = client.emulator.responses_log()
    assert sent <= slow["received"] < quick["received"]


def test_rules_match_by_method_and_route_template_or_prefix(client):
    client.emulator.add_faults({"kind": "503", "method": "GET", "route": "/api/v2/actions/connections/{connection_id}"},
                               {"kind": "500", "route": "/api/v2/actions/app_key"})
    assert client.get(CONNECTIONS + "/0b5c8f52-7f0e-4a57-9d0e-2f3a4b5c6d7e").status_code == 503
    assert client.get(CONNECTIONS).status_code == 200
    assert client.get(REGISTRATIONS).status_code == 500
    assert client.put(REGISTRATIONS + "/" + client.emulator.app_key_id).status_code == 500
    assert [rule["injected"] for rule in client.emulator.faults()] == [1, 2]


def test_probability_rules_are_deterministic_with_a_seed(client):
    def statuses():
        client.emulator.clear_faults()
        client.emulator.add_faults({"kind": "500", "route": REGISTRATIONS, "probability": 0.5, "seed": 7})
        return [client.get(REGISTRATIONS).status_code for _attempt in range(20)]

    first = statuses()
    assert first == statuses()
    assert 0 < first.count(500) < 20


def test_faults_over_the_control_api(client):
    control = client.emulator.url + "/_emulator/faults"
    added = requests.post(control, json={"rules": [{"kind": "429", "times": 2}]}, timeout=5)
    assert added.status_code == 201
    assert client.get(REGISTRATIONS).status_code == 429
    assert requests.get(control, timeout=5).json()["rules"][0]["injected"] == 1
    assert requests.post(control, json={"rules": [{"kind": "teapot"}]}, timeout=5).status_code == 400
    assert requests.delete(control, timeout=5).status_code == 200
    assert client.get(REGISTRATIONS).status_code == 200


def test_faulted_requests_are_counted(client):
    client.emulator.add_faults({"kind": "503", "times": 3})
    for _attempt in range(4):
        client.get(REGISTRATIONS)
    assert client.emulator.counts() == {"total": 4, "routes": {"GET /api/v2/actions/app_key_registrations": 4}}


@pytest.mark.parametrize("kind, status, content_type, check", [
    ("not_json", 200, "text/plain", lambda answer: "upstream connect error" in answer.text),
    ("html_200", 200, "text/html", lambda answer: "<title>Sign in - Corporate Proxy</title>" in answer.text),
    ("no_data", 200, "application/json", lambda answer: answer.json() == {"meta": {}}),
])
def test_malformed_answers_are_not_applied(client, kind, status, content_type, check):
    client.emulator.add_faults({"kind": kind, "method": "POST", "times": 1})
    answer = client.post(CONNECTIONS, json=connection_body())
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith(content_type)
    assert check(answer)
    assert _connection_count(client.emulator) == 0


def test_skip_lets_the_first_matching_requests_through(client):
    client.emulator.add_faults({"kind": "503", "route": REGISTRATIONS, "skip": 2, "times": 1})
    statuses = [client.get(REGISTRATIONS).status_code for _attempt in range(4)]
    assert statuses == [200, 200, 503, 200]
    assert client.emulator.faults()[0]["injected"] == 1


def test_a_negative_skip_is_refused(client):
    answer = requests.post(client.emulator.url + "/_emulator/faults", json={"rules": [{"kind": "500", "skip": -1}]}, timeout=5)
    assert answer.status_code == 400 and "skip must not be negative" in answer.json()["error"]


@pytest.mark.parametrize("kind, status", [("no_data", 200), ("not_json", 200), ("html_200", 200), ("empty", 204)])
def test_a_success_answer_that_cannot_be_used_may_apply_the_request_first(client, kind, status):
    client.emulator.add_faults({"kind": kind, "method": "POST", "times": 1, "apply": True},
                               {"kind": kind, "method": "DELETE", "times": 1, "apply": True})
    answer = client.post(CONNECTIONS, json=connection_body())
    assert answer.status_code == status and (kind != "empty" or answer.content == b"")
    stored = client.emulator.dump_state()["connections"]
    assert len(stored) == 1  # applied, though the answer does not show it
    deleted = client.delete(CONNECTIONS + "/" + stored[0]["id"])
    assert deleted.status_code == status and _connection_count(client.emulator) == 0
    assert [rule["apply"] for rule in client.emulator.faults()] == [True, True]


def test_an_empty_204_is_not_applied_unless_the_rule_says_so(client):
    client.emulator.add_faults({"kind": "empty", "method": "POST", "times": 1})
    answer = client.post(CONNECTIONS, json=connection_body())
    assert answer.status_code == 204 and answer.content == b"" and _connection_count(client.emulator) == 0


def test_a_huge_answer_may_apply_the_request_first(client):
    client.emulator.add_faults({"kind": "huge", "method": "POST", "times": 1, "apply": True, "size": 4096,
                                "content_length": True})
    answer = client.post(CONNECTIONS, json=connection_body())
    assert answer.status_code == 200 and len(answer.content) == 4096 == int(answer.headers["Content-Length"])
    assert _connection_count(client.emulator) == 1


def test_404_answers_not_found_for_what_exists_and_applies_nothing(client):
    created = client.post(CONNECTIONS, json=connection_body()).json()["data"]
    client.emulator.add_faults({"kind": "404", "method": "DELETE", "times": 1})
    answer = client.delete(CONNECTIONS + "/" + created["id"])
    assert answer.status_code == 404 and answer.json()["errors"][0]["detail"] == "not found"
    assert _connection_count(client.emulator) == 1


@pytest.mark.parametrize("rule, message", [
    ({"kind": "429", "apply": True}, "apply is only for the kinds not_json, html_200, no_data, empty, huge, 404"),
    ({"kind": "no_data", "apply": "yes"}, "apply must be true or false"),
])
def test_apply_is_refused_where_it_means_nothing(client, rule, message):
    answer = requests.post(client.emulator.url + "/_emulator/faults", json={"rules": [rule]}, timeout=5)
    assert answer.status_code == 400 and message in answer.json()["error"]
