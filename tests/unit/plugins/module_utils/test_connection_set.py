# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The whole set in one task: one read of the list, the plan before any write, the rules, the purge, the secrets."""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    ConnectionListing,
    desired_from_params,
    ensure_connection,
)
from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH
from ansible_collections.ddops.datadog.plugins.module_utils._connection_set import (
    SetFailed,
    SetRefused,
    apply_secrets,
    converge_set,
    desired_set,
    explain_items,
    summary_line,
    validate_saved_plan,
)
from ansible_collections.ddops.datadog.plugins.module_utils._locks import name_lock
from ansible_collections.ddops.datadog.plugins.module_utils._parallel import run_in_parallel
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import policy_path
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import page, resource
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.principal_directory import ORG_ID, Directory, make_id

OKTA_SECRET = "set-okta-secret-1"
TOKEN_SECRET = "set-http-token-2"
OKTA = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "a.okta.com", "api_token": OKTA_SECRET}}
OKTA_NO_SECRET = {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "a.okta.com"}}
AWS = {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r1"}}
HTTP = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
    "type": "HTTPTokenAuth", "tokens": [{"name": "apiToken", "type": "SECRET"}],
    "headers": [{"name": "Authorization", "value": "Bearer {{ apiToken }}"}]}}


def ids(count):
    return ["00000000-0000-4000-8000-%012d" % number for number in range(count)]


def run(client, items, check_mode=False, parallel=1, **purge):
    desired_list, scope = desired_set(items, **purge)
    return converge_set(client, desired_list, scope=scope, purge_max=purge.get("purge_max", 10), check_mode=check_mode,
                        parallel=parallel)


def routes(client):
    return ["%s %s" % (method, path) for method, path, _params, _body in client.calls]


# -- plan, request counts -----------------------------------------------------------------------------------------------

def test_one_read_then_only_the_writes_and_the_plan_names_each_change():
    first, second, third, fourth = ids(4)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(
        resource("same", AWS, first, tags=["team:sre"]), resource("retagged", AWS, second, tags=["team:old"]),
        resource("gone", AWS, third), resource("other", AWS, fourth, tags=["team:other"])))
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("new", OKTA, "00000000-0000-4000-8000-000000000099")}))
    client.answer("PATCH", CONNECTIONS_PATH + "/" + second, (200, {"data": resource("retagged", AWS, second, tags=["team:sre"])}))
    client.answer("DELETE", CONNECTIONS_PATH + "/" + third, (204, None))
    items = [{"name": "same", "integration": AWS, "tags": ["team:sre"]},
             {"name": "retagged", "integration": AWS, "tags": ["team:sre"]},
             {"name": "new", "integration": OKTA},
             {"name": "gone", "state": "absent"},
             {"name": "never there", "state": "absent"}]
    result = run(client, items)
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "PATCH %s/%s" % (CONNECTIONS_PATH, second), "POST " + CONNECTIONS_PATH,
                              "DELETE %s/%s" % (CONNECTIONS_PATH, third)]
    assert result["plan"] == {"create": ["new"], "update": ["retagged"], "delete": ["gone"], "unchanged": 2}
    assert result["summary"] == "1 to create, 1 to update, 1 to delete, 2 unchanged"
    assert result["changed"] is True
    assert result["ids"] == {"same": first, "retagged": second, "new": "00000000-0000-4000-8000-000000000099"}
    assert [entry["action"] for entry in result["connections"]] == ["unchanged", "update", "create", "delete", "unchanged"]
    assert OKTA_SECRET not in json.dumps(result)


def test_check_mode_is_the_read_only_with_the_same_plan_and_ids_of_existing_connections():
    first, second = ids(2)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("same", AWS, first),
                                                               resource("extra", AWS, second, tags=["team:sre"])))
    result = run(client, [{"name": "same", "integration": AWS}, {"name": "new", "integration": OKTA}], check_mode=True,
                 purge=True, purge_tags=["team:sre"])
    assert client.methods() == ["GET"]
    assert result["plan"] == {"create": ["new"], "update": [], "delete": ["extra"], "unchanged": 1}
    assert result["ids"] == {"same": first, "new": None}
    assert [view["id"] for view in result["purged"]] == [second]
    assert result["changed"] is True
    assert [diff["after_header"] for diff in result["diff"]] == [
        "action connection 'new' (create, check mode)", "action connection 'extra' (purge (delete), check mode)"]


def test_an_unchanged_set_is_one_read_per_hundred_connections():
    names = ["c%04d" % number for number in range(250)]
    resources = [resource(name, AWS, connection_id) for name, connection_id in zip(names, ids(250))]
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(*resources[:100], total=250), page(*resources[100:200], total=250),
                                 page(*resources[200:], total=250))
    result = run(client, [{"name": name, "integration": AWS} for name in names])
    assert client.methods() == ["GET", "GET", "GET"]
    assert result["changed"] is False and result["plan"]["unchanged"] == 250
    assert result["summary"] == "0 to create, 0 to update, 0 to delete, 250 unchanged"


def test_connections_given_by_id_are_served_from_the_one_read():
    first, second = ids(2)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("a", AWS, first), resource("b", AWS, second)))
    client.answer("PATCH", CONNECTIONS_PATH + "/" + first, (200, {"data": resource("renamed", AWS, first)}))
    client.answer("DELETE", CONNECTIONS_PATH + "/" + second, (204, None))
    result = run(client, [{"connection_id": first, "name": "renamed"}, {"connection_id": second, "state": "absent"}])
    assert client.methods() == ["GET", "PATCH", "DELETE"]
    assert result["plan"] == {"create": [], "update": ["renamed"], "delete": ["b"], "unchanged": 0}
    assert result["ids"] == {"renamed": first}


