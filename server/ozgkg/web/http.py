"""HTTP concerns shared by every route: errors, CORS, gzip, ETags, what the access log notes.

The access log itself is gunicorn's (see `ozgkg.serve.ACCESS_LOG_FORMAT`): a route notes the query's
hash and the result cache's outcome in the WSGI environ, where the log line picks them up."""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
import urllib.parse
from collections.abc import Callable

from flask import Flask, Response, render_template, request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import is_resource_modified

from ozgkg.rdf.formats import Format
from ozgkg.sparql.protocol import ProtocolError, QueryRequest, negotiate, parse_parameters, read_query_request
from ozgkg.sparql.protocol import format_values as protocol_format_values
from ozgkg.sparql.safety import Limits, Refused
from ozgkg.web.extension import endpoint
from ozgkg.web.metrics import CONTENT_TYPE_LATEST

log = logging.getLogger("ozgkg.web")

GZIP_MIN_BYTES = 1024
QUERY_HASH_KEY = "ozgkg.query_hash"
CACHE_KEY = "ozgkg.sparql.result_cache"
_CORS_METHODS = "GET, POST, OPTIONS"
_EXPOSED = "ETag, Content-Encoding, Vary, X-Cache, Link, Content-Location"


def too_large(limit: int) -> ProtocolError:
    return ProtocolError(413, f"the request body is larger than the limit of {limit} bytes")


def read_body(limit: int) -> bytes:
    """The request body, at most `limit` bytes: a longer one is a 413, whether its length was
    announced or it came in chunks (werkzeug would cut a chunked body at the limit without a word),
    and a body that cannot be read (a bad chunk size, a missing chunk end) is a 400."""
    if request.content_length is not None:
        if request.content_length > limit:
            raise too_large(limit)
        stream = request.stream  # werkzeug's, limited to the announced length
    else:
        stream = request.environ["wsgi.input"]  # the server's own, which ends where the chunks end
    try:
        body = stream.read(limit + 1)
    except (OSError, ValueError, ParseException) as error:
        raise ProtocolError(400, f"the request body cannot be read: {error}") from None
    if len(body) > limit:
        raise too_large(limit)
    return body


def query_request(limits: Limits) -> tuple[bytes, QueryRequest | None]:
    """The request's body (empty unless POST) and the SPARQL Protocol query it carries, if any."""
    body = read_body(limits.max_body_bytes) if request.method == "POST" else b""
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
    document: str | None = None,
) -> Response:
    """The answer in the negotiated format, with an ETag per graph version, key and format; with the
    URL of the `document` (what an IRI dereferences to), its alternates' and this format's URLs."""
    media_type = negotiate(formats, request.accept_mimetypes, format_values, what)
    etag = make_etag(endpoint().config.graph_version, *key, media_type)
    response = not_modified(etag) or Response(produce(media_type), content_type=with_charset(media_type))
    response.headers["ETag"] = etag
    response.vary.add("Accept")
    if document is not None:
        link_alternates(response, document, formats, media_type)
    return response


def format_url(document: str, fmt: Format) -> str:
    """The document's URL in one format: its `format` parameter added."""
    separator = "&" if "?" in document else "?"
    return f"{document}{separator}{urllib.parse.urlencode({'format': fmt.names[0]})}"


def link_alternates(response: Response, document: str, formats: tuple[Format, ...], media_type: str) -> None:
    """The dereferencing policy (ontology/README.md): an IRI answers 200 with the negotiated
    representation, `Content-Location` names that representation's own URL, and `Link` headers name
    every other one (RFC 8288 rel="alternate"), so that a client can pick a format without guessing."""
    chosen = next(f for f in formats if f.media_type == media_type)
    response.headers["Content-Location"] = format_url(document, chosen)
    response.headers["Link"] = ", ".join(
        f'<{format_url(document, f)}>; rel="alternate"; type="{f.media_type}"' for f in formats
    )


def format_values() -> list[str]:
    """The URL's format parameters (`format`, `output`, `results`)."""
    return protocol_format_values(parse_parameters(request.query_string, "the URL's query string"))


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
    response.headers["Access-Control-Expose-Headers"] = _EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = _CORS_METHODS
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# The pages load scripts, styles and fonts from this server only (the vendored UI libraries are
# served from /static/vendor); scripts are never inline (the UI's settings travel as JSON in a
# non-executed <script type="application/json">). Inline styles stay allowed: the UI libraries set
# them and pyLODE's ontology page carries its own <style>. No page may be framed (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",  # a CSV or Turtle answer is never run as a script or page
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error_response(error: Exception) -> Response:
    response = _error_text(error)
    if response.status_code == 404 and _wants_html():
        # An IRI that names nothing here: a page a person can go on from (the text, the header's links).
        page = render_template("page_error.html", status=404, message=response.get_data(as_text=True))
        return Response(page, status=404, content_type="text/html; charset=utf-8")
    return response


def _wants_html() -> bool:
    """Whether the client prefers HTML to plain text (a browser's Accept; `*/*` alone keeps text)."""
    return request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"


def _error_text(error: Exception) -> Response:
    if isinstance(error, Refused):
        headers = {"Retry-After": str(error.retry_after or 1)} if error.status == 503 else {}
        return text_response(error.status, error.message, headers)
    if isinstance(error, RequestEntityTooLarge):
        return _error_response(too_large(request.max_content_length or 0))
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


_STARTED = "ozgkg.started"


def _start_clock() -> None:
    request.environ[_STARTED] = time.monotonic()


def _count(response: Response) -> Response:
    """Each response in the metrics: by route, method and status, its latency, the cache's outcome."""
    metrics = endpoint().metrics
    route = request.url_rule.rule if request.url_rule else "unmatched"  # never the raw URL: unbounded
    metrics.requests.labels(route, request.method, str(response.status_code)).inc()
    started = request.environ.get(_STARTED)
    if started is not None:
        metrics.latency.labels(route).observe(time.monotonic() - started)
    if outcome := request.environ.get(CACHE_KEY):
        metrics.cache.labels(outcome).inc()
    return response


def metrics_page() -> Response:
    return Response(endpoint().metrics.render(), content_type=CONTENT_TYPE_LATEST)


def install(app: Flask) -> None:
    """Error handlers, response post-processing and the metrics for every route; /metrics."""
    app.register_error_handler(Exception, _error_response)
    app.before_request(_start_clock)
    app.after_request(_count)
    # after_request functions run in reverse order: CORS is added last, to every response.
    app.after_request(_gzip)
    app.after_request(_cors)
    app.after_request(_security_headers)
    app.add_url_rule("/metrics", "metrics", metrics_page)
