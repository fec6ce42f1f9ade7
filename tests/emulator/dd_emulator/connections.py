# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action connections: body validation, storage, PATCH merge, the list endpoint and the answer form.

Stored connections keep every secret; :func:`render` blanks them to ``""`` for answers, as Datadog does.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from dd_emulator.catalogue import (INTEGRATION_TYPES, NAMED_LISTS, blank_secrets, credential_types, credential_variant, find_variant,
                                   secret_values)
from dd_emulator.errors import generic_error, int_parameter, invalid_parameter
from dd_emulator.timeparse import format_go
from dd_emulator.validation import SchemaError, check_body

CONNECTION_TYPE = "action_connection"
#: The AWS account Datadog assumes roles from (server-added ``principal_id``).
DATADOG_PRINCIPAL_ID = "464622532012"
LIST_PAGE_SIZE = 10
LIST_PAGE_SIZE_MAX = 100
LIST_SORTS = ("name", "-name")

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
#: Server-side patterns the SDK does not enforce: credential type -> field -> (name in errors, pattern).
FIELD_PATTERNS = {"AWSAssumeRole": {"account_id": ("AccountId", r"^\d{12}$")}}
#: How the server fills its read-only credential fields.
SERVER_FIELDS = {"external_id": lambda: uuid.uuid4().hex, "principal_id": lambda: DATADOG_PRINCIPAL_ID}
#: Update-only credential flags -> the server field they regenerate.
REGENERATE = {"generate_new_external_id": "external_id"}

_NOT_FOUND_VERB = {"GET": "getting", "PATCH": "creating", "DELETE": "deleting"}


def invalid_argument(description):
    """The recorded 400 for a body Datadog rejects."""
    return generic_error(400, "error creating connection: rpc error: code = InvalidArgument desc = " + description)


def not_found(method):
    """The recorded 404; the wording depends on the method (PATCH really says "creating")."""
    return generic_error(404, "error %s connection: rpc error: code = NotFound desc = connection not found" % _NOT_FOUND_VERB[method])


@dataclass
class Connection:
    """A stored connection, secrets included."""

    id: str
    name: str
    integration: dict
    tags: list
    created_by: str
    created_at: datetime
    last_updated: datetime


def render(connection, omit_http_tokens=False, reveal_secrets=False):
    """The ``data`` object of an answer: secrets blanked (unless ``reveal_secrets``), Datadog's extra attributes added."""
    integration = copy.deepcopy(connection.integration)
    credentials = integration["credentials"]
    if not reveal_secrets:
        blank_secrets(credential_variant(credentials["type"]), credentials)
    if omit_http_tokens:
        credentials.pop("tokens", None)
    return {
        "id": connection.id,
        "type": CONNECTION_TYPE,
        "attributes": {
            "name": connection.name,
            "integration": integration,
            "tags": list(connection.tags),
            "acting_user_can_resolve": True,
            "is_favorite": False,
            "external_secrets_manager": {},
            "created_at": format_go(connection.created_at),
            "last_updated": format_go(connection.last_updated),
        },
        "relationships": {"created_by": {"data": {"id": connection.created_by, "type": "users"}}},
    }


