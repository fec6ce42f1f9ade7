# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Creates whose outcome is unknown, and creates of one name by many hosts at once: never a duplicate."""

from __future__ import annotations

import collections
import json

import pytest
from conftest import PATHS, fleet_inventory, path_taken

CONNECTIONS = "/api/v2/actions/connections"
TIMEOUT = 1
#: Delays of the create's answer, as multiples of ``timeout``: answered in time, then later and later (up to 5x: the
#: client waits for the outcome up to 6x ``timeout``).
DELAYS = (0.5, 1.5, 3, 5)


def connection_task(name, **options):
    return {"name": name, "ddops.datadog.datadog_action_connection": dict({
        "name": name, "tags": ["suite:reliability"],
        "integration": {"type": "Anthropic", "credentials": {"type": "AnthropicAPIKey", "api_token": "slow-secret"}}},
        **options)}


def stored_names(emulator):
    return collections.Counter(connection["name"] for connection in emulator.dump_state()["connections"])


@pytest.mark.parametrize("path", list(PATHS))
def test_a_create_answered_after_the_timeout_is_waited_for_never_sent_twice(playbooks, emulator, figures, path):
    """The emulator applies each create after a delay of 0.5x, 1.5x, 3x and 5x ``timeout: 1``: the task that gave up
    waiting for the answer reads the list until the connection shows, adopts it, and never sends the create again."""
    emulator.add_faults(*[{"kind": "slow", "method": "POST", "route": CONNECTIONS, "times": 1, "delay": factor * TIMEOUT}
                          for factor in DELAYS])
    tasks = [connection_task("slow %sx" % factor, timeout=TIMEOUT) for factor in DELAYS]
    run = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path])
    rerun = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path])
    summary = {}
    problems = []
    for factor, task in zip(DELAYS, tasks):
        record = run.task(task["name"])
        requests = run.requests_during(task["name"], emulator)
        posts = sum(1 for entry in requests if entry["method"] == "POST")
        reads = sum(1 for entry in requests if entry["method"] == "GET" and entry["path"] == CONNECTIONS)
        adopted = any("adopted" in warning for warning in record["result"].get("warnings") or [])
        copies = stored_names(emulator)[task["name"]]
        again = rerun.task(task["name"])
        summary["delay %sx timeout" % factor] = (
            "%s in %.1f s, %d POST, %d list reads, %s, %d connection(s) stored; rerun: %s" % (
                record["status"], record["seconds"], posts, reads, "adopted after the wait" if adopted else "answered in time",
                copies, again["status"]))
        if record["status"] != "changed" or posts != 1 or copies != 1 or again["status"] != "ok":
            problems.append("%sx: %s" % (factor, json.dumps(record["result"])[:1500]))
        if factor > 1 and not adopted:
            problems.append("%sx: no warning that the create was adopted after its answer timed out" % factor)
    summary["rerun"] = "%d failed tasks, changed=%d" % (len(rerun.failed()), sum(1 for r in rerun.records if r["status"] == "changed"))
    figures["slow create, timeout %ds (%s)" % (TIMEOUT, path)] = summary
    assert run.rc == 0 and rerun.rc == 0, (run.output[-3000:], rerun.output[-3000:])
    assert not problems, "\n".join(problems)
    assert emulator.counts()["routes"]["POST " + CONNECTIONS] == len(DELAYS)
    assert not rerun.failed() and not any(record["status"] == "changed" for record in rerun.records)
    assert path_taken(emulator, path)


@pytest.mark.parametrize("path", list(PATHS))
def test_a_create_dropped_after_sending_fails_as_unknown_and_the_rerun_creates_it_once(playbooks, emulator, figures, path):
    """The connection is closed after the create was sent, and the emulator did not apply it: the task cannot know,
    so it waits 6 x timeout for the connection to show, then fails saying the outcome is unknown and that re-running is
    safe. The rerun creates the connection: one in the end, never two."""
    emulator.add_faults({"kind": "drop", "method": "POST", "route": CONNECTIONS, "times": 1})
    task = dict(connection_task("dropped create", timeout=TIMEOUT), ignore_errors=True)
    run = playbooks.run([task], emulator=emulator, play_vars=PATHS[path])
    first = run.task(task["name"])
    reads = sum(1 for entry in run.requests_during(task["name"], emulator) if entry["method"] == "GET")
    rerun = playbooks.run([task], emulator=emulator, play_vars=PATHS[path])
    again = rerun.task(task["name"])
    message = first["result"].get("msg", "")
    figures["create dropped after sending, timeout %ds (%s)" % (TIMEOUT, path)] = {
        "first run": "%s after %.1f s and %d list reads: %s" % (first["status"], first["seconds"], reads, message[:200]),
        "rerun": "%s, %d connection(s) stored, %d POSTs in all" % (
            again["status"], stored_names(emulator)["dropped create"], emulator.counts()["routes"]["POST " + CONNECTIONS])}
    assert first["status"] == "failed" and "outcome is unknown" in message and "Re-running the task is safe" in message, first
    assert again["status"] == "changed" and stored_names(emulator)["dropped create"] == 1
    assert emulator.counts()["routes"]["POST " + CONNECTIONS] == 2  # one per run: never sent twice by one task
    assert path_taken(emulator, path)


HOSTS = 10
NAMES = 5
ROUNDS = 3


@pytest.mark.second_lane
@pytest.mark.parametrize("path", list(PATHS))
def test_ten_hosts_with_ten_forks_converging_five_shared_names_create_each_once(playbooks, emulator, figures, path):
    """10 inventory hosts (``connection: local``), ``forks: 10``, each converging the same 5 names against one org at
    the same moment: the per-name lock lets one host create each name; the others find it. Three rounds, each from an
    empty org."""
    names = ["shared %d" % number for number in range(NAMES)]
    task = dict(connection_task("{{ item }}"), loop=names, name="converge shared names")
    summary = {}
    for round_number in range(1, ROUNDS + 1):
        emulator.reset(state=True, counts=True, log=True)
        run = playbooks.run([task], emulator=emulator, play_vars=PATHS[path], inventory=fleet_inventory(HOSTS), forks=HOSTS,
                            play={"hosts": "fleet"})
        items = run.items("converge shared names")
        stored = stored_names(emulator)
        posts = emulator.counts()["routes"].get("POST " + CONNECTIONS, 0)
        changed = collections.Counter(item["result"]["item"] for item in items if item["status"] == "changed")
        failed = [item for item in items if item["status"] == "failed"] + run.failed()
        hosts = len(set(item["host"] for item in items))
        summary["round %d" % round_number] = (
            "%d hosts x %d names: %d POSTs, %d connections stored (%s), %d changed items, %d failed, %d requests, %.0f s"
            % (hosts, NAMES, posts, sum(stored.values()), "1 per name" if set(stored.values()) == {1} else dict(stored),
               sum(changed.values()), len(failed), emulator.counts()["total"], run.seconds))
        assert run.rc == 0 and not failed, (json.dumps(failed)[:3000], run.output[-3000:])
        assert hosts == HOSTS and len(items) == HOSTS * NAMES
        assert stored == collections.Counter(dict((name, 1) for name in names)), dict(stored)
        assert posts == NAMES
        assert changed == collections.Counter(dict((name, 1) for name in names)), dict(changed)  # one host created each
        assert path_taken(emulator, path)
    figures["%d hosts, forks %d, %d shared names (%s)" % (HOSTS, HOSTS, NAMES, path)] = summary
