# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The variant catalogue: held against Datadog's official SDK models, the docs, and its validation rules."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.ddops.datadog.plugins.module_utils import _connections as catalogue
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import SITE_NAMES, SITES, normalize_site
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    VARIANTS,
    redact_integration,
    integration_secrets,
    validate_connection_id,
    validate_integration,
    validate_name,
    validate_tags,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import sample
from ansible_collections.ddops.datadog.tests.utils import generate_docs

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


# -- docs kept in sync with the catalogue ------------------------------------------------------------------------------------

def test_the_generated_documentation_is_what_the_catalogue_gives():
    assert generate_docs.stale(COLLECTION) == [], "run python tests/utils/generate_docs.py (make test runs it with --check)"


def test_module_documentation_lists_every_field_with_its_credential_types():
    from ansible_collections.ddops.datadog.plugins.modules import datadog_action_connection  # pylint: disable=import-outside-toplevel
    options = yaml.safe_load(datadog_action_connection.DOCUMENTATION)["options"]
    integration = options["integration"]["suboptions"]
    assert integration["type"]["choices"] == list(catalogue.INTEGRATION_TYPES)
    credentials = integration["credentials"]["suboptions"]
    assert credentials["type"]["choices"] == list(catalogue.CREDENTIAL_TYPES)
    assert set(credentials) - {"type"} == set(catalogue.credential_field_names())
    for name in catalogue.credential_field_names():
        text = " ".join(credentials[name]["description"])
        assert generate_docs.FIELD_DESCRIPTIONS[name] in text, name
        assert generate_docs.field_usage(name) in text, name
        secret = name in catalogue.secret_field_names()
        assert (generate_docs.SECRET_NOTE in text) is secret, name
    type_text = " ".join(credentials["type"]["description"])
    for variant in VARIANTS:
        assert "V(%s)" % variant.credential in type_text


def test_argument_spec_marks_exactly_the_secret_fields_no_log():
    from ansible_collections.ddops.datadog.plugins.modules.datadog_action_connection import MODULE  # pylint: disable=import-outside-toplevel
    credentials = MODULE.argument_spec()["integration"]["options"]["credentials"]["options"]
    no_log = set(name for name, spec in credentials.items() if spec.get("no_log"))
    assert no_log == set(catalogue.secret_field_names())
    tokens = credentials["tokens"]["options"]
    assert [name for name, spec in tokens.items() if spec.get("no_log")] == ["value"]


# -- validation ------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_a_complete_sample_of_every_variant_validates(variant):
    integration = sample(variant)
    assert validate_integration(integration) == dict(integration, credentials=dict(
        integration["credentials"], **({"tokens": [{"name": "first", "value": "v-tokens-1", "type": "SECRET"}]}
                                       if variant.credential == "HTTPTokenAuth" else {})))


def _problem(integration, complete=True):
    with pytest.raises(InputError) as caught:
        validate_integration(integration, complete=complete)
    return str(caught.value)


def test_unknown_integration_type_lists_the_allowed_ones():
    message = _problem({"type": "Slack", "credentials": {}})
    assert message.startswith("integration.type must be one of AWS, Anthropic, Asana, ")
    assert "'Slack'" in message


def test_credential_type_of_another_integration_is_refused_with_the_allowed_ones():
    message = _problem({"type": "AWS", "credentials": {"type": "OpenAIAPIKey", "api_token": "x"}})
    assert message == "integration.credentials.type 'OpenAIAPIKey' does not fit integration type AWS; allowed: AWSAssumeRole"


def test_cloudflare_needs_a_credential_type_and_others_infer_it():
    assert "integration.credentials.type is required for Cloudflare; allowed: CloudflareAPIToken, CloudflareGlobalAPIToken" \
        in _problem({"type": "Cloudflare", "credentials": {"api_token": "x"}})
    assert validate_integration({"type": "Okta", "credentials": {"api_token": "x", "domain": "d"}})["credentials"]["type"] \
        == "OktaAPIToken"


def test_missing_required_fields_are_named():
    message = _problem({"type": "Azure", "credentials": {"type": "AzureTenant", "app_client_id": "a"}})
    assert message == "integration.credentials is missing the required field(s) of AzureTenant: client_secret, tenant_id"