def test_an_id_the_list_does_not_have_is_read_once_and_refused_when_missing():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("GET", CONNECTIONS_PATH + "/" + ids(1)[0], (404, {"errors": [{"detail": "connection not found"}]}))
    with pytest.raises(SetRefused) as refused:
        run(client, [{"connection_id": ids(1)[0], "name": "x"}])
    assert "connections[0] 'x': action connection 'x' (%s) does not exist" % ids(1)[0] in str(refused.value)
    assert client.methods() == ["GET", "GET"]


# -- rules checked before any write -------------------------------------------------------------------------------------

def test_a_create_without_its_secrets_is_refused_after_the_read_naming_connection_and_fields():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("exists", OKTA_NO_SECRET, ids(1)[0])))
    items = [{"name": "exists", "integration": OKTA_NO_SECRET}, {"name": "new okta", "integration": OKTA_NO_SECRET},
             {"name": "new http", "integration": HTTP}]
    for check_mode in (False, True):
        with pytest.raises(SetRefused) as refused:
            run(client, items, check_mode=check_mode)
        message = str(refused.value)
        assert "connections[1] 'new okta': Cannot create action connection 'new okta': no value given for its secret " \
               "field(s) integration.credentials.api_token" in message
        assert "connections[2] 'new http': Cannot create action connection 'new http': no value given for its secret " \
               "field(s) integration.credentials.tokens[apiToken].value" in message
        assert "'exists'" not in message
        assert refused.value.details["plan"] == {"create": [], "update": [], "delete": [], "unchanged": 1}
    assert client.methods() == ["GET", "GET"]


def test_a_definition_without_secrets_converges_an_existing_connection_with_no_write():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("okta", OKTA, ids(1)[0]), resource("http", HTTP, ids(2)[1])))
    result = run(client, [{"name": "okta", "integration": OKTA_NO_SECRET}, {"name": "http", "integration": HTTP}])
    assert result["changed"] is False and client.methods() == ["GET"]


def test_secrets_are_still_demanded_by_update_secrets_always_and_by_a_type_change():
    with pytest.raises(InputError) as always:
        desired_set([{"name": "okta", "integration": OKTA_NO_SECRET, "update_secrets": "always"}])
    assert "connections[0] 'okta': integration.credentials is missing the required field(s) of OktaAPIToken: api_token" \
        in str(always.value)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("was aws", AWS, ids(1)[0])))
    with pytest.raises(SetRefused) as changed_type:
        run(client, [{"name": "was aws", "integration": OKTA_NO_SECRET}])
    assert "a change of integration type from AWS to Okta needs the complete integration" in str(changed_type.value)
    assert client.methods() == ["GET"]


def test_adding_a_token_needs_its_value():
    without = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {"type": "HTTPTokenAuth", "tokens": []}}
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("http", without, ids(1)[0])))
    with pytest.raises(SetRefused) as refused:
        run(client, [{"name": "http", "integration": HTTP}])
    assert "integration.credentials.tokens[apiToken].value is required to add the token 'apiToken'" in str(refused.value)


def test_names_several_connections_share_are_refused_before_any_write():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("twin", AWS, ids(2)[0]), resource("twin", AWS, ids(2)[1])))
    with pytest.raises(SetRefused) as refused:
        run(client, [{"name": "twin", "integration": AWS}, {"name": "new", "integration": OKTA}])
    assert "2 action connections are named 'twin'" in str(refused.value)
    assert client.methods() == ["GET"]


@pytest.mark.parametrize("items, purge, message", [
    ([{"name": "a", "integration": AWS}, {"name": "a", "integration": AWS}], {},
     "name 'a' is declared 2 times (connections[0], [1])"),
    ([{"connection_id": ids(1)[0]}, {"connection_id": ids(1)[0].upper(), "name": "b"}], {},
     "connection_id '%s' is declared 2 times" % ids(1)[0]),
    ([], {"purge": True}, "purge needs a scope: give purge_tags"),
    ([], {"purge": True, "purge_tags": ["nokey"]}, "purge_tags[0] 'nokey' must look like key:value"),
    ([], {"purge_max": -1}, "purge_max must be a whole number of at least 0"),
    ([{"name": "x", "integration": {"type": "Okta", "credentials": {"api_token": OKTA_SECRET}}}], {},
     "connections[0] 'x': integration.credentials is missing the required field(s) of OktaAPIToken: domain"),
    (["x"], {}, "connections[0] must be a dict"),
])
def test_bad_input_is_refused_before_any_request(items, purge, message):
    with pytest.raises(InputError) as refused:
        desired_set(items, **purge)
    assert message in str(refused.value)
    assert OKTA_SECRET not in str(refused.value)


# -- purge ------------------------------------------------------------------------------------------------------------

def _org():
    """Declared, in scope and not declared, out of scope, in scope with only one of the two tags."""
    keep, extra, outside, half = ids(4)
    return [keep, extra, outside, half], FakeClient().answer("GET", CONNECTIONS_PATH, page(
        resource("keep", AWS, keep, tags=["team:sre", "env:prod"]),
        resource("extra", AWS, extra, tags=["team:sre", "env:prod", "x:y"]),
        resource("outside", AWS, outside, tags=["team:web", "env:prod"]),
        resource("half", AWS, half, tags=["team:sre"])))


