# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What each module ships to the host that runs it: ``python tests/utils/module_payloads.py <collections path>``.

Builds every module's AnsiballZ payload with ansible-core's own builder (the one a task uses), prints its size and
the collection files it carries, and fails when a module carries code it does not use (``EXPECTED`` below). Run by
``make collection-checks``.
"""

from __future__ import annotations

import base64
import io
import os
import re
import sys
import zipfile

from ansible.executor import module_common
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar

SHARED = {"_api", "_api_stats", "_connection_options", "_errors", "_module", "_retry", "_scrub", "_transport", "_validation"}
# The collection's module_utils each module's payload must hold, exactly.
EXPECTED = {
    "datadog_action_connection": SHARED | {"_action_connection", "_compare", "_connection_plan", "_connection_reads",
                                           "_connections", "_locks", "_parallel", "_principals", "_restriction_policy"},
    "datadog_action_connection_info": SHARED | {"_connection_definition", "_connection_reads", "_connections", "_parallel",
                                                "_principals", "_restriction_policy"},
    "datadog_action_connection_set": SHARED | {"_action_connection", "_compare", "_connection_plan", "_connection_reads",
                                               "_connection_set", "_connections", "_locks", "_parallel", "_principals",
                                               "_restriction_policy"},
    "datadog_app_key_registration": SHARED | {"_app_key_registration"},
    "datadog_app_key_registration_info": SHARED | {"_app_key_registration"},
    "datadog_restriction_policy": SHARED | {"_principals", "_restriction_policy"},
    "datadog_restriction_policy_info": SHARED | {"_principals", "_restriction_policy"},
}


def payload(collections_path, name):
    """``(payload size, {module_util: lines})`` of one module."""
    path = os.path.join(collections_path, "ansible_collections", "ddops", "datadog", "plugins", "modules", name + ".py")
    built = module_common.modify_module(
        module_name="ddops.datadog." + name, module_path=path, module_args={}, templar=Templar(loader=DataLoader()),
        task_vars={"ansible_python_interpreter": sys.executable})
    data = built.b_module_data if hasattr(built, "b_module_data") else built[0]  # ansible-core 2.19+ / before
    # The zip travels base64-encoded inside the wrapper script: the longest base64 literal in it.
    encoded = max(re.findall(rb"['\"]([A-Za-z0-9+/=]{1000,})['\"]", data), key=len)
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded)))
    carried = {}
    for info in archive.infolist():
        if "/ddops/datadog/plugins/module_utils/_" in info.filename and not info.filename.endswith("/__init__.py"):
            carried[os.path.basename(info.filename)[:-3]] = archive.read(info).count(b"\n")
    return len(data), carried


def main(collections_path):
    init_plugin_loader([collections_path])
    wrong = []
    for name, expected in sorted(EXPECTED.items()):
        size, carried = payload(collections_path, name)
        print("%-34s %7d bytes, %5d lines of the collection: %s"
              % (name, size, sum(carried.values()), ", ".join(sorted(carried))))
        if set(carried) != expected:
            wrong.append("%s carries %s; expected %s" % (name, ", ".join(sorted(carried)), ", ".join(sorted(expected))))
    if wrong:
        print("\n".join(wrong))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1])))
