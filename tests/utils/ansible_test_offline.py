# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Let ``ansible-test --venv`` bootstrap pip without the internet.

ansible-test downloads ``get-pip-<version>.py`` to put pip into the virtual environments it creates,
which fails on machines that only reach a package index (ansible/ansible#77304). It first looks for
``~/.ansible/test/cache/get_pip_<version>.py``; this writes a stand-in there that bootstraps pip with
``ensurepip`` (in a subprocess, so pip keeps reading /etc/pip.conf) and then installs the requested
packages from the index. The pip version is read from the installed ansible-test.
"""

from __future__ import annotations

import os
import types

from ansible_test._internal.python_requirements import get_venv_packages

STAND_IN = '''\
"""Offline stand-in for get-pip.py written by ddops.datadog's tests/utils/ansible_test_offline.py."""
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + args)
'''


def main():
    version = get_venv_packages(types.SimpleNamespace(version="3"))["pip"]
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
    with open(path, "w") as handle:
        handle.write(STAND_IN)
    print("ansible-test pip bootstrap stand-in: %s" % path)


if __name__ == "__main__":
    main()
