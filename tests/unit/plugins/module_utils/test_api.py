# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import io
import json
import socket
import threading
import time
import warnings

import pytest
import requests
from requests.adapters import BaseAdapter
from urllib3.exceptions import InsecureRequestWarning, MaxRetryError, NewConnectionError, ProtocolError

from ansible_collections.ddops.datadog.plugins.module_utils import _api, _transport
from ansible_collections.ddops.datadog.plugins.module_utils._api import (
    DatadogAPIError,
    DatadogClient,
    DatadogConnectionError,
    DatadogOutcomeUnknownError,
    SharedRateLimit,
    UnusableAnswerError,
    parse_error_messages,
)
from ansible_collections.ddops.datadog.plugins.module_utils._connection_options import SITES, ClientOptions
from ansible_collections.ddops.datadog.plugins.module_utils._errors import InputError, reason
from ansible_collections.ddops.datadog.plugins.module_utils._scrub import MASK

API_KEY = "unit-api-key-7d1e0c5b9a3f"
APP_KEY = "unit-app-key-2b8f6e4d0c1a"


class FakeAdapter(BaseAdapter):
    """Answers from a script of steps: ``(status, headers, body)`` tuples or exceptions to raise."""

    def __init__(self, steps):
        super().__init__()
        self.steps = list(steps)
        self.sent = []
        self.send_options = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append(request)
        self.send_options.append(kwargs)
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        status, headers, body = step[:3]
        extra = step[3] if len(step) > 3 else {}  # "reason", "encoding", or "raw" (a stream to read the body from)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            response.headers.setdefault("Content-Type", "application/vnd.api+json")
        response.raw = extra.get("raw") or io.BytesIO(body or b"")
        response.encoding = extra.get("encoding", "utf-8")
        response.url = request.url
        response.request = request
        response.reason = extra.get("reason", reason(status, ""))
        return response

    def close(self):
        pass


class FakeClock(object):
    def __init__(self):
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)


def make_client(steps, **option_values):
    values = dict(api_key=API_KEY, app_key=APP_KEY, api_url="https://api.example.test")
    values.update(option_values)
    options = ClientOptions.from_values(**values)
    session = requests.Session()
    adapter = FakeAdapter(steps)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    clock = FakeClock()
    client = DatadogClient(options, session=session, sleep=clock.sleep)
    return client, adapter, clock


class Conn(object):
    """Stands for the connection object urllib3 names at the start of a connection error."""

    def __str__(self):
        return "<urllib3.connection.HTTPSConnection object at 0x7f3a2b1c>"


def refused():
    return requests.exceptions.ConnectionError(
        MaxRetryError(None, "/x", NewConnectionError(Conn(), "Failed to establish a new connection: [Errno 111] Connection refused"))
    )


def dropped():
    return requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


OK = (200, {}, {"data": {"id": "1"}})


# -- sites and URLs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("site", SITES)
def test_every_datadog_site_maps_to_its_api_host(site):
    assert ClientOptions.from_values(api_key="a", app_key="b", site=site).base_url == "https://api.%s" % site


@pytest.mark.parametrize("alias, site", [("us3", "us3.datadoghq.com"), ("eu", "datadoghq.eu"), ("US5", "us5.datadoghq.com"),
                                         ("app.datadoghq.eu", "datadoghq.eu"), ("us1", "datadoghq.com")])
def test_short_site_names_are_accepted(alias, site):
    assert ClientOptions.from_values(api_key="a", app_key="b", site=alias).site == site


def test_default_site_is_datadoghq_com():
    assert ClientOptions.from_values(api_key="a", app_key="b").base_url == "https://api.datadoghq.com"


@pytest.mark.parametrize("site", ["datadoghq.org", "us4.datadoghq.com", "localhost"])
def test_unknown_site_is_refused_with_the_allowed_list(site):
    with pytest.raises(InputError) as error:
        ClientOptions.from_values(api_key="a", app_key="b", site=site)
    assert "site %r is not a Datadog site" % site in str(error.value)
    assert "us5.datadoghq.com" in str(error.value)


def test_site_given_as_url_points_to_api_url():
    with pytest.raises(InputError, match="use api_url"):
        ClientOptions.from_values(api_key="a", app_key="b", site="https://api.datadoghq.eu")


