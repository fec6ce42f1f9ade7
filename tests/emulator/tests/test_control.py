# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The control API under /_emulator/: health, counters, reset, log, keys, registrations, settings, state."""

from __future__ import annotations

import pytest
import requests
from emulator_helpers import CONNECTIONS, REGISTRATIONS, Client, connection_body, create_connection, http_integration


def _control(emulator, method, path, **kwargs):
    return requests.request(method, emulator.url + "/_emulator/" + path, timeout=10, **kwargs)


def test_health(dd_emulator):
    assert _control(dd_emulator, "GET", "health").json() == {"status": "ok"}


def test_counts_use_route_templates_and_include_rejected_requests(client):
    connection = create_connection(client)
    client.get(CONNECTIONS + "/" + connection["id"])
    client.get(CONNECTIONS + "/0b5c8f52-7f0e-4a57-9d0e-2f3a4b5c6d7e")
    client.get(CONNECTIONS + "/not-a-uuid")
    Client(client.emulator, headers={}).get(REGISTRATIONS)
    assert _control(client.emulator, "GET", "counts").json() == {"total": 5, "routes": {
        "GET /api/v2/actions/app_key_registrations": 1,
        "GET /api/v2/actions/connections/{connection_id}": 3,
        "POST /api/v2/actions/connections": 1,
    }}
    assert client.emulator.counts() == _control(client.emulator, "GET", "counts").json()


def test_control_requests_are_not_counted(dd_emulator):
    _control(dd_emulator, "GET", "health")
    _control(dd_emulator, "GET", "state")
    assert dd_emulator.counts() == {"total": 0, "routes": {}}


def test_reset_parts(client):
    emulator = client.emulator
    create_connection(client)
    emulator.add_faults({"kind": "500", "route": "/api/v2/audit"})
    assert _control(emulator, "POST", "reset", json={"counts": True}).json() == {"reset": ["counts"]}
    assert emulator.counts()["total"] == 0
    assert len(emulator.dump_state()["connections"]) == 1
    assert emulator.faults()

    assert _control(emulator, "POST", "reset").json() == {"reset": ["counts", "state", "faults", "audit", "log"]}
    assert emulator.dump_state()["connections"] == []
    assert emulator.faults() == []
    assert emulator.responses_log() == []
    assert emulator.dump_state()["app_key_registrations"] == []
    assert _control(emulator, "POST", "reset", json={"everything": True}).status_code == 400


def test_python_reset_resets_only_the_parts_given(client):
    create_connection(client)
    assert client.emulator.reset(counts=True) == ["counts"]
    assert client.emulator.counts()["total"] == 0
    assert len(client.emulator.dump_state()["connections"]) == 1
    assert client.emulator.reset() == ["counts", "state", "faults", "audit", "log"]
    assert client.emulator.dump_state()["connections"] == []


def test_reset_returns_to_the_start_configuration(dd_emulator):
    from dd_emulator.server import Emulator  # pylint: disable=import-outside-toplevel

    with Emulator(register_app_key=True) as emulator:
        Client(emulator).delete(REGISTRATIONS + "/" + emulator.app_key_id)
        emulator.add_key("k2", "a2", "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13")
        emulator.reset()
        assert emulator.dump_state()["app_key_registrations"] == [emulator.app_key_id]
        assert [key["app_key_id"] for key in emulator.dump_state(debug=True)["keys"]] == [emulator.app_key_id]
    assert dd_emulator.dump_state()["app_key_registrations"] == []


def test_the_log_keeps_responses_and_never_a_secret(client):
    create_connection(client, integration=http_integration())
    client.get(CONNECTIONS)
    entries = _control(client.emulator, "GET", "log").json()["responses"]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in entries] == [("POST", CONNECTIONS, 201), ("GET", CONNECTIONS, 200)]
    assert '"name": "tokenA"' in entries[0]["body"]
    assert entries[0]["user_agent"] == requests.utils.default_user_agent()  # which client sent it (tests tell paths apart)
    assert "token-a-secret" not in str(entries)
    since = _control(client.emulator, "GET", "log", params={"since": entries[1]["seq"], "fields": "method,status"}).json()
    assert since == {"responses": [{"method": "GET", "status": 200}], "next": entries[1]["seq"] + 1}
    assert _control(client.emulator, "DELETE", "log").json() == {"responses": []}
    assert client.emulator.responses_log() == []


