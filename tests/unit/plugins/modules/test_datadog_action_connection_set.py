# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""datadog_action_connection_set through main() and in-process: results, refusals, and no secret in any output."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from ansible_collections.ddops.datadog.plugins.module_utils import _module
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH
from ansible_collections.ddops.datadog.plugins.module_utils._connection_set import ITEM_OPTIONS
from ansible_collections.ddops.datadog.plugins.modules import (
    datadog_action_connection,
    datadog_action_connection_info,
    datadog_action_connection_set,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import page, resource

API_KEY = "unit-api-key-set-5e4d3c"
APP_KEY = "unit-app-key-set-2b1a0f"
CONNECTION = {"api_key": API_KEY, "app_key": APP_KEY}
SECRETS = ("set-okta-secret-71c2", "set-token-secret-93ab", "set-vault-secret-5f0e", "set-typo-secret-1d7a")
OKTA = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "a.okta.com", "api_token": SECRETS[0]}}
HTTP = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
    "type": "HTTPTokenAuth", "tokens": [{"name": "apiToken", "value": SECRETS[1]}],
    "headers": [{"name": "Authorization", "value": "Bearer {{ apiToken }}"}]}}
NEW_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def run(run_plugin):
    def run_set(args, **kwargs):
        result = run_plugin(datadog_action_connection_set, dict(CONNECTION, **args), **kwargs)
        text = json.dumps(result)
        for secret in SECRETS + (API_KEY, APP_KEY):
            assert secret not in text, "%s leaked into %s" % (secret, text)
        return result
    return run_set


def test_create_in_diff_mode_masks_every_secret_also_from_the_mapping(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("okta", OKTA, NEW_ID)}))
    okta = {"type": "Okta", "credentials": {"domain": "a.okta.com"}}
    result = run(dict(connections=[{"name": "okta", "integration": okta}, {"name": "http", "integration": HTTP}],
                      secrets={"okta": {"api_token": SECRETS[2]}}), diff=True)
    assert result["changed"] is True
    assert result["plan"] == {"create": ["okta", "http"], "update": [], "delete": [], "unchanged": 0}
    assert result["summary"] == "2 to create, 0 to update, 0 to delete, 0 unchanged"
    headers = [diff["after_header"] for diff in result["diff"]]
    assert headers == ["action connection 'okta' (create)", "action connection 'http' (create)"]
    bodies = dict((body["data"]["attributes"]["name"], body) for _method, _path, _params, body in client.calls if body)
    assert bodies["okta"]["data"]["attributes"]["integration"]["credentials"]["api_token"] == SECRETS[2]
    assert bodies["http"]["data"]["attributes"]["integration"]["credentials"]["tokens"][0]["value"] == SECRETS[1]
    assert bodies["http"]["data"]["attributes"]["integration"]["credentials"]["headers"][0]["value"] == "Bearer {{ apiToken }}"


def test_check_mode_returns_the_plan_and_sends_no_write(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA, NEW_ID, tags=["team:sre"])))
    result = run(dict(connections=[{"name": "http", "integration": HTTP}], purge=True, purge_tags=["team:sre"]),
                 check_mode=True)
    assert client.methods() == ["GET"]
    assert result["plan"] == {"create": ["http"], "update": [], "delete": ["okta"], "unchanged": 0}
    assert result["ids"] == {"http": None} and result["changed"] is True
    assert "diff" not in result


def test_a_refusal_fails_with_the_plan_and_no_write(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(*[resource("extra %d" % n, OKTA, "00000000-0000-4000-8000-%012d" % n,
                                                           tags=["team:sre"]) for n in range(3)]))
    result = run(dict(connections=[], purge=True, purge_tags=["team:sre"], purge_max=2, purge_empty=True))
    assert result["failed"] is True and client.methods() == ["GET"]
    assert result["msg"].startswith("Refused before any change (1 read of the connection list, no write): the purge would "
                                    "delete 3 connections, more than purge_max (2): extra 0, extra 1, extra 2")
    assert result["plan"]["delete"] == ["extra 0", "extra 1", "extra 2"]


