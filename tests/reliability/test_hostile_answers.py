# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Answers no Datadog gives but a server or proxy on the way can: errors echoing the secrets sent, 2xx writes without
their body, lost delete answers, paging that never ends, answers of 400 MB. Clear errors, no leak, bounded work."""

from __future__ import annotations

import html
import json
import os

import pytest
from conftest import HERE, PATHS, path_taken

from dd_emulator.faults import ECHO_FORMS

CONNECTIONS = "/api/v2/actions/connections"
CONNECTION = CONNECTIONS + "/{connection_id}"
REGISTRATIONS = "/api/v2/actions/app_key_registrations"
REGISTRATION = REGISTRATIONS + "/{app_key_id}"
AUDIT_SEARCH = "/api/v2/audit/events/search"
POLICY = "/api/v2/restriction_policy/{resource_id}"
LOOKUP_ROUTES = {"org": "/api/v2/current_user", "role:Datadog Admin Role": "/api/v2/roles", "team:sre": "/api/v2/team",
                 "user:ada@ddops.invalid": "/api/v2/users"}

# -- error answers echoing the secrets sent ------------------------------------------------------------------------

#: Secrets shaped the way echoes break masking: multi-line, double spaces, padding, JSON escapes, HTML specials.
MULTI_LINE_KEY = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANechoLINEoneAAAAAAAA\nMIIEechoLINEtwoBBBBBBBBBBBBBBBB\n"
                  "echoLINEthreeCCCC==\n-----END PRIVATE KEY-----\n")
TOKENS = ("echo  double  space  token", "   echo-padded-token   ", 'echo-SEKRIT"quote\\back', "echo<b>&'html'</b>token")


def echo_tasks(form):
    gcp = {"name": "echo %s: GCP multi-line key" % form, "ignore_errors": True, "ddops.datadog.datadog_action_connection": {
        "name": "echo %s gcp" % form, "integration": {"type": "GCP", "credentials": {
            "type": "GCPServiceAccount", "service_account_email": "echo@p.iam.gserviceaccount.com", "private_key": MULTI_LINE_KEY}}}}
    http = {"name": "echo %s: HTTP tokens" % form, "ignore_errors": True, "ddops.datadog.datadog_action_connection": {
        "name": "echo %s http" % form, "integration": {"type": "HTTP", "base_url": "https://echo.example.com", "credentials": {
            "type": "HTTPTokenAuth",
            "tokens": [{"name": "t%d" % index, "type": "SECRET", "value": value} for index, value in enumerate(TOKENS)]}}}}
    return [gcp, http]


def leak_forms(secret):
    """Every form in which ``secret`` (or a line of it) could show in output: as is, trimmed, whitespace-collapsed,
    each JSON-escaped once or twice, HTML-escaped, or as a Python repr."""
    variants = {secret, secret.strip(), " ".join(secret.split())}
    variants.update(line for line in secret.splitlines() if "echo" in line)
    forms = set()
    for variant in variants:
        once = json.dumps(variant)[1:-1]
        forms.update((variant, once, json.dumps(once)[1:-1], json.dumps(variant, ensure_ascii=False)[1:-1],
                      html.escape(variant), html.escape(variant, quote=False), json.dumps(html.escape(variant))[1:-1],
                      repr(variant)[1:-1]))
    return set(form for form in forms if len(form.strip()) >= 8)


@pytest.mark.parametrize("path", list(PATHS))
def test_error_answers_echoing_secrets_in_six_forms_leak_nothing_at_vvvv(playbooks, emulator, figures, path):
    tasks = [task for form in ECHO_FORMS for task in echo_tasks(form)]
    emulator.add_faults(*[{"kind": "echo", "form": form, "method": "POST", "route": CONNECTIONS, "times": 2} for form in ECHO_FORMS])
    # And an echo of the request's headers (so of the keys) in a 503 answer to a PUT, which the client retries.
    emulator.add_faults({"kind": "echo", "form": "text", "status": 503, "method": "PUT", "route": REGISTRATION})
    tasks.append({"name": "echo text 503: keys in the echoed headers", "ignore_errors": True,
                  "ddops.datadog.datadog_app_key_registration": {"app_key_id": "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
                                                                 "retries": 1, "retry_backoff": 0}})
    run = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path], verbosity=4)
    secrets = [MULTI_LINE_KEY] + list(TOKENS) + [emulator.api_key, emulator.app_key]
    forms = set(form for secret in secrets for form in leak_forms(secret))
    recorded = json.dumps(run.records)
    output_hits = sorted(form for form in forms if form in run.output)
    result_hits = sorted(form for form in forms if form in recorded)
    messages = dict((task["name"], run.task(task["name"])["result"].get("msg", "")) for task in tasks)
    statuses = dict((task["name"], run.task(task["name"])["status"]) for task in tasks)
    echoed = [entry for entry in emulator.responses_log() if entry["method"] in ("POST", "PUT") and entry["status"] >= 400]
    # The attack reached the client: every secret was in the echoing answers (in one form or another).
    delivered = [secret for secret in secrets if any(form in entry["body"] for entry in echoed for form in leak_forms(secret))]
    figures["error answers echoing secrets (%s)" % path] = {
        "echo forms": "%d (%s) + a text echo of the request headers in a retried 503" % (len(ECHO_FORMS), ", ".join(ECHO_FORMS)),
        "secret values": "%d (a multi-line key, double spaces, padding, JSON escapes, HTML specials, API and app key)" % len(secrets),
        "forms searched": len(forms),
        "echoing answers sent": len(echoed),
        "secrets the answers echoed": len(delivered),
        "tasks failed with a message": sum(1 for name in messages if statuses[name] == "failed" and messages[name]),
        "-vvvv output searched": "%d lines, %d bytes" % (run.output.count("\n"), len(run.output)),
        "hits in the output": len(output_hits),
        "hits in the results": len(result_hits),
        "example message": messages[tasks[2]["name"]][:160],
    }
    assert all(status == "failed" for status in statuses.values()), statuses
    assert all(messages.values()), messages
    assert len(echoed) == 2 * len(ECHO_FORMS) + 2  # every echo reached the client (the PUT twice: retried once)
    assert delivered == secrets
    assert not output_hits and not result_hits, (output_hits, result_hits)
    print("\n".join("%s: %s" % item for item in messages.items()))
    assert path_taken(emulator, path)


# -- writes answered 2xx without their body by something that did not apply them; deletes whose answer was lost -----

KEYS = ("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "6b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "7c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f")


def aws(name, tags=("suite:reliability",)):
    return {"ddops.datadog.datadog_action_connection": {"name": name, "tags": list(tags), "integration": {
        "type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "reliability"}}}}


def named(name, task, **extra):
    return dict({"name": name, "ignore_errors": True}, **task, **extra)


@pytest.mark.parametrize("path", list(PATHS))
def test_writes_answered_without_their_body_and_not_applied_fail_saying_so_and_lost_delete_answers_count_as_changed(
        playbooks, emulator, figures, path):
    """A proxy answering 2xx for a write it never passed on: the one read that follows shows the write did not happen,
    and the task fails saying so (the table below has the writes Datadog did apply)."""
    emulator.register_app_key(KEYS[1], KEYS[2])
    emulator.add_faults(
        {"kind": "no_data", "method": "POST", "route": CONNECTIONS, "skip": 3, "times": 1},
        {"kind": "no_data", "method": "PATCH", "route": CONNECTION, "times": 1},
        {"kind": "no_data", "method": "DELETE", "route": CONNECTION, "times": 1},
        {"kind": "lost_answer", "method": "DELETE", "route": CONNECTION, "times": 1},
        {"kind": "no_data", "method": "PUT", "route": REGISTRATION, "times": 1},
        {"kind": "no_data", "method": "DELETE", "route": REGISTRATION, "times": 1},
        {"kind": "lost_answer", "method": "DELETE", "route": REGISTRATION, "times": 1},
    )
    no_data = {
        "POST " + CONNECTIONS: named("create: 200 without data", aws("never created")),
        "PATCH " + CONNECTIONS: named("update: 200 without data", aws("to update", tags=["suite:changed"])),
        "DELETE " + CONNECTIONS: named("delete: 200 with a body", {"ddops.datadog.datadog_action_connection": {
            "name": "to keep", "state": "absent"}}),
        "PUT " + REGISTRATIONS: named("register: 201 without data", {"ddops.datadog.datadog_app_key_registration": {"app_key_id": KEYS[0]}}),
        "DELETE " + REGISTRATIONS: named("unregister: 200 with a body", {"ddops.datadog.datadog_app_key_registration": {
            "app_key_id": KEYS[1], "state": "absent"}}),
    }
    lost = [named("delete: answer lost", {"ddops.datadog.datadog_action_connection": {"name": "to delete", "state": "absent"}}),
            named("unregister: answer lost", {"ddops.datadog.datadog_app_key_registration": {"app_key_id": KEYS[2], "state": "absent"}})]
    setup = [dict(aws(name), name="setup " + name) for name in ("to update", "to keep", "to delete")]
    run = playbooks.run(setup + list(no_data.values()) + lost, emulator=emulator, play_vars=PATHS[path])
    state = emulator.dump_state()
    by_name = dict((connection["name"], connection) for connection in state["connections"])
    summary = {}
    problems = []
    for route, task in no_data.items():
        record = run.task(task["name"])
        message = record["result"].get("msg", "")
        method, prefix = route.split(" ")
        summary[route] = "%s: %s" % (record["status"], message[:150])
        if record["status"] != "failed" or method not in message or prefix not in message:
            problems.append("%s: %s %r" % (route, record["status"], message))
    for task in lost:
        record = run.task(task["name"])
        warnings = record["result"].get("warnings") or []
        summary[task["name"]] = "%s, changed=%s, warning: %s" % (record["status"], record["result"].get("changed"),
                                                                 (warnings or ["none"])[0][:150])
        if record["status"] != "changed" or not any("got no answer" in warning for warning in warnings):
            problems.append("%s: %s %s" % (task["name"], record["status"], warnings))
    end_state = {"never created": "never created" in by_name, "to update tags": by_name.get("to update", {}).get("tags"),
                 "to keep": "to keep" in by_name, "to delete": "to delete" in by_name,
                 "registered": sorted(key for key in KEYS if key in state["app_key_registrations"])}
    summary["end state"] = json.dumps(end_state)
    figures["writes without their body, not applied; lost delete answers (%s)" % path] = summary
    assert not problems, "\n".join(problems)
    assert end_state == {"never created": False, "to update tags": ["suite:reliability"], "to keep": True, "to delete": False,
                         "registered": [KEYS[1]]}
    assert [rule["injected"] for rule in emulator.faults()] == [1] * 7
    assert not [record for record in run.records if record["task"].startswith("setup") and record["status"] == "failed"]
    assert path_taken(emulator, path)


# -- the hostile-answers table: every read and write route x every unusable answer -----------------------------------

#: The answers, as fault rules of the emulator. For writes, a success answer applies the request first (``apply``):
#: Datadog accepted it; only what came back cannot be used.
CAP = 64 * 1024 * 1024  # the client reads at most this much of an answer
ANSWERS = {
    "200 without data": {"kind": "no_data"},
    "2xx not JSON": {"kind": "not_json"},
    "2xx over the cap": {"kind": "huge", "size": CAP + 1024, "content_length": True},
    "204 where a body is expected": {"kind": "empty"},
    "a body where 204 is expected": {"kind": "no_data"},
    "404 for what the list just showed": {"kind": "404"},
}
SUCCESS = ("200 without data", "2xx not JSON", "2xx over the cap", "204 where a body is expected")
HOSTILE_SECRET = "hostile-okta-token-5d0c2b7e"
TABLE_KEYS = {"registered": ["8a%d1b2c3-4d5e-4f6a-8b7c-9d0e1f2a3b4c" % number for number in range(6)],
              "new": ["9b%d2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d" % number for number in range(6)]}


def slug(answer):
    return answer.split(" ")[0] + "-" + str(len(answer))


def okta(name, tags=("suite:hostile",)):
    return {"name": name, "tags": list(tags), "integration": {"type": "Okta", "credentials": {
        "type": "OktaAPIToken", "domain": "hostile.okta.com", "api_token": HOSTILE_SECRET}}}


class Cell(object):
    """One route x one answer: the task that meets it, the fault rule, and what must come out.

    ``status``: ``failed``, ``changed`` or ``ok``; ``words``: what the message (failed) or the first warning (changed
    with a warning) must contain - the operation's name; ``check``: an extra check of the result."""

    def __init__(self, route, answer, task, rule, status, words=(), check=None):
        self.route, self.answer, self.task, self.rule = route, answer, task, rule
        self.status, self.words, self.check = status, tuple(words), check
        self.name = "%s | %s | %s" % (route, answer, task.pop("label", ""))
        self.task["name"] = self.name
        self.task["ignore_errors"] = True


