# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The converge engine where several writers meet: a create whose outcome stays unknown while another task waits on
the name, many hosts converging one set with parallel writes, and check mode before the key registration exists."""

from __future__ import annotations

import collections
import json

import pytest
from conftest import PATHS, fleet_inventory, path_taken

CONNECTIONS = "/api/v2/actions/connections"
TIMEOUT = 1
#: The slow create is applied this many times ``timeout`` after it was sent: after the task that sent it gave up
#: waiting (1 + 6 x timeout), while the task waiting on the name's lock is still watching for it.
LATE = 8


def stored_names(emulator):
    return collections.Counter(connection["name"] for connection in emulator.dump_state()["connections"])


def two_hosts():
    return ("[pair]\nfirst\nsecond\n\n[pair:vars]\nansible_connection=local\n"
            "ansible_python_interpreter={{ ansible_playbook_python }}\n")


@pytest.mark.parametrize("path", list(PATHS))
def test_a_create_whose_outcome_stays_unknown_while_another_task_waits_on_the_name_gives_one_connection(
        playbooks, emulator, figures, path):
    """Two hosts (two worker processes) create the same name at once. The first create is applied 8 x timeout after it
    was sent: the task that sent it gives up after 1 + 6 x timeout saying the outcome is unknown, and leaves that on
    the name's lock; the task waiting for the lock then watches the list for that create instead of sending its own,
    and adopts the connection once Datadog applies it. One connection, one POST."""
    emulator.add_faults({"kind": "slow", "method": "POST", "route": CONNECTIONS, "times": 1, "delay": LATE * TIMEOUT})
    task = {"name": "late create", "ignore_errors": True, "ddops.datadog.datadog_action_connection": {
        "name": "late create", "timeout": TIMEOUT, "tags": ["suite:reliability"],
        "integration": {"type": "Anthropic", "credentials": {"type": "AnthropicAPIKey", "api_token": "late-secret"}}}}
    run = playbooks.run([task], emulator=emulator, play_vars=PATHS[path], inventory=two_hosts(), forks=2,
                        play={"hosts": "pair"})
    results = dict((host, run.task("late create", host=host)) for host in ("first", "second"))
    unknown = [host for host, record in results.items() if "The outcome is unknown" in record["result"].get("msg", "")]
    waited = [host for host, record in results.items()
              if any("had an unknown outcome; it showed while this task waited" in warning
                     for warning in record["result"].get("warnings") or [])]
    rerun = playbooks.run([dict(task, ignore_errors=False)], emulator=emulator, play_vars=PATHS[path],
                          inventory=two_hosts(), forks=2, play={"hosts": "pair"})
    posts = emulator.counts()["routes"]["POST " + CONNECTIONS]
    figures["create applied %dx timeout late while a second host waits on the name (%s)" % (LATE, path)] = {
        "first run": ", ".join("%s %s in %.1f s" % (host, record["status"], record["seconds"]) for host, record in sorted(results.items())),
        "host whose create's outcome stayed unknown": ", ".join(unknown) or "none",
        "host that waited for it and adopted it": ", ".join(waited) or "none",
        "POSTs": posts, "connections stored": stored_names(emulator)["late create"],
        "rerun": ", ".join("%s %s" % (host, rerun.task("late create", host=host)["status"]) for host in ("first", "second"))}
    assert len(unknown) == 1 and len(waited) == 1 and unknown != waited, json.dumps(results)[:3000]
    assert results[waited[0]]["status"] == "ok"  # adopted as it is: nothing to change
    assert results[waited[0]]["result"]["api"]["outcome_polls"] >= 1
    assert results[unknown[0]]["result"]["api"]["reconciliations"][0]["outcome"] == "unknown"
    assert posts == 1 and stored_names(emulator)["late create"] == 1
    assert rerun.rc == 0 and [rerun.task("late create", host=host)["status"] for host in ("first", "second")] == ["ok", "ok"]
    assert path_taken(emulator, path)


HOSTS = 10
NAMES = 5
ROUNDS = 2


@pytest.mark.second_lane
@pytest.mark.parametrize("path", list(PATHS))
def test_ten_hosts_converging_one_set_of_five_shared_names_with_parallel_writes_create_each_once(
        playbooks, emulator, figures, path):
    """10 inventory hosts, ``forks: 10``, each converging the same set of 5 names with ``parallel: 8`` against one org
    at the same moment: each host plans 5 creates; the name locks let one create each name, the others read the list
    again under the lock and find it. Each host reports what it did (``action``) apart from what it planned."""
    names = ["shared set %d" % number for number in range(NAMES)]
    task = {"name": "converge shared set", "ddops.datadog.datadog_action_connection_set": {"parallel": 8, "connections": [
        {"name": name, "tags": ["suite:reliability"], "integration": {"type": "Anthropic", "credentials": {
            "type": "AnthropicAPIKey", "api_token": "shared-set-secret"}}} for name in names]}}
    summary = {}
    for round_number in range(1, ROUNDS + 1):
        emulator.reset(state=True, counts=True, log=True)
        run = playbooks.run([task], emulator=emulator, play_vars=PATHS[path], inventory=fleet_inventory(HOSTS), forks=HOSTS,
                            play={"hosts": "fleet"})
        records = [record for record in run.records if record["task"] == "converge shared set"]
        entries = [entry for record in records for entry in record["result"].get("connections") or []]
        created = collections.Counter(entry["name"] for entry in entries if entry["action"] == "create")
        planned = collections.Counter(entry["name"] for entry in entries if entry["planned"] == "create")
        stored = stored_names(emulator)
        posts = emulator.counts()["routes"].get("POST " + CONNECTIONS, 0)
        summary["round %d" % round_number] = (
            "%d hosts x %d names: %d POSTs, %d connections stored (%s), %d creates planned, %d done, %d failed, %d requests, "
            "%.0f s" % (len(records), NAMES, posts, sum(stored.values()),
                        "1 per name" if set(stored.values()) == {1} else dict(stored), sum(planned.values()),
                        sum(created.values()), len(run.failed()), emulator.counts()["total"], run.seconds))
        assert run.rc == 0 and not run.failed(), run.output[-3000:]
        assert len(records) == HOSTS and len(entries) == HOSTS * NAMES
        assert stored == collections.Counter(dict((name, 1) for name in names)), dict(stored)
        assert posts == NAMES
        assert created == collections.Counter(dict((name, 1) for name in names)), dict(created)  # one host created each
        assert all(entry["action"] in ("create", "unchanged") for entry in entries)
        assert path_taken(emulator, path)
    figures["%d hosts, forks %d, one set of %d shared names, parallel 8 (%s)" % (HOSTS, HOSTS, NAMES, path)] = summary


@pytest.mark.parametrize("path", list(PATHS))
def test_check_mode_before_the_key_registration_exists_says_what_it_cannot_know(playbooks, figures, path):
    """``--check`` of the role on an organization whose application key the role would register: the registration is
    only simulated, so Datadog refuses the list (403). The role says so and what it cannot know, and does not fail."""
    from dd_emulator.server import Emulator  # pylint: disable=import-outside-toplevel

    with Emulator(register_app_key=False) as emulator:
        task = {"name": "converge", "ansible.builtin.include_role": {"name": "ddops.datadog.action_connections"},
                "vars": {"action_connections_app_keys": [emulator.app_key_id], "action_connections_list": [
                    {"name": "needs the key", "integration": {"type": "AWS", "credentials": {
                        "type": "AWSAssumeRole", "account_id": "123456789012", "role": "r"}}}]}}
        run = playbooks.run([task], emulator=emulator, play_vars=PATHS[path], check=True)
        message = run.task("Say what check mode cannot know before the key registration it simulated exists")
        text = " ".join(json.dumps(message["result"].get("msg")).split())
        writes = [route for route in emulator.counts()["routes"] if not route.startswith("GET ")]
        figures["--check before the key registration exists (%s)" % path] = {
            "play": "failed" if run.rc else "ok", "requests": emulator.counts()["total"], "writes": len(writes),
            "message": text[:300]}
        assert run.rc == 0, run.output[-3000:]
        assert "registers application key(s) %s for the Actions API only in check mode" % emulator.app_key_id in text
        assert "the registration was simulated" in text and "The plan of the action connections is therefore unknown" in text
        assert "Nothing was written" in text
        assert writes == [] and emulator.counts()["routes"]["GET /api/v2/actions/connections"] == 1
        assert run.task("Keep that the plan is unknown")["status"] == "ok"
        assert path_taken(emulator, path)
