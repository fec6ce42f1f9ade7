# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of ddops.datadog: :class:`DatadogClient`, a facade over parts with one job each.

Internal use only: this module is not part of the collection's public interface and may change in any
release. Every request of every plugin goes through :class:`DatadogClient`. There are no Ansible imports here so the
client can be used and tested as plain Python.

- ``_transport.py``: one attempt (send once, read up to a size cap, decode); the only file that imports ``requests``;
- ``_retry.py``: what is retried and how long to wait (429 with ``X-RateLimit-Reset`` / ``Retry-After``, backoff,
  never a POST that may have reached Datadog), and the rate limit parallel workers share;
- ``_scrub.py``: every text of an answer that reaches a message, scrubbed of every secret the client knows;
- ``_api_stats.py``: what the client did, as data (requests by method, retries by cause, waits, outcome polls,
  reconciliations): ``client.stats``.

This file holds the loop that ties them together (:meth:`DatadogClient.request`) and the paging of list routes.
"""

from __future__ import annotations

import contextlib
import gc
import time

from ansible_collections.ddops.datadog.plugins.module_utils._api_stats import ApiStats
from ansible_collections.ddops.datadog.plugins.module_utils._errors import (
    DatadogAPIError,
    DatadogConnectionError,
    DatadogOutcomeUnknownError,
    RequestCancelled,
    UnusableAnswerError,
)
from ansible_collections.ddops.datadog.plugins.module_utils._retry import (
    GIVE_UP,
    OUTCOME_UNKNOWN,
    RATE_LIMITED,
    RetryPolicy,
    SharedRateLimit,
)
from ansible_collections.ddops.datadog.plugins.module_utils._scrub import Scrubber
from ansible_collections.ddops.datadog.plugins.module_utils._transport import (
    COLLECTION_VERSION,
    HAS_REQUESTS,
    MAX_ANSWER_BYTES,
    REQUESTS_IMPORT_ERROR,
    ApiResponse,
    Transport,
    Unanswered,
    new_session,
    one_line,
    parse_error_messages,
    user_agent,
)

# What callers import from here: the client, its errors and the helpers of its parts they use.
__all__ = [
    "COLLECTION_VERSION", "HAS_REQUESTS", "MAX_ANSWER_BYTES", "MAX_LIST_ITEMS", "REQUESTS_IMPORT_ERROR", "ApiResponse",
    "DatadogAPIError", "DatadogClient", "DatadogConnectionError", "DatadogOutcomeUnknownError", "RequestCancelled",
    "SharedRateLimit", "UnusableAnswerError", "cyclic_gc_paused", "one_line", "parse_error_messages", "user_agent",
]

#: The most items a paged list is read to (Datadog orgs hold far fewer connections or registrations).
MAX_LIST_ITEMS = 100000


class DatadogClient(object):
    """A keep-alive session against one Datadog site: the one way every plugin talks to Datadog.

    ``options`` are validated connection options (``_connection_options.ClientOptions``). ``sleep`` and ``clock`` are
    injectable so tests never wait for real. ``stats`` (an :class:`~._api_stats.ApiStats`) counts what was done; pass
    one to share it between clients.

    Every text of an answer that can reach a message is scrubbed first of every secret the client knows (its keys and
    what :meth:`add_secrets` adds): raw, JSON-escaped, HTML-escaped, stripped and whitespace-collapsed forms, before
    the text is shortened or normalised in any way.
    """

    def __init__(self, options, user_agent_extra=None, session=None, sleep=None, clock=None, stats=None):
        self.options = options
        self._sleep = self._own_sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.rate_limit = None  # a SharedRateLimit when this client is one of several working in parallel
        self.stats = stats if stats is not None else ApiStats()
        self.scrubber = Scrubber(value for value in (options.api_key, options.app_key) if value)
        self.policy = RetryPolicy(options.retries, options.retry_backoff, options.retry_max_wait)
        self.transport = Transport(options, self.scrubber, session=session, user_agent_extra=user_agent_extra)

    @property
    def session(self):
        return self.transport.session

    @staticmethod
    def new_session():
        """A keep-alive session whose transport never retries on its own (every retry is decided and counted here)."""
        return new_session()

    def add_secrets(self, values):
        """More values that must never reach a message (the task's ``no_log`` values)."""
        self.scrubber.add(values)

    def scrub(self, text):
        """``text`` with every form of every known secret replaced by a mask."""
        return self.scrubber.scrub(text)

    def share_rate_limit(self, shared):
        """Join a :class:`SharedRateLimit` (``None``: leave it): the client then waits for holds before each attempt,
        shares its 429 waits, and makes its own waits through it (so that cancelling stops them)."""
        self.rate_limit = shared
        self._sleep = self._own_sleep if shared is None else shared.sleep

    def retry_summary(self):
        """One line saying how many requests were retried and why, or ``None`` when none was (``stats.summary()``)."""
        return self.stats.summary()

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- requests -------------------------------------------------------------------------------------

    def get(self, path, params=None, expected=(200,)):
        return self.request("GET", path, params=params, expected=expected)

    def post(self, path, body=None, expected=(200, 201), params=None):
        return self.request("POST", path, body=body, params=params, expected=expected)

    def put(self, path, body=None, expected=(200, 201, 204)):
        return self.request("PUT", path, body=body, expected=expected)

    def patch(self, path, body, expected=(200,), idempotent=True):
        return self.request("PATCH", path, body=body, expected=expected, idempotent=idempotent)

    def delete(self, path, expected=(200, 202, 204)):
        return self.request("DELETE", path, expected=expected)

    def request(self, method, path, params=None, body=None, expected=(200,), idempotent=None):
        """Send one logical request, with retries, and return an :class:`ApiResponse`.

        A status outside ``expected`` raises :class:`DatadogAPIError`; a 2xx answer that cannot be used raises
        :class:`UnusableAnswerError` (the request may have been applied). ``idempotent`` defaults by method (POST is
        not); a PATCH whose repetition would change more (for example rotating a secret) passes ``idempotent=False``.
        """
        prepared = self.transport.prepare(method, path, params, body)
        method = prepared.method
        if idempotent is None:
            idempotent = self.policy.idempotent(method)
        attempts = 0
        unanswered = 0
        while True:
            if self.rate_limit is not None:
                self.stats.wait(self.rate_limit.wait())
            attempts += 1
            self.stats.request(method)
            outcome = self.transport.send(prepared, expected)
            if isinstance(outcome, ApiResponse):
                outcome.unanswered = unanswered
                return outcome
            if isinstance(outcome, Unanswered):
                decision = self.policy.after_no_answer(outcome.failure, idempotent, attempts)
                if decision.action == OUTCOME_UNKNOWN:
                    raise DatadogOutcomeUnknownError(
                        "no answer after the request was sent (%s); it may have been applied" % outcome.short_reason(),
                        method=method, path=prepared.display_path, attempts=attempts)
                if decision.action == GIVE_UP:
                    raise self.transport.no_answer_error(outcome, method, prepared.display_path, attempts)
                unanswered += 1 if outcome.failure.sent else 0
            else:
                decision = self.policy.after_status(outcome.status, outcome.headers, idempotent, attempts)
                if decision.action == GIVE_UP:
                    raise outcome.error(attempts)
                outcome.discard()
                if outcome.status == RATE_LIMITED and self.rate_limit is not None:
                    self.rate_limit.hold(decision.wait)
            self._retry_after(decision.wait, decision.cause)

    def wait(self, seconds, cause=None):
        """Sleep ``seconds`` (injectable), counted in :attr:`stats` as waited, and as a retry under ``cause`` when one
        is given."""
        if cause is not None:
            self._retry_after(seconds, cause)
            return
        self.stats.wait(seconds)
        if seconds > 0:
            self._sleep(seconds)

    def _retry_after(self, seconds, cause):
        self.stats.retry(cause, seconds)
        if seconds > 0:
            self._sleep(seconds)

    # -- paging -----------------------------------------------------------------------------------------

    def paginate(self, path, params=None, page_size=100):
        """Yield every item of a page-number paged v2 list (``page[size]``/``page[number]`` from 0).

        Stops on an empty page or once ``meta.total_filtered`` (or ``meta.total``) items have been read, so N items at
        page size S cost ceil(N / S) requests. A server that repeats a page (ignoring ``page[number]``), pages past the
        total it reported, or reports more than ``MAX_LIST_ITEMS`` items gets a clear error after a bounded number of
        requests instead of being read forever.
        """
        read = 0
        seen = set()
        for number in range(MAX_LIST_ITEMS // page_size + 2):
            query = dict(params or {})
            query["page[size]"] = page_size
            query["page[number]"] = number
            response = self.get(path, params=query)
            items = response.data
            if not isinstance(items, list):
                raise _list_error(response, "the answer's 'data' member is not a list")
            if not items:
                return
            ids = [item.get("id") for item in items if isinstance(item, dict) and item.get("id") is not None]
            if ids and seen.issuperset(ids):
                raise _list_error(response, "page %d holds only items of earlier pages (the server may ignore "
                                            "page[number]); stopped after %d requests" % (number, number + 1))
            seen.update(ids)
            read += len(items)
            total = _page_total(response.body)
            if total is not None and total > MAX_LIST_ITEMS:
                raise _list_error(response, "the server reports %d items; this collection reads at most %d"
                                  % (total, MAX_LIST_ITEMS))
            # Short pages are allowed (up to twice the pages the total needs); a page beyond that is a server that pages on.
            if read > MAX_LIST_ITEMS or (total is not None and number >= 2 * ((total + page_size - 1) // page_size) + 1):
                raise _list_error(response, "the server keeps answering pages past the %s it reported; stopped "
                                            "after %d requests" % ("%d items" % total if total is not None
                                                                   else "limit of %d items" % MAX_LIST_ITEMS, number + 1))
            yield from items
            if total is not None and read >= total:
                return
        raise _list_error(response, "no end after %d pages" % (number + 1))


def _list_error(response, message):
    return DatadogAPIError(message, status=response.status, method="GET", path=response.path,
                           request_id=response.request_id)


@contextlib.contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while many decoded answers are accumulated.

    JSON data holds no reference cycles, so reference counting frees it all; but while a large result grows, each
    full collection walks every object already kept, which cost a quarter of the time of reading 100,000 audit
    events (docs/performance.md). The collector is restored (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _page_total(body):
    meta = body.get("meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict):
        return None
    for key in ("total_filtered", "total"):
        value = meta.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
