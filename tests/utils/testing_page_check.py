# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Follow docs/testing-your-playbooks.md as written, from a built collection tarball, in a fresh venv.

Usage: ``python tests/utils/testing_page_check.py <collection tarball> <work dir>`` (this venv's bin first on PATH).

The page marks what this runs, with HTML comments its readers do not see: ``<!-- walkthrough: file NAME -->`` before
a fenced block writes the block to NAME in the work directory, ``<!-- walkthrough: run -->`` before a ``sh`` block runs
it, ``<!-- walkthrough: ci -->`` before a CI example checks that it is YAML and carries the page's commands. The run
blocks run in order in one bash (``set -euo pipefail``), the shell of a new user:

- ``HOME`` is an empty directory, so ``~/.ansible/collections`` is ansible-galaxy's default install path and no
  ``ansible.cfg``, ``ANSIBLE_*`` variable or collection of this checkout is seen (pip's user configuration is linked
  in and its cache is the user's, so pip finds the same packages and reuses downloaded wheels);
- ``PATH`` starts with a fresh venv of this interpreter (the page's "Python environment your tests run in"), then
  this venv's bin, where ansible-core and requests are (the page's prerequisites);
- one substitution: ``ansible-galaxy collection install ddops.datadog`` installs the tarball instead of Galaxy's.

A failing block fails the check with the whole output; an emulator the page started is stopped whatever happens, and
the page's own stop must have ended it. The seconds it took are printed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import venv
from pathlib import Path

import yaml

PAGE = Path(__file__).resolve().parents[2] / "docs" / "testing-your-playbooks.md"
MARKED_BLOCK = re.compile(r"<!-- walkthrough: (?P<kind>file|run|ci)(?: (?P<name>\S+))? -->\n```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.S)
GALAXY_INSTALL = "ansible-galaxy collection install ddops.datadog"
#: Lines of the run blocks that every CI example must carry too (the page's steps, as the CI jobs repeat them).
SHARED_STEPS = re.compile(r"^(ansible-galaxy |python3 -m pip install --no-compile |ansible-playbook )")
#: Guards that only turn a hang into a failure, never a measure of speed (seconds).
RUN_GUARD = 900
STOP_GUARD = 60
WRAPPER = """set -euo pipefail
stop_emulator() { if [ -s dd-emulator.pid ]; then kill "$(cat dd-emulator.pid)" 2>/dev/null || true; fi; }
trap stop_emulator EXIT
"""


def blocks(text):
    """``(kind, name, body)`` of every marked block, in page order."""
    found = [(match["kind"], match["name"], match["body"]) for match in MARKED_BLOCK.finditer(text)]
    markers = text.count("<!-- walkthrough:")
    if len(found) != markers:
        raise SystemExit("%s: %d walkthrough markers, but %d are followed by a fenced block" % (PAGE, markers, len(found)))
    return found


def script(run_blocks, tarball):
    """The bash script of the run blocks, with the one substitution."""
    lines = [line for block in run_blocks for line in block.splitlines()]
    if lines.count(GALAXY_INSTALL) != 1:
        raise SystemExit("the page must say %r exactly once, on a line of its own (the step this check installs the tarball with)"
                         % GALAXY_INSTALL)
    install = "ansible-galaxy collection install %s" % shlex.quote(str(tarball))
    steps = ["echo '== page step %d'\n%s" % (number, "\n".join(install if line == GALAXY_INSTALL else line for line in block.splitlines()))
             for number, block in enumerate(run_blocks, start=1)]
    return WRAPPER + "\n".join(steps) + "\n"


def check_ci_examples(ci_blocks, run_blocks):
    shared = [line.strip() for block in run_blocks for line in block.splitlines() if SHARED_STEPS.match(line.strip())]
    for number, block in enumerate(ci_blocks, start=1):
        yaml.safe_load(block)
        missing = [line for line in shared if line not in block]
        if missing:
            raise SystemExit("CI example %d of %s lacks the page's steps: %s" % (number, PAGE, "; ".join(missing)))
    return len(shared)


def environment(work, fresh_bin):
    """A new user's environment: see the module docstring."""
    home = work / "home"
    real_home = Path.home()
    for config in (".config/pip", ".pip"):
        if (real_home / config).is_dir():
            (home / config).parent.mkdir(parents=True, exist_ok=True)
            (home / config).symlink_to(real_home / config)
    home.mkdir(exist_ok=True)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSIBLE_", "DD_", "DATADOG_")) and name not in ("PYTHONPATH", "VIRTUAL_ENV", "HOME", "PATH")}
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR") or str(real_home / ".cache" / "pip")
    env["HOME"] = str(home)
    env["PATH"] = os.pathsep.join([str(fresh_bin), str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return env


def main():
    tarball, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    started = time.monotonic()
    marked = blocks(PAGE.read_text(encoding="utf-8"))
    run_blocks = [body for kind, _name, body in marked if kind == "run"]
    shared = check_ci_examples([body for kind, _name, body in marked if kind == "ci"], run_blocks)
    work.mkdir(parents=True, exist_ok=True)
    for kind, name, body in marked:
        if kind == "file":
            (work / name).write_text(body + "\n", encoding="utf-8")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    (work / "page.sh").write_text(script(run_blocks, tarball), encoding="utf-8")
    result = subprocess.run(["bash", str(work / "page.sh")], cwd=work, env=environment(work, work / "venv" / "bin"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=RUN_GUARD, check=False)
    (work / "page.log").write_text(result.stdout, encoding="utf-8")
    if result.returncode != 0:
        print(result.stdout)
        emulator_log = work / "dd-emulator.log"
        if emulator_log.exists():
            print("== dd-emulator.log\n" + emulator_log.read_text(encoding="utf-8"))
        raise SystemExit("the steps of %s failed (exit code %d); the output is above and in %s" % (PAGE, result.returncode, work / "page.log"))
    for _poll in range(STOP_GUARD * 10):  # the page's kill: the emulator exits and removes its files
        if not (work / "dd-emulator.pid").exists() and not (work / "dd-emulator.url").exists():
            break
        time.sleep(0.1)
    else:
        raise SystemExit("the emulator the page started did not stop after its kill step")
    files = sum(1 for kind, _name, _body in marked if kind == "file")
    print("%s: %d steps run as written (%d files written, %d CI examples carry its %d commands), from %s in a fresh venv, in %.0f s"
          % (PAGE.name, len(run_blocks), files, len(marked) - files - len(run_blocks), shared, tarball.name, time.monotonic() - started))


if __name__ == "__main__":
    main()
