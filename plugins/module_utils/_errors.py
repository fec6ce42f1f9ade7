# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two ways a ddops.datadog task fails, and the one place an API error becomes a task failure.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

- :class:`InputError`: an option has a value the collection refuses before sending anything.
- :class:`TaskFailure`: the task cannot do what was asked (an API error during an operation, a connection that does not
  exist, an ambiguous name, ...). ``str()`` is the one-line message; ``result`` holds extra result keys (the HTTP
  ``status``, Datadog's ``request_id``, the IDs of connections sharing a name, ...).

Each operation declares its wording once, where it happens::

    with operation("update action connection 'x'"):
        client.patch(...)

and any :class:`DatadogAPIError` inside becomes ``TaskFailure("Failed to update action connection 'x': HTTP 403: ...")``.
Modules (``_module.ModuleHost.run``), the lookup and the event source turn both exceptions into their own kind of
failure in one place each.
"""

from __future__ import annotations

import contextlib

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError


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
