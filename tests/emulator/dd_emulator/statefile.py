# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The state an emulator starts with (``dd-emulator --state FILE``, ``Emulator(state=...)``), and the same format read
back (``GET /_emulator/state``).

A state is a mapping with any of the keys of :data:`KEYS`::

    connections:                 # as the attributes of a create body, plus an optional id (a UUID)
      - {name: web, tags: ["team:sre"], integration: {type: HTTP, base_url: "https://example.invalid",
                                                      credentials: {type: HTTPNoAuth}}}
    app_key_registrations: [3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81]
    principals:
      roles: [Workflow Operators]                       # names, or {name, id}
      teams: [{handle: payments, name: Payments}]       # plus an optional id
      users: [{email: bot@example.com, name: Bot, service_account: true, roles: [Workflow Operators], teams: [payments]}]
    restriction_policies:        # resource ID -> bindings; a seeded connection may be named connection:<its name>
      "connection:web": [{relation: resolver, principals: [team:payments, role:Workflow Operators, org]}]
    audit_events:                # as POST /_emulator/audit/events takes them
      - {message: "...", timestamp: now-1h, tags: ["env:prod"]}

Everything is checked with the rules the API and the control API apply (a connection with the same create schema as
``POST /api/v2/actions/connections``); the first problem raises :class:`StateFileError` naming the entry
(``connections[2]: ...``). Principals in a policy are named as the collection's modules accept them: ``org``,
``role:<exact name>``, ``team:<exact handle>``, ``user:<exact email>``, or ``<type>:<uuid>`` as is.

