# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs datadog_restriction_policy in the controller process when the task runs there (see plugin_utils/_action.py).

The module's definition (argument spec and run function) is the module file's own. Tools that check a task's
arguments by running the ``main()`` of the plugin a task resolves to (ansible-lint's args rule finds this action
plugin first) get the module's ``main()``, so they validate against the module's argument spec.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.modules.datadog_restriction_policy import MODULE
from ansible_collections.ddops.datadog.plugins.modules.datadog_restriction_policy import main  # noqa: F401  pylint: disable=unused-import
from ansible_collections.ddops.datadog.plugins.plugin_utils._action import DatadogAction


class ActionModule(DatadogAction):
    DEFINITION = MODULE
