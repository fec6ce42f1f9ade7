# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Request-body checks against Datadog's own schema: the models of the official ``datadog-api-client`` package.

The SDK does not raise for every mismatch: an unknown ``oneOf`` variant, or a variant with unknown or missing
fields, parses to an ``UnparsedObject`` (or a model flagged ``_unparsed``). Both count as invalid here.
"""

from __future__ import annotations

import importlib

from datadog_api_client import Configuration
from datadog_api_client.model_utils import OpenApiModel, UnparsedObject, validate_and_convert_types

#: Request model name -> module in ``datadog_api_client.v2.model``.
MODELS = {
    "CreateActionConnectionRequest": "create_action_connection_request",
    "UpdateActionConnectionRequest": "update_action_connection_request",
    "AuditLogsSearchEventsRequest": "audit_logs_search_events_request",
    "RestrictionPolicyUpdateRequest": "restriction_policy_update_request",
}

_CONFIGURATION = Configuration()


class SchemaError(ValueError):
    """The body does not match the model; the message says where."""


def _model_class(name):
    module = importlib.import_module("datadog_api_client.v2.model." + MODELS[name])
    return getattr(module, name)


def check_body(body, model_name):
    """Parse ``body`` (decoded JSON) with the SDK model ``model_name``; raise :class:`SchemaError` when it does not fit."""
    model_class = _model_class(model_name)
    try:
        parsed = validate_and_convert_types(body, (model_class,), ["body"], True, True, _CONFIGURATION)
    except Exception as error:  # the SDK raises ApiTypeError, ApiValueError, TypeError, ... for malformed input
        raise SchemaError(str(error).replace("\n", " ")) from None
    unparsed = first_unparsed(parsed, "body")
    if unparsed:
        raise SchemaError("%s does not match the %s schema" % (unparsed, model_name))
    return parsed


def first_unparsed(value, path):
    """The path of the deepest unparsed object in ``value`` (an SDK model tree), or ``None`` when all of it parsed."""
    if isinstance(value, OpenApiModel):
        state = value.__dict__  # read the SDK's bookkeeping directly; attribute access on models is dynamic
        children = list(state.get("_data_store", {}).items())
        children += [(None, instance) for instance in state.get("_composed_instances") or ()]
        for name, child in children:
            found = first_unparsed(child, path if name is None else "%s.%s" % (path, name))
            if found:
                return found
        if isinstance(value, UnparsedObject) or state.get("_unparsed"):
            return path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unparsed(item, "%s[%d]" % (path, index))
            if found:
                return found
    return None
