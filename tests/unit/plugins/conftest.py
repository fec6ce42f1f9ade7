# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the unit tests: run a module's ``main()`` for real and read its JSON result."""

from __future__ import annotations

import contextlib
import json
import tempfile

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.text.converters import to_bytes

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
    from ansible.module_utils import _internal as module_internals
except ImportError:  # ansible-core 2.17 and 2.18
    patch_module_args = None
    module_internals = None


@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pylint: disable=protected-access
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access


# The connection options' environment fallbacks: no unit test sees the environment of whoever runs the tests.
DATADOG_ENVIRONMENT = ("DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DATADOG_APP_KEY", "DD_SITE", "DD_API_URL",
                       "DD_APP_KEY_ID")


@pytest.fixture(autouse=True)
def clean_datadog_environment(monkeypatch):
    for name in DATADOG_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def own_lock_directory(monkeypatch, tmp_path):
    """Each test gets its own temporary directory, so the name locks (and what they record of a create whose
    outcome stayed unknown) never carry over from one test to the next."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture
def run_module(capsys, monkeypatch):
    """``run_module(main, args, check_mode=False, diff=False)`` → the module's result dict (exit or fail)."""
    if module_internals is not None:
        # ansible-core 2.19+ sends module warnings to the controller's display once controller code was imported in
        # the process (other tests do); a real module process never is the controller.
        monkeypatch.setattr(module_internals, "is_controller", False, raising=False)

    def run(main, args, check_mode=False, diff=False):
        # A module process starts without warnings; here one process runs many modules, so forget the earlier ones'.
        for pending in (module_warnings._global_warnings, module_warnings._global_deprecations):  # pylint: disable=protected-access
            pending.clear()
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        capsys.readouterr()
        with module_args(args):
            with pytest.raises(SystemExit):
                main()
        out = capsys.readouterr().out
        return json.loads(out)

    return run


@pytest.fixture(params=["module", "in-process"])
def run_plugin(request, run_module):
    """``run_plugin(module, args, check_mode=False, diff=False)``: the module's result, once through its ``main()``
    (an AnsibleModule, as on a remote host) and once in-process as its action plugin runs it on the controller."""
    from ansible_collections.ddops.datadog.plugins.plugin_utils._action import run_in_process  # pylint: disable=import-outside-toplevel

    def run(module, args, check_mode=False, diff=False):
        if request.param == "module":
            return run_module(module.main, args, check_mode=check_mode, diff=diff)
        result = run_in_process(module.MODULE, dict(args), check_mode=check_mode, diff_mode=diff)
        return json.loads(json.dumps(result))

    run.path = request.param
    return run
