# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # The connection options every ddops.datadog module and lookup shares. They are defined once, in
    # plugins/module_utils/_connection_options.py (OPTIONS); a unit test holds this fragment to that table.
    DOCUMENTATION = r"""
options:
  api_key:
    description:
      - Datadog API key.
      - Read from the environment variables E(DD_API_KEY) and then E(DATADOG_API_KEY) when not set.
      - Never put it in plain text in a playbook; use Ansible Vault, an AWX credential or the environment.
    type: str
  app_key:
    description:
      - Datadog application key (the key itself, not its ID).
      - Read from the environment variables E(DD_APP_KEY) and then E(DATADOG_APP_KEY) when not set.
      - Action connection endpoints only accept an application key that is registered for the Actions API, see
        M(ddops.datadog.datadog_app_key_registration).
    type: str
  site:
    description:
      - The Datadog site of your organization, for example V(datadoghq.eu) or V(us5.datadoghq.com).
      - One of V(datadoghq.com), V(us3.datadoghq.com), V(us5.datadoghq.com), V(ap1.datadoghq.com),
        V(ap2.datadoghq.com), V(uk1.datadoghq.com), V(datadoghq.eu), V(ddog-gov.com), V(us2.ddog-gov.com); the short
        names V(us1), V(us3), V(us5), V(ap1), V(ap2), V(uk1), V(eu) are accepted too. Anything else is refused before
        any request.
      - Read from the environment variable E(DD_SITE) when not set; the default is V(datadoghq.com).
      - The API is then reached at C(https://api.<site>).
      - O(site) and O(api_url) name the same thing. When both are set, the one from the stronger source is used (a
        task option or lookup keyword, then a variable, then the environment; O(api_url) when both come from the same
        source) and a warning says which.
    type: str
  api_url:
    description:
      - Full base URL of the Datadog API instead of O(site), for example a proxy or the collection's local emulator.
      - Must be C(https://), except for loopback hosts (V(localhost), V(127.0.0.1), V(::1)) where C(http://) is
        allowed.
      - Read from the environment variable E(DD_API_URL) when not set.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the API endpoint.
      - Only set this to V(false) for a trusted test endpoint with a self-signed certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer before the attempt counts as failed.
    type: float
    default: 30
  retries:
    description:
      - How many times one request is tried again after HTTP 429 (rate limited), a 5xx answer, or a connection error.
      - Reads, PUT, PATCH and DELETE requests are retried on all of these; a create (POST) is only retried when
        Datadog certainly did not process it (429, or no connection made), never blindly, so retries cannot create
        duplicates.
    type: int
    default: 3
  retry_backoff:
    description:
      - Seconds before the first retry after a 5xx answer or connection error; each further retry waits twice as long.
    type: float
    default: 1
  retry_max_wait:
    description:
      - The longest single wait between two attempts, in seconds. It caps both the exponential backoff and the
        E(X-RateLimit-Reset) wait after HTTP 429.
    type: float
    default: 60
requirements:
  - requests >= 2.32.0 and urllib3 >= 1.26.0 (Python libraries on the host that runs the plugin)
notes:
  - All plugins of this collection send every request through one HTTP client that keeps the connection alive,
    honours Datadog's E(X-RateLimit-Reset) header and never logs keys.
"""

    # Lookups additionally read variables and the environment through their option system.
    PLUGINS = r"""
options:
  api_key:
    env:
      # The last variable listed wins: DD_API_KEY over DATADOG_API_KEY, as for modules.
      - name: DATADOG_API_KEY
      - name: DD_API_KEY
    vars:
      - name: datadog_api_key
  app_key:
    env:
      # The last variable listed wins: DD_APP_KEY over DATADOG_APP_KEY, as for modules.
      - name: DATADOG_APP_KEY
      - name: DD_APP_KEY
    vars:
      - name: datadog_app_key
  site:
    env:
      - name: DD_SITE
    vars:
      - name: datadog_site
  api_url:
    env:
      - name: DD_API_URL
    vars:
      - name: datadog_api_url
  validate_certs:
    vars:
      - name: datadog_validate_certs
  timeout:
    vars:
      - name: datadog_timeout
  retries:
    vars:
      - name: datadog_retries
"""
