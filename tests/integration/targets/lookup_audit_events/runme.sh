#!/usr/bin/env bash
# Integration tests of the ddops.datadog.audit_events lookup against the local Datadog API emulator.
#
# A script target, because lookups run in the controller process and read the controller's environment:
# ansible-test strips the environment, so the environment-variable tests run a nested ansible-playbook with
# DD_API_URL / DD_API_KEY / DD_APP_KEY set here. ansible-test copies tests/integration/integration_config.yml
# (datadog_api_url, datadog_api_key, datadog_app_key, emulator_url: written by tests/utils/emulated.py) next to the
# targets directory, and passes any -v in "$@".
set -eu -o pipefail

export ANSIBLE_ROLES_PATH=..
config="$(../setup_emulator/files/integration_config_path.sh)"
output_dir="${OUTPUT_DIR:-$(mktemp -d)}"
log="${output_dir}/lookup_audit_events.log"

# 1. Everything that uses the datadog_* variables; the output is kept to check the warnings below.
ansible-playbook -i "${INVENTORY_PATH}" search.yml -e "@${config}" "$@" 2>&1 | tee "${log}"

# 2. Datadog's meta.status=timeout and meta.warnings were shown as Ansible warnings (joined: Ansible wraps long lines).
joined="$(tr '\n' ' ' <"${log}" | tr -s ' ')"
for expected in \
    "[WARNING]: ddops.datadog.audit_events: Datadog's audit search for query '@evt.name:Notebook' timed out (meta.status: timeout) on page 1 of" \
    "Datadog warned about the audit search for query '@evt.name:Notebook' (results may be partial): unknown_index: One or several indexes are missing or invalid: indexes: foo"; do
    if ! grep -qF -- "${expected}" <<<"${joined}"; then
        echo "FAILED: the output does not show the warning: ${expected}" >&2
        exit 1
    fi
done
echo "ok: Datadog's timeout status and warnings were shown as Ansible warnings"
expected="[WARNING]: ddops.datadog.audit_events: limit=500 cut the read short: more events match the query '*' than the 500 returned. Set a larger limit, or limit=0 to read every matching event"
if ! grep -qF -- "${expected}" <<<"${joined}"; then
    echo "FAILED: the output does not say that the limit cut the read short: ${expected}" >&2
    exit 1
fi
echo "ok: a read that its limit cut short said so"

# 3. The parallel option: the same events as a sequential read; a range Datadog places in a timezone is read sequentially.
parallel_log="${output_dir}/lookup_audit_events_parallel.log"
ansible-playbook -i "${INVENTORY_PATH}" parallel.yml -e "@${config}" "$@" 2>&1 | tee "${parallel_log}"
expected="[WARNING]: ddops.datadog.audit_events: parallel=4 was not used and the search was read sequentially: Datadog reads from="
if ! tr '\n' ' ' <"${parallel_log}" | tr -s ' ' | grep -qF -- "${expected}"; then
    echo "FAILED: the output does not show the warning: ${expected}" >&2
    exit 1
fi
echo "ok: a parallel read Datadog must place in a timezone was read sequentially, with a warning"

# 4. Credentials from the environment only (no datadog_* variables), and variables beating the environment.
setting() {
    sed -n "s/^$1: *//p" "${config}" | tr -d "\"'"
}
emulator_url="$(setting emulator_url)"
DD_API_URL="$(setting datadog_api_url)" DD_API_KEY="$(setting datadog_api_key)" DD_APP_KEY="$(setting datadog_app_key)" \
    ansible-playbook -i "${INVENTORY_PATH}" environment.yml -e "emulator_url=${emulator_url}" -e "wrong_key=not-the-key" "$@"

# 4. The lookup's EXAMPLES, as ansible-doc shows them, run against the emulator (environment credentials; the vault_*
#    variables that one example uses hold the same keys). The example that sets the variable datadog_site is pointed at
#    the emulator by the variable datadog_api_url: a variable beats the environment, and api_url wins a tie with site.
DD_API_URL="$(setting datadog_api_url)" DD_API_KEY="$(setting datadog_api_key)" DD_APP_KEY="$(setting datadog_app_key)" \
    ansible-playbook -i "${INVENTORY_PATH}" examples.yml -e "examples_file=${output_dir}/audit_events_examples.yml" \
    -e "vault_datadog_api_key=$(setting datadog_api_key)" -e "vault_datadog_app_key=$(setting datadog_app_key)" \
    -e "datadog_api_url=$(setting datadog_api_url)"
echo "ok: the lookup's EXAMPLES ran against the emulator"
