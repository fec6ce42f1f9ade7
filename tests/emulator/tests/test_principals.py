# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Principal look-ups: GET /api/v2/roles, /api/v2/team, /api/v2/users, /api/v2/current_user; POST /_emulator/principals."""

from __future__ import annotations

import pytest
import requests
from emulator_helpers import Client

from dd_emulator.principals import derived_id

ROLES = "/api/v2/roles"
TEAMS = "/api/v2/team"
USERS = "/api/v2/users"
CURRENT_USER = "/api/v2/current_user"


def names(answer, attribute="name"):
    return [item["attributes"][attribute] for item in answer.json()["data"]]


def add(emulator, **principals):
    return requests.post(emulator.url + "/_emulator/principals", json=principals, timeout=10)


def test_the_default_roles_teams_and_users(unregistered_client):
    client = unregistered_client
    assert names(client.get(ROLES)) == ["Datadog Admin Role", "Datadog Read Only Role", "Datadog Standard Role"]
    assert names(client.get(TEAMS), "handle") == ["platform", "sre", "sre-oncall"]
    users = client.get(USERS).json()["data"]
    assert [user["attributes"]["email"] for user in users] == [
        "ada@ddops.invalid.au", "ada@ddops.invalid", "emulator-user@ddops.invalid", "grace@ddops.invalid", "workflow-runner@ddops.invalid"]
    assert [user["attributes"]["service_account"] for user in users] == [False, False, False, False, True]


def test_current_user_is_the_calling_keys_user_with_its_org(unregistered_client):
    client = unregistered_client
    answer = client.get(CURRENT_USER)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    data = answer.json()["data"]
    pair = client.emulator.state.keys[0]
    assert data["id"] == pair.user["id"]
    assert data["attributes"]["email"] == "emulator-user@ddops.invalid"
    assert data["relationships"]["org"]["data"] == {"id": client.emulator.principals()["org"]["id"], "type": "orgs"}
    assert data["relationships"]["roles"]["data"] == [{"id": derived_id("role", "Datadog Admin Role"), "type": "roles"}]

    second = client.emulator.add_key("k2", "a2", "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13")
    other = Client(client.emulator, headers={"DD-API-KEY": "k2", "DD-APPLICATION-KEY": "a2"}).get(CURRENT_USER).json()["data"]
    assert other["id"] == second.user["id"] and other["attributes"]["name"] == "Emulator User 2"


def test_filters_are_substring_searches(unregistered_client):
    client = unregistered_client
    assert names(client.get(ROLES, params={"filter": "admin"})) == ["Datadog Admin Role"]
    assert names(client.get(ROLES, params={"filter": "Role"})) == ["Datadog Admin Role", "Datadog Read Only Role", "Datadog Standard Role"]
    assert names(client.get(TEAMS, params={"filter[keyword]": "sre"}), "handle") == ["sre", "sre-oncall"]
    assert names(client.get(TEAMS, params={"filter[keyword]": "On-call"}), "handle") == ["sre-oncall"]
    assert [user["attributes"]["email"] for user in client.get(USERS, params={"filter": "ada@ddops.invalid"}).json()["data"]] == [
        "ada@ddops.invalid.au", "ada@ddops.invalid"]
    assert names(client.get(USERS, params={"filter": "hopper"})) == ["Grace Hopper"]
    assert names(client.get(ROLES, params={"filter": "nobody"})) == []


def test_a_team_keyword_also_finds_a_members_email(unregistered_client):
    client = unregistered_client
    assert names(client.get(TEAMS, params={"filter[keyword]": "grace@"}), "handle") == ["sre", "sre-oncall"]
    assert names(client.get(TEAMS, params={"filter[me]": "true"}), "handle") == ["platform"]


def test_roles_filter_by_id(unregistered_client):
    wanted = [derived_id("role", "Datadog Read Only Role"), derived_id("role", "Datadog Admin Role")]
    assert names(unregistered_client.get(ROLES, params={"filter[id]": ",".join(wanted)})) == ["Datadog Admin Role", "Datadog Read Only Role"]


@pytest.mark.parametrize("route, total_of", [
    (ROLES, lambda body: body["meta"]["page"]["total_filtered_count"]),
    (USERS, lambda body: body["meta"]["page"]["total_filtered_count"]),
    (TEAMS, lambda body: body["meta"]["pagination"]["total"]),
])
def test_lists_are_paged_from_page_0(dd_emulator, route, total_of):
    dd_emulator.add_principals(roles=["role %02d" % number for number in range(25)],
                               teams=[{"handle": "team-%02d" % number} for number in range(25)],
                               users=[{"email": "user%02d@ddops.invalid" % number} for number in range(25)])
    client = Client(dd_emulator)
    everything = [item["id"] for item in client.get(route, params={"page[size]": 100}).json()["data"]]
    seen = []
    for number in range(10):
        page = client.get(route, params={"page[size]": 7, "page[number]": number}).json()
        assert total_of(page) == len(everything)
        seen += [item["id"] for item in page["data"]]
        if len(page["data"]) < 7:
            break
    assert seen == everything and len(set(seen)) == len(seen)
    assert len(client.get(route).json()["data"]) == 10  # the default page size
    for bad in ({"page[size]": 0}, {"page[size]": 101}, {"page[number]": -1}, {"page[size]": "x"}):
        answer = client.get(route, params=bad)
        assert answer.status_code == 400 and answer.json()["errors"][0]["title"] == "Invalid Parameter"


