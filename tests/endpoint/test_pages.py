"""Entity pages, document pages and label search, fetched over HTTP from a real `ozg-kg serve`.

This module starts a server of its own: it serves a hostile fixture (markup in labels, literals and a
locator; a `javascript:` IRI) and a public base, so that links point where a w3id redirect would send
people. Expected facts are read from the SPARQL endpoint of the same server rather than written here,
so that the tests follow the graph as it grows.
"""

from __future__ import annotations

import html as html_module
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import ORG, OWL, PROV, SKOS

from ozgkg.namespaces import GRAPH, ID, OZG

from .conftest import DATA, InProcess, Server, start_server, stop_server
from .html_page import Page


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    """The HTTP rules need no socket: these tests speak to the app in-process."""
    return app_server


HOSTILE_DATA = DATA / "hostile-labels.trig"
PUBLIC = "https://kg.example.org/ozgkg"
CCD_KDN = ID["body/ccd-kdn"]
KDN = ID["body/kdn"]
EVENT = "http://example.org/ozgkg-test/event"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("pages") / "serve.log"
    running = start_server(
        ["--data", str(HOSTILE_DATA), "--public-base", PUBLIC + "/", "--workers", "2"], log
    )
    yield running
    stop_server(running)


def public(iri: str) -> str:
    """Where a page links to for an entity of ours: its path under the public base."""
    return PUBLIC + "/id/" + iri.removeprefix(str(ID))


def local_path(iri: str) -> str:
    return "/id/" + iri.removeprefix(str(ID))


def html(server: Server, path: str, **params: str) -> Page:
    reply = server.get(path, {"Accept": BROWSER_ACCEPT}, **params)
    assert reply.status == 200, reply.text
    assert reply.media_type == "text/html"
    return Page(reply.text)


def select(server: Server, sparql: str) -> list[dict[str, str]]:
    prologue = "PREFIX ozg: <https://w3id.org/ozgkg/def#> PREFIX prov: <http://www.w3.org/ns/prov#> "
    reply = server.query(prologue + sparql)
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in reply.json()["results"]["bindings"]]


def test_entity_page_shows_labels_types_and_linked_values(pages: Server) -> None:
    page = html(pages, local_path(CCD_KDN))
    assert page.tags("h1")
    assert "Competence Center Digitalisierung NRW beim KDN (CCD KDN)" in page.text
    assert "Competence Centre for Digitalisation NRW at KDN (CCD KDN)" in page.text
    type_link = f"{PUBLIC}/describe?{urllib.parse.urlencode({'iri': OZG.CoordinationBody})}"
    assert page.hrefs_to(type_link), "the type links to its description"
    (unit_of,) = [row for row in page.rows_with("org:unitOf") if public(KDN) in row.hrefs]
    kdn_label = select(pages, f"SELECT ?l WHERE {{ <{KDN}> <{SKOS.prefLabel}> ?l FILTER(lang(?l) = 'de') }}")
    assert kdn_label[0]["l"] in unit_of.text


def test_every_statement_shows_its_document_and_locator(pages: Server) -> None:
    page = html(pages, local_path(CCD_KDN))
    sources = select(
        pages,
        f"SELECT ?doc ?where WHERE {{ GRAPH ?g {{ <{CCD_KDN}> <{ORG.unitOf}> <{KDN}> }} "
        "GRAPH <https://w3id.org/ozgkg/graph/meta> { ?g prov:wasDerivedFrom ?doc ; ozg:locator ?where } }",
    )
    assert sources
    (row,) = [row for row in page.rows_with("org:unitOf") if public(KDN) in row.hrefs]
    for source in sources:
        assert public(source["doc"]) in row.hrefs
        assert source["where"] in row.text


