"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, ...), spelt `sparql+http(s)://HOST/PATH`.

Queries pass through as strings over the SPARQL 1.1 Protocol: a form POST with the protocol's
dataset parameters and an `Accept` of the media types the client negotiated; the remote's answer is
passed on as it is, cut at the same byte limit. The query worker that waits for it is killed at the
query's deadline as for the other stores, which only closes the connection: the remote needs a query
timeout of its own (Oxigraph server 0.5.13's `--timeout-s 3` did not stop a COUNT over a cross
product, measured; it ran on after the client left).

Loading pushes the graph with the SPARQL 1.1 Graph Store Protocol: every named graph is PUT as
N-Triples to `GSP?graph=IRI`, their union is PUT to `GSP?default` (the remote's plain default graph:
a server option such as Oxigraph's `--union-default-graph` would override a query's FROM), and named
graphs the remote holds beyond those are DELETEd, so that the remote's dataset is a copy of the
files. GSP is the sibling `store` of the query endpoint's path unless given (Oxigraph server:
`/query` and `/store`). A blank node shared by two graphs becomes one per graph, as each graph is
sent on its own.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from http.client import HTTPException

import pyoxigraph as ox

from .. import __version__
from ..lexer import IRIREF, LexError, first_keyword, resolve_iri
from ..rdf.formats import N_TRIPLES, RDF_BY_MEDIA_TYPE, SPARQL_JSON
from .base import KIND_OF_FORM, Answer, Query, QueryError, ResultKind, Store, StoreUnavailable, too_large

SCHEME = "sparql+"
# Per wait on the socket. In the server the query's deadline kills the worker before this passes
# (unless --timeout is set higher); for the command line it is the only limit.
TIMEOUT = 300.0
FORM = "application/x-www-form-urlencoded"
_HEADERS = {"User-Agent": f"ozg-kg/{__version__} (serving its graph from this store)"}
# Environment proxies are not used: the store is named exactly, as SERVICE endpoints are.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def remote_url(spec: str) -> str:
    """The http(s) URL of a `sparql+http(s)://...` store; ValueError if it is none."""
    url = spec.removeprefix(SCHEME)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.fragment:
        raise ValueError(
            f"a remote store is sparql+http://HOST[:PORT]/PATH or sparql+https://..., got {spec!r}"
        )
    return url


def _snippet(body: bytes) -> str:
    return " ".join(body[:2000].decode("utf-8", "replace").split())[:300]


def _has_relative_iri(text: str) -> bool:
    """Whether an IRI reference in the text (as the lexer reads IRIs) has no scheme; one inside a
    string or comment counts too, which at worst adds a BASE the remote does not need."""
    for reference in IRIREF.finditer(text):
        try:
            resolve_iri(reference[1], None, reference.start())
        except LexError:
            return True
    return False


class RemoteStore(Store):
    def __init__(self, endpoint: str, gsp: str | None = None):
        self.endpoint = endpoint
        self.gsp = gsp or urllib.parse.urljoin(endpoint, "store")

    def _call(
        self,
        method: str,
        url: str,
        body: bytes,
        content_type: str,
        accept: str = "*/*",
        limit: int | None = None,
    ) -> tuple[str, bytes]:
        """One exchange: the answer's media type and body (at most `limit` + 1 bytes of it)."""
        headers = {**_HEADERS, "Content-Type": content_type, "Accept": accept}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with _OPENER.open(request, timeout=TIMEOUT) as response:
                data = response.read() if limit is None else response.read(limit + 1)
                return response.headers.get_content_type(), data
        except urllib.error.HTTPError as error:
            detail = _snippet(error.read())
            if error.code == 400 and url == self.endpoint:
                raise QueryError(f"the store refused the query as invalid: {detail}") from None
            raise StoreUnavailable(
                f"the store at {url} answered HTTP {error.code} {error.reason}: {detail}"
            ) from None
        except (urllib.error.URLError, OSError, HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise StoreUnavailable(f"the store at {url} cannot be reached ({reason})") from None

    def evaluate(self, query: Query) -> Answer:
        text = query.text
        if query.base_iri and _has_relative_iri(text):
            text = f"BASE <{query.base_iri}>\n{text}"
        form = [("query", text)]
        form += [("default-graph-uri", g) for g in query.default_graphs or ()]
        form += [("named-graph-uri", g) for g in query.named_graphs or ()]
        # A query whose form is not visible before evaluation offers every type asked for: the remote
        # picks the one that fits its form.
        kind = KIND_OF_FORM.get(first_keyword(text) or "")
        wanted = [query.media_types[kind]] if kind else list(dict.fromkeys(query.media_types.values()))
        media_type, body = self._call(
            "POST",
            self.endpoint,
            urllib.parse.urlencode(form).encode(),
            FORM,
            ", ".join(wanted),
            query.max_bytes,
        )
        if media_type not in wanted:
            raise StoreUnavailable(
                f"the store at {self.endpoint} answered {media_type}, not one of {', '.join(wanted)}: "
                "is it a SPARQL endpoint?"
            )
        if query.max_bytes is not None and len(body) > query.max_bytes:
            raise too_large(query.max_bytes)
        if kind is None:
            kind = ResultKind.GRAPH if media_type in RDF_BY_MEDIA_TYPE else ResultKind.BINDINGS
        return Answer(kind, media_type, body)

    def _graph_store(self, method: str, target: str, triples: list[ox.Triple] | None = None) -> None:
        separator = "&" if "?" in self.gsp else "?"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples is not None else b""
        try:
            self._call(method, f"{self.gsp}{separator}{target}", body, N_TRIPLES)
        except StoreUnavailable as error:
            raise StoreUnavailable(f"{error} (the Graph Store Protocol URL is set by --store-gsp)") from None

    def _replace(self, quads: Iterable[ox.Quad]) -> None:
        # A first query tells a store that is down or no SPARQL endpoint before anything is written.
        self.execute("ASK {}", dict.fromkeys(ResultKind, SPARQL_JSON))
        graphs: dict[str, list[ox.Triple]] = defaultdict(list)
        for quad in quads:
            graphs[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
        for stale in set(self.named_graphs()) - set(graphs):
            self._graph_store("DELETE", "graph=" + urllib.parse.quote(stale, safe=""))
        for name, triples in graphs.items():
            self._graph_store("PUT", "graph=" + urllib.parse.quote(name, safe=""), triples)
        self._graph_store("PUT", "default", [t for triples in graphs.values() for t in triples])
