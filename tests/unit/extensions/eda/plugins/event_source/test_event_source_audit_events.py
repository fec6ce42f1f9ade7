# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ddops.datadog.audit_events event source, loaded the way ansible-rulebook loads it (``runpy.run_path``) and driven
through its ``main(queue, args)`` entry point against the local emulator, without ansible-rulebook.

No assertion depends on how long anything took: every wait is for a condition, with a generous bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import runpy
import shutil
import subprocess
import sys
import threading
import time
import traceback

from types import SimpleNamespace

import pytest
import yaml

from dd_emulator.server import Emulator

from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import OPTIONS

SEARCH_ROUTE = "POST /api/v2/audit/events/search"
BOUND = 90  # seconds: the most any condition wait may take before the test fails
DATADOG_ENVIRONMENT = ("DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DATADOG_APP_KEY", "DD_SITE", "DD_API_URL")


def _collection_root():
    path = os.path.dirname(os.path.abspath(__file__))
    while not os.path.exists(os.path.join(path, "galaxy.yml")):
        parent = os.path.dirname(path)
        assert parent != path, "galaxy.yml not found above %s" % __file__
        path = parent
    return path


ROOT = _collection_root()
PLUGIN_PATH = os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "audit_events.py")


@pytest.fixture(scope="module")
def plugin():
    return SimpleNamespace(**runpy.run_path(PLUGIN_PATH))


@pytest.fixture(autouse=True)
def clean_datadog_environment(monkeypatch):
    for name in DATADOG_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator():
    with Emulator() as running:
        yield running


def source_args(emulator, **extra):
    args = {"api_url": emulator.url, "api_key": emulator.api_key, "app_key": emulator.app_key, "interval": 0.1,
            "retry_backoff": 0.05, "retry_max_wait": 1}
    args.update(extra)
    return args


def searches(emulator):
    return emulator.counts()["routes"].get(SEARCH_ROUTE, 0)


async def until(condition, what):
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting for %s" % what
        await asyncio.sleep(0.02)


class Run(object):
    """One running source: ``queue``, ``task``, the events delivered so far (``delivered``)."""

    def __init__(self, plugin, args, queue=None):
        self.queue = asyncio.Queue() if queue is None else queue
        self.task = asyncio.ensure_future(plugin.main(self.queue, args))
        self.delivered = []

    def drain(self):
        while not self.queue.empty():
            self.delivered.append(self.queue.get_nowait())
        if self.task.done():
            self.task.result()  # the source stopped: show why
        return self.delivered

    async def collect(self, count, emulator, settle_polls=5):
        """Wait for ``count`` events, then ``settle_polls`` more searches (duplicates would show up by then)."""
        await until(lambda: len(self.drain()) >= count, "%d events (have %d)" % (count, len(self.delivered)))
        done = searches(emulator)
        await until(lambda: searches(emulator) >= done + settle_polls and not self.drain() is None, "%d more polls" % settle_polls)
        return [entry["audit_event"] for entry in self.drain()]

    async def stop(self):
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def run(scenario):
    """Run an async scenario in a fresh event loop."""
    return asyncio.run(asyncio.wait_for(scenario(), BOUND * 2))


def ids(events):
    return [event["id"] for event in events]


def everything(emulator):
    """Every event the emulator's search shows, oldest first, as the API returns them."""
    body = {"filter": {"from": "now-1d", "to": "now+1d"}, "sort": "timestamp", "page": {"limit": 1000}}
    import requests  # pylint: disable=import-outside-toplevel
    answer = requests.post(emulator.url + "/api/v2/audit/events/search", json=body, headers=emulator.headers, timeout=10)
    assert answer.status_code == 200
    return answer.json()["data"]


def add(emulator, count, label, **spec):
    specs = [dict({"message": "%s %d" % (label, number)}, **spec) for number in range(count)]
    return [entry["id"] for entry in emulator.add_audit_events(*specs)]


# -- delivery ---------------------------------------------------------------------------------------------------

