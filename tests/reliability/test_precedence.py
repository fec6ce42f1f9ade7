# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which endpoint a task talks to: an explicit ``site`` or ``api_url`` beats the environment (with a warning naming
both), docs/awx.md's proxy example reaches the proxy, and ``validate_certs: false`` warns once per task.

No request leaves the machine: ``HTTPS_PROXY`` points at a local proxy that records where each request was going and
refuses it."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from conftest import HERE, PATHS, path_taken

from dd_emulator.server import Emulator
from dd_emulator.tls import have_cryptography, write_self_signed_cert

KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
DOCS = os.path.join(HERE, "..", "..", "docs")
#: Fail fast when the endpoint cannot be reached (through the refusing proxy).
FAST = {"retries": 0, "timeout": 5}


def plugin_tasks(options, lookup_options):
    """One task per plugin (the four modules and the lookup), each with these connection options."""
    keywords = ", ".join("%s=%r" % item for item in sorted(lookup_options.items()))
    return [
        {"name": "datadog_action_connection", "ignore_errors": True,
         "ddops.datadog.datadog_action_connection": dict(options, name="precedence", state="absent")},
        {"name": "datadog_action_connection_info", "ignore_errors": True,
         "ddops.datadog.datadog_action_connection_info": dict(options)},
        {"name": "datadog_app_key_registration", "ignore_errors": True,
         "ddops.datadog.datadog_app_key_registration": dict(options, app_key_id=KEY_ID)},
        {"name": "datadog_app_key_registration_info", "ignore_errors": True,
         "ddops.datadog.datadog_app_key_registration_info": dict(options)},
        {"name": "audit_events lookup", "ignore_errors": True,
         "ansible.builtin.debug": {"msg": "{{ query('ddops.datadog.audit_events', '*', %s) | length }}" % keywords}},
    ]


def proxy_env(proxy, **more):
    """Requests to https:// hosts go to the recording proxy; the emulator (plain http on 127.0.0.1) is reached directly."""
    return dict({"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "NO_PROXY": "127.0.0.1,localhost",
                 "no_proxy": "127.0.0.1,localhost"}, **more)


def warned(run, task, text):
    """True when the task's result (a module) or the output (the lookup, through Display) carries the warning."""
    if task["name"] == "audit_events lookup":
        return text in " ".join(run.output.split())
    return any(text in warning for warning in run.task(task["name"])["result"].get("warnings") or [])


@pytest.mark.parametrize("path", list(PATHS))
def test_an_explicit_site_beats_an_exported_dd_api_url(playbooks, emulator, recording_proxy, figures, path):
    tasks = plugin_tasks(dict(FAST, site="datadoghq.eu"), dict(FAST, site="datadoghq.eu"))
    run = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path], env=proxy_env(recording_proxy))
    warning = "site (task option) is used, api_url (environment variable DD_API_URL) is ignored"
    lookup_warning = "site (keyword) is used, api_url (environment variable DD_API_URL) is ignored"
    outcome = dict((task["name"], (run.task(task["name"])["status"],
                                   warned(run, task, lookup_warning if "lookup" in task["name"] else warning))) for task in tasks)
    figures["site: datadoghq.eu vs exported DD_API_URL (%s)" % path] = {
        "requests to the emulator (DD_API_URL)": emulator.counts()["total"],
        "requests on their way to": ", ".join(sorted(set(recording_proxy.hosts()))) or "none",
        "plugins whose request went to api.datadoghq.eu": len(recording_proxy.hosts()),
        "plugins warning which one is used": sum(1 for dummy, said in outcome.values() if said),
    }
    assert emulator.counts()["total"] == 0, emulator.counts()
    assert recording_proxy.hosts() == ["api.datadoghq.eu:443"] * len(tasks), recording_proxy.requests
    assert all(said for dummy, said in outcome.values()), (outcome, run.output[-3000:])


@pytest.mark.parametrize("path", list(PATHS))
def test_an_explicit_api_url_beats_an_exported_dd_site(playbooks, emulator, recording_proxy, figures, path):
    options = {"api_url": emulator.url}
    tasks = plugin_tasks(options, options)
    run = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path], unset=("DD_API_URL",),
                        env=proxy_env(recording_proxy, DD_SITE="datadoghq.eu"))
    outcome = dict((task["name"], run.task(task["name"])["status"]) for task in tasks)
    figures["api_url: <emulator> vs exported DD_SITE (%s)" % path] = {
        "tasks ok": sum(1 for status in outcome.values() if status in ("ok", "changed")),
        "requests to the emulator": emulator.counts()["total"], "requests on their way elsewhere": len(recording_proxy.hosts())}
    assert all(status in ("ok", "changed") for status in outcome.values()), (outcome, run.output[-3000:])
    assert not recording_proxy.requests
    for task in tasks:
        source = "keyword" if "lookup" in task["name"] else "task option"
        assert warned(run, task, "api_url (%s) is used, site (environment variable DD_SITE) is ignored" % source), task["name"]
    assert path_taken(emulator, path)


