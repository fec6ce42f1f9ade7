# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmarks 4, 7 and 8: the action_connections role converging a whole set.

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

Benchmark 8 (``--only set-access``): 200 connections (by default) each declaring access (``org`` viewer, a team by
handle resolver, a role by name editor), every answer 150 ms late, at ``action_connections_parallel`` 1, 4, 8 and 16 in
an order rotating from round to round: run 1 creates the set with its policies, run 2 changes nothing and costs the
paged list read, the three look-ups and one policy read per connection. The requests of each run are asserted route by
route, and the stored policies after each run. The goal: the rerun at parallel 8 in at most 0.2x the wall time of the
rerun at parallel 1. The machine's 1-minute load average is sampled before and after every run.

Medians over ``rounds``; nothing is asserted about time.
"""

from __future__ import annotations

import copy
import os
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


# -- 8. access on every connection: the policy reads of a rerun ---------------------------------------------------------

#: The access every connection of benchmark 8 declares: principals by name, as a user writes them (all default
#: principals of the emulator; ``sre`` also finds ``sre-oncall`` in Datadog's substring search, so the exact match
#: counts). The editor is a role the calling key's user holds, so no write needs ``allow_self_lockout``.
ACCESS = [
    {"relation": "viewer", "principals": ["org"]},
    {"relation": "resolver", "principals": ["team:sre"]},
    {"relation": "editor", "principals": ["role:Datadog Admin Role"]},
]
#: The look-up routes of the principals above, one request each per task that resolves them.
LOOKUP_ROUTES = ("GET /api/v2/current_user", "GET /api/v2/roles", "GET /api/v2/team")
LIST_ROUTE = "GET /api/v2/actions/connections"
CREATE_ROUTE = "POST /api/v2/actions/connections"
POLICY_ROUTE = "/api/v2/restriction_policy/{resource_id}"


def with_access(connections):
    """The connections of benchmarks 4 and 7, each declaring :data:`ACCESS`."""
    return [dict(connection, access=copy.deepcopy(ACCESS)) for connection in connections]


def access_routes(size, run):
    """The exact requests of run 1 (create) and run 2 (rerun) of ``size`` connections declaring access, by route.

    Run 1: the plan (check mode) reads the empty list and resolves the three principals (no policy to read for a
    connection to create); the applying task does the same again, then writes each connection and its policy. Run 2:
    the plan alone - the paged list read, the three look-ups, one policy read per connection; nothing to apply."""
    if run == 1:
        routes = {LIST_ROUTE: 2, CREATE_ROUTE: size, "POST " + POLICY_ROUTE: size}
        routes.update((route, 2) for route in LOOKUP_ROUTES)
    else:
        routes = {LIST_ROUTE: max(1, -(-size // PAGE)), "GET " + POLICY_ROUTE: size}
        routes.update((route, 1) for route in LOOKUP_ROUTES)
    return routes


def _load():
    """The 1-minute load average of the machine, or ``None`` where the platform has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def bench_set_access(emulator, workdir, size, rounds, run_playbook, make_connections, levels=(1, 8), latency=0.15,
                     judge_times=True):
    """The role with ``size`` connections each declaring access, every answer ``latency`` seconds late, at each
    ``action_connections_parallel`` level (rotating order from round to round): run 1 creates the set with its
    policies, run 2 changes nothing. Wall seconds of each ``ansible-playbook`` process; requests asserted exactly
    (:func:`access_routes`) and the stored policies checked after run 1."""
    saved = emulator.latency()
    connections = with_access(make_connections(size))
    measured = {}
    loads = []
    try:
        for round_number in range(rounds):
            start = round_number % len(levels)
            for level in list(levels[start:]) + list(levels[:start]):
                emulator.reset(state=True, counts=True, audit=True, log=True, faults=True)
                emulator.register_app_key()
                emulator.latency(default=latency)
                for run in (1, 2):
                    emulator.reset(counts=True, log=True)
                    load_before = _load()
                    seconds, records = run_playbook(role_tasks(level), emulator, workdir,
                                                    "seta_%d_%d_%d" % (size, level, run),
                                                    play_vars={"bench_connections": connections})
                    loads.extend(load for load in (load_before, _load()) if load is not None)
                    routes = emulator.counts()["routes"]
                    peak = emulator.in_flight()["peak"]
                    _check_access_run(emulator, size, level, run, routes, records)
                    measured.setdefault((level, run), []).append({
                        "seconds": seconds, "routes": routes, "peak_in_flight": peak,
                        "task_seconds": _task_seconds(records, TASK) + _task_seconds(records, TASK_PLAN)})
                    print("  round %d: %d connections with access, parallel %2d, run %d: %7.2f s wall, %d requests, "
                          "at most %d at once, load %s" % (round_number + 1, size, level, run, seconds,
                                                           sum(routes.values()), peak, loads[-1] if loads else "?"),
                          flush=True)
    finally:
        emulator.latency(default=saved["default"], routes=saved["routes"])
    result = {"connections": size, "levels": list(levels), "latency_s": latency, "rounds": rounds, "access": ACCESS,
              "runs": {}, "load_average_1min": {"min": min(loads), "median": statistics.median(loads), "max": max(loads)}
              if loads else None}
    for run in (1, 2):
        baseline = None
        for level in levels:
            runs = measured[(level, run)]
            routes = runs[-1]["routes"]
            row = {"connections": size, "parallel": level, "run": run,
                   "seconds": round(statistics.median(one["seconds"] for one in runs), 2),
                   "rounds_seconds": [round(one["seconds"], 2) for one in runs],
                   "task_seconds": round(statistics.median(one["task_seconds"] for one in runs), 2),
                   "peak_in_flight": max(one["peak_in_flight"] for one in runs),
                   "requests": sum(routes.values()), "routes": routes, "expected": access_routes(size, run)}
            baseline = baseline or row["seconds"]
            row["ratio_to_parallel_1"] = round(row["seconds"] / baseline, 3)
            result["runs"]["p%d/run%d" % (level, run)] = row
            print("  %d connections with access, parallel %2d, run %d: %7.2f s wall (%.3fx parallel %d), %.2f s in the "
                  "set's tasks, %d requests: %s"
                  % (size, level, run, row["seconds"], row["ratio_to_parallel_1"], levels[0], row["task_seconds"],
                     row["requests"],
                     ", ".join("%s %d" % (route, number) for route, number in sorted(routes.items()))), flush=True)
    goal_key = "p8/run2"
    if goal_key in result["runs"] and levels[0] == 1:
        ratio = result["runs"][goal_key]["ratio_to_parallel_1"]
        result["goal_rerun_parallel_8_ratio"] = ratio
        result["goal_rerun_parallel_8_met"] = ratio <= 0.2 if judge_times else None
        print("  goal: the rerun at parallel 8 in <= 0.2x the parallel 1 rerun's wall time: %.3fx, %s"
              % (ratio, ("met" if ratio <= 0.2 else "MISSED") if judge_times else "not judged in a smoke run"), flush=True)
    if loads:
        print("  load average (1 min) over the runs: %.2f to %.2f, median %.2f" % (
            min(loads), max(loads), statistics.median(loads)), flush=True)
    return result


