# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action connections: schema validation, the 24 integrations, secrets, AWS fields, PATCH semantics, errors."""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from emulator_helpers import CONNECTIONS, aws_integration, connection_body, create_connection, http_integration

UNKNOWN_ID = "0b5c8f52-7f0e-4a57-9d0e-2f3a4b5c6d7e"
GO_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$")

# integration type, credential type, credential fields sent, secret fields (answered as "") -- docs/dev/api-behaviour.md
VARIANTS = [
    ("AWS", "AWSAssumeRole", {"account_id": "123456789012", "role": "ddops"}, ()),
    ("Anthropic", "AnthropicAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("Asana", "AsanaAccessToken", {"access_token": "s1"}, ("access_token",)),
    ("Azure", "AzureTenant", {"app_client_id": "app", "client_secret": "s1", "tenant_id": "tenant", "custom_scopes": "x/.default"},
     ("client_secret",)),
    ("CircleCI", "CircleCIAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("Clickup", "ClickupAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("Cloudflare", "CloudflareAPIToken", {"api_token": "s1"}, ("api_token",)),
    ("Cloudflare", "CloudflareGlobalAPIToken", {"auth_email": "ops@example.invalid", "global_api_key": "s1"}, ("global_api_key",)),
    ("ConfigCat", "ConfigCatSDKKey", {"api_password": "s1", "api_username": "user", "sdk_key": "s2"}, ("api_password", "sdk_key")),
    ("Datadog", "DatadogAPIKey", {"api_key": "s1", "app_key": "s2", "datacenter": "us1", "subdomain": "acme"}, ("api_key", "app_key")),
    ("Fastly", "FastlyAPIKey", {"api_key": "s1"}, ("api_key",)),
    ("Freshservice", "FreshserviceAPIKey", {"api_key": "s1", "domain": "acme"}, ("api_key",)),
    ("GCP", "GCPServiceAccount", {"private_key": "s1", "service_account_email": "sa@example.invalid"}, ("private_key",)),
    ("Gemini", "GeminiAPIKey", {"api_key": "s1"}, ("api_key",)),
    ("Gitlab", "GitlabAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("GreyNoise", "GreyNoiseAPIKey", {"api_key": "s1"}, ("api_key",)),
    ("LaunchDarkly", "LaunchDarklyAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("Notion", "NotionAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("Okta", "OktaAPIToken", {"api_token": "s1", "domain": "acme.okta.com"}, ("api_token",)),
    ("OpenAI", "OpenAIAPIKey", {"api_token": "s1"}, ("api_token",)),
    ("ServiceNow", "ServiceNowBasicAuth", {"instance": "acme", "password": "s1", "username": "admin"}, ("password",)),
    ("Split", "SplitAPIKey", {"api_key": "s1"}, ("api_key",)),
    ("Statsig", "StatsigAPIKey", {"api_key": "s1"}, ("api_key",)),
    ("VirusTotal", "VirusTotalAPIKey", {"api_key": "s1"}, ("api_key",)),
]


def _integration(integration_type, credential_type, fields):
    return {"type": integration_type, "credentials": dict(fields, type=credential_type)}


def _blanked(integration, secrets):
    expected = copy.deepcopy(integration)
    for name in secrets:
        expected["credentials"][name] = ""
    return expected


def _invalid(detail):
    return {"errors": [{"title": "Generic Error", "detail": "error creating connection: rpc error: code = InvalidArgument desc = " + detail}]}


def _patch(client, connection_id, **attributes):
    return client.patch(CONNECTIONS + "/" + connection_id, json={"data": {"type": "action_connection", "attributes": attributes}})


@pytest.mark.parametrize("integration_type, credential_type, fields, secrets", VARIANTS, ids=[variant[1] for variant in VARIANTS])
def test_every_variant_is_created_with_secrets_blanked_in_every_answer(client, integration_type, credential_type, fields, secrets):
    integration = _integration(integration_type, credential_type, fields)
    created = client.post(CONNECTIONS, json=connection_body(name=credential_type, integration=integration))
    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"] == "application/vnd.api+json"
    data = created.json()["data"]
    expected = _blanked(integration, secrets)
    if integration_type == "AWS":
        expected["credentials"].update(external_id=data["attributes"]["integration"]["credentials"]["external_id"], principal_id="464622532012")
    assert data["type"] == "action_connection"
    assert data["attributes"]["name"] == credential_type
    assert data["attributes"]["integration"] == expected
    assert client.get(CONNECTIONS + "/" + data["id"]).json()["data"]["attributes"]["integration"] == expected
    assert client.get(CONNECTIONS).json()["data"][0]["attributes"]["integration"] == expected

    stored = client.emulator.dump_state(reveal_secrets=True)["connections"][0]["integration"]["credentials"]
    assert {name: stored[name] for name in fields} == fields
    blanked = client.emulator.dump_state()["connections"][0]["integration"]["credentials"]
    assert all(blanked[name] == "" for name in secrets)


def test_http_tokens_are_blanked_and_everything_else_echoed(client):
    integration = http_integration()
    data = client.post(CONNECTIONS, json=connection_body(integration=integration)).json()["data"]
    answered = data["attributes"]["integration"]
    assert [token["value"] for token in answered["credentials"]["tokens"]] == ["", ""]
    expected = copy.deepcopy(integration)
    for token in expected["credentials"]["tokens"]:
        token["value"] = ""
    assert answered == expected
    assert "token-a-secret" not in str(client.emulator.responses_log())


def test_omit_http_tokens_leaves_tokens_out_of_answers(client):
    client.emulator.settings(omit_http_tokens=True)
    data = client.post(CONNECTIONS, json=connection_body(integration=http_integration())).json()["data"]
    assert "tokens" not in data["attributes"]["integration"]["credentials"]
    assert "tokens" not in client.get(CONNECTIONS + "/" + data["id"]).json()["data"]["attributes"]["integration"]["credentials"]
    stored = client.emulator.dump_state(reveal_secrets=True)["connections"][0]["integration"]["credentials"]
    assert [token["value"] for token in stored["tokens"]] == ["token-a-secret", "token-b-secret"]


def test_answers_carry_the_extra_attributes_of_newer_datadog(client):
    data = create_connection(client, tags=["team:platform"])
    attributes = data["attributes"]
    assert attributes["tags"] == ["team:platform"]
    assert attributes["acting_user_can_resolve"] is True
    assert attributes["is_favorite"] is False
    assert attributes["external_secrets_manager"] == {}
    assert GO_TIME.match(attributes["created_at"]) and GO_TIME.match(attributes["last_updated"])
    assert data["relationships"]["created_by"]["data"]["type"] == "users"


@pytest.mark.parametrize("mutate, detail", [
    (lambda body: body["data"]["attributes"]["integration"].update(type="Nope"), "unknown integration type 'Nope'"),
    (lambda body: body["data"]["attributes"]["integration"]["credentials"].update(rolee=body["data"]["attributes"]["integration"]["credentials"].pop("role")),
     "AWS integration is missing required field(s): credentials.role"),
    (lambda body: body["data"]["attributes"]["integration"]["credentials"].update(rolee="x"), "unknown AWSAssumeRole credential field(s): rolee"),
    (lambda body: body["data"]["attributes"]["integration"].update(base_url="https://x"), "unknown AWS integration field(s): base_url"),
    (lambda body: body["data"]["attributes"]["integration"]["credentials"].pop("role"), "AWS integration is missing required field(s): credentials.role"),
    (lambda body: body["data"]["attributes"].pop("name"), "ActionConnectionAttributes"),
    (lambda body: body["data"].update(type="connection"), "data.type must be 'action_connection', got 'connection'"),
    (lambda body: body["data"]["attributes"]["integration"]["credentials"].update(type="AnthropicAPIKey"),
     "credentials type 'AnthropicAPIKey' does not fit integration 'AWS' (expected AWSAssumeRole)"),
    (lambda body: body["data"]["attributes"].update(tags="team:platform"), "tags"),
    (lambda body: body["data"]["attributes"].update(name=42), "name"),
], ids=["unknown-integration", "misspelled-field", "extra-field", "extra-integration-field", "missing-required", "missing-name", "data-type",
        "wrong-credential-type", "tags-not-a-list", "name-not-a-string"])
def test_bodies_the_sdk_models_reject_are_400(client, mutate, detail):
    body = connection_body()
    mutate(body)
    answer = client.post(CONNECTIONS, json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["errors"][0]
    assert error["title"] == "Generic Error"
    assert error["detail"].startswith("error creating connection: rpc error: code = InvalidArgument desc = ")
    assert detail in error["detail"]
    assert client.emulator.dump_state()["connections"] == []


@pytest.mark.parametrize("account_id", ["12345678901", "1234567890123", "12345678901a"])
def test_aws_account_id_must_have_12_digits(client, account_id):
    answer = client.post(CONNECTIONS, json=connection_body(integration=aws_integration(account_id=account_id)))
    assert answer.status_code == 400
    assert answer.json() == _invalid('invalid AWSAssumeRole.AccountId: value does not match regex pattern "^\\d{12}$"')


@pytest.mark.parametrize("tag, detail", [("team", "invalid 'team': tags must look like key:value"),
                                         ("default:x", "invalid 'default:x': the tag key \"default\" is reserved")])
def test_tags_must_be_key_value_without_the_default_key(client, tag, detail):
    answer = client.post(CONNECTIONS, json=connection_body(tags=[tag]))
    assert answer.status_code == 400
    assert answer.json() == _invalid(detail.replace("invalid '", "invalid tag '"))


def test_invalid_json_is_a_400(client):
    answer = client.post(CONNECTIONS, data="{not json", headers=dict(client.headers, **{"Content-Type": "application/json"}))
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["errors"][0]["detail"]


def test_aws_server_fields_are_added_and_external_id_rotates(client):
    body = connection_body()
    body["data"]["attributes"]["integration"]["credentials"].update(external_id="client-chosen", principal_id="000000000000")
    credentials = client.post(CONNECTIONS, json=body).json()["data"]["attributes"]["integration"]["credentials"]
    assert re.match(r"^[0-9a-f]{32}$", credentials["external_id"])
    assert credentials["principal_id"] == "464622532012"
    connection_id = client.get(CONNECTIONS).json()["data"][0]["id"]

    renamed = _patch(client, connection_id, name="renamed").json()["data"]["attributes"]["integration"]["credentials"]
    assert renamed["external_id"] == credentials["external_id"]
    rotated = _patch(client, connection_id, integration={"type": "AWS", "credentials": {"type": "AWSAssumeRole", "generate_new_external_id": True}})
    assert rotated.status_code == 200, rotated.text
    new_credentials = rotated.json()["data"]["attributes"]["integration"]["credentials"]
    assert new_credentials["external_id"] != credentials["external_id"]
    assert "generate_new_external_id" not in new_credentials
    assert new_credentials["role"] == "ddops-role" and new_credentials["account_id"] == "123456789012"


def test_patch_replaces_name_and_tags_and_merges_credential_fields(client):
    integration = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "old-token", "domain": "acme.okta.com"}}
    data = create_connection(client, name="okta", integration=integration, tags=["team:a", "env:prod"])
    answer = _patch(client, data["id"], name="okta-2", tags=["team:b"],
                    integration={"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "new-token"}})
    assert answer.status_code == 200, answer.text
    attributes = answer.json()["data"]["attributes"]
    assert attributes["name"] == "okta-2"
    assert attributes["tags"] == ["team:b"]
    assert attributes["integration"]["credentials"] == {"type": "OktaAPIToken", "api_token": "", "domain": "acme.okta.com"}
    stored = client.emulator.dump_state(reveal_secrets=True)["connections"][0]
    assert stored["integration"]["credentials"]["api_token"] == "new-token"


def test_patch_changing_credential_type_replaces_the_credentials(client):
    integration = {"type": "Cloudflare", "credentials": {"type": "CloudflareAPIToken", "api_token": "t"}}
    data = create_connection(client, integration=integration)
    incomplete = _patch(client, data["id"], integration={"type": "Cloudflare", "credentials": {"type": "CloudflareGlobalAPIToken", "auth_email": "a@b.c"}})
    assert incomplete.status_code == 400
    assert "missing required field(s): credentials.global_api_key" in incomplete.json()["errors"][0]["detail"]
    replaced = _patch(client, data["id"], integration={"type": "Cloudflare", "credentials": {
        "type": "CloudflareGlobalAPIToken", "auth_email": "a@b.c", "global_api_key": "g"}})
    assert replaced.json()["data"]["attributes"]["integration"]["credentials"] == {"type": "CloudflareGlobalAPIToken", "auth_email": "a@b.c",
                                                                                   "global_api_key": ""}


def test_patch_changing_integration_type_replaces_the_integration(client):
    data = create_connection(client)
    incomplete = _patch(client, data["id"], integration={"type": "Gitlab"})
    assert incomplete.status_code == 400
    assert "integration.credentials is required" in incomplete.json()["errors"][0]["detail"]
    replaced = _patch(client, data["id"], integration={"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": "x"}})
    assert replaced.json()["data"]["attributes"]["integration"] == {"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": ""}}


def test_patch_without_integration_type_is_rejected(client):
    data = create_connection(client)
    answer = _patch(client, data["id"], integration={"credentials": {"type": "AWSAssumeRole", "role": "x"}})
    assert answer.status_code == 400
    assert "integration.type is required" in answer.json()["errors"][0]["detail"]


def test_patch_with_an_invalid_account_id_changes_nothing(client):
    data = create_connection(client, name="keep")
    answer = _patch(client, data["id"], name="changed", integration={"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "1"}})
    assert answer.status_code == 400
    assert client.get(CONNECTIONS + "/" + data["id"]).json()["data"]["attributes"]["name"] == "keep"


def test_http_entries_merge_by_name_and_deleted_removes(client):
    data = create_connection(client, integration=http_integration())
    answer = _patch(client, data["id"], integration={"type": "HTTP", "base_url": "https://example.invalid/v2", "credentials": {
        "type": "HTTPTokenAuth",
        "tokens": [{"name": "tokenA", "type": "SECRET", "value": "x", "deleted": True},
                   {"name": "tokenC", "type": "SECRET", "value": "token-c-secret"}],
        "headers": [{"name": "X-Team", "value": "sre"}, {"name": "X-New", "value": "1"}],
        "url_parameters": [{"name": "region", "deleted": True}],
        "body": {"content": "{}", "content_type": "application/json"},
    }})
    assert answer.status_code == 200, answer.text
    integration = answer.json()["data"]["attributes"]["integration"]
    credentials = integration["credentials"]
    assert integration["base_url"] == "https://example.invalid/v2"
    assert credentials["tokens"] == [{"name": "tokenB", "type": "SECRET", "value": ""}, {"name": "tokenC", "type": "SECRET", "value": ""}]
    assert credentials["headers"] == [{"name": "X-Team", "value": "sre"}, {"name": "Authorization", "value": "Bearer {{ tokenA }}"},
                                      {"name": "X-New", "value": "1"}]
    assert credentials["url_parameters"] == []
    assert credentials["body"] == {"content": "{}", "content_type": "application/json"}
    stored = client.emulator.dump_state(reveal_secrets=True)["connections"][0]["integration"]["credentials"]
    assert [(token["name"], token["value"]) for token in stored["tokens"]] == [("tokenB", "token-b-secret"), ("tokenC", "token-c-secret")]


def test_a_new_http_header_needs_a_value(client):
    data = create_connection(client, integration=http_integration())
    answer = _patch(client, data["id"], integration={"type": "HTTP", "credentials": {"type": "HTTPTokenAuth", "headers": [{"name": "X-Other"}]}})
    assert answer.status_code == 400
    assert answer.json() == _invalid("new headers entry 'X-Other' needs a value")


@pytest.mark.parametrize("method, verb", [("GET", "getting"), ("PATCH", "creating"), ("DELETE", "deleting")])
def test_unknown_connection_is_a_404_with_the_recorded_wording(client, method, verb):
    body = {"data": {"type": "action_connection", "attributes": {"name": "x"}}} if method == "PATCH" else None
    answer = client.request(method, CONNECTIONS + "/" + UNKNOWN_ID, json=body)
    assert answer.status_code == 404
    assert answer.json() == {"errors": [{"title": "Generic Error",
                                         "detail": "error %s connection: rpc error: code = NotFound desc = connection not found" % verb}]}


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_non_uuid_connection_id_is_a_400(client, method):
    answer = client.request(method, CONNECTIONS + "/not-a-uuid", json={"data": {"type": "action_connection", "attributes": {}}})
    assert answer.status_code == 400
    assert answer.json() == {"errors": [{"title": "Generic Error", "detail": "error connectionId not a valid UUID"}]}


def test_delete_answers_204_then_404(client):
    data = create_connection(client)
    first = client.delete(CONNECTIONS + "/" + data["id"])
    assert (first.status_code, first.text) == (204, "")
    assert client.delete(CONNECTIONS + "/" + data["id"]).status_code == 404
    assert client.get(CONNECTIONS + "/" + data["id"]).status_code == 404


def test_concurrent_creates_are_all_applied(client):
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda index: client.post(CONNECTIONS, json=connection_body(name="c%d" % index)), range(24)))
    assert [answer.status_code for answer in answers] == [201] * 24
    assert len({answer.json()["data"]["id"] for answer in answers}) == 24
    assert client.emulator.counts()["routes"]["POST /api/v2/actions/connections"] == 24
