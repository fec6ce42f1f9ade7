"""The whole set of an org's action connections in one task: secrets from a mapping, the plan, its rules, the writes.

Internal use only: not part of the collection's public interface.

``datadog_action_connection_set`` (and the ``action_connections`` role through it) decides, then acts, over one read
of the connection list:

1. **Plan** (:func:`plan_set`). The list is read once (all pages) into a :class:`ConnectionListing` that also serves
   connections by ID. Every declared connection is decided with ``_connection_plan.decide`` (the logic of
   ``datadog_action_connection``, no request): create, update, delete or unchanged. The purge scope adds the
   undeclared connections to delete. Every rule is checked here, before any write: a create without its secrets, a
   type change without the complete integration, a name several connections share, a purge over ``purge_max``. Any
   problem refuses the whole set, listing every problem. A plan approved earlier (:func:`saved_plan`) is applied only
   while the plan decided now is the same (:func:`plan_difference`).
2. **Apply** (not in check mode). Exactly the planned actions are applied (``_action_connection.apply``), ``parallel``
   at a time, each worker thread with a client of its own (one connection pool, one shared rate limit); then the
   purge, the same way. A failure does not stop the other items; if one failed, nothing is purged. Results are
   reported in declared order, whatever the order the writes ended in.

Items that declare ``access`` add, in the plan, the look-ups of the principals they name (each distinct name once,
side by side with the read of the list) and then 1 GET of each existing connection's policy, ``parallel`` at a time;
and, in the apply, 1 POST or DELETE of each policy that differs, right after the connection's own write (a created
connection's with its new ID).

Requests: one paged read of the list (1 GET per 100 connections), the policy reads, plus the writes; check mode = the
reads.
Plain Python, no Ansible imports.
"""

from __future__ import annotations

import copy

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    AccessFailed,
    ConnectionListing,
    action_connection_options,
    apply,
    desired_from_params,
    named_principals,
    preview,
    read_access,
    read_current,
)
from ansible_collections.ddops.datadog.plugins.module_utils._compare import ALWAYS, ON_CREATE
from ansible_collections.ddops.datadog.plugins.module_utils._connection_plan import (
    CREATE,
    DELETE,
    UNCHANGED,
    UPDATE,
    MissingSecrets,
    decide,
    delete_action,
    digest,
    fingerprint,
    resource_id,
)
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
from ansible_collections.ddops.datadog.plugins.module_utils._parallel import MAX_PARALLEL, run_in_parallel
from ansible_collections.ddops.datadog.plugins.module_utils._principals import PrincipalResolver
from ansible_collections.ddops.datadog.plugins.module_utils._restriction_policy import read_policy

PURGE_MAX = 10
#: The key of the plan and of ``done`` listing the connections whose access policy is written.
ACCESS = "access"
#: The item options of ``connections``: the options of ``datadog_action_connection``, in their order.
_ITEM_SPEC = action_connection_options()
ITEM_OPTIONS = tuple(_ITEM_SPEC)
#: The version of the saved plan's format (:func:`saved_plan`).
PLAN_FORMAT = 1


class SetRefused(Exception):
    """The plan breaks a rule, or differs from the approved one; nothing was written. ``details`` are extra result
    keys (the plan, what a purge would delete, the secrets missing)."""

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


