# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hostile answers of fault rules: errors that echo what the client sent, paging that never ends, huge answers.

None of these is what Datadog does; each is what some server, proxy or gateway between a client and Datadog has
been seen to do, and what a client must survive without leaking a secret, looping or running out of memory.

- :func:`echo_answer` (``echo``): an error answer that repeats the request, in one of :data:`~dd_emulator.faults.ECHO_FORMS`.
- :func:`rewritten` (``repeat_page``, ``endless_cursor``): the request without ``page[number]`` or without its cursor,
  so the route answers the first page again (with a fresh cursor, for the audit routes).
- :func:`synthetic_page` (``huge_total``): a page of made-up items, fresh on every page number, and a reported total.
- :func:`huge_response` (``huge``): a 200 JSON answer of ``size`` bytes, generated chunk by chunk while it is sent.
"""

from __future__ import annotations

import html
import io
import json
import uuid
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from dd_emulator.errors import JSON_API

CONNECTIONS = "/api/v2/actions/connections"
#: Bytes handed to the server per chunk of a ``huge`` answer.
CHUNK = 1024 * 1024
_SYNTHETIC = uuid.UUID("6f1c2a4e-0d3b-4c5e-9f7a-8b2d1e3c4a5f")


# -- echo ---------------------------------------------------------------------------------------------------------

def string_values(value):
    """Every string in a decoded JSON value, depth first, in order (keys are not values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in string_values(item)]
    if isinstance(value, list):
        return [text for item in value for text in string_values(item)]
    return []


def echo_answer(rule, request):
    """``(status, body, content type)`` of an error answer repeating the request in the rule's ``form``.

    - ``json``: ``{"errors": [{"title", "detail"}]}`` whose detail quotes the raw request body (so a secret in it
      arrives JSON-escaped once the answer is decoded, and twice in the answer's text);
    - ``json_values``: the same shape, naming every string value of the body as decoded (line breaks, double spaces
      and padding kept as sent);
    - ``json_collapsed``: every value with its whitespace collapsed to single spaces (as many servers log values);
    - ``padded``: every value trimmed, then padded to a fixed width (as a server printing a table would);
    - ``text``: ``text/plain``, the raw request body as received, then the request line and every header sorted by
      name (so the keys come early);
    - ``html``: an HTML error page with the values HTML-escaped in its ``<title>`` and the body in a ``<pre>``.
    """
    raw = request.get_data(cache=True).decode("utf-8", "replace")
    try:
        values = string_values(json.loads(raw)) if raw.strip() else []
    except ValueError:
        values = [raw]
    form = rule.form
    if form == "text":
        headers = "".join("%s: %s\n" % (name, value) for name, value in sorted(request.headers.items()))
        query = "?" + request.query_string.decode("latin-1") if request.query_string else ""
        return rule.status, "%s\n\n%s %s%s\n%s" % (raw, request.method, request.path, query, headers), "text/plain"
    if form == "html":
        page = ("<!DOCTYPE html><html><head><title>%d Bad Request: %s</title></head><body><h1>Bad Request</h1>"
                "<p>The request could not be processed.</p><pre>%s</pre></body></html>"
                % (rule.status, html.escape(", ".join(values)), html.escape(raw)))
        return rule.status, page, "text/html"
    if form == "json":
        detail = "cannot process the request body: %s" % raw
    elif form == "json_values":
        detail = "invalid values: %s" % "; ".join('"%s"' % value for value in values)
    elif form == "json_collapsed":
        detail = "invalid values: %s" % "; ".join('"%s"' % " ".join(value.split()) for value in values)
    else:  # padded
        detail = "invalid values: %s" % " ".join("[%-48s]" % value.strip() for value in values)
    return rule.status, {"errors": [{"title": "Generic Error", "detail": detail}]}, JSON_API


# -- paging -------------------------------------------------------------------------------------------------------

def rewritten(rule, request):
    """The request as the route sees it under a ``repeat_page`` (no ``page[number]``) or ``endless_cursor`` (no
    ``page[cursor]`` in the query, no ``page.cursor`` in a search body) rule."""
    environ = dict(request.environ)
    dropped = "page[number]" if rule.kind == "repeat_page" else "page[cursor]"
    environ["QUERY_STRING"] = urlencode([(name, value) for name, value in request.args.items(multi=True) if name != dropped])
    if rule.kind == "endless_cursor" and request.method == "POST":
        raw = request.get_data(cache=True)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("page"), dict):
            body["page"].pop("cursor", None)
            raw = json.dumps(body).encode("utf-8")
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
    return Request(environ)


def _page_argument(args, name, default, minimum, maximum):
    try:
        return min(max(int(args.get(name, default)), minimum), maximum)
    except ValueError:
        return default


def synthetic_page(rule, request, template):
    """``(status, body)``: a full page of made-up items (new ids on every page number) and ``meta.total = total``."""
    size = _page_argument(request.args, "page[size]", 10, 1, 100)
    number = _page_argument(request.args, "page[number]", 0, 0, 10 ** 15)
    ids = [str(uuid.uuid5(_SYNTHETIC, "%s:%d:%d" % (template, number, index))) for index in range(size)]
    if template == CONNECTIONS:
        items = [synthetic_connection(item_id, "synthetic %d-%d" % (number, index)) for index, item_id in enumerate(ids)]
    else:
        items = [{"id": item_id, "type": "app_key_registration"} for item_id in ids]
    return 200, {"data": items, "meta": {"total": rule.total, "total_filtered": rule.total}}


def synthetic_connection(connection_id, name):
    """A made-up AWS action connection in the answer form (no secret: AWS AssumeRole has none)."""
    return {"id": connection_id, "type": "action_connection",
            "attributes": {"name": name, "tags": [], "integration": {"type": "AWS", "credentials": {
                "type": "AWSAssumeRole", "account_id": "123456789012", "role": "synthetic",
                "external_id": "0" * 32, "principal_id": "464622532012"}}}}


# -- huge answers -------------------------------------------------------------------------------------------------

def huge_response(rule):
    """A 200 answer of exactly ``rule.size`` bytes of valid JSON (``{"data": [...many connections...]}``), produced
    chunk by chunk while it is sent (never held whole in memory). ``rule.streamed`` counts the bytes handed to the
    server, so a test sees where the client stopped reading. Without ``content_length`` it is sent chunked."""
    head = b'{"data": ['
    tail = b'{"id": "end", "type": "action_connection"}], "meta": {}}'
    item = (json.dumps(synthetic_connection(str(_SYNTHETIC), "huge")) + ", ").encode("utf-8")
    middle = max(rule.size - len(head) - len(tail), 0)
    chunk = item * max(CHUNK // len(item), 1)

    def generate():
        rule.streamed += len(head)
        yield head
        remaining = middle
        while remaining >= len(chunk):
            rule.streamed += len(chunk)
            yield chunk
            remaining -= len(chunk)
        count = remaining // len(item)  # the last items, then spaces (valid between JSON tokens) to the exact size
        last = item * count + b" " * (remaining - count * len(item)) + tail
        rule.streamed += len(last)
        yield last

    response = Response(generate(), status=200, content_type=JSON_API, direct_passthrough=True)
    if rule.content_length:
        response.headers["Content-Length"] = str(len(head) + middle + len(tail))
    return response
