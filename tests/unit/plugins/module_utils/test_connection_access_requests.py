# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Access with a client: the set reads the policies of the items declaring access in parallel (one GET each, results
in declared order whatever the order the reads end in, a failed read refuses the plan with no write), and a connection
whose access write fails after its own write reports what was done, so that a rerun writes only the policy."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    AccessFailed,
    ConnectionListing,
    desired_from_params,
    ensure_connection,
)
from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import CONNECTIONS_PATH
from ansible_collections.ddops.datadog.plugins.module_utils._connection_set import SetRefused, converge_set, desired_set
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import policy_path
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import page, resource

AWS = {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r1"}}
TEAM = "team:985a8764-395f-53a6-9bd6-69f53805b1f0"
ROLE = "role:290b0ad1-3da7-53ed-ba96-c99a8e9b637f"
ACCESS = [{"relation": "resolver", "principals": [TEAM]}]
WRITES = ("POST", "PATCH", "DELETE", "PUT")


def ids(count):
    return ["00000000-0000-4000-8000-%012d" % number for number in range(count)]


def policy(bindings, connection_id):
    return (200, {"data": {"id": "connection:" + connection_id, "type": "restriction_policy",
                           "attributes": {"bindings": bindings}}})


def routes(client, methods=None):
    return ["%s %s" % (method, path) for method, path, _params, _body in client.calls if methods is None or method in methods]


# -- the set: policy reads in parallel -------------------------------------------------------------------------------------

def access_set(count):
    """``count`` existing connections declaring access (even ones hold it already, odd ones hold none), one existing
    connection that declares none, and one to create with access: the items and a client answering the list."""
    existing = ids(count + 1)
    listed = [resource("c%d" % number, AWS, connection_id) for number, connection_id in enumerate(existing)]
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(*listed))
    items = [{"name": "c%d" % number, "integration": AWS, "access": ACCESS} for number in range(count)]
    items.insert(2, {"name": "c%d" % count, "integration": AWS})  # declares no access: its policy is not read
    items.append({"name": "new", "integration": AWS, "access": ACCESS})  # does not exist: nothing to read
    return client, items, existing[:count]


def held(number):
    return ACCESS if number % 2 == 0 else []


def test_the_set_reads_one_policy_per_existing_item_declaring_access_and_keeps_the_declared_order():
    """The first item's read ends last (it waits until every other read has ended): the plan still gives each item
    the decision of its own policy, in declared order."""
    count = 6
    client, items, existing = access_set(count)
    finished, ended = [], threading.Condition()

    def reader(number):
        def read(method, path, params, body):
            if number == 0:
                with ended:
                    assert ended.wait_for(lambda: len(finished) == count - 1, timeout=10), finished
            with ended:
                finished.append(number)
                ended.notify_all()
            return policy(held(number), existing[number])
        return read

    for number, connection_id in enumerate(existing):
        client.answer("GET", policy_path("connection:" + connection_id), reader(number))
    desired_list, scope = desired_set(items)
    result = converge_set(client, desired_list, scope=scope, check_mode=True, parallel=4)
    policy_reads = [route for route in routes(client, ("GET",)) if "restriction_policy" in route]
    assert len(policy_reads) == count
    assert sorted(policy_reads) == sorted("GET " + policy_path("connection:" + connection_id) for connection_id in existing)
    assert finished[-1] == 0 and sorted(finished) == list(range(count))  # the reads did not end in declared order
    planned = [(entry["name"], entry.get("access_planned")) for entry in result["connections"]]
    expected = [("c%d" % number, "nothing" if held(number) else "replace") for number in range(count)]
    expected.insert(2, ("c%d" % count, None))
    expected.append(("new", "replace"))
    assert planned == expected
    assert result["plan"]["access"] == ["c%d" % number for number in range(count) if not held(number)] + ["new"]
    assert client.workers == [4]


@pytest.mark.parametrize("answer, words", [
    (DatadogAPIError(["Internal Server Error"], status=500, method="GET", path="/p"), "HTTP 500"),
    ((200, {"data": None}), "the answer is not a restriction policy"),
])
def test_a_failed_policy_read_refuses_the_plan_with_no_write_naming_the_item(answer, words):
    client, items, existing = access_set(4)
    for number, connection_id in enumerate(existing):
        client.answer("GET", policy_path("connection:" + connection_id), answer if number == 3 else policy([], connection_id))
    desired_list, scope = desired_set(items)
    with pytest.raises(SetRefused) as refused:
        converge_set(client, desired_list, scope=scope, parallel=3)
    problems = refused.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith("connections[4] 'c3': Failed to read the restriction policy of connection:%s: "
                                  % existing[3])
    assert words in problems[0]
    assert routes(client, WRITES) == []


# -- a connection written, then its access failing ---------------------------------------------------------------------

def test_a_created_connection_whose_access_write_fails_reports_its_id_and_changed_and_a_rerun_writes_only_the_policy():
    new_id = "00000000-0000-4000-8000-000000000042"
    desired = desired_from_params({"name": "made", "integration": AWS, "access": ACCESS})
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page())
    client.answer("POST", CONNECTIONS_PATH, (201, {"data": resource("made", AWS, new_id)}))
    path = policy_path("connection:" + new_id)
    client.answer("POST", path, DatadogAPIError(["Internal Server Error"], status=500, method="POST", path=path))
    with pytest.raises(AccessFailed) as failure:
        ensure_connection(client, desired, listing=ConnectionListing())
    message = str(failure.value)
    assert message.startswith("Failed to set the access of action connection 'made' (%s) (the connection itself was "
                              "created): Failed to set the restriction policy of connection:%s: HTTP 500" % (new_id, new_id))
    assert failure.value.result["changed"] is True
    assert failure.value.result["connection"]["id"] == new_id
    assert failure.value.result["status"] == 500
    assert routes(client, WRITES) == ["POST " + CONNECTIONS_PATH, "POST " + path]

    rerun = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("made", AWS, new_id)))
    rerun.answer("GET", path, policy([], new_id))
    rerun.answer("POST", path, policy(ACCESS, new_id))
    result = ensure_connection(rerun, desired, listing=ConnectionListing())
    assert result["changed"] is True and result["access"] == ACCESS and result["connection"]["id"] == new_id
    assert routes(rerun, WRITES) == ["POST " + path]


def test_an_unchanged_connection_whose_access_write_fails_is_not_changed():
    connection_id = ids(1)[0]
    path = policy_path("connection:" + connection_id)
    client = FakeClient().answer("GET", CONNECTIONS_PATH, page(resource("kept", AWS, connection_id)))
    client.answer("GET", path, policy([{"relation": "viewer", "principals": [ROLE]}], connection_id))
    client.answer("POST", path, DatadogAPIError(["Forbidden"], status=403, method="POST", path=path))
    with pytest.raises(AccessFailed) as failure:
        ensure_connection(client, desired_from_params({"name": "kept", "integration": AWS, "access": ACCESS}),
                          listing=ConnectionListing())
    assert str(failure.value).startswith("Failed to set the access of action connection 'kept' (%s): " % connection_id)
    assert failure.value.result["changed"] is False and failure.value.result["connection"]["id"] == connection_id
