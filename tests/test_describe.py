"""The small pure functions behind the entity pages: amounts, periods, umlaut folding, IRIs, results."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ozgkg.features.amounts import Quantity, format_number, format_period, format_quantity
from ozgkg.features.search import fold
from ozgkg.rdf.iris import check_iri
from ozgkg.rdf.prefixes import short_name
from ozgkg.rdf.results import parse_bindings


def eur(**fields: str | int) -> Quantity:
    """An amount in euro; numbers become Decimals as the pages read them from xsd:decimal."""
    numbers = {"value", "minimum", "maximum"}
    return Quantity(unit="EUR", **{k: Decimal(v) if k in numbers else v for k, v in fields.items()})


WHOLE_2021_2022 = {"valid_from": "2021-01-01", "valid_through": "2022-12-31"}


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        (eur(maximum=20000, qualifier="up-to", basis="per-municipality"), "bis zu 20.000 EUR je Kommune"),
        (
            eur(value=7720000, qualifier="exact", basis="total-for-period", **WHOLE_2021_2022),
            "7,72 Mio. EUR 2021–2022",
        ),
        (eur(value=6700000, qualifier="about", basis="total", year="2020"), "rund 6,7 Mio. EUR 2020"),
        (eur(value=3300000, qualifier="more-than", year="2021"), "über 3,3 Mio. EUR 2021"),
        (eur(value=17000000, qualifier="almost"), "fast 17 Mio. EUR"),
        (eur(value=200000, qualifier="expected", year="2022"), "voraussichtlich 200.000 EUR 2022"),
        (eur(value=1100000, basis="per-year", **WHOLE_2021_2022), "1,1 Mio. EUR pro Jahr 2021–2022"),
        (
            eur(minimum=100000, maximum=2500000, basis="per-project"),
            "100.000 EUR bis 2,5 Mio. EUR je Projekt",
        ),
        (eur(value=1234567), "1.234.567 EUR"),
        (Quantity(maximum=Decimal(80), unit="%", qualifier="up-to"), "bis zu 80 %"),
        (Quantity(minimum=Decimal(50), unit="%"), "mindestens 50 %"),
        (Quantity(), ""),
    ],
)
def test_amounts_read_as_people_write_them(quantity: Quantity, shown: str) -> None:
    assert format_quantity(quantity) == shown


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("7720000", "7,72 Mio."),
        ("6400000.00", "6,4 Mio."),
        ("2500000000", "2,5 Mrd."),
        ("1100000", "1,1 Mio."),
        ("1234567", "1.234.567"),
        ("561000", "561.000"),
        ("12.5", "12,5"),
        ("0.5", "0,5"),
        ("-20000", "-20.000"),
    ],
)
def test_german_numbers(number: str, shown: str) -> None:
    assert format_number(Decimal(number)) == shown


@pytest.mark.parametrize(
    ("year", "start", "end", "shown"),
    [
        ("2020", "2019-01-01", None, "2020"),
        (None, "2021-01-01", "2021-12-31", "2021"),
        (None, "2021-03-01", "2022-06-30", "01.03.2021–30.06.2022"),
        (None, "2021-01-01", None, "ab 2021"),
        (None, "2021-03-01", None, "ab 01.03.2021"),
        (None, None, "2022-12-31", "bis 2022"),
        (None, None, None, ""),
    ],
)
def test_periods(year: str | None, start: str | None, end: str | None, shown: str) -> None:
    assert format_period(year, start, end) == shown


def test_umlaut_spellings_fold_alike() -> None:
    assert fold("Förder") == fold("foerder") == fold("FORDER") == "forder"
    assert fold("Straße") == fold("STRASSE")
    assert fold("Übermut") == fold("Uebermut")


def test_short_names_use_the_project_prefixes() -> None:
    assert short_name("https://w3id.org/ozgkg/id/body/kdn") == "body:kdn"
    assert short_name("http://www.w3.org/ns/org#unitOf") == "org:unitOf"
    assert short_name("http://example.org/x") == "http://example.org/x"


@pytest.mark.parametrize("text", ["no scheme", "http://a b", "http://x/<y>", 'urn:a"b', "http://x/{y}", ""])
def test_iris_that_cannot_go_into_a_query_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an absolute IRI"):
        check_iri(text)


def test_sparql_json_results_become_rdflib_terms() -> None:
    body = json.dumps(
        {
            "head": {"vars": ["a", "b", "c", "d"]},
            "results": {
                "bindings": [
                    {
                        "a": {"type": "uri", "value": "urn:x"},
                        "b": {"type": "literal", "value": "Größe", "xml:lang": "de"},
                        "c": {"type": "literal", "value": "7", "datatype": str(XSD.integer)},
                        "d": {"type": "bnode", "value": "b0"},
                    },
                    {"a": {"type": "uri", "value": "urn:y"}},
                ]
            },
        }
    ).encode()
    first, second = parse_bindings(body)
    assert first == {
        "a": URIRef("urn:x"),
        "b": Literal("Größe", lang="de"),
        "c": Literal("7", datatype=XSD.integer),
        "d": BNode("b0"),
    }
    assert second == {"a": URIRef("urn:y")}