def test_incoming_links_and_neighbourhood_drawing(pages: Server) -> None:
    page = html(pages, local_path(CCD_KDN))
    pointing = {
        r["s"] for r in select(pages, f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p <{CCD_KDN}> }} }}")
    }
    assert str(ID["body/themenfeldkoordinatoren-ccd-kdn"]) in pointing
    hrefs = {href for href, _ in page.links}
    assert {public(s) for s in pointing if s.startswith(ID)} <= hrefs
    (svg,) = page.tags("svg")
    assert svg["viewbox"]
    drawn = {a.get("href") for a in page.tags("a")}
    assert public(KDN) in drawn
    assert not page.tags("script"), "the page needs no JavaScript"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("amount/nw-kommunalportal-2021-2022", "7,72 Mio. EUR 2021–2022"),
        ("amount/nw-kommunale-projekte-2020", "rund 6,7 Mio. EUR 2020"),
        ("amount/by-digitales-rathaus-je-kommune", "bis zu 20.000 EUR"),
    ],
)
def test_amounts_read_as_people_write_them(pages: Server, amount: str, shown: str) -> None:
    assert shown in html(pages, "/id/" + amount).text


def test_a_linked_amount_is_labelled_with_its_value(pages: Server) -> None:
    amount = ID["amount/nw-kommunalportal-2021-2022"]
    (measure,) = {r["m"] for r in select(pages, f"SELECT DISTINCT ?m WHERE {{ ?m ozg:amount <{amount}> }}")}
    page = html(pages, local_path(measure))
    assert any(text.startswith("7,72 Mio. EUR") for text in page.hrefs_to(public(amount)))


def test_turtle_holds_the_entity_triples(pages: Server) -> None:
    reply = pages.get(local_path(CCD_KDN), {"Accept": "text/turtle"})
    assert reply.status == 200 and reply.media_type == "text/turtle"
    assert "Accept" in reply.headers["vary"]
    graph = Graph().parse(data=reply.text, format="turtle")
    stated = pages.query(
        f"CONSTRUCT {{ <{CCD_KDN}> ?p ?o }} WHERE {{ <{CCD_KDN}> ?p ?o }}", accept="text/turtle"
    )
    expected = Graph().parse(data=stated.text, format="turtle")
    assert len(expected) > 5
    assert set(expected) <= set(graph)
    assert (CCD_KDN, ORG.unitOf, KDN) in graph
    assert (
        CCD_KDN,
        SKOS.prefLabel,
        Literal("Competence Centre for Digitalisation NRW at KDN (CCD KDN)", lang="en"),
    ) in graph


@pytest.mark.parametrize(
    ("name", "media_type", "parser"),
    [
        ("ntriples", "application/n-triples", "nt"),
        ("rdfxml", "application/rdf+xml", "xml"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("trig", "application/trig", "trig"),
        ("nquads", "application/n-quads", "nquads"),
    ],
)
def test_format_parameter_gives_every_rdf_format(
    pages: Server, name: str, media_type: str, parser: str
) -> None:
    reply = pages.get(local_path(CCD_KDN), {"Accept": BROWSER_ACCEPT}, format=name)
    assert reply.status == 200 and reply.media_type == media_type
    dataset = Dataset()
    dataset.parse(data=reply.body, format=parser)
    assert (CCD_KDN, ORG.unitOf, KDN) in {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    # Every format has the facts in the default graph (what rdflib's Graph and Comunica read); the
    # quad formats add each fact's source as a named graph.
    assert (CCD_KDN, ORG.unitOf, KDN) in dataset.default_graph
    if name in {"trig", "nquads"}:
        graphs = {g for s, p, o, g in dataset.quads((CCD_KDN, ORG.unitOf, KDN, None))}
        graphs.discard(dataset.default_graph.identifier)
        assert graphs and all(str(g).startswith(str(GRAPH)) for g in graphs)
        meta = dataset.graph(GRAPH["meta"])
        assert all(meta.value(g, PROV.wasDerivedFrom) is not None for g in graphs), (
            "each graph names its source"
        )


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (BROWSER_ACCEPT, "text/html"),
        ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle"),
        ("application/ld+json, text/html;q=0.1", "application/ld+json"),
        ("*/*", "text/html"),
    ],
)
def test_accept_q_values_choose_the_format(pages: Server, accept: str, media_type: str) -> None:
    reply = pages.get(local_path(KDN), {"Accept": accept})
    assert reply.status == 200 and reply.media_type == media_type
    assert "Accept" in reply.headers["vary"]


