"""What an entity page shows, gathered by SPARQL: statements with their sources, labels, amounts.
(Amounts are written by `ozgkg.features.amounts`, label search is `ozgkg.features.search`.)

Every query goes through a `Run` function (in the server: the killable query workers, with their
deadline and limits), so this module knows neither Flask nor the store. Statements are read from the
named graphs, never from the union default graph, because the graph a statement lies in is what
names its source document and passage (`?g prov:wasDerivedFrom ?doc ; ozg:locator ?where` in
`ozgg:meta`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ozgkg.features.amounts import UNIT_CODES, Quantity, format_quantity
from ozgkg.namespaces import GRAPH, OZG, SCHEMA, bind_prefixes, sparql_prologue
from ozgkg.rdf import labels, terms
from ozgkg.rdf.prefixes import short_name
from ozgkg.rdf.results import Row, Run

META = GRAPH["meta"]
INCOMING_LIMIT = 500  # a hub such as a Land is the object of thousands of statements in big data
CONTENTS_LIMIT = 2000  # a graph's page lists its statements; the graph store serves all of them


# ------------------------------------------------------------------ labels, types and amounts of terms

# In order of preference; a passage's named graph has no label, but its locator names it.
_LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, OZG.locator)
_TERM_PROPERTIES = (
    *_LABEL_PROPERTIES,
    RDF.type,
    SCHEMA.value,
    SCHEMA.minValue,
    SCHEMA.maxValue,
    SCHEMA.currency,
    SCHEMA.unitCode,
    SCHEMA.unitText,
    OZG.year,
    SCHEMA.validFrom,
    SCHEMA.validThrough,
)
_CONCEPT_PROPERTIES = (OZG.qualifier, OZG.basis)


def _decimal(node: Node | None) -> Decimal | None:
    try:
        return Decimal(str(node)) if isinstance(node, Literal) else None
    except InvalidOperation:
        return None


@dataclass
class TermInfo:
    """What the graph says about an IRI shown on a page: enough to label and link it."""

    values: dict[URIRef, list[Node]] = field(default_factory=dict)

    def first(self, prop: URIRef) -> Node | None:
        return next(iter(self.values.get(prop, ())), None)

    def labels(self) -> dict[str | None, str]:
        """One label per language, from the first of the label properties that has one."""
        return labels.by_language(v for prop in _LABEL_PROPERTIES for v in self.values.get(prop, ()))

    @property
    def types(self) -> list[URIRef]:
        return sorted(t for t in self.values.get(RDF.type, ()) if isinstance(t, URIRef))

    @property
    def quantity(self) -> Quantity | None:
        value, low, high = (_decimal(self.first(p)) for p in (SCHEMA.value, SCHEMA.minValue, SCHEMA.maxValue))
        if value is None and low is None and high is None:
            return None
        code = self.text(SCHEMA.unitCode)
        unit = self.text(SCHEMA.currency) or UNIT_CODES.get(code or "", code) or self.text(SCHEMA.unitText)
        return Quantity(
            value=value,
            minimum=low,
            maximum=high,
            unit=unit or "",
            qualifier=self.text(OZG.qualifier),
            basis=self.text(OZG.basis),
            year=self.text(OZG.year),
            valid_from=self.text(SCHEMA.validFrom),
            valid_through=self.text(SCHEMA.validThrough),
        )

    def text(self, prop: URIRef) -> str | None:
        return _text(self.first(prop))


class Terms:
    """Labels, types and amounts of every IRI a page shows, fetched with one query."""

    def __init__(self, info: dict[URIRef, TermInfo]):
        self._info = info

    @classmethod
    def fetch(cls, run: Run, iris: Iterable[Node]) -> Terms:
        wanted = sorted({i for i in iris if isinstance(i, URIRef)})
        info: dict[URIRef, TermInfo] = {}
        if not wanted:
            return cls(info)
        query = f"""{sparql_prologue()}
