"""`/export`: the graph for graph tools over HTTP, written by `ozgkg.features.export` as
`ozg-kg export` writes it.

`/export?format=F` draws the whole graph, `&query=` (GET, or POST as for /sparql) a CONSTRUCT or
DESCRIBE query's result, `&iri=` an entity's neighbourhood. `csv` answers a zip of nodes.csv and
edges.csv, or one of them with `part=nodes|edges`. Every query (the one asked, and the one that
fetches labels, types and sources of what it drew) runs in the query workers, under their deadline
and result limit.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from flask import Blueprint, Response, request
from rdflib import Graph
from werkzeug.http import parse_options_header

from ozgkg.features import export
from ozgkg.rdf.iris import check_iri
from ozgkg.sparql.executor import Job
from ozgkg.sparql.protocol import FORM, ProtocolError, QueryRequest, parse_parameters
from ozgkg.store import ResultKind
from ozgkg.web import http
from ozgkg.web.extension import endpoint

if TYPE_CHECKING:
    from networkx import MultiDiGraph

blueprint = Blueprint("graph_export", __name__)

# Building the network happens in the web process: bound it, so one export cannot stall the others.
MAX_TRIPLES = 100_000
NEIGHBOURHOOD_STATEMENTS = 300
CSV_PARTS = ("nodes", "edges")
LANGUAGES = ("de", "en")
_NOT_TRIPLES = "an export draws triples: send a CONSTRUCT or DESCRIBE query (a SELECT or ASK gives a table)"


def _parameters(body: bytes) -> list[tuple[str, str]]:
    """The URL's parameters, and a form body's (read_query_request has checked its charset)."""
    parameters = parse_parameters(request.query_string, "the URL's query string")
    media_type, _ = parse_options_header(request.headers.get("Content-Type", ""))
    if request.method == "POST" and media_type.lower() == FORM:
        parameters += parse_parameters(body, "the form body")
    return parameters


def _one(parameters: list[tuple[str, str]], name: str, allowed: tuple[str, ...]) -> str | None:
    """The parameter's value, None if it is not given; 400 for an unknown value or several."""
    values = [value for key, value in parameters if key == name]
    if not values:
        return None
    if len(values) > 1 or values[0] not in allowed:
        raise ProtocolError(
            400, f"{name} must be one of {', '.join(allowed)}, got {', '.join(map(repr, values))}"
        )
    return values[0]


def _drawn_triples(job: Job, timeout: float | None) -> Graph:
    answer = endpoint().answer(job, timeout)
    if answer.kind is not ResultKind.GRAPH:
        raise ProtocolError(400, _NOT_TRIPLES)
    # Counted before rdflib parses them (N-Triples: a line a triple), which for 50 MB took minutes.
    count = answer.body.count(b"\n")
    if count > MAX_TRIPLES:
        raise ProtocolError(
            422, f"the query gives {count} triples; an export over HTTP draws at most {MAX_TRIPLES}"
        )
    return Graph().parse(data=answer.body, format="nt")


def _network(parsed: QueryRequest | None, iri: str | None, language: str) -> tuple[MultiDiGraph, str]:
    """The network to write, and the word that names it in the file name."""
    timeout = parsed.timeout if parsed else None
    if parsed is None and iri is None:
        dataset = export.dataset_of(endpoint().rows(export.QUADS_QUERY, timeout))
        return export.build_network(export.fact_triples(dataset), dataset, language), "graph"
    if parsed is not None:
        if parsed.kinds in {(ResultKind.BINDINGS,), (ResultKind.BOOLEAN,)}:
            raise ProtocolError(400, _NOT_TRIPLES)
        default_graphs, named_graphs = None, None
        if parsed.default_graphs or parsed.named_graphs:
            default_graphs, named_graphs = list(parsed.default_graphs or ()), list(parsed.named_graphs or ())
        job = Job(parsed.query, export.GRAPH_ANSWERS, default_graphs, named_graphs, base_iri=request.base_url)
        scope = "query"
    else:
        try:
            focus = check_iri(iri)
        except ValueError as error:
            raise ProtocolError(400, str(error)) from None
        job = Job(export.neighbourhood_query(focus, NEIGHBOURHOOD_STATEMENTS), export.GRAPH_ANSWERS)
        scope = "neighbourhood"
    triples = _drawn_triples(job, timeout)
    dataset = export.dataset_of(endpoint().rows(export.context_query(triples), timeout))
    return export.build_network(triples, dataset, language), scope


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _file(parts: dict[str, bytes], fmt: str, part: str | None, scope: str) -> tuple[bytes, str, str]:
    """The body, its media type and its file name."""
    if fmt != "csv":
        name, content = next(iter(parts.items()))
        return content, export.MEDIA_TYPES[fmt], f"ozg-kg-{scope}.{name.rsplit('.', 1)[-1]}"
    if part is not None:
        return parts[f"{part}.csv"], export.MEDIA_TYPES["csv"], f"ozg-kg-{scope}-{part}.csv"
    return _zip(parts), "application/zip", f"ozg-kg-{scope}-csv.zip"


@blueprint.route("/export", methods=["GET", "POST"])
def export_graph() -> Response:
    current = endpoint()
    body, parsed = http.query_request(current.config.limits)
    parameters = _parameters(body)
    fmt = _one(parameters, "format", export.FORMATS)
    if fmt is None:
        raise ProtocolError(400, f"name the export's format: format={'|'.join(export.FORMATS)}")
    language = _one(parameters, "lang", LANGUAGES) or LANGUAGES[0]
    part = _one(parameters, "part", CSV_PARTS)
    if part and fmt != "csv":
        raise ProtocolError(400, "part=nodes|edges goes with format=csv only")
    iris = [value for key, value in parameters if key == "iri"]
    if len(iris) > 1 or (iris and parsed is not None):
        raise ProtocolError(400, "export one thing: the whole graph, one query= or one iri=")
    iri = iris[0] if iris else None
    if parsed is not None:
        http.note_query(parsed.query)
    etag = http.make_etag(
        current.config.graph_version,
        "export",
        fmt,
        part or "",
        language,
        iri or "",
        parsed.query if parsed else "",
        repr(parsed.default_graphs if parsed else None),
        repr(parsed.named_graphs if parsed else None),
    )
    response = http.not_modified(etag)
    if response is None:
        network, scope = _network(parsed, iri, language)
        content, media_type, filename = _file(export.serialise(network, fmt), fmt, part, scope)
        response = Response(content, content_type=http.with_charset(media_type))
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if request.method in {"GET", "HEAD"}:
        response.headers["ETag"] = etag
    return response
