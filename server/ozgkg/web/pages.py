"""Pages for people and linked data for machines: every entity at `/id/...` or `/describe?iri=`,
label search, the SHACL report at `/validation` and the ontology's documentation at `/ontology`.

Entity data comes from SPARQL run by the query workers (`ozgkg.features.describe`), so the deadline and the
result limit apply to pages as to any query. HTML is rendered by Jinja with autoescaping: labels and
literals come from data files and are never trusted as markup.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from ozgkg.features.amounts import Quantity, format_quantity
from ozgkg.features.describe import Description, Terms, describe
from ozgkg.features.ontology_docs import ontology_graph
from ozgkg.features.search import search
from ozgkg.namespaces import BASE, GRAPH, ID, ONTOLOGY_IRI
from ozgkg.rdf.formats import HTML, RDF_BY_MEDIA_TYPE, RDF_FORMATS, TRIPLE_FORMATS, Format
from ozgkg.rdf.graphs import graph_bytes
from ozgkg.rdf.iris import check_iri, is_iri
from ozgkg.rdf.prefixes import short_name
from ozgkg.sparql.protocol import ProtocolError
from ozgkg.web import http
from ozgkg.web.drawing import WIDTH, neighbourhood
from ozgkg.web.extension import endpoint

blueprint = Blueprint("pages", __name__)

ENTITY_FORMATS = (HTML, *RDF_FORMATS)
GRAPH_PAGE_FORMATS = (HTML, *TRIPLE_FORMATS)  # a report or the ontology is one graph: no TriG/N-Quads
MAX_SEARCH_CHARS = 200


def public_base() -> str:
    """Where links point: the configured public base, else the host this request named."""
    return endpoint().config.public_base or request.url_root.rstrip("/")


@dataclass(frozen=True)
class Navigation:
    """The header of every page (templates/layout.html): its links under the same base as the pages'."""

    base: str

    # The header's items: the view each links to, and its text. The current page's item is marked.
    ITEMS = (
        ("ui.query_page", "Query"),
        ("ui.graph_page", "Graph"),
        ("pages.ontology", "Ontology"),
        ("pages.validation", "Validation"),
        ("sparql.query", "SPARQL endpoint"),
    )

    def href(self, view: str) -> str:
        # The base already holds the path the app is mounted at (request.url_root does): not twice.
        return self.base + url_for(view).removeprefix(request.script_root)

    @property
    def home(self) -> str:
        return self.href("ui.query_page")

    @property
    def search(self) -> str:
        return self.href("pages.search_labels")

    @property
    def items(self) -> list[tuple[str, str, bool]]:
        """href, text, and whether it is the page being rendered."""
        return [(self.href(view), text, view == request.endpoint) for view, text in self.ITEMS]


@blueprint.app_context_processor
def _navigation() -> dict[str, Navigation]:
    """Every template rendered for a request gets the header's links as `nav`."""
    return {"nav": Navigation(public_base())}


def _negotiated(
    formats: tuple[Format, ...],
    what: str,
    produce: Callable[[str], bytes | str],
    *key: str,
    document: str | None = None,
) -> Response:
    """The answer in the negotiated format, with an ETag per graph version, key, format and base, and
    the Link headers of the document (this request's path under the public base unless given)."""
    document = document or public_base() + request.path
    return http.negotiated(
        formats, what, http.format_values(), produce, *key, public_base(), document=document
    )


# ------------------------------------------------------------------ the IRIs this server answers for

DATASET_SPACE = BASE + "dataset"
# The IRI spaces the project mints whose IRIs this server dereferences at the path that follows BASE
# (https://w3id.org/ozgkg/id/land/05 at /id/land/05): entities and source documents, provenance
# graphs, the dataset and its distributions. The ontology's terms (def#...) are one document, /def.
_SERVED_SPACES = (str(ID), str(GRAPH))


def served_path(iri: str) -> str | None:
    """The path this server answers the IRI at, or None if it mints no such IRI."""
    local = iri[len(BASE) :]
    minted = any(iri.startswith(space) and len(iri) > len(space) for space in _SERVED_SPACES)
    if minted or iri == DATASET_SPACE or iri.startswith(DATASET_SPACE + "/"):
        return "/" + urllib.parse.quote(local, safe="/")
    return None


# ------------------------------------------------------------------ entities


class Links:
    """Labels and hrefs of the terms on one page: an entity of ours links to its page, another term
    the graph describes to /describe, any other http(s) IRI to itself, anything else nowhere."""

    def __init__(self, base: str, terms: Terms):
        self.base, self.terms = base, terms

    def page(self, iri: URIRef, format_name: str | None = None) -> str:
        """This server's page of the IRI, optionally in one of the RDF formats."""
        text = str(iri)
        parameters = {"format": format_name} if format_name else {}
        path = served_path(text)
        if path is None:
            path, parameters = "/describe", {"iri": text, **parameters}
        return self.base + path + (f"?{urllib.parse.urlencode(parameters)}" if parameters else "")

    def href(self, node: Node) -> str | None:
        if not isinstance(node, URIRef):
            return None
        text = str(node)
        if served_path(text) is not None or self.terms.known(node):
            return self.page(node)
        return text if text.startswith(("http://", "https://")) else None

    def label(self, node: Node, language: str = "de") -> str:
        return self.terms.label(node, language)

    @staticmethod
    def short(node: Node) -> str:
        return short_name(str(node))

    @staticmethod
    def kind(node: Node) -> str:
        return "literal" if isinstance(node, Literal) else "iri" if isinstance(node, URIRef) else "blank"

    @staticmethod
    def datatype(literal: Literal) -> str | None:
        return short_name(str(literal.datatype)) if literal.datatype else None


