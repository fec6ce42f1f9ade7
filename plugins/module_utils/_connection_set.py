# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The whole set of an org's action connections in one task: secrets from a mapping, the plan, its rules, the writes.

Internal use only: not part of the collection's public interface.

``datadog_action_connection_set`` (and the ``action_connections`` role through it) works in two passes over one
read of the connection list:

1. **Plan.** The list is read once (all pages) into a :class:`ConnectionListing` that also serves connections by
   ID. Every declared connection goes through :func:`ensure_connection` in check mode against it (the same logic
   as ``datadog_action_connection``, no request), which says create, update, delete or unchanged. The purge scope
   picks the undeclared connections to delete. Every rule is checked here, before any write: a create without its
   secrets, a type change without the complete integration, a name several connections share, a purge over
   ``purge_max``. Any problem refuses the whole set, listing every problem.
2. **Apply** (not in check mode). The planned changes are made through :func:`ensure_connection` again with the
   same listing (so no further read), in declared order; then the purge deletes by ID. If a change fails, the other
   changes are still made but nothing is purged.

Requests: one paged read of the list (1 GET per 100 connections) plus the writes; check mode = the read.
Plain Python, no Ansible imports.
"""

from __future__ import annotations

import copy

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    ConnectionListing,
    action_connection_options,
    desired_from_params,
    ensure_connection,
)
from ansible_collections.ddops.datadog.plugins.module_utils._compare import ALWAYS, ON_CREATE, diff_delete
from ansible_collections.ddops.datadog.plugins.module_utils._connection_reads import connection_view
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (
    ENTRIES,
    TOKEN_TYPES,
    validate_integration,
    validate_tags,
    variant_for,
    variants_of,
)
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"
PURGE_MAX = 10
#: The item options of ``connections``: the options of ``datadog_action_connection``, in their order.
ITEM_OPTIONS = tuple(action_connection_options())


class SetRefused(Exception):
    """The plan breaks a rule; nothing was written. ``details`` are extra result keys (the plan, what a purge would
    delete)."""

    def __init__(self, problems, **details):
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.details = details


class SetFailed(Exception):
    """A write failed after the plan was accepted; ``result`` is what was done (the module returns it)."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


# -- input -------------------------------------------------------------------------------------------------------------

def apply_secrets(items, secrets, option="secrets"):
    """Return copies of the connection ``items`` with the secret values of ``secrets`` filled in.

    ``secrets`` maps a connection name to its secret values: the secret credential fields by name, and ``tokens`` as
    a mapping of HTTP token name to value. A value fills a field the item leaves out; a value the item gives wins.
    Names that are not in ``items`` are ignored (one mapping can serve several sets). Raises :class:`InputError`
    naming the key (never a value) for anything that is not a secret field of that connection.
    """
    if secrets is None:
        secrets = {}
    if not isinstance(secrets, dict):
        raise InputError("%s must be a dict that maps a connection name to its secret values" % option)
    problems = []
    merged = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        values = secrets.get(name) if isinstance(name, str) else None
        if values is None or item.get("state") == "absent":
            merged.append(item)
            continue
        where = "%s[%r]" % (option, name)
        if not isinstance(values, dict):
            problems.append("%s must be a dict of secret fields (and tokens: a dict of token name to value)" % where)
            merged.append(item)
            continue
        item = copy.deepcopy(item)
        problems.extend(_fill(item, values, where))
        merged.append(item)
    if problems:
        raise InputError("; ".join(problems))
    return merged


