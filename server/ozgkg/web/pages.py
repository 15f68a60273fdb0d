"""Pages for people and linked data for machines: every entity at `/id/...` or `/describe?iri=`,
label search, the SHACL report at `/validation` and the ontology's documentation at `/ontology`.

Entity data comes from SPARQL run by the query workers (`ozgkg.describe`), so the deadline and the
result limit apply to pages as to any query. HTML is rendered by Jinja with autoescaping: labels and
literals come from data files and are never trusted as markup.
"""

from __future__ import annotations

import functools
import logging
import math
import multiprocessing
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from .. import paths
from ..app import DESCRIPTION_FORMATS, endpoint
from ..describe import (
    Description,
    Quantity,
    Row,
    Terms,
    check_iri,
    describe,
    format_quantity,
    parse_bindings,
    search,
    short_name,
)
from ..executor import Job
from ..load import read_graph
from ..namespaces import ID, bind_prefixes
from ..protocol import RDF_FORMATS, Format, ProtocolError, negotiate, parse_parameters
from ..store import ResultKind
from . import http
from .graph_store import GRAPH_FORMATS

blueprint = Blueprint("pages", __name__)

HTML = Format("text/html", ("html",), "", ("application/xhtml+xml",))
ENTITY_FORMATS = (HTML, *RDF_FORMATS)
GRAPH_PAGE_FORMATS = (HTML, *GRAPH_FORMATS)  # a report or the ontology is one graph: no TriG/N-Quads
_QUAD_FORMATS = {"application/trig", "application/n-quads", "application/ld+json"}
_ONTOLOGY_HTML = "ozgkg.ontology_html"
MAX_SEARCH_CHARS = 200
NEIGHBOURS_DRAWN = 20


def _is_iri(text: str) -> bool:
    try:
        check_iri(text)
    except ValueError:
        return False
    return True


def _run(query: str) -> list[Row]:
    answer = endpoint().answer(Job(query, {ResultKind.BINDINGS: "application/sparql-results+json"}))
    return parse_bindings(answer.body)


def _parameters(name: str) -> list[str]:
    return [v for k, v in parse_parameters(request.query_string, "the URL's query string") if k == name]


def _base() -> str:
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
    return {"nav": Navigation(_base())}


def _negotiated(
    formats: tuple[Format, ...], what: str, produce: Callable[[str], bytes | str], *key: str
) -> Response:
    """The answer in the negotiated format, with an ETag per graph version, key, format and base."""
    media_type = negotiate(formats, request.accept_mimetypes, _parameters("format"), what)
    etag = http.make_etag(endpoint().config.graph_version, *key, media_type, _base())
    response = http.not_modified(etag) or Response(
        produce(media_type), content_type=http.with_charset(media_type)
    )
    response.headers["ETag"] = etag
    response.vary.add("Accept")
    return response


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
        if text.startswith(ID) and len(text) > len(ID):
            path = "/id/" + urllib.parse.quote(text[len(ID) :], safe="/")
        else:
            path, parameters = "/describe", {"iri": text, **parameters}
        return self.base + path + (f"?{urllib.parse.urlencode(parameters)}" if parameters else "")

    def href(self, node: Node) -> str | None:
        if not isinstance(node, URIRef):
            return None
        text = str(node)  # URIRef.startswith takes no tuple of prefixes
        if text.startswith(ID) or self.terms.known(node):
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


@dataclass(frozen=True)
class DrawnEdge:
    """A neighbour on the drawing and the line to it, shortened so that arrowheads stay visible."""

    node: URIRef
    x: float
    y: float
    line: tuple[float, float, float, float]
    text: tuple[float, float, str]  # where the neighbour's label starts, and its text-anchor
    properties: str
    outward: bool  # the entity points at the neighbour
    inward: bool  # the neighbour points at the entity


# The drawing in SVG user units: the entity in the middle, what points at it in a column on the left,
# what it points at on the right, one row each, so that no two labels can overlap.
WIDTH, COLUMN_X, ROW_HEIGHT, MARGIN = 1000, 220, 32, 24


def _column(
    nodes: list[URIRef], left: bool, links: dict[URIRef, tuple[set[str], set[bool]]], centre_y: float
) -> list[DrawnEdge]:
    x = WIDTH / 2 + (-COLUMN_X if left else COLUMN_X)
    top = centre_y - (len(nodes) - 1) * ROW_HEIGHT / 2
    edges = []
    for index, node in enumerate(nodes):
        y = top + index * ROW_HEIGHT
        dx, dy = x - WIDTH / 2, y - centre_y
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        line = (WIDTH / 2 + 16 * ux, centre_y + 16 * uy, x - 10 * ux, y - 10 * uy)
        text = (x - 12, y + 4, "end") if left else (x + 12, y + 4, "start")
        names, directions = links[node]
        properties = ", ".join(sorted(names))
        edges.append(DrawnEdge(node, x, y, line, text, properties, True in directions, False in directions))
    return edges


