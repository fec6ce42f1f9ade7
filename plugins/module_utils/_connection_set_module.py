# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``datadog_action_connection_set`` as data: its argument spec and run function (see ``_definitions.py``).

Internal use only: not part of the collection's public interface.

The module file's ``main()`` runs :data:`CONNECTION_SET` in a module process; the action plugin of the same name
runs it in the controller process. The logic is in ``_connection_set.py``.
"""

from __future__ import annotations

from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import (
    ActionConnectionError,
    ConnectionListing,
    StepError,
    _shield,
    argument_spec as connection_item_spec,
)
from ansible_collections.ddops.datadog.plugins.module_utils._api import InputError
from ansible_collections.ddops.datadog.plugins.module_utils._connection_set import (
    ITEM_OPTIONS,
    PURGE_MAX,
    SetFailed,
    SetRefused,
    apply_secrets,
    converge_set,
    desired_set,
    item_label,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connections import secret_values
from ansible_collections.ddops.datadog.plugins.module_utils._module import CONNECTION_OPTIONS, ModuleDefinition

NAME = "ddops.datadog.datadog_action_connection_set"
#: Keys of a datadog_action_connection_info result that are not input; the hint points at ``definition``.
_READ_ONLY_KEYS = ("definition", "external_id", "id", "principal_id")


def argument_spec(raw_params=None):
    """The module's own options. As for datadog_action_connection, keys the spec does not know (in the items too)
    become ``no_log`` raw options for this run, so nothing unknown is echoed; the run function refuses them."""
    spec = dict(
        connections=dict(type="list", elements="dict", default=[], options=connection_item_spec()),
        secrets=dict(type="dict", no_log=True, default={}),
        purge=dict(type="bool", default=False),
        purge_tags=dict(type="list", elements="str", default=[]),
        purge_all=dict(type="bool", default=False),
        purge_max=dict(type="int", default=PURGE_MAX),
    )
    if isinstance(raw_params, dict):
        known = set(spec) | set(CONNECTION_OPTIONS)
        for name in raw_params:
            if name not in known and not name.startswith("_ansible_"):
                spec[name] = dict(type="raw", no_log=True)
        _shield(spec, "connections", raw_params.get("connections"))
    return spec


def unsupported(raw_params):
    """Problems with option names the spec does not know, at the top and in each item (names only)."""
    problems = []
    known = set(argument_spec()) | set(CONNECTION_OPTIONS)
    unknown = sorted(name for name in raw_params or {} if name not in known and not name.startswith("_ansible_"))
    if unknown:
        problems.append("Unsupported parameters for (%s) module: %s. Supported parameters include: %s."
                        % (NAME, ", ".join(unknown), ", ".join(sorted(known))))
    items = (raw_params or {}).get("connections")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        if not isinstance(item, dict):
            continue
        extra = sorted(key for key in item if key not in ITEM_OPTIONS)
        if extra:
            hint = ""
            if set(extra) & set(_READ_ONLY_KEYS):
                hint = (" (a connection returned by datadog_action_connection_info is not input: use its definition, "
                        "for example connections | map(attribute='definition'))")
            problems.append("%s has unsupported option(s) %s; supported: %s%s"
                            % (item_label(index, item.get("name")), ", ".join(extra), ", ".join(ITEM_OPTIONS), hint))
    return problems


def run_connection_set(module):
    params = module.params
    for item in params["connections"] or ():
        if isinstance(item, dict):
            module.add_no_log_values(secret_values(item.get("integration")))
    problems = unsupported(module.raw_params)
    if problems:
        module.fail("; ".join(problems))
    try:
        items = apply_secrets(params["connections"] or [], params["secrets"])
        desired_list, scope = desired_set(items, purge=params["purge"], purge_tags=params["purge_tags"],
                                          purge_all=params["purge_all"], purge_max=params["purge_max"])
    except InputError as exc:
        module.fail(str(exc))
    module.connection_options()
    listing = ConnectionListing(serve_ids=True)
    try:
        result = converge_set(module.client, desired_list, scope=scope, purge_max=params["purge_max"],
                              check_mode=module.check_mode, listing=listing)
    except SetRefused as exc:
        module.fail("Refused before any change (%d read of the connection list, no write): %s"
                    % (listing.reads, exc), **exc.details)
    except SetFailed as exc:
        exc.result.pop("diff", None)
        for warning in exc.result.pop("warnings", ()):
            module.warn(warning)
        module.fail(str(exc), **exc.result)
    except ActionConnectionError as exc:
        module.fail(str(exc), **exc.details)
    except StepError as exc:
        module.fail_api(exc.error, exc.action)
    for warning in result.pop("warnings", ()):
        module.warn(warning)
    diff = result.pop("diff", None)
    if module.diff_mode and diff:
        result["diff"] = diff
    module.exit(**result)


CONNECTION_SET = ModuleDefinition(NAME, argument_spec, run_connection_set, wants_raw_params=True,
                                  supports_check_mode=True)
