# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Principals: the organization, its roles, teams and users (service accounts are users, as in Datadog).

They answer ``GET /api/v2/roles``, ``/api/v2/team``, ``/api/v2/users`` and ``/api/v2/current_user`` in the shapes of
``datadog-api-client``'s ``RolesResponse``, ``TeamsResponse``, ``UsersResponse`` and ``UserResponse``, and they say
which principals a calling key's user holds (for the self-lockout check of restriction policies).

Memberships live on the user: ``roles`` (role IDs) and ``teams`` (team IDs). Every key pair's user holds
``Datadog Admin Role``; the first one is also in the team ``platform``. IDs derive from the name (role name, team
handle, user email), so the same principals get the same IDs in every emulator; an explicit ``id`` overrides that,
which is also how a test makes two principals with the same name (an ambiguous name).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlencode

from dd_emulator.connections import UUID_PATTERN
from dd_emulator.errors import int_parameter

ORG_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "dd-emulator-org"))
ORG_NAME = "Emulator Org"
ADMIN_ROLE = "Datadog Admin Role"
DEFAULT_ROLES = (ADMIN_ROLE, "Datadog Standard Role", "Datadog Read Only Role")
DEFAULT_TEAMS = (
    {"handle": "sre", "name": "SRE"},
    {"handle": "sre-oncall", "name": "SRE On-call"},
    {"handle": "platform", "name": "Platform"},
)
#: The team of the first key pair's user.
KEY_USER_TEAM = "platform"
DEFAULT_USERS = (
    {"email": "ada@ddops.invalid", "name": "Ada Lovelace", "roles": ["Datadog Standard Role"], "teams": ["sre"]},
    {"email": "ada@ddops.invalid.au", "name": "Ada Byron", "roles": ["Datadog Read Only Role"], "teams": ["sre-oncall"]},
    {"email": "grace@ddops.invalid", "name": "Grace Hopper", "roles": ["Datadog Standard Role"], "teams": ["sre", "sre-oncall"]},
    {"email": "workflow-runner@ddops.invalid", "name": "Workflow Runner", "service_account": True, "roles": ["Datadog Standard Role"]},
)
PAGE_SIZE = 10
PAGE_SIZE_MAX = 100
#: When the default principals were "created" (a fixed time: their answers are the same in every emulator).
DEFAULTS_CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
ROLE_KEYS = ("name", "id")
TEAM_KEYS = ("handle", "name", "id")
USER_KEYS = ("email", "name", "id", "service_account", "roles", "teams")


