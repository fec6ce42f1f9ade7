# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ddops.datadog.audit_events under the real ansible-rulebook, and the self-healing example rulebook, with figures."""

from __future__ import annotations

import os
import shutil

import requests
import yaml

from conftest import searches, wait_for

PREFIX = "DDOPS-AUDIT-EVENT "
SEARCH = "/api/v2/audit/events/search"
CONNECTIONS = "/api/v2/actions/connections"


def counting_rulebook(path, source_name, **arguments):
    """A rulebook that prints one line per delivered event named Counted, and shuts down on an event named Stop."""
    rulebook = [{
        "name": "Count audit events",
        "hosts": "all",
        "sources": [{"name": "audit events of the test", source_name: dict({
            "query": "@evt.name:(Counted OR Stop)", "interval": "{{ audit_poll_interval }}", "overlap": 30, "start": "now-5m",
            "retry_backoff": 0.05, "retry_max_wait": 1}, **arguments)}],
        "rules": [
            {"name": "Count", "condition": 'event.audit_event.attributes.attributes.evt.name == "Counted"',
             "action": {"debug": {"msg": PREFIX + "{{ event.audit_event.id }}"}}},
            {"name": "Stop", "condition": 'event.audit_event.attributes.attributes.evt.name == "Stop"',
             "action": {"shutdown": {"delay": 0, "message": "stop event received"}}},
        ],
    }]
    with open(path, "w") as handle:
        yaml.safe_dump(rulebook, handle, sort_keys=False)
    return path


def counted(emulator, count, **spec):
    specs = [dict({"attributes": {"evt": {"name": "Counted"}}}, **spec) for _number in range(count)]
    return [entry["id"] for entry in emulator.add_audit_events(*specs)]


def stop_and_check(run, emulator):
    emulator.clear_faults()
    emulator.add_audit_events({"attributes": {"evt": {"name": "Stop"}}})
    rc = run.wait_exit("the Stop event to shut ansible-rulebook down")
    output = run.output()
    assert rc == 0, output[-4000:]
    assert "Traceback" not in output
    for secret in (emulator.api_key, emulator.app_key):
        assert secret not in output
    return output


def test_every_event_fires_exactly_once_also_late_indexed_and_under_429_503_and_drops(rulebooks, emulator, tmp_path, figures):
    rulebook = counting_rulebook(str(tmp_path / "count.yml"), "ddops.datadog.audit_events")
    run = rulebooks(emulator, rulebook, {"audit_poll_interval": 0.3})
    wait_for(lambda: searches(emulator) >= 1, "the event source's first search", run)

    def fired():
        return run.lines_starting(PREFIX)

    added = []
    for _burst in range(4):  # on time
        added += counted(emulator, 5)
        wait_for(lambda: len(fired()) >= len(added), "%d events to fire" % len(added), run)
    on_time = len(added)

    added += counted(emulator, 10)  # late: searchable 1 s after their timestamp of 15 s ago
    added += counted(emulator, 10, timestamp="now-15s", visible_after=1)
    wait_for(lambda: len(fired()) >= len(added), "the late-indexed events to fire", run)

    # Each kind once for sure, then about a third of all requests at random.
    emulator.add_faults(*[{"kind": kind, "route": SEARCH, "skip": 1, "times": 1, "reset": 0} for kind in ("429", "503", "drop")])
    emulator.add_faults({"kind": "429", "route": SEARCH, "probability": 0.15, "seed": 1, "reset": 0},
                        {"kind": "503", "route": SEARCH, "probability": 0.15, "seed": 2},
                        {"kind": "drop", "route": SEARCH, "probability": 0.1, "seed": 3})
    for _burst in range(3):
        added += counted(emulator, 5)
        requests_before = searches(emulator)
        wait_for(lambda: searches(emulator) >= requests_before + 5, "a few more searches", run)
    emulator.add_faults({"kind": "503", "route": SEARCH, "times": 10})  # longer than the retries: whole polls fail
    added += counted(emulator, 5)
    wait_for(lambda: emulator.faults()[-1]["injected"] == 10, "the outage to pass", run)
    added += counted(emulator, 5, timestamp="now-10s", visible_after=0.5)
    wait_for(lambda: len(fired()) >= len(added), "every event of the faulty phase to fire", run)
    once = [rule["injected"] for rule in emulator.faults() if rule["times"] == 1]
    injected = {}
    for rule in emulator.faults():
        kind = rule["kind"] + (" (outage)" if rule["times"] == 10 else "")
        injected[kind] = injected.get(kind, 0) + rule["injected"]

    settled = searches(emulator)
    wait_for(lambda: searches(emulator) >= settled + 10, "ten more searches (a duplicate would show by then)", run)
    output = stop_and_check(run, emulator)

    ids = run.lines_starting(PREFIX)
    assert len(ids) == len(added) == 65
    assert len(set(ids)) == len(ids)  # 0 duplicates
    assert sorted(ids) == sorted(added)  # 0 missed
    assert ids[:on_time] == added[:on_time]  # oldest first
    assert once == [1, 1, 1] and injected["503 (outage)"] == 10, injected
    assert "polling %s every 0.3 s" % emulator.url in output
    figures["rulebook: events added / fired / unique"] = "%d / %d / %d" % (len(added), len(ids), len(set(ids)))
    figures["rulebook: faults injected"] = ", ".join("%s %d" % item for item in sorted(injected.items()))
    figures["rulebook: search requests"] = searches(emulator)


