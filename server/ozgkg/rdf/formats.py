"""Every RDF and SPARQL results format the project reads or writes, in one table.

Media types and W3C format IRIs come from pyoxigraph's `RdfFormat` / `QueryResultsFormat`; a row adds
what pyoxigraph does not know: the `format` parameter's names, the media types clients send for it,
and rdflib's serialiser name. Callers take the columns they need (the protocol negotiates over
`media_type`/`names`/`aliases`, the Oxigraph store serialises with `oxigraph`, the rdflib store and
the pages with `rdflib`, the service description lists `w3c`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    media_type: str
    names: tuple[str, ...]  # values of the `format` parameter; the first is the CLI's name
    w3c: str  # http://www.w3.org/ns/formats/... for the service description
    aliases: tuple[str, ...] = ()  # further media types clients send for it
    rdflib: str = ""  # rdflib's serialiser/parser name
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    quads: bool = False  # a quad syntax (TriG, N-Quads): one graph is written as its default graph
    datasets: bool = False  # can hold named graphs (pyoxigraph: the quad syntaxes and JSON-LD)


def _from(
    fmt: ox.RdfFormat | ox.QueryResultsFormat,
    names: tuple[str, ...],
    rdflib: str,
    aliases: tuple[str, ...] = (),
    w3c: str | None = None,
) -> Format:
    # pyoxigraph gives CSV/TSV with "; charset=utf-8": the table holds bare media types.
    media_type = fmt.media_type.split(";")[0].strip()
    quads = isinstance(fmt, ox.RdfFormat) and fmt in {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}
    datasets = isinstance(fmt, ox.RdfFormat) and fmt.supports_datasets
    return Format(media_type, names, w3c or fmt.iri, aliases, rdflib, fmt, quads, datasets)


RESULTS_FORMATS = (
    _from(ox.QueryResultsFormat.JSON, ("json", "srj"), "json", ("application/json",)),
    _from(ox.QueryResultsFormat.XML, ("xml", "srx"), "xml", ("application/xml", "text/xml")),
    _from(ox.QueryResultsFormat.CSV, ("csv",), "csv"),
    _from(ox.QueryResultsFormat.TSV, ("tsv",), "tsv"),
)
RDF_FORMATS = (
    _from(
        ox.RdfFormat.TURTLE,
        ("turtle", "ttl", "n3"),
        "turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
    ),
    _from(ox.RdfFormat.N_TRIPLES, ("ntriples", "nt", "n-triples"), "nt", ("text/plain",)),
    _from(ox.RdfFormat.RDF_XML, ("rdfxml", "rdf+xml", "rdf", "xml"), "xml", ("application/xml", "text/xml")),
    # pyoxigraph names JSON-LD by the newer .../ns/formats/data/JSON-LD; the registry's IRI is this one.
    _from(
        ox.RdfFormat.JSON_LD,
        ("jsonld", "json-ld", "json"),
        "json-ld",
        # Plain JSON clients (`Accept: application/json`) get a graph as JSON-LD, results as SPARQL JSON.
        ("application/x-json+ld", "application/json"),
        w3c="http://www.w3.org/ns/formats/JSON-LD",
    ),
    _from(ox.RdfFormat.TRIG, ("trig",), "trig"),
    _from(ox.RdfFormat.N_QUADS, ("nquads", "nq", "n-quads"), "nquads"),
)
# Not RDF: the pages for people that the RDF documents are offered beside.
HTML = Format("text/html", ("html",), "", ("application/xhtml+xml",))

# One graph's formats: TriG and N-Quads would only repeat it unnamed.
TRIPLE_FORMATS = tuple(f for f in RDF_FORMATS if not f.quads)

RESULTS_BY_MEDIA_TYPE = {f.media_type: f for f in RESULTS_FORMATS}
RDF_BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS}
SPARQL_JSON = RESULTS_FORMATS[0].media_type
N_TRIPLES = RDF_FORMATS[1].media_type
TURTLE = RDF_FORMATS[0].media_type
TSV = RESULTS_FORMATS[3].media_type
CSV = RESULTS_FORMATS[2].media_type
N_QUADS = ox.RdfFormat.N_QUADS.media_type
TRIG = ox.RdfFormat.TRIG.media_type
