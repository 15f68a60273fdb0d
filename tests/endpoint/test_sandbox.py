"""The second wall behind the SERVICE check: a query worker of a local store has no network, so that
even a SERVICE clause handed to it directly (as if it had slipped past the check) calls nobody."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from endpoint.conftest import Listener
from ozgkg.sparql.executor import Executor, Job, WorkerSettings
from ozgkg.store import ResultKind, open_store


@pytest.fixture(params=["oxigraph", "memory"])
def executor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Executor]:
    quad = ox.Quad(
        ox.NamedNode("http://a"), ox.NamedNode("http://p"), ox.Literal("o"), ox.NamedNode("http://g")
    )
    store = open_store(f"{request.param}:{tmp_path}")
    store.replace([quad], version="test")
    store.close()
    running = Executor(WorkerSettings(f"{request.param}:{tmp_path}"), size=1)
    yield running
    running.close()


def test_a_worker_cannot_call_a_service_it_is_handed(executor: Executor) -> None:
    if not executor.isolated:
        message = "unshare(2) of a network namespace is refused on this machine"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI runs as root, where it must work")
        pytest.skip(message)
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.url}> {{ ?x ?y ?z }} }}"
        outcome = executor.run(Job(query, {ResultKind.BINDINGS: "application/sparql-results+json"}), 20)
        time.sleep(0.3)
        assert listener.connections == 0
        assert outcome.answer is None and outcome.status == 400, outcome
        # The worker is still there and answers the next query.
        plain = executor.run(
            Job("ASK { ?s ?p ?o }", {ResultKind.BOOLEAN: "application/sparql-results+json"}), 20
        )
        assert plain.answer is not None and b"true" in plain.answer.body
    finally:
        listener.close()
