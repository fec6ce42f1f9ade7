# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, UnusableAnswerError
from ansible_collections.ddops.datadog.plugins.module_utils._app_key_registration import (
    REGISTRATIONS_PATH,
    ensure_registration,
    list_registrations,
    validate_app_key_id,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient

KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
PATH = REGISTRATIONS_PATH + "/" + KEY_ID
FOUND = (200, {"data": {"id": KEY_ID, "type": "app_key_registration"}})
MISSING = (404, {"errors": [{"detail": "app key not found"}]})


def test_uuid_is_normalized_to_lower_case():
    assert validate_app_key_id("  3F6E1C3A-8D2B-4E7F-9A1C-5B0D2E4F6A81 ") == KEY_ID


@pytest.mark.parametrize("value", ["", "not-a-uuid", "3f6e1c3a8d2b4e7f9a1c5b0d2e4f6a81", KEY_ID + "0", None, 42])
def test_a_non_uuid_is_refused_explaining_id_versus_key(value):
    with pytest.raises(InputError) as error:
        validate_app_key_id(value)
    assert "app_key_id must be the application key's ID, a UUID" in str(error.value)
    assert "not the application key itself" in str(error.value)


def test_the_refusal_never_echoes_the_value_which_may_be_the_secret_key():
    secret = "9b2e7d4f1a6c3e8b0d5f7a2c4e6b8d1f3a5c"
    with pytest.raises(InputError) as error:
        validate_app_key_id(secret)
    assert secret not in str(error.value)
    assert "36 characters" in str(error.value)


def test_the_application_key_itself_is_recognized():
    with pytest.raises(InputError, match="app_key_id is set to the application key itself"):
        validate_app_key_id("my-secret-app-key", app_key="my-secret-app-key")


def test_present_when_registered_is_one_get_and_unchanged():
    client = FakeClient().answer("GET", PATH, FOUND)
    result = ensure_registration(client, KEY_ID, "present")
    assert client.methods() == ["GET"]
    assert result["changed"] is False
    assert result["registration"] == {"id": KEY_ID, "type": "app_key_registration", "registered": True}


def test_present_when_missing_is_get_then_put():
    client = FakeClient().answer("GET", PATH, MISSING).answer("PUT", PATH, (201, FOUND[1]))
    result = ensure_registration(client, KEY_ID, "present")
    assert client.methods() == ["GET", "PUT"]
    assert result["changed"] is True
    assert result["diff"] == {"before": {"id": KEY_ID, "registered": False}, "after": {"id": KEY_ID, "registered": True}}


def test_put_answering_201_for_an_already_registered_key_does_not_decide_changed():
    client = FakeClient().answer("GET", PATH, FOUND).answer("PUT", PATH, (201, FOUND[1]))
    assert ensure_registration(client, KEY_ID, "present")["changed"] is False
    assert "PUT" not in client.methods()


def test_present_in_check_mode_only_reads():
    client = FakeClient().answer("GET", PATH, MISSING)
    result = ensure_registration(client, KEY_ID, "present", check_mode=True)
    assert client.methods() == ["GET"] and result["changed"] is True


def test_absent_is_one_delete():
    client = FakeClient().answer("DELETE", PATH, (204, None))
    result = ensure_registration(client, KEY_ID, "absent")
    assert client.methods() == ["DELETE"]
    assert result["changed"] is True and result["registration"]["registered"] is False


def test_absent_when_not_registered_is_unchanged():
    client = FakeClient().answer("DELETE", PATH, MISSING)
    assert ensure_registration(client, KEY_ID, "absent")["changed"] is False


@pytest.mark.parametrize("answer, changed", [(FOUND, True), (MISSING, False)])
def test_absent_in_check_mode_reads_instead_of_deleting(answer, changed):
    client = FakeClient().answer("GET", PATH, answer)
    assert ensure_registration(client, KEY_ID, "absent", check_mode=True)["changed"] is changed
    assert client.methods() == ["GET"]


def test_list_reads_every_page():
    def page(start, stop):
        return (200, {"data": [{"id": "id-%d" % i, "type": "app_key_registration"} for i in range(start, stop)],
                      "meta": {"total": 250, "total_filtered": 250}})
    client = FakeClient().answer("GET", REGISTRATIONS_PATH, page(0, 100), page(100, 200), page(200, 250))
    registrations = list_registrations(client, page_size=100)
    assert len(registrations) == 250 and registrations[-1]["id"] == "id-249"
    assert [call[2]["page[number]"] for call in client.calls] == [0, 1, 2]


def test_list_one_key_returns_empty_when_not_registered():
    assert list_registrations(FakeClient().answer("GET", PATH, MISSING), app_key_id=KEY_ID) == []
    assert list_registrations(FakeClient().answer("GET", PATH, FOUND), app_key_id=KEY_ID) == [
        {"id": KEY_ID, "type": "app_key_registration"}]


# -- answers without a usable body ----------------------------------------------------------------------------------

def test_a_registration_answered_204_without_a_body_is_accepted():
    client = FakeClient().answer("GET", PATH, MISSING).answer("PUT", PATH, (204, None))
    result = ensure_registration(client, KEY_ID)
    assert result["changed"] is True and result["registration"]["registered"] is True and result["warnings"] == []
    assert client.methods() == ["GET", "PUT"]


@pytest.mark.parametrize("answer", [(200, {"meta": {}}), UnusableAnswerError("not JSON", status=201, method="PUT", path=PATH)])
def test_a_registration_answered_2xx_without_a_usable_body_is_read_again(answer):
    client = FakeClient().answer("GET", PATH, MISSING, FOUND).answer("PUT", PATH, answer)
    result = ensure_registration(client, KEY_ID)
    assert result["changed"] is True and "so it may have been applied: a read shows the key registered" in result["warnings"][0]
    assert client.methods() == ["GET", "PUT", "GET"] and client.stats.outcome_polls == 1
    client = FakeClient().answer("GET", PATH, MISSING).answer("PUT", PATH, answer)
    with pytest.raises(TaskFailure, match="and a read shows the key not registered: the request was not applied"):
        ensure_registration(client, KEY_ID)


def test_an_unregistration_answered_with_a_body_is_read_again():
    client = FakeClient().answer("GET", PATH, MISSING)
    client.answer("DELETE", PATH, UnusableAnswerError("expected an empty answer", status=200, method="DELETE", path=PATH))
    result = ensure_registration(client, KEY_ID, state="absent")
    assert result["changed"] is True and "a read shows the key not registered" in result["warnings"][0]
    client = FakeClient().answer("GET", PATH, FOUND)
    client.answer("DELETE", PATH, UnusableAnswerError("expected an empty answer", status=200, method="DELETE", path=PATH))
    with pytest.raises(TaskFailure, match="^Failed to unregister application key .* a read shows the key registered"):
        ensure_registration(client, KEY_ID, state="absent")


def test_a_read_answered_200_without_the_registration_fails_naming_the_operation():
    client = FakeClient().answer("GET", PATH, (200, {"meta": {}}))
    with pytest.raises(TaskFailure, match="^Failed to register application key %s: HTTP 200: the answer has no 'data'" % KEY_ID):
        ensure_registration(client, KEY_ID)
    client = FakeClient().answer("GET", PATH, (200, {"data": {"type": "app_key_registration"}}))
    with pytest.raises(TaskFailure, match="^Failed to read application key registrations: HTTP 200: unexpected registration"):
        list_registrations(client, app_key_id=KEY_ID)
