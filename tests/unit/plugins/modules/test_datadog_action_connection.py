# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The modules run for real through main(): results, failures and, above all, no secret anywhere in the output."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.ansible_release import __version__ as ansible_version

from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH
from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError, DatadogOutcomeUnknownError
from ansible_collections.ddops.datadog.plugins.modules import datadog_action_connection, datadog_action_connection_info
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import (
    CONNECTION_ID,
    page,
    resource,
)

PATH = CONNECTIONS_PATH + "/" + CONNECTION_ID
API_KEY = "unit-api-key-conn-7f1e2d"
APP_KEY = "unit-app-key-conn-9c8b7a"
CONNECTION = {"api_key": API_KEY, "app_key": APP_KEY}
# Distinctive values: a test fails if any of them shows up anywhere in a module's output.
SECRETS = ("dd-api-secret-4d1a", "dd-app-secret-8e2b", "http-token-secret-3c9f", "typo-secret-6a7e", "int-secret")
DATADOG = {"type": "Datadog", "credentials": {"type": "DatadogAPIKey", "api_key": SECRETS[0], "app_key": SECRETS[1],
                                              "datacenter": "us1"}}
HTTP = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
    "type": "HTTPTokenAuth", "tokens": [{"name": "bearer", "type": "SECRET", "value": SECRETS[2]}],
    "headers": [{"name": "Accept", "value": "application/json"}]}}


#: ansible-core 2.21 no longer returns a module's invocation; the older cores do.
RETURNS_INVOCATION = tuple(int(part) for part in ansible_version.split(".")[:2]) < (2, 21)


@pytest.fixture
def run(run_plugin):
    def run_connection(args, module=datadog_action_connection, **kwargs):
        result = run_plugin(module, dict(CONNECTION, **args), **kwargs)
        text = json.dumps(result)
        for secret in SECRETS + (API_KEY, APP_KEY):
            assert secret not in text, "%s leaked into %s" % (secret, text)
        return result
    run_connection.path = run_plugin.path
    return run_connection


def test_create_in_diff_mode_masks_every_secret_everywhere(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("dd", DATADOG)}))
    result = run(dict(name="dd", integration=DATADOG, tags=["team:sre"]), diff=True)
    assert result["changed"] is True
    assert result["connection"]["integration"]["credentials"] == {"type": "DatadogAPIKey", "datacenter": "us1"}
    assert result["diff"]["after"]["integration"]["credentials"]["api_key"] == "********"
    # The in-process path always returns the invocation; a module process before ansible-core 2.21 does too.
    assert ("invocation" in result) is (run.path == "in-process" or RETURNS_INVOCATION)
    if "invocation" in result:
        invocation = result["invocation"]["module_args"]["integration"]["credentials"]
        assert invocation["api_key"] == invocation["app_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert not any(secret in json.dumps(result) for secret in SECRETS)
    assert client.calls[1][3]["data"]["attributes"]["integration"]["credentials"]["api_key"] == SECRETS[0]


def test_update_secrets_always_sends_them_and_masks_them(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(resource("web", HTTP)))
    client.answer("PATCH", PATH, (200, {"data": resource("web", HTTP)}))
    result = run(dict(name="web", integration=HTTP, update_secrets="always"), diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["integration"]["credentials"]["tokens"][0]["value"] == "******** (new value sent)"
    assert client.calls[1][3]["data"]["attributes"]["integration"]["credentials"]["tokens"][0]["value"] == SECRETS[2]


def test_unchanged_run_reports_no_change_and_no_diff_without_diff_mode(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(resource("web", HTTP)))
    result = run(dict(name="web", integration=HTTP))
    assert result["changed"] is False and "diff" not in result
    assert len(client.calls) == 1


def test_check_mode_sends_no_write(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    result = run(dict(name="dd", integration=DATADOG), check_mode=True, diff=True)
    assert result["changed"] is True and result["connection"]["id"] is None
    assert client.methods() == ["GET"]


def test_a_misspelt_secret_field_is_reported_and_its_value_masked(run, client):
    credentials = {"type": "DatadogAPIKey", "api_kye": SECRETS[3], "app_key": SECRETS[1], "datacenter": "us1"}
    integration = {"type": "Datadog", "credentials": credentials}
    result = run(dict(name="dd", integration=integration))
    assert result["failed"] is True
    assert "integration.credentials.api_kye is not a field of DatadogAPIKey credentials; allowed: api_key, app_key, " \
           "datacenter, subdomain" in result["msg"]
    assert SECRETS[3] not in json.dumps(result)
    assert client.calls == []


def test_a_credential_field_put_at_the_top_level_is_refused_and_masked(run, client):
    result = run(dict(name="dd", integration=DATADOG, api_tokn=SECRETS[3], credentials={"api_key": SECRETS[3]}))
    assert result["failed"] is True
    assert result["msg"].startswith("Unsupported parameters for (ddops.datadog.datadog_action_connection) module: "
                                    "api_tokn, credentials. Supported parameters include: access, api_key, api_url, app_key, ")
    assert client.calls == []


def test_a_badly_shaped_token_list_is_reported_and_masked(run, client):
    integration = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {"tokens": SECRETS[2]}}
    result = run(dict(name="web", integration=integration))
    assert result["failed"] is True
    assert result["msg"] == "integration.credentials.tokens must be a list of dicts with name and value"
    assert client.calls == []


def test_an_ansible_level_failure_still_masks_the_secrets(run, client):
    result = run(dict(name="dd", integration=DATADOG, state="gone"))
    assert result["failed"] is True and "state" in result["msg"]
    result = run(dict(name="dd", integration=dict(DATADOG, type="Slack")))
    assert result["failed"] is True and "value of type must be one of: AWS, Anthropic" in result["msg"]
    assert client.calls == []


def test_a_number_given_as_a_secret_is_masked(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("ai", {"type": "OpenAI", "credentials": {
        "type": "OpenAIAPIKey", "api_token": ""}})}))
    result = run(dict(name="ai", integration={"type": "OpenAI", "credentials": {"api_token": 98765432123}}), diff=True)
    assert result["changed"] is True
    assert "98765432123" not in json.dumps(result)


