# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs datadog_action_connection_set in the controller process when the task runs there (see plugin_utils/_action.py).

The module's definition (argument spec and run function) is the module file's own; ``main`` is the module's, for
tools that check a task's arguments through the plugin a task resolves to (see the datadog_action_connection plugin).
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.modules.datadog_action_connection_set import MODULE
from ansible_collections.ddops.datadog.plugins.modules.datadog_action_connection_set import main  # noqa: F401  pylint: disable=unused-import
from ansible_collections.ddops.datadog.plugins.plugin_utils._action import DatadogAction


class ActionModule(DatadogAction):
    DEFINITION = MODULE
