# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A purge while the API misbehaves never deletes a connection that is out of scope or declared, run after run."""

from __future__ import annotations

import collections

import pytest
import requests
from conftest import PATHS, path_taken
from test_converge_under_faults import set_result

SCOPE = ["team:sre", "env:purge"]
GROUP = 10
FAULT_KINDS = ("429", "500", "502", "503", "drop")


def integration(number):
    return {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "%012d" % (200000000000 + number),
                                           "role": "purge-%d" % number}}


def seed(emulator):
    """10 declared connections and 10 extras in the scope, 10 connections out of it (5 with one scope tag only)."""
    groups = {"declared": SCOPE, "extra": SCOPE + ["owner:ui"], "outside": None}
    ids = {}
    for group, tags in groups.items():
        for number in range(GROUP):
            name = "purge %s %02d" % (group, number)
            own_tags = tags if tags is not None else (["team:sre"] if number % 2 else ["team:web", "env:purge"])
            attributes = {"name": name, "integration": integration(number), "tags": own_tags}
            body = {"data": {"type": "action_connection", "attributes": attributes}}
            answer = requests.post(emulator.url + "/api/v2/actions/connections", json=body, headers=emulator.headers, timeout=10)
            assert answer.status_code == 201, answer.text
            ids[name] = answer.json()["data"]["id"]
    return ids


def declared():
    return [{"name": "purge declared %02d" % number, "integration": integration(number), "tags": SCOPE} for number in range(GROUP)]


def stored(emulator):
    return dict((connection["name"], connection["id"]) for connection in emulator.dump_state()["connections"])


def converge_task(options):
    return {"name": "purge", "ansible.builtin.include_role": {"name": "ddops.datadog.action_connections"},
            "vars": {"action_connections_list": declared(), "action_connections_purge": True,
                     "action_connections_purge_tags": SCOPE, "action_connections_purge_max": 20,
                     "action_connections_connection_options": options}}


def untouched(emulator, ids):
    """The declared and out-of-scope connections, each present once with its seeded ID."""
    names = collections.Counter(connection["name"] for connection in emulator.dump_state()["connections"])
    now = stored(emulator)
    kept = [name for name in ids if not name.startswith("purge extra")]
    return [name for name in kept if now.get(name) != ids[name] or names[name] != 1]


@pytest.mark.parametrize("path", list(PATHS))
def test_a_purge_under_30_percent_faults_deletes_exactly_the_in_scope_extras(playbooks, emulator, figures, path):
    ids = seed(emulator)
    per_kind = 1 - (1 - 0.30) ** (1.0 / len(FAULT_KINDS))
    emulator.add_faults({"kind": "lost_answer", "method": "DELETE", "probability": 0.3, "seed": 7},
                        *[{"kind": kind, "probability": per_kind, "seed": 200 + index, "reset": 1}
                          for index, kind in enumerate(FAULT_KINDS)])
    options = {"retries": 10, "retry_backoff": 0.05, "retry_max_wait": 0.3, "timeout": 10}
    summary = {}
    for run_number in (1, 2):
        before = sum(rule["injected"] for rule in emulator.faults())
        run = playbooks.run([converge_task(options)], emulator=emulator, play_vars=PATHS[path])
        result = set_result(run)
        injected = sum(rule["injected"] for rule in emulator.faults()) - before
        extras_left = sorted(name for name in stored(emulator) if name.startswith("purge extra"))
        summary["run %d" % run_number] = "%d faults injected, plan %s, %d extras left, %d kept connections touched" % (
            injected, result.get("summary"), len(extras_left), len(untouched(emulator, ids)))
        assert run.rc == 0, run.output[-4000:]
        assert untouched(emulator, ids) == []
        assert extras_left == []
        assert result["plan"]["delete"] == (sorted(name for name in ids if name.startswith("purge extra"))
                                            if run_number == 1 else [])
        assert path_taken(emulator, path)
    figures["purge 10 of 30 connections under 30%% faults (%s)" % path] = summary


def test_a_purge_that_fails_midway_still_touches_nothing_out_of_scope_or_declared(playbooks, emulator, figures):
    """Half the answers are server errors and the client may not retry: the run fails, but whatever it managed to
    delete is an in-scope extra; run again without faults, it finishes the purge."""
    ids = seed(emulator)
    emulator.add_faults({"kind": "500", "probability": 0.5, "seed": 11})
    runs = []
    for attempt in range(6):
        run = playbooks.run([converge_task({"retries": 0})], emulator=emulator)
        runs.append(run.rc)
        assert untouched(emulator, ids) == [], attempt
    emulator.clear_faults()
    run = playbooks.run([converge_task({"retries": 0})], emulator=emulator)
    assert run.rc == 0, run.output[-4000:]
    assert untouched(emulator, ids) == []
    assert sorted(name for name in stored(emulator) if name.startswith("purge extra")) == []
    figures["purge under 50% server errors without retries"] = {
        "failed runs of 6": sum(1 for rc in runs if rc != 0), "declared or out-of-scope connections touched": 0,
        "extras left after a run without faults": 0}
    assert any(rc != 0 for rc in runs)  # the faults did break runs: the invariant was tested under failure
