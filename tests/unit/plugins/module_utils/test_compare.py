# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired versus current: minimal PATCH bodies, secrets only when they must be sent, masked diffs."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._compare import (
    MASK_SENT,
    REGENERATED,
    create_body,
    diff_create,
    diff_delete,
    patch_body,
    plan_update,
    variant_for_credentials,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import VARIANTS, redact_integration, validate_integration
from ansible_collections.ddops.datadog.plugins.module_utils._scrub import MASK
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import (
    answered,
    current_of,
    desired_of,
)


HTTP = [variant for variant in VARIANTS if variant.integration == "HTTP"][0]
AWS = [variant for variant in VARIANTS if variant.integration == "AWS"][0]
OKTA = [variant for variant in VARIANTS if variant.integration == "Okta"][0]
DATADOG = [variant for variant in VARIANTS if variant.integration == "Datadog"][0]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_what_datadog_answers_for_what_was_sent_is_unchanged(variant):
    desired = desired_of(variant)
    plan = plan_update(desired, current_of(desired))
    assert not plan.changed and plan.attributes == {} and plan.secrets == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_update_secrets_always_sends_every_secret_and_only_them(variant):
    desired = desired_of(variant)
    plan = plan_update(desired, current_of(desired), update_secrets="always")
    secret_fields = [field.name for field in variant.fields if field.secret]
    if not variant.secrets:
        assert not plan.changed
        return
    assert plan.changed
    credentials = plan.attributes["integration"]["credentials"]
    if variant.credential == "HTTPTokenAuth":
        assert credentials == {"type": "HTTPTokenAuth", "tokens": [{"name": "first", "value": "v-tokens-1", "type": "SECRET"}]}
        assert plan.secrets == ["integration.credentials.tokens[first].value"]
    else:
        assert set(credentials) == {"type"} | set(secret_fields)
        assert plan.secrets == ["integration.credentials." + name for name in sorted(secret_fields, key=variant.field_names.index)]
    assert set(plan.attributes) == {"integration"}


def test_a_changed_plain_field_is_the_only_thing_patched():
    desired = desired_of(OKTA)
    current = current_of(desired)
    desired["integration"]["credentials"]["domain"] = "new.okta.com"
    plan = plan_update(desired, current)
    assert plan.changes == ["integration.credentials.domain"]
    assert patch_body(plan) == {"data": {"type": "action_connection", "attributes": {
        "integration": {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "new.okta.com"}}}}}
    assert plan.secrets == []


def test_name_and_tags_are_compared_only_when_given_and_tags_as_a_set():
    desired = desired_of(OKTA)
    current = current_of(desired)
    current["tags"] = ["env:prod", "team:sre"]
    assert plan_update(dict(desired, tags=["team:sre", "env:prod", "env:prod"]), current).changes == []
    plan = plan_update(dict(desired, tags=[], name="renamed"), current)
    assert plan.attributes == {"name": "renamed", "tags": []}
    assert plan_update({"name": None, "tags": None, "integration": None}, current).changes == []


def test_extra_attributes_and_fields_datadog_adds_are_ignored():
    desired = desired_of(AWS)
    current = current_of(desired)
    current["integration"]["credentials"]["future_field"] = "x"
    current["acting_user_can_resolve"] = True
    assert not plan_update(desired, current).changed


