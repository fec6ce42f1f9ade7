# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Audit events added in full, and late-indexed ones: a timestamp earlier than the moment search sees them."""

from __future__ import annotations

import time

import requests
from emulator_helpers import AUDIT_SEARCH

WAIT_SECONDS = 30  # generous bound of the condition waits; no assertion depends on how long anything took


def _search(emulator, query="*", time_from="now-1h", cursor=None, limit=1000):
    body = {"filter": {"query": query, "from": time_from, "to": "now"}, "sort": "timestamp", "page": {"limit": limit}}
    if cursor:
        body["page"]["cursor"] = cursor
    answer = requests.post(emulator.url + AUDIT_SEARCH, json=body, headers=emulator.headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _ids(page):
    return [event["id"] for event in page["data"]]


def _control(emulator, body):
    return requests.post(emulator.url + "/_emulator/audit/events", json=body, timeout=10)


def test_added_events_are_searchable_at_once_with_their_own_content(dd_emulator):
    added = dd_emulator.add_audit_events(
        {"message": "Ada deleted action connection web", "service": "workflow-automation", "tags": ["env:test"],
         "attributes": {"evt": {"name": "Workflow Automation"}, "action": "deleted", "asset": {"type": "action_connection", "name": "web"}},
         "timestamp": "now-5m"},
        {},
    )
    assert len(added) == 2 and len({entry["id"] for entry in added}) == 2
    page = _search(dd_emulator)
    assert _ids(page) == [entry["id"] for entry in added]  # oldest first: the one 5 minutes ago, then the one of now
    first = page["data"][0]
    assert first["type"] == "audit"
    assert first["attributes"]["message"] == "Ada deleted action connection web"
    assert first["attributes"]["service"] == "workflow-automation"
    assert first["attributes"]["tags"] == ["env:test"]
    assert first["attributes"]["attributes"]["asset"] == {"type": "action_connection", "name": "web"}
    assert first["attributes"]["timestamp"] == added[0]["timestamp"]
    defaults = page["data"][1]["attributes"]
    assert defaults["service"] == "emulator" and defaults["attributes"] == {"evt": {"name": "Emulator"}}
    assert _ids(_search(dd_emulator, query="@action:deleted @asset.name:web")) == [added[0]["id"]]


def test_a_late_indexed_event_is_invisible_until_its_time_then_found_at_its_own_timestamp(dd_emulator):
    on_time = dd_emulator.add_audit_events({"message": "on time"})[0]
    late = dd_emulator.add_audit_events({"message": "late", "timestamp": "now-30s", "visible_after": 3600})[0]
    assert _ids(_search(dd_emulator)) == [on_time["id"]]
    assert len(dd_emulator.dump_state()["audit_events"]) == 1  # search sees only the one on time
    assert dd_emulator.dump_state(debug=True)["audit_events_pending"] == 1

    soon = dd_emulator.add_audit_events({"message": "late but soon", "timestamp": "now-20s", "visible_after": 0.2})[0]
    deadline = time.monotonic() + WAIT_SECONDS
    while soon["id"] not in _ids(_search(dd_emulator)):
        assert time.monotonic() < deadline, "the late-indexed event never became visible"
        time.sleep(0.05)
    # Found where its timestamp puts it (before the on-time event), not where it became visible.
    assert _ids(_search(dd_emulator)) == [soon["id"], on_time["id"]]
    assert soon["timestamp"] < on_time["timestamp"]
    assert late["id"] not in _ids(_search(dd_emulator, time_from="now-1d"))  # the other one is still being indexed


def test_a_search_snapshot_taken_before_an_event_is_indexed_does_not_see_it(dd_emulator):
    dd_emulator.add_audit_events(*[{"message": "event %d" % number} for number in range(3)])
    first = _search(dd_emulator, limit=2)
    dd_emulator.add_audit_events({"message": "added meanwhile", "timestamp": "now-1m"})
    rest = _search(dd_emulator, limit=2, cursor=first["meta"]["page"]["after"])
    assert len(first["data"]) + len(rest["data"]) == 3
    assert len(_search(dd_emulator)["data"]) == 4


def test_the_control_api_adds_events_all_or_none(dd_emulator):
    answer = _control(dd_emulator, {"events": [{"message": "one"}, {"message": "two", "timestamp": "now-2m", "visible_after": 3600}]})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert [sorted(entry) for entry in body["added"]] == [["id", "timestamp", "visible_at"]] * 2
    assert body["total"] == 1 and body["pending"] == 1
    for bad, words in (
        ({"events": [{"message": "fine"}, {"colour": "red"}]}, "unknown member(s) colour"),
        ({"events": [{"visible_after": -1}]}, "visible_after must be a number"),
        ({"events": [{"timestamp": "yesterday"}]}, "invalid time"),
        ({"events": [{"tags": "env:prod"}]}, "tags must be a list"),
        ({"events": "not a list"}, "must be a list"),
        ({}, "must be a list"),
    ):
        refused = _control(dd_emulator, bad)
        assert refused.status_code == 400 and words in refused.json()["error"], (bad, refused.text)
    assert len(dd_emulator.dump_state()["audit_events"]) == 1  # none of the refused specs added anything


def test_reset_forgets_events_not_yet_indexed(dd_emulator):
    dd_emulator.add_audit_events({"message": "late", "visible_after": 3600})
    dd_emulator.reset(audit=True)
    assert dd_emulator.dump_state(debug=True)["audit_events_pending"] == 0
