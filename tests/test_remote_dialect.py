"""What the remote store rewrites for Virtuoso without a Virtuoso running: its ASK rows, and which
queries name their own dataset (those get no dataset pragmas). The endpoint tests run on a real
Virtuoso with OZGKG_TEST_STORE=virtuoso."""

from __future__ import annotations

import json

import pytest

from ozgkg.store.base import StoreUnavailable
from ozgkg.store.remote import _names_dataset, _virtuoso_boolean

# Debian's Virtuoso 7.2.5 answering `ASK { ?s ?p ?o }` on a store that holds something.
ROW = {"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": {"value": 1}}]}}


@pytest.mark.parametrize(("value", "expected"), [(1, True), (0, False)])
def test_an_ask_row_becomes_a_boolean(value: int, expected: bool) -> None:
    row = json.loads(json.dumps(ROW))
    row["results"]["bindings"][0]["__ASK_RETVAL"]["value"] = value
    answer = json.loads(_virtuoso_boolean(json.dumps(row).encode(), "application/sparql-results+json"))
    assert answer["boolean"] is expected
    xml = _virtuoso_boolean(json.dumps(row).encode(), "application/sparql-results+xml")
    assert f"<boolean>{str(expected).lower()}</boolean>".encode() in xml


def test_a_real_boolean_passes_and_anything_else_is_refused() -> None:
    assert json.loads(
        _virtuoso_boolean(b'{"head":{},"boolean":false}', "application/sparql-results+json")
    ) == {
        "head": {},
        "boolean": False,
    }
    with pytest.raises(StoreUnavailable):
        _virtuoso_boolean(b"<html>no</html>", "application/sparql-results+json")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("SELECT * FROM <urn:g> { ?s ?p ?o }", True),
        ("select * from named <urn:g> { graph ?g { ?s ?p ?o } }", True),
        ('SELECT * { ?s ?p "from" }', False),
        ("SELECT * { ?s <urn:from> ?o } # FROM <urn:g>", False),
        ("SELECT ?from { ?from ?p ?o }", False),
        ("PREFIX from: <urn:x> SELECT * { ?s from:p ?o }", False),
    ],
)
def test_a_from_clause_is_told_from_the_word(query: str, names: bool) -> None:
    assert _names_dataset(query) is names