def test_purge_deletes_only_undeclared_connections_that_have_every_scope_tag():
    (keep, extra, _outside, _half), client = _org()
    client.answer("DELETE", CONNECTIONS_PATH + "/" + extra, (204, None))
    result = run(client, [{"name": "keep", "integration": AWS, "tags": ["team:sre", "env:prod"]}], purge=True,
                 purge_tags=["team:sre", "env:prod"])
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "DELETE %s/%s" % (CONNECTIONS_PATH, extra)]
    assert result["plan"] == {"create": [], "update": [], "delete": ["extra"], "unchanged": 1}
    assert [view["name"] for view in result["purged"]] == ["extra"] and result["ids"] == {"keep": keep}


def test_purge_all_puts_every_connection_in_scope():
    (keep, extra, outside, half), client = _org()
    for connection_id in (extra, outside, half):
        client.answer("DELETE", CONNECTIONS_PATH + "/" + connection_id, (204, None))
    result = run(client, [{"connection_id": keep}], purge=True, purge_all=True)
    assert sorted(result["plan"]["delete"]) == ["extra", "half", "outside"] and client.methods().count("DELETE") == 3


def test_a_purge_over_purge_max_is_refused_listing_what_it_would_delete():
    (_keep, _extra, _outside, _half), client = _org()
    with pytest.raises(SetRefused) as refused:
        run(client, [], purge=True, purge_all=True, purge_max=3, purge_empty=True)
    assert "the purge would delete 4 connections, more than purge_max (3): keep, extra, outside, half" in str(refused.value)
    assert refused.value.details["purge"] == ["keep", "extra", "outside", "half"]
    assert client.methods() == ["GET"]


def test_nothing_is_purged_when_a_change_failed_and_the_other_changes_are_made():
    (_keep, extra, _outside, _half), client = _org()
    client.answer("POST", CONNECTIONS_PATH, DatadogAPIError(["Bad Request"], status=400, method="POST", path=CONNECTIONS_PATH),
                  (201, {"data": resource("second", OKTA, "00000000-0000-4000-8000-000000000077")}))
    client.answer("DELETE", CONNECTIONS_PATH + "/" + extra, (204, None))
    with pytest.raises(SetFailed) as failed:
        run(client, [{"name": "first", "integration": OKTA}, {"name": "second", "integration": OKTA}], purge=True,
            purge_tags=["x:y"])
    assert "1 of the planned changes failed: connections[0] 'first': Failed to create action connection 'first'" in str(failed.value)
    assert "DELETE" not in client.methods() and client.methods().count("POST") == 2
    result = failed.value.result
    assert [entry.get("failed", False) for entry in result["connections"]] == [True, False]
    assert result["purged"] == [] and "Nothing was purged because 1 change(s) failed" in result["warnings"][0]


# -- secrets from a mapping ---------------------------------------------------------------------------------------------

def test_secrets_from_a_mapping_fill_what_the_definitions_leave_out():
    items = [{"name": "okta", "integration": OKTA_NO_SECRET}, {"name": "http", "integration": HTTP},
             {"name": "aws", "integration": AWS}, {"name": "given", "integration": OKTA}]
    mapping = {"okta": {"api_token": "from-vault-1"}, "http": {"tokens": {"apiToken": "from-vault-2"}},
               "given": {"api_token": "from-vault-3"}, "not declared": {"api_key": "ignored"}}
    merged = apply_secrets(items, mapping)
    assert merged[0]["integration"]["credentials"]["api_token"] == "from-vault-1"
    assert merged[1]["integration"]["credentials"]["tokens"] == [{"name": "apiToken", "type": "SECRET", "value": "from-vault-2"}]
    assert merged[3]["integration"]["credentials"]["api_token"] == OKTA_SECRET  # the definition's own value wins
    assert "api_token" not in items[0]["integration"]["credentials"]  # the input is not changed
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("okta", OKTA, ids(1)[0])}))
    run(client, merged[:2])
    assert [body["data"]["attributes"]["integration"]["credentials"].get("api_token") or
            body["data"]["attributes"]["integration"]["credentials"]["tokens"][0]["value"]
            for _method, _path, _params, body in client.calls[1:]] == ["from-vault-1", "from-vault-2"]


def test_tokens_a_definition_does_not_list_are_added_from_the_mapping():
    bare = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {"type": "HTTPTokenAuth"}}
    merged = apply_secrets([{"name": "http", "integration": bare}], {"http": {"tokens": {"t1": "v1"}}})
    assert merged[0]["integration"]["credentials"]["tokens"] == [{"name": "t1", "type": "SECRET", "value": "v1"}]


@pytest.mark.parametrize("mapping, message", [
    ("not a dict", "secrets must be a dict that maps a connection name to its secret values"),
    ({"okta": "x"}, "secrets['okta'] must be a dict of secret fields"),
    ({"okta": {"domain": "x"}}, "secrets['okta'].domain is not a secret field of OktaAPIToken credentials; allowed: api_token"),
    ({"http": {"tokens": {"nope": "x"}}}, "secrets['http'].tokens.nope: the connection has no token of that name; its tokens: apiToken"),
    ({"http": {"tokens": ["x"]}}, "secrets['http'].tokens must be a dict of token name to value"),
    ({"aws": {"secret": "x"}}, "secrets['aws'].secret is not a secret field of AWSAssumeRole credentials; allowed: none"),
])
def test_a_mapping_that_does_not_fit_is_refused_naming_keys_never_values(mapping, message):
    items = [{"name": "okta", "integration": OKTA_NO_SECRET}, {"name": "http", "integration": HTTP},
             {"name": "aws", "integration": AWS}]
    with pytest.raises(InputError) as refused:
        apply_secrets(items, mapping)
    assert message in str(refused.value)
    assert "'x'" not in str(refused.value)


