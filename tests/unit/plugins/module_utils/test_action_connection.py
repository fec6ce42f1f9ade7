# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reconcile logic without Ansible: identity, exact request counts, lost creates, check mode, the argument spec."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    ConnectionListing,
    desired_from_params,
    ensure_connection,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH, list_connections
from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    DatadogAPIError,
    DatadogOutcomeUnknownError,
    UnusableAnswerError,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._module import unsupported_options
from ansible_collections.ddops.datadog.plugins.modules.datadog_action_connection import MODULE
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import (
    CONNECTION_ID,
    page,
    resource,
)

PATH = CONNECTIONS_PATH + "/" + CONNECTION_ID
OTHER_ID = "5f7c0f4e-3d9b-4a43-9e0f-2b1d8c6a7e11"
OKTA = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "okta-secret-1", "domain": "a.okta.com"}}
AWS = {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r1"}}
NOT_FOUND = (404, {"errors": [{"title": "Generic Error", "detail": "error getting connection: rpc error: code = NotFound"}]})


def desired(**params):
    base = {"state": "present", "update_secrets": "on_create", "generate_new_external_id": False}
    base.update(params)
    return desired_from_params(base)


def routes(client):
    return ["%s %s" % (method, path) for method, path, _params, _body in client.calls]


# -- request counts ---------------------------------------------------------------------------------------------------------

def test_create_by_name_is_one_list_page_and_one_post():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("other", AWS, OTHER_ID)))
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("okta", OKTA)}))
    result = ensure_connection(client, desired(name="okta", integration=OKTA, tags=["team:sre"]))
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "POST " + CONNECTIONS_PATH]
    assert client.calls[0][2] == {"page[size]": 100, "page[number]": 0}
    assert client.calls[1][3] == {"data": {"type": "action_connection", "attributes": {
        "name": "okta", "integration": OKTA, "tags": ["team:sre"]}}}
    assert result["changed"] is True
    assert result["connection"] == {"id": CONNECTION_ID, "name": "okta", "tags": [], "integration": {
        "type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "a.okta.com"}}}
    assert result["diff"]["before"] == {}


def test_unchanged_by_name_is_the_list_only():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA)))
    result = ensure_connection(client, desired(name="okta", integration=OKTA))
    assert routes(client) == ["GET " + CONNECTIONS_PATH]
    assert result["changed"] is False


def test_unchanged_by_id_is_one_get():
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    result = ensure_connection(client, desired(connection_id=CONNECTION_ID, integration=OKTA))
    assert routes(client) == ["GET " + PATH]
    assert result["changed"] is False and result["connection"]["id"] == CONNECTION_ID


def test_update_is_the_read_and_one_minimal_patch():
    changed = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "okta-secret-1", "domain": "b.okta.com"}}
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    client.answer("PATCH", PATH, (200, {"data": resource("okta", changed)}))
    result = ensure_connection(client, desired(connection_id=CONNECTION_ID, integration=changed))
    assert routes(client) == ["GET " + PATH, "PATCH " + PATH]
    assert client.calls[1][3] == {"data": {"type": "action_connection", "attributes": {
        "integration": {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "b.okta.com"}}}}}
    assert result["changed"] is True
    assert result["connection"]["integration"]["credentials"]["domain"] == "b.okta.com"


