# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The control API under ``/_emulator/``: no authentication (the server only listens on loopback), JSON in and out.

Errors answer 400 ``{"error": "<message>"}``. Each route calls one :class:`dd_emulator.state.State` method.
"""

from __future__ import annotations

import json

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from dd_emulator.api import Answer
from dd_emulator.errors import JSON

TRUE_WORDS = ("1", "true", "yes")
#: ``GET /_emulator/state?format=``: ``file`` (the default: the format of a state file, which loads again) or ``debug``
#: (what is stored as the API answers it, with the counts of audit events, for debugging).
STATE_FORMATS = ("file", "debug")
#: Optional members of ``POST /_emulator/audit/seed`` that place the events in time (see ``AuditLog.seed``).
SEED_PLACEMENT = ("burst", "burst_span", "end", "timestamps")


class ControlError(ValueError):
    """A bad control request (fault, audit and state errors are ``ValueError`` too)."""


class Control:
    """Dispatches ``/_emulator/...`` requests to the state."""

    def __init__(self, state):
        self.state = state
        routes = (
            ("GET", "/_emulator/health", self.health),
            ("GET", "/_emulator/counts", self.counts),
            ("POST", "/_emulator/reset", self.reset),
            ("GET", "/_emulator/faults", self.faults),
            ("POST", "/_emulator/faults", self.add_faults),
            ("DELETE", "/_emulator/faults", self.clear_faults),
            ("GET", "/_emulator/log", self.log),
            ("DELETE", "/_emulator/log", self.clear_log),
            ("POST", "/_emulator/keys", self.add_key),
            ("POST", "/_emulator/registrations", self.register),
            ("GET", "/_emulator/principals", self.principals),
            ("POST", "/_emulator/principals", self.add_principals),
            ("POST", "/_emulator/audit/seed", self.seed_audit),
            ("POST", "/_emulator/audit/search_meta", self.search_meta),
            ("POST", "/_emulator/audit/events", self.add_audit_events),
            ("GET", "/_emulator/settings", self.settings),
            ("POST", "/_emulator/settings", self.update_settings),
            ("GET", "/_emulator/latency", self.latency),
            ("POST", "/_emulator/latency", self.set_latency),
            ("GET", "/_emulator/in_flight", self.in_flight),
            ("GET", "/_emulator/state", self.dump),
            ("GET", "/_emulator/secrets_seen", self.secrets_seen),
        )
        self._handlers = {"%s %s" % (method, path): handler for method, path, handler in routes}
        self._routes = Map([Rule(path, endpoint="%s %s" % (method, path), methods=[method]) for method, path, _handler in routes],
                           merge_slashes=False)

    def dispatch(self, request):
        try:
            endpoint, _args = self._routes.bind_to_environ(request.environ).match()
        except HTTPException as error:
            return Answer(error.code, {"error": error.name}, JSON).response()
        try:
            status, body = self._handlers[endpoint](_json_body(request), request.args)
        except KeyError as error:
            status, body = 400, {"error": "missing member %s" % error}
        except (ValueError, TypeError) as error:
            status, body = 400, {"error": str(error)}
        return Answer(status, body, JSON).response()

    # Every handler takes (decoded JSON body or {}, query args) and returns (status, body).

    def health(self, _body, _args):
        return 200, {"status": "ok"}

    def counts(self, _body, _args):
        return 200, self.state.counts_json()

    def reset(self, body, _args):
        return 200, {"reset": self.state.reset(**body)}

    def faults(self, _body, _args):
        return 200, {"rules": self.state.faults_json()}

    def add_faults(self, body, _args):
        return 201, {"rules": self.state.add_faults(body.get("rules"))}

    def clear_faults(self, _body, _args):
        self.state.clear_faults()
        return 200, {"rules": []}

    def log(self, _body, args):
        """``?since=N``: only answers numbered N and later (``next`` is the number the next answer gets);
        ``?fields=a,b``: only those members of each answer (e.g. ``method,path,status,user_agent``)."""
        since = int(args.get("since", 0))
        fields = [name for name in args.get("fields", "").split(",") if name]
        entries = [entry for entry in self.state.responses_json() if entry["seq"] >= since]
        if fields:
            entries = [dict((name, entry.get(name)) for name in fields) for entry in entries]
        return 200, {"responses": entries, "next": self.state.responses_next()}

    def clear_log(self, _body, _args):
        self.state.reset(log=True)
        return 200, {"responses": []}

    def add_key(self, body, _args):
        pair = self.state.add_key(body["api_key"], body["app_key"], body["app_key_id"], registered=bool(body.get("registered")))
        return 201, {"app_key_id": pair.app_key_id, "user": pair.user, "registered": bool(body.get("registered"))}

    def register(self, body, _args):
        return 200, {"registered": self.state.register_app_keys(ids=body.get("ids") or (), count=body.get("count", 0))}

    def principals(self, _body, _args):
        return 200, self.state.principals_json()

    def add_principals(self, body, _args):
        unknown = sorted(set(body) - {"roles", "teams", "users"})
        if unknown:
            raise ControlError("unknown member(s) %s; known: roles, teams, users" % ", ".join(unknown))
        return 201, {"added": self.state.add_principals(roles=body.get("roles", ()), teams=body.get("teams", ()), users=body.get("users", ()))}

    def seed_audit(self, body, _args):
        placement = dict((name, body[name]) for name in SEED_PLACEMENT if name in body)
        seeded = self.state.seed_audit(int(body.get("count", 0)), seed=body.get("seed", 0), span=body.get("span", "7d"), **placement)
        answer = {"seeded": seeded, "total": len(self.state.audit)}
        if body.get("burst"):
            answer["burst"] = self.state.audit.last_burst  # where the burst landed: {"from", "to", "events"}
        return 200, answer

    def add_audit_events(self, body, _args):
        added = self.state.add_audit_events(body.get("events"))
        return 201, {"added": added, "total": len(self.state.audit), "pending": self.state.audit.pending}

    def search_meta(self, body, _args):
        queued = self.state.queue_search_meta(times=int(body.get("times", 1)), status=body.get("status"), warnings=body.get("warnings"))
        return 200, {"queued": queued}

    def settings(self, _body, _args):
        return 200, self.state.update_settings()

    def update_settings(self, body, _args):
        return 200, self.state.update_settings(**body)

    def latency(self, _body, _args):
        return 200, self.state.latency_json()

    def set_latency(self, body, _args):
        unknown = sorted(set(body) - {"default", "routes"})
        if unknown:
            raise ControlError("unknown latency member(s) %s; known: default, routes" % ", ".join(unknown))
        return 200, self.state.set_latency(default=body.get("default"), routes=body.get("routes"))

    def in_flight(self, _body, _args):
        return 200, self.state.in_flight_json()

    def secrets_seen(self, _body, _args):
        return 200, {"secrets": self.state.secrets_seen()}

    def dump(self, _body, args):
        """The state in the format of a state file (``?format=debug``: the debugging view); ``?reveal_secrets=true``:
        secrets as stored."""
        reveal = args.get("reveal_secrets", "").lower() in TRUE_WORDS
        state_format = args.get("format", "file")
        if state_format not in STATE_FORMATS:
            raise ControlError("format must be one of %s, got %r" % (", ".join(STATE_FORMATS), state_format))
        return 200, self.state.dump(reveal_secrets=reveal) if state_format == "debug" else self.state.export(reveal_secrets=reveal)


def _json_body(request):
    """The decoded JSON object of a control request, ``{}`` when the body is empty."""
    raw = request.get_data()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ControlError("the body is not valid JSON: %s" % error) from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body
