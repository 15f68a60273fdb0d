"""Slow clients cannot hold the server (issue 16 item 3): 20 connections that trickle their request
a byte at a time, on loopback, leave a normal client's query and /health answered."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from .conftest import Server

SLOW_CLIENTS = 20
# Each slow client sends this a byte every TRICKLE seconds: its headers never end while the test runs.
REQUEST = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 1000
TRICKLE = 0.5


@pytest.fixture
def slow_clients(server: Server) -> Iterator[list[socket.socket]]:
    host, port = urllib.parse.urlsplit(server.base).netloc.split(":")
    stop = threading.Event()
    connections = [socket.create_connection((host, int(port)), timeout=5) for _ in range(SLOW_CLIENTS)]

    def trickle() -> None:
        for byte in REQUEST:
            for connection in connections:
                with contextlib.suppress(OSError):  # the server may hang up on a slow client
                    connection.send(bytes([byte]))
            if stop.wait(TRICKLE):
                return

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    time.sleep(2 * TRICKLE)  # every slow client has started its request
    yield connections
    stop.set()
    sender.join()
    for connection in connections:
        connection.close()


def test_twenty_slow_clients_do_not_stop_a_normal_one(
    server: Server, slow_clients: list[socket.socket]
) -> None:
    # A generous bound, no timing: without enough threads the requests never got an answer at all.
    health = server.request("GET", "/health", timeout=30)
    assert health.status == 200 and health.json()["status"] == "ok"
    answer = server.request("GET", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", timeout=30)
    assert answer.status == 200 and answer.json()["boolean"] is True
