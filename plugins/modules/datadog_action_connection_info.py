#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_action_connection_info
short_description: Read Datadog action connections
version_added: 0.1.0
description:
  - Reads one action connection by O(connection_id), or lists the connections (all pages) that match every filter
    given (O(name), O(integration_type), O(tags)).
  - Secret fields are never returned; Datadog does not return their values anyway.
  - Each connection comes with its RV(connections[].definition), the input that manages it as code (for
    M(ddops.datadog.datadog_action_connection), M(ddops.datadog.datadog_action_connection_set) and the
    P(ddops.datadog.action_connections#role) role, whose C(export) entry point writes them to a file).
  - "Requests made: by O(connection_id) = 1 GET; a list = one GET per O(page_size) connections that match the
    server-side filters (O(integration_type), O(tags)); O(name) is matched exactly after reading."
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.controller
attributes:
  check_mode:
    support: full
    description: Reads only; the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
  action_group:
    support: full
    description: Use C(group/ddops.datadog.datadog) in C(module_defaults) to set the connection options once.
    membership:
      - ddops.datadog.datadog
options:
  connection_id:
    description:
      - ID (a UUID) of one connection to read. RV(connections) is empty when it does not exist.
      - The other filters still apply to it.
    type: str
  name:
    description:
      - Only the connections with exactly this name (case-sensitive).
    type: str
  integration_type:
    description:
      - Only the connections of this integration type.
    type: str
    choices: [AWS, Anthropic, Asana, Azure, CircleCI, Clickup, Cloudflare, ConfigCat, Datadog, Fastly, Freshservice,
              GCP, Gemini, Gitlab, GreyNoise, HTTP, LaunchDarkly, Notion, Okta, OpenAI, ServiceNow, Split, Statsig,
              VirusTotal]
  tags:
    description:
      - Only the connections that have every one of these tags (C(key:value)).
    type: list
    elements: str
  page_size:
    description:
      - Connections asked for per request when listing; Datadog serves at most 100.
    type: int
    default: 100
notes:
  - Listing uses the list endpoint, a preview endpoint of the Datadog API. Where it is missing, the module fails and
    asks for O(connection_id).
seealso:
  - module: ddops.datadog.datadog_action_connection
  - module: ddops.datadog.datadog_action_connection_set
"""

EXAMPLES = r"""
- name: Read one connection by ID
  ddops.datadog.datadog_action_connection_info:
    connection_id: 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00
  register: one

- name: Find the connection named Prod AWS and use its external ID
  ddops.datadog.datadog_action_connection_info:
    name: Prod AWS
  register: prod_aws

- name: Show it
  ansible.builtin.debug:
    msg: "{{ prod_aws.connections[0].external_id }}"
  when: prod_aws.connections | length == 1

- name: Read the connections someone made in the UI, as code
  ddops.datadog.datadog_action_connection_info:
    tags:
      - team:sre
  register: found

- name: Converge them as they are, and delete the SRE connections no longer in the list
  ddops.datadog.datadog_action_connection_set:
    connections: "{{ found.connections | map(attribute='definition') | list }}"
    purge: true
    purge_tags:
      - team:sre

- name: Every HTTP connection of the SRE team, keys taken from DD_API_KEY, DD_APP_KEY and DD_SITE
  ddops.datadog.datadog_action_connection_info:
    integration_type: HTTP
    tags:
      - team:sre
  register: sre_http
"""

RETURN = r"""
connections:
  description: The connections found, without any secret field (the same shape as RV(ddops.datadog.datadog_action_connection#module:connection)).
  returned: always
  type: list
  elements: dict
  contains:
    # BEGIN the connection of datadog_action_connection (generated from its RETURN)
    id:
      description: The connection ID.
      type: str
      sample: 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00
    name:
      description: The connection name.
      type: str
      sample: Prod AWS
    tags:
      description: The connection's tags.
      type: list
      elements: str
      sample: ["team:sre"]
    integration:
      description:
        - The integration and its credentials in the API's shape, secret fields removed (also HTTP token values).
        - For V(AWS) it includes the C(external_id) and C(principal_id) Datadog generated.
      type: dict
      sample:
        type: AWS
        credentials:
          type: AWSAssumeRole
          account_id: "123456789012"
          role: datadog-workflows
          external_id: 33a1011635c44b38a064cf14e82e1d8f
          principal_id: "464622532012"
    external_id:
      description: V(AWS) only. The external ID to require in the IAM role's trust policy.
      type: str
      returned: for AWS connections
      sample: 33a1011635c44b38a064cf14e82e1d8f
    principal_id:
      description: V(AWS) only. The AWS account Datadog assumes the role from.
      type: str
      returned: for AWS connections
      sample: "464622532012"
    # END the connection of datadog_action_connection
    definition:
      description:
        - The connection as code, the exact input of M(ddops.datadog.datadog_action_connection), of an item of
          O(ddops.datadog.datadog_action_connection_set#module:connections) and of an item of the
          P(ddops.datadog.action_connections#role) role's C(action_connections_list) - C(name), C(integration) (its
          type, the non-secret fields, C(credentials) with its type, its non-secret fields and the HTTP entries by
          name, token values left out) and C(tags), sorted.
        - It holds no secret value and no field Datadog sets itself (C(id), the AWS C(external_id) and
          C(principal_id)); the fields come from the collection's catalogue of the 24 integration types. Converged
          against the connection it was read from, it changes nothing; to create the connection elsewhere, add the
          secret values.
        - V(null) for a connection whose integration or credential type is newer than this collection.
      type: dict
      returned: always
      sample:
        name: Prod Okta
        integration:
          type: Okta
          credentials:
            type: OktaAPIToken
            domain: example.okta.com
        tags: ["team:sre"]
total:
  description: How many connections were returned.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.ddops.datadog.plugins.module_utils._connection_definition import connection_definition
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import PAGE_SIZE, connection_view, list_connections
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    INTEGRATION_TYPES,
    validate_connection_id,
    validate_tags,
)
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.module_utils._validation import validate_number


def describe(item):
    """A connection as returned, with its definition: the input that recreates it (no secret, no read-only field)."""
    view = connection_view(item)
    view["definition"] = connection_definition(item)
    return view


def run(module):
    params = module.params
    connection_id = None if params["connection_id"] is None else validate_connection_id(params["connection_id"])
    tags = None if params["tags"] is None else validate_tags(params["tags"])
    page_size = validate_number("page_size", params["page_size"], integer=True, minimum=1, maximum=PAGE_SIZE,
                                allowed="between 1 and %d" % PAGE_SIZE)
    module.connection_options()
    connections = list_connections(module.client, connection_id=connection_id, name=params["name"],
                                   integration_type=params["integration_type"], tags=tags, page_size=page_size,
                                   describe=describe)
    return dict(changed=False, connections=connections, total=len(connections))


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_action_connection_info",
    argument_spec=dict(
        connection_id=dict(type="str"),
        name=dict(type="str"),
        integration_type=dict(type="str", choices=list(INTEGRATION_TYPES)),
        tags=dict(type="list", elements="str"),
        page_size=dict(type="int", default=PAGE_SIZE),
    ),
    run=run,
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
