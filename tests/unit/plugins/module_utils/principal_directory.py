# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A scripted principal directory for unit tests: roles, teams and users answering Datadog's look-up routes."""

from __future__ import annotations

import threading
import uuid
from urllib.parse import unquote

from ansible_collections.ddops.datadog.plugins.module_utils._api import ApiResponse
from ansible_collections.ddops.datadog.plugins.module_utils._principals import LOOKUPS

ORG_ID = "1042ec35-4c5c-5945-ad0c-422f313bbc0e"
ROLE_ID = "290b0ad1-3da7-53ed-ba96-c99a8e9b637f"


def make_id(kind, name, number=0):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "unit-%s:%s:%d" % (kind, name, number)))


class Directory(object):
    """Roles, teams and users answering Datadog's look-up routes: a case-insensitive substring filter, page-number
    paging, the totals of each route (``totals=False`` leaves them out). Counts every request; thread-safe."""

    ROUTES = {"/api/v2/roles": "role", "/api/v2/team": "team", "/api/v2/users": "user"}

    def __init__(self, roles=(), teams=(), users=(), totals=True, org_id=ORG_ID, page_cap=None):
        self.entries = {"role": [], "team": [], "user": []}
        for kind, names in (("role", roles), ("team", teams), ("user", users)):
            for number, name in enumerate(names):
                self.add(kind, name, make_id(kind, name, number))
        self.totals = totals
        self.page_cap = page_cap  # the most entries a page holds, whatever page[size] asks for
        self.org_id = org_id
        self.calls = []
        self.lock = threading.Lock()
        self.gate = None  # a threading.Event every look-up waits for (to hold threads inside a look-up)

    def add(self, kind, name, identifier):
        self.entries[kind].append((identifier, name))

    def requests(self, path=None):
        return [call for call in self.calls if path is None or call[0] == path]

    def get(self, path, params=None, expected=(200,)):
        with self.lock:
            self.calls.append((path, dict(params or {})))
        if self.gate is not None:
            self.gate.wait(10)  # a guard against a hang, not a measure
        if path == "/api/v2/current_user":
            return ApiResponse(200, {}, {"data": {"id": "me", "type": "users", "relationships": {
                "org": {"data": {"id": self.org_id, "type": "orgs"}}}}}, "GET", path)
        kind = self.ROUTES[path]
        lookup = LOOKUPS[kind]
        text = params[lookup.filter].lower()
        found = [(identifier, name) for identifier, name in sorted(self.entries[kind], key=lambda entry: entry[1].lower())
                 if text in name.lower()]
        size, number = min(params["page[size]"], self.page_cap or params["page[size]"]), params["page[number]"]
        page = found[number * size:(number + 1) * size]
        body = {"data": [{"id": identifier, "type": kind + "s", "attributes": {lookup.attribute: name}} for identifier, name in page]}
        if self.totals:
            body["meta"] = ({"pagination": {"total": len(found), "offset": number * size, "limit": size}} if kind == "team"
                            else {"page": {"total_count": len(self.entries[kind]), "total_filtered_count": len(found)}})
        return ApiResponse(200, {}, body, "GET", path)


class PolicyServer(Directory):
    """The directory plus restriction policies kept per resource (``GET``, ``POST`` replacing, ``DELETE``), as a client:
    ``get``, ``request``, ``post``, ``delete``. ``calls`` lists ``(route, params)``; policy routes are named
    ``"<METHOD> <path>"``."""

    PREFIX = "/api/v2/restriction_policy/"

    def __init__(self, policies=None, **kwargs):
        super().__init__(**kwargs)
        self.policies = dict(policies or {})

    def writes(self):
        return [route for route, _params in self.calls if route.split(" ")[0] in ("POST", "DELETE")]

    def get(self, path, params=None, expected=(200,)):
        if not path.startswith(self.PREFIX):
            return super().get(path, params=params, expected=expected)
        return self.request("GET", path, params=params, expected=expected)

    def post(self, path, body=None, expected=(200, 201), params=None):
        return self.request("POST", path, params=params, body=body, expected=expected)

    def delete(self, path, expected=(200, 202, 204)):
        return self.request("DELETE", path, expected=expected)

    def request(self, method, path, params=None, body=None, expected=(200,), idempotent=None):
        with self.lock:
            self.calls.append(("%s %s" % (method, path), dict(params or {})))
        resource_id = unquote(path[len(self.PREFIX):])
        if method == "POST":
            self.policies[resource_id] = body["data"]["attributes"]["bindings"]
        elif method == "DELETE":
            self.policies.pop(resource_id, None)
            return ApiResponse(204, {}, None, method, path)
        bindings = self.policies.get(resource_id, [])
        return ApiResponse(200, {}, {"data": {"id": resource_id, "type": "restriction_policy",
                                              "attributes": {"bindings": bindings}}}, method, path)