@pytest.mark.parametrize("url, base", [
    ("https://api.datadoghq.eu/", "https://api.datadoghq.eu"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost:1/prefix/", "http://localhost:1/prefix"),
    ("http://[::1]:9000", "http://[::1]:9000"),
    ("https://proxy.internal:8443/datadog", "https://proxy.internal:8443/datadog"),
])
def test_api_url_is_accepted_and_normalized(url, base):
    assert ClientOptions.from_values(api_key="a", app_key="b", api_url=url, site="nonsense").base_url == base


@pytest.mark.parametrize("url, message", [
    ("http://api.datadoghq.com", "only allowed for loopback"),
    ("http://10.0.0.5:8080", "only allowed for loopback"),
    ("ftp://api.datadoghq.com", "must be an https:// URL"),
    ("api.datadoghq.com", "must be an https:// URL"),
    ("https://user:pw@api.datadoghq.com", "must not contain credentials"),
    ("https://api.datadoghq.com?x=1", "query string"),
    ("https://api.datadoghq.com:99999", "has a port that is not a number"),
    ("https://[::1/", "is not a valid URL"),
])
def test_bad_api_url_is_refused(url, message):
    with pytest.raises(InputError, match=message):
        ClientOptions.from_values(api_key="a", app_key="b", api_url=url)


def test_credentials_in_api_url_are_not_echoed():
    with pytest.raises(InputError) as error:
        ClientOptions.from_values(api_key="a", app_key="b", api_url="https://user:hunter2@api.datadoghq.com")
    assert "hunter2" not in str(error.value)


@pytest.mark.parametrize("values, message", [
    (dict(app_key="b"), "api_key is required: set the api_key option or the DD_API_KEY"),
    (dict(api_key="a"), "app_key is required: set the app_key option or the DD_APP_KEY"),
    (dict(api_key="a b", app_key="b"), "api_key must be a non-empty string"),
    (dict(api_key="a", app_key="b", timeout=0), "timeout must be greater than 0"),
    (dict(api_key="a", app_key="b", timeout="soon"), "timeout must be a number"),
    (dict(api_key="a", app_key="b", retries=-1), "retries must be at least 0"),
    (dict(api_key="a", app_key="b", retries=1.5), "retries must be an integer"),
    (dict(api_key="a", app_key="b", validate_certs="maybe"), "validate_certs must be a boolean"),
])
def test_bad_connection_options_are_refused(values, message):
    with pytest.raises(InputError, match=message):
        ClientOptions.from_values(**values)


def test_options_repr_hides_keys():
    options = ClientOptions.from_values(api_key=API_KEY, app_key=APP_KEY)
    assert API_KEY not in repr(options) and APP_KEY not in repr(options)


# -- requests ------------------------------------------------------------------------------------------

def test_request_sends_keys_user_agent_and_json():
    client, adapter, _clock = make_client([(201, {}, {"data": {"id": "x"}})])
    response = client.post("/api/v2/things", body={"data": {"type": "thing"}})
    sent = adapter.sent[0]
    assert response.status == 201 and response.data == {"id": "x"}
    assert sent.headers["DD-API-KEY"] == API_KEY
    assert sent.headers["DD-APPLICATION-KEY"] == APP_KEY
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["User-Agent"].startswith("ddops.datadog/%s (" % _api.COLLECTION_VERSION)
    assert json.loads(sent.body) == {"data": {"type": "thing"}}
    assert sent.url == "https://api.example.test/api/v2/things"


@pytest.mark.parametrize("validate_certs", [True, False])
def test_validate_certs_holds_even_when_requests_ca_bundle_is_set(monkeypatch, validate_certs):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    client, adapter, _clock = make_client([OK], validate_certs=validate_certs)
    client.get("/x")
    expected = "/etc/ssl/certs/ca-certificates.crt" if validate_certs else False
    assert adapter.send_options[0]["verify"] == expected


def test_empty_204_body_decodes_to_none():
    client, _adapter, _clock = make_client([(204, {}, b"")])
    assert client.delete("/api/v2/things/1").body is None


def test_vnd_api_json_is_parsed():
    client, _adapter, _clock = make_client([(200, {"Content-Type": "application/vnd.api+json"}, b'{"data": []}')])
    assert client.get("/x").data == []


def test_collection_version_matches_galaxy_yml():
    import os  # pylint: disable=import-outside-toplevel
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy) as handle:
        assert "version: %s\n" % _api.COLLECTION_VERSION in handle.read()


# -- retries -------------------------------------------------------------------------------------------

def test_429_waits_x_ratelimit_reset_then_succeeds():
    client, adapter, clock = make_client([(429, {"X-RateLimit-Reset": "7", "X-RateLimit-Limit": "10"}, b""), OK])
    assert client.get("/x").status == 200
    assert clock.sleeps == [7.0]
    assert len(adapter.sent) == 2
    assert client.stats.as_result() == {"requests": {"total": 2, "GET": 2}, "retries": {"total": 1, "HTTP 429": 1},
                                        "waited": 7.0, "outcome_polls": 0, "reconciliations": []}
    assert client.retry_summary() == "Datadog API: 1 retry (HTTP 429 x1), waited 7.0 s in total"


def test_429_wait_is_capped_by_retry_max_wait():
    client, _adapter, clock = make_client([(429, {"X-RateLimit-Reset": "3600"}, b""), OK], retry_max_wait=20)
    client.get("/x")
    assert clock.sleeps == [20.0]


def test_429_without_headers_backs_off():
    client, _adapter, clock = make_client([(429, {}, b""), (429, {}, b""), OK], retry_backoff=0.5)
    client.get("/x")
    assert clock.sleeps == [0.5, 1.0]


def test_429_on_post_is_retried_because_nothing_was_applied():
    client, adapter, clock = make_client([(429, {"X-RateLimit-Reset": "1"}, b""), (201, {}, {"data": {"id": "1"}})])
    assert client.post("/x", body={}).status == 201
    assert len(adapter.sent) == 2 and clock.sleeps == [1.0]


def test_5xx_on_get_backs_off_exponentially_then_gives_up_naming_route_and_status():
    client, adapter, clock = make_client([(503, {}, {"errors": ["Service Unavailable"]})] * 4, retries=3, retry_backoff=2)
    with pytest.raises(DatadogAPIError) as error:
        client.get("/api/v2/actions/app_key_registrations")
    assert clock.sleeps == [2, 4, 8]
    assert len(adapter.sent) == 4
    assert error.value.status == 503
    assert str(error.value) == ("HTTP 503: Service Unavailable (GET /api/v2/actions/app_key_registrations, "
                                "gave up after 4 attempts)")


def test_backoff_is_capped_by_retry_max_wait():
    client, _adapter, clock = make_client([(500, {}, b"")] * 5 + [OK], retries=5, retry_backoff=4, retry_max_wait=10)
    client.get("/x")
    assert clock.sleeps == [4, 8, 10, 10, 10]


def test_retries_zero_means_one_attempt():
    client, adapter, clock = make_client([(502, {}, b"")], retries=0)
    with pytest.raises(DatadogAPIError):
        client.get("/x")
    assert len(adapter.sent) == 1 and clock.sleeps == []


