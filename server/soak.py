"""`bash server/dev.sh soak`: the soak and hostility kit of issue 16, on loopback, bounded in time.

It starts `ozg-kg serve` on a free loopback port and, for `--seconds` (default 60), runs a load mix
of light requests (cached and uncached queries, entity pages, /health, syntax errors) with one
runaway cross product in 20, while 20 slow clients trickle their headers and, half-way, a query
worker is killed. Then the attacks: SERVICE spellings aimed at a loopback listener off the
allowlist, parser bombs, the memory bomb. It writes the figures, with the command, to RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
MEMORY_BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY DESC(?i) ?c LIMIT 10"
LIGHT_QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { ?s a ?type } LIMIT 20",
    "ASK { ?s ?p ?o }",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Tally:
    expected: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)
    light_seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int, allowed: set[int], seconds: float | None) -> None:
        with self.lock:
            (self.expected if status in allowed else self.unexpected)[f"{kind} {status}"] += 1
            if seconds is not None:
                self.light_seconds.append(seconds)


def get(base: str, path: str, timeout: float = 60) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as reply:
            reply.read()
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer at all


def query_path(text: str, **extra: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": text, **extra})


def client(base: str, number: int, stop: float, tally: Tally) -> None:
    step = number
    while time.monotonic() < stop:
        step += 1
        started = time.monotonic()
        if step % 20 == 0:
            tally.note("runaway", get(base, query_path(RUNAWAY)), {503}, None)
            continue
        kind, path, allowed = [
            ("cached", query_path(LIGHT_QUERIES[step % 3]), {200}),
            ("uncached", query_path(f"{LIGHT_QUERIES[0]} # {number}-{step}"), {200}),
            ("health", "/health", {200}),
            ("syntax", query_path("SELECT * WHERE { ?s"), {400}),
            ("page", "/id/land/16", {200}),
        ][step % 5]
        status = get(base, path)
        tally.note(kind, status, allowed, time.monotonic() - started)


def slow_clients(base: str, count: int, stop: threading.Event) -> None:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    connections = [socket.create_connection((host, int(port)), timeout=5) for _ in range(count)]
    request = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 100_000
    for byte in request:
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.send(bytes([byte]))
        if stop.wait(1.0):
            break
    for connection in connections:
        connection.close()


def query_workers(server: subprocess.Popen) -> list[int]:
    """The query workers: the web process's children (ps: no psutil needed)."""
    listing = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    parents = {int(pid): int(ppid) for pid, ppid in (line.split() for line in listing.splitlines())}
    web = [pid for pid, ppid in parents.items() if ppid == server.pid]
    return [pid for pid, ppid in parents.items() if ppid in web]


