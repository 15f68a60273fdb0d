"""`/sparql`: the SPARQL 1.1 Protocol query operation; without a query, the service description."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ozgkg.features.service_description import PARTS
from ozgkg.sparql.executor import Job
from ozgkg.sparql.protocol import negotiate_query
from ozgkg.sparql.safety import mentions_service
from ozgkg.web import http
from ozgkg.web.descriptions import description_response
from ozgkg.web.extension import endpoint

blueprint = Blueprint("sparql", __name__)


# The rule nearest the function is registered first, so url_for() gives /sparql.
@blueprint.route("/sparql/", methods=["GET", "POST"])
@blueprint.route("/sparql", methods=["GET", "POST"])
def query() -> Response:
    current = endpoint()
    body, parsed = http.query_request(current.config.limits)
    if parsed is None:
        return description_response(request.base_url, PARTS, http.format_values(), document=request.base_url)
    http.note_query(parsed.query)
    media_types = negotiate_query(parsed, request.accept_mimetypes)
    default_graphs, named_graphs = None, None
    if parsed.default_graphs or parsed.named_graphs:
        # The protocol's dataset replaces FROM / FROM NAMED; a part it leaves out is empty.
        default_graphs, named_graphs = list(parsed.default_graphs or ()), list(parsed.named_graphs or ())
    etag = http.make_etag(
        current.config.graph_version,
        "query",
        request.base_url,
        parsed.query,
        repr(default_graphs),  # None (the query's own dataset) differs from [] (an empty one)
        repr(named_graphs),
        *(media_types[k] for k in sorted(media_types)),
    )
    # A federated answer also depends on remote data that the graph version does not cover.
    cacheable = not (current.config.service_allowlist and mentions_service(parsed.query))
    cached = http.not_modified(etag) if cacheable else None
    if cached is not None:
        cached.vary.add("Accept")
        return cached
    use_cache = cacheable and current.results.enabled
    answer = current.results.get(etag) if use_cache else None
    cache_outcome = "hit" if answer is not None else "miss"
    if answer is None:
        answer = current.answer(
            Job(parsed.query, media_types, default_graphs, named_graphs, base_iri=request.base_url),
            parsed.timeout,
        )
        if use_cache:
            current.results.put(etag, answer)
    response = Response(answer.body, content_type=http.with_charset(answer.media_type))
    if use_cache:
        http.note_cache(response, cache_outcome)
    if cacheable and request.method in {"GET", "HEAD"}:
        response.headers["ETag"] = etag
    response.vary.add("Accept")
    return response
