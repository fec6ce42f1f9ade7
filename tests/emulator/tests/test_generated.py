# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Generated (hypothesis) tests: any state loads, reads back and loads again the same; the principal lists' pages
cover every entry once at any page size."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dd_emulator.policies import RELATIONS
from dd_emulator.principals import DEFAULT_ROLES, DEFAULT_TEAMS
from dd_emulator.server import Emulator
from dd_emulator.timeparse import format_iso

SETTINGS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 -_.", min_size=1, max_size=12).map(str.strip).filter(bool)
TAGS = st.lists(st.builds("{}:{}".format, st.sampled_from(["team", "env", "owner"]), WORDS.map(lambda word: word.replace(" ", "-"))),
                max_size=3)
UUIDS = st.uuids().map(str)
MILLISECONDS = st.integers(1_600_000_000_000, 1_800_000_000_000)


def _aws(account, role):
    return {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": account, "role": role}}


def _http(token, header):
    return {"type": "HTTP", "base_url": "https://example.invalid/api",
            "credentials": {"type": "HTTPTokenAuth", "tokens": [{"name": "token", "type": "SECRET", "value": token}],
                            "headers": [{"name": "X-Team", "value": header}]}}


def _datadog(key):
    return {"type": "Datadog", "credentials": {"type": "DatadogAPIKey", "datacenter": "datadoghq.com", "api_key": key, "app_key": key}}


INTEGRATIONS = st.one_of(st.builds(_aws, st.from_regex(r"\A\d{12}\Z"), WORDS), st.builds(_http, WORDS, WORDS), st.builds(_datadog, WORDS))


@st.composite
def states(draw):
    """A state file: connections (some with pinned IDs), registrations, principals with memberships, policies naming
    connections and principals by name and by ID, audit events at ISO or epoch-millisecond times."""
    names = draw(st.lists(WORDS, unique=True, max_size=5))
    connections = []
    for name in names:
        connection = {"name": name, "tags": draw(TAGS), "integration": draw(INTEGRATIONS)}
        if draw(st.booleans()):
            connection["id"] = draw(UUIDS)
        connections.append(connection)
    pinned = [connection["id"] for connection in connections if "id" in connection]
    if len(set(pinned)) < len(pinned):  # two connections cannot share an ID
        connections = [dict((key, value) for key, value in connection.items() if key != "id") for connection in connections]
    roles = draw(st.lists(WORDS.map("role {}".format), unique=True, max_size=3))
    teams = [{"handle": handle, "name": handle.upper()} for handle in draw(st.lists(WORDS.map("team-{}".format), unique=True, max_size=3))]
    all_roles, all_teams = list(DEFAULT_ROLES) + roles, [team["handle"] for team in DEFAULT_TEAMS] + [team["handle"] for team in teams]
    users = [{"email": email, "name": email.split("@")[0], "service_account": draw(st.booleans()),
              "roles": draw(st.lists(st.sampled_from(all_roles), unique=True, max_size=2)),
              "teams": draw(st.lists(st.sampled_from(all_teams), unique=True, max_size=2))}
             for email in draw(st.lists(WORDS.map(lambda word: word.replace(" ", "") + "@ddops.invalid"), unique=True, max_size=3))]
    principal_names = (["org"] + ["role:" + role for role in all_roles] + ["team:" + team for team in all_teams]
                       + ["user:" + user["email"] for user in users] + ["user:" + str(uuid.UUID(int=7))])
    resources = ["connection:" + name for name in names] + draw(st.lists(st.builds("workflow:{}".format, UUIDS), unique=True, max_size=2))
    policies = {}
    for resource in resources:
        if draw(st.booleans()):
            relations = RELATIONS[resource.split(":", 1)[0]]
            policies[resource] = [{"relation": relation, "principals": draw(st.lists(st.sampled_from(principal_names), min_size=1, max_size=3))}
                                  for relation in draw(st.lists(st.sampled_from(relations), min_size=1, max_size=3))]
    events = [{"message": draw(WORDS), "tags": draw(TAGS), "service": draw(WORDS),
               "attributes": {"evt": {"name": draw(WORDS)}, "count": draw(st.integers(-5, 5))},
               "timestamp": draw(st.one_of(MILLISECONDS, MILLISECONDS.map(format_iso)))}
              for _number in range(draw(st.integers(0, 4)))]
    return {"connections": connections, "app_key_registrations": draw(st.lists(UUIDS, unique=True, max_size=3)),
            "principals": {"roles": roles, "teams": teams, "users": users}, "restriction_policies": policies, "audit_events": events}


@SETTINGS
@given(states())
def test_any_state_reads_back_and_loads_again_the_same(state):
    first = Emulator(state=state).dump_state(reveal_secrets=True)
    assert Emulator(state=first).dump_state(reveal_secrets=True) == first
    assert [connection["name"] for connection in first["connections"]] == [connection["name"] for connection in state["connections"]]
    for connection, given in zip(first["connections"], state["connections"]):
        assert connection["id"] == given.get("id", connection["id"])
    assert len(first["restriction_policies"]) == len(state["restriction_policies"])
    assert sorted(event["message"] for event in first["audit_events"]) == sorted(event["message"] for event in state["audit_events"])
    blanked = Emulator(state=state).dump_state()
    assert Emulator(state=blanked).dump_state() == blanked


@settings(max_examples=80, deadline=None, database=None)
@given(entries=st.integers(0, 45), size=st.integers(1, 100), route=st.sampled_from(["roles", "teams", "users"]))
def test_pages_cover_every_principal_once(entries, size, route):
    emulator = Emulator()
    principals = emulator.state.principals
    principals.add(roles=["r%03d" % number for number in range(entries)], teams=[{"handle": "t%03d" % number} for number in range(entries)],
                   users=[{"email": "u%03d@ddops.invalid" % number} for number in range(entries)])
    expected = [entry.id for entry in sorted(getattr(principals, route), key=lambda entry: (entry.name.lower(), entry.id))]
    seen = []
    for number in range(len(expected) // size + 2):
        args = _Args({"page[size]": str(size), "page[number]": str(number)})
        if route == "roles":
            page = principals.list_roles(args)
            assert page["meta"]["page"]["total_filtered_count"] == len(expected)
        elif route == "teams":
            page = principals.list_teams(args, "", "http://emulator/api/v2/team")
            assert page["meta"]["pagination"]["total"] == len(expected)
            assert page["meta"]["pagination"]["offset"] == number * size
        else:
            page = principals.list_users(args)
        assert len(page["data"]) == max(0, min(size, len(expected) - number * size))
        seen += [item["id"] for item in page["data"]]
    assert seen == expected


class _Args(dict):
    """The part of werkzeug's MultiDict the list functions use."""

    def items(self, multi=False):  # pylint: disable=arguments-differ,unused-argument
        return super().items()