def test_update_by_name_patches_the_connection_found():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA)))
    client.answer("PATCH", PATH, (200, {"data": resource("okta", OKTA, tags=["a:b"])}))
    result = ensure_connection(client, desired(name="okta", integration=OKTA, tags=["a:b"]))
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "PATCH " + PATH]
    assert client.calls[1][3]["data"]["attributes"] == {"tags": ["a:b"]}
    assert result["diff"] == {"before": {"name": "okta", "tags": [], "integration": {
        "type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "********", "domain": "a.okta.com"}}},
        "after": {"name": "okta", "tags": ["a:b"], "integration": {
            "type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "********", "domain": "a.okta.com"}}}}


def test_absent_by_id_is_one_delete_and_404_means_unchanged():
    client = FakeClient().answer("DELETE", PATH, (204, None), NOT_FOUND)
    first = ensure_connection(client, desired(connection_id=CONNECTION_ID, state="absent"))
    second = ensure_connection(client, desired(connection_id=CONNECTION_ID, state="absent"))
    assert routes(client) == ["DELETE " + PATH, "DELETE " + PATH]
    assert first["changed"] is True and first["connection"] == {"id": CONNECTION_ID}
    assert first["diff"] == {"before": {"id": CONNECTION_ID}, "after": {}}
    assert second["changed"] is False and second["connection"] == {}


def test_absent_by_name_is_the_list_and_a_delete():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA)), page())
    client.answer("DELETE", PATH, (204, None))
    first = ensure_connection(client, desired(name="okta", state="absent", integration={"anything": "ignored"}))
    second = ensure_connection(client, desired(name="okta", state="absent"))
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "DELETE " + PATH, "GET " + CONNECTIONS_PATH]
    assert first["changed"] and first["connection"]["name"] == "okta"
    assert first["diff"]["before"]["integration"]["credentials"] == {"type": "OktaAPIToken", "domain": "a.okta.com"}
    assert not second["changed"]


def test_every_page_of_the_list_is_read_to_find_a_name():
    items = [resource("c%d" % index, OKTA, "%08d-0000-4000-8000-000000000000" % index) for index in range(250)]
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(*items[:100], total=250), page(*items[100:200], total=250),
                                 page(*items[200:], total=250))
    result = ensure_connection(client, desired(name="c249", integration=OKTA))
    assert routes(client) == ["GET " + CONNECTIONS_PATH] * 3
    assert not result["changed"] and result["connection"]["id"] == items[249]["id"]


# -- check mode -------------------------------------------------------------------------------------------------------------

def test_check_mode_reads_only_and_reports_the_same_change():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    created = ensure_connection(client, desired(name="okta", integration=OKTA), check_mode=True)
    assert created["changed"] and created["connection"]["id"] is None
    assert "okta-secret-1" not in json.dumps(created)

    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    updated = ensure_connection(client, desired(connection_id=CONNECTION_ID, name="renamed"), check_mode=True)
    assert updated["changed"] and updated["diff"]["after"] == {"name": "renamed"}

    deleted = ensure_connection(client, desired(connection_id=CONNECTION_ID, state="absent"), check_mode=True)
    assert deleted["changed"] and deleted["connection"]["name"] == "okta"

    rotated = ensure_connection(client, desired(connection_id=CONNECTION_ID, name="okta", integration=AWS,
                                                generate_new_external_id=True), check_mode=True)
    assert rotated["changed"]
    assert set(routes(client)) == {"GET " + PATH}


# -- identity failures ------------------------------------------------------------------------------------------------------

def test_ambiguous_name_fails_listing_the_ids_and_changes_nothing():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("dup", OKTA), resource("dup", AWS, OTHER_ID)))
    with pytest.raises(TaskFailure) as caught:
        ensure_connection(client, desired(name="dup", integration=OKTA))
    assert str(caught.value) == ("2 action connections are named 'dup' (ids: %s, %s); pass connection_id to choose one"
                                 % (CONNECTION_ID, OTHER_ID))
    assert caught.value.result == {"connection_ids": [CONNECTION_ID, OTHER_ID]}
    assert routes(client) == ["GET " + CONNECTIONS_PATH]


def test_names_match_exactly():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("Okta", OKTA), resource("okta ", OKTA, OTHER_ID)))
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("okta", OKTA, "new")}))
    assert ensure_connection(client, desired(name="okta", integration=OKTA))["changed"]
    assert routes(client)[-1] == "POST " + CONNECTIONS_PATH


@pytest.mark.parametrize("status", [404, 405])
def test_missing_list_endpoint_says_to_pass_connection_id(status):
    client = FakeClient().answer("GET", CONNECTIONS_PATH, DatadogAPIError(["Not Found"], status=status))
    with pytest.raises(TaskFailure, match="pass connection_id to manage the connection by its ID"):
        ensure_connection(client, desired(name="okta", integration=OKTA))


def test_unknown_connection_id_is_an_error_that_says_so():
    client = FakeClient().answer("GET", PATH, NOT_FOUND)
    with pytest.raises(TaskFailure) as caught:
        ensure_connection(client, desired(connection_id=CONNECTION_ID, integration=OKTA))
    assert str(caught.value).startswith("action connection %s does not exist (HTTP 404)" % CONNECTION_ID)


