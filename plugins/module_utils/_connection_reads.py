# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading action connections: the routes, the list endpoint, and what the modules return for a connection.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports. Used by
``datadog_action_connection_info`` alone and by the reconcile logic in ``_action_connection.py``; the connections'
restriction policies (:func:`read_accesses`) are read here too.
"""

from __future__ import annotations

import copy

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError
from ansible_collections.ddops.datadog.plugins.module_utils._connections import credential_variant, redact_integration
from ansible_collections.ddops.datadog.plugins.module_utils._errors import TaskFailure, api_failure, operation
from ansible_collections.ddops.datadog.plugins.module_utils._parallel import PARALLEL, run_in_parallel
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import read_policy, shown_bindings

#: The restriction policy resource type of an action connection.
RESOURCE_TYPE = "connection"
#: The resource ID of a connection's policy before the connection exists (the create gives the ID).
NEW_RESOURCE = RESOURCE_TYPE + ":(created)"

CONNECTIONS_PATH = "/api/v2/actions/connections"
#: The largest page the list endpoint serves.
PAGE_SIZE = 100
_LIST_MISSING = ("this Datadog API has no action connection list endpoint (GET %s answered HTTP %s), so connections "
                 "cannot be found by name; pass connection_id to manage the connection by its ID")


def connection_path(connection_id):
    return "%s/%s" % (CONNECTIONS_PATH, connection_id)


def list_all(client, params=None, page_size=PAGE_SIZE):
    """Every connection of the list endpoint (all pages); a missing endpoint says to use ``connection_id``."""
    try:
        return list(client.paginate(CONNECTIONS_PATH, params=params, page_size=page_size))
    except DatadogAPIError as exc:
        if exc.status in (404, 405):
            raise TaskFailure(_LIST_MISSING % (CONNECTIONS_PATH, exc.status), status=exc.status) from None
        raise api_failure(exc, "list action connections") from None


def connection_of(response):
    """The connection an answer carries (its ``data`` object); :class:`UnusableAnswerError` for a 2xx answer without
    one."""
    data = response.data
    if not isinstance(data, dict) or not data.get("id"):
        raise response.unusable("the answer's 'data' member is not a connection (got %s)"
                                % response.scrubber.describe_json(data))
    return data


def attributes_of(item):
    attributes = item.get("attributes") if isinstance(item, dict) else None
    return attributes if isinstance(attributes, dict) else {}


def read_only_fields(data):
    """The credential fields Datadog sets (AWS ``external_id``, ``principal_id``) of a connection, by name."""
    credentials = (attributes_of(data).get("integration") or {}).get("credentials") or {}
    variant = credential_variant(credentials.get("type"))
    return dict((name, credentials.get(name)) for name in (variant.read_only if variant is not None else ()))


def connection_view(data):
    """What the modules return for a connection: no secret field at all, the fields Datadog sets (AWS IDs) also at
    the top."""
    attributes = attributes_of(data)
    view = {
        "id": data.get("id") if isinstance(data, dict) else None,
        "name": attributes.get("name"),
        "tags": list(attributes.get("tags") or []),
        "integration": redact_integration(copy.deepcopy(attributes.get("integration")) or {}),
    }
    view.update(read_only_fields(data))
    return view


# -- info --------------------------------------------------------------------------------------------------------------

def list_connections(client, connection_id=None, name=None, integration_type=None, tags=None, page_size=PAGE_SIZE,
                     describe=connection_view):
    """Connections for the info module, each as ``describe(item)`` returns it (secrets removed): one by ID (none when
    it does not exist), or the list filtered by exact ``name``, ``integration_type`` and ``tags`` (all of them)."""
    if connection_id is not None:
        with operation("read action connection %s" % connection_id):
            response = client.get(connection_path(connection_id), expected=(200, 404))
            items = [] if response.status == 404 else [connection_of(response)]
    else:
        params = {}
        if integration_type:
            params["filter[integration]"] = integration_type
        if tags:
            params["filter[tags]"] = ",".join(tags)
        items = list_all(client, params=params or None, page_size=page_size)
    selected = []
    for item in items:
        attributes = attributes_of(item)
        if name is not None and attributes.get("name") != name:
            continue
        if integration_type and (attributes.get("integration") or {}).get("type") != integration_type:
            continue
        if tags and not set(tags) <= set(attributes.get("tags") or []):
            continue
        selected.append(describe(item))
    return selected


def resource_id(connection_id):
    """The restriction policy resource ID of a connection: ``connection:<uuid>``."""
    return "%s:%s" % (RESOURCE_TYPE, connection_id) if connection_id else NEW_RESOURCE


def read_accesses(client, connections, parallel=PARALLEL):
    """Add ``access`` to each connection view of ``connections`` (and to its ``definition``, when it has one): its
    restriction policy's bindings, principals as IDs, in one order (the relations viewer, resolver, editor, then
    principals sorted; ``[]`` for none). 1 GET per connection, ``parallel`` at a time."""

    def read(worker, view):
        view["access"] = shown_bindings(read_policy(worker, resource_id(view["id"])), RESOURCE_TYPE, {})

    jobs = [view for view in connections if view.get("id")]
    run_in_parallel(client, jobs, read, parallel)
    for view in connections:
        if isinstance(view.get("definition"), dict) and "access" in view:
            view["definition"]["access"] = copy.deepcopy(view["access"])
    return connections
