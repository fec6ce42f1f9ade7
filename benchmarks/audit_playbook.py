# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark 5: audit events kept in a playbook, end to end through ``ansible-playbook``, on each lane's ansible-core.

``benchmarks/run.py --only audit-playbook`` seeds the emulator with N audit events over 30 days and runs, for every
ansible-core given (lane 1 and lane 2 of ``make test``), each in a fresh ``ansible-playbook`` process:

- ``whole``: ``set_fact`` of every event as Datadog returns it, then ``ev | length`` (the only way before ``fields``);
- ``fields``: ``set_fact`` of the events reduced to 4 fields, then one ``selectattr`` over them;
- ``count_by``: ``set_fact`` of the events counted per user (``count_by='@usr.email'``), then the counts;
- ``fields native``: ``fields`` with ``jinja2_native`` on (only on ansible-core before 2.19, where it is a setting);

against the bare ``requests`` loop keeping the events (this file run as a script, in a fresh Python process, just
before each of them: the baseline of the ratios), and the lookup called directly (``lookup.run()``, no playbook around it) with the same options.
Every result is checked against what the bare loop read: the same number of events, the same ``deleted`` count, the
same counts per user. Times are figures, never assertions; the goals are reported as met or missed.

Run as a script it is one of the subprocess variants (``bare`` or ``lookup``) and prints one JSON line.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CALLBACKS = os.path.join(HERE, "callback_plugins")
FQCN = "ddops.datadog.audit_events"
FIELDS = ["id", "timestamp", "@usr.email", "@action"]
COUNT_BY = "@usr.email"
SPAN = "30d"
GOALS = {"fields": 3.0, "count_by": 1.5}
VARIANTS = ("whole", "fields", "count_by")
#: A variant name ending in this runs with jinja2_native (ansible-core before 2.19, where it is a setting).
NATIVE = " native"
PAGE_SIZE = 1000


# -- the playbooks ----------------------------------------------------------------------------------------------------

def lookup_call(options):
    """``query('ddops.datadog.audit_events', from=bench_from, to=bench_to, limit=0, <options>)``."""
    rendered = "".join(", %s=%s" % (name, json.dumps(value).replace('"', "'")) for name, value in options.items())
    return "query('%s', from=bench_from, to=bench_to, limit=0%s)" % (FQCN, rendered)


def playbook_tasks(variant):
    """The two tasks of a variant: keep the lookup's result in a fact, then use it once (the result to check)."""
    variant = variant.replace(NATIVE, "")
    if variant == "whole":
        keep, use = "{{ %s }}" % lookup_call({}), "{{ {'rows': ev | length} | to_json }}"
    elif variant == "fields":
        keep = "{{ %s }}" % lookup_call({"fields": FIELDS})
        use = "{{ {'rows': ev | length, 'deleted': ev | selectattr('action', 'equalto', 'deleted') | list | length} | to_json }}"
    elif variant == "count_by":
        keep, use = "{{ %s }}" % lookup_call({"count_by": COUNT_BY}), "{{ {'counts': ev} | to_json }}"
    else:
        raise ValueError(variant)
    return [{"name": "keep", "ansible.builtin.set_fact": {"ev": keep}},
            {"name": "use", "ansible.builtin.debug": {"msg": use}}]


def show_playbooks():
    for variant in VARIANTS:
        play = {"hosts": "localhost", "connection": "local", "gather_facts": False,
                "vars": {"bench_from": "<epoch ms>", "bench_to": "<epoch ms>"}, "tasks": playbook_tasks(variant)}
        print("# %s\n%s" % (variant, yaml.safe_dump([play], sort_keys=False, width=160)))


# -- running -------------------------------------------------------------------------------------------------------------

def ansible_core_version(bin_dir):
    output = subprocess.run([os.path.join(bin_dir, "python"), "-c", "import ansible.release as r; print(r.__version__)"],
                            stdout=subprocess.PIPE, text=True, check=True).stdout
    return output.strip()


def run_measured(command, env=None):
    """Run ``command``; return (seconds, peak RSS of the process in MiB, output). Raises on failure.

    The peak is the largest VmHWM of the process and its children (ansible-playbook's workers), read while they run
    (every 50 ms; the rusage of a child would count this process's memory, which holds the emulator's events, from
    before the exec).
    """
    with tempfile.TemporaryFile(mode="w+") as output_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=output_file, stderr=subprocess.STDOUT, text=True)
        peak_kib = 0
        while process.poll() is None:
            peak_kib = max([peak_kib] + [_vm_hwm_kib(pid) for pid in _process_tree(process.pid)])
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        output_file.seek(0)
        output = output_file.read()
    if process.returncode != 0:
        print(output[-4000:])
        raise SystemExit("benchmark command failed: %s" % " ".join(command[:3]))
    return seconds, round(peak_kib / 1024, 1), output


