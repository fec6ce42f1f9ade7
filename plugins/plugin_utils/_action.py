# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a ddops.datadog module's logic in the controller process (the action plugins of the same names).

Internal use only: not part of the collection's public interface.

A module started for every task or loop item costs far more than its HTTP requests (fork, interpreter,
AnsiballZ). These modules only talk HTTP to Datadog, so when the task runs on the controller anyway
(``connection: local``, e.g. ``hosts: localhost`` or ``delegate_to: localhost``) the action plugin validates the
task's arguments with Ansible's own argument spec validator (same spec, same no_log rules as the module),
runs the module's run function in-process and reuses one HTTP session across the loop items of the task. The loop
items of one task also share state the run function asks for (``ModuleHost.shared``): the action-connection list is
read once per looped task instead of once per item.

Otherwise it runs the module the normal way: on a remote host, with ``async``, with ``become``, when the
controller's Python cannot import ``requests``, or when the variable ``ddops_datadog_in_process`` is false
(the escape hatch).
"""

from __future__ import annotations

import contextlib
import os
import traceback

from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.ddops.datadog.plugins.module_utils._api import HAS_REQUESTS, DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._module import ModuleHost
from ansible_collections.ddops.datadog.plugins.plugin_utils._masking import remove_values_fast

IN_PROCESS_VARIABLE = "ddops_datadog_in_process"
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local", "ansible.legacy.local")

# One HTTP session per worker process and validate_certs value: the loop items of a task run one after another in the
# same worker, so they share its keep-alive connections. Each item still gets its own client (its own keys, options,
# counters). A session never serves both values: a pooled connection opened without certificate checks must not be
# reused by a task that checks them.
_SESSIONS = {}


def shared_session(validate_certs=True):
    """The worker's session for requests that do (or, with ``validate_certs=False``, do not) check certificates."""
    validate_certs = bool(validate_certs)
    if validate_certs not in _SESSIONS:
        _SESSIONS[validate_certs] = DatadogClient.new_session()
    return _SESSIONS[validate_certs]


# State the loop items of one task share (the list of action connections, read once per task). Keyed by task and host;
# a new task or host starts afresh, and tasks with ``until`` never share (each retry must read the API again).
_TASK_STATE = {}


def task_state(key):
    if _TASK_STATE.get("key") != key:
        _TASK_STATE.clear()
        _TASK_STATE.update(key=key, state={})
    return _TASK_STATE["state"]


class ModuleFinished(Exception):
    """Raised by the controller host when the run function exits or fails (AnsibleModule would ``sys.exit``)."""

    def __init__(self, result):
        super(ModuleFinished, self).__init__("module finished")
        self.result = result


@contextlib.contextmanager
def environment(values):
    """The task's ``environment:`` over the controller's, as a module process started for the task would see it."""
    saved = dict((name, os.environ.get(name)) for name in values)
    os.environ.update(dict((name, str(value)) for name, value in values.items()))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ControllerModule(ModuleHost):
    """A :class:`ModuleHost` in the controller: validates like ``AnsibleModule``, masks like ``exit_json``."""

    runner = "in-process"

    def __init__(self, definition, args, check_mode=False, diff_mode=False, sessions=None, shared_state=None):
        self.name = definition.name
        self._shared_state = shared_state if shared_state is not None else {}
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self._sessions = sessions
        self._warnings = []
        self.no_log_values = set()
        self.params = {}
        refusal = definition.unsupported(args)
        if refusal:  # refused before validation, without echoing any argument (see _module.unsupported_options)
            raise ModuleFinished({"failed": True, "changed": False, "msg": refusal})
        self.params = dict(args)
        kwargs = definition.module_kwargs
        validator = ModuleArgumentSpecValidator(
            definition.argument_spec(),
            kwargs.get("mutually_exclusive"), kwargs.get("required_together"), kwargs.get("required_one_of"),
            kwargs.get("required_if"), kwargs.get("required_by"))
        validation = validator.validate(self.params)
        self.params.update(validation.validated_parameters)
        self.no_log_values.update(validation._no_log_values)  # pylint: disable=protected-access
        try:
            error = validation.errors[0]
        except IndexError:
            error = None
        if error is not None:
            msg = validation.errors.msg
            if isinstance(error, UnsupportedError):
                msg = "Unsupported parameters for (%s) module: %s" % (self.name, msg)
            self._fail(msg)

    def shared(self, key, factory):
        if key not in self._shared_state:
            self._shared_state[key] = factory()
        return self._shared_state[key]

    def warn(self, msg):
        self._warnings.append(msg)

    def _fail(self, msg, **result):
        result["failed"] = True
        result["msg"] = msg
        self._exit(**result)

    def _exit(self, **result):
        result.setdefault("changed", False)
        result["invocation"] = {"module_args": self.params}
        if self._warnings:
            result["warnings"] = list(self._warnings)
        preserved = dict((key, value) for key, value in result.items() if value is None or isinstance(value, bool))
        result = remove_values_fast(result, self.no_log_values)  # remove_values, linear in the result's size
        result.update(preserved)
        raise ModuleFinished(result)