def test_retry_summary_counts_every_cause():
    client, _adapter, _clock = make_client([(503, {}, b""), dropped(), (429, {"X-RateLimit-Reset": "2"}, b""), OK],
                                           retry_backoff=0.5)
    assert client.retry_summary() is None
    client.get("/x")
    assert client.retry_summary() == ("Datadog API: 3 retries (HTTP 429 x1, HTTP 503 x1, connection error x1), "
                                      "waited 3.5 s in total")


def test_5xx_on_post_is_not_retried():
    client, adapter, clock = make_client([(500, {}, {"errors": [{"title": "Internal"}]})])
    with pytest.raises(DatadogAPIError) as error:
        client.post("/api/v2/actions/connections", body={})
    assert len(adapter.sent) == 1 and clock.sleeps == []
    assert error.value.status == 500


def test_non_idempotent_patch_is_not_retried_on_5xx():
    client, adapter, _clock = make_client([(503, {}, b"")])
    with pytest.raises(DatadogAPIError):
        client.patch("/x", body={}, idempotent=False)
    assert len(adapter.sent) == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_idempotent_methods_are_retried_on_dropped_connections(method):
    answer = (204, {}, None) if method == "DELETE" else (200, {}, {"data": {}})  # Datadog answers deletes with 204
    client, adapter, clock = make_client([dropped(), answer])
    response = client.request(method, "/x", body={} if method == "PATCH" else None, expected=(200, 204))
    assert response.status == answer[0] and response.unanswered == 1
    assert len(adapter.sent) == 2 and clock.sleeps == [1.0]


def test_post_dropped_after_sending_is_never_resent():
    client, adapter, _clock = make_client([dropped(), OK])
    with pytest.raises(DatadogOutcomeUnknownError) as error:
        client.post("/api/v2/actions/connections", body={})
    assert len(adapter.sent) == 1
    assert str(error.value) == ("no answer after the request was sent (connection closed without an answer); it may "
                                "have been applied (POST /api/v2/actions/connections)")


def test_post_read_timeout_is_never_resent():
    client, adapter, _clock = make_client([requests.exceptions.ReadTimeout("read timed out"), OK])
    with pytest.raises(DatadogOutcomeUnknownError) as error:
        client.post("/x", body={})
    assert len(adapter.sent) == 1
    assert str(error.value) == "no answer after the request was sent (timed out); it may have been applied (POST /x)"


def test_post_is_retried_when_no_connection_was_made():
    client, adapter, _clock = make_client([refused(), (201, {}, {"data": {"id": "1"}})])
    assert client.post("/x", body={}).status == 201
    assert len(adapter.sent) == 2


def test_connection_errors_give_up_after_retries_with_a_clear_message():
    client, adapter, clock = make_client([refused()] * 3, retries=2)
    with pytest.raises(DatadogConnectionError) as error:
        client.get("/api/v2/x")
    assert len(adapter.sent) == 3 and clock.sleeps == [1.0, 2.0]
    assert error.value.status is None
    assert str(error.value) == ("could not connect to https://api.example.test: Failed to establish a new connection: "
                                "[Errno 111] Connection refused (GET /api/v2/x, gave up after 3 attempts)")
    assert client.stats.as_result()["retries"] == {"total": 2, "connection error": 2}


def test_read_timeout_on_get_is_retried_then_reported():
    client, _adapter, _clock = make_client([requests.exceptions.ReadTimeout("x")] * 2, retries=1, timeout=2.5)
    with pytest.raises(DatadogConnectionError, match=r"no answer from https://api.example.test within timeout=2.5 seconds"):
        client.get("/x")
    assert client.stats.as_result()["retries"] == {"total": 1, "timeout": 1}


@pytest.mark.parametrize("exception, sent, timeout, permanent", [
    (requests.exceptions.ConnectionError(), True, False, False),
    (requests.exceptions.ConnectTimeout("x"), False, True, False),
    (requests.exceptions.ReadTimeout("x"), True, True, False),
    (requests.exceptions.SSLError("x"), False, False, True),
    (requests.exceptions.ProxyError("x"), False, False, False),
    (requests.exceptions.InvalidURL("x"), False, False, True),
    (requests.exceptions.InvalidHeader("x"), True, False, True),
    (requests.exceptions.ConnectionError("plain"), True, False, False),
    (requests.exceptions.ConnectionError(MaxRetryError(None, "/x", Exception("NameResolutionError: no such host"))),
     False, False, False),
    (requests.exceptions.ConnectionError(MaxRetryError(None, "/x", OSError("[Errno 111] Connection refused"))),
     False, False, False),
    (requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))),
     True, False, False),
])
def test_how_an_attempt_without_an_answer_is_classified(exception, sent, timeout, permanent):
    failure = _transport.classify(exception)
    assert (failure.sent, failure.timeout, failure.permanent) == (sent, timeout, permanent)


@pytest.mark.parametrize("exception, text", [
    (dropped(), "connection to https://api.example.test failed: ('Connection aborted.', ConnectionResetError(104, 'reset'))"),
    (requests.exceptions.ConnectTimeout("x"), "timed out connecting to https://api.example.test after 30.0 seconds"),
    (requests.exceptions.ChunkedEncodingError(""), "connection to https://api.example.test failed: ChunkedEncodingError"),
    (requests.exceptions.ConnectionError(MaxRetryError(None, "/x", NewConnectionError(
        Conn(), "Failed to resolve 'api.example.test'"))),
     "could not connect to https://api.example.test: Failed to resolve 'api.example.test'"),
])
def test_an_attempt_without_an_answer_is_described_in_its_own_words(exception, text):
    client, _adapter, _clock = make_client([exception], retries=0)
    with pytest.raises(DatadogConnectionError) as error:
        client.get("/x")
    assert str(error.value) == text + " (GET /x)"


