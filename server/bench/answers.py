"""Answers as normalised multisets, so that every endpoint's rows can be compared with the reference.

Normalised: blank nodes are all alike (their labels are the engine's own), numbers are compared by
value (1, 1.0 and "1"^^xsd:int are one number), language tags ignore case, xsd:string is a plain
literal. A SELECT row is its set of (variable, term) pairs; a graph result is its triples.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
# The numeric datatypes engines give their results in (counts come as xsd:integer, xsd:int or xsd:long).
_NUMERIC_TYPES = "integer decimal double float int long short byte nonNegativeInteger positiveInteger"
NUMERIC = {XSD + t for t in _NUMERIC_TYPES.split()}
RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}

Answer = Counter[str]
_SEPARATORS = re.compile(r"[\s;,|]+")
_LANGUAGE = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*$")


def _literal(value: str, datatype: str | None, language: str | None) -> str:
    if language:
        return f"L:{value}@{language.lower()}"
    if datatype in NUMERIC:
        try:
            number = Decimal(value)
            return f"N:{number.normalize() if number.is_finite() else number}"
        except InvalidOperation:
            pass
    if datatype in (None, XSD + "string"):
        return f"L:{value}"
    return f"L:{value}^^{datatype}"


def _json_term(term: dict) -> str:
    kind = term["type"]
    if kind == "uri":
        return f"I:{term['value']}"
    if kind == "bnode":
        return "B"
    # "typed-literal" is the SPARQL 1.0-era JSON some servers still send.
    return _literal(term["value"], term.get("datatype"), term.get("xml:lang"))


def _ox_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return f"I:{term.value}"
    if isinstance(term, ox.BlankNode):
        return "B"
    return _literal(term.value, term.datatype.value if not term.language else None, term.language)


def normalise(media_type: str, body: bytes) -> Answer:
    """The multiset of rows or triples of a SPARQL JSON result or an RDF document."""
    if media_type in RDF_FORMATS:
        triples = ox.parse(body, format=RDF_FORMATS[media_type])
        return Counter(" ".join(_ox_term(t) for t in (q.subject, q.predicate, q.object)) for q in triples)
    if media_type.endswith("json"):
        document = json.loads(body)
        if "boolean" in document:
            return Counter([f"ASK:{str(document['boolean']).lower()}"])
        return Counter(
            json.dumps(sorted((var, _json_term(term)) for var, term in row.items()), ensure_ascii=False)
            for row in document["results"]["bindings"]
        )
    raise ValueError(f"no reader for answers in {media_type}")


def _unordered(answer: Answer) -> set[str]:
    # GROUP_CONCAT's order is left to the engine: a value's words, sorted without their separators,
    # stand for it (the type prefix "L:" and a language tag are kept apart so as not to move).
    def words(term: str) -> str:
        body, _, language = term[2:].rpartition("@") if _LANGUAGE.search(term) else (term[2:], "", "")
        return f"{term[:2]}{' '.join(sorted(_SEPARATORS.split(body)))}@{language}"

    return {json.dumps([(v, words(t)) for v, t in json.loads(row)]) for row in answer}


def compare(answer: Answer, reference: Answer) -> str:
    """'same', 'same set' (multiplicities differ: a union default graph that keeps a triple once per
    named graph), 'same up to GROUP_CONCAT order', or how many rows are missing and extra."""
    if answer == reference:
        return "same"
    if set(answer) == set(reference):
        return "same set"
    if all(row.startswith("[") for row in (*answer, *reference)) and _unordered(answer) == _unordered(
        reference
    ):
        return "same up to GROUP_CONCAT order"
    missing, extra = reference - answer, answer - reference
    example = f"; e.g. expected {next(iter(missing))[:150]}" if missing else ""
    counts = f"{sum(missing.values())} missing, {sum(extra.values())} extra of {sum(reference.values())}"
    return f"differs: {counts}{example}"
