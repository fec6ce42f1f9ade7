# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check the arguments of every play and task example of the documentation: ``python tests/utils/lint_docs_examples.py``.

Takes each YAML block of ``docs/``, ``README.md`` and the role READMEs that is a play or a list of tasks, writes it
as a playbook into a temporary directory, and runs ansible-lint's ``args`` rule (the modules' own argument specs)
and syntax check on all of them at once: an example with a misspelt or removed option, a wrong choice or a missing
required option fails. Blocks that are neither (variables, state files, rulebooks) are left out. ansible-lint must
find the collection (``ANSIBLE_COLLECTIONS_PATH``); ``make lint`` runs this.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M)
#: Keys that make a mapping a task (a module or a block), not a play, a variable file or a rulebook's source.
TASK_KEYS = re.compile(r"^(ddops\.datadog\.[a-z_]+_?[a-z_]*|ansible\.builtin\.[a-z_]+|block|include_role|import_role)$")


class DocsLoader(yaml.SafeLoader):
    """YAML as Ansible reads it: ``!unsafe`` and ``!vault`` load as their text."""


DocsLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))
DocsLoader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))


def pages():
    return sorted(glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)
                  + glob.glob(os.path.join(ROOT, "*.md")) + glob.glob(os.path.join(ROOT, "roles", "*", "README.md")))


def playbook_of(text):
    """``text`` (a YAML block) as a playbook, or ``None`` when it is neither a play nor a list of tasks."""
    data = yaml.load(text, Loader=DocsLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    if all("hosts" in item or "import_playbook" in item or "ansible.builtin.import_playbook" in item for item in data):
        return text
    if not all(any(TASK_KEYS.match(key) for key in item) for item in data):
        return None  # a rulebook's sources, a list of connections, ...
    if any(key.startswith("ddops.datadog.audit_events") for item in data for key in item):
        return None  # the event source in a rulebook, not a module
    indented = "".join(("      " + line if line.strip() else "") + "\n" for line in text.splitlines())
    return "- name: Documentation example\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" + indented


def examples():
    """(name, playbook text) of every play or task example."""
    for page in pages():
        with open(page) as handle:
            text = handle.read()
        for match in BLOCK.finditer(text):
            playbook = playbook_of(match.group(1))
            if playbook is not None:
                line = text.count("\n", 0, match.start()) + 1
                yield "%s:%d" % (os.path.relpath(page, ROOT), line), playbook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="docs-examples-") as work:
        names = {}
        for index, (where, playbook) in enumerate(examples()):
            path = os.path.join(work, "example_%03d.yml" % index)
            with open(path, "w") as handle:
                handle.write("---\n" + playbook)
            names[os.path.basename(path)] = where
        with open(os.path.join(work, "ansible-lint.yml"), "w") as handle:
            # args is in no profile (enabled by name) and a warning by default (an empty warn_list makes it an error)
            handle.write("---\noffline: true\nenable_list: [args]\nwarn_list: []\n")
        command = ["ansible-lint", "-c", "ansible-lint.yml", "--offline", "--nocolor", "-f", "json"] + sorted(names)
        process = subprocess.run(command, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        try:
            issues = json.loads(process.stdout)
        except ValueError:
            raise SystemExit("ansible-lint gave no JSON (exit status %d):\n%s%s" % (process.returncode, process.stdout, process.stderr)) from None
    # Only what makes an example wrong to copy; style (line length, names, spacing) is the page's business.
    issues = [issue for issue in issues if issue["check_name"].split("[")[0] in ("args", "syntax-check", "load-failure")]
    for issue in issues:
        path = issue["location"]["path"]
        where = names.get(os.path.basename(path), path)
        print("  %s (example line %s): %s: %s" % (where, issue["location"]["lines"]["begin"], issue["check_name"], issue["description"][:300]))
    if issues or len(names) < 30:
        print("lint_docs_examples.py: %d problem(s) in %d documentation examples" % (len(issues), len(names)))
        return 1
    print("lint_docs_examples.py: the arguments of %d play and task examples of the documentation are valid" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
