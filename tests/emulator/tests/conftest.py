# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures on top of the plugin's ``dd_emulator``: every test talks to a real emulator over HTTP with ``requests``."""

from __future__ import annotations

import os
import tempfile

import pytest
from emulator_helpers import Client
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps its caches in ./.hypothesis by default: in the checkout, where `make demo` would build it into the
# collection tarball. They go to the temporary directory instead.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "ddops-emulator-hypothesis"))


@pytest.fixture
def emulator(dd_emulator):
    """A fresh emulator whose default application key is registered for the Actions API."""
    dd_emulator.register_app_key()
    return dd_emulator


@pytest.fixture
def client(emulator):
    return Client(emulator)


@pytest.fixture
def unregistered_client(dd_emulator):
    """A client of a fresh emulator whose application key is not registered."""
    return Client(dd_emulator)