def test_a_mapping_fills_only_what_it_can_and_leaves_everything_else_as_given():
    okta_without_credentials = {"type": "Okta"}  # the credentials object is made; its type is the only one Okta has
    absent = {"name": "gone", "state": "absent", "integration": OKTA_NO_SECRET}
    given_token = {"type": "HTTP", "base_url": "https://api.example.com", "credentials": {
        "type": "HTTPTokenAuth", "tokens": [{"name": "apiToken", "type": "SECRET", "value": "given"}]}}
    items = ["not a dict", {"no": "name"}, {"name": "bare", "integration": okta_without_credentials}, absent,
             {"name": "token", "integration": given_token}]
    cloudflare = {"type": "Cloudflare", "credentials": {"type": "CloudflareGlobalAPIToken", "auth_email": "a@example.com"}}
    items.append({"name": "cf", "integration": cloudflare})  # two credential types: the one given decides
    mapping = {"bare": {"api_token": "filled"}, "gone": {"api_token": "never"}, "token": {"tokens": {"apiToken": "mapped"}},
               "cf": {"global_api_key": "global"}}
    merged = apply_secrets(items, mapping)
    assert merged.pop()["integration"]["credentials"]["global_api_key"] == "global"
    items.pop()
    assert merged[:2] == ["not a dict", {"no": "name"}] and merged[3] is absent  # nothing to fill in these
    assert merged[2]["integration"]["credentials"] == {"api_token": "filled"}
    assert merged[4]["integration"]["credentials"]["tokens"][0]["value"] == "given"  # the definition's value wins
    assert apply_secrets(items, None) == items


def test_every_problem_of_a_mapping_is_named_at_once():
    items = [{"name": "a", "integration": OKTA_NO_SECRET}, {"name": "b"}, {"name": "c", "integration": OKTA_NO_SECRET},
             {"name": "d", "integration": {"type": "Cloudflare", "credentials": {}}}]
    with pytest.raises(InputError) as refused:
        apply_secrets(items, {"a": "x", "b": {"api_token": "y"}, "c": "z", "d": {"api_token": "w"}})
    assert str(refused.value) == (
        "secrets['a'] must be a dict of secret fields (and tokens: a dict of token name to value); "
        "secrets['b']: connection 'b' has no integration to put secrets in; "
        "secrets['c'] must be a dict of secret fields (and tokens: a dict of token name to value); "
        "secrets['d']: the integration and credential type of connection 'd' must be known to put secrets in")


def test_every_problem_of_the_items_is_named_at_once_and_purge_max_may_be_zero():
    with pytest.raises(InputError) as refused:
        desired_set([{"name": "a"}, "b", {"connection_id": "nope"}, {"connection_id": ids(1)[0]}, {"connection_id": ids(1)[0]}])
    message = str(refused.value)
    assert message.startswith("connections[0] 'a': integration is required to create action connection 'a'")
    assert "connections[1] must be a dict" in message and "connections[2]: connection_id must be" in message
    assert "connection_id '%s' is declared 2 times (connections[3], [4])" % ids(1)[0] in message
    assert desired_set([], purge_max=0) == ([], None)
    with pytest.raises(InputError, match="purge_max must be a whole number of at least 0; got True"):
        desired_set([], purge_max=True)
    with pytest.raises(InputError, match="^connections must be a list of connections$"):
        desired_set({"name": "a"})
    listed, scope = desired_set([{"name": "a", "integration": AWS}], purge=True, purge_tags=["team:sre"])
    assert (listed[0]["state"], listed[0]["update_secrets"], scope) == ("present", "on_create", ["team:sre"])


@pytest.mark.parametrize("connections, expected", [
    ("not a list", None),
    (["x", {"name": "a", "typo": 1}], "connections[1] 'a' has unsupported option(s) typo; supported: name, connection_id, "
                                      "integration, tags, update_secrets, generate_new_external_id, state, access"),
    ([{"name": "a", "id": "1", "definition": {}}], "connections[0] 'a' has unsupported option(s) definition, id; supported: "
     "name, connection_id, integration, tags, update_secrets, generate_new_external_id, state, access (a connection returned by "
     "datadog_action_connection_info is not input: use its definition, for example connections | map(attribute='definition'))"),
    ([{"connection_id": "x", "integration": {"type": "Okta", "credentials": {"api_token": "s"}}}], None),  # partial: fine
    ([{"name": "a", "integration": {"type": "Okta", "credentials": {"domain": "b.okta.com"}}}], None),
    ([{"name": "a", "update_secrets": "always", "integration": {"type": "Okta", "credentials": {"domain": "b.okta.com"}}}],
     "connections[0] 'a': integration.credentials is missing the required field(s) of OktaAPIToken: api_token"),
    ([{"name": "a", "integration": {"type": "Okta", "credentials": {"api_token": "s"}}}],
     "connections[0] 'a': integration.credentials is missing the required field(s) of OktaAPIToken: domain"),
])
def test_unknown_options_inside_items_are_explained_in_the_words_of_the_set(connections, expected):
    assert explain_items({"connections": connections}) == expected


# -- the shared listing -------------------------------------------------------------------------------------------------

