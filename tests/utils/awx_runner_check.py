# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a playbook the way AWX does, with the shipped "Datadog API" credential type.

The credential type in docs/awx/ is loaded, its input fields are checked, its *environment* injectors are
rendered with Jinja2 from credential values (here: the local emulator's keys) and the playbook runs through
``ansible-runner`` with the keys present only in that injected environment (none in the playbook, inventory or
extra vars). It must succeed, and no key may appear in the job output.

A second job runs the many-organizations pattern of docs/awx.md: the inventory docs/awx/orgs_inventory.yml (one host
per organization), one "Datadog org <host>" credential type per organization rendered from
org_credential_type_injectors.yml with that organization's keys (two emulators), forks 2, the action_connections
role. Each organization must get its own connections, with no key in the output.

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


ORGS_PLAYBOOK = """\
- name: AWX job template over the inventory of organizations, one Datadog credential per organization
  hosts: datadog_orgs
  gather_facts: false
  roles:
    - role: ddops.datadog.action_connections
      vars:
        action_connections_connection_options: "{{ datadog_org_options | combine({'api_url': org_api_url}) }}"
        action_connections_list:
          - name: "awx {{ inventory_hostname }}"
            integration: {type: AWS, credentials: {type: AWSAssumeRole, account_id: "123456789012", role: awx}}
            tags: ["managed:awx"]
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
        for section in ("env", "extra_vars") if section in injectors
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
    return many_orgs(collections_path, os.path.join(work, "orgs"))


def many_orgs(collections_path, work):
    """The pattern of docs/awx.md for several organizations, run through ansible-runner against two emulators."""
    with open(os.path.join(DOCS, "org_credential_type_injectors.yml")) as handle:
        template = handle.read()
    os.makedirs(os.path.join(work, "project"))
    os.makedirs(os.path.join(work, "inventory"))
    with open(os.path.join(work, "project", "orgs.yml"), "w") as handle:
        handle.write(ORGS_PLAYBOOK)
    shutil.copy(os.path.join(DOCS, "orgs_inventory.yml"), os.path.join(work, "inventory", "orgs.yml"))
    us_keys = dict(api_key="awx-us-api-key-4c1d9e", app_key="awx-us-app-key-8f2a6b", app_key_id="1b6f0e4a-9c3d-4f2a-8e7b-5d1c3a9f0e21")
    eu_keys = dict(api_key="awx-eu-api-key-2e7a1c", app_key="awx-eu-app-key-6d9b3f", app_key_id="7e2c9a1f-4b6d-4e8a-9c3f-2a5b7d1e0f43")
    with Emulator(register_app_key=True, **us_keys) as us, Emulator(register_app_key=True, **eu_keys) as eu:
        extravars = {}
        for host, emulator in (("datadog_us", us), ("datadog_eu", eu)):
            injectors = yaml.safe_load(template.replace("ORG", host))
            extravars.update(render(injectors, {"api_key": emulator.api_key, "app_key": emulator.app_key,
                                                "site": "datadoghq.com"})["extra_vars"])
        # The job's own settings, not the credentials: instead of the real sites, each organization's emulator.
        host_vars = os.path.join(work, "inventory", "host_vars")
        os.makedirs(host_vars)
        for host, emulator in (("datadog_us", us), ("datadog_eu", eu)):
            with open(os.path.join(host_vars, host + ".yml"), "w") as handle:
                yaml.safe_dump({"org_api_url": emulator.url}, handle)
        result = ansible_runner.run(
            private_data_dir=work, playbook="orgs.yml", inventory=os.path.join(work, "inventory"), forks=2, quiet=True,
            envvars={"ANSIBLE_COLLECTIONS_PATH": collections_path, "ANSIBLE_NOCOLOR": "1"}, extravars=extravars)
        output = result.stdout.read()
        stored = dict((host, sorted(connection["attributes"]["name"] for connection in emulator.dump_state()["connections"]))
                      for host, emulator in (("datadog_us", us), ("datadog_eu", eu)))
        counts = [us.counts()["total"], eu.counts()["total"]]
    keys = list(us_keys.values())[:2] + list(eu_keys.values())[:2]
    if result.status != "successful" or result.rc != 0:
        print(output[-3000:])
        print("ansible-runner job over the organizations failed: status=%s rc=%s" % (result.status, result.rc))
        return 1
    if any(key in output for key in keys):
        print("the job output contains a key")
        return 1
    if stored != {"datadog_us": ["awx datadog_us"], "datadog_eu": ["awx datadog_eu"]}:
        print("cross-talk between the organizations: %s" % stored)
        return 1
    print("ansible-runner job over 2 organizations, one credential type each: %s, %s API requests, each organization "
          "has exactly its own connection, 0 key occurrences in output" % (result.status, " + ".join(map(str, counts))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