def test_partial_input_is_fine_when_not_complete():
    assert validate_integration({"type": "AWS", "credentials": {"role": "r"}}, complete=False) == {
        "type": "AWS", "credentials": {"type": "AWSAssumeRole", "role": "r"}}
    assert validate_integration({"type": "HTTP", "base_url": "https://a.example"}, complete=False) == {
        "type": "HTTP", "base_url": "https://a.example"}


def test_unknown_fields_are_listed_with_the_allowed_ones_and_their_values_never_echoed():
    message = _problem({"type": "Anthropic", "credentials": {"api_tokn": "sk-very-secret", "role": "r"}})
    assert "integration.credentials.api_tokn is not a field of AnthropicAPIKey credentials; allowed: api_token" in message
    assert "integration.credentials.role is not a field of AnthropicAPIKey credentials; allowed: api_token" in message
    assert "sk-very-secret" not in message


def test_read_only_fields_are_refused_with_a_hint():
    message = _problem({"type": "AWS", "credentials": {"account_id": "123456789012", "role": "r", "external_id": "x"}})
    assert message == ("integration.credentials.external_id is set by Datadog and cannot be given; "
                       "use generate_new_external_id to rotate it")


@pytest.mark.parametrize("account_id", ["12345678901", "1234567890123", "12345678901a", " 123456789012"])
def test_aws_account_id_must_be_twelve_digits(account_id):
    message = _problem({"type": "AWS", "credentials": {"account_id": account_id, "role": "r"}})
    assert message.startswith("integration.credentials.account_id must be a 12-digit AWS account ID")


def test_wrong_types_are_named():
    assert _problem({"type": "Okta", "credentials": {"api_token": 5, "domain": "d"}}) \
        == "integration.credentials.api_token must be a string, got a int"
    assert _problem({"type": "HTTP", "base_url": "https://a.example", "credentials": {"headers": "Accept: json"}}) \
        == "integration.credentials.headers must be a list of dicts with name and value"
    assert "integration.credentials must be a dict" in _problem({"type": "Okta", "credentials": "x"})
    assert "integration must be a dict" in _problem(["AWS"])


def test_empty_required_values_are_refused():
    assert _problem({"type": "Okta", "credentials": {"api_token": " ", "domain": "d"}}) \
        == "integration.credentials.api_token must not be empty"


@pytest.mark.parametrize("datacenter", ["us1", "eu1", "us1-fed", "datadoghq.com", "datadoghq.eu", "us5.datadoghq.com",
                                        "us2.ddog-gov.com"])
def test_a_datadog_connection_takes_a_datadog_site_as_datacenter(datacenter):
    credentials = {"api_key": "k", "app_key": "a", "datacenter": datacenter}
    assert validate_integration({"type": "Datadog", "credentials": credentials})["credentials"]["datacenter"] == datacenter


@pytest.mark.parametrize("datacenter", ["us5.datadoghq.org", "US1", "eu", "app.datadoghq.com", " us1", "us2", ""])
@pytest.mark.parametrize("complete", [True, False])
def test_a_datacenter_that_is_no_datadog_site_is_refused_naming_the_option_and_the_sites(datacenter, complete):
    message = _problem({"type": "Datadog", "credentials": {"api_key": "k", "app_key": "a", "datacenter": datacenter}},
                       complete=complete)
    if datacenter:
        assert message == "integration.credentials.datacenter must be one of %s; got %r" % (
            ", ".join(catalogue.DATACENTERS), datacenter)
    else:
        assert message == "integration.credentials.datacenter must not be empty"


def test_the_datacenters_are_the_datadog_sites_by_name_and_by_site_parameter():
    """The names map to the sites the connection options know, one each, in the same order."""
    assert catalogue.DATACENTERS == SITE_NAMES + SITES
    assert [normalize_site(name) for name in SITE_NAMES] == list(SITES)
    assert catalogue.credential_variant("DatadogAPIKey").field("datacenter").choices == catalogue.DATACENTERS


@pytest.mark.parametrize("base_url", ["http://api.example.com", "api.example.com", "https://", "ftp://x", "https://:80"])
def test_base_url_must_be_https(base_url):
    assert "integration.base_url must be an https:// URL" in _problem({"type": "HTTP", "base_url": base_url})


