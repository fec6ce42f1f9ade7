# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit_events lookup run for real: its documented options go through Ansible's option system (set_options /
get_option), so these tests check the precedence keyword > variables > environment > default as users get it.
Only the HTTP transport is scripted (the Datadog audit search of test_audit.py)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins import loader as plugin_loader

from ansible_collections.ddops.datadog.plugins.doc_fragments import connection as connection_fragment
from ansible_collections.ddops.datadog.plugins.lookup import audit_events
from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogClient
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.test_audit import (
    API_KEY,
    APP_KEY,
    AuditAPI,
    Sleeps,
    make_events,
)

import requests

FQCN = "ddops.datadog.audit_events"
KEYS = {"api_key": API_KEY, "app_key": APP_KEY, "api_url": "https://api.example.test"}


class _FragmentLoader(object):
    """Resolves the collection's doc fragment the way ansible-core's fragment loader would with the collection installed."""

    @staticmethod
    def get(name, *args, **kwargs):
        if name != "ddops.datadog.connection":
            return None
        fragment = connection_fragment.ModuleDocFragment()
        fragment.ansible_name = name  # set by the plugin loader on what it loads
        return fragment


def _load_option_definitions():
    """What ``lookup_loader.get()`` does on first use: read DOCUMENTATION (+ fragments) into the config manager."""
    saved = plugin_loader.fragment_loader
    plugin_loader.fragment_loader = _FragmentLoader()
    try:
        plugin_loader.lookup_loader._load_config_defs(FQCN, audit_events, audit_events.__file__)  # pylint: disable=protected-access
    finally:
        plugin_loader.fragment_loader = saved


class Harness(object):
    """One lookup instance whose client talks to a scripted Datadog audit search."""

    def __init__(self, api, monkeypatch):
        _load_option_definitions()
        self.api = api
        self.sleeps = Sleeps()
        self.warnings = []
        self.clients = []
        self.lookup = audit_events.LookupModule()
        plugin_loader.lookup_loader._update_object(obj=self.lookup, name=FQCN, path=audit_events.__file__,  # pylint: disable=protected-access
                                                   resolved=FQCN)
        monkeypatch.setattr(self.lookup, "client", self._client)
        monkeypatch.setattr(audit_events.display, "warning", self.warnings.append)

    def _client(self, options=None):
        options = options or self.lookup.connection_options()
        session = requests.Session()
        session.mount("https://", self.api)
        session.mount("http://", self.api)
        client = DatadogClient(options, session=session, sleep=self.sleeps)
        self.clients.append(client)
        return client

    def run(self, terms=(), variables=None, **kwargs):
        return self.lookup.run(list(terms), variables=variables if variables is not None else {}, **kwargs)

    def error(self, terms=(), variables=None, **kwargs):
        with pytest.raises(AnsibleLookupError) as error:
            self.run(terms, variables, **kwargs)
        return str(error.value)


@pytest.fixture
def harness(monkeypatch):
    def make(events=None, **api_options):
        return Harness(AuditAPI(events if events is not None else make_events(10), **api_options), monkeypatch)
    return make


# -- results ---------------------------------------------------------------------------------------------------

def test_default_call_searches_everything_in_the_last_15_minutes_newest_first(harness):
    lookup = harness()
    events = lookup.run(**KEYS)
    assert events == make_events(10)
    assert lookup.api.bodies == [
        {"filter": {"query": "*", "from": "now-15m", "to": "now"}, "sort": "-timestamp", "page": {"limit": 1000}},
        {"filter": {"query": "*", "from": "now-15m", "to": "now"}, "sort": "-timestamp", "page": {"limit": 991, "cursor": "*:10"}},
    ]
    assert lookup.warnings == []


def test_several_terms_are_concatenated_in_term_order(harness):
    first, second = make_events(3, "first"), make_events(2, "second")
    lookup = harness({"@evt.name:first": first, "@evt.name:second": second})
    assert lookup.run(["@evt.name:first", "@evt.name:second"], **KEYS) == first + second
    assert [body["filter"]["query"] for body in lookup.api.bodies] == ["@evt.name:first"] * 2 + ["@evt.name:second"] * 2
    assert len(lookup.clients) == 1  # one client (one keep-alive session) for every term