def desired_set(items, purge=False, purge_tags=None, purge_all=False, purge_max=PURGE_MAX, purge_empty=False,
                parallel=1):
    """Validate the declared connections and the purge settings (no request is made).

    Returns ``(desired, scope)``: the ``desired`` dict of each item and the purge scope (``None`` without purge,
    else the tags a connection must all have, an empty list meaning every connection). Raises :class:`InputError`
    with every problem found, each naming the item (``connections[2] 'name'``) and the option.

    A purge with no connection declared at all is refused unless ``purge_empty``: it would delete the whole scope,
    and an empty list is what a misspelt variable name gives.
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
        if not items and not purge_empty:
            problems.append("purge with an empty connections list would delete every connection in the purge scope; "
                            "nothing was sent to Datadog. Declare the connections to keep (an empty list is also what a "
                            "misspelt variable name gives), or set purge_empty=true to empty the scope")
    if not isinstance(purge_max, int) or isinstance(purge_max, bool) or purge_max < 0:
        problems.append("purge_max must be a whole number of at least 0; got %r" % (purge_max,))
    if not isinstance(parallel, int) or isinstance(parallel, bool) or not 1 <= parallel <= MAX_PARALLEL:
        problems.append("parallel must be a whole number from 1 to %d; got %r" % (MAX_PARALLEL, parallel))
    if problems:
        raise InputError("; ".join(problems))
    return desired_list, scope


#: Keys of a datadog_action_connection_info result that are not input; the hint points at ``definition``.
_READ_ONLY_KEYS = ("definition", "external_id", "id", "principal_id")


def explain_items(params):
    """Options inside ``connections`` that the item spec does not know, in the words of the set: each item's unknown
    keys (with a hint when it is a datadog_action_connection_info result), a ``state`` or ``update_secrets`` that is
    not one of its choices, and what is wrong inside its integration. Each problem names its item (``connections[2]
    'name'``); never a value but for a choice (those are never secret). ``None`` when there is nothing to add to the
    generic message."""
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
        for option in ("state", "update_secrets"):
            value = item.get(option)
            choices = _ITEM_SPEC[option]["choices"]
            if isinstance(value, str) and "{{" not in value and value not in choices:
                problems.append("%s: value of %s must be one of: %s, got: %s" % (label, option, ", ".join(choices), value))
        if isinstance(item.get("integration"), dict):
            try:
                validate_integration(item["integration"], complete=item.get("connection_id") is None,
                                     secrets=item.get("update_secrets") == ALWAYS)
            except InputError as exc:
                problems.append("%s: %s" % (label, exc))
    return "; ".join(problems) or None


def item_label(index, name=None):
    return "connections[%d]%s" % (index, " %r" % name if isinstance(name, str) else "")


# -- plan ----------------------------------------------------------------------------------------------------------------

class Item(object):
    """One declared connection: its ``index`` in the list, ``desired``, the ``action`` decided (an
    ``_connection_plan.Action``), then its ``outcome`` (``_action_connection.Outcome``) or ``failure`` (a message).

    An item, not an action, is the unit of work of a worker (:func:`_apply_item`): another kind of action about the
    same connection (its access policy, for example) is another member decided in :func:`plan_set`, applied by
    :func:`_apply_item` right after the connection's, with the connection's outcome (its ID) at hand, and
    fingerprinted in :func:`saved_plan` next to it."""

    __slots__ = ("index", "desired", "action", "outcome", "failure")

    def __init__(self, index, desired, action):
        self.index = index
        self.desired = desired
        self.action = action
        self.outcome = None
        self.failure = None

    @property
    def name(self):
        return self.action.name

    @property
    def label(self):
        return item_label(self.index, self.desired["name"])


class _Read(object):
    """What :func:`plan_set` read for one declared connection before deciding it."""

    __slots__ = ("index", "desired", "current", "read_at", "policy", "access", "problem")

    def __init__(self, index, desired, current, read_at):
        self.index = index
        self.desired = desired
        self.current = current
        self.read_at = read_at
        self.policy = None  # the bindings of the connection's policy, once read
        self.access = None
        self.problem = None

    @property
    def declares_access(self):
        return self.desired["state"] == "present" and self.desired.get("access") is not None

    @property
    def reads_policy(self):
        """Whether the plan reads the connection's policy: it declares access and the connection exists."""
        return self.declares_access and isinstance(self.current, dict) and bool(self.current.get("id"))


