# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The state an emulator starts with (``--state FILE``, ``Emulator(state=...)``, the fixtures) and the same format read
back with ``GET /_emulator/state``: what the API then answers, round trips, resets, refused files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
import yaml
from emulator_helpers import AUDIT_SEARCH, CONNECTIONS, HANG_GUARD, REGISTRATIONS, Client, create_connection, http_integration, start_cli

from dd_emulator.principals import ORG_ID, derived_id
from dd_emulator.server import Emulator
from dd_emulator.statefile import StateFileError

APP_KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
OTHER_KEY_ID = "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13"
PINNED_ID = "5e3b2a1c-0d4f-4e6a-8b7c-9d0e1f2a3b4c"
POLICY = "/api/v2/restriction_policy/"
STATE = {
    "connections": [
        {"name": "status page", "tags": ["team:payments"], "integration": http_integration()},
        {"id": PINNED_ID, "name": "prod aws", "integration": {"type": "AWS", "credentials": {
            "type": "AWSAssumeRole", "account_id": "123456789012", "role": "workflows", "external_id": "0123456789abcdef0123456789abcdef"}}},
    ],
    "app_key_registrations": [APP_KEY_ID, OTHER_KEY_ID],
    "principals": {
        "roles": ["Workflow Operators"],
        "teams": [{"handle": "payments", "name": "Payments"}],
        "users": [{"email": "deploy-bot@ddops.invalid", "name": "Deploy Bot", "service_account": True, "roles": ["Workflow Operators"],
                   "teams": ["payments"]}],
    },
    "restriction_policies": {
        "connection:status page": [{"relation": "resolver", "principals": ["team:payments", "user:deploy-bot@ddops.invalid"]},
                                   {"relation": "editor", "principals": ["org", "role:Datadog Admin Role"]}],
        "workflow:" + PINNED_ID: [{"relation": "runner", "principals": ["role:Workflow Operators", "user:" + OTHER_KEY_ID]}],
    },
    "audit_events": [
        {"message": "Ada deleted action connection \"old\"", "timestamp": "2026-07-13T13:25:37.434Z", "tags": ["env:prod"],
         "attributes": {"evt": {"name": "Workflow Automation"}, "action": "deleted"}},
        {"message": "an hour ago", "timestamp": "now-1h"},
    ],
}


def read_back(emulator, reveal=False):
    params = {"reveal_secrets": "true"} if reveal else {}
    answer = requests.get(emulator.url + "/_emulator/state", params=params, timeout=10)
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def seeded():
    with Emulator(state=STATE) as emulator:
        yield emulator


def test_the_api_answers_from_the_state(seeded):
    assert seeded.counts()["total"] == 0  # loading a state is no API call
    client = Client(seeded)
    connections = client.get(CONNECTIONS, params={"sort": "name"}).json()["data"]
    assert [(item["attributes"]["name"], item["attributes"]["tags"]) for item in connections] == [
        ("prod aws", []), ("status page", ["team:payments"])]
    aws, http = connections
    assert aws["id"] == PINNED_ID
    assert aws["attributes"]["integration"]["credentials"]["external_id"] == "0123456789abcdef0123456789abcdef"  # kept as given
    assert http["attributes"]["integration"]["credentials"]["tokens"][0]["value"] == ""  # answered blank, as always
    assert client.get(REGISTRATIONS).json()["meta"]["total"] == 2

    policy = client.get(POLICY + "connection%3A" + http["id"]).json()["data"]["attributes"]["bindings"]
    team, bot, operators = derived_id("team", "payments"), derived_id("user", "deploy-bot@ddops.invalid"), derived_id("role", "Workflow Operators")
    assert policy == [{"relation": "resolver", "principals": ["team:" + team, "user:" + bot]},
                      {"relation": "editor", "principals": ["org:" + ORG_ID, "role:" + derived_id("role", "Datadog Admin Role")]}]
    assert client.get(POLICY + "workflow:" + PINNED_ID).json()["data"]["attributes"]["bindings"] == [
        {"relation": "runner", "principals": ["role:" + operators, "user:" + OTHER_KEY_ID]}]

    [user] = client.get("/api/v2/users", params={"filter": "deploy-bot"}).json()["data"]
    assert user["attributes"]["service_account"] is True and user["relationships"]["roles"]["data"] == [{"id": operators, "type": "roles"}]
    events = client.post(AUDIT_SEARCH, json={"filter": {"from": "2026-01-01T00:00:00Z"}, "sort": "timestamp"}).json()["data"]
    assert [event["attributes"]["message"] for event in events] == ['Ada deleted action connection "old"', "an hour ago"]  # no others


def test_secrets_of_the_state_are_blanked_unless_revealed_and_known_to_the_leak_scan(seeded):
    blank, revealed = read_back(seeded), read_back(seeded, reveal=True)
    assert blank["connections"][0]["integration"]["credentials"]["tokens"][0]["value"] == ""
    assert revealed["connections"][0]["integration"]["credentials"]["tokens"][0]["value"] == "token-a-secret"
    assert "token-a-secret" in seeded.secrets_seen()