def test_with_fields_each_event_is_delivered_once_as_the_fields_of_the_api_object(plugin, emulator):
    async def scenario():
        source = Run(plugin, source_args(emulator, page_size=4, fields="timestamp, @usr.email, @evt.name, @no.such"))
        await until(lambda: searches(emulator) >= 1, "the first poll")
        added = add(emulator, 5, "first", attributes={"evt": {"name": "Workflow Automation"}, "usr": {"email": "ada@example.com"}})
        await until(lambda: searches(emulator) >= 3, "another poll")
        added += add(emulator, 4, "second")
        delivered = await source.collect(len(added), emulator)
        await source.stop()
        return added, delivered

    added, delivered = run(scenario)
    api_objects = [event for event in everything(emulator) if event["id"] in set(added)]
    assert len(api_objects) == 9
    assert delivered == [{"timestamp": event["attributes"]["timestamp"],
                          "usr_email": event["attributes"]["attributes"].get("usr", {}).get("email"),
                          "evt_name": event["attributes"]["attributes"]["evt"]["name"], "no_such": None}
                         for event in api_objects]
    assert [row["usr_email"] for row in delivered] == ["ada@example.com"] * 5 + [None] * 4


def test_n_events_added_while_it_runs_are_delivered_exactly_once_oldest_first_as_the_api_returns_them(plugin, emulator):
    # Before start=now: a second and an hour earlier. (An event stamped in the very millisecond the source resolves
    # "now" is at its start, so it is delivered: the range starts there, inclusive, as Datadog's "from" does.)
    emulator.add_audit_events({"message": "just before the start", "timestamp": "now-1s"},
                              {"message": "long before", "timestamp": "now-1h"})

    async def scenario():
        source = Run(plugin, source_args(emulator, page_size=7))
        await until(lambda: searches(emulator) >= 1, "the first poll")
        added = []
        for burst in range(6):
            added += add(emulator, 10, "burst %d" % burst)
            await until(lambda: searches(emulator) >= burst + 3, "another poll")
        delivered = await source.collect(len(added), emulator)
        await source.stop()
        return added, delivered

    added, delivered = run(scenario)
    assert len(delivered) == 60 and len(set(ids(delivered))) == 60
    assert ids(delivered) == added  # oldest first: the order the emulator recorded them
    assert delivered == [event for event in everything(emulator) if event["id"] in set(added)]  # the API's own objects
    agents = {entry["user_agent"] for entry in emulator.responses_log() if entry["user_agent"].startswith("ddops.datadog/")}
    assert agents and all(agent.endswith("; event source ddops.datadog.audit_events)") for agent in agents)


def test_start_in_the_past_delivers_the_events_already_there_and_the_query_filters(plugin, emulator):
    old = add(emulator, 3, "old", timestamp="now-30m", attributes={"evt": {"name": "Kept"}})
    add(emulator, 2, "other", timestamp="now-20m", attributes={"evt": {"name": "Other"}})
    add(emulator, 1, "too old", timestamp="now-2h", attributes={"evt": {"name": "Kept"}})

    async def scenario():
        source = Run(plugin, source_args(emulator, start="now-1h", query="@evt.name:Kept"))
        first = await source.collect(3, emulator)
        new = add(emulator, 2, "new", attributes={"evt": {"name": "Kept"}})
        add(emulator, 2, "new other", attributes={"evt": {"name": "Other"}})
        source.delivered = []
        second = await source.collect(2, emulator)
        await source.stop()
        return first, new, second

    first, new, second = run(scenario)
    assert ids(first) == old and ids(second) == new


def test_late_indexed_events_are_delivered_once_within_the_overlap_and_missed_without_it(plugin):
    def scenario_for(emulator, overlap):
        async def scenario():
            source = Run(plugin, source_args(emulator, start="now-10m", overlap=overlap))
            await until(lambda: searches(emulator) >= 2, "two polls")
            on_time = add(emulator, 20, "on time")
            late = add(emulator, 15, "late", timestamp="now-20s", visible_after=0.5)
            later = add(emulator, 5, "later", timestamp="now-40s", visible_after=1.5)
            await until(lambda: emulator.dump_state(debug=True)["audit_events_pending"] == 0, "the late events to be indexed")
            expected = len(on_time) + (len(late) + len(later) if overlap else 0)
            delivered = await source.collect(expected, emulator, settle_polls=10)
            await source.stop()
            return on_time, late + later, delivered
        return scenario

    with Emulator() as emulator:
        on_time, late, delivered = run(scenario_for(emulator, overlap=60))
        assert sorted(ids(delivered)) == sorted(on_time + late) and len(delivered) == 40
        assert ids(delivered)[:20] == on_time  # the late ones come after: they became searchable later
    with Emulator() as emulator:
        on_time, late, delivered = run(scenario_for(emulator, overlap=0))
        assert ids(delivered) == on_time  # without the overlap window every late event is lost


