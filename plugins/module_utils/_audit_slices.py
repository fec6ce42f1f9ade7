# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Parallel range reads of the Datadog Audit Trail: the time range is cut into slices read at once.

Internal use only: this module is not part of the collection's public interface and may change in any
release. There are no Ansible imports here; the ``parallel`` option of the ``ddops.datadog.audit_events``
lookup calls :func:`search_all_parallel`.

Cursor paging is sequential by nature, so a long read is bound by round trips. Like Elasticsearch's sliced
scroll, the range ``[from, to]`` is cut into time slices, each read with its own cursor by its own thread and
client (a ``requests.Session`` is not shared between threads), and the slices are put back together in order.

The result is the sequential read's - the same events, in the same order, each once - or an error; never something
else. Three parts, each with one job:

* ``_audit_plan.ReadPlan`` (no threads): how the range is cut, which slice sends the next request, what an answer
  changes, which pages can be handed on;
* ``_audit_page.check_page`` (no threads): which events of a page belong to the slice that asked - the one rule for a
  slice's edge, which never splits the events of a millisecond - or why the page cannot be used (an event out of
  order anywhere in it, outside what was asked, or without a readable time);
* :class:`OrderedPages` (here): the condition every worker and the reader wait on, and the pages handed on in order.

``from`` and ``to`` are resolved once, with one ``now``, to epoch milliseconds; every slice is searched with absolute
times (ends given as ISO 8601 or epoch milliseconds are sent as given). Times that Datadog reads in the ``timezone``
option (ISO without offset, rounding such as ``now/d``) and ``time_offset`` are not resolved here: such a search is
read sequentially, with a warning.

A 429 seen by any worker holds back every worker's next request for the reset Datadog asked for
(:class:`SharedRateLimit`); a failure in one slice stops the others (their waits are cut short) and fails the read
with that slice's message, once every thread has ended.
"""

from __future__ import annotations

import threading

from datetime import datetime, timezone

from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    DatadogAPIError,
    RequestCancelled,
    SharedRateLimit,
    cyclic_gc_paused,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit import (
    SEARCH_PATH,
    SearchResult,
    collect_warnings,
    limit_warning,
    next_cursor,
    repeated_page_message,
    search_events,
    search_failure,
    search_page,
    timed_out_warning,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import KeepEvents
from ansible_collections.ddops.datadog.plugins.module_utils._audit_page import PageError
from ansible_collections.ddops.datadog.plugins.module_utils._audit_plan import ReadPlan, RepeatedPage, resolve_range
from ansible_collections.ddops.datadog.plugins.module_utils._errors import TaskFailure
from ansible_collections.ddops.datadog.plugins.module_utils._validation import validate_number

DEFAULT_PARALLEL = 1
MAX_PARALLEL = 16


def validate_parallel(value):
    """``parallel`` as an int from 1 to :data:`MAX_PARALLEL` (``None``: the default); :class:`InputError` otherwise."""
    return validate_number("parallel", DEFAULT_PARALLEL if value is None else value, integer=True, minimum=1,
                           maximum=MAX_PARALLEL,
                           allowed="an integer from 1 (one request at a time) to %d (time slices read at once)" % MAX_PARALLEL)


class OrderedPages(object):
    """The pages of one parallel read handed on in output order, and the one condition its threads wait on.

    The workers take their next request (:meth:`next_request`) and give back its answer with :attr:`condition` held;
    the reader iterates :meth:`pages`. The first failure (:meth:`fail`) stops every worker and is raised to the reader.
    """

    def __init__(self, plan, shared):
        self.plan = plan
        self.shared = shared  # the read's SharedRateLimit: cancelled when the read stops, so that waits end at once
        self.condition = threading.Condition()
        self.error = None
        self.stopped = False

    def next_request(self):
        """(condition held) Wait for the plan's next request; ``None`` when the read is over or stopped."""
        while True:
            if self.stopped:
                return None
            request = self.plan.next_request()
            if request is not None or self.plan.over():
                return request
            self.condition.wait()

    def fail(self, error):
        """(condition held) The first failure ends the read: every thread stops and :meth:`pages` raises it."""
        if self.error is None and not self.stopped:
            self.error = error
        self.stop()

    def stop(self):
        """(condition held) No request is sent any more; waits of the workers end at once."""
        self.stopped = True
        self.shared.cancel()
        self.condition.notify_all()

    def pages(self):
        """Yield the pages in output order, each as soon as every slice before its own is complete."""
        while True:
            with self.condition:
                while True:
                    if self.error is not None:
                        raise self.error
                    ready = self.plan.take_ready()
                    if ready or self.plan.finished():
                        break
                    self.condition.wait()
            if not ready:
                return
            yield from ready


