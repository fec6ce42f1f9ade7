# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""GET / POST / DELETE /api/v2/restriction_policy/{resource_id}: the relation table, the recorded errors, replace on
POST, empty bindings for none, self-lockout, the audit trail."""

from __future__ import annotations

import pytest
from emulator_helpers import AUDIT_SEARCH, Client, create_connection

POLICY = "/api/v2/restriction_policy/"
CONNECTION_ID = "0b5c8f52-7f0e-4a57-9d0e-2f3a4b5c6d7e"
RESOURCE = "connection:" + CONNECTION_ID
ESCAPED = "connection%3A" + CONNECTION_ID
OTHER_ROLE = "role:4dee724d-00cc-11ea-a77b-570c9d03c6c5"
OTHER_USER = "user:00000000-0000-4000-8000-000000000001"


def body(resource_id, *bindings):
    return {"data": {"id": resource_id, "type": "restriction_policy", "attributes": {"bindings": list(bindings)}}}


def binding(relation, *principals):
    return {"relation": relation, "principals": list(principals)}


def principals_of(emulator):
    """``org``, the caller's user id, and role and team ids by name."""
    everything = emulator.principals()
    caller = next(user for user in everything["users"] if user["origin"] == "key")
    return {"org": "org:" + everything["org"]["id"], "me": "user:" + caller["id"],
            **{"role:" + role["name"]: "role:" + role["id"] for role in everything["roles"]},
            **{"team:" + team["handle"]: "team:" + team["id"] for team in everything["teams"]}}


@pytest.fixture
def who(dd_emulator):
    return principals_of(dd_emulator)


def test_a_resource_without_a_policy_answers_empty_bindings(unregistered_client):
    answer = unregistered_client.get(POLICY + ESCAPED)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"data": {"id": RESOURCE, "type": "restriction_policy", "attributes": {"bindings": []}}}


def test_post_replaces_the_whole_policy_and_answers_it(unregistered_client, who):
    client = unregistered_client
    first = body(RESOURCE, binding("resolver", who["team:sre"], OTHER_ROLE), binding("editor", who["me"]))
    answer = client.post(POLICY + ESCAPED, json=first)
    assert answer.status_code == 200
    assert answer.json() == first
    assert client.get(POLICY + RESOURCE).json() == first  # unescaped is the same resource

    second = body(RESOURCE, binding("editor", who["org"]))
    assert client.post(POLICY + RESOURCE, json=second).json() == second
    assert client.get(POLICY + ESCAPED).json() == second  # nothing of the first policy is left


def test_delete_answers_204_and_the_resource_is_back_to_no_policy(unregistered_client, who):
    client = unregistered_client
    client.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", who["org"])))
    answer = client.delete(POLICY + ESCAPED)
    assert answer.status_code == 204 and answer.text == "" and "Content-Type" not in answer.headers
    assert client.get(POLICY + ESCAPED).json()["data"]["attributes"]["bindings"] == []
    assert client.delete(POLICY + ESCAPED).status_code == 204  # none to delete: still 204


def test_post_with_no_bindings_leaves_no_policy(unregistered_client, who):
    client = unregistered_client
    client.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", who["org"])))
    assert client.post(POLICY + ESCAPED, json=body(RESOURCE)).json()["data"]["attributes"]["bindings"] == []
    assert client.emulator.dump_state()["restriction_policies"] == {}


