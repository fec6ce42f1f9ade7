# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The 24 action-connection integration / credential variants as one table.

Source: Datadog's OpenAPI spec plus recorded answers (``docs/dev/api-behaviour.md`` of the collection). Everything the
emulator does per variant (required fields, secret blanking, server-generated fields) reads this table.

Secret paths are either a credential field name (``api_token``) or ``list[].field`` for a field of every entry of a
credential list (``tokens[].value``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One integration type with one credential type."""

    integration: str
    credential: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    server_added: tuple[str, ...] = ()
    update_only: tuple[str, ...] = ()
    integration_required: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """Every credential field a client may send on create (``type`` excluded)."""
        return self.required + self.optional


VARIANTS = (
    Variant("AWS", "AWSAssumeRole", ("account_id", "role"), server_added=("external_id", "principal_id"),
            update_only=("generate_new_external_id",)),
    Variant("Anthropic", "AnthropicAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("Asana", "AsanaAccessToken", ("access_token",), secrets=("access_token",)),
    Variant("Azure", "AzureTenant", ("app_client_id", "client_secret", "tenant_id"), ("custom_scopes",), ("client_secret",)),
    Variant("CircleCI", "CircleCIAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("Clickup", "ClickupAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("Cloudflare", "CloudflareAPIToken", ("api_token",), secrets=("api_token",)),
    Variant("Cloudflare", "CloudflareGlobalAPIToken", ("auth_email", "global_api_key"), secrets=("global_api_key",)),
    Variant("ConfigCat", "ConfigCatSDKKey", ("api_password", "api_username", "sdk_key"), secrets=("api_password", "sdk_key")),
    Variant("Datadog", "DatadogAPIKey", ("api_key", "app_key", "datacenter"), ("subdomain",), ("api_key", "app_key")),
    Variant("Fastly", "FastlyAPIKey", ("api_key",), secrets=("api_key",)),
    Variant("Freshservice", "FreshserviceAPIKey", ("api_key", "domain"), secrets=("api_key",)),
    Variant("GCP", "GCPServiceAccount", ("private_key", "service_account_email"), secrets=("private_key",)),
    Variant("Gemini", "GeminiAPIKey", ("api_key",), secrets=("api_key",)),
    Variant("Gitlab", "GitlabAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("GreyNoise", "GreyNoiseAPIKey", ("api_key",), secrets=("api_key",)),
    Variant("HTTP", "HTTPTokenAuth", (), ("body", "headers", "tokens", "url_parameters"), ("tokens[].value",),
            integration_required=("base_url",)),
    Variant("LaunchDarkly", "LaunchDarklyAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("Notion", "NotionAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("Okta", "OktaAPIToken", ("api_token", "domain"), secrets=("api_token",)),
    Variant("OpenAI", "OpenAIAPIKey", ("api_token",), secrets=("api_token",)),
    Variant("ServiceNow", "ServiceNowBasicAuth", ("instance", "password", "username"), secrets=("password",)),
    Variant("Split", "SplitAPIKey", ("api_key",), secrets=("api_key",)),
    Variant("Statsig", "StatsigAPIKey", ("api_key",), secrets=("api_key",)),
    Variant("VirusTotal", "VirusTotalAPIKey", ("api_key",), secrets=("api_key",)),
)

_BY_TYPES = {(variant.integration, variant.credential): variant for variant in VARIANTS}
_BY_CREDENTIAL = {variant.credential: variant for variant in VARIANTS}  # every credential type belongs to one integration
INTEGRATION_TYPES = tuple(sorted({variant.integration for variant in VARIANTS}))

#: HTTPTokenAuth credential lists whose entries are matched by ``name`` on PATCH.
NAMED_LISTS = ("tokens", "headers", "url_parameters")


def find_variant(integration_type, credential_type):
    """The :class:`Variant` for this pair of types, or ``None``."""
    return _BY_TYPES.get((integration_type, credential_type))


def credential_variant(credential_type):
    """The :class:`Variant` of a credential type (each belongs to exactly one integration)."""
    return _BY_CREDENTIAL[credential_type]


def credential_types(integration_type):
    """The credential types an integration type accepts (empty for an unknown integration)."""
    return tuple(variant.credential for variant in VARIANTS if variant.integration == integration_type)


def secret_values(variant, credentials):
    """The non-empty secret values of ``credentials``."""
    values = []
    for path in variant.secrets:
        if "[]." in path:
            list_name, field = path.split("[].")
            values.extend(entry.get(field) for entry in credentials.get(list_name) or ())
        else:
            values.append(credentials.get(path))
    return [value for value in values if isinstance(value, str) and value]


def blank_secrets(variant, credentials):
    """Set every secret of ``credentials`` (a dict, changed in place) to ``""``, as Datadog answers them."""
    for path in variant.secrets:
        if "[]." in path:
            list_name, field = path.split("[].")
            for entry in credentials.get(list_name) or ():
                if field in entry:
                    entry[field] = ""
        elif path in credentials:
            credentials[path] = ""
