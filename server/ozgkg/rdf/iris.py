"""The one IRI check: pyoxigraph's `NamedNode` parses the text as an absolute IRI (RFC 3987).

What passes can be written between `<` and `>` in SPARQL, Turtle and N-Triples: no spaces, control
characters, `<>"{}|^`\\`, and a scheme.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef


def check_iri(text: str) -> URIRef:
    """The text as an absolute IRI; ValueError ("not an absolute IRI: ...") if it is none."""
    try:
        ox.NamedNode(text)
    except ValueError as error:
        raise ValueError(f"not an absolute IRI: {text!r} ({error})") from None
    return URIRef(text)


def is_iri(text: str) -> bool:
    try:
        check_iri(text)
    except ValueError:
        return False
    return True