def test_api_errors_name_the_step():
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    client.answer("PATCH", PATH, DatadogAPIError(["Generic Error: bad"], status=400, method="PATCH", path=PATH))
    with pytest.raises(TaskFailure) as caught:
        ensure_connection(client, desired(connection_id=CONNECTION_ID, name="new"))
    assert str(caught.value).startswith("Failed to update action connection 'new' (%s): " % CONNECTION_ID)
    assert caught.value.cause.status == 400 and caught.value.result["status"] == 400

    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, DatadogAPIError(["Forbidden"], status=403))
    with pytest.raises(TaskFailure, match="Failed to create action connection 'okta': HTTP 403: Forbidden"):
        ensure_connection(client, desired(name="okta", integration=OKTA))

    client = FakeClient().answer("GET", CONNECTIONS_PATH, DatadogAPIError(["Forbidden"], status=403))
    with pytest.raises(TaskFailure, match="Failed to list action connections: HTTP 403"):
        ensure_connection(client, desired(name="okta", integration=OKTA))


def test_a_type_change_without_the_complete_integration_fails_after_the_read():
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    with pytest.raises(InputError, match="a change of integration type from Okta to AWS needs the complete integration"):
        ensure_connection(client, desired(connection_id=CONNECTION_ID, integration={"type": "AWS", "credentials": {"role": "r"}}))
    assert routes(client) == ["GET " + PATH]


# -- a create whose answer was lost ----------------------------------------------------------------------------------------

LOST = DatadogOutcomeUnknownError("no answer after the request was sent (connection closed without an answer); it may "
                                  "have been applied", method="POST", path=CONNECTIONS_PATH)


def test_a_lost_create_answer_adopts_the_connection_found_by_name():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(), page(resource("okta", OKTA)))
    client.answer("POST", CONNECTIONS_PATH, LOST)
    result = ensure_connection(client, desired(name="okta", integration=OKTA))
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "POST " + CONNECTIONS_PATH, "GET " + CONNECTIONS_PATH]
    assert result["changed"] and result["connection"]["id"] == CONNECTION_ID
    assert result["warnings"] == ["The create request for action connection 'okta' got no usable answer (%s), but Datadog "
                                  "had applied it: the connection was found by name and adopted (id %s)"
                                  % (LOST, CONNECTION_ID)]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_create_answered_with_a_server_error_is_reconciled_by_name_not_failed(status):
    error = DatadogAPIError(["Service Unavailable"], status=status, method="POST", path=CONNECTIONS_PATH)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(), page(resource("okta", OKTA)))
    client.answer("POST", CONNECTIONS_PATH, error)
    result = ensure_connection(client, desired(name="okta", integration=OKTA))
    assert result["connection"]["id"] == CONNECTION_ID and "found by name and adopted" in result["warnings"][0]
    assert routes(client).count("POST " + CONNECTIONS_PATH) == 1


def test_a_create_refused_with_400_fails_at_once():
    error = DatadogAPIError(["Generic Error: bad"], status=400, method="POST", path=CONNECTIONS_PATH)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page()).answer("POST", CONNECTIONS_PATH, error)
    with pytest.raises(TaskFailure):
        ensure_connection(client, desired(name="okta", integration=OKTA))
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "POST " + CONNECTIONS_PATH]


def test_a_lost_create_is_never_sent_again_it_is_waited_for_then_adopted():
    # Datadog applies the create after the client gave up: the third read after the create shows it.
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(), page(), page(), page(resource("okta", OKTA)))
    client.answer("POST", CONNECTIONS_PATH, LOST)
    result = ensure_connection(client, desired(name="okta", integration=OKTA))
    assert result["changed"] is True and result["connection"]["id"] == CONNECTION_ID
    assert routes(client).count("POST " + CONNECTIONS_PATH) == 1
    assert routes(client).count("GET " + CONNECTIONS_PATH) == 4
    assert [seconds for seconds, _cause in client.waits] == [0.25, 0.5]
    assert "found by name and adopted" in result["warnings"][0]


def test_a_lost_create_that_never_shows_fails_saying_the_outcome_is_unknown():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, LOST)
    with pytest.raises(TaskFailure) as caught:
        ensure_connection(client, desired(name="okta", integration=OKTA))
    message = str(caught.value)
    assert message.startswith("Failed to create action connection 'okta': the request was sent but got no answer")
    assert "The outcome is unknown" in message and "Re-running the task is safe" in message
    assert routes(client).count("POST " + CONNECTIONS_PATH) == 1
    # It waited OUTCOME_WAIT_FACTOR x timeout (6 x 30 s) on the fake clock, with growing pauses.
    assert client.now == 180 and max(seconds for seconds, _cause in client.waits) == 8.0


