# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""datadog_restriction_policy and its info module through both paths (module process and in-process), against a
scripted directory that keeps policies: results, check and diff mode, bad input with no request."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils import _module
from ansible_collections.ddops.datadog.plugins.modules import datadog_restriction_policy, datadog_restriction_policy_info
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.principal_directory import ORG_ID, PolicyServer, make_id

API_KEY = "unit-api-key-policy-7c1d"
APP_KEY = "unit-app-key-policy-2e9f"
CONNECTION = {"api_key": API_KEY, "app_key": APP_KEY}
CONNECTION_ID = "0b7e7b5e-3f4d-4c1a-9e2b-6a8d5f1c2e34"
RESOURCE = "connection:" + CONNECTION_ID
POLICY_ROUTE = "/api/v2/restriction_policy/connection%3A" + CONNECTION_ID
TEAM = "team:" + make_id("team", "sre")
ROLE = "role:" + make_id("role", "Datadog Admin Role")
BINDINGS = [{"relation": "resolver", "principals": ["team:sre", "org"]},
            {"relation": "editor", "principals": ["role:Datadog Admin Role"]}]


@pytest.fixture
def server(monkeypatch):
    fake = PolicyServer(roles=["Datadog Admin Role", "Datadog Admin Role (EU)"], teams=["sre", "sre-oncall"])
    monkeypatch.setattr(_module.ModuleHost, "client", property(lambda self: fake))
    return fake


def policy_args(**args):
    return dict(CONNECTION, resource_id=RESOURCE, **args)


def test_a_policy_by_names_is_written_once_and_returned_with_ids(run_plugin, server):
    result = run_plugin(datadog_restriction_policy, policy_args(bindings=BINDINGS))
    assert result["changed"] is True
    assert result["policy"] == {"resource_id": RESOURCE, "bindings": [
        {"relation": "resolver", "principals": [TEAM, "org:" + ORG_ID]}, {"relation": "editor", "principals": [ROLE]}]}
    assert result["principals"] == {"team:sre": TEAM, "org": "org:" + ORG_ID, "role:Datadog Admin Role": ROLE}
    assert "diff" not in result
    assert server.writes() == ["POST " + POLICY_ROUTE]


def test_the_same_policy_reordered_costs_the_reads_only(run_plugin, server):
    run_plugin(datadog_restriction_policy, policy_args(bindings=BINDINGS))
    server.calls[:] = []
    reordered = [{"relation": "editor", "principals": ["role:Datadog Admin Role", ROLE]},
                 {"relation": "resolver", "principals": ["org", "team:sre", "team:sre"]}]
    result = run_plugin(datadog_restriction_policy, policy_args(bindings=reordered))
    assert result["changed"] is False
    assert server.writes() == []
    assert sorted(route for route, _params in server.calls) == [
        "/api/v2/current_user", "/api/v2/roles", "/api/v2/team", "GET " + POLICY_ROUTE]


def test_check_and_diff_mode_show_the_change_as_written_and_write_nothing(run_plugin, server):
    server.policies[RESOURCE] = [{"relation": "resolver", "principals": [TEAM]}]
    result = run_plugin(datadog_restriction_policy, policy_args(bindings=BINDINGS), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {"resource_id": RESOURCE, "bindings": [{"relation": "resolver", "principals": ["team:sre"]}]},
        "after": {"resource_id": RESOURCE, "bindings": [{"relation": "resolver", "principals": ["org", "team:sre"]},
                                                        {"relation": "editor", "principals": ["role:Datadog Admin Role"]}]}}
    assert result["policy"]["bindings"][1] == {"relation": "editor", "principals": [ROLE]}
    assert server.writes() == []
    assert server.policies[RESOURCE] == [{"relation": "resolver", "principals": [TEAM]}]


def test_absent_deletes_once_then_writes_nothing(run_plugin, server):
    server.policies[RESOURCE] = [{"relation": "resolver", "principals": [TEAM]}]
    first = run_plugin(datadog_restriction_policy, policy_args(state="absent"), diff=True)
    second = run_plugin(datadog_restriction_policy, policy_args(state="absent"))
    assert first["changed"] is True and second["changed"] is False
    assert first["policy"] == {"resource_id": RESOURCE, "bindings": []}
    assert first["diff"]["after"]["bindings"] == [] and first["diff"]["before"]["bindings"] == [
        {"relation": "resolver", "principals": [TEAM]}]
    assert server.writes() == ["DELETE " + POLICY_ROUTE]