def _fill(item, values, where):
    integration = item.get("integration")
    if not isinstance(integration, dict):
        return ["%s: connection %r has no integration to put secrets in" % (where, item.get("name"))]
    credentials = integration.get("credentials")
    if not isinstance(credentials, dict):
        credentials = integration["credentials"] = {}
    variants = variants_of(integration.get("type"))
    variant = variant_for(integration.get("type"), credentials.get("type")) or (variants[0] if len(variants) == 1 else None)
    if variant is None:
        return ["%s: the integration and credential type of connection %r must be known to put secrets in"
                % (where, item.get("name"))]
    secret_fields = [field.name for field in variant.fields if field.secret]
    has_tokens = variant.field("tokens") is not None and variant.field("tokens").kind == ENTRIES
    allowed = secret_fields + (["tokens"] if has_tokens else [])
    problems = []
    for key in sorted(values):
        value = values[key]
        if key not in allowed:
            problems.append("%s.%s is not a secret field of %s credentials; allowed: %s"
                            % (where, key, variant.credential, ", ".join(allowed) or "none"))
        elif key == "tokens":
            problems.extend(_fill_tokens(credentials, value, "%s.tokens" % where))
        elif credentials.get(key) is None:
            credentials[key] = value
    return problems


def _fill_tokens(credentials, tokens, where):
    if not isinstance(tokens, dict):
        return ["%s must be a dict of token name to value" % where]
    entries = credentials.get("tokens")
    if entries is None:
        credentials["tokens"] = [{"name": name, "type": TOKEN_TYPES[0], "value": value} for name, value in tokens.items()]
        return []
    if not isinstance(entries, list):
        return []  # the validation of the item names the problem
    by_name = dict((entry.get("name"), entry) for entry in entries if isinstance(entry, dict))
    problems = []
    for name in tokens:
        entry = by_name.get(name)
        if entry is None:
            problems.append("%s.%s: the connection has no token of that name; its tokens: %s"
                            % (where, name, ", ".join(sorted(str(key) for key in by_name)) or "none"))
        elif entry.get("value") is None:
            entry["value"] = tokens[name]
    return problems


def desired_set(items, purge=False, purge_tags=None, purge_all=False, purge_max=PURGE_MAX):
    """Validate the declared connections and the purge settings (no request is made).

    Returns ``(desired, scope)``: the ``desired`` dict of each item and the purge scope (``None`` without purge,
    else the tags a connection must all have, an empty list meaning every connection). Raises :class:`InputError`
    with every problem found, each naming the item (``connections[2] 'name'``) and the option.
    """
    problems = []
    if not isinstance(items, list):
        raise InputError("connections must be a list of connections")
    desired_list = []
    names = {}
    ids = {}
    for index, item in enumerate(items):
        label = item_label(index, item.get("name") if isinstance(item, dict) else None)
        if not isinstance(item, dict):
            problems.append("%s must be a dict with the options of datadog_action_connection" % label)
            continue
        params = dict(item)
        params.setdefault("state", "present")
        params.setdefault("update_secrets", ON_CREATE)
        try:
            desired = desired_from_params(params)
        except InputError as exc:
            problems.append("%s: %s" % (label, exc))
            continue
        if desired["name"] is not None:
            names.setdefault(desired["name"], []).append(index)
        if desired["connection_id"] is not None:
            ids.setdefault(desired["connection_id"], []).append(index)
        desired_list.append(desired)
    for what, seen in (("name", names), ("connection_id", ids)):
        for value, indexes in sorted(seen.items()):
            if len(indexes) > 1:
                problems.append("%s %r is declared %d times (connections[%s]); declare each connection once"
                                % (what, value, len(indexes), "], [".join(str(i) for i in indexes)))
    scope = None
    if purge:
        try:
            scope = validate_tags(list(purge_tags or []), option="purge_tags")
        except InputError as exc:
            problems.append(str(exc))
            scope = []
        if not scope and not purge_all:
            problems.append("purge needs a scope: give purge_tags (a connection is in scope when it has all of them), "
                            "or set purge_all=true to make every connection of the organization subject to the purge")
    if not isinstance(purge_max, int) or isinstance(purge_max, bool) or purge_max < 0:
        problems.append("purge_max must be a whole number of at least 0; got %r" % (purge_max,))
    if problems:
        raise InputError("; ".join(problems))
    return desired_list, scope


#: Keys of a datadog_action_connection_info result that are not input; the hint points at ``definition``.
_READ_ONLY_KEYS = ("definition", "external_id", "id", "principal_id")


