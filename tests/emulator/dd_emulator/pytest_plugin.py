# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pytest fixtures (registered through the ``pytest11`` entry point of this package).

- ``dd_emulator``: a fresh, started :class:`dd_emulator.server.Emulator` per test, stopped afterwards.
- ``dd_emulator_session``: one emulator for the whole session; call ``dd_emulator_session.reset()`` in a test
  (or its own fixture) to start from a clean state.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def dd_emulator():
    from dd_emulator.server import Emulator  # pylint: disable=import-outside-toplevel  # keep plugin loading cheap

    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def dd_emulator_session():
    from dd_emulator.server import Emulator  # pylint: disable=import-outside-toplevel  # keep plugin loading cheap

    with Emulator() as emulator:
        yield emulator