def test_a_create_answered_503_and_not_applied_is_sent_again_up_to_the_retries():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, DatadogAPIError(["Service Unavailable"], status=503, method="POST",
                                                            path=CONNECTIONS_PATH), (201, {"data": resource("okta", OKTA)}))
    result = ensure_connection(client, desired(name="okta", integration=OKTA))
    assert result["changed"] is True and result["connection"]["id"] == CONNECTION_ID
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "POST " + CONNECTIONS_PATH, "GET " + CONNECTIONS_PATH,
                              "POST " + CONNECTIONS_PATH]
    assert "was not applied (no connection with that name exists): sent again" in result["warnings"][0]


def test_creates_that_keep_failing_with_503_give_up_after_the_retries():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, DatadogAPIError(["Service Unavailable"], status=503, method="POST",
                                                            path=CONNECTIONS_PATH))
    client.options = ClientOptions("k", "a", "https://api.example.test", retries=1)
    with pytest.raises(TaskFailure, match="no connection with that name exists afterwards, so nothing was created"):
        ensure_connection(client, desired(name="okta", integration=OKTA))
    assert routes(client).count("POST " + CONNECTIONS_PATH) == 2


def test_a_lost_create_with_duplicates_afterwards_lists_them():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(), page(resource("okta", OKTA), resource("okta", OKTA, OTHER_ID)))
    client.answer("POST", CONNECTIONS_PATH, LOST)
    with pytest.raises(TaskFailure, match="2 action connections are named 'okta'"):
        ensure_connection(client, desired(name="okta", integration=OKTA))


def test_rotation_patch_is_not_retried_blindly():
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("aws", AWS)}))
    client.answer("PATCH", PATH, (200, {"data": resource("aws", AWS)}))
    ensure_connection(client, desired(connection_id=CONNECTION_ID, generate_new_external_id=True))
    assert client.calls[1][3]["data"]["attributes"] == {
        "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "generate_new_external_id": True}}}


# -- answers without a usable body, 404 for what the list showed ----------------------------------------------------------

NO_DATA = (200, {"meta": {}})


def unusable(method, path, status=200):
    return UnusableAnswerError("expected a JSON answer but got a text/plain answer (15 bytes): 'upstream reset'",
                               status=status, method=method, path=path)


@pytest.mark.parametrize("answer", [NO_DATA, (201, None), (200, {"data": []}), unusable("POST", CONNECTIONS_PATH, 201)],
                         ids=["200 without data", "201 empty", "data not a connection", "not JSON"])
def test_a_create_answered_2xx_without_a_usable_body_is_found_by_name_and_adopted_never_sent_twice(answer):
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(), page(resource("okta", OKTA)))
    client.answer("POST", CONNECTIONS_PATH, answer)
    result = ensure_connection(client, desired(name="okta", integration=OKTA))
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "POST " + CONNECTIONS_PATH, "GET " + CONNECTIONS_PATH]
    assert result["changed"] is True and result["connection"]["id"] == CONNECTION_ID
    status = answer.status if isinstance(answer, Exception) else answer[0]
    assert result["warnings"][0].startswith("The create request for action connection 'okta' was answered HTTP %d but "
                                            "without a usable answer (" % status)
    assert "so it may have been applied: the connection was found by name and adopted (id %s)" % CONNECTION_ID \
        in result["warnings"][0]
    api = client.stats.as_result()
    assert api["outcome_polls"] == 1 and api["retries"] == {"total": 0}
    assert api["reconciliations"] == [{"operation": "create", "name": "okta", "cause": "unusable answer",
                                       "outcome": "adopted", "id": CONNECTION_ID}]


def test_a_create_answered_2xx_without_a_usable_body_and_not_listed_fails_saying_it_may_have_been_applied():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page()).answer("POST", CONNECTIONS_PATH, NO_DATA)
    with pytest.raises(TaskFailure) as error:
        ensure_connection(client, desired(name="okta", integration=OKTA))
    assert str(error.value).startswith("Failed to create action connection 'okta': Datadog answered HTTP 200, so it "
                                       "accepted the request, but without a usable answer (HTTP 200: the answer has no "
                                       "'data' member (got an object with keys meta)")
    assert "The request may have been applied: run the task again" in str(error.value)
    assert routes(client).count("POST " + CONNECTIONS_PATH) == 1


