# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one seam of the module tests: every module's client is a FakeClient with scripted answers.

The host still builds its client the way it always does (options validated, no_log values added to the client's
secrets, the retry summary read from it when the task ends); only the class it builds is replaced."""

from __future__ import annotations

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils import _module
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient


@pytest.fixture
def client(monkeypatch):
    fake = FakeClient()
    monkeypatch.setattr(_module, "DatadogClient", lambda *args, **kwargs: fake)
    return fake