class SetPlan(object):
    """The decided set: ``items`` (in declared order), ``purge`` (delete actions of undeclared connections in the
    scope), ``scope`` and ``missing_secrets`` (for each create that lacks secret values, the entry of ``secrets``
    that would fill them, values as ``<secret>``)."""

    def __init__(self, items, purge, scope, missing_secrets=None):
        self.items = items
        self.purge = purge
        self.scope = scope
        self.missing_secrets = missing_secrets or {}

    @property
    def manages_access(self):
        return any(item.action.policy is not None for item in self.items)

    def summary(self):
        """``{"create": [names], "update": [names], "delete": [names], "unchanged": N}``, and ``"access": [names]``
        (the connections whose access policy is written) when an item declares ``access``."""
        plan = {CREATE: [], UPDATE: [], DELETE: [], UNCHANGED: 0}
        if self.manages_access:
            plan[ACCESS] = []
        for item in self.items:
            if item.action.kind == UNCHANGED:
                plan[UNCHANGED] += 1
            else:
                plan[item.action.kind].append(_display_name(item.action))
            if item.action.access_changes:
                plan[ACCESS].append(_display_name(item.action))
        plan[DELETE].extend(_display_name(action) for action in self.purge)
        return plan

    @property
    def writes(self):
        return sum(1 for item in self.items if item.action.changes) + len(self.purge)


def plan_set(client, desired_list, scope, purge_max, listing, resolver=None, parallel=1):
    """Decide every item and the purge from ``listing`` (read once); return a :class:`SetPlan`. Raises
    :class:`SetRefused`, before any write, listing every problem.

    The items that declare ``access`` also have their principals resolved (each distinct name once, by the shared
    ``resolver``) and their connection's policy read (1 GET each, none for a connection to create); their access is
    decided with the connection (``_connection_plan.decide``). The reads run ``parallel`` at a time in two rounds:
    what needs nothing else (the list, every principal's look-up) side by side, then the policies of the connections
    the list has (:func:`_read_first`, :func:`_read_policies`)."""
    if resolver is None:
        resolver = PrincipalResolver()
    _read_first(client, listing, resolver, desired_list, parallel)  # TaskFailure when the list read fails
    reads, problems, missing = [], [], {}
    for index, desired in enumerate(desired_list):
        try:
            current, read_at = read_current(client, desired, listing, check_mode=True)
        except (InputError, TaskFailure) as exc:
            problems.append("%s: %s" % (item_label(index, desired["name"]), exc))
            continue
        reads.append(_Read(index, desired, current, read_at))

    _read_policies(client, reads, parallel)
    for entry in reads:
        if entry.declares_access and entry.problem is None:
            try:  # the look-ups are done (their failures kept by the resolver): no request unless one was cut short
                entry.access = read_access(client, resolver, entry.desired, entry.current, policy=entry.policy)
            except (InputError, TaskFailure) as exc:
                entry.problem = str(exc)
    items = []
    for entry in reads:
        label = item_label(entry.index, entry.desired["name"])
        if entry.problem is not None:
            problems.append("%s: %s" % (label, entry.problem))
            continue
        try:
            action = decide(entry.desired, entry.current, entry.access)
        except MissingSecrets as exc:
            problems.append("%s: %s" % (label, exc))
            missing[exc.name] = exc.secrets_entry()
            continue
        except InputError as exc:
            problems.append("%s: %s" % (label, exc))
            continue
        action.read_at = entry.read_at
        items.append(Item(entry.index, entry.desired, action))
    purge = [delete_action(connection) for connection in _purge_candidates(listing, desired_list, items, scope)]
    for action in purge:
        action.read_at = listing.read_at
    plan = SetPlan(items, purge, scope, missing)
    if scope is not None and len(purge) > purge_max:
        problems.append("the purge would delete %d connections, more than purge_max (%d): %s. Nothing was changed; "
                        "declare the ones to keep, narrow purge_tags, or raise purge_max"
                        % (len(purge), purge_max, ", ".join(_display_name(action) for action in purge)))
    if missing:
        problems.append("give the missing secret values in the items or in secrets (missing_secrets lists the entries "
                        "to add)")
    if problems:
        raise SetRefused(problems, plan=plan.summary(), purge=[_display_name(action) for action in purge],
                         missing_secrets=missing)
    return plan


def _read_first(client, listing, resolver, desired_list, parallel):
    """The reads that depend on nothing, ``parallel`` at a time: the connection list (all pages; :class:`TaskFailure`
    when it fails) and the look-up of each distinct principal named in ``access``. A look-up's failure is kept by the
    ``resolver``, which raises it for each item that names the principal, saying where (:func:`plan_set`)."""

    def read(worker, principal):
        if principal is None:
            listing.load(worker)
            return
        try:
            resolver.resolve(worker, principal)
        except TaskFailure:
            pass

    run_in_parallel(client, [None] + named_principals(desired_list), read, parallel)


