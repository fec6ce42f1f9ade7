# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The catalogue and the request bodies held against Datadog's official ``datadog-api-client`` models.

The SDK comes with the emulator (``tests/emulator``); ``make units`` always has it.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils import _connections as catalogue
from ansible_collections.ddops.datadog.plugins.module_utils._compare import create_body, patch_body, plan_update
from ansible_collections.ddops.datadog.plugins.module_utils._connections import VARIANTS
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import current_of, desired_of, variant_named

sdk = pytest.importorskip("datadog_api_client")


@pytest.fixture(scope="module")
def validation():
    """The emulator's body check: the SDK models' own parsing, where anything unparsed is an error."""
    return pytest.importorskip("dd_emulator.validation")


def _sdk_model(name):
    module_name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    for candidate in (module_name, module_name.replace("a_p_i", "api")):
        try:
            return getattr(importlib.import_module("datadog_api_client.v2.model." + candidate), name)
        except (ImportError, AttributeError):
            continue
    raise LookupError(name)


def _required(model):
    parameters = inspect.signature(model.__init__).parameters
    return set(name for name, parameter in parameters.items()
               if parameter.default is inspect.Parameter.empty and name not in ("self_", "kwargs", "args"))


def _sdk_variants(union):
    """``{(integration type, credential type): (integration model, credential model)}`` of a oneOf union."""
    found = {}
    for integration_model in union._composed_schemas["oneOf"]:  # pylint: disable=protected-access
        types = integration_model.openapi_types
        (integration_type,) = types["type"][0].allowed_values
        for credential_model in types["credentials"][0]._composed_schemas["oneOf"]:  # pylint: disable=protected-access
            (credential_type,) = credential_model.openapi_types["type"][0].allowed_values
            found[(integration_type, credential_type)] = (integration_model, credential_model)
    return found


CREATE = _sdk_variants(_sdk_model("ActionConnectionIntegration"))
UPDATE = _sdk_variants(_sdk_model("ActionConnectionIntegrationUpdate"))


def test_every_sdk_variant_is_in_the_catalogue_and_every_catalogue_variant_in_the_sdk():
    ours = set((variant.integration, variant.credential) for variant in VARIANTS)
    assert ours == set(CREATE)
    assert ours == set(UPDATE)
    assert len(catalogue.INTEGRATION_TYPES) == 24 and len(VARIANTS) == 25


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_fields_match_the_sdk_create_model(variant):
    integration_model, credential_model = CREATE[(variant.integration, variant.credential)]
    sdk_fields = set(credential_model.openapi_types) - {"type"}
    read_only = set(getattr(credential_model, "read_only_vars", ()) or ())
    assert set(variant.field_names) == sdk_fields - read_only
    assert set(variant.read_only) == read_only
    assert set(variant.required) == _required(credential_model) - {"type"}
    for field in variant.fields:
        (sdk_type,) = credential_model.openapi_types[field.name]
        if field.kind == catalogue.STR:
            assert sdk_type is str, field.name
        elif field.kind == catalogue.ENTRIES:
            assert isinstance(sdk_type, list), field.name
        else:
            assert inspect.isclass(sdk_type) and sdk_type.__name__ == "HTTPBody"
    integration_fields = set(integration_model.openapi_types) - {"type", "credentials"}
    assert set(field.name for field in variant.integration_fields) == integration_fields
    required = _required(integration_model) - {"type", "credentials"}
    assert set(field.name for field in variant.integration_fields if field.required) == required


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_update_model_has_the_same_fields_plus_the_update_only_ones(variant):
    _integration_model, credential_model = UPDATE[(variant.integration, variant.credential)]
    sdk_fields = set(credential_model.openapi_types) - {"type"}
    assert sdk_fields == set(variant.field_names) | set(variant.update_only)
    assert _required(credential_model) == {"type"}


def test_http_entry_and_body_fields_match_the_sdk():
    for list_name, model_name in (("headers", "HTTPHeader"), ("tokens", "HTTPToken"), ("url_parameters", "UrlParam")):
        model = _sdk_model(model_name)
        fields = catalogue.ENTRY_FIELDS[list_name]
        assert set(field.name for field in fields) == set(model.openapi_types), list_name
        assert set(field.name for field in fields if field.required) | ({"type"} if list_name == "tokens" else set()) \
            == _required(model), list_name
        update = _sdk_model(model_name + "Update")
        assert set(update.openapi_types) == set(model.openapi_types) | {"deleted"}
    assert set(catalogue.BODY_FIELDS) == set(_sdk_model("HTTPBody").openapi_types)
    assert set(catalogue.TOKEN_TYPES) == set(_sdk_model("TokenType").allowed_values)


def test_secret_fields_are_the_ones_datadog_blanks():
    # A field is secret when Datadog answers it as "" (docs/dev/api-behaviour.md); the SDK marks none.
    assert catalogue.secret_field_names() == (
        "access_token", "api_key", "api_password", "api_token", "app_key", "client_secret", "global_api_key",
        "password", "private_key", "sdk_key")
    http = [variant for variant in VARIANTS if variant.integration == "HTTP"][0]
    assert http.secrets == ("tokens[].value",)
    aws = [variant for variant in VARIANTS if variant.integration == "AWS"][0]
    assert aws.secrets == () and aws.read_only == ("external_id", "principal_id")


def test_a_field_name_is_secret_in_every_variant_or_in_none():
    for name in catalogue.credential_field_names():
        assert len(set(variant.field(name).secret for variant in catalogue.variants_using(name))) == 1, name


# -- the bodies against Datadog's own schema --------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.credential)
def test_create_and_patch_bodies_parse_with_the_sdk_models(variant, validation):
    desired = desired_of(variant)
    validation.check_body(create_body(desired), "CreateActionConnectionRequest")
    plan = plan_update(desired, current_of(desired), update_secrets="always", rotate=variant.rotation is not None)
    plan.attributes["name"] = "renamed"
    validation.check_body(patch_body(plan), "UpdateActionConnectionRequest")


def test_http_deletions_parse_with_the_sdk_models(validation):
    desired = desired_of(variant_named("HTTPTokenAuth"))
    current = current_of(desired)
    current["integration"]["credentials"]["headers"] = [{"name": "Old", "value": "1"}]
    current["integration"]["credentials"]["tokens"].append({"name": "old", "type": "SECRET", "value": ""})
    current["integration"]["credentials"]["url_parameters"].append({"name": "old", "value": "1"})
    desired["integration"]["credentials"]["headers"] = []
    plan = plan_update(desired, current)
    assert len(plan.changes) == 3
    validation.check_body(patch_body(plan), "UpdateActionConnectionRequest")
