"""Masking a result with many no_log values in time linear in its size.

Internal use only: not part of the collection's public interface.

Ansible's ``remove_values`` tries every no_log value on every string of a result, so a result with S strings and K
secrets costs S x K substring replacements. ``datadog_action_connection_set`` converging N connections has S and K
both proportional to N (its ``invocation`` holds every definition, and every secret is a no_log value), which made the
masking grow with N squared: at 1,000 connections it cost more than everything else the task does together.

:func:`remove_values_fast` returns what ``remove_values`` returns. It walks the result once; for each scalar it finds
the no_log values that occur in it (looking up each of its windows of a few characters in one dict of the values'
first characters, in time linear in the scalar's length) and, only when there are some, hands the scalar to
``remove_values`` with just those values, in the order of the full list. Everything else (dict keys included, as ``remove_values`` leaves them) is kept as it
is. With few no_log values, or one that holds the mask's ``*``, it simply calls ``remove_values``.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_native, to_text

# The collection's mask is the one remove_values puts in place of a no_log value.
from ansible_collections.ddops.datadog.plugins.module_utils._scrub import MASK

#: Below this many no_log values, ``remove_values`` itself is fast enough.
FAST_FROM = 32
#: How many leading characters of each no_log value index it (values often share a prefix, like ``sk-proj-``).
PREFIX = 16


def remove_values_fast(value, no_log_values):
    """What ``remove_values(value, no_log_values)`` returns, without trying every value on every scalar."""
    strings = [to_native(secret, errors="surrogate_or_strict") for secret in no_log_values]
    if len(strings) < FAST_FROM or not all(strings) or any(MASK[0] in secret for secret in strings):
        return remove_values(value, no_log_values)
    width = min(PREFIX, min(len(secret) for secret in strings))
    order = dict((secret, position) for position, secret in enumerate(strings))
    by_prefix = {}
    for secret in strings:
        by_prefix.setdefault(secret[:width], []).append(secret)

    def candidates(text):
        """The values that occur in ``text``, in the order of the full list. Replacing the others is what
        remove_values does, to no effect: they do not occur, and a replacement only brings in the mask's ``*``,
        which no value holds."""
        found = set()
        for start in range(len(text) - width + 1):
            for secret in by_prefix.get(text[start:start + width], ()):
                if secret in text:
                    found.add(secret)
        return sorted(found, key=order.get)

    def scalar(item):
        if isinstance(item, str):
            text = item
        elif isinstance(item, bytes):
            text = to_text(item, errors="surrogate_or_strict")
        else:
            text = to_native(item, errors="surrogate_or_strict")
        found = candidates(text)
        return remove_values(item, found) if found else item

    def walk(item):
        if item is None or isinstance(item, (str, bytes, bool, int, float)):
            return scalar(item)
        if isinstance(item, Mapping):
            return dict((key, walk(element)) for key, element in item.items())
        if isinstance(item, (list, tuple)):
            return [walk(element) for element in item]
        if isinstance(item, Set):
            return set(walk(element) for element in item)
        return remove_values(item, no_log_values)  # dates, anything else: Ansible's own answer (or its TypeError)

    return walk(value)