def test_an_empty_purge_scope_is_refused_before_any_request(run, client):
    result = run(dict(connections=[], purge=True))
    assert result["failed"] is True and "purge needs a scope" in result["msg"] and client.calls == []


def test_a_purge_of_an_empty_list_is_refused_before_any_request_and_runs_when_allowed(run, client):
    result = run(dict(connections=[], purge=True, purge_tags=["team:sre"]))
    assert result["failed"] is True and client.calls == []
    assert "purge with an empty connections list would delete every connection in the purge scope" in result["msg"]
    assert result["api"]["requests"] == {"total": 0}
    client.answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA, NEW_ID, tags=["team:sre"])))
    client.answer("DELETE", CONNECTIONS_PATH + "/" + NEW_ID, (204, None))
    result = run(dict(connections=[], purge=True, purge_tags=["team:sre"], purge_empty=True))
    assert result["changed"] is True and result["plan"]["delete"] == ["okta"] and client.methods() == ["GET", "DELETE"]
    assert result["api"]["requests"] == {"total": 2, "DELETE": 1, "GET": 1}


def test_the_plan_of_check_mode_is_applied_as_approved_and_refused_once_it_no_longer_holds(run, client):
    client.answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA, NEW_ID)))
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("http", HTTP, "00000000-0000-4000-8000-000000000002")}))
    items = [{"name": "okta", "integration": OKTA, "tags": ["team:sre"]}, {"name": "http", "integration": HTTP}]
    planned = run(dict(connections=items), check_mode=True)
    assert planned["saved_plan"]["summary"] == "1 to create, 1 to update, 0 to delete, 0 unchanged"
    client.answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA, NEW_ID, tags=["changed:meanwhile"])))
    refused = run(dict(connections=items, apply_plan=planned["saved_plan"], parallel=2))
    assert refused["failed"] is True and client.methods() == ["GET", "GET"]
    assert refused["msg"].startswith("Refused before any change (1 read of the connection list, no write): the "
                                     "organization or the declared connections changed since the plan was approved: "
                                     "connections[0] 'okta': still update, but the connection or its declaration changed")
    assert refused["difference"] == [refused["msg"].split("approved: ", 1)[1].split(". Make and", 1)[0]]
    client.answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA, NEW_ID)))
    client.answer("PATCH", CONNECTIONS_PATH + "/" + NEW_ID, (200, {"data": resource("okta", OKTA, NEW_ID, tags=["team:sre"])}))
    applied = run(dict(connections=items, apply_plan=planned["saved_plan"], parallel=2))
    assert applied["changed"] is True and applied["plan"] == planned["plan"] and "saved_plan" not in applied
    assert [entry["action"] for entry in applied["connections"]] == ["update", "create"]
    assert sorted(client.methods()[2:]) == ["GET", "PATCH", "POST"]


def test_a_refused_create_lists_the_secrets_to_add(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    result = run(dict(connections=[{"name": "okta", "integration": {"type": "Okta", "credentials": {"domain": "a.okta.com"}}}]))
    assert result["failed"] is True and result["missing_secrets"] == {"okta": {"api_token": "<secret>"}}


def test_every_result_has_the_api_member(run, client):
    client.answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("okta", OKTA, NEW_ID)}))
    result = run(dict(connections=[{"name": "okta", "integration": OKTA}]))
    assert result["api"] == {"requests": {"total": 2, "GET": 1, "POST": 1}, "retries": {"total": 0}, "waited": 0.0,
                             "outcome_polls": 0, "reconciliations": []}
    assert run(dict(connections=[], purge_tag="x"))["api"]["requests"] == {"total": 0}  # refused before validation
    assert run(dict(connections=[], parallel="many"))["api"]["requests"] == {"total": 0}  # refused by Ansible's validation


