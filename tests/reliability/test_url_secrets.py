# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""api_url values holding a credential (url_secrets.yml: user information, query keys, fragments, bad ports, schemes
and hosts), given to every module on both execution paths, to the lookup and to the event source: each is refused
before any request, naming the part that is wrong, and no credential shows anywhere - not in a result, not in the
-vvvv output of ansible-playbook, not in the event source's log or the traceback of its failure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from conftest import HERE, PATHS

with open(os.path.join(HERE, "url_secrets.yml")) as handle:
    CASES = yaml.safe_load(handle)

#: The modules take turns: every case reaches one module as api_url, the next one through DD_API_URL.
MODULES = (
    ("ddops.datadog.datadog_app_key_registration_info", {}),
    ("ddops.datadog.datadog_app_key_registration", {"app_key_id": "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"}),
    ("ddops.datadog.datadog_action_connection_info", {}),
    ("ddops.datadog.datadog_action_connection", {"name": "url secrets", "state": "absent"}),
    ("ddops.datadog.datadog_action_connection_set", {"connections": []}),
    ("ddops.datadog.datadog_restriction_policy_info", {"resource_id": "connection:3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"}),
    ("ddops.datadog.datadog_restriction_policy", {"resource_id": "connection:3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81",
                                                  "bindings": [{"relation": "resolver", "principals": ["team:sre", "org"]}]}),
    ("ddops.datadog.datadog_action_connection", {"name": "url secrets access", "integration": {
        "type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r"}},
        "access": [{"relation": "resolver", "principals": ["team:sre", "role:Datadog Admin Role"]}]}),
)


def url_tasks():
    """``(task, case)`` for every case: a module given api_url, another module given DD_API_URL, the lookup given the
    keyword, the lookup given the variable ``datadog_api_url``. The URLs come from a vars file, not the playbook text
    (which ansible-core 2.19+ quotes after a failure)."""
    tasks = []
    for index, case in enumerate(CASES):
        url = "{{ url_cases[%d].url }}" % index
        module, args = MODULES[index % len(MODULES)]
        tasks.append(({"name": "%s: %s with api_url" % (case["id"], module), module: dict(args, api_url=url)}, case))
        module, args = MODULES[(index + 1) % len(MODULES)]
        tasks.append(({"name": "%s: %s with DD_API_URL" % (case["id"], module), module: dict(args),
                       "environment": {"DD_API_URL": url}}, case))
        tasks.append(({"name": "%s: lookup keyword" % case["id"], "ansible.builtin.debug": {
            "msg": "{{ query('ddops.datadog.audit_events', '*', api_url=url_cases[%d].url) }}" % index}}, case))
        tasks.append(({"name": "%s: lookup variable" % case["id"], "vars": {"datadog_api_url": url},
                       "ansible.builtin.debug": {"msg": "{{ query('ddops.datadog.audit_events', '*') }}"}}, case))
    for task, _case in tasks:
        task["ignore_errors"] = True
    return tasks


#: A module process started for a task with ``environment:`` is started by a shell command that Ansible prints at -vvv,
#: the task's environment first (``EXEC /bin/sh -c 'DD_API_URL=...``), whatever the module: Ansible quoting the task,
#: not an output of the collection (docs/troubleshooting.md says to keep secrets out of ``environment:``). The scan
#: leaves those lines out; every other line of the -vvvv output is searched.
EXEC_LINE = re.compile(r"^<[^>]+> EXEC /bin/sh -c 'DD_API_URL=.*$", re.M)


def all_secrets():
    return sorted(set(secret for case in CASES for secret in case["secrets"]))


