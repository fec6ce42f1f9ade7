# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action connections: argument spec, desired state from options, reconcile and list logic.

Internal use only: not part of the collection's public interface.

Plain Python (no Ansible imports): :func:`ensure_connection` takes a :class:`DatadogClient` and a plain ``desired``
dict and returns a plain result dict, so the module is a thin wrapper and the same logic can later run in the
controller process for many loop items with one HTTP session.

Requests (API-FACTS.md, ARCHITECTURE.md "Minimum HTTP"): unchanged by ``connection_id`` = 1 GET; unchanged by name =
the list pages (1 GET up to 100 connections); update = that read + 1 PATCH; create = list + POST; ``absent`` by ID =
1 DELETE (404 = already absent); check mode = the reads only.
"""

from __future__ import annotations

import copy

from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    DatadogAPIError,
    DatadogOutcomeUnknownError,
    InputError,
)
from ansible_collections.ddops.datadog.plugins.module_utils._compare import (
    ALWAYS,
    ON_CREATE,
    create_body,
    diff_create,
    diff_delete,
    diff_update,
    patch_body,
    plan_update,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_definition import connection_definition
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    BODY,
    CREDENTIAL_TYPES,
    ENTRIES,
    ENTRY_FIELDS,
    INTEGRATION_TYPES,
    TOKEN_TYPES,
    VARIANTS,
    credential_field_names,
    missing_secrets,
    redact_integration,
    secret_field_names,
    validate_connection_id,
    validate_integration,
    validate_name,
    validate_tags,
)

CONNECTIONS_PATH = "/api/v2/actions/connections"
#: The largest page the list endpoint serves.
PAGE_SIZE = 100
STATES = ("present", "absent")
UPDATE_SECRETS = (ON_CREATE, ALWAYS)

_LIST_MISSING = ("this Datadog API has no action connection list endpoint (GET %s answered HTTP %s), so connections "
                 "cannot be found by name; pass connection_id to manage the connection by its ID")


class ActionConnectionError(Exception):
    """A failure that depends on what exists in Datadog (not found, ambiguous name, no list endpoint, ...).

    ``details`` are extra result keys for the module (for example the IDs of connections sharing a name).
    """

    def __init__(self, message, **details):
        super().__init__(message)
        self.details = details


class StepError(Exception):
    """An API error during one step; ``action`` says which (``Failed to update action connection 'x'``)."""

    def __init__(self, action, error):
        super().__init__("%s: %s" % (action, error))
        self.action = action
        self.error = error


# -- argument spec -----------------------------------------------------------------------------------------------------

def credentials_options():
    """Every credential field of every variant as a suboption; secret ones are ``no_log``."""
    secrets = set(secret_field_names())
    kinds = {}
    for variant in VARIANTS:
        for field in variant.fields:
            kinds[field.name] = field.kind
    options = {"type": dict(type="str", choices=list(CREDENTIAL_TYPES))}
    for name in credential_field_names():
        if kinds[name] == ENTRIES:
            entry_options = {}
            for entry in ENTRY_FIELDS[name]:
                # A secret entry key (a token value) may be left out: a definition read from Datadog has none; the
                # reconcile logic asks for it where it is needed (a create, a new token, update_secrets=always).
                spec = dict(type="str", required=entry.required and not entry.secret, no_log=entry.secret)
                if name == "tokens" and entry.name == "type":
                    spec = dict(type="str", choices=list(TOKEN_TYPES), default=TOKEN_TYPES[0])
                entry_options[entry.name] = spec
            options[name] = dict(type="list", elements="dict", no_log=False, options=entry_options)
        elif kinds[name] == BODY:
            options[name] = dict(type="dict", options=dict(content=dict(type="str"), content_type=dict(type="str")))
        else:
            options[name] = dict(type="str", no_log=name in secrets)
    return options


def integration_options():
    return dict(
        type=dict(type="str", required=True, choices=list(INTEGRATION_TYPES)),
        base_url=dict(type="str"),
        credentials=dict(type="dict", options=credentials_options()),
    )


def argument_spec(raw_params=None, other_options=()):
    """The module's argument spec (``other_options``: the names of the options added to it elsewhere).

    ``raw_params`` are the module arguments as received, before Ansible validates them. Options the spec does not
    know (a misspelt ``api_tokn``, a credential field put at the top level) and values of the wrong shape are
    declared ``no_log`` raw options for this run, so Ansible masks them everywhere (also in ``invocation``); the
    module then refuses them itself (:func:`unknown_options`, :func:`desired_from_params`) with what is allowed.
    Without raw arguments (documentation tools) the spec is the documented one.
    """
    spec = dict(
        name=dict(type="str"),
        connection_id=dict(type="str"),
        integration=dict(type="dict", options=integration_options()),
        tags=dict(type="list", elements="str"),
        update_secrets=dict(type="str", choices=list(UPDATE_SECRETS), default=ON_CREATE, no_log=False),
        generate_new_external_id=dict(type="bool", default=False),
        state=dict(type="str", choices=list(STATES), default="present"),
    )
    if isinstance(raw_params, dict):
        for name in unknown_options(raw_params, spec, other_options):
            spec[name] = dict(type="raw", no_log=True)
        _shield(spec, "integration", raw_params.get("integration"))
    return spec


def unknown_options(raw_params, spec=None, other_options=()):
    """Top-level options in ``raw_params`` that the documented spec does not have (Ansible's own keys aside)."""
    known = set(argument_spec() if spec is None else spec) | set(other_options)
    return sorted(name for name in (raw_params or {}) if name not in known and not name.startswith("_ansible_"))


def _shield(options, name, raw):
    """Make ``options[name]`` accept ``raw`` without Ansible echoing anything it does not know (see argument_spec)."""
    spec = options[name]
    if raw is None or "options" not in spec:
        return
    if spec.get("type") == "dict":
        elements = [raw]
    elif isinstance(raw, list):
        elements = raw
    else:
        elements = [None]
    if not all(isinstance(element, dict) for element in elements):
        options[name] = dict(type="raw", no_log=True)
        return
    for element in elements:
        for key, value in element.items():
            if key not in spec["options"]:
                spec["options"][key] = dict(type="raw", no_log=True)
            else:
                _shield(spec["options"], key, value)


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
    if desired["generate_new_external_id"] and desired["integration"] is not None and desired["integration"]["type"] != "AWS":
        raise InputError("generate_new_external_id is only for AWS connections; integration.type is %s"
                         % desired["integration"]["type"])
    return desired


# -- reconcile ---------------------------------------------------------------------------------------------------------

def connection_path(connection_id):
    return "%s/%s" % (CONNECTIONS_PATH, connection_id)


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
        self._by_id = None  # key -> connection, in list order (the key is the ID)
        self._by_name = {}  # name -> keys

    @property
    def items(self):
        """Every connection known, in list order (None before the first read)."""
        return None if self._by_id is None else list(self._by_id.values())

    def load(self, client, fresh=False):
        """Read the list (every page) unless it was read already."""
        if self._by_id is None or fresh:
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
        keys = self._by_name.get(_attributes(item).get("name"), [])
        if connection_id in keys:
            keys.remove(connection_id)

    def _add(self, item, index=None):
        key = item.get("id") if isinstance(item, dict) and item.get("id") else ("without id", index)
        self._by_id[key] = item
        self._by_name.setdefault(_attributes(item).get("name"), []).append(key)


def ensure_connection(client, desired, check_mode=False, page_size=PAGE_SIZE, listing=None):
    """Bring one action connection to ``desired``; return ``{"changed", "connection", "diff", "warnings"}``.

    ``listing``: a :class:`ConnectionListing` shared with other calls of the same task (the loop items of one task in
    the action plugin); a new one by default.

    Raises :class:`InputError` (a change needs input that was not given), :class:`ActionConnectionError` (not found,
    ambiguous name, no list endpoint, lost create) or :class:`StepError` (an API error, with the failed step).
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
            response = _call("Failed to read " + _label(desired), client.get, connection_path(connection_id),
                             expected=(200, 404))
            if response.status == 404:
                raise ActionConnectionError("%s does not exist (HTTP 404). connection_id must name an existing connection; "
                                            "leave it out to find or create the connection by name" % _label(desired))
            current = response.data
    else:
        current = _one_by_name(client, desired["name"], listing)
        if current is None:
            return _create(client, desired, check_mode, listing)

    attributes = current.get("attributes") or {}
    plan = plan_update(desired, attributes, update_secrets=desired["update_secrets"],
                       generate_new_external_id=desired["generate_new_external_id"])
    connection = current
    if plan.changed and not check_mode:
        response = _call("Failed to update " + _label(desired, current.get("id")), client.patch,
                         connection_path(current.get("id")), patch_body(plan),
                         idempotent=not desired["generate_new_external_id"])
        connection = response.data
        listing.remember(connection)
    new_external_id = None
    if desired["generate_new_external_id"] and not check_mode:
        new_external_id = ((_attributes(connection).get("integration") or {}).get("credentials") or {}).get("external_id")
    diff = diff_update(desired, attributes, plan, generate_new_external_id=desired["generate_new_external_id"],
                       new_external_id=new_external_id)
    return {"changed": plan.changed, "connection": connection_view(connection), "diff": diff, "warnings": []}


def _create(client, desired, check_mode, listing):
    if desired["integration"] is None:  # desired_from_params refuses this already
        raise InputError("integration is required to create %s" % _label(desired))
    missing = missing_secrets(desired["integration"])
    if missing:  # secrets only where needed: a create needs them all, in check mode too (the real run would fail)
        raise InputError("Cannot create %s: no value given for its secret field(s) %s. Datadog never returns secrets, so "
                         "a definition read from Datadog has none; give them to create the connection"
                         % (_label(desired), ", ".join(missing)))
    diff = diff_create(desired)
    if check_mode:
        would_be = {"id": None, "attributes": {"name": desired["name"], "integration": desired["integration"],
                                               "tags": list(desired["tags"] or [])}}
        return {"changed": True, "connection": connection_view(would_be), "diff": diff, "warnings": []}
    warnings = []
    # A create whose answer is lost (dropped connection, timeout) or is a 5xx (which a proxy may send after Datadog
    # applied it) may or may not have been applied. The list is the truth: a connection with the name found there is
    # adopted; none found means none was created, so sending the create again cannot make a duplicate. That happens at
    # most ``retries`` times, like any other retry.
    attempts_left = 1 + getattr(getattr(client, "options", None), "retries", 3)
    while True:
        attempts_left -= 1
        try:
            response = client.post(CONNECTIONS_PATH, create_body(desired), expected=(200, 201))
            connection = response.data
            break
        except DatadogAPIError as exc:
            if not _outcome_unknown(exc):
                raise StepError("Failed to create " + _label(desired), exc) from None
            matches = listing.by_name(client, desired["name"], fresh=True)
            if len(matches) > 1:
                raise _ambiguous(desired["name"], matches) from None
            if matches:
                connection = matches[0]
                warnings.append("The create request for %s got no usable answer (%s), but Datadog had applied it: the "
                                "connection was found by name and adopted (id %s)" % (_label(desired), exc, connection.get("id")))
                break
            if attempts_left <= 0:
                raise ActionConnectionError(
                    "Failed to create %s: the request got no usable answer (%s) and no connection with that name exists "
                    "afterwards, so nothing was created; run the task again" % (_label(desired), exc)) from None
            warnings.append("The create request for %s got no usable answer (%s) and was not applied (no connection with "
                            "that name exists): sent again" % (_label(desired), exc))
    listing.remember(connection)
    return {"changed": True, "connection": connection_view(connection), "diff": diff, "warnings": warnings}


def _outcome_unknown(error):
    """A create that may have been applied: no answer after sending, or a server error answer."""
    return isinstance(error, DatadogOutcomeUnknownError) or error.status in (500, 502, 503, 504)


def _ensure_absent(client, desired, check_mode, listing):
    connection_id = desired["connection_id"]
    if connection_id:
        label = _label(desired)
        if check_mode and listing.serving_ids:
            current = listing.by_id(connection_id)
            exists = current is not None
            connection = connection_view(current) if exists else {}
        elif check_mode:
            response = _call("Failed to read " + label, client.get, connection_path(connection_id), expected=(200, 404))
            exists = response.status != 404
            connection = connection_view(response.data) if exists else {}
        else:
            response = _call("Failed to delete " + label, client.delete, connection_path(connection_id),
                             expected=(200, 202, 204, 404))
            exists = response.status != 404
            connection = {"id": connection_id} if exists else {}
            listing.forget(connection_id)
    else:
        current = _one_by_name(client, desired["name"], listing)
        exists = current is not None
        connection = connection_view(current) if exists else {}
        if exists and not check_mode:
            _call("Failed to delete " + _label(desired, current.get("id")), client.delete,
                  connection_path(current.get("id")), expected=(200, 202, 204, 404))
            listing.forget(current.get("id"))
    diff = diff_delete(connection) if exists else {"before": {}, "after": {}}
    return {"changed": exists, "connection": connection, "diff": diff, "warnings": []}


def _call(action, method, *args, **kwargs):
    try:
        return method(*args, **kwargs)
    except DatadogAPIError as exc:
        raise StepError(action, exc) from None


def _one_by_name(client, name, listing):
    matches = listing.by_name(client, name)
    if len(matches) > 1:
        raise _ambiguous(name, matches)
    return matches[0] if matches else None


def _ambiguous(name, matches):
    ids = [match.get("id") for match in matches]
    return ActionConnectionError("%d action connections are named %r (ids: %s); pass connection_id to choose one"
                                 % (len(matches), name, ", ".join(str(i) for i in ids)), connection_ids=ids)


def list_all(client, params=None, page_size=PAGE_SIZE):
    """Every connection of the list endpoint (all pages); a missing endpoint says to use ``connection_id``."""
    try:
        return list(client.paginate(CONNECTIONS_PATH, params=params, page_size=page_size))
    except DatadogAPIError as exc:
        if exc.status in (404, 405):
            raise ActionConnectionError(_LIST_MISSING % (CONNECTIONS_PATH, exc.status), status=exc.status) from None
        raise StepError("Failed to list action connections", exc) from None


def _attributes(item):
    attributes = item.get("attributes") if isinstance(item, dict) else None
    return attributes if isinstance(attributes, dict) else {}


def connection_view(data):
    """What the modules return for a connection: no secret field at all, AWS IDs at the top."""
    attributes = _attributes(data)
    integration = redact_integration(copy.deepcopy(attributes.get("integration")) or {})
    view = {
        "id": data.get("id") if isinstance(data, dict) else None,
        "name": attributes.get("name"),
        "tags": list(attributes.get("tags") or []),
        "integration": integration,
    }
    credentials = integration.get("credentials") or {}
    if integration.get("type") == "AWS":
        view["external_id"] = credentials.get("external_id")
        view["principal_id"] = credentials.get("principal_id")
    return view


# -- info --------------------------------------------------------------------------------------------------------------

def list_connections(client, connection_id=None, name=None, integration_type=None, tags=None, page_size=PAGE_SIZE):
    """Connections for the info module (secrets removed): one by ID (none when it does not exist), or the list
    filtered by exact ``name``, ``integration_type`` and ``tags`` (all of them)."""
    if connection_id is not None:
        response = _call("Failed to read action connection %s" % connection_id, client.get,
                         connection_path(connection_id), expected=(200, 404))
        items = [] if response.status == 404 else [response.data]
    else:
        params = {}
        if integration_type:
            params["filter[integration]"] = integration_type
        if tags:
            params["filter[tags]"] = ",".join(tags)
        items = list_all(client, params=params or None, page_size=page_size)
    selected = []
    for item in items:
        attributes = _attributes(item)
        if name is not None and attributes.get("name") != name:
            continue
        if integration_type and (attributes.get("integration") or {}).get("type") != integration_type:
            continue
        if tags and not set(tags) <= set(attributes.get("tags") or []):
            continue
        view = connection_view(item)
        view["definition"] = connection_definition(item)  # the input that recreates it (no secret, no read-only field)
        selected.append(view)
    return selected
