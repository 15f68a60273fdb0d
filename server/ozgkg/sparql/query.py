"""Answer a SPARQL query on a store and write the answer for a terminal or a file."""

from __future__ import annotations

import json

from ozgkg.rdf import prefixes
from ozgkg.rdf.formats import RESULTS_FORMATS, SPARQL_JSON, TRIPLE_FORMATS, TURTLE
from ozgkg.store import ResultKind, Store

# Output names offered by `ozg-kg query --format` (each format's first name), with its media type.
BINDINGS_FORMATS = {f.names[0]: f.media_type for f in RESULTS_FORMATS}
GRAPH_FORMATS = {f.names[0]: f.media_type for f in TRIPLE_FORMATS}
OUTPUT_FORMATS = ["table", *BINDINGS_FORMATS, *GRAPH_FORMATS]


def shorten(iri: str) -> str:
    """A prefixed name where one of the project's prefixes fits, else the IRI in angle brackets."""
    return prefixes.shorten(iri) or f"<{iri}>"


def _cell(term: dict | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return shorten(term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    value = term["value"]
    if "xml:lang" in term:
        return f"{value}@{term['xml:lang']}"
    return value


def render_table(results_json: bytes) -> str:
    """SPARQL JSON results as an aligned text table (ASK: yes/no)."""
    results = json.loads(results_json)
    if "boolean" in results:
        return "yes" if results["boolean"] else "no"
    columns = results["head"]["vars"]
    rows = [[_cell(binding.get(c)) for c in columns] for binding in results["results"]["bindings"]]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def answer(store: Store, sparql: str, output: str = "table") -> str:
    """The answer to `sparql` as text in the chosen output format."""
    bindings = BINDINGS_FORMATS.get(output, SPARQL_JSON)
    graph = GRAPH_FORMATS.get(output, TURTLE)
    result = store.execute(
        sparql, {ResultKind.BINDINGS: bindings, ResultKind.BOOLEAN: bindings, ResultKind.GRAPH: graph}
    )
    if output == "table" and result.kind is not ResultKind.GRAPH:
        return render_table(result.body)
    return result.body.decode("utf-8")
