# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reliability and security tests: real playbooks against the local emulator, with figures.

``ANSIBLE_COLLECTIONS_PATH`` must hold ddops.datadog (``make reliability`` points it at the copied tree).
Every test adds figures to a session-wide table, printed at the end and written to ``DDOPS_FIGURES`` (JSON).
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
import yaml

from dd_emulator.server import Emulator

HERE = os.path.dirname(os.path.abspath(__file__))
FIGURES = {}

# Both execution paths: the action plugins run the module logic in the controller process (the default for these
# localhost plays); ddops_datadog_in_process=false runs each module in its own process, as on a remote host.
PATHS = {"in-process": None, "module process": {"ddops_datadog_in_process": False}}
AGENT = {"in-process": "; in-process ddops.datadog.", "module process": "; module ddops.datadog."}


def path_taken(emulator, path):
    """True when every request the collection sent came from the path under test (the User-Agent names it)."""
    agents = [entry["user_agent"] for entry in emulator.responses_log() if "ddops.datadog/" in entry["user_agent"]]
    return bool(agents) and all(AGENT[path] in agent for agent in agents)


class PlaybookRun(object):
    def __init__(self, rc, output, records, seconds):
        self.rc = rc
        self.output = output
        self.records = records
        self.seconds = seconds

    def task(self, name):
        matches = [record for record in self.records if not record["item"] and self._named(record, name)]
        assert matches, "no result for task %r; output:\n%s" % (name, self.output[-3000:])
        return matches[-1]

    def items(self, name):
        """The loop-item results of a task, each with its warnings intact."""
        return [record for record in self.records if record["item"] and self._named(record, name)]

    @staticmethod
    def _named(record, name):
        return record["task"] == name or record["task"].endswith(" : " + name)

    def warnings(self):
        """Every warning of every result (also the ones Display would show only once)."""
        found = []
        for record in self.records:
            if "results" in record["result"]:  # a loop's aggregate repeats its items' warnings
                continue
            for warning in record["result"].get("warnings") or []:
                found.append(warning if isinstance(warning, str) else json.dumps(warning))
        return found

    def failed(self):
        return [record for record in self.records if record["status"] == "failed" and not record["result"].get("_ansible_ignore_errors")]


class Playbooks(object):
    """Runs a list of tasks as a localhost playbook against an emulator, recording every result."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.count = 0

    def run(self, tasks, emulator=None, env=None, verbosity=0, play_vars=None):
        self.count += 1
        playbook = self.tmp_path / ("play%d.yml" % self.count)
        record = self.tmp_path / ("record%d.jsonl" % self.count)
        play = {"name": "reliability", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}
        if play_vars:
            play["vars"] = play_vars
        playbook.write_text(yaml.safe_dump([play], sort_keys=False))
        environment = dict(os.environ)
        for name in ("DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DATADOG_APP_KEY", "DD_SITE", "DD_API_URL"):
            environment.pop(name, None)
        if emulator is not None:
            environment.update(DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key)
        environment.update(
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"), ANSIBLE_STDOUT_CALLBACK="record_results",
            DDOPS_RECORD=str(record), ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER="auto_silent",
        )
        environment.update(env or {})
        command = ["ansible-playbook", str(playbook)] + (["-" + "v" * verbosity] if verbosity else [])
        started = time.monotonic()
        process = subprocess.run(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        seconds = time.monotonic() - started
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        return PlaybookRun(process.returncode, process.stdout, records, seconds)


@pytest.fixture
def playbooks(tmp_path):
    return Playbooks(tmp_path)


@pytest.fixture
def emulator():
    with Emulator(register_app_key=True) as running:
        yield running


@pytest.fixture(scope="session")
def figures():
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for group in sorted(FIGURES):
        terminalreporter.write_line("%s:" % group)
        for name, value in FIGURES[group].items():
            terminalreporter.write_line("  %-40s %s" % (name, value))
    path = os.environ.get("DDOPS_FIGURES")
    if path:
        with open(path, "w") as handle:
            json.dump(FIGURES, handle, indent=2, sort_keys=True)
        terminalreporter.write_line("written to %s" % path)
