# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Restriction policies: who may view, use, run and edit a Datadog resource (``/api/v2/restriction_policy/{id}``).

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

The steps, each usable alone (the module runs them in this order; a set of resources runs each step for all):

1. :func:`parse_resource_id` and :func:`parse_bindings` check the input, no request: ``<type>:<id>``, bindings of
   ``{relation, principals}``, the relations of the Workflow Automation types, the principals' forms.
2. :func:`resolve_bindings` turns principals written by name into IDs through a shared
   :class:`~._principals.PrincipalResolver` (look-ups only).
3. :func:`read_policy`: 1 GET (a resource without a policy answers 200 with no bindings; a 404 is read as none).
4. :func:`decide_policy` (pure): nothing, replace (POST) or delete, and the diff. Bindings compare as sets: the order
   of bindings and principals does not matter, duplicates collapse, bindings of one relation merge, a binding without
   principals grants nothing.
5. :func:`apply_policy`: the one write the decision names, or none.

Facts (docs/dev/api-behaviour.md): ``POST`` replaces the whole policy (so it is sent again safely: it is idempotent);
``DELETE`` answers 204, also where there is no policy; Datadog refuses a ``POST`` that removes the caller's own access
unless ``allow_self_lockout=true``.
"""

from __future__ import annotations

import re
from collections import namedtuple
from urllib.parse import quote

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._errors import (
    InputError,
    TaskFailure,
    UnusableAnswerError,
    api_failure,
    operation,
)
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalError, parse_principal
from ansible_collections.ddops.datadog.plugins.module_utils._validation import describe, kind_of, normalized_uuid

POLICY_PATH = "/api/v2/restriction_policy/"
POLICY_TYPE = "restriction_policy"
#: The Workflow Automation resource types and their relations (checked before any request). Other types (dashboards,
#: notebooks, SLOs, ...) have relations of their own and new ones appear: theirs are left to Datadog to check.
WORKFLOW_RELATIONS = {
    "connection": ("viewer", "resolver", "editor"),
    "connection-group": ("viewer", "editor"),
    "workflow": ("viewer", "runner", "editor"),
    "app-builder-app": ("viewer", "editor"),
    "cross-org-connection": ("viewer", "editor"),
}
#: The types whose IDs are UUIDs (checked, and written in lower case).
UUID_TYPES = ("connection", "workflow", "app-builder-app")
NOTHING, REPLACE, DELETE = "nothing", "replace", "delete"
_TYPE = re.compile(r"^[a-z][a-z0-9_-]*$")
_RELATION = re.compile(r"^[a-z][a-z0-9_]*$")
_SPACE = re.compile(r"\s")

ResourceId = namedtuple("ResourceId", "type id text")
Binding = namedtuple("Binding", "relation principals")  # principals: a tuple of _principals.Principal


# -- 1. input ----------------------------------------------------------------------------------------------------------

def parse_resource_id(value, option="resource_id"):
    """The :class:`ResourceId` of ``<type>:<id>``, or :class:`InputError` naming ``option``. The IDs of
    connections, workflows and apps must be UUIDs (written in lower case)."""
    if not isinstance(value, str):
        raise InputError("%s must be a string <type>:<id>, for example connection:<UUID>; got a %s" % (option, kind_of(value)))
    resource_type, separator, identifier = value.strip().partition(":")
    if not separator or not resource_type or not identifier or _SPACE.search(resource_type + identifier):
        raise InputError("%s must be <type>:<id> without spaces, for example connection:<UUID>, workflow:<UUID>, "
                         "app-builder-app:<UUID> or dashboard:<ID>; got %s" % (option, describe(value)))
    if not _TYPE.match(resource_type):
        raise InputError("%s: the resource type %r is not a Datadog resource type (lower-case letters, digits, "
                         "hyphens, for example connection, workflow, app-builder-app, dashboard)" % (option, resource_type))
    if resource_type in UUID_TYPES:
        uuid = normalized_uuid(identifier)
        if uuid is None:
            raise InputError("%s: %s IDs are UUIDs such as 0b7e7b5e-3f4d-4c1a-9e2b-6a8d5f1c2e34; got %s"
                             % (option, resource_type, describe(identifier)))
        identifier = uuid
    return ResourceId(resource_type, identifier, "%s:%s" % (resource_type, identifier))


def parse_bindings(value, resource_type, option="bindings"):
    """The :class:`Binding` list of ``[{relation, principals}]`` or :class:`InputError` naming the entry
    (``bindings[1].relation``). For the Workflow Automation types the relation must be one of the type's."""
    if not isinstance(value, (list, tuple)):
        raise InputError("%s must be a list of {relation, principals}; got a %s" % (option, kind_of(value)))
    relations = WORKFLOW_RELATIONS.get(resource_type)
    bindings = []
    for index, entry in enumerate(value):
        where = "%s[%d]" % (option, index)
        if not isinstance(entry, dict):
            raise InputError("%s must be a dict with relation and principals; got a %s" % (where, kind_of(entry)))
        unknown = sorted(str(key) for key in entry if key not in ("relation", "principals"))
        if unknown:
            raise InputError("%s: unknown key(s) %s; a binding has relation and principals" % (where, ", ".join(unknown)))
        relation = entry.get("relation")
        if not isinstance(relation, str) or not _RELATION.match(relation):
            raise InputError("%s.relation must be a relation such as %s; got %s"
                             % (where, ", ".join(relations or ("viewer", "editor")), describe(relation)))
        if relations is not None and relation not in relations:
            raise InputError("%s.relation %r is not a relation of %s resources; allowed: %s"
                             % (where, relation, resource_type, ", ".join(relations)))
        principals = entry.get("principals")
        if not isinstance(principals, (list, tuple)):
            raise InputError("%s.principals must be a list of principals (org, role:<name>, team:<handle>, "
                             "user:<email> or <type>:<UUID>); got %s" % (where, describe(principals)))
        parsed = tuple(parse_principal(principal, "%s.principals[%d]" % (where, number))
                       for number, principal in enumerate(principals))
        bindings.append(Binding(relation, parsed))
    return bindings


