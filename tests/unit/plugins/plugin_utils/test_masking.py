# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""remove_values_fast masks exactly like Ansible's remove_values, trying the no_log values only where they may be."""

from __future__ import annotations

import random

import pytest

from ansible.module_utils.common import parameters

from ansible_collections.ddops.datadog.plugins.plugin_utils import _masking
from ansible_collections.ddops.datadog.plugins.plugin_utils._masking import remove_values_fast

ALPHABET = "abcdefgh-_0123 "


def secrets(count, rng):
    values = set()
    while len(values) < count:
        values.add("".join(rng.choice(ALPHABET) for _dummy in range(rng.randint(6, 24))))
    return values


def sample(rng, values, depth=0):
    """Nested data in which some strings hold, embed, repeat or overlap no_log values."""
    def text():
        parts = [rng.choice(ALPHABET) * rng.randint(0, 5)]
        for _dummy in range(rng.randint(0, 2)):
            secret = rng.choice(sorted(values))
            parts.append(rng.choice([secret, secret[: len(secret) // 2], secret + secret[:3], "x"]))
        return "".join(parts)
    if depth > 3:
        return rng.choice([text(), rng.randint(0, 99999), True, False, None, 1.5, b"bytes " + text().encode()])
    kind = rng.random()
    if kind < 0.4:
        return dict(("k%d" % index, sample(rng, values, depth + 1)) for index in range(rng.randint(0, 5)))
    if kind < 0.7:
        return [sample(rng, values, depth + 1) for _dummy in range(rng.randint(0, 5))]
    return rng.choice([text(), rng.choice(sorted(values)), rng.randint(0, 99999), False])


@pytest.mark.parametrize("seed", range(12))
def test_the_result_is_the_one_of_remove_values(seed):
    rng = random.Random(seed)
    values = secrets(rng.choice([5, 40, 300]), rng)
    values.update(["12345678", "ru", "al"])  # number-like and short values, found in ints, True, False
    data = {"items": [sample(rng, values) for _dummy in range(30)], "count": 12345678, "id": 912345678000}
    assert remove_values_fast(data, values) == parameters.remove_values(data, values)


def test_short_values_never_touch_dict_keys():
    values = set(["a", "k"] + ["long-secret-%03d" % number for number in range(40)])
    data = {"changed": False, "msg": "a task", "long-secret-007": "long-secret-007"}
    assert remove_values_fast(data, values) == parameters.remove_values(data, values)
    assert set(remove_values_fast(data, values)) == {"changed", "msg", "long-secret-007"}


def test_only_the_values_whose_first_characters_occur_are_tried(monkeypatch):
    values = set("secret-value-%04d" % number for number in range(1000))
    data = {"connections": [{"name": "connection %d" % number, "id": "0c9ea1e9-%04d" % number, "token": "secret-value-%04d" % number}
                            for number in range(1000)], "note": "contains secret-value-0007 inside", "changed": True}
    tried = []
    original = parameters.remove_values
    monkeypatch.setattr(_masking, "remove_values", lambda value, strings: tried.append(len(strings)) or original(value, strings))
    masked = remove_values_fast(data, values)
    assert masked == original(data, values)
    assert masked["connections"][7]["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert masked["note"] == "contains ******** inside"
    # Only the 1,001 strings that hold a value were handed over, each with the one value it holds, instead of 1,000
    # values tried on each of the 3,003 strings.
    assert tried == [1] * 1001


def test_few_values_an_empty_one_or_one_with_the_mask_use_remove_values_itself(monkeypatch):
    calls = []
    monkeypatch.setattr(_masking, "remove_values", lambda value, strings: calls.append(value) or value)
    remove_values_fast({"a": "b"}, {"x"})
    remove_values_fast({"a": "b"}, set(["v%03d" % number for number in range(40)] + [""]))
    remove_values_fast({"a": "b"}, set(["v%03d" % number for number in range(40)] + ["a*b"]))
    assert calls == [{"a": "b"}] * 3
