#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_app_key_registration_info
short_description: List the application keys registered for the Datadog Actions API
version_added: 0.1.0
description:
  - Without O(app_key_id), returns every registration, reading all pages (N registrations at O(page_size) S cost
    ceil(N / S) requests).
  - With O(app_key_id), returns that registration, or an empty list when the key is not registered (1 request).
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.controller
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is nothing to diff.
  action_group:
    support: full
    description: Use C(group/ddops.datadog.datadog) in C(module_defaults) to set the connection options once.
    membership:
      - ddops.datadog.datadog
options:
  app_key_id:
    description:
      - The ID (a UUID) of one application key to look up. This is not the application key itself.
      - The environment variable E(DD_APP_KEY_ID), which M(ddops.datadog.datadog_app_key_registration) reads, is not
        read here; without O(app_key_id) the module lists every registration. The examples show how to look up the key
        of E(DD_APP_KEY_ID).
    type: str
  page_size:
    description:
      - Registrations asked for per request when listing them all.
    type: int
    default: 100
seealso:
  - module: ddops.datadog.datadog_app_key_registration
"""

EXAMPLES = r"""
- name: List every registered application key (keys from DD_API_KEY / DD_APP_KEY)
  ddops.datadog.datadog_app_key_registration_info:
  register: registrations

- name: Fail early when the automation key is not registered
  ddops.datadog.datadog_app_key_registration_info:
    app_key_id: 3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81
  register: automation_key
  failed_when: automation_key.total == 0

- name: Is the key whose ID is in DD_APP_KEY_ID registered (an AWX credential of docs/awx.md injects it)?
  ddops.datadog.datadog_app_key_registration_info:
    app_key_id: "{{ lookup('ansible.builtin.env', 'DD_APP_KEY_ID') }}"
  register: credential_key

- name: Check a registration with keys passed inline from vaulted variables
  ddops.datadog.datadog_app_key_registration_info:
    app_key_id: "{{ automation_app_key_id }}"
    api_key: "{{ vault_datadog_api_key }}"
    app_key: "{{ vault_datadog_app_key }}"
  no_log: true
  register: automation_key_inline

- name: Report registrations, connection options set once for the block
  module_defaults:
    group/ddops.datadog.datadog:
      api_key: "{{ vault_datadog_api_key }}"
      app_key: "{{ vault_datadog_app_key }}"
      site: us5.datadoghq.com
  block:
    - name: Count registrations
      ddops.datadog.datadog_app_key_registration_info:
      register: registrations

    - name: Show them
      ansible.builtin.debug:
        msg: "{{ registrations.total }} registered keys: {{ registrations.registrations | map(attribute='id') | join(', ') }}"
"""

RETURN = r"""
registrations:
  description: The registrations found.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The application key ID.
      type: str
      sample: 3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81
    type:
      description: The resource type.
      type: str
      sample: app_key_registration
total:
  description: How many registrations were returned.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.ddops.datadog.plugins.module_utils._app_key_registration import (
    DEFAULT_PAGE_SIZE,
    list_registrations,
    validate_app_key_id,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.module_utils._validation import validate_number


def run(module):
    app_key_id = module.params["app_key_id"]
    if app_key_id is not None:
        try:
            app_key_id = validate_app_key_id(app_key_id, app_key=module.connection_options().app_key)
        except InputError:
            module.add_no_log_values([module.params["app_key_id"]])  # people paste the key itself here
            raise
    page_size = validate_number("page_size", module.params["page_size"], integer=True, minimum=1)
    registrations = list_registrations(module.client, app_key_id=app_key_id, page_size=page_size)
    return dict(changed=False, registrations=registrations, total=len(registrations))


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_app_key_registration_info",
    argument_spec=dict(
        app_key_id=dict(type="str"),
        page_size=dict(type="int", default=DEFAULT_PAGE_SIZE),
    ),
    run=run,
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
