# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration-test helper of the setup_emulator role: one request to the local emulator's control API (/_emulator/...),
sent from the controller process. ansible.builtin.uri would start a module process for each of the few hundred
counter reads and resets of a test run; this sends the same request without one. Not part of the collection."""

from __future__ import annotations

DOCUMENTATION = r"""
name: emulator_control
short_description: One request to the local Datadog API emulator's control API (integration tests only)
description:
  - Sends one request to a C(/_emulator/...) URL of the emulator from the controller and returns its JSON answer.
options:
  _terms:
    description: The method (C(GET) or C(POST)), then the URL.
    required: true
  body:
    description: A JSON body to send.
    type: raw
"""

RETURN = r"""
_raw:
  description: The decoded JSON answer, or null for an empty answer.
  type: list
  elements: raw
"""

import json

from ansible.errors import AnsibleLookupError
from ansible.module_utils.urls import open_url
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) != 2 or terms[0] not in ("GET", "POST") or "/_emulator/" not in str(terms[1]):
            raise AnsibleLookupError("emulator_control takes a method (GET or POST) and an emulator control URL, got %r" % (terms,))
        method, url = str(terms[0]), str(terms[1])
        body = self.get_option("body")
        data = None if body is None else json.dumps(body).encode("utf-8")
        try:
            answer = open_url(url, method=method, data=data, headers={"Content-Type": "application/json"}, timeout=60)
            text = answer.read()
        except Exception as exc:  # an HTTP error status or a refused connection: the test must stop here
            raise AnsibleLookupError("%s %s failed: %s" % (method, url, exc)) from None
        return [json.loads(text) if text else None]
