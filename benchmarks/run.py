# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ddops.datadog benchmarks, side by side against one local emulator: ``make bench`` (``make bench-smoke``: tiny sizes).

Figures are ratios measured in one run (absolute times on shared machines mean little) and HTTP request counts
from the emulator. They are printed and written to ``--output`` (JSON); docs/performance.md records a run.
Nothing here is a timed assertion: the goals are reported as met or missed.
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

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
CALLBACKS = os.path.join(TOP, "tests", "reliability", "callback_plugins")
KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"


def run_playbook(tasks, emulator, workdir, name, extra_env=None):
    """Run tasks on localhost; return (seconds, [records]) with one record per task result."""
    playbook = os.path.join(workdir, name + ".yml")
    record = os.path.join(workdir, name + ".jsonl")
    with open(playbook, "w") as handle:
        yaml.safe_dump([{"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}],
                       handle, sort_keys=False)
    if os.path.exists(record):
        os.remove(record)
    env = dict(os.environ, DD_API_URL=emulator.url, DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key,
               ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED="record_results", DDOPS_RECORD=record,
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER="auto_silent")
    env.update(extra_env or {})
    started = time.perf_counter()
    process = subprocess.run(["ansible-playbook", playbook], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, check=False)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        print(process.stdout[-4000:])
        raise SystemExit("benchmark playbook %s failed" % name)
    with open(record) as handle:
        return seconds, [json.loads(line) for line in handle]


# -- 2. audit paging throughput -------------------------------------------------------------------------------------

def bench_audit_paging(emulator, events, repeat):
    """Each variant in a fresh process; the lookup and the bare loops ``repeat`` times in rotating order (median)."""
    emulator.reset(audit=True)
    emulator.seed_audit(events, seed=1, span="2d")
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
        "events": events, "rows": rows,
        "lookup_vs_requests_loop": round(lookup["events_per_s"] / bare["events_per_s"], 2),
        "lookup_vs_requests_loop_keeping_events": round(lookup["events_per_s"] / by_name[("requests (keeps events)", "1000")]["events_per_s"], 2),
        "lookup_vs_sdk_page_1000": round(lookup["events_per_s"] / sdk_equal["events_per_s"], 2),
        "all_complete": all(row["complete"] for row in rows),
    }
    result["goal_met"] = result["lookup_vs_requests_loop"] >= 0.9 and result["lookup_vs_sdk_page_1000"] >= 1.0
    print("  lookup = %.2fx the bare requests loop keeping ids (goal >= 0.9; %.2fx the loop keeping the events), %.2fx the SDK "
          "at page size 1000 (goal >= 1.0): %s" % (result["lookup_vs_requests_loop"], result["lookup_vs_requests_loop_keeping_events"],
                                                   result["lookup_vs_sdk_page_1000"], "met" if result["goal_met"] else "MISSED"))
    return result


# -- 3. no-op cost ----------------------------------------------------------------------------------------------------

def bench_noop(emulator, workdir, items, rounds):
    emulator.reset(state=True, counts=True)
    emulator.register_app_key(KEY_ID)
    ours = {"name": "ours", "ddops.datadog.datadog_app_key_registration": {"app_key_id": KEY_ID}, "loop": list(range(items))}
    headers = {"DD-API-KEY": "{{ lookup('ansible.builtin.env', 'DD_API_KEY') }}",
               "DD-APPLICATION-KEY": "{{ lookup('ansible.builtin.env', 'DD_APP_KEY') }}"}
    url = "{{ lookup('ansible.builtin.env', 'DD_API_URL') }}/api/v2/actions/app_key_registrations/" + KEY_ID
    uri = {"name": "uri", "ansible.builtin.uri": {"url": url, "headers": headers}, "no_log": True, "loop": list(range(items))}
    per_item = {"ours": [], "uri": []}
    requests_per_run = {}
    for round_number in range(rounds):
        order = [("ours", ours), ("uri", uri)] if round_number % 2 == 0 else [("uri", uri), ("ours", ours)]
        for name, task in order:
            emulator.reset(counts=True)
            dummy, records = run_playbook([task], emulator, workdir, "noop_" + name)
            loop_record = [record for record in records if record["task"] == name][-1]
            per_item[name].append(loop_record["seconds"] / items)
            requests_per_run[name] = emulator.counts()["total"]
            changed = loop_record["result"].get("changed")
            assert not changed, "%s reported a change" % name
    ours_s, uri_s = statistics.median(per_item["ours"]), statistics.median(per_item["uri"])
    result = {"items": items, "rounds": rounds, "ours_s_per_task": round(ours_s, 3), "uri_s_per_task": round(uri_s, 3),
              "ratio": round(ours_s / uri_s, 2), "requests_ours": requests_per_run["ours"], "requests_uri": requests_per_run["uri"]}
    result["goal_met"] = result["ratio"] <= 1.2
    print("  unchanged datadog_app_key_registration %.3f s/task vs ansible.builtin.uri GET %.3f s/task: %.2fx (goal <= 1.2): %s; "
          "requests %d vs %d" % (ours_s, uri_s, result["ratio"], "met" if result["goal_met"] else "MISSED",
                                 result["requests_ours"], result["requests_uri"]), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100000)
    parser.add_argument("--noop-items", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", help="write the figures (JSON) here")
    parser.add_argument("--only", choices=["audit", "noop"], action="append")
    args = parser.parse_args()
    chosen = args.only or ["audit", "noop"]
    figures = {}
    with Emulator(register_app_key=True) as emulator, tempfile.TemporaryDirectory() as workdir:
        if "audit" in chosen:
            print("2. audit paging: %d events" % args.events, flush=True)
            figures["audit_paging"] = bench_audit_paging(emulator, args.events, args.rounds)
        if "noop" in chosen:
            print("3. no-op cost: %d items x %d rounds" % (args.noop_items, args.rounds), flush=True)
            figures["noop"] = bench_noop(emulator, workdir, args.noop_items, args.rounds)
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(figures, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
