# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Masking a result with many no_log values in time linear in its size.

Internal use only: not part of the collection's public interface.

Ansible's ``remove_values`` tries every no_log value on every string of a result, so a result with S strings and K
secrets costs S x K substring replacements. ``datadog_action_connection_set`` converging N connections has S and K
both proportional to N (its ``invocation`` holds every definition, and every secret is a no_log value), which made the
masking grow with N squared: at 1,000 connections it cost more than everything else the task does together.

:func:`remove_values_fast` gives the same result, but looks for a no_log value in a string (a number, a key) only when
the value's first characters occur in it, which one dict of those first characters tells in time linear in the
string's length; a string without any is copied as it is. With few no_log values (or one that holds the mask's
``*``) it simply calls ``remove_values``. It masks dict keys too, which ansible-core 2.17 does not.
"""

from __future__ import annotations

import datetime

from collections.abc import Mapping, Set

from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_native

#: Below this many no_log values, ``remove_values`` itself is fast enough.
FAST_FROM = 32
#: How many leading characters of each no_log value the prefilter compares.
PREFIX = 8
#: What remove_values puts in place of a whole value, and of a value found inside a string.
PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
MASK = "*" * 8


def remove_values_fast(value, no_log_values):
    """What ``remove_values(value, no_log_values)`` returns, without trying every value on every string."""
    strings = [to_native(secret, errors="surrogate_or_strict") for secret in no_log_values]
    if len(strings) < FAST_FROM or not all(strings) or any(MASK[0] in secret for secret in strings):
        return remove_values(value, no_log_values)
    width = min(PREFIX, min(len(secret) for secret in strings))
    order = dict((secret, position) for position, secret in enumerate(strings))  # the order remove_values tries them
    by_prefix = {}
    for secret in strings:
        by_prefix.setdefault(secret[:width], []).append(secret)

    def candidates(text):
        """The values that may occur in ``text``: those whose first characters do, in remove_values' order."""
        found = set()
        for start in range(len(text) - width + 1):
            found.update(by_prefix.get(text[start:start + width], ()))
        return sorted(found, key=order.get)

    def text_leaf(text):
        found = candidates(text)
        if not found:
            return text
        if text in order:
            return PLACEHOLDER
        for secret in found:  # the others cannot occur: replacing them is what remove_values does, to no effect
            text = text.replace(secret, MASK)
        return text

    def number_leaf(number):
        text = to_native(number, errors="surrogate_or_strict")
        return PLACEHOLDER if any(secret in text for secret in candidates(text)) else number

    def walk(item):
        if item is None:
            return None
        if isinstance(item, str):
            return text_leaf(item)
        if isinstance(item, (bool, int, float)):
            return number_leaf(item)
        if isinstance(item, Mapping):
            return dict((text_leaf(key) if isinstance(key, str) else key, walk(element)) for key, element in item.items())
        if isinstance(item, (list, tuple)):
            return [walk(element) for element in item]
        if isinstance(item, Set):
            return set(walk(element) for element in item)
        if isinstance(item, (datetime.datetime, datetime.date)):
            return text_leaf(item.isoformat())
        return remove_values(item, no_log_values)  # bytes, anything else: Ansible's own answer (or its TypeError)

    return walk(value)