def test_base_url_is_refused_for_other_integrations_and_required_for_http():
    assert "integration.base_url is only used by HTTP connections" in _problem(
        {"type": "Okta", "base_url": "https://x", "credentials": {"api_token": "t", "domain": "d"}})
    assert _problem({"type": "HTTP"}) == "integration.base_url is required for HTTP connections"


def test_duplicate_http_entry_names_and_bad_entries():
    message = _problem({"type": "HTTP", "base_url": "https://a.example", "credentials": {
        "headers": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
        "tokens": [{"name": "t", "value": "s", "type": "BEARER"}, {"value": "s2"}],
        "url_parameters": [{"name": "", "value": "v"}, "p=1"],
    }})
    assert "integration.credentials.headers[1].name 'A' is used more than once; names must be unique" in message
    assert "integration.credentials.tokens[0].type must be one of SECRET; got 'BEARER'" in message
    assert "integration.credentials.tokens[1].name is required" in message
    assert "integration.credentials.url_parameters[0].name must not be empty" in message
    assert "integration.credentials.url_parameters[1] must be a dict with name and value" in message
    assert "s2" not in message


def test_every_problem_is_reported_at_once():
    message = _problem({"type": "AWS", "credentials": {"account_id": "1", "api_key": "k"}})
    assert message.count(";") >= 2
    assert "account_id must be a 12-digit" in message and "api_key is not a field" in message and "role" in message


def test_unset_suboptions_are_dropped():
    assert validate_integration({"type": "Okta", "base_url": None, "credentials": {
        "type": None, "api_token": "t", "domain": "d", "role": None, "headers": None}}) == {
        "type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "t", "domain": "d"}}


@pytest.mark.parametrize("tags, expected", [
    (["team:sre", "env:prod", "team:sre"], ["team:sre", "env:prod"]),
    ([], []),
    (["url:https://x"], ["url:https://x"]),
])
def test_tags_are_key_value(tags, expected):
    assert validate_tags(tags) == expected


@pytest.mark.parametrize("tags, text", [
    (["team"], "tags[0] 'team' must look like key:value"),
    ([":x"], "tags[0] ':x' must look like key:value"),
    (["env:"], "tags[0] 'env:' must look like key:value"),
    (["default:x"], "tags[0] 'default:x' uses the tag key 'default', which Datadog reserves"),
])
def test_bad_tags_are_named(tags, text):
    with pytest.raises(InputError, match=re.escape(text)):
        validate_tags(tags)


def test_connection_id_must_be_a_uuid_and_is_lowercased():
    assert validate_connection_id(" 0C9EA1E9-2C2C-4BBB-8F6A-1E1E0A6B5F00") == "0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00"
    with pytest.raises(InputError, match="connection_id must be the connection's ID, a UUID"):
        validate_connection_id("prod-aws")


def test_name_must_not_be_empty():
    with pytest.raises(InputError, match="name must be a non-empty string"):
        validate_name("  ")


# -- secrets ---------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_secret_values_cover_every_secret_and_no_plain_field(variant):
    integration = sample(variant)
    values = integration_secrets(integration)
    for field in variant.fields:
        value = integration["credentials"][field.name]
        if field.secret:
            assert value in values
        elif field.kind == catalogue.STR:
            assert value not in values
    if variant.credential == "HTTPTokenAuth":
        assert values == ["v-tokens-1"]


def test_unknown_keys_count_as_secret():
    values = integration_secrets({"type": "Okta", "typo": {"nested": "n1"}, "credentials": {
        "domain": "d", "api_tokn": "t1", "tokens": ["raw"], "headers": [{"name": "a", "value": "b", "extra": "e1"}]}})
    assert sorted(values) == ["e1", "n1", "raw", "t1"]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_redaction_removes_every_secret(variant):
    answer = sample(variant)
    redacted = redact_integration(answer)
    for field in variant.fields:
        if field.secret:
            assert field.name not in redacted["credentials"]
        else:
            assert field.name in redacted["credentials"]
    if variant.credential == "HTTPTokenAuth":
        assert redacted["credentials"]["tokens"] == [{"name": "first"}]
    assert answer == sample(variant), "redaction must not change its input"


def test_redaction_of_an_unknown_credential_type_removes_every_known_secret_name():
    redacted = redact_integration({"type": "New", "credentials": {"type": "NewKey", "api_key": "", "region": "eu"}})
    assert redacted["credentials"] == {"type": "NewKey", "region": "eu"}