class DatadogAction(ActionBase):
    """Base of the collection's action plugins; subclasses set ``DEFINITION`` (a ``ModuleDefinition``)."""

    DEFINITION = None
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(DatadogAction, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        refusal = self.in_process_refusal(task_vars)
        if refusal is None:
            result = merge_hash(result, self._run_in_process(task_vars))
        else:
            self._display.vvvv("%s runs as a module (%s)" % (self.DEFINITION.name, refusal))
            result = merge_hash(result, self._run_module(task_vars))
        return result

    def in_process_refusal(self, task_vars):
        """Why the module logic cannot run in the controller process for this task, or None when it can."""
        setting = self._templar.template(task_vars.get(IN_PROCESS_VARIABLE, True))
        try:
            if not boolean(setting, strict=True):
                return "%s is false" % IN_PROCESS_VARIABLE
        except TypeError:
            return "%s is not a boolean: %r" % (IN_PROCESS_VARIABLE, setting)
        transport = getattr(self._connection, "transport", None)
        if transport not in LOCAL_CONNECTIONS:
            return "connection %s is not local" % transport
        if self._task.async_val:
            return "async"
        if self._play_context.become:
            return "become"
        if not HAS_REQUESTS:
            return "the controller's Python cannot import requests"
        return None

    def _run_in_process(self, task_vars):
        self._display.vvvv("%s runs in the controller process" % self.DEFINITION.name)
        task_environment = {}
        self._compute_environment_string(task_environment)
        return run_in_process(self.DEFINITION, self._task.args, check_mode=bool(self._task.check_mode),
                              diff_mode=bool(self._task.diff), task_environment=task_environment,
                              sessions=shared_session, shared_state=self._shared_state(task_vars))

    def _shared_state(self, task_vars):
        """What this loop item may share with the task's other items: nothing without a loop or with ``until``."""
        if not (self._task.loop or self._task.loop_with) or self._task.until:
            return {}
        return task_state((self._task._uuid, task_vars.get("inventory_hostname")))  # pylint: disable=protected-access

    def _run_module(self, task_vars):
        wrap_async = bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)
        result = self._execute_module(module_name=self.DEFINITION.name, task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result


def run_in_process(definition, args, check_mode=False, diff_mode=False, task_environment=None, sessions=None,
                   shared_state=None):
    """Validate ``args`` and run ``definition`` in this process; return the task result (never raises).

    ``sessions(validate_certs)`` gives the HTTP session to reuse for that ``validate_certs`` value (``None``: a new one).
    """
    host = None
    with environment(task_environment or {}):
        try:
            host = ControllerModule(definition, args, check_mode=check_mode, diff_mode=diff_mode, sessions=sessions,
                                    shared_state=shared_state)
            host.execute(definition.run)
            error = "%s ended without a result" % definition.name
        except ModuleFinished as finished:
            return finished.result
        except Exception as exc:  # pylint: disable=broad-exception-caught  # a bug: fail the task, masked
            if host is None:  # no no_log values known yet: do not echo anything from the arguments
                error = "%s failed unexpectedly while reading its arguments: %s" % (definition.name, type(exc).__name__)
            else:
                error = remove_values("%s failed unexpectedly: %s: %s" % (definition.name, type(exc).__name__, exc),
                                      host.no_log_values)
                return {"failed": True, "msg": error, "exception": remove_values(traceback.format_exc(), host.no_log_values)}
    return {"failed": True, "msg": error}
