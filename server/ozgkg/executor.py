"""Query evaluation in worker processes that are killed when a query passes its deadline.

Neither Oxigraph nor rdflib can interrupt a running query from Python and a Python thread cannot be
killed, so each query runs in one of a few worker processes ('spawn' context: no inherited locks or
store handles). Every worker opens the store itself (`open_store(..., read_only=True)`): Oxigraph's
on-disk store, the memory store's dump, or a remote store's URL. When a deadline passes, the worker
is killed and a fresh one started in the background while the other workers keep answering.

Queries go to the store's engine as strings, never through rdflib's algebra on top of another
store, which was measured 15-130x slower on the project's queries than pyoxigraph's own engine;
SERVICE clauses never reach a worker: the web process fetches the allowed ones (`federation`) and
sends the query with their rows in their place. Workers of a local store run without a network
(`sandbox`), so that the engine could not call out even if a SERVICE slipped past the check.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

from . import sandbox
from .safety import Limits, Refused
from .store import Answer, Query, QueryError, ResultTooLarge, Store, StoreUnavailable, open_store
from .store.remote import SCHEME

log = logging.getLogger("ozgkg.executor")

_STARTUP_SECONDS = 120.0


# What the web process hands a worker: a store query, whose byte limit the worker sets.
Job = Query


@dataclass(frozen=True)
class Outcome:
    """An answer, or the HTTP status and message of a refusal or failure."""

    answer: Answer | None = None
    status: int = 200
    message: str = ""


class DeadlinePassed(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"the query deadline of {seconds:g} s passed; its evaluation was stopped")
        self.seconds = seconds


class Busy(Exception):
    def __init__(self, workers: int, seconds: float):
        super().__init__(f"all {workers} query workers stayed busy for {seconds:g} s; try again shortly")


class WorkerFailed(Exception):
    """The worker process died while evaluating (a crash, not a deadline)."""


@dataclass(frozen=True)
class WorkerSettings:
    store: str  # the spec a worker opens read-only (a store with a directory names it)
    limits: Limits = field(default_factory=Limits)


def _evaluate(store: Store, job: Job, settings: WorkerSettings) -> Outcome:
    try:
        answer = store.evaluate(replace(job, max_bytes=settings.limits.max_result_bytes))
    except Refused as refusal:
        return Outcome(status=refusal.status, message=refusal.message)
    except ResultTooLarge as error:
        return Outcome(status=422, message=str(error))
    except StoreUnavailable as error:
        return Outcome(status=502, message=str(error))
    except QueryError as error:
        return Outcome(status=400, message=str(error))
    return Outcome(answer=answer)


def _worker_main(conn: Connection, settings: WorkerSettings) -> None:
    # The parent stops workers; a Ctrl-C in the terminal must not kill them mid-answer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # rdflib's query grammar recurses once per triple pattern; 100 patterns pass the default limit.
    sys.setrecursionlimit(50_000)
    # A remote store is reached over the network; a local one never needs it.
    isolated = not settings.store.startswith(SCHEME) and sandbox.leave_network()
    store = open_store(settings.store, read_only=True)
    try:
        conn.send(("ready", isolated))
        while True:
            job = conn.recv()
            try:
                outcome = _evaluate(store, job, settings)
            except Exception as error:  # a server bug: report it, keep the worker
                outcome = Outcome(status=500, message=f"internal error in evaluation: {type(error).__name__}")
                print(f"ozg-kg worker: {error!r}", file=sys.stderr)
            conn.send(outcome)
    except (EOFError, OSError):
        return  # the parent went away (server shutting down)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection = field(repr=False)


class Executor:
    """A fixed number of worker processes; `run` answers one job within a deadline."""

    def __init__(self, settings: WorkerSettings, size: int = 2):
        if size < 1:
            raise ValueError("the executor needs at least one worker")
        self.settings = settings
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.isolated = False  # whether the workers run without a network (see `sandbox`)
        starters = [threading.Thread(target=self._add_worker, daemon=True) for _ in range(size)]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()
        if self._idle.qsize() < size:
            self.close()
            raise RuntimeError(f"query workers could not open the store {settings.store}")

    def _start(self) -> _Worker | None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self.settings), name="ozg-kg query worker", daemon=True
        )
        process.start()
        child.close()
        try:
            if parent.poll(_STARTUP_SECONDS):
                _, isolated = parent.recv()
                self.isolated = isolated
                return _Worker(process, parent)
        except (EOFError, OSError):
            pass
        log.error("a query worker failed to start (exit code %s)", process.exitcode)
        self._stop(_Worker(process, parent))
        return None

    def _add_worker(self) -> None:
        worker = self._start()
        if worker is not None:
            self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its successor without making the caller wait for it."""
        self._stop(worker)
        if not self._closed:
            threading.Thread(target=self._add_worker, daemon=True).start()

    @staticmethod
    def _stop(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=10)
        worker.conn.close()

    def ready_workers(self) -> int:
        return self._idle.qsize()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Evaluate `job`, or raise DeadlinePassed / Busy / WorkerFailed within about `timeout` seconds."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Busy(self.size, timeout) from None
        healthy = False
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise DeadlinePassed(timeout)
            outcome = worker.conn.recv()
            healthy = True
            return outcome
        except (EOFError, OSError, BrokenPipeError) as error:
            raise WorkerFailed(f"the query worker stopped unexpectedly ({error!r})") from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._stop(self._idle.get_nowait())
            except queue.Empty:
                return
