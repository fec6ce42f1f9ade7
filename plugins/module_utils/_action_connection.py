# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action connections: argument spec, desired state from options, the reads, and :func:`apply`.

Internal use only: not part of the collection's public interface.

Plain Python (no Ansible imports). One connection goes through three steps: :func:`read_current` reads it (by ID, or
by name from a :class:`ConnectionListing`), ``_connection_plan.decide`` decides what to do (no I/O), and
:func:`apply` does exactly that and returns an :class:`Outcome`. :func:`ensure_connection` is the three for one item
(``datadog_action_connection``); ``_connection_set`` decides every item of a set first, then applies them.

Requests (docs/dev/api-behaviour.md): unchanged by ``connection_id`` = 1 GET; unchanged by name = the list pages (1 GET
up to 100 connections); update = that read + 1 PATCH; create = list + POST; ``absent`` by ID = 1 DELETE (404 = already
absent); check mode = the reads only. With ``access``: the look-ups of the principals named (once per distinct name per
task), 1 GET of the connection's policy (none for a connection to create), and 1 POST or DELETE of it when it differs.
"""

from __future__ import annotations

import contextlib
import threading
import time

from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    DatadogAPIError,
    DatadogConnectionError,
    DatadogOutcomeUnknownError,
    UnusableAnswerError,
)
from ansible_collections.ddops.datadog.plugins.module_utils._compare import (
    ALWAYS,
    ON_CREATE,
    ROTATION_OPTION,
    patch_body,
    plan_update,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_plan import (
    CREATE,
    DELETE,
    RESOURCE_TYPE,
    UNCHANGED,
    UNREAD,
    UPDATE,
    Access,
    decide,
    decide_access,
    label,
    resource_id,
    with_access,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import (
    CONNECTIONS_PATH,
    PAGE_SIZE,
    attributes_of,
    connection_of,
    connection_path,
    connection_view,
    list_all,
    read_only_fields,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    BODY,
    BODY_FIELDS,
    CREDENTIAL_TYPES,
    ENTRIES,
    ENTRY_FIELDS,
    INTEGRATION_FIELDS,
    INTEGRATION_TYPES,
    VARIANTS,
    credential_field_names,
    secret_field_names,
    validate_connection_id,
    validate_integration,
    validate_name,
    validate_tags,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, api_failure, operation
from ansible_collections.ddops.datadog.plugins.module_utils._locks import LockDirectoryError, LockTimeout, name_lock
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalResolver
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import (
    apply_policy,
    parse_bindings,
    read_policy,
    resolve_bindings,
)

STATES = ("present", "absent")
UPDATE_SECRETS = (ON_CREATE, ALWAYS)
#: A write sent without an answer may still be applied: wait up to this many times ``timeout`` for it to show.
OUTCOME_WAIT_FACTOR = 6
#: The first pause between two reads while waiting for such a write (doubled each time, at most ``_LONGEST_PAUSE``).
_FIRST_PAUSE = 0.25
_LONGEST_PAUSE = 8.0


# -- argument spec -----------------------------------------------------------------------------------------------------

def credentials_options():
    """Every credential field of every variant as a suboption, from the catalogue; secret ones are ``no_log``."""
    secrets = set(secret_field_names())
    kinds = dict((field.name, field.kind) for variant in VARIANTS for field in variant.fields)
    options = {"type": dict(type="str", choices=list(CREDENTIAL_TYPES))}
    for name in credential_field_names():
        if kinds[name] == ENTRIES:
            # A secret entry key (a token value) may be left out: a definition read from Datadog has none; the
            # reconcile logic asks for it where it is needed (a create, a new token, update_secrets=always).
            entry_options = dict((entry.name, _string_option(entry, required=entry.required and not entry.secret))
                                 for entry in ENTRY_FIELDS[name])
            options[name] = dict(type="list", elements="dict", no_log=False, options=entry_options)
        elif kinds[name] == BODY:
            options[name] = dict(type="dict", options=dict((key, dict(type="str")) for key in BODY_FIELDS))
        else:
            options[name] = dict(type="str", no_log=name in secrets)
    return options


def _string_option(field, required=None):
    required = field.required if required is None else required
    option = dict(type="str", required=required and field.default is None, no_log=field.secret)
    if field.choices:
        option["choices"] = list(field.choices)
    if field.default is not None:
        option["default"] = field.default
    return option


def integration_options():
    """The suboptions of ``integration``: its type, the fields next to the credentials, the credentials."""
    options = dict(type=dict(type="str", required=True, choices=list(INTEGRATION_TYPES)))
    options.update((name, dict(type="str")) for name in INTEGRATION_FIELDS)
    options["credentials"] = dict(type="dict", options=credentials_options())
    return options


def action_connection_options():
    """The options of one action connection: the argument spec of ``datadog_action_connection`` (with the connection
    options added by :class:`ModuleDefinition`) and of each item of ``datadog_action_connection_set``'s
    ``connections``."""
    return dict(
        name=dict(type="str"),
        connection_id=dict(type="str"),
        integration=dict(type="dict", options=integration_options()),  # every field of the catalogue's 24 types
        tags=dict(type="list", elements="str"),
        update_secrets=dict(type="str", choices=list(UPDATE_SECRETS), default=UPDATE_SECRETS[0], no_log=False),
        generate_new_external_id=dict(type="bool", default=False),
        state=dict(type="str", choices=list(STATES), default="present"),
        # The same shape as the bindings of datadog_restriction_policy; checked by desired_from_params.
        access=dict(type="list", elements="dict", options=dict(
            relation=dict(type="str", required=True),
            principals=dict(type="list", elements="str", required=True),
        )),
    )


# -- desired state -----------------------------------------------------------------------------------------------------

def desired_from_params(params):
    """Validate the module options (no request is made) and return the plain ``desired`` dict.

    Raises :class:`InputError` naming the option and what it allows.
    """
    state = params.get("state") or "present"
    if state not in STATES:
        raise InputError("state must be one of %s; got %r" % (", ".join(STATES), state))
    update_secrets = params.get("update_secrets") or ON_CREATE
    if update_secrets not in UPDATE_SECRETS:
        raise InputError("update_secrets must be one of %s; got %r" % (", ".join(UPDATE_SECRETS), update_secrets))
    desired = {
        "state": state,
        "name": None,
        "connection_id": None,
        "integration": None,
        "tags": None,
        "update_secrets": update_secrets,
        "generate_new_external_id": bool(params.get("generate_new_external_id")),
        "access": None,
    }
    if params.get("name") is not None:
        desired["name"] = validate_name(params["name"])
    if params.get("connection_id") is not None:
        desired["connection_id"] = validate_connection_id(params["connection_id"])
    if desired["name"] is None and desired["connection_id"] is None:
        raise InputError("one of name or connection_id is required")
    if state == "absent":
        return desired
    if params.get("tags") is not None:
        desired["tags"] = validate_tags(params["tags"])
    if params.get("access") is not None:
        # Relations and the principals' forms are checked here, before any request; names are resolved later.
        desired["access"] = parse_bindings(params["access"], RESOURCE_TYPE, option="access")
    if params.get("integration") is not None:
        # Secrets only where needed: a definition without secret values (as exported from Datadog) is valid; a create
        # that lacks them fails before any write (_create), and update_secrets=always still needs them all.
        desired["integration"] = validate_integration(params["integration"], complete=desired["connection_id"] is None,
                                                      secrets=update_secrets == ALWAYS)
    elif desired["connection_id"] is None:
        raise InputError("integration is required to create action connection %r (give its type and credentials), "
                         "or pass connection_id to manage an existing connection without restating its integration"
                         % desired["name"])
    if desired["generate_new_external_id"] and desired["integration"] is not None:
        rotating = sorted(set(variant.integration for variant in VARIANTS if variant.rotation is not None))
        if desired["integration"]["type"] not in rotating:
            raise InputError("%s is only for %s connections; integration.type is %s"
                             % (ROTATION_OPTION, ", ".join(rotating), desired["integration"]["type"]))
    return desired


# -- reads -------------------------------------------------------------------------------------------------------------

class ConnectionListing(object):
    """The connections of the list endpoint, read once, then kept current with the writes made through it.

    One listing per task: a module run makes its own (one read per task); the action plugin shares one between the
    loop items of a task, so N items cost one read of the list instead of N. A create whose outcome is unknown always
    reads the list afresh. Indexed by ID and by name, so a lookup or a write costs the same at 10 or 10,000 items.
    Thread-safe: the parallel writes of ``datadog_action_connection_set`` share one (a read is made outside the lock and
    swapped in whole).

    ``serve_ids``: once read, the listing also answers for connections addressed by ``connection_id`` (no GET of
    the connection). Only ``datadog_action_connection_set`` asks for it, as it reads the whole list first anyway.
    """

    def __init__(self, page_size=PAGE_SIZE, serve_ids=False):
        self.page_size = page_size
        self.serve_ids = serve_ids
        self.reads = 0
        self.read_at = None  # time.time() when the list was last read (just before the read)
        self._lock = threading.RLock()
        self._by_id = None  # key -> connection, in list order (the key is the ID)
        self._by_name = {}  # name -> keys

    @property
    def items(self):
        """Every connection known, in list order (None before the first read)."""
        with self._lock:
            return None if self._by_id is None else list(self._by_id.values())

    def load(self, client, fresh=False):
        """Read the list (every page) unless it was read already."""
        with self._lock:
            if self._by_id is not None and not fresh:
                return
        read_at = time.time()
        items = list_all(client, page_size=self.page_size)
        with self._lock:
            self.read_at = read_at
            self.reads += 1
            self._by_id = {}
            self._by_name = {}
            for index, item in enumerate(items):
                self._add(item, index)

    def by_name(self, client, name, fresh=False):
        """Every connection named exactly ``name`` (all pages of the list, compared here)."""
        self.load(client, fresh=fresh)
        with self._lock:
            return [self._by_id[key] for key in self._by_name.get(name, ())]

    @property
    def serving_ids(self):
        return self.serve_ids and self._by_id is not None

    def by_id(self, connection_id):
        """The connection with this ID when :attr:`serving_ids` (None when the list does not have it)."""
        with self._lock:
            return self._by_id.get(connection_id) if self.serving_ids else None

    def remember(self, connection):
        """A connection this run created or changed, as Datadog answered it."""
        with self._lock:
            if self._by_id is None or not isinstance(connection, dict) or not connection.get("id"):
                return
            self.forget(connection["id"])
            self._add(connection)

    def forget(self, connection_id):
        with self._lock:
            if self._by_id is None or connection_id not in self._by_id:
                return
            item = self._by_id.pop(connection_id)
            keys = self._by_name.get(attributes_of(item).get("name"), [])
            if connection_id in keys:
                keys.remove(connection_id)

    def _add(self, item, index=None):
        key = item.get("id") if isinstance(item, dict) and item.get("id") else ("without id", index)
        self._by_id[key] = item
        self._by_name.setdefault(attributes_of(item).get("name"), []).append(key)


def read_current(client, desired, listing, check_mode=False):
    """The connection ``desired`` is about, as read: a resource dict, ``None`` (nothing has the name, or an ``absent``
    ID that does not exist) or ``UNREAD`` (an ``absent`` ID outside check mode: deleted without a read). Returns
    ``(current, read_at)``, ``read_at`` being ``time.time()`` of the read decided on.

    Raises :class:`TaskFailure` for an ID that does not exist (``present``), a name several connections share, or a
    failed read.
    """
    connection_id = desired["connection_id"]
    if not connection_id:
        current = one_by_name(client, desired["name"], listing)
        return current, listing.read_at
    if listing.serving_ids:  # the set module: the one read of the list serves IDs too
        current = listing.by_id(connection_id)
        if current is not None or desired["state"] == "absent":
            return current, listing.read_at
    elif desired["state"] == "absent" and not check_mode:
        return UNREAD, None
    read_at = time.time()
    wording = "read " + label(desired["name"], connection_id)
    with operation(wording):
        response = client.get(connection_path(connection_id), expected=(200, 404))
        current = connection_of(response) if response.status != 404 else None
    if current is None and desired["state"] == "present":
        raise TaskFailure("%s does not exist (HTTP 404). connection_id must name an existing connection; leave it out to "
                          "find or create the connection by name" % label(desired["name"], connection_id))
    return current, read_at


def one_by_name(client, name, listing, fresh=False):
    """The one connection named ``name`` in ``listing``, or ``None``; :class:`TaskFailure` when several share it."""
    matches = listing.by_name(client, name, fresh=fresh)
    if len(matches) > 1:
        ids = [match.get("id") for match in matches]
        raise TaskFailure("%d action connections are named %r (ids: %s); pass connection_id to choose one"
                          % (len(matches), name, ", ".join(str(i) for i in ids)), connection_ids=ids)
    return matches[0] if matches else None


# -- one connection: read, decide, apply ---------------------------------------------------------------------------------

class Outcome(object):
    """What :func:`apply` did for one :class:`~._connection_plan.Action` (or what it would do, in check mode).

    - ``action``: the action that was planned; ``done``: what was done (``create``, ``update``, ``delete``,
      ``unchanged``). They differ when another writer created the name between the plan and the write (the create
      became an update or nothing) or when a delete found the connection gone;
    - ``changed``, ``connection`` (as the modules return it, without secrets), ``diff``;
    - ``warnings`` (plain text) and ``records``: this item's reconciliation records, also added to
      ``client.stats`` (the ``api`` member of the result).
    """

    __slots__ = ("action", "done", "changed", "connection", "diff", "warnings", "records", "policy", "access")

    def __init__(self, action, done, changed, connection, diff, warnings=None, records=None):
        self.action = action
        self.done = done
        self.changed = changed
        self.connection = connection
        self.diff = diff
        self.warnings = list(warnings or ())
        self.records = list(records or ())
        self.policy = None  # the PolicyAction done (check mode: to do) when access is managed
        self.access = None  # the bindings after, principals as IDs, when access is managed

    @property
    def access_done(self):
        """What was done with the access policy (``nothing``, ``replace``, ``delete``), ``None`` when not managed."""
        return None if self.policy is None else self.policy.kind

    @property
    def planned(self):
        return self.action.kind

    def result(self):
        """The result of ``datadog_action_connection``."""
        result = {"changed": self.changed, "connection": self.connection, "diff": self.diff, "warnings": list(self.warnings)}
        if self.policy is not None:
            result["access"] = self.access
        return result

    def with_policy(self, policy, after):
        """This outcome with the access ``policy`` done (or to do) and the bindings ``after``."""
        self.policy = policy
        self.access = [dict(binding, principals=list(binding["principals"])) for binding in after]
        if policy.changed:
            self.changed = True
            self.diff = with_access(self.diff or {}, policy)
        return self


class AccessFailed(TaskFailure):
    """The connection's write was done (``outcome``), the write of its access failed. The failure's result says what
    was done: ``changed`` (the connection's write) and ``connection`` (a created connection's ID among it)."""

    def __init__(self, message, outcome, **result):
        result.setdefault("changed", outcome.changed)
        result.setdefault("connection", outcome.connection)
        if outcome.warnings:
            result.setdefault("warnings", list(outcome.warnings))
        super().__init__(message, **result)
        self.outcome = outcome


def ensure_connection(client, desired, check_mode=False, page_size=PAGE_SIZE, listing=None, resolver=None):
    """Bring one action connection to ``desired``; return ``{"changed", "connection", "diff", "warnings"}`` (and
    ``access`` when it is managed).

    ``listing``: a :class:`ConnectionListing` shared with other calls of the same task (the loop items of one task in
    the action plugin); a new one by default. ``resolver``: the ``PrincipalResolver`` of the task (the same sharing).

    Raises :class:`InputError` (a change needs input that was not given) or :class:`TaskFailure` (an API error, not
    found, ambiguous name, no list endpoint, lost create), whose message names the operation.
    """
    if listing is None:
        listing = ConnectionListing(page_size)
    current, read_at = read_current(client, desired, listing, check_mode=check_mode)
    access = read_access(client, resolver or PrincipalResolver(), desired, current)
    action = decide(desired, current, access)
    action.read_at = read_at
    if check_mode:
        return preview(action).result()
    return apply(client, action, listing).result()


def read_access(client, resolver, desired, current, option="access", policy=None):
    """The :class:`~._connection_plan.Access` to decide ``desired``'s access with, or ``None`` when it declares none:
    the principals it names resolved by ``resolver`` (look-ups only; :class:`PrincipalError` naming the principal and
    where it is written), and the policy of ``current`` as read (1 GET; not read for a connection that does not exist
    yet, nor when ``policy`` gives the bindings read already)."""
    if desired["state"] != "present" or desired.get("access") is None:
        return None
    bindings, names = resolve_bindings(client, resolver, desired["access"], option=option)
    if policy is None and isinstance(current, dict) and current.get("id"):
        policy = read_policy(client, resource_id(current["id"]))
    return Access(bindings, names, policy)


def named_principals(desired_list):
    """The distinct principals written by name (each look-up once) in the ``access`` of the present connections of
    ``desired_list``, in the order they are first written."""
    seen = {}
    for desired in desired_list:
        if desired["state"] != "present" or desired.get("access") is None:
            continue
        for binding in desired["access"]:
            for principal in binding.principals:
                if principal.resolved is None:
                    seen.setdefault(principal.key, principal)
    return list(seen.values())


def preview(action):
    """The :class:`Outcome` of ``action`` without doing it (check mode)."""
    outcome = Outcome(action, action.kind, action.kind != UNCHANGED, action.preview(), _connection_diff(action))
    if action.policy is not None:
        outcome.with_policy(action.policy, action.policy.after)
    return outcome


def _connection_diff(action):
    """The action's diff without its access (the outcome adds it back as done)."""
    if action.policy is None or not action.policy.changed:
        return action.diff
    return dict((side, dict((key, value) for key, value in shown.items() if key != "access"))
                for side, shown in action.diff.items())