def test_tls_failure_is_not_retried_and_mentions_validate_certs():
    client, adapter, _clock = make_client([requests.exceptions.SSLError("CERTIFICATE_VERIFY_FAILED self-signed")])
    with pytest.raises(DatadogConnectionError) as error:
        client.get("/x")
    assert len(adapter.sent) == 1
    assert "TLS certificate verification failed" in str(error.value)
    assert "validate_certs" in str(error.value)


# -- errors --------------------------------------------------------------------------------------------

def test_object_error_shape():
    body = {"errors": [{"title": "Generic Error", "detail": "error getting connection: rpc error: code = NotFound desc = connection not found"}]}
    client, _adapter, _clock = make_client([(404, {}, body)])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/api/v2/actions/connections/abc")
    assert str(error.value) == ("HTTP 404: Generic Error: error getting connection: rpc error: code = NotFound desc = "
                                "connection not found (GET /api/v2/actions/connections/abc)")
    assert error.value.body == body


def test_string_error_shape():
    client, _adapter, _clock = make_client([(400, {}, {"errors": ["Bad Request"]})])
    with pytest.raises(DatadogAPIError, match=r"^HTTP 400: Bad Request \(POST /api/v2/audit/events/search\)$"):
        client.post("/api/v2/audit/events/search", body={})


def test_detail_only_and_status_member():
    assert parse_error_messages({"errors": [{"detail": "app key not found"}]}) == ["app key not found"]
    assert parse_error_messages({"errors": [{"status": "400", "title": "Invalid Parameter", "detail": "bad"}]}) == [
        "Invalid Parameter: bad"]
    assert parse_error_messages({"errors": ["a", {"title": "b"}]}) == ["a", "b"]
    assert parse_error_messages({"nope": 1}) == []
    assert parse_error_messages(["x"]) == []


def test_empty_429_body_after_retries_gives_one_line():
    client, _adapter, clock = make_client([(429, {"X-RateLimit-Reset": "0"}, b"")] * 2, retries=1)
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    assert str(error.value) == "HTTP 429: Too Many Requests (GET /x, gave up after 2 attempts)"
    assert clock.sleeps == []  # a reset now is no wait at all


