# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets never reach a message built from an answer: every description of an answer goes through the scrubber."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils._scrub import MASK, Scrubber, secret_forms

SECRET = "scrub-secret-6d2f9a1c"
QUOTED = 'scrub "quoted" <b>&secret</b>'


def test_every_form_of_a_secret_is_masked_before_the_text_is_shortened():
    scrubber = Scrubber([SECRET, QUOTED, "  padded-scrub-secret  "])
    text = "a %s b %s c %s d %s" % (SECRET, json.dumps(QUOTED), "padded-scrub-secret", "scrub &quot;quoted&quot; "
                                    "&lt;b&gt;&amp;secret&lt;/b&gt;")
    scrubbed = scrubber.scrub(text)
    assert scrubbed == "a %s b \"%s\" c %s d %s" % (MASK, MASK, MASK, MASK)
    assert all(form.strip() for form in secret_forms("  x  "))


@pytest.mark.parametrize("body", [
    {SECRET: 1, "meta": {}},  # a key that is a secret (an answer echoing what it got)
    {"errors": [], "x %s y" % SECRET: None},
])
def test_the_keys_of_an_unexpected_json_object_are_scrubbed(body):
    described = Scrubber([SECRET]).describe_json(body)
    assert SECRET not in described and described.startswith("an object with keys ") and MASK in described


def test_a_text_answer_is_scrubbed_before_its_snippet_is_cut_and_its_type_too():
    scrubber = Scrubber([SECRET])
    text = "x" * 150 + SECRET  # cut at 160 characters: a secret straddling the cut would leave its start
    described = scrubber.describe_text("text/plain; %s" % SECRET, text, len(text))
    assert SECRET[:10] not in described and described.startswith("a text/plain answer (%d bytes): " % len(text))
    page = "<html><head><title>Denied for %s</title></head></html>" % SECRET
    assert scrubber.describe("text/html", page) == "a text/html answer (%d bytes): 'Denied for %s'" % (len(page), MASK)


def test_json_text_is_described_by_its_keys_and_other_text_by_its_start():
    scrubber = Scrubber([SECRET])
    assert scrubber.describe("application/json", json.dumps({"b": 1, SECRET: 2})) == "an object with keys b, %s" % MASK
    assert scrubber.describe("application/json", "[1, 2]") == "a JSON list"
    assert scrubber.describe_json(None) == "an empty answer"
    assert scrubber.describe(None, "not json") == "a no content type answer (8 bytes): 'not json'"


def test_secrets_added_later_are_masked_too_and_empty_ones_are_ignored():
    scrubber = Scrubber()
    assert scrubber.scrub(SECRET) == SECRET
    scrubber.add(["", None, SECRET])
    assert scrubber.scrub("<%s>" % SECRET) == "<%s>" % MASK


def test_a_long_text_is_cut_at_160_characters_and_an_empty_object_named_so():
    scrubber = Scrubber()
    exact = "y" * 160
    assert scrubber.describe_text("text/plain", exact, 160) == "a text/plain answer (160 bytes): %r" % exact
    longer = "z" * 200
    assert scrubber.describe_text("text/plain", longer, 200) == "a text/plain answer (200 bytes): %r" % ("z" * 160 + "...")
    assert scrubber.describe_json({}) == "an object with keys none"
    keys = dict(("k%02d" % number, number) for number in range(12))
    assert scrubber.describe_json(keys) == "an object with keys " + ", ".join("k%02d" % number for number in range(8))


def test_the_forms_of_a_secret_are_exactly_those_a_server_may_echo():
    assert secret_forms('  a"b\\c é<&>  ') == {
        '  a"b\\c é<&>  ', 'a"b\\c é<&>',  # as sent, stripped (whitespace-collapsed is the same here)
        '  a\\"b\\\\c \\u00e9<&>  ', 'a\\"b\\\\c \\u00e9<&>',  # JSON-escaped, ASCII only
        '  a\\"b\\\\c é<&>  ', 'a\\"b\\\\c é<&>',  # JSON-escaped, other characters kept
        '  a&quot;b\\c é&lt;&amp;&gt;  ', 'a&quot;b\\c é&lt;&amp;&gt;',  # HTML-escaped
        '  a"b\\c é&lt;&amp;&gt;  ', 'a"b\\c é&lt;&amp;&gt;',  # HTML-escaped, quotes kept
    }


def test_a_secret_containing_another_is_masked_whole():
    scrubber = Scrubber(["abc", "abcdef", "xyz"])
    assert scrubber.scrub("abcdef abc xyzabcdef") == "%s %s %s%s" % (MASK, MASK, MASK, MASK)
    assert Scrubber(["bcd", "abcd"]).scrub("abcd") == MASK  # not "a" and a mask: the longer one first
