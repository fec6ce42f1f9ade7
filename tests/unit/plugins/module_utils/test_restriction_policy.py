# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Restriction policies: input checks (no request), the pure decision (set semantics, generated reorderings and
repetitions), the diff with principals as written, and the one write each decision makes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, UnusableAnswerError
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalError, PrincipalResolver
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import (
    DELETE,
    NOTHING,
    REPLACE,
    DesiredPolicy,
    apply_policy,
    canonical,
    decide_policy,
    ensure_policy,
    parse_bindings,
    parse_resource_id,
    policy_path,
    read_policy,
    resolve_bindings,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.principal_directory import ORG_ID, Directory, PolicyServer, make_id

CONNECTION_ID = "0b7e7b5e-3f4d-4c1a-9e2b-6a8d5f1c2e34"
RESOURCE = "connection:" + CONNECTION_ID
PATH = "/api/v2/restriction_policy/connection%3A" + CONNECTION_ID
TEAM = "team:985a8764-395f-53a6-9bd6-69f53805b1f0"
ROLE = "role:290b0ad1-3da7-53ed-ba96-c99a8e9b637f"
USER = "user:d16efa1f-7ac8-59cd-b20f-72258b40bbde"
ORG = "org:" + ORG_ID


def answer(bindings, resource_id=RESOURCE):
    return {"data": {"id": resource_id, "type": "restriction_policy", "attributes": {"bindings": bindings}}}


def desired(bindings, names=None, allow_self_lockout=False, resource_id=RESOURCE):
    return DesiredPolicy(resource_id, bindings, allow_self_lockout, names or {})


# -- input ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, resource_type, identifier", [
    ("connection:" + CONNECTION_ID.upper(), "connection", CONNECTION_ID),
    (" workflow:" + CONNECTION_ID + " ", "workflow", CONNECTION_ID),
    ("app-builder-app:" + CONNECTION_ID, "app-builder-app", CONNECTION_ID),
    ("dashboard:abc-def-ghi", "dashboard", "abc-def-ghi"),
    ("notebook:12345", "notebook", "12345"),
    ("connection-group:Group-1", "connection-group", "Group-1"),
    ("security_rule:x", "security_rule", "x"),  # Datadog says whether it supports policies
])
def test_resource_ids(value, resource_type, identifier):
    resource = parse_resource_id(value)
    assert (resource.type, resource.id, resource.text) == (resource_type, identifier, "%s:%s" % (resource_type, identifier))


@pytest.mark.parametrize("value, expected", [
    ("malformed", "resource_id must be <type>:<id> without spaces, for example connection:<UUID>"),
    (":abc", "resource_id must be <type>:<id>"),
    ("connection:", "resource_id must be <type>:<id>"),
    ("connection%3A" + CONNECTION_ID, "resource_id must be <type>:<id>"),
    ("dashboard:abc def", "resource_id must be <type>:<id> without spaces"),
    ("Connection:" + CONNECTION_ID, "resource_id: the resource type 'Connection' is not a Datadog resource type"),
    ("connection:not-a-uuid", "resource_id: connection IDs are UUIDs"),
    ("workflow:12345", "resource_id: workflow IDs are UUIDs"),
    (["connection:x"], "resource_id must be a string <type>:<id>"),
])
def test_a_malformed_resource_id_is_refused(value, expected):
    with pytest.raises(InputError) as error:
        parse_resource_id(value)
    assert expected in str(error.value)


def test_bindings_are_parsed_with_their_principals():
    bindings = parse_bindings([{"relation": "resolver", "principals": ["team:sre", "org", ROLE]}], "connection")
    assert [binding.relation for binding in bindings] == ["resolver"]
    assert [principal.written for principal in bindings[0].principals] == ["team:sre", "org", ROLE]


