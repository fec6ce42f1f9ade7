# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Property tests of parallel audit reads (hypothesis): ``parallel=k`` returns exactly what ``parallel=1`` returns, in
the same order, each event once - or fails - for generated event sets.

The events come in bursts of 1 to 8 per millisecond, at different instants inside it, placed on, just before and just
after every initial slice edge (of both sort orders) and at random; page sizes are small, so that page ends fall inside
bursts too, and splitting and carving cut new edges anywhere. Three levels:

* the plan alone, without threads (many examples): the requests in flight are answered in an order hypothesis picks,
  against a store whose millisecond ends mean any of the three things a store may mean by them;
* the whole reader, with its threads and HTTP client, against a scripted search (fewer examples);
* the whole reader against the emulator, at ``parallel`` 2, 8 and 16, with ``fields`` and ``count_by`` (fewer still).

CI runs a bounded, derandomized number of examples (the ``ci`` profile of audit_model); ``make property-tests`` runs
the ``thorough`` profile: many more, random.
"""

from __future__ import annotations

import pytest

from hypothesis import given, settings, strategies as st

from ansible_collections.ddops.datadog.plugins.module_utils._api import DatadogClient
from ansible_collections.ddops.datadog.plugins.module_utils._audit import search_all, validate_search
from ansible_collections.ddops.datadog.plugins.module_utils._audit_fields import make_collector
from ansible_collections.ddops.datadog.plugins.module_utils._audit_plan import ReadPlan, TimeRange, cut_keys
from ansible_collections.ddops.datadog.plugins.module_utils._audit_slices import search_all_parallel
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import ClientOptions
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.audit_model import (
    END_MEANINGS,
    AuditStore,
    examples,
    run_plan,
)
from ansible_collections.ddops.datadog.tests.unit.plugins.module_utils.test_audit_slices import (
    NOW,
    TimedAuditAPI,
    fake_shared,
    make_client,
)

FIRST = 1769000000000
MAX_BURST = 8
COLLECTORS = [{}, {"fields": ["id", "timestamp", "@usr.email"]}, {"count_by": "@usr.email"},
              {"count_by": ["@action", "@usr.email"]}]


def edges_of(first, last, parallel):
    """The initial slice edges of both sort orders (each first key, in times), for ``parallel`` slices."""
    edges = set()
    for sign in (1, -1):
        low, high = sorted((sign * first, sign * last))
        edges.update(sign * piece_low for piece_low, _piece_high in cut_keys(low, high, parallel)[1:])
    return sorted(edges)


@st.composite
def bursts(draw, parallel, max_width=400, max_events=160):
    """``(first, last, instants)``: a range of milliseconds and event instants (epoch microseconds) in bursts of 1 to
    :data:`MAX_BURST` per millisecond, on and around every slice edge of ``parallel`` slices and at random."""
    width = draw(st.integers(min_value=2, max_value=max_width))
    first, last = FIRST, FIRST + width - 1
    around_edges = [edge + offset for edge in edges_of(first, last, parallel) + [first, last] for offset in (-1, 0, 1)]
    places = st.one_of(st.sampled_from(around_edges), st.integers(min_value=first, max_value=last))
    milliseconds = draw(st.lists(places, min_size=0, max_size=max_events // 2))
    instants = []
    for millisecond in milliseconds:
        count = draw(st.integers(min_value=1, max_value=MAX_BURST))
        inside = draw(st.lists(st.integers(min_value=0, max_value=999), min_size=count, max_size=count))
        instants.extend(millisecond * 1000 + microsecond for microsecond in inside)
        if len(instants) >= max_events:
            break
    return first, last, instants


@st.composite
def reads(draw, parallel_levels, max_width=400, max_events=160):
    parallel = draw(st.sampled_from(parallel_levels))
    first, last, instants = draw(bursts(parallel, max_width, max_events))
    sort = draw(st.sampled_from(["timestamp", "-timestamp"]))
    page_size = draw(st.integers(min_value=1, max_value=12))
    limit = draw(st.one_of(st.just(0), st.integers(min_value=1, max_value=len(instants) + 3)))
    return parallel, first, last, instants, sort, page_size, limit


# -- the plan alone, without threads ----------------------------------------------------------------------------------

@settings(max_examples=examples(400))
@given(read=reads([2, 3, 4, 8, 16]), end_meaning=st.sampled_from(END_MEANINGS), order=st.randoms(use_true_random=False))
def test_the_plan_hands_on_what_one_sequential_search_returns_in_every_answer_order(read, end_meaning, order):
    parallel, first, last, instants, sort, page_size, limit = read
    store = AuditStore(instants, end_meaning)
    wanted = limit + 1 if limit else 0  # the reader asks for one more than the limit
    plan = ReadPlan(TimeRange(first, last, str(first), str(last)), sort == "-timestamp", parallel, page_size, wanted)
    handed = [event["id"] for event in run_plan(plan, store, sort, parallel, order.randrange)]
    sequential = store.ids(str(first), str(last), sort)
    assert handed == (sequential[:wanted] if wanted else sequential)
    assert len(set(handed)) == len(handed)


# -- the whole reader, threads and HTTP, against a scripted search --------------------------------------------------

def as_milliseconds(instants):
    return [instant // 1000 for instant in instants], [instant % 1000 for instant in instants]


@settings(max_examples=examples(40))
@given(read=reads([2, 4, 8, 16], max_width=300, max_events=120), collector=st.sampled_from(COLLECTORS))
def test_a_parallel_read_returns_what_the_sequential_read_returns(read, collector):
    parallel, first, last, instants, sort, page_size, limit = read
    times, microseconds = as_milliseconds(instants)
    api = TimedAuditAPI(times, microseconds=microseconds)
    search = validate_search(time_from=str(first), time_to=str(last), sort=sort, limit=limit, page_size=page_size, now=NOW)
    expected = search_all(make_client(api), ["*"], search, make_collector(**collector))
    got = search_all_parallel(make_client(api), ["*"], search, parallel, lambda: make_client(api), now=NOW,
                              shared_factory=fake_shared, collector=make_collector(**collector))
    assert got[0] == expected[0] and got[1] == expected[1]
    if not collector:
        assert len(set(event["id"] for event in got[0])) == len(got[0])


# -- the whole reader against the emulator ---------------------------------------------------------------------------

def emulator_client(emulator):
    return DatadogClient(ClientOptions.from_values(api_key=emulator.api_key, app_key=emulator.app_key, api_url=emulator.url))


@st.composite
def emulator_reads(draw):
    first, last, instants = draw(bursts(8, max_width=600, max_events=240))
    bursts_per_ms = draw(st.integers(min_value=2, max_value=MAX_BURST))
    # every millisecond drawn holds 2 to 8 events here: the instants are regrouped by millisecond and topped up
    milliseconds = sorted(set(instant // 1000 for instant in instants)) or [first]
    stamps = [millisecond + number / float(bursts_per_ms) for millisecond in milliseconds for number in range(bursts_per_ms)]
    sort = draw(st.sampled_from(["timestamp", "-timestamp"]))
    page_size = draw(st.integers(min_value=1, max_value=25))
    limit = draw(st.one_of(st.just(0), st.integers(min_value=1, max_value=len(stamps) + 3)))
    collector = draw(st.sampled_from(COLLECTORS))
    return first, last, stamps, sort, page_size, limit, collector


@pytest.fixture(scope="module")
def emulator(dd_emulator_session):
    return dd_emulator_session


@settings(max_examples=examples(12))
@given(read=emulator_reads())
def test_parallel_2_8_and_16_return_what_parallel_1_returns_from_the_emulator(emulator, read):
    first, last, stamps, sort, page_size, limit, collector = read
    emulator.reset(audit=True)
    emulator.seed_audit(len(stamps), seed=len(stamps), timestamps=stamps)
    search = validate_search(time_from=str(first), time_to=str(last), sort=sort, limit=limit, page_size=page_size)
    expected = search_all(emulator_client(emulator), ["*"], search, make_collector(**collector))
    for parallel in (2, 8, 16):
        got = search_all_parallel(emulator_client(emulator), ["*"], search, parallel, lambda: emulator_client(emulator),
                                  collector=make_collector(**collector))
        assert got[0] == expected[0] and got[1] == expected[1], parallel
