"""The one HTTP client (`ozgkg.http_client`) against real loopback servers: what the callers rely on
beyond what the federation and remote-store tests already show (deadline against a trickle, size
limits, refused connections)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from ozgkg import http_client


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so that connection reuse can be seen
    connections: set[tuple[str, int]] = set()

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).connections.add(self.client_address)
        if self.path == "/moved":
            self.send_response(303)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"x" * 1000
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.connections = set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_is_handed_to_the_caller_not_followed(server: str) -> None:
    reply = http_client.exchange("POST", server + "/moved", b"q", {}, wait=5)
    assert reply.status == 303 and reply.header("Location") == "/elsewhere"


def test_answers_carry_status_media_type_and_body(server: str) -> None:
    reply = http_client.exchange("POST", server + "/", b"q", {}, wait=5)
    assert (reply.status, reply.media_type, len(reply.body)) == (200, "application/sparql-results+json", 1000)


def test_a_body_over_the_limit_is_refused(server: str) -> None:
    with pytest.raises(http_client.TooLarge):
        http_client.exchange("POST", server + "/", b"q", {}, wait=5, max_bytes=999)
    assert len(http_client.exchange("POST", server + "/", b"q", {}, wait=5, max_bytes=1000).body) == 1000


def test_connections_are_reused_without_a_deadline(server: str) -> None:
    for _ in range(5):
        http_client.exchange("POST", server + "/", b"q", {}, wait=5)
    assert len(_Handler.connections) == 1


def test_environment_proxies_are_not_used(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # the discard port: nothing answers there
    assert http_client.exchange("POST", server + "/", b"q", {}, wait=5).status == 200


def test_a_passed_deadline_is_a_timeout_before_any_request(server: str) -> None:
    with pytest.raises(TimeoutError):
        http_client.exchange("POST", server + "/", b"q", {}, wait=5, deadline=time.monotonic() - 1)
    assert not _Handler.connections


def test_a_refused_connection_is_unreachable() -> None:
    with pytest.raises(http_client.Unreachable, match="refused|Refused"):
        http_client.exchange("POST", "http://127.0.0.1:9/", b"q", {}, wait=5)