def _check_access_run(emulator, size, level, run, routes, records):
    """Stop the benchmark unless the run did exactly what it should: its requests route by route, every connection
    stored with the declared access (after run 1), and run 2 reporting no change."""
    where = "set of %d with access at parallel %d, run %d" % (size, level, run)
    expected = access_routes(size, run)
    if routes != expected:
        raise SystemExit("%s: requests %s, expected exactly %s" % (where, routes, expected))
    state = emulator.dump_state(debug=True)
    if len(state["connections"]) != size:
        raise SystemExit("%s: %d connections stored" % (where, len(state["connections"])))
    wanted = _resolved_access(emulator.principals())
    stored = dict(("connection:%s" % connection["id"], None) for connection in state["connections"])
    for resource, bindings in state["restriction_policies"].items():
        stored[resource] = sorted((binding["relation"], sorted(binding["principals"])) for binding in bindings)
    wrong = sorted(resource for resource, bindings in stored.items() if bindings != wanted)
    if wrong:
        raise SystemExit("%s: %d of %d connections lack the declared access (or other policies exist), e.g. %s: %s"
                         % (where, len(wrong), size, wrong[0], stored[wrong[0]]))
    task = [record for record in records if record["task"].endswith(TASK if run == 1 else TASK_PLAN)][-1]
    if task["status"] != ("changed" if run == 1 else "ok"):
        raise SystemExit("%s: the converge task was %s" % (where, task["status"]))


def _resolved_access(principals):
    """:data:`ACCESS` with the principals as the emulator's IDs, as sorted ``(relation, [principal])`` pairs."""
    ids = {"org": "org:%s" % principals["org"]["id"]}
    ids.update(("role:%s" % role["name"], "role:%s" % role["id"]) for role in principals["roles"])
    ids.update(("team:%s" % team["handle"], "team:%s" % team["id"]) for team in principals["teams"])
    return sorted((binding["relation"], sorted(ids[name] for name in binding["principals"])) for binding in ACCESS)