def test_team_pages_carry_offsets_and_links(dd_emulator):
    client = Client(dd_emulator)
    page = client.get(TEAMS, params={"page[size]": 2, "page[number]": 1, "filter[keyword]": "r"}).json()
    assert page["meta"]["pagination"] == {"first_offset": 0, "last_offset": 2, "limit": 2, "next_offset": 4, "offset": 2, "prev_offset": 0,
                                          "total": 3, "type": "offset_limit"}
    assert page["links"]["next"].startswith(dd_emulator.url + TEAMS + "?")
    following = requests.get(page["links"]["prev"], headers=dd_emulator.headers, timeout=10).json()
    assert [team["attributes"]["handle"] for team in following["data"]] == ["platform", "sre"]


def test_principals_can_be_added_with_memberships(dd_emulator):
    answer = add(dd_emulator, roles=["Workflow Operators", {"name": "Ops", "id": "4dee724d-00cc-11ea-a77b-570c9d03c6c5"}],
                 teams=[{"handle": "payments", "name": "Payments"}],
                 users=[{"email": "bot@ddops.invalid", "name": "Deploy Bot", "service_account": True, "roles": ["Ops"], "teams": ["payments"]}])
    assert answer.status_code == 201
    added = answer.json()["added"]
    assert [role["id"] for role in added["roles"]] == [derived_id("role", "Workflow Operators"), "4dee724d-00cc-11ea-a77b-570c9d03c6c5"]
    client = Client(dd_emulator)
    bot = client.get(USERS, params={"filter": "bot@"}).json()["data"]
    assert [user["relationships"]["roles"]["data"][0]["id"] for user in bot] == ["4dee724d-00cc-11ea-a77b-570c9d03c6c5"]
    assert bot[0]["attributes"]["service_account"] is True
    assert names(client.get(TEAMS, params={"filter[keyword]": "bot@"}), "handle") == ["payments"]
    assert client.get(ROLES, params={"filter": "Ops"}).json()["data"][0]["attributes"]["user_count"] == 1


def test_a_second_principal_of_the_same_name_needs_its_own_id(dd_emulator):
    assert add(dd_emulator, roles=["Datadog Admin Role"]).status_code == 400
    assert add(dd_emulator, roles=[{"name": "Datadog Admin Role", "id": "5e3b2a1c-0d4f-4e6a-8b7c-9d0e1f2a3b4c"}]).status_code == 201
    admins = Client(dd_emulator).get(ROLES, params={"filter": "Datadog Admin Role"}).json()["data"]
    assert len(admins) == 2  # an ambiguous name, for the collection's tests
    answer = add(dd_emulator, users=[{"email": "x@ddops.invalid", "roles": ["Datadog Admin Role"]}])
    assert answer.json() == {"error": "users[0].roles[0]: role 'Datadog Admin Role' is ambiguous (2 match)"}


@pytest.mark.parametrize("principals, message", [
    ({"roles": [""]}, "roles[0].name must be a non-empty string"),
    ({"teams": [{"name": "No handle"}]}, "teams[0].handle must be a non-empty string"),
    ({"teams": [{"handle": "x", "members": []}]}, "teams[0]: unknown key(s) members"),
    ({"users": [{"email": "a@b", "roles": ["Nope"]}]}, "users[0].roles[0]: role 'Nope' is unknown"),
    ({"users": [{"email": "a@b", "id": "42"}]}, "users[0].id must be a UUID"),
    ({"users": [{"email": "a@b", "service_account": "yes"}]}, "users[0].service_account must be true or false"),
    ({"groups": []}, "unknown member(s) groups"),
])
def test_bad_principals_are_refused_and_nothing_is_added(dd_emulator, principals, message):
    before = dd_emulator.principals()
    answer = add(dd_emulator, roles=["Added first"], **principals) if "roles" not in principals else add(dd_emulator, **principals)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert dd_emulator.principals() == before


def test_a_reset_returns_to_the_default_principals(dd_emulator):
    before = dd_emulator.principals()
    dd_emulator.add_principals(roles=["Temporary"])
    dd_emulator.reset(state=True)
    assert dd_emulator.principals() == before


def test_principal_routes_need_keys_but_no_registration(unregistered_client):
    for route in (ROLES, TEAMS, USERS, CURRENT_USER):
        assert unregistered_client.get(route).status_code == 200
        assert Client(unregistered_client.emulator, headers={}).get(route).status_code == 403
