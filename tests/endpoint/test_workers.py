"""The query workers' failures: a worker that died while idle is never handed a query, a crash is
logged, a query over the memory limit is stopped with its own message, a full pool answers at once."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from ozgkg.sparql.executor import Busy, Executor, Job, MemoryLimitPassed, WorkerFailed, WorkerSettings
from ozgkg.sparql.protocol import ProtocolError
from ozgkg.sparql.safety import Limits
from ozgkg.store import ResultKind, open_store
from ozgkg.web.app import Endpoint, EndpointConfig

JSON = {ResultKind.BINDINGS: "application/sparql-results+json"}
# Issue 16's 79-byte query: an ORDER BY over a three-way cross product (7.6 GiB without a limit).
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY DESC(?i) ?c LIMIT 10"


def _store(directory: Path, triples: int) -> str:
    spec = f"oxigraph:{directory}"
    store = open_store(spec)
    graph = ox.NamedNode("http://g")
    store.replace(
        (
            ox.Quad(ox.NamedNode(f"http://s{i}"), ox.NamedNode("http://p"), ox.Literal(i), graph)
            for i in range(triples)
        ),
        version="test",
    )
    store.close()
    return spec


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Executor]:
    running = Executor(WorkerSettings(_store(tmp_path, 3)), size=1)
    yield running
    running.close()


def _cross_product(width: int) -> str:
    return "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(width)) + " }"


def _worker_pid(executor: Executor) -> int:
    worker = executor._idle.get()  # noqa: SLF001 - the test plays the part of a killer
    executor._idle.put(worker)  # noqa: SLF001
    return worker.process.pid


def test_a_worker_killed_while_idle_is_replaced_before_it_gets_a_query(
    small: Executor, caplog: pytest.LogCaptureFixture
) -> None:
    worker = small._idle.get()  # noqa: SLF001 - the test plays the part of a killer
    small._idle.put(worker)  # noqa: SLF001
    pid = worker.process.pid
    os.kill(pid, signal.SIGKILL)
    # Dead once its last thread is gone and its pipe closed (a killed process's threads take a moment).
    assert worker.conn.poll(30)
    with caplog.at_level(logging.ERROR, logger="ozgkg.sparql.executor"):
        outcome = small.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON), 20)
    assert outcome.answer is not None and b'"3"' in outcome.answer.body
    assert f"pid {pid}) died while idle: signal SIGKILL" in caplog.text


def test_a_worker_crash_during_a_query_is_logged_and_told(
    small: Executor, caplog: pytest.LogCaptureFixture
) -> None:
    # SIGSEGV from outside stands in for the engine's crash (its own crashes are refused before it).
    job = Job(CROSS_PRODUCT, JSON)
    pid = _worker_pid(small)
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGSEGV))
    killer.start()
    with (
        caplog.at_level(logging.ERROR, logger="ozgkg.sparql.executor"),
        pytest.raises(WorkerFailed, match="SIGSEGV"),
    ):
        # A slow query on purpose: a big enough cross product to be running when the signal comes.
        small.run(Job(_cross_product(20), JSON), 20)
    killer.join()
    assert f"pid {pid}) died during a query: signal SIGSEGV" in caplog.text
    assert small.run(job, 20).answer is not None  # its successor answers


def test_a_query_over_the_memory_limit_is_stopped_with_its_own_error(tmp_path: Path) -> None:
    executor = Executor(WorkerSettings(_store(tmp_path, 300), memory_mib=200), size=1)
    try:
        with pytest.raises(MemoryLimitPassed, match="more than the 200 MiB"):
            executor.run(Job(CROSS_PRODUCT, JSON), 120)
        answer = executor.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON), 60).answer
        assert answer is not None and b'"300"' in answer.body
    finally:
        executor.close()


def test_no_free_worker_is_told_after_the_wait_not_the_deadline(small: Executor) -> None:
    worker = small._idle.get()  # noqa: SLF001 - the pool's only worker, held as a long query would
    try:
        with pytest.raises(Busy, match="all 1 query workers stayed busy for 0.2 s"):
            small.run(Job("ASK {}", JSON), 600, wait=0.2)
    finally:
        small._idle.put(worker)  # noqa: SLF001


def _until_a_worker_is_ready(executor: Executor) -> None:
    """The killed worker's successor starts in the background; on a busy machine that takes longer than
    the 2 s a request waits for a worker, which is not what these steps test."""
    deadline = time.monotonic() + 120
    while executor.ready_workers() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_query_that_passed_the_deadline_is_refused_at_once_for_a_while(tmp_path: Path) -> None:
    config = EndpointConfig(
        store=_store(tmp_path, 30),
        statistics=None,  # type: ignore[arg-type] - the query path never reads it
        graph_version="test",
        limits=Limits(timeout=1.0, runaway_seconds=60.0),
        workers=1,
    )
    served = Endpoint(config)
    try:
        runaway = Job(_cross_product(8), JSON)
        with pytest.raises(ProtocolError, match="deadline of 1 s passed"):
            served.answer(runaway)
        with pytest.raises(ProtocolError, match="not run again for") as again:
            served.answer(runaway)
        assert (
            again.value.status == 503 and again.value.retry_after is not None and again.value.retry_after > 1
        )
        _until_a_worker_is_ready(served.executor)
        assert served.answer(Job("SELECT * WHERE { ?s ?p ?o } LIMIT 1", JSON)).body  # others are answered
        # A client's own lower deadline says nothing of the query: it is run again.
        other = Job(_cross_product(9), JSON)
        with pytest.raises(ProtocolError, match="deadline of 0.5 s passed"):
            served.answer(other, 0.5)
        _until_a_worker_is_ready(served.executor)
        with pytest.raises(ProtocolError, match="deadline of 1 s passed"):
            served.answer(other)
    finally:
        served.close()
