# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ddops.datadog.audit_events: an Event-Driven Ansible event source that delivers new Datadog Audit Trail events.

ansible-rulebook (and the EDA controller of AWX/AAP) runs this file with ``runpy.run_path`` and awaits
``main(queue, args)``. The search, the paging and the HTTP client are the collection's own (``plugins/module_utils``);
this file reads the arguments, polls in a worker thread and puts ``{"audit_event": <event>}`` on the queue.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import threading

from concurrent.futures import ThreadPoolExecutor

DOCUMENTATION = r"""
---
short_description: Receive new events of the Datadog Audit Trail
description:
  - An ansible-rulebook event source plugin that polls the Datadog Audit Trail
    (C(POST /api/v2/audit/events/search)) and puts every new matching event on the queue, under the key
    C(audit_event), exactly as Datadog returns it, with C(id), C(type) and C(attributes) (C(timestamp), C(message),
    C(service), C(tags) and the event's own C(attributes) such as C(evt.name), C(usr), C(action) and C(asset)).
    Rules read it as C(event.audit_event).
  - Each poll reads the events from the previous poll on, oldest first, and starts O(overlap) seconds earlier, so an
    event that Datadog makes searchable a little after its timestamp is still found. The IDs already delivered inside
    that window are remembered, so each event is delivered exactly once.
  - Keeps polling through HTTP 429 (it waits the E(X-RateLimit-Reset) seconds Datadog asks for), 5xx answers and
    dropped connections, backing off between failed polls (the interval, doubled after each failure, up to 32
    intervals or 5 minutes); a failed poll loses nothing, the next one reads the same range again.
  - Only a first poll refused with HTTP 400, 401, 403 or 404 (a bad query, key or permission) stops the source. A refusal
    (403, 401) says what to check - the keys, the site (or O(api_url)) they belong to, and the C(audit_logs_read)
    permission of the application key.
  - With O(checkpoint), the source records where it is in a file, and a source started again with the same file goes on
    from there - the events of the downtime are delivered, each once across the restart.
  - Every argument is checked before the first request; a bad value stops the source at once with a message that
    names the argument and what it allows. Keys never appear in a log line.
author:
  - ddops.datadog contributors (@ddops)
version_added: 0.1.0
options:
  api_key:
    description:
      - Datadog API key.
      - When not set, the environment variable E(DD_API_KEY) and then E(DATADOG_API_KEY) are read.
    type: str
    env:
      - name: DD_API_KEY
      - name: DATADOG_API_KEY
  app_key:
    description:
      - Datadog application key with the C(audit_logs_read) permission.
      - When not set, the environment variable E(DD_APP_KEY) and then E(DATADOG_APP_KEY) are read.
    type: str
    env:
      - name: DD_APP_KEY
      - name: DATADOG_APP_KEY
  site:
    description:
      - The Datadog site of your organization, for example V(datadoghq.eu) or V(us5.datadoghq.com), or a short name
        such as V(eu) or V(us5). The API is reached at C(https://api.<site>).
      - When not set, the environment variable E(DD_SITE) is read; the default is V(datadoghq.com).
      - Ignored when O(api_url) is set.
    type: str
    env:
      - name: DD_SITE
  api_url:
    description:
      - Full base URL of the Datadog API, overriding O(site), for example a proxy or the collection's local emulator.
      - Must be C(https://), except for loopback hosts where C(http://) is allowed.
      - When not set, the environment variable E(DD_API_URL) is read.
    type: str
    env:
      - name: DD_API_URL
  validate_certs:
    description:
      - Verify the TLS certificate of the API endpoint. Only set this to V(false) for a trusted test endpoint.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer.
    type: float
    default: 30
  retries:
    description:
      - How many times one search request is tried again, within a poll, after HTTP 429, a 5xx answer or a connection
        error. When they are used up the poll fails and the next one, after a backoff, reads the same range again.
    type: int
    default: 3
  retry_backoff:
    description:
      - Seconds before the first retry of a request after a 5xx answer or connection error; each further retry waits
        twice as long.
    type: float
    default: 1
  retry_max_wait:
    description:
      - The longest single wait between two attempts of a request, in seconds, also after HTTP 429.
    type: float
    default: 60
  query:
    description:
      - The Audit Trail search query, for example V(@evt.name:"Workflow Automation" @action:deleted).
      - An empty query means V(*), every event.
    type: str
    default: "*"
  interval:
    description:
      - Seconds between two polls. Each poll costs at least one search request, and Datadog rate limits the audit
        search, so values below 10 are only for tests.
    type: float
    default: 30
  start:
    description:
      - The oldest event to deliver, resolved once when the source starts.
      - Date math (V(now), V(now-15m), V(now-1d)), an ISO 8601 time (V(2026-01-31T08:00:00Z)) or epoch milliseconds.
        A time in the future is refused.
      - With V(now) only events that happen after the start are delivered; with V(now-1h) the first poll also delivers
        the events of the last hour.
    type: str
    default: now
  page_size:
    description:
      - Events asked for per request, from V(1) to V(1000) (the Datadog maximum). A poll reads every page of new events.
    type: int
    default: 1000
  overlap:
    description:
      - Seconds each poll reaches back before the start of the previous one, to find the events that Datadog indexed
        late. An event indexed more than O(overlap) seconds after its timestamp is not delivered.
      - The IDs of the events inside this window are remembered to deliver each event once; a larger window costs
        memory and rereads, not requests, unless many events fall in it.
      - Also covers the clock difference between this host and Datadog.
    type: float
    default: 60
  fields:
    description:
      - Deliver only these fields of each event, as one flat dict under C(audit_event), instead of the whole event.
      - Paths as in the C(ddops.datadog.audit_events) lookup's O(fields) option - V(@) followed by the attribute path for
        the event's own attributes (V(@usr.email), V(@evt.name), V(@action), V(@asset.name)), or one of V(id),
        V(timestamp), V(message), V(service), V(tags); a list, or one string of paths separated by commas.
      - The key of each field is the path without V(@), dots replaced by V(_) (V(@usr.email) gives C(usr_email)); a
        path that matches nothing in an event gives V(null). A bad path stops the source at start.
      - Each event is still delivered once; the IDs are read before the fields are picked, so V(id) need not be one of
        them.
    type: list
    elements: str
  checkpoint:
    description:
      - A file where the source records, after each poll's events were delivered and when it stops, where it is - the
        start of its search window and the IDs of the events it delivered inside it (never a key). The file is
        replaced atomically (a temporary file in the same directory, then renamed), readable by its owner only.
      - When the source starts and the file holds a checkpoint of the same O(query), it goes on from there instead of
        O(start), so events that happened while it was stopped are delivered, and each event once across the restart,
        also when it stopped in the middle of a poll's events.
      - A missing file (the first start), a file that cannot be read or used, or one written for another O(query) is
        not an error - the source logs a warning and starts from O(start). Delete the file to start from O(start) again.
      - Datadog keeps audit events for a limited time (90 days by default); events that expired while the source was
        stopped are not delivered. The directory must exist and be writable by the source.
    type: str
notes:
  - Events are delivered oldest first within each poll. An event indexed late comes after newer events that were
    delivered before it became searchable.
  - The plugin needs the Python library C(requests) (the collection's C(requirements.txt)) in the decision environment.
  - When the source is stopped, a request in flight finishes in the background (at most O(timeout) seconds).
requirements:
  - requests >= 2.32.0
  - urllib3 >= 1.26.0
"""

