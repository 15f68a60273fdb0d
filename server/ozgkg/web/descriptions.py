"""What the endpoint says about itself (service description, VoID, DCAT record), negotiated: RDF for
machines, an HTML page for people (a browser that follows the "SPARQL endpoint" link or dereferences
the dataset's IRI gets a page, not a file to save)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, render_template
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import VOID
from rdflib.term import Node

from ozgkg.features.describe import TermInfo, Terms
from ozgkg.namespaces import SD
from ozgkg.rdf.formats import HTML, RDF_FORMATS
from ozgkg.sparql.protocol import ProtocolError
from ozgkg.web import dumps, http
from ozgkg.web.extension import endpoint
from ozgkg.web.pages import Links, public_base, served_path

# RDF first: a client without an Accept header, or with */*, gets Turtle as before; a browser's
# Accept ranks text/html above */* and gets the page.
DESCRIPTION_FORMATS = (*RDF_FORMATS, HTML)


@dataclass(frozen=True)
class Row:
    """One statement of a subject on the page; a blank node object is shown by its own statements."""

    predicate: URIRef
    object: Node
    nested: list[Row]


# VoID's per-class and per-property partitions and the per-graph statistics run to hundreds of blank
# nodes: the page counts them and leaves them to the RDF.
_COUNTED = frozenset({VOID.classPartition, VOID.propertyPartition, VOID.subset, SD.namedGraph})


def _rows(graph: Graph, subject: Node, depth: int = 1) -> list[Row]:
    rows = []
    for predicate, obj in sorted(graph.predicate_objects(subject)):
        if predicate in _COUNTED:
            continue
        nested = _rows(graph, obj, depth - 1) if isinstance(obj, BNode) and depth > 0 else []
        rows.append(Row(predicate, obj, nested))
    return rows


def _counted(graph: Graph, subject: Node) -> list[tuple[URIRef, int]]:
    return [(p, n) for p in sorted(_COUNTED) if (n := len(set(graph.objects(subject, p))))]


class _DescriptionLinks(Links):
    """Links of the description's terms: the project's IRIs to their pages, the rest to themselves
    (the store does not hold the description, so /describe knows nothing of its vocabulary values)."""

    def href(self, node: Node) -> str | None:
        if not isinstance(node, URIRef):
            return None
        if served_path(str(node)) is not None:
            return self.page(node)
        return str(node) if str(node).startswith(("http://", "https://")) else None


def _terms(graph: Graph) -> Terms:
    """Labels and types of the graph's subjects, read from the graph itself (it is not in the store)."""
    info: dict[URIRef, TermInfo] = {}
    for subject, predicate, obj in graph:
        if isinstance(subject, URIRef):
            info.setdefault(subject, TermInfo()).values.setdefault(predicate, []).append(obj)
    return Terms(info)


def _page(graph: Graph, focus: URIRef | None, endpoint_url: str, heading: str) -> str:
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=lambda s: (s != focus, s))
    sections = [(s, _rows(graph, s), _counted(graph, s)) for s in subjects]
    return render_template(
        "page_description.html",
        heading=heading,
        focus=focus,
        sections=sections,
        endpoint_url=endpoint_url,
        links=_DescriptionLinks(public_base(), _terms(graph)),
        formats=RDF_FORMATS,
        dumps=[(d, dumps.download_base() + d.file_name) for d in dumps.DUMPS],
    )


def description_response(
    endpoint_url: str,
    parts: frozenset[str],
    format_values: list[str],
    document: str,
    focus: URIRef | None = None,
    heading: str = "SPARQL endpoint",
) -> Response:
    """The description graph, negotiated; ETag per graph version and URL; `focus` is the IRI the
    request dereferences (its statements come first on the page), and must be a subject of it."""
    current = endpoint()
    download_base = dumps.download_base()
    if focus is not None:
        graph = current.description_graph(endpoint_url, parts, download_base)
        if (focus, None, None) not in graph:
            raise ProtocolError(404, f"the dataset's description says nothing about <{focus}>")

    def produce(media_type: str) -> bytes | str:
        if media_type == HTML.media_type:
            graph = current.description_graph(endpoint_url, parts, download_base)
            return _page(graph, focus, endpoint_url, heading)
        return current.description(endpoint_url, parts, media_type, download_base)

    return http.negotiated(
        DESCRIPTION_FORMATS,
        "the service description",
        format_values,
        produce,
        "describe",
        endpoint_url,
        str(focus),
        *sorted(parts),
        document=document,
    )
