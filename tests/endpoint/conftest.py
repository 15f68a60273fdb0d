"""The real endpoint in a subprocess (`ozg-kg serve` on a free loopback port), and a raw HTTP client.

The server serves the shipped graph plus two fixtures of these tests: the graphs the W3C protocol
tests expect (`data/w3c-protocol.trig`) and a triple file with umlauts (`data/umlauts.ttl`).
A fake SPARQL endpoint on loopback is the one allowlisted SERVICE target.

$OZGKG_TEST_STORE picks the store the server holds its dataset in: `oxigraph` (the default),
`memory` (rdflib), or a remote store started here: `oxigraph-server`, PyPI oxigraph's server, or
`virtuoso`, Debian's Virtuoso (started by the benchmark's own launcher, `bench.servers.Virtuoso`).
`bash server/dev.sh test` runs these tests, the federation and the browser tests once on each
(Virtuoso only when asked for, see server/dev.sh).
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask

from ozgkg.serve import ServeOptions, prepare
from ozgkg.web.app import create_app
from ozgkg.web.extension import endpoint

DATA = Path(__file__).parent / "data"
W3C_DATA = DATA / "w3c-protocol.trig"
UMLAUT_DATA = DATA / "umlauts.ttl"
STARTUP_SECONDS = 300  # loading and validating the full graph
STORE_ENV = "OZGKG_TEST_STORE"
TEST_STORES = ("oxigraph", "memory", "oxigraph-server", "virtuoso")
OXIGRAPH = Path(sys.executable).with_name("oxigraph")  # the `oxigraph` server of the `test` extra


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    """What the tests call on an endpoint: `request` (one exchange), and `get` / `query` built on it."""

    base: str

    @property
    def endpoint(self) -> str:
        return self.base + "/sparql"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        raise NotImplementedError

    def get(self, path: str, headers: dict[str, str] | None = None, **params: str) -> Reply:
        query = urllib.parse.urlencode(params)
        return self.request("GET", f"{path}?{query}" if query else path, headers=headers)

    def query(self, sparql: str, accept: str = "application/sparql-results+json", **params: str) -> Reply:
        return self.get("/sparql", {"Accept": accept}, query=sparql, **params)


@dataclass
class Server(Client):
    """`ozg-kg serve` in a subprocess, spoken to over a socket: for what a real server adds (clients,
    the access log, deadlines, federation, the browser)."""

    base: str
    log: Path
    process: subprocess.Popen = field(repr=False)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        """One HTTP exchange exactly as given (no client-side encoding or redirects)."""
        host, port = urllib.parse.urlsplit(self.base).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            connection.request(method, path, body=data, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()


@dataclass
class InProcess(Client):
    """The same app built in this process (`create_app`) and spoken to through Flask's test client:
    for the HTTP rules, which a socket and gunicorn add nothing to."""

    base: str
    app: Flask = field(repr=False)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        """One exchange with the app, the path's query string passed on as it is written."""
        target, _, query_string = path.partition("?")
        environ = {"QUERY_STRING": query_string}
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self.app.test_client() as client:
            response = client.open(
                target, method=method, data=data, headers=headers or {}, environ_overrides=environ
            )
            return Reply(
                response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.get_data()
            )


class Listener:
    """A TCP listener on loopback that records every connection made to it. It closes each at once,
    or with `hold` keeps it open without a word, as a remote endpoint that never answers."""

    def __init__(self, hold: bool = False) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._hold = hold
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            if self._hold:
                self._held.append(connection)
            else:
                connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self.socket.close()


class _FakeSparql(http.server.BaseHTTPRequestHandler):
    """A remote SPARQL endpoint that answers every query with one binding ?remote = "fern"."""

    answer = json.dumps(
        {
            "head": {"vars": ["remote"]},
            "results": {"bindings": [{"remote": {"type": "literal", "value": "fern"}}]},
        }
    ).encode()

    def _reply(self) -> None:
        self.server.calls.append(self.command)  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    do_GET = do_POST = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def remote_endpoint() -> Iterator[tuple[str, list[str]]]:
    """An allowlisted fake SPARQL endpoint on loopback: its URL and the methods it was called with."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeSparql)
    server.calls = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", server.calls  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def start_server(
    args: list[str],
    log: Path,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    cwd: Path | None = None,
) -> Server:
    """`ozg-kg serve ARGS` on a free port, once /health answers; `env` adds environment variables,
    `python` is the interpreter whose ozg-kg runs (an installed wheel's venv), `cwd` where it runs."""
    port = free_port()
    command = [python, "-m", "ozgkg.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=cwd
        )
    server = Server(f"http://127.0.0.1:{port}", log, process)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ozg-kg serve exited with {process.returncode}:\n{log.read_text()[-5000:]}")
        try:
            if server.request("GET", "/health", timeout=2).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"ozg-kg serve did not answer /health within {STARTUP_SECONDS} s")


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextlib.contextmanager
def oxigraph_server(location: Path, read_only: bool = False) -> Iterator[str]:
    """PyPI oxigraph's server on a free loopback port, over the store in `location`: its query URL."""
    if not OXIGRAPH.exists():
        pytest.fail(f"the oxigraph server is missing ({OXIGRAPH}): `bash server/dev.sh test` installs it")
    port = free_port()
    command = "serve-read-only" if read_only else "serve"
    with (location.parent / f"oxigraph-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [OXIGRAPH, command, "--location", location, "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the oxigraph server did not start on port {port}")
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def virtuoso_server(workdir: Path) -> Iterator[str]:
    """Debian's Virtuoso on free loopback ports, empty, its Graph Store open to loopback: its query URL.

    Started by the benchmark's launcher (server/bench is no installed package: its folder is put on
    the import path here)."""
    if not shutil.which("virtuoso-t") or not shutil.which("isql-vt"):
        pytest.fail("Virtuoso is missing: apt-get install --no-install-recommends virtuoso-opensource")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server"))
    from bench.servers import Virtuoso

    server = Virtuoso(workdir, timeout=STARTUP_SECONDS)
    try:
        server.launch(None, quads=100_000)
        server.open_graph_store()
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def app_server(remote_endpoint: tuple[str, list[str]], store_options: list[str]) -> Iterator[InProcess]:
    """The endpoint of the `server` fixture (same data, store, allowlist and workers), built in-process."""
    options = ServeOptions(
        store=store_options[1],
        data=(W3C_DATA, UMLAUT_DATA),
        validate_extra=False,
        service_allowlist=frozenset({remote_endpoint[0]}),
        workers=2,
    )
    with warnings.catch_warnings():  # rdflib's deprecations in pyshacl, which a subprocess keeps to itself
        warnings.simplefilter("ignore", DeprecationWarning)
        config, temporary = prepare(options)
    app = create_app(config)
    try:
        yield InProcess("http://localhost", app)
    finally:
        with app.app_context():
            endpoint().close()
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, remote_endpoint: tuple[str, list[str]], store_options: list[str]
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / "serve.log"
    running = start_server(
        [
            *store_options,
            "--data", str(W3C_DATA),
            "--data", str(UMLAUT_DATA),
            "--no-validate-extra",
            "--allow-service", remote_endpoint[0],
            "--workers", "2",
        ],
        log,
    )  # fmt: skip
    yield running
    stop_server(running)
    assert running.process.returncode in (0, -signal.SIGTERM), log.read_text()[-3000:]