def apply(client, action, listing):
    """Do ``action`` (and nothing else): the connection's write, then its access's; return its :class:`Outcome`.

    A create takes the name's lock first (``_locks``): when another task created the name or sent a create of it
    since the action was decided, the connection is looked up again and the action decided again (an update or
    nothing; the outcome says so). A created connection gets its access with its new ID. Raises :class:`TaskFailure`
    (the message names the operation; :class:`AccessFailed` when only the access write failed) or :class:`InputError`
    (a decision taken again needs input that was not given).
    """
    if action.kind == CREATE:
        outcome = _apply_create(client, action, listing)
    elif action.kind == UPDATE:
        outcome = _apply_update(client, action, listing)
    elif action.kind == DELETE:
        return _apply_delete(client, action, listing)
    else:
        outcome = Outcome(action, UNCHANGED, False, action.preview(), _connection_diff(action))
    if action.policy is None:
        return outcome
    return _apply_access(client, action, outcome)


def _apply_access(client, action, outcome):
    """The access write of ``action`` for the connection ``outcome`` names. A create that found the name created by
    another writer meanwhile reads that connection's policy and decides its access again."""
    connection_id = (outcome.connection or {}).get("id") or action.connection_id
    policy = action.policy.for_resource(resource_id(connection_id))
    if action.kind == CREATE and outcome.done != CREATE:
        with operation("read the access of " + action.label(connection_id)):
            current = read_policy(client, resource_id(connection_id))
        policy = decide_access(action.access._replace(current=current), connection_id)
    try:
        policy, after = apply_policy(client, policy, outcome.warnings)
    except TaskFailure as exc:
        done = {CREATE: " (the connection itself was created)", UPDATE: " (the connection itself was updated)"}.get(
            outcome.done, "")
        raise AccessFailed("Failed to set the access of %s%s: %s" % (action.label(connection_id), done, exc),
                           outcome, **exc.result) from None
    return outcome.with_policy(policy, after)


