# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark 4 (``make bench BENCH_ARGS="--only set"``): the action_connections role converging a whole set.

For each size (50, 200 and 1,000 connections by default) the role runs twice on a fresh emulator state, each run its
own ``ansible-playbook`` process: run 1 creates every connection, run 2 changes nothing. Figures: the requests (which
must be the minimum: one paged read of the list plus one POST per connection, then the read alone) and the in-play
time per connection, for the whole play and for the one task that converges the set, so that a cost growing with the
size of the set shows as a growing per-item figure. Medians over ``rounds``; nothing is asserted about time.
"""

from __future__ import annotations

import statistics

PAGE = 100  # connections per list request
TASK = "Converge action connections"


def role_tasks():
    """The role as a user applies it (connection options from DD_API_URL, DD_API_KEY, DD_APP_KEY)."""
    return [{"name": "role", "ansible.builtin.include_role": {"name": "ddops.datadog.action_connections"},
             "vars": {"action_connections_list": "{{ bench_connections }}"}}]


def minimum(size, run):
    """One paged read of the list (an empty list still costs one request) plus the writes."""
    existing = 0 if run == 1 else size
    return {"reads": max(1, -(-existing // PAGE)), "writes": size if run == 1 else 0}


def _task_seconds(records, name):
    return sum(record["seconds"] or 0 for record in records if record["task"].endswith(name))


def bench_set(emulator, workdir, sizes, rounds, run_playbook, make_connections):
    """Run the role for every size and round; return the figures (printed as they come)."""
    measured = {}
    for round_number in range(rounds):
        for size in sizes:
            connections = make_connections(size)
            emulator.reset(state=True, counts=True, audit=True, log=True, faults=True)
            emulator.register_app_key()
            for run in (1, 2):
                emulator.reset(counts=True, log=True)
                seconds, records = run_playbook(role_tasks(), emulator, workdir, "set_%d_%d" % (size, run),
                                                play_vars={"bench_connections": connections})
                counts = emulator.counts()
                reads = sum(number for route, number in counts["routes"].items() if route.startswith("GET "))
                stored = sorted(item["attributes"]["name"] for item in emulator.dump_state()["connections"])
                task = [record for record in records if record["task"].endswith(TASK)][-1]
                expected = "changed" if run == 1 else "ok"
                if task["status"] != expected or stored != sorted(item["name"] for item in connections):
                    raise SystemExit("set of %d, run %d: the converge task was %s (expected %s), %d connections stored"
                                     % (size, run, task["status"], expected, len(stored)))
                play = sum(record["seconds"] or 0 for record in records)
                measured.setdefault((size, run), []).append({
                    "seconds": seconds, "play_seconds": play, "task_seconds": _task_seconds(records, TASK),
                    "reads": reads, "writes": counts["total"] - reads, "routes": counts["routes"]})
    result = {"sizes": list(sizes), "rounds": rounds, "runs": {}}
    for size in sizes:
        for run in (1, 2):
            runs = measured[(size, run)]
            last = runs[-1]
            wanted = minimum(size, run)
            row = {
                "connections": size, "run": run,
                "seconds": round(statistics.median(one["seconds"] for one in runs), 2),
                "play_seconds": round(statistics.median(one["play_seconds"] for one in runs), 3),
                "task_seconds": round(statistics.median(one["task_seconds"] for one in runs), 3),
                "reads": last["reads"], "writes": last["writes"], "routes": last["routes"], "minimum": wanted,
                "at_minimum": all(one["reads"] == wanted["reads"] and one["writes"] == wanted["writes"] for one in runs),
            }
            row["play_ms_per_connection"] = round(1000 * row["play_seconds"] / size, 2)
            row["task_ms_per_connection"] = round(1000 * row["task_seconds"] / size, 2)
            result["runs"]["%d/run%d" % (size, run)] = row
            print("  %5d connections run %d: %7.2f s wall, %7.2f s in the play, %7.2f s in the set task; "
                  "%5.2f ms per connection in the play, %5.2f ms in the task; %4d requests (%d GET, %d writes; minimum %s)"
                  % (size, run, row["seconds"], row["play_seconds"], row["task_seconds"], row["play_ms_per_connection"],
                     row["task_ms_per_connection"], row["reads"] + row["writes"], row["reads"], row["writes"],
                     "met" if row["at_minimum"] else "NOT met"), flush=True)
    smallest, largest = min(sizes), max(sizes)
    for run in (1, 2):
        small = result["runs"]["%d/run%d" % (smallest, run)]
        large = result["runs"]["%d/run%d" % (largest, run)]
        growth = round(large["play_ms_per_connection"] / small["play_ms_per_connection"], 2) if small["play_ms_per_connection"] else None
        result["run%d_per_connection_growth" % run] = growth
        print("  run %d: per-connection time in the play at %d connections = %.2fx the figure at %d" % (
            run, largest, growth or 0, smallest), flush=True)
    result["requests_goal_met"] = all(row["at_minimum"] for row in result["runs"].values())
    print("  requests at the minimum for every size and run: %s" % ("met" if result["requests_goal_met"] else "MISSED"),
          flush=True)
    return result