EXAMPLES = r"""
- ddops.datadog.audit_events:
    query: '@evt.name:"Workflow Automation" @asset.type:action_connection @action:deleted'
    interval: 30

- ddops.datadog.audit_events:
    query: '@evt.name:"Workflow Automation" @action:deleted'
    fields: ["timestamp", "@usr.email", "@asset.type", "@asset.name"]

- ddops.datadog.audit_events:
    query: '@evt.name:"Workflow Automation" @asset.type:action_connection @action:deleted'
    checkpoint: /var/lib/eda/deleted-connections.checkpoint.json

- ddops.datadog.audit_events:
    site: datadoghq.eu
    api_key: "{{ datadog_api_key }}"
    app_key: "{{ datadog_app_key }}"
    query: '@evt.name:Authentication -@usr.email:"automation@example.com"'
    start: now-1h
    overlap: 120
"""

PLUGIN = "ddops.datadog.audit_events"
COLLECTION_PACKAGE = "ansible_collections.ddops.datadog"
_API_MODULE = COLLECTION_PACKAGE + ".plugins.module_utils._api"


def _make_collection_importable(plugin_file):
    """Let ``import ansible_collections.ddops.datadog...`` work however ansible-rulebook found this file.

    ansible-rulebook runs the file with ``runpy.run_path`` and does not change ``sys.path``. In order:

    1. the file sits in an installed collection (``<dir>/ansible_collections/ddops/datadog/extensions/eda/...``):
       ``<dir>`` goes on ``sys.path``, so the collection's own ``plugins/module_utils`` are used;
    2. the collection is already importable (``PYTHONPATH``, ansible's collection loader);
    3. the file sits in a source checkout (``-S <checkout>/extensions/eda/plugins/event_source``): the package name is
       bound to the checkout;
    4. the file was copied elsewhere: the collection is looked for where ansible-galaxy installs collections
       (``ANSIBLE_COLLECTIONS_PATH``, ``~/.ansible/collections``, ``/usr/share/ansible/collections``).
    """
    root = os.path.abspath(plugin_file)
    for _level in range(5):  # event_source, plugins, eda, extensions: the collection root is five levels up
        root = os.path.dirname(root)
    parts = root.replace(os.sep, "/").split("/")
    if parts[-3:] == ["ansible_collections", "ddops", "datadog"]:
        base = os.path.dirname(os.path.dirname(os.path.dirname(root)))
        if base not in sys.path:
            sys.path.insert(0, base)
        # Import finders cache directory listings: make them look at the file system again.
        importlib.invalidate_caches()
    if _importable(_API_MODULE):
        return
    if os.path.exists(os.path.join(root, "galaxy.yml")) and os.path.exists(os.path.join(root, "plugins", "module_utils", "_api.py")):
        _bind_package(COLLECTION_PACKAGE, root)
        if _importable(_API_MODULE):
            return
    for base in _collection_paths():
        if os.path.exists(os.path.join(base, "ansible_collections", "ddops", "datadog", "plugins", "module_utils", "_api.py")):
            sys.path.append(base)
            importlib.invalidate_caches()
            if _importable(_API_MODULE):
                return
    raise ImportError("%s needs the ddops.datadog collection: install it (ansible-galaxy collection install ddops.datadog) "
                      "or run the event source from the collection's directory" % PLUGIN)


