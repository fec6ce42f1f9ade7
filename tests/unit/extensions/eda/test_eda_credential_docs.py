# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EDA controller credential of docs/event-driven.md, followed to the event source: its injectors (the doc's YAML
block) rendered as the controller renders them for a credential with a site and one with an API URL, given to the
example rulebook's source arguments, and read by the source's own ``configure``: where it connects, with no warning."""

from __future__ import annotations

import os
import re
import runpy

import jinja2
import pytest
import yaml

from ansible_collections.ddops.datadog.tests.utils.awx_injection import inject

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DOC = os.path.join(ROOT, "docs", "event-driven.md")
INPUTS = os.path.join(ROOT, "docs", "awx", "credential_type_inputs.yml")
RULEBOOK = os.path.join(ROOT, "extensions", "eda", "rulebooks", "restore_deleted_action_connections.yml")
SOURCE = os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "audit_events.py")
KEYS = {"api_key": "api-key-of-the-credential", "app_key": "app-key-of-the-credential"}
PROXY = "https://datadog-proxy.example.com"


def doc_injectors():
    """The first YAML block of the doc's **Credentials.** paragraph."""
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    section = text[text.index("**Credentials.**"):]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def source():
    return runpy.run_path(SOURCE)


def source_arguments(source):
    """The example rulebook's arguments of the audit_events source that are connection options (templates)."""
    (rulebook_source,) = [entry for entry in load_yaml(RULEBOOK)[0]["sources"] if "ddops.datadog.audit_events" in entry]
    arguments = rulebook_source["ddops.datadog.audit_events"]
    return dict((name, value) for name, value in arguments.items() if name in source["CONNECTION_ARGUMENTS"])


def delivered(source, credential):
    """The source's connection arguments once the rulebook's templates have the credential's extra variables."""
    extra_vars = inject(load_yaml(INPUTS), doc_injectors(), credential)["extra_vars"]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return dict((name, environment.from_string(template).render(**extra_vars))
                for name, template in source_arguments(source).items())


def test_every_injected_variable_reaches_an_argument_the_source_accepts(source):
    injected = set(doc_injectors()["extra_vars"])
    arguments = source_arguments(source)
    read = set(name for template in arguments.values() for name in re.findall(r"\{\{\s*(\w+)", template))
    assert injected == read, "injected but not passed to the source: %s; passed but not injected: %s" % (
        sorted(injected - read), sorted(read - injected))
    assert {"api_key", "app_key", "site", "api_url"} <= set(arguments)


@pytest.mark.parametrize("site, expected", [("datadoghq.eu", "https://api.datadoghq.eu"), ("", "https://api.datadoghq.com")])
def test_a_credential_with_a_site_reaches_the_site(source, site, expected):
    arguments = delivered(source, dict(KEYS, site=site, api_url=""))
    assert arguments["api_url"] == ""
    options, _settings = source["configure"](dict(arguments, query="*"), environ={})
    assert (options.base_url.rstrip("/"), list(options.warnings)) == (expected, [])
    assert (options.api_key, options.app_key) == (KEYS["api_key"], KEYS["app_key"])


@pytest.mark.parametrize("site", ["", "datadoghq.eu"])  # left empty, the choice field holds its first choice
def test_a_credential_with_an_api_url_reaches_it_and_injects_no_site(source, site):
    arguments = delivered(source, dict(KEYS, site=site, api_url=PROXY))
    assert (arguments["site"], arguments["api_url"]) == ("", PROXY)
    options, _settings = source["configure"](dict(arguments, query="*"), environ={})
    assert (options.base_url.rstrip("/"), list(options.warnings)) == (PROXY, [])
