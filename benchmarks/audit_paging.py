# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark 2: fetch N audit events with one client, in this process; print one JSON line of figures.

    python benchmarks/audit_paging.py --url URL --api-key K --app-key K --variant lookup|requests|sdk [--page-size N]

Run by benchmarks/run.py once per variant, each in a fresh process so that ``peak_rss_mib`` is the variant's own.
The time range is fixed by the caller (``--from``/``--to``) so every variant reads exactly the same events.
"""

from __future__ import annotations

import argparse
import json
import time

import requests


def lookup_variant(args):
    """The collection's audit_events lookup, called the way Ansible calls it (no playbook around it).

    Each variant does its set-up (imports, plugin loading, configuration) and returns the fetch to time.
    """
    from ansible.plugins.loader import init_plugin_loader, lookup_loader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel

    init_plugin_loader()  # as the ansible CLI does; finds ddops.datadog through ANSIBLE_COLLECTIONS_PATH
    lookup = lookup_loader.get("ddops.datadog.audit_events", loader=DataLoader(), templar=Templar(loader=DataLoader()))

    def fetch():
        events = lookup.run(["*"], variables={}, api_url=args.url, api_key=args.api_key, app_key=args.app_key, limit=0,
                            page_size=args.page_size, **{"from": args.time_from, "to": args.time_to})
        return [event["id"] for event in events]
    return fetch


def requests_variant(args):
    """The practical limit: a bare requests loop over the same endpoint, cursor by cursor.

    ``--keep ids`` keeps only the event ids (the least work possible, the baseline of the goal); ``--keep events``
    keeps the events, as the lookup must in order to return them.
    """
    session = requests.Session()
    session.headers.update({"DD-API-KEY": args.api_key, "DD-APPLICATION-KEY": args.app_key})
    body = {"filter": {"query": "*", "from": args.time_from, "to": args.time_to}, "sort": "-timestamp",
            "page": {"limit": args.page_size}}

    def fetch():
        ids = []
        while True:
            answer = session.post(args.url + "/api/v2/audit/events/search", json=body, timeout=60)
            answer.raise_for_status()
            page = answer.json()
            if not page.get("data"):
                return [event["id"] for event in ids] if args.keep == "events" else ids
            if args.keep == "events":
                ids.extend(page["data"])
            else:
                ids.extend(event["id"] for event in page["data"])
            cursor = (page.get("meta") or {}).get("page", {}).get("after")
            if not cursor:
                return [event["id"] for event in ids] if args.keep == "events" else ids
            body["page"]["cursor"] = cursor
    return fetch


def sdk_variant(args):
    """datadog-api-client's list_audit_logs_with_pagination (GET), at its default page size or --page-size."""
    from datetime import datetime, timezone  # pylint: disable=import-outside-toplevel

    from datadog_api_client import ApiClient, Configuration  # pylint: disable=import-outside-toplevel
    from datadog_api_client.v2.api.audit_api import AuditApi  # pylint: disable=import-outside-toplevel

    configuration = Configuration(host=args.url)
    configuration.api_key["apiKeyAuth"] = args.api_key
    configuration.api_key["appKeyAuth"] = args.app_key
    configuration.enable_retry = True
    kwargs = {"filter_query": "*", "sort": "-timestamp",
              "filter_from": datetime.fromtimestamp(int(args.time_from) / 1000, tz=timezone.utc),
              "filter_to": datetime.fromtimestamp(int(args.time_to) / 1000, tz=timezone.utc)}
    if args.page_size:
        kwargs["page_limit"] = args.page_size
    api = AuditApi(ApiClient(configuration))

    def fetch():
        return [event.id for event in api.list_audit_logs_with_pagination(**kwargs)]
    return fetch


VARIANTS = {"lookup": lookup_variant, "requests": requests_variant, "sdk": sdk_variant}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--app-key", required=True)
    parser.add_argument("--variant", choices=sorted(VARIANTS), required=True)
    parser.add_argument("--page-size", type=int, default=0, help="0: the variant's default")
    parser.add_argument("--keep", choices=["ids", "events"], default="ids", help="requests variant: what the loop keeps")
    parser.add_argument("--from", dest="time_from", required=True, help="epoch milliseconds")
    parser.add_argument("--to", dest="time_to", required=True, help="epoch milliseconds")
    args = parser.parse_args()
    if args.variant != "sdk" and not args.page_size:
        args.page_size = 1000
    fetch = VARIANTS[args.variant](args)
    started = time.perf_counter()
    ids = fetch()
    seconds = time.perf_counter() - started
    variant = args.variant + (" (keeps %s)" % args.keep if args.variant == "requests" else "")
    print(json.dumps({"variant": variant, "page_size": args.page_size or "default", "events": len(ids),
                      "unique": len(set(ids)), "seconds": round(seconds, 3), "events_per_s": round(len(ids) / seconds),
                      "peak_rss_mib": peak_rss_mib()}))


def peak_rss_mib():
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's peak from before exec)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


if __name__ == "__main__":
    main()
