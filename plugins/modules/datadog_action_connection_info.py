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
    server-side filters (O(integration_type), O(tags)); O(name) is matched exactly after reading; with
    O(include_access), 1 GET of the restriction policy per connection returned, 8 at a time."
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
  include_access:
    description:
      - Also read each connection's restriction policy (1 GET per connection returned, 8 at a time over one pool of
        HTTP connections) and return it as RV(connections[].access); the RV(connections[].definition) then carries
        it as C(access), so that converging the definition also keeps the access as it is.
    type: bool
    default: false
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

- name: The connections of the SRE team with who may use them, as code
  ddops.datadog.datadog_action_connection_info:
    tags:
      - team:sre
    include_access: true
  register: found_with_access

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
        - With O(include_access), it has C(access) too (principals as IDs).
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
    access:
      description:
        - The connection's restriction policy, principals as IDs (C(role:<UUID>), C(org:<UUID>), ...), relations in
          the order viewer, resolver, editor and principals sorted; an empty list when it has none (Datadog's
          default access).
      type: list
      elements: dict
      returned: with O(include_access)
      sample: [{"relation": "resolver", "principals": ["team:8f0e1f6b-2a3c-4d5e-9f60-7a8b9c0d1e2f"]}]
total:
  description: How many connections were returned.
  returned: always
  type: int
  sample: 1
# BEGIN api (generated by tests/utils/generate_docs.py)
api:
  description:
    - What the task did against the Datadog API, as data; the task's warnings only summarise it.
    - Also in the result of a failed task (zeros when it failed before any request).
  returned: always
  type: dict
  contains:
    requests:
      description: Requests sent, V(total) and by HTTP method. Every attempt is one, retries and outcome polls included.
      type: dict
      sample: {"total": 3, "GET": 2, "POST": 1}
    retries:
      description:
        - Attempts sent again, V(total) and by cause (V(HTTP 429), V(HTTP 500), V(HTTP 502), V(HTTP 503), V(HTTP 504),
          V(timeout), V(connection error)).
      type: dict
      sample: {"total": 1, "HTTP 429": 1}
    waited:
      description:
        - Seconds spent waiting, in total, rounded to milliseconds - before retries, while a rate limit another parallel
          worker hit was held, and between outcome polls.
      type: float
      sample: 1.0
    outcome_polls:
      description: Reads made to learn whether a write whose answer was lost or unusable had been applied.
      type: int
      sample: 0
    reconciliations:
      description:
        - One record per write whose outcome had to be worked out after a lost, failed or unusable answer, in the order
          they happened. The task's warnings say the same in words.
        - C(operation) is V(create), V(update) or V(delete); C(name) names the connection and C(id) when it is known;
          C(cause) is what the write got (V(no answer), V(HTTP 503), V(unusable answer), ...; never a secret).
        - "C(outcome), for a create: V(adopted) (found by name after all), V(not applied, sent again), V(not applied) (no
          retry left), V(not found) (answered 2xx without a usable body and not found by name), V(unknown) (not shown
          within the wait: Datadog may still apply it); for an update: V(applied) or V(not shown); for a delete: V(gone)
          or V(still there)."
      type: list
      elements: dict
      sample: [{"operation": create, "name": Prod AWS, "id": 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00, "cause": HTTP 503,
                "outcome": adopted}]
# END api
"""

from ansible_collections.ddops.datadog.plugins.module_utils._connection_definition import connection_definition
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import (
    PAGE_SIZE,
    connection_view,
    list_connections,
    read_accesses,
)
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
    if params["include_access"]:
        read_accesses(module.client, connections)
    return dict(changed=False, connections=connections, total=len(connections))


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_action_connection_info",
    argument_spec=dict(
        connection_id=dict(type="str"),
        name=dict(type="str"),
        integration_type=dict(type="str", choices=list(INTEGRATION_TYPES)),
        tags=dict(type="list", elements="str"),
        page_size=dict(type="int", default=PAGE_SIZE),
        include_access=dict(type="bool", default=False),
    ),
    run=run,
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
