# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of ddops.datadog.

Internal use only: this module is not part of the collection's public interface and may change in any
release. Every request of every plugin goes through :class:`DatadogClient`; nothing else imports
``requests``. There are no Ansible imports here so the client can be used and tested as plain Python.
"""

from __future__ import annotations

import contextlib
import gc
import html
import json
import platform
import re
import threading
import time
import warnings

from urllib.parse import urlencode

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ConnectTimeoutError, InsecureRequestWarning, MaxRetryError, ProtocolError, ReadTimeoutError
    from urllib3.util.retry import Retry
except ImportError as exc:  # pragma: no cover - exercised by the import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    Retry = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


COLLECTION_VERSION = "0.1.0"

# Statuses worth another attempt. 429 means Datadog did not process the request, so it is retried for
# every method; the others only for idempotent requests.
RATE_LIMITED = 429
RETRYABLE_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"))

_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 409: "Conflict", 413: "Payload Too Large", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SNIPPET_LENGTH = 160
#: The largest answer read (an audit page of 1,000 events is a few MB); a larger one is refused, not read into memory.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_CHUNK = 256 * 1024
MASKED = "********"
#: The most items a paged list is read to (Datadog orgs hold far fewer connections or registrations).
MAX_LIST_ITEMS = 100000


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
        parts.extend(self.messages or [_REASONS.get(self.status, "request failed")])
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


class RequestCancelled(DatadogAPIError):
    """A request was abandoned before it was sent, or during a wait, because its work was cancelled (see
    :class:`SharedRateLimit`); nothing is wrong with the request itself."""


class SharedRateLimit(object):
    """One rate-limit wait for several clients, each used by its own thread (a parallel read).

    A 429 seen by any of them (:meth:`hold`) holds back the next attempt of every one (:meth:`wait`, called before
    each attempt) until the reset Datadog asked for, instead of each thread learning the limit by its own 429. The
    clients' own waits (backoff, 429) go through :meth:`sleep`. :meth:`cancel` ends every wait at once: a cancelled
    wait raises :class:`RequestCancelled`, so a thread stops promptly. ``clock`` and ``pause`` (``pause(seconds)``
    waits) are injectable so tests never wait for real.
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
        """Return once no hold is pending; raises :class:`RequestCancelled` after :meth:`cancel`."""
        while True:
            self._check()
            with self._lock:
                remaining = 0.0 if self._resume_at is None else self._resume_at - self._clock()
                if remaining > 0:
                    self.waited += remaining
            if remaining <= 0:
                return
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


class ApiResponse(object):
    """A decoded answer: ``status``, ``headers``, ``body`` (parsed JSON or ``None`` when empty).

    ``unanswered``: how many earlier attempts of the same request were sent but got no answer (so an idempotent write
    answered 404 may have been applied by one of them).
    """

    __slots__ = ("status", "headers", "body", "method", "path", "request_id", "unanswered")

    def __init__(self, status, headers, body, method, path, request_id=None, unanswered=0):
        self.status = status
        self.headers = headers
        self.body = body
        self.method = method
        self.path = path
        self.request_id = request_id
        self.unanswered = unanswered

    @property
    def data(self):
        """The JSON:API ``data`` member; a clear error when the answer does not have one."""
        if not isinstance(self.body, dict) or "data" not in self.body:
            raise DatadogAPIError(
                "the answer has no 'data' member (got %s)" % _describe_json(self.body),
                status=self.status, method=self.method, path=self.path, request_id=self.request_id,
            )
        return self.body["data"]


def parse_error_messages(body):
    """Return the error texts of a Datadog error answer, for both shapes Datadog uses.

    ``{"errors": [{"title", "detail", "status"?}]}`` and ``{"errors": ["text"]}``.
    """
    if not isinstance(body, dict):
        return []
    errors = body.get("errors")
    if not isinstance(errors, list):
        return []
    messages = []
    for error in errors:
        if isinstance(error, dict):
            title = one_line(error.get("title"))
            detail = one_line(error.get("detail"))
            if title and detail and detail != title:
                messages.append("%s: %s" % (title, detail))
            elif title or detail:
                messages.append(title or detail)
        elif error not in (None, ""):
            messages.append(one_line(error))
    return messages