def test_search_options_reach_the_request(harness):
    lookup = harness(make_events(2500))
    events = lookup.run(['@evt.name:"Workflow Automation"'], **dict(KEYS, **{
        "from": "now-1d", "to": "now-1h", "sort": "timestamp", "limit": 2500, "page_size": 1000, "timezone": "Europe/Paris"}))
    assert len(events) == 2500
    assert lookup.api.limits == [1000, 1000, 501, 1]  # exactly 2500 match: the last request finds no 2501st
    assert lookup.warnings == []
    assert lookup.api.bodies[0] == {"filter": {"query": '@evt.name:"Workflow Automation"', "from": "now-1d", "to": "now-1h"},
                                    "sort": "timestamp", "page": {"limit": 1000}, "options": {"timezone": "Europe/Paris"}}


def test_limit_0_returns_every_event(harness):
    lookup = harness(make_events(2345))
    assert len(lookup.run(limit=0, **KEYS)) == 2345
    assert len(lookup.api.bodies) == 4


def test_numbers_given_as_strings_are_accepted(harness):
    lookup = harness(make_events(30))
    assert len(lookup.run(limit="25", page_size="10", time_offset="3600", **KEYS)) == 25
    assert lookup.api.bodies[0]["options"] == {"time_offset": 3600}


def test_a_429_midway_waits_and_still_returns_the_complete_list(harness):
    events = make_events(2500)
    lookup = harness(events, faults={2: (429, {"X-RateLimit-Reset": "3"}, b"")})
    assert lookup.run(limit=0, **KEYS) == events
    assert lookup.sleeps == [3.0]
    assert lookup.clients[0].stats.as_result() == {"requests": {"total": 5, "POST": 5}, "retries": {"total": 1, "HTTP 429": 1},
                                                   "waited": 3.0, "outcome_polls": 0, "reconciliations": []}
    assert lookup.warnings == ["ddops.datadog.audit_events: Datadog API: 1 retry (HTTP 429 x1), waited 3.0 s in total"]


def test_timeout_and_meta_warnings_are_shown_as_ansible_warnings(harness):
    warning = {"code": "unknown_index", "title": "Index missing", "detail": "indexes: foo"}
    lookup = harness(make_events(5), metas={1: {"status": "timeout", "warnings": [warning]}})
    assert len(lookup.run(["@usr.email:a*"], **KEYS)) == 5
    assert lookup.warnings == [
        "ddops.datadog.audit_events: Datadog's audit search for query '@usr.email:a*' timed out (meta.status: timeout) on page 1 of 2: "
        "the results are partial. Narrow the time range (from/to) or the query.",
        "ddops.datadog.audit_events: Datadog warned about the audit search for query '@usr.email:a*' (results may be partial): "
        "unknown_index: Index missing: indexes: foo",
    ]


