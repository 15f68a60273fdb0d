"""HTTP concerns shared by every route: errors, CORS, gzip, ETags, the access log."""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import unquote_etag

from ..protocol import QueryRequest, read_query_request
from ..safety import Limits, Refused

access_log = logging.getLogger("ozgkg.access")
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
    """A 304 when a GET/HEAD's If-None-Match already holds `etag`."""
    if request.method not in {"GET", "HEAD"}:
        return None
    tag, _ = unquote_etag(etag)
    if tag and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
        response.headers["ETag"] = etag
        return response
    return None


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


class AccessLog:
    """WSGI middleware: one line per request once its body is sent (duration and bytes are final)."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def recording_start_response(code: str, headers: list, exc_info=None):  # noqa: ANN001
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        body = self.app(environ, recording_start_response)
        return self._counted(body, environ, status, started)

    @staticmethod
    def _counted(body: Iterable[bytes], environ: dict, status: list[str], started: float) -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            access_log.info(
                "%s %s query=%s cache=%s status=%s ms=%.1f bytes=%d",
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "-"),
                environ.get(QUERY_HASH_KEY, "-"),
                environ.get(CACHE_KEY, "-"),
                status[0] if status else "-",
                (time.perf_counter() - started) * 1000,
                sent,
            )
