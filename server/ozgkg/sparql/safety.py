"""What the endpoint refuses: updates and LOAD, SERVICE outside the allowlist, oversized input.

The endpoint is read-only by design: the graph's source of truth is the files in `graph/`.
Oxigraph never dereferences FROM / FROM NAMED (they only pick among stored graphs), but it does
send HTTP requests for SERVICE clauses and has no switch to stop it, so SERVICE is checked here
before a query reaches the engine; `federation` then replaces every allowed SERVICE clause by the
rows it fetched itself, so that the engine never sees one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ozgkg.rdf.lexer import (
    LexError,
    ServiceClause,
    decode_escapes,
    first_keyword,
    nesting_depth,
    operator_count,
    service_clauses,
)

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
    # Oxigraph's parser recurses once per level and overflows its stack some thousand levels down.
    max_nesting: int = 200
    # Long chains (UNION, triple patterns, paths, && ...) overflow it too: see `lexer.operator_count`.
    max_operators: int = 1000
    # A form-encoded body may triple the query's size (percent-encoding) plus the other parameters.
    max_body_bytes: int = 512 * 1024
    max_result_bytes: int = 50 * 1024 * 1024
    timeout: float = 30.0
    # How long a query waits for a free worker before its 503 (with Retry-After): a client learns at
    # once that the endpoint is busy instead of after the whole deadline.
    queue_seconds: float = 2.0
    # A query that ran into the server's deadline is refused at once for this long: the same runaway
    # sent again (a retry, a reloaded page) would only take a worker from everyone else. 0: off.
    runaway_seconds: float = 60.0
    # Per SERVICE call: it must end well before the query's deadline, so that a slow remote gets its
    # own clear answer (504) instead of the killed worker's 503.
    service_timeout: float = 10.0
    service_max_rows: int = 10_000
    service_max_bytes: int = 16 * 1024 * 1024


class Refused(Exception):
    """A request the endpoint will not run; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after  # seconds, for a 503 (default 1)


def refuse_updates(text: str) -> None:
    """Refuse a request whose text is an update (LOAD, INSERT, CLEAR ...) sent as a query."""
    if first_keyword(text) in UPDATE_KEYWORDS:
        raise Refused(403, READ_ONLY)


def _clauses(text: str, base_iri: str | None) -> list[ServiceClause]:
    try:
        return service_clauses(text, base_iri)
    except LexError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        raise Refused(
            400, f"the query's SERVICE clauses cannot be read at {line}:{column}: {error}"
        ) from None


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


def mentions_service(text: str) -> bool:
    """True if the engine may read a SERVICE clause in the text (or the text cannot be read)."""
    try:
        return bool(service_clauses(text)) or ("\\" in text and bool(service_clauses(decode_escapes(text))))
    except LexError:
        return True


def check_services(text: str, allowlist: frozenset[str], base_iri: str | None) -> list[ServiceClause]:
    """Refuse a query that may call an endpoint off the allowlist; its SERVICE clauses otherwise.

    Each reading the engine may make of a clause must name an allowed endpoint. A `\\u` escape is
    read both ways, as the text stands (Oxigraph decodes escapes only inside IRIs and strings) and
    decoded (as SPARQL §19.2 has it): a clause that only one of them sees is refused.
    """
    clauses = _clauses(text, base_iri)
    seen = [clauses]
    if "\\" in text:
        seen.append(_clauses(decode_escapes(text), base_iri))
    for reading in seen:
        for clause in reading:
            check_endpoint(clause.endpoint, allowlist)
    if len(seen) > 1 and len(seen[1]) != len(clauses):
        raise Refused(400, "write the keyword SERVICE without \\u escapes")
    return clauses


def check_nesting(text: str, limit: int) -> None:
    """Refuse a query nested deeper than the engine's parser can take (it recurses per level)."""
    if nesting_depth(text) > limit:
        raise Refused(
            400, f"the query is nested more than {limit} levels deep (braces, parentheses, brackets)"
        )


def check_operators(text: str, limit: int) -> None:
    """Refuse a query whose chains of operators the engine's parser cannot take (a tree per chain)."""
    count = operator_count(text)
    if count > limit:
        raise Refused(
            400,
            f"the query has {count} operators and pattern joins (UNION, OPTIONAL, MINUS, FILTER, '.', ';', "
            f"path and expression operators); this endpoint accepts at most {limit}",
        )


def check_shape(text: str, limits: Limits) -> None:
    """Refuse, before the engine sees it, a query whose shape would overflow the engine's parser."""
    check_nesting(text, limits.max_nesting)
    check_operators(text, limits.max_operators)
