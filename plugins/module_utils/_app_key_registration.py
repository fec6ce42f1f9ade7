# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Application key registrations for the Actions API: validation and reconcile logic.

Internal use only: not part of the collection's public interface.

Plain Python (no Ansible imports): callers pass a :class:`DatadogClient` and get a plain result dict, so the
logic is unit-tested directly and can later run in the controller process.

Recorded behaviour this relies on (docs/dev/api-behaviour.md): ``PUT`` answers 201 even when the key is already registered,
so ``changed`` is decided from a ``GET`` first; ``DELETE`` answers 204, or 404 when not registered. A write answered
2xx without a usable answer is reconciled by one read; a ``PUT`` answered 204 (no body) is accepted.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure, UnusableAnswerError, operation
from ansible_collections.ddops.datadog.plugins.module_utils._validation import kind_of, normalized_uuid

REGISTRATIONS_PATH = "/api/v2/actions/app_key_registrations"
REGISTRATION_TYPE = "app_key_registration"
DEFAULT_PAGE_SIZE = 100
STATES = ("present", "absent")
#: What each state does, as failure messages word it ("Failed to register application key ...").
VERBS = {"present": "register", "absent": "unregister"}


def validate_app_key_id(value, app_key=None):
    """Return the normalized (lower-case) application key ID or raise :class:`InputError`.

    The value is never echoed: people paste the application key itself here by mistake, and that is a secret.
    """
    if value is not None and app_key and value.strip() == app_key:
        raise InputError("app_key_id is set to the application key itself; it must be the key's ID, a UUID shown next "
                         "to the key in Datadog (Organization Settings > Application Keys), not the secret key")
    app_key_id = normalized_uuid(value)
    if app_key_id is None:
        length = len(value) if isinstance(value, str) else 0
        raise InputError("app_key_id must be the application key's ID, a UUID like 3f6e1c3a-8d2b-4e7f-9a1c-5b0d2e4f6a81 "
                         "(Organization Settings > Application Keys shows it), not the application key itself; got a "
                         "%s of %d characters that is not a UUID" % (kind_of(value), length))
    return app_key_id


def registration_path(app_key_id):
    return "%s/%s" % (REGISTRATIONS_PATH, app_key_id)


def registration_state(app_key_id, registered):
    return {"id": app_key_id, "type": REGISTRATION_TYPE, "registered": registered}


def is_registered(client, app_key_id):
    """One GET: ``True`` when registered (the answer carries the registration), ``False`` on 404."""
    response = client.get(registration_path(app_key_id), expected=(200, 404))
    if response.status == 404:
        return False
    _registration(response.data, registration_path(app_key_id))
    return True


def ensure_registration(client, app_key_id, state="present", check_mode=False):
    """Bring one registration to ``state``; return ``{"changed", "registration", "diff"}``.

    Requests: present & registered = 1 GET; present & missing = GET + PUT; absent = 1 DELETE (check mode: 1 GET).
    A registration is only reported once Datadog's answer names the key; a 2xx answer without it fails.
    Raises :class:`TaskFailure` (``Failed to register application key <id>: HTTP ...``) on an API error.
    """
    if state not in STATES:
        raise InputError("state must be one of %s; got %r" % (", ".join(STATES), state))
    path = registration_path(app_key_id)
    warnings = []
    with operation("%s application key %s" % (VERBS[state], app_key_id)):
        if state == "present":
            before = is_registered(client, app_key_id)
            if not before and not check_mode:
                _register(client, app_key_id, path, warnings)
            after = True
        elif check_mode:
            before = is_registered(client, app_key_id)
            after = False
        else:
            try:
                response = client.delete(path, expected=(200, 204, 404))
            except UnusableAnswerError as exc:
                # Datadog answers an unregistration with 204 and nothing: whether it was applied, a read tells.
                _reconcile(client, app_key_id, exc, registered=False, warnings=warnings)
                response = None
            before = response is None or response.status != 404 or response.unanswered > 0
            if response is not None and response.status == 404 and response.unanswered:
                warnings.append("The unregister request for application key %s got no answer and its retry found the "
                                "key unregistered: this run unregistered it (unless someone else did at the same moment)"
                                % app_key_id)
            after = False
    return {
        "warnings": warnings,
        "changed": before != after,
        "registration": registration_state(app_key_id, after),
        "diff": {"before": {"id": app_key_id, "registered": before}, "after": {"id": app_key_id, "registered": after}},
    }


def _register(client, app_key_id, path, warnings):
    """The PUT of a registration. Datadog answers it 201 naming the key; 204 (no body) is accepted as applied too; a
    2xx answer that cannot be used is reconciled by a read; an answer naming another key fails."""
    try:
        response = client.put(path, expected=(200, 201, 204))
        registered = None if response.status == 204 and response.body is None else response.data
    except UnusableAnswerError as exc:
        _reconcile(client, app_key_id, exc, registered=True, warnings=warnings)
        return
    if registered is None:
        return
    if not isinstance(registered, dict) or str(registered.get("id", "")).lower() != app_key_id:
        raise TaskFailure("Failed to register application key %s: the answer does not name the key "
                          "(PUT %s)" % (app_key_id, path))


def _reconcile(client, app_key_id, error, registered, warnings):
    """After a write answered 2xx without a usable answer: one read says whether the key is now ``registered`` as
    asked (a warning says so) or not (a failure that says the request may not have been applied)."""
    verb = VERBS["present" if registered else "absent"]
    client.stats.outcome_poll()
    now = is_registered(client, app_key_id)
    client.stats.reconciled({"operation": verb, "id": app_key_id, "cause": "unusable answer",
                             "outcome": "applied" if now == registered else "not applied"})
    if now != registered:
        raise TaskFailure("Failed to %s application key %s: Datadog answered HTTP %d but without a usable answer (%s), "
                          "and a read shows the key %s: the request was not applied; run the task again"
                          % (verb, app_key_id, error.status, error, "registered" if now else "not registered"), cause=error)
    shown = "registered" if now else "not registered"
    warnings.append("The %s request for application key %s was answered HTTP %d but without a usable answer (%s), so it "
                    "may have been applied: a read shows the key %s" % (verb, app_key_id, error.status, error, shown))


def list_registrations(client, app_key_id=None, page_size=DEFAULT_PAGE_SIZE):
    """Every registration (all pages), or just ``app_key_id`` (empty list when it is not registered)."""
    with operation("read application key registrations"):
        if app_key_id is not None:
            response = client.get(registration_path(app_key_id), expected=(200, 404))
            if response.status == 404:
                return []
            return [_registration(response.data, registration_path(app_key_id))]
        return [_registration(item) for item in client.paginate(REGISTRATIONS_PATH, page_size=page_size)]


def _registration(item, path=REGISTRATIONS_PATH):
    if not isinstance(item, dict) or "id" not in item:
        raise UnusableAnswerError("unexpected registration in the answer (no 'id' member)", status=200, method="GET",
                                  path=path)
    return {"id": item["id"], "type": item.get("type", REGISTRATION_TYPE)}