@pytest.mark.parametrize("resource_type, relation", [
    ("connection", "viewer"), ("connection", "resolver"), ("connection", "editor"),
    ("connection-group", "viewer"), ("connection-group", "editor"),
    ("workflow", "viewer"), ("workflow", "runner"), ("workflow", "editor"),
    ("app-builder-app", "viewer"), ("app-builder-app", "editor"),
    ("cross-org-connection", "viewer"), ("cross-org-connection", "editor"),
    ("dashboard", "editor"), ("case-management-project", "manager"), ("logs-pipeline", "processors_editor"),
    ("dashboard", "anything_datadog_may_add"),
])
def test_relations_of_each_workflow_type_and_any_relation_of_other_types_are_accepted(resource_type, relation):
    assert parse_bindings([{"relation": relation, "principals": ["org"]}], resource_type)[0].relation == relation


@pytest.mark.parametrize("value, resource_type, expected", [
    ([{"relation": "runner", "principals": ["org"]}], "connection",
     "bindings[0].relation 'runner' is not a relation of connection resources; allowed: viewer, resolver, editor"),
    ([{"relation": "viewer", "principals": ["org"]}, {"relation": "resolver", "principals": ["org"]}], "workflow",
     "bindings[1].relation 'resolver' is not a relation of workflow resources; allowed: viewer, runner, editor"),
    ([{"relation": "Editor", "principals": ["org"]}], "app-builder-app", "bindings[0].relation must be a relation such as viewer, editor"),
    ([{"relation": "", "principals": ["org"]}], "dashboard", "bindings[0].relation must be a relation"),
    ([{"relation": "editor", "principals": "team:sre"}], "dashboard", "bindings[0].principals must be a list of principals"),
    ([{"relation": "editor", "principals": ["team:sre", "squad:x"]}], "connection", "bindings[0].principals[1] must be org"),
    ([{"relation": "editor", "principals": ["org"], "principal": ["x"]}], "connection", "bindings[0]: unknown key(s) principal"),
    (["editor"], "connection", "bindings[0] must be a dict with relation and principals"),
    ({"relation": "editor"}, "connection", "bindings must be a list of {relation, principals}"),
])
def test_bad_bindings_are_refused_naming_the_entry(value, resource_type, expected):
    with pytest.raises(InputError) as error:
        parse_bindings(value, resource_type)
    assert expected in str(error.value)


def test_the_option_name_is_the_callers():
    with pytest.raises(InputError) as error:
        parse_bindings([{"relation": "runner", "principals": ["org"]}], "connection", option="connections[2].access")
    assert str(error.value).startswith("connections[2].access[0].relation 'runner'")


def test_resolution_names_where_an_unknown_principal_is_written():
    directory = Directory(teams=["sre-oncall"])
    bindings = parse_bindings([{"relation": "viewer", "principals": ["org"]},
                               {"relation": "resolver", "principals": [ROLE, "team:sre"]}], "connection")
    with pytest.raises(PrincipalError) as error:
        resolve_bindings(directory, PrincipalResolver(), bindings)
    assert str(error.value).startswith("Principal team:sre (bindings[1].principals[1]) matches no team")
    assert error.value.result == {"principal": "team:sre"}


def test_resolution_gives_ids_and_the_names_as_written():
    directory = Directory(roles=["Datadog Admin Role"], teams=["sre"])
    bindings = parse_bindings([{"relation": "resolver", "principals": ["team:sre", "org", USER]},
                               {"relation": "editor", "principals": ["role:Datadog Admin Role"]}], "connection")
    resolved, names = resolve_bindings(directory, PrincipalResolver(), bindings)
    team, role = "team:" + make_id("team", "sre"), "role:" + make_id("role", "Datadog Admin Role")
    assert resolved == [{"relation": "resolver", "principals": [team, ORG, USER]}, {"relation": "editor", "principals": [role]}]
    assert names == {team: "team:sre", ORG: "org", role: "role:Datadog Admin Role"}


# -- deciding ----------------------------------------------------------------------------------------------------------

CURRENT = [{"relation": "resolver", "principals": [TEAM, USER]}, {"relation": "editor", "principals": [ROLE]}]


