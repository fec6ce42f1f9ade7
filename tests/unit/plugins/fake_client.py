# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stand-in for DatadogClient: scripted answers per (method, path), every call recorded.

Only the sending is scripted: the paging is the product's own (:meth:`DatadogClient.paginate`), and what the client
did is counted in a real :class:`ApiStats`, so a module's retry summary and ``api`` data are the product's too.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._api import ApiResponse, DatadogAPIError, DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._api_stats import ApiStats
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._scrub import Scrubber


class FakeClient(object):
    options = ClientOptions("fake-api-key", "fake-app-key", "https://api.example.test")

    def __init__(self, answers=None):
        # {(method, path): [ (status, body[, unanswered attempts]) | DatadogAPIError, ... ]} consumed in order; the
        # last one repeats.
        self.answers = dict(answers or {})
        self.calls = []
        self.now = 0.0  # the fake clock; wait() advances it
        self.waits = []
        self.stats = ApiStats()
        self.scrubber = Scrubber()

    def clock(self):
        return self.now

    def wait(self, seconds, cause=None):
        self.waits.append((seconds, cause))
        if cause is None:
            self.stats.wait(seconds)
        else:
            self.stats.retry(cause, seconds)
        self.now += seconds

    def add_secrets(self, values):
        self.scrubber.add(values)

    def retry_summary(self):
        return self.stats.summary()

    def answer(self, method, path, *steps):
        self.answers[(method, path)] = list(steps)
        return self

    def request(self, method, path, params=None, body=None, expected=(200,), idempotent=None):
        self.calls.append((method, path, params, body))
        self.stats.request(method)
        steps = self.answers.get((method, path))
        if not steps:
            raise AssertionError("unexpected request %s %s" % (method, path))
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if isinstance(step, Exception):
            raise step
        status, payload = step[:2]
        if status not in expected:
            raise DatadogAPIError(["scripted failure"], status=status, method=method, path=path)
        return ApiResponse(status, {}, payload, method, path, unanswered=step[2] if len(step) > 2 else 0,
                           scrubber=self.scrubber)

    def get(self, path, params=None, expected=(200,)):
        return self.request("GET", path, params=params, expected=expected)

    def put(self, path, body=None, expected=(200, 201, 204)):
        return self.request("PUT", path, body=body, expected=expected)

    def post(self, path, body=None, expected=(200, 201), params=None):
        return self.request("POST", path, body=body, params=params, expected=expected)

    def patch(self, path, body, expected=(200,), idempotent=True):
        return self.request("PATCH", path, body=body, expected=expected, idempotent=idempotent)

    def delete(self, path, expected=(200, 202, 204)):
        return self.request("DELETE", path, expected=expected)

    paginate = DatadogClient.paginate  # the product's paging over the scripted answers

    def methods(self):
        return [call[0] for call in self.calls]
