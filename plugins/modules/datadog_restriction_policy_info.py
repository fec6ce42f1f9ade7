#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_restriction_policy_info
short_description: Read who may view, use, run and edit a Datadog resource (its restriction policy)
version_added: 0.1.0
description:
  - Returns the restriction policy of one resource, such as an action connection, a workflow or an App Builder app,
    with principals as IDs (C(<org|role|team|user>:<UUID>)).
  - A resource without a policy (Datadog's default access) has no bindings; Datadog answers it with an empty policy,
    and an HTTP 404 is read the same way.
  - "Requests made: 1 GET."
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
  resource_id:
    description:
      - The resource, C(<type>:<id>), for example C(connection:<UUID>), C(workflow:<UUID>), C(app-builder-app:<UUID>)
        or C(dashboard:<ID>); checked as by M(ddops.datadog.datadog_restriction_policy) before any request.
    type: str
    required: true
seealso:
  - module: ddops.datadog.datadog_restriction_policy
"""

EXAMPLES = r"""
- name: Read the access to a connection
  ddops.datadog.datadog_restriction_policy_info:
    resource_id: "connection:{{ prod_aws.connection.id }}"
  register: prod_aws_access

- name: Fail when the connection still has Datadog's default access
  ansible.builtin.assert:
    that: prod_aws_access.policy.bindings | length > 0
"""

RETURN = r"""
policy:
  description: The policy, principals as IDs. No bindings means no policy, Datadog's default access.
  returned: success
  type: dict
  contains:
    resource_id:
      description: The resource, C(<type>:<id>) (UUIDs in lower case).
      type: str
      sample: workflow:5f0c1ad8-7b25-4c3e-9d7a-2b6c8e4f1a90
    bindings:
      description: The relations and who holds them, as Datadog has them.
      type: list
      elements: dict
      contains:
        relation:
          description: The relation.
          type: str
          sample: runner
        principals:
          description: The principals, C(<org|role|team|user>:<UUID>).
          type: list
          elements: str
          sample: [team:4dee724d-00cc-11ea-a77b-570c9d03c6c5]
"""

from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import (
    parse_resource_id,
    policy_view,
    read_policy,
)


def run(module):
    module.connection_options()  # first: its keys are then masked in every message, a pasted one too
    resource = parse_resource_id(module.params["resource_id"])
    return dict(changed=False, policy=policy_view(resource.text, read_policy(module.client, resource.text)))


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_restriction_policy_info",
    argument_spec=dict(resource_id=dict(type="str", required=True)),
    run=run,
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