def hostile_cells(ids):
    """Every cell of the table. ``ids``: the connections made for it (by name) before the run."""
    cells = []
    by_id = CONNECTIONS + "/"

    def rule(answer, method, route, apply=False):
        spec = dict(ANSWERS[answer], method=method, route=route, times=1)
        if apply:
            spec["apply"] = True
        return spec

    # Reads: the list, a connection by ID, the registration list, a registration by ID, the audit search.
    for answer in SUCCESS + ("404 for what the list just showed",):
        missing = answer.startswith("404")
        cells.append(Cell("GET connection list", answer, {"ddops.datadog.datadog_action_connection_info": {}},
                          rule(answer, "GET", CONNECTIONS), "failed",
                          ["no action connection list endpoint"] if missing else ["Failed to list action connections"]))
        target = ids["read %s" % slug(answer)]
        cells.append(Cell("GET connection by ID", answer, {"ddops.datadog.datadog_action_connection_info": {
            "connection_id": target}, "label": "info"}, rule(answer, "GET", by_id + target),
            "ok" if missing else "failed", [] if missing else ["Failed to read action connection %s" % target],
            (lambda result: result.get("connections") == []) if missing else None))
        cells.append(Cell("GET registration list", answer, {"ddops.datadog.datadog_app_key_registration_info": {}},
                          rule(answer, "GET", REGISTRATIONS), "failed", ["Failed to read application key registrations"]))
        key = TABLE_KEYS["registered"][5]
        cells.append(Cell("GET registration by ID", answer, {"ddops.datadog.datadog_app_key_registration_info": {
            "app_key_id": key}}, rule(answer, "GET", REGISTRATIONS + "/" + key), "ok" if missing else "failed",
            [] if missing else ["Failed to read application key registrations"],
            (lambda result: result.get("registrations") == []) if missing else None))
        cells.append(Cell("POST audit search", answer, {"ansible.builtin.debug": {
            "msg": "{{ query('ddops.datadog.audit_events', '*', from='now-1d', limit=5) | length }}"}},
            rule(answer, "POST", AUDIT_SEARCH), "failed", ["audit_events: Failed to search audit events for query '*'"]))
    # The reads by ID the modules make before they act (the bug of a 200 without data, and a 404 for an ID).
    for answer in ("200 without data", "404 for what the list just showed"):
        missing = answer.startswith("404")
        target = ids["module read %s" % slug(answer)]
        cells.append(Cell("GET connection by ID", answer, {"ddops.datadog.datadog_action_connection": {
            "connection_id": target, "tags": ["suite:hostile"]}, "label": "module"}, rule(answer, "GET", by_id + target),
            "failed", ["action connection %s does not exist (HTTP 404)" % target] if missing
            else ["Failed to read action connection %s" % target]))
        cells.append(Cell("GET connection by ID", answer, {"ddops.datadog.datadog_action_connection": {
            "connection_id": target, "state": "absent"}, "check_mode": True, "label": "check mode absent"},
            rule(answer, "GET", by_id + target), "ok" if missing else "failed",
            [] if missing else ["Failed to read action connection %s" % target]))

    # Writes: create, update, delete (by name, and by ID for the 404), register, unregister.
    for answer in SUCCESS + ("404 for what the list just showed",):
        missing = answer.startswith("404")
        name = "create %s" % slug(answer)
        cells.append(Cell("POST connection", answer, {"ddops.datadog.datadog_action_connection": okta(name)},
                          rule(answer, "POST", CONNECTIONS, apply=not missing), "failed" if missing else "changed",
                          ["Failed to create action connection %r: HTTP 404" % name] if missing else
                          ["The create request for action connection %r was answered HTTP" % name,
                           "so it may have been applied: the connection was found by name and adopted"]))
        name = "update %s" % slug(answer)
        cells.append(Cell("PATCH connection", answer, {"ddops.datadog.datadog_action_connection": {
            "connection_id": ids[name], "name": name, "tags": ["suite:hostile", "state:updated"]}},
            rule(answer, "PATCH", by_id + ids[name], apply=not missing),
            "failed" if missing else "changed",
            ["Failed to update action connection %r (%s): HTTP 404" % (name, ids[name])] if missing else
            ["The update request for action connection %r (%s) was answered HTTP" % (name, ids[name]),
             "so it may have been applied: the connection, read again, shows the change"]))
        key = TABLE_KEYS["new"][SUCCESS.index(answer) if not missing else 5]
        cells.append(Cell("PUT registration", answer, {"ddops.datadog.datadog_app_key_registration": {"app_key_id": key}},
                          rule(answer, "PUT", REGISTRATIONS + "/" + key, apply=not missing),
                          "failed" if missing else "changed",
                          ["Failed to register application key %s: HTTP 404" % key] if missing else
                          [] if answer.startswith("204") else
                          ["The register request for application key %s was answered HTTP" % key,
                           "so it may have been applied: a read shows the key registered"],
                          (lambda result: result.get("registration", {}).get("registered") is True) if not missing else None))
    for answer in ("200 without data", "2xx not JSON", "2xx over the cap", "a body where 204 is expected",
                   "404 for what the list just showed"):
        missing = answer.startswith("404")
        name = "delete %s" % slug(answer)
        cells.append(Cell("DELETE connection", answer, {"ddops.datadog.datadog_action_connection": {
            "name": name, "state": "absent"}, "label": "by name"}, rule(answer, "DELETE", by_id + ids[name], apply=not missing),
            "ok" if missing else "changed", [] if missing else
            ["The delete request for action connection %r (%s) was answered HTTP" % (name, ids[name]),
             "so it may have been applied: the connection, read again, is gone"]))
        key = TABLE_KEYS["registered"][(["200 without data", "2xx not JSON", "2xx over the cap",
                                         "a body where 204 is expected"] + [answer]).index(answer)]
        cells.append(Cell("DELETE registration", answer, {"ddops.datadog.datadog_app_key_registration": {
            "app_key_id": key, "state": "absent"}}, rule(answer, "DELETE", REGISTRATIONS + "/" + key, apply=not missing),
            "ok" if missing else "changed", [] if missing else
            ["The unregister request for application key %s was answered HTTP" % key,
             "so it may have been applied: a read shows the key not registered"]))
    target = ids["delete by ID 404"]
    cells.append(Cell("DELETE connection", "404 for what the list just showed", {
        "ddops.datadog.datadog_action_connection": {"connection_id": target, "state": "absent"}, "label": "by ID"},
        rule("404 for what the list just showed", "DELETE", by_id + target), "ok"))
    return cells + policy_cells(ids, rule)


