# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Principals by name: the forms, exact matches across pages of a substring search, none or several, one look-up per
name (also from many threads at once), against a scripted directory that filters and pages as Datadog does."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError, RequestCancelled
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._principals import (
    Principal,
    PrincipalError,
    PrincipalResolver,
    parse_principal,
    search,
    search_total,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.principal_directory import ORG_ID, ROLE_ID, Directory, make_id


# -- parsing -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, kind, identifier, name, written", [
    ("org", "org", None, "", "org"),
    ("  org ", "org", None, "", "org"),
    ("org:" + ORG_ID.upper(), "org", ORG_ID, "", "org:" + ORG_ID),
    ("role:Datadog Admin Role", "role", None, "Datadog Admin Role", "role:Datadog Admin Role"),
    ("role: Datadog Admin Role ", "role", None, "Datadog Admin Role", "role:Datadog Admin Role"),
    ("role:" + ROLE_ID, "role", ROLE_ID, "", "role:" + ROLE_ID),
    ("team:sre", "team", None, "sre", "team:sre"),
    ("user:Ada@Example.com", "user", None, "Ada@Example.com", "user:Ada@Example.com"),
    ("user:" + ROLE_ID, "user", ROLE_ID, "", "user:" + ROLE_ID),
])
def test_the_written_forms_of_a_principal(value, kind, identifier, name, written):
    assert parse_principal(value, "bindings[0].principals[0]") == Principal(kind, identifier, name, written)


@pytest.mark.parametrize("value, expected", [
    ("group:sre", "bindings[0].principals[2] must be org, role:<role name>, team:<team handle>, user:<email>"),
    ("sre", "bindings[0].principals[2] must be org, role:<role name>"),
    ("Role:Admin", "bindings[0].principals[2] must be org"),
    ("team:", "bindings[0].principals[2] names no team after 'team:'"),
    ("user:  ", "bindings[0].principals[2] names no user after 'user:'"),
    ("org:Emulator Org", "an organization is written org (the organization of the calling key) or org:<UUID>"),
    ("role:Admin\nRole", "bindings[0].principals[2] must not contain control characters"),
    (42, "bindings[0].principals[2] must be a string"),
    (None, "bindings[0].principals[2] must be a string"),
])
def test_a_principal_in_no_known_form_is_refused_naming_where_it_is(value, expected):
    with pytest.raises(InputError) as error:
        parse_principal(value, "bindings[0].principals[2]")
    assert expected in str(error.value)


# -- exact matches -----------------------------------------------------------------------------------------------------

def test_a_name_matches_exactly_never_by_substring():
    directory = Directory(teams=["sre-oncall", "sre", "platform-sre"])
    resolver = PrincipalResolver()
    assert resolver.resolve(directory, parse_principal("team:sre", "p")) == "team:" + make_id("team", "sre", 1)
    assert directory.requests() == [("/api/v2/team", {"filter[keyword]": "sre", "page[size]": 100, "page[number]": 0})]


def test_role_names_and_team_handles_are_case_sensitive_emails_are_not():
    directory = Directory(roles=["Admins"], teams=["sre"], users=["ada@example.com"])
    resolver = PrincipalResolver()
    with pytest.raises(PrincipalError) as error:
        resolver.resolve(directory, parse_principal("role:admins", "p"))
    assert "none has the name 'admins' exactly; the search found only 'Admins'" in str(error.value)
    with pytest.raises(PrincipalError):
        resolver.resolve(directory, parse_principal("team:SRE", "p"))
    assert resolver.resolve(directory, parse_principal("user:Ada@Example.COM", "p")) == "user:" + make_id("user", "ada@example.com")


def test_an_email_is_not_found_inside_a_longer_one():
    directory = Directory(users=["ada@example.com.au", "ada@example.com"])
    assert PrincipalResolver().resolve(directory, parse_principal("user:ada@example.com", "p")) == \
        "user:" + make_id("user", "ada@example.com", 1)


def test_no_match_fails_naming_the_principal_and_the_near_misses():
    directory = Directory(teams=["sre-oncall", "sre-eu", "platform"])
    with pytest.raises(PrincipalError) as error:
        PrincipalResolver().resolve(directory, parse_principal("team:sre", "p"))
    assert str(error.value) == ("Principal team:sre matches no team: none has the handle 'sre' exactly; the search found "
                                "only 'sre-eu', 'sre-oncall'")
    assert error.value.result == {"principal": "team:sre"}


