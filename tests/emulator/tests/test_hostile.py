# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hostile answers: errors echoing the request, list routes that page on forever, endless audit cursors, huge answers."""

from __future__ import annotations

import json
import resource
import time

import pytest
import requests
from emulator_helpers import AUDIT_LIST, AUDIT_SEARCH, CONNECTIONS, REGISTRATIONS, connection_body, create_connection

MULTI_LINE = "-----BEGIN PRIVATE KEY-----\nMIIEhostileline1\nMIIEhostileline2\n-----END PRIVATE KEY-----\n"
ESCAPED = 'SEKRIT"quote\\back'


def gcp_body():
    return connection_body(name="echoed", integration={"type": "GCP", "credentials": {
        "type": "GCPServiceAccount", "service_account_email": "sa@p.iam.gserviceaccount.com", "private_key": MULTI_LINE}})


def http_body(*values):
    tokens = [{"name": "t%d" % index, "type": "SECRET", "value": value} for index, value in enumerate(values)]
    return connection_body(name="echoed", integration={"type": "HTTP", "base_url": "https://example.invalid",
                                                       "credentials": {"type": "HTTPTokenAuth", "tokens": tokens}})


def echo(client, form, body, **rule):
    client.emulator.add_faults(dict({"kind": "echo", "form": form, "method": "POST", "route": CONNECTIONS, "times": 1}, **rule))
    return client.post(CONNECTIONS, json=body)


def detail(answer):
    return answer.json()["errors"][0]["detail"]


def test_echo_json_quotes_the_raw_body_so_secrets_come_back_json_escaped(client):
    answer = echo(client, "json", http_body(ESCAPED))
    assert answer.status_code == 400 and answer.headers["Content-Type"].startswith("application/vnd.api+json")
    assert json.dumps(ESCAPED)[1:-1] in detail(answer)  # SEKRIT\"quote\\back, once decoded
    assert json.dumps(json.dumps(ESCAPED)[1:-1])[1:-1] in answer.text  # and escaped twice in the answer's text
    assert client.emulator.dump_state()["connections"] == []  # not applied
    assert client.emulator.faults()[0]["injected"] == 1 and client.emulator.faults()[0]["form"] == "json"


def test_echo_json_values_keeps_line_breaks_and_spaces_as_sent(client):
    answer = echo(client, "json_values", gcp_body())
    assert '"%s"' % MULTI_LINE in detail(answer)
    answer = echo(client, "json_values", http_body("a  double  space", "  padded  "))
    assert '"a  double  space"' in detail(answer) and '"  padded  "' in detail(answer)


def test_echo_json_collapsed_collapses_whitespace(client):
    answer = echo(client, "json_collapsed", gcp_body())
    assert " ".join(MULTI_LINE.split()) in detail(answer)
    assert "MIIEhostileline1\nMIIEhostileline2" not in detail(answer)


def test_echo_padded_trims_each_value_and_pads_it(client):
    answer = echo(client, "padded", http_body("  padded-value  "))
    assert "[padded-value" + " " * 36 + "]" in detail(answer)


def test_echo_text_is_the_raw_request_with_its_headers(client):
    answer = echo(client, "text", gcp_body(), status=502)
    assert answer.status_code == 502 and answer.headers["Content-Type"].startswith("text/plain")
    assert answer.text.startswith(json.dumps(gcp_body())[:20])
    assert "\n\nPOST /api/v2/actions/connections\n" in answer.text
    assert "Dd-Api-Key: %s\nDd-Application-Key: %s\n" % (client.emulator.api_key, client.emulator.app_key) in answer.text
    assert json.dumps(MULTI_LINE)[1:-1] in answer.text


def test_echo_html_escapes_the_values_into_the_title(client):
    answer = echo(client, "html", http_body("<b>&amp;</b>"))
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<title>400 Bad Request: " in answer.text and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in answer.text


def test_echo_rules_are_checked(client):
    control = client.emulator.url + "/_emulator/faults"
    for rule, message in (({"kind": "echo", "form": "yaml"}, "form must be one of"),
                          ({"kind": "echo", "status": 200}, "status must be an error status"),
                          ({"kind": "huge", "size": 10}, "size must be at least"),
                          ({"kind": "huge", "content_length": "yes"}, "content_length must be true or false"),
                          ({"kind": "huge_total", "total": -1}, "total must not be negative")):
        answer = requests.post(control, json={"rules": [rule]}, timeout=5)
        assert answer.status_code == 400 and message in answer.json()["error"], answer.text