def _read_policies(client, reads, parallel):
    """The policy of each existing connection whose item declares access (1 GET each), ``parallel`` at a time; a
    failure becomes the item's problem."""

    def read(worker, entry):
        try:
            entry.policy = read_policy(worker, resource_id(entry.current["id"]))
        except TaskFailure as exc:
            entry.problem = str(exc)

    run_in_parallel(client, [entry for entry in reads if entry.reads_policy], read, parallel)


def _purge_candidates(listing, desired_list, items, scope):
    """The listed connections in the purge scope that no item declares (by name or by ID)."""
    if scope is None:
        return []
    declared_names = set(desired["name"] for desired in desired_list if desired["name"] is not None)
    declared_ids = set(desired["connection_id"] for desired in desired_list if desired["connection_id"])
    declared_ids.update(item.action.connection_id for item in items)
    required = set(scope)
    candidates = []
    for connection in listing.items or ():
        view = connection_view(connection)
        if not view["id"] or view["id"] in declared_ids or view["name"] in declared_names:
            continue
        if required <= set(view["tags"]):
            candidates.append(connection)
    return candidates


def _display_name(action):
    if action.name is not None:
        return action.name
    return action.connection_id


def summary_line(plan):
    """``2 to create, 1 to update, 3 to delete, 44 unchanged`` (and ``, 5 access policies to write`` when access is
    managed)."""
    line = "%d to create, %d to update, %d to delete, %d unchanged" % (
        len(plan[CREATE]), len(plan[UPDATE]), len(plan[DELETE]), plan[UNCHANGED])
    if ACCESS in plan:
        line += ", %d access polic%s to write" % (len(plan[ACCESS]), "y" if len(plan[ACCESS]) == 1 else "ies")
    return line


# -- a plan shown, then applied as shown ---------------------------------------------------------------------------------

def saved_plan(plan):
    """The plan as plain data a later run applies only while it holds (``apply_plan``): each item's action with the
    fingerprint of what it was decided against, each purge the same, and one fingerprint of the whole. No secret:
    fingerprints digest the declared connections with their secret values masked."""
    connections = [{"index": item.index, "name": item.name, "id": item.action.connection_id, "action": item.action.kind,
                    "access": item.action.access_kind, "fingerprint": fingerprint(item.action)} for item in plan.items]
    purge = [{"name": action.name, "id": action.connection_id, "fingerprint": fingerprint(action)} for action in plan.purge]
    whole = digest({"connections": [(entry["index"], entry["action"], entry["access"], entry["fingerprint"])
                                    for entry in connections],
                    "purge": sorted(entry["fingerprint"] for entry in purge), "scope": plan.scope})
    return {"format": PLAN_FORMAT, "fingerprint": whole, "summary": summary_line(plan.summary()),
            "connections": connections, "purge": purge}


def validate_saved_plan(value, option="apply_plan"):
    """``value`` if it is a plan :func:`saved_plan` returned, else :class:`InputError` naming ``option``."""
    what = "%s must be the saved_plan of an earlier run (check mode) of this module" % option
    if not isinstance(value, dict):
        raise InputError(what)
    if value.get("format") != PLAN_FORMAT:
        raise InputError("%s: its format is %r, this collection applies format %d" % (what, value.get("format"), PLAN_FORMAT))
    for key, kind in (("fingerprint", str), ("connections", list), ("purge", list)):
        if not isinstance(value.get(key), kind):
            raise InputError("%s: its %s is missing or not a %s" % (what, key, kind.__name__))
    for key in ("connections", "purge"):
        if not all(isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in value[key]):
            raise InputError("%s: an entry of its %s has no fingerprint" % (what, key))
    return value