@pytest.mark.parametrize("args, text", [
    (dict(name="a", integration={"type": "AWS", "credentials": {"account_id": "12345", "role": "r"}}),
     "integration.credentials.account_id must be a 12-digit AWS account ID; got '12345'"),
    (dict(name="a", integration={"type": "HTTP", "base_url": "http://plain.example.com"}),
     "integration.base_url must be an https:// URL"),
    (dict(name="a", integration={"type": "HTTP", "base_url": "https://a.example", "credentials": {
        "headers": [{"name": "X", "value": "1"}, {"name": "X", "value": "2"}]}}),
     "integration.credentials.headers[1].name 'X' is used more than once"),
    (dict(name="a", integration={"type": "Okta", "credentials": {"api_token": "okta-token", "domain": "d.okta.com"}},
          tags=["default:x"]),
     "tags[0] 'default:x' uses the tag key 'default'"),
    (dict(connection_id="prod", integration=DATADOG), "connection_id must be the connection's ID, a UUID"),
    (dict(name=" ", integration=DATADOG), "name must be a non-empty string"),
    (dict(integration=DATADOG), "one of the following is required: name, connection_id"),
    (dict(name="a", integration={"type": "AWS", "credentials": {"type": "OpenAIAPIKey"}}),
     "integration.credentials.type 'OpenAIAPIKey' does not fit integration type AWS; allowed: AWSAssumeRole"),
    (dict(name="a", integration=DATADOG, api_url="http://example.com"), "api_url uses plain http://"),
])
def test_bad_input_fails_clearly_before_any_request(run, client, args, text):
    result = run(args)
    assert result["failed"] is True
    assert text in result["msg"]
    assert client.calls == []


def test_api_errors_are_one_line_and_never_carry_a_secret(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, DatadogAPIError(["Generic Error: bad key %s" % SECRETS[0]], status=400,
                                                            method="POST", path=CONNECTIONS_PATH))
    result = run(dict(name="dd", integration=DATADOG))
    assert result["failed"] is True and result["status"] == 400
    assert result["msg"].startswith("Failed to create action connection 'dd': HTTP 400: Generic Error: bad key ")


def test_ambiguous_name_returns_the_ids(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(resource("dd", DATADOG), resource("dd", DATADOG, "other-id")))
    result = run(dict(name="dd", integration=DATADOG))
    assert result["failed"] is True
    assert result["connection_ids"] == [CONNECTION_ID, "other-id"]
    assert "pass connection_id to choose one" in result["msg"]


def test_list_endpoint_missing_tells_to_pass_connection_id(run, client):
    client.answer("GET", CONNECTIONS_PATH, DatadogAPIError(["Not Found"], status=404))
    result = run(dict(name="dd", integration=DATADOG))
    assert result["failed"] is True and "pass connection_id" in result["msg"]


def test_a_lost_create_answer_is_adopted_with_a_warning(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(), page(resource("dd", DATADOG)))
    client.answer("POST", CONNECTIONS_PATH, DatadogOutcomeUnknownError("no answer", method="POST", path=CONNECTIONS_PATH))
    result = run(dict(name="dd", integration=DATADOG))
    assert result["changed"] is True and result["connection"]["id"] == CONNECTION_ID
    assert "found by name and adopted" in json.dumps(result["warnings"])  # 2.19+ warnings are structured
    assert client.methods() == ["GET", "POST", "GET"]


def test_absent_by_id_with_diff(run, client):
    client.answer("DELETE", PATH, (204, None))
    result = run(dict(connection_id=CONNECTION_ID, state="absent", integration=DATADOG), diff=True)
    assert result["changed"] is True and result["diff"] == {"before": {"id": CONNECTION_ID}, "after": {}}


# -- info ------------------------------------------------------------------------------------------------------------------------

def test_info_lists_without_secrets(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(resource("dd", DATADOG), resource("web", HTTP, "other-id")))
    result = run(dict(), module=datadog_action_connection_info)
    assert result["changed"] is False and result["total"] == 2
    assert result["connections"][1]["integration"]["credentials"]["tokens"] == [{"name": "bearer", "type": "SECRET"}]
    assert "api_key" not in json.dumps(result["connections"])


def test_info_rejects_bad_input_before_any_request(run, client):
    assert "connection_id must be the connection's ID" in run(dict(connection_id="x"), module=datadog_action_connection_info)["msg"]
    assert "page_size must be between 1 and 100" in run(dict(page_size=500), module=datadog_action_connection_info)["msg"]
    assert client.calls == []


def test_info_by_missing_id_is_empty(run, client):
    client.answer("GET", PATH, (404, {"errors": ["not found"]}))
    result = run(dict(connection_id=CONNECTION_ID), module=datadog_action_connection_info)
    assert result["connections"] == [] and result["total"] == 0