# -- reconciliation records --------------------------------------------------------------------------------------------

def _reconciled(client, records, operation_name, action, cause, outcome, connection=None):
    """Record, as plain data (``client.stats`` and the item's own ``records``), a write whose outcome was worked out
    after a lost, failed or unusable answer: ``cause`` is what it got (``no answer``, ``HTTP 503``, ``unusable
    answer``), ``outcome`` what was found."""
    record = {"operation": operation_name, "name": action.name, "cause": cause, "outcome": outcome}
    connection_id = connection.get("id") if isinstance(connection, dict) else None
    connection_id = connection_id or action.connection_id or (action.desired or {}).get("connection_id")
    if connection_id:
        record["id"] = connection_id
    client.stats.reconciled(record)
    records.append(record)


def _cause(error):
    return "no answer" if isinstance(error, DatadogConnectionError) else "HTTP %s" % error.status


# -- update and delete ---------------------------------------------------------------------------------------------------

def _apply_update(client, action, listing):
    current, update = action.current, action.update
    label_ = action.label()
    warnings, records = [], []
    try:
        connection = connection_of(client.patch(connection_path(action.connection_id), patch_body(update),
                                                idempotent=not action.rotate))
    except DatadogOutcomeUnknownError as exc:
        # Not idempotent (a rotation): never sent again blindly. It was applied if the rotated field changed.
        connection = _wait_for(client, "update " + label_, exc, lambda: _rotated(client, current, update.regenerated))
        warnings.append("The update request for %s got no answer (%s), but Datadog had applied it: %s was regenerated"
                        % (label_, exc, update.regenerated))
        _reconciled(client, records, "update", action, "no answer", "applied", connection)
    except UnusableAnswerError as exc:
        connection = _reconcile_update(client, action, label_, exc, records)
        warnings.append("The update request for %s was answered HTTP %d but without a usable answer (%s), so it may "
                        "have been applied: the connection, read again, shows the change" % (label_, exc.status, exc))
    except DatadogAPIError as exc:
        raise api_failure(exc, "update " + label_) from None
    listing.remember(connection)
    regenerated = read_only_fields(connection).get(update.regenerated) if action.rotate else None
    return Outcome(action, UPDATE, True, connection_view(connection), update.diff(regenerated), warnings, records)


