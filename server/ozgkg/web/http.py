"""HTTP concerns shared by every route: errors, CORS, gzip, ETags, what the access log notes.

The access log itself is gunicorn's (see `ozgkg.serve.ACCESS_LOG_FORMAT`): a route notes the query's
hash and the result cache's outcome in the WSGI environ, where the log line picks them up."""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import is_resource_modified

from ..protocol import QueryRequest, negotiate, parse_parameters, read_query_request
from ..rdf.formats import RDF_FORMATS, Format
from ..safety import Limits, Refused
from .extension import endpoint

log = logging.getLogger("ozgkg.web")

GZIP_MIN_BYTES = 1024
QUERY_HASH_KEY = "ozgkg.query_hash"
CACHE_KEY = "ozgkg.result_cache"
_CORS_METHODS = "GET, POST, OPTIONS"


def query_request(limits: Limits) -> tuple[bytes, QueryRequest | None]:
    """The request's body (empty unless POST) and the SPARQL Protocol query it carries, if any."""
    body = request.get_data(cache=False) if request.method == "POST" else b""
    parsed = read_query_request(
        request.method, request.headers.get("Content-Type"), request.query_string, body, limits
    )
    return body, parsed


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers or {})
    return response


def with_charset(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def note_query(text: str) -> None:
    """Remember the query's hash for the access log (the text itself is not logged)."""
    request.environ[QUERY_HASH_KEY] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def note_cache(response: Response, outcome: str) -> None:
    """Say, in a header and the access log, whether the result cache held the answer ("hit")."""
    response.headers["X-Cache"] = outcome
    request.environ[CACHE_KEY] = outcome


def make_etag(version: str, *parts: str) -> str:
    """A weak ETag: equal answers may differ in bytes (blank node labels, unordered rows)."""
    digest = hashlib.sha256("\x1f".join([version, *parts]).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def not_modified(etag: str) -> Response | None:
    """A 304 when a GET/HEAD's If-None-Match already holds `etag` (werkzeug's conditional rules),
    decided before the answer is made, so that a revalidation costs no evaluation."""
    if request.method not in {"GET", "HEAD"}:
        return None
    if is_resource_modified(request.environ, etag=etag):
        return None
    response = Response(status=304)
    response.headers["ETag"] = etag
    return response


def negotiated(
    formats: tuple[Format, ...],
    what: str,
    format_values: list[str],
    produce: Callable[[str], bytes | str],
    *key: str,
) -> Response:
    """The answer in the negotiated format, with an ETag per graph version, key and format."""
    media_type = negotiate(formats, request.accept_mimetypes, format_values, what)
    etag = make_etag(endpoint().config.graph_version, *key, media_type)
    response = not_modified(etag) or Response(produce(media_type), content_type=with_charset(media_type))
    response.headers["ETag"] = etag
    response.vary.add("Accept")
    return response


def description_response(endpoint_url: str, parts: frozenset[str], format_values: list[str]) -> Response:
    """The service description / VoID / DCAT graph, negotiated; ETag per graph version and URL."""
    return negotiated(
        RDF_FORMATS,
        "the service description",
        format_values,
        lambda media_type: endpoint().description(endpoint_url, parts, media_type),
        "describe",
        endpoint_url,
        *sorted(parts),
    )


def format_values() -> list[str]:
    """The URL's `format` parameters."""
    return parameter_values("format")


def parameter_values(name: str) -> list[str]:
    return [v for k, v in parse_parameters(request.query_string, "the URL's query string") if k == name]


def _gzip(response: Response) -> Response:
    if (
        response.status_code != 200
        or response.direct_passthrough
        or "Content-Encoding" in response.headers
        or request.accept_encodings["gzip"] <= 0
    ):
        return response
    response.vary.add("Accept-Encoding")
    data = response.get_data()
    if len(data) < GZIP_MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    return response


def _cors(response: Response) -> Response:
    # A public, read-only endpoint: any origin, never credentials (no reflected Origin).
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Encoding, Vary, X-Cache"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = _CORS_METHODS
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _error_response(error: Exception) -> Response:
    if isinstance(error, Refused):
        headers = {"Retry-After": "1"} if error.status == 503 else {}
        return text_response(error.status, error.message, headers)
    if isinstance(error, RequestEntityTooLarge):
        limit = request.max_content_length
        return text_response(413, f"the request body is larger than the limit of {limit} bytes")
    if isinstance(error, HTTPException):
        response = error.get_response()
        headers = {k: v for k, v in response.headers.items() if k.lower() in {"allow", "retry-after"}}
        message = f"{error.code} {error.name}: {error.description}"
        if error.code == 405:
            message = (
                f"{request.method} is not allowed on {request.path}; allowed: {headers.get('Allow', '')}"
            )
        return text_response(error.code or 500, message, headers)
    log.exception("unexpected error while answering %s %s", request.method, request.path)
    return text_response(500, "internal server error: the server failed to answer this request (logged)")


def install(app: Flask) -> None:
    """Error handlers and response post-processing for every route."""
    app.register_error_handler(Exception, _error_response)
    # after_request functions run in reverse order: CORS is added last, to every response.
    app.after_request(_gzip)
    app.after_request(_cors)