# -- errors --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"sort": "newest"}, "sort must be timestamp (oldest first) or -timestamp (newest first), got 'newest'"),
    ({"page_size": 5000}, "page_size must be an integer from 1 to 1000, got 5000"),
    ({"page_size": 0}, "page_size must be an integer from 1 to 1000, got 0"),
    ({"limit": -5}, "limit must be an integer of at least 0 (events per query; 0 means all), got -5"),
    ({"limit": "lots"}, "limit must be an integer of at least 0 (events per query; 0 means all), got 'lots'"),
    ({"from": "yesterday"}, "from must be date math such as now, now-15m, now-1d or now-7d"),
    ({"to": "2026-02-30T00:00:00Z"}, "to must be date math such as now, now-15m, now-1d or now-7d"),
    ({"timezone": "UTC", "time_offset": 60}, "timezone and time_offset are mutually exclusive"),
    ({"from": "now", "to": "now-1d"}, "from (now) is later than to (now-1d)"),
    ({"limt": 5}, "unknown option limt; the options are: api_key, api_url, app_key, count_by, fields, from, limit, page_size, "
                  "parallel, retries, retry_backoff, retry_max_wait, site, sort, time_offset, timeout, timezone, to, "
                  "validate_certs"),
    ({"fields": ["usr.email"]}, "fields item 1 is not a path: 'usr.email' (did you mean '@usr.email'?). A path is @ followed by"),
    ({"fields": "@usr.email:ada"}, "fields is not a path: '@usr.email:ada' (a path names a field; a filter such as @action:deleted "
                                   "belongs in the search query, the lookup's terms)"),
    ({"fields": []}, "fields must name at least one path"),
    ({"fields": [{"path": "@usr.email"}]}, "fields item 1 must be a path string"),
    ({"fields": 5}, "fields must be a path or a list of paths"),
    ({"fields": ["@action", "@action"]}, "fields item 2 '@action' is given twice"),
    ({"count_by": "@usr.*"}, "count_by is not a path: '@usr.*' (wildcards are not supported in paths)"),
    ({"count_by": ["@usr.email", "@count"]}, "count_by '@count' gives the result key 'count'"),
    ({"count_by": ""}, "count_by must name at least one path"),
    ({"fields": ["@action"], "count_by": "@usr.email"}, "fields and count_by cannot be used together"),
    ({"parallel": 0}, "parallel must be an integer from 1 (one request at a time) to 16 (time slices read at once), got 0"),
    ({"parallel": 17}, "parallel must be an integer from 1 (one request at a time) to 16 (time slices read at once), got 17"),
    ({"parallel": "many"}, "parallel must be an integer from 1 (one request at a time) to 16 (time slices read at once), got 'many'"),
    ({"parallel": True}, "parallel must be an integer from 1 (one request at a time) to 16 (time slices read at once), got True"),
    ({"parallel": 2.5}, "parallel must be an integer from 1 (one request at a time) to 16 (time slices read at once), got 2.5"),
    ({"site": "datadoghq.org", "api_url": None}, "site 'datadoghq.org' is not a Datadog site"),
    ({"api_url": "http://datadog.example.com"}, "http:// is only allowed for loopback hosts"),
])
def test_bad_input_fails_before_any_request_naming_the_option(harness, options, message):
    lookup = harness()
    text = lookup.error(**dict(KEYS, **options))
    assert text.startswith("ddops.datadog.audit_events: ")
    assert message in text
    assert lookup.api.sent == []
    assert API_KEY not in text and APP_KEY not in text


def test_a_term_that_is_not_a_query_string_is_refused(harness):
    lookup = harness()
    text = lookup.error([{"query": "*"}], **KEYS)
    assert text == ("ddops.datadog.audit_events: term 1 must be a search query string such as '@evt.name:Authentication', "
                    "got a dict")
    assert lookup.api.sent == []


def test_missing_keys_fail_naming_the_option_the_variable_and_the_environment_variables(harness):
    lookup = harness()
    assert lookup.error(api_url="https://api.example.test") == (
        "ddops.datadog.audit_events: api_key is required: set the api_key option, the variable datadog_api_key or the "
        "environment variable DD_API_KEY (or DATADOG_API_KEY)")
    assert lookup.error(api_url="https://api.example.test", api_key=API_KEY) == (
        "ddops.datadog.audit_events: app_key is required: set the app_key option, the variable datadog_app_key or the "
        "environment variable DD_APP_KEY (or DATADOG_APP_KEY)")
    assert lookup.api.sent == []


def test_an_api_error_becomes_one_line_without_any_key(harness):
    lookup = harness(faults={1: (400, {}, {"errors": ["Bad Request"]})})
    text = lookup.error(["@evt.name:Monitor"], **KEYS)
    assert text == ("ddops.datadog.audit_events: Failed to search audit events for query '@evt.name:Monitor' (page 1): "
                    "HTTP 400: Bad Request (POST /api/v2/audit/events/search)")


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_refused_search_says_to_check_the_keys_the_site_and_the_audit_logs_read_permission(harness, parallel):
    lookup = harness(faults=dict((number, (403, {}, {"errors": ["Forbidden"]})) for number in range(1, 5)))
    window = {"from": "2026-01-01T00:00:00Z", "to": "2026-01-31T00:00:00Z"}
    text = lookup.error(["@evt.name:Monitor"], parallel=parallel, limit=0, **dict(KEYS, **window))
    assert text.startswith("ddops.datadog.audit_events: Failed to search audit events for query '@evt.name:Monitor' (")
    assert text.endswith("HTTP 403: Forbidden (POST /api/v2/audit/events/search). Check that the API key and the "
                         "application key are keys of the Datadog organization at https://api.example.test (the site or "
                         "api_url option), and that the application key has the audit_logs_read permission")
    assert API_KEY not in text and APP_KEY not in text


# -- fields and count_by ----------------------------------------------------------------------------------------------

