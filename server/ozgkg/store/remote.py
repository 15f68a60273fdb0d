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

Virtuoso (told by its `Server` header, asked once per process) differs, measured with Debian's 7.2:
its Graph Store Protocol is `/sparql-graph-crud` beside `/sparql` and refuses `?default`, so the union
is PUT to a graph of its own (`VIRTUOSO_UNION`); a query without FROM sees every graph it holds (a bag:
a triple in two graphs counts twice) including Virtuoso's own (its RDF views' schema, LDP, its service
description), which are never deleted. So a query that names no dataset (no FROM, no protocol dataset)
gets Virtuoso's pragmas: the union graph as its default graph, the served graphs as its named graphs
(as protocol parameters each would come back as a header: more than Python's HTTP client reads).
Virtuoso writes no TriG or N-Quads: its N-Triples (valid as both, the graph unnamed) stand in.
"""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ozgkg import __version__, http_client
from ozgkg.rdf.formats import N_TRIPLES, RDF_BY_MEDIA_TYPE, RESULTS_BY_MEDIA_TYPE, SPARQL_JSON
from ozgkg.rdf.lexer import IRIREF, LexError, first_keyword, resolve_iri, syntax_spans

from .base import KIND_OF_FORM, Answer, Query, QueryError, ResultKind, Store, StoreUnavailable, too_large

SCHEME = "sparql+"
# Per wait on the socket. In the server the query's deadline kills the worker before this passes
# (unless --timeout is set higher); for the command line it is the only limit.
TIMEOUT = 300.0
FORM = "application/x-www-form-urlencoded"
_HEADERS = {"User-Agent": f"ozg-kg/{__version__} (serving its graph from this store)"}
# Virtuoso's own graphs: the schema of its RDF views, its LDP vocabulary, and its service description
# (at its URIQA DefaultHost; `localuriqaserver` when none is set). Found on a fresh Debian install.
VIRTUOSO_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
# Where the union default graph is kept on Virtuoso, whose Graph Store Protocol has no default graph.
VIRTUOSO_UNION = "urn:ozgkg:union-default-graph"


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


_VIRTUOSO_UNION = "DEFINE input:default-graph-uri <{graph}>\n"
_VIRTUOSO_NAMED = "DEFINE input:named-graph-uri <{graph}>\n"
_FROM = re.compile(r"(?<![A-Za-z0-9_])from(?![A-Za-z0-9_])", re.IGNORECASE)


def _names_dataset(text: str) -> bool:
    """Whether the query has a FROM or FROM NAMED clause (a keyword, not a word in a string or IRI)."""
    return any(
        text[match.end() : match.end() + 1] != ":"  # `from:` is a prefix, its span ends before the colon
        for start, end in syntax_spans(text)
        for match in _FROM.finditer(text, start, end)
    )


def _virtuoso_boolean(body: bytes, media_type: str) -> bytes:
    """Virtuoso 7.2 answers ASK with one row binding `__ASK_RETVAL` to 1 or 0, in every format: the
    boolean result it stands for, written in `media_type` (measured with Debian's 7.2.5)."""
    try:
        rows = json.loads(body)["results"]["bindings"]
        value = bool(rows) and str(rows[0]["__ASK_RETVAL"]["value"]) not in {"0", "false"}
    except (ValueError, KeyError, IndexError, TypeError):
        if b'"boolean"' not in body:
            raise StoreUnavailable(
                f"the store's answer to an ASK query is no boolean: {_snippet(body)}"
            ) from None
        value = json.loads(body)["boolean"]
    result = ox.parse_query_results(json.dumps({"head": {}, "boolean": value}), ox.QueryResultsFormat.JSON)
    output = io.BytesIO()
    result.serialize(output, RESULTS_BY_MEDIA_TYPE[media_type].oxigraph)
    return output.getvalue()


class RemoteStore(Store):
    def __init__(self, endpoint: str, gsp: str | None = None):
        self.endpoint = endpoint
        self._gsp = gsp
        self._virtuoso: bool | None = None  # asked on first use
        self._server = ""  # the `Server` header of the last answer
        self._graphs: list[str] | None = None  # Virtuoso: the served graphs, asked on first use

    @property
    def virtuoso(self) -> bool:
        """Whether the remote is Virtuoso (its `Server` header), asked once by a first `ASK {}`,
        which also tells a store that is down or no SPARQL endpoint."""
        if self._virtuoso is None:
            self._virtuoso = False  # the probe itself goes out without Virtuoso's pragmas
            try:
                self.execute("ASK {}", dict.fromkeys(ResultKind, SPARQL_JSON))
            except BaseException:
                self._virtuoso = None  # asked again next time
                raise
            self._virtuoso = self._server.startswith("Virtuoso/")
        return self._virtuoso

    @property
    def gsp(self) -> str:
        if self._gsp:
            return self._gsp
        return urllib.parse.urljoin(self.endpoint, "sparql-graph-crud" if self.virtuoso else "store")

    def _system_graphs(self) -> tuple[str, ...]:
        """The remote's own graphs, never part of the served dataset, never deleted."""
        if not self.virtuoso:
            return ()
        parts = urllib.parse.urlsplit(self.endpoint)
        return (*VIRTUOSO_GRAPHS, f"{parts.scheme}://{parts.netloc}/sparql", VIRTUOSO_UNION)

    def _held_graphs(self) -> list[str]:
        """Every graph the remote holds. Grouped, not DISTINCT: Virtuoso took 18 s for
        `SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }` on the shipped graph, 0.01 s for this."""
        return [
            row["g"]
            for row in self.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        ]

    def _served_graphs(self) -> list[str]:
        """Virtuoso: the graphs it holds but its own and the union, asked once (they do not change
        while served).

        Virtuoso's `DEFINE input:default-graph-exclude` and `input:named-graph-exclude` would leave
        its graphs out more cheaply, but either makes `GRAPH <iri> {...}` match nothing (7.2, measured).
        Empty while the question itself goes out, to the whole store."""
        if self._graphs is None:
            self._graphs = []
            try:
                graphs = self._held_graphs()
            except BaseException:
                self._graphs = None
                raise
            self._graphs = sorted(set(graphs) - set(self._system_graphs()))
        return self._graphs

    def _call(
        self,
        method: str,
        url: str,
        body: bytes,
        content_type: str,
        accept: str = "*/*",
        limit: int | None = None,
    ) -> tuple[str, bytes]:
        """One exchange: the answer's media type and body (TooLarge past `limit` bytes)."""
        headers = {**_HEADERS, "Content-Type": content_type, "Accept": accept}
        try:
            reply = http_client.exchange(method, url, body, headers, wait=TIMEOUT, max_bytes=limit)
        except TimeoutError:
            raise StoreUnavailable(f"the store at {url} sent nothing for {TIMEOUT:g} s") from None
        except OSError as error:
            raise StoreUnavailable(f"the store at {url} cannot be reached ({error})") from None
        self._server = reply.header("Server")
        if reply.status >= 300:
            detail = _snippet(reply.body)
            if reply.status == 400 and url == self.endpoint:
                raise QueryError(f"the store refused the query as invalid: {detail}")
            status = f"{reply.status} {reply.reason}"
            raise StoreUnavailable(f"the store at {url} answered HTTP {status}: {detail}")
        return reply.media_type, reply.body

    def evaluate(self, query: Query) -> Answer:
        text = query.text
        if query.base_iri and _has_relative_iri(text):
            text = f"BASE <{query.base_iri}>\n{text}"
        # A query whose form is not visible before evaluation offers every type asked for: the remote
        # picks the one that fits its form.
        kind = KIND_OF_FORM.get(first_keyword(text) or "")
        wanted = [query.media_types[kind]] if kind else list(dict.fromkeys(query.media_types.values()))
        asked = wanted
        if self.virtuoso:  # Virtuoso's pragmas go before the prologue
            if query.default_graphs is None and query.named_graphs is None and not _names_dataset(text):
                # The dataset of a query that names none (see the module's note).
                # Only the union without named graphs would make Virtuoso's `GRAPH ?g` spin (measured).
                served = self._served_graphs()
                if served:
                    named = "".join(_VIRTUOSO_NAMED.format(graph=g) for g in served)
                    text = _VIRTUOSO_UNION.format(graph=VIRTUOSO_UNION) + named + text
            if kind is ResultKind.GRAPH and RDF_BY_MEDIA_TYPE[wanted[0]].quads:
                # Virtuoso writes no TriG or N-Quads; its N-Triples are both, the graph unnamed.
                asked = [N_TRIPLES]
            elif kind is ResultKind.BOOLEAN:
                asked = [SPARQL_JSON]  # its ASK answer is a row to be rewritten (`_virtuoso_boolean`)
        form = [("query", text)]
        form += [("default-graph-uri", g) for g in query.default_graphs or ()]
        form += [("named-graph-uri", g) for g in query.named_graphs or ()]
        try:
            media_type, body = self._call(
                "POST",
                self.endpoint,
                urllib.parse.urlencode(form).encode(),
                FORM,
                ", ".join(asked),
                query.max_bytes,
            )
        except http_client.TooLarge:
            raise too_large(query.max_bytes) from None
        if media_type not in asked:
            raise StoreUnavailable(
                f"the store at {self.endpoint} answered {media_type}, not one of {', '.join(asked)}: "
                "is it a SPARQL endpoint?"
            )
        if asked is not wanted and kind is ResultKind.BOOLEAN:
            media_type, body = wanted[0], _virtuoso_boolean(body, wanted[0])
        elif asked is not wanted:
            media_type = wanted[0]
        if query.max_bytes is not None and len(body) > query.max_bytes:
            raise too_large(query.max_bytes)
        if kind is None:
            kind = ResultKind.GRAPH if media_type in RDF_BY_MEDIA_TYPE else ResultKind.BINDINGS
        return Answer(kind, media_type, body)

    def _graph_store(self, method: str, target: str, triples: list[ox.Triple] | None = None) -> None:
        separator = "&" if "?" in self.gsp else "?"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples is not None else b""
        try:
            # Virtuoso reads a body without a charset as Latin-1 (umlauts measured mangled).
            content_type = f"{N_TRIPLES}; charset=utf-8" if self.virtuoso else N_TRIPLES
            self._call(method, f"{self.gsp}{separator}{target}", body, content_type)
        except StoreUnavailable as error:
            raise StoreUnavailable(f"{error} (the Graph Store Protocol URL is set by --store-gsp)") from None

    def _replace(self, quads: Iterable[ox.Quad]) -> None:
        # A first query tells a store that is down or no SPARQL endpoint before anything is written.
        self._virtuoso = None
        virtuoso = self.virtuoso
        self._graphs = []  # every graph it holds is listed below, the served ones asked again after
        graphs: dict[str, list[ox.Triple]] = defaultdict(list)
        for quad in quads:
            graphs[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
        for stale in set(self._held_graphs()) - set(graphs) - set(self._system_graphs()):
            self._graph_store("DELETE", "graph=" + urllib.parse.quote(stale, safe=""))
        for name, triples in graphs.items():
            self._graph_store("PUT", "graph=" + urllib.parse.quote(name, safe=""), triples)
        union = "graph=" + urllib.parse.quote(VIRTUOSO_UNION, safe="") if virtuoso else "default"
        self._graph_store("PUT", union, [t for triples in graphs.values() for t in triples])
        self._graphs = None
