#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_app_key_registration
short_description: Register or unregister a Datadog application key for the Actions API
version_added: 0.1.0
description:
  - Datadog's action connection endpoints (Workflow Automation, App Builder) refuse application keys that are not
    registered for the Actions API. This module registers (O(state=present)) or unregisters (O(state=absent)) one
    application key, identified by its ID.
  - Idempotent. Datadog answers a registration with HTTP 201 even when the key is already registered, so the module
    reads the registration first and only reports a change when there was one.
  - "Requests made: registered already = 1 GET; registering = GET + PUT; unregistering = 1 DELETE (404 means it was
    not registered); check mode = 1 GET."
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.controller
attributes:
  check_mode:
    support: full
    description: Reads only; reports the change it would make.
  diff_mode:
    support: full
    description: Shows C(registered) before and after.
  action_group:
    support: full
    description: Use C(group/ddops.datadog.datadog) in C(module_defaults) to set the connection options once.
    membership:
      - ddops.datadog.datadog
options:
  app_key_id:
    description:
      - The ID of the application key, a UUID shown next to the key in Datadog under Organization Settings >
        Application Keys.
      - This is B(not) the application key itself (the secret you pass as O(app_key)). A value that is not a UUID is
        refused before any request and is never echoed.
      - Read from the environment variable E(DD_APP_KEY_ID) when not set (the task option wins, as for the connection
        options). One of the two is required.
    type: str
  state:
    description:
      - V(present) registers the key, V(absent) unregisters it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: ddops.datadog.datadog_app_key_registration_info
  - name: Datadog API reference for action connections and app key registrations
    description: The Actions API endpoints this module uses.
    link: https://docs.datadoghq.com/api/latest/action-connection/
"""

EXAMPLES = r"""
- name: Register the automation application key, connection options set once for the block
  module_defaults:
    group/ddops.datadog.datadog:
      api_key: "{{ vault_datadog_api_key }}"
      app_key: "{{ vault_datadog_app_key }}"
      site: datadoghq.eu
  block:
    - name: Register the key that the playbooks use for action connections
      ddops.datadog.datadog_app_key_registration:
        app_key_id: 3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81

- name: Unregister a key, keys taken from DD_API_KEY and DD_APP_KEY in the environment
  ddops.datadog.datadog_app_key_registration:
    app_key_id: 9d1c7e5a-0b3f-4a6d-8e2c-7f4b1a9d3c60
    state: absent

- name: Register the key whose ID is in DD_APP_KEY_ID (an AWX credential of docs/awx.md injects it)
  ddops.datadog.datadog_app_key_registration:

- name: Register with the keys passed inline from vaulted variables
  ddops.datadog.datadog_app_key_registration:
    app_key_id: "{{ automation_app_key_id }}"
    api_key: "{{ vault_datadog_api_key }}"
    app_key: "{{ vault_datadog_app_key }}"
  no_log: true
"""

RETURN = r"""
registration:
  description: The registration after the task (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    id:
      description: The application key ID.
      type: str
      sample: 3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81
    type:
      description: The resource type.
      type: str
      sample: app_key_registration
    registered:
      description: Whether the key is registered for the Actions API.
      type: bool
      sample: true
"""

import os

from ansible_collections.ddops.datadog.plugins.module_utils._app_key_registration import (
    STATES,
    ensure_registration,
    validate_app_key_id,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import TASK, Option, source
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition

#: app_key_id and its environment fallback, read by the rule of the connection options (task option > environment).
APP_KEY_ID = Option("app_key_id", "str", env=("DD_APP_KEY_ID",), description=("The ID of the application key.",))


def run(module):
    value, origin = source(APP_KEY_ID, module.params, environ=os.environ) or (None, None)
    if value is None:
        raise InputError("app_key_id is required: set the app_key_id option or the DD_APP_KEY_ID environment variable")
    try:
        app_key_id = validate_app_key_id(value, app_key=module.connection_options().app_key)
    except InputError as exc:
        module.add_no_log_values([value])  # people paste the key itself here: never echo it
        if origin != TASK:
            raise InputError("%s (read from the %s)" % (exc, origin)) from None
        raise
    return ensure_registration(module.client, app_key_id, state=module.params["state"], check_mode=module.check_mode)


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_app_key_registration",
    argument_spec=dict(
        app_key_id=dict(type="str"),
        state=dict(type="str", choices=list(STATES), default="present"),
    ),
    run=run,
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