@pytest.mark.parametrize("resource_type, relations", [
    ("connection", ("viewer", "resolver", "editor")),
    ("connection-group", ("viewer", "editor")),
    ("workflow", ("viewer", "runner", "editor")),
    ("app-builder-app", ("viewer", "editor")),
    ("cross-org-connection", ("viewer", "editor")),
    ("dashboard", ("viewer", "editor")),
    ("case-management-project", ("viewer", "contributor", "manager")),
])
def test_each_type_takes_its_relations_and_no_other(unregistered_client, who, resource_type, relations):
    resource_id = "%s:%s" % (resource_type, CONNECTION_ID)
    allowed = body(resource_id, *[binding(relation, who["org"]) for relation in relations])
    assert unregistered_client.post(POLICY + resource_id, json=allowed).json() == allowed
    for relation in {"viewer", "resolver", "runner", "editor", "manager", "owner"} - set(relations):
        answer = unregistered_client.post(POLICY + resource_id, json=body(resource_id, binding(relation, who["org"])))
        assert answer.status_code == 400
        assert answer.json() == {"errors": ['Invalid request: [RelationInvalidForResourceType] relation "%s" is not supported by "%s" '
                                            'resources, supported relations: "%s"' % (relation, resource_type, ", ".join(relations))]}


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_the_recorded_resource_errors(unregistered_client, method, who):
    for resource_id, message in (("malformed", "Invalid resource: 'malformed' is not in a valid format"),
                                 ("connection:", "Invalid resource: 'connection:' is not in a valid format"),
                                 ("security_rule:abc", "Invalid resource type: 'security_rule' does not support restriction policies")):
        answer = unregistered_client.request(method, POLICY + resource_id, json=body(resource_id, binding("editor", who["org"])))
        assert answer.status_code == 400
        assert answer.json() == {"errors": [message]}


def test_the_recorded_principal_type_error(unregistered_client, who):
    principal = "foo:4dee724d-00cc-11ea-a77b-570c9d03c6c5"
    answer = unregistered_client.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", who["org"], principal)))
    assert answer.status_code == 400
    assert answer.json() == {"errors": ['Invalid request: [PrincipalTypeInvalidForRelation] principal "%s" is not supported by "editor" '
                                        'relation, supported types: "org, role, team, user"' % principal]}


@pytest.mark.parametrize("principal", ["role", "role:", "role:Datadog Admin Role", "team:sre"])
def test_a_principal_must_be_a_type_and_a_uuid(unregistered_client, who, principal):
    answer = unregistered_client.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", who["org"], principal)))
    assert answer.status_code == 400
    assert answer.json()["errors"][0].startswith('Invalid request: [PrincipalInvalid] principal "%s" is not in a valid format' % principal)


@pytest.mark.parametrize("bad_body, reason", [
    (None, "does not match RestrictionPolicyUpdateRequest"),
    ({"data": {"id": RESOURCE, "type": "restriction_policy"}}, "does not match RestrictionPolicyUpdateRequest"),
    ({"data": {"id": RESOURCE, "type": "policy", "attributes": {"bindings": []}}}, "does not match RestrictionPolicyUpdateRequest"),
    ({"data": {"id": RESOURCE, "type": "restriction_policy", "attributes": {"bindings": [{"relation": "editor"}]}}},
     "does not match RestrictionPolicyUpdateRequest"),
    ({"data": {"id": RESOURCE, "type": "restriction_policy", "attributes": {"bindings": [{"relation": "editor", "principals": "org"}]}}},
     "does not match RestrictionPolicyUpdateRequest"),
    ({"data": {"id": "connection:other", "type": "restriction_policy", "attributes": {"bindings": []}}}, "is not the resource of the path"),
])
def test_bodies_are_checked_with_the_official_model(unregistered_client, bad_body, reason):
    answer = unregistered_client.post(POLICY + ESCAPED, json=bad_body)
    assert answer.status_code == 400
    [message] = answer.json()["errors"]
    assert message.startswith("Invalid request: ") and reason in message
    assert unregistered_client.post(POLICY + ESCAPED, data="{not json", headers=dict(unregistered_client.headers,
                                    **{"Content-Type": "application/json"})).status_code == 400
    assert unregistered_client.emulator.dump_state()["restriction_policies"] == {}


def test_self_lockout_is_refused_unless_allowed(unregistered_client, who):
    client = unregistered_client
    lockout = body(RESOURCE, binding("editor", OTHER_ROLE), binding("resolver", who["me"], who["org"]))
    answer = client.post(POLICY + ESCAPED, json=lockout)
    assert answer.status_code == 400
    assert answer.json() == {"errors": ['Invalid request: [SelfLockout] this policy would remove your own "editor" access to %s; '
                                        "send allow_self_lockout=true to apply it anyway" % RESOURCE]}
    assert client.get(POLICY + ESCAPED).json()["data"]["attributes"]["bindings"] == []
    assert client.post(POLICY + ESCAPED, params={"allow_self_lockout": "false"}, json=lockout).status_code == 400
    assert client.post(POLICY + ESCAPED, params={"allow_self_lockout": "true"}, json=lockout).json() == lockout
    assert client.post(POLICY + ESCAPED, params={"allow_self_lockout": "maybe"}, json=lockout).status_code == 400