# -- 2. principals -------------------------------------------------------------------------------------------------------

def resolve_bindings(client, resolver, bindings, option="bindings"):
    """``[{"relation", "principals": ["<kind>:<uuid>", ...]}]`` of parsed bindings (each name looked up once by the
    shared ``resolver``) and ``{"<kind>:<uuid>": "<as written>"}`` of the names among them. A name matching none or
    several fails with :class:`PrincipalError` naming where it is written."""
    resolved, names = [], {}
    for index, binding in enumerate(bindings):
        principals = []
        for number, principal in enumerate(binding.principals):
            try:
                identifier = resolver.resolve(client, principal)
            except PrincipalError as exc:
                where = "%s[%d].principals[%d]" % (option, index, number)
                message = str(exc).replace(principal.written, "%s (%s)" % (principal.written, where), 1)
                raise PrincipalError(message, **exc.result) from None
            if principal.id is None:
                names.setdefault(identifier, principal.written)
            principals.append(identifier)
        resolved.append({"relation": binding.relation, "principals": principals})
    return resolved, names


# -- 3. reading ----------------------------------------------------------------------------------------------------------

def policy_path(resource_id):
    """The route of a resource's policy; the resource ID path-escaped (``connection%3A<uuid>``)."""
    return POLICY_PATH + quote(resource_id, safe="")


def read_policy(client, resource_id):
    """The resource's bindings as Datadog has them (1 GET); ``[]`` where it has no policy (200 with no bindings, or
    404)."""
    path = policy_path(resource_id)
    with operation("read the restriction policy of %s" % resource_id):
        response = client.get(path, expected=(200, 404))
        if response.status == 404:
            return []
        return bindings_of(response)


def bindings_of(response):
    """The bindings of a policy answer, checked: ``[{"relation": str, "principals": [str, ...]}]``. A resource without
    a policy is answered with ``data.attributes.bindings: []``; an answer without ``data.attributes.bindings`` as a
    list of ``{relation, principals}`` is unusable (:class:`UnusableAnswerError` for a 2xx answer), never "no
    policy"."""
    data = response.data
    attributes = data.get("attributes") if isinstance(data, dict) else None
    bindings = attributes.get("bindings") if isinstance(attributes, dict) else None
    if not isinstance(bindings, list) or not all(
            isinstance(binding, dict) and isinstance(binding.get("relation"), str)
            and isinstance(binding.get("principals"), list) and all(isinstance(p, str) for p in binding["principals"])
            for binding in bindings):
        raise response.unusable("the answer is not a restriction policy (data.attributes.bindings must be a list of "
                                "{relation, principals}; got %s)"
                                % ("null" if data is None else response.scrubber.describe_json(data)))
    return [{"relation": binding["relation"], "principals": list(binding["principals"])} for binding in bindings]


# -- 4. deciding -----------------------------------------------------------------------------------------------------------

