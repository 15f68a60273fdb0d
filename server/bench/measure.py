"""Timing one query: the first (cold) answer, then repetitions at concurrency 1 and N.

Every server gets the same client: `http.client` with one keep-alive connection per thread, the
query POSTed form-encoded (SPARQL 1.1 protocol), JSON results for SELECT/ASK and N-Triples for graphs.
In-process engines plug into the same loop through the `Ask` callable.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .answers import Answer, normalise
from .queries import Query

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.5"


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes


Ask = Callable[[Query], Reply]


class HttpClient:
    """A SPARQL protocol client whose threads each keep their own connection open."""

    def __init__(self, endpoint: str, timeout: float):
        parts = urllib.parse.urlsplit(endpoint)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        if getattr(self._local, "connection", None) is None:
            self._local.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._local.connection

    def ask(self, query: Query) -> Reply:
        body = urllib.parse.urlencode({"query": query.text})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": GRAPH_ACCEPT if query.graph_result else SELECT_ACCEPT,
        }
        # A server may close a keep-alive connection that sat idle (gunicorn after 5 s): as HTTP
        # clients do, a request that fails on a reused connection is sent once more on a new one.
        for attempt in (1, 2):
            reused = getattr(self._local, "connection", None) is not None
            connection = self._connection()
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                # A timed-out or dropped connection cannot be reused: the next request opens a new one.
                connection.close()
                self._local.connection = None
                stale = isinstance(error, ConnectionError)  # reset, broken pipe, remote disconnected
                if not (reused and stale and attempt == 1):
                    raise
        media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        return Reply(response.status, media_type, data)


@dataclass(frozen=True)
class Settings:
    repetitions: int  # at most this many timed answers per phase
    budget: float  # seconds per phase after which no new request is started
    concurrency: tuple[int, ...] = (1, 8)
    # Above this latency at concurrency 1 the concurrent phase is not run (it would take minutes per
    # query on the slowest server); its throughput is then reported as not measured.
    concurrent_max_latency: float = 2.0


@dataclass
class Phase:
    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds
    wall: float = 0.0
    errors: int = 0

    def summary(self) -> dict:
        ok = sorted(self.latencies)
        return {
            "concurrency": self.concurrency,
            "n": len(ok),
            "errors": self.errors,
            "p50_ms": _percentile(ok, 50),
            "p95_ms": _percentile(ok, 95),
            "p99_ms": _percentile(ok, 99),
            "throughput_qps": round(len(ok) / self.wall, 3) if ok and self.wall else None,
        }


def _percentile(sorted_seconds: list[float], p: int) -> float | None:
    if not sorted_seconds:
        return None
    if len(sorted_seconds) == 1:
        return round(sorted_seconds[0] * 1000, 3)
    cut = statistics.quantiles(sorted_seconds, n=100, method="inclusive")[p - 1]
    return round(cut * 1000, 3)


def _timed(ask: Ask, query: Query) -> tuple[float, Reply | None, str]:
    start = time.perf_counter()
    try:
        reply = ask(query)
    except Exception as error:  # a timeout or a dropped connection is a result to report
        return time.perf_counter() - start, None, f"{type(error).__name__}: {error}"[:200]
    seconds = time.perf_counter() - start
    if reply.status != 200:
        return seconds, reply, f"HTTP {reply.status}: {reply.body[:200].decode('utf-8', 'replace')}"
    return seconds, reply, ""


def _phase(ask: Ask, query: Query, concurrency: int, settings: Settings) -> Phase:
    """Send the query from `concurrency` threads until `repetitions` answers or the budget is spent."""
    phase = Phase(concurrency)
    lock = threading.Lock()
    started = time.perf_counter()
    sent = 0

    def client() -> None:
        nonlocal sent
        while True:
            with lock:
                # Every thread sends at least once, so that the concurrency is real.
                if sent >= max(settings.repetitions, concurrency) or (
                    sent >= concurrency and time.perf_counter() - started > settings.budget
                ):
                    return
                sent += 1
            seconds, _, error = _timed(ask, query)
            with lock:
                if error:
                    phase.errors += 1
                else:
                    phase.latencies.append(seconds)
            if error:
                return

    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(client)
    phase.wall = time.perf_counter() - started
    return phase


def measure(ask: Ask, query: Query, settings: Settings) -> tuple[dict, Answer | None]:
    """One query's record (cold latency, phases, error) and its first answer, to compare.

    The expensive query is sent once: its purpose is to show what each server does at its deadline.
    """
    cold, reply, error = _timed(ask, query)
    record: dict = {
        "query": query.name,
        "class": query.kind,
        "cold_ms": round(cold * 1000, 3),
        "error": error,
    }
    if error or query.expensive:
        return record, None
    try:
        answer = normalise(reply.media_type, reply.body)
    except (ValueError, SyntaxError) as unreadable:
        record["error"] = f"unreadable answer ({reply.media_type}): {unreadable}"[:200]
        return record, None
    record["rows"] = sum(answer.values())
    phases = []
    for concurrency in settings.concurrency:
        if concurrency > 1 and phases and (phases[0]["p50_ms"] or 0) > settings.concurrent_max_latency * 1000:
            phases.append({"concurrency": concurrency, "skipped": "too slow at concurrency 1"})
            continue
        phases.append(_phase(ask, query, concurrency, settings).summary())
    record["phases"] = phases
    return record, answer
