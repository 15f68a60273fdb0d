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
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path

from ozgkg.sparql import sandbox
from ozgkg.sparql.safety import Limits, Refused
from ozgkg.store import Answer, Query, QueryError, ResultTooLarge, Store, StoreUnavailable, open_store
from ozgkg.store.remote import SCHEME

log = logging.getLogger("ozgkg.sparql.executor")

_STARTUP_SECONDS = 120.0

# The address space a query may add to a worker's (RLIMIT_AS, counted from what the worker maps once
# its store is open: RocksDB's thread stacks, the memory store's graph). Measured with the project's
# graph: an open Oxigraph worker maps 460-930 MiB; the 42 project queries took it to at most 600 MiB,
# the 79-byte ORDER BY over a cross product of issue 16 to 7.6 GiB without a limit.
DEFAULT_WORKER_MEMORY_MIB = 2048


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


# A query that needs more memory than a worker may have is the query's cost, not a server fault:
# Unprocessable Content, as for an answer over the size limit.
MEMORY_STATUS = 422


class MemoryLimitPassed(Exception):
    def __init__(self, mib: int):
        super().__init__(
            f"the query needed more than the {mib} MiB of memory a query may use in a worker; its "
            "evaluation was stopped (ask for less: fewer variables, a narrower pattern, no ORDER BY over "
            "a cross product)"
        )


@dataclass(frozen=True)
class WorkerSettings:
    store: str  # the spec a worker opens read-only (a store with a directory names it)
    limits: Limits = field(default_factory=Limits)
    memory_mib: int | None = None  # address space a query may add to a worker (RLIMIT_AS); None: no limit


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
    except MemoryError:  # Python's allocations under RLIMIT_AS (the engine's abort the process instead)
        return Outcome(status=MEMORY_STATUS, message=str(MemoryLimitPassed(settings.memory_mib or 0)))
    return Outcome(answer=answer)


def _mapped_bytes() -> int:
    """This process's address space now (0 where /proc is not there to say)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def _limit_memory(mib: int | None) -> None:
    """Cap the worker's address space at what it maps now plus `mib`, so that one query cannot take
    the machine's memory whatever the store needs to stay open: the engine's allocations then fail
    (Oxigraph aborts the process, Python raises MemoryError)."""
    if mib:
        limit = _mapped_bytes() + mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_main(conn: Connection, settings: WorkerSettings) -> None:
    # The parent stops workers; a Ctrl-C in the terminal must not kill them mid-answer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # rdflib's query grammar recurses once per triple pattern; 100 patterns pass the default limit.
    sys.setrecursionlimit(50_000)
    # A remote store is reached over the network; a local one never needs it.
    isolated = not settings.store.startswith(SCHEME) and sandbox.leave_network()
    store = open_store(settings.store, read_only=True)
    _limit_memory(settings.memory_mib)  # after opening: the store's own start-up is not a query's cost
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


def _readable(conn: Connection) -> bool:
    try:
        return conn.poll(0)
    except (EOFError, OSError):
        return True


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection = field(repr=False)


class Executor:
    """A fixed number of worker processes; `run` answers one job within a deadline."""

    def __init__(
        self, settings: WorkerSettings, size: int = 2, on_replace: Callable[[str], None] | None = None
    ) -> None:
        """`on_replace(cause)` is told of every worker replaced: "deadline", "died_idle", "died_query"."""
        if size < 1:
            raise ValueError("the executor needs at least one worker")
        self.settings = settings
        self.size = size
        self._on_replace = on_replace
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

    def _replace(self, worker: _Worker, cause: str) -> None:
        """Kill a worker and start its successor without making the caller wait for it."""
        if self._on_replace:
            self._on_replace(cause)
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

    def _exit(self, worker: _Worker) -> str:
        """How a dead worker ended, for the log and the client ("signal SIGSEGV", "exit code 1")."""
        worker.process.join(timeout=2)
        code = worker.process.exitcode
        if code is None:
            return "still running"
        if code < 0:
            try:
                return f"signal {signal.Signals(-code).name}"
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"

    def _died(self, worker: _Worker, idle: bool) -> str:
        """Log a worker's death, start its successor; how it ended."""
        ending = self._exit(worker)
        when = "while idle" if idle else "during a query"
        log.error("a query worker (pid %s) died %s: %s", worker.process.pid, when, ending)
        self._replace(worker, "died_idle" if idle else "died_query")
        return ending

    def _take(self, deadline: float, wait: float) -> _Worker:
        """An idle worker that is alive, waiting at most `wait` seconds for one to come free; one
        that died while idle (killed, out of memory) is replaced, never handed a job."""
        give_up = min(deadline, time.monotonic() + wait)
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, give_up - time.monotonic()))
            except queue.Empty:
                raise Busy(self.size, wait) from None
            # An idle worker has nothing to say: a readable pipe is its end of file (it died), which
            # holds even where the process cannot be reaped yet.
            if worker.process.is_alive() and not _readable(worker.conn):
                return worker
            self._died(worker, idle=True)

    def run(self, job: Job, timeout: float, wait: float | None = None) -> Outcome:
        """Evaluate `job`, or raise DeadlinePassed / Busy / WorkerFailed / MemoryLimitPassed within about
        `timeout` seconds; Busy already after `wait` seconds (default: the timeout) without a free worker."""
        deadline = time.monotonic() + timeout
        while True:
            worker = self._take(deadline, timeout if wait is None else wait)
            try:
                worker.conn.send(job)
                break
            except OSError:  # it died between the check and the send: the job never reached it
                self._died(worker, idle=True)
        healthy = False
        try:
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise DeadlinePassed(timeout)
            outcome = worker.conn.recv()
            healthy = True
            return outcome
        except (EOFError, OSError):
            ending = self._died(worker, idle=False)
            worker = None  # replaced already
            if self.settings.memory_mib and ending == "signal SIGABRT":
                # Oxigraph aborts when an allocation fails: under RLIMIT_AS, the query's memory.
                raise MemoryLimitPassed(self.settings.memory_mib) from None
            raise WorkerFailed(f"the query worker stopped unexpectedly ({ending})") from None
        finally:
            if worker is not None:
                if healthy:
                    self._idle.put(worker)
                else:
                    self._replace(worker, "deadline")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._stop(self._idle.get_nowait())
            except queue.Empty:
                return
