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
import signal
import socketserver
import subprocess
import threading
import time

import pytest
import yaml

from dd_emulator.server import Emulator

HERE = os.path.dirname(os.path.abspath(__file__))
FIGURES = {}
#: Per test: playbook runs, their wall seconds and the CPU seconds of their process trees (the suite's cost in CI).
COSTS = {}

# Both execution paths: the action plugins run the module logic in the controller process (the default for these
# localhost plays); ddops_datadog_in_process=false runs each module in its own process, as on a remote host.
PATHS = {"in-process": None, "module process": {"ddops_datadog_in_process": False}}
AGENT = {"in-process": "; in-process ddops.datadog.", "module process": "; module ddops.datadog."}


def path_taken(emulator, path):
    """True when every request a module sent came from the path under test (the User-Agent names it; lookups always
    run in the controller, so their requests are left out)."""
    agents = [entry["user_agent"] for entry in emulator.responses_log()
              if "ddops.datadog/" in entry["user_agent"] and "; lookup " not in entry["user_agent"]]
    return bool(agents) and all(AGENT[path] in agent for agent in agents)


class PlaybookRun(object):
    """One ``ansible-playbook`` run: exit code, output, every recorded result, seconds, and the peak resident memory of
    the largest process of its tree (``max_rss_mb``, from ``wait4``: the playbook, its forks and module processes)."""

    def __init__(self, rc, output, records, seconds, max_rss_mb=None, timed_out=False, cpu_seconds=None):
        self.rc = rc
        self.output = output
        self.records = records
        self.seconds = seconds
        self.max_rss_mb = max_rss_mb
        self.timed_out = timed_out
        self.cpu_seconds = cpu_seconds

    def task(self, name, host=None):
        matches = [record for record in self.records if not record["item"] and self._named(record, name)
                   and (host is None or record.get("host") == host)]
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

    def requests_during(self, name, emulator):
        """The emulator's log entries of the requests that arrived while task ``name`` ran (on one host)."""
        record = self.task(name)
        started, ended = record["ended"] - record["seconds"], record["ended"]
        return [entry for entry in emulator.responses_log() if started <= entry["received"] <= ended]


class Playbooks(object):
    """Runs a list of tasks as a localhost playbook against an emulator, recording every result."""

    def __init__(self, tmp_path, test_name=None):
        self.tmp_path = tmp_path
        self.count = 0
        self.test_name = test_name

    def run(self, tasks, emulator=None, env=None, verbosity=0, play_vars=None, play=None, inventory=None, forks=None,
            unset=(), limit_seconds=600, check=False):
        """Run ``tasks`` in one play. ``play`` adds or replaces play keywords (``hosts``, ``module_defaults``, ``roles``);
        ``inventory`` is an inventory file's text; ``unset`` names environment variables to remove; ``check`` runs
        ``ansible-playbook --check``; a run still going after ``limit_seconds`` is killed (``timed_out``), so a client
        that loops cannot hang the suite."""
        self.count += 1
        playbook = self.tmp_path / ("play%d.yml" % self.count)
        record = self.tmp_path / ("record%d.jsonl" % self.count)
        output = self.tmp_path / ("output%d.txt" % self.count)
        definition = {"name": "reliability", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}
        if play_vars:
            definition["vars"] = play_vars
        definition.update(play or {})
        playbook.write_text(yaml.safe_dump([definition], sort_keys=False))
        environment = dict(os.environ)
        for name in ("DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DATADOG_APP_KEY", "DD_SITE", "DD_API_URL", "DD_APP_KEY_ID"):
            environment.pop(name, None)
        if emulator is not None:
            environment.update(DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key)
        environment.update(
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"), ANSIBLE_STDOUT_CALLBACK="record_results",
            DDOPS_RECORD=str(record), ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER="auto_silent",
        )
        environment.update(env or {})
        for name in unset:
            environment.pop(name, None)
        command = ["ansible-playbook", str(playbook)] + (["-" + "v" * verbosity] if verbosity else [])
        if inventory is not None:
            path = self.tmp_path / ("inventory%d.ini" % self.count)
            path.write_text(inventory)
            command += ["-i", str(path)]
        if forks:
            command += ["--forks", str(forks)]
        if check:
            command.append("--check")
        rc, seconds, max_rss_mb, timed_out, cpu = run_measured(command, environment, output, limit_seconds)
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        cost = COSTS.setdefault(self.test_name, [0, 0.0, 0.0])
        cost[0] += 1
        cost[1] += seconds
        cost[2] += cpu
        return PlaybookRun(rc, output.read_text(errors="replace"), records, seconds, max_rss_mb, timed_out, cpu)


