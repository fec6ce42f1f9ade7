# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pytest fixtures (registered through the ``pytest11`` entry point of this package).

- ``dd_emulator``: a fresh, started :class:`dd_emulator.server.Emulator` per test, stopped afterwards. It starts with
  the state ``dd_emulator_state`` gives: the argument of the test's ``@pytest.mark.dd_emulator_state(...)`` marker
  (a state file's path or a dict), or ``None``. Override the ``dd_emulator_state`` fixture (in a ``conftest.py``) to
  give every test of a directory the same state.
- ``dd_emulator_session``: one emulator for the whole session, started with ``dd_emulator_session_state`` (``None``
  unless overridden); call ``dd_emulator_session.reset()`` in a test (or its own fixture) to start from that state
  again.
"""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "dd_emulator_state(state): start this test's dd_emulator with this state (a state file's path or a dict)")


@pytest.fixture
def dd_emulator_state(request):
    """The state ``dd_emulator`` starts with: the test's ``dd_emulator_state`` marker argument, or ``None``."""
    marker = request.node.get_closest_marker("dd_emulator_state")
    return marker.args[0] if marker is not None else None


@pytest.fixture
def dd_emulator(dd_emulator_state):  # pylint: disable=redefined-outer-name  # pytest injects fixtures by name
    from dd_emulator.server import Emulator  # pylint: disable=import-outside-toplevel  # keep plugin loading cheap

    with Emulator(state=dd_emulator_state) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def dd_emulator_session_state():
    """The state ``dd_emulator_session`` starts with (and every reset returns to): ``None`` unless overridden."""
    return None


@pytest.fixture(scope="session")
def dd_emulator_session(dd_emulator_session_state):  # pylint: disable=redefined-outer-name  # pytest injects fixtures by name
    from dd_emulator.server import Emulator  # pylint: disable=import-outside-toplevel  # keep plugin loading cheap

    with Emulator(state=dd_emulator_session_state) as emulator:
        yield emulator
