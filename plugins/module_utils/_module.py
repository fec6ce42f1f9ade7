# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Ansible glue shared by every ddops.datadog module.

Internal use only: not part of the collection's public interface.

A module builds a :class:`DatadogModule` from its own argument spec; this class adds the shared connection
options, checks that ``requests`` is importable, builds the one :class:`DatadogClient` lazily (so bad input
fails before any request) and turns API errors into ``fail_json`` messages of the form
``Failed to <verb> <resource> <id>: HTTP <status>: <detail>``.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ClientOptions,
    DatadogAPIError,
    DatadogClient,
    InputError,
)


def connection_argument_spec():
    """The connection options, with the same names, types and fallbacks as the doc fragment."""
    return dict(
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["DD_API_KEY", "DATADOG_API_KEY"])),
        app_key=dict(type="str", no_log=True, fallback=(env_fallback, ["DD_APP_KEY", "DATADOG_APP_KEY"])),
        site=dict(type="str", fallback=(env_fallback, ["DD_SITE"])),
        api_url=dict(type="str", fallback=(env_fallback, ["DD_API_URL"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=3),
        retry_backoff=dict(type="float", default=1),
        retry_max_wait=dict(type="float", default=60),
    )


CONNECTION_OPTIONS = tuple(connection_argument_spec())


class DatadogModule(object):
    """An ``AnsibleModule`` with the Datadog connection options and one lazily built client."""

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self._client = None
        self._options = None

    @property
    def params(self):
        return self.module.params

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff  # pylint: disable=protected-access

    def connection_options(self):
        """Validate the connection options (no request is made); fail the task on bad input."""
        if self._options is None:
            try:
                self._options = ClientOptions.from_values(**dict((name, self.params[name]) for name in CONNECTION_OPTIONS))
            except InputError as exc:
                self.fail(str(exc))
        return self._options

    @property
    def client(self):
        if self._client is None:
            self._client = DatadogClient(self.connection_options(), user_agent_extra=self._user_agent_extra())
        return self._client

    def _user_agent_extra(self):
        from ansible.module_utils.ansible_release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
        return "ansible-core %s; module %s" % (ansible_version, self.module._name)  # pylint: disable=protected-access

    def fail(self, msg, **result):
        self._warn_about_retries()
        self.module.fail_json(msg=msg, **result)

    def fail_api(self, error, action, **result):
        """Fail with ``<action>: <the API error in one line>``, e.g. ``Failed to register application key X: HTTP 403: ...``."""
        if isinstance(error, DatadogAPIError):
            result.setdefault("status", error.status)
            if error.request_id:
                result.setdefault("request_id", error.request_id)
        self.fail("%s: %s" % (action, error), **result)

    def exit(self, **result):
        self._warn_about_retries()
        self.module.exit_json(**result)

    def _warn_about_retries(self):
        """Rate limiting and transient failures are worth knowing about even when the task succeeded."""
        summary = self._client.retry_summary() if self._client is not None else None
        if summary:
            self.module.warn(summary)
