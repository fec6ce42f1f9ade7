#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_action_connection_set
short_description: Converge a whole set of Datadog action connections in one task, with a plan and an optional purge
version_added: 0.1.0
description:
  - Owns a set of action connections the way a Terraform configuration owns its resources. It reads the
    organization's connection list once, plans every declared connection with the logic of
    M(ddops.datadog.datadog_action_connection) (create, update, delete or unchanged), adds the undeclared connections
    of the purge scope to delete, refuses the whole set before any write when the plan breaks a rule, then makes the
    changes.
  - "Refused before any write, with every problem listed: a create without its secret values, a change of
    integration or credential type without the complete integration, a name that several connections share, a name
    or ID declared twice, a purge that would delete more than O(purge_max) connections. A purge without a scope
    (no O(purge_tags) and no O(purge_all)) and any invalid option are refused before any request."
  - "Requests made: one read of the connection list (1 GET per 100 connections, also for the connections given by
    O(connections[].connection_id)) plus the writes: 1 POST per create, 1 PATCH per update, 1 DELETE per deletion.
    Check mode makes the read only and returns the same plan."
  - "Access: an item with O(connections[].access) also has its restriction policy managed. The plan looks up the
    principals named (each distinct name once for the whole set) and reads the policy of each existing connection
    that declares access (1 GET each, O(parallel) at a time); an unknown or ambiguous principal refuses the set
    before any write, naming the item and the principal. The apply writes each policy that differs (1 POST, or 1
    DELETE for V([])) right after the connection's own write; a created connection gets its access with its new
    ID."
  - "Decide, then act: every connection is decided from the one read before any write, and exactly those actions
    are made, O(parallel) at a time, then the purge. If a change fails, the other changes are still made, nothing is
    purged, and the task fails listing what failed; the result reports every connection, in the declared order,
    whatever the order the writes ended in."
  - "A plan can be shown, approved, then applied as shown: run the module in check mode, show its RV(plan) (or
    RV(summary)), and pass its RV(saved_plan) as O(apply_plan) to the run that writes. That run reads the list again
    and writes only when it decides exactly the approved plan; if a connection or the declared list changed in
    between, it fails before any write and says what differs."
  - "Secrets: the same rules as M(ddops.datadog.datadog_action_connection). Secret values are needed only where they
    are sent (a create, O(connections[].update_secrets=always), a type change), so the C(definition) of
    M(ddops.datadog.datadog_action_connection_info) converges an existing connection unchanged. O(secrets) supplies
    them from a separate mapping, typically from Ansible Vault, without editing the definitions."
  - The P(ddops.datadog.action_connections#role) role runs this module; use the role unless you need the module's result
    in your own tasks.
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.controller
attributes:
  check_mode:
    support: full
    description: Reads the list only and returns the plan, the summary and what would change.
  diff_mode:
    support: full
    description: One diff per changed connection (also for each purged one), secrets shown as a fixed mask.
  action_group:
    support: full
    description: Use C(group/ddops.datadog.datadog) in C(module_defaults) to set the connection options once.
    membership:
      - ddops.datadog.datadog
options:
  connections:
    description:
      - The declared connections, each with the options of M(ddops.datadog.datadog_action_connection).
      - A name (or connection ID) may be declared once. The C(definition) of each connection returned by
        M(ddops.datadog.datadog_action_connection_info) is a valid item, so C(found.connections |
        map(attribute='definition')) declares an organization's connections as they are.
    type: list
    elements: dict
    default: []
    suboptions:
      # BEGIN the options of datadog_action_connection (generated from its documentation)
      name:
        description:
          - Name of the connection. Required unless O(connections[].connection_id) is given.
          - Without O(connections[].connection_id), the connection is identified by this exact name (case-sensitive).
          - With O(connections[].connection_id), the connection is renamed to it when the names differ.
        type: str
      connection_id:
        description:
          - ID (a UUID) of an existing connection to manage. It must exist when O(connections[].state=present); the module never
            creates a connection with a chosen ID.
          - With it, O(connections[].integration) may be partial, for example only the fields to change.
        type: str
      integration:
        description:
          - The integration and its credentials, in the API's own shape and names (see the examples).
          - Required when O(connections[].state=present) and O(connections[].connection_id) is not given; it must then have every required field of
            the credential type, except the secret values, which are needed only where they are sent. Creating the
            connection needs them (the task fails before any write, naming the missing ones), and so does
            O(connections[].update_secrets=always); an existing connection is managed without them.
          - With O(connections[].connection_id) only what is given is managed; a change of integration or credential type needs the
            complete integration, secrets included.
          - Ignored when O(connections[].state=absent).
          - See the variant table in C(docs/action-connections.md) of the collection for every type and its fields.
        type: dict
        suboptions:
          type:
            description:
              - The integration type.
            type: str
            required: true
            choices: [AWS, Anthropic, Asana, Azure, CircleCI, Clickup, Cloudflare, ConfigCat, Datadog, Fastly, Freshservice,
                      GCP, Gemini, Gitlab, GreyNoise, HTTP, LaunchDarkly, Notion, Okta, OpenAI, ServiceNow, Split, Statsig,
                      VirusTotal]
          base_url:
            description:
              - Base URL of the API an V(HTTP) connection calls, an C(https://) URL. Required for V(HTTP), refused for the
                other types.
            type: str
          credentials:
            description:
              - The credentials. O(connections[].integration.credentials.type) names the credential type and decides which of the
                other suboptions apply; giving a field of another credential type fails before any request.
              - Every integration type has one credential type except V(Cloudflare) (V(CloudflareAPIToken) or
                V(CloudflareGlobalAPIToken)); when there is only one, O(connections[].integration.credentials.type) may be left out.
              - Fields Datadog sets itself (the AWS C(external_id) and C(principal_id)) cannot be given; they are returned.
            type: dict
            suboptions:
              type:
                description:
                  - The credential type. V(AWSAssumeRole) for V(AWS), V(AnthropicAPIKey) for V(Anthropic),
                    V(AsanaAccessToken) for V(Asana), V(AzureTenant) for V(Azure), V(CircleCIAPIKey) for V(CircleCI),
                    V(ClickupAPIKey) for V(Clickup), V(CloudflareAPIToken) or V(CloudflareGlobalAPIToken) for
                    V(Cloudflare), V(ConfigCatSDKKey) for V(ConfigCat), V(DatadogAPIKey) for V(Datadog), V(FastlyAPIKey)
                    for V(Fastly), V(FreshserviceAPIKey) for V(Freshservice), V(GCPServiceAccount) for V(GCP),
                    V(GeminiAPIKey) for V(Gemini), V(GitlabAPIKey) for V(Gitlab), V(GreyNoiseAPIKey) for V(GreyNoise),
                    V(HTTPTokenAuth) for V(HTTP), V(LaunchDarklyAPIKey) for V(LaunchDarkly), V(NotionAPIKey) for
                    V(Notion), V(OktaAPIToken) for V(Okta), V(OpenAIAPIKey) for V(OpenAI), V(ServiceNowBasicAuth) for
                    V(ServiceNow), V(SplitAPIKey) for V(Split), V(StatsigAPIKey) for V(Statsig), V(VirusTotalAPIKey) for
                    V(VirusTotal).
                type: str
                choices: [AWSAssumeRole, AnthropicAPIKey, AsanaAccessToken, AzureTenant, CircleCIAPIKey, ClickupAPIKey,
                          CloudflareAPIToken, CloudflareGlobalAPIToken, ConfigCatSDKKey, DatadogAPIKey, FastlyAPIKey,
                          FreshserviceAPIKey, GCPServiceAccount, GeminiAPIKey, GitlabAPIKey, GreyNoiseAPIKey, HTTPTokenAuth,
                          LaunchDarklyAPIKey, NotionAPIKey, OktaAPIToken, OpenAIAPIKey, ServiceNowBasicAuth, SplitAPIKey,
                          StatsigAPIKey, VirusTotalAPIKey]
              # BEGIN credential fields (generated from the catalogue in module_utils/_connections.py)
              access_token:
                description:
                  - Personal access token.
                  - Required for V(AsanaAccessToken).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              account_id:
                description:
                  - The AWS account ID the connection acts in, exactly 12 digits (quote it in YAML).
                  - Required for V(AWSAssumeRole).
                type: str
              api_key:
                description:
                  - API key of the service. For V(DatadogAPIKey), a Datadog API key of the organization the connection acts
                    on.
                  - Required for V(DatadogAPIKey), V(FastlyAPIKey), V(FreshserviceAPIKey), V(GeminiAPIKey),
                    V(GreyNoiseAPIKey), V(SplitAPIKey), V(StatsigAPIKey), V(VirusTotalAPIKey).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              api_password:
                description:
                  - Password of the ConfigCat Public Management API credentials.
                  - Required for V(ConfigCatSDKKey).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              api_token:
                description:
                  - API token of the service.
                  - Required for V(AnthropicAPIKey), V(CircleCIAPIKey), V(ClickupAPIKey), V(CloudflareAPIToken),
                    V(GitlabAPIKey), V(LaunchDarklyAPIKey), V(NotionAPIKey), V(OktaAPIToken), V(OpenAIAPIKey).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              api_username:
                description:
                  - User name of the ConfigCat Public Management API credentials.
                  - Required for V(ConfigCatSDKKey).
                type: str
              app_client_id:
                description:
                  - Client ID (application ID) of the Azure app registration.
                  - Required for V(AzureTenant).
                type: str
              app_key:
                description:
                  - Datadog application key of the organization the connection acts on.
                  - Required for V(DatadogAPIKey).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              auth_email:
                description:
                  - E-mail address of the Cloudflare account that owns the global API key.
                  - Required for V(CloudflareGlobalAPIToken).
                type: str
              body:
                description:
                  - Request body sent with every request of the HTTP connection.
                  - Optional for V(HTTPTokenAuth).
                  - Only the keys given are compared.
                type: dict
                suboptions:
                  content:
                    description:
                      - The serialized body, for example a JSON document as a string.
                    type: str
                  content_type:
                    description:
                      - The content type of the body, for example V(application/json).
                    type: str
              client_secret:
                description:
                  - Client secret of the Azure app registration.
                  - Required for V(AzureTenant).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              custom_scopes:
                description:
                  - Custom OAuth 2 scope requested from Microsoft, C({identifierURI}/.default); used only by the HTTP action.
                  - Optional for V(AzureTenant).
                type: str
              datacenter:
                description:
                  - Datadog site (datacenter) of the organization the connection acts on, by its name (V(us1), V(eu1), ...)
                    or its site parameter (V(datadoghq.com), V(datadoghq.eu), ...).
                  - Required for V(DatadogAPIKey).
                  - One of V(us1), V(us3), V(us5), V(ap1), V(ap2), V(uk1), V(eu1), V(us1-fed), V(us2-fed), V(datadoghq.com),
                    V(us3.datadoghq.com), V(us5.datadoghq.com), V(ap1.datadoghq.com), V(ap2.datadoghq.com),
                    V(uk1.datadoghq.com), V(datadoghq.eu), V(ddog-gov.com), V(us2.ddog-gov.com); anything else is refused
                    before any request.
                type: str
              domain:
                description:
                  - Domain of the Freshservice or Okta account.
                  - Required for V(FreshserviceAPIKey), V(OktaAPIToken).
                type: str
              global_api_key:
                description:
                  - Cloudflare global API key.
                  - Required for V(CloudflareGlobalAPIToken).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              headers:
                description:
                  - HTTP headers sent with every request, matched by name.
                  - Optional for V(HTTPTokenAuth).
                  - Matched by name. A header Datadog has that is not in the list is removed; omit the option to leave the
                    headers alone.
                type: list
                elements: dict
                suboptions:
                  name:
                    description:
                      - Header name, unique in the list.
                    type: str
                    required: true
                  value:
                    description:
                      - Header value. Datadog stores and returns it in clear, so it is compared. Do not put secrets here; use
                        O(connections[].integration.credentials.tokens) for them.
                    type: str
                    required: true
              instance:
                description:
                  - ServiceNow instance name.
                  - Required for V(ServiceNowBasicAuth).
                type: str
              password:
                description:
                  - ServiceNow password.
                  - Required for V(ServiceNowBasicAuth).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              private_key:
                description:
                  - Private key of the GCP service account (from its JSON key file).
                  - Required for V(GCPServiceAccount).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              role:
                description:
                  - Name of the IAM role Datadog assumes in that account.
                  - Required for V(AWSAssumeRole).
                type: str
              sdk_key:
                description:
                  - ConfigCat SDK key.
                  - Required for V(ConfigCatSDKKey).
                  - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                    integration or credential type changes, and on every run with O(connections[].update_secrets=always).
                type: str
              service_account_email:
                description:
                  - E-mail address of the GCP service account.
                  - Required for V(GCPServiceAccount).
                type: str
              subdomain:
                description:
                  - Custom subdomain used in Datadog URLs the connection generates, for example V(acme) for
                    C(https://acme.datadoghq.com).
                  - Optional for V(DatadogAPIKey).
                type: str
              tenant_id:
                description:
                  - Azure tenant ID (directory ID).
                  - Required for V(AzureTenant).
                type: str
              tokens:
                description:
                  - Secret tokens, matched by name, that requests of the HTTP connection can reference.
                  - Optional for V(HTTPTokenAuth).
                  - Matched by name. A token Datadog has that is not in the list is removed; omit the option to leave the
                    tokens alone. Token values are secret; a new token is sent with its value, existing ones only with
                    O(connections[].update_secrets=always). When Datadog leaves tokens out of its answers, only O(connections[].update_secrets=always)
                    sends them.
                type: list
                elements: dict
                suboptions:
                  name:
                    description:
                      - Token name, unique in the list. Datadog expects a letter followed by letters and digits.
                    type: str
                    required: true
                  type:
                    description:
                      - Token type; Datadog knows only V(SECRET).
                    type: str
                    choices: [SECRET]
                    default: SECRET
                  value:
                    description:
                      - The token value. Secret (write-only), see O(connections[].update_secrets).
                      - Needed to create the connection, to add a token it does not have yet, and with
                        O(connections[].update_secrets=always); otherwise it may be left out, as in a definition read back from Datadog
                        (RV(ddops.datadog.datadog_action_connection_info#module:connections[].definition)).
                    type: str
              url_parameters:
                description:
                  - URL query parameters sent with every request, matched by name.
                  - Optional for V(HTTPTokenAuth).
                  - Matched by name. A parameter Datadog has that is not in the list is removed; omit the option to leave the
                    parameters alone.
                type: list
                elements: dict
                suboptions:
                  name:
                    description:
                      - Parameter name, unique in the list.
                    type: str
                    required: true
                  value:
                    description:
                      - Parameter value. Datadog stores and returns it in clear, so it is compared.
                    type: str
                    required: true
              username:
                description:
                  - ServiceNow user name.
                  - Required for V(ServiceNowBasicAuth).
                type: str
              # END credential fields
      tags:
        description:
          - Tags of the connection, each C(key:value); the key V(default) is reserved by Datadog.
          - Compared as a set (order and duplicates do not matter). V([]) removes every tag; leave the option out to keep
            the tags the connection has.
        type: list
        elements: str
      update_secrets:
        description:
          - When to send the secret fields of O(connections[].integration.credentials). Datadog never returns secrets, so the module
            cannot tell whether they differ.
          - V(on_create) sends them when the connection is created or its integration or credential type changes.
          - V(always) sends them on every run, which then always reports a change (for a credential type that has
            secrets). Use it to rotate a secret, then go back to V(on_create).
        type: str
        choices: [on_create, always]
        default: on_create
      generate_new_external_id:
        description:
          - V(AWS) connections only. V(true) makes Datadog generate a new external ID for the role trust policy; the task
            then always reports a change. The new value is returned in RV(connections[].connection.external_id).
        type: bool
        default: false
      state:
        description:
          - V(present) creates or updates the connection, V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
      access:
        description:
          - "Who may view, use (resolve) and edit the connection: its restriction policy, in the shape of
            O(ddops.datadog.datadog_restriction_policy#module:bindings). Left out, access is not managed and the policy is
            not read. An empty list deletes the policy (Datadog's
            default access: the author edits, the organization views)."
          - "Bindings compare as sets (the order of bindings and principals does not matter, duplicates collapse): the
            same access costs 1 GET of the policy and no write; a difference is 1 POST (the whole policy), V([]) where there
            is a policy 1 DELETE."
          - A connection created by the task gets its access in the same task (the POST of the policy after the create,
            with the new ID). Relations and the principals' forms are checked before any request; names are looked up
            once per distinct name per task, before any write, and a name matching no principal or several fails the task
            with no write, naming the principal.
          - Ignored when O(connections[].state=absent) (the policy goes with the connection).
        type: list
        elements: dict
        suboptions:
          relation:
            description:
              - V(viewer) (sees the connection), V(resolver) (may use it, and the secret it holds, in a workflow or app
                run) or V(editor). Checked before any request.
            type: str
            required: true
          principals:
            description:
              - "Who holds the relation: V(org) (the organization of the calling key), C(role:<exact role name>),
                C(team:<exact team handle>), C(user:<exact email>) (also service accounts), or C(<org|role|team|user>:<UUID>),
                used as it is."
            type: list
            elements: str
            required: true
      # END the options of datadog_action_connection
  secrets:
    description:
      - Secret values to fill in, by connection name, for definitions that have none (an exported set created in
        another organization). Each value maps the secret credential fields of that connection to their values, and
        V(tokens) maps HTTP token names to their values (see the examples).
      - A value fills a field the connection's definition leaves out; a value given in the definition wins. Names
        that are not declared are ignored, so one mapping can serve several sets. A key that is not a secret field
        of the connection's credential type is refused, naming it.
      - Every value is C(no_log).
    type: dict
    default: {}
  purge:
    description:
      - Delete the connections in the purge scope that O(connections) does not declare (by name or by ID).
      - The scope is O(purge_tags); with no O(purge_tags), O(purge_all=true) is required and makes every connection
        of the organization subject to the purge. Connections out of the scope are never touched.
    type: bool
    default: false
  purge_tags:
    description:
      - The purge scope. A connection is in scope when it has every one of these tags (C(key:value)).
    type: list
    elements: str
    default: []
  purge_all:
    description:
      - Allow O(purge) with no O(purge_tags), which puts every connection of the organization in scope. Without it, such
        a purge is refused before any request.
    type: bool
    default: false
  purge_max:
    description:
      - The most connections one run may purge. A purge that would delete more fails before any write and lists the
        connections it would delete.
      - Deletions declared with O(connections[].state=absent) do not count.
    type: int
    default: 10
  purge_empty:
    description:
      - Allow O(purge) with an empty O(connections), which deletes every connection of the purge scope (within
        O(purge_max)).
      - Without it such a purge is refused before any request. An empty list is also what a misspelt or undefined
        variable gives; a typo must never empty a scope.
    type: bool
    default: false
  parallel:
    description:
      - How many writes are made at once, from 1 to 32. Each write is independent (one connection each); the results,
        the plan and the requests are the same as with V(1), whatever the order the writes end in.
      - "The writes share one pool of HTTP connections and one rate limit: a 429 answer with C(X-RateLimit-Reset)
        pauses every worker until the reset."
      - "The default, V(8), is measured: with the role at 150 ms per answer (a real round trip to Datadog), 200
        creates take about a fifth of the wall time of V(1), and V(16) gains little more while doubling the burst
        a rate limit sees (see C(docs/performance.md) of the collection)."
      - Creates of one name are still serialised across tasks and hosts of the machine by the name locks.
      - The reads of the access policies (one per item that declares C(access)) and their writes run as many at once.
    type: int
    default: 8
  apply_plan:
    description:
      - The RV(saved_plan) of an earlier run of this module in check mode. The module then writes only while the
        plan it decides is exactly that one; when a planned connection changed, appeared or disappeared, or the
        declared connections differ, it fails before any write, listing the differences (in RV(difference)).
      - Without it, the module writes what it decides.
    type: dict
notes:
  - The module needs the connection list endpoint, a preview endpoint of the Datadog API.
  - "Datadog HTTP connections refer to their tokens as C({{ tokenName }}) in header, URL parameter and body values.
    Ansible would take that for a template; write such values with the C(!unsafe) YAML tag, for example
    C(value: !unsafe 'Bearer {{ apiToken }}'). The export of the P(ddops.datadog.action_connections#role) role writes them
    so."
  - Secret values never appear in the result, the diff, warnings or errors, also not with C(-vvvv); keep them in
    Ansible Vault or an AWX credential.
seealso:
  - module: ddops.datadog.datadog_action_connection
  - module: ddops.datadog.datadog_action_connection_info
  - name: The action_connections role
    description: Converges, purges and exports a set of connections with this module.
    link: https://github.com/ddops/datadog/blob/main/roles/action_connections/README.md
"""

EXAMPLES = r"""
- name: Converge the SRE team's connections and delete the team's connections that are no longer declared
  ddops.datadog.datadog_action_connection_set:
    connections:
      - name: Prod AWS
        integration:
          type: AWS
          credentials:
            account_id: "123456789012"
            role: datadog-workflows
        tags: ["team:sre"]
      - name: Status page
        integration:
          type: HTTP
          base_url: https://status.example.com/api
          credentials:
            tokens:
              - name: apiToken
            headers:
              - name: Authorization
                value: !unsafe "Bearer {{ apiToken }}"
        tags: ["team:sre"]
    secrets:
      Status page:
        tokens:
          apiToken: "{{ vault_status_page_token }}"
    purge: true
    purge_tags: ["team:sre"]
  register: sre_connections

- name: Show the plan
  ansible.builtin.debug:
    msg: "{{ sre_connections.summary }}"

- name: Plan, approve, then apply exactly the approved plan
  block:
    - name: Plan (no write)
      ddops.datadog.datadog_action_connection_set:
        connections: "{{ sre_connection_list }}"
        parallel: 8
      check_mode: true
      register: planned

    - name: Ask for approval
      ansible.builtin.pause:
        prompt: "{{ planned.plan | to_nice_yaml }}Apply this plan? Enter to go on, Ctrl-C then A to abort"
      when: planned.plan.create or planned.plan['update'] or planned.plan.delete

    - name: Apply the approved plan, or nothing if the organization changed meanwhile
      ddops.datadog.datadog_action_connection_set:
        connections: "{{ sre_connection_list }}"
        apply_plan: "{{ planned.saved_plan }}"
        parallel: 8

- name: Copy one organization's connections into another one (secrets from Ansible Vault)
  block:
    - name: Read the connections of the source organization
      ddops.datadog.datadog_action_connection_info:
        api_key: "{{ vault_source_api_key }}"
        app_key: "{{ vault_source_app_key }}"
      register: source

    - name: Converge them into the target organization
      ddops.datadog.datadog_action_connection_set:
        api_key: "{{ vault_target_api_key }}"
        app_key: "{{ vault_target_app_key }}"
        site: datadoghq.eu
        connections: "{{ source.connections | map(attribute='definition') | list }}"
        secrets: "{{ vault_connection_secrets }}"
"""

RETURN = r"""
plan:
  description:
    - The plan, known before any write (also in check mode, and in the result of a refused set).
    - C(create), C(update) and C(delete) are the names of the connections to create, to update and to delete
      (declared with V(state=absent), or purged); C(unchanged) is how many declared connections need no change.
    - Read C(update) as C(plan['update']); C(plan.update) is the method of the same name of a dict in Jinja.
    - When an item declares C(access), C(access) lists the connections whose access policy is written (a
      connection may be in it and in C(create), C(update) or C(unchanged)).
  returned: always
  type: dict
  sample: {"create": ["Prod AWS"], "update": [], "delete": ["Old webhook"], "unchanged": 44}
summary:
  description: The plan in one line.
  returned: success
  type: str
  sample: 1 to create, 0 to update, 1 to delete, 44 unchanged
ids:
  description:
    - The ID of every declared connection in V(present) state, by name.
    - In check mode, a connection that would be created has no ID yet; its value is V(null).
  returned: success
  type: dict
  sample: {"Prod AWS": 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00, "Status page": 5f7c0f4e-3d9b-4a43-9e0f-2b1d8c6a7e11}
done:
  description:
    - What was done, in the shape of RV(plan), plus C(failed), the names of the connections whose change failed.
    - It differs from RV(plan) when another writer got there first (a planned create found the connection created
      meanwhile, by another task or host, and updated it or left it alone; a delete found it gone).
    - In check mode, what would be done (the plan). C(access) (when an item declares C(access)) lists the
      connections whose access policy was written.
  returned: success, and when a change failed
  type: dict
  sample: {"create": ["Prod AWS"], "update": [], "delete": ["Old webhook"], "unchanged": 44, "failed": []}
connections:
  description: One entry per declared connection, in the declared order (whatever the order the writes ended in).
  returned: success, and when a change failed
  type: list
  elements: dict
  contains:
    name:
      description: The connection name.
      type: str
      sample: Prod AWS
    id:
      description: The connection ID (V(null) for a create in check mode, or when nothing has the name).
      type: str
      sample: 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00
    action:
      description:
        - What was done with it (in check mode, what would be done). It says V(create) only for a connection this
          task created.
      type: str
      choices: [create, update, delete, unchanged]
      sample: create
    planned:
      description:
        - What the plan decided. It differs from RV(connections[].action) when another writer created the name
          between the plan and the write (V(create) planned, V(update) or V(unchanged) done), or deleted a connection
          first (V(delete) planned, V(unchanged) done).
      type: str
      choices: [create, update, delete, unchanged]
      sample: create
    changed:
      description: Whether it changed (in check mode, whether it would change).
      type: bool
      sample: true
    failed:
      description: Present and V(true) when its change failed.
      type: bool
      returned: when its change failed
      sample: true
    access:
      description:
        - The connection's access policy after the task (in check mode, as it would be), principals as IDs; V(null)
          when its change failed.
      type: list
      elements: dict
      returned: when the item declares C(access)
      sample: [{"relation": "resolver", "principals": ["team:8f0e1f6b-2a3c-4d5e-9f60-7a8b9c0d1e2f"]}]
    access_planned:
      description: What the plan decided for the access policy.
      type: str
      choices: [nothing, replace, delete]
      returned: when the item declares C(access)
      sample: replace
    access_action:
      description:
        - What was done with the access policy (in check mode, what would be done). A planned create that found the
          connection created by another writer decides its access again, against that connection's policy.
      type: str
      choices: [nothing, replace, delete]
      returned: when the item declares C(access)
      sample: replace
    msg:
      description: Why its change failed.
      type: str
      returned: when its change failed
      sample: "Failed to create action connection 'Prod AWS': HTTP 400: ..."
    connection:
      description:
        - The connection as RV(ddops.datadog.datadog_action_connection#module:connection) returns it, without any
          secret field. For a deletion, the connection that was deleted; for a create in check mode, the connection
          as it would be created.
      type: dict
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
purged:
  description: The connections the purge deleted (in check mode, would delete), without any secret field.
  returned: success
  type: list
  elements: dict
  sample: [{"id": 5f7c0f4e-3d9b-4a43-9e0f-2b1d8c6a7e11, "name": Old webhook, "tags": ["team:sre"],
            "integration": {"type": HTTP, "base_url": "https://hooks.example.com", "credentials": {"type": HTTPTokenAuth}}}]
external_ids:
  description:
    - The external ID of every declared V(AWS) connection in V(present) state, by name - the value the IAM role's trust
      policy must require. V(null) for a connection created in check mode.
  returned: success
  type: dict
  sample: {"Prod AWS": 33a1011635c44b38a064cf14e82e1d8f}
saved_plan:
  description:
    - The plan in the form O(apply_plan) takes, for a later run that applies it only while it holds.
    - C(summary) is RV(summary); C(connections) has each declared connection's C(index), C(name), C(id) and C(action)
      with the C(fingerprint) of what it was decided against; C(purge) the same for each connection to purge;
      C(fingerprint) digests the whole. An item that declares C(access) also has C(access), the access policy's
      planned action, and its fingerprint covers the policy as read and as declared. A fingerprint covers the declared connection with its secret values masked,
      so the plan holds no secret and a changed secret value alone does not invalidate it.
  returned: in check mode
  type: dict
  sample: {"format": 1, "fingerprint": "9f2c...", "summary": "1 to create, 0 to update, 0 to delete, 44 unchanged",
           "connections": [{"index": 0, "name": Prod AWS, "id": null, "action": create, "fingerprint": "3b7a..."}],
           "purge": []}
missing_secrets:
  description:
    - When creates were refused for missing secret values, the entries to add to O(secrets), by connection name,
      each value shown as V(<secret>).
  returned: when a create was refused for missing secret values
  type: dict
  sample: {"Status page": {"tokens": {"apiToken": "<secret>"}}, "Okta": {"api_token": "<secret>"}}
difference:
  description: When O(apply_plan) no longer holds, what differs from the approved plan, one line each.
  returned: when O(apply_plan) was refused
  type: list
  elements: str
  sample: ["connections[0] 'Prod AWS': the approved plan says create, now it is update (...)"]
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

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import ConnectionListing, action_connection_options
from ansible_collections.ddops.datadog.plugins.module_utils._connection_set import (
    PURGE_MAX,
    SetFailed,
    SetRefused,
    apply_secrets,
    converge_set,
    desired_set,
    explain_items,
    validate_saved_plan,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import integration_secrets
from ansible_collections.ddops.datadog.plugins.module_utils._errors import TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.module_utils._parallel import PARALLEL
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalResolver


def run(module):
    params = module.params
    for item in params["connections"] or ():
        if isinstance(item, dict):
            module.add_no_log_values(integration_secrets(item.get("integration")))
    items = apply_secrets(params["connections"] or [], params["secrets"])
    desired_list, scope = desired_set(items, purge=params["purge"], purge_tags=params["purge_tags"],
                                      purge_all=params["purge_all"], purge_max=params["purge_max"],
                                      purge_empty=params["purge_empty"], parallel=params["parallel"])
    approved = validate_saved_plan(params["apply_plan"]) if params["apply_plan"] is not None else None
    module.connection_options()
    listing = ConnectionListing(serve_ids=True)  # the one read of the list serves every item, by name and by ID
    resolver = PrincipalResolver()  # each principal named in the items' access is looked up once
    try:
        return converge_set(module.client, desired_list, scope=scope, purge_max=params["purge_max"],
                            check_mode=module.check_mode, listing=listing, parallel=params["parallel"], approved=approved,
                            resolver=resolver)
    except SetRefused as exc:
        raise TaskFailure("Refused before any change (%d read of the connection list, no write): %s"
                          % (listing.reads, exc), **exc.details) from None
    except SetFailed as exc:
        exc.result.pop("diff", None)
        for warning in exc.result.pop("warnings", ()):
            module.warn(warning)
        raise TaskFailure(str(exc), **exc.result) from None


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_action_connection_set",
    argument_spec=dict(
        # Each item takes the options of datadog_action_connection.
        connections=dict(type="list", elements="dict", default=[], options=action_connection_options()),
        secrets=dict(type="dict", no_log=True, default={}),
        purge=dict(type="bool", default=False),
        purge_tags=dict(type="list", elements="str", default=[]),
        purge_all=dict(type="bool", default=False),
        purge_max=dict(type="int", default=PURGE_MAX),
        purge_empty=dict(type="bool", default=False),
        parallel=dict(type="int", default=PARALLEL),
        apply_plan=dict(type="dict"),
    ),
    run=run,
    explain_unsupported=dict(connections=explain_items),
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