SELECT ?x ?p ?v WHERE {{
  VALUES ?x {{ {terms.iri_list(wanted)} }}
  {{ VALUES ?p {{ {terms.iri_list(_TERM_PROPERTIES)} }} ?x ?p ?v }}
  UNION {{ VALUES ?p {{ {terms.iri_list(_CONCEPT_PROPERTIES)} }} ?x ?p ?concept . ?concept skos:notation ?v }}
}}"""
        for row in run(query):
            values = info.setdefault(row["x"], TermInfo()).values
            values.setdefault(row["p"], []).append(row["v"])
        return cls(info)

    def known(self, node: Node) -> bool:
        """Whether the graph labels or types the IRI (so that it has a page worth linking to)."""
        return node in self._info

    def info(self, node: Node) -> TermInfo:
        return self._info.get(node, TermInfo()) if isinstance(node, URIRef) else TermInfo()

    def label(self, node: Node, language: str = "de") -> str:
        """A name for people: the label in `language`, another label, the amount, or the short IRI."""
        info = self.info(node)
        label = labels.choose(info.labels(), language)
        if label is not None:
            return label
        quantity = info.quantity
        if quantity is not None:
            return format_quantity(quantity)
        return short_name(str(node)) if isinstance(node, URIRef) else str(node)


# ------------------------------------------------------------------ statements and their sources


@dataclass(frozen=True)
class Source:
    graph: URIRef
    document: URIRef | None = None
    locator: Literal | None = None


@dataclass
class Statement:
    subject: Node
    predicate: URIRef
    object: Node
    sources: list[Source] = field(default_factory=list)

    @property
    def provenance(self) -> bool:
        """Stated only in `ozgg:meta`: where a passage comes from rather than a fact of the knowledge."""
        return all(source.graph == META for source in self.sources)


@dataclass
class Passage:
    """One named graph of a document: its locator and every statement it holds."""

    graph: URIRef
    locator: Literal | None
    statements: list[Statement]


@dataclass
class Description:
    iri: URIRef
    outgoing: list[Statement]
    incoming: list[Statement]
    incoming_complete: bool
    passages: list[Passage]  # when the IRI is a document: the passages derived from it
    terms: Terms
    contents: Passage | None = None  # when the IRI names a graph: the statements it holds
    contents_complete: bool = True

    def sources(self) -> list[Source]:
        """The graphs every shown statement lies in, with their document and locator."""
        seen = {s.graph: s for st in (*self.outgoing, *self.incoming) for s in st.sources}
        return [seen[g] for g in sorted(seen)]

    def graph(self) -> Graph:
        """The shown statements without their graphs, for the triple formats."""
        graph = bind_prefixes(Graph())
        for statement in self._statements():
            graph.add((statement.subject, statement.predicate, statement.object))
        return graph

    def _statements(self) -> tuple[Statement, ...]:
        """Statements about the IRI, and those of the graph it names (a graph IRI's document)."""
        contents = self.contents.statements if self.contents else []
        return (*self.outgoing, *self.incoming, *contents)

    def dataset(self) -> Dataset:
        """The shown statements in the default graph (what a client that reads only triples gets) and
        again in their named graphs, with what `ozgg:meta` says of those graphs (their sources)."""
        dataset = bind_prefixes(Dataset())
        dataset.default_graph += self.graph()
        for statement in self._statements():
            for source in statement.sources:
                dataset.graph(source.graph).add((statement.subject, statement.predicate, statement.object))
        meta = dataset.graph(META)
        for source in self.sources():
            if source.document is not None:
                meta.add((source.graph, PROV.wasDerivedFrom, source.document))
            if source.locator is not None:
                meta.add((source.graph, OZG.locator, source.locator))
        return dataset


_SOURCE_PATTERN = """
  OPTIONAL { GRAPH ozgg:meta { ?g prov:wasDerivedFrom ?doc } }
  OPTIONAL { GRAPH ozgg:meta { ?g ozg:locator ?where } }"""


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _statements(rows: list[Row], subject: Node | None, obj: Node | None) -> list[Statement]:
    """Rows of (?s) ?p (?o) ?g ?doc ?where as statements, each with all its sources, in row order."""
    statements: dict[tuple, Statement] = {}
    for row in rows:
        triple = (row.get("s", subject), row["p"], row.get("o", obj))
        statement = statements.setdefault(triple, Statement(*triple))
        source = Source(row["g"], row.get("doc"), row.get("where"))
        if source not in statement.sources:
            statement.sources.append(source)
    return list(statements.values())


def describe(run: Run, iri: URIRef) -> Description | None:
    """Everything the pages show of `iri`, or None when no named graph mentions it."""
    node = terms.iri_list([iri])
    outgoing_rows = run(
        f"{sparql_prologue()}SELECT ?p ?o ?g ?doc ?where WHERE {{ GRAPH ?g {{ {node} ?p ?o }}"
        f"{_SOURCE_PATTERN} }} ORDER BY ?p ?o ?g"
    )
    outgoing = _statements(outgoing_rows, iri, None)
    incoming_rows = run(
        f"{sparql_prologue()}SELECT ?s ?p ?g ?doc ?where WHERE {{ GRAPH ?g {{ ?s ?p {node} }}"
        f"{_SOURCE_PATTERN} }} ORDER BY ?p ?s ?g LIMIT {INCOMING_LIMIT}"
    )
    incoming = _statements(incoming_rows, None, iri)
    passages = _passages(run, node)
    contents_rows = run(
        f"{sparql_prologue()}SELECT ?s ?p ?o ?where WHERE {{ GRAPH {node} {{ ?s ?p ?o }}"
        f" OPTIONAL {{ GRAPH ozgg:meta {{ {node} ozg:locator ?where }} }} }}"
        f" ORDER BY ?s ?p ?o LIMIT {CONTENTS_LIMIT}"
    )
    contents = None
    if contents_rows:
        rows = [{**row, "g": iri} for row in contents_rows]
        contents = Passage(iri, contents_rows[0].get("where"), _statements(rows, None, None))
    if not (outgoing or incoming or passages or contents):
        return None
    shown: set[Node] = {iri}
    own = contents.statements if contents else []
    for statement in (*outgoing, *incoming, *own, *(s for p in passages for s in p.statements)):
        shown.update((statement.subject, statement.predicate, statement.object))
        for source in statement.sources:
            shown.update((source.graph, source.document))
    return Description(
        iri=iri,
        outgoing=outgoing,
        incoming=incoming,
        incoming_complete=len(incoming_rows) < INCOMING_LIMIT,
        passages=passages,
        terms=Terms.fetch(run, shown),
        contents=contents,
        contents_complete=len(contents_rows) < CONTENTS_LIMIT,
    )


def _passages(run: Run, document: str) -> list[Passage]:
    rows = run(
        f"""{sparql_prologue()}SELECT ?g ?where ?s ?p ?o WHERE {{
  GRAPH ozgg:meta {{ ?g prov:wasDerivedFrom {document} OPTIONAL {{ ?g ozg:locator ?where }} }}
  GRAPH ?g {{ ?s ?p ?o }}
}} ORDER BY ?g ?s ?p ?o"""
    )
    by_graph: dict[Node, list[Row]] = {}
    for row in rows:
        by_graph.setdefault(row["g"], []).append(row)
    return [
        Passage(graph, graph_rows[0].get("where"), _statements(graph_rows, None, None))
        for graph, graph_rows in by_graph.items()
    ]