def test_exactly_once_under_429_503_dropped_connections_and_malformed_answers(plugin, emulator):
    route = "/api/v2/audit/events/search"
    # Each kind once for sure (after a few requests), then about a third of all requests at random.
    emulator.add_faults(*[{"kind": kind, "route": route, "skip": 3, "times": 1, "reset": 0}
                          for kind in ("no_data", "html_200", "429", "drop", "503", "not_json")])
    emulator.add_faults(
        {"kind": "429", "route": route, "probability": 0.1, "seed": 1, "reset": 0},
        {"kind": "503", "route": route, "probability": 0.1, "seed": 2},
        {"kind": "drop", "route": route, "probability": 0.1, "seed": 3},
    )

    async def scenario():
        source = Run(plugin, source_args(emulator, page_size=10, overlap=30))
        await until(lambda: searches(emulator) >= 3, "three search requests")
        added = []
        for burst in range(5):
            added += add(emulator, 8, "burst %d" % burst)
            await until(lambda: searches(emulator) >= 10 * (burst + 1), "more requests")
        # A streak longer than the client's retries: whole polls fail, the source backs off and reads the range again.
        emulator.add_faults({"kind": "503", "route": route, "times": 12})
        added += add(emulator, 8, "during the outage")
        await until(lambda: emulator.faults()[-1]["injected"] == 12, "the outage")
        added += add(emulator, 8, "after the outage")
        delivered = await source.collect(len(added), emulator, settle_polls=10)
        await source.stop()
        return added, delivered

    added, delivered = run(scenario)
    assert len(delivered) == len(added) == 56
    assert sorted(ids(delivered)) == sorted(added) and len(set(ids(delivered))) == 56
    assert [rule["injected"] for rule in emulator.faults() if rule["times"]] == [1, 1, 1, 1, 1, 1, 12]
    assert sum(rule["injected"] for rule in emulator.faults() if rule["probability"]) > 0


# -- a checkpoint: going on after a restart ------------------------------------------------------------------------

def test_a_source_started_again_with_its_checkpoint_delivers_the_events_of_its_downtime_each_once(plugin, emulator, tmp_path):
    checkpoint = str(tmp_path / "audit-events.checkpoint.json")

    async def first_run():
        source = Run(plugin, source_args(emulator, start="now-1m", checkpoint=checkpoint))
        await until(lambda: searches(emulator) >= 1, "the first poll")
        added = add(emulator, 5, "before the stop")
        delivered = await source.collect(len(added), emulator)
        await source.stop()
        return added, delivered

    async def second_run():
        source = Run(plugin, source_args(emulator, checkpoint=checkpoint))  # start=now: the checkpoint wins
        delivered = await source.collect(len(downtime), emulator, settle_polls=8)
        await source.stop()
        return delivered

    before, delivered_before = run(first_run)
    assert ids(delivered_before) == before
    last = next(event for event in everything(emulator) if event["id"] == before[-1])["attributes"]["timestamp"]
    downtime = add(emulator, 3, "same millisecond as the last one delivered", timestamp=last)
    downtime += add(emulator, 2, "same millisecond, indexed late", timestamp=last, visible_after=0.5)
    downtime += add(emulator, 4, "while it was stopped")
    downtime += add(emulator, 3, "indexed late", timestamp="now-10s", visible_after=0.5)
    text = open(checkpoint).read()
    assert all(event_id in text for event_id in before)
    assert emulator.api_key not in text and emulator.app_key not in text
    delivered_after = run(second_run)
    assert sorted(ids(delivered_after)) == sorted(downtime) and len(set(ids(delivered_after))) == len(downtime)
    assert not set(ids(delivered_after)) & set(before)


def test_stopped_in_the_middle_of_a_polls_events_it_delivers_the_rest_after_a_restart_and_none_twice(plugin, emulator, tmp_path):
    checkpoint = str(tmp_path / "audit-events.checkpoint.json")
    added = add(emulator, 10, "waiting", timestamp="now-30s")

    async def first_run():
        queue = asyncio.Queue(maxsize=1)  # a rule engine that takes one event at a time: the source waits on put
        source = Run(plugin, source_args(emulator, start="now-1m", checkpoint=checkpoint), queue=queue)
        taken = [await asyncio.wait_for(queue.get(), BOUND) for _number in range(3)]
        await until(queue.full, "the source to put the 4th event and wait with the 5th")
        await source.stop()
        taken += [queue.get_nowait() for _number in range(queue.qsize())]  # put on the queue: delivered
        return [entry["audit_event"] for entry in taken]

    async def second_run():
        source = Run(plugin, source_args(emulator, start="now-1m", checkpoint=checkpoint))
        delivered = await source.collect(len(added) - len(first), emulator)
        await source.stop()
        return delivered

    first = run(first_run)
    assert ids(first) == added[:4]
    second = run(second_run)
    assert ids(first) + ids(second) == added


