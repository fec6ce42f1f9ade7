# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One attempt of one request: send it, read the answer up to a size cap, decode it.

Internal use only: not part of the collection's public interface. No Ansible imports. This is the only file of the
collection that imports ``requests``; it makes no decision about retries (``_retry.py``) and keeps no counters
(``_api_stats.py``): :meth:`Transport.send` sends once and says what came back.

- An answer with an expected status is read (streamed, refused past :data:`MAX_ANSWER_BYTES`) and decoded into an
  :class:`ApiResponse`; a success answer that cannot be used (or a success status the request is not answered with,
  such as 204 to a create) raises :class:`UnusableAnswerError`.
- An answer with another status comes back unread as a :class:`Refused`, so a retry does not read a body it will
  not use; :meth:`Refused.error` reads and parses it (Datadog's two error shapes) when the caller gives up.
- No answer (connection refused, dropped, timed out, TLS refused) comes back as a :class:`Unanswered`.

Every text of an answer that reaches a message is scrubbed of the secrets first (``_scrub.py``).
"""

from __future__ import annotations

import json
import platform
import re
import threading
import warnings

from urllib.parse import urlencode

from ansible_collections.ddops.datadog.plugins.module_utils._errors import (
    DatadogAPIError,
    DatadogConnectionError,
    UnusableAnswerError,
    reason,
)
from ansible_collections.ddops.datadog.plugins.module_utils._retry import NoAnswer
from ansible_collections.ddops.datadog.plugins.module_utils._scrub import Scrubber

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InsecureRequestWarning
except ImportError as exc:  # pragma: no cover - exercised by the import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "0.1.0"
#: The largest answer read (an audit page of 1,000 events is a few MB); a larger one is refused, not read into memory.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
#: How much of an error answer is read for its message.
MAX_ERROR_BYTES = 1024 * 1024
_CHUNK = 256 * 1024


class ApiResponse(object):
    """A decoded answer: ``status``, ``headers``, ``body`` (parsed JSON or ``None`` when empty).

    ``unanswered``: how many earlier attempts of the same request were sent but got no answer (so an idempotent write
    answered 404 may have been applied by one of them). ``scrubber`` describes the body in messages without a secret.
    """

    __slots__ = ("status", "headers", "body", "method", "path", "request_id", "unanswered", "scrubber")

    def __init__(self, status, headers, body, method, path, request_id=None, unanswered=0, scrubber=None):
        self.status = status
        self.headers = headers
        self.body = body
        self.method = method
        self.path = path
        self.request_id = request_id
        self.unanswered = unanswered
        self.scrubber = scrubber if scrubber is not None else Scrubber()

    @property
    def data(self):
        """The JSON:API ``data`` member; :class:`UnusableAnswerError` (for a 2xx answer) when it has none."""
        if not isinstance(self.body, dict) or "data" not in self.body:
            raise self.unusable("the answer has no 'data' member (got %s)" % self.scrubber.describe_json(self.body))
        return self.body["data"]

    def unusable(self, message):
        """The error to raise for this answer when its content is not what the request is answered with (``message``
        says what is wrong, scrubbed by the caller): :class:`UnusableAnswerError` for a 2xx answer (the request was
        accepted and may have been applied), :class:`DatadogAPIError` otherwise."""
        error = UnusableAnswerError if 200 <= (self.status or 0) < 300 else DatadogAPIError
        return error(message, status=self.status, method=self.method, path=self.path, request_id=self.request_id)


class Refused(object):
    """An answer whose status the caller did not expect, not read yet: ``status``, ``headers``; :meth:`error` reads
    it and returns the :class:`DatadogAPIError` to raise; :meth:`discard` closes it unread (before a retry)."""

    def __init__(self, transport, raw, method, path):
        self._transport = transport
        self._raw = raw
        self.method = method
        self.path = path
        self.status = raw.status_code
        self.headers = raw.headers

    def discard(self):
        self._raw.close()

    def error(self, attempts):
        return self._transport.error_from(self._raw, self.method, self.path, attempts)


class Unanswered(object):
    """An attempt that got no answer: ``failure`` (a :class:`~._retry.NoAnswer`) and :meth:`description`."""

    def __init__(self, transport, exception):
        self._transport = transport
        self.exception = exception
        self.failure = classify(exception)

    def description(self):
        """The reason in a few words for a message, scrubbed (it may quote the URL)."""
        return self._transport.scrubber.scrub(describe_exception(self.exception, self._transport.options))

    def short_reason(self):
        return "timed out" if self.failure.timeout else "connection closed without an answer"


class Prepared(object):
    """A request ready to be sent any number of times: its method, URL, query, encoded body and the path with its
    query as messages name it."""

    __slots__ = ("method", "url", "params", "data", "headers", "display_path")

    def __init__(self, method, url, params, data, headers, display_path):
        self.method = method
        self.url = url
        self.params = params
        self.data = data
        self.headers = headers
        self.display_path = display_path


class Transport(object):
    """A keep-alive ``requests`` session against one API base URL, sending one attempt at a time.

    ``options`` are validated connection options (keys, base URL, ``validate_certs``, ``timeout``). A ``session`` may
    be shared with other transports (the loop items of a task), but only among the same ``validate_certs``: the
    action plugins keep one session per value.
    """

    def __init__(self, options, scrubber, session=None, user_agent_extra=None):
        if not HAS_REQUESTS:
            raise RuntimeError("the Python library 'requests' is required")  # callers check HAS_REQUESTS first
        self.options = options
        self.base_url = options.base_url
        self.scrubber = scrubber
        if not options.validate_certs:
            quiet_insecure_request_warnings()  # said once per task as an Ansible warning instead
        self.session = session if session is not None else new_session()
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

    def prepare(self, method, path, params=None, body=None):
        data = headers = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json"}
        display_path = path
        if params:
            display_path = "%s?%s" % (path, urlencode(sorted(params.items())))
        return Prepared(method.upper(), self.base_url + path, params, data, headers, display_path)

    def send(self, prepared, expected):
        """Send ``prepared`` once: an :class:`ApiResponse` (status in ``expected``), a :class:`Refused` (another
        error status, unread) or an :class:`Unanswered`. Raises :class:`UnusableAnswerError` for a 2xx answer it cannot
        use (also a 2xx status outside ``expected``) and :class:`DatadogAPIError` for an expected non-2xx answer it
        cannot read."""
        method, path = prepared.method, prepared.display_path
        try:
            raw = self.session.request(method, prepared.url, params=prepared.params, data=prepared.data,
                                       headers=prepared.headers, timeout=self.options.timeout,
                                       verify=self.options.validate_certs, allow_redirects=False, stream=True)
            if raw.status_code not in expected and not 200 <= raw.status_code < 300:
                return Refused(self, raw, method, path)
            content = self.read(raw, method, path)
        except requests.exceptions.RequestException as exc:
            return Unanswered(self, exc)
        if raw.status_code not in expected:  # a success, but not the one this request is answered with
            text = content.decode(raw.encoding or "utf-8", "replace")
            got = self.scrubber.describe(raw.headers.get("Content-Type"), text) if text.strip() else "an empty answer"
            raise UnusableAnswerError("expected HTTP %s, got this status with %s"
                                      % (" or ".join(str(status) for status in expected if 200 <= status < 300), got),
                                      status=raw.status_code, method=method, path=path,
                                      request_id=request_id_of(raw.headers))
        return self.decode(raw, content, method, path)

    def read(self, raw, method, path, limit=None):
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
        error = UnusableAnswerError if 200 <= raw.status_code < 300 else DatadogAPIError
        return error("the answer is larger than %d MiB (at least %d bytes); it was not read"
                     % (MAX_ANSWER_BYTES // (1024 * 1024), size),
                     status=raw.status_code, method=method, path=path, request_id=request_id_of(raw.headers))

    def decode(self, raw, content, method, path):
        """The :class:`ApiResponse` of an answer read whole. A 2xx answer that is not JSON, or a delete answered with
        a body (Datadog answers it with 204 and nothing), raises :class:`UnusableAnswerError`."""
        request_id = request_id_of(raw.headers)
        unusable = UnusableAnswerError if 200 <= raw.status_code < 300 else DatadogAPIError
        if not content or not content.strip():
            return ApiResponse(raw.status_code, raw.headers, None, method, path, request_id, scrubber=self.scrubber)
        text = content.decode(raw.encoding or "utf-8", "replace")
        content_type = raw.headers.get("Content-Type", "no content type")
        if method == "DELETE" and raw.status_code < 300:
            raise unusable("expected an empty answer (Datadog answers a delete with HTTP 204) but got %s"
                           % self.scrubber.describe(content_type, text), status=raw.status_code, method=method,
                           path=path, request_id=request_id)
        try:
            body = json.loads(text)
        except ValueError:
            raise unusable("expected a JSON answer but got %s" % self.scrubber.describe(content_type, text),
                           status=raw.status_code, method=method, path=path, request_id=request_id) from None
        if isinstance(body, dict) and request_id is None:
            meta = body.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("request_id"), str):
                request_id = meta["request_id"]
        return ApiResponse(raw.status_code, raw.headers, body, method, path, request_id, scrubber=self.scrubber)

    def error_from(self, raw, method, path, attempts):
        """The error of an answer outside ``expected``. Its text is scrubbed of secrets before it is parsed."""
        try:
            content = self.read(raw, method, path, limit=MAX_ERROR_BYTES)
        except requests.exceptions.RequestException:
            content = b""
        body = None
        scrub = self.scrubber.scrub
        text = scrub(content.decode(raw.encoding or "utf-8", "replace"))
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                messages = [self.scrubber.describe_text(raw.headers.get("Content-Type", "no content type"), text, len(content))]
            else:
                messages = parse_error_messages(body) or ["unexpected answer %s" % self.scrubber.describe_json(body)]
        else:
            messages = [raw.reason or reason(raw.status_code)]
        messages = [scrub(message) for message in messages]  # a secret split over lines, now joined
        return DatadogAPIError(messages, status=raw.status_code, method=method, path=path,
                               request_id=request_id_of(raw.headers), attempts=attempts, body=body)

    def no_answer_error(self, unanswered, method, path, attempts):
        """The :class:`DatadogConnectionError` of a request given up without an answer."""
        return DatadogConnectionError(unanswered.description(), method=method, path=path, attempts=attempts)

    def close(self):
        self.session.close()


# -- process-wide: the insecure-request warning ---------------------------------------------------------------------

_INSECURE_FILTER_LOCK = threading.Lock()


def quiet_insecure_request_warnings():
    """Ignore urllib3's ``InsecureRequestWarning`` in this process, with one filter added once.

    A client with ``validate_certs: false`` says once, as an Ansible warning, that certificates are not checked;
    urllib3 would say it again for every request. The filter is process-wide and installed at most once (adding it
    again changes nothing): a per-request ``warnings.catch_warnings()`` is not thread-safe, and parallel workers
    could leave the process's warning filters changed.
    """
    with _INSECURE_FILTER_LOCK:
        if not any(entry[0] == "ignore" and entry[2] is InsecureRequestWarning and entry[1] is None and entry[3] is None
                   for entry in warnings.filters):
            warnings.filterwarnings("ignore", category=InsecureRequestWarning)


# -- helpers ---------------------------------------------------------------------------------------------------------

def new_session(pool=None):
    """A keep-alive session whose transport never retries on its own (every retry is decided and counted by the
    client). ``pool``: a :func:`new_pool` to send through, shared with other sessions (parallel workers)."""
    session = requests.Session()
    adapter = pool if pool is not None else HTTPAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def new_pool(size):
    """One connection pool of ``size`` keep-alive connections per host, for the sessions of ``size`` worker threads.

    Each thread keeps a ``requests.Session`` of its own (a session is not documented as thread-safe: its headers,
    cookies and hooks are shared state) and they all mount this adapter, whose urllib3 pool manager and connection
    pools are thread-safe: one pool, sized so that no worker waits for a connection or opens one that is thrown away.
    """
    return HTTPAdapter(max_retries=0, pool_connections=1, pool_maxsize=size, pool_block=True)


def user_agent(extra=None):
    parts = ["python %s" % platform.python_version()]
    if HAS_REQUESTS:
        parts.append("requests %s" % requests.__version__)
    if extra:
        parts.append(extra)
    return "ddops.datadog/%s (%s)" % (COLLECTION_VERSION, "; ".join(parts))


def request_id_of(headers):
    for name in ("X-Request-Id", "DD-Request-Id"):
        value = headers.get(name)
        if value:
            return value
    return None


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


def one_line(value):
    """A text on one line (runs of whitespace collapsed); ``""`` for ``None``."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def classify(exc):
    """A ``requests`` exception as a :class:`~._retry.NoAnswer`: may it have been sent, was it a timeout, can another
    attempt help."""
    permanent = isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                                 requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                                 requests.exceptions.InvalidHeader))
    return NoAnswer(sent=_may_have_been_sent(exc), timeout=isinstance(exc, requests.exceptions.Timeout), permanent=permanent)