class _DatadogRetry(Retry):  # pylint: disable=too-many-ancestors
    """urllib3's retry bookkeeping with Datadog's rules for the wait.

    urllib3 counts attempts per cause (connect / read / status) and keeps the history; the waits are ours:
    ``retry_backoff * 2**n`` capped at ``retry_max_wait``, and ``X-RateLimit-Reset`` seconds on 429.
    """

    def __init__(self, *args, **kwargs):
        self.backoff_base = kwargs.pop("backoff_base", None)  # set by the client; copied by new()
        self.max_wait = kwargs.pop("max_wait", None)
        super().__init__(*args, **kwargs)

    def new(self, **kw):
        new_retry = super().new(**kw)
        new_retry.backoff_base = self.backoff_base
        new_retry.max_wait = self.max_wait
        return new_retry

    def get_backoff_time(self):
        retries_so_far = len(self.history)
        if retries_so_far == 0:
            return 0
        return min(self.max_wait, self.backoff_base * (2 ** (retries_so_far - 1)))

    def rate_limit_wait(self, headers):
        """Seconds to wait after a 429: ``X-RateLimit-Reset`` (seconds until reset), else ``Retry-After``."""
        for name in ("X-RateLimit-Reset", "Retry-After"):
            value = headers.get(name)
            if value is None:
                continue
            try:
                seconds = float(value)
            except (TypeError, ValueError):
                continue
            if seconds >= 0:
                return min(self.max_wait, seconds)
        return self.get_backoff_time()


