"""What the endpoint refuses: updates and LOAD, SERVICE outside the allowlist, oversized input.

The endpoint is read-only by design: the graph's source of truth is the files in `graph/`.
Oxigraph never dereferences FROM / FROM NAMED (they only pick among stored graphs), but it does
send HTTP requests for SERVICE clauses and has no switch to stop it, so SERVICE is checked here
before a query reaches the engine; `federation` then replaces every allowed SERVICE clause by the
rows it fetched itself, so that the engine never sees one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

READ_ONLY = (
    "read-only: the graph's source of truth is the files in graph/; "
    "SPARQL Update and LOAD are not offered by this endpoint"
)

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


@dataclass(frozen=True)
class Limits:
    """Sizes and times the endpoint accepts; the defaults suit a public endpoint on a small machine."""

    max_query_bytes: int = 100_000
    # A form-encoded body may triple the query's size (percent-encoding) plus the other parameters.
    max_body_bytes: int = 512 * 1024
    max_result_bytes: int = 50 * 1024 * 1024
    timeout: float = 30.0
    # Per SERVICE call: it must end well before the query's deadline, so that a slow remote gets its
    # own clear answer (504) instead of the killed worker's 503.
    service_timeout: float = 10.0
    service_max_rows: int = 10_000
    service_max_bytes: int = 16 * 1024 * 1024


class Refused(Exception):
    """A request the endpoint will not run; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# The prologue (BASE, PREFIX) and comments that may precede a query's first keyword.
_PROLOGUE = re.compile(r"(?:\s+|\#[^\n\r]*|BASE\s*<[^<>\s]*>|PREFIX\s+[^\s:]*:\s*<[^<>\s]*>)*", re.IGNORECASE)
_KEYWORD = re.compile(r"[A-Za-z]+")


def first_keyword(text: str) -> str | None:
    """The query form or update operation the text starts with (upper case), past its prologue."""
    match = _KEYWORD.match(text, len(prologue(text)))
    return match[0].upper() if match else None


def prologue(text: str) -> str:
    """The query's leading BASE and PREFIX declarations (with comments), as written."""
    return text[: _PROLOGUE.match(text).end()]


def refuse_updates(text: str) -> None:
    """Refuse a request whose text is an update (LOAD, INSERT, CLEAR ...) sent as a query."""
    if first_keyword(text) in UPDATE_KEYWORDS:
        raise Refused(403, READ_ONLY)


# The pre-check lexes the text as SPARQL does, as far as SERVICE is concerned: IRIs, strings and
# comments are skipped whole (the IRI <.../id/service/x> names no clause), and SERVICE must be a token
# of its own (ozg:ServicePortal, ozgid:service/x and ?service are not). Any backslash (a codepoint
# escape such as \u0053ERVICE, an escaped quote in a string or a local name) would make this lexing
# unsure, so it sends the query to the full check. A miss here would let Oxigraph call the endpoint
# itself, so every doubt counts as a mention.
_LEXEMES = re.compile(
    "|".join(
        (
            r'<[^<>"{}|^`\\\x00-\x20]*>',  # an IRI
            r"'''(?:[^']|'(?!''))*'''",  # strings, long and short
            r'"""(?:[^"]|"(?!""))*"""',
            r"'[^'\n\r]*'",
            r'"[^"\n\r]*"',
            r"#[^\n\r]*",  # a comment
            r"(?P<service>(?<![\w:?$])service(?![\w:]))",
        )
    ),
    re.IGNORECASE,
)


def mentions_service(text: str) -> bool:
    """A cheap, conservative pre-check: False only if the query certainly has no SERVICE clause."""
    if "\\" in text:
        return True
    return any(lexeme["service"] for lexeme in _LEXEMES.finditer(text))


def service_endpoints(text: str, base_iri: str | None) -> Iterator[str | None]:
    """Every SERVICE endpoint the query names, resolved as the engine resolves it; None for a variable.

    Uses rdflib's parser only to read the query (never its evaluator). Its grammar recurses once per
    triple pattern, so callers raise the recursion limit (the executor's workers do).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    try:
        tree = parseQuery(text)
        prologue = translatePrologue(tree[0], base_iri)
        body = traverse(tree[1], visitPost=functools.partial(translatePName, prologue=prologue))
    except ParseException as error:
        raise Refused(
            400,
            f"SPARQL syntax error at {error.lineno}:{error.col} (seen while checking SERVICE): {error.msg}",
        ) from None
    except RecursionError:
        raise Refused(400, "the query is nested too deeply to be checked for SERVICE clauses") from None
    except Exception as error:  # rdflib raises plain Exceptions for unknown prefixes and the like
        raise Refused(400, f"the query could not be checked for SERVICE clauses: {error}") from None

    def walk(node: object) -> Iterator[str | None]:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                yield str(term) if isinstance(term, URIRef) else None
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, Iterable) and not isinstance(node, str | bytes):
            for value in node:
                yield from walk(value)

    yield from walk(body)


def check_endpoint(endpoint: str | None, allowlist: frozenset[str]) -> str:
    """The endpoint if it is on the allowlist; else the refusal (a variable endpoint is None)."""
    if endpoint is None:
        raise Refused(403, "SERVICE with a variable endpoint is not allowed on this endpoint")
    if endpoint not in allowlist:
        allowed = ", ".join(sorted(allowlist)) if allowlist else "none"
        raise Refused(
            403, f"SERVICE <{endpoint}> is not allowed: federated queries may only go to: {allowed}"
        )
    return endpoint


def check_services(text: str, allowlist: frozenset[str], base_iri: str | None) -> list[str]:
    """Refuse SERVICE to any endpoint not on the allowlist; the endpoints, one per SERVICE clause."""
    if not mentions_service(text):
        return []
    return [check_endpoint(endpoint, allowlist) for endpoint in service_endpoints(text, base_iri)]
