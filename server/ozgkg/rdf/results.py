"""SPARQL 1.1 JSON results read back as rows of rdflib terms."""

from __future__ import annotations

import json
from collections.abc import Callable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

Row = dict[str, Node]
Run = Callable[[str], list[Row]]  # a SELECT query's rows (in the server: run by the query workers)


def parse_bindings(body: bytes) -> list[Row]:
    """SPARQL 1.1 JSON results as rows of rdflib terms (unbound variables left out)."""
    return [
        {name: _term(value) for name, value in binding.items()}
        for binding in json.loads(body)["results"]["bindings"]
    ]


def _term(value: dict) -> Node:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in {"literal", "typed-literal"}:
        language = value.get("xml:lang")
        return Literal(value["value"], lang=language, datatype=None if language else value.get("datatype"))
    raise ValueError(f"unexpected term type {kind!r} in SPARQL results")
