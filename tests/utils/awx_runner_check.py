# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a playbook the way AWX does, with the shipped "Datadog API" credential type.

The credential type in docs/awx/ is loaded, its input fields are checked, its *environment* injectors are
rendered with Jinja2 from credential values (here: the local emulator's keys) and the playbook runs through
``ansible-runner`` with the keys present only in that injected environment (none in the playbook, inventory or
extra vars). It must succeed, and no key may appear in the job output.

Usage: python awx_runner_check.py <collections path holding the installed ddops.datadog> <work dir>
"""

from __future__ import annotations

import os
import shutil
import sys

import ansible_runner
import jinja2
from jinja2.sandbox import SandboxedEnvironment
import yaml

from dd_emulator.server import Emulator

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "awx")

PLAYBOOK = """\
- name: AWX job template with only the Datadog credential injected
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Register the application key (keys and site from DD_API_KEY, DD_APP_KEY, DD_SITE)
      ddops.datadog.datadog_app_key_registration:
        app_key_id: "{{ app_key_id }}"
      register: registration

    - name: Read it back
      ddops.datadog.datadog_app_key_registration_info:
        app_key_id: "{{ app_key_id }}"
      register: info

    - name: The job saw the registration
      ansible.builtin.assert:
        that:
          - registration is changed
          - info.total == 1
"""


def load(name):
    with open(os.path.join(DOCS, name)) as handle:
        return yaml.safe_load(handle)


def check_inputs(inputs):
    fields = {field["id"]: field for field in inputs["fields"]}
    assert set(fields) == {"api_key", "app_key", "site"}, fields
    assert fields["api_key"]["secret"] and fields["app_key"]["secret"], "keys must be secret inputs"
    assert set(inputs["required"]) == {"api_key", "app_key"}
    assert "datadoghq.eu" in fields["site"]["choices"] and fields["site"]["default"] == "datadoghq.com"


def render(injectors, values):
    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    return {
        section: {name: environment.from_string(template).render(**values) for name, template in injectors[section].items()}
        for section in ("env", "extra_vars")
    }


def main(collections_path, work):
    inputs = load("credential_type_inputs.yml")
    injectors = load("credential_type_injectors.yml")
    check_inputs(inputs)

    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "project"))
    with open(os.path.join(work, "project", "job.yml"), "w") as handle:
        handle.write(PLAYBOOK)

    with Emulator() as emulator:
        injected = render(injectors, {"api_key": emulator.api_key, "app_key": emulator.app_key, "site": "datadoghq.com"})
        assert injected["env"] == {"DD_API_KEY": emulator.api_key, "DD_APP_KEY": emulator.app_key, "DD_SITE": "datadoghq.com"}
        assert set(injected["extra_vars"]) == {"datadog_api_key", "datadog_app_key", "datadog_site"}
        envvars = dict(injected["env"])
        # The job's own settings, not the credential: where the collection lives and, instead of the real
        # site, the emulator's URL (api_url overrides site, as a proxy setting would in AWX).
        envvars.update(ANSIBLE_COLLECTIONS_PATH=collections_path, DD_API_URL=emulator.url, ANSIBLE_NOCOLOR="1")
        result = ansible_runner.run(
            private_data_dir=work, playbook="job.yml", envvars=envvars,
            extravars={"app_key_id": emulator.app_key_id}, quiet=True,
        )
        output = result.stdout.read()
        counts = emulator.counts()
    leaks = [name for name, value in (("api key", emulator.api_key), ("app key", emulator.app_key)) if value in output]
    if result.status != "successful" or result.rc != 0:
        print(output[-3000:])
        print("ansible-runner job failed: status=%s rc=%s" % (result.status, result.rc))
        return 1
    if leaks:
        print("the job output contains the %s" % " and the ".join(leaks))
        return 1
    print("ansible-runner job with the injected Datadog credential: %s, %d API requests, 0 key occurrences in output"
          % (result.status, counts["total"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
