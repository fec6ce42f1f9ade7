# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmarks 4 and 7: the action_connections role converging a whole set.

Benchmark 4 (``make bench BENCH_ARGS="--only set"``): for each size (50, 200 and 1,000 connections by default) the
role runs twice on a fresh emulator state, each run its own ``ansible-playbook`` process: run 1 creates every
connection, run 2 changes nothing. Figures: the requests (which must be the minimum: the plan's paged read of the list,
the applying task's read, one POST per connection; then the plan's read alone) and the in-play time per connection,
for the whole play and for the one task that writes the set, so that a cost growing with the size of the set shows as
a growing per-item figure.

Benchmark 7 (``--only set-parallel``): the same role and sizes with the emulator answering every request after 150 ms
(a real round trip to Datadog), at ``action_connections_parallel`` 1, 4, 8 and 16: the wall time of each
``ansible-playbook`` run (start-up included) for the create and for the rerun, and its requests, which must be the same
at every level. The goal: 200 connections at parallel 8 in at most 0.2x the wall time of parallel 1.

Medians over ``rounds``; nothing is asserted about time.
"""

from __future__ import annotations

import statistics

PAGE = 100  # connections per list request
TASK = "Converge action connections"


TASK_PLAN = "Plan action connections"


def role_tasks(parallel=None):
    """The role as a user applies it (connection options from DD_API_URL, DD_API_KEY, DD_APP_KEY)."""
    role_vars = {"action_connections_list": "{{ bench_connections }}"}
    if parallel is not None:
        role_vars["action_connections_parallel"] = parallel
    return [{"name": "role", "ansible.builtin.include_role": {"name": "ddops.datadog.action_connections"},
             "vars": role_vars}]


def minimum(size, run):
    """The plan's paged read of the list (an empty list still costs one request); with something to write, the
    applying task's read of the list (it writes only while the plan holds) and the writes."""
    if run == 1:
        return {"reads": 2, "writes": size}
    return {"reads": max(1, -(-size // PAGE)), "writes": 0}


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
                stored = sorted(item["name"] for item in emulator.dump_state()["connections"])
                task = [record for record in records if record["task"].endswith(TASK if run == 1 else TASK_PLAN)][-1]
                expected = "changed" if run == 1 else "ok"
                if task["status"] != expected or stored != sorted(item["name"] for item in connections):
                    raise SystemExit("set of %d, run %d: the converge task was %s (expected %s), %d connections stored"
                                     % (size, run, task["status"], expected, len(stored)))
                play = sum(record["seconds"] or 0 for record in records)
                measured.setdefault((size, run), []).append({
                    "seconds": seconds, "play_seconds": play,
                    "task_seconds": _task_seconds(records, TASK) + _task_seconds(records, TASK_PLAN),
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


# -- 7. parallel writes at a real answer time --------------------------------------------------------------------------

def bench_set_parallel(emulator, workdir, sizes, rounds, run_playbook, make_connections, levels=(1, 4, 8, 16),
                       latency=0.15, judge_times=True):
    """The role at every size and ``action_connections_parallel`` level, each answer ``latency`` seconds late: run 1
    creates the set, run 2 changes nothing; wall seconds of the ``ansible-playbook`` process and requests."""
    saved = emulator.latency()
    measured = {}
    try:
        for round_number in range(rounds):
            for size in sizes:
                connections = make_connections(size)
                for level in levels:
                    emulator.reset(state=True, counts=True, audit=True, log=True, faults=True)
                    emulator.register_app_key()
                    emulator.latency(default=latency)
                    for run in (1, 2):
                        emulator.reset(counts=True, log=True)
                        seconds, records = run_playbook(role_tasks(level), emulator, workdir,
                                                        "setp_%d_%d_%d" % (size, level, run),
                                                        play_vars={"bench_connections": connections})
                        counts = emulator.counts()
                        stored = len(emulator.dump_state()["connections"])
                        if stored != size:
                            raise SystemExit("set of %d at parallel %d, run %d: %d connections stored"
                                             % (size, level, run, stored))
                        reads = sum(number for route, number in counts["routes"].items() if route.startswith("GET "))
                        measured.setdefault((size, level, run), []).append({
                            "seconds": seconds, "reads": reads, "writes": counts["total"] - reads,
                            "peak_in_flight": emulator.in_flight()["peak"]})
                        print("  round %d: %5d connections, parallel %2d, run %d: %7.2f s wall, %d GET + %d writes, at most "
                              "%d requests at once" % (round_number + 1, size, level, run, seconds, reads,
                                                       counts["total"] - reads, emulator.in_flight()["peak"]), flush=True)
    finally:
        emulator.latency(default=saved["default"], routes=saved["routes"])
    result = {"sizes": list(sizes), "levels": list(levels), "latency_s": latency, "rounds": rounds, "runs": {}}
    for size in sizes:
        for run in (1, 2):
            baseline = None
            for level in levels:
                runs = measured[(size, level, run)]
                wanted = minimum(size, run)
                row = {"connections": size, "parallel": level, "run": run,
                       "seconds": round(statistics.median(one["seconds"] for one in runs), 2),
                       "peak_in_flight": max(one["peak_in_flight"] for one in runs),
                       "reads": runs[-1]["reads"], "writes": runs[-1]["writes"], "minimum": wanted,
                       "at_minimum": all(one["reads"] == wanted["reads"] and one["writes"] == wanted["writes"] for one in runs)}
                baseline = baseline or row["seconds"]
                row["ratio_to_parallel_1"] = round(row["seconds"] / baseline, 3)
                result["runs"]["%d/p%d/run%d" % (size, level, run)] = row
                print("  %5d connections, parallel %2d, run %d: %7.2f s wall (%.2fx parallel %d), %d requests (%d GET, "
                      "%d writes; minimum %s)" % (size, level, run, row["seconds"], row["ratio_to_parallel_1"], levels[0],
                                                  row["reads"] + row["writes"], row["reads"], row["writes"],
                                                  "met" if row["at_minimum"] else "NOT met"), flush=True)
    rows = result["runs"]
    result["requests_identical_across_levels"] = all(
        len(set((rows["%d/p%d/run%d" % (size, level, run)]["reads"], rows["%d/p%d/run%d" % (size, level, run)]["writes"])
                for level in levels)) == 1 for size in sizes for run in (1, 2))
    result["requests_goal_met"] = all(row["at_minimum"] for row in rows.values())
    goal_key = "200/p8/run1"
    if goal_key in rows and 1 in levels:
        ratio = rows[goal_key]["ratio_to_parallel_1"]
        result["goal_200_parallel_8_ratio"] = ratio
        result["goal_200_parallel_8_met"] = ratio <= 0.2 if judge_times else None
        print("  goal: 200 connections at parallel 8 in <= 0.2x the parallel 1 wall time: %.3fx, %s"
              % (ratio, ("met" if ratio <= 0.2 else "MISSED") if judge_times else "not judged in a smoke run"), flush=True)
    print("  requests identical at every parallel level: %s; at the minimum: %s" % (
        "yes" if result["requests_identical_across_levels"] else "NO", "met" if result["requests_goal_met"] else "MISSED"),
        flush=True)
    return result
