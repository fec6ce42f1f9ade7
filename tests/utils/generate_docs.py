# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write the documentation generated from the action connection catalogue: ``python tests/utils/generate_docs.py``.

Five places are generated, two from ``VARIANTS`` in ``plugins/module_utils/_connections.py``:

- the credential fields of the ``datadog_action_connection`` module documentation (between the ``# BEGIN credential
  fields`` and ``# END credential fields`` lines): each field's description, which credential types use it, whether
  it is secret, its type and its suboptions;
- the variant table of ``docs/action-connections.md`` (between the ``BEGIN VARIANT TABLE`` and ``END VARIANT TABLE``
  comments);
- and from the first: the options of an item of ``datadog_action_connection_set`` (``connections.suboptions``, between
  the ``# BEGIN the options of datadog_action_connection`` and ``# END ...`` lines), the options of
  ``datadog_action_connection`` with their references moved under ``connections[]``;
- the fields of a connection as the modules return it: documented once, under ``connection.contains`` in the
  ``RETURN`` of ``datadog_action_connection``, and copied between the ``# BEGIN the connection of
  datadog_action_connection`` and ``# END ...`` lines into ``connections.contains`` of
  ``datadog_action_connection_info`` and ``connections.contains.connection.contains`` of
  ``datadog_action_connection_set``;
- the ``api`` member of the RETURN documentation of every module in ``plugins/modules/`` (between the ``# BEGIN api``
  and ``# END api`` lines; a module without them fails the check): what the client did, as data
  (``ApiStats.as_result()`` in ``plugins/module_utils/_api_stats.py``).

With ``--check`` nothing is written: the exit status is 1 and a diff is shown when either place differs from what the
catalogue gives (``make test`` runs it in its lint layer). The texts here are documentation only; the collection's
code never reads them.
"""

from __future__ import annotations

import argparse
import atexit
import difflib
import os
import re
import shutil
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE = os.path.join("plugins", "modules", "datadog_action_connection.py")
SET_MODULE = os.path.join("plugins", "modules", "datadog_action_connection_set.py")
INFO_MODULE = os.path.join("plugins", "modules", "datadog_action_connection_info.py")
GUIDE = os.path.join("docs", "action-connections.md")


def _importable_collection(root):
    """The directory to put on ``sys.path`` so that ``root`` imports as ``ansible_collections.ddops.datadog``."""
    if root.split(os.sep)[-3:] == ["ansible_collections", "ddops", "datadog"]:
        return os.path.dirname(os.path.dirname(os.path.dirname(root)))
    base = tempfile.mkdtemp(prefix="ddops-docs-")
    atexit.register(shutil.rmtree, base, True)
    os.makedirs(os.path.join(base, "ansible_collections", "ddops"))
    os.symlink(root, os.path.join(base, "ansible_collections", "ddops", "datadog"))
    return base


if __name__ == "__main__":
    sys.path.insert(0, _importable_collection(ROOT))

# pylint: disable=wrong-import-position
from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import action_connection_options  # noqa: E402
from ansible_collections.ddops.datadog.plugins.module_utils._connections import (  # noqa: E402
    BODY,
    BODY_FIELDS,
    ENTRIES,
    ENTRY_FIELDS,
    TOKEN_TYPES,
    VARIANTS,
)

#: What each credential field holds (the first line of its description).
FIELD_DESCRIPTIONS = {
    "access_token": "Personal access token.",
    "account_id": "The AWS account ID the connection acts in, exactly 12 digits (quote it in YAML).",
    "api_key": "API key of the service. For V(DatadogAPIKey), a Datadog API key of the organization the connection acts on.",
    "api_password": "Password of the ConfigCat Public Management API credentials.",
    "api_token": "API token of the service.",
    "api_username": "User name of the ConfigCat Public Management API credentials.",
    "app_client_id": "Client ID (application ID) of the Azure app registration.",
    "app_key": "Datadog application key of the organization the connection acts on.",
    "auth_email": "E-mail address of the Cloudflare account that owns the global API key.",
    "body": "Request body sent with every request of the HTTP connection.",
    "client_secret": "Client secret of the Azure app registration.",
    "custom_scopes": "Custom OAuth 2 scope requested from Microsoft, C({identifierURI}/.default); used only by the HTTP action.",
    "datacenter": ("Datadog site (datacenter) of the organization the connection acts on, by its name (V(us1), V(eu1), ...) "
                   "or its site parameter (V(datadoghq.com), V(datadoghq.eu), ...)."),
    "domain": "Domain of the Freshservice or Okta account.",
    "global_api_key": "Cloudflare global API key.",
    "headers": "HTTP headers sent with every request, matched by name.",
    "instance": "ServiceNow instance name.",
    "password": "ServiceNow password.",
    "private_key": "Private key of the GCP service account (from its JSON key file).",
    "role": "Name of the IAM role Datadog assumes in that account.",
    "sdk_key": "ConfigCat SDK key.",
    "service_account_email": "E-mail address of the GCP service account.",
    "subdomain": "Custom subdomain used in Datadog URLs the connection generates, for example V(acme) for C(https://acme.datadoghq.com).",
    "tenant_id": "Azure tenant ID (directory ID).",
    "tokens": "Secret tokens, matched by name, that requests of the HTTP connection can reference.",
    "url_parameters": "URL query parameters sent with every request, matched by name.",
    "username": "ServiceNow user name.",
}

#: How the module compares the fields that are not plain strings (the last line of their description).
COMPARISON_NOTES = {
    "body": "Only the keys given are compared.",
    "headers": "Matched by name. A header Datadog has that is not in the list is removed; omit the option to leave the headers alone.",
    "tokens": ("Matched by name. A token Datadog has that is not in the list is removed; omit the option to leave the tokens alone. "
               "Token values are secret; a new token is sent with its value, existing ones only with O(update_secrets=always). "
               "When Datadog leaves tokens out of its answers, only O(update_secrets=always) sends them."),
    "url_parameters": ("Matched by name. A parameter Datadog has that is not in the list is removed; omit the option to leave the "
                       "parameters alone."),
}

#: The descriptions of the suboptions of the HTTP body and of the entries of the HTTP lists.
SUBOPTION_DESCRIPTIONS = {
    ("body", "content"): "The serialized body, for example a JSON document as a string.",
    ("body", "content_type"): "The content type of the body, for example V(application/json).",
    ("headers", "name"): "Header name, unique in the list.",
    ("headers", "value"): ("Header value. Datadog stores and returns it in clear, so it is compared. Do not put secrets here; use "
                           "O(integration.credentials.tokens) for them."),
    ("tokens", "name"): "Token name, unique in the list. Datadog expects a letter followed by letters and digits.",
    ("tokens", "type"): "Token type; Datadog knows only V(SECRET).",
    ("tokens", "value"): ("The token value. Secret (write-only), see O(update_secrets).",
                          "Needed to create the connection, to add a token it does not have yet, and with "
                          "O(update_secrets=always); otherwise it may be left out, as in a definition read back from Datadog "
                          "(RV(ddops.datadog.datadog_action_connection_info#module:connections[].definition))."),
    ("url_parameters", "name"): "Parameter name, unique in the list.",
    ("url_parameters", "value"): "Parameter value. Datadog stores and returns it in clear, so it is compared.",
}

SECRET_NOTE = ("Secret (write-only). Datadog never returns it, so it is never compared; it is sent on create, when the "
               "integration or credential type changes, and on every run with O(update_secrets=always).")

BLOCK_BEGIN = "          # BEGIN credential fields (generated from the catalogue in module_utils/_connections.py)\n"
BLOCK_END = "          # END credential fields\n"
#: Where the credential fields sit in the module documentation (the depth of ``credentials.suboptions``).
FIELD_INDENT = 10
WIDTH = 121

TABLE_BEGIN = "<!-- BEGIN VARIANT TABLE (generated by tests/utils/generate_docs.py from plugins/module_utils/_connections.py) -->\n"
TABLE_END = "<!-- END VARIANT TABLE -->\n"


def variants_using(name):
    """The variants that have a credential field of this name, in catalogue order."""
    return [variant for variant in VARIANTS if variant.field(name) is not None]


def credential_field_names():
    return sorted(set(name for variant in VARIANTS for name in variant.field_names))


def is_secret(name):
    return any(variant.field(name).secret for variant in variants_using(name))


def field_usage(name):
    """The sentence that says which credential types need a field and which may have it."""
    required = [variant.credential for variant in variants_using(name) if variant.field(name).required]
    optional = [variant.credential for variant in variants_using(name) if not variant.field(name).required]
    parts = []
    if required:
        parts.append("Required for %s." % ", ".join("V(%s)" % credential for credential in required))
    if optional:
        parts.append("Optional for %s." % ", ".join("V(%s)" % credential for credential in optional))
    return " ".join(parts)


def _choices(name):
    """The values a string field takes, when the catalogue names them (the same in every variant that has it)."""
    found = set(variant.field(name).choices for variant in variants_using(name))
    if len(found) != 1:
        raise SystemExit("credential field %s takes different values in different variants" % name)
    return found.pop()


def _kind(name):
    return variants_using(name)[0].field(name).kind


def _description(lines, indent):
    """A ``description:`` list, each item wrapped at WIDTH columns."""
    out = [" " * indent + "description:"]
    for line in lines:
        out += textwrap.wrap(line, WIDTH, initial_indent=" " * (indent + 2) + "- ", subsequent_indent=" " * (indent + 4),
                             break_long_words=False, break_on_hyphens=False)
    return out


def _suboptions(name, indent):
    """The ``suboptions:`` of the HTTP body (its keys) or of an HTTP list (its entry fields)."""
    out = [" " * indent + "suboptions:"]
    if _kind(name) == BODY:
        entries = [(key, {"type": "str"}) for key in BODY_FIELDS]
    else:
        entries = []
        for field in ENTRY_FIELDS[name]:
            spec = {"type": "str"}
            if field.name == "type":
                spec.update(choices="[%s]" % ", ".join(TOKEN_TYPES), default=TOKEN_TYPES[0])
            elif field.required and not field.secret:  # a token value is needed only where it is sent
                spec["required"] = "true"
            entries.append((field.name, spec))
    for key, spec in entries:
        out.append(" " * (indent + 2) + key + ":")
        description = SUBOPTION_DESCRIPTIONS[(name, key)]
        out += _description(list(description) if isinstance(description, tuple) else [description], indent + 4)
        for option in ("type", "choices", "default", "required"):
            if option in spec:
                out.append(" " * (indent + 4) + "%s: %s" % (option, spec[option]))
    return out


def credential_fields_block():
    """The module documentation of every credential field, as the lines between the BEGIN and END lines."""
    out = []
    indent = FIELD_INDENT
    for name in credential_field_names():
        lines = [FIELD_DESCRIPTIONS[name], field_usage(name)]
        choices = _choices(name)
        if choices:
            lines.append("One of %s; anything else is refused before any request." % ", ".join("V(%s)" % value for value in choices))
        if is_secret(name):
            lines.append(SECRET_NOTE)
        if name in COMPARISON_NOTES:
            lines.append(COMPARISON_NOTES[name])
        out.append(" " * indent + name + ":")
        out += _description(lines, indent + 2)
        kind = _kind(name)
        if kind == BODY:
            out += [" " * (indent + 2) + "type: dict"] + _suboptions(name, indent + 2)
        elif kind == ENTRIES:
            out += [" " * (indent + 2) + "type: list", " " * (indent + 2) + "elements: dict"] + _suboptions(name, indent + 2)
        else:
            out.append(" " * (indent + 2) + "type: str")
    return "".join(line + "\n" for line in out)


def variant_table_markdown():
    """The variant table of the user guide, one row per credential variant."""
    lines = [
        "| `integration.type` | `credentials.type` | required fields | optional fields | secret (write-only) | set by Datadog |",
        "|---|---|---|---|---|---|",
    ]
    for variant in VARIANTS:
        required = ["`%s`" % field.name for field in variant.integration_fields if field.required]
        required += ["`credentials.%s`" % name for name in variant.required]
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            variant.integration,
            variant.credential,
            ", ".join(required) or "-",
            ", ".join("`credentials.%s`" % name for name in variant.optional) or "-",
            ", ".join("`credentials.%s`" % name for name in variant.secrets) or "-",
            ", ".join("`credentials.%s`" % name for name in variant.read_only) or "-",
        ))
    return "".join(line + "\n" for line in lines)


def _replace_between(text, begin, end, generated, path):
    """``text`` with what stands between the line ``begin`` and the line ``end`` replaced by ``generated``."""
    start = text.find(begin)
    stop = text.find(end, start + 1)
    if start < 0 or stop < 0:
        raise SystemExit("%s: the lines %r and %r are missing" % (path, begin.strip(), end.strip()))
    start += len(begin)
    return text[:start] + generated + text[stop:]


#: The options of datadog_action_connection that are the options of an item of datadog_action_connection_set.
ITEM_OPTIONS = tuple(action_connection_options())
ITEMS_BEGIN = "      # BEGIN the options of datadog_action_connection (generated from its documentation)\n"
ITEMS_END = "      # END the options of datadog_action_connection\n"


def set_item_options(module_text):
    """The options of ``datadog_action_connection`` (from its documentation ``module_text``) as the suboptions of
    ``connections`` of ``datadog_action_connection_set``: indented under it, with O() references to them moved to
    ``connections[]`` and RV(connection...) to RV(connections[].connection...)."""
    lines = module_text.splitlines(True)
    start = lines.index("options:\n") + 1
    block = []
    for line in lines[start:]:
        if line.strip() and not line.startswith(" "):
            break
        block.append(line)
    names = "|".join(ITEM_OPTIONS)
    out = []
    for line in block:
        line = re.sub(r"O\((%s)(?=[.=)])" % names, r"O(connections[].\1", line)
        line = re.sub(r"RV\(connection\.", "RV(connections[].connection.", line)
        out.append("    " + line if line.strip() else line)
    return "".join(out)


API_BEGIN = "# BEGIN api (generated by tests/utils/generate_docs.py)\n"
API_END = "# END api\n"
#: The ``api`` member every module returns (``ModuleHost.api_result``), documented once.
API_RETURN = """\
api:
  description:
    - What the task did against the Datadog API, as data; the task's warnings only summarise it.
    - Also in the result of a failed task (zeros when it failed before any request).
  returned: always
  type: dict
  contains:
    requests:
      description: Requests sent, V(total) and by HTTP method. Every attempt is one, retries and outcome polls included.
      type: dict
      sample: {"total": 3, "GET": 2, "POST": 1}
    retries:
      description:
        - Attempts sent again, V(total) and by cause (V(HTTP 429), V(HTTP 500), V(HTTP 502), V(HTTP 503), V(HTTP 504),
          V(timeout), V(connection error)).
      type: dict
      sample: {"total": 1, "HTTP 429": 1}
    waited:
      description:
        - Seconds spent waiting, in total, rounded to milliseconds - before retries, while a rate limit another parallel
          worker hit was held, and between outcome polls.
      type: float
      sample: 1.0
    outcome_polls:
      description: Reads made to learn whether a write whose answer was lost or unusable had been applied.
      type: int
      sample: 0
    reconciliations:
      description:
        - One record per write whose outcome had to be worked out after a lost, failed or unusable answer, in the order
          they happened. The task's warnings say the same in words.
        - C(operation) is V(create), V(update) or V(delete); C(name) names the connection and C(id) when it is known;
          C(cause) is what the write got (V(no answer), V(HTTP 503), V(unusable answer), ...; never a secret).
        - "C(outcome), for a create: V(adopted) (found by name after all), V(not applied, sent again), V(not applied) (no
          retry left), V(not found) (answered 2xx without a usable body and not found by name), V(unknown) (not shown
          within the wait: Datadog may still apply it); for an update: V(applied) or V(not shown); for a delete: V(gone)
          or V(still there)."
      type: list
      elements: dict
      sample: [{"operation": create, "name": Prod AWS, "id": 0c9ea1e9-2c2c-4bbb-8f6a-1e1e0a6b5f00, "cause": HTTP 503,
                "outcome": adopted}]
"""


CONNECTION_BEGIN = "# BEGIN the connection of datadog_action_connection (generated from its RETURN)\n"
CONNECTION_END = "# END the connection of datadog_action_connection\n"
#: Where the fields of a connection sit in each module's RETURN (the indent of ``id:``).
CONNECTION_INDENT = {MODULE: 4, INFO_MODULE: 4, SET_MODULE: 8}


def connection_fields(module_text):
    """The fields of ``connection.contains`` in the RETURN of ``datadog_action_connection`` (``module_text``), as lines
    indented by 4 spaces."""
    lines = module_text[module_text.index('RETURN = r"""'):].splitlines(True)
    start = lines.index("connection:\n")
    start += next(index for index, line in enumerate(lines[start:]) if line == "  contains:\n") + 1
    block = []
    for line in lines[start:]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line)
    return "".join(block)


def connection_block(fields, indent):
    """The connection's fields between the BEGIN and END lines, at ``indent``."""
    shift = " " * (indent - 4)
    return "".join(shift + line if line.strip() else line for line in fields.splitlines(True))


def generated_files(root=ROOT):
    """``{relative path: (text now, text generated)}`` for every generated place."""
    places = {MODULE: [(BLOCK_BEGIN, BLOCK_END, credential_fields_block())],
              GUIDE: [(TABLE_BEGIN, TABLE_END, variant_table_markdown())]}
    modules = sorted(os.path.join("plugins", "modules", name) for name in os.listdir(os.path.join(root, "plugins", "modules"))
                     if name.endswith(".py") and not name.startswith("_"))
    for path in modules:
        places.setdefault(path, []).append((API_BEGIN, API_END, API_RETURN))
    files = {}
    for path, replacements in places.items():
        with open(os.path.join(root, path), encoding="utf-8") as handle:
            text = handle.read()
        generated = text
        for begin, end, block in replacements:
            generated = _replace_between(generated, begin, end, block, path)
        files[path] = (text, generated)
    text, generated = files[SET_MODULE]
    files[SET_MODULE] = (text, _replace_between(generated, ITEMS_BEGIN, ITEMS_END, set_item_options(files[MODULE][1]),
                                                SET_MODULE))
    fields = connection_fields(files[MODULE][1])
    for path in (INFO_MODULE, SET_MODULE):
        indent = " " * CONNECTION_INDENT[path]
        now, generated = files[path]
        files[path] = (now, _replace_between(generated, indent + CONNECTION_BEGIN, indent + CONNECTION_END,
                                             connection_block(fields, CONNECTION_INDENT[path]), path))
    return files


def stale(root=ROOT):
    """The relative paths whose generated part differs from what the catalogue gives."""
    return sorted(path for path, (now, generated) in generated_files(root).items() if now != generated)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail and show a diff when a generated part is stale")
    args = parser.parse_args(argv)
    files = generated_files()
    changed = [path for path in sorted(files) if files[path][0] != files[path][1]]
    if not changed:
        print("generate_docs.py: %s: up to date" % ", ".join(sorted(files)))
        return 0
    if args.check:
        for path in changed:
            now, generated = files[path]
            sys.stdout.writelines(difflib.unified_diff(now.splitlines(True), generated.splitlines(True), path, path + " (generated)"))
        print("generate_docs.py --check: %s differ from the catalogue; run python tests/utils/generate_docs.py" % ", ".join(changed))
        return 1
    for path in changed:
        with open(os.path.join(ROOT, path), "w", encoding="utf-8") as handle:
            handle.write(files[path][1])
    print("generate_docs.py: wrote %s" % ", ".join(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