#: What a resource's policy should be: ``bindings`` with principals as IDs (``None`` or ``[]``: no policy, Datadog's
#: default access), whether a write may remove the caller's own access, and ``names`` (``{"<kind>:<uuid>": "<as
#: written>"}``, from :func:`resolve_bindings`) for the diff.
DesiredPolicy = namedtuple("DesiredPolicy", "resource_id bindings allow_self_lockout names")


class PolicyAction(namedtuple("PolicyAction", "kind resource_id before after allow_self_lockout names")):
    """What :func:`decide_policy` decided: ``kind`` (``nothing``, ``replace``, ``delete``), the bindings ``before``
    (as read) and ``after`` (to send; as read when nothing changes), with principals as IDs."""

    __slots__ = ()

    @property
    def changed(self):
        return self.kind != NOTHING

    def for_resource(self, resource_id):
        """The same action for another resource ID (a resource created after the decision, whose ID is known now)."""
        return self._replace(resource_id=resource_id)

    def body(self):
        """The ``POST`` body of a replace."""
        return policy_body(self.resource_id, self.after)

    @property
    def diff(self):
        """``{"before", "after"}``: the policy before and after, bindings in one order (the type's relations, then
        principals sorted) with principals as written where the task named them, as IDs elsewhere."""
        resource_type = self.resource_id.partition(":")[0]
        return {
            "before": {"resource_id": self.resource_id, "bindings": shown_bindings(self.before, resource_type, self.names)},
            "after": {"resource_id": self.resource_id, "bindings": shown_bindings(self.after, resource_type, self.names)},
        }


def decide_policy(desired, current):
    """The :class:`PolicyAction` that brings ``current`` (bindings as read) to ``desired`` (a :class:`DesiredPolicy`).
    Pure: no client, no request. Equal sets of (relation, principal) decide nothing; an empty desired set deletes a
    policy that grants something; anything else replaces the policy with the desired bindings (in the order first
    written, each relation and principal once)."""
    before = canonical(current)
    after = canonical(desired.bindings or [])
    if before == after:
        kind, bindings = NOTHING, list(current)
    elif not after:
        kind, bindings = DELETE, []
    else:
        kind, bindings = REPLACE, merged(desired.bindings)
    return PolicyAction(kind, desired.resource_id, list(current), bindings, bool(desired.allow_self_lockout),
                        dict(desired.names or {}))


def canonical(bindings):
    """``{relation: frozenset(principals)}``: what a policy grants, whatever the order and repetitions (principals
    compared in lower case, as Datadog's IDs are; relations without principals left out)."""
    granted = {}
    for binding in bindings:
        granted.setdefault(binding["relation"], set()).update(principal.lower() for principal in binding["principals"])
    return dict((relation, frozenset(principals)) for relation, principals in granted.items() if principals)


def merged(bindings):
    """Bindings with each relation once and each of its principals once, in the order first written."""
    principals, seen = {}, set()
    for binding in bindings:
        listed = principals.setdefault(binding["relation"], [])
        for principal in binding["principals"]:
            if (binding["relation"], principal.lower()) not in seen:
                seen.add((binding["relation"], principal.lower()))
                listed.append(principal)
    return [{"relation": relation, "principals": listed} for relation, listed in principals.items() if listed]


def shown_bindings(bindings, resource_type, names):
    """Bindings for a diff: merged, relations in the type's order (others after, alphabetically), principals as
    written where ``names`` knows them, sorted."""
    relations = WORKFLOW_RELATIONS.get(resource_type, ())
    granted = canonical(bindings)

    def rank(relation):
        return (relations.index(relation), "") if relation in relations else (len(relations), relation)

    return [{"relation": relation, "principals": sorted(names.get(principal, principal) for principal in granted[relation])}
            for relation in sorted(granted, key=rank)]


def policy_body(resource_id, bindings):
    return {"data": {"id": resource_id, "type": POLICY_TYPE, "attributes": {"bindings": bindings}}}


def policy_view(resource_id, bindings):
    """A policy in results: ``{"resource_id", "bindings"}`` with principals as IDs."""
    return {"resource_id": resource_id, "bindings": [dict(binding, principals=list(binding["principals"]))
                                                     for binding in bindings]}


# -- 5. applying ------------------------------------------------------------------------------------------------------------

