# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every YAML example of the documentation parses: a reader copies them as they are."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAGES = sorted(glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)
               + glob.glob(os.path.join(ROOT, "*.md")) + glob.glob(os.path.join(ROOT, "roles", "*", "README.md")))
BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M)


class DocsLoader(yaml.SafeLoader):
    """YAML as Ansible reads it: the tags Ansible adds (``!unsafe``, ``!vault``) load as their text."""


DocsLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))
DocsLoader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))


def blocks():
    for page in PAGES:
        with open(page) as handle:
            text = handle.read()
        for match in BLOCK.finditer(text):
            yield pytest.param(match.group(1), id="%s:%d" % (os.path.relpath(page, ROOT), text.count("\n", 0, match.start()) + 1))


def test_the_documentation_has_yaml_examples():
    assert len(list(blocks())) > 50


@pytest.mark.parametrize("block", list(blocks()))
def test_every_yaml_example_parses(block):
    yaml.load(block, Loader=DocsLoader)  # noqa: S506 - a SafeLoader subclass
