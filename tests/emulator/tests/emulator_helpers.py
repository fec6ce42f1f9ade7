# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers of the emulator tests: a ``requests`` client bound to one emulator, and request bodies."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import requests

CONNECTIONS = "/api/v2/actions/connections"
REGISTRATIONS = "/api/v2/actions/app_key_registrations"
AUDIT_SEARCH = "/api/v2/audit/events/search"
AUDIT_LIST = "/api/v2/audit/events"
#: How long a stopped emulator may take to exit before the test calls it a hang: a guard, not a measure of speed.
HANG_GUARD = 120


class Client:
    """``requests`` bound to one emulator and one key pair: ``client.get("/api/...")``."""

    def __init__(self, emulator, headers=None, timeout=10):
        self.emulator = emulator
        self.headers = dict(emulator.headers if headers is None else headers)
        self.timeout = timeout

    def request(self, method, path, **kwargs):
        kwargs.setdefault("headers", self.headers)
        return requests.request(method, self.emulator.url + path, timeout=kwargs.pop("timeout", self.timeout), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def start_cli(tmp_path, *args, env=None):
    """``python -m dd_emulator --port-file ... *args``, once it listens: ``(process, url)``."""
    port_file = tmp_path / "url"
    process = subprocess.Popen([sys.executable, "-m", "dd_emulator", "--port-file", str(port_file), "--quiet", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
    # The first line says it listens (written after the port file); an empty one means it exited first. No clock:
    # however slow the machine, this waits for one or the other.
    first_line = process.stdout.readline()
    assert first_line, "the emulator exited before listening: %s" % process.stderr.read()
    url = port_file.read_text().strip()
    assert first_line.strip() == "dd-emulator listening on %s" % url
    return process, url


def wait_until(observe, polls=2400, interval=0.05):
    """Poll ``observe()`` until it returns something true, and return that.

    For what happens in the emulator's own threads after a client gave up (a slow answer applied late). ``polls``
    (two minutes) only turns a hang into a failure; it measures no speed.
    """
    for _poll in range(polls):
        seen = observe()
        if seen:
            return seen
        time.sleep(interval)
    raise AssertionError("still not observed after %d polls" % polls)


def connection_body(name="conn", integration=None, tags=None):
    """A create body; the default integration is an AWS AssumeRole one."""
    attributes = {"name": name, "integration": integration or aws_integration()}
    if tags is not None:
        attributes["tags"] = tags
    return {"data": {"type": "action_connection", "attributes": attributes}}


def aws_integration(account_id="123456789012", role="ddops-role"):
    return {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": account_id, "role": role}}


def http_integration():
    return {
        "type": "HTTP",
        "base_url": "https://example.invalid/api",
        "credentials": {
            "type": "HTTPTokenAuth",
            "tokens": [{"name": "tokenA", "type": "SECRET", "value": "token-a-secret"},
                       {"name": "tokenB", "type": "SECRET", "value": "token-b-secret"}],
            "headers": [{"name": "X-Team", "value": "platform"}, {"name": "Authorization", "value": "Bearer {{ tokenA }}"}],
            "url_parameters": [{"name": "region", "value": "eu"}],
            "body": {"content": "{\"hello\": \"world\"}", "content_type": "application/json"},
        },
    }


def create_connection(client, **kwargs):
    answer = client.post(CONNECTIONS, json=connection_body(**kwargs))
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]
