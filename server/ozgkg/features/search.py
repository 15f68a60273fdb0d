"""Label search for `/search`: entities whose label contains the text, ignoring case and umlaut
spelling, filtered by the store (the folding is written as a SPARQL expression)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from ozgkg.features.describe import Terms
from ozgkg.namespaces import sparql_prologue
from ozgkg.rdf import terms
from ozgkg.rdf.results import Run

SEARCH_LIMIT = 100

# Both spellings of an umlaut fold to the bare vowel, on the label and on the searched text alike.
_FOLDS = (("ä|ae", "a"), ("ö|oe", "o"), ("ü|ue", "u"), ("ß", "ss"))


def fold(text: str) -> str:
    """Lower case with umlauts folded: "Förder", "foerder" and "Forder" all become "forder"."""
    text = text.lower()
    for pattern, replacement in _FOLDS:
        text = re.sub(pattern, replacement, text)
    return text


def _fold_in_sparql(expression: str) -> str:
    """`fold` as a SPARQL expression, so that the store does the filtering."""
    expression = f"LCASE(STR({expression}))"
    for pattern, replacement in _FOLDS:
        expression = f'REPLACE({expression}, "{pattern}", "{replacement}")'
    return expression


@dataclass(frozen=True)
class Hit:
    iri: URIRef
    matched: str  # the label that matched


def search(run: Run, text: str) -> tuple[list[Hit], Terms]:
    """Entities whose label contains the text, ignoring case and umlaut spelling; shortest label first."""
    rows = run(
        f"""{sparql_prologue()}SELECT ?x (SAMPLE(?label) AS ?matched) WHERE {{
  ?x skos:prefLabel|rdfs:label|skos:altLabel ?label .
  FILTER(isIRI(?x) && CONTAINS({_fold_in_sparql("?label")}, {terms.string(fold(text))}))
}} GROUP BY ?x ORDER BY STRLEN(STR(?matched)) ?matched LIMIT {SEARCH_LIMIT}"""
    )
    hits = [Hit(row["x"], str(row["matched"])) for row in rows]
    return hits, Terms.fetch(run, [h.iri for h in hits])