def explain_items(params):
    """Options inside ``connections`` that the item spec does not know, in the words of the set: each item's unknown
    keys (with a hint when it is a datadog_action_connection_info result), and what is wrong inside its integration.
    Names only, never a value; ``None`` when there is nothing to add to the generic message."""
    items = (params or {}).get("connections")
    problems = []
    for index, item in enumerate(items if isinstance(items, list) else ()):
        if not isinstance(item, dict):
            continue
        label = item_label(index, item.get("name"))
        extra = sorted(key for key in item if key not in ITEM_OPTIONS)
        if extra:
            hint = ""
            if set(extra) & set(_READ_ONLY_KEYS):
                hint = (" (a connection returned by datadog_action_connection_info is not input: use its definition, "
                        "for example connections | map(attribute='definition'))")
            problems.append("%s has unsupported option(s) %s; supported: %s%s"
                            % (label, ", ".join(extra), ", ".join(ITEM_OPTIONS), hint))
        if isinstance(item.get("integration"), dict):
            try:
                validate_integration(item["integration"], complete=item.get("connection_id") is None,
                                     secrets=item.get("update_secrets") == ALWAYS)
            except InputError as exc:
                problems.append("%s: %s" % (label, exc))
    return "; ".join(problems) or None


def item_label(index, name=None):
    return "connections[%d]%s" % (index, " %r" % name if isinstance(name, str) else "")


# -- plan and apply ----------------------------------------------------------------------------------------------------

class _Planned(object):
    __slots__ = ("index", "desired", "result", "action")

    def __init__(self, index, desired, result, action):
        self.index = index
        self.desired = desired
        self.result = result
        self.action = action


def converge_set(client, desired_list, scope=None, purge_max=PURGE_MAX, check_mode=False, listing=None):
    """Plan, refuse or apply the whole set (see the module docstring); return the result dict.

    ``scope``: ``None`` (no purge) or the purge tags (``[]``: every connection). Raises :class:`SetRefused` before any
    write, or :class:`SetFailed` when a write failed (with what was done).
    """
    if not desired_list and scope is None:  # nothing declared, nothing to purge: nothing to read
        return _result([], [], _plan([], []), check_mode)
    if listing is None:
        listing = ConnectionListing(serve_ids=True)
    listing.load(client)  # the one read; TaskFailure when it fails

    planned, problems = [], []
    for index, desired in enumerate(desired_list):
        try:
            result = ensure_connection(client, desired, check_mode=True, listing=listing)
        except (InputError, TaskFailure) as exc:
            problems.append("%s: %s" % (item_label(index, desired["name"]), exc))
            continue
        planned.append(_Planned(index, desired, result, _action(desired, result)))

    purged = _purge_candidates(listing, desired_list, planned, scope)
    plan = _plan(planned, purged)
    if scope is not None and len(purged) > purge_max:
        problems.append("the purge would delete %d connections, more than purge_max (%d): %s. Nothing was changed; "
                        "declare the ones to keep, narrow purge_tags, or raise purge_max"
                        % (len(purged), purge_max, ", ".join(_names(purged))))
    if problems:
        raise SetRefused(problems, plan=plan, purge=_names(purged))

    warnings = []
    failures = []
    if not check_mode:
        for entry in planned:
            if entry.action == UNCHANGED:
                continue
            try:
                entry.result = ensure_connection(client, entry.desired, check_mode=False, listing=listing)
            except (InputError, TaskFailure) as exc:
                failures.append("%s: %s" % (item_label(entry.index, entry.desired["name"]), exc))
                entry.result = None
                continue
            warnings.extend(entry.result.get("warnings") or ())
        deleted = []
        if failures and purged:
            warnings.append("Nothing was purged because %d change(s) failed; the %d connection(s) to purge are left "
                            "as they are: %s" % (len(failures), len(purged), ", ".join(_names(purged))))
            purged = []
        else:
            for connection in purged:
                try:
                    _delete(client, connection, listing)
                except TaskFailure as exc:
                    failures.append("purge of %s: %s" % (_describe(connection), exc))
                    continue
                deleted.append(connection)
            purged = deleted

    result = _result(planned, purged, plan, check_mode)
    result["warnings"] = warnings
    if failures:
        raise SetFailed("%d of the planned changes failed: %s" % (len(failures), "; ".join(failures)), result)
    return result