def _process_tree(pid):
    pids = [pid]
    for current in pids:
        try:
            for task in os.listdir("/proc/%d/task" % current):
                with open("/proc/%d/task/%s/children" % (current, task)) as handle:
                    pids.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return pids


def _vm_hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_playbook(bin_dir, variant, emulator, workdir, window):
    name = variant.replace(" ", "_")
    playbook = os.path.join(workdir, "audit_playbook_%s.yml" % name)
    record = os.path.join(workdir, "audit_playbook_%s.json" % name)
    play = {"name": variant, "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": {"bench_from": window[0], "bench_to": window[1]}, "tasks": playbook_tasks(variant)}
    with open(playbook, "w") as handle:
        yaml.safe_dump([play], handle, sort_keys=False)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""), DD_API_URL=emulator.url,
               DD_API_KEY=emulator.api_key, DD_APP_KEY=emulator.app_key, ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
               ANSIBLE_CALLBACKS_ENABLED="bench_timer", DDOPS_BENCH_RECORD=record, ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PYTHON_INTERPRETER="auto_silent",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="default")
    env.pop("ANSIBLE_JINJA2_NATIVE", None)
    if variant.endswith(NATIVE):
        env["ANSIBLE_JINJA2_NATIVE"] = "1"
    seconds, rss, output = run_measured([os.path.join(bin_dir, "ansible-playbook"), playbook], env=env)
    with open(record) as handle:
        tasks = dict((entry["task"], entry["seconds"]) for entry in json.load(handle))
    return {"seconds": seconds, "peak_rss_mib": rss, "keep_s": tasks.get("keep"), "use_s": tasks.get("use"),
            "result": _debug_message(output)}


def _debug_message(output):
    """The JSON document the ``use`` task printed (``"msg": "<json>"`` in the default callback's output)."""
    for line in output.splitlines():
        line = line.strip()
        if line.startswith('"msg": '):
            message = json.loads(line[len('"msg": '):])
            return json.loads(message) if isinstance(message, str) else message
    raise SystemExit("no result in the playbook output:\n%s" % output[-3000:])


def run_script(python, mode, emulator, window, options=None):
    command = [python, os.path.abspath(__file__), mode, "--url", emulator.url, "--api-key", emulator.api_key,
               "--app-key", emulator.app_key, "--from", window[0], "--to", window[1]]
    if options:
        command += ["--options", json.dumps(options)]
    seconds, rss, output = run_measured(command)
    row = json.loads(output.strip().splitlines()[-1])
    row.update(process_seconds=seconds, peak_rss_mib=rss)
    return row


def check(variant, result, expected):
    """The playbook's result against the bare loop's read (raises SystemExit on a difference)."""
    variant = variant.replace(NATIVE, "")
    if variant == "whole":
        good = result == {"rows": expected["events"]}
    elif variant == "fields":
        good = result == {"rows": expected["events"], "deleted": expected["deleted"]}
    else:
        good = dict((row["usr_email"], row["count"]) for row in result["counts"]) == expected["per_user"] and \
            [row["count"] for row in result["counts"]] == sorted(expected["per_user"].values(), reverse=True)
    if not good:
        raise SystemExit("audit-playbook %s: the result %s differs from the bare loop's read %s"
                         % (variant, json.dumps(result)[:300], json.dumps(expected)[:300]))