def own_events(count):
    """Events with users and actions (one in four without a user)."""
    events = make_events(count)
    for number, item in enumerate(events):
        item["attributes"]["attributes"]["action"] = ("created", "modified", "deleted")[number % 3]
        if number % 4:
            item["attributes"]["attributes"]["usr"] = {"email": "user%d@example.com" % (number % 5)}
    return events


def test_fields_return_flat_dicts_in_event_order_with_the_requests_of_a_whole_read(harness):
    events = own_events(2345)
    whole = harness(events)
    everything = whole.run(limit=2000, **KEYS)
    lookup = harness(events)
    rows = lookup.run(limit=2000, fields=["id", "@usr.email", "@action", "timestamp"], **KEYS)
    assert rows == [{"id": item["id"], "usr_email": item["attributes"]["attributes"].get("usr", {}).get("email"),
                     "action": item["attributes"]["attributes"]["action"], "timestamp": item["attributes"]["timestamp"]}
                    for item in everything]
    assert lookup.api.bodies == whole.api.bodies  # the same requests, so the same events
    assert any(row["usr_email"] is None for row in rows)


def test_fields_given_as_one_comma_separated_string(harness):
    lookup = harness(own_events(3))
    rows = lookup.run(fields="@action, id", **KEYS)
    assert rows == [{"action": "created", "id": "evt-00000"}, {"action": "modified", "id": "evt-00001"},
                    {"action": "deleted", "id": "evt-00002"}]


def test_count_by_returns_counts_that_equal_those_of_the_whole_read(harness):
    events = own_events(2345)
    everything = harness(events).run(limit=0, **KEYS)
    expected = {}
    for item in everything:
        email = item["attributes"]["attributes"].get("usr", {}).get("email")
        expected[email] = expected.get(email, 0) + 1
    lookup = harness(events)
    rows = lookup.run(limit=0, count_by="@usr.email", **KEYS)
    assert dict((row["usr_email"], row["count"]) for row in rows) == expected
    assert [row["count"] for row in rows] == sorted(expected.values(), reverse=True)
    assert lookup.api.limits == [1000, 1000, 1000, 1000]


def test_count_by_with_a_limit_counts_the_events_read_and_several_paths_count_combinations(harness):
    lookup = harness(own_events(30))
    rows = lookup.run(limit=12, page_size=5, count_by=["@action", "@usr.email"], **KEYS)
    assert sum(row["count"] for row in rows) == 12
    # the 12 events read hold 12 different combinations: equal counts, ordered by action, then user (null last)
    assert [(row["action"], row["usr_email"]) for row in rows] == [
        ("created", "user1@example.com"), ("created", "user3@example.com"), ("created", "user4@example.com"), ("created", None),
        ("deleted", "user0@example.com"), ("deleted", "user1@example.com"), ("deleted", "user2@example.com"), ("deleted", None),
        ("modified", "user0@example.com"), ("modified", "user1@example.com"), ("modified", "user2@example.com"), ("modified", None)]
    assert lookup.api.limits == [5, 5, 3]
    assert all(list(row) == ["action", "usr_email", "count"] for row in rows)
    assert lookup.warnings == ["ddops.datadog.audit_events: limit=12 cut the read short: more events match the query '*' "
                               "than the 12 returned. Set a larger limit, or limit=0 to read every matching event"]


def test_count_by_without_a_limit_counts_every_matching_event_beyond_the_default_limit(harness):
    lookup = harness(own_events(1017))
    rows = lookup.run(count_by="@action", **dict(KEYS, page_size=500))
    assert sum(row["count"] for row in rows) == 1017
    assert lookup.api.limits == [500, 500, 500, 500]  # every page, and the empty one that ends the results
    assert lookup.warnings == []


@pytest.mark.parametrize("options", [{}, {"fields": ["id"]}], ids=["events", "fields"])
def test_events_and_fields_stop_at_the_default_limit_of_1000_and_say_that_more_matched(harness, options):
    lookup = harness(own_events(1017))
    assert len(lookup.run(**dict(KEYS, **options))) == 1000
    assert lookup.api.limits == [1000, 1]
    assert lookup.warnings == ["ddops.datadog.audit_events: limit=1000 cut the read short: more events match the query "
                               "'*' than the 1000 returned. Set a larger limit, or limit=0 to read every matching event"]