def test_the_same_policy_in_another_order_with_repetitions_decides_nothing():
    wanted = [{"relation": "editor", "principals": [ROLE.upper().replace("ROLE:", "role:"), ROLE]},
              {"relation": "resolver", "principals": [USER]}, {"relation": "resolver", "principals": [TEAM, USER]}]
    action = decide_policy(desired(wanted), CURRENT)
    assert action.kind == NOTHING and not action.changed
    assert action.after == CURRENT


def test_one_principal_less_replaces_the_whole_policy():
    action = decide_policy(desired([{"relation": "resolver", "principals": [TEAM]}, {"relation": "editor", "principals": [ROLE]}]),
                           CURRENT)
    assert action.kind == REPLACE
    assert action.body() == {"data": {"id": RESOURCE, "type": "restriction_policy", "attributes": {"bindings": [
        {"relation": "resolver", "principals": [TEAM]}, {"relation": "editor", "principals": [ROLE]}]}}}


def test_the_body_merges_relations_and_drops_repetitions_and_empty_bindings_in_the_order_written():
    wanted = [{"relation": "viewer", "principals": []}, {"relation": "editor", "principals": [ROLE, ROLE]},
              {"relation": "resolver", "principals": [TEAM]}, {"relation": "editor", "principals": [USER, ROLE]}]
    action = decide_policy(desired(wanted), [])
    assert action.after == [{"relation": "editor", "principals": [ROLE, USER]}, {"relation": "resolver", "principals": [TEAM]}]


@pytest.mark.parametrize("wanted", [None, [], [{"relation": "editor", "principals": []}]])
def test_no_bindings_delete_a_policy_and_leave_none_alone(wanted):
    assert decide_policy(desired(wanted), CURRENT).kind == DELETE
    assert decide_policy(desired(wanted), []).kind == NOTHING
    assert decide_policy(desired(wanted), [{"relation": "editor", "principals": []}]).kind == NOTHING


def test_the_diff_shows_principals_as_written_and_ids_it_has_no_name_for():
    names = {TEAM: "team:sre", ROLE: "role:Datadog Admin Role"}
    action = decide_policy(desired([{"relation": "editor", "principals": [ROLE]}, {"relation": "resolver", "principals": [TEAM]}],
                                   names=names), CURRENT)
    assert action.diff == {
        "before": {"resource_id": RESOURCE, "bindings": [{"relation": "resolver", "principals": ["team:sre", USER]},
                                                         {"relation": "editor", "principals": ["role:Datadog Admin Role"]}]},
        "after": {"resource_id": RESOURCE, "bindings": [{"relation": "resolver", "principals": ["team:sre"]},
                                                        {"relation": "editor", "principals": ["role:Datadog Admin Role"]}]},
    }


def test_the_diff_orders_relations_of_other_types_by_name():
    action = decide_policy(desired([{"relation": "viewer", "principals": [ORG]}, {"relation": "editor", "principals": [ROLE]}],
                                   resource_id="dashboard:abc"), [])
    assert [binding["relation"] for binding in action.diff["after"]["bindings"]] == ["editor", "viewer"]


def test_an_action_decided_before_its_resource_existed_takes_its_id():
    action = decide_policy(desired([{"relation": "resolver", "principals": [TEAM]}], resource_id="connection:pending"), [])
    moved = action.for_resource(RESOURCE)
    assert moved.body()["data"]["id"] == RESOURCE and moved.diff["after"]["resource_id"] == RESOURCE


PRINCIPALS = st.sampled_from([TEAM, ROLE, USER, ORG, "team:0f4c1d2e-9a8b-4c7d-8e6f-5a4b3c2d1e0f"])
RELATIONS = st.sampled_from(["viewer", "resolver", "editor"])
POLICIES = st.lists(st.tuples(RELATIONS, st.lists(PRINCIPALS, min_size=1, max_size=4)), max_size=5).map(
    lambda pairs: [{"relation": relation, "principals": principals} for relation, principals in pairs])


