# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pytest fixtures with a state, as a user's test suite uses them (run by pytest's own ``pytester``)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

STATE_FILE = """
connections:
  - name: web
    integration: {type: HTTP, base_url: "https://example.invalid", credentials: {type: HTTPTokenAuth}}
principals:
  teams: [{handle: payments, name: Payments}]
"""

USER_TESTS = '''
import pytest
import requests


def names(emulator):
    return [connection["name"] for connection in emulator.dump_state()["connections"]]


def test_the_directory_state(dd_emulator):
    assert names(dd_emulator) == ["web"]


@pytest.mark.dd_emulator_state({"connections": []})
def test_a_marker_wins_over_the_directory_state(dd_emulator):
    assert names(dd_emulator) == []


def test_the_session_emulator_starts_with_its_state_and_a_reset_returns_to_it(dd_emulator_session):
    requests.delete(dd_emulator_session.url + "/api/v2/actions/connections/"
                    + dd_emulator_session.dump_state()["connections"][0]["id"],
                    headers=dd_emulator_session.headers, timeout=10)
    assert names(dd_emulator_session) == []
    dd_emulator_session.reset()
    assert names(dd_emulator_session) == ["web"]
'''

USER_CONFTEST = '''
import pathlib

import pytest

STATE = str(pathlib.Path(__file__).parent / "state.yml")


@pytest.fixture
def dd_emulator_state(request):
    marker = request.node.get_closest_marker("dd_emulator_state")
    return marker.args[0] if marker else STATE


@pytest.fixture(scope="session")
def dd_emulator_session_state():
    return {"app_key_registrations": ["3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"], **__import__("yaml").safe_load(open(STATE))}
'''


def test_a_users_suite_gives_the_fixtures_a_state(pytester):
    pytester.makefile(".yml", state=STATE_FILE)
    pytester.makeconftest(USER_CONFTEST)
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3)


def test_without_a_state_the_fixtures_start_empty(pytester):
    pytester.makepyfile(test_empty='''
def test_empty(dd_emulator, dd_emulator_session):
    for emulator in (dd_emulator, dd_emulator_session):
        assert emulator.dump_state()["connections"] == []
''')
    pytester.runpytest("-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)
