#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_restriction_policy
short_description: Set who may view, use, run and edit a Datadog resource (its restriction policy)
version_added: 0.1.0
description:
  - Manages the restriction policy of one Datadog resource, such as an action connection, a workflow or an App
    Builder app. A policy binds principals (the organization, roles, teams, users and service accounts) to the
    resource type's relations; for example C(resolver) on a connection lets the workflows and apps that run as those
    principals use the connection.
  - Without a policy Datadog applies its default access, in Workflow Automation the author as editor and the rest of
    the organization as viewer. O(state=absent) deletes the policy and so restores that default access.
  - "Principals are written by name: V(org) (the organization of the calling key), C(role:<role name>),
    C(team:<team handle>), C(user:<email>) (also service accounts), or C(<org|role|team|user>:<UUID>), used as it is.
    Names are looked up before any write, exactly (Datadog's look-ups are substring searches; this module picks the
    exact match itself, across every page), each distinct name once per task; a name that matches no principal or
    several fails the task before any write, naming the principal."
  - The policy is compared as a set of (relation, principal) pairs. The order of O(bindings) and of their
    principals does not matter, repeated principals and bindings of the same relation merge, and a binding
    without principals grants nothing. A policy that already grants exactly that is left alone.
  - "Requests made: the principal look-ups (1 GET of the current user for V(org), 1 GET per 100 roles, teams or users
    the filter finds for each distinct name; none for IDs), 1 GET of the policy, then 1 POST to replace it or
    1 DELETE to delete it when it differs. Check mode makes the look-ups and the GET only."
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.controller
attributes:
  check_mode:
    support: full
    description: Makes the look-ups and reads the policy only; reports the change it would make.
  diff_mode:
    support: full
    description: >-
      Shows the bindings before and after, each relation once in the type's order, principals sorted and shown as
      written in the task where it named them (C(role:Datadog Admin Role)), as IDs elsewhere.
  action_group:
    support: full
    description: Use C(group/ddops.datadog.datadog) in C(module_defaults) to set the connection options once.
    membership:
      - ddops.datadog.datadog
options:
  resource_id:
    description:
      - The resource, C(<type>:<id>), for example C(connection:<UUID>) (an action connection), C(workflow:<UUID>),
        C(app-builder-app:<UUID>), C(connection-group:<ID>), C(dashboard:<ID>) or C(notebook:<ID>).
      - The IDs of connections, workflows and apps must be UUIDs. The format is checked before any request; whether
        Datadog supports restriction policies on the type is Datadog's to say.
    type: str
    required: true
  bindings:
    description:
      - The policy, as a list of relations and the principals that hold each. Required with O(state=present),
        ignored with O(state=absent).
      - An empty list (or bindings without principals) means no policy, the default access, like O(state=absent).
    type: list
    elements: dict
    suboptions:
      relation:
        description:
          - "The relation. Checked before any request for the Workflow Automation types: C(connection) viewer,
            resolver (may use the connection, and the secret it holds, in a workflow or app run) or editor;
            C(connection-group) viewer or editor; C(workflow) viewer, runner (may run it) or editor; C(app-builder-app)
            viewer or editor; C(cross-org-connection) viewer or editor."
          - Other types have relations of their own (viewer and editor on most; manager, contributor, responder,
            overrider on some), which this module passes to Datadog as written; Datadog refuses an unknown one with
            HTTP 400, which fails the task with Datadog's message.
        type: str
        required: true
      principals:
        description:
          - "Who holds the relation: V(org), C(role:<exact role name>), C(team:<exact team handle>),
            C(user:<exact email>) (also service accounts; compared without regard to case), or
            C(<org|role|team|user>:<UUID>)."
          - Names are case-sensitive except emails. Spaces around the type and the name are ignored.
        type: list
        elements: str
        required: true
  state:
    description:
      - V(present) sets the policy to O(bindings) (replacing the whole policy, as Datadog does), V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  allow_self_lockout:
    description:
      - Datadog refuses a policy that would take away the calling key's own access to the resource (its user, roles,
        teams and organization) unless this is true. Set it only when the automation should lose that access.
      - Neither this module nor check mode can tell beforehand whether a policy would do that; Datadog refuses it at
        the write, and the task fails saying so.
    type: bool
    default: false
notes:
  - Datadog answers a resource without a policy with an empty policy, never HTTP 404, so O(state=absent) on such a
    resource reads it and writes nothing. An HTTP 404 is read as "no policy" all the same.