def test_partial_desired_compares_only_what_is_given():
    current = current_of(desired_of(AWS))
    desired = {"name": None, "tags": None, "integration": validate_integration(
        {"type": "AWS", "credentials": {"role": "other"}}, complete=False)}
    plan = plan_update(desired, current)
    assert plan.attributes == {"integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "role": "other"}}}


def test_an_integration_type_change_sends_the_whole_integration_with_secrets():
    current = current_of(desired_of(OKTA))
    desired = desired_of(DATADOG)
    plan = plan_update(desired, current)
    assert plan.changes[-1] == "integration.type"
    assert plan.attributes["integration"] == desired["integration"]
    assert plan.secrets == ["integration.credentials.api_key", "integration.credentials.app_key"]


def test_a_type_change_with_partial_input_fails_naming_the_missing_fields():
    current = current_of(desired_of(OKTA))
    desired = {"name": None, "tags": None, "integration": validate_integration(
        {"type": "Datadog", "credentials": {"datacenter": "us1"}}, complete=False)}
    with pytest.raises(InputError) as caught:
        plan_update(desired, current)
    assert str(caught.value) == ("a change of integration type from Okta to Datadog needs the complete integration: "
                                 "integration.credentials is missing the required field(s) of DatadogAPIKey: api_key, app_key")


def test_a_credential_type_change_sends_complete_credentials():
    token = [variant for variant in VARIANTS if variant.credential == "CloudflareAPIToken"][0]
    global_key = [variant for variant in VARIANTS if variant.credential == "CloudflareGlobalAPIToken"][0]
    current = current_of(desired_of(token))
    desired = desired_of(global_key)
    plan = plan_update(desired, current)
    assert plan.changes == ["integration.credentials.type"]
    assert plan.attributes["integration"] == {"type": "Cloudflare", "credentials": desired["integration"]["credentials"]}
    assert plan.secrets == ["integration.credentials.global_api_key"]


def test_http_entries_are_matched_by_name_and_removed_ones_sent_deleted():
    desired = desired_of(HTTP)
    desired["integration"]["credentials"].update(
        headers=[{"name": "Accept", "value": "application/json"}, {"name": "X-Team", "value": "sre"}],
        tokens=[{"name": "first", "value": "s1", "type": "SECRET"}, {"name": "second", "value": "s2", "type": "SECRET"}],
        url_parameters=[{"name": "region", "value": "eu"}])
    current = current_of(desired)
    wanted = copy.deepcopy(desired)
    credentials = wanted["integration"]["credentials"]
    credentials["headers"] = [{"name": "Accept", "value": "text/plain"}]  # X-Team removed, Accept changed
    credentials["tokens"] = [{"name": "first", "value": "s1", "type": "SECRET"}, {"name": "third", "value": "s3", "type": "SECRET"}]
    credentials["url_parameters"] = []
    plan = plan_update(wanted, current)
    assert plan.attributes["integration"]["credentials"] == {
        "type": "HTTPTokenAuth",
        "headers": [{"name": "Accept", "value": "text/plain"}, {"name": "X-Team", "deleted": True}],
        "tokens": [{"name": "third", "value": "s3", "type": "SECRET"},
                   {"name": "second", "type": "SECRET", "value": "", "deleted": True}],
        "url_parameters": [{"name": "region", "deleted": True}],
    }
    assert plan.secrets == ["integration.credentials.tokens[third].value"]
    assert "s1" not in json.dumps(plan.attributes)


def test_http_lists_left_out_are_left_alone():
    desired = desired_of(HTTP)
    current = current_of(desired)
    current["integration"]["credentials"]["headers"] = [{"name": "Set-Elsewhere", "value": "1"}]
    desired["integration"]["credentials"].pop("headers")
    assert not plan_update(desired, current).changed


def test_http_tokens_left_out_of_the_answer_are_unknown_not_missing():
    desired = desired_of(HTTP)
    current = current_of(desired)
    del current["integration"]["credentials"]["tokens"]
    assert not plan_update(desired, current).changed
    plan = plan_update(desired, current, update_secrets="always")
    assert plan.attributes["integration"]["credentials"]["tokens"] == [{"name": "first", "value": "v-tokens-1", "type": "SECRET"}]


def test_http_base_url_and_body_keys_given():
    desired = desired_of(HTTP)
    current = current_of(desired)
    desired["integration"]["base_url"] = "https://other.example.com"
    desired["integration"]["credentials"]["body"] = {"content": '{"a": 1}'}
    plan = plan_update(desired, current)
    assert plan.attributes["integration"]["base_url"] == "https://other.example.com"
    assert plan.attributes["integration"]["credentials"]["body"] == {"content": '{"a": 1}', "content_type": "application/json"}


def test_aws_rotation_is_a_change_and_needs_aws():
    desired = desired_of(AWS)
    current = current_of(desired)
    plan = plan_update(desired, current, rotate=True)
    assert plan.attributes == {"integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "generate_new_external_id": True}}}
    plan = plan_update({"name": None, "tags": None, "integration": None}, current, rotate=True)
    assert plan.changes == ["integration.credentials.external_id"]
    with pytest.raises(InputError, match="generate_new_external_id is only for AWS connections; this connection's integration type is Okta"):
        plan_update({"name": None, "tags": None, "integration": None}, current_of(desired_of(OKTA)), rotate=True)


def test_create_body_has_every_field_and_tags_only_when_given():
    desired = desired_of(DATADOG)
    body = create_body(desired)
    assert body == {"data": {"type": "action_connection", "attributes": {
        "name": "conn", "integration": desired["integration"], "tags": ["team:sre"]}}}
    assert "tags" not in create_body(dict(desired, tags=None))["data"]["attributes"]


# -- diff ---------------------------------------------------------------------------------------------------------------------

def test_diff_shows_compared_fields_and_masks_secrets():
    desired = desired_of(DATADOG)
    current = current_of(desired)
    desired["integration"]["credentials"]["datacenter"] = "eu1"
    plan = plan_update(desired, current)
    diff = plan.diff()
    assert diff["before"]["integration"]["credentials"] == {
        "type": "DatadogAPIKey", "api_key": MASK, "app_key": MASK, "datacenter": "us2.ddog-gov.com", "subdomain": "v-subdomain"}
    assert diff["after"]["integration"]["credentials"]["datacenter"] == "eu1"
    assert diff["after"]["integration"]["credentials"]["api_key"] == MASK
    assert "v-api_key" not in json.dumps(diff)
    assert diff["before"]["tags"] == diff["after"]["tags"] == ["team:sre"]


def test_diff_marks_secrets_that_are_sent():
    desired = desired_of(HTTP)
    current = current_of(desired)
    plan = plan_update(desired, current, update_secrets="always")
    diff = plan.diff()
    assert diff["before"]["integration"]["credentials"]["tokens"] == [{"name": "first", "type": "SECRET", "value": MASK}]
    assert diff["after"]["integration"]["credentials"]["tokens"] == [{"name": "first", "type": "SECRET", "value": MASK_SENT}]
    assert "v-tokens-1" not in json.dumps(diff)


def test_diff_of_a_rotation_shows_the_external_id():
    desired = desired_of(AWS)
    current = current_of(desired)
    plan = plan_update(desired, current, rotate=True)
    diff = plan.diff()
    assert diff["before"]["integration"]["credentials"]["external_id"] == "0123456789abcdef0123456789abcdef"
    assert diff["after"]["integration"]["credentials"]["external_id"] == REGENERATED
    diff = plan.diff("f" * 32)
    assert diff["after"]["integration"]["credentials"]["external_id"] == "f" * 32


def test_diff_of_an_integration_field_and_of_a_credential_type_change_in_full():
    desired = desired_of(HTTP)
    current = current_of(desired)
    desired["integration"]["base_url"] = "https://other.example.com"
    plan = plan_update(desired, current)
    assert plan.changes == ["integration.base_url"]
    diff = plan.diff()
    assert (diff["before"]["integration"]["base_url"], diff["after"]["integration"]["base_url"]) == (
        "https://api.example.com", "https://other.example.com")
    assert diff["before"]["integration"]["type"] == diff["after"]["integration"]["type"] == "HTTP"
    token = [variant for variant in VARIANTS if variant.credential == "CloudflareAPIToken"][0]
    global_key = [variant for variant in VARIANTS if variant.credential == "CloudflareGlobalAPIToken"][0]
    current = current_of(desired_of(token))
    plan = plan_update(desired_of(global_key), current)
    diff = plan.diff()
    assert diff["before"]["integration"]["credentials"] == dict(
        (name, MASK if name == "api_token" else value) for name, value in current["integration"]["credentials"].items())
    assert diff["after"]["integration"]["credentials"] == {
        "type": "CloudflareGlobalAPIToken", "auth_email": "v-auth_email", "global_api_key": MASK_SENT}


def test_diff_and_body_are_copies_the_caller_may_change():
    desired = desired_of(DATADOG)
    current = current_of(desired)
    desired["integration"]["credentials"]["datacenter"] = "eu1"
    plan = plan_update(desired, current)
    first = plan.diff()
    first["before"]["integration"]["credentials"]["datacenter"] = "changed"
    first["after"]["integration"]["credentials"]["datacenter"] = "changed"
    assert plan.diff()["before"]["integration"]["credentials"]["datacenter"] == current["integration"]["credentials"]["datacenter"]
    assert plan.diff()["after"]["integration"]["credentials"]["datacenter"] == "eu1"
    body = create_body(desired)
    body["data"]["attributes"]["integration"]["credentials"]["datacenter"] = "changed"
    assert desired["integration"]["credentials"]["datacenter"] == "eu1"


def test_diff_of_a_rotation_in_full():
    desired = desired_of(AWS)
    current = current_of(desired)
    plan = plan_update({"name": None, "tags": None, "integration": None}, current, rotate=True)
    assert plan.diff() == {
        "before": {"integration": {"type": "AWS", "credentials": {
            "type": "AWSAssumeRole", "external_id": "0123456789abcdef0123456789abcdef"}}},
        "after": {"integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "external_id": REGENERATED}}}}


def test_a_removed_entry_is_sent_deleted_with_its_name_and_type():
    desired = desired_of(HTTP)
    current = current_of(desired)
    current["integration"]["credentials"]["tokens"].append({"name": "old", "value": ""})  # Datadog left its type out
    plan = plan_update(desired, current)
    assert plan.attributes["integration"]["credentials"]["tokens"] == [
        {"name": "old", "type": "SECRET", "value": "", "deleted": True}]


def test_the_diff_of_a_create_in_full():
    desired = desired_of(HTTP, tags=["team:sre", "env:prod", "team:sre"])
    desired["integration"]["credentials"]["headers"] = [{"name": "b", "value": "2"}, {"name": "a", "value": "1"}]
    assert diff_create(desired) == {"before": {}, "after": {
        "name": "conn", "tags": ["env:prod", "team:sre"],
        "integration": {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
            "type": "HTTPTokenAuth", "body": {"content": "{}", "content_type": "application/json"},
            "headers": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}],  # entries by name
            "tokens": [{"name": "first", "type": "SECRET", "value": MASK}],
            "url_parameters": [{"name": "first", "value": "v-url_parameters-1"}]}}}}
    assert "tags" not in diff_create(dict(desired, tags=None))["after"]


def test_a_credential_type_change_with_partial_input_names_both_types_and_what_is_missing():
    token = [variant for variant in VARIANTS if variant.credential == "CloudflareAPIToken"][0]
    current = current_of(desired_of(token))
    desired = {"name": None, "tags": None, "integration": validate_integration(
        {"type": "Cloudflare", "credentials": {"type": "CloudflareGlobalAPIToken"}}, complete=False)}
    with pytest.raises(InputError) as caught:
        plan_update(desired, current)
    assert str(caught.value) == ("a change of credential type from CloudflareAPIToken to CloudflareGlobalAPIToken needs the "
                                 "complete integration: integration.credentials is missing the required field(s) of "
                                 "CloudflareGlobalAPIToken: auth_email, global_api_key")
    with pytest.raises(InputError, match="^unknown credential type 'Nope'$"):
        variant_for_credentials({"type": "Nope"})


def test_a_change_to_token_credentials_sends_and_marks_every_token_value():
    current = current_of(desired_of(OKTA))
    desired = desired_of(HTTP)
    desired["integration"]["credentials"]["tokens"] = [
        {"name": "t1", "value": "s1", "type": "SECRET"}, {"name": "t2", "value": "s2", "type": "SECRET"}]
    plan = plan_update(desired, current)
    assert plan.secrets == ["integration.credentials.tokens[t1].value", "integration.credentials.tokens[t2].value"]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_create_and_delete_diffs_never_hold_a_secret(variant):
    desired = desired_of(variant, name="conn")
    diff = diff_create(desired)
    assert diff["before"] == {}
    text = json.dumps(diff)
    for field in variant.fields:
        if field.secret:
            assert "v-%s" % field.name not in text
            assert diff["after"]["integration"]["credentials"][field.name] == MASK
    assert "v-tokens-1" not in text
    connection = {"id": "x", "name": "conn", "tags": [], "integration": redact_integration(answered(desired["integration"]))}
    assert diff_delete(connection) == {"before": connection, "after": {}}