def _action(desired, result):
    if desired["state"] == "absent":
        return DELETE if result["changed"] else UNCHANGED
    if not result["changed"]:
        return UNCHANGED
    return CREATE if (result.get("connection") or {}).get("id") is None else UPDATE


def _purge_candidates(listing, desired_list, planned, scope):
    """The listed connections in the purge scope that no item declares (by name or by ID)."""
    if scope is None:
        return []
    declared_names = set(desired["name"] for desired in desired_list if desired["name"] is not None)
    declared_ids = set(desired["connection_id"] for desired in desired_list if desired["connection_id"])
    declared_ids.update((entry.result.get("connection") or {}).get("id") for entry in planned)
    required = set(scope)
    candidates = []
    for connection in listing.items or ():
        view = connection_view(connection)
        if not view["id"] or view["id"] in declared_ids or view["name"] in declared_names:
            continue
        if required <= set(view["tags"]):
            candidates.append(connection)
    return candidates


def _plan(planned, purged):
    plan = {CREATE: [], UPDATE: [], DELETE: [], UNCHANGED: 0}
    for entry in planned:
        if entry.action == UNCHANGED:
            plan[UNCHANGED] += 1
        else:
            plan[entry.action].append(entry.desired["name"] or (entry.result.get("connection") or {}).get("name")
                                      or entry.desired["connection_id"])
    plan[DELETE].extend(_names(purged))
    return plan


def summary_line(plan):
    """``2 to create, 1 to update, 3 to delete, 44 unchanged``."""
    return "%d to create, %d to update, %d to delete, %d unchanged" % (
        len(plan[CREATE]), len(plan[UPDATE]), len(plan[DELETE]), plan[UNCHANGED])


def _names(connections):
    return [connection_view(connection)["name"] for connection in connections]


def _describe(connection):
    view = connection_view(connection)
    return "action connection %r (%s)" % (view["name"], view["id"])


def _delete(client, connection, listing):
    view = connection_view(connection)
    desired = {"state": "absent", "name": view["name"], "connection_id": view["id"], "integration": None, "tags": None,
               "update_secrets": ON_CREATE, "generate_new_external_id": False}
    return ensure_connection(client, desired, check_mode=False, listing=listing)


def _result(planned, purged, plan, check_mode):
    connections = []
    ids = {}
    diffs = []
    for entry in planned:
        result = entry.result
        if result is None:  # its write failed
            connections.append({"name": entry.desired["name"], "id": entry.desired["connection_id"], "action": entry.action,
                                "changed": False, "failed": True, "connection": {}})
            continue
        view = result.get("connection") or {}
        name = entry.desired["name"] if entry.desired["name"] is not None else view.get("name")
        connection_id = view.get("id") or (entry.desired["connection_id"] if entry.desired["state"] == "absent" else None)
        connections.append({"name": name, "id": connection_id, "action": entry.action, "changed": bool(result["changed"]),
                            "connection": view})
        if entry.desired["state"] == "present":
            ids[name] = view.get("id")
        if result["changed"] and result.get("diff") is not None:
            diffs.append(_headed(result["diff"], name, entry.action, check_mode))
    purged_views = []
    for connection in purged:
        view = connection_view(connection)
        purged_views.append(view)
        diffs.append(_headed(diff_delete(view), view["name"], "purge", check_mode))
    changed = any(entry["changed"] for entry in connections) or bool(purged_views)
    return {"changed": changed, "plan": plan, "summary": summary_line(plan), "connections": connections,
            "purged": purged_views, "ids": ids, "diff": diffs}


def _headed(diff, name, action, check_mode):
    headed = dict(diff)
    verb = {CREATE: "create", UPDATE: "update", DELETE: "delete", "purge": "purge (delete)"}.get(action, action)
    headed["before_header"] = "action connection %r (before)" % (name,)
    headed["after_header"] = "action connection %r (%s%s)" % (name, verb, ", check mode" if check_mode else "")
    return headed
