# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m dd_emulator`` / ``dd-emulator``: run the emulator until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from dd_emulator.server import Emulator, is_loopback


def build_parser():
    parser = argparse.ArgumentParser(
        prog="dd-emulator", description="Local emulator of the Datadog API endpoints used by ddops.datadog.",
        epilog="What a test asserts on, without keys: GET /_emulator/counts (requests by route), GET /_emulator/log (the "
               "answers sent) and GET /_emulator/state (the state in the format of a --state file, secrets blanked; "
               "?reveal_secrets=true keeps them, ?format=debug answers the debugging view).")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--port-file", metavar="PATH", help="write the URL here once listening")
    parser.add_argument("--pid-file", metavar="PATH", help="write the process id here")
    parser.add_argument("--api-key", help="API key (default: $DD_EMULATOR_API_KEY or the built-in one)")
    parser.add_argument("--app-key", help="application key (default: $DD_EMULATOR_APP_KEY or the built-in one)")
    parser.add_argument("--app-key-id", help="application key id, a UUID (default: $DD_EMULATOR_APP_KEY_ID or the built-in one)")
    parser.add_argument("--register-app-key", action="store_true", help="start with the application key registered for the Actions API")
    parser.add_argument("--state", metavar="FILE", help="start with the connections, registrations, principals, restriction policies "
                        "and audit events of this state file (YAML, or JSON for *.json); a reset returns to it, and "
                        "GET /_emulator/state answers the state in the same format (secrets blanked)")
    parser.add_argument("--seed-audit", type=int, default=0, metavar="N", help="seed N synthetic audit events")
    parser.add_argument("--audit-seed", type=int, default=0, metavar="INT", help="random seed of the synthetic audit events")
    parser.add_argument("--audit-span", default="7d", metavar="DURATION", help="the seeded events lie in the past DURATION (default: 7d)")
    parser.add_argument("--audit-burst", type=float, default=0.0, metavar="SHARE",
                        help="put this share of the seeded events (0 to 1, e.g. 0.8) in one --audit-burst-span window")
    parser.add_argument("--audit-burst-span", default="1h", metavar="DURATION", help="length of the burst window (default: 1h)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="delay every /api/ answer by SECONDS (requests wait in parallel)")
    parser.add_argument("--route-latency", action="append", default=[], metavar="'METHOD /route=SECONDS'",
                        help="delay the answers of one route, e.g. 'POST /api/v2/audit/events/search=0.3' (repeatable)")
    parser.add_argument("--tls-cert", metavar="PATH", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", metavar="PATH", help="private key of --tls-cert (PEM)")
    parser.add_argument("--quiet", action="store_true", help="do not log one line per request")
    return parser


def write_file(path, text):
    """Write ``text`` atomically, so a script polling for the file never reads half of it."""
    partial = path + ".partial"
    with open(partial, "w") as handle:
        handle.write(text + "\n")
    os.replace(partial, path)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error("--host must be a loopback address (the emulator has no real security), got %r" % args.host)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")

    route_latency = {}
    for setting in args.route_latency:
        route, _sign, seconds = setting.rpartition("=")
        try:
            route_latency[route.strip()] = float(seconds)
        except ValueError:
            parser.error("--route-latency takes 'METHOD /route=SECONDS', got %r" % setting)

    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda _number, _frame: stop.set())

    try:
        emulator = Emulator(host=args.host, port=args.port, api_key=args.api_key, app_key=args.app_key, app_key_id=args.app_key_id,
                            register_app_key=args.register_app_key, tls_cert=args.tls_cert, tls_key=args.tls_key, quiet=args.quiet,
                            latency=args.latency, route_latency=route_latency, state=args.state)
    except ValueError as error:
        parser.error(str(error))
    with emulator:
        if args.seed_audit:
            try:
                emulator.seed_audit(args.seed_audit, seed=args.audit_seed, span=args.audit_span, burst=args.audit_burst,
                                    burst_span=args.audit_burst_span)
            except ValueError as error:
                parser.error(str(error))
        if args.pid_file:
            write_file(args.pid_file, str(os.getpid()))
        if args.port_file:
            write_file(args.port_file, emulator.url)
        print("dd-emulator listening on %s" % emulator.url, flush=True)
        while not stop.wait(1):
            pass
    for path in (args.port_file, args.pid_file):
        if path and os.path.exists(path):
            os.remove(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
