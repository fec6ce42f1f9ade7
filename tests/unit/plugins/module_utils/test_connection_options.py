# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one table of connection options: the doc fragment, the module specs and the precedence all follow it."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.ddops.datadog.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import (
    OPTIONS,
    ClientOptions,
    given_url_secrets,
    resolve,
    sources,
    url_secrets,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._module import connection_argument_spec, url_problem

KEYS = dict(api_key="options-api-key-1", app_key="options-app-key-2")


def test_the_doc_fragment_documents_exactly_the_table():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    plugins = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
    assert list(documented) == [option.name for option in OPTIONS]
    for option in OPTIONS:
        doc = documented[option.name]
        assert doc["type"] == option.type, option.name
        assert doc.get("default") == option.default, option.name
        assert tuple(doc["description"]) == option.description, option.name
        extra = plugins.get(option.name, {})
        # For plugin options the last environment variable listed wins; the table lists the winner first.
        assert tuple(entry["name"] for entry in reversed(extra.get("env", []))) == option.env, option.name
        assert tuple(entry["name"] for entry in extra.get("vars", [])) == option.vars, option.name


def test_the_module_spec_follows_the_table():
    spec = connection_argument_spec()
    for option in OPTIONS:
        assert spec[option.name]["type"] == option.type
        assert spec[option.name]["no_log"] is option.no_log
        assert spec[option.name].get("default") == option.default
        assert "fallback" not in spec[option.name]  # the environment is read by resolve(), after the task's own value


def test_task_option_beats_variable_beats_environment():
    found = sources({"timeout": 5}, {"datadog_timeout": 6, "datadog_site": "eu"}, {"DD_SITE": "us5", "DD_API_KEY": "k"})
    assert found["timeout"] == (5, "task option")
    assert found["site"] == ("eu", "variable datadog_site")
    assert found["api_key"] == ("k", "environment variable DD_API_KEY")


def test_dd_prefixed_environment_comes_before_datadog_prefixed():
    found = sources({}, {}, {"DATADOG_APP_KEY": "second", "DD_APP_KEY": "first"})
    assert found["app_key"] == ("first", "environment variable DD_APP_KEY")


def test_an_explicit_site_wins_over_an_exported_api_url_and_says_so():
    options = resolve(dict(KEYS, site="datadoghq.eu"), environ={"DD_API_URL": "http://127.0.0.1:9"})
    assert options.base_url == "https://api.datadoghq.eu"
    assert options.warnings == ["both site and api_url are set: site (task option) is used, api_url (environment "
                                "variable DD_API_URL) is ignored"]


def test_an_explicit_api_url_wins_over_an_exported_site_and_says_so():
    options = resolve(dict(KEYS, api_url="https://proxy.example.com/dd"), environ={"DD_SITE": "datadoghq.eu"})
    assert options.base_url == "https://proxy.example.com/dd"
    assert "api_url (task option) is used, site (environment variable DD_SITE) is ignored" in options.warnings[0]


def test_both_from_the_same_source_use_api_url():
    options = resolve(dict(KEYS), environ={"DD_API_URL": "http://127.0.0.1:9", "DD_SITE": "datadoghq.eu"})
    assert options.base_url == "http://127.0.0.1:9" and len(options.warnings) == 1


def test_the_ignored_one_is_not_validated():
    assert resolve(dict(KEYS, site="datadoghq.eu"), environ={"DD_API_URL": "not a url"}).site == "datadoghq.eu"


def test_one_alone_gives_no_warning():
    assert resolve(dict(KEYS), environ={"DD_SITE": "datadoghq.eu"}).warnings == []


@pytest.mark.parametrize("name, value", [("timeout", float("nan")), ("timeout", float("inf")), ("retry_max_wait", "inf"),
                                         ("retry_backoff", "nan")])
def test_non_finite_numbers_are_refused(name, value):
    with pytest.raises(InputError, match="%s must be a number" % name):
        resolve(dict(KEYS, **{name: value}))


def test_an_empty_key_given_is_refused_not_replaced_by_the_environment():
    with pytest.raises(InputError, match="api_key is required"):
        resolve(dict(KEYS, api_key=""), environ={"DD_API_KEY": "from-the-environment"})


def test_an_empty_environment_variable_counts_as_unset():
    assert resolve(dict(KEYS), environ={"DD_SITE": ""}).site == "datadoghq.com"


@pytest.mark.parametrize("url, wording", [
    ("https://api.datadoghq.com\\.evil.com", "api_url must not contain a backslash"),
    ("https://api.datadoghq.com%2f.evil.com", "api_url must name a host"),
    ("https://api.datadoghq.com\n.evil.com", "api_url must not contain spaces"),
])
def test_urls_whose_host_clients_read_differently_are_refused(url, wording):
    with pytest.raises(InputError, match=wording):
        resolve(dict(KEYS, api_url=url))


@pytest.mark.parametrize("url", ["https://datadog_proxy.corp.example:8443/dd", "http://[::1]:8080", "http://localhost:1"])
def test_proxy_hosts_ports_and_paths_are_accepted(url):
    assert resolve(dict(KEYS, api_url=url)).base_url == url


# -- api_url values that hold a secret ----------------------------------------------------------------------------

def _url_cases():
    root = os.path.dirname(os.path.abspath(__file__))
    while not os.path.exists(os.path.join(root, "galaxy.yml")):
        root = os.path.dirname(root)
    with open(os.path.join(root, "tests", "reliability", "url_secrets.yml")) as handle:
        return yaml.safe_load(handle)


URL_CASES = _url_cases()


@pytest.mark.parametrize("case", URL_CASES, ids=[case["id"] for case in URL_CASES])
def test_an_api_url_holding_a_secret_is_refused_naming_the_part_never_the_value(case):
    with pytest.raises(InputError) as error:
        ClientOptions.from_values(api_url=case["url"], **KEYS)
    message = str(error.value)
    assert case["expect"] in message and message.startswith("api_url ")
    assert not [secret for secret in case["secrets"] + [case["url"]] if secret in message]
    assert url_problem({"api_url": case["url"]}) == message  # refused before Ansible sees (and echoes) the argument
    # Given as site instead, a URL is refused without being echoed either.
    if "://" in case["url"] or "@" in case["url"]:
        assert not [secret for secret in case["secrets"] if secret in (url_problem({"site": case["url"]}) or "")]


def test_credentials_and_the_query_are_checked_before_the_rest_of_the_url():
    with pytest.raises(InputError, match="must not contain credentials"):
        ClientOptions.from_values(api_url="gopher://user:pw@bad!host:port?x#y", **KEYS)  # everything else wrong too
    with pytest.raises(InputError, match="must not contain a query string"):
        ClientOptions.from_values(api_url="gopher://host:port/?api_key=x", **KEYS)


@pytest.mark.parametrize("url, secrets", [
    ("https://u:p4ss@h/x?k=v&w=zz9#frag", ["u:p4ss", "p4ss", "k=v&w=zz9", "zz9", "frag"]),
    ("abc:def@h", ["abc:def", "abc", "def"]),
    ("https://api.datadoghq.eu/prefix", []),
])
def test_the_parts_of_a_url_that_may_be_credentials(url, secrets):
    assert set(secrets) <= set(url_secrets(url)) and (secrets or url_secrets(url) == [])


def test_the_given_url_secrets_are_found_where_the_options_are_read():
    found = given_url_secrets({"api_url": None}, environ={"DD_API_URL": "https://x:envsecret@h", "DD_SITE": "s?q=sitesecret"})
    assert "envsecret" in found and "sitesecret" in found
