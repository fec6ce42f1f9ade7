# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""YAML that Ansible loads back literally: the ``ddops.datadog.to_unsafe_yaml`` filter.

Internal use only: not part of the collection's public interface.

Datadog keeps template-looking text of its own in action connections (HTTP header, URL parameter and body values
refer to tokens as ``{{ tokenName }}``). Written with ``to_nice_yaml``, such a string becomes a Jinja template the
moment the file is loaded as variables, and fails with ``'tokenName' is undefined``. Here every string that contains
a Jinja delimiter is written with Ansible's ``!unsafe`` tag, so it is loaded as plain text on every ansible-core.
"""

from __future__ import annotations

import re

from collections.abc import Mapping

import yaml

#: What makes Ansible take a string for a template (Jinja's default delimiters, which Ansible uses).
TEMPLATE_MARKERS = ("{{", "{%", "{#")
UNSAFE_TAG = "!unsafe"
#: Strings a YAML 1.2 reader (or a YAML 1.1 one, for some) could take for a number, such as an AWS account ID with a
#: leading zero: always quoted.
_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9_.:eExXoObB+-]*")


class _Dumper(yaml.SafeDumper):
    """Plain data only; lists indented under their key (as yamllint and ansible-lint expect)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    if any(marker in value for marker in TEMPLATE_MARKERS):
        return dumper.represent_scalar(UNSAFE_TAG, value, style=style or "'")
    if style or _NUMBER_LIKE.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style or "'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def _plain_str(value):
    """A ``str`` that is exactly ``str``: ``str()``, ``encode`` and ``decode`` keep Ansible's unsafe text unsafe, the
    methods of the base types do not."""
    return bytes.decode(str.encode(value, "utf-8", "surrogatepass"), "utf-8", "surrogatepass")


def plain(data, path="data"):
    """``data`` as plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` (Ansible's own string and
    container types, unsafe or tagged, become the plain ones). Raises ``TypeError`` naming the path of anything else."""
    if data is None or isinstance(data, bool):
        return data
    if isinstance(data, str):
        return _plain_str(data)
    if isinstance(data, (int, float)):
        return data
    if isinstance(data, Mapping):
        return dict((_plain_str(str(key)), plain(value, "%s.%s" % (path, key))) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return [plain(value, "%s[%d]" % (path, index)) for index, value in enumerate(data)]
    raise TypeError("%s is a %s, which YAML vars cannot hold" % (path, type(data).__name__))


def to_unsafe_yaml(data, indent=2, width=120):
    """``data`` as a YAML document (keys in their order); strings with a Jinja delimiter carry ``!unsafe``."""
    return yaml.dump(plain(data), Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     indent=indent, width=width, explicit_start=True)
