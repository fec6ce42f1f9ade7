# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create many AWS action connections (no secrets) quickly: ``create_connections.py API_URL COUNT PREFIX``.

The API and application keys are read from stdin (two lines), so they never appear in a command line.
"""

from __future__ import annotations

import json
import sys
import urllib.request


def main():
    api_url, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    api_key, app_key = sys.stdin.read().split()[:2]
    headers = {"DD-API-KEY": api_key, "DD-APPLICATION-KEY": app_key, "Content-Type": "application/json"}
    for index in range(count):
        body = {"data": {"type": "action_connection", "attributes": {
            "name": "%s %03d" % (prefix, index),
            "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789012",
                                                           "role": "role-%03d" % index}},
            "tags": ["suite:paging"],
        }}}
        request = urllib.request.Request(api_url + "/api/v2/actions/connections", data=json.dumps(body).encode(),
                                         headers=headers, method="POST")
        with urllib.request.urlopen(request) as answer:  # nosec - the local emulator
            if answer.status != 201:
                raise SystemExit("unexpected HTTP %d" % answer.status)
    print(count)


if __name__ == "__main__":
    main()
