# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Independent requests at once: the worker pool the set's reads and writes and the info module's policy reads share."""

from __future__ import annotations

import concurrent.futures
import threading

from ansible_collections.ddops.datadog.plugins.module_utils._api import SharedRateLimit

#: How many requests run at once by default. Measured with the role at 150 ms per answer (docs/performance.md): 8
#: brings 200 creates to about a fifth of the sequential wall time; 16 gains little more and doubles the burst of
#: requests a rate limit sees.
PARALLEL = 8
MAX_PARALLEL = 32


def run_in_parallel(client, jobs, work, parallel):
    """Run ``work(worker_client, job)`` for every job, ``parallel`` at a time, and return when all are done.

    With ``parallel`` 1 (or one job) the jobs run one after another with ``client`` itself. Otherwise each thread
    gets a client of its own from ``client.worker_clients(n)``: one ``requests`` session per thread over one
    connection pool of ``n`` connections, the same statistics, and one :class:`SharedRateLimit` (a 429 seen by one
    holds back every worker until the reset it named). ``work`` records its result on the job; an exception that is not
    a task's own failure is raised once every job has ended.
    """
    if parallel <= 1 or len(jobs) <= 1:
        for job in jobs:
            work(client, job)
        return
    count = min(parallel, len(jobs))
    workers = client.worker_clients(count)
    shared = SharedRateLimit()
    free = list(workers)
    free_lock = threading.Lock()
    local = threading.local()

    def run(job):
        if not hasattr(local, "client"):
            with free_lock:
                local.client = free.pop()
        work(local.client, job)

    for worker in workers:
        worker.share_rate_limit(shared)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=count, thread_name_prefix="ddops-connection") as pool:
            futures = [pool.submit(run, job) for job in jobs]
        errors = [future.exception() for future in futures if future.exception() is not None]
    finally:
        for worker in workers:
            worker.share_rate_limit(None)
            if worker is not client:
                worker.close()
    if errors:
        raise errors[0]