def _may_have_been_sent(exc):
    """False only when the request certainly never left (no connection was made)."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError,
                        requests.exceptions.ProxyError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        inner = getattr(exc.args[0] if exc.args else None, "reason", None)
        text = "%s %s" % (type(inner).__name__, inner)
        if "NewConnectionError" in text or "Connection refused" in text or "NameResolution" in text:
            return False
    return True


def describe_exception(exc, options):
    """What went wrong with an attempt that got no answer, in one line."""
    base_url = options.base_url
    if isinstance(exc, requests.exceptions.SSLError):
        return ("TLS certificate verification failed for %s: %s. Fix the CA bundle (REQUESTS_CA_BUNDLE) or, "
                "only for a trusted test endpoint, set validate_certs to false" % (base_url, _short(exc)))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out connecting to %s after %s seconds" % (base_url, options.timeout)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer from %s within timeout=%s seconds" % (base_url, options.timeout)
    if isinstance(exc, requests.exceptions.ConnectionError) and not _may_have_been_sent(exc):
        return "could not connect to %s: %s" % (base_url, _short(exc))
    return "connection to %s failed: %s" % (base_url, _short(exc))


def _short(exc):
    """The innermost readable reason of a requests/urllib3 exception."""
    inner_most = exc
    for _depth in range(4):
        inner = getattr(inner_most, "reason", None)
        if inner is None and inner_most.args and isinstance(inner_most.args[0], BaseException):
            inner = inner_most.args[0]
        if inner is None or inner is inner_most:
            break
        inner_most = inner
    text = str(inner_most)
    # "<urllib3.connection.HTTPConnection object at 0x...>: Failed to ..." -> the readable tail.
    text = re.sub(r"<[^>]+ object at 0x[0-9a-f]+>:?\s*", "", text)
    return text.strip() or type(inner_most).__name__
