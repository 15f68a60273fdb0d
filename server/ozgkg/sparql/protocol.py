"""The SPARQL 1.1 Protocol: read a query request from raw HTTP parts, and choose the answer's format.

Kept free of Flask so that every rule is plain code: the web layer passes the method, the
Content-Type header, the raw query string and the raw body. Parameters are decoded strictly as
UTF-8 (a lenient decoder would run a different query than the client sent).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_options_header

from ozgkg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS, Format
from ozgkg.rdf.iris import is_iri
from ozgkg.rdf.lexer import first_keyword
from ozgkg.sparql.safety import READ_ONLY, Limits, Refused, refuse_updates
from ozgkg.store import KIND_OF_FORM, ResultKind


class ProtocolError(Refused):
    """A request that breaks the protocol; `status` is the HTTP status to answer with."""


FORMATS_BY_KIND = {
    ResultKind.BINDINGS: RESULTS_FORMATS,
    ResultKind.BOOLEAN: RESULTS_FORMATS,
    ResultKind.GRAPH: RDF_FORMATS,
}
_KIND_NAMES = {
    ResultKind.BINDINGS: "SELECT",
    ResultKind.BOOLEAN: "ASK",
    ResultKind.GRAPH: "CONSTRUCT/DESCRIBE",
}

# The parameters that name the answer's format: `format` (SPARQL Protocol practice, Virtuoso),
# `output` (Fuseki, ARQ) and `results` (Fuseki's older spelling): read alike, in the URL's order.
FORMAT_PARAMETERS = ("format", "output", "results")

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    timeout: float | None
    formats: tuple[str, ...]  # values of the format parameters (`FORMAT_PARAMETERS`), in order

    @property
    def kinds(self) -> tuple[ResultKind, ...]:
        """The result kinds the query can give: one if its form is visible, else all three."""
        kind = KIND_OF_FORM.get(first_keyword(self.query) or "")
        return (kind,) if kind else tuple(ResultKind)


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            400, f"{what} is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def parse_parameters(raw: bytes, what: str) -> list[tuple[str, str]]:
    """`a=1&b=2` (a URL's query string or a form body) with strict UTF-8 percent-decoding."""
    text = _utf8(raw, what)
    try:
        return urllib.parse.parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=1000
        )
    except UnicodeDecodeError:
        raise ProtocolError(400, f"{what} holds percent-encoded bytes that are not valid UTF-8") from None
    except ValueError as error:
        raise ProtocolError(400, f"{what} cannot be read: {error}") from None


def _check_charset(options: dict[str, str], media_type: str) -> None:
    charset = options.get("charset", "utf-8").strip().lower()
    if charset not in {"utf-8", "utf8"}:
        raise ProtocolError(415, f"{media_type} with charset={charset} is not supported: send UTF-8")