def apply_policy(client, action, warnings=None):
    """Make the write ``action`` decided: a replace is 1 POST (sent again after a lost answer: it is idempotent), a
    delete 1 DELETE, nothing no request. Returns ``(done, after)``: ``done`` the :class:`PolicyAction` as it was
    done - ``action`` itself, or nothing when the DELETE was answered 404 (someone else removed the policy since it was
    read: this task changed nothing) - and ``after`` the bindings after: Datadog's answer to the POST, ``[]`` after a
    delete, the bindings as read for nothing.

    A write answered 2xx without a usable answer (no policy in it, not JSON, too large, a body to a delete, a 204 to
    the POST) was accepted: the policy is read once more (1 GET) and, when it shows the decided bindings, adopted with
    a warning appended to ``warnings``; otherwise the task fails saying the write may have been applied."""
    if action.kind == NOTHING:
        return action, list(action.after)
    path = policy_path(action.resource_id)
    if action.kind == DELETE:
        wording = "delete the restriction policy of %s" % action.resource_id
        try:
            response = client.delete(path, expected=(200, 202, 204, 404))
        except UnusableAnswerError as exc:
            return action, _reconcile_write(client, action, "delete", exc, warnings)
        except DatadogAPIError as exc:
            raise api_failure(exc, wording) from None
        if response.status == 404:
            return action._replace(kind=NOTHING, before=[]), []
        return action, []
    params = {"allow_self_lockout": "true"} if action.allow_self_lockout else None
    wording = "set the restriction policy of %s" % action.resource_id
    try:
        response = client.request("POST", path, params=params, body=action.body(), expected=(200, 201), idempotent=True)
        return action, (bindings_of(response) if response.body is not None else list(action.after))
    except UnusableAnswerError as exc:
        return action, _reconcile_write(client, action, "set", exc, warnings)
    except DatadogAPIError as exc:
        failure = api_failure(exc, wording)
        text = str(exc).lower()
        if exc.status == 400 and not action.allow_self_lockout and "lockout" in text and "allow_self_lockout" not in text:
            raise TaskFailure("%s; set allow_self_lockout to true to apply it anyway" % failure, cause=exc,
                              **failure.result) from None
        raise failure from None


def _reconcile_write(client, action, verb, error, warnings):
    """After a write of ``action`` answered 2xx without a usable answer: the bindings read again when they are the
    decided ones (a warning says so), else :class:`TaskFailure` saying the write may have been applied."""
    what = "the restriction policy of %s" % action.resource_id
    try:
        now = read_policy(client, action.resource_id)
    except TaskFailure as exc:
        raise TaskFailure("Failed to %s %s: Datadog answered HTTP %d, so it accepted the request, but without a usable "
                          "answer (%s), and reading the policy again failed (%s). The request may have been applied: run "
                          "the task again" % (verb, what, error.status, error, exc), cause=error, status=error.status) from None
    if canonical(now) != canonical(action.after):
        raise TaskFailure("Failed to %s %s: Datadog answered HTTP %d, so it accepted the request, but without a usable "
                          "answer (%s), and the policy read again does not show the change. The request may have been "
                          "applied in part or not at all: run the task again" % (verb, what, error.status, error),
                          cause=error, status=error.status)
    if warnings is not None:
        warnings.append("The %s request for %s was answered HTTP %d but without a usable answer (%s), so it may have "
                        "been applied: the policy, read again, shows the change" % (verb, what, error.status, error))
    return now


# -- one resource, as the module runs it -------------------------------------------------------------------------------------

def ensure_policy(client, resolver, resource, bindings, allow_self_lockout=False, check_mode=False):
    """Bring one resource's policy to ``bindings`` (parsed :class:`Binding` list; ``None`` for ``state=absent``):
    resolve, read, decide, apply (not in check mode). Returns ``{"changed", "policy", "principals", "diff"}``;
    ``principals`` maps each name the bindings hold, as written, to its ``<kind>:<uuid>``.

    Requests: the look-ups of names not resolved yet by ``resolver``, 1 GET, and the write if one is decided."""
    resolved, names = resolve_bindings(client, resolver, bindings) if bindings is not None else (None, {})
    current = read_policy(client, resource.text)
    action = decide_policy(DesiredPolicy(resource.text, resolved, allow_self_lockout, names), current)
    warnings = []
    action, after = (action, action.after) if check_mode else apply_policy(client, action, warnings)
    named = [principal for binding in bindings or () for principal in binding.principals if principal.id is None]
    return {
        "changed": action.changed,
        "policy": policy_view(resource.text, after),
        "principals": dict((principal.written, resolver.resolve(client, principal)) for principal in named),
        "diff": action.diff,
        "warnings": warnings,
    }
