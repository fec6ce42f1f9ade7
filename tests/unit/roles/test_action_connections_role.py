# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action_connections role's own list of its variables, which names the ones a typo leaves unused."""

from __future__ import annotations

import glob
import os
import re

import yaml

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir, "roles", "action_connections")


def load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def test_the_inputs_are_exactly_the_options_of_both_entry_points():
    specs = load("meta", "argument_specs.yml")["argument_specs"]
    options = set(name for entry in specs.values() for name in entry["options"])
    assert set(load("vars", "main.yml")["action_connections_inputs"]) == options


def test_every_variable_the_role_sets_or_uses_is_known_and_nothing_else():
    own = set(load("vars", "main.yml")["action_connections_own"])
    inputs = set(load("vars", "main.yml")["action_connections_inputs"])
    used = set()
    for path in glob.glob(os.path.join(ROLE, "tasks", "*.yml")):
        with open(path) as handle:
            used.update(re.findall(r"\baction_connections_[a-z_]+", handle.read()))
    assert used - inputs - own == set(), "add these to action_connections_own in vars/main.yml"
    assert own - used == {"action_connections_own"}, "no longer used by the role: remove from action_connections_own"
    assert not inputs & own


def test_every_input_has_its_default_in_defaults_main_yml():
    specs = load("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    defaults = load("defaults", "main.yml")
    for name, spec in specs.items():
        if "default" in spec:
            assert defaults.get(name) == spec["default"], name
