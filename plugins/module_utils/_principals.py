# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Principals of restriction policies by name: parsing, exact look-ups, and a resolver that looks each name up once.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

A principal is written ``org`` (the organization of the calling key), ``role:<exact role name>``,
``team:<exact team handle>``, ``user:<exact email>`` (service accounts are users), or ``<org|role|team|user>:<uuid>``,
which is used as it is. :func:`parse_principal` checks the form without any request; a :class:`PrincipalResolver`
turns names into ``<type>:<uuid>``, looking each distinct name up once for as long as it lives (one task: the items of
a loop or of a set share one), and may be used by several threads at once.

Datadog's look-up filters are substring searches (``sre`` finds ``sre`` and ``sre-oncall``, an email finds longer
emails containing it), so every page of the filtered list is read and the exact match chosen here: none or several
fail, naming the principal (docs/dev/api-behaviour.md).
"""

from __future__ import annotations

import threading
from collections import namedtuple

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogAPIError, RequestCancelled
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, operation
from ansible_collections.ddops.datadog.plugins.module_utils._validation import describe, kind_of, normalized_uuid

#: The principal types every relation takes.
PRINCIPAL_TYPES = ("org", "role", "team", "user")
ORG = "org"
CURRENT_USER_PATH = "/api/v2/current_user"
#: Entries asked for per look-up request (Datadog's largest page for roles, teams and users).
PAGE_SIZE = 100
#: The most pages one look-up reads (100,000 entries at the default page size) before it fails as endless.
MAX_PAGES = 1000
#: How many entries that contain a name but are not it a failure message shows (typos are the usual cause).
NEAR_MISSES = 5
FORMS = ("org, role:<role name>, team:<team handle>, user:<email> (users and service accounts), "
         "or <org|role|team|user>:<UUID>")

#: How each named type is looked up: the list route, its filter parameter, the attribute that must equal the name
#: (``casefold``: compared without regard to case, as emails are).
Lookup = namedtuple("Lookup", "path filter attribute casefold")
LOOKUPS = {
    "role": Lookup("/api/v2/roles", "filter", "name", False),
    "team": Lookup("/api/v2/team", "filter[keyword]", "handle", False),
    "user": Lookup("/api/v2/users", "filter", "email", True),
}


class Principal(namedtuple("Principal", "kind id name written")):
    """One principal as written: ``kind`` (org, role, team, user), ``id`` (a lower-case UUID, or ``None`` when it is
    named), ``name`` (the name to look up; ``""`` for ``org``), ``written`` (the canonical text: ``org``,
    ``role:<name>``, ``role:<uuid>``, ...)."""

    __slots__ = ()

    @property
    def resolved(self):
        """``<kind>:<uuid>`` when the ID is known without a look-up, else ``None``."""
        return None if self.id is None else "%s:%s" % (self.kind, self.id)

    @property
    def key(self):
        """What identifies the look-up: the same key is the same request."""
        lookup = LOOKUPS.get(self.kind)
        return (self.kind, self.name.lower() if lookup is not None and lookup.casefold else self.name)


class PrincipalError(TaskFailure):
    """A principal named no principal, or several (the task fails before any write)."""


def parse_principal(value, where):
    """The :class:`Principal` ``value`` writes, or :class:`InputError` naming ``where`` (``bindings[0].principals[1]``)
    and the allowed forms. Spaces around the type and the name are ignored; the name is otherwise taken as written."""
    if not isinstance(value, str):
        raise InputError("%s must be a string, one of %s; got a %s" % (where, FORMS, kind_of(value)))
    text = value.strip()
    if text == ORG:
        return Principal(ORG, None, "", ORG)
    kind, separator, name = text.partition(":")
    kind, name = kind.strip(), name.strip()
    if not separator or kind not in PRINCIPAL_TYPES:
        raise InputError("%s must be %s; got %s" % (where, FORMS, describe(value)))
    if not name:
        raise InputError("%s names no %s after '%s:'; write %s" % (where, kind, kind, FORMS))
    if any(character < " " for character in name):
        raise InputError("%s must not contain control characters (line breaks, tabs); got %s" % (where, describe(value)))
    uuid = normalized_uuid(name)
    if uuid is not None:
        return Principal(kind, uuid, "", "%s:%s" % (kind, uuid))
    if kind == ORG:
        raise InputError("%s: an organization is written org (the organization of the calling key) or org:<UUID>, "
                         "not by name; got %s" % (where, describe(value)))
    return Principal(kind, None, name, "%s:%s" % (kind, name))


class _Lookup(object):
    """One look-up, shared by every caller that asks for the same principal."""

    __slots__ = ("done", "value", "failure", "abandoned")

    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.failure = None  # (message, result) of a TaskFailure: the same failure for every caller
        self.abandoned = False  # the look-up stopped without an answer (cancelled, a bug): the next caller tries again


class PrincipalResolver(object):
    """``<kind>:<uuid>`` for principals written by name, each distinct name looked up once (thread-safe).

    Several threads asking for the same name at once wait for the one look-up; a name that matched none or several
    fails the same way for every caller, without another request. Each call passes the client to use (a thread uses
    its own). :attr:`names` maps every ``<kind>:<uuid>`` resolved from a name to the name as written, so that a diff
    can show principals as the user wrote them.
    """

    def __init__(self, page_size=PAGE_SIZE):
        self.page_size = page_size
        self._lock = threading.Lock()
        self._lookups = {}
        self._names = {}

    @property
    def names(self):
        """``{"<kind>:<uuid>": "<as written>"}`` for every name resolved so far (a copy)."""
        with self._lock:
            return dict(self._names)

    def resolve(self, client, principal):
        """``<kind>:<uuid>`` of a :class:`Principal`; :class:`PrincipalError` when its name matches none or several,
        :class:`TaskFailure` when the look-up request fails."""
        if principal.resolved is not None:
            return principal.resolved
        while True:
            with self._lock:
                lookup = self._lookups.get(principal.key)
                owner = lookup is None
                if owner:
                    lookup = self._lookups[principal.key] = _Lookup()
            if owner:
                self._look_up(client, principal, lookup)
            else:
                lookup.done.wait()
            if lookup.abandoned:
                continue
            if lookup.failure is not None:
                message, kind, result = lookup.failure
                raise kind(message, **result)
            with self._lock:
                self._names.setdefault(lookup.value, principal.written)
            return lookup.value

    def _look_up(self, client, principal, lookup):
        try:
            lookup.value = look_up(client, principal, page_size=self.page_size)
        except TaskFailure as exc:
            if isinstance(exc.cause, RequestCancelled):  # this caller's work was stopped, not the look-up answered
                self._abandon(principal, lookup)
                raise
            lookup.failure = (str(exc), type(exc), dict(exc.result))
        except BaseException:
            self._abandon(principal, lookup)
            raise
        finally:
            lookup.done.set()

    def _abandon(self, principal, lookup):
        with self._lock:
            del self._lookups[principal.key]
        lookup.abandoned = True


def look_up(client, principal, page_size=PAGE_SIZE):
    """``<kind>:<uuid>`` of a named principal, from its requests (``org``: 1 GET of the current user; a name: every
    page of the filtered list). Raises :class:`PrincipalError` for none or several exact matches."""
    if principal.kind == ORG:
        return "%s:%s" % (ORG, current_org_id(client))
    lookup = LOOKUPS[principal.kind]
    matches, near = exact_matches(client, principal, page_size=page_size)
    if len(matches) == 1:
        return "%s:%s" % (principal.kind, matches[0])
    if not matches:
        shown = ", ".join(repr(name) for name in near[:NEAR_MISSES])
        more = " (and %d more)" % (len(near) - NEAR_MISSES) if len(near) > NEAR_MISSES else ""
        hint = "; the search found only %s%s" % (shown, more) if near else ""
        raise PrincipalError("Principal %s matches no %s: none has the %s %r exactly%s" % (
            principal.written, principal.kind, lookup.attribute, principal.name, hint), principal=principal.written)
    raise PrincipalError("Principal %s is ambiguous: %d %ss have the %s %r (IDs %s); write %s:<UUID> to choose one" % (
        principal.written, len(matches), principal.kind, lookup.attribute, principal.name, ", ".join(matches),
        principal.kind),
        principal=principal.written, principal_ids=["%s:%s" % (principal.kind, match) for match in matches])


def exact_matches(client, principal, page_size=PAGE_SIZE):
    """``(ids, near)``: the lower-case IDs of the entries whose name is exactly the principal's (every page of the
    substring search read), and the names of the other entries the search found."""
    lookup = LOOKUPS[principal.kind]
    wanted = principal.name.lower() if lookup.casefold else principal.name
    ids, near = [], []
    with operation("look up %s %r" % (principal.kind, principal.name)):
        for item in search(client, lookup.path, {lookup.filter: principal.name}, page_size=page_size):
            name = _attribute(item, lookup.attribute)
            found = name.lower() if lookup.casefold and isinstance(name, str) else name
            if found == wanted:
                identifier = item.get("id")
                if not isinstance(identifier, str) or not identifier:
                    raise DatadogAPIError("an entry named %r has no ID" % name, method="GET", path=lookup.path)
                if identifier.lower() not in ids:
                    ids.append(identifier.lower())
            elif isinstance(name, str) and name not in near:
                near.append(name)
    return ids, near


def search(client, path, params, page_size=PAGE_SIZE):
    """Every entry of a filtered, page-number paged list (``page[size]``, ``page[number]`` from 0).

    Stops once the total the answer reports (``meta.page.total_filtered_count`` of roles and users,
    ``meta.pagination.total`` of teams) has been read, or, without a total, after a page shorter than ``page_size``;
    and on an empty page. N entries cost ceil(N / page_size) requests (1 for none), plus one without a total when N
    is a multiple of the page size. A server that repeats a page, or pages without end, gets an error after a bounded
    number of requests."""
    seen = set()
    read = 0
    for number in range(MAX_PAGES):
        query = dict(params)
        query["page[size]"] = page_size
        query["page[number]"] = number
        response = client.get(path, params=query)
        items = response.data
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise DatadogAPIError("the answer's 'data' member is not a list of entries", status=response.status,
                                  method="GET", path=path)
        ids = set(item.get("id") for item in items if isinstance(item.get("id"), str))
        if ids and ids <= seen:
            raise DatadogAPIError("page %d holds only entries of earlier pages (the server may ignore page[number]); "
                                  "stopped after %d requests" % (number, number + 1), status=response.status,
                                  method="GET", path=path)
        seen |= ids
        read += len(items)
        yield from items
        total = search_total(response.body)
        # With a total, a short page is not the end (a server may answer fewer entries per page than asked for).
        if not items or (read >= total if total is not None else len(items) < page_size):
            return
    raise DatadogAPIError("no end after %d pages" % MAX_PAGES, method="GET", path=path)


def search_total(body):
    """The number of entries a look-up answer says the filter found, or ``None``."""
    meta = body.get("meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict):
        return None
    for container, key in (("page", "total_filtered_count"), ("pagination", "total")):
        value = meta.get(container, {}).get(key) if isinstance(meta.get(container), dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def current_org_id(client):
    """The ID of the calling key's organization: ``data.relationships.org.data.id`` of the current user (1 GET)."""
    with operation("look up the organization of the calling key"):
        data = client.get(CURRENT_USER_PATH).data
        org = data
        for key in ("relationships", "org", "data", "id"):
            org = org.get(key) if isinstance(org, dict) else None
        org_id = normalized_uuid(org)
        if org_id is None:
            raise DatadogAPIError("the answer names no organization (data.relationships.org.data.id is %s)"
                                  % describe(org), method="GET", path=CURRENT_USER_PATH)
    return org_id


def _attribute(item, name):
    attributes = item.get("attributes")
    return attributes.get(name) if isinstance(attributes, dict) else None
