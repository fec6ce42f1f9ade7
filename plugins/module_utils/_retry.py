# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When a request is sent again, and how long to wait first: the collection's own rules.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports, no HTTP library:
:class:`RetryPolicy` decides from plain values (a status and its headers, or how an attempt got no answer), so every
rule is tested without a network.

- **429** (rate limited) is retried for every method: Datadog did not process the request. The wait is
  ``X-RateLimit-Reset`` seconds, else ``Retry-After`` (seconds or an HTTP date), else the backoff; capped by
  ``retry_max_wait``.
- **408, 500, 502, 503, 504** and attempts without an answer are retried only for idempotent requests, after the
  backoff: ``retry_backoff * 2**(n - 1)`` before the n-th retry, capped by ``retry_max_wait``.
- A **non-idempotent request (POST) that may have reached Datadog** is never sent again: its outcome is unknown, and
  the caller reconciles (looks for what it would have created). When no connection was made at all it is retried.
- A failure that another attempt cannot fix (a TLS certificate refused, a malformed URL) is not retried.
- At most ``retries`` retries per request.

:class:`SharedRateLimit` is the rate-limit wait several clients share when they work in parallel.
"""

from __future__ import annotations

import email.utils
import math
import threading
import time

from ansible_collections.ddops.datadog.plugins.module_utils._errors import RequestCancelled

#: Statuses worth another attempt. 429 for every method; the others only for idempotent requests.
RATE_LIMITED = 429
RETRYABLE_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"))

#: What a decision says.
RETRY, GIVE_UP, OUTCOME_UNKNOWN = "retry", "give up", "outcome unknown"


class NoAnswer(object):
    """How an attempt ended without an HTTP answer, in plain terms (the transport classifies its exceptions).

    ``sent``: the request may have reached the server (False only when no connection was made); ``timeout``: it
    ended by a timeout; ``permanent``: another attempt cannot help (TLS refused, malformed URL).
    """

    __slots__ = ("sent", "timeout", "permanent")

    def __init__(self, sent, timeout=False, permanent=False):
        self.sent = sent
        self.timeout = timeout
        self.permanent = permanent

    @property
    def cause(self):
        return "timeout" if self.timeout else "connection error"


class Decision(object):
    """``action`` (:data:`RETRY`, :data:`GIVE_UP` or :data:`OUTCOME_UNKNOWN`), the seconds to ``wait`` before a retry
    and its ``cause`` (``HTTP 429``, ``timeout``, ...)."""

    __slots__ = ("action", "wait", "cause")

    def __init__(self, action, wait=0.0, cause=None):
        self.action = action
        self.wait = wait
        self.cause = cause

    def __eq__(self, other):
        return isinstance(other, Decision) and (self.action, self.wait, self.cause) == (other.action, other.wait, other.cause)

    def __repr__(self):
        return "Decision(%r, wait=%r, cause=%r)" % (self.action, self.wait, self.cause)


class RetryPolicy(object):
    """The retry rules of one client (see the module docstring). ``now`` gives the time (``time.time()``) for a
    ``Retry-After`` given as a date."""

    def __init__(self, retries, backoff, max_wait, now=None):
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._now = now or time.time

    @staticmethod
    def idempotent(method):
        return method.upper() in IDEMPOTENT_METHODS

    def backoff_wait(self, retry):
        """Seconds before the ``retry``-th retry (1 for the first)."""
        return min(self.max_wait, self.backoff * (2 ** (retry - 1)))

    def rate_limit_wait(self, headers, retry):
        """Seconds to wait after a 429: ``X-RateLimit-Reset`` (seconds until the reset), else ``Retry-After`` (seconds
        or an HTTP date), else the backoff; capped by ``retry_max_wait``."""
        for name in ("X-RateLimit-Reset", "Retry-After"):
            seconds = self._seconds(headers.get(name), dates=name == "Retry-After")
            if seconds is not None:
                return min(self.max_wait, seconds)
        return self.backoff_wait(retry)

    def after_status(self, status, headers, idempotent, attempts):
        """What to do after an answer with a ``status`` the caller did not expect, at the end of attempt
        ``attempts`` (1 for the first)."""
        if not (status == RATE_LIMITED or (idempotent and status in RETRYABLE_STATUSES)) or attempts > self.retries:
            return Decision(GIVE_UP)
        if status == RATE_LIMITED:
            return Decision(RETRY, self.rate_limit_wait(headers, attempts), "HTTP %d" % status)
        return Decision(RETRY, self.backoff_wait(attempts), "HTTP %d" % status)

    def after_no_answer(self, failure, idempotent, attempts):
        """What to do after attempt ``attempts`` got no answer (a :class:`NoAnswer`)."""
        if failure.sent and not idempotent:
            return Decision(OUTCOME_UNKNOWN)
        if failure.permanent or attempts > self.retries:
            return Decision(GIVE_UP)
        return Decision(RETRY, self.backoff_wait(attempts), failure.cause)

    def _seconds(self, value, dates=False):
        if value is None:
            return None
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = None
        if seconds is None and dates:
            try:
                moment = email.utils.parsedate_to_datetime(str(value))
            except (TypeError, ValueError, IndexError):
                return None
            if moment is None or moment.tzinfo is None:
                return None
            seconds = max(0.0, moment.timestamp() - self._now())
        if seconds is None or math.isnan(seconds) or seconds < 0:  # NaN or negative: not a wait
            return None
        return seconds


class SharedRateLimit(object):
    """One rate-limit wait for several clients, each used by its own thread (a parallel read).

    A 429 seen by any of them (:meth:`hold`) holds back the next attempt of every one (:meth:`wait`, called before
    each attempt) until the reset Datadog asked for, instead of each thread learning the limit by its own 429. The
    clients' own waits (backoff, 429) go through :meth:`sleep`. :meth:`cancel` ends every wait at once: a cancelled
    wait raises :class:`RequestCancelled`, so a thread stops promptly. ``clock`` and
    ``pause`` (``pause(seconds)`` waits) are injectable so tests never wait for real.
    """

    def __init__(self, clock=None, pause=None):
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._clock = clock or time.monotonic
        self._pause = pause or self._cancelled.wait
        self._resume_at = None
        self.holds = 0  # 429 answers shared
        self.waited = 0.0  # seconds spent in wait() by all threads together

    def hold(self, seconds):
        """Hold back every client's next attempt for ``seconds`` (a later reset wins over an earlier one)."""
        with self._lock:
            resume_at = self._clock() + max(0.0, seconds)
            if self._resume_at is None or resume_at > self._resume_at:
                self._resume_at = resume_at
            self.holds += 1

    def wait(self):
        """Return once no hold is pending, with the seconds this call waited; raises
        :class:`RequestCancelled` after :meth:`cancel`."""
        waited = 0.0
        while True:
            self._check()
            with self._lock:
                remaining = 0.0 if self._resume_at is None else self._resume_at - self._clock()
                if remaining > 0:
                    self.waited += remaining
            if remaining <= 0:
                return waited
            waited += remaining
            self._pause(remaining)

    def sleep(self, seconds):
        """A client's own wait, cut short by :meth:`cancel`."""
        self._check()
        if seconds > 0:
            self._pause(seconds)
            self._check()

    def cancel(self):
        self._cancelled.set()

    @property
    def cancelled(self):
        return self._cancelled.is_set()

    def _check(self):
        if self._cancelled.is_set():
            raise RequestCancelled("request cancelled: the work it belonged to was stopped")