@pytest.mark.parametrize("content, words", [
    (None, "no checkpoint at {path} yet; starting from start=now-1m"),
    ("{half a checkpoint", "the checkpoint {path} cannot be read (JSONDecodeError); starting from start=now-1m"),
])
def test_a_missing_or_unreadable_checkpoint_starts_from_start_with_a_warning(plugin, emulator, tmp_path, caplog, content, words):
    path = tmp_path / "audit-events.checkpoint.json"
    if content is not None:
        path.write_text(content)
    added = add(emulator, 2, "already there", timestamp="now-30s")

    async def scenario():
        source = Run(plugin, source_args(emulator, start="now-1m", checkpoint=str(path)))
        delivered = await source.collect(len(added), emulator)
        await source.stop()
        return delivered

    assert ids(run(scenario)) == added
    assert words.format(path=str(path)) in caplog.text
    assert json.loads(path.read_text())["delivered"]  # written anew


# -- failures that stop it, bad arguments ----------------------------------------------------------------------

def test_a_first_poll_refused_for_a_wrong_key_or_query_stops_the_source_with_one_clear_line(plugin, emulator):
    for args, words in (
        (source_args(emulator, app_key="not-the-right-application-key"),
         "HTTP 403: Forbidden (POST /api/v2/audit/events/search). Check that the API key and the application key are keys "
         "of the Datadog organization at %s (the site or api_url option), and that the application key has the "
         "audit_logs_read permission" % emulator.url),
        (source_args(emulator, query="name:foo~2"), "HTTP 400"),
    ):
        emulator.reset(counts=True)
        with pytest.raises(Exception) as caught:
            run(lambda: plugin.main(asyncio.Queue(), args))
        message = str(caught.value)
        assert message.startswith("ddops.datadog.audit_events: Failed to search audit events") and words in message
        assert "\n" not in message and "not-the-right-application-key" not in message and emulator.api_key not in message
        assert searches(emulator) == 1  # refused, not retried


@pytest.mark.parametrize("bad, words", [
    ({"interval": 0}, "interval must be a number of seconds greater than 0"),
    ({"interval": "often"}, "interval must be a number of seconds greater than 0"),
    ({"page_size": 5000}, "page_size must be an integer from 1 to 1000"),
    ({"start": "last tuesday"}, "start must be date math such as now"),
    ({"start": "now+1d"}, "is in the future"),
    ({"overlap": -1}, "overlap must be a number of seconds of at least 0"),
    ({"query": ["a", "b"]}, "query must be an Audit Trail search query string"),
    ({"site": "datadoghq.org", "api_url": None}, "site 'datadoghq.org' is not a Datadog site"),
    ({"api_url": "http://example.com"}, "http:// is only allowed for loopback hosts"),
    ({"validate_certs": "perhaps"}, "validate_certs must be a boolean"),
    ({"timeout": 0}, "timeout must be greater than 0"),
    ({"retries": -1}, "retries must be at least 0"),
    ({"api_key": None}, "api_key is required: set the api_key option or the DD_API_KEY (or DATADOG_API_KEY)"),
    ({"app_key": ""}, "app_key is required"),
    ({"intervall": 5}, "unknown argument intervall; the arguments are: api_key, api_url, app_key, checkpoint, fields, interval"),
    ({"fields": ["usr.email"]}, "fields item 1 is not a path: 'usr.email' (did you mean '@usr.email'?)"),
    ({"fields": {"path": "@usr.email"}}, "fields must be a path or a list of paths"),
    ({"checkpoint": 5}, "checkpoint must be the path of a file where the source records where it is"),
    ({"checkpoint": "/no/such/directory/checkpoint.json"}, "checkpoint: the directory /no/such/directory does not exist"),
    ({"checkpoint": "/"}, "checkpoint must be the path of a file, but / is a directory"),
])
def test_bad_arguments_fail_at_start_naming_the_argument_before_any_request(plugin, emulator, bad, words):
    args = source_args(emulator)
    args.update(bad)
    with pytest.raises(ValueError) as caught:
        run(lambda: plugin.main(asyncio.Queue(), args))
    assert str(caught.value).startswith("ddops.datadog.audit_events: ") and words in str(caught.value)
    assert emulator.api_key not in str(caught.value) and emulator.app_key not in str(caught.value)
    assert emulator.counts()["total"] == 0


