"""Federation on loopback: our endpoint beside a second, real SPARQL server, and the clients that join them.

The second server is PyPI's `oxigraph` (its HTTP server, in a process of its own) holding
`data/wikidata-laender.ttl`, the Länder in Wikidata's shape with FIXTURE populations. Our endpoint gets
its SERVICE allowlist from all three places: `--allow-service` (that server), a `--config` file (an
endpoint that is down, a redirecting one) and $OZGKG_ALLOW_SERVICE (a listener that never answers).

The federated query is `queries/funding-per-inhabitant.rq`, written for the real Wikidata endpoint;
the tests point its SERVICE at the loopback server, and the clients that federate by sources instead
(Comunica) or from the client side (rdflib) get the same query rearranged by `arrange`. The expected
answer is computed here in Python from the graph files and the fixture, without any SPARQL engine.
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from endpoint.conftest import (
    OXIGRAPH,
    Listener,
    Server,
    free_port,
    oxigraph_server,
    start_server,
    stop_server,
)
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from ozgkg.knowledge.load import load
from ozgkg.namespaces import ID, OZG, SCHEMA
from ozgkg.rdf.terms import to_rdflib_triple

HERE = Path(__file__).parent
FIXTURE = HERE / "data" / "wikidata-laender.ttl"
FUNDING_PER_INHABITANT = HERE / "queries" / "funding-per-inhabitant.rq"
WIKIDATA = "https://query.wikidata.org/sparql"
COMUNICA = HERE / "node_modules" / ".bin" / "comunica-sparql"
WDT = Namespace("http://www.wikidata.org/prop/direct/")
WD = Namespace("http://www.wikidata.org/entity/")
SERVICE_TIMEOUT = 2.0
MAX_ROWS = 20  # the federated query needs 16 rows from the fixture; `?s ?p ?o` there gives 64


def need(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.fail(f"{what} is missing ({path}): `bash server/dev.sh test` installs it")
    return path


# ---------------------------------------------------------------- the query and its right answer

_SERVICE_CLAUSE = re.compile(
    r"(?P<head>.*?WHERE \{\n)(?P<local>.*)"
    r"  SERVICE <(?P<endpoint>[^>]+)> \{\n(?P<remote>[^{}]*)  \}\n"
    r"(?P<tail>\}.*)",
    re.DOTALL,
)


def arrange(query: str, *, service: str | None = None, local_service: str | None = None) -> str:
    """The federated query with its SERVICE clause sent to `service`; without the clause (both parts
    as plain patterns, for a client that federates sources); or with `local_service`, the other way
    round: our part remote and the Wikidata part local, for a client that holds the Wikidata data."""
    parts = _SERVICE_CLAUSE.fullmatch(query)
    assert parts, "the federated query has the form `... WHERE { LOCAL SERVICE <...> { REMOTE } } ...`"
    if local_service:
        body = f"  SERVICE <{local_service}> {{\n{parts['local']}  }}\n{parts['remote']}"
    elif service:
        body = f"{parts['local']}  SERVICE <{service}> {{\n{parts['remote']}  }}\n"
    else:
        body = parts["local"] + parts["remote"]
    return parts["head"] + body + parts["tail"]


@dataclass(frozen=True)
class Row:
    funding: Decimal
    population: Decimal

    @property
    def per_inhabitant(self) -> Decimal:
        return self.funding / self.population


@cache
def fixture_populations() -> dict[URIRef, Decimal]:
    """The fixture's Länder (those Germany contains, wdt:P150) and their fixture population."""
    graph = Graph().parse(FIXTURE)
    return {item: graph.value(item, WDT.P1082).toPython() for item in graph.objects(WD.Q183, WDT.P150)}


@cache
def expected_funding_per_inhabitant() -> dict[tuple[str, str], Row]:
    """(Land's German name, basis) -> funding and population, by walking the graph's triples: budgets
    only, no amount that is part of another, each (Land, amount, value, basis) once."""
    union = Graph()
    for quad in load().quads:
        union.add(to_rdflib_triple(quad))

    def objects(subject: object, predicate: URIRef) -> set:
        return set(union.objects(subject, predicate))

    budget = ID["amount-kind/budget"]
    lines: set[tuple[URIRef, object, Literal, str]] = set()
    for measure, land in union.subject_objects(OZG.funder):
        if OZG.Land not in objects(land, RDF.type):
            continue
        for amount in objects(measure, OZG.amount):
            if budget not in objects(amount, OZG.amountKind) or objects(amount, OZG.partOfAmount):
                continue
            for value in objects(amount, SCHEMA.value):
                for basis in objects(amount, OZG.basis):
                    lines |= {(land, amount, value, str(n)) for n in objects(basis, SKOS.notation)}
    sums: dict[tuple[URIRef, str], Decimal] = defaultdict(Decimal)
    for land, _, value, basis in lines:
        sums[land, basis] += value.toPython()
    populations = fixture_populations()
    expected = {}
    for (land, basis), funding in sums.items():
        [name] = {str(n) for n in objects(land, SKOS.prefLabel) if n.language == "de"}
        [item] = objects(land, OWL.sameAs)
        expected[name, basis] = Row(funding, populations[item])
    return expected


