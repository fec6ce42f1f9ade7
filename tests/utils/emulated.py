# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a command with the local Datadog API emulator up: ``python tests/utils/emulated.py [options] -- command ...``.

The emulator listens on a free 127.0.0.1 port for the duration of the command and is stopped afterwards.
The command sees ``DD_API_URL``, ``DD_API_KEY``, ``DD_APP_KEY`` (what every plugin of the collection reads),
plus ``DD_APP_KEY_ID`` and ``DD_EMULATOR_URL``. ``--config`` also writes those values as variables for
``ansible-test integration``, which does not pass the environment through.

``--second-org`` starts a second emulator, a second Datadog organization with keys of its own (``DD_ORG2_API_URL``,
``DD_ORG2_API_KEY``, ``DD_ORG2_APP_KEY``, ``DD_ORG2_APP_KEY_ID``; ``datadog_org2_*`` and ``emulator_org2_url`` in the
config), for the tests that copy connections between organizations or converge several at once.

``--scan-secrets`` looks, after the command, for every secret value the emulator received (the keys and every
secret credential field of every connection created or updated) in the command's whole output and in every answer
the emulator sent. Only the request bodies that had to carry a secret may contain it; any other occurrence fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
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
CONFIG_ORG2 = """\
datadog_org2_api_url: {url}
datadog_org2_api_key: {api_key}
datadog_org2_app_key: {app_key}
datadog_org2_app_key_id: {app_key_id}
emulator_org2_url: {url}
"""
#: The second organization's keys: distinct from the first's, so a request sent to the wrong one is refused (403).
ORG2_KEYS = dict(api_key="ddemu-org2-api-key-7c41e0b9d2a6", app_key="ddemu-org2-app-key-4e8a1f3c6b9d0e2a5c7f1b3d",
                 app_key_id="9d2b7e4a-1c3f-4a6e-8b0d-7f5e3c1a9b24")
TAIL_LINES = 150


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="write integration variables (YAML) to this path")
    parser.add_argument("--register-app-key", action="store_true", help="start with the application key registered")
    parser.add_argument("--seed-audit", type=int, default=0, metavar="N", help="seed N synthetic audit events")
    parser.add_argument("--second-org", action="store_true", help="also start a second emulator with other keys")
    parser.add_argument("--output", metavar="FILE", help="write the command's output to FILE instead of the terminal "
                                                         "(its last lines are shown when the command fails)")
    parser.add_argument("--scan-secrets", metavar="REPORT", help="scan the output (needs --output) and the emulator's "
                                                                 "answers for every secret received; write figures to REPORT")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command and arguments")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    if args.scan_secrets and not args.output:
        parser.error("--scan-secrets needs --output")

    with contextlib.ExitStack() as stack:
        emulator = stack.enter_context(Emulator(register_app_key=args.register_app_key, log_size=1000000))
        emulators = [emulator]
        if args.second_org:
            emulators.append(stack.enter_context(Emulator(register_app_key=args.register_app_key, log_size=1000000,
                                                          **ORG2_KEYS)))
        if args.seed_audit:
            emulator.seed_audit(args.seed_audit)
        if args.config:
            with open(args.config, "w") as handle:
                handle.write(CONFIG.format(url=emulator.url, api_key=emulator.api_key, app_key=emulator.app_key,
                                           app_key_id=emulator.app_key_id))
                for other in emulators[1:]:
                    handle.write(CONFIG_ORG2.format(url=other.url, api_key=other.api_key, app_key=other.app_key,
                                                    app_key_id=other.app_key_id))
        env = dict(os.environ)
        env.update(DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key,
                   DD_APP_KEY_ID=emulator.app_key_id, DD_EMULATOR_URL=emulator.url)
        for other in emulators[1:]:
            env.update(DD_ORG2_API_URL=other.url, DD_ORG2_API_KEY=other.api_key, DD_ORG2_APP_KEY=other.app_key,
                       DD_ORG2_APP_KEY_ID=other.app_key_id)
        print("emulator: %s" % ", ".join(running.url for running in emulators), flush=True)
        if args.output:
            with open(args.output, "w") as handle:
                rc = subprocess.call(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
            print("output: %s (%d bytes)" % (args.output, os.path.getsize(args.output)), flush=True)
            if rc != 0:
                show_tail(args.output)
        else:
            rc = subprocess.call(command, env=env)
        if args.scan_secrets:
            hits = scan_secrets(emulators, args.output, args.scan_secrets)
            if hits and rc == 0:
                rc = 1
    return rc


def show_tail(path):
    with open(path, errors="replace") as handle:
        lines = handle.readlines()
    print("".join(lines[-TAIL_LINES:]), flush=True)


def scan_secrets(emulators, output_path, report_path):
    """Count occurrences of every secret any emulator received, outside request bodies; return the number of hits."""
    secrets = sorted(set(secret for running in emulators for secret in running.secrets_seen()))
    with open(output_path, errors="replace") as handle:
        output = handle.read()
    answers = [answer for running in emulators for answer in running.responses_log()]
    answers_text = "\n".join(json.dumps(entry) for entry in answers)
    pattern = re.compile("|".join(re.escape(secret) for secret in sorted(secrets, key=len, reverse=True)))
    output_hits = len(pattern.findall(output))
    answer_hits = len(pattern.findall(answers_text))
    figures = {
        "secret_values_checked": len(secrets),
        "output_bytes": len(output.encode()),
        "output_lines": output.count("\n"),
        "answers_checked": len(answers),
        "hits_in_output": output_hits,
        "hits_in_answers": answer_hits,
    }
    with open(report_path, "w") as handle:
        json.dump(figures, handle, indent=2)
    print("secret scan: %(secret_values_checked)d secret values received by the emulator; searched %(output_lines)d lines "
          "(%(output_bytes)d bytes) of -vvvv output and %(answers_checked)d API answers: %(hits_in_output)d hits in the "
          "output, %(hits_in_answers)d in answers" % figures, flush=True)
    if output_hits or answer_hits:
        for number, line in enumerate(output.splitlines(), 1):
            if pattern.search(line):
                print("  secret on output line %d: %s" % (number, pattern.sub("<SECRET>", line)[:300]))
    return output_hits + answer_hits


if __name__ == "__main__":
    sys.exit(main())
