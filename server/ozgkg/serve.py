"""`ozg-kg serve`: load and validate the graph, write it to an on-disk store, serve it with gunicorn.

Gunicorn runs one worker process with a few threads; query evaluation happens in the executor's
own killable processes, so a thread waiting for an answer costs nothing and a runaway query never
blocks the web process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gunicorn.app.base import BaseApplication

from . import __version__, paths
from .app import EndpointConfig, create_app
from .load import KnowledgeFile, LoadedKnowledge, extra_file, knowledge_files, load
from .safety import Limits
from .service_description import DatasetStatistics, collect_statistics
from .store import OxigraphStore, open_store
from .validate import ValidationResult, validate


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    store: str = "oxigraph"
    data: tuple[Path, ...] = ()
    validate_extra: bool = True
    service_allowlist: frozenset[str] = frozenset()
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    public_base: str | None = None


class InvalidGraph(Exception):
    def __init__(self, result: ValidationResult):
        super().__init__("the graph does not conform to the shapes")
        self.result = result


def _graph_version(files: list[KnowledgeFile], options: ServeOptions) -> str:
    """A hash of every loaded file and of the options that change answers: the ETags' base."""
    digest = hashlib.sha256(__version__.encode())
    root = paths.data_root()
    for file in files:
        name = file.path.relative_to(root) if file.path.is_relative_to(root) else file.path.name
        digest.update(f"\x1e{name}\x1f{file.graph}\x1f".encode())
        digest.update(hashlib.sha256(file.path.read_bytes()).digest())
    settings = {"limits": asdict(options.limits), "allowlist": sorted(options.service_allowlist)}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def _store_directory(spec: str) -> tuple[str, bool]:
    """The directory the workers will read, and whether it is a temporary one to delete at exit."""
    kind, _, location = spec.partition(":")
    if kind != "oxigraph":
        raise ValueError(f"unknown store {spec!r}: expected 'oxigraph' or 'oxigraph:DIRECTORY'")
    if location:
        Path(location).mkdir(parents=True, exist_ok=True)
        return location, False
    return tempfile.mkdtemp(prefix="ozg-kg-store-"), True


def _write_store(files: list[KnowledgeFile], directory: str) -> DatasetStatistics:
    """Load the files into the on-disk store (replacing what it held) and count its statistics."""
    store = open_store(f"oxigraph:{directory}")
    if not isinstance(store, OxigraphStore):  # the workers read Oxigraph's on-disk format
        raise ValueError(f"a store in {directory} cannot be served")
    store.clear()  # a store directory from an earlier run may hold graphs that are gone
    store.add_quads(load(files).quads)
    statistics = collect_statistics(store)
    store.close()  # the workers open it read-only, which needs the writer gone
    return statistics


def prepare(options: ServeOptions) -> tuple[EndpointConfig, str | None]:
    """Load, validate and persist the graph; returns the app config and a temporary dir to remove."""
    main_files = knowledge_files()
    extras = [extra_file(p) for p in options.data]
    knowledge = load(main_files)
    main_quads = len(knowledge.quads)
    for file in extras:
        knowledge.add_file(file)
    checked = (
        knowledge
        if options.validate_extra
        else LoadedKnowledge(knowledge.quads[:main_quads], knowledge.origins)
    )
    result = validate(checked)
    if not result.conforms:
        raise InvalidGraph(result)

    directory, temporary = _store_directory(options.store)
    try:
        # RocksDB starts C++ threads that a fork does not copy; if this (gunicorn's master) process
        # opened the store, the forked web worker would crash on exit. A spawned process writes it.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            statistics = pool.submit(_write_store, [*main_files, *extras], directory).result()
    except BaseException:
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    config = EndpointConfig(
        store_dir=directory,
        statistics=statistics,
        graph_version=_graph_version([*main_files, *extras], options),
        limits=options.limits,
        service_allowlist=options.service_allowlist,
        workers=options.workers,
        public_base=options.public_base,
        validation=result,
    )
    return config, directory if temporary else None


class _Gunicorn(BaseApplication):
    def __init__(self, config: EndpointConfig, settings: dict):
        self._config = config
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201 - a WSGI application
        return create_app(self._config)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("ozgkg")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def serve(options: ServeOptions) -> None:
    """Prepare the store, print the endpoint URL and serve until stopped (SIGINT/SIGTERM)."""
    config, temporary = prepare(options)
    owner = os.getpid()
    _configure_logging()
    host = f"[{options.host}]" if ":" in options.host else options.host
    settings = {
        "bind": f"{host}:{options.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": max(8, 4 * options.workers),
        # Gunicorn's own watchdog only has to catch a wedged web process: queries have their deadline.
        "timeout": int(options.limits.timeout) + 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,  # the most gunicorn allows; longer queries go in a POST body
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "ozg-kg",
        "control_socket_disable": True,
    }
    print(
        f"ozg-kg serve: {config.statistics.quads} quads in {len(config.statistics.graphs)} graphs; "
        f"SPARQL endpoint at http://{host}:{options.port}/sparql",
        flush=True,
    )
    try:
        _Gunicorn(config, settings).run()
    finally:
        # Gunicorn's forked web worker unwinds through here too; only the parent owns the store.
        if temporary and os.getpid() == owner:
            shutil.rmtree(temporary, ignore_errors=True)