class DatadogClient(object):
    """A keep-alive session against one Datadog site.

    ``options`` are validated connection options (``_connection_options.ClientOptions``). ``sleep`` and ``clock`` are
    injectable so tests never wait for real. ``stats`` counts requests sent, retries and seconds spent waiting.

    Every text of an answer that can reach a message is scrubbed first of every secret the client knows (its keys and
    what :meth:`add_secrets` adds): raw, JSON-escaped, HTML-escaped, stripped and whitespace-collapsed forms, before
    the text is shortened or normalised in any way.
    """

    def __init__(self, options, user_agent_extra=None, session=None, sleep=None, clock=None):
        if not HAS_REQUESTS:
            raise RuntimeError("the Python library 'requests' is required")  # callers check HAS_REQUESTS first
        self.options = options
        self._sleep = self._own_sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.rate_limit = None  # a SharedRateLimit when this client is one of several working in parallel
        self.stats = {"requests": 0, "retries": 0, "waited": 0.0, "causes": {}}
        self._secret_forms = ()
        self.add_secrets(value for value in (options.api_key, options.app_key) if value)
        self.session = session if session is not None else self.new_session()
        self.session.headers.update({
            "DD-API-KEY": options.api_key,
            "Accept": "application/json",
            "User-Agent": user_agent(user_agent_extra),
        })
        if options.app_key:
            self.session.headers["DD-APPLICATION-KEY"] = options.app_key
        else:  # a shared session (action plugins, loop items) must not keep an earlier client's key
            self.session.headers.pop("DD-APPLICATION-KEY", None)
        # ``verify`` is also passed with every request: requests replaces a request-level ``verify=None`` with
        # REQUESTS_CA_BUNDLE when that is set, which would silently override ``validate_certs: false``.
        self.session.verify = options.validate_certs

    @staticmethod
    def new_session():
        """A keep-alive session whose transport never retries on its own (every retry is decided and counted here)."""
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def add_secrets(self, values):
        """More values that must never reach a message (the task's ``no_log`` values)."""
        forms = set(self._secret_forms)
        for value in values:
            forms.update(secret_forms(value))
        self._secret_forms = tuple(sorted(forms, key=len, reverse=True))

    def scrub(self, text):
        """``text`` with every form of every known secret replaced by a mask."""
        for form in self._secret_forms:
            if form in text:
                text = text.replace(form, MASKED)
        return text

    def share_rate_limit(self, shared):
        """Join a :class:`SharedRateLimit` (``None``: leave it): the client then waits for holds before each attempt,
        shares its 429 waits, and makes its own waits through it (so that cancelling stops them)."""
        self.rate_limit = shared
        self._sleep = self._own_sleep if shared is None else shared.sleep

    def close(self):
        self.session.close()

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

        A status outside ``expected`` raises :class:`DatadogAPIError`. ``idempotent`` defaults by method
        (POST is not); a PATCH whose repetition would change more (for example rotating a secret) passes
        ``idempotent=False``.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.options.base_url + path
        data = None
        headers = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json"}
        display_path = path
        if params:
            display_path = "%s?%s" % (path, urlencode(sorted(params.items())))
        policy = _DatadogRetry(
            total=self.options.retries, connect=None, read=None, status=None, other=0, redirect=0,
            allowed_methods=None, status_forcelist=RETRYABLE_STATUSES, raise_on_status=False,
            backoff_base=self.options.retry_backoff, max_wait=self.options.retry_max_wait,
        )
        attempts = 0
        unanswered = 0
        while True:
            if self.rate_limit is not None:
                self.rate_limit.wait()
            attempts += 1
            self.stats["requests"] += 1
            try:
                with warnings.catch_warnings():
                    if not self.options.validate_certs:  # said once per task as an Ansible warning instead
                        warnings.simplefilter("ignore", InsecureRequestWarning)
                    raw = self.session.request(method, url, params=params, data=data, headers=headers,
                                               timeout=self.options.timeout, verify=self.options.validate_certs,
                                               allow_redirects=False, stream=True)
                status = raw.status_code
                content = self._read(raw, method, display_path) if status in expected else None
            except requests.exceptions.RequestException as exc:
                sent = _may_have_been_sent(exc)
                if sent and not idempotent:
                    raise DatadogOutcomeUnknownError(
                        "no answer after the request was sent (%s); it may have been applied" % self.scrub(_reason(exc)),
                        method=method, path=display_path, attempts=attempts,
                    ) from None
                if not _is_retryable_exception(exc):
                    raise DatadogConnectionError(self.scrub(_describe_exception(exc, self.options)),
                                                 method=method, path=display_path, attempts=attempts) from None
                try:
                    policy = policy.increment(method=method, url=path, error=_as_urllib3_error(exc, sent))
                except MaxRetryError:
                    raise DatadogConnectionError(self.scrub(_describe_exception(exc, self.options)),
                                                 method=method, path=display_path, attempts=attempts) from None
                unanswered += 1 if sent else 0
                cause = "timeout" if isinstance(exc, requests.exceptions.Timeout) else "connection error"
                self._wait(policy.get_backoff_time(), cause)
                continue

            if status in expected:
                response = self._decode(raw, content, method, display_path)
                response.unanswered = unanswered
                return response
            retryable = status == RATE_LIMITED or (idempotent and status in RETRYABLE_STATUSES)
            if retryable:
                try:
                    policy = policy.increment(method=method, url=path)
                except MaxRetryError:
                    pass
                else:
                    wait = policy.rate_limit_wait(raw.headers) if status == RATE_LIMITED else policy.get_backoff_time()
                    raw.close()
                    if status == RATE_LIMITED and self.rate_limit is not None:
                        self.rate_limit.hold(wait)
                    self._wait(wait, "HTTP %d" % status)
                    continue
            raise self._error_from(raw, method, display_path, attempts)

    def wait(self, seconds, cause):
        """Sleep ``seconds`` (injectable), counted in :attr:`stats` and the retry summary under ``cause``."""
        self._wait(seconds, cause)

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
                raise self._list_error(response, "the answer's 'data' member is not a list")
            if not items:
                return
            ids = [item.get("id") for item in items if isinstance(item, dict) and item.get("id") is not None]
            if ids and seen.issuperset(ids):
                raise self._list_error(response, "page %d holds only items of earlier pages (the server may ignore "
                                                 "page[number]); stopped after %d requests" % (number, number + 1))
            seen.update(ids)
            read += len(items)
            total = _page_total(response.body)
            if total is not None and total > MAX_LIST_ITEMS:
                raise self._list_error(response, "the server reports %d items; this collection reads at most %d"
                                       % (total, MAX_LIST_ITEMS))
            # Short pages are allowed (up to twice the pages the total needs); a page beyond that is a server that pages on.
            if read > MAX_LIST_ITEMS or (total is not None and number >= 2 * ((total + page_size - 1) // page_size) + 1):
                raise self._list_error(response, "the server keeps answering pages past the %s it reported; stopped "
                                                 "after %d requests" % ("%d items" % total if total is not None
                                                                        else "limit of %d items" % MAX_LIST_ITEMS,
                                                                        number + 1))
            yield from items
            if total is not None and read >= total:
                return
        raise self._list_error(response, "no end after %d pages" % (number + 1))

    @staticmethod
    def _list_error(response, message):
        return DatadogAPIError(message, status=response.status, method="GET", path=response.path,
                               request_id=response.request_id)

    # -- internals --------------------------------------------------------------------------------------

    def retry_summary(self):
        """One line saying how many requests were retried and why, or ``None`` when none was."""
        if not self.stats["retries"]:
            return None
        causes = ", ".join("%s x%d" % item for item in sorted(self.stats["causes"].items()))
        return "Datadog API: %d %s (%s), waited %.1f s in total" % (
            self.stats["retries"], "retry" if self.stats["retries"] == 1 else "retries", causes, self.stats["waited"])

    def _wait(self, seconds, cause):
        self.stats["retries"] += 1
        self.stats["causes"][cause] = self.stats["causes"].get(cause, 0) + 1
        if seconds > 0:
            self.stats["waited"] += seconds
            self._sleep(seconds)

    def _read(self, raw, method, path, limit=None):
        """The body of an answer, read in chunks; an answer larger than ``MAX_ANSWER_BYTES`` is refused unread.

        With ``limit`` (error answers, read only for their message) the body is cut there instead.
        """
        cap = limit or MAX_ANSWER_BYTES
        declared = raw.headers.get("Content-Length", "")
        if limit is None and declared.isdigit() and int(declared) > cap:
            raw.close()
            raise self._too_large(raw, method, path, int(declared))
        chunks = []
        size = 0
        for chunk in raw.iter_content(_CHUNK):
            size += len(chunk)
            if size > cap:
                raw.close()
                if limit is not None:
                    break
                raise self._too_large(raw, method, path, size)
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _too_large(raw, method, path, size):
        return DatadogAPIError("the answer is larger than %d MiB (at least %d bytes); it was not read"
                               % (MAX_ANSWER_BYTES // (1024 * 1024), size),
                               status=raw.status_code, method=method, path=path, request_id=_request_id(raw))

    def _decode(self, raw, content, method, path):
        request_id = _request_id(raw)
        if not content or not content.strip():
            return ApiResponse(raw.status_code, raw.headers, None, method, path, request_id)
        text = content.decode(raw.encoding or "utf-8", "replace")
        if method == "DELETE" and raw.status_code < 300:
            # Datadog answers a delete with HTTP 204 and no body; anything else is not a delete it applied.
            raise DatadogAPIError(
                "expected an empty answer (Datadog answers a delete with HTTP 204) but got %s; the delete may not have "
                "been applied" % self._describe(raw, text), status=raw.status_code, method=method, path=path,
                request_id=request_id)
        try:
            body = json.loads(text)
        except ValueError:
            raise DatadogAPIError("expected a JSON answer but got %s" % self._describe(raw, text),
                                  status=raw.status_code, method=method, path=path, request_id=request_id) from None
        if isinstance(body, dict) and request_id is None:
            meta = body.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("request_id"), str):
                request_id = meta["request_id"]
        return ApiResponse(raw.status_code, raw.headers, body, method, path, request_id)

    def _describe(self, raw, text):
        """A non-JSON (or unexpected) answer in a few words: its type, size and the start of its text, scrubbed."""
        try:
            body = json.loads(text)
        except ValueError:
            return _describe_non_json(raw.headers.get("Content-Type", "no content type"), self.scrub(text),
                                      len(text.encode("utf-8")))
        return _describe_json(body)

    def _error_from(self, raw, method, path, attempts):
        """The error of an answer outside ``expected``. Its text is scrubbed of secrets before it is parsed."""
        try:
            content = self._read(raw, method, path, limit=1024 * 1024)
        except requests.exceptions.RequestException:
            content = b""
        body = None
        text = self.scrub(content.decode(raw.encoding or "utf-8", "replace"))
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                messages = [_describe_non_json(raw.headers.get("Content-Type", "no content type"), text, len(content))]
            else:
                messages = parse_error_messages(body) or ["unexpected answer %s" % _describe_json(body)]
        else:
            messages = [raw.reason or _REASONS.get(raw.status_code, "error")]
        messages = [self.scrub(message) for message in messages]  # a secret split over lines, now joined
        return DatadogAPIError(messages, status=raw.status_code, method=method, path=path,
                               request_id=_request_id(raw), attempts=attempts, body=body)


def secret_forms(value):
    """The forms a secret takes in a server's text: as sent, stripped, JSON- and HTML-escaped, whitespace-collapsed."""
    value = str(value)
    forms = set()
    for variant in (value, value.strip(), " ".join(value.split())):
        forms.update((variant, json.dumps(variant)[1:-1], json.dumps(variant, ensure_ascii=False)[1:-1],
                      html.escape(variant), html.escape(variant, quote=False)))
    return set(form for form in forms if form.strip())


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


def user_agent(extra=None):
    parts = ["python %s" % platform.python_version()]
    if HAS_REQUESTS:
        parts.append("requests %s" % requests.__version__)
    if extra:
        parts.append(extra)
    return "ddops.datadog/%s (%s)" % (COLLECTION_VERSION, "; ".join(parts))


def _page_total(body):
    meta = body.get("meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict):
        return None
    for key in ("total_filtered", "total"):
        value = meta.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _request_id(raw):
    for name in ("X-Request-Id", "DD-Request-Id"):
        value = raw.headers.get(name)
        if value:
            return value
    return None


def _may_have_been_sent(exc):
    """False only when the request certainly never left (no connection was made)."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError,
                        requests.exceptions.ProxyError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", None)
        text = "%s %s" % (type(inner).__name__, inner)
        if "NewConnectionError" in text or "Connection refused" in text or "NameResolution" in text:
            return False
    return True


def _is_retryable_exception(exc):
    return not isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                                requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                                requests.exceptions.InvalidHeader))


def _as_urllib3_error(exc, sent):
    """The urllib3 error class urllib3's Retry uses to count connect vs read failures."""
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return ReadTimeoutError(None, None, str(exc))
    if sent:
        return ProtocolError(str(exc))
    return ConnectTimeoutError(str(exc))


def _reason(exc):
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    return "connection closed without an answer"


def _describe_exception(exc, options):
    if isinstance(exc, requests.exceptions.SSLError):
        return ("TLS certificate verification failed for %s: %s. Fix the CA bundle (REQUESTS_CA_BUNDLE) or, "
                "only for a trusted test endpoint, set validate_certs to false" % (options.base_url, _short(exc)))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out connecting to %s after %s seconds" % (options.base_url, options.timeout)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer from %s within timeout=%s seconds" % (options.base_url, options.timeout)
    if isinstance(exc, requests.exceptions.ConnectionError) and not _may_have_been_sent(exc):
        return "could not connect to %s: %s" % (options.base_url, _short(exc))
    return "connection to %s failed: %s" % (options.base_url, _short(exc))


def _short(exc):
    """The innermost readable reason of a requests/urllib3 exception."""
    reason = exc
    for _depth in range(4):
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None or inner is reason:
            break
        reason = inner
    text = str(reason)
    # "<urllib3.connection.HTTPConnection object at 0x...>: Failed to ..." → the readable tail.
    text = re.sub(r"<[^>]+ object at 0x[0-9a-f]+>:?\s*", "", text)
    return text.strip() or type(reason).__name__


def _describe_non_json(content_type, text, size):
    """A text answer in a few words (``text`` is already scrubbed): its type, size and title or first words."""
    title = _HTML_TITLE.search(text)
    if title:
        snippet = " ".join(title.group(1).split())
    else:
        snippet = " ".join(text.split())
    if len(snippet) > _SNIPPET_LENGTH:
        snippet = snippet[:_SNIPPET_LENGTH] + "..."
    return "a %s answer (%d bytes): %r" % (content_type.split(";")[0], size, snippet)


def _describe_json(body):
    if isinstance(body, dict):
        return "an object with keys %s" % (", ".join(sorted(body)[:8]) or "none")
    return "a JSON %s" % type(body).__name__


def one_line(value):
    """A text on one line (runs of whitespace collapsed); ``""`` for ``None``."""
    if value is None:
        return ""
    return " ".join(str(value).split())
