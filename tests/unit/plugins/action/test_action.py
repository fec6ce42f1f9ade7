# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action plugins: when the module logic runs in the controller process, and that it behaves like the module.

The module tests (tests/unit/plugins/modules) run every case through both paths; these tests cover what only the
action plugin does: choosing the path, the task environment, the shared session and failing safely.
"""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from ansible_collections.ddops.datadog.plugins.action.datadog_action_connection import ActionModule as ConnectionAction
from ansible_collections.ddops.datadog.plugins.action.datadog_app_key_registration import ActionModule as RegistrationAction
from ansible_collections.ddops.datadog.plugins.module_utils import _module
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._api_stats import ApiStats
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.modules import (
    datadog_action_connection,
    datadog_action_connection_info,
    datadog_action_connection_set,
    datadog_app_key_registration,
    datadog_app_key_registration_info,
    datadog_restriction_policy,
    datadog_restriction_policy_info,
)
from ansible_collections.ddops.datadog.plugins.plugin_utils import _action
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient

KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
API_KEY = "action-api-key-5e6f7a"
APP_KEY = "action-app-key-1b2c3d"
SECRET = "action-secret-token-9f8e"
ACTION_CONNECTION = datadog_action_connection.MODULE
APP_KEY_REGISTRATION = datadog_app_key_registration.MODULE
DEFINITIONS = dict((module.MODULE.name, module.MODULE) for module in (
    datadog_action_connection, datadog_action_connection_info, datadog_action_connection_set,
    datadog_app_key_registration, datadog_app_key_registration_info, datadog_restriction_policy,
    datadog_restriction_policy_info))


def make_action(cls, args=None, transport="local", async_val=0, become=False, check_mode=False, diff=False,
                environment=None, loop=None, until=None, uuid="task-1"):
    task = mock.MagicMock()
    task.args = dict(args or {})
    task.loop = loop
    task.loop_with = None
    task.until = until
    task._uuid = uuid
    task.async_val = async_val
    task.check_mode = check_mode
    task.diff = diff
    task.action = cls.DEFINITION.name
    task.environment = environment or []
    connection = mock.MagicMock()
    connection.transport = transport
    connection._shell.tmpdir = None
    play_context = mock.MagicMock()
    play_context.become = become
    templar = mock.MagicMock()
    templar.template.side_effect = lambda value, *args, **kwargs: value
    action = cls(task, connection, play_context, loader=mock.MagicMock(), templar=templar, shared_loader_obj=None)
    return action


@pytest.mark.parametrize("transport", ["local", "ansible.builtin.local"])
def test_local_tasks_run_in_process(transport):
    assert make_action(RegistrationAction, transport=transport).in_process_refusal({}) is None


@pytest.mark.parametrize("kwargs, task_vars, reason", [
    ({"transport": "ssh"}, {}, "connection ssh is not local"),
    ({"async_val": 30}, {}, "async"),
    ({"become": True}, {}, "become"),
    ({}, {"ddops_datadog_in_process": False}, "ddops_datadog_in_process is false"),
    ({}, {"ddops_datadog_in_process": "no"}, "ddops_datadog_in_process is false"),
    ({}, {"ddops_datadog_in_process": "sometimes"}, "ddops_datadog_in_process is not a boolean: 'sometimes'"),
])
def test_module_path_is_used_when_in_process_would_differ(kwargs, task_vars, reason):
    assert make_action(RegistrationAction, **kwargs).in_process_refusal(task_vars) == reason


def test_controller_without_requests_runs_the_module(monkeypatch):
    monkeypatch.setattr(_action, "HAS_REQUESTS", False)
    assert make_action(RegistrationAction).in_process_refusal({}) == "the controller's Python cannot import requests"


def test_every_module_has_an_action_plugin_with_its_definition():
    from ansible_collections.ddops.datadog.plugins.action import (  # pylint: disable=import-outside-toplevel
        datadog_action_connection,
        datadog_action_connection_info,
        datadog_action_connection_set,
        datadog_app_key_registration,
        datadog_app_key_registration_info,
        datadog_restriction_policy,
        datadog_restriction_policy_info,
    )
    plugins = (datadog_action_connection, datadog_action_connection_info, datadog_action_connection_set,
               datadog_app_key_registration, datadog_app_key_registration_info, datadog_restriction_policy,
               datadog_restriction_policy_info)
    assert sorted(plugin.ActionModule.DEFINITION.name for plugin in plugins) == sorted(DEFINITIONS)
    runtime = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "meta", "runtime.yml")
    with open(runtime) as handle:
        text = handle.read()
    for name in DEFINITIONS:
        assert "- " + name.rsplit(".", 1)[-1] in text or "- " + name in text


def test_run_dispatches_in_process_with_task_environment(monkeypatch):
    seen = {}

    def fake_run_in_process(definition, args, check_mode, diff_mode, task_environment, sessions, shared_state):
        seen.update(definition=definition, args=args, check_mode=check_mode, diff_mode=diff_mode,
                    environment=task_environment, sessions=sessions, shared_state=shared_state)
        return {"changed": True}

    monkeypatch.setattr(_action, "run_in_process", fake_run_in_process)
    action = make_action(RegistrationAction, args={"app_key_id": KEY_ID}, check_mode=True, diff=True)
    action._compute_environment_string = lambda out: out.update({"DD_API_KEY": API_KEY}) or ""
    action._execute_module = mock.Mock(side_effect=AssertionError("the module must not run"))
    result = action.run(task_vars={})
    assert result["changed"] is True
    assert seen["definition"] is APP_KEY_REGISTRATION
    assert seen["args"] == {"app_key_id": KEY_ID}
    assert seen["check_mode"] is True and seen["diff_mode"] is True
    assert seen["environment"] == {"DD_API_KEY": API_KEY}
    assert seen["sessions"] is _action.shared_session


def test_run_falls_back_to_the_module_of_the_same_name(monkeypatch):
    monkeypatch.setattr(_action, "run_in_process", mock.Mock(side_effect=AssertionError("must not run in-process")))
    action = make_action(ConnectionAction, args={"name": "x"}, transport="ssh")
    action._execute_module = mock.Mock(return_value={"changed": False, "connection": {"id": "abc"}})
    action._remove_tmp_path = mock.Mock()
    result = action.run(task_vars={})
    assert result["connection"] == {"id": "abc"}
    action._execute_module.assert_called_once_with(module_name="ddops.datadog.datadog_action_connection",
                                                   task_vars={}, wrap_async=False)


def test_task_environment_supplies_fallbacks_and_is_restored(monkeypatch):
    fake = FakeClient()
    found = {"data": {"id": KEY_ID, "type": "app_key_registration"}}
    fake.answer("GET", "/api/v2/actions/app_key_registrations/" + KEY_ID, (200, found))
    captured = {}

    def client(self):
        captured["options"] = self.connection_options()
        return fake

    monkeypatch.setattr(_module.ModuleHost, "client", property(client))
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    result = _action.run_in_process(APP_KEY_REGISTRATION, {"app_key_id": KEY_ID},
                                    task_environment={"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY})
    assert result["changed"] is False
    assert (captured["options"].api_key, captured["options"].app_key) == (API_KEY, APP_KEY)
    assert captured["options"].base_url == "https://api.datadoghq.eu"
    assert "DD_API_KEY" not in os.environ and os.environ["DD_SITE"] == "datadoghq.eu"
    assert API_KEY not in json.dumps(result) and APP_KEY not in json.dumps(result)


@pytest.mark.parametrize("module, args, message", [
    (datadog_action_connection, {"api_key": API_KEY, "app_key": APP_KEY, "name": "n", "integration": {"credentials": {}}},
     "missing required arguments: type found in integration"),
    (datadog_app_key_registration, {"api_key": API_KEY, "app_key": APP_KEY},
     "app_key_id is required: set the app_key_id option or the DD_APP_KEY_ID environment variable"),
    (datadog_app_key_registration, {"api_key": API_KEY, "app_key": APP_KEY, "app_key_id": KEY_ID, "state": "gone"},
     "value of state must be one of: present, absent, got: gone"),
    (datadog_app_key_registration, {"api_key": API_KEY, "app_key": APP_KEY, "app_key_id": KEY_ID, "timeout": "soon"},
     "timeout"),
])
def test_validation_messages_are_the_modules_own(run_module, module, args, message):
    in_process = _action.run_in_process(module.MODULE, args)
    module = run_module(module.main, args)
    assert in_process["failed"] is module["failed"] is True
    assert message in in_process["msg"]
    assert in_process["msg"] == module["msg"]


def test_an_unexpected_error_fails_the_task_with_secrets_masked():
    def broken(host):
        raise ValueError("cannot use %s" % host.params["integration"]["credentials"]["tokens"][0]["value"])

    # The token value is masked because the argument spec declares it no_log, as for the module.
    definition = ModuleDefinition(ACTION_CONNECTION.name, ACTION_CONNECTION._argument_spec, broken,
                                  **ACTION_CONNECTION.module_kwargs)
    args = {"api_key": API_KEY, "app_key": APP_KEY, "name": "web", "integration": {
        "type": "HTTP", "base_url": "https://example.com", "credentials": {
            "type": "HTTPTokenAuth", "tokens": [{"name": "bearer", "value": SECRET}]}}}
    result = _action.run_in_process(definition, args)
    assert result["failed"] is True
    assert result["msg"].startswith("ddops.datadog.datadog_action_connection failed unexpectedly: ValueError: cannot use")
    assert SECRET not in json.dumps(result) and API_KEY not in json.dumps(result)
    assert "Traceback" in result["exception"]


def test_an_error_while_reading_arguments_echoes_nothing(monkeypatch):
    monkeypatch.setattr(_action, "ControllerModule", mock.Mock(side_effect=KeyError(SECRET)))
    result = _action.run_in_process(ACTION_CONNECTION, {"name": SECRET})
    assert result == {"failed": True, "msg": "ddops.datadog.datadog_action_connection failed unexpectedly while "
                                             "reading its arguments: KeyError", "api": ApiStats().as_result()}


def test_loop_items_share_one_session_but_not_keys():
    session = _action.DatadogClient.new_session()
    first = _action.ControllerModule(APP_KEY_REGISTRATION, {"api_key": API_KEY, "app_key": APP_KEY,
                                                            "app_key_id": KEY_ID}, sessions=lambda _verify: session)
    assert first.client.session is session and session.headers["DD-APPLICATION-KEY"] == APP_KEY
    second = _action.ControllerModule(APP_KEY_REGISTRATION, {"api_key": "other-api-key", "app_key": "other-app-key",
                                                             "app_key_id": KEY_ID}, sessions=lambda _verify: session)
    assert second.client.session is session
    assert (session.headers["DD-API-KEY"], session.headers["DD-APPLICATION-KEY"]) == ("other-api-key", "other-app-key")
    assert "in-process ddops.datadog.datadog_app_key_registration" in session.headers["User-Agent"]
    # A client without an application key (API-key-only endpoints) does not inherit the previous one.
    _action.DatadogClient(ClientOptions(API_KEY, None, "https://api.datadoghq.com"), session=session)
    assert "DD-APPLICATION-KEY" not in session.headers


def test_a_session_never_serves_both_validate_certs_values():
    """A pooled connection opened without certificate checks must never carry a request that checks them."""
    args = {"api_key": API_KEY, "app_key": APP_KEY, "app_key_id": KEY_ID, "api_url": "https://api.example.test"}
    checked = _action.ControllerModule(APP_KEY_REGISTRATION, args, sessions=_action.shared_session).client
    unchecked = _action.ControllerModule(APP_KEY_REGISTRATION, dict(args, validate_certs=False),
                                         sessions=_action.shared_session).client
    again = _action.ControllerModule(APP_KEY_REGISTRATION, args, sessions=_action.shared_session).client
    assert checked.session is not unchecked.session
    assert again.session is checked.session and checked.session.verify is True and unchecked.session.verify is False
    assert _action.shared_session(False) is unchecked.session and _action.shared_session() is checked.session


def test_loop_items_of_one_task_share_state_and_nothing_else_does():
    def state(host="localhost", **kwargs):
        return make_action(ConnectionAction, **kwargs)._shared_state({"inventory_hostname": host})

    looped = state(loop="{{ items }}", uuid="t1")
    looped["listing"] = "read once"
    assert state(loop="{{ items }}", uuid="t1") is looped  # the next item of the same task
    assert state(loop="{{ items }}", uuid="t2") == {}  # another task starts afresh
    assert state(loop="{{ items }}", uuid="t1", host="other") == {}  # so does another host
    assert state(uuid="t3") == {} and state(uuid="t3") is not state(uuid="t3")  # no loop: nothing shared
    until = state(loop="{{ items }}", until="result is success", uuid="t4")
    until["listing"] = "stale"
    assert state(loop="{{ items }}", until="result is success", uuid="t4") == {}  # each retry reads again


def test_a_connection_loop_reads_the_list_once_in_process(monkeypatch):
    from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH  # pylint: disable=import-outside-toplevel
    from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import (  # pylint: disable=import-outside-toplevel
        page,
        resource,
    )

    fake = FakeClient()
    monkeypatch.setattr(_module.ModuleHost, "client", property(lambda self: fake))
    okta = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "acme.okta.com", "api_token": SECRET}}
    fake.answer("GET", CONNECTIONS_PATH, page())
    fake.answer("POST", CONNECTIONS_PATH, *[(201, {"data": resource(name, okta, connection_id="id-" + name)})
                                            for name in ("a", "b")])
    shared = {}
    for name in ("a", "b", "a"):
        result = _action.run_in_process(ACTION_CONNECTION, {"api_key": API_KEY, "app_key": APP_KEY, "name": name,
                                                            "integration": okta}, shared_state=shared)
        assert not result.get("failed"), result
    # One list for the three items; the third finds what the first created, unchanged.
    assert fake.methods() == ["GET", "POST", "POST"]
    assert result["changed"] is False and result["connection"]["id"] == "id-a"