def test_added_keys_are_accepted_and_can_start_registered(dd_emulator):
    added = _control(dd_emulator, "POST", "keys", json={"api_key": "k2", "app_key": "a2", "app_key_id": "7C4D2B9E-1F3A-4E6B-8D5C-0A9F2E7B4C13",
                                                        "registered": True})
    assert added.status_code == 201
    assert added.json()["app_key_id"] == "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13"
    second = Client(dd_emulator, headers={"DD-API-KEY": "k2", "DD-APPLICATION-KEY": "a2"})
    assert second.post(CONNECTIONS, json=connection_body()).status_code == 201
    assert Client(dd_emulator).post(CONNECTIONS, json=connection_body()).status_code == 403
    assert _control(dd_emulator, "POST", "keys", json={"api_key": "k3", "app_key": "a3", "app_key_id": "nope"}).status_code == 400
    assert _control(dd_emulator, "POST", "keys", json={"api_key": "k3"}).status_code == 400


def test_bulk_registrations(dd_emulator):
    given = "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13"
    registered = _control(dd_emulator, "POST", "registrations", json={"ids": [given], "count": 250}).json()["registered"]
    assert len(set(registered)) == 251 and registered[0] == given
    page = Client(dd_emulator).get(REGISTRATIONS, params={"page[size]": 100, "page[number]": 2}).json()
    assert len(page["data"]) == 51 and page["meta"]["total"] == 251


def test_settings(dd_emulator):
    assert _control(dd_emulator, "GET", "settings").json() == {"list_endpoint": True, "omit_http_tokens": False}
    assert _control(dd_emulator, "POST", "settings", json={"list_endpoint": False}).json() == {"list_endpoint": False, "omit_http_tokens": False}
    assert _control(dd_emulator, "POST", "settings", json={"list_endpoint": "no"}).status_code == 400
    assert _control(dd_emulator, "POST", "settings", json={"colour": True}).status_code == 400


@pytest.mark.parametrize("view, registrations", [({}, "app_key_registrations"), ({"format": "debug"}, "registrations")])
def test_state_blanks_secrets_unless_asked(client, view, registrations):
    create_connection(client, integration=http_integration())
    state = _control(client.emulator, "GET", "state", params=view).json()
    assert state[registrations] == [client.emulator.app_key_id]
    assert "token-a-secret" not in str(state)
    revealed = _control(client.emulator, "GET", "state", params=dict(view, reveal_secrets="true")).json()
    assert "token-a-secret" in str(revealed)


@pytest.mark.parametrize("method, path", [("GET", "nothing"), ("PUT", "reset")])
def test_unknown_control_routes(dd_emulator, method, path):
    assert _control(dd_emulator, method, path).status_code in (404, 405)


def test_invalid_control_json_is_a_400(dd_emulator):
    answer = _control(dd_emulator, "POST", "faults", data="{", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["error"]


def test_secrets_seen_lists_every_secret_received_and_survives_resets(client):
    body = connection_body()
    body["data"]["attributes"]["integration"] = {
        "type": "HTTP", "base_url": "https://example.com",
        "credentials": {"type": "HTTPTokenAuth", "tokens": [{"name": "token", "type": "SECRET", "value": "tok-secret-1"}],
                        "headers": [{"name": "Accept", "value": "text/plain"}]}}
    assert client.post(CONNECTIONS, json=body).status_code == 201
    client.emulator.reset()
    seen = requests.get(client.emulator.url + "/_emulator/secrets_seen", timeout=5).json()["secrets"]
    assert "tok-secret-1" in seen and client.emulator.api_key in seen and client.emulator.app_key in seen
    assert "text/plain" not in seen  # header values are not secrets
    assert client.emulator.secrets_seen() == seen
