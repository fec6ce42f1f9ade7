# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Ansible glue shared by every ddops.datadog module.

Internal use only: not part of the collection's public interface.

Each module is a :class:`ModuleDefinition` (argument spec + run function). The run function works through a
:class:`ModuleHost`, which adds the shared connection options, builds the one :class:`DatadogClient` lazily
(so bad input fails before any request) and turns API errors into messages of the form
``Failed to <verb> <resource> <id>: HTTP <status>: <detail>``. :class:`DatadogModule` is the host inside a
module process; the action plugins provide a controller-side host for the same run functions.
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


class ModuleHost(object):
    """What a module's run function needs, whoever runs it.

    Two hosts exist: :class:`DatadogModule` (an ``AnsibleModule`` in the module's own process, the documented
    interface and the path for remote hosts) and the controller host of the collection's action plugins
    (``plugins/plugin_utils/_action.py``), which validates the same argument spec with the same no_log rules and
    runs the same function in the controller process. Subclasses provide ``params``, ``check_mode``,
    ``diff_mode``, ``name``, :meth:`add_no_log_values`, :meth:`warn`, :meth:`_fail` and :meth:`_exit`.
    """

    runner = "module"  # named in the User-Agent: "module" or "in-process"
    _client = None
    _options = None
    _session = None

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
            self._client = DatadogClient(self.connection_options(), user_agent_extra=self._user_agent_extra(),
                                         session=self._session)
        return self._client

    def _user_agent_extra(self):
        from ansible.module_utils.ansible_release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
        return "ansible-core %s; %s %s" % (ansible_version, self.runner, self.name)

    def shared(self, key, factory):
        """State shared with the other loop items of this task (the action plugin's host shares it); here, a new
        ``factory()`` every time: a module process runs one item."""
        return factory()

    def fail(self, msg, **result):
        self._warn_about_retries()
        self._fail(msg, **result)

    def fail_api(self, error, action, **result):
        """Fail with ``<action>: <the API error in one line>``, e.g. ``Failed to register application key X: HTTP 403: ...``."""
        if isinstance(error, DatadogAPIError):
            result.setdefault("status", error.status)
            if error.request_id:
                result.setdefault("request_id", error.request_id)
        self.fail("%s: %s" % (action, error), **result)

    def exit(self, **result):
        self._warn_about_retries()
        self._exit(**result)

    def _warn_about_retries(self):
        """Rate limiting and transient failures are worth knowing about even when the task succeeded."""
        summary = self._client.retry_summary() if self._client is not None else None
        if summary:
            self.warn(summary)


class DatadogModule(ModuleHost):
    """An ``AnsibleModule`` with the Datadog connection options and one lazily built client."""

    def __init__(self, argument_spec, name=None, raw_params=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self.name = name or self.module._name  # pylint: disable=protected-access
        self.raw_params = raw_params

    @property
    def params(self):
        return self.module.params

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff  # pylint: disable=protected-access

    def add_no_log_values(self, values):
        self.module.no_log_values.update(values)

    def warn(self, msg):
        self.module.warn(msg)

    def _fail(self, msg, **result):
        self.module.fail_json(msg=msg, **result)

    def _exit(self, **result):
        self.module.exit_json(**result)


class ModuleDefinition(object):
    """One module: its name, argument spec, AnsibleModule constraints and run function.

    ``argument_spec(raw_params)`` returns the module's own options (the connection options are added here);
    ``raw_params`` are the arguments as given, or None for documentation tools. ``run(host)`` does the work
    through a :class:`ModuleHost` and ends with ``host.exit(...)`` or ``host.fail(...)``. The module file's
    ``main()`` calls :meth:`main`; the action plugin of the same name runs ``run`` in the controller.
    """

    def __init__(self, name, argument_spec, run, wants_raw_params=False, **module_kwargs):
        self.name = name
        self._argument_spec = argument_spec
        self.run = run
        self.wants_raw_params = wants_raw_params
        self.module_kwargs = module_kwargs

    def argument_spec(self, raw_params=None):
        """The full argument spec: the connection options and the module's own."""
        spec = connection_argument_spec()
        spec.update(self._argument_spec(raw_params))
        return spec

    def main(self):
        raw_params = _raw_module_arguments() if self.wants_raw_params else None
        module = DatadogModule(argument_spec=self._argument_spec(raw_params), name=self.name, raw_params=raw_params,
                               **self.module_kwargs)
        self.run(module)


def _raw_module_arguments():
    """The module arguments before validation (see ``_action_connection.argument_spec``), or None."""
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    try:
        return basic._load_params()  # pylint: disable=protected-access
    except Exception:  # pylint: disable=broad-exception-caught  # a future ansible-core: fall back to the plain spec
        return None