def test_an_update_answered_2xx_without_a_usable_body_is_read_again_and_adopted_when_it_shows_the_change():
    changed = dict(OKTA, credentials=dict(OKTA["credentials"], domain="b.okta.com"))
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}), (200, {"data": resource("okta", changed)}))
    client.answer("PATCH", PATH, NO_DATA)
    result = ensure_connection(client, desired(connection_id=CONNECTION_ID, integration=changed))
    assert routes(client) == ["GET " + PATH, "PATCH " + PATH, "GET " + PATH]
    assert result["changed"] is True and result["connection"]["integration"]["credentials"]["domain"] == "b.okta.com"
    assert "was answered HTTP 200 but without a usable answer" in result["warnings"][0]
    assert "so it may have been applied: the connection, read again, shows the change" in result["warnings"][0]
    assert client.stats.as_result()["reconciliations"][0]["outcome"] == "applied"


def test_an_update_answered_2xx_without_a_usable_body_that_does_not_show_fails_saying_so():
    changed = dict(OKTA, credentials=dict(OKTA["credentials"], domain="b.okta.com"))
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    client.answer("PATCH", PATH, unusable("PATCH", PATH))
    with pytest.raises(TaskFailure) as error:
        ensure_connection(client, desired(connection_id=CONNECTION_ID, integration=changed))
    assert str(error.value).startswith("Failed to update action connection %s: Datadog answered HTTP 200, so it accepted "
                                       "the request, but without a usable answer (HTTP 200: expected a JSON answer"
                                       % CONNECTION_ID)
    assert str(error.value).endswith("and the connection read again does not show the change. The update may have been "
                                     "applied in part or not at all: run the task again")
    assert routes(client) == ["GET " + PATH, "PATCH " + PATH, "GET " + PATH]


@pytest.mark.parametrize("by", ["id", "name"])
def test_a_delete_answered_404_is_unchanged_whether_addressed_by_id_or_found_in_the_list(by):
    """404 for what the list just showed: someone deleted it in between; this run changed nothing."""
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA))).answer("DELETE", PATH, NOT_FOUND)
    params = {"connection_id": CONNECTION_ID} if by == "id" else {"name": "okta"}
    result = ensure_connection(client, desired(state="absent", **params))
    assert result["changed"] is False and result["connection"] == {} and result["warnings"] == []
    assert result["diff"] == {"before": {}, "after": {}}
    assert routes(client)[-1] == "DELETE " + PATH


@pytest.mark.parametrize("by", ["id", "name"])
def test_a_delete_answered_with_a_body_is_read_again_gone_means_deleted(by):
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA))).answer("GET", PATH, NOT_FOUND)
    client.answer("DELETE", PATH, unusable("DELETE", PATH))
    params = {"connection_id": CONNECTION_ID} if by == "id" else {"name": "okta"}
    result = ensure_connection(client, desired(state="absent", **params))
    assert result["changed"] is True and "so it may have been applied: the connection, read again, is gone" in result["warnings"][0]
    assert routes(client)[-2:] == ["DELETE " + PATH, "GET " + PATH]


def test_a_delete_answered_with_a_body_that_left_the_connection_fails_saying_it_was_not_applied():
    client = FakeClient().answer("GET", PATH, (200, {"data": resource("okta", OKTA)}))
    client.answer("DELETE", PATH, unusable("DELETE", PATH))
    with pytest.raises(TaskFailure, match="and the connection still exists: the delete was not applied"):
        ensure_connection(client, desired(state="absent", connection_id=CONNECTION_ID))


@pytest.mark.parametrize("check_mode, state", [(False, "present"), (True, "absent")])
def test_a_read_by_id_answered_200_without_data_fails_naming_the_read(check_mode, state):
    client = FakeClient().answer("GET", PATH, NO_DATA)
    with pytest.raises(TaskFailure) as error:
        ensure_connection(client, desired(connection_id=CONNECTION_ID, state=state), check_mode=check_mode)
    assert str(error.value) == ("Failed to read action connection %s: HTTP 200: the answer has no 'data' member (got an "
                                "object with keys meta) (GET %s)" % (CONNECTION_ID, PATH))
    with pytest.raises(TaskFailure, match="^Failed to read action connection %s: HTTP 200: the answer has no 'data'" % CONNECTION_ID):
        list_connections(client, connection_id=CONNECTION_ID)