def test_with_a_checkpoint_each_event_fires_once_across_a_stop_and_a_restart(rulebooks, emulator, tmp_path, figures):
    """The source stopped (as a person stops ansible-rulebook), events added meanwhile - some in the millisecond of the
    last event delivered, some indexed late - and started again with the same checkpoint: each event fires once."""
    checkpoint = str(tmp_path / "audit-events.checkpoint.json")
    rulebook = counting_rulebook(str(tmp_path / "count.yml"), "ddops.datadog.audit_events", checkpoint=checkpoint)
    first = rulebooks(emulator, rulebook, {"audit_poll_interval": 0.3}, name="before")
    wait_for(lambda: searches(emulator) >= 1, "the event source's first search", first)
    before = counted(emulator, 6)
    wait_for(lambda: len(first.lines_starting(PREFIX)) >= len(before), "the first events to fire", first)
    first.stop()
    fired_before = first.lines_starting(PREFIX)
    everything = requests.post(emulator.url + SEARCH, headers=emulator.headers, timeout=30, json={
        "filter": {"from": "now-1h", "to": "now+1h"}, "sort": "timestamp", "page": {"limit": 1000}}).json()["data"]
    last_ms = next(event["attributes"]["timestamp"] for event in everything if event["id"] == fired_before[-1])
    downtime = counted(emulator, 3, timestamp=last_ms)  # the millisecond of the last event delivered
    downtime += counted(emulator, 2, timestamp=last_ms, visible_after=1)  # the same, indexed late
    downtime += counted(emulator, 4)
    downtime += counted(emulator, 3, timestamp="now-5s", visible_after=1)
    second = rulebooks(emulator, rulebook, {"audit_poll_interval": 0.3}, name="after")
    wait_for(lambda: len(second.lines_starting(PREFIX)) >= len(downtime), "the events of the downtime to fire", second)
    settled = searches(emulator)
    wait_for(lambda: searches(emulator) >= settled + 10, "ten more searches (a duplicate would show by then)", second)
    output = stop_and_check(second, emulator)
    fired = fired_before + second.lines_starting(PREFIX)
    assert sorted(fired) == sorted(before + downtime) and len(set(fired)) == len(fired)
    assert fired_before == before
    assert "from the checkpoint %s on" % checkpoint in output
    text = open(checkpoint).read()
    assert emulator.api_key not in text and emulator.app_key not in text
    figures["checkpoint: fired before the stop / after the restart / twice"] = "%d / %d / %d" % (
        len(fired_before), len(fired) - len(fired_before), len(fired) - len(set(fired)))


def test_a_source_dir_run_from_a_checkout_uses_the_checkout(rulebooks, emulator, tmp_path, collection_root):
    checkout = tmp_path / "checkout"
    shutil.copytree(collection_root, str(checkout), ignore=shutil.ignore_patterns(".git", "tests", "__pycache__"))
    empty = tmp_path / "no-collections"
    empty.mkdir()
    rulebook = counting_rulebook(str(tmp_path / "count.yml"), "audit_events")
    run = rulebooks(emulator, rulebook, {"audit_poll_interval": 0.3},
                    extra_args=["-S", str(checkout / "extensions" / "eda" / "plugins" / "event_source")],
                    env={"ANSIBLE_COLLECTIONS_PATH": str(empty), "HOME": str(tmp_path)})
    wait_for(lambda: searches(emulator) >= 1, "the first search", run)
    added = counted(emulator, 5)
    wait_for(lambda: len(run.lines_starting(PREFIX)) >= 5, "5 events to fire", run)
    stop_and_check(run, emulator)
    assert run.lines_starting(PREFIX) == added