def test_the_listing_is_indexed_and_follows_writes():
    first, second = ids(2)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("a", AWS, first), resource("b", AWS, second)))
    listing = ConnectionListing(serve_ids=True)
    assert listing.by_id(first) is None  # nothing read yet
    listing.load(client)
    assert listing.by_id(first)["id"] == first and [item["id"] for item in listing.by_name(client, "b")] == [second]
    listing.remember(resource("b", OKTA, first))  # renamed
    assert listing.by_name(client, "a") == [] and len(listing.by_name(client, "b")) == 2
    listing.forget(second)
    assert [item["id"] for item in listing.by_name(client, "b")] == [first] and listing.reads == 1
    assert [item["id"] for item in listing.items] == [first]
    assert ConnectionListing().by_id(first) is None  # the single module does not serve IDs


def test_summary_line():
    assert summary_line({"create": ["a", "b"], "update": ["c"], "delete": ["d", "e", "f"], "unchanged": 44}) == \
        "2 to create, 1 to update, 3 to delete, 44 unchanged"


def test_the_single_module_logic_is_unchanged_by_the_listing_index():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("a", AWS, ids(1)[0])))
    client.answer("GET", CONNECTIONS_PATH + "/" + ids(1)[0], (200, {"data": resource("a", AWS, ids(1)[0])}))
    listing = ConnectionListing()
    ensure_connection(client, desired_from_params({"name": "a", "integration": AWS}), listing=listing)
    ensure_connection(client, desired_from_params({"connection_id": ids(1)[0]}), listing=listing)
    assert client.methods() == ["GET", "GET"]  # by ID is still its own GET


# -- decide, then act: parallel writes, planned and done, an approved plan -------------------------------------------------

class Server(object):
    """Answers creates, updates and deletes from what they carry, after a pause drawn from ``delays`` (so parallel
    writes end in another order than they started), and counts how many are in flight at once."""

    def __init__(self, existing=(), delays=(0.0,), fail=()):
        self.existing = list(existing)
        self.delays = list(delays) or [0.0]
        self.fail = set(fail)  # names whose create is refused with 400
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.answered = 0

    def _pause(self):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            delay = self.delays[self.answered % len(self.delays)]
            self.answered += 1
        time.sleep(delay)
        with self.lock:
            self.in_flight -= 1

    def create(self, method, path, params, body):
        self._pause()
        attributes = body["data"]["attributes"]
        if attributes["name"] in self.fail:
            return DatadogAPIError(["Bad Request"], status=400, method=method, path=path)
        number = int(attributes["name"].split()[-1])
        return 201, {"data": resource(attributes["name"], attributes["integration"], ids(1000)[number], tags=attributes.get("tags"))}

    def update(self, method, path, params, body):
        self._pause()
        connection_id = path.rsplit("/", 1)[1]
        before = next(item for item in self.existing if item["id"] == connection_id)
        after = copy.deepcopy(before)
        after["attributes"].update(body["data"]["attributes"])
        return 200, {"data": after}

    def delete(self, method, path, params, body):
        self._pause()
        return 204, None

    def client(self):
        client = FakeClient().answer("GET", CONNECTIONS_PATH, page(*self.existing, total=len(self.existing)))
        client.answer("POST", CONNECTIONS_PATH, self.create)
        for item in self.existing:
            client.answer("PATCH", CONNECTIONS_PATH + "/" + item["id"], self.update)
            client.answer("DELETE", CONNECTIONS_PATH + "/" + item["id"], self.delete)
        return client