def policy_cells(ids, rule):
    """The restriction-policy routes: a policy read through the info module, the policy module and a connection with
    ``access``; its write (POST) through the policy module and a connection with ``access``; its delete; and the
    principal look-ups of a task that writes principals by name (check mode: the look-up fails before any read)."""
    cells = []
    org = ids["org"]
    bindings = [{"relation": "editor", "principals": [org]}]

    def resource(name):
        return "connection:" + ids[name]

    def policy_task(name, **args):
        return {"ddops.datadog.datadog_restriction_policy": dict({"resource_id": resource(name), "bindings": bindings}, **args)}

    def access_task(name):
        return {"ddops.datadog.datadog_action_connection": {"connection_id": ids[name], "tags": ["suite:hostile"],
                                                            "access": bindings}, "label": "connection access"}

    for answer in SUCCESS + ("404 for what the list just showed",):
        missing = answer.startswith("404")
        name = "policy read %s" % slug(answer)
        read_failed = ["Failed to read the restriction policy of %s" % resource(name)]
        cells.append(Cell("GET restriction policy", answer, {"ddops.datadog.datadog_restriction_policy_info": {
            "resource_id": resource(name)}, "label": "info"}, rule(answer, "GET", POLICY), "ok" if missing else "failed",
            [] if missing else read_failed, (lambda result: result.get("policy", {}).get("bindings") == []) if missing else None))
        if not missing:
            cells.append(Cell("GET restriction policy", answer, access_task(name), rule(answer, "GET", POLICY), "failed",
                              read_failed))
        if answer == "200 without data":
            cells.append(Cell("GET restriction policy", answer, dict(policy_task(name), label="policy module"),
                              rule(answer, "GET", POLICY), "failed", read_failed))
        for module, task in (("policy module", policy_task("policy set %s" % slug(answer))),
                             ("connection access", access_task("access set %s" % slug(answer)))):
            target = resource(("policy set %s" if module == "policy module" else "access set %s") % slug(answer))
            task["label"] = module
            cells.append(Cell("POST restriction policy", answer, task, rule(answer, "POST", POLICY, apply=not missing),
                              "failed" if missing else "changed",
                              (["Failed to set the restriction policy of %s: HTTP 404" % target] if module == "policy module"
                               else ["Failed to set the access of action connection", "HTTP 404"]) if missing else
                              ["The set request for the restriction policy of %s was answered HTTP" % target,
                               "so it may have been applied: the policy, read again, shows the change"]))
    for answer in ("a body where 204 is expected", "2xx not JSON", "2xx over the cap"):
        target = "policy delete %s" % slug(answer)
        cells.append(Cell("DELETE restriction policy", answer, policy_task(target, state="absent", bindings=None),
                          rule(answer, "DELETE", POLICY, apply=True), "changed",
                          ["The delete request for the restriction policy of %s was answered HTTP" % resource(target),
                           "so it may have been applied: the policy, read again, shows the change"]))
    # A policy read, then removed by another writer before this task's DELETE (the emulator removes it, then answers
    # 404): gone as decided, and changed by nobody here.
    target = "policy delete %s" % slug("404 for what the list just showed")
    cells.append(Cell("DELETE restriction policy", "404 for what the list just showed",
                      policy_task(target, state="absent", bindings=None),
                      rule("404 for what the list just showed", "DELETE", POLICY, apply=True), "ok"))
    for principal, route in LOOKUP_ROUTES.items():
        kind, _colon, written = principal.partition(":")
        wording = ("Failed to look up the organization of the calling key" if kind == "org"
                   else "Failed to look up %s %r" % (kind, written))
        answers = SUCCESS if kind in ("org", "role") else SUCCESS[:2]
        for answer in answers:
            cells.append(Cell("GET %s" % route, answer, dict(policy_task("policy read %s" % slug(answer)), check_mode=True,
                                                             label="principal " + principal),
                              rule(answer, "GET", route), "failed", [wording]))
            cells[-1].task["ddops.datadog.datadog_restriction_policy"]["bindings"] = [
                {"relation": "editor", "principals": [principal]}]
    return cells