class Listener:
    """A loopback port off the allowlist that counts who connects."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.connections = 0
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            with contextlib.suppress(OSError):
                connection, _ = self.socket.accept()
                self.connections += 1
                connection.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"


def service_spellings(url: str) -> list[str]:
    host = url.removesuffix("/sparql")
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s <http://x/p>? 1SERVICE <{url}> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ ?s <http://x/p>? trueSERVICE <{url}> {{ ?x ?y ?z }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX i: <{host}/> SELECT * WHERE {{ SERVICE i:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{host}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT*WHERE{{?x ?y ?z.#c\nSERVICE<{url}>{{?s ?p ?o}}}}",
    ]


BOMBS = {
    "10,000 UNION": "SELECT * WHERE { " + " UNION ".join(["{}"] * 10_000) + " }",
    "10,000 path steps": "SELECT * WHERE { ?s " + "/".join(["<p>"] * 10_000) + " ?o }",
    "10,000 &&": "SELECT * WHERE { FILTER(" + " && ".join(["true"] * 10_000) + ") }",
    "3,000 nested OPTIONAL": "SELECT * WHERE " + "{ OPTIONAL " * 3000 + "{}" + " }" * 3000,
    "10,000 nested braces": "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
}


def post(base: str, text: str) -> int:
    request = urllib.request.Request(
        base + "/sparql", text.encode(), {"Content-Type": "application/sparql-query"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            reply.read()
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load mix (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--output", type=Path, default=ROOT / "RELIABILITY.md")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.clients <= 32:
        parser.error("--seconds in (0, 600], --clients in (0, 32]: the kit stays bounded")

    listener = Listener()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="ozg-kg-soak-", suffix=".log")[1])
    command = [sys.executable, "-m", "ozgkg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--timeout", "10", "--workers", "2"]
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            if get(base, "/health", timeout=2) == 200:
                break
            time.sleep(0.5)
        else:
            print(f"soak: the server did not start; see {log}", file=sys.stderr)
            return 1
        print(
            f"soak: load mix for {args.seconds:g} s with {args.clients} clients and 20 slow ones", flush=True
        )
        tally = Tally()
        stop_slow = threading.Event()
        slow = threading.Thread(target=slow_clients, args=(base, 20, stop_slow), daemon=True)
        slow.start()
        stop = time.monotonic() + args.seconds
        clients = [
            threading.Thread(target=client, args=(base, n, stop, tally), daemon=True)
            for n in range(args.clients)
        ]
        for thread in clients:
            thread.start()
        time.sleep(args.seconds / 2)
        killed = query_workers(server)[:1]
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        for thread in clients:
            thread.join()
        stop_slow.set()
        slow.join()

        print("soak: SERVICE spellings, parser bombs, the memory bomb", flush=True)
        spellings = service_spellings(listener.url)
        service_statuses = Counter(post(base, text) for text in spellings)
        time.sleep(0.5)
        bombs = {name: post(base, text) for name, text in BOMBS.items()}
        memory = post(base, MEMORY_BOMB)
        healthy = get(base, "/health") == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        listener.running = False
    served = log.read_text(errors="replace")
    crashes = served.count("died during a query")
    light = tally.light_seconds
    lines = [
        "# Reliability",
        "",
        "Written by `bash server/dev.sh soak` (server/soak.py), issue 16's soak and hostility kit, "
        "on loopback against `ozg-kg serve --timeout 10 --workers 2` (default store, the shipped graph).",
        "",
        f"- Command: `bash server/dev.sh soak --seconds {args.seconds:g} --clients {args.clients}`",
        f"- Machine: {platform.platform()}, {os.cpu_count()} cores; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "## Load mix",
        "",
        f"{args.clients} clients for {args.seconds:g} s, each request in turn a cached query, an uncached "
        "one, /health, a syntax error or an entity page, every 20th a runaway cross product (its 503 at "
        "the deadline is expected); 20 slow clients trickle their headers a byte a second throughout; "
        f"half-way one query worker is killed (pids {killed}).",
        "",
        f"- Requests: {sum(tally.expected.values()) + sum(tally.unexpected.values())}; "
        f"unexpected answers: {sum(tally.unexpected.values())} {dict(tally.unexpected) or ''}",
        f"- Expected answers: {dict(sorted(tally.expected.items()))}",
        f"- Light requests: p50 {statistics.median(light) * 1000:.0f} ms, "
        f"p99 {percentile(light, 0.99) * 1000:.0f} ms, max {max(light) * 1000:.0f} ms"
        if light
        else "- Light requests: none answered",
        f"- Query workers that died during a query (logged; the kill and the memory bomb's own "
        f"expected, if the kill met a query): {crashes}",
        "",
        "## Attacks",
        "",
        f"- SERVICE spellings to a loopback port off the allowlist: {len(spellings)} sent, answers "
        f"{dict(service_statuses)}, connections the listener received: **{listener.connections}**",
        *(f"- {name}: {status}" for name, status in bombs.items()),
        f"- Memory bomb (`{MEMORY_BOMB}`): {memory}",
        f"- /health afterwards: {'200' if healthy else 'no answer'}",
        "",
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    failed = tally.unexpected or listener.connections or not healthy or set(bombs.values()) != {400}
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
