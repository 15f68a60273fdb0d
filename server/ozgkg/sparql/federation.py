"""SERVICE, evaluated by the endpoint itself: each allowed SERVICE clause is fetched by our own HTTP
client (`ozgkg.http_client`) and replaced by the rows it returned, before the query reaches Oxigraph.

Why not let Oxigraph call the remote endpoint? pyoxigraph 0.5's `Store.query` takes custom functions
but no service handler (the Rust crate's `ServiceHandler` is not exposed to Python), and its own
client has no per-call timeout, no cap on the rows it reads and no say over redirects. Fetching here
gives all of these. The rewrite keeps the meaning: SPARQL 1.1 Federated Query evaluates a SERVICE
pattern on its own, without the bindings around it, so the remote's solutions written as
`{ VALUES (...) { ... } }` in the clause's place join with the rest of the query exactly as the
SERVICE would. The rewritten query still runs as one string on Oxigraph's engine (never through
rdflib's evaluator, see `executor`); rdflib's parser only reads the clauses' endpoints.

A query whose remote part would be large should say so inside the SERVICE (an aggregate, a LIMIT,
a VALUES block): the pattern is sent as written and answers over the row cap are an error, not cut.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import uuid

from ozgkg import __version__, http_client
from ozgkg.namespaces import BASE
from ozgkg.rdf import terms
from ozgkg.rdf.formats import SPARQL_JSON
from ozgkg.rdf.iris import is_iri
from ozgkg.rdf.lexer import LexError, group_end, read_prologue
from ozgkg.sparql.safety import Limits, Refused, check_endpoint, check_services, mentions_service

USER_AGENT = f"ozg-kg/{__version__} (SPARQL endpoint evaluating a SERVICE clause)"
RESULTS_JSON = SPARQL_JSON
_HEADERS = {
    "Accept": RESULTS_JSON,
    "Content-Type": "application/x-www-form-urlencoded",
    "User-Agent": USER_AGENT,
}
_JSON_TYPES = frozenset({RESULTS_JSON, "application/json"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 3
# Blank nodes cannot be written in VALUES; a remote one becomes a skolem IRI (RDF 1.1 Concepts §3.5),
# the same within one answer and fresh for every call, as a blank node's scope is one result set.
GENID = BASE + ".well-known/genid/"

_VARNAME = re.compile(r"\w+")


class RemoteFailed(Refused):
    """A SERVICE call that failed: 502 (the remote failed or broke a limit) or 504 (no answer in time)."""

    def __init__(self, endpoint: str, reason: str, status: int = 502):
        super().__init__(status, f"SERVICE <{endpoint}> failed: {reason}")


def endpoint_url(url: str) -> str:
    """An allowlist entry as given, if it is an http(s) URL the client can call; else ValueError."""
    parts = urllib.parse.urlsplit(url)
    if not (parts.scheme in _DEFAULT_PORTS and parts.hostname and is_iri(url)) or parts.fragment:
        raise ValueError(f"a SERVICE endpoint must be an http(s) URL without fragment, got {url!r}")
    return url


def resolve(text: str, allowlist: frozenset[str], limits: Limits, base_iri: str | None) -> str:
    """The query with every SERVICE clause replaced by its endpoint's rows; SERVICE to an endpoint
    off the allowlist is refused first, before any request. The result holds no SERVICE clause."""
    clauses = check_services(text, allowlist, base_iri)
    if not clauses:
        return text
    declarations = text[: read_prologue(text).end]
    base = f"BASE <{base_iri}>\n" if base_iri else ""
    parts: list[str] = []
    done = 0
    for clause in clauses:
        if clause.start < done:
            raise Refused(400, "SERVICE inside SERVICE is not supported: send the inner one yourself")
        try:
            end = group_end(text, clause.body)
        except LexError as error:
            raise Refused(400, str(error)) from None
        endpoint = check_endpoint(clause.endpoint, allowlist)
        # One row over the cap tells that the cap was passed, without the remote sending all rows.
        remote = (
            f"{base}{declarations}SELECT * WHERE {text[clause.body : end]}\n"
            f"LIMIT {limits.service_max_rows + 1}"
        )
        try:
            rows = inline_rows(endpoint, fetch(endpoint, remote, limits), limits.service_max_rows)
        except RemoteFailed:
            if not clause.silent:
                raise
            rows = "{}"  # SILENT: a failed SERVICE is one solution without bindings (Federated Query)
        parts += [text[done : clause.start], rows]
        done = end
    parts.append(text[done:])
    resolved = "".join(parts)
    if mentions_service(resolved):  # fail closed: the engine must never see a SERVICE clause
        raise Refused(400, "the query's SERVICE clauses could not all be replaced; simplify their layout")
    return resolved


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(scheme)


def fetch(endpoint: str, query: str, limits: Limits) -> bytes:
    """The remote's SPARQL JSON answer to `query`: one deadline for the whole call, redirects followed
    only within the endpoint's origin (scheme, host and port)."""
    deadline = time.monotonic() + limits.service_timeout
    # A form POST carries queries of any length; the protocol's query operation is safe, so a
    # redirect may repeat it.
    form = urllib.parse.urlencode({"query": query}).encode("utf-8")
    url = endpoint
    try:
        for _ in range(_MAX_REDIRECTS + 1):
            reply = http_client.exchange(
                "POST",
                url,
                form,
                _HEADERS,
                wait=limits.service_timeout,
                deadline=deadline,
                max_bytes=limits.service_max_bytes,
            )
            if reply.status not in _REDIRECTS:
                return _results(reply, endpoint)
            location = reply.header("Location")
            target = urllib.parse.urljoin(url, location)
            if not location or _origin(target) != _origin(endpoint):
                raise RemoteFailed(
                    endpoint,
                    f"it redirects to <{target}>; only redirects on the same host and port are followed",
                )
            url = target
    except TimeoutError:
        raise RemoteFailed(endpoint, f"no answer within {limits.service_timeout:g} s", status=504) from None
    except http_client.TooLarge as error:
        raise RemoteFailed(endpoint, f"its answer is larger than the limit of {error.limit} bytes") from None
    except OSError as error:
        raise RemoteFailed(endpoint, f"it cannot be reached ({error})") from None
    raise RemoteFailed(endpoint, f"more than {_MAX_REDIRECTS} redirects")


