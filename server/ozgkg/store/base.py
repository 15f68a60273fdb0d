"""What every store backend offers: load quads, answer a SPARQL query in a requested format."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import pyoxigraph as ox


class ResultKind(StrEnum):
    """The shape of a query's answer, which decides the formats it can be written in."""

    BINDINGS = "bindings"  # SELECT
    BOOLEAN = "boolean"  # ASK
    GRAPH = "graph"  # CONSTRUCT, DESCRIBE


class QueryError(Exception):
    """A query the store refuses or cannot evaluate; the message is meant for the client."""


class ResultTooLarge(QueryError):
    """The serialised answer would pass the byte limit the caller set."""


@dataclass(frozen=True)
class Answer:
    kind: ResultKind
    media_type: str
    body: bytes


class Store(ABC):
    """A read-mostly RDF dataset with named graphs; the default graph is the union of them all."""

    @abstractmethod
    def add_quads(self, quads: Iterable[ox.Quad]) -> None: ...

    @abstractmethod
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

    @abstractmethod
    def named_graphs(self) -> list[str]: ...

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads in the named graphs."""
