# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Mutation testing of the collection's core (``make mutation``; not part of ``make test``).

``python tests/utils/mutation.py <work dir> [--max-children N] [--fresh] [--audit]`` copies the collection to
``<work dir>/ansible_collections/ddops/datadog`` (so that the mutants import under the names the tests use), runs
mutmut over :data:`TARGETS` with the unit tests of :data:`TESTS` (mutmut runs, for each mutant, only the tests that
reach the mutated function), and prints the score and every surviving mutant by file. A second run continues where
the first stopped and re-tests only the code that changed; ``--retest-survivors`` re-tests the surviving mutants with
the tests as they are now (after tests were added); ``--fresh`` starts over. The figures are written to
``<work dir>/mutation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = "ansible_collections/ddops/datadog/"
#: What is mutated: the HTTP client and its parts, desired vs current, and the plan of a set ...
TARGETS = [
    "plugins/module_utils/_api.py",
    "plugins/module_utils/_transport.py",
    "plugins/module_utils/_retry.py",
    "plugins/module_utils/_scrub.py",
    "plugins/module_utils/_api_stats.py",
    "plugins/module_utils/_compare.py",
    "plugins/module_utils/_connection_set.py",
]
#: ... judged by the fast unit tests about those files (no emulator, no real waits).
TESTS = [
    "tests/unit/plugins/module_utils/test_api.py",
    "tests/unit/plugins/module_utils/test_retry.py",
    "tests/unit/plugins/module_utils/test_api_stats.py",
    "tests/unit/plugins/module_utils/test_scrub.py",
    "tests/unit/plugins/module_utils/test_compare.py",
    "tests/unit/plugins/module_utils/test_action_connection.py",
    "tests/unit/plugins/module_utils/test_app_key_registration.py",
    "tests/unit/plugins/module_utils/test_connection_set.py",
    "tests/unit/plugins/modules/test_datadog_action_connection_set.py",
]
#: With ``--audit``: the audit reader instead, judged by its unit tests (its parallel reader's tests run threads, so
#: this run takes several times longer than the core's).
AUDIT_TARGETS = ["plugins/module_utils/_audit.py", "plugins/module_utils/_audit_slices.py"]
AUDIT_TESTS = ["tests/unit/plugins/module_utils/test_audit.py", "tests/unit/plugins/module_utils/test_audit_slices.py"]
CONFIG = """[tool.mutmut]
source_paths = ["ansible_collections"]
only_mutate = %s
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]
pytest_add_cli_args_test_selection = %s
use_git_change_detection = false
# A mutant that makes the parallel reader wait forever is stopped at 3 x the time its tests took (+ 2 s), not 15 x.
timeout_multiplier = 3.0
timeout_constant = 2.0
"""


def prepare(work, fresh, targets, tests):
    if fresh and os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    subprocess.run([os.path.join(ROOT, "tests", "utils", "collection_tree.sh"), work], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "pyproject.toml"), "w") as handle:
        handle.write(CONFIG % (json.dumps([COLLECTION + path for path in targets]),
                               json.dumps([COLLECTION + path for path in tests])))


def mutmut(work, *args, capture=False):
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)  # the mutants, not the copy they were made from, must be imported
    command = [os.path.join(os.path.dirname(sys.executable), "mutmut")] + list(args)
    return subprocess.run(command, cwd=work, env=environment, check=False, text=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None)


def results(work):
    """``{status: [mutant names]}`` of every mutant of the last run."""
    listed = mutmut(work, "results", "--all", "true", capture=True).stdout
    found = {}
    for line in listed.splitlines():
        name, dummy, status = line.strip().rpartition(": ")
        if name:
            found.setdefault(status, []).append(name)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", help="the directory to work in (a copy of the collection and mutmut's state)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results and start over")
    parser.add_argument("--retest-survivors", action="store_true",
                        help="test the surviving mutants (and those no test reached) again with the tests as they are now")
    parser.add_argument("--audit", action="store_true", help="mutate the audit reader instead (in <work dir>-audit)")
    args = parser.parse_args(argv)
    work = os.path.abspath(args.work) + ("-audit" if args.audit else "")
    found = results(work) if args.retest_survivors and os.path.exists(work) else {}
    survivors = found.get("survived", []) + found.get("no tests", [])
    prepare(work, args.fresh, AUDIT_TARGETS if args.audit else TARGETS, AUDIT_TESTS if args.audit else TESTS)
    if args.retest_survivors:
        # The tests mutmut copied are those of the first run: copy them again, and learn again which test reaches what.
        shutil.rmtree(os.path.join(work, "mutants", COLLECTION, "tests"), ignore_errors=True)
        for name in ("mutmut-stats.json",):
            if os.path.exists(os.path.join(work, "mutants", name)):
                os.remove(os.path.join(work, "mutants", name))
    run = mutmut(work, "run", "--max-children", str(args.max_children), *survivors)
    if run.returncode != 0:
        print("mutmut run failed with exit code %d" % run.returncode)
        return run.returncode
    found = results(work)
    killed = len(found.get("killed", [])) + len(found.get("timeout", []))
    tested = killed + len(found.get("survived", [])) + len(found.get("suspicious", []))
    by_file = {}
    for status in ("survived", "no tests", "suspicious"):
        for name in found.get(status, []):
            module = name.split(".x", 1)[0].split(".")[-1] if ".x" in name else name.rsplit("__mutmut", 1)[0]
            by_file.setdefault(module, []).append("%s (%s)" % (name.split(".", 6)[-1], status))
    figures = {"mutants": sum(len(names) for names in found.values()), "tested": tested, "killed (incl. timeouts)": killed,
               "survived": len(found.get("survived", [])), "no tests": len(found.get("no tests", [])),
               "score": round(100.0 * killed / tested, 1) if tested else None, "survivors by file": by_file}
    with open(os.path.join(work, "mutation.json"), "w") as handle:
        json.dump(figures, handle, indent=2, sort_keys=True)
    print("mutation score: %s%% (%d killed of %d tested, %d survived, %d without tests); details: mutmut show <name> in %s"
          % (figures["score"], killed, tested, figures["survived"], figures["no tests"], work))
    for module, names in sorted(by_file.items()):
        print("  %s: %d" % (module, len(names)))
        for name in names:
            print("    " + name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