def test_unsupported_accept_is_406(pages: Server) -> None:
    reply = pages.get(local_path(KDN), {"Accept": "application/pdf"})
    assert reply.status == 406
    assert "text/turtle" in reply.text


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        (
            "/id/body/no-such-body",
            {},
            404,
            "says nothing about <https://w3id.org/ozgkg/id/body/no-such-body>",
        ),
        ("/describe", {"iri": "http://example.org/never-mentioned"}, 404, "example.org/never-mentioned"),
        ("/describe", {}, 400, "/describe?iri="),
        ("/describe", {"iri": "not an iri"}, 400, "not an absolute IRI"),
        ("/id/a%3Eb", {}, 400, "not an absolute IRI"),
    ],
)
def test_unknown_and_invalid_iris(pages: Server, path: str, params: dict, status: int, says: str) -> None:
    reply = pages.get(path, {"Accept": BROWSER_ACCEPT}, **params)
    assert reply.status == status
    assert says in html_module.unescape(reply.text)  # a 404 is a page for a browser


def test_describe_serves_any_iri_the_graph_knows(pages: Server) -> None:
    reply = pages.get("/describe", {"Accept": "application/n-triples"}, iri=str(OZG.ReuseArrangement))
    assert reply.status == 200
    assert f"<{OZG.ReuseArrangement}> <http://www.w3.org/2000/01/rdf-schema#label>" in reply.text


def test_literals_from_data_are_escaped(pages: Server) -> None:
    page = html(pages, "/describe", iri=EVENT)
    assert "<script>alert('label')</script> Testveranstaltung" in page.text
    assert 'Text mit <img src=x onerror=alert(1)> und "Anführungszeichen"' in page.text
    assert "Absatz <b>7</b> & „Anhang“" in page.text, "the locator, as text"
    assert "Testdokument </title><script>alert('title')</script>" in page.text, "the document's title"
    for element in ("script", "img", "b"):
        assert not page.tags(element), f"a <{element}> element came from data"
    assert not [href for href, _ in page.links if not href.startswith(("http://", "https://"))]


def test_hostile_label_in_a_neighbour_drawing_is_escaped(pages: Server) -> None:
    page = html(pages, "/id/land/05")
    assert "<script>alert('label')</script> Testveranstaltung" in page.text
    assert not page.tags("script")


def test_an_external_iri_links_to_itself(pages: Server) -> None:
    same_as = select(pages, f"SELECT ?o WHERE {{ <{ID['land/05']}> <{OWL.sameAs}> ?o }}")
    assert same_as
    page = html(pages, "/id/land/05")
    for row in same_as:
        assert page.hrefs_to(row["o"]), f"{row['o']} is linked"


def test_document_page_lists_every_fact_by_passage(pages: Server) -> None:
    document = ID["doc/regioit-virtuelle-veranstaltung-ozg"]
    passages = select(
        pages,
        f"SELECT ?g ?where (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH['meta']}> "
        f"{{ ?g prov:wasDerivedFrom <{document}> ; ozg:locator ?where }} GRAPH ?g {{ ?s ?p ?o }} }}"
        " GROUP BY ?g ?where",
    )
    assert len(passages) >= 3
    page = html(pages, local_path(document))
    for passage in passages:
        assert passage["where"] in page.text
        assert f"{passage['n']} statements" in page.text
        graph_page = (
            PUBLIC + "/graph/" + passage["g"].removeprefix(str(GRAPH))
        )  # the graph's IRI, dereferenced
        assert passage["where"] in page.hrefs_to(graph_page), "a passage's graph is named by its locator"
    assert len(page.rows) >= sum(int(p["n"]) for p in passages), "a table row per fact"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ekom21", ID["body/ekom21"]),
        ("kommunalportal", ID["solution/kommunalportal-nrw"]),
        ("KOMMUNALPORTAL.nrw", ID["solution/kommunalportal-nrw"]),
    ],
)
def test_search_finds_entities_by_label(pages: Server, query: str, expected: str) -> None:
    page = html(pages, "/search", q=query)
    assert page.hrefs_to(public(expected))