def test_read_back_and_loaded_again_gives_the_same_state(seeded, tmp_path):
    first = read_back(seeded, reveal=True)
    assert first["connections"][1]["id"] == PINNED_ID and first["connections"][0]["id"]
    (tmp_path / "state.yml").write_text(yaml.safe_dump(first))
    (tmp_path / "state.json").write_text(json.dumps(first))
    for path in (tmp_path / "state.yml", tmp_path / "state.json"):
        with Emulator(state=str(path)) as again:
            assert read_back(again, reveal=True) == first
    with Emulator(state=read_back(seeded)) as blanked:  # the blanked form loads too, and reads back the same
        assert read_back(blanked) == read_back(seeded)


def test_what_the_api_changed_reads_back_and_loads_again(seeded):
    client = Client(seeded)
    created = create_connection(client, name="made by the play", tags=["team:sre"])
    client.delete(CONNECTIONS + "/" + PINNED_ID)
    resource = "connection:" + created["id"]
    client.post(POLICY + resource, json={"data": {"id": resource, "type": "restriction_policy", "attributes": {"bindings": [
        {"relation": "editor", "principals": ["org:" + ORG_ID]}]}}})
    seeded.add_principals(roles=[{"name": "Workflow Operators", "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}])  # an ambiguous name
    seeded.add_principals(users=[{"email": "x@ddops.invalid", "roles": ["9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"]}])
    state = read_back(seeded, reveal=True)
    assert [connection["name"] for connection in state["connections"]] == ["status page", "made by the play"]
    assert resource in state["restriction_policies"] and "workflow:" + PINNED_ID in state["restriction_policies"]
    assert [event["attributes"]["action"] for event in state["audit_events"] if event["service"] == "workflow-automation"] == [
        "created", "deleted", "created"]
    assert state["principals"]["users"][-1]["roles"] == ["9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"]  # the ambiguous name as its ID
    with Emulator(state=state) as again:
        assert read_back(again, reveal=True) == state


def test_a_reset_returns_to_the_state(seeded):
    client = Client(seeded)
    before = read_back(seeded, reveal=True)
    create_connection(client, name="temporary")
    client.delete(CONNECTIONS + "/" + PINNED_ID)
    client.delete(POLICY + "workflow:" + PINNED_ID)
    client.delete(REGISTRATIONS + "/" + OTHER_KEY_ID)
    seeded.add_principals(roles=["Temporary"])
    seeded.reset(state=True)
    after = read_back(seeded, reveal=True)
    assert {key: value for key, value in after.items() if key != "audit_events"} == {
        key: value for key, value in before.items() if key != "audit_events"}
    assert len(after["audit_events"]) == 2 + 4  # the changes stay until the audit log is reset
    seeded.reset(audit=True)
    assert [event["message"] for event in read_back(seeded)["audit_events"]] == ['Ada deleted action connection "old"', "an hour ago"]


def test_the_state_format_is_the_default_the_debug_view_is_named_and_a_bad_format_is_refused(seeded):
    state = read_back(seeded)
    assert set(state) == {"connections", "app_key_registrations", "principals", "restriction_policies", "audit_events"}
    assert requests.get(seeded.url + "/_emulator/state", params={"format": "file"}, timeout=10).json() == state
    assert seeded.dump_state() == state
    debug = requests.get(seeded.url + "/_emulator/state", params={"format": "debug"}, timeout=10).json()
    assert debug["connections"][0]["attributes"]["name"] == "status page" and debug["audit_events"] == 2
    assert debug["connections"][0]["attributes"]["integration"]["credentials"]["tokens"][0]["value"] == ""
    revealed = requests.get(seeded.url + "/_emulator/state", params={"format": "debug", "reveal_secrets": "true"}, timeout=10).json()
    assert revealed["connections"][0]["attributes"]["integration"]["credentials"]["tokens"][0]["value"] != ""
    assert seeded.dump_state(debug=True) == debug
    refused = requests.get(seeded.url + "/_emulator/state", params={"format": "xml"}, timeout=10)
    assert refused.status_code == 400 and "file, debug" in refused.json()["error"]


@pytest.mark.dd_emulator_state(STATE)
def test_the_marker_gives_the_dd_emulator_fixture_its_state(dd_emulator):
    assert len(dd_emulator.dump_state()["connections"]) == 2


# -- refused states ------------------------------------------------------------------------------------------------------

BAD_STATES = [
    ({"conections": []}, "unknown key(s) conections (known: connections, app_key_registrations, principals, restriction_policies, audit_events)"),
    ({"connections": [{"name": "a", "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123"}}}]},
     "connections[0]: AWS integration is missing required field(s): credentials.role"),
    ({"connections": [{"name": "ok", "integration": http_integration()},
                      {"name": "b", "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "1", "role": "r"}}}]},
     'connections[1]: invalid AWSAssumeRole.AccountId: value does not match regex pattern "^\\d{12}$"'),
    ({"connections": [{"name": "a", "tag": ["x:y"], "integration": http_integration()}]},
     "connections[0]: unknown key(s) tag (known: name, tags, integration, id)"),
    ({"connections": [{"name": 5, "integration": http_integration()}]}, "connections[0].name: Invalid type for variable 'name'"),
    ({"connections": [{"name": "a", "tags": ["default:x"], "integration": http_integration()}]},
     "connections[0]: invalid tag 'default:x': the tag key \"default\" is reserved"),
    ({"connections": [{"id": PINNED_ID, "name": "a", "integration": http_integration()},
                      {"id": PINNED_ID, "name": "b", "integration": http_integration()}]},
     "connections[1]: the connection id %s is taken" % PINNED_ID),
    ({"app_key_registrations": ["not-a-uuid"]}, "app_key_registrations[0]: an application key ID must be a UUID, got 'not-a-uuid'"),
    ({"principals": {"roles": ["Ops"], "users": [{"email": "a@b", "roles": ["Opps"]}]}}, "principals.users[0].roles[0]: role 'Opps' is unknown"),
    ({"principals": {"groups": []}}, "principals: unknown key(s) groups (known: roles, teams, users)"),
    ({"restriction_policies": {"workflow:" + PINNED_ID: [{"relation": "runner", "principals": ["org", "role:Ops"]}]}},
     'restriction_policies["workflow:%s"][0].principals[1]: no role has the name \'Ops\'' % PINNED_ID),
    ({"restriction_policies": {"connection:web": [{"relation": "resolver", "principals": ["org"]}]}},
     'restriction_policies["connection:web"]: no connection of the state is named \'web\''),
    ({"restriction_policies": {"workflow:" + PINNED_ID: [{"relation": "resolver", "principals": ["org"]}]}},
     '[RelationInvalidForResourceType] relation "resolver" is not supported by "workflow" resources'),
    ({"restriction_policies": {"security_rule:x": []}},
     "restriction_policies[\"security_rule:x\"]: Invalid resource type: 'security_rule' does not support restriction policies"),
    ({"restriction_policies": {"workflow:" + PINNED_ID: [{"relation": "runner"}]}},
     'restriction_policies["workflow:%s"][0] must be a mapping with exactly the keys relation and principals' % PINNED_ID),
    ({"audit_events": [{"message": "fine"}, {"message": "bad", "timestamp": "yesterday"}]},
     "audit_events[1].timestamp: invalid time 'yesterday'"),
    ({"audit_events": [{"message": "x", "colour": "red"}]}, "audit_events[0]: unknown member(s) colour"),
    (["a list"], "the state must be a mapping"),
]


@pytest.mark.parametrize("state, message", BAD_STATES)
def test_a_state_it_cannot_use_is_refused_naming_the_entry(state, message):
    with pytest.raises(StateFileError) as refused:
        Emulator(state=state)
    assert str(refused.value).startswith("state: ")
    assert message in str(refused.value)


@pytest.mark.parametrize("state, message", [BAD_STATES[0], BAD_STATES[1], BAD_STATES[10], BAD_STATES[15]],
                         ids=["unknown key", "create schema", "unknown principal", "bad timestamp"])
def test_the_cli_refuses_a_bad_state_file_at_start_with_exit_code_2(tmp_path, state, message):
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(state))
    result = subprocess.run([sys.executable, "-m", "dd_emulator", "--state", str(path), "--port-file", str(tmp_path / "url")],
                            capture_output=True, text=True, timeout=HANG_GUARD, check=False)
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith("dd-emulator: error: %s: " % path) and message in last
    assert not (tmp_path / "url").exists()  # it never listened


@pytest.mark.parametrize("content, name, message", [
    ("connections: [\n", "broken.yml", "not valid YAML"),
    ('{"connections": [', "broken.json", "not valid JSON"),
])
def test_an_unreadable_file_is_refused(tmp_path, content, name, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(StateFileError, match=message):
        Emulator(state=str(tmp_path / name))
    with pytest.raises(StateFileError, match="cannot read the state file"):
        Emulator(state=str(tmp_path / "missing.yml"))


def test_the_cli_starts_with_a_state_file(tmp_path):
    path = tmp_path / "state.yml"
    path.write_text(yaml.safe_dump(STATE))
    process, url = start_cli(tmp_path, "--state", str(path))
    try:
        state = requests.get(url + "/_emulator/state", timeout=10).json()
        assert [connection["name"] for connection in state["connections"]] == ["status page", "prod aws"]
        assert len(state["audit_events"]) == 2 and len(state["restriction_policies"]) == 2
    finally:
        process.terminate()
        process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0
