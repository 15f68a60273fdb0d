"""What an entity page shows, gathered by SPARQL: statements with their sources, labels, amounts.

Every query goes through a `Run` function (in the server: the killable query workers, with their
deadline and limits), so this module knows neither Flask nor the store. Statements are read from the
named graphs, never from the union default graph, because the graph a statement lies in is what
names its source document and passage (`?g prov:wasDerivedFrom ?doc ; ozg:locator ?where` in
`ozgg:meta`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from .namespaces import GRAPH, OZG, PREFIXES, SCHEMA, bind_prefixes, sparql_prologue

Row = dict[str, Node]
Run = Callable[[str], list[Row]]

META = GRAPH["meta"]
INCOMING_LIMIT = 500  # a hub such as a Land is the object of thousands of statements in big data
SEARCH_LIMIT = 100

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_BY_NAMESPACE_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def check_iri(text: str) -> URIRef:
    """The text as an IRI that is safe to write between <> in a query; ValueError if it is none."""
    if not _SCHEME.match(text) or _IRI_FORBIDDEN.search(text):
        raise ValueError(f"not an absolute IRI: {text!r}")
    return URIRef(text)


def short_name(iri: str) -> str:
    """`body:kdn` for an IRI in a namespace of the project's prefixes, else the IRI."""
    for prefix, namespace in _BY_NAMESPACE_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


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


# ------------------------------------------------------------------ amounts as people read them

_QUALIFIER_WORDS = {
    "up-to": "bis zu",
    "about": "rund",
    "almost": "fast",
    "more-than": "über",
    "expected": "voraussichtlich",
}
_BASIS_WORDS = {"per-year": "pro Jahr", "per-municipality": "je Kommune", "per-project": "je Projekt"}
_UNIT_CODES = {"P1": "%"}  # UN/CEFACT common code P1: percent
_SCALES = ((Decimal(10) ** 9, "Mrd."), (Decimal(10) ** 6, "Mio."))
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Quantity:
    """An ozg:MonetaryAmount or ozg:FundingRate; qualifier and basis are their concepts' skos:notation."""

    value: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str = ""
    qualifier: str | None = None
    basis: str | None = None
    year: str | None = None
    valid_from: str | None = None
    valid_through: str | None = None


def format_number(number: Decimal) -> str:
    """German digits: 20.000, 7,72 Mio. (a scale only where it stays exact to three decimals)."""
    for scale, name in _SCALES:
        scaled = number / scale
        if abs(number) >= scale and scaled == round(scaled, 3):
            return f"{format_number(scaled)} {name}"
    text = f"{number.normalize():,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _german_date(iso: str) -> str:
    match = _ISO_DATE.fullmatch(iso)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else iso


def format_period(year: str | None, start: str | None, end: str | None) -> str:
    """The period as people write it: 2020, 2021–2022 for whole years, else German dates."""
    if year:
        return year
    if (start is None or start.endswith("-01-01")) and (end is None or end.endswith("-12-31")):
        first, last = start and start[:4], end and end[:4]
    else:
        first, last = start and _german_date(start), end and _german_date(end)
    if first and last:
        return first if first == last else f"{first}–{last}"
    if first:
        return f"ab {first}"
    return f"bis {last}" if last else ""


def format_quantity(quantity: Quantity) -> str:
    """The amount as people read it: bis zu 20.000 EUR je Kommune, 7,72 Mio. EUR 2021–2022."""
    unit = f" {quantity.unit}" if quantity.unit else ""
    low, high = quantity.minimum, quantity.maximum
    if quantity.value is not None:
        words = [_QUALIFIER_WORDS.get(quantity.qualifier or ""), f"{format_number(quantity.value)}{unit}"]
    elif low is not None and high is not None:
        words = [f"{format_number(low)}{unit} bis {format_number(high)}{unit}"]
    elif high is not None:
        words = [f"bis zu {format_number(high)}{unit}"]
    elif low is not None:
        words = [f"mindestens {format_number(low)}{unit}"]
    else:
        return ""
    words += [
        _BASIS_WORDS.get(quantity.basis or ""),
        format_period(quantity.year, quantity.valid_from, quantity.valid_through),
    ]
    return " ".join(word for word in words if word)


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
        found: dict[str | None, str] = {}
        for prop in _LABEL_PROPERTIES:
            for label in self.values.get(prop, ()):
                if isinstance(label, Literal):
                    found.setdefault(label.language, str(label))
        return found

    @property
    def types(self) -> list[URIRef]:
        return sorted(t for t in self.values.get(RDF.type, ()) if isinstance(t, URIRef))

    @property
    def quantity(self) -> Quantity | None:
        value, low, high = (_decimal(self.first(p)) for p in (SCHEMA.value, SCHEMA.minValue, SCHEMA.maxValue))
        if value is None and low is None and high is None:
            return None
        code = self.text(SCHEMA.unitCode)
        unit = self.text(SCHEMA.currency) or _UNIT_CODES.get(code or "", code) or self.text(SCHEMA.unitText)
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
  VALUES ?x {{ {_n3_list(wanted)} }}
  {{ VALUES ?p {{ {_n3_list(_TERM_PROPERTIES)} }} ?x ?p ?v }}
  UNION {{ VALUES ?p {{ {_n3_list(_CONCEPT_PROPERTIES)} }} ?x ?p ?concept . ?concept skos:notation ?v }}
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
        labels = info.labels()
        for wanted in (language, "en", "de", None):
            if wanted in labels:
                return labels[wanted]
        if labels:
            return next(iter(labels.values()))
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

    def sources(self) -> list[Source]:
        """The graphs every shown statement lies in, with their document and locator."""
        seen = {s.graph: s for st in (*self.outgoing, *self.incoming) for s in st.sources}
        return [seen[g] for g in sorted(seen)]

    def graph(self) -> Graph:
        """The shown statements without their graphs, for the triple formats."""
        graph = bind_prefixes(Graph())
        for statement in (*self.outgoing, *self.incoming):
            graph.add((statement.subject, statement.predicate, statement.object))
        return graph

    def dataset(self) -> Dataset:
        """The shown statements in their named graphs, and what `ozgg:meta` says of those graphs."""
        dataset = bind_prefixes(Dataset())
        for statement in (*self.outgoing, *self.incoming):
            for source in statement.sources:
                dataset.graph(source.graph).add((statement.subject, statement.predicate, statement.object))
        meta = dataset.graph(META)
        for source in self.sources():
            if source.document is not None:
                meta.add((source.graph, PROV.wasDerivedFrom, source.document))
            if source.locator is not None:
                meta.add((source.graph, OZG.locator, source.locator))
        return dataset


def _n3(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{check_iri(str(node))}>"
    raise ValueError(f"only IRIs are written into queries here, got {node!r}")


def _n3_list(nodes: Iterable[Node]) -> str:
    return " ".join(_n3(node) for node in nodes)


def _sparql_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


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
    node = _n3(iri)
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
    if not (outgoing or incoming or passages):
        return None
    shown: set[Node] = {iri}
    for statement in (*outgoing, *incoming, *(s for p in passages for s in p.statements)):
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


# ------------------------------------------------------------------ search


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
  FILTER(isIRI(?x) && CONTAINS({_fold_in_sparql("?label")}, {_sparql_string(fold(text))}))
}} GROUP BY ?x ORDER BY STRLEN(STR(?matched)) ?matched LIMIT {SEARCH_LIMIT}"""
    )
    hits = [Hit(row["x"], str(row["matched"])) for row in rows]
    return hits, Terms.fetch(run, [h.iri for h in hits])
