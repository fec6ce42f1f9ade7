# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs datadog_app_key_registration_info in the controller process when the task runs there (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._definitions import APP_KEY_REGISTRATION_INFO
from ansible_collections.ddops.datadog.plugins.plugin_utils._action import DatadogAction


class ActionModule(DatadogAction):
    DEFINITION = APP_KEY_REGISTRATION_INFO
