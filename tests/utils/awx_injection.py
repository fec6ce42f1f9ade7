# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a credential of a custom credential type injects, as AWX (and the EDA controller) inject it."""

from __future__ import annotations

from jinja2.sandbox import ImmutableSandboxedEnvironment


def inject(inputs, injectors, given):
    """``{"env": {...}, "extra_vars": {...}}`` of a credential holding the inputs ``given``, as AWX injects them
    (awx/main/models/credential: CredentialInputField.validate, CredentialType.inject_credential): an input left empty
    takes its field's first choice or stays empty, only inputs that are not empty reach the templates, and every
    variable the injectors name is set."""
    stored = {}
    for field in inputs["fields"]:
        if field["id"] in given:
            value = given[field["id"]]
            stored[field["id"]] = value if value else (field["choices"][0] if "choices" in field else "")
    namespace = dict((name, value) for name, value in stored.items() if len(value))
    environment = ImmutableSandboxedEnvironment()
    return dict((section, dict((name, environment.from_string(template).render(**namespace))
                               for name, template in injectors[section].items()))
                for section in ("env", "extra_vars") if section in injectors)
