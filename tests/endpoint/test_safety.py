"""The checks in front of the engine (no server needed): query form, SERVICE, nesting."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from endpoint import service_spellings
from endpoint.conftest import Listener
from ozgkg.rdf.lexer import operator_count
from ozgkg.sparql.safety import Limits, Refused, check_services, check_shape, first_keyword, mentions_service


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
    ],
)
def test_every_possible_service_keyword_is_checked(text: str) -> None:
    assert mentions_service(text)


@pytest.mark.parametrize("text", service_spellings.NO_CLAUSE)
def test_names_containing_service_are_no_clause(text: str) -> None:
    assert not mentions_service(text)


def test_many_triple_patterns_can_be_checked() -> None:
    patterns = " ".join(f"?s <http://x/p{i}> ?o{i} ." for i in range(2000))
    check_services(
        f"SELECT * WHERE {{ {patterns} SERVICE <http://ok/> {{}} }}", frozenset({"http://ok/"}), None
    )
    with pytest.raises(Refused, match="not allowed"):
        check_services(f"SELECT * WHERE {{ {patterns} SERVICE <http://no/> {{}} }}", frozenset(), None)


def _loopback_engine() -> tuple[Listener, ox.Store]:
    """A listener and an Oxigraph store holding one triple per object that the spellings put before
    the keyword, so that a pattern in front of SERVICE matches and the engine goes on to call it."""
    store = ox.Store()
    subject, predicate = ox.NamedNode("http://a"), ox.NamedNode("http://x/p")
    for text in ("1", "true", "'a'", '"a"@en', "<http://a>", "1.0", "1e1", "()", "'a'^^<http://t>"):
        [solution] = store.query(f"SELECT ?o WHERE {{ BIND({text.replace('()', '<http://n>')} AS ?o) }}")
        store.add(ox.Quad(subject, predicate, solution["o"]))
    store.add(ox.Quad(subject, predicate, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")))
    return Listener(), store


def _contacts(listener: Listener, store: ox.Store, query: str) -> bool:
    before = listener.connections
    with contextlib.suppress(Exception):  # the listener hangs up: the engine reports an error
        list(store.query(query))
    deadline = time.monotonic() + 0.5
    while listener.connections == before and time.monotonic() < deadline:
        time.sleep(0.002)
    return listener.connections > before


def test_every_spelling_the_engine_calls_is_refused() -> None:
    """The engine itself is the oracle: every spelling after which Oxigraph opened a connection to
    the listener is refused by the check (with an empty allowlist), and most spellings do."""
    listener, store = _loopback_engine()
    try:
        called = missed = 0
        for query in service_spellings.spellings(listener.url):
            if not _contacts(listener, store, query):
                continue
            called += 1
            with pytest.raises(Refused) as refusal:
                check_services(query, frozenset(), None)
            missed += refusal.value.status not in {400, 403}
        for query in service_spellings.NO_CLAUSE:
            assert not _contacts(listener, store, query.replace("http://a/", listener.url)), query
            assert check_services(query, frozenset(), None) == [], query
    finally:
        listener.close()
    assert missed == 0
    assert called > 4000, "the spellings must be ones the engine reads as SERVICE"


# Chains that overflowed Oxigraph's parser at 10,000 links (pyoxigraph 0.5.13, a segfault).
CHAIN_BOMBS = {
    "UNION": "SELECT * WHERE { " + " UNION ".join(["{}"] * 10_000) + " }",
    "path": "SELECT * WHERE { ?s " + "/".join(["<http://x/p>"] * 10_000) + " ?o }",
    "&&": "SELECT * WHERE { FILTER(" + " && ".join(["true"] * 10_000) + ") }",
    "+": "SELECT (" + " + ".join(["1"] * 10_000) + " AS ?x) WHERE {}",
    "OPTIONAL": "SELECT * WHERE { " + " ".join(["OPTIONAL {}"] * 10_000) + " }",
    "FILTER": "SELECT * WHERE { " + " ".join(["FILTER(true)"] * 10_000) + " }",
    "triples": "SELECT * WHERE { " + " ".join(["?s <http://x/p> ?o ."] * 10_000) + " }",
    ";": "SELECT * WHERE { ?s " + " ; ".join(["<http://x/p> ?o"] * 10_000) + " }",
}


@pytest.mark.parametrize("name", sorted(CHAIN_BOMBS))
def test_long_chains_are_refused_before_the_engine(name: str) -> None:
    with pytest.raises(Refused) as refusal:
        check_shape(CHAIN_BOMBS[name], Limits())
    assert refusal.value.status == 400
    assert "this endpoint accepts at most 1000" in refusal.value.message


def test_operators_inside_iris_strings_and_names_are_not_counted() -> None:
    inside = "<http://x/a/b/c+d-e.f> 'a+b.c;d' ex:a.b-c"
    assert operator_count(f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p {inside} }}") == 1  # SELECT *


def test_the_project_queries_pass_the_shape_checks() -> None:
    queries = sorted(Path(__file__).parents[2].joinpath("graph", "queries").glob("*.rq"))
    assert queries
    for path in queries:
        check_shape(path.read_text(encoding="utf-8"), Limits())


def test_deep_nesting_is_refused_with_its_limit() -> None:
    with pytest.raises(Refused, match="nested more than 200 levels"):
        check_shape("SELECT * WHERE " + "{" * 3000 + "}" * 3000, Limits())