def _importable(name):
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _bind_package(name, path):
    """Register ``name`` (and missing parents) as packages, ``name`` searched in ``path``."""
    parent = name.rpartition(".")[0]
    if parent and not _importable(parent):
        _bind_package(parent, None)
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [path] if path else []
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], name.rpartition(".")[2], module)


def _collection_paths():
    paths = []
    for variable in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        paths.extend(entry for entry in os.environ.get(variable, "").split(os.pathsep) if entry)
    paths.extend((os.path.expanduser("~/.ansible/collections"), "/usr/share/ansible/collections"))
    return [os.path.expanduser(path) for path in paths]


_make_collection_importable(__file__)

# pylint: disable=wrong-import-position
from ansible_collections.ddops.datadog.plugins.module_utils._api import (  # noqa: E402
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    DatadogClient,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import (  # noqa: E402
    OPTION_NAMES,
    resolve,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure  # noqa: E402
from ansible_collections.ddops.datadog.plugins.module_utils._audit_stream import (  # noqa: E402
    AuditStream,
    read_checkpoint,
    validate_stream,
    write_checkpoint,
)
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import Projection, parse_paths  # noqa: E402

logger = logging.getLogger(PLUGIN)

# The connection options (and their environment variables) are the collection's one table, _connection_options.OPTIONS.
CONNECTION_ARGUMENTS = OPTION_NAMES
STREAM_ARGUMENTS = ("query", "interval", "start", "page_size", "overlap", "checkpoint")
# What is delivered of each event.
DELIVERY_ARGUMENTS = ("fields",)
# ansible-rulebook adds its own arguments (eda_feedback_queue, ...); they are not options of this plugin.
RULEBOOK_ARGUMENT_PREFIX = "eda_"
# A first poll refused with these statuses means the configuration is wrong: retrying would not help.
CONFIGURATION_STATUSES = (400, 401, 403, 404)
MAX_BACKOFF = 300.0
MAX_BACKOFF_INTERVALS = 32


class _Stopped(Exception):
    """The source was stopped while the worker thread waited to retry a request."""


def configure(args, environ=None):
    """``(ClientOptions, StreamSettings)`` from the rulebook arguments; :class:`InputError` before any request."""
    environ = os.environ if environ is None else environ
    args = dict(args or {})
    known = CONNECTION_ARGUMENTS + STREAM_ARGUMENTS + DELIVERY_ARGUMENTS
    unknown = sorted(name for name in args if name not in known and not str(name).startswith(RULEBOOK_ARGUMENT_PREFIX))
    if unknown:
        raise InputError("unknown argument%s %s; the arguments are: %s"
                         % ("s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(sorted(known))))
    # An empty argument (a rulebook's "{{ ... | default('') }}") counts as not given: the environment applies.
    given = dict((name, args[name]) for name in CONNECTION_ARGUMENTS if args.get(name) not in (None, ""))
    if not HAS_REQUESTS:
        raise InputError("the Python library 'requests' is needed in the decision environment: %s" % REQUESTS_IMPORT_ERROR)
    options = resolve(given, environ=environ, given_as="argument")
    settings = validate_stream(**dict((name, args.get(name)) for name in STREAM_ARGUMENTS))
    configure_projection(args)
    return options, settings


def configure_projection(args):
    """``project(event)`` for the ``fields`` argument (``None``: whole events); :class:`InputError` on a bad path."""
    fields = (args or {}).get("fields")
    paths = parse_paths(None if fields in (None, "") else fields, "fields")
    return None if paths is None else Projection(paths).project


def backoff(interval, failures):
    """Seconds to wait after ``failures`` failed polls in a row: the interval, doubled each time, at most 32 intervals
    or 5 minutes, whichever is shorter (never less than one interval)."""
    return min(interval * 2 ** (min(failures, 32) - 1), max(interval, min(MAX_BACKOFF, MAX_BACKOFF_INTERVALS * interval)))


async def main(queue, args):
    """Put every new audit event matching ``args["query"]`` on ``queue`` as ``{"audit_event": event}`` until cancelled."""
    try:
        options, settings = configure(args)
    except InputError as exc:
        raise InputError("%s: %s" % (PLUGIN, exc)) from None
    for warning in options.warnings:
        logger.warning("%s: %s", PLUGIN, warning)
    await AuditEventSource(options, settings, project=configure_projection(args)).run(queue)


class AuditEventSource(object):
    """Polls in one worker thread (the HTTP client blocks) and delivers from the event loop."""

    def __init__(self, options, settings, project=None):
        self.options = options
        self.settings = settings
        self.project = project  # the fields of an event to deliver (None: the whole event)
        resume, warning = read_checkpoint(settings)
        if warning:
            logger.warning("%s: %s", PLUGIN, warning)
        self.resumed = resume is not None
        self.stream = AuditStream(settings, resume=resume)
        self._stop = threading.Event()
        self._checkpoint_failing = False

    def _sleep(self, seconds):
        """The client's wait before a retry; ends at once, with :class:`_Stopped`, when the source stops."""
        if self._stop.wait(seconds):
            raise _Stopped()

    async def run(self, queue):
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ddops-audit-events")
        client = DatadogClient(self.options, user_agent_extra="event source %s" % PLUGIN, sleep=self._sleep)
        logger.info("%s: polling %s every %s s for %r, events from %s on (overlap %s s)", PLUGIN, self.options.base_url,
                    _seconds(self.settings.interval), self.settings.query,
                    "the checkpoint %s" % self.settings.checkpoint if self.resumed else self.settings.start,
                    _seconds(self.settings.overlap))
        failures = 0
        retries_logged = 0
        try:
            while True:
                try:
                    result = await loop.run_in_executor(executor, self.stream.search, client)
                except TaskFailure as exc:
                    status = getattr(exc.cause, "status", None)
                    if self.stream.polls == 0 and status in CONFIGURATION_STATUSES:
                        raise TaskFailure("%s: %s" % (PLUGIN, exc), cause=exc.cause) from None
                    failures += 1
                    delay = backoff(self.settings.interval, failures)
                    logger.warning("%s: %s; polling again in %s s (failed polls in a row: %d)", PLUGIN, exc, _seconds(delay), failures)
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                if client.stats.retry_count > retries_logged:
                    logger.info("%s: %s", PLUGIN, client.retry_summary())
                    retries_logged = client.stats.retry_count
                for warning in result.warnings:
                    logger.warning("%s: %s", PLUGIN, warning)
                logger.debug("%s: %d new event(s) from %d request(s)", PLUGIN, len(result.events), result.requests)
                for event in result.events:
                    await queue.put({"audit_event": event if self.project is None else self.project(event)})
                    self.stream.delivered(event, result.started_ms)
                for warning in self.stream.finish_poll(result.started_ms):
                    logger.warning("%s: %s", PLUGIN, warning)
                if result.events:
                    self.save_checkpoint()
                await asyncio.sleep(self.settings.interval)
        finally:
            self._stop.set()
            self.save_checkpoint()  # also in the middle of a poll's events: those delivered are in it, the rest not
            executor.submit(client.close)
            executor.shutdown(wait=False)

    def save_checkpoint(self):
        """Write the checkpoint file (with ``checkpoint``); a failure is logged once until a write succeeds again."""
        if self.settings.checkpoint is None:
            return
        try:
            write_checkpoint(self.settings.checkpoint, self.stream.checkpoint())
        except OSError as exc:
            if not self._checkpoint_failing:
                logger.warning("%s: the checkpoint %s could not be written (%s); a restart would start from the last one "
                               "written", PLUGIN, self.settings.checkpoint, exc.strerror or type(exc).__name__)
            self._checkpoint_failing = True
        else:
            self._checkpoint_failing = False


def _seconds(value):
    return ("%d" % value) if float(value).is_integer() else ("%g" % value)
