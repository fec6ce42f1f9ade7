# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The whole set in one task: one read of the list, the plan before any write, the rules, the purge, the secrets."""

from __future__ import annotations

import json

import pytest

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
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import page, resource

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


def run(client, items, check_mode=False, **purge):
    desired_list, scope = desired_set(items, **purge)
    return converge_set(client, desired_list, scope=scope, purge_max=purge.get("purge_max", 10), check_mode=check_mode)


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
        run(client, [], purge=True, purge_all=True, purge_max=3)
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
                                      "integration, tags, update_secrets, generate_new_external_id, state"),
    ([{"name": "a", "id": "1", "definition": {}}], "connections[0] 'a' has unsupported option(s) definition, id; supported: "
     "name, connection_id, integration, tags, update_secrets, generate_new_external_id, state (a connection returned by "
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