def _reconcile_update(client, action, label_, error, records):
    """After an update answered 2xx without a usable answer: read the connection again and adopt it when it shows the
    change (the rotated field regenerated, every compared field as desired); otherwise fail saying so."""
    current, update = action.current, action.update
    try:
        connection = _read_once(client, lambda: connection_of(client.get(connection_path(action.connection_id))))
    except DatadogAPIError as exc:
        raise TaskFailure("Failed to update %s: Datadog answered HTTP %d, so it accepted the request, but without a "
                          "usable answer (%s), and reading the connection again failed (%s). The update may have been "
                          "applied: run the task again" % (label_, error.status, error, exc), cause=error) from None
    if update.regenerated is not None:
        applied = read_only_fields(connection).get(update.regenerated) != read_only_fields(current).get(update.regenerated)
    else:
        applied = not plan_update(action.desired, attributes_of(connection), update_secrets=ON_CREATE).changed
    _reconciled(client, records, "update", action, "unusable answer", "applied" if applied else "not shown", connection)
    if not applied:
        raise TaskFailure("Failed to update %s: Datadog answered HTTP %d, so it accepted the request, but without a "
                          "usable answer (%s), and the connection read again does not show the change. The update may "
                          "have been applied in part or not at all: run the task again" % (label_, error.status, error),
                          cause=error)
    return connection