# -- desired state from options ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, message", [
    ({}, "one of name or connection_id is required"),
    ({"name": ""}, "name must be a non-empty string"),
    ({"connection_id": "abc"}, "connection_id must be the connection's ID, a UUID"),
    ({"name": "x"}, "integration is required to create action connection 'x'"),
    ({"name": "x", "integration": {"type": "Okta", "credentials": {"api_token": "okta-secret-1"}}},
     "integration.credentials is missing the required field(s) of OktaAPIToken: domain"),
    ({"name": "x", "integration": {"type": "Okta", "credentials": {"domain": "d"}}, "update_secrets": "always"},
     "integration.credentials is missing the required field(s) of OktaAPIToken: api_token"),
    ({"name": "x", "integration": OKTA, "tags": ["default:x"]}, "uses the tag key 'default'"),
    ({"name": "x", "integration": OKTA, "generate_new_external_id": True}, "generate_new_external_id is only for AWS"),
    ({"name": "x", "state": "gone"}, "state must be one of present, absent"),
    ({"name": "x", "update_secrets": "never"}, "update_secrets must be one of on_create, always"),
])
def test_bad_options_fail_before_any_request(params, message):
    with pytest.raises(InputError) as caught:
        desired(**params)
    assert message in str(caught.value)


def test_absent_ignores_integration_and_tags():
    assert desired(name="x", state="absent", integration={"type": "nope"}, tags=["bad"])["integration"] is None


def test_partial_integration_is_fine_with_a_connection_id():
    assert desired(connection_id=CONNECTION_ID, integration={"type": "Okta", "credentials": {"domain": "d"}})["integration"] == {
        "type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "d"}}


# -- argument spec ------------------------------------------------------------------------------------------------------------

def test_unknown_keys_are_found_at_every_level_by_path():
    raw = {"name": "x", "integration": {"type": "Okta", "typo": {"x": 1}, "credentials": {
        "api_tokn": "s", "tokens": [{"name": "a", "value": "b", "extra": "e"}], "headers": [{"name": "h", "value": "v"}]}}}
    assert unsupported_options(raw, MODULE.argument_spec()) == [
        "integration.credentials.api_tokn", "integration.credentials.tokens[0].extra", "integration.typo"]
    assert "typo" not in MODULE.argument_spec()["integration"]["options"]


def test_unknown_top_level_options_are_refused_by_name_only():
    params = {"name": "x", "api_tokn": "s3cr3t-value", "api_key": "k", "_ansible_check_mode": True}
    assert unsupported_options(params, MODULE.argument_spec()) == ["api_tokn"]
    message = MODULE.unsupported(params)
    assert message.startswith("Unsupported parameters for (ddops.datadog.datadog_action_connection) module: api_tokn. "
                              "Supported parameters include: ")
    assert "s3cr3t-value" not in message


@pytest.mark.parametrize("raw", [
    {"integration": "Okta"},
    {"integration": {"type": "HTTP", "credentials": "x"}},
    {"integration": {"type": "HTTP", "credentials": {"tokens": "t"}}},
    {"integration": {"type": "HTTP", "credentials": {"tokens": ["t"]}}},
    {"integration": {"type": "HTTP", "credentials": {"body": ["t"]}}},
])
def test_badly_shaped_values_are_refused_once_without_their_value(raw):
    found = unsupported_options(raw, MODULE.argument_spec())
    assert len(found) == 1
    assert "must be a" in found[0] and "'t'" not in found[0] and "Okta" not in found[0]


def test_templates_are_left_to_ansible():
    assert unsupported_options({"integration": "{{ item.integration }}"}, MODULE.argument_spec()) == []


# -- info ------------------------------------------------------------------------------------------------------------------------

def test_info_filters_on_the_server_and_confirms_here():
    items = [resource("a", OKTA, tags=["team:sre"]), resource("b", AWS, OTHER_ID, tags=["team:sre", "env:prod"])]
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(*items))
    found = list_connections(client, integration_type="AWS", tags=["team:sre"])
    assert [connection["name"] for connection in found] == ["b"]
    assert client.calls[0][2] == {"filter[integration]": "AWS", "filter[tags]": "team:sre", "page[size]": 100, "page[number]": 0}
    assert found[0]["external_id"] == "0123456789abcdef0123456789abcdef" and found[0]["principal_id"] == "464622532012"