def neighbourhood(description: Description) -> tuple[list[DrawnEdge], int, float]:
    """The drawing's edges (up to NEIGHBOURS_DRAWN a side), the number of neighbours, the height."""
    links: dict[URIRef, tuple[set[str], set[bool]]] = {}
    terms, iri = description.terms, description.iri
    for statement, other, outward in (
        *((s, s.object, True) for s in description.outgoing if s.predicate != RDF.type),
        *((s, s.subject, False) for s in description.incoming),
    ):
        # Provenance is left out: a document's passages are listed below the drawing.
        if isinstance(other, URIRef) and other != iri and not statement.provenance:
            names, directions = links.setdefault(other, (set(), set()))
            names.add(short_name(str(statement.predicate)))
            directions.add(outward)
    ordered = sorted(links, key=lambda n: terms.label(n).casefold())
    # A neighbour linked both ways goes right, with arrowheads at both ends.
    left = [n for n in ordered if True not in links[n][1]][:NEIGHBOURS_DRAWN]
    right = [n for n in ordered if True in links[n][1]][:NEIGHBOURS_DRAWN]
    height = max(len(left), len(right), 3) * ROW_HEIGHT + 2 * MARGIN
    edges = _column(left, True, links, height / 2) + _column(right, False, links, height / 2)
    return edges, len(links), height


def _serialise(description: Description, media_type: str) -> bytes:
    graph = description.dataset() if media_type in _QUAD_FORMATS else description.graph()
    return graph.serialize(format=DESCRIPTION_FORMATS[media_type], encoding="utf-8")


def _entity(text: str) -> Response:
    try:
        iri = check_iri(text)
    except ValueError as error:
        raise ProtocolError(400, str(error)) from None

    def produce(media_type: str) -> bytes | str:
        description = describe(_run, iri)
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
            links=Links(_base(), description.terms),
            edges=edges,
            neighbours=neighbours,
            size=(WIDTH, height),
            formats=RDF_FORMATS,
        )

    return _negotiated(ENTITY_FORMATS, "an entity description", produce, "entity", iri)


@blueprint.route("/id/<path:rest>")
def entity(rest: str) -> Response:
    return _entity(ID + rest)


@blueprint.route("/describe")
def describe_iri() -> Response:
    iris = _parameters("iri")
    if len(iris) != 1:
        raise ProtocolError(400, "name one entity: /describe?iri=IRI (an absolute IRI, percent-encoded)")
    return _entity(iris[0])


@blueprint.route("/search")
def search_labels() -> Response:
    text = " ".join(_parameters("q")).strip()
    if len(text) > MAX_SEARCH_CHARS:
        raise ProtocolError(400, f"search for at most {MAX_SEARCH_CHARS} characters")
    hits, terms = search(_run, text) if text else ([], Terms({}))
    return Response(
        render_template("page_search.html", q=text, hits=hits, links=Links(_base(), terms)),
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
            return result.report_graph.serialize(format=DESCRIPTION_FORMATS[media_type], encoding="utf-8")
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        findings = sorted(result.findings, key=lambda f: (order[f.severity], f.focus, f.path or ""))
        # A focus node may be a blank node, whose label is no IRI and has no page.
        rows = [(f, URIRef(f.focus) if _is_iri(f.focus) else None) for f in findings]
        terms = Terms.fetch(_run, [focus for _, focus in rows if focus is not None])
        return render_template("page_validation.html", result=result, rows=rows, links=Links(_base(), terms))

    return _negotiated(GRAPH_PAGE_FORMATS, "the validation report", produce, "validation")


# ------------------------------------------------------------------ ontology documentation


@functools.cache
def ontology_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        graph += read_graph(path)
    return graph


def ontology_documentation() -> str:
    """The ontology's HTML documentation, written by pyLODE (run it in a process of its own)."""
    from pylode import OntPub  # imported here: only the throwaway process below may import it

    logging.getLogger().setLevel(logging.WARNING)  # quiet the DEBUG level pyLODE gave this process
    graph = Graph()
    graph += ontology_graph()  # a copy: pyLODE adds its inferences to the graph it is given
    # pyLODE runs all of a term's titles together ("Nachnutzungreuse arrangement"): give it one.
    for term in set(graph.subjects(RDFS.label, None)) | set(graph.subjects(SKOS.prefLabel, None)):
        names: dict[str, str] = {}
        for prop in (DCTERMS.title, SKOS.prefLabel, RDFS.label):
            for name in graph.objects(term, prop):
                if isinstance(name, Literal):
                    names.setdefault(name.language or "", str(name))
                    graph.remove((term, prop, name))
        ordered = [names.pop(language) for language in ("de", "en") if language in names] + list(
            names.values()
        )
        graph.add((term, DCTERMS.title, Literal(" / ".join(ordered))))
    return OntPub(graph, sort_subjects=True).make_html()


@blueprint.record_once
def _document_ontology(state: BlueprintSetupState) -> None:
    # Importing pyLODE sets the root logger to DEBUG on stderr (every access log line would be
    # printed twice), and pyLODE caches pickles in its package folder: a throwaway process keeps
    # both away from the server. It runs once, when the app is created.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        state.app.extensions[_ONTOLOGY_HTML] = pool.submit(ontology_documentation).result()


@blueprint.route("/ontology")
def ontology() -> Response:
    def produce(media_type: str) -> bytes | str:
        if media_type == HTML.media_type:
            return current_app.extensions[_ONTOLOGY_HTML]
        return ontology_graph().serialize(format=DESCRIPTION_FORMATS[media_type], encoding="utf-8")

    return _negotiated(GRAPH_PAGE_FORMATS, "the ontology", produce, "ontology")
