"""What an operator watches (issue 16 item 6): Prometheus metrics, served at /metrics.

Counted in the web process, which sees every request, every refusal and every query worker's end
(the query workers only evaluate). Gunicorn runs one web process (`serve`), so the client
library's plain in-process registry holds all counts; with several web processes it would need
its multiprocess mode. Each app gets a registry of its own, so that apps built side by side (the
tests) do not register the same names twice.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

# From a cache hit (milliseconds) to a query at the default deadline (30 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ozgkg_http_requests",
            "HTTP requests answered, by route (the URL rule, not the URL), method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ozgkg_http_request_duration_seconds",
            "Time from a request's arrival in the app to its response, by route",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.refusals = Counter(
            "ozgkg_query_refusals",
            "Queries not answered, by reason: shape (nesting, operators), service, busy (no free "
            "worker), memory (limit per query), query (the engine's 4xx: syntax, answer too large), "
            "crash (the worker died), remote (a SERVICE call failed), runaway (passed the deadline lately)",
            ["reason"],
            registry=self.registry,
        )
        self.deadlines = Counter(
            "ozgkg_query_deadlines", "Queries stopped at their deadline", registry=self.registry
        )
        self.worker_restarts = Counter(
            "ozgkg_worker_restarts",
            "Query workers replaced, by cause: deadline (killed), died_idle, died_query",
            ["cause"],
            registry=self.registry,
        )
        self.cache = Counter(
            "ozgkg_result_cache_lookups",
            "Result cache lookups, by outcome",
            ["outcome"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
