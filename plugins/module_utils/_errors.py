# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two ways a ddops.datadog task fails, the errors of a request, and the one place an API error becomes a task
failure.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

- :class:`InputError`: an option has a value the collection refuses before sending anything.
- :class:`TaskFailure`: the task cannot do what was asked (an API error during an operation, a connection that does not
  exist, an ambiguous name, ...). ``str()`` is the one-line message; ``result`` holds extra result keys (the HTTP
  ``status``, Datadog's ``request_id``, the IDs of connections sharing a name, ...).
- :class:`DatadogAPIError` and its kinds: what a request to Datadog ended with when it did not give the caller a
  usable answer (raised by the client, ``_api.py``).

Each operation declares its wording once, where it happens::

    with operation("update action connection 'x'"):
        client.patch(...)

and any :class:`DatadogAPIError` inside becomes ``TaskFailure("Failed to update action connection 'x': HTTP 403: ...")``.
Modules (``_module.ModuleHost.run``), the lookup and the event source turn both exceptions into their own kind of
failure in one place each.
"""

from __future__ import annotations

import contextlib

_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 409: "Conflict", 413: "Payload Too Large", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}


class DatadogAPIError(Exception):
    """A request to Datadog failed.

    ``status`` is the HTTP status (``None`` when no answer was received), ``method`` and ``path`` name
    the route, ``request_id`` is Datadog's request id when it sent one, and ``messages`` are the parsed
    error texts. ``str()`` gives one readable line; no key is ever part of it.
    """

    def __init__(self, messages, status=None, method=None, path=None, request_id=None, attempts=1, body=None):
        if isinstance(messages, str):
            messages = [messages]
        self.messages = list(messages)
        self.status = status
        self.method = method
        self.path = path
        self.request_id = request_id
        self.attempts = attempts
        self.body = body
        super().__init__(self.summary())

    def summary(self):
        parts = []
        if self.status is not None:
            parts.append("HTTP %d" % self.status)
        parts.extend(self.messages or [reason(self.status, "request failed")])
        text = ": ".join(parts)
        context = []
        if self.method and self.path:
            context.append("%s %s" % (self.method, self.path))
        if self.request_id:
            context.append("request id %s" % self.request_id)
        if self.attempts > 1:
            context.append("gave up after %d attempts" % self.attempts)
        if context:
            text += " (%s)" % ", ".join(context)
        return text

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.summary())


class DatadogConnectionError(DatadogAPIError):
    """No answer was received (connection refused or dropped, timeout, TLS failure)."""


class DatadogOutcomeUnknownError(DatadogConnectionError):
    """A non-idempotent request (POST) may have reached Datadog, but its answer was lost.

    It is never re-sent blindly; the caller reconciles (for example looks the resource up by name).
    """


class UnusableAnswerError(DatadogAPIError):
    """Datadog answered with a success status (2xx), so it accepted the request, but the answer cannot be used: no
    ``data`` member, not JSON, larger than the client reads, empty where a body was expected or a body where none is.

    A write answered so may have been applied: the caller reconciles (reads what the write would have changed).
    """


class RequestCancelled(DatadogAPIError):
    """A request was abandoned before it was sent, or during a wait, because its work was cancelled (see
    ``SharedRateLimit``); nothing is wrong with the request itself."""


def reason(status, default="error"):
    """The standard reason phrase of an HTTP status."""
    return _REASONS.get(status, default)


class InputError(ValueError):
    """An option has a value the collection refuses before sending anything; the message names the option."""


class TaskFailure(Exception):
    """The task fails with this one-line message; ``result`` are extra result keys (never a secret)."""

    def __init__(self, message, cause=None, **result):
        super().__init__(message)
        self.cause = cause
        self.result = result


@contextlib.contextmanager
def operation(wording, **result):
    """Turn a :class:`DatadogAPIError` raised inside into ``TaskFailure("Failed to <wording>: <error>")``.

    The failure carries the HTTP ``status`` and Datadog's ``request_id`` when there are any, plus ``result``.
    """
    try:
        yield
    except DatadogAPIError as exc:
        raise api_failure(exc, wording, **result) from None


def api_failure(error, wording, **result):
    """The :class:`TaskFailure` for an API error during ``wording`` (see :func:`operation`)."""
    if error.status is not None:
        result.setdefault("status", error.status)
    if error.request_id:
        result.setdefault("request_id", error.request_id)
    return TaskFailure("Failed to %s: %s" % (wording, error), cause=error, **result)
