# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A connection as code: the definition the info module returns is valid input that converges with no change."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils import _connections as catalogue
from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import desired_from_params, ensure_connection
from ansible_collections.ddops.datadog.plugins.module_utils._compare import plan_update
from ansible_collections.ddops.datadog.plugins.module_utils._connection_definition import connection_definition
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH, list_connections
from ansible_collections.ddops.datadog.plugins.modules import datadog_action_connection_info
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import (
    page,
    resource,
    sample,
)

VARIANTS = list(catalogue.VARIANTS)


def _input(variant):
    """A complete sample whose HTTP tokens have a type (as the API answers them)."""
    integration = sample(variant, prefix="def")
    for token in integration["credentials"].get("tokens", []):
        token["type"] = "SECRET"
    return integration


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_the_definition_has_no_secret_and_no_read_only_field_and_is_valid_input(variant):
    connection = resource("conn %s" % variant.credential, _input(variant), tags=["team:sre", "env:prod", "team:sre"])
    definition = connection_definition(connection)
    assert list(definition) == ["name", "integration", "tags"]
    assert definition["name"] == "conn %s" % variant.credential
    assert definition["tags"] == ["env:prod", "team:sre"]
    credentials = definition["integration"]["credentials"]
    assert credentials["type"] == variant.credential
    for field in variant.fields:
        assert (field.name in credentials) is (not field.secret), field.name
    for name in variant.read_only:
        assert name not in credentials
    for token in credentials.get("tokens", []):
        assert token == {"name": "first", "type": "SECRET"}
    text = json.dumps(definition)
    assert "def-tokens-1" not in text
    for field in variant.fields:
        assert field.secret is False or "def-%s" % field.name not in text
    # It is the input of datadog_action_connection (and of an item of the role's list) as it is:
    desired = desired_from_params(dict(definition, state="present"))
    assert desired["integration"] == definition["integration"]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_the_definition_converges_its_own_connection_with_no_change(variant):
    connection = resource("conn", _input(variant), tags=["team:sre"])
    desired = desired_from_params(dict(connection_definition(connection), state="present"))
    assert plan_update(desired, connection["attributes"]).changes == []


def test_an_exported_connection_converges_with_one_read_and_no_write():
    connection = resource("okta", {"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "x", "domain": "d.okta.com"}})
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(connection))
    definition = list_connections(client, describe=datadog_action_connection_info.describe)[0]["definition"]
    result = ensure_connection(client, desired_from_params(dict(definition, state="present")))
    assert result["changed"] is False and client.methods() == ["GET", "GET"]


def test_a_variant_the_catalogue_does_not_know_has_no_definition():
    unknown = {"id": "x", "attributes": {"name": "n", "integration": {"type": "Jira", "credentials": {"type": "JiraAPIKey"}}}}
    assert connection_definition(unknown) is None
    assert connection_definition({"attributes": {}}) is None
    assert connection_definition(None) is None


def test_token_references_and_entry_order_are_kept_literally():
    integration = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
        "type": "HTTPTokenAuth",
        "tokens": [{"name": "token1", "type": "SECRET", "value": "s"}],
        "headers": [{"name": "X-B", "value": "b"}, {"name": "Authorization", "value": "Bearer {{ token1 }}"}],
        "body": {"content": '{"key": "{{ token1 }}"}', "content_type": "application/json"}}}
    definition = connection_definition(resource("http", integration))
    assert definition["integration"] == {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
        "type": "HTTPTokenAuth",
        "headers": [{"name": "X-B", "value": "b"}, {"name": "Authorization", "value": "Bearer {{ token1 }}"}],
        "tokens": [{"name": "token1", "type": "SECRET"}],
        "body": {"content": '{"key": "{{ token1 }}"}', "content_type": "application/json"}}}


def test_tokens_left_out_of_the_answer_stay_unmanaged():
    integration = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {"type": "HTTPTokenAuth"}}
    definition = connection_definition(resource("http", integration))
    assert definition["integration"]["credentials"] == {"type": "HTTPTokenAuth"}
