#!/usr/bin/env bash
# Many organizations at once: the action_connections role applied to an inventory with one host per Datadog
# organization (each with its own keys and API URL in its host variables, connection local), forks 2. Each
# organization (one emulator each) must end up with exactly its own set, with its own request counts.
set -eu -o pipefail

export ANSIBLE_ROLES_PATH=..
config="$(../setup_emulator/files/integration_config_path.sh)"

ansible-playbook -i "${INVENTORY_PATH}" setup.yml -e "@${config}" "$@"
for run in 1 2; do
    ansible-playbook -i inventory.yml --forks 2 orgs.yml -e "@${config}" "$@"
    ansible-playbook -i "${INVENTORY_PATH}" verify.yml -e "@${config}" -e "orgs_run=${run}" "$@"
done
