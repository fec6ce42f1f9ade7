# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._app_key_registration import REGISTRATIONS_PATH
from ansible_collections.ddops.datadog.plugins.modules import datadog_app_key_registration, datadog_app_key_registration_info

KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
PATH = REGISTRATIONS_PATH + "/" + KEY_ID
API_KEY = "unit-api-key-reg-0a1b2c"
APP_KEY = "unit-app-key-reg-3d4e5f"
CONNECTION = {"api_key": API_KEY, "app_key": APP_KEY}
FOUND = (200, {"data": {"id": KEY_ID, "type": "app_key_registration"}})
MISSING = (404, {"errors": [{"detail": "app key not found"}]})


def test_register_reports_changed_and_the_registration(run_plugin, client):
    client.answer("GET", PATH, MISSING).answer("PUT", PATH, (201, FOUND[1]))
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID))
    assert result["changed"] is True
    assert result["registration"] == {"id": KEY_ID, "type": "app_key_registration", "registered": True}
    assert "diff" not in result


def test_diff_mode_shows_registered_before_and_after(run_plugin, client):
    client.answer("GET", PATH, FOUND)
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID, state="absent"),
                        check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": {"id": KEY_ID, "registered": True}, "after": {"id": KEY_ID, "registered": False}}
    assert client.methods() == ["GET"]


def test_invalid_id_fails_before_any_request(run_plugin, client):
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id="not-a-uuid"))
    assert result["failed"] is True
    assert "app_key_id must be the application key's ID, a UUID" in result["msg"]
    assert client.calls == []


OTHER_ID = "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13"


def test_the_key_id_comes_from_dd_app_key_id_when_the_task_gives_none(run_plugin, client, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY_ID", KEY_ID.upper())
    client.answer("GET", PATH, MISSING).answer("PUT", PATH, (201, FOUND[1]))
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION))
    assert result["changed"] is True and result["registration"]["id"] == KEY_ID
    assert client.methods() == ["GET", "PUT"]


def test_the_task_option_beats_dd_app_key_id(run_plugin, client, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY_ID", OTHER_ID)
    client.answer("GET", PATH, FOUND)
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID))
    assert result["changed"] is False and result["registration"]["id"] == KEY_ID
    assert [call[1] for call in client.calls] == [PATH]


def test_without_app_key_id_nor_dd_app_key_id_it_fails_naming_both(run_plugin, client, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY_ID", "")  # empty counts as unset, as for the connection options
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION))
    assert result["failed"] is True
    assert result["msg"] == "app_key_id is required: set the app_key_id option or the DD_APP_KEY_ID environment variable"
    assert client.calls == []


def test_a_bad_dd_app_key_id_is_refused_saying_where_it_came_from_and_never_echoed(run_plugin, client, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY_ID", APP_KEY)  # the key itself, pasted where its ID belongs
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION))
    assert result["failed"] is True
    assert result["msg"].startswith("app_key_id is set to the application key itself")
    assert result["msg"].endswith("(read from the environment variable DD_APP_KEY_ID)")
    assert APP_KEY not in json.dumps(result)
    monkeypatch.setenv("DD_APP_KEY_ID", "unit-pasted-secret-9f8e7d")
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION))
    assert "app_key_id must be the application key's ID, a UUID" in result["msg"]
    assert "(read from the environment variable DD_APP_KEY_ID)" in result["msg"]
    assert "unit-pasted-secret-9f8e7d" not in json.dumps(result)
    assert client.calls == []


def test_info_does_not_read_dd_app_key_id_and_lists_every_registration(run_plugin, client, monkeypatch):
    monkeypatch.setenv("DD_APP_KEY_ID", KEY_ID)
    client.answer("GET", REGISTRATIONS_PATH, (200, {"data": [FOUND[1]["data"]], "meta": {"total": 1, "total_filtered": 1}}))
    result = run_plugin(datadog_app_key_registration_info, dict(CONNECTION))
    assert result["total"] == 1
    assert [call[1] for call in client.calls] == [REGISTRATIONS_PATH]


def test_api_error_is_one_readable_line_without_keys(run_plugin, client):
    client.answer("GET", PATH, DatadogAPIError(["Forbidden"], status=403, method="GET", path=PATH))
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID))
    assert result["failed"] is True
    assert result["msg"] == "Failed to register application key %s: HTTP 403: Forbidden (GET %s)" % (KEY_ID, PATH)
    assert "Traceback" not in json.dumps(result)
    assert API_KEY not in json.dumps(result) and APP_KEY not in json.dumps(result)


def test_unregister_error_names_the_verb(run_plugin, client):
    client.answer("DELETE", PATH, DatadogAPIError(["boom"], status=500, method="DELETE", path=PATH))
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID, state="absent"))
    assert result["msg"].startswith("Failed to unregister application key %s: HTTP 500: boom" % KEY_ID)


def test_info_lists_all_pages(run_plugin, client):
    pages = [(200, {"data": [{"id": "k%d" % i, "type": "app_key_registration"} for i in range(start, min(start + 2, 5))],
                    "meta": {"total": 5, "total_filtered": 5}}) for start in (0, 2, 4)]
    client.answer("GET", REGISTRATIONS_PATH, *pages)
    result = run_plugin(datadog_app_key_registration_info, dict(CONNECTION, page_size=2))
    assert result["changed"] is False and result["total"] == 5
    assert [item["id"] for item in result["registrations"]] == ["k0", "k1", "k2", "k3", "k4"]
    assert len(client.calls) == 3


def test_info_for_one_unregistered_key_is_empty(run_plugin, client):
    client.answer("GET", PATH, MISSING)
    result = run_plugin(datadog_app_key_registration_info, dict(CONNECTION, app_key_id=KEY_ID))
    assert result["registrations"] == [] and result["total"] == 0


def test_info_refuses_page_size_zero(run_plugin, client):
    result = run_plugin(datadog_app_key_registration_info, dict(CONNECTION, page_size=0))
    assert result["failed"] is True and "page_size must be at least 1" in result["msg"]
    assert client.calls == []


def warning_texts(result):
    """The warnings of a result as text (a module process of ansible-core 2.19+ returns each as a structured event)."""
    return [warning if isinstance(warning, str) else warning["event"]["msg"] for warning in result.get("warnings", [])]


def test_what_the_client_retried_ends_in_one_warning_on_success_and_on_failure(run_plugin, client):
    """The module's host reads the retry summary from the client it built (the seam replaces only its class)."""
    client.answer("GET", PATH, FOUND)
    client.stats.retry("HTTP 429", 2.0)  # as the real client counts a 429 waited out
    client.stats.retry("HTTP 503", 0.5)
    result = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID))
    assert result["changed"] is False
    assert warning_texts(result) == ["Datadog API: 2 retries (HTTP 429 x1, HTTP 503 x1), waited 2.5 s in total"]
    client.answer("GET", PATH, DatadogAPIError(["Forbidden"], status=403, method="GET", path=PATH))
    failed = run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID))
    assert failed["failed"] is True and warning_texts(failed) == warning_texts(result)


def test_the_keys_given_are_scrubbed_from_answer_texts(run_plugin, client):
    """The host hands its no_log values to the client it built."""
    client.answer("GET", PATH, MISSING)
    run_plugin(datadog_app_key_registration, dict(CONNECTION, app_key_id=KEY_ID, state="absent"), check_mode=True)
    assert client.scrubber.scrub("echo %s %s" % (API_KEY, APP_KEY)) == "echo ******** ********"