def test_allow_self_lockout_goes_with_the_write(run_plugin, server):
    run_plugin(datadog_restriction_policy, policy_args(bindings=BINDINGS, allow_self_lockout=True))
    assert server.calls[-1] == ("POST " + POLICY_ROUTE, {"allow_self_lockout": "true"})


def test_an_ambiguous_name_fails_naming_the_principal_before_any_write(run_plugin, server):
    server.add("team", "sre", make_id("team", "sre", 9))
    result = run_plugin(datadog_restriction_policy, policy_args(bindings=BINDINGS))
    assert result["failed"] is True
    assert result["msg"].startswith("Principal team:sre (bindings[0].principals[0]) is ambiguous: 2 teams have the handle 'sre'")
    assert result["principal"] == "team:sre"
    assert sorted(result["principal_ids"]) == sorted([TEAM, "team:" + make_id("team", "sre", 9)])
    assert server.writes() == [] and "GET " + POLICY_ROUTE not in [route for route, _params in server.calls]


@pytest.mark.parametrize("args, expected", [
    ({"resource_id": "connection-" + CONNECTION_ID, "bindings": BINDINGS}, "resource_id must be <type>:<id>"),
    ({"resource_id": "connection:1234", "state": "absent"}, "resource_id: connection IDs are UUIDs"),
    ({"bindings": [{"relation": "runner", "principals": ["org"]}]},
     "bindings[0].relation 'runner' is not a relation of connection resources; allowed: viewer, resolver, editor"),
    ({"bindings": [{"relation": "resolver", "principals": ["squad:sre"]}]}, "bindings[0].principals[0] must be org"),
    ({"bindings": [{"relation": "resolver", "principals": ["org:Emulator Org"]}]}, "bindings[0].principals[0]: an organization"),
    ({"bindings": [{"relation": "resolver"}]}, "missing required arguments: principals found in bindings"),
    ({}, "state is present but all of the following are missing: bindings"),
    ({"bindings": [{"relation": "resolver", "principals": ["org"], "principal": "x"}]}, "bindings[0].principal"),
])
def test_bad_input_fails_before_any_request(run_plugin, server, args, expected):
    result = run_plugin(datadog_restriction_policy, dict(policy_args(), **args))
    assert result["failed"] is True
    assert expected in result["msg"]
    assert server.calls == []
    assert API_KEY not in json.dumps(result) and APP_KEY not in json.dumps(result)


def test_absent_ignores_bindings(run_plugin, server):
    result = run_plugin(datadog_restriction_policy, policy_args(state="absent", bindings=[{"relation": "runner", "principals": ["x"]}]))
    assert result["changed"] is False and server.writes() == []


def test_info_returns_the_policy_with_ids(run_plugin, server):
    server.policies["workflow:" + CONNECTION_ID] = [{"relation": "runner", "principals": [TEAM]}]
    found = run_plugin(datadog_restriction_policy_info, dict(CONNECTION, resource_id="workflow:" + CONNECTION_ID.upper()))
    none = run_plugin(datadog_restriction_policy_info, dict(CONNECTION, resource_id="dashboard:abc-def"))
    assert found == dict(found, changed=False, policy={"resource_id": "workflow:" + CONNECTION_ID,
                                                       "bindings": [{"relation": "runner", "principals": [TEAM]}]})
    assert none["policy"] == {"resource_id": "dashboard:abc-def", "bindings": []}
    assert [route for route, _params in server.calls] == ["GET /api/v2/restriction_policy/workflow%3A" + CONNECTION_ID,
                                                          "GET /api/v2/restriction_policy/dashboard%3Aabc-def"]


def test_info_refuses_a_malformed_resource_id_before_any_request(run_plugin, server):
    result = run_plugin(datadog_restriction_policy_info, dict(CONNECTION, resource_id="workflow"))
    assert result["failed"] is True and "resource_id must be <type>:<id>" in result["msg"]
    assert server.calls == []


@pytest.mark.parametrize("module", [datadog_restriction_policy, datadog_restriction_policy_info])
def test_a_key_from_the_environment_pasted_as_resource_id_is_masked_in_the_message(run_plugin, server, monkeypatch, module):
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    args = {"resource_id": APP_KEY}
    if module is datadog_restriction_policy:
        args["state"] = "absent"
    result = run_plugin(module, args)
    assert result["failed"] is True and "resource_id must be <type>:<id>" in result["msg"]
    assert APP_KEY not in json.dumps(result)
    assert server.calls == []
