# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action connection catalogue: 24 integration types, 25 credential variants, as one table.

Internal use only: not part of the collection's public interface.

Everything that depends on the variant reads :data:`VARIANTS`: input validation, comparison (which fields are secret
and so never compared), request bodies, redaction of results, and the module documentation and the variant table of
``docs/action-connections.md``, which ``tests/utils/generate_docs.py`` writes from it (``make lint`` checks them). A
unit test holds the table against the models of Datadog's official ``datadog-api-client``.

Sources: Datadog's OpenAPI spec and its recorded API traffic, summarised in docs/dev/api-behaviour.md (the spec marks
no field secret; a field is secret when Datadog answers it as ``""``). Plain Python, no Ansible imports.
"""

from __future__ import annotations

import re

from urllib.parse import urlsplit

from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import SITE_NAMES, SITES
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._validation import kind_of, normalized_uuid

STR = "str"
ENTRIES = "entries"  # a list of dicts matched by name (HTTP headers, tokens, URL parameters)
BODY = "body"  # the HTTP body object


class Field(object):
    """One field: ``kind`` is :data:`STR`, :data:`ENTRIES` or :data:`BODY`.

    ``secret``: Datadog answers it as ``""`` (write-only, never compared or shown). ``choices``/``default``: the values
    a string field takes. ``pattern``/``pattern_help``: a rule Datadog enforces (checked before any request) and the end of the
    message that explains it (``{value}`` is the value given; patterns are only for fields that are not secret).
    ``update_required``: an entry field the API's update model requires, so an entry sent to delete carries it.
    """

    __slots__ = ("name", "required", "secret", "kind", "choices", "default", "pattern", "pattern_help", "update_required")

    def __init__(self, name, required=True, secret=False, kind=STR, choices=None, default=None, pattern=None,
                 pattern_help=None, update_required=False):
        self.name = name
        self.required = required
        self.secret = secret
        self.kind = kind
        self.choices = tuple(choices) if choices else None
        self.default = default
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_help = pattern_help
        self.update_required = update_required

    def __repr__(self):
        return "Field(%r, required=%r, secret=%r, kind=%r)" % (self.name, self.required, self.secret, self.kind)


class Variant(object):
    """One integration type with one credential type.

    ``fields`` are the credential fields a client sends on create; ``read_only`` the ones Datadog adds (the modules
    return them next to the connection's ID); ``rotation`` is ``(flag, field)`` when a PATCH with ``flag: true`` makes
    Datadog regenerate ``field``; ``integration_fields`` the fields next to ``credentials``.
    """

    __slots__ = ("integration", "credential", "fields", "read_only", "rotation", "integration_fields")

    def __init__(self, integration, credential, fields, read_only=(), rotation=None, integration_fields=()):
        self.integration = integration
        self.credential = credential
        self.fields = tuple(fields)
        self.read_only = tuple(read_only)
        self.rotation = rotation
        self.integration_fields = tuple(integration_fields)

    @property
    def update_only(self):
        """The flags only a PATCH accepts."""
        return (self.rotation[0],) if self.rotation else ()

    def field(self, name):
        for field in self.fields:
            if field.name == name:
                return field
        return None

    @property
    def field_names(self):
        return tuple(field.name for field in self.fields)

    @property
    def required(self):
        return tuple(field.name for field in self.fields if field.required)

    @property
    def optional(self):
        return tuple(field.name for field in self.fields if not field.required)

    @property
    def secrets(self):
        """Secret field names; ``tokens[].value`` for the HTTP token values."""
        names = [field.name for field in self.fields if field.secret]
        for field in self.fields:
            if field.kind == ENTRIES:
                names.extend("%s[].%s" % (field.name, entry.name) for entry in ENTRY_FIELDS[field.name] if entry.secret)
        return tuple(names)

    def __repr__(self):
        return "Variant(%r, %r)" % (self.integration, self.credential)


def _secret(name):
    return Field(name, secret=True)


def _plain(name, required=True):
    return Field(name, required=required)


#: What the Datadog integration's ``datacenter`` takes: a Datadog site, by its name (``us1``, ``eu1``, ...) or its site
#: parameter (``datadoghq.com``, ``datadoghq.eu``, ...). Datadog's spec types the field as a free string and points to
#: its list of sites for it (docs/dev/api-behaviour.md).
DATACENTERS = SITE_NAMES + SITES
#: The one value ``tokens[].type`` accepts (and its default).
TOKEN_TYPES = ("SECRET",)
#: The entries of the HTTP credential lists, matched by ``name``.
ENTRY_FIELDS = {
    "headers": (Field("name", update_required=True), Field("value")),
    "tokens": (Field("name", update_required=True),
               Field("type", required=False, choices=TOKEN_TYPES, default=TOKEN_TYPES[0], update_required=True),
               Field("value", secret=True, update_required=True)),
    "url_parameters": (Field("name", update_required=True), Field("value")),
}
#: The HTTP ``body`` object.
BODY_FIELDS = ("content", "content_type")

VARIANTS = (
    Variant("AWS", "AWSAssumeRole",
            (Field("account_id", pattern=r"^\d{12}$",
                   pattern_help="a 12-digit AWS account ID; got {value!r} (quote it in YAML so leading zeros stay)"), _plain("role")),
            read_only=("external_id", "principal_id"), rotation=("generate_new_external_id", "external_id")),
    Variant("Anthropic", "AnthropicAPIKey", (_secret("api_token"),)),
    Variant("Asana", "AsanaAccessToken", (_secret("access_token"),)),
    Variant("Azure", "AzureTenant",
            (_plain("app_client_id"), _secret("client_secret"), _plain("custom_scopes", required=False), _plain("tenant_id"))),
    Variant("CircleCI", "CircleCIAPIKey", (_secret("api_token"),)),
    Variant("Clickup", "ClickupAPIKey", (_secret("api_token"),)),
    Variant("Cloudflare", "CloudflareAPIToken", (_secret("api_token"),)),
    Variant("Cloudflare", "CloudflareGlobalAPIToken", (_plain("auth_email"), _secret("global_api_key"))),
    Variant("ConfigCat", "ConfigCatSDKKey", (_secret("api_password"), _plain("api_username"), _secret("sdk_key"))),
    Variant("Datadog", "DatadogAPIKey",
            (_secret("api_key"), _secret("app_key"), Field("datacenter", choices=DATACENTERS),
             _plain("subdomain", required=False))),
    Variant("Fastly", "FastlyAPIKey", (_secret("api_key"),)),
    Variant("Freshservice", "FreshserviceAPIKey", (_secret("api_key"), _plain("domain"))),
    Variant("GCP", "GCPServiceAccount", (_secret("private_key"), _plain("service_account_email"))),
    Variant("Gemini", "GeminiAPIKey", (_secret("api_key"),)),
    Variant("Gitlab", "GitlabAPIKey", (_secret("api_token"),)),
    Variant("GreyNoise", "GreyNoiseAPIKey", (_secret("api_key"),)),
    Variant("HTTP", "HTTPTokenAuth",
            (Field("body", required=False, kind=BODY), Field("headers", required=False, kind=ENTRIES),
             Field("tokens", required=False, kind=ENTRIES), Field("url_parameters", required=False, kind=ENTRIES)),
            integration_fields=(_plain("base_url"),)),
    Variant("LaunchDarkly", "LaunchDarklyAPIKey", (_secret("api_token"),)),
    Variant("Notion", "NotionAPIKey", (_secret("api_token"),)),
    Variant("Okta", "OktaAPIToken", (_secret("api_token"), _plain("domain"))),
    Variant("OpenAI", "OpenAIAPIKey", (_secret("api_token"),)),
    Variant("ServiceNow", "ServiceNowBasicAuth", (_plain("instance"), _secret("password"), _plain("username"))),
    Variant("Split", "SplitAPIKey", (_secret("api_key"),)),
    Variant("Statsig", "StatsigAPIKey", (_secret("api_key"),)),
    Variant("VirusTotal", "VirusTotalAPIKey", (_secret("api_key"),)),
)

_BY_INTEGRATION = {}
for _variant in VARIANTS:
    _BY_INTEGRATION.setdefault(_variant.integration, []).append(_variant)
#: The 24 integration types, in catalogue order.
INTEGRATION_TYPES = tuple(sorted(_BY_INTEGRATION))
CREDENTIAL_TYPES = tuple(variant.credential for variant in VARIANTS)
_BY_CREDENTIAL = dict((variant.credential, variant) for variant in VARIANTS)

#: Fields next to ``type`` and ``credentials`` (only HTTP's ``base_url``, a URL).
INTEGRATION_FIELDS = tuple(sorted(set(field.name for variant in VARIANTS for field in variant.integration_fields)))
_INTEGRATION_KEYS = ("type",) + INTEGRATION_FIELDS + ("credentials",)


def variants_of(integration_type):
    """The variants of an integration type (empty for an unknown type)."""
    return tuple(_BY_INTEGRATION.get(integration_type, ()))


def variant_for(integration_type, credential_type):
    """The :class:`Variant` of this pair, or ``None``."""
    variant = _BY_CREDENTIAL.get(credential_type)
    if variant is None or variant.integration != integration_type:
        return None
    return variant


def credential_variant(credential_type):
    """The :class:`Variant` of a credential type (each belongs to one integration), or ``None``."""
    return _BY_CREDENTIAL.get(credential_type)


def credential_field_names():
    """Every credential field name of every variant, sorted (the union the module's argument spec declares)."""
    return tuple(sorted(set(name for variant in VARIANTS for name in variant.field_names)))


def secret_field_names():
    """Names of the credential fields that are secret in every variant that has them."""
    return tuple(sorted(set(field.name for variant in VARIANTS for field in variant.fields if field.secret)))


def variants_using(field_name):
    """The variants that have a credential field of this name, in catalogue order."""
    return tuple(variant for variant in VARIANTS if variant.field(field_name) is not None)


# -- validation --------------------------------------------------------------------------------------------------------

def validate_connection_id(value):
    """A connection ID is a UUID; return it lower-cased or raise :class:`InputError`."""
    connection_id = normalized_uuid(value)
    if connection_id is None:
        raise InputError("connection_id must be the connection's ID, a UUID like 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00; got %r"
                         % (value,))
    return connection_id


#: The longest connection name this collection sends (Datadog documents no limit; names are shown in its UI).
MAX_NAME_LENGTH = 255
#: The longest tag Datadog keeps (its documented tag limit).
MAX_TAG_LENGTH = 200


def validate_name(value, option="name"):
    if not isinstance(value, str) or not value.strip():
        raise InputError("%s must be a non-empty string" % option)
    if len(value) > MAX_NAME_LENGTH:
        raise InputError("%s is %d characters long; at most %d are allowed" % (option, len(value), MAX_NAME_LENGTH))
    problem = control_character_problem(option, value)
    if problem:
        raise InputError(problem)
    return value


def control_character_problem(option, value):
    """A message when ``value`` holds a line break, tab, NUL or other control character (never echoing the value)."""
    for position, char in enumerate(value):
        if ord(char) < 32 or ord(char) == 127:
            return "%s must not contain control characters such as line breaks, tabs or NUL (found %r at position %d)" \
                % (option, char, position)
    return None


def validate_tags(tags, option="tags"):
    """Tags are ``key:value`` strings with a key other than the reserved ``default``; duplicates are dropped."""
    if not isinstance(tags, (list, tuple)):
        raise InputError("%s must be a list of key:value strings" % option)
    problems = []
    seen = []
    for index, tag in enumerate(tags):
        if not isinstance(tag, str):
            problems.append("%s[%d] must be a key:value string, got a %s" % (option, index, kind_of(tag)))
            continue
        key, separator, value = tag.partition(":")
        if len(tag) > MAX_TAG_LENGTH:
            problems.append("%s[%d] is %d characters long; Datadog keeps at most %d" % (option, index, len(tag), MAX_TAG_LENGTH))
        elif control_character_problem("%s[%d]" % (option, index), tag):
            problems.append(control_character_problem("%s[%d]" % (option, index), tag))
        elif not (key.strip() and separator and value.strip()):
            problems.append("%s[%d] %r must look like key:value (for example team:sre)" % (option, index, tag))
        elif key.strip().lower() == "default":
            problems.append("%s[%d] %r uses the tag key 'default', which Datadog reserves" % (option, index, tag))
        elif tag not in seen:
            seen.append(tag)
    if problems:
        raise InputError("; ".join(problems))
    return seen


def validate_integration(integration, complete=True, path="integration", secrets=True):
    """Check a user's integration against the catalogue and return it cleaned (unset values dropped).

    ``complete``: every required field must be there (a create, or a change of integration or credential type).
    Otherwise only what is given is checked (managing an existing connection by ID). ``secrets=False`` excuses the
    secret values (required secret fields, HTTP token values): a definition read back from Datadog has none, and an
    existing connection needs none; :func:`missing_secrets` tells what a create still lacks. Every problem found is reported
    at once in one :class:`InputError` that names the option path and what is allowed; secret values are never
    part of a message.
    """
    problems = []
    if not isinstance(integration, dict):
        raise InputError("%s must be a dict with type and credentials" % path)
    integration = _given(integration)
    unknown = sorted(set(integration) - set(_INTEGRATION_KEYS))
    if unknown:
        problems.append("%s has unknown option(s) %s; allowed: %s" % (path, ", ".join(unknown), ", ".join(_INTEGRATION_KEYS)))
    integration_type = integration.get("type")
    variants = variants_of(integration_type)
    if not variants:
        problems.append("%s.type must be one of %s; got %r" % (path, ", ".join(INTEGRATION_TYPES), integration_type))
        raise InputError("; ".join(problems))

    credentials = integration.get("credentials")
    if credentials is not None and not isinstance(credentials, dict):
        problems.append("%s.credentials must be a dict with the credential type's fields" % path)
        raise InputError("; ".join(problems))
    credentials = _given(credentials or {})
    if credentials.get("type") is None:
        if len(variants) > 1:
            if credentials or complete:
                problems.append("%s.credentials.type is required for %s; allowed: %s"
                                % (path, integration_type, ", ".join(v.credential for v in variants)))
                raise InputError("; ".join(problems))
        else:
            credentials["type"] = variants[0].credential
    variant = variant_for(integration_type, credentials.get("type"))
    if credentials.get("type") is not None and variant is None:
        problems.append("%s.credentials.type %r does not fit integration type %s; allowed: %s"
                        % (path, credentials.get("type"), integration_type, ", ".join(v.credential for v in variants)))
        raise InputError("; ".join(problems))

    cleaned = {"type": integration_type}
    own_fields = dict((field.name, field) for field in (variant or variants[0]).integration_fields)
    for name in INTEGRATION_FIELDS:
        option = "%s.%s" % (path, name)
        if name not in own_fields:
            if name in integration:
                users = sorted(set(v.integration for v in VARIANTS if name in [f.name for f in v.integration_fields]))
                problems.append("%s is only used by %s connections" % (option, ", ".join(users)))
        elif name not in integration:
            if complete and own_fields[name].required:
                problems.append("%s is required for %s connections" % (option, integration_type))
        else:
            problem = _url_problem(option, integration[name])
            if problem:
                problems.append(problem)
            else:
                cleaned[name] = integration[name]

    if variant is not None:
        cleaned_credentials, credential_problems = _validate_credentials(variant, credentials, complete, path + ".credentials",
                                                                         secrets)
        problems.extend(credential_problems)
        if "credentials" in integration or complete or len(cleaned_credentials) > 1:
            cleaned["credentials"] = cleaned_credentials
    if problems:
        raise InputError("; ".join(problems))
    return cleaned


def _validate_credentials(variant, credentials, complete, path, secrets=True):
    problems = []
    cleaned = {"type": variant.credential}
    for name in sorted(credentials):
        if name == "type":
            continue
        value = credentials[name]
        field = variant.field(name)
        if field is None:
            if name in variant.read_only:
                hint = "; use %s to rotate it" % variant.rotation[0] if variant.rotation and variant.rotation[1] == name else ""
                problems.append("%s.%s is set by Datadog and cannot be given%s" % (path, name, hint))
            else:
                problems.append("%s.%s is not a field of %s credentials; allowed: %s"
                                % (path, name, variant.credential, ", ".join(variant.field_names) or "none"))
            continue
        option = "%s.%s" % (path, name)
        if field.kind == STR:
            problem = _string_problem(option, value, field)
        elif field.kind == ENTRIES:
            value, problem = _entries(option, name, value, secrets)
        else:
            value, problem = _body(option, value)
        if problem:
            problems.append(problem)
        else:
            cleaned[name] = value
    if complete:
        missing = [name for name in variant.required if name not in credentials and (secrets or not variant.field(name).secret)]
        if missing:
            problems.append("%s is missing the required field(s) of %s: %s" % (path, variant.credential, ", ".join(missing)))
    return cleaned, problems


def _string_problem(option, value, field, allow_empty=False):
    if not isinstance(value, str):
        return "%s must be a string, got a %s" % (option, kind_of(value))
    if field.required and not allow_empty and not value.strip():
        return "%s must not be empty" % option
    if not field.secret and control_character_problem(option, value):
        return control_character_problem(option, value)
    if field.choices and value not in field.choices:
        return "%s must be one of %s; got %r" % (option, ", ".join(field.choices), value)
    if field.pattern is not None and not field.pattern.match(value):
        return "%s must be %s" % (option, field.pattern_help.format(value=value))
    return None


def _entries(option, list_name, value, secrets=True):
    """Validate HTTP ``headers``/``tokens``/``url_parameters``: a list of dicts with unique names (``secrets=False``:
    a token may come without its value)."""
    if not isinstance(value, list):
        return None, "%s must be a list of dicts with name and value" % option
    fields = ENTRY_FIELDS[list_name]
    allowed = [field.name for field in fields]
    cleaned = []
    problems = []
    names = []
    for index, entry in enumerate(value):
        where = "%s[%d]" % (option, index)
        if not isinstance(entry, dict):
            problems.append("%s must be a dict with %s" % (where, " and ".join(field.name for field in fields if field.required)))
            continue
        entry = _given(entry)
        unknown = sorted(set(entry) - set(allowed))
        if unknown:
            problems.append("%s has unknown key(s) %s; allowed: %s" % (where, ", ".join(unknown), ", ".join(allowed)))
        for field in fields:
            if field.default is not None:
                entry.setdefault(field.name, field.default)
            if field.required and field.name not in entry and (secrets or not field.secret):
                problems.append("%s.%s is required" % (where, field.name))
            elif field.name in entry:
                problem = _string_problem("%s.%s" % (where, field.name), entry[field.name], field, allow_empty=True)
                if problem:
                    problems.append(problem)
        name = entry.get("name")
        if isinstance(name, str):
            if not name.strip():
                problems.append("%s.name must not be empty" % where)
            elif name in names:
                problems.append("%s.name %r is used more than once; names must be unique" % (where, name))
            names.append(name)
        cleaned.append(dict((key, entry[key]) for key in allowed if key in entry))
    return cleaned, "; ".join(problems) or None


def _body(option, value):
    if not isinstance(value, dict):
        return None, "%s must be a dict with content and content_type" % option
    value = _given(value)
    unknown = sorted(set(value) - set(BODY_FIELDS))
    if unknown:
        return None, "%s has unknown key(s) %s; allowed: %s" % (option, ", ".join(unknown), ", ".join(BODY_FIELDS))
    for key, item in value.items():
        if not isinstance(item, str):
            return None, "%s.%s must be a string, got a %s" % (option, key, kind_of(item))
    return value, None


def _url_problem(option, value):
    if not isinstance(value, str):
        return "%s must be an https:// URL string" % option
    if any(char.isspace() for char in value.strip()) or control_character_problem(option, value):
        return "%s must not contain spaces, line breaks or control characters" % option
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme != "https" or not host:
        return "%s must be an https:// URL with a host, like https://api.example.com; got %r" % (option, value)
    return None


def _given(mapping):
    """A copy without the keys whose value is ``None`` (Ansible fills every unset suboption with ``None``)."""
    return dict((key, value) for key, value in mapping.items() if value is not None)


def missing_secrets(integration, path="integration"):
    """The option paths of the secret values a create of this (validated) integration still needs: required secret
    fields that are not given and HTTP tokens without a value. Names only, never values."""
    credentials = (integration or {}).get("credentials") or {}
    variant = variant_for((integration or {}).get("type"), credentials.get("type"))
    if variant is None:
        return []
    missing = ["%s.credentials.%s" % (path, field.name) for field in variant.fields
               if field.secret and field.required and field.name not in credentials]
    for field in variant.fields:
        if field.kind != ENTRIES or not isinstance(credentials.get(field.name), list):
            continue
        secret_keys = [entry_field.name for entry_field in ENTRY_FIELDS[field.name] if entry_field.secret]
        for entry in credentials[field.name]:
            missing.extend("%s.credentials.%s[%s].%s" % (path, field.name, entry.get("name"), key)
                           for key in secret_keys if key not in entry)
    return missing


# -- secrets -----------------------------------------------------------------------------------------------------------

def integration_secrets(integration):
    """Every secret value in a (raw or validated) integration, for Ansible's ``no_log_values``.

    Unknown credential keys count as secret: a misspelt ``api_tokn`` still holds a token.
    """
    values = []
    if not isinstance(integration, dict):
        return values
    for name, value in integration.items():
        if name not in _INTEGRATION_KEYS:
            values.extend(_leaves(value))
    credentials = integration.get("credentials")
    if not isinstance(credentials, dict):
        return values
    known_plain = set(credential_field_names()) - set(secret_field_names())
    for name, value in credentials.items():
        if name == "type" or value is None:
            continue
        if name in ENTRY_FIELDS:
            known = dict((field.name, field) for field in ENTRY_FIELDS[name])
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, dict):  # secret keys, and unknown keys (a misspelt "vaule" still holds a value)
                    values.extend(_leaves(dict((k, v) for k, v in entry.items() if k not in known or known[k].secret)))
                else:
                    values.extend(_leaves(entry))
        elif name == "body" or name in known_plain:
            continue
        else:
            values.extend(_leaves(value))
    return [value for value in values if value]


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


def redact_integration(integration):
    """A copy of an integration (as Datadog answers it) with every secret field removed."""
    if not isinstance(integration, dict):
        return integration
    redacted = dict(integration)
    credentials = integration.get("credentials")
    if isinstance(credentials, dict):
        redacted["credentials"] = _without_secrets(credentials)
    return redacted


def _without_secrets(credentials):
    variant = _BY_CREDENTIAL.get(credentials.get("type"))
    secret = set(secret_field_names()) if variant is None else set(f.name for f in variant.fields if f.secret)
    cleaned = {}
    for name, value in credentials.items():
        if name in secret:
            continue
        if name in ENTRY_FIELDS and isinstance(value, list):
            hidden = set(field.name for field in ENTRY_FIELDS[name] if field.secret)
            value = [dict((k, v) for k, v in entry.items() if k not in hidden) if isinstance(entry, dict) else entry
                     for entry in value]
        cleaned[name] = value
    return cleaned
