"""The SMS backends: the HTTP gateway adapter against a local fake gateway, and the contract
every backend keeps (tested on the outbox and the gateway alike)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from prakerja.notifications.backends import (
    HttpGatewaySmsBackend,
    OutboxSmsBackend,
    SmsBackend,
    SmsDeliveryError,
)
from prakerja.notifications.models import OutboxMessage
from prakerja.notifications.services import sms_send, sms_send_on_commit

TOKEN = "uji-token-rahasia"
PHONE = "+6281234567890"


@dataclass
class FakeGateway:
    """What the fake gateway answers and what it received."""

    status: int = 202
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    state = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "msg-1"}')
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first: the timeout test

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    yield state
    server.shutdown()
    server.server_close()


def _backend(gateway: FakeGateway, **kwargs: Any) -> HttpGatewaySmsBackend:
    return HttpGatewaySmsBackend(url=gateway.url, token=TOKEN, **kwargs)


def test_it_posts_json_with_the_bearer_token(gateway: FakeGateway) -> None:
    _backend(gateway).send(to=PHONE, body="Kode masuk Prakerja Jatim: 123456.")
    [request] = gateway.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"] == {"to": PHONE, "message": "Kode masuk Prakerja Jatim: 123456."}


def test_a_server_error_raises_a_typed_error(gateway: FakeGateway) -> None:
    gateway.status = 500
    with pytest.raises(SmsDeliveryError) as error:
        _backend(gateway).send(to=PHONE, body="Halo")
    assert error.value.reason == "http_500"


def test_a_refusal_raises_a_typed_error(gateway: FakeGateway) -> None:
    gateway.status = 401
    with pytest.raises(SmsDeliveryError) as error:
        _backend(gateway).send(to=PHONE, body="Halo")
    assert error.value.reason == "http_401"


def test_a_slow_gateway_times_out(gateway: FakeGateway) -> None:
    gateway.delay = 1.0
    started = time.monotonic()
    with pytest.raises(SmsDeliveryError) as error:
        _backend(gateway, timeout=0.2).send(to=PHONE, body="Halo")
    assert error.value.reason == "timeout"
    assert time.monotonic() - started < 0.9


def test_an_unreachable_gateway_raises_a_typed_error(gateway: FakeGateway) -> None:
    backend = HttpGatewaySmsBackend(url="http://127.0.0.1:9/v1/sms", token=TOKEN, timeout=1)
    with pytest.raises(SmsDeliveryError) as error:
        backend.send(to=PHONE, body="Halo")
    assert error.value.reason in {"unreachable", "timeout"}


def test_the_default_timeout_is_about_five_seconds(settings: Any) -> None:
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/"
    assert HttpGatewaySmsBackend().timeout == 5.0


def test_it_needs_a_gateway_url(settings: Any) -> None:
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        HttpGatewaySmsBackend()


def test_its_logs_never_hold_the_full_number_nor_the_text(
    gateway: FakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="prakerja.notifications")
    _backend(gateway).send(to=PHONE, body="Kode 123456")
    gateway.status = 500
    with pytest.raises(SmsDeliveryError) as error:
        _backend(gateway).send(to=PHONE, body="Kode 123456")
    logged = " ".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records) + str(
        error.value
    )
    assert caplog.records
    assert "1234567890" not in logged and "123456" not in logged
    assert "+62*******890" in logged


@pytest.mark.django_db
def test_sms_send_uses_the_configured_gateway(gateway: FakeGateway, settings: Any) -> None:
    settings.SMS_BACKEND = "prakerja.notifications.backends.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    sms_send(to=PHONE, body="Halo")
    assert gateway.requests[0]["body"]["to"] == PHONE
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_failed_send_after_commit_is_logged_not_raised(
    gateway: FakeGateway,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SMS_BACKEND = "prakerja.notifications.backends.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    gateway.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        sms_send_on_commit(to=PHONE, body="Halo")
    assert [record.getMessage() for record in caplog.records][-1] == "sms not delivered"
    assert caplog.records[-1].reason == "http_503"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sms_send_on_commit(to=PHONE, body="Halo")
    assert not OutboxMessage.objects.exists()
    assert len(callbacks) == 1  # runs only if the caller's transaction commits


# --- The contract every backend keeps --------------------------------------------------------


@pytest.fixture(params=["outbox", "gateway"])
def any_backend(request: pytest.FixtureRequest, gateway: FakeGateway) -> SmsBackend:
    if request.param == "outbox":
        request.getfixturevalue("db")
        return OutboxSmsBackend()
    return _backend(gateway)


def test_every_backend_takes_e164_and_text_by_keyword_and_returns_nothing(
    any_backend: SmsBackend,
) -> None:
    assert any_backend.send(to=PHONE, body="Kode masuk Prakerja Jatim: 123456.") is None  # type: ignore[func-returns-value]


def test_every_backend_delivers_the_text_unchanged(
    any_backend: SmsBackend, gateway: FakeGateway
) -> None:
    body = "Jadwal kunjungan: Senin 09.00, Posko Disnaker Surabaya. Bawa KTP & KK."
    any_backend.send(to=PHONE, body=body)
    if isinstance(any_backend, OutboxSmsBackend):
        sent = OutboxMessage.objects.get()
        assert (sent.channel, sent.recipient, sent.body) == ("sms", PHONE, body)
    else:
        assert gateway.requests[-1]["body"] == {"to": PHONE, "message": body}


def test_every_backend_refuses_positional_arguments(any_backend: SmsBackend) -> None:
    with pytest.raises(TypeError):
        any_backend.send(PHONE, "Halo")  # type: ignore[misc]
