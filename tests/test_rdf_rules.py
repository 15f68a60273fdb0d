"""The shared RDF rules (`ozgkg.rdf`): one IRI check, one term writer, one prefix shortener, one label
choice, one format table; each edge case on which the copies they replaced disagreed; and the rdflib
adjustments of the memory store, made only when that store is opened."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import BNode, Literal, URIRef

from ozgkg.rdf import formats, labels, terms
from ozgkg.rdf.iris import check_iri, is_iri
from ozgkg.rdf.prefixes import short_name
from ozgkg.sparql.query import shorten

OZGID = "https://w3id.org/ozgkg/id/"


@pytest.mark.parametrize(
    "text",
    [
        "http://example.org/a\x01b",  # a control character: the protocol's and graph store's checks let it by
        "http://example.org/a\x7fb",  # DEL: only the describe check refused it
        "http://example.org/a\tb",
        "http://example.org/%zz",  # a broken percent-encoding
        "http://example.org/a#b#c",
        "relative/path",
    ],
)
def test_one_iri_check_refuses_what_no_rdf_syntax_can_write(text: str) -> None:
    assert not is_iri(text)
    with pytest.raises(ValueError, match="not an absolute IRI"):
        check_iri(text)


@pytest.mark.parametrize(
    "text", ["urn:x", "http://[::1]/x", "https://w3id.org/ozgkg/id/land/bw-ä", "mailto:a@b"]
)
def test_one_iri_check_accepts_absolute_iris(text: str) -> None:
    assert check_iri(text) == URIRef(text)


def test_terms_are_written_as_n_triples() -> None:
    assert terms.term(URIRef("urn:x")) == "<urn:x>"
    assert terms.term(BNode("b0")) == "_:b0"
    # Every copy escaped quotes and line breaks; only the TSV writer escaped tabs, none control characters.
    assert terms.string('say "hi"\n\t\x01') == '"say \\"hi\\"\\n\\t\\u0001"'
    assert terms.term(Literal("Größe", lang="de")) == '"Größe"@de'
    assert terms.term(Literal("7", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))).endswith(
        "^^<http://www.w3.org/2001/XMLSchema#integer>"
    )
    with pytest.raises(ValueError):
        terms.iri_list([URIRef("urn:x"), Literal("no IRI")])
    with pytest.raises(ValueError):
        terms.iri_list([URIRef("http://a b")])


def test_one_shortener_for_pages_and_tables() -> None:
    assert short_name(OZGID + "body/kdn") == shorten(OZGID + "body/kdn") == "body:kdn"
    # A namespace IRI itself: the CLI's table wrote `ozgid:`, the pages the IRI; now both the IRI.
    assert short_name(OZGID) == OZGID and shorten(OZGID) == f"<{OZGID}>"
    # A local part no prefixed name can hold: the pages wrote `ozgid:x y?z`, the table the IRI.
    assert short_name(OZGID + "x y?z") == OZGID + "x y?z"
    assert short_name("http://example.org/x") == "http://example.org/x"


def test_one_label_choice() -> None:
    found = [Literal("Land", lang="de"), Literal("state", lang="en"), Literal("plain")]
    assert labels.pick_label(found, "fr") == "state"  # asked for, then English, German, untagged
    assert labels.pick_label(found[::2], "fr") == "Land"  # German before an untagged label
    assert labels.pick_label([Literal("Etat", lang="fr-CA")], "de") == "Etat"  # then any
    assert labels.pick_label([], "de") is None


def test_one_format_table() -> None:
    by_type = {f.media_type: f for f in (*formats.RESULTS_FORMATS, *formats.RDF_FORMATS)}
    assert by_type["text/csv"].w3c == "http://www.w3.org/ns/formats/SPARQL_Results_CSV"
    assert by_type["application/ld+json"].w3c == "http://www.w3.org/ns/formats/JSON-LD"
    assert [f.media_type for f in formats.RDF_FORMATS if f.quads] == [
        "application/trig",
        "application/n-quads",
    ]
    assert all(f.rdflib and f.oxigraph is not None for f in by_type.values())


_RDFLIB_GLOBALS = """
import rdflib.plugins.sparql as sparql
from rdflib.plugins.sparql.aggregates import Accumulator
print(sparql.SPARQL_LOAD_GRAPHS, Accumulator.use_row.__module__)
"""


def _rdflib_globals(code: str) -> str:
    run = subprocess.run([sys.executable, "-c", code + _RDFLIB_GLOBALS], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()[-2] + " " + run.stdout.split()[-1]


def test_importing_and_validating_leave_rdflib_as_shipped() -> None:
    code = (
        "import ozgkg, ozgkg.store, ozgkg.web.app, ozgkg.cli\n"
        "from ozgkg.knowledge.load import load\nfrom ozgkg.knowledge.validate import validate\n"
        "assert validate(load()).conforms\n"
    )
    assert _rdflib_globals(code) == "True rdflib.plugins.sparql.aggregates"


def test_opening_the_memory_store_adjusts_rdflib() -> None:
    code = "from ozgkg.store import open_store\nopen_store('memory')\n"
    assert _rdflib_globals(code) == "False ozgkg.store.memory"
