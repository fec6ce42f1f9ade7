# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The WSGI application: routing, request counting, faults, authentication, the registration gate and the log.

Every ``/api/`` request is counted under its route template (``GET /api/v2/actions/connections/{connection_id}``),
waits its latency (if any; without the lock, so requests wait in parallel), then may get a fault, then is
authenticated and handled with the state lock held. ``/_emulator/`` is the control API.
"""

from __future__ import annotations

import socket
import time

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from dd_emulator.api import CONNECTIONS, Answer, Api, Call
from dd_emulator.control import Control
from dd_emulator.errors import JSON, ApiError, forbidden, not_registered, text_errors
from dd_emulator.faults import APPLYING_KINDS, REWRITING_KINDS
from dd_emulator.hostile import echo_answer, huge_response, rewritten, synthetic_page

BAD_GATEWAY_PAGE = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
                    "</body>\r\n</html>\r\n")
LOGIN_PAGE = ("<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title></head><body><form action=\"/login\">"
              "<input name=\"user\"></form></body></html>")
SERVER_ERRORS = {"500": "Internal Server Error", "503": "Service Unavailable"}
RATE_LIMIT = {"X-RateLimit-Limit": "10", "X-RateLimit-Period": "10", "X-RateLimit-Remaining": "0"}


class DropConnection(ConnectionAbortedError):
    """Raised after the socket is shut down: werkzeug treats it as a dropped connection and sends nothing."""


def path_rule(template, **options):
    """A werkzeug rule for a ``{name}`` route template."""
    return Rule(template.replace("{", "<").replace("}", ">"), **options)


class EmulatorApp:
    """The WSGI callable of one emulator; ``stopping`` (an Event) cuts ``slow`` faults short when the server stops."""

    def __init__(self, state, stopping):
        self.state = state
        self._stopping = stopping
        self._handlers = {}
        rules = []
        for method, template, handler, needs_registration in Api(state).routes():
            endpoint = "%s %s" % (method, template)
            self._handlers[endpoint] = (handler, needs_registration)
            rules.append(path_rule(template, endpoint=endpoint, methods=[method]))
        self._routes = Map(rules, merge_slashes=False)  # "//" must not redirect: it is just an unknown route
        self._control = Control(state)

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/api/"):
            response = self._api(request)
        elif request.path.startswith("/_emulator/"):
            response = self._control.dispatch(request)
        else:
            response = Answer(404, {"errors": ["Not found"]}, JSON).response()
        return response(environ, start_response)

    def _api(self, request):
        request.environ["dd_emulator.received"] = time.time()
        try:
            endpoint, path_args = self._routes.bind_to_environ(request.environ).match()
            missing = None
        except (NotFound, MethodNotAllowed) as error:
            endpoint, path_args, missing = None, {}, error
        route = endpoint or "%s %s" % (request.method, request.path)
        self.state.request_started()
        try:
            return self._api_answer(request, route, endpoint, path_args, missing)
        finally:
            self.state.request_finished()

    def _api_answer(self, request, route, endpoint, path_args, missing):
        with self.state.lock:
            self.state.count(route)
            rule = self.state.faults.pick(request.method, route.split(" ", 1)[1], request.path)
            latency = self.state.latency_for(route)
        if latency:
            # Outside the lock and in this request's own thread: answers wait side by side, like network round trips.
            self._stopping.wait(latency)
        if rule is not None and rule.kind == "drop":
            self._drop(request)
        if rule is not None and rule.kind == "slow":
            self._stopping.wait(rule.delay)  # then answered (and applied) normally
        if rule is not None and rule.apply:  # applied as usual; only its answer is replaced below
            self._answer(request, endpoint, path_args, missing)
        if rule is not None and rule.kind == "huge":
            self.state.log_response(request, 200, "<%d bytes of generated JSON, streamed>" % rule.size)
            return huge_response(rule)
        if rule is None or rule.kind in APPLYING_KINDS:
            answer = self._answer(request, endpoint, path_args, missing)
        elif rule.kind in REWRITING_KINDS:
            answer = self._answer(rewritten(rule, request), endpoint, path_args, missing)
        else:
            answer = _fault_answer(rule, route, request)
        lost = rule is not None and rule.kind == "lost_answer"
        self.state.log_response(request, answer.status, answer.text(), delivered=not lost)
        if lost:
            self._drop(request)
        return answer.response()

    def _answer(self, request, endpoint, path_args, missing):
        """Authenticate, apply the registration gate and run the handler, with the state lock held."""
        state = self.state
        with state.lock:
            try:
                caller = state.key_pair(request.headers.get("DD-API-KEY"), request.headers.get("DD-APPLICATION-KEY"))
                if caller is None:
                    raise forbidden()
                if isinstance(missing, MethodNotAllowed):
                    raise text_errors(405, "Method not allowed")
                if missing is not None or (endpoint == "GET " + CONNECTIONS and not state.settings.list_endpoint):
                    raise text_errors(404, "Not found")
                handler, needs_registration = self._handlers[endpoint]
                if needs_registration and caller.app_key_id not in state.registrations:
                    raise not_registered()
                return handler(Call(request, caller, request.host_url.rstrip("/")), **path_args)
            except ApiError as error:
                return Answer(error.status, error.body, error.content_type)

    @staticmethod
    def _drop(request):
        """Close the client's connection without an answer (werkzeug then ends the request quietly).

        The body is read first: left in werkzeug's buffer, it would be parsed as the next request on the connection.
        """
        request.get_data(cache=True)
        try:
            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise DropConnection("connection dropped by a fault rule")


def _fault_answer(rule, route, request):
    """The answer of a ``429``/``5xx``/malformed/``echo``/``huge_total`` rule; the request itself is not applied."""
    if rule.kind == "echo":
        return Answer(*echo_answer(rule, request))
    if rule.kind == "huge_total":
        return Answer(*synthetic_page(rule, request, route.split(" ", 1)[1]))
    if rule.kind == "429":
        area = "_".join(route.split(" ", 1)[1].split("/")[3:5])  # e.g. actions_connections, audit_events
        return Answer(429, None, JSON, dict(RATE_LIMIT, **{"X-RateLimit-Reset": str(rule.reset), "X-RateLimit-Name": area}))
    if rule.kind == "502":
        return Answer(502, BAD_GATEWAY_PAGE, "text/html")
    if rule.kind == "not_json":
        return Answer(200, "upstream connect error or disconnect/reset before headers", "text/plain")
    if rule.kind == "html_200":
        return Answer(200, LOGIN_PAGE, "text/html")
    if rule.kind == "no_data":
        return Answer(200, {"meta": {}}, JSON)
    if rule.kind == "empty":
        return Answer(204, None, JSON)
    if rule.kind == "404":
        return Answer(404, {"errors": [{"title": "Generic Error", "detail": "not found"}]}, JSON)
    return Answer(int(rule.kind), {"errors": [SERVER_ERRORS[rule.kind]]}, JSON)