@pytest.mark.parametrize("holder", ["me", "org", "role:Datadog Admin Role", "team:platform"])
def test_the_callers_user_role_team_or_org_keeps_its_access(unregistered_client, who, holder):
    kept = body(RESOURCE, binding("editor", OTHER_ROLE, who[holder]))
    assert unregistered_client.post(POLICY + ESCAPED, json=kept).status_code == 200


@pytest.mark.parametrize("holder", ["role:Datadog Standard Role", "team:sre"])
def test_a_role_or_team_the_caller_lacks_locks_it_out(unregistered_client, who, holder):
    assert unregistered_client.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", who[holder]))).status_code == 400


def test_the_editing_relation_of_a_type_is_what_counts(unregistered_client, who):
    resource_id = "case-management-project:" + CONNECTION_ID
    locked = body(resource_id, binding("contributor", who["me"]), binding("manager", OTHER_USER))
    assert unregistered_client.post(POLICY + resource_id, json=locked).status_code == 400
    kept = body(resource_id, binding("manager", who["me"]))
    assert unregistered_client.post(POLICY + resource_id, json=kept).status_code == 200


def test_a_second_key_pair_is_judged_by_its_own_user(dd_emulator, who):
    pair = dd_emulator.add_key("second-api", "second-app", "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13")
    second = Client(dd_emulator, headers={"DD-API-KEY": "second-api", "DD-APPLICATION-KEY": "second-app"})
    only_first = body(RESOURCE, binding("editor", who["me"]))
    assert second.post(POLICY + ESCAPED, json=only_first).status_code == 400
    assert second.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", "user:" + pair.user["id"]))).status_code == 200


def test_every_change_is_in_the_audit_trail_and_reads_are_not(client, who):
    connection = create_connection(client, name="policy target")
    resource_id = "connection:" + connection["id"]
    path = POLICY + resource_id.replace(":", "%3A")
    client.get(path)
    client.post(path, json=body(resource_id, binding("editor", who["org"])))
    client.post(path, json=body(resource_id, binding("editor", who["org"]), binding("viewer", OTHER_ROLE)))
    client.delete(path)
    client.delete(path)  # nothing left to delete: not a change
    client.post(path, json=body(resource_id))  # no policy before or after: not a change
    events = client.post(AUDIT_SEARCH, json={"filter": {"query": "@asset.type:restriction_policy"}, "sort": "timestamp"}).json()["data"]
    assert [event["attributes"]["attributes"]["action"] for event in events] == ["created", "modified", "deleted"]
    first = events[0]["attributes"]
    assert first["message"] == 'Emulator User created restriction policy "%s" (%s)' % (resource_id, resource_id)
    assert first["attributes"]["asset"] == {"type": "restriction_policy", "id": resource_id, "name": resource_id}
    assert first["attributes"]["http"] == {"method": "POST", "url_details": {"path": "/api/v2/restriction_policy/" + resource_id},
                                           "status_code": 200}
    assert events[2]["attributes"]["attributes"]["http"]["status_code"] == 204


def test_routes_are_counted_by_template_and_need_keys(unregistered_client):
    client = unregistered_client
    client.get(POLICY + ESCAPED)
    client.delete(POLICY + "workflow:abc")
    assert Client(client.emulator, headers={}).get(POLICY + ESCAPED).status_code == 403
    routes = client.emulator.counts()["routes"]
    assert routes == {"GET /api/v2/restriction_policy/{resource_id}": 2, "DELETE /api/v2/restriction_policy/{resource_id}": 1}


def test_a_reset_forgets_the_policies(unregistered_client, who):
    client = unregistered_client
    client.post(POLICY + ESCAPED, json=body(RESOURCE, binding("editor", who["org"])))
    client.emulator.reset(state=True)
    assert client.get(POLICY + ESCAPED).json()["data"]["attributes"]["bindings"] == []