class Broken(io.RawIOBase):
    """A body that breaks off while it is read."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise requests.exceptions.ChunkedEncodingError("the connection broke while the body was read")


@pytest.mark.parametrize("step, message", [
    ((418, {}, b"", {"reason": ""}), "HTTP 418: error (GET /x)"),  # no body, no reason phrase
    ((400, {}, b"", {"reason": ""}), "HTTP 400: Bad Request (GET /x)"),  # no body: the standard phrase
    ((400, {}, b"", {"reason": "Nope"}), "HTTP 400: Nope (GET /x)"),  # no body: the server's phrase first
    ((400, {}, b"", {"raw": Broken()}), "HTTP 400: Bad Request (GET /x)"),  # a body that cannot be read
    ((400, {}, {"message": "no errors member"}), "HTTP 400: unexpected answer an object with keys message (GET /x)"),
    ((400, {}, b"bad \xff byte"), "HTTP 400: a no content type answer (10 bytes): 'bad \ufffd byte' (GET /x)"),
    ((400, {}, b"caf\xe9", {"encoding": "iso-8859-1"}), "HTTP 400: a no content type answer (4 bytes): 'caf\xe9' (GET /x)"),
])
def test_error_answers_are_read_into_one_line_whatever_their_body(step, message):
    client, _adapter, _clock = make_client([step])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    assert str(error.value) == message
    assert error.value.body == (step[2] if isinstance(step[2], dict) else None)


def test_an_error_answer_is_read_only_as_far_as_its_message_needs():
    body = b"x" * (3 * 1024 * 1024)
    client, _adapter, _clock = make_client([(400, {"Content-Type": "text/plain"}, body)])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    size = int(str(error.value).split("(", 1)[1].split(" bytes")[0])
    assert size <= 1024 * 1024


@pytest.mark.parametrize("status, error_class", [(200, UnusableAnswerError), (404, DatadogAPIError)])
def test_an_answer_over_the_cap_names_its_status_and_request_id(status, error_class):
    client, _adapter, _clock = make_client([(status, {"Content-Length": str(_api.MAX_ANSWER_BYTES + 1),
                                                      "X-Request-Id": "rid-cap"}, b"{}")])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x", expected=(200, 404))
    assert error.value.__class__ is error_class and error.value.request_id == "rid-cap" and error.value.status == status
    assert str(error.value).startswith("HTTP %d: the answer is larger than 64 MiB (at least %d bytes); it was not read"
                                       % (status, _api.MAX_ANSWER_BYTES + 1))


def test_a_new_session_never_retries_on_its_own():
    session = DatadogClient.new_session()
    for scheme in ("https://", "http://"):
        assert session.get_adapter(scheme + "api.example.test").max_retries.total == 0


def test_the_request_and_its_body_reach_the_server_as_given():
    client, adapter, _clock = make_client([(201, {}, {"data": {"id": "1"}}), (200, {}, {"data": {"id": "1"}}),
                                           (503, {}, b""), (200, {}, {"data": {"id": "1"}})])
    client.post("/p", body={"a": 1}, params={"q": "v"})
    client.patch("/p/1", body={"b": 2})
    client.patch("/p/1", body={"c": 3})  # idempotent by default: a 503 is retried
    assert [(request.method, request.url, json.loads(request.body)) for request in adapter.sent] == [
        ("POST", "https://api.example.test/p?q=v", {"a": 1}), ("PATCH", "https://api.example.test/p/1", {"b": 2}),
        ("PATCH", "https://api.example.test/p/1", {"c": 3}), ("PATCH", "https://api.example.test/p/1", {"c": 3})]


def test_request_ids_come_from_the_headers_or_else_the_meta_of_the_answer():
    meta = {"data": {"id": "1"}, "meta": {"request_id": "meta-rid"}}
    client, _adapter, _clock = make_client([(200, {"X-Request-Id": "header-rid", "X-Other": "o"}, meta), (200, {}, meta),
                                            (204, {"DD-Request-Id": "dd-rid"}, b"  \n"), (200, {}, {"data": [], "meta": []})])
    first = client.get("/x")
    assert first.request_id == "header-rid" and first.headers["X-Other"] == "o" and first.unanswered == 0
    assert client.get("/x").request_id == "meta-rid"
    empty = client.get("/x", expected=(200, 204))
    assert empty.body is None and empty.request_id == "dd-rid" and empty.headers["DD-Request-Id"] == "dd-rid"
    assert client.get("/x").request_id is None


@pytest.mark.parametrize("method, step, expected", [
    ("GET", (200, {"X-Request-Id": "r1"}, b"<html>"), (200,)),
    ("DELETE", (200, {"X-Request-Id": "r1"}, {"a": 1}), (200, 204)),
    ("POST", (204, {"X-Request-Id": "r1"}, b""), (201,)),
    ("POST", (200, {"X-Request-Id": "r1"}, b"{}"), (201,)),
])
def test_an_unusable_success_answer_keeps_its_request_id(method, step, expected):
    client, _adapter, _clock = make_client([step])
    with pytest.raises(UnusableAnswerError) as error:
        client.request(method, "/x", body={} if method == "POST" else None, expected=expected)
    assert error.value.request_id == "r1" and error.value.status == step[0]


@pytest.mark.parametrize("step, expected, message", [
    ((200, {}, b"not \xff json"), (200,), "expected a JSON answer but got a no content type answer (12 bytes): 'not \ufffd json'"),
    ((200, {"Content-Type": "text/plain"}, b"caf\xe9", {"encoding": "iso-8859-1"}), (200,),
     "expected a JSON answer but got a text/plain answer (5 bytes): 'caf\xe9'"),
    ((202, {"Content-Type": "text/plain"}, b"caf\xe9", {"encoding": "iso-8859-1"}), (200,),
     "expected HTTP 200, got this status with a text/plain answer (5 bytes): 'caf\xe9'"),
    ((202, {}, b"\xff"), (200,), "expected HTTP 200, got this status with a no content type answer (3 bytes): '\ufffd'"),
])
def test_answer_texts_are_decoded_with_their_encoding_and_never_fail_to_decode(step, expected, message):
    client, _adapter, _clock = make_client([step])
    with pytest.raises(UnusableAnswerError) as error:
        client.get("/x", expected=expected)
    assert message in str(error.value)


def test_a_json_answer_in_another_encoding_is_decoded_with_it():
    client, _adapter, _clock = make_client([(200, {}, '{"data": "café"}'.encode("iso-8859-1"), {"encoding": "iso-8859-1"})])
    assert client.get("/x").data == "café"


@pytest.mark.parametrize("status, expected, error_class", [
    (200, (201,), UnusableAnswerError),  # a success the request is not answered with
    (300, (200,), DatadogAPIError),  # not a success
    (404, (200, 404), DatadogAPIError),  # an expected error status whose body is no JSON: not "unusable"
])
def test_which_answers_count_as_unusable_successes(status, expected, error_class):
    client, _adapter, _clock = make_client([(status, {"Content-Type": "text/plain"}, b"not json")])
    with pytest.raises(DatadogAPIError) as error:
        client.request("POST", "/x", body={}, expected=expected)
    assert error.value.__class__ is error_class


def test_redirects_are_never_followed():
    client, adapter, _clock = make_client([(302, {"Location": "https://elsewhere.example/x"}, b""), OK])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    assert error.value.status == 302 and len(adapter.sent) == 1


def test_an_answer_exactly_at_the_cap_is_read_and_one_byte_more_is_not(monkeypatch):
    client, _adapter, _clock = make_client([(200, {"Content-Length": str(_api.MAX_ANSWER_BYTES)}, b'{"data": []}')])
    assert client.get("/x").data == []  # the declared length is at the cap: fine
    monkeypatch.setattr(_transport, "MAX_ANSWER_BYTES", 1000)
    client, _adapter, _clock = make_client([(200, {}, b'{"data": "%s"}' % (b"x" * 2000)), (200, {}, b'{"data": "%s"}' % (b"y" * 988))])
    with pytest.raises(UnusableAnswerError) as error:
        client.get("/x")  # no declared length: refused once more than the cap was read
    assert (error.value.status, error.value.method, error.value.path) == (200, "GET", "/x")
    assert "(at least 2012 bytes); it was not read" in str(error.value)
    assert len(client.get("/x").data) == 988  # 1000 bytes exactly


def test_an_error_answer_of_exactly_the_part_read_is_read_whole():
    body = b"e" * (1024 * 1024)
    client, _adapter, _clock = make_client([(400, {"Content-Type": "text/plain"}, body)])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    assert "(1048576 bytes)" in str(error.value)


def test_requests_carry_compact_json_only_when_there_is_a_body_and_the_session_its_settings():
    client, adapter, _clock = make_client([OK, (201, {}, {"data": {"id": "1"}})], validate_certs=False)
    client.get("/x")
    client.post("/x", body={"data": {"type": "thing", "n": [1, 2]}})
    assert adapter.sent[0].body is None and "Content-Type" not in adapter.sent[0].headers
    assert adapter.sent[1].body == b'{"data":{"type":"thing","n":[1,2]}}'
    assert client.session.verify is False


def test_the_user_agent_names_the_caller_and_a_client_without_an_application_key_sends_none():
    session = requests.Session()
    session.mount("https://", FakeAdapter([OK]))
    options = ClientOptions.from_values(api_key=API_KEY, app_key=APP_KEY, api_url="https://api.example.test")
    client = DatadogClient(options, session=session, user_agent_extra="in-process ddops.datadog.x")
    assert client.session.headers["User-Agent"].endswith("; in-process ddops.datadog.x)")
    assert client.session.headers["DD-APPLICATION-KEY"] == APP_KEY
    DatadogClient(ClientOptions(API_KEY, None, "https://api.example.test"), session=session)
    assert "DD-APPLICATION-KEY" not in session.headers and session.headers["DD-API-KEY"] == API_KEY


def test_put_sends_its_body_and_accepts_an_empty_204_and_added_secrets_are_scrubbed():
    client, adapter, _clock = make_client([(204, {}, b""), (201, {}, {"data": {"id": "k"}}), (200, {}, {"data": {"id": "k"}})])
    assert client.put("/r/k").status == 204 and adapter.sent[0].body is None
    assert client.put("/r/k", body={"a": 1}).data == {"id": "k"} and json.loads(adapter.sent[1].body) == {"a": 1}
    assert client.put("/r/k").status == 200 and [request.method for request in adapter.sent] == ["PUT"] * 3
    client.add_secrets(["added-secret-9"])
    assert client.scrub("x added-secret-9 %s" % API_KEY) == "x %s %s" % (MASK, MASK)


def test_the_client_keeps_what_it_was_given():
    options = ClientOptions.from_values(api_key=API_KEY, app_key=APP_KEY, api_url="https://api.example.test")
    shared = _api.ApiStats()
    clock = FakeClock()
    client = DatadogClient(options, stats=shared, clock=lambda: 42.0, sleep=clock.sleep)
    assert client.options is options and client.stats is shared and client.clock() == 42.0
    assert DatadogClient(options).clock is time.monotonic


def test_a_client_in_a_shared_rate_limit_waits_through_it_and_tells_it_of_a_429():
    now = [0.0]
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        now[0] += seconds
    shared = SharedRateLimit(clock=lambda: now[0], pause=pause)
    client, _adapter, clock = make_client([(503, {}, b""), (429, {"X-RateLimit-Reset": "3"}, b""), OK, (503, {}, b""), OK])
    client.share_rate_limit(shared)
    client.get("/x")
    assert shared.holds == 1 and pauses == [1.0, 3.0] and clock.sleeps == []  # the 503's backoff and the 429's hold
    client.share_rate_limit(None)
    client.get("/x")
    assert clock.sleeps == [1.0] and pauses == [1.0, 3.0]
    client, _adapter, _clock = make_client([(503, {}, b""), OK])
    client.share_rate_limit(shared)
    client.get("/x")
    assert shared.holds == 1  # only a 429 holds back the other workers


def test_unanswered_attempts_are_counted_only_when_they_may_have_arrived():
    client, _adapter, _clock = make_client([dropped(), dropped(), (404, {}, b"")])
    assert client.delete("/x", expected=(204, 404)).unanswered == 2
    client, _adapter, _clock = make_client([refused(), (404, {}, b"")])
    assert client.delete("/x", expected=(204, 404)).unanswered == 0


def test_a_post_that_got_no_answer_after_a_refused_connection_says_how_many_attempts():
    client, adapter, _clock = make_client([refused(), dropped()])
    with pytest.raises(DatadogOutcomeUnknownError) as error:
        client.post("/x", body={})
    assert len(adapter.sent) == 2 and str(error.value).endswith("(POST /x, gave up after 2 attempts)")


def test_request_id_is_reported():
    client, _adapter, _clock = make_client([(403, {"X-Request-Id": "rid-42"}, {"errors": ["Forbidden"]})])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    assert error.value.request_id == "rid-42"
    assert str(error.value) == "HTTP 403: Forbidden (GET /x, request id rid-42)"


def test_html_proxy_page_is_summarized():
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    client, _adapter, _clock = make_client([(502, {"Content-Type": "text/html"}, page)], retries=0)
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    assert "HTTP 502: a text/html answer (%d bytes): '502 Bad Gateway'" % len(page) in str(error.value)


def test_non_json_success_answer_is_an_error_not_a_traceback():
    client, _adapter, _clock = make_client([(200, {"Content-Type": "text/html"}, b"<html>login</html>")])
    with pytest.raises(DatadogAPIError, match="expected a JSON answer but got a text/html answer"):
        client.get("/x")


def test_answer_without_data_member_is_an_error():
    client, _adapter, _clock = make_client([(200, {}, {"meta": {}})])
    response = client.get("/x")
    with pytest.raises(DatadogAPIError, match="the answer has no 'data' member"):
        response.data  # pylint: disable=pointless-statement


@pytest.mark.parametrize("method, answer, expected, expected_text", [
    ("GET", (200, {}, {"meta": {}}), (200,), "the answer has no 'data' member (got an object with keys meta)"),
    ("GET", (204, {}, b""), (200, 204), "the answer has no 'data' member (got an empty answer)"),
    ("POST", (201, {"Content-Type": "text/plain"}, b"upstream reset"), (200, 201),
     "expected a JSON answer but got a text/plain answer"),
    ("PATCH", (200, {"Content-Length": str(_api.MAX_ANSWER_BYTES + 1)}, b"{}"), (200,), "the answer is larger than 64 MiB"),
    ("DELETE", (200, {}, {"meta": {}}), (200, 204),
     "expected an empty answer (Datadog answers a delete with HTTP 204) but got an object"),
    ("POST", (204, {}, b""), (200, 201), "HTTP 204: expected HTTP 200 or 201, got this status with an empty answer"),
    ("GET", (202, {}, {"data": []}), (200, 404), "HTTP 202: expected HTTP 200, got this status with an object with keys data"),
])
def test_a_success_answer_that_cannot_be_used_says_so_with_its_status(method, answer, expected, expected_text):
    client, adapter, _clock = make_client([answer])
    with pytest.raises(UnusableAnswerError) as error:
        client.request(method, "/api/v2/x", body={} if method != "GET" else None, expected=expected).data
    assert error.value.status == answer[0] and expected_text in str(error.value)
    assert "%s /api/v2/x" % method in str(error.value)
    assert len(adapter.sent) == 1  # a 2xx is not retried: Datadog accepted the request


def test_an_expected_error_status_without_data_is_not_called_unusable():
    client, _adapter, _clock = make_client([(404, {}, {"errors": ["Not found"]})])
    response = client.get("/x", expected=(200, 404))
    with pytest.raises(DatadogAPIError) as error:
        response.data  # pylint: disable=pointless-statement
    assert not isinstance(error.value, UnusableAnswerError) and error.value.status == 404


@pytest.mark.parametrize("method, answer", [
    ("GET", (200, {}, {API_KEY: "echoed", "meta": {}})),  # a 200 body described by its keys
    ("DELETE", (200, {}, {"echo": 1, APP_KEY: 2})),  # a delete answered with JSON, described by its keys
    ("POST", (200, {"Content-Type": "text/%s" % API_KEY}, b"not json")),  # even the content type
])
def test_descriptions_of_success_answers_are_scrubbed(method, answer):
    client, _adapter, _clock = make_client([answer])
    with pytest.raises(UnusableAnswerError) as error:
        client.request(method, "/x", body={} if method == "POST" else None, expected=(200,)).data
    for text in (str(error.value), repr(error.value)):
        assert API_KEY not in text and APP_KEY not in text and MASK in text


def test_a_shared_rate_limit_wait_is_counted_as_waited_not_as_a_retry():
    now = [0.0]

    def pause(seconds):
        now[0] += seconds
    shared = SharedRateLimit(clock=lambda: now[0], pause=pause)
    client, _adapter, _clock = make_client([OK])
    client.share_rate_limit(shared)
    shared.hold(4.5)  # another worker's 429
    client.get("/x")
    assert client.stats.as_result()["waited"] == 4.5 and client.stats.retry_count == 0
    assert client.retry_summary() == "Datadog API: waited 4.5 s in total"


def test_waits_of_outcome_polls_are_not_retries_and_named_waits_are():
    client, _adapter, clock = make_client([])
    client.wait(0.25)
    client.wait(1.0, "HTTP 429")
    client.wait(0)
    assert clock.sleeps == [0.25, 1.0]
    assert client.stats.as_result()["retries"] == {"total": 1, "HTTP 429": 1} and client.stats.waited == 1.25


class WarningAdapter(FakeAdapter):
    """Warns as urllib3 does for every unverified HTTPS request, and takes a moment, so that threads interleave."""

    def send(self, request, **kwargs):
        warnings.warn("Unverified HTTPS request is being made", InsecureRequestWarning)
        time.sleep(0.0005)
        return super().send(request, **kwargs)


def insecure_clients(count, answers):
    options = ClientOptions.from_values(api_key=API_KEY, app_key=APP_KEY, api_url="https://api.example.test",
                                        validate_certs=False)
    clients = []
    for _number in range(count):
        session = requests.Session()
        session.mount("https://", WarningAdapter([OK] * answers))
        clients.append(DatadogClient(options, session=session, sleep=FakeClock().sleep))
    return clients


@pytest.fixture
def warning_filters():
    """The process's warning filters, restored after the test (without catch_warnings, which the test watches)."""
    saved = warnings.filters[:]
    warnings.filters[:] = [entry for entry in saved if entry[2] is not InsecureRequestWarning]
    yield
    warnings.filters[:] = saved


