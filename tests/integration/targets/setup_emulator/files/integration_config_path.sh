#!/usr/bin/env bash
# For the script targets: print the path of the integration_config.yml (datadog_api_url, datadog_api_key,
# datadog_app_key, emulator_url) that tests/utils/emulated.py writes and ansible-test copies next to the targets
# directory, or fail saying how to run the tests. Run from a target's directory: config="$(../setup_emulator/files/...)".
set -eu
config="$(cd ../.. && pwd)/integration_config.yml"
if [ ! -f "${config}" ]; then
    echo "FAILED: ${config} is missing; run through 'make integration' (tests/utils/emulated.py writes it)" >&2
    exit 1
fi
echo "${config}"