@pytest.mark.parametrize("item, message", [
    ({"name": "bad", "state": "gone"}, "connections[0] 'bad': value of state must be one of: present, absent, got: gone"),
    ({"name": "bad", "tag": ["a:b"], "integration": OKTA},
     "connections[0] 'bad' has unsupported option(s) tag; supported: name, connection_id, integration, tags"),
    ({"name": "bad", "integration": OKTA, "update_secrets": "never"},
     "connections[0] 'bad': value of update_secrets must be one of: on_create, always, got: never"),
])
def test_an_item_error_names_the_item(run, client, item, message):
    result = run(dict(connections=[{"name": "fine", "integration": OKTA}, item]))
    assert result["failed"] is True and client.calls == []
    assert message.replace("[0]", "[1]") in result["msg"]


def test_info_output_fed_as_is_is_refused_with_a_hint_and_masked(run, client):
    item = {"name": "okta", "id": NEW_ID, "external_id": "abc", "integration": OKTA, "api_tokn": SECRETS[3]}
    result = run(dict(connections=[item]))
    assert result["failed"] is True and client.calls == []
    assert "connections[0] 'okta' has unsupported option(s) api_tokn, external_id, id; supported: name, connection_id" \
        in result["msg"]
    assert "use its definition, for example connections | map(attribute='definition')" in result["msg"]


def test_a_misspelt_secret_field_in_an_item_is_refused_and_masked(run, client):
    integration = {"type": "Okta", "credentials": {"domain": "a.okta.com", "api_tokn": SECRETS[3]}}
    result = run(dict(connections=[{"name": "okta", "integration": integration}]))
    assert result["failed"] is True and client.calls == []
    assert "connections[0] 'okta': integration.credentials.api_tokn is not a field of OktaAPIToken credentials" in result["msg"]


def test_unknown_top_level_options_are_refused_and_masked(run, client):
    result = run(dict(connections=[], purge_tag=SECRETS[3]))
    assert result["failed"] is True and client.calls == []
    assert "Unsupported parameters for (ddops.datadog.datadog_action_connection_set) module: purge_tag" in result["msg"]


# -- documentation ------------------------------------------------------------------------------------------------------

def _as_item(value):
    """datadog_action_connection's option docs as they read under connections[] (O() and RV() references moved)."""
    if isinstance(value, dict):
        return dict((key, _as_item(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_as_item(item) for item in value]
    if isinstance(value, str):
        value = re.sub(r"O\((%s)(?=[.=)])" % "|".join(ITEM_OPTIONS), r"O(connections[].\1", value)
        return re.sub(r"RV\(connection\.", "RV(connections[].connection.", value)
    return value


def test_the_items_are_documented_exactly_as_the_options_of_datadog_action_connection():
    single = yaml.safe_load(datadog_action_connection.DOCUMENTATION)["options"]
    items = yaml.safe_load(datadog_action_connection_set.DOCUMENTATION)["options"]["connections"]["suboptions"]
    assert list(items) == list(ITEM_OPTIONS)
    assert items == _as_item(dict((name, single[name]) for name in ITEM_OPTIONS)), \
        "copy the options of datadog_action_connection into connections.suboptions (references as in _as_item)"


def test_the_connection_returned_is_documented_once_and_the_same_in_the_three_modules():
    single = yaml.safe_load(datadog_action_connection.RETURN)["connection"]["contains"]
    listed = yaml.safe_load(datadog_action_connection_info.RETURN)["connections"]["contains"]
    in_set = yaml.safe_load(datadog_action_connection_set.RETURN)["connections"]["contains"]["connection"]["contains"]
    assert in_set == single
    assert dict((key, value) for key, value in listed.items() if key not in ("definition", "access")) == single


def test_the_items_take_exactly_the_options_of_datadog_action_connection():
    single = datadog_action_connection.MODULE.argument_spec()
    for name in _module.connection_argument_spec():
        del single[name]
    assert datadog_action_connection_set.MODULE.argument_spec()["connections"]["options"] == single