def test_arguments_fall_back_to_the_environment_dd_names_first(plugin, emulator, monkeypatch):
    environ = {"DATADOG_API_KEY": "from-datadog-api-key", "DD_API_KEY": "from-dd-api-key", "DATADOG_APP_KEY": "from-datadog-app-key",
               "DD_SITE": "eu"}
    options, settings = plugin.configure({}, environ)
    assert (options.api_key, options.app_key, options.base_url) == ("from-dd-api-key", "from-datadog-app-key", "https://api.datadoghq.eu")
    options, dummy = plugin.configure({"api_key": "given", "site": "us5", "eda_feedback_queue": object()}, environ)
    assert (options.api_key, options.base_url) == ("given", "https://api.us5.datadoghq.com")
    assert settings.query == "*" and settings.interval == 30

    monkeypatch.setenv("DD_API_URL", emulator.url)
    monkeypatch.setenv("DATADOG_API_KEY", emulator.api_key)
    monkeypatch.setenv("DD_APP_KEY", emulator.app_key)

    async def scenario():
        source = Run(plugin, {"interval": 0.1})
        await until(lambda: searches(emulator) >= 1, "the first poll")
        added = add(emulator, 3, "env")
        delivered = await source.collect(3, emulator)
        await source.stop()
        return added, delivered

    added, delivered = run(scenario)
    assert ids(delivered) == added


# -- stopping, secrets, documentation ---------------------------------------------------------------------------

def test_cancelling_stops_it_at_once_even_while_a_request_waits_for_its_retry(plugin, emulator):
    emulator.add_faults({"kind": "429", "route": "/api/v2/audit/events/search", "skip": 2, "reset": 3600})

    async def scenario():
        source = Run(plugin, source_args(emulator, retry_max_wait=600))
        await until(lambda: emulator.faults()[0]["injected"] == 1, "the 429 (the worker now waits up to 600 s)")
        await source.stop()
        return searches(emulator)

    sent = run(scenario)
    deadline = time.monotonic() + BOUND
    while any(thread.name.startswith("ddops-audit-events") for thread in threading.enumerate()):
        assert time.monotonic() < deadline, "the worker thread kept waiting after the source was cancelled"
        time.sleep(0.05)
    assert searches(emulator) == sent == 3  # nothing was sent after the cancellation


def test_no_key_is_ever_logged_or_raised_even_when_the_answers_echo_them(plugin, emulator, caplog):
    """The answers echo every request header (so the keys): the logged retries and the raised failure that stops the
    source (raised, not logged: ansible-rulebook prints it with its traceback) show none of them."""
    caplog.set_level(logging.DEBUG)
    emulator.add_faults({"kind": "echo", "form": "text", "status": 503, "route": "/api/v2/audit/events/search", "times": 6},
                        {"kind": "html_200", "route": "/api/v2/audit/events/search", "times": 1})

    async def scenario():
        source = Run(plugin, source_args(emulator, retries=1))
        await until(lambda: searches(emulator) >= 1, "the first request")
        added = add(emulator, 4, "logged")
        await source.collect(len(added), emulator)
        await source.stop()

    run(scenario)
    wrong_key = "wrong-app-key-1234567890"
    emulator.add_faults({"kind": "echo", "form": "text", "status": 403, "route": "/api/v2/audit/events/search"})
    with pytest.raises(Exception) as error:
        run(lambda: plugin.main(asyncio.Queue(), source_args(emulator, app_key=wrong_key)))
    raised = "".join(traceback.format_exception(type(error.value), error.value, error.value.__traceback__))
    echoed = "".join(entry["body"] for entry in emulator.responses_log() if entry["status"] in (403, 503))
    assert all(secret in echoed for secret in (emulator.api_key, emulator.app_key, wrong_key))  # the attack reached it
    assert "polling again in" in caplog.text and "HTTP 503" in caplog.text and "HTTP 403" not in caplog.text
    assert "HTTP 403" in str(error.value) and "polling %s every 0.1 s" % emulator.url in caplog.text
    for secret in (emulator.api_key, emulator.app_key, wrong_key):
        assert secret not in caplog.text and secret not in raised