class ParallelRead(object):
    """One query read in slices: its plan, its ordered pages, its warnings (``result``)."""

    def __init__(self, query, settings, time_range, workers, shared):
        self.query = query
        self.settings = settings
        self.plan = ReadPlan(time_range, settings.sort.startswith("-"), workers, settings.page_size, settings.wanted)
        self.output = OrderedPages(self.plan, shared)
        self.result = SearchResult(query)

    @property
    def slices(self):
        return self.plan.slices

    @property
    def requests(self):
        return self.plan.requests

    def body(self, request):
        body = self.settings.body(self.query, request.page_limit, request.piece.cursor)
        body["filter"]["from"], body["filter"]["to"] = request.span
        return body

    def where(self, request):
        return "%s, page %d" % (self.plan.describe(request.piece), request.piece.requests)

    def answer(self, request, events, meta, scrub):
        """(condition held) Take the answer to ``request``; a page that cannot be used fails the read."""
        if self.output.stopped:
            return
        piece = request.piece
        if not piece.complete and not self.plan.over():
            collect_warnings(self.result, meta, request.number, scrub)
        try:
            repeated = self.plan.take_answer(request, events, next_cursor(meta))
        except RepeatedPage:
            self.output.fail(TaskFailure(repeated_page_message(self.query, self.where(request), self.plan.requests)))
            return
        except PageError as exc:
            self.output.fail(TaskFailure(
                "Datadog answered the audit search for query %r (%s) with %s, so a parallel read could not return the "
                "same events as a sequential one; read with parallel=1" % (self.query, self.where(request), exc)))
            return
        if repeated:
            self.result.warn("Datadog answered the audit search for query %r with a cursor it had already sent (%s); "
                             "stopped paging it to avoid a loop, so the results may be incomplete"
                             % (self.query, self.plan.describe(piece)))

    def failed(self, request, error, base_url):
        """(condition held) ``request`` failed with ``error``: the read fails, unless its slice is not needed any more."""
        if self.plan.abandon(request):
            return
        self.output.fail(search_failure(error, "search audit events for query %r (%s)" % (self.query, self.where(request)),
                                        base_url))


def _work(read, client):
    """One worker: take a slice's next page, send it, hand the answer back; until there is nothing left or it stops."""
    condition = read.output.condition
    try:
        while True:
            with condition:
                request = read.output.next_request()
                if request is None:
                    return
                body = read.body(request)
            try:
                response = client.request("POST", SEARCH_PATH, body=body, expected=(200,), idempotent=True)
                events = search_page(response)
            except RequestCancelled:
                return
            except DatadogAPIError as exc:
                with condition:
                    read.failed(request, exc, client.options.base_url)
                    condition.notify_all()
                continue
            meta = response.body.get("meta") if isinstance(response.body, dict) else None
            with condition:
                read.answer(request, events, meta if isinstance(meta, dict) else {}, client.scrub)
                condition.notify_all()
    except BaseException as exc:  # pylint: disable=broad-exception-caught  # raised by the reader of the pages
        with condition:
            read.output.fail(exc)


def read_pages(read, clients):
    """Run ``read`` (a :class:`ParallelRead`) with one thread per client; yield its pages in output order.

    Every thread has ended when the generator finishes, fails or is closed early; then ``read.requests`` is the
    number of requests sent and ``read.result.warnings`` the warnings to show.
    """
    threads = [threading.Thread(target=_work, args=(read, client), name="ddops-audit-slice-%d" % number, daemon=True)
               for number, client in enumerate(clients, start=1)]
    for thread in threads:
        thread.start()
    try:
        yield from read.output.pages()
    finally:
        with read.output.condition:
            read.output.stop()
        for thread in threads:
            thread.join()
    result = read.result
    if result.timed_out_pages:
        result.warnings.insert(0, timed_out_warning(read.query, result.timed_out_pages, read.requests))


def search_all_parallel(client, queries, settings, parallel, new_client, now=None, shared_factory=SharedRateLimit,
                        collector=None):
    """Search every query in order, each one's time range in ``parallel`` slices at once.

    Returns ``(collector.result(), warnings, requests)`` like :func:`~._audit.search_all`: the pages go to
    ``collector`` (default: a :class:`~._audit_fields.KeepEvents`) in output order, the same pages in the same order as
    a sequential read, so ``fields`` and ``count_by`` give what they give sequentially. ``client`` is used by the first
    worker; ``new_client()`` makes the others' (one ``requests`` session per thread), closed at the end. Their request
    statistics are merged into ``client.stats``, so its retry summary covers the whole read.
    """
    collector = KeepEvents() if collector is None else collector
    now = now or datetime.now(timezone.utc)
    time_range, reason = resolve_range(settings, now)
    single_page = bool(settings.limit) and settings.wanted <= settings.page_size
    warnings, requests, cut_short = [], 0, []
    if reason is not None:
        warnings.append("parallel=%d was not used and the search was read sequentially: %s" % (parallel, reason))
    workers = [client]
    try:
        with cyclic_gc_paused():
            for query in queries:
                if time_range is None or single_page or time_range.last - time_range.first < 1:
                    result = search_events(client, query, settings, collector)
                    query_warnings, query_requests, query_cut_short = result.warnings, result.requests, result.cut_short
                else:
                    while len(workers) < parallel:
                        workers.append(new_client())
                    query_warnings, query_requests, query_cut_short = _read_in_slices(workers, query, settings,
                                                                                      time_range, shared_factory,
                                                                                      collector)
                warnings.extend(warning for warning in query_warnings if warning not in warnings)
                requests += query_requests
                if query_cut_short:
                    cut_short.append(query)
            if cut_short:
                warnings.append(limit_warning(settings.limit, cut_short))
            output = collector.result()
    finally:
        for worker in workers[1:]:
            client.stats.merge(worker.stats)
            worker.close()
    return output, warnings, requests


def _read_in_slices(workers, query, settings, time_range, shared_factory, collector):
    """One query read by ``workers``; its pages go to ``collector``, cut at ``limit``. Returns ``(warnings, requests,
    cut_short)``: the read found an event past the limit."""
    shared = shared_factory()
    read = ParallelRead(query, settings, time_range, len(workers), shared)
    for worker in workers:
        worker.share_rate_limit(shared)
    returned, cut_short = 0, False
    try:
        for page in read_pages(read, workers):
            if settings.limit and returned + len(page) > settings.limit:
                page, cut_short = page[:settings.limit - returned], True
            returned += len(page)
            if page:
                collector.add(page)
    finally:
        for worker in workers:
            worker.share_rate_limit(None)
    return read.result.warnings, read.requests, cut_short