def _results(reply: http_client.Reply, endpoint: str) -> bytes:
    """The body of a final answer, if it is SPARQL JSON results with status 200."""
    if reply.status != 200:
        snippet = " ".join(reply.body[:300].decode("utf-8", "replace").split())[:200]
        raise RemoteFailed(endpoint, f"it answered HTTP {reply.status} {reply.reason}: {snippet}")
    if reply.media_type not in _JSON_TYPES:
        raise RemoteFailed(
            endpoint, f"it answered with {reply.media_type or 'no Content-Type'}, not {RESULTS_JSON}"
        )
    return reply.body


class _BadTerm(ValueError):
    pass


def _iri(value: str) -> str:
    try:
        return terms.iri(value)
    except ValueError:
        raise _BadTerm(f"the IRI {value!r}, which cannot be written in SPARQL") from None


def _term(cell: object, skolem: dict[str, str]) -> str:
    """One cell of the remote's JSON results as a SPARQL term, written by `rdf.terms`."""
    if not isinstance(cell, dict) or not isinstance(cell.get("value"), str):
        raise _BadTerm(f"the value {cell!r}, which is not an RDF term")
    kind, value = cell.get("type"), cell["value"]
    if kind == "uri":
        return _iri(value)
    if kind == "bnode":
        return _iri(skolem.setdefault(value, GENID + uuid.uuid4().hex))
    if kind in {"literal", "typed-literal"}:  # typed-literal: the draft's name, still sent by Virtuoso
        language, datatype = cell.get("xml:lang"), cell.get("datatype")
        if language:
            try:
                return terms.literal(value, language=language)
            except (TypeError, ValueError):
                raise _BadTerm(f"the language tag {language!r}") from None
        if datatype is None:
            return terms.string(value)
        if not isinstance(datatype, str):
            raise _BadTerm(f"the datatype {datatype!r}")
        return terms.literal(value, datatype=_iri(datatype)[1:-1])
    raise _BadTerm(f"a term of type {kind!r}, which cannot be joined here")


def inline_rows(endpoint: str, answer: bytes, max_rows: int) -> str:
    """The SPARQL JSON results as a group pattern `{ VALUES (?a ?b) { (...) ... } }`."""
    try:
        results = json.loads(answer)
        variables, bindings = results["head"]["vars"], results["results"]["bindings"]
        if not isinstance(variables, list) or not isinstance(bindings, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: nested too deep for json
        raise RemoteFailed(endpoint, "its answer is not SPARQL 1.1 JSON results") from None
    if len(bindings) > max_rows:
        raise RemoteFailed(
            endpoint,
            f"it returned more than {max_rows} rows, the limit per SERVICE call; "
            "narrow the pattern or put a LIMIT inside the SERVICE",
        )
    for name in variables:
        if not isinstance(name, str) or not _VARNAME.fullmatch(name):
            raise RemoteFailed(
                endpoint, f"its answer names the variable {name!r}, which SPARQL does not allow"
            )
    skolem: dict[str, str] = {}
    rows = []
    try:
        for row in bindings:
            if not isinstance(row, dict):
                raise _BadTerm(f"the row {row!r}, which is not a JSON object")
            rows.append(
                "(" + " ".join(_term(row[v], skolem) if v in row else "UNDEF" for v in variables) + ")"
            )
    except _BadTerm as error:
        raise RemoteFailed(endpoint, f"its answer holds {error}") from None
    except RecursionError:  # a term nested too deep to be even shown
        raise RemoteFailed(endpoint, "its answer holds a term nested too deep to read") from None
    header = " ".join(f"?{v}" for v in variables)
    return "{ VALUES (" + header + ") {\n" + "\n".join(rows) + "\n} }"
