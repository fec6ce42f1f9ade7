# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Authentication, the Actions API registration gate and the app key registration endpoints (docs/dev/api-behaviour.md)."""

from __future__ import annotations

import pytest
from emulator_helpers import AUDIT_LIST, CONNECTIONS, REGISTRATIONS, Client, connection_body

OTHER_KEY_ID = "7c4d2b9e-1f3a-4e6b-8d5c-0a9f2e7b4c13"
VND = "application/vnd.api+json"


@pytest.mark.parametrize("headers", [
    {},
    {"DD-API-KEY": "ddemu-api-key-5f1c0a9e7b3d4c21a8e6"},
    {"DD-APPLICATION-KEY": "ddemu-app-key-9b2e7d4f1a6c3e8b0d5f7a2c4e6b8d1f3a5c"},
    {"DD-API-KEY": "wrong", "DD-APPLICATION-KEY": "ddemu-app-key-9b2e7d4f1a6c3e8b0d5f7a2c4e6b8d1f3a5c"},
], ids=["none", "api-key-only", "app-key-only", "wrong-api-key"])
def test_every_api_route_needs_a_matching_key_pair(dd_emulator, headers):
    client = Client(dd_emulator, headers=headers)
    for method, path in (("GET", REGISTRATIONS), ("PUT", REGISTRATIONS + "/" + OTHER_KEY_ID), ("POST", CONNECTIONS), ("GET", AUDIT_LIST)):
        answer = client.request(method, path)
        assert answer.status_code == 403
        assert answer.json() == {"errors": ["Forbidden"]}
    assert dd_emulator.state.registrations == {}


def test_the_default_credentials_are_the_documented_ones(dd_emulator):
    assert dd_emulator.url.startswith("http://127.0.0.1:")
    assert dd_emulator.api_key == "ddemu-api-key-5f1c0a9e7b3d4c21a8e6"
    assert dd_emulator.app_key == "ddemu-app-key-9b2e7d4f1a6c3e8b0d5f7a2c4e6b8d1f3a5c"
    assert dd_emulator.app_key_id == "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"


def test_connection_calls_are_refused_until_the_app_key_is_registered(unregistered_client):
    client = unregistered_client
    refused = client.post(CONNECTIONS, json=connection_body())
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == VND
    assert refused.json() == {"errors": [{"status": "403", "title": "Forbidden", "detail": "application key is not registered for Actions API"}]}
    assert client.get(CONNECTIONS + "/" + OTHER_KEY_ID).status_code == 403

    assert client.put(REGISTRATIONS + "/" + client.emulator.app_key_id).status_code == 201
    assert client.post(CONNECTIONS, json=connection_body()).status_code == 201


def test_a_second_key_pair_needs_its_own_registration(client):
    pair = client.emulator.add_key("second-api-key", "second-app-key", OTHER_KEY_ID)
    second = Client(client.emulator, headers={"DD-API-KEY": "second-api-key", "DD-APPLICATION-KEY": "second-app-key"})
    assert second.get(CONNECTIONS + "/" + OTHER_KEY_ID).status_code == 403
    assert second.put(REGISTRATIONS + "/" + pair.app_key_id).status_code == 201
    assert second.get(CONNECTIONS + "/" + OTHER_KEY_ID).status_code == 404
    assert pair.user["email"] == "emulator-user-2@ddops.invalid"


def test_put_answers_201_also_when_already_registered(dd_emulator):
    client = Client(dd_emulator)
    for _attempt in range(2):
        answer = client.put(REGISTRATIONS + "/" + OTHER_KEY_ID)
        assert answer.status_code == 201
        assert answer.headers["Content-Type"] == VND
        assert answer.json() == {"data": {"id": OTHER_KEY_ID, "type": "app_key_registration"}}
    assert list(dd_emulator.state.registrations) == [OTHER_KEY_ID]


def test_get_and_delete_registration(dd_emulator):
    client = Client(dd_emulator)
    path = REGISTRATIONS + "/" + OTHER_KEY_ID
    assert client.get(path).status_code == 404
    assert client.get(path).json() == {"errors": [{"detail": "app key not found"}]}
    client.put(path)
    assert client.get(path).json() == {"data": {"id": OTHER_KEY_ID, "type": "app_key_registration"}}
    deleted = client.delete(path)
    assert (deleted.status_code, deleted.text) == (204, "")
    second = client.delete(path)
    assert second.status_code == 404
    assert second.json() == {"errors": [{"detail": "app key not found"}]}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_non_uuid_app_key_id_is_a_400(dd_emulator, method):
    answer = Client(dd_emulator).request(method, REGISTRATIONS + "/" + dd_emulator.app_key)
    assert answer.status_code == 400
    assert answer.json() == {"errors": [{"status": "400", "title": "Invalid Parameter",
                                         "detail": "invalid parameter \"appKeyId\" in \"path\"; expected type \"uuid\""}]}


def test_registration_list_pages_from_zero_in_insertion_order(dd_emulator):
    client = Client(dd_emulator)
    ids = dd_emulator.register_app_key(count=25)
    default_page = client.get(REGISTRATIONS).json()
    assert [item["id"] for item in default_page["data"]] == ids[:10]
    assert default_page["meta"] == {"total": 25, "total_filtered": 25}
    seen = []
    for number in range(4):
        page = client.get(REGISTRATIONS, params={"page[size]": 7, "page[number]": number}).json()
        seen += [item["id"] for item in page["data"]]
        assert all(item["type"] == "app_key_registration" for item in page["data"])
    assert seen == ids
    assert client.get(REGISTRATIONS, params={"page[size]": 7, "page[number]": 4}).json()["data"] == []


@pytest.mark.parametrize("params", [{"page[size]": 0}, {"page[size]": 101}, {"page[size]": "ten"}, {"page[number]": -1}])
def test_registration_list_rejects_bad_paging(dd_emulator, params):
    answer = Client(dd_emulator).get(REGISTRATIONS, params=params)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["title"] == "Invalid Parameter"


def test_unknown_api_route_is_a_404_and_is_counted(dd_emulator):
    client = Client(dd_emulator)
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.request("PUT", CONNECTIONS).status_code == 405
    assert dd_emulator.counts()["routes"] == {"GET /api/v1/nothing": 1, "PUT /api/v2/actions/connections": 1}


@pytest.mark.parametrize("path", ["/api/v2/actions//connections", "/api/v2/actions/connections/", "/elsewhere"])
def test_odd_paths_are_plain_404s(dd_emulator, path):
    answer = Client(dd_emulator).get(path, allow_redirects=False)
    assert answer.status_code == 404
    assert answer.json() == {"errors": ["Not found"]}
