#!/usr/bin/env bash
# access on datadog_action_connection and datadog_action_connection_set: the same cases, with the same exact request counts,
# through both execution paths - in the controller process (the action plugins, as for hosts: localhost) and in a
# module process per task (ddops_datadog_in_process=false, as on a remote host; with pipelining, as many users run).
# Each run checks from the emulator's log that every request of the collection came from the path it tested.
set -eu -o pipefail

export ANSIBLE_ROLES_PATH=..
config="$(../setup_emulator/files/integration_config_path.sh)"

ansible-playbook -i "${INVENTORY_PATH}" run.yml -e "@${config}" -e ddops_datadog_in_process=true "$@"
ANSIBLE_PIPELINING=true ansible-playbook -i "${INVENTORY_PATH}" run.yml -e "@${config}" -e ddops_datadog_in_process=false "$@"
