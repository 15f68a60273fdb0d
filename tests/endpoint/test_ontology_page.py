"""`/ontology`: pyLODE's documentation of ozg.ttl for people, the ontology itself for machines."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, SKOS

from ozgkg import paths
from ozgkg.namespaces import OZG

from .conftest import InProcess, Server
from .html_page import Page


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    """The HTTP rules need no socket: these tests speak to the app in-process."""
    return app_server


def ontology() -> Graph:
    return Graph().parse(paths.ontology_dir() / "ozg.ttl", format="turtle")


def test_documentation_gives_both_definitions_of_a_class(server: Server) -> None:
    reply = server.get("/ontology", {"Accept": "text/html"})
    assert reply.status == 200 and reply.media_type == "text/html"
    page = Page(reply.text)
    assert "Nachnutzung / reuse arrangement" in page.text
    definitions = {d.language: str(d) for d in ontology().objects(OZG.ReuseArrangement, SKOS.definition)}
    assert set(definitions) == {"de", "en"}
    for definition in definitions.values():
        assert " ".join(definition.split()) in page.text
    assert all(s.get("type") == "application/ld+json" for s in page.tags("script")), "data only, no JS"


def test_turtle_is_the_ontology(server: Server) -> None:
    reply = server.get("/ontology", {"Accept": "text/turtle"})
    assert reply.status == 200 and reply.media_type == "text/turtle"
    served = Graph().parse(data=reply.text, format="turtle")
    assert (OZG.ReuseArrangement, RDF.type, OWL.Class) in served
    assert len(served) == len(ontology())