def test_validate_certs_false_installs_one_process_wide_filter_however_many_clients(warning_filters):
    insecure_clients(5, 0)
    assert [entry for entry in warnings.filters if entry[2] is InsecureRequestWarning] == [
        ("ignore", None, InsecureRequestWarning, None, 0)]


def test_parallel_requests_without_certificate_checks_leave_the_warning_filters_alone(warning_filters, monkeypatch):
    clients = insecure_clients(8, 40)
    filters, content = warnings.filters, warnings.filters[:]
    shown = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, category, *args, **kwargs: shown.append(category))
    failures = []

    def work(client):
        try:
            for _number in range(40):
                client.get("/x")
        except Exception as exc:  # pylint: disable=broad-exception-caught
            failures.append(exc)
    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    # 320 requests in 8 threads: the same filter list, unchanged, and urllib3's warning never shown.
    assert warnings.filters is filters and warnings.filters == content
    assert InsecureRequestWarning not in shown


def test_validate_certs_true_adds_no_filter(warning_filters):
    make_client([OK])
    assert not [entry for entry in warnings.filters if entry[2] is InsecureRequestWarning]


def test_keys_echoed_by_a_server_never_reach_messages():
    body = {"errors": ["invalid key %s for app %s" % (API_KEY, APP_KEY)]}
    client, _adapter, _clock = make_client([(403, {}, body)])
    with pytest.raises(DatadogAPIError) as error:
        client.get("/x")
    for text in (str(error.value), repr(error.value), " ".join(error.value.messages)):
        assert API_KEY not in text and APP_KEY not in text