def _apply_delete(client, action, listing):
    label_ = action.label()
    warnings, records = [], []
    with operation("delete " + label_):
        try:
            response = client.delete(connection_path(action.connection_id), expected=(200, 202, 204, 404))
        except UnusableAnswerError as exc:
            response = None
            _reconcile_delete(client, action, label_, exc, warnings, records)  # gone, or it raises
    listing.forget(action.connection_id)
    if response is not None and response.status == 404:
        if not response.unanswered:  # someone deleted it first: this run changed nothing
            return Outcome(action, UNCHANGED, False, {}, {"before": {}, "after": {}}, warnings, records)
        # A delete answered 404 after an attempt that got no answer: that attempt deleted it, most likely.
        warnings.append("The delete request for %s got no answer and its retry found the connection gone: this run "
                        "deleted it (unless someone else did at the same moment)" % label_)
        _reconciled(client, records, "delete", action, "no answer", "gone")
    connection = action.preview()
    diff = action.diff if action.current is not UNREAD else {"before": {"id": action.connection_id}, "after": {}}
    return Outcome(action, DELETE, True, connection, diff, warnings, records)


def _reconcile_delete(client, action, label_, error, warnings, records):
    """After a delete answered 2xx with a body (Datadog answers 204 and nothing): read the connection; gone means
    deleted, still there means the delete was not applied."""
    with operation("delete %s (answered HTTP %d but not with the empty answer Datadog gives; reading the connection "
                   "again to learn whether it was deleted failed)" % (label_, error.status)):
        response = _read_once(client, lambda: client.get(connection_path(action.connection_id), expected=(200, 404)))
    if response.status == 404:
        warnings.append("The delete request for %s was answered HTTP %d but not as Datadog answers a delete (%s), so it "
                        "may have been applied: the connection, read again, is gone" % (label_, error.status, error))
        _reconciled(client, records, "delete", action, "unusable answer", "gone")
        return True
    _reconciled(client, records, "delete", action, "unusable answer", "still there")
    raise TaskFailure("Failed to delete %s: Datadog answered HTTP %d but not as it answers a delete (%s), and the "
                      "connection still exists: the delete was not applied; run the task again" % (label_, error.status, error),
                      cause=error)


