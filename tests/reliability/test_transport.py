# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Giving up cleanly, timeouts, malformed answers and TLS, through real playbooks against the emulator."""

from __future__ import annotations

import json

import pytest

from dd_emulator.server import Emulator
from dd_emulator.tls import have_cryptography, write_self_signed_cert

KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
REGISTRATION = "/api/v2/actions/app_key_registrations/" + KEY_ID
REGISTER = {"ddops.datadog.datadog_app_key_registration": {"app_key_id": KEY_ID}}


def named(name, task, **extra):
    return dict({"name": name, "ignore_errors": True}, **task, **extra)


def test_a_route_that_always_answers_503_fails_after_the_configured_retries(playbooks, emulator, figures):
    emulator.add_faults({"kind": "503", "route": REGISTRATION})
    task = named("register", {"ddops.datadog.datadog_app_key_registration": {"app_key_id": KEY_ID, "retries": 3, "retry_backoff": 0.25}})
    run = playbooks.run([task], emulator=emulator)
    record = run.task("register")
    expected_wait = 0.25 + 0.5 + 1.0
    assert record["status"] == "failed"
    assert record["result"]["msg"] == ("Failed to register application key %s: HTTP 503: Service Unavailable (GET %s, gave up after "
                                       "4 attempts)" % (KEY_ID, REGISTRATION))
    assert record["result"]["warnings"] == ["Datadog API: 3 retries (HTTP 503 x3), waited 1.8 s in total"]
    # Bounded, never a hang: exactly 4 attempts reached the API and the task ended (how long it took is a figure; the
    # waits themselves are checked with an injected clock in tests/unit/plugins/module_utils/test_api.py).
    assert emulator.counts()["routes"]["GET /api/v2/actions/app_key_registrations/{app_key_id}"] == 4
    figures["give up after retries (always 503)"] = {
        "attempts": 4, "configured retries": 3, "expected wait s": expected_wait, "task seconds": record["seconds"]}


def test_an_answer_slower_than_timeout_fails_clearly_without_hanging(playbooks, emulator, figures):
    emulator.add_faults({"kind": "slow", "delay": 8, "route": REGISTRATION})
    arguments = {"app_key_id": KEY_ID, "timeout": 1, "retries": 1, "retry_backoff": 0.1}
    task = named("register", {"ddops.datadog.datadog_app_key_registration": arguments})
    run = playbooks.run([task], emulator=emulator)
    record = run.task("register")
    assert record["status"] == "failed"
    assert record["result"]["msg"] == ("Failed to register application key %s: no answer from %s within timeout=1.0 seconds (GET %s, "
                                       "gave up after 2 attempts)" % (KEY_ID, emulator.url, REGISTRATION))
    # No hang: had the client waited for the 8 s answer instead of giving up after timeout=1, the registration would
    # have succeeded; it failed with the timeout message after exactly 2 attempts.
    assert emulator.counts()["routes"]["GET /api/v2/actions/app_key_registrations/{app_key_id}"] == 2
    figures["slow answer beyond timeout"] = {"timeout s": 1, "attempts": 2, "task seconds": record["seconds"]}


@pytest.mark.parametrize("kind, expected", [
    ("not_json", "expected a JSON answer but got a text/plain answer"),
    ("html_200", "expected a JSON answer but got a text/html answer (%d bytes): 'Sign in - Corporate Proxy'"),
    ("no_data", "the answer has no 'data' member (got an object with keys meta)"),
    ("502", "HTTP 502: a text/html answer"),
])
def test_malformed_answers_give_a_clear_error_not_a_traceback(playbooks, emulator, figures, kind, expected):
    emulator.add_faults({"kind": kind, "route": "/api/v2/actions/app_key_registrations"})
    task = named("list", {"ddops.datadog.datadog_app_key_registration_info": {"retries": 0}})
    run = playbooks.run([task], emulator=emulator)
    record = run.task("list")
    message = record["result"]["msg"]
    assert record["status"] == "failed"
    assert message.startswith("Failed to read application key registrations: ")
    if "%d" in expected:
        expected = expected % len(emulator.responses_log()[-1]["body"])
    assert expected in message
    assert "Traceback" not in json.dumps(record["result"]) and "MODULE FAILURE" not in message
    figures.setdefault("malformed answers", {})[kind] = message.split(": ", 1)[1][:90]


@pytest.mark.skipif(not have_cryptography(), reason="needs cryptography for a self-signed certificate")
def test_validate_certs_defaults_to_true_against_a_self_signed_certificate(playbooks, tmp_path, figures):
    cert, key = write_self_signed_cert(str(tmp_path))
    with Emulator(register_app_key=True, tls_cert=cert, tls_key=key) as https:
        assert https.url.startswith("https://127.0.0.1:")
        tasks = [named("verified", {"ddops.datadog.datadog_app_key_registration_info": {}}),
                 named("not verified", {"ddops.datadog.datadog_app_key_registration_info": {"validate_certs": False}})]
        run = playbooks.run(tasks, emulator=https)
        verified, unverified = run.task("verified"), run.task("not verified")
        assert verified["status"] == "failed"
        assert "TLS certificate verification failed for %s" % https.url in verified["result"]["msg"]
        assert "validate_certs" in verified["result"]["msg"]
        assert unverified["status"] == "ok" and unverified["result"]["total"] == 1
        assert https.counts()["total"] == 1  # the verified attempt never reached the API (the handshake failed)
    figures["TLS"] = {"validate_certs default (true), self-signed": "failed: " + verified["result"]["msg"][:70] + "...",
                      "validate_certs false": "ok"}