def mixed_set(count):
    """``count`` declared connections and an org where a third exist unchanged, a third differ, and some extras are in
    the purge scope: creates, updates, unchanged, declared deletes and purges at once."""
    existing, items = [], []
    for number in range(count):
        name = "conn %d" % number
        if number % 3 == 1:
            existing.append(resource(name, AWS, ids(1000)[number], tags=["team:sre"]))
        elif number % 3 == 2:
            existing.append(resource(name, AWS, ids(1000)[number], tags=["team:old"]))
        state = "absent" if number % 5 == 4 else "present"
        items.append({"name": name, "integration": AWS, "tags": ["team:sre"], "state": state})
    for number in range(count // 4):
        existing.append(resource("extra %d" % number, AWS, ids(1000)[900 + number], tags=["team:sre"]))
    return existing, items


def sorted_requests(client):
    return sorted(json.dumps(call, sort_keys=True) for call in client.calls)


@settings(max_examples=40, deadline=None)
@given(count=st.integers(min_value=0, max_value=14), parallel=st.integers(min_value=2, max_value=9),
       delays=st.lists(st.sampled_from([0.0, 0.001, 0.003]), min_size=1, max_size=5))
def test_parallel_writes_send_the_requests_and_give_the_result_of_one_at_a_time(count, parallel, delays):
    existing, items = mixed_set(count)
    results, requests = [], []
    for workers in (1, parallel):
        server = Server(existing, delays)
        client = server.client()
        desired_list, scope = desired_set(items, purge=True, purge_tags=["team:sre"], purge_empty=True)
        result = converge_set(client, desired_list, scope=scope, purge_max=100, parallel=workers)
        results.append(result)
        requests.append(sorted_requests(client))
        assert server.most_in_flight <= workers
        writes = sum(1 for call in client.calls if call[0] != "GET")
        writes_of_items = writes - len(result["purged"])
        expected_pools = [n for n in (min(workers, writes_of_items), min(workers, len(result["purged"]))) if n > 1] \
            if workers > 1 else []
        assert client.workers == expected_pools
    assert requests[0] == requests[1]
    assert results[0] == results[1]  # the same plan, results in declared order, whatever the order writes ended in
    assert [entry["name"] for entry in results[1]["connections"]] == [item["name"] for item in items]


@settings(max_examples=60, deadline=None)
@given(jobs=st.integers(min_value=0, max_value=25), parallel=st.integers(min_value=1, max_value=12))
def test_every_job_runs_once_on_at_most_parallel_workers_each_with_its_own_client(jobs, parallel):
    class Client(object):
        def __init__(self):
            self.shared = []
            self.closed = False

        def worker_clients(self, count):
            self.made = [Client() for dummy in range(count)]
            return self.made

        def share_rate_limit(self, shared):
            self.shared.append(shared)

        def close(self):
            self.closed = True

    main = Client()
    seen, lock = [], threading.Lock()

    def work(client, job):
        with lock:
            seen.append((job, id(client), threading.get_ident()))
        time.sleep(0.0005)

    run_in_parallel(main, list(range(jobs)), work, parallel)
    assert sorted(job for job, _client, _thread in seen) == list(range(jobs))
    if parallel == 1 or jobs <= 1:
        assert set(client for _job, client, _thread in seen) <= {id(main)}
        return
    count = min(parallel, jobs)
    assert len(main.made) == count
    assert set(client for _job, client, _thread in seen) <= set(id(worker) for worker in main.made)
    threads = {}
    for _job, client, thread in seen:
        assert threads.setdefault(thread, client) == client  # a thread keeps its own client
    shared = [worker.shared for worker in main.made]
    assert all(len(calls) == 2 and calls[1] is None for calls in shared)
    assert len(set(id(calls[0]) for calls in shared)) == 1  # one rate limit for all, left at the end
    assert all(worker.closed for worker in main.made)


def test_a_failed_write_does_not_stop_the_others_and_every_item_is_reported():
    existing, items = mixed_set(9)
    server = Server(existing, fail={"conn 3"})
    client = server.client()
    desired_list, scope = desired_set(items, purge=True, purge_tags=["team:sre"])
    with pytest.raises(SetFailed) as failed:
        converge_set(client, desired_list, scope=scope, purge_max=100, parallel=4)
    result = failed.value.result
    assert [entry["name"] for entry in result["connections"]] == [item["name"] for item in items]
    broken = [entry for entry in result["connections"] if entry.get("failed")]
    assert [entry["name"] for entry in broken] == ["conn 3"]
    assert broken[0]["msg"].startswith("Failed to create action connection 'conn 3': HTTP 400")
    assert result["done"]["failed"] == ["conn 3"] and result["done"]["create"] == ["conn 0", "conn 6"]
    assert "DELETE" not in [method for method, path, _params, _body in client.calls if "extra" in json.dumps(path)]
    assert result["purged"] == [] and "Nothing was purged because 1 change(s) failed" in result["warnings"][-1]
    assert "1 of the planned changes failed: connections[3] 'conn 3'" in str(failed.value)


def test_refusals_still_come_before_any_write_with_parallel_writes():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("twin", AWS, ids(2)[0]), resource("twin", AWS, ids(2)[1])))
    items = [{"name": "new %d" % number, "integration": OKTA} for number in range(6)] + [{"name": "twin", "integration": AWS}]
    desired_list, scope = desired_set(items, parallel=8)
    with pytest.raises(SetRefused):
        converge_set(client, desired_list, scope=scope, parallel=8)
    assert client.methods() == ["GET"] and client.workers == []


def test_a_name_created_by_another_writer_after_the_plan_is_reported_as_what_happened():
    """Another task creates 'raced' (under the name lock) between the plan's read and this task's create: the create
    is decided again against a fresh read and the connection is updated instead; the result says so."""
    options = FakeClient.options
    created = resource("raced", AWS, ids(1)[0], tags=["team:old"])

    def first_read(method, path, params, body):
        with name_lock("%s\0%s" % (options.base_url, options.fingerprint()), "raced") as lock:
            lock.mark()  # the other writer's create, after this task's read
        return page()

    client = FakeClient().answer("GET", CONNECTIONS_PATH, first_read, page(created))
    client.answer("PATCH", CONNECTIONS_PATH + "/" + ids(1)[0], (200, {"data": resource("raced", AWS, ids(1)[0], tags=["team:sre"])}))
    result = run(client, [{"name": "raced", "integration": AWS, "tags": ["team:sre"]}])
    assert routes(client) == ["GET " + CONNECTIONS_PATH, "GET " + CONNECTIONS_PATH, "PATCH %s/%s" % (CONNECTIONS_PATH, ids(1)[0])]
    assert result["plan"]["create"] == ["raced"]
    entry = result["connections"][0]
    assert (entry["planned"], entry["action"], entry["changed"], entry["id"]) == ("create", "update", True, ids(1)[0])
    assert result["done"]["create"] == [] and result["done"]["update"] == ["raced"]
    assert result["diff"][0]["after_header"] == "action connection 'raced' (update)"


def test_a_plan_made_in_check_mode_is_applied_with_exactly_its_writes():
    existing, items = mixed_set(6)
    server = Server(existing)
    client = server.client()
    desired_list, scope = desired_set(items)
    planned = converge_set(client, desired_list, scope=scope, check_mode=True)
    approved = validate_saved_plan(json.loads(json.dumps(planned["saved_plan"])))  # as a fact or a file gives it back
    assert approved["summary"] == planned["summary"] and OKTA_SECRET not in json.dumps(approved)
    client.calls[:] = []
    result = converge_set(client, desired_list, scope=scope, approved=approved, parallel=3)
    assert result["plan"] == planned["plan"] and result["done"]["create"] == planned["plan"]["create"]
    writes = [(method, path) for method, path, _params, _body in client.calls if method != "GET"]
    assert len(writes) == len(planned["plan"]["create"]) + len(planned["plan"]["update"]) + len(planned["plan"]["delete"])