def _values(parameters: Iterable[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in parameters if key == name]


def format_values(parameters: Iterable[tuple[str, str]]) -> list[str]:
    """The values of every format-naming parameter (`FORMAT_PARAMETERS`), in the order given."""
    return [value for key, value in parameters if key in FORMAT_PARAMETERS]


def bare_media_type(value: str) -> str:
    """`text/turtle; charset=utf-8` as `text/turtle`: negotiation compares types, not parameters."""
    return value.split(";", 1)[0].strip().lower()


def _graph_iris(parameters: list[tuple[str, str]], name: str) -> tuple[str, ...] | None:
    values = _values(parameters, name)
    for value in values:
        if not is_iri(value):
            raise ProtocolError(400, f"{name} must be an absolute IRI, got {value!r}")
    return tuple(values)


def _timeout(parameters: list[tuple[str, str]]) -> float | None:
    values = _values(parameters, "timeout")
    if not values:
        return None
    try:
        seconds = float(values[-1])
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise ProtocolError(400, f"timeout must be a positive number of seconds, got {values[-1]!r}")
    return seconds


def read_query_request(
    method: str, content_type: str | None, query_string: bytes, body: bytes, limits: Limits
) -> QueryRequest | None:
    """The query request, or None for a GET without a query (the client wants the service description)."""
    parameters = parse_parameters(query_string, "the URL's query string")
    if method in {"GET", "HEAD"}:
        if _values(parameters, "update"):
            raise ProtocolError(403, READ_ONLY)
        if not _values(parameters, "query"):
            return None
    elif method == "POST":
        if not content_type:
            raise ProtocolError(
                415, f"a POST needs a Content-Type: {FORM} or {SPARQL_QUERY} (updates are not offered)"
            )
        media_type, options = parse_options_header(content_type)
        media_type = media_type.lower()
        if media_type == FORM:
            _check_charset(options, media_type)
            parameters = parameters + parse_parameters(body, "the form body")
        elif media_type == SPARQL_QUERY:
            _check_charset(options, media_type)
            if _values(parameters, "query"):
                raise ProtocolError(
                    400, "a direct POST carries the query in its body, not in the URL as well"
                )
            text = _utf8(body, "the request body")
            parameters = [*parameters, ("query", text.removeprefix("\ufeff"))]
        elif media_type == SPARQL_UPDATE:
            _check_charset(options, media_type)
            raise ProtocolError(403, READ_ONLY)
        else:
            raise ProtocolError(415, f"unsupported Content-Type {media_type}: use {FORM} or {SPARQL_QUERY}")
        if _values(parameters, "update"):
            raise ProtocolError(403, READ_ONLY)
    else:
        raise ProtocolError(405, f"{method} is not allowed on the SPARQL endpoint: use GET or POST")

    queries = _values(parameters, "query")
    if not queries:
        raise ProtocolError(400, "missing query: send one `query` parameter or a SPARQL query body")
    if len(queries) > 1:
        raise ProtocolError(400, f"exactly one query is allowed per request, got {len(queries)}")
    query = queries[0]
    size = len(query.encode("utf-8"))
    if size > limits.max_query_bytes:
        raise ProtocolError(
            413, f"the query is {size} bytes long; the limit is {limits.max_query_bytes} bytes"
        )
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    refuse_updates(query)
    return QueryRequest(
        query=query,
        default_graphs=_graph_iris(parameters, "default-graph-uri"),
        named_graphs=_graph_iris(parameters, "named-graph-uri"),
        timeout=_timeout(parameters),
        formats=tuple(format_values(parameters)),
    )


class NotAcceptable(ProtocolError):
    def __init__(self, what: str, available: Iterable[Format]):
        types = ", ".join(f.media_type for f in available)
        super().__init__(
            406, f"none of the accepted media types can be served for {what}; available: {types}"
        )


def _by_format_parameter(values: Iterable[str], kind_formats: tuple[Format, ...]) -> Format | None:
    """The first `format` value (a name or media type; SPARQLWrapper sends lists) that fits the kind."""
    every = (*RESULTS_FORMATS, *RDF_FORMATS, *kind_formats)
    known = {n for f in every for n in (*f.names, f.media_type, *f.aliases)}
    seen = False
    for value in values:
        for token in (bare_media_type(t) for t in value.split(",")):
            if not token:
                continue
            for candidate in kind_formats:
                if token in (*candidate.names, candidate.media_type, *candidate.aliases):
                    return candidate
            seen = seen or token in known
    if not seen and any(v.strip() for v in values):
        names = sorted({n for f in every for n in f.names})
        raise ProtocolError(400, f"unknown format {', '.join(values)!r}; known: {', '.join(names)}")
    return None


def negotiate(
    formats: tuple[Format, ...], accept: MIMEAccept, format_values: Iterable[str], what: str
) -> str:
    """The media type to answer with: the `format` parameter first, then q-valued Accept, else the default."""
    format_values = list(format_values)
    if format_values:
        chosen = _by_format_parameter(format_values, formats)
        if chosen is None:
            raise NotAcceptable(what, formats)
        return chosen.media_type
    if not accept:
        return formats[0].media_type
    # werkzeug matches `text/turtle; charset=utf-8` against no offer: compare the bare types.
    accept = MIMEAccept([(bare_media_type(value), quality) for value, quality in accept])
    offers = [f.media_type for f in formats] + [a for f in formats for a in f.aliases]
    best = accept.best_match(offers)
    if best is None:
        raise NotAcceptable(what, formats)
    return next(f.media_type for f in formats if best == f.media_type or best in f.aliases)


def negotiate_query(request: QueryRequest, accept: MIMEAccept) -> dict[ResultKind, str]:
    """A media type for each kind of answer the query may give; 406 when the visible form has none."""
    chosen: dict[ResultKind, str] = {}
    kinds = request.kinds
    for kind in ResultKind:
        try:
            chosen[kind] = negotiate(
                FORMATS_BY_KIND[kind], accept, request.formats, f"{_KIND_NAMES[kind]} results"
            )
        except NotAcceptable:
            if len(kinds) == 1 and kind in kinds:
                raise
            # The form could not be seen before evaluation: fall back for kinds the client may not get.
            chosen[kind] = FORMATS_BY_KIND[kind][0].media_type
    return chosen
