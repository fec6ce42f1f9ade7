# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Every ddops.datadog module has an action plugin of the same name that can run it in the controller process.
    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    description:
      - An action plugin of the same name runs the module's logic in the controller process when the task runs on the
        controller anyway (connection V(local), for example a play on C(localhost) or a task delegated to C(localhost)), without
        starting a module process per task or loop item, and with one HTTP session for all items of a loop.
      - Input validation, C(no_log) masking, results, check and diff mode are the same as the module's.
      - The module itself runs instead on other connections, with C(async), with C(become), when the controller's
        Python cannot import C(requests), or when the variable C(ddops_datadog_in_process) is V(false).
  async:
    support: full
    description: With C(async) the module runs in its own process as usual.
notes:
  - Set the variable C(ddops_datadog_in_process=false) (for example with C(-e) or in inventory) to always run the module
    in its own process, as on a remote host. The task environment (C(environment:)) is honoured either way.
"""
