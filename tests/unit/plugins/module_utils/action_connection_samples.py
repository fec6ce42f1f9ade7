# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sample action connections for the unit tests: one per variant, and how Datadog answers them."""

from __future__ import annotations

import copy

from ansible_collections.ddops.datadog.plugins.module_utils import _connections as catalogue

CONNECTION_ID = "0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00"


def sample(variant, prefix="v"):
    """A complete integration for a variant: every field set, secrets recognisable."""
    credentials = {"type": variant.credential}
    for field in variant.fields:
        if field.kind == catalogue.ENTRIES:
            credentials[field.name] = [{"name": "first", "value": "%s-%s-1" % (prefix, field.name)}]
        elif field.kind == catalogue.BODY:
            credentials[field.name] = {"content": "{}", "content_type": "application/json"}
        elif field.name == "account_id":
            credentials[field.name] = "123456789012"
        elif field.choices:
            credentials[field.name] = field.choices[-1]
        else:
            credentials[field.name] = "%s-%s" % (prefix, field.name)
    integration = {"type": variant.integration, "credentials": credentials}
    if variant.integration_fields:
        integration["base_url"] = "https://api.example.com"
    return integration


def variant_named(credential_type):
    return catalogue.credential_variant(credential_type)


def answered(integration):
    """How Datadog answers an integration: secrets as "" (HTTP token values too), AWS ids added."""
    answer = copy.deepcopy(integration)
    credentials = answer.get("credentials") or {}
    for name in list(credentials):
        if name in catalogue.secret_field_names():
            credentials[name] = ""
    for token in credentials.get("tokens", []):
        token["value"] = ""
    if credentials.get("type") == "AWSAssumeRole":
        credentials.update(external_id="0123456789abcdef0123456789abcdef", principal_id="464622532012")
    return answer


def resource(name, integration, connection_id=CONNECTION_ID, tags=None):
    """A connection as the API answers it (``data``), with the extra attributes newer answers carry."""
    return {
        "id": connection_id,
        "type": "action_connection",
        "attributes": {
            "name": name,
            "integration": answered(integration),
            "tags": list(tags or []),
            "acting_user_can_resolve": True,
            "is_favorite": False,
            "external_secrets_manager": {},
            "created_at": "2026-07-13 13:25:37.4346 +0000 UTC",
            "last_updated": "2026-07-13 13:25:37.4346 +0000 UTC",
        },
        "relationships": {"created_by": {"data": {"id": "u1", "type": "users"}}},
    }


def page(*items, **meta):
    """One page of the list endpoint."""
    total = meta.get("total", len(items))
    return (200, {"data": list(items), "meta": {"total": total, "total_filtered": total, "integration_counts": []}})


def current_of(desired):
    """The ``attributes`` Datadog answers for a connection created from ``desired``."""
    return {"name": desired["name"], "integration": answered(desired["integration"]), "tags": list(desired.get("tags") or []),
            "is_favorite": False, "created_at": "2026-07-13 13:25:37.4346 +0000 UTC"}


def desired_of(variant, **changes):
    """A complete desired connection of one variant (the module's ``desired`` without identity and state)."""
    desired = {"name": "conn", "integration": catalogue.validate_integration(sample(variant)), "tags": ["team:sre"]}
    desired.update(changes)
    return desired