Read back, the state lists every connection (with its ``id``, secrets blanked unless revealed), every registration,
the principals added to the defaults (with their IDs), every policy (principals as IDs, resources as
``<type>:<id>``) and every audit event search can see: loading that again gives the same state.
"""

from __future__ import annotations

import copy
import json
import os
import re

import yaml

from dd_emulator.audit import AuditLog
from dd_emulator.connections import CONNECTION_TYPE, UUID_PATTERN, render
from dd_emulator.errors import ApiError
from dd_emulator.policies import check_bindings, parse_resource_id
from dd_emulator.timeparse import parse_time

KEYS = ("connections", "app_key_registrations", "principals", "restriction_policies", "audit_events")
CONNECTION_KEYS = ("name", "tags", "integration", "id")
PRINCIPAL_KEYS = ("roles", "teams", "users")
BINDING_KEYS = ("relation", "principals")
#: Principal kinds named by name in a state file, and what names them.
NAMED_KINDS = {"role": "name", "team": "handle", "user": "email"}
EXPORT_PAGE = 1000
#: Where the SDK's type errors say the problem is: `` at ['body']['data']['attributes']['tags'][0]``.
_SDK_PATH = re.compile(r" at \['body'\]\['data'\]\['attributes'\]((?:\[[^\]]*\])*)$")


class StateFileError(ValueError):
    """A state the emulator cannot start with; the message names the entry."""


def read(source):
    """``(document, label)`` of a state given as a path (YAML, or JSON for ``*.json``) or a mapping."""
    if not isinstance(source, (str, os.PathLike)):
        return copy.deepcopy(source), "state"  # a mapping (anything else is refused by apply)
    label = os.fspath(source)
    try:
        with open(label, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise StateFileError("cannot read the state file %s: %s" % (label, error.strerror or error)) from None
    try:
        document = json.loads(text) if label.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise StateFileError("%s: not valid %s: %s" % (label, "JSON" if label.endswith(".json") else "YAML", error)) from None
    return ({} if document is None else document), label


def apply(state, document):
    """Put ``document`` into a ``State`` that holds only its defaults and keys. Connections without an ``id`` get one,
    written back into ``document`` (so applying it again after a reset gives the same IDs). Audit events are left to
    :func:`add_audit_events`, which a reset of the audit log calls again."""
    if not isinstance(document, dict):
        raise StateFileError("the state must be a mapping with the keys %s, got %s" % (", ".join(KEYS), type(document).__name__))
    unknown = sorted(set(document) - set(KEYS))
    if unknown:
        raise StateFileError("unknown key(s) %s (known: %s)" % (", ".join(map(str, unknown)), ", ".join(KEYS)))
    _principals(state, document.get("principals") or {})
    _registrations(state, _list("app_key_registrations", document.get("app_key_registrations") or []))
    _connections(state, _list("connections", document.get("connections") or []))
    _policies(state, document.get("restriction_policies") or {})
    check_audit_events(document.get("audit_events") or [])


def check_audit_events(events):
    """Check the audit events of a state the way ``POST /_emulator/audit/events`` does, naming the entry."""
    scratch = AuditLog()  # a log of its own, to check each event with the checks of the real one
    for position, spec in enumerate(_list("audit_events", events)):
        where = "audit_events[%d]" % position
        if isinstance(spec, dict) and "timestamp" in spec:
            try:
                parse_time(spec["timestamp"], scratch.now_ms())
            except ValueError as error:
                raise StateFileError("%s.timestamp: %s" % (where, error)) from None
        try:
            scratch.add_events([spec])
        except ValueError as error:
            raise StateFileError("%s: %s" % (where, str(error).replace("event 1: ", "").replace("event 1 ", "the event "))) from None


def add_audit_events(state, document):
    """Add the audit events of an applied ``document`` (checked by :func:`apply`)."""
    events = document.get("audit_events") or []
    if events:
        state.audit.add_events(copy.deepcopy(events))


def export(state, reveal_secrets=False):
    """The state in the state-file format (see the module docstring)."""
    return {
        "connections": [_connection_json(connection, reveal_secrets) for connection in state.connections],
        "app_key_registrations": list(state.registrations),
        "principals": state.principals.added_json(),
        "restriction_policies": state.policies.to_json(),
        "audit_events": _audit_events(state.audit),
    }


# -- applying ----------------------------------------------------------------------------------------------------------

def _principals(state, principals):
    if not isinstance(principals, dict):
        raise StateFileError("principals must be a mapping with the keys %s" % ", ".join(PRINCIPAL_KEYS))
    unknown = sorted(set(principals) - set(PRINCIPAL_KEYS))
    if unknown:
        raise StateFileError("principals: unknown key(s) %s (known: %s)" % (", ".join(map(str, unknown)), ", ".join(PRINCIPAL_KEYS)))
    try:
        state.principals.add(**{kind: principals.get(kind) or [] for kind in PRINCIPAL_KEYS})
    except ValueError as error:
        raise StateFileError("principals.%s" % error) from None


def _registrations(state, ids):
    for position, app_key_id in enumerate(ids):
        if not isinstance(app_key_id, str) or not UUID_PATTERN.match(app_key_id):
            raise StateFileError("app_key_registrations[%d]: an application key ID must be a UUID, got %r" % (position, app_key_id))
        state.registrations[app_key_id.lower()] = True


def _connections(state, connections):
    user_id = state.keys[0].user["id"]
    for position, item in enumerate(connections):
        where = "connections[%d]" % position
        if not isinstance(item, dict):
            raise StateFileError("%s must be a mapping with the keys %s, got %r" % (where, ", ".join(CONNECTION_KEYS), item))
        unknown = sorted(set(item) - set(CONNECTION_KEYS))
        if unknown:
            raise StateFileError("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(map(str, unknown)), ", ".join(CONNECTION_KEYS)))
        connection_id = item.get("id")
        if connection_id is not None and (not isinstance(connection_id, str) or not UUID_PATTERN.match(connection_id)):
            raise StateFileError("%s.id must be a UUID, got %r" % (where, connection_id))
        attributes = {key: value for key, value in item.items() if key != "id"}
        try:
            connection = state.connections.create({"data": {"type": CONNECTION_TYPE, "attributes": attributes}}, user_id,
                                                  connection_id=connection_id, keep_server_fields=True)
        except ApiError as error:
            raise StateFileError(_connection_reason(where, _reason(error))) from None
        item["id"] = connection.id


def _policies(state, policies):
    if not isinstance(policies, dict):
        raise StateFileError("restriction_policies must be a mapping of resource IDs (<type>:<id>) to bindings")
    for resource, bindings in policies.items():
        where = "restriction_policies[%s]" % json.dumps(resource)
        resource_id = _resource_id(state, where, resource)
        try:
            resource_type, _identifier = parse_resource_id(resource_id)
        except ApiError as error:
            raise StateFileError("%s: %s" % (where, _reason(error))) from None
        resolved = []
        for position, binding in enumerate(_list(where, bindings)):
            entry = "%s[%d]" % (where, position)
            if not isinstance(binding, dict) or set(binding) != set(BINDING_KEYS):
                raise StateFileError("%s must be a mapping with exactly the keys relation and principals, got %r" % (entry, binding))
            if not isinstance(binding["relation"], str):
                raise StateFileError("%s.relation must be a string, got %r" % (entry, binding["relation"]))
            principals = [_principal(state, "%s.principals[%d]" % (entry, index), principal)
                          for index, principal in enumerate(_list(entry + ".principals", binding["principals"]))]
            resolved.append({"relation": binding["relation"], "principals": principals})
        try:
            checked = check_bindings(resource_type, resolved)
        except ApiError as error:
            raise StateFileError("%s: %s" % (where, _reason(error))) from None
        if state.policies.get(resource_id):
            raise StateFileError("%s: the resource %s has a policy already (named twice?)" % (where, resource_id))
        state.policies.put(resource_id, checked)


def _resource_id(state, where, resource):
    """A ``connection:<name>`` of a seeded connection becomes ``connection:<its id>``; anything else stays."""
    if not isinstance(resource, str):
        raise StateFileError("%s: a resource ID must be a string" % where)
    resource_type, separator, name = resource.partition(":")
    if resource_type != "connection" or not separator or UUID_PATTERN.match(name):
        return resource
    found = [connection.id for connection in state.connections if connection.name == name]
    if len(found) != 1:
        raise StateFileError("%s: %s" % (where, "no connection of the state is named %r" % name if not found
                                         else "%d connections of the state are named %r" % (len(found), name)))
    return "connection:" + found[0]


def _principal(state, where, principal):
    """``org``, ``role:<name>``, ``team:<handle>``, ``user:<email>`` -> ``<type>:<id>``; ``<type>:<uuid>`` as is."""
    if principal == "org":
        return "org:" + state.principals.org_id
    if not isinstance(principal, str):
        raise StateFileError("%s: a principal must be a string, got %r" % (where, principal))
    kind, separator, name = principal.partition(":")
    if not separator or kind not in NAMED_KINDS or UUID_PATTERN.match(name):
        return principal  # as is: check_bindings says what is wrong with it, if anything
    found = state.principals.find(kind, name)
    if len(found) != 1:
        raise StateFileError("%s: %s" % (where, "no %s has the %s %r" % (kind, NAMED_KINDS[kind], name) if not found
                                         else "%d %ss have the %s %r (name one by ID)" % (len(found), kind, NAMED_KINDS[kind], name)))
    return "%s:%s" % (kind, found[0])


def _list(where, value):
    if not isinstance(value, list):
        raise StateFileError("%s must be a list, got %r" % (where, value))
    return value


def _reason(error):
    """The text of an API error: ``{"errors": ["text"]}`` or the connection shape's ``detail`` (its
    ``... desc = <reason>`` part)."""
    first = error.body["errors"][0]
    text = first if isinstance(first, str) else first.get("detail", "")
    return text.split(" desc = ", 1)[-1]


def _connection_reason(where, reason):
    """``connections[2].tags[0]: <reason>``: the path of a create body's problem, relative to the state's entry."""
    if "body.data.attributes" in reason:
        return reason.replace("body.data.attributes", where)
    match = _SDK_PATH.search(reason)
    if match is None:
        return "%s: %s" % (where, reason)
    path = "".join("." + part.strip("'") if part.startswith("'") else "[%s]" % part for part in re.findall(r"\[([^\]]*)\]", match.group(1)))
    return "%s%s: %s" % (where, path, reason[:match.start()])


# -- reading back -----------------------------------------------------------------------------------------------------

def _connection_json(connection, reveal_secrets):
    attributes = render(connection, reveal_secrets=reveal_secrets)["attributes"]
    return {"id": connection.id, "name": attributes["name"], "tags": attributes["tags"], "integration": attributes["integration"]}


def _audit_events(audit):
    """Every event search sees, oldest first, in the form ``POST /_emulator/audit/events`` takes."""
    events = []
    body = {"filter": {"query": "*", "from": "0", "to": "now+5200w"}, "sort": "timestamp", "page": {"limit": EXPORT_PAGE}}
    while True:
        page = audit.search_body(body, "")
        for item in page["data"]:
            attributes = item["attributes"]
            events.append({"timestamp": attributes["timestamp"], "message": attributes["message"], "service": attributes["service"],
                           "tags": list(attributes["tags"]), "attributes": copy.deepcopy(attributes["attributes"])})
        cursor = ((page.get("meta") or {}).get("page") or {}).get("after")
        if not page["data"] or not cursor:
            return events
        body["page"]["cursor"] = cursor
