# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Keeping secrets out of every message built from a server's answer.

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

A server (or a proxy on the way) may echo what it received - keys, credentials - in any form: as sent, stripped,
JSON- or HTML-escaped, with its whitespace collapsed. :class:`Scrubber` knows every form of every secret it was given
and replaces them with :data:`MASK` in a text *before* the text is shortened or normalised, so that no cut or join
can let a piece through. Every description of an answer a message can carry (:meth:`Scrubber.describe_json`,
:meth:`Scrubber.describe_text`) goes through it.
"""

from __future__ import annotations

import html
import json
import re
import threading

#: What a secret is replaced with, wherever the collection hides one (messages, diffs, results).
MASK = "********"
#: How much of a text answer a message shows.
SNIPPET_LENGTH = 160
#: How many keys of an unexpected JSON object a message names.
KEYS_SHOWN = 8
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def secret_forms(value):
    """The forms a secret takes in a server's text: as sent, stripped, JSON- and HTML-escaped, whitespace-collapsed."""
    value = str(value)
    forms = set()
    for variant in (value, value.strip(), " ".join(value.split())):
        forms.update((variant, json.dumps(variant)[1:-1], json.dumps(variant, ensure_ascii=False)[1:-1],
                      html.escape(variant), html.escape(variant, quote=False)))
    return set(form for form in forms if form.strip())


class Scrubber(object):
    """Every known form of every secret it was given, replaced by :data:`MASK` in any text. Thread-safe: secrets may
    be added while other threads scrub."""

    def __init__(self, values=()):
        self._lock = threading.Lock()
        self._forms = ()
        self.add(values)

    def add(self, values):
        """More values that must never reach a message."""
        with self._lock:
            forms = set(self._forms)
            for value in values:
                if value:
                    forms.update(secret_forms(value))
            # Longest first: a secret containing another one is masked whole.
            self._forms = tuple(sorted(forms, key=len, reverse=True))

    def scrub(self, text):
        """``text`` with every form of every known secret replaced by :data:`MASK`."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def describe_json(self, body):
        """A decoded JSON answer in a few words (the keys of an object, else its type), scrubbed."""
        if isinstance(body, dict):
            return self.scrub("an object with keys %s" % (", ".join(sorted(str(key) for key in body)[:KEYS_SHOWN]) or "none"))
        if body is None:
            return "an empty answer"
        return "a JSON %s" % type(body).__name__

    def describe_text(self, content_type, text, size):
        """A text answer in a few words: its type, size and title or first words. ``text`` is scrubbed first, then
        shortened."""
        text = self.scrub(text)
        title = _HTML_TITLE.search(text)
        snippet = " ".join((title.group(1) if title else text).split())
        if len(snippet) > SNIPPET_LENGTH:
            snippet = snippet[:SNIPPET_LENGTH] + "..."
        return self.scrub("a %s answer (%d bytes): %r" % ((content_type or "no content type").split(";")[0], size, snippet))

    def describe(self, content_type, text):
        """An answer's text in a few words: as JSON when it is JSON, else as text."""
        try:
            body = json.loads(text)
        except ValueError:
            return self.describe_text(content_type, text, len(text.encode("utf-8")))
        return self.describe_json(body)