def test_a_lookup_variable_beats_the_environment_and_a_keyword_beats_a_variable(playbooks, emulator, recording_proxy, figures):
    """The lookup also reads Ansible variables: keyword > variable > environment."""
    tasks = [{"name": "variable datadog_site vs exported DD_API_URL", "ignore_errors": True,
              "ansible.builtin.debug": {"msg": "{{ query('ddops.datadog.audit_events', '*', retries=0, timeout=5) | length }}"},
              "vars": {"datadog_site": "us5.datadoghq.com"}},
             {"name": "keyword api_url vs variable datadog_site",
              "ansible.builtin.debug": {"msg": "{{ query('ddops.datadog.audit_events', '*', api_url='%s') | length }}" % emulator.url},
              "vars": {"datadog_site": "us5.datadoghq.com"}}]
    run = playbooks.run(tasks, emulator=emulator, env=proxy_env(recording_proxy))
    figures["audit_events lookup: keyword > variable > environment"] = {
        "variable datadog_site vs DD_API_URL": "went to %s" % ", ".join(recording_proxy.hosts()),
        "keyword api_url vs variable datadog_site": "%s, %d request to the emulator" % (
            run.task(tasks[1]["name"])["status"], emulator.counts()["total"])}
    assert recording_proxy.hosts() == ["api.us5.datadoghq.com:443"]
    assert run.task(tasks[1]["name"])["status"] == "ok" and emulator.counts()["total"] == 1
    text = " ".join(run.output.split())
    assert "site (variable datadog_site) is used, api_url (environment variable DD_API_URL) is ignored" in text
    assert "api_url (keyword) is used, site (variable datadog_site) is ignored" in text


def awx_proxy_example():
    """The play of docs/awx.md's proxy example, as the page shows it."""
    with open(os.path.join(DOCS, "awx.md")) as handle:
        blocks = re.findall(r"```yaml\n(.*?)```", handle.read(), re.DOTALL)
    plays = [yaml.safe_load(block) for block in blocks if "corporate proxy" in block]
    assert len(plays) == 1, "docs/awx.md has no single proxy example"
    return plays[0][0]


@pytest.mark.parametrize("path", list(PATHS))
def test_the_proxy_example_of_docs_awx_md_goes_through_the_proxy(playbooks, emulator, recording_proxy, figures, path):
    """The AWX credential exports DD_API_KEY, DD_APP_KEY and DD_SITE; the play's module_defaults set api_url to the
    proxy (the emulator stands in for it) and apply the role: every request must reach the proxy's URL."""
    play = awx_proxy_example()
    defaults = play["module_defaults"]["group/ddops.datadog.datadog"]
    assert defaults["api_url"] == "https://datadog-proxy.internal.example.com"
    defaults["api_url"] = emulator.url
    play.pop("hosts")
    play.pop("name")
    tasks = play.pop("tasks", [])
    connections = [{"name": "via proxy %d" % number, "integration": {"type": "AWS", "credentials": {
        "type": "AWSAssumeRole", "account_id": "123456789012", "role": "proxy-%d" % number}}} for number in range(2)]
    play["vars"] = dict(PATHS[path] or {}, action_connections_list=connections)
    run = playbooks.run(tasks, emulator=emulator, play=play, unset=("DD_API_URL",),
                        env=proxy_env(recording_proxy, DD_SITE="datadoghq.eu"))
    stored = sorted(connection["name"] for connection in emulator.dump_state()["connections"])
    figures["docs/awx.md proxy example (%s)" % path] = {
        "play": "failed" if run.rc else "ok", "connections created through the proxy URL": len(stored),
        "requests to the proxy URL (the emulator)": emulator.counts()["total"],
        "requests that bypassed it": ", ".join(recording_proxy.hosts()) or "none"}
    assert run.rc == 0, run.output[-3000:]
    assert stored == ["via proxy 0", "via proxy 1"]
    assert not recording_proxy.requests
    assert path_taken(emulator, path)


@pytest.mark.skipif(not have_cryptography(), reason="needs cryptography for a self-signed certificate")
@pytest.mark.parametrize("path", list(PATHS))
def test_validate_certs_false_warns_exactly_once_per_task(playbooks, tmp_path, figures, path):
    cert, key = write_self_signed_cert(str(tmp_path))
    with Emulator(register_app_key=True, tls_cert=cert, tls_key=key) as https:
        options = {"validate_certs": False}
        tasks = [task for task in plugin_tasks(options, options) if "lookup" not in task["name"]]
        tasks[0]["ddops.datadog.datadog_action_connection"] = dict(options, name="over unverified TLS", integration={
            "type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "tls"}})
        run = playbooks.run(tasks, emulator=https, play_vars=PATHS[path])
        taken = path_taken(https, path)
        lookup = playbooks.run(plugin_tasks({}, options)[-1:], emulator=https)
        counts = dict((task["name"], sum(1 for warning in run.task(task["name"])["result"].get("warnings") or []
                                         if "validate_certs is false" in warning)) for task in tasks)
        statuses = dict((task["name"], run.task(task["name"])["status"]) for task in tasks)
        lookup_count = lookup.output.count("validate_certs is false")
        requests = https.counts()["total"]
    figures["validate_certs: false (%s)" % path] = {
        "module tasks": len(tasks), "requests": requests,
        "warnings per task": ", ".join("%s %d" % item for item in counts.items()),
        "lookup task warnings": lookup_count,
        "urllib3 InsecureRequestWarning lines": (run.output + lookup.output).count("InsecureRequestWarning")}
    assert all(status in ("ok", "changed") for status in statuses.values()), (statuses, run.output[-3000:])
    assert set(counts.values()) == {1}, counts
    assert lookup_count == 1, lookup.output[-2000:]
    assert "InsecureRequestWarning" not in run.output + lookup.output
    assert requests > len(tasks)  # the create alone sends 2 requests, and still warns once
    assert taken
