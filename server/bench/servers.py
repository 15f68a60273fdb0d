"""The servers under test: started from nothing on a free loopback port, timed until they answer.

Each `start` returns what it measured of loading: `load_s` (a separate import step, where the server
has one), `ready_s` (from nothing to the first answer, load included), peak memory of the server's
process tree while loading, and the size of its files on disk where it keeps any.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path

import psutil

from .data import Dataset
from .measure import HttpClient
from .queries import Query

BIN = Path(sys.executable).parent
READY_QUERY = Query("ready", "probe", "ASK { ?s ?p ?o }")
START_LIMIT = 4 * 3600.0  # a server that has not answered by then has failed to start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class RssSampler:
    """Peak resident memory of a process and all its descendants, sampled ten times a second."""

    def __init__(self, pid: int):
        self._root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def current(self) -> int:
        total = 0
        try:
            for process in [self._root, *self._root.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
        except psutil.NoSuchProcess:
            pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.current())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _launch(command: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    # A session of its own: `stop` ends the server and every process it started, and nothing else.
    with log.open("ab") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )


def _wait_ready(process: subprocess.Popen, client: HttpClient, log: Path) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        try:
            if client.ask(READY_QUERY).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {START_LIMIT:g} s; see {log}")


def _end(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Server(ABC):
    """One server under test; `start` loads `data` and serves it until `stop`."""

    name: str
    path = "/sparql"

    def __init__(self, workdir: Path, timeout: float):
        self.workdir = workdir
        self.timeout = timeout  # the server's own query deadline, where it has one
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.sampler: RssSampler | None = None
        self.log = workdir / f"{self.slug}.log"
        self.files: Path | None = None  # the server's own files (store, database), weighed and removed

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.name).strip("-")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def _serve(self, command: list[str], cwd: Path | None = None) -> None:
        """Launch the serving process, sample its memory, wait until it answers."""
        self.process = _launch(command, self.log, cwd)
        self.sampler = RssSampler(self.process.pid)
        _wait_ready(self.process, HttpClient(self.endpoint, timeout=10), self.log)

    @abstractmethod
    def start(self, data: Dataset) -> dict: ...

    def memory_now(self) -> int:
        return self.sampler.current() if self.sampler else 0

    def stop(self) -> int:
        """End the server; returns the peak memory of its process tree over its whole life."""
        peak = self.sampler.stop() if self.sampler else 0
        _end(self.process)
        if self.files:
            shutil.rmtree(self.files, ignore_errors=True)
        return peak


CACHED = "+cache"


class OzgKg(Server):
    """`ozg-kg serve` as a user runs it, on the store backend `store` (a `--store` value).

    `oxigraph-server` stands for a remote store: an Oxigraph server that the benchmark starts on
    another loopback port and our endpoint loads and queries over HTTP; the memory of both counts.
    The result cache is off, so that every answer is evaluated, unless `store` ends in `+cache`: then
    the first (cold) answer is evaluated and the repetitions come from the cache (warm).
    """

    def __init__(self, workdir: Path, timeout: float, store: str, validate_extra: bool = False):
        self.name = f"ozg-kg[{store}]"
        self.cache = store.endswith(CACHED)
        self.store = store.removesuffix(CACHED)
        self.validate_extra = validate_extra
        super().__init__(workdir, timeout)
        self.files = workdir / f"{self.slug}-store"
        self.remote: subprocess.Popen | None = None
        self.remote_sampler: RssSampler | None = None

    def _store_spec(self) -> str:
        if self.store == "oxigraph":  # the default writes a temporary directory; naming it lets us weigh it
            return f"oxigraph:{self.files}"
        if self.store != "oxigraph-server":
            return self.store
        port = free_port()
        command = [str(BIN / "oxigraph"), "serve", "--location", str(self.files)]
        self.remote = _launch([*command, "--bind", f"127.0.0.1:{port}"], self.log)
        self.remote_sampler = RssSampler(self.remote.pid)
        endpoint = f"http://127.0.0.1:{port}/query"
        _wait_ready(self.remote, HttpClient(endpoint, timeout=10), self.log)
        return "sparql+" + endpoint

    def start(self, data: Dataset) -> dict:
        shutil.rmtree(self.files, ignore_errors=True)
        command = [str(BIN / "ozg-kg"), "serve", "--port", str(self.port), "--store", self._store_spec()]
        command += ["--data", str(data.synthetic), "--timeout", str(self.timeout)]
        command += ["--result-cache", "64" if self.cache else "0"]
        if not self.validate_extra:
            command.append("--no-validate-extra")
        begin = time.perf_counter()
        self._serve(command)
        ready = time.perf_counter() - begin
        on_disk = disk_bytes(self.files) if self.files.exists() else None
        return {
            "load_s": None,
            "ready_s": round(ready, 3),
            "load_peak_rss": self.sampler.peak + (self.remote_sampler.peak if self.remote_sampler else 0),
            "disk_bytes": on_disk,
        }

    def memory_now(self) -> int:
        return super().memory_now() + (self.remote_sampler.current() if self.remote_sampler else 0)

    def stop(self) -> int:
        remote_peak = self.remote_sampler.stop() if self.remote_sampler else 0
        _end(self.remote)
        return super().stop() + remote_peak


class OxigraphServer(Server):
    """Oxigraph's own server from PyPI's `oxigraph`: `oxigraph load`, then `serve-read-only`."""

    name = "oxigraph-server"
    path = "/query"

    def start(self, data: Dataset) -> dict:
        location = self.files = self.workdir / "oxigraph-server-store"
        shutil.rmtree(location, ignore_errors=True)
        begin = time.perf_counter()
        loader = _launch(
            [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(data.combined)],
            self.log,
        )
        load_sampler = RssSampler(loader.pid)
        if loader.wait() != 0:
            raise RuntimeError(f"oxigraph load failed; see {self.log}")
        load_peak = load_sampler.stop()
        loaded = time.perf_counter() - begin
        # The union default graph: a query without GRAPH sees every named graph, as on our endpoint.
        command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location)]
        command += [
            "--bind",
            f"127.0.0.1:{self.port}",
            "--union-default-graph",
            "--timeout-s",
            str(int(self.timeout)),
        ]
        self._serve(command)
        ready = time.perf_counter() - begin
        return {
            "load_s": round(loaded, 3),
            "ready_s": round(ready, 3),
            "load_peak_rss": max(load_peak, self.sampler.peak),
            "disk_bytes": disk_bytes(location),
        }


class Virtuoso(Server):
    """Debian's Virtuoso Open Source 7 with its own virtuoso.ini in a fresh directory; bulk-loaded.

    `launch` alone starts it empty (the tests' remote store, loaded by our endpoint), `open_graph_store`
    lets anyone on loopback write through its Graph Store Protocol (`/sparql-graph-crud`)."""

    name = "virtuoso"

    def __init__(self, workdir: Path, timeout: float):
        super().__init__(workdir, timeout)
        self.home = self.files = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=workdir))
        self.sql_port = free_port()

    def _ini(self, data_dir: Path | None, quads: int) -> str:
        # Buffers (8 KiB pages) sized to the data, one per 5 quads, from 400 MiB up to Virtuoso's
        # setting for an 8 GiB machine: it allocates them as it goes, so a fixed 5 GiB would
        # only show as its memory at scale. No anytime answers (MaxQueryExecutionTime 0): a
        # partial result would count as a wrong answer, not a fast one.
        buffers = min(680_000, max(50_000, quads // 5))
        return textwrap.dedent(f"""\
            [Database]
            DatabaseFile = {self.home}/virtuoso.db
            ErrorLogFile = {self.home}/virtuoso.log
            TransactionFile = {self.home}/virtuoso.trx
            xa_persistent_file = {self.home}/virtuoso.pxa
            MaxCheckpointRemap = 2000
            Striping = 0
            TempStorage = TempDatabase
            [TempDatabase]
            DatabaseFile = {self.home}/virtuoso-temp.db
            TransactionFile = {self.home}/virtuoso-temp.trx
            MaxCheckpointRemap = 2000
            Striping = 0
            [Parameters]
            ServerPort = 127.0.0.1:{self.sql_port}
            DisableUnixSocket = 1
            DirsAllowed = ., {self.home}{f", {data_dir}" if data_dir else ""}
            NumberOfBuffers = {buffers}
            MaxDirtyBuffers = {buffers * 3 // 4}
            CheckpointInterval = 0
            [HTTPServer]
            ServerPort = 127.0.0.1:{self.port}
            ServerThreads = 10
            MaxKeepAlives = 10
            KeepAliveTimeout = 10
            [SPARQL]
            ResultSetMaxRows = 100000000
            MaxQueryCostEstimationTime = 0
            MaxQueryExecutionTime = 0
            """)

    def _sql(self, statements: str) -> str:
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout

    def launch(self, data_dir: Path | None, quads: int) -> None:
        """Start it with buffers for `quads`, reading files from `data_dir`; return once it answers."""
        ini = self.home / "virtuoso.ini"
        ini.write_text(self._ini(data_dir, quads))
        self._serve(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=self.home)

    def open_graph_store(self) -> str:
        """Let the anonymous SPARQL user write graphs (Virtuoso refuses it by default); the URL of the
        Graph Store Protocol. Only for a server on loopback that nothing else reaches."""
        self._sql("GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
        return f"http://127.0.0.1:{self.port}/sparql-graph-crud"

    def start(self, data: Dataset) -> dict:
        begin = time.perf_counter()
        self.launch(data.combined.parent, data.quads)
        started = time.perf_counter()
        # The bulk loader reads the N-Quads file with its graph names (the third argument is only the
        # graph of triple files); the checkpoint makes the load durable, as the other servers' is.
        self._sql(
            f"ld_dir('{data.combined.parent}', '{data.combined.name}', 'urn:ozgkg:bench'); "
            "rdf_loader_run(); checkpoint;"
        )
        failed = self._sql("select ll_file, ll_error from DB.DBA.LOAD_LIST where ll_error is not null;")
        if "\n0 Rows." not in failed:
            raise RuntimeError(f"Virtuoso's bulk load failed: {failed[-500:]}")
        loaded = time.perf_counter()
        return {
            "load_s": round(loaded - started, 3),
            "ready_s": round(loaded - begin, 3),
            "load_peak_rss": self.sampler.peak,
            "disk_bytes": disk_bytes(self.home),
        }


class RdflibEndpoint(Server):
    """PyPI's rdflib-endpoint (`rdflib-endpoint serve FILE`): an rdflib Dataset behind FastAPI."""

    name = "rdflib-endpoint"
    path = "/"

    def start(self, data: Dataset) -> dict:
        begin = time.perf_counter()
        command = [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self._serve([*command, str(data.combined)])
        ready = time.perf_counter() - begin
        return {
            "load_s": None,
            "ready_s": round(ready, 3),
            "load_peak_rss": self.sampler.peak,
            "disk_bytes": None,
        }
