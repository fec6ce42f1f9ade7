# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ddops.datadog benchmarks, side by side against one local emulator: ``make bench`` (``make bench-smoke``: tiny sizes).

Figures are ratios measured in one run (absolute times on shared machines mean little) and HTTP request counts
from the emulator. They are printed and written to ``--output`` (JSON); docs/performance.md records a run.
Nothing here is a timed assertion: the goals are reported as met or missed. ``--smoke`` (tiny sizes, one round) runs
every script but judges no time goal, since one round at those sizes is noise; request counts are judged always.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

from dd_emulator.server import Emulator

from audit_parallel import bench_audit_parallel  # benchmarks/ is on sys.path when run.py runs
from audit_playbook import bench_audit_playbook
from connection_set import bench_set, bench_set_access, bench_set_parallel

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
CALLBACKS = os.path.join(HERE, "callback_plugins")
KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
#: The names of ``--only``, in the order the benchmarks run.
BENCHMARKS = ["converge", "audit", "noop", "set", "audit-playbook", "parallel", "set-parallel", "set-access"]


def verdict(met, judged=True):
    """How a goal is reported: ``met``, ``MISSED``, or not judged (a time goal in a ``--smoke`` run)."""
    if not judged:
        return "not judged in a smoke run"
    return "met" if met else "MISSED"


def sender(agent):
    """Who sent a request, from its User-Agent: the collection's client names its path (``...; in-process <module>)``
    when the action plugin ran the module logic in the controller, ``...; module <module>)`` when a module process did),
    so the figures show which path really ran; other clients by their product name (``ansible-httpget`` for uri)."""
    agent = agent or ""
    if agent.startswith("ddops.datadog/"):
        for runner in ("in-process", "module"):
            if "; %s " % runner in agent:
                return runner
        return "ddops.datadog (path not named)"
    return agent.split("/", 1)[0] or "unknown"


def senders(emulator):
    """Requests in the emulator's log (cleared before each run) counted by :func:`sender`."""
    counts = {}
    for entry in emulator.responses_log():
        kind = sender(entry.get("user_agent"))
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def collection_root():
    """The ddops.datadog that ansible-playbook loads here: the first of ANSIBLE_COLLECTIONS_PATH, else this checkout."""
    for path in filter(None, os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)):
        root = os.path.join(path, "ansible_collections", "ddops", "datadog")
        if os.path.isfile(os.path.join(root, "galaxy.yml")):
            return root
    return TOP


