# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every invalid input of bad_input.yml fails with a message naming the option, and sends no request."""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from conftest import HERE, PATHS

with open(os.path.join(HERE, "bad_input.yml")) as handle:
    CASES = yaml.safe_load(handle)


def case_task(case):
    """One playbook task for a case: the module with its arguments, or a debug of the lookup."""
    task = {"name": case["id"], "ignore_errors": True}
    if "module" in case:
        task[case["module"]] = case["args"]
    else:
        arguments = ", ".join(["'%s'" % term for term in case.get("terms", ["*"])]
                              + ["%s=%s" % (name, json.dumps(value)) for name, value in case["kwargs"].items()])
        task["ansible.builtin.debug"] = {"msg": "{{ query('%s', %s) }}" % (case["lookup"], arguments)}
    return task


def test_the_table_covers_every_plugin_with_at_least_40_cases():
    plugins = set(case.get("module") or case.get("lookup") for case in CASES)
    assert len(CASES) >= 40, len(CASES)
    assert {"ddops.datadog.datadog_app_key_registration", "ddops.datadog.datadog_app_key_registration_info",
            "ddops.datadog.audit_events", "ddops.datadog.datadog_action_connection",
            "ddops.datadog.datadog_action_connection_info", "ddops.datadog.datadog_action_connection_set"} <= plugins
    assert len(set(case["id"] for case in CASES)) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("path", list(PATHS))
def test_every_bad_input_fails_clearly_before_any_request(playbooks, emulator, figures, path):
    # At -vvvv: the secret check below then also covers Ansible's most verbose output, which names the path taken.
    run = playbooks.run([case_task(case) for case in CASES], emulator=emulator, play_vars=PATHS[path], verbosity=4)
    problems = []
    for case in CASES:
        record = run.task(case["id"])
        message = record["result"].get("msg", "")
        if record["status"] != "failed":
            problems.append("%s: did not fail (%s)" % (case["id"], record["status"]))
            continue
        missing = [text for text in case["expect"] if text not in message]
        if missing:
            problems.append("%s: message %r lacks %r" % (case["id"], message, missing))
        if "Traceback" in json.dumps(record["result"]) or "MODULE FAILURE" in message:
            problems.append("%s: traceback instead of a message" % case["id"])
    requests_sent = emulator.counts()["total"]
    secrets = [emulator.api_key, emulator.app_key] + sorted(set(re.findall(r"rel-secret-\d+", json.dumps(CASES))))
    leaks = [case["id"] for case in CASES if any(secret in json.dumps(run.task(case["id"])) for secret in secrets)]
    leaks += ["playbook output"] if any(secret in run.output for secret in secrets) else []
    figures["bad input (%s)" % path] = {
        "invalid inputs": len(CASES),
        "plugins covered": len(set(case.get("module") or case.get("lookup") for case in CASES)),
        "rejected with a clear message": len(CASES) - len(problems),
        "requests sent for bad input": requests_sent,
        "secret values checked": len(secrets),
        "cases echoing a secret or key": len(leaks),
    }
    modules = sum(1 for case in CASES if "module" in case)
    announced = "runs in the controller process" if path == "in-process" else "runs as a module (ddops_datadog_in_process is false)"
    assert run.output.count(announced) == modules, (path, run.output.count(announced), modules)
    assert not problems, "\n".join(problems)
    assert requests_sent == 0, emulator.counts()
    assert not leaks
