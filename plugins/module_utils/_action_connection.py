# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action connections: argument spec, desired state from options, reconcile and list logic.

Internal use only: not part of the collection's public interface.

Plain Python (no Ansible imports): :func:`ensure_connection` takes a :class:`DatadogClient` and a plain ``desired``
dict and returns a plain result dict, so the module is a thin wrapper and the same logic can later run in the
controller process for many loop items with one HTTP session.

Requests (docs/dev/api-behaviour.md): unchanged by ``connection_id`` = 1 GET; unchanged by name = the list pages (1 GET
up to 100 connections); update = that read + 1 PATCH; create = list + POST; ``absent`` by ID = 1 DELETE (404 = already
absent); check mode = the reads only.
"""

from __future__ import annotations

import contextlib
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
    create_body,
    diff_create,
    diff_delete,
    patch_body,
    plan_update,
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
    missing_secrets,
    secret_field_names,
    validate_connection_id,
    validate_integration,
    validate_name,
    validate_tags,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, api_failure, operation
from ansible_collections.ddops.datadog.plugins.module_utils._locks import LockDirectoryError, LockTimeout, name_lock

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


# -- reconcile ---------------------------------------------------------------------------------------------------------

class ConnectionListing(object):
    """The connections of the list endpoint, read once, then kept current with the writes made through it.

    One listing per task: a module run makes its own (one read per task); the action plugin shares one between the
    loop items of a task, so N items cost one read of the list instead of N. A create whose outcome is unknown always
    reads the list afresh. Indexed by ID and by name, so a lookup or a write costs the same at 10 or 10,000 items.

    ``serve_ids``: once read, the listing also answers for connections addressed by ``connection_id`` (no GET of
    the connection). Only ``datadog_action_connection_set`` asks for it, as it reads the whole list first anyway.
    """

    def __init__(self, page_size=PAGE_SIZE, serve_ids=False):
        self.page_size = page_size
        self.serve_ids = serve_ids
        self.reads = 0
        self.read_at = None  # time.time() when the list was last read (just before the read)
        self._by_id = None  # key -> connection, in list order (the key is the ID)
        self._by_name = {}  # name -> keys

    @property
    def items(self):
        """Every connection known, in list order (None before the first read)."""
        return None if self._by_id is None else list(self._by_id.values())

    def load(self, client, fresh=False):
        """Read the list (every page) unless it was read already."""
        if self._by_id is None or fresh:
            self.read_at = time.time()
            items = list_all(client, page_size=self.page_size)
            self.reads += 1
            self._by_id = {}
            self._by_name = {}
            for index, item in enumerate(items):
                self._add(item, index)

    def by_name(self, client, name, fresh=False):
        """Every connection named exactly ``name`` (all pages of the list, compared here)."""
        self.load(client, fresh=fresh)
        return [self._by_id[key] for key in self._by_name.get(name, ())]

    @property
    def serving_ids(self):
        return self.serve_ids and self._by_id is not None

    def by_id(self, connection_id):
        """The connection with this ID when :attr:`serving_ids` (None when the list does not have it)."""
        return self._by_id.get(connection_id) if self.serving_ids else None

    def remember(self, connection):
        """A connection this run created or changed, as Datadog answered it."""
        if self._by_id is None or not isinstance(connection, dict) or not connection.get("id"):
            return
        self.forget(connection["id"])
        self._add(connection)

    def forget(self, connection_id):
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


def ensure_connection(client, desired, check_mode=False, page_size=PAGE_SIZE, listing=None):
    """Bring one action connection to ``desired``; return ``{"changed", "connection", "diff", "warnings"}``.

    ``listing``: a :class:`ConnectionListing` shared with other calls of the same task (the loop items of one task in
    the action plugin); a new one by default.

    Raises :class:`InputError` (a change needs input that was not given) or :class:`TaskFailure` (an API error, not
    found, ambiguous name, no list endpoint, lost create), whose message names the operation.
    """
    if listing is None:
        listing = ConnectionListing(page_size)
    if desired["state"] == "absent":
        return _ensure_absent(client, desired, check_mode, listing)
    return _ensure_present(client, desired, check_mode, listing)


def _label(desired, connection_id=None):
    connection_id = connection_id or desired.get("connection_id")
    if desired.get("name") is not None and connection_id:
        return "action connection %r (%s)" % (desired["name"], connection_id)
    if desired.get("name") is not None:
        return "action connection %r" % desired["name"]
    return "action connection %s" % connection_id


def _ensure_present(client, desired, check_mode, listing):
    connection_id = desired["connection_id"]
    if connection_id:
        current = listing.by_id(connection_id)  # served from the list when the listing serves IDs (the set module)
        if current is None:
            with operation("read " + _label(desired)):
                response = client.get(connection_path(connection_id), expected=(200, 404))
                if response.status == 404:
                    raise TaskFailure("%s does not exist (HTTP 404). connection_id must name an existing connection; "
                                      "leave it out to find or create the connection by name" % _label(desired))
                current = connection_of(response)
    else:
        current = _one_by_name(client, desired["name"], listing)
        if current is None:
            _refuse_without_secrets(desired)
        if current is None and check_mode:
            return _create(client, desired, check_mode, listing)
        if current is None:
            with _creation_lock(client, desired) as lock:
                if lock.changed_since(listing.read_at):  # another task created it since the list was read
                    current = _one_by_name(client, desired["name"], listing, fresh=True)
                if current is None:
                    result = _create(client, desired, check_mode, listing)
                    lock.mark()
                    return result

    attributes = current.get("attributes") or {}
    rotate = desired["generate_new_external_id"]
    plan = plan_update(desired, attributes, update_secrets=desired["update_secrets"], rotate=rotate)
    connection = current
    warnings = []
    if plan.changed and not check_mode:
        label = _label(desired, current.get("id"))
        try:
            answer = client.patch(connection_path(current.get("id")), patch_body(plan), idempotent=not rotate)
            connection = connection_of(answer)
        except DatadogOutcomeUnknownError as exc:
            # Not idempotent (a rotation): never sent again blindly. It was applied if the rotated field changed.
            connection = _wait_for(client, "update " + label, exc, lambda: _rotated(client, current, plan.regenerated))
            warnings.append("The update request for %s got no answer (%s), but Datadog had applied it: %s was regenerated"
                            % (label, exc, plan.regenerated))
            _reconciled(client, "update", desired, connection, "no answer", "applied")
        except UnusableAnswerError as exc:
            connection = _reconcile_update(client, desired, current, plan, label, exc)
            warnings.append("The update request for %s was answered HTTP %d but without a usable answer (%s), so it may "
                            "have been applied: the connection, read again, shows the change" % (label, exc.status, exc))
        except DatadogAPIError as exc:
            raise api_failure(exc, "update " + label) from None
        listing.remember(connection)
    regenerated = None
    if rotate and not check_mode:
        regenerated = read_only_fields(connection).get(plan.regenerated)
    return {"changed": plan.changed, "connection": connection_view(connection), "diff": plan.diff(regenerated),
            "warnings": warnings}


def _refuse_without_secrets(desired):
    """Secrets only where needed: a create needs them all, in check mode too (the real run would fail)."""
    if desired["integration"] is None:  # desired_from_params refuses this already
        raise InputError("integration is required to create %s" % _label(desired))
    missing = missing_secrets(desired["integration"])
    if missing:
        raise InputError("Cannot create %s: no value given for its secret field(s) %s. Datadog never returns secrets, so "
                         "a definition read from Datadog has none; give them to create the connection"
                         % (_label(desired), ", ".join(missing)))


def _create(client, desired, check_mode, listing):
    _refuse_without_secrets(desired)
    diff = diff_create(desired)
    if check_mode:
        would_be = {"id": None, "attributes": {"name": desired["name"], "integration": desired["integration"],
                                               "tags": list(desired["tags"] or [])}}
        return {"changed": True, "connection": connection_view(would_be), "diff": diff, "warnings": []}
    warnings = []
    # A create that got an error answer (a 5xx, which a proxy may send after Datadog applied it) is finished: one fresh
    # read of the list tells whether it was applied; if not, it is sent again (at most ``retries`` times). A create sent
    # without an answer (dropped, timed out, or a gateway's 504) may still be in progress at Datadog: the list is read
    # until the connection shows, for up to OUTCOME_WAIT_FACTOR x timeout, and it is never sent again.
    resends = client.options.retries
    label = _label(desired)
    while True:
        try:
            connection = connection_of(client.post(CONNECTIONS_PATH, create_body(desired), expected=(200, 201)))
            exc = None
            break
        except UnusableAnswerError as error:
            # A 2xx: Datadog accepted the create. What it created is found by name; it is never sent again.
            exc = error
            connection = _poll(client, lambda: _one_by_name(client, desired["name"], listing, fresh=True))
            if connection is None:
                _reconciled(client, "create", desired, None, "unusable answer", "not found")
                raise TaskFailure(
                    "Failed to create %s: Datadog answered HTTP %d, so it accepted the request, but without a usable "
                    "answer (%s), and no connection of that name shows in the list afterwards. The request may have been "
                    "applied: run the task again, it finds the connection by name instead of creating it twice"
                    % (label, exc.status, exc), cause=exc) from None
            warnings.append("The create request for %s was answered HTTP %d but without a usable answer (%s), so it may "
                            "have been applied: the connection was found by name and adopted (id %s)"
                            % (label, exc.status, exc, connection.get("id")))
            _reconciled(client, "create", desired, connection, "unusable answer", "adopted")
            exc = None
            break
        except DatadogAPIError as error:
            exc = error
            if isinstance(exc, DatadogOutcomeUnknownError) or exc.status == 504:
                connection = _wait_for(client, "create " + label, exc,
                                       lambda: _one_by_name(client, desired["name"], listing, fresh=True))
                break
            if exc.status not in (500, 502, 503):
                raise api_failure(exc, "create " + label) from None
            connection = _poll(client, lambda: _one_by_name(client, desired["name"], listing, fresh=True))
            if connection is not None:
                break
            if resends <= 0:
                _reconciled(client, "create", desired, None, "HTTP %d" % exc.status, "not applied")
                raise TaskFailure(
                    "Failed to create %s: the request got no usable answer (%s) and no connection with that name exists "
                    "afterwards, so nothing was created; run the task again" % (label, exc)) from None
            resends -= 1
            _reconciled(client, "create", desired, None, "HTTP %d" % exc.status, "not applied, sent again")
            warnings.append("The create request for %s got no usable answer (%s) and was not applied (no connection with "
                            "that name exists): sent again" % (label, exc))
    if exc is not None:
        warnings.append("The create request for %s got no usable answer (%s), but Datadog had applied it: the connection "
                        "was found by name and adopted (id %s)" % (label, exc, connection.get("id")))
        _reconciled(client, "create", desired, connection,
                    "no answer" if isinstance(exc, DatadogConnectionError) else "HTTP %d" % exc.status, "adopted")
    listing.remember(connection)
    return {"changed": True, "connection": connection_view(connection), "diff": diff, "warnings": warnings}


def _wait_for(client, wording, error, read):
    """After a write sent without an answer: ``read()`` until it returns what shows the write applied, waiting between
    reads, for up to OUTCOME_WAIT_FACTOR x timeout; then fail saying the outcome is unknown."""
    window = OUTCOME_WAIT_FACTOR * client.options.timeout
    deadline = client.clock() + window
    pause = _FIRST_PAUSE
    while True:
        client.stats.outcome_poll()
        found = read()
        if found is not None:
            return found
        remaining = deadline - client.clock()
        if remaining <= 0:
            raise TaskFailure(
                "Failed to %s: the request was sent but got no answer (%s), and its effect had not shown after %d "
                "seconds. The outcome is unknown: Datadog may still apply it. Re-running the task is safe once Datadog has "
                "finished with the request: it finds the result by name instead of writing again."
                % (wording, error, window), cause=error)
        client.wait(min(pause, remaining))  # a pause between outcome polls, not a retry
        pause = min(pause * 2, _LONGEST_PAUSE)


def _rotated(client, current, field):
    """The connection when its ``field`` (rotated by a PATCH) differs from before, else ``None``."""
    with operation("read action connection %s" % current.get("id")):
        connection = connection_of(client.get(connection_path(current.get("id"))))
    if read_only_fields(connection).get(field) != read_only_fields(current).get(field):
        return connection
    return None


def _poll(client, read):
    """One read made to learn the outcome of a write (counted apart from retries)."""
    client.stats.outcome_poll()
    return read()


def _reconciled(client, operation_name, desired, connection, cause, outcome):
    """Record, as plain data, an item whose outcome was worked out after a lost or unusable answer."""
    record = {"operation": operation_name, "name": desired.get("name"), "cause": cause, "outcome": outcome}
    connection_id = (connection or {}).get("id") if isinstance(connection, dict) else None
    if connection_id or desired.get("connection_id"):
        record["id"] = connection_id or desired.get("connection_id")
    client.stats.reconciled(record)


def _reconcile_update(client, desired, current, plan, label, error):
    """After an update answered 2xx without a usable answer: read the connection again and adopt it when it shows the
    change (the rotated field regenerated, every compared field as desired); otherwise fail saying so."""
    connection_id = current.get("id")
    try:
        connection = _poll(client, lambda: connection_of(client.get(connection_path(connection_id))))
    except DatadogAPIError as exc:
        raise TaskFailure("Failed to update %s: Datadog answered HTTP %d, so it accepted the request, but without a "
                          "usable answer (%s), and reading the connection again failed (%s). The update may have been "
                          "applied: run the task again" % (label, error.status, error, exc), cause=error) from None
    if plan.regenerated is not None:
        applied = read_only_fields(connection).get(plan.regenerated) != read_only_fields(current).get(plan.regenerated)
    else:
        applied = not plan_update(desired, attributes_of(connection), update_secrets=ON_CREATE).changed
    _reconciled(client, "update", desired, connection, "unusable answer", "applied" if applied else "not shown")
    if not applied:
        raise TaskFailure("Failed to update %s: Datadog answered HTTP %d, so it accepted the request, but without a "
                          "usable answer (%s), and the connection read again does not show the change. The update may "
                          "have been applied in part or not at all: run the task again" % (label, error.status, error),
                          cause=error)
    return connection


@contextlib.contextmanager
def _creation_lock(client, desired):
    """The lock of this connection name in this org (see ``_locks``); waits for a create of the same name elsewhere."""
    options = client.options
    wait = 2 * OUTCOME_WAIT_FACTOR * options.timeout + 60
    try:
        with name_lock("%s\0%s" % (options.base_url, options.fingerprint()), desired["name"], wait=wait) as lock:
            yield lock
    except (LockTimeout, LockDirectoryError) as exc:
        raise TaskFailure("Failed to create %s: %s" % (_label(desired), exc)) from None


def _ensure_absent(client, desired, check_mode, listing):
    connection_id = desired["connection_id"]
    warnings = []
    if connection_id:
        label = _label(desired)
        if check_mode and listing.serving_ids:
            current = listing.by_id(connection_id)
            exists = current is not None
            connection = connection_view(current) if exists else {}
        elif check_mode:
            with operation("read " + label):
                response = client.get(connection_path(connection_id), expected=(200, 404))
                exists = response.status != 404
                connection = connection_view(connection_of(response)) if exists else {}
        else:
            exists = _delete(client, desired, connection_id, label, warnings)
            connection = {"id": connection_id} if exists else {}
            listing.forget(connection_id)
    else:
        current = _one_by_name(client, desired["name"], listing)
        exists = current is not None
        connection = connection_view(current) if exists else {}
        if exists and not check_mode:
            label = _label(desired, current.get("id"))
            exists = _delete(client, desired, current.get("id"), label, warnings)  # 404: someone deleted it first
            connection = connection if exists else {}
            listing.forget(current.get("id"))
    diff = diff_delete(connection) if exists else {"before": {}, "after": {}}
    return {"changed": exists, "connection": connection, "diff": diff, "warnings": warnings}


def _delete(client, desired, connection_id, label, warnings):
    """Delete one connection; return whether this run deleted it (``False``: it was already gone, HTTP 404)."""
    with operation("delete " + label):
        try:
            response = client.delete(connection_path(connection_id), expected=(200, 202, 204, 404))
        except UnusableAnswerError as exc:
            return _reconcile_delete(client, desired, connection_id, label, exc, warnings)
    if response.status == 404 and response.unanswered:
        # A delete answered 404 after an attempt that got no answer: that attempt deleted it, most likely.
        warnings.append("The delete request for %s got no answer and its retry found the connection gone: this run "
                        "deleted it (unless someone else did at the same moment)" % label)
        _reconciled(client, "delete", desired, {"id": connection_id}, "no answer", "gone")
        return True
    return response.status != 404


def _reconcile_delete(client, desired, connection_id, label, error, warnings):
    """After a delete answered 2xx with a body (Datadog answers 204 and nothing): read the connection; gone means
    deleted, still there means the delete was not applied."""
    with operation("delete %s (answered HTTP %d but not with the empty answer Datadog gives; reading the connection "
                   "again to learn whether it was deleted failed)" % (label, error.status)):
        response = _poll(client, lambda: client.get(connection_path(connection_id), expected=(200, 404)))
    if response.status == 404:
        warnings.append("The delete request for %s was answered HTTP %d but not as Datadog answers a delete (%s), so it "
                        "may have been applied: the connection, read again, is gone" % (label, error.status, error))
        _reconciled(client, "delete", desired, {"id": connection_id}, "unusable answer", "gone")
        return True
    _reconciled(client, "delete", desired, {"id": connection_id}, "unusable answer", "still there")
    raise TaskFailure("Failed to delete %s: Datadog answered HTTP %d but not as it answers a delete (%s), and the "
                      "connection still exists: the delete was not applied; run the task again" % (label, error.status, error),
                      cause=error)


def _one_by_name(client, name, listing, fresh=False):
    matches = listing.by_name(client, name, fresh=fresh)
    if len(matches) > 1:
        raise _ambiguous(name, matches)
    return matches[0] if matches else None


def _ambiguous(name, matches):
    ids = [match.get("id") for match in matches]
    return TaskFailure("%d action connections are named %r (ids: %s); pass connection_id to choose one"
                       % (len(matches), name, ", ".join(str(i) for i in ids)), connection_ids=ids)