def test_the_example_rulebook_puts_a_deleted_guarded_connection_back(rulebooks, emulator, collection_root, figures):
    def aws(account_id):
        return {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": account_id, "role": "datadog-workflows"}}

    guarded = [{"name": "aws-prod", "integration": aws("123456789012"), "tags": ["team:sre"]},
               {"name": "aws-staging", "integration": aws("210987654321")}]
    api = requests.Session()
    api.headers.update(emulator.headers)
    created = {}
    external_ids = {}
    for definition in guarded + [{"name": "scratch", "integration": guarded[1]["integration"]}]:
        answer = api.post(emulator.url + CONNECTIONS, json={"data": {"type": "action_connection", "attributes": definition}}, timeout=10)
        assert answer.status_code == 201, answer.text
        created[definition["name"]] = answer.json()["data"]["id"]
        external_ids[definition["name"]] = answer.json()["data"]["attributes"]["integration"]["credentials"]["external_id"]

    run = rulebooks(emulator, "ddops.datadog.restore_deleted_action_connections",
                    {"guarded_action_connections": guarded, "audit_poll_interval": 0.5, "audit_overlap": 30,
                     "audit_checkpoint": "restore.checkpoint.json"})  # in the run's working directory
    wait_for(lambda: searches(emulator) >= 1, "the event source's first search", run)
    for name in ("scratch", "aws-prod"):
        assert api.delete(emulator.url + CONNECTIONS + "/" + created[name], timeout=10).status_code == 204

    def connections():
        return dict((connection["name"], connection) for connection in emulator.dump_state()["connections"])

    wait_for(lambda: "aws-prod" in connections(), "the playbook to recreate aws-prod", run)
    restored = connections()["aws-prod"]
    assert restored["id"] != created["aws-prod"]
    assert restored["integration"]["credentials"]["account_id"] == "123456789012"
    assert restored["integration"]["credentials"]["role"] == "datadog-workflows"
    assert restored["tags"] == ["team:sre"]
    wait_for(lambda: "Restored action connection aws-prod as %s" % restored["id"] in run.output(), "the playbook's message", run)
    # Datadog gives the restored AWS connection a new external ID: the playbook names it, for the IAM trust policy.
    external_id = restored["integration"]["credentials"]["external_id"]
    assert external_id != external_ids["aws-prod"]
    assert "new AWS external ID %s" % external_id in " ".join(run.output().split())
    assert "update the trust policy of role datadog-workflows in account 123456789012" in " ".join(run.output().split())

    settled = searches(emulator)
    wait_for(lambda: searches(emulator) >= settled + 5, "five more searches", run)
    assert sorted(connections()) == ["aws-prod", "aws-staging"]  # scratch is not guarded: it stays deleted
    creates = [entry for entry in emulator.responses_log() if entry["method"] == "POST" and entry["path"] == CONNECTIONS]
    assert len(creates) == 4  # the three of the test, and one restore
    run.stop()
    output = run.output()
    for secret in (emulator.api_key, emulator.app_key):
        assert secret not in output

    # Deleted while the activation is down: restored once it runs again (the source goes on from its checkpoint).
    assert api.delete(emulator.url + CONNECTIONS + "/" + created["aws-staging"], timeout=10).status_code == 204
    again = rulebooks(emulator, "ddops.datadog.restore_deleted_action_connections",
                      {"guarded_action_connections": guarded, "audit_poll_interval": 0.5, "audit_overlap": 30,
                       "audit_checkpoint": os.path.join(run.workdir, "restore.checkpoint.json")}, name="again")
    wait_for(lambda: "aws-staging" in connections(), "the playbook to recreate aws-staging after the restart", again)
    settled = searches(emulator)
    wait_for(lambda: searches(emulator) >= settled + 5, "five more searches", again)
    assert sorted(connections()) == ["aws-prod", "aws-staging"]
    again.stop()
    restores = output.count("Restored action connection") + again.output().count("Restored action connection")
    figures["self-healing: connections restored / playbook runs"] = "2 / %d" % restores
    assert restores == 2  # aws-prod before the stop (not again after it), aws-staging after