# -- create --------------------------------------------------------------------------------------------------------------

class OutcomeUnknown(TaskFailure):
    """A write was sent and what it did is not known: Datadog may still apply it (the name's lock says so)."""


def _apply_create(client, action, listing):
    desired = action.desired
    window = OUTCOME_WAIT_FACTOR * client.options.timeout
    with _creation_lock(client, desired) as lock:
        found, warnings = _created_meanwhile(client, action, listing, lock, window)
        if found is not None:
            # Another writer created the name since this was decided: decide again (an update, or nothing).
            again = decide(dict(desired, access=None), found)  # its access is decided again after (_apply_access)
            again.read_at = listing.read_at
            outcome = apply(client, again, listing)
            outcome.action = action
            outcome.warnings[:0] = warnings
            return outcome
        before = lock.record()
        lock.mark_sent(time.time() + client.options.timeout + window)
        try:
            connection, more_warnings, records = _create(client, action, listing)
        except OutcomeUnknown:
            lock.mark_unknown(time.time() + window)
            raise
        except (TaskFailure, InputError):
            lock.restore(before)
            raise
        lock.mark()
    return Outcome(action, CREATE, True, connection_view(connection), action.diff, warnings + more_warnings, records)


def _created_meanwhile(client, action, listing, lock, window):
    """The connection of the action's name when another writer created it since the action was decided, else
    ``None``; and warnings. A create of the name whose outcome is not known yet (its answer was lost, or the task that
    sent it died) is waited for until Datadog can no longer apply it; reads the list only when the lock says so."""
    record = lock.record()
    name = action.desired["name"]
    if record.pending(time.time()):
        deadline = client.clock() + max(0.0, record.until - time.time())
        found = _poll_until(client, deadline, lambda: one_by_name(client, name, listing, fresh=True))
        if found is not None:
            return found, ["Another task's create of %s had an unknown outcome; it showed while this task waited, so it "
                           "was not created again (id %s)" % (action.label(), found.get("id"))]
        return None, ["Another task's create of %s had an unknown outcome and had not shown after %d seconds: created "
                      "by this task" % (action.label(), window)]
    if lock.changed_since(action.read_at):
        return one_by_name(client, name, listing, fresh=True), []
    return None, []


