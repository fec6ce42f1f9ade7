# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a client did against the API, as data: requests, retries by cause, waits, outcome polls, reconciliations.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

One :class:`ApiStats` per client (``client.stats``). It is thread-safe: the workers of a parallel read or write may
share one, or keep their own and :meth:`ApiStats.merge` them at the end. :meth:`ApiStats.as_result` is the plain data
a module result carries; :meth:`ApiStats.summary` is the one line a warning shows.
"""

from __future__ import annotations

import copy
import threading


class ApiStats(object):
    """Counters of one client (or of several, merged).

    - ``requests``: attempts sent, by HTTP method (every retry is a request);
    - ``retries``: attempts sent again, by cause (``HTTP 429``, ``HTTP 503``, ``timeout``, ``connection error``);
    - ``waited``: seconds spent waiting: backoff, rate-limit waits (also those another worker's 429 imposed through a
      shared rate limit) and the pauses between outcome polls;
    - ``outcome_polls``: reads made to learn whether a write whose answer was lost or unusable was applied (they are
      requests too, but not retries);
    - ``reconciliations``: one record per item whose outcome had to be worked out that way, added by domain code
      (plain data, never a secret), e.g. ``{"operation": "create", "name": "x", "outcome": "adopted"}``.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._requests = {}
        self._retries = {}
        self._waited = 0.0
        self._outcome_polls = 0
        self._reconciliations = []

    # -- counting ---------------------------------------------------------------------------------------------------

    def request(self, method):
        """One attempt sent."""
        with self._lock:
            self._requests[method] = self._requests.get(method, 0) + 1

    def retry(self, cause, seconds=0.0):
        """One attempt to be sent again because of ``cause``, after waiting ``seconds``."""
        with self._lock:
            self._retries[cause] = self._retries.get(cause, 0) + 1
            self._waited += max(0.0, seconds)

    def wait(self, seconds):
        """Seconds waited that are not a retry's own (a rate limit shared with other workers, an outcome poll's pause)."""
        if seconds > 0:
            with self._lock:
                self._waited += seconds

    def outcome_poll(self):
        """One read made to learn the outcome of a write."""
        with self._lock:
            self._outcome_polls += 1

    def reconciled(self, record):
        """A record of one item whose outcome was worked out after a lost or unusable answer (plain data, no secret)."""
        with self._lock:
            self._reconciliations.append(copy.deepcopy(dict(record)))

    def merge(self, other):
        """Add the counts of ``other`` (another client's stats) to these."""
        if other is self:
            return
        requests, retries, waited, polls, records = other._snapshot()  # pylint: disable=protected-access
        with self._lock:
            for method, number in requests.items():
                self._requests[method] = self._requests.get(method, 0) + number
            for cause, number in retries.items():
                self._retries[cause] = self._retries.get(cause, 0) + number
            self._waited += waited
            self._outcome_polls += polls
            self._reconciliations.extend(records)

    # -- reading ----------------------------------------------------------------------------------------------------

    @property
    def request_count(self):
        with self._lock:
            return sum(self._requests.values())

    @property
    def retry_count(self):
        with self._lock:
            return sum(self._retries.values())

    @property
    def waited(self):
        with self._lock:
            return self._waited

    @property
    def outcome_polls(self):
        with self._lock:
            return self._outcome_polls

    def as_result(self):
        """Plain data for a module result's ``api`` member::

            {"requests": {"total": N, "GET": n, ...}, "retries": {"total": N, "<cause>": n, ...},
             "waited": <seconds, rounded to 3 places>, "outcome_polls": N, "reconciliations": [{...}, ...]}
        """
        requests, retries, waited, polls, records = self._snapshot()
        return {
            "requests": dict([("total", sum(requests.values()))] + sorted(requests.items())),
            "retries": dict([("total", sum(retries.values()))] + sorted(retries.items())),
            "waited": round(waited, 3),
            "outcome_polls": polls,
            "reconciliations": records,
        }

    def summary(self):
        """One line saying how many requests were retried and why, how long was waited and how many reads an
        unanswered write took, or ``None`` when nothing of the kind happened."""
        dummy, retries, waited, polls, dummy = self._snapshot()
        total = sum(retries.values())
        if not total and not polls and not waited:
            return None
        parts = []
        if total:
            parts.append("%d %s (%s)" % (total, "retry" if total == 1 else "retries",
                                         ", ".join("%s x%d" % item for item in sorted(retries.items()))))
        parts.append("waited %.1f s in total" % waited)
        if polls:
            parts.append("%d %s to learn the outcome of a write" % (polls, "read" if polls == 1 else "reads"))
        return "Datadog API: %s" % ", ".join(parts)

    def _snapshot(self):
        with self._lock:
            return (dict(self._requests), dict(self._retries), self._waited, self._outcome_polls,
                    copy.deepcopy(self._reconciliations))

    def __repr__(self):
        return "ApiStats(%r)" % (self.as_result(),)
