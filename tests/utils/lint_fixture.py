# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check that ansible-lint reports wrong arguments to this collection's modules: ``python tests/utils/lint_fixture.py``.

Runs ansible-lint (production profile, the ``args`` rule enabled as in the project's ``.ansible-lint``) on
``tests/lint/bad_arguments.yml``, where every task passes one wrong argument, and fails unless each task gets an
``args`` error whose text names what is wrong, and nothing else is reported. ansible-lint must find the collection
(``ANSIBLE_COLLECTIONS_PATH``); ``make lint`` runs this.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join("tests", "lint", "bad_arguments.yml")
CONFIG = os.path.join("tests", "lint", "ansible-lint.yml")

#: Each task of the fixture, by name, and the words its args error must contain.
EXPECTED = {
    "A misspelt option (update_secret for update_secrets)": ("update_secret",),
    "A state datadog_action_connection does not know": ("state", "gone"),
    "A state datadog_app_key_registration does not know": ("state", "gone"),
    "A required option left out (integration.type)": ("missing required", "type", "integration"),
    "A misspelt option of an info module (integration_types for integration_type)": ("integration_types",),
    "A misspelt option of the other info module (page_sise for page_size)": ("page_sise",),
    "A misspelt option of the set module (purge_tag for purge_tags)": ("purge_tag",),
    "A misspelt option of the policy module (binding for bindings)": ("binding",),
    "A required option of the policy info module left out (resource_id)": ("missing required", "resource_id"),
}


def lint(fixture):
    """ansible-lint's issues for ``fixture``, as the list of its JSON output."""
    command = ["ansible-lint", "-c", CONFIG, "--offline", "--nocolor", "-f", "json", fixture]
    process = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    try:
        return json.loads(process.stdout)
    except ValueError:
        raise SystemExit("ansible-lint gave no JSON (exit status %d):\n%s%s" % (process.returncode, process.stdout, process.stderr)) from None


def problems(issues, expected):
    """What is wrong with ansible-lint's ``issues`` against ``expected`` (an empty list when all is as expected)."""
    found = {}
    unexpected = []
    for issue in issues:
        task = issue.get("content", {}).get("body", "").replace("Task/Handler: ", "", 1)
        if issue["check_name"].startswith("args") and task in expected:
            found.setdefault(task, []).append(issue["description"])
        else:
            unexpected.append("%s at line %s: %s" % (issue["check_name"], issue["location"]["lines"]["begin"], issue["description"]))
    wrong = ["not reported: %s" % name for name in expected if name not in found]
    for name, descriptions in sorted(found.items()):
        text = " ".join(descriptions)
        missing = [word for word in expected[name] if word not in text]
        if missing:
            wrong.append("%s: the args error does not name %s: %s" % (name, ", ".join(missing), text))
    return wrong + ["also reported: %s" % line for line in unexpected]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    issues = lint(FIXTURE)
    for issue in issues:
        print("  %s line %s: %s" % (issue["check_name"], issue["location"]["lines"]["begin"], issue["description"][:150]))
    wrong = problems(issues, EXPECTED)
    if wrong:
        print("lint_fixture.py: ansible-lint does not check the arguments of ddops.datadog modules as it should:")
        for line in wrong:
            print("  - " + line)
        return 1
    print("lint_fixture.py: ansible-lint reported each of the %d wrong arguments in %s" % (len(EXPECTED), FIXTURE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
