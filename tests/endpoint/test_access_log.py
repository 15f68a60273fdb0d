"""The access log: gunicorn's, one line per request once the body is sent. It needs the real server
(`ozg-kg serve` under gunicorn); the other HTTP rules are tested in-process (test_http.py)."""

from __future__ import annotations

import hashlib
import re
import time

from .conftest import Server


def test_access_log_line_per_request(server: Server) -> None:
    query = "ASK { ?s ?p ?o } # access log probe"
    server.query(query)
    digest = hashlib.sha256(query.encode()).hexdigest()[:12]
    # The line is written once the body is sent, so it may come just after the client has read it.
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in server.log.read_text().splitlines() if f"query={digest}" in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert lines, "no access log line for the query"
    assert re.search(
        r"GET /sparql query=[0-9a-f]{12} cache=(hit|miss) status=200 ms=\d+\.\d bytes=\d+$", lines[-1]
    ), lines[-1]
    assert query not in server.log.read_text()
