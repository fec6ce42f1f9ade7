# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Datadog's official ``datadog-api-client`` drives the restriction-policy and principal routes: its own models parse
every answer (a shape the SDK cannot read fails here), its paginators walk the lists."""

from __future__ import annotations

import pytest
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.exceptions import ApiException
from datadog_api_client.v2.api.restriction_policies_api import RestrictionPoliciesApi
from datadog_api_client.v2.api.roles_api import RolesApi
from datadog_api_client.v2.api.teams_api import TeamsApi
from datadog_api_client.v2.api.users_api import UsersApi
from datadog_api_client.v2.model.restriction_policy import RestrictionPolicy
from datadog_api_client.v2.model.restriction_policy_attributes import RestrictionPolicyAttributes
from datadog_api_client.v2.model.restriction_policy_binding import RestrictionPolicyBinding
from datadog_api_client.v2.model.restriction_policy_type import RestrictionPolicyType
from datadog_api_client.v2.model.restriction_policy_update_request import RestrictionPolicyUpdateRequest

RESOURCE = "connection:0b5c8f52-7f0e-4a57-9d0e-2f3a4b5c6d7e"


@pytest.fixture
def api_client(dd_emulator):
    configuration = Configuration(host=dd_emulator.url)
    configuration.api_key["apiKeyAuth"] = dd_emulator.api_key
    configuration.api_key["appKeyAuth"] = dd_emulator.app_key
    with ApiClient(configuration) as client:
        yield client


def policy_request(*bindings):
    return RestrictionPolicyUpdateRequest(data=RestrictionPolicy(
        id=RESOURCE, type=RestrictionPolicyType.RESTRICTION_POLICY,
        attributes=RestrictionPolicyAttributes(bindings=[RestrictionPolicyBinding(relation=relation, principals=list(principals))
                                                         for relation, principals in bindings])))


def test_the_sdk_finds_principals_and_manages_a_policy(api_client, dd_emulator):
    dd_emulator.add_principals(roles=["role %02d" % number for number in range(23)])
    users_api, roles_api, teams_api = UsersApi(api_client), RolesApi(api_client), TeamsApi(api_client)

    me = users_api.get_current_user()
    org_id = me.data.relationships.org.data.id
    assert me.data.attributes.email == "emulator-user@ddops.invalid"

    roles = list(roles_api.list_roles(filter="Datadog", page_size=2).data)
    assert [role.attributes.name for role in roles] == ["Datadog Admin Role", "Datadog Read Only Role"]
    every_role = [role.attributes.name for role in roles_api.list_roles(page_size=100).data]
    assert len(every_role) == 26 and roles_api.list_roles(page_size=5, page_number=5).data[0].attributes.name == "role 22"
    teams = [team.attributes.handle for team in teams_api.list_teams_with_pagination(filter_keyword="sre", page_size=1)]
    assert teams == ["sre", "sre-oncall"]
    users = [user.attributes.email for user in users_api.list_users_with_pagination(filter="ada@ddops.invalid", page_size=1)]
    assert users == ["ada@ddops.invalid.au", "ada@ddops.invalid"]
    [runner] = users_api.list_users(filter="workflow-runner").data
    assert runner.attributes.service_account is True

    policies = RestrictionPoliciesApi(api_client)
    assert policies.get_restriction_policy(RESOURCE).data.attributes.bindings == []
    sre = next(team for team in teams_api.list_teams(filter_keyword="sre").data if team.attributes.handle == "sre")
    admin = roles[0]
    written = policies.update_restriction_policy(RESOURCE, policy_request(("resolver", ["team:" + sre.id, "user:" + runner.id]),
                                                                          ("editor", ["role:" + admin.id, "org:" + org_id])))
    assert written.data.id == RESOURCE
    read = policies.get_restriction_policy(RESOURCE).data.attributes.bindings
    assert [(binding.relation, binding.principals) for binding in read] == [
        ("resolver", ["team:" + sre.id, "user:" + runner.id]), ("editor", ["role:" + admin.id, "org:" + org_id])]

    with pytest.raises(ApiException) as refused:
        policies.update_restriction_policy(RESOURCE, policy_request(("editor", ["team:" + sre.id])))
    assert refused.value.status == 400 and "SelfLockout" in refused.value.body["errors"][0]
    allowed = policies.update_restriction_policy(RESOURCE, policy_request(("editor", ["team:" + sre.id])), allow_self_lockout=True)
    assert [binding.principals for binding in allowed.data.attributes.bindings] == [["team:" + sre.id]]

    policies.delete_restriction_policy(RESOURCE)
    assert policies.get_restriction_policy(RESOURCE).data.attributes.bindings == []
    assert dd_emulator.counts()["routes"] == {
        "DELETE /api/v2/restriction_policy/{resource_id}": 1,
        "GET /api/v2/current_user": 1,
        "GET /api/v2/restriction_policy/{resource_id}": 3,
        "GET /api/v2/roles": 3,
        "GET /api/v2/team": 4,  # the paginator: pages of 1, 1, then an empty one; then one list
        "GET /api/v2/users": 4,
        "POST /api/v2/restriction_policy/{resource_id}": 3,
    }
