# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark-only callback: per task, its time and how many loop items changed, were ok, skipped or failed.

Deliberately light (no copy of any result, one file written at the end), so that it adds next to nothing to the
times it measures; the default stdout callback still prints as usual.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Task times and loop-item outcomes as JSON (ddops.datadog benchmarks)
description:
  - At the end of the playbook, writes a JSON list to the file named by E(DDOPS_BENCH_RECORD) with one entry per task
    result (task name, seconds since the task started, and counts of changed, ok, skipped and failed loop items).
requirements:
  - Enabled with E(ANSIBLE_CALLBACKS_ENABLED=bench_timer).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("DDOPS_BENCH_RECORD")
        self._tasks = []
        self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._current = {"task": task.get_name(), "started": time.monotonic(), "seconds": None,
                         "status": None, "changed": 0, "ok": 0, "skipped": 0, "failed": 0}
        self._tasks.append(self._current)

    def _item(self, status):
        if self._current is not None:
            self._current[status] += 1

    def _done(self, status):
        if self._current is not None:
            self._current["seconds"] = round(time.monotonic() - self._current["started"], 4)
            self._current["status"] = status

    def v2_runner_item_on_ok(self, result):
        self._item("changed" if result._result.get("changed") else "ok")  # pylint: disable=protected-access

    def v2_runner_item_on_skipped(self, result):
        self._item("skipped")

    def v2_runner_item_on_failed(self, result):
        self._item("failed")

    def v2_runner_on_ok(self, result):
        self._done("changed" if result._result.get("changed") else "ok")  # pylint: disable=protected-access

    def v2_runner_on_skipped(self, result):
        self._done("skipped")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done("failed")

    def v2_runner_on_unreachable(self, result):
        self._done("unreachable")

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        for entry in self._tasks:
            entry.pop("started", None)
        with open(self._path, "w") as handle:
            json.dump(self._tasks, handle)