class ConnectionStore:
    """Connections by id, in creation order, and every secret value ever received (never cleared)."""

    def __init__(self):
        self._connections = {}
        self.secrets_seen = set()

    def __len__(self):
        return len(self._connections)

    def __iter__(self):
        return iter(list(self._connections.values()))

    def clear(self):
        self._connections.clear()

    def create(self, body, user_id, connection_id=None, keep_server_fields=False):
        """Store a new connection from a create body. A state file's connection (see :mod:`dd_emulator.statefile`) comes
        with its ``connection_id`` and may keep the values it gives for the server's fields (an AWS ``external_id``)."""
        attributes = _validated_attributes(body, "CreateActionConnectionRequest", update=False)
        integration = copy.deepcopy(attributes["integration"])
        credentials = integration["credentials"]
        given = {name: credentials[name] for name in credential_variant(credentials["type"]).server_added if name in credentials}
        _fill_server_fields(credentials)
        if keep_server_fields:
            credentials.update(given)
        _check_patterns(credentials)
        connection_id = (connection_id or str(uuid.uuid4())).lower()
        if connection_id in self._connections:
            raise invalid_argument("the connection id %s is taken" % connection_id)
        now = datetime.now(timezone.utc)
        connection = Connection(connection_id, attributes["name"], integration, list(attributes.get("tags") or ()), user_id, now, now)
        self._connections[connection.id] = connection
        self._remember_secrets(integration)
        return connection

    def _remember_secrets(self, integration):
        credentials = integration["credentials"]
        self.secrets_seen.update(secret_values(credential_variant(credentials["type"]), credentials))

    def get(self, connection_id, method="GET"):
        if not UUID_PATTERN.match(connection_id):
            raise generic_error(400, "error connectionId not a valid UUID")
        connection = self._connections.get(connection_id.lower())
        if connection is None:
            raise not_found(method)
        return connection

    def update(self, connection_id, body):
        connection = self.get(connection_id, "PATCH")
        attributes = _validated_attributes(body, "UpdateActionConnectionRequest", update=True)
        integration = connection.integration
        if "integration" in attributes:
            integration = _merged_integration(connection.integration, attributes["integration"])
            _check_patterns(integration["credentials"])
        connection.integration = integration
        self._remember_secrets(integration)
        connection.name = attributes.get("name", connection.name)
        connection.tags = list(attributes.get("tags", connection.tags))
        connection.last_updated = datetime.now(timezone.utc)
        return connection

    def delete(self, connection_id):
        connection = self.get(connection_id, "DELETE")
        del self._connections[connection.id]
        return connection

    def list_page(self, args):
        """The preview list endpoint: ``(connections of the page, meta)``."""
        size = int_parameter(args, "page[size]", LIST_PAGE_SIZE, 1, LIST_PAGE_SIZE_MAX)
        number = int_parameter(args, "page[number]", 0, 0, None)
        sort = args.get("sort")
        if sort is not None and sort not in LIST_SORTS:
            raise invalid_parameter("sort", "query", "expected one of %s" % ", ".join(LIST_SORTS))
        tests = _list_filters(args)
        selected = [connection for connection in self._connections.values() if all(test(connection) for test in tests)]
        if sort:
            selected.sort(key=lambda connection: (connection.name.lower(), connection.name), reverse=sort.startswith("-"))
        counts = Counter(connection.integration["type"] for connection in selected)
        meta = {"total": len(self._connections), "total_filtered": len(selected),
                "integration_counts": [{"integration": name, "count": counts[name]} for name in sorted(counts)]}
        return selected[number * size:(number + 1) * size], meta


# -- validation --------------------------------------------------------------------------------------------------------

def _validated_attributes(body, model_name, update):
    """``data.attributes`` of a body that the SDK model accepts and that passes the server's own rules.

    The SDK accepts extra fields next to complete ones; the variants table rejects them (a typo must not pass).
    """
    try:
        check_body(body, model_name)
    except SchemaError as error:
        raise invalid_argument(_explain(body, update) or str(error)) from None
    attributes = body["data"]["attributes"]
    problem = _integration_problem(attributes["integration"], complete=not update, update=update) if "integration" in attributes else None
    if problem:
        raise invalid_argument(problem)
    for tag in attributes.get("tags") or ():
        key, separator, value = tag.partition(":")
        if not (key and separator and value):
            raise invalid_argument("invalid tag %r: tags must look like key:value" % (tag,))
        if key.lower() == "default":
            raise invalid_argument("invalid tag %r: the tag key \"default\" is reserved" % (tag,))
    return attributes