def test_count_by_over_several_terms_counts_their_concatenated_results(harness):
    lookup = harness({"@evt.name:first": make_events(3, "first"), "@evt.name:second": make_events(2, "second")})
    assert lookup.run(["@evt.name:first", "@evt.name:second"], count_by="@evt.name", **KEYS) == [
        {"evt_name": "first", "count": 3}, {"evt_name": "second", "count": 2}]


# -- option precedence: keyword > variables > environment > default --------------------------------------------------

def sent_to(lookup):
    request = lookup.api.sent[0]
    return request.url.split("/api/")[0], request.headers["DD-API-KEY"], request.headers["DD-APPLICATION-KEY"]


@pytest.mark.parametrize("environment, base_url", [
    ({"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY}, "https://api.datadoghq.com"),
    ({"DD_API_URL": "https://env.example.test", "DD_API_KEY": API_KEY, "DATADOG_APP_KEY": APP_KEY}, "https://env.example.test"),
], ids=["keys only: the US1 site", "URL and keys"])
def test_the_environment_supplies_the_connection(harness, monkeypatch, environment, base_url):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    lookup = harness()
    lookup.run()
    assert sent_to(lookup) == (base_url, API_KEY, APP_KEY)


def test_dd_site_from_the_environment_selects_the_api_host(harness, monkeypatch):
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    lookup = harness()
    lookup.run(api_key=API_KEY, app_key=APP_KEY)
    assert sent_to(lookup)[0] == "https://api.datadoghq.eu"


def test_variables_beat_the_environment(harness, monkeypatch):
    monkeypatch.setenv("DD_API_URL", "https://env.example.test")
    monkeypatch.setenv("DD_API_KEY", "env-api-key")
    monkeypatch.setenv("DD_APP_KEY", "env-app-key")
    lookup = harness()
    lookup.run(variables={"datadog_api_url": "https://vars.example.test", "datadog_api_key": API_KEY, "datadog_app_key": APP_KEY})
    assert sent_to(lookup) == ("https://vars.example.test", API_KEY, APP_KEY)


def test_keywords_beat_variables_and_the_environment(harness, monkeypatch):
    monkeypatch.setenv("DD_API_URL", "https://env.example.test")
    monkeypatch.setenv("DD_API_KEY", "env-api-key")
    lookup = harness()
    lookup.run(variables={"datadog_api_url": "https://vars.example.test", "datadog_api_key": "vars-api-key",
                          "datadog_app_key": "vars-app-key"}, **KEYS)
    assert sent_to(lookup) == ("https://api.example.test", API_KEY, APP_KEY)


def test_variables_supply_site_timeout_and_retries(harness):
    lookup = harness(faults={1: (503, {}, b""), 2: (503, {}, b"")})
    text = lookup.error(variables={"datadog_site": "us5", "datadog_api_key": API_KEY, "datadog_app_key": APP_KEY,
                                   "datadog_retries": 1, "datadog_timeout": 5})
    assert "HTTP 503" in text and "gave up after 2 attempts" in text
    assert lookup.api.sent[0].url.startswith("https://api.us5.datadoghq.com/")
    assert lookup.clients[0].options.timeout == 5.0


def test_every_documented_environment_variable_is_read(harness, monkeypatch):
    monkeypatch.setenv("DATADOG_API_KEY", API_KEY)
    monkeypatch.setenv("DATADOG_APP_KEY", APP_KEY)
    lookup = harness()
    lookup.run(api_url="https://api.example.test")
    assert sent_to(lookup)[1:] == (API_KEY, APP_KEY)


def test_dd_variables_win_over_datadog_variables_like_for_modules(harness, monkeypatch):
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DATADOG_API_KEY", "other-api-key")
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DATADOG_APP_KEY", "other-app-key")
    lookup = harness()
    lookup.run(api_url="https://api.example.test")
    assert sent_to(lookup)[1:] == (API_KEY, APP_KEY)


def test_variables_holding_templates_are_templated_like_every_other_variable(harness):
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    try:
        from ansible.template import trust_as_template  # ansible-core 2.19+: only trusted text is templated
    except ImportError:
        def trust_as_template(value):
            return value

    variables = {"vault_datadog_api_key": API_KEY, "datadog_api_key": trust_as_template("{{ vault_datadog_api_key }}"),
                 "datadog_app_key": APP_KEY, "datadog_api_url": "https://api.example.test", "unrelated": "{{ undefined_variable }}"}
    lookup = harness()
    lookup.lookup._templar = Templar(loader=DataLoader(), variables=variables)  # pylint: disable=protected-access
    lookup.run(variables=variables)
    assert sent_to(lookup) == ("https://api.example.test", API_KEY, APP_KEY)


# -- parallel ---------------------------------------------------------------------------------------------------------

def test_parallel_reads_time_slices_at_once_and_returns_the_sequential_result(monkeypatch):
    from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.test_audit_slices import (  # pylint: disable=import-outside-toplevel
        FIRST, LAST, TimedAuditAPI, edge_heavy_times)
    api = TimedAuditAPI(edge_heavy_times(4), rendezvous=4)  # passes only with 4 requests in flight at once
    lookup = Harness(api, monkeypatch)
    events = lookup.run(**dict(KEYS, limit=0, page_size=100, parallel=4, **{"from": str(FIRST), "to": str(LAST)}))
    assert [event["id"] for event in events] == api.ids(FIRST, LAST, "-timestamp")
    assert len(lookup.clients) == 4  # one client (one requests session) per worker thread
    assert lookup.warnings == []


def test_parallel_1_is_the_default_and_reads_as_before(harness):
    lookup = harness(make_events(2345))
    assert len(lookup.run(limit=0, **KEYS)) == 2345
    assert len(lookup.api.bodies) == 4 and len(lookup.clients) == 1


def test_a_parallel_read_that_datadog_must_place_in_a_timezone_warns_and_reads_sequentially(harness):
    lookup = harness(make_events(30))
    assert len(lookup.run(parallel=8, timezone="Europe/Paris", **dict(KEYS, **{"from": "2026-01-31T00:00:00"}))) == 30
    assert len(lookup.api.bodies) == 2 and len(lookup.clients) == 1
    assert lookup.warnings == ["ddops.datadog.audit_events: parallel=8 was not used and the search was read sequentially: Datadog reads "
                               "from=2026-01-31T00:00:00 in the timezone option (Europe/Paris); give it with an offset such as Z, "
                               "as date math without rounding, or as epoch milliseconds to read in parallel"]


# -- secrets that are not strings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, message", [
    ({"api_key": {"value": "not-shown-5b1d"}, "app_key": APP_KEY}, "api_key must be a string (the key itself), got a dict"),
    ({"api_key": API_KEY, "app_key": ["not-shown-5b1d"]}, "app_key must be a string (the key itself), got a list"),
    ({"api_key": 5551234, "app_key": APP_KEY}, "api_key must be a string (the key itself), got a number"),
])
def test_a_secret_keyword_that_is_not_a_string_is_refused_without_its_value(harness, given, message):
    lookup = harness()
    text = lookup.error(api_url="https://api.example.test", **given)
    assert text == "ddops.datadog.audit_events: %s; its value is not shown" % message
    assert "not-shown-5b1d" not in text and "5551234" not in text
    assert lookup.api.sent == []


