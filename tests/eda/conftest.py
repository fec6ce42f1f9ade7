# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event-Driven Ansible tests: rulebooks run by the real ``ansible-rulebook`` against the local emulator.

``ANSIBLE_COLLECTIONS_PATH`` must hold ddops.datadog (``make eda`` points it at the copied tree). ansible-rulebook
needs Java 17; where it cannot start, every test here is skipped with one line saying why (the event source's own
tests in tests/unit drive its ``main(queue, args)`` without it).

No assertion depends on how long anything took: every wait is for a condition, with a generous bound, and every
ansible-rulebook process is stopped by the test that started it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest
import yaml

from dd_emulator.server import Emulator

BOUND = 180  # seconds: the most one condition wait may take (ansible-rulebook starts a JVM on a busy machine)
SEARCH_ROUTE = "POST /api/v2/audit/events/search"
DATADOG_ENVIRONMENT = ("DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DATADOG_APP_KEY", "DD_SITE", "DD_API_URL")


def wait_for(condition, what, process=None):
    """Wait until ``condition()`` is true; fail after :data:`BOUND` seconds, or at once when ``process`` ended."""
    deadline = time.monotonic() + BOUND
    while not condition():
        if process is not None and process.exited():
            pytest.fail("ansible-rulebook ended (rc %s) while waiting for %s:\n%s" % (process.rc, what, process.output()[-4000:]))
        if time.monotonic() > deadline:
            pytest.fail("gave up waiting for %s%s" % (what, "" if process is None else ":\n" + process.output()[-4000:]))
        time.sleep(0.1)


def searches(emulator):
    return emulator.counts()["routes"].get(SEARCH_ROUTE, 0)


@pytest.fixture(scope="session")
def collection_root():
    paths = [path for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
    for path in paths:
        root = os.path.join(path, "ansible_collections", "ddops", "datadog")
        if os.path.exists(os.path.join(root, "galaxy.yml")):
            return root
    pytest.fail("ANSIBLE_COLLECTIONS_PATH does not hold ddops.datadog (run these tests with make eda)")


@pytest.fixture(scope="session")
def rulebook_cli():
    """The ansible-rulebook command, or a skip that says in one line why it cannot start here."""
    executable = shutil.which("ansible-rulebook")
    if executable is None:
        pytest.skip("ansible-rulebook cannot start here: it is not installed (tests/requirements-dev.txt installs it)")
    try:
        probe = subprocess.run([executable, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=BOUND, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("ansible-rulebook cannot start here: 'ansible-rulebook --version' did not answer in %d s" % BOUND)
    java = [line.split("=", 1)[1].strip() for line in probe.stdout.splitlines() if line.strip().startswith("Java version")]
    if probe.returncode != 0 or not java or java[0] in ("", "None"):
        said = [line.strip() for line in probe.stdout.splitlines() if line.strip().strip("*") and not line.startswith("** ")]
        last = said[-1:] or ["no output"]
        pytest.skip("ansible-rulebook cannot start here (it needs Java 17: install openjdk-17 or set JAVA_HOME): %s" % last[0])
    return executable


class Rulebook(object):
    """One ansible-rulebook process, its output in a file; :meth:`stop` ends it (the fixture makes sure)."""

    def __init__(self, executable, workdir, emulator, rulebook, variables, extra_args=(), env=None):
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "rulebook.log")
        inventory = os.path.join(workdir, "inventory.yml")
        with open(inventory, "w") as handle:
            yaml.safe_dump({"all": {"hosts": {"localhost": {"ansible_connection": "local",
                                                            "ansible_python_interpreter": "auto_silent"}}}}, handle)
        variables_path = os.path.join(workdir, "vars.yml")
        with open(variables_path, "w") as handle:
            yaml.safe_dump(variables, handle)
        environment = dict((key, value) for key, value in os.environ.items() if key not in DATADOG_ENVIRONMENT)
        environment.update(DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key,
                           ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0")
        environment.update(env or {})
        command = [executable, "-r", rulebook, "-i", inventory, "--vars", variables_path, "-v"] + list(extra_args)
        self.rc = None
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def exited(self):
        if self.rc is None:
            self.rc = self.process.poll()
        return self.rc is not None

    def output(self):
        with open(self.log_path, errors="replace") as handle:
            return handle.read()

    def lines_starting(self, prefix):
        return [line[len(prefix):].strip() for line in self.output().splitlines() if line.startswith(prefix)]

    def wait_exit(self, what):
        wait_for(self.exited, what)
        return self.rc

    def stop(self):
        """Interrupt it as a person would (Ctrl-C), then make sure it is gone; return its exit code."""
        if not self.exited():
            self.process.send_signal(signal.SIGINT)
            try:
                self.rc = self.process.wait(timeout=BOUND)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.rc = self.process.wait()
        return self.rc


@pytest.fixture
def rulebooks(rulebook_cli, tmp_path):
    started = []

    def start(emulator, rulebook, variables, extra_args=(), env=None, name="run"):
        workdir = tmp_path / ("%s%d" % (name, len(started)))
        workdir.mkdir()
        run = Rulebook(rulebook_cli, str(workdir), emulator, rulebook, variables, extra_args=extra_args, env=env)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()


@pytest.fixture
def emulator():
    with Emulator(register_app_key=True) as running:
        yield running


FIGURES = {}


@pytest.fixture(scope="session")
def figures():
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.write_sep("-", "Event-Driven Ansible figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line("%s: %s" % (name, value))
    path = os.environ.get("DDOPS_FIGURES")
    if path:
        with open(path, "w") as handle:
            json.dump(FIGURES, handle, indent=2, sort_keys=True)