def bench_audit_playbook(emulator, workdir, events, rounds, lanes, whole_rounds=1, judge_times=True):
    """``lanes`` maps a lane name to the bin directory of its venv. Returns the figures (also printed).

    Every variant run is paired with a bare loop run just before it, and its ratio is taken to that run: on a shared
    machine the load changes from minute to minute, and a pair sees about the same. The figures are the medians of the
    runs and of the paired ratios (variants in rotating order over ``rounds``; whole events ``whole_rounds`` times, as
    they take long). With ``judge_times`` false (a smoke run) no goal is reported as met or missed.
    """
    emulator.reset(audit=True, counts=True)
    emulator.seed_audit(events, seed=4, span=SPAN)
    now_ms = int(time.time() * 1000)
    window = (str(now_ms - 31 * 86400 * 1000), str(now_ms + 60000))
    requests_expected = -(-events // PAGE_SIZE) + 1  # full pages, then the empty page that ends the results
    figures = {"events": events, "span": SPAN, "rounds": rounds, "whole_rounds": whole_rounds, "fields": FIELDS,
               "count_by": COUNT_BY, "requests_per_read": requests_expected, "lanes": {}}
    # One bare read first, not counted: the first read of a run (cold caches, the emulator's first answers) took 8.2 s
    # against 2.9-4.1 s for the later ones in one run, which made the first variant's ratio look better than it is.
    emulator.reset(counts=True)
    expected = run_script(sys.executable, "bare", emulator, window)
    for name, bin_dir in lanes.items():
        version = ansible_core_version(bin_dir)
        lane = figures["lanes"][name] = {"ansible_core": version, "bin": bin_dir, "variants": {}}
        print("  %s: ansible-core %s (%s)" % (name, version, bin_dir), flush=True)
        order = ["fields", "count_by", "lookup fields", "lookup count_by"]
        if tuple(int(part) for part in version.split(".")[:2]) < (2, 19):  # jinja2_native is a setting there
            order.insert(1, "fields" + NATIVE)
        schedule = []
        for round_number in range(rounds):
            schedule += order[round_number % len(order):] + order[:round_number % len(order)]
        schedule += ["whole"] * whole_rounds
        runs = collections.defaultdict(list)
        bare_seconds = expected["seconds"]
        for variant in schedule:
            # Each variant paired with a bare read just before it; a smoke run (no time judged) reads bare only once.
            for step in ("bare", variant) if judge_times else (variant,):
                emulator.reset(counts=True)
                if step == "bare":
                    row = run_script(sys.executable, "bare", emulator, window)
                    if (row["events"], row["deleted"], row["per_user"]) != (expected["events"], expected["deleted"], expected["per_user"]):
                        raise SystemExit("the bare loop read different events in two runs")
                    bare_seconds = row["seconds"]
                elif step.startswith("lookup "):
                    row = run_script(os.path.join(bin_dir, "python"), "lookup", emulator, window,
                                     {"fields": FIELDS} if step == "lookup fields" else {"count_by": COUNT_BY})
                    if row["rows"] != (expected["events"] if step == "lookup fields" else len(expected["per_user"])):
                        raise SystemExit("%s returned %d rows" % (step, row["rows"]))
                else:
                    row = run_playbook(bin_dir, step, emulator, workdir, window)
                    check(step, row["result"], expected)
                row["requests"] = emulator.counts()["total"]
                if row["requests"] != requests_expected:
                    raise SystemExit("%s sent %d requests, expected %d" % (step, row["requests"], requests_expected))
                if step != "bare":
                    row["ratio"] = row["seconds"] / bare_seconds
                runs[step].append(row)
                print("    %-16s %8.2f s%s  peak RSS %7.1f MiB  %4d requests" % (
                    step, row["seconds"], "  %6.2fx the bare loop %s" % (row["ratio"], "just before" if judge_times else "read first")
                    if step != "bare" else " " * 34,
                    row["peak_rss_mib"], row["requests"]), flush=True)
        for variant, measured in runs.items():
            lane["variants"][variant] = summary = {
                "runs": len(measured),
                "seconds": round(statistics.median(row["seconds"] for row in measured), 2),
                "peak_rss_mib": max(row["peak_rss_mib"] for row in measured),
                "requests": measured[-1]["requests"],
            }
            if variant != "bare":
                summary["ratio_vs_bare"] = round(statistics.median(row["ratio"] for row in measured), 2)
            if variant.replace(NATIVE, "") in VARIANTS:
                summary["keep_s"] = round(statistics.median(row["keep_s"] for row in measured), 2)
                summary["use_s"] = round(statistics.median(row["use_s"] for row in measured), 2)
        lane["goals"] = dict((variant, {"ratio": lane["variants"][variant]["ratio_vs_bare"], "goal": goal,
                                        "met": lane["variants"][variant]["ratio_vs_bare"] <= goal})
                             for variant, goal in GOALS.items())
    figures["expected"] = {"events": expected["events"], "deleted": expected["deleted"], "users": len(expected["per_user"])}
    figures["goals_judged"] = judge_times
    print_figures(figures)
    return figures


LABELS = {
    "bare": "bare requests loop keeping the events (baseline)",
    "whole": "set_fact of whole events, then | length",
    "fields": "set_fact with fields (4), then one selectattr",
    "fields" + NATIVE: "the same with jinja2_native = true",
    "count_by": "set_fact with count_by='%s'" % COUNT_BY,
    "lookup fields": "lookup.run() alone, fields (4)",
    "lookup count_by": "lookup.run() alone, count_by",
}


def print_figures(figures):
    print("  %d events over %s, %d requests per read (page size %d); every result checked against the bare loop's read;"
          % (figures["events"], figures["span"], figures["requests_per_read"], PAGE_SIZE))
    if figures["goals_judged"]:
        print("  ratios: median of each run over the bare loop run just before it")
    else:
        print("  ratios: over the one bare loop run first (a smoke run pairs no runs)")
    for name, lane in figures["lanes"].items():
        print("  %s, ansible-core %s:" % (name, lane["ansible_core"]))
        for variant in ("bare", "whole", "fields", "fields" + NATIVE, "count_by", "lookup fields", "lookup count_by"):
            summary = lane["variants"].get(variant)
            if summary is None:
                continue
            split = ""
            if "keep_s" in summary:
                split = "  (set_fact task %.2f s, use task %.2f s)" % (summary["keep_s"], summary["use_s"])
            ratio = "%6.2fx" % summary["ratio_vs_bare"] if "ratio_vs_bare" in summary else "      "
            print("    %-52s %8.2f s  %s  peak RSS %7.1f MiB%s" % (
                LABELS[variant], summary["seconds"], ratio, summary["peak_rss_mib"], split))
        print("    goals: %s" % "; ".join("%s %.2fx (<= %.1fx) %s" % (
            variant, goal["ratio"], goal["goal"],
            ("met" if goal["met"] else "MISSED") if figures["goals_judged"] else "not judged in a smoke run")
            for variant, goal in lane["goals"].items()), flush=True)


# -- the subprocess variants ------------------------------------------------------------------------------------------------

def bare_loop(args):
    """A bare requests loop over the search endpoint, cursor by cursor, keeping the events; then what the checks need."""
    import requests  # pylint: disable=import-outside-toplevel

    session = requests.Session()
    session.headers.update({"DD-API-KEY": args.api_key, "DD-APPLICATION-KEY": args.app_key})
    body = {"filter": {"query": "*", "from": args.time_from, "to": args.time_to}, "sort": "-timestamp",
            "page": {"limit": PAGE_SIZE}}
    started = time.perf_counter()
    events = []
    while True:
        answer = session.post(args.url + "/api/v2/audit/events/search", json=body, timeout=60)
        answer.raise_for_status()
        page = answer.json()
        if not page.get("data"):
            break
        events.extend(page["data"])
        cursor = (page.get("meta") or {}).get("page", {}).get("after")
        if not cursor:
            break
        body["page"]["cursor"] = cursor
    seconds = time.perf_counter() - started
    own = [event["attributes"]["attributes"] for event in events]
    return {"seconds": round(seconds, 3), "events": len(events), "unique": len(set(event["id"] for event in events)),
            "deleted": sum(1 for attributes in own if attributes.get("action") == "deleted"),
            "per_user": dict(collections.Counter(attributes.get("usr", {}).get("email") for attributes in own))}


def lookup_alone(args):
    """The lookup as Ansible calls it, without a playbook (like benchmark 2's lookup variant)."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import init_plugin_loader, lookup_loader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    init_plugin_loader()
    lookup = lookup_loader.get(FQCN, loader=DataLoader(), templar=Templar(loader=DataLoader()))
    options = json.loads(args.options or "{}")
    started = time.perf_counter()
    result = lookup.run(["*"], variables={}, api_url=args.url, api_key=args.api_key, app_key=args.app_key, limit=0,
                        **dict(options, **{"from": args.time_from, "to": args.time_to}))
    return {"seconds": round(time.perf_counter() - started, 3), "rows": len(result)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["bare", "lookup", "show-playbooks"])
    parser.add_argument("--url")
    parser.add_argument("--api-key")
    parser.add_argument("--app-key")
    parser.add_argument("--from", dest="time_from")
    parser.add_argument("--to", dest="time_to")
    parser.add_argument("--options", help="lookup: its options as JSON")
    args = parser.parse_args()
    if args.mode == "show-playbooks":
        show_playbooks()
        return 0
    print(json.dumps(bare_loop(args) if args.mode == "bare" else lookup_alone(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