def test_a_secret_variable_that_is_not_a_string_is_refused_without_its_value(harness):
    lookup = harness()
    text = lookup.error(variables={"datadog_api_key": {"value": "not-shown-5b1d"}, "datadog_app_key": APP_KEY,
                                   "datadog_api_url": "https://api.example.test"})
    assert text == ("ddops.datadog.audit_events: api_key (variable datadog_api_key) must be a string (the key itself), "
                    "got a dict; its value is not shown")
    assert lookup.api.sent == []


def test_parallel_reads_feed_fields_and_count_by_with_the_sequential_result(monkeypatch):
    from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.test_audit_slices import (  # pylint: disable=import-outside-toplevel
        FIRST, LAST, TimedAuditAPI, edge_heavy_times)
    times = edge_heavy_times(4)
    window = dict(KEYS, limit=0, page_size=100, **{"from": str(FIRST), "to": str(LAST)})
    for options in ({"fields": ["id", "timestamp"]}, {"count_by": "timestamp"}):
        sequential = Harness(TimedAuditAPI(times), monkeypatch).run(**dict(window, **options))
        lookup = Harness(TimedAuditAPI(times), monkeypatch)
        assert lookup.run(parallel=4, **dict(window, **options)) == sequential
        assert len(lookup.clients) == 4
