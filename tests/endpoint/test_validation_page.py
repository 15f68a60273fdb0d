"""`/validation`: the start-up SHACL report as HTML for people and as RDF for machines."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from ozgkg.namespaces import SH
from ozgkg.rdf.prefixes import short_name

from .conftest import InProcess, Server
from .html_page import Page


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    """The HTTP rules need no socket: these tests speak to the app in-process."""
    return app_server


def report(server: Server, accept: str, parser: str) -> Graph:
    reply = server.get("/validation", {"Accept": accept})
    assert reply.status == 200 and reply.media_type == accept
    assert "Accept" in reply.headers["vary"]
    return Graph().parse(data=reply.body, format=parser)


@pytest.mark.parametrize(
    ("accept", "parser"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_report_as_rdf_is_a_conforming_validation_report(server: Server, accept: str, parser: str) -> None:
    graph = report(server, accept, parser)
    (node,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(node, SH.conforms) == Literal(True, datatype=XSD.boolean)


def test_html_lists_every_result_of_the_report(server: Server) -> None:
    graph = report(server, "text/turtle", "turtle")
    results = list(graph.subjects(RDF.type, SH.ValidationResult))
    warnings = [r for r in results if graph.value(r, SH.resultSeverity) == SH.Warning]
    reply = server.get("/validation", {"Accept": "text/html,*/*;q=0.8"})
    assert reply.status == 200 and reply.media_type == "text/html"
    page = Page(reply.text)
    assert f"0 violation(s), {len(warnings)} warning(s)" in page.text
    findings = [row for row in page.rows if row.text.startswith(("Violation", "Warning", "Info"))]
    assert len(findings) == len(results)
    warning_rows = " ".join(row.text for row in findings if row.text.startswith("Warning"))
    for result in warnings:
        assert short_name(str(graph.value(result, SH.focusNode))) in warning_rows


def test_report_format_parameter_and_406(server: Server) -> None:
    assert server.get("/validation", format="turtle").media_type == "text/turtle"
    assert server.get("/validation", {"Accept": "application/pdf"}).status == 406
