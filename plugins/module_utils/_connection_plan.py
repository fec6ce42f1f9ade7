# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What to do with one action connection, decided from plain data: :func:`decide` returns an :class:`Action`.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports, no client, no
I/O: the caller reads the connection (``_action_connection.read_current``), this module decides, and
``_action_connection.apply`` does what was decided. ``datadog_action_connection`` decides and applies one item;
``datadog_action_connection_set`` decides every item from one read of the list, then applies exactly those actions.

An action is one of:

- ``create``: nothing has the name; the POST body is ready (secrets included: it is never part of a result);
- ``update``: the connection differs; the PATCH (a :class:`~._compare.Plan`: only what differs) and its diff;
- ``delete``: the connection exists (or, by ID without a read, may exist) and ``state`` is ``absent``;
- ``unchanged``: nothing to do.

A connection that declares ``access`` also carries the decision about its restriction policy
(``_restriction_policy.decide_policy``): ``Action.policy`` is a ``PolicyAction`` (nothing, replace or delete), decided
from the declared bindings (principals already resolved to IDs) and the policy as read, both given in an
:class:`Access`. A connection to create has no policy yet: its access is decided against none and written right
after the create, to the new ID.

:func:`fingerprint` digests what an action was decided against (the declared connection without its secret values,
the connection as read), so that a plan shown earlier can be applied only while it still holds.
"""

from __future__ import annotations

import hashlib
import json
from collections import namedtuple

from ansible_collections.ddops.datadog.plugins.module_utils._compare import (
    create_body,
    diff_create,
    diff_delete,
    masked_integration,
    plan_update,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import (
    RESOURCE_TYPE,
    attributes_of,
    connection_view,
    resource_id,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import missing_secrets
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import (
    DesiredPolicy,
    canonical,
    decide_policy,
    shown_bindings,
)

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"
KINDS = (CREATE, UPDATE, DELETE, UNCHANGED)
#: ``current`` of an ``absent`` connection given by ID when it was not read: it is deleted by ID, and a 404 then
#: means it was already gone (one DELETE, no read).
UNREAD = "not read"
_EMPTY_DIFF = {"before": {}, "after": {}}

#: What :func:`decide` needs to decide a connection's access: ``bindings`` as declared with principals as IDs
#: (``_restriction_policy.resolve_bindings``), ``names`` (``{"<kind>:<uuid>": "<as written>"}``, for the diff) and
#: ``current``, the bindings as read (``None``: not read, as a connection to create has no policy).
Access = namedtuple("Access", "bindings names current")


class MissingSecrets(InputError):
    """A create that lacks secret values: ``name`` and ``fields`` (the option paths, never a value)."""

    def __init__(self, label, name, fields):
        super().__init__("Cannot create %s: no value given for its secret field(s) %s. Datadog never returns secrets, so "
                         "a definition read from Datadog has none; give them to create the connection"
                         % (label, ", ".join(fields)))
        self.name = name
        self.fields = list(fields)

    def secrets_entry(self, placeholder="<secret>"):
        """The entry of a ``secrets`` mapping that would fill them: ``{"api_token": "<secret>"}``,
        ``{"tokens": {"apiToken": "<secret>"}}``."""
        entry = {}
        for path in self.fields:
            field = path.split(".credentials.", 1)[-1]
            if field.startswith("tokens["):
                entry.setdefault("tokens", {})[field[len("tokens["):field.index("]")]] = placeholder
            elif "[" not in field:
                entry[field] = placeholder
        return entry


class Action(object):
    """What :func:`decide` decided for one connection.

    - ``kind``: :data:`CREATE`, :data:`UPDATE`, :data:`DELETE` or :data:`UNCHANGED`;
    - ``desired``: the declared connection (``_action_connection.desired_from_params``), ``None`` for a purge;
    - ``current``: the connection as read (a resource dict), ``None`` when nothing matched, :data:`UNREAD`;
    - ``connection_id``: the connection written (``None`` for a create);
    - ``body``: the POST body of a create (with secrets; never shown);
    - ``update``: the :class:`~._compare.Plan` of an update or of an unchanged connection (PATCH body and diff);
    - ``diff``: before and after, secrets masked;
    - ``read_at``: ``time.time()`` of the read it was decided against (set by the caller; a create compares it with the
      name lock's record);
    - ``access``: the :class:`Access` it was decided with, and ``policy``: the ``PolicyAction`` of the connection's
      restriction policy (both ``None`` when ``access`` is not managed). ``diff`` then shows the access change.
    """

    __slots__ = ("kind", "desired", "current", "connection_id", "body", "update", "diff", "read_at", "access", "policy")

    def __init__(self, kind, desired, current, connection_id=None, body=None, update=None, diff=None, read_at=None):
        self.kind = kind
        self.desired = desired
        self.current = current
        self.connection_id = connection_id
        self.body = body
        self.update = update
        self.diff = diff if diff is not None else dict(_EMPTY_DIFF)
        self.read_at = read_at
        self.access = None
        self.policy = None

    @property
    def name(self):
        """The connection's name: the declared one, else the one read."""
        if self.desired is not None and self.desired.get("name") is not None:
            return self.desired["name"]
        if isinstance(self.current, dict):
            return attributes_of(self.current).get("name")
        return None

    @property
    def rotate(self):
        return bool(self.desired and self.desired.get("generate_new_external_id"))

    @property
    def changes(self):
        """Whether anything is written: the connection, or its access."""
        return self.kind != UNCHANGED or self.access_changes

    @property
    def access_changes(self):
        return self.policy is not None and self.policy.changed

    @property
    def access_kind(self):
        """What is done with the access policy (``nothing``, ``replace``, ``delete``), ``None`` when not managed."""
        return None if self.policy is None else self.policy.kind

    def label(self, connection_id=None):
        """``action connection 'name' (id)`` as messages name it: the name as declared (none for a connection given by
        ID alone), the name read for a purge."""
        name = self.desired.get("name") if self.desired is not None else self.name
        return label(name, connection_id or self.connection_id or (self.desired or {}).get("connection_id"))

    def preview(self):
        """The connection as the modules return it once the action is done (check mode: what it would be)."""
        if self.kind == CREATE:
            desired = self.desired
            return connection_view({"id": None, "attributes": {"name": desired["name"], "integration": desired["integration"],
                                                               "tags": list(desired["tags"] or [])}})
        if self.kind == DELETE and self.current is UNREAD:
            return {"id": self.connection_id}
        if isinstance(self.current, dict):
            return connection_view(self.current)
        return {}

    def __repr__(self):
        return "Action(%s %r)" % (self.kind, self.label())


def label(name, connection_id=None):
    if name is not None and connection_id:
        return "action connection %r (%s)" % (name, connection_id)
    if name is not None:
        return "action connection %r" % name
    return "action connection %s" % connection_id


def decide(desired, current, access=None):
    """The :class:`Action` that brings ``current`` (the connection as read, ``None``, or :data:`UNREAD`) to
    ``desired``, and its access to ``access`` (an :class:`Access`; needed when ``desired`` declares ``access``). Pure:
    no request, no clock.

    Raises :class:`MissingSecrets` for a create without its secret values, and :class:`InputError` when a change needs
    input that was not given (a new integration or credential type without the complete integration, a token to add
    without its value).
    """
    action = _decide_connection(desired, current)
    if desired["state"] == "present" and desired.get("access") is not None:
        if access is None:
            raise ValueError("decide: %s declares access, but no Access was given" % action.label())
        action.access = access
        action.policy = decide_access(access, action.connection_id)
        if action.policy.changed:
            action.diff = with_access(action.diff, action.policy)
    return action


def decide_access(access, connection_id):
    """The ``PolicyAction`` of a connection's access (pure): the declared bindings against the policy as read (none
    for a connection not created yet)."""
    desired = DesiredPolicy(resource_id(connection_id), access.bindings, False, access.names)
    return decide_policy(desired, access.current or [])


def with_access(diff, policy):
    """``diff`` (a connection's before/after) with ``access`` on both sides: the bindings before and after, principals
    as written where the task named them."""
    shown = {}
    for side in ("before", "after"):
        bindings = policy.before if side == "before" else policy.after
        shown[side] = dict(diff.get(side) or {})
        shown[side]["access"] = shown_bindings(bindings, RESOURCE_TYPE, policy.names)
    return dict(diff, **shown)


def _decide_connection(desired, current):
    if desired["state"] == "absent":
        if current is UNREAD:
            return Action(DELETE, desired, UNREAD, connection_id=desired["connection_id"])
        if current is None:
            return Action(UNCHANGED, desired, None)
        return delete_action(current, desired)
    if current is None or current is UNREAD:
        return _create(desired)
    update = plan_update(desired, attributes_of(current), update_secrets=desired["update_secrets"],
                         rotate=desired["generate_new_external_id"])
    return Action(UPDATE if update.changed else UNCHANGED, desired, current, connection_id=current.get("id"),
                  update=update, diff=update.diff())


def delete_action(current, desired=None):
    """Delete the connection ``current`` (a resource as read): a declared ``absent``, or a purge (``desired=None``)."""
    return Action(DELETE, desired, current, connection_id=current.get("id"), diff=diff_delete(connection_view(current)))


def _create(desired):
    if desired["connection_id"] is not None:  # read_current fails first: a connection given by ID must exist
        raise InputError("%s does not exist; connection_id must name an existing connection"
                         % label(desired["name"], desired["connection_id"]))
    if desired["integration"] is None:  # desired_from_params refuses this already
        raise InputError("integration is required to create %s" % label(desired["name"]))
    missing = missing_secrets(desired["integration"])
    if missing:
        raise MissingSecrets(label(desired["name"]), desired["name"], missing)
    return Action(CREATE, desired, None, body=create_body(desired), diff=diff_create(desired))


# -- fingerprints ------------------------------------------------------------------------------------------------------

def fingerprint(action):
    """A digest of what ``action`` was decided against: its kind, the declared connection without its secret values,
    and, for a write to an existing connection, that connection as read. Equal fingerprints mean the same action
    decided against the same data."""
    return digest({"kind": action.kind, "desired": masked_desired(action.desired),
                   "current": action.current if action.kind in (UPDATE, DELETE) else _identity(action.current),
                   "access": access_print(action.policy)})


def access_print(policy):
    """What a policy decision depends on, whatever the order of bindings and principals: its kind, the policy as read
    and as declared (``None`` when access is not managed)."""
    if policy is None:
        return None

    def granted(bindings):
        return sorted((relation, sorted(principals)) for relation, principals in canonical(bindings).items())

    return {"kind": policy.kind, "before": granted(policy.before), "after": granted(policy.after)}


def masked_desired(desired):
    """The declared connection with every secret value replaced by the mask (``None`` stays ``None``)."""
    if desired is None:
        return None
    masked = dict(desired)
    if isinstance(desired.get("integration"), dict):
        masked["integration"] = masked_integration(desired["integration"])
    return masked


def _identity(current):
    if isinstance(current, dict):
        return current.get("id")
    return current


def digest(value):
    """The SHA-256 of ``value`` as canonical JSON (sorted keys), in hex."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