def test_info_by_name_and_by_id():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("a", OKTA), resource("ab", OKTA, OTHER_ID)))
    assert [c["id"] for c in list_connections(client, name="a")] == [CONNECTION_ID]
    client = FakeClient().answer("GET", PATH, NOT_FOUND)
    assert list_connections(client, connection_id=CONNECTION_ID) == []
    assert json.dumps(list_connections(FakeClient().answer("GET", PATH, (200, {"data": resource("a", OKTA)})),
                                       connection_id=CONNECTION_ID)).count("api_token") == 0


# -- one listing shared by the loop items of a task ----------------------------------------------------------------------

def test_a_shared_listing_reads_once_and_follows_its_own_writes():
    client = FakeClient()
    other = resource("other", OKTA, connection_id="id-other")
    client.answer("GET", CONNECTIONS_PATH, page(other))
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("new", OKTA, connection_id="id-new")}))
    client.answer("DELETE", CONNECTIONS_PATH + "/id-other", (204, None))
    listing = ConnectionListing()
    created = ensure_connection(client, desired(name="new", integration=OKTA), listing=listing)
    again = ensure_connection(client, desired(name="new", integration=OKTA), listing=listing)
    removed = ensure_connection(client, desired(name="other", state="absent"), listing=listing)
    gone = ensure_connection(client, desired(name="other", state="absent"), listing=listing)
    assert [created["changed"], again["changed"], removed["changed"], gone["changed"]] == [True, False, True, False]
    assert client.methods() == ["GET", "POST", "DELETE"] and listing.reads == 1


def test_a_create_with_unknown_outcome_reads_the_list_afresh_even_when_shared():
    client = FakeClient()
    client.answer("GET", CONNECTIONS_PATH, page(), page(resource("okta", OKTA)))
    client.answer("POST", CONNECTIONS_PATH, DatadogOutcomeUnknownError(["connection dropped"], method="POST", path=CONNECTIONS_PATH))
    listing = ConnectionListing()
    result = ensure_connection(client, desired(name="okta", integration=OKTA), listing=listing)
    assert result["changed"] is True and "adopted" in result["warnings"][0]
    assert client.methods() == ["GET", "POST", "GET"] and listing.reads == 2
    assert ensure_connection(client, desired(name="okta", integration=OKTA), listing=listing)["changed"] is False
    assert len(client.calls) == 3  # the adopted connection is in the listing: no further read


# -- refusing arguments before Ansible validates them --------------------------------------------------------------------

def test_each_option_with_problems_is_named_in_the_refusal():
    params = {"name": {"a": 1}, "api_tokn": "s3cr3t", "integration": {"type": "Okta", "credentials": {
        "api_tokn": "s3cr3t", "domain": "d"}}}
    message = MODULE.unsupported(params)
    assert message.startswith("Unsupported parameters for (ddops.datadog.datadog_action_connection) module: api_tokn. ")
    assert "integration.credentials.api_tokn is not a field of OktaAPIToken credentials; allowed: api_token, domain" in message
    assert "name must be a string, got a dict." in message
    assert "s3cr3t" not in message and "'a'" not in message


def test_a_dict_given_for_a_secret_is_refused_not_turned_into_text():
    message = MODULE.unsupported({"name": "x", "integration": {"type": "Okta", "credentials": {
        "api_token": {"nested": "s3cr3t"}, "domain": "d"}}})
    assert message == "integration.credentials.api_token must be a string, got a dict"


def test_nothing_to_refuse_gives_none():
    okta = {"type": "Okta", "credentials": {"api_token": "t", "domain": "d"}}
    assert MODULE.unsupported({"name": "x", "integration": okta}) is None


@pytest.mark.parametrize("raw, expected", [
    ({"name": "nul\x00byte"}, "name must not contain control characters (it holds a NUL byte)."),
    ({"integration": {"type": "HTTP", "credentials": {"type": "HTTPTokenAuth", "tokens": [{"name": "a", "value": "s\x00"}]}}},
     "integration.credentials.tokens[0].value must not contain control characters (it holds a NUL byte)."),
    ({"timeout": float("inf")}, "timeout must be a number, got inf."),
    ({"retries": float("nan")}, "retries must be an integer, got nan."),
])
def test_values_a_module_process_cannot_log_or_convert_are_refused_before_ansible(raw, expected):
    """ansible-core 2.19+ fails in a module process before our checks: syslog on a NUL byte, int() on infinity."""
    assert unsupported_options(raw, MODULE.argument_spec()) == [expected]
