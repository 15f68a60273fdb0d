"""The Flask application: `create_app(config)` wires the query workers, the blueprints and HTTP rules."""

from __future__ import annotations

import functools
import io
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from flask import Flask, current_app

from . import federation
from .executor import Busy, DeadlinePassed, Executor, Job, WorkerFailed, WorkerSettings
from .protocol import ProtocolError
from .result_cache import DEFAULT_BYTES, ResultCache
from .safety import Limits, Refused, check_nesting
from .service_description import DatasetStatistics, describe
from .store import Answer
from .store.memory import RDF_FORMATS, serialise_graph

if TYPE_CHECKING:  # pyshacl is needed only by whoever validates, not by the app
    from .validate import ValidationResult

# rdflib serialiser names of the RDF media types the descriptions and pages are offered in.
DESCRIPTION_FORMATS = RDF_FORMATS


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


class Endpoint:
    """The running endpoint's state: its configuration, its query workers, its cached answers."""

    def __init__(self, config: EndpointConfig):
        self.config = config
        self.results = ResultCache(config.result_cache_bytes)
        self.executor = Executor(
            WorkerSettings(config.store, config.limits),
            size=config.workers,
        )

    def answer(self, job: Job, timeout: float | None = None) -> Answer:
        """Evaluate within the deadline (the server's, or a lower one the client asked for).

        Here, in the web process, the query is checked (nesting, SERVICE) and its allowed SERVICE
        clauses are fetched; the worker gets a query without any (see `sandbox`)."""
        limits = self.config.limits
        seconds = min(timeout, limits.timeout) if timeout else limits.timeout
        started = time.monotonic()
        try:
            check_nesting(job.text, limits.max_nesting)
            text = federation.resolve(job.text, self.config.service_allowlist, limits, job.base_iri)
        except Refused as refusal:
            raise ProtocolError(refusal.status, refusal.message) from None
        left = seconds - (time.monotonic() - started)
        try:
            if left <= 0:
                raise DeadlinePassed(seconds)
            outcome = self.executor.run(replace(job, text=text), left)
        except DeadlinePassed:
            raise ProtocolError(503, str(DeadlinePassed(seconds))) from None
        except Busy as error:
            raise ProtocolError(503, str(error)) from None
        except WorkerFailed as error:
            raise ProtocolError(500, f"query evaluation failed: {error}") from None
        if outcome.answer is None:
            raise ProtocolError(outcome.status, outcome.message)
        return outcome.answer

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one Endpoint per process, kept for its lifetime
    def description(self, endpoint_url: str, parts: frozenset[str], media_type: str) -> bytes:
        graph = describe(
            endpoint_url,
            self.config.statistics,
            federation=bool(self.config.service_allowlist),
            parts=parts,
        )
        # In TriG and N-Quads (Comunica asks for them) the description is the default graph.
        buffer = io.BytesIO()
        serialise_graph(graph, media_type, buffer)
        return buffer.getvalue()

    def close(self) -> None:
        self.executor.close()


def endpoint() -> Endpoint:
    return current_app.extensions["ozgkg"]


def create_app(config: EndpointConfig) -> Flask:
    from .web import graph_store, http, meta, pages, sparql, ui

    app = Flask("ozgkg")
    app.config["MAX_CONTENT_LENGTH"] = config.limits.max_body_bytes
    app.json.ensure_ascii = False
    app.extensions["ozgkg"] = Endpoint(config)
    http.install(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(meta.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(ui.blueprint)
    app.wsgi_app = http.AccessLog(app.wsgi_app)
    return app
