# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m dd_emulator`` as scripts use it, and the HTTPS mode."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests
from emulator_helpers import CONNECTIONS, HANG_GUARD, REGISTRATIONS, Client, connection_body, start_cli

from dd_emulator.server import Emulator
from dd_emulator.tls import have_cryptography, write_self_signed_cert

needs_cryptography = pytest.mark.skipif(not have_cryptography(), reason="the optional cryptography package is not installed")


def test_cli_runs_until_sigterm_and_cleans_up(tmp_path):
    pid_file = tmp_path / "pid"
    process, url = start_cli(tmp_path, "--pid-file", str(pid_file), "--register-app-key", "--seed-audit", "30", "--audit-seed", "5",
                             env={"DD_EMULATOR_API_KEY": "env-api", "DD_EMULATOR_APP_KEY": "env-app"})
    try:
        assert url.startswith("http://127.0.0.1:")
        assert int(pid_file.read_text()) == process.pid
        headers = {"DD-API-KEY": "env-api", "DD-APPLICATION-KEY": "env-app"}
        assert requests.get(url + REGISTRATIONS, headers=headers, timeout=10).json()["meta"]["total"] == 1
        assert requests.get(url + CONNECTIONS, headers=headers, timeout=10).status_code == 200
        search = requests.post(url + "/api/v2/audit/events/search", json={"filter": {"from": "now-8d"}, "page": {"limit": 100}},
                               headers=headers, timeout=10)
        assert len(search.json()["data"]) == 30
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, _stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0
    assert stdout == ""  # nothing after the line that said where it listens
    assert not pid_file.exists() and not (tmp_path / "url").exists()


def test_cli_stops_cleanly_on_sigint(tmp_path):
    process, _url = start_cli(tmp_path)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0


def test_cli_refuses_a_non_loopback_host():
    result = subprocess.run([sys.executable, "-m", "dd_emulator", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "loopback" in result.stderr


def test_the_class_refuses_a_non_loopback_host():
    with pytest.raises(ValueError):
        Emulator(host="192.0.2.10")


@needs_cryptography
def test_https_with_a_self_signed_certificate(tmp_path):
    cert, key = write_self_signed_cert(str(tmp_path))
    with Emulator(tls_cert=cert, tls_key=key, register_app_key=True) as emulator:
        assert emulator.url.startswith("https://127.0.0.1:")
        answer = requests.post(emulator.url + CONNECTIONS, json=connection_body(), headers=emulator.headers, verify=cert, timeout=10)
        assert answer.status_code == 201
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emulator.url + CONNECTIONS, headers=emulator.headers, timeout=10)
        emulator.add_faults({"kind": "drop", "times": 1})
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(emulator.url + CONNECTIONS, headers=emulator.headers, verify=cert, timeout=10)
        assert Client(emulator).get(CONNECTIONS, verify=cert).status_code == 200


@needs_cryptography
def test_cli_serves_https(tmp_path):
    cert, key = write_self_signed_cert(str(tmp_path))
    process, url = start_cli(tmp_path, "--tls-cert", cert, "--tls-key", key)
    try:
        assert url.startswith("https://")
        assert requests.get(url + "/_emulator/health", verify=cert, timeout=10).json() == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0