def _create(client, action, listing):
    """Send the create; return ``(connection, warnings, records)``.

    A create that got an error answer (a 5xx, which a proxy may send after Datadog applied it) is finished: one fresh
    read of the list tells whether it was applied; if not, it is sent again (at most ``retries`` times). A create
    answered 2xx without a usable body was accepted: one fresh read finds it by name, and it is never sent again. A
    create sent without an answer (dropped, timed out, or a gateway's 504) may still be in progress at Datadog: the list
    is read until the connection shows, for up to OUTCOME_WAIT_FACTOR x timeout, and it is never sent again.
    """
    name = action.desired["name"]
    label_ = action.label()
    warnings, records = [], []
    resends = client.options.retries
    while True:
        try:
            connection = connection_of(client.post(CONNECTIONS_PATH, action.body, expected=(200, 201)))
            break
        except UnusableAnswerError as exc:
            # A 2xx: Datadog accepted the create. What it created is found by name; it is never sent again.
            connection = _read_once(client, lambda: one_by_name(client, name, listing, fresh=True))
            if connection is None:
                _reconciled(client, records, "create", action, "unusable answer", "not found")
                raise OutcomeUnknown(
                    "Failed to create %s: Datadog answered HTTP %d, so it accepted the request, but without a usable "
                    "answer (%s), and no connection of that name shows in the list afterwards. The request may have been "
                    "applied: run the task again, it finds the connection by name instead of creating it twice"
                    % (label_, exc.status, exc), cause=exc) from None
            warnings.append("The create request for %s was answered HTTP %d but without a usable answer (%s), so it may "
                            "have been applied: the connection was found by name and adopted (id %s)"
                            % (label_, exc.status, exc, connection.get("id")))
            _reconciled(client, records, "create", action, "unusable answer", "adopted", connection)
            break
        except DatadogAPIError as exc:
            if isinstance(exc, DatadogOutcomeUnknownError) or exc.status == 504:
                try:
                    connection = _wait_for(client, "create " + label_, exc,
                                           lambda: one_by_name(client, name, listing, fresh=True))
                except OutcomeUnknown:
                    _reconciled(client, records, "create", action, _cause(exc), "unknown")
                    raise
            elif exc.status in (500, 502, 503):
                connection = _read_once(client, lambda: one_by_name(client, name, listing, fresh=True))
                if connection is None and resends <= 0:
                    _reconciled(client, records, "create", action, _cause(exc), "not applied")
                    raise TaskFailure(
                        "Failed to create %s: the request got no usable answer (%s) and no connection with that name "
                        "exists afterwards, so nothing was created; run the task again" % (label_, exc)) from None
                if connection is None:
                    resends -= 1
                    _reconciled(client, records, "create", action, _cause(exc), "not applied, sent again")
                    warnings.append("The create request for %s got no usable answer (%s) and was not applied (no "
                                    "connection with that name exists): sent again" % (label_, exc))
                    continue
            else:
                raise api_failure(exc, "create " + label_) from None
            warnings.append("The create request for %s got no usable answer (%s), but Datadog had applied it: the "
                            "connection was found by name and adopted (id %s)" % (label_, exc, connection.get("id")))
            _reconciled(client, records, "create", action, _cause(exc), "adopted", connection)
            break
    listing.remember(connection)
    return connection, warnings, records


