# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The emulated Datadog endpoints: one handler per route, called with the state lock held.

A handler gets the :class:`Call` (request, calling key pair, base URL) plus the path parameters and returns an
:class:`Answer`, or raises :class:`dd_emulator.errors.ApiError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from werkzeug.wrappers import Response

from dd_emulator.audit import AuditError
from dd_emulator.connections import UUID_PATTERN, invalid_argument, render
from dd_emulator.errors import JSON, JSON_API, ApiError, int_parameter, invalid_parameter, text_errors
from dd_emulator.policies import answer as policy_answer
from dd_emulator.policies import change_action, checked_body, locks_out, parse_resource_id, policy_error, self_lockout_error

REGISTRATIONS = "/api/v2/actions/app_key_registrations"
REGISTRATION = REGISTRATIONS + "/{app_key_id}"
CONNECTIONS = "/api/v2/actions/connections"
CONNECTION = CONNECTIONS + "/{connection_id}"
AUDIT_LIST = "/api/v2/audit/events"
AUDIT_SEARCH = "/api/v2/audit/events/search"
POLICY = "/api/v2/restriction_policy/{resource_id}"
ROLES = "/api/v2/roles"
TEAMS = "/api/v2/team"
USERS = "/api/v2/users"
CURRENT_USER = "/api/v2/current_user"
REGISTRATION_PAGE_SIZE = 10
REGISTRATION_PAGE_SIZE_MAX = 100


@dataclass
class Answer:
    """What to send: status, body (JSON-able; a ``str`` is sent as is; ``None`` = empty), content type, extra headers."""

    status: int
    body: object = None
    content_type: str = JSON_API
    headers: dict = None

    def text(self):
        if self.body is None:
            return ""
        return self.body if isinstance(self.body, str) else json.dumps(self.body)

    def response(self):
        """The werkzeug response (204 answers carry no content type)."""
        response = Response(self.text(), status=self.status, content_type=self.content_type, headers=self.headers)
        if self.status == 204:
            del response.headers["Content-Type"]
        return response


@dataclass
class Call:
    """One API request as the handlers see it."""

    request: object
    caller: object
    base_url: str

    def json_body(self, invalid):
        """The decoded JSON body (``None`` when empty); ``invalid(message)`` builds the error for bad JSON."""
        raw = self.request.get_data(cache=True)
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as error:
            raise invalid("the request body is not valid JSON: %s" % error) from None


class Api:
    """The handlers, bound to one :class:`dd_emulator.state.State`."""

    def __init__(self, state):
        self.state = state

    def routes(self):
        """``(method, route template, handler, needs a registered application key)`` for every emulated operation."""
        return (
            ("GET", REGISTRATIONS, self.list_registrations, False),
            ("GET", REGISTRATION, self.get_registration, False),
            ("PUT", REGISTRATION, self.register, False),
            ("DELETE", REGISTRATION, self.unregister, False),
            ("POST", CONNECTIONS, self.create_connection, True),
            ("GET", CONNECTIONS, self.list_connections, True),
            ("GET", CONNECTION, self.get_connection, True),
            ("PATCH", CONNECTION, self.update_connection, True),
            ("DELETE", CONNECTION, self.delete_connection, True),
            ("GET", AUDIT_LIST, self.list_audit_events, False),
            ("POST", AUDIT_SEARCH, self.search_audit_events, False),
            ("GET", POLICY, self.get_policy, False),
            ("POST", POLICY, self.update_policy, False),
            ("DELETE", POLICY, self.delete_policy, False),
            ("GET", ROLES, self.list_roles, False),
            ("GET", TEAMS, self.list_teams, False),
            ("GET", USERS, self.list_users, False),
            ("GET", CURRENT_USER, self.current_user, False),
        )

    # -- app key registrations ----------------------------------------------------------------------------------

    @staticmethod
    def _app_key_id(value):
        if not UUID_PATTERN.match(value):
            raise invalid_parameter("appKeyId", "path", 'expected type "uuid"')
        return value.lower()

    @staticmethod
    def _registration(app_key_id):
        return {"id": app_key_id, "type": "app_key_registration"}

    def list_registrations(self, call):
        args = call.request.args
        size = int_parameter(args, "page[size]", REGISTRATION_PAGE_SIZE, 1, REGISTRATION_PAGE_SIZE_MAX)
        number = int_parameter(args, "page[number]", 0, 0, None)
        ids = list(self.state.registrations)
        page = ids[number * size:(number + 1) * size]
        return Answer(200, {"data": [self._registration(app_key_id) for app_key_id in page], "meta": {"total": len(ids), "total_filtered": len(ids)}})

    def get_registration(self, call, app_key_id):
        app_key_id = self._app_key_id(app_key_id)
        if app_key_id not in self.state.registrations:
            raise _key_not_found()
        return Answer(200, {"data": self._registration(app_key_id)})

    def register(self, call, app_key_id):
        app_key_id = self._app_key_id(app_key_id)
        if app_key_id not in self.state.registrations:
            self.state.registrations[app_key_id] = True
            self._audit(call, "created", {"type": "app_key_registration", "id": app_key_id, "name": app_key_id}, 201)
        return Answer(201, {"data": self._registration(app_key_id)})

    def unregister(self, call, app_key_id):
        app_key_id = self._app_key_id(app_key_id)
        if self.state.registrations.pop(app_key_id, None) is None:
            raise _key_not_found()
        self._audit(call, "deleted", {"type": "app_key_registration", "id": app_key_id, "name": app_key_id}, 204)
        return Answer(204)

    # -- action connections -------------------------------------------------------------------------------------

    def _render(self, connection):
        return {"data": render(connection, omit_http_tokens=self.state.settings.omit_http_tokens)}

    def create_connection(self, call):
        body = call.json_body(invalid_argument)
        connection = self.state.connections.create(body, call.caller.user["id"])
        self._audit(call, "created", {"type": "action_connection", "id": connection.id, "name": connection.name}, 201)
        return Answer(201, self._render(connection))

    def list_connections(self, call):
        connections, meta = self.state.connections.list_page(call.request.args)
        omit_tokens = self.state.settings.omit_http_tokens
        return Answer(200, {"data": [render(connection, omit_http_tokens=omit_tokens) for connection in connections], "meta": meta})

    def get_connection(self, call, connection_id):
        return Answer(200, self._render(self.state.connections.get(connection_id)))

    def update_connection(self, call, connection_id):
        body = call.json_body(invalid_argument)
        connection = self.state.connections.update(connection_id, body)
        self._audit(call, "modified", {"type": "action_connection", "id": connection.id, "name": connection.name}, 200)
        return Answer(200, self._render(connection))

    def delete_connection(self, call, connection_id):
        connection = self.state.connections.delete(connection_id)
        self._audit(call, "deleted", {"type": "action_connection", "id": connection.id, "name": connection.name}, 204)
        return Answer(204)

    # -- audit ----------------------------------------------------------------------------------------------------

    def list_audit_events(self, call):
        try:
            audit = self.state.audit
            return Answer(200, audit.answer_text(audit.search_args(call.request.args, call.base_url)), JSON)
        except AuditError as error:
            raise text_errors(400, str(error)) from None

    def search_audit_events(self, call):
        try:
            body = call.json_body(AuditError)
            audit = self.state.audit
            return Answer(200, audit.answer_text(audit.search_body(body, call.base_url)), JSON)
        except AuditError as error:
            raise text_errors(400, str(error)) from None

    # -- restriction policies -----------------------------------------------------------------------------------

    def get_policy(self, call, resource_id):
        parse_resource_id(resource_id)
        return Answer(200, policy_answer(resource_id, self.state.policies.get(resource_id)), JSON)

    def update_policy(self, call, resource_id):
        resource_type, _identifier = parse_resource_id(resource_id)
        allow_self_lockout = _true_or_false(call.request.args, "allow_self_lockout")
        bindings = checked_body(call.json_body(lambda message: policy_error("Invalid request: " + message)), resource_id)
        if not allow_self_lockout and locks_out(resource_type, bindings, self.state.principals.held_by(call.caller.user["id"])):
            raise self_lockout_error(resource_id, resource_type)
        before = self.state.policies.put(resource_id, bindings)
        self._audit_policy(call, resource_id, before, bindings, 200)
        return Answer(200, policy_answer(resource_id, bindings), JSON)

    def delete_policy(self, call, resource_id):
        parse_resource_id(resource_id)
        before = self.state.policies.delete(resource_id)
        self._audit_policy(call, resource_id, before, [], 204)
        return Answer(204)

    def _audit_policy(self, call, resource_id, before, after, status_code):
        action = change_action(before, after)
        if action:
            self._audit(call, action, {"type": "restriction_policy", "id": resource_id, "name": resource_id}, status_code)

    # -- principals -------------------------------------------------------------------------------------------------

    def list_roles(self, call):
        return Answer(200, self.state.principals.list_roles(call.request.args), JSON)

    def list_teams(self, call):
        return Answer(200, self.state.principals.list_teams(call.request.args, call.caller.user["id"], call.base_url + TEAMS), JSON)

    def list_users(self, call):
        return Answer(200, self.state.principals.list_users(call.request.args), JSON)

    def current_user(self, call):
        return Answer(200, self.state.principals.current_user(call.caller.user["id"]), JSON)

    def _audit(self, call, action, asset, status_code):
        self.state.audit.record_change(action, asset, call.caller.user, method=call.request.method, path=call.request.path,
                                       status_code=status_code)


def _true_or_false(args, name):
    """A boolean query parameter (``true`` / ``false``, any case; absent = false)."""
    raw = args.get(name)
    if raw is None or raw.lower() == "false":
        return False
    if raw.lower() == "true":
        return True
    raise policy_error("Invalid request: %s must be true or false, got '%s'" % (name, raw))


def _key_not_found():
    return ApiError(404, {"errors": [{"detail": "app key not found"}]})
