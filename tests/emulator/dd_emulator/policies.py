# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Restriction policies: who may view, use, run and edit a resource (``/api/v2/restriction_policy/{resource_id}``).

A policy is a list of bindings ``{"relation", "principals": ["<type>:<id>", ...]}`` per ``<type>:<id>`` resource.
The checks are pure functions (resource ID, bindings, self-lockout); :class:`PolicyStore` only keeps policies.
Errors answer 400 ``{"errors": ["<message>"]}``: the three messages Datadog was recorded answering, and the
emulator's own wording (the same shape) where nothing was recorded.
"""

from __future__ import annotations

import copy

from dd_emulator.connections import UUID_PATTERN
from dd_emulator.errors import text_errors
from dd_emulator.validation import SchemaError, check_body

POLICY_TYPE = "restriction_policy"
#: Resource type -> its relations, the one that may edit the resource (and its policy) last. The types and relations
#: Datadog documents (the restriction policy reference of its API and official clients); any other type is refused.
RELATIONS = {
    "connection": ("viewer", "resolver", "editor"),
    "connection-group": ("viewer", "editor"),
    "workflow": ("viewer", "runner", "editor"),
    "app-builder-app": ("viewer", "editor"),
    "cross-org-connection": ("viewer", "editor"),
    "dashboard": ("viewer", "editor"),
    "integration-service": ("viewer", "editor"),
    "integration-webhook": ("viewer", "editor"),
    "notebook": ("viewer", "editor"),
    "powerpack": ("viewer", "editor"),
    "reference-table": ("viewer", "editor"),
    "security-rule": ("viewer", "editor"),
    "slo": ("viewer", "editor"),
    "synthetics-global-variable": ("viewer", "editor"),
    "synthetics-test": ("viewer", "editor"),
    "synthetics-private-location": ("viewer", "editor"),
    "monitor": ("viewer", "editor"),
    "rum-application": ("viewer", "editor"),
    "spreadsheet": ("viewer", "editor"),
    "on-call-schedule": ("viewer", "overrider", "editor"),
    "on-call-escalation-policy": ("viewer", "editor"),
    "on-call-team-routing-rules": ("viewer", "editor"),
    "logs-pipeline": ("viewer", "processors_editor", "editor"),
    "case-management-project": ("viewer", "contributor", "manager"),
    "monitor-notification-rule": ("viewer", "editor"),
    "status-page": ("viewer", "responder", "manager"),
    "feature-flag": ("viewer", "contributor", "editor"),
    "network-path-config": ("viewer", "editor"),
}
#: Principal types every relation takes (recorded: "supported types: "org, role, team, user"").
PRINCIPAL_TYPES = ("org", "role", "team", "user")


def policy_error(message):
    return text_errors(400, message)


def parse_resource_id(resource_id):
    """``(type, id)`` of a ``<type>:<id>`` resource ID, or the recorded 400 errors."""
    resource_type, separator, identifier = resource_id.partition(":")
    if not (resource_type and separator and identifier):
        raise policy_error("Invalid resource: '%s' is not in a valid format" % resource_id)
    if resource_type not in RELATIONS:
        raise policy_error("Invalid resource type: '%s' does not support restriction policies" % resource_type)
    return resource_type, identifier


def check_bindings(resource_type, bindings):
    """A copy of ``bindings`` when every relation is the type's and every principal a ``<org|role|team|user>:<uuid>``."""
    relations = RELATIONS[resource_type]
    for binding in bindings:
        relation = binding["relation"]
        if relation not in relations:
            raise policy_error('Invalid request: [RelationInvalidForResourceType] relation "%s" is not supported by "%s" resources, '
                               'supported relations: "%s"' % (relation, resource_type, ", ".join(relations)))
        for principal in binding["principals"]:
            kind, separator, identifier = principal.partition(":")
            if kind not in PRINCIPAL_TYPES:
                raise policy_error('Invalid request: [PrincipalTypeInvalidForRelation] principal "%s" is not supported by "%s" relation, '
                                   'supported types: "%s"' % (principal, relation, ", ".join(PRINCIPAL_TYPES)))
            if not (separator and UUID_PATTERN.match(identifier)):
                raise policy_error('Invalid request: [PrincipalInvalid] principal "%s" is not in a valid format, expected "%s:<uuid>"'
                                   % (principal, kind))
    return [{"relation": binding["relation"], "principals": list(binding["principals"])} for binding in bindings]


def checked_body(body, resource_id):
    """The bindings of a ``POST`` body: parsed with ``RestrictionPolicyUpdateRequest``, ``data.id`` the path's resource."""
    resource_type, _identifier = parse_resource_id(resource_id)
    try:
        check_body(body, "RestrictionPolicyUpdateRequest")
    except SchemaError as error:
        raise policy_error("Invalid request: the body does not match RestrictionPolicyUpdateRequest: %s" % error) from None
    data = body["data"]
    if data["id"] != resource_id:
        raise policy_error("Invalid request: data.id '%s' is not the resource of the path, '%s'" % (data["id"], resource_id))
    return check_bindings(resource_type, data["attributes"]["bindings"])


def editing_relation(resource_type):
    """The relation that may edit a resource of this type and its policy (``editor``, or ``manager``)."""
    return RELATIONS[resource_type][-1]


def locks_out(resource_type, bindings, held):
    """Whether a policy of these ``bindings`` leaves none of the ``held`` principals the type's editing relation.
    No bindings is no restriction (Datadog's default access), never a lockout."""
    if not bindings:
        return False
    relation = editing_relation(resource_type)
    granted = {principal for binding in bindings if binding["relation"] == relation for principal in binding["principals"]}
    return not granted & set(held)


def self_lockout_error(resource_id, resource_type):
    return policy_error('Invalid request: [SelfLockout] this policy would remove your own "%s" access to %s; '
                        "send allow_self_lockout=true to apply it anyway" % (editing_relation(resource_type), resource_id))


def answer(resource_id, bindings):
    """The answer body of every route (``bindings`` is ``[]`` for a resource without a policy)."""
    return {"data": {"id": resource_id, "type": POLICY_TYPE, "attributes": {"bindings": copy.deepcopy(bindings)}}}


def change_action(before, after):
    """The audit action of a change from ``before`` to ``after`` bindings (``None`` when nothing changed from none)."""
    if not before:
        return "created" if after else None
    return "modified" if after else "deleted"


class PolicyStore:
    """Policies by resource ID, in the order they were first written. A resource without one has no entry."""

    def __init__(self):
        self._policies = {}

    def __len__(self):
        return len(self._policies)

    def clear(self):
        self._policies.clear()

    def get(self, resource_id):
        return copy.deepcopy(self._policies.get(resource_id, []))

    def put(self, resource_id, bindings):
        """Replace the policy (no bindings deletes it); return the previous bindings (``[]`` for none)."""
        if not bindings:
            return self.delete(resource_id)
        previous = self._policies.get(resource_id, [])
        self._policies[resource_id] = copy.deepcopy(bindings)
        return previous

    def delete(self, resource_id):
        return self._policies.pop(resource_id, [])

    def to_json(self):
        return copy.deepcopy(self._policies)