# -- paging --------------------------------------------------------------------------------------------

def _page(ids, total):
    return (200, {}, {"data": [{"id": str(i)} for i in ids], "meta": {"total": total, "total_filtered": total}})


def test_paginate_reads_250_items_in_3_requests():
    client, adapter, _clock = make_client([_page(range(0, 100), 250), _page(range(100, 200), 250), _page(range(200, 250), 250)])
    items = list(client.paginate("/api/v2/actions/app_key_registrations", page_size=100))
    assert [item["id"] for item in items] == [str(i) for i in range(250)]
    assert len(adapter.sent) == 3
    assert "page%5Bnumber%5D=0" in adapter.sent[0].url and "page%5Bnumber%5D=2" in adapter.sent[2].url
    assert "page%5Bsize%5D=100" in adapter.sent[0].url


def test_paginate_asks_for_pages_of_100_by_default_and_reads_exactly_the_total():
    client, adapter, _clock = make_client([_page(range(0, 2), 3), _page(range(2, 3), 3)])
    assert [item["id"] for item in client.paginate("/x")] == ["0", "1", "2"]
    assert len(adapter.sent) == 2 and "page%5Bsize%5D=100" in adapter.sent[0].url


@pytest.mark.parametrize("pages, page_size, message, requests_sent", [
    ([(200, {}, {"data": {"id": "1"}})], 2, "HTTP 200: the answer's 'data' member is not a list (GET /x", 1),
    ([_page(range(0, 2), 10), _page(range(0, 2), 10)], 2,
     "HTTP 200: page 1 holds only items of earlier pages (the server may ignore page[number]); stopped after 2 requests", 2),
    ([_page(range(0, 1), 100001)], 2, "HTTP 200: the server reports 100001 items; this collection reads at most 100000", 1),
    # Short pages are allowed up to twice the pages the total needs (3 here): the 8th request is one too many.
    ([_page([number], 30) for number in range(10)], 10,
     "HTTP 200: the server keeps answering pages past the 30 items it reported; stopped after 8 requests", 8),
    ([_page([number], 31) for number in range(12)], 10,  # 31 items need 4 pages of 10
     "HTTP 200: the server keeps answering pages past the 31 items it reported; stopped after 10 requests", 10),
    # Without a total, short pages end when the most pages a list of 100,000 items could need were read.
    ([(200, {"X-Request-Id": "rid-%d" % number}, {"data": [{"id": str(number)}]}) for number in range(1002)], 100,
     "HTTP 200: no end after 1002 pages (GET /x", 1002),
])
def test_paging_that_goes_wrong_stops_with_a_clear_error(pages, page_size, message, requests_sent):
    client, adapter, _clock = make_client(pages)
    with pytest.raises(DatadogAPIError) as error:
        list(client.paginate("/x", page_size=page_size))
    assert str(error.value).startswith(message) and error.value.method == "GET" and error.value.path.startswith("/x?")
    assert len(adapter.sent) == requests_sent
    if "no end" in message:
        assert error.value.request_id == "rid-1001"


