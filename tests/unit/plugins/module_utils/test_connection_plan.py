# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""decide(desired, current) on plain data: no client, no thread, no clock; fingerprints of what was decided."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import desired_from_params
from ansible_collections.ddops.datadog.plugins.module_utils._connection_plan import (
    CREATE,
    DELETE,
    UNCHANGED,
    UNREAD,
    UPDATE,
    MissingSecrets,
    decide,
    delete_action,
    fingerprint,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import VARIANTS
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import (
    CONNECTION_ID,
    resource,
    sample,
)

OKTA = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "plan-okta-secret", "domain": "a.okta.com"}}
OKTA_NO_SECRET = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "a.okta.com"}}
HTTP_NO_SECRET = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
    "type": "HTTPTokenAuth", "tokens": [{"name": "apiToken"}]}}


def desired(**params):
    base = {"state": "present", "update_secrets": "on_create", "generate_new_external_id": False}
    base.update(params)
    return desired_from_params(base)


def test_nothing_with_the_name_is_a_create_with_its_body_and_a_masked_diff():
    action = decide(desired(name="okta", integration=OKTA, tags=["team:sre"]), None)
    assert action.kind == CREATE and action.connection_id is None and action.changes
    assert action.body == {"data": {"type": "action_connection", "attributes": {
        "name": "okta", "integration": OKTA, "tags": ["team:sre"]}}}
    assert action.diff["before"] == {} and "plan-okta-secret" not in json.dumps(action.diff)
    assert action.preview()["id"] is None and "plan-okta-secret" not in json.dumps(action.preview())


def test_a_create_without_its_secrets_names_the_fields_and_the_entry_to_add():
    with pytest.raises(MissingSecrets) as okta:
        decide(desired(name="okta", integration=OKTA_NO_SECRET), None)
    assert okta.value.fields == ["integration.credentials.api_token"]
    assert okta.value.secrets_entry() == {"api_token": "<secret>"}
    with pytest.raises(MissingSecrets) as http:
        decide(desired(name="http", integration=HTTP_NO_SECRET), None)
    assert http.value.secrets_entry() == {"tokens": {"apiToken": "<secret>"}}
    assert str(http.value).startswith("Cannot create action connection 'http': no value given for its secret field(s) "
                                      "integration.credentials.tokens[apiToken].value")


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_a_connection_as_datadog_answers_its_create_is_unchanged_for_every_variant(variant):
    wanted = desired(name="conn", integration=sample(variant), tags=["team:sre"])
    current = resource("conn", sample(variant), tags=["team:sre"])
    action = decide(wanted, current)
    assert action.kind == UNCHANGED and not action.update.attributes and action.connection_id == CONNECTION_ID
    without_secrets = desired(name="conn", integration=_without_secrets(sample(variant)), tags=["team:sre"])
    assert decide(without_secrets, current).kind == UNCHANGED  # an exported definition converges with no write


def _without_secrets(integration):
    integration = copy.deepcopy(integration)
    credentials = integration["credentials"]
    for name in list(credentials):
        if name in ("tokens",):
            credentials[name] = [{"name": entry["name"]} for entry in credentials[name]]
        elif any(field.name == name and field.secret for variant in VARIANTS for field in variant.fields):
            del credentials[name]
    return integration


def test_an_update_carries_only_what_differs():
    current = resource("okta", OKTA, tags=["a:b"])
    action = decide(desired(name="okta", integration=OKTA_NO_SECRET, tags=["a:b", "c:d"]), current)
    assert action.kind == UPDATE and action.update.attributes == {"tags": ["a:b", "c:d"]}
    assert action.diff["before"]["tags"] == ["a:b"] and action.diff["after"]["tags"] == ["a:b", "c:d"]


