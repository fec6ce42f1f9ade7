# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options every ddops.datadog plugin shares, as one table, and their validation.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

:data:`OPTIONS` is the one definition of the connection options: name, type, default, environment variables,
Ansible variables, ``no_log`` and description. The modules' argument specs (``_module.py``), the lookups' options
(``plugin_utils/_lookup.py``), the event source and the client's options (:class:`ClientOptions`) are built from it,
and a unit test holds the doc fragment ``plugins/doc_fragments/connection.py`` to it.

Precedence, the same everywhere: a task option (or lookup keyword) > an Ansible variable (lookups) > the environment >
the default. ``site`` and ``api_url`` name the same thing; when both end up set, the one from the stronger source is
used (``api_url`` on a tie) and a warning says so (:func:`resolve`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

from urllib.parse import urlsplit

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._validation import validate_bool, validate_number

DEFAULT_SITE = "datadoghq.com"
# Datadog sites and the short region names people use for them.
SITES = (
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "uk1.datadoghq.com",
    "datadoghq.eu",
    "ddog-gov.com",
    "us2.ddog-gov.com",
)
#: The names Datadog gives its sites (US1, US3, ... on docs.datadoghq.com/getting_started/site), lower-case, in the
#: order of :data:`SITES`.
SITE_NAMES = ("us1", "us3", "us5", "ap1", "ap2", "uk1", "eu1", "us1-fed", "us2-fed")
SITE_ALIASES = {
    "us1": "datadoghq.com",
    "us3": "us3.datadoghq.com",
    "us5": "us5.datadoghq.com",
    "ap1": "ap1.datadoghq.com",
    "ap2": "ap2.datadoghq.com",
    "uk1": "uk1.datadoghq.com",
    "eu": "datadoghq.eu",
    "eu1": "datadoghq.eu",
    "gov": "ddog-gov.com",
    "us1-fed": "ddog-gov.com",
    "us2-fed": "us2.ddog-gov.com",
}


#: Bounds of the numeric options: one wait or answer never takes more than an hour, one request is not tried 100 times.
MAX_SECONDS = 3600
MAX_RETRIES = 100


class Option(object):
    """One connection option. ``env`` in the order they are read (the first set one wins); ``vars`` the Ansible
    variables lookups read; ``description`` the lines of its documentation."""

    __slots__ = ("name", "type", "default", "env", "vars", "no_log", "description")

    def __init__(self, name, type, description, default=None, env=(), vars=(), no_log=False):  # pylint: disable=redefined-builtin
        self.name = name
        self.type = type
        self.default = default
        self.env = tuple(env)
        self.vars = tuple(vars)
        self.no_log = no_log
        self.description = tuple(description)

    def __repr__(self):
        return "Option(%r)" % self.name


OPTIONS = (
    Option("api_key", "str", no_log=True, env=("DD_API_KEY", "DATADOG_API_KEY"), vars=("datadog_api_key",), description=(
        "Datadog API key.",
        "Read from the environment variables E(DD_API_KEY) and then E(DATADOG_API_KEY) when not set.",
        "Never put it in plain text in a playbook; use Ansible Vault, an AWX credential or the environment.",
    )),
    Option("app_key", "str", no_log=True, env=("DD_APP_KEY", "DATADOG_APP_KEY"), vars=("datadog_app_key",), description=(
        "Datadog application key (the key itself, not its ID).",
        "Read from the environment variables E(DD_APP_KEY) and then E(DATADOG_APP_KEY) when not set.",
        "Action connection endpoints only accept an application key that is registered for the Actions API, "
        "see M(ddops.datadog.datadog_app_key_registration).",
    )),
    Option("site", "str", env=("DD_SITE",), vars=("datadog_site",), description=(
        "The Datadog site of your organization, for example V(datadoghq.eu) or V(us5.datadoghq.com).",
        "One of V(datadoghq.com), V(us3.datadoghq.com), V(us5.datadoghq.com), V(ap1.datadoghq.com), "
        "V(ap2.datadoghq.com), V(uk1.datadoghq.com), V(datadoghq.eu), V(ddog-gov.com), V(us2.ddog-gov.com); the short "
        "names V(us1), V(us3), V(us5), V(ap1), V(ap2), V(uk1), V(eu) are accepted too. Anything else is refused before "
        "any request.",
        "Read from the environment variable E(DD_SITE) when not set; the default is V(datadoghq.com).",
        "The API is then reached at C(https://api.<site>).",
        "O(site) and O(api_url) name the same thing. When both are set, the one from the stronger source is used (a "
        "task option or lookup keyword, then a variable, then the environment; O(api_url) when both come from the same "
        "source) and a warning says which.",
    )),
    Option("api_url", "str", env=("DD_API_URL",), vars=("datadog_api_url",), description=(
        "Full base URL of the Datadog API instead of O(site), for example a proxy or the collection's local emulator.",
        "Must be C(https://), except for loopback hosts (V(localhost), V(127.0.0.1), V(::1)) where C(http://) is allowed.",
        "Read from the environment variable E(DD_API_URL) when not set.",
    )),
    Option("validate_certs", "bool", default=True, vars=("datadog_validate_certs",), description=(
        "Verify the TLS certificate of the API endpoint.",
        "Only set this to V(false) for a trusted test endpoint with a self-signed certificate.",
    )),
    Option("timeout", "float", default=30, vars=("datadog_timeout",), description=(
        "Seconds to wait for each HTTP answer before the attempt counts as failed.",
    )),
    Option("retries", "int", default=3, vars=("datadog_retries",), description=(
        "How many times one request is tried again after HTTP 429 (rate limited), a 5xx answer, or a connection error.",
        "Reads, PUT, PATCH and DELETE requests are retried on all of these; a create (POST) is only retried when Datadog "
        "certainly did not process it (429, or no connection made), never blindly, so retries cannot create duplicates.",
    )),
    Option("retry_backoff", "float", default=1, description=(
        "Seconds before the first retry after a 5xx answer or connection error; each further retry waits twice as long.",
    )),
    Option("retry_max_wait", "float", default=60, description=(
        "The longest single wait between two attempts, in seconds. It caps both the exponential backoff and the "
        "E(X-RateLimit-Reset) wait after HTTP 429.",
    )),
)
OPTION_NAMES = tuple(option.name for option in OPTIONS)
_BY_NAME = dict((option.name, option) for option in OPTIONS)


def option(name):
    return _BY_NAME[name]


class ClientOptions(object):
    """Connection options after validation: what :class:`DatadogClient` reads. Build with :meth:`from_values` or
    :func:`resolve`. ``warnings`` are things the user should hear about (which of ``site``/``api_url`` is used)."""

    __slots__ = ("api_key", "app_key", "base_url", "validate_certs", "timeout", "retries", "retry_backoff",
                 "retry_max_wait", "site", "warnings")

    def __init__(self, api_key, app_key, base_url, validate_certs=True, timeout=30.0, retries=3, retry_backoff=1.0,
                 retry_max_wait=60.0, site=None, warnings=()):
        self.api_key = api_key
        self.app_key = app_key
        self.base_url = base_url
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.retry_max_wait = retry_max_wait
        self.site = site
        self.warnings = list(warnings)

    def fingerprint(self):
        """Identifies the key pair without holding it (for caches keyed by who is asking)."""
        digest = hashlib.sha256()
        for value in (self.api_key, self.app_key):
            digest.update(("%s\0" % (value or "")).encode("utf-8"))
        return digest.hexdigest()

    def __repr__(self):
        return "ClientOptions(base_url=%r, api_key=<hidden>, app_key=<hidden>)" % self.base_url

    @classmethod
    def from_values(cls, require_app_key=True, origins=None, **values):
        """Validate option values (``None`` = not set: the default applies) and return options.

        ``origins`` names where each value came from (``{"site": "environment variable DD_SITE"}``), for the warning
        when both ``site`` and ``api_url`` are set. Raises :class:`InputError` naming the option and what it allows.
        """
        unknown = sorted(set(values) - set(OPTION_NAMES))
        if unknown:
            raise TypeError("unknown connection option(s) %s" % ", ".join(unknown))
        for name in OPTION_NAMES:
            if values.get(name) is None:
                values[name] = _BY_NAME[name].default
        api_key, app_key = values["api_key"], values["app_key"]
        if not api_key:
            raise InputError("api_key is required: set the api_key option or the DD_API_KEY (or DATADOG_API_KEY) "
                             "environment variable")
        if require_app_key and not app_key:
            raise InputError("app_key is required: set the app_key option or the DD_APP_KEY (or DATADOG_APP_KEY) "
                             "environment variable")
        for name, value in (("api_key", api_key), ("app_key", app_key)):
            if value is not None and (not isinstance(value, str) or not value.strip() or _has_control_chars(value)):
                raise InputError("%s must be a non-empty string without spaces or control characters" % name)
            if value is not None and not value.isascii():
                raise InputError("%s must be ASCII (Datadog keys are letters and digits); it holds other characters"
                                 % name)
        warnings = []
        if values["api_url"] and values["site"]:
            used, ignored = _stronger_of_site_and_api_url(origins or {})
            warnings.append("both site and api_url are set: %s (%s) is used, %s (%s) is ignored"
                            % (used, (origins or {}).get(used, TASK), ignored, (origins or {}).get(ignored, TASK)))
            values[ignored] = None
        if values["api_url"]:
            base_url = normalize_api_url(values["api_url"])
            site = None
        else:
            site = normalize_site(values["site"])
            base_url = "https://api.%s" % site
        validate_certs = validate_bool("validate_certs", values["validate_certs"])
        if not validate_certs:
            warnings.append("validate_certs is false: the TLS certificate of %s is not verified, so anyone on the network "
                            "path can read the keys; use this only for a trusted test endpoint" % base_url)
        return cls(
            api_key=api_key.strip(),
            app_key=app_key.strip() if app_key else None,
            base_url=base_url,
            validate_certs=validate_certs,
            timeout=float(validate_number("timeout", values["timeout"], minimum=0, exclusive=True, maximum=MAX_SECONDS)),
            retries=validate_number("retries", values["retries"], integer=True, minimum=0, maximum=MAX_RETRIES),
            retry_backoff=float(validate_number("retry_backoff", values["retry_backoff"], minimum=0, maximum=MAX_SECONDS)),
            retry_max_wait=float(validate_number("retry_max_wait", values["retry_max_wait"], minimum=0,
                                                 maximum=MAX_SECONDS)),
            site=site,
            warnings=warnings,
        )


#: The sources of option values, strongest first (lookups have variables; modules do not).
TASK, VARIABLE, ENVIRONMENT = "task option", "variable", "environment variable"


def resolve(given, variables=None, environ=None, require_app_key=True, given_as=TASK):
    """Validated :class:`ClientOptions` from the values a task gave (``given``: option name → value, ``None`` = not
    given), the Ansible ``variables`` (lookups) and the environment ``environ``, in that order of precedence.

    Raises :class:`InputError` naming the option and what it allows.
    """
    found = sources(given, variables, environ, given_as)
    values = dict((name, value) for name, (value, dummy) in found.items())
    origins = dict((name, origin) for name, (dummy, origin) in found.items())
    return ClientOptions.from_values(require_app_key=require_app_key, origins=origins, **values)


def sources(given=None, variables=None, environ=None, given_as=TASK):
    """``{name: (value, origin)}`` for every option set somewhere: the task's own value (``given_as``; an empty string
    given counts, and is refused where a value is required), else the first of its Ansible variables, else the first
    of its environment variables that is set and not empty."""
    found = {}
    for entry in OPTIONS:
        value_and_origin = source(entry, given, variables, environ, given_as)
        if value_and_origin is not None:
            found[entry.name] = value_and_origin
    return found


def source(entry, given=None, variables=None, environ=None, given_as=TASK):
    """``(value, origin)`` of one :class:`Option` (also one a module declares for itself, such as
    ``app_key_id``), by the rule of :func:`sources`; ``None`` when it is set nowhere."""
    candidates = [(given or {}, entry.name, given_as, True)]
    candidates.extend((variables or {}, name, "%s %s" % (VARIABLE, name), False) for name in entry.vars)
    candidates.extend((environ or {}, name, "%s %s" % (ENVIRONMENT, name), False) for name in entry.env)
    for mapping, key, origin, empty_counts in candidates:
        value = mapping.get(key)
        if value is not None and (empty_counts or value != ""):
            return value, origin
    return None


def _stronger_of_site_and_api_url(origins):
    """``(used, ignored)``: the option from the stronger source is used, ``api_url`` when both are as strong."""
    def rank(name):
        origin = origins.get(name, TASK)
        return min([index for index, kind in enumerate((TASK, VARIABLE, ENVIRONMENT)) if origin.startswith(kind)] or [0])
    if rank("site") < rank("api_url"):
        return "site", "api_url"
    return "api_url", "site"


def key_values(options):
    """The key values of validated options, for Ansible's ``no_log_values``."""
    return [value for value in (options.api_key, options.app_key) if value]


def given_url_secrets(given=None, variables=None, environ=None, given_as=TASK):
    """:func:`url_secrets` of the ``api_url`` and ``site`` values found where :func:`sources` looks (the task's own,
    the variables, the environment), before anything is validated."""
    found = sources(given, variables, environ, given_as)
    values = []
    for name in ("api_url", "site"):
        values.extend(url_secrets(found.get(name, (None, None))[0]))
    return values


def normalize_site(site):
    """Return the Datadog site for ``site`` (``None`` → the default); refuse anything unknown."""
    if site is None or site == "":
        return DEFAULT_SITE
    if not isinstance(site, str):
        raise InputError("site must be a string, one of: %s" % ", ".join(SITES))
    value = site.strip().lower()
    # A URL, or anything but a host name, is not echoed: it may hold a credential.
    if "://" in value:
        raise InputError("site must be a Datadog site name such as datadoghq.eu, not a URL; use api_url for a full URL")
    if not _HOST.match(value):
        raise InputError("site is not a Datadog site (it is not a host name; its value is not shown); allowed: %s (or the "
                         "short names %s)" % (", ".join(SITES), ", ".join(sorted(SITE_ALIASES))))
    value = SITE_ALIASES.get(value, value)
    if value.startswith("app.") or value.startswith("api."):
        value = value[4:]
    if value not in SITES:
        raise InputError("site %r is not a Datadog site; allowed: %s (or the short names %s)"
                         % (site, ", ".join(SITES), ", ".join(sorted(SITE_ALIASES))))
    return value


def normalize_api_url(api_url):
    """Validate a full API URL: https anywhere, plain http only for loopback hosts; no credentials, query or fragment.

    The URL is never echoed (it may hold a credential): a refusal names the part that is wrong. Credentials and the
    query string are checked first, before anything that could fail on them.
    """
    if not isinstance(api_url, str):
        raise InputError("api_url must be a URL string such as https://api.datadoghq.eu")
    value = api_url.strip()
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        raise InputError("api_url must not contain spaces, line breaks or control characters")
    if "\\" in value:
        # Browsers and URL libraries disagree on a backslash: some read it as '/', ending the host there.
        raise InputError("api_url must not contain a backslash; write the URL with '/' only")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise InputError("api_url is not a valid URL (its host part cannot be read); write it as "
                         "https://<host>[:<port>][/<path>]") from None
    if "@" in parts.netloc or "@" in _authority(value):
        raise InputError("api_url must not contain credentials (a user or password before '@' in its host part); pass "
                         "the keys in api_key and app_key")
    if "?" in value or "#" in value:
        query = "?" in value.split("#", 1)[0]
        raise InputError("api_url must not contain a %s; keys and other parameters are never passed in the URL (use "
                         "api_key and app_key)" % ("query string ('?...')" if query else "fragment ('#...')"))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InputError("api_url must be an https:// URL such as https://api.datadoghq.eu (its scheme or host part "
                         "is missing or not https:// / http://)")
    host = parts.hostname
    if not host or (not _HOST.match(host) and not _is_ip(host)):
        raise InputError("api_url must name a host of letters, digits, '.', '-' and '_' or an IP address; its host "
                         "part holds something else")
    try:
        parts.port  # pylint: disable=pointless-statement  # raises ValueError for a bad port
    except ValueError:
        raise InputError("api_url has a port that is not a number from 0 to 65535") from None
    if parts.scheme == "http" and not is_loopback(host):
        raise InputError("api_url uses plain http:// for a host that is not a loopback address; http:// is only allowed "
                         "for loopback hosts (localhost, 127.0.0.0/8, ::1), use https://")
    return "%s://%s%s" % (parts.scheme, parts.netloc, parts.path.rstrip("/"))


def url_secrets(api_url):
    """The parts of ``api_url`` that may be credentials (a user, a password, the query string and each of its values,
    a fragment), for the task's ``no_log`` values: a refused URL must not show them anywhere, not even in the task's
    ``invocation``."""
    if not isinstance(api_url, str) or not api_url:
        return []
    found = []
    try:
        parts = urlsplit(api_url.strip())
    except ValueError:
        parts = None
    if parts is not None:
        found.append(parts.query)
        found.extend(value for pair in parts.query.split("&") for value in pair.split("=")[1:])
        found.append(parts.fragment)
    # Whatever urlsplit made of it: everything after a '?' or a '#', and the user information before an '@'.
    for mark in ("?", "#"):
        if mark in api_url:
            found.append(api_url.split(mark, 1)[1])
    for authority in (parts.netloc if parts is not None else "", _authority(api_url.strip())):
        if "@" in authority:
            userinfo = authority.rpartition("@")[0]
            found.extend([userinfo] + userinfo.split(":"))
    return sorted(set(value for value in found if value and len(value) >= 3), key=len, reverse=True)


def _authority(url):
    """The part of ``url`` that names the host (and any user information), however malformed the URL is: after the
    scheme's ``//`` (or from the start), up to the path, query or fragment."""
    rest = url.split("//", 1)[1] if "//" in url else url
    for mark in ("/", "?", "#"):
        rest = rest.split(mark, 1)[0]
    return rest


_HOST = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$")


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _has_control_chars(value):
    return any(ord(char) < 32 or char == "\x7f" for char in value) or " " in value.strip()