def test_paging_accepts_a_total_of_exactly_the_most_it_reads_and_items_without_ids():
    client, _adapter, _clock = make_client([_page(range(0, 2), 100000), (200, {}, {"data": []})])
    assert len(list(client.paginate("/x", page_size=2))) == 2
    odd = (200, {}, {"data": ["not a dict", {"no": "id"}, {"id": "1"}], "meta": {"total": 3}})
    client, _adapter, _clock = make_client([odd])
    assert list(client.paginate("/x", page_size=3)) == ["not a dict", {"no": "id"}, {"id": "1"}]


def test_paging_without_a_total_stops_after_the_most_it_reads():
    pages = [(200, {}, {"data": [{"id": "%d-%d" % (page, number)} for number in range(1000)]}) for page in range(102)]
    client, adapter, _clock = make_client(pages)
    with pytest.raises(DatadogAPIError) as error:
        list(client.paginate("/x", page_size=1000))
    assert "keeps answering pages past the limit of 100000 items it reported; stopped after 101 requests" in str(error.value)
    assert len(adapter.sent) == 101


def test_paginate_stops_on_an_empty_page_without_meta():
    client, adapter, _clock = make_client([(200, {}, {"data": [{"id": "1"}]}), (200, {}, {"data": []})])
    assert len(list(client.paginate("/x", page_size=1))) == 1
    assert len(adapter.sent) == 2


# -- against real sockets: the classification of connection failures ------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _real_client(port, **values):
    options = ClientOptions.from_values(api_key=API_KEY, app_key=APP_KEY, api_url="http://127.0.0.1:%d" % port, **values)
    clock = FakeClock()
    return DatadogClient(options, sleep=clock.sleep), clock


def test_real_refused_connection_is_retried_even_for_post():
    client, clock = _real_client(_free_port(), retries=2)
    with pytest.raises(DatadogConnectionError) as error:
        client.post("/x", body={})
    assert not isinstance(error.value, DatadogOutcomeUnknownError)
    assert clock.sleeps == [1.0, 2.0]


def test_real_connection_dropped_after_the_request_is_outcome_unknown_for_post():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    received = []

    def serve():
        for _attempt in range(2):
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            received.append(conn.recv(65536))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        client, clock = _real_client(server.getsockname()[1], retries=3)
        with pytest.raises(DatadogOutcomeUnknownError) as error:
            client.post("/api/v2/actions/connections", body={"a": 1})
        assert len(received) == 1 and clock.sleeps == []
        assert API_KEY.encode() in received[0]  # it really was sent, once...
    finally:
        server.close()
    # ...and the error says what happened, without the key.
    assert "may have been applied" in str(error.value)
    assert API_KEY not in str(error.value) and APP_KEY not in str(error.value)


def test_real_slow_answer_times_out_without_hanging():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    try:
        client, clock = _real_client(server.getsockname()[1], retries=1, timeout=0.2)
        with pytest.raises(DatadogConnectionError, match="within timeout=0.2 seconds"):
            client.get("/x")
        assert clock.sleeps == [1.0]
    finally:
        server.close()


def test_cyclic_gc_is_paused_and_restored():
    import gc  # pylint: disable=import-outside-toplevel
    assert gc.isenabled()
    with _api.cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _api.cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # it was off before, so it stays off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError):
        with _api.cyclic_gc_paused():
            raise RuntimeError("boom")
    assert gc.isenabled()
