#!/usr/bin/env bash
# The two lanes of `make test`, side by side: lane 1 (`make test-main`) logged and shown as it runs, lane 2
# (`make test-latest`) logged only. Whatever happens, both lanes are waited for, both summaries are printed and the
# exit status is non-zero when either lane failed. Each lane runs in a process group of its own; Ctrl-C, SIGTERM or
# SIGHUP stops both groups as a whole, and a process a finished lane left behind is named and stopped, so `make test`
# never leaves anything running.
# Usage: test_lanes.sh <make> <lane 1 log> <lane 2 log>
set -uo pipefail
make=${1:?usage: test_lanes.sh <make> <lane 1 log> <lane 2 log>}
main_log=${2:?lane 1 log}
latest_log=${3:?lane 2 log}
main_name="lane 1 (Python 3.11, oldest supported ansible-core)"
latest_name="lane 2 (Python 3.12, newest ansible-core)"

: >"$main_log"
set -m  # each lane gets a process group of its own (its id is the job's $!)
"$make" --no-print-directory test-main >"$main_log" 2>&1 </dev/null &
main=$!
"$make" --no-print-directory test-latest >"$latest_log" 2>&1 </dev/null &
latest=$!
set +m
echo "make test: $latest_name runs in the background, log: $latest_log"
# Lane 1's log, shown as it grows, until lane 1 ends. (Not a pipe: a process a layer left behind holding the pipe
# would keep the lane from ending.)
tail -n +1 -f --pid="$main" "$main_log" &
shown=$!

# Signal a lane's process group, then wait until it is empty (SIGKILL for what still runs after 30 s).
stop_group() {
  local group=$1 tries=0
  kill -TERM -- "-$group" 2>/dev/null || return 0
  while kill -0 -- "-$group" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 300 ]; then kill -KILL -- "-$group" 2>/dev/null; break; fi
    sleep 0.1
  done
}

declare -A exit_status=()
running=("$main" "$latest")

interrupted() {
  trap - INT TERM HUP
  echo "make test: $1 received, stopping both lanes" >&2
  local group
  for group in "${running[@]}"; do stop_group "$group"; done
  kill "$shown" 2>/dev/null
  wait
  exit "$2"
}
trap 'interrupted SIGINT 130' INT
trap 'interrupted SIGTERM 143' TERM
trap 'interrupted SIGHUP 129' HUP

# As each lane ends, anything still in its process group was left behind by a test layer: name it and stop it. (It is
# looked at at once: a group left empty frees its id, which another process could then take.)
while [ "${#running[@]}" -gt 0 ]; do
  finished=
  wait -n -p finished "${running[@]}"
  code=$?
  [ -n "$finished" ] || continue
  exit_status[$finished]=$code
  left=$(ps -eo pgid=,pid=,args= | awk -v group="$finished" '$1 == group {$1 = ""; print}')
  if [ -n "$left" ]; then
    echo "make test: a finished lane left these processes running; stopping them:"
    echo "$left"
    stop_group "$finished"
  fi
  still=()
  for group in "${running[@]}"; do [ "$group" = "$finished" ] || still+=("$group"); done
  running=("${still[@]}")
done
wait "$shown"
main_status=${exit_status[$main]}
latest_status=${exit_status[$latest]}

summary() {
  local name=$1 status=$2 log=$3
  if [ "$status" -eq 0 ]; then echo "== $name: passed"; else echo "== $name: FAILED (exit status $status)"; fi
  grep -E "passed|failed|error|secret scan|ok=|FATAL|ERROR|lane [12]" "$log" | tail -n 25 | sed 's/^/   /'
  # The layers that failed, as make reported them.
  grep -E "^make(\[[0-9]+\])?: \*\*\* " "$log" | sed 's/^/   /'
}
echo
summary "$main_name" "$main_status" "$main_log"
summary "$latest_name" "$latest_status" "$latest_log"
if [ "$latest_status" -ne 0 ]; then
  echo "== the last lines of $latest_log"
  tail -n 80 "$latest_log"
fi
if [ "$main_status" -ne 0 ] || [ "$latest_status" -ne 0 ]; then
  echo "make test: FAILED ($main_name: exit status $main_status; $latest_name: exit status $latest_status)"
  exit 1
fi
echo "make test: all layers passed in both lanes"
