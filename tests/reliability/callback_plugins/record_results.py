# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only callback: append every task result as one JSON line to the file named by ``DDOPS_RECORD``."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Write every task result as a JSON line (ddops.datadog reliability tests)
description:
  - Appends one JSON object per task result (task name, status, seconds, result) to the file named by E(DDOPS_RECORD).
requirements:
  - Enabled with E(ANSIBLE_CALLBACKS_ENABLED=record_results).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("DDOPS_RECORD")
        self._started = {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()  # pylint: disable=protected-access

    def _record(self, result, status):
        if not self._path:
            return
        task = result._task  # pylint: disable=protected-access
        started = self._started.get(task._uuid, time.monotonic())  # pylint: disable=protected-access
        entry = {"task": task.get_name(), "status": status, "seconds": round(time.monotonic() - started, 3),
                 "result": result._result}  # pylint: disable=protected-access
        with open(self._path, "a") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok")  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