def assert_right_answer(rows: list[dict[str, str]]) -> None:
    """Rows of (landName, basis, funding, population, perInhabitant) as strings, any client's."""
    expected = expected_funding_per_inhabitant()
    got = {(r["landName"], r["basis"]): r for r in rows}
    assert len(got) == len(rows), rows
    assert set(got) == set(expected)
    for key, row in expected.items():
        answer = got[key]
        assert Decimal(answer["funding"]) == row.funding, (key, answer)
        assert Decimal(answer["population"]) == row.population, (key, answer)
        # The clients divide with their own precision (18 decimals, 28 digits, a double).
        ratio = Decimal(answer["perInhabitant"]) / row.per_inhabitant
        assert abs(ratio - 1) < Decimal("1e-12"), (key, answer)


# ---------------------------------------------------------------- the remote endpoints on loopback


@pytest.fixture(scope="session")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The `oxigraph` server holding the Wikidata-shaped fixture: its query endpoint URL."""
    location = tmp_path_factory.mktemp("wikidata") / "store"
    oxigraph = need(OXIGRAPH, "the oxigraph server (PyPI oxigraph, in the `test` extra)")
    subprocess.run(
        [oxigraph, "load", "--location", location, "--file", FIXTURE], check=True, capture_output=True
    )
    with oxigraph_server(location, read_only=True) as url:
        yield url


class _Redirecting(http.server.BaseHTTPRequestHandler):
    """`/moved` redirects to `/sparql` on the same server, `/elsewhere` to another port; `/sparql`
    answers every query with one row, ?remote = "nah"."""

    row = {"remote": {"type": "literal", "value": "nah"}}
    answer = json.dumps({"head": {"vars": ["remote"]}, "results": {"bindings": [row]}}).encode()

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path in {"/moved", "/elsewhere"}:
            target = "/sparql" if self.path == "/moved" else self.server.elsewhere  # type: ignore[attr-defined]
            self.send_response(308 if self.path == "/moved" else 307)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Remotes:
    """The SERVICE endpoints our federated server knows, besides the Wikidata stand-in."""

    down: str  # allowed, nothing listens there
    hanging: Listener  # allowed, accepts and never answers
    moved: str  # allowed, redirects within its own origin
    elsewhere: str  # allowed, redirects to `beyond`
    beyond: Listener  # not allowed; must never be called


@pytest.fixture(scope="session")
def remotes() -> Iterator[Remotes]:
    hanging, beyond = Listener(hold=True), Listener()
    redirecting = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    redirecting.elsewhere = beyond.url  # type: ignore[attr-defined]
    threading.Thread(target=redirecting.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{redirecting.server_address[1]}"
    down = f"http://127.0.0.1:{free_port()}/sparql"
    yield Remotes(down, hanging, f"{base}/moved", f"{base}/elsewhere", beyond)
    redirecting.shutdown()
    redirecting.server_close()
    hanging.close()
    beyond.close()


@pytest.fixture(scope="session")
def federated(
    tmp_path_factory: pytest.TempPathFactory, wikidata: str, remotes: Remotes, store_options: list[str]
) -> Iterator[Server]:
    """Our endpoint with SERVICE allowed to the Wikidata stand-in and the other remotes."""
    folder = tmp_path_factory.mktemp("federated")
    config = folder / "federation.toml"
    config.write_text(
        f'allow_service = ["{remotes.down}", "{remotes.moved}", "{remotes.elsewhere}"]\n'
        f"service_max_rows = {MAX_ROWS}\n",
        encoding="utf-8",
    )
    running = start_server(
        [
            *store_options,
            "--allow-service", wikidata,
            "--config", str(config),
            "--service-timeout", str(SERVICE_TIMEOUT),
            "--workers", "2",
        ],
        folder / "serve.log",
        env={"OZGKG_ALLOW_SERVICE": remotes.hanging.url},
    )  # fmt: skip
    yield running
    stop_server(running)
