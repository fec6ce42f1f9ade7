# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only action: replace the fault rules of the emulator the play runs against (ddops.datadog reliability tests).

``emulator_faults: {rules: [...]}`` returns the rules that were active until then (``previous``, each with how many
faults it ``injected``) and replaces them with ``rules``. It runs in the controller and talks only to the emulator's
control API (``DD_API_URL`` + ``/_emulator/faults``, on 127.0.0.1), so that a playbook can give each task its own
faults without a module process per change.
"""

from __future__ import annotations

import json
import os
import urllib.request

from ansible.plugins.action import ActionBase


def _call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # nosec - the test's own emulator on 127.0.0.1
        text = answer.read().decode("utf-8")
    return json.loads(text) if text.strip() else {}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        url = os.environ["DD_API_URL"].rstrip("/") + "/_emulator/faults"
        previous = _call("GET", url).get("rules", [])
        _call("DELETE", url)
        rules = self._task.args.get("rules") or []
        if rules:
            _call("POST", url, {"rules": rules})
        result.update(changed=False, previous=previous)
        return result