def plan_difference(approved, now):
    """How the plan decided ``now`` differs from the ``approved`` one (both :func:`saved_plan`), one line each;
    empty when they are the same."""
    if approved["fingerprint"] == now["fingerprint"]:
        return []
    differences = []
    was = dict((entry.get("index"), entry) for entry in approved["connections"])
    for entry in now["connections"]:
        before = was.pop(entry["index"], None)
        where = item_label(entry["index"], entry["name"])
        if before is None:
            differences.append("%s is not in the approved plan" % where)
        elif before.get("action") != entry["action"]:
            differences.append("%s: the approved plan says %s, now it is %s (the connection was created, changed or "
                               "deleted meanwhile, or its declaration changed)" % (where, before.get("action"), entry["action"]))
        elif before.get("access") != entry["access"]:
            differences.append("%s: the approved plan says access %s, now it is %s (the connection's access or its "
                               "declaration changed meanwhile)" % (where, before.get("access"), entry["access"]))
        elif before.get("fingerprint") != entry["fingerprint"]:
            differences.append("%s: still %s, but the connection or its declaration changed since the plan was made"
                               % (where, entry["action"]))
    for index, before in sorted(was.items(), key=lambda pair: str(pair[0])):
        differences.append("%s (%s in the approved plan) is no longer declared"
                           % (item_label(index, before.get("name")), before.get("action")))
    purged_before = dict((entry.get("id"), entry) for entry in approved["purge"])
    for entry in now["purge"]:
        before = purged_before.pop(entry["id"], None)
        if before is None:
            differences.append("the purge now also deletes %r (%s)" % (entry["name"], entry["id"]))
        elif before.get("fingerprint") != entry["fingerprint"]:
            differences.append("%r (%s), to purge, changed since the plan was made" % (entry["name"], entry["id"]))
    for connection_id, before in purged_before.items():
        differences.append("%r (%s) is no longer to purge" % (before.get("name"), connection_id))
    return differences or ["the plan's scope or order changed since it was approved"]


# -- apply ---------------------------------------------------------------------------------------------------------------

def converge_set(client, desired_list, scope=None, purge_max=PURGE_MAX, check_mode=False, listing=None, parallel=1,
                 approved=None, resolver=None):
    """Plan, refuse or apply the whole set (see the module docstring); return the result dict.

    ``scope``: ``None`` (no purge) or the purge tags (``[]``: every connection). ``parallel``: how many writes at once.
    ``approved``: a :func:`saved_plan` to apply only while it holds. ``resolver``: the ``PrincipalResolver`` of the
    task (a new one by default). Raises :class:`SetRefused` before any write, or
    :class:`SetFailed` when a write failed (with what was done).
    """
    if listing is None:
        listing = ConnectionListing(serve_ids=True)
    if not desired_list and scope is None:  # nothing declared, nothing to purge: nothing to read
        return _result(SetPlan([], [], None), [], check_mode, [])
    plan = plan_set(client, desired_list, scope, purge_max, listing, resolver=resolver, parallel=parallel)
    if approved is not None:
        difference = plan_difference(approved, saved_plan(plan))
        if difference:
            raise SetRefused(["the organization or the declared connections changed since the plan was approved: %s. "
                              "Make and approve a new plan" % "; ".join(difference)],
                             plan=plan.summary(), difference=difference)
    if check_mode:
        for item in plan.items:
            item.outcome = preview(item.action)
        return _result(plan, list(plan.purge), check_mode, [])

    warnings = []
    writes = [item for item in plan.items if item.action.changes]

    def apply_item(worker, item):
        _apply_item(worker, item, listing)

    run_in_parallel(client, writes, apply_item, parallel)
    for item in plan.items:
        if item.outcome is None and item.failure is None:
            item.outcome = preview(item.action)  # unchanged: nothing to do
    failures = ["%s: %s" % (item.label, item.failure) for item in plan.items if item.failure is not None]
    purged = []
    if failures and plan.purge:
        warnings.append("Nothing was purged because %d change(s) failed; the %d connection(s) to purge are left "
                        "as they are: %s" % (len(failures), len(plan.purge), ", ".join(_display_name(a) for a in plan.purge)))
    elif plan.purge:
        jobs = [Item(None, None, action) for action in plan.purge]
        run_in_parallel(client, jobs, apply_item, parallel)
        for job in jobs:
            if job.outcome is not None:
                warnings.extend(job.outcome.warnings)
            if job.failure is not None:
                failures.append("purge of %s: %s" % (job.action.label(), job.failure))
            elif job.outcome.changed:
                purged.append(job.action)
    for item in plan.items:
        if item.outcome is not None:
            warnings.extend(item.outcome.warnings)
    result = _result(plan, purged, check_mode, warnings)
    if failures:
        raise SetFailed("%d of the planned changes failed: %s" % (len(failures), "; ".join(failures)), result)
    return result