def policy_connections():
    """The connections the policy cells need, and which of them hold a policy before the run."""
    answers = SUCCESS + ("404 for what the list just showed",)
    names = ["policy read %s" % slug(answer) for answer in answers]
    names += ["%s set %s" % (kind, slug(answer)) for kind in ("policy", "access") for answer in answers]
    held = ["policy delete %s" % slug(answer) for answer in ("a body where 204 is expected", "2xx not JSON", "2xx over the cap",
                                                             "404 for what the list just showed")]
    return names + held, held


def table_connections():
    """The names of the connections the table needs before it runs."""
    names = ["read %s" % slug(answer) for answer in SUCCESS + ("404 for what the list just showed",)]
    names += ["module read %s" % slug(answer) for answer in ("200 without data", "404 for what the list just showed")]
    names += ["update %s" % slug(answer) for answer in SUCCESS + ("404 for what the list just showed",)]
    names += ["delete %s" % slug(answer) for answer in (
        "200 without data", "2xx not JSON", "2xx over the cap", "a body where 204 is expected", "404 for what the list just showed")]
    return names + ["delete by ID 404"]


def prepare_table(emulator):
    """Connections, policies and registrations for the table, made without API requests; ``{name: id}`` and
    ``"org": "org:<id>"``."""
    ids = {}
    with emulator.state.lock:
        for name in table_connections() + policy_connections()[0]:
            body = {"data": {"type": "action_connection", "attributes": dict(okta(name), integration=okta(name)["integration"])}}
            ids[name] = emulator.state.connections.create(body, "table").id
        ids["org"] = "org:" + emulator.state.principals.org_id
        for name in policy_connections()[1]:
            emulator.state.policies.put("connection:" + ids[name], [{"relation": "viewer", "principals": [ids["org"]]}])
    emulator.register_app_key(*TABLE_KEYS["registered"])
    return ids


