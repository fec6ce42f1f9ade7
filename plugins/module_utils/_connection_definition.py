# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A connection as code: the input that recreates a connection Datadog answered, read from the catalogue.

Internal use only: not part of the collection's public interface.

:func:`connection_definition` turns a connection as the API answers it into the exact input of
``datadog_action_connection`` (and of an item of the role's ``action_connections_list``): ``name``, ``integration``
(type, the fields next to the credentials, ``credentials`` with its type, its non-secret fields and the HTTP entries
by name) and ``tags``. Which field goes in is decided by the variant in the catalogue: secret fields, secret entry
keys (HTTP token values) and the fields Datadog sets itself (AWS ``external_id``, ``principal_id``) never do, and no
field name is written here. Plain Python, no Ansible imports.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    BODY,
    BODY_FIELDS,
    ENTRIES,
    ENTRY_FIELDS,
    variant_for,
)


def connection_definition(connection):
    """The definition of ``connection`` (a resource as Datadog answers it), or ``None`` when the catalogue does not
    know its integration and credential type (a variant newer than this collection)."""
    attributes = connection.get("attributes") if isinstance(connection, dict) else None
    attributes = attributes if isinstance(attributes, dict) else {}
    integration = attributes.get("integration") if isinstance(attributes.get("integration"), dict) else {}
    credentials = integration.get("credentials") if isinstance(integration.get("credentials"), dict) else {}
    variant = variant_for(integration.get("type"), credentials.get("type"))
    if variant is None or not isinstance(attributes.get("name"), str):
        return None
    definition_integration = {"type": variant.integration}
    for field in variant.integration_fields:
        if integration.get(field.name) is not None:
            definition_integration[field.name] = integration[field.name]
    definition_credentials = {"type": variant.credential}
    for field in variant.fields:
        value = credentials.get(field.name)
        if field.secret or value is None:
            continue
        if field.kind == ENTRIES:
            if isinstance(value, list):
                definition_credentials[field.name] = [_public_entry(field.name, entry) for entry in value
                                                      if isinstance(entry, dict)]
        elif field.kind == BODY:
            body = dict((key, value[key]) for key in BODY_FIELDS if isinstance(value, dict) and value.get(key) is not None)
            if body:
                definition_credentials[field.name] = body
        else:
            definition_credentials[field.name] = value
    definition_integration["credentials"] = definition_credentials
    tags = attributes.get("tags") if isinstance(attributes.get("tags"), list) else []
    return {"name": attributes["name"], "integration": definition_integration, "tags": sorted(set(tags))}


def _public_entry(list_name, entry):
    """An HTTP entry without its secret keys (a token keeps its name and type, never its value)."""
    return dict((field.name, entry[field.name]) for field in ENTRY_FIELDS[list_name]
                if not field.secret and entry.get(field.name) is not None)