def rewritten(bindings, data):
    """The same grants written another way: bindings split, shuffled and repeated, principals shuffled and repeated,
    UUIDs in upper case."""
    pieces = []
    for binding in bindings:
        principals = data.draw(st.permutations(binding["principals"]))
        principals += data.draw(st.lists(st.sampled_from(binding["principals"]), max_size=3))
        cut = data.draw(st.integers(0, len(principals)))
        pieces += [{"relation": binding["relation"], "principals": part} for part in (principals[:cut], principals[cut:])]
        pieces += data.draw(st.lists(st.just({"relation": binding["relation"], "principals": []}), max_size=1))
    pieces = data.draw(st.permutations(pieces))
    return [dict(piece, principals=[principal.split(":")[0] + ":" + principal.split(":")[1].upper()
                                    if data.draw(st.booleans()) else principal for principal in piece["principals"]])
            for piece in pieces]


@settings(max_examples=300, deadline=None, database=None)
@given(current=POLICIES, data=st.data())
def test_any_reordering_and_repetition_of_bindings_and_principals_decides_nothing(current, data):
    assert decide_policy(desired(rewritten(current, data)), current).kind == NOTHING


@settings(max_examples=300, deadline=None, database=None)
@given(current=POLICIES, wanted=POLICIES)
def test_the_decision_follows_the_sets_of_grants_only(current, wanted):
    def grants(bindings):
        return set((binding["relation"], principal) for binding in bindings for principal in binding["principals"])

    action = decide_policy(desired(wanted), current)
    expected = NOTHING if grants(wanted) == grants(current) else (DELETE if not grants(wanted) else REPLACE)
    assert action.kind == expected
    if action.kind == REPLACE:
        assert grants(action.after) == grants(wanted)
        assert len(grants(action.after)) == sum(len(binding["principals"]) for binding in action.after)
        assert len(set(binding["relation"] for binding in action.after)) == len(action.after)
        assert canonical(action.body()["data"]["attributes"]["bindings"]) == canonical(wanted)


# -- reading and writing -----------------------------------------------------------------------------------------------

def test_the_resource_id_is_path_escaped():
    assert policy_path(RESOURCE) == PATH
    assert policy_path("dashboard:a/b c") == "/api/v2/restriction_policy/dashboard%3Aa%2Fb%20c"


@pytest.mark.parametrize("status, body, bindings", [
    (200, answer(CURRENT), CURRENT),
    (200, answer([]), []),
    (404, {"errors": ["not found"]}, []),
])
def test_reading_a_policy_takes_none_for_empty_and_404(status, body, bindings):
    client = FakeClient().answer("GET", PATH, (status, body))
    assert read_policy(client, RESOURCE) == bindings
    assert client.methods() == ["GET"]


@pytest.mark.parametrize("body", [
    answer([{"relation": "editor", "principals": "org"}]),
    answer("everyone"),
    answer(None),
    {"data": {"id": RESOURCE, "attributes": {"bindings": [{"principals": []}]}}},
    {"data": {"id": RESOURCE, "type": "restriction_policy", "attributes": {}}},
    {"data": {"id": RESOURCE, "type": "restriction_policy"}},
    {"data": {}},
    {"data": None},
    {"data": []},
    {"policy": []},
    None,
])
def test_an_answer_that_is_not_a_policy_fails_clearly_and_is_never_taken_for_none(body):
    """Datadog answers a resource without a policy with ``data.attributes.bindings: []``; a 200 without that is
    unusable, not "no policy" (which would make a connection with access send a POST)."""
    client = FakeClient().answer("GET", PATH, (200, body))
    with pytest.raises(TaskFailure) as error:
        read_policy(client, RESOURCE)
    assert str(error.value).startswith("Failed to read the restriction policy of %s: HTTP 200: the answer " % RESOURCE)
    assert isinstance(error.value.cause, UnusableAnswerError)
    assert error.value.result == {"status": 200}


def test_nothing_to_do_sends_nothing():
    client = FakeClient()
    action = decide_policy(desired(CURRENT), CURRENT)
    assert apply_policy(client, action) == (action, CURRENT)
    assert client.calls == []