@pytest.mark.every_lane
@pytest.mark.parametrize("path", list(PATHS))
def test_every_route_meets_every_unusable_answer_with_a_clear_message_the_right_changed_and_no_secret(
        playbooks, emulator, figures, path):
    """Every read and write route x {200 without data, 2xx not JSON, 2xx over the cap, 204 where a body is expected,
    a body where 204 is expected, 404 for what the list just showed}, in one playbook at -vvvv: each task gets its own
    fault rule right before it runs (a test-only action plugin sets it in the controller)."""
    ids = prepare_table(emulator)
    cells = hostile_cells(ids)
    tasks = []
    for cell in cells:
        tasks.append({"name": "faults for " + cell.name, "emulator_faults": {"rules": [cell.rule]}})
        tasks.append(cell.task)
    tasks.append({"name": "faults: none", "emulator_faults": {"rules": []}})
    run = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path], verbosity=4,
                        env={"ANSIBLE_ACTION_PLUGINS": os.path.join(HERE, "action_plugins")})
    fired = [run.task(task["name"])["result"]["previous"] for task in tasks[2::2]]
    secrets = [HOSTILE_SECRET, emulator.api_key, emulator.app_key]
    problems, summary = [], {}
    for cell, rules in zip(cells, fired):
        record = run.task(cell.name)
        result = record["result"]
        text = result.get("msg", "") if cell.status == "failed" else " ".join(result.get("warnings") or [])
        found = []
        if [rule["injected"] for rule in rules] != [1]:
            found.append("the fault fired %s times" % [rule["injected"] for rule in rules])
        if record["status"] != cell.status:
            found.append("%s instead of %s" % (record["status"], cell.status))
        if bool(result.get("changed")) != (cell.status == "changed"):
            found.append("changed=%s" % result.get("changed"))
        missing = [words for words in cell.words if words not in text]
        if missing:
            found.append("%r lacks %r" % (text[:300], missing))
        if cell.status == "ok" and result.get("warnings"):
            found.append("unexpected warnings %s" % result["warnings"])
        if "Traceback" in json.dumps(result) or "MODULE FAILURE" in text or (cell.status == "failed" and not text):
            found.append("a traceback or no message")
        if cell.check is not None and not cell.check(result):
            found.append("unexpected result %s" % json.dumps(result)[:300])
        if any(secret in json.dumps(result) for secret in secrets):
            found.append("a secret in the result")
        if found:
            problems.append("%s: %s" % (cell.name, "; ".join(found)))
        summary[cell.name] = "%s%s: %s" % (record["status"], " (changed)" if result.get("changed") else "", text[:140])
    output_hits = [secret for secret in secrets if secret in run.output]
    state = emulator.dump_state()
    names = [connection["name"] for connection in state["connections"]]
    tags = dict((connection["name"], connection["tags"]) for connection in state["connections"])
    end_state = {
        "created once": sorted(name for name in names if name.startswith("create ") and names.count(name) == 1),
        "updated": sorted(name for name in tags if name.startswith("update ") and "state:updated" in tags[name]),
        "deleted": sorted(name for name in table_connections() if name.startswith("delete ") and name not in names),
        "registered": sorted(key for key in TABLE_KEYS["new"] if key in state["app_key_registrations"]),
        "unregistered": sorted(key for key in TABLE_KEYS["registered"] if key not in state["app_key_registrations"]),
        "policies": sorted(name for name in policy_connections()[0]
                           if "connection:" + ids[name] in state["restriction_policies"]),
    }
    expected_state = {
        "created once": sorted("create %s" % slug(answer) for answer in SUCCESS),
        "updated": sorted("update %s" % slug(answer) for answer in SUCCESS),
        "deleted": sorted("delete %s" % slug(answer) for answer in ("200 without data", "2xx not JSON", "2xx over the cap",
                                                                    "a body where 204 is expected")),
        "registered": sorted(TABLE_KEYS["new"][:4]),
        "unregistered": sorted(TABLE_KEYS["registered"][:4]),
        "policies": sorted("%s set %s" % (kind, slug(answer)) for kind in ("policy", "access") for answer in SUCCESS),
    }
    routes = sorted(set(cell.route for cell in cells))
    figures["hostile-answers table (%s)" % path] = dict(
        [("cells", "%d (%d routes x %d answers, where the answer applies to the route)"
          % (len(cells), len(routes), len(ANSWERS))),
         ("as expected", len(cells) - len(problems)), ("-vvvv output", "%d bytes, %d secret hits" % (len(run.output), len(output_hits))),
         ("playbook", "%.0f s" % run.seconds)] + sorted(summary.items()))
    assert not problems, "\n".join(problems)
    assert not output_hits, output_hits
    assert end_state == expected_state, end_state
    assert path_taken(emulator, path)