def _read_once(client, read):
    """One read made to learn the outcome of a write (counted apart from retries)."""
    client.stats.outcome_poll()
    return read()


def _poll_until(client, deadline, read):
    """``read()`` until it returns something (returned), waiting between reads, until ``client.clock()`` reaches
    ``deadline`` (then ``None``). Each read is an outcome poll in ``client.stats``."""
    pause = _FIRST_PAUSE
    while True:
        found = _read_once(client, read)
        if found is not None:
            return found
        remaining = deadline - client.clock()
        if remaining <= 0:
            return None
        client.wait(min(pause, remaining))  # a pause between outcome polls, not a retry
        pause = min(pause * 2, _LONGEST_PAUSE)


def _wait_for(client, wording, error, read):
    """After a write sent without an answer: ``read()`` until it returns what shows the write applied, waiting between
    reads, for up to OUTCOME_WAIT_FACTOR x timeout; then fail saying the outcome is unknown."""
    window = OUTCOME_WAIT_FACTOR * client.options.timeout
    found = _poll_until(client, client.clock() + window, read)
    if found is not None:
        return found
    raise OutcomeUnknown(
        "Failed to %s: the request was sent but got no answer (%s), and its effect had not shown after %d "
        "seconds. The outcome is unknown: Datadog may still apply it. Re-running the task is safe once Datadog has "
        "finished with the request: it finds the result by name instead of writing again."
        % (wording, error, window), cause=error)


def _rotated(client, current, field):
    """The connection when its ``field`` (rotated by a PATCH) differs from before, else ``None``."""
    with operation("read action connection %s" % current.get("id")):
        connection = connection_of(client.get(connection_path(current.get("id"))))
    if read_only_fields(connection).get(field) != read_only_fields(current).get(field):
        return connection
    return None


@contextlib.contextmanager
def _creation_lock(client, desired):
    """The lock of this connection name in this org (see ``_locks``); waits for a create of the same name elsewhere."""
    options = client.options
    wait = 2 * OUTCOME_WAIT_FACTOR * options.timeout + 60
    try:
        with name_lock("%s\0%s" % (options.base_url, options.fingerprint()), desired["name"], wait=wait) as lock:
            yield lock
    except (LockTimeout, LockDirectoryError) as exc:
        raise TaskFailure("Failed to create %s: %s" % (label(desired["name"]), exc)) from None
