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
    """One playbook task for a case: the module with its arguments, or a debug of the lookup. The lookup's keyword
    values come from task variables, so that they reach it as given (a NaN, a line break, a dict, non-ASCII text)."""
    task = {"name": case["id"], "ignore_errors": True}
    if "environment" in case:
        task["environment"] = case["environment"]
    if "module" in case:
        task[case["module"]] = case["args"]
    else:
        kwargs = case.get("kwargs", {})
        arguments = ", ".join(["'%s'" % term for term in case.get("terms", ["*"])]
                              + ["%s=bad_input_%s" % (name, name) for name in kwargs])
        task["vars"] = dict(("bad_input_%s" % name, value) for name, value in kwargs.items())
        task["ansible.builtin.debug"] = {"msg": "{{ query('%s', %s) }}" % (case["lookup"], arguments)}
    return task


CHECKED = CASES
MODULES = ("ddops.datadog.datadog_app_key_registration", "ddops.datadog.datadog_app_key_registration_info",
           "ddops.datadog.audit_events", "ddops.datadog.datadog_action_connection",
           "ddops.datadog.datadog_action_connection_info", "ddops.datadog.datadog_action_connection_set",
           "ddops.datadog.datadog_restriction_policy", "ddops.datadog.datadog_restriction_policy_info")


def test_the_table_covers_every_plugin_with_at_least_80_cases():
    plugins = set(case.get("module") or case.get("lookup") for case in CASES)
    assert len(CASES) >= 80, len(CASES)
    assert set(MODULES) <= plugins
    assert len(set(case["id"] for case in CASES)) == len(CASES), "case ids must be unique"


def table_secrets(emulator, cases):
    """The keys and every secret of the cases, whole and (for the ones that are not ASCII) as far as their ASCII
    start goes, so that an escaped form is found too."""
    found = set()
    for ensure_ascii in (True, False):
        found.update(re.findall(r"rel-secret-[\w-]*\w", json.dumps(cases, ensure_ascii=ensure_ascii)))
    return [emulator.api_key, emulator.app_key] + sorted(found)


def run_cases(playbooks, emulator, proxy, path, cases):
    """Run the cases as one playbook at -vvvv; return ``(run, problems by case id, leaking case ids, secrets)``.

    At -vvvv the secret check also covers Ansible's most verbose output, which names the path taken. HTTPS requests go
    to a local proxy that refuses them, so a case that slips through reaches no real endpoint."""
    environment = {"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "NO_PROXY": "127.0.0.1,localhost",
                   "no_proxy": "127.0.0.1,localhost"}
    run = playbooks.run([case_task(case) for case in cases], emulator=emulator, play_vars=PATHS[path], verbosity=4,
                        env=environment)
    problems = {}
    for case in cases:
        record = run.task(case["id"])
        message = record["result"].get("msg", "")
        found = []
        if record["status"] != "failed":
            found.append("did not fail (%s)" % record["status"])
        else:
            missing = [text for text in case["expect"] if text not in message]
            if missing:
                found.append("message %r lacks %r" % (message[:400], missing))
            if "Traceback" in json.dumps(record["result"]) or "MODULE FAILURE" in message:
                found.append("traceback instead of a message")
            if "module" in case and (record["result"].get("api") or {}).get("requests") != {"total": 0}:
                found.append("no api member saying 0 requests: %r" % (record["result"].get("api"),))
        if found:
            problems[case["id"]] = found
    if os.environ.get("DDOPS_SHOW_MESSAGES"):
        for case in cases:
            print("%-55s %s" % (case["id"], run.task(case["id"])["result"].get("msg", "")[:400]))
    secrets = table_secrets(emulator, cases)
    leaks = [case["id"] for case in cases
             if any(secret in json.dumps(run.task(case["id"]), ensure_ascii=False) for secret in secrets)]
    output = ORIGIN_EXCERPT.sub("Origin: (excerpt of the playbook left out)\n", run.output)
    leaks += ["playbook output"] if any(secret in output for secret in secrets) else []
    return run, problems, leaks, secrets


#: After a failed task, ansible-core 2.19+ prints ``Origin: <playbook>:<line>:<column>`` and the playbook's own lines
#: above that place: in this generated playbook, the previous case's arguments, written in clear. That is Ansible
#: quoting the playbook's text whatever the module, not an output of a plugin, so the scan leaves those excerpts out
#: (docs/troubleshooting.md tells users to keep secrets out of playbook text); everything else is searched.
ORIGIN_EXCERPT = re.compile(r"^Origin: [^\n]*\n\n(?:\d+ [^\n]*\n|[ \t]+\^ column \d+\n)*", re.M)


@pytest.mark.second_lane
@pytest.mark.parametrize("path", list(PATHS))
def test_every_bad_input_fails_clearly_before_any_request(playbooks, emulator, recording_proxy, figures, path):
    run, problems, leaks, secrets = run_cases(playbooks, emulator, recording_proxy, path, CHECKED)
    requests_sent = emulator.counts()["total"] + len(recording_proxy.requests)
    figures["bad input (%s)" % path] = {
        "invalid inputs": len(CHECKED),
        "plugins covered": len(set(case.get("module") or case.get("lookup") for case in CHECKED)),
        "rejected with a clear message": len(CHECKED) - len(problems),
        "requests sent for bad input (emulator + elsewhere)": requests_sent,
        "secret values checked": len(secrets),
        "cases echoing a secret or key": len(leaks),
        "-vvvv output searched": "%d bytes" % len(run.output),
    }
    modules = sum(1 for case in CHECKED if "module" in case)
    announced = "runs in the controller process" if path == "in-process" else "runs as a module (ddops_datadog_in_process is false)"
    assert run.output.count(announced) == modules, (path, run.output.count(announced), modules)
    assert not problems, "\n".join("%s: %s" % (name, "; ".join(found)) for name, found in problems.items())
    assert requests_sent == 0, (emulator.counts(), recording_proxy.requests)
    assert not leaks, leaks