# -- paging that never ends, answers of 400 MB ----------------------------------------------------------------------

def paging_tasks():
    return [named("connection list", {"ddops.datadog.datadog_action_connection_info": {}}),
            named("connection by name", {"ddops.datadog.datadog_action_connection": {"name": "nobody", "state": "absent"}}),
            named("registration list", {"ddops.datadog.datadog_app_key_registration_info": {}})]


def audit_task(limit=0):
    return named("audit lookup, limit=%d" % limit, {"ansible.builtin.debug": {
        "msg": "{{ query('ddops.datadog.audit_events', '*', from='now-30d', limit=%d, page_size=10) | length }}" % limit}})


def fill(emulator, connections=150, registrations=150, events=50):
    """More items than one page of 100 holds, so that paging has to go on (added without API requests)."""
    with emulator.state.lock:
        for number in range(connections):
            body = {"data": {"type": "action_connection", "attributes": {"name": "filler %03d" % number, "integration": {
                "type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r"}}}}}
            emulator.state.connections.create(body, "filler")
    emulator.register_app_key(count=registrations)
    emulator.seed_audit(events, span="1d")


def paging_outcome(run, emulator, task, limit_seconds):
    """``(status, requests, message)`` of a task of a run that may have been killed while the task was paging."""
    matches = [record for record in run.records if record["task"] == task["name"]]
    if matches:
        record = matches[-1]
        return record["status"], len(run.requests_during(task["name"], emulator)), record["result"].get("msg", "")
    return "killed", emulator.counts()["total"], "still paging when the run was killed after %d s" % limit_seconds