@pytest.mark.parametrize("route, count", [(CONNECTIONS, 3), (REGISTRATIONS, 3)])
def test_repeat_page_serves_the_first_page_whatever_page_number_asks(client, route, count):
    if route == CONNECTIONS:
        for number in range(count):
            create_connection(client, name="c%d" % number)
    else:
        client.emulator.register_app_key(count=count - 1)
    client.emulator.add_faults({"kind": "repeat_page"})
    pages = [client.get(route, params={"page[size]": 2, "page[number]": number}).json() for number in range(3)]
    assert [[item["id"] for item in page["data"]] for page in pages[1:]] == [[item["id"] for item in pages[0]["data"]]] * 2
    assert pages[0]["meta"]["total"] == count
    assert client.emulator.faults()[0]["injected"] == 3
    assert client.post(CONNECTIONS, json=connection_body(name="not a list read")).status_code == 201  # creates untouched
    assert client.emulator.faults()[0]["injected"] == 3


@pytest.mark.parametrize("route", [CONNECTIONS, REGISTRATIONS])
def test_huge_total_reports_a_huge_total_and_fresh_items_on_every_page(client, route):
    client.emulator.add_faults({"kind": "huge_total"})
    seen = set()
    for number in (0, 1, 7, 123456789):
        page = client.get(route, params={"page[size]": 100, "page[number]": number}).json()
        assert page["meta"]["total"] == 10 ** 12 and len(page["data"]) == 100
        ids = set(item["id"] for item in page["data"])
        assert not ids & seen
        seen |= ids
    client.emulator.clear_faults()
    client.emulator.add_faults({"kind": "huge_total", "total": 150})
    assert client.get(route, params={"page[number]": 5}).json()["meta"]["total_filtered"] == 150


def test_huge_total_items_are_connections_in_the_answer_form(client):
    client.emulator.add_faults({"kind": "huge_total"})
    item = client.get(CONNECTIONS).json()["data"][0]
    assert item["type"] == "action_connection" and item["attributes"]["integration"]["type"] == "AWS"


def test_endless_cursor_answers_a_fresh_cursor_and_the_same_events_every_time(client):
    client.emulator.seed_audit(30)
    client.emulator.add_faults({"kind": "endless_cursor"})
    body = {"filter": {"query": "*", "from": "now-30d", "to": "now"}, "page": {"limit": 10}}
    cursors, pages = [], []
    for _page in range(4):
        answer = client.post(AUDIT_SEARCH, json=body).json()
        cursors.append(answer["meta"]["page"]["after"])
        pages.append([event["id"] for event in answer["data"]])
        body["page"]["cursor"] = cursors[-1]
    assert len(set(cursors)) == 4 and pages == [pages[0]] * 4 and len(pages[0]) == 10
    listed = client.get(AUDIT_LIST, params={"filter[from]": "now-30d", "page[limit]": 10, "page[cursor]": cursors[-1]}).json()
    assert [event["id"] for event in listed["data"]] == pages[0] and listed["meta"]["page"]["after"] not in cursors


@pytest.mark.parametrize("content_length", [False, True])
def test_huge_is_a_streamed_answer_of_exactly_size_bytes_of_json(client, content_length):
    client.emulator.add_faults({"kind": "huge", "size": 3 * 1024 * 1024 + 17, "content_length": content_length})
    answer = client.get(CONNECTIONS)
    assert answer.status_code == 200
    assert len(answer.content) == 3 * 1024 * 1024 + 17
    assert (answer.headers.get("Content-Length") is not None) == content_length
    assert (answer.headers.get("Transfer-Encoding") == "chunked") != content_length
    body = json.loads(answer.content)
    assert len(body["data"]) > 1000 and body["data"][-1]["id"] == "end"
    assert client.emulator.faults()[0]["streamed"] == 3 * 1024 * 1024 + 17


def test_a_huge_answer_is_generated_as_it_is_read_and_stops_when_the_client_hangs_up(client):
    """400 MB are announced; the client reads 8 MiB and closes: the emulator produced little more, and its memory did
    not grow by the answer's size."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    client.emulator.add_faults({"kind": "huge", "times": 1})
    with requests.get(client.emulator.url + CONNECTIONS, headers=client.headers, stream=True, timeout=10) as answer:
        read = 0
        for chunk in answer.iter_content(256 * 1024):
            read += len(chunk)
            if read >= 8 * 1024 * 1024:
                break
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and client.get(REGISTRATIONS).status_code != 200:
        time.sleep(0.05)
    streamed = client.emulator.faults()[0]["streamed"]
    assert 8 * 1024 * 1024 <= streamed < 64 * 1024 * 1024, streamed
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB: far below 400 MB
    assert client.emulator.responses_log()[-2]["body"] == "<400000000 bytes of generated JSON, streamed>"
