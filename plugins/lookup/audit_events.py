# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_events
short_description: Search the Datadog Audit Trail
version_added: 0.1.0
description:
  - Returns the Datadog audit events that match one or more search queries, as a flat list of events exactly as
    Datadog returns them (C(id), C(type), C(attributes)); with O(fields), only the fields named, one flat dict per
    event; with O(count_by), how many events hold each value instead of the events.
  - Each term is one search query in the Audit Trail search syntax, for example V(@evt.name:Authentication).
    Without terms the query is V(*) (every event). The events of several terms are concatenated in term order.
  - Reads all pages with C(POST /api/v2/audit/events/search), following the cursor in C(meta.page.after). It stops on an
    empty page, a missing cursor, or once it has read one event more than O(limit), and never asks for more events than
    it still needs. That one event is not returned; it tells that the limit cut the read short, which one warning says,
    naming the limit.
  - The result is complete and in Datadog's order, each event once, or the lookup fails; with O(parallel) too.
  - When Datadog answers C(meta.status=timeout) (partial results) or sends C(meta.warnings), the lookup shows them as
    Ansible warnings. On HTTP 429 it waits the E(X-RateLimit-Reset) seconds Datadog asks for and continues.
  - Every option is checked before the first request; a bad value fails with a message naming the option and what it allows.
  - Use C(query(...)) (or C(lookup(..., wantlist=true))) to always get a list. Plain C(lookup()) turns a single event into
    a dict and no event into an empty string or list, depending on the ansible-core version.
author:
  - ddops.datadog contributors (@ddops)
extends_documentation_fragment:
  - ddops.datadog.connection
  - ddops.datadog.connection.plugins
