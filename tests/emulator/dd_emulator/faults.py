# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fault rules: which /api/ requests get a 429, a 5xx, a dropped connection, a slow, lost or malformed answer.

A rule matches a request when its ``method`` (if given) is the request's and its ``route`` (if given) is either the
request's route template or a prefix of the request's path. It lets the first ``skip`` matching requests through, then
fires on the next ``times`` matching requests, or with ``probability`` (seeded by ``seed``), or, with neither, on every
matching request. The first rule that fires wins.

Malformed answers (the request is not applied, unless the rule says ``apply``): ``not_json`` is a 200 with a
plain-text body, ``html_200`` a 200 HTML page (a proxy's or captive portal's), ``no_data`` a 200 JSON object without
``data``, ``empty`` a 204 without a body; ``huge`` (below) may ``apply`` too. ``404`` answers Not Found (not applied):
the item the list just showed is gone; with ``apply``, the request is applied first (a delete that another writer
made just before this one: the item is gone and the answer says so).

Hostile answers (see :mod:`dd_emulator.hostile`): ``echo`` answers an error that repeats what the client sent, in one
of :data:`ECHO_FORMS` (not applied); ``repeat_page`` makes a list route ignore ``page[number]``; ``huge_total`` makes
a list route report ``total`` items and serve fresh made-up items on every page; ``endless_cursor`` makes an audit
route ignore the cursor (a fresh cursor, the same events, forever); ``huge`` answers 200 with ``size`` bytes of JSON,
generated while it is sent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = ("429", "500", "502", "503", "drop", "slow", "lost_answer", "not_json", "html_200", "no_data",
         "echo", "repeat_page", "huge_total", "endless_cursor", "huge", "empty", "404")
#: Kinds whose rule may ``apply`` the request before its answer is replaced (a success answer that cannot be used, or a
#: 404 for what another writer removed just before).
APPLICABLE_KINDS = ("not_json", "html_200", "no_data", "empty", "huge", "404")
#: Kinds after which the request is still applied (``slow`` answers normally, ``lost_answer`` applies then drops).
APPLYING_KINDS = ("slow", "lost_answer")
#: Kinds answered normally, but from a request changed first (``repeat_page``: without ``page[number]``;
#: ``endless_cursor``: without the cursor). They only apply to reads.
REWRITING_KINDS = ("repeat_page", "endless_cursor")
#: How an ``echo`` answer repeats the request (see :func:`dd_emulator.hostile.echo_answer`).
ECHO_FORMS = ("json", "json_values", "json_collapsed", "padded", "text", "html")
LIST_ROUTES = ("/api/v2/actions/connections", "/api/v2/actions/app_key_registrations")
AUDIT_ROUTES = ("/api/v2/audit/events", "/api/v2/audit/events/search")
#: Kinds that only fire on some route templates (elsewhere they do not match, and are not counted as injected).
ROUTES_OF_KIND = {"repeat_page": LIST_ROUTES, "huge_total": LIST_ROUTES, "endless_cursor": AUDIT_ROUTES}
DEFAULT_HUGE_TOTAL = 10 ** 12
DEFAULT_HUGE_SIZE = 400 * 1000 * 1000
RULE_KEYS = ("kind", "method", "route", "skip", "times", "probability", "seed", "reset", "delay", "form", "status", "total",
             "size", "content_length", "apply")


class FaultError(ValueError):
    """A rule that cannot be used; the message says why."""


