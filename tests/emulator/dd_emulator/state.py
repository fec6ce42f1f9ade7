# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Everything one emulator holds, and the operations of its control API.

The HTTP control API (``/_emulator/...``) and the Python helpers of :class:`dd_emulator.server.Emulator` both call
these methods, so the two stay the same. Every method takes :attr:`State.lock`, which also serializes API requests.
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field

from dd_emulator.audit import AuditLog, user_record
from dd_emulator.connections import UUID_PATTERN, ConnectionStore, render
from dd_emulator import statefile
from dd_emulator.faults import FaultInjector
from dd_emulator.policies import PolicyStore
from dd_emulator.principals import Principals

DEFAULT_API_KEY = "ddemu-api-key-5f1c0a9e7b3d4c21a8e6"
DEFAULT_APP_KEY = "ddemu-app-key-9b2e7d4f1a6c3e8b0d5f7a2c4e6b8d1f3a5c"
DEFAULT_APP_KEY_ID = "3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81"
RESPONSES_KEPT = 5000
RESET_PARTS = ("counts", "state", "faults", "audit", "log")
MAX_LATENCY = 600.0  # seconds; an answer delayed longer than this is a mistake, not a test
_ROUTE_KEY = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /api/\S*$")


@dataclass(frozen=True)
class KeyPair:
    """An API key + application key pair the emulator accepts, with the application key's id and its user."""

    api_key: str
    app_key: str
    app_key_id: str
    user: dict


@dataclass
class Settings:
    """Switches for behaviours that differ between Datadog versions."""

    list_endpoint: bool = True
    omit_http_tokens: bool = False


@dataclass
class Latency:
    """How long every /api/ answer waits before it is produced: ``default`` seconds, or ``routes[route]`` for a route
    keyed like the request counters (``"POST /api/v2/audit/events/search"``). Requests wait in parallel."""

    default: float = 0.0
    routes: dict = field(default_factory=dict)

    def to_json(self):
        return {"default": self.default, "routes": dict(sorted(self.routes.items()))}