def test_search_ignores_umlaut_spelling(pages: Server) -> None:
    found = {}
    for spelling in ("Förder", "foerder", "FORDER"):
        page = html(pages, "/search", q=spelling)
        found[spelling] = {href for href, _ in page.links if "/id/" in href or "/describe?" in href}
    assert found["Förder"] and found["Förder"] == found["foerder"] == found["FORDER"]
    assert any("Förder" in text for _, text in Page(pages.get("/search", q="foerder").text).links)


def test_search_limits(pages: Server) -> None:
    assert pages.get("/search", q="x" * 201).status == 400
    assert "Kommunalportal" in html(pages, "/search").text


def test_validation_lists_the_fixture_warning(pages: Server) -> None:
    page = html(pages, "/validation")
    (row,) = [
        row for row in page.rows if f"{PUBLIC}/describe?{urllib.parse.urlencode({'iri': EVENT})}" in row.hrefs
    ]
    assert "Warning" in row.text and "<script>alert('label')</script>" in row.text
    assert not page.tags("script")


# The header of every page (templates/layout.html): path under the public base and text of each item.
NAVIGATION = [
    ("/", "Query"),
    ("/explore", "Graph"),
    ("/ontology", "Ontology"),
    ("/validation", "Validation"),
    ("/sparql", "SPARQL endpoint"),
]


@pytest.mark.parametrize(
    ("path", "params", "current", "lang"),
    [
        ("/", {}, "Query", "en"),
        ("/explore", {}, "Graph", "en"),
        (local_path(CCD_KDN), {}, None, "de"),
        ("/search", {"q": "kdn"}, None, "de"),
        ("/validation", {}, "Validation", "de"),
    ],
)
def test_every_page_has_the_same_header(
    pages: Server, path: str, params: dict[str, str], current: str | None, lang: str
) -> None:
    page = html(pages, path, **params)
    assert [(href, text) for href, text, _ in page.nav] == [(PUBLIC + p, text) for p, text in NAVIGATION]
    assert [text for _, text, marked in page.nav if marked == "page"] == ([current] if current else [])
    assert "ozg-kg" in page.hrefs_to(PUBLIC + "/")
    (search,) = [form for form in page.tags("form") if form.get("role") == "search"]
    assert search["action"] == PUBLIC + "/search"
    (box,) = [field for field in page.tags("input") if field.get("type") == "search"]
    assert box["value"] == params.get("q", "")
    assert page.lang == lang
    stylesheets = [link["href"] for link in page.tags("link") if link.get("rel") == "stylesheet"]
    assert stylesheets[0] == "/static/ui/site.css", "the shared stylesheet first, a page's own after it"
    assert pages.get(stylesheets[0]).status == 200
    if lang == "de":
        assert not page.tags("script"), "entity pages, search and the report work without JavaScript"


def test_the_search_box_keeps_markup_as_text(pages: Server) -> None:
    typed = '"><script>alert(1)</script>'
    page = html(pages, "/search", q=typed)
    (box,) = [field for field in page.tags("input") if field.get("type") == "search"]
    assert box["value"] == typed
    assert not page.tags("script")


def test_pages_are_cached_by_etag(pages: Server) -> None:
    first = pages.get(local_path(KDN), {"Accept": "text/turtle"})
    again = pages.get(local_path(KDN), {"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status == 304
    other = pages.get(local_path(KDN), {"Accept": "text/html", "If-None-Match": first.headers["etag"]})
    assert other.status == 200, "another format has another ETag"


def test_links_follow_the_requested_host_without_a_public_base(server: Server) -> None:
    page = html(server, local_path(KDN))
    assert page.hrefs_to(server.base + local_path(CCD_KDN))
    assert [href for href, _, _ in page.nav] == [server.base + path for path, _ in NAVIGATION]
    assert [href for href, _, _ in html(server, "/").nav] == [href for href, _, _ in page.nav]


def test_public_base_must_be_an_http_url(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="--public-base must be an http"):
        start_server(["--public-base", "ftp://example.org"], tmp_path / "serve.log")