options:
  _terms:
    description:
      - Search queries in the Audit Trail search syntax, for example V(@evt.name:"Workflow Automation" @action:modified).
      - An empty query, or no term at all, means V(*).
    type: list
    elements: str
    required: false
  from:
    description:
      - Start of the time range.
      - Date math (V(now), V(now-15m), V(now-1d), V(now-7d); units V(s), V(m), V(h), V(d), V(w); rounding like V(now/d)),
        an ISO 8601 time (V(2026-01-31T08:00:00Z)) or epoch milliseconds (V(1769846400000)).
      - Numbers that would fall before 1973 as milliseconds are refused, because they are almost always epoch seconds.
    type: str
    default: now-15m
  to:
    description:
      - End of the time range, in the same forms as O(from).
    type: str
    default: now
  sort:
    description:
      - V(-timestamp) returns the newest events first, V(timestamp) the oldest first.
    type: str
    choices: [timestamp, -timestamp]
    default: -timestamp
  limit:
    description:
      - The most events returned per query (term). The default is V(1000), and V(0) with O(count_by), so that a count
        counts every matching event unless a limit is given.
      - V(0) returns every matching event. Each page costs one request, so a large time range with V(0) can take many
        requests; see O(page_size).
      - When more events match than the limit lets through, the lookup warns, once, naming the limit and the queries it
        cut short. To know it, the read asks for one event more than the limit; when the limit ends exactly on a full
        page (V(limit=1000) at the default O(page_size)) that is one more request, of one event.
    type: int
  page_size:
    description:
      - Events asked for per request, from V(1) to V(1000) (the Datadog maximum).
      - N events cost ceil(N / O(page_size)) requests, plus one final request that returns no event when no more than
        O(limit) events match (Datadog only tells that the results are over with an empty page).
      - The last request only asks for what remains of O(limit), and one event more (see O(limit)).
    type: int
    default: 1000
  timezone:
    description:
      - The timezone Datadog uses for ISO 8601 times without an offset and for date math rounding, for example V(UTC),
        V(GMT), V(UTC+1) or V(Europe/Paris). Datadog's default is V(UTC).
      - Mutually exclusive with O(time_offset).
    type: str
  time_offset:
    description:
      - A time offset in seconds that Datadog applies to the query.
      - Mutually exclusive with O(timezone).
    type: int
  fields:
    description:
      - Return one flat dict per event holding only these fields, instead of the whole event. Much cheaper to keep in a
        fact, template or loop over than whole events (see the collection's C(docs/audit-events.md) for figures).
      - Each path is V(@) followed by the attribute path, as in Datadog queries and facets, for the event's own
        attributes (V(@usr.email), V(@evt.name), V(@action), V(@asset.name)), or one of V(id), V(timestamp),
        V(message), V(service), V(tags). Segments are letters, digits, V(_) and V(-), separated by dots.
      - The key of each field in the result is the path without V(@), dots replaced by V(_) (V(@usr.email) gives
        C(usr_email), V(@evt.name) C(evt_name), V(timestamp) C(timestamp)), in the order of the paths. Two paths that
        give the same key are refused.
      - A path that matches nothing in an event gives V(null). A field that is an object or a list is returned whole.
        A list met before the end of the path fans out as in Datadog facets; the values found in its elements are
        gathered into one flat list (V(null) when there is none).
      - Mutually exclusive with O(count_by). A bad path fails before any request.
    type: list
    elements: str
  count_by:
    description:
      - Return how many events hold each value of this path (or each combination of values of these paths), instead
        of the events. The events are read page by page and never kept, so the result stays small however many events
        are read.
      - Paths as in O(fields). The result is a list of dicts, each holding the key of every path (as in O(fields)) and
        C(count), sorted by C(count), largest first; equal counts in ascending order of their values (numbers, then
        text, then false and true, then lists and objects, then null).
      - An event without the field counts under V(null). An event whose field is a list (such as V(tags)) counts once
        under each distinct element, so the counts can add up to more than the events read.
      - Every matching event is counted, unless O(limit) is given, and then the counts cover the first O(limit) events
        per query, and a warning says when more matched. With several queries (terms) the counts cover all of them, an
        event found by two queries counting twice.
      - Mutually exclusive with O(fields). A bad path fails before any request.
    type: list
    elements: str
  parallel:
    description:
      - How many requests to have in flight at once, from V(1) to V(16). V(1) reads page after page.
      - Above V(1), the time range of each query is cut into that many time slices, each read page by page with its own
        connection, and the events are put back together. The result is the same events in the same order as with V(1),
        each once, or the lookup fails. The events of one millisecond are never split between two slices, and an answer
        out of time order anywhere fails the lookup (see the collection's C(docs/audit-events.md)).
        Worth it for long reads (O(limit=0) or a large O(limit) over days of events), which are bound by Datadog's
        answer time; see the collection's C(docs/audit-events.md).
      - When one slice holds most of the events (a burst), the idle connections take over its unread part in chunks of a
        few pages, so the burst is read by all of them.
      - With a O(limit), the rest of the range is cut into chunks of less than a page ahead of the readers, as far as the
        limit probably reaches, and a slice reads past its first page only once the slices before it are complete, so
        every slice sends at most one request more than its share of the result needs.
      - It costs a few more requests than V(1), and so a little more of Datadog's rate limit; a 429 answer to any slice
        makes all of them wait the E(X-RateLimit-Reset) Datadog asks for. A failure of one slice fails the lookup with
        that slice's message.
      - Date math in O(from) and O(to) is resolved once, on the controller's clock, so that every slice searches the same
        instants. A range that Datadog reads in O(timezone) (ISO 8601 without an offset, rounding such as V(now/d)) or
        with O(time_offset) is read with one request at a time, with a warning. So is a O(limit) that one page covers.
    type: int
    default: 1
notes:
  - The application key needs the C(audit_logs_read) permission. When Datadog refuses the search (HTTP 403 or 401),
    the error says what to check - the keys, the site (or O(api_url)) they belong to, and that permission.
  - A search changes nothing, so unlike a create it is also retried after a 5xx answer or a dropped connection.
  - Variables that feed options are templated first, so C(datadog_api_key) may hold a template such as
    C({{ vault_datadog_api_key }}).
  - Audit Trail search is rate limited by Datadog; see the collection's C(docs/audit-events.md) for request costs.
seealso:
  - name: Datadog Audit Trail
    description: What Datadog records and how to search it.
    link: https://docs.datadoghq.com/account_management/audit_trail/
  - name: Search syntax
    description: The query syntax of the Audit Trail explorer, which the terms use.
    link: https://docs.datadoghq.com/logs/explorer/search_syntax/
"""

EXAMPLES = r"""
- name: Who changed Workflow Automation connections in the last day (newest first, keys from DD_API_KEY / DD_APP_KEY)
  ansible.builtin.debug:
    msg: >-
      {{ item.attributes.timestamp }} {{ item.attributes.attributes.usr.email | default('?') }}
      {{ item.attributes.attributes.action | default('') }} {{ item.attributes.attributes.asset.name | default('') }}
  loop: "{{ query('ddops.datadog.audit_events', '@evt.name:\"Workflow Automation\"', from='now-1d', limit=200) }}"
  loop_control:
    label: "{{ item.id }}"

- name: Every login of the last week, all pages
  ansible.builtin.set_fact:
    all_logins: "{{ query('ddops.datadog.audit_events', '@evt.name:Authentication', from='now-7d', limit=0) }}"

- name: Read the changes that the automation user did not make since the last run (an ISO 8601 time, or the last hour)
  ansible.builtin.set_fact:
    unexpected: >-
      {{ query('ddops.datadog.audit_events',
               '@evt.name:"Workflow Automation" -@usr.email:"automation@example.com"',
               from=last_run_started | default('now-1h'), limit=20) }}

- name: Fail when there is any
  ansible.builtin.assert:
    that: unexpected | length == 0
    fail_msg: "Unexpected changes: {{ unexpected | map(attribute='attributes.message') | join('; ') }}"

- name: Several queries, oldest first, keys from variables (datadog_api_key, datadog_app_key, datadog_site)
  ansible.builtin.set_fact:
    recent_changes: >-
      {{ query('ddops.datadog.audit_events', '@action:created', '@action:deleted',
               from='2026-01-31T00:00:00Z', to='2026-02-01T00:00:00Z', sort='timestamp') }}
  vars:
    datadog_api_key: "{{ vault_datadog_api_key }}"
    datadog_app_key: "{{ vault_datadog_app_key }}"
    datadog_site: datadoghq.eu

- name: Keep only who did what and when (flat dicts; cheap to keep in a fact even for a month of events)
  ansible.builtin.set_fact:
    changes: >-
      {{ query('ddops.datadog.audit_events', '@evt.name:"Workflow Automation"', from='now-30d', limit=0,
               fields=['timestamp', '@usr.email', '@action', '@asset.name']) }}

- name: Show the deletions among them
  ansible.builtin.debug:
    msg: "{{ item.timestamp }} {{ item.usr_email }} deleted {{ item.asset_name }}"
  loop: "{{ changes | selectattr('action', 'equalto', 'deleted') | list }}"
  loop_control:
    label: "{{ item.asset_name }}"

- name: Who changed Workflow Automation most in the last 30 days (one small result, whatever the number of events)
  ansible.builtin.debug:
    msg: "{{ item.usr_email }}: {{ item.count }} changes"
  loop: >-
    {{ query('ddops.datadog.audit_events', '@evt.name:"Workflow Automation"', from='now-30d', count_by='@usr.email') }}
  loop_control:
    label: "{{ item.usr_email }}"

- name: Changes per user and action
  ansible.builtin.set_fact:
    per_user_and_action: >-
      {{ query('ddops.datadog.audit_events', '@evt.name:"Workflow Automation"', from='now-30d',
               count_by=['@usr.email', '@action']) }}

- name: A month of events, 8 requests at a time (same events and order as parallel=1, in a fraction of the time)
  ansible.builtin.set_fact:
    month_of_events: "{{ query('ddops.datadog.audit_events', '*', from='now-30d', limit=0, sort='timestamp', parallel=8) }}"

- name: lookup() with wantlist=true is the same as query()
  ansible.builtin.debug:
    msg: "{{ lookup('ddops.datadog.audit_events', '@evt.name:Monitor', from='now-1h', wantlist=true) | length }} monitor events"
"""

RETURN = r"""
_list:
  description:
    - The audit events, as Datadog returns them, for every term in turn.
    - >-
      With O(fields), one dict per event instead, in the same order, holding the key of each path (for example
      C({"timestamp": "2026-01-31T08:15:02.000Z", "usr_email": "ada@example.com", "action": "modified"})).
    - >-
      With O(count_by), one dict per distinct value instead (for example C({"usr_email": "ada@example.com", "count": 42})),
      largest count first.
  type: list
  elements: dict
  contains:
    id:
      description: Unique ID of the event.
      type: str
      sample: AAAAAWgN8Xwgr1vKDQAAAABBV2dOOFh3ZzZobm1mWXJFYTR0OA
    type:
      description: Always V(audit).
      type: str
      sample: audit
    attributes:
      description:
        - C(timestamp), C(message), C(service), C(tags) and C(attributes), the event's own attributes such as C(evt.name),
          C(usr), C(action), C(asset) and C(http).
      type: dict
      sample:
        timestamp: "2026-01-31T08:15:02.000Z"
        service: workflow-automation
        message: Ada Lovelace modified action connection "aws-prod"
        tags: ["source:audit"]
        attributes:
          evt: {name: Workflow Automation}
          action: modified
          usr: {email: ada@example.com}
"""

from ansible.errors import AnsibleLookupError
from ansible.utils.display import Display

from ansible_collections.ddops.datadog.plugins.module_utils._audit import DEFAULT_LIMIT, search_all, validate_queries, validate_search
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import make_collector
from ansible_collections.ddops.datadog.plugins.module_utils._audit_slices import search_all_parallel, validate_parallel
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, TaskFailure
from ansible_collections.ddops.datadog.plugins.plugin_utils._lookup import DatadogLookupBase

display = Display()

# The search options, as the lookup names them and as validate_search() takes them.
SEARCH_OPTIONS = (("from", "time_from"), ("to", "time_to"), ("sort", "sort"), ("limit", "limit"), ("page_size", "page_size"),
                  ("timezone", "timezone"), ("time_offset", "time_offset"))


class LookupModule(DatadogLookupBase):

    def run(self, terms, variables=None, **kwargs):
        name = self.plugin_name()
        try:
            self.check_keywords(kwargs)
            queries = validate_queries(terms)
            # The keywords are checked first so that a bad value fails with a message that says what is allowed,
            # not with the generic type error of the option system ...
            validate_search(**dict((argument, kwargs[option]) for option, argument in SEARCH_OPTIONS if option in kwargs))
            make_collector(fields=kwargs.get("fields"), count_by=kwargs.get("count_by"))
            validate_parallel(kwargs.get("parallel"))
            self.set_options(var_options=self.option_variables(variables), direct=kwargs)
            # ... then every value is read through get_option, like the connection options.
            values = dict((argument, self.get_option(option)) for option, argument in SEARCH_OPTIONS)
            if values["limit"] is None:  # a count counts every matching event unless a limit is given
                values["limit"] = 0 if self.get_option("count_by") is not None else DEFAULT_LIMIT
            settings = validate_search(**values)
            collector = make_collector(fields=self.get_option("fields"), count_by=self.get_option("count_by"))
            parallel = validate_parallel(self.get_option("parallel"))
        except InputError as exc:
            raise AnsibleLookupError("%s: %s" % (name, exc)) from None

        with self.client() as client:
            try:
                if parallel > 1:  # time slices read at once, one client (session) per thread
                    result, warnings, dummy = search_all_parallel(client, queries, settings, parallel,
                                                                  lambda: self.client(client.options), collector=collector)
                else:
                    result, warnings, dummy = search_all(client, queries, settings, collector)
            except TaskFailure as exc:
                raise AnsibleLookupError("%s: %s" % (name, exc)) from None
            finally:
                self.warn_about_retries(client)
        for warning in warnings:
            display.warning("%s: %s" % (name, warning))
        return result