def run_playbook(tasks, emulator, workdir, name, extra_env=None, play_vars=None, extra_args=()):
    """Run tasks on localhost in a fresh ansible-playbook process; return (seconds, [tasks]).

    ``seconds`` is the wall time of the whole process; ``tasks`` has one entry per task, written by the light
    callback benchmarks/callback_plugins/bench_timer.py: ``task``, ``seconds`` (start to end of the task), ``status``
    and the counts of ``changed``, ``ok``, ``skipped`` and ``failed`` loop items. Output goes to the default callback.
    """
    playbook = os.path.join(workdir, name + ".yml")
    record = os.path.join(workdir, name + ".json")
    play = {"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False}
    if play_vars:
        play["vars"] = play_vars
    play["tasks"] = tasks
    with open(playbook, "w") as handle:
        yaml.safe_dump([play], handle, sort_keys=False)
    if os.path.exists(record):
        os.remove(record)
    env = dict(os.environ, DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key,
               ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED="bench_timer", DDOPS_BENCH_RECORD=record,
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER="auto_silent",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_NOCOLOR="1")
    env.update(extra_env or {})
    started = time.perf_counter()
    process = subprocess.run(["ansible-playbook", playbook] + list(extra_args), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        print(process.stdout[-4000:])
        raise SystemExit("benchmark playbook %s failed" % name)
    with open(record) as handle:
        return seconds, json.load(handle)


# -- 1. converge at scale vs ansible.builtin.uri ---------------------------------------------------------------------

IN_PROCESS_VAR = "ddops_datadog_in_process"
LIST_PAGE_SIZE = 100  # the largest page the list endpoint allows; the module reads it at this size too
#: The secret credential fields of the types below, as a user of ansible.builtin.uri must know them (Datadog answers
#: them as "", so they cannot be compared). HTTP token values are secret too: tokens are compared by name only.
SECRET_FIELDS = ["access_token", "api_key", "api_password", "api_token", "app_key", "client_secret", "global_api_key",
                 "password", "private_key", "sdk_key"]


def _http(number):
    return {"type": "HTTP", "base_url": "https://api%02d.example.com/v1" % number,
            "credentials": {"type": "HTTPTokenAuth",
                            "tokens": [{"name": "apiToken", "type": "SECRET", "value": "bench-http-token-%02d" % number}],
                            "headers": [{"name": "Accept", "value": "application/json"}]}}


def _aws(number):
    return {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "%012d" % (123456000000 + number),
                                           "role": "bench-workflows-%02d" % number}}


def _datadog(number):
    return {"type": "Datadog", "credentials": {"type": "DatadogAPIKey", "api_key": "bench-dd-api-key-%02d" % number,
                                               "app_key": "bench-dd-app-key-%02d" % number, "datacenter": "us1"}}


def _okta(number):
    return {"type": "Okta", "credentials": {"type": "OktaAPIToken", "api_token": "bench-okta-token-%02d" % number,
                                            "domain": "bench%02d.okta.com" % number}}


def _servicenow(number):
    return {"type": "ServiceNow", "credentials": {"type": "ServiceNowBasicAuth", "instance": "bench%02d" % number,
                                                  "username": "bench-user", "password": "bench-snow-password-%02d" % number}}


def _azure(number):
    return {"type": "Azure", "credentials": {"type": "AzureTenant", "app_client_id": "11111111-2222-3333-4444-%012d" % number,
                                             "client_secret": "bench-azure-secret-%02d" % number,
                                             "tenant_id": "66666666-7777-8888-9999-000000000000"}}


def _gcp(number):
    return {"type": "GCP", "credentials": {"type": "GCPServiceAccount", "private_key": "bench-gcp-private-key-%02d" % number,
                                           "service_account_email": "bench%02d@project.iam.gserviceaccount.com" % number}}


#: One cycle of ten: HTTP, AWS and Datadog twice each, then Okta, ServiceNow, Azure, GCP (50 = 10 + 10 + 10 + 4 x 5).
CONNECTION_MIX = (_http, _aws, _datadog, _okta, _http, _aws, _datadog, _servicenow, _azure, _gcp)


def converge_connections(count):
    """``count`` valid connections of mixed types, with unique names and tags."""
    connections = []
    for number in range(count):
        integration = CONNECTION_MIX[number % len(CONNECTION_MIX)](number)
        connections.append({"name": "bench %s %02d" % (integration["type"].lower(), number), "integration": integration,
                            "tags": ["team:bench", "env:%s" % ("prod" if number % 2 else "staging")]})
    return connections


def converge_tasks_ours():
    """The collection: one task, a loop. Connection options come from the environment (DD_API_URL, DD_API_KEY, ...)."""
    return [{"name": "converge", "ddops.datadog.datadog_action_connection": {
        "name": "{{ item.name }}", "integration": "{{ item.integration }}", "tags": "{{ item.tags }}"},
        "loop": "{{ bench_connections }}", "loop_control": {"label": "{{ item.name }}"}}]


def converge_tasks_uri():
    """What a competent user writes with ansible.builtin.uri for the same idempotent result.

    Read the list once (page[size]=100, the endpoint's largest page; further pages only while fewer than
    ``meta.total`` connections were read, so 50 connections cost one GET), index it by name, then POST the missing
    connections and PATCH those whose non-secret fields differ (tags as a set, the integration's non-secret fields,
    HTTP tokens that are missing by name), each in a loop whose ``when`` skips the rest. Keys travel in headers and
    secrets in bodies, hence ``no_log``. Simpler than the module on purpose, as a hand-written playbook is: it does
    not remove HTTP tokens, headers or parameters that are no longer listed, and does not detect duplicate names.
    """
    api = "{{ lookup('ansible.builtin.env', 'DD_API_URL') }}/api/v2/actions/connections"
    headers = "{{ dd_headers }}"
    listing = api + "?page[size]=%d&page[number]=" % LIST_PAGE_SIZE
    return [
        {"name": "list page 0", "ansible.builtin.uri": {"url": listing + "0", "headers": headers},
         "register": "dd_first_page", "no_log": True},
        {"name": "list further pages", "ansible.builtin.uri": {"url": listing + "{{ item }}", "headers": headers},
         "loop": "{{ range(1, ((dd_first_page.json.meta.total | int) / %d) | round(0, 'ceil') | int) | list }}" % LIST_PAGE_SIZE,
         "register": "dd_more_pages", "no_log": True},
        {"name": "index by name", "ansible.builtin.set_fact": {
            "dd_existing": "{{ dict(dd_all | map(attribute='attributes') | map(attribute='name') | zip(dd_all)) }}"},
         "vars": {"dd_all": "{{ dd_first_page.json.data + (dd_more_pages.results | default([]) | map(attribute='json') "
                            "| map(attribute='data') | flatten(levels=1)) }}"}},
        {"name": "create", "ansible.builtin.uri": {
            "url": api, "method": "POST", "headers": headers, "body_format": "json", "status_code": 201,
            "body": {"data": {"type": "action_connection", "attributes": {
                "name": "{{ item.name }}", "integration": "{{ item.integration }}", "tags": "{{ item.tags }}"}}}},
         "loop": "{{ bench_connections }}", "loop_control": {"label": "{{ item.name }}"},
         "when": "item.name not in dd_existing", "changed_when": True, "no_log": True},
        {"name": "update", "ansible.builtin.uri": {
            "url": api + "/{{ dd_current.id }}", "method": "PATCH", "headers": headers, "body_format": "json",
            "body": {"data": {"type": "action_connection", "attributes": {
                "tags": "{{ item.tags }}", "integration": "{{ dd_public }}"}}}},
         "vars": {"dd_current": "{{ dd_existing[item.name] }}",
                  "dd_missing_tokens": "{{ item.integration.credentials.tokens | default([]) | map(attribute='name') | "
                                       "difference(dd_current.attributes.integration.credentials.tokens | default([]) | "
                                       "map(attribute='name')) }}",
                  "dd_public_credentials": "{{ item.integration.credentials | dict2items | rejectattr('key', 'in', "
                                           "dd_secret_fields + ['tokens']) | items2dict | combine({'tokens': "
                                           "item.integration.credentials.tokens} if dd_missing_tokens else {}) }}",
                  "dd_public": "{{ item.integration | combine({'credentials': dd_public_credentials}) }}"},
         "loop": "{{ bench_connections }}", "loop_control": {"label": "{{ item.name }}"},
         "when": ["item.name in dd_existing",
                  "dd_current.attributes.tags | sort != item.tags | sort or dd_current.attributes.integration | "
                  "combine(dd_public, recursive=True) != dd_current.attributes.integration"],
         "changed_when": True, "no_log": True},
    ]


def converge_uri_vars():
    return {"dd_headers": {"DD-API-KEY": "{{ lookup('ansible.builtin.env', 'DD_API_KEY') }}",
                           "DD-APPLICATION-KEY": "{{ lookup('ansible.builtin.env', 'DD_APP_KEY') }}"},
            "dd_secret_fields": SECRET_FIELDS}


def _list_pages(existing):
    """GETs to read a list of ``existing`` connections at page size 100 (an empty list still costs one)."""
    return max(1, -(-existing // LIST_PAGE_SIZE))


def minimum_requests(variant, count, run):
    """The fewest requests each way of running allows: one read of the list for all the items plus the writes (the uri
    playbook, and ours in-process, where the loop items of a task share one read); a module process per item must read
    the list itself (docs/dev/architecture.md, "Minimum HTTP": unchanged = the list read, create = the list read + 1 POST)."""
    if variant in ("uri", "ours"):
        return {"reads": _list_pages(0 if run == 1 else count), "writes": count if run == 1 else 0}
    if run == 1:
        return {"reads": sum(_list_pages(existing) for existing in range(count)), "writes": count}
    return {"reads": count * _list_pages(count), "writes": 0}


def _changed_items(tasks, names):
    return sum(task["changed"] for task in tasks if task["task"] in names)


def _play_seconds(tasks):
    """Time inside the play: the sum of the task times (the play has no other work)."""
    return sum(task["seconds"] or 0 for task in tasks)


def bench_converge(emulator, workdir, count, rounds, judge_times=True):
    """Three playbooks, each run twice (run 1 creates ``count`` connections, run 2 changes nothing) on a fresh emulator
    state, every run its own ansible-playbook process, in rotating order over ``rounds``; medians."""
    connections = converge_connections(count)
    variants = [
        ("ours", converge_tasks_ours(), {"bench_connections": connections}, []),
        ("ours_module", converge_tasks_ours(), {"bench_connections": connections}, ["-e", "%s=false" % IN_PROCESS_VAR]),
        ("uri", converge_tasks_uri(), dict(converge_uri_vars(), bench_connections=connections), []),
    ]
    write_tasks = {"ours": ("converge",), "ours_module": ("converge",), "uri": ("create", "update")}
    measured = {}
    empty = []
    for round_number in range(rounds):
        empty.append(run_playbook([], emulator, workdir, "converge_empty")[0])  # ansible-playbook's own start-up
        for offset in range(len(variants)):
            name, tasks, play_vars, extra_args = variants[(round_number + offset) % len(variants)]
            emulator.reset(state=True, counts=True, audit=True, log=True, faults=True)
            emulator.register_app_key()  # the Actions API refuses connection calls from an unregistered key
            for run in (1, 2):
                emulator.reset(counts=True, log=True)
                seconds, records = run_playbook(tasks, emulator, workdir, "converge_%s_%d" % (name, run),
                                                play_vars=play_vars, extra_args=extra_args)
                counts = emulator.counts()
                routes = counts["routes"]
                reads = sum(number for route, number in routes.items() if route.startswith("GET "))
                changed = _changed_items(records, write_tasks[name])
                stored = sorted(item["name"] for item in emulator.dump_state()["connections"])
                expected_changed = count if run == 1 else 0
                if changed != expected_changed or stored != sorted(item["name"] for item in connections):
                    raise SystemExit("converge %s run %d: %d changed (expected %d), %d connections stored (expected %d)"
                                     % (name, run, changed, expected_changed, len(stored), count))
                measured.setdefault((name, run), []).append({
                    "seconds": seconds, "play_seconds": _play_seconds(records), "requests": counts["total"],
                    "reads": reads, "writes": counts["total"] - reads, "routes": routes, "senders": senders(emulator)})
    result = {"connections": count, "rounds": rounds, "mix": _mix(connections), "variants": {},
              "empty_playbook_seconds": round(statistics.median(empty), 2)}
    for name, dummy, dummy_vars, extra_args in variants:
        entry = {"command_line_extra": " ".join(extra_args)}
        for run in (1, 2):
            runs = measured[(name, run)]
            last = runs[-1]
            minimum = minimum_requests(name, count, run)
            entry["run%d" % run] = {
                "seconds": round(statistics.median(one["seconds"] for one in runs), 2),
                "play_seconds": round(statistics.median(one["play_seconds"] for one in runs), 2),
                "requests": last["requests"], "reads": last["reads"], "writes": last["writes"], "routes": last["routes"],
                "same_requests_every_round": all(one["routes"] == last["routes"] for one in runs),
                "sent_by": _merge_counts(one["senders"] for one in runs),
                "minimum": minimum,
                "at_minimum": last["reads"] == minimum["reads"] and last["writes"] == minimum["writes"],
            }
        result["variants"][name] = entry
    uri = result["variants"]["uri"]
    for name in ("ours", "ours_module"):
        ours = result["variants"][name]
        for run in (1, 2):
            ours["run%d" % run]["ratio_vs_uri"] = round(ours["run%d" % run]["seconds"] / uri["run%d" % run]["seconds"], 2)
            ours["run%d" % run]["play_ratio_vs_uri"] = round(
                ours["run%d" % run]["play_seconds"] / uri["run%d" % run]["play_seconds"], 2)
    ours = result["variants"]["ours"]
    root = collection_root()
    result["collection"] = root
    result["action_plugin_present"] = os.path.isfile(os.path.join(root, "plugins", "action", "datadog_action_connection.py"))
    result["time_goal_met"] = all(ours["run%d" % run]["ratio_vs_uri"] <= 0.5 for run in (1, 2))
    result["requests_goal_met"] = all(ours["run%d" % run]["at_minimum"] for run in (1, 2))
    result["goal_met"] = result["time_goal_met"] and result["requests_goal_met"]
    labels = {"ours": "datadog_action_connection (default: %s=true)" % IN_PROCESS_VAR,
              "ours_module": "datadog_action_connection (-e %s=false)" % IN_PROCESS_VAR,
              "uri": "ansible.builtin.uri playbook"}
    for name in ("ours", "ours_module", "uri"):
        entry = result["variants"][name]
        for run in (1, 2):
            row = entry["run%d" % run]
            ratio = "" if name == "uri" else "  %.2fx uri (in the play %.2fx)" % (row["ratio_vs_uri"], row["play_ratio_vs_uri"])
            print("  %-62s run %d: %6.2f s wall (%6.2f s in the play) %4d requests (%d GET, %d writes; minimum %s)%s" % (
                labels[name], run, row["seconds"], row["play_seconds"], row["requests"], row["reads"], row["writes"],
                "met" if row["at_minimum"] else "NOT met", ratio), flush=True)
        both = _merge_counts([entry["run1"]["sent_by"], entry["run2"]["sent_by"]])
        print("  %-62s requests of both runs, all rounds, sent by: %s" % (
            "", ", ".join("%s %d" % item for item in sorted(both.items()))), flush=True)
    print("  an empty playbook (ansible-playbook start-up, in every wall time above): %.2f s" % result["empty_playbook_seconds"])
    print("  ours (default mode) <= 0.5x the uri playbook on both runs: %s; requests at the minimum: %s; action plugin %s in %s"
          % (verdict(result["time_goal_met"], judge_times), verdict(result["requests_goal_met"]),
             "present" if result["action_plugin_present"] else "absent (both modes run the module)", root), flush=True)
    return result


def _merge_counts(dicts):
    merged = {}
    for counts in dicts:
        for key, number in counts.items():
            merged[key] = merged.get(key, 0) + number
    return merged


def _mix(connections):
    counts = {}
    for connection in connections:
        counts[connection["integration"]["type"]] = counts.get(connection["integration"]["type"], 0) + 1
    return counts


# -- 2. audit paging throughput -------------------------------------------------------------------------------------

def bench_audit_paging(emulator, events, repeat, judge_times=True):
    """Each variant in a fresh process; the lookup and the bare loops ``repeat`` times in rotating order (median)."""
    emulator.reset(audit=True)
    started = time.perf_counter()
    emulator.seed_audit(events, seed=1, span="2d")
    seeding = round(time.perf_counter() - started, 3)
    print("  the emulator seeded %d events in %.2f s" % (events, seeding), flush=True)
    now_ms = int(time.time() * 1000)
    window = ["--from", str(now_ms - 3 * 86400 * 1000), "--to", str(now_ms + 60000)]
    repeated = [("lookup", 1000, "ids"), ("requests", 1000, "ids"), ("requests", 1000, "events")]
    once = [("sdk", 0, "ids"), ("sdk", 1000, "ids")]
    runs = {}
    schedule = [repeated[(start + offset) % len(repeated)] for start in range(repeat) for offset in range(len(repeated))] + once
    for variant, page_size, keep in schedule:
        emulator.reset(counts=True)
        command = [sys.executable, os.path.join(HERE, "audit_paging.py"), "--url", emulator.url, "--api-key", emulator.api_key,
                   "--app-key", emulator.app_key, "--variant", variant, "--page-size", str(page_size), "--keep", keep] + window
        output = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        row["requests"] = emulator.counts()["total"]
        runs.setdefault((row["variant"], str(row["page_size"])), []).append(row)
    rows = []
    for key, measured in runs.items():
        row = dict(measured[0])
        row["runs"] = len(measured)
        row["seconds"] = round(statistics.median(entry["seconds"] for entry in measured), 3)
        row["events_per_s"] = round(row["events"] / row["seconds"])
        row["peak_rss_mib"] = max(entry["peak_rss_mib"] for entry in measured)
        row["complete"] = all(entry["events"] == entry["unique"] == events for entry in measured)
        rows.append(row)
        print("  %-24s page %-7s %7d events (complete: %s) median of %d: %7.2f s %9d events/s %6d requests  peak RSS %6.1f MiB" % (
            row["variant"], row["page_size"], row["events"], row["complete"], row["runs"], row["seconds"], row["events_per_s"],
            row["requests"], row["peak_rss_mib"]), flush=True)
    by_name = {(row["variant"], str(row["page_size"])): row for row in rows}
    lookup, bare, sdk_equal = by_name[("lookup", "1000")], by_name[("requests (keeps ids)", "1000")], by_name[("sdk", "1000")]
    result = {
        "events": events, "seed_seconds": seeding, "rows": rows,
        "lookup_vs_requests_loop": round(lookup["events_per_s"] / bare["events_per_s"], 2),
        "lookup_vs_requests_loop_keeping_events": round(lookup["events_per_s"] / by_name[("requests (keeps events)", "1000")]["events_per_s"], 2),
        "lookup_vs_sdk_page_1000": round(lookup["events_per_s"] / sdk_equal["events_per_s"], 2),
        "all_complete": all(row["complete"] for row in rows),
    }
    result["goal_met"] = result["lookup_vs_requests_loop"] >= 0.9 and result["lookup_vs_sdk_page_1000"] >= 1.0
    print("  lookup = %.2fx the bare requests loop keeping ids (goal >= 0.9; %.2fx the loop keeping the events), %.2fx the SDK "
          "at page size 1000 (goal >= 1.0): %s" % (result["lookup_vs_requests_loop"], result["lookup_vs_requests_loop_keeping_events"],
                                                   result["lookup_vs_sdk_page_1000"], verdict(result["goal_met"], judge_times)))
    return result


# -- 3. no-op cost ----------------------------------------------------------------------------------------------------

def bench_noop(emulator, workdir, items, rounds, judge_times=True):
    """An unchanged registration task vs one uri GET of the same URL, ``items`` loop items per playbook; the time of
    the loop task divided by ``items`` (medians over rotating rounds). Ours runs in both modes, like benchmark 1."""
    emulator.reset(state=True, counts=True)
    emulator.register_app_key(KEY_ID)
    ours = {"name": "ours", "ddops.datadog.datadog_app_key_registration": {"app_key_id": KEY_ID}, "loop": list(range(items))}
    headers = {"DD-API-KEY": "{{ lookup('ansible.builtin.env', 'DD_API_KEY') }}",
               "DD-APPLICATION-KEY": "{{ lookup('ansible.builtin.env', 'DD_APP_KEY') }}"}
    url = "{{ lookup('ansible.builtin.env', 'DD_API_URL') }}/api/v2/actions/app_key_registrations/" + KEY_ID
    uri = {"name": "uri", "ansible.builtin.uri": {"url": url, "headers": headers}, "no_log": True, "loop": list(range(items))}
    variants = [("ours", ours, []), ("ours_module", ours, ["-e", "%s=false" % IN_PROCESS_VAR]), ("uri", uri, [])]
    per_item = dict((name, []) for name, dummy, dummy_args in variants)
    requests_per_run = {}
    sent_by = {}
    for round_number in range(rounds):
        for offset in range(len(variants)):
            name, task, extra_args = variants[(round_number + offset) % len(variants)]
            emulator.reset(counts=True, log=True)
            dummy, records = run_playbook([task], emulator, workdir, "noop_" + name, extra_args=extra_args)
            sent_by[name] = _merge_counts([sent_by.get(name, {}), senders(emulator)])
            loop_task = [entry for entry in records if entry["task"] == task["name"]][-1]
            per_item[name].append(loop_task["seconds"] / items)
            requests_per_run[name] = emulator.counts()["total"]
            if loop_task["changed"] or loop_task["ok"] != items:
                raise SystemExit("no-op %s: %d items changed, %d ok (expected 0 and %d)" % (
                    name, loop_task["changed"], loop_task["ok"], items))
    ours_s, module_s, uri_s = (statistics.median(per_item[name]) for name in ("ours", "ours_module", "uri"))
    result = {"items": items, "rounds": rounds, "ours_s_per_task": round(ours_s, 3), "uri_s_per_task": round(uri_s, 3),
              "ratio": round(ours_s / uri_s, 2), "requests_ours": requests_per_run["ours"], "requests_uri": requests_per_run["uri"],
              "ours_module_s_per_task": round(module_s, 3), "ratio_module": round(module_s / uri_s, 2),
              "requests_ours_module": requests_per_run["ours_module"], "sent_by": sent_by}
    result["goal_met"] = result["ratio"] <= 1.2
    print("  unchanged datadog_app_key_registration %.3f s/task vs ansible.builtin.uri GET %.3f s/task: %.2fx (goal <= 1.2): %s; "
          "requests %d vs %d" % (ours_s, uri_s, result["ratio"], verdict(result["goal_met"], judge_times),
                                 result["requests_ours"], result["requests_uri"]), flush=True)
    print("  the same with -e %s=false: %.3f s/task, %.2fx; requests %d" % (
        IN_PROCESS_VAR, module_s, result["ratio_module"], result["requests_ours_module"]), flush=True)
    described = ["%s: %s" % (name, ", ".join("%s %d" % item for item in sorted(counts.items())))
                 for name, counts in sorted(sent_by.items())]
    print("  requests sent by: %s" % "; ".join(described), flush=True)
    return result


def show_playbooks():
    """Benchmark 1's playbooks as ansible-playbook runs them (bench_connections holds all of them in the benchmark)."""
    for title, tasks, play_vars in (("datadog_action_connection", converge_tasks_ours(), {}),
                                    ("ansible.builtin.uri", converge_tasks_uri(), converge_uri_vars())):
        play = {"hosts": "localhost", "connection": "local", "gather_facts": False,
                "vars": dict(play_vars, bench_connections=converge_connections(3)), "tasks": tasks}
        print("# %s\n%s" % (title, yaml.safe_dump([play], sort_keys=False, width=120)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100000, help="benchmark 2: audit events to fetch")
    parser.add_argument("--noop-items", type=int, default=20, help="benchmark 3: loop items (unchanged tasks) per playbook")
    parser.add_argument("--rounds", type=int, default=3, help="rounds in rotating order; the figures are medians")
    parser.add_argument("--output", help="write the figures (JSON) here")
    parser.add_argument("--connections", type=int, default=50, help="benchmark 1: connections the playbooks converge")
    parser.add_argument("--set-sizes", default="50,200,1000",
                        help="benchmark 4: comma-separated sizes of the set the role converges")
    parser.add_argument("--parallel-events", type=int, default=100000,
                        help="benchmark 6: audit events (over 30 days) read with the lookup's parallel option")
    parser.add_argument("--whole-rounds", type=int, default=1,
                        help="benchmark 5: runs of the whole-events variant (slow: minutes and GBs on ansible-core 2.17; 0 leaves it out)")
    parser.add_argument("--latency", type=float, default=0.15, help="benchmarks 6, 7 and 8: seconds every answer waits")
    parser.add_argument("--set-parallel", default="1,4,8,16",
                        help="benchmark 7: comma-separated action_connections_parallel levels (the first is the baseline)")
    parser.add_argument("--set-parallel-sizes", default=None,
                        help="benchmark 7: comma-separated sizes of the set (default: --set-sizes)")
    parser.add_argument("--access-size", type=int, default=200,
                        help="benchmark 8: connections declaring access in the set the role converges")
    parser.add_argument("--access-parallel", default="1,4,8,16",
                        help="benchmark 8: comma-separated action_connections_parallel levels (the first is the baseline)")
    parser.add_argument("--only", choices=BENCHMARKS, action="append",
                        help="run only this benchmark (repeatable); default: all eight")
    parser.add_argument("--latest-bin", default=os.path.join(TOP, ".venv-latest", "bin"),
                        help="benchmark 5: bin directory of the lane 2 venv (newest ansible-core); skipped when missing")
    parser.add_argument("--smoke", action="store_true",
                        help="a check that every benchmark runs (make bench-smoke): report no time goal as met or missed")
    parser.add_argument("--show-playbooks", action="store_true",
                        help="print benchmark 1's two playbooks (with 3 of the connections as bench_connections) and exit")
    args = parser.parse_args()
    if args.show_playbooks:
        show_playbooks()
        return 0
    chosen = args.only or BENCHMARKS
    figures = {"date": time.strftime("%Y-%m-%d"), "rounds": args.rounds, "smoke": args.smoke}
    with Emulator(register_app_key=True) as emulator, tempfile.TemporaryDirectory() as workdir:
        if "converge" in chosen:
            print("1. converge at scale vs ansible.builtin.uri: %d connections, run twice, %d rounds"
                  % (args.connections, args.rounds), flush=True)
            figures["converge"] = bench_converge(emulator, workdir, args.connections, args.rounds, not args.smoke)
        if "audit" in chosen:
            print("2. audit paging: %d events" % args.events, flush=True)
            figures["audit_paging"] = bench_audit_paging(emulator, args.events, args.rounds, not args.smoke)
        if "noop" in chosen:
            print("3. no-op cost: %d items x %d rounds" % (args.noop_items, args.rounds), flush=True)
            figures["noop"] = bench_noop(emulator, workdir, args.noop_items, args.rounds, not args.smoke)
        if "set" in chosen:
            sizes = [int(size) for size in args.set_sizes.split(",")]
            print("4. the action_connections role converging a set of %s connections, run twice, %d rounds"
                  % (", ".join(str(size) for size in sizes), args.rounds), flush=True)
            figures["set"] = bench_set(emulator, workdir, sizes, args.rounds, run_playbook, converge_connections)
        if "audit-playbook" in chosen:
            lanes = {"lane 1": os.path.dirname(sys.executable)}
            if os.path.isfile(os.path.join(args.latest_bin, os.pardir, ".installed")):  # complete (make venv's marker)
                lanes["lane 2"] = args.latest_bin
            print("5. audit events kept in a playbook: %d events, %d rounds, on %s%s" % (
                args.events, args.rounds, " and ".join(lanes),
                "" if "lane 2" in lanes else " (no lane 2 venv at %s: make venv-latest creates it)" % args.latest_bin), flush=True)
            figures["audit_playbook"] = bench_audit_playbook(emulator, workdir, args.events, args.rounds, lanes,
                                                             whole_rounds=args.whole_rounds, judge_times=not args.smoke)
        if "parallel" in chosen:
            print("6. parallel audit reads at %.0f ms per answer: %d events" % (args.latency * 1000, args.parallel_events), flush=True)
            figures["audit_parallel"] = bench_audit_parallel(emulator, args.parallel_events, args.rounds, latency=args.latency,
                                                             judge_times=not args.smoke)
        if "set-parallel" in chosen:
            sizes = [int(size) for size in (args.set_parallel_sizes or args.set_sizes).split(",")]
            levels = [int(level) for level in args.set_parallel.split(",")]
            print("7. the role with parallel writes at %.0f ms per answer: %s connections, parallel %s, %d rounds" % (
                args.latency * 1000, ", ".join(str(size) for size in sizes), ", ".join(str(level) for level in levels),
                args.rounds), flush=True)
            figures["set_parallel"] = bench_set_parallel(emulator, workdir, sizes, args.rounds, run_playbook,
                                                         converge_connections, levels=levels, latency=args.latency,
                                                         judge_times=not args.smoke)
        if "set-access" in chosen:
            levels = [int(level) for level in args.access_parallel.split(",")]
            print("8. the role with access on every connection at %.0f ms per answer: %d connections, parallel %s, %d rounds"
                  % (args.latency * 1000, args.access_size, ", ".join(str(level) for level in levels), args.rounds), flush=True)
            figures["set_access"] = bench_set_access(emulator, workdir, args.access_size, args.rounds, run_playbook,
                                                     converge_connections, levels=levels, latency=args.latency,
                                                     judge_times=not args.smoke)
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(figures, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