def test_several_matches_fail_with_their_ids():
    directory = Directory()
    directory.add("role", "Admins", ROLE_ID)
    directory.add("role", "Admins", make_id("role", "Admins", 2))
    with pytest.raises(PrincipalError) as error:
        PrincipalResolver().resolve(directory, parse_principal("role:Admins", "p"))
    assert "Principal role:Admins is ambiguous: 2 roles have the name 'Admins'" in str(error.value)
    assert "write role:<UUID> to choose one" in str(error.value)
    assert sorted(error.value.result["principal_ids"]) == sorted(["role:" + ROLE_ID, "role:" + make_id("role", "Admins", 2)])


def test_the_exact_match_is_found_on_a_later_page():
    names = ["sre-%03d" % number for number in range(250)] + ["sre"]
    directory = Directory(teams=names)
    resolver = PrincipalResolver(page_size=100)
    assert resolver.resolve(directory, parse_principal("team:sre", "p")) == "team:" + make_id("team", "sre", 250)
    assert [params["page[number]"] for _path, params in directory.requests()] == [0, 1, 2]


def test_a_server_answering_shorter_pages_than_asked_is_read_to_its_total():
    directory = Directory(teams=["sre-%d" % number for number in range(7)] + ["sre"], page_cap=3)
    assert PrincipalResolver(page_size=5).resolve(directory, parse_principal("team:sre", "p")) == "team:" + make_id("team", "sre", 7)
    assert [params["page[number]"] for _path, params in directory.requests()] == [0, 1, 2]


def test_org_is_the_organization_of_the_current_user():
    directory = Directory()
    assert PrincipalResolver().resolve(directory, parse_principal("org", "p")) == "org:" + ORG_ID
    assert directory.requests() == [("/api/v2/current_user", {})]


def test_an_answer_without_an_organization_fails_clearly():
    directory = Directory(org_id="not-a-uuid")
    with pytest.raises(TaskFailure) as error:
        PrincipalResolver().resolve(directory, parse_principal("org", "p"))
    assert str(error.value).startswith("Failed to look up the organization of the calling key: the answer names no "
                                       "organization (data.relationships.org.data.id is 'not-a-uuid')")


def test_ids_are_used_as_they_are_without_a_request():
    directory = Directory()
    resolver = PrincipalResolver()
    assert resolver.resolve(directory, parse_principal("role:" + ROLE_ID.upper(), "p")) == "role:" + ROLE_ID
    assert resolver.resolve(directory, parse_principal("org:" + ORG_ID, "p")) == "org:" + ORG_ID
    assert directory.calls == []


# -- once per name -------------------------------------------------------------------------------------------------------

def test_each_distinct_name_is_looked_up_once_and_its_failure_too():
    directory = Directory(roles=["Datadog Admin Role"], teams=["sre"])
    resolver = PrincipalResolver()
    for _round in range(3):
        resolver.resolve(directory, parse_principal("role:Datadog Admin Role", "p"))
        resolver.resolve(directory, parse_principal(" role: Datadog Admin Role", "p"))
        resolver.resolve(directory, parse_principal("team:sre", "p"))
        resolver.resolve(directory, parse_principal("org", "p"))
        with pytest.raises(PrincipalError):
            resolver.resolve(directory, parse_principal("team:nope", "p"))
    assert sorted(path for path, _params in directory.calls) == [
        "/api/v2/current_user", "/api/v2/roles", "/api/v2/team", "/api/v2/team"]
    assert resolver.names == {"role:" + make_id("role", "Datadog Admin Role"): "role:Datadog Admin Role",
                              "team:" + make_id("team", "sre"): "team:sre", "org:" + ORG_ID: "org"}


def test_emails_differing_in_case_are_one_look_up():
    directory = Directory(users=["ada@example.com"])
    resolver = PrincipalResolver()
    resolver.resolve(directory, parse_principal("user:ada@example.com", "p"))
    resolver.resolve(directory, parse_principal("user:ADA@example.com", "p"))
    assert len(directory.calls) == 1


