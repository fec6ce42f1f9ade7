# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a playbook the way AWX does, with the shipped "Datadog API" credential type.

The credential type in docs/awx/ is loaded and checked as AWX checks it when it is saved (the input fields against
AWX's schema for them, every injector template rendered with every field defined and undefined names refused). A
credential is then injected as AWX injects it: an input left empty takes the field's first choice (a choice field) or
stays empty, only the inputs that are not empty are given to the templates, and every environment variable and
extra variable the injectors name is set, rendered with Jinja2's sandbox. Which variables each kind of credential
gets is checked (a site chosen, an API URL, both). The playbook then runs through ``ansible-runner`` with the keys
present only in the injected environment (none in the playbook, inventory or extra vars), through a credential that
holds an API URL (the local emulator) and the application key ID: DD_SITE must be empty in the job, the key ID must
come from DD_APP_KEY_ID, the job must succeed with no warning at all and no key in its output.

A second job runs the many-organizations pattern of docs/awx.md: the inventory docs/awx/orgs_inventory.yml (one host
per organization), one "Datadog org <host>" credential type per organization rendered from
org_credential_type_injectors.yml with that organization's keys and API URL (two emulators), forks 2, the
action_connections role. Each organization must get its own connections, with no warning and no key in the output.

Usage: python awx_runner_check.py <collections path holding the installed ddops.datadog> <work dir>
"""

from __future__ import annotations

import os
import shutil
import sys

import ansible_runner
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
import yaml

from dd_emulator.server import Emulator

from awx_injection import inject  # tests/utils, beside this script

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "awx")

PLAYBOOK = """\
- name: AWX job template with only the Datadog credential injected
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The credential injected an API URL, so no site
      ansible.builtin.assert:
        that:
          - lookup('ansible.builtin.env', 'DD_SITE') == ''
          - lookup('ansible.builtin.env', 'DD_API_URL') != ''

    - name: Register the application key (keys, API URL and the key's ID from the credential's environment)
      ddops.datadog.datadog_app_key_registration:
      register: registration

    - name: Read it back
      ddops.datadog.datadog_app_key_registration_info:
        app_key_id: "{{ lookup('ansible.builtin.env', 'DD_APP_KEY_ID') }}"
      register: info

    - name: Search the audit trail (the lookup reads the datadog_* extra variables, then the environment)
      ansible.builtin.set_fact:
        events: "{{ query('ddops.datadog.audit_events', '*', from='now-1h') }}"

    - name: The job saw the registration
      ansible.builtin.assert:
        that:
          - registration is changed
          - info.total == 1
          - events | length > 0
"""


ORGS_PLAYBOOK = """\
- name: AWX job template over the inventory of organizations, one Datadog credential per organization
  hosts: datadog_orgs
  gather_facts: false
  roles:
    - role: ddops.datadog.action_connections
      vars:
        action_connections_connection_options: "{{ datadog_org_options }}"
        action_connections_list:
          - name: "awx {{ inventory_hostname }}"
            integration: {type: AWS, credentials: {type: AWSAssumeRole, account_id: "123456789012", role: awx}}
            tags: ["managed:awx"]
"""

#: What AWX accepts in the input configuration of a custom credential type (awx/main/fields.py, CredentialTypeInputField).
AWX_FIELD_KEYS = {"id", "label", "type", "format", "choices", "help_text", "multiline", "secret", "ask_at_runtime", "default"}


def load(name):
    with open(os.path.join(DOCS, name)) as handle:
        return yaml.safe_load(handle)


def org_injectors(host):
    """The injectors of the credential type "Datadog org <host>": org_credential_type_injectors.yml with ORG replaced."""
    with open(os.path.join(DOCS, "org_credential_type_injectors.yml")) as handle:
        return yaml.safe_load(handle.read().replace("ORG", host))


def check_inputs(inputs):
    """The fields, as AWX's schema takes them, and what each one is."""
    fields = {field["id"]: field for field in inputs["fields"]}
    for field in inputs["fields"]:
        assert set(field) <= AWX_FIELD_KEYS and {"id", "label"} <= set(field), field
        assert field.get("type", "string") == "string", field
        assert "default" not in field or isinstance(field["default"], str), field
    assert set(fields) == {"api_key", "app_key", "app_key_id", "site", "api_url"}, fields
    assert fields["api_key"]["secret"] and fields["app_key"]["secret"], "keys must be secret inputs"
    assert not fields["app_key_id"].get("secret") and not fields["api_url"].get("secret")
    assert set(inputs["required"]) == {"api_key", "app_key"}
    assert "datadoghq.eu" in fields["site"]["choices"] and fields["site"]["default"] == "datadoghq.com"


def check_templates(inputs, injectors):
    """As AWX refuses injectors when the credential type is saved: every template renders with every field defined
    (``StrictUndefined``: a misspelt field name fails), and no environment variable starts with ``ANSIBLE_``."""
    defined = dict((field["id"], "EXAMPLE") for field in inputs["fields"])
    environment = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    for section in injectors.values():
        for template in section.values():
            environment.from_string(template).render(**defined)
    assert not [name for name in injectors.get("env", {}) if name.startswith("ANSIBLE_")]


def check_injection(inputs, injectors):
    """What a credential with a site, with an API URL, and with both injects (no request is made)."""
    keys = {"api_key": "k", "app_key": "a"}
    site = inject(inputs, injectors, dict(keys, site="datadoghq.eu", api_url=""))
    assert site["env"]["DD_SITE"] == "datadoghq.eu" and site["env"]["DD_API_URL"] == "", site
    assert site["extra_vars"]["datadog_site"] == "datadoghq.eu"
    default = inject(inputs, injectors, dict(keys, site=""))
    assert default["env"]["DD_SITE"] == "datadoghq.com" and default["env"]["DD_APP_KEY_ID"] == "", default
    for both in (dict(keys, site="", api_url="https://proxy.example.com"),
                 dict(keys, site="datadoghq.eu", api_url="https://proxy.example.com")):
        injected = inject(inputs, injectors, both)
        assert injected["env"]["DD_SITE"] == "" and injected["extra_vars"]["datadog_site"] == "", injected
        assert injected["env"]["DD_API_URL"] == "https://proxy.example.com"


def write_inventory(work, text):
    os.makedirs(os.path.join(work, "inventory"), exist_ok=True)
    with open(os.path.join(work, "inventory", "hosts.yml"), "w") as handle:
        handle.write(text)


def main(collections_path, work):
    inputs = load("credential_type_inputs.yml")
    injectors = load("credential_type_injectors.yml")
    check_inputs(inputs)
    check_templates(inputs, injectors)
    check_templates(inputs, org_injectors("datadog_org"))
    check_injection(inputs, injectors)

    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "project"))
    with open(os.path.join(work, "project", "job.yml"), "w") as handle:
        handle.write(PLAYBOOK)
    # AWX's inventory for a job on the controller: the local connection with the execution environment's Python.
    write_inventory(work, yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))

    with Emulator() as emulator:
        # A credential whose site is left empty (AWX stores its first choice) and that names the emulator as its API
        # URL, as a proxy would be.
        injected = inject(inputs, injectors, {"api_key": emulator.api_key, "app_key": emulator.app_key, "site": "",
                                              "api_url": emulator.url, "app_key_id": emulator.app_key_id})
        assert injected["env"] == {"DD_API_KEY": emulator.api_key, "DD_APP_KEY": emulator.app_key, "DD_SITE": "",
                                   "DD_API_URL": emulator.url, "DD_APP_KEY_ID": emulator.app_key_id}, injected["env"]
        assert injected["extra_vars"] == {"datadog_api_key": emulator.api_key, "datadog_app_key": emulator.app_key,
                                          "datadog_site": ""}
        # The job's own settings, not the credential: where the collection lives.
        envvars = dict(injected["env"], ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1")
        result = ansible_runner.run(private_data_dir=work, playbook="job.yml", envvars=envvars,
                                    extravars=injected["extra_vars"], quiet=True)
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
    if "WARNING" in output:
        print(output[-3000:])
        print("the job through a credential with an API URL warned (see above)")
        return 1
    print("ansible-runner job with the injected Datadog credential (API URL, no site): %s, %d API requests, no warning, "
          "0 key occurrences in output" % (result.status, counts["total"]))
    return many_orgs(collections_path, os.path.join(work, "orgs"), inputs)


def many_orgs(collections_path, work, inputs):
    """The pattern of docs/awx.md for several organizations, run through ansible-runner against two emulators."""
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
            # Each organization's credential names its emulator as the API URL (as a proxy would be).
            credential = {"api_key": emulator.api_key, "app_key": emulator.app_key, "site": "", "api_url": emulator.url,
                          "app_key_id": emulator.app_key_id}
            injected = inject(inputs, org_injectors(host), credential)
            assert injected["extra_vars"]["datadog_%s_site" % host] == "", injected
            extravars.update(injected["extra_vars"])
        result = ansible_runner.run(
            private_data_dir=work, playbook="orgs.yml", inventory=os.path.join(work, "inventory"), forks=2, quiet=True,
            envvars={"ANSIBLE_COLLECTIONS_PATH": collections_path, "ANSIBLE_NOCOLOR": "1"}, extravars=extravars)
        output = result.stdout.read()
        stored = dict((host, sorted(connection["name"] for connection in emulator.dump_state()["connections"]))
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
    if "WARNING" in output:
        print(output[-3000:])
        print("the job over the organizations warned (see above)")
        return 1
    if stored != {"datadog_us": ["awx datadog_us"], "datadog_eu": ["awx datadog_eu"]}:
        print("cross-talk between the organizations: %s" % stored)
        return 1
    print("ansible-runner job over 2 organizations, one credential type each: %s, %s API requests, each organization "
          "has exactly its own connection, no warning, 0 key occurrences in output"
          % (result.status, " + ".join(map(str, counts))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