@pytest.mark.parametrize("path", list(PATHS))
def test_api_urls_holding_secrets_are_refused_naming_the_part_and_never_shown_at_vvvv(
        playbooks, emulator, recording_proxy, figures, path, tmp_path):
    variables = tmp_path / "urls.yml"
    variables.write_text(yaml.safe_dump({"url_cases": CASES}))
    tasks = url_tasks()
    environment = {"HTTPS_PROXY": recording_proxy.url, "https_proxy": recording_proxy.url, "HTTP_PROXY": recording_proxy.url,
                   "http_proxy": recording_proxy.url, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    play = dict(PATHS[path] and {"vars": PATHS[path]} or {}, vars_files=[str(variables)])
    run = playbooks.run([task for task, _case in tasks], emulator=emulator, play=play, verbosity=4, env=environment)
    secrets = all_secrets()
    problems = []
    for task, case in tasks:
        record = run.task(task["name"])
        message = record["result"].get("msg", "")
        if record["status"] != "failed" or case["expect"] not in message:
            problems.append("%s: %s %r" % (task["name"], record["status"], message[:300]))
    result_hits = sorted(secret for secret in secrets if secret in json.dumps(run.records))
    output = EXEC_LINE.sub("<EXEC line of a task with environment: left out>", run.output)
    output_hits = sorted(secret for secret in secrets if secret in output)
    requests_sent = emulator.counts()["total"] + len(recording_proxy.requests)
    figures["api_url secrets (%s)" % path] = {
        "URLs": "%d (%s)" % (len(CASES), ", ".join(case["id"] for case in CASES)),
        "modules": "%d (%s)" % (len(MODULES), ", ".join(module.rsplit(".", maxsplit=1)[-1] + (" with access" if "access" in args else "")
                                                        for module, args in MODULES)),
        "tasks": "%d (every URL: a module with api_url, another with DD_API_URL, the lookup by keyword and by variable)"
                 % len(tasks),
        "secret values searched": len(secrets),
        "-vvvv output searched": "%d bytes (%d EXEC lines quoting a task's environment: left out)"
                                 % (len(output), len(EXEC_LINE.findall(run.output))),
        "hits in the output": len(output_hits),
        "hits in the results": len(result_hits),
        "requests sent": requests_sent,
        "refused naming the part": len(tasks) - len(problems),
    }
    assert not problems, "\n".join(problems)
    assert not output_hits and not result_hits, (output_hits, result_hits)
    assert requests_sent == 0


EVENT_SOURCE_DRIVER = r"""
import asyncio, logging, os, runpy, sys, traceback
logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(levelname)s %(name)s %(message)s")
plugin = runpy.run_path(sys.argv[1])
for url in sys.argv[2:]:
    for how in ("argument", "environment"):
        args = {"api_key": "k" * 32, "app_key": "a" * 40, "query": "*", "interval": 1}
        if how == "argument":
            args["api_url"] = url
            os.environ.pop("DD_API_URL", None)
        else:
            os.environ["DD_API_URL"] = url
        try:
            asyncio.run(asyncio.wait_for(plugin["main"](asyncio.Queue(), args), 30))
        except Exception:
            print("REFUSED (%s): " % how + traceback.format_exc())
        else:
            print("NOT REFUSED (%s)" % how)
"""


def test_the_event_source_refuses_them_too_and_neither_its_log_nor_its_traceback_shows_a_secret(figures):
    """Driven as ansible-rulebook drives it (``main(queue, args)`` of the file run with runpy), with every logger at
    DEBUG and the whole traceback of each failure printed, as ansible-rulebook prints a source's failure."""
    root = [os.path.join(path, "ansible_collections", "ddops", "datadog")
            for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path][0]
    source = os.path.join(root, "extensions", "eda", "plugins", "event_source", "audit_events.py")
    environment = dict((key, value) for key, value in os.environ.items() if not key.startswith(("DD_", "DATADOG_")))
    done = subprocess.run([sys.executable, "-c", EVENT_SOURCE_DRIVER, source] + [case["url"] for case in CASES],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment, timeout=300, check=False)
    output = done.stdout
    refusals = output.count("REFUSED (")
    hits = sorted(secret for secret in all_secrets() if secret in output)
    figures["api_url secrets (event source)"] = {"URLs": len(CASES), "refused (argument, environment)": refusals,
                                                 "output searched": "%d bytes" % len(output), "hits": len(hits)}
    assert done.returncode == 0, output[-3000:]
    assert refusals == 2 * len(CASES) and "NOT REFUSED" not in output, output[-3000:]
    assert all(case["expect"] in output for case in CASES)
    assert not hits, hits
