# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""API errors with the exact bodies Datadog was recorded answering (``docs/dev/api-behaviour.md`` of the collection)."""

from __future__ import annotations

JSON_API = "application/vnd.api+json"
JSON = "application/json"


class ApiError(Exception):
    """An error answer: HTTP ``status`` with the JSON ``body``."""

    def __init__(self, status, body, content_type=JSON_API):
        super().__init__("HTTP %d: %s" % (status, body))
        self.status = status
        self.body = body
        self.content_type = content_type


def generic_error(status, detail):
    """The action-connection error shape: ``{"errors": [{"title": "Generic Error", "detail": ...}]}``."""
    return ApiError(status, {"errors": [{"title": "Generic Error", "detail": detail}]})


def text_errors(status, *messages):
    """The other shape (audit, authentication): ``{"errors": ["text", ...]}``."""
    return ApiError(status, {"errors": list(messages)}, JSON)


def forbidden():
    """Missing or unknown ``DD-API-KEY`` / ``DD-APPLICATION-KEY``."""
    return text_errors(403, "Forbidden")


def not_registered():
    """An action-connection call whose application key is not registered for the Actions API."""
    return ApiError(403, {"errors": [{"status": "403", "title": "Forbidden", "detail": "application key is not registered for Actions API"}]})


def invalid_parameter(name, location, expectation):
    """The recorded parameter-error shape, e.g. for a non-UUID ``appKeyId`` or a bad ``page[size]``."""
    return ApiError(400, {"errors": [{"status": "400", "title": "Invalid Parameter",
                                      "detail": 'invalid parameter "%s" in "%s"; %s' % (name, location, expectation)}]})


def int_parameter(args, name, default, minimum, maximum=None):
    """An integer query parameter within ``[minimum, maximum]``; otherwise the recorded 400 parameter error."""
    raw = args.get(name)
    if raw is None:
        return default
    expectation = "expected an integer %s" % ("from %d to %d" % (minimum, maximum) if maximum is not None else ">= %d" % minimum)
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter(name, "query", expectation) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise invalid_parameter(name, "query", expectation)
    return value