def test_a_replace_is_one_post_sent_as_idempotent_and_returns_datadogs_answer():
    wanted = [{"relation": "resolver", "principals": [TEAM]}]
    client = FakeClient().answer("POST", PATH, (200, answer(wanted)))
    calls = []
    real = client.request

    def request(method, path, params=None, body=None, expected=(200,), idempotent=None):
        calls.append(idempotent)
        return real(method, path, params=params, body=body, expected=expected, idempotent=idempotent)

    client.request = request
    action = decide_policy(desired(wanted), CURRENT)
    assert apply_policy(client, action) == (action, wanted)
    assert client.calls == [("POST", PATH, None, answer(wanted))] and calls == [True]


def test_allow_self_lockout_is_sent_only_when_set():
    wanted = [{"relation": "viewer", "principals": [TEAM]}]
    client = FakeClient().answer("POST", PATH, (200, answer(wanted)))
    apply_policy(client, decide_policy(desired(wanted, allow_self_lockout=True), CURRENT))
    assert client.calls[0][2] == {"allow_self_lockout": "true"}


def test_a_delete_is_one_delete():
    client = FakeClient().answer("DELETE", PATH, (204, None))
    action = decide_policy(desired(None), CURRENT)
    assert apply_policy(client, action) == (action, [])
    assert client.methods() == ["DELETE"] and action.changed


def test_a_delete_answered_404_was_done_by_someone_else_and_changes_nothing_here():
    """The policy was read, then removed by another writer before this DELETE: the end state is the one decided, and
    this task changed nothing (as a connection deleted by someone else first)."""
    client = FakeClient().answer("DELETE", PATH, (404, {"errors": ["not found"]}))
    done, after = apply_policy(client, decide_policy(desired(None), CURRENT))
    assert (done.kind, done.changed, after) == (NOTHING, False, [])
    assert done.diff["before"] == done.diff["after"]
    assert client.methods() == ["DELETE"]


def test_a_self_lockout_refusal_points_to_allow_self_lockout():
    error = DatadogAPIError(["Invalid request: [SelfLockout] this policy would lock you out"], status=400, method="POST", path=PATH)
    client = FakeClient().answer("POST", PATH, error)
    with pytest.raises(TaskFailure) as failure:
        apply_policy(client, decide_policy(desired([{"relation": "viewer", "principals": [TEAM]}]), CURRENT))
    assert str(failure.value) == ("Failed to set the restriction policy of %s: HTTP 400: Invalid request: [SelfLockout] this "
                                  "policy would lock you out (POST %s); set allow_self_lockout to true to apply it anyway"
                                  % (RESOURCE, PATH))
    assert failure.value.result == {"status": 400}


def test_another_400_is_datadogs_message():
    error = DatadogAPIError(['Invalid request: [RelationInvalidForResourceType] relation "runner" is not supported'],
                            status=400, method="POST", path="/p")
    client = FakeClient().answer("POST", "/api/v2/restriction_policy/dashboard%3Aabc", error)
    with pytest.raises(TaskFailure) as failure:
        apply_policy(client, decide_policy(desired([{"relation": "runner", "principals": [TEAM]}], resource_id="dashboard:abc"), []))
    assert str(failure.value) == ('Failed to set the restriction policy of dashboard:abc: HTTP 400: Invalid request: '
                                  '[RelationInvalidForResourceType] relation "runner" is not supported (POST /p)')


# -- one resource ---------------------------------------------------------------------------------------------------------

def test_ensure_policy_resolves_reads_decides_and_writes_once():
    directory = PolicyServer(roles=["Datadog Admin Role"], teams=["sre"])
    resource = parse_resource_id(RESOURCE)
    bindings = parse_bindings([{"relation": "resolver", "principals": ["team:sre", "org"]},
                               {"relation": "editor", "principals": ["role:Datadog Admin Role"]}], "connection")
    resolver = PrincipalResolver()
    result = ensure_policy(directory, resolver, resource, bindings)
    team, role = "team:" + make_id("team", "sre"), "role:" + make_id("role", "Datadog Admin Role")
    assert result["changed"] is True
    assert result["policy"] == {"resource_id": RESOURCE, "bindings": [{"relation": "resolver", "principals": [team, ORG]},
                                                                      {"relation": "editor", "principals": [role]}]}
    assert result["principals"] == {"team:sre": team, "org": ORG, "role:Datadog Admin Role": role}
    assert result["diff"]["after"]["bindings"][0] == {"relation": "resolver", "principals": ["org", "team:sre"]}
    assert [call[0] for call in directory.calls] == ["/api/v2/team", "/api/v2/current_user", "/api/v2/roles", "GET " + PATH, "POST " + PATH]
    assert directory.policies[RESOURCE] == result["policy"]["bindings"]