def derived_id(kind, name):
    """The ID a principal gets from its name when none is given."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "dd-emulator-%s:%s" % (kind, name)))


@dataclass
class Role:
    id: str
    name: str
    origin: str = "added"  # "default" or "added"
    created_at: datetime = DEFAULTS_CREATED


@dataclass
class Team:
    id: str
    handle: str
    name: str
    origin: str = "added"
    created_at: datetime = DEFAULTS_CREATED


@dataclass
class User:
    id: str
    name: str
    email: str
    service_account: bool = False
    roles: list = field(default_factory=list)  # role IDs
    teams: list = field(default_factory=list)  # team IDs
    origin: str = "added"  # "default", "key" or "added"
    created_at: datetime = DEFAULTS_CREATED


class Principals:
    """The organization's roles, teams and users: the defaults, the key pairs' users, and those added."""

    def __init__(self):
        self.org_id = ORG_ID
        self.roles = []
        self.teams = []
        self.users = []
        self.clear()

    def clear(self):
        """Back to the default principals (the key pairs' users are added again by their keys)."""
        self.roles, self.teams, self.users = [], [], []
        self.add(roles=list(DEFAULT_ROLES), teams=[dict(team) for team in DEFAULT_TEAMS],
                 users=[dict(user) for user in DEFAULT_USERS], origin="default", created_at=DEFAULTS_CREATED)

    # -- adding ---------------------------------------------------------------------------------------------------

    def add_key_user(self, record, first):
        """The user of a key pair (``record``: the audit ``usr`` object): an admin, and in ``platform`` if ``first``."""
        teams = [team.id for team in self.teams if team.handle == KEY_USER_TEAM] if first else []
        admin = [role.id for role in self.roles if role.name == ADMIN_ROLE and role.origin == "default"]
        self.users.append(User(record["id"], record["name"], record["email"], roles=admin, teams=teams, origin="key"))

    def add(self, roles=(), teams=(), users=(), origin="added", created_at=None):
        """Add roles (names or ``{name, id}``), teams (``{handle, name, id}``) and users (``{email, name, id,
        service_account, roles, teams}``, memberships by role name and team handle, which may be added in the same
        call). All are checked before any is added; a ``ValueError`` names the entry (``users[1].roles[0]: ...``).
        Returns what was added, in the form :meth:`added_json` lists it."""
        created_at = created_at or datetime.now(timezone.utc)
        new_roles = [self._role(position, spec, origin, created_at) for position, spec in enumerate(_list("roles", roles))]
        new_teams = [self._team(position, spec, origin, created_at) for position, spec in enumerate(_list("teams", teams))]
        known_roles, known_teams = self.roles + new_roles, self.teams + new_teams
        new_users = [self._user(position, spec, origin, created_at, known_roles, known_teams) for position, spec in enumerate(_list("users", users))]
        for kind, entries, existing in (("roles", new_roles, self.roles), ("teams", new_teams, self.teams), ("users", new_users, self.users)):
            taken = {entry.id for entry in existing}
            for position, entry in enumerate(entries):
                if entry.id in taken:
                    raise ValueError("%s[%d]: the id %s is taken already (give another id to add a second %s of this name)"
                                     % (kind, position, entry.id, kind[:-1]))
                taken.add(entry.id)
        self.roles += new_roles
        self.teams += new_teams
        self.users += new_users
        return {"roles": [_role_json(role) for role in new_roles], "teams": [_team_json(team) for team in new_teams],
                "users": [self._user_json(user) for user in new_users]}

    @staticmethod
    def _role(position, spec, origin, created_at):
        spec = {"name": spec} if isinstance(spec, str) else spec
        where = "roles[%d]" % position
        _check_keys(where, spec, ROLE_KEYS)
        name = _text(where + ".name", spec.get("name"))
        return Role(_id(where, spec, "role", name), name, origin, created_at)

    @staticmethod
    def _team(position, spec, origin, created_at):
        where = "teams[%d]" % position
        _check_keys(where, spec, TEAM_KEYS)
        handle = _text(where + ".handle", spec.get("handle"))
        name = _text(where + ".name", spec.get("name", handle))
        return Team(_id(where, spec, "team", handle), handle, name, origin, created_at)

    @staticmethod
    def _user(position, spec, origin, created_at, roles, teams):
        where = "users[%d]" % position
        _check_keys(where, spec, USER_KEYS)
        email = _text(where + ".email", spec.get("email"))
        name = _text(where + ".name", spec.get("name", email))
        service_account = spec.get("service_account", False)
        if not isinstance(service_account, bool):
            raise ValueError("%s.service_account must be true or false, got %r" % (where, service_account))
        role_ids = [_named(roles, "name", "%s.roles[%d]" % (where, index), "role", role_name)
                    for index, role_name in enumerate(_list(where + ".roles", spec.get("roles", ())))]
        team_ids = [_named(teams, "handle", "%s.teams[%d]" % (where, index), "team", handle)
                    for index, handle in enumerate(_list(where + ".teams", spec.get("teams", ())))]
        return User(_id(where, spec, "user", email), name, email, service_account, role_ids, team_ids, origin, created_at)

    # -- reading ----------------------------------------------------------------------------------------------------

    def user(self, user_id):
        return next((user for user in self.users if user.id == user_id), None)

    def held_by(self, user_id):
        """Every principal the user holds: ``user:<id>``, its roles and teams, and ``org:<id>``."""
        user = self.user(user_id)
        held = {"org:" + self.org_id, "user:" + user_id}
        if user is not None:
            held.update("role:" + role_id for role_id in user.roles)
            held.update("team:" + team_id for team_id in user.teams)
        return held

    def find(self, kind, name):
        """The IDs of the principals of ``kind`` (``role``, ``team``, ``user``) whose name (role name, team handle, user
        email) is exactly ``name``."""
        entries, attribute = {"role": (self.roles, "name"), "team": (self.teams, "handle"), "user": (self.users, "email")}[kind]
        return [entry.id for entry in entries if getattr(entry, attribute) == name]

    def added_json(self):
        """The principals added to the defaults (not the key pairs' users), as a state file lists them."""
        role_names = _unique_names(self.roles, "name")
        team_handles = _unique_names(self.teams, "handle")
        return {
            "roles": [{"name": role.name, "id": role.id} for role in self.roles if role.origin == "added"],
            "teams": [{"handle": team.handle, "name": team.name, "id": team.id} for team in self.teams if team.origin == "added"],
            "users": [{"email": user.email, "name": user.name, "id": user.id, "service_account": user.service_account,
                       "roles": [role_names[role_id] for role_id in user.roles], "teams": [team_handles[team_id] for team_id in user.teams]}
                      for user in self.users if user.origin == "added"],
        }

    def all_json(self):
        """Every principal (``GET /_emulator/principals``)."""
        return {"org": {"id": self.org_id, "name": ORG_NAME}, "roles": [_role_json(role) for role in self.roles],
                "teams": [_team_json(team) for team in self.teams], "users": [self._user_json(user) for user in self.users]}

    def _user_json(self, user):
        return {"id": user.id, "email": user.email, "name": user.name, "service_account": user.service_account, "origin": user.origin,
                "roles": list(user.roles), "teams": list(user.teams)}

    # -- the API answers --------------------------------------------------------------------------------------------

    def list_roles(self, args):
        """``GET /api/v2/roles``: ``filter`` (substring of the name), ``filter[id]`` (comma-separated IDs), paged."""
        text = (args.get("filter") or "").lower()
        ids = {value.strip() for value in (args.get("filter[id]") or "").split(",") if value.strip()}
        selected = [role for role in _by_name(self.roles) if text in role.name.lower() and (not ids or role.id in ids)]
        page, _size, _number = _page(args, selected)
        counts = self._user_counts("roles")
        return {"data": [self._role_answer(role, counts) for role in page],
                "meta": {"page": {"total_count": len(self.roles), "total_filtered_count": len(selected)}}}

    def list_teams(self, args, caller_id, url):
        """``GET /api/v2/team``: ``filter[keyword]`` (substring of the name, the handle or a member's email),
        ``filter[me]=true`` (the caller's teams), paged with ``meta.pagination`` and ``links``."""
        text = (args.get("filter[keyword]") or "").lower()
        mine = (args.get("filter[me]") or "").lower() == "true"
        caller = self.user(caller_id)
        selected = [team for team in _by_name(self.teams)
                    if (not text or self._team_matches(team, text)) and (not mine or (caller is not None and team.id in caller.teams))]
        page, size, number = _page(args, selected)
        counts = self._user_counts("teams")
        last = max((len(selected) - 1) // size, 0)
        offset = number * size
        pagination = {"first_offset": 0, "last_offset": last * size, "limit": size, "next_offset": offset + size, "offset": offset,
                      "prev_offset": max(offset - size, 0), "total": len(selected), "type": "offset_limit"}

        def link(page_number):
            query = [(name, value) for name, value in args.items(multi=True) if name not in ("page[number]", "page[size]")]
            return "%s?%s" % (url, urlencode(query + [("page[number]", page_number), ("page[size]", size)]))

        links = {"self": link(number), "first": link(0), "last": link(last), "next": link(number + 1),
                 "prev": link(number - 1) if number > 0 else None}
        return {"data": [self._team_answer(team, counts) for team in page], "meta": {"pagination": pagination}, "links": links}

    def list_users(self, args):
        """``GET /api/v2/users``: ``filter`` (substring of the name, email or handle), paged."""
        text = (args.get("filter") or "").lower()
        selected = [user for user in _by_name(self.users) if not text or any(text in value.lower() for value in (user.name, user.email))]
        page, _size, _number = _page(args, selected)
        return {"data": [self._user_answer(user) for user in page],
                "meta": {"page": {"total_count": len(self.users), "total_filtered_count": len(selected)}}}

    def current_user(self, caller_id):
        """``GET /api/v2/current_user``: the calling key's user, with ``relationships.org``."""
        return {"data": self._user_answer(self.user(caller_id))}

    def _team_matches(self, team, text):
        if text in team.name.lower() or text in team.handle.lower():
            return True
        return any(text in user.email.lower() for user in self.users if team.id in user.teams)

    def _user_counts(self, membership):
        counts = {}
        for user in self.users:
            for principal_id in getattr(user, membership):
                counts[principal_id] = counts.get(principal_id, 0) + 1
        return counts

    @staticmethod
    def _role_answer(role, counts):
        created = _iso(role.created_at)
        return {"id": role.id, "type": "roles",
                "attributes": {"name": role.name, "created_at": created, "modified_at": created, "user_count": counts.get(role.id, 0)},
                "relationships": {"permissions": {"data": []}}}

    @staticmethod
    def _team_answer(team, counts):
        created = _iso(team.created_at)
        return {"id": team.id, "type": "team",
                "attributes": {"handle": team.handle, "name": team.name, "summary": None, "description": None, "avatar": None, "banner": None,
                               "user_count": counts.get(team.id, 0), "link_count": 0, "created_at": created, "modified_at": created,
                               "is_managed": False}}

    def _user_answer(self, user):
        created = _iso(user.created_at)
        return {"id": user.id, "type": "users",
                "attributes": {"name": user.name, "handle": user.email, "email": user.email, "created_at": created, "modified_at": created,
                               "disabled": False, "service_account": user.service_account, "status": "Active", "title": None,
                               "verified": True, "mfa_enabled": False, "last_login_time": None},
                "relationships": {"roles": {"data": [{"id": role_id, "type": "roles"} for role_id in user.roles]},
                                  "org": {"data": {"id": self.org_id, "type": "orgs"}}}}


# -- helpers -----------------------------------------------------------------------------------------------------------

def _role_json(role):
    return {"id": role.id, "name": role.name, "origin": role.origin}


def _team_json(team):
    return {"id": team.id, "handle": team.handle, "name": team.name, "origin": team.origin}


def _by_name(entries):
    """The listing order: by name (case-insensitive), then ID."""
    return sorted(entries, key=lambda entry: (entry.name.lower(), entry.id))


def _page(args, selected):
    size = int_parameter(args, "page[size]", PAGE_SIZE, 1, PAGE_SIZE_MAX)
    number = int_parameter(args, "page[number]", 0, 0, None)
    return selected[number * size:(number + 1) * size], size, number


def _iso(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _list(where, value):
    if not isinstance(value, (list, tuple)):
        raise ValueError("%s must be a list, got %r" % (where, value))
    return list(value)


def _check_keys(where, spec, known):
    if not isinstance(spec, dict):
        raise ValueError("%s must be an object, got %r" % (where, spec))
    unknown = sorted(set(spec) - set(known))
    if unknown:
        raise ValueError("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(known)))


def _text(where, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("%s must be a non-empty string, got %r" % (where, value))
    return value


def _id(where, spec, kind, name):
    if "id" not in spec:
        return derived_id(kind, name)
    value = spec["id"]
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        raise ValueError("%s.id must be a UUID, got %r" % (where, value))
    return value.lower()


def _unique_names(entries, attribute):
    """ID -> how a state file names the entry: its name when no other entry has it, else its ID."""
    counts = {}
    for entry in entries:
        counts[getattr(entry, attribute)] = counts.get(getattr(entry, attribute), 0) + 1
    return {entry.id: getattr(entry, attribute) if counts[getattr(entry, attribute)] == 1 else entry.id for entry in entries}


def _named(entries, attribute, where, kind, name):
    """The ID of the entry with this ID, or of the one entry whose ``attribute`` is exactly ``name``."""
    if any(entry.id == name for entry in entries):
        return name
    found = [entry.id for entry in entries if getattr(entry, attribute) == name]
    if len(found) != 1:
        raise ValueError("%s: %s %r %s" % (where, kind, name, "is unknown" if not found else "is ambiguous (%d match)" % len(found)))
    return found[0]