@pytest.mark.parametrize("change, expected", [
    (lambda existing: existing[0]["attributes"].update(tags=["someone:else"]),
     "connections[1] 'conn 1': the approved plan says unchanged, now it is update"),
    (lambda existing: existing[1]["attributes"].update(last_updated="later"),
     "connections[2] 'conn 2': still update, but the connection or its declaration changed since the plan was made"),
    (lambda existing: existing.append(resource("conn 0", AWS, ids(1000)[500], tags=["team:sre"])),
     "connections[0] 'conn 0': the approved plan says create, now it is unchanged"),
    (lambda existing: existing.append(resource("extra 9", AWS, ids(1000)[909], tags=["team:sre"])),
     "the purge now also deletes 'extra 9'"),
])
def test_an_approved_plan_that_no_longer_holds_is_refused_with_the_difference_and_no_write(change, expected):
    existing, items = mixed_set(4)
    desired_list, scope = desired_set(items, purge=True, purge_tags=["team:sre"], purge_empty=True)
    planned = converge_set(Server(existing).client(), desired_list, scope=scope, purge_max=100, check_mode=True)
    existing = copy.deepcopy(existing)
    change(existing)
    client = Server(existing).client()
    with pytest.raises(SetRefused) as refused:
        converge_set(client, desired_list, scope=scope, purge_max=100, approved=planned["saved_plan"], parallel=4)
    assert expected in str(refused.value) and "Make and approve a new plan" in str(refused.value)
    assert any(expected in line for line in refused.value.details["difference"])
    assert client.methods() == ["GET"]


def test_a_changed_declaration_no_longer_matches_the_approved_plan():
    existing, items = mixed_set(3)
    planned = converge_set(Server(existing).client(), desired_set(items)[0], check_mode=True)
    items[1] = dict(items[1], tags=["team:sre", "extra:tag"])
    client = Server(existing).client()
    with pytest.raises(SetRefused) as refused:
        converge_set(client, desired_set(items)[0], approved=planned["saved_plan"])
    assert "connections[1] 'conn 1': the approved plan says unchanged, now it is update" in str(refused.value)
    assert client.methods() == ["GET"]


@pytest.mark.parametrize("value, message", [
    ("a string", "apply_plan must be the saved_plan of an earlier run (check mode) of this module"),
    ({"format": 2}, "its format is 2, this collection applies format 1"),
    ({"format": 1, "fingerprint": "x", "connections": {}}, "its connections is missing or not a list"),
    ({"format": 1, "fingerprint": "x", "connections": [{}], "purge": []}, "an entry of its connections has no fingerprint"),
])
def test_a_saved_plan_that_is_not_one_is_refused_before_any_request(value, message):
    with pytest.raises(InputError, match=re.escape(message)):
        validate_saved_plan(value)


def test_a_purge_of_an_empty_list_is_refused_before_any_request_unless_allowed():
    with pytest.raises(InputError) as refused:
        desired_set([], purge=True, purge_tags=["team:sre"])
    assert "purge with an empty connections list would delete every connection in the purge scope" in str(refused.value)
    assert "purge_empty=true" in str(refused.value)
    assert desired_set([], purge=True, purge_tags=["team:sre"], purge_empty=True) == ([], ["team:sre"])
    assert desired_set([{"name": "keep", "integration": AWS}], purge=True, purge_tags=["team:sre"])[1] == ["team:sre"]


@pytest.mark.parametrize("parallel", [0, 33, "8", True, None])
def test_parallel_out_of_range_is_refused(parallel):
    with pytest.raises(InputError, match="parallel must be a whole number from 1 to 32"):
        desired_set([], parallel=parallel)


def test_refused_creates_list_the_secrets_entries_to_add():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    with pytest.raises(SetRefused) as refused:
        run(client, [{"name": "new okta", "integration": OKTA_NO_SECRET}, {"name": "new http", "integration": HTTP}])
    assert refused.value.details["missing_secrets"] == {"new okta": {"api_token": "<secret>"},
                                                        "new http": {"tokens": {"apiToken": "<secret>"}}}
    assert "give the missing secret values in the items or in secrets" in str(refused.value)


def test_external_ids_map_each_aws_connection_to_its_external_id():
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("aws", AWS, ids(2)[0]), resource("okta", OKTA, ids(2)[1])))
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("new aws", AWS, ids(3)[2])}))
    result = run(client, [{"name": "aws", "integration": AWS}, {"name": "okta", "integration": OKTA},
                          {"name": "new aws", "integration": AWS}])
    assert result["external_ids"] == {"aws": "0123456789abcdef0123456789abcdef", "new aws": "0123456789abcdef0123456789abcdef"}
    planned = run(FakeClient().answer("GET", CONNECTIONS_PATH, page()), [{"name": "new aws", "integration": AWS}], check_mode=True)
    assert planned["external_ids"] == {"new aws": None}


# -- access: the plan's reads ----------------------------------------------------------------------------------------------

ACCESS_NAMES = ("org", "team:sre", "role:Datadog Admin Role", "user:ada@example.com")
ACCESS_ID = "team:" + ids(1)[0]