seealso:
  - module: ddops.datadog.datadog_restriction_policy_info
  - name: Access to connections, workflows and apps
    description: The collection's guide to access, docs/access.md.
    link: https://github.com/ddops/ansible-collection-datadog/blob/main/docs/access.md
  - name: Datadog API reference for restriction policies
    description: The endpoints this module uses.
    link: https://docs.datadoghq.com/api/latest/restriction-policies/
"""

EXAMPLES = r"""
- name: Let the SRE team's workflows use the Prod AWS connection; keep platform as editor
  ddops.datadog.datadog_restriction_policy:
    resource_id: "connection:{{ prod_aws.connection.id }}"
    bindings:
      - relation: resolver
        principals: ["team:sre", "user:workflow-runner@example.com"]
      - relation: editor
        principals: ["team:platform", "role:Datadog Admin Role"]
      - relation: viewer
        principals: [org]

- name: Only the on-call team may run the restart workflow
  ddops.datadog.datadog_restriction_policy:
    resource_id: workflow:5f0c1ad8-7b25-4c3e-9d7a-2b6c8e4f1a90
    bindings:
      - {relation: runner, principals: ["team:sre-oncall"]}
      - {relation: editor, principals: ["team:platform"]}

- name: Back to Datadog's default access (author edits, everyone views)
  ddops.datadog.datadog_restriction_policy:
    resource_id: app-builder-app:8c9d2e41-0f6b-4a7c-b3d5-1e2f3a4b5c6d
    state: absent

- name: A dashboard's editors (dashboard relations are checked by Datadog)
  ddops.datadog.datadog_restriction_policy:
    resource_id: dashboard:abc-def-ghi
    bindings:
      - {relation: editor, principals: ["role:Datadog Admin Role"]}
      - {relation: viewer, principals: [org]}
"""

RETURN = r"""
policy:
  description:
    - The policy after the task (in check mode, as it would be), principals as IDs.
    - No bindings means no policy, Datadog's default access.
  returned: success
  type: dict
  contains:
    resource_id:
      description: The resource, C(<type>:<id>) (UUIDs in lower case).
      type: str
      sample: connection:0b7e7b5e-3f4d-4c1a-9e2b-6a8d5f1c2e34
    bindings:
      description: The relations and who holds them.
      type: list
      elements: dict
      contains:
        relation:
          description: The relation.
          type: str
          sample: resolver
        principals:
          description: The principals, C(<org|role|team|user>:<UUID>).
          type: list
          elements: str
          sample: [team:4dee724d-00cc-11ea-a77b-570c9d03c6c5]
principals:
  description: Each principal the task wrote by name, mapped to the ID it was resolved to.
  returned: success
  type: dict
  sample:
    org: org:1042ec35-4c5c-5945-ad0c-422f313bbc0e
    role:Datadog Admin Role: role:2bc7d5a4-0d24-5ec0-aa35-5d4a0f1c9b3e
    team:sre: team:8f1e2a3b-4c5d-5e6f-8a7b-9c0d1e2f3a4b
principal:
  description: The principal, as written, that matched no principal or several.
  returned: when a principal matched none or several
  type: str
  sample: team:sre
principal_ids:
  description: The IDs of the principals a name matched, when it matched several.
  returned: when a principal matched several
  type: list
  elements: str
  sample: [role:2bc7d5a4-0d24-5ec0-aa35-5d4a0f1c9b3e, role:9a4d6f1e-2c3b-4d5e-8f7a-6b5c4d3e2f1a]
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

from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalResolver
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import (
    ensure_policy,
    parse_bindings,
    parse_resource_id,
)

STATES = ("present", "absent")


def run(module):
    params = module.params
    options = module.connection_options()  # first: its keys are then masked in every message, a pasted one too
    resource = parse_resource_id(params["resource_id"])
    bindings = parse_bindings(params["bindings"], resource.type) if params["state"] == "present" else None
    # The loop items of one task share the principal look-ups (action plugin; a module process makes its own).
    resolver = module.shared(("principals", options.base_url, options.fingerprint()), PrincipalResolver)
    return ensure_policy(module.client, resolver, resource, bindings, allow_self_lockout=params["allow_self_lockout"],
                         check_mode=module.check_mode)


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_restriction_policy",
    argument_spec=dict(
        resource_id=dict(type="str", required=True),
        bindings=dict(type="list", elements="dict", options=dict(
            relation=dict(type="str", required=True),
            principals=dict(type="list", elements="str", required=True),
        )),
        state=dict(type="str", choices=list(STATES), default="present"),
        allow_self_lockout=dict(type="bool", default=False),
    ),
    run=run,
    required_if=[("state", "present", ("bindings",))],
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
