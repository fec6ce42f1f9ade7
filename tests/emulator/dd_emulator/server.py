# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The :class:`Emulator`: a threaded werkzeug server on 127.0.0.1 plus Python helpers mirroring the control API.

::

    with Emulator(register_app_key=True) as emulator:
        requests.get(emulator.url + "/api/v2/actions/app_key_registrations", headers=emulator.headers)
        assert emulator.counts()["total"] == 1
"""

from __future__ import annotations

import ipaddress
import os
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from dd_emulator.app import EmulatorApp
from dd_emulator.state import DEFAULT_API_KEY, DEFAULT_APP_KEY, DEFAULT_APP_KEY_ID, State

POLL_INTERVAL = 0.02  # seconds; bounds how long stop() waits for the serving loop


class _QuietRequestHandler(WSGIRequestHandler):
    """Does not log one line per request (errors are still logged)."""

    def log_request(self, code="-", size="-"):
        """Nothing: per-request lines would drown test output."""


def is_loopback(host):
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Emulator:
    """One emulator. ``port=0`` picks a free port; credentials default to ``DD_EMULATOR_*`` or the built-in defaults.

    ``state`` (a state file's path, YAML or JSON, or the same as a dict; see :mod:`dd_emulator.statefile`) is what the
    emulator holds at start and after every reset; one it cannot use raises ``StateFileError`` (a ``ValueError``)
    naming the entry. ``latency`` (seconds) delays every /api/ answer, ``route_latency`` (``{"POST /api/v2/audit/events/search": 0.3}``)
    the answers of single routes; each request waits in its own thread, so slow answers do not queue behind each other.

    Attributes once started: :attr:`url`, :attr:`api_key`, :attr:`app_key`, :attr:`app_key_id`, :attr:`headers`,
    and :attr:`state` (the :class:`dd_emulator.state.State`, for anything the helpers below do not cover).
    """

    def __init__(self, host="127.0.0.1", port=0, *, api_key=None, app_key=None, app_key_id=None, register_app_key=False,
                 tls_cert=None, tls_key=None, quiet=True, log_size=5000, latency=0.0, route_latency=None, state=None):
        if not is_loopback(host):
            raise ValueError("the emulator only listens on loopback addresses, not %r" % (host,))
        if bool(tls_cert) != bool(tls_key):
            raise ValueError("give both tls_cert and tls_key, or neither")
        self.api_key = api_key or os.environ.get("DD_EMULATOR_API_KEY") or DEFAULT_API_KEY
        self.app_key = app_key or os.environ.get("DD_EMULATOR_APP_KEY") or DEFAULT_APP_KEY
        self.app_key_id = (app_key_id or os.environ.get("DD_EMULATOR_APP_KEY_ID") or DEFAULT_APP_KEY_ID).lower()
        self.host = host
        self.port = port
        self.tls = (tls_cert, tls_key) if tls_cert else None
        self.quiet = quiet
        self.state = State(self.api_key, self.app_key, self.app_key_id, register_app_key=register_app_key,
                           responses_kept=log_size, latency=latency, route_latency=route_latency, state=state)
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    # -- lifecycle ------------------------------------------------------------------------------------------------

    def start(self):
        """Bind and serve in a background thread; return ``self``."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        self._server = make_server(self.host, self.port, EmulatorApp(self.state, self._stopping), threaded=True,
                                   request_handler=_QuietRequestHandler if self.quiet else None, ssl_context=self.tls)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL},
                                        name="dd-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and close the socket (requests in flight in a ``slow`` fault end early)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc_info):
        self.stop()

    @property
    def url(self):
        """``http://127.0.0.1:<port>`` (``https`` with TLS); the base URL to give a client."""
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

    @property
    def headers(self):
        """The authentication headers of the default key pair."""
        return {"DD-API-KEY": self.api_key, "DD-APPLICATION-KEY": self.app_key}

    # -- helpers mirroring the control API (/_emulator/...) ------------------------------------------------------

    def counts(self):
        """``{"total": N, "routes": {"GET /api/v2/...{connection_id}": n, ...}}``: every /api/ request received."""
        return self.state.counts_json()

    def reset(self, *, counts=None, state=None, faults=None, audit=None, log=None):
        """Reset the parts set to true, or everything when none is given; ``state`` goes back to how the emulator started.

        ``reset()`` resets all; ``reset(counts=True)`` only the request counters. Returns the names of the parts reset.
        """
        return self.state.reset(counts=counts, state=state, faults=faults, audit=audit, log=log)

    def add_faults(self, *rules):
        """Add fault rules (dicts, see README); return their JSON form."""
        return self.state.add_faults(list(rules))

    def clear_faults(self):
        self.state.clear_faults()

    def faults(self):
        """The active rules, each with how many faults it ``injected``."""
        return self.state.faults_json()

    def seed_audit(self, count, seed=0, span="7d", *, burst=0.0, burst_span="1h", end=None, timestamps=None):
        """Add ``count`` deterministic synthetic audit events over the past ``span``; return ``count``.

        ``burst=0.8`` puts 80 % of them in one ``burst_span`` window (placed by ``seed``); ``end`` (epoch ms) anchors the
        span instead of now, so the times are deterministic too; ``timestamps`` (epoch ms) places them on exactly these
        milliseconds, in turn.
        """
        return self.state.seed_audit(count, seed=seed, span=span, burst=burst, burst_span=burst_span, end=end, timestamps=timestamps)

    def add_audit_events(self, *events):
        """Add audit events given in full (dicts, see README), e.g. late-indexed ones with ``timestamp`` and
        ``visible_after``; return ``[{"id", "timestamp", "visible_at"}]``."""
        return self.state.add_audit_events(list(events))

    def queue_search_meta(self, times=1, status=None, warnings=None):
        """Make the next ``times`` audit answers carry ``meta.status`` and/or ``meta.warnings``; return the queue length."""
        return self.state.queue_search_meta(times=times, status=status, warnings=warnings)

    def latency(self, default=None, routes=None):
        """Set the default latency (seconds) and/or replace the per-route latencies; return both (no argument: read)."""
        return self.state.set_latency(default=default, routes=routes)

    def in_flight(self):
        """``{"in_flight": n, "peak": m}``: /api/ requests being answered now, and the most at once since the last counts reset."""
        return self.state.in_flight_json()

    def register_app_key(self, *app_key_ids, count=0):
        """Register these application key ids (default: the emulator's own) plus ``count`` random ones; return all ids."""
        return self.state.register_app_keys(ids=app_key_ids or (() if count else (self.app_key_id,)), count=count)

    def add_key(self, api_key, app_key, app_key_id, registered=False):
        """Accept another key pair; return its :class:`dd_emulator.state.KeyPair` (with its derived ``user``)."""
        return self.state.add_key(api_key, app_key, app_key_id, registered=registered)

    def add_principals(self, *, roles=(), teams=(), users=()):
        """Add roles (names or ``{"name", "id"}``), teams (``{"handle", "name", "id"}``) and users (``{"email", "name",
        "id", "service_account", "roles", "teams"}``); return what was added (see README)."""
        return self.state.add_principals(roles=roles, teams=teams, users=users)

    def principals(self):
        """``{"org": {"id", "name"}, "roles": [...], "teams": [...], "users": [...]}``: every principal, with its ID."""
        return self.state.principals_json()

    def responses_log(self):
        """The recent /api/ responses: ``[{"method", "path", "query", "status", "body", "delivered"}, ...]``."""
        return self.state.responses_json()

    def clear_log(self):
        self.state.reset(log=True)

    def settings(self, **changes):
        """Change ``list_endpoint`` / ``omit_http_tokens``; return all settings."""
        return self.state.update_settings(**changes)

    def secrets_seen(self):
        """Every secret value received since start (keys, secret credential fields); a reset keeps them."""
        return self.state.secrets_seen()

    def dump_state(self, reveal_secrets=False, debug=False):
        """The state in the format of a state file (``GET /_emulator/state``; secrets blanked unless ``reveal_secrets``),
        which ``Emulator(state=...)`` takes back; with ``debug``, the debugging view (``?format=debug``): connections as
        the API answers them, registrations, settings, key ids, counts of audit events and policies."""
        return self.state.dump(reveal_secrets=reveal_secrets) if debug else self.state.export(reveal_secrets=reveal_secrets)