class AccessServer(object):
    """The list, the principals' look-ups (a :class:`Directory`) and the policies of the existing connections, answered
    through one :class:`FakeClient`; ``first_round`` (a ``threading.Barrier``) makes the list read and every look-up
    wait until all of them are in flight together."""

    def __init__(self, existing, policies=None, first_round=None):
        self.directory = Directory(roles=["Datadog Admin Role", "Datadog Admin Role Two"], teams=["sre", "sre-oncall"],
                                   users=["ada@example.com", "ada@example.com.au"])
        self.policies = dict(policies or {})
        self.first_round = first_round
        self.client = FakeClient().answer("GET", CONNECTIONS_PATH, self.listing(existing))
        for path in ("/api/v2/current_user", "/api/v2/roles", "/api/v2/team", "/api/v2/users"):
            self.client.answer("GET", path, self.look_up)
        for item in existing:
            self.client.answer("GET", policy_path("connection:" + item["id"]), self.policy)

    def together(self):
        if self.first_round is not None:
            self.first_round.wait(10)  # a guard against a hang, not a measure: BrokenBarrierError fails the test

    def listing(self, existing):
        def answer(method, path, params, body):
            self.together()
            return page(*existing, total=len(existing))
        return answer

    def look_up(self, method, path, params, body):
        self.together()
        response = self.directory.get(path, params)
        return response.status, response.body

    def policy(self, method, path, params, body):
        bindings = self.policies.get(unquote(path.rsplit("/", 1)[1]), [])
        return 200, {"data": {"id": "x", "type": "restriction_policy", "attributes": {"bindings": bindings}}}

    def routes(self):
        counted = {}
        for method, path, _params, _body in self.client.calls:
            route = "GET policy" if path.startswith("/api/v2/restriction_policy/") else "%s %s" % (method, path)
            counted[route] = counted.get(route, 0) + 1
        return counted


def test_the_list_and_every_look_up_are_read_side_by_side_then_the_policies():
    """4 at once: the list read and the 3 look-ups are in flight together (a barrier of 4 breaks otherwise), then one
    policy read per existing connection; the rerun of a set whose access is as declared writes nothing."""
    existing = [resource("conn %d" % number, AWS, ids(3)[number]) for number in range(3)]
    access = [{"relation": "viewer", "principals": ["org"]}, {"relation": "resolver", "principals": ["team:sre"]},
              {"relation": "editor", "principals": ["role:Datadog Admin Role"]}]
    server = AccessServer(existing, first_round=threading.Barrier(4))
    resolved = [{"relation": "viewer", "principals": ["org:" + ORG_ID]},
                {"relation": "resolver", "principals": ["team:" + make_id("team", "sre", 0)]},
                {"relation": "editor", "principals": ["role:" + make_id("role", "Datadog Admin Role", 0)]}]
    server.policies = dict(("connection:" + item["id"], resolved) for item in existing)
    result = run(server.client, [{"name": "conn %d" % number, "integration": AWS, "access": access} for number in range(3)],
                 parallel=4)
    assert not result["changed"] and result["plan"]["access"] == [] and result["plan"]["unchanged"] == 3
    assert server.routes() == {"GET " + CONNECTIONS_PATH: 1, "GET /api/v2/current_user": 1, "GET /api/v2/team": 1,
                               "GET /api/v2/roles": 1, "GET policy": 3}
    policy_reads = [number for number, call in enumerate(server.client.calls) if "restriction_policy" in call[1]]
    assert min(policy_reads) == 4  # after the list and the look-ups


@settings(max_examples=40, deadline=None)
@given(items=st.lists(st.tuples(st.booleans(), st.sampled_from(("present", "absent")),
                                st.one_of(st.none(), st.lists(st.sampled_from(ACCESS_NAMES + (ACCESS_ID,)), max_size=3))),
                      max_size=10),
       parallel=st.integers(min_value=1, max_value=9))
def test_the_plan_reads_each_name_once_and_each_declaring_connections_policy_once(items, parallel):
    """Any mix of existing and new, present and absent connections, with or without access, at any parallel level:
    1 list read, 1 look-up per distinct name of the present declaring items, 1 policy read per existing present item
    declaring access - and the same plan as one at a time."""
    existing = [resource("conn %d" % number, AWS, ids(10)[number]) for number, (exists, _s, _a) in enumerate(items) if exists]
    declared = []
    for number, (_exists, state, principals) in enumerate(items):
        item = {"name": "conn %d" % number, "integration": AWS, "state": state}
        if principals is not None:
            item["access"] = [{"relation": "resolver", "principals": principals}]
        declared.append(item)
    plans = []
    for workers in sorted({1, parallel}):
        server = AccessServer(existing)
        plans.append(run(server.client, declared, check_mode=True, parallel=workers)["plan"])
        names = set(name for _exists, state, principals in items if state == "present" and principals
                    for name in principals if name != ACCESS_ID)
        lookups = dict((route, 0) for route in ("GET /api/v2/current_user", "GET /api/v2/roles", "GET /api/v2/team",
                                                "GET /api/v2/users"))
        for name in names:
            lookups["GET " + {"org": "/api/v2/current_user", "team": "/api/v2/team", "role": "/api/v2/roles",
                              "user": "/api/v2/users"}[name.split(":")[0]]] += 1
        policies = sum(1 for exists, state, principals in items if exists and state == "present" and principals is not None)
        wanted = dict((route, number) for route, number in lookups.items() if number)
        if items:  # nothing declared: nothing read
            wanted["GET " + CONNECTIONS_PATH] = 1
        if policies:
            wanted["GET policy"] = policies
        assert server.routes() == wanted
    assert all(plan == plans[0] for plan in plans)
