"""The cheap checks in front of the engine (no server needed): query form, SERVICE pre-check."""

from __future__ import annotations

import sys

import pytest

from ozgkg.safety import Refused, check_services, first_keyword, mentions_service


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("ASK {}", "ASK"),
        (
            "PREFIX ozg: <https://w3id.org/ozgkg/def#>\n# SELECT in a comment\nconstruct {} where {}",
            "CONSTRUCT",
        ),
        ("BASE <http://x/> PREFIX : <http://x#> DESCRIBE <a>", "DESCRIBE"),
        ("  load <file:///etc/passwd>", "LOAD"),
        ("\\u0041SK {}", None),
    ],
)
def test_first_keyword(text: str, keyword: str | None) -> None:
    assert first_keyword(text) == keyword


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://a/> {} }",
        "select * { service silent <http://a/> {} }",
        "SELECT*{?s ?p ?o.SERVICE<http://a/>{}}",
        "SELECT * { {}SERVICE ?x {} }",
        "SELECT * { SERV\\u0049CE <http://a/> {} }",
        "SELECT * { \\U00000053ERVICE <http://a/> {} }",
        'SELECT * { ?s ?p "a # b" SERVICE <http://a/> {} }',  # no comment inside a string
        "SELECT * { <http://x/#> ?p ?o SERVICE <http://a/> {} }",  # nor inside an IRI
        "SELECT * { ?s ?p 'it''s' . SERVICE <http://a/> {} }",
        "SELECT * { ?s ?p ?o FILTER(?o<?x)SERVICE<http://a/>{} }",  # a less-than is no IRI
        'SELECT * { ?s ?p "say \\"SERVICE\\"" }',  # a backslash: unsure, so checked in full
    ],
)
def test_every_possible_service_keyword_is_checked(text: str) -> None:
    assert mentions_service(text)


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX ozg: <https://w3id.org/ozgkg/def#> SELECT * { ?s a ozg:ServicePortal }",
        "PREFIX ozgid: <https://w3id.org/ozgkg/id/> SELECT * { ozgid:service ?p ?o }",
        "SELECT ?service WHERE { ?service ?p $service }",
        "SELECT * { ?s ?p ?o } # no services here? none: ozg:OZGService",
        "SELECT * { <https://w3id.org/ozgkg/id/service/x> ?p ?o }",
        'SELECT * { ?s ?p "SERVICE" }',
        'SELECT * { ?s ?p """a SERVICE\nb""" } # SERVICE <http://a/> {}',
    ],
)
def test_names_containing_service_skip_the_parser(text: str) -> None:
    assert not mentions_service(text)


def test_many_triple_patterns_can_be_checked() -> None:
    # rdflib's grammar recurses per triple pattern; the workers raise the limit the same way.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    try:
        patterns = " ".join(f"?s <http://x/p{i}> ?o{i} ." for i in range(2000))
        check_services(
            f"SELECT * WHERE {{ {patterns} SERVICE <http://ok/> {{}} }}", frozenset({"http://ok/"}), None
        )
        with pytest.raises(Refused, match="not allowed"):
            check_services(f"SELECT * WHERE {{ {patterns} SERVICE <http://no/> {{}} }}", frozenset(), None)
    finally:
        sys.setrecursionlimit(limit)
