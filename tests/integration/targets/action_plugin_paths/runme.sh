#!/usr/bin/env bash
# The action plugins run the module logic in the controller process for local tasks; the modules stay the path for
# remote hosts, async, become, and ddops_datadog_in_process=false. Both paths must behave the same.
#
# 1. The action connection target once more, forced through the module path (AnsiballZ, a module process per task),
#    as on a remote host. The other targets run in-process (testhost uses the local connection).
# 2. One sequence run both ways in one play: same results, same request counts, and each path really taken
#    (the User-Agent the emulator logged names it).
set -eu -o pipefail

export ANSIBLE_ROLES_PATH=..
config="$(../setup_emulator/files/integration_config_path.sh)"

# With pipelining, as many users run: one process per module task instead of a temporary file and four shell
# commands (the reliability suite runs the module path without it).
ANSIBLE_PIPELINING=true ansible-playbook -i "${INVENTORY_PATH}" module_path.yml -e "@${config}" -e ddops_datadog_in_process=false "$@"
ansible-playbook -i "${INVENTORY_PATH}" both_paths.yml -e "@${config}" "$@"