def test_ensure_policy_in_check_mode_reads_only():
    directory = PolicyServer({RESOURCE: CURRENT})
    result = ensure_policy(directory, PrincipalResolver(), parse_resource_id(RESOURCE), None, check_mode=True)
    assert result["changed"] is True and result["policy"]["bindings"] == []
    assert [call[0] for call in directory.calls] == ["GET " + PATH]


def test_a_principal_that_cannot_be_resolved_fails_before_the_policy_is_read():
    directory = PolicyServer({RESOURCE: CURRENT}, teams=["sre-oncall"])
    with pytest.raises(PrincipalError):
        ensure_policy(directory, PrincipalResolver(), parse_resource_id(RESOURCE),
                      parse_bindings([{"relation": "resolver", "principals": ["team:sre"]}], "connection"))
    assert [call[0] for call in directory.calls] == ["/api/v2/team"]


# -- writes answered 2xx without a usable answer -------------------------------------------------------------------------

def unusable(method, status=200):
    return UnusableAnswerError("the answer has no 'data' member (got an object with keys meta)", status=status,
                               method=method, path=PATH)


@pytest.mark.parametrize("kind, method, wanted, verb", [
    (REPLACE, "POST", [{"relation": "resolver", "principals": [TEAM]}], "set"),
    (DELETE, "DELETE", None, "delete"),
])
def test_a_write_answered_without_a_usable_answer_is_read_again_and_adopted_with_a_warning(kind, method, wanted, verb):
    client = FakeClient().answer(method, PATH, unusable(method)).answer("GET", PATH, (200, answer(wanted or [])))
    warnings = []
    action = decide_policy(desired(wanted), CURRENT)
    assert action.kind == kind
    assert apply_policy(client, action, warnings) == (action, wanted or [])
    assert client.methods() == [method, "GET"]
    assert warnings == ["The %s request for the restriction policy of %s was answered HTTP 200 but without a usable answer "
                        "(HTTP 200: the answer has no 'data' member (got an object with keys meta) (%s %s)), so it may "
                        "have been applied: the policy, read again, shows the change" % (verb, RESOURCE, method, PATH)]


@pytest.mark.parametrize("method, wanted", [("POST", [{"relation": "resolver", "principals": [TEAM]}]), ("DELETE", None)])
def test_a_write_answered_without_a_usable_answer_and_not_shown_fails_saying_it_may_have_been_applied(method, wanted):
    client = FakeClient().answer(method, PATH, unusable(method, 204)).answer("GET", PATH, (200, answer(CURRENT)))
    with pytest.raises(TaskFailure) as failure:
        apply_policy(client, decide_policy(desired(wanted), CURRENT), [])
    assert "Datadog answered HTTP 204, so it accepted the request, but without a usable answer" in str(failure.value)
    assert "the policy read again does not show the change" in str(failure.value)
    assert failure.value.result == {"status": 204} and client.methods() == [method, "GET"]


def test_a_write_answered_without_a_usable_answer_whose_read_fails_says_so():
    client = FakeClient().answer("POST", PATH, unusable("POST")).answer("GET", PATH, (200, {"data": None}))
    with pytest.raises(TaskFailure) as failure:
        apply_policy(client, decide_policy(desired([{"relation": "resolver", "principals": [TEAM]}]), CURRENT))
    assert str(failure.value).startswith("Failed to set the restriction policy of %s: Datadog answered HTTP 200, so it "
                                         "accepted the request" % RESOURCE)
    assert "reading the policy again failed (Failed to read the restriction policy" in str(failure.value)
