# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Audit event paths, projection (fields) and counts (count_by): the rules, checked against an independent reading
of whole events, and the refusals."""

from __future__ import annotations

import collections
import copy
import itertools
import random

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import (
    Counts,
    FieldPath,
    KeepEvents,
    Projection,
    make_collector,
    parse_paths,
    value_order,
    walk,
)

USERS = ["ada@example.com", "grace@example.com", "alan@example.com", None]
ACTIONS = ["created", "modified", "deleted"]


def event(number, email="ada@example.com", action="modified", **own):
    attributes = {"evt": {"name": "Workflow Automation"}, "action": action, "asset": {"type": "action_connection",
                                                                                      "name": "conn-%d" % number}}
    if email is not None:
        attributes["usr"] = {"email": email, "name": email.split("@")[0]}
    attributes.update(own)
    return {"id": "evt-%05d" % number, "type": "audit",
            "attributes": {"timestamp": "2026-01-31T08:%02d:%02d.000Z" % (number // 60 % 60, number % 60),
                           "message": "event %d" % number, "service": "workflow-automation",
                           "tags": ["source:audit", "team:%s" % ("sre" if number % 3 else "data")], "attributes": attributes}}


def mixed_events(count, seed=3):
    """Events with missing users, missing actions, extra lists and numbers, in a deterministic mix."""
    rng = random.Random(seed)
    events = []
    for number in range(count):
        own = {}
        if number % 5 == 0:
            own["roles"] = [{"name": rng.choice(["admin", "reader"])}, {"name": "reader"}, {"other": 1}]
        if number % 7 == 0:
            own["http"] = {"status_code": rng.choice([200, 403])}
        item = event(number, email=rng.choice(USERS), action=rng.choice(ACTIONS), **own)
        if number % 11 == 0:
            del item["attributes"]["attributes"]["action"]
        events.append(item)
    return events


# -- paths -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key, steps", [
    ("@usr.email", "usr_email", ("attributes", "attributes", "usr", "email")),
    ("@evt.name", "evt_name", ("attributes", "attributes", "evt", "name")),
    ("@action", "action", ("attributes", "attributes", "action")),
    ("@http.url_details.path", "http_url_details_path", ("attributes", "attributes", "http", "url_details", "path")),
    ("@asset-type", "asset-type", ("attributes", "attributes", "asset-type")),
    ("id", "id", ("id",)),
    ("timestamp", "timestamp", ("attributes", "timestamp")),
    ("message", "message", ("attributes", "message")),
    ("service", "service", ("attributes", "service")),
    ("tags", "tags", ("attributes", "tags")),
])
def test_paths_name_the_events_own_attributes_or_its_standard_members(text, key, steps):
    path, = parse_paths([text], "fields")
    assert (path.text, path.key, path.steps) == (text, key, steps)


def test_a_comma_separated_string_is_a_list_of_paths():
    assert [path.key for path in parse_paths(" @usr.email , @action,timestamp ", "count_by")] == ["usr_email", "action", "timestamp"]


def test_not_set_is_none():
    assert parse_paths(None, "fields") is None


@pytest.mark.parametrize("value, message", [
    (["usr.email"], "fields item 1 is not a path: 'usr.email' (did you mean '@usr.email'?)"),
    (["@usr.email:ada@example.com"], "(a path names a field; a filter such as @action:deleted belongs in the search query"),
    (["@usr.*"], "(wildcards are not supported in paths)"),
    (["attributes.attributes.usr.email"], "(did you mean '@usr.email'?)"),
    (["attributes.timestamp"], "(did you mean 'timestamp'?)"),
    (["@"], "fields item 1 is not a path: '@'. A path is @ followed by the attribute path"),
    (["@usr..email"], "is not a path: '@usr..email'"),
    (["@usr."], "is not a path: '@usr.'"),
    (["@.usr"], "is not a path: '@.usr'"),
    (["@usr email"], "is not a path: '@usr email'"),
    ([""], "fields item 1 is not a path: ''"),
    (["type"], "is not a path: 'type' (did you mean '@type'?)"),
    ([5], "fields item 1 must be a path string (@ followed by the attribute path"),
    ([None], "fields item 1 must be a path string"),
    (["@action", ["@usr.email"]], "fields item 2 must be a path string"),
    ({"who": "@usr.email"}, "fields must be a path or a list of paths"),
    (5, "fields must be a path or a list of paths"),
    ([], "fields must name at least one path"),
    ("  ", "fields must name at least one path"),
    (["@action", "@action"], "fields item 2 '@action' is given twice; every path must give a distinct result key"),
    (["@usr.email", "@usr_email"], "fields item 2 '@usr_email' gives the result key 'usr_email', as '@usr.email' does already"),
    (["id", "@id"], "fields item 2 '@id' gives the result key 'id', as 'id' does already"),
])
def test_bad_paths_are_refused_naming_the_option_the_entry_and_what_is_allowed(value, message):
    with pytest.raises(InputError) as error:
        parse_paths(value, "fields")
    assert message in str(error.value)
    if "is not a path" in message or "must be a path" in message:
        assert "or one of id, timestamp, message, service, tags" in str(error.value)


def test_a_single_path_string_is_named_by_the_option_alone():
    with pytest.raises(InputError) as error:
        parse_paths("usr.email", "count_by")
    assert str(error.value).startswith("count_by is not a path: 'usr.email' (did you mean '@usr.email'?)")


def test_fields_and_count_by_together_are_refused():
    with pytest.raises(InputError) as error:
        make_collector(fields=["@action"], count_by="@usr.email")
    assert str(error.value).startswith("fields and count_by cannot be used together")


def test_count_by_a_path_whose_key_is_count_is_refused():
    with pytest.raises(InputError) as error:
        make_collector(count_by=["@usr.email", "@count"])
    assert "count_by '@count' gives the result key 'count', which holds the number of events" in str(error.value)
    assert isinstance(make_collector(fields=["@count"]), Projection)  # a field may be called count


def test_the_collector_follows_the_options():
    assert isinstance(make_collector(), KeepEvents)
    assert isinstance(make_collector(fields="@action"), Projection)
    assert isinstance(make_collector(count_by="@action"), Counts)


# -- values ---------------------------------------------------------------------------------------------------------------

def resolve(text, item):
    return FieldPath(text).resolve(item)


def test_values_and_missing_values():
    item = event(1, email="ada@example.com", extra={"flag": False, "none": None, "count": 0})
    assert resolve("@usr.email", item) == "ada@example.com"
    assert resolve("@extra.flag", item) is False
    assert resolve("@extra.count", item) == 0
    assert resolve("@extra.none", item) is None
    assert resolve("@extra.missing", item) is None
    assert resolve("@nothing.at.all", item) is None
    assert resolve("@usr.email.deeper", item) is None  # a string in the way
    assert resolve("@extra.count.deeper", item) is None
    assert resolve("id", item) == "evt-00001"
    assert resolve("timestamp", item) == "2026-01-31T08:00:01.000Z"
    assert resolve("id", {"type": "audit"}) is None
    assert resolve("@usr.email", {"id": "x", "attributes": None}) is None
    assert resolve("@usr.email", "not an event") is None


def test_objects_and_lists_are_returned_whole():
    item = event(2)
    assert resolve("@usr", item) == {"email": "ada@example.com", "name": "ada"}
    assert resolve("@usr", item) is item["attributes"]["attributes"]["usr"]  # no copy
    assert resolve("tags", item) == ["source:audit", "team:sre"]


def test_a_list_before_the_end_of_the_path_fans_out_into_one_flat_list():
    item = event(3, roles=[{"name": "admin", "perms": ["read", "write"]}, {"name": "reader", "perms": ["read"]},
                           {"other": 1}, "not an object", {"name": None}],
                 groups=[[{"name": "a"}], [{"name": "b"}, {"name": "c"}]], empty=[], strings=["x", "y"])
    assert resolve("@roles.name", item) == ["admin", "reader"]
    assert resolve("@roles.perms", item) == ["read", "write", "read"]
    assert resolve("@roles.missing", item) is None
    assert resolve("@groups.name", item) == ["a", "b", "c"]
    assert resolve("@empty.name", item) is None
    assert resolve("@strings.name", item) is None
    assert resolve("@roles", item) is item["attributes"]["attributes"]["roles"]
    assert walk(item, FieldPath("@roles.name").steps) == ["admin", "reader"]


# -- projection -------------------------------------------------------------------------------------------------------------

def reference_value(item, text):
    """An independent reading of one path (no code shared with the module)."""
    if text == "id":
        return item.get("id")
    if not text.startswith("@"):
        return item.get("attributes", {}).get(text)

    def follow(value, keys):
        if not keys:
            return value
        if isinstance(value, dict):
            return follow(value[keys[0]], keys[1:]) if keys[0] in value else None
        if isinstance(value, list):
            found = []
            for element in value:
                inner = follow(element, keys)
                if inner is not None:
                    found.extend(inner if isinstance(inner, list) else [inner])
            return found or None
        return None
    return follow(item["attributes"]["attributes"], text[1:].split("."))


PATHS = ["id", "timestamp", "message", "service", "tags", "@usr.email", "@action", "@evt.name", "@roles.name",
         "@http.status_code", "@no.such.field"]


def test_the_projection_of_a_read_equals_the_fields_of_the_whole_events():
    events = mixed_events(500)
    whole = copy.deepcopy(events)
    projection = make_collector(fields=PATHS)
    for start in range(0, len(events), 64):  # fed page by page, like the searcher does
        projection.add(events[start:start + 64])
    rows = projection.result()
    assert len(rows) == len(whole)
    for row, item in zip(rows, whole):
        assert list(row) == ["id", "timestamp", "message", "service", "tags", "usr_email", "action", "evt_name",
                             "roles_name", "http_status_code", "no_such_field"]
        assert row == dict((FieldPath(text).key, reference_value(item, text)) for text in PATHS)
    assert events == whole  # the events are not changed
    assert any(row["usr_email"] is None for row in rows) and any(row["action"] is None for row in rows)
    assert all(row["no_such_field"] is None for row in rows)


def test_one_event_at_a_time_for_an_event_source():
    projection = make_collector(fields=["@usr.email", "timestamp"])
    assert projection.project(event(7)) == {"usr_email": "ada@example.com", "timestamp": "2026-01-31T08:00:07.000Z"}
    assert projection.result() == []
    single = make_collector(fields="@action")
    assert single.project(event(7, action="deleted")) == {"action": "deleted"}


# -- counts ------------------------------------------------------------------------------------------------------------------

def reference_counts(events, texts):
    """Counts computed the plain way from whole events: per event, the distinct values (or combinations)."""
    counter = collections.Counter()
    for item in events:
        per_path = []
        for text in texts:
            value = reference_value(item, text)
            if isinstance(value, list):
                distinct = []
                for element in value or [None]:
                    if element not in distinct:
                        distinct.append(element)
                per_path.append(distinct)
            else:
                per_path.append([value])
        for combination in itertools.product(*per_path):
            counter[repr(combination)] += 1
    return counter


def as_counter(rows, texts):
    keys = [FieldPath(text).key for text in texts]
    return collections.Counter(dict((repr(tuple(row[key] for key in keys)), row["count"]) for row in rows))


@pytest.mark.parametrize("texts", [["@usr.email"], ["@action"], ["tags"], ["@roles.name"], ["@usr.email", "@action"],
                                   ["@action", "tags"], ["@no.such"], ["@http.status_code"]])
def test_the_counts_of_a_read_equal_the_counts_of_the_whole_events(texts):
    events = mixed_events(700)
    counts = make_collector(count_by=texts)
    for start in range(0, len(events), 100):
        counts.add(events[start:start + 100])
    rows = counts.result()
    assert as_counter(rows, texts) == reference_counts(events, texts)
    assert [row["count"] for row in rows] == sorted((row["count"] for row in rows), reverse=True)
    assert all(list(row) == [FieldPath(text).key for text in texts] + ["count"] for row in rows)


def test_a_missing_value_counts_under_null_and_every_event_is_counted_once_for_a_scalar_field():
    events = mixed_events(300)
    counts = make_collector(count_by="@usr.email")
    counts.add(events)
    rows = counts.result()
    assert sum(row["count"] for row in rows) == len(events)
    assert {row["usr_email"] for row in rows} == set(USERS)
    assert rows[-1]["count"] <= rows[0]["count"]


def test_equal_counts_are_ordered_by_value_whatever_the_reading_order():
    events = [event(number, email=email) for number, email in enumerate(
        ["b@x", "a@x", "c@x", "a@x", "b@x", "c@x", "d@x", "d@x", "d@x"])] + [event(20, email=None), event(21, email=None)]
    expected = [{"usr_email": "d@x", "count": 3}, {"usr_email": "a@x", "count": 2}, {"usr_email": "b@x", "count": 2},
                {"usr_email": "c@x", "count": 2}, {"usr_email": None, "count": 2}]
    for seed in range(5):
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)
        counts = make_collector(count_by="@usr.email")
        counts.add(shuffled)
        assert counts.result() == expected


def test_values_of_different_types_are_counted_apart_and_ordered_numbers_text_booleans_objects_null():
    values = [1, 1.0, True, "1", None, {"b": 1, "a": 2}, {"a": 2, "b": 1}, [[3], 4], False, 0, "a", [{"z": 1}, {"z": 1}]]
    events = [event(number, value=value) for number, value in enumerate(values)]
    counts = make_collector(count_by="@value")
    counts.add(events)
    rows = counts.result()
    assert rows[0] == {"value": {"a": 2, "b": 1}, "count": 2}  # equal objects count together
    # a list counts each distinct element: [3] and 4, then {"z": 1} once
    assert [(row["value"], type(row["value"])) for row in rows[1:]] == [
        (0, int), (1.0, float), (1, int), (4, int), ("1", str), ("a", str), (False, bool), (True, bool), ([3], list),
        ({"z": 1}, dict), (None, type(None))]
    assert all(row["count"] == 1 for row in rows[1:])


def test_a_list_value_counts_each_distinct_element_once_per_event():
    counts = make_collector(count_by="tags")
    item = event(1)
    item["attributes"]["tags"] = ["a", "b", "a"]
    empty = event(2)
    empty["attributes"]["tags"] = []
    counts.add([item, empty, event(3)])
    assert counts.result() == [{"tags": "a", "count": 1}, {"tags": "b", "count": 1}, {"tags": "source:audit", "count": 1},
                               {"tags": "team:data", "count": 1}, {"tags": None, "count": 1}]


def test_several_paths_count_combinations():
    events = [event(1, email="a@x", action="deleted"), event(2, email="a@x", action="deleted"),
              event(3, email="a@x", action="created"), event(4, email="b@x", action="deleted"), event(5, email=None)]
    counts = make_collector(count_by=["@usr.email", "@action"])
    counts.add(events)
    assert counts.result() == [{"usr_email": "a@x", "action": "deleted", "count": 2},
                               {"usr_email": "a@x", "action": "created", "count": 1},
                               {"usr_email": "b@x", "action": "deleted", "count": 1},
                               {"usr_email": None, "action": "modified", "count": 1}]


def test_value_order_is_total_over_json_values():
    values = [None, True, False, 3, 2.5, "b", "a", [1], {"x": 1}, 3.0]
    assert sorted(values, key=value_order) == [2.5, 3.0, 3, "a", "b", False, True, [1], {"x": 1}, None]
    assert [type(value) for value in sorted([3, 3.0], key=value_order)] == [float, int]


def test_keep_events_keeps_every_page_in_order():
    keep = KeepEvents()
    keep.add([1, 2])
    keep.add([])
    keep.add([3])
    assert keep.result() == [1, 2, 3]
