# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Times as the audit search takes them: date math (``now-15m``, ``now/d``), ISO 8601 and epoch milliseconds.

All results are epoch milliseconds (UTC).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}

_DATE_MATH = re.compile(r"^now(?:(?P<sign>[+-])(?P<amount>\d+)(?P<unit>[smhdw]))?(?:/(?P<round>[smhdw]))?$")
_DURATION = re.compile(r"^(?P<amount>\d+)(?P<unit>[smhdw])$")
_EPOCH_MS = re.compile(r"^\d+$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_time(value, now_ms):
    """Epoch milliseconds for ``value`` (str or int); ``now_ms`` anchors date math. Raises ``ValueError``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("invalid time %r" % (value,))
    text = value.strip()
    if _EPOCH_MS.match(text):
        return int(text)
    match = _DATE_MATH.match(text)
    if match:
        result = now_ms
        if match.group("sign"):
            delta = int(match.group("amount")) * UNIT_MS[match.group("unit")]
            result += delta if match.group("sign") == "+" else -delta
        if match.group("round"):
            result -= _offset_into_unit(result, match.group("round"))
        return result
    return _parse_iso(text)


def parse_duration(value):
    """Milliseconds for a duration such as ``15m`` or ``7d``. Raises ``ValueError``."""
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError("invalid duration %r (expected a number and one of s, m, h, d, w)" % (value,))
    return int(match.group("amount")) * UNIT_MS[match.group("unit")]


def format_iso(epoch_ms):
    """``2026-07-13T13:25:37.434Z``: how audit events show their timestamp."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (epoch_ms % 1000)


def format_go(moment):
    """``2026-07-13 13:25:37.4346 +0000 UTC``: Go's default time format, which action connections answer with."""
    fraction = ("%06d" % moment.microsecond).rstrip("0")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + ("." + fraction if fraction else "") + " +0000 UTC"


def _offset_into_unit(epoch_ms, unit):
    """How far ``epoch_ms`` is past the start of its ``unit`` (weeks start on Monday, like ISO weeks)."""
    if unit == "w":
        monday_offset = (epoch_ms // UNIT_MS["d"] + 3) % 7  # 1970-01-01 was a Thursday
        return monday_offset * UNIT_MS["d"] + epoch_ms % UNIT_MS["d"]
    return epoch_ms % UNIT_MS[unit]


def _parse_iso(text):
    normalized = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        moment = datetime.fromisoformat(normalized)
    except ValueError:
        raise ValueError("invalid time %r (use date math like now-15m, ISO 8601 or epoch milliseconds)" % (text,)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(milliseconds=1)
