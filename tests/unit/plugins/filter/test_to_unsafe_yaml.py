# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""to_unsafe_yaml: what it writes is loaded back by Ansible as the same data, and template-looking text stays text."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template  # ansible-core 2.19 and later: only trusted strings are templates
except ImportError:  # ansible-core 2.17 and 2.18: every string is
    def trust_as_template(value):
        return value

from ansible_collections.ddops.datadog.plugins.filter.to_unsafe_yaml import FilterModule, to_unsafe_yaml

DATA = {"action_connections_list": [
    {"name": "Status page", "integration": {"type": "HTTP", "base_url": "https://status.example.com", "credentials": {
        "type": "HTTPTokenAuth",
        "headers": [{"name": "Authorization", "value": "Bearer {{ token1 }}"}, {"name": "Accept", "value": "application/json"}],
        "url_parameters": [{"name": "q", "value": "{% raw %}x{# not a comment #}"}],
        "tokens": [{"name": "token1", "type": "SECRET"}],
        "body": {"content": '{\n  "key": "{{ token1 }}"\n}', "content_type": "application/json"}}},
     "tags": ["team:sre"]},
    {"name": "n: with colon", "tags": [],
     "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "012345678901", "role": "r"}}},
    {"numbers": [1, 2.5, True, None]},
]}


def test_it_is_registered_as_a_filter():
    assert FilterModule().filters() == {"to_unsafe_yaml": to_unsafe_yaml}


def test_ansible_loads_back_the_same_data_and_never_templates_it(tmp_path):
    text = to_unsafe_yaml(DATA)
    assert text.startswith("---\n")
    assert "value: !unsafe 'Bearer {{ token1 }}'" in text
    assert "value: application/json" in text and "!unsafe" not in text.split("Accept")[1].split("\n")[1]
    assert "account_id: '012345678901'" in text  # a string stays a string
    path = tmp_path / "vars.yml"
    path.write_text(text)
    loader = DataLoader()
    loaded = loader.load_from_file(str(path))
    assert loaded == DATA
    templar = Templar(loader=loader, variables=loaded)
    assert templar.template(trust_as_template("{{ action_connections_list }}")) == DATA["action_connections_list"]


def test_ansible_unsafe_values_and_keys_are_written_as_plain_data():
    from ansible.utils.unsafe_proxy import wrap_var  # pylint: disable=import-outside-toplevel
    assert to_unsafe_yaml(wrap_var({"name": "a {{ b }}", "list": ["c"]})) == "---\nname: !unsafe 'a {{ b }}'\nlist:\n  - c\n"


def test_lists_are_indented_under_their_key_and_keys_keep_their_order():
    assert to_unsafe_yaml({"b": [{"z": 1, "a": 2}], "a": "x"}) == "---\nb:\n  - z: 1\n    a: 2\na: x\n"


def test_anything_that_is_not_plain_data_is_refused_with_its_path():
    with pytest.raises(AnsibleFilterError) as refused:
        to_unsafe_yaml({"a": [object()]})
    assert "to_unsafe_yaml: data.a[0] is a object" in str(refused.value)
