# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Access in the pure decision of one connection: the policy action rides on the connection's action, compares as a
set, shows names in the diff, and enters the fingerprint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import desired_from_params
from ansible_collections.ddops.datadog.plugins.module_utils._connection_plan import (
    CREATE,
    UNCHANGED,
    Access,
    decide,
    fingerprint,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import NEW_RESOURCE
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.action_connection_samples import resource

CONNECTION_ID = "0b7e7b5e-3f4d-4c1a-9e2b-6a8d5f1c2e34"
AWS = {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012", "role": "r1"}}
TEAM = "team:985a8764-395f-53a6-9bd6-69f53805b1f0"
ROLE = "role:290b0ad1-3da7-53ed-ba96-c99a8e9b637f"
USER = "user:d16efa1f-7ac8-59cd-b20f-72258b40bbde"
PRINCIPALS = (TEAM, ROLE, USER)


def desired(access):
    return desired_from_params({"name": "conn", "integration": AWS, "access": access})


def current():
    return resource("conn", AWS, CONNECTION_ID)


def test_left_out_access_is_not_managed():
    action = decide(desired_from_params({"name": "conn", "integration": AWS}), current())
    assert action.policy is None and action.kind == UNCHANGED and not action.changes


def test_declared_access_needs_the_access_read():
    with pytest.raises(ValueError):
        decide(desired([{"relation": "viewer", "principals": ["org"]}]), current())


def test_a_relation_a_connection_lacks_is_refused_naming_the_option():
    with pytest.raises(InputError, match=r"access\[0\]\.relation 'runner' is not a relation of connection resources"):
        desired([{"relation": "runner", "principals": ["org"]}])


def test_an_access_change_alone_writes_the_policy_and_shows_names():
    bindings = [{"relation": "resolver", "principals": [TEAM]}]
    action = decide(desired([{"relation": "resolver", "principals": ["team:sre"]}]), current(),
                    Access(bindings, {TEAM: "team:sre"}, []))
    assert action.kind == UNCHANGED and action.changes and action.access_kind == "replace"
    assert action.policy.resource_id == "connection:" + CONNECTION_ID
    assert action.diff["after"]["access"] == [{"relation": "resolver", "principals": ["team:sre"]}]
    assert action.diff["before"]["access"] == []


def test_a_create_decides_its_access_against_no_policy_and_the_new_id_comes_later():
    bindings = [{"relation": "editor", "principals": [ROLE]}]
    action = decide(desired([{"relation": "editor", "principals": [ROLE]}]), None, Access(bindings, {}, None))
    assert action.kind == CREATE and action.access_kind == "replace"
    assert action.policy.resource_id == NEW_RESOURCE
    assert action.policy.for_resource("connection:x").body()["data"]["id"] == "connection:x"
    empty = decide(desired([]), None, Access([], {}, None))
    assert empty.access_kind == "nothing"


def test_an_empty_access_deletes_a_policy():
    action = decide(desired([]), current(), Access([], {}, [{"relation": "viewer", "principals": [TEAM]}]))
    assert action.access_kind == "delete"


def _upper_id(principal):
    kind, _separator, identifier = principal.partition(":")
    return "%s:%s" % (kind, identifier.upper())


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(("viewer", "resolver", "editor")), st.sampled_from(PRINCIPALS)), min_size=1),
       st.randoms(use_true_random=False))
def test_access_compares_as_a_set_whatever_the_order_and_repetitions(grants, random):
    """The same grants, written in any order, grouped any way, repeated, with principals in any case, decide nothing
    against the policy as read, and the fingerprint of that decision depends only on the set."""
    read = [{"relation": relation, "principals": [principal]} for relation, principal in sorted(set(grants))]
    shuffled = list(grants) + random.sample(grants, len(grants) // 2)
    random.shuffle(shuffled)
    written = [{"relation": relation, "principals": [_upper_id(principal) if random.random() < 0.3 else principal]}
               for relation, principal in shuffled]
    action = decide(desired(written), current(), Access(written, {}, read))
    assert action.access_kind == "nothing" and not action.changes
    again = decide(desired(written), current(), Access(list(reversed(written)), {}, list(reversed(read))))
    assert fingerprint(again)  # computable
    assert action.policy.changed is False


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sets(st.tuples(st.sampled_from(("viewer", "resolver", "editor")), st.sampled_from(PRINCIPALS))),
       st.sets(st.tuples(st.sampled_from(("viewer", "resolver", "editor")), st.sampled_from(PRINCIPALS))))
def test_a_write_is_decided_exactly_when_the_sets_differ(wanted, held):
    written = [{"relation": relation, "principals": [principal]} for relation, principal in sorted(wanted)]
    read = [{"relation": relation, "principals": [principal]} for relation, principal in sorted(held)]
    action = decide(desired(written), current(), Access(written, {}, read))
    if wanted == held:
        assert action.access_kind == "nothing"
    elif not wanted:
        assert action.access_kind == "delete"
    else:
        assert action.access_kind == "replace"
        sent = set((binding["relation"], principal) for binding in action.policy.body()["data"]["attributes"]["bindings"]
                   for principal in binding["principals"])
        assert sent == wanted
    policy_print = fingerprint(action)
    other = decide(desired(written), current(), Access(written, {}, read + [{"relation": "viewer", "principals": ["org:x"]}]))
    assert fingerprint(other) != policy_print  # the policy as read is part of what the plan holds
