"""`ozg-kg serve`: load and validate the graph, put it in the store, serve it with gunicorn.

Gunicorn runs one worker process with a few threads; query evaluation happens in the executor's
own killable processes, so a thread waiting for an answer costs nothing and a runaway query never
blocks the web process.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from ozgkg.features.service_description import DatasetStatistics, collect_statistics, statistics_from_json
from ozgkg.knowledge.load import (
    FileQuads,
    KnowledgeFile,
    LoadError,
    extra_file,
    files_version,
    iter_quads,
    knowledge_files,
    load,
)
from ozgkg.knowledge.validate import ValidationResult, validated_report
from ozgkg.sparql.executor import DEFAULT_WORKER_MEMORY_MIB
from ozgkg.sparql.result_cache import DEFAULT_BYTES
from ozgkg.sparql.safety import Limits
from ozgkg.store import Store, open_store, split_spec
from ozgkg.web.http import CACHE_KEY, QUERY_HASH_KEY

# Threads of the web process beyond those that wait for query workers (see `serve`).
WEB_THREADS = 64

if TYPE_CHECKING:  # imported by `prepare` while the store is written
    from ozgkg.web.app import EndpointConfig

# The marker annotation under which a persistent store keeps its VoID statistics.
STATISTICS = "void-statistics"


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    store: str = "oxigraph"
    store_gsp: str | None = None  # a remote store's Graph Store Protocol URL, if not the derived one
    data: tuple[Path, ...] = ()
    validate_extra: bool = True
    service_allowlist: frozenset[str] = frozenset()
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    public_base: str | None = None
    result_cache_bytes: int = DEFAULT_BYTES
    worker_memory_mib: int | None = DEFAULT_WORKER_MEMORY_MIB


class InvalidGraph(Exception):
    def __init__(self, result: ValidationResult):
        super().__init__("the graph does not conform to the shapes")
        self.result = result


class CannotServe(Exception):
    """Something that stops `serve` before it loads anything: the message says what and what to do."""


def check_port(host: str, port: int) -> None:
    """Fail at once, before minutes of loading, if the address cannot be bound (gunicorn binds the same
    way, with SO_REUSEADDR, so a port in TIME_WAIT is no obstacle)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = (
                "is already in use"
                if error.errno == errno.EADDRINUSE
                else f"cannot be used ({error.strerror})"
            )
            raise CannotServe(f"port {port} on {host} {reason}; choose another with --port N") from None


def check_store_directory(spec: str) -> None:
    """A store directory must be one this process can create and write: told before the graph is read."""
    backend, location = split_spec(spec)
    if backend == "remote" or not location:
        return
    directory = Path(location)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise CannotServe(f"the store directory {directory} cannot be written: {error.strerror}") from None


def _graph_version(files: list[KnowledgeFile], options: ServeOptions) -> str:
    """A hash of every loaded file and of the options that change answers: the ETags' base."""
    settings = {"limits": asdict(options.limits), "allowlist": sorted(options.service_allowlist)}
    digest = hashlib.sha256(files_version(files).encode())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def _served_store(spec: str) -> tuple[str, str | None]:
    """The store the workers will open, and a temporary directory to delete at exit.

    Workers are processes of their own: an embedded store without a directory gets a temporary one.
    """
    backend, location = split_spec(spec)
    if backend == "remote" or location:
        return spec, None
    directory = tempfile.mkdtemp(prefix=f"ozg-kg-{backend}-")
    return f"{backend}:{directory}", directory


@dataclass(frozen=True)
class StoreReport:
    statistics: DatasetStatistics
    loaded: bool  # False: the store already held this version and was only reopened
    seconds: float


def _statistics(store: Store) -> DatasetStatistics:
    """The VoID counts; a store with a marker keeps them there, so that a reopened store (whose
    content the marker vouches for) is not counted again (at 10^6 quads counting took 2.6-2.8 s)."""
    kept = store.marker.annotation(STATISTICS) if store.marker else None
    statistics = statistics_from_json(kept) if kept is not None else None
    if statistics is None:
        statistics = collect_statistics(store)
        if store.marker:
            store.marker.annotate(STATISTICS, asdict(statistics))
    return statistics


def check_files(files: list[KnowledgeFile]) -> None:
    """Each file parses to the end and holds a quad, or LoadError: read before a store is touched,
    so that a broken or empty file never costs the data a store holds (a store is cleared before
    it is filled, and the files stream in as they are parsed)."""
    for file in files:
        if sum(1 for _ in iter_quads(file)) == 0:
            raise LoadError(file.path, "holds no triples: an empty file would replace the served data")


def _write_store(
    spec: str, gsp: str | None, files: list[KnowledgeFile], version: str, extras: list[KnowledgeFile]
) -> StoreReport:
    """Make the store hold the files (unless it recorded their version already) and count its
    statistics; the extra files (--data, perhaps unvalidated) are checked before the store changes."""
    started = time.monotonic()
    store = open_store(spec, gsp=gsp)
    try:
        if store.version() != version:
            check_files(extras)  # a broken or empty file is told before the stored data is cleared
        # The files' quads as they are parsed, or the files themselves to a store that reads them with
        # a loader of its own: a store that holds them already never asks, and a large file streams
        # into the store instead of sitting in memory as Python objects.
        loaded = store.fill(FileQuads(files), version)
        statistics = _statistics(store)
    finally:
        store.close()  # the workers open it read-only, which needs the writer gone
    return StoreReport(statistics, loaded, time.monotonic() - started)


def _writer_context() -> multiprocessing.context.BaseContext:
    """How the store writer is started: forked, which costs nothing (a spawned process imports the
    package again, half a second of a warm start of 2 s), as long as this process has one thread, so
    that no lock can be copied held; else spawned. (Linux lists a process's threads in /proc.)"""
    try:
        single = len(os.listdir("/proc/self/task")) == 1
    except OSError:
        single = False
    return multiprocessing.get_context("fork" if single else "spawn")