def test_the_documentation_matches_the_arguments_and_the_examples_are_accepted(plugin, tmp_path):
    documentation = yaml.safe_load(plugin.DOCUMENTATION)
    options = documentation["options"]
    assert set(options) == set(plugin.CONNECTION_ARGUMENTS + plugin.STREAM_ARGUMENTS + plugin.DELIVERY_ARGUMENTS)
    for option in OPTIONS:  # the collection's one table of connection options
        assert [entry["name"] for entry in options[option.name].get("env", [])] == list(option.env), option.name
        assert options[option.name].get("default") == option.default, option.name
        assert options[option.name]["type"] == option.type, option.name
    defaults = plugin.validate_stream(now_ms=1769860800000)
    for name in plugin.STREAM_ARGUMENTS:
        assert options[name].get("default") == getattr(defaults, name), name
    for example in yaml.safe_load(plugin.EXAMPLES):
        (name, args), = example.items()
        assert name == "ddops.datadog.audit_events"
        args = dict(args, api_key="k", app_key="a")  # the examples template their keys from variables
        if "checkpoint" in args:  # its directory is the decision environment's
            args["checkpoint"] = str(tmp_path / os.path.basename(args["checkpoint"]))
        plugin.configure(args, {})


# -- how the file finds the collection's code -------------------------------------------------------------------

def _load_in_a_clean_interpreter(path, env=None, cwd="/"):
    """Run the plugin file as ansible-rulebook does, in a Python without PYTHONPATH; print where _api came from."""
    code = ("import runpy, sys; runpy.run_path(sys.argv[1]); "
            "print(sys.modules['ansible_collections.ddops.datadog.plugins.module_utils._api'].__file__)")
    environment = dict((key, value) for key, value in os.environ.items() if key not in ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH"))
    environment["HOME"] = cwd  # no ~/.ansible/collections of whoever runs the tests
    environment.update(env or {})
    return subprocess.run([sys.executable, "-c", code, path], env=environment, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)


def test_it_imports_the_collection_it_sits_in_when_installed(tmp_path):
    installed = tmp_path / "collections" / "ansible_collections" / "ddops" / "datadog"
    shutil.copytree(ROOT, str(installed), ignore=shutil.ignore_patterns(".git", "tests", "__pycache__"))
    result = _load_in_a_clean_interpreter(str(installed / "extensions/eda/plugins/event_source/audit_events.py"), cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == str(installed / "plugins" / "module_utils" / "_api.py")


def test_it_imports_the_checkout_it_sits_in_for_a_source_dir_run(tmp_path):
    checkout = tmp_path / "my-checkout"
    shutil.copytree(ROOT, str(checkout), ignore=shutil.ignore_patterns(".git", "tests", "__pycache__"))
    result = _load_in_a_clean_interpreter(str(checkout / "extensions/eda/plugins/event_source/audit_events.py"), cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == str(checkout / "plugins" / "module_utils" / "_api.py")


def test_a_copy_of_the_file_finds_the_installed_collection_or_says_what_is_missing(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(PLUGIN_PATH, str(sources / "audit_events.py"))
    installed = tmp_path / "collections" / "ansible_collections" / "ddops" / "datadog"
    shutil.copytree(ROOT, str(installed), ignore=shutil.ignore_patterns(".git", "tests", "__pycache__"))
    found = _load_in_a_clean_interpreter(str(sources / "audit_events.py"), env={"ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "collections")},
                                         cwd=str(tmp_path))
    assert found.returncode == 0, found.stdout
    assert found.stdout.strip() == str(installed / "plugins" / "module_utils" / "_api.py")
    missing = _load_in_a_clean_interpreter(str(sources / "audit_events.py"), cwd=str(tmp_path))
    assert missing.returncode != 0
    assert "ddops.datadog.audit_events needs the ddops.datadog collection: install it" in missing.stdout


def test_failed_polls_back_off_doubling_up_to_32_intervals_or_5_minutes(plugin):
    assert [plugin.backoff(30, failures) for failures in range(1, 8)] == [30, 60, 120, 240, 300, 300, 300]
    assert [plugin.backoff(0.5, failures) for failures in (1, 2, 6, 7, 100)] == [0.5, 1, 16, 16, 16]
    assert plugin.backoff(600, 3) == 600  # never less than the interval itself