def _explain(body, update):
    """A readable reason for a body the SDK rejected, from the variants table, or ``None``."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return "the body needs a data object"
    if data.get("type") != CONNECTION_TYPE:
        return "data.type must be %r, got %r" % (CONNECTION_TYPE, data.get("type"))
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        return None
    tags = attributes.get("tags", [])
    if not (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)):
        return "tags must be a list of key:value strings"
    if "integration" not in attributes:
        return None
    return _integration_problem(attributes["integration"], complete=not update, update=update)


def _integration_problem(integration, complete, update):
    """What is wrong with an integration object, or ``None``. ``complete``: every required field must be there."""
    if not isinstance(integration, dict) or "type" not in integration:
        return "integration.type is required"
    expected = credential_types(integration["type"])
    if not expected:
        return "unknown integration type %r (known: %s)" % (integration["type"], ", ".join(INTEGRATION_TYPES))
    credentials = integration.get("credentials")
    if not isinstance(credentials, dict):
        return "integration.credentials is required" if complete or credentials is not None else None
    variant = find_variant(integration["type"], credentials.get("type"))
    if variant is None:
        return "credentials type %r does not fit integration %r (expected %s)" % (credentials.get("type"), integration["type"], " or ".join(expected))
    if complete:
        missing = [name for name in variant.integration_required if name not in integration]
        missing += ["credentials." + name for name in variant.required if name not in credentials]
        if missing:
            return "%s integration is missing required field(s): %s" % (variant.integration, ", ".join(missing))
    unknown = sorted(set(integration) - {"type", "credentials"} - set(variant.integration_required))
    if unknown:
        return "unknown %s integration field(s): %s" % (variant.integration, ", ".join(unknown))
    allowed = {"type"} | set(variant.fields) | set(variant.update_only if update else variant.server_added)
    unknown = sorted(set(credentials) - allowed)
    if unknown:
        return "unknown %s credential field(s): %s (known: %s)" % (variant.credential, ", ".join(unknown), ", ".join(sorted(allowed)))
    return None


def _check_patterns(credentials):
    for field, (name, pattern) in FIELD_PATTERNS.get(credentials["type"], {}).items():
        if field in credentials and not re.match(pattern, str(credentials[field])):
            raise invalid_argument('invalid %s.%s: value does not match regex pattern "%s"' % (credentials["type"], name, pattern))


# -- create and PATCH ----------------------------------------------------------------------------------------------------

def _fill_server_fields(credentials):
    """Drop update-only flags and ``deleted`` list entries, then (re)generate the server's read-only fields."""
    variant = credential_variant(credentials["type"])
    for flag in variant.update_only:
        credentials.pop(flag, None)
    for list_name in NAMED_LISTS:
        if list_name in credentials:
            credentials[list_name] = [_without_deleted(entry) for entry in credentials[list_name] if not entry.get("deleted")]
    for name in variant.server_added:
        credentials[name] = SERVER_FIELDS[name]()


def _without_deleted(entry):
    return {key: value for key, value in entry.items() if key != "deleted"}


def _merged_integration(stored, given):
    """The integration after a PATCH: same type merges, another type replaces (and must then be complete)."""
    if given["type"] != stored["type"]:
        problem = _integration_problem(given, complete=True, update=True)
        if problem:
            raise invalid_argument(problem)
        replaced = copy.deepcopy(given)
        _fill_server_fields(replaced["credentials"])
        return replaced
    merged = copy.deepcopy(stored)
    merged.update({key: copy.deepcopy(value) for key, value in given.items() if key not in ("type", "credentials")})
    given_credentials = given.get("credentials")
    if given_credentials is None:
        return merged
    if given_credentials["type"] != stored["credentials"]["type"]:
        problem = _integration_problem(dict(merged, credentials=given_credentials), complete=True, update=True)
        if problem:
            raise invalid_argument(problem)
        merged["credentials"] = copy.deepcopy(given_credentials)
        _fill_server_fields(merged["credentials"])
        return merged
    credentials = merged["credentials"]
    for field, value in given_credentials.items():
        if field in NAMED_LISTS:
            credentials[field] = _merged_entries(field, credentials.get(field) or [], value)
        elif field in REGENERATE:
            if value:
                credentials[REGENERATE[field]] = SERVER_FIELDS[REGENERATE[field]]()
        else:
            credentials[field] = copy.deepcopy(value)
    return merged


def _merged_entries(list_name, stored_entries, updates):
    """HTTP tokens/headers/url_parameters matched by ``name``: ``deleted: true`` removes, others add or replace."""
    merged = {entry["name"]: dict(entry) for entry in stored_entries}
    for update in updates:
        name = update["name"]
        if update.get("deleted"):
            merged.pop(name, None)
        elif name in merged:
            merged[name].update(_without_deleted(update))
        elif "value" not in update:
            raise invalid_argument("new %s entry %r needs a value" % (list_name, name))
        else:
            merged[name] = _without_deleted(update)
    return list(merged.values())


# -- list endpoint -----------------------------------------------------------------------------------------------------

def _csv(args, name):
    raw = args.get(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else []


def _list_filters(args):
    """One test per given ``filter[...]`` parameter; a connection is listed when it passes every test."""
    tests = []
    integrations = {value.lower() for value in _csv(args, "filter[integration]")}
    if integrations:
        tests.append(lambda connection: connection.integration["type"].lower() in integrations)
    tags = _csv(args, "filter[tags]")
    if tags:
        tests.append(lambda connection: all(tag in connection.tags for tag in tags))
    search = (args.get("filter[search]") or "").lower()
    if search:
        tests.append(lambda connection: search in connection.name.lower())
    connection_ids = {value.lower() for value in _csv(args, "filter[connection_ids]")}
    if connection_ids:
        tests.append(lambda connection: connection.id in connection_ids)
    creator_ids = set(_csv(args, "filter[creator_ids]"))
    if creator_ids:
        tests.append(lambda connection: connection.created_by in creator_ids)
    return tests
