"""The served state, as a Flask extension (flaskr's `get_db()` / `init_app()`): `init_app` puts one
`Endpoint` into `app.extensions`, and every blueprint reads it through `endpoint()`.

A leaf of the web layer: it imports the layers below (protocol, executor, store, the description),
never a blueprint or `ozgkg.web.app`.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cachetools import TTLCache
from flask import Flask, current_app
from rdflib import Graph

from ozgkg.features.service_description import DatasetStatistics, describe
from ozgkg.rdf.formats import SPARQL_JSON
from ozgkg.rdf.graphs import graph_bytes
from ozgkg.rdf.results import Row, parse_bindings
from ozgkg.sparql import federation
from ozgkg.sparql.executor import (
    MEMORY_STATUS,
    Busy,
    DeadlinePassed,
    Executor,
    Job,
    MemoryLimitPassed,
    WorkerFailed,
    WorkerSettings,
)
from ozgkg.sparql.protocol import ProtocolError
from ozgkg.sparql.result_cache import DEFAULT_BYTES, ResultCache
from ozgkg.sparql.safety import Limits, Refused, check_shape
from ozgkg.store import Answer, ResultKind
from ozgkg.web.metrics import Metrics

if TYPE_CHECKING:  # pyshacl is needed only by whoever validates, not by the app
    from ozgkg.knowledge.validate import ValidationResult

EXTENSION = "ozgkg"


@dataclass(frozen=True)
class EndpointConfig:
    """Everything the app needs; built by `ozgkg.serve` after loading and validating the graph."""

    store: str  # what the query workers open (see `store.open_store`)
    statistics: DatasetStatistics
    graph_version: str  # hash of the loaded files and the server options, the base of every ETag
    limits: Limits = field(default_factory=Limits)
    service_allowlist: frozenset[str] = frozenset()
    workers: int = 2
    public_base: str | None = None  # the pages' public URL (behind a proxy or a w3id redirect)
    validation: ValidationResult | None = None  # the start-up SHACL report, shown at /validation
    result_cache_bytes: int = DEFAULT_BYTES  # 0: every query is evaluated
    worker_memory_mib: int | None = None  # each query worker's address space limit (None: none)


class Endpoint:
    """The running endpoint's state: its configuration, its query workers, its cached answers."""

    def __init__(self, config: EndpointConfig):
        self.config = config
        self.results = ResultCache(config.result_cache_bytes)
        self.metrics = Metrics()
        self.executor = Executor(
            WorkerSettings(config.store, config.limits, config.worker_memory_mib),
            size=config.workers,
            on_replace=lambda cause: self.metrics.worker_restarts.labels(cause).inc(),
        )
        self._ontology_html: str | None = None
        self._ontology_lock = threading.Lock()
        # Queries that ran into the server's deadline lately: their key and when that was.
        self._runaways: TTLCache[str, float] = TTLCache(
            maxsize=10_000, ttl=config.limits.runaway_seconds or 1
        )
        self._runaways_lock = threading.Lock()

    @staticmethod
    def _runaway_key(job: Job) -> str:
        return repr((job.text, job.default_graphs, job.named_graphs, job.base_iri))

    def _check_runaway(self, job: Job) -> None:
        """Refuse at once a query that passed the server's deadline within `Limits.runaway_seconds`."""
        with self._runaways_lock:
            stopped = self._runaways.get(self._runaway_key(job))
        if stopped is not None:
            wait = max(1, math.ceil(self.config.limits.runaway_seconds - (time.monotonic() - stopped)))
            self.metrics.refusals.labels("runaway").inc()
            raise ProtocolError(
                503,
                f"this query passed the deadline of {self.config.limits.timeout:g} s a moment ago; it is "
                f"not run again for {wait} s (narrow it, or add a LIMIT)",
                retry_after=wait,
            )

    def _note_runaway(self, job: Job) -> None:
        if self.config.limits.runaway_seconds > 0:
            with self._runaways_lock:
                self._runaways[self._runaway_key(job)] = time.monotonic()

    def answer(self, job: Job, timeout: float | None = None) -> Answer:
        """Evaluate within the deadline (the server's, or a lower one the client asked for).

        Here, in the web process, the query is checked (nesting, SERVICE) and its allowed SERVICE
        clauses are fetched; the worker gets a query without any (see `sandbox`)."""
        limits = self.config.limits
        seconds = min(timeout, limits.timeout) if timeout else limits.timeout
        started = time.monotonic()
        try:
            check_shape(job.text, limits)
        except Refused as refusal:
            raise self._refused("shape", refusal.status, refusal.message) from None
        self._check_runaway(job)
        try:
            text = federation.resolve(job.text, self.config.service_allowlist, limits, job.base_iri)
        except federation.RemoteFailed as failure:
            raise self._refused("remote", failure.status, failure.message) from None
        except Refused as refusal:
            raise self._refused("service", refusal.status, refusal.message) from None
        left = seconds - (time.monotonic() - started)
        try:
            if left <= 0:
                raise DeadlinePassed(seconds)
            outcome = self.executor.run(replace(job, text=text), left, wait=limits.queue_seconds)
        except DeadlinePassed:
            self.metrics.deadlines.inc()
            if seconds == limits.timeout:  # a client's own lower deadline says nothing of the query
                self._note_runaway(job)
            raise ProtocolError(503, str(DeadlinePassed(seconds))) from None
        except Busy as error:
            raise self._refused("busy", 503, str(error)) from None
        except MemoryLimitPassed as error:
            raise self._refused("memory", MEMORY_STATUS, str(error)) from None
        except WorkerFailed as error:
            raise self._refused("crash", 500, f"query evaluation failed: {error}") from None
        if outcome.answer is None:
            raise self._refused("query", outcome.status, outcome.message)
        return outcome.answer

    def _refused(self, reason: str, status: int, message: str) -> ProtocolError:
        """The error to answer with, counted by its reason (see `Metrics.refusals`)."""
        self.metrics.refusals.labels(reason).inc()
        return ProtocolError(status, message)

    def rows(self, query: str, timeout: float | None = None) -> list[Row]:
        """A SELECT query's rows as rdflib terms, evaluated as any query is (`answer`)."""
        return parse_bindings(self.answer(Job(query, {ResultKind.BINDINGS: SPARQL_JSON}), timeout).body)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one Endpoint per process, kept for its lifetime
    def description(
        self, endpoint_url: str, parts: frozenset[str], media_type: str, download_base: str | None = None
    ) -> bytes:
        # In TriG and N-Quads (Comunica asks for them) the description is the default graph.
        return graph_bytes(self.description_graph(endpoint_url, parts, download_base), media_type)

    def description_graph(
        self, endpoint_url: str, parts: frozenset[str], download_base: str | None = None
    ) -> Graph:
        """The service description / VoID / DCAT record (`service_description.describe`)."""
        return describe(
            endpoint_url,
            self.config.statistics,
            federation=bool(self.config.service_allowlist),
            parts=parts,
            download_base=download_base,
        )

    def ontology_html(self) -> str:
        """The ontology's documentation, written by pyLODE once, on the first request that wants it.

        Importing pyLODE sets the root logger to DEBUG on stderr (every log line would be printed
        twice), and pyLODE caches pickles in its package folder: a throwaway process keeps both away
        from the server."""
        with self._ontology_lock:
            if self._ontology_html is None:
                from ozgkg.features.ontology_docs import ontology_documentation

                context = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                    self._ontology_html = pool.submit(ontology_documentation).result()
            return self._ontology_html

    def close(self) -> None:
        self.executor.close()


def init_app(app: Flask, config: EndpointConfig) -> Endpoint:
    state = app.extensions[EXTENSION] = Endpoint(config)
    return state


def endpoint() -> Endpoint:
    """The current app's endpoint (inside a request or an app context)."""
    return current_app.extensions[EXTENSION]
