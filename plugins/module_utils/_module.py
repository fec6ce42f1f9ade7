# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Ansible glue shared by every ddops.datadog module.

Internal use only: not part of the collection's public interface.

A module file declares a :class:`ModuleDefinition`: its own argument spec (the connection options are added here, from
the one table in ``_connection_options.py``) and a run function. The run function works through a :class:`ModuleHost`
and returns the result dict; the host builds the one :class:`DatadogClient` lazily (so bad input fails before any
request) and turns :class:`InputError` and :class:`TaskFailure` into the task's failure in one place
(:meth:`ModuleHost.execute`). :class:`DatadogModule` is the host inside a module process; the action plugins provide a
controller-side host for the same definitions (``plugins/plugin_utils/_action.py``).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys

# ``basic.AnsibleModule`` is looked up when a module starts, not bound at import: ansible-lint validates a task's
# arguments by running the module's main() with its own AnsibleModule patched into ``basic``.
from ansible.module_utils import basic

from ansible_collections.ddops.datadog.plugins.module_utils._api import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import (
    OPTION_NAMES,
    OPTIONS,
    given_url_secrets,
    key_values,
    normalize_api_url,
    normalize_site,
    resolve,
    url_secrets,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._validation import describe, kind_of


def connection_argument_spec():
    """The connection options as argument spec entries. Environment fallbacks are applied by ``resolve`` (not by
    Ansible) so that an explicit option always wins over the environment, also across ``site`` and ``api_url``."""
    spec = {}
    for option in OPTIONS:
        entry = dict(type=option.type, no_log=option.no_log)
        if option.default is not None:
            entry["default"] = option.default
        spec[option.name] = entry
    return spec


class ModuleHost(object):
    """What a module's run function needs, whoever runs it.

    Two hosts exist: :class:`DatadogModule` (an ``AnsibleModule`` in the module's own process, the documented
    interface and the path for remote hosts) and the controller host of the collection's action plugins, which
    validates the same argument spec with the same no_log rules and runs the same function in the controller process.
    Subclasses provide ``params``, ``check_mode``, ``diff_mode``, ``name``, ``no_log_values`` (a set),
    :meth:`warn`, :meth:`_fail` and :meth:`_exit`.
    """

    runner = "module"  # named in the User-Agent: "module" or "in-process"
    _client = None
    _options = None
    _sessions = None  # validate_certs -> a session to reuse (the action plugins'), or None: a new session

    def execute(self, run):
        """Run ``run(host)`` and end the task: its result, or the failure of an :class:`InputError` (bad input, no
        request made) or a :class:`TaskFailure` (with its result keys such as ``status``)."""
        try:
            result = run(self)
        except InputError as exc:
            self.fail(str(exc))
        except TaskFailure as exc:
            self.fail(str(exc), **exc.result)
        else:
            self.finish(result)

    def connection_options(self):
        """The validated connection options (no request is made); :class:`InputError` on bad input."""
        if self._options is None:
            given = dict((name, self.params.get(name)) for name in OPTION_NAMES)
            # A credential in api_url (refused below) must not show in the result, not even in its invocation.
            self.add_no_log_values(given_url_secrets(given, environ=os.environ))
            options = resolve(given, environ=os.environ)
            self.add_no_log_values(key_values(options))  # keys read from the environment too
            for warning in options.warnings:
                self.warn(warning)
            self._options = options
        return self._options

    @property
    def client(self):
        if self._client is None:
            options = self.connection_options()
            session = self._sessions(options.validate_certs) if self._sessions is not None else None
            self._client = DatadogClient(options, user_agent_extra=self._user_agent_extra(), session=session)
            self._client.add_secrets(self.no_log_values)  # scrubbed from every answer text that reaches a message
        return self._client

    def add_no_log_values(self, values):
        """Values never to show: masked in the result like ``no_log`` options, scrubbed from answer texts."""
        values = [value for value in values if value]
        self.no_log_values.update(values)
        if self._client is not None:
            self._client.add_secrets(values)

    def _user_agent_extra(self):
        from ansible.module_utils.ansible_release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
        return "ansible-core %s; %s %s" % (ansible_version, self.runner, self.name)

    def shared(self, key, factory):
        """State shared with the other loop items of this task (the action plugin's host shares it); here, a new
        ``factory()`` every time: a module process runs one item."""
        return factory()

    def finish(self, result):
        """End the task with ``result``: its ``warnings`` go to the host, ``diff`` only in diff mode."""
        for warning in result.pop("warnings", ()):
            self.warn(warning)
        diff = result.pop("diff", None)
        if self.diff_mode and diff is not None:
            result["diff"] = diff
        self._warn_about_retries()
        self._exit(**result)

    def fail(self, msg, **result):
        self._warn_about_retries()
        self._fail(msg, **result)

    def _warn_about_retries(self):
        """Rate limiting and transient failures are worth knowing about even when the task succeeded."""
        summary = self._client.retry_summary() if self._client is not None else None
        if summary:
            self.warn(summary)


class DatadogModule(ModuleHost):
    """An ``AnsibleModule`` with the Datadog connection options and one lazily built client."""

    def __init__(self, argument_spec, name=None, **kwargs):
        self.module = basic.AnsibleModule(argument_spec=argument_spec, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=basic.missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self.name = name or self.module._name  # pylint: disable=protected-access

    @property
    def params(self):
        return self.module.params

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff  # pylint: disable=protected-access

    @property
    def no_log_values(self):
        return self.module.no_log_values

    def warn(self, msg):
        self.module.warn(msg)

    def _fail(self, msg, **result):
        self.module.fail_json(msg=msg, **result)

    def _exit(self, **result):
        self.module.exit_json(**result)


class ModuleDefinition(object):
    """One module: its name, its own argument spec, AnsibleModule constraints and run function.

    ``run(host)`` does the work through a :class:`ModuleHost` and returns the result dict (``warnings`` and ``diff``
    included); it raises :class:`InputError` or :class:`TaskFailure` to fail. The module file's ``main()`` calls
    :meth:`main`; the action plugin of the same name runs the same definition in the controller.
    """

    def __init__(self, name, argument_spec, run, explain_unsupported=None, **module_kwargs):
        self.name = name
        self._argument_spec = argument_spec
        self.run = run
        self.explain_unsupported = explain_unsupported or {}
        self.module_kwargs = module_kwargs

    def argument_spec(self):
        """The full argument spec: the connection options and the module's own."""
        spec = connection_argument_spec()
        spec.update(self._argument_spec)
        return spec

    def unsupported(self, params):
        """The message refusing arguments Ansible would accept badly, or ``None`` (see :func:`argument_problems`).

        Unknown top-level options are named Ansible's way. Problems inside an option may be worded better by the
        module's ``explain_unsupported[option](params)`` (what is allowed where).
        """
        problem = url_problem(params)
        if problem:
            return problem
        unknown, wrong = argument_problems(params, self.argument_spec())
        if not unknown and not wrong:
            return None
        top = [path for path in unknown if _option_of(path) == path]
        messages = []
        if top:
            messages.append("Unsupported parameters for (%s) module: %s. Supported parameters include: %s."
                            % (self.name, ", ".join(top), ", ".join(sorted(self.argument_spec()))))
        problems = {}
        for path in unknown:
            if path not in top:
                problems.setdefault(_option_of(path), []).append("Unsupported parameter: %s." % path)
        for problem in wrong:
            problems.setdefault(_option_of(problem), []).append(problem)
        for option, found in sorted(problems.items()):
            explain = self.explain_unsupported.get(option)
            explained = explain(params) if explain is not None else None
            messages.extend([explained] if explained else found)
        return " ".join(messages)

    def main(self):
        refusal = self.unsupported(_module_arguments())
        if refusal:
            _fail_without_arguments(refusal)
        host = DatadogModule(self.argument_spec(), name=self.name, **self.module_kwargs)
        host.execute(self.run)


def argument_problems(params, spec, prefix=""):
    """``(unknown, wrong)``: the paths of the options in ``params`` that ``spec`` does not know, also inside options
    with suboptions (``integration.credentials.api_tokn``), and the options whose value has the wrong shape (a dict
    or list where a string is expected, a string where a dict is expected).

    Checked before Ansible validates the arguments: Ansible would refuse unknown options too, but it echoes every
    argument it does not know (in ``invocation``) and cannot know that a misspelt ``api_tokn`` holds a secret; and it
    turns a dict given for a string option into the text ``"{'a': 1}"``; a NUL byte in a string or an infinite number
    makes a module process fail before any check of ours. The messages name paths and kinds only, never a value (but
    for a non-finite number). A string holding a template (ansible-lint checks tasks before templating) is left to Ansible.
    """
    unknown, wrong = [], []
    for name, value in sorted((params or {}).items()):
        if name.startswith("_ansible_"):
            continue
        path = prefix + name
        option = spec.get(name)
        if option is None:
            unknown.append(path)
            continue
        if value is None or _is_template(value):
            continue
        kind = option.get("type", "str")
        if kind == "list":
            if not isinstance(value, list) and (option.get("options") or isinstance(value, dict)):
                wrong.append("%s must be a list, got a %s." % (path, kind_of(value)))
                continue
            elements = [("%s[%d]" % (path, index), element) for index, element in enumerate(value)] \
                if isinstance(value, list) else []
            kind = option.get("elements")
        else:
            elements = [(path, value)]
        for where, element in elements:
            if element is None or _is_template(element):
                continue
            if option.get("options") and (kind == "dict" or kind is None):
                if isinstance(element, dict):
                    more_unknown, more_wrong = argument_problems(element, option["options"], where + ".")
                    unknown.extend(more_unknown)
                    wrong.extend(more_wrong)
                else:
                    wrong.append("%s must be a dict, got a %s." % (where, kind_of(element)))
            elif kind == "str" and isinstance(element, (dict, list)):
                wrong.append("%s must be a string, got a %s." % (where, kind_of(element)))
            elif kind == "str" and isinstance(element, str) and "\x00" in element:
                # A module process logs its arguments to syslog first, which fails on a NUL byte (ansible-core 2.19+).
                wrong.append("%s must not contain control characters (it holds a NUL byte)." % where)
            elif kind in ("int", "float") and isinstance(element, float) and not math.isfinite(element):
                # Ansible's int conversion crashes on infinity (ansible-core 2.19+).
                wrong.append("%s must be %s, got %s." % (where, "an integer" if kind == "int" else "a number", describe(element)))
    return unknown, wrong


def url_problem(params):
    """The refusal of an invalid ``api_url`` (or of a URL given as ``site``), or ``None``.

    Checked with the arguments, before Ansible sees them: a refused URL may hold a credential (a user or password, a
    key in its query string, a token pasted where the port or the host goes), and once Ansible has validated the
    arguments, a failure's ``invocation`` shows every option that is not ``no_log`` - a URL is not. The refusal names
    the part that is wrong, never the value.
    """
    api_url, site = (params or {}).get("api_url"), (params or {}).get("site")
    try:
        if isinstance(api_url, str) and api_url and not _is_template(api_url):
            normalize_api_url(api_url)
        if isinstance(site, str) and not _is_template(site) and url_secrets(site):
            normalize_site(site)
    except InputError as exc:
        return str(exc)
    return None


def unsupported_options(params, spec):
    """Every path :func:`argument_problems` finds (unknown options first)."""
    unknown, wrong = argument_problems(params, spec)
    return unknown + wrong


def _option_of(path):
    """The top-level option of a path such as ``integration.credentials.tokens[0].value`` (or of a message about it)."""
    return re.split(r"[.\[ ]", path, maxsplit=1)[0]


def _is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _module_arguments():
    """The module arguments before validation, or ``{}`` when this ansible-core does not expose them."""
    try:
        return basic._load_params()  # pylint: disable=protected-access
    except Exception:  # pylint: disable=broad-exception-caught  # a future ansible-core: Ansible's own check applies
        return {}


def _fail_without_arguments(msg):
    """Fail like ``fail_json`` but before ``AnsibleModule`` exists and without ``invocation``: the arguments may hold
    secrets under names no spec marks. (An ``AnsibleModule`` cannot fail with its own message before validating, and
    ansible-lint replaces it with a class that stops right after validation.)"""
    print(json.dumps({"failed": True, "msg": msg}))  # pylint: disable=ansible-bad-function
    sys.exit(1)  # pylint: disable=ansible-bad-function
