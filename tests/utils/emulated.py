# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a command with the local Datadog API emulator up: ``python tests/utils/emulated.py [options] -- command ...``.

The emulator listens on a free 127.0.0.1 port for the duration of the command and is stopped afterwards.
The command sees ``DD_API_URL``, ``DD_API_KEY``, ``DD_APP_KEY`` (what every plugin of the collection reads),
plus ``DD_APP_KEY_ID`` and ``DD_EMULATOR_URL``. ``--config`` also writes those values as variables for
``ansible-test integration``, which does not pass the environment through.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from dd_emulator.server import Emulator

CONFIG = """\
# Written by tests/utils/emulated.py for one run; not committed.
datadog_api_url: {url}
datadog_api_key: {api_key}
datadog_app_key: {app_key}
datadog_app_key_id: {app_key_id}
emulator_url: {url}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="write integration variables (YAML) to this path")
    parser.add_argument("--register-app-key", action="store_true", help="start with the application key registered")
    parser.add_argument("--seed-audit", type=int, default=0, metavar="N", help="seed N synthetic audit events")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command and arguments")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    with Emulator(register_app_key=args.register_app_key) as emulator:
        if args.seed_audit:
            emulator.seed_audit(args.seed_audit)
        if args.config:
            with open(args.config, "w") as handle:
                handle.write(CONFIG.format(url=emulator.url, api_key=emulator.api_key, app_key=emulator.app_key,
                                           app_key_id=emulator.app_key_id))
        env = dict(os.environ)
        env.update(DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key,
                   DD_APP_KEY_ID=emulator.app_key_id, DD_EMULATOR_URL=emulator.url)
        print("emulator: %s" % emulator.url, flush=True)
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
