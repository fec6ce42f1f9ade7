# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The preview list endpoint ``GET /api/v2/actions/connections``: paging, filters, sort, and switching it off."""

from __future__ import annotations

import pytest
from emulator_helpers import CONNECTIONS, create_connection

GITLAB = {"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": "t"}}


@pytest.fixture
def listed(client):
    """Five connections: three AWS, two Gitlab, with tags; returns their ids in creation order."""
    specs = [("prod-aws", None, ["env:prod", "team:a"]), ("Staging-AWS", None, ["env:staging", "team:a"]), ("gitlab-main", GITLAB, ["env:prod"]),
             ("aws-sandbox", None, []), ("gitlab-ci", GITLAB, ["env:prod", "team:b"])]
    return [create_connection(client, name=name, integration=integration, tags=tags)["id"] for name, integration, tags in specs]


def _names(answer):
    assert answer.status_code == 200, answer.text
    return [item["attributes"]["name"] for item in answer.json()["data"]]


def test_default_order_is_creation_order_with_meta(client, listed):
    answer = client.get(CONNECTIONS)
    assert [item["id"] for item in answer.json()["data"]] == listed
    counts = [{"integration": "AWS", "count": 3}, {"integration": "Gitlab", "count": 2}]
    assert answer.json()["meta"] == {"total": 5, "total_filtered": 5, "integration_counts": counts}


def test_pages_count_from_zero(client, listed):
    pages = [client.get(CONNECTIONS, params={"page[size]": 2, "page[number]": number}).json()["data"] for number in range(4)]
    assert [[item["id"] for item in page] for page in pages] == [listed[0:2], listed[2:4], listed[4:5], []]


def test_default_page_size_is_10_and_max_is_100(client):
    for index in range(12):
        create_connection(client, name="c%02d" % index)
    assert len(client.get(CONNECTIONS).json()["data"]) == 10
    assert len(client.get(CONNECTIONS, params={"page[size]": 100}).json()["data"]) == 12
    too_big = client.get(CONNECTIONS, params={"page[size]": 101})
    assert too_big.status_code == 400
    assert too_big.json()["errors"][0]["detail"] == 'invalid parameter "page[size]" in "query"; expected an integer from 1 to 100'


@pytest.mark.parametrize("params, expected", [
    ({"filter[integration]": "Gitlab"}, ["gitlab-main", "gitlab-ci"]),
    ({"filter[integration]": "aws"}, ["prod-aws", "Staging-AWS", "aws-sandbox"]),
    ({"filter[tags]": "env:prod"}, ["prod-aws", "gitlab-main", "gitlab-ci"]),
    ({"filter[tags]": "env:prod,team:a"}, ["prod-aws"]),
    ({"filter[search]": "aws"}, ["prod-aws", "Staging-AWS", "aws-sandbox"]),
    ({"filter[search]": "AWS", "filter[tags]": "team:a"}, ["prod-aws", "Staging-AWS"]),
    ({"sort": "name"}, ["aws-sandbox", "gitlab-ci", "gitlab-main", "prod-aws", "Staging-AWS"]),
    ({"sort": "-name"}, ["Staging-AWS", "prod-aws", "gitlab-main", "gitlab-ci", "aws-sandbox"]),
], ids=["integration", "integration-any-case", "one-tag", "all-tags", "search", "search-and-tags", "sort", "sort-descending"])
def test_filters_and_sort(client, listed, params, expected):
    assert _names(client.get(CONNECTIONS, params=params)) == expected


def test_filter_by_ids_and_meta_counts_the_filtered_set(client, listed):
    answer = client.get(CONNECTIONS, params={"filter[connection_ids]": ",".join([listed[0], listed[2]])})
    assert _names(answer) == ["prod-aws", "gitlab-main"]
    counts = [{"integration": "AWS", "count": 1}, {"integration": "Gitlab", "count": 1}]
    assert answer.json()["meta"] == {"total": 5, "total_filtered": 2, "integration_counts": counts}


def test_filter_by_creator(client, listed):
    creator = client.emulator.state.keys[0].user["id"]
    assert len(_names(client.get(CONNECTIONS, params={"filter[creator_ids]": creator}))) == len(listed)
    assert _names(client.get(CONNECTIONS, params={"filter[creator_ids]": "someone-else"})) == []


def test_unknown_sort_is_a_400(client):
    assert client.get(CONNECTIONS, params={"sort": "created_at"}).status_code == 400


def test_the_list_endpoint_can_be_switched_off_like_an_older_datadog(client, listed):
    client.emulator.settings(list_endpoint=False)
    answer = client.get(CONNECTIONS)
    assert answer.status_code == 404
    assert client.get(CONNECTIONS + "/" + listed[0]).status_code == 200
    assert client.post(CONNECTIONS, json={"data": {"type": "action_connection", "attributes": {}}}).status_code == 400
    client.emulator.settings(list_endpoint=True)
    assert client.get(CONNECTIONS).status_code == 200
