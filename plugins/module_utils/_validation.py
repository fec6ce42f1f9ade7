# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of plain option values shared by every plugin: numbers, booleans, UUIDs.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports. Each check
returns the value in its canonical form or raises :class:`InputError` naming the option and what it allows.
"""

from __future__ import annotations

import math
import re

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def describe(value):
    """A value for a message: its repr when it is a plain scalar, else only its kind (``a list``, ``a dict``)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    return "a %s" % type(value).__name__


def validate_number(name, value, integer=False, minimum=None, maximum=None, exclusive=False, allowed=None):
    """An int (``integer``) or a finite float, from a number or a string of one; never a bool, NaN or infinity.

    ``minimum`` (exclusive when ``exclusive``) and ``maximum`` bound it. ``allowed`` words the whole rule for the
    message (``"an integer from 1 to 1000"``); without it the message says which rule was broken.
    """
    number = _parse_number(value, integer)
    kind = "an integer" if integer else "a number"
    if number is None:
        raise InputError("%s must be %s, got %s" % (name, allowed or kind, describe(value)))
    broken = None
    if minimum is not None and (number < minimum or (exclusive and number == minimum)):
        broken = "%s %s" % ("greater than" if exclusive else "at least", minimum)
    elif maximum is not None and number > maximum:
        broken = "at most %s" % maximum
    if broken:
        raise InputError("%s must be %s, got %s" % (name, allowed or broken, describe(value)))
    return number


def _parse_number(value, integer):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or (integer and not value.is_integer()):
            return None
        return int(value) if integer else value
    if isinstance(value, str):
        if _INTEGER.match(value):
            return int(value) if integer else float(value)
        if integer:
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def validate_bool(name, value):
    """A bool from a bool or the usual words (yes/no, true/false, on/off, 1/0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise InputError("%s must be a boolean (true or false), got %s" % (name, describe(value)))


def normalized_uuid(value):
    """``value`` stripped and lower-cased when it is a UUID string, else ``None`` (callers word their own error)."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value if _UUID.match(value) else None