def test_threads_asking_for_one_name_at_once_share_one_look_up():
    directory = Directory(teams=["sre"])
    directory.gate = threading.Event()
    resolver = PrincipalResolver()
    results, errors = [], []

    def resolve():
        try:
            results.append(resolver.resolve(directory, parse_principal("team:sre", "p")))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            errors.append(exc)

    threads = [threading.Thread(target=resolve) for _index in range(8)]
    for thread in threads:
        thread.start()
    while not directory.calls:  # the first look-up is in flight and held at the gate
        threading.Event().wait(0.001)
    directory.gate.set()
    for thread in threads:
        thread.join(10)
    assert errors == [] and results == ["team:" + make_id("team", "sre")] * 8
    assert len(directory.calls) == 1


def test_a_look_up_stopped_without_an_answer_is_made_again_by_the_next_caller():
    directory = Directory(teams=["sre"])
    resolver = PrincipalResolver()
    real_get = directory.get
    answers = [RequestCancelled("request cancelled")]

    def get(path, params=None, expected=(200,)):
        if answers:
            raise answers.pop()
        return real_get(path, params, expected)

    directory.get = get
    with pytest.raises(TaskFailure) as error:
        resolver.resolve(directory, parse_principal("team:sre", "p"))
    assert isinstance(error.value.cause, RequestCancelled)
    assert resolver.resolve(directory, parse_principal("team:sre", "p")) == "team:" + make_id("team", "sre")


def test_an_api_error_fails_as_the_look_up_of_that_name():
    directory = Directory()

    def forbidden(path, params=None, expected=(200,)):
        raise DatadogAPIError(["Forbidden"], status=403, method="GET", path=path)

    directory.get = forbidden
    with pytest.raises(TaskFailure) as error:
        PrincipalResolver().resolve(directory, parse_principal("user:ada@example.com", "p"))
    assert str(error.value).startswith("Failed to look up user 'ada@example.com': HTTP 403: Forbidden")
    assert error.value.result["status"] == 403


# -- paging --------------------------------------------------------------------------------------------------------------

def test_a_server_that_repeats_a_page_is_stopped():
    directory = Directory(roles=["Admin %d" % number for number in range(5)], totals=False)
    real_get = directory.get

    def first_page_only(path, params=None, expected=(200,)):
        return real_get(path, dict(params, **{"page[number]": 0}), expected)

    directory.get = first_page_only
    with pytest.raises(DatadogAPIError) as error:
        list(search(directory, "/api/v2/roles", {"filter": "Admin"}, page_size=2))
    assert "page 1 holds only entries of earlier pages" in str(error.value)
    assert len(directory.calls) == 2


@pytest.mark.parametrize("body, total", [
    ({"meta": {"page": {"total_count": 9, "total_filtered_count": 3}}}, 3),
    ({"meta": {"pagination": {"total": 4}}}, 4),
    ({"meta": {"page": {"total_filtered_count": True}}}, None),
    ({"meta": {"page": "x"}}, None),
    ({}, None),
    (None, None),
])
def test_the_totals_of_each_route_are_read(body, total):
    assert search_total(body) == total


NAMES = st.text(alphabet="abS-", min_size=1, max_size=4)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAMES, max_size=40), wanted=NAMES, page_size=st.integers(1, 7), totals=st.booleans(),
       kind=st.sampled_from(["role", "team", "user"]))
def test_any_directory_and_page_size_resolve_to_the_exact_matches_in_the_fewest_pages(names, wanted, page_size, totals, kind):
    """Around every page boundary: the result is the brute-force exact match, and the look-up reads exactly the pages
    the filter's matches need (one more when they fill the last page and no total is reported)."""
    directory = Directory(totals=totals, **{kind + "s": names})
    exact = [make_id(kind, name, number) for number, name in enumerate(names)
             if (name.lower() == wanted.lower() if kind == "user" else name == wanted)]
    found = sum(1 for name in names if wanted.lower() in name.lower())
    resolver = PrincipalResolver(page_size=page_size)
    principal = parse_principal("%s:%s" % (kind, wanted), "p")
    if len(exact) == 1:
        assert resolver.resolve(directory, principal) == "%s:%s" % (kind, exact[0])
    else:
        with pytest.raises(PrincipalError) as error:
            resolver.resolve(directory, principal)
        assert ("is ambiguous" if exact else "matches no") in str(error.value)
        assert sorted(error.value.result.get("principal_ids", [])) == sorted("%s:%s" % (kind, one) for one in exact)
    pages = found // page_size + 1 if not totals or found == 0 else -(-found // page_size)
    assert len(directory.calls) == pages
    assert [params["page[number]"] for _path, params in directory.calls] == list(range(pages))
