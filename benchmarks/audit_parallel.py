# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark 6: the audit_events lookup's ``parallel`` option at a real-world answer time.

``benchmarks/run.py --only parallel`` calls :func:`bench_audit_parallel`: it seeds N events over 30 days in the
emulator (evenly; with 80 % of them in one hour; and in bursts of 4 events sharing each millisecond, at different
instants inside it, 80 % of the bursts in one hour), makes every search answer wait ``--latency`` seconds (150 ms:
what a Datadog search page takes), and reads the whole range with the sequential lookup, a bare sequential
``requests`` loop and the lookup with ``parallel`` 4, 8 and 16, each in a fresh process of this script::

    python benchmarks/audit_parallel.py --url URL --api-key K --app-key K --from MS --to MS --variant lookup --parallel 8

It asserts that every variant returned the same event IDs in the same order (a SHA-256 of the ID sequence) and
prints events/s, requests (the emulator's counters), the ratio to the bare loop, the most requests the emulator had
in flight at once, and how the requests were spread over the lookup's worker threads (counted in the child process).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SEARCH_ROUTE = "POST /api/v2/audit/events/search"
DAY_MS = 86_400_000
GOALS = {"even": 4.0, "burst": 3.0, "burst, 4 per ms": 3.0}  # parallel=8 vs the bare sequential loop
#: Events that share each millisecond in the "burst, 4 per ms" distribution.
PER_MS = 4
GOAL_PARALLEL = 8


# -- one variant, in its own process ----------------------------------------------------------------------------------

def lookup_fetch(args):
    """The collection's lookup, called as Ansible calls it; returns the fetch to time and a probe of its slices."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import init_plugin_loader, lookup_loader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    init_plugin_loader()  # finds ddops.datadog through ANSIBLE_COLLECTIONS_PATH, as the ansible CLI does
    lookup = lookup_loader.get("ddops.datadog.audit_events", loader=DataLoader(), templar=Templar(loader=DataLoader()))
    reads = _watch_parallel_reads()
    _count_requests_per_thread()

    def fetch():
        events = lookup.run(["*"], variables={}, api_url=args.url, api_key=args.api_key, app_key=args.app_key, limit=0,
                            parallel=args.parallel, **{"from": args.time_from, "to": args.time_to})
        return [event["id"] for event in events]
    return fetch, reads


def _watch_parallel_reads():
    """Keep each ParallelRead the lookup makes, to report its slices (instrumentation only: nothing is changed)."""
    from ansible_collections.ddops.datadog.plugins.module_utils import _audit_slices  # pylint: disable=import-outside-toplevel

    reads = []
    original = _audit_slices.ParallelRead.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        reads.append(self)
    _audit_slices.ParallelRead.__init__ = init
    return reads


PER_THREAD = {}


def _count_requests_per_thread():
    """Count the client's requests by the thread that sent them (instrumentation only: nothing is changed)."""
    import threading  # pylint: disable=import-outside-toplevel

    from ansible_collections.ddops.datadog.plugins.module_utils import _api  # pylint: disable=import-outside-toplevel

    original = _api.DatadogClient.request

    def request(self, *args, **kwargs):
        name = threading.current_thread().name
        PER_THREAD[name] = PER_THREAD.get(name, 0) + 1
        return original(self, *args, **kwargs)
    _api.DatadogClient.request = request


def requests_fetch(args):
    """The bare sequential loop: one session, cursor after cursor, keeping only the IDs."""
    import requests  # pylint: disable=import-outside-toplevel

    session = requests.Session()
    session.headers.update({"DD-API-KEY": args.api_key, "DD-APPLICATION-KEY": args.app_key})
    body = {"filter": {"query": "*", "from": args.time_from, "to": args.time_to}, "sort": "-timestamp", "page": {"limit": 1000}}

    def fetch():
        ids = []
        while True:
            answer = session.post(args.url + "/api/v2/audit/events/search", json=body, timeout=60)
            answer.raise_for_status()
            page = answer.json()
            if not page.get("data"):
                return ids
            ids.extend(event["id"] for event in page["data"])
            cursor = (page.get("meta") or {}).get("page", {}).get("after")
            if not cursor:
                return ids
            body["page"]["cursor"] = cursor
    return fetch, []


def child(args):
    fetch, reads = (requests_fetch if args.variant == "requests" else lookup_fetch)(args)
    started, cpu_started = time.perf_counter(), time.process_time()
    ids = fetch()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    slices = [len(read.slices) for read in reads]
    busiest = round(max(PER_THREAD.values()) / float(sum(PER_THREAD.values())), 3) if PER_THREAD else 1.0
    print(json.dumps({"events": len(ids), "unique": len(set(ids)), "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
                      "ids_sha256": hashlib.sha256("\n".join(ids).encode()).hexdigest(), "slices": sum(slices) or None,
                      "threads": len(PER_THREAD) or 1, "busiest_thread_share": busiest}))


# -- the benchmark, run by run.py ---------------------------------------------------------------------------------------

def _run_variant(emulator, window, variant, parallel):
    emulator.reset(counts=True, log=True)
    command = [sys.executable, os.path.abspath(__file__), "--url", emulator.url, "--api-key", emulator.api_key,
               "--app-key", emulator.app_key, "--variant", variant, "--parallel", str(parallel)] + window
    output = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
    row = json.loads(output.strip().splitlines()[-1])
    row["requests"] = emulator.counts()["total"]
    row["in_flight_peak"] = emulator.in_flight()["peak"]
    return row


def bench_audit_parallel(emulator, events, rounds, latency=0.15, levels=(4, 8, 16), judge_times=True):
    """Both distributions, every variant ``rounds`` times in rotating order (medians); returns the figures.

    With ``judge_times`` false (a smoke run) no time goal is reported as met or missed; the IDs are compared always."""
    variants = [("lookup", 1), ("requests", 1)] + [("lookup", level) for level in levels]
    end = int(time.time() * 1000)
    window = ["--from", str(end - 30 * DAY_MS + 1), "--to", str(end)]
    figures = {"events": events, "latency_s": latency, "rounds": rounds, "distributions": {},
               "load_average_before": [round(load, 1) for load in os.getloadavg()]}
    print("  machine load average (1, 5, 15 min) before: %.1f %.1f %.1f on %d CPUs" % (
        tuple(os.getloadavg()) + (os.cpu_count(),)), flush=True)
    saved_latency = emulator.latency()
    placements = (("even", {}, ""), ("burst", {"burst": 0.8, "burst_span": "1h"}, " (80 % in one hour)"),
                  ("burst, 4 per ms", {"timestamps": shared_milliseconds(events, end)},
                   " (%d sharing each millisecond, 80 %% of them in one hour)" % PER_MS))
    try:
        for distribution, placement, described in placements:
            emulator.reset(audit=True)
            started = time.perf_counter()
            emulator.seed_audit(events, seed=1, span="30d", end=end, **placement)
            seeding = time.perf_counter() - started
            # One untimed read first, without latency: the emulator encodes each event's JSON on its first answer and
            # reuses it, so no variant pays that for the others.
            _run_variant(emulator, window, "requests", 1)
            emulator.latency(routes=dict(saved_latency["routes"], **{SEARCH_ROUTE: latency}))
            print("  %s: %d events over 30 days%s, seeded in %.1f s; every search answer waits %.0f ms" % (
                distribution, events, described, seeding, latency * 1000), flush=True)
            runs = {}
            for round_number in range(rounds):
                for offset in range(len(variants)):
                    variant, parallel = variants[(round_number + offset) % len(variants)]
                    runs.setdefault((variant, parallel), []).append(_run_variant(emulator, window, variant, parallel))
            emulator.latency(routes=saved_latency["routes"])
            figures["distributions"][distribution] = _summarise(distribution, events, variants, runs, judge_times)
    finally:
        emulator.latency(default=saved_latency["default"], routes=saved_latency["routes"])
    figures["goal_met"] = all(entry["goal_met"] for entry in figures["distributions"].values())
    figures["load_average_after"] = [round(load, 1) for load in os.getloadavg()]
    print("  machine load average after: %.1f %.1f %.1f (a busy machine starves the emulator and the client of CPU: "
          "the ratios are then lower)" % tuple(os.getloadavg()), flush=True)
    return figures


def shared_milliseconds(events, end, seed=1):
    """Times (epoch ms) for ``events`` events in groups of :data:`PER_MS` sharing a millisecond, each at its own instant
    inside it (.0, .25, ...), 80 % of the groups in one hour of the 30 days before ``end``, the rest over the 30 days."""
    rng = random.Random(seed)
    groups = -(-events // PER_MS)
    hour_start = end - 30 * DAY_MS + 1 + rng.randrange(30 * DAY_MS - 3_600_000)
    in_hour = set(rng.sample(range(hour_start, hour_start + 3_600_000), int(groups * 0.8)))
    spread = set()
    while len(spread) < groups - len(in_hour):
        millisecond = end - 1 - rng.randrange(30 * DAY_MS - 1)  # not the last millisecond: its later instants are after `to`
        if millisecond not in in_hour:
            spread.add(millisecond)
    milliseconds = sorted(in_hour | spread)
    return [millisecond + number / float(PER_MS) for millisecond in milliseconds for number in range(PER_MS)][:events]


def _summarise(distribution, events, variants, runs, judge_times=True):
    expected = runs[("lookup", 1)][0]["ids_sha256"]
    rows = []
    for variant, parallel in variants:
        measured = runs[(variant, parallel)]
        for row in measured:
            if row["ids_sha256"] != expected or row["events"] != events or row["unique"] != events:
                raise SystemExit("%s: %s parallel=%d returned %d events (%d unique) that differ from the sequential lookup's"
                                 % (distribution, variant, parallel, row["events"], row["unique"]))
        seconds = statistics.median(row["seconds"] for row in measured)
        last = measured[-1]
        rows.append({"variant": "bare requests loop" if variant == "requests" else "lookup parallel=%d" % parallel,
                     "parallel": parallel, "seconds": round(seconds, 3), "events_per_s": round(events / seconds),
                     "client_cpu_seconds": round(statistics.median(row["cpu_seconds"] for row in measured), 2),
                     "requests": last["requests"], "requests_every_round": sorted(set(row["requests"] for row in measured)),
                     "in_flight_peak": last["in_flight_peak"], "threads": last["threads"],
                     "busiest_thread_share": last["busiest_thread_share"], "slices": last["slices"]})
    bare = next(row for row in rows if row["variant"] == "bare requests loop")
    for row in rows:
        row["ratio_vs_bare_loop"] = round(row["events_per_s"] / float(bare["events_per_s"]), 2)
        print("    %-22s %7.2f s (client CPU %5.2f s) %8d events/s %5d requests  %5.2fx the bare loop  peak %2d in flight%s" % (
            row["variant"], row["seconds"], row["client_cpu_seconds"], row["events_per_s"], row["requests"], row["ratio_vs_bare_loop"],
            row["in_flight_peak"],
            "  %d slices, busiest thread sent %.0f %% of the requests" % (row["slices"], 100 * row["busiest_thread_share"])
            if row["slices"] else ""), flush=True)
    goal = next(row for row in rows if row["parallel"] == GOAL_PARALLEL and row["variant"].startswith("lookup")) \
        if any(row["parallel"] == GOAL_PARALLEL for row in rows) else None
    entry = {"rows": rows, "same_ids_in_same_order": True, "goal": GOALS[distribution]}
    entry["goal_met"] = bool(goal) and goal["ratio_vs_bare_loop"] >= GOALS[distribution]
    print("    identical event IDs in identical order in every variant and round: yes; parallel=%d >= %.0fx the bare loop: %s"
          % (GOAL_PARALLEL, GOALS[distribution],
             ("met" if entry["goal_met"] else "MISSED") if judge_times else "not judged in a smoke run"), flush=True)
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--app-key", required=True)
    parser.add_argument("--variant", choices=["lookup", "requests"], required=True)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--from", dest="time_from", required=True, help="epoch milliseconds")
    parser.add_argument("--to", dest="time_to", required=True, help="epoch milliseconds")
    child(parser.parse_args())


if __name__ == "__main__":
    main()