def _apply_item(client, item, listing):
    """One worker's job: apply the item's action; a failure is kept on the item (the other items go on)."""
    try:
        item.outcome = apply(client, item.action, listing)
    except AccessFailed as exc:  # the connection's write was done, its access's failed
        item.outcome = exc.outcome
        item.failure = str(exc)
    except (InputError, TaskFailure) as exc:
        item.failure = str(exc)


def _result(plan, purged, check_mode, warnings):
    """The module's result: the plan, what was done with each item (in declared order), the purged connections."""
    connections, ids, external_ids, diffs = [], {}, {}, []
    done = {CREATE: [], UPDATE: [], DELETE: [], UNCHANGED: 0, "failed": []}
    if plan.manages_access:
        done[ACCESS] = []
    for item in plan.items:
        action, outcome = item.action, item.outcome
        name = item.desired["name"] if item.desired["name"] is not None else action.name
        if item.failure is not None:  # its write failed (the connection's, or its access's after it)
            view = outcome.connection if outcome is not None else {}
            entry = {"name": name, "id": (view or {}).get("id") or action.connection_id, "action": action.kind,
                     "planned": action.kind, "changed": bool(outcome is not None and outcome.changed), "failed": True,
                     "msg": item.failure, "connection": view or {}}
            if action.policy is not None:
                entry.update(access_planned=action.access_kind, access_action=action.access_kind, access=None)
            connections.append(entry)
            done["failed"].append(name)
            continue
        view = outcome.connection or {}
        connection_id = view.get("id") or (action.connection_id if item.desired["state"] == "absent" else None)
        entry = {"name": name, "id": connection_id, "action": outcome.done, "planned": action.kind,
                 "changed": bool(outcome.changed), "connection": view}
        if action.policy is not None:
            entry.update(access_planned=action.access_kind, access_action=outcome.access_done, access=outcome.access)
            if outcome.policy is not None and outcome.policy.changed:
                done[ACCESS].append(name)
        connections.append(entry)
        if outcome.done == UNCHANGED:
            done[UNCHANGED] += 1
        else:
            done[outcome.done].append(name)
        if item.desired["state"] == "present":
            ids[name] = view.get("id")
            if (view.get("integration") or {}).get("type") == "AWS":
                external_ids[name] = view.get("external_id")
        if outcome.changed and outcome.diff is not None:
            diffs.append(_headed(outcome.diff, name, outcome.done if outcome.done != UNCHANGED else ACCESS, check_mode))
    purged_views = []
    for action in purged:
        view = connection_view(action.current)
        purged_views.append(view)
        done[DELETE].append(view["name"])
        diffs.append(_headed(action.diff, view["name"], "purge", check_mode))
    summary = plan.summary()
    changed = any(entry["changed"] for entry in connections) or bool(purged_views)
    result = {"changed": changed, "plan": summary, "summary": summary_line(summary), "done": done,
              "connections": connections, "purged": purged_views, "ids": ids, "external_ids": external_ids,
              "diff": diffs, "warnings": list(warnings)}
    if check_mode:
        result["saved_plan"] = saved_plan(plan)
    return result


def _headed(diff, name, action, check_mode):
    headed = dict(diff)
    verb = {CREATE: "create", UPDATE: "update", DELETE: "delete", "purge": "purge (delete)",
            ACCESS: "access change"}.get(action, action)
    headed["before_header"] = "action connection %r (before)" % (name,)
    headed["after_header"] = "action connection %r (%s%s)" % (name, verb, ", check mode" if check_mode else "")
    return headed
