"""`/rdf-graph-store`: the read side of the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ozgkg.rdf.formats import RDF_BY_MEDIA_TYPE, SPARQL_JSON, TRIPLE_FORMATS
from ozgkg.rdf.iris import is_iri
from ozgkg.sparql.executor import Job
from ozgkg.sparql.protocol import ProtocolError, format_values, negotiate, parse_parameters
from ozgkg.sparql.safety import READ_ONLY
from ozgkg.store import ResultKind
from ozgkg.web import dumps, http
from ozgkg.web.extension import endpoint

blueprint = Blueprint("graph_store", __name__)


@blueprint.route("/rdf-graph-store", methods=["GET"])
def read() -> Response:
    current = endpoint()
    parameters = parse_parameters(request.query_string, "the URL's query string")
    names = [value for key, value in parameters if key == "graph"]
    wants_default = any(key == "default" for key, _ in parameters)
    formats = format_values(parameters)
    if not (wants_default or names):
        # The Graph Store Protocol defines GET for one graph only; a GET that names none asks here, as
        # in Fuseki, for the whole store: a dump (quads with their graph names, or the facts).
        whole = tuple(RDF_BY_MEDIA_TYPE[d.media_type] for d in dumps.DUMPS)
        return dumps.whole_store(negotiate(whole, request.accept_mimetypes, formats, "the whole store"))
    if (wants_default and names) or len(names) > 1:
        raise ProtocolError(
            400,
            "name one graph: ?default for the default graph or ?graph=IRI for a named graph "
            "(no parameter: the whole store)",
        )
    media_type = negotiate(TRIPLE_FORMATS, request.accept_mimetypes, formats, "a graph")
    if names:
        name = names[0]
        if not is_iri(name):
            raise ProtocolError(400, f"graph must be an absolute IRI, got {name!r}")
        if name not in current.config.statistics.graphs:
            raise ProtocolError(404, f"no graph <{name}> is served here; the service description lists them")
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    else:
        sparql = "CONSTRUCT WHERE { ?s ?p ?o }"
    etag = http.make_etag(current.config.graph_version, "graph-store", sparql, media_type)
    response = http.not_modified(etag)
    if response is None:
        media_types = dict.fromkeys(ResultKind, SPARQL_JSON) | {ResultKind.GRAPH: media_type}
        answer = current.answer(Job(sparql, media_types))
        response = Response(answer.body, content_type=http.with_charset(answer.media_type))
    response.headers["ETag"] = etag
    response.vary.add("Accept")
    return response


@blueprint.route("/rdf-graph-store", methods=["PUT", "POST", "DELETE", "PATCH"])
def write() -> Response:
    return http.text_response(405, READ_ONLY, {"Allow": "GET, HEAD, OPTIONS"})
