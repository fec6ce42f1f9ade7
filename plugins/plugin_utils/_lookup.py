# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base class for ddops.datadog lookups.

Internal use only: not part of the collection's public interface.

Options, including the shared connection options, are read only through ``set_options``/``get_option``,
so the documented precedence holds: keyword > variables > environment > default. Where each connection option came
from (for the warning when both ``site`` and ``api_url`` are set) is worked out from the same table
(``module_utils/_connection_options.py``) that the doc fragment is checked against.
"""

from __future__ import annotations

import os

from collections.abc import Mapping

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible.release import __version__ as ansible_version
from ansible.utils.display import Display

from ansible_collections.ddops.datadog.plugins.module_utils._api import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import OPTION_NAMES, OPTIONS, ClientOptions, sources
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError

# The keys a lookup cannot do without (a missing one is named with every place it can come from).
KEY_OPTIONS = ("api_key", "app_key")

# Keywords ansible-core 2.19+ passes to lookups although they are not lookup options.
IGNORED_KEYWORDS = frozenset(("allow_unsafe",))

# Values that are certainly not a key, by the kind a message names: refused before Ansible's own type check, whose
# message would show the value. (A vault-encrypted value is not a str either, but it is none of these: Ansible
# decrypts it as usual.)
_NOT_A_STRING = ((Mapping, "a dict"), ((list, tuple, set, frozenset), "a list"), (bool, "a boolean"), ((int, float), "a number"))

display = Display()


class DatadogLookupBase(LookupBase):
    """Reads the connection options and builds the one client of a lookup run."""

    _given = ({}, {})  # the keywords and (templated) variables of the last set_options, for the options' origins

    def set_options(self, task_keys=None, var_options=None, direct=None):
        check_string_options(direct, var_options)
        self._given = (dict(direct or {}), dict(var_options or {}))
        super(DatadogLookupBase, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)

    def connection_options(self):
        """Validated connection options; :class:`AnsibleLookupError` on bad input, before any request."""
        if not HAS_REQUESTS:
            raise AnsibleLookupError(
                "the %s lookup needs the Python library 'requests' on the controller: %s"
                % (self.plugin_name(), to_native(REQUESTS_IMPORT_ERROR))
            )
        keywords, variables = self._given
        origins = dict((name, origin) for name, (dummy, origin) in
                       sources(keywords, variables, os.environ, given_as="keyword").items())
        for option in OPTIONS:
            if option.name in KEY_OPTIONS and not self.get_option(option.name):
                raise AnsibleLookupError("%s: %s" % (self.plugin_name(), missing_key_message(option)))
        try:
            options = ClientOptions.from_values(origins=origins, **dict((name, self.get_option(name)) for name in OPTION_NAMES))
        except InputError as exc:
            raise AnsibleLookupError("%s: %s" % (self.plugin_name(), exc)) from None
        for warning in options.warnings:
            display.warning("%s: %s" % (self.plugin_name(), warning))
        return options

    def check_keywords(self, kwargs):
        """Refuse keywords that are not options (a typo like ``limt=5`` must not be silently ignored)."""
        options = set(self.option_definitions) - set(("_terms",))
        unknown = sorted(set(kwargs) - options - IGNORED_KEYWORDS)
        if unknown:
            raise InputError("unknown option%s %s; the options are: %s"
                             % ("s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(sorted(options))))

    def option_variables(self, variables):
        """The variables that feed options (``datadog_api_key``, ...), templated.

        ansible-core hands lookups the task variables untemplated, so ``datadog_api_key: "{{ vault_datadog_api_key }}"``
        would arrive as that text. Only the variables named in the option definitions are templated and passed on.
        """
        if not variables:
            return variables
        names = set(entry["name"] for definition in self.option_definitions.values() for entry in definition.get("vars") or ())
        selected = dict((name, variables[name]) for name in names if name in variables)
        if self._templar is not None:
            selected = dict((name, self._templar.template(value)) for name, value in selected.items())
        return selected

    def client(self, options=None):
        return DatadogClient(options or self.connection_options(),
                             user_agent_extra="ansible-core %s; lookup %s" % (ansible_version, self.plugin_name()))

    def warn_about_retries(self, client):
        """One warning when requests had to be retried (rate limiting, transient failures), as modules do."""
        summary = client.retry_summary()
        if summary:
            display.warning("%s: %s" % (self.plugin_name(), summary))

    def plugin_name(self):
        return getattr(self, "ansible_name", None) or "ddops.datadog lookup"


def missing_key_message(option):
    """``api_key is required: ...``: the keyword, the Ansible variables and the environment variables that can set it."""
    places = ["the %s option" % option.name]
    places += ["the variable %s" % name for name in option.vars]
    places += ["the environment variable %s" % " (or ".join(option.env) + ")" * (len(option.env) - 1)] if option.env else []
    return "%s is required: set %s or %s" % (option.name, ", ".join(places[:-1]), places[-1])


def check_string_options(keywords, variables):
    """Refuse a string connection option given as a keyword or a variable whose value is not a string, with
    :class:`InputError` naming the option and only the kind of value it got: for a secret (``api_key``, ``app_key``)
    anything but a string (a dict, a list, a number, ...), for ``site`` and ``api_url`` a dict or a list.

    Ansible's option check would refuse them too, but with the value - for a secret, the key - in its message, and
    (ansible-core 2.19+) without saying that a string was expected.
    """
    for option in OPTIONS:
        if option.type != "str":
            continue
        given = [(option.name, (keywords or {}).get(option.name))]
        given += [("%s (variable %s)" % (option.name, name), (variables or {}).get(name)) for name in option.vars]
        for where, value in given:
            for types, kind in _NOT_A_STRING if option.no_log else _NOT_A_STRING[:2]:
                if isinstance(value, types):
                    if option.no_log:
                        raise InputError("%s must be a string (the key itself), got %s; its value is not shown" % (where, kind))
                    raise InputError("%s must be a string, got %s" % (where, kind))