class State:
    """Keys, registrations, connections, audit events, counters, faults and the responses log of one emulator."""

    def __init__(self, api_key=DEFAULT_API_KEY, app_key=DEFAULT_APP_KEY, app_key_id=DEFAULT_APP_KEY_ID, register_app_key=False,
                 responses_kept=RESPONSES_KEPT, latency=0.0, route_latency=None, state=None):
        """``state``: a state file's path or a mapping (see :mod:`dd_emulator.statefile`), put in at start and again by
        every reset of the parts it holds; a state it cannot use raises :class:`dd_emulator.statefile.StateFileError`."""
        self.lock = threading.RLock()
        self._initial = (api_key, app_key, app_key_id.lower(), register_app_key)
        self._initial_latency = Latency(_seconds("latency", latency), _route_latency(route_latency or {}))
        self.latency = Latency()
        self.in_flight = 0  # /api/ requests being answered right now (latency waits included)
        self.in_flight_peak = 0  # the most at once since start or the last counts reset
        self.keys = []
        self.registrations = {}
        self.settings = Settings()
        self.connections = ConnectionStore()
        self.principals = Principals()
        self.policies = PolicyStore()
        self.audit = AuditLog()
        self.faults = FaultInjector()
        self.counts = Counter()
        self.responses = deque(maxlen=responses_kept)
        self.responses_seen = 0  # answers ever logged: numbers them (``seq``) across resets and the size limit
        self._keys_seen = set()
        self._seed, label = statefile.read(state) if state is not None else (None, None)
        try:
            self._reset_state()
            self._reset_audit()
        except statefile.StateFileError as error:
            raise statefile.StateFileError("%s: %s" % (label, error)) from None

    def _reset_state(self):
        api_key, app_key, app_key_id, register_app_key = self._initial
        self.keys = []
        self.registrations = {}
        self.settings = Settings()
        self.latency = Latency(self._initial_latency.default, dict(self._initial_latency.routes))
        self.connections.clear()
        self.principals.clear()
        self.policies.clear()
        self.add_key(api_key, app_key, app_key_id, registered=register_app_key)
        if self._seed is not None:
            statefile.apply(self, self._seed)

    def _reset_audit(self):
        self.audit.reset()
        if self._seed is not None:
            statefile.add_audit_events(self, self._seed)

    # -- keys and registrations -----------------------------------------------------------------------------------

    def add_key(self, api_key, app_key, app_key_id, registered=False):
        """Accept another key pair; its user is derived from the application key id."""
        if not UUID_PATTERN.match(app_key_id or ""):
            raise ValueError("app_key_id must be a UUID")
        with self.lock:
            label = "" if not self.keys else " %d" % (len(self.keys) + 1)
            user = user_record("Emulator User" + label, "emulator-user%s@ddops.invalid" % label.replace(" ", "-"),
                               str(uuid.uuid5(uuid.NAMESPACE_URL, "dd-emulator-user:" + app_key_id.lower())))
            pair = KeyPair(api_key, app_key, app_key_id.lower(), user)
            self.principals.add_key_user(user, first=not self.keys)
            self.keys.append(pair)
            self._keys_seen.update((api_key, app_key))
            if registered:
                self.registrations[pair.app_key_id] = True
            return pair

    def key_pair(self, api_key, app_key):
        """The configured pair matching these headers, or ``None``."""
        with self.lock:
            return next((pair for pair in self.keys if pair.api_key == api_key and pair.app_key == app_key), None)

    def register_app_keys(self, ids=(), count=0):
        """Register the given ids plus ``count`` new random ones (no audit events: this is not an API call)."""
        new_ids = [str(app_key_id).lower() for app_key_id in ids] + [str(uuid.uuid4()) for _number in range(int(count))]
        bad = [app_key_id for app_key_id in new_ids if not UUID_PATTERN.match(app_key_id)]
        if bad:
            raise ValueError("not UUIDs: %s" % ", ".join(bad))
        with self.lock:
            for app_key_id in new_ids:
                self.registrations[app_key_id] = True
        return new_ids

    def add_principals(self, roles=(), teams=(), users=()):
        """Add roles, teams and users (see :meth:`dd_emulator.principals.Principals.add`); return what was added."""
        with self.lock:
            return self.principals.add(roles=roles, teams=teams, users=users)

    def principals_json(self):
        with self.lock:
            return self.principals.all_json()

    # -- faults and audit ------------------------------------------------------------------------------------------

    def add_faults(self, rules):
        """Add fault rules (see :mod:`dd_emulator.faults`); return their JSON form."""
        with self.lock:
            return [rule.to_json() for rule in self.faults.add(rules)]

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def faults_json(self):
        with self.lock:
            return self.faults.to_json()

    def seed_audit(self, count, seed=0, span="7d", **placement):
        """``placement``: ``burst``, ``burst_span``, ``end``, ``timestamps`` (see :meth:`dd_emulator.audit.AuditLog.seed`)."""
        with self.lock:
            return self.audit.seed(count, seed=seed, span=span, **placement)

    def add_audit_events(self, specs):
        """Add audit events given in full, each visible to search at once or after ``visible_after`` seconds."""
        with self.lock:
            return self.audit.add_events(specs)

    def queue_search_meta(self, times=1, status=None, warnings=None):
        with self.lock:
            return self.audit.queue_meta(times=times, status=status, warnings=warnings)

    # -- latency and requests in flight -----------------------------------------------------------------------------

    def set_latency(self, default=None, routes=None):
        """Change the default latency and/or replace the per-route latencies (``{route: seconds}``); return both."""
        default = None if default is None else _seconds("latency default", default)
        routes = None if routes is None else _route_latency(routes)
        with self.lock:
            if default is not None:
                self.latency.default = default
            if routes is not None:
                self.latency.routes = routes
            return self.latency.to_json()

    def latency_json(self):
        with self.lock:
            return self.latency.to_json()

    def latency_for(self, route):
        """Seconds the answer of ``route`` (``"POST /api/v2/audit/events/search"``) waits."""
        with self.lock:
            return self.latency.routes.get(route, self.latency.default)

    def request_started(self):
        with self.lock:
            self.in_flight += 1
            self.in_flight_peak = max(self.in_flight_peak, self.in_flight)

    def request_finished(self):
        with self.lock:
            self.in_flight -= 1

    def in_flight_json(self):
        with self.lock:
            return {"in_flight": self.in_flight, "peak": self.in_flight_peak}

    def _reset_counts(self):
        self.counts.clear()
        self.in_flight_peak = self.in_flight

    # -- counters, log, settings, reset ---------------------------------------------------------------------------

    def count(self, route):
        with self.lock:
            self.counts[route] += 1

    def counts_json(self):
        with self.lock:
            return {"total": sum(self.counts.values()), "routes": dict(sorted(self.counts.items()))}

    def log_response(self, request, status, body, delivered=True):
        """Remember an /api/ answer (``delivered`` is false when a fault dropped it after it was produced; ``received``
        is when its request arrived, ``time.time()``: a ``slow`` answer is logged late, but at its request's time)."""
        entry = {"method": request.method, "path": request.path, "query": request.query_string.decode("latin-1"), "status": status, "body": body,
                 "delivered": delivered, "user_agent": request.headers.get("User-Agent", ""),
                 "received": request.environ.get("dd_emulator.received")}
        with self.lock:
            entry["seq"] = self.responses_seen
            self.responses_seen += 1
            self.responses.append(entry)

    def responses_json(self):
        with self.lock:
            return list(self.responses)

    def responses_next(self):
        with self.lock:
            return self.responses_seen

    def update_settings(self, **changes):
        unknown = sorted(set(changes) - set(vars(self.settings)))
        if unknown:
            raise ValueError("unknown setting(s): %s" % ", ".join(unknown))
        with self.lock:
            for name, value in changes.items():
                if not isinstance(value, bool):
                    raise ValueError("setting %s must be true or false" % name)
                setattr(self.settings, name, value)
            return dict(vars(self.settings))

    def reset(self, **parts):
        """Reset the parts set to true (none given: all of :data:`RESET_PARTS`); return the names of the parts reset.

        ``state`` returns keys, registrations, settings, latency, connections, principals and restriction policies to
        how the emulator started (its state file's included); ``audit`` keeps only the state file's audit events;
        ``counts`` also restarts the peak of requests in flight.
        """
        unknown = sorted(set(parts) - set(RESET_PARTS))
        if unknown:
            raise ValueError("unknown reset part(s) %s; known: %s" % (", ".join(unknown), ", ".join(RESET_PARTS)))
        chosen = [part for part in RESET_PARTS if parts.get(part)] if any(value is not None for value in parts.values()) else list(RESET_PARTS)
        actions = {"counts": self._reset_counts, "state": self._reset_state, "faults": self.faults.clear, "audit": self._reset_audit,
                   "log": self.responses.clear}
        with self.lock:
            for part in chosen:
                actions[part]()
        return chosen

    def secrets_seen(self):
        """Every secret value received since start: API and application keys, secret credential fields. Never reset,
        so a scan of all output after a test run can look for each of them."""
        with self.lock:
            return sorted(self._keys_seen | self.connections.secrets_seen)

    def export(self, reveal_secrets=False):
        """The state in the format of a state file (secrets blanked unless ``reveal_secrets``)."""
        with self.lock:
            return statefile.export(self, reveal_secrets=reveal_secrets)

    def dump(self, reveal_secrets=False):
        """Connections (secrets blanked unless ``reveal_secrets``), registrations, settings, key ids and restriction
        policies, for debugging."""
        with self.lock:
            return {
                "connections": [render(connection, reveal_secrets=reveal_secrets) for connection in self.connections],
                "registrations": list(self.registrations),
                "settings": dict(vars(self.settings)),
                "keys": [{"app_key_id": pair.app_key_id, "user": pair.user, "registered": pair.app_key_id in self.registrations}
                         for pair in self.keys],
                "audit_events": len(self.audit),
                "audit_events_pending": self.audit.pending,
                "restriction_policies": self.policies.to_json(),
            }


def _seconds(name, value):
    """A latency in seconds: a number from 0 to :data:`MAX_LATENCY`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or not 0 <= value <= MAX_LATENCY:
        raise ValueError("%s must be a number of seconds from 0 to %g, got %r" % (name, MAX_LATENCY, value))
    return float(value)


def _route_latency(routes):
    """``{"POST /api/v2/audit/events/search": 0.3}``: keys as the request counters name routes, values in seconds."""
    if not isinstance(routes, dict):
        raise ValueError("routes must be an object mapping a route such as 'POST /api/v2/audit/events/search' to seconds")
    checked = {}
    for route, value in routes.items():
        if not isinstance(route, str) or not _ROUTE_KEY.match(route):
            raise ValueError("route %r must be a method and an /api/ route template, as the counters name them, for example "
                             "'POST /api/v2/audit/events/search'" % (route,))
        checked[route] = _seconds("latency of %s" % route, value)
    return checked
