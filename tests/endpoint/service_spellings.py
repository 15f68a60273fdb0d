"""Ways to write a SERVICE clause that the SPARQL grammar, or Oxigraph's scannerless parser, accept:
the keyword in any case, glued to what stands before it (a number, a boolean, a string, an IRI, a
bracket), SILENT glued or behind a comment, the endpoint as an IRI, a prefixed name, a relative IRI
or with a `\\u` escape, and the clause inside every kind of group. Each names `url` as its endpoint,
directly or through the prologue. The fuzz tests check that none reaches a host off the allowlist."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

KEYWORDS = ("SERVICE", "service", "SeRvIcE")
# What may stand right before the keyword, as the object of `?s ?p` (or after a triple pattern).
BEFORE = ("", " ", "1", "true", "'a'", '"a"@en ', "<http://a>", "1.0", "1e1", "()", "[]", "'a'^^<http://t>")
AFTER_PATTERN = (".", ";", "\n#c\n")
SILENT = ("", " SILENT ", "silent", "#c\nSILENT\n", "SILENT")
GAPS = (" ", "", "\t#c\n")
WRAPPERS = (
    "OPTIONAL {{ {} }}",
    "FILTER EXISTS {{ {} }}",
    "FILTER(NOT EXISTS {{ {} }})",
    "MINUS {{ {} }}",
    "{{ SELECT * {{ {} }} }}",
    "{{}} UNION {{ {} }}",
    "GRAPH ?g {{ {} }}",
    "BIND(1 AS ?one) {}",
)


def endpoints(url: str) -> tuple[str, ...]:
    host, _, last = url.rpartition("/")
    escaped = f"{host}/" + "".join(f"\\u{ord(c):04X}" for c in last)
    return (f"<{url}>", ":x", "p:x", f"<{last}>", f"<{escaped}>", "silent:x")


def prologue(url: str) -> str:
    host, _, last = url.rpartition("/")
    return f"BASE <{host}/> PREFIX : <{url}> PREFIX p: <{host}/> PREFIX silent: <{host}/>\n"


def spellings(url: str) -> Iterator[str]:
    """Every combination: 4,061 queries, each with one SERVICE clause calling `url`.

    The endpoints `:x`, `p:x` and `silent:x` resolve to `url` + "x"-like IRIs on the same host, which
    is all the tests need: any connection to the host is a failure."""
    head = prologue(url)
    combinations = itertools.product(KEYWORDS, BEFORE + AFTER_PATTERN, SILENT, endpoints(url), GAPS)
    for keyword, before, silent, endpoint, gap in combinations:
        clause = f"{keyword}{silent}{gap}{endpoint}{gap}{{ ?x ?y ?z }}"
        if before in AFTER_PATTERN:
            body = f"?s ?p ?o{before}{clause}"
        else:
            body = f"?s ?p {before}{clause}" if before.strip() else f"{before}{clause}"
        yield f"{head}SELECT * WHERE {{ {body} }}"
    for wrapper in WRAPPERS:
        yield f"{head}SELECT * WHERE {{ ?s ?p ?o " + wrapper.format(f"SERVICE <{url}> {{ ?x ?y ?z }}") + " }"
    yield f"{head}ASK {{ SERVICE <{url}> {{ }} }}"
    yield f"{head}CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    yield f"{head}DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


# Texts that hold the word service without a SERVICE clause: the check lets them through.
NO_CLAUSE = (
    "PREFIX ozg: <https://w3id.org/ozgkg/def#> SELECT * { ?s a ozg:ServicePortal }",
    "PREFIX ozgid: <https://w3id.org/ozgkg/id/> SELECT * { ozgid:service ?p ?o }",
    "PREFIX ozg: <https://w3id.org/ozgkg/def#> SELECT * { ?s ozg:service\\.x ?o }",
    "SELECT ?service WHERE { ?service ?p $service }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://a/> { } in a comment",
    "SELECT * { <https://w3id.org/ozgkg/id/service/x> ?p ?o }",
    'SELECT * { ?s ?p "SERVICE <http://a/> { }" }',
    'SELECT * { ?s ?p "say \\"SERVICE <http://a/> {}\\"" }',
    "SELECT * { ?s ?p '''a SERVICE\n<http://a/> {}''' }",
    "SELECT * { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Online-Services')) }",
    "SELECT * { _:service ?p ?o }",
    # The project's own prefix for OZG services: a prefixed name, no clause (no pattern follows).
    "PREFIX : <http://a/> PREFIX service: <https://w3id.org/ozgkg/id/service/> SELECT * { service:x ?p ?o }",
    "PREFIX service: <https://w3id.org/ozgkg/id/service/> SELECT * { ?s ?p service:x . service:y ?p ?o }",
)
