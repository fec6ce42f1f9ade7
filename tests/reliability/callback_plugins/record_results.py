# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only stdout callback: the default output, plus every result as one JSON line in the file ``DDOPS_RECORD``.

It is the stdout callback (not an extra one) so that it sees each result before the default handling removes its
``warnings`` (and before Display drops repeated warnings).
"""

from __future__ import annotations

import copy
import json
import os
import time

from ansible.plugins.callback.default import CallbackModule as DefaultCallback

DOCUMENTATION = r"""
name: record_results
type: stdout
short_description: Default output plus every task and loop-item result as JSON lines (ddops.datadog tests)
description:
  - Appends one JSON object per result (task name, status, seconds since the task started, when it ended, host, item
    or not, result) to the file named by E(DDOPS_RECORD), then shows the result like the default callback.
extends_documentation_fragment:
  - default_callback
  - result_format_callback
requirements:
  - Set E(ANSIBLE_STDOUT_CALLBACK=record_results).
"""


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "record_results"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("DDOPS_RECORD")
        self._started = {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()  # pylint: disable=protected-access
        super().v2_playbook_on_task_start(task, is_conditional)

    def _record(self, result, status, item=False):
        if not self._path:
            return
        task = result._task  # pylint: disable=protected-access
        started = self._started.get(task._uuid, time.monotonic())  # pylint: disable=protected-access
        entry = {"task": task.get_name(), "status": status, "item": item, "seconds": round(time.monotonic() - started, 3),
                 "ended": time.time(), "host": result._host.get_name(),  # pylint: disable=protected-access
                 "result": copy.deepcopy(result._result)}  # pylint: disable=protected-access
        with open(self._path, "a") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    @staticmethod
    def _ok_status(result):
        return "changed" if result._result.get("changed") else "ok"  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record(result, self._ok_status(result))
        super().v2_runner_on_ok(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")
        super().v2_runner_on_failed(result, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")
        super().v2_runner_on_skipped(result)

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
        super().v2_runner_on_unreachable(result)

    def v2_runner_item_on_ok(self, result):
        self._record(result, self._ok_status(result), item=True)
        super().v2_runner_item_on_ok(result)

    def v2_runner_item_on_failed(self, result):
        self._record(result, "failed", item=True)
        super().v2_runner_item_on_failed(result)
