# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs datadog_action_connection_set in the controller process when the task runs there (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._connection_set_module import CONNECTION_SET
from ansible_collections.ddops.datadog.plugins.plugin_utils._action import DatadogAction


class ActionModule(DatadogAction):
    DEFINITION = CONNECTION_SET
