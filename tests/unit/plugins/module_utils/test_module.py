# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible.module_utils.ansible_release import __version__ as ansible_version

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._errors import operation
from ansible_collections.ddops.datadog.plugins.module_utils._module import DatadogModule, connection_argument_spec

API_KEY = "module-api-key-4c2a9e1f"
APP_KEY = "module-app-key-8d3b7f0e"


def read_options(module):
    options = module.connection_options()
    return dict(changed=False, base_url=options.base_url, timeout=options.timeout, retries=options.retries,
                keys_match=(options.api_key, options.app_key) == (API_KEY, APP_KEY))


def options_main():
    DatadogModule(argument_spec=connection_argument_spec(), supports_check_mode=True).execute(read_options)


def fail_to_register(module):
    with operation("register application key abc"):
        raise DatadogAPIError(["Forbidden"], status=403, method="PUT", path="/api/v2/x", request_id="r1")


def api_error_main():
    DatadogModule(argument_spec=connection_argument_spec()).execute(fail_to_register)


@pytest.mark.parametrize("environment, base_url", [
    ({"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY, "DD_SITE": "datadoghq.eu"}, "https://api.datadoghq.eu"),
    ({"DATADOG_API_KEY": API_KEY, "DATADOG_APP_KEY": APP_KEY, "DD_API_URL": "http://127.0.0.1:9"}, "http://127.0.0.1:9"),
], ids=["DD_ keys and site", "DATADOG_ keys (the second fallback) and URL"])
def test_keys_and_address_come_from_the_environment(run_module, monkeypatch, environment, base_url):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = run_module(options_main, {})
    assert result["keys_match"] is True
    assert result["base_url"] == base_url
    assert result["timeout"] == 30 and result["retries"] == 3


def test_options_win_over_environment(run_module, monkeypatch):
    monkeypatch.setenv("DD_API_KEY", "env-key")
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    result = run_module(options_main, {"api_key": API_KEY, "app_key": APP_KEY, "site": "us5.datadoghq.com"})
    assert result["keys_match"] is True
    assert result["base_url"] == "https://api.us5.datadoghq.com"


def echo_keys(module):
    options = module.connection_options()
    return dict(changed=False, echoed=[options.api_key, options.app_key])


def echo_keys_main():
    DatadogModule(argument_spec=connection_argument_spec()).execute(echo_keys)


#: ansible-core 2.21 no longer returns a module's invocation; the older cores do.
RETURNS_INVOCATION = tuple(int(part) for part in ansible_version.split(".")[:2]) < (2, 21)


@pytest.mark.parametrize("from_environment", [False, True], ids=["options", "environment"])
def test_keys_are_masked_wherever_a_result_carries_them(run_module, monkeypatch, from_environment):
    if from_environment:
        monkeypatch.setenv("DD_API_KEY", API_KEY)
        monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    result = run_module(echo_keys_main, {} if from_environment else {"api_key": API_KEY, "app_key": APP_KEY})
    # A value that is a no_log value is replaced whole (a key read from the environment is one too).
    assert result["echoed"] == ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"] * 2
    assert ("invocation" in result) is RETURNS_INVOCATION
    if RETURNS_INVOCATION:
        expected = None if from_environment else "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        assert result["invocation"]["module_args"]["api_key"] == expected
    assert API_KEY not in json.dumps(result) and APP_KEY not in json.dumps(result)


def test_missing_api_key_fails_naming_option_and_environment(run_module):
    result = run_module(options_main, {"app_key": APP_KEY})
    assert result["failed"] is True
    assert result["msg"].startswith("api_key is required: set the api_key option or the DD_API_KEY")


def test_unknown_site_fails_before_any_request(run_module):
    result = run_module(options_main, {"api_key": API_KEY, "app_key": APP_KEY, "site": "datadoghq.org"})
    assert result["failed"] is True
    assert "site 'datadoghq.org' is not a Datadog site" in result["msg"]


def test_api_errors_become_one_failed_to_line(run_module):
    result = run_module(api_error_main, {"api_key": API_KEY, "app_key": APP_KEY})
    assert result["msg"] == "Failed to register application key abc: HTTP 403: Forbidden (PUT /api/v2/x, request id r1)"
    assert result["status"] == 403 and result["request_id"] == "r1"


class RetriedClient(object):
    @staticmethod
    def retry_summary():
        return "Datadog API: 2 retries (HTTP 429 x2), waited 2.0 s in total"


def retried_main():
    module = DatadogModule(argument_spec=connection_argument_spec())
    module._client = RetriedClient()  # pylint: disable=protected-access
    module.finish(dict(changed=False))


def test_retries_are_reported_as_one_warning(run_module):
    result = run_module(retried_main, {"api_key": API_KEY, "app_key": APP_KEY})
    assert "Datadog API: 2 retries (HTTP 429 x2), waited 2.0 s in total" in json.dumps(result["warnings"])
    assert len(result["warnings"]) == 1
