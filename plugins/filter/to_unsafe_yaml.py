# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: to_unsafe_yaml
short_description: Write data as YAML that Ansible loads back literally, also text that looks like a template
version_added: 0.1.0
description:
  - Serializes data to a YAML document like C(ansible.builtin.to_nice_yaml) (keys in their order, lists indented under
    their key), except that every string containing a Jinja delimiter (C({{), C({%), C({#)) is written with
    Ansible's C(!unsafe) tag. Loaded again as variables (C(vars_files), C(include_vars), C(-e @file)), such a string
    stays the literal text instead of becoming a template that fails with C('name' is undefined).
  - Made for Datadog HTTP action connections, whose header, URL parameter and body values refer to the connection's
    tokens as C({{ tokenName }}). The C(export) entry point of the P(ddops.datadog.action_connections#role) role writes its
    file with it.
author:
  - ddops.datadog contributors (@ddops)
options:
  _input:
    description: The data (dicts, lists, strings, numbers, booleans and null).
    type: raw
    required: true
  indent:
    description: Spaces per indentation level.
    type: int
    default: 2
  width:
    description: Preferred line width; longer plain strings are folded (the value does not change).
    type: int
    default: 120
seealso:
  - plugin: ansible.builtin.to_nice_yaml
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Write connections whose values contain Datadog token references
  ansible.builtin.copy:
    dest: /srv/datadog/connections.yml
    content: "{{ {'action_connections_list': found.connections | map(attribute='definition') | list} | ddops.datadog.to_unsafe_yaml }}"
    mode: "0644"

# {'headers': [{'name': 'Authorization', 'value': 'Bearer {{ token1 }}'}]} becomes:
# ---
# headers:
#   - name: Authorization
#     value: !unsafe 'Bearer {{ token1 }}'
"""

RETURN = r"""
_value:
  description: The YAML document, starting with C(---).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ddops.datadog.plugins.plugin_utils._unsafe_yaml import to_unsafe_yaml as _to_unsafe_yaml


def to_unsafe_yaml(data, indent=2, width=120):
    try:
        return _to_unsafe_yaml(data, indent=indent, width=width)
    except TypeError as exc:
        raise AnsibleFilterError("to_unsafe_yaml: %s" % exc) from None


class FilterModule(object):
    def filters(self):
        return {"to_unsafe_yaml": to_unsafe_yaml}