def run_measured(command, environment, output, limit_seconds):
    """Run ``command`` (output to the file ``output``); return ``(rc, seconds, peak RSS in MB, timed out, CPU seconds)``.

    The peak comes from ``wait4``: the largest resident set of the process and of every descendant it waited for
    (Ansible waits for its forks, they wait for module processes), measured by the kernel, so no peak is missed."""
    started = time.monotonic()
    with open(output, "w") as handle:
        process = subprocess.Popen(command, env=environment, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    timer = threading.Timer(limit_seconds, _kill_group, (process.pid,))
    timer.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    return (process.returncode, seconds, round(usage.ru_maxrss / 1024.0, 1), seconds >= limit_seconds,
            usage.ru_utime + usage.ru_stime)


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


@pytest.fixture
def playbooks(tmp_path, request):
    return Playbooks(tmp_path, request.node.nodeid.split("::", 1)[-1])


@pytest.fixture
def emulator():
    with Emulator(register_app_key=True) as running:
        yield running


class RecordingProxy(object):
    """An HTTP proxy on 127.0.0.1 that forwards nothing: it records the first line of each request (``CONNECT
    api.datadoghq.eu:443 HTTP/1.1``) and answers 403. Pointing ``HTTPS_PROXY`` at it shows where a client would have
    gone, without any request leaving the machine."""

    def __init__(self):
        self.requests = []
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _handler(self):
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline(4096).decode("latin-1").strip()
                if line:
                    proxy.requests.append(line)
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        return Handler

    def hosts(self):
        """The ``host:port`` of every CONNECT (or the URL of every plain request) received."""
        return [line.split(" ")[1] for line in self.requests if " " in line]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc_info):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def recording_proxy():
    with RecordingProxy() as proxy:
        yield proxy


def fleet_inventory(hosts):
    """An inventory of ``hosts`` local hosts (host00, host01, ...) in the group ``fleet``: many hosts, one machine."""
    return "[fleet]\n%s\n\n[fleet:vars]\nansible_connection=local\nansible_python_interpreter={{ ansible_playbook_python }}\n" % (
        "\n".join("host%02d" % number for number in range(hosts)))


@pytest.fixture(scope="session")
def figures():
    return FIGURES


#: ``make test`` splits this suite between its two lanes so that both end at about the same time: lane 2 runs the
#: module-process variant of the tests marked ``second_lane`` (the costliest: a module process per task), lane 1
#: everything else. Tests marked ``every_lane`` run in both lanes (both ansible-core versions), both paths.
#: ``DDOPS_RELIABILITY_SHARE`` names the share (``lane1``/``lane2``); unset (``make reliability``) runs the whole suite.
SHARES = ("lane1", "lane2")


def pytest_configure(config):
    config.addinivalue_line("markers", "second_lane: its module-process variant runs in lane 2 of make test")
    config.addinivalue_line("markers", "every_lane: runs in both lanes of make test (both ansible-core versions)")


def pytest_collection_modifyitems(config, items):
    share = os.environ.get("DDOPS_RELIABILITY_SHARE")
    if not share:
        return
    if share not in SHARES:
        raise pytest.UsageError("DDOPS_RELIABILITY_SHARE must be one of %s, not %r" % (", ".join(SHARES), share))
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        in_lane2 = bool(item.get_closest_marker("second_lane")) and params is not None and params.params.get("path") == "module process"
        (keep if item.get_closest_marker("every_lane") or in_lane2 == (share == "lane2") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    if COSTS:
        FIGURES["suite cost (ansible-playbook runs: count, wall s, CPU s of their process trees)"] = dict(
            (name, "%d runs, %.0f s wall, %.0f s CPU" % (runs, wall, cpu)) for name, (runs, wall, cpu) in sorted(COSTS.items()))
        FIGURES["suite cost total"] = {"runs": sum(cost[0] for cost in COSTS.values()),
                                       "wall s": round(sum(cost[1] for cost in COSTS.values())),
                                       "CPU s": round(sum(cost[2] for cost in COSTS.values()))}
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
