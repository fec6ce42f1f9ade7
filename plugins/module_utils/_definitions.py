# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's modules as data: argument spec, constraints and run function of each.

Internal use only: not part of the collection's public interface.

A module file's ``main()`` runs its definition inside the module process (``ModuleDefinition.main``); the
action plugin of the same name runs the same ``run`` function in the controller process when it can (see
``plugins/plugin_utils/_action.py``). Either way the input is validated by Ansible's argument spec machinery
with the same no_log rules, and the same function decides, requests and answers.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    PAGE_SIZE,
    ActionConnectionError,
    ConnectionListing,
    StepError,
    argument_spec as action_connection_spec,
    desired_from_params,
    ensure_connection,
    list_connections,
    unknown_options,
)
from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError, InputError
from ansible_collections.ddops.datadog.plugins.module_utils._app_key_registration import (
    ensure_registration,
    list_registrations,
    validate_app_key_id,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_set_module import CONNECTION_SET
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    INTEGRATION_TYPES,
    secret_values,
    validate_connection_id,
    validate_tags,
)
from ansible_collections.ddops.datadog.plugins.module_utils._module import CONNECTION_OPTIONS, ModuleDefinition

PREFIX = "ddops.datadog."
REGISTRATION_VERBS = {"present": "register", "absent": "unregister"}


def _finish(module, result):
    """Pass ``warnings`` to the host, keep ``diff`` only in diff mode, exit."""
    for warning in result.pop("warnings", ()):
        module.warn(warning)
    diff = result.pop("diff", None)
    if module.diff_mode and diff is not None:
        result["diff"] = diff
    module.exit(**result)


# -- datadog_app_key_registration --------------------------------------------------------------------------------------

def _registration_spec(raw_params=None):
    return dict(
        app_key_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )


def run_app_key_registration(module):
    state = module.params["state"]
    try:
        app_key_id = validate_app_key_id(module.params["app_key_id"], app_key=module.params["app_key"])
    except InputError as exc:
        module.fail(str(exc))
    try:
        result = ensure_registration(module.client, app_key_id, state=state, check_mode=module.check_mode)
    except DatadogAPIError as exc:
        module.fail_api(exc, "Failed to %s application key %s" % (REGISTRATION_VERBS[state], app_key_id))
    _finish(module, result)


APP_KEY_REGISTRATION = ModuleDefinition(PREFIX + "datadog_app_key_registration", _registration_spec,
                                        run_app_key_registration, supports_check_mode=True)


# -- datadog_app_key_registration_info ---------------------------------------------------------------------------------

def _registration_info_spec(raw_params=None):
    return dict(
        app_key_id=dict(type="str"),
        page_size=dict(type="int", default=100),
    )


def run_app_key_registration_info(module):
    app_key_id = module.params["app_key_id"]
    page_size = module.params["page_size"]
    try:
        if app_key_id is not None:
            app_key_id = validate_app_key_id(app_key_id, app_key=module.params["app_key"])
        if page_size < 1:
            raise InputError("page_size must be at least 1, got %d" % page_size)
    except InputError as exc:
        module.fail(str(exc))
    try:
        registrations = list_registrations(module.client, app_key_id=app_key_id, page_size=page_size)
    except DatadogAPIError as exc:
        module.fail_api(exc, "Failed to read application key registrations")
    module.exit(changed=False, registrations=registrations, total=len(registrations))


APP_KEY_REGISTRATION_INFO = ModuleDefinition(PREFIX + "datadog_app_key_registration_info", _registration_info_spec,
                                             run_app_key_registration_info, supports_check_mode=True)


# -- datadog_action_connection -----------------------------------------------------------------------------------------

def _connection_spec(raw_params=None):
    return action_connection_spec(raw_params, other_options=CONNECTION_OPTIONS)


def run_action_connection(module):
    module.add_no_log_values(secret_values(module.params["integration"]))
    unknown = unknown_options(module.raw_params, other_options=CONNECTION_OPTIONS)
    if unknown:
        module.fail("Unsupported parameters for (%s) module: %s. Supported parameters include: %s."
                    % (module.name, ", ".join(unknown),
                       ", ".join(sorted(set(action_connection_spec()) | set(CONNECTION_OPTIONS)))))
    try:
        desired = desired_from_params(module.params)
    except InputError as exc:
        module.fail(str(exc))
    options = module.connection_options()
    # The loop items of one task share one read of the connection list (action plugin; a module reads its own).
    listing = module.shared(("action connections", options.base_url, options.fingerprint()), ConnectionListing)
    try:
        result = ensure_connection(module.client, desired, check_mode=module.check_mode, listing=listing)
    except InputError as exc:
        module.fail(str(exc))
    except ActionConnectionError as exc:
        module.fail(str(exc), **exc.details)
    except StepError as exc:
        module.fail_api(exc.error, exc.action)
    _finish(module, result)


ACTION_CONNECTION = ModuleDefinition(PREFIX + "datadog_action_connection", _connection_spec, run_action_connection,
                                     wants_raw_params=True, required_one_of=[("name", "connection_id")],
                                     supports_check_mode=True)


# -- datadog_action_connection_info ------------------------------------------------------------------------------------

def _connection_info_spec(raw_params=None):
    return dict(
        connection_id=dict(type="str"),
        name=dict(type="str"),
        integration_type=dict(type="str", choices=list(INTEGRATION_TYPES)),
        tags=dict(type="list", elements="str"),
        page_size=dict(type="int", default=PAGE_SIZE),
    )


def run_action_connection_info(module):
    params = module.params
    try:
        connection_id = None if params["connection_id"] is None else validate_connection_id(params["connection_id"])
        tags = None if params["tags"] is None else validate_tags(params["tags"])
        if not 1 <= params["page_size"] <= PAGE_SIZE:
            raise InputError("page_size must be between 1 and %d, got %d" % (PAGE_SIZE, params["page_size"]))
    except InputError as exc:
        module.fail(str(exc))
    module.connection_options()
    try:
        connections = list_connections(module.client, connection_id=connection_id, name=params["name"],
                                       integration_type=params["integration_type"], tags=tags,
                                       page_size=params["page_size"])
    except ActionConnectionError as exc:
        module.fail(str(exc), **exc.details)
    except StepError as exc:
        module.fail_api(exc.error, exc.action)
    module.exit(changed=False, connections=connections, total=len(connections))


ACTION_CONNECTION_INFO = ModuleDefinition(PREFIX + "datadog_action_connection_info", _connection_info_spec,
                                          run_action_connection_info, supports_check_mode=True)

DEFINITIONS = dict((definition.name, definition) for definition in (
    APP_KEY_REGISTRATION, APP_KEY_REGISTRATION_INFO, ACTION_CONNECTION, ACTION_CONNECTION_INFO,
    CONNECTION_SET))  # datadog_action_connection_set is defined in _connection_set_module.py
