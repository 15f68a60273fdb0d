"""What every store backend offers: hold the quads, answer a SPARQL query in a requested format."""

from __future__ import annotations

import io
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from ozgkg.rdf.formats import SPARQL_JSON


class ResultKind(StrEnum):
    """The shape of a query's answer, which decides the formats it can be written in."""

    BINDINGS = "bindings"  # SELECT
    BOOLEAN = "boolean"  # ASK
    GRAPH = "graph"  # CONSTRUCT, DESCRIBE


KIND_OF_FORM = {
    "SELECT": ResultKind.BINDINGS,
    "ASK": ResultKind.BOOLEAN,
    "CONSTRUCT": ResultKind.GRAPH,
    "DESCRIBE": ResultKind.GRAPH,
}


class QueryError(Exception):
    """A query the store refuses or cannot evaluate; the message is meant for the client."""


class ResultTooLarge(QueryError):
    """The serialised answer would pass the byte limit the caller set."""


class StoreUnavailable(Exception):
    """The store cannot be reached or gives no usable answer (a remote store): not the query's fault."""


@dataclass(frozen=True)
class Query:
    """A query as `Store.execute` was given it."""

    text: str
    media_types: dict[ResultKind, str]
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    base_iri: str | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class Answer:
    kind: ResultKind
    media_type: str
    body: bytes


def too_large(max_bytes: int | None) -> ResultTooLarge:
    return ResultTooLarge(
        f"the answer is larger than the limit of {max_bytes} bytes; narrow the query or add a LIMIT"
    )


class Overflow(Exception):
    """Raised inside a serialiser's write; deliberately no OSError/ValueError, which serialisers catch."""


class CappedBuffer(io.RawIOBase):
    """Collects serialised bytes and stops the (lazy) evaluation once the cap is passed."""

    def __init__(self, cap: int | None):
        self._buffer = io.BytesIO()
        self._cap = cap

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001 - any bytes-like object
        if self._cap is not None and self._buffer.tell() + len(data) > self._cap:
            raise Overflow
        return self._buffer.write(data)

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()


class Marker:
    """The version of what a store directory holds, written only once a load is complete and on disk.

    A store opened on the directory again compares it with the version of the files it would load,
    and reloads only if they differ. The marker names the backend: another backend's files in the
    same directory are not its data.
    """

    NAME = "ozg-kg-store.json"

    def __init__(self, directory: str, backend: str):
        self._path = Path(directory) / self.NAME
        self._backend = backend

    def _recorded(self) -> dict | None:
        try:
            recorded = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(recorded, dict) or recorded.get("store") != self._backend:
            return None
        return recorded if isinstance(recorded.get("version"), str) else None

    def read(self) -> str | None:
        recorded = self._recorded()
        return recorded["version"] if recorded else None

    def annotation(self, key: str) -> object | None:
        """What `annotate` kept under `key` for the version the store holds (None if nothing)."""
        recorded = self._recorded()
        return recorded.get("annotations", {}).get(key) if recorded else None

    def annotate(self, key: str, value: object) -> None:
        """Keep something derived from the store's content (JSON) until the content changes."""
        recorded = self._recorded()
        if recorded is not None:
            recorded.setdefault("annotations", {})[key] = value
            self._save(recorded)

    def clear(self) -> None:
        self._path.unlink(missing_ok=True)

    def write(self, version: str) -> None:
        self._save({"store": self._backend, "version": version})  # a new version drops the annotations

    def _save(self, recorded: dict) -> None:
        partial = self._path.with_suffix(".partial")
        partial.write_text(json.dumps(recorded), encoding="utf-8")
        os.replace(partial, self._path)  # atomic: a crash leaves the old marker or none, never half of one


_JSON = dict.fromkeys(ResultKind, SPARQL_JSON)


class Store(ABC):
    """A read-mostly RDF dataset with named graphs; the default graph is the union of them all.

    Every backend takes the query as a string to the engine it wraps (Oxigraph, rdflib, a remote
    server): the engine plans and evaluates it as a whole, and no slower layer sits in between.
    """

    # Set by backends that keep their data in a directory, where the marker records its version.
    marker: Marker | None = None

    @abstractmethod
    def _replace(self, quads: Iterable[ox.Quad]) -> None:
        """Drop everything held and store `quads` (all in named graphs), durably where the store persists.

        `quads` may be read from files as they are consumed: iterate it once."""

    @abstractmethod
    def evaluate(self, query: Query) -> Answer:
        """The answer to `query`, written in the media type it asks for the answer's kind."""

    def execute(
        self,
        query: str,
        media_types: dict[ResultKind, str],
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        max_bytes: int | None = None,
    ) -> Answer:
        """Evaluate `query` and serialise the answer in the media type given for its kind.

        `default_graphs`/`named_graphs` (the protocol's dataset) replace the query's FROM/FROM NAMED;
        None keeps the query's own dataset, or the union default graph and all named graphs.
        An answer longer than `max_bytes` raises ResultTooLarge.
        """
        return self.evaluate(Query(query, media_types, default_graphs, named_graphs, base_iri, max_bytes))

    def close(self) -> None:  # noqa: B027 - only the Oxigraph store has anything to release
        """Release the store (a persistent one has written everything by then)."""

    def version(self) -> str | None:
        """The version recorded with the data by the last complete `replace`; None if none is kept."""
        return self.marker.read() if self.marker else None

    def replace(self, quads: Iterable[ox.Quad], version: str | None = None) -> None:
        """Hold exactly `quads` from now on, and record `version` once they are stored."""
        if self.marker:
            self.marker.clear()  # first: a load cut short must not pass for the old, complete one
        self._replace(quads)
        if self.marker and version:
            self.marker.write(version)

    def fill(self, quads: Iterable[ox.Quad], version: str) -> bool:
        """Hold `quads`, whose version is `version`; a store that recorded that version already holds
        them and is only reopened. True if the quads were loaded."""
        if self.version() == version:
            return False
        self.replace(quads, version)
        return True

    def rows(self, query: str) -> list[dict[str, str]]:
        """A SELECT query's rows, each value as its plain string (unbound variables left out)."""
        bindings = json.loads(self.execute(query, _JSON).body)["results"]["bindings"]
        return [{name: term["value"] for name, term in row.items()} for row in bindings]

    def named_graphs(self) -> list[str]:
        return sorted(row["g"] for row in self.rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))

    def quad_count(self) -> int:
        """Number of quads in the named graphs."""
        return int(self.rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])