def prepare(options: ServeOptions) -> tuple[EndpointConfig, str | None]:
    """Load, validate and store the graph; returns the app config and a temporary dir to remove."""
    main_files = knowledge_files()
    extras = [extra_file(p) for p in options.data]
    # The graph and what is to be validated with it are read here; files served unvalidated
    # (--no-validate-extra) are read only by the process that writes the store, as they stream in.
    validated = [*main_files, *(extras if options.validate_extra else [])]
    started = time.monotonic()
    checked = load(validated)
    say(f"read {len(validated)} files ({len(checked.quads)} quads) in {time.monotonic() - started:.1f} s")
    # Checked on every start, even when the store already holds these files: /validation serves
    # this report, and a graph that does not conform is never served, whatever a store holds. The
    # report is read back if an earlier start validated exactly these files against these shapes.
    started = time.monotonic()
    result, kept = validated_report(checked, [*validated, *([checked.inferred] if checked.inferred else [])])
    if not result.conforms:
        raise InvalidGraph(result)
    seconds = time.monotonic() - started
    how = "as an earlier start found them (report kept in the cache)" if kept else "against the shapes"
    say(f"valid {how}, with {len(result.warnings)} warnings (see /validation), in {seconds:.1f} s")

    # The inferred graph (computed from what was read and validated, cached) is loaded like a file.
    files = [*main_files, *extras, *([checked.inferred] if checked.inferred else [])]
    spec, temporary = _served_store(options.store)
    try:
        # RocksDB starts C++ threads that a fork does not copy; if this (gunicorn's master) process
        # opened the store, the forked web worker would crash on exit. A process of its own writes it.
        with ProcessPoolExecutor(max_workers=1, mp_context=_writer_context()) as pool:
            writing = pool.submit(_write_store, spec, options.store_gsp, files, files_version(files), extras)
            # Meanwhile this process imports the web app (Flask, the pages, the exports), which the
            # writer does not need: a second of a warm start otherwise spent one after the other.
            from ozgkg.web.app import EndpointConfig

            report = writing.result()
    except BaseException:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
        raise
    done = "loaded" if report.loaded else "reopened (it holds these files already)"
    say(f"store {spec} {done} in {report.seconds:.2f} s")
    config = EndpointConfig(
        store=spec,
        statistics=report.statistics,
        graph_version=_graph_version(files, options),
        limits=options.limits,
        service_allowlist=options.service_allowlist,
        workers=options.workers,
        public_base=options.public_base,
        validation=result,
        result_cache_bytes=options.result_cache_bytes,
        worker_memory_mib=options.worker_memory_mib,
    )
    return config, temporary


# gunicorn's access log, one line a request once its body is sent; the query's hash and the result
# cache's outcome are noted in the environ by the routes (`web.http.note_query`, `note_cache`).
ACCESS_LOG_FORMAT = (
    f"%(t)s ozgkg.access %(m)s %(U)s query=%({{{QUERY_HASH_KEY}}}e)s cache=%({{{CACHE_KEY}}}e)s "
    "status=%(s)s ms=%(ms)s bytes=%(b)s"
)


class AccessLogger(Logger):
    """gunicorn's logger with one atom more: the duration in milliseconds to a tenth (`ms`)."""

    def atoms(self, resp: object, req: object, environ: dict, request_time: timedelta) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["ms"] = f"{request_time.total_seconds() * 1000:.1f}"
        return atoms


class _Gunicorn(BaseApplication):
    def __init__(self, config: EndpointConfig, settings: dict):
        self._config = config
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from ozgkg.web.app import create_app

        return create_app(self._config)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("ozgkg")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def say(message: str) -> None:
    """A progress line on stdout, at once (a long first start is never silent)."""
    print(f"ozg-kg serve: {message}", flush=True)


def serve(options: ServeOptions) -> None:
    """Prepare the store, print the endpoint URL and serve until stopped (SIGINT/SIGTERM)."""
    check_port(options.host, options.port)
    check_store_directory(options.store)
    config, temporary = prepare(options)
    owner = os.getpid()
    _configure_logging()
    host = f"[{options.host}]" if ":" in options.host else options.host
    settings = {
        "bind": f"{host}:{options.port}",
        "workers": 1,
        "worker_class": "gthread",
        # gthread gives a connection a thread from its first byte to its response, and gunicorn has no
        # header or body read deadline: a client that trickles its request holds a thread all along
        # (issue 16: 8 such clients stopped the 8-thread server). A waiting thread costs little (it
        # blocks on a socket or a worker's pipe), so there are enough for 20 slow clients and the
        # rest; beyond that, a reverse proxy that buffers whole requests (nginx) is the defence.
        "threads": WEB_THREADS + 4 * options.workers,
        # Gunicorn's own watchdog only has to catch a wedged web process: queries have their deadline.
        "timeout": int(options.limits.timeout) + 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,  # the most gunicorn allows; longer queries go in a POST body
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": AccessLogger,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "ozg-kg",
        "control_socket_disable": True,
    }
    say(
        f"{config.statistics.quads} quads in {len(config.statistics.graphs)} graphs; web UI at "
        f"http://{host}:{options.port}/, SPARQL endpoint at http://{host}:{options.port}/sparql; "
        "Ctrl-C stops"
    )
    try:
        _Gunicorn(config, settings).run()
    finally:
        # Gunicorn's forked web worker unwinds through here too; only the parent owns the store.
        if temporary and os.getpid() == owner:
            shutil.rmtree(temporary, ignore_errors=True)
