#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datadog_action_connection
short_description: Create, update or delete a Datadog action connection (Workflow Automation, App Builder)
version_added: 0.1.0
description:
  - Manages one Datadog action connection, the stored credentials that Workflow Automation and App Builder actions
    use to call AWS, Azure, GCP, an HTTP API or one of the other 21 supported services.
  - All 24 integration types and their 25 credential types are supported; O(integration) takes them in the API's own
    shape and names, and every field is checked against a catalogue of the variants before any request is sent.
  - "Identity: with O(connection_id) the module manages exactly that connection. Without it, the connection is found
    by its exact O(name) through the list endpoint (all pages): none is created, one is managed, several make the
    task fail and list their IDs. A connection is never deleted and re-created to change it: its ID stays, so the
    workflows that use it keep working."
  - "Secrets are write-only: Datadog answers them as empty strings, so they are never compared and never returned.
    They are sent when the connection is created, when its integration or credential type changes, and on every run
    with O(update_secrets=always). Every secret option is C(no_log), so its value is masked in results, diffs,
    warnings, errors and C(-vvvv) output."
  - "Secrets only where needed: a definition without secret values, such as the C(definition) that
    M(ddops.datadog.datadog_action_connection_info) returns, manages an existing connection with no write when
    nothing else differs. Creating a connection without its secret values fails after the read and before any
    write, naming the connection and the missing secret fields."
  - "Only the fields given are compared, and a PATCH carries only what differs. HTTP O(integration.credentials.headers),
    O(integration.credentials.tokens) and O(integration.credentials.url_parameters) are matched by name; an entry
    that is no longer listed is removed."
  - "Requests made: unchanged by O(connection_id) = 1 GET; unchanged by O(name) = the list pages (1 GET up to 100
    connections); update = that read + 1 PATCH; create = the list + 1 POST; O(state=absent) with O(connection_id) =
    1 DELETE (404 means already absent); check mode = the reads only. When the action plugin runs the module in the
    controller process, the items of one loop share one read of the list (kept current with the task's own writes),
    so a loop over N connections by name reads the list once instead of N times."
  - "If the answer to the create request is lost (time-out or dropped connection after sending) or is a 5xx, the module looks the
    name up again and adopts the connection the request created; when none exists, nothing was created and the create
    is sent again (at most O(retries) times). It never creates a second connection."
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.controller
attributes:
  check_mode:
    support: full
    description: Reads only and reports the change it would make.
  diff_mode:
    support: full
    description: Shows the compared fields before and after; secrets are shown as a fixed mask.
  action_group:
    support: full
    description: Use C(group/ddops.datadog.datadog) in C(module_defaults) to set the connection options once.
    membership:
      - ddops.datadog.datadog
options:
  name:
    description:
      - Name of the connection. Required unless O(connection_id) is given.
      - Without O(connection_id), the connection is identified by this exact name (case-sensitive).
      - With O(connection_id), the connection is renamed to it when the names differ.
    type: str
  connection_id:
    description:
      - ID (a UUID) of an existing connection to manage. It must exist when O(state=present); the module never
        creates a connection with a chosen ID.
      - With it, O(integration) may be partial, for example only the fields to change.
    type: str
  integration:
    description:
      - The integration and its credentials, in the API's own shape and names (see the examples).
      - Required when O(state=present) and O(connection_id) is not given; it must then have every required field of
        the credential type, except the secret values, which are needed only where they are sent. Creating the
        connection needs them (the task fails before any write, naming the missing ones), and so does
        O(update_secrets=always); an existing connection is managed without them.
      - With O(connection_id) only what is given is managed; a change of integration or credential type needs the
        complete integration, secrets included.
      - Ignored when O(state=absent).
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
          - The credentials. O(integration.credentials.type) names the credential type and decides which of the
            other suboptions apply; giving a field of another credential type fails before any request.
          - Every integration type has one credential type except V(Cloudflare) (V(CloudflareAPIToken) or
            V(CloudflareGlobalAPIToken)); when there is only one, O(integration.credentials.type) may be left out.
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
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                integration or credential type changes, and on every run with O(update_secrets=always).
            type: str
          api_password:
            description:
              - Password of the ConfigCat Public Management API credentials.
              - Required for V(ConfigCatSDKKey).
              - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                integration or credential type changes, and on every run with O(update_secrets=always).
            type: str
          api_token:
            description:
              - API token of the service.
              - Required for V(AnthropicAPIKey), V(CircleCIAPIKey), V(ClickupAPIKey), V(CloudflareAPIToken),
                V(GitlabAPIKey), V(LaunchDarklyAPIKey), V(NotionAPIKey), V(OktaAPIToken), V(OpenAIAPIKey).
              - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                    O(integration.credentials.tokens) for them.
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
                integration or credential type changes, and on every run with O(update_secrets=always).
            type: str
          private_key:
            description:
              - Private key of the GCP service account (from its JSON key file).
              - Required for V(GCPServiceAccount).
              - Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                integration or credential type changes, and on every run with O(update_secrets=always).
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
                O(update_secrets=always). When Datadog leaves tokens out of its answers, only O(update_secrets=always)
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
                  - The token value. Secret (write-only), see O(update_secrets).
                  - Needed to create the connection, to add a token it does not have yet, and with
                    O(update_secrets=always); otherwise it may be left out, as in a definition read back from Datadog
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
      - When to send the secret fields of O(integration.credentials). Datadog never returns secrets, so the module
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
        then always reports a change. The new value is returned in RV(connection.external_id).
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
      - Ignored when O(state=absent) (the policy goes with the connection).
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
notes:
  - The list endpoint that finding a connection by name needs is a preview endpoint of the Datadog API. Where it is
    missing, the module fails and asks for O(connection_id).
  - Put secrets in Ansible Vault or an AWX credential. For several connections use
    M(ddops.datadog.datadog_action_connection_set) (or the P(ddops.datadog.action_connections#role) role) rather than a
    loop over this module. Ansible prints each loop item as the task's label, secrets included, before the module masks
    anything; if you loop, set C(loop_control.label) to the name (or C(no_log)). The same for variables you print
    yourself.
  - "Datadog HTTP connections refer to their tokens as C({{ tokenName }}) in header, URL parameter and body values.
    Ansible would take that for a template (C('tokenName' is undefined)); write such values with the C(!unsafe) YAML
    tag, for example C(value: !unsafe 'Bearer {{ apiToken }}'), so they reach Datadog literally. See the examples."
seealso:
  - module: ddops.datadog.datadog_action_connection_info
  - module: ddops.datadog.datadog_action_connection_set
  - module: ddops.datadog.datadog_app_key_registration
  - name: Datadog API reference for action connections
    description: The endpoints this module uses.
    link: https://docs.datadoghq.com/api/latest/action-connection/
"""

EXAMPLES = r"""
- name: Manage action connections, connection options set once for the block
  module_defaults:
    group/ddops.datadog.datadog:
      api_key: "{{ vault_datadog_api_key }}"
      app_key: "{{ vault_datadog_app_key }}"
      site: datadoghq.eu
  block:
    - name: AWS connection that assumes a role in the production account
      ddops.datadog.datadog_action_connection:
        name: Prod AWS
        integration:
          type: AWS
          credentials:
            type: AWSAssumeRole
            account_id: "123456789012"
            role: datadog-workflows
        tags:
          - team:sre
      register: prod_aws

    - name: Show the external ID and principal to put in the role's trust policy
      ansible.builtin.debug:
        msg: "External ID {{ prod_aws.connection.external_id }}, principal {{ prod_aws.connection.principal_id }}"

    - name: HTTP connection with a bearer token, a header and a URL parameter
      ddops.datadog.datadog_action_connection:
        name: Internal API
        integration:
          type: HTTP
          base_url: https://api.internal.example.com
          credentials:
            type: HTTPTokenAuth
            tokens:
              - name: bearer
                value: "{{ vault_internal_api_token }}"
            headers:
              - name: Accept
                value: application/json
            url_parameters:
              - name: region
                value: eu
      no_log: true

    - name: HTTP connection whose header refers to its token the way Datadog expects (kept literal by !unsafe)
      ddops.datadog.datadog_action_connection:
        name: Ticketing API
        integration:
          type: HTTP
          base_url: https://tickets.example.com/api
          credentials:
            type: HTTPTokenAuth
            tokens:
              - name: bearer
                value: "{{ vault_ticketing_token }}"
            headers:
              - name: Authorization
                value: !unsafe "Bearer {{ bearer }}"
      no_log: true

    - name: Connection to another Datadog organization
      ddops.datadog.datadog_action_connection:
        name: Staging Datadog
        integration:
          type: Datadog
          credentials:
            type: DatadogAPIKey
            api_key: "{{ vault_staging_api_key }}"
            app_key: "{{ vault_staging_app_key }}"
            datacenter: us1
      no_log: true

    - name: OpenAI connection; the token is sent on create only, later runs compare nothing secret
      ddops.datadog.datadog_action_connection:
        name: OpenAI
        integration:
          type: OpenAI
          credentials:
            api_token: "{{ vault_openai_token }}"
      no_log: true

    - name: Rotate the OpenAI token (every run with update_secrets=always reports a change)
      ddops.datadog.datadog_action_connection:
        name: OpenAI
        integration:
          type: OpenAI
          credentials:
            api_token: "{{ vault_openai_new_token }}"
        update_secrets: always
      no_log: true

    - name: Rename a connection known by its ID and change its role, nothing else restated
      ddops.datadog.datadog_action_connection:
        connection_id: 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00
        name: Prod AWS (workflows)
        integration:
          type: AWS
          credentials:
            role: datadog-workflows-v2

    - name: Rotate the AWS external ID
      ddops.datadog.datadog_action_connection:
        name: Prod AWS
        integration:
          type: AWS
          credentials:
            account_id: "123456789012"
            role: datadog-workflows
        generate_new_external_id: true

    - name: A connection that one team's workflows may use; the platform team edits it
      ddops.datadog.datadog_action_connection:
        name: Payments API
        integration:
          type: HTTP
          base_url: https://payments.example.com
          credentials:
            type: HTTPTokenAuth
        access:
          - relation: resolver
            principals: ["team:payments"]
          - relation: editor
            principals: ["team:platform", "role:Datadog Admin Role"]
          - relation: viewer
            principals: [org]

    - name: Back to Datadog's default access
      ddops.datadog.datadog_action_connection:
        name: Payments API
        connection_id: 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00
        access: []

    - name: Delete a connection
      ddops.datadog.datadog_action_connection:
        name: Internal API
        state: absent
"""

RETURN = r"""
connection:
  description:
    - The connection after the task, as Datadog returned it, without any secret field.
    - In check mode, the connection as it is now, or for a create as it would be created (with RV(connection.id) null).
    - With O(state=absent), the connection that was deleted (only its RV(connection.id) when it was deleted by
      O(connection_id)), or an empty dict when there was none.
  returned: always
  type: dict
  # The one description of a connection as the modules return it: tests/utils/generate_docs.py copies these fields into
  # datadog_action_connection_info (connections) and datadog_action_connection_set (connections[].connection).
  contains:
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
access:
  description:
    - The connection's restriction policy after the task (in check mode, as it would be), principals as IDs
      (C(role:<UUID>), C(org:<UUID>), ...); an empty list where it has none (Datadog's default access).
  returned: when O(access) is given and O(state=present)
  type: list
  elements: dict
  sample: [{"relation": "resolver", "principals": ["team:8f0e1f6b-2a3c-4d5e-9f60-7a8b9c0d1e2f"]}]
  contains:
    relation:
      description: The relation (viewer, resolver, editor).
      type: str
    principals:
      description: The principals that hold it, as C(<type>:<UUID>).
      type: list
      elements: str
connection_ids:
  description: The IDs of the connections that share O(name), when the task failed because there are several.
  returned: when several connections have the name
  type: list
  elements: str
  sample: [0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00, 5f7c0f4e-3d9b-4a43-9e0f-2b1d8c6a7e11]
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

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    ConnectionListing,
    action_connection_options,
    desired_from_params,
    ensure_connection,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import integration_secrets, validate_integration
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleDefinition
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalResolver


def run(module):
    module.add_no_log_values(integration_secrets(module.params["integration"]))
    desired = desired_from_params(module.params)
    options = module.connection_options()
    # The loop items of one task share one read of the connection list and the principal look-ups (action plugin; a
    # module process makes its own).
    listing = module.shared(("action connections", options.base_url, options.fingerprint()), ConnectionListing)
    resolver = module.shared(("principals", options.base_url, options.fingerprint()), PrincipalResolver)
    return ensure_connection(module.client, desired, check_mode=module.check_mode, listing=listing, resolver=resolver)


def explain_unsupported(params):
    """Unknown or badly shaped fields inside ``integration``, in the catalogue's words (what is allowed where)."""
    try:
        validate_integration(params["integration"], complete=params.get("connection_id") is None)
    except InputError as exc:
        return str(exc)
    return None


MODULE = ModuleDefinition(
    "ddops.datadog.datadog_action_connection",
    # name, connection_id, integration (every field of the catalogue's 24 types), tags, update_secrets,
    # generate_new_external_id, state, access: the same options as each item of datadog_action_connection_set.
    argument_spec=action_connection_options(),
    run=run,
    explain_unsupported=dict(integration=explain_unsupported),
    required_one_of=[("name", "connection_id")],
    supports_check_mode=True,
)


def main():
    MODULE.main()


if __name__ == "__main__":
    main()
