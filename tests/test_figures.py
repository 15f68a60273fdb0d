"""Every amount, rate, count and date in the five source documents is in the graph, right.

`tests/data/expected_figures_*.csv` lists each figure as the document prints it and what the graph
must say about it. The first test proves the list complete by scanning the documents' text for
figures; the others walk the list against the graph: value, unit, qualifier, basis, period and source.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from reference import SOURCES, require

from ozgkg.knowledge.load import load
from ozgkg.namespaces import ID, OZG, PROV, SCHEMA

DATA = Path(__file__).parent / "data"
ROWS = [
    row
    for path in sorted(DATA.glob("expected_figures_*.csv"))
    for row in csv.DictReader(path.open(encoding="utf-8"))
]

# A figure as printed: amounts in euro, percentages, and calendar dates.
FIGURE = re.compile(
    r"\d[\d.,]*\s*(?:Mio\.|Millionen)?\s*(?:Euro|EUR)\b"
    r"|\d+\s*(?:Prozent|%)"
    r"|\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b"
    r"|\b\d{1,2}\.\s(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\s\d{4}\b"
)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def dataset() -> Dataset:
    return load().to_dataset()


def test_expected_figures_exist() -> None:
    assert len(ROWS) > 60, "the figure lists are missing or incomplete"


# The five documents, named here so that each is reported (or skipped, without shared/) on its own.
@pytest.mark.parametrize("document", sorted({row["document"] for row in ROWS}))
def test_every_printed_figure_is_listed(document: str) -> None:
    text = require(SOURCES / f"{document}.txt").read_text(encoding="utf-8")
    listed = " | ".join(_normalise(r["figure_text"]) for r in ROWS if r["document"] == document)
    missing = []
    for match in FIGURE.finditer(text):
        figure = _normalise(match.group(0))
        number = re.match(r"[\d.,]+", figure).group(0).rstrip(".,")
        if number not in listed:
            missing.append(figure)
    assert not missing, f"figures printed in {document} but not in the expected list: {missing}"


def _attested_by(node: URIRef, document: str) -> bool:
    """The node is stated in a graph derived from the document, or names the document itself."""
    doc = ID[f"doc/{document}"]
    ds = dataset()
    if (node, PROV.wasDerivedFrom, doc) in ds:
        return True
    return any(
        (graph, PROV.wasDerivedFrom, doc) in ds for _, _, _, graph in ds.quads((node, None, None, None))
    )


def _numbers(node: URIRef) -> set[Decimal]:
    ds = dataset()
    return {
        Decimal(str(o))
        for p in (SCHEMA.value, SCHEMA.maxValue, SCHEMA.minValue)
        for o in ds.objects(node, p)
        if isinstance(o, Literal)
    }


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['document'][:24]}:{r['figure_text'][:40]}")
def test_figure_in_graph(row: dict[str, str]) -> None:
    ds = dataset()
    node = URIRef(row["entity_iri"])
    assert (node, None, None) in ds, f"{node} is not in the graph"
    assert _attested_by(node, row["document"]), f"{node} is not attested by {row['document']}"
    unit = row["unit"]
    if unit in ("EUR", "percent"):
        assert Decimal(row["value"]) in _numbers(node), f"{node} does not carry {row['value']}"
        # Compared as strings: "EUR" and "EUR"^^xsd:string are the same value in RDF 1.1.
        unit_property, unit_code = (SCHEMA.currency, "EUR") if unit == "EUR" else (SCHEMA.unitCode, "P1")
        assert unit_code in {str(o) for o in ds.objects(node, unit_property)}, f"{node} is not in {unit_code}"
        if row["qualifier"]:
            assert (node, OZG.qualifier, ID[f"amount-qualifier/{row['qualifier']}"]) in ds, row["qualifier"]
        if row["basis"] and unit == "EUR":
            assert (node, OZG.basis, ID[f"amount-basis/{row['basis']}"]) in ds, row["basis"]
        if row["year_or_period"]:
            years = row["year_or_period"].split("/")
            stated = {
                str(o)[:4]
                for p in (OZG.year, SCHEMA.validFrom, SCHEMA.validThrough)
                for o in ds.objects(node, p)
            }
            assert {years[0], years[-1]} <= stated, f"{node} period {stated} is not {row['year_or_period']}"
    elif unit == "count":
        values = {str(o) for _, o in ds.predicate_objects(node) if isinstance(o, Literal)}
        assert row["value"] in values, f"{node} has no count {row['value']}"
        if row["qualifier"]:  # "rund 80": the hedge is a value too
            assert (node, OZG.countQualifier, ID[f"amount-qualifier/{row['qualifier']}"]) in ds, row[
                "qualifier"
            ]
    elif unit == "date":
        values = {str(o) for _, o in ds.predicate_objects(node) if isinstance(o, Literal)}
        assert any(v.startswith(row["value"]) for v in values), f"{node} has no date {row['value']}"
    else:
        pytest.fail(f"unknown unit {unit!r}")


def test_every_amount_is_labelled_as_its_source_states_it() -> None:
    """Searching an amount's wording ("7,72 Mio.") finds it: in every graph that states an amount, the
    amount has a German skos:altLabel beginning with that graph's ozg:statedAs, and an English label."""
    from rdflib.namespace import RDF, SKOS

    ds = dataset()
    unlabelled = []
    for graph in ds.graphs():
        for amount in graph.subjects(RDF.type, OZG.MonetaryAmount):
            german = [str(o) for o in graph.objects(amount, SKOS.altLabel) if o.language == "de"]
            english = [o for o in graph.objects(amount, SKOS.altLabel) if o.language == "en"]
            stated = [str(o) for o in graph.objects(amount, OZG.statedAs)]
            if len(german) != 1 or len(english) != 1 or not all(german[0].startswith(s) for s in stated):
                unlabelled.append((str(graph.identifier), str(amount)))
    assert not unlabelled, unlabelled