@pytest.mark.parametrize("path", list(PATHS))
def test_list_routes_that_never_end_paging_get_a_clear_error_after_two_requests(playbooks, emulator, figures, path):
    """150 connections and registrations (two pages of 100): the server repeats the first page whatever page is asked,
    or reports 10**12 items and serves fresh ones on every page."""
    fill(emulator, events=0)
    summary = {}
    problems = []
    for mode, rule, most in (("repeats page 0", "repeat_page", 2), ("reports 10**12 items", "huge_total", 1)):
        emulator.reset(faults=True, counts=True, log=True)
        emulator.add_faults({"kind": rule})
        run = playbooks.run(paging_tasks(), emulator=emulator, play_vars=PATHS[path], limit_seconds=120)
        for task in paging_tasks():
            status, count, message = paging_outcome(run, emulator, task, 120)
            summary["%s: %s" % (mode, task["name"])] = "%s after %d requests: %s" % (status, count, message[:170])
            if status != "failed" or count != most or "Traceback" in message or "MODULE FAILURE" in message:
                problems.append("%s, %s: %s after %d requests: %s" % (mode, task["name"], status, count, message[:300]))
    figures["endless list paging (%s)" % path] = summary
    assert not problems, "\n".join(problems)
    assert path_taken(emulator, path)


