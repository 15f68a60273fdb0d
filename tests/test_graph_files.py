"""Properties of the hand-written graph files that the shapes cannot see: files that must agree."""

from __future__ import annotations

from rdflib import Dataset, URIRef

from ozgkg import paths
from ozgkg.namespaces import GRAPH, ID

ARTICLE = "ozg-plattform-kommunale-foerderprogramme"
NRW_PAGE = "ozg-plattform-foerderprogramme-nrw"


def _passages(path_in_graph_dir: str, graph_prefix: str, document: str) -> dict[str, set[tuple]]:
    """Triples per passage graph, with the document and graph names made neutral for comparison."""
    ds = Dataset()
    ds.parse(paths.graph_dir() / path_in_graph_dir, format="trig")
    neutral = URIRef("urn:document")
    passages: dict[str, set[tuple]] = {}
    for graph in ds.graphs():
        name = str(graph.identifier)
        if not name.startswith(str(GRAPH[graph_prefix])):
            continue
        passages[name.removeprefix(str(GRAPH[graph_prefix]))] = {
            tuple(neutral if term == ID[f"doc/{document}"] else term for term in triple) for triple in graph
        }
    return passages


def test_nrw_page_mirrors_article() -> None:
    """The NRW page prints the article's NRW section word for word, so both attest the same facts."""
    article = _passages(f"{ARTICLE}/nrw.trig", f"{ARTICLE}/nrw-", ARTICLE)
    page = _passages(f"{NRW_PAGE}.trig", f"{NRW_PAGE}/", NRW_PAGE)
    assert len(article) == 9
    assert article.keys() == page.keys()
    for passage, triples in article.items():
        assert triples == page[passage], passage