def test_a_rotation_is_always_an_update():
    aws = {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r"}}
    action = decide(desired(name="aws", integration=aws, generate_new_external_id=True), resource("aws", aws))
    assert action.kind == UPDATE and action.rotate
    assert action.update.attributes["integration"]["credentials"]["generate_new_external_id"] is True


def test_absent_deletes_what_exists_and_nothing_else():
    current = resource("okta", OKTA)
    gone = decide(desired(name="okta", state="absent"), current)
    assert gone.kind == DELETE and gone.connection_id == CONNECTION_ID and gone.diff["before"]["name"] == "okta"
    assert decide(desired(name="okta", state="absent"), None).kind == UNCHANGED
    unread = decide(desired(connection_id=CONNECTION_ID, state="absent"), UNREAD)
    assert unread.kind == DELETE and unread.preview() == {"id": CONNECTION_ID}


def test_a_change_of_type_without_the_complete_integration_is_refused():
    aws = {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r"}}
    with pytest.raises(InputError, match="a change of integration type from AWS to Okta needs the complete integration"):
        decide(desired(name="x", integration=OKTA_NO_SECRET), resource("x", aws))


TAGS = st.lists(st.sampled_from(["team:sre", "team:web", "env:prod", "env:dev", "n:1"]), max_size=6)


@settings(max_examples=200, deadline=None)
@given(wanted=TAGS, have=TAGS)
def test_tags_decide_update_exactly_when_the_sets_differ_and_the_patch_converges(wanted, have):
    current = resource("okta", OKTA, tags=have)
    action = decide(desired(name="okta", integration=OKTA_NO_SECRET, tags=wanted), current)
    assert (action.kind == UPDATE) == (set(wanted) != set(have))
    if action.kind == UPDATE:
        after = copy.deepcopy(current)
        after["attributes"].update(action.update.attributes)
        assert decide(desired(name="okta", integration=OKTA_NO_SECRET, tags=wanted), after).kind == UNCHANGED


# -- fingerprints ------------------------------------------------------------------------------------------------------

def test_a_fingerprint_holds_while_the_decision_and_its_data_hold():
    current = resource("okta", OKTA, tags=["a:b"])
    wanted = desired(name="okta", integration=OKTA, tags=["c:d"])
    first = fingerprint(decide(wanted, current))
    assert fingerprint(decide(copy.deepcopy(wanted), copy.deepcopy(current))) == first
    other_secret = desired(name="okta", integration=dict(OKTA, credentials=dict(OKTA["credentials"], api_token="x")),
                           tags=["c:d"])
    assert fingerprint(decide(other_secret, current)) == first  # secrets are masked: a plan holds no secret
    touched = copy.deepcopy(current)
    touched["attributes"]["last_updated"] = "2026-07-14 00:00:00 +0000 UTC"
    assert fingerprint(decide(wanted, touched)) != first  # the connection an update writes changed since the plan
    assert fingerprint(decide(desired(name="okta", integration=OKTA, tags=["e:f"]), current)) != first


def test_an_unchanged_connection_is_fingerprinted_by_identity_and_declaration():
    current = resource("okta", OKTA)
    wanted = desired(name="okta", integration=OKTA_NO_SECRET)
    touched = copy.deepcopy(current)
    touched["attributes"]["last_updated"] = "later"
    assert fingerprint(decide(wanted, current)) == fingerprint(decide(wanted, touched))
    assert fingerprint(decide(wanted, resource("okta", OKTA, connection_id="5f7c0f4e-3d9b-4a43-9e0f-2b1d8c6a7e11"))) != \
        fingerprint(decide(wanted, current))


def test_a_purge_is_fingerprinted_by_the_connection_it_deletes():
    current = resource("old", OKTA)
    touched = copy.deepcopy(current)
    touched["attributes"]["tags"] = ["kept:now"]
    assert fingerprint(delete_action(current)) == fingerprint(delete_action(copy.deepcopy(current)))
    assert fingerprint(delete_action(current)) != fingerprint(delete_action(touched))