AUDIT_LIMIT_SECONDS = 10


def test_an_audit_search_that_never_ends_its_cursor_gets_a_clear_error_after_a_few_requests(playbooks, emulator, figures):
    """The audit search answers the same 10 events with a fresh cursor every time; ``limit=0`` asks for all events.
    (Lookups run in the controller on both execution paths: one run.)"""
    fill(emulator, connections=0, registrations=0, events=50)
    emulator.add_faults({"kind": "endless_cursor"})
    task = audit_task(limit=0)
    run = playbooks.run([task], emulator=emulator, limit_seconds=AUDIT_LIMIT_SECONDS)
    status, count, message = paging_outcome(run, emulator, task, AUDIT_LIMIT_SECONDS)
    figures["endless audit cursor"] = {task["name"]: "%s after %d requests: %s" % (status, count, message[:170])}
    assert status == "failed" and count <= 3, (status, count, message)
    assert "Traceback" not in message


@pytest.mark.parametrize("path", list(PATHS))
def test_an_answer_of_400_mb_fails_clearly_with_little_memory(playbooks, emulator, figures, path):
    emulator.add_faults({"kind": "huge", "method": "GET", "route": CONNECTIONS},
                        {"kind": "huge", "method": "GET", "route": REGISTRATIONS, "content_length": True},
                        {"kind": "huge", "method": "POST", "route": AUDIT_SEARCH})
    tasks = [named("connection list, 400 MB sent chunked", {"ddops.datadog.datadog_action_connection_info": {}}),
             named("registration list, 400 MB with Content-Length", {"ddops.datadog.datadog_app_key_registration_info": {}}),
             named("audit lookup, 400 MB sent chunked", {"ansible.builtin.debug": {
                 "msg": "{{ query('ddops.datadog.audit_events', '*', limit=10) | length }}"}})]
    run = playbooks.run(tasks, emulator=emulator, play_vars=PATHS[path], limit_seconds=300)
    rules = emulator.faults()
    summary = {"peak RSS of the largest process of the run": "%.0f MB" % run.max_rss_mb}
    for task, rule in zip(tasks, rules):
        record = run.task(task["name"])
        summary[task["name"]] = "%s, %.1f MB streamed before the client hung up: %s" % (
            record["status"], rule["streamed"] / 1e6, record["result"].get("msg", "")[:150])
    figures["answers of 400 MB (%s)" % path] = summary
    for task in tasks:
        record = run.task(task["name"])
        assert record["status"] == "failed" and "larger than" in record["result"].get("msg", ""), record
    assert [rule["injected"] for rule in rules] == [1, 1, 1]  # each refused at once, never asked again
    assert all(rule["streamed"] < 100 * 1000 * 1000 for rule in rules), rules
    assert run.max_rss_mb < 200, run.max_rss_mb