def _serialise(description: Description, media_type: str) -> bytes:
    # TriG and N-Quads: the facts in the default graph and in their sources' named graphs. Every other
    # format (JSON-LD too: rdflib and most JSON-LD tools read a document's default graph) gets triples.
    named_graphs = RDF_BY_MEDIA_TYPE[media_type].quads
    graph = description.dataset() if named_graphs else description.graph()
    return graph_bytes(graph, media_type)


def _entity(text: str) -> Response:
    try:
        iri = check_iri(text)
    except ValueError as error:
        raise ProtocolError(400, str(error)) from None

    def produce(media_type: str) -> bytes | str:
        description = describe(endpoint().rows, iri)
        if description is None:
            raise ProtocolError(
                404, f"the graph says nothing about <{iri}>; /search?q= finds entities by label"
            )
        if media_type != HTML.media_type:
            return _serialise(description, media_type)
        edges, neighbours, height = neighbourhood(description)
        return render_template(
            "entity.html",
            d=description,
            info=description.terms.info(iri),
            amount=format_quantity(description.terms.info(iri).quantity or Quantity()),
            links=Links(public_base(), description.terms),
            edges=edges,
            neighbours=neighbours,
            size=(WIDTH, height),
            formats=RDF_FORMATS,
        )

    document = Links(public_base(), Terms({})).page(iri)
    return _negotiated(ENTITY_FORMATS, "an entity description", produce, "entity", iri, document=document)


@blueprint.route("/id/<path:rest>")
def entity(rest: str) -> Response:
    return _entity(ID + rest)


@blueprint.route("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    """A provenance graph's IRI: what the graph says of itself (its source and locator) and, when the
    graph is a passage, its statements; its whole content is at the graph store (?graph=IRI)."""
    return _entity(GRAPH + rest)


@blueprint.route("/describe")
def describe_iri() -> Response:
    iris = http.parameter_values("iri")
    if len(iris) != 1:
        raise ProtocolError(400, "name one entity: /describe?iri=IRI (an absolute IRI, percent-encoded)")
    return _entity(iris[0])


@blueprint.route("/search")
def search_labels() -> Response:
    text = " ".join(http.parameter_values("q")).strip()
    if len(text) > MAX_SEARCH_CHARS:
        raise ProtocolError(400, f"search for at most {MAX_SEARCH_CHARS} characters")
    hits, terms = search(endpoint().rows, text) if text else ([], Terms({}))
    return Response(
        render_template("page_search.html", q=text, hits=hits, links=Links(public_base(), terms)),
        content_type="text/html; charset=utf-8",
    )


# ------------------------------------------------------------------ validation report


@blueprint.route("/validation")
def validation() -> Response:
    result = endpoint().config.validation
    if result is None:
        raise ProtocolError(404, "this server was started without validating its graph")

    def produce(media_type: str) -> bytes | str:
        if media_type != HTML.media_type:
            return graph_bytes(result.report_graph, media_type)
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        findings = sorted(result.findings, key=lambda f: (order[f.severity], f.focus, f.path or ""))
        # A focus node may be a blank node, whose label is no IRI and has no page.
        rows = [(f, URIRef(f.focus) if is_iri(f.focus) else None) for f in findings]
        terms = Terms.fetch(endpoint().rows, [focus for _, focus in rows if focus is not None])
        return render_template(
            "page_validation.html", result=result, rows=rows, links=Links(public_base(), terms)
        )

    return _negotiated(GRAPH_PAGE_FORMATS, "the validation report", produce, "validation")


# ------------------------------------------------------------------ ontology documentation


@blueprint.route("/def/<path:version>")
def ontology_version(version: str) -> Response:
    """The ontology's version IRI (owl:versionIRI, e.g. def/0.1.0): the ontology, if it is this one's."""
    iri = URIRef(f"{ONTOLOGY_IRI}/{version}")
    if (URIRef(ONTOLOGY_IRI), OWL.versionIRI, iri) not in ontology_graph():
        raise ProtocolError(404, f"<{iri}> is not the version of the ontology served here; /def is")
    return ontology()


# /def is the ontology's IRI (and, its fragment cut off by the client, every term's): the same document.
@blueprint.route("/def")
@blueprint.route("/ontology")
def ontology() -> Response:
    def produce(media_type: str) -> bytes | str:
        if media_type == HTML.media_type:
            return endpoint().ontology_html()
        return graph_bytes(ontology_graph(), media_type)

    return _negotiated(
        GRAPH_PAGE_FORMATS, "the ontology", produce, "ontology", document=public_base() + "/def"
    )