@dataclass
class FaultRule:
    """One rule and how many faults it has injected so far."""

    kind: str
    method: str | None = None
    route: str | None = None
    skip: int = 0
    times: int | None = None
    probability: float | None = None
    seed: int | None = None
    reset: int = 1
    delay: float = 1.0
    form: str = "json"
    status: int = 400
    total: int = DEFAULT_HUGE_TOTAL
    size: int = DEFAULT_HUGE_SIZE
    content_length: bool = False
    apply: bool = False
    injected: int = 0
    streamed: int = 0
    seen: int = 0
    _random: random.Random = field(default=None, repr=False)

    @classmethod
    def from_json(cls, spec):
        """Build a rule from its control-API form; raise :class:`FaultError` when it is malformed."""
        if not isinstance(spec, dict):
            raise FaultError("a rule must be an object, got %r" % (spec,))
        unknown = sorted(set(spec) - set(RULE_KEYS))
        if unknown:
            raise FaultError("unknown rule key(s) %s; known: %s" % (", ".join(unknown), ", ".join(RULE_KEYS)))
        kind = str(spec.get("kind"))
        if kind not in KINDS:
            raise FaultError("kind must be one of %s, got %r" % (", ".join(KINDS), spec.get("kind")))
        if spec.get("times") is not None and spec.get("probability") is not None:
            raise FaultError("give times or probability, not both")
        try:
            rule = cls(kind=kind, method=spec["method"].upper() if spec.get("method") else None, route=spec.get("route"),
                       skip=int(spec.get("skip", 0)), times=_optional(int, spec.get("times")), probability=_optional(float, spec.get("probability")),
                       seed=_optional(int, spec.get("seed")), reset=int(spec.get("reset", 1)), delay=float(spec.get("delay", 1.0)),
                       form=str(spec.get("form", "json")), status=int(spec.get("status", 400)),
                       total=int(spec.get("total", DEFAULT_HUGE_TOTAL)), size=int(spec.get("size", DEFAULT_HUGE_SIZE)),
                       content_length=_boolean(spec.get("content_length", False), "content_length"),
                       apply=_boolean(spec.get("apply", False), "apply"))
        except (TypeError, ValueError, AttributeError) as error:
            raise FaultError("invalid rule %r: %s" % (spec, error)) from None
        if rule.form not in ECHO_FORMS:
            raise FaultError("form must be one of %s, got %r" % (", ".join(ECHO_FORMS), rule.form))
        if not 400 <= rule.status <= 599:
            raise FaultError("status must be an error status from 400 to 599")
        if rule.total < 0:
            raise FaultError("total must not be negative")
        if rule.size < 128:
            raise FaultError("size must be at least 128 bytes")
        if rule.apply and rule.kind not in APPLICABLE_KINDS:
            raise FaultError("apply is only for the kinds %s" % ", ".join(APPLICABLE_KINDS))
        if rule.times is not None and rule.times < 0:
            raise FaultError("times must not be negative")
        if rule.skip < 0:
            raise FaultError("skip must not be negative")
        if rule.probability is not None and not 0 <= rule.probability <= 1:
            raise FaultError("probability must be between 0 and 1")
        rule._random = random.Random(rule.seed)
        return rule

    def matches(self, method, template, path):
        if self.method and self.method != method:
            return False
        if self.kind in ROUTES_OF_KIND and template not in ROUTES_OF_KIND[self.kind]:
            return False
        if self.kind in ("repeat_page", "huge_total") and method != "GET":  # a POST to the list route is a create
            return False
        return not self.route or self.route == template or path.startswith(self.route)

    def fire(self):
        """Decide (and count) whether this matching request gets the fault."""
        if self.seen < self.skip:
            self.seen += 1
            return False
        if self.times is not None:
            if self.injected >= self.times:
                return False
        elif self.probability is not None and self._random.random() >= self.probability:
            return False
        self.injected += 1
        return True

    def to_json(self):
        described = {"kind": self.kind, "method": self.method, "route": self.route, "skip": self.skip, "times": self.times,
                     "probability": self.probability, "seed": self.seed, "injected": self.injected}
        if self.kind == "429":
            described["reset"] = self.reset
        if self.kind == "slow":
            described["delay"] = self.delay
        if self.kind == "echo":
            described.update(form=self.form, status=self.status)
        if self.kind == "huge_total":
            described["total"] = self.total
        if self.kind == "huge":
            described.update(size=self.size, content_length=self.content_length, streamed=self.streamed)
        if self.kind in APPLICABLE_KINDS:
            described["apply"] = self.apply
        return described


def _optional(convert, value):
    return None if value is None else convert(value)


def _boolean(value, name):
    if not isinstance(value, bool):
        raise ValueError("%s must be true or false" % name)
    return value


class FaultInjector:
    """The active rules, in the order they were added."""

    def __init__(self):
        self.rules = []

    def add(self, specs):
        """Add rules from their control-API form (all or none); return them."""
        if not isinstance(specs, list):
            raise FaultError("rules must be a list")
        rules = [FaultRule.from_json(spec) for spec in specs]
        self.rules.extend(rules)
        return rules

    def clear(self):
        self.rules.clear()

    def pick(self, method, template, path):
        """The rule that fires for this request, or ``None``."""
        for rule in self.rules:
            if rule.matches(method, template, path) and rule.fire():
                return rule
        return None

    def to_json(self):
        return [rule.to_json() for rule in self.rules]
